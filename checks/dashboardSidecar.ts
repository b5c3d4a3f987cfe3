/**
 * Whether Grafana loads the dashboards the stack writes: the program's dashboards are ConfigMaps
 * labelled DASHBOARD_LABEL in the stack's namespace (builders/grafana/grafanaValues.ts), which
 * Grafana reads only through the chart's dashboard sidecar. A chartValues override that turns the
 * sidecar off, or makes it select other objects, renders without an error and leaves Grafana with
 * none of them, silently.
 *
 * What the sidecar selects, read in the pinned grafana chart (12.3.1; model/versions.ts): it runs as
 * the container `<grafana.name>-sc-dashboard` (templates/_pod.tpl:730-731), or the init container
 * `<grafana.name>-init-sc-dashboard` with `initDashboards` (:446-447), only when
 * `sidecar.dashboards.enabled`; it picks the objects carrying the label `LABEL`
 * (`sidecar.dashboards.label`, :755-756), of the value `LABEL_VALUE` when `labelValue` is set
 * (:757-759; values.yaml "value of label that the configmaps with dashboards are set to"), of the
 * kind `RESOURCE` (`resource`, :767-768; values.yaml "search in configmap, secret or both"), named
 * in `RESOURCE_NAME` when `resourceName` is set (:769-771; values.yaml "comma separated list of
 * resource names to be fetched/checked"; the image the program pins, k8s-sidecar 1.30.9, reads
 * them only outside `ALL` and instead of the label, see grafanaSidecar.ts namesIn), in the namespaces `NAMESPACE`
 * (`searchNamespace` joined by commas, :777-779), every namespace for `ALL`, its own namespace when
 * not set (values.yaml sidecar.dashboards.searchNamespace). The grafana container is `grafana`
 * (:1236), which tells Grafana's pod from the chart's image renderer.
 */
import { DASHBOARD_LABEL } from "../builders/grafana/grafanaValues";
import { parseUserYaml } from "../model/yamlText";
import { RESOURCE_KINDS, selection, sidecarEnv, UNKNOWN, type Reason } from "./grafanaSidecar";
import { chartOf, describe, releaseUrns, type Finding, type K8sObject, type Placed } from "./objects";

/** What keeps `cm` from the dashboard sidecar of `pod`, or undefined when the sidecar loads it (or the check cannot tell). */
function notLoadedBy(pod: K8sObject, cm: K8sObject): Reason | undefined {
  const reason = selection(pod, cm, "dashboards");
  return reason === UNKNOWN ? undefined : reason;
}

/**
 * Whether Grafana reads `cm` without the sidecar: the chart mounts `dashboardsConfigMaps.<p>` into the
 * grafana container at /var/lib/grafana/dashboards/<p> (grafana 12.3.1 templates/_pod.tpl:1293-1298,
 * 1580-1586), and a file provider of `dashboardProviders` (a `providers` list in one of the pod's
 * ConfigMaps, the chart's own `dashboardproviders.yaml`) reads that folder or one above it.
 */
function mountedForProvider(pod: K8sObject, cm: K8sObject, objects: Placed[]): boolean {
  if (pod.metadata.namespace !== cm.metadata.namespace) return false;
  const spec = pod.spec?.template?.spec ?? {};
  const volumes: { name?: string; configMap?: { name?: string } }[] = spec.volumes ?? [];
  const named = new Set(volumes.filter((v) => v?.configMap?.name === cm.metadata.name).map((v) => v.name));
  const grafana = (spec.containers ?? []).find((c: { name?: string }) => c?.name === "grafana");
  const mounts: string[] = (grafana?.volumeMounts ?? [])
    .filter((m: { name?: string; subPath?: string }) => named.has(m?.name) && !m?.subPath)
    .map((m: { mountPath?: string }) => String(m.mountPath).replace(/\/+$/, ""));
  if (mounts.length === 0) return false;
  const podMaps = new Set(volumes.map((v) => v?.configMap?.name).filter(Boolean));
  const paths = objects
    .filter(
      (p) =>
        p.obj.kind === "ConfigMap" &&
        p.obj.metadata.namespace === pod.metadata.namespace &&
        podMaps.has(p.obj.metadata.name),
    )
    .flatMap((p) => Object.values<unknown>(p.obj.data ?? {}))
    .filter((text): text is string => typeof text === "string" && /^providers:/m.test(text))
    .flatMap((text) => {
      try {
        const providers = parseUserYaml(text)?.providers;
        return Array.isArray(providers) ? providers : [];
      } catch {
        return [];
      }
    })
    .filter((p) => (p?.type ?? "file") === "file" && typeof p?.options?.path === "string")
    .map((p) => String(p.options.path).replace(/\/+$/, ""));
  return mounts.some((m) => paths.some((path) => m === path || m.startsWith(`${path}/`)));
}

/** What the sidecar of `pod` selects by `reason`, as the message says it. */
function selects(pod: K8sObject, reason: Reason): string {
  const known = sidecarEnv(pod, "dashboards");
  // Every reason rests on a value the pod holds (notLoadedBy judges no UNKNOWN one).
  const env = new Map([...(known ?? [])].map(([k, v]) => [k, typeof v === "string" ? v : ""]));
  switch (reason) {
    case "enabled":
      return "runs no dashboard sidecar (values.sidecar.dashboards.enabled is not true)";
    case "label":
      return `loads objects labelled ${env.get("LABEL")} (values.sidecar.dashboards.label)`;
    case "labelValue":
      return `loads objects labelled ${env.get("LABEL")}=${env.get("LABEL_VALUE")} only (values.sidecar.dashboards.labelValue)`;
    case "resource": {
      const resource = env.get("RESOURCE") ?? "configmap";
      return Object.hasOwn(RESOURCE_KINDS, resource)
        ? `loads ${resource} objects only (values.sidecar.dashboards.resource)`
        : `reads RESOURCE ${JSON.stringify(resource)}, which k8s-sidecar does not know (it lists configmap, secret or both, as written) (values.sidecar.dashboards.resource)`;
    }
    case "resourceName":
      return `loads only ${env.get("RESOURCE_NAME")} (values.sidecar.dashboards.resourceName)`;
    case "searchNamespace": {
      const searched = env.get("NAMESPACE") ?? pod.metadata.namespace ?? "";
      return `searches ${searched.includes(",") ? "namespaces" : "namespace"} ${searched} only (values.sidecar.dashboards.searchNamespace)`;
    }
  }
}

/** What to set instead, so that the sidecar loads `cms`. */
function instead(reason: Reason, cms: K8sObject[]): string {
  const value = cms[0].metadata.labels?.[DASHBOARD_LABEL];
  const namespaces = [...new Set(cms.map((c) => c.metadata.namespace ?? ""))].join(", ");
  switch (reason) {
    case "enabled":
      return "set values.sidecar.dashboards.enabled to true";
    case "label":
      return `set values.sidecar.dashboards.label to ${DASHBOARD_LABEL}`;
    case "labelValue":
      return `remove values.sidecar.dashboards.labelValue (the sidecar then takes any value), or set it to "${value}"`;
    case "resource":
      return "set values.sidecar.dashboards.resource to configmap (or both)";
    case "resourceName":
      return `remove values.sidecar.dashboards.resourceName, or list ${cms.map((c) => `configmap/${c.metadata.name}`).join(",")} in it`;
    case "searchNamespace":
      return `add ${namespaces} to values.sidecar.dashboards.searchNamespace (or set it to ["ALL"])`;
  }
}

/** The label the stack's dashboard ConfigMaps carry, with its value when they share one (`grafana_dashboard=1`). */
function labelled(cms: K8sObject[]): string {
  const values = new Set(cms.map((c) => c.metadata.labels?.[DASHBOARD_LABEL]));
  return values.size === 1 ? `${DASHBOARD_LABEL}=${[...values][0]}` : DASHBOARD_LABEL;
}

/**
 * One finding per reason the dashboards the stack writes (ConfigMaps labelled DASHBOARD_LABEL) would
 * not load: none of the rendered Grafana pods' dashboard sidecars selects them. Nothing when the stack
 * renders no Grafana pod (its dashboards wait for one the render does not show) or writes no such
 * ConfigMap. The finding is on Grafana's workload and rests on the chart's `sidecar.dashboards` key
 * it names (`judged`), so synth/report.ts names the override that set it.
 */
export function unloadedDashboards(objects: Placed[]): Finding[] {
  const grafanas = objects.filter(
    (p) =>
      !p.hook &&
      (p.obj.kind === "Deployment" || p.obj.kind === "StatefulSet") &&
      chartOf(p.obj) === "grafana" &&
      (p.obj.spec?.template?.spec?.containers ?? []).some((c: { name?: string }) => c?.name === "grafana"),
  );
  if (grafanas.length === 0) return [];
  const cms = objects.filter(
    (p) => p.obj.kind === "ConfigMap" && p.obj.metadata.labels?.[DASHBOARD_LABEL] !== undefined,
  );
  const byReason = new Map<Reason, Placed[]>();
  for (const cm of cms) {
    const reasons = grafanas.map((g) =>
      mountedForProvider(g.obj, cm.obj, objects) ? undefined : notLoadedBy(g.obj, cm.obj),
    );
    if (reasons.some((r) => r === undefined)) continue;
    const reason = reasons[0]!;
    byReason.set(reason, [...(byReason.get(reason) ?? []), cm]);
  }
  const pod = grafanas[0];
  return [...byReason].map(([reason, unloaded]) => ({
    check: "dashboard",
    where: describe(pod),
    message:
      `Grafana's pod ${selects(pod.obj, reason)}, and the stack writes its dashboards into ConfigMaps labelled ` +
      `${labelled(unloaded.map((c) => c.obj))} (${unloaded.map((c) => `${c.obj.metadata.namespace}/${c.obj.metadata.name}`).join(", ")}): ` +
      `Grafana never loads their dashboards; ${instead(
        reason,
        unloaded.map((c) => c.obj),
      )}`,
    releases: releaseUrns([pod]),
    judged: [`sidecar.dashboards.${reason}`],
  }));
}
