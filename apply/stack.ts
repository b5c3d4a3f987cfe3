import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import type { StackConfig } from "../config/resolve";
import { pulumiSecretSource } from "../config/load";
import { stackKeyAt, type OverridePlace } from "../config/locate";
import {
  PROMETHEUS_VOLUME_RESOURCE,
  planStack,
  type Planned,
  type StackOutputs,
  type StackPlan,
  type WaitFor,
} from "../plan/plan";
import { ObjectStore } from "../components/objectstore/objectStore";
import { Secrets } from "../components/secrets/secrets";
import { StackInfo } from "../components/stackInfo";
import { StackNamespace } from "../components/namespace";
import { PriorityClasses } from "../components/scheduling/priorityClasses";
import { Ordering } from "./ordering";
import { AdoptionError, adoptionTransformation } from "./takeover";
import { chartValuesTransformation } from "./chartValues";
import { imageMirrorTransformation } from "./imageMirror";
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
import { PROVIDER_SWITCHES } from "../model/kubernetesProvider";

/**
 * The composition root applies the plan: validated config in, `planStack` decides every component
 * and its inputs (plan/plan.ts), this creates them with providers and turns what each waits for
 * into resources. It decides nothing and builds no URL. `index.ts`, the tests and the offline
 * synthesis all call this; `rootOpts` reaches every top-level component and provider. `plan` is
 * always `planStack(cfg)` but for tests of this wiring. `at` places a stack key in the stack file,
 * for a refusal a provider makes later, in the update (default: no place known).
 */
export function buildStack(
  cfg: StackConfig,
  rootOpts: pulumi.ComponentResourceOptions = {},
  plan: StackPlan = planStack(cfg),
  at?: OverridePlace,
): StackOutputs {
  // Takeover: what already runs is imported, not created; the adoption must see every resource first.
  const adopt = adoptionTransformation(plan.adoptions);
  // Ordering as data: namespace, CRD release and Secrets become dependencies of what needs them.
  const order = new Ordering();
  const top = order.options({
    ...rootOpts,
    transformations: [
      adopt.transformation,
      // Pinned images through the stack's mirrors, then the user's chart values over the program's.
      imageMirrorTransformation(plan.imageMirrors),
      chartValuesTransformation(plan.chartValues),
      ...(rootOpts.transformations ?? []),
    ],
  });
  // Pinned to the stack's cluster: without `context` the provider takes whatever context is
  // selected (pulumi-kubernetes provider.go Configure: clientcmd's loading rules and overrides).
  // `kubeconfig` left undefined keeps the provider's default ($KUBECONFIG, provider.js), so pinning
  // an existing stack reaches the same cluster and DiffConfig plans no replacement.
  const provider = new k8s.Provider(
    "k8s",
    {
      ...PROVIDER_SWITCHES,
      context: plan.cluster.context,
      kubeconfig: plan.cluster.kubeconfig,
    },
    top,
  );
  const randomProvider = new random.Provider("random", {}, top);

  // What a planned component waits for, as resources. Every entry carries its waits (an empty
  // list when none) and every component gets them as `dependsOn`, the same way; a wait on
  // something the plan creates later (or not at all) is a plan error, never silently dropped.
  const made: Partial<Record<Exclude<WaitFor["kind"], "storage">, pulumi.Resource>> & {
    storage?: ObjectStore;
  } = {};
  const waits = (who: string, w: WaitFor[]): pulumi.Resource[] =>
    w.flatMap((x): pulumi.Resource[] => {
      const target = x.kind === "storage" ? made.storage?.ready[x.consumer] : made[x.kind] && [made[x.kind]!];
      if (!target)
        throw new Error(`buildStack: ${who} waits for ${x.kind}, which the plan creates later or not at all`);
      return target;
    });
  const opts = <T>(who: string, entry: Planned<T>) => ({
    ...entry.inputs,
    dependsOn: waits(who, entry.waitsFor),
    provider,
  });

  order.namespaces.push(new StackNamespace("namespace", opts("namespace", plan.namespace), top).namespace);
  if (plan.agentsNamespace)
    order.namespaces.push(
      new StackNamespace("agents-namespace", opts("agentsNamespace", plan.agentsNamespace), top).namespace,
    );
  new NetworkPolicies("network-policies", opts("networkPolicies", plan.networkPolicies), top);
  new StackInfo("stack-info", opts("stackInfo", plan.stackInfo), top);
  const priority = new PriorityClasses(
    "priority-classes",
    opts("priorityClasses", plan.priorityClasses),
    top,
  );
  for (const [i, c] of plan.priorityClasses.inputs.classes.entries())
    order.priorityClasses.set(c.name, priority.resources[i]);
  // The config secrets and the 1Password token are read by the config adapter, never the component.
  const secrets = new Secrets(
    "secrets",
    { ...opts("secrets", plan.secrets), randomProvider, secretSource: pulumiSecretSource() },
    top,
  );
  // The CRD release first: the object store's ScrapeConfig (MinIO's metrics) waits for it.
  const crds = new PrometheusCrds("prometheus-crds", opts("crds", plan.crds), top);
  order.crdRelease = made.crds = crds.release;
  made.storage = new ObjectStore(
    "objectstore",
    {
      ...opts("objectStore", plan.objectStore),
      minioAdmin: secrets.minioAdmin,
      garageAdminToken: secrets.garageAdminToken,
      // A refusal the store's provider makes in the update names the key at its line.
      keyAt: (key: string) => stackKeyAt(key, at),
      credentialSink: secrets,
      randomProvider,
    },
    top,
  );

  new AlertRules("rules", opts("rules", plan.rules), top);
  new Loki("loki", opts("loki", plan.loki), top);
  if (plan.mimir) new Mimir("mimir", opts("mimir", plan.mimir), top);
  if (plan.alertmanager) new Alertmanager("alertmanager", opts("alertmanager", plan.alertmanager), top);
  if (plan.victoriaMetrics)
    new VictoriaMetrics("victoriametrics", opts("victoriaMetrics", plan.victoriaMetrics), top);
  if (plan.prometheusVolume)
    made["prometheus-volume"] = new PrometheusVolume(
      PROMETHEUS_VOLUME_RESOURCE,
      opts("prometheusVolume", plan.prometheusVolume),
      top,
    );
  if (plan.kubePrometheusStack)
    made["kube-prometheus-stack"] = new KubePrometheusStack(
      "kube-prometheus-stack",
      opts("kubePrometheusStack", plan.kubePrometheusStack),
      top,
    );
  if (plan.exporters) new Exporters("exporters", opts("exporters", plan.exporters), top);
  if (plan.alloy) new Alloy("alloy", opts("alloy", plan.alloy), top);
  if (plan.vector) new Vector("vector", opts("vector", plan.vector), top);
  new Grafana("grafana", opts("grafana", plan.grafana), top);

  const unmatched = adopt.unmatched();
  if (unmatched.length > 0) throw new AdoptionError(unmatched, cfg.phase);

  // The stack's outputs are the plan's, as it computed them.
  return { ...plan.outputs };
}
