/**
 * Each container's `resources.requests` against its `resources.limits` (every pod of the stack:
 * built-in workloads, hooks and the pods the operators make; init containers too), as the API
 * server judges them. The OpenAPI schema (checks/schema.ts) reads each map alone, so a chart values
 * override that raises a request past the chart's limit (grafana.resources.requests.memory: 2Gi
 * beside the chart's 512Mi limit) passes it; the API server refuses the pod. The rule is restated
 * from Kubernetes v1.31 pkg/apis/core/validation/validation.go `ValidateResourceRequirements`: for
 * every resource named in both maps, the request "must be less than or equal to <resource> limit".
 * A Deployment's or StatefulSet's pods are refused by their controller, so the release installs and
 * no pod starts.
 */
import { quantityValue } from "@homelab-observability/contract";
import type { Finding, Placed } from "./objects";
import { containerResources } from "./resourceNames";

/** One finding per resource whose request exceeds its limit, naming the container and both values. */
export function checkResourceRequests(objects: Placed[]): { findings: Finding[] } {
  const findings: Finding[] = [];
  for (const { where, requests, limits } of containerResources(objects)) {
    if (!requests || !limits) continue;
    for (const [name, request] of Object.entries(requests)) {
      if (!(name in limits)) continue;
      const limit = limits[name];
      const asked = quantityValue(request);
      const allowed = quantityValue(limit);
      // A value that is no quantity is the schema check's to report.
      if (asked === undefined || allowed === undefined || asked <= allowed) continue;
      findings.push({
        check: "resource-request",
        where,
        message:
          `resources.requests.${name}: expected at most the container's limit resources.limits.${name} (${String(limit)}), got ${String(request)} ` +
          `(the API server refuses the pod: "must be less than or equal to ${name} limit"); raise the limit with the request, or lower the request`,
      });
    }
  }
  return { findings };
}
