/**
 * Rebuilds Vector's reference data (upstream/vector/data/vector-<version>/components.json) from a
 * checkout of vectordotdev/vector at the pinned tag. A Vector bump is: check out the new tag, run
 * this, review the data diff.
 *
 *   npx tsx upstream/refresh/vector.ts <checkout> [--write]
 *   npx tsx upstream/refresh/vector.ts <bare-git-dir> --rev v0.56.0 [--write]
 *
 * Without `--write` it compares what it builds with the data in the repository and exits 1 when
 * they differ. What it reads (paths at the tag):
 * - `website/cue/reference/generated/configuration.cue`: the global options and top-level keys;
 * - `website/cue/reference/components/generated/{sources,transforms,sinks}.cue`: the options every
 *   component of a kind has (`inputs`, `buffer`, `healthcheck`, ...);
 * - `website/cue/reference/components/<kind>/generated/<type>.cue`: every component's options
 *   (generated from the Rust config structs);
 * - `website/cue/reference/components/<kind>/<type>.cue` (hand-written pages, read leniently):
 *   `classes.development`, `features.acknowledgements`, the data types in `input` and `output`;
 * - Rust sources for what the CUE leaves out: the top-level keys of `ConfigBuilder`
 *   (src/config/builder.rs), the fields that also accept a bare bool (`bool_or_struct`), and the
 *   buffer rules of lib/vector-buffers/src/config.rs (located by their quoted lines; the build
 *   stops when a quoted line is gone, so a bump cannot carry a stale rule silently).
 * Only facts are kept (names, types, defaults, enums, units, lines), never descriptions.
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CueExpr, CueStruct, cueAt, parseCue, type CueValue } from "../vector/cue";
import {
  DATA_TYPES,
  FORMAT,
  KINDS,
  type ComponentEntry,
  type DataType,
  type Kind,
  type OptionNode,
  type RustFact,
  type TypeNode,
  type VectorReference,
} from "../vector/types";

export const REPO = "vectordotdev/vector";
const CUE_ROOT = "website/cue/reference";

/** A checkout to read from: paths relative to the repository root. */
export interface Checkout {
  read(rel: string): string;
  exists(rel: string): boolean;
  list(rel: string): string[];
  isDir(rel: string): boolean;
  commit: string;
}

/** A checkout on disk (a work tree). The commit comes from git when it is a git work tree. */
export function dirCheckout(root: string, commit?: string): Checkout {
  const abs = (rel: string) => path.join(root, rel);
  let c = commit;
  if (!c)
    try {
      c = execFileSync("git", ["-C", root, "rev-parse", "HEAD"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      c = "unknown";
    }
  return {
    read: (rel) => fs.readFileSync(abs(rel), "utf8"),
    exists: (rel) => fs.existsSync(abs(rel)),
    list: (rel) => (fs.existsSync(abs(rel)) ? fs.readdirSync(abs(rel)).sort() : []),
    isDir: (rel) => fs.statSync(abs(rel), { throwIfNoEntry: false })?.isDirectory() ?? false,
    commit: c,
  };
}

class RefreshError extends Error {}

function fail(where: string, what: string): never {
  throw new RefreshError(`${where}: ${what}`);
}

function struct(v: CueValue | undefined, where: string): CueStruct {
  if (!(v instanceof CueStruct))
    fail(where, `expected a struct, found ${v instanceof CueExpr ? v.text : JSON.stringify(v)}`);
  return v;
}

/** A CUE literal as JSON data (big integers stay exact as bigint until written). */
function literal(v: CueValue, where: string): unknown {
  if (v instanceof CueExpr) fail(where, `expected a literal, found the expression ${v.text}`);
  if (v instanceof CueStruct)
    return Object.fromEntries([...v.fields].map(([k, f]) => [k, literal(f.value, `${where}.${k}`)]));
  if (Array.isArray(v)) return v.map((x, i) => literal(x, `${where}[${i}]`));
  return v;
}

/** One option node from the generated CUE (`{description, required, type: {<kind>: {...}}}`). */
function optionNode(s: CueStruct, line: number, where: string): OptionNode {
  const node: OptionNode = { line, types: {} };
  const required = s.get("required");
  if (typeof required === "boolean") node.required = required;
  for (const key of ["relevant_when", "deprecated_message"] as const) {
    const v = s.get(key);
    if (typeof v === "string") node[key] = v;
  }
  if (s.get("deprecated") === true) node.deprecated = true;
  const warnings = s.get("warnings");
  if (Array.isArray(warnings)) node.warnings = warnings.filter((w): w is string => typeof w === "string");
  const type = struct(s.get("type"), `${where}.type`);
  for (const [kind, f] of type.fields) node.types[kind] = typeNode(kind, f.value, `${where}.type.${kind}`);
  // Keep the keys in the shape's order (line, required, then the rest), whatever the CUE's order.
  const { line: l, required: r, relevant_when, deprecated, deprecated_message, warnings: w, types } = node;
  return JSON.parse(
    JSON.stringify(
      { line: l, required: r, relevant_when, deprecated, deprecated_message, warnings: w, types },
      bigints,
    ),
    unbigints,
  ) as OptionNode;
}

function typeNode(kind: string, v: CueValue, where: string): TypeNode {
  const s = struct(v, where);
  const t: TypeNode = {};
  const def = s.fields.get("default");
  if (def) t.default = literal(def.value, `${where}.default`);
  const en = s.get("enum");
  if (en instanceof CueStruct) t.enum = [...en.fields.keys()];
  else if (Array.isArray(en)) t.enum = en.map((x, i) => literal(x, `${where}.enum[${i}]`));
  for (const key of ["unit", "syntax"] as const) {
    const x = s.get(key);
    if (typeof x === "string") t[key] = x;
  }
  if (kind === "object") {
    const opts = s.fields.get("options");
    if (opts) {
      t.options = {};
      for (const [name, f] of struct(opts.value, `${where}.options`).fields) {
        const node = optionNode(
          struct(f.value, `${where}.options.${name}`),
          f.line,
          `${where}.options.${name}`,
        );
        if (name === "*") t.additional = node;
        else t.options[name] = node;
      }
    }
  }
  if (kind === "array") {
    const items = s.fields.get("items");
    if (items) t.items = optionNode(struct(items.value, `${where}.items`), items.line, `${where}.items`);
  }
  return t;
}

function optionsOf(s: CueStruct, file: string): Record<string, OptionNode> {
  const out: Record<string, OptionNode> = {};
  for (const [name, f] of s.fields)
    out[name] = optionNode(struct(f.value, `${file}: ${name}`), f.line, `${file}: ${name}`);
  return out;
}

function cueFile(co: Checkout, rel: string, lenient = false): CueStruct {
  try {
    return parseCue(co.read(rel), { lenient }).root;
  } catch (e) {
    return fail(rel, (e as Error).message);
  }
}

/** What a hand-written page says about its component (literal values only). */
function pageFacts(co: Checkout, kind: Kind, type: string): Partial<ComponentEntry> {
  const rel = `${CUE_ROOT}/components/${kind}/${type}.cue`;
  if (!co.exists(rel)) return {};
  const page = cueAt(cueFile(co, rel, true), "components", kind, type);
  if (!(page instanceof CueStruct)) return {};
  const out: Partial<ComponentEntry> = { doc_file: rel };
  const dev = cueAt(page, "classes", "development");
  if (typeof dev === "string") out.development = dev;
  const features = cueAt(page, "features");
  const acks = features instanceof CueStruct ? features.fields.get("acknowledgements") : undefined;
  if (acks && typeof acks.value === "boolean") {
    out.acknowledgements = acks.value;
    out.acknowledgements_line = acks.line;
  }
  const input = page.fields.get("input");
  if (kind !== "sources" && input?.value instanceof CueStruct) {
    const s = input.value;
    // A data type is taken when its entry is `true` or a struct (metric kinds); `false`/`null` is not.
    out.input = Object.fromEntries(
      DATA_TYPES.map((d) => [d, s.get(d) === true || s.get(d) instanceof CueStruct]),
    ) as Record<DataType, boolean>;
    out.input_line = input.line;
  }
  const output = page.fields.get("output");
  if (kind !== "sinks" && output?.value instanceof CueStruct) {
    const s = output.value;
    out.output = Object.fromEntries(DATA_TYPES.filter((d) => s.fields.has(d)).map((d) => [d, true]));
    out.output_line = output.line;
  }
  return out;
}

/** The line (1-based) of `quote` in `rel`, or a refusal naming both. */
function locate(co: Checkout, rel: string, quote: string): RustFact {
  if (!co.exists(rel)) fail(rel, `not found (it held the line ${JSON.stringify(quote)})`);
  const lines = co.read(rel).split("\n");
  const i = lines.findIndex((l) => l.trim() === quote);
  if (i < 0)
    fail(rel, `the line ${JSON.stringify(quote)} is gone: re-read the rule it stated and update this script`);
  return { source: `${rel}:${i + 1}`, quote };
}

/** `ConfigBuilder`'s keys: its `pub` fields but the flattened and skipped ones. */
function topLevelFields(co: Checkout): RustFact & { fields: string[] } {
  const rel = "src/config/builder.rs";
  const fact = locate(co, rel, "pub struct ConfigBuilder {");
  const lines = co.read(rel).split("\n");
  const fields: string[] = [];
  let attrs = "";
  for (let i = Number(fact.source.split(":")[1]); i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === "}") break;
    if (l.startsWith("#[")) attrs += l;
    const m = /^pub (\w+):/.exec(l);
    if (m) {
      if (!/serde\([^)]*\b(flatten|skip)\b/.test(attrs)) fields.push(m[1]);
      attrs = "";
    }
  }
  if (fields.length === 0) fail(rel, "no field found in ConfigBuilder");
  return { ...fact, fields };
}

function rustFiles(co: Checkout, dir: string): string[] {
  return co.list(dir).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (name.endsWith(".rs")) return [rel];
    return co.isDir(rel) ? rustFiles(co, rel) : [];
  });
}

/** Every field deserialized with `bool_or_struct` in src/ and lib/: its name and where. */
function boolOrStruct(co: Checkout): { sources: string[]; fields: string[] } {
  const fields = new Set<string>();
  const sources: string[] = [];
  for (const rel of [...rustFiles(co, "src"), ...rustFiles(co, "lib")]) {
    const text = co.read(rel);
    if (!text.includes("bool_or_struct")) continue;
    const lines = text.split("\n");
    lines.forEach((l, i) => {
      if (!/deserialize_with\s*=\s*"[\w:]*bool_or_struct"/.test(l)) return;
      // The field is the first line after this attribute and any further attributes and comments.
      let k = i;
      while (k < lines.length && !lines[k].includes(")]")) k++;
      for (k++; k < lines.length; k++) {
        const t = lines[k].trim();
        if (t.startsWith("//")) continue;
        if (t.startsWith("#[")) {
          while (k < lines.length && !lines[k].trimEnd().endsWith("]")) k++;
          continue;
        }
        break;
      }
      const m = /^\s*(?:pub(?:\([\w: ]+\))?\s+)?(\w+)\s*:/.exec(lines[k] ?? "");
      if (!m) fail(`${rel}:${i + 1}`, "bool_or_struct on something that is not a field");
      fields.add(m[1]);
      sources.push(`${rel}:${i + 1}`);
    });
  }
  return { sources, fields: [...fields].sort() };
}

/** The line after an attribute at `i` (and any attributes and comments after it). */
function itemAfter(lines: string[], i: number): number {
  let k = i;
  while (k < lines.length && !lines[k].trimEnd().endsWith("]")) k++;
  for (k++; k < lines.length; k++) {
    const t = lines[k].trim();
    if (t.startsWith("//")) continue;
    if (t.startsWith("#[")) {
      while (k < lines.length && !lines[k].trimEnd().endsWith("]")) k++;
      continue;
    }
    break;
  }
  return k;
}

const snakeCase = (variant: string) => variant.replace(/(?<=[a-z0-9])([A-Z])/g, "_$1").toLowerCase();

/**
 * Serde aliases and `docs::hidden` fields (names Vector accepts that the generated reference
 * leaves out) and hidden variants of snake_case enums, in src/ and lib/.
 */
function undocumented(co: Checkout): VectorReference["rust"]["undocumented"] {
  const fields: Record<string, string[]> = {};
  const enumValues: Record<string, string[]> = {};
  const add = (into: Record<string, string[]>, name: string, where: string) =>
    (into[name] ??= []).push(where);
  for (const rel of [...rustFiles(co, "src"), ...rustFiles(co, "lib")]) {
    const text = co.read(rel);
    if (!text.includes("alias") && !text.includes("docs::hidden")) continue;
    const lines = text.split("\n");
    lines.forEach((l, i) => {
      if (!l.trim().startsWith("#[")) return;
      let attr = l;
      for (let k = i; !lines[k].trimEnd().endsWith("]") && k + 1 < lines.length;) attr += lines[++k];
      if (/\bserde\(/.test(attr))
        for (const m of attr.matchAll(/\balias\s*=\s*"([A-Za-z_]\w*)"/g))
          add(fields, m[1], `${rel}:${i + 1} (serde alias)`);
      if (!/docs::hidden/.test(attr)) return;
      const item = lines[itemAfter(lines, i)] ?? "";
      const field = /^\s*(?:pub(?:\([\w: ]+\))?\s+)?(\w+)\s*:/.exec(item);
      if (field) {
        add(fields, field[1], `${rel}:${i + 1} (docs::hidden)`);
        return;
      }
      const variant = /^\s*([A-Z]\w*)\s*(?:\([^)]*\))?\s*[,{]?\s*$/.exec(item);
      if (!variant) return;
      // The enum's own attributes decide the variant's name: read only snake_case enums.
      for (let k = i; k >= 0; k--) {
        if (!/^\s*(pub(\([\w: ]+\))?\s+)?enum\s/.test(lines[k])) continue;
        // Its attributes: the lines above it up to a doc comment, a blank line or the previous item.
        let a = k - 1;
        while (a >= 0 && lines[a].trim() !== "" && !/^\s*\/\/|[;}]\s*$/.test(lines[a])) a--;
        if (
          lines
            .slice(a + 1, k)
            .join(" ")
            .includes('rename_all = "snake_case"')
        )
          add(enumValues, snakeCase(variant[1]), `${rel}:${i + 1} (docs::hidden variant ${variant[1]})`);
        break;
      }
    });
  }
  const sorted = (r: Record<string, string[]>) =>
    Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
  return { fields: sorted(fields), enum_values: sorted(enumValues) };
}

/** Builds the reference from a checkout at a tag. */
export function buildVectorReference(co: Checkout): VectorReference {
  const cargo = co.read("Cargo.toml");
  const version =
    /^\[package\][^[]*?^version\s*=\s*"([^"]+)"/ms.exec(cargo)?.[1] ??
    fail("Cargo.toml", "no [package] version");
  const globalFile = `${CUE_ROOT}/generated/configuration.cue`;
  const global = struct(
    cueAt(cueFile(co, globalFile), "generated", "configuration", "configuration"),
    globalFile,
  );
  const common = {} as VectorReference["common"];
  const components = {} as VectorReference["components"];
  for (const kind of KINDS) {
    const file = `${CUE_ROOT}/components/generated/${kind}.cue`;
    common[kind] = {
      file,
      options: optionsOf(
        struct(cueAt(cueFile(co, file), "generated", "components", kind, "configuration"), file),
        file,
      ),
    };
    components[kind] = {};
    const dir = `${CUE_ROOT}/components/${kind}/generated`;
    for (const name of co.list(dir).filter((n) => n.endsWith(".cue"))) {
      const rel = `${dir}/${name}`;
      const all = struct(cueAt(cueFile(co, rel), "generated", "components", kind), rel);
      for (const [type, f] of all.fields) {
        const config = struct(cueAt(f.value, "configuration"), `${rel}: ${type}.configuration`);
        components[kind][type] = { file: rel, options: optionsOf(config, rel), ...pageFacts(co, kind, type) };
      }
    }
    if (Object.keys(components[kind]).length === 0) fail(dir, "no generated component file");
  }
  const buffers = "lib/vector-buffers/src/config.rs";
  const validation = "src/config/validation.rs";
  const bufferFields = locate(
    co,
    buffers,
    'const ALL_FIELDS: [&str; 4] = ["type", "max_events", "max_size", "when_full"];',
  );
  return {
    format: FORMAT,
    source: { repo: REPO, tag: `v${version}`, commit: co.commit, version },
    global: { file: globalFile, options: optionsOf(global, globalFile) },
    common,
    components,
    rust: {
      top_level_fields: topLevelFields(co),
      bool_or_struct: boolOrStruct(co),
      undocumented: undocumented(co),
      buffer_fields: { ...bufferFields, fields: ["type", "max_events", "max_size", "when_full"] },
      buffer_disk_needs_max_size: locate(
        co,
        buffers,
        'max_size: max_size.ok_or_else(|| de::Error::missing_field("max_size"))?,',
      ),
      buffer_disk_max_events: locate(co, buffers, "BufferTypeKind::DiskV2 => {"),
      buffer_memory_both: locate(co, buffers, "(Some(_), Some(_)) => {"),
      input_unknown: locate(
        co,
        "src/config/graph.rs",
        String.raw`"Input \"{from}\" for {output_type} \"{to}\" doesn't match any components.",`,
      ),
      type_mismatch: locate(co, "src/config/graph.rs", '"Data type mismatch between {} ({}) and {} ({})",'),
      acknowledgements_unsupported: locate(
        co,
        "src/config/mod.rs",
        'message = "Source has acknowledgements enabled by a sink, but acknowledgements are not supported by this source. Silent data loss could occur.",',
      ),
      names_no_dot: locate(co, validation, String.raw`"Component name \"{}\" should not contain a \".\"",`),
      no_sources: locate(co, validation, 'errors.push("No sources defined in the config.".to_owned());'),
      no_sinks: locate(co, validation, 'errors.push("No sinks defined in the config.".to_owned());'),
      duplicate_names: locate(co, validation, String.raw`"More than one component with name \"{}\" ({}).",`),
      no_inputs: locate(co, validation, String.raw`"{} \"{}\" has no inputs",`),
      duplicated_input: locate(co, validation, String.raw`"{} \"{}\" has input \"{}\" duplicated {} times",`),
    },
  };
}

const BIG = "\u0000bigint:";
function bigints(_k: string, v: unknown): unknown {
  return typeof v === "bigint" ? `${BIG}${v}` : v;
}
function unbigints(_k: string, v: unknown): unknown {
  return typeof v === "string" && v.startsWith(BIG) ? BigInt(v.slice(BIG.length)) : v;
}

/** The data file's text: JSON, two-space indent, big integers written exactly. */
export function formatReference(ref: VectorReference): string {
  return `${JSON.stringify(ref, bigints, 1).replace(/"\\u0000bigint:(-?\d+)"/g, "$1")}\n`;
}

/** Where the data of a version lives in the repository. */
export function dataFile(version: string, root = path.resolve(__dirname, "..", "..")): string {
  return path.join(root, "upstream", "vector", "data", `vector-${version}`, "components.json");
}

/** Extracts `rev` of a bare git directory into a temporary work tree (only the paths read). */
export function gitCheckout(gitDir: string, rev: string): Checkout & { dispose(): void } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vector-ref-"));
  const archive = execFileSync(
    "git",
    ["--git-dir", gitDir, "archive", rev, "Cargo.toml", "website/cue/reference", "src", "lib"],
    {
      maxBuffer: 1 << 30,
    },
  );
  execFileSync("tar", ["-x", "-C", tmp], { input: archive, maxBuffer: 1 << 30 });
  const commit = execFileSync("git", ["--git-dir", gitDir, "rev-parse", `${rev}^{commit}`], {
    encoding: "utf8",
  }).trim();
  return { ...dirCheckout(tmp, commit), dispose: () => fs.rmSync(tmp, { recursive: true, force: true }) };
}

/**
 * The command: build, then compare with (or, with `--write`, replace) the data under `root`
 * (default: this repository). Exit 0 when up to date or written, 1 when it differs or a source is
 * not as expected, 2 on a usage error.
 */
export function main(argv: string[], root = path.resolve(__dirname, "..", "..")): number {
  const write = argv.includes("--write");
  const revAt = argv.indexOf("--rev");
  const rev = revAt >= 0 ? argv[revAt + 1] : undefined;
  const where = argv.find((a, i) => !a.startsWith("--") && (revAt < 0 || i !== revAt + 1));
  if (!where) {
    process.stderr.write("usage: vector.ts <checkout> [--write] | <bare-git-dir> --rev <tag> [--write]\n");
    return 2;
  }
  const co = rev ? gitCheckout(where, rev) : dirCheckout(where);
  try {
    const ref = buildVectorReference(co);
    const file = dataFile(ref.source.version, root);
    const text = formatReference(ref);
    if (write) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
      process.stdout.write(
        `wrote ${path.relative(process.cwd(), file)} (${ref.source.repo}@${ref.source.tag} ${ref.source.commit})\n`,
      );
      return 0;
    }
    const same = fs.existsSync(file) && fs.readFileSync(file, "utf8") === text;
    process.stdout.write(
      same
        ? `${path.relative(process.cwd(), file)} is up to date with ${ref.source.repo}@${ref.source.tag}\n`
        : `${path.relative(process.cwd(), file)} differs from ${ref.source.repo}@${ref.source.tag}; run again with --write and review the diff\n`,
    );
    return same ? 0 : 1;
  } catch (e) {
    if (!(e instanceof RefreshError)) throw e;
    process.stderr.write(`vector reference: ${e.message}\n`);
    return 1;
  } finally {
    if ("dispose" in co) (co as { dispose(): void }).dispose();
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
