import type { ResourceValidation } from "@pulumi/policy";

/**
 * The resource types a guarded validator reads, and the validator it guards. The engine has the
 * same idea for one type: @pulumi/policy 1.21 server.js makeAnalyzeRpcFun skips a validator whose
 * attached Pulumi type (validateResourceOfType; policy.js getPulumiType) differs from the
 * resource's. The pack's validators read a few types each, named by strings, so they guard
 * themselves.
 */
const GUARDED = new WeakMap<ResourceValidation, Guard>();

export interface Guard {
  types: ReadonlySet<string>;
  /** The validator without its guard (tests check it reports nothing for the other types). */
  validate: ResourceValidation;
}

/**
 * A validator that returns at once for resources whose type is not in `types` and runs `validate`
 * for the others. Live, the engine calls it for every resource and the guard decides; the offline
 * evaluator reads the types (guardOf) and does not call it for the other types at all: both skip
 * exactly the calls that report nothing.
 */
export function forTypes(types: ReadonlySet<string>, validate: ResourceValidation): ResourceValidation {
  const guarded: ResourceValidation = (args, report) =>
    types.has(args.type) ? validate(args, report) : undefined;
  GUARDED.set(guarded, { types, validate });
  return guarded;
}

/** The guard of a validator made by forTypes; undefined (it reads every type) for any other. */
export function guardOf(validate: ResourceValidation): Guard | undefined {
  return GUARDED.get(validate);
}
