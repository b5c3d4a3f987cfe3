import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { StackConfig } from "../config/resolve";
import { PROMETHEUS_VOLUME_RESOURCE, planStack, type WaitFor } from "../plan/plan";
import { ObjectStore } from "../components/objectstore/objectStore";
import { Secrets } from "../components/secrets/secrets";
import { StackInfo } from "../components/stackInfo";
import { StackNamespace } from "../components/namespace";
import { PriorityClasses } from "../components/scheduling/priorityClasses";
import { Ordering } from "./ordering";
import { AdoptionError, adoptionTransformation } from "./takeover";
import { PrometheusCrds } from "../components/metrics/prometheusCrds";
import { PrometheusVolume } from "../components/metrics/prometheusVolume";
import { KubePrometheusStack } from "../components/metrics/kubePrometheusStack";
import { Mimir } from "../components/metrics/mimir";
import { VictoriaMetrics } from "../components/metrics/victoriaMetrics";
import { Exporters } from "../components/metrics/exporters";
import { Alertmanager } from "../components/alerting/alertmanager";
import { AlertRules } from "../components/alerting/alertRules";
import { Loki } from "../components/logging/loki";
import { Alloy } from "../components/logging/alloy";
import { Vector } from "../components/logging/vector";
import { Grafana } from "../components/grafana/grafana";
import { NetworkPolicies } from "../components/network/networkPolicies";

/** What the stack exports: where things are, never a credential. */
export interface StackOutputs {
  phase: string;
  grafanaUrl: string;
  lokiPushUrl: string;
  /** Where metrics are written (Prometheus remote_write target, or the agents' target). */
  metricsRemoteWriteUrl?: string;
  /** The default Grafana metrics datasource's URL in this phase. */
  metricsQueryUrl: string;
  bucketNames: string[];
  /** Deletions and replacements made on purpose, by resource name, with why (read by the change check). */
  plannedChanges: Record<string, string>;
}

/**
 * The composition root applies the plan: validated config in, `planStack` decides every component
 * and its inputs (plan/plan.ts), this creates them with providers and turns what each waits for
 * into resources. It decides nothing and builds no URL. `index.ts`, the tests and the offline
 * synthesis all call this; `rootOpts` reaches every top-level component and provider.
 */
export function buildStack(cfg: StackConfig, rootOpts: pulumi.ComponentResourceOptions = {}): StackOutputs {
  const plan = planStack(cfg);
  // Takeover: what already runs is imported, not created; the adoption must see every resource first.
  const adopt = adoptionTransformation(plan.adoptions);
  // Ordering as data: namespace, CRD release and Secrets become dependencies of what needs them.
  const order = new Ordering();
  const top = order.options({
    ...rootOpts,
    transformations: [adopt.transformation, ...(rootOpts.transformations ?? [])],
  });
  // Pinned to the stack's cluster: without `context` the provider takes whatever context is
  // selected (pulumi-kubernetes provider.go Configure: clientcmd's loading rules and overrides).
  // `kubeconfig` left undefined keeps the provider's default ($KUBECONFIG, provider.js), so pinning
  // an existing stack reaches the same cluster and DiffConfig plans no replacement.
  // ConfigMaps and Secrets update in place (pulumi-kubernetes diff.go replaces their data
  // otherwise, deleting the named object before the new one exists): README "Checking the change".
  const provider = new k8s.Provider(
    "k8s",
    {
      enableServerSideApply: true,
      enableConfigMapMutable: true,
      enableSecretMutable: true,
      context: plan.cluster.context,
      kubeconfig: plan.cluster.kubeconfig,
    },
    top,
  );
  const randomProvider = new random.Provider("random", {}, top);

  order.namespaces.push(
    new StackNamespace("namespace", { ...plan.namespace.inputs, provider }, top).namespace,
  );
  if (plan.agentsNamespace)
    order.namespaces.push(
      new StackNamespace("agents-namespace", { ...plan.agentsNamespace.inputs, provider }, top).namespace,
    );
  new NetworkPolicies("network-policies", { ...plan.networkPolicies.inputs, provider }, top);
  new StackInfo("stack-info", { ...plan.stackInfo.inputs, provider }, top);
  const priority = new PriorityClasses("priority-classes", { ...plan.priorityClasses.inputs, provider }, top);
  for (const [i, c] of plan.priorityClasses.inputs.classes.entries())
    order.priorityClasses.set(c.name, priority.resources[i]);
  const secrets = new Secrets("secrets", { ...plan.secrets.inputs, provider, randomProvider }, top);
  // The CRD release first: the object store's ScrapeConfig (MinIO's metrics) waits for it.
  const crds = new PrometheusCrds("prometheus-crds", { ...plan.crds.inputs, provider }, top);
  order.crdRelease = crds.release;
  const store = new ObjectStore(
    "objectstore",
    {
      ...plan.objectStore.inputs,
      minioAdmin: secrets.minioAdmin,
      credentialSink: secrets,
      provider,
      randomProvider,
    },
    top,
  );

  // What a planned component waits for, as resources (in the plan's order).
  const made: { promVolume?: pulumi.Resource; kps?: pulumi.Resource } = {};
  const waits = (w: WaitFor[]): pulumi.Resource[] =>
    w.flatMap((x): pulumi.Resource[] => {
      switch (x.kind) {
        case "crds":
          return [crds.release];
        case "storage":
          return store.ready[x.consumer];
        case "prometheus-volume":
          return made.promVolume ? [made.promVolume] : [];
        case "kube-prometheus-stack":
          return made.kps ? [made.kps] : [];
      }
    });

  new AlertRules("rules", { ...plan.rules.inputs, dependsOn: waits(plan.rules.waitsFor), provider }, top);
  new Loki("loki", { ...plan.loki.inputs, dependsOn: waits(plan.loki.waitsFor), provider }, top);
  if (plan.mimir)
    new Mimir("mimir", { ...plan.mimir.inputs, dependsOn: waits(plan.mimir.waitsFor), provider }, top);
  if (plan.alertmanager) new Alertmanager("alertmanager", { ...plan.alertmanager.inputs, provider }, top);
  if (plan.victoriaMetrics)
    new VictoriaMetrics(
      "victoriametrics",
      { ...plan.victoriaMetrics.inputs, dependsOn: waits(plan.victoriaMetrics.waitsFor), provider },
      top,
    );
  if (plan.prometheusVolume)
    made.promVolume = new PrometheusVolume(
      PROMETHEUS_VOLUME_RESOURCE,
      { ...plan.prometheusVolume.inputs, provider },
      top,
    );
  if (plan.kubePrometheusStack)
    made.kps = new KubePrometheusStack(
      "kube-prometheus-stack",
      { ...plan.kubePrometheusStack.inputs, dependsOn: waits(plan.kubePrometheusStack.waitsFor), provider },
      top,
    );
  if (plan.exporters)
    new Exporters(
      "exporters",
      { ...plan.exporters.inputs, dependsOn: waits(plan.exporters.waitsFor), provider },
      top,
    );
  if (plan.alloy) new Alloy("alloy", { ...plan.alloy.inputs, provider }, top);
  if (plan.vector) new Vector("vector", { ...plan.vector.inputs, provider }, top);
  const grafana = new Grafana("grafana", { ...plan.grafana.inputs, provider }, top);

  const unmatched = adopt.unmatched();
  if (unmatched.length > 0) throw new AdoptionError(unmatched, cfg.phase);

  const { phase, lokiPushUrl, metricsRemoteWriteUrl, metricsQueryUrl, plannedChanges } = plan.outputs;
  return {
    phase,
    grafanaUrl: grafana.url,
    lokiPushUrl,
    metricsRemoteWriteUrl,
    metricsQueryUrl,
    bucketNames: store.bucketNames,
    plannedChanges,
  };
}
