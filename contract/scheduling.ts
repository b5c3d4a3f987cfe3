/*
 * Whether a pod may be scheduled on a node pool's nodes, by its nodeSelector, required node
 * affinity and tolerations against the nodes' labels and taints: the pack's budget and arm64
 * policies (policy/lib/budget.ts, policy/images.ts) and the program's config check of the pools'
 * share (config/sizing.ts) read the one rule.
 */

/** What of a pod's spec decides the nodes it may land on. */
export interface PodScheduling {
  nodeSelector?: Record<string, string>;
  affinity?: any;
  tolerations?: any[];
}

/**
 * Labels the kubelet puts on every node it registers (kubernetes/kubernetes
 * pkg/kubelet/kubelet_node_status.go, initialNode: kubernetes.io/hostname, kubernetes.io/os,
 * kubernetes.io/arch and their deprecated beta.kubernetes.io twins; "Well-Known Labels, Annotations
 * and Taints" in the Kubernetes docs). Pool records never list them, yet selectors on them match.
 * The hostname is per node and unknown here, so any hostname term may match some node of a pool.
 */
const HOSTNAME_LABELS = new Set(["kubernetes.io/hostname"]);

/** A node's labels with the kubelet's well-known labels filled in (os linux; arch when known). */
export function withWellKnownLabels(labels: Record<string, string>, arch?: string): Record<string, string> {
  const a = labels["kubernetes.io/arch"] ?? labels["beta.kubernetes.io/arch"] ?? arch;
  const os = labels["kubernetes.io/os"] ?? labels["beta.kubernetes.io/os"] ?? "linux";
  return {
    "kubernetes.io/os": os,
    "beta.kubernetes.io/os": os,
    ...(a ? { "kubernetes.io/arch": a, "beta.kubernetes.io/arch": a } : {}),
    ...labels,
  };
}

/**
 * Whether the pod can be scheduled on nodes with these labels and taints. The kubelet's well-known
 * labels count as present (`arch` names the pool's architecture when its labels do not).
 * Restated from Kubernetes (kubernetes/component-helpers at 1961876b,
 * scheduling/corev1/nodeaffinity/nodeaffinity.go; kubernetes/apimachinery at eed236ce,
 * pkg/labels/selector.go; kubernetes/api at 10b39a39, core/v1/toleration.go): a required node
 * affinity admits a node when one of its terms does (ORed, nodeaffinity.go:84-103), and a term
 * with neither expressions nor fields matches no node (nodeaffinity.go:60-64, :152-154);
 * PreferNoSchedule keeps nothing off.
 */
export function canLandOn(
  w: PodScheduling,
  nodeLabels: Record<string, string>,
  taints: { key: string; value?: string; effect: string }[] = [],
  arch?: string,
): boolean {
  const labels = withWellKnownLabels(nodeLabels, arch);
  for (const [k, val] of Object.entries(w.nodeSelector ?? {})) {
    if (HOSTNAME_LABELS.has(k) && labels[k] === undefined) continue;
    if (labels[k] !== String(val)) return false;
  }
  const required = w.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  // A null required affinity constrains nothing; a set one admits only what one of its terms does.
  if (required != null) {
    const terms: any[] = Array.isArray(required.nodeSelectorTerms) ? required.nodeSelectorTerms : [];
    if (!terms.some((t) => termMatches(t, labels))) return false;
  }
  for (const taint of taints) {
    if (taint.effect === "PreferNoSchedule") continue;
    if (!(w.tolerations ?? []).some((t: any) => toleratesTaint(t ?? {}, taint))) return false;
  }
  return true;
}

/**
 * Toleration.ToleratesTaint (core/v1/toleration.go:52-77): an empty effect or key matches any;
 * Equal (also when empty) compares the values, Exists matches every value, and Lt/Gt compare
 * them as decimal integers (:80-112; behind the TaintTolerationComparisonOperators feature gate,
 * without which the API server refuses such a toleration); any other operator matches nothing.
 */
function toleratesTaint(t: any, taint: { key: string; value?: string; effect: string }): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "") {
    case "":
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    case "Exists":
      return true;
    case "Lt":
    case "Gt": {
      const [mine, theirs] = [decimalInteger(t.value), decimalInteger(taint.value)];
      if (mine === undefined || theirs === undefined) return false;
      return t.operator === "Lt" ? theirs < mine : theirs > mine;
    }
    default:
      return false;
  }
}

/** An int64 in canonical decimal form (apimachinery pkg/api/validate/content/decimal_int.go:30 IsDecimalInteger, then ParseInt). */
function decimalInteger(v: unknown): bigint | undefined {
  if (typeof v !== "string" || !/^(0|-?[1-9][0-9]*)$/.test(v)) return undefined;
  return int64(v);
}

/** strconv.ParseInt(v, 10, 64): an optional sign, decimal digits, within int64. */
function int64(v: unknown): bigint | undefined {
  if (typeof v !== "string" || !/^[+-]?[0-9]+$/.test(v)) return undefined;
  const n = BigInt(v);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

/**
 * One node selector term (nodeaffinity.go:190-201 match): an empty term matches no node; a term
 * that does not parse (an unknown operator, a wrong count of values: :214-250 and selector.go:185-222
 * NewRequirement; fields: :260-292) matches no node either; otherwise every expression must match
 * the labels and every field the node's. The only node field is metadata.name (:156-162), and a
 * pool's node names are unknown here: a name requirement may match some node, as an unknown
 * hostname does; on any other field the node has none, which In never matches and NotIn always.
 */
function termMatches(t: any, labels: Record<string, string>): boolean {
  const exprs: any[] = Array.isArray(t?.matchExpressions) ? t.matchExpressions : [];
  const fields: any[] = Array.isArray(t?.matchFields) ? t.matchFields : [];
  if (exprs.length === 0 && fields.length === 0) return false;
  if (!exprs.every(validRequirement) || !fields.every(validFieldRequirement)) return false;
  const fieldMayMatch = (f: any) => f.key === "metadata.name" || f.operator === "NotIn";
  return exprs.every((e) => exprMatches(e, labels)) && fields.every(fieldMayMatch);
}

const values = (e: any): unknown[] => (Array.isArray(e?.values) ? e.values : []);

/** labels.NewRequirement's checks on operator and values (selector.go:185-222). */
function validRequirement(e: any): boolean {
  const n = values(e).length;
  switch (e?.operator) {
    case "In":
    case "NotIn":
      return n > 0;
    case "Exists":
    case "DoesNotExist":
      return n === 0;
    case "Gt":
    case "Lt":
      return n === 1 && int64(String(values(e)[0])) !== undefined;
    default:
      return false;
  }
}

/** A field requirement is In or NotIn with exactly one value (nodeaffinity.go:260-292). */
function validFieldRequirement(e: any): boolean {
  return (e?.operator === "In" || e?.operator === "NotIn") && values(e).length === 1;
}

/** Requirement.Matches (selector.go:247-296), for a requirement validRequirement accepts. */
function exprMatches(e: any, labels: Record<string, string>): boolean {
  // An unknown hostname may take any value: every operator but DoesNotExist can match some node.
  if (HOSTNAME_LABELS.has(e?.key) && labels[e.key] === undefined) return e.operator !== "DoesNotExist";
  const v = labels[e?.key];
  const listed = values(e).map(String);
  switch (e?.operator) {
    case "In":
      return v !== undefined && listed.includes(v);
    case "NotIn":
      return v === undefined || !listed.includes(v);
    case "Exists":
      return v !== undefined;
    case "DoesNotExist":
      return v === undefined;
    default: {
      // Gt/Lt: the label's value and the one listed value compare as int64; a label that is not
      // one matches neither.
      const [have, bound] = [int64(v), int64(listed[0])];
      if (have === undefined || bound === undefined) return false;
      return e.operator === "Gt" ? have > bound : have < bound;
    }
  }
}
