import { strict as assert } from "assert";
import { check, fails, passes, res, stackInfo } from "../support/policyCases";
import { PROMETHEUS_PVC } from "../../model/storage";
import { PROMETHEUS_VOLUME_RESOURCE } from "../../plan/plan";
import { synth } from "../support/helpers";

const P = "production-data-protected";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";

/**
 * docs/how-to/move-between-phases.md: "To delete it instead, set prometheus.cleanupVolumeOnRemoval:
 * true one update before moving to kps-removed". In production that update lifts the claim's
 * protect (plan/metrics.ts), which the change check says as a WARNING, not a refusal: the pack must
 * not refuse the same update, or the documented way to delete the claim is closed in production.
 */
describe("policy (production data): the Prometheus claim prometheus.cleanupVolumeOnRemoval releases", () => {
  it("production at backend-primary with cleanupVolumeOnRemoval: the unprotected claim is not refused", async function () {
    this.timeout(240000);
    const prometheus = { retention: "14d", volumeSize: "70Gi", cleanupVolumeOnRemoval: true };
    const rs = (await synth("production", { phase: "backend-primary", prometheus })).export.deployment
      .resources;
    const claim = rs.find((r) => r.type === PVC && r.inputs?.metadata?.name === PROMETHEUS_PVC);
    assert.ok(claim, "the stack still has the Prometheus claim at backend-primary");
    assert.notEqual(claim.protect, true, "the claim is unprotected, so the next update may delete it");
    await passes(rs, P);
  });

  it("production with cleanupVolumeOnRemoval at kps-removed (the claim deleted): still passes", async function () {
    this.timeout(240000);
    const prometheus = { retention: "14d", volumeSize: "70Gi", cleanupVolumeOnRemoval: true };
    const rs = (await synth("production", { phase: "kps-removed", prometheus })).export.deployment.resources;
    assert.ok(!rs.some((r) => r.type === PVC && r.inputs?.metadata?.name === PROMETHEUS_PVC));
    await passes(rs, P);
  });

  const claim = (name: string) =>
    res(PVC, { metadata: { name: PROMETHEUS_PVC, namespace: "monitoring" } }, { name });
  const pools = [{ name: "node", arch: "amd64" }];

  it("an unprotected claim the stack-info does not release still fails", () =>
    fails(
      [stackInfo(pools, true), claim(PROMETHEUS_VOLUME_RESOURCE)],
      P,
      /PersistentVolumeClaim.*not protected/,
    ));

  it("the release names one resource: another unprotected claim still fails", async () => {
    const info = stackInfo(pools, true);
    const data = info.inputs?.data;
    assert.ok(data);
    data.unprotected = JSON.stringify({ [PROMETHEUS_VOLUME_RESOURCE]: "prometheus.cleanupVolumeOnRemoval" });
    const v = await check([info, claim(PROMETHEUS_VOLUME_RESOURCE), claim("other-claim")], P);
    assert.deepEqual(
      v.map((x) => x.urn?.split("::").pop()),
      ["other-claim"],
      v.map((x) => x.message).join("\n"),
    );
  });
});
