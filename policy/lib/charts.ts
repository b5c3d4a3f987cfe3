import {
  DAEMON_SWITCHES,
  parseImage,
  SIZED_REPLICAS,
  SIZED_SWITCHES,
  type ChartReplicas,
  type ChartSwitch,
} from "@homelab-observability/contract";
import { VMAUTH_IMAGE } from "./operatorDefaults";

/**
 * Pack data: what the charts this project uses deploy when their values say nothing. Image
 * defaults let the arm64 policy judge images a chart ships without them appearing in values;
 * workload paths let the budget policy count requests. Extend it through the pack config.
 */
export interface ChartImage {
  /** Values path of the image (string or {registry, repository, tag}). */
  path: string;
  /** registry/repository the chart uses when the path is unset. */
  default: string;
  /**
   * The tag the chart writes beside a map at `path` that names a repository and no tag, where the
   * pack knows it: the image is judged, and its check named, as the chart renders it rather than as
   * Docker's `latest`. Not where a value at one of `tagChangedBy` is set (the chart then adds to it).
   */
  tag?: string;
  /** Values paths any of which, set, make the chart write another tag than `tag`. */
  tagChangedBy?: string[];
  /**
   * What the chart adds to `tag` from the values, as victoria-metrics-common's vm.image.tag does:
   * `-enterprise` where a value at one of `licensedBy` is set, `-<variant>` where `variantAt` holds
   * one (`-enterprise-<variant>` with both), then `suffix` (a VMCluster's clusterVersion, "-cluster").
   */
  tagAdds?: { licensedBy: string[]; variantAt?: string; suffix?: string };
  /** A values path whose value, where set, is the tag itself (a VMCluster's `spec.clusterVersion`). */
  tagAt?: string;
  /** Where the tag comes from, as a message says it after the tag (default: the chart writes it beside the map). */
  taggedBy?: string;
}

export interface ChartWorkload {
  name: string;
  kind: "Deployment" | "StatefulSet" | "DaemonSet" | "Job";
  /**
   * The switch deciding whether it renders, read as helm reads it (contract ChartSwitch: a template
   * `if` by Go template truth, a subchart's `condition` by a boolean alone). Default: always.
   */
  enabled?: ChartSwitch;
  /**
   * A second switch, of the part within what `enabled` renders (a VMCluster's `vminsert`): it
   * renders only while both are on. Default: no second switch.
   */
  partEnabled?: ChartSwitch;
  /** Values path and default of the replica count (not for DaemonSets), and of its shards or zones where it has them (contract ChartReplicas). */
  replicas?: ChartReplicas;
  /** Values paths of each container's resources block. */
  resources: string[];
  /** The switch deciding whether the container of a resources path renders (a template `if`). Default: always. */
  resourcesIf?: Record<string, ChartSwitch>;
  /**
   * Values flag and default deciding whether the container of an image path renders, as
   * `resourcesIf` for its resources. Default: always. An image of a container the values leave
   * out runs on no node, so the arm64 policy does not judge it.
   */
  imagesIf?: Record<string, ChartSwitch>;
  /** Memory request computed from a memcached `allocatedMemory` (MB, x1.2) when resources are unset. */
  memcachedAllocatedMemory?: { path: string; default: number };
  images: ChartImage[];
  /** Values prefix holding nodeSelector / affinity / tolerations. */
  scheduling?: string;
  /**
   * metadata.name of what the chart renders for it, from `{name}` and `{fullname}` (ChartData.names):
   * the workload object, or the custom resource an operator runs it from, which the pack names its
   * pods by (workloads.ts operatedWorkloads, vmClusterWorkloads). It is the identity the stack-info
   * ConfigMap's sized components name (contract SizedComponent.workload), so the budget matches them
   * when the release is opaque (live `pulumi preview`) as it does over rendered objects. Unset: the
   * pack does not know the name, and nothing is matched to this workload.
   */
  object?: string;
  /** Kind of what `object` names when it is not the workload itself: the custom resource's ("Prometheus", "VMSingle"). */
  objectKind?: string;
  /** Another form of `object` when a values flag is true (kube-prometheus-stack's cleanPrometheusOperatorObjectNames). */
  objectIf?: { path: string; object: string };
  /**
   * Values paths whose string replaces `{fullname}` for this workload, the last set one winning
   * (victoria-metrics-common's `vm.cr.fullname` reads `<app>.name`, then `<app>.spec.name`).
   */
  fullnameFrom?: string[];
  /**
   * The `helm.sh/hook` annotation the chart writes on it, where it is a hook: what a live preview,
   * which sees no rendered object, knows of when it runs (contract runsOnlyAtUninstall).
   */
  hook?: string;
}

/**
 * How a chart names what it renders: its `name` and `fullname` helpers (templates/_helpers.tpl).
 * Helm's scaffold, which the charts modelled here keep: the name is `nameOverride` or the chart's
 * own; the fullname is the first set override, else the release name when it contains the name,
 * else `<release>-<name>`, cut to `truncate` characters with one trailing "-" trimmed.
 */
export interface ChartNames {
  /** `.Chart.Name`: the name when `nameOverride` is unset. */
  chart: string;
  /** A values flag that makes the default name another (loki: `enterprise.enabled` -> "enterprise-logs"). */
  nameIf?: { path: string; name: string };
  /** Values paths that set the fullname outright; the first set one wins. */
  fullnameOverrides: string[];
  /** Characters the fullname (and the name) is cut to. */
  truncate: number;
}

export interface ChartData {
  /** Values path deciding the workload kind or mode, when a chart has one. */
  workloads: ChartWorkload[];
  /** How the chart names its objects; needed by workloads with an `object`. */
  names?: ChartNames;
}

const img = (path: string, def: string): ChartImage => ({ path, default: def });

/**
 * A workload configured under one values prefix: `<prefix>.enabled`, `.resources`, `.image`,
 * scheduling. `<prefix>.enabled` is a subchart's `condition:` (Chart.yaml) for each workload that
 * keeps it (kube-prometheus-stack 88.0.0 Chart.yaml `grafana.enabled`; victoria-metrics-k8s-stack
 * 0.80.0 Chart.yaml `victoria-metrics-operator.enabled`, `kube-state-metrics.enabled`,
 * `prometheus-node-exporter.enabled`, `grafana.enabled`); one read by a template `if` sets its own.
 */
function component(
  name: string,
  kind: ChartWorkload["kind"],
  prefix: string,
  image: string,
  imagePath = `${prefix}.image`,
): ChartWorkload {
  return {
    name,
    kind,
    enabled: { path: `${prefix}.enabled`, default: true, condition: true },
    resources: [`${prefix}.resources`],
    images: [img(imagePath, image)],
    scheduling: prefix,
  };
}
/** victoria-metrics-k8s-stack's operator subchart, whose condition its cleanup Job renders under too. */
const VM_OPERATOR = component(
  "operator",
  "Deployment",
  "victoria-metrics-operator",
  "docker.io/victoriametrics/operator",
);
/**
 * A victoria-metrics-k8s-stack CR of `kind` named `vm.cr.fullname` with app key `[app, "spec"]`;
 * with `prefix`, the operator's `<prefix><CR name>` object of the workload's own kind instead.
 */
const crNamed = (
  app: string,
  kind: string | undefined,
  prefix = "",
): Pick<ChartWorkload, "object" | "objectKind" | "fullnameFrom"> => ({
  object: `${prefix}{fullname}`,
  ...(kind ? { objectKind: kind } : {}),
  fullnameFrom: [`${app}.name`, `${app}.spec.name`],
});
/**
 * The tag victoria-metrics-k8s-stack 0.80.0 writes beside the image map at `path` that names none:
 * vm.image.tag (charts/victoria-metrics-common templates/_image.tpl:17-35), its appVersion
 * (Chart.yaml:15), merged under the values' map (templates/_helpers.tpl:246 a VMAuth's, :324-326 a
 * VMCluster's load balancer, :132-149 a VMAlert's, :191-196 a VMAgent's, :287-298 a VMSingle's), and
 * beside none (the operator's default repository then runs under it). A license (the chart's or
 * `global.license`: _enterprise.tpl:28-33 vm.enterprise.disabled) adds `-enterprise`, and the
 * image's own `variant` (at `variantAt`) its name after it (_image.tpl:23-33). Run (helm template,
 * 0.80.0): global.license.key gives v1.144.0-enterprise, with vmagent.spec.image.variant "scratch"
 * v1.144.0-enterprise-scratch, vmauth.spec.image.variant "v3" v1.144.0-v3; the load balancer's tag
 * stays v1.144.0 whatever variant its spec, vmcluster.spec or the root `image` holds.
 */
const VM_LICENSE = ["license", "global.license"].flatMap((l) =>
  ["key", "secret.key", "secret.name", "keyRef.key", "keyRef.name"].map((k) => `${l}.${k}`),
);
function vmChartTag(variantAt?: string): Pick<ChartImage, "tag" | "tagAdds"> {
  return { tag: "v1.144.0", tagAdds: { licensedBy: VM_LICENSE, ...(variantAt ? { variantAt } : {}) } };
}
/**
 * A VMCluster part's tag: the operator tags a part whose spec.image names none with the VMCluster's
 * `clusterVersion` (operator v0.66.0 internal/controller/operator/factory/build/defaults.go:400-406
 * vmstorage, :455-461 vminsert, :488-494 vmselect; read, not run), which victoria-metrics-k8s-stack
 * 0.80.0 writes as vm.image.tag and "-cluster" unless the values give one (templates/_helpers.tpl:320).
 * Run (helm template): v1.144.0-cluster, with global.license.key v1.144.0-enterprise-cluster, and
 * no variant (vmcluster.spec.image.variant, the root image.variant) changes it.
 */
const VMCLUSTER_PART_TAG: Pick<ChartImage, "tag" | "tagAdds" | "tagAt" | "taggedBy"> = {
  tag: "v1.144.0",
  tagAdds: { licensedBy: VM_LICENSE, suffix: "-cluster" },
  tagAt: "vmcluster.spec.clusterVersion",
  taggedBy: "the VMCluster's clusterVersion, which the operator writes beside it",
};
/**
 * The program's one-off ownership fix of a VictoriaMetrics data volume (builders/metrics/vmValues.ts
 * ownershipFix), an init container it writes with its full image, judged only where the values hold
 * one: without it no such container runs, and the chart's repository alone, untagged, would be
 * judged as Docker's `latest`, an image no pod pulls.
 */
function ownershipFix(path: string, def: string): Pick<ChartWorkload, "imagesIf"> & { image: ChartImage } {
  return { image: img(path, def), imagesIf: { [path]: { path, default: false } } };
}
const VMSINGLE_FIX = ownershipFix(
  "vmsingle.spec.initContainers.0.image",
  "docker.io/victoriametrics/victoria-metrics",
);
const VMAGENT_FIX = ownershipFix("vmagent.spec.initContainers.0.image", "docker.io/victoriametrics/vmagent");
/**
 * A vmauth Deployment the VictoriaMetrics operator runs from the spec at `prefix` (a VMAuth's, a
 * VMCluster's load balancer, which also needs its own `enabled`: operatorDefaults.ts vmPodLayout),
 * off unless `<app>.enabled`, named by `named`. Its image is the spec's, else the operator's VMAuth
 * default (operatorDefaults.ts VMAUTH_IMAGE), whose tag alone the chart writes.
 */
function vmauthAt(
  name: string,
  prefix: string,
  app: string,
  named: Pick<ChartWorkload, "object" | "objectKind" | "fullnameFrom">,
  ownVariant: boolean,
): ChartWorkload {
  return {
    name,
    kind: "Deployment",
    ...named,
    enabled: { path: `${app}.enabled`, default: false },
    replicas: { path: `${prefix}.replicaCount`, default: 1 },
    resources: [`${prefix}.resources`],
    images: [
      {
        ...img(`${prefix}.image`, parseImage(VMAUTH_IMAGE).repository),
        // A VMAuth's tag takes its own variant, the load balancer's none (vmChartTag).
        ...vmChartTag(ownVariant ? `${prefix}.image.variant` : undefined),
      },
    ],
    scheduling: prefix,
  };
}
/**
 * The rules sidecar (loki-sc-rules) renders only with `sidecar.rules.enabled` (default true): loki
 * 6.49.0 templates/single-binary/statefulset.yaml and backend/statefulset-backend.yaml; loki
 * 18.11.0 templates/_pod.tpl:302 and :320 (`loki.rulesSidecar`), read at the pinned archive.
 */
const LOKI_RULES_SIDECAR = { path: "sidecar.rules.enabled", default: true };
/** Its container's resources and image, each rendered only with the sidecar. */
const LOKI_SIDECAR_IF = {
  resourcesIf: { "sidecar.resources": LOKI_RULES_SIDECAR },
  imagesIf: { "sidecar.image": LOKI_RULES_SIDECAR },
};
/**
 * The gateway's access-log-exporter container renders only with this flag (loki 18.11.0
 * templates/gateway/deployment.yaml:123).
 */
const GATEWAY_METRICS = { path: "gateway.metrics.enabled", default: true };
/**
 * node-exporter's kube-rbac-proxy container renders only with this flag (prometheus-node-exporter
 * 4.49.1 templates/daemonset.yaml:190).
 */
const KUBE_RBAC_PROXY = DAEMON_SWITCHES.kubeRbacProxy;
const KSM_IMAGE = "registry.k8s.io/kube-state-metrics/kube-state-metrics";
const NODE_EXPORTER_IMAGE = "quay.io/prometheus/node-exporter";
const KUBE_RBAC_PROXY_IMAGE = "quay.io/brancz/kube-rbac-proxy";
const GRAFANA_IMAGE = "docker.io/grafana/grafana";

export const DEFAULT_CHARTS: Record<string, ChartData> = {
  loki: {
    // loki 6.49.0 templates/_helpers.tpl: `loki.name` ("enterprise-logs" when enterprise.enabled),
    // `loki.fullname` and `loki.singleBinaryFullname` (the scaffold, 63 characters).
    names: {
      chart: "loki",
      nameIf: { path: "enterprise.enabled", name: "enterprise-logs" },
      fullnameOverrides: ["fullnameOverride"],
      truncate: 63,
    },
    workloads: [
      {
        name: "single-binary",
        kind: "StatefulSet",
        object: "{fullname}",
        replicas: SIZED_REPLICAS["loki monolithic"],
        resources: ["singleBinary.resources", "sidecar.resources"],
        ...LOKI_SIDECAR_IF,
        images: [
          img("loki.image", "docker.io/grafana/loki"),
          img("sidecar.image", "docker.io/kiwigrid/k8s-sidecar"),
        ],
        scheduling: "singleBinary",
      },
      ...(["write", "read", "backend"] as const).map((t): ChartWorkload => ({
        name: t,
        kind: t === "read" ? "Deployment" : "StatefulSet",
        // `loki.writeFullname` etc. are `{{ include "loki.name" . }}-write`: the name, not the
        // fullname (templates/write/_helpers-write.tpl), so the release name does not enter.
        object: `{name}-${t}`,
        replicas: SIZED_REPLICAS[`loki ${t}`],
        // The backend StatefulSet runs the rules sidecar (loki-sc-rules) beside Loki, as the single
        // binary does (loki chart 6.49.0 templates/backend/statefulset-backend.yaml).
        resources: t === "backend" ? [`${t}.resources`, "sidecar.resources"] : [`${t}.resources`],
        ...(t === "backend" ? LOKI_SIDECAR_IF : {}),
        images: [
          img("loki.image", "docker.io/grafana/loki"),
          ...(t === "backend" ? [img("sidecar.image", "docker.io/kiwigrid/k8s-sidecar")] : []),
        ],
        scheduling: t,
      })),
      // Distributed's components (deploymentMode Distributed): chart 18 names each
      // `{fullname}-<target>` (loki 18.11.0 templates/_helpers.tpl `loki.resourceName`), of the kind
      // its templates/<target>/workload.yaml renders by default (`kind` in values.yaml).
      ...(
        [
          ["ingester", "ingester", "StatefulSet"],
          ["distributor", "distributor", "Deployment"],
          ["indexGateway", "index-gateway", "StatefulSet"],
          ["querier", "querier", "Deployment"],
          ["queryFrontend", "query-frontend", "Deployment"],
          ["queryScheduler", "query-scheduler", "Deployment"],
          ["compactor", "compactor", "StatefulSet"],
          ["ruler", "ruler", "StatefulSet"],
        ] as const
      ).map(([key, target, kind]): ChartWorkload => ({
        name: target,
        kind,
        object: `{fullname}-${target}`,
        replicas: SIZED_REPLICAS[`loki ${key}`],
        resources: [`${key}.resources`],
        images: [img("loki.image", "docker.io/grafana/loki")],
        scheduling: key,
      })),
      {
        name: "gateway",
        kind: "Deployment",
        // `loki.gatewayFullname` (templates/gateway/_helpers-gateway.tpl).
        object: "{fullname}-gateway",
        enabled: { path: "gateway.enabled", default: true },
        replicas: { path: "gateway.replicas", default: 1 },
        // From chart 18 an access-log-exporter runs beside nginx (`gateway.metrics.enabled`, default
        // true: loki 18.11.0 values.yaml, templates/gateway/deployment.yaml).
        resources: ["gateway.resources", "gateway.metrics.resources"],
        resourcesIf: { "gateway.metrics.resources": GATEWAY_METRICS },
        imagesIf: { "gateway.metrics.image": GATEWAY_METRICS },
        images: [
          img("gateway.image", "docker.io/nginxinc/nginx-unprivileged"),
          img("gateway.metrics.image", "ghcr.io/jkroepke/access-log-exporter"),
        ],
        scheduling: "gateway",
      },
      {
        name: "canary",
        kind: "DaemonSet",
        enabled: DAEMON_SWITCHES.lokiCanary,
        resources: ["lokiCanary.resources"],
        images: [img("lokiCanary.image", "docker.io/grafana/loki-canary")],
        scheduling: "lokiCanary",
      },
      ...(["chunksCache", "resultsCache"] as const).map((c): ChartWorkload => ({
        name: c,
        kind: "StatefulSet",
        enabled: { path: `${c}.enabled`, default: true },
        replicas: { path: `${c}.replicas`, default: 1 },
        resources: [`${c}.resources`],
        memcachedAllocatedMemory: {
          path: `${c}.allocatedMemory`,
          default: c === "chunksCache" ? 8192 : 1024,
        },
        images: [
          img("memcached.image", "docker.io/library/memcached"),
          img("memcachedExporter.image", "docker.io/prom/memcached-exporter"),
        ],
        scheduling: c,
      })),
    ],
  },
  alloy: {
    workloads: [
      {
        name: "alloy",
        kind: "DaemonSet",
        replicas: { path: "controller.replicas", default: 1 },
        resources: ["alloy.resources", "configReloader.resources"],
        images: [
          img("image", "docker.io/grafana/alloy"),
          img("configReloader.image", "quay.io/prometheus-operator/prometheus-config-reloader"),
        ],
        scheduling: "controller",
      },
    ],
  },
  grafana: {
    workloads: [
      {
        name: "grafana",
        kind: "Deployment",
        replicas: { path: "replicas", default: 1 },
        resources: ["resources", "sidecar.resources"],
        images: [img("image", GRAFANA_IMAGE), img("sidecar.image", "quay.io/kiwigrid/k8s-sidecar")],
        scheduling: "",
      },
      {
        name: "init-chown-data",
        kind: "Job",
        enabled: { path: "initChownData.enabled", default: true },
        resources: [],
        images: [img("initChownData.image", "docker.io/library/busybox")],
        scheduling: "",
      },
    ],
  },
  vector: {
    workloads: [
      {
        name: "vector",
        kind: "DaemonSet",
        resources: ["resources"],
        images: [img("image", "docker.io/timberio/vector")],
        scheduling: "",
      },
    ],
  },
  "kube-prometheus-stack": {
    // kube-prometheus-stack 88.0.0 templates/_helpers.tpl `kube-prometheus-stack.fullname`: the
    // scaffold cut to 26 characters (its longest object adds 37).
    names: { chart: "kube-prometheus-stack", fullnameOverrides: ["fullnameOverride"], truncate: 26 },
    workloads: [
      {
        name: "prometheus",
        kind: "StatefulSet",
        // The Prometheus CR, `kube-prometheus-stack.prometheus.crname`.
        object: "{fullname}-prometheus",
        objectKind: "Prometheus",
        objectIf: { path: "cleanPrometheusOperatorObjectNames", object: "{fullname}" },
        // Off, the chart renders no Prometheus CR (run with helm 3.17.3: `prometheus.enabled: false`
        // renders the operator alone), so no Prometheus pod runs.
        enabled: SIZED_SWITCHES.prometheus.enabled,
        replicas: SIZED_REPLICAS.prometheus,
        resources: ["prometheus.prometheusSpec.resources"],
        images: [
          img("prometheus.prometheusSpec.image", "quay.io/prometheus/prometheus"),
          img(
            "prometheusOperator.prometheusConfigReloader.image",
            "quay.io/prometheus-operator/prometheus-config-reloader",
          ),
        ],
        scheduling: "prometheus.prometheusSpec",
      },
      {
        name: "alertmanager",
        kind: "StatefulSet",
        // The Alertmanager CR, `kube-prometheus-stack.alertmanager.crname`.
        object: "{fullname}-alertmanager",
        objectKind: "Alertmanager",
        objectIf: { path: "cleanPrometheusOperatorObjectNames", object: "{fullname}" },
        enabled: { path: "alertmanager.enabled", default: true },
        replicas: { path: "alertmanager.alertmanagerSpec.replicas", default: 1 },
        resources: ["alertmanager.alertmanagerSpec.resources"],
        images: [img("alertmanager.alertmanagerSpec.image", "quay.io/prometheus/alertmanager")],
        scheduling: "alertmanager.alertmanagerSpec",
      },
      {
        name: "operator",
        kind: "Deployment",
        resources: ["prometheusOperator.resources"],
        images: [img("prometheusOperator.image", "quay.io/prometheus-operator/prometheus-operator")],
        scheduling: "prometheusOperator",
      },
      {
        name: "admission-webhook-patch",
        kind: "Job",
        enabled: { path: "prometheusOperator.admissionWebhooks.enabled", default: true },
        resources: [],
        images: [
          img(
            "prometheusOperator.admissionWebhooks.patch.image",
            "registry.k8s.io/ingress-nginx/kube-webhook-certgen",
          ),
        ],
        scheduling: "prometheusOperator.admissionWebhooks.patch",
      },
      {
        ...component("kube-state-metrics", "Deployment", "kube-state-metrics", KSM_IMAGE),
        enabled: { path: "kubeStateMetrics.enabled", default: true, condition: true },
      },
      {
        ...component("node-exporter", "DaemonSet", "prometheus-node-exporter", NODE_EXPORTER_IMAGE),
        enabled: { path: "nodeExporter.enabled", default: true, condition: true },
      },
      component("grafana", "Deployment", "grafana", GRAFANA_IMAGE),
    ],
  },
  "prometheus-node-exporter": {
    workloads: [
      {
        name: "node-exporter",
        kind: "DaemonSet",
        // The kube-rbac-proxy sidecar renders only with `kubeRBACProxy.enabled` (default false):
        // prometheus-node-exporter 4.49.1 templates/daemonset.yaml.
        resources: ["resources", "kubeRBACProxy.resources"],
        resourcesIf: { "kubeRBACProxy.resources": KUBE_RBAC_PROXY },
        imagesIf: { "kubeRBACProxy.image": KUBE_RBAC_PROXY },
        images: [img("image", NODE_EXPORTER_IMAGE), img("kubeRBACProxy.image", KUBE_RBAC_PROXY_IMAGE)],
        scheduling: "",
      },
    ],
  },
  "kube-state-metrics": {
    workloads: [
      {
        name: "kube-state-metrics",
        kind: "Deployment",
        replicas: { path: "replicas", default: 1 },
        resources: ["resources"],
        images: [img("image", KSM_IMAGE)],
        scheduling: "",
      },
    ],
  },
  alertmanager: {
    workloads: [
      {
        name: "alertmanager",
        kind: "StatefulSet",
        replicas: { path: "replicaCount", default: 1 },
        resources: ["resources"],
        images: [img("image", "quay.io/prometheus/alertmanager")],
        scheduling: "",
      },
    ],
  },
  "victoria-metrics-k8s-stack": {
    // victoria-metrics-k8s-stack 0.80.0, charts/victoria-metrics-common templates/_helpers.tpl
    // `vm.fullname` (fullnameOverride, then global.fullnameOverride, then the scaffold); each CR is
    // named by `vm.cr.fullname` with its app key (`<app>.name`, `<app>.spec.name`, else the fullname).
    names: {
      chart: "victoria-metrics-k8s-stack",
      fullnameOverrides: ["fullnameOverride", "global.fullnameOverride"],
      truncate: 63,
    },
    workloads: [
      VM_OPERATOR,
      {
        // The operator chart's pre-delete hook (victoria-metrics-operator templates/cleanup.yaml).
        // On by default: the operator subchart's own values.yaml says false, but the parent's
        // (victoria-metrics-k8s-stack 0.80.0 values.yaml:30-31) sets it true over it. Only while the
        // subchart is on (its condition, the operator's own switch; run with helm 3.17.3:
        // `victoria-metrics-operator.enabled: false` renders no Job).
        name: "crds-cleanup",
        kind: "Job",
        // victoria-metrics-operator 0.63.1 templates/cleanup.yaml:19 and _helpers.tpl:1-5
        // (`vm-operator.cleanup.annotations`); helm 3.17.3 renders it so.
        hook: "pre-delete",
        enabled: VM_OPERATOR.enabled,
        partEnabled: { path: "victoria-metrics-operator.crds.cleanup.enabled", default: true },
        resources: ["victoria-metrics-operator.crds.cleanup.resources"],
        images: [img("victoria-metrics-operator.crds.cleanup.image", "registry.k8s.io/kubectl")],
        scheduling: "victoria-metrics-operator",
      },
      {
        ...component("vmsingle", "Deployment", "vmsingle.spec", "docker.io/victoriametrics/victoria-metrics"),
        images: [
          {
            ...img("vmsingle.spec.image", "docker.io/victoriametrics/victoria-metrics"),
            ...vmChartTag("vmsingle.spec.image.variant"),
          },
          VMSINGLE_FIX.image,
        ],
        imagesIf: VMSINGLE_FIX.imagesIf,
        enabled: SIZED_SWITCHES.vmsingle.enabled,
        ...crNamed("vmsingle", "VMSingle"),
      },
      // The cluster version (a VMCluster CR), only for a declared workload one vmsingle cannot hold.
      ...(["vmstorage", "vminsert", "vmselect"] as const).map((c): ChartWorkload => {
        const fix = ownershipFix(
          `vmcluster.spec.${c}.initContainers.0.image`,
          `docker.io/victoriametrics/${c}`,
        );
        return {
          name: c,
          kind: c === "vminsert" ? "Deployment" : "StatefulSet",
          // The operator names each part `<part>-<CR name>`, as the pack does (vmClusterWorkloads).
          ...crNamed("vmcluster", undefined, `${c}-`),
          enabled: SIZED_SWITCHES[c].enabled,
          // vminsert and vmselect have their own switch (contract SIZED_SWITCHES `part`): off, the
          // chart leaves the part out of the VMCluster's spec (templates/_helpers.tpl:330-339,
          // vm.cluster.spec), and the operator makes no pod of a part the spec has not (operator
          // v0.66.0 internal/controller/operator/factory/vmcluster/vmcluster.go:85 vmselect, :117 vminsert; read, not run).
          ...(SIZED_SWITCHES[c].part ? { partEnabled: SIZED_SWITCHES[c].part } : {}),
          replicas: SIZED_REPLICAS[c],
          resources: [`vmcluster.spec.${c}.resources`],
          images: [
            { ...img(`vmcluster.spec.${c}.image`, `docker.io/victoriametrics/${c}`), ...VMCLUSTER_PART_TAG },
            fix.image,
          ],
          imagesIf: fix.imagesIf,
          scheduling: `vmcluster.spec.${c}`,
        };
      }),
      // The VMCluster's vmauth load balancer, which the operator runs only while
      // `requestsLoadBalancer.enabled` (operatorDefaults.ts vmPodLayout).
      vmauthAt(
        "vmclusterlb",
        "vmcluster.spec.requestsLoadBalancer.spec",
        "vmcluster",
        crNamed("vmcluster", undefined, "vmclusterlb-"),
        false,
      ),
      {
        name: "vmagent",
        kind: "Deployment",
        ...crNamed("vmagent", "VMAgent"),
        enabled: { path: "vmagent.enabled", default: true },
        replicas: { path: "vmagent.spec.replicaCount", default: 1 },
        resources: ["vmagent.spec.resources"],
        images: [
          {
            ...img("vmagent.spec.image", "docker.io/victoriametrics/vmagent"),
            ...vmChartTag("vmagent.spec.image.variant"),
          },
          VMAGENT_FIX.image,
        ],
        imagesIf: VMAGENT_FIX.imagesIf,
        scheduling: "vmagent.spec",
      },
      {
        ...component("vmalert", "Deployment", "vmalert.spec", "docker.io/victoriametrics/vmalert"),
        images: [
          {
            ...img("vmalert.spec.image", "docker.io/victoriametrics/vmalert"),
            ...vmChartTag("vmalert.spec.image.variant"),
          },
        ],
        enabled: { path: "vmalert.enabled", default: true },
        ...crNamed("vmalert", "VMAlert"),
      },
      {
        ...component("alertmanager", "StatefulSet", "alertmanager.spec", "quay.io/prometheus/alertmanager"),
        enabled: { path: "alertmanager.enabled", default: true },
        ...crNamed("alertmanager", "VMAlertmanager"),
      },
      // The VMAuth CR (victoria-metrics-k8s-stack 0.80.0 templates/victoria-metrics-operator/vmauth/
      // vmauth.yaml, off by default: values.yaml:952-954).
      vmauthAt("vmauth", "vmauth.spec", "vmauth", crNamed("vmauth", "VMAuth"), true),
      component("grafana", "Deployment", "grafana", GRAFANA_IMAGE),
      component("kube-state-metrics", "Deployment", "kube-state-metrics", KSM_IMAGE),
      component("node-exporter", "DaemonSet", "prometheus-node-exporter", NODE_EXPORTER_IMAGE),
    ],
  },
  "prometheus-operator-crds": { workloads: [] },
};

/** Repositories known to publish linux/arm64 (checked against the projects' build files or manifests). */
export const DEFAULT_ARM64_IMAGES: string[] = [
  "docker.io/grafana/loki",
  "docker.io/grafana/loki-canary",
  "docker.io/grafana/alloy",
  "docker.io/grafana/mimir",
  "docker.io/grafana/grafana",
  "quay.io/prometheus/prometheus",
  "quay.io/prometheus/alertmanager",
  "quay.io/prometheus/node-exporter",
  // brancz/kube-rbac-proxy v0.20.0 Makefile:19-20 (ALL_ARCH amd64 arm arm64 ppc64le s390x) and
  // :76-77 (`manifest-push`: one manifest list of linux/<arch> for $(DOCKER_REPO):$(VERSION), DOCKER_REPO
  // quay.io/brancz/kube-rbac-proxy, Makefile:15); read at the tag, not run.
  "quay.io/brancz/kube-rbac-proxy",
  "quay.io/prometheus-operator/prometheus-operator",
  "quay.io/prometheus-operator/prometheus-config-reloader",
  "registry.k8s.io/kube-state-metrics/kube-state-metrics",
  "docker.io/timberio/vector",
  "docker.io/victoriametrics/victoria-metrics",
  "docker.io/victoriametrics/vmagent",
  "docker.io/victoriametrics/vmalert",
  // The operator, and its config-reloader (tag `config-reloader-<version>` of the same repository):
  // VictoriaMetrics/operator v0.66.0 Makefile:214 (PLATFORMS linux/arm64,...), :221-239 and :243-248
  // (`publish` builds both with docker-buildx); read at the tag, not pulled.
  "docker.io/victoriametrics/operator",
  // The cluster version's apps are published by the same `publish-via-docker` target as the others
  // (VictoriaMetrics deployment/docker/Makefile, --platform=...linux/arm64...; read at 00bbe16, not run).
  "docker.io/victoriametrics/vmstorage",
  "docker.io/victoriametrics/vminsert",
  "docker.io/victoriametrics/vmselect",
  // vmauth (a VMAuth's and a VMCluster's load balancer, operatorDefaults.ts VMAUTH_IMAGE): in the
  // release's `make publish` (VictoriaMetrics v1.144.0, d82ad68, Makefile:45-53 publish-vmauth;
  // app/vmauth/Makefile:69-70), `publish-via-docker` (deployment/docker/Makefile:80-87, buildx
  // --platform linux/amd64,linux/arm,linux/arm64,...; :3-4 and :99 tagged docker.io and quay.io
  // victoriametrics/<app>); read at the tag, not pulled. The enterprise vmbackupmanager is not here:
  // its source and build are not public (app/vmbackupmanager holds a README only at that tag).
  "docker.io/victoriametrics/vmauth",
  // kiwigrid/k8s-sidecar 2.10.1 (the loki chart 18.11.0's default `sidecar.image`) docker-bake.hcl:3-7
  // (platforms linux/amd64, linux/arm64, ...) and .github/workflows/release.yaml:75-77 (the same
  // build tagged docker.io, quay.io and ghcr.io kiwigrid/k8s-sidecar); read at the tag, not pulled.
  "quay.io/kiwigrid/k8s-sidecar",
  "docker.io/kiwigrid/k8s-sidecar",
  "docker.io/nginxinc/nginx-unprivileged",
  // jkroepke/access-log-exporter .goreleaser.yaml `dockers_v2`: images ghcr.io/jkroepke/access-log-exporter,
  // platforms linux/amd64 and linux/arm64 (builds goarch amd64, arm64); read at v0.4.10 (3ddeb41) and
  // at 042afdf, not pulled. The loki chart 18.11.0 default, 0.4.11, is not in the stored snapshot.
  "ghcr.io/jkroepke/access-log-exporter",
  "docker.io/library/busybox",
  "docker.io/library/memcached",
  "docker.io/prom/memcached-exporter",
  "registry.k8s.io/ingress-nginx/kube-webhook-certgen",
  // kubernetes/kubernetes#116672: linux/amd64, arm64, s390x, ppc64le.
  "registry.k8s.io/kubectl",
];
