import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { backendMoveVerdict, backendOfExport, BACKEND_MOVE_DOC } from "../../change/backendMove";
import { checkChange } from "../../change/check";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { ROOT, synth, tmpDir } from "../support/helpers";

const exportOf = (phase: string, ...types: string[]): StackExport =>
  ({
    deployment: {
      resources: [
        { urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s", type: "pulumi:pulumi:Stack", outputs: { phase } },
        ...types.map((type) => ({ urn: `urn:pulumi:s::p::${type}::x`, type })),
      ] as ExportResource[],
    },
  }) as unknown as StackExport;
const MIMIR = "homelab:metrics:Mimir";
const VM = "homelab:metrics:VictoriaMetrics";
const at = (key: string) => (key === "metricsBackend" ? "Pulumi.staging.yaml:9" : undefined);

describe("change check: the metrics backend changed under a stack that runs one", () => {
  it("reads the backend an export runs from its component, none before dual-write", () => {
    assert.equal(backendOfExport(exportOf("kps-removed", MIMIR)), "mimir");
    assert.equal(backendOfExport(exportOf("dual-write", VM)), "victoriametrics");
    assert.equal(backendOfExport(exportOf("loki-fixed")), undefined);
  });

  it("refuses mimir -> victoriametrics at kps-removed, naming the key at its line, what is left behind and the way to keep it", () => {
    const v = backendMoveVerdict(exportOf("kps-removed", MIMIR), exportOf("kps-removed", VM), at);
    assert.equal(v?.refused, true);
    assert.match(
      v.line,
      /^REFUSED metrics backend mimir -> victoriametrics: metricsBackend \(Pulumi\.staging\.yaml:9\) changed from mimir to victoriametrics, where the export ran mimir at kps-removed\. The update removes mimir and starts victoriametrics empty: .* no longer shows in Grafana, and the program copies none of it to victoriametrics\. With kube-prometheus-stack gone, that is every metric the stack has\. Keep the backend: set metricsBackend back to mimir\. To change it, do so at loki-fixed, /,
    );
    assert.ok(v.line.endsWith(`(${BACKEND_MOVE_DOC})`), v.line);
  });

  it("a key the stack file leaves out is named as its default; at dual-write it says what Prometheus still holds", () => {
    const v = backendMoveVerdict(exportOf("dual-write", VM), exportOf("dual-write", MIMIR));
    assert.match(
      v?.line ?? "",
      /metricsBackend \(not set in the stack file, so its default\) changed from victoriametrics to mimir, .* Prometheus still holds what its retention keeps/,
    );
  });

  it("says nothing when the export ran no backend, the backend stays, or the new state runs none (back to loki-fixed)", () => {
    assert.equal(backendMoveVerdict(exportOf("loki-fixed"), exportOf("dual-write", VM)), undefined);
    assert.equal(
      backendMoveVerdict(exportOf("dual-write", MIMIR), exportOf("backend-primary", MIMIR)),
      undefined,
    );
    assert.equal(backendMoveVerdict(exportOf("dual-write", MIMIR), exportOf("loki-fixed")), undefined);
  });

  it("the docs have the section the refusal names", () => {
    const [file, anchor] = BACKEND_MOVE_DOC.split("#");
    const doc = fs.readFileSync(path.join(ROOT, file), "utf8");
    assert.match(doc, new RegExp(`^## ${anchor.replace(/-/g, " ")}$`, "im"));
  });
});

describe("change check: npm run synth -- --against with the backend swapped", function () {
  this.timeout(180000);

  it("staging at kps-removed, mimir -> victoriametrics: exit 1 with one refusal, said first (its buckets are not protected, so nothing else refuses it)", async () => {
    const previous = path.join(tmpDir("backend-move"), "staging-mimir.json");
    fs.writeFileSync(previous, JSON.stringify((await synth("staging")).export));
    const r = await synth("staging", { metricsBackend: "victoriametrics", phase: "kps-removed" });
    const c = await checkChange(ROOT, "staging", r, { against: previous });
    assert.equal(c.code, 1, c.text);
    assert.equal(c.refused, 1, c.text);
    assert.match(c.text.split("\n")[1], /^REFUSED metrics backend mimir -> victoriametrics: /, c.text);
  });
});
