/**
 * The takeover's two deployments checked against what runs (`--running <dir>`): the import step
 * (the program's inputs against the live objects the provider reads) and the first update (the
 * running releases, rendered with their chart version and `--all` values, against the program's).
 * Previews as Pulumi CLI 3.174+ shows them: an import is followed by the ordinary diff in the same
 * deployment (pulumi/pulumi#19339; step_generator.go v3.259.0), so a leftover difference shows as
 * `= import` then `~ update`, and only a replacement is refused.
 */
import type { ExportResource, StackExport, SynthResult } from "../synth/synthesize";
import { apiOfType } from "../synth/render/kinds";
import { placeholderSecrets } from "../synth/render/secrets";
import { keepRunningValues, type KeptValue, type RunningState } from "../model/running";
import { canonical, type Refusal } from "./apiRules";
import { planChange, RELEASE_TYPE, providerFlags, type ChangeReport, type StackState } from "./change";
import { providerDiff } from "./providerDiff";
import { stateOf } from "./against";
import { ruleEvaluatorChange, type RuleEvaluatorChange } from "./ruleEvaluators";

const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
const lastName = (urn: string) => urn.split("::").pop()!;

/** The expected preview of one adopted resource in one step. */
export interface Preview {
  resource: string;
  /** `= import`, `= import, ~ update`, `~ update`, `  same`, or `+- replace` (refused). */
  op: string;
  fields: string[];
  refused: Refusal[];
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

/** Per adopted resource of one synthesis, its preview against what runs. */
export function previews(result: SynthResult, running: RunningState, step: "import" | "update"): Preview[] {
  const out: Preview[] = [];
  for (const imp of result.imports) {
    const r = result.export.deployment.resources.find((x) => x.urn === imp.urn)!;
    const resource = `${r.type.split(":").pop()}::${lastName(r.urn)}`;
    if (r.type === RELEASE_TYPE) {
      const rel = running.releases.find((x) => `${x.namespace}/${x.name}` === imp.id);
      if (step === "import") {
        out.push({ resource, op: "= import", fields: [], refused: [] });
        continue;
      }
      const fields = rel
        ? (["chart", "version"] as const)
            .filter((k) => String(r.inputs?.[k]).split("/").pop() !== rel[k])
            .map((k) => `${k} ${rel[k]} -> ${r.inputs?.[k]}`)
        : [];
      out.push({ resource, op: "~ update", fields: [...fields, "values", "maxHistory"], refused: [] });
      continue;
    }
    const live = liveObjectOf(r, running);
    if (!live) {
      out.push({
        resource,
        op: "= import",
        fields: [],
        refused: r.type.startsWith("kubernetes:")
          ? [
              {
                field: "id",
                reason: `${imp.id} is not in the running state (${running.dir}): the import would fail`,
              },
            ]
          : [],
      });
      continue;
    }
    const { diff, replaces } = providerDiff(live, inputsObject(r), {
      flags: providerFlags(result.export, r),
      ignoreChanges: imp.ignoreChanges ?? [],
    });
    const fields = Object.entries(diff).map(([p, k]) => `${p} (${k})`);
    const refused: Refusal[] = replaces.length
      ? [
          {
            field: replaces.join(", "),
            reason:
              "the diff after import replaces it: previously-imported resources that still specify an ID may not be replaced, nor protected ones (pulumi/pulumi step_generator.go)",
          },
        ]
      : [];
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

/**
 * The running state as the previous export: each adopted Release with its running chart, version
 * and values (same URN as the program's, so the engine's view matches), each adopted raw object as
 * it lives, and the program's providers.
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
      const rel = running.releases.find((x) => `${x.namespace}/${x.name}` === imp.id);
      if (!rel) continue;
      resources.push({
        ...r,
        inputs: {
          name: rel.name,
          namespace: rel.namespace,
          chart: rel.chart,
          version: rel.version,
          values: rel.values,
        },
      });
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
    if (canonical(norm(live.spec?.volumeClaimTemplates)) !== canonical(norm(o.spec?.volumeClaimTemplates)))
      refused.push({
        field: "spec.volumeClaimTemplates",
        reason: `differs from the running StatefulSet's (${running.dir}/statefulsets.yaml); updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden`,
      });
    if (canonical(live.spec?.selector) !== canonical(o.spec?.selector))
      refused.push({
        field: "spec.selector",
        reason: `differs from the running StatefulSet's selector (${running.dir}/statefulsets.yaml)`,
      });
    if (refused.length)
      out.push({ subject: `StatefulSet ${o.metadata.namespace}/${o.metadata.name}`, refused });
  }
  return out;
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
    const rel = running.releases.find((x) => `${x.namespace}/${x.name}` === imp.id);
    if (!rel) continue;
    const { kept } = keepRunningValues(r.inputs?.values ?? {}, rel, running);
    out.push({ release: imp.id, kept });
  }
  return out;
}

/**
 * The first update's change against what runs, with the live StatefulSets' refusals added, and the
 * running PrometheusRules' evaluators before and after it (ruleEvaluators.ts).
 */
export async function updateChange(
  update: SynthResult,
  running: RunningState,
): Promise<ChangeReport & { rules: RuleEvaluatorChange }> {
  const [before, after] = await Promise.all([
    stateOf(runningExport(update, running)),
    stateOf(update.export, { secretKeys: update.secretDataKeys, adopted: update }),
  ]);
  const report = planChange(before, after);
  for (const l of liveStatefulSetRefusals(after, running)) {
    const entry = report.entries.find((e) => e.subject === l.subject);
    if (entry)
      entry.refused.push(...l.refused.filter((r) => !entry.refused.some((x) => x.field === r.field)));
    else
      report.entries.push({
        action: "update",
        subject: l.subject,
        owner: "running",
        why: ["spec"],
        refused: l.refused,
      });
  }
  return {
    entries: report.entries,
    refused: report.entries.filter((e) => e.refused.length > 0),
    rules: ruleEvaluatorChange(before.objects, after.objects, running),
  };
}
