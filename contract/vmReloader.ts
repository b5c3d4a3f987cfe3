/**
 * The config-reloader the VictoriaMetrics operator puts into the pods of a VMAgent, VMAlert,
 * VMAlertmanager or VMAuth: whether it runs, and which image. The pack judges that image for arm64
 * (`arm64-images`) and the rendered checks for a pin (`image-pins`), as both judge
 * prometheus-operator's `--prometheus-config-reloader`: one model, here.
 *
 * Read, not run, in VictoriaMetrics/operator at v0.66.0:
 * - Whether it runs: VMAgent's unless `ingestOnlyMode` with no relabelling or stream aggregation
 *   (internal/controller/operator/factory/vmagent/vmagent.go:697-699; api/operator/v1beta1/
 *   vmagent_types.go:903-928, vmextra_types.go:672-677), VMAlert's unless no rule selector picks
 *   rules (factory/vmalert/vmalert.go:299-302, vmalert_types.go:487-489), VMAlertmanager's always
 *   (factory/vmalertmanager/statefulset.go:416-417), VMAuth's unless its config is external:
 *   `spec.externalConfig.secretRef`, `spec.externalConfig.localPath` or the deprecated
 *   `spec.configSecret`, which the operator turns into that secretRef
 *   (factory/vmauth/vmauth.go:281-339; build/defaults.go:182-190; vmauth_types.go:111-116,
 *   vmextra_types.go:1366-1374 ExternalConfig).
 * - Its image (factory/build/defaults.go:583-604 addDefaultsToConfigReloader): the CR's
 *   `spec.configReloaderImageTag` where set; else, while `spec.useVMConfigReloader` (else the
 *   operator's `VM_USECUSTOMCONFIGRELOADER`, true by default: internal/config/config.go:115) holds,
 *   `VM_CUSTOMCONFIGRELOADERIMAGE` (config.go:118, default
 *   `victoriametrics/operator:config-reloader-${VM_OPERATOR_VERSION}`); otherwise the kind's own
 *   (config.go:214 `VM_VMALERTDEFAULT_CONFIGRELOADIMAGE`, :242 `VM_VMAGENTDEFAULT_CONFIGRELOADIMAGE`,
 *   :355 `VM_VMALERTMANAGER_CONFIGRELOADERIMAGE`, :395 `VM_VMAUTHDEFAULT_CONFIGRELOADIMAGE`). Then
 *   `VM_CONTAINERREGISTRY`, where set, is put before it, a `quay.io/` prefix replaced
 *   (factory/build/container.go:203-216 formatContainerImage).
 * - The variables are read by caarlos0/env v11.3.1 (go.mod), where a variable set empty takes its
 *   default (env.go:640-652 getOr); `VM_OPERATOR_VERSION` is the environment's when set non-empty,
 *   else the version built into the binary (config.go:44 and :48-62 getEnvOpts, :25-31 getVersion), which
 *   VictoriaMetrics lib/buildinfo v1.131.0 ShortVersion takes from the build's `-X Version=` as its
 *   first `v<major>.<minor>.<patch>` (version.go:15-20). A release builds it from the tag it pushes
 *   the image under (Makefile:8-19 BUILDINFO ending in $(TAG), :225 and :237 the same TAG for the
 *   image; .github/workflows/release.yaml `TAG: github.event.release.tag_name`, `make publish`): the
 *   operator image's tag names the binary's version.
 * Not modelled: a variable whose value comes from a Secret or ConfigMap, a `$` in the operator's
 * `VM_CUSTOMCONFIGRELOADERIMAGE` (it expands variables), and a container patch in `spec.containers`.
 */

import { parseImage } from "./image";

/** The operator's environment as literal values (`name`/`value` pairs); `valueFrom` ones are unknown here. */
export type OperatorEnv = Readonly<Record<string, string>>;

/**
 * The config reloader's requests the operator gives it by default, the same for every kind that
 * runs one (VictoriaMetrics/operator v0.66.0 internal/config/config.go:228-230 VMAlert, :256-258
 * VMAgent, :359 VMAlertmanager, :411 VMAuth: `ConfigReloaderCPU` "10m", `ConfigReloaderMemory`
 * "25Mi"). The pack's model of the operator's defaults (policy/lib/operatorDefaults.ts) and the
 * config's pools' share (model/auxiliaryPods.ts) both read it.
 */
export const VM_RELOADER_REQUESTS = { cpu: "10m", memory: "25Mi" } as const;

/** The repository of the VictoriaMetrics operator's image, by which the pack and the checks find it. */
export const VM_OPERATOR_REPOSITORY = "docker.io/victoriametrics/operator";

/** A container's `env` list as literal values by name. */
export function envValues(env: unknown): OperatorEnv {
  const out: Record<string, string> = {};
  if (!Array.isArray(env)) return out;
  for (const e of env)
    if (e && typeof e === "object" && typeof e.name === "string" && typeof e.value === "string")
      out[e.name] = e.value;
  return out;
}

/** Go's strconv.ParseBool, as caarlos0/env reads a bool; undefined for anything else. */
export function goBool(v: string | undefined): boolean | undefined {
  if (v === undefined) return undefined;
  if (["1", "t", "T", "TRUE", "true", "True"].includes(v)) return true;
  if (["0", "f", "F", "FALSE", "false", "False"].includes(v)) return false;
  return undefined;
}

/** lib/buildinfo's shortVersionRe (VictoriaMetrics v1.131.0 lib/buildinfo/version.go:15). */
const SHORT_VERSION = /v\d+\.\d+\.\d+(?:-enterprise)?(?:-cluster)?/;

/**
 * The operator's environment as it reads it: `env` (its container's literal variables) with
 * `VM_OPERATOR_VERSION` filled in, where `env` leaves it unset or empty, from the tag of the
 * operator's image `imageTag` (see above); left unset when that tag names no version.
 */
export function vmOperatorEnvironment(env: OperatorEnv, imageTag: string | undefined): OperatorEnv {
  if (env.VM_OPERATOR_VERSION) return env;
  const version = SHORT_VERSION.exec(imageTag ?? "")?.[0];
  return version ? { ...env, VM_OPERATOR_VERSION: version } : env;
}

/**
 * The environment of the VictoriaMetrics operator's container among `containers` (found by its
 * image's repository, under any registry), as it reads it ({@link vmOperatorEnvironment}); empty
 * when none is the operator.
 */
export function vmOperatorEnvOf(containers: any[]): OperatorEnv {
  for (const c of containers) {
    if (typeof c?.image !== "string") continue;
    const { repository, tag } = parseImage(c.image);
    if (isVmOperatorRepository(repository)) return vmOperatorEnvironment(envValues(c.env), tag);
  }
  return {};
}

/** The operator's repository without Docker Hub's registry: `victoriametrics/operator`. */
const VM_OPERATOR_PATH = VM_OPERATOR_REPOSITORY.slice("docker.io".length);

/**
 * Whether a parsed repository is the operator's, from Docker Hub or from a registry put before it:
 * victoria-metrics-k8s-stack 0.80.0's operator subchart writes `global.image.registry` both before
 * the operator's image and as its `VM_CONTAINERREGISTRY` (charts/victoria-metrics-operator
 * templates/server.yaml:54 and :74-76; victoria-metrics-common templates/_image.tpl:11-13, :53-55),
 * so the operator whose variable names a mirror is itself pulled from that mirror.
 */
function isVmOperatorRepository(repository: string): boolean {
  return repository.endsWith(VM_OPERATOR_PATH);
}

/** The kinds whose pods run the reloader, with the variable naming each kind's own reloader image and its default. */
const KIND_IMAGE: Readonly<Record<string, readonly [string, string]>> = {
  VMAgent: [
    "VM_VMAGENTDEFAULT_CONFIGRELOADIMAGE",
    "quay.io/prometheus-operator/prometheus-config-reloader:v0.82.1",
  ],
  VMAlert: ["VM_VMALERTDEFAULT_CONFIGRELOADIMAGE", "jimmidyson/configmap-reload:v0.3.0"],
  VMAlertmanager: ["VM_VMALERTMANAGER_CONFIGRELOADERIMAGE", "jimmidyson/configmap-reload:v0.3.0"],
  VMAuth: [
    "VM_VMAUTHDEFAULT_CONFIGRELOADIMAGE",
    "quay.io/prometheus-operator/prometheus-config-reloader:v0.82.1",
  ],
};

/** Whether the pods the operator makes from a CR of `kind` with `spec` run its config-reloader (above). */
export function runsVmReloader(kind: string, spec: any): boolean {
  if (kind === "VMAlertmanager") return true;
  if (kind === "VMAuth")
    return !(
      spec?.externalConfig?.secretRef != null ||
      (typeof spec?.externalConfig?.localPath === "string" && spec.externalConfig.localPath !== "") ||
      (typeof spec?.configSecret === "string" && spec.configSecret !== "")
    );
  if (kind === "VMAlert")
    return (
      spec?.selectAllByDefault === true || spec?.ruleSelector != null || spec?.ruleNamespaceSelector != null
    );
  if (kind !== "VMAgent") return false;
  if (spec?.ingestOnlyMode !== true) return true;
  const listed = (v: unknown) => Array.isArray(v) && v.length > 0;
  const aggr = (c: any) => c != null && (listed(c.rules) || c.ruleConfigMap != null);
  const writes: any[] = Array.isArray(spec.remoteWrite) ? spec.remoteWrite : [];
  return (
    spec.relabelConfig != null ||
    listed(spec.inlineRelabelConfig) ||
    aggr(spec.streamAggrConfig) ||
    writes.some(
      (w) => w?.urlRelabelConfig != null || listed(w?.inlineUrlRelabelConfig) || aggr(w?.streamAggrConfig),
    )
  );
}

/** The reloader's image and what set it, as a message names it. */
export interface VmReloaderImage {
  image: string;
  /** `spec.configReloaderImageTag`, or the operator's variable (or its default) that named it. */
  from: string;
}

/**
 * The image of the config-reloader the operator puts into the pods of a CR of `kind` with `spec`,
 * given the operator's environment (`vmOperatorEnvironment`); undefined where the pods run none, or
 * where the image is not known here (no operator version, a `$` left to expand).
 */
export function vmReloaderImage(kind: string, spec: any, env: OperatorEnv): VmReloaderImage | undefined {
  const own = KIND_IMAGE[kind];
  if (!own || !runsVmReloader(kind, spec)) return undefined;
  let image: string | undefined;
  let from: string;
  const set = spec?.configReloaderImageTag;
  const useVm =
    typeof spec?.useVMConfigReloader === "boolean"
      ? (spec.useVMConfigReloader as boolean)
      : (goBool(env.VM_USECUSTOMCONFIGRELOADER || undefined) ?? true);
  if (typeof set === "string" && set !== "") {
    image = set;
    from = "spec.configReloaderImageTag";
  } else if (useVm && env.VM_CUSTOMCONFIGRELOADERIMAGE) {
    const value = env.VM_CUSTOMCONFIGRELOADERIMAGE;
    image = value.includes("$") ? undefined : value;
    from = "the operator's VM_CUSTOMCONFIGRELOADERIMAGE";
  } else if (useVm) {
    const version = env.VM_OPERATOR_VERSION;
    image = version ? `victoriametrics/operator:config-reloader-${version}` : undefined;
    from = "the operator's default VM_CUSTOMCONFIGRELOADERIMAGE";
  } else {
    image = env[own[0]] || own[1];
    from = env[own[0]] ? `the operator's ${own[0]}` : `the operator's default ${own[0]}`;
  }
  if (image === undefined) return undefined;
  return env.VM_CONTAINERREGISTRY
    ? { image: vmRegistryImage(image, env), from: `${from} under VM_CONTAINERREGISTRY` }
    : { image, from };
}

/**
 * An image as the operator writes it into a pod: under `VM_CONTAINERREGISTRY`, where set, a
 * `quay.io/` prefix replaced (factory/build/container.go:203-216 formatContainerImage).
 */
export function vmRegistryImage(image: string, env: OperatorEnv): string {
  let registry = env.VM_CONTAINERREGISTRY ?? "";
  if (registry === "") return image;
  if (!registry.endsWith("/")) registry += "/";
  return registry + (image.startsWith("quay.io/") ? image.slice("quay.io/".length) : image);
}

/**
 * Where a message finds a reloader's image: the CR's field under `spec` (the spec's own path) that
 * set it, else what the operator read.
 */
export function vmReloaderPath(r: VmReloaderImage, spec: string): string {
  return r.from === "spec.configReloaderImageTag"
    ? `${spec}.configReloaderImageTag`
    : `(config-reloader injected by the operator: ${r.from})`;
}
