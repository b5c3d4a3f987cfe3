import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { planChange } from "../../change/change";
import type { RenderedObject, StackObject } from "../../synth/render/types";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { synth, synthCli, tmpDir } from "../support/helpers";
import { stackState } from "../support/changeStates";

const URN = "urn:pulumi:s::homelab-observability::";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

const release = (chart: string, values: Record<string, unknown>): ExportResource => ({
  urn: `${URN}${RELEASE}::${chart}`,
  custom: true,
  type: RELEASE,
  inputs: { name: chart, namespace: "monitoring", chart, version: "1.0.0", values },
  outputs: {},
});
/**
 * The stack resource, carrying the chartValues overrides in force (plan/chartValues.ts); `null`:
 * an export that records none (the program leaves the output out when there are none).
 */
const stackResource = (chartValueOverrides: string[] | null): ExportResource => ({
  urn: `${URN}pulumi:pulumi:Stack::homelab-observability-s`,
  custom: false,
  type: "pulumi:pulumi:Stack",
  inputs: {},
  outputs: chartValueOverrides === null ? {} : { chartValueOverrides },
});
const placed = (rel: ExportResource, object: RenderedObject): StackObject => ({
  object,
  resourceUrn: rel.urn,
  release: {
    name: rel.inputs.name,
    namespace: "monitoring",
    chart: rel.inputs.chart,
    version: "1.0.0",
    source: "",
  },
});
const claimSpec = (size: string, storageClassName = "local-path") => ({
  storageClassName,
  accessModes: ["ReadWriteOnce"],
  resources: { requests: { storage: size } },
});
const lokiSts = (size: string, cls?: string): RenderedObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "loki", namespace: "monitoring" },
  spec: {
    selector: { matchLabels: { app: "loki" } },
    template: { spec: { containers: [{ name: "loki", image: "a" }] } },
    volumeClaimTemplates: [{ metadata: { name: "storage" }, spec: claimSpec(size, cls) }],
  },
});
const grafanaPvc = (size: string): RenderedObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "grafana", namespace: "monitoring" },
  spec: claimSpec(size),
});
const lokiValues = (size: string, storageClass = "local-path") => ({
  singleBinary: { persistence: { size, storageClass } },
  write: { persistence: { size, storageClass } },
  backend: { persistence: { size, storageClass } },
});
/** A stack file's place of each key the test writes, as synth/report.ts overridePlacesIn gives it. */
const at = (key: string) =>
  ({
    "loki.volumeSize": "Pulumi.s.yaml:12",
    "chartValues.loki.singleBinary.persistence.size": "Pulumi.s.yaml:30",
    "chartValues.grafana.persistence.size": "Pulumi.s.yaml:40",
  })[key];

/** The refusal reasons of a change from (release values, object) to (release values, object). */
function reasons(
  chart: string,
  was: [Record<string, unknown>, RenderedObject],
  now: [Record<string, unknown>, RenderedObject],
  overrides: { before?: string[] | null; after?: string[] } = {},
): string[] {
  const [rb, ra] = [release(chart, was[0]), release(chart, now[0])];
  const report = planChange(
    stackState(
      [stackResource(overrides.before === undefined ? [] : overrides.before), rb],
      [placed(rb, was[1])],
    ),
    stackState([stackResource(overrides.after ?? []), ra], [placed(ra, now[1])]),
    at,
  );
  return report.refused.flatMap((e) => e.refused.map((r) => r.reason));
}

describe("a refused claim change names the stack setting behind it (audit X2)", () => {
  it("a lowered loki.volumeSize: the key at its line, the sizes, and the way out", () => {
    const [reason] = reasons(
      "loki",
      [lokiValues("20Gi"), lokiSts("20Gi")],
      [lokiValues("10Gi"), lokiSts("10Gi")],
    );
    assert.match(
      reason,
      /; caused by loki\.volumeSize \(Pulumi\.s\.yaml:12\) changed from 20Gi to 10Gi: a claim cannot shrink: set loki\.volumeSize back to 20Gi, or move the data to a new claim: docs\/how-to\/check-a-change\.md#a-refused-claim$/,
    );
  });
  it("names no cause from a value the refusal quotes on the other side, nor from a running value kept unset", () => {
    // The trial's takeover: the running values lack write.persistence.size (the chart's 10Gi ran),
    // the update keeps it unset (null) and the program sets singleBinary's, a target nothing runs,
    // to 10Gi. The claim goes 10Gi -> unset: no stack key changed it from unset to 10Gi.
    const [reason] = reasons(
      "loki",
      [{ write: { replicas: 3 } }, lokiSts("10Gi")],
      [
        {
          write: { replicas: 3, persistence: { size: null } },
          singleBinary: { persistence: { size: "10Gi" } },
        },
        lokiSts(undefined as unknown as string),
      ],
    );
    assert.match(reason, /\(storage: size 10Gi -> unset\)/);
    assert.doesNotMatch(reason, /caused by/);
  });
  it("a raised loki.volumeSize on a StatefulSet: its claim template cannot grow in place", () => {
    const [reason] = reasons(
      "loki",
      [lokiValues("10Gi"), lokiSts("10Gi")],
      [lokiValues("20Gi"), lokiSts("20Gi")],
    );
    assert.match(
      reason,
      /caused by loki\.volumeSize \(Pulumi\.s\.yaml:12\) changed from 10Gi to 20Gi: a claim template cannot grow in place: set loki\.volumeSize back to 10Gi, or grow the claims and let the update recreate the StatefulSet: docs\/how-to\/check-a-change\.md#a-refused-claim/,
    );
  });
  it("a chartValues override of the claim's size is named as the chartValues key, not the stack key it overrides", () => {
    const [reason] = reasons(
      "loki",
      [lokiValues("20Gi"), lokiSts("20Gi")],
      [
        { ...lokiValues("20Gi"), singleBinary: { persistence: { size: "5Gi", storageClass: "local-path" } } },
        lokiSts("5Gi"),
      ],
      { after: ["loki.singleBinary.persistence.size"] },
    );
    // The export had no such override: 20Gi was the program's, so the way back is to remove it.
    assert.match(
      reason,
      /caused by chartValues\.loki\.singleBinary\.persistence\.size \(Pulumi\.s\.yaml:30\) changed from 20Gi to 5Gi: a claim cannot shrink: remove chartValues\.loki\.singleBinary\.persistence\.size \(an override the export did not have: 20Gi is what the program sets without it\), or move the data to a new claim/,
    );
    assert.doesNotMatch(reason, /loki\.volumeSize/);
  });
  it("an override's way back follows what the export records: set back where it had it, either where it records none", () => {
    const change = (before: string[] | null) =>
      reasons(
        "loki",
        [
          {
            ...lokiValues("20Gi"),
            singleBinary: { persistence: { size: "20Gi", storageClass: "local-path" } },
          },
          lokiSts("20Gi"),
        ],
        [
          {
            ...lokiValues("20Gi"),
            singleBinary: { persistence: { size: "5Gi", storageClass: "local-path" } },
          },
          lokiSts("5Gi"),
        ],
        { before, after: ["loki.singleBinary.persistence.size"] },
      )[0];
    assert.match(
      change(["loki.singleBinary.persistence.size"]),
      /a claim cannot shrink: set chartValues\.loki\.singleBinary\.persistence\.size back to 20Gi, or move/,
    );
    // An export without the output: none, or an older version's that never wrote it.
    assert.match(
      change(null),
      /a claim cannot shrink: remove chartValues\.loki\.singleBinary\.persistence\.size where the export had no such override \(20Gi is then what the program sets without it\), else set it back to 20Gi, or move/,
    );
  });
  it("a shrunk chart-rendered claim (chartValues.grafana.persistence.size) names the override", () => {
    const [reason] = reasons(
      "grafana",
      [{ persistence: { size: "10Gi" } }, grafanaPvc("10Gi")],
      [{ persistence: { size: "5Gi" } }, grafanaPvc("5Gi")],
      { after: ["grafana.persistence.size"] },
    );
    assert.match(
      reason,
      /caused by chartValues\.grafana\.persistence\.size \(Pulumi\.s\.yaml:40\) changed from 10Gi to 5Gi: a claim cannot shrink/,
    );
  });
  it("a changed storage class names storageClasses.default, the key that sets it", () => {
    const [reason] = reasons(
      "loki",
      [lokiValues("10Gi", "fast-ssd"), lokiSts("10Gi", "fast-ssd")],
      [lokiValues("10Gi"), lokiSts("10Gi")],
    );
    assert.match(
      reason,
      /caused by storageClasses\.default changed from fast-ssd to local-path: set storageClasses\.default back to fast-ssd, or move the data to a new claim/,
    );
  });
  it("a claim change no stack setting made (the chart's own template) stays as it was", () => {
    const [reason] = reasons(
      "loki",
      [lokiValues("10Gi"), lokiSts("20Gi")],
      [lokiValues("10Gi"), lokiSts("10Gi")],
    );
    assert.doesNotMatch(reason, /caused by/);
  });
});

describe("a refused deletion of a release's object names the chartValues override behind it (trial O6)", () => {
  const at = (key: string) => ({ "chartValues.grafana.persistence.enabled": "Pulumi.staging.yaml:49" })[key];
  /** The refusal reasons of the release's claim gone, with these values and overrides after. */
  const deletion = (after: Record<string, unknown>, overrides: string[]) => {
    const [rb, ra] = [release("grafana", { persistence: { enabled: true } }), release("grafana", after)];
    const report = planChange(
      stackState([stackResource([]), rb], [placed(rb, grafanaPvc("10Gi"))]),
      stackState([stackResource(overrides), ra], []),
      at,
    );
    return report.refused.flatMap((e) => e.refused.map((r) => `${e.subject} ${r.field}: ${r.reason}`));
  };
  it("persistence.enabled: false deletes the claim: the override the update changes, at its line, as what may have caused it", () => {
    assert.deepEqual(deletion({ persistence: { enabled: false } }, ["grafana.persistence.enabled"]), [
      "PersistentVolumeClaim monitoring/grafana metadata.name: Helm deletes the claim with its data (no helm.sh/resource-policy: keep); " +
        "the update also changes the chart values override chartValues.grafana.persistence.enabled (Pulumi.staging.yaml:49) from true to false: " +
        "if it is the cause, set it back (or remove it, where the export had none)",
    ]);
  });
  // No value the refusal quotes ties it to the override: an unrelated one changed beside a chart's
  // own deletion is no cause to set back (review of the O6 fix).
  it("an unrelated override the update changes is named as what may have caused it, never as its cause", () => {
    const [line] = deletion({ persistence: { enabled: true }, adminUser: "b" }, ["grafana.adminUser"]);
    assert.doesNotMatch(line, /caused by/);
    assert.match(
      line,
      /the update also changes the chart values override chartValues\.grafana\.adminUser from unset to b: if it is the cause/,
    );
  });
  it("a deletion no override's change made (the chart's own) names nothing", () => {
    assert.deepEqual(deletion({ persistence: { enabled: true } }, []), [
      "PersistentVolumeClaim monitoring/grafana metadata.name: Helm deletes the claim with its data (no helm.sh/resource-policy: keep)",
    ]);
  });
});

describe("synth --against: the refusal of a claim change names the stack key at its line (audit X2)", function () {
  this.timeout(180000);
  it("a previous export with Loki on another storage class: storageClasses.default at its line in Pulumi.staging.yaml", async () => {
    const dir = tmpDir("claimcause");
    const exp: StackExport = clone((await synth("staging")).export);
    const loki = exp.deployment.resources.find((r) => r.type === RELEASE && r.inputs.chart === "loki")!;
    for (const t of ["singleBinary", "write", "backend"])
      loki.inputs.values[t].persistence = {
        ...loki.inputs.values[t].persistence,
        storageClass: "fast-ssd",
        size: "20Gi",
      };
    const file = path.join(dir, "staging-before.json");
    fs.writeFileSync(file, JSON.stringify(exp));
    const r = await synthCli("--stack", "staging", "--out", dir, "--quiet", "--against", file);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    const line = r.stdout
      .split("\n")
      .find((l) => l.includes("REFUSED StatefulSet monitoring/loki spec.volumeClaimTemplates"));
    assert.ok(line, r.stdout);
    assert.match(
      line,
      /caused by loki\.volumeSize changed from 20Gi to 10Gi: a claim cannot shrink: set loki\.volumeSize back to 20Gi, or move the data to a new claim: docs\/how-to\/check-a-change\.md#a-refused-claim; and by storageClasses\.default \(Pulumi\.staging\.yaml:27\) changed from fast-ssd to local-path: set storageClasses\.default back to fast-ssd/,
    );
  });
});
