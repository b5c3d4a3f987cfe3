import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Level } from "./lib/config";
import { at, helmOf, label, parseDoc, textDataOf, type Res, toRes } from "./lib/resources";

interface FoundDatasource {
  name: string;
  orgId: number;
  isDefault: boolean;
  /** Provisioning source (one file / values block): defaults are unique per source and per org. */
  source: string;
}

function fromList(list: any, source: string): FoundDatasource[] {
  return (Array.isArray(list) ? list : []).map((d: any) => ({
    name: String(d?.name ?? "?"),
    orgId: Number(d?.orgId ?? 1),
    isDefault: d?.isDefault === true,
    source,
  }));
}

/** Datasources a resource provisions: grafana chart values, KPS's Grafana, or a sidecar ConfigMap. */
export function datasourcesIn(r: Res): FoundDatasource[] {
  const helm = helmOf(r);
  if (helm?.chart === "grafana") {
    return Object.entries<any>(helm.values.datasources ?? {}).flatMap(([file, doc]) =>
      fromList(doc?.datasources, `values.datasources["${file}"]`),
    );
  }
  if (helm && (helm.chart === "kube-prometheus-stack" || helm.chart === "victoria-metrics-k8s-stack")) {
    const g = helm.values.grafana ?? {};
    if (g.enabled === false) return [];
    const out = fromList(g.additionalDataSources, "values.grafana.additionalDataSources");
    if (
      helm.chart === "kube-prometheus-stack" &&
      (at(g, "sidecar.datasources.defaultDatasourceEnabled") ?? true) &&
      (at(g, "sidecar.datasources.isDefaultDatasource") ?? true)
    ) {
      out.push({
        name: "Prometheus (kube-prometheus-stack sidecar)",
        orgId: 1,
        isDefault: true,
        source: "values.grafana.sidecar.datasources",
      });
    }
    return out;
  }
  if (
    (r.type === "kubernetes:core/v1:ConfigMap" || r.type === "kubernetes:core/v1:Secret") &&
    r.props.metadata?.labels?.grafana_datasource !== undefined
  ) {
    return textDataOf(r).flatMap(({ key, text, field }) =>
      fromList(parseDoc(text)?.datasources, `${field}["${key}"]`),
    );
  }
  return [];
}

function defaultsByOrg<T extends FoundDatasource>(list: T[]): Map<number, T[]> {
  const m = new Map<number, T[]>();
  for (const d of list.filter((x) => x.isDefault)) m.set(d.orgId, [...(m.get(d.orgId) ?? []), d]);
  return m;
}

const CRASH =
  'Grafana crashes provisioning with "Only one datasource per organization can be marked as default"';

/** More than one default datasource in one provisioning source. */
export function grafanaSingleDefault(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "grafana-single-default-datasource",
    description: "A Grafana provisioning source may mark at most one datasource per organization as default.",
    enforcementLevel: level,
    validateResource: (args, report) => {
      const r = toRes(args);
      const bySource = new Map<string, FoundDatasource[]>();
      for (const d of datasourcesIn(r)) bySource.set(d.source, [...(bySource.get(d.source) ?? []), d]);
      for (const [source, list] of bySource) {
        for (const [org, defaults] of defaultsByOrg(list)) {
          if (defaults.length > 1)
            report(
              `${label(r)}: ${source} marks ${defaults.length} datasources of org ${org} as default (${defaults.map((d) => d.name).join(", ")}); ${CRASH}. Keep isDefault on one.`,
            );
        }
      }
    },
  };
}

/** More than one default datasource across everything the stack provisions. */
export function grafanaSingleDefaultStack(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "grafana-single-default-datasource-stack",
    description: "Across the whole stack, at most one datasource per Grafana organization is the default.",
    enforcementLevel: level,
    validateStack: (args, report) => {
      const all: (FoundDatasource & { res: Res })[] = [];
      for (const pr of args.resources) {
        const r = toRes(pr);
        all.push(...datasourcesIn(r).map((d) => ({ ...d, res: r })));
      }
      for (const [org, defaults] of defaultsByOrg(all)) {
        if (defaults.length > 1) {
          report(
            `${defaults.length} default datasources for org ${org} across the stack: ${defaults.map((d) => `${d.name} (${label(d.res)} ${d.source})`).join("; ")}; ${CRASH}. Keep exactly one default.`,
          );
        }
      }
    },
  };
}
