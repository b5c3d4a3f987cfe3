/**
 * Regenerates builders/grafana/data/community-dashboards.json from the pinned chart archives with
 * the real Helm (synth/render/dashboards.ts says what is taken and why):
 *
 *   npx tsx scripts/genDashboards.ts
 *
 * Run it after bumping kube-prometheus-stack, loki or victoria-metrics-k8s-stack; a test fails
 * while the data differs from the render.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../config/paths";
import { renderCommunityDashboards } from "../synth/render/dashboards";

function main(): void {
  const root = projectRoot(__dirname);
  const data = renderCommunityDashboards(root);
  const target = path.join(root, "builders", "grafana", "data", "community-dashboards.json");
  fs.writeFileSync(target, JSON.stringify(data) + "\n");
  const by = new Map<string, number>();
  for (const d of data.dashboards) by.set(d.source, (by.get(d.source) ?? 0) + 1);
  console.log(`wrote ${target}: ${[...by].map(([s, n]) => `${n} from ${s}`).join(", ")}`);
}

main();
