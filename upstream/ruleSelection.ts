/**
 * Which engine evaluates a PrometheusRule: each evaluator's label selector and namespace selector
 * with the semantics its own code gives them (nil and empty differ, and differ between engines).
 * Read, not run, at the pinned versions:
 * - prometheus-operator v0.93.0 (the CRD in prometheus-operator-crds 31.0.0,
 *   charts/crds/templates/crd-prometheuses.yaml, `ruleSelector` and `ruleNamespaceSelector`):
 *   "An empty label selector matches all objects. A null label selector matches no objects." and,
 *   for namespaces, "An empty label selector matches all namespaces. A null label selector matches
 *   the current namespace only."
 * - Grafana Alloy v1.12.0 `mimir.rules.kubernetes` (internal/component/mimir/rules/kubernetes/
 *   types.go: `rule_selector` and `rule_namespace_selector` are optional blocks whose zero value is
 *   an empty selector; rules.go hands both to internal/component/common/kubernetes/rules.go
 *   `ConvertSelectorToListOptions`, apimachinery's `LabelSelectorAsSelector`, which turns an empty
 *   selector into "everything"): an absent block selects every rule, in every namespace.
 * - VictoriaMetrics operator v0.66.0 (internal/controller/operator/factory/k8stools/selectors.go
 *   `VisitSelected`/`discoverNamespaces`, api/operator/v1beta1/vmalert_types.go:52-71): both
 *   selectors nil select all when `selectAllByDefault`, none otherwise; a rule selector with a nil
 *   namespace selector looks in VMAlert's own namespace only; an empty namespace selector means every
 *   namespace; a nil rule selector with a namespace selector takes every rule there. vmalert reads
 *   VMRules: the operator converts each PrometheusRule into a VMRule of the same name and namespace
 *   with its labels copied (internal/controller/operator/converter/apis.go:25-70, `ConvertPromRule`;
 *   `FilterPrometheusConverterLabelPrefixes` empty by default, internal/config/config.go:525)
 *   unless `VM_ENABLEDPROMETHEUSCONVERTER_PROMETHEUSRULE` is "false" (config.go:512-519; the
 *   victoria-metrics-operator chart sets it from `operator.disable_prometheus_converter`,
 *   templates/server.yaml in victoria-metrics-k8s-stack 0.80.0).
 * The rule evaluators here are read as if no operator watched a restricted set of namespaces
 * (WATCH_NAMESPACE unset); vmWatchList and vmReconciledByNone read that list for the checks that do.
 */
import { blocksOf, parseAlloy, stringValue, type Block, type Expr } from "./alloy/syntax";
import { GO_BOOL } from "./goStrconv";
// prometheus-operator known by its image or, mirrored under another name, by its own flag.
import { runsPrometheusOperator, scaledToZero } from "./prometheusOperatorScope";

/** A Kubernetes label selector requirement (metav1.LabelSelectorRequirement). */
export interface SelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

/** A Kubernetes label selector (metav1.LabelSelector). */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: SelectorRequirement[];
}

/**
 * Whether `labels` satisfy `selector` as apimachinery's `LabelSelectorAsSelector` reads it: every
 * matchLabels pair equal and every requirement met (`NotIn` and `DoesNotExist` hold for an absent
 * key); the empty selector matches everything. The caller decides what nil means.
 */
export function labelsMatch(selector: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const values = r.values ?? [];
    switch (r.operator) {
      case "In":
        if (!has || !values.includes(labels[r.key])) return false;
        break;
      case "NotIn":
        if (has && values.includes(labels[r.key])) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        throw new Error(`label selector: unknown operator ${JSON.stringify((r as any).operator)}`);
    }
  }
  return true;
}

/** A PrometheusRule as the evaluators see it: where it is and the labels of it and its namespace. */
export interface RuleSubject {
  name: string;
  namespace: string;
  labels: Record<string, string>;
  /** The namespace's labels; the API server always sets `kubernetes.io/metadata.name`. */
  namespaceLabels?: Record<string, string>;
}

/** One engine that picks PrometheusRules to evaluate, with its selectors as its object holds them. */
export type RuleEvaluator =
  | {
      engine: "prometheus";
      /** The Prometheus object (`<namespace>/<name>`). */
      name: string;
      namespace: string;
      /** `null`/absent: no rule; `{}`: every rule. */
      ruleSelector?: LabelSelector | null;
      /** `null`/absent: the Prometheus's own namespace; `{}`: every namespace. */
      ruleNamespaceSelector?: LabelSelector | null;
    }
  | {
      engine: "mimir-ruler";
      /** The `mimir.rules.kubernetes` component that syncs the rules into Mimir's ruler. */
      name: string;
      /** Absent block: every rule. */
      ruleSelector?: LabelSelector;
      /** Absent block: every namespace. */
      ruleNamespaceSelector?: LabelSelector;
    }
  | {
      engine: "vmalert";
      name: string;
      namespace: string;
      selectAllByDefault: boolean;
      ruleSelector?: LabelSelector | null;
      ruleNamespaceSelector?: LabelSelector | null;
      /** The operator turns PrometheusRules into the VMRules vmalert reads. */
      converts: boolean;
    };

const nsLabels = (r: RuleSubject) => ({ "kubernetes.io/metadata.name": r.namespace, ...r.namespaceLabels });

/** Whether `e` evaluates the PrometheusRule `rule`. */
export function evaluates(e: RuleEvaluator, rule: RuleSubject): boolean {
  switch (e.engine) {
    case "prometheus": {
      if (!e.ruleSelector) return false;
      const inNamespace = e.ruleNamespaceSelector
        ? labelsMatch(e.ruleNamespaceSelector, nsLabels(rule))
        : rule.namespace === e.namespace;
      return inNamespace && labelsMatch(e.ruleSelector, rule.labels);
    }
    case "mimir-ruler":
      return (
        labelsMatch(e.ruleNamespaceSelector ?? {}, nsLabels(rule)) &&
        labelsMatch(e.ruleSelector ?? {}, rule.labels)
      );
    case "vmalert":
      if (!e.converts) return false;
      return (
        vmOperatorSelects(
          {
            selectAll: e.selectAllByDefault,
            objectSelector: e.ruleSelector,
            namespaceSelector: e.ruleNamespaceSelector,
            namespace: e.namespace,
          },
          { ...rule, namespaceLabels: rule.namespaceLabels ?? {} },
        ) === true
      );
  }
}

/** A VictoriaMetrics CR's selection of the objects it reads (k8stools.SelectorOpts). */
export interface VmSelection {
  /** `selectAllByDefault`. */
  selectAll: boolean;
  /** `null`/absent: see {@link vmOperatorSelects}. */
  objectSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  /** The CR's own namespace. */
  namespace: string;
  /**
   * The namespaces the operator watches (its WATCH_NAMESPACE, internal/config/config.go:709-723),
   * undefined when it watches every one: listed in place of what the namespace selector, or its
   * absence, would list (selectors.go:74-83, the first case of discoverNamespaces' switch).
   */
  watched?: readonly string[];
}

/**
 * Whether the VictoriaMetrics operator (v0.66.0 internal/controller/operator/factory/k8stools/
 * selectors.go:33-111, `VisitSelected`/`discoverNamespaces`) hands a CR of selection `s` the object
 * `o`: both selectors nil, every object when `selectAll`, none otherwise; an object selector with a
 * nil namespace selector, the CR's own namespace; an empty namespace selector, every namespace; a
 * nil object selector with a namespace selector, every object there. Undefined where it rests on the
 * labels of a namespace not known (`namespaceLabels` undefined). An operator watching `watched`
 * lists those namespaces whatever the namespace selector, the object selector still applied
 * (selectors.go:46-61).
 */
export function vmOperatorSelects(
  s: VmSelection,
  o: { namespace: string; labels: Record<string, string>; namespaceLabels?: Record<string, string> },
): boolean | undefined {
  const objects = s.objectSelector ?? undefined;
  const namespaces = s.namespaceSelector ?? undefined;
  const outside = s.watched !== undefined && !s.watched.includes(o.namespace);
  if (!objects && !namespaces) return s.selectAll && !outside;
  if (!labelsMatch(objects ?? {}, o.labels)) return false;
  if (s.watched) return !outside;
  if (!namespaces) return o.namespace === s.namespace;
  if (!Object.keys(namespaces.matchLabels ?? {}).length && !(namespaces.matchExpressions ?? []).length)
    return true;
  if (o.namespaceLabels === undefined) return undefined;
  return labelsMatch(namespaces, { "kubernetes.io/metadata.name": o.namespace, ...o.namespaceLabels });
}

/** The evaluators of `evaluators` that evaluate `rule`, by engine and name. */
export function evaluatorsOf(evaluators: RuleEvaluator[], rule: RuleSubject): string[] {
  return evaluators.filter((e) => evaluates(e, rule)).map(evaluatorName);
}

/** `prometheus monitoring/kps`, `mimir-ruler mimir.rules.kubernetes.homelab`, `vmalert monitoring/vm`. */
export function evaluatorName(e: RuleEvaluator): string {
  return e.engine === "mimir-ruler" ? `${e.engine} ${e.name}` : `${e.engine} ${e.namespace}/${e.name}`;
}

/** A rendered Kubernetes object, as much of it as this reads. */
export interface ObjectLike {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
  data?: Record<string, string>;
}

function alloyValue(e: Expr): unknown {
  switch (e.kind) {
    case "literal":
      return e.type === "string" ? stringValue(e.raw) : e.value;
    case "array":
      return e.elements.map(alloyValue);
    case "object":
      return Object.fromEntries(e.fields.map((f) => [f.name, alloyValue(f.value)]));
    case "paren":
      return alloyValue(e.inner);
    default:
      return undefined;
  }
}

function alloySelector(block: Block | undefined): LabelSelector | undefined {
  if (!block) return undefined;
  const out: LabelSelector = {};
  for (const s of block.body) {
    if (s.kind === "attribute" && s.name === "match_labels")
      out.matchLabels = alloyValue(s.value) as Record<string, string>;
    if (s.kind === "block" && s.name === "match_expression") {
      const attr = (n: string) => {
        const a = s.body.find((x) => x.kind === "attribute" && x.name === n);
        return a?.kind === "attribute" ? alloyValue(a.value) : undefined;
      };
      (out.matchExpressions ??= []).push({
        key: attr("key") as string,
        operator: attr("operator") as SelectorRequirement["operator"],
        ...(attr("values") !== undefined ? { values: attr("values") as string[] } : {}),
      });
    }
  }
  return out;
}

/** Every `mimir.rules.kubernetes` component of an Alloy config, with its selectors. */
export function alloyRuleSyncs(config: string): RuleEvaluator[] {
  const out: RuleEvaluator[] = [];
  for (const { block, path } of blocksOf(parseAlloy(config).body)) {
    if (path.length > 0 || block.name !== "mimir.rules.kubernetes") continue;
    const child = (n: string) =>
      block.body.find((s): s is Block => s.kind === "block" && s.name === n && !s.label);
    const ruleSelector = alloySelector(child("rule_selector"));
    const ruleNamespaceSelector = alloySelector(child("rule_namespace_selector"));
    out.push({
      engine: "mimir-ruler",
      name: `mimir.rules.kubernetes.${block.label ?? ""}`,
      ...(ruleSelector ? { ruleSelector } : {}),
      ...(ruleNamespaceSelector ? { ruleNamespaceSelector } : {}),
    });
  }
  return out;
}

/**
 * The env var that switches the VictoriaMetrics operator's converter off, per kind it converts
 * (`VM_` and internal/config/config.go:22,512-519 at v0.66.0; "false" is what the
 * victoria-metrics-operator chart writes for `operator.disable_prometheus_converter`).
 */
export const VM_CONVERTER_ENV = {
  PrometheusRule: "VM_ENABLEDPROMETHEUSCONVERTER_PROMETHEUSRULE",
  ServiceMonitor: "VM_ENABLEDPROMETHEUSCONVERTER_SERVICESCRAPE",
  PodMonitor: "VM_ENABLEDPROMETHEUSCONVERTER_PODMONITOR",
  AlertmanagerConfig: "VM_ENABLEDPROMETHEUSCONVERTER_ALERTMANAGERCONFIG",
} as const;

/**
 * The env var of the label prefixes the VictoriaMetrics operator's converter drops from each object
 * it converts (internal/config/config.go:525 at v0.66.0, a comma-separated list: caarlos0/env
 * v11.3.1 env.go:701-706; converter/apis.go:542-562 `FilterPrefixes`); empty by default.
 */
export const VM_CONVERTER_LABEL_FILTER = "VM_FILTERPROMETHEUSCONVERTERLABELPREFIXES";

/** The VictoriaMetrics operator's image, which runs VMAlert objects (and converts PrometheusRules for them). */
const VM_OPERATOR = /victoriametrics\/operator/;

/** Whether `o` is a Deployment running a container of `image`. */
function runsOperator(o: ObjectLike, image: RegExp): boolean {
  return (
    o.kind === "Deployment" &&
    (o.spec?.template?.spec?.containers ?? []).some((c: any) => image.test(String(c.image ?? "")))
  );
}

/** The literal values of env var `name` on the containers of Deployment `o`. */
export function containerEnv(o: ObjectLike, name: string): string[] {
  return (o.spec?.template?.spec?.containers ?? []).flatMap((c: any) =>
    (c.env ?? []).flatMap((e: any) => (e.name === name && e.value !== undefined ? [String(e.value)] : [])),
  );
}

/** The VictoriaMetrics operator Deployments among rendered objects. */
export function vmOperators<T extends ObjectLike>(objects: T[]): T[] {
  return objects.filter((o) => runsOperator(o, VM_OPERATOR));
}

/**
 * The namespaces VictoriaMetrics operator Deployment `o` watches: its WATCH_NAMESPACE, a comma list
 * (operator v0.66.0 internal/config/config.go:709-723; the container's last entry of that name),
 * undefined when it is unset or empty (every namespace). An `envFrom` ({@link vmEnvFrom}) may set it
 * from a ConfigMap or Secret the render does not show.
 */
export function vmWatchList(o: ObjectLike): string[] | undefined {
  const listed = (containerEnv(o, "WATCH_NAMESPACE").pop() ?? "").split(",").filter(Boolean);
  return listed.length > 0 ? listed : undefined;
}

/** Whether a container of Deployment `o` takes env vars from a ConfigMap or Secret (`envFrom`). */
export const vmEnvFrom = (o: ObjectLike): boolean =>
  (o.spec?.template?.spec?.containers ?? []).some((c: any) => (c.envFrom ?? []).length > 0);

/**
 * Whether no VictoriaMetrics operator of `operators` (rendered ones; none rendered: one installed
 * apart is taken to) reconciles a resource in namespace `ns`: each is scaled to 0
 * ({@link scaledToZero}: no pod of it runs) or watches a WATCH_NAMESPACE list without it, and no
 * `envFrom` may change that. Its manager's cache holds the listed namespaces alone
 * (internal/manager/manager.go:220-228, 253-255 `DefaultNamespaces`), so it makes no workload of a
 * resource elsewhere.
 */
export function vmReconciledByNone(operators: ObjectLike[], ns: string): boolean {
  return vmLeftAlone(operators, ns) !== undefined;
}

/**
 * Why each VictoriaMetrics operator of `operators` reconciles no resource in namespace `ns`, when
 * none does ({@link vmReconciledByNone}): scaled to 0 (`replicas`), or its WATCH_NAMESPACE list
 * (`watches`) leaves `ns` out. Undefined when one reconciles it, or none is rendered.
 */
export function vmLeftAlone(
  operators: ObjectLike[],
  ns: string,
): { operator: ObjectLike; replicas?: true; watches?: string[] }[] | undefined {
  if (operators.length === 0) return undefined;
  const each = operators.map((o) => {
    if (scaledToZero(o)) return { operator: o, replicas: true as const };
    const watches = vmEnvFrom(o) ? undefined : vmWatchList(o);
    return watches?.includes(ns) === false ? { operator: o, watches } : undefined;
  });
  return each.every((e) => e !== undefined) ? each : undefined;
}

/**
 * The value of VictoriaMetrics operator Deployment `o`'s env var switching off its converter of
 * `kind` when it does (undefined: it converts): the last entry of that name (the one the container
 * gets), false as the operator parses it (config.go:14 caarlos0/env v11.3.1, env.go:33-34:
 * strconv.ParseBool, so "0" or "False" too).
 */
export function converterOff(o: ObjectLike, kind: keyof typeof VM_CONVERTER_ENV): string | undefined {
  const value = containerEnv(o, VM_CONVERTER_ENV[kind]).pop();
  return value !== undefined && GO_BOOL.false.has(value) ? value : undefined;
}

/** Whether VictoriaMetrics operator Deployment `o` converts no objects of `kind`. */
export function convertsNo(o: ObjectLike, kind: keyof typeof VM_CONVERTER_ENV): boolean {
  return converterOff(o, kind) !== undefined;
}

/**
 * The operators among rendered objects that run rule evaluators from their custom resources
 * (VMAlert, Prometheus): where one runs, values that switch its evaluator off
 * (`vmalert.enabled: false`) leave the rules without one.
 */
export function evaluatorOperators<T extends ObjectLike>(objects: T[]): T[] {
  return objects.filter((o) => runsOperator(o, VM_OPERATOR) || runsPrometheusOperator(o));
}

/**
 * Every rule evaluator among rendered objects: Prometheus objects, VMAlert objects (converting
 * while a VictoriaMetrics operator Deployment without the converter switched off is among them;
 * none in a namespace outside every rendered operator's WATCH_NAMESPACE, {@link vmReconciledByNone})
 * and each Alloy ConfigMap's `mimir.rules.kubernetes` (any ConfigMap value holding one).
 * `unreconciledToo`: those VMAlerts too, to tell what would evaluate a rule that has none.
 */
export function ruleEvaluators(objects: ObjectLike[], unreconciledToo = false): RuleEvaluator[] {
  const out: RuleEvaluator[] = [];
  const operators = vmOperators(objects);
  const converts = operators.some((o) => !convertsNo(o, "PrometheusRule"));
  for (const o of objects) {
    const md = o.metadata ?? {};
    // A VMAlert no rendered VictoriaMetrics operator watches gets no vmalert pod: it evaluates
    // nothing, and counting it made a rule another evaluator takes "two evaluators".
    if (!unreconciledToo && o.kind === "VMAlert" && vmReconciledByNone(operators, md.namespace ?? ""))
      continue;
    if (o.kind === "Prometheus" && o.apiVersion?.startsWith("monitoring.coreos.com/"))
      out.push({
        engine: "prometheus",
        name: md.name ?? "",
        namespace: md.namespace ?? "",
        ruleSelector: o.spec?.ruleSelector ?? null,
        ruleNamespaceSelector: o.spec?.ruleNamespaceSelector ?? null,
      });
    if (o.kind === "VMAlert" && o.apiVersion?.startsWith("operator.victoriametrics.com/"))
      out.push({
        engine: "vmalert",
        name: md.name ?? "",
        namespace: md.namespace ?? "",
        selectAllByDefault: o.spec?.selectAllByDefault === true,
        ruleSelector: o.spec?.ruleSelector ?? null,
        ruleNamespaceSelector: o.spec?.ruleNamespaceSelector ?? null,
        converts,
      });
    if (o.kind === "ConfigMap")
      for (const text of Object.values(o.data ?? {}))
        if (typeof text === "string" && text.includes("mimir.rules.kubernetes"))
          out.push(...alloyRuleSyncs(text));
  }
  return out;
}
