/**
 * What a k8s-sidecar container of the grafana chart selects: the chart runs one per
 * `sidecar.<which>` that is enabled (`dashboards`, `datasources`, ...), each listing the ConfigMaps
 * and Secrets its env names (LABEL, LABEL_VALUE, RESOURCE, RESOURCE_NAME, NAMESPACE; grafana
 * 12.3.1 templates/_pod.tpl:730-779 for dashboards, 863-911 for datasources) and writing them into
 * Grafana's folders. checks/dashboardSidecar.ts asks it why the stack's dashboards are not loaded,
 * checks/networkPolicies.ts which pods read a ConfigMap's or Secret's addresses.
 */
import { SIDECAR_RESOURCE_KINDS } from "@homelab-observability/contract";
import type { K8sObject } from "./objects";

/** The sidecars this module reads, by their key under the chart's `sidecar` and their container's name. */
export const SIDECARS = {
  dashboards: { container: /-(?:init-)?sc-dashboard$/ },
  datasources: { container: /-(?:init-)?sc-datasources$/ },
} as const;

export type Sidecar = keyof typeof SIDECARS;

/** The sidecar's settings as values keys under `sidecar.<which>`, each a reason an object is not loaded. */
export type Reason = "enabled" | "label" | "labelValue" | "resource" | "resourceName" | "searchNamespace";

/**
 * The env of `pod`'s `which` sidecar (`<name>-sc-dashboard`, or `<name>-init-sc-dashboard` with
 * `initDashboards`; `<name>-sc-datasources` or `<name>-init-sc-datasources` with
 * `initDatasources`, :215 and :863; the first found), undefined when the pod runs none: what the check judges and
 * what its message says are read from the same container. A name set twice keeps its last value
 * (the chart writes `env` entries before its own). A value the pod takes from elsewhere (`valueFrom`,
 * which the chart writes from sidecar.dashboards.envValueFrom, grafana 12.3.1 templates/_pod.tpl:744-748)
 * is UNKNOWN: offline it is no value, and no verdict rests on it (it was read as "").
 */
export function sidecarEnv(pod: K8sObject, which: Sidecar): Map<string, string | typeof UNKNOWN> | undefined {
  const spec = pod.spec?.template?.spec ?? {};
  const sidecar = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].find(
    (c: { name?: string }) => typeof c?.name === "string" && SIDECARS[which].container.test(c.name),
  );
  if (!sidecar) return undefined;
  return new Map<string, string | typeof UNKNOWN>(
    (sidecar.env ?? []).map((e: { name?: string; value?: unknown; valueFrom?: unknown }) => [
      String(e?.name),
      e?.valueFrom !== undefined ? UNKNOWN : typeof e?.value === "string" ? e.value : "",
    ]),
  );
}

/** A sidecar setting whose value the pod reads from elsewhere at start (`valueFrom`), not known offline. */
export const UNKNOWN = Symbol("valueFrom");

/** The kinds k8s-sidecar lists for RESOURCE, as written (contract/sidecar.ts). */
export const RESOURCE_KINDS = SIDECAR_RESOURCE_KINDS;

/**
 * What keeps `obj` (a ConfigMap or a Secret) from the `which` sidecar of `pod`: the values key that
 * does, undefined when the sidecar loads it, UNKNOWN when that rests on a value the pod takes at
 * start (valueFrom) or a selector this module does not read, so that no verdict rests on it.
 */
export function selection(
  pod: K8sObject,
  obj: K8sObject,
  which: Sidecar,
): Reason | typeof UNKNOWN | undefined {
  const env = sidecarEnv(pod, which);
  if (!env) return "enabled";
  const kind = obj.kind === "Secret" ? "secret" : "configmap";
  const resource = env.get("RESOURCE") ?? "configmap";
  if (resource !== UNKNOWN && !Object.hasOwn(RESOURCE_KINDS, resource)) return "resource";
  if (resource !== UNKNOWN && !RESOURCE_KINDS[resource].includes(kind)) return "resource";
  const namespace = obj.metadata.namespace ?? "";
  const ns = env.get("NAMESPACE") ?? pod.metadata.namespace ?? "";
  if (ns === UNKNOWN) return UNKNOWN;
  const searched = ns
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n === "ALL" || n === namespace);
  if (searched.length === 0) return "searchNamespace";
  // Per namespace searched, as k8s-sidecar 1.30.9 lists (src/resources.py list_resources): by the
  // names `resourceName` gives an object of its kind there, when it gives any and the namespace is
  // not ALL (the label is then not read); by the label otherwise. Loaded in one namespace is loaded.
  const reasons: (Reason | typeof UNKNOWN | undefined)[] = [];
  const resourceName = env.get("RESOURCE_NAME") ?? "";
  for (const ns of searched) {
    if (resourceName === UNKNOWN && ns !== "ALL") {
      reasons.push(UNKNOWN);
      continue;
    }
    const names = ns === "ALL" || resourceName === UNKNOWN ? [] : namesIn(resourceName, ns, kind);
    reasons.push(
      names.length > 0 ? (names.includes(obj.metadata.name) ? undefined : "resourceName") : byLabel(env, obj),
    );
  }
  if (reasons.includes(undefined)) return resource === UNKNOWN ? UNKNOWN : undefined;
  return reasons.includes(UNKNOWN) ? UNKNOWN : reasons[reasons.length - 1];
}

/** Whether the `which` sidecar of `pod` is known to load `obj` (a ConfigMap or a Secret). */
export function sidecarLoads(pod: K8sObject, obj: K8sObject, which: Sidecar): boolean {
  return selection(pod, obj, which) === undefined;
}

/**
 * The names of `kind` `resourceName` (RESOURCE_NAME) has the sidecar read in namespace `ns`: its
 * comma-separated entries `name`, `<kind>/name` or `<namespace>/<kind>/name`, those of another kind
 * or namespace dropped (k8s-sidecar 1.30.9 src/resources.py list_resources).
 */
function namesIn(resourceName: string, ns: string, kind: string): string[] {
  if (!resourceName) return [];
  return resourceName.split(",").flatMap((entry) => {
    const [name, entryKind, namespace] = entry.split("/").reverse();
    const parts = entry.split("/").length;
    if (parts === 3 && namespace !== ns) return [];
    if (parts === 2 && entryKind !== kind) return [];
    return [name];
  });
}

/** Whether the sidecar's label (and value) selects `obj`, the key that keeps it out, or UNKNOWN. */
function byLabel(
  env: Map<string, string | typeof UNKNOWN>,
  obj: K8sObject,
): Reason | typeof UNKNOWN | undefined {
  const labels = obj.metadata.labels ?? {};
  const label = env.get("LABEL") ?? "";
  const value = env.get("LABEL_VALUE");
  if (label === UNKNOWN) return UNKNOWN;
  // Without a value, LABEL is the sidecar's label selector as written: k8s-sidecar lists and
  // watches with `f"{label}={label_value}" if label_value else label` (kiwigrid/k8s-sidecar
  // src/resources.py list_resources, _watch_resource_iterator), so `label: grafana_dashboard=1`
  // selects the program's ConfigMaps. An unknown value (valueFrom) may be empty or not: such a
  // selector is not judged.
  if (value !== UNKNOWN && !value && /[=!,\s]/.test(label)) {
    const selected = selectorSelects(label, labels);
    return selected === undefined ? UNKNOWN : selected ? undefined : "label";
  }
  if (value === UNKNOWN && /[=!,\s]/.test(label)) return UNKNOWN;
  // A plain key selects only objects carrying it, whatever value is asked of it.
  if (labels[label] === undefined) return "label";
  if (value === UNKNOWN) return UNKNOWN;
  if (value && labels[label] !== value) return "labelValue";
  return undefined;
}

/**
 * Whether a label selector selects `labels`: its equality-based requirements (`k`, `!k`, `k=v`,
 * `k==v`, `k!=v`, comma-separated, all of them). A set-based one (`k in (a,b)`, `k notin (...)`)
 * is not read here: undefined, so no refusal rests on a selector the check does not read.
 */
function selectorSelects(selector: string, labels: Record<string, string>): boolean | undefined {
  if (/[()]|\s(?:not)?in\s/.test(selector)) return undefined;
  return selector.split(",").every((requirement) => {
    const req = requirement.trim();
    const absent = /^!\s*(\S+)$/.exec(req);
    if (absent) return labels[absent[1]] === undefined;
    const unequal = /^([^!=\s]+)\s*!=\s*(.*)$/.exec(req);
    if (unequal) return labels[unequal[1]] !== unequal[2].trim();
    const equal = /^([^!=\s]+)\s*==?\s*(.*)$/.exec(req);
    if (equal) return labels[equal[1]] === equal[2].trim();
    return labels[req] !== undefined;
  });
}
