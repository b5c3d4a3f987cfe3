/**
 * The change from one state of a stack to the next, object by object, and what of it the API
 * server, Helm or the Pulumi engine refuses, or what loses data. Pure: both sides come rendered
 * (synth/render/), so the same Helm and charts made both.
 *
 * The engine's rules, read in pulumi/pulumi v3.259.0 `pkg/resource/deploy/step_generator.go`:
 * a replacement of a resource protected before and after fails ("unable to replace resource ...
 * as it is currently marked for protection"); a replacement of a resource that still carries its
 * `import` ID fails in `up` ("previously-imported resources that still specify an ID may not be
 * replaced"); since 3.174.0 (pulumi/pulumi#19339) an import is followed by the ordinary diff in
 * the same deployment, so a leftover difference after import is an update and only a replacement
 * is refused. Deleting a protected resource fails as well (step_generator.go, deletes).
 */
import type { ExportResource, StackExport } from "../synth/synthesize";
import { apiOfType } from "../synth/render/kinds";
import { placeholderSecrets } from "../synth/render/secrets";
import type { RenderedObject, StackObject } from "../synth/render/types";
import { claimGrowth, deletesClaims, holdsData, refusedUpdate, type Refusal } from "./apiRules";
import { withClaimCauses, withObjectClaimCauses } from "./claimCause";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import { groupVersion, ignored, providerDiff, withIgnoredChanges, type ProviderFlags } from "./providerDiff";
import { ownerMoves } from "../checks/duplicates";
import { transitionHostPortClashes } from "../checks/hostPorts";
import { lokiMoveChanges } from "./lokiMode";
import { mimirIngesterChanges } from "./mimirIngesters";
import type { Placed } from "../checks/objects";
import { sameJson } from "./sameJson";
import { ITEM as VAULT_ITEM, itemName } from "./vaultItems";
import { PROMETHEUS_VOLUME_TYPE } from "../model/storage";
import { changePath, describeChanges, summarizeChanges } from "./describe";
import { listed } from "../model/words";
import { urnStack } from "../model/names";
import { pulumiCommand } from "../config/paths";
import { RELEASE_TYPE } from "../model/names";
import { shellWord } from "../model/running";

export { sameJson };

const PROVIDER_TYPE = "pulumi:providers:kubernetes";

/** One side of the change: the export and every object it deploys (rendered and raw). */
export interface StackState {
  export: StackExport;
  objects: StackObject[];
  /** Import IDs by URN (the synthesis's side record; a real export has none). */
  imports?: Record<string, string>;
  /** ignoreChanges by URN (the synthesis's side record). */
  ignoreChanges?: Record<string, string[]>;
}

/**
 * What the engine does to one resource or object. Named as `pulumi preview` names its steps
 * (pulumi/pulumi pkg/resource/deploy/step.go: OpCreate "create", OpUpdate "update", OpReplace
 * "replace", OpDelete "delete", OpImport "import" shown as `= `), so the list reads as the
 * preview will.
 */
export type Action = "create" | "import" | "update" | "replace" | "delete";

/** One step of the change. */
export interface ChangeEntry {
  action: Action;
  /** `Kind namespace/name` of an object, or the resource's type::name. */
  subject: string;
  /** What deploys it: `release <ns>/<name>` or the resource's name. */
  owner: string;
  /** Why: changed fields (update), the paths that force the replacement, what is lost. */
  why: string[];
  /** What the API server, Helm or the engine refuses, or what loses data. */
  refused: Refusal[];
  /** Of a resource's own deletion: its URN (the export's identity, where `subject` is for a person). */
  urn?: string;
  /**
   * Of a deletion: the resource is retained on delete, so the engine drops it from the stack's
   * state and leaves it where it is (`pulumi preview` shows `delete[retain]`).
   */
  retained?: boolean;
}

export interface ChangeReport {
  entries: ChangeEntry[];
  /** Entries with at least one refusal. */
  refused: ChangeEntry[];
}

/**
 * What a stack-wide refusal (a line above the objects) traced its mistake to, kept beside the
 * words it prints: where it is refused (`buckets Loki chunks loki -> production-loki-chunks`, the
 * line's head) and the stack keys whose change made it, so a check that folds refusals by their
 * cause (change/takeoverRemoved.ts) reads the cause, never the printed line.
 */
export interface VerdictCause {
  place: string;
  keys: string[];
}

const lastName = (urn: string) => urn.split("::").pop()!;
/** `Kind::name`: how a change's lines name a Pulumi resource (its type's last part and its name). */
export const resourceLabel = (r: ExportResource) => `${r.type.split(":").pop()}::${lastName(r.urn)}`;

/** `group/Kind namespace/name`: version-independent identity of an object in the cluster. */
export function objectKey(o: RenderedObject): string {
  const { group } = groupVersion(o.apiVersion);
  return `${group || "core"}/${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}
const subjectOf = (o: RenderedObject) =>
  `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
/** Who deploys an object, as messages name it: `release <namespace>/<name>`, else its resource's name. */
export const ownerOf = (s: StackObject) =>
  s.release ? `release ${s.release.namespace}/${s.release.name}` : lastName(s.resourceUrn);

/** The provider switches of the kubernetes provider a resource uses (its Provider's inputs). */
export function providerFlags(exp: StackExport, res?: ExportResource): ProviderFlags {
  const providers = exp.deployment.resources.filter((r) => r.type === PROVIDER_TYPE);
  const ref = res?.provider?.split("::").slice(0, -1).join("::");
  const p = providers.find((x) => ref && x.urn === ref) ?? providers[0];
  const on = (v: unknown) => v === true || v === "true";
  return {
    enableConfigMapMutable: on(p?.inputs?.enableConfigMapMutable),
    enableSecretMutable: on(p?.inputs?.enableSecretMutable),
  };
}

/**
 * The kube context the stack's Kubernetes provider is pinned to (its `context` input, from the
 * stack's kubeContext), or undefined when it takes whatever the kubeconfig selects: what a printed
 * kubectl or helm command names so that, pasted, it reaches the cluster the update does.
 */
export function pinnedContext(exp: StackExport): string | undefined {
  const context = exp.deployment.resources.find((r) => r.type === PROVIDER_TYPE)?.inputs?.context;
  return typeof context === "string" && context ? context : undefined;
}

/** The deletions and replacements the new state makes on purpose (its stack output `plannedChanges`). */
export function plannedChanges(exp: StackExport): Record<string, string> {
  const stack = exp.deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const p = stack?.outputs?.plannedChanges;
  return p && typeof p === "object" && !Array.isArray(p) ? (p as Record<string, string>) : {};
}

/** The object without its status, which the API server writes and no apply sends: never a change of ours. */
const withoutStatus = (o: RenderedObject): RenderedObject => {
  const rest: any = { ...o };
  delete rest.status;
  return rest;
};

/**
 * The change from `before` to `after`. Resources are matched by URN (as the engine does), objects
 * by group, kind, namespace and name (as the API server does).
 */
/**
 * `at` places a stack key in the stack file (synth/report.ts overridePlacesIn): a refused claim
 * change names the key behind it with its line. `dir` is the project folder the printed commands
 * name when it is not this checkout (config/paths.ts commandDir).
 */
export function planChange(
  before: StackState,
  after: StackState,
  at?: OverridePlace,
  dir?: string,
): ChangeReport {
  const replacedReleases = new Set<string>();
  const entries = [
    ...resourceChanges(before, after, replacedReleases, at, dir),
    ...objectChanges(before, after, replacedReleases, at),
  ];
  // One message per mistake: a key's change refused at several objects is one refusal.
  oneRefusalPerCause(entries);
  handOverRefusals(before, after, entries, at);
  // The move off SimpleScalable: what one update does to the write pods (change/lokiMode.ts).
  for (const m of lokiMoveChanges(
    before.export.deployment.resources,
    after.export.deployment.resources,
    RELEASE_TYPE,
    at,
    dir,
  )) {
    const subject = resourceLabel(m.release);
    let entry = entries.find((e) => e.subject === subject && e.action !== "delete");
    if (!entry) {
      entry = { action: "update", subject, owner: lastName(m.release.urn), why: [], refused: [] };
      entries.push(entry);
    }
    entry.refused.push(...foldLokiRenames(entries, m.release, m.refused));
  }
  // Mimir's ingesters leaving more than one at once (change/mimirIngesters.ts).
  const afterByUrn = new Map(after.export.deployment.resources.map((r) => [r.urn, r]));
  for (const m of mimirIngesterChanges(
    before.export.deployment.resources,
    after.export.deployment.resources,
    at,
  )) {
    const subject = resourceLabel(afterByUrn.get(m.urn)!);
    let entry = entries.find((e) => e.subject === subject && e.action !== "delete");
    if (!entry) {
      entry = { action: "update", subject, owner: lastName(m.urn), why: [], refused: [] };
      entries.push(entry);
    }
    entry.refused.push(m.refused);
  }
  return { entries, refused: entries.filter((e) => e.refused.length > 0) };
}

/**
 * One message per mistake: one stack setting's change refused at several objects has one cause
 * and one way out (claimCause.ts says both, the same text at each), so it is one refusal, on the
 * first place it is refused, naming every other place and why each refuses it. While
 * kube-prometheus-stack runs, prometheus.volumeSize shrinking is refused at the claim the program
 * writes (the API server) and at the Prometheus resource's claim template (its operator). One edit
 * is one cause whichever key a refusal names for it (`causeGroup`): storageClasses.default changed
 * on a stack that leaves storageClasses.metrics unset was two refusals (the metrics claims'
 * "set storageClasses.metrics", Loki's and Grafana's "set storageClasses.default back"), each at
 * the same line; it is one, saying the edited key's way out and that the unset key takes it.
 */
function oneRefusalPerCause(entries: ChangeEntry[]): void {
  const first = new Map<
    string,
    { entry: ChangeEntry; refusal: Refusal; also: string[]; at: string[]; causes: Refusal[] }
  >();
  for (const e of entries)
    e.refused = e.refused.filter((r) => {
      if (!r.cause) return true;
      const group = r.causeGroup ?? r.cause;
      const seen = first.get(group);
      if (!seen) {
        first.set(group, { entry: e, refusal: r, also: [], at: [], causes: [r] });
        return true;
      }
      seen.also.push(`${e.subject} ${r.field}: ${withoutCause(r)}`);
      seen.at.push(`${e.subject} ${r.field}`);
      seen.causes.push(r);
      return false;
    });
  for (const { entry, refusal, also, at, causes } of first.values()) {
    if (also.length === 0) continue;
    const cause = oneCause(causes);
    const merged: Refusal = {
      ...refusal,
      reason: `${withoutCause(refusal)}; the same change is refused at ${also.join("; and at ")}; caused by ${cause}`,
      cause,
      mergedAt: at,
    };
    entry.refused = entry.refused.map((r) => (r === refusal ? merged : r));
  }
  // A refusal of more than one edit (the Prometheus template whose size and class both change)
  // says an edit that refusals of it alone say by the edited key (storageClasses.default set back)
  // the same way: "set storageClasses.metrics" there was a second way out of one mistake, which,
  // followed, left the others refused.
  const byEditedKey = new Set(
    [...first].filter(([, { causes }]) => causes.some((r) => !r.causeUnset)).map(([group]) => group),
  );
  for (const e of entries)
    e.refused = e.refused.map((r) => {
      const parts = r.causeParts;
      if (!r.cause || !parts?.some((p) => p.asEdited && byEditedKey.has(p.group))) return r;
      const cause = parts
        .map((p) => (p.asEdited && byEditedKey.has(p.group) ? p.asEdited : p.text))
        .join("; and by ");
      return { ...r, reason: `${withoutCause(r)}; caused by ${cause}`, cause };
    });
}

/**
 * The cause one merged refusal says, of refusals of one edit: the first that names the edited key
 * itself (its way out mends every place), with the keys the others name that take its value while
 * unset said beside that key's place (`storageClasses.default (Pulumi.production.yaml:38, which
 * storageClasses.metrics, not set, takes too) changed from ...`); the first one's where none does.
 */
function oneCause(causes: Refusal[]): string {
  const direct = causes.find((r) => !r.causeUnset);
  if (!direct) return causes[0].cause!;
  const unset = [...new Set(causes.flatMap((r) => r.causeUnset ?? []))];
  if (unset.length === 0) return direct.cause!;
  const takes = `which ${unset.join(" and ")}, not set, ${unset.length > 1 ? "take" : "takes"} too`;
  // claimCause.ts causedBy leads with `<key> (<place>) changed from`, or `<key> changed from`.
  return direct.cause!.replace(/^(\S+)(?: \(([^)]*)\))? changed from /, (_m, key: string, where?: string) =>
    where ? `${key} (${where}, ${takes}) changed from ` : `${key} (${takes}) changed from `,
  );
}

/** A refusal's reason without its closing `; caused by <cause>`. */
const withoutCause = (r: Refusal): string =>
  r.cause && r.reason.endsWith(`; caused by ${r.cause}`)
    ? r.reason.slice(0, -`; caused by ${r.cause}`.length)
    : r.reason;

/**
 * One message per mistake: a refused Loki mode move deletes the release's write and backend
 * StatefulSets while it creates the monolithic one, which objectDeletion reads as renames. Those
 * are the same mistake, so their rename refusals (found by their kind, not their wording) are
 * dropped and the move's first refusal names them. What a deletion is refused for by itself (its
 * claims deleted with it) stays, as its own refusal: the move done step by step still hits it.
 */
function foldLokiRenames(entries: ChangeEntry[], release: ExportResource, refused: Refusal[]): Refusal[] {
  const owner = `release ${release.inputs?.namespace}/${release.inputs?.name}`;
  const left: string[] = [];
  const gone: string[] = [];
  for (const e of entries) {
    if (e.action !== "delete" || e.owner !== owner || !e.subject.startsWith("StatefulSet ")) continue;
    const rename = e.refused.find((r) => r.kind === "rename");
    if (!rename) continue;
    const alone = rename.deletion ?? [];
    e.refused = e.refused.flatMap((r) => (r === rename ? alone : [r]));
    (alone.length > 0 ? gone : left).push(e.subject);
  }
  if (left.length + gone.length === 0 || refused.length === 0) return refused;
  const [first, ...rest] = refused;
  const also = `; the same update deletes ${[
    ...(left.length > 0 ? [`${left.join(" and ")}, whose claims stay behind, unused`] : []),
    ...(gone.length > 0
      ? [
          `${gone.join(" and ")}, whose claims go with ${gone.length > 1 ? "them (each refused on its own)" : "it (refused on its own)"}`,
        ]
      : []),
  ].join(", and ")}`;
  // Before the closing pointer to the docs, when the reason ends with one.
  const doc = / \(docs\/[^)]*\)$/.exec(first.reason);
  const reason = doc ? `${first.reason.slice(0, doc.index)}${also}${doc[0]}` : `${first.reason}${also}`;
  return [{ ...first, reason }, ...rest];
}

/** Resources the engine diffs itself: Releases (name/namespace) and raw Kubernetes objects. */
function resourceChanges(
  before: StackState,
  after: StackState,
  replacedReleases: Set<string>,
  at?: OverridePlace,
  dir?: string,
): ChangeEntry[] {
  const entries: ChangeEntry[] = [];
  const planned = plannedChanges(after.export);
  const bRes = new Map(before.export.deployment.resources.map((r) => [r.urn, r]));
  const aRes = new Map(after.export.deployment.resources.map((r) => [r.urn, r]));
  for (const [urn, a] of aRes) {
    const b = bRes.get(urn);
    if (!b || !a.custom || a.external || b.external) continue;
    const entry =
      a.type === RELEASE_TYPE
        ? releaseChange(urn, b, a, before, after, planned, replacedReleases)
        : objectResourceChange(urn, b, a, after, at);
    if (entry) entries.push(entry);
  }
  for (const [urn, b] of bRes)
    if (!aRes.has(urn) && b.custom && !b.external)
      entries.push(resourceDeletion(urn, b, bRes, aRes, planned, before, at, dir));
  for (const [urn, a] of aRes)
    if (!bRes.has(urn) && a.custom && !a.external) {
      // A resource new to the stack that carries an import ID is adopted, not created: the engine
      // makes an ImportStep for it (pulumi/pulumi pkg/resource/deploy/step_generator.go: `isImport
      // := goal.Custom && goal.ID != "" && (!hasOld || ...)`; step.go ImportStep.Op is OpImport,
      // "import", prefix "= "), which reads the existing object and never calls the provider's
      // Create (existing.buckets: the buckets the copy filled).
      const id = after.imports?.[urn] ?? a.importId;
      entries.push({
        action: id ? "import" : "create",
        subject: resourceLabel(a),
        owner: lastName(urn),
        why: id ? [`import ID ${id}`] : [],
        refused: [],
      });
    }
  return entries;
}

/** A Release's update, or its replacement when its name or namespace changes (refused unless planned and lossless). */
function releaseChange(
  urn: string,
  b: ExportResource,
  a: ExportResource,
  before: StackState,
  after: StackState,
  planned: Record<string, string>,
  replacedReleases: Set<string>,
): ChangeEntry | undefined {
  const why = (["name", "namespace"] as const)
    .filter((k) => (b.inputs?.[k] ?? lastName(urn)) !== (a.inputs?.[k] ?? lastName(urn)))
    .map((k) => `.${k} ${b.inputs?.[k]} -> ${a.inputs?.[k]}`);
  if (why.length === 0) {
    // An upgrade: its objects' changes follow below; the Release itself shows what changed.
    const changed = describeChanges(b.inputs ?? {}, a.inputs ?? {});
    return changed.length > 0
      ? { action: "update", subject: resourceLabel(a), owner: lastName(urn), why: changed, refused: [] }
      : undefined;
  }
  replacedReleases.add(urn);
  const reason = planned[lastName(urn)];
  // A planned move passes only if it loses nothing: neither side renders an object holding data.
  const stateful = [before, after].flatMap((s) =>
    s.objects.filter((o) => o.resourceUrn === urn && holdsData(o.object)).map((o) => objectKey(o.object)),
  );
  const field = why.map((w) => w.split(" ")[0].slice(1)).join(", ");
  return {
    action: "replace",
    subject: resourceLabel(a),
    owner: lastName(urn),
    why: [
      ...why,
      "pulumi-kubernetes helm_release.go Diff: forceNewFields .name, .namespace",
      ...(reason ? [`planned: ${reason}`] : []),
    ],
    // The uninstall and the protection are one change's refusals: one message (withProtection).
    refused: withProtection(engineRefusals(b, a, after), [
      ...(!reason
        ? [
            {
              field,
              reason:
                "a Release whose name or namespace changes is replaced: Helm uninstalls it (every object it made, claims included) and installs it afresh; list it in the stack's plannedChanges output if that is intended and it holds no data",
            },
          ]
        : stateful.length > 0
          ? [
              {
                field,
                reason: `planned, but the uninstall loses data: ${[...new Set(stateful)].join(", ")}`,
              },
            ]
          : []),
    ]),
  };
}

/** A raw Kubernetes object's update or replacement, as the provider diffs it. */
function objectResourceChange(
  urn: string,
  b: ExportResource,
  a: ExportResource,
  after: StackState,
  at?: OverridePlace,
): ChangeEntry | undefined {
  const api = apiOfType(a.type);
  if (!api) return undefined;
  const old = objectOfInputs(b, api);
  const next = objectOfInputs(a, api);
  const ignore = after.ignoreChanges?.[urn] ?? [];
  const { diff, replaces } = providerDiff(old, next, {
    flags: providerFlags(after.export, a),
    ignoreChanges: ignore,
  });
  if (Object.keys(diff).length === 0) return undefined;
  const context = pinnedContext(after.export);
  if (replaces.length === 0)
    return {
      action: "update",
      subject: resourceLabel(a),
      owner: lastName(urn),
      why: withGrowth(updated(old, next, diff, ignore), old, withIgnoredChanges(old, next, ignore), context),
      refused: inPlaceRefusals(old, withIgnoredChanges(old, next, ignore), context, at),
    };
  const engine = engineRefusals(b, a, after);
  const refused = holdsData(next as RenderedObject)
    ? // One replacement, one message: the data it loses and the protection that refuses it.
      withProtection(
        engine,
        // A refused claim change names the stack key whose change it is.
        withObjectClaimCauses(
          [
            {
              field: summarizeChanges(replaces),
              reason: "the replacement deletes the object that holds the data and creates an empty one",
            },
          ],
          old,
          next,
          at,
        ),
      )
    : engine;
  return {
    action: "replace",
    subject: resourceLabel(a),
    owner: lastName(urn),
    why: replaces.map((p) => `${p} (pulumi-kubernetes diff.go force-new)`),
    refused,
  };
}

/**
 * What the API server refuses of an in-place update the provider makes of a raw object (`goal`:
 * the inputs after ignoreChanges, as the engine sends them): the provider replaces what its table
 * marks force-new (a claim's class, a Service's clusterIP, a Job's template), and patches the rest,
 * where the API server's own rules still apply (apiRules.ts: a bound claim's size only grows and
 * its other spec fields are frozen; an immutable ConfigMap or Secret stays so), through server-side
 * apply (a `rollingUpdate` the API server defaulted in stays: UpdatePath). Each refusal names
 * the object as the cluster knows it (the resource's name is the program's) and, for a claim, the
 * stack key behind it with its line; a command it prints names the stack's kube `context`.
 */
function inPlaceRefusals(
  old: Record<string, any>,
  goal: Record<string, any>,
  context: string | undefined,
  at?: OverridePlace,
): Refusal[] {
  // The provider applies the program's own objects server-side, with one field manager each.
  const refused = refusedUpdate(old as RenderedObject, goal as RenderedObject, "apply", context).map((r) => ({
    ...r,
    reason: `${subjectOf(goal as RenderedObject)}: ${r.reason}`,
  }));
  return withObjectClaimCauses(refused, old, goal, at);
}

/**
 * An update's changes with a claim's growth said with the condition it applies under (apiRules.ts
 * claimGrowth: only a Bound claim takes it, and the export does not say whether it is bound).
 */
function withGrowth(
  why: string[],
  before: Record<string, any>,
  after: Record<string, any>,
  context: string | undefined,
): string[] {
  const growth = claimGrowth(before as RenderedObject, after as RenderedObject, context);
  if (!growth) return why;
  // The growth names the field it is about: a claim's request, or a VMSingle's spec.storage.
  const field = growth.slice(0, growth.indexOf(":"));
  return why.map((w) => (changePath(w) === field ? growth : w));
}

/**
 * What an in-place update of a raw object changes, said item by item (describe.ts) rather than as
 * the provider's indexed paths, where one item inserted into a list shifts every index after it.
 * What the engine ignores (ignoreChanges) is left out, as in the provider's diff; should the two
 * ever disagree, the provider's paths are said.
 */
function updated(
  old: Record<string, any>,
  next: Record<string, any>,
  diff: Record<string, unknown>,
  ignore: string[],
): string[] {
  const said = describeChanges(old, withIgnoredChanges(old, next, ignore)).filter(
    (c) => !ignored(changePath(c), ignore),
  );
  return said.length > 0 ? said : Object.keys(diff);
}

/** A resource the new state no longer has: refused when protected, when it loses data, or when it was renamed. */
function resourceDeletion(
  urn: string,
  b: ExportResource,
  bRes: Map<string, ExportResource>,
  aRes: Map<string, ExportResource>,
  planned: Record<string, string>,
  before: StackState,
  at?: OverridePlace,
  dir?: string,
): ChangeEntry {
  const refused: Refusal[] = [];
  const reason = planned[lastName(urn)];
  if (b.protect) refused.push(protectRefusal(urn, b, before, at, !!reason, dir));
  const api = apiOfType(b.type);
  const obj = api ? (objectOfInputs(b, api) as RenderedObject) : undefined;
  // A StatefulSet's claims outlive it unless its retention policy deletes them.
  const losesData = obj && (obj.kind === "StatefulSet" ? deletesClaims(obj) : holdsData(obj));
  if (losesData && !b.retainOnDelete && !reason)
    refused.push({
      field: "retainOnDelete",
      reason: "deleting it deletes the data it holds (not retained, not a planned change)",
    });
  // Renamed: a data holder of the same type appears under another URN (a new resource name
  // without an alias, or a new object name): the old claims stay behind, the new object starts empty.
  const twin =
    obj && holdsData(obj) && !reason
      ? [...aRes.values()].find((a) => {
          if (bRes.has(a.urn) || a.type !== b.type || !a.custom || a.external) return false;
          return holdsData(objectOfInputs(a, api!) as RenderedObject);
        })
      : undefined;
  if (twin)
    refused.push({
      field: "metadata.name",
      reason: `renamed to ${resourceLabel(twin)}${lastName(twin.urn) !== lastName(urn) ? " (an alias keeps a resource's identity)" : ""}: its data stays behind and the new one starts empty`,
    });
  return {
    action: "delete",
    subject: resourceLabel(b),
    owner: lastName(urn),
    why: [
      ...(b.retainOnDelete ? [keptText(urn, b, before)] : []),
      ...(reason ? [`planned: ${reason}${b.retainOnDelete ? RETAINED_ANYWAY : ""}`] : []),
    ],
    refused: oneDeletionRefusal(refused),
    urn,
    // Still a delete step, but one that deletes nothing: pulumi/pulumi pkg/resource/deploy/step.go
    // DeleteStep.Op is OpDelete whatever RetainOnDelete says, and DeleteStep.Apply calls no
    // provider Delete for it ("Deleting a \"drop on delete\" is a no-op"); the preview marks the
    // step `delete[retain]` (pkg/backend/display/progress_test.go TestStatusDisplayFlags) and
    // still counts it among the deletes.
    ...(b.retainOnDelete ? { retained: true } : {}),
  };
}

/**
 * One message per mistake (issue 51 item 3): one deletion refused for its protection, for the data
 * it loses and for a rename is one mistake, so one refusal naming every field, the loss first and
 * the protection last, whose reason ends with the command that lifts it (the part to copy).
 */
function oneDeletionRefusal(refused: Refusal[]): Refusal[] {
  if (refused.length < 2) return refused;
  const protect = refused.find((r) => r.field === "protect");
  const ordered = [...refused.filter((r) => r !== protect), ...(protect ? [protect] : [])];
  return [
    {
      field: ordered.map((r) => r.field).join(", "),
      reason: ordered.map((r) => r.reason).join("; and "),
    },
  ];
}

/**
 * The engine refuses to delete a protected resource (step_generator.go). The refusal gives the
 * command that lifts the protection (Pulumi CLI: `pulumi state unprotect [resource-urn]...` with
 * `--stack`, in the project folder `dir` when it is not this checkout: config/paths.ts
 * pulumiCommand) and what the update then does: a resource retained on delete leaves the stack and
 * stays where it is; any other goes, with what the program knows it holds.
 */
function protectRefusal(
  urn: string,
  b: ExportResource,
  before: StackState,
  at?: OverridePlace,
  plannedNow = false,
  dir?: string,
): Refusal {
  const stack = urnStack(urn)?.stack;
  const command = `${pulumiCommand(dir)} state unprotect${stack ? ` --stack ${shellWord(stack)}` : ""} ${shellWord(urn, true)}`;
  const { thing, holds } = whatGoes(urn, b, before);
  const then = b.retainOnDelete
    ? keptText(urn, b, before)
    : `deletes ${thing}${holds ? ` and ${holds}` : ""}`;
  // The command last, alone at the end of the line: the part to copy.
  return {
    field: "protect",
    reason: `a protected resource cannot be deleted; ${prometheusClaimKeys(urn, b, at, plannedNow)}once unprotected, the update ${then}; if that is intended, first run: ${command}`,
    kind: "protected",
    thing,
  };
}

/**
 * After a planned deletion of a resource the previous state retains on delete: the engine deletes
 * what the state says of the resource, and the state is the previous update's (the new program no
 * longer has it to say otherwise), so a setting that lifts the retention in this same update
 * never reaches it. The plan says what the setting means; this says what this update does.
 */
const RETAINED_ANYWAY =
  "; not by this update: the previous state retains it on delete, and a setting that lifts that reaches it only in an update that still has it in the stack, so this update keeps it";

/** What the update does to a resource retained on delete that the new state no longer has. */
function keptText(urn: string, b: ExportResource, before: StackState): string {
  const { thing, holds } = whatGoes(urn, b, before);
  return `drops it from the stack and keeps ${thing}${holds ? ` and ${holds}` : ""} (retainOnDelete)`;
}

/**
 * The stack keys that decide the Prometheus claim once kube-prometheus-stack is gone (plan/metrics.ts
 * prometheusVolumeKept), for its protected deletion: without them the refusal's only way out read as
 * unprotecting it, when keeping its history in the stack is one key. Empty for any other resource.
 * `cleanupNow`: the new state sets prometheus.cleanupVolumeOnRemoval (its planned deletion), which
 * in this same update changes nothing ({@link RETAINED_ANYWAY}).
 */
function prometheusClaimKeys(urn: string, b: ExportResource, at?: OverridePlace, cleanupNow = false): string {
  // The claim is the PVC child of the PrometheusVolume component: its URN's type chain ends in both.
  const claim = apiOfType(b.type)?.kind === "PersistentVolumeClaim";
  if (!claim || !urn.includes(`${PROMETHEUS_VOLUME_TYPE}$${b.type}::`)) return "";
  const place = (key: string) => (at?.(key) ? ` (${at(key)})` : "");
  return `the stack no longer plans the Prometheus claim, which holds its history: to keep it in the stack, set prometheus.keepVolume${place("prometheus.keepVolume")}: true; to delete it with its data, set prometheus.cleanupVolumeOnRemoval: true in an update before this one${cleanupNow ? `, while the claim is still in the stack (set in this update, as now${at?.("prometheus.cleanupVolumeOnRemoval") ? ` at ${at("prometheus.cleanupVolumeOnRemoval")}` : ""}, it changes nothing: the claim leaves the stack with the protection and retention the previous update gave it)` : ""} (docs/how-to/move-between-phases.md); `;
}

/**
 * What a resource is, for a person, and what deleting it takes along, where the program knows: a
 * release's data objects are read from `before`'s rendered objects, none when it has none.
 */
export function whatGoes(
  urn: string,
  b: ExportResource,
  before: Pick<StackState, "objects">,
): { thing: string; holds?: string } {
  const inputs = b.inputs ?? {};
  if (b.type === "minio:index/s3Bucket:S3Bucket" || b.type === "pulumi-nodejs:dynamic/garage:Bucket")
    return {
      thing: `bucket ${String(inputs.bucket ?? inputs.name ?? lastName(urn))}`,
      holds: "the objects in it",
    };
  if (b.type === VAULT_ITEM) return { thing: `1Password item ${itemName(b)}` };
  if (b.type === RELEASE_TYPE) {
    const data = before.objects
      .filter((o) => o.resourceUrn === urn && holdsData(o.object))
      .map((o) => subjectOf(o.object));
    const name = `${String(inputs.namespace ?? "default")}/${String(inputs.name ?? lastName(urn))}`;
    return {
      thing: `release ${name}`,
      holds: `every object it made${data.length ? `, with the data of ${data.join(", ")}` : ""}`,
    };
  }
  const api = apiOfType(b.type);
  if (!api) return { thing: resourceLabel(b) };
  const obj = objectOfInputs(b, api) as RenderedObject;
  if (obj.kind === "Namespace") return { thing: `namespace ${obj.metadata.name}`, holds: "everything in it" };
  return { thing: subjectOf(obj), ...(holdsData(obj) ? { holds: "the data it holds" } : {}) };
}

/** Objects Helm patches, creates and deletes. */
function objectChanges(
  before: StackState,
  after: StackState,
  replacedReleases: Set<string>,
  at?: OverridePlace,
): ChangeEntry[] {
  const entries: ChangeEntry[] = [];
  const index = (s: StackState) =>
    new Map(s.objects.filter((o) => o.release).map((o) => [objectKey(o.object), o]));
  const bObj = index(before);
  const aObj = index(after);
  const exports = { before: before.export.deployment.resources, after: after.export.deployment.resources };
  const created: StackObject[] = [];
  const deleted: StackObject[] = [];
  const context = pinnedContext(after.export);
  for (const [key, a] of aObj) {
    const b = bObj.get(key);
    if (!b) {
      created.push(a);
      continue;
    }
    // A replaced Release uninstalls and reinstalls every object: reported on the Release.
    if (replacedReleases.has(a.resourceUrn)) continue;
    const [ob, oa] = [withoutStatus(b.object), withoutStatus(a.object)];
    const why = withGrowth(describeChanges(ob, oa), ob, oa, context);
    if (why.length === 0) continue;
    entries.push({
      action: "update",
      subject: subjectOf(a.object),
      owner: ownerOf(a),
      why,
      // A refused change names the stack setting whose change it is.
      refused: withClaimCauses(refusedUpdate(ob, oa, "helm", context), b, a, exports, at),
    });
  }
  for (const [key, b] of bObj) if (!aObj.has(key)) deleted.push(b);
  for (const a of created)
    entries.push({ action: "create", subject: subjectOf(a.object), owner: ownerOf(a), why: [], refused: [] });
  for (const b of deleted) entries.push(objectDeletion(b, created, exports, at));
  return entries;
}

/**
 * An object Helm deletes: refused when its claims or data go with it, or when it was renamed.
 * One message per mistake: a renamed one is one refusal, whatever its deletion loses besides. Each
 * names the overrides behind it (a claim a chartValues switch turns off), as an update's does.
 */
function objectDeletion(
  b: StackObject,
  created: StackObject[],
  exports: { before: ExportResource[]; after: ExportResource[] },
  at?: OverridePlace,
): ChangeEntry {
  const o = b.object;
  const alone = deletionRefusals(o);
  // Renamed: a data-holding object of the same kind in the same release appears under another name.
  const twins = holdsData(o)
    ? renamedTo(
        o,
        created.filter(
          (c) => c.release?.name === b.release?.name && c.object.kind === o.kind && holdsData(c.object),
        ),
      )
    : [];
  const refused = withClaimCauses(
    twins.length > 0 ? [renameRefusal(o, twins, alone)] : alone,
    b,
    undefined,
    exports,
    at,
  );
  return { action: "delete", subject: subjectOf(o), owner: ownerOf(b), why: [], refused };
}

/**
 * Which of the objects created beside it `o` was renamed to. A rename changes the part of the name
 * a chart takes from its name or fullname (nameOverride: `loki-write` -> `logs-write`) and keeps the
 * component's own part, so of several (a release's write and backend StatefulSets renamed at once)
 * it is the one of the same `app.kubernetes.io/component`, then the one whose name ends the same
 * way longest: the first created named `loki-write` renamed to `logs-backend`. Several equally
 * like it are all returned: `o` was replaced by them, not renamed to one (the loki chart's
 * `ingester.zoneAwareReplication.enabled` turns `loki-ingester` into one StatefulSet per zone).
 */
function renamedTo(o: RenderedObject, candidates: StackObject[]): StackObject[] {
  const component = (x: RenderedObject) => x.metadata.labels?.["app.kubernetes.io/component"];
  const same = candidates.filter((c) => component(c.object) === component(o));
  const pool = same.length > 0 ? same : candidates;
  const shared = (a: string, b: string) => {
    let n = 0;
    while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
    return n;
  };
  const ends = (c: StackObject) => shared(o.metadata.name, c.object.metadata.name);
  const most = Math.max(...pool.map(ends));
  return pool.filter((c) => ends(c) === most);
}

/** What deleting a Helm object loses by itself: a claim not kept, or claims its retention policy deletes. */
function deletionRefusals(o: RenderedObject): Refusal[] {
  const refused: Refusal[] = [];
  if (o.kind === "PersistentVolumeClaim" && !keptByHelm(o))
    refused.push({
      field: "metadata.name",
      reason: "Helm deletes the claim with its data (no helm.sh/resource-policy: keep)",
    });
  if (deletesClaims(o))
    refused.push({
      field: "spec.persistentVolumeClaimRetentionPolicy.whenDeleted",
      reason: "deleting the StatefulSet deletes its claims (retention policy whenDeleted: Delete)",
    });
  return refused;
}

const keptByHelm = (o: RenderedObject) => o.metadata.annotations?.["helm.sh/resource-policy"] === "keep";

/** The way out a rename's refusal ends with (after "; "), when one object took the old one's place. */
const RENAME_WAY_OUT =
  "keep the old name (set back the chart value that names it, such as nameOverride or fullnameOverride, or stay on the chart version before the one that renamed it)";
/** The way out when several took its place: none of them is the old one renamed. */
const REPLACED_WAY_OUT =
  "keep it (set back the chart value that replaces it, or stay on the chart version before the one that replaced it)";

/**
 * The one refusal of a rename: the old name (the entry's subject) and the new, what the old one's
 * deletion does with the data (`alone`: its own refusals, kept on the refusal for a check that says
 * the rename itself, change.ts foldLokiRenames), and the way out; `found` is all but the way out,
 * for a check whose cause has another (change/takeoverRemoved.ts).
 */
function renameRefusal(o: RenderedObject, twins: StackObject[], alone: Refusal[]): Refusal {
  const lost =
    o.kind === "PersistentVolumeClaim"
      ? keptByHelm(o)
        ? "the old claim stays behind (helm.sh/resource-policy: keep), unused"
        : "Helm deletes the old claim with its data (no helm.sh/resource-policy: keep)"
      : deletesClaims(o)
        ? "deleting the old one deletes its claims (retention policy whenDeleted: Delete)"
        : "its claims stay behind, unused";
  const found =
    twins.length === 1
      ? `renamed to ${subjectOf(twins[0].object)}: ${lost}, and the new one starts empty`
      : `replaced by ${listed(twins.map((t) => subjectOf(t.object)))}: ${lost}, and the new ones start empty`;
  return {
    field: [...new Set(["metadata.name", ...alone.map((r) => r.field)])].join(", "),
    reason: `${found}; ${twins.length === 1 ? RENAME_WAY_OUT : REPLACED_WAY_OUT}`,
    kind: "rename",
    deletion: alone,
    found,
  };
}

/**
 * What changes hands between Pulumi resources, checked with the rendered-object checks' own
 * transition logic (checks/duplicates.ts ownerMoves, hostPorts.ts
 * transitionHostPortClashes), with Pulumi's order: creates and updates first, in dependency
 * order, deletes of resources the new program dropped at the end.
 *
 * One message per mistake: every object that changes owner and every host port still claimed
 * between the same old and new resource (a release moved without its hand-over: its ClusterRole,
 * its ClusterRoleBinding, each port of its DaemonSet) has one cause and one way out, so they are
 * one refusal naming every place, on the entry of the new resource (one is added when it does
 * not change itself).
 */
function handOverRefusals(
  before: StackState,
  after: StackState,
  entries: ChangeEntry[],
  at?: OverridePlace,
): void {
  // Helm installs a chart's `crds/` folder without its ownership metadata and skips CRDs that
  // exist (helm pkg/action/install.go installCRDs): no release owns them, nothing changes hands
  // (a takeover relabels them for the CRD release by hand, "Taking over a running stack" step 4).
  // Only CRDs live there; a file of that folder starting with its own `---` loses the `# Source:`
  // line in the manifest (kube-prometheus-stack's), so a CRD not from `templates/` counts.
  const fromCrdsFolder = (o: StackObject) =>
    !!o.release &&
    o.object.kind === "CustomResourceDefinition" &&
    !/(^|\/)templates\//.test(o.release.source);
  const side = (s: StackState) => ({
    objects: s.objects
      .filter((o) => !fromCrdsFolder(o))
      .map((o): Placed => ({
        obj: o.object,
        urn: o.resourceUrn,
        source: ownerOf(o),
        ...(o.object.metadata.annotations?.["helm.sh/hook"] ? { hook: true } : {}),
      })),
    resources: s.export.deployment.resources,
  });
  const [b, a] = [side(before), side(after)];
  const pairs = new Map<string, HandOver>();
  const pairOf = (from: Placed, to: Placed): HandOver => {
    const key = `${from.urn}\0${to.urn}`;
    let pair = pairs.get(key);
    if (!pair) {
      const kept = a.resources.some((r) => r.urn === from.urn);
      pair = { from, to, kept, objects: [], ports: [] };
      pairs.set(key, pair);
    }
    return pair;
  };
  for (const m of ownerMoves(b, a)) pairOf(m.from, m.to).objects.push(subjectOf(m.to.obj));
  for (const c of transitionHostPortClashes(b, a))
    pairOf(c.old.owner, c.now.owner).ports.push({
      port: `${c.now.protocol}/${c.now.port}`,
      old: subjectOf(c.old.owner.obj),
      now: subjectOf(c.now.owner.obj),
    });
  // One mistake, the agents moved in one update without their hand-over, however many releases
  // move (the agents and node-exporter): one refusal, on the first new Release, naming each.
  const all = [...pairs.values()];
  if (all.length === 0) return;
  const res = a.resources.find((r) => r.urn === all[0].to.urn);
  const subject = res ? resourceLabel(res) : subjectOf(all[0].to.obj);
  const owner = res ? lastName(res.urn) : all[0].to.source;
  let entry = entries.find((e) => e.subject === subject && e.action !== "delete");
  if (!entry) {
    entry = { action: "update", subject, owner, why: [], refused: [] };
    entries.push(entry);
  }
  entry.refused.push(handOverRefusal(all, at));
}

/** What changes hands from one resource to another in one update (see {@link handOverRefusals}). */
interface HandOver {
  from: Placed;
  to: Placed;
  /** The old resource stays in the new program (not parked, or not waited for). */
  kept: boolean;
  /** Objects whose owner changes (`Kind namespace/name`). */
  objects: string[];
  /** Host ports the old resource's pods still hold when the new one's start. */
  ports: { port: string; old: string; now: string }[];
}

/** The one refusal of a hand-over: every object and port it touches, both failures, one way out. */
/** Why one release pair cannot change hands in one update, and the fields it touches. */
function handOverFailure(p: HandOver): { fields: string[]; why: string } {
  const [from, to] = [p.from.source, p.to.source];
  const when = p.kept
    ? `${from} stays in the update, not parked and not waited for`
    : `${from} is deleted only at the end of the update (Pulumi creates the new one before it deletes the old one)`;
  const fails: string[] = [];
  if (p.objects.length > 0)
    fails.push(
      `${listed(p.objects)} ${p.objects.length > 1 ? "change" : "changes"} owner from ${from} to ${to} while ${from} still owns ${p.objects.length > 1 ? "them" : "it"}: ` +
        `Helm refuses to install an object another release owns ("exists and cannot be imported into the current release: invalid ownership metadata"; ` +
        `helm pkg/action/validate.go existingResourceConflict, checkOwnership)`,
    );
  const byOwners = new Map<string, string[]>();
  for (const x of p.ports) {
    const k = `${x.old}\0${x.now}`;
    byOwners.set(k, [...(byOwners.get(k) ?? []), x.port]);
  }
  for (const [k, ports] of byOwners) {
    const [old, now] = k.split("\0");
    fails.push(
      `${old} still claims host ${ports.length > 1 ? "ports" : "port"} ${listed(ports)} on the same nodes when ${now} starts: ` +
        `the new pods stay Pending and the Release's await times out`,
    );
  }
  return {
    fields: [
      ...(p.objects.length > 0 ? ["meta.helm.sh/release-name"] : []),
      ...(p.ports.length > 0 ? [`hostPort ${p.ports.map((x) => x.port).join(", ")}`] : []),
    ],
    why: `${to} installs while ${when}: ${fails.join("; and ")}`,
  };
}

/**
 * The one refusal of a move done without the agents' hand-over: each release pair's failure, then
 * the one fix (keep each old release for one update and make its successor wait for it), which is
 * agents.step's value, named at its line (`at`) since that key is what the operator mends.
 */
function handOverRefusal(pairs: HandOver[], at?: OverridePlace): Refusal {
  const failures = pairs.map(handOverFailure);
  const objects = pairs.some((p) => p.objects.length > 0);
  const ports = pairs.some((p) => p.ports.length > 0);
  const one = pairs.length === 1;
  const olds = pairs.map((p) => p.from.source);
  const their = one ? "its" : "their";
  return {
    field: [...new Set(failures.flatMap((f) => f.fields))].join(", "),
    reason:
      (one ? "" : `${pairs.length} releases change hands in one update: `) +
      failures.map((f) => f.why).join("; also ") +
      `; keep ${listed(olds)} for one update without ${objects ? "those objects" : `${their} pods`}${ports && objects ? `, ${their} pods parked,` : ""} and make ${one ? pairs[0].to.source : "each new one"} wait for ${one ? "it" : "the old one"} (the agents' hand-over: set ${stackKeyAt("agents.step", at)} to handover for one update, then to moved)`,
  };
}

/** What the engine says when it refuses to replace a protected resource (step_generator.go). */
const PROTECTED = "unable to replace a resource marked for protection (pulumi/pulumi step_generator.go)";
/** What the engine says when it refuses to replace a resource that still carries its import ID. */
const IMPORTED =
  "previously-imported resources that still specify an ID may not be replaced (pulumi/pulumi step_generator.go)";

/**
 * One message per mistake (issue 51 item 3): a replacement refused for what it loses (a claim's
 * data; a Release's uninstall) is refused by the engine too when the resource is protected or
 * still carries its import ID, all by one change. The engine's refusals are folded into the first
 * loss refusal, which names the field and the stack key behind it, and keeps that refusal's cause,
 * so oneRefusalPerCause still merges every place the one change touches into one message. With no
 * loss, the engine's own refusals of the one replacement are one message too. `engine`: the
 * engine's refusals of the replacement; `losses`: the refusals of what it loses.
 */
function withProtection(engine: Refusal[], losses: Refusal[]): Refusal[] {
  if (engine.length === 0 || engine.length + losses.length < 2) return [...engine, ...losses];
  const [first, ...rest] = [...losses, ...engine];
  const also = (losses.length > 0 ? engine : engine.slice(1)).map((r) =>
    r.field === "protect"
      ? `the resource is protected: ${r.reason}`
      : `it still carries its import ID: ${r.reason}`,
  );
  const reason = `${withoutCause(first)}; and ${also.join("; and ")}`;
  const merged: Refusal = {
    ...first,
    field: [first, ...(losses.length > 0 ? engine : engine.slice(1))].map((r) => r.field).join(", "),
    reason: first.cause ? `${reason}; caused by ${first.cause}` : reason,
  };
  return [merged, ...rest.filter((r) => !engine.includes(r))];
}

/** The engine's refusals of replacing `b` by `a`: protected on both sides, or still importing. */
function engineRefusals(b: ExportResource, a: ExportResource, after: StackState): Refusal[] {
  const out: Refusal[] = [];
  if (b.protect && a.protect)
    out.push({
      field: "protect",
      reason: PROTECTED,
    });
  if (after.imports?.[a.urn] ?? a.importId)
    out.push({
      field: "import",
      reason: IMPORTED,
    });
  return out;
}

/** A raw resource's inputs as the object the provider diffs (secrets as placeholders). */
function objectOfInputs(r: ExportResource, api: { apiVersion: string; kind: string }): Record<string, any> {
  return { apiVersion: api.apiVersion, kind: api.kind, ...placeholderSecrets(r.inputs ?? {}) };
}

/**
 * How many refusals a report lists: one per REFUSED line, so a release refused for two values it
 * stops reading counts two, as the closing line and the exit status say (not one per object).
 */
export function refusalCount(report: Pick<ChangeReport, "refused">): number {
  return refusalsIn(report.refused);
}

/**
 * The refusals of any listed things that each print one REFUSED line per refusal (report entries,
 * takeover previews, running PrometheusRules): every count of refusals goes through here, so no
 * section counts the objects instead and reads two refusals on one object as one.
 */
export function refusalsIn(items: readonly { refused: readonly unknown[] }[]): number {
  return items.reduce((n, e) => n + e.refused.length, 0);
}

/**
 * The report as lines: one per entry, refusals indented under it. `above` counts the REFUSED lines
 * printed before the objects (`aboveWhat` says where: by default stack-wide verdicts), `below` those
 * printed after them (`belowWhat`), so the counts line says every refusal the closing line counts.
 */
export function formatChange(
  report: ChangeReport,
  opts: { all?: boolean; above?: number; aboveWhat?: string; below?: number; belowWhat?: string } = {},
): string {
  const sym: Record<Action, string> = { create: "+", import: "=", update: "~", replace: "+-", delete: "-" };
  const count = (a: Action) => report.entries.filter((e) => e.action === a).length;
  const retained = report.entries.filter((e) => e.action === "delete" && e.retained).length;
  // Counted as the list says them: imports apart from creates, and the retained among the deletes
  // (Pulumi's summary counts a `delete[retain]` as a delete). Each said only when there is one, so
  // a change with neither reads as it always has.
  const counts = [
    `${count("create")} create`,
    ...(count("import") ? [`${count("import")} import`] : []),
    `${count("update")} update`,
    `${count("replace")} replace`,
    `${count("delete")} delete${retained ? ` (${retained} retained)` : ""}`,
  ].join(", ");
  const shown = opts.all
    ? report.entries
    : report.entries.filter(
        (e) => e.action !== "update" || e.refused.length > 0 || e.why.some((w) => !w.startsWith("metadata")),
      );
  const lines = shown.map((e) => {
    // What changes, readable: a long run of paths (a rule file's every rule) said as a few and the rest counted.
    const head = `${sym[e.action].padEnd(2)} ${(e.retained ? "delete[retain]" : e.action).padEnd(7)} ${e.subject} (${e.owner})${e.why.length ? `: ${summarizeChanges(e.why)}` : ""}`;
    return [head, ...e.refused.map((r) => `     REFUSED ${e.subject} ${r.field}: ${r.reason}`)].join("\n");
  });
  // Said, so the counts add up to what is listed: a chart bump relabels most of its objects
  // (`helm.sh/chart`), and eleven updates under one listed line read as ten unexplained ones.
  const unlisted = report.entries.length - shown.length;
  const why = unlisted
    ? ` (${unlisted} update(s) of metadata alone, such as a chart's version label, not listed)`
    : "";
  // The refusals printed above the objects (a tenant move, a skipped phase; a takeover's previews)
  // and below them (the running rules' evaluators) count too, so this line and the stack's closing
  // line say the same number of REFUSED lines.
  const above = opts.above ?? 0;
  const below = opts.below ?? 0;
  const elsewhere = [
    ...(above ? [`${above} ${opts.aboveWhat ?? "stack-wide, above the objects"}`] : []),
    ...(below ? [`${below} ${opts.belowWhat ?? "below the objects"}`] : []),
  ];
  const where = elsewhere.length ? ` (${elsewhere.join("; ")})` : "";
  return [...lines, `${counts}; ${refusalCount(report) + above + below} refused${where}${why}`].join("\n");
}
