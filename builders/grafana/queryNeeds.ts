/**
 * What each shipped PromQL query needs to show data (builders/grafana/data/query-needs.json):
 * for every target of the community dashboards and every kube-prometheus-stack default rule, the
 * alternatives of metric names it reads (`a or b` is two, upstream/metrics/promql.ts
 * promqlAlternatives). scripts/genQueryNeeds.ts writes it with Prometheus' grammar, a dev
 * dependency the program does not load at run time; a test fails while it is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { describeFault, isFault, type Verdict } from "../../upstream/metrics/emitted";

export interface QueryNeedsData {
  generatedBy: string;
  /** Query text -> alternatives (each the names that must all be emitted). */
  needs: Record<string, string[][]>;
}

/** The data file in the project (the directory holding Pulumi.yaml, found from this file upwards). */
export function queryNeedsFile(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml")))
      return path.join(dir, "builders", "grafana", "data", "query-needs.json");
    if (path.dirname(dir) === dir)
      throw new Error(`no Pulumi.yaml above ${from}: cannot find the query needs`);
  }
}

let loaded: QueryNeedsData | undefined;

/** The shipped data, read once. */
export function queryNeedsData(): QueryNeedsData {
  loaded ??= JSON.parse(fs.readFileSync(queryNeedsFile(), "utf8")) as QueryNeedsData;
  return loaded;
}

/** The alternatives a shipped query needs, or undefined for a query the data does not hold. */
export function queryNeeds(expr: string): string[][] | undefined {
  return queryNeedsData().needs[expr];
}

/**
 * The names that keep a query with these alternatives from showing data: none when one
 * alternative is wholly emitted, else the missing names of the alternative that misses fewest.
 */
export function blockingNames(alternatives: string[][], emitted: (metric: string) => boolean): string[] {
  let best: string[] | undefined;
  for (const alt of alternatives) {
    const missing = alt.filter((m) => !emitted(m));
    if (missing.length === 0) return [];
    if (!best || missing.length < best.length) best = missing;
  }
  return best ?? [];
}

/** Why a metric keeps a panel or a rule out of a stack, or undefined when the stack emits it. */
export function whyLeftOut(metric: string, v: Verdict): string | undefined {
  if (isFault(v)) return describeFault(metric, v);
  if (v.kind === "unverified")
    return `${metric}: no emitter's source names it at the pinned version (upstream/metrics/data/emitted-sources.tsv)`;
  return undefined;
}

/** A panel or a rule a stack leaves out, and why. */
export interface LeftOut {
  /** `dashboard <file>: <panel title>`, `dashboard <file>` (nothing left) or `rule <set>/<group>/<name>`. */
  what: string;
  /** Why, starting with the metric that keeps it out when there is one ({@link whyLeftOut}). */
  why: string;
  /** That metric: what a report groups the panels and rules one reason keeps out by. */
  metric?: string;
}
