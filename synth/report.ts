import {
  causeKey,
  decodeStackInfo,
  isStackInfoLabels,
  LOKI_COMPACTOR_SETTINGS,
  MISTAKES,
  secretReadWayIn,
  parseSegments,
  pointerStep,
  type ImageMirrors,
  type Segment,
} from "@homelab-observability/contract";
import type { ExportResource } from "./synthesize";
import { renderFailureText, type ReleaseRender } from "./render/types";
import {
  formatBudget,
  stackBudget,
  type Budget,
  type ExportedResource,
  type Violation,
} from "../policy/evaluate";
import { GRAFANA_RENDERS_A_WORKLOAD } from "../policy/policies";
import { stackKeyAt, type OverridePlace } from "../config/locate";
import { STACK_KEY_CHART_PATHS } from "../config/stackKeyPaths";
import { listed, regExpText } from "../model/words";
import { firstKeyAndRest, isMap, leafPaths, propertyPath, valueAt } from "../config/tree";
import { RELEASE_TYPE } from "../model/names";
import { KIND_ONLY_KEYS } from "../model/chartKinds";
import { addsPodLabel } from "../model/podLabels";
import {
  RBAC_SWITCHES,
  covers,
  switchedOnGrants,
  switchRendersRoles,
  type ApiCall,
} from "../model/chartRbac";
import { shapesOnlyService } from "../model/serviceKeys";
import {
  LOKI_MODES,
  lokiModeOf,
  runsMonolithic,
  runsScalable,
  type LokiMode,
  type LokiModeName,
} from "../model/sizing";
import { LOKI_DISTRIBUTED_WORKLOADS } from "../config/sizing";
import { wholeMapOver, writesOnlyOtherContainers } from "./containerKeys";
import { chosenKind, writesJudgedField } from "./fieldKeys";
import { componentPortNames } from "./componentPorts";
import { subchartsSwitchedBy } from "./subcharts";
import { SERVERS } from "../upstream/operators/prometheusOperator";
import { VM_KINDS } from "../upstream/operators/victoriaMetrics";

/**
 * The resource tree, indented by parent: `type name  [flags]`. An import (the `import` option; a
 * real export has no such field, so synthesis keeps it in memory and in a side record) shows as
 * `import <id>`, a read (`get`, external in a real export) as `read <id>`, the Kubernetes provider
 * with the kube context it is pinned to.
 */
export function formatTree(resources: ExportResource[]): string {
  const children = new Map<string | undefined, ExportResource[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const flags = [
        r.protect ? "protected" : "",
        r.retainOnDelete ? "retained" : "",
        r.importId ? `import ${r.importId}` : "",
        r.external ? `read ${r.id}` : "",
        // The cluster a real run reaches: the Kubernetes provider's pinned context.
        r.type === "pulumi:providers:kubernetes"
          ? `context ${r.inputs.context ?? "(whatever is selected)"}`
          : "",
      ]
        .filter(Boolean)
        .join(", ");
      lines.push(`${"  ".repeat(depth)}${r.type} ${r.urn.split("::").pop()}${flags ? `  [${flags}]` : ""}`);
      walk(r.urn, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join("\n");
}

/** Count of custom resources by type, most frequent first. */
export function countByType(resources: ExportResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:")))
    counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The stack's resource budget from its stack-info ConfigMap, when it has one (the pack computes it). */
export function budgetOf(resources: ExportResource[]): Budget | undefined {
  return stackBudget(resources);
}

export { formatBudget };

/**
 * The one resource count synth and policy:check print: every resource of the export, as
 * `pulumi preview` counts them ("N to create": the stack, its components and its providers
 * included), then how many of them are custom resources (what a provider creates) and how many
 * the stack, components and providers are.
 */
export function resourceCount(resources: { type: string; custom?: boolean }[]): string {
  const providers = resources.filter((r) => r.type.startsWith("pulumi:providers:")).length;
  const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).length;
  const rest = resources.length - custom - providers;
  return `${resources.length} resources (${custom} custom, ${rest} stack and components, ${providers} providers)`;
}

/** `12 panels, 1 dashboard and 3 rules`: how many of each a stack leaves out. */
export function leftOutCounts(leftOut: readonly { what: string }[]): string {
  const panels = leftOut.filter((l) => /^dashboard .*: /.test(l.what)).length;
  const dashboards = leftOut.filter((l) => /^dashboard [^:]*$/.test(l.what)).length;
  const rules = leftOut.filter((l) => l.what.startsWith("rule ")).length;
  const n = (k: number, one: string) => `${k} ${one}${k === 1 ? "" : "s"}`;
  return `${n(panels, "panel")}, ${n(dashboards, "dashboard")} and ${n(rules, "rule")}`;
}

/**
 * The synthesis' detail of what a stack leaves out (checks/emittedMetrics.ts `leftOut`), a few
 * lines per dashboard and rule group, not two per panel and rule (staging printed 158 lines here,
 * above its resource tree): a whole dashboard left out says why; then its panels (a group's rules)
 * by reason, each reason once with the metrics it names and the panels it takes, a long list cut
 * to its first names and how many more. The counts are the summary's (leftOutCounts).
 */
export function formatLeftOut(
  stack: string,
  leftOut: readonly { what: string; why: string; metric?: string }[],
): string {
  interface Group {
    whole?: string;
    byReason: Map<string, { items: string[]; metrics: string[] }>;
  }
  const groups = new Map<string, Group>();
  for (const l of leftOut) {
    const { container, item } = leftOutPlace(l.what);
    const g: Group = groups.get(container) ?? { byReason: new Map() };
    groups.set(container, g);
    if (item === undefined) {
      g.whole = l.why;
      continue;
    }
    const { metric, reason } = leftOutReason(l);
    const r = g.byReason.get(reason) ?? { items: [], metrics: [] };
    g.byReason.set(reason, r);
    if (!r.items.includes(item)) r.items.push(item);
    if (metric && !r.metrics.includes(metric)) r.metrics.push(metric);
  }
  const lines = [`== ${stack}: left out (nothing in this stack emits what they read)`];
  for (const [container, g] of groups) {
    const kind = container.startsWith("rule") ? "rule" : "panel";
    if (g.whole) lines.push(`  ${container} (whole): ${g.whole}`);
    for (const [reason, r] of g.byReason) {
      const n = `${r.items.length} ${kind}${r.items.length === 1 ? "" : "s"}`;
      lines.push(`  ${container}: ${n} (${firstOf(r.items)})`);
      lines.push(`      ${r.metrics.length > 0 ? `${firstOf(r.metrics)}: ` : ""}${reason}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** Where a left-out entry is: its dashboard or rule group, and the panel or rule (none for a whole dashboard). */
function leftOutPlace(what: string): { container: string; item?: string } {
  const rule = /^rule (.+)\/([^/]+)$/.exec(what);
  if (rule) return { container: `rules ${rule[1]}`, item: rule[2] };
  const panel = /^(dashboard [^:]+): (.+)$/.exec(what);
  return panel ? { container: panel[1], item: panel[2] } : { container: what };
}

/** A left-out reason without the metric it starts with (`name: …`, `name comes from …`). */
function leftOutReason(l: { why: string; metric?: string }): { metric?: string; reason: string } {
  if (!l.metric || !l.why.startsWith(l.metric)) return { reason: l.why };
  return { metric: l.metric, reason: l.why.slice(l.metric.length).replace(/^:? /, "") };
}

/** The first few names of a list and how many more: `a, b, c and 4 more`. */
function firstOf(names: string[], shown = 3): string {
  if (names.length <= shown + 1) return names.join(", ");
  return `${names.slice(0, shown).join(", ")} and ${names.length - shown} more`;
}

/**
 * A rendered-object check's finding as the synthesis prints it (checks/objects.ts `Finding`; the
 * same shape here, since synth sits below checks).
 */
export interface CheckFinding {
  check: string;
  where: string;
  message: string;
  cause?: string;
  /** Set on the finding that says its cause itself: it leads the message of its cause (checks/objects.ts Finding). */
  leads?: boolean;
  /** The Helm releases (URNs) whose pods it concerns, when `where` is another resource (a NetworkPolicy). */
  releases?: string[];
  /** The workload fields or file paths it rests on (checks/objects.ts Finding). */
  judged?: string[];
  /** The containers whose fields `judged` are (checks/objects.ts Finding). */
  containers?: string[];
  /** The selections none of whose objects has what it judged (checks/objects.ts Finding). */
  noneOf?: Selection[];
  /** The selections that put the pods it judged among those judged (checks/objects.ts Finding). */
  selectedBy?: Selection[];
  /** The sides of a NetworkPolicy rule nothing uses, and the label keys selectors read (checks/objects.ts Finding). */
  connects?: { serves: Selection[]; dials: Selection[]; reads?: string[]; unless?: string[] };
  /** Set when it rests on what configs and values wire, no pod's own fields (checks/objects.ts Finding). */
  wiring?: boolean;
  /** The ServiceAccounts whose missing grants are its verdict (checks/objects.ts Finding). */
  ungranted?: string[];
  /** The calls those ServiceAccounts lack, when the finding lists them (checks/objects.ts Finding). */
  lacking?: ApiCall[];
  /**
   * The policy whose advisory level in the pack config this finding follows ({@link atTwinLevels}):
   * reported, and it fails nothing.
   */
  advisory?: string;
}

/**
 * What a selector picks: its namespace (undefined: any) and the labels it requires, undefined when
 * it has expressions too (checks/objects.ts selectionOf makes it).
 */
export interface Selection {
  namespace?: string;
  labels?: Record<string, string>;
}

/**
 * A policy violation with every other place its mistake touches (`[rule] place` each) and the
 * `chartValues` keys behind it (`overrides`, see {@link attributeOverrides}).
 */
export type MergedViolation = Violation & {
  alsoAt: string[];
  /** The places of `alsoAt` the first line's own advice answers ({@link ONE_CONDITION}). */
  answered?: string[];
  overrides?: string[];
  overridesUnsure?: boolean;
  /** The overrides raised requests a pool row sums (resource-budget), not one release's values. */
  overridesInPool?: boolean;
};
/** A check finding, likewise. */
export type MergedFinding = CheckFinding & {
  alsoAt: string[];
  answered?: string[];
  overrides?: string[];
  overridesUnsure?: boolean;
};

/**
 * Where a violation is: its resource as `type "name"` (the last type of the URN's type chain), or,
 * for a stack policy's violation without a resource, what its message starts with (`pool total`).
 */
export function violationPlace(v: Pick<Violation, "urn" | "message">): string {
  if (v.urn) {
    const cut = v.urn.lastIndexOf("::");
    const types = v.urn.slice(0, cut);
    return `${types
      .slice(types.lastIndexOf("::") + 2)
      .split("$")
      .pop()} "${v.urn.slice(cut + 2)}"`;
  }
  const colon = v.message.indexOf(": ");
  return colon > 0 ? v.message.slice(0, colon) : v.message;
}

const LEVEL_ORDER: Record<string, number> = { mandatory: 0, remediate: 0, advisory: 1, disabled: 2 };

/**
 * The reports merged into each message of {@link mergeProblems} (its places in `alsoAt`), for
 * {@link attributeOverrides}: kept beside the message, not in it, so that no report of the run
 * carries the others (the JSON of `policy:check --json` among them).
 */
const membersOf = new WeakMap<object, (Violation | CheckFinding)[]>();

/**
 * Mistake kinds (contract/mistakes.ts) whose every report states one condition: Loki's compactor
 * retention without a delete store, which Config.Validate refuses (grafana/loki v3.7.6
 * pkg/compactor/config.go:107-110), whether the pack reads it in the values or engine-config in the
 * container's config. The advice that mends it at one place mends it at each place of that cause.
 */
const ONE_CONDITION: ReadonlySet<string> = new Set([MISTAKES.lokiDeleteStore]);

/** The cause each report had before {@link overrideCauses} joined it to an override's (its copies). */
const ownCause = new WeakMap<object, string | undefined>();
const causeOf = (r: Violation | CheckFinding) => (ownCause.has(r) ? ownCause.get(r) : r.cause);

/**
 * A policy and the rendered-object check that are one judgement: the same rule on the same objects
 * under the same pack config, the check seeing offline what the policy sees in a preview. The one
 * place that pairs them: the check follows the policy's level in synth's `--policy-config`
 * ({@link twinLevels}), and the policy's advice answers the check at the places its `answers`
 * says ({@link answeredBy}).
 * - no-cluster-secret-read and secret-read take a pod for an operator by contract runsOperator over
 *   operatorImagesOf of the `--policy-config` synth hands both (cli/synthRun.ts checkRendered).
 * - no-nodes-proxy and nodes-proxy: contract grantsNodesProxy on a rule of the stack's roles, keyed
 *   by that rule (contract/mistakes.ts rbacRuleCause); the check reports the rules some binding grants
 *   (checks/privileges.ts checkRbac), the policy every one (policy/privileges.ts noNodesProxy), so
 *   each finding is a violation of the policy's too. Neither takes config.
 * - seccomp-runtime-default and seccomp: contract seccompOf, RuntimeDefault, on every container,
 *   init containers, hooks and operator-made pods included (checks/privileges.ts checkSeccomp,
 *   policy/privileges.ts seccompRuntimeDefault; an operator-made pod the policy judges by its
 *   custom resource's spec.securityContext). Neither takes config.
 * Not paired: host-path and host-paths-for-agents-only share contract hostPathProblems, but synth
 * does not hand the check the policy's `agents` config, so under a config they judge apart; nor
 * pod-security and pod-security-levels: the check refuses, beside the namespaces' levels the policy
 * judges too (policy/security.ts), a pod its namespace's enforced level refuses, which Pod Security
 * admission refuses whatever the pack's config (checks/podSecurity.ts).
 */
const SAME_JUDGEMENT: Readonly<
  Record<
    string,
    {
      check: string;
      /** Whether the policy's advice in `lead` mends the check's place `member`, by their places and own causes. */
      answers: (lead: Violation, member: CheckFinding, sameCause: boolean) => boolean;
    }
  >
> = {
  // Its advice (that workload's image in operatorImages, or the role its k8s-sidecar needs) mends
  // that workload: another workload bound to the same rule (the same cause) is not named by it.
  "no-cluster-secret-read": {
    check: "secret-read",
    answers: (lead, member, sameCause) => sameCause && renderedWorkload(lead.urn) === member.where,
  },
  // Its advice mends the rule the cause names (nodes/metrics for nodes/proxy), wherever it is bound.
  "no-nodes-proxy": { check: "nodes-proxy", answers: (_lead, _member, sameCause) => sameCause },
  // Its advice sets RuntimeDefault for the containers it names, the check's place at each.
  "seccomp-runtime-default": {
    check: "seccomp",
    answers: (lead, member) =>
      (lead.containers ?? []).some((c) => `${renderedWorkload(lead.urn)} container ${c}` === member.where),
  },
};

/** A rendered-object check and the policy whose level it follows ({@link SAME_JUDGEMENT}). */
export interface TwinCheck {
  check: string;
  policy: string;
}

/**
 * The checks the pack config changes, by the level `levelOf` gives their policy (policy/evaluate.ts
 * policyLevel): a disabled policy's twin is left out, an advisory one's findings are reported and
 * fail nothing; mandatory (and remediate, reported as mandatory) leave the check as it is.
 */
export function twinLevels(levelOf: (policy: string) => string | undefined): {
  leftOut: TwinCheck[];
  advisory: TwinCheck[];
} {
  const pairs = Object.entries(SAME_JUDGEMENT).map(([policy, { check }]) => ({
    check,
    policy,
    level: levelOf(policy),
  }));
  const of = (level: string) =>
    pairs.filter((p) => p.level === level).map(({ check, policy }) => ({ check, policy }));
  return { leftOut: of("disabled"), advisory: of("advisory") };
}

/**
 * `findings` as the pack config has them judged ({@link twinLevels}): without the left-out checks'
 * findings, an advisory one's marked `advisory` with its policy. Applied to the findings, never to
 * the checks' cached verdict, which stays the same under any config (checks/cache.ts).
 */
export function atTwinLevels(
  findings: CheckFinding[],
  levels: ReturnType<typeof twinLevels>,
): CheckFinding[] {
  const left = new Set(levels.leftOut.map((t) => t.check));
  const advisory = new Map(levels.advisory.map((t) => [t.check, t.policy]));
  return findings
    .filter((f) => !left.has(f.check))
    .map((f) => (advisory.has(f.check) ? { ...f, advisory: advisory.get(f.check) } : f));
}

/**
 * The line that says which checks a disabled policy leaves out, with the file that disables it;
 * undefined when none is.
 */
export function leftOutLine(leftOut: readonly TwinCheck[], file: string): string | undefined {
  if (leftOut.length === 0) return undefined;
  const one = leftOut.length === 1;
  return `synth: the rendered-object ${one ? "check" : "checks"} ${listed(leftOut.map((t) => t.check))} ${one ? "is" : "are"} left out: ${one ? "its policy" : "their policies"} ${listed(leftOut.map((t) => t.policy))} ${one ? "is" : "are"} disabled in ${file} (--policy-config)`;
}

/**
 * The kind, namespace and name of a Kubernetes object's URN: a rendered object's name is
 * `<release>/<namespace>/<name>`, or `<release>/<name>` cluster-scoped (synth/render/objects.ts
 * withRenderedObjects).
 */
function objectOfUrn(
  urn: string | undefined,
): { kind: string; namespace?: string; name: string } | undefined {
  const m = urn && /\$kubernetes:[^:$]+:([A-Za-z]+)::(?:[^/]+\/)?(?:([^/]+)\/)?([^/]+)$/.exec(urn);
  return m ? { kind: m[1], namespace: m[2], name: m[3] } : undefined;
}

/**
 * `Kind namespace/name` of a rendered namespaced object's URN, as the checks name a workload
 * (checks/objects.ts describe).
 */
function renderedWorkload(urn: string | undefined): string | undefined {
  const o = objectOfUrn(urn);
  return o?.namespace === undefined ? undefined : `${o.kind} ${o.namespace}/${o.name}`;
}

/**
 * Whether `member`, merged into the message `lead` leads, is mended by the lead's own advice: the
 * same condition by its own cause, or the policy's twin check at the place its advice mends.
 */
function answeredBy(lead: Violation | CheckFinding, member: Violation | CheckFinding): boolean {
  const cause = causeOf(member);
  const sameCause = cause !== undefined && cause === causeOf(lead);
  if (sameCause && ONE_CONDITION.has(cause.split("@")[0])) return true;
  if (!("policy" in lead) || !("check" in member)) return false;
  const twin = SAME_JUDGEMENT[lead.policy] as (typeof SAME_JUDGEMENT)[string] | undefined;
  return twin?.check === member.check && twin.answers(lead, member, sameCause);
}

/**
 * One message per mistake. The pack and the rendered-object checks each report the place they see:
 * a violation or finding that names its cause (contract/mistakes.ts) is merged with every other of
 * that cause into one, which keeps the first report of the most severe level (the pack's, when it
 * is among them: the values are what the user edits; a finding that fails before an advisory
 * violation or finding) and names the other places. Reports without a cause are merged only when
 * they say the same thing twice (same rule, place and message).
 * Given the export and its chartValues overrides (`stack`), what follows from one override is one
 * cause too ({@link overrideCauses}).
 */
export function mergeProblems(
  violationsIn: Violation[],
  findingsIn: CheckFinding[],
  stack?: OverrideContext,
): { violations: MergedViolation[]; findings: MergedFinding[] } {
  const { violations, findings } = stack
    ? overrideCauses(violationsIn, findingsIn, stack.resources, stack.overrides)
    : { violations: violationsIn, findings: findingsIn };
  const byCause = new Map<string, MergedViolation | MergedFinding>();
  const seen = new Set<string>();
  const outV: MergedViolation[] = [];
  const outF: MergedFinding[] = [];
  const leadOf = new Map<object, Violation | CheckFinding>();
  const join = (first: MergedViolation | MergedFinding, r: Violation | CheckFinding, place: string) => {
    if (!first.alsoAt.includes(place)) first.alsoAt.push(place);
    if (answeredBy(leadOf.get(first)!, r)) (first.answered ??= []).push(place);
    membersOf.get(first)?.push(r);
  };
  const addViolation = (v: Violation) => {
    const same = `v\0${v.policy}\0${v.level}\0${v.urn ?? ""}\0${v.message}`;
    if (seen.has(same)) return;
    seen.add(same);
    const first = v.cause ? byCause.get(v.cause) : undefined;
    if (first) {
      join(first, v, `[${v.policy}] ${violationPlace(v)}`);
      return;
    }
    const merged: MergedViolation = { ...v, alsoAt: [] };
    membersOf.set(merged, []);
    leadOf.set(merged, v);
    if (v.cause) byCause.set(v.cause, merged);
    outV.push(merged);
  };
  const addFinding = (f: CheckFinding) => {
    const same = `f\0${f.check}\0${f.where}\0${f.message}`;
    if (seen.has(same)) return;
    seen.add(same);
    const first = f.cause ? byCause.get(f.cause) : undefined;
    if (first) {
      join(first, f, findingPlace(f));
      return;
    }
    const merged: MergedFinding = { ...f, alsoAt: [] };
    membersOf.set(merged, []);
    leadOf.set(merged, f);
    if (f.cause) byCause.set(f.cause, merged);
    outF.push(merged);
  };
  // What fails the run leads its cause's message, whatever else saw it: a finding that fails,
  // merged under an advisory violation (or an advisory finding), made a run exit 0 with its mistake
  // printed as advisory. Of what fails, the pack's lead (the values are what the user edits).
  const rank = (v: Violation) => LEVEL_ORDER[v.level] ?? 1;
  const sorted = [...violations].sort((a, b) => rank(a) - rank(b));
  const failing = sorted.filter((v) => rank(v) === 0);
  const advisory = sorted.filter((v) => rank(v) !== 0);
  // The finding that says a cause leads that cause's message, not the first check that ran.
  const ordered = (fs: CheckFinding[]) => [...fs.filter((f) => f.leads), ...fs.filter((f) => !f.leads)];
  for (const v of failing) addViolation(v);
  for (const f of ordered(findings.filter((f) => f.advisory === undefined))) addFinding(f);
  for (const v of advisory) addViolation(v);
  for (const f of ordered(findings.filter((f) => f.advisory !== undefined))) addFinding(f);
  return { violations: outV, findings: outF };
}

/**
 * The pack's violations among the places of findings' messages: an advisory one whose cause a
 * finding that fails leads ({@link mergeProblems}). The pack's verdict line counts them, as the pack
 * reports each.
 */
export function violationsAmong(findings: readonly MergedFinding[]): Violation[] {
  return findings.flatMap((f) => (membersOf.get(f) ?? []).filter((r): r is Violation => "policy" in r));
}

/**
 * Where a finding is: `[check] where`, and the rule of a NetworkPolicy its message starts with
 * (`: ingress rule 1`), so that two rules of one policy a mistake touches are two places; likewise
 * the field of the object it starts with (`: spec.template.spec.containers[1].image`), so that two
 * containers of one pod are two places, not the same one said twice.
 */
function findingPlace(f: Pick<CheckFinding, "check" | "where" | "message">): string {
  const rule = /^(?:(?:ingress|egress) rule \d+|spec(?:\.[A-Za-z0-9_-]+|\[\d+\])+(?=: ))/.exec(
    f.message,
  )?.[0];
  return `[${f.check}] ${f.where}${rule ? `: ${rule}` : ""}`;
}

/** The export and its `chartValues` overrides, for reports to be traced to an override (see {@link overrideCauses}). */
export interface OverrideContext {
  resources: { urn: string; type: string; inputs?: Record<string, any> }[];
  overrides: string[];
}

/**
 * One override, one mistake. A report whose message narrows to overrides of a release (the pack's
 * `values.deploymentMode is "Bogus"`) names the mistake; a report on the same release that narrows
 * to none (the addresses of the Services that mode no longer renders) can only follow from the
 * release's overrides or from the program, and the program passes without them. An override no
 * report names is not known to be a mistake at all (an annotation beside the misspelt mode): when
 * the first report names every override that any report on the chart names, the second is the
 * same mistake, whatever other overrides the release has. It takes the first report's cause (a new
 * `chart-values` key when it has none), and so does every report that shared the second's own
 * cause (the same missing Service dialed from another release). A report that narrows to other
 * overrides, one that names another release whose chart the stack overrides too, or one on a chart
 * whose reports name two overrides apart (the mode and `gateway.enabled`, each named by its own
 * report), stays apart: which one is at fault is not known. Copies; the reports given are not changed.
 */
export function overrideCauses<V extends Violation, F extends CheckFinding>(
  violations: V[],
  findings: F[],
  resources: OverrideContext["resources"],
  overrides: string[],
): { violations: V[]; findings: F[] } {
  const copy = <R extends Violation | CheckFinding>(r: R): R => {
    const c = { ...r };
    ownCause.set(c, causeOf(r));
    return c;
  };
  const vs = violations.map(copy);
  const fs = findings.map(copy);
  if (overrides.length === 0) return { violations: vs, findings: fs };
  const releases = releasesOf(resources);
  // The most severe first, as mergeProblems keeps them: the cause is named by what leads.
  const reports: (Violation | CheckFinding)[] = [
    ...[...vs].sort((a, b) => (LEVEL_ORDER[a.level] ?? 1) - (LEVEL_ORDER[b.level] ?? 1)),
    ...fs.filter((f) => f.leads),
    ...fs.filter((f) => !f.leads),
  ];
  const traced = reports.map((report) => {
    const rel = releaseOfReport(report, releases, resources, overrides);
    // A report on an object the stack's override wrote whole (an `extraObjects` item) stays apart:
    // each thing found in it is a mistake of its own, not a consequence of another report's.
    const own = rel && objectOverride(rel, report, overrides);
    const on = rel && !own ? overridesOn(rel, report.message, overrides, report, placeOf(report)) : undefined;
    return { report, rel, on };
  });
  const alias = new Map<string, string>();
  // Releases whose chart the stack overrides: a report naming one of them may follow from that
  // release's override rather than from its own release's.
  const overridden = releases.filter((r) => chartOverrides(r, overrides).length > 0);
  sameOverrides(traced, alias);
  // The causes a check gave reports that narrow to an override: a report of that cause that names
  // no override is that override's too, not that of the release it happens to be on (Prometheus's
  // scrape of an Alloy that hostNetwork took off the pod network is Alloy's hostNetwork, whatever
  // the stack overrides in kube-prometheus-stack).
  const claimed = new Set(traced.filter((t) => t.on?.narrowed && t.report.cause).map((t) => t.report.cause));
  for (const t of traced) {
    if (!t.rel || !t.on || t.on.narrowed) continue;
    if (t.report.cause && claimed.has(t.report.cause)) continue;
    const rel = t.rel;
    // Grafana's datasource dialing a loki-gateway that `loki.gateway.enabled: false` removed is on
    // Grafana's release, yet not Grafana's override's doing: which override is at fault is not known.
    // A finding that names the releases it concerns (`releases`: a rule's evaluators) has had them
    // weighed already (concernedRelease): a release's name in the text is then only an object's
    // (PrometheusRule homelab-loki, whose evaluators Loki's values do not decide).
    const listed = "releases" in t.report && t.report.releases !== undefined && t.report.releases.length > 0;
    const other =
      !listed &&
      overridden.some(
        (r) =>
          r.chart !== rel.chart &&
          (namesWord(t.report.message, r.name) || namesWord(t.report.message, r.chart)),
      );
    if (other) continue;
    // A mistake at a place in a config text (`…config.alloy:12:3`, a misspelt argument) is one of
    // its own, even in the text an override wrote: fixing it is not removing the override.
    if ("where" in t.report && /:\d+:\d+$/.test(t.report.where)) continue;
    // By chart, not release: the override is one key for every release of the chart, and what it
    // does to one release (the node config in the cluster release's ConfigMap) shows on the others.
    // A violation is joined by violations only: the rendered-object checks, which policy:check does
    // not run, must not change how the pack's violations merge (its verdict is policy:check's).
    // Of a report that says what its verdict rests on (a rule nothing uses, what configs wire), the
    // overrides it cannot follow from are left out (t.on.overrides holds those it can, from
    // candidateOverrides): Alloy's memory request, named by its own finding, leaves Alloy's config
    // text the one cause of the rule evaluators and grants that text no longer wires, as it is when
    // the text is the chart's only override, not "one of these" in a message per PrometheusRule.
    const restsOn = "check" in t.report && (t.report.wiring || t.report.connects);
    const could = restsOn ? new Set(t.on.overrides) : undefined;
    const canCause = (n: Traced) => !could || n.on!.overrides.every((o) => could.has(o));
    // A report traced to a kind key only by the workload it names tells what that kind lacks, not
    // that the chart's other overrides are no mistake: one that may follow from another of them
    // (the alloy-rbac calls of `rbac.create: false` beside `controller.type`) is not joined to it.
    // The kind key still counts as named: beside another named override (`image.tag`), a report
    // either may explain joins neither.
    // Nor, beside any other override of the chart, one its filter kept only the kind key of (the rule
    // alloy-cluster's pods leave unused in the host's network, `controller.hostNetwork`'s, which a
    // report on what configs wire leaves out).
    const kindOnly = (n: Traced) =>
      n.on!.byKind &&
      (t.on!.overrides.some((o) => !n.on!.overrides.includes(o)) ||
        chartOverrides(rel, overrides).length > n.on!.overrides.length);
    const named = traced.filter((n) => n.rel?.chart === rel.chart && n.on?.narrowed && canCause(n));
    const blamed = new Set(named.flatMap((n) => n.on!.overrides));
    const root = named.find((n) => !kindOnly(n) && [...blamed].every((o) => n.on!.overrides.includes(o)));
    if (!root) continue;
    root.report.cause ??= causeKey(MISTAKES.chartValues, `${root.rel!.urn}:${root.on!.overrides.join(",")}`);
    if (t.report.cause && t.report.cause !== root.report.cause) alias.set(t.report.cause, root.report.cause);
    t.report.cause = root.report.cause;
  }
  sameFindingSameChart(traced, reports, releases, resources, alias);
  for (const r of reports) if (r.cause && alias.has(r.cause)) r.cause = alias.get(r.cause);
  // The report that names the override leads its cause's message (mergeProblems keeps the first):
  // it says what the override did, the others are where that shows.
  const leads = new Set(traced.filter((t) => t.on?.narrowed && t.report.cause).map((t) => t.report));
  // Of an account's missing grants, the report on its own release's object (what its config calls)
  // leads the one on another resource naming its release (the NetworkPolicy admitting the API).
  const led = (f: F) => (leads.has(f) ? (f.ungranted && f.releases ? 0.5 : 0) : 1);
  return { violations: vs, findings: [...fs].sort((a, b) => led(a) - led(b)) };
}

/**
 * A check's cause names what it found on which workload (`host-network@DaemonSet
 * monitoring-agents/alloy`). The same finding on another workload of a chart whose report narrows
 * to an override follows from that override: one `chartValues.alloy.controller.hostNetwork` puts
 * both Alloys on the host network, the cluster one refused by its namespace's Pod Security, the
 * node one (in a privileged namespace) only seen in the rules and scrapes it leaves. Its cause is
 * aliased to the narrowed report's, so both are one message naming the override.
 */
function sameFindingSameChart(
  traced: Traced[],
  reports: (Violation | CheckFinding)[],
  releases: ReleaseRef[],
  resources: OverrideContext["resources"],
  alias: Map<string, string>,
): void {
  const place = /^([a-z-]+)@([A-Za-z]+) ([^/\s]+)\/(\S+)$/;
  // Each cause naming a workload: what was found and the chart that rendered the workload, once.
  const found = new Map<string, { what: string; chart?: string }>();
  const learn = (cause: string) => {
    const w = found.has(cause) ? null : place.exec(cause);
    if (!w) return;
    const rel = releaseRendering(
      resources,
      releases,
      (urn) => urn.includes(`:${w[2]}::`) && urn.endsWith(`/${w[3]}/${w[4]}`),
    );
    found.set(cause, { what: w[1], chart: rel?.chart });
  };
  for (const r of reports) if (r.cause !== undefined) learn(r.cause);
  // A narrowed report's own workload cause may have been joined to another report's first
  // (sameOverrides: the host-port clash and the Pod Security refusal of one hostNetwork override):
  // the causes aliased to a report's are its own too.
  for (const from of alias.keys()) learn(from);
  for (const t of traced) {
    const root = t.report.cause;
    if (!t.on?.narrowed || !t.rel || root === undefined || alias.has(root)) continue;
    const owns = [root, ...[...alias].filter(([, to]) => to === root).map(([from]) => from)];
    for (const mine of owns) {
      const own = found.get(mine);
      if (!own) continue;
      for (const [cause, of] of found)
        if (!owns.includes(cause) && !alias.has(cause) && of.what === own.what && of.chart === t.rel.chart)
          alias.set(cause, root);
    }
  }
}

/** The release that rendered the first object of the export whose URN passes `test`. */
function releaseRendering(
  resources: OverrideContext["resources"],
  releases: ReleaseRef[],
  test: (urn: string) => boolean,
): ReleaseRef | undefined {
  const obj = resources.find((o) => test(o.urn));
  return obj ? releases.find((rel) => renderedBy(obj.urn, rel)) : undefined;
}

/** A report with the release it is on and the overrides its message narrows to, as overrideCauses traces it. */
interface Traced {
  report: Violation | CheckFinding;
  rel: ReleaseRef | undefined;
  /** byKind: narrowed only by the key choosing the kind of the workload it names ({@link kindChosen}). */
  on: { overrides: string[]; narrowed: boolean; byKind?: true } | undefined;
}

/** Whether two reports come from one rule (policy or check) at one resource. */
function sameRuleAndPlace(a: Violation | CheckFinding, b: Violation | CheckFinding): boolean {
  if ("policy" in a && "policy" in b) return a.policy === b.policy && a.urn === b.urn;
  if ("check" in a && "check" in b) return a.check === b.check && a.where === b.where;
  return false;
}

/**
 * Whether a report fails the run: a mandatory (or remediate) violation, or a rendered-object problem
 * but one its policy makes advisory ({@link atTwinLevels}).
 */
const failsRun = (r: Violation | CheckFinding) =>
  "level" in r ? r.level === "mandatory" || r.level === "remediate" : r.advisory === undefined;

/**
 * Reports on the releases of one chart whose messages narrow to the same overrides (an image override that the
 * `image-pins` check and the `arm64-images` policy both refuse; a literal env value in the release's
 * values and in the Deployment rendered from them) are one mistake: changing those keys fixes
 * every one of them. They take the first one's cause (a new `chart-values` key when it has none).
 * Only reports that agree on failing the run are joined, so that a failure is never folded into an
 * advisory message and the exit status keeps its reason.
 */
function sameOverrides(traced: Traced[], alias: Map<string, string>): void {
  const roots = new Map<string, Traced>();
  for (const t of traced) {
    if (!t.rel || !t.on?.narrowed) continue;
    // By chart, not release: an override is `chartValues.<chart>.<path>`, one key in the stack file
    // whatever number of releases install the chart (the node agents' two during their handover).
    const key = `${t.rel.chart}\0${failsRun(t.report)}\0${[...t.on.overrides].sort().join(",")}`;
    const root = roots.get(key);
    if (!root) {
      roots.set(key, t);
      continue;
    }
    // Two reports of one rule on one resource are two things that rule found there (two literal
    // credentials in one override's list), each its own message, not one place seen twice; unless
    // the rule said both verdicts rest on fields those overrides set (two host volumes a non-agent
    // image may not mount): changing them answers both.
    if (sameRuleAndPlace(root.report, t.report) && !(root.report.judged && t.report.judged)) continue;
    // The missing grants of two ServiceAccounts are said apart, each message listing what its
    // account lacks (one `rbac.create: false` leaves both Alloys' accounts without their roles).
    if (otherAccounts(root.report, t.report)) continue;
    root.report.cause ??= causeKey(MISTAKES.chartValues, `${t.rel.urn}:${root.on!.overrides.join(",")}`);
    if (t.report.cause && t.report.cause !== root.report.cause) alias.set(t.report.cause, root.report.cause);
    t.report.cause = root.report.cause;
  }
}

/** Whether two reports are each on missing grants, of ServiceAccounts not the same. */
function otherAccounts(a: Violation | CheckFinding, b: Violation | CheckFinding): boolean {
  const of = (r: Violation | CheckFinding) => ("ungranted" in r ? r.ungranted : undefined);
  const [x, y] = [of(a), of(b)];
  return x !== undefined && y !== undefined && [...x].sort().join(",") !== [...y].sort().join(",");
}

/** Policies whose own advice is values that render the workload they found missing. */
const ADVICE_RENDERS_THE_PODS: ReadonlySet<string> = new Set([GRAFANA_RENDERS_A_WORKLOAD]);

/** The lines naming the other places of a merged report and the overrides behind it, indented under it. */
function alsoLines(m: {
  alsoAt: string[];
  answered?: string[];
  overrides?: string[];
  overridesUnsure?: boolean;
  overridesInPool?: boolean;
  policy?: string;
}): string {
  const also = m.alsoAt.length > 0 ? `\n      the same mistake, also seen at: ${m.alsoAt.join("; ")}` : "";
  const n = m.overrides?.length ?? 0;
  // Places another rule refused (an override's image that `image-pins` refuses beside
  // `arm64-images`): the first line's advice is its own policy's, which may leave the others failing
  // (the image added to arm64Images is still not the pinned one); the override is the fix of all.
  // A policy's message carries remedies of its own (its pack config, a selector); a rendered
  // check's names what it found, and the other places are its consequences.
  const lead = m.policy;
  const others = [
    ...new Set(
      m.alsoAt
        // A place of the same condition (the delete store engine-config reads too) is the advice's.
        .filter((a) => !m.answered?.includes(a))
        .map((a) => /^\[([^\]]+)\]/.exec(a)?.[1])
        // A render failure among the places traces to the value the lead's advice changes.
        .filter((r) => r !== undefined && r !== lead && r !== RENDER_PLACE),
    ),
  ];
  // A policy whose advice renders the pods it found missing answers every place those pods'
  // absence shows (the Service selecting no pod, the rules written for them): no "alone" to say.
  const all =
    lead !== undefined && !ADVICE_RENDERS_THE_PODS.has(lead) && others.length > 0
      ? ` (that clears every place above; the first line's own advice answers ${lead} alone, not ${others.join(", ")})`
      : "";
  // Unsure: the message names none of the release's overrides, yet follows from its values.
  const over =
    n === 0
      ? ""
      : m.overridesInPool
        ? `\n      the requests counted here include the stack's chart values override${n > 1 ? "s" : ""} ${m.overrides!.join(", ")}, which raise${n > 1 ? "" : "s"} them: if ${n > 1 ? "one of these is" : "it is"} the cause, lower or remove it in the stack file rather than add nodes`
        : m.overridesUnsure
          ? `\n      the values of this release include the stack's chart values override${n > 1 ? "s" : ""} ${m.overrides!.join(", ")}: if ${n > 1 ? "one of these is" : "it is"} the cause, change or remove it in the stack file`
          : `\n      from the stack's chart values override${n > 1 ? "s" : ""} ${m.overrides!.join(", ")}: change or remove ${n > 1 ? "them" : "it"} in the stack file${all}`;
  return also + over + memberWays(m);
}

/**
 * The ways the merged places' own messages name that the first line does not, one line each with
 * the rules that name it: an operator under a mirror's image name is told to add its repository
 * to no-cluster-secret-read's operatorImages (contract secretReadWay), by that policy and by
 * secret-read. Under another rule's first line (arm64-images on the same image) the user read only
 * the places, and no way to keep the image short of removing the override. Likewise the role a
 * pod's k8s-sidecar needs (contract secretReadWay), which both say for such a pod.
 */
function memberWays(m: object): string {
  const lead = (m as { message?: string }).message ?? "";
  const rules = new Map<string, string[]>();
  for (const r of membersOf.get(m) ?? []) {
    const way = secretReadWayIn(r.message);
    if (way === undefined || lead.includes(way)) continue;
    const rule = "policy" in r ? r.policy : r.check;
    const named = rules.get(way) ?? [];
    if (!named.includes(rule)) named.push(rule);
    rules.set(way, named);
  }
  return [...rules]
    .map(([way, named]) => `\n      ${named.join(" and ")} say${named.length > 1 ? "" : "s"}: ${way}`)
    .join("");
}

/** A Helm release of the export, as reports name it. */
interface ReleaseRef {
  urn: string;
  /** The Helm release name (`inputs.name`, else the resource's name), as rendered objects' `where` says it. */
  name: string;
  namespace: string;
  chart: string;
  /** The values the release renders with (the program's, the stack's overrides merged in). */
  values: Record<string, unknown>;
  /** The names of the objects it renders (URNs `<release type>$<type>::<release>/<ns>/<name>`). */
  rendered: Set<string>;
}

/** The export's Helm releases, as {@link attributeOverrides} looks them up. */
function releasesOf(resources: { urn: string; type: string; inputs?: Record<string, any> }[]): ReleaseRef[] {
  const releases = resources
    .filter((r) => r.type === RELEASE_TYPE)
    .map((r) => ({
      urn: r.urn,
      name: String(r.inputs?.name ?? r.urn.slice(r.urn.lastIndexOf("::") + 2)),
      namespace: String(r.inputs?.namespace ?? ""),
      chart: String(r.inputs?.chart ?? ""),
      values: (r.inputs?.values ?? {}) as Record<string, unknown>,
      rendered: new Set<string>(),
    }));
  for (const r of resources) {
    if (!r.urn.includes("$")) continue;
    const rel = releases.find((x) => renderedBy(r.urn, x));
    rel?.rendered.add(r.urn.slice(r.urn.lastIndexOf("/") + 1));
  }
  return releases;
}

/** Whether `urn` is an object release `rel` rendered (`<release type>$<type>::<release>/<ns>/<name>`). */
function renderedBy(urn: string, rel: ReleaseRef): boolean {
  const cut = rel.urn.lastIndexOf("::");
  return (
    urn.startsWith(`${rel.urn.slice(0, cut)}$`) &&
    urn.slice(urn.lastIndexOf("::") + 2).startsWith(`${rel.urn.slice(cut + 2)}/`)
  );
}

/**
 * The release a report is about: for a violation, the release itself or the release whose
 * rendered object it judges (URN `<release type>$<object type>::<release>/<namespace>/<name>`,
 * synth/render/objects.ts withRenderedObjects), else, on another resource (a Namespace), the one
 * of the releases its message names ({@link concernedRelease}); for a finding, the release its `where` names
 * (`Kind <namespace>/<name> (release <name>`, checks/objects.ts describe, else its message's start: two releases of one name
 * in two namespaces, as the node agents during their handover, are told apart by the object's
 * namespace); for a finding that names the releases whose pods it concerns (`releases`: a
 * NetworkPolicy rule of the program written for them), the one of them {@link concernedRelease}
 * gives; for a metric that no program emits, the release its
 * emitter names; for a stack policy's violation without a resource that starts with a workload's
 * name (resource-budget's `loki: sized for …`; its message on pods too large for the nodes carries their URN), the release that rendered that workload.
 */
function releaseOfReport(
  r: { urn?: string; where?: string; releases?: string[] } & RestsOn,
  releases: ReleaseRef[],
  resources: { urn: string; type: string }[],
  overrides: string[],
): ReleaseRef | undefined {
  if (r.releases?.length)
    return concernedRelease(
      releases.filter((rel) => r.releases!.includes(rel.urn)),
      overrides,
      r,
    );
  if (r.urn) {
    const urn = r.urn;
    const own = releases.find((rel) => rel.urn === urn || renderedBy(urn, rel));
    if (own) return own;
    // A stack policy's violation on another resource (the Namespace whose Pod Security level
    // refuses a release's pods) names the releases it is about as the pack labels them
    // (policy/lib/resources.ts label: `kubernetes:helm.sh/v3:Release "alloy-cluster"`), or objects
    // they rendered (`kubernetes:apps/v1:Deployment "alloy-agents/monitoring-agents/alloy"`, named
    // `<release>/<namespace>/<name>` by synth/render/objects.ts withRenderedObjects).
    const named = releases.filter((rel) => {
      const name = rel.urn.slice(rel.urn.lastIndexOf("::") + 2);
      return r.message.includes(`${RELEASE_TYPE} "${name}"`) || r.message.includes(` "${name}/`);
    });
    return named.length > 0 ? concernedRelease(named, overrides, r) : undefined;
  }
  // A finding whose `where` is a part of the object (`… volume data`, checks/privileges.ts
  // checkHostPaths) names the object, as checks/objects.ts describe says it, at its message's start.
  const described = /^\S+ (?:([^/ ]+)\/)?\S+ \(release ([^,)]+)/;
  const m = r.where ? (described.exec(r.where) ?? described.exec(r.message)) : null;
  if (m) {
    const named = releases.filter((rel) => rel.name === m[2]);
    return named.find((rel) => rel.namespace === m[1]) ?? named[0];
  }
  // A metric no program of the stack emits (checks/emittedMetrics.ts: `<metric> comes from
  // <emitter> (…), which this stack does not run`) whose emitter is a release of the stack: the
  // release runs without what emits it, which its values decide (its args, its collectors).
  const emitter = / comes from ([a-z0-9][a-z0-9-]*)\b.*?, which this stack does not run/.exec(r.message)?.[1];
  if (emitter) return releases.find((rel) => rel.name === emitter);
  // A panel of a dashboard in a ConfigMap an override wrote whole (grafana's `extraObjects`):
  // that override's release, as the dashboard check's findings on the ConfigMap are.
  if (r.where && DASHBOARD_PANEL.test(r.where))
    return releases.find((rel) => objectOverride(rel, r, overrides) !== undefined);
  if (r.where) return undefined;
  const kept = keptOffReleases(r.message, releases, resources);
  if (kept) return kept.length > 0 ? concernedRelease(kept, overrides, r) : undefined;
  const workload = /^([a-z0-9][a-z0-9.-]*): /.exec(r.message)?.[1];
  if (!workload) return undefined;
  return renderingWorkload(resources, releases, workload);
}

/**
 * The kinds whose pods an operator makes, as the pack names a workload by the custom resource
 * (policy/lib/workloads.ts: resource-budget's `vm: sized for …` is the VMSingle `vm`, whose
 * Deployment the operator makes and no release renders).
 */
const OPERATED_KINDS = new RegExp(`:(?:${[...Object.keys(SERVERS), ...Object.keys(VM_KINDS)].join("|")})::`);

/** The release that rendered the Deployment, StatefulSet or DaemonSet named `workload`, or the custom resource an operator runs its pods from. */
function renderingWorkload(
  resources: OverrideContext["resources"],
  releases: ReleaseRef[],
  workload: string,
): ReleaseRef | undefined {
  const named = (urn: string) => urn.endsWith(`/${workload}`);
  return (
    releaseRendering(
      resources,
      releases,
      (urn) => /\$kubernetes:apps\/v1:(Deployment|StatefulSet|DaemonSet)::/.test(urn) && named(urn),
    ) ?? releaseRendering(resources, releases, (urn) => OPERATED_KINDS.test(urn) && named(urn))
  );
}

/**
 * The releases rendering resource-budget's workloads no pool admits (`… admits alloy,
 * alloy-cluster, so they would stay Pending`, policy/budget.ts keptOffMessages, which carries a URN
 * only when one release rendered them all): undefined for another message, [] when one of them is
 * no release's. Several releases of one chart (Alloy's node and cluster releases, which one
 * `chartValues.alloy` override schedules alike) are that chart's, as concernedRelease picks;
 * releases of several overridden charts kept off for the same reason (a nodeSelector each) are
 * each traced to their own overrides (attributeOverrides).
 */
function keptOffReleases(
  message: string,
  releases: ReleaseRef[],
  resources: OverrideContext["resources"],
): ReleaseRef[] | undefined {
  const keptOff =
    / admits ([a-z0-9][a-z0-9.-]*(?:, [a-z0-9][a-z0-9.-]*)*), so (?:it|they) would stay Pending/.exec(
      message,
    );
  if (!keptOff) return undefined;
  const rels = keptOff[1].split(", ").map((w) => renderingWorkload(resources, releases, w));
  const found = [...new Set(rels.filter((rel): rel is ReleaseRef => rel !== undefined))];
  return found.length === rels.length ? found : [];
}

/**
 * The one of the releases a report concerns whose values may be at fault: the one whose chart the
 * stack overrides, the others running as the program made them; any of them when none is
 * overridden; none when releases of several overridden charts are (which one's values are at
 * fault is not known).
 */
function concernedRelease(
  concerned: ReleaseRef[],
  overrides: string[],
  report: RestsOn,
): ReleaseRef | undefined {
  // A release none of whose overrides can be the cause (ruleOverrides) is no candidate either.
  const overridden = concerned.filter((rel) => candidateOverrides(rel, overrides, report).length > 0);
  // Several releases of one chart (the node and cluster Alloys) have the same overrides: any of them.
  const oneChart = overridden.every((rel) => rel.chart === overridden[0].chart);
  return overridden.length === 0 ? concerned[0] : oneChart ? overridden[0] : undefined;
}

/**
 * The `chartValues` overrides the export's stack runs with, `<chart>.<path>` each: its stack output
 * `chartValueOverrides` (plan/chartValues.ts), which `pulumi stack export` and synth's export both
 * carry on the stack resource. [] for a stack that overrides nothing.
 */
export function chartValueOverridesOf(
  resources: { type: string; outputs?: Record<string, any> }[],
): string[] {
  const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const list: unknown = stack?.outputs?.chartValueOverrides;
  return Array.isArray(list) ? list.filter((o): o is string => typeof o === "string") : [];
}

/**
 * The registry mirrors an export's stack names its pinned images through (`imageMirrors`), as its
 * stack-info ConfigMap records them; {} for a stack without mirrors. Read by the summary below and
 * by the change check's image downgrades (change/imageDowngrade.ts).
 */
export function exportImageMirrors(
  resources: { type: string; inputs?: Record<string, any> }[],
): ImageMirrors {
  const info = resources.find(
    (r) => r.type === "kubernetes:core/v1:ConfigMap" && isStackInfoLabels(r.inputs?.metadata?.labels),
  );
  return decodeStackInfo(info?.inputs?.data).imageMirrors ?? {};
}

/** {@link exportImageMirrors} as the summary says them: `docker.io -> registry.home.lan/dockerhub` each. */
export function imageMirrorsOf(resources: { type: string; inputs?: Record<string, any> }[]): string[] {
  return Object.entries(exportImageMirrors(resources)).map(
    ([registry, prefix]) => `${registry} -> ${prefix}`,
  );
}

/**
 * What an export's stack runs with that synth's summary and policy:check both say, in the same
 * words, one line each (unwrapped): the chartValues overrides in force (`overrides`, as
 * {@link overridesInForce} leaves them, shown as the stack file writes them) and the registry
 * mirrors its pinned images go through ({@link imageMirrorsOf}). None for a stack with neither.
 */
export function stackRunsWith(
  resources: { urn: string; type: string; inputs?: Record<string, any> }[],
  overrides: string[],
): string[] {
  const mirrors = imageMirrorsOf(resources);
  return [
    ...(overrides.length > 0
      ? [`chart values overrides in force (chartValues): ${shownOverrides(resources, overrides).join(", ")}`]
      : []),
    // Said where set, so a user sees the images went through the mirror (every other stack's summary as it was).
    ...(mirrors.length > 0
      ? [`pinned images through registry mirrors (imageMirrors): ${mirrors.join(", ")}`]
      : []),
  ];
}

/**
 * The overrides of charts no release of the export installs (`vector.…` on a stack without
 * Vector at its phase): they change nothing, so they are not "in force".
 */
export function overridesWithoutRelease(
  resources: { type: string; inputs?: Record<string, any> }[],
  overrides: string[],
): string[] {
  const charts = chartsOf(resources);
  return overrides.filter((o) => !charts.has(firstKeyAndRest(o)[0]));
}

/** An override of a Loki target the release's mode renders no pod of ({@link overridesOfUnrunLokiTargets}). */
export interface UnrunTargetOverride {
  /** `<chart>.<path>`, as the stack output lists it (`loki.read.resources.requests.cpu`). */
  override: string;
  /** The target's section of the chart's values (`read`). */
  target: string;
  /** The release's mode, as the stack's loki.mode names it. */
  mode: LokiMode;
  /** The modes that render the target. */
  runsIn: LokiMode[];
}

/** The modes of the stack's loki.mode, each once (`SingleBinary` is `Monolithic`'s old name). */
const RUN_MODES = [...new Set(LOKI_MODES.map(lokiModeOf))];

/**
 * Whether `mode` renders the Loki target whose values are under `target`: the monolithic pods
 * (`singleBinary`), SimpleScalable's write, read and backend, or a Distributed component (loki
 * 18.11.0 templates/_helpers.tpl `loki.deployment.isMonolithic`, `isScalable`, `isDistributed`).
 * Undefined for a section that is no target (`loki`, `gateway`): every mode renders what it sets.
 */
function rendersLokiTarget(mode: LokiMode, target: string): boolean | undefined {
  if (target === "singleBinary") return runsMonolithic(mode);
  if (target === "write" || target === "read" || target === "backend") return runsScalable(mode);
  if (target in LOKI_DISTRIBUTED_WORKLOADS) return mode === "Distributed";
  return undefined;
}

/**
 * The overrides of the loki release's targets its mode does not render (`read.resources` in
 * Monolithic): they change nothing, so they are not "in force". A target's `replicas` is left out:
 * the chart counts it in every mode (templates/validate.yaml refuses monolithic and scalable
 * replicas together), and the pack says so (loki-single-binary-and-scalable).
 * So is a Loki compactor setting under `compactor` (LOKI_COMPACTOR_SETTINGS): misplaced in every
 * mode, which the pack says (loki-compactor-misplaced), naming where it takes effect.
 */
export function overridesOfUnrunLokiTargets(
  resources: { type: string; inputs?: Record<string, any> }[],
  overrides: string[],
): UnrunTargetOverride[] {
  const release = resources.find((r) => r.type === RELEASE_TYPE && r.inputs?.chart === "loki");
  const named: unknown = release?.inputs?.values?.deploymentMode;
  if (!(LOKI_MODES as readonly unknown[]).includes(named)) return [];
  const mode = lokiModeOf(named as LokiModeName);
  return overrides.flatMap((override) => {
    const [chart, target, key] = parseSegments(override).map(String);
    if (chart !== "loki" || key === undefined || key === "replicas") return [];
    // A Loki compactor setting at the compactor's pod settings changes nothing in any mode, and the
    // pack's loki-compactor-misplaced moves it where every mode reads it: one message, not a
    // second telling to remove it for the mode.
    if (target === "compactor" && LOKI_COMPACTOR_SETTINGS.includes(key)) return [];
    if (rendersLokiTarget(mode, target) !== false) return [];
    return [{ override, target, mode, runsIn: RUN_MODES.filter((m) => rendersLokiTarget(m, target)) }];
  });
}

/** The stack's overrides by whether they change what it runs ({@link overridesInForce}). */
export interface OverridesInForce {
  /** Those that do: listed as in force, and the ones a report is traced to. */
  inForce: string[];
  /** Of charts no release installs ({@link overridesWithoutRelease}). */
  idle: string[];
  /** Of Loki targets the mode renders no pod of ({@link overridesOfUnrunLokiTargets}). */
  unrun: UnrunTargetOverride[];
}

/**
 * Which of the stack's overrides (`stated`, its `chartValueOverrides`) are in force in the export's
 * `resources`: the one verdict synth and policy:check both list and warn of, each override that
 * changes nothing said, not listed.
 */
export function overridesInForce(
  resources: { type: string; inputs?: Record<string, any> }[],
  stated: string[],
): OverridesInForce {
  const idle = overridesWithoutRelease(resources, stated);
  const unrun = overridesOfUnrunLokiTargets(resources, stated);
  const inForce = stated.filter((o) => !idle.includes(o) && !unrun.some((u) => u.override === o));
  return { inForce, idle, unrun };
}

/**
 * The warning for an override of a Loki target the mode does not render ({@link
 * overridesOfUnrunLokiTargets}), naming the override and loki.mode, each at its line when the
 * stack file sets it.
 */
export function unrunTargetOverrideWarning(u: UnrunTargetOverride, at?: OverridePlace): string {
  const where = (key: string) => (at?.(key) ? ` (${at(key)})` : "");
  const key = `chartValues.${u.override}`;
  return `${key}${where(key)}: loki.mode is "${u.mode}"${where("loki.mode")}, which renders no ${u.target} pod (the loki chart renders ${u.target} in ${listed(u.runsIn, "and")} only); the override changes nothing: remove it`;
}

/** The charts the export's Helm releases install. */
export function chartsOf(resources: { type: string; inputs?: Record<string, any> }[]): Set<string> {
  return new Set(resources.filter((r) => r.type === RELEASE_TYPE).map((r) => String(r.inputs?.chart ?? "")));
}

/**
 * A stack key that leaves a chart out of a stack (synth/chartChoosers.ts): its value, and the
 * values under which the stack would run the chart, the rest of its file as it is.
 */
export interface ChartChooser {
  key: string;
  value: string;
  runsUnder: string[];
  /**
   * The stack file does not set the key, and its value is the default `profile` gives it:
   * the profile's value, and the profiles under which the stack would run the chart.
   */
  byProfile?: { value: string; runsUnder: string[] };
}

/**
 * The warning for an override of a chart no release of the stack installs (`override`,
 * `<chart>.<path>`): it changes nothing. It names the keys that leave the chart out (`choosers`),
 * each at its line when the stack file sets it, and setting one as a way out: a `logAgent: alloy`
 * leaves Vector out at every phase, so blaming the phase sent the reader to the wrong key. Without
 * a chooser (the chart runs under no other value of those keys), the ways out are the override's own.
 */
export function idleOverrideWarning(override: string, choosers: ChartChooser[], at?: OverridePlace): string {
  const [chart] = firstKeyAndRest(override);
  const where = (key: string) => (at?.(key) ? ` (${at(key)})` : "");
  const why = choosers.map((c) =>
    c.byProfile
      ? `${c.key} is ${c.value}, the default of profile ${c.byProfile.value}${where("profile")}`
      : `${c.key} is ${c.value}${where(c.key)}`,
  );
  const ways = choosers.flatMap((c) => [
    `set ${c.key}: ${listed(c.runsUnder, "or")}`,
    ...(c.byProfile ? [`set profile: ${listed(c.byProfile.runsUnder, "or")}`] : []),
  ]);
  return `chartValues.${override}: no release of chart ${chart} is in this stack${why.length > 0 ? `: ${why.join(", and ")}` : ""}; the override changes nothing: remove it, ${[...ways, ""].join(", ")}or move it to a stack that runs the chart`;
}

/**
 * The values paths a message names, relative to the release's values, dotted at every key: the pack
 * names what it read as `values.<path>` (`values.autoscaling.maxReplicas is 3`,
 * `values["grafana.ini"].database`), a stack key as
 * `chartValues.<chart>.<path>`, and Helm a template's read as `.Values.<path>`
 * (`at <.Values.image.tag>: can't evaluate field tag`). A trailing full stop ends the sentence, not
 * the path.
 */
function valuesPathsIn(message: string, chart: string): string[] {
  const prefixes = ["values", ".Values", `chartValues.${chart}`].map((p) => p.replace(/\./g, "\\."));
  const re = new RegExp(`(?:^|[^A-Za-z0-9_])(?:${prefixes.join("|")})(${KEY_STEPS})`, "g");
  return [...message.matchAll(re)].map((m) => parseSegments(m[1]).join("."));
}

/**
 * The keys of a values path after its first name, as the pack writes them (policy/credentials.ts
 * pathTo, contract pathStep): `.key`, or `["a.b"]` for a key holding a dot. A full stop after a
 * path ends the sentence: a step needs a name after its dot.
 */
const KEY_STEPS = String.raw`(?:\.[A-Za-z0-9_-]+|\["(?:\\"|[^"])*"\])+`;

/**
 * Whether setting `override` (a path under a chart) sets `read`, or the other way round. Compared
 * at their dots: Helm names a values path dotted (`.Values.grafana.ini.database`), whatever the
 * keys, where an override and the pack's messages quote a key holding a dot
 * (`["grafana.ini"].database.host`).
 */
export const concerns = (override: string, read: string) => {
  const [o, r] = [override, read].map((p) => parseSegments(p).join("."));
  return o === r || o.startsWith(`${r}.`) || r.startsWith(`${o}.`);
};

/**
 * Whether `text` names `word` as a whole word (a field such as `privileged`); `anyCase` for a
 * field a message spells as prose (resource-budget's "6005m of CPU" for `resources.requests.cpu`).
 */
/**
 * Words every kind of report uses of its own things (a scrape's "port", a Service's "name", a
 * container's "image"): an override's last key being one of them says nothing of which override a
 * report is about. Its value, or a values path, still does (`port 9091`, `values.image.tag`).
 */
const GENERIC_KEYS = new Set([
  "port",
  "name",
  "enabled",
  "type",
  "image",
  "tag",
  "host",
  "path",
  "url",
  "key",
]);

/**
 * Whether `text` names an override's last key (`hostNetwork`), as {@link namesWord} in any case,
 * for a key that is no word every report uses ({@link GENERIC_KEYS}).
 */
function namesKeyWord(text: string, key: string): boolean {
  return !GENERIC_KEYS.has(key.toLowerCase()) && namesWord(text, key, true);
}

function namesWord(text: string, word: string, anyCase = false): boolean {
  const escaped = regExpText(word);
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`, anyCase ? "i" : "").test(text);
}

/**
 * Whether an override writes, by a key of its path, the field a JSON pointer of `message` ends at
 * (checks/schema.ts: `/spec/template/spec/tolerations must be array, found an object`): the
 * override `tolerations.key`, a map written where the chart's list goes, is that field's, though
 * its last key (`key`) is no word of the message; `persistence.size` beside it is not (it was named
 * as "one of these" with it). The pointer's last named step, not its prose: a field's name is no
 * word every report uses ({@link GENERIC_KEYS}), and a list index names no field. Only a pointer
 * opening one of the message's errors: a path in prose (a hostPath `/var/lib/grafana`) is no field.
 */
function writesPointedField(override: string, message: string): boolean {
  // The schema check's form: each error its instancePath and words, parted by "; " (checks/schema.ts).
  const fields = [...message.matchAll(/(?:^|; )(\/[A-Za-z0-9_~.\/-]+) /g)].flatMap((m) => {
    const named = m[1].split("/").filter((s) => s !== "" && !/^\d+$/.test(s));
    return named.length > 0 ? [pointerStep(named[named.length - 1])] : [];
  });
  return (
    fields.length > 0 && parseSegments(override).some((k) => typeof k === "string" && fields.includes(k))
  );
}

/**
 * Whether `text` names a value of an override ({@link valuesAt}) as {@link namesWord} does; one of
 * two characters or less (a rename's `kx`) only as part of an object's name: joined to another by
 * `-` (`kx-operator`, `prometheus-kx-prometheus`) or whole after its namespace (`monitoring/kx`),
 * not as a word of the prose (`nameOverride: a` is not named by "use a pinned image").
 */
function namesValue(text: string, value: string): boolean {
  if (value.length > 2) return namesWord(text, value);
  const v = regExpText(value);
  return new RegExp(`(^|[^A-Za-z0-9_])${v}-|-${v}($|[^A-Za-z0-9_])|/${v}($|[^A-Za-z0-9_-])`).test(text);
}

/**
 * The scalar values the release renders with at `path` (one, or each scalar in a list, its items'
 * maps and lists included), as text; what a message quotes (`image docker.io/…`, `adds
 * capabilities NET_ADMIN`, an affinity's `kubernetes.io/arch In amd64`: a list of node selector
 * terms quoted was said as "if it is the cause" though nothing else wrote it). Values of two
 * characters or less (`1`, `a`, `In`) are left out: they would be found in any message; not the
 * name a rename key gives ({@link RENAMES}: `fullnameOverride: kx` names `ClusterRole kx-operator`),
 * which is looked for in names only ({@link namesValue}).
 */
function valuesAt(values: Record<string, unknown>, path: string): string[] {
  const v = lookup(values, parseSegments(path));
  const scalars = (x: unknown): unknown[] =>
    Array.isArray(x) ? x.flatMap(scalars) : isMap(x) ? Object.values(x).flatMap(scalars) : [x];
  return (Array.isArray(v) ? scalars(v) : [v])
    .filter((x) => typeof x === "string" || typeof x === "number")
    .map(String)
    .filter((x) => x.length > 2 || RENAMES.test(path));
}

/** The value at `keys`, a key holding dots (`grafana.ini`) tried before its parts. */
function lookup(v: unknown, keys: Segment[]): unknown {
  return valueAt(v, keySegments(v, keys));
}

/**
 * The keys `keys` (a path split into its keys and indexes) stand for in `v`: a path written dotted
 * (a message's values path, the stack output of an export written before it quoted such keys) has
 * a key holding dots (`grafana.ini`) split at them, told from a path by the values, the longest
 * key `v` holds tried first.
 */
function keySegments(v: unknown, keys: Segment[]): Segment[] {
  if (keys.length === 0) return [];
  for (let i = keys.length; i > 1; i--) {
    if (keys.slice(0, i).some((k) => typeof k === "number")) continue;
    const key = keys.slice(0, i).join(".");
    if (isMap(v) && key in v) return [key, ...keySegments(v[key], keys.slice(i))];
  }
  const [first] = keys;
  return [first, ...keySegments(valueAt(v, [first]), keys.slice(1))];
}

/**
 * An override (`path` under `chart`, as the stack output `chartValueOverrides` has it, an item's
 * `[i]` after it) as the stack file writes it and `pulumi config set --path` reads it
 * (config/tree.ts propertyPath): `grafana["grafana.ini"].database.password`, a key written dotted
 * told apart by `values`, the release's. `under` names the key it is below (`chartValues`), when given.
 */
export function overrideKey(chart: string, path: string, values: unknown, under?: string): string {
  const segments = [chart, ...keySegments(values, parseSegments(path))];
  return under === undefined ? propertyPath(chart, segments.slice(1)) : propertyPath(under, segments);
}

/**
 * The stack output's overrides (`<chart>.<path>`, dotted) as the stack file writes them
 * ({@link overrideKey}), each told apart by the values of a release of its chart in `resources`.
 */
export function shownOverrides(
  resources: { urn: string; type: string; inputs?: Record<string, any> }[],
  overrides: string[],
): string[] {
  const releases = releasesOf(resources);
  return overrides.map((o) => {
    const [chart, path] = firstKeyAndRest(o);
    return overrideKey(chart, path, releases.find((r) => r.chart === chart)?.values);
  });
}

/** The paths under `<chart>.` of the stack's overrides of `rel`'s chart (`chartValues.<chart>`). */
function chartOverrides(rel: ReleaseRef, overrides: string[]): string[] {
  return overrides.map(firstKeyAndRest).flatMap(([chart, path]) => (chart === rel.chart ? [path] : []));
}

type Connects = NonNullable<CheckFinding["connects"]>;

/** What a report says its verdict rests on, of what decides which overrides can be its cause. */
type RestsOn = { message: string; connects?: Connects; wiring?: boolean };

/**
 * {@link chartOverrides}, less those a report rests on none of: of a rule nothing uses
 * (ruleOverrides), of what configs and values wire (a rule's evaluators, a config's calls), the
 * keys that only size, place, pull or harden pods ({@link podsOnly}).
 */
function candidateOverrides(rel: ReleaseRef, overrides: string[], report: RestsOn): string[] {
  const ofChart = chartOverrides(rel, overrides);
  if (report.connects) return ruleOverrides(rel, ofChart, report.connects, report.message);
  // A key choosing only the workload's kind (alloy's `controller.type`, model/chartKinds.ts
  // KIND_ONLY_KEYS) wires nothing: no cause of what a config calls or its roles grant.
  const kindOnly = KIND_ONLY_KEYS[rel.chart] ?? [];
  return report.wiring
    ? ofChart.filter((o) => !podsOnly(o) && !hostNamespaces(o) && !kindOnly.includes(o))
    : ofChart;
}

/**
 * Keys that put a chart's pods in the host's network, PID or IPC namespace: which NetworkPolicies
 * apply to such pods follows from them (so they stay candidates of a rule nothing uses), but not
 * what a config dials, calls or evaluates, nor which components render: no cause of a `wiring`
 * report (Alloy's `controller.hostNetwork` beside its replaced config text is no cause of the rules
 * the text no longer evaluates). The charts name them so (`hostNetwork`, `controller.hostPID`) or
 * with a prefix: vector 0.56.0's `podHostNetwork` (values.yaml:173, templates/_pod.tpl:6-7).
 */
const HOST_NAMESPACES = /^(?:[a-z][A-Za-z0-9]*H|h)ost(?:Network|PID|IPC)$/;
const hostNamespaces = (o: string): boolean =>
  parseSegments(o).some((k) => typeof k === "string" && HOST_NAMESPACES.test(k));

/**
 * Keys that only size, place, pull or harden a chart's pods: no address, port or pod selected
 * follows from them, so they are no cause of a NetworkPolicy rule nothing uses (a key with one of
 * these as a segment: `singleBinary.resources.requests.memory`, `controller.nodeSelector`).
 */
const PODS_ONLY =
  /^(?:resources|(?:pod|container)?[sS]ecurityContext|nodeSelector|tolerations|affinity|topologySpreadConstraints|priorityClassName|image|imagePullPolicy|imagePullSecrets)$/;

/** Whether an override (a path under its chart) only sizes, places, pulls or hardens pods ({@link PODS_ONLY}). */
const podsOnly = (o: string): boolean =>
  parseSegments(o).some((k) => typeof k === "string" && PODS_ONLY.test(k));

/**
 * The overrides of `ofChart` that can be the cause of a NetworkPolicy rule no address or scrape
 * uses (checks/objects.ts Finding `connects`): not a key that only sizes, places or hardens pods
 * ({@link PODS_ONLY}), and not a switch turning off a component neither side of the rule would
 * pick: one dialing would pick, or one receiving would pick whose templates, when that side
 * covers the whole release, declare a port the report names (`lokiCanary.enabled: false`, whose
 * pods declare only `http-metrics`, is no cause of a rule admitting loki's `http`; see switchedOff).
 */
function ruleOverrides(rel: ReleaseRef, ofChart: string[], connects: Connects, message: string): string[] {
  const ports = portsNamed(message);
  return ofChart.filter((o) => {
    if (podsOnly(o)) return false;
    // Labels given to pods neither side would pick decide nothing of the rule.
    const labelled = podLabelsOf(rel, o);
    if (labelled && ![...connects.serves, ...connects.dials].some(labelled)) return false;
    // Nor labels that cannot make a selection pick fewer pods (vmagent's `podMetadata.labels.team`
    // beside a renamed vector scrape port), when the check told which keys its selectors read.
    if (labelled && connects.reads && !mayUnpick(rel, o, connects.reads, connects.unless ?? [])) return false;
    // A key shaping only the release's Service routes to its pods: a cause only when they serve.
    if (shapesOnlyService(rel.chart, o)) return connects.serves.some((s) => mayPickRelease(rel, s));
    const names = switchedComponent(o, rel.chart);
    if (names.length === 0 || lookup(rel.values, parseSegments(o)) !== false) return true;
    // A switch of the release's scrape object (vector's `podMonitor`, a chart's `serviceMonitor`,
    // node-exporter's `prometheus.monitor`) turns off the scrape a rule was written for, no pod.
    if (names.some((n) => SCRAPE_SWITCH.test(n))) return true;
    return (
      connects.dials.some((s) => picksComponent(rel, names, s)) ||
      connects.serves.some(
        (s) =>
          picksComponent(rel, names, s) && (!wholeRelease(rel, names, s) || mayDeclare(rel, names, ports)),
      )
    );
  });
}

/**
 * For a key of pod labels (`podLabels`, `lokiCanary.podLabels`, `podMetadata.labels`) or one label
 * of it: whether a selection may pick the pods it labels, those of the component its path names
 * first (`victoria-metrics-operator.podLabels`: as {@link picksComponent} tells a switch's), or the
 * release's own for the chart's top-level map ({@link mayPickRelease}). Undefined for any other key.
 * Such a key labels only those pods (the charts write the map into their pod templates: loki
 * 18.11.0 templates/loki-canary/daemonset.yaml:42-47, vector 0.56.0 templates/daemonset.yaml:48-52;
 * whether it may also write over a label they carry is model/podLabels.ts's, see {@link mayUnpick}),
 * so a NetworkPolicy rule whose sides pick none of them is no consequence of it (the operator's
 * `podLabels` beside the rule between vmagent and Vector), as a switch of a component neither side
 * picks is none (ruleOverrides).
 */
function podLabelsOf(rel: ReleaseRef, override: string): ((s: Selection) => boolean) | undefined {
  const set = podLabelsSet(rel, override);
  if (set === undefined) return undefined;
  const first = set.keys[0];
  if (set.at === 0 || typeof first !== "string") return (s) => mayPickRelease(rel, s);
  const names = [first, first.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase()];
  return (s) => picksComponent(rel, names, s);
}

/**
 * Whether a key of pod labels ({@link podLabelsOf}) may make a selection pick fewer pods, and so
 * leave a rule unused: a label of a key the stack's selectors read (`reads`) that the chart may
 * write over a label its pods carry; one it only adds (model/podLabels.ts) only by a key a selector
 * reads as `NotIn` or `DoesNotExist` (`unless`), since a selector of `matchLabels`, `In` or
 * `Exists` picks a pod with one more label as it did without it. True when what the key sets is
 * not a map of labels (its keys are not known).
 */
function mayUnpick(
  rel: ReleaseRef,
  override: string,
  reads: readonly string[],
  unless: readonly string[],
): boolean {
  const set = podLabelsSet(rel, override);
  if (set?.given === undefined) return true;
  const map = set.keys.slice(0, set.at + 1).join(".");
  return Object.keys(set.given).some((k) => (addsPodLabel(rel.chart, map, k) ? unless : reads).includes(k));
}

/**
 * What a key of pod labels sets (`podLabels`, `lokiCanary.podLabels`, `podMetadata.labels`, or one
 * label of such a map): its path (`keys`, as the release's values spell it), where the map's key
 * is in it (`at`), and the labels it gives (`given`: the one label, or the map; undefined when the
 * map's value is no map). Undefined for any other key. One reading for {@link podLabelsOf},
 * {@link mayUnpick} and {@link labelsSelected}.
 */
function podLabelsSet(
  rel: ReleaseRef,
  override: string,
): { keys: Segment[]; at: number; given: Record<string, unknown> | undefined } | undefined {
  const keys = keySegments(rel.values, parseSegments(override));
  const at = keys.findIndex(podLabelsKey);
  if (at < 0 || keys.length > at + 2) return undefined;
  const value = lookup(rel.values, keys);
  const given = keys.length === at + 2 ? { [String(keys[at + 1])]: value } : isMap(value) ? value : undefined;
  return { keys, at, given };
}

/** Whether the key at `i` of `keys` is a map of pod labels: `podLabels`, `lokiCanary.podLabels`, `podMetadata.labels`. */
const podLabelsKey = (k: Segment, i: number, keys: readonly Segment[]): boolean =>
  typeof k === "string" && (/(?:^p|P)odLabels$/.test(k) || (k === "labels" && keys[i - 1] === "podMetadata"));

/** A switched name that is a scrape object's (a ServiceMonitor, PodMonitor or VictoriaMetrics scrape), not a component's. */
const SCRAPE_SWITCH = /^(?:(?:pod|service)?monitor|(?:vm)?(?:pod|service)scrape)$/i;

/** The port names a report is about: `port "http"` (named-port), `(["http"] from 2 peer(s))` (network-policy). */
function portsNamed(message: string): string[] {
  return [
    ...[...message.matchAll(/(?:^|[^A-Za-z])(?:port|targetPort) "([^"]+)"/g)].map((m) => m[1]),
    ...[...message.matchAll(/\[((?:"[^"]*"(?:, ?)?)+)\]/g)].flatMap(
      (m) => JSON.parse(`[${m[1]}]`) as string[],
    ),
  ];
}

/**
 * Whether the templates of `rel`'s component `names` (switchedComponent) may declare one of
 * `ports`: false only when every name's templates are known (synth/componentPorts.ts) and declare
 * none; a component whose ports cannot be read (a helper writes its pods) may be the cause.
 */
function mayDeclare(rel: ReleaseRef, names: string[], ports: string[]): boolean {
  const declared = names.map((c) => componentPortNames(rel.chart, c));
  return declared.some((d) => d === undefined || ports.some((p) => d.has(p)));
}

/**
 * The names of the component an on/off switch of a chart turns (`gateway.enabled`,
 * `lokiCanary.enabled`): its key, and the key as the chart names the component's objects and
 * reports name the component (`loki-canary`, `<release>-<component>`). A message naming what the
 * switch left out (the Service `loki-gateway`, the emitter `loki-canary`) names the switch.
 */
function switchedComponent(override: string, chart?: string): string[] {
  const key = /(?:^|\.)([A-Za-z0-9_-]+)\.enabled$/.exec(override)?.[1];
  if (!key) return [];
  // A subchart the switch is the condition of is named by its own chart's name, not the key's
  // (kube-prometheus-stack's `nodeExporter.enabled` renders `<release>-prometheus-node-exporter`).
  const sub = chart === undefined ? [] : subchartsSwitchedBy(chart, override);
  return [...new Set([key, key.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase(), ...sub])];
}

/**
 * The switches of `ofChart` set to true that turned on the component a report is on (`place` and
 * message name it): with no override setting a field the rule judged, what it found is the
 * component's own (the chart's memcached image, which `chunksCache.enabled` brings and no override
 * wrote), so the switch is its cause, and no other override of the chart (a container's
 * `securityContext` judged by another rule of the same pod). Undefined when none is.
 */
function switchedOn(
  rel: ReleaseRef,
  ofChart: string[],
  text: string,
  names: Set<string>,
): { overrides: string[]; narrowed: boolean } | undefined {
  // The component's objects by the name the chart gives them, `<release>-<component>` whole
  // (`loki-chunks-cache`): its key alone as a word is also part of another's (the switch
  // `gateway.enabled` and `loki-index-gateway`, a target that runs without it).
  const on = ofChart.filter(
    (o) =>
      lookup(rel.values, parseSegments(o)) === true &&
      switchedComponent(o, rel.chart).some((c) => namesObject(text, `${rel.name}-${c}`)),
  );
  if (on.length === 0) return undefined;
  const keys = on
    .flatMap((o) => namedItems(rel.values, o, text, names))
    .map((o) => overrideKey(rel.chart, o, rel.values, "chartValues"));
  return { overrides: keys, narrowed: true };
}

/**
 * The switches of `ofChart` set to false, for a report whose verdict is that none of a selection of
 * the release's objects has what it judged (checks/objects.ts Finding `noneOf`: a NetworkPolicy's
 * named port none of the pods it reaches declares) and that no override's field explains: the
 * component a switch turned off is missing from that selection, its pods with the ports they
 * declared (`gateway.enabled: false` and the rules admitting the gateway's `http`), so the switch
 * is the cause, as it is of the addresses still dialing the component's Service, and the two are
 * one message. A verdict on one object's own field (a pod's targetPort, an image) is no switch's,
 * nor is a switch whose component none of the selections `picked` would pick (`lokiCanary.enabled:
 * false` and a rule on the pods of component `single-binary`): its pods were never among them.
 * A selection of the whole release (by its instance and chart name alone) would pick any
 * component: there a switch is a cause only when its component's templates declare the port the
 * report names (synth/componentPorts.ts) or cannot be read (a helper writes its pods: the chunks
 * cache's `loki.memcached.statefulSet`; no chart archive), never when they declare others
 * (`lokiCanary.enabled: false` and a rule admitting the gateway's `http`) or none
 * (`persistence.enabled`, a switch of no component's pods: no template of that name). One switch
 * is named as the cause, several as "one of these"; undefined when none is.
 */
function switchedOff(
  rel: ReleaseRef,
  ofChart: string[],
  picked: Selection[],
  message: string,
): { overrides: string[]; narrowed: boolean } | undefined {
  const ports = portsNamed(message);
  const off = ofChart.filter((o) => {
    const names = switchedComponent(o, rel.chart);
    return (
      lookup(rel.values, parseSegments(o)) === false &&
      picked.some(
        (s) =>
          picksComponent(rel, names, s) && (!wholeRelease(rel, names, s) || mayDeclare(rel, names, ports)),
      )
    );
  });
  if (off.length === 0) return undefined;
  const keys = off.map((o) => overrideKey(rel.chart, o, rel.values, "chartValues"));
  return { overrides: keys, narrowed: off.length === 1 };
}

/**
 * Whether selection `s` would pick an object of `rel`'s component `names` (switchedComponent) had
 * the chart rendered it: in the release's namespace, with every label it requires one the chart
 * gives its components' objects, as the charts here name them (`app.kubernetes.io/instance` the
 * release, `app.kubernetes.io/name` the chart, `app.kubernetes.io/component` the component,
 * `canary` for `lokiCanary`: its name without the chart's). A label not told this way, or a
 * selector with expressions, picks none: no switch is named rather than the wrong one.
 */
function picksComponent(rel: ReleaseRef, names: string[], s: Selection): boolean {
  if (names.length === 0 || !s.labels || (s.namespace !== undefined && s.namespace !== rel.namespace))
    return false;
  const own = names.flatMap((c) => [c, c.replace(new RegExp(`^${rel.chart}-`), "")]);
  return Object.entries(s.labels).every(([k, v]) => {
    const key = k.replace(/^app\.kubernetes\.io\//, "");
    if (key === "instance" || key === "release") return v === rel.name;
    if (key === "component") return own.includes(v);
    // A label keyed by the component itself (`alertmanager: kps-alertmanager`, the label an
    // operator puts on the pods it runs for that resource) picks that component.
    if (own.includes(key)) return true;
    // The label prometheus-operator puts on the pods it runs for a Prometheus or an Alertmanager,
    // valued by that resource's name, which kube-prometheus-stack 88.0.0 (model/versions.ts) gives
    // as the chart's fullname and the component (templates/_helpers.tpl
    // `kube-prometheus-stack.prometheus.crname`, `.alertmanager.crname`: `<fullname>-prometheus`
    // while cleanPrometheusOperatorObjectNames is false, its values.yaml default):
    // `kube-prometheus-stack-prometheus`.
    if (k === "operator.prometheus.io/name") {
      const full = typeof rel.values.fullnameOverride === "string" ? rel.values.fullnameOverride : "";
      return [full, rel.name].some((f) => f !== "" && names.some((c) => v === `${f}-${c}`));
    }
    if (key === "name" || key === "app")
      return [rel.chart, rel.name, ...names, ...names.map((c) => `${rel.name}-${c}`)].includes(v);
    return false;
  });
}

/**
 * Whether selection `s` may pick pods of `rel`: false only when it is told to pick none, by its
 * namespace or by a label of the release (`instance`, `release`) or of its name (`name`, `app`)
 * that the release's pods do not carry so; any other label, or a selector with expressions (no
 * labels told), may pick them.
 */
function mayPickRelease(rel: ReleaseRef, s: Selection): boolean {
  if (s.namespace !== undefined && s.namespace !== rel.namespace) return false;
  return Object.entries(s.labels ?? {}).every(([k, v]) => {
    const key = k.replace(/^app\.kubernetes\.io\//, "");
    if (key === "instance" || key === "release") return v === rel.name;
    if (key === "name" || key === "app")
      return v === rel.chart || v === rel.name || v.startsWith(`${rel.name}-`);
    return true;
  });
}

/**
 * Whether selection `s` picks component `names` of `rel` by the release alone (its instance and its
 * chart's or release's name), no label telling the component: it picks every component alike.
 */
function wholeRelease(rel: ReleaseRef, names: string[], s: Selection): boolean {
  return Object.entries(s.labels ?? {}).every(([k, v]) => {
    const key = k.replace(/^app\.kubernetes\.io\//, "");
    return (
      key === "instance" ||
      key === "release" ||
      ((key === "name" || key === "app") &&
        !names.includes(v) &&
        !names.some((c) => v === `${rel.name}-${c}`))
    );
  });
}

/** Whether `text` names the object `name` whole: no letter, digit, `_` or `-` on either side. */
function namesObject(text: string, name: string): boolean {
  const escaped = regExpText(name);
  return new RegExp(`(^|[^A-Za-z0-9_-])${escaped}($|[^A-Za-z0-9_-])`).test(text);
}

/** The kinds of object that run pods of their own, as a report's place names them. */
const WORKLOAD_KINDS = /^(?:Deployment|StatefulSet|DaemonSet|ReplicaSet|Job|CronJob|Pod)$/;

/**
 * `containers` (by name) as `<workload>/<name>` when the report is on the workload running them
 * (`StatefulSet monitoring/loki-chunks-cache (release loki)`, checks/objects.ts describe; a
 * rendered object's URN, `…$kubernetes:apps/v1:StatefulSet::loki/monitoring/loki-chunks-cache`):
 * two pods of a chart may run containers of one name (Loki's caches and gateway each an
 * `exporter`), each written by its own key (synth/containerKeys.ts). A name already given with its
 * workload, or a report on another object (a NetworkPolicy), stays as it is.
 */
function inWorkload(containers: readonly string[], place: string | undefined): string[] {
  const where = place && /^([A-Za-z]+) (?:[^/ ]+\/)?([^/ ]+)(?: |$)/.exec(place);
  const urn = place && /\$kubernetes:[^:$]+:([A-Za-z]+)::[^:]*\/([^/]+)$/.exec(place);
  const m = where || urn;
  const workload = m && WORKLOAD_KINDS.test(m[1]) ? m[2] : undefined;
  return containers.map((c) => (workload === undefined || c.includes("/") ? c : `${workload}/${c}`));
}

/** Where a report is: a rendered-object finding's object, a violation's URN. */
const placeOf = (report: { where?: string; urn?: string }) => report.where ?? report.urn;

/**
 * The overrides of `rel` (paths under its chart) a message on it concerns, and whether the
 * message narrowed them: the values paths it names (`values.<path>`, `.Values.<path>`), else the
 * fields it names (an override's last key as a word) or the values it quotes (an override's value
 * as a word). A message that narrows nothing is still a consequence of the release's values, and
 * so of one of its overrides or of the program: all of them, said as "one of these". A report that
 * says what its verdict rests on (`on`: the fields judged, their containers, whether none of a
 * selection has them; checks/objects.ts Finding) is traced by that instead.
 */
function overridesOn(
  rel: ReleaseRef,
  message: string,
  overrides: string[],
  on: {
    judged?: string[];
    containers?: string[];
    noneOf?: Selection[];
    selectedBy?: Selection[];
    connects?: Connects;
    wiring?: boolean;
    ungranted?: string[];
    lacking?: ApiCall[];
  } = {},
  place?: string,
): { overrides: string[]; narrowed: boolean; byKind?: true } | undefined {
  const { judged, containers } = on;
  const ofChart = candidateOverrides(rel, overrides, { message, connects: on.connects, wiring: on.wiring });
  if (ofChart.length === 0) return undefined;
  const rbacOff = rbacSwitchedOff(rel, ofChart, on);
  if (rbacOff) return rbacOff;
  const read = valuesPathsIn(message, rel.chart);
  // What the kind-key and switch rules read: the report's place and message.
  const text = `${place ?? ""} ${message}`;
  // A value that is the release's own name (a database user `grafana`) is in every message on it.
  const names = new Set([rel.name, rel.chart, rel.namespace]);
  // What the rule says its verdict rests on decides, not the words of its message: an override
  // setting none of those fields is no cause of it (the image of a DaemonSet a nodeSelector keeps
  // off a pool), even when the message quotes its value.
  if (judged && judged.length > 0) {
    const setting = ofChart.filter(
      (o) =>
        ((setsField(o, judged, lookup(rel.values, parseSegments(o))) ||
          // A key writing the field under a name of its own (Grafana's `podPortName` its container's port).
          writesJudgedField(rel.chart, o, judged) ||
          replacesHolder(rel, o, judged, ofChart) ||
          // A label that put the pods among those a selector of the verdict picks.
          labelsSelected(rel, o, on.selectedBy)) &&
          // The field of another container of the chart (the grafana container's finding and
          // `sidecar.securityContext`, which every k8s-sidecar reads) is no cause of it.
          !(containers && writesOnlyOtherContainers(rel.chart, o, inWorkload(containers, place)))) ||
        renamesNamed(o, rel.values, message, names),
    );
    if (setting.length === 0)
      return (
        switchedOn(rel, ofChart, text, names) ??
        (on.noneOf ? switchedOff(rel, ofChart, on.noneOf, message) : undefined) ??
        kindChosen(rel, ofChart, text)
      );
    // A field is the workload's, and a chart runs several: the values path the message names
    // (`values.singleBinary.replicas`) tells which workload's overrides they are, of those setting
    // a field judged: the path's, and its workload's others (`singleBinary.affinity`, which places
    // the pods the replica count is judged against), not another workload's (`write.replicas`).
    // The workload is the path above the field judged (`singleBinary` of `singleBinary.replicas`);
    // a path with none above it (`resources.requests.memory`) tells no workload but its own field.
    const workloadOf = (p: string) => {
      const s = p.split(".");
      for (let i = s.length - 1; i > 0; i--)
        if (setsField(s.slice(i).join("."), judged)) return s.slice(0, i).join(".");
      return undefined;
    };
    const ofPath = setting.filter((o) =>
      read.some((p) => {
        const w = workloadOf(p);
        return concerns(o, p) || (w !== undefined && concerns(o, w));
      }),
    );
    const keys = (ofPath.length > 0 ? ofPath : setting)
      .flatMap((o) => namedItems(rel.values, o, message, names))
      .map((o) => overrideKey(rel.chart, o, rel.values, "chartValues"));
    // A field judged that no override sets is the program's (the parked release's
    // `nodeSelector["homelab-observability/parked"]`): on a workload of the kind a key chose, that
    // key is a cause beside those setting the others (a parked DaemonSet runs no pod on purpose;
    // as a Deployment its pods stay Pending, by the arch an override asks for too).
    const unset = judged.some(
      (j) => !setting.some((o) => setsField(o, [j], lookup(rel.values, parseSegments(o)))),
    );
    const kind = unset ? kindChosen(rel, ofChart, text) : undefined;
    return { overrides: [...new Set([...(kind?.overrides ?? []), ...keys])], narrowed: true };
  }
  const byWords =
    read.length > 0
      ? ofChart.filter((o) => read.some((p) => concerns(o, p)))
      : ofChart.filter(
          (o) =>
            namesKeyWord(message, String(parseSegments(o).at(-1))) ||
            writesPointedField(o, message) ||
            switchedComponent(o, rel.chart).some((c) => namesWord(message, c)) ||
            valuesAt(rel.values, o).some((v) => !names.has(v) && namesValue(message, v)) ||
            namedItems(rel.values, o, message, names)[0] !== o ||
            renamesAway(o, rel, message),
        );
  // A report naming the workload of the kind a key chose (synth/fieldKeys.ts chosenKind) follows
  // from that key beside the overrides its words name (the parked Deployment's nodeSelector, its
  // kind the reason it is parked at all). With no word naming one, the key is its cause only when
  // it is the chart's one override: beside another (`rbac.create: false`, whose pods lack RBAC
  // whatever alloy's controller.type) which of them is at fault is not known. The chart's, not the
  // candidates the report's filter left: a report on what configs wire leaves `controller.hostNetwork`
  // out, yet a rule alloy-cluster's pods leave unused in the host's network is that key's, and
  // alloy-cluster is a Deployment by the program's own values, whatever `controller.type` says.
  const kinds = read.length > 0 ? [] : ofChart.filter((o) => choosesKindOf(rel, o, text));
  const only = kinds.length > 0 && kinds.length === chartOverrides(rel, overrides).length;
  if (byWords.length === 0 && only) return kindKeys(rel, kinds);
  const named =
    byWords.length > 0 ? ofChart.filter((o) => byWords.includes(o) || kinds.includes(o)) : byWords;
  const keys = (named.length > 0 ? named : ofChart)
    .flatMap((o) => namedItems(rel.values, o, message, names))
    .map((o) => overrideKey(rel.chart, o, rel.values, "chartValues"));
  return { overrides: keys, narrowed: named.length > 0 };
}

/**
 * The chart's RBAC switch (model/chartRbac.ts) when the stack sets it to false, for a report whose
 * verdict is only that ServiceAccounts the release renders hold no grant it needs (`ungranted`):
 * the chart then renders none of its roles and bindings, so the switch is the one cause, whatever
 * other keys of the chart the stack sets, when turning it back on grants what they lack: every
 * call the report lists (`lacking`) one the roles the chart then renders from the release's values
 * allow, and the chart renders roles at all with the release's other values (vector's only for its
 * Agent role). Undefined otherwise (an account of another release, the switch left on, a report resting
 * on more than grants: a pod mounting no token; a call those roles would not grant either, as of a
 * config the stack replaced, whose calls the program's rules were never written for).
 */
function rbacSwitchedOff(
  rel: ReleaseRef,
  ofChart: string[],
  { ungranted, lacking }: { ungranted?: readonly string[]; lacking?: readonly ApiCall[] },
): { overrides: string[]; narrowed: boolean } | undefined {
  const key = RBAC_SWITCHES[rel.chart];
  if (!ungranted?.length || key === undefined || !ofChart.includes(key)) return undefined;
  if (lookup(rel.values, parseSegments(key)) !== false) return undefined;
  const own = (account: string) => {
    const [ns, name] = account.split("/");
    return ns === rel.namespace && rel.rendered.has(name);
  };
  if (!ungranted.every(own) || !switchRendersRoles(rel.chart, rel.values)) return undefined;
  if (lacking?.length) {
    const grants = switchedOnGrants(rel.chart, rel.values);
    if (!grants || !lacking.every((n) => grants.some((g) => covers(g, n)))) return undefined;
  }
  return { overrides: [overrideKey(rel.chart, key, rel.values, "chartValues")], narrowed: true };
}

/**
 * Whether `override` chooses the kind of `rel`'s workload (synth/fieldKeys.ts chosenKind: alloy's
 * `controller.type`, vector's `role`) that `text` (a report's place and message) names as that kind:
 * `Deployment monitoring/alloy`, a URN's `apps/v1:Deployment::alloy/monitoring/alloy`, a policy's
 * `kubernetes:apps/v1:Deployment "alloy/monitoring/alloy"`. The workload is the one the release
 * rendered by that name: the program's exceptions (`DaemonSet alloy` may run as root), its parking
 * of a release by a nodeSelector no node has (a DaemonSet then runs no pod, a Deployment's stay
 * Pending) and the rules for node agents (a DaemonSet may mount the host) reach it by its kind, so
 * what it lacks as the other kind follows from the key.
 */
function choosesKindOf(rel: ReleaseRef, override: string, text: string): boolean {
  const kind = chosenKind(rel.chart, override, lookup(rel.values, parseSegments(override)));
  if (kind === undefined) return false;
  const named = new RegExp(`(?:^|[^A-Za-z])${kind}(?:::| "?)(?:[A-Za-z0-9._-]+/)*([A-Za-z0-9._-]+)`, "g");
  return [...text.matchAll(named)].some((m) => rel.rendered.has(m[1]));
}

/**
 * The keys of `ofChart` that chose the kind of the workload a report is on ({@link choosesKindOf}),
 * for a report whose judged fields no override sets: the key is its cause. Undefined when none did.
 */
function kindChosen(
  rel: ReleaseRef,
  ofChart: string[],
  text: string,
): { overrides: string[]; narrowed: boolean; byKind: true } | undefined {
  const chose = ofChart.filter((o) => choosesKindOf(rel, o, text));
  return chose.length === 0 ? undefined : kindKeys(rel, chose);
}

/** {@link kindChosen}'s answer for `chose`, the keys already found choosing the workload's kind. */
const kindKeys = (
  rel: ReleaseRef,
  chose: string[],
): { overrides: string[]; narrowed: boolean; byKind: true } => ({
  overrides: chose.map((o) => overrideKey(rel.chart, o, rel.values, "chartValues")),
  narrowed: true,
  byKind: true,
});

/** The keys that rename a chart's objects (`fullnameOverride`, `nameOverride`), the word before `Override` captured. */
const RENAMES = /(?:^|\.)(fullname|name)Override$/;

/**
 * Whether an override renames the objects a message names (`fullnameOverride: vmx` and a finding on
 * `VMAgent monitoring/vmx`): whatever fields a rule judged, the program's settings and accepted
 * exceptions (contract/exceptions.ts, `VMAgent vm`) reach an object by the name it gives it, so the
 * rename is a cause of what the renamed object lacks.
 */
function renamesNamed(
  override: string,
  values: Record<string, unknown>,
  message: string,
  names: Set<string>,
): boolean {
  return (
    RENAMES.test(override) && valuesAt(values, override).some((v) => !names.has(v) && namesValue(message, v))
  );
}

/**
 * Whether `override` renames the release's objects (`fullnameOverride: lk`) and the message says
 * one is missing by the name the release gives it without the rename (`no Service
 * monitoring/loki-gateway`): the configs still dialing the old name follow from the rename, which
 * no word of such a message names (the new name is nowhere in it). A `nameOverride` renames them
 * only through the fullname the charts derive from it ({@link renamesFullname}).
 */
function renamesAway(override: string, rel: ReleaseRef, message: string): boolean {
  const key = RENAMES.exec(override)?.[1];
  if (key === undefined) return false;
  const to = lookup(rel.values, parseSegments(override));
  if (typeof to !== "string" || to === "") return false;
  if (key === "name" && !renamesFullname(rel, override, to)) return false;
  return [...message.matchAll(/\bno [A-Z][A-Za-z]* [a-z0-9-]+\/([a-z0-9.-]+)/g)].some(
    ([, name]) =>
      [rel.name, rel.chart].some((old) => old !== to && (name === old || name.startsWith(`${old}-`))) ||
      // The name the release gave it before the stack renamed it (the program's `kps`, the
      // release rendering `kx-alertmanager` where the configs dial `kps-alertmanager`).
      (name.includes("-") &&
        !name.startsWith(`${to}-`) &&
        rel.rendered.has(`${to}${name.slice(name.indexOf("-"))}`)),
  );
}

/**
 * Whether a `nameOverride` of `to` changes the fullname the chart names its objects by, as the
 * charts' `<chart>.fullname` helpers derive it (loki, grafana, alloy, vector, kube-prometheus-stack,
 * victoria-metrics-common's `vm.fullname`): a `fullnameOverride` beside it (the program sets one on
 * most releases) wins; else the release's name when it contains the name (`oki` in `loki`), else
 * `<release>-<name>`. A nameOverride that leaves the fullname as the chart's own name gives it
 * renames none of the objects the stack's configs reach (only the labels naming the app).
 */
function renamesFullname(rel: ReleaseRef, override: string, to: string): boolean {
  const scope = parseSegments(override).slice(0, -1);
  const values = scope.length === 0 ? rel.values : lookup(rel.values, scope);
  const full = isMap(values) ? values.fullnameOverride : undefined;
  if (typeof full === "string" && full !== "") return false;
  // A subchart's key (`grafana.nameOverride` of kube-prometheus-stack) names the subchart.
  const chart = scope.length === 0 ? rel.chart : String(scope.at(-1));
  const fullname = (name: string) => (rel.name.includes(name) ? rel.name : `${rel.name}-${name}`);
  return fullname(to) !== fullname(chart);
}

/**
 * Whether `override` is under a map holding a field judged that the chart takes whole in place of
 * other keys' (synth/containerKeys.ts wholeMapOver: a Loki target's `podSecurityContext`, which
 * replaces `loki.podSecurityContext` and its `runAsUser`), and the map holds the overrides' settings
 * only: the overrides put it there, so they dropped the field, though none of them sets it. A map
 * the program's values already held replaced the others before any override.
 */
function replacesHolder(
  rel: ReleaseRef,
  override: string,
  judged: readonly string[],
  ofChart: string[],
): boolean {
  const whole = wholeMapOver(rel.chart, override);
  if (whole === undefined || !setsField(whole, judged)) return false;
  return leafPaths(whole, lookup(rel.values, parseSegments(whole))).every((l) =>
    ofChart.some((o) => l === o || l.startsWith(`${o}.`) || l.startsWith(`${o}[`)),
  );
}

/**
 * Whether `override` (a path under `rel`'s chart) gives pods a label one of `selections` requires,
 * with the value it requires, in the release's namespace: a map of pod labels (`podLabels`,
 * `lokiCanary.podLabels`, a `podMetadata.labels`) or one label of it. The charts write such a map
 * into the pods' labels beside their own (loki 18.11.0 templates/loki-canary/daemonset.yaml:42-47,
 * vector 0.56.0 templates/daemonset.yaml:48-52, grafana 12.3.1 templates/deployment.yaml:33-37), so
 * the selector picks those pods by it: a verdict on every pod it picks judged them because of that
 * label. Not an object's own `labels` (loki's `lokiCanary.labels`, the DaemonSet's metadata, :8-13):
 * no selector of pods reads them.
 */
function labelsSelected(
  rel: ReleaseRef,
  override: string,
  selections: readonly Selection[] | undefined,
): boolean {
  if (!selections?.length) return false;
  const given = podLabelsSet(rel, override)?.given ?? {};
  return selections.some(
    (s) =>
      s.labels !== undefined &&
      (s.namespace === undefined || s.namespace === rel.namespace) &&
      Object.entries(given).some(
        ([k, v]) => (typeof v === "string" || typeof v === "number") && s.labels![k] === String(v),
      ),
  );
}

/** Whether `v` is a map holding `key`, or holds such a map at most `depth - 1` maps down. */
function holdsKey(v: unknown, key: string, depth: number): boolean {
  if (!isMap(v) || depth < 1) return false;
  return key in v || Object.values(v).some((x) => holdsKey(x, key, depth - 1));
}

/**
 * Whether an override (a path under its chart) sets one of the things `judged`: a workload field
 * (`nodeSelector`, `image` of `image.repository`; or the chart's key for one side or more of it,
 * `containerSecurityContext`, `extraVolumes`, `controller.volumes.extra`), or a path in a file the chart renders from its values
 * (`receivers[2].name` of an Alertmanager config, which one chart keeps under `config` and another
 * under `alertmanager.config`). Either is found wherever its first key is a key of the override's
 * path: the override sets it when the rest of the override's path leads to it or into it
 * (`config.receivers` sets `receivers[2].name`; `config.route.routes` sets `route.routes[0]` but not
 * `route.receiver`, the root route's, nor `receivers`).
 */
function setsField(override: string, judged: readonly string[], value?: unknown): boolean {
  const keys = dottedSegments(override);
  return judged.some((j) => {
    const path = dottedSegments(j);
    const [first] = path;
    // An override whose path stops above the thing writes the map holding it (`alertmanager.config`
    // whole holds `receivers`), at most two maps down.
    if (typeof first === "string" && holdsKey(value, first, 2)) return true;
    const more = typeof first === "string" ? first[0].toUpperCase() + first.slice(1) : undefined;
    // A chart's key for one side or more of a field ends with it: `podSecurityContext` and
    // `containerSecurityContext` are the chart's `securityContext` of the pod and of its container,
    // `extraVolumes` more `volumes`.
    const names = (k: string | number) =>
      k === first ||
      (more !== undefined && typeof k === "string" && k.length > more.length && k.endsWith(more));
    return keys.some((k, i) => {
      if (!names(k)) return false;
      const rest = keys.slice(i + 1);
      const n = Math.min(rest.length, path.length - 1);
      return rest.slice(0, n).every((r, m) => r === path[m + 1]);
    });
  });
}

/**
 * A path's segments with a key holding dots split at them: a field judged may name a map's entry
 * (`nodeSelector["kubernetes.io/arch"]`, what resource-budget's kept-off message rests on), which
 * an override writes either way (`nodeSelector.kubernetes.io/arch` or with the key quoted).
 */
const dottedSegments = (path: string): Segment[] =>
  parseSegments(path).flatMap((s): Segment[] => (typeof s === "string" ? s.split(".") : [s]));

/** A dashboard panel as checks/emittedMetrics.ts names it: `dashboard <ConfigMap>/<file>: <panel>`. */
const DASHBOARD_PANEL = /^dashboard ([^/\s]+)\/\S+: /;

/**
 * The override item that wrote the object a report is on, whole (`chartValues.grafana.extraObjects[0]`
 * for a ConfigMap the chart renders from its `extraObjects`): an override of `rel`'s chart holding a
 * list of objects, one of them of the report's kind and name. Everything in such an object is the
 * override's, so the report is that item's, not "one of" the release's overrides. The object is
 * the one a rendered-object finding names first (checks/objects.ts `describe`: `ConfigMap
 * monitoring/my-app-dashboards (release grafana)`) or a policy's URN ends with.
 */
function objectOverride(
  rel: ReleaseRef,
  report: { urn?: string; where?: string; message: string },
  overrides: string[],
): string | undefined {
  const described = /^([A-Z][A-Za-z]+) (?:([^/ ]+)\/)?(\S+) \(release /.exec(report.where ?? report.message);
  const panel = DASHBOARD_PANEL.exec(report.where ?? "");
  const object =
    objectOfUrn(report.urn) ??
    (described
      ? { kind: described[1], namespace: described[2], name: described[3] }
      : panel
        ? { kind: "ConfigMap", namespace: undefined, name: panel[1] }
        : undefined);
  if (!object) return undefined;
  const { kind, namespace, name } = object;
  for (const o of chartOverrides(rel, overrides)) {
    const v = lookup(rel.values, parseSegments(o));
    if (!Array.isArray(v)) continue;
    const i = v.findIndex(
      (item) =>
        isMap(item) &&
        item.kind === kind &&
        isMap(item.metadata) &&
        item.metadata.name === name &&
        (item.metadata.namespace === undefined ||
          namespace === undefined ||
          item.metadata.namespace === namespace),
    );
    if (i >= 0) return overrideKey(rel.chart, `${o}[${i}]`, rel.values, "chartValues");
  }
  return undefined;
}

/**
 * `override` as the items of its list a message names by their `name` (a volume, a mount, an env
 * var: `controller.volumes.extra[1]` for "volume etc"), else as it is. One item of a list override
 * is one mistake wherever it lands (each release of the chart, each check and policy that sees it),
 * and another item of the same list another: keys that differ by item are not merged
 * (sameOverrides), and the key with its index is found at its line in the stack file.
 */
function namedItems(
  values: Record<string, unknown>,
  override: string,
  message: string,
  names: Set<string>,
): string[] {
  const v = lookup(values, parseSegments(override));
  if (!Array.isArray(v)) return [override];
  const items = v.flatMap((item, i) => {
    const name: unknown = item && typeof item === "object" ? (item as { name?: unknown }).name : undefined;
    return typeof name === "string" && name.length > 2 && !names.has(name) && namesWord(message, name)
      ? [`${override}[${i}]`]
      : [];
  });
  return items.length > 0 ? items : [override];
}

// Where a key is written, and a refusal's words for it: config/locate.ts, which the program itself
// also names keys with (a refusal the Garage provider makes in `pulumi up`).
export { overridePlacesIn, placedOrAbove, stackKeyAt, type OverridePlace } from "../config/locate";

/** `key`, followed by its place in the stack file when `at` knows it. */
const placed = (key: string, at?: OverridePlace) => {
  const where = at?.(key);
  return where ? `${key} (${where})` : key;
};

/**
 * Names the `chartValues` keys behind each report on a release whose chart the stack overrides
 * (`overrides`: the stack output `chartValueOverrides`, `<chart>.<path>` each). A report on a
 * release (its values, an object it rendered, a workload it rendered that the budget judges, a
 * NetworkPolicy rule written for its pods) is a consequence of that release's values: it gets the
 * overrides of the release its message concerns (see overridesOn), and when the message narrows to
 * none, every override of the release with `overridesUnsure` set ("one of these"). A report on no
 * release (a raw resource of the program) gets none. A refused override is then found by its key in
 * the stack file, not by the rendered object it ended up in.
 */
export function attributeOverrides<
  T extends {
    urn?: string;
    where?: string;
    message: string;
    releases?: string[];
    judged?: string[];
    containers?: string[];
    noneOf?: Selection[];
    selectedBy?: Selection[];
    connects?: Connects;
    wiring?: boolean;
    ungranted?: string[];
    lacking?: ApiCall[];
    overrides?: string[];
    overridesUnsure?: boolean;
    overridesInPool?: boolean;
  },
>(reports: T[], resources: ExportedResource[], overrides: string[], at?: OverridePlace): T[] {
  if (at) for (const report of reports) report.message = placeStackKeys(report.message, at);
  if (overrides.length === 0) return reports;
  const releases = releasesOf(resources);
  let budget: Budget | null | undefined;
  /** The overrides behind one report, and whether its message leaves them unsure. */
  const traced = (
    report: AttributedReport,
  ): { keys: string[]; unsure: boolean; pool?: boolean } | undefined => {
    if (!report.urn && POOL_ROW.test(report.message)) {
      budget ??= stackBudget(resources) ?? null;
      const keys = budget ? poolOverrides(report.message, budget, releases, overrides) : [];
      return keys.length > 0 ? { keys, unsure: true, pool: true } : undefined;
    }
    const rel = releaseOfReport(report, releases, resources, overrides);
    const own = rel && objectOverride(rel, report, overrides);
    if (own) return { keys: [own], unsure: false };
    const on = rel && overridesOn(rel, report.message, overrides, report, placeOf(report));
    if (on) return { keys: on.overrides, unsure: !on.narrowed };
    // Workloads of several overridden charts that no pool admits for one reason: each chart's
    // overrides the message narrows to (its nodeSelector's key), all of them sure when each is.
    const kept =
      !report.urn && !report.where ? keptOffReleases(report.message, releases, resources) : undefined;
    if (kept && kept.length > 1) {
      const each = kept.map((r) => overridesOn(r, report.message, overrides, report));
      if (each.some((e) => e !== undefined))
        return {
          keys: [...new Set(each.flatMap((e) => e?.overrides ?? []))],
          unsure: each.some((e) => e === undefined || !e.narrowed),
        };
    }
    // A report on releases of several overridden charts (a NetworkPolicy rule between Vector and
    // a Loki the stack overrides both): which override is at fault is not known, so the
    // overrides of each are named as the ones it may follow from, never none.
    const among = releases
      .filter((r) => report.releases?.includes(r.urn))
      .map((r) =>
        candidateOverrides(r, overrides, report).map((k) => overrideKey(r.chart, k, r.values, "chartValues")),
      )
      .filter((keys) => keys.length > 0);
    return among.length < 2 ? undefined : { keys: [...new Set(among.flat())], unsure: true };
  };
  for (const report of reports) {
    let found = traced(report);
    // A message is as sure of its override as the surest report merged into it: a pack violation
    // naming a release (pod-security-levels on the Namespace) is unsure, the rendered pod that the
    // override made ask for the host is the override's own.
    if (!found || found.unsure)
      for (const m of membersOf.get(report) ?? []) {
        const sure = traced(m);
        if (sure && !sure.unsure) {
          found = sure;
          break;
        }
      }
    // After tracing: the overrides are found by the values paths as the pack wrote them.
    const rel = releaseOfReport(report, releases, resources, overrides);
    if (rel) report.message = valuesPathsAsStackKeys(report.message, rel, overrides);
    if (!found) continue;
    report.overrides = found.keys.map((k) => placed(k, at));
    if (found.unsure) report.overridesUnsure = true;
    if (found.pool) report.overridesInPool = true;
  }
  return reports;
}

/**
 * `message` with the release values paths it names (`values.<path>`, as the pack names what it
 * read) that the stack file sets written as the stack file writes them
 * (`chartValues.loki.loki.compactor.delete_request_store`), as the "from the stack's chart values
 * override" line under it names them: the user edits the stack file, where `values.` is no key.
 * When the message is about such a value, the place its advice writes to (`Set values.<path> to`,
 * `move them to values.<path>`) is a stack key too: the stack key that sets that path
 * (config/stackKeyPaths.ts), else its `chartValues` key. A path the program alone sets stays a
 * values path: the stack file holds no key of it.
 */
function valuesPathsAsStackKeys(message: string, rel: ReleaseRef, overrides: string[]): string {
  const ofChart = chartOverrides(rel, overrides);
  const fromStack = (p: string) => ofChart.some((o) => concerns(o, p));
  const path = new RegExp(String.raw`(^|[^A-Za-z0-9_.])values(${KEY_STEPS})`, "g");
  const about = [...message.matchAll(path)].some((m) => fromStack(m[2]));
  if (!about) return message;
  return message.replace(path, (whole, before: string, p: string, at: number) => {
    if (fromStack(p)) return `${before}${overrideKey(rel.chart, p, rel.values, "chartValues")}`;
    if (!/(?:^|[^A-Za-z])(?:[Ss]et|to) $/.test(message.slice(0, at + before.length))) return whole;
    const key = STACK_KEY_CHART_PATHS.find(
      (e) => "chart" in e && e.chart === rel.chart && e.path.join(".") === parseSegments(p).join("."),
    )?.key;
    return `${before}${key ?? overrideKey(rel.chart, p, rel.values, "chartValues")}`;
  });
}

/** resource-budget's message on a pool over budget (policy/budget.ts): `pool <name>: <cpu|memory> requests …`. */
const POOL_ROW = /^pool (\S+): (cpu|memory) requests /;

/**
 * The overrides that may have raised the requests a pool row of resource-budget sums (its pool's,
 * or every pool's for `pool total`): those of the releases whose workloads the row counts that set
 * that dimension's request, a whole resources block, or a replica count. Which of them tipped the
 * pool over is not known (the program's own requests count too), so they are named as "if it is
 * the cause".
 */
function poolOverrides(
  message: string,
  budget: Budget,
  releases: ReleaseRef[],
  overrides: string[],
): string[] {
  const [, pool, dim] = POOL_ROW.exec(message)!;
  const row = [...budget.rows, budget.total].find((r) => r.pool === pool);
  if (!row) return [];
  const raises = new RegExp(`(^|\\.)(resources(\\.requests(\\.${dim})?)?|replicas|replicaCount)$`);
  return releases
    .filter((rel) => row.sources.some((urn) => urn === rel.urn || renderedBy(urn, rel)))
    .flatMap((rel) =>
      chartOverrides(rel, overrides)
        .filter((o) => raises.test(o))
        .map((o) => overrideKey(rel.chart, o, rel.values, "chartValues")),
    )
    .filter((k, i, all) => all.indexOf(k) === i);
}

/** What {@link attributeOverrides} reads of a report. */
type AttributedReport = {
  urn?: string;
  where?: string;
  message: string;
  releases?: string[];
  judged?: string[];
  containers?: string[];
  noneOf?: Selection[];
  selectedBy?: Selection[];
};

/**
 * A message with each stack key it names in backquotes (`` `nodePools[0].taints` ``, a key path
 * with a `.` or an index; resource-budget names the pool whose taint keeps workloads off so) followed
 * by its place in the stack file, as the config refusals name theirs: the pack sees the stack-info
 * ConfigMap, not the file. A key the file does not hold whole stays as it is.
 */
export function placeStackKeys(message: string, at: OverridePlace): string {
  return message.replace(/`([A-Za-z][A-Za-z0-9_]*(?:\[\d+\]|\.[A-Za-z0-9_]+)+)`/g, (whole, key: string) => {
    const where = at(key);
    return where ? `${whole} (${where})` : whole;
  });
}

/**
 * A check's warning with each `chartValues` key it names in backquotes followed by its place in
 * the stack file ({@link stackKeyAt}: its line, else the line of the map it goes under): a check
 * sees the rendered objects, not the file, and the user mends the key.
 */
export function placeChartValueKeys(warning: string, at: OverridePlace): string {
  // Placed where first named; named again, a key is its name alone.
  const placed = new Set<string>();
  return warning.replace(/`(chartValues\.[A-Za-z0-9_.-]+)`/g, (_, key: string) => {
    if (placed.has(key)) return key;
    placed.add(key);
    return stackKeyAt(key, at);
  });
}

/** A release that did not render, as {@link mergeRenderErrors} takes it. */
type FailedRelease = Pick<
  ReleaseRender,
  "resourceUrn" | "releaseName" | "namespace" | "chart" | "version" | "error" | "notHelm"
>;

/** One message for the releases one mistake kept from rendering. */
export interface MergedRenderError {
  /** `namespace/name` of each release it touches. */
  releases: string[];
  /** Their URNs, in the same order. */
  urns: string[];
  chart: string;
  version: string;
  /** Helm's message for the first of them. */
  error: string;
  /** The program run as Helm is no Helm: one message for every release, whatever its chart. */
  notHelm?: boolean;
  overrides?: string[];
  overridesUnsure?: boolean;
}

/**
 * The render failures, one per mistake. Helm names the template it was executing, so one bad
 * value gives one message per release of the chart (the node agents' two releases during their
 * handover, alloy's DaemonSet and Deployment releases) that differ at most in that template's
 * file, or even in the read it stopped at (Helm stops at the first template it executes that
 * fails, `.Values.service.enabled` in one, `.Values.service.port` in the other): failures of one
 * chart version are merged when their messages are byte-identical, or when each message's
 * `.Values.<path>` reads narrow to the same overrides (fixing those fixes every one of them). The
 * merged message keeps the first release's Helm message and names every release it touches, as
 * `namespace/name`. A program run as Helm that is no Helm (render/helm.ts notHelmAnswer) fails every
 * release alike, whatever its chart: those are one message, read by the render's flag, not its words.
 */
export function mergeRenderErrors(
  failed: FailedRelease[],
  resources: { urn: string; type: string; inputs?: Record<string, any> }[],
  overrides: string[],
  at?: OverridePlace,
): MergedRenderError[] {
  const releases = releasesOf(resources);
  const out = new Map<string, MergedRenderError>();
  for (const f of failed) {
    if (f.error === undefined) continue;
    const error = renderFailureText(f.error, f.chart, f.version);
    const rel = f.notHelm ? undefined : releases.find((r) => r.urn === f.resourceUrn);
    const on = rel && overridesOn(rel, error, overrides);
    const key = f.notHelm
      ? `n\0${error}`
      : on?.narrowed
        ? `o\0${f.chart}\0${f.version}\0${on.overrides.join(",")}`
        : `e\0${f.chart}\0${f.version}\0${error}`;
    const place = `${f.namespace}/${f.releaseName}`;
    const seen = out.get(key);
    if (seen) {
      if (!seen.releases.includes(place)) {
        seen.releases.push(place);
        seen.urns.push(f.resourceUrn);
      }
      continue;
    }
    out.set(key, {
      releases: [place],
      urns: [f.resourceUrn],
      chart: f.chart,
      version: f.version,
      error,
      ...(f.notHelm ? { notHelm: true } : {}),
      ...(on ? { overrides: on.overrides.map((k) => placed(k, at)) } : {}),
      ...(on && !on.narrowed ? { overridesUnsure: true } : {}),
    });
  }
  return [...out.values()];
}

/** A merged render failure: `ns/release[, ns/release…] (chart version): Helm's message`, then its overrides. */
export function formatRenderError(m: MergedRenderError): string {
  // No chart is at fault: the message leads, then the releases it kept from rendering.
  if (m.notHelm) return `${m.error}\n    (so none of ${m.releases.join(", ")} rendered)`;
  return `${m.releases.join(", ")} (${m.chart} ${m.version}): ${m.error}${alsoLines({ alsoAt: [], ...m })}`;
}

/**
 * Helm's words for values of another form than the chart reads: its values schema refused them
 * (`singleBinary: Invalid type. Expected: object, given: array`), or a template read a field of a
 * value that is no map (`can't evaluate field limits in type interface {}`, `wrong type for value`).
 */
const VALUES_OF_ANOTHER_FORM =
  /values don't meet the specifications of the schema|can't evaluate field|wrong type for value/;

/**
 * `violations` without those that judge values Helm refused as of another form than the chart
 * reads ({@link VALUES_OF_ANOTHER_FORM}), naming a value of the stack's overrides (traced as
 * {@link mergeRenderErrors} traces it): a rule that read those values as if they applied (the
 * replicas of a `singleBinary: []` counted as 0, "lower the replication factor to at most 0") says
 * what no chart would make of them, and the render failure already names the override. A violation
 * on the release reading other values stays, and so does one where the chart read the values and
 * refused them itself (a template's `fail`: Loki's "replicas configured for both the monolithic
 * and simple scalable targets"), whose verdict on them holds and names the key to change.
 */
export function withoutRefusedValues<V extends Pick<Violation, "urn" | "message" | "judged" | "containers">>(
  violations: V[],
  renders: FailedRelease[],
  resources: { urn: string; type: string; inputs?: Record<string, any> }[],
  overrides: string[],
): V[] {
  if (overrides.length === 0) return violations;
  const releases = releasesOf(resources);
  // Each refused release's URN, with the overrides Helm's message names.
  const refused = new Map<string, string[]>();
  for (const f of renders) {
    if (f.error === undefined || f.notHelm || !VALUES_OF_ANOTHER_FORM.test(f.error)) continue;
    const rel = releases.find((r) => r.urn === f.resourceUrn);
    const on = rel && overridesOn(rel, renderFailureText(f.error, f.chart, f.version), overrides);
    if (rel && on?.narrowed) refused.set(rel.urn, on.overrides);
  }
  if (refused.size === 0) return violations;
  return violations.filter((v) => {
    const rel = v.urn ? releases.find((r) => r.urn === v.urn || renderedBy(v.urn!, r)) : undefined;
    const helm = rel && refused.get(rel.urn);
    if (!helm) return true;
    const on = overridesOn(rel, v.message, overrides, v, v.urn);
    return !on?.narrowed || !on.overrides.every((o) => helm.some((h) => concerns(h, o)));
  });
}

/** What only some callers of {@link notRenderedText} know of the stack. */
export interface NotRenderedOptions {
  /**
   * The `chartValues` overrides in force, and where the stack file states each: a failure Helm's
   * message traces to one names it (synth reads the stack file; verify and bench do not).
   */
  overrides?: string[];
  at?: OverridePlace;
  /**
   * The pack's verdict on the same resources, printed after this text (synth): a violation on a
   * release that did not render judges the values Helm refused, so its line points at it (the
   * violation names the key to change; Helm names only its template).
   */
  violations?: MergedViolation[];
}

/**
 * What a command says of the releases that did not render: how many of how many, then one line per
 * mistake ({@link mergeRenderErrors}, {@link formatRenderError}), so a HOMELAB_HELM that is no Helm
 * is one message, not one per release. synth, verify's promised jobs and bench's figures all say it
 * through here; each caller puts its own lead (`staging: `, `render: `) before it. Undefined when
 * every release rendered.
 */
export function notRenderedText(
  renders: FailedRelease[],
  resources: { urn: string; type: string; inputs?: Record<string, any> }[],
  { overrides = [], at, violations = [] }: NotRenderedOptions = {},
): string | undefined {
  const failed = renders.filter((r) => r.error !== undefined);
  return notRenderedTextOf(renders, mergeRenderErrors(failed, resources, overrides, at), violations);
}

/**
 * {@link notRenderedText} of failures a caller has merged already ({@link mergeRenderErrors} of
 * `renders`' failures), as synth has for {@link withRenderFailures}: one failure is merged once.
 */
export function notRenderedTextOf(
  renders: FailedRelease[],
  merged: MergedRenderError[],
  violations: MergedViolation[] = [],
): string | undefined {
  const failed = renders.filter((r) => r.error !== undefined);
  if (failed.length === 0) return undefined;
  const lines = merged.map((m) => {
    const same = violationOfRender(m, violations);
    if (same)
      return `  ${m.releases.join(", ")} (${m.chart} ${m.version}): the chart refused its values for the mistake of the policy violation ${same.policy} below, which names the key and Helm's words`;
    const onIt = violations.filter((v) => v.urn !== undefined && m.urns.includes(v.urn)).map((v) => v.policy);
    const cause = onIt.length
      ? `\n    (the policy violation${onIt.length > 1 ? "s" : ""} ${onIt.join(", ")} below name${onIt.length > 1 ? "" : "s"} the values behind it)`
      : "";
    return `  ${formatRenderError(m)}${cause}`;
  });
  // "of M Helm releases" whatever M, as synth always said it. M is never one in a stack:
  // apply/stack.ts creates the prometheus-crds, loki and grafana releases whatever the config.
  return `${failed.length} of ${renders.length} Helm releases did not render (helm template):\n${lines.join("\n")}`;
}

/** How a render failure is named among a violation's places (`[helm template] ns/release …`). */
const RENDER_PLACE = "helm template";

/**
 * The violation whose mistake a render failure is: on the release Helm refused, tracing to the same
 * `chartValues` overrides as Helm's message does, the violation sure of them (the grafana chart's
 * assertNoLeakedSecrets refusing the literal `database.password` that no-plaintext-credentials
 * refuses). Helm's message may name no key (the loki chart's "without an object storage backend"
 * after `loki.storage.type: filesystem`): unsure, it is traced to every override of the release,
 * and when those are exactly the ones the violation is sure of, they are the release's only
 * departure from the program's values, so the failure is that violation's mistake too. One mistake
 * is one message: the violation's, which says what to do, with the render among its places
 * ({@link withRenderFailures}).
 */
function violationOfRender(m: MergedRenderError, violations: MergedViolation[]): MergedViolation | undefined {
  const keys = m.overrides;
  if (!keys) return undefined;
  return violations.find(
    (v) =>
      v.urn !== undefined &&
      m.urns.includes(v.urn) &&
      !v.overridesUnsure &&
      v.overrides?.length === keys.length &&
      v.overrides.every((o) => keys.includes(o)),
  );
}

/**
 * `violations` (as attributeOverrides placed their overrides, with the same `at`) with each render
 * failure (`merged`, {@link mergeRenderErrors} with that `at`) that is one's mistake
 * ({@link violationOfRender}) among its places, in Helm's words: {@link notRenderedTextOf} of the
 * same `merged` then names that failure by the violation alone. Copies.
 */
export function withRenderFailures(
  violations: MergedViolation[],
  merged: MergedRenderError[],
): MergedViolation[] {
  const out = violations.map((v) => {
    const copy = { ...v, alsoAt: [...v.alsoAt] };
    // Its merged reports stay beside the copy: what they say is still said under it (memberWays).
    const members = membersOf.get(v);
    if (members) membersOf.set(copy, members);
    return copy;
  });
  for (const m of merged) {
    const v = violationOfRender(m, out);
    if (v)
      v.alsoAt.push(
        `[${RENDER_PLACE}] ${m.releases.join(", ")} (${m.chart} ${m.version}): ${m.error.split("\n")[0]}`,
      );
  }
  return out;
}

/** Merged violations, mandatory first (as formatViolations), each with its other places. */
export function formatMergedViolations(violations: MergedViolation[]): string {
  return violations.map((v) => `  [${v.level}] ${v.policy}: ${v.message}${alsoLines(v)}`).join("\n");
}

/** Merged findings (as checks/placed.ts formatFindings), each with its other places. */
export function formatMergedFindings(findings: MergedFinding[]): string {
  return findings.map((f) => `  [${f.check}] ${f.where}: ${f.message}${alsoLines(f)}`).join("\n");
}

/**
 * A stack's merged findings as synth says them: those that fail the run (`problems`), and apart,
 * failing nothing, those of a check whose policy the pack config makes advisory (`advisories`,
 * {@link atTwinLevels}); an advisory one leads only where nothing that fails shares its cause
 * ({@link mergeProblems}). `text` is both, each under its heading; "" without findings.
 */
export function findingsReport(
  stack: string,
  found: MergedFinding[],
  configFile: string | undefined,
): { problems: MergedFinding[]; advisories: MergedFinding[]; text: string } {
  const problems = found.filter((f) => f.advisory === undefined);
  const advisories = found.filter((f) => f.advisory !== undefined);
  const policies = [...new Set(advisories.map((f) => f.advisory!))];
  const where = configFile ? `${configFile}, --policy-config` : "the pack's defaults";
  const text = [
    ...(problems.length > 0
      ? [`${stack}: the rendered stack would fail in a cluster:\n${formatMergedFindings(problems)}`]
      : []),
    ...(advisories.length > 0
      ? [
          `${stack}: advisory, failing nothing (${listed(policies)} ${policies.length === 1 ? "is" : "are"} advisory in ${where}):\n${formatMergedFindings(advisories)}`,
        ]
      : []),
  ].join("\n");
  return { problems, advisories, text };
}

/** What decided one stack's exit status in `npm run synth`. */
export interface StackOutcome {
  stack: string;
  /** Whether the releases were rendered and checked (false under `--no-render`). Default true. */
  rendered?: boolean;
  /** Helm releases that did not render. */
  renderErrors: number;
  /** Problems the rendered-object checks found (after merging, {@link mergeProblems}). */
  checkProblems: number;
  /** The pack's violations (after merging). */
  violations: Violation[];
  /** The change check's exit status (`--against`, `--running`, imports), when it ran. */
  change?: number;
  /** Why the change check failed, for the closing line (`3 refused (above)`). */
  changeWhy?: string;
  /**
   * Why the stack could not be judged at all (its configuration refused, chart archives missing, an
   * unexpected error): exit 2, the status of bad input, whatever else is set.
   */
  refused?: string;
}

/**
 * A stack's exit status: 2 when it could not be judged ({@link StackOutcome.refused}), 1 when anything
 * below failed it, else 0 (the change check's own code wins).
 */
export function outcomeCode(o: StackOutcome): number {
  if (o.refused !== undefined) return 2;
  if (o.change !== undefined && o.change !== 0) return o.change;
  const mandatory = o.violations.some((v) => v.level === "mandatory" || v.level === "remediate");
  return o.renderErrors > 0 || o.checkProblems > 0 || mandatory ? 1 : 0;
}

/** `1 stack`, `2 stacks`: a count and its noun. */
export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The line that ends a stack's output, after the policy's verdict: the exit status it gives and
 * every reason for it, so that the last line never says "pass" while the command fails (the policy
 * can pass while a rendered object fails). Short enough for 80 columns: the counts are above it.
 */
export function closingLine(o: StackOutcome): string {
  const code = outcomeCode(o);
  if (o.refused !== undefined) return `${o.stack}: FAIL (exit ${code}): ${o.refused}`;
  if (code === 0)
    return o.rendered === false
      ? `${o.stack}: pass (exit 0): the policy passes (not rendered: --no-render)`
      : `${o.stack}: pass (exit 0): the rendered objects and the policy pass`;
  const mandatory = o.violations.filter((v) => v.level === "mandatory" || v.level === "remediate").length;
  const reasons = [
    ...(o.renderErrors > 0 ? [`${plural(o.renderErrors, "Helm release")} did not render`] : []),
    ...(o.checkProblems > 0 ? [plural(o.checkProblems, "rendered-object problem")] : []),
    ...(mandatory > 0 ? [`policy: FAIL (${mandatory} mandatory)`] : []),
    ...(o.change !== undefined && o.change !== 0 ? [`the change: ${o.changeWhy ?? "FAIL"}`] : []),
  ];
  return `${o.stack}: FAIL (exit ${code}): ${reasons.join("; ")}`;
}

/** The line that ends a run over several stacks: which of them failed, with the exit status. */
export function runClosingLine(outcomes: StackOutcome[]): string {
  const failedStacks = outcomes.filter((o) => outcomeCode(o) !== 0).map((o) => o.stack);
  const code = outcomes.reduce((c, o) => (outcomeCode(o) > c ? outcomeCode(o) : c), 0);
  return failedStacks.length > 0
    ? `synth: FAIL (exit ${code}): ${failedStacks.length} of ${plural(outcomes.length, "stack")} failed: ${failedStacks.join(", ")}`
    : `synth: pass (exit 0): ${plural(outcomes.length, "stack")}, every one passed`;
}
