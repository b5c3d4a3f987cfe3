/**
 * A chart bump that stops reading a value the release sets. Helm ignores a value no template reads,
 * so a key the new version renamed or removed (a Renovate PR moving one pin) renders without an
 * error and the setting is silently gone: a hardening, a limit, a retention. Nothing in the
 * rendered objects says which value it was, so the change check compares the release's values with
 * what each version of the chart reads (config/chartKeys.ts: its values.yaml and the value paths its
 * templates use) and refuses each key the previous version read and the new one does not.
 *
 * Only keys read before and unread after: a key neither version is known to read is a gap of the
 * key reader, not news of the bump, and the stack file's own check (config/chartValueCheck.ts)
 * judges the user's keys against the pinned chart.
 */
import { closestMatch, isSecretEnvelope, parseSegments } from "@homelab-observability/contract";
import type { ChartKeys, KeyTree } from "../config/chartKeys";
import { listed } from "../model/words";
import type { ExportResource } from "../synth/synthesize";
import { chartValueOverridesOf, type OverridePlace } from "../synth/report";
import type { Refusal } from "./apiRules";
import { RELEASE_TYPE } from "../model/names";

/** A chart's keys at one version, or undefined when its archive is not at hand. */
export type KeysAt = (chart: string, version: string) => ChartKeys | undefined;

/** The refusals of one Release resource, by URN. */
export interface ReleaseRefusals {
  urn: string;
  refused: Refusal[];
}

const isMap = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);

/** Every value the release sets, as the keys on the way: a scalar, a list, a secret or an empty map. */
function setPaths(values: unknown, at: string[] = []): string[][] {
  if (values === null || values === undefined) return [];
  if (!isMap(values) || isSecretEnvelope(values) || Object.keys(values).length === 0) return [at];
  return Object.entries(values).flatMap(([k, v]) => setPaths(v, [...at, k]));
}

/**
 * How far the chart reads `path`: the number of its keys the chart knows, `path.length` when all
 * are read (a leaf, or a level left to the user below them), fewer when a key is one no values.yaml
 * or template names.
 */
function readDepth(tree: KeyTree, path: string[]): number {
  let level: KeyTree | 0 = tree;
  for (const [i, k] of path.entries()) {
    if (level === 0) return path.length;
    const next: KeyTree | 0 | undefined = level[k];
    if (next === undefined) return i;
    level = next;
  }
  return path.length;
}

/** The keys of the level `path` leads to, when the chart knows them one by one. */
function levelKeys(tree: KeyTree, path: string[]): string[] {
  let level: KeyTree | 0 | undefined = tree;
  for (const k of path) level = level ? level[k] : undefined;
  return level ? Object.keys(level) : [];
}

/** Whether the chart names every key of `path` one by one (none under a level left to the user). */
function names(tree: KeyTree, path: string[]): boolean {
  let level: KeyTree | 0 | undefined = tree;
  for (const k of path) {
    if (!level) return false;
    level = level[k];
  }
  return level !== undefined;
}

/**
 * The keys of the new version that `key` (read by the old one only) was likely renamed to, beside
 * it: the closest name at that level (contract/closest.ts closestMatch: `flavor` -> `flavour`,
 * `updateStrategy` -> `strategy`), else the keys the old version did not read under which the new
 * one names every key the release sets under `key` (`securityContext.runAsUser` ->
 * `containerSecurity.runAsUser`), else none. The name comes first: a level the chart reads whole
 * (`strategy`, rendered with toYaml) names no sub-key, and another new level may name the same
 * sub-key (`service.type` beside `strategy`).
 */
function renamedTo(oldKeys: ChartKeys, newKeys: ChartKeys, key: string[], paths: string[][]): string[] {
  const parent = key.slice(0, -1);
  // A key the previous version read beside it already was a key of its own, no rename of it (1.0
  // reading gateway.serviceMonitor and gateway.service, 2.0 gateway.service alone).
  const before = new Set(levelKeys(oldKeys.values, parent));
  const siblings = levelKeys(newKeys.values, parent).filter((s) => !before.has(s));
  const near = closestMatch(key[key.length - 1], siblings);
  if (near) return [near];
  const below = paths.map((p) => p.slice(key.length)).filter((rest) => rest.length > 0);
  if (below.length === 0) return [];
  return siblings.filter((s) => below.every((rest) => names(newKeys.values, [...parent, s, ...rest])));
}

/**
 * For each Release whose chart version moves, a refusal for each key of its values the previous
 * version read and the new one does not: `values.<key>`, naming both versions, how many values under
 * it are lost, who sets them (the program, or the stack's `chartValues.<chart>.<key>` with its place
 * in the stack file when `at` knows it), the key the new version likely renamed it to ({@link
 * renamedTo}), and where to look. A release whose archives are not both at hand is skipped (the render names them).
 */
export function valuesNoLongerRead(
  before: ExportResource[],
  after: ExportResource[],
  keysAt: KeysAt,
  at?: OverridePlace,
): ReleaseRefusals[] {
  const was = new Map(before.filter((r) => r.type === RELEASE_TYPE).map((r) => [r.urn, r]));
  const overrides = chartValueOverridesOf(after);
  const out: ReleaseRefusals[] = [];
  for (const a of after) {
    const b = was.get(a.urn);
    const chart = String(a.inputs?.chart ?? "");
    const [from, to] = [String(b?.inputs?.version ?? ""), String(a.inputs?.version ?? "")];
    if (a.type !== RELEASE_TYPE || !b || String(b.inputs?.chart ?? "") !== chart || from === to) continue;
    const [oldKeys, newKeys] = [keysAt(chart, from), keysAt(chart, to)];
    if (!oldKeys || !newKeys) continue;
    // The values under each key the new version stops reading, by that key.
    const lost = new Map<string, string[][]>();
    for (const p of setPaths(a.inputs?.values)) {
      const depth = readDepth(newKeys.values, p);
      if (depth === p.length || readDepth(oldKeys.values, p) <= depth) continue;
      const key = p.slice(0, depth + 1).join("\u0000");
      lost.set(key, [...(lost.get(key) ?? []), p]);
    }
    const refused = [...lost].map(([key, paths]) =>
      refusal(chart, from, to, key.split("\u0000"), paths, oldKeys, newKeys, overrides, a, at),
    );
    if (refused.length > 0) out.push({ urn: a.urn, refused });
  }
  return out;
}

function refusal(
  chart: string,
  from: string,
  to: string,
  key: string[],
  paths: string[][],
  oldKeys: ChartKeys,
  newKeys: ChartKeys,
  overrides: string[],
  release: ExportResource,
  at?: OverridePlace,
): Refusal {
  const dotted = key.join(".");
  // Compared at their dots: an override quotes a key holding one (`podAnnotations["a.b/c"]`).
  const flat = (segments: unknown[]) => segments.join(".");
  const full = (p: string[]) => flat([chart, ...p]);
  const overrideOf = (p: string[]) =>
    overrides.find((o) => {
      const at = flat(parseSegments(o));
      return at === full(p) || full(p).startsWith(`${at}.`);
    });
  const theirs = [...new Set(paths.map(overrideOf).filter((o): o is string => o !== undefined))];
  const by = theirs.map((o) => {
    const where = at?.(`chartValues.${o}`);
    return `chartValues.${o}${where ? ` (${where})` : ""}`;
  });
  const mine = paths.filter((p) => overrideOf(p) === undefined).length;
  const setBy =
    theirs.length === 0
      ? "set by the program"
      : mine === 0
        ? `set by ${by.join(", ")}`
        : `set by the program and by ${by.join(", ")}`;
  const under =
    paths.length === 1 && paths[0].length === key.length ? "" : ` (${paths.length} value(s) under it)`;
  const near = renamedTo(oldKeys, newKeys, key, paths).map((k) => [...key.slice(0, -1), k].join("."));
  const repo = String(release.inputs?.repositoryOpts?.repo ?? "<its repo, model/versions.ts>");
  return {
    field: `values.${dotted}`,
    reason:
      `${setBy}${under}; ${chart} ${from} reads it, ${to} does not (neither its values.yaml nor its templates name it), ` +
      `so Helm would drop the setting without a word${near.length > 0 ? `; did ${to} rename it to ${listed(near, "or")}?` : ""}. ` +
      `Find where ${to} takes it (\`helm show values ${chart} --repo ${repo} --version ${to}\`, its templates) and move ` +
      `${theirs.length === 0 ? "the program's value (builders/)" : "the override"} there in the same change, or drop it ` +
      `if ${to} has no such setting (docs/how-to/chart-upgrades.md)`,
  };
}
