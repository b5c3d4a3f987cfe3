import { strict as assert } from "assert";
import { chartValueProblems } from "../../config/chartValueCheck";
import { PROJECT } from "../../config/resolve";
import { pinnedChartKeys } from "../../synth/render/chartFacts";
import { helmBinary, runHelm } from "../../synth/render/helm";
import { versions } from "../../model/versions";
import { cached, cacheKey } from "./fixtureCache";
import { pinnedChartArchive, ROOT } from "./helpers";

/**
 * The config check's problems for `chartValues` overrides, each chart's keys from its pinned
 * archive in the chart cache (a missing archive fails the test, never passes it unjudged).
 */
export function chartProblems(values: Record<string, Record<string, unknown>>): string[] {
  for (const chart of Object.keys(values))
    assert.ok(pinnedChartKeys(chart), `the pinned ${chart} archive is not in the chart cache`);
  return chartValueProblems(values, (chart) => pinnedChartKeys(chart), PROJECT);
}

/**
 * The paths Helm's schema errors name when it renders the pinned `chart` with `values`, as it
 * writes them (`x.0.name` for "x.0: name is required", `image.foo` for "image: Additional property
 * foo is not allowed"), sorted; undefined when it rendered. Kept in the fixture cache under `kind`.
 */
export async function helmSchemaRefusals(
  ctx: Mocha.Context,
  kind: string,
  chart: string,
  values: Record<string, unknown>,
): Promise<string[] | undefined> {
  const pin = Object.values(versions.charts).find((c) => c.chart === chart)!;
  const archive = pinnedChartArchive(ctx, pin);
  const r = await cached(kind, cacheKey(kind, { pin, values }), () =>
    runHelm(helmBinary(ROOT), ["template", "x", archive, "-f", "-"], JSON.stringify(values)),
  );
  if (r.code === 0) return undefined;
  assert.match(r.stderr, /values don't meet the specifications of the schema/, r.stderr);
  const paths = r.stderr
    .split("\n")
    .map((l) => /^- ([^:]+): (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    // An `allOf` refused is said again at its node after its branch's own refusal (gojsonschema
    // v1.2.0 validation.go:331-345), and each branch refusing says it: the branch's place, once.
    .filter(([, , what]) => what !== "Must validate all the schemas (allOf)")
    .map(([, at, what]) => {
      const below =
        /^(\S+) is required$/.exec(what) ?? /^Additional property (\S+) is not allowed$/.exec(what);
      return below ? `${at}.${below[1]}` : at;
    });
  return [...new Set(paths)].sort();
}

/** The paths {@link chartProblems} refuses for `chart`, as Helm writes them (a missing key's under its map), sorted. */
export function refusedPaths(chart: string, values: Record<string, unknown>): string[] {
  return chartProblems({ [chart]: values })
    .flatMap((p) => {
      const at = /^[^:]+:chartValues\.[^.]+\.(.+?): expected /
        .exec(p)![1]
        .replace(/\[(\d+)\]/g, ".$1")
        .replace(/\["([^"]+)"\]/g, ".$1");
      const missing = /expected a map with the keys? (.+?) \(/.exec(p)?.[1].split(" and ");
      return missing ? missing.map((k) => `${at}.${k}`) : [at];
    })
    .sort();
}
