import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { expansionProblem } from "@homelab-observability/contract";

/** Keys each Secret the program reads must hold; the synthesis models the read Secret with them. */
const expectedKeys = new WeakMap<pulumi.Resource, string[]>();

/** Keys the program requires of a Secret it reads (undefined for any other resource). */
export function requiredSecretKeys(resource: pulumi.Resource): string[] | undefined {
  return expectedKeys.get(resource);
}

/** Which of `required` a Secret's data lacks (names only: values are never looked at). */
export function missingSecretKeys(data: Record<string, unknown> | undefined, required: string[]): string[] {
  return required.filter((k) => data?.[k] === undefined);
}

/**
 * The words for a read Secret lacking `missing` of `required`. The way out adds the keys beside the
 * ones it holds: the Secret is the running stack's (takeover.secrets), whose pods read it by its
 * present keys until the update replaces them, so renaming a key would break what runs now.
 */
export function missingKeysProblem(missing: string[], required: string[]): string {
  const one = missing.length === 1;
  return `has no key ${missing.join(", ")}; expected keys ${required.join(", ")} (add ${one ? "it" : "them"} in the Secret's source, e.g. its ExternalSecret's target, beside the keys it holds, and keep those: what runs now may read them until the update)`;
}

/**
 * Which of `keys` hold a value that is unsafe to expand into an engine's YAML (contract/expansion.ts),
 * with the reason; names keys only, never values. `data` is the Secret's base64 data.
 */
export function unsafeExpandedKeys(
  data: Record<string, unknown> | undefined,
  keys: string[],
): { key: string; problem: string }[] {
  return keys.flatMap((key) => {
    const raw = data?.[key];
    if (typeof raw !== "string") return [];
    const problem = expansionProblem(Buffer.from(raw, "base64").toString("utf8"));
    return problem ? [{ key, problem }] : [];
  });
}

/**
 * Reads an existing Secret the operator keeps (takeover.secrets): never created, updated or
 * deleted by Pulumi. The read runs in preview too, so a missing Secret, or one without the keys its
 * consumer loads, stops the preview with the key path instead of crash-looping pods after the update.
 */
export function readExistingSecret(
  resourceName: string,
  namespace: string,
  secretName: string,
  required: string[],
  configKey: string,
  opts: pulumi.CustomResourceOptions,
  /**
   * The engine whose config file expands these keys as `${VAR}` (Loki's and Mimir's
   * -config.expand-env): their values become YAML source, so one that would change the file stops
   * the preview here instead of the engine at load. Default none.
   */
  expandedBy?: string,
): k8s.core.v1.Secret {
  const secret = k8s.core.v1.Secret.get(resourceName, `${namespace}/${secretName}`, opts);
  expectedKeys.set(secret, required);
  secret.data.apply((data) => {
    const missing = missingSecretKeys(data, required);
    if (data !== undefined && missing.length > 0)
      throw new Error(
        `homelab-observability:${configKey}: Secret ${namespace}/${secretName} ${missingKeysProblem(missing, required)}`,
      );
    const unsafe = expandedBy ? unsafeExpandedKeys(data, required) : [];
    if (unsafe.length > 0)
      throw new Error(
        `homelab-observability:${configKey}: Secret ${namespace}/${secretName}: ${unsafe.map((u) => `key ${u.key} ${u.problem}`).join("; ")}; ${expandedBy} expands it into its YAML config before parsing, so the file would change: expected a value of letters, digits and -_./+= (rotate the credential in the Secret's source)`,
      );
  });
  return secret;
}
