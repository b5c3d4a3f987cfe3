/**
 * One `helm template` run, cached: the third of rendering's caches. A render is keyed by the chart
 * digest, the values and the flags; it is kept in memory (in flight or done, so concurrent stacks
 * with the same release share one Helm run) and on disk: `<render cache>/<key>.json` holds the parsed
 * objects' JSON text as is (read back without a parse: the caller parses its own copy once), and
 * `<key>.error` Helm's message.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { shownToolText } from "../../model/yamlText";
import { markUsed, pruneDaily } from "../../config/cachePrune";
import { relevantApiVersions, type ChartFacts } from "./chartFacts";
import { emptyAnswerNotHelm, notHelmAnswer, notHelmProblem, runHelm, withHelmSlot } from "./helm";
import { manifestJson } from "./manifest";
import type { ReleaseJob } from "./release";

/** A render as cached: the parsed objects as JSON text (fresh copies per use), or Helm's error. */
export interface Cached {
  json?: string;
  error?: string;
  /** The program run as Helm is no Helm: `error` says so, alike for every release (never cached). */
  notHelm?: boolean;
}
/** Renders by key, in flight or done: concurrent stacks with the same release share one Helm run. */
const memory = new Map<string, Promise<Cached>>();

/** Bumped when the cached form or the parsing changes, so stale cache files are never read. */
// 3: the JSON text alone, no longer wrapped in a JSON document of its own ({"json": "<escaped>"}),
// whose parse, of a string as long as the render, was about a third of an unchanged re-render.
const CACHE_FORMAT = 3;
/**
 * The `helm template` command line of one release (its values on stdin, as JSON): the one the
 * program renders with, and the one synth/textNumbers.ts sweeps a chart's keys with.
 */
export function templateArgs(
  job: Pick<ReleaseJob, "releaseName" | "namespace" | "includeCrds">,
  archive: string,
  facts: ChartFacts,
  apiVersions: string[],
  kubeVersion: string,
): string[] {
  return [
    "template",
    job.releaseName,
    archive,
    "--namespace",
    job.namespace,
    "--kube-version",
    kubeVersion,
    // Test hooks run only on `helm test`; Pulumi's Release never installs them.
    "--skip-tests",
    "--values",
    "-",
    ...(job.includeCrds ? ["--include-crds"] : []),
    ...relevantApiVersions(facts, apiVersions).flatMap((a) => ["--api-versions", a]),
  ];
}

/** Renders one release with the API versions the cluster serves, from the caches when it can. */
export async function templateOnce(
  job: ReleaseJob,
  { archive, facts }: { archive: string; facts: ChartFacts },
  apiVersions: string[],
  o: { helm: string; kubeVersion: string; cacheDir: string | false },
): Promise<Cached> {
  const args = templateArgs(job, archive, facts, apiVersions, o.kubeVersion);
  const valuesJson = JSON.stringify(job.values);
  const key = crypto
    .createHash("sha256")
    .update(JSON.stringify([CACHE_FORMAT, facts.digest, valuesJson, args.filter((a) => a !== archive)]))
    .digest("hex");
  // In memory, by the Helm run and the cache too: memory stands in front of one cache folder and one
  // program run as Helm, and a process may render with others (a test running HOMELAB_HELM set to
  // no Helm into a cache of its own after a real render of the same release in the same worker got
  // the real render back from memory, and no message).
  const memoryKey = JSON.stringify([key, o.helm, o.cacheDir]);
  const hit = memory.get(memoryKey);
  if (hit) return hit;
  const pending = renderUncached(key, args, valuesJson, o.helm, o.cacheDir);
  memory.set(memoryKey, pending);
  const result = await pending;
  if (result.transient) memory.delete(memoryKey);
  return result;
}

async function renderUncached(
  key: string,
  args: string[],
  valuesJson: string,
  helm: string,
  cacheDir: string | false,
): Promise<Cached & { transient?: boolean }> {
  if (!cacheDir) return renderWithHelm(args, valuesJson);
  const file = path.join(cacheDir, `${key}.json`);
  const errorFile = path.join(cacheDir, `${key}.error`);
  // Each file is written whole and renamed into place, so one that exists is complete.
  // A read stamps the file as in use, so the daily sweep keeps it (config/cachePrune.ts).
  const stored = (): Cached | undefined => {
    const json = readIfThere(file);
    if (json !== undefined) {
      markUsed(file);
      return { json };
    }
    const error = readIfThere(errorFile);
    if (error === undefined) return undefined;
    markUsed(errorFile);
    // Read through the rule again: an error cached before Helm's text was filtered holds it as is.
    return { error: shownToolText(error) };
  };
  const hit = stored();
  if (hit) return hit;
  // Another process may be rendering the same release right now (the test workers render the same
  // stacks, `npm run synth` may run beside them): it holds `<key>.lock`, and this one waits for its
  // file instead of running Helm a second time.
  // Measured with a logging wrapper around .tools/helm over a cold `npm test` at 919d977 (every
  // cache empty, 3 workers): 316 `helm template` runs, 31.8 s of Helm's CPU, for 313 distinct inputs
  // (chart, flags, values as canonical JSON). No input was rendered by two workers, nor under two
  // keys; the 3 repeats are renderCache.test's cold renders into caches of its own, and at most 4
  // (0.2 s) were a first round whose CRD API versions had no hint yet. What is left is one render per
  // input some test judges. victoria-metrics-k8s-stack is ~0.35 s a render (20 inputs, 6.7 s): the
  // chart makes its webhook's CA and certificate anew each render (genCA, genSignedCert; 0.25-0.40 s
  // against 0.08-0.11 s with the webhook off), and renders can only be shared by identical inputs:
  // handing the chart a CA in its values would change what is rendered.
  // Again at 9ab1563, three cold runs (caches of the checkout deleted; a loaded 2-core machine):
  // 381-382 Helm runs, 60.5-62.7 s of its CPU; 356 `helm template` for 343 distinct inputs (337 as
  // canonical JSON). Still none by two workers, none under two keys of this cache. The 13 repeats
  // are tests that need a cold cache of their own (renderCache.test 3, notHelm.test's real render
  // after its fake 10, 1.2-1.5 s); the 6 more by canonical JSON are test/change's own `helm template`
  // runs (lokiMode, lokiServiceName: values in another key order under their fixture keys, 1.3 s).
  // The other 25 runs (1.2 s) are `helm show`, `--help` and install-helm.sh's `version`. Helm's
  // per-process floor is ~0.045 s (a small chart's render); GOGC off or GOMAXPROCS=1 measured no
  // better than HELM_GOGC (15 renders each of node-exporter and loki, alternating).
  // Again at e936a926, one cold run (a loaded 2-core machine, load 30-45), the wrapper also hashing
  // each values text: 529 Helm runs, 57.4 s of its CPU; 500 `helm template` for 498 distinct
  // inputs (flags and values text), 492 with the API versions set aside. The repeats: a first round
  // without hints (loki 6.49, vector twice; 0.2 s), renderCache.test's own cold caches (node-exporter
  // twice). 40 runs (6.4 s) are test/change's own `helm template -f -`. By chart: loki 18.11.0 101
  // renders, 17.5 s (0.17 s each, every one a values text of its own: the tests' phase, backend,
  // retention, TLS variants), victoria-metrics-k8s-stack 27, 11.0 s, kube-prometheus-stack 59,
  // 8.5 s. Rendering from the unpacked chart instead of its archive (no gunzip per run) measured no
  // gain worth an unpack step: kube-prometheus-stack, six runs each alternating, 0.26-0.29 s of CPU
  // against 0.27-0.30 s.
  fs.mkdirSync(cacheDir, { recursive: true });
  const lock = `${file}.lock`;
  for (;;) {
    try {
      fs.closeSync(fs.openSync(lock, "wx"));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    let age = 0;
    try {
      age = Date.now() - fs.statSync(lock).mtimeMs;
    } catch {
      // Released between the two calls.
    }
    if (age > STALE_LOCK_MS) fs.rmSync(lock, { force: true });
    else await new Promise((r) => setTimeout(r, 50));
    const done = stored();
    if (done) return done;
  }
  try {
    const again = stored();
    if (again) return again;
    const result = await renderWithHelm(args, valuesJson);
    if (!result.transient) {
      const to = result.json !== undefined ? file : errorFile;
      const tmp = `${to}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, result.json ?? result.error ?? "");
      fs.renameSync(tmp, to);
      // A process that wrote sweeps, once a day, what no process read for days (config/cachePrune.ts).
      pruneDaily(cacheDir);
    }
    return result;
  } finally {
    fs.rmSync(lock, { force: true });
  }

  async function renderWithHelm(a: string[], stdin: string): Promise<Cached & { transient?: boolean }> {
    const r = await withHelmSlot(() => runHelm(helm, a, stdin));
    // Not Helm's answer: said once for every release (synth/report.ts), and never cached, since the
    // next run may name a real Helm and would read this failure back for every release.
    const did =
      r.code === -1
        ? undefined
        : (notHelmAnswer(r, stdin) ??
          (r.code === 0 && r.stdout.trim() === "" ? await emptyAnswerNotHelm(helm) : undefined));
    if (did) return { error: notHelmProblem(helm, did), notHelm: true, transient: true };
    let result: Cached;
    // Helm's text quotes the values (a `tpl` error quotes the whole config it failed on): it is
    // shown, and cached, as the line rule shows a user's YAML, secrets `<not shown>`.
    if (r.code !== 0) result = { error: shownToolText(r.stderr.trim()) || `helm exited with ${r.code}` };
    else {
      try {
        result = { json: manifestJson(r.stdout) };
      } catch (e) {
        result = { error: (e as Error).message };
      }
    }
    // Helm could not start: never cache that.
    return r.code === -1 ? { ...result, transient: true } : result;
  }
}

/** A render lock older than this belongs to a process that died holding it (a render takes seconds). */
const STALE_LOCK_MS = 120_000;

/** A file's text, or undefined when there is none. */
function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}
