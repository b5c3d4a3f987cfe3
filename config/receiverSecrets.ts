import { PROJECT } from "../model/names";
import { RECEIVER_CREDENTIALS_KEY } from "../model/secrets";
import { closestMatch, nearest } from "./errors";
import {
  plainTextFact,
  secretMapSteps,
  undecryptableFact,
  type PlainSecret,
  type SecureProblem,
} from "./stackFile";
import { propertyPath, removePathCommand, setSecretCommand } from "./tree";
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
 * The plain-text value among `plainText` that is the entry `name` of `receiverCredentials` and
 * nothing else: its leaf (the stack file's reading), or the whole key when the entry is all it
 * holds (the runtime's, which knows a key's secrecy, not a leaf's). A plain key holding other
 * entries too is another mistake, said on its own.
 */
function plainEntry(plainText: PlainSecret[], names: string[], name: string): PlainSecret | undefined {
  const key = `${PROJECT}:${RECEIVER_CREDENTIALS_KEY}`;
  return plainText.find(
    (p) =>
      p.key === key &&
      ((p.path.length === 1 && p.path[0] === name) || (p.path.length === 0 && names.length === 1)),
  );
}

/**
 * What is wrong with `receiverCredentials` for these receivers (config backend): each problem
 * names the key and the receiver, never a value. A name that is no receiver's but close to one
 * (a slip) is named with that receiver; when that receiver's own credential is missing, that one message
 * stands for both (one slip, one line). An entry under such a name written in plain text
 * (`plainText`), or whose `secure:` value the CLI cannot decrypt (`unreadable`), says so in that
 * message: its fix sets the credential anew as a secret under the right name and removes the
 * entry, mending both, so the value's own line is not said again (config/stackCheck.ts saidOnce,
 * config/load.ts). An undecryptable entry stops the CLI, so its name is said even when close to
 * none: with the nearest receiver still lacking its credential, or else as read by nothing, to
 * remove (its own line's "set it again" would set a name nothing reads). `names` undefined (not
 * set) is reported by the caller's absent-secrets rule.
 */
export function receiverCredentialProblems(
  receivers: ReceiverConfig[],
  names: string[] | "invalid" | undefined,
  slips: { unreadable?: SecureProblem[]; plainText?: PlainSecret[] } = {},
): string[] {
  const key = `${PROJECT}:${RECEIVER_CREDENTIALS_KEY}`;
  const set = (name: string) => `\`${setSecretCommand(RECEIVER_CREDENTIALS_KEY, [name], PROJECT)}\``;
  if (names === "invalid") return [INVALID_CREDENTIALS_PROBLEM];
  if (names === undefined) return [];
  const plainText = slips.plainText ?? [];
  const needing = credentialReceivers(receivers);
  const missing = needing.filter((r) => !names.includes(r.name));
  const meant = new Set<string>();
  const at = (name: string) => propertyPath(RECEIVER_CREDENTIALS_KEY, [name]);
  const remove = (name: string) => `\`${removePathCommand(RECEIVER_CREDENTIALS_KEY, [name], PROJECT)}\``;
  // Only a name close to a receiver's is named: a credential kept for a receiver since removed
  // harms nothing, and guessing which one it was would be a wild guess.
  const unknown = unknownCredentialNames(receivers, names).flatMap((n) => {
    const broken = (slips.unreadable ?? []).find(
      (p) => p.key === key && p.path.length === 1 && p.path[0] === n,
    );
    const near =
      closestMatch(
        n,
        needing.map((x) => x.name),
      ) ??
      (broken
        ? nearest(
            n,
            missing.map((x) => x.name),
          ).best
        : undefined);
    const r = needing.find((x) => x.name === near);
    const plain = plainEntry(plainText, names, n);
    const fact = broken ? undecryptableFact(broken) : plain ? plainTextFact(plain) : undefined;
    // Said after the hint, not inside the name's words: a fact in parentheses full of its own
    // parentheses hid what to do. Following the hint mends it too (the entry goes).
    const said = fact ? `; also, ${fact}` : "";
    if (!r)
      return broken
        ? [
            `${PROJECT}:${at(n)}: unknown receiver name: no receiver of alerting.receivers is named "${n}"${needing.length > 0 ? ` (those reading a credential: ${needing.map((x) => `"${x.name}"`).join(", ")})` : ""}, so nothing reads it; remove it with ${remove(n)}${said}`,
          ]
        : [];
    if (missing.includes(r)) meant.add(r.name);
    return [
      `${PROJECT}:${at(n)}: unknown receiver name; did you mean "${r.name}"? (alerting.receivers "${r.name}" (${r.type}) reads its credential under its own name${missing.includes(r) ? ", and has none" : ""}: set it${plain ? " as a secret" : ""} with ${set(r.name)}, then remove this one with ${remove(n)})${said}`,
    ];
  });
  return [
    ...unknown,
    ...unreadCredentials(receivers, names, plainText),
    ...missing
      .filter((r) => !meant.has(r.name))
      .map(
        (r) =>
          `${PROJECT}:${at(r.name)}: required for alerting.receivers "${r.name}" (${r.type}); set it with ${set(r.name)}`,
      ),
  ];
}

/**
 * An entry under the name of a receiver that reads no credential: an email receiver without
 * `auth_username`. Alertmanager logs in to the smarthost only with a username (prometheus/alertmanager
 * notify/email/email.go `auth`: no username, no authentication), and the program mounts the
 * credential only where it is read (config/receivers.ts needsCredential), so the mail goes out
 * without the login its writer set up. A plain-text entry says so here, once (config/stackCheck.ts
 * saidOnce).
 */
function unreadCredentials(receivers: ReceiverConfig[], names: string[], plainText: PlainSecret[]): string[] {
  return names.flatMap((n) => {
    const r = receivers.find((x) => x.name === n);
    if (!r || needsCredential(r)) return [];
    const at = propertyPath(RECEIVER_CREDENTIALS_KEY, [n]);
    const plain = plainEntry(plainText, names, n);
    return [
      `${PROJECT}:${at}: expected no credential for alerting.receivers "${n}" (${r.type}) while it has no auth_username (Alertmanager logs in to the smarthost only with one, so nothing reads it), got one (${plain ? plainTextFact(plain) : "not shown"}); set auth_username on the receiver, or remove it with \`${removePathCommand(RECEIVER_CREDENTIALS_KEY, [n], PROJECT)}\``,
    ];
  });
}
