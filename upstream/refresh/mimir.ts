/**
 * Rebuilds upstream/engines/data/mimir-<major.minor>/config-fields.tsv from a checkout of
 * grafana/mimir at a release tag: every field of `cmd/mimir/config-descriptor.json` (Mimir's own
 * description of its config, generated from the Go structs by `tools/doc-generator`) and every flag
 * `cmd/mimir/help-all.txt.tmpl` (the `-help-all` output) lists that no field carries.
 */
import * as fs from "fs";
import * as path from "path";
import type { Refreshed, Source } from "./source";

/** One entry of the descriptor (`tools/doc-generator/parse` in grafana/mimir). */
interface Entry {
  kind: "block" | "field" | "map" | "slice";
  name: string;
  blockEntries?: Entry[] | null;
  fieldFlag?: string;
  fieldType?: string;
  fieldDefaultValue?: unknown;
  fieldCategory?: string;
  fieldElement?: Entry;
}

const DESCRIPTOR = "cmd/mimir/config-descriptor.json";
const HELP_ALL = "cmd/mimir/help-all.txt.tmpl";
export const MIMIR_COLUMNS = [
  "yaml_path",
  "flag",
  "type",
  "default",
  "category",
  "kind",
  "mimir_VERSION",
  "source",
];

/** The folder a Mimir tag's data goes to: `mimir-3.0.0` -> `mimir-3.0`. */
export function mimirFolder(tag: string): string {
  const m = /^mimir-(\d+)\.(\d+)\.\d+$/.exec(tag);
  if (!m) throw new Error(`mimir: expected a release tag like "mimir-3.0.0", got "${tag}"`);
  return `mimir-${m[1]}.${m[2]}`;
}

function read(checkout: string, file: string): string {
  const p = path.join(checkout, file);
  if (!fs.existsSync(p))
    throw new Error(`mimir: expected ${file} in the checkout of grafana/mimir, found nothing at ${p}`);
  return fs.readFileSync(p, "utf8");
}

/**
 * Finds each entry's `"name"` line in the descriptor, in document order (the walk's order), and
 * the default as the file writes it: JSON.parse would round 2^63-1 (a duration's "no limit") and
 * undo the file's escapes, so a one-line default is kept verbatim.
 */
function lineFinder(text: string): {
  lineOf: (name: string) => number;
  rawDefault: (parsed: unknown) => string;
} {
  const lines = text.split("\n");
  let at = 0;
  return {
    lineOf: (name) => {
      const want = `"name": ${JSON.stringify(name)}`;
      while (at < lines.length && !lines[at].includes(want)) at++;
      if (at === lines.length)
        throw new Error(`mimir: ${DESCRIPTOR}: no line names "${name}" after the previous entry`);
      return ++at;
    },
    rawDefault: (parsed) => {
      // The entry's own keys follow its name line, before any nested entry's name.
      for (let i = at; i < lines.length && !lines[i].includes('"name": '); i++) {
        const m = /^\s*"fieldDefaultValue": (.*?),?$/.exec(lines[i]);
        if (m && !/^[[{]$/.test(m[1])) return m[1];
      }
      return JSON.stringify(parsed ?? null);
    },
  };
}

export function refreshMimir(checkout: string, source: Source): Refreshed {
  const folder = mimirFolder(source.tag);
  const version = source.tag.replace(/^mimir-/, "");
  const text = read(checkout, DESCRIPTOR);
  const root = JSON.parse(text) as Entry;
  const { lineOf, rawDefault } = lineFinder(text);
  const rows: string[][] = [];
  const flags = new Set<string>();
  const row = (p: string, e: Entry, type: string, kind: string, line: number) => {
    const isBlock = kind === "block";
    if (e.fieldFlag) flags.add(e.fieldFlag);
    rows.push([
      p,
      e.fieldFlag ?? "",
      type,
      isBlock ? "" : rawDefault(e.fieldDefaultValue),
      isBlock ? "" : (e.fieldCategory ?? "basic"),
      kind,
      "present",
      `${DESCRIPTOR}:${line}`,
    ]);
  };
  const walk = (entries: Entry[] | null | undefined, prefix: string) => {
    for (const e of entries ?? []) {
      const p = `${prefix}${e.name}`;
      const line = lineOf(e.name);
      if (e.kind === "block" && !e.blockEntries) {
        // A field whose type the descriptor does not expand: at 3.0 only flagext.Secret (a string in
        // YAML), ruler.alertmanager_client's basic_auth_password and oauth2.client_secret.
        row(p, e, "secret", "field", line);
      } else if (e.kind === "block") {
        row(p, e, "block", "block", line);
        walk(e.blockEntries, `${p}.`);
      } else if (e.kind === "map") {
        row(p, e, "map of string to block", "field", line);
        if (e.fieldElement) {
          lineOf(e.fieldElement.name);
          walk(e.fieldElement.blockEntries, `${p}.*.`);
        }
      } else {
        row(p, e, e.fieldType ?? "", "field", line);
        if (e.fieldElement) {
          lineOf(e.fieldElement.name);
          walk(e.fieldElement.blockEntries, `${p}[].`);
        }
      }
    }
  };
  walk(root.blockEntries, "");

  // Flags no field carries (main.go's own, the loader's): `  -name [type]`, then the help line.
  const help = read(checkout, HELP_ALL).split("\n");
  help.forEach((l, i) => {
    const m = /^ {2}-([\w.-]+)(?: (\S+))?$/.exec(l);
    if (!m || flags.has(m[1])) return;
    const text = help[i + 1] ?? "";
    const category = /^\s*\[(experimental|deprecated|advanced)\]/.exec(text)?.[1] ?? "basic";
    const def = /\(default (.*)\)\s*$/.exec(text)?.[1] ?? "";
    const type = m[2] === undefined ? "boolean" : m[2] === "value" ? "string" : m[2];
    rows.push(["", m[1], type, def, category, "flag-only", "present", `${HELP_ALL}:${i + 1}`]);
  });

  const header = MIMIR_COLUMNS.map((c) => c.replace("VERSION", version.replace(/\./g, "_")));
  const tsv = [
    `# source: grafana/mimir ${source.tag}${source.commit ? ` (${source.commit})` : ""}:${DESCRIPTOR}, ${HELP_ALL}`,
    header.join("\t"),
    ...rows.map((r) => r.join("\t")),
    "",
  ].join("\n");
  return { area: "engines", folder, files: { "config-fields.tsv": tsv } };
}
