/**
 * A label selector's rule as Kubernetes applies it (apimachinery pkg/apis/meta/v1 LabelSelector:
 * matchLabels and matchExpressions ANDed): the offline checks match Services and NetworkPolicies
 * with it, the pack a pod's anti-affinity against the pod's own labels.
 */

/** Whether a label selector (`{k: v}` or `{matchLabels, matchExpressions}`) selects these labels. */
export function selects(selector: any, labels: Record<string, string>): boolean {
  if (!selector || typeof selector !== "object") return false;
  const matchLabels: Record<string, string> =
    "matchLabels" in selector || "matchExpressions" in selector ? (selector.matchLabels ?? {}) : selector;
  if (Object.keys(matchLabels).length === 0 && !(selector.matchExpressions ?? []).length) return false;
  for (const [k, v] of Object.entries(matchLabels)) if (labels[k] !== v) return false;
  return expressionsHold(selector.matchExpressions, labels);
}

/** Whether every `matchExpressions` requirement (In, NotIn, Exists, DoesNotExist) holds. */
export function expressionsHold(exprs: any[] | undefined, labels: Record<string, string>): boolean {
  for (const e of exprs ?? []) {
    const has = e.key in labels;
    const val = labels[e.key];
    if (e.operator === "In" && !(has && e.values.includes(val))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(val)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}
