import { strict as assert } from "assert";
import { planChange } from "../../change/change";
import { claimSpec } from "../../builders/core/claim";
import { PROMETHEUS_PVC, PROMETHEUS_VOLUME_TYPE } from "../../model/storage";
import type { ExportResource } from "../../synth/synthesize";
import { stackState } from "../support/changeStates";
import { synth } from "../support/helpers";

const URN = "urn:pulumi:production::homelab-observability::";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
/** The Prometheus claim as components/metrics/prometheusVolume.ts writes it in production. */
const claim = (name = "prometheus-volume", parent = PROMETHEUS_VOLUME_TYPE): ExportResource => ({
  urn: `${URN}${parent}$${PVC}::${name}`,
  custom: true,
  type: PVC,
  protect: true,
  retainOnDelete: true,
  inputs: {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: PROMETHEUS_PVC, namespace: "monitoring" },
    spec: claimSpec("local-path", "70Gi"),
  },
  outputs: {},
});
const at = (key: string) => (key === "prometheus.keepVolume" ? "Pulumi.production.yaml:55" : undefined);

describe("change check: the protected Prometheus claim leaving the stack at kps-removed", () => {
  it("names prometheus.keepVolume (at its line) to keep it and cleanupVolumeOnRemoval to delete it, before the unprotect command", () => {
    const report = planChange(stackState([claim()]), stackState([]), at);
    const refused = report.refused.flatMap((e) => e.refused);
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.equal(refused[0].field, "protect");
    assert.match(
      refused[0].reason,
      /^a protected resource cannot be deleted; the stack no longer plans the Prometheus claim, which holds its history: to keep it in the stack, set prometheus\.keepVolume \(Pulumi\.production\.yaml:55\): true; to delete it with its data, set prometheus\.cleanupVolumeOnRemoval: true in an update before this one .*; once unprotected, the update drops it from the stack .*first run: pulumi state unprotect --stack production '[^']+::prometheus-volume'$/,
    );
  });

  it("cleanupVolumeOnRemoval set in the update that removes the claim: says the update keeps it, and that setting it now changes nothing", () => {
    // The new state plans the deletion (plan/metrics.ts plannedChanges), but the claim leaves the
    // stack with the previous update's protect and retainOnDelete: the engine keeps it.
    const stack: ExportResource = {
      urn: `${URN}pulumi:pulumi:Stack::homelab-observability-production`,
      custom: false,
      type: "pulumi:pulumi:Stack",
      inputs: {},
      outputs: {
        plannedChanges: {
          "prometheus-volume":
            "prometheus.cleanupVolumeOnRemoval: the claim is deleted with its data, not kept",
        },
      },
    };
    const place = (key: string) =>
      key === "prometheus.cleanupVolumeOnRemoval" ? "Pulumi.production.yaml:56" : at(key);
    const [entry] = planChange(stackState([claim()]), stackState([stack]), place).entries;
    assert.deepEqual(entry.why, [
      "drops it from the stack and keeps PersistentVolumeClaim monitoring/prometheus-db-prometheus-kps-prometheus-0 and the data it holds (retainOnDelete)",
      "planned: prometheus.cleanupVolumeOnRemoval: the claim is deleted with its data, not kept; not by this update: the previous state retains it on delete, and a setting that lifts that reaches it only in an update that still has it in the stack, so this update keeps it",
    ]);
    assert.match(
      entry.refused[0].reason,
      /set prometheus\.cleanupVolumeOnRemoval: true in an update before this one, while the claim is still in the stack \(set in this update, as now at Pulumi\.production\.yaml:56, it changes nothing: the claim leaves the stack with the protection and retention the previous update gave it\) \(docs\/how-to\/move-between-phases\.md\); once unprotected,/,
    );
  });

  it("another protected claim gets no Prometheus keys", () => {
    const report = planChange(stackState([claim("grafana", "homelab:grafana:Grafana")]), stackState([]), at);
    assert.doesNotMatch(report.refused[0].refused[0].reason, /keepVolume/);
  });

  // The claim as the program itself exports it, not as a fixture spells its URN: a renamed
  // component type token must still lead the refusal to prometheus.keepVolume.
  it("finds the claim the program exports (staging keeps it) and names prometheus.keepVolume for it", async function () {
    this.timeout(240000);
    const exported = (await synth("staging")).export.deployment.resources.find(
      (r) => r.type === PVC && r.inputs?.metadata?.name === PROMETHEUS_PVC,
    );
    assert.ok(exported, "staging exports the Prometheus claim (prometheus.keepVolume)");
    const report = planChange(stackState([{ ...exported, protect: true }]), stackState([]), at);
    assert.match(
      report.refused[0].refused[0].reason,
      /set prometheus\.keepVolume \(Pulumi\.production\.yaml:55\): true/,
    );
  });
});
