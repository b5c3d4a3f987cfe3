import { isSecretEnvelope } from "@homelab-observability/contract";

/** Stands in for a Pulumi secret inside rendered values: recognisable, never a real value. */
export const SECRET_PLACEHOLDER = "synth-secret-placeholder";

/** Replaces Pulumi secret envelopes by placeholder strings: Helm never sees a secret. */
export function placeholderSecrets(value: any): any {
  if (isSecretEnvelope(value)) return SECRET_PLACEHOLDER;
  if (Array.isArray(value)) return value.map(placeholderSecrets);
  if (value && typeof value === "object") {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = placeholderSecrets(v);
    return out;
  }
  return value;
}
