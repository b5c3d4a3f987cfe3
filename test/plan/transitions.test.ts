import { strict as assert } from "assert";
import { PHASES, type Phase } from "../../config/resolve";
import type { ExportResource } from "../../synth/synthesize";
import { dataBearing, PRODUCTION_DEFAULTS } from "../../policy/production";
import { datasourcesIn } from "../../policy/grafana";
import { synth } from "../support/helpers";

const short = (urn: string) => urn.split("::").slice(2).join("::").replace(/^.*\$/, "");
const asRes = (r: ExportResource) => ({
  type: r.type,
  urn: r.urn,
  name: r.urn.split("::").pop()!,
  props: r.inputs,
});

/** Resources whose loss loses data: buckets, claims, data-owning releases, StatefulSets with volumes. */
function holdsData(r: ExportResource): boolean {
  if (dataBearing(asRes(r), PRODUCTION_DEFAULTS.dataBearingCharts)) return true;
  return (
    r.type === "kubernetes:apps/v1:StatefulSet" && (r.inputs.spec?.volumeClaimTemplates ?? []).length > 0
  );
}
/**
 * What identifies stored data: changing any of it replaces the resource. A StatefulSet has no
 * spec.storageClassName: the pulumi-kubernetes provider's force-new table for StatefulSets
 * (`var statefulSet = properties{...}`) lists spec.selector, spec.serviceName,
 * spec.podManagementPolicy and spec.volumeClaimTemplates, so those are what it compares.
 */
const identity = (r: ExportResource) =>
  JSON.stringify([
    r.inputs.bucket,
    r.inputs.metadata?.name,
    r.inputs.metadata?.namespace,
    r.inputs.spec?.storageClassName,
    r.inputs.spec?.bucketName,
    r.inputs.chart,
    r.inputs.name,
    ...(r.type === "kubernetes:apps/v1:StatefulSet"
      ? [
          r.inputs.spec?.selector,
          r.inputs.spec?.serviceName,
          r.inputs.spec?.podManagementPolicy,
          r.inputs.spec?.volumeClaimTemplates,
        ]
      : []),
  ]);

interface Variant {
  title: string;
  stack: string;
  over: Record<string, unknown>;
  /** Expected [created, deleted] per forward step (phase i -> i+1), by `type::name`. */
  forward: [string[], string[]][];
}

const mimirObjects = [
  "minio:index/s3Bucket:S3Bucket::objectstore-staging-mimir-blocks",
  "minio:index/s3Bucket:S3Bucket::objectstore-staging-mimir-ruler",
  "minio:index/s3Bucket:S3Bucket::objectstore-staging-mimir-alertmanager",
  "random:index/randomPassword:RandomPassword::objectstore-mimir-secret-key",
  "minio:index/iamUser:IamUser::objectstore-mimir-user",
  "minio:index/iamPolicy:IamPolicy::objectstore-mimir-policy",
  "minio:index/iamUserPolicyAttachment:IamUserPolicyAttachment::objectstore-mimir-policy-attachment",
  "kubernetes:core/v1:Secret::objectstore-mimir-credentials",
  "homelab:metrics:Mimir::mimir",
  "kubernetes:core/v1:ConfigMap::mimir-config",
  "kubernetes:core/v1:Service::mimir",
  "kubernetes:core/v1:Service::mimir-gossip",
  "kubernetes:apps/v1:StatefulSet::mimir",
  "kubernetes:monitoring.coreos.com/v1:ServiceMonitor::mimir-servicemonitor",
];
// node-exporter is a standalone release in every phase (KPS's own is off: both bind host port 9100,
// see rendered.test.ts); only kube-state-metrics is handed over when KPS goes.
const exporters = ["kubernetes:helm.sh/v3:Release::exporters-kube-state-metrics"];
const kps = [
  "homelab:metrics:KubePrometheusStack::kube-prometheus-stack",
  "kubernetes:helm.sh/v3:Release::kube-prometheus-stack",
];

/** ServiceMonitor through which Prometheus scrapes a VictoriaMetrics component until kps-removed. */
const vmServiceMonitor = (c: string) =>
  `kubernetes:monitoring.coreos.com/v1:ServiceMonitor::victoriametrics-${c}-servicemonitor`;

/** The NetworkPolicy guarding one group of pods (plan/network.ts), which comes and goes with it. */
const np = (group: string) =>
  `kubernetes:networking.k8s.io/v1:NetworkPolicy::network-policies-monitoring-${group}`;
/** KPS's pods' policies, gone with KPS. */
const kpsPolicies = [np("kps-prometheus"), np("kube-prometheus-stack")];

const VARIANTS: Variant[] = [
  {
    title: "Mimir",
    stack: "staging",
    over: {},
    forward: [
      [[...mimirObjects, np("mimir")], []],
      [
        [
          "homelab:alerting:Alertmanager::alertmanager",
          "kubernetes:helm.sh/v3:Release::alertmanager",
          np("alertmanager"),
        ],
        [np("kps-alertmanager")],
      ],
      [
        [...exporters, np("kube-state-metrics")],
        [...kps, ...kpsPolicies],
      ],
    ],
  },
  {
    title: "VictoriaMetrics",
    stack: "staging",
    over: { metricsBackend: "victoriametrics" },
    forward: [
      [
        [
          "homelab:metrics:VictoriaMetrics::victoriametrics",
          "kubernetes:helm.sh/v3:Release::victoriametrics",
          vmServiceMonitor("vmsingle"),
          np("vmsingle"),
          np("victoria-metrics-operator"),
          // VictoriaMetrics' own dashboards come with vmsingle.
          "kubernetes:core/v1:ConfigMap::grafana-dashboards-victoriametrics",
        ],
        [],
      ],
      [
        [
          vmServiceMonitor("vmalert"),
          vmServiceMonitor("vmalertmanager"),
          np("vmalert"),
          np("vmalertmanager"),
        ],
        [np("kps-alertmanager")],
      ],
      // vmagent scrapes the VM components itself once Prometheus is gone.
      [
        [...exporters, np("kube-state-metrics"), np("vmagent")],
        [...kps, ...kpsPolicies, ...["vmsingle", "vmalert", "vmalertmanager"].map(vmServiceMonitor)],
      ],
    ],
  },
];

describe("phase transitions lose no data", function () {
  this.timeout(120000);
  for (const v of VARIANTS) {
    describe(v.title, () => {
      const snaps = new Map<Phase, Map<string, ExportResource>>();
      before(async () => {
        for (const phase of PHASES) {
          const rs = (await synth(v.stack, { ...v.over, phase })).export.deployment.resources;
          snaps.set(phase, new Map(rs.map((r) => [r.urn, r])));
        }
      });
      for (let i = 0; i < PHASES.length - 1; i++) {
        for (const dir of ["forward", "back"] as const) {
          const [from, to] = dir === "forward" ? [PHASES[i], PHASES[i + 1]] : [PHASES[i + 1], PHASES[i]];
          it(`${from} -> ${to}`, () => {
            const a = snaps.get(from)!;
            const b = snaps.get(to)!;
            const created = [...b.keys()]
              .filter((k) => !a.has(k))
              .map(short)
              .sort();
            const deleted = [...a.keys()]
              .filter((k) => !b.has(k))
              .map(short)
              .sort();
            const [fwdCreated, fwdDeleted] = v.forward[i];
            const [expCreated, expDeleted] =
              dir === "forward" ? [fwdCreated, fwdDeleted] : [fwdDeleted, fwdCreated];
            assert.deepEqual(created, [...expCreated].sort(), "created");
            assert.deepEqual(deleted, [...expDeleted].sort(), "deleted");
            // Data-bearing resources leaving the program are orphaned, never deleted.
            for (const urn of [...a.keys()].filter((k) => !b.has(k))) {
              const r = a.get(urn)!;
              if (!holdsData(r)) continue;
              const keeps =
                r.retainOnDelete === true ||
                r.inputs.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Retain";
              assert.ok(keeps, `${short(urn)} holds data and would be deleted`);
            }
            // ...and those on both sides keep their identity (no replacement).
            for (const [urn, r] of a)
              if (b.has(urn) && holdsData(r))
                assert.equal(identity(b.get(urn)!), identity(r), `${short(urn)} would be replaced`);
            // Grafana has exactly one default on both sides.
            for (const side of [a, b]) {
              const defaults = [...side.values()]
                .flatMap((r) => datasourcesIn(asRes(r)))
                .filter((d) => d.isDefault);
              assert.equal(defaults.length, 1);
            }
          });
        }
      }
      it("keeps the Prometheus volume (protected in production) through KPS removal", () => {
        const pvc = [...snaps.get("kps-removed")!.values()].find(
          (r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim",
        );
        assert.ok(pvc, "the claim is still in the program");
        assert.equal(pvc.retainOnDelete, true);
        assert.equal(pvc.inputs.metadata.name, "prometheus-db-prometheus-kps-prometheus-0");
      });
    });
  }

  it("deletes the Prometheus volume at kps-removed only when the stack asks for cleanup", async () => {
    const before = (
      await synth("staging", { phase: "backend-primary", prometheus: { cleanupVolumeOnRemoval: true } })
    ).export.deployment.resources;
    const after = (
      await synth("staging", { phase: "kps-removed", prometheus: { cleanupVolumeOnRemoval: true } })
    ).export.deployment.resources;
    const pvc = before.find((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim")!;
    assert.equal(pvc.retainOnDelete, undefined, "with cleanup requested the claim may be deleted");
    assert.ok(!after.some((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim"));
  });

  it("a fresh install at kps-removed (the example stack) has no Prometheus claim; staging, which ran KPS, keeps its", async () => {
    const claims = async (stack: string) =>
      (await synth(stack)).export.deployment.resources
        .filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim")
        .map((r) => r.inputs.metadata.name as string)
        .filter((n) => n.includes("prometheus-kps-prometheus"));
    assert.deepEqual(await claims("example"), []);
    assert.deepEqual(await claims("staging"), ["prometheus-db-prometheus-kps-prometheus-0"]);
  });

  it("production keeps buckets, CRDs and the Prometheus volume protected", async () => {
    const rs = (await synth("production")).export.deployment.resources;
    for (const r of rs.filter((x) => holdsData(x) && x.type !== "kubernetes:apps/v1:StatefulSet"))
      assert.equal(r.protect, true, `${short(r.urn)} is protected`);
  });
});
