/**
 * Every Alertmanager configuration file the rendered stack holds, judged by what Alertmanager
 * 0.28.1 refuses at load (builders/alerting/configCheck.ts, where the rules and their sources are).
 */
import { notYamlMessage, parseUserYaml } from "../model/yamlText";
import { alertmanagerConfigProblems } from "../builders/alerting/configCheck";
import { describe, filesOf, type Finding, type Placed } from "./objects";

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
