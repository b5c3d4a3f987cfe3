import { strict as assert } from "assert";
import type { ExportResource } from "../../synth/synthesize";
import { allVariants, assertRendered, renderAll, type RenderedStack } from "../support/rendered";

/**
 * What a release's deletion takes with it, judged on what real Helm renders from the pinned charts.
 *
 * - A StatefulSet's claims go with it only through `persistentVolumeClaimRetentionPolicy` Delete
 *   (Kubernetes' default, when the field is absent, is Retain for both whenDeleted and whenScaled).
 *   loki 6.49.0 renders Delete for singleBinary (from `singleBinary.persistence.whenDeleted|
 *   whenScaled`) and hard-coded Delete for read/write/backend (templates/{single-binary,read,write,
 *   backend}/statefulset*.yaml) whenever `<target>.persistence.enableStatefulSetAutoDeletePVC` is on
 *   (default true for singleBinary, read and backend). Decision: off in every stack, production or
 *   not: the claims hold every log (filesystem object store) or the WAL and compactor
 *   state (S3, every stack file today), a retained claim costs only its disk and is reattached by name on reinstall.
 * - A PersistentVolumeClaim that a chart renders itself (grafana's `persistence`) is Helm's to
 *   delete on uninstall: in production its release is protected, as the buckets are; a
 *   non-production stack stays destroyable (its Grafana database is provisioned from code).
 */
function releaseOf(r: RenderedStack, chart: string): ExportResource | undefined {
  return r.synth.export.deployment.resources.find(
    (x) => x.type === "kubernetes:helm.sh/v3:Release" && x.inputs.chart === chart,
  );
}

function production(r: RenderedStack): boolean {
  const info = r.objects.find((o) => o.object.metadata?.labels?.["homelab.dev/stack-info"] === "true");
  assert.ok(info, `${r.title}: the stack-info ConfigMap is rendered`);
  return info.object.data.production === "true";
}

describe("data volumes survive a release's deletion (every stack file and phase x backend, real Helm)", function () {
  this.timeout(600000);
  const variants = allVariants();
  let all: RenderedStack[];
  before(async () => {
    all = await renderAll(variants);
  });

  for (const v of variants) {
    it(`${v.title}: no rendered StatefulSet deletes its claims; releases rendering a PVC are protected exactly in production`, () => {
      const r = all.find((x) => x.title === v.title)!;
      assertRendered(r);
      const claimed = r.objects.filter(
        (o) => o.object.kind === "StatefulSet" && (o.object.spec?.volumeClaimTemplates ?? []).length > 0,
      );
      assert.ok(
        claimed.some((o) => o.release?.chart === "loki"),
        `${v.title}: Loki runs a StatefulSet with claims`,
      );
      for (const o of claimed) {
        const policy = o.object.spec.persistentVolumeClaimRetentionPolicy ?? {};
        for (const when of ["whenDeleted", "whenScaled"])
          assert.notEqual(
            policy[when] ?? "Retain",
            "Delete",
            `${v.title}: StatefulSet ${o.object.metadata.name} (${o.release?.chart ?? "raw"}) ${when}: Delete`,
          );
      }
      const prod = production(r);
      const pvcReleases = new Set(
        r.objects
          .filter((o) => o.release && o.object.kind === "PersistentVolumeClaim")
          .map((o) => o.resourceUrn),
      );
      assert.ok(
        [...pvcReleases].some((u) => u === releaseOf(r, "grafana")?.urn),
        "Grafana's chart renders its PVC",
      );
      for (const urn of pvcReleases) {
        const res = r.synth.export.deployment.resources.find((x) => x.urn === urn)!;
        assert.equal(res.protect === true, prod, `${v.title}: ${urn} protect (production: ${prod})`);
      }
      assert.equal(releaseOf(r, "loki")?.protect === true, prod, `${v.title}: loki release protect`);
    });
  }
});
