/**
 * What a synthesized stack promises to scrape: every scrape job of the rendered stack, read from
 * the resources exactly as `pulumi stack export` would hold them, so the migration tests and
 * `npm run verify` judge the same thing.
 */
import type { ExportResource } from "./synthesize";
import type { RenderedObject } from "./render/types";

/** The Helm release of a chart (the one whose resource name ends in `suffix`, when given). */
export const chartRelease = (rs: ExportResource[], chart: string, suffix?: string) =>
  rs.find(
    (r) =>
      r.type === "kubernetes:helm.sh/v3:Release" &&
      r.inputs.chart === chart &&
      (suffix === undefined || r.urn.endsWith(`::${suffix}`)),
  );

/** One scrape job as the backend stores it: the `job` label and the scraped path. */
export interface ScrapeJob {
  job: string;
  path: string;
  /** Who scrapes it: prometheus, alloy, vmagent. */
  by: string;
  /** The object or config that defines it. */
  from: string;
}

const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> = {}) =>
  !!selector && Object.entries(selector).every(([k, v]) => labels[k] === v);

/**
 * The job label of a ServiceMonitor-style endpoint: the Service's `jobLabel` label when set, else
 * the Service name (prometheus-operator pkg/prometheus/promcfg.go; VictoriaMetrics' operator and
 * Alloy's prometheus.operator.servicemonitors do the same). Services the chart does not render
 * (the operator-managed kubelet Service, `default/kubernetes`) carry the selector's labels.
 */
function serviceJob(spec: any, services: RenderedObject[]): string | undefined {
  const sel = spec.selector?.matchLabels as Record<string, string> | undefined;
  const svc = services.find((s) => matches(sel, s.metadata.labels));
  // The operator starts from the Service name and replaces it with the jobLabel label when present.
  const labelled = spec.jobLabel
    ? (svc?.metadata.labels?.[spec.jobLabel] ?? sel?.[spec.jobLabel])
    : undefined;
  return labelled ?? svc?.metadata.name;
}

const VM_SELF_SCRAPED: Record<string, string> = {
  VMSingle: "vmsingle",
  VMAgent: "vmagent",
  VMAlert: "vmalert",
  VMAlertmanager: "vmalertmanager",
};

/**
 * Every scrape job of a stack: ServiceMonitors and PodMonitors where Prometheus, Alloy's operator
 * components or vmagent (which converts them) read them, VictoriaMetrics scrape objects where
 * vmagent runs (plus the VMServiceScrape its operator creates for each component it manages,
 * VM_DISABLESELFSERVICESCRAPECREATION=false by default), and Alloy's own prometheus.scrape jobs.
 */
export function scrapeJobs(rs: ExportResource[], objects: RenderedObject[]): ScrapeJob[] {
  // The VictoriaMetrics operator creates a Service per component it manages:
  // `<vmalertmanager|vmsingle|...>-<CR name>` labelled with name and instance (operator
  // api/operator/v1beta1 SelectorLabels).
  const operatorServices: RenderedObject[] = objects
    .filter((o) => VM_SELF_SCRAPED[o.kind])
    .map((o) => ({
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: `${VM_SELF_SCRAPED[o.kind]}-${o.metadata.name}`,
        namespace: o.metadata.namespace,
        labels: {
          "app.kubernetes.io/name": VM_SELF_SCRAPED[o.kind],
          "app.kubernetes.io/instance": o.metadata.name,
        },
      },
    }));
  const services = [...objects.filter((o) => o.kind === "Service"), ...operatorServices];
  const kps = chartRelease(rs, "kube-prometheus-stack");
  const vm = chartRelease(rs, "victoria-metrics-k8s-stack");
  const alloyConfig: string =
    chartRelease(rs, "alloy", "alloy-cluster")?.inputs.values.alloy?.configMap?.content ?? "";
  const readers: string[] = [];
  if (kps && kps.inputs.values.prometheus?.enabled !== false) readers.push("prometheus");
  if (alloyConfig.includes("prometheus.operator.servicemonitors")) readers.push("alloy");
  const vmagent = !!vm?.inputs.values.vmagent?.enabled;
  if (
    vmagent &&
    vm.inputs.values["victoria-metrics-operator"]?.operator?.disable_prometheus_converter === false
  )
    readers.push("vmagent");
  const jobs: ScrapeJob[] = [];
  const add = (job: string | undefined, path: string | undefined, by: string[], from: string) => {
    for (const b of by)
      jobs.push({ job: job ?? `<unresolved ${from}>`, path: path ?? "/metrics", by: b, from });
  };
  for (const o of objects) {
    const from = `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`;
    if (o.kind === "ServiceMonitor")
      for (const e of o.spec?.endpoints ?? []) add(serviceJob(o.spec, services), e.path, readers, from);
    if (o.kind === "PodMonitor")
      for (const e of o.spec?.podMetricsEndpoints ?? [])
        add(
          o.spec.jobLabel
            ? o.spec.selector?.matchLabels?.[o.spec.jobLabel]
            : `${o.metadata.namespace}/${o.metadata.name}`,
          e.path,
          readers,
          from,
        );
    if (!vmagent) continue;
    if (o.kind === "VMServiceScrape")
      for (const e of o.spec?.endpoints ?? []) add(serviceJob(o.spec, services), e.path, ["vmagent"], from);
    if (o.kind === "VMNodeScrape") {
      const job = (o.spec?.relabelConfigs ?? []).find((r: any) => r.targetLabel === "job")?.replacement;
      add(job ?? o.metadata.name, o.spec?.path, ["vmagent"], from);
    }
    if (VM_SELF_SCRAPED[o.kind])
      add(`${VM_SELF_SCRAPED[o.kind]}-${o.metadata.name}`, undefined, ["vmagent"], from);
    // A VMCluster's operator scrapes each of its components the same way.
    if (o.kind === "VMCluster")
      for (const c of ["vmstorage", "vminsert", "vmselect"])
        if (o.spec?.[c]) add(`${c}-${o.metadata.name}`, undefined, ["vmagent"], from);
  }
  for (const m of alloyConfig.matchAll(/prometheus\.scrape "([^"]+)" \{([\s\S]*?)\n\}/g)) {
    const job = /job_name = "([^"]+)"/.exec(m[2])?.[1] ?? m[1];
    add(job, /metrics_path = "([^"]+)"/.exec(m[2])?.[1], ["alloy"], `alloy prometheus.scrape "${m[1]}"`);
  }
  return jobs;
}
