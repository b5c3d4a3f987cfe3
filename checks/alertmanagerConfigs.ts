/**
 * Every Alertmanager configuration file the rendered stack holds, judged by what Alertmanager
 * 0.28.1 refuses at load (builders/alerting/configCheck.ts, where the rules and their sources are).
 */
import { notYamlMessage, parseUserYaml } from "../model/yamlText";
import { alertmanagerConfigProblems } from "../builders/alerting/configCheck";
import { describe, filesOf, type Finding, type K8sObject, type Placed } from "./objects";
import { alertmanagerTakes } from "../upstream/alertmanagerConfigSelection";
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

/**
 * The warning of each AlertmanagerConfig no Alertmanager of the rendered stack takes: its routes
 * and receivers reach no configuration, so the alerts it routes are never sent by it, which nothing
 * else says (the standalone Alertmanager's chart reads no AlertmanagerConfig; kube-prometheus-stack
 * renders no Alertmanager once the backend's takes the routes). Not said where a VMAlertmanager is
 * rendered: the VictoriaMetrics operator converts AlertmanagerConfigs for its own
 * (checks/readers.ts configCrExpandsSns), a selection not modelled here. Warned, not refused: an
 * Alertmanager outside the stack may take it.
 */
export function unselectedConfigWarnings(objects: Placed[]): string[] {
  if (objects.some((p) => p.obj.kind === "VMAlertmanager")) return [];
  const alertmanagers = objects.filter((p) => isOperatorAlertmanager(p.obj));
  return objects
    .filter((p) => isAlertmanagerConfig(p.obj))
    .filter((p) => alertmanagers.every((am) => takenBy(am.obj, p.obj, objects) === false))
    .map(
      (p) =>
        `${describe(p)}: no Alertmanager of the stack takes it (${
          alertmanagers.length === 0
            ? "the stack renders no prometheus-operator Alertmanager, and no other Alertmanager reads an AlertmanagerConfig"
            : `${alertmanagers.map((a) => `${a.obj.metadata.namespace}/${a.obj.metadata.name}`).join(", ")}: not by its alertmanagerConfigSelector and alertmanagerConfigNamespaceSelector`
        }), so no Alertmanager of the stack sends alerts to its receivers; ${alertmanagers.length === 0 ? NO_OPERATOR_REMEDY : "remove it, or label it (or its namespace) as an Alertmanager's selectors ask"}`,
    );
}
