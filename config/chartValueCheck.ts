import { versions } from "../model/versions";
import type { ChartKeys, KeyTree } from "./chartKeys";
import { closestMatch } from "./errors";

/*
 * The stack's `chartValues` checked against the pinned charts' own keys (chartKeys.ts): a key
 * Helm would ignore because it is a misspelling of one the chart reads is a config problem like any
 * other, named with its file and line by config/stackCheck.ts.
 */

/** A chart's pinned entry in model/versions.ts, by chart name. */
export const pinnedChart = (name: string) => Object.values(versions.charts).find((c) => c.chart === name);

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Every text in a values tree, for the names the user's own templated values read. */
const textsOf = (v: unknown): string[] =>
  typeof v === "string" ? [v] : isMap(v) || Array.isArray(v) ? Object.values(v).flatMap(textsOf) : [];

/**
 * The probable typos among the `chartValues` keys: a key is one when (a) the chart's default
 * values lack it at its level, (b) no template of the chart names it (nor any text of the user's
 * own values for the chart, such as a `tpl` string reading `.Values.<key>`), and (c) a known key
 * of that level is one misspelling away from it (config/errors.ts closestMatch, spelling only).
 * Levels the chart leaves to the user (an empty default like `podAnnotations: {}`, a map its
 * templates use whole like grafana.ini's sections) have no known keys, so nothing there is one.
 *
 * Each is an error (exit 2) like any unknown key of the stack's own: Helm ignores a key no template
 * reads, so the override silently does nothing. The three conditions together leave hardly a false
 * alarm, and a key the user's own templated values read is kept ({@link CHART_KEY_NOTE} says so).
 * `keysOf` gives the chart's keys (chartKeys.ts), or undefined when its archive is not at hand
 * (nothing is checked then: the render names the missing archive).
 */
export function chartValueProblems(
  values: Record<string, Record<string, unknown> | undefined>,
  keysOf: (chart: string) => ChartKeys | undefined,
  project: string,
): string[] {
  const out: string[] = [];
  for (const [chart, user] of Object.entries(values)) {
    const keys = user && Object.keys(user).length > 0 ? keysOf(chart) : undefined;
    if (!user || !keys) continue;
    const words = new Set(keys.words);
    const own = textsOf(user).join("\n");
    const pin = pinnedChart(chart);
    const walk = (at: string[], given: Record<string, unknown>, level: KeyTree) => {
      for (const [key, v] of Object.entries(given)) {
        const known = level[key];
        if (known !== undefined) {
          if (known !== 0 && isMap(v)) walk([...at, key], v, known);
          continue;
        }
        const named = key.split(/[^\w-]+/).filter(Boolean);
        if (named.length > 0 && named.every((w) => words.has(w))) continue;
        if (new RegExp(`\\.Values(\\.\\w+)*\\.${key.replace(/[^\w]/g, "\\$&")}\\b`).test(own)) continue;
        const near = closestMatch(key, Object.keys(level), { spelling: true });
        if (!near) continue;
        const where = ["chartValues", chart, ...at].join(".");
        out.push(
          `${project}:${where}.${key}: unknown key of the ${chart} chart ${pin?.version} (Helm would ignore it), ` +
            `expected a key its values.yaml or templates name (\`helm show values ${chart} --repo ${pin?.repo} --version ${pin?.version}\`), ` +
            `got ${JSON.stringify(key)}; did you mean ${where}.${near}?`,
        );
      }
    };
    walk([], user, keys.values);
  }
  return out;
}

/** Said once under the chart keys reported: the way to keep a key the chart itself does not read. */
export const CHART_KEY_NOTE =
  "(a chartValues key the chart does not read is kept when your own templated values read it: name it in them as .Values.<key>)";
