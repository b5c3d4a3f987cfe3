/**
 * Alloy's components as its code declares them at a release tag, for the image's build: what
 * `alloy validate` judges a config by (internal/validator/validate.go, syntax/typecheck/typecheck.go)
 * and `alloy run` loads it with. Each registered component (`component.Register` in every package
 * the `alloy` binary links, from main.go down) with its stability, whether it is a community
 * component, its arguments and blocks as the `alloy:"..."` struct tags of its Args type declare
 * them (syntax/internal/syntaxtags/syntaxtags.go: attr, block, enum, squash, optional), and its
 * exports; the configuration blocks and services the validator knows; the standard library's
 * names, and which are experimental or deprecated. The folder's README states the shape.
 */
import * as fs from "fs";
import { matchingBrace, readGoPackage, tagValue, type GoBuild, type GoFile, type GoType } from "./goSource";

const MODULE = "github.com/grafana/alloy";

/** An attribute of a block body: required unless its tag says optional. */
export interface CodeAttribute {
  required: boolean;
  source: string;
}

/** A block of a block body: its type (null: a map, an interface or a type outside Alloy, not looked into). */
export interface CodeBlock {
  required: boolean;
  /** "once" (a struct), "many" (a slice, or an enum's member), or the exact count of an array. */
  repeat: "once" | "many" | number;
  type: string | null;
  source: string;
}

export interface CodeType {
  source: string;
  attributes: Record<string, CodeAttribute>;
  blocks: Record<string, CodeBlock>;
  /**
   * Enums (`alloy:"stage,enum"`): the name and the struct whose block fields are its members; each
   * member is a block `<enum>.<member>`, optional and repeatable, in any order (typecheck.go
   * checkStructEnum).
   */
  enums?: Record<string, { type: string; source: string }>;
}

export interface CodeComponent {
  stability: string;
  community?: true;
  args: string | null;
  exports: string[];
  source: string;
}

export interface CodeConfigBlock {
  args: string | null;
  source: string;
  /** A service that takes no configuration (validate.go: "does not support being configured"). */
  configurable?: false;
  /** Allowed only inside a module (validate.go: "blocks only allowed inside a module"). */
  root?: "forbidden";
  stability?: string;
  /** A block inside it whose body is components, not arguments (foreach's `template`). */
  template?: string;
}

export interface AlloyCode {
  build: GoBuild & { source: string };
  components: Record<string, CodeComponent>;
  config_blocks: Record<string, CodeConfigBlock>;
  types: Record<string, CodeType>;
  stdlib: {
    functions: Record<string, string>;
    /** Values, not functions (`constants.hostname`): each object's keys. */
    objects: Record<string, Record<string, string>>;
    experimental: Record<string, string>;
    deprecated: Record<string, string>;
  };
}

/** The import path's directory in the checkout, or undefined outside the repository's modules. */
function dirOf(importPath: string): string | undefined {
  if (importPath === MODULE) return ".";
  return importPath.startsWith(`${MODULE}/`) ? importPath.slice(MODULE.length + 1) : undefined;
}

/** The image's build: linux, cgo on (Makefile CGO_ENABLED ?= 1) and the Dockerfile's GO_TAGS. */
function imageBuild(checkout: string): AlloyCode["build"] {
  const text = fs.readFileSync(`${checkout}/Dockerfile`, "utf8");
  const lines = text.split("\n");
  const at = lines.findIndex((l) => /GO_TAGS="[^"]*"/.test(l));
  if (at < 0) throw new Error(`alloy: expected GO_TAGS="..." in the checkout's Dockerfile, found none`);
  const tags = /GO_TAGS="([^"]*)"/.exec(lines[at])![1].split(/\s+/).filter(Boolean);
  return { goos: "linux", goarch: "amd64", tags: ["cgo", ...tags], source: `Dockerfile:${at + 1}` };
}

/** The top-level `Key: value` entries of a composite literal's body (`{ ... }`, braces included). */
function entries(literal: string): Map<string, string> {
  const out = new Map<string, string>();
  let depth = 0;
  let start = 1;
  const take = (end: number) => {
    const m = /^\s*(\w+)\s*:\s*([\s\S]*?)\s*$/.exec(literal.slice(start, end));
    if (m) out.set(m[1], m[2]);
    start = end + 1;
  };
  for (let i = 0; i < literal.length; i++) {
    const c = literal[i];
    if (c === '"' || c === "`") i = literal.indexOf(c, i + 1);
    else if ("{([".includes(c)) depth++;
    else if ("})]".includes(c)) {
      if (--depth === 0) take(i);
    } else if (c === "," && depth === 1) take(i);
  }
  return out;
}

/** Reads the packages of one checkout lazily and resolves names and types across them. */
class Packages {
  private cache = new Map<string, GoFile[]>();
  constructor(
    private checkout: string,
    private build: GoBuild,
  ) {}

  files(dir: string): GoFile[] {
    let files = this.cache.get(dir);
    if (!files) this.cache.set(dir, (files = readGoPackage(this.checkout, dir, this.build)));
    return files;
  }

  dirOfFile(f: GoFile): string {
    return f.rel.includes("/") ? f.rel.slice(0, f.rel.lastIndexOf("/")) : ".";
  }

  /** Every package the binary links from `root` (imports inside the repository's modules). */
  reachable(root: string): string[] {
    const seen = new Set([root]);
    const queue = [root];
    while (queue.length > 0)
      for (const f of this.files(queue.shift()!))
        for (const p of f.importPaths) {
          const d = dirOf(p);
          if (d === undefined || seen.has(d)) continue;
          seen.add(d);
          queue.push(d);
        }
    return [...seen].sort();
  }

  /** `Name` or `pkg.Name` as written in a file: its package directory and name. */
  qualified(f: GoFile, name: string): { dir: string; name: string } | undefined {
    const m = /^(?:(\w+)\.)?(\w+)$/.exec(name);
    if (!m) return undefined;
    if (!m[1]) return { dir: this.dirOfFile(f), name: m[2] };
    const p = f.imports.get(m[1]);
    const d = p === undefined ? undefined : dirOf(p);
    return d === undefined ? undefined : { dir: d, name: m[2] };
  }

  type(dir: string, name: string): { type: GoType; file: GoFile } | undefined {
    for (const file of this.files(dir)) {
      const type = file.types.find((t) => t.name === name);
      if (type) return { type, file };
    }
    return undefined;
  }

  constant(f: GoFile, expr: string): string | undefined {
    const lit = /^"([^"]*)"$/.exec(expr);
    if (lit) return lit[1];
    const q = this.qualified(f, expr);
    if (!q) return undefined;
    for (const file of this.files(q.dir)) if (file.consts.has(q.name)) return file.consts.get(q.name);
    return undefined;
  }
}

/**
 * The Go types of the Args read into {@link AlloyCode.types}: each struct's tagged fields as
 * syntaxtags reads them (the name before the first comma, the flags after it; `squash` inlines a
 * struct's fields, `enum` makes one block `<enum>.<field>` of each field of its element type).
 */
class TypeReader {
  readonly types: Record<string, CodeType> = {};
  constructor(private pk: Packages) {}

  /** A named struct type of Alloy's (`Name`, `pkg.Name`), through defined types and aliases; else null. */
  private named(
    f: GoFile,
    name: string,
    seen = new Set<string>(),
  ): { id: string; type: GoType; file: GoFile } | null {
    const q = this.pk.qualified(f, name.replace(/\[.*\]$/, ""));
    const found = q && this.pk.type(q.dir, q.name);
    if (!q || !found) return null;
    const id = `${q.dir}.${q.name}`;
    if (found.type.expr === undefined) return { id, ...found };
    // A defined type or alias of another named struct: the same fields (Go's underlying type).
    const target = found.type.expr.replace(/^=\s*/, "").replace(/^\*/, "");
    return /^[\w.]+(\[.*\])?$/.test(target) && !seen.has(id)
      ? this.named(found.file, target, seen.add(id))
      : null;
  }

  /** The id of a named struct type (`<dir>.<Name>`), read once; null when it is no struct of Alloy's. */
  struct(f: GoFile, name: string): string | null {
    const found = this.named(f, name);
    if (!found) return null;
    if (!(found.id in this.types)) {
      const t: CodeType = { source: found.type.source, attributes: {}, blocks: {} };
      this.types[found.id] = t;
      this.fields(found.file, found.type, t);
    }
    return found.id;
  }

  private fields(f: GoFile, type: GoType, into: CodeType): void {
    // syntaxtags.Get (grafana/alloy v1.12.0, syntax/internal/syntaxtags/syntaxtags.go:161-170)
    // panics on an embedded field ("anonymous fields not supported": a struct's fields are
    // inlined only through a named field tagged `alloy:",squash"`, lines 226-251) and passes over
    // a field without an `alloy` tag. So an untagged field is no argument, and an embedded one
    // means the type is not what the decoder reads: stop rather than publish its arguments short.
    const embedded = type.skipped?.find((s) => s.reason === "embedded");
    if (embedded)
      throw new Error(
        `alloy: ${type.name} (${type.source}) embeds ${embedded.type} (${embedded.source}); expected only named fields, as Alloy's syntax decoder panics on an embedded one (syntax/internal/syntaxtags/syntaxtags.go "anonymous fields not supported")`,
      );
    for (const field of type.fields ?? []) {
      const tag = tagValue(field.tag, "alloy");
      if (tag === undefined) continue;
      const [name, ...flags] = tag;
      const required = !flags.includes("optional");
      if (flags.includes("squash")) {
        // The squashed struct's attributes and blocks are the outer one's (syntaxtags.go:226-251).
        const found = this.named(f, field.type.replace(/^\*/, ""));
        if (!found)
          throw new Error(
            `alloy: ${type.name}.${field.name} (${field.source}) squashes ${field.type}; expected a struct of Alloy's, found none this reader reads, so its arguments would be missing`,
          );
        this.fields(found.file, found.type, into);
      } else if (flags.includes("attr")) into.attributes[name] = { required, source: field.source };
      else if (flags.includes("block"))
        into.blocks[name] = { required, ...this.block(f, field.type), source: field.source };
      else if (flags.includes("enum")) {
        const elem = this.block(f, field.type).type;
        if (elem !== null) into.enums = { ...into.enums, [name]: { type: elem, source: field.source } };
      }
    }
  }

  /** A block field's type: how often it may appear and the struct it reads. */
  block(f: GoFile, text: string, seen = new Set<string>()): Pick<CodeBlock, "repeat" | "type"> {
    const t = text.replace(/^\*/, "");
    const slice = /^\[\]\*?(.+)$/.exec(t);
    if (slice) return { repeat: "many", type: this.block(f, slice[1], seen).type };
    const array = /^\[(\d+)\]\*?(.+)$/.exec(t);
    if (array) return { repeat: Number(array[1]), type: this.block(f, array[2], seen).type };
    if (!/^[\w.]+(\[.*\])?$/.test(t)) return { repeat: "once", type: null };
    const q = this.pk.qualified(f, t.replace(/\[.*\]$/, ""));
    const found = q && this.pk.type(q.dir, q.name);
    // A named slice (`type Rules []*Rule`) repeats like the slice it names.
    if (q && found?.type.expr && /^\[/.test(found.type.expr) && !seen.has(`${q.dir}.${q.name}`))
      return this.block(found.file, found.type.expr, seen.add(`${q.dir}.${q.name}`));
    return { repeat: "once", type: this.struct(f, t) };
  }

  /** The attribute names of a struct (the exports of a component). */
  attributeNames(f: GoFile, name: string): string[] {
    const id = this.struct(f, name);
    return id === null ? [] : Object.keys(this.types[id].attributes);
  }
}

/** Stability constants to their flag values (internal/featuregate/featuregate.go stabilityToString). */
function stabilities(pk: Packages): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of pk.files("internal/featuregate"))
    for (const m of f.code.matchAll(/\b(Stability\w+):\s*"([\w-]+)"/g)) out.set(m[1], m[2]);
  if (out.size === 0)
    throw new Error("alloy: expected stabilityToString in internal/featuregate, found none");
  return out;
}

/** Every `component.Register(component.Registration{...})` in the packages the binary links. */
function components(pk: Packages, tr: TypeReader): Record<string, CodeComponent> {
  const levels = stabilities(pk);
  const out: Record<string, CodeComponent> = {};
  for (const dir of pk.reachable("."))
    for (const f of pk.files(dir))
      for (const m of f.code.matchAll(/component\.Register\(component\.Registration\{/g)) {
        const open = m.index + m[0].length - 1;
        const e = entries(f.code.slice(open, matchingBrace(f.code, open)));
        const name = pk.constant(f, e.get("Name") ?? "");
        if (!name) throw new Error(`alloy: ${f.rel}: a registration whose Name is no string constant`);
        const typeName = (k: string) => /^&?([\w.]+)\{\}$/.exec(e.get(k) ?? "")?.[1];
        const stability = /Stability(\w+)$/.exec(e.get("Stability") ?? "")?.[0];
        const args = typeName("Args");
        const exports = typeName("Exports");
        out[name] = {
          stability: (stability && levels.get(stability)) ?? "undefined",
          ...(e.get("Community") === "true" ? { community: true as const } : {}),
          args: args ? tr.struct(f, args) : null,
          exports: exports ? tr.attributeNames(f, exports) : [],
          source: `${f.rel}:${f.code.slice(0, m.index).split("\n").length}`,
        };
      }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

const VALIDATE = "internal/validator/validate.go";
const CMD_VALIDATE = "internal/alloycli/cmd_validate.go";

/**
 * The configuration blocks validate.go gives an Args type (`case <name>: node.args = &pkg.Type{}`,
 * foreach's `node.args = &foreach.Arguments{}`), those it forbids at the root, `declare`, and the
 * services cmd_validate.go passes it, each with its Definition's ConfigType.
 */
function configBlocks(
  pk: Packages,
  tr: TypeReader,
  levels: Map<string, string>,
): Record<string, CodeConfigBlock> {
  const [v] = pk.files("internal/validator").filter((f) => f.rel === VALIDATE);
  if (!v) throw new Error(`alloy: expected ${VALIDATE} in the checkout`);
  const line = (f: GoFile, at: number) => `${f.rel}:${f.code.slice(0, at).split("\n").length}`;
  const out: Record<string, CodeConfigBlock> = {};
  for (const m of v.code.matchAll(/case ([\w."]+):\s*\n\s*node\.args = &([\w.]+)\{\}/g)) {
    const name = pk.constant(v, m[1]);
    if (name) out[name] = { args: tr.struct(v, m[2]), source: line(v, m.index) };
  }
  const fe = /node\.args = &(foreach)\.Arguments\{\}/.exec(v.code);
  const fq = fe && pk.qualified(v, "foreach.BlockName");
  if (fe && fq) {
    const [file] = pk.files(fq.dir).filter((f) => f.consts.has("BlockName"));
    const level = /StabilityLevel\s*=\s*featuregate\.(Stability\w+)/.exec(file?.code ?? "")?.[1];
    out[pk.constant(v, "foreach.BlockName") ?? "foreach"] = {
      args: tr.struct(v, "foreach.Arguments"),
      source: line(v, fe.index),
      ...(level && levels.get(level) ? { stability: levels.get(level) } : {}),
      template: pk.constant(v, "foreach.TypeTemplate") ?? "template",
    };
  }
  for (const m of v.code.matchAll(/"(\w+) blocks only allowed inside a module"/g))
    if (out[m[1]]) out[m[1]].root = "forbidden";
  const declare = /GetBlockName\(\) == "declare"/.exec(v.code);
  if (declare) out.declare = { args: null, source: line(v, declare.index) };
  const [cmd] = pk.files("internal/alloycli").filter((f) => f.rel === CMD_VALIDATE);
  for (const m of cmd?.code.matchAll(/&(\w+)\.Service\{\}/g) ?? []) {
    const q = pk.qualified(cmd, `${m[1]}.ServiceName`);
    if (!q) continue;
    for (const f of pk.files(q.dir)) {
      const d = /Name:\s*ServiceName,\s*\n\s*ConfigType:\s*(nil|(\w+)\{\})/.exec(f.code);
      const name = pk.constant(cmd, `${m[1]}.ServiceName`);
      if (!d || !name) continue;
      out[name] = d[2]
        ? { args: tr.struct(f, d[2]), source: line(f, d.index) }
        : { args: null, configurable: false, source: line(f, d.index) };
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The standard library's names (syntax/internal/stdlib: `Identifiers`, each namespace's map, the
 * deprecated names the init adds) and the experimental ones (`ExperimentalIdentifiers`).
 */
function stdlib(pk: Packages): AlloyCode["stdlib"] {
  const files = pk.files("syntax/internal/stdlib");
  const mapVar = (name: string) => {
    for (const f of files) {
      const m = new RegExp(`^var ${name} = map\\[string\\]\\w+(?:\\{\\})?\\{`, "m").exec(f.code);
      if (!m) continue;
      const open = m.index + m[0].length - 1;
      const body = f.code.slice(open, matchingBrace(f.code, open));
      return [...body.matchAll(/^\s*"([\w.]+)":\s*(\w*)/gm)].map((k) => ({
        key: k[1],
        value: k[2],
        source: `${f.rel}:${f.code.slice(0, open + k.index).split("\n").length}`,
      }));
    }
    throw new Error(`alloy: expected var ${name} in syntax/internal/stdlib, found none`);
  };
  const functions: Record<string, string> = {};
  const objects: Record<string, Record<string, string>> = {};
  const deprecated = Object.fromEntries(mapVar("DeprecatedIdentifiers").map((k) => [k.key, k.source]));
  const varType = (name: string) =>
    files.map((f) => new RegExp(`^var ${name} = map\\[string\\](\\w+)`, "m").exec(f.code)?.[1]).find(Boolean);
  for (const k of mapVar("Identifiers")) {
    const inner = varType(k.value);
    if (inner === "interface") for (const n of mapVar(k.value)) functions[`${k.key}.${n.key}`] = n.source;
    else if (inner === "string")
      objects[k.key] = Object.fromEntries(mapVar(k.value).map((n) => [n.key, n.source]));
    else functions[k.key] = k.source;
  }
  Object.assign(functions, deprecated);
  const experimental = Object.fromEntries(mapVar("ExperimentalIdentifiers").map((k) => [k.key, k.source]));
  const sorted = (o: Record<string, string>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  return {
    functions: sorted(functions),
    objects,
    experimental: sorted(experimental),
    deprecated: sorted(deprecated),
  };
}

/** Reads the code facts of a checkout of grafana/alloy at a tag. */
export function alloyCode(checkout: string): AlloyCode {
  const build = imageBuild(checkout);
  const pk = new Packages(checkout, build);
  const tr = new TypeReader(pk);
  const comps = components(pk, tr);
  if (Object.keys(comps).length === 0)
    throw new Error("alloy: expected component.Register calls in the packages main.go links, found none");
  const blocks = configBlocks(pk, tr, stabilities(pk));
  return {
    build,
    components: comps,
    config_blocks: blocks,
    types: Object.fromEntries(Object.entries(tr.types).sort(([a], [b]) => a.localeCompare(b))),
    stdlib: stdlib(pk),
  };
}
