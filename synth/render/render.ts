/**
 * Renders what the cluster would receive: every `kubernetes:helm.sh/v3:Release` of a stack export
 * through the real Helm 3 binary and the pinned chart archives (helm.ts), so tests and the policy
 * pack judge what the charts make of the values.
 *
 * What `helm template` cannot know is stated here once: the Kubernetes version (`--kube-version`,
 * default 1.31.0) and the API versions the cluster serves (`--api-versions`): the built-in ones
 * Helm knows plus every group/version of every CRD the stack itself installs (rendered CRDs and raw
 * CustomResourceDefinition resources), found by rendering until the set stops growing. Pulumi's
 * provider (pulumi-kubernetes provider/pkg/provider/helm_release.go) asks the live cluster instead.
 */
import * as crypto from "crypto";
import * as path from "path";
import { NotChartArchiveError } from "../../config/chartCache";
import { projectRoot } from "../../config/paths";
import type { StackExport } from "../synthesize";
import { crdApiVersions, rawCrdApiVersions, readHints, writeHints } from "./apiVersions";
import { chartFacts, defaultRenderCacheDir, saveChartFacts, type ChartFacts } from "./chartFacts";
import {
  chartArchive,
  chartCacheDir,
  chartCacheProblem,
  ChartCacheError,
  helmBinary,
  missingChartsError,
  pullCommand,
  RenderSetupError,
  type MissingChart,
} from "./helm";
import { isNamespaced } from "./kinds";
import type { parseManifest } from "./manifest";
import { RELEASE_TYPE } from "../../model/names";
import { releaseJob, type ReleaseJob } from "./release";
import { templateOnce, type Cached } from "./template";
import {
  DEFAULT_KUBE_VERSION,
  renderFailureText,
  type ReleaseRender,
  type RenderedFile,
  type RenderOptions,
} from "./types";
import { underCi } from "../../config/ci";

/** Runs `fn` over `items` with at most `limit` in flight, results in order. */
export async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
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

/**
 * Renders every `kubernetes:helm.sh/v3:Release` of a synthesized (or real) export with the real
 * Helm. Never throws for a template error: that release carries `error` with Helm's own message
 * (see {@link renderErrors}). Throws {@link ChartCacheError} when a chart cannot be found or its
 * archive is no chart archive (each such archive at once), and
 * {@link RenderSetupError} when HOMELAB_HELM or HOMELAB_CHART_CACHE names nothing it can use.
 */
export async function renderExport(exp: StackExport, opts: RenderOptions = {}): Promise<ReleaseRender[]> {
  const root = projectRoot(__dirname);
  const helm = opts.helm ?? helmBinary(root);
  // A HOMELAB_CHART_CACHE that is no folder is said as such, not as every archive missing from it
  // (nor made into an empty folder by the first pull).
  const cacheProblem = opts.chartCache === undefined ? chartCacheProblem() : undefined;
  if (cacheProblem) throw new RenderSetupError(cacheProblem);
  const cache = opts.chartCache ?? chartCacheDir(root);
  const pull = opts.pull ?? !underCi();
  const o = {
    helm,
    kubeVersion: opts.kubeVersion ?? DEFAULT_KUBE_VERSION,
    cacheDir: opts.cacheDir === undefined ? defaultRenderCacheDir(root) : opts.cacheDir,
  };
  const concurrency = opts.concurrency ?? Number.MAX_SAFE_INTEGER;
  const releases = exp.deployment.resources.filter((r) => r.custom && r.type === RELEASE_TYPE);
  const jobs = releases.map(releaseJob);
  // Each job's chart archive and its facts, looked up once per call.
  const charts = new Map<ReleaseJob, { archive: string; facts: ChartFacts }>();
  // Every archive missing is named at once, not the first of them (each chart version once).
  const missing = new Map<string, MissingChart>();
  const needed = new Set<string>();
  for (const j of jobs)
    if (!("error" in j)) {
      needed.add(`${j.chart}-${j.version}`);
      if (missing.has(`${j.chart}-${j.version}.tgz`)) continue;
      let archive: string;
      try {
        archive = await chartArchive(j.chart, j.version, j.repo, { cache, helm, pull });
      } catch (e) {
        if (!(e instanceof ChartCacheError)) throw e;
        for (const m of e.missing) missing.set(m.archive, m);
        continue;
      }
      try {
        charts.set(j, { archive, facts: chartFacts(archive, o.cacheDir) });
      } catch (e) {
        // A broken file under the archive's name is one more archive the cache lacks: said with
        // what it holds, beside every other, and the command that replaces it.
        if (!(e instanceof NotChartArchiveError)) throw e;
        const name = path.basename(archive);
        missing.set(name, {
          archive: name,
          fix: pullCommand(j.chart, j.version, j.repo, cache),
          found: e.found,
        });
      }
    }
  if (missing.size > 0)
    throw missingChartsError(
      [...missing.values()],
      [...needed].map((n) => `${n}.tgz`),
      cache,
    );

  const base = new Set([...(opts.apiVersions ?? []), ...rawCrdApiVersions(exp)]);
  // First guess: the CRDs these charts installed last time (a hint only: the loop below verifies
  // it), so a changed stack usually renders in one round instead of two.
  const hints = readHints(o.cacheDir);
  const digestOf = (j: ReleaseJob) => charts.get(j)!.facts.digest;
  const guess = new Set(base);
  for (const j of jobs) if (!("error" in j)) for (const a of hints[digestOf(j)] ?? []) guess.add(a);
  let apiVersions = [...guess].sort();
  let results: Cached[] = [];
  // This call's own copy of each render (the JSON text is shared between calls): ownCopy.
  let parsed: (Parsed | undefined)[] = [];
  // Render until the API versions of the CRDs the stack installs stop growing (usually twice).
  for (let round = 0; round < 5; round++) {
    results = await pool(jobs, concurrency, (j) =>
      "error" in j ? Promise.resolve({ error: j.error }) : templateOnce(j, charts.get(j)!, apiVersions, o),
    );
    parsed = results.map(ownCopy);
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
    if (r.error !== undefined) Object.assign(out, { error: r.error }, r.notHelm ? { notHelm: true } : {});
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

type Parsed = ReturnType<typeof parseManifest>;

/**
 * Renders this process asked for more than once, parsed once and never handed out (each caller
 * mutates its copy: namespaces above, and whatever it does next), by the cached render they are
 * (template.ts keeps one per key). Copying the parsed tree takes about 0.7x the time of parsing
 * its text again: the tests render the same releases for dozens of stack variants, 90% of the
 * 127 MB a test file parsed was a text it had parsed before. A render asked for once (one
 * `synth` of a stack) is parsed as before, and kept only as seen (null). Bounded by the texts'
 * total length, as manifest.ts's documents.
 */
const pristine = new Map<Cached, Parsed | null>();
let pristineLength = 0;
const PRISTINE_KEPT = 64 * 1024 * 1024;

/** This call's own copy of a render's objects (undefined for a failed render). */
function ownCopy(r: Cached): Parsed | undefined {
  if (!r.json) return undefined;
  const kept = pristine.get(r);
  if (kept) return copyJson(kept) as Parsed;
  const fresh = JSON.parse(r.json) as Parsed;
  if (kept === undefined) {
    pristine.set(r, null);
    return fresh;
  }
  if (pristineLength + r.json.length > PRISTINE_KEPT) {
    pristine.clear();
    pristineLength = 0;
  }
  pristine.set(r, freezeSchemas(fresh));
  pristineLength += r.json.length;
  return copyJson(fresh) as Parsed;
}

/**
 * `kept` with each CRD version's `schema` frozen to its last leaf, so that every copy shares it
 * instead of copying it (copyJson leaves a frozen tree as it is): the schemas are 80% of what the
 * tests' renders hold (25.6 of 31.7 MB of cached renders), and copying them was most of the 250 MB
 * a run of fifteen test files copied. Nothing changes a schema: the checks read it into a tree of
 * their own (checks/schema.ts toJsonSchema), and in strict mode a change would throw rather than
 * reach another call. The rest of each object (its metadata, which renderExport fills in, and
 * every other field) is still each call's own.
 */
function freezeSchemas(kept: Parsed): Parsed {
  for (const o of kept.objects) {
    const versions: unknown = o?.kind === "CustomResourceDefinition" ? o.spec?.versions : undefined;
    if (Array.isArray(versions))
      for (const v of versions)
        if (v !== null && typeof v === "object" && v.schema !== null && typeof v.schema === "object") {
          deepFreeze(v.schema);
          sharedSchemas.add(v.schema);
        }
  }
  return kept;
}

/** The schemas {@link freezeSchemas} froze to their last leaf: their text never changes. */
const sharedSchemas = new WeakSet<object>();
/** Each shared schema's JSON text, UTF-8, written once per process ({@link renderedFilePieces}). */
const schemaBytes = new WeakMap<object, Buffer>();
/** What stands for a shared schema in the text around it: no JSON value a render holds is this. */
const SCHEMA_MARK = `\u0000schema-${crypto.randomBytes(8).toString("hex")}-`;
/** A mark as JSON writes it, in quotes, its number captured. */
const SCHEMA_MARKED = new RegExp(
  `"${JSON.stringify(SCHEMA_MARK).slice(1, -1).replace(/\\/g, "\\\\")}(\\d+)"`,
  "g",
);

/**
 * The text of `<stack>.rendered.json` (without its last newline), `JSON.stringify(rendered)` byte
 * for byte, as pieces to write and hash in order: each CRD schema shared between the renders of
 * this process ({@link freezeSchemas}) is serialized and encoded once, and every later file that
 * holds it reuses those bytes. The schemas are 2.45 of a stack's 3.26 MB; a test run synthesizes
 * the same stacks dozens of times a worker. Measured on one such stack: JSON.stringify 36-56 ms,
 * the pieces 12-27 ms; and no 3 MB string to encode again for the check cache's hash and the file.
 * Profiled in test/synth/userChoices and test/change/changeCheck (13 syntheses): the CPU under the
 * synthesis' renderStack, 1.29 s -> 0.56 s.
 */
export function renderedFilePieces(rendered: RenderedFile): (string | Buffer)[] {
  const shared: Buffer[] = [];
  const marked = (o: any): any => {
    const versions: unknown = o?.kind === "CustomResourceDefinition" ? o.spec?.versions : undefined;
    if (!Array.isArray(versions) || !versions.some((v) => sharedSchemas.has(v?.schema))) return o;
    const spec = {
      ...o.spec,
      versions: versions.map((v) => {
        if (!sharedSchemas.has(v?.schema)) return v;
        let bytes = schemaBytes.get(v.schema);
        if (bytes === undefined) schemaBytes.set(v.schema, (bytes = Buffer.from(JSON.stringify(v.schema))));
        shared.push(bytes);
        return { ...v, schema: `${SCHEMA_MARK}${shared.length - 1}` };
      }),
    };
    return { ...o, spec };
  };
  const text = JSON.stringify({
    ...rendered,
    releases: rendered.releases.map((r) => ({ ...r, objects: r.objects.map(marked) })),
  });
  if (shared.length === 0) return [text];
  // split with a capture group: the text between marks at even places, a mark's number at odd ones.
  return text.split(SCHEMA_MARKED).map((piece, i) => (i % 2 === 0 ? piece : shared[Number(piece)]));
}

/** `v` and every object in it frozen (also change/mimirConfig.ts's shared parses). */
export function deepFreeze(v: unknown): void {
  if (v === null || typeof v !== "object" || Object.isFrozen(v)) return;
  Object.freeze(v);
  for (const x of Object.values(v)) deepFreeze(x);
}

/**
 * A deep copy of a JSON.parse result, as JSON.parse of its text would make it: same keys in the
 * same order, `__proto__` an own key as JSON.parse makes it (an assignment would set the prototype).
 * A frozen object (JSON.parse makes none) is shared, not copied: no one can change it.
 */
export function copyJson(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      out.push(x !== null && typeof x === "object" && !Object.isFrozen(x) ? copyJson(x) : x);
    }
    return out;
  }
  const src = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) {
    const x = src[k];
    const c = x !== null && typeof x === "object" && !Object.isFrozen(x) ? copyJson(x) : x;
    if (k === "__proto__")
      Object.defineProperty(out, k, { value: c, enumerable: true, writable: true, configurable: true });
    else out[k] = c;
  }
  return out;
}

/** Releases that failed to render, as `release (chart version): Helm's message` lines ({@link renderFailureText}). */
export function renderErrors(renders: ReleaseRender[]): string[] {
  return renders
    .filter((r) => r.error !== undefined)
    .map(
      (r) => `${r.releaseName} (${r.chart} ${r.version}): ${renderFailureText(r.error!, r.chart, r.version)}`,
    );
}
