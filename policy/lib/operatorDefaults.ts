/**
 * What the VictoriaMetrics operator writes into the pods it makes from a custom resource, beyond the
 * resource's own `resources`: its default requests and limits, and its config-reloader sidecar. The
 * pack sums a pod's requests from them (workloads.ts); without them a VMSingle whose `resources` an
 * override removed was counted at 0Mi where the operator asks 500Mi, and every VMAgent, VMAlert and
 * VMAlertmanager pod 25Mi short (its reloader).
 *
 * Read, not run, in VictoriaMetrics/operator at v0.66.0, the operator the program runs
 * (upstream/operators/victoriaMetrics.ts VM_OPERATOR_VERSION; the pack imports no program module):
 * - Defaults per kind: internal/config/config.go, VMAlertDefault :211-231, VMAgentDefault :239-259,
 *   VMSingleDefault :283-301, VMClusterDefault :303-352 (vmselect :305-319, vmstorage :320-336,
 *   vminsert :337-351), VMAlertManager :354-373, VMAuthDefault :392-412 (a VMAuth's,
 *   build/defaults.go:178-194 addVMAuthDefaults; its Deployment's main container,
 *   factory/vmauth/vmauth.go:164-183, :354). Each is read from the operator's environment first,
 *   `VM_` then the struct prefixes (`prefix:` tags) and the field's `env` tag or its name in capitals
 *   (caarlos0/env, `UseFieldNameByDefault`, getEnvOpts :48-53): `VM_VMSINGLEDEFAULT_RESOURCE_REQUEST_MEM`.
 * - Applied per resource: a CPU or memory default is written only when the CR's `resources` sets
 *   neither that resource's request nor its limit, and only when `spec.useDefaultResources` (else the
 *   kind's `USEDEFAULTRESOURCES`, true by default) is true; the default "unlimited" writes nothing
 *   (internal/controller/operator/factory/build/container.go:112-151 `Resources`; defaults.go:576-580
 *   addDefaultsToCommonParams (:548-581), :432-437/:465-470/:512-517 a VMCluster component's own field, else
 *   the VMCluster default).
 * - The config reloader, where the pods run one (the contract's `runsVmReloader`, which also says
 *   its image: contract/vmReloader.ts). Its resources are `spec.configReloaderResources`
 *   with the same per-resource rule: requests `VM_CONFIG_RELOADER_REQUEST_CPU|MEMORY` where set, else
 *   the kind's `CONFIGRELOADERCPU|MEMORY` (10m, 25Mi), limits `VM_CONFIG_RELOADER_LIMIT_CPU|MEMORY`
 *   ("unlimited"; config.go:122-129; defaults.go:583-621 addDefaultsToConfigReloader).
 * - How many pods (vmPodLayout): a VMAgent whose `shardCount` is above 1, outside `daemonSetMode`, is
 *   that many Deployments (StatefulSets in `statefulMode`), each of `replicaCount` pods
 *   (api/operator/v1beta1/vmagent_types.go:422-433 IsSharded, GetShardCount; factory/vmagent/
 *   vmagent.go:306-308 one updateShard per shard, :393 and :434 the StatefulSet and Deployment named
 *   per shard by build.ShardName; build/deployment.go:32 and statefulset.go:32 `Replicas` from
 *   `replicaCount`); in `daemonSetMode` a DaemonSet, a pod on every node it may land on, whatever
 *   `replicaCount` and `shardCount` (vmagent.go:360-387 newK8sApp). A VMCluster's
 *   `requestsLoadBalancer` makes, while its `enabled` is true, a Deployment `vmclusterlb-<name>` of
 *   one vmauth container (factory/vmcluster/vmcluster.go:54-59, :1300-1412 buildVMAuthLBDeployment,
 *   no config reloader: it rereads its Secret, `-configCheckInterval`) from `requestsLoadBalancer.spec`
 *   (`replicaCount`, `resources`, scheduling), its resources defaulted as a VMAuth's
 *   (build/defaults.go:520-531 addDefaultsToCommonParams with VMAuthDefault, config.go:392-412:
 *   requests 50m, 100Mi; limits 200m, 300Mi; `VM_VMAUTHDEFAULT_USEDEFAULTRESOURCES`).
 * - The vmbackupmanager sidecar of a VMSingle's `spec.vmBackup` and of a VMCluster's
 *   `spec.vmstorage.vmBackup`, made only with the backup's `acceptEULA` or the CR's `spec.license`
 *   (`key` or `keyRef`) (factory/build/backup.go:29-33 VMBackupManager, :165 its `resources`;
 *   factory/vmsingle/vmsingle.go:277-284, factory/vmcluster/vmcluster.go:1050-1057;
 *   api/operator/v1beta1/vmextra_types.go:793-799 IsProvided). Its resources are `vmBackup.resources`
 *   with the per-resource rule, defaults `VM_VMBACKUP_RESOURCE_*` (requests 150m, 200Mi; limits
 *   500m, 500Mi: config.go:376-391), applied while the spec's own `useDefaultResources` holds;
 *   unset, a VMSingle's applies them when its kind's `USEDEFAULTRESOURCES` does
 *   (addDefaultsToCommonParams has set the spec's field true by then), and otherwise, and for
 *   vmstorage, `VM_VMBACKUP_USEDEFAULTRESOURCES` (true by default) decides (defaults.go:225-250
 *   addVMSingleDefaults, :375-378 and :439 vmstorage's, :623-646 addDefaultsToVMBackup).
 * Not modelled: values the operator's environment takes from a Secret or ConfigMap (`valueFrom`), the
 * backup's restore init container (vmsingle.go:285-295: the backup's resources again, which the
 * pod's sum of its containers holds), and a container patch in `spec.containers` that sets the
 * reloader's resources.
 */

import {
  goBool,
  prometheusShards,
  runsVmReloader,
  VM_RELOADER_REQUESTS,
  vmRegistryImage,
  type OperatorEnv,
} from "@homelab-observability/contract";

/** CPU and memory as Kubernetes quantities; "unlimited" writes none. */
interface Pair {
  cpu: string;
  memory: string;
}

interface VmDefaults {
  /** Variable prefix of the kind's resource defaults, after `VM_`. */
  env: string;
  /** Variable prefix of the kind's `USEDEFAULTRESOURCES`, after `VM_`. */
  useEnv: string;
  requests: Pair;
  limits: Pair;
  /** The config reloader's default requests, where the kind's pods run one. */
  reloader?: Pair;
}

/** The kinds whose pods the operator makes, and a VMCluster's components by name. */
export type VmPodKind =
  | "VMSingle"
  | "VMAgent"
  | "VMAlert"
  | "VMAlertmanager"
  | "vmstorage"
  | "vminsert"
  | "vmselect"
  | "vmclusterlb"
  | "VMAuth";

const RELOADER: Pair = VM_RELOADER_REQUESTS;
/** A kind's row: its variable prefixes, then request and limit as [cpu, memory], and its reloader's. */
const row = (
  env: string,
  useEnv: string,
  [cpu, memory]: [string, string],
  [limitCpu, limitMemory]: [string, string],
  reloader?: Pair,
): VmDefaults => ({
  env,
  useEnv,
  requests: { cpu, memory },
  limits: { cpu: limitCpu, memory: limitMemory },
  ...(reloader ? { reloader } : {}),
});
/** VMAuth's defaults (config.go:392-412), which a VMCluster's load balancer takes too (above). */
const VMAUTH = row("VMAUTHDEFAULT_", "VMAUTHDEFAULT_", ["50m", "100Mi"], ["200m", "300Mi"]);
const VM_DEFAULTS: Readonly<Record<VmPodKind, VmDefaults>> = {
  VMAlert: row("VMALERTDEFAULT_", "VMALERTDEFAULT_", ["50m", "200Mi"], ["200m", "500Mi"], RELOADER),
  VMAgent: row("VMAGENTDEFAULT_", "VMAGENTDEFAULT_", ["50m", "200Mi"], ["200m", "500Mi"], RELOADER),
  VMSingle: row("VMSINGLEDEFAULT_", "VMSINGLEDEFAULT_", ["150m", "500Mi"], ["1200m", "1500Mi"]),
  vmselect: row(
    "VMCLUSTERDEFAULT_VMSELECTDEFAULT_",
    "VMCLUSTERDEFAULT_",
    ["100m", "500Mi"],
    ["500m", "1000Mi"],
  ),
  vmstorage: row(
    "VMCLUSTERDEFAULT_VMSTORAGEDEFAULT_",
    "VMCLUSTERDEFAULT_",
    ["250m", "500Mi"],
    ["1000m", "1500Mi"],
  ),
  vminsert: row(
    "VMCLUSTERDEFAULT_VMINSERTDEFAULT_",
    "VMCLUSTERDEFAULT_",
    ["150m", "200Mi"],
    ["500m", "500Mi"],
  ),
  VMAlertmanager: row("VMALERTMANAGER_", "VMALERTMANAGER_", ["30m", "56Mi"], ["100m", "256Mi"], RELOADER),
  vmclusterlb: VMAUTH,
  VMAuth: { ...VMAUTH, reloader: RELOADER },
};
/** The vmbackupmanager sidecar's row, and the kinds whose pods run it from `spec.vmBackup` (above). */
const BACKUP = row("VMBACKUP_", "VMBACKUP_", ["150m", "200Mi"], ["500m", "500Mi"]);
const BACKED_UP: ReadonlySet<VmPodKind> = new Set(["VMSingle", "vmstorage"]);

export const isVmPodKind = (k: string | undefined): k is VmPodKind =>
  k !== undefined && Object.prototype.hasOwnProperty.call(VM_DEFAULTS, k);

/** A resources block: what a container of the pod asks. */
export interface ResourcesBlock {
  requests?: Record<string, unknown>;
  limits?: Record<string, unknown>;
}

/**
 * `resources` as the operator writes it: for CPU and memory each, where neither the request nor the
 * limit is set and defaults apply, the default request and limit ("unlimited" none).
 */
function withDefaults(resources: unknown, requests: Pair, limits: Pair, use: boolean): ResourcesBlock {
  const r = (resources && typeof resources === "object" ? resources : {}) as ResourcesBlock;
  if (!use) return r;
  const out = { requests: { ...(r.requests ?? {}) }, limits: { ...(r.limits ?? {}) } };
  for (const k of ["cpu", "memory"] as const) {
    if (out.requests[k] != null || out.limits[k] != null) continue;
    if (requests[k] !== "unlimited" && requests[k] !== "") out.requests[k] = requests[k];
    if (limits[k] !== "unlimited" && limits[k] !== "") out.limits[k] = limits[k];
  }
  return out;
}

/** A row's `USEDEFAULTRESOURCES` as the operator's environment sets it (true by default). */
const useOf = (d: VmDefaults, env: OperatorEnv) => goBool(env[`VM_${d.useEnv}USEDEFAULTRESOURCES`]) ?? true;

/** `resources` with a row's defaults, each read from the operator's environment first. */
function rowDefaults(resources: unknown, d: VmDefaults, env: OperatorEnv, use: boolean): ResourcesBlock {
  // A variable set empty is its default (caarlos0/env v11.3.1 env.go:640-652, as contract/vmReloader.ts reads it).
  const from = (name: string, dflt: string) => env[`VM_${name}`] || dflt;
  return withDefaults(
    resources,
    {
      cpu: from(`${d.env}RESOURCE_REQUEST_CPU`, d.requests.cpu),
      memory: from(`${d.env}RESOURCE_REQUEST_MEM`, d.requests.memory),
    },
    {
      cpu: from(`${d.env}RESOURCE_LIMIT_CPU`, d.limits.cpu),
      memory: from(`${d.env}RESOURCE_LIMIT_MEM`, d.limits.memory),
    },
    use,
  );
}

/**
 * The vmbackupmanager sidecar's resources, where the pods of `kind` with `spec` run it (above);
 * `license` is the CR's `spec.license` (a VMCluster's, for its vmstorage).
 */
function backupBlock(
  kind: VmPodKind,
  spec: any,
  env: OperatorEnv,
  license: any,
  own: boolean | undefined,
): ResourcesBlock | undefined {
  const b = spec?.vmBackup;
  if (!BACKED_UP.has(kind) || b == null || typeof b !== "object") return undefined;
  if (b.acceptEULA !== true && license?.key == null && license?.keyRef == null) return undefined;
  const kindSets = kind === "VMSingle" && useOf(VM_DEFAULTS[kind], env);
  return rowDefaults(b.resources, BACKUP, env, own ?? (kindSets || useOf(BACKUP, env)));
}

/**
 * The resources blocks of the containers the operator makes for `spec` (a CR's spec, or a VMCluster
 * component's, whose `license` is the VMCluster's, null for none): the main container's, then the
 * config reloader's and the vmbackupmanager's where the pods run them.
 */
export function vmOperatorBlocks(
  kind: VmPodKind,
  spec: any,
  env: OperatorEnv,
  license: unknown = spec?.license,
): { main: ResourcesBlock; reloader?: ResourcesBlock; backup?: ResourcesBlock } {
  const d = VM_DEFAULTS[kind];
  const from = (name: string, dflt: string) => env[`VM_${name}`] || dflt;
  const own =
    typeof spec?.useDefaultResources === "boolean" ? (spec.useDefaultResources as boolean) : undefined;
  const use = own ?? useOf(d, env);
  const main = rowDefaults(spec?.resources, d, env, use);
  const backup = backupBlock(kind, spec, env, license, own);
  if (!d.reloader || !runsVmReloader(kind, spec)) return { main, ...(backup ? { backup } : {}) };
  // The global request wins where it is set non-empty; the kind's own is the deprecated fallback.
  const global = (name: string) => (env[`VM_CONFIG_RELOADER_${name}`] ?? "") || undefined;
  const reloader = withDefaults(
    spec?.configReloaderResources,
    {
      cpu: global("REQUEST_CPU") ?? from(`${d.env}CONFIGRELOADERCPU`, d.reloader.cpu),
      memory: global("REQUEST_MEMORY") ?? from(`${d.env}CONFIGRELOADERMEMORY`, d.reloader.memory),
    },
    {
      cpu: env.VM_CONFIG_RELOADER_LIMIT_CPU || "unlimited",
      memory: env.VM_CONFIG_RELOADER_LIMIT_MEMORY || "unlimited",
    },
    use,
  );
  return { main, reloader, ...(backup ? { backup } : {}) };
}

/**
 * The operator's default image of a VMAuth's vmauth container, which a VMCluster's load balancer
 * takes too: `VM_VMAUTHDEFAULT_IMAGE`, default victoriametrics/vmauth (config.go:392-394), written
 * where the spec names no repository, then put under `VM_CONTAINERREGISTRY` (build/defaults.go:551-557
 * addDefaultsToCommonParams, :192 VMAuth's, :530 the load balancer's). victoria-metrics-k8s-stack
 * 0.80.0 writes only a tag into either spec (templates/_helpers.tpl:203 vm.auth.spec, :324-327 the
 * load balancer's), so this is the image that runs unless the values name another. The other kinds'
 * specs name their repository (the program's values, the chart model's defaults), and the
 * vmbackupmanager sidecar's image (`VM_VMBACKUP_IMAGE`, config.go:377) is not judged: no source here
 * says which platforms that enterprise image is published for.
 */
export const VMAUTH_IMAGE = "victoriametrics/vmauth";

/**
 * The image of the main container of the pods of `kind` where `spec.image` names no repository and
 * the pack knows the operator's default (VMAuth's and the load balancer's, above), with what set it.
 */
export function vmDefaultImage(
  kind: string | undefined,
  spec: any,
  env: OperatorEnv,
): { image: string; from: string } | undefined {
  if ((kind !== "VMAuth" && kind !== "vmclusterlb") || spec?.image?.repository) return undefined;
  const set = env.VM_VMAUTHDEFAULT_IMAGE || undefined;
  const tag = spec?.image?.tag ? `:${spec.image.tag}` : "";
  return {
    image: vmRegistryImage(`${set ?? VMAUTH_IMAGE}${tag}`, env),
    from: `the operator's ${set ? "" : "default "}VM_VMAUTHDEFAULT_IMAGE${env.VM_CONTAINERREGISTRY ? " under VM_CONTAINERREGISTRY" : ""}`,
  };
}

/** How the operator lays out the pods of a CR: a DaemonSet, or `copies` workloads of its replicas each (a VMAgent's or a Prometheus' shards). */
export interface VmPodLayout {
  daemonSet: boolean;
  /** Workloads of `replicaCount` pods each (a VMAgent's shards; 0 for none); 1 for a DaemonSet. */
  copies: number;
}

/**
 * The layout of the pods of a CR of `kind` with `spec` (see above: a VMAgent's varies, and a
 * VMCluster's load balancer runs only while `holder`, the `requestsLoadBalancer` its spec sits in,
 * is enabled).
 */
export function vmPodLayout(kind: string | undefined, spec: any, holder?: any): VmPodLayout {
  if (kind === "vmclusterlb") return { daemonSet: false, copies: holder?.enabled === true ? 1 : 0 };
  // prometheus-operator's Prometheus: one StatefulSet of `replicas` pods per shard (contract prometheusShards).
  if (kind === "Prometheus") return { daemonSet: false, copies: prometheusShards(spec?.shards) };
  if (kind !== "VMAgent") return { daemonSet: false, copies: 1 };
  if (spec?.daemonSetMode === true) return { daemonSet: true, copies: 1 };
  const shards = spec?.shardCount;
  return { daemonSet: false, copies: Number.isInteger(shards) && shards > 1 ? (shards as number) : 1 };
}
