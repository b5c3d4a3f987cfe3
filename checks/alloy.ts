/**
 * Every Alloy config the stack ships, judged as Alloy v1.12.0 would judge it at load: a config
 * Alloy cannot load fails `alloy run`'s initial load and the agent exits, taking every log and
 * scrape it carries down with it. The synthesis runs no Alloy (docs/explanation/alloy-conformance.md
 * records the session that ran `alloy validate` and `alloy run` against these rules), so:
 * - syntax: the project's own parser (upstream/alloy/syntax.ts, held to Alloy's parser corpus);
 * - components: upstream/alloy/components.ts, reading Alloy's registry as its code declares it
 *   (upstream/alloy/data/alloy-1.12/registry.json: what `alloy validate` checks: unknown
 *   components, arguments and blocks, attributes written as blocks and the reverse, required ones,
 *   repeats, duplicates, references, cycles, stability and community components) and the docs'
 *   argument types (components.json: literal types, logs vs metrics receivers);
 * - the reference's version against the Alloy the program pins (model/versions.ts).
 */
import { createHash } from "crypto";
import { causeKey, MISTAKES, type ImageMirrors } from "@homelab-observability/contract";
import { versions } from "../model/versions";
import { pinPlace } from "../config/chartPins";
import {
  checkAlloyComponents,
  loadAlloyReference,
  referenceVersionProblem,
  STABILITY_LEVELS,
  type CheckOptions,
  type StabilityLevel,
} from "../upstream/alloy/components";
import { parseAlloy } from "../upstream/alloy/syntax";
import { processArgs } from "./processArgs";
import { mirrorsOf } from "./imageDigests";
import { GO_BOOL } from "../upstream/goStrconv";
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
 * The flags of `alloy run` the pods that mount a ConfigMap give (internal/alloycli/cmd_run.go:165-166
 * at v1.12.0), read as cobra and pflag parse them (upstream/pflag.ts: the last occurrence wins; a
 * value flag takes `--flag=value` or `--flag value`; a bool flag is on given bare or `=` a value
 * strconv.ParseBool reads as true; checks/processArgs.ts). A container whose command line Alloy
 * refuses, or answers with its help, loads no config and is not counted (process-args reports it). Every pod
 * that mounts the config must load it, so the config is judged by the strictest:
 * `--stability.level` the highest any of them runs with (Alloy's default, generally-available,
 * docs/sources/reference/cli/run.md:66), `--feature.community-components.enabled` only when every
 * one of them has it on.
 */
function runFlagsOf(objects: Placed[], c: AlloyConfig, mirrors: ImageMirrors): CheckOptions {
  let level: StabilityLevel | undefined;
  let community: boolean | undefined;
  for (const t of podTemplates(objects)) {
    if (t.owner.obj.metadata.namespace !== c.namespace) continue;
    if (!(t.spec.volumes ?? []).some((v: any) => v.configMap?.name === c.configMap)) continue;
    for (const container of t.spec.containers ?? []) {
      const flags = containerRunFlags(container, mirrors);
      if (flags === undefined) continue;
      if (level === undefined || STABILITY_LEVELS.indexOf(flags.level) > STABILITY_LEVELS.indexOf(level))
        level = flags.level;
      community = (community ?? true) && flags.community;
    }
  }
  return { stabilityLevel: level ?? "generally-available", communityComponents: community === true };
}

/**
 * The two flags of container `c`'s `alloy run`, undefined for a container that loads no config: no
 * `run` among its arguments, or a command line Alloy refuses (process-args says so). Where the
 * model cannot judge the command line (an image it does not know as Alloy v1.12.0: another
 * registry's build, a mirror the stack does not declare in `imageMirrors`, another release whose
 * flags it does not list, an argument the kubelet expands), the
 * two flags are read leniently, each from its last occurrence, whatever else the line holds: a
 * stability level missed there would judge the config at generally-available and refuse the
 * components the pods run with.
 */
function containerRunFlags(
  c: any,
  mirrors: ImageMirrors,
): { level: StabilityLevel; community: boolean } | undefined {
  const p = processArgs(c, mirrors);
  const known = p?.program.binary === "alloy" ? p.read : undefined;
  if (known !== undefined && "stops" in known) return undefined;
  if (known !== undefined && "flags" in known) {
    const given = known.flags.get("stability.level")?.at(-1);
    return {
      level: (STABILITY_LEVELS as readonly string[]).includes(given ?? "")
        ? (given as StabilityLevel)
        : "generally-available",
      community: known.flags.get("feature.community-components.enabled")?.at(-1) === "true",
    };
  }
  const args: string[] = (c?.args ?? []).map(String);
  if (!args.includes("run")) return undefined;
  let level: StabilityLevel = "generally-available";
  let community = false;
  for (let i = 0; i < args.length; i++) {
    const s = /^--stability\.level(?:=(.*))?$/.exec(args[i]);
    if (s) {
      const value = s[1] ?? args[++i];
      if ((STABILITY_LEVELS as readonly string[]).includes(value)) level = value as StabilityLevel;
      continue;
    }
    const f = /^--feature\.community-components\.enabled(?:=(.*))?$/.exec(args[i]);
    if (f) community = f[1] === undefined || GO_BOOL.true.has(f[1]);
  }
  return { level, community };
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
      // The line of the pin's tag, the one a bump changed.
      where: `${pinPlace("alloy", undefined, "tag")} images.alloy.tag`,
      message: version,
    });
    ref = undefined;
  }
  report.findings.push(...sharedAcrossRoles(objects, configs));
  const mirrors = mirrorsOf(objects);
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
    for (const f of checkAlloyComponents(parsed.body, ref, runFlagsOf(objects, c, mirrors)))
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

/** The kinds of the workloads whose pods mount a config's ConfigMap (`DaemonSet`, `Deployment`). */
function mountedBy(objects: Placed[], c: AlloyConfig): string[] {
  const kinds = podTemplates(objects)
    .filter(
      (t) =>
        t.owner.obj.metadata.namespace === c.namespace &&
        (t.spec.volumes ?? []).some((v: any) => v.configMap?.name === c.configMap),
    )
    .map((t) => String(t.owner.obj.kind));
  return [...new Set(kinds)];
}

/**
 * One config text in the ConfigMaps of a node agent (a DaemonSet: one pod per node, its own node's
 * logs) and of a workload that is none (the cluster collector's Deployment: the cluster's events,
 * the scrapes, the remote write, the rules). The program writes each its own config; the alloy
 * chart's `alloy.configMap.content` goes into every release of the chart, so an override of it gives
 * the cluster release the node config (or the reverse), and what the lost pipeline did goes missing
 * all over the stack: the NetworkPolicy rules and grants written for it go unused, the metrics it
 * sent and the rules it loaded are gone. This is that one mistake, said on the ConfigMap that lost
 * its own config, naming the chart value (so synth/report.ts names the override and prints what
 * follows from it as its places). Its cause is the text's, so each ConfigMap is one place.
 */
function sharedAcrossRoles(objects: Placed[], configs: AlloyConfig[]): Finding[] {
  const byText = new Map<string, { c: AlloyConfig; kinds: string[] }[]>();
  for (const c of configs)
    byText.set(c.text, [...(byText.get(c.text) ?? []), { c, kinds: mountedBy(objects, c) }]);
  const out: Finding[] = [];
  for (const [text, held] of byText) {
    const agents = held.filter((h) => h.kinds.includes("DaemonSet"));
    const others = held.filter((h) => h.kinds.some((k) => k !== "DaemonSet"));
    if (agents.length === 0 || others.length === 0) continue;
    const digest = createHash("sha256").update(text).digest("hex").slice(0, 16);
    for (const o of others)
      out.push({
        check: "alloy-roles",
        where: o.c.where,
        cause: causeKey(MISTAKES.chartValues, `alloy-roles:${digest}`),
        message: `the ${o.kinds.join(", ")}'s config is the same text as the node agents' (${agents.map((a) => a.c.where).join(", ")}): one config for pods of two roles, where each needs its own (the node agents read their node's logs; the ${o.kinds.join(", ")} the cluster's events, scrapes, remote write and rules). The alloy chart's values.alloy.configMap.content goes into every release of the chart; leave it to the program (remove the override), since one chart value cannot give the releases different configs`,
      });
  }
  return out;
}

/** Syntax only (kept for callers that need no reference data). */
export function checkAlloySyntax(objects: Placed[]): Finding[] {
  return checkAlloy(objects).findings.filter((f) => f.check === "alloy-syntax");
}
