import { z } from "zod";
import {
  INTEGRATIONS,
  OTHER_CREDENTIALS,
  RECEIVER_TYPES,
  UNWIRED_RECEIVER_LISTS,
  type ReceiverType,
} from "../upstream/alertmanagerReceivers";
import { DNS_LABEL, PROJECT } from "../model/names";
import { RECEIVER_CREDENTIALS_KEY, SECRET_KEYS } from "../model/secrets";
import { closestMatch } from "@homelab-observability/contract";
import { isMap, setSecretCommand } from "./tree";

/*
 * `alerting.receivers`: one entry per receiver, with the fields Alertmanager itself names for its
 * integration (upstream/alertmanagerReceivers.ts, prometheus/alertmanager v0.28.1
 * config/notifiers.go), so Alertmanager's documentation applies as it is; the schema itself is in
 * config/schema.ts (where the configuration reference reads it), the rules it calls are here. The
 * credential never appears in the config: it comes from the secrets backend, is mounted as a file
 * and read with the integration's `*_file` field.
 */

/**
 * Where a receiver's credential goes instead of the stack file, for a message. The command leaves
 * the value out: `pulumi config set` prompts for a value not on its command line (Pulumi's CLI
 * docs, `pulumi config set`), which also keeps it out of the shell's history, and a `<value>`
 * placeholder would be read by a shell as a redirection. A receiver whose name the schema refuses
 * gets the command for the name {@link validReceiverName} makes of it, which it is to be renamed
 * to, else the entry named in words: a command holding a stand-in name would, pasted as it is, set
 * a credential no receiver reads.
 */
function secretsBackendWay(name: unknown, key: string, taken: readonly unknown[] = []): string {
  // A name the schema refuses is renamed before the credential is read: an entry under it would be
  // left behind, read by no receiver (config/receiverSecrets.ts refuses it).
  const near = typeof name === "string" && !isReceiverName(name) ? validReceiverName(name, taken) : undefined;
  const entry =
    typeof name === "string" && isReceiverName(name)
      ? `\`${setSecretCommand(RECEIVER_CREDENTIALS_KEY, [name], PROJECT)}\`, which prompts for the value`
      : near !== undefined
        ? `\`${setSecretCommand(RECEIVER_CREDENTIALS_KEY, [near], PROJECT)}\` once the receiver is named "${near}", which prompts for the value`
        : `the entry of ${RECEIVER_CREDENTIALS_KEY} under the receiver's name once it is valid`;
  return `${entry}, or the 1Password item's field "${key}"`;
}

/**
 * The receiver name the schema takes that `name` reads as: in lowercase, each run of other
 * characters than letters, digits and '-' as one '-' ("Team.Slack" as "team-slack"); undefined
 * when that is no receiver name either (a reserved one, too long), or one of `taken`, the other
 * receivers' names (renamed onto one, it would be refused as a second of that name, and its
 * credential's command would set the other receiver's).
 */
export function validReceiverName(name: string, taken: readonly unknown[] = []): string | undefined {
  const near = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return isReceiverName(near) && !taken.includes(near) ? near : undefined;
}

/**
 * The name of `receiverCredentials`' entry that `name` (as written) is meant as: the receiver of
 * `input`'s alerting.receivers that reads a credential and is named so, else the one whose name it
 * is a slip of (closestMatch: "Team.Slack" for "team-slack"), by the name the schema takes ({@link
 * validReceiverName}: a receiver it refuses is renamed before its credential is read); else `name`
 * itself. A hint that sets the credential then sets it where a receiver reads it.
 */
export function credentialNameMeant(name: string, input: unknown): string {
  const alerting = isMap(input) ? input.alerting : undefined;
  const list = isMap(alerting) && Array.isArray(alerting.receivers) ? alerting.receivers : [];
  const names = list.map((r: unknown) => (isMap(r) ? r.name : undefined));
  const reading = list.flatMap((r: unknown, i) => {
    if (!isMap(r) || typeof r.name !== "string") return [];
    const known = (RECEIVER_TYPES as readonly unknown[]).includes(r.type);
    const reads =
      !known ||
      needsCredential({ type: r.type as ReceiverType, auth_username: r.auth_username as string | undefined });
    if (!reads) return [];
    const valid = isReceiverName(r.name)
      ? r.name
      : validReceiverName(
          r.name,
          names.filter((_, j) => j !== i),
        );
    return valid === undefined ? [] : [{ name: r.name, valid }];
  });
  const hit =
    reading.find((r) => r.name === name || r.valid === name) ??
    reading.find(
      (r) =>
        r.name ===
        closestMatch(
          name,
          reading.map((x) => x.name),
        ),
    );
  return hit?.valid ?? name;
}

/** The fields of a receiver of `type` that hold a credential, its integration's own first. */
function credentialFields(type: ReceiverType): string[] {
  return [INTEGRATIONS[type].credential, ...OTHER_CREDENTIALS[type]];
}

/**
 * Whether the config value at `path` (its top key first) in `input` is a secret: under a secret
 * config key (SECRET_KEYS), or a credential field of a receiver ({@link noPlainCredentials} refuses
 * it in the stack file; it comes from the secrets backend). Such a key is never "no secret key".
 */
export function holdsSecret(path: readonly (string | number)[], input: unknown): boolean {
  if ((SECRET_KEYS as readonly unknown[]).includes(path[0])) return true;
  return receiverCredentialAt(path, input) !== undefined;
}

/**
 * The receiver whose credential field `path` names (`alerting.receivers[0].api_url`), read from
 * `input`; undefined when `path` is no credential field of a receiver of a known type.
 */
export function receiverCredentialAt(
  path: readonly (string | number)[],
  input: unknown,
): { name: unknown; field: string } | undefined {
  const [top, list, index, field] = path;
  if (top !== "alerting" || list !== "receivers" || typeof index !== "number" || path.length !== 4)
    return undefined;
  const receivers = (input as { alerting?: { receivers?: unknown } } | undefined)?.alerting?.receivers;
  const r: unknown = Array.isArray(receivers) ? receivers[index] : undefined;
  if (!r || typeof r !== "object") return undefined;
  const { type, name } = r as { type?: unknown; name?: unknown };
  if (!(RECEIVER_TYPES as readonly unknown[]).includes(type)) return undefined;
  return credentialFields(type as ReceiverType).includes(String(field))
    ? { name, field: String(field) }
    : undefined;
}

/**
 * A credential written into the stack config would sit there (and in Pulumi's state) in plain
 * text: each one is refused by name, its value never printed (`params.secret`, config/errors.ts).
 * An email password beside no `auth_username` would be read by nothing once moved to the secrets
 * backend ({@link needsCredential}; config/receiverSecrets.ts refuses such an entry): its message
 * says so and offers both ways out, so the fix it names is not refused in turn, one run later.
 */
function noPlainCredentials(type: ReceiverType, taken: readonly unknown[] = []) {
  const { credential, file } = INTEGRATIONS[type];
  const refused = credentialFields(type);
  return (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
    const unread = !needsCredential({ type, auth_username: v.auth_username as string | undefined });
    for (const key of refused)
      if (v[key] !== undefined)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key],
          // Never printed, yet no secret: found as plain text (errors.ts REDACTED_PLAIN).
          params: { secret: true, plain: true },
          message:
            key !== credential
              ? `a credential field the program does not fill; the receiver's credential is ${credential}, from the secrets backend`
              : unread
                ? `a credential in the receiver, on one without auth_username, which reads none (Alertmanager logs in to the smarthost only with a username): remove ${key} to send without logging in, or set auth_username and move the password to the secrets backend (${secretsBackendWay(v.name, key, taken)}), where it reaches Alertmanager as ${file}`
                : `a credential in the receiver, where the stack file holds none: remove this ${key} line; it comes from the secrets backend (${secretsBackendWay(v.name, key, taken)}) and reaches Alertmanager as ${file}`,
        });
  };
}

/**
 * The plain-text credentials of receivers the schema refused for another reason, as
 * {@link refuseCredentials} words them. Zod runs a refinement only on a value that parsed, so a
 * receiver with a bad value beside its credential (`channel: 42`) had its credential told only once
 * that was fixed, one run later. `issues` are the schema's; a key they already name is left out.
 */
export function hiddenCredentialIssues(raw: Record<string, unknown>, issues: z.ZodIssue[]): z.ZodIssue[] {
  const list = (raw.alerting as { receivers?: unknown } | undefined)?.receivers;
  if (!Array.isArray(list)) return [];
  const at = (p: (string | number)[]) => JSON.stringify(p);
  const named = new Set(issues.map((i) => at(i.path)));
  const refused = new Set(issues.map((i) => at(i.path.slice(0, 3))));
  const found: z.ZodIssue[] = [];
  list.forEach((r: unknown, i) => {
    const base = ["alerting", "receivers", i];
    if (!r || typeof r !== "object" || !refused.has(at(base))) return;
    const v = r as Record<string, unknown>;
    if (!(RECEIVER_TYPES as readonly unknown[]).includes(v.type)) return;
    const ctx = {
      path: base,
      addIssue: (issue: z.IssueData) => {
        const path = [...base, ...(issue.path ?? [])];
        if (!named.has(at(path))) found.push({ ...issue, path, message: issue.message ?? "" });
      },
    };
    // The other receivers' names: a name this one is offered must not be one of them.
    const taken = list.filter((_, j) => j !== i).map((o) => (o as { name?: unknown } | null)?.name);
    noPlainCredentials(v.type as ReceiverType, taken)(v, ctx);
  });
  return found;
}

/**
 * Receiver names given twice, as {@link uniqueReceiverNames} words them, when the list did not
 * parse for another reason: zod runs the list's refinement only once every entry parsed, so a
 * second "team-slack" beside a bad `minSeverity` was told one run later. A name the issues
 * already name is left out.
 */
function hiddenDuplicateNames(list: unknown[], issues: z.ZodIssue[]): z.ZodIssue[] {
  const at = (p: (string | number)[]) => JSON.stringify(p);
  const named = new Set(issues.map((i) => at(i.path)));
  const names = list.map((r) => (r && typeof r === "object" ? (r as { name?: unknown }).name : undefined));
  const found: z.ZodIssue[] = [];
  uniqueReceiverNames(
    names.map((name) => ({ name: typeof name === "string" ? name : "" })),
    {
      addIssue: (issue: z.IssueData) => {
        const path = ["alerting", "receivers", ...(issue.path ?? [])];
        const i = issue.path?.[0];
        if (typeof i === "number" && names[i] !== "" && !named.has(at(path)))
          found.push({ ...issue, path, message: issue.message ?? "" });
      },
      path: ["alerting", "receivers"],
    },
  );
  return found;
}

/**
 * Every receiver problem the schema's refinements could not see because a value beside it did not
 * parse: plain-text credentials ({@link hiddenCredentialIssues}) and names given twice.
 */
export function hiddenReceiverIssues(raw: Record<string, unknown>, issues: z.ZodIssue[]): z.ZodIssue[] {
  const list = (raw.alerting as { receivers?: unknown } | undefined)?.receivers;
  return [
    ...hiddenCredentialIssues(raw, issues),
    ...(Array.isArray(list) ? hiddenDuplicateNames(list, issues) : []),
  ];
}

/** The shape keys of a type's credentials: accepted by the shape only to be refused by name (a strict object would say "unknown key"). */
export function refusedCredentials(type: ReceiverType): Record<never, never> {
  return Object.fromEntries(
    [INTEGRATIONS[type].credential, ...OTHER_CREDENTIALS[type]].map((k) => [k, z.unknown().optional()]),
  );
}

/** Receiver names are Secret names too (`alertmanager-receiver-<name>`), and never the program's own. */
export const RESERVED_RECEIVERS = ["null", "pushover", "heartbeat"];

/** Whether `v` is a name a receiver may have (schema.ts receiverName): a DNS label of at most 40 characters, none of {@link RESERVED_RECEIVERS}. */
export function isReceiverName(v: string): boolean {
  return v.length <= 40 && DNS_LABEL.test(v) && !RESERVED_RECEIVERS.includes(v);
}

/** Refuses a credential written into a receiver (superRefine of the receivers' union). */
export function refuseCredentials(
  v: { type: ReceiverType } & Record<string, unknown>,
  ctx: z.RefinementCtx,
): void {
  noPlainCredentials(v.type)(v, ctx);
}

/** A second receiver of one name (superRefine of the receivers' list). */
export function uniqueReceiverNames(list: { name: string }[], ctx: z.RefinementCtx): void {
  // The first holder of each name, so the second names where the first is: one mistake, both places.
  const seen = new Map<string, number>();
  list.forEach((r, i) => {
    const first = seen.get(r.name);
    if (first !== undefined)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [i, "name"],
        message: `expected a name no other receiver has ("${r.name}" is taken by alerting.receivers[${first}])`,
      });
    else seen.set(r.name, i);
  });
}

/** Whether a receiver has a credential to read (email only with an SMTP login). */
export function needsCredential(r: { type: ReceiverType; auth_username?: string }): boolean {
  return r.type !== "email" || r.auth_username !== undefined;
}

/**
 * What an unknown `<integration>_configs` key of a receiver is told (config/keyHints.ts): it is
 * Alertmanager's list of that integration in a receiver (prometheus/alertmanager v0.28.1
 * config/config.go:1008-1023 `Receiver`), which a user pastes from Alertmanager's documentation,
 * and here no key is near it. Another key ending in `_configs` (a slip, `webhok_configs`) is no such
 * list: it gets no hint here. The stack's receiver is one entry of such a list, written flat: `type` names the
 * integration and its fields sit on the item itself, the credential left to the secrets backend.
 */
export function receiverKeyHint(key: string): string | undefined {
  const type = RECEIVER_TYPES.find((t) => INTEGRATIONS[t].configs === key);
  if (type === undefined && !UNWIRED_RECEIVER_LISTS.includes(key)) return undefined;
  const flat = type
    ? `type: ${type} and the fields of one ${key} entry on the item itself, its ${INTEGRATIONS[type].credential} aside (it comes from the secrets backend: docs/how-to/alert-receivers.md)`
    : `type (one of ${RECEIVER_TYPES.join(" | ")}) and the fields of that integration on the item itself (docs/how-to/alert-receivers.md)`;
  return `: ${key} is Alertmanager's list in a receiver, and each item of alerting.receivers is one entry of such a list, written flat: ${flat}`;
}
