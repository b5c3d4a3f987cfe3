import type {
  EnforcementLevel,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { allPolicies } from "./policies";
import {
  closeScope,
  holdsSecret,
  mapSecrets,
  isSecretEnvelope,
  openScope,
  PROP_AT,
  SECRET_STAND_IN,
  secretPlaintext,
} from "./lib/resources";
import { guardOf } from "./lib/typed";
import { computeBudget, formatBudget, stackFacts, type Budget } from "./lib/budget";
import type { Res } from "./lib/resources";
import { placerFor } from "./lib/stackKeys";

// The offline checker's way into the pack (the layout test holds policy/ to its entry points): the
// budget's text, and where the stack file writes a key a message names (cli/policyCheckRun.ts).
export { formatBudget, placerFor, type Budget };

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
  /**
   * The mistake's key (contract/mistakes.ts causeKey), when the policy knows it: findings of one
   * cause are one message (synth/report.ts mergeProblems). Reported through `reportCause`.
   */
  cause?: string;
  /**
   * The fields of the workload the policy's verdict rests on (`image`; `nodeSelector`,
   * `affinity`, `tolerations`), when it says so: a chartValues override is its cause when it sets
   * one of them (synth/report.ts overridesOn), whatever words the message uses. Reported through
   * `reportJudged` (policy/lib/report.ts).
   */
  judged?: string[];
  /** The containers (by name) whose fields `judged` are, when the policy says so (checks/objects.ts Finding). */
  containers?: string[];
}

/** Pack config as `pulumi preview --policy-pack-config` takes it: per policy a level or {enforcementLevel, ...}. */
export type PackConfig = Record<
  string,
  EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)
>;

/**
 * The settings one policy's `getConfig` returns under `config`: its own object without
 * `enforcementLevel`; {} for a level alone or none. The `all` entry gives a level and no settings:
 * the engine sets only all's level on each policy, keeping the policy's own settings
 * (pulumi/pulumi pkg/resource/analyzer/config.go applyConfig, read at 070757c7, not run). What
 * synth hands a rendered-object check that judges as a policy does (secret-read's operator images)
 * is read through this too.
 */
export function policySettings(config: PackConfig, name: string): Record<string, unknown> {
  const given = config[name];
  return typeof given === "object" && given
    ? Object.fromEntries(Object.entries(given).filter(([k]) => k !== "enforcementLevel"))
    : {};
}

/**
 * The level `policy` runs at under `config`, as the engine reconciles it (pulumi/pulumi
 * pkg/resource/analyzer/config.go applyConfig, read at 070757c7, not run): the `all` entry's level
 * over every policy's own, then the policy's own entry's level, when it gives one, over that. An
 * object of settings alone keeps `all`'s level. Else the policy's own level, else advisory. One
 * reading for the pack here (evaluateResources) and the checks synth runs as a policy's twin
 * ({@link policyLevel}). `remediate` is returned as given: evaluateResources reports it as mandatory.
 */
function configuredLevel(
  config: PackConfig,
  policy: Pick<ResourceValidationPolicy | StackValidationPolicy, "name" | "enforcementLevel">,
): EnforcementLevel {
  const levelOf = (given: PackConfig[string] | undefined) =>
    typeof given === "string" ? given : given?.enforcementLevel;
  return levelOf(config[policy.name]) ?? levelOf(config.all) ?? policy.enforcementLevel ?? "advisory";
}

/**
 * The level the pack's policy `name` runs at under `config` ({@link configuredLevel}), for synth's
 * rendered-object checks that judge as a policy does (synth/report.ts SAME_JUDGEMENT); undefined
 * for a name that is no policy of the pack.
 */
export function policyLevel(config: PackConfig, name: string): EnforcementLevel | undefined {
  policiesByName ??= new Map(allPolicies().map((p) => [p.name, p]));
  const policy = policiesByName.get(name);
  return policy && configuredLevel(config, policy);
}
/** The pack's policies by name, built on the first {@link policyLevel} call (synth asks for several). */
let policiesByName: Map<string, ResourceValidationPolicy | StackValidationPolicy> | undefined;

class NotApplicable extends Error {}

/** A violation as a report function's arguments give it: the cause and fields judged only when known. */
function violation(
  policy: string,
  level: EnforcementLevel,
  urn: string | undefined,
  message: string,
  cause: string | undefined,
  judged: readonly string[] | undefined,
  containers: readonly string[] | undefined,
): Violation {
  return {
    policy,
    level,
    urn,
    message,
    ...(cause ? { cause } : {}),
    ...(judged && judged.length > 0 ? { judged: [...judged] } : {}),
    ...(containers && containers.length > 0 ? { containers: [...containers] } : {}),
  };
}

/** A resource policy's validators; undefined for a stack policy. */
function validatorsOf(
  policy: ResourceValidationPolicy | StackValidationPolicy,
): ResourceValidation[] | undefined {
  if (!("validateResource" in policy && policy.validateResource)) return undefined;
  return Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
}

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
  // copying every resource's inputs. One copy-on-write walk instead of the search then the copy
  // was slower in the pack benchmark (main-thread CPU 287 -> 307 ms, medians of 15 alternated
  // runs), the search then a copy-on-write copy no faster (301 -> 303): the two walks stay.
  return holdsSecret(v) ? mapSecrets(v, unwrapped) : v;
}

/** A secret as the engine hands it over: its plaintext (JSON text when it parses), or the stand-in. */
function unwrapped(envelope: Record<string, any>): any {
  const plain = secretPlaintext(envelope);
  if (plain) return unwrapSecrets(plain.value);
  return "value" in envelope ? unwrapSecrets(envelope.value) : SECRET_STAND_IN;
}

/**
 * The resource options' parts that are the same for every resource: shared and frozen (policies
 * only read them; a write throws instead of reaching every other resource). Typed mutable as the
 * SDK's PolicyResourceOptions has them.
 */
const NO_NAMES = Object.freeze([]) as unknown as string[];
const NO_TIMEOUTS = Object.freeze({ createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 });

/**
 * The resource options the engine passes (pulumi pkg/resource/deploy/step_generator.go builds
 * AnalyzerResourceOptions; @pulumi/policy 1.21 server.js getResourceOptions): `protect` yes,
 * `retainOnDelete` never. The empty lists and zero timeouts are shared: four objects per resource
 * fewer over the pack benchmark's 20,000 args, which the stack policies keep alive until the end
 * (what lives is what the young generation's scavenges copy).
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
    ignoreChanges: NO_NAMES,
    aliases: NO_NAMES,
    customTimeouts: NO_TIMEOUTS,
    additionalSecretOutputs: NO_NAMES,
  };
  if (r.parent) opts.parent = r.parent;
  return opts;
}

/** The (empty) dependency fields the engine sends stack policies, shared and frozen likewise. */
const NO_DEPENDENCIES = Object.freeze([]) as unknown as never[];
const NO_PROPERTY_DEPENDENCIES = Object.freeze({}) as Record<string, never>;

/** What the stack policies see of the resources; `args` of every resource policy is a plain literal. */
type Shared = Pick<ResourceValidationArgs, "stackTags" | "getConfig" | "notApplicable" | "isType" | "asType">;

/**
 * A resource as a stack policy sees it, its outputs unwrapped when `props` is first read (then
 * kept). The stack policies read the props of only some types (never a PrometheusRule's rule
 * groups, a RandomPassword's secret result, a PriorityClass or a provider): over the pack
 * benchmark's 10,000 outputs, unwrapping all of them took 29.5 ms (warm, per type), those read
 * 18. With the shared option parts above: main-thread CPU 330 -> 308 ms per run (alternated,
 * medians of 15); then 299 -> 270 once chart workloads stopped reading every type's props
 * (policy/lib/workloads.ts defaultChartWorkloads).
 */
class StackResource {
  readonly stackTags: Shared["stackTags"];
  readonly getConfig: Shared["getConfig"];
  readonly notApplicable: Shared["notApplicable"];
  readonly isType: Shared["isType"];
  readonly asType: Shared["asType"];
  readonly type: string;
  readonly urn: string;
  readonly name: string;
  readonly opts: ReturnType<typeof engineOptions>;
  readonly dependencies = NO_DEPENDENCIES;
  readonly propertyDependencies = NO_PROPERTY_DEPENDENCIES;
  #props: Record<string, any> | undefined;
  readonly #resource: ExportedResource;
  constructor(shared: Shared, r: ExportedResource, props: Record<string, any> | undefined) {
    this.stackTags = shared.stackTags;
    this.getConfig = shared.getConfig;
    this.notApplicable = shared.notApplicable;
    this.isType = shared.isType;
    this.asType = shared.asType;
    this.type = r.type;
    this.urn = r.urn;
    this.name = nameOf(r.urn);
    this.opts = engineOptions(r);
    this.#resource = r;
    this.#props = props;
  }
  /** The outputs as the engine hands them over (inputs when none are recorded; none for a component without inputs). */
  get props(): Record<string, any> {
    if (this.#props === undefined) this.#props = outputsOf(this.#resource);
    return this.#props;
  }
  /**
   * `props` read along `path` (policy/lib/resources.ts propAt), unwrapping only the secrets on the
   * way and the value found: the same value `props` gives there, without walking the rest.
   */
  [PROP_AT](path: readonly string[]): unknown {
    let v: any = this.#props ?? this.#resource.outputs ?? this.#resource.inputs ?? {};
    for (const k of path) {
      // A secret holding the rest of the path is unwrapped whole (as unwrapSecrets does): no
      // secret is left inside what it gives.
      if (this.#props === undefined && isSecretEnvelope(v)) v = unwrapped(v);
      v = v?.[k];
    }
    return this.#props === undefined ? unwrapSecrets(v) : v;
  }
}

/** A resource's outputs, secrets unwrapped: during preview a resource about to be created has its inputs as outputs. */
function outputsOf(r: ExportedResource): Record<string, any> {
  return unwrapSecrets(r.outputs ?? r.inputs ?? {});
}

/**
 * Evaluates the pack over an export the way the engine does during preview: every registered
 * resource (custom or component, as step_generator.go analyzes each goal) through each resource
 * policy with its inputs, then the whole stack through each stack policy with each resource's
 * outputs (AnalyzeResources uses `v.Outputs`). Secrets arrive unwrapped, options carry `protect`
 * but not `retainOnDelete`, and v4 Chart / yaml v2 components carry no properties.
 *
 * Violations come policy by policy in pack order, each policy's in export order. The work runs
 * resource by resource (as the engine's Analyze calls do), so what the policies parse from one
 * resource's texts is shared by them and dropped before the next resource: over thousands of
 * resources the parsed documents never pile up for the garbage collector.
 */
export async function evaluateResources(
  resources: ExportedResource[],
  config: PackConfig = {},
  policies: (ResourceValidationPolicy | StackValidationPolicy)[] = allPolicies(),
): Promise<Violation[]> {
  const analyzed = resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
  const inputsOf = (r: ExportedResource) =>
    COMPONENTS_WITHOUT_INPUTS.has(r.type) ? {} : unwrapSecrets(r.inputs ?? {});
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
  // measurable share of the pack's time. Resource policies get the inputs; stack policies the
  // outputs (StackResource).
  const argsOf = (r: ExportedResource, props: Record<string, any>) => ({
    stackTags,
    getConfig,
    notApplicable,
    isType: unsupported,
    asType: unsupported,
    type: r.type,
    props,
    urn: r.urn,
    name: nameOf(r.urn),
    opts: engineOptions(r),
  });
  // A resource judged on its inputs as outputs (none recorded, or the same object) hands the stack
  // policies the props its resource policies got: its tree is searched for secrets and unwrapped
  // once, not twice.
  const inputsAsOutputs = (r: ExportedResource) =>
    (r.outputs === undefined || r.outputs === r.inputs) && !COMPONENTS_WITHOUT_INPUTS.has(r.type);

  // Each enabled policy with its level, its config and where its violations go.
  const found: Violation[][] = policies.map(() => []);
  const enabled = policies.flatMap((policy, at) => {
    const configured = configuredLevel(config, policy);
    if (configured === "disabled") return [];
    // The policy host reports a remediate policy's violations as mandatory (@pulumi/policy 1.21.0
    // server.js makeAnalyzeRpcFun: a violation left after remediation is "downgraded" to mandatory;
    // makeAnalyzeStackRpcFun: stack policies cannot remediate). No policy here remediates.
    const level: EnforcementLevel = configured === "remediate" ? "mandatory" : configured;
    return [{ policy, level, config: policySettings(config, policy.name), out: found[at] }];
  });

  // Resource policies. A validator guarded by its types (policy/lib/typed.ts) returns at once for
  // the others, so it is only called for its own; a resource no validator reads (a
  // PrometheusRule's rule groups, say) is never unwrapped or copied.
  let urnNow = "";
  // Per analyzed resource, the props its resource policies got when the stack policies get the same.
  const inputProps: (Record<string, any> | undefined)[] = new Array(analyzed.length);
  const resourcePolicies = enabled.flatMap(({ policy, level, config: own, out }) => {
    const validators = validatorsOf(policy);
    if (!validators) return [];
    // One report function per policy (as server.js makeReportViolationFun), not per call.
    // A third argument, the cause, a fourth, the fields judged, and a fifth, the containers they
    // are of, are what `reportCause` and `reportJudged` (policy/lib/report.ts) pass.
    const report = (
      message: string,
      urn?: string,
      cause?: string,
      judged?: readonly string[],
      containers?: readonly string[],
    ) => {
      out.push(violation(policy.name, level, urn ?? urnNow, message, cause, judged, containers));
    };
    // A guarded validator's own check is the one made here: its body is called directly.
    const guards = validators.map(guardOf);
    return [
      {
        validators: validators.map((v, j) => guards[j]?.validate ?? v),
        types: guards.map((g) => g?.types),
        config: own,
        report,
      },
    ];
  });
  // Per resource type, the validators that read it, in pack order (policy by policy, each one's in
  // its order): made once per type, not by asking every guard of every resource.
  type Call = { validate: ResourceValidation; policy: (typeof resourcePolicies)[number] };
  const callsByType = new Map<string, Call[]>();
  const callsFor = (type: string): Call[] => {
    let calls = callsByType.get(type);
    if (!calls) {
      calls = resourcePolicies.flatMap((p) =>
        p.validators.flatMap((validate, j) =>
          p.types[j]?.has(type) === false ? [] : [{ validate, policy: p }],
        ),
      );
      callsByType.set(type, calls);
    }
    return calls;
  };
  for (let i = 0; i < analyzed.length; i++) {
    const r = analyzed[i];
    const calls = callsFor(r.type);
    if (calls.length === 0) continue;
    // Closed whatever throws once it is open, argsOf too (a value nested deeper than the stack):
    // a scope left open kept its memos for every later evaluation of the process, stale.
    openScope();
    try {
      const args = argsOf(r, inputsOf(r));
      if (inputsAsOutputs(r)) inputProps[i] = args.props;
      for (const { validate, policy: p } of calls) {
        urnNow = args.urn;
        policyConfig = p.config;
        try {
          const pending = validate(args, p.report);
          // Await only what is a promise: one await per resource and policy is a measurable
          // share of the pack's time over thousands of resources.
          if (pending) await pending;
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
    } finally {
      closeScope();
    }
  }

  // Stack policies, over every resource's outputs.
  const stackPolicies = enabled.filter(({ policy }) => !validatorsOf(policy) && "validateStack" in policy);
  if (stackPolicies.length > 0) {
    const stackResources = analyzed.map((r, i) => new StackResource(base, r, inputProps[i]));
    openScope();
    try {
      for (const { policy, level, config: own, out } of stackPolicies) {
        policyConfig = own;
        try {
          await (policy as StackValidationPolicy).validateStack(
            { ...base, resources: stackResources },
            (
              message: string,
              urn?: string,
              cause?: string,
              judged?: readonly string[],
              containers?: readonly string[],
            ) => out.push(violation(policy.name, level, urn, message, cause, judged, containers)),
          );
        } catch (e) {
          if (!(e instanceof NotApplicable)) throw e;
        }
      }
    } finally {
      closeScope();
    }
  }
  return found.flat();
}

/**
 * Mandatory violations fail a check (exit 1); advisory ones are printed. (A remediate policy's
 * violations are mandatory by the time they are reported, as the engine's: evaluateResources.)
 */
export function failed(violations: Violation[]): boolean {
  return violations.some((v) => v.level === "mandatory");
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

/**
 * The stack's resource budget as the pack's budget policy computes it, from the stack's stack-info
 * ConfigMap (undefined without one): what the offline preview reports beside the violations. The
 * export's inputs are read as they are, secrets still wrapped.
 */
export function stackBudget(resources: ExportedResource[]): Budget | undefined {
  const res: Res[] = resources
    .filter((r) => r.custom)
    .map((r) => ({
      type: r.type,
      urn: r.urn,
      name: r.urn.split("::").pop()!,
      props: r.inputs as Res["props"],
    }));
  const facts = stackFacts(res);
  return facts.pools ? computeBudget(res, facts.pools, undefined, { facts }) : undefined;
}
