/**
 * Every Alloy config the stack ships, judged as Alloy v1.12.0 would judge it at load: a config
 * Alloy cannot load fails `alloy run`'s initial load and the agent exits, taking every log and
 * scrape it carries down with it. No Alloy binary can be had, so:
 * - syntax: the project's own parser (upstream/alloy/syntax.ts, held to Alloy's parser corpus);
 * - components: Alloy's component reference (upstream/alloy/components.ts, reading
 *   upstream/alloy/data/alloy-1.12/components.json): unknown components, arguments and blocks,
 *   attributes written as blocks and the reverse, missing required arguments and blocks, literal
 *   types, undefined references and exports, logs vs metrics receivers, stability levels;
 * - the reference's version against the Alloy the program pins (model/versions.ts).
 */
import { createHash } from "crypto";
import { causeKey } from "@homelab-observability/contract";
import { versions } from "../model/versions";
import {
  checkAlloyComponents,
  loadAlloyReference,
  referenceVersionProblem,
  STABILITY_LEVELS,
  type StabilityLevel,
} from "../upstream/alloy/components";
import { parseAlloy } from "../upstream/alloy/syntax";
import { MissingReferenceError } from "../upstream/reference";
import { describe, podTemplates, type Finding, type Placed } from "./objects";

interface AlloyConfig {
  where: string;
  text: string;
  namespace: string | undefined;
  configMap: string;
}

/** The `.alloy` files of the ConfigMaps among `objects`, named `<ConfigMap>/<key>`. */
export function alloyConfigs(objects: Placed[]): AlloyConfig[] {
  return objects
    .filter((p) => p.obj.kind === "ConfigMap")
    .flatMap((p) =>
      Object.entries<unknown>(p.obj.data ?? {})
        .filter((e): e is [string, string] => e[0].endsWith(".alloy") && typeof e[1] === "string")
        .map(([key, text]) => ({
          where: `${describe(p)} ${key}`,
          text,
          namespace: p.obj.metadata.namespace,
          configMap: p.obj.metadata.name,
        })),
    );
}

/**
 * The `--stability.level` of the pods that mount a ConfigMap (the lowest if several differ), or
 * Alloy's default, generally-available (docs/sources/reference/cli/run.md:66 at v1.12.0).
 */
function stabilityOf(objects: Placed[], c: AlloyConfig): StabilityLevel {
  let level: StabilityLevel = "generally-available";
  for (const t of podTemplates(objects)) {
    if (t.owner.obj.metadata.namespace !== c.namespace) continue;
    if (!(t.spec.volumes ?? []).some((v: any) => v.configMap?.name === c.configMap)) continue;
    for (const container of t.spec.containers ?? [])
      for (const a of container.args ?? []) {
        const m = /^--stability\.level=(.+)$/.exec(String(a));
        const l = m?.[1] as StabilityLevel | undefined;
        if (l && STABILITY_LEVELS.indexOf(l) < STABILITY_LEVELS.indexOf(level)) level = l;
      }
  }
  return level;
}

export interface AlloyReport {
  configs: number;
  findings: Finding[];
  /** Checks that could not run, said loudly by the synthesis (the reference data is absent). */
  notRun: string[];
}

export function checkAlloy(objects: Placed[]): AlloyReport {
  const configs = alloyConfigs(objects);
  const report: AlloyReport = { configs: configs.length, findings: [], notRun: [] };
  if (configs.length === 0) return report;
  let ref: ReturnType<typeof loadAlloyReference> | undefined;
  try {
    ref = loadAlloyReference();
  } catch (e) {
    if (!(e instanceof MissingReferenceError)) throw e;
    report.notRun.push(`Alloy component checks did not run: ${e.message}`);
  }
  const version = ref && referenceVersionProblem(ref, versions.images.alloy.tag);
  if (version) {
    report.findings.push({
      check: "alloy-reference",
      where: "model/versions.ts images.alloy",
      message: version,
    });
    ref = undefined;
  }
  for (const c of configs) {
    const parsed = parseAlloy(c.text);
    // The same text mounted elsewhere is the same mistake: one cause (see sameText).
    const found = (f: Finding & { pos: { line: number; column: number } }) =>
      report.findings.push({
        check: f.check,
        where: `${c.where}:${f.pos.line}:${f.pos.column}`,
        message: f.message,
        cause: sameText(c.text, f.check, f.pos, f.message),
      });
    for (const e of parsed.errors)
      found({
        check: "alloy-syntax",
        where: c.where,
        pos: e.pos,
        message: `Alloy cannot parse its config: ${e.message}`,
      });
    if (!ref || parsed.errors.length > 0) continue;
    for (const f of checkAlloyComponents(parsed.body, ref, { stabilityLevel: stabilityOf(objects, c) }))
      found({
        check: "alloy-component",
        where: c.where,
        pos: f.pos,
        message: `${f.message} [${f.rule}${f.source ? `; ${f.source}` : ""}]`,
      });
  }
  return report;
}

/**
 * One mistake in one config text, wherever that text is mounted: a `chartValues.alloy` override
 * of `alloy.configMap.content` goes into every release of the chart (the node DaemonSet, the
 * cluster Deployment, the parked node release of a handover), and the synthesis prints the
 * findings of one key once, naming every ConfigMap (synth/report.ts mergeProblems).
 */
function sameText(text: string, check: string, pos: { line: number; column: number }, message: string) {
  const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
  return causeKey("alloy-config", `${digest}:${pos.line}:${pos.column} ${check} ${message}`);
}

/** Syntax only (kept for callers that need no reference data). */
export function checkAlloySyntax(objects: Placed[]): Finding[] {
  return checkAlloy(objects).findings.filter((f) => f.check === "alloy-syntax");
}
