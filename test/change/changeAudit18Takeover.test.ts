import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { dump, load as loadYaml } from "js-yaml";
import { checkChange } from "../../change/check";
import { RELEASE_TYPE } from "../../model/names";
import { updateChange } from "../../change/takeover";
import { SEED000_FLUX_VALUES, writeSeed000Running } from "../support/runningSeed000";
import type { RunningState } from "../../model/running";
import type { SynthResult } from "../../synth/synthesize";
import { ROOT, stackOverrides, synth, withSyntheses } from "../support/helpers";
import { refusedLines } from "../support/changeStates";
import { stableDir } from "../support/stableDir";

/*
 * Issue 51 for the taken-over Prometheus claim (takeover.prometheusVolume) at `--running`: a claim
 * that runs with another class than the stack's, or larger than prometheus.volumeSize, fails the
 * import step's `pulumi up` (the engine refuses the replacement; the API server refuses a claim
 * shrinking). Each is refused once, at the import step, naming what runs, what the program sets,
 * the stack key behind it at its line and the value to set; the update step's preview and its
 * object-by-object entry say where it is refused instead of refusing it again. The shrink, an
 * in-place update the provider does not replace, was not refused at all.
 */

/** The running folders takeoverWith has made: each call's is the next. */
let runningDirs = 0;

/**
 * The seed's takeover checked with one running object's spec changed (`report`: pvcs.yaml,
 * statefulsets.yaml), and the loki release's running values changed by `lokiValues`.
 */
async function takeoverWith(
  report: string,
  name: string,
  change: (spec: Record<string, any>) => void,
  lokiValues?: (values: Record<string, any>) => void,
) {
  // At the same path in every run (stableDir), one folder per call: the stack file read with
  // `running: <dir>` is kept by the fixture cache keyed by that path (helpers.ts storedConfigRead),
  // so a new temporary folder each run read and checked the takeover stack again for each of the 4
  // calls (the file alone, warm, CPU incl. children, 3 runs each alternating: 3.90/3.98/3.74 ->
  // 3.83/3.79/3.73 s).
  const dir = stableDir(`audit18-running-${++runningDirs}`);
  await writeSeed000Running(dir);
  if (lokiValues) {
    const valuesFile = path.join(dir, "monitoring.loki.values.yaml");
    const values = loadYaml(fs.readFileSync(valuesFile, "utf8")) as Record<string, any>;
    lokiValues(values);
    fs.writeFileSync(valuesFile, dump(values, { noRefs: true }));
  }
  const file = path.join(dir, report);
  const doc = loadYaml(fs.readFileSync(file, "utf8")) as { items: any[] };
  const item = doc.items.find((p) => p.metadata.name.startsWith(name));
  assert.ok(item, `the seed runs ${name}`);
  change(item.spec);
  fs.writeFileSync(file, dump(doc, { noRefs: true }));
  const block = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8")).config[
    "homelab-observability:takeover"
  ];
  const over = { takeover: { ...block, running: dir } };
  const r = await synth("takeover", over);
  return {
    dir,
    check: await withSyntheses(() =>
      checkChange(ROOT, "takeover", r, { running: dir, overrides: stackOverrides(over) }),
    ),
  };
}
const takeoverWithClaim = (change: (spec: Record<string, any>) => void) =>
  takeoverWith("pvcs.yaml", "prometheus-", change);

describe("change check --running: the taken-over Prometheus claim refused once, at the import step, with its key (change/takeover.ts)", function () {
  this.timeout(300000);

  it("a running claim larger than prometheus.volumeSize: the shrink is refused, naming both sizes and the key's line", async () => {
    const { dir, check } = await takeoverWithClaim((spec) => (spec.resources.requests.storage = "900Gi"));
    const pvc = refusedLines(check.text).filter((l) => l.includes("REFUSED PersistentVolumeClaim"));
    assert.deepEqual(
      pvc,
      [
        `     REFUSED PersistentVolumeClaim::prometheus-volume spec.resources.requests.storage: storage shrinks from 900Gi to 70Gi; the API server refuses it: "spec.resources.requests.storage: Forbidden: field can not be less than previous value" (kubernetes pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate); it runs with 900Gi (${dir}/pvcs.yaml), the program sets 70Gi from prometheus.volumeSize (Pulumi.takeover.yaml:44): set prometheus.volumeSize to 900Gi (the running claim's; a claim only grows)`,
      ],
      check.text,
    );
    assert.match(
      check.text,
      /^ {2}~ update +PersistentVolumeClaim::prometheus-volume: .*\(refused at the import step above\)$/m,
    );
    assert.equal(check.refused, refusedLines(check.text).length, check.text);
    assert.equal(check.code, 1);
  });

  it("a running claim of another class: one refusal (not one per step and per engine rule), naming the class key to set", async () => {
    const { dir, check } = await takeoverWithClaim((spec) => (spec.storageClassName = "other"));
    const pvc = refusedLines(check.text).filter((l) => l.includes("REFUSED PersistentVolumeClaim"));
    assert.deepEqual(
      pvc,
      [
        `     REFUSED PersistentVolumeClaim::prometheus-volume spec.storageClassName: the diff after import replaces it, which the engine refuses for a resource still imported or protected (pulumi/pulumi step_generator.go), and a replacement would start it empty; it runs with other (${dir}/pvcs.yaml), the program sets openebs-hostpath from storageClasses.default (Pulumi.takeover.yaml:33): set storageClasses.metrics to other (the running claim's)`,
      ],
      check.text,
    );
    assert.match(
      check.text,
      /^\+- replace PersistentVolumeClaim::prometheus-volume \(prometheus-volume\): \(refused at the import step above\)/m,
    );
    assert.equal(check.refused, refusedLines(check.text).length, check.text);
    assert.equal(check.why, `${check.refused} refused (above)`);
  });

  it("a running StatefulSet's claim template or selector the update would change: says what runs and what the update sets", async () => {
    const { dir, check } = await takeoverWith("statefulsets.yaml", "loki-write", (spec) => {
      spec.volumeClaimTemplates[0].spec.accessModes = ["ReadWriteMany"];
      spec.selector.matchLabels.tier = "old";
    });
    const sts = refusedLines(check.text).filter((l) =>
      l.includes("REFUSED StatefulSet monitoring/loki-write"),
    );
    assert.equal(sts.length, 2, check.text);
    assert.match(
      sts[0],
      new RegExp(
        `spec\\.volumeClaimTemplates: differs from the running StatefulSet's \\(${dir}/statefulsets\\.yaml\\): data: accessModes \\["ReadWriteMany"\\] -> \\["ReadWriteOnce"\\]; updates to statefulset spec`,
      ),
    );
    assert.match(
      sts[1],
      /spec\.selector: .*it runs with \{"matchLabels":\{.*"tier":"old"\}\}, the update sets \{"matchLabels":\{[^}]*"app.kubernetes.io\/name":"loki"\}\}/,
    );
  });
});

describe("change check --running: a running StatefulSet's claim templates as they run, each refusal once (change/takeover.ts)", function () {
  this.timeout(300000);

  it("keeps the size each running StatefulSet's claim template requests, whatever the values file says of it", async () => {
    // The values file (not collected with --all) lacks every persistence key, and loki-write runs
    // 77Gi where the chart's default is 10Gi: the update renders both sizes as they run, neither
    // an unset size nor a claim template change.
    const { check } = await takeoverWith(
      "statefulsets.yaml",
      "loki-write",
      (spec) => {
        spec.volumeClaimTemplates[0].spec.resources.requests.storage = "77Gi";
      },
      (values) => {
        for (const target of ["write", "backend", "read"]) delete values[target]?.persistence;
      },
    );
    assert.deepEqual(
      refusedLines(check.text).filter((l) => l.includes("volumeClaimTemplates")),
      [],
      check.text,
    );
    assert.doesNotMatch(check.text, /loki\.volumeSize/);
  });

  it("one stack key's claim change at two running StatefulSets is one refusal: the running StatefulSets' check does not say the merged one again", async () => {
    // What runs: Loki SimpleScalable with 10Gi claims; the update sets 20Gi at write and backend
    // (loki.volumeSize changed, as no takeover keeps it). The change merges the two refusals into
    // one, on loki-backend; comparing with statefulsets.yaml finds loki-write's claim template too.
    const { chart, version, values } = SEED000_FLUX_VALUES.loki;
    const sized = (size: string) => ({
      ...values,
      write: { ...values.write, persistence: { size } },
      backend: { ...values.backend, persistence: { size } },
    });
    const urn =
      "urn:pulumi:takeover::homelab-observability::homelab:logging:Loki$kubernetes:helm.sh/v3:Release::loki";
    const update = {
      export: {
        version: 3,
        deployment: {
          resources: [
            {
              urn,
              type: RELEASE_TYPE,
              custom: true,
              inputs: { chart, name: "loki", namespace: "monitoring", version, values: sized("20Gi") },
              outputs: {},
            },
          ],
        },
      },
      imports: [{ urn, type: RELEASE_TYPE, id: "monitoring/loki" }],
      reads: [],
      outputs: {},
      secretDataKeys: {},
      warnings: [],
    } as unknown as SynthResult;
    const sts = (name: string) => ({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name, namespace: "monitoring", labels: { "app.kubernetes.io/instance": "loki" } },
      spec: {
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
          },
        ],
      },
    });
    const running: RunningState = {
      dir: "/running",
      releases: [{ name: "loki", namespace: "monitoring", chart, version, values: sized("10Gi") }],
      statefulSets: [sts("loki-write"), sts("loki-backend")],
      pvcs: [],
    };
    const report = await updateChange(update, running, {
      at: (k) => (k === "loki.volumeSize" ? "Pulumi.takeover.yaml:33" : undefined),
    });
    const claims = report.refused.flatMap((e) =>
      e.refused
        .filter((r) => r.field === "spec.volumeClaimTemplates")
        .map((r) => `${e.subject}: ${r.reason}`),
    );
    assert.equal(claims.length, 1, claims.join("\n"));
    assert.match(
      claims[0],
      /^StatefulSet monitoring\/loki-backend: .*the same change is refused at StatefulSet monitoring\/loki-write spec\.volumeClaimTemplates: .*caused by loki\.volumeSize \(Pulumi\.takeover\.yaml:33\) changed from 10Gi to 20Gi: /,
    );
  });
});
