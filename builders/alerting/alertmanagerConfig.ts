import { SECRET_REFS } from "../../model/secrets";
import type { ReceiverConfig } from "../../config/schema";
import { receiverEntry, receiverRoute, receiverSecrets } from "./receivers";

export interface AlertmanagerInputs {
  pushover: boolean;
  pushoverPriority: number;
  heartbeat: boolean;
  /** How often the Watchdog is re-sent to the heartbeat URL. */
  heartbeatInterval: string;
  /** The user's receivers (`alerting.receivers`), routed by severity. Default none. */
  receivers?: ReceiverConfig[];
}

/** Secrets Alertmanager mounts (at /etc/alertmanager/secrets/<name>/) for the receivers. */
export function alertmanagerSecrets(input: AlertmanagerInputs): string[] {
  return [
    ...(input.pushover ? [SECRET_REFS.pushover.secretName] : []),
    ...(input.heartbeat ? [SECRET_REFS.heartbeat.secretName] : []),
    ...receiverSecrets(input.receivers ?? []),
  ];
}

/**
 * Alertmanager config with credentials only as file references into Secrets mounted under
 * `mountBase` (/etc/alertmanager/secrets for the Prometheus Operator and the chart, /etc/vm/secrets
 * for the VictoriaMetrics operator)
 * (token_file/user_key_file/url_file need Alertmanager >= 0.26; the pinned image is 0.28).
 * Lists in chart values replace rather than merge, so the whole route tree is given here.
 */
export function alertmanagerConfig(input: AlertmanagerInputs, mountBase: string): Record<string, any> {
  const path = (secret: string, key: string) => `${mountBase}/${secret}/${key}`;
  const p = SECRET_REFS.pushover;
  const h = SECRET_REFS.heartbeat;
  const receivers: any[] = [{ name: "null" }];
  const routes: any[] = [];
  if (input.heartbeat) {
    receivers.push({
      name: "heartbeat",
      webhook_configs: [{ url_file: path(h.secretName, h.urlKey), send_resolved: false }],
    });
    routes.push({
      receiver: "heartbeat",
      matchers: ['alertname="Watchdog"'],
      group_wait: "0s",
      group_interval: input.heartbeatInterval,
      repeat_interval: input.heartbeatInterval,
    });
  } else {
    routes.push({ receiver: "null", matchers: ['alertname="Watchdog"'] });
  }
  routes.push({ receiver: "null", matchers: ['severity="none"'] });
  // The user's receivers by severity; once one of them matches, the root's receiver is no longer
  // the fallback (a matching child route replaces it), so Pushover gets a catch-all route of its own.
  const own = input.receivers ?? [];
  for (const r of own) {
    receivers.push(receiverEntry(r, path));
    routes.push(receiverRoute(r));
  }
  if (own.length > 0 && input.pushover) routes.push({ receiver: "pushover" });
  if (input.pushover) {
    receivers.push({
      name: "pushover",
      pushover_configs: [
        {
          token_file: path(p.secretName, p.tokenKey),
          user_key_file: path(p.secretName, p.userKeyKey),
          priority: String(input.pushoverPriority),
          send_resolved: true,
          title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
          message: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}",
        },
      ],
    });
  }
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: input.pushover ? "pushover" : "null",
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes,
    },
    inhibit_rules: [
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ["alertname", "namespace"],
      },
    ],
    receivers,
  };
}
