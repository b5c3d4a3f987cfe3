import { PROJECT } from "../model/names";
import { RECEIVER_CREDENTIALS_KEY } from "../model/secrets";
import { needsCredential } from "./receivers";
import type { ReceiverConfig } from "./schema";

/*
 * The receivers' credentials with the `config` secrets backend: one Pulumi secret,
 * `receiverCredentials`, a map from receiver name to its credential (`pulumi config set --secret
 * --path 'receiverCredentials.<name>' <value>`; the runtime hands a map over as JSON text). Only
 * its names are read here; the values stay Pulumi secrets (config/load.ts).
 */

/** The receiver names `receiverCredentials` holds; undefined when it is not set, "invalid" when it is no map of text. */
export function credentialNames(text: string | undefined): string[] | "invalid" | undefined {
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return "invalid";
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return "invalid";
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.some(([, v]) => typeof v !== "string" || v === "")) return "invalid";
  return entries.map(([k]) => k);
}

/** Receivers whose credential the secrets backend must hold. */
export function credentialReceivers(receivers: ReceiverConfig[]): ReceiverConfig[] {
  return receivers.filter(needsCredential);
}

/**
 * What is wrong with `receiverCredentials` for these receivers (config backend): each problem
 * names the key and the receiver, never a value. `names` undefined (not set) is reported by the
 * caller's absent-secrets rule.
 */
export function receiverCredentialProblems(
  receivers: ReceiverConfig[],
  names: string[] | "invalid" | undefined,
): string[] {
  const key = `${PROJECT}:${RECEIVER_CREDENTIALS_KEY}`;
  if (names === "invalid")
    return [
      `${key}: expected a secret map from receiver name to its credential (\`pulumi config set --secret --path '${RECEIVER_CREDENTIALS_KEY}.<name>' <value>\`), got a secret value of another form (not shown)`,
    ];
  if (names === undefined) return [];
  return credentialReceivers(receivers)
    .filter((r) => !names.includes(r.name))
    .map(
      (r) =>
        `${key}.${r.name}: required for alerting.receivers "${r.name}" (${r.type}); set it with \`pulumi config set --secret --path '${RECEIVER_CREDENTIALS_KEY}.${r.name}' <value>\``,
    );
}
