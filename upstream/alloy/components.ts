/**
 * Alloy configs judged as Alloy v1.12.0 judges them, from two kinds of reference data under
 * upstream/alloy/data/alloy-1.12/ (each README states the shape):
 * - registry.json, read from Alloy's code at the tag (upstream/refresh/alloyCode.ts): the components
 *   the binary registers, their stability, and their arguments and blocks as the `alloy:"..."` tags
 *   of their Go types declare them; the configuration blocks and services; the standard library.
 *   That is what `alloy validate` checks (internal/validator/validate.go,
 *   syntax/typecheck/typecheck.go) and what `alloy run` loads, so every structural rule reads it:
 *   names, attribute or block, required, how often a block may appear, stability, duplicates,
 *   references, cycles.
 * - components.json, read from Alloy's docs at the tag: the argument types (`duration`,
 *   `list(LogsReceiver)`, ...) the literal-type and receiver-kind rules read. `alloy validate` does
 *   not check types (typecheck.go: "FIXME ... correct types"); `alloy run` refuses a wrong one when
 *   it decodes the component (syntax/vm), which these rules foresee.
 * Every rule below says where it comes from; the data is read, never restated.
 */
import * as path from "path";
import { readReferenceFile, referenceDataDir } from "../reference";
import type { AlloyCode, CodeBlock, CodeType } from "../refresh/alloyCode";
import { stronglyConnected } from "../graph";
import { dottedName, startOf, type Block, type Expr, type Pos, type Stmt } from "./syntax";

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

/** Alloy's docs (components.json) and its code (registry.json, as `code`). */
export interface AlloyReference {
  source: { repository: string; tag: string; commit: string };
  components: Record<string, ComponentRef>;
  config_blocks: Record<string, ComponentRef>;
  stdlib: { functions: Record<string, string>; objects: Record<string, Record<string, string>> };
  code: AlloyCode;
}

/** The folder of the reference data this module judges against, under upstream/alloy/data/. */
export const ALLOY_REFERENCE = "alloy-1.12";

/** The component reference's file (from the docs). */
export const alloyReferenceFile = (): string =>
  path.join(referenceDataDir("alloy", ALLOY_REFERENCE), "components.json");

/** The registry's file (from the code). */
export const alloyRegistryFile = (): string =>
  path.join(referenceDataDir("alloy", ALLOY_REFERENCE), "registry.json");

/** Alloy's component reference and registry, read once from their data files. */
export const loadAlloyReference = (() => {
  let cached: AlloyReference | undefined;
  return (): AlloyReference =>
    (cached ??= {
      ...(JSON.parse(readReferenceFile(alloyReferenceFile())) as Omit<AlloyReference, "code">),
      code: JSON.parse(readReferenceFile(alloyRegistryFile())) as AlloyCode,
    });
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
    | "deprecated-function"
    | "stability"
    | "community"
    | "duplicate"
    | "repeated-argument"
    | "repeated-block"
    | "cycle"
    | "root-block"
    | "top-level-attribute"
    | "not-configurable";
  pos: Pos;
  message: string;
  /** The line the rule read (`path:line` in grafana/alloy at the reference's tag: code or docs). */
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
 * A `duration` argument is decoded by Go's time.ParseDuration (syntax/internal/value/decode.go:319-329
 * at v1.12.0), whose grammar is `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` with a digit on either side of
 * the point, units `ns`, `us` (or `µs`, `μs`), `ms`, `s`, `m`, `h`, and "0" alone after the sign
 * (go1.26.8, the Go the session built Alloy with: src/time/format.go:1615-1624 unitMap,
 * 1626-1728 ParseDuration). `alloy run` loads `".5s"`, `"1.s"`, `"+10s"` and `"60000000us"`, and
 * refuses `"1d"` (`time: unknown unit "d"`) and the number 5 (`missing unit`). Every duration
 * argument of v1.12.0's components is a time.Duration (no `alloy:"..."` field of another Duration
 * type in the tree).
 */
const DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;

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
        // A number reaches time.ParseDuration as its text: only 0 has no unit to miss.
        return e.type === "string" ? DURATION.test(String(e.value)) : e.value === 0;
      default:
        if (/^(list|array)\(|^\[\]|^map\(|^map\[|^object$/.test(t)) return false;
        // A capsule type (LogsReceiver, MetricsReceiver, RelabelRules, ...) is never a literal.
        if (/^[A-Z]|^capsule\(|\.[A-Z]/.test(t)) return false;
        return undefined;
    }
  }
  const inner = /^(?:list|array)\((.*)\)$/.exec(t)?.[1];
  if (e.kind === "array") {
    // `alloy run`: `["c"] should be object, got array` (run in the session).
    if (/^map\(|^map\[|^object$/.test(t)) return false;
    if (inner === undefined)
      return /^(list|array)\(|^\[\]/.test(t) || t === "any" ? true : isAggregateUnknown(t);
    const verdicts = e.elements.map((x) => literalFits(inner, x));
    return verdicts.every((v) => v !== false);
  }
  if (e.kind === "object") {
    if (inner !== undefined) return false;
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

/** Every dotted reference an expression makes: the name, where it starts and where its last field is. */
interface Reference {
  name: string;
  /** Where Alloy reports a reference to nothing: its first identifier (internal/util/ast/references.go:48-53). */
  start: Pos;
  /** Where `alloy run` reports a field that does not exist: the field (`field "recv" does not exist`). */
  pos: Pos;
  called: boolean;
}

function referencesIn(e: Expr, out: Reference[] = []): Reference[] {
  const name = dottedName(e);
  if (name !== undefined) {
    out.push({ name, start: startOf(e), pos: e.pos, called: false });
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
      if (fn !== undefined) out.push({ name: fn, start: startOf(e.value), pos: e.value.pos, called: true });
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

/** Every reference in a block's body, nested blocks included. */
function referencesOfBody(stmts: Stmt[], out: Reference[] = []): Reference[] {
  for (const s of stmts)
    if (s.kind === "attribute") referencesIn(s.value, out);
    else referencesOfBody(s.body, out);
  return out;
}

export interface CheckOptions {
  /** The `--stability.level` Alloy runs with (default: generally-available, run.md line 66). */
  stabilityLevel?: StabilityLevel;
  /** Whether Alloy runs with `--feature.community-components.enabled` (default: no). */
  communityComponents?: boolean;
}

/** A block's id as Alloy keys it: its name, then its label (validate.go blockID). */
const idOf = (b: Block) => (b.label ? `${b.name}.${b.label}` : b.name);
const at = (p: Pos) => `${p.line}:${p.column}`;
const below = (stage: string, level: StabilityLevel) =>
  STABILITY_LEVELS.indexOf(stage as StabilityLevel) < STABILITY_LEVELS.indexOf(level);

/**
 * What one body of blocks sees, as Alloy's validator keeps a state per body
 * (internal/validator/validate.go `state`): the config's top level; a declare block's body, a
 * module with a graph of its own (validate.go:148-156: its components read only each other and its
 * arguments); a foreach template's, whose graph has the enclosing one as parent (validate.go:331-341
 * newGraphWithParent, graph.go:41-51 GetByID).
 */
interface Scope {
  /** Every block of the body by its id (name and label): what a reference resolves to. */
  nodes: Map<string, Block>;
  /** The registry's components among them (declared with a label): exports, cycles, receivers. */
  declared: Map<string, Block>;
  /** The enclosing body a foreach template's references also resolve in. */
  parent?: Scope;
  /**
   * Names a reference may start with besides a block's (internal/validator/references.go:31-35
   * scope.Lookup): module_path everywhere (validate.go:82-84), a module's `argument`
   * (validate.go:169), a foreach's `var` in its template (validate.go:343-348).
   */
  variables: Set<string>;
  /**
   * Custom components by the first part of their name (component_registry.go:24-35 Get, before the
   * registry): a declare block's label with its arguments (validate.go:165-171,
   * generateArgumentsStruct 538-559), an import block's label (validate.go:276-278), whose
   * components are not looked into.
   */
  custom: Map<string, Map<string, boolean> | null>;
  /** The config's top level: argument and export blocks are refused there. */
  root: boolean;
}

/** What every check of one config shares. */
interface Judge {
  ref: AlloyReference;
  level: StabilityLevel;
  community: boolean;
  findings: AlloyFinding[];
}

/** Judges one parsed Alloy config (the top-level body of its main file) against the reference. */
export function checkAlloyComponents(
  body: Stmt[],
  ref: AlloyReference,
  opts: CheckOptions = {},
): AlloyFinding[] {
  const j: Judge = {
    ref,
    level: opts.stabilityLevel ?? "generally-available",
    community: opts.communityComponents === true,
    findings: [],
  };
  checkScope(body, j, {
    nodes: new Map(),
    declared: new Map(),
    variables: new Set(["module_path"]),
    custom: new Map(),
    root: true,
  });
  return j.findings.sort((a, b) => a.pos.offset - b.pos.offset);
}

/** The body of a scope: its blocks, then the scopes inside them, then its references. */
function checkScope(body: Stmt[], j: Judge, scope: Scope): void {
  // Declares and imports first (validate.go:110-112): a custom component may stand before them.
  for (const s of body)
    if (s.kind === "block" && s.label && (s.name === "declare" || /^import\./.test(s.name)))
      scope.custom.set(s.label, s.name === "declare" ? moduleArguments(s.body) : null);
  for (const s of body) {
    if (s.kind === "attribute") {
      // internal/runtime/source.go:69-75: a config's top level holds blocks only; so does a body
      // of components (validate.go:431-441 extractBlocks).
      j.findings.push({
        rule: "top-level-attribute",
        pos: s.pos,
        message: `unrecognized attribute ${s.name}: ${scope.root ? "a config's top level" : "a body of components"} holds only components and configuration blocks`,
        source: scope.root ? "internal/runtime/source.go:74" : "internal/validator/validate.go:438",
      });
      continue;
    }
    const first = scope.nodes.get(idOf(s));
    if (first)
      j.findings.push({
        rule: "duplicate",
        pos: s.pos,
        message: `block ${idOf(s)} already declared at ${at(first.pos)}`,
        source: "internal/validator/validate.go:488-501",
      });
    else scope.nodes.set(idOf(s), s);
    if (!first && s.label && !customOf(scope, s.name) && j.ref.code.components[s.name])
      scope.declared.set(idOf(s), s);
    checkTopBlock(s, j, scope);
  }
  for (const s of body) {
    if (s.kind !== "block") continue;
    for (const r of referencesOfBody(ownStatements(s, j.ref))) judgeReference(r, j, scope);
    const inner = innerScope(s, j.ref, scope);
    if (inner) checkScope(inner.body, j, inner.scope);
  }
  checkCycles(scope, j);
  checkReceiverKinds(body, scope, j);
}

/** A declare block's arguments, each required unless `optional = true` (validate.go:541). */
function moduleArguments(body: Stmt[]): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const s of body)
    if (s.kind === "block" && s.name === "argument" && s.label) {
      const optional = s.body.find((a) => a.kind === "attribute" && a.name === "optional");
      const value = optional?.kind === "attribute" ? optional.value : undefined;
      out.set(s.label, !(value?.kind === "literal" && value.value === true));
    }
  return out;
}

/** The custom component a block's name names, if any (its first part, as Alloy looks it up). */
function customOf(scope: Scope, name: string): Map<string, boolean> | null | undefined {
  return scope.custom.get(name.split(".")[0]);
}

/**
 * A block's statements that belong to its own scope: all of them, but a declare block's (a module
 * of its own) and a foreach block's template (its own scope).
 */
function ownStatements(s: Block, ref: AlloyReference): Stmt[] {
  if (s.name === "declare") return [];
  const template = ref.code.config_blocks[s.name]?.template;
  return template ? s.body.filter((x) => !(x.kind === "block" && x.name === template)) : s.body;
}

/** The scope a declare block's body or a foreach block's template opens, with its body. */
function innerScope(s: Block, ref: AlloyReference, scope: Scope): { body: Stmt[]; scope: Scope } | undefined {
  const base = {
    nodes: new Map<string, Block>(),
    declared: new Map<string, Block>(),
    custom: new Map(scope.custom),
  };
  if (s.name === "declare")
    return {
      body: s.body,
      scope: { ...base, variables: new Set(["module_path", "argument"]), root: false },
    };
  const template = ref.code.config_blocks[s.name]?.template;
  const body = template
    ? s.body.find((x): x is Block => x.kind === "block" && x.name === template)?.body
    : undefined;
  if (!body) return undefined;
  const v = s.body.find((x) => x.kind === "attribute" && x.name === "var");
  const name = v?.kind === "attribute" && v.value.kind === "literal" ? String(v.value.value) : undefined;
  return {
    body,
    scope: {
      ...base,
      parent: scope,
      variables: new Set([...scope.variables, ...(name ? [name] : [])]),
      root: scope.root,
    },
  };
}

/** One block of a scope: a component, a custom one, or a configuration block; its stability and its body. */
function checkTopBlock(s: Block, j: Judge, scope: Scope): void {
  const { ref, level, community, findings } = j;
  const custom = customOf(scope, s.name);
  if (custom !== undefined) return checkCustom(s, custom, j);
  const component = ref.code.components[s.name];
  const config = ref.code.config_blocks[s.name];
  const docs = ref.components[s.name] ?? ref.config_blocks[s.name];
  const judge = (typeId: string | null, template?: string) =>
    checkBody({ ref, docs, findings, template }, s.name, s.body, typeId, [], s.pos);
  if (component) {
    // Components are declared with a label (validate.go validateComponents: "must have a label").
    if (!s.label)
      findings.push({
        rule: "label",
        pos: s.pos,
        message: `component ${s.name} needs a label: ${s.name} "<label>" { ... }`,
        source: component.source,
      });
    if (component.community && !community)
      findings.push({
        rule: "community",
        pos: s.pos,
        message: `${s.name} is a community component of Alloy ${ref.source.tag}; Alloy refuses it unless run with --feature.community-components.enabled`,
        source: component.source,
      });
    else if (!component.community && below(component.stability, level))
      findings.push({
        rule: "stability",
        pos: s.pos,
        message: `${s.name} is ${component.stability} in Alloy ${ref.source.tag}; Alloy refuses it unless run with --stability.level=${component.stability} (it runs with ${level})`,
        source: component.source,
      });
    judge(component.args);
    return;
  }
  if (!config) {
    const names = [...Object.keys(ref.code.components), ...Object.keys(ref.code.config_blocks)];
    findings.push({
      rule: "unknown-component",
      pos: s.pos,
      message: `"${s.name}" is neither a component nor a configuration block of Alloy ${ref.source.tag}${didYouMean(s.name, names)}`,
    });
    return;
  }
  if (s.name === "declare" && !s.label)
    findings.push({
      rule: "label",
      pos: s.pos,
      message: 'declare block must have a label: declare "<name>" { ... }',
      source: "internal/validator/validate.go:126-134",
    });
  const problem = configProblem(s.name, config, level, scope.root);
  if (problem) findings.push({ ...problem, pos: s.pos, source: config.source });
  judge(config.args, config.template);
}

/**
 * An instance of a custom component: a label, as every component (validate.go:362-369); a
 * declare's arguments by name, required unless optional, no blocks (generateArgumentsStruct,
 * validate.go:538-559, then typecheck.go). An import's components are not looked into
 * (component_registry.go:26-32: only the namespace is validated).
 */
function checkCustom(s: Block, args: Map<string, boolean> | null, j: Judge): void {
  if (!s.label)
    j.findings.push({
      rule: "label",
      pos: s.pos,
      message: `component ${s.name} needs a label: ${s.name} "<label>" { ... }`,
      source: "internal/validator/validate.go:362-369",
    });
  if (args === null) return;
  const given = new Set<string>();
  for (const x of s.body) {
    const known = x.kind === "attribute" && args.has(x.name);
    if (!known)
      j.findings.push({
        rule: x.kind === "attribute" ? "unknown-argument" : "unknown-block",
        pos: x.pos,
        message: `${s.name}: unrecognized ${x.kind === "attribute" ? "attribute" : "block"} name "${x.name}"${didYouMean(x.name, args.keys())} (the declare block's arguments: ${[...args.keys()].join(", ") || "none"})`,
        source: "internal/validator/validate.go:538-559",
      });
    else if (given.has(x.name))
      j.findings.push({
        rule: "repeated-argument",
        pos: x.pos,
        message: `${s.name}: attribute "${x.name}" may only be provided once`,
        source: "internal/validator/validate.go:538-559",
      });
    else given.add(x.name);
  }
  for (const [name, required] of args)
    if (required && !given.has(name))
      j.findings.push({
        rule: "missing-argument",
        pos: s.pos,
        message: `${s.name}: missing required attribute "${name}"`,
        source: "internal/validator/validate.go:538-559",
      });
}

/** What Alloy refuses of a configuration block at a config's top level, whatever its body. */
function configProblem(
  name: string,
  config: AlloyCode["config_blocks"][string],
  level: StabilityLevel,
  root: boolean,
): Pick<AlloyFinding, "rule" | "message"> | undefined {
  if (config.configurable === false)
    return { rule: "not-configurable", message: `service "${name}" does not support being configured` };
  if (config.root === "forbidden" && root)
    return {
      rule: "root-block",
      message: `${name} blocks are only allowed inside a module (a declare block)`,
    };
  if (config.stability && below(config.stability, level))
    return {
      rule: "stability",
      message: `${name} blocks are ${config.stability}; Alloy refuses them unless run with --stability.level=${config.stability} (it runs with ${level})`,
    };
  return undefined;
}

interface BodyContext {
  ref: AlloyReference;
  /** The docs' entry of the top-level block, for the argument types. */
  docs: ComponentRef | undefined;
  findings: AlloyFinding[];
  /** A block in the top-level block whose body is components (foreach's `template`): not judged. */
  template?: string;
}

/** The block a name in a body names: a block field, or a member of an enum (`stage.cri`). */
function blockOf(t: CodeType, name: string, ref: AlloyReference): CodeBlock | undefined {
  if (t.blocks[name]) return t.blocks[name];
  for (const [e, { type }] of Object.entries(t.enums ?? {}))
    if (name.startsWith(`${e}.`)) {
      const member = ref.code.types[type]?.blocks[name.slice(e.length + 1)];
      if (member) return { ...member, required: false, repeat: "many" };
    }
  return undefined;
}

/** The names a body's type takes, for "did you mean". */
const namesOf = (t: CodeType, ref: AlloyReference, kind: "attributes" | "blocks") =>
  kind === "attributes"
    ? Object.keys(t.attributes)
    : [
        ...Object.keys(t.blocks),
        ...Object.entries(t.enums ?? {}).flatMap(([e, { type }]) =>
          Object.keys(ref.code.types[type]?.blocks ?? {}).map((m) => `${e}.${m}`),
        ),
      ];

/**
 * A block's body against its Go type, as syntax/typecheck/typecheck.go judges it: each attribute
 * and block named by a tag, attributes once, a struct block once and an array block exactly its
 * length, required ones present. A null type (a map, an interface, a type outside Alloy) is not
 * looked into, as typecheck.go does not. Literal types are judged against the docs' argument types.
 */
function checkBody(
  ctx: BodyContext,
  component: string,
  body: Stmt[],
  typeId: string | null,
  docsPath: string[] | undefined,
  start: Pos,
): void {
  const t = typeId === null ? undefined : ctx.ref.code.types[typeId];
  if (!t) return;
  const where = [component, ...(docsPath ?? [])].join(" > ");
  const push = (f: AlloyFinding) => ctx.findings.push(f);
  const docsArgs = new Map(docsArguments(ctx.docs, docsPath).map((a) => [a.name, a]));
  const attrs = new Set<string>();
  const counts = new Map<string, number>();
  for (const s of body) if (s.kind === "block") counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  for (const s of body) {
    if (s.kind === "attribute") {
      const a = t.attributes[s.name];
      if (!a) {
        const b = blockOf(t, s.name, ctx.ref);
        push(
          b
            ? {
                rule: "block-as-attribute",
                pos: s.pos,
                message: `${where}: "${s.name}" must be a block, but is used as an attribute (${s.name} { ... })`,
                source: b.source,
              }
            : {
                rule: "unknown-argument",
                pos: s.pos,
                message: `${where}: unrecognized attribute name "${s.name}"${didYouMean(s.name, namesOf(t, ctx.ref, "attributes"))}`,
                source: t.source,
              },
        );
      } else if (attrs.has(s.name))
        push({
          rule: "repeated-argument",
          pos: s.pos,
          message: `${where}: attribute "${s.name}" may only be provided once`,
          source: a.source,
        });
      else {
        attrs.add(s.name);
        const d = docsArgs.get(s.name);
        if (d && literalFits(d.type, s.value) === false)
          push({
            rule: "literal-type",
            pos: s.value.pos,
            message: `${where}: ${s.name} is ${d.type}, got ${describeValue(s.value)}`,
            source: d.source,
          });
      }
      continue;
    }
    if (s.name === ctx.template && docsPath?.length === 0) continue;
    const b = blockOf(t, s.name, ctx.ref);
    if (!b) {
      push(
        t.attributes[s.name]
          ? {
              rule: "attribute-as-block",
              pos: s.pos,
              message: `${where}: "${s.name}" must be an attribute, but is used as a block (${s.name} = ...)`,
              source: t.attributes[s.name].source,
            }
          : {
              rule: "unknown-block",
              pos: s.pos,
              message: `${where}: unrecognized block name "${s.name}"${didYouMean(s.name, namesOf(t, ctx.ref, "blocks"))}`,
              source: t.source,
            },
      );
      continue;
    }
    const n = counts.get(s.name) ?? 0;
    if ((b.repeat === "once" && n > 1) || (typeof b.repeat === "number" && n !== b.repeat))
      push({
        rule: "repeated-block",
        pos: s.pos,
        message: `${where}: block "${s.name}" ${b.repeat === "once" ? "may only be specified once" : `must be specified exactly ${b.repeat} times`}, but was specified ${n} times`,
        source: b.source,
      });
    checkBody(ctx, component, s.body, b.type, docsChild(ctx.docs, docsPath, s.name), s.pos);
  }
  checkRequired(ctx, where, t, attrs, counts, start);
}

/** Required attributes and blocks left out (typecheck.go: "missing required attribute/block"). */
function checkRequired(
  ctx: BodyContext,
  where: string,
  t: CodeType,
  attrs: Set<string>,
  counts: Map<string, number>,
  start: Pos,
): void {
  for (const [name, a] of Object.entries(t.attributes))
    if (a.required && !attrs.has(name))
      ctx.findings.push({
        rule: "missing-argument",
        pos: start,
        message: `${where}: missing required attribute "${name}"`,
        source: a.source,
      });
  for (const [name, b] of Object.entries(t.blocks))
    if (b.required && !counts.has(name))
      ctx.findings.push({
        rule: "missing-block",
        pos: start,
        message: `${where}: missing required block "${name}"`,
        source: b.source,
      });
}

/** The docs' arguments of the block at `docsPath` (the component's own when empty). */
function docsArguments(docs: ComponentRef | undefined, docsPath: string[] | undefined): ArgumentRef[] {
  if (!docs || !docsPath) return [];
  if (docsPath.length === 0) return docs.arguments ?? [];
  return docs.blocks?.[docsPath.join(" > ")]?.arguments ?? [];
}

/**
 * The docs' path of a block inside the block at `docsPath`: one longer, or, inside a block that
 * takes the top level's blocks (loki.process `stage.match`), the top level's; undefined when the
 * docs do not list it (its arguments' types are then not judged).
 */
function docsChild(docs: ComponentRef | undefined, docsPath: string[] | undefined, name: string) {
  if (!docs?.blocks || !docsPath) return undefined;
  const here = docsPath.length === 0 ? undefined : docs.blocks[docsPath.join(" > ")];
  const candidates = [[...docsPath, name], ...(here?.accepts_top_level_blocks ? [[name]] : [])];
  return candidates.find((p) => docs.blocks![p.join(" > ")]);
}

function describeValue(e: Expr): string {
  if (e.kind === "literal") return `${e.type} ${e.raw}`;
  return e.kind;
}

/** The component a name would read by the registry's names: its name, label and id (for messages). */
function resolve(name: string, ref: AlloyReference) {
  const parts = name.split(".");
  for (let k = parts.length - 1; k >= 1; k--) {
    const component = parts.slice(0, k).join(".");
    if (!ref.code.components[component]) continue;
    return { component, label: parts[k], id: `${component}.${parts[k]}` };
  }
  return undefined;
}

/**
 * The block a reference reads, as Alloy resolves it (internal/util/ast/references.go:22-56
 * ResolveTraversal): the shortest prefix of its names that is the id of a block of the scope or of
 * a scope it reads (graph.go:41-51), and the field after it.
 */
function resolveIn(name: string, scope: Scope): { id: string; block: Block; field?: string } | undefined {
  const parts = name.split(".");
  for (let k = 1; k <= parts.length; k++) {
    const id = parts.slice(0, k).join(".");
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const block = s.nodes.get(id);
      if (block) return { id, block, field: parts[k] };
    }
  }
  return undefined;
}

/** Whether a scope (or one it reads) has a variable of that name. */
function hasVariable(scope: Scope, name: string): boolean {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.variables.has(name)) return true;
  return false;
}

function judgeFunction(r: Reference, ref: AlloyReference, level: StabilityLevel, findings: AlloyFinding[]) {
  const lib = ref.code.stdlib;
  if (!(r.name in lib.functions))
    findings.push({
      rule: "unknown-function",
      pos: r.pos,
      message: `${r.name}() is no standard library function of Alloy ${ref.source.tag}${didYouMean(r.name, Object.keys(lib.functions))}`,
      source: "syntax/internal/stdlib/stdlib.go",
    });
  else if (r.name in lib.deprecated)
    // validate reports it as a warning, and a warning fails `alloy validate`; `alloy run` loads it.
    findings.push({
      rule: "deprecated-function",
      pos: r.start,
      message: `${r.name}() is deprecated in Alloy ${ref.source.tag}: \`alloy run\` loads it with a warning, \`alloy validate\` refuses it; use its namespaced name (docs/sources/reference/stdlib)`,
      source: lib.deprecated[r.name],
    });
  else if (r.name in lib.experimental && below("experimental", level))
    findings.push({
      rule: "stability",
      pos: r.start,
      message: `${r.name} is experimental in Alloy ${ref.source.tag}; Alloy refuses it unless run with --stability.level=experimental (it runs with ${level})`,
      source: lib.experimental[r.name],
    });
}

function judgeReference(r: Reference, j: Judge, scope: Scope): void {
  const { ref, findings } = j;
  if (r.called) return judgeFunction(r, ref, j.level, findings);
  const target = resolveIn(r.name, scope);
  const head = r.name.split(".")[0];
  if (
    !target &&
    (hasVariable(scope, head) ||
      head in ref.code.stdlib.objects ||
      Object.keys(ref.code.stdlib.functions).some((f) => f.startsWith(`${head}.`)))
  )
    return;
  if (!target) {
    const named = resolve(r.name, ref);
    findings.push({
      rule: "undefined-reference",
      pos: r.start,
      message: named
        ? `${r.name} refers to ${named.component} "${named.label}", which ${scope.root || scope.parent ? "this config does not declare where the reference can read it (a foreach template's or a declare block's own components are read only inside it)" : "this declare block does not declare (a module's components read only its own components and its arguments)"}`
        : `${r.name} names no component, standard library object or function of Alloy ${ref.source.tag}`,
      source: "internal/util/ast/references.go:48-53",
    });
    return;
  }
  const component = ref.code.components[target.block.name];
  if (!component || customOf(scope, target.block.name) !== undefined) return;
  if (target.field !== undefined && !component.exports.includes(target.field))
    findings.push({
      rule: "unknown-export",
      pos: r.pos,
      message: `${target.block.name} exports ${component.exports.length > 0 ? component.exports.join(", ") : "nothing"}, not ${target.field}`,
      source: component.source,
    });
}

/**
 * A component that reads its own exports, or components that read each other's: Alloy refuses the
 * config (internal/validator/graph.go: "cannot reference self", "cycle detected"), reported on each
 * block of the cycle.
 */
function checkCycles(scope: Scope, j: Judge): void {
  const edges = new Map<string, Set<string>>();
  for (const [id, b] of scope.declared) {
    const to = new Set<string>();
    for (const r of referencesOfBody(b.body)) {
      const target = r.called ? undefined : resolveIn(r.name, scope);
      if (target && scope.declared.has(target.id)) to.add(target.id);
    }
    edges.set(id, to);
  }
  for (const [id, to] of edges)
    if (to.has(id))
      j.findings.push({
        rule: "cycle",
        pos: scope.declared.get(id)!.pos,
        message: `${id} cannot reference itself`,
        source: "internal/validator/graph.go:151-160",
      });
  for (const cycle of stronglyConnected(edges).filter((c) => c.length > 1)) {
    const names = [...cycle].sort().join(", ");
    for (const id of cycle)
      j.findings.push({
        rule: "cycle",
        pos: scope.declared.get(id)!.pos,
        message: `cycle detected: ${names}`,
        source: "internal/validator/graph.go:124-149",
      });
  }
}

/** The documented type of a declared component's export a reference reads, if any. */
function exportType(name: string, scope: Scope, ref: AlloyReference): string | undefined {
  const target = resolveIn(name, scope);
  if (!target || customOf(scope, target.block.name) !== undefined) return undefined;
  return ref.components[target.block.name]?.exports?.find((e) => e.name === target.field)?.type;
}

/**
 * A `list(LogsReceiver)` takes logs receivers and a `list(MetricsReceiver)` metrics receivers (the
 * argument types in the docs): a receiver of the other kind, or one receiver where a list is taken,
 * is refused when Alloy decodes the component (`alloy run`: `expected capsule("storage.Appendable"),
 * got capsule("loki.LogsReceiver")`, `should be array, got capsule`; run in the session).
 */
function checkReceiverKinds(body: Stmt[], scope: Scope, j: Judge): void {
  const { ref, findings } = j;
  const visit = (component: string, def: ComponentRef, stmts: Stmt[], path: string[] | undefined) => {
    const args = new Map(docsArguments(def, path).map((a) => [a.name, a]));
    for (const s of stmts) {
      if (s.kind === "block") {
        visit(component, def, s.body, docsChild(def, path, s.name));
        continue;
      }
      const type = args.get(s.name)?.type ?? "";
      const single = dottedName(s.value);
      const got = single === undefined ? undefined : exportType(single, scope, ref);
      if (/^list\(/.test(type) && got !== undefined && !/^list\(/.test(got)) {
        findings.push({
          rule: "literal-type",
          pos: startOf(s.value),
          message: `${component}: ${s.name} is ${type}, got one ${got} (${single}); write [${single}]`,
        });
        continue;
      }
      const want = /^list\((\w+Receiver)\)$/.exec(type)?.[1];
      if (!want || s.value.kind !== "array") continue;
      for (const el of s.value.elements) {
        const n = dottedName(el);
        const kind = n === undefined ? undefined : exportType(n, scope, ref);
        if (kind && kind !== want)
          findings.push({
            rule: "receiver-kind",
            pos: startOf(el),
            message: `${component}: ${s.name} takes ${want}s, but ${n} is a ${kind}`,
          });
      }
    }
  };
  for (const s of body)
    if (s.kind === "block" && ref.components[s.name] && customOf(scope, s.name) === undefined)
      visit(s.name, ref.components[s.name], s.body, []);
}
