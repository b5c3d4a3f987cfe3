/**
 * The `--against` warning of an Alertmanager hand-over: a move between phases whose Alertmanager
 * differs (model/phases.ts `alertmanager`: kube-prometheus-stack's until backend-primary, then the
 * standalone one or VictoriaMetrics', and back). Each keeps its silences and notification log on its
 * own claim and the program copies none of them, so the Alertmanager that takes the routes starts
 * without the silences of the one before (docs/how-to/move-between-phases.md "Alert state"). The
 * objects below show only one Alertmanager's deletion and the other's creation.
 *
 * Warned, not refused: silences are the operator's to carry over (amtool, the docs' commands), and
 * the move itself is the migration's.
 */
import { BACKENDS, capabilities, type Backend, type Phase, type PhaseCapabilities } from "../model/phases";
import { RELEASE_TYPE, RELEASES } from "../model/names";
import { versions } from "../model/versions";
import type { ExportResource, StackExport } from "../synth/synthesize";
import { listed } from "../model/words";
import { plainValue } from "./describe";
import { parseSegments } from "@homelab-observability/contract";
import { chartValueOverridesOf } from "../synth/report";
import { backendOfExport, phaseOfExport } from "./phaseMove";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import { propertyPath, valueAt } from "../config/tree";
import { standaloneSecretMounts } from "../builders/metrics/exporterValues";

type Alertmanager = PhaseCapabilities["alertmanager"];

const NAMES: Record<Alertmanager, string> = {
  kps: "kube-prometheus-stack's Alertmanager",
  standalone: `the standalone Alertmanager (release ${RELEASES.alertmanager})`,
  vm: "VictoriaMetrics' Alertmanager (VMAlertmanager)",
};

/**
 * The Alertmanager `phase` runs on `backend`; without a backend (a phase that runs none), the one
 * every backend's row names, or undefined where they differ.
 */
function alertmanagerAt(phase: Phase, backend: Backend | undefined): Alertmanager | undefined {
  if (backend) return capabilities(phase, backend).alertmanager;
  const each = new Set(BACKENDS.map((b) => capabilities(phase, b).alertmanager));
  return each.size === 1 ? [...each][0] : undefined;
}

/** The Alertmanagers a move between the exports' phases hands alerting from and to, if they differ. */
function handoverOf(
  previous: StackExport,
  next: StackExport,
): { from: Phase; to: Phase; was: Alertmanager; is: Alertmanager } | undefined {
  const [from, to] = [phaseOfExport(previous), phaseOfExport(next)];
  if (!from || !to) return undefined;
  const [wasBackend, isBackend] = [backendOfExport(previous), backendOfExport(next)];
  // A backend swapped is refused on its own (backendMove.ts): one message for that mistake.
  if (wasBackend && isBackend && wasBackend !== isBackend) return undefined;
  const [was, is] = [alertmanagerAt(from, wasBackend), alertmanagerAt(to, isBackend)];
  return was && is && was !== is ? { from, to, was, is } : undefined;
}

type Handover = NonNullable<ReturnType<typeof handoverOf>>;
type Verdict = { line: string; refused: boolean };

export function alertmanagerHandoverVerdict(previous: StackExport, next: StackExport): Verdict | undefined {
  const h = handoverOf(previous, next);
  return h && silencesVerdict(h);
}

/** The silences the Alertmanager that takes the routes starts without. */
function silencesVerdict({ from, to, was, is }: Handover): Verdict {
  return {
    line: `WARNING Alertmanager handed over: phase ${from} -> ${to} moves alerting from ${NAMES[was]} to ${NAMES[is]}, which starts without the other's silences: export them before pulumi up (\`amtool silence query -o json\` against the one that runs now) and import them after (\`amtool silence import\` against the new one); the commands: docs/how-to/move-between-phases.md#migration-phases, "Alert state"`,
    refused: false,
  };
}

/**
 * Where each Alertmanager's configuration file comes from: its release and the path in that
 * release's values (builders/metrics/kpsValues.ts, exporterValues.ts standaloneAlertmanagerValues,
 * vmValues.ts). The releases keep it while their Alertmanager is off.
 */
const CONFIG_AT: Record<Alertmanager, { release: string; path: readonly string[] }> = {
  kps: { release: RELEASES.kubePrometheusStack, path: ["alertmanager", "config"] },
  standalone: { release: RELEASES.alertmanager, path: ["config"] },
  vm: { release: RELEASES.vm, path: ["alertmanager", "config"] },
};

/** The release `name` of an export (a Helm Release resource), if it has one. */
const releaseIn = (exp: StackExport, name: string): ExportResource | undefined =>
  exp.deployment.resources.find((r) => r.type === RELEASE_TYPE && r.inputs?.name === name);

/**
 * The paths (`route.group_wait`, `receivers[2].slack_configs`) where two Alertmanager
 * configurations differ. A `*_file` field is left out: it names where that Alertmanager's operator
 * mounts the receivers' Secrets (/etc/alertmanager/secrets, VictoriaMetrics' /etc/vm/secrets), a
 * path that differs by design and routes nothing. Paths only, never values: an override may write a
 * receiver's credential inline.
 */
function configDiff(a: unknown, b: unknown, at = ""): string[] {
  if (at.endsWith("_file")) return [];
  const map = (v: unknown) => typeof v === "object" && v !== null;
  if (!map(a) || !map(b) || Array.isArray(a) !== Array.isArray(b))
    return JSON.stringify(a) === JSON.stringify(b) ? [] : [at || "(the whole file)"];
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
  return keys.flatMap((k) =>
    configDiff(x[k], y[k], Array.isArray(a) ? `${at}[${k}]` : at ? `${at}.${k}` : k),
  );
}

/**
 * The paths, as {@link configDiff} writes them, of an export's chartValues overrides (its stack
 * output chartValueOverrides, config/tree.ts leafPaths) under `at` (`chartValues.<chart>.<path>`).
 */
function overridesUnder(exp: StackExport, at: string): string[] {
  return overrideSegmentsUnder(exp, parseSegments(at.replace(/^chartValues\./, ""))).map((s) =>
    s.map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? k : `.${k}`)).join(""),
  );
}

/** The paths below `under` (`[<chart>, ...]`) of an export's chartValues overrides, as segments. */
function overrideSegmentsUnder(exp: StackExport, under: (string | number)[]): (string | number)[][] {
  return chartValueOverridesOf(exp.deployment.resources)
    .map(parseSegments)
    .filter((s) => s.length > under.length && under.every((k, i) => s[i] === k))
    .map((s) => s.slice(under.length));
}

/** Whether path `inner` (of {@link configDiff}) is `outer` or lies under it. */
const nested = (inner: string, outer: string) =>
  inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);

/**
 * The `--against` warning of routes that change with an Alertmanager hand-over. The program writes
 * every Alertmanager's configuration from the same alerting keys (builders/alerting/
 * alertmanagerConfig.ts), into each release whether its Alertmanager runs or not: in one export the
 * two differ only where a chartValues override of one of them writes what the other's lacks. Such an
 * override of the old one (a route's `group_wait`, a receiver) stops applying with the hand-over,
 * and the objects below show only the two releases' updates. Said where the old one in the previous
 * export (it routes now) and the new one in the next (it routes after) differ at a path an override
 * writes, in whichever export holds both releases (kube-prometheus-stack stays until kps-removed):
 * the alerting keys changed in the same update change both alike. Warned, not refused: the override
 * may be the new one's, on purpose.
 */
export function alertmanagerRoutesVerdict(previous: StackExport, next: StackExport): Verdict | undefined {
  const h = handoverOf(previous, next);
  return h && routesVerdict(h, previous, next);
}

/** {@link alertmanagerRoutesVerdict} of a hand-over. */
function routesVerdict({ was, is }: Handover, previous: StackExport, next: StackExport): Verdict | undefined {
  const config = (a: Alertmanager, e: StackExport) => {
    const r = releaseIn(e, CONFIG_AT[a].release);
    const at = `chartValues.${String(r?.inputs.chart ?? CONFIG_AT[a].release)}.${CONFIG_AT[a].path.join(".")}`;
    return { at, value: CONFIG_AT[a].path.reduce<any>((v, k) => v?.[k], plainValue(r?.inputs.values)) };
  };
  const [old, now] = [config(was, previous), config(is, next)];
  // Where an override writes: the old one's in the export where it routes, the new one's in the
  // next (the stack output chartValueOverrides), and where the two differ within an export that
  // holds both releases. The old one's override dropped in this update is in the previous export only.
  const overridden = [
    ...overridesUnder(previous, old.at),
    ...overridesUnder(next, now.at),
    ...[previous, next]
      .filter((e) => releaseIn(e, CONFIG_AT[was].release) && releaseIn(e, CONFIG_AT[is].release))
      .flatMap((e) => configDiff(config(was, e).value, config(is, e).value)),
  ];
  // Said where the one that routes now (the old, in the previous export) and the one that routes
  // after (the new, in the next) differ there: an override moved to the new one's key in this
  // update, as docs/how-to/move-between-phases.md says, routes as before, and one dropped from the
  // old one's key is lost all the same.
  const paths = configDiff(old.value, now.value).filter((p) =>
    overridden.some((q) => nested(p, q) || nested(q, p)),
  );
  if (paths.length === 0) return undefined;
  const shown = paths.length > 4 ? [...paths.slice(0, 3), `${paths.length - 3} more`] : paths;
  return {
    line: `WARNING Alertmanager routes change with the hand-over: ${NAMES[was]} and ${NAMES[is]} are given different configurations at ${listed(shown)}, where an override under ${old.at} or ${now.at} writes what the other lacks; from this update alerts are routed by the second. To keep routing as now, set under ${now.at} what ${old.at} sets there (docs/how-to/chart-values.md)`,
    refused: false,
  };
}

/** The standalone Alertmanager's chart: its `chartValues` key. */
const AM_CHART = versions.charts.alertmanager.chart;
const NO_OPERATOR = `no equivalent: the chart runs no operator and reads no AlertmanagerConfig (write their routes and receivers under chartValues.${AM_CHART}.config)`;
const CONFIG_VALUE = `no equivalent: the chart reads its configuration file from its \`config\` value alone (write it under chartValues.${AM_CHART}.config)`;

/**
 * What a key's value does where the two charts spell it apart: `was` of kube-prometheus-stack's
 * value, `runs` of the standalone chart's (with its values), compared instead of the values.
 */
interface RunsAs {
  was: (v: unknown) => unknown;
  runs: (v: unknown, values: unknown) => unknown;
}

/**
 * The prefix Alertmanager v0.28.1 serves at: `"/" + strings.Trim(prefix, "/")` of its
 * `--web.route-prefix`, or where that is empty of the path of `--web.external-url`
 * (cmd/alertmanager/main.go:532-536, extURL :600-631). prometheus-operator v0.93.0 always passes the
 * flag, `/` for an empty routePrefix (pkg/alertmanager/statefulset.go:277-282); the alertmanager
 * chart 1.42.0 passes `--web.external-url` for a non-empty `baseURL` only (templates/statefulset.yaml:187-189)
 * and the route prefix through `extraArgs` alone. A base URL that does not parse as a URL is no
 * prefix known here (Alertmanager refuses to start on most): said as a change. Read, not run.
 */
const servedAt = (prefix: string) => `/${prefix.replace(/^\/+|\/+$/g, "")}`;
const ROUTE_PREFIX: RunsAs = {
  was: (v) => servedAt(typeof v === "string" && v !== "" ? v : "/"),
  runs: (v, values) => {
    if (typeof v === "string" && v !== "") return servedAt(v);
    const base = valueAt(values, ["baseURL"]);
    if (typeof base !== "string" || base === "") return "/";
    return URL.canParse(base) ? servedAt(new URL(base).pathname) : undefined;
  },
};

/**
 * The class a claim gets: kube-prometheus-stack 88.0.0 passes `storageClassName` to the operator as
 * it is (templates/alertmanager/alertmanager.yaml:116, the operator copies it to the claim
 * template), `""` being the Kubernetes API's "no class"; the alertmanager chart 1.42.0 writes
 * `storageClassName: ""` for its `persistence.storageClass: "-"`, the value itself for another
 * non-empty one, and none for `""` or unset, where the cluster's default class applies
 * (templates/statefulset.yaml:274-280, values.yaml:349-354).
 */
const CLAIM_CLASS: RunsAs = {
  was: (v) => v ?? undefined,
  runs: (v) => (v === "-" ? "" : typeof v === "string" && v !== "" ? v : undefined),
};

/**
 * What the standalone Alertmanager (alertmanager chart 1.42.0) sets for each key of
 * kube-prometheus-stack 88.0.0's `alertmanager.alertmanagerSpec` (values.yaml), by the longest
 * key that prefixes an override's path: `to`, its path in the chart's values, with what lies below
 * the key carried over as it is, or `whole` turning the key's whole value into the chart's; `none`,
 * why the chart has no such setting. Read, not run, but for `hostUsers` (both charts rendered
 * with helm template):
 * - the chart passes `replicaCount` as the StatefulSet's replicas (templates/statefulset.yaml:14),
 *   each `extraArgs` entry as `--<key>=<value>` (:184-186) and `baseURL` as `--web.external-url`
 *   (:187-189), the flags prometheus-operator v0.93.0 writes for `retention`, `externalUrl`,
 *   `routePrefix`, `logLevel` and `logFormat` (pkg/alertmanager/statefulset.go:251, 267, 282,
 *   317, 322); its claim from `persistence` (:256-281);
 * - `unset`: what the standalone Alertmanager runs with where its values leave `to` unset, so an
 *   override equal to it drops nothing: the chart's defaults `replicaCount: 1`, `minReadySeconds: 0`
 *   (rendered as is, statefulset.yaml:15), `podAntiAffinity: ""`, `podAntiAffinityTopologyKey:
 *   kubernetes.io/hostname` and `persistence.accessModes: [ReadWriteOnce]` (values.yaml:6, 322,
 *   297, 302, 355-356); where the chart passes no flag, the flag's default in Alertmanager
 *   v0.28.1: `--data.retention` 120h (cmd/alertmanager/main.go:148), `--log.level` info and
 *   `--log.format` logfmt (its prometheus/common v0.61.0, promslog/flag/flag.go:47, 52; the
 *   operator leaves both flags out at those values, statefulset.go:316, 321); a pod's `hostUsers` is true where unset (core/v1 PodSpec);
 * - the chart renders its `hostUsers` only when true (statefulset.yaml:36-38), so `false` (a user
 *   namespace, which kube-prometheus-stack renders, templates/alertmanager/alertmanager.yaml:105-107)
 *   goes in through `extraPodConfigs`, written into the pod's spec as it is (:253-255);
 * - the chart runs no operator: nothing reads an AlertmanagerConfig, and its configuration file is
 *   its `config` value (templates/configmap.yaml), never a Secret the stack names.
 */
const SPEC_KEYS: Readonly<
  Record<
    string,
    { to: string; whole?: (v: unknown) => unknown; unset?: unknown; runs?: RunsAs } | { none: string }
  >
> = {
  replicas: { to: "replicaCount", unset: 1 },
  retention: { to: 'extraArgs["data.retention"]', unset: "120h" },
  logLevel: { to: 'extraArgs["log.level"]', unset: "info" },
  logFormat: { to: 'extraArgs["log.format"]', unset: "logfmt" },
  podAntiAffinity: { to: "podAntiAffinity", unset: "" },
  podAntiAffinityTopologyKey: { to: "podAntiAffinityTopologyKey", unset: "kubernetes.io/hostname" },
  hostUsers: { to: "extraPodConfigs.hostUsers", unset: true },
  minReadySeconds: { to: "minReadySeconds", unset: 0 },
  "storage.volumeClaimTemplate.spec.accessModes": { to: "persistence.accessModes", unset: ["ReadWriteOnce"] },
  externalUrl: { to: "baseURL" },
  routePrefix: { to: 'extraArgs["web.route-prefix"]', runs: ROUTE_PREFIX },
  resources: { to: "resources" },
  nodeSelector: { to: "nodeSelector" },
  tolerations: { to: "tolerations" },
  affinity: { to: "affinity" },
  topologySpreadConstraints: { to: "topologySpreadConstraints" },
  priorityClassName: { to: "priorityClassName" },
  schedulerName: { to: "schedulerName" },
  dnsConfig: { to: "dnsConfig" },
  hostAliases: { to: "hostAliases" },
  additionalPeers: { to: "additionalPeers" },
  automountServiceAccountToken: { to: "automountServiceAccountToken" },
  securityContext: { to: "podSecurityContext" },
  "podMetadata.labels": { to: "podLabels" },
  "podMetadata.annotations": { to: "podAnnotations" },
  volumes: { to: "extraVolumes" },
  volumeMounts: { to: "extraVolumeMounts" },
  initContainers: { to: "extraInitContainers" },
  "storage.volumeClaimTemplate.spec.resources.requests.storage": { to: "persistence.size" },
  "storage.volumeClaimTemplate.spec.storageClassName": { to: "persistence.storageClass", runs: CLAIM_CLASS },
  // The operator mounts each at /etc/alertmanager/secrets/<name> (upstream/operators/
  // prometheusOperator.ts READ_FIELDS), the chart each `extraSecretMounts` entry where it says:
  // the same Secrets carry over as the program mounts them.
  secrets: {
    to: "extraSecretMounts",
    whole: (v) => (Array.isArray(v) ? standaloneSecretMounts(v) : v),
  },
  alertmanagerConfigSelector: { none: NO_OPERATOR },
  alertmanagerConfigNamespaceSelector: { none: NO_OPERATOR },
  alertmanagerConfiguration: { none: NO_OPERATOR },
  alertmanagerConfigMatcherStrategy: { none: NO_OPERATOR },
  configSecret: { none: CONFIG_VALUE },
  useExistingSecret: { none: CONFIG_VALUE },
};

type SpecKeys = typeof SPEC_KEYS;

/** VictoriaMetrics' chart: its `chartValues` key. */
const VM_CHART = versions.charts.victoriaMetricsStack.chart;

/**
 * What VictoriaMetrics' Alertmanager sets for each key of kube-prometheus-stack's
 * `alertmanager.alertmanagerSpec`: the VMAlertmanager field of the same meaning under
 * victoria-metrics-k8s-stack's `alertmanager.spec`, which the chart writes into the CR as it is
 * (victoria-metrics-k8s-stack 0.80.0 values.yaml `alertmanager.spec`). Read, not run: the
 * Alertmanager fields in prometheus-operator v0.93.0 pkg/apis/monitoring/v1/alertmanager_types.go
 * (secrets :127, logLevel :151, logFormat :155, replicas :160, retention :165, volumes :174,
 * volumeMounts :179, externalUrl :191, routePrefix :197, nodeSelector :205, schedulerName :209,
 * affinity :215, tolerations :218, topologySpreadConstraints :221, securityContext :225 (a pod's),
 * initContainers :312, priorityClassName :316, additionalPeers :319, minReadySeconds :375), the
 * VMAlertmanager's in VictoriaMetrics/operator v0.66.0 api/operator/v1beta1/vmalertmanager_types.go
 * (logLevel :81, logFormat :85, retention :91, storage :97, externalURL :104, routePrefix :111, additionalPeers
 * :125) and vmextra_types.go CommonApplicationDeploymentParams (affinity :1196, tolerations :1199,
 * schedulerName :1202, priorityClassName :1220, nodeSelector :1234, securityContext :1238, whose
 * SecurityContext inlines a pod's (:1326), so `runAsUser` lies at the same path,
 * topologySpreadConstraints :1244, minReadySeconds :1259, replicaCount :1263, initContainers :1279,
 * secrets :1284, volumes :1293, volumeMounts :1297). A key not here is said as unknown, never dropped silently.
 */
const VM_SPEC_KEYS: SpecKeys = {
  // The chart writes replicaCount 1 where its values leave it unset (values.yaml:670).
  replicas: { to: "replicaCount", unset: 1 },
  externalUrl: { to: "externalURL" },
  // Like prometheus-operator, the VictoriaMetrics operator always passes --web.route-prefix, `/`
  // for an empty routePrefix (factory/vmalertmanager/statefulset.go:198-202), and the chart
  // writes `/` where its values leave it unset (values.yaml:677): compared as served.
  routePrefix: { to: "routePrefix", runs: { was: ROUTE_PREFIX.was, runs: ROUTE_PREFIX.was } },
  // Both operators copy the claim template as it is ("" being no class), the VictoriaMetrics one
  // in StorageSpec.IntoSTSVolume (vmextra_types.go:254-282), so the same path compares alike.
  storage: { to: "storage" },
  // The operator mounts each Secret at /etc/vm/secrets/<name>, where the program's configuration reads it.
  ...Object.fromEntries(
    [
      ...["retention", "additionalPeers", "secrets"],
      ...["nodeSelector", "tolerations", "affinity", "topologySpreadConstraints", "priorityClassName"],
      ...["schedulerName", "securityContext", "initContainers", "volumes", "volumeMounts"],
    ].map((k) => [k, { to: k }]),
  ),
  // The operator passes no --log.level for "" or "info" and no --log.format for ""
  // (statefulset.go:204-209), and minReadySeconds to the StatefulSet as given: where unset, each
  // runs at the standalone one's default, the same Alertmanager and StatefulSet defaults.
  ...Object.fromEntries(
    ["logLevel", "logFormat", "minReadySeconds"].map((k) => {
      const rule = SPEC_KEYS[k];
      return [k, { to: k, unset: "to" in rule ? rule.unset : undefined }];
    }),
  ),
  alertmanagerConfigSelector: {
    none: `no equivalent field: VictoriaMetrics' operator selects the VMAlertmanagerConfigs it converts AlertmanagerConfigs into by chartValues.${VM_CHART}.alertmanager.spec.configSelector (and configNamespaceSelector, selectAllByDefault)`,
  },
  alertmanagerConfigNamespaceSelector: {
    none: `no equivalent field: set chartValues.${VM_CHART}.alertmanager.spec.configNamespaceSelector`,
  },
};

/**
 * Where each Alertmanager that takes over from kube-prometheus-stack's is given what its spec held:
 * its release, its chart's values under `at`, the table of keys, and how a key unknown to it is said;
 * on the way back ({@link alertmanagerSpecBackVerdict}), what under `at` another verdict judges
 * (`backSkip`: the standalone chart's configuration file, {@link alertmanagerRoutesVerdict}).
 */
const SPEC_TARGETS: Partial<
  Record<
    Alertmanager,
    { release: string; chart: string; at: string[]; keys: SpecKeys; unknown: string; backSkip: string[] }
  >
> = {
  standalone: {
    release: RELEASES.alertmanager,
    chart: AM_CHART,
    at: [],
    keys: SPEC_KEYS,
    unknown: "this check knows no key of the alertmanager chart that sets it",
    backSkip: ["config"],
  },
  vm: {
    release: RELEASES.vm,
    chart: VM_CHART,
    at: ["alertmanager", "spec"],
    keys: VM_SPEC_KEYS,
    unknown: `this check knows no key of ${VM_CHART}'s alertmanager.spec that sets it`,
    backSkip: [],
  },
};

/** Where kube-prometheus-stack's Alertmanager's spec is in its release's values. */
const KPS_SPEC = ["alertmanager", "alertmanagerSpec"];

/** The entry of `keys` for `path` (under alertmanagerSpec): the longest key that prefixes it. */
function specKeyOf(path: (string | number)[], keys: SpecKeys) {
  for (let n = path.length; n > 0; n--) {
    const key = path.slice(0, n).join(".");
    if (key in keys) return { key: path.slice(0, n), rule: keys[key] };
  }
  return undefined;
}

/**
 * The `--against` warning of kube-prometheus-stack's Alertmanager's spec overrides
 * (`chartValues.kube-prometheus-stack.alertmanager.alertmanagerSpec.*`) that stop applying when
 * the standalone Alertmanager or VictoriaMetrics' takes the routes: its release stays with the
 * Alertmanager off, so nothing refuses them, and the objects below show only the two releases'
 * updates. An override of the previous export (what runs now) or of the next is said where the
 * new one's release in the next export does not hold the same value at its equivalent
 * ({@link SPEC_KEYS}, {@link VM_SPEC_KEYS}): one moved to the chart's key, or one the program
 * already gives both alike (`priorityClassName`), carries over. Paths only, never values. Warned,
 * not refused: the override may be left there on purpose.
 */
export function alertmanagerSpecVerdict(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): Verdict | undefined {
  const h = handoverOf(previous, next);
  const target = h?.was === "kps" ? SPEC_TARGETS[h.is] : undefined;
  if (!h || !target) return undefined;
  const kps = releaseIn(previous, RELEASES.kubePrometheusStack);
  const taker = releaseIn(next, target.release);
  if (!kps || !taker) return undefined;
  const chart = String(kps.inputs.chart ?? RELEASES.kubePrometheusStack);
  const spec = `chartValues.${chart}.${KPS_SPEC.join(".")}`;
  const [was, now] = [plainValue(kps.inputs.values), plainValue(taker.inputs.values)];
  const paths = [...new Set([...overridesUnder(previous, spec), ...overridesUnder(next, spec)])];
  const dropped = paths.flatMap((p) => {
    const path = parseSegments(p);
    const found = specKeyOf(path, target.keys);
    const key = propertyPath("chartValues", [chart, ...KPS_SPEC, ...path]);
    if (!found) return [`${stackKeyAt(key, at)}: ${target.unknown}`];
    const { rule } = found;
    if ("none" in rule) return [`${stackKeyAt(key, at)}: ${rule.none}`];
    const to = [...target.at, ...parseSegments(rule.to), ...(rule.whole ? [] : path.slice(found.key.length))];
    const old = valueAt(was, [...KPS_SPEC, ...(rule.whole ? found.key : path)]);
    // What the new one runs with: its value, else its default for the whole key.
    const given = valueAt(now, to);
    const runs = given === undefined && path.length === found.key.length ? rule.unset : given;
    // Maps alike whatever their keys' order (the chart's mounts are built in another).
    const same = rule.runs
      ? configDiff(rule.runs.was(old), rule.runs.runs(given, now)).length === 0
      : configDiff(rule.whole ? rule.whole(old) : old, runs).length === 0;
    return same ? [] : [`${stackKeyAt(key, at)}: set ${propertyPath("chartValues", [target.chart, ...to])}`];
  });
  if (dropped.length === 0) return undefined;
  return {
    line: `WARNING Alertmanager overrides stop applying with the hand-over: from this update ${NAMES[h.is]} routes alerts, and nothing reads kube-prometheus-stack's alertmanager.alertmanagerSpec, where the stack sets what ${h.is === "vm" ? "VictoriaMetrics' one" : "the standalone one"} is not given: ${dropped.join("; ")}`,
    refused: false,
  };
}

/**
 * Whether the override at `path` (below the Alertmanager's spec in its release's values), whose
 * value there was `value`, is what kube-prometheus-stack's Alertmanager is given too (`kps`, its
 * release's values in the next export): a key of `keys` carried over as it is (no `whole`, `runs`)
 * maps onto it, and kube-prometheus-stack's alertmanagerSpec holds the same there, as
 * {@link alertmanagerSpecVerdict} keeps quiet about the way there.
 */
function carriedBack(path: (string | number)[], keys: SpecKeys, value: unknown, kps: unknown): boolean {
  return Object.entries(keys).some(([key, rule]) => {
    if ("none" in rule || rule.whole || rule.runs) return false;
    const to = parseSegments(rule.to);
    if (path.length < to.length || !to.every((k, i) => path[i] === k)) return false;
    const held = valueAt(kps, [...KPS_SPEC, ...parseSegments(key), ...path.slice(to.length)]);
    return held !== undefined && configDiff(held, value).length === 0;
  });
}

/**
 * The `--against` warning of the way back ({@link alertmanagerSpecVerdict} the other way): the
 * overrides of the standalone Alertmanager's chart or of the VMAlertmanager's spec that stop
 * applying when kube-prometheus-stack's Alertmanager takes the routes again (a move back to
 * dual-write), in the previous export (what runs now) or the next, but one kube-prometheus-stack's
 * alertmanagerSpec holds alike at the key the table maps to it ({@link carriedBack}). Said by path, without the
 * kube-prometheus-stack key to set: the tables above map its keys to the other charts', not each of
 * those charts' keys back (the standalone chart's `extraArgs`, `configmapReload`, a VMAlertmanager's
 * own fields have none, or several). Paths only, never values. Warned, not refused.
 */
export const alertmanagerSpecBackVerdict: typeof alertmanagerSpecVerdict = (previous, next, at) => {
  const h = handoverOf(previous, next);
  const from = h?.is === "kps" ? SPEC_TARGETS[h.was] : undefined;
  const release = from && releaseIn(previous, from.release);
  if (!h || !from || !release) return undefined;
  const chart = String(release.inputs.chart ?? from.release);
  const under = [chart, ...from.at];
  const kps = releaseIn(next, RELEASES.kubePrometheusStack);
  const [given, was] = [plainValue(kps?.inputs.values), plainValue(release.inputs.values)];
  const keys = [
    ...new Set(
      [...overrideSegmentsUnder(previous, under), ...overrideSegmentsUnder(next, under)]
        .filter((p) => !from.backSkip.includes(String(p[0])))
        .filter((p) => !carriedBack(p, from.keys, valueAt(was, [...from.at, ...p]), given))
        .map((p) => propertyPath("chartValues", [...under, ...p])),
    ),
  ].map((key) => stackKeyAt(key, at));
  if (keys.length === 0) return undefined;
  return {
    line: `WARNING Alertmanager overrides stop applying with the hand-over back: from this update ${NAMES.kps} routes alerts again, and it reads none of ${keys.join("; ")}. This check maps kube-prometheus-stack's alertmanager.alertmanagerSpec keys to ${NAMES[h.was]}'s, not these back: set what it needs under chartValues.${versions.charts.kubePrometheusStack.chart}.${KPS_SPEC.join(".")}`,
    refused: false,
  };
};

/** The warnings of a hand-over, for the change check: the silences, the routes, then the spec. */
export function alertmanagerHandoverVerdicts(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): Verdict[] {
  return [
    alertmanagerHandoverVerdict(previous, next),
    alertmanagerRoutesVerdict(previous, next),
    alertmanagerSpecVerdict(previous, next, at),
    alertmanagerSpecBackVerdict(previous, next, at),
  ].filter((v) => v !== undefined);
}
