import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import { sizing, type Resources, type Profile } from "../../model/sizing";
import { imageString, versions } from "../../model/versions";
import {
  MIMIR_HTTP_PORT,
  MIMIR_NAME,
  mimirConfig,
  type MimirInputs,
} from "../../builders/metrics/mimirConfig";
import { mimirEndpoints } from "../../model/endpoints";
import { containerHardening, nonRootPod, PRIORITY_CLASSES } from "../../builders/security/hardening";

/** Arguments of {@link Mimir}. */
export interface MimirArgs {
  namespace: string;
  settings: MimirInputs;
  profile: Profile;
  storageClass: string;
  volumeSize: string;
  /** Requests and limits sized to hold the series cap (config/sizing.ts). Default: the profile's floor. */
  resources?: Resources;
  /** Buckets, user and credential Secret Mimir waits for. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. */
  provider: k8s.Provider;
}

const labels = {
  "app.kubernetes.io/name": "mimir",
  "app.kubernetes.io/component": "all",
  "app.kubernetes.io/part-of": "homelab-observability",
};

/** The StatefulSet spec of monolithic Mimir: one binary, `-target=all`, config expanded from env. */
export function mimirStatefulSetSpec(
  args: Pick<MimirArgs, "namespace" | "settings" | "profile" | "storageClass" | "volumeSize" | "resources">,
  configMapName: string,
): k8s.types.input.apps.v1.StatefulSetSpec {
  const envFrom = args.settings.storage.kind === "s3" ? args.settings.storage.envFrom : [];
  return {
    serviceName: `${MIMIR_NAME}-gossip`,
    replicas: args.settings.replicas,
    podManagementPolicy: "Parallel",
    selector: { matchLabels: labels },
    // Deleting or scaling Mimir down never deletes its WAL/TSDB claim.
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    template: {
      // Mimir reads its config file once at start: a changed config (the ruler's Alertmanager at
      // when the ruler takes the rules, say) must roll the pods, so the pod template carries the config's digest.
      metadata: {
        labels,
        annotations: {
          "checksum/config": createHash("sha256")
            .update(stringify(mimirConfig(args.settings)))
            .digest("hex"),
        },
      },
      spec: {
        // Pod template fields only: a running StatefulSet takes them in place (a rolling update).
        securityContext: nonRootPod(10001),
        // Mimir never calls the Kubernetes API (memberlist finds peers through the gossip Service).
        automountServiceAccountToken: false,
        priorityClassName: PRIORITY_CLASSES.stateful.name,
        containers: [
          {
            name: "mimir",
            image: imageString(versions.images.mimir),
            args: ["-target=all", "-config.file=/etc/mimir/mimir.yaml", "-config.expand-env=true"],
            envFrom,
            ports: [
              { name: "http", containerPort: MIMIR_HTTP_PORT },
              { name: "grpc", containerPort: 9095 },
              { name: "memberlist", containerPort: 7946 },
            ],
            readinessProbe: { httpGet: { path: "/ready", port: "http" }, initialDelaySeconds: 15 },
            // The root filesystem stays writable: Mimir's activity tracker and alertmanager default
            // to files under its working directory.
            securityContext: containerHardening({ readOnlyRoot: false }),
            resources: args.resources ?? sizing(args.profile, "mimir"),
            volumeMounts: [
              { name: "config", mountPath: "/etc/mimir" },
              { name: "data", mountPath: "/data" },
            ],
          },
        ],
        volumes: [{ name: "config", configMap: { name: configMapName } }],
      },
    },
    volumeClaimTemplates: [
      {
        metadata: { name: "data" },
        spec: {
          storageClassName: args.storageClass,
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: args.volumeSize } },
        },
      },
    ],
  };
}

/**
 * Mimir in monolithic mode as our own StatefulSet rather than mimir-distributed: that chart deploys
 * Kafka, zone-aware ingesters, caches and a rollout operator by default, all of which a homelab
 * would have to switch off one by one; one binary with `-target=all` is the documented small shape.
 */
export class Mimir extends pulumi.ComponentResource {
  readonly pushUrl: string;
  readonly queryUrl: string;
  readonly rulerUrl: string;

  constructor(name: string, args: MimirArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:Mimir", name, {}, opts);
    const o = { parent: this, provider: args.provider };
    const meta = (n: string) => ({ name: n, namespace: args.namespace, labels });
    const config = new k8s.core.v1.ConfigMap(
      `${name}-config`,
      {
        metadata: meta(`${MIMIR_NAME}-config`),
        data: { "mimir.yaml": stringify(mimirConfig(args.settings)) },
      },
      o,
    );
    const service = new k8s.core.v1.Service(
      name,
      {
        metadata: meta(MIMIR_NAME),
        spec: {
          selector: labels,
          ports: [
            { name: "http", port: MIMIR_HTTP_PORT, targetPort: "http" },
            { name: "grpc", port: 9095, targetPort: "grpc" },
          ],
        },
      },
      o,
    );
    const gossip = new k8s.core.v1.Service(
      `${name}-gossip`,
      {
        metadata: meta(`${MIMIR_NAME}-gossip`),
        spec: {
          clusterIP: "None",
          publishNotReadyAddresses: true,
          selector: labels,
          ports: [{ name: "memberlist", port: 7946, targetPort: "memberlist" }],
        },
      },
      o,
    );
    new k8s.apps.v1.StatefulSet(
      name,
      { metadata: meta(MIMIR_NAME), spec: mimirStatefulSetSpec(args, `${MIMIR_NAME}-config`) },
      { ...o, dependsOn: [config, service, gossip, ...(args.dependsOn ?? [])] },
    );
    new k8s.apiextensions.CustomResource(
      `${name}-servicemonitor`,
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: meta(MIMIR_NAME),
        spec: {
          selector: { matchLabels: labels },
          endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
        },
      },
      o,
    );
    const ep = mimirEndpoints(args.namespace);
    this.pushUrl = ep.push;
    this.queryUrl = ep.query;
    this.rulerUrl = ep.base;
    this.registerOutputs({ pushUrl: this.pushUrl, queryUrl: this.queryUrl });
  }
}
