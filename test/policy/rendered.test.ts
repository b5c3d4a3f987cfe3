import { strict as assert } from "assert";
import { evaluateResources, failed, type ExportedResource } from "../../policy/evaluate";
import { renderExport } from "../../synth/render/render";
import type { ReleaseRender } from "../../synth/render/types";
import type { StackExport } from "../../synth/synthesize";
import { rendered, stackFileVariants, variant } from "../support/rendered";

/**
 * The pack over what real Helm renders from the pinned charts (synth/render/), in the shape a
 * v4 Chart gives policies: each release replaced by its rendered objects as children. This is how
 * the pack sees raw Kubernetes objects it did not write itself.
 */
function asRenderedChildren(exp: StackExport, renders: ReleaseRender[]): ExportedResource[] {
  const byUrn = new Map(renders.map((r) => [r.resourceUrn, r]));
  const out: ExportedResource[] = [];
  for (const r of exp.deployment.resources as ExportedResource[]) {
    const render = byUrn.get(r.urn);
    if (!render) {
      out.push(r);
      continue;
    }
    // The release becomes a component without inputs; its objects are its children.
    out.push({ ...r, type: "kubernetes:helm.sh/v4:Chart", custom: false, inputs: {}, outputs: {} });
    render.objects.forEach((o, i) => {
      const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["core", o.apiVersion];
      const type = `kubernetes:${group}/${version}:${o.kind}`;
      out.push({
        urn: `${r.urn}$${type}::${render.releaseName}-${o.metadata.name}-${i}`,
        type,
        custom: true,
        parent: r.urn,
        protect: r.protect,
        inputs: o,
        outputs: o,
      });
    });
  }
  return out;
}

const MANDATORY_ON_LOKI = ["loki-retention-needs-delete-store", "loki-shared-store-removed"];

describe("policy over objects real Helm renders: every stack file and two phase x backend variants", function () {
  this.timeout(600000);
  for (const v of [
    ...stackFileVariants(),
    variant("production", "dual-write", "mimir"),
    variant("staging", "kps-removed", "victoriametrics"),
  ])
    it(`${v.title}: no mandatory violation when every release is judged by its rendered objects`, async () => {
      const r = await rendered(v);
      const resources = asRenderedChildren(r.synth.export, r.renders);
      const found = await evaluateResources(resources);
      assert.equal(failed(found), false, found.map((x) => `${x.policy}: ${x.message}`).join("\n"));
    });
});

describe("policy over objects real Helm renders (staging, loki-fixed, mimir)", function () {
  this.timeout(600000);
  let exp: StackExport;
  let renders: ReleaseRender[];
  before(async () => {
    const r = await rendered(variant("staging", "loki-fixed", "mimir"));
    exp = r.synth.export;
    renders = r.renders;
  });

  it("passes: no mandatory violation when every release is judged by its rendered objects", async () => {
    const resources = asRenderedChildren(exp, renders);
    assert.ok(resources.some((r) => r.parent && r.type === "kubernetes:apps/v1:StatefulSet"));
    const v = await evaluateResources(resources);
    assert.equal(failed(v), false, v.map((x) => `${x.policy}: ${x.message}`).join("\n"));
  });

  it("fails: Loki's rendered config without delete_request_store, and with a leftover shared_store", async () => {
    const broken = JSON.parse(JSON.stringify(exp)) as StackExport;
    const loki = broken.deployment.resources.find(
      (r: any) => r.type === "kubernetes:helm.sh/v3:Release" && r.inputs?.chart === "loki",
    ) as any;
    assert.ok(loki, "staging has a loki release");
    delete loki.inputs.values.loki.compactor.delete_request_store;
    loki.inputs.values.loki.compactor.shared_store = "s3";
    const lokiRenders = await renderExport({
      ...broken,
      deployment: { ...broken.deployment, resources: [loki] },
    });
    assert.equal(lokiRenders[0].error, undefined, lokiRenders[0].error);
    const resources = asRenderedChildren(broken, lokiRenders);
    const v = (await evaluateResources(resources)).filter((x) => MANDATORY_ON_LOKI.includes(x.policy));
    const cm = /kubernetes:core\/v1:(ConfigMap|Secret) .*config\.yaml"\]: compactor/;
    assert.ok(
      v.some((x) => x.policy === "loki-retention-needs-delete-store" && cm.test(x.message)),
      v.map((x) => x.message).join("\n"),
    );
    assert.ok(
      v.some((x) => x.policy === "loki-shared-store-removed" && cm.test(x.message)),
      v.map((x) => x.message).join("\n"),
    );
  });
});

describe("policy over objects real Helm renders: a tainted pool beside an untainted one (staging)", function () {
  this.timeout(600000);
  it("Loki's canary DaemonSet tolerates the pool's taint, so node-agents-on-every-pool passes", async () => {
    const r = await rendered({
      title: "staging with a tainted pi pool",
      stack: "staging",
      over: {
        nodePools: [
          { name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "32Gi" },
          {
            name: "pi",
            arch: "arm64",
            count: 1,
            cpu: "4",
            memory: "8Gi",
            taints: [{ key: "dedicated", effect: "NoSchedule" }],
          },
        ],
      },
    });
    const canary = r.objects.find(
      (o) => o.object.kind === "DaemonSet" && o.object.metadata.name === "loki-canary",
    );
    assert.ok(canary, "staging runs Loki's canary");
    assert.deepEqual(canary.object.spec.template.spec.tolerations, [
      { key: "dedicated", operator: "Exists", effect: "NoSchedule" },
    ]);
    const v = (await evaluateResources(asRenderedChildren(r.synth.export, r.renders))).filter(
      (x) => x.policy === "node-agents-on-every-pool",
    );
    assert.deepEqual(
      v.map((x) => x.message),
      [],
    );
  });
});
