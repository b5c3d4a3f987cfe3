/**
 * What prometheus-operator makes of a Prometheus, an Alertmanager or a PrometheusAgent custom resource: the pods' port
 * names and numbers, the governing Service, the pods' labels. Read, not run, in
 * prometheus-operator/prometheus-operator at `version` (the appVersion of the pinned
 * kube-prometheus-stack and prometheus-operator-crds charts; test/upstream/operatorContracts.test.ts
 * holds both the version and the CRDs' stated defaults to the chart archives):
 * - Prometheus' container port is named `spec.portName` (pkg/prometheus/common.go:449-460
 *   MakeContainerPorts, port 9090), `DefaultPortName = "web"` when empty (common.go:50,
 *   pkg/prometheus/server/statefulset.go:68-70); the governing Service `prometheus-operated`
 *   (statefulset.go:38) names its port the same (common.go:494-505 BuildStatefulSetService).
 * - Alertmanager's container port is named `spec.portName`, default `"web"`
 *   (pkg/alertmanager/statefulset.go:47, 89-90, 450), port 9093 (statefulset.go:65); its governing
 *   Service `alertmanager-operated` (statefulset.go:44) names its port the same (statefulset.go:183-197).
 * - The config-reloader sidecar's port is `reloader-web` on 8080 (pkg/operator/config_reloader.go:30,
 *   228, 264-275).
 * - Pod labels: `spec.podMetadata.labels` (and `app.kubernetes.io/version`) under the selector
 *   labels, which win. Prometheus: `app.kubernetes.io/managed-by: prometheus-operator`,
 *   `app.kubernetes.io/name: prometheus`, `app.kubernetes.io/instance: N`,
 *   `operator.prometheus.io/name: N`, `prometheus: N` (pkg/prometheus/server/operator.go:61,
 *   1696-1704) and `operator.prometheus.io/shard: "0"` for the first shard
 *   (pkg/prometheus/server/statefulset.go:218-226, pkg/prometheus/promcfg.go:1345-1361,
 *   pkg/prometheus/common.go:65-68). Alertmanager: `app.kubernetes.io/name: alertmanager`, the same
 *   managed-by and instance, `alertmanager: N` (pkg/alertmanager/operator.go:62, 796-803,
 *   pkg/alertmanager/statefulset.go:398-411); no `operator.prometheus.io/name`.
 * - The governing Services select `app.kubernetes.io/name: <prometheus|alertmanager>` only
 *   (pkg/prometheus/server/operator.go:1013-1017, pkg/alertmanager/statefulset.go:212-214);
 *   Alertmanager's also carries `tcp-mesh`/`udp-mesh` to the container ports `mesh-tcp`/`mesh-udp`
 *   on 9094 (pkg/alertmanager/statefulset.go:66-68, 198-209, 434-446). Label keys:
 *   pkg/operator/kubernetes.go:26-35.
 * - PrometheusAgent (monitoring.coreos.com/v1alpha1; kube-prometheus-stack renders one for its
 *   Prometheus with `prometheus.agentMode: true`, templates/prometheus/prometheus.yaml:2-4): the
 *   StatefulSet `prom-agent-<name>` (pkg/prometheus/common.go:193-204), its port `spec.portName`,
 *   default "web" (pkg/prometheus/agent/statefulset.go:50-52; 9090, common.go:449-460), pod labels
 *   `app.kubernetes.io/name: prometheus-agent`, the same managed-by and instance,
 *   `operator.prometheus.io/name: N` and the shard (agent/operator.go:53, 1262-1269,
 *   statefulset.go:197-200), the governing Service `prometheus-agent-operated` selecting the name
 *   label (statefulset.go:35, agent/operator.go:803-808). Its DaemonSet mode needs a feature gate
 *   the operator refuses it without (agent/operator.go:679-681) and is not modelled.
 * The CRDs say the same of `portName` ("Default: web", crd-prometheuses.yaml and
 * crd-alertmanagers.yaml in prometheus-operator-crds), which the test reads from the chart.
 */

/** The operator version these facts were read at. */
export const PROMETHEUS_OPERATOR_VERSION = "v0.93.0";

/**
 * The values `--repair-policy-for-statefulsets` (cmd/operator/main.go:171, a `fs.Var`) takes: its
 * Set refuses any other (pkg/operator/statefulset_reporter.go:39-58, "invalid value: <it>"), so
 * Go's flag package ends the parse there, exit 2 (the v0.93.0 binary: `=Evict` and `=` refused).
 */
export const REPAIR_POLICIES: readonly string[] = ["none", "evict", "delete"];

/**
 * The values `--kubelet-node-address-priority` (cmd/operator/main.go:150, a `fs.Var`) takes: its
 * Set refuses any other, letters' case included (pkg/operator/config.go:350-356, "invalid value for
 * node address priority, expected 'internal' or 'external' but got: <it>"), so Go's flag package
 * ends the parse there, exit 2 (the v0.93.0 binary: `=foo` and `=External` refused).
 */
export const NODE_ADDRESS_PRIORITIES: readonly string[] = ["internal", "external"];

/**
 * The values `--log-level` and `--log-format` (internal/log/log.go:47-50, plain string flags) take,
 * in any case of their letters: `start` builds its logger before anything else
 * (cmd/operator/main.go:278-281, `stdlog.Fatal` on an error: exit 1), and the logger refuses any
 * other level or format (internal/log/slog.go:29-45, parseLevel 91-108, getHandlerFromFormat 76-87,
 * `strings.ToLower` first; the lists at log.go:98-112). The v0.93.0 binary: `--log-level=debuggg`
 * and `--log-level=` exit 1 "log log_level debuggg unknown, [all debug info warn error none] are
 * possible values"; `--log-format=x` exits 1; `DEBUG` and `JSON` start.
 */
export const OPERATOR_LOG_VALUES = {
  "log-level": { field: "log_level", values: ["all", "debug", "info", "warn", "error", "none"] },
  "log-format": { field: "format", values: ["logfmt", "json"] },
} as const;

/** The columns of the operator's flags.tsv (upstream/refresh/prometheusOperator.ts writes it). */
export const OPERATOR_FLAG_COLUMNS = ["flag", "kind", "type", "set", "source"] as const;

/** The columns of the operator's gates.tsv (upstream/refresh/prometheusOperator.ts writes it). */
export const OPERATOR_GATE_COLUMNS = ["gate", "default", "source"] as const;

/** The reference data folder of a tag: `prometheus-operator-0.93.0` for v0.93.0. */
export function prometheusOperatorFolder(tag: string): string {
  const m = /^v(\d+\.\d+\.\d+)$/.exec(tag);
  if (!m) throw new Error(`prometheus-operator: expected a tag like v0.93.0, found ${JSON.stringify(tag)}`);
  return `prometheus-operator-${m[1]}`;
}

/** The custom resources whose pods the stack's policies and checks address. */
export type OperatorServer = "Prometheus" | "Alertmanager" | "PrometheusAgent";

export interface ServerContract {
  /** The CRD's group and version. */
  apiVersion: string;
  /** The workload the operator makes is `<prefix>-<CR name>`. */
  prefix: string;
  /** The CRD's default of `spec.portName`, the container port's and governing Service port's name. */
  defaultPortName: string;
  /** The container port (not configurable in the CR). */
  port: number;
  /** The headless governing Service the operator creates for every CR of the kind in a namespace. */
  governingService: string;
  /** The CRD file in prometheus-operator-crds that states `defaultPortName`. */
  crdFile: string;
}

export const SERVERS: Readonly<Record<OperatorServer, ServerContract>> = {
  Prometheus: {
    apiVersion: "monitoring.coreos.com/v1",
    prefix: "prometheus",
    defaultPortName: "web",
    port: 9090,
    governingService: "prometheus-operated",
    crdFile: "crd-prometheuses.yaml",
  },
  Alertmanager: {
    apiVersion: "monitoring.coreos.com/v1",
    prefix: "alertmanager",
    defaultPortName: "web",
    port: 9093,
    governingService: "alertmanager-operated",
    crdFile: "crd-alertmanagers.yaml",
  },
  PrometheusAgent: {
    apiVersion: "monitoring.coreos.com/v1alpha1",
    prefix: "prom-agent",
    defaultPortName: "web",
    port: 9090,
    governingService: "prometheus-agent-operated",
    crdFile: "crd-prometheusagents.yaml",
  },
};

/** The operator's labels on a CR's pods, its selector labels winning over `spec.podMetadata.labels`. */
export function serverPodLabels(
  kind: OperatorServer,
  crName: string,
  podMetadata: { labels?: Record<string, string> } | undefined,
): Record<string, string> {
  const common = {
    "app.kubernetes.io/managed-by": "prometheus-operator",
    "app.kubernetes.io/instance": crName,
  };
  const selector: Record<string, string> =
    kind === "Prometheus"
      ? {
          ...common,
          "app.kubernetes.io/name": "prometheus",
          "operator.prometheus.io/name": crName,
          prometheus: crName,
          "operator.prometheus.io/shard": "0",
        }
      : kind === "PrometheusAgent"
        ? {
            ...common,
            "app.kubernetes.io/name": "prometheus-agent",
            "operator.prometheus.io/name": crName,
            "operator.prometheus.io/shard": "0",
          }
        : { ...common, "app.kubernetes.io/name": "alertmanager", alertmanager: crName };
  return { ...(podMetadata?.labels ?? {}), ...selector };
}

/** The governing Service's selector: the pods' `app.kubernetes.io/name`. */
export function governingSelector(kind: OperatorServer): Record<string, string> {
  return { "app.kubernetes.io/name": serverPodLabels(kind, "", undefined)["app.kubernetes.io/name"] };
}

/** Alertmanager's cluster (mesh) ports: container port names and the governing Service's names. */
export const ALERTMANAGER_MESH = [
  { containerName: "mesh-tcp", serviceName: "tcp-mesh", port: 9094, protocol: "TCP" },
  { containerName: "mesh-udp", serviceName: "udp-mesh", port: 9094, protocol: "UDP" },
] as const;

/** The config-reloader sidecar's container port (config_reloader.go:30, 228). */
export const RELOADER_PORT = { name: "reloader-web", port: 8080 } as const;

/** The name the operator gives a CR's container port: its `spec.portName`, else the CRD default. */
export function serverPortName(kind: OperatorServer, spec: { portName?: unknown } | undefined): string {
  const set = spec?.portName;
  return typeof set === "string" && set !== "" ? set : SERVERS[kind].defaultPortName;
}

/** A field of a CR's spec naming a Secret or ConfigMap whose content the CR's pods read. */
export interface ReadField {
  /** The spec field. */
  field: string;
  kind: "Secret" | "ConfigMap";
  /**
   * How it names the object: `names` a list of names, `keyRef` a SecretKeySelector (`name`,
   * `key`), `name` one name.
   */
  form: "names" | "keyRef" | "name";
  /** A spec field which, when the CR sets it, has the operator build the configuration without this object. */
  unlessSet?: string;
  /**
   * The folder the pods see the object's keys in as files, `<dir>/<name>/<key>` (`names`) or
   * `<dir>/<key>` (`name`); absent where the operator reads the object into the configuration
   * (a `keyRef`, whose one key alone is read).
   */
  dir?: string;
  /** The key the operator reads as the configuration the server loads (not a file at `dir`). */
  configKey?: string;
}

/** A Secret or ConfigMap a CR's pods read, and how (ReadField). */
export interface ObjectRead {
  kind: "Secret" | "ConfigMap";
  name: string;
  /** The only key read, where the field names one (a SecretKeySelector's); every key when absent. */
  key?: string;
  /** The folder the pods see each of its keys in as a file, when they do. */
  dir?: string;
  /** The key read as the server's configuration. */
  configKey?: string;
}

/**
 * The Secrets and ConfigMaps a Prometheus's or an Alertmanager's pods read, by the CR's fields:
 * - `secrets` and `configMaps` become volumes of the pods, mounted at
 *   /etc/prometheus/{secrets,configmaps}/<name> (pkg/prometheus/common.go:46-47, 279-323) and
 *   /etc/alertmanager/{secrets,configmaps}/<name> (pkg/alertmanager/statefulset.go:51-52, 590-640);
 * - a PrometheusAgent's `secrets` and `configMaps` the same way (pkg/prometheus/agent/statefulset.go:156,
 *   common.go:281, 303), its `additionalScrapeConfigs` as Prometheus's (agent/operator.go:974);
 * - Prometheus's `additionalScrapeConfigs` and `additionalAlertManagerConfigs` are read by the
 *   operator (k8s.LoadSecretRef, pkg/prometheus/server/operator.go:1609-1621) into the
 *   configuration the pods load, their one key alone (`secret.Data[sks.Key]`, pkg/k8s/secrets.go:50);
 * - Alertmanager's `configSecret`, `alertmanager-<name>` when empty (pkg/alertmanager/statefulset.go:
 *   845-851, 865-867), is read by the operator (pkg/alertmanager/operator.go:861-868) into the
 *   generated configuration Secret the pods mount (statefulset.go:467), unless the CR sets
 *   `alertmanagerConfiguration`: the configuration is then built from that AlertmanagerConfig and
 *   the Secret is not read (operator.go:907-968 calls loadConfigurationFromSecret only without it).
 * The folders: Prometheus's pkg/prometheus/common.go:46-47; Alertmanager's pkg/alertmanager/
 * statefulset.go:51-52 (`secrets`, `configMaps`: :605-609, :633-637) and :58 (the generated Secret,
 * which holds the config Secret's other keys, pkg/alertmanager/operator.go:883-884, 1004, mounted
 * there, statefulset.go:462-468, 490-494): what an Alertmanager's `templates` globs are matched
 * against (checks/readers.ts), since a notification template is text Alertmanager sends, not an
 * address it dials.
 * Prometheus's `additionalAlertRelabelConfigs` is left out: the operator appends it to
 * `alerting.alert_relabel_configs` (pkg/prometheus/promcfg.go:1201-1215), rules that rewrite an
 * alert's labels before it is sent, so an address in it is a label's text, never dialed. The
 * credentials a field such as `remoteWrite[].basicAuth` names are left out too: the operator copies
 * them into the pods' files, but a credential holds no address a check judges.
 */
export const READ_FIELDS: Readonly<Record<OperatorServer, readonly ReadField[]>> = {
  Prometheus: [
    { field: "secrets", kind: "Secret", form: "names", dir: "/etc/prometheus/secrets" },
    { field: "configMaps", kind: "ConfigMap", form: "names", dir: "/etc/prometheus/configmaps" },
    { field: "additionalScrapeConfigs", kind: "Secret", form: "keyRef" },
    { field: "additionalAlertManagerConfigs", kind: "Secret", form: "keyRef" },
  ],
  PrometheusAgent: [
    { field: "secrets", kind: "Secret", form: "names", dir: "/etc/prometheus/secrets" },
    { field: "configMaps", kind: "ConfigMap", form: "names", dir: "/etc/prometheus/configmaps" },
    { field: "additionalScrapeConfigs", kind: "Secret", form: "keyRef" },
  ],
  Alertmanager: [
    { field: "secrets", kind: "Secret", form: "names", dir: "/etc/alertmanager/secrets" },
    { field: "configMaps", kind: "ConfigMap", form: "names", dir: "/etc/alertmanager/configmaps" },
    {
      field: "configSecret",
      kind: "Secret",
      form: "name",
      unlessSet: "alertmanagerConfiguration",
      dir: "/etc/alertmanager/config",
      configKey: "alertmanager.yaml",
    },
  ],
};

/**
 * The file an operator's Alertmanager loads its configuration from: the reloader's output
 * (pkg/alertmanager/statefulset.go:249, :60-63), against whose folder Alertmanager resolves a
 * relative `templates` path (alertmanager v0.28.1 config/config.go:236, 242-252).
 */
export const ALERTMANAGER_CONFIG_FILE = "/etc/alertmanager/config_out/alertmanager.env.yaml";

/** The Secrets and ConfigMaps the pods of a CR `crName` of `kind` read (READ_FIELDS). */
export function objectsReadBy(
  kind: OperatorServer,
  crName: string,
  spec: Record<string, any> | undefined,
): ObjectRead[] {
  return READ_FIELDS[kind].flatMap((f): ObjectRead[] => {
    // A pointer field the CR sets, even to `{}`, is non-nil to the operator.
    if (f.unlessSet !== undefined && (spec?.[f.unlessSet] ?? undefined) !== undefined) return [];
    const v = spec?.[f.field];
    if (f.form === "keyRef")
      return typeof v?.name === "string" && v.name !== ""
        ? [{ kind: f.kind, name: v.name, ...(typeof v.key === "string" ? { key: v.key } : {}) }]
        : [];
    const names: unknown[] =
      f.form === "names"
        ? Array.isArray(v)
          ? v
          : []
        : [typeof v === "string" && v !== "" ? v : `alertmanager-${crName}`];
    return names
      .filter((n): n is string => typeof n === "string" && n !== "")
      .map((name) => ({
        kind: f.kind,
        name,
        ...(f.dir !== undefined ? { dir: f.form === "names" ? `${f.dir}/${name}` : f.dir } : {}),
        ...(f.configKey !== undefined ? { configKey: f.configKey } : {}),
      }));
  });
}
