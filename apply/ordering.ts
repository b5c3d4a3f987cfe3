import * as pulumi from "@pulumi/pulumi";
import { NAMESPACE_TYPE } from "../model/names";

const SECRET_TYPE = "kubernetes:core/v1:Secret";
const PRIORITY_CLASS_TYPE = "kubernetes:scheduling.k8s.io/v1:PriorityClass";
const RELEASE_TYPES = new Set(["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"]);
/** API groups whose CRDs the program's CRD release installs. */
const CRD_GROUPS = ["monitoring.coreos.com"];

/** True when `type` creates custom resources that need the CRD release first. */
export function needsCrds(type: string): boolean {
  // Charts render ServiceMonitors, PodMonitors and PrometheusRules from their values; applied
  // before the CRDs exist they fail with "no matches for kind".
  if (RELEASE_TYPES.has(type)) return true;
  const group = type.split(":")[1]?.split("/")[0];
  return CRD_GROUPS.includes(group);
}

/** Every string plain data (never Outputs or promises) holds, down to 12 levels. */
export function stringsIn(value: unknown, into = new Set<string>(), depth = 0): Set<string> {
  if (typeof value === "string") into.add(value);
  else if (value && typeof value === "object" && depth <= 12) {
    if (pulumi.Output.isInstance(value) || value instanceof Promise || pulumi.Resource.isInstance(value))
      return into;
    for (const v of Object.values(value)) stringsIn(v, into, depth + 1);
  }
  return into;
}

/**
 * Whether plain data (never Outputs or promises) holds the string `name` anywhere, down to the
 * depth {@link stringsIn} reads. It stops at the first match and keeps no set of every string:
 * tests ask it of every resource's inputs for each Secret.
 */
export function mentions(value: unknown, name: string): boolean {
  return mentionedIn(value, name, 0);
}
function mentionedIn(value: unknown, name: string, depth: number): boolean {
  if (typeof value === "string") return value === name;
  if (!value || typeof value !== "object" || depth > 12) return false;
  if (pulumi.Output.isInstance(value) || value instanceof Promise || pulumi.Resource.isInstance(value))
    return false;
  for (const v of Object.values(value)) if (mentionedIn(v, name, depth + 1)) return true;
  return false;
}

/**
 * Ordering as data: a resource transformation that makes every Kubernetes resource the program
 * registers depend on the stack's namespaces, every release or custom resource depend on the
 * release that installs the CRDs, and every resource that names a Secret the program made depend
 * on that Secret. Dependencies end up in each resource's `dependsOn` (and in the state's
 * `dependencies`), so the engine orders them and tests can read them.
 */
export class Ordering {
  /** The namespaces the stack creates (its own and the agents'); every other object waits for them. */
  readonly namespaces: pulumi.Resource[] = [];
  crdRelease?: pulumi.Resource;
  /** PriorityClasses by name: whatever names one waits for it (admission refuses an unknown class). */
  readonly priorityClasses = new Map<string, pulumi.Resource>();
  private readonly secrets = new Map<string, pulumi.Resource>();

  /** `opts` with the ordering transformation first (children inherit it). */
  options(opts: pulumi.ComponentResourceOptions): pulumi.ComponentResourceOptions {
    return { ...opts, transformations: [this.transformation, ...(opts.transformations ?? [])] };
  }

  private readonly transformation: pulumi.ResourceTransformation = ({ type, props, opts, resource }) => {
    if (!type.startsWith("kubernetes:")) return undefined;
    const deps: pulumi.Resource[] = [];
    if (type !== NAMESPACE_TYPE) deps.push(...this.namespaces);
    if (this.crdRelease && resource !== this.crdRelease && needsCrds(type)) deps.push(this.crdRelease);
    // A Secret read with `get` (takeover) has no inputs; its ID `<namespace>/<name>` names it.
    const name = props.metadata?.name ?? (typeof opts.id === "string" ? opts.id.split("/").pop() : undefined);
    if (type === SECRET_TYPE && typeof name === "string") {
      this.secrets.set(name, resource);
    } else if (type !== PRIORITY_CLASS_TYPE) {
      // One walk of the props for all Secrets and classes (a PrometheusRule's props run to 150 KB).
      const named = [...this.secrets, ...this.priorityClasses];
      const strings = named.length > 0 ? stringsIn(props) : undefined;
      for (const [n, r] of named) if (strings?.has(n)) deps.push(r);
    }
    if (deps.length === 0) return undefined;
    const given = opts.dependsOn;
    if (given !== undefined && !Array.isArray(given) && !pulumi.Resource.isInstance(given)) {
      throw new Error(`Ordering: ${type} has dependsOn as an Output; pass a list of resources`);
    }
    const existing = ([] as pulumi.Resource[]).concat((given as pulumi.Resource | pulumi.Resource[]) ?? []);
    return {
      props,
      opts: { ...opts, dependsOn: [...existing, ...deps.filter((d) => !existing.includes(d))] },
    };
  };
}
