/**
 * The pack's chart model names each modelled workload as the chart renders it (policy/lib/charts.ts
 * `object`, `objectKind`; workloads.ts renderedName), checked against the real Helm and the pinned
 * charts: over every stack file and sized variant, and over releases renamed or overridden the ways
 * the charts' name helpers allow. This is what lets the budget find a sized component (the
 * stack-info ConfigMap's `sized`) in a live `pulumi preview`, where a Release is opaque.
 */
import { strict as assert } from "assert";
import { SIZED_OBJECT_KINDS, decodeStackInfo } from "@homelab-observability/contract";
import type { ExportResource } from "../../synth/synthesize";
import { renderExport } from "../../synth/render/render";
import { withRenderedObjects } from "../../synth/render/objects";
import { injectedSidecars, workloadsOf, type Workload } from "../../policy/lib/workloads";
import { asRes } from "../support/helpers";
import {
  MIMIR_READ_WRITE_VARIANT,
  rendered,
  stackFileVariants,
  VM_CLUSTER_VARIANT,
  workloadVariants,
  type RenderedStack,
} from "../support/rendered";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const key = (w: Workload) => `${w.objectKind} ${w.object}`;

/** The chart model's workloads of a release that name what they render, by kind and name. */
function modelled(release: ExportResource): Map<string, Workload> {
  const [res] = asRes([release]);
  return new Map(
    workloadsOf(res)
      .filter((w) => w.object !== undefined)
      .map((w) => [key(w), w]),
  );
}

/** What the release's rendered objects run, by kind and name, and the sidecars its operator injects. */
function renderedWorkloads(resources: ExportResource[], release: ExportResource): Map<string, Workload> {
  const all = asRes(resources);
  const sidecars = injectedSidecars(all);
  const mine = asRes(resources.filter((r) => r.parent === release.urn));
  return new Map(mine.flatMap((r) => workloadsOf(r, undefined, sidecars)).map((w) => [key(w), w]));
}

/** Memory the operator adds to a rendered Prometheus (its config-reloader), which values do not say. */
const injected = (resources: ExportResource[], w: Workload) =>
  injectedSidecars(asRes(resources))
    .filter((s) => s.into.includes(w.source.type))
    .reduce((n, s) => ({ requests: n.requests + s.requests.memory, limits: n.limits + s.limits.memory }), {
      requests: 0,
      limits: 0,
    });

/** Every modelled workload of every release is a rendered one of that kind and name, with its memory. */
function assertModelMatchesRender(resources: ExportResource[], offline: ExportResource[], title: string) {
  let n = 0;
  for (const release of resources.filter((r) => r.custom && r.type === RELEASE)) {
    const objects = renderedWorkloads(offline, release);
    for (const [k, m] of modelled(release)) {
      const o = objects.get(k);
      assert.ok(
        o,
        `${title}: ${release.inputs.name} (${release.inputs.chart}): the model's ${k} is not rendered; rendered: ${[...objects.keys()].join(", ")}`,
      );
      const extra = injected(offline, o);
      assert.equal(o.requests.memory - extra.requests, m.requests.memory, `${title}: ${k} memory request`);
      assert.equal(o.limits.memory - extra.limits, m.limits.memory, `${title}: ${k} memory limit`);
      n++;
    }
  }
  return n;
}

describe("policy (budget): the chart model names workloads as the pinned charts render them", function () {
  this.timeout(600000);
  const variants = [
    ...stackFileVariants(),
    ...workloadVariants(),
    VM_CLUSTER_VARIANT,
    MIMIR_READ_WRITE_VARIANT,
  ];
  for (const v of variants)
    it(`${v.title}: every sized component is found live (releases opaque) as offline, with the same memory`, async () => {
      const r = await rendered(v);
      const live = r.synth.export.deployment.resources;
      const offline = withRenderedObjects(live, r.renders);
      assert.ok(assertModelMatchesRender(live, offline, v.title) > 0, "some modelled workload is named");
      const info = live.find((x) => x.inputs?.metadata?.labels?.["homelab.dev/stack-info"] === "true")!;
      const sized = decodeStackInfo(info.inputs.data).sized ?? [];
      assert.ok(sized.length > 0, `${v.title} sizes components`);
      const byName = (rs: ExportResource[]) => {
        const all = asRes(rs);
        const sidecars = injectedSidecars(all);
        const found = new Map<string, Workload[]>();
        for (const res of all)
          for (const w of workloadsOf(res, undefined, sidecars))
            if (w.object !== undefined && SIZED_OBJECT_KINDS.includes(w.objectKind ?? ""))
              found.set(w.object, [...(found.get(w.object) ?? []), w]);
        return found;
      };
      const [onLive, onOffline] = [byName(live), byName(offline)];
      for (const c of sized) {
        // Unique by name among the kinds a sized component may name (contract SIZED_OBJECT_KINDS).
        assert.equal(onLive.get(c.workload)?.length, 1, `${v.title}: ${c.workload} live`);
        assert.equal(onOffline.get(c.workload)?.length, 1, `${v.title}: ${c.workload} offline`);
        const [l, o] = [onLive.get(c.workload)![0], onOffline.get(c.workload)![0]];
        assert.equal(l.objectKind, o.objectKind, c.workload);
        const extra = injected(offline, o);
        assert.equal(l.requests.memory, o.requests.memory - extra.requests, `${c.workload} request`);
        assert.equal(l.limits.memory, o.limits.memory - extra.limits, `${c.workload} limit`);
        assert.ok(l.requests.memory >= c.requestBytes && l.limits.memory >= c.memoryBytes, c.workload);
      }
    });

  /** A release of a synthesized stack, renamed or overridden, alone in an export. */
  const reworked = (
    r: RenderedStack,
    chart: string,
    name: string,
    values: (v: any) => void,
  ): ExportResource[] => {
    const base = r.synth.export.deployment.resources.find(
      (x) => x.type === RELEASE && x.inputs.chart === chart,
    )!;
    const copy: ExportResource = structuredClone(base);
    copy.urn = `${base.urn}-${name}`;
    copy.inputs.name = name;
    values(copy.inputs.values);
    copy.outputs = copy.inputs;
    return [copy];
  };
  const CASES: [string, () => Promise<ExportResource[]>, string[]][] = [
    [
      "loki SimpleScalable released as `logs`: its targets keep the chart's name, the gateway takes the release's",
      async () =>
        reworked(
          await rendered(stackFileVariants().find((s) => s.stack === "production")!),
          "loki",
          "logs",
          () => {},
        ),
      [
        "StatefulSet loki-write",
        "Deployment loki-read",
        "StatefulSet loki-backend",
        "Deployment logs-loki-gateway",
      ],
    ],
    [
      "loki SingleBinary with nameOverride `journal`",
      async () =>
        reworked(await rendered(stackFileVariants().find((s) => s.stack === "pi")!), "loki", "loki", (v) => {
          v.nameOverride = "journal";
        }),
      ["StatefulSet loki-journal"],
    ],
    [
      "kube-prometheus-stack released as `monitoring-stack`: the fullname cut to 26 characters",
      async () =>
        reworked(
          await rendered(stackFileVariants().find((s) => s.stack === "production")!),
          "kube-prometheus-stack",
          "monitoring-stack",
          (v) => {
            delete v.fullnameOverride;
          },
        ),
      [
        "Prometheus monitoring-stack-kube-prom-prometheus",
        "Alertmanager monitoring-stack-kube-prom-alertmanager",
      ],
    ],
    [
      "kube-prometheus-stack with cleanPrometheusOperatorObjectNames",
      async () =>
        reworked(
          await rendered(stackFileVariants().find((s) => s.stack === "production")!),
          "kube-prometheus-stack",
          "kube-prometheus-stack",
          (v) => {
            v.cleanPrometheusOperatorObjectNames = true;
          },
        ),
      ["Prometheus kps", "Alertmanager kps"],
    ],
    [
      "victoria-metrics-k8s-stack released as `metrics`, vmsingle.spec.name `single`",
      async () =>
        reworked(
          await rendered(stackFileVariants().find((s) => s.stack === "pi")!),
          "victoria-metrics-k8s-stack",
          "metrics",
          (v) => {
            delete v.fullnameOverride;
            v.vmsingle.spec.name = "single";
          },
        ),
      [
        "VMSingle single",
        "VMAgent metrics-victoria-metrics-k8s-stack",
        "VMAlert metrics-victoria-metrics-k8s-stack",
      ],
    ],
    [
      "a VMCluster with vmcluster.name `cluster`",
      async () =>
        reworked(await rendered(VM_CLUSTER_VARIANT), "victoria-metrics-k8s-stack", "vm", (v) => {
          v.vmcluster.name = "cluster";
        }),
      ["StatefulSet vmstorage-cluster", "Deployment vminsert-cluster", "StatefulSet vmselect-cluster"],
    ],
  ];
  for (const [title, make, expected] of CASES)
    it(`${title}: the model names what Helm renders`, async () => {
      const resources = await make();
      const renders = await renderExport({
        version: 3,
        deployment: { manifest: { time: "", magic: "", version: "" }, resources },
      });
      assert.deepEqual(
        renders.map((x) => x.error),
        [undefined],
      );
      const offline = withRenderedObjects(resources, renders);
      assertModelMatchesRender(resources, offline, title);
      const names = [...modelled(resources[0]).keys()];
      for (const e of expected) assert.ok(names.includes(e), `${e} among ${names.join(", ")}`);
    });
});
