import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { dump, load as loadYaml } from "js-yaml";
import { checkChange } from "../../change/check";
import { ROOT, stackOverrides, synth, tmpDir, withSyntheses } from "../support/helpers";
import { writeSeed000Running } from "../support/runningSeed000";
import { refusedLines } from "../support/changeStates";

/*
 * Issue 51 for the taken-over Prometheus claim (takeover.prometheusVolume) at `--running`: a claim
 * that runs with another class than the stack's, or larger than prometheus.volumeSize, fails the
 * import step's `pulumi up` (the engine refuses the replacement; the API server refuses a claim
 * shrinking). Each is refused once, at the import step, naming what runs, what the program sets,
 * the stack key behind it at its line and the value to set; the update step's preview and its
 * object-by-object entry say where it is refused instead of refusing it again. The shrink, an
 * in-place update the provider does not replace, was not refused at all.
 */

/** The seed's takeover checked with one running object's spec changed (`report`: pvcs.yaml, statefulsets.yaml). */
async function takeoverWith(report: string, name: string, change: (spec: Record<string, any>) => void) {
  const dir = tmpDir("audit18-running");
  await writeSeed000Running(dir);
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
      spec.volumeClaimTemplates[0].spec.resources.requests.storage = "77Gi";
      spec.selector.matchLabels.tier = "old";
    });
    const sts = refusedLines(check.text).filter((l) =>
      l.includes("REFUSED StatefulSet monitoring/loki-write"),
    );
    assert.equal(sts.length, 2, check.text);
    assert.match(
      sts[0],
      new RegExp(
        `spec\\.volumeClaimTemplates: differs from the running StatefulSet's \\(${dir}/statefulsets\\.yaml\\): data: size 77Gi -> 10Gi; updates to statefulset spec`,
      ),
    );
    assert.match(
      sts[1],
      /spec\.selector: .*it runs with \{"matchLabels":\{.*"tier":"old"\}\}, the update sets \{"matchLabels":\{[^}]*"app.kubernetes.io\/name":"loki"\}\}/,
    );
  });
});
