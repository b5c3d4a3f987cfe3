/**
 * Maps an export and its renders to the objects the cluster would receive: raw Kubernetes
 * resources as objects, every object with its origin, and the export with each rendered object
 * added as a resource of its release (what the offline policy path and the budget judge).
 */
import { RENDERED_KEY } from "@homelab-observability/contract";
import type { ExportResource, StackExport } from "../synthesize";
import { apiOfType, isClusterScoped, typeOfObject } from "./kinds";
import { placeholderSecrets, SECRET_PLACEHOLDER } from "./secrets";
import type { RawObject, ReleaseRender, RenderedObject, StackObject } from "./types";

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
    if (!metadata.namespace && !isClusterScoped(api.apiVersion, api.kind))
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

/**
 * Export resources with every rendered object added as a raw resource attributed to its release
 * (child URN `<release type>$<object type>::<release>/<namespace>/<name>`, parent the release),
 * and each rendered release marked (contract/rendered.ts RENDERED_KEY) so the pack judges the
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
