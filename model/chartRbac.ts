/**
 * The chart values key that switches off every role and binding a chart renders for its
 * ServiceAccount: one fact for the report's tracing of a missing grant to that key
 * (synth/report.ts rbacSwitchedOff).
 */

/**
 * Each chart's RBAC switch: set to false, the chart renders no Role, ClusterRole or binding at all,
 * so whatever its ServiceAccount lacks on the API follows from the key, whatever the program's
 * values put in the rules. Read in the pinned charts' templates (model/versions.ts), read, not run:
 * alloy 1.5.0 templates/rbac.yaml:1 (`if .Values.rbac.create`, around the Roles and RoleBindings
 * of rbac.namespaces and the ClusterRole and ClusterRoleBinding otherwise, to line 62); grafana
 * 12.3.1 templates/role.yaml:1, rolebinding.yaml:1, clusterrole.yaml:1 and
 * clusterrolebinding.yaml:1 (each `if` starts with `.Values.rbac.create`); vector 0.56.0
 * templates/rbac.yaml:1 (`if and .Values.rbac.create (eq .Values.role "Agent")`, its one
 * ClusterRole and ClusterRoleBinding, to line 48).
 */
export const RBAC_SWITCHES: Record<string, string> = {
  alloy: "rbac.create",
  grafana: "rbac.create",
  vector: "rbac.create",
};
