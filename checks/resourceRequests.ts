/**
 * Each container's `resources.requests` against its `resources.limits` (every pod of the stack:
 * built-in workloads, hooks and the pods the operators make; init containers too), as the API
 * server judges them. The OpenAPI schema (checks/schema.ts) reads each map alone, so a chart values
 * override that raises a request past the chart's limit (grafana.resources.requests.memory: 2Gi
 * beside the chart's 512Mi limit) passes it; the API server refuses the pod. The rule is restated
 * from Kubernetes pkg/apis/core/validation/validation.go `validateResourceRequirements` (read, not
 * run, in kubernetes/kubernetes at commit 000f2605, the stored snapshot; `IsOvercommitAllowed` in
 * pkg/apis/core/helper/helpers.go): for every resource named in both maps, the request "must be
 * less than or equal to <resource> limit of <limit>"; for one without overcommit (a hugepages-
 * resource, or an extended one, named with a `/` outside kubernetes.io/) it "must be equal to
 * <resource> limit of <limit>", and a request of one without a limit is refused: "Limit must be set
 * for non overcommitable resources".
 * A Deployment's or StatefulSet's pods are refused by their controller, so the release installs and
 * no pod starts.
 */
import { quantityValue } from "@homelab-observability/contract";
import type { Finding, Placed } from "./objects";
import { containerResources } from "./resourceNames";

/** One finding per resource whose request its limit does not allow (or, without overcommit, that has no limit), naming the container and both values. */
export function checkResourceRequests(objects: Placed[]): { findings: Finding[] } {
  const findings: Finding[] = [];
  for (const { where, requests, limits } of containerResources(objects)) {
    if (!requests) continue;
    for (const [name, request] of Object.entries(requests)) {
      // The verdict rests on this resource's request and limit alone: an override of another
      // resource, or one whose value happens to be a word of the message, is no cause of it.
      const judged = [`resources.requests.${name}`, `resources.limits.${name}`];
      if (!limits || !(name in limits)) {
        // A request without a limit: overcommit up to the node, which only a resource that allows
        // overcommit has (the API server: `Limit must be set for non overcommitable resources`).
        if (!overcommitAllowed(name))
          findings.push({
            check: "resource-request",
            where,
            message:
              `resources.limits.${name}: expected a limit equal to the request resources.requests.${name} (${String(request)}), found none ` +
              `(the API server refuses the pod: "Limit must be set for non overcommitable resources", as ${name} is not overcommitted); set the limit to the request`,
            judged,
          });
        continue;
      }
      const limit = limits[name];
      const asked = quantityValue(request);
      const allowed = quantityValue(limit);
      // A value that is no quantity is the schema check's to report.
      if (asked === undefined || allowed === undefined) continue;
      const equal = !overcommitAllowed(name);
      if (equal ? asked === allowed : asked <= allowed) continue;
      findings.push({
        check: "resource-request",
        where,
        message: equal
          ? `resources.requests.${name}: expected the container's limit resources.limits.${name} (${String(limit)}), got ${String(request)} ` +
            `(the API server refuses the pod: "must be equal to ${name} limit", as ${name} is not overcommitted); set the request and the limit alike`
          : `resources.requests.${name}: expected at most the container's limit resources.limits.${name} (${String(limit)}), got ${String(request)} ` +
            `(the API server refuses the pod: "must be less than or equal to ${name} limit"); raise the limit with the request, or lower the request`,
        judged,
      });
    }
  }
  return { findings };
}

/**
 * validation.go `isOvercommitAllowed`: a native resource (no `/`, or in kubernetes.io/) that is no
 * hugepages- one. Any other's request must equal its limit.
 */
function overcommitAllowed(name: string): boolean {
  const native = !name.includes("/") || name.includes("kubernetes.io/");
  return native && !name.startsWith("hugepages-");
}
