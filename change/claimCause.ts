/**
 * The stack setting behind a refused claim change, and what to do instead. A claim's size or class
 * comes from a release's values, which the program builds from stack keys (config/stackKeyPaths.ts
 * says where each lands) and `chartValues` overrides merge into last: the values paths that changed
 * between the two exports, and that carry the values the refusal quotes, name the setting. An
 * object the program writes itself (Mimir's StatefulSets) has its claim fields placed by the same
 * table: the fields that changed name the key; so has the Prometheus claim the program writes
 * ({@link PROMETHEUS_CLAIM_KEYS}). What the API server refuses is apiRules.ts' and what the engine
 * replaces providerDiff.ts'; this only says whose change it was.
 */
import { STACK_KEY_CHART_PATHS, targetOf, type StackKeyPath } from "../config/stackKeyPaths";
import { firstKeyAndRest } from "../config/tree";
import { chartValueOverridesOf, concerns, type OverridePlace } from "../synth/report";
import type { ExportResource } from "../synth/synthesize";
import type { StackObject } from "../synth/render/types";
import { quantityBytes, type Refusal } from "./apiRules";
import { regExpText } from "../model/words";

/** Where the ways out are written down. */
export const CLAIM_DOC = "docs/how-to/check-a-change.md#a-refused-claim";

/** Charts whose claims take `storageClasses.metrics` (plan/metrics.ts); the others take the default. */
const METRICS_CHARTS = new Set(["kube-prometheus-stack", "victoria-metrics-k8s-stack"]);

/**
 * The stack keys of the Prometheus claim the program writes itself (components/metrics/
 * prometheusVolume.ts; builders/core/claim.ts claimSpec places its fields), by field: its size is
 * prometheus.volumeSize and its class storageClasses.metrics (plan/metrics.ts planPrometheus). It is
 * the program's one raw claim, the one a takeover adopts (takeover.prometheusVolume), whatever its
 * name, so the kind says it.
 */
export const PROMETHEUS_CLAIM_KEYS: Readonly<Record<string, string>> = {
  "spec.resources.requests.storage": "prometheus.volumeSize",
  "spec.storageClassName": "storageClasses.metrics",
};

/**
 * Which key of the stack file holds `key`'s value, with its place: storageClasses.metrics, when the
 * file leaves it unset, takes storageClasses.default (config/resolve.ts), so that key's line is
 * where the value is written.
 */
export function writtenAt(key: string, place?: OverridePlace): { key: string; where?: string } {
  const where = place?.(key);
  if (key !== "storageClasses.metrics" || where) return { key, where };
  const fallback = place?.("storageClasses.default");
  return fallback ? { key: "storageClasses.default", where: fallback } : { key };
}

/** One scalar of a release's values that differs between the two exports. */
interface ValueChange {
  path: string;
  was: unknown;
  now: unknown;
}

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object";
// eslint-disable-next-line @typescript-eslint/unbound-method
const ENUMERABLE = Object.prototype.propertyIsEnumerable;

/**
 * The scalars (list items by index) that differ between two values trees, in the order of `a`'s
 * keys then `b`'s others. Pushed into one list, no key set or flatMap per level: a release's values
 * hold its dashboards, megabytes walked for every pair of objects with a refused claim.
 */
function valueChanges(a: unknown, b: unknown, path = "", out: ValueChange[] = []): ValueChange[] {
  if (isMap(a) || isMap(b)) {
    const x = isMap(a) ? a : {};
    const y = isMap(b) ? b : {};
    const prefix = path ? `${path}.` : "";
    for (const k of Object.keys(x)) valueChanges(x[k], y[k], prefix + k, out);
    // `b`'s keys `a` lacks (own enumerable: Object.keys' own test, so an array's `length` is one).
    for (const k of Object.keys(y)) if (!ENUMERABLE.call(x, k)) valueChanges(x[k], y[k], prefix + k, out);
  } else if (a !== b) out.push({ path, was: a, now: b });
  return out;
}

/** Whether `text` quotes `v` as a whole word (`size 20Gi -> 10Gi`, `"local-path"`). */
function quotes(text: string, v: unknown): boolean {
  if (typeof v !== "string" && typeof v !== "number") return false;
  const s = String(v);
  if (s.length < 3) return false;
  const escaped = regExpText(s);
  return new RegExp(`(^|[^A-Za-z0-9_.-])${escaped}($|[^A-Za-z0-9_-])`).test(text);
}

/**
 * The setting of `chart` whose change is the values change at `path`: the `chartValues` override
 * that sets it (in force now, or removed since), else the stack key the table places there, else
 * the storage class key for a class; undefined when the program set it of its own.
 */
function settingOf(chart: string, path: string, overrides: string[]): string | undefined {
  const override = overrides.find((o) => {
    const [of, under] = firstKeyAndRest(o);
    return of === chart && concerns(under, path);
  });
  if (override) return `chartValues.${override}`;
  const entry = (STACK_KEY_CHART_PATHS as readonly StackKeyPath[]).find(
    (e) => targetOf(e) === chart && e.path.join(".") === path,
  );
  if (entry) return entry.key;
  if (/(^|\.)storageClass(Name)?$/.test(path))
    return METRICS_CHARTS.has(chart) ? "storageClasses.metrics" : "storageClasses.default";
  return undefined;
}

const show = (v: unknown): string =>
  v === undefined ? "unset" : typeof v === "string" || typeof v === "number" ? String(v) : JSON.stringify(v);

/**
 * What to do instead of the change, by what it does to the claim; `unset`: the stack file does not
 * set `key` (it falls back to another), so it is set rather than set back.
 */
function wayOut(key: string, c: ValueChange, template: boolean, unset = false, added: Added = "no"): string {
  // An override the update adds has no value to go back to: the one it replaced is the program's.
  const back =
    added === "yes"
      ? `remove ${key} (an override the export did not have: ${show(c.was)} is what the program sets without it)`
      : added === "maybe"
        ? `remove ${key} where the export had no such override (${show(c.was)} is then what the program sets without it), else set it back to ${show(c.was)}`
        : `set ${key}${unset ? "" : " back"} to ${show(c.was)}`;
  const [was, now] = [quantityBytes(c.was), quantityBytes(c.now)];
  if (now < was) return `a claim cannot shrink: ${back}, or move the data to a new claim: ${CLAIM_DOC}`;
  if (now > was && template)
    return `a claim template cannot grow in place: ${back}, or grow the claims and let the update recreate the StatefulSet: ${CLAIM_DOC}`;
  return `${back}, or move the data to a new claim: ${CLAIM_DOC}`;
}

/** The Release resource of an object rendered from one, in an export's resources. */
const releaseOf = (o: StackObject, resources: ExportResource[]) =>
  resources.find((r) => r.urn === o.resourceUrn);

/**
 * `refused` (the refusals of updating `before` into `after`, both rendered by a release, or of
 * deleting `before` when `after` is undefined) with each refusal naming the stack setting whose
 * change caused it, with its place in the stack file when `at` knows it, and what to do instead.
 * A claim refusal names the setting whose old and new values it quotes; any refusal no quoted value
 * explains (a claim deleted, a StatefulSet's selector changed) names the `chartValues` overrides of
 * the release whose values changed, as the user's hand in a release is there: the chart's own
 * change (a chart upgrade changing its templates) names nothing and stays as it was.
 */
export function withClaimCauses(
  refused: Refusal[],
  before: StackObject,
  after: StackObject | undefined,
  exports: { before: ExportResource[]; after: ExportResource[] },
  at?: OverridePlace,
): Refusal[] {
  // Most objects have no refusal: the values trees are walked only for one that has. Measured
  // (changeCheck, claimCauseAuditX2, claimCauseDistributedMimir tests, medians of 3-4): 4.15 s -> 4.0 s.
  if (refused.length === 0) return refused;
  const now = after ?? before;
  const [rb, ra] = [releaseOf(before, exports.before), releaseOf(now, exports.after)];
  if (!rb || !ra || !now.release) return refused;
  const chart = String(ra.inputs?.chart ?? now.release.chart);
  const changes = valueChanges(rb.inputs?.values ?? {}, ra.inputs?.values ?? {});
  const overrides = [
    ...new Set([...chartValueOverridesOf(exports.after), ...chartValueOverridesOf(exports.before)]),
  ];
  const added = addedOverrides(exports.before);
  const template = now.object.kind !== "PersistentVolumeClaim";
  const settings = (cs: ValueChange[], only?: (key: string) => boolean) => {
    const named = new Map<string, ValueChange>();
    for (const c of cs) {
      const key = settingOf(chart, c.path, overrides);
      if (key && !named.has(key) && (!only || only(key))) named.set(key, c);
    }
    return named;
  };
  // The overrides whose values changed: what the user did to this release, whatever it refuses.
  const changedOverrides = settings(changes, (key) => key.startsWith("chartValues."));
  return refused.map((r) => {
    const claim = isClaimRefusal(r);
    const quoted = claim
      ? settings(
          changes.filter(
            (c) =>
              // null is no stack key's value: the takeover keeping a value the running release
              // leaves unset (model/running.ts keepRunningValues).
              c.now !== null &&
              quotes(r.reason, c.now ?? c.was) &&
              (c.was === undefined || quotes(r.reason, c.was)) &&
              sameWay(r.reason, c),
          ),
        )
      : new Map<string, ValueChange>();
    if (quoted.size > 0) return withCause(r, causedBy(quoted, template, at, claim || holdsClaims(r), added));
    // No quoted value ties the refusal to a setting: the overrides the update changes are named as
    // what may have caused it, not as its cause (a claim deleted by a chart bump while an unrelated
    // `adminUser` changed is no reason to set adminUser back), and merge no refusals by cause.
    if (changedOverrides.size === 0) return r;
    return { ...r, reason: `${r.reason}; ${maybeCausedBy(changedOverrides, at)}` };
  });
}

/**
 * Whether a `chartValues.<chart>.<path>` key is an override the previous export did not have: read
 * from the overrides its Stack output records (synth/report.ts chartValueOverridesOf). `maybe`
 * where the export records none: this version leaves the output out when there are none, and a
 * version before index.ts exported it (d91ee962) left it out always, so it cannot be told.
 */
function addedOverrides(before: ExportResource[]): (key: string) => Added {
  const stack = before.find((r) => r.type === "pulumi:pulumi:Stack");
  const recorded = Array.isArray(stack?.outputs?.chartValueOverrides);
  const had = new Set(chartValueOverridesOf(before).map((o) => `chartValues.${o}`));
  return (key) => (!key.startsWith("chartValues.") || had.has(key) ? "no" : recorded ? "yes" : "maybe");
}

/** Whether the update adds an override ({@link addedOverrides}). */
type Added = "yes" | "no" | "maybe";

/** The overrides an update changes, said as what may have caused a refusal no quoted value ties to one. */
function maybeCausedBy(changed: Map<string, ValueChange>, place?: OverridePlace): string {
  const each = [...changed].map(([key, c]) => {
    const w = writtenAt(key, place);
    return `${key}${w.where ? ` (${w.where})` : ""} from ${show(c.was)} to ${show(c.now)}`;
  });
  const one = each.length === 1;
  return `the update also changes the chart values ${one ? "override" : "overrides"} ${each.join(", ")}: if ${one ? "it is" : "one of these is"} the cause, set it back (or remove it, where the export had none)`;
}

/** Whether a refusal is of losing a claim's data (a claim deleted, or deleted with its StatefulSet). */
const holdsClaims = (r: Refusal) =>
  /(^|, )(metadata\.name|spec\.persistentVolumeClaimRetentionPolicy)/.test(r.field) && /claim/.test(r.reason);

/**
 * Whether change `c` goes the way the refusal says the field goes, when it says so with `old ->
 * new` (apiRules.ts vctChanges: `size 10Gi -> unset`): a value it quotes on the wrong side (a
 * chart default the running claim has, set by the stack only at another target) is no cause. Any
 * old value agrees with a key the previous side left unset, as the chart's default filled it.
 */
function sameWay(reason: string, c: ValueChange): boolean {
  const pairs = [...reason.matchAll(/(\S+) -> (\S+?)(?=[;,)]*(\s|$))/g)].map((m) => [m[1], m[2]]);
  if (pairs.length === 0) return true;
  const said = (v: unknown) => [show(v), JSON.stringify(v)];
  return pairs.some(
    ([was, now]) => said(c.now).includes(now) && (c.was === undefined || said(c.was).includes(was)),
  );
}

/** Whether a refusal is of a claim's fields, the ones a release's values may have caused. */
const isClaimRefusal = (r: Refusal) =>
  /volumeClaimTemplate|^spec\.(storage|resources|storageClassName|accessModes|volumeMode)/.test(r.field);

/**
 * `r` ending in its cause, which it also keeps apart for the merge of one cause's refusals, with
 * the edit behind it (`causeGroup`) and the keys it names that the file leaves to that edit.
 */
const withCause = (r: Refusal, cause: Cause): Refusal => ({
  ...r,
  reason: `${r.reason}; caused by ${cause.text}`,
  cause: cause.text,
  causeGroup: cause.group,
  ...(cause.unset.length > 0 ? { causeUnset: cause.unset } : {}),
  ...(cause.parts.length > 1 ? { causeParts: cause.parts } : {}),
});

/** The value at a table path (map keys, list indexes as digits). */
function at(tree: unknown, path: readonly string[]): unknown {
  let v = tree;
  for (const step of path) v = isMap(v) ? v[step] : undefined;
  return v;
}

/**
 * Where stack keys land in an object the program writes itself: the table's rows for it (Mimir's
 * StatefulSets, by `<Kind>/<name>`), and the Prometheus claim's keys for a claim.
 */
function objectKeyPaths(o: Record<string, any>): { key: string; path: readonly string[] }[] {
  if (o.kind === "PersistentVolumeClaim")
    return Object.entries(PROMETHEUS_CLAIM_KEYS).map(([field, key]) => ({ key, path: field.split(".") }));
  const object = `${o.kind}/${o.metadata?.name}`;
  return (STACK_KEY_CHART_PATHS as readonly StackKeyPath[]).filter((e) => targetOf(e) === object);
}

/**
 * `refused` (the refusals of the engine replacing, or the API server updating, an object the
 * program writes itself, `before` into `after`, both as the resource's inputs with kind and name)
 * with each claim refusal naming the stack key whose change caused it, with its place in the stack
 * file when `place` knows it, and what to do instead: the keyed fields of that object that changed
 * ({@link objectKeyPaths}). A refusal no key's change caused (a scaled-out Mimir group's size, the
 * program's own) stays as it was.
 */
export function withObjectClaimCauses(
  refused: Refusal[],
  before: Record<string, any>,
  after: Record<string, any>,
  place?: OverridePlace,
): Refusal[] {
  const changed = new Map<string, ValueChange>();
  for (const e of objectKeyPaths(after)) {
    if (changed.has(e.key)) continue;
    const [was, now] = [at(before, e.path), at(after, e.path)];
    if (was !== now) changed.set(e.key, { path: e.path.join("."), was, now });
  }
  if (changed.size === 0) return refused;
  const template = after.kind !== "PersistentVolumeClaim";
  return refused.map((r) => {
    if (!/volumeClaimTemplate|^spec\.(storage|resources|storageClassName)/.test(r.field)) return r;
    // Only the keys behind this field: a claim's size and class are two refusals, two causes.
    const own = new Map([...changed].filter(([, c]) => fieldCovers(r.field, c.path)));
    return withCause(r, causedBy(own.size > 0 ? own : changed, template, place));
  });
}

/**
 * Whether a refusal's field (`spec.resources.requests.storage`; the provider's paths, comma
 * separated, with `[0]` for a list item) is, or holds, a keyed path (`.0` for a list item).
 */
const fieldCovers = (field: string, path: string) =>
  field
    .split(", ")
    .map((f) => f.replace(/\[(\d+)\]/g, ".$1"))
    .some((f) => path === f || path.startsWith(`${f}.`));

/**
 * `key (file:line) changed from a to b: what to do instead`, for each key, joined; a key the file
 * leaves to another ({@link writtenAt}) names that one's line and is set rather than set back.
 */
function causedBy(
  named: Map<string, ValueChange>,
  template: boolean,
  place?: OverridePlace,
  claim = true,
  added: (key: string) => Added = () => "no",
): Cause {
  const edits = [...named].map(([key, c]) => ({ key, c, w: writtenAt(key, place) }));
  // A refusal of no claim's data (a selector) has one way out: the setting as it was.
  const out = (key: string, c: ValueChange, unset: boolean) =>
    claim
      ? wayOut(key, c, template, unset, added(key))
      : c.was === undefined || added(key) === "yes"
        ? `remove ${key}`
        : `set ${key} back to ${show(c.was)}`;
  const parts = edits.map(({ key, c, w }) => {
    const unset = w.key !== key;
    const name = unset
      ? `${key} (not set: it takes ${w.key}${w.where ? `, ${w.where}` : ""})`
      : `${key}${w.where ? ` (${w.where})` : ""}`;
    const changed = `changed from ${show(c.was)} to ${show(c.now)}`;
    return {
      text: `${name} ${changed}: ${out(key, c, unset)}`,
      // The lines edited and how: storageClasses.metrics left unset and storageClasses.default are
      // one edit, of storageClasses.default's line.
      group: `${w.key} ${show(c.was)} -> ${show(c.now)}`,
      // Said as the edited key's, as change.ts oneCause says the merged refusal of that edit.
      ...(unset
        ? {
            asEdited: `${w.key} (${w.where ? `${w.where}, ` : ""}which ${key}, not set, takes too) ${changed}: ${out(w.key, c, false)}`,
          }
        : {}),
    };
  });
  return {
    text: parts.map((p) => p.text).join("; and by "),
    group: parts.map((p) => p.group).join("; "),
    unset: edits.filter(({ key, w }) => w.key !== key).map(({ key }) => key),
    parts,
  };
}

/**
 * A refusal's cause: the text `reason` ends in, the edits of the stack file behind it (what one
 * mistake is, for change.ts oneRefusalPerCause), and the keys it names that the file leaves unset,
 * so they take the edited one's value.
 */
export interface Cause {
  text: string;
  group: string;
  unset: string[];
  /** Each edit's part of `text` (joined by "; and by "), its group, and how the edited key says it. */
  parts: CausePart[];
}

/** One edit of a {@link Cause}: `asEdited` when `text` names a key the file leaves unset. */
export interface CausePart {
  text: string;
  group: string;
  asEdited?: string;
}
