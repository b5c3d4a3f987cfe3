import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { allPolicies } from "./policies";
import { isSecretEnvelope, SECRET_STAND_IN, withParseScope } from "./lib/resources";
import { guardOf } from "./lib/typed";

/** A resource of a `pulumi stack export` (version 3). */
export interface ExportedResource {
  urn: string;
  type: string;
  custom?: boolean;
  inputs?: Record<string, any>;
  outputs?: Record<string, any>;
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
}

export interface Violation {
  policy: string;
  level: EnforcementLevel;
  urn?: string;
  message: string;
}

/** Pack config as `pulumi preview --policy-pack-config` takes it: per policy a level or {enforcementLevel, ...}. */
export type PackConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

class NotApplicable extends Error {}

/** The last `::` part of a URN (its name), as `urn.split("::").pop()` without the array. */
const nameOf = (urn: string) => {
  const i = urn.lastIndexOf("::");
  return i < 0 ? urn : urn.slice(i + 2);
};

/**
 * Components pulumi-kubernetes registers from its Construct without inputs: the engine hands
 * policies only their rendered children (pulumi-kubernetes provider/pkg/provider/helm/v4 and
 * yaml/v2 register the component with an empty property map).
 */
export const COMPONENTS_WITHOUT_INPUTS = new Set([
  "kubernetes:helm.sh/v4:Chart",
  "kubernetes:yaml/v2:ConfigGroup",
  "kubernetes:yaml/v2:ConfigFile",
  "kubernetes:kustomize/v2:Directory",
]);

/** What a policy sees for a secret whose plaintext the export does not hold (ciphertext only). */
export { SECRET_STAND_IN };

/**
 * Secrets as the engine hands them to policies: unwrapped (@pulumi/policy 1.21 deserialize.js
 * deserializeProperty with proxySecrets false). An export from `pulumi stack export
 * --show-secrets` holds the plaintext (JSON text); one with ciphertext only gets a stand-in.
 */
export function unwrapSecrets(v: any): any {
  // Most trees hold no secret: hand those over as they are (policies only read them) instead of
  // copying every resource's inputs.
  return holdsSecret(v) ? unwrapped(v) : v;
}

function holdsSecret(v: any): boolean {
  if (!v || typeof v !== "object") return false;
  // Indexed loops over keys: Object.values would copy every object of every tree once more.
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (holdsSecret(v[i])) return true;
    return false;
  }
  if (isSecretEnvelope(v)) return true;
  for (const k of Object.keys(v)) if (holdsSecret(v[k])) return true;
  return false;
}

function unwrapped(v: any): any {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (!v || typeof v !== "object") return v;
  if (isSecretEnvelope(v)) {
    if (typeof v.plaintext === "string") {
      try {
        return unwrapSecrets(JSON.parse(v.plaintext));
      } catch {
        return v.plaintext;
      }
    }
    return "value" in v ? unwrapSecrets(v.value) : SECRET_STAND_IN;
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, unwrapSecrets(x)]));
}

/**
 * The resource options the engine passes (pulumi pkg/resource/deploy/step_generator.go builds
 * AnalyzerResourceOptions; @pulumi/policy 1.21 server.js getResourceOptions): `protect` yes,
 * `retainOnDelete` never.
 */
function engineOptions(r: ExportedResource) {
  const opts: {
    protect: boolean;
    ignoreChanges: string[];
    aliases: string[];
    customTimeouts: { createSeconds: number; updateSeconds: number; deleteSeconds: number };
    additionalSecretOutputs: string[];
    parent?: string;
  } = {
    protect: r.protect === true,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
  };
  if (r.parent) opts.parent = r.parent;
  return opts;
}

/**
 * Evaluates the pack over an export the way the engine does during preview: every registered
 * resource (custom or component, as step_generator.go analyzes each goal) through each resource
 * policy with its inputs, then the whole stack through each stack policy with each resource's
 * outputs (AnalyzeResources uses `v.Outputs`). Secrets arrive unwrapped, options carry `protect`
 * but not `retainOnDelete`, and v4 Chart / yaml v2 components carry no properties.
 */
export function evaluateResources(
  resources: ExportedResource[],
  config: PackConfig = {},
  policies: (ResourceValidationPolicy | StackValidationPolicy)[] = allPolicies(),
): Promise<Violation[]> {
  // Every ConfigMap text is parsed once for all policies, and the parses go with the evaluation.
  return withParseScope(() => evaluate(resources, config, policies));
}

async function evaluate(
  resources: ExportedResource[],
  config: PackConfig,
  policies: (ResourceValidationPolicy | StackValidationPolicy)[],
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const analyzed = resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
  // During preview a resource about to be created has its inputs as outputs: a resource without
  // recorded outputs is judged that way.
  const propsOf = (r: ExportedResource, which: "inputs" | "outputs") =>
    COMPONENTS_WITHOUT_INPUTS.has(r.type) && which === "inputs"
      ? {}
      : unwrapSecrets((which === "outputs" ? (r.outputs ?? r.inputs) : r.inputs) ?? {});
  const unsupported = () => {
    throw new Error("isType/asType are not available in the offline checker; compare args.type instead");
  };
  // Shared by all args; getConfig reads the policy being evaluated.
  let policyConfig: Record<string, unknown> = {};
  const stackTags = new Map<string, string>();
  const getConfig = <T extends object>() => policyConfig as T;
  const notApplicable = (): never => {
    throw new NotApplicable();
  };
  const base = { stackTags, getConfig, notApplicable, isType: unsupported, asType: unsupported };
  // One object literal per resource (no spreads): over 10,000 resources the spread copies were a
  // measurable share of the pack's time.
  const argsOf = (r: ExportedResource) => ({
    stackTags,
    getConfig,
    notApplicable,
    isType: unsupported,
    asType: unsupported,
    type: r.type,
    props: propsOf(r, "inputs"),
    urn: r.urn,
    name: nameOf(r.urn),
    opts: engineOptions(r),
  });
  const stackArgsOf = (r: ExportedResource) => ({
    stackTags,
    getConfig,
    notApplicable,
    isType: unsupported,
    asType: unsupported,
    type: r.type,
    props: propsOf(r, "outputs"),
    urn: r.urn,
    name: nameOf(r.urn),
    opts: engineOptions(r),
    dependencies: [] as never[],
    propertyDependencies: {} as Record<string, never>,
  });
  // A resource's args are built when the first validator that reads its type needs them: a
  // resource no validator reads (a PrometheusRule's rule groups, say) is never unwrapped or copied.
  const resourceArgs: ReturnType<typeof argsOf>[] = new Array(analyzed.length);
  const argsAt = (i: number) => (resourceArgs[i] ??= argsOf(analyzed[i]));
  const everyIndex = analyzed.map((_, i) => i);
  // Indices (in export order, so violations keep their order) of the resources of some types.
  const indicesByTypes = new Map<ReadonlySet<string>, number[]>();
  const indicesOf = (types: ReadonlySet<string>) => {
    let found = indicesByTypes.get(types);
    if (!found) {
      found = everyIndex.filter((i) => types.has(analyzed[i].type));
      indicesByTypes.set(types, found);
    }
    return found;
  };
  let stackResources: ReturnType<typeof stackArgsOf>[] | undefined;
  for (const policy of policies) {
    const given = config[policy.name] ?? (config as any).all;
    const level: EnforcementLevel =
      (typeof given === "string" ? given : given?.enforcementLevel) ?? policy.enforcementLevel ?? "advisory";
    if (level === "disabled") continue;
    policyConfig =
      typeof given === "object" && given
        ? Object.fromEntries(Object.entries(given).filter(([k]) => k !== "enforcementLevel"))
        : {};
    try {
      if ("validateResource" in policy && policy.validateResource) {
        const validators = Array.isArray(policy.validateResource)
          ? policy.validateResource
          : [policy.validateResource];
        // One report function per policy (as server.js makeReportViolationFun), not per call.
        let urnNow = "";
        const report = (message: string, urn?: string) => {
          violations.push({ policy: policy.name, level, urn: urn ?? urnNow, message });
        };
        // A validator guarded by its types (policy/lib/typed.ts) returns at once for the others:
        // it is only called for its own. Resources stay in export order, each through every
        // validator of the policy in turn, so violations come in the engine's order.
        const guards = validators.map(guardOf);
        const indices = guards.length === 1 && guards[0] ? indicesOf(guards[0].types) : everyIndex;
        for (const i of indices) {
          for (let j = 0; j < validators.length; j++) {
            if (guards[j] && !guards[j]!.types.has(analyzed[i].type)) continue;
            const args = argsAt(i);
            urnNow = args.urn;
            try {
              const pending = validators[j](args, report);
              // Await only what is a promise: one await per resource and policy is a measurable
              // share of the pack's time over thousands of resources.
              if (pending) await pending;
            } catch (e) {
              if (!(e instanceof NotApplicable)) throw e;
            }
          }
        }
      } else if ("validateStack" in policy) {
        stackResources ??= analyzed.map((r) => stackArgsOf(r));
        await policy.validateStack({ ...base, resources: stackResources }, (message: string, urn?: string) =>
          violations.push({ policy: policy.name, level, urn, message }),
        );
      }
    } catch (e) {
      if (!(e instanceof NotApplicable)) throw e;
    }
  }
  return violations;
}

/** Mandatory violations fail a check (exit 1); advisory ones are printed. */
export function failed(violations: Violation[]): boolean {
  return violations.some((v) => v.level === "mandatory" || v.level === "remediate");
}

/** Human-readable lines, mandatory first. */
export function formatViolations(violations: Violation[]): string {
  const order = (v: Violation) => (v.level === "mandatory" ? 0 : 1);
  return [...violations]
    .sort((a, b) => order(a) - order(b))
    .map((v) => `  [${v.level}] ${v.policy}: ${v.message}`)
    .join("\n");
}

/** `policy: pass (0 mandatory, 2 advisory)`: the verdict both CLIs print. */
export function verdict(violations: Violation[]): string {
  const mandatory = violations.filter((v) => v.level === "mandatory").length;
  return `policy: ${failed(violations) ? "FAIL" : "pass"} (${mandatory} mandatory, ${violations.length - mandatory} advisory)`;
}
