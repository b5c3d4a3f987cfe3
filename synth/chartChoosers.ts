import { z } from "zod";
import { schemaAt } from "../config/errors";
import { PROJECT } from "../config/resolve";
import { checkedStackConfig } from "../config/stackCheck";
import { chartsOf, type ChartChooser } from "./report";
import { synthStackRead } from "./run";
import { readStackConfig } from "./synthesize";

/*
 * Which stack key leaves a chart out of a stack, found by the program itself: the stack is
 * synthesized again with one key at each of its other values, the rest of its file as it is, and a
 * key under some value of which a release of the chart appears is one that leaves it out. Which
 * phase runs kube-prometheus-stack, which logAgent runs Vector, which metricsBackend runs the
 * standalone Alertmanager stays where the program decides it (model/phases.ts, plan/, apply/stack.ts),
 * said nowhere a second time: a warning that guessed "the phase" blamed it for a Vector that
 * `logAgent: alloy` left out at every phase.
 */

/** The keys that choose which components a stack runs, the narrowest first. */
const CHOOSERS = ["logAgent", "metricsBackend", "phase", "profile"] as const;

/** The values a top-level key takes, from its schema (an enum); [] for any other key. */
function optionsOf(key: string): string[] {
  const s = schemaAt([key]);
  return s instanceof z.ZodEnum ? [...(s.options as string[])] : [];
}

/**
 * For each of `charts` (charts no release of the stack installs), the keys that leave it out, each
 * with the values under which the stack would run it: the first key of {@link CHOOSERS} that has
 * such a value, tried in that order until every chart has one (one synthesis per value tried). A
 * key the stack file does not set that holds the default its profile gives it names that profile
 * (`byProfile`) when another profile runs the chart. A chart no single key brings back (a takeover
 * step's) gets none. `overrides` are the synthesis' own (`--running`).
 */
export async function chartChoosers(
  projectDir: string,
  stack: string,
  charts: string[],
  overrides: Record<string, string> = {},
  env: Record<string, string | undefined> = process.env,
): Promise<Map<string, ChartChooser[]>> {
  const found = new Map<string, ChartChooser[]>(charts.map((c) => [c, []]));
  if (charts.length === 0) return found;
  const { cfg, config } = checkedStackConfig(projectDir, stack, env, { allowAbsentSecrets: true, overrides });
  const now = cfg as unknown as Record<string, unknown>;
  // Pulumi.yaml's defaults ("" for logAgent and metricsBackend) are no value the stack file sets.
  const set = (key: string) => String(config[`${PROJECT}:${key}`] ?? "") !== "";
  const tried = new Map<string, Set<string>>();
  /** The charts the stack installs with `key` at `value`. */
  const chartsUnder = async (key: string, value: string): Promise<Set<string>> => {
    const id = `${key}=${value}`;
    let charts = tried.get(id);
    if (!charts) {
      try {
        const input = readStackConfig(projectDir, stack, { ...overrides, [`${PROJECT}:${key}`]: value }, env);
        // Through the synthesis store (synthStackRead): the test suite's fixture cache keeps these
        // syntheses as it keeps the stack's own; before, each warm run of a test of this warning
        // synthesized them again (test/cli/synthInputs.test.ts's: ~0.6 s of CPU, measured).
        charts = chartsOf((await synthStackRead(projectDir, stack, input)).export.deployment.resources);
      } catch {
        // A value the rest of the file does not fit (a rule between keys refuses it, the program
        // stops on it) is no way out: nothing a warning can offer.
        charts = new Set();
      }
      tried.set(id, charts);
    }
    return charts;
  };
  /** The values of `key` other than the stack's under which it runs `chart`. */
  const runsUnder = async (key: string, chart: string): Promise<string[]> => {
    const values: string[] = [];
    for (const v of optionsOf(key).filter((o) => o !== String(now[key])))
      if ((await chartsUnder(key, v)).has(chart)) values.push(v);
    return values;
  };
  for (const chart of charts)
    for (const key of CHOOSERS) {
      const values = await runsUnder(key, chart);
      if (values.length === 0) continue;
      const chooser: ChartChooser = { key, value: String(now[key]), runsUnder: values };
      if (key !== "profile" && !set(key)) {
        const profiles = await runsUnder("profile", chart);
        if (profiles.length > 0) chooser.byProfile = { value: String(now.profile), runsUnder: profiles };
      }
      found.get(chart)?.push(chooser);
      break;
    }
  return found;
}
