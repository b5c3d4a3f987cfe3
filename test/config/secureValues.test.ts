import { strict as assert } from "assert";
import { secureProblemText } from "../../config/stackFile";
import { PROJECT } from "../../model/names";
import { checkedStackConfig } from "../../config/stackCheck";
import { BASE, P, RECEIVER, refusal, stackProject } from "../support/stackText";

/*
 * A `secure:` value on a key that is no secret (a URL, a quantity, a receiver's field): offline
 * nothing is decrypted and a placeholder stands in for it (config/stackFile.ts secretPlaceholder),
 * which is no URL or quantity whatever the value is. The placeholder was judged as if written
 * (`got string "synth-secret-objectStore.adminEndpoint"`), and a receiver's encrypted credential
 * was told it was plain text, with a hint that left its line in place.
 */

/** A passphrase stack: `v1:<12-byte nonce>:<16 bytes or more>` is a well-formed value. */
const SALT = "encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n";
const SEALED = "v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA";

const store = (adminEndpoint: string) => `  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
    adminEndpoint: ${adminEndpoint}
`;

const pools = (memory: string) => `  ${P("nodePools")}:
    - name: node
      arch: amd64
      count: 1
      cpu: "4"
      memory: ${memory}
`;

describe("config: a secure value on a key that is no secret", () => {
  it("well-formed: one line saying its form cannot be judged offline, how to write it in plain text, never the placeholder", () => {
    const e = refusal(`${SALT}${BASE}${store(`{secure: ${SEALED}}`)}`, "mytrial");
    assert.deepEqual(
      e.problems,
      [
        `${P("objectStore.adminEndpoint")}: expected a URL with scheme http or https, a host, no path, query or fragment and no credentials, like "http://localhost:9000", got a \`secure:\` value (not shown), which the offline tools cannot decrypt, so its form cannot be judged; objectStore is no secret key: write it in plain text, with \`pulumi config set --stack mytrial --path 'objectStore.adminEndpoint'\` (it prompts for the value)`,
      ],
      e.message,
    );
    assert.doesNotMatch(e.message, /synth-secret/);
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) ran with ${P("objectStore.adminEndpoint")} unset, the \`secure:\` value given being unknown offline)`,
      ),
      e.notes.join("\n"),
    );
  });

  it("well-formed on a key whose placeholder passes (a context, a namespace): the same one line, not a synthesis named after the placeholder", () => {
    const head = `config:
  ${P("kubeContext")}:
    secure: ${SEALED}
  ${P("phase")}: kps-removed
`;
    const e = refusal(
      `${SALT}${head}${store("http://localhost:9000")}  ${P("namespace")}: {secure: ${SEALED}}\n`,
      "mytrial",
    );
    assert.deepEqual(
      e.problems,
      [
        `${P("kubeContext")}: expected a kube context name from your kubeconfig (no whitespace) like "admin@production", got a \`secure:\` value (not shown), which the offline tools cannot decrypt, so its form cannot be judged; kubeContext is no secret key: write it in plain text, with \`pulumi config set --stack mytrial kubeContext\` (it prompts for the value)`,
        `${P("namespace")}: expected a DNS label (DNS-1123: at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit), got a \`secure:\` value (not shown), which the offline tools cannot decrypt, so its form cannot be judged; namespace is no secret key: write it in plain text, with \`pulumi config set --stack mytrial namespace\` (it prompts for the value)`,
      ],
      e.message,
    );
    assert.doesNotMatch(e.message, /synth-secret/);
  });

  it("undecryptable: one line, whose hint sets it in plain text, so following it mends the key", () => {
    const e = refusal(`${BASE}${store("http://localhost:9000")}${pools('{secure: "v1:x!"}')}`, "mytrial");
    assert.deepEqual(
      e.problems,
      [
        `${P("nodePools[0].memory")}: the secure value is not Pulumi Cloud ciphertext (base64), and the stack file has no encryptionsalt (passphrase) or secretsprovider/encryptedkey, so the CLI cannot decrypt it (the value is not shown); nodePools is no secret key: set it again in plain text with \`pulumi config set --stack mytrial --path 'nodePools[0].memory'\` (it prompts for the value), whose form the offline tools judge`,
      ],
      e.message,
    );
  });

  it("on a map key: its hint writes the map, in the file or a leaf at a time after removing the text, never one `pulumi config set` of the key, which stores text", () => {
    // --path builds no map inside the text the key holds: that is removed first.
    const whole = `objectStore is no secret key: write it in the stack file, or remove the text it holds with \`pulumi config rm --stack mytrial 'objectStore'\` (--path builds no map inside a text) and set it a key at a time with --path (a plain \`pulumi config set --stack mytrial objectStore\` stores text, not an object): \`pulumi config set --stack mytrial --path 'objectStore.type' minio\`, \`pulumi config set --stack mytrial --path 'objectStore.endpoint'\``;
    const sealed = refusal(`${SALT}${BASE}  ${P("objectStore")}:\n    secure: ${SEALED}\n`, "mytrial");
    assert.deepEqual(
      sealed.problems,
      [
        `${P("objectStore")}: expected an object (YAML: \`key: value\` lines; every key: docs/reference/configuration.md), got a \`secure:\` value (not shown), which the offline tools cannot decrypt, so its form cannot be judged; ${whole}`,
      ],
      sealed.message,
    );
    const broken = refusal(`${BASE}  ${P("objectStore")}:\n    secure: "v1:x!"\n`, "mytrial");
    assert.deepEqual(
      broken.problems,
      [
        `${P("objectStore")}: the secure value is not Pulumi Cloud ciphertext (base64), and the stack file has no encryptionsalt (passphrase) or secretsprovider/encryptedkey, so the CLI cannot decrypt it (the value is not shown); ${whole}`,
      ],
      broken.message,
    );
  });

  it("on a map inside a map: every required leaf, down through a required map, after removing the text; on a map requiring no key: the file, or its removal", () => {
    const e = refusal(
      `${SALT}${BASE}${store("http://localhost:9000")}  ${P("grafana")}:\n    httpRoute:\n      secure: ${SEALED}\n  ${P("loki")}:\n    secure: ${SEALED}\n`,
      "mytrial",
    );
    const route = e.problems.find((p) => p.startsWith(`${P("grafana.httpRoute")}:`)) ?? "";
    assert.ok(
      route.endsWith(
        `grafana is no secret key: write it in the stack file, or remove the text it holds with \`pulumi config rm --stack mytrial --path 'grafana.httpRoute'\` (--path builds no map inside a text) and set it a key at a time with --path (\`pulumi config set --stack mytrial --path 'grafana.httpRoute'\` stores text, not an object): \`pulumi config set --stack mytrial --path 'grafana.httpRoute.host'\`, \`pulumi config set --stack mytrial --path 'grafana.httpRoute.parentRef.name'\`, \`pulumi config set --stack mytrial --path 'grafana.httpRoute.parentRef.namespace'\``,
      ),
      e.message,
    );
    const loki = e.problems.find((p) => p.startsWith(`${P("loki")}:`)) ?? "";
    assert.ok(
      loki.endsWith(
        `loki is no secret key: write its keys in the stack file (a plain \`pulumi config set --stack mytrial loki\` stores text, not an object), or remove it with \`pulumi config rm --stack mytrial 'loki'\` to keep the defaults (none of its keys is required)`,
      ),
      e.message,
    );
  });

  describe("under a misspelt key meant for a key that is no secret", () => {
    const sealed = `{secure: ${SEALED}}`;
    const said = (given: string, meant: string, ways: string) =>
      `${P(given)}: unknown key; did you mean "${meant.split(".").pop()}"? (its value is a \`secure:\` value (not shown), which the offline tools cannot decrypt, and ${meant} is no secret key${ways})`;

    it("is neither quoted nor judged as the key meant's: the key meant is set by the CLI in plain text", () => {
      const e = refusal(
        `${SALT}${BASE}${store("http://localhost:9000")}  ${P("grafana")}: {urll: ${sealed}}\n`,
      );
      assert.deepEqual(
        e.problems,
        [
          said(
            "grafana.urll",
            "grafana.url",
            ": run `pulumi config rm --stack s --path 'grafana.urll'` then `pulumi config set --stack s --path 'grafana.url'` (it prompts for the value)",
          ),
        ],
        e.message,
      );
      assert.doesNotMatch(e.message, /synth-secret|mend its value/);
      assert.ok(
        e.notes.includes(
          `(the rules between keys (which keys need which) ran with ${P("grafana.url")} unset, the \`secure:\` value given being unknown offline)`,
        ),
        e.notes.join("\n"),
      );
    });

    it("never moved as ciphertext into the key meant, set or not", () => {
      const head = `config:\n  ${P("phase")}: kps-removed\n  ${P("kubeContxt")}: ${sealed}\n${store("http://localhost:9000")}`;
      const set = "`pulumi config set --stack s kubeContext` (it prompts for the value)";
      const rm = "`pulumi config rm --stack s 'kubeContxt'`";
      assert.deepEqual(refusal(`${SALT}${head}`).problems, [
        `${said("kubeContxt", "kubeContext", `: run ${rm} then ${set}`)} (kubeContext is required and missing)`,
      ]);
      assert.deepEqual(refusal(`${SALT}${head}  ${P("kubeContext")}: admin@example\n`).problems, [
        said(
          "kubeContxt",
          "kubeContext",
          ` and is already set: remove this key with ${rm}, and if its value is the one meant, set it again with ${set}`,
        ),
      ]);
    });
    it("meant for a receiver's credential: never called no secret key, but sent where the credential belongs, as the credential's own refusal says", () => {
      const e = refusal(`${SALT}${BASE}${store("http://localhost:9000")}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: ops
        type: slack
        channel: "#ops"
        api_urll: ${sealed}
`);
      assert.deepEqual(
        e.problems,
        [
          `${P("alerting.receivers[0].api_urll")}: unknown key; did you mean "api_url"? (as api_url: a credential in the receiver, where the stack file holds none: remove this api_urll line; it comes from the secrets backend (\`pulumi config set --stack s --secret --path 'receiverCredentials.ops'\`, which prompts for the value, or the 1Password item's field "api_url") and reaches Alertmanager as api_url_file, got a secret value (not shown))`,
        ],
        e.message,
      );
      assert.doesNotMatch(e.message, /no secret key|synth-secret/);
    });

    describe("deeper under a misspelt map", () => {
      const ingres = (host: string, other = "") =>
        `${SALT}${BASE}${store("http://localhost:9000")}  ${P("grafana")}:\n${other}    ingres:\n      controllerNamespace: ingress\n      host: ${host}\n`;
      const setHost =
        "`pulumi config set --stack s --path 'grafana.ingress.host'` (it prompts for the value)";
      const noSecret = (given: string, meant: string) =>
        `its ${given} is a \`secure:\` value (not shown), which the offline tools cannot decrypt, and ${meant} is no secret key (ciphertext there is refused)`;

      it("the misspelt key's one line says the value meant is no secret, and its way out is accepted by the next run", () => {
        const e = refusal(ingres(sealed));
        assert.deepEqual(
          e.problems,
          [
            `${P("grafana.ingres")}: unknown key; did you mean "ingress"? (${noSecret("host", "grafana.ingress.host")}: rename this key to ingress in the stack file, then set it again in plain text with ${setHost})`,
          ],
          e.message,
        );
        assert.doesNotMatch(e.message, /synth-secret|v1:AAAA/);
        // Renamed as told, and the set's plain value where the ciphertext was: accepted.
        const followed = stackProject(ingres("grafana.example.net").replace("    ingres:", "    ingress:"));
        assert.doesNotThrow(() => checkedStackConfig(followed, "s", {}, { allowAbsentSecrets: true }));
      });

      it("the key meant already set: moved into it, then set in plain text, in the same one line", () => {
        const e = refusal(
          ingres(
            sealed,
            "    ingress:\n      controllerNamespace: ingress\n      host: grafana.example.net\n",
          ),
        );
        assert.deepEqual(
          e.problems,
          [
            `${P("grafana.ingres")}: unknown key; did you mean "ingress"? (${P("grafana.ingress")} is already set: move what this key holds into it, then remove this key) (${noSecret("host", "grafana.ingress.host")}: once moved into grafana.ingress, set it again in plain text with ${setHost})`,
          ],
          e.message,
        );
      });

      it("under a misspelt top-level key, on a value its placeholder does not fit: said as no secret, never judged or quoted", () => {
        const e = refusal(
          `${SALT}${BASE}${store("http://localhost:9000")}  ${P("lokki")}:\n    replicas: ${sealed}\n`,
        );
        assert.deepEqual(
          e.problems,
          [
            `${P("lokki")}: unknown key; did you mean "loki"? (${noSecret("replicas", "loki.replicas")}: rename this key to loki in the stack file, then set it again in plain text with \`pulumi config set --stack s --path 'loki.replicas'\` (it prompts for the value))`,
          ],
          e.message,
        );
        assert.doesNotMatch(e.message, /synth-secret|mend its value/);
      });

      it("a misspelt key inside it too: that key's line says its value is no secret's, with the paths the rename above makes", () => {
        const e = refusal(
          `${SALT}${BASE}${store("http://localhost:9000")}  ${P("grafana")}:\n    ingres:\n      controllerNamespace: ingress\n      hots: ${sealed}\n`,
        );
        assert.deepEqual(
          e.problems,
          [
            `${P("grafana.ingres")}: unknown key; did you mean "ingress"?`,
            `${P("grafana.ingres.hots")} (read as ingress.hots): unknown key; did you mean "host"? (its value is a \`secure:\` value (not shown), which the offline tools cannot decrypt, and grafana.ingress.host is no secret key: run \`pulumi config rm --stack s --path 'grafana.ingress.hots'\` then ${setHost}) (grafana.ingress.host is required and missing)`,
          ],
          e.message,
        );
      });

      it("meant for a key at another level, or a chart's name holding the stack's keys: moved as told, then set in plain text, in the same one line", () => {
        const misplaced = refusal(
          `${SALT}${BASE}  ${P("loki")}:\n    objectStore:\n      type: minio\n      endpoint: http://minio.storage.svc:9000\n      adminEndpoint: ${sealed}\n`,
        );
        assert.deepEqual(
          misplaced.problems,
          [
            `${P("loki.objectStore")}: unknown key; did you mean "${P("objectStore")}"? (a key of the top level, not of ${P("loki")}: move it there) (${noSecret("adminEndpoint", "objectStore.adminEndpoint")}: once moved into objectStore, set it again in plain text with \`pulumi config set --stack s --path 'objectStore.adminEndpoint'\` (it prompts for the value)) (${P("objectStore")} is required and missing)`,
          ],
          misplaced.message,
        );
        const chart = refusal(
          `${SALT}${BASE}${store("http://localhost:9000")}  ${P("chartValues")}:\n    prometheus:\n      retention: ${sealed}\n`,
        );
        assert.equal(
          chart.problems[0],
          `${P("chartValues.prometheus")}: unknown key; did you mean "${P("prometheus")}"? (a key of the top level, which takes every key this holds: move it there) (${noSecret("retention", "prometheus.retention")}: once moved into prometheus, set it again in plain text with \`pulumi config set --stack s --path 'prometheus.retention'\` (it prompts for the value))`,
          chart.message,
        );
      });

      it("in a list item of the misspelt key: its path below the key written as a path, [0].memory", () => {
        const e = refusal(
          `${SALT}${BASE}${store("http://localhost:9000")}${pools(sealed).replace(P("nodePools"), P("nodePool"))}`,
        );
        assert.deepEqual(
          e.problems,
          [
            `${P("nodePool")}: unknown key; did you mean "nodePools"? (${noSecret("[0].memory", "nodePools[0].memory")}: rename this key to nodePools in the stack file, then set it again in plain text with \`pulumi config set --stack s --path 'nodePools[0].memory'\` (it prompts for the value))`,
          ],
          e.message,
        );
      });

      it("several keys meant (did you mean A or B): the line says the value is no secret at any of them, and how to set it under each", () => {
        const e = refusal(
          `${SALT}${BASE}${store("http://localhost:9000")}  ${P("network")}:\n    cidrs:\n      - ${sealed}\n`,
        );
        const set = (map: string) => `\`pulumi config set --stack s --path 'network.${map}.cidrs[0]'\``;
        assert.deepEqual(
          e.problems,
          [
            `${P("network.cidrs")}: unknown key; did you mean "${P("network.apiServer.cidrs")}" or "${P("network.objectStore.cidrs")}"? (a key one level down: move it under the map meant) (${noSecret("[0]", "network.apiServer.cidrs[0] or network.objectStore.cidrs[0]")}: once moved into network.apiServer.cidrs or network.objectStore.cidrs, set it again in plain text with ${set("apiServer")} or ${set("objectStore")}, whichever it went into (it prompts for the value))`,
          ],
          e.message,
        );
        // Followed (moved into one of them, then set in plain text there), the next run takes it.
        const moved = stackProject(
          `${SALT}${BASE}${store("http://localhost:9000")}  ${P("network")}:\n    objectStore:\n      cidrs:\n        - 10.0.0.0/24\n`,
        );
        assert.doesNotThrow(() => checkedStackConfig(moved, "s", {}, { allowAbsentSecrets: true }));
      });

      it("meant for a secret (a receiver's credential): never called no secret key, and said to be a secret value, not plain text", () => {
        const e = refusal(`${SALT}${BASE}${store("http://localhost:9000")}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivres:
      - name: ops
        type: slack
        channel: "#ops"
        api_url: ${sealed}
`);
        assert.equal(
          e.problems[0],
          `${P("alerting.receivres")}: unknown key; did you mean "receivers"?`,
          e.message,
        );
        assert.match(
          e.problems[1] ?? "",
          /^homelab-observability:alerting\.receivres\[0\]\.api_url \(read as receivers\[0\]\.api_url\): a credential in the receiver, .*got a secret value \(not shown\)$/,
        );
        assert.doesNotMatch(e.message, /no secret key|plain-text value|synth-secret/);
        // A map of secrets meant: its entries are secret keys, the secure value is the one meant.
        const secrets = refusal(
          `${SALT}${BASE}${store("http://localhost:9000")}${RECEIVER}  ${P("receiverCredential")}:\n    team-slack: ${sealed}\n`,
        );
        assert.deepEqual(
          secrets.problems,
          [`${P("receiverCredential")}: unknown key; did you mean "receiverCredentials"?`],
          secrets.message,
        );
      });
    });

    it("meant for keys one level down: each named, set by the CLI in plain text after removing this key, never moved", () => {
      const e = refusal(`${SALT}${BASE}${store("http://localhost:9000")}  ${P("tenat")}: ${sealed}\n`);
      const set = (k: string) => `\`pulumi config set --stack s --path '${k}'\` (it prompts for the value)`;
      assert.deepEqual(
        e.problems,
        [
          `${P("tenat")}: unknown key; did you mean "${P("loki.tenant")}" or "${P("mimir.tenant")}"? (a key one level down; its value is a \`secure:\` value (not shown), which the offline tools cannot decrypt, and loki.tenant and mimir.tenant are no secret keys: run \`pulumi config rm --stack s 'tenat'\`, then set the key meant: ${set("loki.tenant")} or ${set("mimir.tenant")})`,
        ],
        e.message,
      );
      assert.doesNotMatch(e.message, /move it/);
    });

    it("meant for a key one level up: set by the CLI in plain text after removing this key, never moved", () => {
      const e = refusal(
        `${SALT}${BASE}${store("http://localhost:9000")}  ${P("loki")}: {kubeContext: ${sealed}}\n`,
      );
      const line = e.problems.find((p) => p.startsWith(`${P("loki.kubeContext")}:`)) ?? "";
      assert.equal(
        line,
        `${P("loki.kubeContext")}: unknown key; did you mean "${P("kubeContext")}"? (a key of the top level, not of ${P("loki")}; its value is a \`secure:\` value (not shown), which the offline tools cannot decrypt, and kubeContext is no secret key and is already set: remove this key with \`pulumi config rm --stack s --path 'loki.kubeContext'\`, and if its value is the one meant, set it again with \`pulumi config set --stack s kubeContext\` (it prompts for the value))`,
        e.message,
      );
    });
  });

  describe("a receiver's credential written as a secure value", () => {
    const receiver = (apiUrl: string) => `${SALT}${BASE}${store("http://localhost:9000")}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: ops
        type: slack
        channel: "#ops"
        api_url:
          secure: ${apiUrl}
`;
    const head = `${P("alerting.receivers[0].api_url")}: a credential in the receiver, where the stack file holds none: remove this api_url line; it comes from the secrets backend (\`pulumi config set --stack s --secret --path 'receiverCredentials.ops'\`, which prompts for the value, or the 1Password item's field "api_url") and reaches Alertmanager as api_url_file, got a secret value (not shown)`;

    it("is said to be a secret, not plain text, and its hint removes the line", () => {
      assert.deepEqual(refusal(receiver(SEALED)).problems, [head]);
    });

    it("undecryptable: the same one line, saying the CLI cannot decrypt it either", () => {
      assert.deepEqual(refusal(receiver("v1:x!")).problems, [
        `${head} (alerting.receivers[0].api_url's secure value is not passphrase ciphertext of the form v1:<base64 12-byte nonce>:<base64 ciphertext> (crypt.go symmetricCrypter), so the CLI cannot decrypt it either (the value is not shown))`,
      ]);
    });
  });

  describe("on a key nothing reads", () => {
    const undecryptable = `{secure: "v1:x!"}`;

    it("a secret map's entry set without --path, undecryptable: one line, the key's, whose hint sets it as a secret, never in plain text", () => {
      const e = refusal(
        `${BASE}${store("http://localhost:9000")}${RECEIVER}  ${P("receiverCredentials.team-slack")}: ${undecryptable}\n`,
      );
      assert.deepEqual(
        e.problems,
        [
          `${P('["receiverCredentials.team-slack"]')}: unknown key: one key whose name holds the path receiverCredentials.team-slack (as pulumi config set writes it without --path), which nothing reads; run \`pulumi config rm --stack s 'receiverCredentials.team-slack'\` then \`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'\` (it prompts for the value)`,
        ],
        e.message,
      );
    });

    it("the value's own line, for a key nothing reads, removes it: never sets it again in plain text, and names the key as its unknown-key line does", () => {
      for (const name of ["receiverCredentials.team-slack", "foo"])
        assert.equal(
          secureProblemText({ key: P(name), path: [], problem: "is not base64" }, PROJECT),
          `${PROJECT}:${name.includes(".") ? `["${name}"]` : name}: the secure value is not base64, so the CLI cannot decrypt it (the value is not shown); nothing reads ${name}: remove it with \`pulumi config rm '${name}'\``,
        );
    });

    it("undecryptable at the top, inside a known key or in the provider's namespace: one line each, its unknown key's", () => {
      const e = refusal(
        `${BASE}${store("http://localhost:9000")}  ${P("foo")}: ${undecryptable}\n  ${P("loki")}:\n    foo: ${undecryptable}\n  kubernetes:foo.bar: ${undecryptable}\n`,
      );
      assert.deepEqual(
        e.problems,
        [
          `${P("foo")}: unknown key (every key: docs/reference/configuration.md)`,
          `${P("loki.foo")}: unknown key (every key: docs/reference/configuration.md)`,
          `kubernetes:["foo.bar"]: unknown key (its value not shown): the Kubernetes provider has no setting "foo.bar"; nothing reads it: remove it with \`pulumi config rm --stack s kubernetes:foo.bar\`.`,
        ],
        e.message,
      );
      // Each placed at its own line, the dotted key's too.
      assert.match(
        e.message,
        /kubernetes:\["foo\.bar"\]: unknown key[^\n]*\n\s+at \S+Pulumi\.s\.yaml:\d+:3\n/,
      );
    });

    it("undecryptable deeper under a misspelt or unknown map key: one line, the unknown key's, never a second about the value; the misspelt one's says the value meant is no secret", () => {
      const e = refusal(
        `${BASE}${store("http://localhost:9000")}  ${P("grafana")}:\n    ingres:\n      controllerNamespace: ingress\n      host: ${undecryptable}\n  ${P("loki")}:\n    foo:\n      bar:\n        - ${undecryptable}\n`,
      );
      assert.deepEqual(
        e.problems,
        [
          `${P("grafana.ingres")}: unknown key; did you mean "ingress"? (its host is a \`secure:\` value (not shown), which the offline tools cannot decrypt, and grafana.ingress.host is no secret key (ciphertext there is refused): rename this key to ingress in the stack file, then set it again in plain text with \`pulumi config set --stack s --path 'grafana.ingress.host'\` (it prompts for the value))`,
          `${P("loki.foo")}: unknown key (every key: docs/reference/configuration.md)`,
        ],
        e.message,
      );
      assert.doesNotMatch(e.message, /v1:x!|synth-secret|the secure value/);
    });

    it("a key set without --path holding a secure value meant for a key that is no secret: set again by the CLI, not moved in the file", () => {
      const dotted = `${P("loki.retention")}: {secure: ${SEALED}}\n`;
      const head = `${P('["loki.retention"]')}: unknown key: one key whose name holds the path loki.retention (as pulumi config set writes it without --path), which nothing reads`;
      assert.deepEqual(refusal(`${SALT}${BASE}${store("http://localhost:9000")}  ${dotted}`).problems, [
        `${head}; run \`pulumi config rm --stack s 'loki.retention'\` then \`pulumi config set --stack s --path 'loki.retention'\` (it prompts for the value)`,
      ]);
      assert.deepEqual(
        refusal(
          `${SALT}${BASE}${store("http://localhost:9000")}  ${P("loki")}: {retention: 14d}\n  ${dotted}`,
        ).problems,
        [
          `${head}, and ${P("loki.retention")} is already set: remove this key with \`pulumi config rm --stack s 'loki.retention'\`, and if its value is the one meant, set it again with \`pulumi config set --stack s --path 'loki.retention'\` (it prompts for the value)`,
        ],
      );
    });
  });
});
