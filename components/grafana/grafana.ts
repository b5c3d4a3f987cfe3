import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { helmRelease } from "../helm";
import { SECRET_REFS } from "../secrets/refs";
import { sizing } from "../sizing";
import { imageValues, versions } from "../versions";
import { grafanaDatasources, type DatasourceInputs } from "./datasources";
import { dashboardsFor, type DashboardInputs } from "./dashboards";

export interface GrafanaInputs {
  profile: "standard" | "lightweight";
  url: string;
  volumeSize: string;
  storageClass: string;
  datasources: DatasourceInputs;
  /** Which backend and log agent the shipped dashboards describe. */
  dashboards: DashboardInputs;
}

/** Values of the standalone grafana chart: admin from a Secret, persistence, provisioned datasources. */
export function grafanaValues(input: GrafanaInputs): Record<string, any> {
  const g = SECRET_REFS.grafanaAdmin;
  const sidecarImage = versions.images.k8sSidecar;
  return {
    fullnameOverride: "grafana",
    image: imageValues(versions.images.grafana),
    admin: { existingSecret: g.secretName, userKey: g.userKey, passwordKey: g.passwordKey },
    persistence: { enabled: true, size: input.volumeSize, storageClassName: input.storageClass },
    // The chown init container runs busybox as root; fsGroup does the same job.
    initChownData: { enabled: false },
    securityContext: { runAsUser: 472, runAsGroup: 472, fsGroup: 472 },
    resources: sizing(input.profile, "grafana"),
    "grafana.ini": {
      server: { root_url: input.url },
      analytics: { reporting_enabled: false, check_for_updates: false },
    },
    datasources: { "datasources.yaml": { apiVersion: 1, ...grafanaDatasources(input.datasources) } },
    dashboardProviders: {
      "dashboardproviders.yaml": {
        apiVersion: 1,
        providers: [
          {
            name: "homelab",
            orgId: 1,
            folder: "Homelab",
            type: "file",
            disableDeletion: false,
            editable: false,
            options: { path: "/var/lib/grafana/dashboards/homelab" },
          },
        ],
      },
    },
    // JSON from the program itself (components/grafana/dashboards.ts): the chart writes it into a
    // ConfigMap; no `gnetId`/`url` entry, which the chart would download at pod start.
    dashboards: {
      homelab: Object.fromEntries(
        Object.entries(dashboardsFor(input.dashboards)).map(([file, d]) => [
          file,
          { json: JSON.stringify(d) },
        ]),
      ),
    },
    // Dashboards labelled grafana_dashboard in any namespace (what KPS shipped) keep loading.
    sidecar: {
      image: { registry: sidecarImage.registry, repository: sidecarImage.repository, tag: sidecarImage.tag },
      resources: sizing(input.profile, "grafanaSidecar"),
      dashboards: { enabled: true, label: "grafana_dashboard", searchNamespace: "ALL" },
      datasources: { enabled: false },
    },
    serviceMonitor: { enabled: true },
  };
}

/** Arguments of {@link Grafana}. */
export interface GrafanaArgs {
  namespace: string;
  settings: GrafanaInputs;
  /** The admin Secret; Grafana waits for it. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

/** Standalone Grafana: its own release from the first phase, so removing KPS never takes it along. */
export class Grafana extends pulumi.ComponentResource {
  readonly url: string;
  constructor(name: string, args: GrafanaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:grafana:Grafana", name, {}, opts);
    helmRelease(name, "grafana", versions.charts.grafana, args.namespace, grafanaValues(args.settings), {
      parent: this,
      provider: args.provider,
      dependsOn: args.dependsOn ?? [],
    });
    this.url = args.settings.url;
    this.registerOutputs({ url: this.url });
  }
}
