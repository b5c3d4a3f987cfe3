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
import { isMap, propertyPath, removePathCommand, setSecretCommand } from "./tree";
import { isReceiverName, needsCredential, validReceiverName } from "./receivers";
import type { ReceiverConfig } from "./schema";
import { RECEIVER_TYPES, type ReceiverType } from "../upstream/alertmanagerReceivers";

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
 * A receiver of the stack file the schema refused (set aside, so the rules read none of it), as
 * `receiverCredentials` is judged against it: `name` as written, `valid` the name it takes once
 * mended (its own when valid; else the one its name's "did you mean" offers, config/receivers.ts
 * validReceiverName; undefined when none is free).
 */
export interface SetAsideReceiver {
  name: string;
  type: string;
  valid: string | undefined;
  /** The name its name reads as when that is another receiver's already (`team-slack` of `Team_Slack`). */
  taken?: string;
}

/**
 * The receivers of `raw` (the stack file's config) that none of `kept` (the schema's parse) is:
 * refused, for their name or another value. Only those that read a credential, as far as the file
 * tells (an email receiver without auth_username reads none; an unknown type may be one that does).
 */
export function setAsideReceivers(raw: Record<string, unknown>, kept: ReceiverConfig[]): SetAsideReceiver[] {
  const alerting = raw.alerting;
  const list = isMap(alerting) && Array.isArray(alerting.receivers) ? alerting.receivers : [];
  const names = list.map((o: unknown) => (isMap(o) ? o.name : undefined));
  return list.flatMap((o: unknown, i) => {
    if (!isMap(o) || typeof o.name !== "string" || kept.some((r) => r.name === o.name)) return [];
    const known = (RECEIVER_TYPES as readonly unknown[]).includes(o.type);
    const reads =
      !known ||
      needsCredential({ type: o.type as ReceiverType, auth_username: o.auth_username as string | undefined });
    if (!reads) return [];
    // The other receivers' names, as the name's own "did you mean" leaves them out (config/errors.ts).
    const taken = names.filter((_, j) => j !== i);
    const valid = isReceiverName(o.name) ? o.name : validReceiverName(o.name, taken);
    const readsAs = validReceiverName(o.name);
    return [
      {
        name: o.name,
        type: known ? String(o.type) : "type refused",
        valid,
        ...(valid === undefined && readsAs !== undefined && taken.includes(readsAs)
          ? { taken: readsAs }
          : {}),
      },
    ];
  });
}

/**
 * The receivers the stack file gives, as far as `receiverCredentials` is judged against them: each
 * item of `alerting.receivers` with a name the schema takes and a known type. For a run whose
 * alerting was cut whole (judged at its default, as when a receiver's `secure:` value stops the
 * CLI): the default has no receivers, and judged against none a credential's name was either "no
 * receiver's" (its own receiver's, wrongly) or not judged at all (a slip's hint then set it again
 * under the misspelt name, which the next run refuses).
 */
export function receiversAsWritten(raw: Record<string, unknown>): ReceiverConfig[] {
  const alerting = raw.alerting;
  const list: unknown[] = isMap(alerting) && Array.isArray(alerting.receivers) ? alerting.receivers : [];
  return list.flatMap((o) =>
    isMap(o) &&
    typeof o.name === "string" &&
    isReceiverName(o.name) &&
    (RECEIVER_TYPES as readonly unknown[]).includes(o.type)
      ? [
          {
            name: o.name,
            type: o.type,
            // Only its presence counts (needsCredential); a secure value is a map.
            ...(o.auth_username !== undefined
              ? { auth_username: typeof o.auth_username === "string" ? o.auth_username : "(secure)" }
              : {}),
          } as ReceiverConfig,
        ]
      : [],
  );
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
  aside: SetAsideReceiver[] = [],
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
    // The name a receiver the schema refused takes (`ops-pager` of `Ops_Pager`, or its own): that
    // receiver's entry, right once the receiver is mended, so no other receiver's to set instead;
    // its value's own line, if any, stands.
    if (aside.some((a) => a.valid === n)) return [];
    const broken = (slips.unreadable ?? []).find(
      (p) => p.key === key && p.path.length === 1 && p.path[0] === n,
    );
    const close = closestMatch(
      n,
      needing.map((x) => x.name),
    );
    // Kept for a receiver the schema refused: under the name that receiver takes, not this one.
    // An entry under a refused receiver's name (or nearer it than any kept one's) is that
    // receiver's, though the kept name is close too: `Team_Slack` beside a kept `team-slack` is not
    // team-slack's credential, and its hint must not set team-slack's.
    const closeAll = closestMatch(n, [...needing.map((x) => x.name), ...aside.map((a) => a.name)]);
    const refused =
      close === undefined || (closeAll !== close && aside.some((a) => a.name === closeAll))
        ? asideFor(n, aside)
        : undefined;
    const near =
      close ??
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
    if (refused) return asideProblem(n, refused, { plain: plain !== undefined, said });
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
 * The receiver the schema refused that the entry `n` of `receiverCredentials` is for: the one of
 * that name, else the one whose name, or the name it takes, `n` is a slip of (contract/closest.ts
 * closestMatch, as a slip of a kept receiver's name is found). Undefined when that is none, or
 * when `n` is already the name the receiver takes (its own problem is the receiver's).
 */
function asideFor(n: string, aside: SetAsideReceiver[]): SetAsideReceiver | undefined {
  const slip = closestMatch(
    n,
    aside.map((a) => a.name),
  );
  const slipOfValid = closestMatch(
    n,
    aside.flatMap((a) => a.valid ?? []),
  );
  const near =
    aside.find((a) => a.name === n) ??
    aside.find((a) => a.name === slip) ??
    aside.find((a) => a.valid !== undefined && a.valid === slipOfValid);
  return near && near.valid !== n ? near : undefined;
}

/**
 * The one problem of the entry `n` of `receiverCredentials` kept for a receiver the schema refused
 * (`a`): set as a secret under `n`, as its plain text's own line would say, it would be refused
 * again once the receiver is mended, as no receiver's name (the receiver reads its credential under
 * the name it takes, `a.valid`). So the hint sets it under that name, then removes this entry; its
 * plain text or undecryptable value is said here (`said`), as the removal mends it too.
 */
function asideProblem(n: string, a: SetAsideReceiver, opts: { plain: boolean; said: string }): string[] {
  const key = `${PROJECT}:${propertyPath(RECEIVER_CREDENTIALS_KEY, [n])}`;
  const remove = `\`${removePathCommand(RECEIVER_CREDENTIALS_KEY, [n], PROJECT)}\``;
  const found = `got "${n}", ${a.name === n ? "the name of" : "close to the name of"} the receiver "${a.name}" (${a.type}), which the schema refuses ${a.name === a.valid ? "for another of its values" : "for its name (its own problem says why)"}`;
  const asSecret = opts.plain ? " as a secret" : "";
  if (a.valid === undefined && a.taken !== undefined)
    return [
      `${key}: expected the name of a receiver the schema takes, ${found}; the name it reads as, "${a.taken}", is taken (alerting.receivers "${a.taken}" has it, and reads its own entry): rename the receiver to a name no other receiver has and set the credential${asSecret} under that name in ${RECEIVER_CREDENTIALS_KEY}, or merge the receiver into "${a.taken}"; either way, remove this one with ${remove}${opts.said}`,
    ];
  if (a.valid === undefined)
    return [
      `${key}: expected the name of a receiver the schema takes, ${found}, and no name it takes is near it; once the receiver has a name it takes, set the credential${asSecret} as the entry of ${RECEIVER_CREDENTIALS_KEY} under that name, then remove this one with ${remove}${opts.said}`,
    ];
  const set = `\`${setSecretCommand(RECEIVER_CREDENTIALS_KEY, [a.valid], PROJECT)}\``;
  const once = a.name === a.valid ? "once it is mended" : `once it is named "${a.valid}"`;
  return [
    `${key}: expected the name of a receiver the schema takes, ${found}; did you mean "${a.valid}"? (the receiver reads its credential under its own name: ${once}, set it${asSecret} with ${set}, then remove this one with ${remove})${opts.said}`,
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
