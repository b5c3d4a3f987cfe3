/**
 * Every Alertmanager configuration file the rendered stack holds, judged by what Alertmanager
 * 0.28.1 refuses at load (builders/alerting/configCheck.ts, where the rules and their sources are).
 */
import { notYamlMessage, parseUserYaml } from "../model/yamlText";
import { alertmanagerConfigProblems } from "../builders/alerting/configCheck";
import { describe, filesOf, type Finding, type K8sObject, type Placed } from "./objects";
import { alertmanagerTakes, vmAlertmanagerTakes } from "../upstream/alertmanagerConfigSelection";
import {
  containerEnv,
  converterOff,
  convertsNo,
  vmEnvFrom,
  vmOperators,
  vmWatchList,
  VM_CONVERTER_ENV,
  VM_CONVERTER_LABEL_FILTER,
} from "../upstream/ruleSelection";
import { scaledToZero } from "../upstream/prometheusOperatorScope";
import { versions } from "../model/versions";

/** Where each pinned chart puts the file: the alertmanager chart's ConfigMap (`alertmanager.yml`), kube-prometheus-stack's and VictoriaMetrics' Secret (`alertmanager.yaml`). */
const CONFIG_FILE = /^alertmanager\.ya?ml$/;

/** One Alertmanager configuration file found in a rendered object. */
interface ConfigFile {
  at: Placed;
  key: string;
  text: string;
}

/** The Alertmanager configuration files of the rendered objects (their text as objects.ts filesOf reads it). */
function configFiles(objects: Placed[]): ConfigFile[] {
  const out: ConfigFile[] = [];
  for (const p of objects) {
    for (const [key, text] of filesOf(p.obj)) if (CONFIG_FILE.test(key)) out.push({ at: p, key, text });
    // A VMAlertmanager given its file inline (victoria-metrics-k8s-stack `alertmanager.spec.configRawYaml`).
    const raw: unknown = p.obj.kind === "VMAlertmanager" ? p.obj.spec?.configRawYaml : undefined;
    if (typeof raw === "string") out.push({ at: p, key: "spec.configRawYaml", text: raw });
  }
  return out;
}

/** Judges every Alertmanager configuration file of the rendered stack. */
export function checkAlertmanagerConfigs(objects: Placed[]): { judged: number; findings: Finding[] } {
  const findings: Finding[] = [];
  const files = configFiles(objects);
  for (const f of files) {
    const where = `${describe(f.at)} ${f.key}`;
    let config: unknown;
    try {
      config = parseUserYaml(f.text);
    } catch (e) {
      findings.push({
        check: "alertmanager-config",
        where,
        // Receivers' passwords and webhook URLs sit on its lines: the place and reason alone.
        message: notYamlMessage(f.key, f.text, e, "an Alertmanager config (YAML)"),
      });
      continue;
    }
    for (const p of alertmanagerConfigProblems(config))
      findings.push({
        check: "alertmanager-config",
        where,
        message: `${p.path}: ${p.message}`,
        // What the verdict rests on names its override, not a receiver's name that an unrelated
        // override (a route to that receiver) also writes.
        judged: p.judged ?? [p.path],
      });
  }
  return { judged: files.length, findings };
}

/** Whether `obj` is an AlertmanagerConfig (monitoring.coreos.com), or an Alertmanager resource. */
export const isAlertmanagerConfig = (obj: K8sObject) =>
  obj.kind === "AlertmanagerConfig" && obj.apiVersion.startsWith("monitoring.coreos.com/");
const isOperatorAlertmanager = (obj: K8sObject) =>
  obj.kind === "Alertmanager" && obj.apiVersion.startsWith("monitoring.coreos.com/");

/**
 * Whether prometheus-operator's Alertmanager `am` takes AlertmanagerConfig `cfg` of the rendered
 * `objects` (upstream/alertmanagerConfigSelection.ts), its namespace's labels those of the stack's
 * Namespace object of that name; undefined where they are not known and the answer rests on them.
 */
export function takenBy(am: K8sObject, cfg: K8sObject, objects: Placed[]): boolean | undefined {
  const namespace = cfg.metadata.namespace ?? "";
  const ns = objects.find((p) => p.obj.kind === "Namespace" && p.obj.metadata.name === namespace);
  return alertmanagerTakes(am, {
    name: cfg.metadata.name,
    namespace,
    labels: cfg.metadata.labels ?? {},
    namespaceLabels: ns ? (ns.obj.metadata.labels ?? {}) : undefined,
  });
}

/**
 * Where the stack file gives the routing Alertmanager what an AlertmanagerConfig held: the program's
 * receivers, or the chart's `config`, whose lists replace the program's (Helm merges maps, not
 * lists: builders/alerting/configCheck.ts).
 */
const NO_OPERATOR_REMEDY = `remove it, or give its receivers to the Alertmanager that routes: homelab-observability:alerting.receivers, or with its routes under chartValues.${versions.charts.alertmanager.chart}.config (a list there replaces the program's)`;

/** One VictoriaMetrics operator watching the namespaces its WATCH_NAMESPACE lists. */
interface WatchingOperator {
  namespaces: string[];
  /** `WATCH_NAMESPACE "…" of Deployment <ns>/<name>`, for a message. */
  said: string;
  /** Whether it converts AlertmanagerConfigs. */
  converts: boolean;
  /** Whether victoria-metrics-operator's chart renders it, so {@link WATCH_KEY} sets its list. */
  chart: boolean;
  /** `Deployment <ns>/<name>`. */
  deployment: string;
}

/**
 * What the VictoriaMetrics operators watch: the namespaces their WATCH_NAMESPACE lists (all of
 * them), who sets it, and each operator. Each reconciles only what its lists hold: its manager's
 * cache holds those namespaces alone (operator v0.66.0 internal/manager/manager.go:220-228,
 * 253-255: `DefaultNamespaces`), so a VMAlertmanager elsewhere is reconciled by none, and the
 * VMAlertmanagerConfigs one reads are those its own lists hold (k8stools/selectors.go:74-83). The
 * operator has no other way to split objects between two of it (no controller id: WATCH_NAMESPACE
 * is config.go:709-723's only scope), so two operators are judged each by its own list.
 */
interface Watched {
  namespaces: string[];
  /** The operators and their values, for a message. */
  said: string;
  operators: WatchingOperator[];
}

/**
 * What the rendered VictoriaMetrics operators do with AlertmanagerConfigs: convert each into a
 * VMAlertmanagerConfig, its labels of the `dropped` prefixes left out (upstream/ruleSelection.ts
 * VM_CONVERTER_LABEL_FILTER; an empty value is the default, none: caarlos0/env v11.3.1
 * env.go:640-652), those of the `watched` namespaces only where every operator's WATCH_NAMESPACE
 * lists some (internal/config/config.go:709-723: a comma list, the container's last entry of the
 * name; the converter lists and watches those alone, vmprometheusconverter_controller.go:163-180,
 * and the VMAlertmanager reads those in place of any namespace selector, k8stools/selectors.go:74-83),
 * or none (`off`, why). Undefined where the render does not say: no operator rendered (none running), one taking
 * its environment from elsewhere (`envFrom`), operators that filter differently, or some watching
 * a list and some every namespace.
 */
function vmConversion(
  objects: Placed[],
): { dropped: string[]; watched?: Watched } | { off: string } | undefined {
  // One scaled to 0 runs no pod, so converts nothing and reconciles nothing (upstream/
  // prometheusOperatorScope.ts scaledToZero): what the others do is what is done. With all of them
  // at 0 no VMAlertmanager runs at all, which checks/unreconciledResources.ts says.
  const operators = vmOperators(objects.map((p) => p.obj)).filter((o) => !scaledToZero(o));
  const lists = operators.map(vmWatchList);
  const listing = lists.filter((l) => l !== undefined).length;
  if (operators.length === 0 || operators.some(vmEnvFrom) || (listing > 0 && listing < operators.length))
    return undefined;
  if (operators.every((o) => convertsNo(o, "AlertmanagerConfig"))) {
    const values = [...new Set(operators.map((o) => JSON.stringify(converterOff(o, "AlertmanagerConfig"))))];
    return {
      off: `${operators.map((o) => `Deployment ${o.metadata.namespace}/${o.metadata.name}`).join(", ")} ${operators.length > 1 ? "convert" : "converts"} no AlertmanagerConfig into a VMAlertmanagerConfig (${VM_CONVERTER_ENV.AlertmanagerConfig} ${values.join(", ")})`,
    };
  }
  const filters = new Set(
    operators
      .filter((o) => !convertsNo(o, "AlertmanagerConfig"))
      .map((o) => containerEnv(o, VM_CONVERTER_LABEL_FILTER).pop() ?? ""),
  );
  const dropped = [...filters][0] === "" ? [] : [...filters][0].split(",");
  if (filters.size !== 1 || dropped.includes("")) return undefined;
  if (listing === 0) return { dropped };
  const each = operators.map((o, i): WatchingOperator => ({
    namespaces: lists[i] ?? [],
    said: `WATCH_NAMESPACE ${JSON.stringify((lists[i] ?? []).join(","))} of Deployment ${o.metadata.namespace}/${o.metadata.name}`,
    converts: !convertsNo(o, "AlertmanagerConfig"),
    chart: fromOperatorChart(o),
    deployment: `Deployment ${o.metadata.namespace}/${o.metadata.name}`,
  }));
  // An operator the chart does not label is its chart's when it is the only one.
  if (each.length === 1 && !each.some((o) => o.chart)) each[0].chart = true;
  return {
    dropped,
    watched: {
      namespaces: [...new Set(each.flatMap((o) => o.namespaces))],
      said: each.map((o) => o.said).join(", "),
      operators: each,
    },
  };
}

/** Whether victoria-metrics-operator's chart rendered Deployment `o` (its `helm.sh/chart` label). */
const fromOperatorChart = (o: K8sObject) =>
  /^victoria-metrics-operator-\d/.test(o.metadata.labels?.["helm.sh/chart"] ?? "");

/** The operators of `watched` that reconcile VMAlertmanager `am`: those watching its namespace. */
const reconciling = (am: K8sObject, watched: Watched) =>
  watched.operators.filter((o) => o.namespaces.includes(am.metadata.namespace ?? ""));

/** Whether some operator converting AlertmanagerConfigs watches `namespace`. */
const converted = (namespace: string, watched: Watched) =>
  watched.operators.some((o) => o.converts && o.namespaces.includes(namespace));

const isVmAlertmanager = (obj: K8sObject) =>
  obj.kind === "VMAlertmanager" && obj.apiVersion.startsWith("operator.victoriametrics.com/");

/** Whether VMAlertmanager `am` takes AlertmanagerConfig `cfg` of the rendered `objects` once converted ({@link takenBy}'s rules for its namespace). */
function vmTakenBy(
  am: K8sObject,
  cfg: K8sObject,
  objects: Placed[],
  dropped: string[],
  watched?: Watched,
): boolean | undefined {
  const namespace = cfg.metadata.namespace ?? "";
  const ns = objects.find((p) => p.obj.kind === "Namespace" && p.obj.metadata.name === namespace);
  const subject = {
    name: cfg.metadata.name,
    namespace,
    labels: cfg.metadata.labels ?? {},
    namespaceLabels: ns ? (ns.obj.metadata.labels ?? {}) : undefined,
  };
  if (!watched) return vmAlertmanagerTakes(am, subject, dropped);
  // Judged by each operator reconciling it, through the VMAlertmanagerConfigs that operator reads.
  if (!converted(namespace, watched)) return false;
  const verdicts = reconciling(am, watched).map((o) =>
    vmAlertmanagerTakes(am, subject, dropped, o.namespaces),
  );
  return verdicts.includes(true) ? true : verdicts.includes(undefined) ? undefined : false;
}

/**
 * Where the stack file sets WATCH_NAMESPACE: victoria-metrics-operator's chart writes it from
 * `watchNamespaces` (victoria-metrics-k8s-stack 0.80.0 charts/victoria-metrics-operator/templates/
 * server.yaml:64-66), after its `env` entries, so its entry is the container's (the kubelet's
 * makeEnvironmentVariables keeps the last entry of a name). The list may come from `env` instead:
 * the message names the value, not who wrote it, and the remedy the whole list to set.
 */
const WATCH_KEY = `chartValues.${versions.charts.victoriaMetricsStack.chart}.victoria-metrics-operator.watchNamespaces`;

/** Why VMAlertmanager `am` takes no AlertmanagerConfig (in namespace `namespace`) it was judged not to take. */
function vmNotTaken(
  am: K8sObject,
  conversion: { dropped: string[]; watched?: Watched } | { off: string },
  namespace: string,
): string {
  const named = `VMAlertmanager ${am.metadata.namespace}/${am.metadata.name}`;
  if ("off" in conversion) return `${named}: ${conversion.off}`;
  const watched = conversion.watched;
  const listed = (names: string[]) => names.map((n) => JSON.stringify(n)).join(", ");
  if (watched && !converted(namespace, watched))
    return `${named}: the VictoriaMetrics operator converts no AlertmanagerConfig outside the namespaces it watches, ${listed(watched.namespaces)} (${watched.said}), and ${JSON.stringify(namespace)} is not among them`;
  const mine = watched ? reconciling(am, watched) : [];
  if (watched && mine.length === 0)
    return `${named}: no VictoriaMetrics operator reconciles it, as its namespace ${JSON.stringify(am.metadata.namespace ?? "")} is outside those they watch, ${listed(watched.namespaces)} (${watched.said}), so it takes no VMAlertmanagerConfig`;
  const reads = [...new Set(mine.flatMap((o) => o.namespaces))];
  if (watched && !reads.includes(namespace))
    return `${named}: its VictoriaMetrics operator (${mine.map((o) => o.said).join(", ")}) reads no VMAlertmanagerConfig outside ${listed(reads)}, and ${JSON.stringify(namespace)} is not among them`;
  const spec = am.spec ?? {};
  if (spec.configSelector == null && spec.configNamespaceSelector == null)
    return `${named}: its configSelector and configNamespaceSelector are unset and its selectAllByDefault is not true, so it takes no VMAlertmanagerConfig`;
  const dropped = conversion.dropped.length
    ? `, but those starting ${conversion.dropped.map((d) => JSON.stringify(d)).join(", ")} (${VM_CONVERTER_LABEL_FILTER})`
    : "";
  const scope = watched
    ? `, in the namespaces its operator watches (${mine.map((o) => o.said).join(", ")}) whatever its configNamespaceSelector`
    : "";
  return `${named}: not by its configSelector and configNamespaceSelector, which select the VMAlertmanagerConfig the VictoriaMetrics operator converts it into (its name, namespace and labels${dropped})${scope}`;
}

/**
 * The warning of each AlertmanagerConfig no Alertmanager of the rendered stack takes: its routes
 * and receivers reach no configuration, so the alerts it routes are never sent by it, which nothing
 * else says (the standalone Alertmanager's chart reads no AlertmanagerConfig; kube-prometheus-stack
 * renders no Alertmanager once the backend's takes the routes). A VMAlertmanager takes it through
 * the VictoriaMetrics operator's conversion (upstream/alertmanagerConfigSelection.ts
 * vmAlertmanagerTakes): after the hand-over to VictoriaMetrics' Alertmanager, a CR
 * kube-prometheus-stack's took and the VMAlertmanager's selectors leave out is said, naming them.
 * Nothing is said where the render does not show what the operator converts ({@link vmConversion}).
 * Warned, not refused: an Alertmanager outside the stack may take it.
 */
export function unselectedConfigWarnings(objects: Placed[]): string[] {
  const alertmanagers = objects.filter((p) => isOperatorAlertmanager(p.obj));
  const vmAlertmanagers = objects.filter((p) => isVmAlertmanager(p.obj));
  const conversion = vmAlertmanagers.length > 0 ? vmConversion(objects) : { dropped: [] };
  if (conversion === undefined) return [];
  const dropped = "dropped" in conversion ? conversion.dropped : undefined;
  const watched = "dropped" in conversion ? conversion.watched : undefined;
  /**
   * The watch list that would let a VMAlertmanager take `p`: its operator's (the chart's, else the
   * first), with the CR's namespace where a watch list is why it is not taken, and the namespace of
   * each VMAlertmanager no operator reconciles; undefined where no watch list is why.
   */
  const watchRemedy = (p: Placed): string | undefined => {
    if (!watched || alertmanagers.length > 0) return undefined;
    const ns = p.obj.metadata.namespace ?? "";
    const unreconciled = vmAlertmanagers
      .filter((a) => reconciling(a.obj, watched).length === 0)
      .map((a) => a.obj.metadata.namespace ?? "");
    const unread =
      !converted(ns, watched) ||
      vmAlertmanagers.some((a) => !reconciling(a.obj, watched).some((o) => o.namespaces.includes(ns)));
    const target = watched.operators.find((o) => o.chart) ?? watched.operators[0];
    const missing = [...(unread && !target.namespaces.includes(ns) ? [ns] : []), ...unreconciled];
    if (missing.length === 0) return undefined;
    const list = [...new Set([...target.namespaces, ...missing])];
    const whose = [
      ...(missing.includes(ns) ? ["its namespace"] : []),
      ...(unreconciled.length > 0
        ? [missing.includes(ns) ? "the VMAlertmanager's" : "the VMAlertmanager's namespace"]
        : []),
    ].join(" and ");
    const set = target.chart
      ? `${WATCH_KEY} ${JSON.stringify(list)} (the chart writes WATCH_NAMESPACE from it after any env entry of that name, which it overrides)`
      : `WATCH_NAMESPACE ${JSON.stringify(list.join(","))} on ${target.deployment}`;
    return `remove it, move it into a namespace the operator watches, or watch ${whose} too: ${set}`;
  };
  return objects
    .filter((p) => isAlertmanagerConfig(p.obj))
    .filter((p) => alertmanagers.every((am) => takenBy(am.obj, p.obj, objects) === false))
    .filter(
      (p) =>
        !dropped ||
        vmAlertmanagers.every((am) => vmTakenBy(am.obj, p.obj, objects, dropped, watched) === false),
    )
    .map((p) => {
      const why = [
        ...alertmanagers.map(
          (a) =>
            `${a.obj.metadata.namespace}/${a.obj.metadata.name}: not by its alertmanagerConfigSelector and alertmanagerConfigNamespaceSelector`,
        ),
        ...vmAlertmanagers.map((a) => vmNotTaken(a.obj, conversion, p.obj.metadata.namespace ?? "")),
      ];
      // Labels help only where some Alertmanager has a selector to match.
      const selecting =
        alertmanagers.length > 0 ||
        vmAlertmanagers.some(
          (a) => a.obj.spec?.configSelector != null || a.obj.spec?.configNamespaceSelector != null,
        );
      const remedy =
        why.length === 0
          ? NO_OPERATOR_REMEDY
          : "off" in conversion
            ? `remove it, or let the VictoriaMetrics operator convert AlertmanagerConfigs (no false ${VM_CONVERTER_ENV.AlertmanagerConfig})`
            : (watchRemedy(p) ??
              (selecting
                ? "remove it, or label it (or its namespace) as an Alertmanager's selectors ask"
                : "remove it, or give the VMAlertmanager selectors that take it (spec.selectAllByDefault true, or a configSelector or configNamespaceSelector)"));
      return `${describe(p)}: no Alertmanager of the stack takes it (${
        why.length === 0
          ? "the stack renders no prometheus-operator Alertmanager, and no other Alertmanager reads an AlertmanagerConfig"
          : why.join("; ")
      }), so no Alertmanager of the stack sends alerts to its receivers; ${remedy}`;
    });
}
