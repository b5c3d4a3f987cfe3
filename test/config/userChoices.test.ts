import { strict as assert } from "assert";
import { ConfigError, parseStackConfig, PROJECT } from "../../config/resolve";

/** A minimal valid stack with `extra` merged in; the problems of a ConfigError, or [] when it parses. */
function problems(extra: Record<string, unknown>, opts: { allowAbsentSecrets?: boolean } = {}): string[] {
  try {
    parseStackConfig(
      { phase: "kps-removed", objectStore: { type: "filesystem" }, secrets: { backend: "config" }, ...extra },
      "t",
      {},
      opts,
    );
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}
const receivers = (list: unknown[], more: Record<string, unknown> = {}) => ({
  alerting: { pushover: false, heartbeat: false, receivers: list },
  ...more,
});
const CREDS = { receiverCredentials: JSON.stringify({ s: "https://hooks.slack.test/T0KEN" }) };

describe("config: the user's receivers, Grafana's way in and chart values", () => {
  it("takes seven receivers of the seven types with their credentials in receiverCredentials", () => {
    const list = [
      {
        name: "m",
        type: "email",
        to: "a@b",
        from: "c@d",
        smarthost: "smtp.example.net:587",
        auth_username: "u",
      },
      { name: "s", type: "slack" },
      { name: "d", type: "discord" },
      { name: "t", type: "telegram", chat_id: 42 },
      { name: "ms", type: "msteams" },
      { name: "w", type: "webhook" },
      { name: "p", type: "pagerduty" },
    ];
    const creds = JSON.stringify(Object.fromEntries(list.map((r) => [r.name, "x"])));
    assert.deepEqual(problems(receivers(list, { receiverCredentials: creds })), []);
  });

  it("refuses an unknown type, naming the key and the types it takes", () => {
    assert.deepEqual(problems(receivers([{ name: "s", type: "sms" }], CREDS)), [
      `${PROJECT}:alerting.receivers[0].type: expected one of email | slack | discord | telegram | msteams | webhook | pagerduty, got string "sms"`,
    ]);
  });

  it("refuses a missing required field (telegram chat_id, email smarthost)", () => {
    const p = problems(
      receivers([
        { name: "t", type: "telegram" },
        { name: "m", type: "email", to: "a@b", from: "c@d" },
      ]),
    );
    // The form is the receiver's own type's (telegram's chat_id is a number), not zod's bare type name.
    assert.ok(
      p.includes(
        `${PROJECT}:alerting.receivers[0].chat_id: required, expected a whole number, like 3, got nothing`,
      ),
      p.join("\n"),
    );
    assert.ok(
      p.some((x) => x.startsWith(`${PROJECT}:alerting.receivers[1].smarthost: required`)),
      p.join("\n"),
    );
  });

  it("refuses a credential written in plain text, naming the key and never printing the value", () => {
    const secret = "https://hooks.slack.test/services/T0KEN-IN-PLAIN-TEXT";
    const p = problems(receivers([{ name: "s", type: "slack", api_url: secret }], CREDS));
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /^homelab-observability:alerting\.receivers\[0\]\.api_url: a credential in the receiver, where the stack file holds none: remove this api_url line; .*api_url_file/,
    );
    // What was found is plain text, not a secret: said so, still without the value.
    assert.ok(p[0].endsWith(", got a plain-text value (not shown)"), p[0]);
    assert.ok(!p[0].includes("T0KEN"), p[0]);
    // Its *_file form is refused too: the program mounts the file, a path of the user's reads nothing.
    const q = problems(receivers([{ name: "t", type: "telegram", chat_id: 1, bot_token_file: "/x" }], CREDS));
    assert.match(
      q.join("\n"),
      /receivers\[0\]\.bot_token_file: a credential field the program does not fill/,
    );
  });

  it("with the config backend, requires each receiver's credential in the secret map receiverCredentials", () => {
    assert.deepEqual(problems(receivers([{ name: "s", type: "slack" }])), [
      `${PROJECT}:receiverCredentials: required with secrets.backend "config" for alerting.receivers "s"; set each with \`pulumi config set --secret --path 'receiverCredentials.s'\` (each prompts for its value)`,
    ]);
    assert.deepEqual(
      problems(
        receivers(
          [
            { name: "s", type: "slack" },
            { name: "d", type: "discord" },
          ],
          CREDS,
        ),
      ),
      [
        `${PROJECT}:receiverCredentials.d: required for alerting.receivers "d" (discord); set it with \`pulumi config set --secret --path 'receiverCredentials.d'\``,
      ],
    );
    const bad = problems(
      receivers([{ name: "s", type: "slack" }], { receiverCredentials: "not-json-S3CRET" }),
    );
    assert.equal(bad.length, 1);
    assert.match(
      bad[0],
      /receiverCredentials: expected a map from receiver name to its secret credential .*got a secret value that is no such map/,
    );
    assert.ok(!bad[0].includes("S3CRET"), bad[0]);
  });

  it("an email receiver without an SMTP login needs no credential", () => {
    const mail = { name: "m", type: "email", to: "a@b", from: "c@d", smarthost: "smtp.example.net:25" };
    assert.deepEqual(problems(receivers([mail])), []);
  });

  it("refuses two receivers of one name and the program's own names", () => {
    const p = problems(
      receivers(
        [
          { name: "s", type: "slack" },
          { name: "s", type: "discord" },
          { name: "pushover", type: "msteams" },
        ],
        CREDS,
      ),
    );
    assert.ok(
      p.some((x) =>
        x.startsWith(`${PROJECT}:alerting.receivers[1].name: expected a name no other receiver has`),
      ),
      p.join("\n"),
    );
    assert.ok(
      p.some((x) => x.startsWith(`${PROJECT}:alerting.receivers[2].name: expected a receiver name`)),
      p.join("\n"),
    );
  });

  it("Grafana's root URL comes from the Ingress host (https with TLS), or from the route", () => {
    const cfg = (grafana: unknown) =>
      parseStackConfig(
        { phase: "kps-removed", objectStore: { type: "filesystem" }, grafana },
        "t",
        {},
        {
          allowAbsentSecrets: true,
        },
      ).grafana.url;
    const ingress = { host: "grafana.example.net", controllerNamespace: "ingress-nginx" };
    assert.equal(cfg({ ingress }), "http://grafana.example.net");
    assert.equal(
      cfg({ ingress: { ...ingress, tls: { secretName: "g-tls" } } }),
      "https://grafana.example.net",
    );
    assert.equal(
      cfg({ httpRoute: { host: "g.example.net", parentRef: { name: "gw", namespace: "gateways" } } }),
      "https://g.example.net",
    );
    assert.equal(cfg({}), "http://grafana.monitoring.svc");
  });

  it("refuses both an Ingress and an HTTPRoute, and a grafana.url on another host", () => {
    const ingress = { host: "grafana.example.net", controllerNamespace: "ingress-nginx" };
    const httpRoute = { host: "grafana.example.net", parentRef: { name: "gw", namespace: "gateways" } };
    assert.deepEqual(problems({ grafana: { ingress, httpRoute } }, { allowAbsentSecrets: true }), [
      `${PROJECT}:grafana.httpRoute: expected either grafana.ingress or grafana.httpRoute, got both (Grafana has one root_url)`,
    ]);
    assert.deepEqual(
      problems({ grafana: { ingress, url: "https://other.example.net" } }, { allowAbsentSecrets: true }),
      [
        `${PROJECT}:grafana.url: expected a URL on grafana.ingress.host "grafana.example.net" (Grafana's links and redirects use it), got "https://other.example.net"; set it to https://grafana.example.net, or leave grafana.url out and the program sets it`,
      ],
    );
  });

  it("takes chart values by the chart names of the pinned charts, and refuses Mimir (no chart)", () => {
    assert.deepEqual(
      problems(
        { chartValues: { grafana: { replicas: 2 }, "kube-prometheus-stack": {} } },
        { allowAbsentSecrets: true },
      ),
      [],
    );
    const p = problems({ chartValues: { mimir: { replicas: 2 } } }, { allowAbsentSecrets: true });
    assert.equal(p.length, 1);
    assert.match(p[0], /^homelab-observability:chartValues\.mimir: unknown key/);
  });
});
