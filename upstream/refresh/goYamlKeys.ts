/**
 * The YAML keys a Go struct reads through gopkg.in/yaml.v2 (the library Loki's loader decodes its
 * file with, strictly), read from the Go sources of a checkout and its vendor tree: for the keys
 * Loki's reference leaves unexpanded but its loader still refuses unknown keys under (Prometheus's
 * `RemoteWriteConfig`, whose struct lives in vendor/). What is read, as yaml.v2 v2.4.0 decodes a
 * struct (yaml.go getStructInfo, decode.go):
 *
 * - a field's key is its `yaml:"name"` tag, else its name in lower case; `yaml:"-"` and unexported
 *   fields are no key; `,inline` reads the inner struct's keys at the same level;
 * - a type with an `UnmarshalYAML(unmarshal func(...) error)` method reads what that method hands
 *   `unmarshal`: the same struct through `type plain T` (Prometheus's pattern), or a string
 *   (`var s string; unmarshal(&s)`); a type with `UnmarshalText` reads a scalar;
 * - pointers read what they point to; slices and maps their elements.
 *
 * A struct whose one field is an inline map (`map[string]T` tagged `yaml:",inline"`) reads as that
 * map. Anything else (an inline map beside other fields; an embedded field without a tag; an interface;
 * a type outside the checkout, such as the standard library's `url.URL`; another UnmarshalYAML) is
 * `opaque`: its keys are not judged. The rows keep the layout of config-keys.tsv (`a.b[].c` for list
 * items, `a.b.*.c` for map values).
 */
import * as fs from "fs";
import * as nodePath from "path";
import { matchingBrace, readGoPackage, tagValue, type GoBuild, type GoFile, type GoType } from "./goSource";

export interface GoKeyRow {
  path: string;
  /** As the reference writes types: string, boolean, int, float, duration, list of strings, ... */
  type: string;
  kind: "leaf" | "block" | "list" | "map" | "opaque";
  goDuration?: "time.Duration" | "model.Duration";
  /** The struct declaring the key: `Name (file:line)`. */
  block: string;
}

/** Loki's image is built for linux; no file the reader needs carries another constraint. */
const BUILD: GoBuild = { goos: "linux", goarch: "amd64", tags: [] };

const BASIC: Record<string, string> = {
  string: "string",
  bool: "boolean",
  ...Object.fromEntries(
    ["int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64"].map((t) => [
      t,
      "int",
    ]),
  ),
  float32: "float",
  float64: "float",
};

/** A resolved named type: where it is declared and its declaration. */
interface Named {
  dir: string;
  file: GoFile;
  type: GoType;
}

/** Reads packages of one checkout lazily: the module's own under its root, the others under vendor/. */
export class GoYamlKeys {
  private cache = new Map<string, GoFile[]>();
  constructor(
    private checkout: string,
    /** The checkout's Go module path (`github.com/grafana/loki/v3`). */
    private module: string,
  ) {}

  private files(dir: string): GoFile[] {
    let files = this.cache.get(dir);
    if (!files) this.cache.set(dir, (files = readGoPackage(this.checkout, dir, BUILD)));
    return files;
  }

  /** The directory of an import path in the checkout. */
  dirOf(importPath: string): string {
    if (importPath === this.module) return ".";
    return importPath.startsWith(`${this.module}/`)
      ? importPath.slice(this.module.length + 1)
      : `vendor/${importPath}`;
  }

  private dirOfFile(f: GoFile): string {
    return f.rel.includes("/") ? f.rel.slice(0, f.rel.lastIndexOf("/")) : ".";
  }

  /** `T` or `pkg.T` as written in `f`, resolved; undefined outside the checkout. */
  private named(f: GoFile, text: string): (Named & { importPath?: string; name: string }) | undefined {
    const m = /^(?:(\w+)\.)?(\w+)$/.exec(text);
    if (!m) return undefined;
    const importPath = m[1] ? f.imports.get(m[1]) : undefined;
    if (m[1] && importPath === undefined) return undefined;
    const dir = importPath === undefined ? this.dirOfFile(f) : this.dirOf(importPath);
    for (const file of this.files(dir)) {
      const type = file.types.find((t) => t.name === m[2]);
      if (type) return { dir, file, type, importPath, name: m[2] };
    }
    return undefined;
  }

  /** The body of a method of the type in its package (`func (x *T) Name(`), or undefined. */
  private method(dir: string, type: string, name: string): string | undefined {
    const re = new RegExp(`^func\\s*\\(\\s*\\w*\\s*\\*?${type}\\s*\\)\\s*${name}\\(([^)]*)\\)[^{]*\\{`, "m");
    for (const f of this.files(dir)) {
      const m = re.exec(f.code);
      if (!m) continue;
      // yaml.v2 calls only UnmarshalYAML(unmarshal func(interface{}) error).
      if (name === "UnmarshalYAML" && !/\bfunc\s*\(/.test(m[1])) continue;
      const open = m.index + m[0].length - 1;
      return f.code.slice(open, matchingBrace(f.code, open));
    }
    return undefined;
  }

  /**
   * The rows of the keys a field of Go type `text` (written in `f`) reads at `path`; one opaque row
   * when its keys cannot be read.
   */
  rows(f: GoFile, text: string, path: string, block: string, seen: Set<string> = new Set()): GoKeyRow[] {
    const opaque: GoKeyRow[] = [{ path, type: text, kind: "opaque", block }];
    const t = text.trim().replace(/^\*/, "");
    if (t.includes("{")) return opaque; // interface{}, an anonymous struct
    if (BASIC[t]) return [{ path, type: BASIC[t], kind: "leaf", block }];
    const slice = /^\[\](.+)$/.exec(t);
    if (slice) {
      const item = this.rows(f, slice[1], `${path}[]`, block, seen);
      if (item.length === 1 && item[0].kind === "leaf" && item[0].type === "string")
        return [{ path, type: "list of strings", kind: "leaf", block }];
      if (item.length === 1) return opaque; // a list of leaves of another type, or of unread items
      // The item's own row is the block itself: the list row stands for it.
      return [
        { path, type: `list of ${slice[1].replace(/^\*/, "")}`, kind: "list", block },
        ...item.slice(1),
      ];
    }
    const map = /^map\[string\](.+)$/.exec(t);
    if (map) {
      const value = this.rows(f, map[1], `${path}.*`, block, seen);
      if (value.length === 1 && value[0].kind === "leaf" && value[0].type === "string")
        return [{ path, type: "map of string to string", kind: "leaf", block }];
      if (value.length === 1) return opaque;
      return [{ path, type: `map of string to ${map[1]}`, kind: "map", block }, ...value.slice(1)];
    }
    const n = this.named(f, t);
    if (!n) {
      // time.Duration is the standard library's: the one type outside the checkout that is read.
      if (t === "time.Duration" && f.imports.get("time") === "time")
        return [{ path, type: "duration", kind: "leaf", goDuration: "time.Duration", block }];
      return opaque;
    }
    if (n.importPath === "github.com/prometheus/common/model" && n.name === "Duration")
      return [{ path, type: "duration", kind: "leaf", goDuration: "model.Duration", block }];
    const id = `${n.dir}.${n.name}`;
    if (seen.has(id)) return opaque;
    const inner = new Set(seen).add(id);
    const custom = this.method(n.dir, n.name, "UnmarshalYAML");
    if (custom !== undefined) {
      const plain = new RegExp(`type\\s+plain\\s+${n.name}\\b`).test(custom) && /\(\*plain\)\(/.test(custom);
      const str = /var\s+(\w+)\s+string\b/.exec(custom);
      if (!plain)
        return str && new RegExp(`unmarshal\\(&${str[1]}\\)`).test(custom)
          ? [{ path, type: "string", kind: "leaf", block }]
          : opaque;
    } else if (this.method(n.dir, n.name, "UnmarshalText") !== undefined)
      return [{ path, type: "string", kind: "leaf", block }];
    if (n.type.expr !== undefined) {
      // A defined type reads as its underlying type (`type Secret string`); an alias likewise.
      return this.rows(n.file, n.type.expr.replace(/^=\s*/, ""), path, block, inner);
    }
    // A struct whose one field is an inline map reads as that map: yaml.v2 puts every key into it
    // (getStructInfo's InlineMap), each value decoded as the map's value type (Prometheus's
    // `Headers`, `map[string]Header` inline).
    const [only, ...more] = [...(n.type.fields ?? []), ...(n.type.skipped ?? [])];
    const inlineMap =
      only !== undefined &&
      more.length === 0 &&
      yamlTag(only.tag).slice(1).includes("inline") &&
      /^map\[string\]/.test(only.type.trim());
    if (inlineMap) return this.rows(n.file, only.type, path, block, inner);
    const keys = this.structRows(n, `${path}.`, inner);
    return keys ? [{ path, type: "block", kind: "block", block }, ...keys] : opaque;
  }

  /**
   * The rows of a struct's keys under `at` (`a.b.`), or undefined when some key cannot be told:
   * its fields as the one reader of Go declarations gives them (goSource.ts), the tagged ones and
   * those it reports skipped, in their order in the body.
   */
  structRows(n: Named, at: string, seen: Set<string>): GoKeyRow[] | undefined {
    const block = `${n.type.name} (${n.type.source})`;
    const lineOf = (source: string) => Number(source.slice(source.lastIndexOf(":") + 1));
    const declared = [
      ...(n.type.fields ?? []).map((x) => ({ ...x, embedded: false })),
      ...(n.type.skipped ?? []).map((x) => ({ ...x, embedded: x.reason === "embedded" })),
    ].sort((a, b) => lineOf(a.source) - lineOf(b.source));
    const out: GoKeyRow[] = [];
    for (const field of declared) {
      const type = field.type.trim();
      // A struct type spelled out over lines: its keys are not read here. One on a line, or an
      // `interface{}` inside a type, is an opaque row (rows).
      if (/^\*?struct\s*\{[^}]*\n/.test(type)) return undefined;
      const [key, ...flags] = yamlTag(field.tag);
      if (key === "-") continue;
      if (flags.includes("inline")) {
        const inner = this.named(n.file, type.replace(/^\*/, ""));
        if (!inner || inner.type.expr !== undefined) return undefined; // an inline map takes any key
        const rows = this.structRows(inner, at, seen);
        if (!rows) return undefined;
        out.push(...rows);
        continue;
      }
      if (field.embedded) return undefined; // embedded without inline: a key named after the type
      if (!/^[A-Z]/.test(field.name)) continue; // unexported: yaml.v2 skips it
      out.push(...this.rows(n.file, type, `${at}${key || field.name.toLowerCase()}`, block, seen));
    }
    return out;
  }

  /**
   * The one field of the checkout's own packages (under `roots`) whose yaml key is `key` and whose
   * type names `typeName`: the file it is declared in and its type text.
   */
  declaration(roots: string[], key: string, typeName: string): { file: GoFile; type: string } | undefined {
    const found: { file: GoFile; type: string }[] = [];
    const walk = (dir: string) => {
      for (const f of this.files(dir))
        for (const t of f.types)
          for (const field of t.fields ?? [])
            if (
              new RegExp(`(?:^|\\s)yaml:"${key}[",]`).test(field.tag) &&
              new RegExp(`(^|[.*\\]])${typeName}$`).test(field.type)
            )
              found.push({ file: f, type: field.type });
      for (const sub of subdirs(this.checkout, dir)) walk(sub);
    };
    for (const r of roots) walk(r);
    return found.length === 1 ? found[0] : undefined;
  }
}

/** A field's `yaml:"key,flag,..."` tag split at its commas (`[""]` without one). */
const yamlTag = (tag: string): string[] => tagValue(tag, "yaml") ?? [""];

function subdirs(checkout: string, dir: string): string[] {
  const abs = nodePath.join(checkout, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `${dir}/${e.name}`)
    .sort();
}
