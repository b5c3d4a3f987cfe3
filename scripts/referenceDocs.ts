import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import * as ts from "typescript";
import { parse } from "yaml";
import { projectRoot } from "../config/paths";
import { tarFiles } from "../config/chartKeys";
import { chartCacheDir } from "../synth/render/helm";
import { cliReference } from "../cli/spec";
import { allPolicies } from "../policy/policies";
import { versions } from "../model/versions";
import { BACKENDS, PHASE_TABLE, PHASES } from "../model/phases";
import { lokiRules, nodeRules, objectStoreRules, STORE_KINDS } from "../builders/alerting/rules";
import { logRules } from "../builders/alerting/logRules";
import type { RuleGroup } from "../builders/alerting/ruleGroup";
import { componentNeeds, KNOWN_COMPONENTS, type ApiNeed } from "../upstream/alloy/apiNeeds";
import { parseAlloy, type Block } from "../upstream/alloy/syntax";
import { ROOMS } from "./rooms";

/**
 * The reference tables that come from the code (docs/reference/*.md), each between a
 * `<!-- generated:<name> start ... -->` and `<!-- generated:<name> end -->` line: the policies
 * (policy/policies.ts), the chart and image versions with each chart's declared kubeVersion
 * (model/versions.ts and the chart archives), the environment variables the code reads, and the
 * stack outputs (index.ts, plan/types.ts). `npx tsx scripts/referenceDocs.ts --write` updates
 * them (then prettier); test/project/docs.test.ts fails when one is stale.
 */
export interface Generated {
  file: string;
  name: string;
  table: (root: string) => string;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();
const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
const table = (head: string[], rows: string[][]) =>
  [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");

function policiesTable(): string {
  return table(
    ["policy", "default level", "checks", "config"],
    allPolicies().map((p) => {
      const props = Object.keys(p.configSchema?.properties ?? {});
      return [
        `\`${p.name}\``,
        p.enforcementLevel ?? "advisory",
        p.description,
        props.map((k) => `\`${k}\``).join(", "),
      ];
    }),
  );
}

/**
 * The chart archive's Chart.yaml `kubeVersion` (what `helm show chart` prints), read from the
 * archive in this process: a `helm show chart` per pinned chart cost about 50 ms of CPU each, half
 * a second a table (measured: 20 runs 1.07 s of CPU; test/project/docs.test.ts, with this and
 * envReads below, 2.73 -> 2.15 s of CPU, medians of 3 alternating).
 */
export function kubeVersionOf(root: string, chart: string, version: string): string {
  // The chart cache as the synthesis finds it (HOMELAB_CHART_CACHE, defaults).
  const tgz = path.join(chartCacheDir(root), `${chart}-${version}.tgz`);
  // The chart's own Chart.yaml, at the archive's top folder (the chart's name), not a subchart's.
  const file = `${chart}/Chart.yaml`;
  const text = tarFiles(zlib.gunzipSync(fs.readFileSync(tgz)), (n) => n === file).get(file);
  if (text === undefined) throw new Error(`${tgz}: no ${file}`);
  const kubeVersion = (parse(text) as { kubeVersion?: unknown } | null)?.kubeVersion;
  return typeof kubeVersion === "string" && kubeVersion !== "" ? kubeVersion : "none declared";
}

function versionsTable(root: string): string {
  const charts = table(
    ["chart", "version", "repository", "kubeVersion (Chart.yaml)"],
    Object.values(versions.charts).map((c) => [
      `\`${c.chart}\``,
      c.version,
      c.repo,
      `\`${kubeVersionOf(root, c.chart, c.version)}\``,
    ]),
  );
  const images = table(
    ["image", "tag"],
    Object.values(versions.images).map((i) => [`\`${i.registry}/${i.repository}\``, i.tag]),
  );
  return `${charts}\n\n${images}`;
}

/**
 * The code, what {@link envReads} reads by default: every room (rooms.ts), each a folder but the
 * program's entry, which is the file `index.ts`.
 */
const CODE = ROOMS.map((r) => (r === "index" ? "index.ts" : r));

/** The TypeScript files under `dirs`, or a named file (no declarations, no build output). */
function sources(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (dir.endsWith(".ts")) return void out.push(dir);
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.join(dir, e.name);
      if (e.isDirectory() && !["node_modules", "dist"].includes(e.name)) walk(rel);
      else if (e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts")) out.push(rel);
    }
  };
  for (const d of dirs) walk(d);
  return out.sort();
}

/**
 * Every `process.env.NAME` / `process.env["NAME"]` the files under `dirs` read (by default the
 * code's, {@link CODE}; `["test"]` the tests'), with the files that read it. Read from the syntax
 * tree, not the text: a comment naming the form (this one) is no read, and the text match listed a
 * variable `NAME` read in this file.
 */
export function envReads(root: string, dirs: readonly string[] = CODE): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of sources(root, dirs)) {
    const text = fs.readFileSync(path.join(root, f), "utf8");
    // Only a file whose text holds `process.env` can read a variable as envName judges it: the
    // others are not parsed (parsing every source took about 0.3 s a call).
    if (!text.includes("process.env")) continue;
    // No parent pointers: envName reads each node's own children, never its text or parents.
    const src = ts.createSourceFile(f, text, ts.ScriptTarget.ES2022, false);
    const visit = (n: ts.Node): void => {
      const name = envName(n);
      if (name) out.set(name, [...new Set([...(out.get(name) ?? []), f])]);
      ts.forEachChild(n, visit);
    };
    visit(src);
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Whether `e` is `process.env`, from its nodes: its text (`getText()`) needed the parent pointers
 * and a slice of the file for every property access (measured: envReads 0.45 -> 0.39 s of CPU on
 * its first call in a process, 0.16 -> 0.13 s on the next; the same table).
 */
const isEnv = (e: ts.Expression): boolean =>
  ts.isPropertyAccessExpression(e) &&
  ts.isIdentifier(e.expression) &&
  e.expression.text === "process" &&
  e.name.text === "env";

/** The variable `n` reads when it is `process.env.NAME` or `process.env["NAME"]` (upper case). */
function envName(n: ts.Node): string | undefined {
  const name =
    ts.isPropertyAccessExpression(n) && isEnv(n.expression)
      ? n.name.text
      : ts.isElementAccessExpression(n) && isEnv(n.expression) && ts.isStringLiteral(n.argumentExpression)
        ? n.argumentExpression.text
        : undefined;
  return name && /^[A-Z][A-Z0-9_]*$/.test(name) ? name : undefined;
}

/**
 * The code's variables, then those only the tests read: a contributor is told to set some
 * (HOMELAB_METRIC_SOURCES, CONTRIBUTING.md), and a table of the code's alone left them out.
 * `code` and `testReads` are {@link envReads}'s answers for the code and for test/ (read here when
 * not given; the documentation's test gives the ones it has read already).
 */
export function environmentTable(
  root: string,
  code: Map<string, string[]> = envReads(root),
  testReads: Map<string, string[]> = envReads(root, ["test"]),
): string {
  const rows = (reads: Map<string, string[]>) =>
    [...reads].map(([name, files]) => [`\`${name}\``, files.map((f) => `\`${f}\``).join(", ")]);
  const tests = new Map([...testReads].filter(([name]) => !code.has(name)));
  return `${table(["variable", "read in"], rows(code))}\n\nRead by the tests and by none of the code's files above:\n\n${table(["variable", "read in"], rows(tests))}`;
}

/** index.ts's exports, each with the JSDoc of its field in plan/types.ts StackOutputs. */
function outputsTable(root: string): string {
  const exported = [
    ...fs.readFileSync(path.join(root, "index.ts"), "utf8").matchAll(/^export const (\w+) = outputs\.\w+;/gm),
  ].map((m) => m[1]);
  const file = path.join(root, "plan/types.ts");
  const src = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const fields = new Map<string, { type: string; doc: string }>();
  src.forEachChild((n) => {
    if (ts.isInterfaceDeclaration(n) && n.name.text === "StackOutputs")
      for (const m of n.members)
        if (ts.isPropertySignature(m) && ts.isIdentifier(m.name)) {
          const doc = ts
            .getJSDocCommentsAndTags(m)
            .map((d) => (typeof d.comment === "string" ? d.comment : ""))
            .join(" ");
          fields.set(m.name.text, { type: m.type?.getText(src) ?? "", doc });
        }
  });
  // A declared output index.ts leaves out is one `pulumi stack output` never shows, while the
  // offline synthesis, which reads the program's return value, has it: chartValueOverrides was so.
  const unexported = [...fields.keys()].filter((f) => !exported.includes(f));
  if (unexported.length > 0)
    throw new Error(
      `plan/types.ts StackOutputs declares ${unexported.join(", ")}, which index.ts does not export: a real stack would not output it`,
    );
  return table(
    ["output", "type", "meaning"],
    exported.map((o) => {
      const f = fields.get(o);
      if (!f) throw new Error(`index.ts exports ${o}, which plan/types.ts StackOutputs does not declare`);
      return [`\`${o}\``, `\`${f.type}\``, f.doc];
    }),
  );
}

/** The phase x backend capability table (model/phases.ts), one row per phase and backend. */
function phasesTable(): string {
  const fields = Object.keys(
    PHASE_TABLE[PHASES[0]][BACKENDS[0]],
  ) as (keyof (typeof PHASE_TABLE)["loki-fixed"]["mimir"])[];
  const show = (v: unknown) =>
    Array.isArray(v) ? v.join(", ") : typeof v === "boolean" ? (v ? "yes" : "no") : String(v);
  return table(
    ["phase", "backend", ...fields.map((f) => `\`${f}\``)],
    PHASES.flatMap((p) =>
      BACKENDS.map((b) => [`\`${p}\``, b, ...fields.map((f) => show(PHASE_TABLE[p][b][f]))]),
    ),
  );
}

/**
 * The program's own alerts (kube-prometheus-stack's defaults aside), from the builders: the Loki
 * pipeline, nodes, the object store (every store kind) and Loki's LogQL rules, at the defaults.
 */
function alertsTable(): string {
  const sets: [string, RuleGroup[]][] = [
    ["`homelab-loki`", lokiRules({ canary: true })],
    ["`homelab-nodes`", nodeRules()],
    ...STORE_KINDS.map((store): [string, RuleGroup[]] => [
      `\`homelab-object-store\` (${store})`,
      objectStoreRules({ store, namespace: "monitoring" }),
    ]),
    ["Loki's ruler (LogQL)", logRules({ errorsPerSecond: 1 })],
  ];
  const seen = new Map<string, string[]>();
  const rows = new Map<string, string[]>();
  for (const [set, groups] of sets)
    for (const g of groups)
      for (const r of g.rules)
        if (r.alert) {
          seen.set(r.alert, [...(seen.get(r.alert) ?? []), set]);
          rows.set(r.alert, [
            r.for ?? "",
            r.labels?.severity ?? "",
            r.annotations?.summary ?? r.annotations?.description ?? "",
          ]);
        }
  return table(
    ["alert", "rule set", "for", "severity", "summary"],
    [...rows].map(([alert, [f, sev, summary]]) => [
      `\`${alert}\``,
      [...new Set(seen.get(alert))].join(", "),
      f,
      sev,
      summary,
    ]),
  );
}

/**
 * One declaration of each component upstream/alloy/apiNeeds.ts knows (roles and options that change
 * the calls get their own row), run through the table itself: the calls and citations in
 * docs/explanation/alloy-rbac.md are the code's. A known component without a row is an error.
 */
const ALLOY_EXAMPLES: string[] = [
  ...["pod", "endpoints", "endpointslice", "service", "ingress", "node"].map(
    (role) => `discovery.kubernetes "x" {\n  role = "${role}"\n}`,
  ),
  'discovery.kubernetes "x" {\n  role = "pod"\n  namespaces {\n    names = ["kube-system"]\n  }\n  attach_metadata {\n    node = true\n    namespace = true\n  }\n}',
  'remote.kubernetes.secret "x" {\n  namespace = "monitoring"\n  name = "minio-metrics-token"\n}',
  'remote.kubernetes.configmap "x" {\n  namespace = "monitoring"\n  name = "some-config"\n}',
  'loki.source.kubernetes "x" {\n  targets = []\n  forward_to = []\n}',
  'loki.source.kubernetes_events "x" {\n  forward_to = []\n}',
  'prometheus.operator.servicemonitors "x" {\n  forward_to = []\n}',
  'prometheus.operator.servicemonitors "x" {\n  kubernetes_role = "endpointslice"\n  forward_to = []\n}',
  'prometheus.operator.podmonitors "x" {\n  forward_to = []\n}',
  'prometheus.operator.probes "x" {\n  forward_to = []\n}',
  'prometheus.operator.scrapeconfigs "x" {\n  forward_to = []\n}',
  'mimir.rules.kubernetes "x" {\n  address = "http://mimir"\n}',
  'prometheus.scrape "x" {\n  targets = []\n  job_name = "kubelet"\n  bearer_token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token"\n  forward_to = []\n}',
  'prometheus.scrape "x" {\n  targets = []\n  job_name = "apiserver"\n  bearer_token_file = "/var/run/secrets/kubernetes.io/serviceaccount/token"\n  forward_to = []\n}',
  'prometheus.scrape "x" {\n  targets = []\n  forward_to = []\n}',
];

/** The arguments of an example that change its calls, as the table's first column shows them. */
function declared(b: Block): string {
  const args = b.body.flatMap((st) => {
    if (st.kind === "attribute" && !["targets", "forward_to", "address"].includes(st.name))
      return [`${st.name} = ${st.value.kind === "literal" ? st.value.raw : "…"}`];
    if (st.kind === "block") return [`${st.name} { … }`];
    return [];
  });
  return `\`${b.name}\`${args.length ? ` ${args.join(", ")}` : ""}`;
}

function callsOf(needs: ApiNeed[]): string {
  const byObject = new Map<string, string[]>();
  for (const n of needs) {
    const what =
      n.nonResourceURL !== undefined
        ? `non-resource URL \`${n.nonResourceURL}\``
        : `\`${n.apiGroup ? `${n.apiGroup}/` : ""}${n.resource}\`${n.name ? ` \`${n.name}\`` : ""}`;
    const k = `${what} ${n.namespace ? `in \`${n.namespace}\`` : "cluster-wide"}`;
    byObject.set(k, [...(byObject.get(k) ?? []), n.verb]);
  }
  return [...byObject].map(([k, verbs]) => `${[...new Set(verbs)].join(", ")} ${k}`).join("; ");
}

function alloyApiNeedsTable(): string {
  const rows: string[][] = [];
  const seen = new Set<string>();
  for (const text of ALLOY_EXAMPLES) {
    const parsed = parseAlloy(`${text}\n`);
    if (parsed.errors.length > 0) throw new Error(`ALLOY_EXAMPLES: ${text} does not parse`);
    const b = parsed.body[0] as Block;
    seen.add(b.name);
    const needs = componentNeeds(b);
    rows.push([
      declared(b),
      needs.length ? callsOf(needs) : "nothing",
      [...new Set(needs.map((n) => n.source))].join("; "),
    ]);
  }
  const quiet = KNOWN_COMPONENTS.filter((c) => !seen.has(c));
  for (const c of quiet) {
    const parsed = parseAlloy(`${c} "x" {\n}\n`);
    if (parsed.errors.length > 0 || componentNeeds(parsed.body[0] as Block).length > 0)
      throw new Error(`ALLOY_EXAMPLES: ${c} calls the API and has no example row`);
  }
  rows.push([quiet.map((c) => `\`${c}\``).join(", "), "nothing", ""]);
  return table(["declaration", "calls on the Kubernetes API", "where the call is made"], rows);
}

export const GENERATED: Generated[] = [
  { file: "docs/reference/alerts.md", name: "alerts", table: () => alertsTable() },
  { file: "docs/reference/phases.md", name: "phases", table: () => phasesTable() },
  { file: "docs/reference/policies.md", name: "policies", table: () => policiesTable() },
  { file: "docs/reference/versions.md", name: "versions", table: versionsTable },
  { file: "docs/reference/environment.md", name: "environment", table: (root) => environmentTable(root) },
  { file: "docs/reference/outputs.md", name: "outputs", table: outputsTable },
  { file: "docs/explanation/alloy-rbac.md", name: "alloy-api-needs", table: () => alloyApiNeedsTable() },
  { file: "docs/reference/cli.md", name: "cli", table: () => cliReference() },
];

export const startOf = (name: string) =>
  `<!-- generated:${name} start: do not edit; run npx tsx scripts/referenceDocs.ts --write -->`;
export const endOf = (name: string) => `<!-- generated:${name} end -->`;

/** A document with one generated section replaced. */
export function withSection(doc: string, name: string, body: string): string {
  const i = doc.indexOf(startOf(name));
  const j = doc.indexOf(endOf(name));
  if (i < 0 || j < i) throw new Error(`no ${startOf(name)} ... ${endOf(name)} section`);
  return `${doc.slice(0, i + startOf(name).length)}\n\n${body}\n\n${doc.slice(j)}`;
}

if (require.main === module) {
  const root = projectRoot(__dirname);
  for (const g of GENERATED) {
    const file = path.join(root, g.file);
    const next = withSection(fs.readFileSync(file, "utf8"), g.name, g.table(root));
    if (process.argv.includes("--write")) fs.writeFileSync(file, next);
    else process.stdout.write(next);
  }
}
