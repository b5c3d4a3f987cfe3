/**
 * What `--running` would collect from seed 000's cluster, made the way the cluster made it: Flux
 * HelmReleases (kube-prometheus-stack, loki, grafana in `monitoring`) whose values are the chart's
 * defaults plus what seed 000's plan says the operator set (Prometheus 14 days on a 70Gi
 * openebs-hostpath claim; Loki SimpleScalable on the MinIO bucket `loki` with retention and no
 * delete_request_store; Grafana with Prometheus as default), rendered with the real Helm. The
 * StatefulSets and claims are what the API server keeps of them: volumeClaimTemplates defaulted
 * (apiVersion, kind, volumeMode, status), claims bound (volumeName, pvc-protection finalizer, the
 * default class filled in), and the operator's StatefulSets for the Prometheus and Alertmanager CRs.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { dump } from "js-yaml";
import { load as loadYaml } from "js-yaml";
import { chartCacheDir, helmBinary } from "../../synth/render/helm";
import { renderExport } from "../../synth/render/render";
import type { RenderedObject } from "../../synth/render/types";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { CACHE_DIR, cached, cacheKey } from "./fixtureCache";
import { fileIdentity, toolOutput } from "./toolOutput";

const NS = "monitoring";
/** The cluster's default StorageClass (seed 000: openebs-hostpath), filled into claims without a class. */
const DEFAULT_CLASS = "openebs-hostpath";

const s3Env = [{ secretRef: { name: "loki-s3-credentials" } }];
/** What the Flux HelmReleases of seed 000 set (its plan, "Current KPS Setup" and the Loki release). */
export const SEED000_FLUX_VALUES: Record<
  string,
  { chart: string; version: string; values: Record<string, any> }
> = {
  "kube-prometheus-stack": {
    chart: "kube-prometheus-stack",
    version: "88.0.0",
    values: {
      grafana: { enabled: false },
      prometheus: {
        prometheusSpec: {
          retention: "14d",
          storageSpec: {
            volumeClaimTemplate: {
              spec: {
                storageClassName: "openebs-hostpath",
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: "70Gi" } },
              },
            },
          },
        },
      },
      alertmanager: { alertmanagerSpec: { secrets: ["alertmanager-pushover"] } },
      "kube-state-metrics": {
        metricLabelsAllowlist: ["pods=[*]", "deployments=[*]", "persistentvolumeclaims=[*]"],
      },
    },
  },
  loki: {
    chart: "loki",
    version: "6.49.0",
    values: {
      deploymentMode: "SimpleScalable",
      loki: {
        auth_enabled: false,
        schemaConfig: {
          configs: [
            {
              from: "2024-04-01",
              store: "tsdb",
              object_store: "s3",
              schema: "v13",
              index: { prefix: "loki_index_", period: "24h" },
            },
          ],
        },
        storage: {
          type: "s3",
          bucketNames: { chunks: "loki", ruler: "loki", admin: "loki" },
          s3: {
            endpoint: "minio.storage.svc.cluster.local:9000",
            region: "us-east-1",
            accessKeyId: "${AWS_ACCESS_KEY_ID}",
            secretAccessKey: "${AWS_SECRET_ACCESS_KEY}",
            s3ForcePathStyle: true,
            insecure: true,
          },
        },
        compactor: {
          working_directory: "/var/loki/compactor",
          retention_enabled: true,
          retention_delete_delay: "2h",
          retention_delete_worker_count: 150,
        },
        limits_config: { retention_period: "30d" },
      },
      write: { replicas: 3, extraArgs: ["-config.expand-env=true"], extraEnvFrom: s3Env },
      read: { replicas: 3, extraArgs: ["-config.expand-env=true"], extraEnvFrom: s3Env },
      backend: { replicas: 3, extraArgs: ["-config.expand-env=true"], extraEnvFrom: s3Env },
    },
  },
  grafana: {
    chart: "grafana",
    version: "12.3.1",
    values: {
      admin: {
        existingSecret: "grafana-admin-credentials",
        userKey: "admin-user",
        passwordKey: "admin-password",
      },
      datasources: {
        "datasources.yaml": {
          apiVersion: 1,
          datasources: [
            {
              name: "Prometheus",
              type: "prometheus",
              url: "http://kube-prometheus-stack-prometheus.monitoring.svc:9090",
              isDefault: true,
            },
          ],
        },
      },
    },
  },
};

/** Helm's value coalescing: maps merge, anything else (lists too) the user's value wins, null deletes. */
export function coalesce(defaults: any, user: any): any {
  if (user === undefined) return defaults;
  const map = (v: any) => v && typeof v === "object" && !Array.isArray(v);
  if (!map(defaults) || !map(user)) return user;
  const out: Record<string, any> = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k];
    else out[k] = coalesce(defaults[k], v);
  }
  return out;
}

/**
 * `helm get values --all` of a release: the chart's own values.yaml coalesced with the release's.
 * The chart's values are `helm show values` of the pinned archive, kept in the fixture cache
 * (test/support/toolOutput.ts): three test files asked Helm for the same three charts every run.
 */
export function allValues(chart: string, version: string, values: Record<string, any>): Record<string, any> {
  const archive = path.join(chartCacheDir(), `${chart}-${version}.tgz`);
  const defaults = loadYaml(toolOutput(helmBinary(), ["show", "values", archive], [archive])) ?? {};
  return coalesce(defaults, values);
}

const uid = (s: string) => {
  const h = crypto.createHash("sha256").update(s).digest("hex");
  return `pvc-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** A claim template as the API server returns it inside a StatefulSet. */
function defaultedTemplate(t: any): any {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    ...t,
    metadata: { ...(t.metadata ?? {}) },
    spec: { volumeMode: "Filesystem", ...(t.spec ?? {}) },
    status: { phase: "Pending" },
  };
}

/** The StatefulSet prometheus-operator makes for a Prometheus or Alertmanager CR (pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go). */
function operatorStatefulSet(cr: RenderedObject): any {
  const kind = cr.kind.toLowerCase();
  const name = `${kind}-${cr.metadata.name}`;
  const labels = {
    "app.kubernetes.io/instance": cr.metadata.name,
    "app.kubernetes.io/managed-by": "prometheus-operator",
    "app.kubernetes.io/name": kind,
    [`operator.prometheus.io/name`]: cr.metadata.name,
    ...(kind === "prometheus" ? { "operator.prometheus.io/shard": "0" } : {}),
  };
  const vct = cr.spec?.storage?.volumeClaimTemplate;
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name, namespace: cr.metadata.namespace, labels },
    spec: {
      replicas: cr.spec?.replicas ?? 1,
      serviceName: `${kind}-operated`,
      podManagementPolicy: "Parallel",
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: kind }] } },
      volumeClaimTemplates: vct
        ? [defaultedTemplate({ ...vct, metadata: { name: vct.metadata?.name ?? `${name}-db` } })]
        : [],
    },
  };
}

/**
 * Writes the reports of seed 000's running stack into `dir` (each release's values, the release list,
 * the StatefulSets, claims and PrometheusRules). Made once and then kept in the fixture cache
 * (test/support/fixtureCache.ts), keyed by everything they are made of: the sources and chart
 * archives (cacheKey), this file's text (test/ is not in cacheKey's sources) and the Helm binary that
 * renders the releases (toolOutput.ts fileIdentity). Five test files wrote them every run, each
 * call rendering three releases and dumping their YAML. Measured warm, --no-parallel over those five
 * files (7 calls), alternating: 370 ms of CPU in the calls before, 40 ms after; the run's user+sys
 * medians of 7, 6.54 s before, 6.12 s after.
 */
export async function writeSeed000Running(dir: string, cacheDir: string = CACHE_DIR): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const reports = await cached("seed000-running", seed000RunningKey(), seed000Reports, cacheDir);
  for (const [name, text] of Object.entries(reports)) fs.writeFileSync(path.join(dir, name), text);
}

/** The fixture-cache key of {@link writeSeed000Running}'s reports. */
export function seed000RunningKey(): string {
  return cacheKey("seed000-running", [fs.readFileSync(__filename, "utf8"), fileIdentity(helmBinary())]);
}

/** The reports {@link writeSeed000Running} writes: file name -> text. */
async function seed000Reports(): Promise<Record<string, string>> {
  const reports: Record<string, string> = {};
  const list: Record<string, any>[] = [];
  const resources: ExportResource[] = [];
  for (const [name, r] of Object.entries(SEED000_FLUX_VALUES)) {
    const values = allValues(r.chart, r.version, r.values);
    reports[`${NS}.${name}.values.yaml`] = dump(values, { noRefs: true });
    list.push({
      name,
      namespace: NS,
      revision: "3",
      updated: "2026-10-01 12:00:00.000000000 +0000 UTC",
      status: "deployed",
      chart: `${r.chart}-${r.version}`,
      app_version: "",
    });
    resources.push({
      urn: `urn:pulumi:seed000::running::kubernetes:helm.sh/v3:Release::${name}`,
      custom: true,
      type: "kubernetes:helm.sh/v3:Release",
      inputs: { name, namespace: NS, chart: r.chart, version: r.version, values },
      outputs: {},
    });
  }
  reports["helm-list.yaml"] = dump(list);
  const exp: StackExport = { version: 3, deployment: { manifest: {}, resources } } as any;
  const renders = await renderExport(exp);
  const objects = renders.flatMap((r) => {
    if (r.error) throw new Error(`seed 000 running release ${r.releaseName}: ${r.error}`);
    return r.objects;
  });
  const ssets = [
    ...objects.filter((o) => o.kind === "StatefulSet").map((o) => structuredClone(o)),
    ...objects.filter((o) => o.kind === "Prometheus" || o.kind === "Alertmanager").map(operatorStatefulSet),
  ].map((s: any) => {
    s.metadata.namespace ??= NS;
    s.spec.volumeClaimTemplates = (s.spec.volumeClaimTemplates ?? []).map(defaultedTemplate);
    s.status = { replicas: s.spec.replicas ?? 1, readyReplicas: s.spec.replicas ?? 1 };
    return s;
  });
  const pvcs = ssets.flatMap((s: any) =>
    s.spec.volumeClaimTemplates.flatMap((t: any) =>
      Array.from({ length: s.spec.replicas ?? 1 }, (_, i) => {
        const name = `${t.metadata.name}-${s.metadata.name}-${i}`;
        return {
          apiVersion: "v1",
          kind: "PersistentVolumeClaim",
          metadata: {
            name,
            namespace: s.metadata.namespace,
            labels: s.spec.selector?.matchLabels ?? {},
            annotations: {
              "pv.kubernetes.io/bind-completed": "yes",
              "pv.kubernetes.io/bound-by-controller": "yes",
              "volume.beta.kubernetes.io/storage-provisioner": "openebs.io/local",
              "volume.kubernetes.io/storage-provisioner": "openebs.io/local",
            },
            finalizers: ["kubernetes.io/pvc-protection"],
            uid: uid(`${name}-uid`),
            resourceVersion: "4242",
            creationTimestamp: "2026-09-01T10:00:00Z",
          },
          spec: {
            accessModes: t.spec.accessModes,
            resources: t.spec.resources,
            storageClassName: t.spec.storageClassName ?? DEFAULT_CLASS,
            volumeMode: "Filesystem",
            volumeName: uid(name),
          },
          status: {
            phase: "Bound",
            accessModes: t.spec.accessModes,
            capacity: { storage: t.spec.resources?.requests?.storage },
          },
        };
      }),
    ),
  );
  const asList = (items: unknown[]) =>
    dump({ apiVersion: "v1", kind: "List", items, metadata: { resourceVersion: "" } }, { noRefs: true });
  reports["statefulsets.yaml"] = asList(ssets);
  reports["pvcs.yaml"] = asList(pvcs);
  // The PrometheusRules the running releases made (kube-prometheus-stack's default rules), as
  // `kubectl get prometheusrules -A` lists them.
  const rules = objects
    .filter((o) => o.kind === "PrometheusRule")
    .map((o: any) => {
      const r = structuredClone(o);
      r.metadata.namespace ??= NS;
      return r;
    });
  reports["prometheusrules.yaml"] = asList(rules);
  return reports;
}

/** Adds PrometheusRules to a running-state folder's `prometheusrules.yaml` (other apps' rules). */
export function addRunningRules(dir: string, rules: Record<string, any>[]): void {
  const file = path.join(dir, "prometheusrules.yaml");
  const doc = loadYaml(fs.readFileSync(file, "utf8")) as { items: unknown[] };
  doc.items.push(...rules);
  fs.writeFileSync(file, dump(doc, { noRefs: true }));
}
