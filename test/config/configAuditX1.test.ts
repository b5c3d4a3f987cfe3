import { strict as assert } from "assert";
import { ConfigError } from "../../config/errors";
import { judgedStackConfig } from "../../config/judge";
import { parseStackConfig } from "../../config/resolve";
import { rawConfig } from "../support/helpers";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * Audit hX1: secrets nothing reads, one line for an undecryptable secret nothing reads, and a bad
 * required key inside an optional map that set its whole section aside.
 */

/** The problems `parseStackConfig` refuses `raw` with (none when it takes it). */
function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseStackConfig(raw, "lab", {});
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
}

const ONEPASSWORD = { backend: "onepassword", vault: "abcdefghijklmnopqrstuvwxyz" };
const GARAGE = {
  type: "garage",
  endpoint: "http://garage.storage.svc:3900",
  adminEndpoint: "http://localhost:3903",
};

describe("config: a config secret nothing reads is refused, one message per cause (audit hX1)", () => {
  it("with the onepassword backend: every config-backend secret set, in one message saying what to do", () => {
    const problems = problemsOf({
      ...rawConfig({ secrets: ONEPASSWORD }),
      onepasswordToken: "op",
      minioAdminUser: "u",
      minioAdminPassword: "p",
      grafanaAdminPassword: "g",
      receiverCredentials: JSON.stringify({ team: "x" }),
      heartbeatUrl: "h",
    });
    assert.deepEqual(problems, [
      `${P("minioAdminUser")}: expected no minioAdminUser, minioAdminPassword, heartbeatUrl, grafanaAdminPassword or receiverCredentials while secrets.backend is "onepassword" (the stack reads its secrets from the 1Password items of secrets.items and alerting.receivers[].item, not from config secrets, so nothing reads them), got them set; remove them with \`pulumi config rm minioAdminUser\` and \`pulumi config rm minioAdminPassword\` and \`pulumi config rm heartbeatUrl\` and \`pulumi config rm grafanaAdminPassword\` and \`pulumi config rm receiverCredentials\`, or set secrets.backend "config"`,
    ]);
  });

  // A misspelt secret key is read as the key it is closest to, which the rule then refused with
  // `pulumi config rm grafanaAdminPassword`: a key the file does not hold, so the command removed
  // nothing and grafanaAdminPasword stayed. The command acts on the key as written, and the
  // misspelling's own line says its rename would be refused too.
  it("a misspelt secret nothing reads: the command removes the key as written, and its unknown-key line says so", () => {
    // As synth and `pulumi preview` judge it (config/judge.ts): a misspelt key read as the one meant.
    const { problems } = judgedStackConfig(
      {
        ...rawConfig({ secrets: ONEPASSWORD }),
        onepasswordToken: "op",
        minioAdminPassword: "p",
        grafanaAdminPasword: "g",
      },
      "lab",
      {},
    );
    assert.equal(problems.length, 2, problems.join("\n"));
    const idle = problems.find((p) => p.startsWith(P("minioAdminPassword")));
    assert.ok(idle, problems.join("\n"));
    assert.match(
      idle,
      /remove them with `pulumi config rm minioAdminPassword` and `pulumi config rm grafanaAdminPasword`, or/,
    );
    assert.doesNotMatch(idle, /config rm grafanaAdminPassword`/);
    const unknown = problems.find((p) => p.startsWith(P("grafanaAdminPasword")));
    assert.equal(
      unknown,
      `${P("grafanaAdminPasword")}: unknown key; did you mean "grafanaAdminPassword"? (read as grafanaAdminPassword, which is refused too: see ${P("minioAdminPassword")})`,
    );
  });

  // With both secrets misspelt, the refusal that names them is led by a key read as another
  // (`…minioAdminPasword (read as minioAdminPassword): expected …`): its name was not found in
  // that head, and the grafana line's "see" quoted the whole refusal instead of naming its key.
  it("both secrets misspelt: the second's line names the first's key, not its whole refusal", () => {
    const { problems } = judgedStackConfig(
      {
        ...rawConfig({ secrets: ONEPASSWORD }),
        onepasswordToken: "op",
        minioAdminPasword: "p",
        grafanaAdminPasword: "g",
      },
      "lab",
      {},
    );
    const unknown = problems.find((p) => p.startsWith(P("grafanaAdminPasword")));
    assert.equal(
      unknown,
      `${P("grafanaAdminPasword")}: unknown key; did you mean "grafanaAdminPassword"? (read as grafanaAdminPassword, which is refused too: see ${P("minioAdminPasword")})`,
    );
  });

  it("with the onepassword backend and the heartbeat off: one message, the backend's (its hint mends it)", () => {
    const problems = problemsOf({
      ...rawConfig({ secrets: ONEPASSWORD, alerting: { heartbeat: false } }),
      onepasswordToken: "op",
      heartbeatUrl: "h",
    });
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^homelab-observability:heartbeatUrl: expected no heartbeatUrl while secrets\.backend is "onepassword"/,
    );
  });

  it("MinIO's admin login with another store, Garage's token with another store", () => {
    const onGarage = problemsOf(
      rawConfig({ objectStore: GARAGE, garageAdminToken: "t", minioAdminUser: "u", minioAdminPassword: "p" }),
    );
    assert.deepEqual(onGarage, [
      `${P("minioAdminUser")}: expected no minioAdminUser or minioAdminPassword while objectStore.type is "garage" (only the minio store reads MinIO's admin login, so nothing reads them), got them set; remove them with \`pulumi config rm minioAdminUser\` and \`pulumi config rm minioAdminPassword\`, or set objectStore.type "minio"`,
    ]);
    const onMinio = problemsOf(rawConfig({ garageAdminToken: "t" }));
    assert.deepEqual(onMinio, [
      `${P("garageAdminToken")}: expected no garageAdminToken while objectStore.type is "minio" (only the garage store reads Garage's admin token, so nothing reads it), got it set; remove it with \`pulumi config rm garageAdminToken\`, or set objectStore.type "garage"`,
    ]);
  });

  it("the 1Password token with the config backend, saying when the backend is the default", () => {
    assert.deepEqual(problemsOf(rawConfig({ onepasswordToken: "op" })), [
      `${P("onepasswordToken")}: expected no onepasswordToken while secrets.backend is "config", the default (only the onepassword backend reads the 1Password token, so nothing reads it), got it set; remove it with \`pulumi config rm onepasswordToken\`, or set secrets.backend "onepassword" with its vault`,
    ]);
  });

  it("takes what each setting reads: the onepassword token with onepassword, Garage's token on garage", () => {
    assert.deepEqual(problemsOf({ ...rawConfig({ secrets: ONEPASSWORD }), onepasswordToken: "op" }), []);
    assert.deepEqual(problemsOf(rawConfig({ objectStore: GARAGE, garageAdminToken: "t" })), []);
    assert.deepEqual(problemsOf(rawConfig({ grafanaAdminPassword: "g" })), []);
  });
});

describe("config: an undecryptable secret nothing reads is one message (audit hX1)", () => {
  const SALT = "encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n";

  it("names both facts at the key's line, with the hint of each way out", () => {
    const e = refusal(
      `${SALT}${BASE}${STORE}  ${P("alerting")}:
    heartbeat: false
  ${P("heartbeatUrl")}:
    secure: not-ciphertext
`,
      "lab",
    );
    const about = e.problems.filter((p) => p.includes("heartbeatUrl"));
    assert.equal(about.length, 1, e.message);
    assert.equal(
      about[0],
      `${P("heartbeatUrl")}: expected no heartbeatUrl while alerting.heartbeat is false (the heartbeat is off, so nothing reads it), got it set (heartbeatUrl's secure value is not passphrase ciphertext of the form v1:<base64 12-byte nonce>:<base64 ciphertext> (crypt.go symmetricCrypter), so the CLI cannot decrypt it either (the value is not shown)); remove it with \`pulumi config rm --stack lab heartbeatUrl\`, or set alerting.heartbeat true and set the value again with \`pulumi config set --stack lab --secret heartbeatUrl\``,
    );
    assert.match(e.message, /Pulumi\.lab\.yaml:\d+:\d+/);
  });

  it("an undecryptable secret that is read keeps its own message", () => {
    const e = refusal(
      `${SALT}${BASE}${STORE}  ${P("heartbeatUrl")}:
    secure: not-ciphertext
`,
      "lab",
    );
    assert.ok(
      e.problems.some((p) => p.startsWith(`${P("heartbeatUrl")}: the secure value `)),
      e.message,
    );
  });
});

describe("config: a bad required key inside an optional map sets only that map aside (audit hX1)", () => {
  const grafana = (ingress: string, url: string) => `${BASE}${STORE}  ${P("grafana")}:
    url: ${url}
    ingress:
${ingress}`;

  it("a bad grafana.ingress.host has its example stand in, not grafana set aside, and the note says so", () => {
    const e = refusal(
      grafana(
        `      host: Not A Host
      controllerNamespace: ingress-nginx
`,
        "https://grafana.example.net",
      ),
      "lab",
    );
    assert.deepEqual(
      e.problems.map((p) => p.split(":")[1]),
      ["grafana.ingress.host"],
      e.message,
    );
    assert.ok(
      // The host's form has a valid value to read in its place (schema.ts standingIn): the Ingress stays judged.
      e.notes.some((n) => n.includes(`ran with ${P("grafana.ingress.host")} read as "grafana.example.net"`)),
      e.notes.join("\n"),
    );
  });

  it("a bad grafana.ingress.tls.secretName: grafana.url's host rule still runs in that run", () => {
    const e = refusal(
      grafana(
        `      host: grafana.example.net
      controllerNamespace: ingress-nginx
      tls:
        secretName: Bad_Secret
`,
        "https://elsewhere.example.net",
      ),
      "lab",
    );
    assert.ok(
      e.problems.some((p) => p.startsWith(P("grafana.ingress.tls.secretName"))),
      e.message,
    );
    assert.ok(
      e.problems.some((p) =>
        p.startsWith(`${P("grafana.url")}: expected a URL on grafana.ingress.host "grafana.example.net"`),
      ),
      e.message,
    );
  });

  it("a bad grafana.ingress.tls.secretName never makes an https:// grafana.url look wrong", () => {
    const e = refusal(
      grafana(
        `      host: grafana.example.net
      controllerNamespace: ingress-nginx
      tls:
        secretName: Bad_Secret
`,
        "https://grafana.example.net",
      ),
      "lab",
    );
    assert.deepEqual(
      e.problems.map((p) => p.split(":")[1]),
      ["grafana.ingress.tls.secretName"],
      e.message,
    );
  });

  it("a grafana.ingress.tls without its secretName: that one message, the host rule still run", () => {
    const e = refusal(
      grafana(
        `      host: grafana.example.net
      controllerNamespace: ingress-nginx
      tls:
        clusterIssuer: letsencrypt
`,
        "https://elsewhere.example.net",
      ),
      "lab",
    );
    assert.deepEqual(
      e.problems.map((p) => p.split(":")[1]),
      ["grafana.url", "grafana.ingress.tls.secretName"],
      e.message,
    );
  });
});
