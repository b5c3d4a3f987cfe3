/**
 * Regenerates builders/grafana/data/community-dashboards.json from the pinned chart archives with
 * the real Helm (synth/render/dashboards.ts says what is taken and why):
 *
 *   npx tsx scripts/genDashboards.ts [--allow-dropped <chart>]...
 *
 * Run it after bumping kube-prometheus-stack, loki or victoria-metrics-k8s-stack; a test fails
 * while the data differs from the render. A chart that gave dashboards to the data and gives fewer
 * now fails the run (exit 1), naming it, and the data stays as it was: a chart that moves its
 * dashboards out of its archive renders none without an error, and the program would delete them
 * from every stack's Grafana without a word. `--allow-dropped <chart>` lets that chart's go.
 */
import * as fs from "fs";
import * as path from "path";
import { projectRoot } from "../config/paths";
import {
  ALLOW_DROPPED,
  communityDashboardsFile,
  DASHBOARDS_GENERATOR,
  type CommunityDashboardsData,
} from "../builders/grafana/community";
import { listed } from "../model/words";
import { chartCacheDir } from "../synth/render/helm";
import { droppedSources, renderCommunityDashboards, type DroppedSource } from "../synth/render/dashboards";

/** The flag that lets one chart's dashboards go (repeat it per chart). */

export interface GenDashboardsRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** One message per chart whose dashboards the render drops, with the two ways on. */
function droppedText(
  root: string,
  d: DroppedSource,
  previous: CommunityDashboardsData,
  target: string,
): string {
  const was = previous.dashboards.filter((x) => x.source === d.chart);
  const folders = [...new Set(was.filter((x) => d.lost.includes(x.file)).map((x) => x.folder))];
  const archive = path.join(chartCacheDir(root), `${d.chart}-${d.to}.tgz`);
  return (
    `${d.chart} ${d.from} -> ${d.to}: ${target} has ${was.length} dashboard(s) of it, the render of ${d.to} gives ${d.found.length || "none"}; ` +
    `lost: ${listed(d.lost)}; found: ${d.found.length ? listed(d.found) : "none"}. ` +
    `Written as it is, the next update would remove them from Grafana's ${listed(folders)} folder in every stack without a word. ` +
    `Read where ${d.chart} ${d.to} ships its dashboards (tar -tzf ${archive}; its templates and values.yaml) and take them in synth/render/dashboards.ts; ` +
    `or, to let them go, run: ${DASHBOARDS_GENERATOR} ${ALLOW_DROPPED} ${d.chart} (docs/how-to/chart-upgrades.md)`
  );
}

/**
 * The script as a function of its arguments: renders the data, refuses it (exit 1, nothing
 * written) when it drops a chart's dashboards the data at `target` has, unless allowed, and
 * writes it. `bumped` (chart name to version) and `render` let a test render a bump without
 * committing one to model/versions.ts.
 */
export function genDashboards(
  args: readonly string[],
  opts: {
    root?: string;
    target?: string;
    bumped?: Readonly<Record<string, string>>;
    render?: () => CommunityDashboardsData;
  } = {},
): GenDashboardsRun {
  const root = opts.root ?? projectRoot(__dirname);
  const target = opts.target ?? communityDashboardsFile(root);
  const previous: CommunityDashboardsData = fs.existsSync(target)
    ? (JSON.parse(fs.readFileSync(target, "utf8")) as CommunityDashboardsData)
    : { generatedBy: "", dashboards: [] };
  const charts = [...new Set(previous.dashboards.map((d) => d.source))];
  const allowed = new Set<string>();
  const errors: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value =
      a === ALLOW_DROPPED
        ? args[++i]
        : a.startsWith(`${ALLOW_DROPPED}=`)
          ? a.slice(ALLOW_DROPPED.length + 1)
          : undefined;
    if (a !== ALLOW_DROPPED && value === undefined)
      errors.push(`unknown argument ${a}; the one flag is ${ALLOW_DROPPED} <chart>`);
    else if (!value || !charts.includes(value))
      errors.push(
        `${ALLOW_DROPPED}${value ? ` ${value}` : ""}: expected a chart ${target} has dashboards of (${listed(charts, "or")}), found ${value ? JSON.stringify(value) : "nothing"}`,
      );
    else allowed.add(value);
  }
  if (errors.length > 0)
    return {
      code: 2,
      stdout: "",
      stderr: errors.map((e) => `${DASHBOARDS_GENERATOR}: ${e}`).join("\n") + "\n",
    };
  const bumped = opts.bumped ?? {};
  const data = opts.render ? opts.render() : renderCommunityDashboards(root, bumped);
  const dropped = droppedSources(previous, data, bumped);
  const refused = dropped.filter((d) => !allowed.has(d.chart));
  if (refused.length > 0)
    return {
      code: 1,
      stdout: "",
      stderr:
        refused.map((d) => `${DASHBOARDS_GENERATOR}: ${droppedText(root, d, previous, target)}`).join("\n") +
        `\n${DASHBOARDS_GENERATOR}: ${target} not written\n`,
    };
  fs.writeFileSync(target, JSON.stringify(data) + "\n");
  const by = new Map<string, number>();
  for (const d of data.dashboards) by.set(d.source, (by.get(d.source) ?? 0) + 1);
  const letGo = dropped.map(
    (d) =>
      `; ${d.lost.length} of ${d.chart} dropped (${d.from} -> ${d.to}, ${ALLOW_DROPPED}): ${listed(d.lost)}`,
  );
  return {
    code: 0,
    stdout: `wrote ${target}: ${[...by].map(([s, n]) => `${n} from ${s}`).join(", ")}${letGo.join("")}\n`,
    stderr: "",
  };
}

if (require.main === module) {
  const run = genDashboards(process.argv.slice(2));
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  process.exitCode = run.code;
}
