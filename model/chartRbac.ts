/**
 * The chart values key that switches off every role and binding a chart renders for its
 * ServiceAccount, and what those roles grant with it on: one fact for the report's tracing of a
 * missing grant to that key (synth/report.ts rbacSwitchedOff) and for how a rule grants a call,
 * which the Alloy RBAC check reads the rendered roles with (checks/alloyRbac.ts).
 */
import type { ApiNeed } from "../upstream/alloy/apiNeeds";

/**
 * Each chart's RBAC switch the program leaves on: set to false by the stack, the chart renders no
 * Role, ClusterRole or binding at all, so whatever its ServiceAccount lacks on the API follows from
 * the key, whatever the program's values put in the rules. Read in the pinned charts' templates
 * (model/versions.ts), read, not run: alloy 1.5.0 templates/rbac.yaml:1 (`if .Values.rbac.create`,
 * around the Roles and RoleBindings of rbac.namespaces and the ClusterRole and ClusterRoleBinding
 * otherwise, to line 62); vector 0.56.0 templates/rbac.yaml:1 (`if and .Values.rbac.create (eq
 * .Values.role "Agent")`, its one ClusterRole and ClusterRoleBinding, to line 48). Not grafana: the
 * program's values turn its chart's RBAC off already and bind their own role (builders/grafana
 * grafanaValues.ts `rbac`), so the stack's `rbac.create: false` changes nothing and is no cause
 * (test/model/chartRbac.test.ts holds every listed switch on in the program's values).
 */
export const RBAC_SWITCHES: Record<string, string> = {
  alloy: "rbac.create",
  vector: "rbac.create",
};

/**
 * Of the charts in {@link RBAC_SWITCHES}, those whose switch renders their roles only beside
 * another value: vector 0.56.0 templates/rbac.yaml:1 (`if and .Values.rbac.create (eq .Values.role
 * "Agent")`, read, not run), so under another `role` (an Aggregator; unset, the chart's default
 * Aggregator, values.yaml) turning the switch back on grants nothing.
 */
const SWITCH_RENDERS_ONLY_WITH: Record<string, { key: string; value: unknown }> = {
  vector: { key: "role", value: "Agent" },
};

/** Whether the chart renders its roles with its RBAC switch on, given the release's other values. */
export function switchRendersRoles(chart: string, values: Record<string, unknown>): boolean {
  const also = SWITCH_RENDERS_ONLY_WITH[chart];
  return also === undefined || values[also.key] === also.value;
}

/** One call on the Kubernetes API, without which component makes it (upstream/alloy/apiNeeds.ts). */
export type ApiCall = Omit<ApiNeed, "component" | "source">;

/** One verb on one kind of object (or a non-resource URL) that a binding grants, where. */
export interface Grant {
  apiGroup?: string;
  resource?: string;
  nonResourceURL?: string;
  verb: string;
  /** Absent: cluster-wide (a ClusterRoleBinding). */
  namespace?: string;
  /** Empty: every object of the kind. */
  names: string[];
  via: string;
}

/**
 * The grants of a role's rules bound in `namespace` (a RoleBinding), or cluster-wide (absent): a
 * RoleBinding grants no non-resource URL (Kubernetes RBAC: those are cluster-scoped).
 */
export function ruleGrants(rules: unknown, via: string, namespace?: string): Grant[] {
  const out: Grant[] = [];
  const list = (x: unknown) => (Array.isArray(x) ? x.map(String) : []);
  for (const r of Array.isArray(rules) ? (rules as Record<string, unknown>[]) : []) {
    if (typeof r !== "object" || r === null) continue;
    for (const verb of list(r.verbs)) {
      for (const url of list(r.nonResourceURLs))
        if (!namespace) out.push({ nonResourceURL: url, verb, names: [], via });
      for (const apiGroup of list(r.apiGroups))
        for (const resource of list(r.resources))
          out.push({
            apiGroup,
            resource,
            verb,
            ...(namespace ? { namespace } : {}),
            names: list(r.resourceNames),
            via,
          });
    }
  }
  return out;
}

const anyOf = (list: string[] | undefined, x: string) => !!list && (list.includes(x) || list.includes("*"));

/** Whether a grant allows a call. */
export function covers(g: Grant, n: ApiCall): boolean {
  if (n.nonResourceURL !== undefined)
    return (
      g.nonResourceURL !== undefined &&
      (g.nonResourceURL === n.nonResourceURL ||
        g.nonResourceURL === "*" ||
        (g.nonResourceURL.endsWith("*") && n.nonResourceURL.startsWith(g.nonResourceURL.slice(0, -1)))) &&
      (g.verb === n.verb || g.verb === "*")
    );
  if (g.nonResourceURL !== undefined) return false;
  if (!anyOf([g.apiGroup!], n.apiGroup!) || !anyOf([g.resource!], n.resource!)) return false;
  if (g.verb !== n.verb && g.verb !== "*") return false;
  if (g.namespace !== undefined && g.namespace !== n.namespace) return false;
  if (g.names.length > 0 && (n.name === undefined || !g.names.includes(n.name))) return false;
  return true;
}

/**
 * What the roles a chart renders with its RBAC switch on grant its ServiceAccount, from the
 * release's values; undefined for a chart not read here. alloy 1.5.0 templates/rbac.yaml, read,
 * not run: with `rbac.namespaces` set, a Role of `rbac.rules` and its RoleBinding in each of them
 * (lines 2-32); otherwise one ClusterRole of `rbac.rules` then `rbac.clusterRules` and its
 * ClusterRoleBinding (lines 33-61).
 */
export function switchedOnGrants(chart: string, values: Record<string, unknown>): Grant[] | undefined {
  if (chart !== "alloy") return undefined;
  const rbac = (typeof values.rbac === "object" && values.rbac !== null ? values.rbac : {}) as Record<
    string,
    unknown
  >;
  const via = "alloy rbac.create";
  const namespaces = Array.isArray(rbac.namespaces) ? rbac.namespaces.map(String) : [];
  if (namespaces.length > 0) return namespaces.flatMap((ns) => ruleGrants(rbac.rules, via, ns));
  return [...ruleGrants(rbac.rules, via), ...ruleGrants(rbac.clusterRules, via)];
}
