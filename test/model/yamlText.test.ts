import { strict as assert } from "assert";
import { load } from "js-yaml";
import { parse } from "yaml";
import { shownToolText, shownYamlLines, yamlMistake } from "../../model/yamlText";
import { SECRET, holdsSecretPiece } from "../support/secretPieces";

/*
 * What a message may show of a YAML text that does not parse (model/yamlText.ts): the parsers'
 * reasons without the piece of the text some of them quote, and the file's lines with every
 * secret's value replaced by `<not shown>`, the other lines as written.
 */

describe("model/yamlText: a YAML mistake said without a secret", () => {
  it("no reason of either parser quotes the text: escapes, block headers, tags, handles, directives", () => {
    const texts = [
      `a: "\\u${SECRET}"`,
      `a: "\\U${SECRET}"`,
      `a: |${SECRET}\n  x\n`,
      `%YAML ${SECRET}\n---\na: 1\n`,
      `a: !${SECRET}!x y\n`,
      `a: !<${SECRET}> x\n`,
      `a: *${SECRET}\n`,
      `a: !!${SECRET} x\n`,
    ];
    for (const text of texts) {
      // eemeli/yaml accepts some of them (an unknown tag is a warning there): js-yaml refuses all.
      for (const run of [() => parse(text, { logLevel: "error" }), () => load(text)]) {
        const e = thrown(run, true);
        // An alias without its anchor: eemeli/yaml throws a ReferenceError, no parse error
        // (config/stackFile.ts places it; elsewhere only the file is named).
        if (e === undefined || e instanceof ReferenceError) continue;
        const m = yamlMistake(e);
        assert.ok(m, (e as Error).message);
        assert.ok(!holdsSecretPiece(m.reason), `${JSON.stringify(text)}: ${m.reason}`);
      }
    }
    assert.equal(
      yamlMistake(thrown(() => parse(`a: "\\u${SECRET}"`)))?.reason,
      "Invalid escape sequence in a double-quoted string",
    );
    assert.equal(yamlMistake(thrown(() => load(`a: *${SECRET}\n`)))?.reason, "unidentified alias");
  });

  it("places eemeli/yaml's mistakes by its own line and column, js-yaml's from its 0-based mark", () => {
    assert.deepEqual(yamlMistake(thrown(() => parse("a: 1\nb: [\n"))), {
      line: 3,
      column: 1,
      reason: "Flow sequence in block collection must be sufficiently indented and end with a ]",
    });
    assert.deepEqual(yamlMistake(thrown(() => load("a: 1\na: 2\n"))), {
      line: 2,
      column: 1,
      reason: "duplicated mapping key",
    });
    assert.equal(yamlMistake(new Error("other")), undefined);
  });

  it("hides a credential's value, a secure: value, a secret key's map, a block scalar, a login and a token; shows the rest", () => {
    const text = [
      "config:",
      "  homelab-observability:cluster: pi",
      "  homelab-observability:minioAdminPassword:",
      `    secure: v1:${SECRET}`,
      "  homelab-observability:receiverCredentials:",
      `    ops: ${SECRET}`,
      "  homelab-observability:secrets:",
      "    backend: config",
      `  endpoint: https://user:${SECRET}@minio.example:9000`,
      "  db: postgres://grafana@db/grafana",
      `  note: eyJhbGciOiJIUzI1NiJ9.${SECRET}${SECRET}`,
      "  image: sha256:0123456789abcdef0123456789abcdef",
      "  password: |",
      `    ${SECRET}`,
      "  # a note",
      `  - token: ${SECRET}`,
      "    name: ops",
      "  pass:",
      `    ${SECRET}`,
    ].join("\n");
    assert.deepEqual(shownYamlLines(text), [
      "config:",
      "  homelab-observability:cluster: pi",
      "  homelab-observability:minioAdminPassword:",
      "    secure: <not shown>",
      "  homelab-observability:receiverCredentials:",
      "    ops: <not shown>",
      // A credential-named key's map is judged key by key: `backend` names nothing secret.
      "  homelab-observability:secrets:",
      "    backend: config",
      "  endpoint: https://<not shown>@minio.example:9000",
      // A user without a password is no secret.
      "  db: postgres://grafana@db/grafana",
      "  note: <not shown>",
      "  image: sha256:0123456789abcdef0123456789abcdef",
      "  password: <not shown>",
      "    <not shown>",
      "  # a note",
      "  - token: <not shown>",
      "    name: ops",
      "  pass:",
      "    <not shown>",
    ]);
  });

  it("hides the value of a key that misspells a secret config key, and every line of a misspelt receiverCredentials", () => {
    const text = [
      "config:",
      "  homelab-observability:heartbeatUrll: https://hc-ping.com/abc",
      "  receiverCredentialss:",
      "    ops:",
      "      - https://hooks.example/xyz",
      "  homelab-observability:cluster: pi",
    ].join("\n");
    assert.deepEqual(shownYamlLines(text), [
      "config:",
      "  homelab-observability:heartbeatUrll: <not shown>",
      "  receiverCredentialss:",
      "    ops:",
      "      - <not shown>",
      "  homelab-observability:cluster: pi",
    ]);
  });

  it("hides the value of a receiver's credential field with no credential word, and of a key one slip from one", () => {
    const text = [
      "receivers:",
      "  - {name: tg, type: telegram, chat_id: 1, bot_tokn: flowsecret}",
      "  - name: pd",
      "    routing_key: routingsecret",
      "    api_ur: apisecret",
      "    channel: ops",
    ].join("\n");
    assert.deepEqual(shownYamlLines(text), [
      "receivers:",
      "  - {name: tg, type: telegram, chat_id: 1, bot_tokn: <not shown>}",
      "  - name: pd",
      "    routing_key: <not shown>",
      "    api_ur: <not shown>",
      "    channel: ops",
    ]);
  });

  it("hides a flow map's credential, an env pair's value by its name and a URL's credential parameter", () => {
    const text = [
      `basic_auth: {username: admin, password: ${SECRET}}`,
      `x: {"token":"${SECRET}", "user": "a"}`,
      `- {name: GITHUB_TOKEN, value: ${SECRET}}`,
      "- {name: LOG_LEVEL, value: debug}",
      "env:",
      "- name: ADMIN_PASSWORD",
      `  value: ${SECRET}`,
      `- value: ${SECRET}`,
      "  name: API_TOKEN",
      "- name: LOG_LEVEL",
      "  value: debug",
      "- name: DB_PASSWORD",
      "  valueFrom:",
      "    configMapKeyRef: {name: db, key: password}",
      `webhook: https://host/hook?token=${SECRET}`,
      `signed: https://host/o?a=1&sig=${SECRET}&X-Amz-Signature=${SECRET}&page=2#top`,
      "plain: https://host/path?page=2&sort=asc",
    ].join("\n");
    assert.deepEqual(shownYamlLines(text), [
      "basic_auth: {username: admin, password: <not shown>}",
      'x: {"token":<not shown>, "user": "a"}',
      "- {name: GITHUB_TOKEN, value: <not shown>}",
      "- {name: LOG_LEVEL, value: debug}",
      "env:",
      "- name: ADMIN_PASSWORD",
      "  value: <not shown>",
      // The name may come after the value: the item is read whole first.
      "- value: <not shown>",
      "  name: API_TOKEN",
      "- name: LOG_LEVEL",
      "  value: debug",
      // A reference to where the value is kept names no secret.
      "- name: DB_PASSWORD",
      "  valueFrom:",
      "    configMapKeyRef: {name: db, key: password}",
      "webhook: https://host/hook?token=<not shown>",
      "signed: https://host/o?a=1&sig=<not shown>&X-Amz-Signature=<not shown>&page=2#top",
      "plain: https://host/path?page=2&sort=asc",
    ]);
  });
  it("shows the value a Helm template error names by its field path, and still hides a token beside it", () => {
    // Helm 3.17.3's nil-pointer error names the value a template read; the path's mixed case and a
    // digit (`s3`) are no token.
    const helm =
      'Error: template: loki/templates/_helpers.tpl:42:17: executing "loki.s3" at <.Values.loki.storage.s3.secretAccessKey>: nil pointer evaluating interface {}.secretAccessKey';
    assert.equal(shownToolText(helm), helm);
    const withToken = `${helm} (token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fw)`;
    assert.equal(shownToolText(withToken), `${helm} (token <not shown>)`);
    // A dotted word that does not start with a dot is a token's shape as before.
    assert.equal(shownToolText("x Values.loki.storage.s3.secretAccessKey"), "x <not shown>");
  });
  it("hides a JWT written after a dot, which has a field path's shape", () => {
    // Each of its parts is a name's characters, but its header and signature look like tokens.
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${SECRET}${SECRET}_x`;
    assert.equal(shownToolText(`header .${jwt}`), "header <not shown>");
    assert.deepEqual(shownYamlLines(`note: .eyJhbGciOiJIUzI1NiJ9.${SECRET}${SECRET}`), ["note: <not shown>"]);
  });
  it("hides a login whose password holds an @, a / or (quoted) a space, up to the host", () => {
    assert.deepEqual(
      shownYamlLines(
        [
          "  url: https://admin:p@ss@grafana.example.net/sub",
          "  url: https://admin:ab/cd@grafana.example.net",
          '  url: "https://admin:my pass@grafana.example.net/sub"',
          "  url: https://grafana.example.net/@team",
        ].join("\n"),
      ),
      [
        "  url: https://<not shown>@grafana.example.net/sub",
        "  url: https://<not shown>@grafana.example.net",
        '  url: "https://<not shown>@grafana.example.net/sub"',
        // An `@` in the path is no login.
        "  url: https://grafana.example.net/@team",
      ],
    );
  });
});

/** What `f` throws; with `maybe`, undefined when it throws nothing. */
function thrown(f: () => unknown, maybe = false): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  if (!maybe) assert.fail("nothing thrown");
  return undefined;
}
