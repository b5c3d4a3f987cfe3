/**
 * The sweep of synth/textNumbers.ts (`npm run refresh-text-numbers`), but for where its
 * values come from: what decides that a render holds the number (pure, tested on made-up renders
 * without Helm), and the renders of one chart's number keys over its values sets with Helm.
 */
import * as crypto from "crypto";
import { isDeepStrictEqual } from "util";
import { isMap } from "../../config/tree";
import type { KindTree } from "../../config/chartKeys";
import type { ChartTextNumbersData, TextNumbersRow } from "../../upstream/chartTextNumbers";
import type { ChartFacts } from "./chartFacts";
import { runHelm } from "./helm";
import { pool } from "./render";
import { parseManifest } from "./manifest";
import type { ReleaseJob } from "./release";
import { templateArgs } from "./template";
import { DEFAULT_KUBE_VERSION } from "./types";

/** Helm processes at once: the machine this runs on is shared (two cores). */
export const HELM_AT_ONCE = 2;

// ---------------------------------------------------------------------------------------------
// The comparison: what decides that a render holds the number. Pure, tested without Helm.

/** One render as the sweep compares it: each object's JSON text by who it is, or Helm's error. */
export type SweepRender = { error: string } | { objects: Map<string, string> };

/** The leaves of a set's renders that differ between two renders of the same values, by object. */
export type Noise = Map<string, Set<string> | "whole">;

/**
 * An object's JSON text longer than this is kept as its digest ({@link DIGEST}): a sweep holds
 * dozens of renders at once, and a chart's CRDs are most of their text. Such an object is alike
 * where its text is; where it is not, it differs whole, leaf by leaf unseen: a CRD's schema reads
 * no values.
 */
export const KEPT_OBJECT_TEXT = 256 * 1024;
/** What stands for a long object's text: no JSON text begins with it. */
const DIGEST = "\u0000sha256:";

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/**
 * The objects of each long document Helm printed (a CRD), by the digest of its text: read once a
 * sweep, and holding no text of the render (manifest.ts's cache of long documents keeps each
 * document's text, and with it the whole output of the render it was cut from: sweeping
 * victoria-metrics-k8s-stack filled node's 4 GB heap with them).
 */
const longDocuments = new Map<string, [string, string][]>();

/** An object as the sweep keeps it: who it is (apiVersion, kind, namespace, name), and its JSON text or the digest of it. */
function keptObject(o: Record<string, any>): [string, string] {
  const id = [o.apiVersion, o.kind, o.metadata?.namespace ?? "", o.metadata?.name ?? ""].join(" ");
  const text = JSON.stringify(o);
  return [id, text.length > KEPT_OBJECT_TEXT ? DIGEST + sha256(text) : text];
}

/** A render from Helm's answer: each document parsed (the one parser, synth/render/manifest.ts), its objects kept by who they are (a repeat numbered). */
export function sweepRender(r: { code: number; stdout: string; stderr: string }): SweepRender {
  if (r.code !== 0) return { error: r.stderr.trim() || `helm exited with ${r.code}` };
  const objects = new Map<string, string>();
  for (const doc of r.stdout.split(/^---[ \t]*$/m)) {
    if (!doc.trim()) continue;
    const digest = doc.length > KEPT_OBJECT_TEXT ? sha256(doc) : undefined;
    let kept = digest === undefined ? undefined : longDocuments.get(digest);
    if (!kept) {
      kept = parseManifest(doc).objects.map((o) => keptObject(o as Record<string, any>));
      if (digest !== undefined) longDocuments.set(digest, kept);
    }
    for (const [id, text] of kept) {
      let key = id;
      for (let n = 2; objects.has(key); n++) key = `${id} #${n}`;
      objects.set(key, text);
    }
  }
  return { objects };
}

/** Whether an object is kept as its text's digest ({@link KEPT_OBJECT_TEXT}). */
const digestOnly = (text: string) => text.startsWith(DIGEST);

/** Every leaf of a parsed value by its path (`/spec/ports/0/port`), as JSON text; an empty map or list is a leaf. */
function leaves(v: unknown, at = "", out = new Map<string, string>()): Map<string, string> {
  if (v !== null && typeof v === "object" && Object.keys(v).length > 0)
    for (const [k, x] of Object.entries(v)) leaves(x, `${at}/${k}`, out);
  else out.set(at, JSON.stringify(v));
  return out;
}

/** The paths at which two leaf maps differ (present in one only, or another value). */
function differingLeaves(a: Map<string, string>, b: Map<string, string>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((p) => a.get(p) !== b.get(p));
}

/**
 * What differs between two renders of the same values: undefined when either failed (the set is
 * left out), else each object's differing leaves (the whole object when it is in one only).
 */
export function noiseOf(a: SweepRender, b: SweepRender): Noise | undefined {
  if ("error" in a || "error" in b) return undefined;
  const noise: Noise = new Map();
  for (const id of new Set([...a.objects.keys(), ...b.objects.keys()])) {
    const x = a.objects.get(id);
    const y = b.objects.get(id);
    if (x === y) continue;
    if (x === undefined || y === undefined || digestOnly(x) || digestOnly(y)) noise.set(id, "whole");
    else noise.set(id, new Set(differingLeaves(leaves(JSON.parse(x)), leaves(JSON.parse(y)))));
  }
  return noise;
}

/**
 * Whether two renders differ, parsed, object by object and leaf by leaf, but for `noise`: two
 * errors by their text, an error and objects always.
 */
export function rendersDiffer(a: SweepRender, b: SweepRender, noise: Noise = new Map()): boolean {
  if ("error" in a || "error" in b) return !("error" in a && "error" in b && a.error === b.error);
  for (const id of new Set([...a.objects.keys(), ...b.objects.keys()])) {
    const x = a.objects.get(id);
    const y = b.objects.get(id);
    const n = noise.get(id);
    if (x === y || n === "whole") continue;
    if (x === undefined || y === undefined || digestOnly(x) || digestOnly(y)) return true;
    const px: unknown = JSON.parse(x);
    const py: unknown = JSON.parse(y);
    // The same values in another key order are the same object.
    if (n === undefined) {
      if (!isDeepStrictEqual(px, py)) return true;
      continue;
    }
    if (differingLeaves(leaves(px), leaves(py)).some((p) => !n.has(p))) return true;
  }
  return false;
}

/** One values set's renders of a key that set reads: the number 7 and 0, the text "7" and "0". */
export interface Reading {
  /** The set, as the verdict names it (`production monitoring/loki`, `defaults`). */
  set: string;
  noise: Noise;
  n7: SweepRender;
  n0: SweepRender;
  t7: SweepRender;
  t0: SweepRender;
}

/** Where a key is listed, or why not. */
export type TextVerdict =
  { list: "any" | "nonzero"; why?: string } | { list: false; why: string; unread?: true };

/**
 * The verdict over the sets that read a key ({@link reads}): listed where "7" renders as 7 in each,
 * `any` where "0" renders as 0 in each too, else `nonzero` naming the set where it does not.
 */
export function textVerdict(readings: readonly Reading[]): TextVerdict {
  if (readings.length === 0) return { list: false, why: "no values set reads it", unread: true };
  const seven = readings.find((r) => rendersDiffer(r.t7, r.n7, r.noise));
  if (seven)
    return {
      list: false,
      why: `"7" renders otherwise than 7 over ${seven.set}${"error" in seven.t7 ? ` (${firstLine(seven.t7.error)})` : ""}`,
    };
  const zero = readings.find((r) => rendersDiffer(r.t0, r.n0, r.noise));
  return zero ? { list: "nonzero", why: `"0" renders otherwise than 0 over ${zero.set}` } : { list: "any" };
}

/**
 * The verdicts of each set that reads a key ({@link textVerdict} of its one reading), as one: as
 * textVerdict judges the readings together (not listed where "7" renders otherwise in a set,
 * `nonzero` where "0" does, else `any`; nothing claimed where no set reads the key).
 */
export function keyVerdicts(verdicts: readonly TextVerdict[]): TextVerdict {
  return (
    verdicts.find((v) => !v.list) ??
    verdicts.find((v) => v.list === "nonzero") ??
    verdicts.find((v) => v.list === "any") ??
    textVerdict([])
  );
}

/** Whether a set reads the key: its renders with 7 and with 0 differ. */
export function reads(n7: SweepRender, n0: SweepRender, noise: Noise): boolean {
  return rendersDiffer(n7, n0, noise);
}

/** Helm's error in short: its first lines (a schema refusal names the key on its second). */
const firstLine = (t: string) =>
  t
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 3)
    .join(" ")
    .slice(0, 300);

/**
 * `values` with `v` at `key`, maps made where the values have none; undefined when a level on the
 * way holds something other than a map (a list, a scalar): the set cannot take the key.
 */
export function withValue(values: Record<string, unknown>, key: readonly string[], v: unknown) {
  const out = structuredClone(values);
  let level: Record<string, unknown> = out;
  for (const k of key.slice(0, -1)) {
    const next = level[k];
    if (next === undefined) level = level[k] = {};
    else if (isMap(next)) level = next;
    else return undefined;
  }
  level[key[key.length - 1]] = v;
  return out;
}

/** The paths of a chart's number keys, in the order of its values. */
export function numberKeys(kinds: KindTree, at: string[] = []): string[][] {
  return Object.entries(kinds).flatMap(([k, v]) =>
    typeof v === "string" ? (v === "number" ? [[...at, k]] : []) : numberKeys(v, [...at, k]),
  );
}

// ---------------------------------------------------------------------------------------------
// The sweep: Helm over the pinned archives.

/** One values set of a chart: a Release of the stacks (or the defaults) and how it renders. */
export interface ValuesSet {
  label: string;
  job: Pick<ReleaseJob, "releaseName" | "namespace" | "includeCrds" | "values">;
  args: (values: unknown) => { args: string[]; stdin: string };
}

/** A set ready to sweep: it rendered, and what differs between two renders of it. */
interface SweptSet extends ValuesSet {
  noise: Noise;
}

/** A chart's sweep: its row, and what the run did. */
export interface ChartSweep {
  row: TextNumbersRow;
  keys: number;
  renders: number;
  /** The sets left out, with why. */
  leftOut: string[];
  /** The number keys no values set reads. */
  unread: number;
  /** Why each number key some set reads is not listed, or why it is `nonzero`. */
  why: Map<string, string>;
}

/** A values set: `job`'s values rendered with the program's `helm template` command line. */
export function valuesSet(
  label: string,
  job: ValuesSet["job"],
  { archive, facts, apiVersions }: { archive: string; facts: ChartFacts; apiVersions: string[] },
): ValuesSet {
  const args = templateArgs(job, archive, facts, apiVersions, DEFAULT_KUBE_VERSION);
  return { label, job, args: (values) => ({ args, stdin: JSON.stringify(values) }) };
}

/**
 * The values sets of a chart: its defaults (with the first Release's name and namespace), then
 * each Release's values; a set that renders alike another (the same command line and values) is
 * one, its label joining theirs with ` = `.
 */
export function valuesSets(
  releases: { stack: string; job: ReleaseJob; apiVersions: string[] }[],
  archive: string,
  facts: ChartFacts,
): ValuesSet[] {
  const sets = new Map<string, ValuesSet>();
  const add = (label: string, job: ValuesSet["job"], apiVersions: string[]) => {
    const set = valuesSet(label, job, { archive, facts, apiVersions });
    const { args, stdin } = set.args(job.values);
    const same = JSON.stringify([args, stdin]);
    const seen = sets.get(same);
    if (seen) seen.label += ` = ${label}`;
    else sets.set(same, set);
  };
  const first = releases[0];
  add("defaults", { ...first.job, values: {} }, first.apiVersions);
  for (const r of releases) add(`${r.stack} ${r.job.namespace}/${r.job.releaseName}`, r.job, r.apiVersions);
  return [...sets.values()];
}

/** Sweeps one chart's number keys over its values sets. */
export async function sweepChart(
  version: string,
  sets: ValuesSet[],
  kinds: KindTree,
  { helm, helmVersion }: { helm: string; helmVersion: string },
  slot: <T>(fn: () => Promise<T>) => Promise<T>,
): Promise<ChartSweep> {
  let renders = 0;
  const render = async (set: ValuesSet, values: unknown): Promise<SweepRender> => {
    const { args, stdin } = set.args(values);
    renders++;
    return sweepRender(await slot(() => runHelm(helm, args, stdin)));
  };
  const swept: SweptSet[] = [];
  const leftOut: string[] = [];
  for (const set of sets) {
    const [a, b] = await Promise.all([render(set, set.job.values), render(set, set.job.values)]);
    const noise = noiseOf(a, b);
    if (noise) swept.push({ ...set, noise });
    else leftOut.push(`${set.label} (its render fails: ${firstLine("error" in a ? a.error : "")})`);
  }
  const values = swept.map((s) => s.label);
  const row: TextNumbersRow = { version, helm: helmVersion, values, any: [], nonzero: [] };
  const why = new Map<string, string>();
  const keys = numberKeys(kinds);
  const verdicts = await pool(keys, HELM_AT_ONCE, (key) => keyVerdict(key, swept, render));
  let unread = 0;
  keys.forEach((key, i) => {
    const v = verdicts[i];
    if (v.list) row[v.list].push(key.join("."));
    if (!v.list && v.unread) unread++;
    else if (v.why) why.set(key.join("."), v.why);
  });
  return { row, keys: keys.length, renders, leftOut, unread, why };
}

/**
 * One key's verdict over the sets, set by set ({@link keyVerdicts}): 7 and 0, then, where the set
 * reads the key, "7" and "0". A set at a time, so that a key holds four renders at most.
 */
async function keyVerdict(
  key: string[],
  sets: SweptSet[],
  render: (set: ValuesSet, values: unknown) => Promise<SweepRender>,
): Promise<TextVerdict> {
  const verdicts: TextVerdict[] = [];
  for (const set of sets) {
    const [v7, v0, t7, t0] = [7, 0, "7", "0"].map((v) => withValue(set.job.values, key, v));
    if (!v7 || !v0 || !t7 || !t0) continue;
    const [n7, n0] = await Promise.all([render(set, v7), render(set, v0)]);
    if (!reads(n7, n0, set.noise)) continue;
    const [r7, r0] = await Promise.all([render(set, t7), render(set, t0)]);
    const v = textVerdict([{ set: set.label, noise: set.noise, n7, n0, t7: r7, t0: r0 }]);
    verdicts.push(v);
    // "7" otherwise in one set: the key is not listed, whatever the others render.
    if (!v.list) break;
  }
  return keyVerdicts(verdicts);
}

/** The differences between the data and a sweep's rows, one line each: the chart, the key, and how. */
export function textNumbersDifferences(
  was: Record<string, TextNumbersRow>,
  now: Record<string, TextNumbersRow>,
): string[] {
  const out: string[] = [];
  for (const chart of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
    const a = was[chart];
    const b = now[chart];
    if (!a || !b) {
      out.push(`${chart}: ${a ? "in the data, not swept (no number keys now)" : "swept, not in the data"}`);
      continue;
    }
    if (a.version !== b.version) out.push(`${chart}: version ${a.version} in the data, ${b.version} swept`);
    if (a.helm !== b.helm) out.push(`${chart}: helm ${a.helm} in the data, ${b.helm} swept`);
    if (!isDeepStrictEqual(a.values, b.values))
      out.push(
        `${chart}: values sets ${JSON.stringify(a.values)} in the data, ${JSON.stringify(b.values)} swept`,
      );
    const kind = (r: TextNumbersRow, k: string) =>
      r.any.includes(k) ? "any" : r.nonzero.includes(k) ? "nonzero" : "not listed";
    for (const k of new Set([...a.any, ...a.nonzero, ...b.any, ...b.nonzero]))
      if (kind(a, k) !== kind(b, k))
        out.push(`${chart}: ${k}: ${kind(a, k)} in the data, ${kind(b, k)} swept`);
  }
  return out;
}

/** The data file's text. */
export const textNumbersText = (data: ChartTextNumbersData): string => `${JSON.stringify(data, null, 2)}\n`;
