/**
 * Every Alertmanager configuration file the rendered stack holds, judged by what Alertmanager
 * 0.28.1 refuses at load (builders/alerting/configCheck.ts, where the rules and their sources are).
 */
import { parse } from "yaml";
import { alertmanagerConfigProblems } from "../builders/alerting/configCheck";
import { describe, type Finding, type Placed } from "./objects";

/** Where each pinned chart puts the file: the alertmanager chart's ConfigMap (`alertmanager.yml`), kube-prometheus-stack's and VictoriaMetrics' Secret (`alertmanager.yaml`). */
const CONFIG_FILE = /^alertmanager\.ya?ml$/;

/** One Alertmanager configuration file found in a rendered object. */
interface ConfigFile {
  at: Placed;
  key: string;
  text: string;
}

/** The Alertmanager configuration files of the rendered objects. */
function configFiles(objects: Placed[]): ConfigFile[] {
  const out: ConfigFile[] = [];
  for (const p of objects) {
    const o = p.obj;
    const add = (key: string, text: unknown) => {
      if (typeof text === "string") out.push({ at: p, key, text });
    };
    if (o.kind === "ConfigMap" || o.kind === "Secret") {
      for (const [k, v] of Object.entries<unknown>(o.stringData ?? {})) if (CONFIG_FILE.test(k)) add(k, v);
      for (const [k, v] of Object.entries<unknown>(o.data ?? {}))
        if (CONFIG_FILE.test(k))
          add(
            k,
            o.kind === "Secret" && typeof v === "string" ? Buffer.from(v, "base64").toString("utf8") : v,
          );
    }
    // A VMAlertmanager given its file inline (victoria-metrics-k8s-stack `alertmanager.spec.configRawYaml`).
    if (o.kind === "VMAlertmanager") add("spec.configRawYaml", o.spec?.configRawYaml);
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
      config = parse(f.text);
    } catch (e) {
      findings.push({
        check: "alertmanager-config",
        where,
        message: `expected YAML, got text that does not parse: ${(e as Error).message.split("\n")[0]}`,
      });
      continue;
    }
    for (const p of alertmanagerConfigProblems(config))
      findings.push({ check: "alertmanager-config", where, message: `${p.path}: ${p.message}` });
  }
  return { judged: files.length, findings };
}
