import * as fs from "fs";
import * as path from "path";
import { loadAll } from "js-yaml";
import { isNode, LineCounter, parseDocument } from "yaml";
import { lokiName } from "./services";
import { versions } from "./versions";
import { closestMatch } from "@homelab-observability/contract";
import { listed } from "./words";
import { notYamlMessage } from "./yamlText";

/**
 * What runs in the cluster before a takeover, as the operator's own tools report it (README
 * "Checking the change before it runs"), collected into one folder:
 * - `helm-list.yaml`: `helm list -n <ns> -o yaml` (name, namespace, chart `<chart>-<version>`);
 * - `<ns>.<release>.values.yaml`: `helm get values <release> -n <ns> --all -o yaml`;
 * - `statefulsets.yaml`: `kubectl get statefulsets -n <ns> -o yaml`;
 * - `pvcs.yaml`: `kubectl get pvc -n <ns> -o yaml`;
 * - optional, for the rule evaluators' change: `prometheusrules.yaml`
 *   (`kubectl get prometheusrules -A -o yaml`, every namespace) and `namespaces.yaml`
 *   (`kubectl get namespaces -o yaml`, their labels for namespace selectors);
 * - optional, for the monitors the update's Prometheus servers reject: `servicemonitors.yaml`,
 *   `podmonitors.yaml`, `probes.yaml` and `scrapeconfigs.yaml` (`kubectl get servicemonitors -A -o
 *   yaml`, every namespace; likewise).
 * The program reads it (takeover.running) to keep what cannot change in place; the change check
 * (`npm run synth -- --running <dir>`) renders the running releases from it.
 */
export interface RunningRelease {
  name: string;
  namespace: string;
  chart: string;
  version: string;
  /** `helm get values --all`: the chart's defaults merged with what the operator set. */
  values: Record<string, any>;
  /**
   * The release's status as helm-list.yaml gives it (`deployed`, `failed`, `pending-upgrade`, ...)
   * and where: `<file>:<line>` of its `status:` key. Absent when the entry has none.
   */
  status?: { value: string; at: string };
}

/**
 * Where a stack's running state is collected from: its namespace (where the releases it takes over
 * run) and the kube context it pins (kubeContext), each named in every command that collects it.
 */
export interface RunningSource {
  namespace?: string;
  context?: string;
}

export interface RunningState {
  /** The folder it was read from (for messages). */
  dir: string;
  /** Where it was collected from, as the stack names it: a later message's command names it too. */
  from?: RunningSource;
  releases: RunningRelease[];
  /** Live StatefulSets (kubectl's objects). */
  statefulSets: Record<string, any>[];
  /** Live PersistentVolumeClaims (kubectl's objects). */
  pvcs: Record<string, any>[];
  /** Live PrometheusRules of every namespace (kubectl's objects); absent when not collected. */
  prometheusRules?: Record<string, any>[];
  /** Live ServiceMonitors, PodMonitors, Probes and ScrapeConfigs of every namespace (kubectl's objects); absent when none was collected. */
  monitors?: Record<string, any>[];
  /** Live Namespaces (kubectl's objects); absent when not collected. */
  namespaces?: Record<string, any>[];
  /** What was passed over and why (a values file of no listed release); absent when nothing was. */
  warnings?: string[];
}

/** Raised when the folder lacks a file or a file has the wrong shape; names the file and the command. */
export class RunningStateError extends Error {}

/**
 * The top-level keys of a chart's values at a version (its values.yaml, each subchart's key, what
 * its templates read), or undefined when they are not known: config/chartCache.ts
 * cachedValuesKeys reads them from the archive in the chart cache, never pulling it.
 */
export type ValuesKeysOf = (chart: string, version: string) => ReadonlySet<string> | undefined;

/**
 * The commands that collect each report, `DIR` standing for the folder and `NAMESPACE` for the one
 * the running releases are in. Never `<dir>` or `<namespace>`: pasted into a shell those are
 * redirections, and `> <dir>/x` would write into a file named `dir`.
 */
const COMMANDS: Record<string, string> = {
  "helm-list.yaml": "helm list -n NAMESPACE -o yaml > DIR/helm-list.yaml",
  "statefulsets.yaml": "kubectl get statefulsets -n NAMESPACE -o yaml > DIR/statefulsets.yaml",
  "pvcs.yaml": "kubectl get pvc -n NAMESPACE -o yaml > DIR/pvcs.yaml",
  "prometheusrules.yaml": "kubectl get prometheusrules -A -o yaml > DIR/prometheusrules.yaml",
  "namespaces.yaml": "kubectl get namespaces -o yaml > DIR/namespaces.yaml",
  "servicemonitors.yaml": "kubectl get servicemonitors -A -o yaml > DIR/servicemonitors.yaml",
  "podmonitors.yaml": "kubectl get podmonitors -A -o yaml > DIR/podmonitors.yaml",
  "probes.yaml": "kubectl get probes -A -o yaml > DIR/probes.yaml",
  "scrapeconfigs.yaml": "kubectl get scrapeconfigs -A -o yaml > DIR/scrapeconfigs.yaml",
};

/**
 * The kind of each item of a kubectl report, as `kubectl get -o yaml` writes it on every item: the
 * change check reads each as that kind (a StatefulSet's claim templates, a claim's size), so a
 * report of another (`kubectl get secrets` by mistake) would read as an empty one.
 */
const ITEM_KIND: Record<string, string> = {
  "statefulsets.yaml": "StatefulSet",
  "pvcs.yaml": "PersistentVolumeClaim",
  "prometheusrules.yaml": "PrometheusRule",
  "namespaces.yaml": "Namespace",
  "servicemonitors.yaml": "ServiceMonitor",
  "podmonitors.yaml": "PodMonitor",
  "probes.yaml": "Probe",
  "scrapeconfigs.yaml": "ScrapeConfig",
};

/**
 * The items not of `kind`, grouped by what they are (`items 0, 1: kind Secret; item 2: a number`),
 * or undefined when every one is. Said by its kind or its keys' names, never a value: a report
 * of Secrets holds their data.
 */
function wrongKinds(items: unknown[], kind: string): string | undefined {
  const found = new Map<string, number[]>();
  items.forEach((item, i) => {
    const k = item && typeof item === "object" && !Array.isArray(item) ? (item as any).kind : undefined;
    if (k === kind) return;
    const what =
      item === null || item === undefined
        ? "nothing"
        : Array.isArray(item)
          ? "a list"
          : typeof item !== "object"
            ? `a ${typeof item}`
            : typeof k === "string" && /^[A-Za-z][A-Za-z0-9]{0,62}$/.test(k)
              ? `kind ${k}`
              : k === undefined
                ? `no kind (keys: ${Object.keys(item).join(", ") || "none"})`
                : "a kind that is no Kubernetes kind name";
    found.set(what, [...(found.get(what) ?? []), i]);
  });
  if (found.size === 0) return undefined;
  return [...found]
    .map(([what, ix]) => `${ix.length > 1 ? "items" : "item"} ${firstFive(ix)}: ${what}`)
    .join("; ");
}

/** The first five of a list a message names, and how many there are when it names only those. */
const firstFive = (xs: (string | number)[]) =>
  xs.length > 5 ? `${xs.slice(0, 5).join(", ")} … (${xs.length} in all)` : xs.join(", ");

/**
 * What a values file holds when it is another chart's values (`helm get values` of another
 * release saved under this one's name, an easy slip when saving several), said by that chart and
 * the top-level keys that show it; undefined when it is not, or when the keys that would show it
 * are not known. Read as this release's values, the update would keep nothing of what runs: each
 * kept key (a claim's size, the Prometheus storage) would read as unset.
 *
 * The file is judged by its own chart's keys at the version that runs (helm-list.yaml) alone: a
 * chart's keys change between versions (loki 2's single-binary values share few top-level keys
 * with loki 18's), so without that version's archive in the chart cache the file is judged by its
 * form alone. Only a distinctive key is evidence: one that at most two pinned charts' values hold
 * (at their pinned versions). Keys many charts have (affinity, resources, persistence,
 * nodeSelector) tell nothing of which chart a file is, and Helm hands `global` to every chart. The
 * file is another chart's when most of its distinctive keys are no key of its own chart and are
 * keys of that chart (at a version helm-list.yaml says runs or its pinned one): `helm get values
 * --all` prints every top-level key of the chart's defaults, so keys a user added beside them or
 * under them, or a subchart's (a key of its parent's values), never make the majority.
 */
function anotherChartsValues(
  values: Record<string, unknown>,
  release: { chart: string; version: string },
  running: { chart: string; version: string }[],
  keysOf: ValuesKeysOf,
): string | undefined {
  const own = keysOf(release.chart, release.version);
  if (own === undefined) return undefined;
  const pinned = Object.values(versions.charts).map(({ chart, version }) => keysOf(chart, version));
  const distinctive = Object.keys(values).filter(
    (k) => k !== "global" && pinned.filter((keys) => keys?.has(k)).length <= 2,
  );
  const most = (xs: string[]) => xs.length * 2 > distinctive.length;
  const notOwn = distinctive.filter((k) => !own.has(k));
  if (!most(notOwn)) return undefined;
  // Each other pinned chart at the version holding most of them, one that runs before its pinned one.
  const theirs = Object.values(versions.charts)
    .filter((c) => c.chart !== release.chart)
    .flatMap(({ chart, version }) => {
      const at = new Set([...running.filter((r) => r.chart === chart).map((r) => r.version), version]);
      const held = [...at].flatMap((v) => {
        const keys = keysOf(chart, v);
        return keys ? [{ chart, version: v, keys: notOwn.filter((k) => keys.has(k)) }] : [];
      });
      const best = held.reduce<(typeof held)[number] | undefined>(
        (b, h) => (b && b.keys.length >= h.keys.length ? b : h),
        undefined,
      );
      return best && most(best.keys) ? [best] : [];
    });
  if (theirs.length === 0) return undefined;
  const top = Math.max(...theirs.map((c) => c.keys.length));
  const named = theirs.filter((c) => c.keys.length === top);
  // The keys every chart named holds: two holding most of the keys share some.
  const shown = named[0].keys.filter((k) => named.every((c) => c.keys.includes(k)));
  const many = shown.length > 1;
  const [first, ...others] = named.map((c) => `chart ${c.chart} ${c.version}'s`);
  return `what looks like the values of chart ${listed(
    named.map((c) => c.chart),
    "or",
  )} (top-level ${many ? "keys" : "key"} ${firstFive(shown)}: ${many ? "keys" : "a key"} of ${first} values${others.map((o) => ` and of ${o}`).join("")}, ${many ? "none of them a key" : "not a key"} of chart ${release.chart} ${release.version}'s), as when another release's \`helm get values\` is saved under this name`;
}

/** The optional reports of the monitors prometheus-operator reads (each kind it may drop, checks/monitorDurations.ts). */
const MONITOR_FILES = [
  "servicemonitors.yaml",
  "podmonitors.yaml",
  "probes.yaml",
  "scrapeconfigs.yaml",
] as const;

/** The optional reports: the change check lists the rule evaluators' change, and judges the running monitors, only with them. */
export const OPTIONAL_RUNNING_FILES = [
  "prometheusrules.yaml",
  "namespaces.yaml",
  "servicemonitors.yaml",
  "podmonitors.yaml",
  "probes.yaml",
  "scrapeconfigs.yaml",
] as const;

/**
 * A word as one POSIX shell word, the one quoting every command a hint prints goes through: as it is
 * when it holds nothing a shell reads, else (or, with `quoted`, always) in single quotes, each `'`
 * closed, escaped and reopened (`'\''`). Pasted, the shell hands the program the word unchanged: a
 * space, `$`, `*`, `;` or quote inside it split or expanded it.
 */
export const shellWord = (p: string, quoted = false): string =>
  !quoted && /^[\w@%+=:,./-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`;

/** The folder as a shell word before `/<file>`: `running/` as given makes `running/x`, not `running//x`. */
const folderWord = (dir: string) => shellWord(dir.replace(/(.)\/+$/, "$1"));

/**
 * A `helm`, `kubectl` or `flux` command pinned to `context` when the stack pins one (helm's
 * `--kube-context`, kubectl's and flux's `--context`): run as printed, it reads the stack's cluster
 * whichever context the kubeconfig selects, not another cluster's state, quietly.
 */
export function inContext(cmd: string, context: string | undefined): string {
  if (!context) return cmd;
  return cmd
    .replace(/^helm /, `helm --kube-context ${shellWord(context)} `)
    .replace(/^(kubectl|flux) /, `$1 --context ${shellWord(context)} `);
}

/**
 * How to collect one report of the running state into `dir` (the folder as the user gave it) from
 * the stack's namespace (where the releases it takes over run) and kube context: the namespace
 * left as NAMESPACE, and said, only when no stack names it. A placeholder pasted as printed makes
 * `helm list -n NAMESPACE` write an empty list, quietly.
 */
export const runningCommand = (file: string, dir = "DIR", from: RunningSource = {}): string => {
  const cmd = inContext(COMMANDS[file].replace("DIR/", `${folderWord(dir)}/`), from.context);
  if (!cmd.includes("NAMESPACE")) return cmd;
  return from.namespace !== undefined
    ? cmd.replace("NAMESPACE", shellWord(from.namespace))
    : `${cmd} (NAMESPACE: the one the running releases are in)`;
};

/** The values file of one running release in the folder. */
export const valuesFileOf = (r: { name: string; namespace: string }): string =>
  `${r.namespace}.${r.name}.values.yaml`;

/** How to collect one running release's values into `dir` (the folder as the user gave it), in `context` when the stack pins one. */
export const valuesCommand = (
  r: { name: string; namespace: string },
  dir = "DIR",
  context?: string,
): string =>
  inContext(
    `helm get values ${r.name} -n ${r.namespace} --all -o yaml > ${folderWord(dir)}/${valuesFileOf(r)}`,
    context,
  );

/** `loki-6.49.0` -> chart `loki`, version `6.49.0` (the version starts at the last `-<digit>`). */
export function splitChart(chartField: string): { chart: string; version: string } | undefined {
  const m = /^(.+?)-(v?\d+\.\d+\.\d+[^\s]*)$/.exec(chartField);
  return m ? { chart: m[1], version: m[2] } : undefined;
}

/** A report missing, no YAML or of another command: said once, where it was read, and judged no further. */
const UNREAD = Symbol("unread");

/** What each report is, as its refusal says it expected. */
const EXPECTED = {
  list: "the list `helm list -o yaml` prints (entries with name, namespace, chart)",
  values: "the values `helm get values --all -o yaml` prints (a map of the chart's values)",
  items: "kubectl's List (kind: List, items: [...])",
};

/** What a values file holds that reads as no values, said with why it does (runningReleases). */
const EMPTY_VALUES =
  "nothing (an empty file is what the redirection leaves when helm fails: its error goes to the terminal, as when the release is not in that namespace or kube context)";
const NULL_VALUES =
  "null (what `helm get values` prints without `--all` for a release given no values of its own)";

/**
 * `<file>:<line>` of entry `i` of a list report (helm-list.yaml), at its key `key` when it has one,
 * else at the entry: a refusal names the line to look at, not an index to count to. The text is
 * parsed again with eemeli/yaml v2, whose nodes keep their place (js-yaml's do not), only when a
 * refusal or a status needs it; `<file> entry <n>` (1-based) where that parse does not place it.
 */
function entryPlaces(file: string, text: string): (i: number, key?: string) => string {
  let parsed: { doc: ReturnType<typeof parseDocument>; counter: LineCounter } | undefined;
  return (i, key) => {
    if (!parsed) {
      const counter = new LineCounter();
      parsed = { doc: parseDocument(text, { lineCounter: counter }), counter };
    }
    const { doc, counter } = parsed;
    const node = [key === undefined ? undefined : doc.getIn([i, key], true), doc.getIn([i], true)].find(
      isNode,
    );
    const start = node?.range?.[0];
    return start === undefined ? `${file} entry ${i + 1}` : `${file}:${counter.linePos(start).line}`;
  };
}

/** A Kubernetes object: a map with apiVersion, kind and metadata (what no chart's values are). */
const isObject = (d: unknown): d is { apiVersion: string; kind: string; metadata: Record<string, unknown> } =>
  !!d &&
  typeof d === "object" &&
  typeof (d as any).apiVersion === "string" &&
  typeof (d as any).kind === "string" &&
  !!(d as any).metadata &&
  typeof (d as any).metadata === "object";

/** A name as it may be quoted: a Kubernetes name, never a value that holds a secret. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * The table helm and kubectl print without `-o yaml`, by its first line (the header): `helm get
 * values` prints `USER-SUPPLIED VALUES:` (`COMPUTED VALUES:` with `--all`) above the YAML, which
 * would read as a values key of that name; `helm list` and `kubectl get` a header of column names.
 */
function tableForm(text: string): string | undefined {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.trim() !== "");
  const first = (lines[i] ?? "").trim();
  if (/^(USER-SUPPLIED|COMPUTED) VALUES:$/.test(first))
    return `the table \`helm get values\` prints without \`-o yaml\` (line ${i + 1}: "${first}")`;
  if (/^NAME(\s+[A-Z][A-Z-]*( [A-Z][A-Z-]*)?)+$/.test(first))
    return `a table (line ${i + 1}: "${first.replace(/\s+/g, " ")}"), as helm and kubectl print without \`-o yaml\``;
  return undefined;
}

/**
 * Kubernetes objects where a report of another form belongs, by kind and name (never a value: a
 * Secret's data, a HelmRelease's values). Flux's HelmRelease (`flux export helmrelease`, or
 * `kubectl get helmrelease -o yaml`) is said as such: it holds what Flux asks of Helm, not the
 * release Helm runs, its values without the chart's defaults and without those of its valuesFrom.
 */
function objectsForm(docs: unknown[]): string | undefined {
  const present = docs.filter((d) => d !== null && d !== undefined);
  if (present.length === 0 || !present.every(isObject)) return undefined;
  const named = (o: (typeof present)[number]) => {
    const ns = o.metadata.namespace;
    const name = o.metadata.name;
    if (typeof name !== "string" || !NAME.test(name)) return undefined;
    return typeof ns === "string" && NAME.test(ns) ? `${ns}/${name}` : name;
  };
  const shown = present.map(named).filter((x) => x !== undefined);
  const names = shown.length > 0 ? listed(shown) : undefined;
  const flux = present.every(
    (o) => o.kind === "HelmRelease" && o.apiVersion.startsWith("helm.toolkit.fluxcd.io/"),
  );
  if (flux)
    return `${present.length === 1 ? "a Flux HelmRelease" : `${present.length} Flux HelmReleases`}${names ? ` ${names}` : ""} (what \`flux export helmrelease\` writes: what Flux asks of Helm, not the release Helm runs)`;
  const kinds = [
    ...new Set(present.map((o) => (/^[A-Za-z][A-Za-z0-9]{0,62}$/.test(o.kind) ? o.kind : "object"))),
  ];
  return `${present.length === 1 ? "a Kubernetes object" : `${present.length} Kubernetes objects`} of kind ${listed(kinds)}${names ? ` (${names})` : ""}`;
}

/** What a report holds that is not what its command prints, said by its form: its type's name. */
function shapeOf(doc: unknown): string {
  return (
    objectsForm([doc]) ??
    (doc === null || doc === undefined
      ? "nothing"
      : Array.isArray(doc)
        ? "a list"
        : `a ${typeof doc === "object" ? "map" : typeof doc}`)
  );
}

/**
 * Parses the four reports (texts by file name) into the running state. Every file is judged before
 * any refusal, so one run names each that is missing or misshapen (a folder collected in one go
 * often lacks several): only the values files wait for helm-list.yaml, which names them. Each
 * command names the stack's namespace and kube context (`from`), when given. With the charts'
 * values keys (`keysOf`), a values file holding another chart's values is refused too.
 */
export function parseRunning(
  dir: string,
  read: (file: string) => string | NotText | undefined,
  from: RunningSource = {},
  names: readonly string[] = [],
  keysOf?: ValuesKeysOf,
): RunningState {
  const problems: string[] = [];
  const refused = (file: string, expected: string, found: string, cmd: string) =>
    problems.push(`${path.join(dir, file)}: expected ${expected}, found ${found}; collect it with: ${cmd}`);
  /**
   * The file's YAML, or UNREAD when it is missing, no YAML or another command's output (said in
   * `problems`, with what it was expected to hold).
   */
  const need = (file: string, expected: string, cmd: string, note = ""): unknown => {
    const text = read(file);
    if (text === undefined) {
      problems.push(`${path.join(dir, file)}: missing; collect it with: ${cmd}${note}`);
      return UNREAD;
    }
    if (text instanceof NotText) {
      refused(file, expected, `${text.found}; ${SAVE_AS}`, cmd);
      return UNREAD;
    }
    // A table read as YAML is a string or a map of its header: said as the table it is.
    const table = tableForm(text);
    if (table) {
      refused(file, expected, table, cmd);
      return UNREAD;
    }
    let docs: unknown[];
    try {
      docs = loadAll(text);
    } catch (e) {
      // A values file of `helm get values --all` holds credentials in plain text: js-yaml's own
      // message quotes the lines about the mistake, these are shown without their secrets.
      problems.push(notYamlMessage(path.join(dir, file), text, e, `YAML (${cmd})`, 1));
      return UNREAD;
    }
    // Each command prints one document; several are another's output (`flux export` writes one
    // per object, each after `---`).
    if (docs.length > 1) {
      refused(file, expected, objectsForm(docs) ?? `${docs.length} YAML documents`, cmd);
      return UNREAD;
    }
    return docs[0];
  };
  const warnings: string[] = [];
  const releases = runningReleases(dir, read, need, refused, problems, from, names, keysOf, warnings);
  const items = (file: string): Record<string, any>[] => {
    const cmd = runningCommand(file, dir, from);
    const doc = need(file, EXPECTED.items, cmd) as any;
    if (doc === UNREAD) return [];
    if (!Array.isArray(doc?.items)) {
      refused(file, EXPECTED.items, shapeOf(doc), cmd);
      return [];
    }
    const wrong = wrongKinds(doc.items, ITEM_KIND[file]);
    if (wrong) {
      problems.push(
        `${path.join(dir, file)}: expected every item of kind ${ITEM_KIND[file]} (from: ${cmd}), found ${wrong}`,
      );
      return [];
    }
    return doc.items;
  };
  const optional = (file: string) => (read(file) === undefined ? {} : { [file]: items(file) });
  const statefulSets = items("statefulsets.yaml");
  const pvcs = items("pvcs.yaml");
  const extra: Record<string, Record<string, any>[]> = Object.assign(
    {},
    ...OPTIONAL_RUNNING_FILES.map(optional),
  );
  if (problems.length === 1) throw new RunningStateError(problems[0]);
  if (problems.length > 1)
    throw new RunningStateError(
      [
        `${problems.length} of the folder's reports are missing or refused:`,
        ...problems.map((p) => p.replace(/^/gm, "  ")),
      ].join("\n"),
    );
  return {
    dir,
    from,
    releases,
    statefulSets,
    pvcs,
    ...(extra["prometheusrules.yaml"] ? { prometheusRules: extra["prometheusrules.yaml"] } : {}),
    ...(extra["namespaces.yaml"] ? { namespaces: extra["namespaces.yaml"] } : {}),
    ...(MONITOR_FILES.some((f) => extra[f])
      ? { monitors: MONITOR_FILES.flatMap((f) => extra[f] ?? []) }
      : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

/**
 * The releases helm-list.yaml lists, each with its values file; what is missing or misshapen is
 * added to `problems` (an entry refused is left out, the others still read).
 */
function runningReleases(
  dir: string,
  read: (file: string) => string | NotText | undefined,
  need: (file: string, expected: string, cmd: string, note?: string) => unknown,
  refused: (file: string, expected: string, found: string, cmd: string) => void,
  problems: string[],
  from: RunningSource,
  names: readonly string[],
  keysOf: ValuesKeysOf | undefined,
  warnings: string[],
): RunningRelease[] {
  const listCmd = runningCommand("helm-list.yaml", dir, from);
  // Without the list the values files it would name are unknown: said, so the next run's
  // refusal of them is no surprise.
  const list = need(
    "helm-list.yaml",
    EXPECTED.list,
    listCmd,
    "; then the values file of each release it lists (helm get values), named once it is there",
  );
  if (list === UNREAD) return [];
  if (!Array.isArray(list)) {
    refused("helm-list.yaml", EXPECTED.list, shapeOf(list), listCmd);
    return [];
  }
  const elsewhere = listedElsewhere(dir, list, names, from);
  if (elsewhere) problems.push(elsewhere);
  const strays = strayValuesFiles(dir, list, names, (f) => read(f) !== undefined, from);
  warnings.push(...strays.warnings);
  const releases: RunningRelease[] = [];
  // The list was read as text here: bytes that are no text are UNREAD above.
  const listText = read("helm-list.yaml");
  const at = entryPlaces(path.join(dir, "helm-list.yaml"), typeof listText === "string" ? listText : "");
  // The charts that run, at their versions: a values file of one of them is known by its keys there.
  const running = list.flatMap((e: any) => {
    const cv = typeof e?.chart === "string" ? splitChart(e.chart) : undefined;
    return cv ? [cv] : [];
  });
  list.forEach((e: any, i: number) => {
    if (typeof e?.name !== "string" || typeof e?.namespace !== "string" || typeof e?.chart !== "string") {
      problems.push(
        `${at(i)}: expected name, namespace and chart ("<chart>-<version>"), got keys ${Object.keys(e ?? {}).join(", ")}`,
      );
      return;
    }
    const cv = splitChart(e.chart);
    if (!cv) {
      problems.push(
        `${at(i, "chart")}: chart of release ${e.namespace}/${e.name}: expected "<chart>-<version>" like "loki-6.49.0", got "${e.chart}"`,
      );
      return;
    }
    const file = valuesFileOf(e);
    const cmd = valuesCommand(e, dir, from.context);
    const values = need(file, EXPECTED.values, cmd, strays.notes.get(file));
    if (values === UNREAD) return;
    // `--all` prints the chart's defaults merged with what was set, never nothing: an empty file is
    // what the redirection leaves when helm fails (its error goes to stderr: the release is not in
    // that namespace, another context), `null` what `helm get values` prints without `--all` for a
    // release given no values. Read as no values, the update would keep nothing from what runs
    // (a claim's size, the Prometheus storage) and set those values unset.
    if (values === undefined || values === null) {
      refused(file, EXPECTED.values, values === null ? NULL_VALUES : EMPTY_VALUES, cmd);
      return;
    }
    // A Kubernetes object (a HelmRelease, the Secret its valuesFrom names) would render as values.
    if (typeof values !== "object" || Array.isArray(values) || isObject(values)) {
      refused(file, EXPECTED.values, shapeOf(values), cmd);
      return;
    }
    const another = keysOf && anotherChartsValues(values as Record<string, unknown>, cv, running, keysOf);
    if (another) {
      refused(file, `the values of release ${e.namespace}/${e.name} (chart ${e.chart})`, another, cmd);
      return;
    }
    releases.push({
      name: e.name,
      namespace: e.namespace,
      ...cv,
      values: values as Record<string, any>,
      ...(typeof e.status === "string" ? { status: { value: e.status, at: at(i, "status") } } : {}),
    });
  });
  return releases;
}

/**
 * The folder contradicting itself: values files of releases in a namespace where helm-list.yaml
 * lists none. `helm get values` names its release and namespace, `helm list` without `-n` lists
 * the current namespace's alone (or another cluster's, under another kube context), so the list
 * is the report collected elsewhere. Said once, with the command that collects the list, rather
 * than as every release it does not show (each import refused, each StatefulSet's claim templates
 * read as changed). A namespace is a DNS label (no dot), so a values file's name starts with it.
 */
function listedElsewhere(
  dir: string,
  list: unknown[],
  names: readonly string[],
  from: RunningSource,
): string | undefined {
  const listedIn = new Set(list.map((e: any) => e?.namespace));
  const orphans = new Map<string, string[]>();
  for (const f of [...names].sort()) {
    const m = /^([a-z0-9-]+)\.(.+)\.values\.yaml$/.exec(f);
    if (!m || listedIn.has(m[1])) continue;
    orphans.set(m[1], [...(orphans.get(m[1]) ?? []), `${m[1]}/${m[2]}`]);
  }
  if (orphans.size === 0) return undefined;
  const namespaces = [...orphans.keys()];
  // The folder holds one namespace's reports (COMMANDS): the stack's, when its values are there.
  const namespace = from.namespace && orphans.has(from.namespace) ? from.namespace : namespaces[0];
  return `${path.join(dir, "helm-list.yaml")}: lists no release in ${listed(namespaces)}, yet the folder holds the values (helm get values) of ${listed([...orphans.values()].flat())}: the list was collected from another namespace or kube context (\`helm list\` without -n lists the current namespace's releases alone); collect it again with: ${runningCommand("helm-list.yaml", dir, { ...from, namespace })}`;
}

/** `<namespace>/<release>` of a listed entry, or undefined for an entry without them (refused). */
const releaseKey = (e: any): string | undefined =>
  typeof e?.name === "string" && typeof e?.namespace === "string" ? `${e.namespace}/${e.name}` : undefined;

/**
 * The values files (`*.values.yaml`) in the folder that are no listed release's: only the releases
 * helm-list.yaml lists are read, so each would be passed over in silence (a release's values saved
 * under another name or namespace). One standing for a listed release whose own file is missing
 * (the closest by name, or the only one of each) is named in that file's refusal (`notes`, by the
 * missing file); any other is a warning, since the check then reads every listed release's own
 * file and loses nothing by it. Those of a namespace the list has no release in are
 * {@link listedElsewhere}'s refusal.
 */
function strayValuesFiles(
  dir: string,
  list: unknown[],
  names: readonly string[],
  exists: (file: string) => boolean,
  from: RunningSource,
): { notes: Map<string, string>; warnings: string[] } {
  const releases = list.flatMap((e: any) => {
    const key = releaseKey(e);
    return key ? [{ key, file: valuesFileOf(e) }] : [];
  });
  const files = new Set(releases.map((r) => r.file));
  const namespaces = new Set(releases.map((r) => r.key.split("/")[0]));
  const strays = [...names]
    .sort()
    .filter((f) => f.endsWith(".values.yaml") && !files.has(f))
    .map((file) => {
      const stem = file.slice(0, -".values.yaml".length);
      const dot = stem.indexOf(".");
      return { file, key: dot < 0 ? undefined : `${stem.slice(0, dot)}/${stem.slice(dot + 1)}`, stem };
    })
    .filter((s) => !(s.key && /^[a-z0-9-]+\//.test(s.key) && !namespaces.has(s.key.split("/")[0])));
  const notes = new Map<string, string>();
  const missing = releases.filter((r) => !exists(r.file));
  const paired = new Set<string>();
  for (const r of missing) {
    const free = strays.filter((s) => !paired.has(s.file));
    const name = (s: (typeof strays)[number]) => s.key ?? `${r.key.split("/")[0]}/${s.stem}`;
    const near = closestMatch(r.key, free.map(name));
    const stray =
      free.find((s) => name(s) === near) ?? (missing.length === 1 && free.length === 1 ? free[0] : undefined);
    if (!stray) continue;
    paired.add(stray.file);
    notes.set(
      r.file,
      `; the folder holds ${stray.file}, of a release helm-list.yaml does not list: if it holds the values of ${r.key}, rename it to ${r.file}`,
    );
  }
  const all = releases.map((r) => r.key);
  const warnings = strays
    .filter((s) => !paired.has(s.file))
    .map((s) => {
      const near = closestMatch(s.key ?? s.stem, s.key ? all : all.map((k) => k.split("/")[1]));
      const closest = releases.find((r) => (s.key ? r.key : r.key.split("/")[1]) === near);
      const closestText = closest ? `; the closest is ${closest.key}, read from ${closest.file}` : "";
      const read = `only the releases ${s.key ? "it lists" : "helm-list.yaml lists"} are read (${listed(all)})`;
      return s.key
        ? `${path.join(dir, s.file)}: not read: it is the values file of release ${s.key}, which helm-list.yaml does not list, and ${read}${closestText}. If ${s.key} runs, collect the list again with: ${runningCommand("helm-list.yaml", dir, from)}`
        : `${path.join(dir, s.file)}: not read: a release's values file is named <namespace>.<release>.values.yaml, and ${read}${closestText}`;
    });
  return { notes, warnings };
}

/**
 * Reads the running state from a folder; each command it names collects from `from`, the stack's
 * namespace and context. With `keysOf`, a values file holding another chart's values is refused.
 *
 * Each call parses the folder again, though one `synth --running` reads it up to three times (the
 * flag's check in cli/synthRun.ts, takeover.running in config/takeoverRunning.ts, the change's
 * previous state in change/check.ts). Measured and not kept (round fifty-one): a per-process memo
 * of the outcome, checked against the folder's names, every file's bytes and every chart's keys it
 * asked for, each caller handed a structuredClone. A repeated read of a seed's folder, warm, one
 * process: 17.5 ms of CPU -> 6.0 ms. But a warm test run synthesizes through the fixture cache, so
 * config/takeoverRunning.ts's read never runs, and each test writes its folder anew (another path:
 * the flag's first read is always a miss): test/change/runningAdoptedAgentStep and
 * runningRefusalCount together, five alternating runs each, median 3.48 s of CPU without, 3.51 s
 * with it (spread 3.40-3.70): no gain. Cold, those two files read 4 folders 17 times (419 ms).
 */
export function readRunningDir(dir: string, from: RunningSource = {}, keysOf?: ValuesKeysOf): RunningState {
  return parseRunning(
    dir,
    (file) => {
      const p = path.join(dir, file);
      return fs.existsSync(p) ? reportText(fs.readFileSync(p)) : undefined;
    },
    from,
    fs.existsSync(dir) ? fs.readdirSync(dir) : [],
    keysOf,
  );
}

/** A report's bytes that are no text it reads: what they are, in words (never the bytes). */
export class NotText {
  constructor(readonly found: string) {}
}

/** What a refusal of bytes that are no text says to do. */
const SAVE_AS =
  "save it as UTF-8, or as UTF-16 with its byte-order mark (what Windows PowerShell's > writes)";

/**
 * A report's text by its byte-order mark: Windows PowerShell 5.1's `>` writes UTF-16 LE behind FF
 * FE, Notepad's "UTF-8 with BOM" EF BB BF first; else UTF-8. Bytes that do not decode, and NUL,
 * which no report holds (UTF-16 without its mark has one in every other byte of ASCII text,
 * valid UTF-8 read so), are {@link NotText}: read on, they were a YAML error quoting them.
 */
export function reportText(bytes: Buffer): string | NotText {
  const mark = (...b: number[]) => b.every((x, i) => bytes[i] === x);
  const [encoding, body] = mark(0xff, 0xfe)
    ? (["UTF-16 LE", bytes.subarray(2)] as const)
    : mark(0xfe, 0xff)
      ? (["UTF-16 BE", Buffer.from(bytes.subarray(2)).swap16()] as const)
      : (["UTF-8", bytes.subarray(mark(0xef, 0xbb, 0xbf) ? 3 : 0)] as const);
  // An odd count of UTF-16 bytes cannot be swapped: said as bytes that are no UTF-16 text.
  if (encoding === "UTF-16 BE" && bytes.length % 2 !== 0) return notUtf16(encoding);
  let text: string;
  try {
    text = new TextDecoder(encoding === "UTF-8" ? "utf-8" : "utf-16le", {
      fatal: true,
      ignoreBOM: true,
    }).decode(body);
  } catch {
    return encoding === "UTF-8" ? new NotText("bytes that are no UTF-8 text") : notUtf16(encoding);
  }
  if (!text.includes("\u0000")) return text;
  return new NotText(
    encoding === "UTF-8"
      ? "bytes that are no UTF-8 text: NUL bytes, as UTF-16 text without its byte-order mark holds"
      : `NUL characters after its ${encoding} byte-order mark, which no report holds`,
  );
}

const notUtf16 = (encoding: string) =>
  new NotText(`bytes that are no ${encoding} text, though it begins with ${encoding}'s byte-order mark`);

/** One values path whose running value the program keeps. */
export interface KeptPath {
  path: string;
  /** Kept only while the running release has this StatefulSet (by release name). */
  statefulSet?: (release: string) => string;
  /** Kept only while this running value is true (the object it shapes exists). */
  whenRunning?: string;
  /** Kept only when the running release passes this test (the running value means something). */
  when?: (release: RunningRelease) => boolean;
  /**
   * The value that renders what runs, read from the live objects rather than from the running
   * values (undefined: keep the running value as usual).
   */
  derive?: (release: RunningRelease, state: Pick<RunningState, "statefulSets">) => unknown;
  /**
   * `derive` reads what the running objects hold under the running chart too (a claim's size), so
   * the running release renders with it ({@link valuesAsTheyRun}); not so a value the program's
   * chart needs to render what runs (fullnameOverride).
   */
  live?: true;
}

/**
 * The loki chart's `fullnameOverride` that keeps the running write and backend StatefulSets'
 * `serviceName`, which Kubernetes never changes in place. Up to 6.x the chart named it after the
 * chart's name (`{{ include "loki.name" . }}-write-headless`: loki 6.49.0
 * templates/write/statefulset-write.yaml:33, backend/statefulset-backend.yaml:30); from 18.x after
 * the full name (`loki.resourceName` with suffix `headless`: loki 18.11.0 templates/_workload.tpl,
 * `<fullname>-write-headless`). The two agree only when the full name is the chart's name, so a
 * release named otherwise gets that full name back as an override. The StatefulSets, their claims
 * and selectors keep their names (`{{ include "loki.name" . }}-write`, the release's labels); only
 * Services and ConfigMaps named after the full name move.
 */
function lokiHeadlessFullname(release: RunningRelease, state: Pick<RunningState, "statefulSets">): unknown {
  for (const x of state.statefulSets) {
    if ((x.metadata?.namespace ?? release.namespace) !== release.namespace) continue;
    if (x.metadata?.labels?.["app.kubernetes.io/instance"] !== release.name) continue;
    const m = /^(.+)-(write|backend)-headless$/.exec(String(x.spec?.serviceName ?? ""));
    if (!m || x.metadata?.name !== `${m[1]}-${m[2]}`) continue;
    // What chart 18 makes of the running values alone (loki 18.11.0 templates/_helpers.tpl
    // `loki.fullname`): nothing to keep when it is already that name.
    const name = String(release.values.nameOverride || "loki");
    const fullname = String(
      release.values.fullnameOverride ||
        (release.name.includes(name) ? release.name : `${release.name}-${name}`),
    );
    return m[1] === fullname ? undefined : m[1];
  }
  return undefined;
}

/** Loki's schema periods as the running values hold them, when they hold any. */
const schemaPeriods = (release: RunningRelease): unknown[] | undefined => {
  const configs = release.values.loki?.schemaConfig?.configs;
  return Array.isArray(configs) && configs.length > 0 ? configs : undefined;
};

/**
 * The running schema periods with each `from` as Loki reads it, a `YYYY-MM-DD` day (grafana/loki
 * v3.7.6 pkg/storage/config/schema_config.go DayTime.UnmarshalYAML): a YAML reader may have made an
 * unquoted day a Date, which Helm would write back as a timestamp Loki refuses.
 */
function runningSchema(release: RunningRelease): unknown {
  const day = (v: unknown) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);
  const configs = (schemaPeriods(release) ?? []).map((c) =>
    c && typeof c === "object" ? { ...c, from: day((c as Record<string, unknown>).from) } : c,
  );
  return { ...release.values.loki.schemaConfig, configs };
}

/** The running StatefulSet `name` in the release's namespace. */
const statefulSetOf = (state: Pick<RunningState, "statefulSets">, release: RunningRelease, name: string) =>
  state.statefulSets.find(
    (x) => x.metadata?.name === name && (x.metadata?.namespace ?? release.namespace) === release.namespace,
  );
const hasStatefulSet = (state: Pick<RunningState, "statefulSets">, release: RunningRelease, name: string) =>
  statefulSetOf(state, release, name) !== undefined;

/**
 * The storage the running StatefulSet `sset` of the release claims per pod (statefulsets.yaml: its
 * claim template's request, the one template of a loki target, `data` or `storage`), which the API
 * server never lets change. The values file may lack the size (collected without `--all`, or the
 * chart's default), and kept from there as unset it would render `storage: null`, which no
 * StatefulSet accepts.
 */
const liveClaimSize =
  (sset: (release: string) => string) =>
  (release: RunningRelease, state: Pick<RunningState, "statefulSets">): unknown => {
    const live = statefulSetOf(state, release, sset(release.name));
    const templates: any[] = Array.isArray(live?.spec?.volumeClaimTemplates)
      ? live.spec.volumeClaimTemplates
      : [];
    const claim =
      templates.length === 1
        ? templates[0]
        : templates.find((t) => ["data", "storage"].includes(t?.metadata?.name));
    const size: unknown = claim?.spec?.resources?.requests?.storage;
    return typeof size === "string" || typeof size === "number" ? size : undefined;
  };

const lokiTarget = (target: string, sset: (release: string) => string): KeptPath[] =>
  [
    "volumeClaimsEnabled",
    "size",
    "storageClass",
    "accessModes",
    "annotations",
    "labels",
    "selector",
    "volumeAttributesClassName",
  ].map((k) => ({
    path: `${target}.persistence.${k}`,
    statefulSet: sset,
    ...(k === "size" ? { derive: liveClaimSize(sset), live: true as const } : {}),
  }));

/**
 * Values whose running value the program keeps, by chart: what decides volumeClaimTemplates
 * (names, classes, sizes, labels) of StatefulSets that exist, claims the chart creates, the
 * storage of operator-made StatefulSets, and selectors (name overrides). Kubernetes refuses to
 * change them in place (change/apiRules.ts).
 */
export const KEPT_VALUES: Record<string, KeptPath[]> = {
  loki: [
    // Loki finds each day's index and chunks by the schema period whose `from` covers it
    // (config/lokiValueCheck.ts lokiSchemaProblems): the program's one period in place of the
    // running ones reads every day written before with another layout, and finds nothing.
    { path: "loki.schemaConfig", when: (r) => schemaPeriods(r) !== undefined, derive: runningSchema },
    { path: "nameOverride" },
    { path: "fullnameOverride", derive: lokiHeadlessFullname },
    ...lokiTarget("singleBinary", (r) => r),
    ...lokiTarget("write", (r) => lokiName("write", r)),
    ...lokiTarget("backend", (r) => lokiName("backend", r)),
    ...lokiTarget("read", (r) => lokiName("read", r)),
  ],
  "kube-prometheus-stack": [
    { path: "nameOverride" },
    { path: "fullnameOverride" },
    { path: "prometheus.prometheusSpec.storageSpec" },
    { path: "alertmanager.alertmanagerSpec.storage" },
  ],
  grafana: [
    { path: "nameOverride" },
    { path: "fullnameOverride" },
    ...["type", "storageClassName", "accessModes", "size", "volumeName", "selectorLabels"].map((k) => ({
      path: `persistence.${k}`,
      whenRunning: "persistence.enabled",
    })),
  ],
  alloy: [{ path: "nameOverride" }, { path: "fullnameOverride" }],
  vector: [{ path: "nameOverride" }, { path: "fullnameOverride" }],
};

/**
 * The paths the takeover keeps ({@link KEPT_VALUES}) that a running release's values set: where a
 * value the first update keeps from what runs comes from, for a message.
 */
export function keptPathsSet(release: RunningRelease): string[] {
  return (KEPT_VALUES[release.chart] ?? [])
    .map((k) => k.path)
    .filter((p) => get(release.values, p.split(".")) !== undefined);
}

const get = (o: any, p: string[]) =>
  p.reduce((x, k) => (x == null || typeof x !== "object" ? undefined : x[k]), o);
/** JSON with every map's keys sorted: two values that differ only in key order are the same. */
const sorted = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sorted)
    : v && typeof v === "object" && !(v instanceof Date)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
        )
      : v;
const same = (a: unknown, b: unknown) =>
  JSON.stringify(sorted(a ?? null)) === JSON.stringify(sorted(b ?? null));

/** One value the program takes from what runs. */
export interface KeptValue {
  path: string;
  /** The program's own value (undefined: unset). */
  planned: unknown;
  /** The running value it keeps (null: unset, so the chart renders nothing there). */
  running: unknown;
}

/**
 * The program's values with every kept path set to the running release's value, and the list of
 * what changed. A path the running values do not hold is set to null: Helm then drops the
 * chart's default there, as the running release (whose `--all` values lack it) rendered it.
 */
export function keepRunningValues(
  values: Record<string, any>,
  release: RunningRelease,
  state: Pick<RunningState, "statefulSets">,
): { values: Record<string, any>; kept: KeptValue[] } {
  const running = release.values;
  // Copied along each kept path only: the rest may hold Outputs, which are shared, not cloned.
  const out: Record<string, any> = { ...values };
  const kept: KeptValue[] = [];
  for (const rule of KEPT_VALUES[release.chart] ?? []) {
    if (rule.statefulSet && !hasStatefulSet(state, release, rule.statefulSet(release.name))) continue;
    if (rule.whenRunning && get(running, rule.whenRunning.split(".")) !== true) continue;
    if (rule.when && !rule.when(release)) continue;
    const p = rule.path;
    const parts = p.split(".");
    const derived = rule.derive?.(release, state);
    const [planned, run] = [get(values, parts), derived ?? get(running, parts)];
    if (same(planned, run)) continue;
    // A value the running chart never set and the program does not set either stays unset.
    if (run === undefined && planned === undefined) continue;
    setAlong(out, parts, run === undefined ? null : structuredClone(run));
    kept.push({ path: p, planned, running: run ?? null });
  }
  return { values: out, kept };
}

/** Sets `value` at `parts` of `out`, copying each map along the path (the rest stays shared). */
function setAlong(out: Record<string, any>, parts: string[], value: unknown): void {
  let node = out;
  for (const k of parts.slice(0, -1)) {
    node[k] = node[k] && typeof node[k] === "object" && !Array.isArray(node[k]) ? { ...node[k] } : {};
    node = node[k];
  }
  node[parts[parts.length - 1]] = value;
}

/**
 * The running release's values with what its running objects hold where the values file may not
 * say it (the {@link KeptPath.live} rules: a StatefulSet's claim size): the values that render what
 * runs, so the change to the first update is judged from what runs, not from a chart default.
 */
export function valuesAsTheyRun(
  release: RunningRelease,
  state: Pick<RunningState, "statefulSets">,
): Record<string, any> {
  const out: Record<string, any> = { ...release.values };
  for (const rule of KEPT_VALUES[release.chart] ?? []) {
    if (!rule.live || (rule.statefulSet && !hasStatefulSet(state, release, rule.statefulSet(release.name))))
      continue;
    const derived = rule.derive?.(release, state);
    if (derived !== undefined) setAlong(out, rule.path.split("."), derived);
  }
  return out;
}
