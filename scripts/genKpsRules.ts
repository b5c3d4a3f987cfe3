/**
 * Regenerates builders/alerting/data/kps-default-rules.json: the kube-prometheus-stack default
 * alerting and recording rules, rendered by the real Helm from the pinned chart archive with the
 * program's own KPS values and `defaultRules.create: true`. The program ships them as its own
 * PrometheusRule so they outlive KPS; nothing is downloaded at runtime.
 *
 *   npx tsx scripts/genKpsRules.ts
 *
 * Helm and the chart archive are found as synth/render/helm.ts finds them (HOMELAB_HELM,
 * .tools/helm; HOMELAB_CHART_CACHE, else the default chart cache).
 * Run it after bumping `versions.charts.kubePrometheusStack`; a test fails while the data's chart
 * version differs from the pinned one.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { execFileSync } from "child_process";
import { loadAll } from "js-yaml";
import { stringify } from "yaml";
import { generatorKpsValues } from "../builders/metrics/kpsValues";
import { versions } from "../model/versions";
import { KPS_RULES_NAMESPACE_PLACEHOLDER, type KpsRulesData } from "../builders/alerting/kpsRules";
import type { RuleGroup } from "../builders/alerting/rules";
import { projectRoot } from "../config/paths";
import { chartCacheDir, helmBinary } from "../synth/render/helm";

/** The rule data as rendered now from the pinned chart archive. */
export function renderKpsRules(root: string = projectRoot(__dirname)): KpsRulesData {
  const helm = helmBinary(root);
  const chartRef = versions.charts.kubePrometheusStack;
  const archive = path.join(chartCacheDir(root), `${chartRef.chart}-${chartRef.version}.tgz`);
  if (!fs.existsSync(archive))
    throw new Error(`no chart archive ${archive} (set HOMELAB_CHART_CACHE to the chart cache)`);

  const values = generatorKpsValues();
  // The only change from what the program deploys: the chart's default rules switched on.
  values.defaultRules = { create: true };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kps-rules-"));
  const valuesFile = path.join(dir, "values.yaml");
  fs.writeFileSync(valuesFile, stringify(values));
  const out = execFileSync(
    helm,
    ["template", "kps", archive, "--namespace", KPS_RULES_NAMESPACE_PLACEHOLDER, "-f", valuesFile],
    { encoding: "utf8", maxBuffer: 256 * 2 ** 20 },
  );
  const groups: RuleGroup[] = [];
  // js-yaml, as every render is parsed (synth/render/manifest.ts): several times faster than `yaml`.
  for (const obj of loadAll(out) as any[]) {
    if (obj?.kind !== "PrometheusRule") continue;
    groups.push(...(obj.spec.groups as RuleGroup[]));
  }
  if (groups.length === 0)
    throw new Error("helm rendered no PrometheusRule: did defaultRules.create take effect?");
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    generatedBy: "scripts/genKpsRules.ts",
    chart: chartRef.chart,
    version: chartRef.version,
    namespacePlaceholder: KPS_RULES_NAMESPACE_PLACEHOLDER,
    groups,
  };
}

export const KPS_RULES_FILE = ["builders", "alerting", "data", "kps-default-rules.json"];

function main(): void {
  const root = projectRoot(__dirname);
  const data = renderKpsRules(root);
  const groups = data.groups;
  const target = path.join(root, ...KPS_RULES_FILE);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, JSON.stringify(data, null, 1) + "\n");
  const rules = groups.reduce((n, g) => n + g.rules.length, 0);
  console.log(`wrote ${target}: ${groups.length} groups, ${rules} rules from ${data.chart} ${data.version}`);
}

if (require.main === module) main();
