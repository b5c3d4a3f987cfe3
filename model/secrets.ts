/** Config keys that must be Pulumi secrets (`pulumi config set --secret`) with the `config` backend. */
export const SECRET_KEYS = [
  "minioAdminUser",
  "minioAdminPassword",
  "pushoverToken",
  "pushoverUserKey",
  "heartbeatUrl",
  "grafanaAdminPassword",
  "onepasswordToken",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** Names and keys of the Kubernetes Secrets other components consume by reference. */
export const SECRET_REFS = {
  pushover: { secretName: "alertmanager-pushover", tokenKey: "token", userKeyKey: "user_key" },
  heartbeat: { secretName: "alertmanager-heartbeat", urlKey: "url" },
  grafanaAdmin: { secretName: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
} as const;
