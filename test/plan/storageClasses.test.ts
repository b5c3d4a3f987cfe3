/**
 * `storageClasses.default` is the class of every claim the program asks for ("StorageClass for
 * ordinary PVCs"; the metrics TSDBs' take `storageClasses.metrics`, which falls back to it): a claim
 * without a class waits for a cluster default class that may not exist, and stays Pending. Walked
 * over everything the stacks render, whatever holds the claim: a PersistentVolumeClaim, a
 * StatefulSet's volumeClaimTemplates, an operator's claim template (Prometheus, Alertmanager,
 * VMAgent, VMAlertmanager) or claim (VMSingle, VMCluster's vmstorage). The stacks as their files
 * set the classes (each sets `storageClasses.default`, pi `storageClasses.metrics` too): the same
 * renders other tests read, so no Helm run of their own on a cold cache.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as yaml from "js-yaml";
import { changeAgainst } from "../../change/against";
import { ignoredChangeVerdicts } from "../../change/ignoredChanges";
import { ROOT, synth } from "../support/helpers";
import {
  MIMIR_READ_WRITE_VARIANT,
  rendered,
  stackFileVariants,
  VM_CLUSTER_VARIANT,
  type Variant,
} from "../support/rendered";

/** Every claim spec in `o` (a map with accessModes and a storage request), by its path. */
function claimSpecs(o: unknown, at: string, out: [string, any][] = []): [string, any][] {
  if (Array.isArray(o)) o.forEach((x, i) => claimSpecs(x, `${at}[${i}]`, out));
  else if (o && typeof o === "object") {
    const m = o as Record<string, any>;
    if (Array.isArray(m.accessModes) && m.resources?.requests?.storage !== undefined) out.push([at, m]);
    for (const [k, v] of Object.entries(m)) claimSpecs(v, `${at}.${k}`, out);
  }
  return out;
}

describe("storageClasses.default: the class of every claim the program asks for", function () {
  this.timeout(300_000);

  const variants: Variant[] = [
    ...stackFileVariants().filter((v) => ["staging", "production", "pi"].includes(v.stack)),
    MIMIR_READ_WRITE_VARIANT,
    VM_CLUSTER_VARIANT,
  ];

  /** The classes a variant's stack file sets (`storageClasses`), by key. */
  const classesOf = (v: Variant): Record<string, string> => {
    const file = yaml.load(fs.readFileSync(path.join(ROOT, `Pulumi.${v.stack}.yaml`), "utf8")) as {
      config: Record<string, unknown>;
    };
    return file.config["homelab-observability:storageClasses"] as Record<string, string>;
  };

  for (const v of variants)
    it(`${v.title}: every claim and claim template takes a class the stack file sets`, async () => {
      const classes = classesOf(v);
      assert.ok(classes.default, `Pulumi.${v.stack}.yaml sets storageClasses.default`);
      const r = await rendered(v);
      const claims = r.objects.flatMap((o) =>
        claimSpecs(o.object, `${o.object.kind} ${o.object.metadata?.name ?? ""}`),
      );
      assert.ok(claims.length > 0, v.title);
      // Without storageClasses.metrics, every claim takes the default; with it, the TSDBs' take it.
      const allowed = new Set(Object.values(classes));
      const other = claims.filter(([, spec]) => !allowed.has(spec.storageClassName));
      assert.deepEqual(
        other.map(([at, spec]) => `${at}: ${String(spec.storageClassName)}`),
        [],
      );
      if (classes.metrics === undefined)
        assert.deepEqual([...new Set(claims.map(([, spec]) => spec.storageClassName))], [classes.default]);
    });

  it("staging: the standalone Alertmanager's claim template is among them", async () => {
    const staging = variants.find((v) => v.title === "staging")!;
    const r = await rendered(staging);
    const set = r.objects.find(
      (o) => o.object.kind === "StatefulSet" && o.object.metadata.name === "alertmanager",
    );
    assert.equal(set?.object.spec.volumeClaimTemplates[0].spec.storageClassName, classesOf(staging).default);
  });

  it("an Alertmanager created without a class keeps its claim template: the update passes the change check", async () => {
    // The running Alertmanager's release values as an earlier program set them: no class. The API
    // server refuses any change to its StatefulSet's volumeClaimTemplates, so the engine keeps
    // the values' class as it was (ignoreChanges) and Helm renders the template unchanged.
    const now = await synth("staging");
    const previous = structuredClone(now.export);
    const am = previous.deployment.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs?.chart === "alertmanager",
    );
    assert.ok(am);
    assert.equal(am.inputs.values.persistence.storageClass, "local-path");
    delete am.inputs.values.persistence.storageClass;
    const change = await changeAgainst(previous, now);
    assert.deepEqual(
      change.entries.filter((e) => /alertmanager/.test(e.subject)),
      [],
    );
    // Nothing is refused, and the change check says the new class does not reach the running claim.
    assert.deepEqual(
      ignoredChangeVerdicts(previous, now).map((v) => v.line),
      [
        'WARNING Release::alertmanager values.persistence.storageClass: the stack now asks "local-path", and the update keeps none, which it runs with: the program ignores this input on update (ignoreChanges), so the new value applies only where the resource is created anew',
      ],
    );
    // The same class where it runs already: nothing to say.
    assert.deepEqual(ignoredChangeVerdicts(now.export, now), []);
  });

  it("the takeover's import ignores are no warning: the update after the import applies what it kept", async () => {
    const now = await synth("takeover");
    const previous = structuredClone(now.export);
    const releases = previous.deployment.resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
    assert.ok(releases.length > 0 && Object.keys(now.ignoreChanges ?? {}).length > 0);
    for (const r of releases) r.inputs = { ...r.inputs, values: { other: true }, version: "0.0.1" };
    assert.deepEqual(ignoredChangeVerdicts(previous, now), []);
  });
});
