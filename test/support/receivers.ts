/** One receiver of each type the program supports, with the fields a homelab would set. */
export const SEVEN = [
  {
    name: "mail",
    type: "email",
    to: "ops@example.net",
    from: "am@example.net",
    smarthost: "smtp.example.net:587",
    auth_username: "am@example.net",
  },
  { name: "team-slack", type: "slack", channel: "#alerts" },
  { name: "discord", type: "discord", minSeverity: "critical" },
  { name: "tg", type: "telegram", chat_id: -1001234567890 },
  { name: "teams", type: "msteams" },
  { name: "hook", type: "webhook", port: 8443 },
  { name: "pd", type: "pagerduty", minSeverity: "critical" },
];
