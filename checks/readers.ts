/**
 * Which pods read a ConfigMap or a Secret, and which of its files they dial the addresses of: what
 * the network-policy check judges a config's addresses from (checks/networkPolicies.ts) and what
 * the address check skips (checks/addresses.ts). A pod reads an object it mounts or takes into its
 * environment, one its operator's CR names (upstream/operators/prometheusOperator.ts READ_FIELDS,
 * victoriaMetrics.ts VM_READ_FIELDS, VM_KIND_READ_FIELDS, a VMAlertmanager's `templates`), or one
 * Grafana's datasources sidecar loads (checks/grafanaSidecar.ts). Of what it reads, a pod dials the addresses of every file it
 * sees but these: a key it is not given (a SecretKeySelector names another key, a volume's
 * `items` or a mount's `subPath` leave it out), an Alertmanager's notification template, a
 * vmalert's rule template (a VMAlert's, or a chart's own vmalert's) or a Loki ruler's rule file (lokiRuleFile), text it sends, never an
 * address it connects to, and a file only its config reloader watches (isReloader).
 */
import * as path from "path";
import { isImageOf, type ImageMirrors } from "@homelab-observability/contract";
import { parseUserYaml } from "../model/yamlText";
import { pinnedRepository, versions, type ImageRef } from "../model/versions";
import { sidecarLoads } from "./grafanaSidecar";
import { engineFlagSet, flagPairs } from "./writtenPaths";
import type { GoFlagSet } from "../upstream/goflag";
import { processArgs } from "./processArgs";
import { isAlertmanagerConfig, takenBy } from "./alertmanagerConfigs";
import { globMatches } from "./scrapeAuthz";
import {
  ALERTMANAGER_CONFIG_FILE,
  objectsReadBy,
  type ObjectRead,
} from "../upstream/operators/prometheusOperator";
import {
  VM_ALERTMANAGER_CONFIG_FILE,
  VM_CLUSTER,
  VM_KINDS,
  VMALERT_RULE_TEMPLATES_FLAG,
  vmAlertmanagerTemplateFiles,
  vmObjectsRead,
  type VmKind,
} from "../upstream/operators/victoriaMetrics";
import {
  containersOf,
  filesOf,
  operatorPodName,
  operatorServerOf,
  type K8sObject,
  type Placed,
  type PodTemplate,
} from "./objects";

/**
 * Whether a pod template mounts the ConfigMap or Secret `name` (a volume, a projected volume's
 * source) or takes it into a container's environment (env valueFrom, envFrom): the references
 * Kubernetes resolves (core/v1 Volume, EnvVarSource, EnvFromSource), not any word of its volumes or
 * environment that happens to be the name (Grafana's emptyDir volume `logs` beside a Loki whose
 * nameOverride `logs` names its ConfigMap so).
 */
function readsObject(t: PodTemplate, kind: "ConfigMap" | "Secret", name: string): boolean {
  const volumes: any[] = t.spec.volumes ?? [];
  if (volumes.some((v) => sourcesOf(v, kind, name).length > 0)) return true;
  return containersOf(t.spec).some((c: any) => envTakes(c, kind, name) !== false);
}

/** The sources of a volume that name the object: the volume itself, or a projected volume's sources. */
function sourcesOf(v: any, kind: string, name: string): any[] {
  const ref = (r: any) =>
    kind === "ConfigMap" ? r?.configMap?.name : (r?.secret?.secretName ?? r?.secret?.name);
  const of = (r: any) => (kind === "ConfigMap" ? r.configMap : r.secret);
  if (ref(v) === name) return [of(v)];
  return (v?.projected?.sources ?? []).filter((s: any) => ref(s) === name).map(of);
}

/**
 * What a container takes of the object into its environment: every key (envFrom), the keys its
 * variables name, or false.
 */
function envTakes(c: any, kind: string, name: string): true | string[] | false {
  const keyRef = kind === "ConfigMap" ? "configMapKeyRef" : "secretKeyRef";
  const fromRef = kind === "ConfigMap" ? "configMapRef" : "secretRef";
  if ((c.envFrom ?? []).some((e: any) => e?.[fromRef]?.name === name)) return true;
  const keys = (c.env ?? [])
    .map((e: any) => e?.valueFrom?.[keyRef])
    .filter((r: any) => r?.name === name)
    .map((r: any) => String(r.key));
  return keys.length > 0 ? keys : false;
}

/**
 * The paths at which container `c` of pod `spec` sees file `key` of the object: through each of its
 * mounts of a volume naming it, the volume's `items` (a key it leaves out is no file) and the
 * mount's `subPath` (core/v1 KeyToPath, VolumeMount).
 */
function pathsOf(spec: Record<string, any>, c: any, kind: string, name: string, key: string): string[] {
  const volumes = new Map<string, any>((spec.volumes ?? []).map((v: any) => [v?.name, v]));
  const out: string[] = [];
  for (const m of c.volumeMounts ?? []) {
    if (typeof m?.mountPath !== "string") continue;
    for (const source of sourcesOf(volumes.get(m.name), kind, name)) {
      const items: any[] | undefined = source?.items;
      const rel = items ? items.find((i) => i?.key === key)?.path : key;
      if (typeof rel !== "string") continue;
      const sub = typeof m.subPath === "string" && m.subPath !== "" ? m.subPath : undefined;
      if (sub === undefined) out.push(path.posix.join(m.mountPath, rel));
      else if (sub === rel) out.push(m.mountPath);
      else if (rel.startsWith(`${sub}/`)) out.push(path.posix.join(m.mountPath, rel.slice(sub.length + 1)));
    }
  }
  return out;
}

/**
 * What an Alertmanager reads as notification templates: the globs of its configuration's
 * `templates`, a relative one against the folder of `file` (alertmanager v0.28.1
 * config/config.go:236, 242-252; matched by filepath.Glob, template/template.go:118), and every path
 * its configuration names otherwise (a `url_file`), which is read as that field says, not as a
 * template. Undefined when the configuration is not read, or when a template's text may be
 * dialled: of the fields Alertmanager v0.28.1 dials, SNS's `api_url` alone is expanded as a
 * template (notify/sns/sns.go:110; every other expanded URL is a link in the notification sent),
 * and it reads a template's text where it runs one (runsTemplate).
 */
function templatesOf(
  text: string | undefined,
  file: string,
): { globs: string[]; named: Set<string> } | undefined {
  if (text === undefined) return undefined;
  let config: any;
  try {
    config = parseUserYaml(text);
  } catch {
    return undefined;
  }
  if (!config || typeof config !== "object") return undefined;
  const receivers: any[] = Array.isArray(config.receivers) ? config.receivers : [];
  const sns = receivers.flatMap((r) => (Array.isArray(r?.sns_configs) ? r.sns_configs : []));
  if (sns.some((s) => runsTemplate(s?.api_url))) return undefined;
  const dir = path.posix.dirname(file);
  const resolve = (p: string) => (path.posix.isAbsolute(p) ? p : path.posix.join(dir, p));
  const named = new Set<string>([file]);
  const walk = (v: unknown, inTemplates: boolean) => {
    if (typeof v === "string" && !inTemplates && v !== "") named.add(resolve(v));
    else if (Array.isArray(v)) v.forEach((x) => walk(x, inTemplates));
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) walk(x, inTemplates || (v === config && k === "templates"));
  };
  walk(config, false);
  const globs: string[] = (Array.isArray(config.templates) ? config.templates : [])
    .filter((g: unknown): g is string => typeof g === "string" && g !== "")
    // A character class or an escape is not modelled (globMatches): such a glob matches nothing here.
    .filter((g: string) => !/[[\\]/.test(g))
    .map(resolve);
  return { globs, named };
}

/**
 * Whether an SNS API URL Alertmanager expands runs a template a file defines, so that file's text
 * may be the address it dials: Alertmanager parses the URL as one more template in a copy of the
 * files' (v0.28.1 template/template.go:134-143), where only a `template` or `block` action runs
 * another (Go text/template); none of its functions does (template.go:171-210). A URL templated from
 * the alert alone (`https://sns.{{ .CommonLabels.region }}.amazonaws.com`) reads no file.
 */
function runsTemplate(url: unknown): boolean {
  return typeof url === "string" && /\{\{-?\s*(template|block)\b/.test(url);
}

/** Whether `file` is one of an Alertmanager's notification templates (templatesOf). */
function isTemplate(am: { globs: string[]; named: Set<string> } | undefined, file: string): boolean {
  return (
    am !== undefined &&
    ![...am.named].some((v) => namesFile(v, file)) &&
    am.globs.some((g) => globMatches(g, file))
  );
}

/**
 * Whether container `c` runs Alertmanager's image (quay.io/prometheus/alertmanager, as the
 * alertmanager chart and the operators run it), itself or through one of the stack's registry
 * `mirrors` (contract isImageOf), under any command.
 */
const runsAlertmanager = (c: any, mirrors: ImageMirrors): boolean =>
  isImageOf(String(c.image ?? ""), pinnedRepository(versions.images.alertmanager), mirrors);

/**
 * vmalert's flags as this reads them with Go's flag package (upstream/goflag.ts): no table of its
 * flags is kept, so each is read given as `-flag=value`, and one given bare leaves its command line
 * unknown (whether it takes the next argument depends on its type).
 */
const VMALERT_FLAGS: GoFlagSet = { flags: {}, partial: true };

/**
 * Whether container `c` is prometheus-operator's config reloader (the image of
 * versions.images.configReloader, any tag) run as its image runs it (no `command`: ENTRYPOINT
 * /bin/prometheus-config-reloader, v0.93.0 cmd/prometheus-config-reloader/Dockerfile:24), as the
 * alertmanager chart's `configmapReload` runs it (1.42.0 templates/statefulset.yaml:101-118). It
 * dials its `--reload-url` (or `--runtimeinfo-url`) alone, both flags (main.go:105-110): of a folder
 * it watches (`--watched-dir`) it hashes every file and, when the sum changes, POSTs to that URL
 * (thanos v0.42.2, the version its go.mod pins, pkg/reloader/reloader.go:484-517, 571-592, 671-689).
 * Read at v0.93.0, the nearest tag the fetched mirror holds to the chart's v0.93.1; read, not run.
 */
function isReloader(c: any, mirrors: ImageMirrors): boolean {
  return runsImage(c, versions.images.configReloader, mirrors);
}

/**
 * Whether container `c` runs an image of the pin `image` (any tag) as the image runs it: no
 * `command`. Its image is the pin's repository, itself or through one of the stack's registry
 * `mirrors` (contract isImageOf); never a trailing path, which another registry's build has too.
 */
function runsImage(c: any, image: ImageRef, mirrors: ImageMirrors): boolean {
  return c.command === undefined && isImageOf(String(c.image ?? ""), pinnedRepository(image), mirrors);
}

/**
 * Whether the reloader `c` passes on the addresses of the file it sees at `paths`: it is its
 * `--config-file`, which it reads, expands the environment into and writes to
 * `--config-envsubst-file` for the process beside it (reloader.go:361-397), or its `--config-file`
 * is not known (an argument that is no string, or kingpin's `@file` reading more from the
 * container). Its arguments are read as kingpin reads them (checks/processArgs.ts: `--config-file
 * value` too, `--no-version`); arguments kingpin refuses, or `--help`, stop it at start (process-args),
 * and it passes nothing.
 */
function reloaderPasses(c: any, paths: string[], mirrors: ImageMirrors): boolean {
  const read = processArgs(c, mirrors)?.read;
  if (read === undefined || "unknown" in read) return true;
  if ("stops" in read) return false;
  const file = read.flags.get("config-file")?.[0];
  if (file === undefined) return false;
  return !path.posix.isAbsolute(file) || paths.includes(path.posix.normalize(file));
}

/**
 * Whether Loki container `c` of pod `t` sees `file` as a rule file of its ruler's local store and
 * nothing else: a file in a tenant's folder, `<directory>/<tenant>/<file>` (grafana/loki v3.7.6
 * pkg/ruler/rulestore/local/local.go:48-80, 136-196), which it decodes as rule groups alone
 * (pkg/ruler/grouploader.go:29-59: name, interval, query_offset, limit, labels and rules, each rule
 * record, alert, expr, for, keep_firing_for, labels, annotations; vendor/github.com/prometheus/prometheus/model/rulefmt/rulefmt.go:159-188),
 * evaluates as LogQL and sends as alerts: no field of it is an address Loki dials, and an
 * annotation's link (a runbook_url) is the reader's. The store is `ruler.storage` when its `type`
 * is local, or with `storage_config.use_thanos_objstore` true `ruler_storage` when its `backend` is
 * (pkg/loki/modules.go:1611-1636, pkg/ruler/base/storage.go:113-114, 127-133), both read in the
 * config its `-config.file` names; the config file's own values win over the common section's
 * (pkg/util/cfg/dynamic.go:13-39). Not one when a flag may move the store, its flags are not all
 * of the -flag=value form, or a flag or a config value names the file (another reader of it).
 */
function lokiRuleFile(t: PodTemplate, c: any, file: string, objects: Placed[], ns: string): boolean {
  const pairs = flagPairs(c.args, engineFlagSet("loki"));
  if (!pairs) return false;
  const flags = new Map(pairs);
  if ([...flags.keys()].some((f) => /^(ruler\.storage\.|ruler-storage\.|use-thanos-objstore)/.test(f)))
    return false;
  const configFile = flags.get("config.file");
  const text = configFile === undefined ? undefined : mountedText(t, c, configFile, objects, ns);
  const config = text === undefined ? undefined : lokiConfigOf(text);
  if (config === NOT_YAML) return false;
  const dir = lokiRuleDir(config);
  if (typeof dir !== "string" || !path.posix.isAbsolute(dir)) return false;
  const rel = path.posix.relative(path.posix.normalize(dir), file);
  if (rel.startsWith("..") || rel.split("/").length !== 2) return false;
  const names = (v: unknown) => namesFile(v, file);
  return ![...flags.values()].some(names) && !stringsIn(config).some(names);
}

/** What {@link lokiConfigOf} gives for a text that is not YAML. */
const NOT_YAML = Symbol("not YAML");

/**
 * A Loki config's text parsed, the same text parsed once per process: {@link lokiRuleFile} asks
 * for each file of each object a Loki pod mounts, and a stack's Loki pods share one config, so one
 * check of a stack parsed the same text for every rule file and every pod, and the checks of a
 * stack's variants (the test suite's, `synth --all`'s) parsed it again. The parse is read, never
 * changed (lokiRuleDir, stringsIn), and a function of the text alone. Bounded: a config is some
 * kilobytes, and a process checks a few dozen distinct ones.
 */
function lokiConfigOf(text: string): unknown {
  let config = lokiConfigs.get(text);
  if (config === undefined && !lokiConfigs.has(text)) {
    try {
      config = parseUserYaml(text);
    } catch {
      config = NOT_YAML;
    }
    if (lokiConfigs.size >= 64) lokiConfigs.clear();
    lokiConfigs.set(text, config);
  }
  return config;
}
const lokiConfigs = new Map<string, unknown>();

/**
 * Whether the value `v` of a flag or a config field may name `file`: the same path once normalised
 * (a program opens `/a/./b` as `/a/b`), or a relative path `file` ends with (the program resolves
 * it against a folder not modelled here: its working folder, its config's).
 */
function namesFile(v: unknown, file: string): boolean {
  return (
    typeof v === "string" &&
    v !== "" &&
    (path.posix.normalize(v) === file ||
      (!path.posix.isAbsolute(v) && file.endsWith(`/${path.posix.normalize(v)}`)))
  );
}

/** The local folder of a Loki config's ruler store (lokiRuleFile); undefined when it is not local or not known. */
function lokiRuleDir(config: any): unknown {
  if (!config || typeof config !== "object") return undefined;
  const thanos = config.storage_config?.use_thanos_objstore;
  if (thanos !== undefined && typeof thanos !== "boolean") return undefined;
  if (thanos)
    return config.ruler_storage?.backend === "local" ? config.ruler_storage?.local?.directory : undefined;
  return config.ruler?.storage?.type === "local" ? config.ruler?.storage?.local?.directory : undefined;
}

/** Every string a parsed YAML value holds, at any depth. */
function stringsIn(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap(stringsIn);
  if (v && typeof v === "object") return Object.values(v).flatMap(stringsIn);
  return [v];
}

/** The text of file `key` of the object `kind`/`name` in namespace `ns`, where the render holds it. */
function fileText(
  objects: Placed[],
  kind: string,
  ns: string,
  name: string,
  key: string,
): string | undefined {
  const obj = objectNamed(objects, kind, ns, name);
  return obj ? filesOf(obj).find(([k]) => k === key)?.[1] : undefined;
}

/** The object `kind`/`name` in namespace `ns` among `objects`, if the render holds it. */
function objectNamed(objects: Placed[], kind: string, ns: string, name: string): K8sObject | undefined {
  return objects.find(
    (p) => p.obj.kind === kind && p.obj.metadata.namespace === ns && p.obj.metadata.name === name,
  )?.obj;
}

/**
 * Whether a chart's pod `t` dials the addresses of file `key` of `obj`: some container takes the key
 * into its environment, or sees it as a file and is no Alertmanager reading it as a template (the
 * configuration its `--config.file` names, found in the render). A pod that declares a volume of
 * the object no container mounts or takes in is held to read all of it, as the volume says.
 */
function chartPodDials(
  t: PodTemplate,
  obj: K8sObject,
  key: string,
  objects: Placed[],
  mirrors: ImageMirrors,
): boolean {
  const { kind, metadata } = obj;
  const ns = t.owner.obj.metadata.namespace ?? "";
  const volumes = new Map<string, any>((t.spec.volumes ?? []).map((v: any) => [v?.name, v]));
  let taken = false;
  for (const c of containersOf(t.spec)) {
    const env = envTakes(c, kind, metadata.name);
    if (env === true || (env && env.includes(key))) return true;
    const mounts = (c.volumeMounts ?? []).some(
      (m: any) => sourcesOf(volumes.get(m?.name), kind, metadata.name).length > 0,
    );
    taken ||= env !== false || mounts;
    const paths = pathsOf(t.spec, c, kind, metadata.name, key);
    if (paths.length === 0) continue;
    if (isReloader(c, mirrors)) {
      if (reloaderPasses(c, paths, mirrors)) return true;
      continue;
    }
    if (runsImage(c, versions.images.vmalert, mirrors)) {
      const env = (c.env ?? []).length > 0 || (c.envFrom ?? []).length > 0;
      if (!paths.every((p) => isTemplate(vmalertTemplates(flagPairs(c.args, VMALERT_FLAGS), env), p)))
        return true;
      continue;
    }
    if (runsImage(c, versions.images.loki, mirrors)) {
      if (!paths.every((p) => lokiRuleFile(t, c, p, objects, ns))) return true;
      continue;
    }
    if (!runsAlertmanager(c, mirrors)) return true;
    // Its flags as kingpin reads them (checks/processArgs.ts: `--config.file value` too); a command
    // line it refuses, or answers with its help, stops it before it reads anything (process-args).
    const read = processArgs(c, mirrors)?.read;
    if (read && "stops" in read) continue;
    const file = read && "flags" in read ? read.flags.get("config.file")?.[0] : undefined;
    const am = file === undefined ? undefined : templatesOf(mountedText(t, c, file, objects, ns), file);
    if (!paths.every((p) => isTemplate(am, p))) return true;
  }
  return !taken;
}

/** The text of the file at `file` in container `c`, from the ConfigMap or Secret mounted there. */
function mountedText(
  t: PodTemplate,
  c: any,
  file: string,
  objects: Placed[],
  ns: string,
): string | undefined {
  for (const v of t.spec.volumes ?? []) {
    const kind = v?.configMap ? "ConfigMap" : v?.secret ? "Secret" : undefined;
    const name = v?.configMap?.name ?? v?.secret?.secretName;
    if (!kind || typeof name !== "string") continue;
    const obj = objectNamed(objects, kind, ns, name);
    for (const [key, text] of obj ? filesOf(obj) : [])
      if (pathsOf(t.spec, c, kind, name, key).includes(file)) return text;
  }
  return undefined;
}

/** The CR among `objects` whose operator made pod `t`, if `t` is such a pod (objects.ts operatorObjects). */
function crOf(t: PodTemplate, objects: Placed[]): K8sObject | undefined {
  if (!t.owner.source.endsWith("by its operator")) return undefined;
  const pod = t.owner.obj.metadata;
  return objects.find(
    (cr) =>
      cr.urn === t.owner.urn &&
      cr.obj.metadata.namespace === pod.namespace &&
      objectsReadByPod(cr.obj, pod.name) !== undefined,
  )?.obj;
}

/**
 * The Secrets and ConfigMaps the operator's pod named `pod` of `cr` reads; undefined when it is no
 * pod of `cr`.
 */
function objectsReadByPod(cr: K8sObject, pod: string): ObjectRead[] | undefined {
  const { kind, apiVersion, metadata, spec } = cr;
  const n = metadata.name;
  const own = pod === operatorPodName(cr);
  const server = operatorServerOf(cr);
  if (server) return own ? objectsReadBy(server, n, spec) : undefined;
  if (!apiVersion.startsWith("operator.victoriametrics.com/")) return undefined;
  if (kind in VM_KINDS) return own ? vmObjectsRead(spec, { kind: kind as VmKind, name: n }) : undefined;
  // A VMCluster's component `vm<part>-<name>` reads the fields under its key.
  const part =
    kind === "VMCluster" ? Object.keys(VM_CLUSTER).find((app) => pod === `${app}-${n}`) : undefined;
  return part ? vmObjectsRead(spec?.[part]) : undefined;
}

/**
 * The templates of the Alertmanager or vmalert an operator runs for `cr` (vmalertTemplates): an
 * Alertmanager's configuration is
 * the `configKey` of the object a read field names (the config Secret), else a VMAlertmanager's
 * `configRawYaml`; a VMAlertmanager's also holds the files of its `templates`.
 */
function operatorTemplates(cr: K8sObject, reads: ObjectRead[], objects: Placed[]) {
  const ns = cr.metadata.namespace ?? "";
  const config = reads.find((r) => r.configKey !== undefined);
  if ((cr.kind === "Alertmanager" || cr.kind === "VMAlertmanager") && configCrExpandsSns(cr, objects))
    return undefined;
  if (cr.kind === "Alertmanager")
    return templatesOf(
      config && fileText(objects, config.kind, ns, config.name, config.configKey!),
      ALERTMANAGER_CONFIG_FILE,
    );
  if (cr.kind === "VMAlert") {
    const extraArgs = cr.spec?.extraArgs;
    // The operator enables -envflag.enable for any extraEnvs or extraEnvsFrom (v0.66.0
    // internal/controller/operator/factory/vmalert/vmalert.go:515-517).
    const env = (cr.spec?.extraEnvs ?? []).length > 0 || (cr.spec?.extraEnvsFrom ?? []).length > 0;
    const flags = extraArgs && typeof extraArgs === "object" ? Object.entries(extraArgs) : undefined;
    return vmalertTemplates(flags && (env ? [...flags, ["envflag.enable", "true"]] : flags), env);
  }
  if (cr.kind !== "VMAlertmanager") return undefined;
  const raw = typeof cr.spec?.configRawYaml === "string" ? cr.spec.configRawYaml : undefined;
  const text = config ? fileText(objects, config.kind, ns, config.name, config.configKey!) : raw;
  const am = templatesOf(text, VM_ALERTMANAGER_CONFIG_FILE);
  // The operator adds each file of the CR's `templates` to the configuration's own.
  return am && { ...am, globs: [...am.globs, ...vmAlertmanagerTemplateFiles(cr.spec)] };
}

/**
 * Whether a config CR of the stack gives an SNS receiver an API URL that runs a template
 * (runsTemplate), which Alertmanager expands and dials (alertmanager v0.28.1 notify/sns/sns.go:110): an
 * AlertmanagerConfig's `snsConfigs[].apiURL` (prometheus-operator v0.93.0 accepts a template there,
 * pkg/alertmanager/validation/v1alpha1/validation.go:451-455, and writes it as `api_url`,
 * amcfg.go:1527-1528; the VictoriaMetrics operator converts the CR for its VMAlertmanagers,
 * v0.66.0 internal/controller/operator/converter/v1alpha1/apis.go:439-463), or a
 * VMAlertmanagerConfig's `receivers[].sns_configs[].api_url` (factory/vmalertmanager/config.go:620-637).
 * Of an Alertmanager resource `cr`, only the AlertmanagerConfigs it takes count (alertmanagerConfigs.ts
 * takenBy; one whose namespace's labels are not known counts): another's receivers run elsewhere.
 * Which VMAlertmanager takes a config CR is not modelled: any such CR makes its templates dialled,
 * which only counts more.
 */
function configCrExpandsSns(cr: K8sObject, objects: Placed[]): boolean {
  return objects.some(({ obj }) => {
    if (cr.kind === "Alertmanager" && isAlertmanagerConfig(obj) && takenBy(cr, obj, objects) === false)
      return false;
    const receivers: any[] = Array.isArray(obj.spec?.receivers) ? obj.spec.receivers : [];
    const [list, field] = isAlertmanagerConfig(obj)
      ? ["snsConfigs", "apiURL"]
      : obj.kind === "VMAlertmanagerConfig" && obj.apiVersion.startsWith("operator.victoriametrics.com/")
        ? ["sns_configs", "api_url"]
        : [undefined, undefined];
    if (!list) return false;
    const urls = receivers.flatMap((r) =>
      Array.isArray(r?.[list]) ? r[list].map((x: any) => x?.[field]) : [],
    );
    return urls.some(runsTemplate);
  });
}

/**
 * A vmalert's rule templates, from its flags (a VMAlert's `extraArgs`, a chart's container's
 * args): the globs of each `-rule.templates` (VMALERT_RULE_TEMPLATES_FLAG; an array flag, each
 * repeat adding its values), and as named files every value of its other flags (a
 * `-notifier.config` on a template is dialled). An array flag's value is split at commas
 * (VictoriaMetrics v1.144.0 lib/flagutil/array.go:105-117); one with a quote, a bracket, a brace or
 * an escape is not modelled, nor is a relative glob (vmalert resolves it against its working
 * folder): no file is a template by it then. Undefined for flags not known (flagPairs), a value
 * holding a `%{VAR}` placeholder (vmalert puts the environment there, v1.144.0
 * lib/envflag/envflag.go:31, 66-78), or `-envflag.enable` on beside `env`, environment variables
 * the container is given: vmalert then takes every flag the command line leaves unset from the
 * environment (envflag.go:44-64), a `notifier_config` naming a template as well.
 */
function vmalertTemplates(
  flags: [string, unknown][] | undefined,
  env: boolean,
): { globs: string[]; named: Set<string> } | undefined {
  if (!flags || flags.some(([, v]) => typeof v === "string" && v.includes("%{"))) return undefined;
  // The last value wins; of Go's strconv.ParseBool, any value but these is no false.
  const envflag = flags.filter(([f]) => f === "envflag.enable").at(-1)?.[1];
  const off = typeof envflag === "string" && ["0", "f", "F", "false", "FALSE", "False"].includes(envflag);
  if (env && envflag !== undefined && !off) return undefined;
  const values = (v: unknown) => (typeof v === "string" && v !== "" ? v.split(",") : []);
  const named = new Set<string>();
  const globs: string[] = [];
  for (const [flag, v] of flags)
    if (flag !== VMALERT_RULE_TEMPLATES_FLAG) values(v).forEach((x) => named.add(x));
    else if (typeof v === "string" && !/["'[\]{}\\]/.test(v)) globs.push(...values(v));
  return { globs: globs.filter((g) => path.posix.isAbsolute(g)), named };
}

/** Whether an operator's pod `t` dials the addresses of file `key` of `obj` (its CR's read fields). */
function operatorPodDials(t: PodTemplate, obj: K8sObject, key: string, objects: Placed[]): boolean {
  const cr = crOf(t, objects);
  const reads = cr ? (objectsReadByPod(cr, t.owner.obj.metadata.name) ?? []) : [];
  const mine = reads.filter((r) => r.kind === obj.kind && r.name === obj.metadata.name);
  if (mine.length === 0) return false;
  const am = operatorTemplates(cr!, reads, objects);
  return mine.some(
    (r) =>
      (r.key === undefined || r.key === key) &&
      (r.configKey === key || r.dir === undefined || !isTemplate(am, path.posix.join(r.dir, key))),
  );
}

/** Whether an operator's pod `t` reads the ConfigMap or Secret `kind`/`name` (its CR names it). */
function operatorReads(t: PodTemplate, kind: string, name: string, objects: Placed[]): boolean {
  const cr = crOf(t, objects);
  const reads = cr ? (objectsReadByPod(cr, t.owner.obj.metadata.name) ?? []) : [];
  return reads.some((o) => o.kind === kind && o.name === name);
}

/**
 * Pod templates that read an object: itself if a workload, the mounters of a ConfigMap or Secret
 * and the operator's pods whose CR names it, an operator's pods for a CR. `objects`: the CRs.
 */
export function readersOf(p: Placed, pods: PodTemplate[], objects: Placed[]): PodTemplate[] {
  const self = pods.filter((t) => t.owner === p);
  if (self.length) return self;
  const { kind, name, namespace } = {
    kind: p.obj.kind,
    name: p.obj.metadata.name,
    namespace: p.obj.metadata.namespace,
  };
  // Grafana's datasources sidecar writes the objects it selects, in the namespaces it searches,
  // into Grafana's provisioning folder, and Grafana dials their URLs: no volume or env names them
  // (checks/grafanaSidecar.ts). Only a selection known offline counts, so no verdict rests on a
  // value the pod takes at start. The dashboards sidecar is not counted: Grafana dials no address
  // a dashboard's JSON holds (its links are the browser's).
  if (kind === "ConfigMap" || kind === "Secret")
    return pods.filter(
      (t) =>
        (t.owner.obj.metadata.namespace === namespace &&
          (readsObject(t, kind, name) || operatorReads(t, kind, name, objects))) ||
        sidecarLoads(t.owner.obj, p.obj, "datasources"),
    );
  // A prometheus-operator ScrapeConfig is read by Prometheus (and a PrometheusAgent) and, converted
  // to a VMScrapeConfig, by vmagent (builders/objectstore/minioMetrics.ts: MinIO's cluster metrics are one).
  if (kind === "ScrapeConfig" && p.obj.apiVersion.startsWith("monitoring.coreos.com/"))
    return pods.filter(
      (t) =>
        t.owner.source.endsWith("by its operator") &&
        /^(prometheus|prom-agent|vmagent)-/.test(t.owner.obj.metadata.name) &&
        t.owner.obj.metadata.namespace === namespace,
    );
  // A VMCluster's own addresses (the chart's `vmalert.proxyURL`) are vmselect's flags.
  if (kind === "VMCluster" && p.obj.apiVersion.startsWith("operator.victoriametrics.com/"))
    return pods.filter(
      (t) => t.owner.obj.metadata.name === `vmselect-${name}` && t.owner.obj.metadata.namespace === namespace,
    );
  // The CR's own addresses (a remoteWrite URL) are its workload's (operatorPodName).
  return pods.filter(
    (t) =>
      t.owner.urn === p.urn &&
      t.owner.obj.metadata.name === operatorPodName(p.obj) &&
      t.owner.obj.metadata.namespace === namespace,
  );
}

/**
 * The readers of `p` (readersOf) that dial the addresses of its file `file` (a ConfigMap's or a
 * Secret's key; undefined for text outside its files, which every reader takes). `mirrors`: the
 * stack's registry mirrors (checks/imageDigests.ts mirrorsOf), through which a program known by its
 * image (the config reloader, vmalert, Loki, Alertmanager) may run.
 */
export function dialersOf(
  p: Placed,
  file: string | undefined,
  pods: PodTemplate[],
  objects: Placed[],
  mirrors: ImageMirrors,
): PodTemplate[] {
  const readers = readersOf(p, pods, objects);
  const { kind } = p.obj;
  if (file === undefined || (kind !== "ConfigMap" && kind !== "Secret")) return readers;
  return readers.filter(
    (t) =>
      sidecarLoads(t.owner.obj, p.obj, "datasources") ||
      (t.owner.obj.metadata.namespace === p.obj.metadata.namespace &&
        ((readsObject(t, kind, p.obj.metadata.name) && chartPodDials(t, p.obj, file, objects, mirrors)) ||
          operatorPodDials(t, p.obj, file, objects))),
  );
}
