import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { atLeast, parseQuantity, type StackConfig } from "./config";
import { ObjectStore } from "./objectstore/objectStore";
import { planBuckets } from "./objectstore/bucketPlan";
import { Secrets } from "./secrets/secrets";
import { StackInfo, stackInfoData } from "./stackInfo";
import { StackNamespace } from "./namespace";
import { Ordering } from "./ordering";
import { PrometheusCrds } from "./metrics/prometheusCrds";
import { PrometheusVolume } from "./metrics/prometheusVolume";
import { KubePrometheusStack } from "./metrics/kubePrometheusStack";
import { KPS_FULLNAME, prometheusClaim, prometheusUrl } from "./metrics/kpsValues";
import { AdoptionError, adoptionTransformation, planAdoptions } from "./takeover";
import { Mimir } from "./metrics/mimir";
import { mimirBaseUrl } from "./metrics/mimirConfig";
import { VictoriaMetrics } from "./metrics/victoriaMetrics";
import { vmsingleUrl } from "./metrics/vmValues";
import { Exporters } from "./metrics/exporters";
import { replicaLabelFor } from "./metrics/remoteWrite";
import { standaloneAlertmanagerUrl } from "./metrics/exporterValues";
import { Alertmanager } from "./alerting/alertmanager";
import { AlertRules } from "./alerting/alertRules";
import { programRuleSets, RULE_LABEL } from "./alerting/rules";
import type { AlertmanagerInputs } from "./alerting/alertmanagerConfig";
import { Loki } from "./logging/loki";
import { lokiQueryUrl } from "./logging/lokiValues";
import { Alloy } from "./logging/alloy";
import { Vector } from "./logging/vector";
import { Grafana } from "./grafana/grafana";

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
}

/**
 * The composition root: validated config in, component tree out. `index.ts`, the tests and the
 * offline synthesis all call this; `rootOpts` reaches every top-level component and provider.
 */
export function buildStack(cfg: StackConfig, rootOpts: pulumi.ComponentResourceOptions = {}): StackOutputs {
  const ns = cfg.namespace;
  // Takeover: what already runs is imported, not created; the adoption must see every resource first.
  const adopt = adoptionTransformation(planAdoptions(cfg));
  const kpsFullname = cfg.takeover?.kpsFullname;
  const promClaim = prometheusClaim(kpsFullname ?? KPS_FULLNAME, cfg.takeover?.prometheusVolume);
  // Ordering as data: namespace, CRD release and Secrets become dependencies of what needs them.
  const order = new Ordering();
  const top = order.options({
    ...rootOpts,
    transformations: [adopt.transformation, ...(rootOpts.transformations ?? [])],
  });
  const provider = new k8s.Provider(
    "k8s",
    { enableServerSideApply: true },
    top as pulumi.CustomResourceOptions,
  );
  const randomProvider = new random.Provider("random", {}, top as pulumi.CustomResourceOptions);
  const kpsPresent = !atLeast(cfg, "kps-removed");
  const mimirBackend = cfg.metricsBackend === "mimir";
  const backendUp = atLeast(cfg, "dual-write");
  const backendPrimary = atLeast(cfg, "backend-primary");

  order.namespace = new StackNamespace(
    "namespace",
    { name: ns, protect: cfg.production, provider },
    top,
  ).namespace;

  new StackInfo("stack-info", { namespace: ns, data: stackInfoData(cfg), provider }, top);

  const secrets = new Secrets(
    "secrets",
    {
      backend: cfg.secrets,
      namespace: ns,
      needs: {
        minioAdmin: cfg.objectStore.type === "minio",
        pushover: cfg.alerting.pushover,
        heartbeat: cfg.alerting.heartbeat,
      },
      provider,
      randomProvider,
      existingGrafanaAdmin: cfg.takeover?.secrets.grafanaAdmin,
    },
    top,
  );
  const store = new ObjectStore(
    "objectstore",
    {
      plan: planBuckets(cfg),
      store: cfg.objectStore,
      namespace: ns,
      minioAdmin: secrets.minioAdmin,
      credentialSink: secrets,
      provider,
      randomProvider,
    },
    top,
  );

  const crds = new PrometheusCrds(
    "prometheus-crds",
    { namespace: ns, protect: cfg.production, provider },
    top,
  );
  order.crdRelease = crds.release;
  new AlertRules(
    "rules",
    {
      namespace: ns,
      ruleSets: programRuleSets({ namespace: ns, canary: cfg.loki.canary }),
      dependsOn: [crds.release],
      provider,
    },
    top,
  );

  const loki = new Loki(
    "loki",
    {
      namespace: ns,
      protect: cfg.production,
      settings: {
        loki: cfg.loki,
        storage: store.storage.loki!,
        profile: cfg.profile,
        storageClass: cfg.storageClasses.default,
        serviceMonitor: true,
      },
      dependsOn: [...(store.ready.loki ?? []), crds.release],
      provider,
    },
    top,
  );

  const alerting: AlertmanagerInputs = {
    pushover: cfg.alerting.pushover,
    pushoverPriority: cfg.alerting.pushoverPriority,
    heartbeat: cfg.alerting.heartbeat,
    heartbeatInterval: cfg.alerting.heartbeatInterval,
  };
  const tenant = mimirBackend && cfg.mimir.multitenancy ? cfg.mimir.tenant : undefined;

  let backendPushUrl: string | undefined;
  let backendQueryUrl: string;
  if (mimirBackend) {
    backendQueryUrl = `${mimirBaseUrl(ns)}/prometheus`;
    if (backendUp) {
      const mimir = new Mimir(
        "mimir",
        {
          namespace: ns,
          profile: cfg.profile,
          storageClass: cfg.storageClasses.metrics,
          volumeSize: cfg.mimir.volumeSize,
          settings: {
            namespace: ns,
            replicas: cfg.mimir.replicas,
            maxGlobalSeriesPerUser: cfg.mimir.maxGlobalSeriesPerUser,
            blocksRetention: cfg.mimir.blocksRetention,
            ingestionRate: cfg.mimir.ingestionRate,
            multitenancy: cfg.mimir.multitenancy,
            storage: store.storage.mimir ?? { kind: "filesystem", consumer: "mimir" },
            // Its Alertmanager exists from backend-primary, when rules move to the ruler.
            alertmanagerUrl: backendPrimary ? standaloneAlertmanagerUrl(ns) : "",
          },
          dependsOn: [...(store.ready.mimir ?? []), crds.release],
          provider,
        },
        top,
      );
      backendPushUrl = mimir.pushUrl;
    }
    if (backendPrimary)
      new Alertmanager("alertmanager", { namespace: ns, profile: cfg.profile, alerting, provider }, top);
  } else {
    backendQueryUrl = vmsingleUrl(ns);
    if (backendUp) {
      const vm = new VictoriaMetrics(
        "victoriametrics",
        {
          namespace: ns,
          protect: cfg.production,
          settings: {
            phase: cfg.phase,
            cluster: cfg.cluster,
            profile: cfg.profile,
            retention: cfg.victoriametrics.retention,
            volumeSize: cfg.victoriametrics.volumeSize,
            storageClass: cfg.storageClasses.metrics,
            scrapeInterval: cfg.victoriametrics.scrapeInterval,
            bufferBytes: parseQuantity(cfg.victoriametrics.bufferSize)!,
            alerting,
          },
          dependsOn: [crds.release],
          provider,
        },
        top,
      );
      backendPushUrl = vm.pushUrl;
    }
  }

  // The Prometheus TSDB claim outlives KPS unless the stack asked for its cleanup.
  const keepPromVolume = kpsPresent || !cfg.prometheus.cleanupVolumeOnRemoval;
  const promVolume = keepPromVolume
    ? new PrometheusVolume(
        "prometheus-volume",
        {
          namespace: ns,
          storageClass: cfg.storageClasses.metrics,
          size: cfg.prometheus.volumeSize,
          claimName: promClaim.claim,
          allowDeletion: cfg.prometheus.cleanupVolumeOnRemoval,
          protect: cfg.production && !cfg.prometheus.cleanupVolumeOnRemoval,
          provider,
        },
        top,
      )
    : undefined;
  const kps = kpsPresent
    ? new KubePrometheusStack(
        "kube-prometheus-stack",
        {
          namespace: ns,
          settings: {
            phase: cfg.phase,
            cluster: cfg.cluster,
            profile: cfg.profile,
            backend: cfg.metricsBackend,
            retention: cfg.prometheus.retention,
            retentionSize: cfg.prometheus.retentionSize,
            volumeSize: cfg.prometheus.volumeSize,
            storageClass: cfg.storageClasses.metrics,
            remoteWrite: { backend: cfg.metricsBackend, url: backendPushUrl ?? "", tenant },
            alerting,
            fullname: kpsFullname,
            claimTemplate: promClaim.template,
          },
          dependsOn: [crds.release, ...(promVolume ? [promVolume] : [])],
          provider,
        },
        top,
      )
    : undefined;
  // node-exporter in every phase; it waits for KPS, whose update may drop KPS's own DaemonSet on 9100.
  // Not while a running KPS is only being imported: its values (and its node-exporter) stay until
  // the update step, and a second DaemonSet on hostPort 9100 would never become ready.
  const kpsOnlyImported = cfg.takeover?.step === "import" && !!cfg.takeover.releases.kubePrometheusStack;
  if (!(kpsPresent && kpsOnlyImported))
    new Exporters(
      "exporters",
      {
        namespace: ns,
        profile: cfg.profile,
        kubeStateMetrics: !kpsPresent,
        dependsOn: kps ? [kps] : [],
        provider,
      },
      top,
    );

  // Agents. Alloy's cluster replica does what must happen once per cluster.
  const lokiTenant = cfg.loki.authEnabled ? cfg.loki.tenant : undefined;
  const logs = {
    cluster: cfg.cluster,
    lokiPushUrl: loki.pushUrl,
    tenant: lokiTenant,
    nodeLogs: cfg.nodeLogs,
  };
  const clusterAlloy = {
    ...logs,
    events: cfg.logAgent === "alloy",
    scrape:
      mimirBackend && !kpsPresent && backendPushUrl
        ? { remoteWriteUrl: backendPushUrl, tenant, replicaLabel: replicaLabelFor("mimir") }
        : undefined,
    rules:
      mimirBackend && backendPrimary
        ? { mimirAddress: mimirBaseUrl(ns), tenant, selector: RULE_LABEL }
        : undefined,
  };
  const needsCluster =
    clusterAlloy.events || clusterAlloy.scrape !== undefined || clusterAlloy.rules !== undefined;
  if (cfg.logAgent === "alloy" || needsCluster) {
    new Alloy(
      "alloy",
      {
        namespace: ns,
        profile: cfg.profile,
        node: cfg.logAgent === "alloy" ? logs : undefined,
        cluster: needsCluster ? clusterAlloy : undefined,
        provider,
      },
      top,
    );
  }
  if (cfg.logAgent === "vector") {
    new Vector(
      "vector",
      {
        namespace: ns,
        profile: cfg.profile,
        settings: {
          cluster: cfg.cluster,
          lokiBaseUrl: lokiQueryUrl("loki", ns, cfg.loki),
          tenant: lokiTenant,
          // Vector's disk buffer minimum is 268435488 bytes (just above 256 MiB).
          bufferBytes: 512 * 2 ** 20,
          nodeLogs: cfg.nodeLogs,
        },
        provider,
      },
      top,
    );
  }

  const promUrl = prometheusUrl(ns, kpsFullname);
  const grafana = new Grafana(
    "grafana",
    {
      namespace: ns,
      protect: cfg.production,
      settings: {
        profile: cfg.profile,
        url: cfg.grafana.url,
        volumeSize: cfg.grafana.volumeSize,
        storageClass: cfg.storageClasses.default,
        adminSecret: cfg.takeover?.secrets.grafanaAdmin,
        datasources: {
          phase: cfg.phase,
          backend: cfg.metricsBackend,
          prometheusUrl: promUrl,
          backendUrl: backendQueryUrl,
          lokiUrl: loki.queryUrl,
          backendTenant: tenant,
          lokiTenant,
        },
        dashboards: { backend: cfg.metricsBackend, logAgent: cfg.logAgent, backendUp },
      },
      provider,
    },
    top,
  );

  const unmatched = adopt.unmatched();
  if (unmatched.length > 0) throw new AdoptionError(unmatched, cfg.phase);

  return {
    phase: cfg.phase,
    grafanaUrl: grafana.url,
    lokiPushUrl: loki.pushUrl,
    metricsRemoteWriteUrl: backendPushUrl,
    // KPS is present until backend-primary, so before it the default datasource is Prometheus.
    metricsQueryUrl: backendPrimary ? backendQueryUrl : promUrl,
    bucketNames: store.bucketNames,
  };
}
