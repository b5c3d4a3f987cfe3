import { withStackKeys } from "../../config/stackKeyPaths";
import { ALERTMANAGER_VOLUME, claimSpec } from "../core/claim";
import { capabilities, PHASES, type PhaseCapabilities, type Backend } from "../../model/phases";
import { RELEASES } from "../../model/endpoints";
import { PROMETHEUS_CLAIM_TEMPLATE } from "../../model/storage";
import { KPS_PORT_NAME } from "../../model/services";
import { sizing, type Resources, type Workload, type Profile } from "../../model/sizing";
import { kpsConfigReloader } from "../../model/auxiliaryPods";
import { imageValues, versions } from "../../model/versions";
import {
  alertmanagerConfig,
  alertmanagerSecrets,
  type AlertmanagerInputs,
} from "../alerting/alertmanagerConfig";
import { EVERY_RULE, NO_RULE } from "../alerting/rules";
import { remoteWriteEntry, replicaLabelFor, type RemoteWriteInputs } from "./remoteWrite";
import { ksmCollectors } from "./exporterValues";
import { PRIORITY_CLASSES } from "../security/hardening";

export interface KpsInputs {
  /** What the phase runs (model/phases.ts): remote write, rule evaluator, Alertmanager. */
  caps: Pick<PhaseCapabilities, "prometheusRemoteWrite" | "ruleEvaluator" | "alertmanager">;
  cluster: string;
  profile: Profile;
  backend: Backend;
  retention: string;
  retentionSize: string;
  volumeSize: string;
  storageClass: string;
  /** Remote write target, used while `caps.prometheusRemoteWrite`. */
  remoteWrite: RemoteWriteInputs;
  alerting: AlertmanagerInputs;
  /** Release fullname (names the Prometheus, its StatefulSet and claim). Default RELEASES.kps; a takeover keeps the running one. */
  fullname?: string;
  /** Name of the claim template (the claim is `<template>-prometheus-<fullname>-prometheus-0`). Default PROMETHEUS_CLAIM_TEMPLATE. */
  claimTemplate?: string;
  /** Sizes from the declared workload (config/sizing.ts) that replace the profile's. Default none. */
  sized?: Partial<Record<Workload, Resources>>;
}

/**
 * kube-prometheus-stack values for the phases that run it (caps.kps). CRDs and Grafana live in
 * their own releases so that removing KPS keeps them.
 */
export function kpsValues(input: KpsInputs): Record<string, any> {
  const remoteWrite = input.caps.prometheusRemoteWrite;
  const prometheusEvaluates = input.caps.ruleEvaluator === "prometheus";
  const p = input.profile;
  const values = {
    fullnameOverride: input.fullname ?? RELEASES.kps,
    crds: { enabled: false },
    grafana: { enabled: false },
    // The chart's default rules ship as the program's own PrometheusRule (rendered from this chart,
    // builders/alerting/data), labelled homelab.dev/rules like the rest, so they outlive KPS and
    // exactly one evaluator can be chosen per phase.
    defaultRules: { create: false },
    kubeStateMetrics: { enabled: true },
    "kube-state-metrics": {
      image: imageValues(versions.images.kubeStateMetrics, "sha-prefixed"),
      resources: sizing(p, "kubeStateMetrics"),
      // Without `secrets` and `configmaps`: no cluster-wide Secret or ConfigMap list (see ksmCollectors).
      collectors: ksmCollectors("endpointslices"),
      metricLabelsAllowlist: ["pods=[*]", "deployments=[*]", "persistentvolumeclaims=[*]"],
    },
    // node-exporter runs as its own release in every phase (components/metrics/exporters.ts): KPS's
    // and the standalone DaemonSet both bind host port 9100, so they can never coexist.
    nodeExporter: { enabled: false },
    prometheusOperator: {
      resources: sizing(p, "promOperator"),
      image: imageValues(versions.images.prometheusOperator, "sha"),
      // The reloader sidecar the operator injects into Prometheus and Alertmanager: without these
      // the operator runs it with --config-reloader-*-request=0, i.e. no requests.
      prometheusConfigReloader: {
        image: imageValues(versions.images.configReloader, "sha"),
        resources: kpsConfigReloader(p),
      },
      // The admission webhook's cert job uses an image we do not otherwise ship; the CRDs validate.
      admissionWebhooks: { enabled: false },
      tls: { enabled: false },
    },
    prometheus: {
      prometheusSpec: {
        image: imageValues(versions.images.prometheus, "sha"),
        // The pods' port name, which the NetworkPolicies admit (plan/network.ts): set, not assumed.
        portName: KPS_PORT_NAME,
        replicas: 1,
        // A change here reaches the operator's StatefulSet through its pod template only.
        priorityClassName: PRIORITY_CLASSES.stateful.name,
        resources: sizing(p, "prometheus", input.sized),
        externalLabels: { cluster: input.cluster },
        replicaExternalLabelName: replicaLabelFor(input.backend),
        storageSpec: {
          volumeClaimTemplate: {
            metadata: { name: input.claimTemplate ?? PROMETHEUS_CLAIM_TEMPLATE },
            spec: claimSpec(input.storageClass, input.volumeSize),
          },
        },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        remoteWrite: remoteWrite ? [remoteWriteEntry(input.remoteWrite)] : [],
        // Every PrometheusRule of the cluster while Prometheus is the phase's evaluator (other apps'
        // too), none once the backend's is. The namespace selector stays the chart's `{}`, every
        // namespace (templates/prometheus/prometheus.yaml; null would mean Prometheus's own only).
        ruleSelectorNilUsesHelmValues: false,
        ruleSelector: prometheusEvaluates ? EVERY_RULE : NO_RULE,
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        // Every ScrapeConfig, like every ServiceMonitor: MinIO's cluster metrics are one (an
        // address outside the cluster's Services; kube-prometheus-stack 88.0.0 templates/prometheus/
        // prometheus.yaml renders `scrapeConfigSelector: {}` with this off).
        scrapeConfigSelectorNilUsesHelmValues: false,
      },
    },
    // Once the backend's ruler/vmalert holds the rules, it alerts through its own Alertmanager.
    alertmanager: {
      enabled: input.caps.alertmanager === "kps",
      config: alertmanagerConfig(input.alerting, "/etc/alertmanager/secrets"),
      alertmanagerSpec: {
        image: imageValues(versions.images.alertmanager, "sha"),
        portName: KPS_PORT_NAME,
        secrets: alertmanagerSecrets(input.alerting),
        resources: sizing(p, "alertmanager"),
        priorityClassName: PRIORITY_CLASSES.stateful.name,
        // Neither Alertmanager nor the operator's reloader beside it calls the Kubernetes API.
        automountServiceAccountToken: false,
        // Silences and the notification log live in /alertmanager: on a claim they survive restarts
        // (an emptyDir, the chart's default, forgets every silence on each restart).
        storage: { volumeClaimTemplate: { spec: alertmanagerClaim(input.storageClass) } },
      },
    },
  };
  // Where each stack key's value goes is config/stackKeyPaths.ts' table, read by the config check too.
  return withStackKeys("kube-prometheus-stack", values, {
    "prometheus.retention": input.retention,
    "prometheus.retentionSize": input.retentionSize,
    "prometheus.volumeSize": input.volumeSize,
  });
}

/** The claim every Alertmanager keeps its silences and notification log on. */
export function alertmanagerClaim(storageClass: string): Record<string, any> {
  return claimSpec(storageClass, ALERTMANAGER_VOLUME);
}

/**
 * KPS's values at the first phase (Prometheus evaluates the rules) with neutral settings: what the
 * generators render the chart's own rules and dashboards from (scripts/genKpsRules.ts,
 * synth/render/dashboards.ts), each switching on only what it reads.
 */
export function generatorKpsValues(): Record<string, any> {
  return kpsValues({
    caps: capabilities(PHASES[0], "mimir"),
    cluster: "generate",
    profile: "standard",
    backend: "mimir",
    retention: "10d",
    retentionSize: "10GiB",
    volumeSize: "20Gi",
    storageClass: "standard",
    remoteWrite: { backend: "mimir", url: "" },
    alerting: { pushover: false, pushoverPriority: 0, heartbeat: false, heartbeatInterval: "1m" },
  });
}
