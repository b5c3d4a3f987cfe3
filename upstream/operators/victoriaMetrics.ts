/**
 * What the VictoriaMetrics operator makes of the custom resources the program renders (VMSingle,
 * VMAgent, VMAlert, VMAlertmanager, VMCluster): the workloads' and Services' names, the pods' labels,
 * the container ports, their names and defaults. Read, not run, in VictoriaMetrics/operator at
 * `VM_OPERATOR_VERSION`, the operator image the program pins (`versions.images.vmOperator`; the
 * victoria-metrics-k8s-stack chart's own operator appVersion is overridden by it):
 * - Names: `<kind>-<cr name>` for the workload and its Service (`PrefixedName`,
 *   api/operator/v1beta1/vmsingle_types.go:247-249, vmagent_types.go:729-731,
 *   vmalert_types.go:429-431, vmalertmanager_types.go:334-336); a VMCluster's components
 *   `vm<storage|insert|select>-<cr name>` (vmcluster_types.go:169-171, vmextra_types.go:132-139, the
 *   component names vmextra_types.go:41-44).
 * - Selector labels: `app.kubernetes.io/name: <kind>`, `app.kubernetes.io/instance: <cr name>`,
 *   `app.kubernetes.io/component: monitoring`, `managed-by: vm-operator` (vmsingle_types.go:212-219,
 *   vmagent_types.go:693-700, vmalert_types.go:394-401, vmalertmanager_types.go:294-301; a VMCluster's
 *   `vm<component>` names, vmcluster_types.go:89-91, vmextra_types.go:113-129). Pod labels are
 *   `spec.podMetadata.labels` merged under them, the selector labels winning (vmsingle_types.go:221-227).
 * - Container ports: one named `http` on `spec.port` (vmsingle.go:188, vmagent.go:518, vmalert.go:270
 *   under internal/controller/operator/factory/); vmstorage also `vminsert` and `vmselect`
 *   (vmcluster/vmcluster.go:949-965), vminsert and vmselect `http` (vmcluster.go:547, 749).
 *   VMAlertmanager's is named `spec.portName` (vmalertmanager/statefulset.go:245-249), plus
 *   `mesh-tcp`/`mesh-udp` on 9094 (statefulset.go:232-241).
 * - Defaults when the CR leaves them empty (internal/config/config.go: VMAlert 8080 :215, VMAgent 8429
 *   :243, VMSingle 8429 :287, vmselect 8481 :308, vmstorage 8482/8400/8401 :323-325, vminsert 8480
 *   :340; VMAlertmanager port 9093 and portName `web`, factory/build/defaults.go:334-339).
 * - Services: port `http` = the CR's port, targetPort the same string (factory/build/service.go:45-66),
 *   so VMAlertmanager's Service port `http` targets the container port named `spec.portName`
 *   (vmalertmanager/statefulset.go:89-92); vmalertmanager and vmstorage Services are headless
 *   (statefulset.go:90, vmcluster.go:383).
 * The CRDs the chart ships carry no field descriptions or defaults for these fields (the test reads
 * them from the chart archive and holds that), so the operator's code is the only contract.
 */
import type { ObjectRead } from "./prometheusOperator";

/** The operator version these facts were read at. */
export const VM_OPERATOR_VERSION = "v0.66.0";

/**
 * What the operator at VM_OPERATOR_VERSION reads from its command line and environment, for the
 * flags and `VM_*` variables the chart's operator subchart can set (victoria-metrics-operator 0.63.1
 * in victoria-metrics-k8s-stack 0.80.0, whose appVersion is v0.70.1: the program runs an older
 * operator than the chart was made for, so each one the chart passes must be one this operator
 * knows; an unknown flag stops it at start, an unknown variable is silently ignored).
 * - Flags: `managerFlags` in internal/manager/manager.go:83-121 (leader-elect ... controller.
 *   statusLastUpdateTimeTTL), and `zap-log-level`, which controller-runtime's zap options bind
 *   there (:144 `opts.BindFlags(managerFlags)`, looked up by name at :147).
 * - Variables: internal/config/config.go, prefix `VM_` (getEnvOpts :48-53), the fields'
 *   `env` tags: CONTAINERREGISTRY :117, CUSTOMCONFIGRELOADERIMAGE :118 (the chart names it
 *   VM_CONFIG_RELOADER_IMAGE, which this operator does not read), ENABLEDPROMETHEUSCONVERTER_* :512-519,
 *   PROMETHEUSCONVERTERADDARGOCDIGNOREANNOTATIONS :522, ENABLEDPROMETHEUSCONVERTEROWNERREFERENCES :523.
 */
export const VM_OPERATOR_READS = {
  flags: [
    "leader-elect",
    "leader-elect-namespace",
    "leader-elect-id",
    "leader-elect-lease-duration",
    "leader-elect-renew-deadline",
    "webhook.enable",
    "webhook.port",
    "controller.disableCRDOwnership",
    "webhook.certDir",
    "webhook.certName",
    "webhook.keyName",
    "tls.enable",
    "tls.certDir",
    "tls.certName",
    "tls.keyName",
    "mtls.enable",
    "mtls.CAName",
    "metrics-bind-address",
    "pprof-addr",
    "health-probe-bind-address",
    "default.kubernetesVersion.minor",
    "default.kubernetesVersion.major",
    "printDefaults",
    "printFormat",
    "controller.prometheusCRD.resyncPeriod",
    "client.qps",
    "client.burst",
    "controller.disableCacheFor",
    "disableSecretKeySpaceTrim",
    "version",
    "controller.disableReconcileFor",
    "loggerJSONFields",
    "controller.statusLastUpdateTimeTTL",
    "zap-log-level",
  ],
  env: [
    "VM_CONTAINERREGISTRY",
    "VM_CUSTOMCONFIGRELOADERIMAGE",
    "VM_ENABLEDPROMETHEUSCONVERTER_PODMONITOR",
    "VM_ENABLEDPROMETHEUSCONVERTER_SERVICESCRAPE",
    "VM_ENABLEDPROMETHEUSCONVERTER_PROMETHEUSRULE",
    "VM_ENABLEDPROMETHEUSCONVERTER_PROBE",
    "VM_ENABLEDPROMETHEUSCONVERTER_ALERTMANAGERCONFIG",
    "VM_ENABLEDPROMETHEUSCONVERTER_SCRAPECONFIG",
    "VM_PROMETHEUSCONVERTERADDARGOCDIGNOREANNOTATIONS",
    "VM_ENABLEDPROMETHEUSCONVERTEROWNERREFERENCES",
  ],
} as const;

/** The single-workload kinds the program's chart renders. */
export type VmKind = "VMSingle" | "VMAgent" | "VMAlert" | "VMAlertmanager";

export interface VmPortContract {
  /** `spec.port` when the CR leaves it empty (a string, as the CRD types it). */
  defaultPort: string;
  /** The container port's name (`spec.portName` for VMAlertmanager, fixed otherwise). */
  defaultPortName: string;
  /** Whether the CR's `spec.portName` names the container port. */
  portNameField: boolean;
  workload: "Deployment" | "StatefulSet";
  /** Whether the operator's Service is headless. */
  headless: boolean;
  /** Other container ports of the main container. */
  extraPorts: readonly { name: string; port: number; protocol?: "UDP" }[];
}

export const VM_KINDS: Readonly<Record<VmKind, VmPortContract>> = {
  VMSingle: {
    defaultPort: "8429",
    defaultPortName: "http",
    portNameField: false,
    workload: "Deployment",
    headless: false,
    extraPorts: [],
  },
  VMAgent: {
    defaultPort: "8429",
    defaultPortName: "http",
    portNameField: false,
    workload: "Deployment",
    headless: false,
    extraPorts: [],
  },
  VMAlert: {
    defaultPort: "8080",
    defaultPortName: "http",
    portNameField: false,
    workload: "Deployment",
    headless: false,
    extraPorts: [],
  },
  VMAlertmanager: {
    defaultPort: "9093",
    defaultPortName: "web",
    portNameField: true,
    workload: "StatefulSet",
    headless: true,
    extraPorts: [
      { name: "mesh-tcp", port: 9094 },
      { name: "mesh-udp", port: 9094, protocol: "UDP" },
    ],
  },
};

/** The name every operator-made Service gives its first port (build/service.go:59-63). */
export const VM_SERVICE_PORT_NAME = "http";

export type VmClusterComponent = "vmstorage" | "vminsert" | "vmselect";

/** A VMCluster's components: field under spec, workload, ports (name -> CR field, default). */
export const VM_CLUSTER: Readonly<
  Record<
    VmClusterComponent,
    {
      workload: "Deployment" | "StatefulSet";
      headless: boolean;
      ports: readonly { name: string; field: string; defaultPort: string }[];
    }
  >
> = {
  vmstorage: {
    workload: "StatefulSet",
    headless: true,
    ports: [
      { name: "http", field: "port", defaultPort: "8482" },
      { name: "vminsert", field: "vmInsertPort", defaultPort: "8400" },
      { name: "vmselect", field: "vmSelectPort", defaultPort: "8401" },
    ],
  },
  vminsert: {
    workload: "Deployment",
    headless: false,
    ports: [{ name: "http", field: "port", defaultPort: "8480" }],
  },
  vmselect: {
    workload: "StatefulSet",
    headless: false,
    ports: [{ name: "http", field: "port", defaultPort: "8481" }],
  },
};

/** The operator's selector labels for a CR's pods (and its Services' selector). */
export function vmSelectorLabels(app: string, crName: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/instance": crName,
    "app.kubernetes.io/component": "monitoring",
    "managed-by": "vm-operator",
  };
}

/** A pod's labels: `podMetadata.labels` under the selector labels (the selector labels win). */
export function vmPodLabels(
  app: string,
  crName: string,
  podMetadata: { labels?: Record<string, string> } | undefined,
): Record<string, string> {
  return { ...(podMetadata?.labels ?? {}), ...vmSelectorLabels(app, crName) };
}

/** A port field of a CR spec as a number, else the operator's default. */
export function vmPort(
  spec: Record<string, unknown> | undefined,
  field: string,
  defaultPort: string,
): number {
  const set = spec?.[field];
  const text = (typeof set === "string" && set !== "") || typeof set === "number" ? String(set) : defaultPort;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0 || n > 65535)
    throw new Error(
      `VictoriaMetrics CR spec.${field}: expected a port number as a string (e.g. "8428"), found ${JSON.stringify(set)}`,
    );
  return n;
}

/** The container port's name of a single-workload kind: its `spec.portName` if the kind reads one. */
export function vmPortName(kind: VmKind, spec: { portName?: unknown } | undefined): string {
  const c = VM_KINDS[kind];
  const set = spec?.portName;
  return c.portNameField && typeof set === "string" && set !== "" ? set : c.defaultPortName;
}

/**
 * The spec fields naming Secrets and ConfigMaps the pods of every workload CR above mount (a
 * VMCluster's under each component's key): `secrets` at /etc/vm/secrets/<name>, `configMaps` at
 * /etc/vm/configs/<name> (api/operator/v1beta1/vmextra_types.go:72-73; the loops
 * `range cr.Spec.Secrets` and `range cr.Spec.ConfigMaps` under internal/controller/operator/factory/:
 * vmsingle/vmsingle.go:210, 226; vmagent/vmagent.go:624, 640; vmalert/vmalert.go:226, 242;
 * vmalertmanager/statefulset.go:301, 330; vmcluster/vmcluster.go:567, 583 (vmselect), 773, 789
 * (vminsert), 992, 1008 (vmstorage)).
 */
export const VM_READ_FIELDS = [
  { field: "secrets", kind: "Secret", dir: "/etc/vm/secrets" },
  { field: "configMaps", kind: "ConfigMap", dir: "/etc/vm/configs" },
] as const;

/** A field of one VM kind naming a Secret whose one key its pods read (VM_KIND_READ_FIELDS). */
export interface VmKindReadField {
  field: string;
  kind: "Secret";
  /** `keyRef` a SecretKeySelector (`name`, `key`), `name` a name whose `key` is read. */
  form: "keyRef" | "name";
  key?: string;
  /** A flag which, in the CR's `extraArgs`, has the operator not pass the file to the pods. */
  unlessExtraArg?: string;
}

/**
 * The fields of one kind naming a Secret whose one key the operator has the pods read (a
 * SecretKeySelector's `key`, or the fixed `key`), under internal/controller/operator/factory/:
 * - VMAgent `additionalScrapeConfigs`: read into the scrape configuration vmagent loads
 *   (vmagent/vmagent_scrapeconfig.go:203-209, `ac.LoadKeyFromSecret`);
 * - VMAlert `notifierConfigRef`: the Secret is mounted at /etc/vm/notifier_config (vmalert/vmalert.go:
 *   32, 212-224) and its key is the `-notifier.config` file vmalert reads its notifiers from (:551-552),
 *   unless `notifier.blackhole` is in `extraArgs` (:545-549; with `notifiers` also set the CR is
 *   refused, api/operator/v1beta1/vmalert_types.go:372-373);
 * - VMAlertmanager `configSecret`: its key `alertmanager.yaml` (vmalertmanager/statefulset.go:32,
 *   714-716) becomes the configuration the operator writes for the pods (:484-497, 540-545), before
 *   `configRawYaml` (:499-501); its other keys are not read, and a Secret of the operator's own name
 *   for that configuration, `vmalertmanager-<name>-config` (vmalertmanager_types.go:330-332), is not
 *   read at all (statefulset.go:485-489).
 */
export const VM_KIND_READ_FIELDS: Readonly<Partial<Record<VmKind, readonly VmKindReadField[]>>> = {
  VMAgent: [{ field: "additionalScrapeConfigs", kind: "Secret", form: "keyRef" }],
  VMAlert: [
    { field: "notifierConfigRef", kind: "Secret", form: "keyRef", unlessExtraArg: "notifier.blackhole" },
  ],
  VMAlertmanager: [{ field: "configSecret", kind: "Secret", form: "name", key: "alertmanager.yaml" }],
};

/**
 * The file a VMAlertmanager's Alertmanager loads (vmalertmanager/statefulset.go:35-36, 161), against
 * whose folder it resolves a relative `templates` path (alertmanager v0.28.1 config/config.go:236, 242-252).
 */
export const VM_ALERTMANAGER_CONFIG_FILE = "/etc/alertmanager/config/alertmanager.yaml";

/**
 * The vmalert flag naming its rule templates: paths or doublestar globs of Go templates it expands
 * into alert annotations (VictoriaMetrics v1.144.0 app/vmalert/main.go:50, templates/template.go:59-69),
 * text it sends, never an address it dials. The operator passes a VMAlert's `extraArgs` as flags
 * (vmalert/vmalert.go:521); victoria-metrics-k8s-stack sets this one to
 * /etc/vm/configs/<name>-extra-tpl/*.tmpl for its `vmalert.templateFiles` ConfigMap, which it
 * adds to the VMAlert's `configMaps` (0.80.0 templates/_helpers.tpl:100-104, 135-137).
 */
export const VMALERT_RULE_TEMPLATES_FLAG = "rule.templates";

/**
 * A VMAlertmanager's `templates`, ConfigMap key references (`name`, `key`): the operator mounts each
 * ConfigMap named at /etc/vm/templates/<name> (vmalertmanager/statefulset.go:351-369,
 * alertmanager.go:23) and adds each `/etc/vm/templates/<name>/<key>` to the configuration's
 * `templates` (statefulset.go:524-535, config.go:143-171), whatever globs that configuration has:
 * the victoria-metrics-k8s-stack chart's `alertmanager.templateFiles` and monzo template are such
 * ConfigMaps (0.80.0 templates/_helpers.tpl:262-270, 279).
 */
const VM_ALERTMANAGER_TEMPLATES_DIR = "/etc/vm/templates";

/** The files a VMAlertmanager's `templates` adds to its configuration's `templates` (absolute paths). */
export function vmAlertmanagerTemplateFiles(spec: Record<string, any> | undefined): string[] {
  const refs: any[] = Array.isArray(spec?.templates) ? spec.templates : [];
  return refs
    .filter((r) => typeof r?.name === "string" && r.name !== "" && typeof r?.key === "string" && r.key !== "")
    .map((r) => `${VM_ALERTMANAGER_TEMPLATES_DIR}/${r.name}/${r.key}`);
}

/** The ConfigMaps a VMAlertmanager's `templates` names, each mounted whole (vmAlertmanagerTemplateFiles). */
function vmAlertmanagerTemplateReads(spec: Record<string, any> | undefined): ObjectRead[] {
  const refs: any[] = Array.isArray(spec?.templates) ? spec.templates : [];
  const names = new Set(refs.map((r) => r?.name).filter((n) => typeof n === "string" && n !== ""));
  return [...names].map((name) => ({
    kind: "ConfigMap",
    name,
    dir: `${VM_ALERTMANAGER_TEMPLATES_DIR}/${name}`,
  }));
}

/**
 * The Secrets and ConfigMaps a VM workload's spec (a CR's, a VMCluster component's) names, with the
 * fields of its kind (VM_KIND_READ_FIELDS, a VMAlertmanager's `templates`) when it is the spec of CR `cr`.
 */
export function vmObjectsRead(
  spec: Record<string, any> | undefined,
  cr?: { kind: VmKind; name: string },
): ObjectRead[] {
  const mounted = VM_READ_FIELDS.flatMap((f) => {
    const names: unknown[] = Array.isArray(spec?.[f.field]) ? spec[f.field] : [];
    return names
      .filter((n): n is string => typeof n === "string" && n !== "")
      .map((name) => ({ kind: f.kind, name, dir: `${f.dir}/${name}` }));
  });
  const own = (cr && VM_KIND_READ_FIELDS[cr.kind]) ?? [];
  return [
    ...mounted,
    ...(cr?.kind === "VMAlertmanager" ? vmAlertmanagerTemplateReads(spec) : []),
    ...own.flatMap((f): ObjectRead[] => {
      const v = spec?.[f.field];
      if (f.unlessExtraArg !== undefined && spec?.extraArgs?.[f.unlessExtraArg] !== undefined) return [];
      if (f.form === "keyRef")
        return typeof v?.name === "string" && v.name !== ""
          ? [{ kind: f.kind, name: v.name, ...(typeof v.key === "string" ? { key: v.key } : {}) }]
          : [];
      // The operator's own configuration Secret, `<kind>-<name>-config`, is never read as the user's.
      if (typeof v !== "string" || v === "" || v === `${cr!.kind.toLowerCase()}-${cr!.name}-config`)
        return [];
      return [{ kind: f.kind, name: v, key: f.key, configKey: f.key }];
    }),
  ];
}
