/**
 * Rebuilds upstream/alloy/data/alloy-<major.minor>/components.json from a checkout of grafana/alloy
 * at a release tag: each component's (and config block's) arguments, blocks and exports as the
 * Markdown reference under `docs/sources/reference/` states them, with every
 * `{{< docs/shared lookup="..." >}}` fragment of `docs/sources/shared/` expanded, and the standard
 * library's names. Facts only: the docs' descriptions are not kept. The folder's README states
 * the shape and how each table is read.
 */
import * as fs from "fs";
import * as path from "path";
import { alloyCode } from "./alloyCode";
import type { Refreshed, Source } from "./source";

const DOCS = "docs/sources";
const COMPONENTS = `${DOCS}/reference/components`;
const CONFIG_BLOCKS = `${DOCS}/reference/config-blocks`;
const STDLIB = `${DOCS}/reference/stdlib`;

/** One line of a doc after the shared fragments are expanded, with where it was written. */
interface Line {
  text: string;
  source: string;
  included_from?: string;
}

interface Argument {
  name: string;
  type: string;
  default: string | null;
  required: boolean | null;
  source: string;
  included_from?: string;
}

interface BlockEntry {
  path: string[];
  name: string;
  required: boolean | null;
  required_text?: string;
  source: string;
  section?: string;
  section_source?: string;
  arguments?: Argument[];
  arguments_unknown?: boolean;
  no_arguments_table?: boolean;
  listed_in_section_of?: string;
  accepts_top_level_blocks?: { prefix: string; source: string };
}

interface ComponentEntry {
  doc: string;
  stage?: string;
  community?: boolean;
  arguments: Argument[];
  blocks: Record<string, BlockEntry>;
  exports: { name: string; type: string; source: string; included_from?: string }[];
}

function read(checkout: string, rel: string): string {
  return fs.readFileSync(path.join(checkout, rel), "utf8");
}

/** A doc's lines with its front matter blanked (line numbers kept) and shared fragments expanded. */
function expand(checkout: string, rel: string, from?: string): Line[] {
  const out: Line[] = [];
  const lines = read(checkout, rel).split("\n");
  let front = lines[0] === "---";
  lines.forEach((text, i) => {
    const source = `${rel}:${i + 1}`;
    if (front) {
      if (i > 0 && text === "---") front = false;
      return;
    }
    const m = /\{\{< docs\/shared lookup="([^"]+)".*?>\}\}/.exec(text);
    if (m) {
      const fragment = `${DOCS}/shared/${m[1]}`;
      if (fs.existsSync(path.join(checkout, fragment))) {
        out.push(...expand(checkout, fragment, from ?? source));
        return;
      }
    }
    out.push({ text, source, ...(from ? { included_from: from } : {}) });
  });
  return out;
}

/** The front matter's `labels.stage` and whether a `labels.tags` entry says Community. */
function frontMatter(text: string): { stage?: string; community: boolean; title?: string } {
  const fm = /^---\n([\s\S]*?)\n---/.exec(text)?.[1] ?? "";
  return {
    stage: /^\s+stage:\s*(\S+)/m.exec(fm)?.[1],
    community: /^\s+- text: Community\s*$/m.test(fm),
    title: /^title:\s*(.+)$/m.exec(fm)?.[1].trim(),
  };
}

const cells = (row: string) =>
  row
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));
/** Code spans unwrapped: `` `"1MiB"` `` -> `"1MiB"`, `` `0` (no limit) `` -> `0 (no limit)`. */
const unquote = (c: string) =>
  c
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, "$1")
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`([^`]*)`/g, "$1");
const yesNo = (c: string): boolean | null => (/^yes$/i.test(c) ? true : /^no$/i.test(c) ? false : null);

/** The tables in lines [from, to): header cells and rows with their lines. */
function tables(
  lines: Line[],
  from: number,
  to: number,
): { header: string[]; rows: { cells: string[]; line: Line }[] }[] {
  const out: { header: string[]; rows: { cells: string[]; line: Line }[] }[] = [];
  for (let i = from; i < to; i++) {
    if (!lines[i].text.trim().startsWith("|") || !/^\s*\|[\s:|-]+\|\s*$/.test(lines[i + 1]?.text ?? ""))
      continue;
    const t = { header: cells(lines[i].text), rows: [] as { cells: string[]; line: Line }[] };
    i += 2;
    while (i < to && lines[i].text.trim().startsWith("|"))
      t.rows.push({ cells: cells(lines[i].text), line: lines[i++] });
    out.push(t);
  }
  return out;
}

/** Headings: level, text and index. */
function headings(lines: Line[]): { level: number; text: string; at: number }[] {
  const out: { level: number; text: string; at: number }[] = [];
  let fence = false;
  lines.forEach((l, at) => {
    if (/^\s*```/.test(l.text)) fence = !fence;
    const m = !fence && /^(#{1,6}) (.*)$/.exec(l.text);
    if (m) out.push({ level: m[1].length, text: m[2].trim(), at });
  });
  return out;
}

/** Hugo's anchor of a heading: lower case, punctuation but `-` and `_` dropped, spaces to `-`. */
const anchor = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .trim()
    .replace(/ /g, "-");

const isArgsHeader = (h: string[]) =>
  /^(name|attribute)$/i.test(h[0]) && /^type$/i.test(h[1] ?? "") && h.some((c) => /^required$/i.test(c));
/** A blocks table: `Block | Description | Required` (some docs say Name for Block). */
const isBlocksHeader = (h: string[]) =>
  /^(block|name)$/i.test(h[0]) && !h.some((c) => /^type$/i.test(c)) && h.some((c) => /^required$/i.test(c));

function argumentsOf(t: ReturnType<typeof tables>[number]): Argument[] {
  const col = (n: string) => t.header.findIndex((h) => h.toLowerCase() === n);
  const [type, def, req] = ["type", "default", "required"].map(col);
  const name = 0; // Name, or Attribute in a few otelcol docs
  return t.rows.map((r) => {
    // An empty code span is the empty string; emphasis (`__see below__`) is dropped.
    const raw = def >= 0 ? (r.cells[def] ?? "") : "";
    const d = unquote(raw).replace(/^__(.*)__$/, "$1");
    return {
      name: unquote(r.cells[name] ?? ""),
      type: unquote(r.cells[type] ?? ""),
      default: d === "" && raw === "" ? null : d,
      required: req >= 0 ? yesNo(r.cells[req] ?? "") : null,
      source: r.line.source,
      ...(r.line.included_from ? { included_from: r.line.included_from } : {}),
    };
  });
}

function component(checkout: string, rel: string): ComponentEntry {
  const fm = frontMatter(read(checkout, rel));
  const lines = expand(checkout, rel);
  const hs = headings(lines);
  const sectionEnd = (i: number) =>
    hs.find((h) => h.at > hs[i].at && h.level <= hs[i].level)?.at ?? lines.length;
  /** The lines up to the next heading of any level (nested sections excluded). */
  const ownEnd = (i: number) => hs.find((h) => h.at > hs[i].at)?.at ?? lines.length;
  const top = (title: RegExp) => hs.findIndex((h) => h.level === 2 && title.test(h.text));
  const refs = new Map<string, string>();
  for (const l of lines) {
    const m = /^\[([^\]]+)\]:\s*(#\S+)\s*$/.exec(l.text);
    if (m && !refs.has(m[1].toLowerCase())) refs.set(m[1].toLowerCase(), m[2]);
  }
  const entry: ComponentEntry = {
    doc: rel,
    ...(fm.stage ? { stage: fm.stage } : {}),
    ...(fm.community ? { community: true } : {}),
    arguments: [],
    blocks: {},
    exports: [],
  };
  const args = top(/^Arguments$/);
  if (args >= 0)
    for (const t of tables(lines, hs[args].at, ownEnd(args)))
      if (isArgsHeader(t.header)) entry.arguments.push(...argumentsOf(t));
  const exp = top(/^Export(ed field)?s$/);
  if (exp >= 0)
    for (const t of tables(lines, hs[exp].at, sectionEnd(exp)))
      if (/^name$/i.test(t.header[0]) && /^type$/i.test(t.header[1] ?? ""))
        entry.exports.push(
          ...t.rows.map((r) => ({
            name: unquote(r.cells[0]),
            type: unquote(r.cells[1] ?? ""),
            source: r.line.source,
            ...(r.line.included_from ? { included_from: r.line.included_from } : {}),
          })),
        );
  const blocks = top(/^Blocks$/);
  // The Blocks section's table, then any blocks table inside a block's own section (loki.process
  // `stage.metrics` lists `metric.counter`; resourcedetection's `system > resource_attributes`
  // lists each attribute relative to its section).
  const blockTables: { t: ReturnType<typeof tables>[number]; inSection?: string[] }[] = [];
  if (blocks >= 0) blockTables.push(...tables(lines, hs[blocks].at, ownEnd(blocks)).map((t) => ({ t })));
  const found: { block: BlockEntry; key: string; target: number }[] = [];
  const scanned = new Set<number>();
  for (let k = 0; k < blockTables.length; k++) {
    const { t, inSection } = blockTables[k];
    if (!isBlocksHeader(t.header)) continue;
    for (const r of t.rows) {
      if (!r.cells[0] || /\[``\]|`\s*`/.test(r.cells[0])) continue; // an empty name is a doc slip
      const segments = r.cells[0].split(/\s*>\s*/);
      let names = segments.map(
        (s) => /`([^`]+)`/.exec(s)?.[1] ?? (/^\[([^\]]+)\]/.exec(s)?.[1] ?? s).replace(/[[\]`]/g, ""),
      );
      if (inSection && names[0] !== inSection[0]) names = [...inSection, ...names];
      const last = segments[segments.length - 1];
      const link = /\]\[([^\]]+)\]/.exec(last)?.[1];
      const inline = /\]\((#[^)]+)\)/.exec(last)?.[1];
      const section = inline ?? (link ? refs.get(link.toLowerCase()) : undefined);
      const reqCell = r.cells[t.header.findIndex((h) => /^required$/i.test(h))] ?? "";
      const required = yesNo(reqCell);
      const block: BlockEntry = {
        path: names,
        name: names[names.length - 1],
        required,
        ...(required === null ? { required_text: reqCell } : {}),
        source: r.line.source,
        ...(section ? { section } : {}),
        ...(inSection ? { listed_in_section_of: inSection.join(" > ") } : {}),
      };
      const byHeading = (h: { level: number; text: string }) =>
        h.level >= 3 &&
        // loki.process writes `### structured_metadata_drop` for the block `stage.structured_metadata_drop`.
        [block.name, names.join(" > "), block.name.replace(/^stage\./, "")].includes(
          unquote(h.text).replace(/\s*>\s*/g, " > "),
        );
      let target = section ? hs.findIndex((h) => anchor(h.text) === section.slice(1)) : -1;
      // A row without a link: the section whose heading names the block; a broken link finds none.
      if (target < 0 && !section) target = hs.findIndex(byHeading);
      found.push({ block, key: names.join(" > "), target });
      // The block's own section may list the blocks inside it, relative to its path.
      if (target >= 0 && !scanned.has(target)) {
        scanned.add(target);
        blockTables.push(
          ...tables(lines, hs[target].at, ownEnd(target)).map((x) => ({ t: x, inSection: names })),
        );
      }
    }
  }
  // A block's arguments: the tables of its section, less the sections of other blocks inside it.
  const targets = new Set(found.map((f) => f.target).filter((t) => t >= 0));
  for (const { block, key, target } of found) {
    if (target < 0) block.arguments_unknown = true;
    else {
      block.section_source = lines[hs[target].at].source;
      const ts: ReturnType<typeof tables> = [];
      let from = hs[target].at;
      const end = sectionEnd(target);
      for (let i = target + 1; i < hs.length && hs[i].at < end; i++) {
        if (!targets.has(i)) continue;
        ts.push(...tables(lines, from, hs[i].at));
        from = sectionEnd(i);
      }
      if (from < end) ts.push(...tables(lines, from, end));
      const own = ts.filter((x) => isArgsHeader(x.header));
      // "It supports all the same `stage.NAME` blocks as the in the top level" (loki.process stage.match).
      for (let i = hs[target].at; i < end; i++) {
        const m = /supports all the same `(\w+\.)NAME` blocks as .*top level/.exec(lines[i].text);
        if (m) block.accepts_top_level_blocks = { prefix: m[1], source: lines[i].source };
      }
      block.arguments = own.flatMap(argumentsOf);
      if (own.length === 0) block.no_arguments_table = true;
    }
    if (!(key in entry.blocks)) entry.blocks[key] = block;
  }
  return entry;
}

function docsUnder(checkout: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs
      .readdirSync(path.join(checkout, rel), { withFileTypes: true })
      .sort((a, b) => a.name.localeCompare(b.name))) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".md") && e.name !== "_index.md") out.push(p);
    }
  };
  walk(dir);
  return out;
}

function stdlib(checkout: string): {
  functions: Record<string, string>;
  objects: Record<string, Record<string, string>>;
} {
  const functions: Record<string, string> = {};
  const objects: Record<string, Record<string, string>> = {};
  for (const rel of docsUnder(checkout, STDLIB)) {
    const ns = path.basename(rel, ".md");
    const lines = expand(checkout, rel);
    if (ns === "constants") {
      // `* `constants.hostname`: ...`
      objects.constants = {};
      for (const l of lines) {
        const m = /^\* `constants\.(\w+)`/.exec(l.text);
        if (m) objects.constants[m[1]] = l.source;
      }
      continue;
    }
    // `## array.concat` (or `## nonsensitive` under `# convert`); a file without one is one function.
    const hs = headings(lines);
    const fns = hs.filter((h) => h.level === 2 && !/^examples?$/i.test(h.text));
    for (const h of fns) {
      const name = unquote(h.text);
      functions[name.startsWith(`${ns}.`) ? name : `${ns}.${name}`] = lines[h.at].source;
    }
    if (fns.length === 0)
      for (const h of hs.filter((x) => x.level === 1)) functions[unquote(h.text)] = lines[h.at].source;
  }
  return { functions: Object.fromEntries(Object.entries(functions).sort()), objects };
}

export function refreshAlloy(checkout: string, source: Source): Refreshed {
  const m = /^v(\d+)\.(\d+)\.\d+$/.exec(source.tag);
  if (!m) throw new Error(`alloy: expected a release tag like "v1.12.0", got "${source.tag}"`);
  if (!fs.existsSync(path.join(checkout, COMPONENTS)))
    throw new Error(
      `alloy: expected ${COMPONENTS} in the checkout of grafana/alloy, found nothing at ${path.join(checkout, COMPONENTS)}`,
    );
  const byName = (files: string[]) =>
    Object.fromEntries(
      files
        .map(
          (rel) =>
            [
              frontMatter(read(checkout, rel)).title ?? path.basename(rel, ".md"),
              component(checkout, rel),
            ] as const,
        )
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  const data = {
    schema_version: 1,
    source: {
      repository: "https://github.com/grafana/alloy",
      tag: source.tag,
      ...(source.commit ? { commit: source.commit } : {}),
      paths: [`${COMPONENTS}/**/*.md`, `${CONFIG_BLOCKS}/*.md`, `${STDLIB}/*.md`, `${DOCS}/shared/**`],
      license: "Apache-2.0 (documentation text of grafana/alloy)",
      generator: "upstream/refresh/alloy.ts",
    },
    components: byName(docsUnder(checkout, COMPONENTS)),
    config_blocks: byName(docsUnder(checkout, CONFIG_BLOCKS)),
    stdlib: stdlib(checkout),
  };
  const code = {
    schema_version: 1,
    source: {
      repository: "https://github.com/grafana/alloy",
      tag: source.tag,
      ...(source.commit ? { commit: source.commit } : {}),
      paths: ["main.go and the Go packages it links", "Dockerfile (GO_TAGS)"],
      license: "Apache-2.0 (source code of grafana/alloy)",
      generator: "upstream/refresh/alloyCode.ts",
    },
    ...alloyCode(checkout),
  };
  return {
    area: "alloy",
    folder: `alloy-${m[1]}.${m[2]}`,
    files: {
      "components.json": `${JSON.stringify(data, null, 1)}\n`,
      "registry.json": `${JSON.stringify(code, null, 1)}\n`,
    },
  };
}
