/**
 * Which of prometheus-operator's Alertmanagers takes an AlertmanagerConfig into its configuration,
 * read, not run, at v0.93.0 (pkg/alertmanager/operator.go):
 * - neither `alertmanagerConfigSelector` nor `alertmanagerConfiguration` set: the configuration
 *   Secret is used as it is and no AlertmanagerConfig is read (:906-923);
 * - `alertmanagerConfiguration` set: the AlertmanagerConfig of that name in the Alertmanager's own
 *   namespace is its global configuration (:935-938), left out of the selection (:1061-1063);
 * - the others are listed with `alertmanagerConfigSelector` through apimachinery's
 *   LabelSelectorAsSelector (:1048-1057; k8s.io/apimachinery v0.36.3, the operator's go.mod,
 *   pkg/apis/meta/v1/helpers.go: a nil selector is labels.Nothing(), an empty one
 *   labels.Everything()), so a nil selector beside `alertmanagerConfiguration` selects none;
 * - in the namespaces `alertmanagerConfigNamespaceSelector` matches by their labels, the
 *   Alertmanager's own namespace alone when it is nil (:1024-1042).
 * No operator here watches a restricted set of namespaces, which this assumes.
 */
import { labelsMatch, vmOperatorSelects, type LabelSelector } from "./ruleSelection";

/** The fields of an Alertmanager resource (monitoring.coreos.com/v1) the selection reads. */
export interface OperatorAlertmanager {
  metadata: { name: string; namespace?: string };
  spec?: {
    alertmanagerConfigSelector?: LabelSelector | null;
    alertmanagerConfigNamespaceSelector?: LabelSelector | null;
    alertmanagerConfiguration?: { name?: string } | null;
  };
}

/** An AlertmanagerConfig where it is, with its labels and, where known, its namespace's. */
export interface ConfigSubject {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** Undefined where the namespace's labels are not known (no Namespace object of the stack). */
  namespaceLabels?: Record<string, string>;
}

/**
 * Whether Alertmanager `am` takes AlertmanagerConfig `cfg` (as its global configuration or as one
 * of those it merges), or undefined where that rests on labels of a namespace not known.
 */
export function alertmanagerTakes(am: OperatorAlertmanager, cfg: ConfigSubject): boolean | undefined {
  const own = am.metadata.namespace ?? "";
  const { alertmanagerConfigSelector: sel, alertmanagerConfigNamespaceSelector: nsSel } = am.spec ?? {};
  const global = am.spec?.alertmanagerConfiguration;
  if (global && cfg.namespace === own && cfg.name === global.name) return true;
  if (sel === undefined || sel === null || !labelsMatch(sel, cfg.labels)) return false;
  if (nsSel === undefined || nsSel === null) return cfg.namespace === own;
  // The API server sets `kubernetes.io/metadata.name` on every namespace.
  if (cfg.namespaceLabels !== undefined)
    return labelsMatch(nsSel, { "kubernetes.io/metadata.name": cfg.namespace, ...cfg.namespaceLabels });
  // An empty selector takes every namespace, whatever its labels.
  const empty = !Object.keys(nsSel.matchLabels ?? {}).length && !(nsSel.matchExpressions ?? []).length;
  return empty ? true : undefined;
}

/** The fields of a VMAlertmanager (operator.victoriametrics.com/v1beta1) its selection reads. */
export interface VmAlertmanager {
  metadata: { name: string; namespace?: string };
  spec?: {
    selectAllByDefault?: boolean;
    configSelector?: LabelSelector | null;
    configNamespaceSelector?: LabelSelector | null;
  };
}

/**
 * Whether VMAlertmanager `am` takes the VMAlertmanagerConfig the VictoriaMetrics operator v0.66.0
 * converts AlertmanagerConfig `cfg` into, or undefined where that rests on labels of a namespace
 * not known. The converter keeps its name, namespace and labels but those of the `dropped` prefixes
 * (internal/controller/operator/converter/v1alpha1/apis.go:87-98, converter/apis.go:542-562); the
 * VMAlertmanager selects with `selectAllByDefault`, `configSelector` and `configNamespaceSelector`
 * (factory/vmalertmanager/statefulset.go:720-730, api/operator/v1beta1/vmalertmanager_types.go:145-164)
 * as every VictoriaMetrics CR does (ruleSelection.ts vmOperatorSelects), in the namespaces
 * `watched` where the operator watches those alone (its WATCH_NAMESPACE). The converter reads no
 * AlertmanagerConfig outside them (vmprometheusconverter_controller.go:163-180: its informer lists
 * and watches `config.MustGetWatchNamespaces()` only), so one there is converted into nothing.
 */
export function vmAlertmanagerTakes(
  am: VmAlertmanager,
  cfg: ConfigSubject,
  dropped: readonly string[] = [],
  watched?: readonly string[],
): boolean | undefined {
  const labels = Object.fromEntries(
    Object.entries(cfg.labels).filter(([k]) => !dropped.some((p) => k.startsWith(p))),
  );
  return vmOperatorSelects(
    {
      selectAll: am.spec?.selectAllByDefault === true,
      objectSelector: am.spec?.configSelector,
      namespaceSelector: am.spec?.configNamespaceSelector,
      namespace: am.metadata.namespace ?? "",
      watched,
    },
    { ...cfg, labels },
  );
}
