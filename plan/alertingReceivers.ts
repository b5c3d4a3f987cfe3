import { INTEGRATIONS } from "../upstream/alertmanagerReceivers";
import { needsCredential } from "../config/receivers";
import type { ReceiverConfig } from "../config/schema";

/*
 * What the user's receivers (`alerting.receivers`) need of the rest of the stack: the credentials
 * the Secrets component projects, and the ports Alertmanager's egress admits.
 */

/**
 * Each receiver with a credential: its name, its place in `alerting.receivers` (for the messages
 * about its item), the Secret key (the integration's credential field), its 1Password item.
 */
export function receiverCredentialNeeds(
  receivers: ReceiverConfig[],
): { name: string; index: number; key: string; item: string }[] {
  return receivers.flatMap((r, index) =>
    needsCredential(r)
      ? [
          {
            name: r.name,
            index,
            key: INTEGRATIONS[r.type].credential,
            item: r.item ?? `alertmanager-${r.name}`,
          },
        ]
      : [],
  );
}

/** The port of a URL (its scheme's default when it names none). */
function urlPort(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === "http:" ? 80 : 443;
}

/**
 * The ports Alertmanager dials for the receivers: Pushover and the heartbeat on HTTPS (443);
 * email on its smarthost's port; Telegram and PagerDuty on their API URL's (Alertmanager's default
 * URL when none is given: upstream/alertmanagerReceivers.ts); a webhook on its `port` (its URL is a
 * credential, unknown here); Slack, Discord and Teams webhooks on 443. Sorted, without repeats.
 */
export function receiverEgressPorts(receivers: ReceiverConfig[], builtIn: boolean): number[] {
  const ports = new Set<number>(builtIn ? [443] : []);
  for (const r of receivers) {
    if (r.type === "email") ports.add(Number(r.smarthost.slice(r.smarthost.lastIndexOf(":") + 1)));
    else if (r.type === "telegram") ports.add(urlPort(r.api_url ?? INTEGRATIONS.telegram.defaultUrl!));
    else if (r.type === "pagerduty") ports.add(urlPort(r.url ?? INTEGRATIONS.pagerduty.defaultUrl!));
    else if (r.type === "webhook") ports.add(r.port ?? 443);
    else ports.add(443);
  }
  return [...ports].sort((a, b) => a - b);
}
