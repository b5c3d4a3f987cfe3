import { z } from "zod";
import { INTEGRATIONS, OTHER_CREDENTIALS, type ReceiverType } from "../upstream/alertmanagerReceivers";

/*
 * `alerting.receivers`: one entry per receiver, with the fields Alertmanager itself names for its
 * integration (upstream/alertmanagerReceivers.ts, prometheus/alertmanager v0.28.1
 * config/notifiers.go), so Alertmanager's documentation applies as it is; the schema itself is in
 * config/schema.ts (where the configuration reference reads it), the rules it calls are here. The
 * credential never appears in the config: it comes from the secrets backend, is mounted as a file
 * and read with the integration's `*_file` field.
 */

/**
 * A credential written into the stack config would sit there (and in Pulumi's state) in plain
 * text: each one is refused by name, its value never printed (`params.secret`, config/errors.ts).
 */
function noPlainCredentials(type: ReceiverType) {
  const refused = [INTEGRATIONS[type].credential, ...OTHER_CREDENTIALS[type]];
  return (v: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const key of refused)
      if (v[key] !== undefined)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [key],
          // Never printed, yet no secret: found as plain text (errors.ts REDACTED_PLAIN).
          params: { secret: true, plain: true },
          message:
            key === INTEGRATIONS[type].credential
              ? `a credential in plain text; it comes from the secrets backend (\`pulumi config set --secret --path 'receiverCredentials.${typeof v.name === "string" ? v.name : "<name>"}' <value>\`, or the 1Password item's field "${key}") and reaches Alertmanager as ${INTEGRATIONS[type].file}`
              : `a credential field the program does not fill; the receiver's credential is ${INTEGRATIONS[type].credential}, from the secrets backend`,
        });
  };
}

/** The shape keys of a type's credentials: accepted by the shape only to be refused by name (a strict object would say "unknown key"). */
export function refusedCredentials(type: ReceiverType): Record<never, never> {
  return Object.fromEntries(
    [INTEGRATIONS[type].credential, ...OTHER_CREDENTIALS[type]].map((k) => [k, z.unknown().optional()]),
  );
}

/** Receiver names are Secret names too (`alertmanager-receiver-<name>`), and never the program's own. */
export const RESERVED_RECEIVERS = ["null", "pushover", "heartbeat"];

/** Refuses a credential written into a receiver (superRefine of the receivers' union). */
export function refuseCredentials(
  v: { type: ReceiverType } & Record<string, unknown>,
  ctx: z.RefinementCtx,
): void {
  noPlainCredentials(v.type)(v, ctx);
}

/** A second receiver of one name (superRefine of the receivers' list). */
export function uniqueReceiverNames(list: { name: string }[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  list.forEach((r, i) => {
    if (seen.has(r.name))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: [i, "name"],
        message: `expected a name no other receiver has ("${r.name}" is taken)`,
      });
    seen.add(r.name);
  });
}

/** Whether a receiver has a credential to read (email only with an SMTP login). */
export function needsCredential(r: { type: ReceiverType; auth_username?: string }): boolean {
  return r.type !== "email" || r.auth_username !== undefined;
}
