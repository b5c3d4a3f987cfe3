/**
 * The Alertmanager integrations a stack's `alerting.receivers` may name, as Alertmanager itself
 * defines them at the pinned image (quay.io/prometheus/alertmanager v0.28.1, model/versions.ts).
 * Read, not run: prometheus/alertmanager v0.28.1
 * - config/notifiers.go: each integration's struct and yaml names (DiscordConfig `webhook_url`,
 *   `webhook_url_file`; EmailConfig `auth_password`, `auth_password_file`, `smarthost`, `to`, `from`;
 *   PagerdutyConfig `routing_key`, `routing_key_file`, `url`; SlackConfig `api_url`, `api_url_file`;
 *   WebhookConfig `url`, `url_file`; TelegramConfig `bot_token`, `bot_token_file`, `chat_id`,
 *   `api_url`; MSTeamsConfig `webhook_url`, `webhook_url_file`) and the checks in each UnmarshalYAML
 *   (discord, msteams, webhook: one of the URL or its file; telegram: the token or its file, and
 *   `chat_id`; pagerduty: a routing or service key or its file; email: `to`).
 * - config/config.go: the receiver's list names (`Receiver`: `email_configs`, `slack_configs`, ...),
 *   the global defaults a receiver falls back to (`DefaultGlobalConfig`: `smtp_require_tls: true`,
 *   PagerDuty `https://events.pagerduty.com/v2/enqueue`, Telegram `https://api.telegram.org`) and
 *   the checks that need a global when a receiver lacks one (email: "no global SMTP smarthost set",
 *   "no global SMTP from set"; slack: "no global Slack API URL set either inline or in a file").
 *   The program sets no globals, so a receiver names its smarthost and from itself.
 * Every integration here has a `*_file` twin of its credential at v0.28.1: the credential is
 * mounted from a Secret and named by path, never written into the configuration. (Debian's amtool
 * 0.25 predates `webhook_url_file` for discord and msteams, `bot_token_file` and webhook `url_file`,
 * and knows no `msteams_configs` at all: prometheus/alertmanager v0.25.0 config/notifiers.go.)
 */

/** The integration types `alerting.receivers[].type` takes. */
export const RECEIVER_TYPES = [
  "email",
  "slack",
  "discord",
  "telegram",
  "msteams",
  "webhook",
  "pagerduty",
] as const;
export type ReceiverType = (typeof RECEIVER_TYPES)[number];

/** One integration: where its entries go in a receiver and which field holds its credential. */
export interface Integration {
  /** The receiver's list of this integration (config.go `Receiver`). */
  configs: string;
  /** The credential's own field, refused in the stack config (it would sit there in plain text). */
  credential: string;
  /** Its `*_file` twin, the only form the program writes. */
  file: string;
  /** Where Alertmanager sends when the receiver names no URL of its own, if fixed (its port is the egress port). */
  defaultUrl?: string;
}

export const INTEGRATIONS: Record<ReceiverType, Integration> = {
  email: { configs: "email_configs", credential: "auth_password", file: "auth_password_file" },
  // Slack's webhook URL is the credential; Slack serves it on hooks.slack.com over HTTPS.
  slack: {
    configs: "slack_configs",
    credential: "api_url",
    file: "api_url_file",
    defaultUrl: "https://hooks.slack.com",
  },
  discord: {
    configs: "discord_configs",
    credential: "webhook_url",
    file: "webhook_url_file",
    defaultUrl: "https://discord.com",
  },
  telegram: {
    configs: "telegram_configs",
    credential: "bot_token",
    file: "bot_token_file",
    defaultUrl: "https://api.telegram.org",
  },
  msteams: { configs: "msteams_configs", credential: "webhook_url", file: "webhook_url_file" },
  webhook: { configs: "webhook_configs", credential: "url", file: "url_file" },
  pagerduty: {
    configs: "pagerduty_configs",
    credential: "routing_key",
    file: "routing_key_file",
    defaultUrl: "https://events.pagerduty.com/v2/enqueue",
  },
};

/**
 * The lists of Alertmanager's receiver the program wires no integration for, beside each
 * INTEGRATIONS entry's `configs`: together every `<integration>_configs` key of a receiver at
 * v0.28.1 (config/config.go:1008-1023, `Receiver`). A pasted one is told it is Alertmanager's list
 * (config/receivers.ts receiverKeyHint); another key ending in `_configs` is not.
 */
export const UNWIRED_RECEIVER_LISTS: readonly string[] = [
  "opsgenie_configs",
  "wechat_configs",
  "pushover_configs",
  "victorops_configs",
  "sns_configs",
  "webex_configs",
  "msteamsv2_configs",
  "jira_configs",
  "rocketchat_configs",
];

/**
 * The `*_file` fields of the other credentials an integration has (a second credential the
 * program does not fill): refused like the credential itself, since a path the program does not
 * mount reads nothing. email `auth_secret` has no file twin at v0.28.1, pagerduty's
 * `service_key` (Events API v1) has `service_key_file`.
 */
export const OTHER_CREDENTIALS: Record<ReceiverType, string[]> = {
  email: ["auth_password_file", "auth_secret"],
  slack: ["api_url_file"],
  discord: ["webhook_url_file"],
  telegram: ["bot_token_file"],
  msteams: ["webhook_url_file"],
  webhook: ["url_file"],
  pagerduty: ["routing_key_file", "service_key", "service_key_file"],
};
