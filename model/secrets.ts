/** Names and keys of the Kubernetes Secrets other components consume by reference. */
export const SECRET_REFS = {
  pushover: { secretName: "alertmanager-pushover", tokenKey: "token", userKeyKey: "user_key" },
  heartbeat: { secretName: "alertmanager-heartbeat", urlKey: "url" },
  grafanaAdmin: { secretName: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
} as const;
