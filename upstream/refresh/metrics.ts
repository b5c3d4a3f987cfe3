/**
 * `npm run refresh-metrics -- [<sources-root>] [--check] [--out FILE]`: rebuilds
 * upstream/metrics/data/emitted-generated.tsv, the metric names the stack's components emit, from
 * each component's own source at the tag upstream/metrics/data/emitted-sources.tsv names.
 *
 * The table says, per source, the repository, the tag, the Go modules that hold it, the files to
 * read, how to read them (the extractor) and when the names exist (`present_when`); this file
 * holds only the readers, so a version bump is: change the tag in the table, run this, review the
 * data's diff.
 *
 * A source is read from its Go modules (the module proxy's zips, held to go.sum's hash:
 * goModule.ts), or from `<sources-root>` where it holds the repository as `fetch` brings it
 * (`<owner>+<name>/repo`, a bare git directory: files are read at the tag with `git show`, which
 * is a fresh checkout of the tag's tree) or as a plain directory `<owner>+<name>@<tag>/` (a `git
 * archive` extracted). `--check` regenerates and compares with the committed file (CI).
 *
 * Readers:
 * - `k8s-doclist`: Kubernetes' generated metrics list (test/instrumentation/documentation/
 *   documentation-list.yaml): namespace_subsystem_name, type, labels, deprecatedVersion.
 * - `md-table`: Markdown tables whose first column is a metric name (kube-state-metrics'
 *   docs/metrics, cAdvisor's docs/storage/prometheus.md): the type and labels columns by header.
 * - `exposition`: Prometheus text exposition (`# TYPE` lines and the label names of samples), e.g.
 *   node_exporter's end-to-end fixtures.
 * - `go-opts`: client_golang registrations: `*Opts{Namespace, Subsystem, Name}` and
 *   `NewDesc(BuildFQName(...))` / `NewDesc("name", ...)`, string literals or constants of the same
 *   file (or the table's `consts`), the label list that follows.
 * - `go-literal`: metric names written as Go string literals with their labels
 *   (`"vm_rows{type=\"storage/big\"}"`, VictoriaMetrics' metrics package), kept by prefix.
 * - `rust-names`: Vector's canonical list of its internal metric names
 *   (lib/vector-common/src/internal_event/metric_name.rs: `impl CounterName|GaugeName|HistogramName`,
 *   `Self::Variant => "name"`), each with the namespace the table's `consts` gives (`namespace=vector`,
 *   the internal_metrics source's default).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { sharedColumns, type TableRow } from "../metrics/emitted";
import { projectRoot } from "../reference";
import { ensureModule, type Fetched, type GoModule, moduleFiles, parseGoModules } from "./goModule";
import { closingLine, parseRefreshArgs } from "./args";
import type { RefreshIo } from "./source";

export const METRIC_COLUMNS = [
  "metric",
  "type",
  "emitter",
  "version_read",
  "source",
  "labels",
  "present_when",
  "notes",
  "replaced_by",
] as const;

/** One row of upstream/metrics/data/emitted-sources.tsv. */
export interface MetricSource {
  emitter: string;
  repository: string;
  /** The release tag the rows name (`version_read`). */
  tag: string;
  /** The Go modules that hold the tag's files (module@version h1:sum [mount/]); empty: a checkout only. */
  goModules: GoModule[];
  extractor: "k8s-doclist" | "md-table" | "exposition" | "go-opts" | "go-literal" | "rust-names";
  /** Path prefixes (a file, or a folder ending in `/`) read at the tag; `!` excludes. */
  paths: string[];
  /**
   * `key` or `key;<path prefix>=key;metric:<name>=key...`: the default, the key for names read under a
   * path prefix, and the key of one name that exists only under a condition.
   */
  presentWhen: { fallback: string; byPath: [string, string][] };
  /** Only names starting with one of these are kept (empty: all). */
  prefixes: string[];
  /** `name=value` constants the Go readers resolve where the file does not define them. */
  consts: Record<string, string>;
  notes: string;
}

/** One generated row (upstream/metrics/emitted.ts reads the same columns). */
export type MetricRow = TableRow;

export const SOURCES_HEADER =
  "emitter\trepository\ttag\tgo_module\textractor\tpaths\tpresent_when\tprefixes\tconsts\tnotes";

/** Parses the sources table; an error names the file, the line and what it expected. */
export function parseSources(text: string, file: string): MetricSource[] {
  const out: MetricSource[] = [];
  const header = SOURCES_HEADER;
  let seenHeader = false;
  text.split("\n").forEach((line, i) => {
    if (!line || line.startsWith("#")) return;
    if (!seenHeader) {
      if (line !== header)
        throw new Error(`${file}:${i + 1}: expected the header "${header}", found "${line}"`);
      seenHeader = true;
      return;
    }
    const c = line.split("\t");
    if (c.length !== 10)
      throw new Error(`${file}:${i + 1}: expected 10 tab-separated columns, found ${c.length}`);
    const [emitter, repository, tag, goModule, extractor, paths, present, prefixes, consts, notes] = c;
    if (!["k8s-doclist", "md-table", "exposition", "go-opts", "go-literal", "rust-names"].includes(extractor))
      throw new Error(
        `${file}:${i + 1}: extractor: expected k8s-doclist, md-table, exposition, go-opts, go-literal or rust-names, found "${extractor}"`,
      );
    if (!/^[\w.-]+\/[\w.-]+$/.test(repository))
      throw new Error(`${file}:${i + 1}: repository: expected owner/name, found "${repository}"`);
    const [fallback, ...rest] = present.split(";");
    out.push({
      emitter,
      repository,
      tag,
      goModules: parseGoModules(goModule, `${file}:${i + 1}`),
      extractor: extractor as MetricSource["extractor"],
      paths: paths.split(",").filter(Boolean),
      presentWhen: {
        fallback,
        byPath: rest.map((r) => {
          const eq = r.lastIndexOf("=");
          if (eq < 1) throw new Error(`${file}:${i + 1}: present_when: expected <path>=<key>, found "${r}"`);
          return [r.slice(0, eq), r.slice(eq + 1)];
        }),
      },
      prefixes: prefixes.split(",").filter(Boolean),
      consts: Object.fromEntries(
        consts
          .split(",")
          .filter(Boolean)
          .map((kv) => kv.split("=") as [string, string]),
      ),
      notes,
    });
  });
  return out;
}

/** Reads files of one repository at one tag. */
interface Tree {
  files(prefixes: string[]): string[];
  /** The files' texts; a file the copy lacks (a partial mirror) is left out. */
  readAll(files: string[]): Map<string, string>;
}

const wanted = (prefixes: string[], f: string) =>
  prefixes.some((p) => !p.startsWith("!") && (f === p || (p.endsWith("/") && f.startsWith(p)))) &&
  !prefixes.some((p) => p.startsWith("!") && f.startsWith(p.slice(1)));

/** The files of the source's Go modules, from the cache (the zips ensureModule put there). */
export function moduleTree(mods: GoModule[]): Tree {
  const files = moduleFiles(mods);
  return {
    files: (prefixes) => [...files.keys()].filter((f) => wanted(prefixes, f)).sort(),
    readAll: (list) => new Map(list.map((f) => [f, files.get(f)!().toString("utf8")])),
  };
}

/** Whether `root` holds a checkout of the repository (a bare mirror, or a plain folder at the tag). */
export const hasCheckout = (root: string, repository: string, tag: string) =>
  fs.existsSync(path.join(root, repository.replace("/", "+"), "repo")) ||
  fs.existsSync(path.join(root, `${repository.replace("/", "+")}@${tag}`));

/** A bare git directory read at a tag, or a plain directory. */
export function openTree(root: string, repository: string, tag: string): Tree {
  const base = repository.replace("/", "+");
  const bare = path.join(root, base, "repo");
  const plain = path.join(root, `${base}@${tag}`);
  if (fs.existsSync(plain)) {
    const walk = (dir: string): string[] =>
      fs
        .readdirSync(path.join(plain, dir), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
    const all = walk("").map((f) => f.split(path.sep).join("/"));
    return {
      files: (prefixes) => all.filter((f) => wanted(prefixes, f)).sort(),
      readAll: (files) => new Map(files.map((f) => [f, fs.readFileSync(path.join(plain, f), "utf8")])),
    };
  }
  if (!fs.existsSync(bare))
    throw new Error(
      `${repository}: expected ${bare} (a bare git directory, as fetch brings it) or ${plain} (a plain checkout of ${tag}), found neither`,
    );
  const git = (...args: string[]) =>
    execFileSync("git", ["--git-dir", bare, ...args], { encoding: "utf8", maxBuffer: 1 << 30 });
  try {
    git("rev-parse", "--verify", "-q", `${tag}^{commit}`);
  } catch {
    throw new Error(`${repository}: the tag ${tag} is not in ${bare}; fetch the repository again`);
  }
  let listing: Map<string, string> | undefined;
  const list = () =>
    (listing ??= new Map(
      git("ls-tree", "-r", tag)
        .split("\n")
        .filter(Boolean)
        .map((l) => {
          const [meta, file] = l.split("\t");
          return [file, meta.split(" ")[2]];
        }),
    ));
  return {
    files: (prefixes) => [...list().keys()].filter((f) => wanted(prefixes, f)).sort(),
    readAll: (files) => {
      // One `git cat-file --batch` for every blob: a process per file would take minutes.
      const ids = files.map((f) => list().get(f)!);
      const buf = execFileSync("git", ["--git-dir", bare, "cat-file", "--batch"], {
        input: ids.join("\n") + "\n",
        maxBuffer: 1 << 30,
      });
      const out = new Map<string, string>();
      let at = 0;
      for (const f of files) {
        const nl = buf.indexOf(10, at);
        const head = buf.subarray(at, nl).toString();
        at = nl + 1;
        const size = /^\S+ blob (\d+)$/.exec(head);
        if (!size) continue;
        out.set(f, buf.subarray(at, at + Number(size[1])).toString("utf8"));
        at += Number(size[1]) + 1;
      }
      return out;
    },
  };
}

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const lineOf = (text: string, index: number) => text.slice(0, index).split("\n").length;

/** Kubernetes' generated list: one entry per metric with namespace, subsystem, name, type, labels. */
function readDocList(
  text: string,
  file: string,
): Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] {
  const list = YAML.parse(text) as any[];
  return list.map((m) => {
    const metric = [m.namespace, m.subsystem, m.name].filter(Boolean).join("_");
    const type = String(m.type ?? "").toLowerCase();
    return {
      metric,
      type: ["counter", "gauge", "histogram", "summary"].includes(type) ? type : "untyped",
      source: file,
      labels: [...(m.labels ?? []), ...Object.keys(m.constLabels ?? {})],
      notes: [
        m.stabilityLevel ? `stability ${m.stabilityLevel}` : "",
        m.deprecatedVersion ? `deprecated in ${m.deprecatedVersion}` : "",
      ]
        .filter(Boolean)
        .join("; "),
    };
  });
}

/** Cells of a Markdown table row (`| a | b |`), trimmed; `\|` is a pipe inside a cell. */
const cells = (line: string) =>
  line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());

/** Markdown tables whose first column names a metric: its type and labels columns found by header. */
function readMdTable(
  text: string,
  file: string,
): Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] {
  const out: Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] = [];
  const lines = text.split("\n");
  let typeCol = -1;
  let labelCol = -1;
  let optionCol = -1;
  let stabilityCol = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    // cAdvisor's table has no leading pipe: a table line is one with a pipe, a blank line ends it.
    if (!line.includes("|")) {
      typeCol = labelCol = optionCol = stabilityCol = -1;
      continue;
    }
    const c = cells(line);
    if (/^-+:?$|^:?-+:?$/.test(c[0] ?? "")) continue;
    if (/metric/i.test(c[0] ?? "") && /name|metric$/i.test(c[0] ?? "") && !/^`/.test(c[0])) {
      typeCol = c.findIndex((h) => /type/i.test(h));
      labelCol = c.findIndex((h) => /label/i.test(h));
      optionCol = c.findIndex((h) => /option/i.test(h));
      stabilityCol = c.findIndex((h) => /status|stability/i.test(h));
      continue;
    }
    const name = (c[0] ?? "").replace(/`/g, "").replace(/\\_/g, "_").trim();
    if (!METRIC_NAME.test(name) || typeCol < 0) continue;
    const type = (c[typeCol] ?? "").toLowerCase().trim();
    const labelText = labelCol >= 0 ? (c[labelCol] ?? "") : "";
    // `pod`=&lt;pod-name&gt; <br> `namespace`=...: the backticked names before `=`.
    const labels = [...labelText.matchAll(/`([a-zA-Z_][a-zA-Z0-9_]*)`\s*=/g)].map((m) => m[1]);
    out.push({
      metric: name,
      type: ["counter", "gauge", "histogram", "summary"].includes(type) ? type : "untyped",
      source: `${file}:${i + 1}`,
      labels: [...new Set(labels)],
      notes: [
        optionCol >= 0 && c[optionCol]
          ? `cAdvisor --enable_metrics/--disable_metrics set: ${c[optionCol]}`
          : "",
        stabilityCol >= 0 && c[stabilityCol] ? `stability ${c[stabilityCol]}` : "",
      ]
        .filter(Boolean)
        .join("; "),
    });
  }
  return out;
}

/** Prometheus text exposition: `# TYPE` lines, and the label names of each family's samples. */
function readExposition(
  text: string,
  file: string,
): Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] {
  const fams = new Map<string, { type: string; line: number; labels: Set<string> }>();
  const lines = text.split("\n");
  let current: string | undefined;
  lines.forEach((line, i) => {
    const t = /^# TYPE (\S+) (\S+)/.exec(line);
    if (t) {
      current = t[1];
      if (!fams.has(t[1])) fams.set(t[1], { type: t[2], line: i + 1, labels: new Set() });
      return;
    }
    if (line.startsWith("#") || !current) return;
    const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s/.exec(line);
    if (!s) return;
    for (const l of (s[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g))
      if (l[1] !== "le" && l[1] !== "quantile") fams.get(current)!.labels.add(l[1]);
  });
  return [...fams].map(([metric, f]) => ({
    metric,
    type: ["counter", "gauge", "histogram", "summary"].includes(f.type) ? f.type : "untyped",
    source: `${file}:${f.line}`,
    labels: [...f.labels].sort(),
    notes: "",
  }));
}

/** `name = "value"` constants of a Go file (const or var, in blocks or alone). */
function goConsts(text: string, short = true): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(?:^|\n)\s*(?:const\s+|var\s+)?(\w+)(?:\s+string)?\s*(:?)=\s*"([^"\n]*)"/g))
    if (short || m[2] === "") out[m[1]] ??= m[3];
  return out;
}

/** The value of a Go expression that is a string literal or a known constant (`pkg.Name` by its last part). */
function goValue(expr: string, consts: Record<string, string>): string | undefined {
  const e = expr.trim();
  // `ns + "process_cpu_seconds_total"`: each part known, joined.
  if (/^("[^"]*"|[\w.]+)(\s*\+\s*("[^"]*"|[\w.]+))+$/.test(e)) {
    const parts = e.split(/\s*\+\s*/).map((p) => goValue(p, consts));
    return parts.some((p) => p === undefined) ? undefined : parts.join("");
  }
  const lit = /^"([^"]*)"$/.exec(e) ?? /^`([^`]*)`$/.exec(e);
  if (lit) return lit[1];
  if (e in consts) return consts[e];
  // `plugin.Namespace`: another package's exported constant, by its name; `c.subsystem` is a
  // struct field, whose value the source sets at run time.
  const last = e.split(".").pop()!;
  if (/^\w+\.[A-Z]\w*$/.test(e) && last in consts) return consts[last];
  return undefined;
}

const OPTS_TYPE: Record<string, string> = {
  CounterOpts: "counter",
  GaugeOpts: "gauge",
  HistogramOpts: "histogram",
  NativeHistogramOpts: "histogram",
  SummaryOpts: "summary",
};

/** The string literals of the `[]string{...}` that follows `from` before the next statement, if any. */
function labelsAfter(text: string, from: number): string[] {
  const rest = text.slice(from, from + 400);
  const m = /^\s*\}?\s*\)?\s*,\s*(?:\/\/[^\n]*\n\s*)*\[\]string\{([^}]*)\}/.exec(rest);
  if (!m) return [];
  return [...m[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]);
}

/** The index of the brace closing the one opened at `open`. */
function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{") depth++;
    else if (ch === "}" && --depth === 0) return i;
    else if (ch === '"' || ch === "`") {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return text.length;
      i = end;
    }
  }
  return text.length;
}

/** client_golang registrations of one Go file. */
function readGoOpts(
  text: string,
  file: string,
  shared: Record<string, string>,
): Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] {
  const consts = { ...shared, ...goConsts(text) };
  const prefixers: Record<string, string> = {};
  for (const f of text.matchAll(/func (\w+)\((\w+) string\) string \{\s*return "([^"]*)" \+ (\w+)\s*\}/g))
    if (f[2] === f[4]) prefixers[f[1]] = f[3];
  const out: Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] = [];
  for (const m of text.matchAll(
    /\b(CounterOpts|GaugeOpts|HistogramOpts|NativeHistogramOpts|SummaryOpts)\s*\{/g,
  )) {
    const open = m.index + m[0].length - 1;
    const end = closing(text, open);
    const body = text.slice(open + 1, end);
    const field = (f: string) => {
      const v = new RegExp(`(?:^|[\\s,{])${f}:\\s*([^,\\n]+)`).exec(body)?.[1];
      return v === undefined ? "" : goValue(v.replace(/,\s*$/, ""), consts);
    };
    const name = field("Name");
    const ns = field("Namespace");
    const sub = field("Subsystem");
    if (!name || ns === undefined || sub === undefined) continue;
    const metric = [ns, sub, name].filter(Boolean).join("_");
    if (!METRIC_NAME.test(metric)) continue;
    const constLabels = /ConstLabels:\s*(?:prometheus\.)?Labels\{([^}]*)\}/.exec(body);
    out.push({
      metric,
      type: OPTS_TYPE[m[1]],
      source: `${file}:${lineOf(text, m.index)}`,
      labels: [
        ...labelsAfter(text, end + 1),
        ...(constLabels ? [...constLabels[1].matchAll(/"([^"]+)"\s*:/g)].map((x) => x[1]) : []),
      ],
      notes: "",
    });
  }
  for (const m of text.matchAll(/\bNewDesc\(\s*/g)) {
    const start = m.index + m[0].length;
    let metric: string | undefined;
    let after = start;
    const fq = /^(?:prometheus\.)?BuildFQName\(\s*([^,]+),\s*([^,]+),\s*([^)]+)\)/.exec(
      text.slice(start, start + 300),
    );
    if (fq) {
      const parts = [fq[1], fq[2], fq[3]].map((p) => goValue(p, consts));
      if (parts.some((p) => p === undefined)) continue;
      metric = parts.filter(Boolean).join("_");
      after = start + fq[0].length;
    } else {
      const lit = /^("[^"]*"|(\w+)\("([^"]*)"\)|[\w.]+\s*\+\s*"[^"]*"|[\w.]+)/.exec(
        text.slice(start, start + 200),
      );
      if (!lit) continue;
      // `memstatNamespace("heap_inuse_bytes")`: a helper of the file that prefixes its argument.
      metric = lit[2]
        ? prefixers[lit[2]] === undefined
          ? undefined
          : prefixers[lit[2]] + lit[3]
        : goValue(lit[1], consts);
      after = start + lit[0].length;
    }
    if (!metric || !METRIC_NAME.test(metric)) continue;
    // NewDesc(name, help, []string{labels}, constLabels): the labels are the third argument.
    const args = text.slice(after, after + 600);
    const lab =
      /^\s*,\s*(?:"(?:[^"\\]|\\.)*"|`[^`]*`|[\w.]+)(?:\s*\+\s*(?:"(?:[^"\\]|\\.)*"|[\w.]+))*\s*,\s*\[\]string\{([^}]*)\}/.exec(
        args,
      );
    out.push({
      metric,
      type: "untyped",
      source: `${file}:${lineOf(text, m.index)}`,
      labels: lab ? [...lab[1].matchAll(/"([^"]+)"/g)].map((x) => x[1]) : [],
      notes: "",
    });
  }
  return out;
}

/** Metric names written as Go string literals, with the labels inside their braces. */
function readGoLiterals(
  text: string,
  file: string,
  prefixes: string[],
): Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] {
  const out: Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] = [];
  for (const m of text.matchAll(/"((?:[^"\\\n]|\\.)*)"|`([^`]*)`/g)) {
    const raw = (m[1] ?? m[2]).replace(/\\"/g, '"');
    const s = /^([a-zA-Z_][a-zA-Z0-9_]*)(\{(.*)\})?$/.exec(raw);
    if (!s || !prefixes.some((p) => s[1].startsWith(p)) || s[1].endsWith("_")) continue;
    // A bare word is a metric name only where a metrics call takes it (not a flag or a log text).
    let before = text.slice(Math.max(0, m.index - 60), m.index);
    if (
      !s[2] &&
      !/\b(Write|New|GetOrCreate|Register)\w*\(\s*(w,\s*)?$|printf\(\s*(w,\s*)?$|\{"\/[^"]*",\s*$/.test(
        before,
      )
    )
      continue;
    const labels = [...(s[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)=/g)].map((x) => x[1]);
    let type = "untyped";
    // `set.NewSummary(fmt.Sprintf(...))`: the call that makes the metric is the one around Sprintf.
    before = before.replace(/(fmt\.)?Sprintf\(\s*$/, "");
    if (/Counter\w*\(\s*(w,\s*)?$/.test(before) || s[1].endsWith("_total")) type = "counter";
    else if (/Gauge\w*\(\s*(w,\s*)?$/.test(before)) type = "gauge";
    else if (/Histogram\w*\(\s*$/.test(before)) type = "histogram";
    else if (/Summary\w*\(\s*$/.test(before)) type = "summary";
    out.push({ metric: s[1], type, source: `${file}:${lineOf(text, m.index)}`, labels, notes: "" });
  }
  return out;
}

/** Vector's metric-name enums: `impl CounterName { ... Self::X => "name" ... }`, typed by the enum. */
function readRustNames(
  text: string,
  file: string,
  consts: Record<string, string>,
): Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] {
  const out: Omit<MetricRow, "emitter" | "versionRead" | "presentWhen">[] = [];
  const ns = consts.namespace ? `${consts.namespace}_` : "";
  for (const impl of text.matchAll(/\bimpl\s+(Counter|Gauge|Histogram)Name\s*\{/g)) {
    const open = impl.index + impl[0].length - 1;
    const body = text.slice(open, closing(text, open));
    for (const m of body.matchAll(/Self::\w+\s*=>\s*"([a-z0-9_]+)"/g))
      out.push({
        metric: ns + m[1],
        type: impl[1].toLowerCase(),
        source: `${file}:${lineOf(text, open + (m.index ?? 0))}`,
        labels: [],
        notes: "",
      });
  }
  return out;
}

const OTHER_OS =
  /_(darwin|windows|freebsd|openbsd|netbsd|dragonfly|solaris|aix|illumos|plan9|bsd|nocgo|cgo|other)(_[a-z0-9]+)?\.(go|txt)$/;

/** Every row one source yields. */
export function readSource(
  src: MetricSource,
  tree: Tree,
  offCollectors: Map<string, Set<string>> = new Map(),
): MetricRow[] {
  const rows: MetricRow[] = [];
  const versionRead = `${src.repository} ${src.tag}`;
  const files = tree
    .files(src.paths)
    .filter((f) => !src.extractor.startsWith("go-") || (f.endsWith(".go") && !f.endsWith("_test.go")))
    // The stack's nodes run Linux: files built only for another system register nothing there.
    .filter((f) => !OTHER_OS.test(f));
  const texts = tree.readAll(files);
  // A Go package's constants are shared by its files (`namespace` in one, used in another).
  const packageConsts = new Map<string, Record<string, string>>();
  if (src.extractor === "go-opts")
    for (const [file, text] of texts) {
      const dir = path.posix.dirname(file);
      // Declarations only: a function's `x := "..."` is no constant of the package.
      packageConsts.set(dir, { ...goConsts(text, false), ...(packageConsts.get(dir) ?? {}) });
    }
  for (const file of files) {
    const text = texts.get(file);
    if (text === undefined) continue;
    const found =
      src.extractor === "k8s-doclist"
        ? readDocList(text, file)
        : src.extractor === "md-table"
          ? readMdTable(text, file)
          : src.extractor === "exposition"
            ? readExposition(text, file)
            : src.extractor === "go-opts"
              ? readGoOpts(text, file, { ...src.consts, ...packageConsts.get(path.posix.dirname(file)) })
              : src.extractor === "rust-names"
                ? readRustNames(text, file, src.consts)
                : readGoLiterals(text, file, src.prefixes);
    // `registerCollector=<key>`: a file that registers a collector off by default (node_exporter's
    // `registerCollector("systemd", defaultDisabled, ...)`) gives its names `<key>:<collector>`.
    const collectorKey = src.presentWhen.byPath.find(([p]) => p === "registerCollector")?.[1];
    const off = collectorKey
      ? /registerCollector\(\s*("[^"]+"|\w+)\s*,\s*defaultDisabled/.exec(text)?.[1]
      : undefined;
    const offName = off
      ? goValue(off, { ...src.consts, ...packageConsts.get(path.posix.dirname(file)) })
      : undefined;
    const seen = offCollectors.get(`${src.repository} ${src.tag}`) ?? new Set<string>();
    if (offName) offCollectors.set(`${src.repository} ${src.tag}`, seen.add(offName));
    const byPath: [string, string] | undefined =
      collectorKey && offName
        ? [file, `${collectorKey}:${offName}`]
        : src.presentWhen.byPath.find(([p]) => file.startsWith(p));
    // An exposition's names of a collector off by default (read from the same tag's Go files,
    // an earlier row of the table): `node_<collector>_...`.
    const offOf = (metric: string) =>
      collectorKey && src.extractor === "exposition"
        ? [...seen].find((c) => metric.startsWith(`${src.prefixes[0] ?? ""}${c}_`))
        : undefined;
    for (const f of found) {
      if (src.prefixes.length && !src.prefixes.some((p) => f.metric.startsWith(p))) continue;
      const byName = src.presentWhen.byPath.find(([p]) => p === `metric:${f.metric}`);
      rows.push({
        ...f,
        emitter: src.emitter,
        versionRead,
        presentWhen: byName
          ? byName[1]
          : offOf(f.metric)
            ? `${collectorKey}:${offOf(f.metric)}`
            : byPath
              ? byPath[1]
              : src.presentWhen.fallback,
        notes: [f.notes, src.notes].filter(Boolean).join("; "),
      });
    }
  }
  return rows;
}

/**
 * Merges rows into one per metric: the first source that names a metric gives its row (the table's
 * order is its precedence), the labels are the union over every place that names it, and a metric
 * under two present_when keys of one emitter keeps both (`a|b`). `everyOf` lists groups of keys
 * that together mean "always" (the Kubernetes minors read: a name every supported minor emits).
 */
export function mergeRows(rows: MetricRow[], everyOf: string[][] = []): MetricRow[] {
  const by = new Map<string, MetricRow & { labelSet: Set<string>; keys: Set<string> }>();
  for (const r of rows) {
    const had = by.get(r.metric);
    if (!had) {
      by.set(r.metric, { ...r, labelSet: new Set(r.labels), keys: new Set(r.presentWhen.split("|")) });
      continue;
    }
    r.labels.forEach((l) => had.labelSet.add(l));
    if (had.type === "untyped" && r.type !== "untyped") had.type = r.type;
    if (had.emitter === r.emitter) r.presentWhen.split("|").forEach((k) => had.keys.add(k));
  }
  return [...by.values()]
    .map(({ labelSet, keys, ...r }) => ({
      ...r,
      labels: [...labelSet].sort(),
      // A name some build emits unconditionally needs no other key.
      presentWhen:
        keys.has("always") || everyOf.some((g) => g.length > 0 && g.every((k) => keys.has(k)))
          ? "always"
          : [...keys].sort(compareKeys).join("|"),
    }))
    .sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));
}

/** Keys in order, `kubernetes:1.9` before `kubernetes:1.10` (minors compared as numbers). */
function compareKeys(a: string, b: string): number {
  const ma = /^(.*:)(\d+)\.(\d+)$/.exec(a);
  const mb = /^(.*:)(\d+)\.(\d+)$/.exec(b);
  if (ma && mb && ma[1] === mb[1]) return Number(ma[2]) - Number(mb[2]) || Number(ma[3]) - Number(mb[3]);
  return a < b ? -1 : a > b ? 1 : 0;
}

const clean = (s: string) => s.replace(/[\t\n\r]+/g, " ");

/** The generated file's whole text. */
export function formatRows(rows: MetricRow[], sourcesFile: string): string {
  const head = [
    "# Generated by `npm run refresh-metrics` (upstream/refresh/metrics.ts) from the sources in",
    `# ${sourcesFile}: do not edit; change the table and run it again.`,
    "# Columns as emitted-metrics.tsv (whose own rows take precedence over these).",
    METRIC_COLUMNS.join("\t"),
  ];
  const body = rows.map((r) =>
    [r.metric, r.type, r.emitter, r.versionRead, r.source, r.labels.join(","), r.presentWhen, r.notes, ""]
      .map(clean)
      .join("\t"),
  );
  return [...head, ...body].join("\n") + "\n";
}

export const SOURCES_FILE = "upstream/metrics/data/emitted-sources.tsv";
export const GENERATED_FILE = "upstream/metrics/data/emitted-generated.tsv";

/** The sources table of a project. */
export function readSources(project: string = projectRoot()): MetricSource[] {
  return parseSources(fs.readFileSync(path.join(project, SOURCES_FILE), "utf8"), SOURCES_FILE);
}

/**
 * Reads every source and returns the generated file's text: a source `root` holds a checkout of is
 * read there, any other from its Go modules in the cache (`fetchModules` first). `kept` gives the
 * rows of sources not read this time (by their index in the table), for a check that cannot reach
 * them.
 */
export function refreshMetrics(
  root: string | undefined,
  project: string = projectRoot(),
  kept: Map<number, MetricRow[]> = new Map(),
): string {
  const sources = readSources(project);
  const rows: MetricRow[] = [];
  const offCollectors = new Map<string, Set<string>>();
  sources.forEach((s, i) => {
    const keep = kept.get(i);
    if (keep) {
      rows.push(...keep);
      return;
    }
    let tree: Tree;
    if ((root && hasCheckout(root, s.repository, s.tag)) || s.goModules.length === 0) {
      if (!root)
        throw new Error(
          `${s.repository} ${s.tag}: the table names no go_module for it: give a directory with its checkout`,
        );
      tree = openTree(root, s.repository, s.tag);
    } else {
      try {
        tree = moduleTree(s.goModules);
      } catch (e) {
        throw new Error(
          `${s.repository} ${s.tag}: ${s.goModules.map((m) => `${m.module}@${m.version}`).join(", ")} not in the module cache (${(e as Error).message}); run refresh-metrics without a sources directory to download it`,
        );
      }
    }
    const found = readSource(s, tree, offCollectors);
    if (found.length === 0)
      throw new Error(
        `${s.repository} ${s.tag} (${s.extractor} ${s.paths.join(",")}): no metric found; the paths or the reader no longer fit the source`,
      );
    rows.push(...found);
  });
  const minors = [
    ...new Set(sources.map((s) => s.presentWhen.fallback).filter((k) => /^kubernetes:/.test(k))),
  ];
  return formatRows(mergeRows(rows, [minors]), SOURCES_FILE);
}

/** What fetching the sources' modules did: each download, and the sources the proxy refused. */
export interface FetchReport {
  fetched: Fetched[];
  refused: { index: number; source: MetricSource; reason: string }[];
}

/** Puts every module the sources need (but those `root` holds a checkout of) in the cache. */
export async function fetchModules(sources: MetricSource[], root?: string): Promise<FetchReport> {
  const report: FetchReport = { fetched: [], refused: [] };
  const done = new Map<string, Promise<Fetched>>();
  for (const [index, s] of sources.entries()) {
    if (root && hasCheckout(root, s.repository, s.tag)) continue;
    if (s.goModules.length === 0) {
      report.refused.push({
        index,
        source: s,
        reason: `${s.emitter}: ${s.repository} ${s.tag} is no Go module (the table names none): read from a checkout only`,
      });
      continue;
    }
    try {
      for (const m of s.goModules) {
        const key = `${m.module}@${m.version}`;
        const first = !done.has(key);
        if (first) done.set(key, ensureModule(m, `${SOURCES_FILE}: ${s.emitter}`));
        const f = await done.get(key)!;
        if (first) report.fetched.push(f);
      }
    } catch (e) {
      report.refused.push({ index, source: s, reason: (e as Error).message });
    }
  }
  return report;
}

/** The committed rows of one source (its `repository tag` and emitter), as read rows. */
export function committedRows(text: string, s: MetricSource): MetricRow[] {
  return text
    .split("\n")
    .filter((l) => l && !l.startsWith("#") && !l.startsWith("metric\t"))
    .map((l) => l.split("\t"))
    .filter((c) => c[3] === `${s.repository} ${s.tag}` && c[2] === s.emitter)
    .map(sharedColumns);
}

/** The first line two texts differ at: its number and both versions, or undefined when equal. */
export function firstDifference(want: string, got: string): string | undefined {
  if (want === got) return undefined;
  const a = want.split("\n");
  const b = got.split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i])
      return `line ${i + 1} (${(a[i] ?? b[i] ?? "").split("\t")[0] || "end of file"}):\n  committed:   ${a[i] ?? "(none)"}\n  regenerated: ${b[i] ?? "(none)"}`;
  return undefined;
}

/**
 * The first row two texts differ at beyond what a source not read could add: that source's
 * labels to another's row, or a type to an untyped one (mergeRows). Counts the rows compared
 * exactly and those that differ only so.
 */
export function differenceBeyondUnread(
  want: string,
  got: string,
): { diff?: string; exact: number; loose: number } {
  const a = want.split("\n");
  const b = got.split("\n");
  let exact = 0;
  let loose = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] === b[i]) {
      exact++;
      continue;
    }
    const ca = (a[i] ?? "").split("\t");
    const cb = (b[i] ?? "").split("\t");
    const labelsA = new Set(ca[5] ? ca[5].split(",") : []);
    const onlyAdded =
      ca.length === METRIC_COLUMNS.length &&
      cb.length === METRIC_COLUMNS.length &&
      ca.every((v, k) => k === 1 || k === 5 || v === cb[k]) &&
      (ca[1] === cb[1] || cb[1] === "untyped") &&
      (cb[5] ? cb[5].split(",") : []).every((l) => labelsA.has(l));
    if (!onlyAdded)
      return {
        diff: firstDifference(a.slice(i).join("\n"), b.slice(i).join("\n"))?.replace(
          /^line \d+/,
          `line ${i + 1}`,
        ),
        exact,
        loose,
      };
    loose++;
  }
  return { exact, loose };
}

/** The command line and what each part does, as --help and every refusal print it (80 columns). */
export const USAGE = `usage: npm run refresh-metrics -- [<sources-root>] [--check] [--out <file>]
  <sources-root>  a directory of <owner>+<name>/repo mirrors or
                  <owner>+<name>@<tag>/ checkouts; a source it does not hold is
                  read from its Go modules (the Go module proxy, cached)
  --check         regenerate and compare with the committed data; exit 1
                  naming the first differing row
  --out <file>    write (with --check: compare with) this file instead of
                  ${GENERATED_FILE}
exit codes: 0 written (or the same); 1 --check found a difference; 2 bad
arguments, or a source could not be read`;

/** The options refresh-metrics takes. */
const OPTIONS = { valued: { "--out": "<file>" }, switches: ["--check"], maxPositional: 1 };

/** Every refusal of the command line (an option it has not, --out without its file, a folder that is not there), one line each. */
export function badArgs(argv: string[]): string[] {
  const a = parseRefreshArgs(argv, OPTIONS);
  const problems = [...a.problems];
  if (a.positional.length > 1)
    problems.push(`expected at most one sources directory, found ${JSON.stringify(a.positional)}`);
  else if (a.positional.length === 1 && !a.unsure.has(a.positional[0])) {
    const st = fs.statSync(a.positional[0], { throwIfNoEntry: false });
    if (!st?.isDirectory())
      problems.push(
        `${a.positional[0]}: ${st ? "a file, not a sources directory" : "no such sources directory"} (leave it out to read every source from the Go module proxy)`,
      );
  }
  return problems;
}

/**
 * `npm run refresh-metrics`: its arguments and output streams in, its exit status out (the process
 * wrapper below exits with it, `process` as the streams); every way out ends with one line saying
 * the status and why.
 */
export async function main(args: string[], io: RefreshIo): Promise<number> {
  const out = (text: string) => void io.stdout.write(`${text}\n`);
  const err = (text: string) => void io.stderr.write(`${text}\n`);
  if (args.includes("--help") || args.includes("-h")) {
    out(USAGE);
    return 0;
  }
  const bad = badArgs(args);
  if (bad.length > 0) {
    err(`${bad.map((b) => `refresh-metrics: ${b}`).join("\n")}\n${USAGE}`);
    out(closingLine("refresh-metrics", 2, "bad arguments (above)"));
    return 2;
  }
  const a = parseRefreshArgs(args, OPTIONS);
  const outFile = a.values.get("--out") ?? path.join(projectRoot(), GENERATED_FILE);
  const check = a.switches.has("--check");
  const root = a.positional[0];
  const started = Date.now();
  const sources = readSources();
  const report = await fetchModules(sources, root);
  const committed = fs.existsSync(outFile) ? fs.readFileSync(outFile, "utf8") : "";
  const bytes = report.fetched.reduce((n, f) => n + f.bytes, 0);
  const cached = report.fetched.filter((f) => f.cached).length;
  out(
    `refresh-metrics: ${report.fetched.length} Go modules (${cached} from the cache, ${report.fetched.length - cached} downloaded, ${(bytes / 1e6).toFixed(1)} MB)`,
  );
  if (report.refused.length && !check) {
    for (const r of report.refused) err(`refresh-metrics: ${r.reason}`);
    out(
      closingLine(
        "refresh-metrics",
        2,
        `${report.refused.length} of ${sources.length} sources could not be read (above); nothing written`,
      ),
    );
    return 2;
  }
  // A check keeps the committed rows of a source the proxy refuses, and says so: the rest is
  // still compared byte for byte.
  const kept = new Map(report.refused.map((r) => [r.index, committedRows(committed, r.source)]));
  for (const r of report.refused)
    err(
      `refresh-metrics: NOT CHECKED: ${r.source.emitter} (${r.source.repository} ${r.source.tag}), ${kept.get(r.index)!.length} rows kept as committed: ${r.reason}`,
    );
  const text = refreshMetrics(root, projectRoot(), kept);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (check) {
    // Every source read: byte for byte. A source refused: its own rows kept, the others compared
    // field by field but for what it could add to them (its labels, a type), counted and said.
    const { diff, exact, loose } = report.refused.length
      ? differenceBeyondUnread(committed, text)
      : { diff: firstDifference(committed, text), exact: 0, loose: 0 };
    if (diff) {
      err(
        `refresh-metrics --check: ${outFile} differs from its sources at ${diff}\nrun npm run refresh-metrics and review the diff`,
      );
      out(closingLine("refresh-metrics --check", 1, `${outFile} differs from its sources (above)`));
      return 1;
    }
    out(
      report.refused.length
        ? `refresh-metrics --check: pass (exit 0): ${outFile} reproduced from ${sources.length - report.refused.length} of ${sources.length} sources in ${seconds} s: ${exact} lines byte for byte, ${loose} differing only by the labels or type a source not read adds`
        : `refresh-metrics --check: pass (exit 0): ${outFile} reproduced byte for byte from all ${sources.length} sources in ${seconds} s`,
    );
    return 0;
  }
  fs.writeFileSync(outFile, text);
  out(
    closingLine(
      "refresh-metrics",
      0,
      `wrote ${outFile} in ${seconds} s; review the diff (git diff upstream/metrics/data/)`,
    ),
  );
  return 0;
}

if (require.main === module)
  main(process.argv.slice(2), process).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`refresh-metrics: ${(e as Error).message}`);
      console.log(closingLine("refresh-metrics", 2, "stopped by the error above"));
      process.exit(2);
    },
  );
