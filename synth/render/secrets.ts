import { mapSecrets } from "@homelab-observability/contract";

/** Stands in for a Pulumi secret inside rendered values: recognisable, never a real value. */
export const SECRET_PLACEHOLDER = "synth-secret-placeholder";

/** Replaces Pulumi secret envelopes by placeholder strings: Helm never sees a secret. */
export function placeholderSecrets(value: any): any {
  return mapSecrets(value, () => SECRET_PLACEHOLDER);
}
