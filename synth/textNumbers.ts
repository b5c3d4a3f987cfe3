/**
 * `npm run refresh-text-numbers`: regenerates upstream/charts/data/text-numbers.json: per pinned
 * chart, the number keys at which a whole number written as text ("7") renders as the number does
 * (`any`), and those where only the text of a number above 0 does (`nonzero`: "0" renders
 * otherwise). upstream/chartTextNumbers.ts reads it; config/chartValueCheck.ts accepts such text
 * there and refuses it everywhere else.
 *
 *   npm run refresh-text-numbers                     sweep, print what differs from the data
 *   npm run refresh-text-numbers -- --write          sweep and write the data
 *   npm run refresh-text-numbers -- --check          sweep; exit 1 naming each chart and key that differ
 *   npm run refresh-text-numbers -- --chart <chart>  that pinned chart alone (its row)
 *
 * Run it after a chart bump in model/versions.ts (docs/how-to/chart-upgrades.md): a test fails
 * while a chart's row is of another version than the pinned one. Slow (thousands of renders, two
 * Helm processes at a time: kube-prometheus-stack alone takes minutes), so neither CI nor the
 * suite runs it.
 *
 * Everything is the project's: the pinned charts (model/versions.ts) from the chart cache and Helm
 * as synth/render/helm.ts finds them (HOMELAB_CHART_CACHE, HOMELAB_HELM, .tools/helm), the number
 * keys from each archive (config/chartKeys.ts `kinds`: the keys whose default is a number), the
 * values every stack file of the project gives each chart (its Release's values, synthesized in
 * process as `synth` does), the `helm template` command line the program renders with
 * (synth/render/template.ts templateArgs) and the API versions of the CRDs each stack installs.
 *
 * The method. The values sets of a chart: each distinct values of its Releases in the stacks,
 * and the chart's defaults (`{}`, with the first Release's name and namespace). A set whose own
 * render fails is left out (loki's defaults: the chart demands a bucket); one that renders
 * otherwise each time (victoria-metrics-k8s-stack's defaults make a new CA and admin password) has
 * the leaves that differ between two renders of it set aside in each comparison over it. For every
 * number key, in each set: `helm template` with the key set to 7 and to 0; the set reads the key
 * where the two renders differ. Where it does, with the key set to "7" and to "0". Renders are
 * compared parsed, object by object (by apiVersion, kind, namespace and name) and leaf by leaf, an
 * error by its text, an object over 256 KiB (a CRD) by its text's digest. Listed: a key some set
 * reads, where "7" renders as 7 in every set that reads it (`any` where "0" also renders as 0 in
 * each, else `nonzero`). Not listed: a key no set reads (nothing seen, nothing claimed), and a key
 * whose "7" renders otherwise in some set (Helm refuses it by the chart's schema, or the object
 * holds the text); the sets after the first such one are not rendered, which changes nothing.
 */
import * as fs from "fs";
import * as path from "path";
import { closestMatch } from "@homelab-observability/contract";
import { projectRoot, stackNames } from "../config/paths";
import { versions } from "../model/versions";
import { RELEASE_TYPE } from "../model/names";
import { closingLine, parseRefreshArgs } from "../upstream/refresh/args";
import type { ChartTextNumbersData, TextNumbersRow } from "../upstream/chartTextNumbers";
import { synthStack } from "./run";
import { renderExport } from "./render/render";
import { crdApiVersions, rawCrdApiVersions } from "./render/apiVersions";
import { chartFacts, pinnedChartKeys } from "./render/chartFacts";
import { chartArchive, chartCacheDir, helmBinary, limiter, runHelm } from "./render/helm";
import { releaseJob, type ReleaseJob } from "./render/release";
import {
  HELM_AT_ONCE,
  numberKeys,
  sweepChart,
  textNumbersDifferences,
  textNumbersText,
  valuesSets,
} from "./render/textNumberSweep";

/** Where the data is, from the project's root. */
export const TEXT_NUMBERS_FILE = ["upstream", "charts", "data", "text-numbers.json"];

/** Every Release of every stack of the project, by chart, with the API versions its stack serves. */
async function releasesByChart(root: string, say: (t: string) => void) {
  const out = new Map<string, { stack: string; job: ReleaseJob; apiVersions: string[] }[]>();
  for (const stack of stackNames(root)) {
    const exp = (await synthStack(root, stack)).export;
    // The API versions the program renders the stack's releases with: every CRD it installs.
    const renders = await renderExport(exp);
    const found = new Set(rawCrdApiVersions(exp));
    for (const r of renders) for (const o of r.objects) for (const a of crdApiVersions(o)) found.add(a);
    const apiVersions = [...found].sort();
    for (const res of exp.deployment.resources) {
      if (!res.custom || res.type !== RELEASE_TYPE) continue;
      const job = releaseJob(res);
      if ("error" in job) throw new Error(`${stack}: ${job.error}`);
      out.set(job.chart, [...(out.get(job.chart) ?? []), { stack, job, apiVersions }]);
    }
    say(`${stack}: synthesized, ${renders.length} releases rendered`);
  }
  return out;
}

/**
 * Sweeps every pinned chart with number keys (`only`: that chart alone); says each chart's figures
 * as it goes, and why each key it does not list is not listed.
 */
export async function sweepChartTextNumbers(
  root: string,
  say: (t: string) => void,
  only?: string,
): Promise<{ charts: Record<string, TextNumbersRow>; renders: number }> {
  const helm = helmBinary(root);
  const asked = await runHelm(helm, ["version", "--short"]);
  const helmVersion = /^v(\d+\.\d+\.\d+)/.exec(asked.stdout.trim())?.[1];
  if (!helmVersion)
    throw new Error(`${helm} is no Helm: \`version --short\` printed ${JSON.stringify(asked.stdout)}`);
  const cache = chartCacheDir(root);
  const pins = Object.values(versions.charts).filter((c) => only === undefined || c.chart === only);
  if (pins.length === 0) {
    const names = Object.values(versions.charts).map((c) => c.chart);
    const meant = closestMatch(only ?? "", names);
    throw new Error(
      `--chart ${only}: model/versions.ts pins no such chart${meant ? `; did you mean ${meant}?` : ""} (it pins ${names.sort().join(", ")})`,
    );
  }
  const releases = await releasesByChart(root, say);
  const slot = limiter(HELM_AT_ONCE);
  const charts: Record<string, TextNumbersRow> = {};
  let renders = 0;
  for (const { chart, version } of pins.sort((a, b) => a.chart.localeCompare(b.chart))) {
    const kinds = pinnedChartKeys(chart)?.kinds;
    if (!kinds) throw new Error(`the chart cache ${cache} lacks ${chart}-${version}.tgz`);
    if (numberKeys(kinds).length === 0) continue;
    const mine = releases.get(chart) ?? [];
    if (mine.length === 0) throw new Error(`${chart} ${version}: no stack of the project renders it`);
    const archive = await chartArchive(chart, version, undefined, { cache, helm, pull: false });
    const sets = valuesSets(mine, archive, chartFacts(archive, false));
    const started = Date.now();
    const s = await sweepChart(version, sets, kinds, { helm, helmVersion }, slot);
    renders += s.renders;
    charts[chart] = s.row;
    const took = ((Date.now() - started) / 1000).toFixed(0);
    say(
      `${chart} ${version}: ${s.keys} number keys over ${s.row.values.length} values sets, ${s.renders} renders in ${took} s: ${s.row.any.length} any, ${s.row.nonzero.length} nonzero, ${s.unread} read by no set` +
        (s.leftOut.length ? `; left out: ${s.leftOut.join("; ")}` : ""),
    );
    for (const [key, why] of s.why) say(`  ${chart} ${key}: ${why}`);
  }
  return { charts, renders };
}

const TOOL = "refresh-text-numbers";
const USAGE = `usage: npm run refresh-text-numbers -- [--write | --check] [--chart <chart>]
  (neither)        sweep, and print what differs from ${TEXT_NUMBERS_FILE.join("/")}
  --write          sweep, and write it
  --check          sweep; exit 1 naming each chart and key that differ
  --chart <chart>  sweep that pinned chart alone (its row alone is written or checked)
exit codes: 0 swept (and written); 1 --check found a difference; 2 bad arguments, or the sweep
could not run`;

/** The command line's refusals, one each. */
function badArgs(a: ReturnType<typeof parseRefreshArgs>): string[] {
  const problems = [...a.problems];
  for (const p of a.positional) problems.push(`expected no bare words, found ${JSON.stringify(p)}`);
  if (a.switches.has("--write") && a.switches.has("--check"))
    problems.push("--write and --check: expected one of them, found both");
  return problems;
}

/** The command: its arguments in, its exit status out; every way out ends with one line saying it. */
export async function textNumbersMain(argv: string[]): Promise<number> {
  const a = parseRefreshArgs(argv, {
    valued: { "--chart": "<chart>" },
    switches: ["--write", "--check"],
    maxPositional: 0,
  });
  const problems = badArgs(a);
  if (a.help && problems.length === 0) {
    console.log(USAGE);
    return 0;
  }
  if (problems.length > 0) {
    console.error(`${problems.map((p) => `${TOOL}: ${p}`).join("\n")}\n${USAGE}`);
    console.log(closingLine(TOOL, 2, "bad arguments (above)"));
    return 2;
  }
  const root = projectRoot(__dirname);
  const file = path.join(root, ...TEXT_NUMBERS_FILE);
  const shown = path.relative(root, file);
  const only = a.values.get("--chart");
  const started = Date.now();
  const { charts, renders } = await sweepChartTextNumbers(root, (t) => console.log(t), only);
  const swept = `${renders} renders in ${((Date.now() - started) / 1000).toFixed(0)} s`;
  const data = JSON.parse(fs.readFileSync(file, "utf8")) as ChartTextNumbersData;
  const was = only === undefined ? data.charts : { [only]: data.charts[only] };
  const diff = textNumbersDifferences(only === undefined || data.charts[only] ? was : {}, charts);
  for (const d of diff) console.log(`${TOOL}: ${d}`);
  if (a.switches.has("--write")) {
    const next = {
      generatedBy: "npm run refresh-text-numbers (synth/textNumbers.ts)",
      charts: { ...data.charts, ...charts },
    };
    next.charts = Object.fromEntries(Object.entries(next.charts).sort(([x], [y]) => x.localeCompare(y)));
    fs.writeFileSync(file, textNumbersText(next));
    const what = `${diff.length} difference(s) from what it held`;
    console.log(closingLine(TOOL, 0, `wrote ${shown} (${swept}, ${what}); review the diff`));
    return 0;
  }
  if (diff.length === 0) {
    console.log(closingLine(TOOL, 0, `${shown} is what the sweep finds (${swept})`));
    return 0;
  }
  const check = a.switches.has("--check");
  const fix = `run npm run refresh-text-numbers -- --write${only ? ` --chart ${only}` : ""} and review the diff`;
  console.log(
    closingLine(
      TOOL,
      check ? 1 : 0,
      `${shown} differs from the sweep in ${diff.length} place(s) (above; ${swept}); ${fix}`,
    ),
  );
  return check ? 1 : 0;
}

/** {@link textNumbersMain} as a process: exits with its status, or 2 on an error it did not foresee. */
export function runTextNumbers(argv: string[]): void {
  textNumbersMain(argv).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`${TOOL}: ${(e as Error).message}`);
      console.log(closingLine(TOOL, 2, "stopped by the error above"));
      process.exit(2);
    },
  );
}

if (require.main === module) runTextNumbers(process.argv.slice(2));
