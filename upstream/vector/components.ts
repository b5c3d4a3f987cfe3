/**
 * Vector's configuration reference (data/vector-<version>/components.json, rebuilt by
 * upstream/refresh/vector.ts from vectordotdev/vector at the tag) and a judge of a Vector config
 * against it, so that a config Vector would refuse at start is caught without a Vector binary:
 * - top-level keys (`ConfigBuilder` denies unknown fields) and the global options;
 * - every source, transform and sink: a known `type`, only its own and its kind's common options,
 *   each value of an accepted kind (string, uint, bool, object, ...) and, where the reference lists
 *   them, one of its enum values; required options present (an option of one variant of a tagged
 *   enum, `relevant_when: codec = "json"`, only when its variant is chosen);
 * - buffers by the rules of lib/vector-buffers (the generated reference marks `max_size` required
 *   for every buffer; the code requires it for disk buffers only);
 * - `inputs` naming sources or transforms (a transform's named output, a glob matching one),
 *   with data types that meet (a logs source into a metrics sink fails the load);
 * - warnings, never failures: deprecated options, components not yet stable, and end-to-end
 *   acknowledgements that reach a source unable to take them (Vector warns of silent data loss).
 */
import * as fs from "fs";
import * as path from "path";
import { readReferenceFile, referenceFilesRead } from "../reference";
import type {
  ComponentEntry,
  DataType,
  Kind,
  OptionNode,
  RustFact,
  TypeNode,
  VectorReference,
} from "./types";

export type { VectorReference } from "./types";

const KINDS: Kind[] = ["sources", "transforms", "sinks"];
const SINGULAR: Record<Kind, string> = { sources: "source", transforms: "transform", sinks: "sink" };

/** The folder holding the data, found from this module in the sources or in the compiled `dist/`. */
export function vectorDataDir(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const candidate = path.join(dir, "upstream", "vector", "data");
    if (fs.existsSync(candidate)) return candidate;
    const beside = path.join(dir, "data");
    if (path.basename(dir) === "vector" && fs.existsSync(beside)) return beside;
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`Vector reference data not found above ${from} (upstream/vector/data)`);
    dir = up;
  }
}

/** The Vector release of an image tag (`0.56.0-debian` -> `0.56.0`). */
export function vectorVersionOf(tag: string): string {
  return tag.replace(/^v/, "").replace(/-.*$/, "");
}

/** The data file of a Vector version. */
export function vectorReferenceFile(version: string): string {
  return path.join(vectorDataDir(), `vector-${version}`, "components.json");
}

/** Raised when the repository holds no reference for the Vector the program pins. */
export class MissingVectorReferenceError extends Error {}

const loaded = new Map<string, VectorReference>();

/** The reference of a Vector version (`0.56.0`), or an error naming the folders that exist. */
export function loadVectorReference(version: string): VectorReference {
  const cached = loaded.get(version);
  if (cached) return cached;
  const file = vectorReferenceFile(version);
  if (!fs.existsSync(file)) {
    // Recorded all the same: a verdict given without the file must not be reused once it appears.
    referenceFilesRead.add(path.resolve(file));
    const have = fs.readdirSync(vectorDataDir()).join(", ") || "none";
    throw new MissingVectorReferenceError(
      `no Vector reference for ${version} (upstream/vector/data has ${have}); run \`npx tsx upstream/refresh/vector.ts <vector checkout at v${version}> --write\` and review the data`,
    );
  }
  const ref = JSON.parse(readReferenceFile(file)) as VectorReference;
  loaded.set(version, ref);
  return ref;
}

export interface VectorFinding {
  /** Where in the config, as a dotted path (`sinks.loki_pods.buffer.max_size`). */
  path: string;
  message: string;
  rule:
    | "top-level"
    | "unknown-type"
    | "unknown-option"
    | "type"
    | "enum"
    | "required"
    | "variant"
    | "buffer"
    | "inputs"
    | "data-type"
    | "shape";
  /** The upstream file and line the rule was read from. */
  source: string;
}

export interface VectorWarning {
  path: string;
  message: string;
  source: string;
}

export interface VectorVerdict {
  findings: VectorFinding[];
  warnings: VectorWarning[];
  /** Components judged. */
  components: number;
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const show = (v: Json) => {
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Vector interpolates `${VAR}` / `$VAR` in the config text before parsing: the value is unknown here. */
const interpolated = (v: Json) => typeof v === "string" && /\$\{?[A-Za-z_]/.test(v);

/** The kinds a YAML value can be read as by Vector's deserializer. */
function kindsOf(v: Json): string[] {
  if (typeof v === "boolean") return ["bool"];
  if (typeof v === "number")
    return Number.isInteger(v) ? (v >= 0 ? ["uint", "int", "float"] : ["int", "float"]) : ["float"];
  if (typeof v === "string") return [...([...v].length === 1 ? ["ascii_char"] : []), "string", "condition"];
  if (Array.isArray(v)) return ["array"];
  if (isObject(v)) return ["object", "condition"];
  return [];
}

const describeKind = (v: Json) =>
  Array.isArray(v) ? "a list" : isObject(v) ? "a map" : v === null ? "null" : `${typeof v} ${show(v)}`;

/**
 * Whether a `relevant_when` condition (`codec = "json"`, `a = "x" or a = "y"`) holds for an
 * object; a discriminator left out takes its default. Undefined when the condition has another
 * form (then nothing is judged by it).
 */
export function relevantWhen(
  cond: string,
  obj: Record<string, Json>,
  options: Record<string, OptionNode>,
): boolean | undefined {
  const terms = cond.split(/\s+or\s+/);
  let any = false;
  for (const t of terms) {
    const m = /^([A-Za-z_][\w.]*)\s*=\s*"((?:[^"\\]|\\.)*)"$/.exec(t.trim());
    if (!m) return undefined;
    const [, key, want] = m;
    const value = key in obj ? obj[key] : options[key]?.types.string?.default;
    if (value === want) any = true;
  }
  return any;
}

class Judge {
  readonly findings: VectorFinding[] = [];
  readonly warnings: VectorWarning[] = [];
  constructor(
    private readonly ref: VectorReference,
    private readonly at: (file: string, line: number) => string,
  ) {}

  private finding(f: Omit<VectorFinding, "source">, file: string, line: number): void {
    this.findings.push({ ...f, source: this.at(file, line) });
  }

  /** A value against an option node. */
  value(v: Json, node: OptionNode, where: string, file: string, name: string): void {
    if (v === null || v === undefined || interpolated(v)) return;
    if (node.deprecated)
      this.warnings.push({
        path: where,
        message: `${where} is deprecated${node.deprecated_message ? `: ${node.deprecated_message}` : ""}`,
        source: this.at(file, node.line),
      });
    const accepted = Object.keys(node.types);
    if (accepted.includes("*") || accepted.length === 0) return;
    if (
      typeof v === "boolean" &&
      accepted.includes("object") &&
      this.ref.rust.bool_or_struct.fields.includes(name)
    )
      return;
    const kinds = kindsOf(v);
    const kind = kinds.find((k) => accepted.includes(k));
    if (!kind) {
      this.finding(
        {
          path: where,
          rule: "type",
          message: `${where}: expected ${accepted.join(" or ")}, found ${describeKind(v)}`,
        },
        file,
        node.line,
      );
      return;
    }
    const t: TypeNode = node.types[kind];
    const hiddenValue = typeof v === "string" ? this.ref.rust.undocumented.enum_values[v] : undefined;
    if (t.enum && t.enum.length > 0 && !t.enum.some((e) => e === v) && hiddenValue)
      this.warnings.push({
        path: where,
        message: `${where}: ${show(v)} is a hidden value of some Vector enum, not documented for this option: check it applies here`,
        source: `${this.ref.source.repo}@${this.ref.source.tag} ${hiddenValue.join(", ")}`,
      });
    else if (t.enum && t.enum.length > 0 && !t.enum.some((e) => e === v))
      this.finding(
        {
          path: where,
          rule: "enum",
          message: `${where}: expected one of ${t.enum.map((e) => JSON.stringify(e)).join(", ")}, found ${show(v)}${
            typeof v === "string"
              ? near(
                  v,
                  t.enum.filter((e): e is string => typeof e === "string"),
                )
              : ""
          }`,
        },
        file,
        node.line,
      );
    if (kind === "object" && isObject(v) && (t.options || t.additional))
      this.object(v, t.options ?? {}, t.additional, where, file, node.line);
    if (kind === "array" && Array.isArray(v) && t.items)
      v.forEach((item, i) => this.value(item, t.items!, `${where}[${i}]`, file, name));
  }

  /** An object's keys against its options (and the node every other key takes, for a map). */
  object(
    obj: Record<string, Json>,
    options: Record<string, OptionNode>,
    additional: OptionNode | undefined,
    where: string,
    file: string,
    line: number,
    extraKeys: string[] = [],
  ): void {
    // The options the map's unknown keys are misspellings of: a required one among them is not
    // reported missing too, as one misspelling is one mistake (Vector itself stops at the unknown
    // field, serde's `deny_unknown_fields` on every `#[configurable_component]`).
    const meant = new Set<string>();
    for (const [key, v] of Object.entries(obj)) {
      const path = where ? `${where}.${key}` : key;
      const node = options[key];
      if (extraKeys.includes(key)) continue;
      if (!node) {
        const hidden = this.ref.rust.undocumented.fields[key];
        if (additional) this.value(v, additional, path, file, key);
        else if (hidden)
          this.warnings.push({
            path,
            message: `${path}: not in the reference, but Vector has an alias or hidden option of this name somewhere: check it applies here`,
            source: `${this.ref.source.repo}@${this.ref.source.tag} ${hidden.join(", ")}`,
          });
        else {
          const close = nearNames(key, Object.keys(options));
          close.forEach((c) => meant.add(c));
          this.finding(
            {
              path,
              rule: "unknown-option",
              message:
                close.length > 0
                  ? `${path}: not an option here${near(key, close)}`
                  : `${path}: not an option here (known: ${Object.keys(options).sort().join(", ")})`,
            },
            file,
            line,
          );
        }
        continue;
      }
      if (node.relevant_when && relevantWhen(node.relevant_when, obj, options) === false) {
        this.finding(
          {
            path,
            rule: "variant",
            message: `${path}: applies only when ${node.relevant_when}`,
          },
          file,
          node.line,
        );
        continue;
      }
      this.value(v, node, path, file, key);
    }
    for (const [key, node] of Object.entries(options)) {
      if (!node.required || key in obj || meant.has(key)) continue;
      if (node.relevant_when && relevantWhen(node.relevant_when, obj, options) !== true) continue;
      const path = where ? `${where}.${key}` : key;
      this.finding({ path, rule: "required", message: `${path}: required option missing` }, file, node.line);
    }
  }

  /**
   * A sink's buffer by lib/vector-buffers' own rules: `type` memory (default) or disk; `max_size`
   * required for disk; `max_events` refused on disk and beside `max_size` in memory.
   */
  buffer(v: Json, node: OptionNode, where: string, file: string): void {
    // The code's rules below replace the reference's `required` on max_size and its
    // `relevant_when` on max_events; the rest (kinds, enums, unknown keys) is judged as usual.
    const opts = node.types.object?.options ?? {};
    const loosened: OptionNode = {
      ...node,
      types: {
        ...node.types,
        object: {
          ...node.types.object,
          options: Object.fromEntries(
            Object.entries(opts).map(([k, o]) => [
              k,
              k === "max_size" || k === "max_events"
                ? { ...o, relevant_when: undefined, required: false }
                : o,
            ]),
          ),
        },
      },
    };
    this.value(v, loosened, where, file, "buffer");
    const buffers = Array.isArray(v) ? v : [v];
    const r = this.ref.rust;
    buffers.forEach((b, i) => {
      if (!isObject(b)) return;
      const at = Array.isArray(v) ? `${where}[${i}]` : where;
      const disk = b.type === "disk";
      if (disk && !("max_size" in b))
        this.findings.push({
          path: `${at}.max_size`,
          rule: "buffer",
          message: `${at}: a disk buffer needs max_size`,
          source: this.at(...split(r.buffer_disk_needs_max_size)),
        });
      if (disk && "max_events" in b)
        this.findings.push({
          path: `${at}.max_events`,
          rule: "buffer",
          message: `${at}: a disk buffer takes max_size, not max_events`,
          source: this.at(...split(r.buffer_disk_max_events)),
        });
      if (!disk && "max_events" in b && "max_size" in b)
        this.findings.push({
          path: `${at}.max_events`,
          rule: "buffer",
          message: `${at}: a memory buffer takes max_events or max_size, not both`,
          source: this.at(...split(r.buffer_memory_both)),
        });
    });
  }
}

const split = (f: RustFact): [string, number] => {
  const i = f.source.lastIndexOf(":");
  return [f.source.slice(0, i), Number(f.source.slice(i + 1))];
};

/** Whether a glob (`*`, `?`, `[...]`) matches a name. */
function globMatches(pattern: string, name: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") re += ".*";
    else if (c === "?") re += ".";
    else if (c === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(name);
}

const isGlob = (s: string) => /[*?[]/.test(s);

/** `acknowledgements: true` or `{enabled: true}` (a sink's own, else the global one). */
function acksEnabled(v: Json): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (isObject(v) && typeof v.enabled === "boolean") return v.enabled;
  return undefined;
}

/** One source, transform or sink of the config: its kind, name, body and reference entry. */
interface Component {
  kind: Kind;
  name: string;
  body: Record<string, Json>;
  entry?: ComponentEntry;
}

/** What every step of the judgement shares. */
interface Context {
  judge: Judge;
  ref: VectorReference;
  at: (file: string, line: number) => string;
  config: Record<string, Json>;
}

/**
 * Judges a parsed Vector config (the YAML as plain data) against the reference. `at` renders an
 * upstream file and line for a message (default: `vectordotdev/vector@<tag> <file>:<line>`).
 */
export function checkVectorConfig(
  config: Json,
  ref: VectorReference,
  at: (file: string, line: number) => string = (file, line) =>
    `${ref.source.repo}@${ref.source.tag} ${file}${line > 0 ? `:${line}` : ""}`,
): VectorVerdict {
  const judge = new Judge(ref, at);
  const verdict: VectorVerdict = { findings: judge.findings, warnings: judge.warnings, components: 0 };
  if (!isObject(config)) {
    judge.findings.push({
      path: "",
      rule: "top-level",
      message: `expected a map of Vector's top-level keys, found ${describeKind(config)}`,
      source: at(...split(ref.rust.top_level_fields)),
    });
    return verdict;
  }
  const ctx: Context = { judge, ref, at, config };
  checkTopLevel(ctx);
  const placed = placeComponents(ctx, verdict);
  checkShape(ctx, placed);
  const edges = resolveInputs(ctx, placed);
  checkDataTypes(ctx, edges);
  checkAcknowledgements(ctx, edges);
  return verdict;
}

/** Top-level keys (`ConfigBuilder` denies unknown fields) and the global options' values. */
function checkTopLevel({ judge, ref, at, config }: Context): void {
  const globals = ref.global.options;
  const topLevel = new Set([...Object.keys(globals), ...ref.rust.top_level_fields.fields]);
  for (const [key, v] of Object.entries(config)) {
    if (!topLevel.has(key)) {
      judge.findings.push({
        path: key,
        rule: "top-level",
        message: `${key}: not a top-level key of Vector's config (known: ${[...topLevel].sort().join(", ")})`,
        source: at(...split(ref.rust.top_level_fields)),
      });
      continue;
    }
    if ((KINDS as string[]).includes(key) || !globals[key]) continue;
    judge.value(v, globals[key], key, ref.global.file, key);
  }
}

/** The components of each kind, their types and options; returns those with a map body. */
function placeComponents({ judge, ref, at, config }: Context, verdict: VectorVerdict): Component[] {
  const globals = ref.global.options;
  const placed: Component[] = [];
  for (const kind of KINDS) {
    const all = config[kind];
    if (all === undefined || all === null) continue;
    if (!isObject(all)) {
      judge.findings.push({
        path: kind,
        rule: "type",
        message: `${kind}: expected a map of ${SINGULAR[kind]} names to ${kind}, found ${describeKind(all)}`,
        source: at(ref.global.file, globals[kind]?.line ?? 1),
      });
      continue;
    }
    for (const [name, body] of Object.entries(all)) {
      const where = `${kind}.${name}`;
      verdict.components++;
      if (!isObject(body)) {
        judge.findings.push({
          path: where,
          rule: "type",
          message: `${where}: expected a map with the ${SINGULAR[kind]}'s type and options, found ${describeKind(body)}`,
          source: at(ref.common[kind].file, 1),
        });
        continue;
      }
      const type = body.type;
      const entry = typeof type === "string" ? ref.components[kind][type] : undefined;
      placed.push({ kind, name, body, entry });
      if (!entry) {
        judge.findings.push({
          path: `${where}.type`,
          rule: "unknown-type",
          message:
            type === undefined
              ? `${where}: no type (one of the ${Object.keys(ref.components[kind]).length} ${kind} of Vector ${ref.source.version})`
              : `${where}.type: ${show(type)} is not a ${SINGULAR[kind]} of Vector ${ref.source.version}${near(typeof type === "string" ? type : "", Object.keys(ref.components[kind]))}`,
          source: at(`website/cue/reference/components/${kind}/generated/`, 0),
        });
        continue;
      }
      if (entry.development && entry.development !== "stable")
        judge.warnings.push({
          path: `${where}.type`,
          message: `${where}: the ${String(body.type)} ${SINGULAR[kind]} is ${entry.development} in Vector ${ref.source.version}`,
          source: at(entry.doc_file ?? entry.file, 0),
        });
      const common = ref.common[kind].options;
      const { buffer, ...ownAndCommon } = { ...common, ...entry.options };
      judge.object(body, ownAndCommon, undefined, where, entry.file, 0, [
        "type",
        ...(buffer ? ["buffer"] : []),
      ]);
      if (buffer && "buffer" in body)
        judge.buffer(body.buffer, buffer, `${where}.buffer`, ref.common[kind].file);
    }
  }
  return placed;
}

/**
 * The shape Vector's validation requires: sources and sinks, distinct names without a dot,
 * inputs present and not repeated.
 */
function checkShape({ judge, ref, at }: Context, placed: Component[]): void {
  const rust = ref.rust;
  const shape = (path: string, message: string, fact: RustFact) =>
    judge.findings.push({ path, rule: "shape", message, source: at(...split(fact)) });
  if (!placed.some((p) => p.kind === "sources"))
    shape("sources", "no sources: Vector refuses an empty pipeline", rust.no_sources);
  if (!placed.some((p) => p.kind === "sinks"))
    shape("sinks", "no sinks: Vector refuses an empty pipeline", rust.no_sinks);
  const kindsByName = new Map<string, Kind[]>();
  for (const p of placed) {
    if (p.name.includes("."))
      shape(`${p.kind}.${p.name}`, `component name "${p.name}" contains a "."`, rust.names_no_dot);
    kindsByName.set(p.name, [...(kindsByName.get(p.name) ?? []), p.kind]);
  }
  for (const [name, kinds] of kindsByName)
    if (kinds.length > 1)
      shape(
        name,
        `more than one component named "${name}" (${kinds.map((k) => SINGULAR[k]).join(", ")})`,
        rust.duplicate_names,
      );
  for (const p of placed) {
    if (p.kind === "sources" || !Array.isArray(p.body.inputs)) continue;
    const where = `${p.kind}.${p.name}.inputs`;
    if (p.body.inputs.length === 0) shape(where, `${where}: no inputs`, rust.no_inputs);
    const seen = new Set<unknown>();
    for (const input of p.body.inputs) {
      if (seen.has(input))
        shape(where, `${where}: ${JSON.stringify(input)} appears more than once`, rust.duplicated_input);
      seen.add(input);
    }
  }
}

/** Inputs: each names a source or a transform, a transform's named output, or a glob matching one. */
function resolveInputs(
  { judge, ref, at, config }: Context,
  placed: Component[],
): Map<Component, Component[]> {
  const producers = placed.filter((p) => p.kind !== "sinks");
  const byName = new Map(producers.map((p) => [p.name, p]));
  const wildcardRelaxed = config.wildcard_matching === "relaxed";
  const inputsOf = (p: Component): Component[] => {
    const inputs = p.body.inputs;
    if (!Array.isArray(inputs)) return [];
    const out: Component[] = [];
    for (const input of inputs) {
      if (typeof input !== "string") continue;
      const exact = byName.get(input);
      const port = input.includes(".") ? byName.get(input.slice(0, input.indexOf("."))) : undefined;
      const globbed = isGlob(input) ? producers.filter((q) => globMatches(input, q.name) && q !== p) : [];
      if (exact) out.push(exact);
      else if (port?.kind === "transforms") out.push(port);
      else if (globbed.length > 0) out.push(...globbed);
      else if (!(isGlob(input) && wildcardRelaxed))
        judge.findings.push({
          path: `${p.kind}.${p.name}.inputs`,
          rule: "inputs",
          message: `${p.kind}.${p.name}.inputs: ${JSON.stringify(input)} matches no source or transform${inputCandidates(input, p, byName)}`,
          source: at(...split(ref.rust.input_unknown)),
        });
    }
    return out;
  };
  return new Map(placed.filter((p) => p.kind !== "sources").map((p) => [p, inputsOf(p)]));
}

/**
 * The sources and transforms an input could have meant: the closest names, else every one, never
 * the component itself (a component cannot read its own output).
 */
function inputCandidates(input: string, p: Component, byName: Map<string, Component>): string {
  const names = [...byName.keys()].filter((n) => n !== p.name).sort();
  const close = near(input, names);
  return close || ` (${names.join(", ") || "none"})`;
}

/** Data types: what an input gives must meet what the component takes. */
function checkDataTypes({ judge, ref, at }: Context, edges: Map<Component, Component[]>): void {
  for (const [p, inputs] of edges) {
    const takes = p.entry?.input;
    if (!takes) continue;
    for (const q of inputs) {
      const gives = q.entry?.output;
      if (!gives) continue;
      const meet = (Object.keys(gives) as DataType[]).some((d) => takes[d]);
      if (!meet)
        judge.findings.push({
          path: `${p.kind}.${p.name}.inputs`,
          rule: "data-type",
          message: `${p.kind}.${p.name} (${String(p.body.type)}, takes ${types(takes)}) reads ${q.name} (${String(q.body.type)}, gives ${Object.keys(gives).join(", ")}): no data type in common`,
          source: at(...split(ref.rust.type_mismatch)),
        });
    }
  }
}

/**
 * End-to-end acknowledgements: a sink's setting (else the global one) reaches its sources through
 * transforms; a source that cannot take them loses data silently.
 */
function checkAcknowledgements(
  { judge, ref, at, config }: Context,
  edges: Map<Component, Component[]>,
): void {
  const globalAcks = acksEnabled(config.acknowledgements) ?? false;
  for (const [p, inputs] of edges) {
    if (p.kind !== "sinks" || !(acksEnabled(p.body.acknowledgements) ?? globalAcks)) continue;
    const seen = new Set<Component>();
    const reach = (qs: Component[]) => {
      for (const q of qs) {
        if (seen.has(q)) continue;
        seen.add(q);
        if (q.kind === "transforms") reach(edges.get(q) ?? []);
        else if (q.entry && q.entry.acknowledgements === false)
          judge.warnings.push({
            path: `sinks.${p.name}.acknowledgements`,
            message: `sinks.${p.name} asks for end-to-end acknowledgements, but its source ${q.name} (${String(q.body.type)}) cannot take them: Vector warns that silent data loss could occur`,
            source: at(...split(ref.rust.acknowledgements_unsupported)),
          });
      }
    };
    reach(inputs);
  }
}

const types = (t: Record<DataType, boolean>) =>
  (Object.keys(t) as DataType[]).filter((d) => t[d]).join(", ") || "nothing";

/**
 * The known names nearest `name`, at most two edits away: only those at the least distance, so a
 * slip of one letter (`jsn`) names the one it is (`json`), not also each name two edits off (`csv`).
 */
function nearNames(name: string, known: string[]): string[] {
  const measured = known.map((k) => ({ k, d: distance(k, name) })).filter(({ d }) => d <= 2);
  const least = Math.min(...measured.map(({ d }) => d));
  return measured.filter(({ d }) => d === least).map(({ k }) => k);
}

/** ` (did you mean "x"?)` for the nearest names (at most two edits away), else nothing. */
function near(name: string, known: string[]): string {
  const close = nearNames(name, known);
  return close.length > 0 ? ` (did you mean ${close.map((c) => JSON.stringify(c)).join(" or ")}?)` : "";
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}
