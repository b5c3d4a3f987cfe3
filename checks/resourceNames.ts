/**
 * The resource names of each container's `resources.requests` and `resources.limits` (every pod of
 * the stack: built-in workloads, hooks and the pods the operators make), as the API server judges
 * them. The OpenAPI schema (checks/schema.ts) types both as a map of quantities whatever its keys,
 * so a misspelt `memroy: 1Gi` from a chart values override passes it; the API server refuses the
 * pod (Kubernetes v1.31 pkg/apis/core/validation/validation.go `validateContainerResourceName`: a
 * name without a `/` must pass pkg/apis/core/helper/helpers.go `IsStandardContainerResourceName`,
 * "must be a standard resource for containers"; one with a `/` outside `kubernetes.io/` must pass
 * `IsExtendedResourceName`, "doesn't follow extended resource name standard"). A Deployment's or
 * StatefulSet's pods are refused by their controller, so the release installs and no pod starts.
 */
import { closestMatch } from "@homelab-observability/contract";
import { DNS_SUBDOMAIN } from "../config/schema";
import { containersOf, describe, type Finding, type Placed } from "./objects";
import { podViews } from "./privileges";

/** helpers.go `standardContainerResources`; `hugepages-<size>` names pass too (IsHugePageResourceName). */
const STANDARD = ["cpu", "memory", "ephemeral-storage"];
const HUGEPAGES = "hugepages-";
/** apimachinery validation.go IsQualifiedName's name part (at most 63 characters). */
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

/** What the API server says of a container's resource name, or undefined when it takes it. */
export function resourceNameProblem(name: string): string | undefined {
  const parts = name.split("/");
  if (parts.length === 1) {
    if (STANDARD.includes(name) || name.startsWith(HUGEPAGES)) return undefined;
    const near = closestMatch(name, STANDARD);
    return (
      `expected a standard resource name for containers (${STANDARD.join(", ")} or ${HUGEPAGES}<size>) or an extended one with a domain prefix (example.com/gpu), ` +
      `got ${JSON.stringify(name)}${near ? `; did you mean ${near}?` : ""} (the API server refuses the pod: "must be a standard resource for containers")`
    );
  }
  const [prefix, rest] = parts;
  // A name in kubernetes.io/ is native (IsNativeResource) and passes as qualified; any other must
  // also not start with "requests." (IsExtendedResourceName, the quota's convention).
  const qualified =
    parts.length === 2 &&
    prefix.length <= 253 &&
    DNS_SUBDOMAIN.test(prefix) &&
    rest.length <= 63 &&
    QUALIFIED_NAME.test(rest);
  if (qualified && (name.includes("kubernetes.io/") || !name.startsWith("requests."))) return undefined;
  return `expected an extended resource name (a DNS subdomain, "/", and a name of at most 63 letters, digits, '-', '_' or '.', not starting with "requests."), got ${JSON.stringify(name)} (the API server refuses the pod: "doesn't follow extended resource name standard")`;
}

/**
 * Each container of every pod of the stack (podViews: built-in workloads, hooks, operators' pods;
 * init containers too) with its `resources.requests` and `resources.limits` maps (undefined when not
 * a map) and where a finding on it is: the walk both checks of container resources make.
 */
export function* containerResources(objects: Placed[]): Generator<{
  where: string;
  container: string;
  requests: Record<string, unknown> | undefined;
  limits: Record<string, unknown> | undefined;
}> {
  const asMap = (v: unknown) => (v && typeof v === "object" ? (v as Record<string, unknown>) : undefined);
  for (const pod of podViews(objects))
    for (const c of containersOf(pod.spec))
      yield {
        where: `${describe(pod.owner)} container ${c.name}`,
        container: c.name,
        requests: asMap(c?.resources?.requests),
        limits: asMap(c?.resources?.limits),
      };
}

/** One finding per resource name the API server would refuse, naming the container and the path. */
export function checkResourceNames(objects: Placed[]): { findings: Finding[] } {
  const findings: Finding[] = [];
  for (const c of containerResources(objects)) {
    for (const kind of ["requests", "limits"] as const) {
      for (const name of Object.keys(c[kind] ?? {})) {
        const problem = resourceNameProblem(name);
        if (problem)
          findings.push({
            check: "resource-name",
            where: c.where,
            message: `resources.${kind}.${name}: ${problem}`,
            // The name is the mistake: an override setting it (`resources.limits.memroy`), or the
            // map holding it, is the cause; one setting another name beside it (`cpu`) is not,
            // though the message lists `cpu` among the standard names.
            judged: [`resources.${kind}.${name}`],
            containers: [c.container],
          });
      }
    }
  }
  return { findings };
}
