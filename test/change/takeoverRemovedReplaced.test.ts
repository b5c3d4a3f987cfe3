import { strict as assert } from "assert";
import { planChange, type StackState } from "../../change/change";
import { foldTakeoverRemoved } from "../../change/takeoverRemoved";
import { RELEASE_TYPE, RELEASES } from "../../model/names";
import type { RenderedObject } from "../../synth/render/types";

/**
 * The takeover block's fold (change/takeoverRemoved.ts) says each rename it folds without the
 * rename's own way out (a chart value to set back): the block put back is the way out. It takes
 * what the rename is as the refusal gives it, so a workload replaced by several, whose refusal
 * ends in other advice than a one-to-one rename's, loses that advice too.
 */
describe("change check: the takeover block's fold of a workload replaced by several (--against)", () => {
  const URN = `urn:pulumi:s::homelab-observability::${RELEASE_TYPE}::${RELEASES.kubePrometheusStack}`;
  const chart = {
    name: RELEASES.kubePrometheusStack,
    namespace: "monitoring",
    chart: "kube-prometheus-stack",
  };
  /** The release, with the fullname the takeover block kept or the program's own, and the claim. */
  const state = (fullname: string, claim: string, objects: RenderedObject[]): StackState => ({
    export: {
      version: 3,
      deployment: {
        manifest: {},
        resources: [
          // The Prometheus claim the block named (takeover.prometheusVolume) and the program's own.
          {
            urn: "urn:pulumi:s::homelab-observability::kubernetes:core/v1:PersistentVolumeClaim::prometheus-volume",
            custom: true,
            type: "kubernetes:core/v1:PersistentVolumeClaim",
            inputs: { metadata: { name: claim, namespace: "monitoring" }, spec: {} },
            outputs: {},
          },
          {
            urn: URN,
            custom: true,
            type: RELEASE_TYPE,
            inputs: { ...chart, version: "1.0.0", values: { fullnameOverride: fullname } },
            outputs: {},
          },
        ],
      },
    } as any,
    objects: objects.map((object) => ({
      object,
      resourceUrn: URN,
      release: { ...chart, version: "1.0.0", source: "" },
    })),
  });
  const claimed = (kind: string, name: string): RenderedObject => ({
    apiVersion: kind === "StatefulSet" ? "apps/v1" : "monitoring.coreos.com/v1",
    kind,
    metadata: { name, namespace: "monitoring" },
    spec:
      kind === "StatefulSet"
        ? { volumeClaimTemplates: [{ metadata: { name: "data" }, spec: {} }] }
        : { storage: { volumeClaimTemplate: { spec: {} } } },
  });

  it("folds a StatefulSet replaced by two without the advice to set back a chart value", () => {
    const kept = RELEASES.kubePrometheusStack;
    const before = state(kept, "prometheus-db-kept", [
      claimed("Prometheus", `${kept}-prometheus`),
      claimed("StatefulSet", `${kept}-store`),
    ]);
    const after = state(RELEASES.kps, "prometheus-db", [
      claimed("Prometheus", `${RELEASES.kps}-prometheus`),
      claimed("StatefulSet", `${RELEASES.kps}-zone-a`),
      claimed("StatefulSet", `${RELEASES.kps}-zone-b`),
    ]);
    const report = planChange(before, after);
    // The control: unfolded, the replacement says its own advice.
    const split = report.entries.find((e) => e.subject === `StatefulSet monitoring/${kept}-store`);
    assert.match(split?.refused[0]?.reason ?? "", /^replaced by .*; keep it \(set back the chart value/);
    const { verdicts, report: folded } = foldTakeoverRemoved(
      before.export,
      after.export,
      [],
      report,
      "Pulumi.x.yaml",
    );
    assert.equal(verdicts.length, 1, verdicts.map((v) => v.line).join("\n"));
    const [line] = verdicts.map((v) => v.line);
    assert.ok(
      line.includes(
        "refused at 3 places: PersistentVolumeClaim::prometheus-volume metadata.name: the replacement deletes the object that holds the data and creates an empty one; " +
          `Prometheus monitoring/${kept}-prometheus metadata.name: renamed to Prometheus monitoring/${RELEASES.kps}-prometheus: its claims stay behind, unused, and the new one starts empty; ` +
          `StatefulSet monitoring/${kept}-store metadata.name: replaced by StatefulSet monitoring/${RELEASES.kps}-zone-a and StatefulSet monitoring/${RELEASES.kps}-zone-b: its claims stay behind, unused, and the new ones start empty. `,
      ),
      line,
    );
    assert.doesNotMatch(line, /set back the chart value|keep the old name|keep it \(/);
    assert.equal(folded.refused.length, 0, JSON.stringify(folded.refused));
  });
});
