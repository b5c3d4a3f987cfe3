import { parse as parseYaml } from "yaml";
import {
  envValues,
  chartPods,
  HELM_HOOK_ANNOTATION,
  runsOnlyAtUninstall,
  isRenderedRelease,
  parseImage as parseImageRef,
  vmOperatorEnvironment,
  vmOperatorEnvOf,
  vmReloaderImage,
  vmReloaderPath,
  vmRegistryImage,
  switchOn,
  type ChartSwitch,
  type OperatorEnv,
} from "@homelab-observability/contract";
import { at, HELM_TYPES, helmOf, perScope, type Res } from "./resources";
import { parseQuantity } from "./quantity";
import {
  DEFAULT_CHARTS,
  type ChartData,
  type ChartImage,
  type ChartNames,
  type ChartWorkload,
} from "./charts";
import { keptPerText } from "./keptPerText";
import {
  isVmPodKind,
  vmDefaultImage,
  vmOperatorBlocks,
  vmPodLayout,
  type VmPodLayout,
} from "./operatorDefaults";

/**
 * Each image reference's parts, kept and shared (frozen: callers only read them). A stack runs few
 * distinct images, yet the budget parses every workload's (heavierChoices, over a pool over budget)
 * and every chart image's fallback (imageFromValues): over the pack benchmark's 10,000 resources
 * the parses were 30 ms of a 1,014 ms profiled run.
 */
export const parseImage = keptPerText((ref: string) => Object.freeze(parseImageRef(ref)));

/** One image a workload runs, with where it was found. */
export interface ImageUse {
  image: string;
  path: string;
  /**
   * The value at `path` as written, where it is no image reference but a map of its parts (an
   * operator's `spec.image` `{repository, tag}`): a message quotes this, not a reference no field holds.
   */
  written?: string;
  /** The container that runs it, by name, where the object says it (a pod template's). */
  container?: string;
}

/**
 * An operator's `{repository, tag}` image map at `path` as the image it names, or undefined
 * without a repository (the operator's default then runs).
 */
function imageMapUse(i: any, path: string): ImageUse | undefined {
  if (!i?.repository) return undefined;
  const fields = [
    `repository: ${JSON.stringify(i.repository)}`,
    ...(i.tag ? [`tag: ${JSON.stringify(String(i.tag))}`] : []),
  ];
  return { image: `${i.repository}${i.tag ? `:${i.tag}` : ""}`, path, written: `{${fields.join(", ")}}` };
}

/**
 * A VictoriaMetrics CR's main image its spec names, as the pod runs it: the operator puts
 * `VM_CONTAINERREGISTRY` before the spec's repository as before its own defaults (operator v0.66.0
 * internal/controller/operator/factory/build/defaults.go:395-398, :454, :487, :551-557;
 * container.go:203-216 formatContainerImage; read, not run).
 */
function vmImageMapUse(i: any, path: string, env: OperatorEnv): ImageUse | undefined {
  const use = imageMapUse(i, path);
  const registry = env.VM_CONTAINERREGISTRY;
  return use && registry
    ? {
        ...use,
        image: vmRegistryImage(use.image, env),
        written: `${use.written} under the operator's VM_CONTAINERREGISTRY ${JSON.stringify(registry)}`,
      }
    : use;
}

/** The operator's default image of a pod's main container where its spec names none (vmDefaultImage), as a use. */
function defaultImageUse(kind: string, spec: any, env: OperatorEnv): ImageUse | undefined {
  const d = vmDefaultImage(kind, spec, env);
  return (
    d && {
      image: d.image,
      path: `(${kind === "vmclusterlb" ? "vmauth" : kind.toLowerCase()} image: ${d.from})`,
    }
  );
}

/** A pod template's scheduling-relevant parts and its resource totals per pod. */
export interface Workload {
  source: Res;
  /** Name for messages (`<resource>/<component>` for charts). */
  name: string;
  /**
   * metadata.name of the workload object, or of the custom resource an operator runs it from, as
   * the cluster will hold it: the object's own, or for an opaque release the name the chart renders
   * (ChartWorkload.object; undefined when the pack does not know it). Sized components
   * (SizedComponent.workload) are matched by it on both paths, live and offline.
   */
  object?: string;
  /** Kind of the object `object` names: the workload's own, or the custom resource's ("VMSingle"). */
  objectKind?: string;
  kind: string;
  replicas: number;
  /** Its pods' labels, where the object says them (a raw pod template): what its own pod anti-affinity selects. */
  podLabels?: Record<string, string>;
  images: ImageUse[];
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
  nodeSelector: Record<string, string>;
  affinity: any;
  tolerations: any[];
  /** Path of the pod spec (or chart values prefix) for messages. */
  path: string;
  /**
   * The value the requests are computed from, when they are not a resources block (a memcached's
   * `allocatedMemory`): what a message tells the user to lower.
   */
  requestsFrom?: string;
  /**
   * The memory the sidecars an operator injects into its pods request (prometheus-operator's
   * config-reloader, {@link injectedSidecars}), counted in `requests`: not what the object's own
   * resources ask, so the budget tells it apart from a request an override set.
   */
  injectedMemory?: number;
  /** Containers and init containers of a raw pod spec, with their paths (none for charts: their env is in values). */
  containers: { spec: any; path: string }[];
  /**
   * A chart value the requests are read from that is not a resources map (`resources: 512Mi`), as
   * `values.<path>`: the chart cannot render it (its schema, or its template's `toYaml`, refuses
   * it), so what the pods would request is not known, and nothing compares it with a size. The
   * render's own error names the key.
   */
  requestsUnread?: string;
  /**
   * For a workload a chart renders, the stack's key of the values prefix its pods' nodeSelector,
   * affinity and tolerations are read from (`chartValues.loki.singleBinary`); unset where the pack
   * does not know it (a raw object the program writes, a chart it does not model).
   */
  schedulingKey?: string;
  /** As {@link schedulingKey}, the stack key of its replica count (`chartValues.loki.singleBinary.replicas`). */
  replicasKey?: string;
  /** As {@link schedulingKey}, the stack keys of its containers' resources blocks. */
  resourcesKeys?: string[];
  /**
   * A Helm hook that runs only while its release is uninstalled (contract runsOnlyAtUninstall): the
   * VictoriaMetrics operator chart's CRD cleanup Job. Its pod must still fit a node when it runs,
   * but it is no pod of the running stack.
   */
  uninstallOnly?: true;
}

/** `chartValues.<chart>.<prefix>`: where a stack file writes a chart's values under `prefix` ("" for the top). */
const chartValuesKey = (chart: string, prefix: string) => `chartValues.${chart}${prefix ? `.${prefix}` : ""}`;

/**
 * {@link Workload.schedulingKey} of an object a release rendered (the pack models the release's
 * chart): the chart workload the chart names as the object is named (ChartWorkload.object, through
 * {@link renderedName}); undefined when none is, or the object came from no release.
 */
export function renderedSchedulingKey(
  w: Workload,
  releaseOf: (urn: string) => Res | undefined,
  charts: Record<string, ChartData> = DEFAULT_CHARTS,
): string | undefined {
  if (w.schedulingKey !== undefined) return w.schedulingKey;
  const found = renderedChartWorkload(w, releaseOf, charts);
  return found ? chartValuesKey(found.chart, found.workload.scheduling!) : undefined;
}

/**
 * The stack keys of a workload's replica count and resources blocks ({@link Workload.replicasKey},
 * {@link Workload.resourcesKeys}): its own when the pack modelled its release, else those of the
 * chart workload an object a release rendered is ({@link renderedSchedulingKey}'s match).
 */
export function renderedValuesKeys(
  w: Workload,
  releaseOf: (urn: string) => Res | undefined,
  charts: Record<string, ChartData> = DEFAULT_CHARTS,
): Pick<Workload, "replicasKey" | "resourcesKeys"> {
  if (w.replicasKey !== undefined || w.resourcesKeys !== undefined)
    return { replicasKey: w.replicasKey, resourcesKeys: w.resourcesKeys };
  const found = renderedChartWorkload(w, releaseOf, charts);
  return found ? chartWorkloadKeys(found.chart, found.workload) : {};
}

/** {@link Workload.replicasKey} and {@link Workload.resourcesKeys} of chart workload `c` of `chart`. */
function chartWorkloadKeys(chart: string, c: ChartWorkload): Pick<Workload, "replicasKey" | "resourcesKeys"> {
  return {
    ...(c.replicas ? { replicasKey: chartValuesKey(chart, c.replicas.path) } : {}),
    ...(c.resources.length > 0 ? { resourcesKeys: c.resources.map((r) => chartValuesKey(chart, r)) } : {}),
  };
}

/** The chart workload (of a chart the pack models) that an object a release rendered is, with its chart. */
function renderedChartWorkload(
  w: Workload,
  releaseOf: (urn: string) => Res | undefined,
  charts: Record<string, ChartData>,
): { chart: string; workload: ChartWorkload } | undefined {
  const parent = w.source.opts?.parent;
  const release = parent === undefined ? undefined : releaseOf(parent);
  const helm = release && helmOf(release);
  const data = helm && charts[helm.chart];
  if (!release || !helm || !data || w.object === undefined) return undefined;
  // Of the object's kind: a chart may give several objects one name (victoria-metrics-k8s-stack's
  // VMSingle, VMAgent and VMAlert are all `vm`), each scheduled under its own prefix. Only those
  // the release renders: the grafana and kube-state-metrics subcharts the program turns off in
  // victoria-metrics-k8s-stack left its operator Deployment one unnamed Deployment among three.
  const scheduled = data.workloads.filter(
    (c) =>
      c.scheduling !== undefined &&
      (c.objectKind ?? c.kind) === w.objectKind &&
      rendersWorkload(c, helm.values),
  );
  const named = scheduled.find(
    (c) => renderedName(data.names, c, release.props.name, helm.values) === w.object,
  );
  // A chart whose names the pack does not model (grafana, kube-state-metrics): the one workload of
  // that kind whose name is unknown, when only one is.
  const unnamed = scheduled.filter((c) => c.object === undefined);
  const cw = named ?? (unnamed.length === 1 ? unnamed[0] : undefined);
  return cw ? { chart: helm.chart, workload: cw } : undefined;
}

/** A Kubernetes quantity as a number; 0 when absent or malformed (counts nothing). */
export function quantity(v: unknown): number {
  return parseQuantity(v) ?? 0;
}

/** An image value from chart values: a string, or {registry, repository, tag}. */
export function imageFromValues(v: any, fallback: string): string | undefined {
  if (typeof v === "string" && v.length > 0) return v;
  if (v && typeof v === "object") {
    const fb = parseImage(fallback);
    const fbRegistry = fb.repository.split("/")[0];
    const repository = v.repository ?? v.image;
    if (!repository && !v.tag && !v.registry) return fallback;
    const repo = repository ?? fb.repository.split("/").slice(1).join("/");
    const registry = v.registry ?? (repo.split("/")[0].includes(".") ? "" : fbRegistry);
    const full = registry ? `${registry}/${repo}` : repo;
    return v.tag ? `${full}:${v.tag}` : full;
  }
  return undefined;
}

/**
 * A chart image as `values` give it, with the tag the chart writes beside a map that names a
 * repository or registry and no tag, where the pack knows that tag (ChartImage.tag).
 */
function chartImageUse(i: ChartImage, values: any): ImageUse {
  const value = at(values, i.path);
  const image = imageFromValues(value, i.default) ?? i.default;
  const path = `values.${i.path}`;
  // A map naming no tag, or none at all: the chart writes its own tag (ChartImage.tag) either way.
  const bare = value === undefined || (typeof value === "object" && value !== null && !value.tag);
  const tag = chartTag(i, values);
  if (!tag || !bare) return { image, path };
  return {
    image: `${image}:${tag}`,
    path,
    written: `${JSON.stringify(image)} (${i.taggedBy ? `tag ${tag}, ${i.taggedBy}` : `the chart writes tag ${tag} beside it`})`,
  };
}

/**
 * The tag a chart writes beside an image map naming none, where the pack knows it (ChartImage.tag):
 * the value at `tagAt` where set, else `tag` with what `tagAdds` adds from the values.
 */
function chartTag(i: ChartImage, values: any): string | undefined {
  if (!i.tag || (i.tagChangedBy ?? []).some((p) => at(values, p))) return undefined;
  const own = i.tagAt ? at(values, i.tagAt) : undefined;
  if (typeof own === "string" && own !== "") return own;
  const adds = i.tagAdds;
  if (!adds) return i.tag;
  const variant = adds.variantAt ? at(values, adds.variantAt) : undefined;
  const licensed = adds.licensedBy.some((p) => at(values, p));
  const named = variant ? `${String(variant)}` : "";
  const extra = licensed ? (named ? `enterprise-${named}` : "enterprise") : named;
  return `${i.tag}${extra ? `-${extra}` : ""}${adds.suffix ?? ""}`;
}

const POD_SPEC_PATHS: Record<string, { spec: string; replicas?: string }> = {
  "kubernetes:apps/v1:Deployment": { spec: "spec.template.spec", replicas: "spec.replicas" },
  "kubernetes:apps/v1:StatefulSet": { spec: "spec.template.spec", replicas: "spec.replicas" },
  "kubernetes:apps/v1:ReplicaSet": { spec: "spec.template.spec", replicas: "spec.replicas" },
  "kubernetes:apps/v1:DaemonSet": { spec: "spec.template.spec" },
  "kubernetes:batch/v1:Job": { spec: "spec.template.spec", replicas: "spec.parallelism" },
  "kubernetes:batch/v1:CronJob": { spec: "spec.jobTemplate.spec.template.spec" },
  "kubernetes:core/v1:Pod": { spec: "spec" },
};

/** Types of raw Kubernetes objects with a pod template (rawWorkloads finds none in any other). */
export const RAW_WORKLOAD_TYPES: ReadonlySet<string> = new Set(Object.keys(POD_SPEC_PATHS));

/** A value a chart's template can read requests and limits from: a map, not text or a list. */
const isResourcesMap = (v: unknown): boolean => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Requests an operator writes into the container it makes from a custom resource (by the
 * workload's objectKind) where `spec.resources` sets none: prometheus-operator v0.93.0 gives an
 * Alertmanager's container a memory request of 200Mi (pkg/alertmanager/statefulset.go:103-108; read,
 * not run), so its pod never reaches the API server without one, whatever the limit.
 */
const OPERATOR_REQUESTS: Readonly<Record<string, { memory: string }>> = {
  Alertmanager: { memory: "200Mi" },
};

/**
 * A container's requests and limits, summed. A request left unset where its limit is set is the
 * limit: the API server gives a Pod's container that request (kubernetes pkg/apis/core/v1/defaults.go
 * SetDefaults_Pod, "If limits are specified, but requests are not, default requests to limits";
 * read at commit 023f88a3, not run), and the scheduler places the pod by it; an operator's own
 * request (`preset`, OPERATOR_REQUESTS) comes before that default.
 */
function sumResources(blocks: any[], preset?: { memory: string }): Pick<Workload, "requests" | "limits"> {
  const out = { requests: { cpu: 0, memory: 0 }, limits: { cpu: 0, memory: 0 } };
  for (const b of blocks) {
    out.requests.cpu += quantity(b?.requests?.cpu ?? b?.limits?.cpu);
    out.requests.memory += quantity(b?.requests?.memory ?? preset?.memory ?? b?.limits?.memory);
    out.limits.cpu += quantity(b?.limits?.cpu);
    out.limits.memory += quantity(b?.limits?.memory);
  }
  return out;
}

/** Workloads of a raw Kubernetes object (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). */
function rawWorkloads(res: Res): Workload[] {
  const paths = POD_SPEC_PATHS[res.type];
  if (!paths) return [];
  const spec = at(res.props, paths.spec) ?? {};
  const containers = [
    ...(spec.containers ?? []).map((c: any, i: number) => ({ c, p: `${paths.spec}.containers[${i}]` })),
  ];
  const inits = (spec.initContainers ?? []).map((c: any, i: number) => ({
    c,
    p: `${paths.spec}.initContainers[${i}]`,
  }));
  const images = [...containers, ...inits]
    .filter(({ c }) => typeof c?.image === "string")
    .map(({ c, p }) => ({
      image: c.image,
      path: `${p}.image`,
      ...(typeof c.name === "string" ? { container: c.name } : {}),
    }));
  const kind = res.type.split(":").pop()!;
  return [
    {
      source: res,
      name: res.props.metadata?.name ?? res.name,
      object: res.props.metadata?.name ?? res.name,
      objectKind: kind,
      kind,
      replicas: kind === "DaemonSet" ? 1 : Number(paths.replicas ? (at(res.props, paths.replicas) ?? 1) : 1),
      podLabels: (paths.spec === "spec"
        ? res.props.metadata
        : at(res.props, paths.spec.replace(/spec$/, "metadata"))
      )?.labels,
      images,
      ...sumResources(containers.map(({ c }) => c.resources)),
      nodeSelector: spec.nodeSelector ?? {},
      affinity: spec.affinity,
      tolerations: spec.tolerations ?? [],
      path: paths.spec,
      containers: [...containers, ...inits].map(({ c, p }) => ({ spec: c, path: p })),
      ...(runsOnlyAtUninstall(res.props.metadata?.annotations?.[HELM_HOOK_ANNOTATION])
        ? { uninstallOnly: true as const }
        : {}),
    },
  ];
}

/**
 * Value keys through which charts add whole containers to a pod: lists of container specs, or a
 * YAML string the chart passes through `tpl` (grafana's `extraContainers`). Loki 6.x has
 * `<component>.extraContainers|initContainers`, grafana `extraContainers|extraInitContainers`, alloy
 * `controller.extraContainers|initContainers`, kube-prometheus-stack `prometheusSpec.containers|
 * initContainers` (see each chart's values.yaml). Their images run on the same node as the rest.
 */
export const EXTRA_CONTAINER_KEYS = [
  "extraContainers",
  "extraInitContainers",
  "initContainers",
  "sidecars",
  "extraSidecars",
  "sidecarContainers",
  "containers",
];

/** Images of containers added under `prefix` (a values object) through the extra-container keys. */
export function extraContainerImages(scope: any, path: string): ImageUse[] {
  if (!scope || typeof scope !== "object") return [];
  const out: ImageUse[] = [];
  for (const key of EXTRA_CONTAINER_KEYS) {
    let list = scope[key];
    if (typeof list === "string" && list.trim() !== "") {
      try {
        // Its warnings unsaid: `parse` prints each with the line it quotes (policy/grafana.ts).
        list = parseYaml(list, { logLevel: "error" });
      } catch {
        // A template that is not YAML before rendering: read image lines.
        list = [...list.matchAll(/image:\s*["']?([^\s"'{}]+)/g)].map((m) => ({ image: m[1] }));
      }
    }
    if (!Array.isArray(list)) continue;
    list.forEach((c: any, i: number) => {
      const image = imageFromValues(c?.image, "");
      if (image) out.push({ image, path: `${path}.${key}[${i}].image` });
    });
  }
  return out;
}

/** Whether a Helm release's objects are judged as rendered resources (offline path; see the contract's RENDERED_KEY). */
export function isRendered(res: Res): boolean {
  return isRenderedRelease(res.props);
}

/**
 * Custom resources from which operators create pods: prometheus-operator's Prometheus and
 * Alertmanager (StatefulSets; `spec.image`, `spec.replicas`, `spec.resources`, scheduling in `spec`),
 * VictoriaMetrics operator's VMSingle, VMAgent, VMAlert, VMAlertmanager, VMAuth (`spec.image.{repository,
 * tag}`, `spec.replicaCount`). The main container only, plus what the stack's operators inject.
 */
const OPERATED: Record<string, { kind: string; replicas: string; image: "string" | "object" }> = {
  "kubernetes:monitoring.coreos.com/v1:Prometheus": {
    kind: "StatefulSet",
    replicas: "spec.replicas",
    image: "string",
  },
  "kubernetes:monitoring.coreos.com/v1:Alertmanager": {
    kind: "StatefulSet",
    replicas: "spec.replicas",
    image: "string",
  },
  "kubernetes:operator.victoriametrics.com/v1beta1:VMSingle": {
    kind: "Deployment",
    replicas: "spec.replicaCount",
    image: "object",
  },
  "kubernetes:operator.victoriametrics.com/v1beta1:VMAgent": {
    kind: "Deployment",
    replicas: "spec.replicaCount",
    image: "object",
  },
  "kubernetes:operator.victoriametrics.com/v1beta1:VMAlert": {
    kind: "Deployment",
    replicas: "spec.replicaCount",
    image: "object",
  },
  "kubernetes:operator.victoriametrics.com/v1beta1:VMAlertmanager": {
    kind: "StatefulSet",
    replicas: "spec.replicaCount",
    image: "object",
  },
  "kubernetes:operator.victoriametrics.com/v1beta1:VMAuth": {
    kind: "Deployment",
    replicas: "spec.replicaCount",
    image: "object",
  },
};

/** A sidecar an operator injects into the pods it creates, from the operator's own flags. */
export interface InjectedSidecar {
  /** Resource types it is injected into. */
  into: string[];
  image: string;
  requests: { cpu: number; memory: number };
  limits: { cpu: number; memory: number };
}

/**
 * Sidecars the stack's operators inject: prometheus-operator's config-reloader, configured by
 * `--prometheus-config-reloader=<image>` and `--config-reloader-{cpu,memory}-{request,limit}`
 * ("0" = none) on the operator's container (prometheus-operator cmd/operator/main.go flags).
 */
export function injectedSidecars(resources: Res[]): InjectedSidecar[] {
  const out: InjectedSidecar[] = [];
  for (const r of resources) {
    for (const w of rawWorkloads(r)) {
      for (const { spec } of w.containers) {
        const args: string[] = Array.isArray(spec?.args) ? spec.args : [];
        const flag = (n: string) => args.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
        const image = flag("prometheus-config-reloader");
        if (!image) continue;
        out.push({
          into: [
            "kubernetes:monitoring.coreos.com/v1:Prometheus",
            "kubernetes:monitoring.coreos.com/v1:Alertmanager",
          ],
          image,
          requests: {
            cpu: quantity(flag("config-reloader-cpu-request")),
            memory: quantity(flag("config-reloader-memory-request")),
          },
          limits: {
            cpu: quantity(flag("config-reloader-cpu-limit")),
            memory: quantity(flag("config-reloader-memory-limit")),
          },
        });
      }
    }
  }
  return out;
}

/**
 * A VMCluster's components, each a workload of its own under its path in the VMCluster's spec
 * (`replicaCount`, `resources`, `image.{repository,tag}`, scheduling), named as the operator names
 * them, `<component>-<CR name>` (victoria-metrics-k8s-stack 0.80.0 addresses `vminsert-<name>`): the
 * three of the cluster, and the load balancer the operator runs while `requestsLoadBalancer.enabled`
 * (operatorDefaults.ts vmPodLayout), from `requestsLoadBalancer.spec`, unset or not.
 */
const VMCLUSTER_TYPE = "kubernetes:operator.victoriametrics.com/v1beta1:VMCluster";
const VMCLUSTER_PARTS = [
  ["vmstorage", "StatefulSet", "vmstorage"],
  ["vminsert", "Deployment", "vminsert"],
  ["vmselect", "StatefulSet", "vmselect"],
  ["vmclusterlb", "Deployment", "requestsLoadBalancer.spec"],
] as const;

const isVmClusterPart = (kind: string) => VMCLUSTER_PARTS.some(([part]) => part === kind);

function vmClusterWorkloads(res: Res, vmEnv: OperatorEnv): Workload[] {
  const name = res.props.metadata?.name ?? res.name;
  const cluster = res.props.spec;
  return VMCLUSTER_PARTS.flatMap(([part, kind, path]) => {
    const holder = path.includes(".") ? at(cluster, path.slice(0, path.lastIndexOf("."))) : undefined;
    const { copies } = vmPodLayout(part, undefined, holder);
    const spec = at(cluster, path) ?? (holder ? {} : undefined);
    if (!spec || copies === 0) return [];
    const image =
      vmImageMapUse(spec.image, `spec.${path}.image`, vmEnv) ?? defaultImageUse(part, spec, vmEnv);
    const own = operatorBlocks(part, spec, vmEnv, cluster?.license ?? null);
    return [
      {
        source: res,
        name: `${part}-${name}`,
        object: `${part}-${name}`,
        objectKind: kind,
        kind,
        replicas: Number(spec.replicaCount ?? 1),
        images: image ? [image] : [],
        ...sumResources(own.blocks),
        ...(own.injected > 0 ? { injectedMemory: own.injected } : {}),
        nodeSelector: spec.nodeSelector ?? {},
        affinity: spec.affinity,
        tolerations: spec.tolerations ?? [],
        path: `spec.${path}`,
        containers: [],
      },
    ];
  });
}

/**
 * The literal environment of the VictoriaMetrics operator's container among `resources` (found by
 * its image), which sets its defaults (operatorDefaults.ts); empty when the stack renders none.
 */
export function vmOperatorEnv(resources: Res[]): OperatorEnv {
  // Only the pod templates' containers whose image can name the operator's repository are handed to
  // the contract's vmOperatorEnvOf, which parses each image: the budget and the arm64 policy ask this
  // of every resource of the stack (10,000 in the pack's benchmark, where building each raw workload
  // and parsing every image for it cost about 15 ms).
  // No pair of lists spread into a new array per resource: over the benchmark's 10,000 resources,
  // nearly none a pod template, those were ~10,000 arrays (and their iterators) per call.
  const candidates: any[] = [];
  for (const r of resources) {
    const paths = POD_SPEC_PATHS[r.type];
    if (!paths) continue;
    const spec = at(r.props, paths.spec);
    for (const c of spec?.containers ?? []) if (isVmOperatorContainer(c)) candidates.push(c);
    for (const c of spec?.initContainers ?? []) if (isVmOperatorContainer(c)) candidates.push(c);
  }
  return vmOperatorEnvOf(candidates);
}
/** The operator's repository without its registry, as every reference to it holds it. */
const VM_OPERATOR_NAME = "victoriametrics/operator";
/** A container whose image can name the VictoriaMetrics operator's repository. */
const isVmOperatorContainer = (c: any): boolean =>
  typeof c?.image === "string" && c.image.includes(VM_OPERATOR_NAME);

/**
 * The resources blocks of an operator-made pod's containers: the spec's own, or for the
 * VictoriaMetrics operator's kinds what it writes (its defaults, its config reloader, its backup
 * sidecar; `license` a VMCluster's for its components, else the spec's own), with the memory the
 * sidecars ask apart (Workload.injectedMemory).
 */
function operatorBlocks(
  kind: string | undefined,
  spec: any,
  vmEnv: OperatorEnv,
  license?: unknown,
): { blocks: unknown[]; injected: number } {
  if (!isVmPodKind(kind)) return { blocks: [spec?.resources], injected: 0 };
  const { main, ...sidecars } = vmOperatorBlocks(kind, spec, vmEnv, license);
  const added = [sidecars.reloader, sidecars.backup].filter((b) => b !== undefined);
  return { blocks: [main, ...added], injected: sumResources(added).requests.memory };
}

function operatedWorkloads(res: Res, sidecars: InjectedSidecar[], vmEnv: OperatorEnv): Workload[] {
  if (res.type === VMCLUSTER_TYPE) return vmClusterWorkloads(res, vmEnv);
  const o = OPERATED[res.type];
  if (!o) return [];
  const spec = res.props.spec ?? {};
  const i = spec.image;
  const image =
    o.image === "string"
      ? typeof i === "string" && i !== ""
        ? { image: i, path: "spec.image" }
        : undefined
      : vmImageMapUse(i, "spec.image", vmEnv);
  const mine = sidecars.filter((s) => s.into.includes(res.type));
  const objectKind = res.type.split(":").pop()!;
  const main = image ?? defaultImageUse(objectKind, spec, vmEnv);
  const layout = vmPodLayout(objectKind, spec);
  const own = operatorBlocks(objectKind, spec, vmEnv);
  const reloader = vmReloaderImage(objectKind, spec, vmEnv);
  const totals = sumResources(own.blocks, OPERATOR_REQUESTS[objectKind]);
  for (const s of mine) {
    totals.requests.cpu += s.requests.cpu;
    totals.requests.memory += s.requests.memory;
    totals.limits.cpu += s.limits.cpu;
    totals.limits.memory += s.limits.memory;
  }
  return [
    {
      source: res,
      name: res.props.metadata?.name ?? res.name,
      object: res.props.metadata?.name ?? res.name,
      objectKind: res.type.split(":").pop(),
      kind: layout.daemonSet ? "DaemonSet" : o.kind,
      replicas: layout.daemonSet ? 1 : Number(at(res.props, o.replicas) ?? 1) * layout.copies,
      images: [
        ...(main ? [main] : []),
        ...mine.map((s) => ({ image: s.image, path: "(config-reloader injected by the operator)" })),
        ...(reloader ? [{ image: reloader.image, path: vmReloaderPath(reloader, "spec") }] : []),
      ],
      ...totals,
      ...(mine.length > 0 || own.injected > 0
        ? { injectedMemory: mine.reduce((n, s) => n + s.requests.memory, own.injected) }
        : {}),
      nodeSelector: spec.nodeSelector ?? {},
      affinity: spec.affinity,
      tolerations: spec.tolerations ?? [],
      path: "spec",
      containers: [],
    },
  ];
}

/**
 * The specs of the operator's custom resources of `kind` ("VMAgent") a resource holds, each with
 * where a message finds it: such a CR's own `spec` (the program's, or one a release rendered
 * offline), else, of a release the pack models whose objects it does not see (a live preview), the
 * spec of each such CR its values render (ChartWorkload.scheduling, the spec's values path).
 */
export function operatorSpecsOf(res: Res, kind: string): { spec: any; path: string }[] {
  if (OPERATED[res.type] && res.type.endsWith(`:${kind}`)) return [{ spec: res.props.spec, path: "spec" }];
  const helm = helmOf(res);
  if (!helm || isRendered(res)) return [];
  return (DEFAULT_CHARTS[helm.chart]?.workloads ?? [])
    .filter((w) => w.objectKind === kind && w.scheduling && rendersWorkload(w, helm.values))
    .map((w) => ({ spec: at(helm.values, w.scheduling!), path: `values.${w.scheduling}` }));
}

/** Sprig's `trunc n | trimSuffix "-"`, as the charts' name helpers end. */
const cut = (s: string, n: number) => {
  const t = s.slice(0, n);
  return t.endsWith("-") ? t.slice(0, -1) : t;
};
/** A non-empty string value; a Go template (the charts pass some names through `tpl`) is not modelled. */
const nameValue = (v: unknown): string | undefined | null =>
  typeof v !== "string" || v === "" ? undefined : v.includes("{{") ? null : v;

/**
 * metadata.name the chart renders for workload `w` of release `release` with `values`, as its
 * name helpers compute it (ChartNames); undefined when the chart's names, the release name or a
 * templated value leave it unknown.
 */
export function renderedName(
  names: ChartNames | undefined,
  w: ChartWorkload,
  release: unknown,
  values: any,
): string | undefined {
  if (!names || !w.object) return undefined;
  const nameOverride = nameValue(at(values, "nameOverride"));
  if (nameOverride === null) return undefined;
  const name =
    nameOverride ??
    (names.nameIf && at(values, names.nameIf.path) === true ? names.nameIf.name : names.chart);
  // The workload's own name keys (the last set one wins), else the chart's overrides (the first).
  const own = [...(w.fullnameFrom ?? [])].reverse().map((p) => nameValue(at(values, p)));
  const chart = names.fullnameOverrides.map((p) => nameValue(at(values, p)));
  let full = [...own, ...chart].find((v) => v !== undefined);
  if (full === null) return undefined;
  if (full === undefined) {
    if (typeof release !== "string" || release === "") return undefined;
    full = release.includes(name) ? release : `${release}-${name}`;
  }
  const template = w.objectIf && at(values, w.objectIf.path) === true ? w.objectIf.object : w.object;
  return template
    .replace("{fullname}", cut(full, names.truncate))
    .replace("{name}", cut(name, names.truncate));
}

/** Whether a chart renders workload `w` with `values`: no on/off switch it has (its own, its part's) is off. */
function rendersWorkload(w: ChartWorkload, values: any): boolean {
  // Each switch as helm reads it (contract switchOn): a template `if` by Go template truth, where a
  // null is the chart's default deleted (Helm's coalesce) and reads as false; a condition by a boolean.
  return [w.enabled, w.partEnabled].every((s) => !s || switchOn(s, at(values, s.path)));
}

const VM_STACK_CHART = "victoria-metrics-k8s-stack";
/**
 * A victoria-metrics-k8s-stack workload's containers as the operator makes them from the CR spec its
 * values hold (the spec is the resources path's parent: `vmsingle.spec`); undefined for one that
 * is no operator's pod (the operator itself, Grafana, kube-state-metrics...).
 */
function vmChartPod(
  w: ChartWorkload,
  values: any,
):
  | {
      blocks: unknown[];
      injected: number;
      reloader?: ImageUse;
      layout: VmPodLayout;
      /** The main container's image as the operator writes it (vmChartImageUse), at its values path. */
      main: { path: string; use: (i: ChartImage) => ImageUse };
    }
  | undefined {
  const kind: string | undefined = w.objectKind ?? w.name;
  const path = w.resources[0];
  if (!isVmPodKind(kind) || path === undefined || !path.endsWith(".resources")) return undefined;
  // The operator subchart writes `env`, then `VM_CONTAINERREGISTRY` from `global.image.registry`
  // (victoria-metrics-operator in victoria-metrics-k8s-stack 0.80.0, templates/server.yaml:59-77):
  // of two variables of one name the later holds. Its version is its image's tag, where values set it.
  const registry = at(values, "global.image.registry");
  const env = vmOperatorEnvironment(
    {
      ...envValues(chartQuotedEnv(at(values, "victoria-metrics-operator.env"))),
      ...(typeof registry === "string" && registry !== "" ? { VM_CONTAINERREGISTRY: registry } : {}),
    },
    String(at(values, "victoria-metrics-operator.image.tag") ?? ""),
  );
  const specPath = path.slice(0, -".resources".length);
  const spec = at(values, specPath) ?? {};
  const reloader = vmReloaderImage(kind, spec, env);
  // What the spec sits in: a VMCluster component's the VMCluster's (`vmcluster.spec.vmstorage`),
  // whose license it takes; the load balancer's its `requestsLoadBalancer`, which turns it on. The
  // chart puts `global.license` into every CR's spec over the spec's own (victoria-metrics-k8s-stack
  // 0.80.0 templates/_helpers.tpl:109-126 vm.license.global, :321-323 the VMCluster's).
  const above = at(values, specPath.slice(0, specPath.lastIndexOf(".")));
  const license = chartLicense(values) ?? (isVmClusterPart(kind) ? (above?.license ?? null) : spec.license);
  return {
    ...operatorBlocks(kind, spec, env, license),
    layout: vmPodLayout(kind, spec, above),
    main: { path: `${specPath}.image`, use: (i) => vmChartImageUse(i, values, kind, env) },
    ...(reloader
      ? { reloader: { image: reloader.image, path: vmReloaderPath(reloader, `values.${specPath}`) } }
      : {}),
  };
}

/**
 * The main image of a CR victoria-metrics-k8s-stack renders from its values, as the operator writes
 * it into the pod: the rendered path's reading (vmImageMapUse, defaultImageUse) of the spec.image
 * the chart writes, which is the values' map over the chart's tag (templates/_helpers.tpl:132-141,
 * :246; chartTag, where no license or variant changes it). The operator puts
 * `VM_CONTAINERREGISTRY` (internal/config/config.go:117) before the spec's repository, or before its
 * own default where the spec names none (build/defaults.go:395-398, :454, :487, :551-557;
 * container.go:203-216 formatContainerImage; operator v0.66.0, read, not run). Its defaults are
 * Docker Hub's repositories written without the registry (config.go:212 vmalert, :240 vmagent, :284
 * vmsingle, :306-338 the VMCluster's parts, :393 vmauth), which the chart data names in full
 * (`docker.io/...`). Without the variable the image is the chart's, as before.
 */
function vmChartImageUse(i: ChartImage, values: any, kind: string, env: OperatorEnv): ImageUse {
  const use = chartImageUse(i, values);
  if (!env.VM_CONTAINERREGISTRY) return use;
  const value = at(values, i.path);
  const written = typeof value === "object" && value !== null ? value : {};
  const tag = written.tag ?? chartTag(i, values);
  const spec = { image: { ...written, ...(tag ? { tag } : {}) } };
  const own = vmImageMapUse(spec.image, use.path, env) ?? defaultImageUse(kind, spec, env);
  if (own) return own;
  const reference = use.image.replace(/^docker\.io\//, "");
  // `reference` is the operator's default repository with the tag the chart writes: said apart.
  const { repository } = parseImage(i.default);
  const map = (t: unknown) => `{tag: ${JSON.stringify(String(t))}}`;
  const given = written.tag ? map(written.tag) : tag ? `unset (the chart writes ${map(tag)})` : "unset";
  return {
    image: vmRegistryImage(reference, env),
    path: use.path,
    written: `${given}, naming no repository (the operator's default ${JSON.stringify(repository.replace(/^docker\.io\//, ""))} runs) under the operator's VM_CONTAINERREGISTRY ${JSON.stringify(env.VM_CONTAINERREGISTRY)}`,
  };
}

/** `global.license` as victoria-metrics-k8s-stack writes it into the CRs (above), undefined unset. */
function chartLicense(values: any): unknown {
  const l = at(values, "global.license");
  return l?.key || l?.keyRef?.name ? l : undefined;
}

/**
 * The operator chart's `env` values as it writes them into the operator's container, `value: {{
 * .value | quote }}` (victoria-metrics-operator 0.63.1 templates/server.yaml:59-63): a YAML boolean
 * or number reaches the operator as text (helm v3.17.3 renders `false` as "false", `300` as "300",
 * `1000000` as "1e+06"). A number is kept only where that text is JavaScript's too (0, and 1e-4 to
 * 1e6 apart); one outside stays unknown, as a `valueFrom` is.
 */
function chartQuotedEnv(env: unknown): unknown {
  if (!Array.isArray(env)) return env;
  const sameText = (n: number) => n === 0 || (Math.abs(n) >= 1e-4 && Math.abs(n) < 1e6);
  return env.map((e) =>
    typeof e?.value === "boolean" || (typeof e?.value === "number" && sameText(e.value))
      ? { ...e, value: String(e.value) }
      : e,
  );
}

/** Workloads a known chart renders from its values (pack data for defaults). */
function chartWorkloads(res: Res, charts: Record<string, ChartData>): Workload[] {
  const helm = helmOf(res);
  if (!helm || isRendered(res)) return [];
  const data = charts[helm.chart];
  if (!data) return [];
  const v = helm.values;
  const out: Workload[] = [];
  for (const w of data.workloads) {
    if (!rendersWorkload(w, v)) continue;
    let kind: string = w.kind;
    if (helm.chart === "alloy")
      kind =
        { daemonset: "DaemonSet", deployment: "Deployment", statefulset: "StatefulSet" }[
          String(at(v, "controller.type") ?? "daemonset")
        ] ?? "DaemonSet";
    if (helm.chart === "vector")
      kind = (at(v, "role") ?? "Aggregator") === "Agent" ? "DaemonSet" : "StatefulSet";
    // The CRs victoria-metrics-k8s-stack renders: what the operator makes of each spec, with the
    // environment the release gives the operator (its subchart's `env`).
    const vm = helm.chart === VM_STACK_CHART ? vmChartPod(w, v) : undefined;
    if (vm?.layout.daemonSet) kind = "DaemonSet";
    const replicas =
      kind === "DaemonSet"
        ? 1
        : (w.replicas
            ? chartPods(
                w.replicas,
                Number(at(v, w.replicas.path) ?? w.replicas.default),
                (path) => at(v, path),
                (s) => switchOn(s, at(v, s.path)),
              )
            : 1) * (vm?.layout.copies ?? 1);
    if (replicas === 0) continue;
    // A container its flag leaves out: neither its resources nor its image are the pods'.
    const leftOut = (only: ChartSwitch | undefined) =>
      only !== undefined && !switchOn(only, at(v, only.path));
    const blocks = w.resources.map((p) => (leftOut(w.resourcesIf?.[p]) ? undefined : at(v, p)));
    const totals = vm ? sumResources(vm.blocks) : sumResources(blocks, OPERATOR_REQUESTS[w.objectKind ?? ""]);
    const unread = w.resources.find((_, i) => blocks[i] != null && !isResourcesMap(blocks[i]));
    let requestsFrom: string | undefined;
    if (w.memcachedAllocatedMemory && !blocks[0]) {
      const mb = at(v, w.memcachedAllocatedMemory.path) ?? w.memcachedAllocatedMemory.default;
      totals.requests.memory += mb * 1.2 * 2 ** 20;
      requestsFrom = `values.${w.memcachedAllocatedMemory.path} (${mb} MB; with values.${w.resources[0]} unset the chart requests 1.2 times it as memory)`;
    }
    const sched = w.scheduling === undefined ? undefined : w.scheduling === "" ? v : at(v, w.scheduling);
    out.push({
      source: res,
      name: `${res.name}/${w.name}`,
      object: renderedName(data.names, w, res.props.name, v),
      objectKind: w.objectKind ?? kind,
      kind,
      replicas,
      images: [
        ...w.images
          .filter((i) => !leftOut(w.imagesIf?.[i.path]))
          .map((i) => (vm?.main.path === i.path ? vm.main.use(i) : chartImageUse(i, v))),
        ...(sched ? extraContainerImages(sched, `values${w.scheduling ? `.${w.scheduling}` : ""}`) : []),
        ...(vm?.reloader ? [vm.reloader] : []),
      ],
      ...totals,
      ...(vm && vm.injected > 0 ? { injectedMemory: vm.injected } : {}),
      ...(requestsFrom ? { requestsFrom } : {}),
      ...(unread !== undefined ? { requestsUnread: `values.${unread}` } : {}),
      nodeSelector: sched?.nodeSelector ?? {},
      affinity: sched?.affinity,
      tolerations: sched?.tolerations ?? [],
      path: `values${w.scheduling ? `.${w.scheduling}` : ""}`,
      ...(w.scheduling !== undefined ? { schedulingKey: chartValuesKey(helm.chart, w.scheduling) } : {}),
      ...chartWorkloadKeys(helm.chart, w),
      containers: [],
      ...(runsOnlyAtUninstall(w.hook) ? { uninstallOnly: true as const } : {}),
    });
  }
  return out;
}

/**
 * Whether a workload is one of the stack's node agents, meant for every node (the log agent,
 * node-exporter, Loki's canary): a DaemonSet, but for a VMAgent's in `daemonSetMode`, which only a
 * `chartValues` override makes, placed where that override puts it (the program gives a VMAgent no
 * toleration of the pools' taints).
 */
export const isNodeAgent = (w: Workload): boolean => w.kind === "DaemonSet" && w.objectKind !== "VMAgent";

/** Every workload a resource deploys: raw pod templates, or what a known chart renders. */
export function workloadsOf(
  res: Res,
  charts: Record<string, ChartData> = DEFAULT_CHARTS,
  sidecars: InjectedSidecar[] = [],
  vmEnv: OperatorEnv = {},
): Workload[] {
  if (POD_SPEC_PATHS[res.type]) return rawWorkloads(res);
  if (OPERATED[res.type] || res.type === VMCLUSTER_TYPE) return operatedWorkloads(res, sidecars, vmEnv);
  return charts === DEFAULT_CHARTS ? defaultChartWorkloads(res) : chartWorkloads(res, charts);
}

/**
 * What the pack's own chart data renders for a release, once per scope: the budget, DaemonSet and
 * arm64 stack policies each ask for every release of the stack. Per resource, not per props alone:
 * a workload names its source, and two resources may be handed the same props. Callers only read
 * the workloads.
 */
const chartWorkloadsOf = perScope(() => new Map<Res, Workload[]>());
function defaultChartWorkloads(res: Res): Workload[] {
  // Only a Helm resource renders any (chartWorkloads): the others' props are not read, not even to
  // key the memo, so a stack policy's resource whose outputs nothing reads is never unwrapped
  // (policy/evaluate.ts StackResource).
  if (!HELM_TYPES.has(res.type)) return [];
  const byRes = chartWorkloadsOf(res);
  let found = byRes.get(res);
  if (!found) byRes.set(res, (found = chartWorkloads(res, DEFAULT_CHARTS)));
  return found;
}

// Whether a pod may land on a pool's nodes: the scheduler's rule, restated once in the contract,
// which the program's config check reads too (config/sizing.ts, the DaemonSets' share of the pools).
export { canLandOn, withWellKnownLabels } from "@homelab-observability/contract";

const VALUES_PATH = { type: "string", minLength: 1 };
/** `{path, default}`: a values path and what the chart assumes when it is unset. */
const pathWithDefault = (def: Record<string, unknown>) => ({
  type: "object",
  required: ["path", "default"],
  additionalProperties: false,
  properties: { path: VALUES_PATH, default: def },
});

/** A ChartImage: its values path and default image, and the tag the chart writes beside a map naming none. */
const IMAGE_PATH = pathWithDefault({ type: "string", minLength: 1 });
/** A ChartSwitch (contract): `{path, default}`, and `condition` for a subchart's `condition:`. */
const BOOLEAN_PATH = pathWithDefault({ type: "boolean" });
const SWITCH_SCHEMA = {
  ...BOOLEAN_PATH,
  properties: {
    ...BOOLEAN_PATH.properties,
    condition: { type: "boolean" },
    boolOnly: { type: "string", minLength: 1 },
  },
};
const CHART_IMAGE_SCHEMA = {
  ...IMAGE_PATH,
  properties: {
    ...IMAGE_PATH.properties,
    tag: { type: "string", minLength: 1 },
    tagChangedBy: { type: "array", items: VALUES_PATH },
    tagAdds: {
      type: "object",
      required: ["licensedBy"],
      additionalProperties: false,
      properties: {
        licensedBy: { type: "array", items: VALUES_PATH },
        variantAt: VALUES_PATH,
        suffix: { type: "string", minLength: 1 },
      },
    },
    tagAt: VALUES_PATH,
    taggedBy: { type: "string", minLength: 1 },
  },
};

/**
 * JSON Schema of one chart's entry in the arm64-images `charts` setting: ChartData
 * (policy/lib/charts.ts), which chartWorkloads reads without checking. The engine validates the pack
 * config against it before any policy runs (as policy:check does, synth/pack.ts), so a malformed
 * entry is refused naming its key instead of crashing the policy. Unknown keys are refused too: a
 * misspelt optional one (`replica`) would otherwise be ignored silently.
 */
export const CHART_DATA_SCHEMA: Record<string, unknown> = {
  type: "object",
  required: ["workloads"],
  additionalProperties: false,
  properties: {
    workloads: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "kind", "resources", "images"],
        additionalProperties: false,
        properties: {
          name: { type: "string", minLength: 1 },
          kind: { enum: ["Deployment", "StatefulSet", "DaemonSet", "Job"] },
          enabled: SWITCH_SCHEMA,
          partEnabled: SWITCH_SCHEMA,
          replicas: (() => {
            // `shards`: the values path of a count of copies of the replicas; `zones`: the switches
            // of a chart's zone-aware StatefulSets and their count (contract ChartReplicas, ChartZones).
            const r = pathWithDefault({ type: "integer", minimum: 0 });
            const zones = {
              type: "object",
              required: ["enabled", "migration", "count"],
              additionalProperties: false,
              properties: {
                enabled: SWITCH_SCHEMA,
                migration: SWITCH_SCHEMA,
                count: { type: "integer", minimum: 1 },
              },
            };
            return { ...r, properties: { ...r.properties, shards: VALUES_PATH, zones } };
          })(),
          resources: { type: "array", items: VALUES_PATH },
          resourcesIf: { type: "object", additionalProperties: SWITCH_SCHEMA },
          imagesIf: { type: "object", additionalProperties: SWITCH_SCHEMA },
          memcachedAllocatedMemory: pathWithDefault({ type: "number", exclusiveMinimum: 0 }),
          images: { type: "array", items: CHART_IMAGE_SCHEMA },
          scheduling: { type: "string" },
          object: { type: "string", minLength: 1 },
          objectKind: { type: "string", minLength: 1 },
          objectIf: {
            type: "object",
            required: ["path", "object"],
            additionalProperties: false,
            properties: { path: VALUES_PATH, object: { type: "string", minLength: 1 } },
          },
          fullnameFrom: { type: "array", items: VALUES_PATH },
          hook: { type: "string", minLength: 1 },
        },
      },
    },
    names: {
      type: "object",
      required: ["chart", "fullnameOverrides", "truncate"],
      additionalProperties: false,
      properties: {
        chart: { type: "string", minLength: 1 },
        nameIf: {
          type: "object",
          required: ["path", "name"],
          additionalProperties: false,
          properties: { path: VALUES_PATH, name: { type: "string", minLength: 1 } },
        },
        fullnameOverrides: { type: "array", items: VALUES_PATH },
        truncate: { type: "integer", minimum: 1 },
      },
    },
  },
};
