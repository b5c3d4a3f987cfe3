import { mapSecrets, secretPlaintext } from "@homelab-observability/contract";

/** Stands in for a Pulumi secret inside rendered values: recognisable, never a real value. */
export const SECRET_PLACEHOLDER = "synth-secret-placeholder";

/**
 * Replaces Pulumi secret envelopes by placeholder strings: Helm never sees a secret's text. A
 * boolean or a number the envelope holds readable (`pulumi stack export --show-secrets`:
 * contract/secret.ts secretPlaintext) is rendered as itself: Helm branches on such a value
 * (Grafana's `persistence.enabled` decides whether its claim exists), and the placeholder, a
 * non-empty text, would read as true there, inventing objects the values never rendered.
 */
export function placeholderSecrets(value: any): any {
  return mapSecrets(value, (envelope) => {
    const read = secretPlaintext(envelope)?.value;
    return typeof read === "boolean" || typeof read === "number" ? read : SECRET_PLACEHOLDER;
  });
}
