import { strict as assert } from "assert";
import { SECRET_SIG_KEY } from "@homelab-observability/contract";
import { CREDENTIAL_WORDS, mayHoldCredential } from "../../policy/credentials";
import { plainCredentialFilter } from "../support/credentialFilter";
import { check, fails, passes, release, res, secret, v4Chart, workload } from "../support/policyCases";

const P = "no-plaintext-credentials";

/** Every reference form the project uses: they must pass. */
const references = () => [
  res("kubernetes:core/v1:Secret", {
    metadata: { name: "loki-s3" },
    stringData: secret(),
  }),
  release("loki", {
    loki: {
      storage: { s3: { accessKeyId: "${AWS_ACCESS_KEY_ID}", secretAccessKey: "${AWS_SECRET_ACCESS_KEY}" } },
    },
    singleBinary: {
      extraArgs: ["-config.expand-env=true"],
      extraEnvFrom: [{ secretRef: { name: "loki-s3" } }],
    },
  }),
  release("grafana", {
    admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
    env: { GF_SERVER_ROOT_URL: "https://grafana.lab", GF_AUTH_GENERIC_OAUTH_TOKEN_URL: "https://sso/token" },
    envValueFrom: { GF_DB_PASSWORD: { secretKeyRef: { name: "db", key: "password" } } },
  }),
  release("alertmanager", {
    config: {
      global: { smtp_auth_password_file: "/etc/alertmanager/secrets/smtp/password" },
      receivers: [
        { name: "null" },
        { name: "p", pushover_configs: [{ token_file: "/etc/x/token", user_key_file: "/etc/x/user" }] },
        { name: "hb", webhook_configs: [{ url_file: "/etc/alertmanager/secrets/heartbeat/url" }] },
      ],
    },
  }),
  res("kubernetes:core/v1:ConfigMap", {
    metadata: { name: "agent-env" },
    data: { LOKI_URL: "http://loki-gateway/loki/api/v1/push", CLUSTER: "lab", TOKEN_FILE: "/var/run/token" },
  }),
  ...v4Chart("exporter", [
    workload("Deployment", "exporter", {
      containers: [
        {
          name: "c",
          image: "grafana/alloy",
          env: [
            { name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
            { name: "REMOTE_URL", value: "http://${USER}:${PASS}@mimir/api/v1/push" },
          ],
          envFrom: [{ secretRef: { name: "s" } }],
        },
      ],
    }),
  ]),
];

describe("policy (credentials): references pass", () => {
  it("a realistic export with ${VAR}, secretKeyRef, existingSecret and *_file", () =>
    passes(references(), P));
});

describe("policy (credentials): a URL's user info is a credential when it holds a password or a token", () => {
  const withUrl = (value: string) => [release("grafana", { "grafana.ini": { database: { url: value } } })];
  it("a user name alone passes (postgres://grafana@db/grafana)", () =>
    passes(withUrl("postgres://grafana@pg.db.svc:5432/grafana"), P));
  it("an empty or referenced password passes", async () => {
    await passes(withUrl("postgres://grafana:@pg:5432/g"), P);
    await passes(withUrl("postgres://grafana:${DB_PASSWORD}@pg:5432/g"), P);
  });
  it("a password fails", () =>
    fails(withUrl("postgres://grafana:s3cret@pg:5432/g"), P, /database\.url is a URL with user info/));
  it("a token as the user fails (https://<token>@host)", () =>
    fails(
      withUrl("https://ghp_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r"),
      P,
      /is a URL with user info/,
    ));
});

describe("policy (credentials): every shape a credential hides in", () => {
  const cases: [string, () => ReturnType<typeof res>[], RegExp][] = [
    [
      "env-style ConfigMap loaded with envFrom",
      () => [
        res("kubernetes:core/v1:ConfigMap", {
          metadata: { name: "minio-env" },
          data: { MINIO_ROOT_USER: "admin", MINIO_ROOT_PASSWORD: "hunter22" },
        }),
      ],
      /data\["MINIO_ROOT_PASSWORD"\] is a literal credential \(env MINIO_ROOT_PASSWORD\) in a ConfigMap/,
    ],
    [
      "a .env file in a ConfigMap",
      () => [
        res("kubernetes:core/v1:ConfigMap", { data: { "app.env": "FOO=bar\nDB_PASSWORD=swordfish\n" } }),
      ],
      /data\["app\.env"\]\.DB_PASSWORD is a literal credential/,
    ],
    [
      "a URL with user info in Helm values",
      () => [
        release("alloy", {
          alloy: { extraEnv: [{ name: "REMOTE", value: "https://u:p4ss@mimir.lab/api/v1/push" }] },
        }),
      ],
      /values\.alloy\.extraEnv\[0\]\.value is a URL with user info/,
    ],
    [
      "a URL with user info in a list",
      () => [release("vector", { args: ["--sink", "http://admin:pw@loki:3100"] })],
      /values\.args\[1\] is a URL with user info/,
    ],
    [
      "a URL with user info in container env",
      () =>
        v4Chart("x", [
          workload("Deployment", "x", {
            containers: [
              {
                name: "c",
                image: "i",
                env: [{ name: "S3_ENDPOINT", value: "http://key:secret@minio:9000" }],
              },
            ],
          }),
        ]),
      /env S3_ENDPOINT is a URL with user info/,
    ],
    [
      "a Pulumi secret nested deep in Helm values",
      () => [
        release("loki", { loki: { storage: { s3: { endpoint: "minio:9000", creds: { key: secret() } } } } }),
      ],
      /values\.loki\.storage\.s3\.creds\.key is a Pulumi secret written into plain configuration/,
    ],
    [
      "a Pulumi secret as an extraEnv value in Helm values",
      () => [release("alloy", { alloy: { extraEnv: [{ name: "LOKI_TENANT", value: secret() }] } })],
      /values\.alloy\.extraEnv\[0\] \(env LOKI_TENANT\) has a Pulumi secret as its value/,
    ],
    [
      "map-form env in Helm values",
      () => [release("grafana", { env: { GF_SECURITY_ADMIN_PASSWORD: "admin123" } })],
      /values\.env\.GF_SECURITY_ADMIN_PASSWORD is a literal credential \(env GF_SECURITY_ADMIN_PASSWORD\)/,
    ],
    [
      "an empty existingSecret beside a literal password",
      () => [release("minio", { auth: { existingSecret: "", rootPassword: "hunter22" } })],
      /values\.auth\.rootPassword is a literal credential/,
    ],
    [
      "an empty existingSecret beside a literal adminPassword (grafana)",
      () => [release("grafana", { admin: { existingSecret: "" }, adminPassword: "admin" })],
      /values\.adminPassword is a literal credential/,
    ],
    [
      "SMTP password in Alertmanager's global config",
      () => [
        release("kube-prometheus-stack", {
          alertmanager: { config: { global: { smtp_smarthost: "smtp:587", smtp_auth_password: "mailpw" } } },
        }),
      ],
      /values\.alertmanager\.config\.global\.smtp_auth_password is a literal credential/,
    ],
    [
      "email_configs auth_password",
      () => [
        release("alertmanager", {
          config: { receivers: [{ name: "m", email_configs: [{ to: "a@b", auth_password: "pw" }] }] },
        }),
      ],
      /email_configs\[0\]\.auth_password is a literal credential/,
    ],
    [
      "PagerDuty routing_key",
      () => [
        release("alertmanager", {
          config: { receivers: [{ name: "pd", pagerduty_configs: [{ routing_key: "abc123" }] }] },
        }),
      ],
      /pagerduty_configs\[0\]\.routing_key is a literal credential/,
    ],
    [
      "Telegram bot_token",
      () => [
        release("alertmanager", {
          config: { receivers: [{ name: "t", telegram_configs: [{ bot_token: "1:AA", chat_id: 1 }] }] },
        }),
      ],
      /telegram_configs\[0\]\.bot_token is a literal credential/,
    ],
    [
      "Slack webhook api_url",
      () => [
        release("alertmanager", {
          config: { global: { slack_api_url: "https://hooks.slack.com/services/T/B/x" } },
        }),
      ],
      /global\.slack_api_url is a literal credential/,
    ],
    [
      "Discord webhook_url",
      () => [
        release("alertmanager", {
          config: {
            receivers: [
              { name: "d", discord_configs: [{ webhook_url: "https://discord.com/api/webhooks/1/x" }] },
            ],
          },
        }),
      ],
      /discord_configs\[0\]\.webhook_url is a webhook URL whose path is the credential/,
    ],
    [
      "Slack api_url under slack_configs (a *SecretURL in Alertmanager)",
      () => [
        release("alertmanager", {
          config: {
            receivers: [
              { name: "s", slack_configs: [{ api_url: "https://hooks.slack.com/services/T/B/x" }] },
            ],
          },
        }),
      ],
      /receivers\[0\]\.slack_configs\[0\]\.api_url is a literal secret URL/,
    ],
    [
      "webhook url under webhook_configs (a *SecretURL in Alertmanager)",
      () => [
        release("alertmanager", {
          config: { receivers: [{ name: "w", webhook_configs: [{ url: "https://example.com/hook" }] }] },
        }),
      ],
      /receivers\[0\]\.webhook_configs\[0\]\.url is a literal secret URL/,
    ],
    [
      "webhook url in an alertmanager.yml ConfigMap",
      () => [
        res("kubernetes:core/v1:ConfigMap", {
          metadata: { name: "am" },
          data: {
            "alertmanager.yml":
              "receivers:\n- name: w\n  webhook_configs:\n  - url: https://example.com/hook\n",
          },
        }),
      ],
      /webhook_configs\[0\]\.url is a literal secret URL/,
    ],
    [
      "http_config basic_auth password in Alertmanager",
      () => [
        release("alertmanager", {
          config: {
            receivers: [
              {
                name: "w",
                webhook_configs: [
                  { url: "http://x", http_config: { basic_auth: { username: "u", password: "p" } } },
                ],
              },
            ],
          },
        }),
      ],
      /http_config\.basic_auth\.password is a literal credential/,
    ],
    [
      "ConfigMap data that is a Pulumi secret",
      () => [res("kubernetes:core/v1:ConfigMap", { metadata: { name: "c" }, data: secret() })],
      /its data is a Pulumi secret, so a secret is stored in a ConfigMap/,
    ],
    [
      "a ConfigMap data entry that is a Pulumi secret",
      () => [
        res("kubernetes:core/v1:ConfigMap", { metadata: { name: "c" }, data: { "config.alloy": secret() } }),
      ],
      /data\["config\.alloy"\] is a Pulumi secret written into plain configuration/,
    ],
    [
      "container env whose value is a Pulumi secret (rendered object)",
      () =>
        v4Chart("x", [
          workload("StatefulSet", "x", {
            containers: [{ name: "c", image: "i", env: [{ name: "TENANT", value: secret() }] }],
          }),
        ]),
      /spec\.template\.spec\.containers\[0\] env TENANT has a Pulumi secret as its value/,
    ],
  ];
  for (const [title, make, pattern] of cases)
    it(`fails: ${title}`, () => fails([...references(), ...make()], P, pattern));
});

describe("policy: no-plaintext-credentials", () => {
  const P = "no-plaintext-credentials";
  it("advises each chart's own way to read a Secret: Loki's -config.expand-env, never Grafana's", async () => {
    const [grafana] = await check(
      [release("grafana", { "grafana.ini": { database: { password: "hunter2hunter2" } } })],
      P,
    );
    assert.match(
      grafana.message,
      /\. Grafana reads a credential from a Secret \(envValueFrom as GF_<SECTION>_<KEY>, or `\$__env\{VAR\}` or `\$__file\{path\}` in grafana\.ini\), but no key of this stack creates that Secret, and the ordering check refuses one nothing in the stack creates: leave the credential out of the values \(the admin's is the program's, in admin\.existingSecret\)\.$/,
    );
    assert.doesNotMatch(grafana.message, /expand-env/);
    const [loki] = await check(
      [release("loki", { loki: { storage: { s3: { secretAccessKey: "hunter2hunter2" } } } })],
      P,
    );
    assert.match(
      loki.message,
      /extraEnvFrom with `\$\{VAR\}` in Loki's config, which the program's -config\.expand-env=true expands/,
    );
  });

  it("passes references: ${VAR}, existingSecret with key names, file paths, secretKeyRef env", () =>
    passes(
      [
        release("loki", {
          loki: {
            storage: {
              s3: { accessKeyId: "${AWS_ACCESS_KEY_ID}", secretAccessKey: "${AWS_SECRET_ACCESS_KEY}" },
            },
          },
        }),
        release("grafana", {
          admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
        }),
        release("alertmanager", {
          config: {
            receivers: [
              { name: "p", pushover_configs: [{ token_file: "/etc/x/token", user_key_file: "/etc/x/user" }] },
            ],
          },
        }),
        res("kubernetes:apps/v1:Deployment", {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "c",
                    image: "grafana/loki",
                    env: [{ name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
                  },
                ],
              },
            },
          },
        }),
      ],
      P,
    ));
  it("fails a literal secretAccessKey in Helm values", () =>
    fails(
      [release("loki", { loki: { storage: { s3: { secretAccessKey: "hunter2" } } } })],
      P,
      /values\.loki\.storage\.s3\.secretAccessKey is a literal credential/,
    ));
  it("fails a literal Pushover user_key in Alertmanager values", () =>
    fails(
      [
        release("alertmanager", {
          config: { receivers: [{ pushover_configs: [{ user_key: "u123", token: "t456" }] }] },
        }),
      ],
      P,
      /pushover_configs\[0\]\.user_key is a literal credential/,
    ));
  it("fails a literal password in ConfigMap data", () =>
    fails(
      [res("kubernetes:core/v1:ConfigMap", { data: { "app.yaml": "db:\n  password: swordfish\n" } })],
      P,
      /data\["app\.yaml"\]\.db\.password is a literal credential in a ConfigMap/,
    ));
  it("fails a literal credential in container env", () =>
    fails(
      [
        res("kubernetes:apps/v1:Deployment", {
          spec: {
            template: {
              spec: {
                containers: [{ name: "c", image: "i", env: [{ name: "MINIO_PASSWORD", value: "x" }] }],
              },
            },
          },
        }),
      ],
      P,
      /env MINIO_PASSWORD has a literal value/,
    ));
  it("fails a literal credential in a CronJob's init container env", () =>
    fails(
      [
        res("kubernetes:batch/v1:CronJob", {
          spec: {
            jobTemplate: {
              spec: {
                template: {
                  spec: {
                    containers: [{ name: "c", image: "i" }],
                    initContainers: [
                      { name: "init", image: "i", env: [{ name: "DB_PASSWORD", value: "x" }] },
                    ],
                  },
                },
              },
            },
          },
        }),
      ],
      P,
      /spec\.jobTemplate\.spec\.template\.spec\.initContainers\[0\] env DB_PASSWORD has a literal value/,
    ));
  // The engine unwraps secrets before policies run (@pulumi/policy deserialize.js): a credential
  // put into Helm values as a Pulumi secret is judged as the literal it is.
  const SIG = secret();
  delete SIG.ciphertext;
  it("fails a credential put into Helm values as a Pulumi secret (plaintext export)", () =>
    fails(
      [release("grafana", { adminPassword: { ...SIG, plaintext: JSON.stringify("hunter2") } })],
      P,
      /values\.adminPassword is a literal credential/,
    ));
  it("fails a credential put into Helm values as a Pulumi secret (ciphertext export)", () =>
    fails([release("grafana", { adminPassword: secret("x") })], P, /values\.adminPassword/));
});

describe("policy (credentials): the text filter before a ConfigMap's text is parsed", () => {
  const holds = [
    "password: x",
    '{"name":"ADMIN_PASSWORD","value":"x"}',
    "- name: FOO_TOKEN\n  value: y",
    "{name: A_SECRET, value: b}",
    "FOO_PASS=1",
    "url: http://u:p@h",
    "slack_api_url: https://x",
    '{"auth": {"api_key" : "x"}}',
    `{"${"4dabf18193072939515e22adb298388d"}":"1"}`,
    "ADMIN_PASSWORD",
  ];
  for (const t of holds)
    it(`lets ${JSON.stringify(t)} through to the parse`, () => assert.equal(mayHoldCredential(t), true));
  const none = [
    '"url":"/d/x?var-job=${__url_time_range}"}',
    "https://docs.victoriametrics.com/keyconcepts/#raw-samples",
    "see https://medium.com/@someone/post",
    '{"panels":[{"expr":"sum(rate(x[5m]))"}]}',
  ];
  for (const t of none)
    it(`skips ${JSON.stringify(t)}, which can hold no credential`, () =>
      assert.equal(mayHoldCredential(t), false));
  // The filter searches its words in several passes (for speed); judged against the plainest
  // statement of what it must find: one case-insensitive alternation of the words, each where a key
  // or an env name ends after it (`_url` and `_configs` only after a letter), `://` with user info after it, or the
  // signature as it is.
  const plain = plainCredentialFilter;
  it("judges every occurrence of a word, one overlapping another's included, as the filter does", () => {
    // `_configs` after no letter is no finding, and `secret` starts on its last letter.
    for (const t of ["-_configsecret=", "_configsecret:", "1_configSECRET"]) {
      assert.equal(plain(t), true, t);
      assert.equal(mayHoldCredential(t), true, t);
    }
    assert.equal(plain("-_configs="), false);
  });
  it("finds every word in any case, as one alternation of them would", () => {
    for (const w of ["pass", "secret", "token", "key", "credential", "_url", "://"])
      assert.ok(CREDENTIAL_WORDS.includes(w), `the filter looks for ${w}`);
    // Pieces that make and break findings, strung at random (a fixed seed: the same strings each run).
    const pieces = [
      ...CREDENTIAL_WORDS.flatMap((w) => [w, w.toUpperCase(), w[0].toUpperCase() + w.slice(1)]),
      "paSSecret",
      "secreToken",
      "a",
      "Z",
      "_",
      "-",
      ":",
      "=",
      ",",
      "}",
      "]",
      "\n",
      " ",
      '"',
      "'",
      "/",
      "@",
      "?",
      "u:p@",
      "$",
      "{",
      "x",
      "9",
      SECRET_SIG_KEY,
      SECRET_SIG_KEY.toUpperCase(),
    ];
    let seed = 51;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let holding = 0;
    for (let i = 0; i < 2000; i++) {
      let t = "";
      for (let n = Math.floor(next() * 8); n >= 0; n--) t += pieces[Math.floor(next() * pieces.length)];
      const want = plain(t);
      holding += want ? 1 : 0;
      assert.equal(mayHoldCredential(t), want, JSON.stringify(t));
    }
    // Both answers were tried many times.
    assert.ok(holding > 200 && holding < 1800, `${holding} of 2000 hold a word`);
  });
});

describe("policy (credentials: keys judged by their receiver list)", () => {
  it("passes a url or api_url outside the integration lists that keep it secret", () =>
    passes(
      [
        release("grafana", {
          datasources: { "d.yaml": { datasources: [{ name: "l", url: "https://loki:3100" }] } },
        }),
        release("alertmanager", {
          config: {
            receivers: [
              { name: "o", opsgenie_configs: [{ api_url: "https://api.opsgenie.com/", api_key_file: "/k" }] },
              { name: "w", webhook_configs: [{ url_file: "/etc/alertmanager/secrets/hook/url" }] },
            ],
          },
        }),
      ],
      "no-plaintext-credentials",
    ));
});
