import { PROJECT } from "../model/names";
import { RECEIVER_CREDENTIALS_KEY } from "../model/secrets";
import { closestMatch } from "./errors";
import { propertyPath, secretMapSteps, setSecretCommand } from "./stackFile";
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

/** The text of the problem of a `receiverCredentials` that is no map of text. */
export const INVALID_CREDENTIALS_PROBLEM = `${PROJECT}:${RECEIVER_CREDENTIALS_KEY}: expected a map from receiver name to its secret credential (${secretMapSteps(RECEIVER_CREDENTIALS_KEY)}), got a secret value that is no such map (not shown)`;

/** The names `receiverCredentials` holds that are no receiver's (a slip, or a receiver since removed). */
function unknownCredentialNames(receivers: ReceiverConfig[], names: string[]): string[] {
  return names.filter((n) => !receivers.some((r) => r.name === n));
}

/**
 * What is wrong with `receiverCredentials` for these receivers (config backend): each problem
 * names the key and the receiver, never a value. A name that is no receiver's but close to one
 * (a slip) is named with that receiver; when that receiver's own credential is missing, that one message
 * stands for both (one slip, one line). `names` undefined (not set) is reported by the caller's
 * absent-secrets rule.
 */
export function receiverCredentialProblems(
  receivers: ReceiverConfig[],
  names: string[] | "invalid" | undefined,
): string[] {
  const key = `${PROJECT}:${RECEIVER_CREDENTIALS_KEY}`;
  const set = (name: string) => `\`${setSecretCommand(RECEIVER_CREDENTIALS_KEY, [name], PROJECT)}\``;
  if (names === "invalid") return [INVALID_CREDENTIALS_PROBLEM];
  if (names === undefined) return [];
  const needing = credentialReceivers(receivers);
  const missing = needing.filter((r) => !names.includes(r.name));
  const meant = new Set<string>();
  // Only a name close to a receiver's is named: a credential kept for a receiver since removed
  // harms nothing, and guessing which one it was would be a wild guess.
  const unknown = unknownCredentialNames(receivers, names).flatMap((n) => {
    const near = closestMatch(
      n,
      needing.map((x) => x.name),
    );
    const r = needing.find((x) => x.name === near);
    if (!r) return [];
    const at = (name: string) => propertyPath(RECEIVER_CREDENTIALS_KEY, [name]);
    if (missing.includes(r)) meant.add(r.name);
    return [
      `${PROJECT}:${at(n)}: unknown receiver name; did you mean "${r.name}"? (alerting.receivers "${r.name}" (${r.type}) reads its credential under its own name${missing.includes(r) ? ", and has none" : ""}: set it with ${set(r.name)}, then remove this one with \`pulumi config rm --path '${at(n)}'\`)`,
    ];
  });
  return [
    ...unknown,
    ...missing
      .filter((r) => !meant.has(r.name))
      .map(
        (r) =>
          `${key}.${r.name}: required for alerting.receivers "${r.name}" (${r.type}); set it with ${set(r.name)}`,
      ),
  ];
}
