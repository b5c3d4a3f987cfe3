import type { ResourceValidation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Level } from "./lib/config";
import { parse as parseYaml } from "yaml";
import {
  at,
  HELM_AND_TEXT_TYPES,
  HELM_TYPES,
  helmChartOf,
  helmOf,
  label,
  parseDoc,
  propAt,
  textDataOf,
  type Res,
  templateTrue,
  toRes,
} from "./lib/resources";
import { forTypes } from "./lib/typed";
import { isRendered } from "./lib/workloads";

interface FoundDatasource {
  name: string;
  orgId: number;
  isDefault: boolean;
  /** Provisioning source (one file / values block): defaults are unique per source and per org. */
  source: string;
  /**
   * Where Grafana reads it: `own` (a provisioning file of the grafana chart's own values) or
   * `sidecar` (a ConfigMap/Secret labelled grafana_datasource, which every Grafana whose datasource
   * sidecar is on picks up; the metrics stack charts deliver theirs this way too).
   */
  via: "own" | "sidecar";
}

/**
 * `isDefault` as Grafana reads it. apiVersion >= 1 files use values.BoolValue
 * (pkg/services/provisioning/values/values.go): the scalar is read as a string, env-expanded, then
 * strconv.ParseBool, so "true", "True", "1", "t" and 1 all count. apiVersion 0 files use `is_default`.
 */
export function grafanaBool(v: unknown): boolean {
  if (v === true) return true;
  if (typeof v === "number") return v === 1;
  if (typeof v !== "string") return false;
  return ["1", "t", "T", "true", "TRUE", "True"].includes(v.trim());
}

function fromList(list: any, source: string, via: FoundDatasource["via"], apiVersion = 1): FoundDatasource[] {
  return (Array.isArray(list) ? list : []).map((d: any) => ({
    name: String(d?.name ?? "?"),
    orgId: Number((apiVersion >= 1 ? d?.orgId : d?.org_id) ?? 1) || 1,
    isDefault: apiVersion >= 1 ? grafanaBool(d?.isDefault) : d?.is_default === true,
    source,
    via,
  }));
}

/** Datasources of one provisioning document (`apiVersion` decides v0 or v1 field names, config_reader.go). */
function fromDoc(doc: any, source: string, via: FoundDatasource["via"]): FoundDatasource[] {
  if (!doc || typeof doc !== "object") return [];
  return fromList(doc.datasources, source, via, Number(doc.apiVersion ?? 0));
}

/** A YAML list given as a string (additionalDataSourcesString); [] when it does not parse. */
function listFromString(text: unknown): any[] {
  if (typeof text !== "string" || text.trim() === "") return [];
  try {
    // Its warnings unsaid: `parse` prints each with the line it quotes, a secret's among them
    // (the program's model/yamlText.ts parseUserYaml, which the pack does not import).
    const v = parseYaml(text, { logLevel: "error" });
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/**
 * The datasource ConfigMap a metrics stack chart renders. kube-prometheus-stack 88
 * (templates/grafana/configmaps-datasources.yaml) renders it when its Grafana and that Grafana's
 * datasource sidecar are enabled, or when `grafana.forceDeployDatasources` is on even with its
 * Grafana disabled; one file holds the default Prometheus datasource and `additionalDataSources`.
 * victoria-metrics-k8s-stack (templates/grafana/datasource.yaml) does the same with
 * `forceDeployDatasource` and `defaultDatasources`.
 */
function stackChartDatasources(chart: string, values: any): FoundDatasource[] {
  const g = values.grafana ?? {};
  const ownGrafana = grafanaChartsIn({ chart, values }).length > 0;
  if (chart === "kube-prometheus-stack") {
    const rendered =
      (ownGrafana && at(g, "sidecar.datasources.enabled") !== false) || g.forceDeployDatasources === true;
    if (!rendered) return [];
    const via = "sidecar";
    const source = "values.grafana (kube-prometheus-stack datasource ConfigMap)";
    const out: FoundDatasource[] = [];
    if (at(g, "sidecar.datasources.defaultDatasourceEnabled") ?? true) {
      out.push({
        name: String(at(g, "sidecar.datasources.name") ?? "Prometheus"),
        orgId: 1,
        isDefault: grafanaBool(at(g, "sidecar.datasources.isDefaultDatasource") ?? true),
        source,
        via,
      });
    }
    out.push(...fromList(g.additionalDataSources, source, via));
    out.push(...fromList(listFromString(g.additionalDataSourcesString), source, via));
    return out;
  }
  const rendered =
    (ownGrafana && at(g, "sidecar.datasources.enabled") !== false) || g.forceDeployDatasource === true;
  if (!rendered || at(values, "defaultDatasources.grafanaOperator.enabled") === true) return [];
  const via = "sidecar";
  const source = "values.defaultDatasources (victoria-metrics-k8s-stack datasource ConfigMap)";
  const vmDefaults = [
    { name: "VictoriaMetrics", isDefault: true },
    { name: "VictoriaMetrics (DS)", isDefault: false },
  ];
  return [
    ...fromList(at(values, "defaultDatasources.victoriametrics.datasources") ?? vmDefaults, source, via),
    ...fromList(at(values, "defaultDatasources.extra"), source, via),
  ];
}

/** The label of a ConfigMap or Secret the datasource sidecar loads (its presence is what counts). */
const DATASOURCE_LABEL = ["metadata", "labels", "grafana_datasource"] as const;

/** Datasources a resource provisions: grafana chart values, a metrics stack's ConfigMap, or a sidecar ConfigMap. */
export function datasourcesIn(r: Res): FoundDatasource[] {
  const helm = helmOf(r);
  if (helm?.chart === "grafana") {
    return Object.entries<any>(helm.values.datasources ?? {}).flatMap(([file, doc]) =>
      fromDoc(doc, `values.datasources["${file}"]`, "own"),
    );
  }
  if (helm && (helm.chart === "kube-prometheus-stack" || helm.chart === "victoria-metrics-k8s-stack")) {
    // Offline, the ConfigMap Helm rendered stands beside the release (withRenderedObjects) and is
    // read below as the sidecar's; the chart knowledge would count the same datasources again.
    if (isRendered(r)) return [];
    return stackChartDatasources(helm.chart, helm.values);
  }
  if (
    (r.type === "kubernetes:core/v1:ConfigMap" || r.type === "kubernetes:core/v1:Secret") &&
    // Through propAt: offline, a stack policy's read of `props` unwraps the whole of a Secret's
    // outputs (and copies them, secrets in them), for one label most never carry.
    propAt(r, DATASOURCE_LABEL) !== undefined
  ) {
    return textDataOf(r).flatMap(({ key, text, field }) =>
      fromDoc(parseDoc(text), `${field}["${key}"]`, "sidecar"),
    );
  }
  return [];
}

/** A Grafana instance in the stack and whether its datasource sidecar is on. */
interface GrafanaInstance {
  res?: Res;
  name: string;
  readsSidecar: boolean;
}

/**
 * The Grafanas of a stack: each grafana release (its sidecar reads labelled ConfigMaps only with
 * `sidecar.datasources.enabled`, default false in the grafana chart's values.yaml) and each metrics
 * stack chart with its own Grafana enabled (sidecar on by default there). Grafana validates default
 * uniqueness over every file of its provisioning directory (config_reader.go,
 * validateDefaultUniqueness). With no Grafana in sight, one reading the sidecar ConfigMaps is assumed.
 */
function grafanasOf(resources: Res[]): GrafanaInstance[] {
  const out: GrafanaInstance[] = [];
  for (const r of resources) {
    const h = helmOf(r);
    if (!h) continue;
    for (const g of grafanaChartsIn(h))
      out.push({
        res: r,
        name: g.at === "" ? label(r) : `${label(r)} (its Grafana)`,
        readsSidecar:
          g.at === ""
            ? at(g.values, "sidecar.datasources.enabled") === true
            : at(g.values, "sidecar.datasources.enabled") !== false,
      });
  }
  if (out.length > 0) return out;
  // A release that may run a Grafana from values the pack cannot read (helmOf gives none) is one in
  // sight: whether it reads the sidecar is not known, so none is assumed in its place.
  const unread = resources.some((r) => {
    const h = helmChartOf(r);
    return h?.valuesSecret && (h.chart === "grafana" || STACK_CHARTS_WITH_GRAFANA.includes(h.chart));
  });
  return unread ? [] : [{ name: "a Grafana reading datasource ConfigMaps", readsSidecar: true }];
}

/** The metrics stack charts that carry the grafana chart as a subchart under `grafana`. */
const STACK_CHARTS_WITH_GRAFANA = ["kube-prometheus-stack", "victoria-metrics-k8s-stack"];

/** A grafana chart a release renders: the grafana release itself, or a metrics stack chart's subchart. */
interface GrafanaChart {
  /** The grafana chart's values. */
  values: any;
  /** Where they sit in the release's values: "" or "grafana.". */
  at: string;
  /** Their key under the stack's `chartValues`: "grafana" or "<stack chart>.grafana". */
  key: string;
  /** The chart, said in a message on the release. */
  who: string;
}

/**
 * The grafana charts a release renders. kube-prometheus-stack 88.0.0 (Chart.yaml:26-29, grafana
 * 12.10.0) and victoria-metrics-k8s-stack 0.80.0 (Chart.yaml:32-35, grafana 12.3.3) each carry
 * one under `grafana`, on by `condition: grafana.enabled` (true in values.yaml:1378 and :1115).
 * Helm takes a condition only as a boolean: with `grafana.enabled: "false"` helm template 3.17.3
 * still renders each one's Grafana Deployment. Both subcharts' workload templates open as the
 * 12.3.1 chart's do (deployment.yaml:1, statefulset.yaml:2, pvc.yaml:1, hpa.yaml:15) and keep its
 * defaults (replicas 1, autoscaling.maxReplicas 5, persistence.type pvc, ReadWriteOnce).
 */
function grafanaChartsIn(helm: { chart: string; values: any }): GrafanaChart[] {
  if (helm.chart === "grafana")
    return [{ values: helm.values ?? {}, at: "", key: "grafana", who: "the grafana chart" }];
  if (!STACK_CHARTS_WITH_GRAFANA.includes(helm.chart) || at(helm.values, "grafana.enabled") === false)
    return [];
  return [
    {
      values: helm.values?.grafana ?? {},
      at: "grafana.",
      key: `${helm.chart}.grafana`,
      who: "its grafana subchart",
    },
  ];
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
    validateResource: forTypes(HELM_AND_TEXT_TYPES, (args, report) => {
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
    }),
  };
}

/** More than one default datasource across everything the stack provisions. */
export function grafanaSingleDefaultStack(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "grafana-single-default-datasource-stack",
    description: "Across the whole stack, at most one datasource per Grafana organization is the default.",
    enforcementLevel: level,
    validateStack: (args, report) => {
      const resources = args.resources.map(toRes);
      // A loop, not a flatMap: nearly every resource provisions none, and each was an empty array
      // mapped into another (two arrays per resource over the benchmark's 10,000).
      const found: (FoundDatasource & { res: Res })[] = [];
      for (const r of resources) for (const d of datasourcesIn(r)) found.push({ ...d, res: r });
      for (const g of grafanasOf(resources)) {
        const reads = found.filter(
          (d) => (d.via === "own" && d.res === g.res) || (d.via === "sidecar" && g.readsSidecar),
        );
        for (const [org, defaults] of defaultsByOrg(reads)) {
          if (defaults.length > 1) {
            report(
              `${defaults.length} default datasources for org ${org} reach ${g.name}: ${defaults.map((d) => `${d.name} (${label(d.res)} ${d.source}${d.via === "sidecar" ? ", via the datasource sidecar" : ""})`).join("; ")}; ${CRASH}. Keep exactly one default.`,
            );
          }
        }
      }
    },
  };
}

/** The access modes a single node mounts (Kubernetes PersistentVolume access modes). */
const SINGLE_NODE_MODES = new Set(["ReadWriteOnce", "ReadWriteOncePod"]);

/**
 * How many Grafana pods a grafana chart release runs, and what they share. Facts of the grafana
 * chart 12.3.1 (grafana-community/helm-charts, ../shared/charts/grafana-12.3.1.tgz):
 * values.yaml `replicas: 1`, `autoscaling.enabled: false` (`maxReplicas: 5`), `persistence.type:
 * pvc`, `persistence.accessModes: [ReadWriteOnce]`, `grafana.ini.paths.data: /var/lib/grafana/`;
 * templates/deployment.yaml renders a Deployment of `replicas` pods (the HPA's when autoscaling)
 * unless `useStatefulSet` or a StatefulSet persistence type; templates/pvc.yaml one claim for that
 * Deployment (or `persistence.existingClaim`), mounted by every pod of it; templates/statefulset.yaml
 * a claim per pod (`volumeClaimTemplates`) for `persistence.type` sts|StatefulSet|statefulset.
 * Grafana's own database is SQLite unless configured: grafana/grafana conf/defaults.ini
 * `[database] type = sqlite3`, `path = grafana.db` ("path relative to data_path setting"), which
 * `GF_DATABASE_TYPE` / `GF_DATABASE_URL` override (Grafana reads `GF_<SECTION>_<KEY>`).
 */
export function grafanaSharedState(values: any): {
  pods: number;
  from: string;
  database: string;
  sharedClaim?: string;
} {
  // Go template's truth, as the chart tests it (hpa.yaml:2, deployment.yaml:17): "false" and 1 run the HPA.
  const autoscaling = templateTrue(values?.autoscaling?.enabled);
  const pods = autoscaling ? Number(values?.autoscaling?.maxReplicas ?? 5) : Number(values?.replicas ?? 1);
  const from = autoscaling ? "autoscaling.maxReplicas" : "replicas";
  const ini = values?.["grafana.ini"]?.database ?? {};
  const env = values?.env ?? {};
  const url = String(env.GF_DATABASE_URL ?? ini.url ?? "");
  const database = String(env.GF_DATABASE_TYPE ?? ini.type ?? /^(\w+):\/\//.exec(url)?.[1] ?? "sqlite3");
  const p = values?.persistence ?? {};
  const kind = grafanaWorkload(values);
  const modes: string[] = Array.isArray(p.accessModes) ? p.accessModes : ["ReadWriteOnce"];
  const sharedClaim =
    templateTrue(p.enabled) && kind === "Deployment" && modes.every((m) => SINGLE_NODE_MODES.has(m))
      ? // Go template's truth, as the chart tests it (_pod.tpl:1602, pvc.yaml:1): an empty map is unset.
        `${templateTrue(p.existingClaim) ? `the existing claim ${typeof p.existingClaim === "string" ? p.existingClaim : JSON.stringify(p.existingClaim)}` : "the one claim the chart makes for its Deployment"} (${modes.join(", ")})`
      : undefined;
  return { pods: kind ? pods : 0, from, database, ...(sharedClaim ? { sharedClaim } : {}) };
}

/** The `persistence.type` values the grafana chart reads as a StatefulSet (templates/statefulset.yaml:1). */
const STATEFULSET_TYPES = ["sts", "StatefulSet", "statefulset"];

/**
 * Which workload the grafana chart 12.3.1 renders its pods in, as its two templates decide it:
 * templates/deployment.yaml:1 a Deployment unless `useStatefulSet`, and then only with persistence
 * off or `persistence.type: pvc`; templates/statefulset.yaml:2 a StatefulSet for `useStatefulSet`,
 * or persistence on, without `existingClaim`, of a StatefulSet type. Persistence on with a
 * StatefulSet type and an `existingClaim` (or another type) meets neither: no Grafana pod at all,
 * so no replica count to judge (the address and NetworkPolicy checks find the pods missing).
 */
function grafanaWorkload(values: any): "Deployment" | "StatefulSet" | undefined {
  const p = values?.persistence ?? {};
  const type = persistenceType(p);
  // The chart's `if` reads these by Go template's truth: useStatefulSet "false" is true, an
  // existingClaim of {} unset, persistence.enabled "false" or 1 on (helm template, 12.3.1).
  if (templateTrue(values?.useStatefulSet)) return "StatefulSet";
  if (!templateTrue(p.enabled) || type === "pvc") return "Deployment";
  return STATEFULSET_TYPES.includes(type as string) && !templateTrue(p.existingClaim)
    ? "StatefulSet"
    : undefined;
}

/**
 * `persistence.type` as the chart's templates get it: the chart's `pvc` (values.yaml) when the
 * values leave it out, but a null deletes that default (Helm's coalesce, helm.sh/helm/v3
 * pkg/chartutil/coalesce.go; helm template 3.17.3 renders no Grafana pod for `type: null`), so
 * it is then neither pvc nor a StatefulSet type.
 */
function persistenceType(p: any): unknown {
  return p.type === undefined ? "pvc" : p.type;
}

/**
 * `values.persistence.enabled` said as the chart reads it, for one that is on: a value other than
 * `true` is named with why the chart's `if` takes it as on.
 */
function persistenceOn(p: any): string {
  return onAsRead(p.enabled);
}

/** A switch the chart's `if` takes as on, said as found: a value other than `true` with why. */
function onAsRead(v: unknown): string {
  return v === true
    ? "true"
    : `${JSON.stringify(v)}, which the chart's templates read as true (Go template: only false, 0, "", null and an empty list or map are false)`;
}

/**
 * The name of {@link grafanaRendersAWorkload}, whose advice (values that render Grafana's pods)
 * answers every place its missing pods show too (synth/report.ts alsoLines).
 */
export const GRAFANA_RENDERS_A_WORKLOAD = "grafana-renders-a-workload";

/**
 * Values for which the grafana chart 12.3.1 renders no Grafana pod ({@link grafanaWorkload}): its
 * Deployment (templates/deployment.yaml:1) only with persistence off or `persistence.type: pvc`, its
 * StatefulSet (templates/statefulset.yaml:2) only for a StatefulSet type without `existingClaim`
 * (`useStatefulSet` aside). The way back names what each choice renders: `pvc` mounts the
 * existing claim in the Deployment (templates/_pod.tpl:1599-1602) and makes none of its own
 * (templates/pvc.yaml:1); a StatefulSet type makes a claim per pod (statefulset.yaml
 * `volumeClaimTemplates`).
 */
export function grafanaRendersAWorkload(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: GRAFANA_RENDERS_A_WORKLOAD,
    description: "The grafana chart's values render a Grafana Deployment or StatefulSet.",
    enforcementLevel: level,
    validateResource: eachGrafanaChart(noWorkload),
  };
}

/**
 * A Helm release's validation saying `judge`'s word on each grafana chart it renders (its own, or a
 * metrics stack chart's subchart: {@link grafanaChartsIn}), one report each, under the release's label.
 */
function eachGrafanaChart(judge: (g: GrafanaChart) => string | undefined): ResourceValidation {
  return forTypes(HELM_TYPES, (args, report) => {
    const r = toRes(args);
    const helm = helmOf(r);
    for (const g of helm ? grafanaChartsIn(helm) : []) {
      const found = judge(g);
      if (found) report(`${label(r)}: ${found}`);
    }
  });
}

/** What {@link grafanaRendersAWorkload} says of one grafana chart that renders no pod; undefined when it renders one. */
function noWorkload(g: GrafanaChart): string | undefined {
  if (grafanaWorkload(g.values) !== undefined) return undefined;
  const v = `values.${g.at}`;
  // A metrics stack chart keeps the grafana chart's templates under charts/grafana/: it has no
  // templates/deployment.yaml of its own (kube-prometheus-stack 88.0.0, victoria-metrics-k8s-stack 0.80.0).
  const [chart, t] =
    g.at === "" ? ["the chart", "templates/"] : ["the subchart", "charts/grafana/templates/"];
  const p = g.values.persistence;
  const type = persistenceType(p);
  const sts = STATEFULSET_TYPES.includes(type as string);
  const said = type === null ? "null (a null deletes the chart's default pvc)" : JSON.stringify(type);
  const found = sts
    ? `${v}persistence.type is ${said} and ${v}persistence.existingClaim is set`
    : `${v}persistence.type is ${said}`;
  const why = sts
    ? `its StatefulSet only without an existingClaim (${t}statefulset.yaml:2)`
    : `its StatefulSet only for ${STATEFULSET_TYPES.join(", ").replace(/, (?=[^,]*$)/, " or ")} (${t}statefulset.yaml:2)`;
  // A StatefulSet type beside an existingClaim renders nothing either (helm template, 12.3.1):
  // the way to a StatefulSet removes the claim wherever one is set.
  const claim = templateTrue(p.existingClaim);
  const fix = sts
    ? `Set ${v}persistence.type to pvc (a Deployment mounting the existing claim), or remove ${v}persistence.existingClaim (a StatefulSet with a claim per pod)`
    : claim
      ? `Set ${v}persistence.type to pvc (a Deployment mounting the existing claim), or to sts and remove ${v}persistence.existingClaim (a StatefulSet with a claim per pod)`
      : `Set ${v}persistence.type to pvc (a Deployment and one claim) or to sts (a StatefulSet with a claim per pod)`;
  // A string such as "false" was meant as off: false renders the Deployment (deployment.yaml:1).
  const off =
    p.enabled === true
      ? ""
      : ` Or set ${v}persistence.enabled to false (the boolean) for a Deployment without a claim.`;
  return `${g.who} renders no Grafana workload for these values, so no Grafana pod runs: ${found}, with ${v}persistence.enabled ${persistenceOn(p)}; ${chart} renders its Deployment only for persistence.type pvc (${t}deployment.yaml:1), ${why}. ${fix}.${off}`;
}

/** More than one Grafana pod needs a database they share and no single-node claim between them. */
export function grafanaReplicasShareNoState(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "grafana-replicas-share-no-state",
    description:
      "More than one Grafana replica needs a shared database (not SQLite) and no ReadWriteOnce claim shared between its pods.",
    enforcementLevel: level,
    validateResource: eachGrafanaChart(sharedState),
  };
}

/** What {@link grafanaReplicasShareNoState} says of one grafana chart's pods; undefined when they share nothing. */
function sharedState(g: GrafanaChart): string | undefined {
  const { values, at: k } = g;
  // The keys the fix names, as the stack file writes them (config/tree.ts propertyPath): a key
  // holding a dot in brackets, so the subchart's `grafana.ini` does not read as grafana.grafana.ini.
  const c = `chartValues.${g.key}`;
  const s = grafanaSharedState(values);
  if (!(s.pods > 1)) return undefined;
  const why: string[] = [];
  const ini = values?.["grafana.ini"]?.database?.type ?? values?.env?.GF_DATABASE_TYPE;
  const sqlite = `its database is SQLite (${ini === undefined ? "no database type set: Grafana's default sqlite3" : `database type ${ini}`}, the file grafana.db under paths.data /var/lib/grafana)`;
  if (s.database === "sqlite3")
    why.push(
      s.sharedClaim
        ? `${sqlite}, one file the pods would share`
        : `${sqlite}, one file per pod: each pod would keep its own users, dashboards and alert state`,
    );
  if (s.sharedClaim)
    why.push(
      `every pod of the Deployment mounts ${s.sharedClaim}, which only one node can mount (values.${k}persistence.enabled is ${persistenceOn(values.persistence)}): a pod on a second node stays Pending`,
    );
  if (why.length === 0) return undefined;
  const fix = [
    ...(s.database === "sqlite3"
      ? [
          // The chart refuses a literal database.password (grafana 12.3.1 _helpers.tpl
          // grafana.assertNoLeakedSecrets: only $__env{}, $__file{} or $__vault{} pass), and a
          // Secret behind them is one no key of this program makes (checks/ordering.ts refuses
          // a Secret nothing in the stack creates): a database without a password is the one
          // shared database this stack can give Grafana today.
          `give Grafana a database its pods share (${c}["grafana.ini"].database: type postgres or mysql, host, name, user), which this stack can only hand Grafana without a password: the chart refuses a literal database.password, and no key of this stack makes the Secret a $__env{} or $__file{} reference would read`,
        ]
      : []),
    ...(s.sharedClaim
      ? [
          `${c}.persistence.enabled: false (the shared database holds the state) or ${c}.persistence.type: statefulset${templateTrue(values?.persistence?.existingClaim) ? ` without ${c}.persistence.existingClaim (the chart's StatefulSet makes a claim per pod, and beside an existingClaim it renders no Grafana pod)` : ""}`,
        ]
      : []),
  ];
  return `${podsFrom(g, s)}, but ${why.join("; and ")}. Keep one replica (${oneReplica(g)}), or for ${s.pods}: ${fix.join(", and ")}.`;
}

/**
 * Where the pod count comes from, as the values say it: with autoscaling both keys that make it
 * (the chart's maxReplicas when unset), else `replicas`.
 */
function podsFrom({ values, at: k }: GrafanaChart, s: { pods: number; from: string }): string {
  const enabled: unknown = values?.autoscaling?.enabled;
  if (!templateTrue(enabled)) return `values.${k}${s.from} is ${s.pods}`;
  const unset = values.autoscaling.maxReplicas === undefined ? " (unset: the chart's default)" : "";
  return `values.${k}autoscaling.enabled is ${onAsRead(enabled)}${enabled === true ? "" : ","} and values.${k}${s.from} is ${s.pods}${unset}`;
}

/**
 * The stack-file change that brings Grafana to one pod, naming the key that made more: with
 * autoscaling on, the Deployment leaves `replicas` out (the HPA sets the count), so setting it
 * changes nothing. But turning autoscaling off brings a `replicas` above 1 back into force (the
 * chart reads it then; its StatefulSet reads it either way), and a `maxReplicas` of 1 below a
 * `minReplicas` above it is an HPA no API server takes (kubernetes pkg/apis/autoscaling/validation
 * validateHorizontalPodAutoscalerSpec: maxReplicas "must be greater than or equal to
 * `minReplicas`"): each is named beside the switch it would follow, so the change given brings
 * one pod in one edit.
 */
function oneReplica({ values, key }: GrafanaChart): string {
  const c = `chartValues.${key}.`;
  const enabled: unknown = values?.autoscaling?.enabled;
  if (!templateTrue(enabled)) return `set ${c}replicas to 1, or remove it`;
  const replicas = Number(values.replicas ?? 1);
  // The StatefulSet reads it whatever autoscaling says (grafana 12.3.1 templates/statefulset.yaml;
  // deployment.yaml alone leaves it out while autoscaling is on), made as the chart's hpa.yaml
  // targets it: useStatefulSet, or persistence on, without existingClaim, of a StatefulSet type.
  const read =
    grafanaWorkload(values) === "StatefulSet"
      ? "which the chart's StatefulSet reads with autoscaling on or off"
      : "read once autoscaling is off";
  const off = replicas > 1 ? ` and ${c}replicas to 1 or remove it (it is ${replicas}, ${read})` : "";
  const min = Number(values.autoscaling.minReplicas ?? 1);
  const max =
    min > 1
      ? `${c}autoscaling.maxReplicas and ${c}autoscaling.minReplicas to 1 (minReplicas is ${min})`
      : `${c}autoscaling.maxReplicas to 1`;
  return `set ${c}autoscaling.enabled to false${enabled === true ? "" : " (the boolean)"}${off}, or ${max}`;
}
