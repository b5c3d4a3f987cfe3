/**
 * Alloy configs judged by Alloy's component reference: upstream/alloy/data/alloy-1.12/components.json,
 * extracted from Alloy v1.12.0's own docs (docs/sources/reference/components/**, config-blocks/**,
 * stdlib/**; its README states the shape and the doubts). Every rule below says where it comes from;
 * the data is read, never restated.
 *
 * The reference is the docs, and the README lists where the docs and the code disagree: a finding
 * here is a departure from the documented contract, which is what the project promises to follow.
 */
import * as path from "path";
import { readReferenceFile, referenceDataDir } from "../reference";
import { blocksOf, dottedName, type Attribute, type Block, type Expr, type Pos, type Stmt } from "./syntax";

export interface ArgumentRef {
  name: string;
  type: string;
  default: string | null;
  required: boolean | null;
  source: string;
}

export interface BlockRef {
  path: string[];
  name: string;
  required: boolean | null;
  required_text?: string;
  arguments?: ArgumentRef[];
  arguments_unknown?: boolean;
  accepts_top_level_blocks?: boolean;
  label_evidence?: unknown;
  source: string;
}

export interface ComponentRef {
  doc: string;
  stage?: string;
  arguments?: ArgumentRef[];
  blocks?: Record<string, BlockRef>;
  exports?: { name: string; type: string; source: string }[];
}

export interface AlloyReference {
  source: { repository: string; tag: string; commit: string };
  components: Record<string, ComponentRef>;
  config_blocks: Record<string, ComponentRef>;
  stdlib: { functions: Record<string, string>; objects: Record<string, Record<string, string>> };
}

/** The folder of the reference data this module judges against, under upstream/alloy/data/. */
export const ALLOY_REFERENCE = "alloy-1.12";

/** The component reference's file. */
export const alloyReferenceFile = (): string =>
  path.join(referenceDataDir("alloy", ALLOY_REFERENCE), "components.json");

/** Alloy's component reference, read once from its data file. */
export const loadAlloyReference = (() => {
  let cached: AlloyReference | undefined;
  return (): AlloyReference =>
    (cached ??= JSON.parse(readReferenceFile(alloyReferenceFile())) as AlloyReference);
})();

/**
 * The version check: the reference names its Alloy tag; judging a config for another Alloy against
 * it would be judging against the wrong contract. Returns the problem, or undefined when they agree.
 */
export function referenceVersionProblem(
  ref: Pick<AlloyReference, "source">,
  pinnedTag: string,
): string | undefined {
  if (ref.source.tag === pinnedTag) return undefined;
  return (
    `model/versions.ts pins Alloy ${pinnedTag}, but the component reference upstream/alloy/data/${ALLOY_REFERENCE} is Alloy ${ref.source.tag}: ` +
    `run npm run refresh-reference -- alloy <checkout of grafana/alloy at ${pinnedTag}>, which writes upstream/alloy/data/ under a folder named after the new version, review the data's diff, ` +
    `then point ALLOY_REFERENCE (upstream/alloy/components.ts) at it (the parser test corpus, syntax/parser/testdata at the same tag, goes to HOMELAB_REFERENCE_DIR/alloy-<version>/parser-testdata)`
  );
}

/** `--stability.level` values, least to most stable (docs/sources/reference/cli/run.md at v1.12.0, lines 66 and 94-102). */
export const STABILITY_LEVELS = ["experimental", "public-preview", "generally-available"] as const;
export type StabilityLevel = (typeof STABILITY_LEVELS)[number];

/** A component's stage, as the front matter spells it, on the `--stability.level` scale. */
function stageLevel(stage: string | undefined): StabilityLevel {
  if (!stage) return "generally-available";
  const s = stage.replace(/_/g, "-");
  return (STABILITY_LEVELS as readonly string[]).includes(s)
    ? (s as StabilityLevel)
    : s === "general-availability"
      ? "generally-available"
      : "experimental";
}

export interface AlloyFinding {
  rule:
    | "unknown-component"
    | "label"
    | "unknown-argument"
    | "unknown-block"
    | "attribute-as-block"
    | "block-as-attribute"
    | "missing-argument"
    | "missing-block"
    | "literal-type"
    | "undefined-reference"
    | "unknown-export"
    | "receiver-kind"
    | "unknown-function"
    | "stability";
  pos: Pos;
  message: string;
  /** The docs line the rule read (`path:line` in grafana/alloy at the reference's tag). */
  source?: string;
}

/** Closest names by edit distance, for "did you mean". */
function closest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(name, c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

const didYouMean = (name: string, candidates: Iterable<string>) => {
  const c = closest(name, candidates);
  return c ? ` (did you mean "${c}"?)` : "";
};

/**
 * A row is doubtful when the docs contradict themselves: Required "yes" with a default (the
 * README's "Reading the values"). Such a row is not enforced as required.
 */
const enforcedRequired = (a: { required: boolean | null; default?: string | null }) =>
  a.required === true && (a.default === null || a.default === undefined || a.default === "");

/** Go-style duration units the docs list for `duration` (types_and_values.md at v1.12.0, lines 33-40). */
const DURATION = /^(?:\d+(?:\.\d+)?(?:h|m|s|ms|ns))+$/;

/** Whether a literal expression can be the documented type; undefined when it is not a literal. */
function literalFits(type: string, e: Expr): boolean | undefined {
  const t = type.trim();
  if (e.kind === "paren") return literalFits(t, e.inner);
  if (e.kind === "unary" && e.op === "-" && e.value.kind === "literal") return literalFits(t, e.value);
  if (e.kind === "literal") {
    if (e.type === "null") return true; // null may be assigned to any attribute (operators.md, "Assignment operator")
    const numeric = e.type === "number" || e.type === "float";
    switch (t) {
      case "string":
      case "secret":
      case "string or secret":
      case "secret or string":
        // "You can assign numbers to string attributes with an implicit conversion" (operators.md).
        return e.type === "string" || numeric;
      case "bool":
      case "boolean":
        return e.type === "bool";
      case "int":
      case "integer":
      case "uint":
      case "uint32":
      case "number":
      case "float":
      case "float32":
      case "float64":
        // "You can assign strings to numerical attributes if they represent a number" (operators.md).
        return numeric || (e.type === "string" && e.value !== "" && !Number.isNaN(Number(e.value)));
      case "duration":
      case "Duration":
        return e.type === "string" && (DURATION.test(String(e.value)) || e.value === "0");
      default:
        if (/^(list|array)\(|^\[\]|^map\(|^map\[|^object$/.test(t)) return false;
        // A capsule type (LogsReceiver, MetricsReceiver, RelabelRules, ...) is never a literal.
        if (/^[A-Z]|^capsule\(|\.[A-Z]/.test(t)) return false;
        return undefined;
    }
  }
  const inner = /^(?:list|array)\((.*)\)$/.exec(t)?.[1];
  if (e.kind === "array") {
    if (inner === undefined)
      return /^(list|array)\(|^\[\]/.test(t) || t === "any" ? true : isAggregateUnknown(t);
    const verdicts = e.elements.map((x) => literalFits(inner, x));
    return verdicts.every((v) => v !== false);
  }
  if (e.kind === "object") {
    const value = /^map\((.*)\)$/.exec(t)?.[1];
    if (value === undefined) return /^map\[|^object$|^any$/.test(t) ? true : isAggregateUnknown(t);
    return e.fields.every((f) => literalFits(value, f.value) !== false);
  }
  return undefined;
}

/** Scalars refuse arrays and objects; capsule and unknown types are not judged. */
function isAggregateUnknown(t: string): boolean | undefined {
  return ["string", "secret", "bool", "boolean", "int", "number", "float", "duration", "uint"].includes(t)
    ? false
    : undefined;
}

/** Every dotted reference an expression makes, with the argument position it sits in. */
function referencesIn(e: Expr, out: { name: string; pos: Pos; called: boolean }[] = []): typeof out {
  const name = dottedName(e);
  if (name !== undefined) {
    out.push({ name, pos: e.pos, called: false });
    return out;
  }
  switch (e.kind) {
    case "array":
      e.elements.forEach((x) => referencesIn(x, out));
      break;
    case "object":
      e.fields.forEach((f) => referencesIn(f.value, out));
      break;
    case "access":
    case "index":
      referencesIn(e.value, out);
      if (e.kind === "index") referencesIn(e.index, out);
      break;
    case "call": {
      const fn = dottedName(e.value);
      if (fn !== undefined) out.push({ name: fn, pos: e.value.pos, called: true });
      else referencesIn(e.value, out);
      e.args.forEach((x) => referencesIn(x, out));
      break;
    }
    case "unary":
      referencesIn(e.value, out);
      break;
    case "binary":
      referencesIn(e.left, out);
      referencesIn(e.right, out);
      break;
    case "paren":
      referencesIn(e.inner, out);
      break;
  }
  return out;
}

export interface CheckOptions {
  /** The `--stability.level` Alloy runs with (default: generally-available, run.md line 66). */
  stabilityLevel?: StabilityLevel;
}

/** Judges one parsed Alloy config (the top-level body of its main file) against the reference. */
export function checkAlloyComponents(
  body: Stmt[],
  ref: AlloyReference,
  opts: CheckOptions = {},
): AlloyFinding[] {
  const findings: AlloyFinding[] = [];
  const level = opts.stabilityLevel ?? "generally-available";
  const declared = new Map<string, Block>();
  for (const s of body)
    if (s.kind === "block" && ref.components[s.name] && s.label) declared.set(`${s.name}.${s.label}`, s);

  for (const s of body) {
    if (s.kind !== "block") continue;
    const component = ref.components[s.name];
    const configBlock = ref.config_blocks[s.name];
    const def = component ?? configBlock;
    if (!def) {
      findings.push({
        rule: "unknown-component",
        pos: s.pos,
        message: `"${s.name}" is neither a component nor a configuration block of Alloy ${ref.source.tag}${didYouMean(s.name, [...Object.keys(ref.components), ...Object.keys(ref.config_blocks)])}`,
      });
      continue;
    }
    // Components are declared with a label (configuration-syntax/components.md: "Each component has
    // a name and a label"); without one Alloy cannot tell two apart.
    if (component && !s.label)
      findings.push({
        rule: "label",
        pos: s.pos,
        message: `component ${s.name} needs a label: ${s.name} "<label>" { ... }`,
        source: def.doc,
      });
    if (component && STABILITY_LEVELS.indexOf(stageLevel(def.stage)) < STABILITY_LEVELS.indexOf(level))
      findings.push({
        rule: "stability",
        pos: s.pos,
        message: `${s.name} is ${def.stage} in Alloy ${ref.source.tag}; Alloy refuses it unless run with --stability.level=${stageLevel(def.stage)} (it runs with ${level})`,
        source: def.doc,
      });
    checkBody(s.name, s.body, [], def, ref, findings, s.pos);
  }

  // References: `<component>.<label>.<export>` must name a declared component and one of its exports.
  const each = (stmts: Stmt[], visit: (a: Attribute) => void) => {
    for (const s of stmts) if (s.kind === "attribute") visit(s);
    for (const { block } of blocksOf(stmts)) for (const s of block.body) if (s.kind === "attribute") visit(s);
  };
  each(body, (a) => {
    for (const r of referencesIn(a.value)) judgeReference(r, declared, ref, findings);
  });
  checkReceiverKinds(body, declared, ref, findings);
  return findings.sort((a, b) => a.pos.offset - b.pos.offset);
}

function checkBody(
  component: string,
  body: Stmt[],
  path: string[],
  def: ComponentRef,
  ref: AlloyReference,
  findings: AlloyFinding[],
  at: Pos,
): void {
  const here = path.length === 0 ? undefined : def.blocks?.[path.join(" > ")];
  if (here?.arguments_unknown) return;
  const args = new Map((path.length === 0 ? def.arguments : here?.arguments)?.map((a) => [a.name, a]) ?? []);
  // Blocks directly below this one: their path is one longer. A block that "accepts the top-level
  // blocks" (loki.process stage.match) takes the component's own top-level blocks.
  const blockKeys = new Map<string, BlockRef>();
  const prefix = here?.accepts_top_level_blocks ? [] : path;
  for (const b of Object.values(def.blocks ?? {}))
    if (b.path.length === prefix.length + 1 && prefix.every((p, i) => b.path[i] === p))
      blockKeys.set(b.path[b.path.length - 1], b);
  const where = [component, ...path].join(" > ");

  const seenArgs = new Set<string>();
  const seenBlocks = new Set<string>();
  for (const s of body) {
    if (s.kind === "attribute") {
      seenArgs.add(s.name);
      const a = args.get(s.name);
      if (!a) {
        if (blockKeys.has(s.name))
          findings.push({
            rule: "block-as-attribute",
            pos: s.pos,
            message: `${where}: ${s.name} is a block, written as an attribute (${s.name} { ... })`,
            source: blockKeys.get(s.name)!.source,
          });
        else
          findings.push({
            rule: "unknown-argument",
            pos: s.pos,
            message: `${where}: "${s.name}" is not a documented argument${didYouMean(s.name, args.keys())}`,
            source: def.doc,
          });
        continue;
      }
      const fits = literalFits(a.type, s.value);
      if (fits === false)
        findings.push({
          rule: "literal-type",
          pos: s.value.pos,
          message: `${where}: ${s.name} is ${a.type}, got ${describeValue(s.value)}`,
          source: a.source,
        });
    } else {
      seenBlocks.add(s.name);
      const b = blockKeys.get(s.name);
      if (!b) {
        if (args.has(s.name))
          findings.push({
            rule: "attribute-as-block",
            pos: s.pos,
            message: `${where}: ${s.name} is an argument, written as a block (${s.name} = ...)`,
            source: args.get(s.name)!.source,
          });
        else
          findings.push({
            rule: "unknown-block",
            pos: s.pos,
            message: `${where}: "${s.name}" is not a documented block${didYouMean(s.name, blockKeys.keys())}`,
            source: def.doc,
          });
        continue;
      }
      checkBody(component, s.body, b.path, def, ref, findings, s.pos);
    }
  }
  for (const a of args.values())
    if (enforcedRequired(a) && !seenArgs.has(a.name))
      findings.push({
        rule: "missing-argument",
        pos: at,
        message: `${where}: the required argument ${a.name} (${a.type}) is missing`,
        source: a.source,
      });
  for (const [name, b] of blockKeys)
    if (b.required === true && !seenBlocks.has(name) && !alternatives(b, blockKeys))
      findings.push({
        rule: "missing-block",
        pos: at,
        message: `${where}: the required block ${name} is missing`,
        source: b.source,
      });
}

/**
 * Sibling blocks all marked required where the docs mean "one of them" (the README names
 * prometheus.remote_write endpoint > azuread > managed_identity | oauth | sdk): not enforced.
 */
function alternatives(b: BlockRef, siblings: Map<string, BlockRef>): boolean {
  return [...siblings.values()].filter((s) => s.required === true).length > 1 && b.path.length > 1;
}

function describeValue(e: Expr): string {
  if (e.kind === "literal") return `${e.type} ${e.raw}`;
  return e.kind;
}

function judgeReference(
  r: { name: string; pos: Pos; called: boolean },
  declared: Map<string, Block>,
  ref: AlloyReference,
  findings: AlloyFinding[],
): void {
  if (r.called) {
    if (!(r.name in ref.stdlib.functions))
      findings.push({
        rule: "unknown-function",
        pos: r.pos,
        message: `${r.name}() is not a documented standard library function of Alloy ${ref.source.tag}${didYouMean(r.name, Object.keys(ref.stdlib.functions))}`,
      });
    return;
  }
  const parts = r.name.split(".");
  if (parts[0] in ref.stdlib.objects) return;
  // The longest prefix that names a component, then the label, then the export.
  for (let k = parts.length - 1; k >= 1; k--) {
    const name = parts.slice(0, k).join(".");
    const def = ref.components[name];
    if (!def) continue;
    const label = parts[k];
    const block = label === undefined ? undefined : declared.get(`${name}.${label}`);
    if (!block) {
      findings.push({
        rule: "undefined-reference",
        pos: r.pos,
        message: `${r.name} refers to ${name} "${label ?? ""}", which this config does not declare`,
      });
      return;
    }
    const exported = parts[k + 1];
    if (
      exported !== undefined &&
      def.exports &&
      def.exports.length > 0 &&
      !def.exports.some((e) => e.name === exported)
    )
      findings.push({
        rule: "unknown-export",
        pos: r.pos,
        message: `${name} exports ${def.exports.map((e) => e.name).join(", ")}, not ${exported}`,
        source: def.exports[0].source,
      });
    else if (exported !== undefined && (!def.exports || def.exports.length === 0))
      findings.push({
        rule: "unknown-export",
        pos: r.pos,
        message: `${name} exports nothing, not ${exported}`,
        source: def.doc,
      });
    return;
  }
  findings.push({
    rule: "undefined-reference",
    pos: r.pos,
    message: `${r.name} names no component, standard library object or function of Alloy ${ref.source.tag}`,
  });
}

/** The documented type of a declared component's export a reference reads, if any. */
function exportType(name: string, declared: Map<string, Block>, ref: AlloyReference): string | undefined {
  const parts = name.split(".");
  for (let k = parts.length - 2; k >= 1; k--) {
    const comp = parts.slice(0, k).join(".");
    const def = ref.components[comp];
    if (!def || !declared.has(`${comp}.${parts[k]}`)) continue;
    return def.exports?.find((e) => e.name === parts[k + 1])?.type;
  }
  return undefined;
}

/**
 * A `list(LogsReceiver)` takes logs receivers and a `list(MetricsReceiver)` metrics receivers
 * (the argument types in the reference): a receiver of the other kind is refused when Alloy
 * evaluates the component.
 */
function checkReceiverKinds(
  body: Stmt[],
  declared: Map<string, Block>,
  ref: AlloyReference,
  findings: AlloyFinding[],
): void {
  const visit = (component: string, def: ComponentRef, stmts: Stmt[], path: string[]) => {
    const here = path.length === 0 ? undefined : def.blocks?.[path.join(" > ")];
    const args = new Map(
      (path.length === 0 ? def.arguments : here?.arguments)?.map((a) => [a.name, a]) ?? [],
    );
    for (const s of stmts) {
      if (s.kind === "block") {
        visit(component, def, s.body, [...path, s.name]);
        continue;
      }
      const want = /^list\((\w+Receiver)\)$/.exec(args.get(s.name)?.type ?? "")?.[1];
      if (!want || s.value.kind !== "array") continue;
      for (const el of s.value.elements) {
        const n = dottedName(el);
        const got = n === undefined ? undefined : exportType(n, declared, ref);
        if (got && got !== want)
          findings.push({
            rule: "receiver-kind",
            pos: el.pos,
            message: `${component}: ${s.name} takes ${want}s, but ${n} is a ${got}`,
          });
      }
    }
  };
  for (const s of body)
    if (s.kind === "block" && ref.components[s.name]) visit(s.name, ref.components[s.name], s.body, []);
}
