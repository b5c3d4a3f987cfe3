import { INTEGRATIONS } from "../../upstream/alertmanagerReceivers";
import { receiverSecretName } from "../../model/secrets";
import { needsCredential } from "../../config/receivers";
import type { ReceiverConfig } from "../../config/schema";

/*
 * The user's receivers (`alerting.receivers`) in Alertmanager's configuration: each entry's own
 * fields as Alertmanager names them, its credential only as the integration's `*_file` path into
 * the receiver's mounted Secret, and a route by severity. Every Alertmanager the phase runs gets
 * the same (builders/alerting/alertmanagerConfig.ts).
 */

/** The stack config's keys that are the program's, not Alertmanager's. */
const PROGRAM_KEYS = new Set(["name", "type", "minSeverity", "item", "port"]);

/** Secrets holding the receivers' credentials (one per receiver that has one), mounted by every Alertmanager. */
export function receiverSecrets(receivers: ReceiverConfig[]): string[] {
  return receivers.filter(needsCredential).map((r) => receiverSecretName(r.name));
}

/**
 * One receiver as Alertmanager reads it. `path(secret, key)` is where the Alertmanager at hand
 * mounts a Secret's key.
 */
export function receiverEntry(
  r: ReceiverConfig,
  path: (secret: string, key: string) => string,
): Record<string, any> {
  const i = INTEGRATIONS[r.type];
  const fields = Object.fromEntries(
    Object.entries(r).filter(([k, v]) => !PROGRAM_KEYS.has(k) && v !== undefined),
  );
  return {
    name: r.name,
    [i.configs]: [
      {
        ...fields,
        ...(needsCredential(r) ? { [i.file]: path(receiverSecretName(r.name), i.credential) } : {}),
      },
    ],
  };
}

/**
 * Its route: every alert at `minSeverity` or above (warning: warning and critical; critical:
 * critical only), `continue` so every receiver that wants an alert gets it. The Watchdog and
 * severity "none" routes come first and stop there, so neither reaches these.
 */
export function receiverRoute(r: ReceiverConfig): Record<string, any> {
  return {
    receiver: r.name,
    matchers: [r.minSeverity === "critical" ? 'severity="critical"' : 'severity=~"warning|critical"'],
    continue: true,
  };
}
