import type { EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { allPolicies } from "./policies";

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

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;

/**
 * Evaluates the pack over an export the way the engine does during preview: every custom resource
 * through each resource policy, then the whole stack through each stack policy.
 */
export async function evaluateResources(
  resources: ExportedResource[],
  config: PackConfig = {},
  policies: (ResourceValidationPolicy | StackValidationPolicy)[] = allPolicies(),
): Promise<Violation[]> {
  const violations: Violation[] = [];
  const custom = resources.filter(
    (r) => r.custom !== false && r.type !== "pulumi:pulumi:Stack" && !r.type.startsWith("pulumi:providers:"),
  );
  const propsOf = (r: ExportedResource) =>
    r.inputs && Object.keys(r.inputs).length > 0 ? r.inputs : (r.outputs ?? {});
  const opts = (r: ExportedResource) => ({
    protect: r.protect === true,
    retainOnDelete: r.retainOnDelete === true,
    ignoreChanges: [],
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    parent: r.parent,
  });
  const unsupported = () => {
    throw new Error("isType/asType are not available in the offline checker; compare args.type instead");
  };
  // Built once for all policies; getConfig reads the policy being evaluated.
  let policyConfig: Record<string, unknown> = {};
  const base = {
    stackTags: new Map<string, string>(),
    getConfig: <T extends object>() => policyConfig as T,
    notApplicable: (): never => {
      throw new NotApplicable();
    },
    isType: unsupported,
    asType: unsupported,
  };
  const resourceArgs = custom.map((r) => ({
    ...base,
    type: r.type,
    props: propsOf(r),
    urn: r.urn,
    name: nameOf(r.urn),
    opts: opts(r),
  }));
  const stackResources = resourceArgs.map((a) => ({ ...a, dependencies: [], propertyDependencies: {} }));
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
        for (const args of resourceArgs) {
          for (const v of validators) {
            try {
              await v(args as any, (message: string, urn?: string) =>
                violations.push({ policy: policy.name, level, urn: urn ?? args.urn, message }),
              );
            } catch (e) {
              if (!(e instanceof NotApplicable)) throw e;
            }
          }
        }
      } else if ("validateStack" in policy) {
        await policy.validateStack(
          { ...base, resources: stackResources } as any,
          (message: string, urn?: string) => violations.push({ policy: policy.name, level, urn, message }),
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
