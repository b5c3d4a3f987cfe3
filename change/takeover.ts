/**
 * The takeover's two deployments checked against what runs (`--running <dir>`): the import step
 * (the program's inputs against the live objects the provider reads) and the first update (the
 * running releases, rendered with their chart version and `--all` values, against the program's).
 * Previews as Pulumi CLI 3.174+ shows them: an import is followed by the ordinary diff in the same
 * deployment (pulumi/pulumi#19339; step_generator.go v3.259.0), so a leftover difference shows as
 * `= import` then `~ update`, and only a replacement is refused. A Release a step installs where
 * one of that name already runs (left out of takeover.releases) is refused too.
 */
import { synthesized, type ExportResource, type StackExport, type SynthResult } from "../synth/synthesize";
import { stackInfoData } from "./phaseMove";
import { apiOfType } from "../synth/render/kinds";
import { chartName } from "../synth/render/release";
import { placeholderSecrets } from "../synth/render/secrets";
import { ADOPTABLE_RELEASES, type AdoptableRelease } from "../config/resolve";
import {
  keepRunningValues,
  runningCommand,
  RunningStateError,
  valuesAsTheyRun,
  type KeptValue,
  type RunningRelease,
  type RunningState,
} from "../model/running";
import { placedOrAbove, stackKeyAt, type OverridePlace } from "../synth/report";
import type { RenderedObject } from "../synth/render/types";
import { canonical, refusedUpdate, STATEFULSET_MUTABLE, vctChanges, type Refusal } from "./apiRules";
import { PROMETHEUS_CLAIM_KEYS, writtenAt } from "./claimCause";
import {
  pinnedContext,
  planChange,
  providerFlags,
  resourceLabel,
  type ChangeReport,
  type StackState,
} from "./change";
import { pathSegments, providerDiff, withIgnoredChanges } from "./providerDiff";
import { RELEASE_TYPE } from "../model/names";
import { NotRenderedError, stateOf } from "./against";
import { ruleEvaluatorChange, type RuleEvaluatorChange } from "./ruleEvaluators";
import { runningMonitorWarnings } from "./runningMonitors";
import { grafanaDataVerdicts } from "./grafanaData";
import { lokiStoreRefusals } from "./lokiStore";
import { runningIngesterRefusals } from "./mimirIngesters";
import { retentionVerdicts, type RetentionWarning } from "./retentionShrink";
import { inContext, shellWord } from "../model/running";
import { listed as inWords } from "../model/words";
import { NAMESPACE_TYPE } from "../model/names";
import { NETWORK_POLICIES_DEFERRED } from "@homelab-observability/contract";
import { RELEASE_IMPORT_IGNORES } from "../model/importIgnores";
import { renamedReleaseWarnings } from "./renamedRelease";
import { lokiRulerWarnings } from "./lokiRuler";

/** The expected preview of one adopted resource in one step. */
export interface Preview {
  resource: string;
  /** `= import`, `= import, ~ update`, `~ update`, `  same`, or `+- replace` (refused). */
  op: string;
  fields: string[];
  refused: Refusal[];
  /** What the step deletes by the program's intent, said with the refusals but not counted. */
  warnings?: RetentionWarning[];
  /** A Release the step installs: its `<namespace>/<name>`. */
  installs?: string;
}

/** A live object as the provider's import reads it: server-only metadata and status dropped. */
export function asImported(live: Record<string, any>): Record<string, any> {
  const rest = { ...live };
  delete rest.status;
  const md = { ...(rest.metadata ?? {}) };
  for (const k of ["uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink"])
    delete md[k];
  return { ...rest, metadata: md };
}

/**
 * The namespace as the API server keeps it: the name label it sets (kubernetes.io/metadata.name,
 * NamespaceDefaultLabelName, Kubernetes 1.22+) and the `kubernetes` finalizer every namespace gets.
 */
export function liveNamespace(name: string): Record<string, any> {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
    spec: { finalizers: ["kubernetes"] },
  };
}

function liveObjectOf(r: ExportResource, running: RunningState): Record<string, any> | undefined {
  const name = r.inputs?.metadata?.name;
  if (r.type === NAMESPACE_TYPE) return liveNamespace(name);
  if (r.type === "kubernetes:core/v1:PersistentVolumeClaim") {
    const ns = r.inputs?.metadata?.namespace;
    const pvc = running.pvcs.find((p) => p.metadata?.name === name && p.metadata?.namespace === ns);
    return pvc ? { apiVersion: "v1", kind: "PersistentVolumeClaim", ...asImported(pvc) } : undefined;
  }
  return undefined;
}

/** The program's inputs of a raw resource as the object the provider diffs. */
const inputsObject = (r: ExportResource) => {
  const api = apiOfType(r.type)!;
  return { apiVersion: api.apiVersion, kind: api.kind, ...placeholderSecrets(r.inputs ?? {}) };
};

/** The running release `<namespace>/<name>` (helm-list.yaml), when it runs. */
const runningRelease = (running: RunningState, id: string): RunningRelease | undefined =>
  running.releases.find((x) => `${x.namespace}/${x.name}` === id);
const helmList = (running: RunningState) => `${running.dir}/helm-list.yaml`;

/**
 * How to take over a running release the program would install again: the takeover key to add,
 * when one adopts that name, under the map the stack file writes it in (with that map's line).
 */
function takeOverHint(rel: RunningRelease, at?: OverridePlace): string {
  const key = (Object.keys(ADOPTABLE_RELEASES) as AdoptableRelease[]).find(
    (k) => ADOPTABLE_RELEASES[k] === rel.name,
  );
  if (!key)
    return `no takeover.releases key adopts a release named ${rel.name} (they adopt ${Object.values(ADOPTABLE_RELEASES).join(", ")})`;
  const value = `${rel.namespace}/${rel.name}`;
  const placed = placedOrAbove(`takeover.releases.${key}`, at);
  const doc = "docs/how-to/take-over-flux.md step 1";
  // Set to another release (a namespace mistyped): the key is there, its value is what to change.
  if (placed?.key === `takeover.releases.${key}`)
    return `take it over: set takeover.releases.${key} (${placed.where}) to ${value} (${doc})`;
  const where = !placed
    ? "not in the stack file"
    : placed.key === "takeover.releases"
      ? placed.where
      : `not in the stack file; ${placed.key} is at ${placed.where}`;
  return `take it over: add \`${key}: ${value}\` under takeover.releases (${where}; ${doc})`;
}

/**
 * Per Release a step installs (not imported, and not already in the state of an earlier step,
 * `inState`) whose name runs in its namespace (helm-list.yaml): Helm's install refuses it ("cannot
 * re-use a name that is still in use", helm pkg/action/install.go availableName), so `pulumi up`
 * fails there. A release left out of takeover.releases is installed, not adopted, so it lands here.
 */
export function installClashes(
  result: SynthResult,
  running: RunningState,
  inState: ReadonlySet<string> = new Set(),
  at?: OverridePlace,
): Preview[] {
  const imported = new Set(result.imports.map((i) => i.urn));
  const adopted = new Set(result.imports.map((i) => i.id));
  return result.export.deployment.resources
    .filter((r) => !imported.has(r.urn) && !inState.has(r.urn))
    .flatMap((r) => {
      const reason =
        r.type === RELEASE_TYPE
          ? clashReason(r, running, adopted, at)
          : r.type === NAMESPACE_TYPE
            ? namespaceClash(r, running, at)
            : undefined;
      const release = r.type === RELEASE_TYPE ? { installs: `${r.inputs?.namespace}/${r.inputs?.name}` } : {};
      return reason
        ? [
            {
              resource: resourceLabel(r),
              op: "+ create",
              fields: [],
              refused: [{ field: "name", reason }],
              ...release,
            },
          ]
        : [];
    });
}

/**
 * Why creating the program's Namespace `r` fails beside what runs, if it does: the folder shows
 * something living in it (a release, a StatefulSet, a claim) or lists it (namespaces.yaml), so it
 * exists, and the provider's create of an existing object fails ("already exists";
 * pulumi-kubernetes 4.29+ creates client-side unless upsertExistingObjects, which apply/stack.ts
 * pins off).
 */
function namespaceClash(r: ExportResource, running: RunningState, at?: OverridePlace): string | undefined {
  const name = r.inputs?.metadata?.name;
  if (typeof name !== "string") return undefined;
  const inIt = (xs: Record<string, any>[]) => xs.filter((x) => x.metadata?.namespace === name);
  const releases = running.releases
    .filter((x) => x.namespace === name)
    .map((x) => `${x.namespace}/${x.name}`);
  const evidence = releases.length
    ? `${helmList(running)} shows ${releases.join(", ")} in it`
    : inIt(running.statefulSets).length
      ? `${running.dir}/statefulsets.yaml shows StatefulSets in it`
      : inIt(running.pvcs).length
        ? `${running.dir}/pvcs.yaml shows claims in it`
        : running.namespaces?.some((x) => x.metadata?.name === name)
          ? `${running.dir}/namespaces.yaml lists it`
          : undefined;
  if (!evidence) return undefined;
  const where = at?.("takeover.namespace");
  return `namespace ${name} already exists (${evidence}) and is not taken over: the program would create it, and pulumi up fails ("already exists"); take it over: set takeover.namespace: true${where ? ` (${where})` : ""} (docs/how-to/take-over-flux.md)`;
}

/**
 * Why installing the program's Release `r` fails beside what runs, if it does: a running release
 * of its name in its namespace (Helm refuses the name), or, not taken over, one of its name and
 * chart in another namespace. Helm names releases per namespace, so that install starts; but the
 * chart names its cluster-wide objects (ClusterRole, ClusterRoleBinding) after the release, which
 * the running one owns, so Helm refuses them ("invalid ownership metadata", helm
 * pkg/action/validate.go), and the two would run the same pods (a Flux-run Alloy in the stack's
 * namespace while the program installs its own in the agents' namespace).
 */
function clashReason(
  r: ExportResource,
  running: RunningState,
  adopted: ReadonlySet<string>,
  at?: OverridePlace,
): string | undefined {
  const [ns, name] = [r.inputs?.namespace, r.inputs?.name];
  const here = runningRelease(running, `${ns}/${name}`);
  if (here)
    return `release ${here.namespace}/${here.name} already runs (${helmList(running)}) and is not taken over: the program would install a release of that name in that namespace, and pulumi up fails ("cannot re-use a name that is still in use"); ${takeOverHint(here, at)}`;
  const chart = chartName(r.inputs?.chart);
  const twin = running.releases.find(
    (x) => x.name === name && x.chart === chart && !adopted.has(`${x.namespace}/${x.name}`),
  );
  if (!twin) return undefined;
  const agent = twin.name === "alloy" || twin.name === "vector";
  return `release ${twin.namespace}/${twin.name} (chart ${twin.chart} ${twin.version}) already runs (${helmList(running)}) and is not taken over: the program would install its own ${name} in ${ns}, and the chart names its cluster-wide objects (ClusterRole, ClusterRoleBinding) after the release, which the running one owns, so pulumi up fails ("exists and cannot be imported into the current release: invalid ownership metadata") and the two would run the same pods; ${takeOverHint(twin, at)}${agent ? `, with agents.step: stay for the import step (docs/how-to/move-node-agents.md)` : ""}`;
}

/**
 * Why Helm refuses to upgrade an adopted release in the status helm-list.yaml gives it, if it
 * does: the first update upgrades every adopted release (the provider's update is Helm's
 * action.Upgrade), and the import step, whose values are ignored (plan/takeover.ts
 * RELEASE_IMPORT_IGNORES), does not, so the update is where `pulumi up` fails. Read in helm/helm
 * v3.17.4 (595a05da) pkg/action/upgrade.go `prepareUpgrade`, not run: the last revision pending
 * (`IsPending`: pending-install, pending-upgrade, pending-rollback, pkg/release/status.go) returns
 * errPending, "another operation (install/upgrade/rollback) is in progress" (action.go); otherwise
 * one not deployed needs a deployed revision, or its last one failed or superseded, else
 * `"<name>" has no deployed releases` (storage/driver/driver.go): so uninstalling and uninstalled
 * (an uninstall marks its last revision so, the earlier ones being superseded). Failed is
 * upgraded. The documented `helm list` (no `--all`) lists only deployed and failed releases
 * (list.go `SetStateMask`), so such a status comes from `helm list -a` or a hand-made list.
 */
function statusRefusal(rel: RunningRelease, running: RunningState): Refusal | undefined {
  const status = rel.status?.value;
  if (!status) return undefined;
  const pending = ["pending-install", "pending-upgrade", "pending-rollback"].includes(status);
  if (!pending && status !== "uninstalling" && status !== "uninstalled") return undefined;
  const cmd = (c: string) => `\`${inContext(c, running.from?.context)}\``;
  const [name, ns] = [shellWord(rel.name), shellWord(rel.namespace)];
  const helm = pending
    ? `Helm refuses to upgrade a release while an operation on it is pending ("another operation (install/upgrade/rollback) is in progress")`
    : `Helm upgrades a release that is ${status} only from an earlier deployed revision, and an uninstall leaves none (Helm's error: "${rel.name}" has no deployed releases)`;
  return {
    field: "status",
    reason: `release ${rel.namespace}/${rel.name} is ${status} (${rel.status!.at}): ${helm}, so the first update fails in pulumi up; ${pending ? "once nothing runs that operation any more (Flux's helm-controller suspended, no helm command left running), " : ""}list its revisions with ${cmd(`helm history ${name} -n ${ns}`)} and roll back to the last deployed one with ${cmd(`helm rollback ${name} REVISION -n ${ns}`)} (REVISION: its number in that list), then collect helm-list.yaml again: ${runningCommand("helm-list.yaml", running.dir, running.from)}`,
  };
}

/**
 * Per adopted resource of one synthesis, its preview against what runs, then each Release it would
 * install where one of that name runs (installClashes; `inState` as there), and each it would
 * install beside a running one of its chart under another name (renamedReleaseWarnings).
 */
export function previews(
  result: SynthResult,
  running: RunningState,
  step: "import" | "update",
  inState: ReadonlySet<string> = new Set(),
  at?: OverridePlace,
): Preview[] {
  return [
    ...adoptedPreviews(result, running, step, at),
    ...installClashes(result, running, inState, at),
    ...renamedReleaseWarnings(result, running, inState, at),
  ];
}

/**
 * One message per mistake: an adopted object the import step refuses fails that step's `pulumi
 * up`, and the first update diffs the same program inputs against the same live object, so its
 * preview and its object-by-object entry say the same mistake again. They keep their lines and
 * say where it is refused; only the import step's refusal counts. Likewise a release the import
 * step refuses to install beside a running one of its name (not taken over): the objects it would
 * create where the running release's live (its StatefulSets' claim templates) follow from that
 * one mistake, and taking the release over (with takeover.running) keeps them.
 */
export function refusedOnceAtImport<R extends ChangeReport>(
  importPreviews: Preview[],
  updatePreviews: Preview[],
  update: R,
): { updatePreviews: Preview[]; update: R } {
  const refusedHere = importPreviews.filter((p) => p.refused.length > 0);
  const atImport = new Set(refusedHere.filter((p) => p.op !== "+ create").map((p) => p.resource));
  // The Releases refused as installs, as their rendered objects' entries name their owner.
  const clashed = new Set(
    refusedHere.flatMap((p) => (p.op === "+ create" && p.installs ? [`release ${p.installs}`] : [])),
  );
  if (atImport.size === 0 && clashed.size === 0) return { updatePreviews, update };
  const said = "(refused at the import step above)";
  const previewsOut = updatePreviews.map((p) =>
    atImport.has(p.resource) && p.refused.length > 0 && p.op !== "+ create"
      ? { ...p, fields: [...p.fields, said], refused: [] }
      : p,
  );
  const ofClash = "(its release is refused at the import step above: not taken over)";
  const entries = update.entries.map((e) =>
    atImport.has(e.subject) && e.action !== "create"
      ? { ...e, why: [said, ...e.why], refused: [] }
      : clashed.has(e.owner) && e.action === "create" && e.refused.length > 0
        ? { ...e, why: [ofClash, ...e.why], refused: [] }
        : e,
  );
  return {
    updatePreviews: previewsOut,
    update: { ...update, entries, refused: entries.filter((e) => e.refused.length > 0) },
  };
}

/** The takeover.releases key that adopts `<namespace>/<name>`. */
const releaseKey = (id: string): string => {
  const key = (Object.keys(ADOPTABLE_RELEASES) as AdoptableRelease[]).find(
    (k) => ADOPTABLE_RELEASES[k] === id.split("/").pop(),
  );
  return key ? `takeover.releases.${key}` : "takeover.releases";
};
const listed = (names: string[]) => (names.length ? names.join(", ") : "none");

/** The report an adopted raw object is looked for in, and what it holds of that kind. */
function runningFileOf(r: ExportResource, running: RunningState): string {
  if (r.type === "kubernetes:core/v1:PersistentVolumeClaim")
    return `${running.dir}/pvcs.yaml lists ${listed(running.pvcs.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`))}`;
  return running.dir;
}

/**
 * What to do when an adopted object is not in the folder: it was taken with another cluster's
 * context selected, or before the object existed, so the folder is collected again with the
 * context the stack deploys to (its Kubernetes provider's, from kubeContext).
 */
function collectAgain(result: SynthResult, key: string, at?: OverridePlace): string {
  const context = pinnedContext(result.export);
  const use = context
    ? `kubectl config use-context ${shellWord(context)}`
    : "the stack's kubeContext selected";
  return `if the folder was collected from another cluster, collect it again with ${use} (docs/how-to/check-a-change.md#collecting-what-runs); else correct ${at ? stackKeyAt(key, at) : key}`;
}

function adoptedPreviews(
  result: SynthResult,
  running: RunningState,
  step: "import" | "update",
  at?: OverridePlace,
): Preview[] {
  const out: Preview[] = [];
  for (const imp of result.imports) {
    const r = result.export.deployment.resources.find((x) => x.urn === imp.urn)!;
    const resource = resourceLabel(r);
    if (r.type === RELEASE_TYPE) {
      const rel = runningRelease(running, imp.id);
      if (step === "import") {
        // The provider's import reads the release from Helm: one helm list does not show is not there to adopt.
        const refused = rel
          ? []
          : [
              {
                field: "id",
                reason: `${imp.id} is not in the running state (${helmList(running)} lists ${listed(running.releases.map((x) => `${x.namespace}/${x.name}`))}): the import would fail; ${collectAgain(result, releaseKey(imp.id), at)}`,
              },
            ];
        out.push({ resource, op: "= import", fields: [], refused });
        continue;
      }
      const fields = rel
        ? (["chart", "version"] as const)
            .filter((k) => String(r.inputs?.[k]).split("/").pop() !== rel[k])
            .map((k) => `${k} ${rel[k]} -> ${r.inputs?.[k]}`)
        : [];
      // Where the adopted Loki keeps its logs, and how long a release keeps its data: nothing in
      // Kubernetes or Helm refuses a move to an empty store or a shorter retention.
      const values = r.inputs?.values ?? {};
      const retention = rel ? retentionVerdicts(values, rel, running, at) : { refused: [], warnings: [] };
      const status = rel ? statusRefusal(rel, running) : undefined;
      const refused = rel
        ? [
            ...(status ? [status] : []),
            ...(rel.chart === "loki" ? lokiStoreRefusals(values, rel, running, at) : []),
            ...retention.refused,
          ]
        : [];
      out.push({
        resource,
        op: "~ update",
        fields: [...fields, "values", "maxHistory"],
        refused,
        ...(retention.warnings.length ? { warnings: retention.warnings } : {}),
      });
      continue;
    }
    const live = liveObjectOf(r, running);
    if (!live) {
      // One message per mistake: the import step's refusal says it; the update has nothing to diff.
      if (step === "update") {
        out.push({
          resource,
          op: "~ update",
          fields: ["(unknown: not in the running state, see the import step)"],
          refused: [],
        });
        continue;
      }
      out.push({
        resource,
        op: "= import",
        fields: [],
        refused: r.type.startsWith("kubernetes:")
          ? [
              {
                field: "id",
                reason: `${imp.id} is not in the running state (${runningFileOf(r, running)}): the import would fail; ${collectAgain(result, r.type === "kubernetes:core/v1:PersistentVolumeClaim" ? "takeover.prometheusVolume" : "takeover", at)}`,
              },
            ]
          : [],
      });
      continue;
    }
    const planned = inputsObject(r);
    const { diff, replaces } = providerDiff(live, planned, {
      flags: providerFlags(result.export, r),
      ignoreChanges: imp.ignoreChanges ?? [],
    });
    const fields = previewFields(diff, step);
    const goal = withIgnoredChanges(live, planned, imp.ignoreChanges ?? []);
    const refused = adoptedRefusals(r, live, goal, replaces, running, pinnedContext(result.export), at);
    const changed = Object.keys(diff).length > 0;
    const op = replaces.length
      ? "+- replace"
      : step === "import"
        ? changed
          ? "= import, ~ update"
          : "= import"
        : changed
          ? "~ update"
          : "  same";
    out.push({ resource, op, fields, refused });
  }
  return out;
}

/** A label or annotation: a field other managers may own (metadata.labels.app, metadata.labels["a.b/c"]). */
const METADATA_MAP = /^metadata\.(labels|annotations)[.[]/;

/**
 * The preview's fields of an adopted object, with the labels and annotations the update keeps said
 * as kept, not as deletions. After the import step the state's inputs hold the live labels and
 * annotations (OBJECT_IMPORT_IGNORES copied them, plan/takeover.ts), and the provider's preview
 * diffs the live object pruned to those inputs against the program's by a merge patch
 * (pulumi-kubernetes provider/pkg/provider/provider.go Diff, pruneLiveState and inputPatch), so
 * `pulumi preview` lists each one the program does not set as `(D)`. The update itself is a
 * server-side apply of the program's object (await.go ssaUpdate): a field another manager owns
 * (Flux's kustomize-controller, the StatefulSet controller that made the claim) is left as it is,
 * as the import applied nothing under Pulumi's manager (only what a client-side `kubectl apply`
 * wrote is taken over first and dropped: await.go fixCSAFieldManagers, not known offline, as
 * `kubectl get` leaves managedFields out); and the API server sets a namespace's
 * `kubernetes.io/metadata.name` on every write (NamespaceDefaultLabelName).
 */
function previewFields(diff: Record<string, string>, step: "import" | "update"): string[] {
  const entries = Object.entries(diff);
  const kept = entries.filter(([p, k]) => step === "update" && k === "D" && METADATA_MAP.test(p));
  const fields = entries.filter((e) => !kept.includes(e)).map(([p, k]) => `${p} (${k})`);
  if (kept.length > 0)
    fields.push(
      `kept as they run (server-side apply leaves what other managers set; pulumi preview lists each as (D)): ${kept.map(([p]) => p).join(", ")}`,
    );
  return fields;
}

/** The value at a provider path (`spec.resources.requests.storage`), as a person reads it. */
function valueAt(o: Record<string, any>, p: string): string {
  const v = pathSegments(p).reduce<any>((x, k) => (x && typeof x === "object" ? x[k] : undefined), o);
  return v === undefined ? "unset" : typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * The stack key that sets a field of an adopted object, where one does: the one claim a takeover
 * adopts is Prometheus's (takeover.prometheusVolume, plan/takeover.ts), keyed as the claim the
 * program writes (claimCause.ts PROMETHEUS_CLAIM_KEYS), at the key the stack file writes it under.
 */
function keyOf(r: ExportResource, field: string, at?: OverridePlace): string | undefined {
  if (r.type !== "kubernetes:core/v1:PersistentVolumeClaim") return undefined;
  const key = PROMETHEUS_CLAIM_KEYS[field];
  return key ? writtenAt(key, at).key : undefined;
}

/**
 * What one field of an adopted object says: the running value (from which report), the program's,
 * the stack key behind it with its line, and what to set so the object is adopted as it runs.
 */
function fieldSays(
  r: ExportResource,
  field: string,
  live: Record<string, any>,
  goal: Record<string, any>,
  running: RunningState,
  at?: OverridePlace,
): string {
  const [found, planned] = [valueAt(live, field), valueAt(goal, field)];
  const report =
    r.type === "kubernetes:core/v1:PersistentVolumeClaim" ? `${running.dir}/pvcs.yaml` : running.dir;
  const key = keyOf(r, field, at);
  const where = key ? at?.(key) : undefined;
  const from = key ? ` from ${key}${where ? ` (${where})` : ""}` : " (no stack key sets it)";
  const fix =
    key === "prometheus.volumeSize"
      ? `: set ${key} to ${found} (the running claim's; a claim only grows)`
      : key
        ? `: set storageClasses.metrics to ${found} (the running claim's)`
        : "";
  return `it runs with ${found} (${report}), the program sets ${planned}${from}${fix}`;
}

/**
 * Why the import step fails on an adopted raw object: the diff after the import replaces it (the
 * engine refuses that), or patches it in place where the API server refuses the change (a claim
 * shrinking: apiRules.ts). Each names what runs, what the program sets and the key behind it.
 */
function adoptedRefusals(
  r: ExportResource,
  live: Record<string, any>,
  goal: Record<string, any>,
  replaces: string[],
  running: RunningState,
  context: string | undefined,
  at?: OverridePlace,
): Refusal[] {
  // The refusal's field names the one field it says; of several, each is named before its values.
  const says = (fs: string[]) =>
    fs.length === 1
      ? fieldSays(r, fs[0], live, goal, running, at)
      : fs.map((f) => `${f}: ${fieldSays(r, f, live, goal, running, at)}`).join("; ");
  // Every cause at once: a claim of another class and a smaller size is two keys to set, said
  // together rather than one per run of the check.
  const replaced: Refusal[] = replaces.length
    ? [
        {
          field: replaces.join(", "),
          reason: `the diff after import replaces it, which the engine refuses for a resource still imported or protected (pulumi/pulumi step_generator.go), and a replacement would start it empty; ${says(replaces)}`,
        },
      ]
    : [];
  // The update applies the program's object server-side over the live one other managers wrote.
  const refusedInPlace = refusedUpdate(
    live as RenderedObject,
    goal as RenderedObject,
    "apply-over-live",
    context,
  )
    .filter((x) => !replaces.includes(x.field))
    .map((x) => ({ field: x.field, reason: `${x.reason}; ${says([x.field])}` }));
  return [...replaced, ...refusedInPlace];
}

/** A running release as its Release's inputs: its chart, version and the values that render what runs. */
const runningReleaseInputs = (rel: RunningRelease, running: RunningState): Record<string, any> => ({
  name: rel.name,
  namespace: rel.namespace,
  chart: rel.chart,
  version: rel.version,
  // What runs, where the values file may not say it (a claim template's size).
  values: valuesAsTheyRun(rel, running),
});

/**
 * Whether `exp` is a synthesis of a takeover's import step: the takeover step its stack-info
 * ConfigMap records (plan/foundation.ts), in an export this program synthesized (its manifest's
 * SYNTH_MANIFEST_VERSION). A `pulumi stack export` after that step records the same step, but its
 * state holds each adopted release as the import read it, the running one, not the program's
 * values. An export written before the stack-info recorded the step (an earlier commit's, as CI's
 * HEAD^ exports) is read as then: by the NETWORK_POLICIES_DEFERRED annotation the program puts on
 * its namespace only at that step (`ctx.importing`), which a real export's namespace never holds
 * (the import ignores the program's annotations, OBJECT_IMPORT_IGNORES).
 */
export function importStepSynthesis(exp: StackExport): boolean {
  const recorded = stackInfoData(exp)?.takeoverStep;
  if (typeof recorded === "string") return recorded === "import" && synthesized(exp);
  return exp.deployment.resources.some(
    (r) =>
      r.type === NAMESPACE_TYPE && r.inputs?.metadata?.annotations?.[NETWORK_POLICIES_DEFERRED] !== undefined,
  );
}

/**
 * The state an import step's synthesis (`previous`) stands for, the releases `next` adopts as they
 * run: the import step ignores a Release's chart, version and values (RELEASE_IMPORT_IGNORES), so
 * the engine keeps what the provider's import reads from Helm, the running release, where the
 * synthesis wrote the program's values, which never ran; its other inputs (`compat`) are the
 * program's, kept as the synthesis wrote them. Judged from those, the update's claim
 * templates kept as they run read as changed. `previous` itself for any other export, and for an
 * adopted release `running` does not list.
 */
export function stateAfterImport(
  previous: StackExport,
  next: Pick<SynthResult, "imports">,
  running: RunningState,
): StackExport {
  if (!importStepSynthesis(previous)) return previous;
  const adopted = new Map(next.imports.map((i) => [i.urn, i.id]));
  const resources = previous.deployment.resources.map((r) => {
    const id = r.type === RELEASE_TYPE ? adopted.get(r.urn) : undefined;
    const rel = id === undefined ? undefined : runningRelease(running, id);
    if (!rel) return r;
    // The engine keeps the program's other inputs (compat...): only the ignored ones are the import's.
    const kept = Object.fromEntries(
      Object.entries(r.inputs ?? {}).filter(([k]) => !RELEASE_IMPORT_IGNORES.includes(k)),
    );
    return { ...r, inputs: { ...kept, ...runningReleaseInputs(rel, running) } };
  });
  return { ...previous, deployment: { ...previous.deployment, resources } };
}

/**
 * The running state as the previous export: each adopted Release with its running chart, version
 * and values (same URN as the program's, so the engine's view matches), each adopted raw object as
 * it lives, and the program's providers. A running release not taken over is no part of the state:
 * the program installs its own under that name, which installClashes refuses.
 */
export function runningExport(program: SynthResult, running: RunningState): StackExport {
  const resources: ExportResource[] = [];
  for (const r of program.export.deployment.resources) {
    if (r.type.startsWith("pulumi:")) {
      resources.push(r);
      continue;
    }
    const imp = program.imports.find((i) => i.urn === r.urn);
    if (!imp) continue;
    if (r.type === RELEASE_TYPE) {
      const rel = runningRelease(running, imp.id);
      if (!rel) continue;
      resources.push({ ...r, inputs: runningReleaseInputs(rel, running) });
      continue;
    }
    const live = liveObjectOf(r, running);
    if (live) resources.push({ ...r, inputs: live, outputs: live });
  }
  return { ...program.export, deployment: { ...program.export.deployment, resources } };
}

/** Running StatefulSets whose claim templates or selector the new render would change. */
export function liveStatefulSetRefusals(
  after: StackState,
  running: RunningState,
): { subject: string; refused: Refusal[] }[] {
  const norm = (vcts: any[] = []) =>
    vcts.map((t) => {
      const rest = { ...(t ?? {}) };
      for (const k of ["status", "apiVersion", "kind"]) delete rest[k];
      const spec = { volumeMode: "Filesystem", ...(rest.spec ?? {}) };
      const md = { ...(rest.metadata ?? {}) };
      delete md.creationTimestamp;
      return { ...rest, metadata: md, spec };
    });
  const out: { subject: string; refused: Refusal[] }[] = [];
  for (const s of after.objects) {
    const o = s.object;
    if (o.kind !== "StatefulSet") continue;
    const live = running.statefulSets.find(
      (x) => x.metadata?.name === o.metadata.name && x.metadata?.namespace === o.metadata.namespace,
    );
    if (!live) continue;
    const refused: Refusal[] = [];
    const [liveClaims, newClaims] = [
      norm(live.spec?.volumeClaimTemplates),
      norm(o.spec?.volumeClaimTemplates),
    ];
    if (canonical(liveClaims) !== canonical(newClaims))
      refused.push({
        field: "spec.volumeClaimTemplates",
        // What differs, running -> update, as the --against refusal says it (apiRules.ts vctChanges).
        reason: `differs from the running StatefulSet's (${running.dir}/statefulsets.yaml): ${vctChanges(liveClaims, newClaims).join("; ") || "the templates' other fields"}; updates to statefulset spec for fields other than ${STATEFULSET_MUTABLE.map((f) => `'${f}'`).join(", ")} are forbidden (kubernetes pkg/apis/apps/validation ValidateStatefulSetUpdate)`,
      });
    if (canonical(live.spec?.selector) !== canonical(o.spec?.selector))
      refused.push({
        field: "spec.selector",
        reason: `differs from the running StatefulSet's selector (${running.dir}/statefulsets.yaml): it runs with ${canonical(live.spec?.selector ?? null)}, the update sets ${canonical(o.spec?.selector ?? null)}; updates to statefulset spec for fields other than ${STATEFULSET_MUTABLE.map((f) => `'${f}'`).join(", ")} are forbidden (kubernetes pkg/apis/apps/validation ValidateStatefulSetUpdate)`,
      });
    if (refused.length)
      out.push({ subject: `StatefulSet ${o.metadata.namespace}/${o.metadata.name}`, refused });
  }
  return out;
}

/**
 * The kubectl reports of the folder that hold nothing in a namespace where what runs has objects of
 * their kind: StatefulSets the running releases render (their chart and values), a claim the
 * takeover adopts. `kubectl get` without `-n` lists the current namespace's (`default`, often
 * empty), and read as what runs, each of those objects reads as absent: the adopted claim as not
 * there to import, each running StatefulSet's claim templates as changed (its kept values skipped).
 * One mistake of the collection, said once with the command that collects the report again, not a
 * refusal per object; undefined when the reports hold what runs.
 */
export function reportsCollectedElsewhere(
  result: SynthResult,
  before: StackState,
  running: RunningState,
): string | undefined {
  const holds = (xs: Record<string, any>[], ns: string) => xs.some((x) => x.metadata?.namespace === ns);
  const said: string[] = [];
  const files: { file: string; namespace: string }[] = [];
  const judge = (file: string, kind: string, items: Record<string, any>[], expected: string[][]) => {
    const byNs = new Map<string, string[]>();
    for (const [ns, what] of expected) if (!holds(items, ns)) byNs.set(ns, [...(byNs.get(ns) ?? []), what]);
    for (const [ns, what] of byNs) {
      said.push(`${running.dir}/${file} holds no ${kind} in ${ns}, where ${what.join("; ")}`);
      files.push({ file, namespace: ns });
    }
  };
  const rendered = before.objects.filter((o) => o.object.kind === "StatefulSet" && o.release);
  const namespaces = [...new Set(rendered.map((o) => o.object.metadata.namespace ?? o.release!.namespace))];
  judge(
    "statefulsets.yaml",
    "StatefulSet",
    running.statefulSets,
    namespaces.map((ns) => {
      const here = rendered.filter((o) => (o.object.metadata.namespace ?? o.release!.namespace) === ns);
      const byRelease = [...new Set(here.map((o) => o.release!.name))].map((rel) => {
        const names = here.filter((o) => o.release!.name === rel).map((o) => o.object.metadata.name);
        return `${inWords(names)} (release ${rel})`;
      });
      return [
        ns,
        `the running releases render the StatefulSet${here.length > 1 ? "s" : ""} ${byRelease.join(", ")}`,
      ];
    }),
  );
  const claims = result.imports
    .filter(
      (i) =>
        result.export.deployment.resources.find((r) => r.urn === i.urn)?.type ===
        "kubernetes:core/v1:PersistentVolumeClaim",
    )
    .map((i) => [i.id.split("/")[0], `the takeover adopts the claim ${i.id}`]);
  judge("pvcs.yaml", "PersistentVolumeClaim", running.pvcs, claims);
  if (said.length === 0) return undefined;
  const commands = files.map((f) =>
    runningCommand(f.file, running.dir, { ...running.from, namespace: f.namespace }),
  );
  return `${said.join("; and ")}: ${files.length > 1 ? "they were" : "it was"} collected from another namespace or kube context (\`kubectl get\` without -n lists the current namespace's objects alone), and read as what runs, each of those objects would read as absent; collect ${files.length > 1 ? "them" : "it"} again with: ${commands.join(" && ")}`;
}

/** What the update keeps from what runs, per adopted release (the program's blind values against the running ones). */
export function keptValues(
  blind: SynthResult,
  running: RunningState,
): { release: string; kept: KeptValue[] }[] {
  const out: { release: string; kept: KeptValue[] }[] = [];
  for (const imp of blind.imports) {
    const r = blind.export.deployment.resources.find((x) => x.urn === imp.urn);
    if (r?.type !== RELEASE_TYPE) continue;
    const rel = runningRelease(running, imp.id);
    if (!rel) continue;
    const { kept } = keepRunningValues(r.inputs?.values ?? {}, rel, running);
    out.push({ release: imp.id, kept });
  }
  return out;
}

/** A running release (its chart version and values from the --running folder) that Helm did not render. */
export class RunningNotRenderedError extends NotRenderedError {}

/**
 * A release of the takeover's first update that Helm did not render: the program's chart version
 * with values it keeps from what runs (model/running.ts KEPT_VALUES), which that version may refuse.
 */
export class UpdateNotRenderedError extends NotRenderedError {}

/**
 * The first update's change against what runs, with the live StatefulSets' refusals added, and the
 * running PrometheusRules' evaluators before and after it (ruleEvaluators.ts).
 */
export async function updateChange(
  update: SynthResult,
  running: RunningState,
  opts: { grafanaDatabaseSaved?: boolean; at?: OverridePlace; dir?: string } = {},
): Promise<ChangeReport & { rules: RuleEvaluatorChange; notes: string[]; warnings: string[] }> {
  // Both renders settle before either failure is said: the running one's first, as it is the
  // folder's own input and the update's may follow from the same values (Promise.all would say
  // whichever failed first in time).
  const [was, will] = await Promise.allSettled([
    stateOf(runningExport(update, running)),
    stateOf(update.export, { secretKeys: update.secretDataKeys, adopted: update }),
  ]);
  // What runs rendered with its own chart version and values: a release that does not render is
  // the folder's input (its values file), not the program's, and is said so; so is the update's
  // render with the values it keeps from what runs.
  if (was.status === "rejected")
    throw was.reason instanceof NotRenderedError
      ? new RunningNotRenderedError(was.reason.renders, was.reason.exp)
      : was.reason;
  if (will.status === "rejected")
    throw will.reason instanceof NotRenderedError
      ? new UpdateNotRenderedError(will.reason.renders, will.reason.exp)
      : will.reason;
  const [before, after] = [was.value, will.value];
  // An empty report read as what runs refuses each object it lacks: said once as the folder's.
  const elsewhere = reportsCollectedElsewhere(update, before, running);
  if (elsewhere) throw new RunningStateError(elsewhere);
  // A refusal names the stack key to mend at its line, as at --against (a Loki move's loki.mode).
  const report = planChange(before, after, opts.at, opts.dir);
  // One message per mistake: a field the change already refuses, here or merged into the refusal
  // of its cause at another object, is not refused again.
  const said = new Set(
    report.entries.flatMap((e) =>
      e.refused.flatMap((r) => [`${e.subject} ${r.field}`, ...(r.mergedAt ?? [])]),
    ),
  );
  for (const l of liveStatefulSetRefusals(after, running)) {
    const fresh = l.refused.filter((r) => !said.has(`${l.subject} ${r.field}`));
    if (fresh.length === 0) continue;
    const entry = report.entries.find((e) => e.subject === l.subject);
    if (entry) entry.refused.push(...fresh);
    else
      report.entries.push({
        action: "update",
        subject: l.subject,
        owner: "running",
        why: ["spec"],
        refused: fresh,
      });
  }
  // Mimir's ingesters the update stops at once, counted from what runs (mimirIngesters.ts).
  for (const m of runningIngesterRefusals(
    update.export.deployment.resources,
    running.statefulSets,
    `${running.dir}/statefulsets.yaml`,
    opts.at,
  )) {
    let entry = report.entries.find((e) => e.subject === m.subject && e.action !== "delete");
    if (!entry) {
      entry = { action: "update", subject: m.subject, owner: "running", why: ["spec.replicas"], refused: [] };
      report.entries.push(entry);
    }
    entry.refused.push(m.refused);
  }
  // Grafana's database in an emptyDir the update swaps for a claim (grafanaData.ts).
  const notes: string[] = [];
  for (const g of grafanaDataVerdicts(
    before.objects,
    after.objects,
    running,
    !!opts.grafanaDatabaseSaved,
    pinnedContext(update.export),
  )) {
    if (g.note) notes.push(g.note);
    if (!g.refusal) continue;
    let entry = report.entries.find((e) => e.subject === g.subject && e.action !== "delete");
    if (!entry) {
      entry = { action: "update", subject: g.subject, owner: "running", why: [], refused: [] };
      report.entries.push(entry);
    }
    entry.refused.push(g.refusal);
  }
  return {
    entries: report.entries,
    refused: report.entries.filter((e) => e.refused.length > 0),
    rules: ruleEvaluatorChange(before.objects, after.objects, running),
    notes,
    // Rule groups a running Loki's ruler keeps in its bucket, which the update's ruler no longer reads;
    // running monitors the update's Prometheus servers reject (runningMonitors.ts).
    warnings: [
      ...lokiRulerWarnings(before.objects, after.objects),
      ...runningMonitorWarnings(before.objects, after.objects, running, opts.at),
    ],
  };
}
