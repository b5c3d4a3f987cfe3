import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkedStackConfig } from "../../config/stackCheck";
import { parseYamlText, YamlFileError } from "../../config/stackFile";
import { ROOT, tmpDir } from "../support/helpers";
import { ConfigError } from "../../config/errors";
import { BASE, P, RECEIVER, refusal, STORE, stackProject } from "../support/stackText";

/** The problems of one run over a stack file of `text` (the run must refuse it). */
const problemsOf = (text: string): string[] => refusal(text).problems;

/*
 * What a new user's first run must already say (config/stackCheck.ts): the keys beside a bad
 * variant name, a misspelt receiver credential's name, a secret of the wrong shape at its own key
 * with a hint that gives the right one, and every YAML slip, each once, never a secret's value.
 */

describe("config: every problem in the first run (config/stackCheck.ts)", function () {
  this.timeout(20000);

  it("an unknown key beside an unknown variant name is named with its closest key in the same run", () => {
    const problems = problemsOf(`${BASE}  ${P("objectStore")}:
    type: minoi
    endpoint: http://minio.storage.svc:9000
    adminEndpont: http://localhost:9000
`);
    assert.deepEqual(problems, [
      `${P("objectStore.type")}: expected one of minio | garage | ceph-rgw | filesystem, got string "minoi"; did you mean "minio"?`,
      `${P("objectStore.adminEndpont")}: unknown key; did you mean "adminEndpoint"? (judged as type "minio", the closest to "minoi")`,
    ]);
  });

  it("a variant's name under a misspelt key: one line for the key, and the map judged as that variant in the same run", () => {
    const problems = problemsOf(`${BASE}  ${P("objectStore")}:
    tpye: minio
    endpoint: minio.storage.svc:9000
    region: 7
    bucketPrefix: Staging_Bkt
`);
    const why = ' (judged as type "minio", what tpye holds)';
    assert.deepEqual(problems, [
      `${P("objectStore.tpye")}: unknown key; did you mean "type"? (objectStore.type is required and missing: rename this key)`,
      `${P("objectStore.endpoint")}: expected a URL with scheme http or https, a host, no path, query or fragment and no credentials, like "http://minio.storage.svc:9000" (it has no scheme), got string "minio.storage.svc:9000"${why}`,
      `${P("objectStore.region")}: expected text (quote it: "7"), got number 7${why}`,
      `${P("objectStore.bucketPrefix")}: expected a bucket name prefix (lowercase letters, digits and '-', starting with a letter or digit), got string "Staging_Bkt"${why}`,
    ]);
    // The rules between keys ran, the key read as the one it means.
    assert.ok(
      refusal(
        `${BASE}  ${P("objectStore")}:\n    tpye: minio\n    endpoint: http://minio.storage.svc:9000\n    region: 7\n`,
      ).notes.some((n) => n.includes(`read ${P("objectStore.tpye")} as ${P("objectStore.type")}`)),
    );
    // A name that is no variant's under the misspelt key: the rename's next refusal, said now.
    const garage = problemsOf(`${BASE}  ${P("objectStore")}:
    tpye: garaeg
    endpoint: http://garage.storage.svc:3900
    keepUnusedBuckets: [a]
`);
    assert.ok(
      garage.includes(
        `${P("objectStore.tpye")}: unknown key; did you mean "type"? (it holds string "garaeg", where type takes one of minio | garage | ceph-rgw | filesystem: did you mean "garage"?) (objectStore.type is required and missing)`,
      ),
      garage.join("\n"),
    );
    assert.ok(
      garage.some((p) =>
        p.startsWith(`${P("objectStore.keepUnusedBuckets")}: a key of type "minio", not of type "garage"`),
      ),
      garage.join("\n"),
    );
    assert.ok(!garage.some((p) => p.startsWith(`${P("objectStore.type")}:`)), garage.join("\n"));
  });

  it("a receiver's unknown type: its misspelt keys are named too, at depth", () => {
    const problems = problemsOf(`${BASE}${STORE}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: team
        type: slakc
        chanel: "#alerts"
`);
    assert.ok(
      problems.some(
        (p) =>
          p ===
          `${P("alerting.receivers[0].chanel")}: unknown key; did you mean "channel"? (judged as type "slack", the closest to "slakc")`,
      ),
      problems.join("\n"),
    );
  });

  it("a misspelt receiverCredentials name is one line naming the receiver it is closest to", () => {
    for (const value of ["AAAABBBBCCCCDDDD", "v1:bm90"]) {
      const problems = problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    team-slak:
      secure: ${value}
`);
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(
        problems[0],
        new RegExp(
          `^${P("receiverCredentials.team-slak")}: unknown receiver name(?: \\(.*\\))?; did you mean "team-slack"\\? .*` +
            "`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'`",
        ),
      );
      assert.ok(!problems[0].includes(value), "no ciphertext printed");
    }
  });

  it("a receiverCredentials name close to no receiver whose secure value the CLI cannot decrypt is one line naming the name unknown", () => {
    const fact =
      "receiverCredentials.slak's secure value is not Pulumi Cloud ciphertext (base64), and the stack file has no encryptionsalt (passphrase) or secretsprovider/encryptedkey, so the CLI cannot decrypt it either (the value is not shown)";
    // The one receiver lacking its credential is the nearest: the entry is set anew under its name.
    assert.deepEqual(
      problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    slak:
      secure: v1:x!
`),
      [
        `${P("receiverCredentials.slak")}: unknown receiver name; did you mean "team-slack"? (alerting.receivers "team-slack" (slack) reads its credential under its own name, and has none: set it with \`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'\`, then remove this one with \`pulumi config rm --stack s --path 'receiverCredentials.slak'\`); also, ${fact}`,
      ],
    );
    // Every receiver has its credential: the entry is read by nothing, and removing it mends both.
    assert.deepEqual(
      problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    team-slack:
      secure: AAAABBBBCCCCDDDD
    slak:
      secure: v1:x!
`),
      [
        `${P("receiverCredentials.slak")}: unknown receiver name: no receiver of alerting.receivers is named "slak" (those reading a credential: "team-slack"), so nothing reads it; remove it with \`pulumi config rm --stack s --path 'receiverCredentials.slak'\`; also, ${fact}`,
      ],
    );
  });

  it("a receiver's credential beside an undecryptable value inside alerting is not said to be no receiver's", () => {
    // The CLI stops at the receiver's own secure value, so the program judges alerting at its
    // default; the receivers are still the file's, and team-slack is one of them.
    const problems = problemsOf(`${BASE}${STORE}${RECEIVER}      - name: ops-pager
        type: webhook
        url:
          secure: v1:zz
  ${P("receiverCredentials")}:
    team-slack:
      secure: v1:x!
`);
    const slack = problems.filter((p) => p.startsWith(`${P("receiverCredentials.team-slack")}:`));
    assert.equal(slack.length, 1, problems.join("\n"));
    assert.ok(!/no receiver of alerting.receivers is named/.test(slack[0]), slack[0]);
    assert.match(slack[0], /cannot decrypt it/);
    assert.ok(
      slack[0].includes("`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'`"),
      slack[0],
    );
    assert.ok(
      problems.some((p) => p.startsWith(`${P("alerting.receivers[1].url")}:`)),
      problems.join("\n"),
    );
  });

  it("an undecryptable secure value under a key nothing reads is said in that key's line, where a rename or a move keeps it", () => {
    const cases = [
      [`  ${P("grafanaAdminPasword")}:\n    secure: v1:x!\n`, "grafanaAdminPasword"],
      [`  ${P("grafana")}:\n    adminPassword:\n      secure: v1:x!\n`, "grafana.adminPassword"],
    ];
    for (const [text, key] of cases) {
      const problems = problemsOf(`${BASE}${STORE}${text}`);
      // One line for the key, saying its value must be set anew: renamed or moved as told, the
      // value is still one the CLI cannot decrypt, and the next run would stop at it.
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.ok(problems[0].startsWith(`${P(key)}: unknown key`), problems[0]);
      assert.ok(
        problems[0].includes(`${key}'s secure value is not Pulumi Cloud ciphertext (base64)`) &&
          problems[0].includes("so the CLI cannot decrypt it either (the value is not shown)"),
        problems[0],
      );
      assert.ok(!problems[0].includes("v1:x!"), "no ciphertext printed");
    }
  });

  it("with alerting cut by an undecryptable value, a receiverCredentials name that is a slip of a receiver the file gives is still said, with the name to set", () => {
    // Cut whole, alerting is judged at its default; the file's receivers (team-slack, ops-pager)
    // still tell which credential each entry is: not judging the names left "set it again" under
    // the misspelt name, which the next run refuses as no receiver's.
    const problems = problemsOf(`${BASE}${STORE}${RECEIVER}      - name: ops-pager
        type: webhook
        url:
          secure: v1:zz
  ${P("receiverCredentials")}:
    team-slak:
      secure: v1:x!
    team-slack:
      secure: v1:y!
`);
    const slak = problems.filter((p) => p.startsWith(`${P("receiverCredentials.team-slak")}:`));
    assert.equal(slak.length, 1, problems.join("\n"));
    assert.match(slak[0], /unknown receiver name; did you mean "team-slack"\?/);
    assert.ok(!slak[0].includes("--path 'receiverCredentials.team-slak'`, which"), slak[0]);
    assert.ok(
      slak[0].includes("`pulumi config rm --stack s --path 'receiverCredentials.team-slak'`"),
      slak[0],
    );
    // team-slack's own entry is the file's receiver's: its value's own line, not "no receiver's".
    const slack = problems.filter((p) => p.startsWith(`${P("receiverCredentials.team-slack")}:`));
    assert.equal(slack.length, 1, problems.join("\n"));
    assert.match(slack[0], /cannot decrypt it/);
    // An entry under the name a refused receiver takes (Ops_Pager: ops-pager) is that receiver's,
    // cut or not: never "did you mean" another receiver, whose credential its hint would set.
    for (const url of ["", "        url:\n          secure: v1:zz\n"]) {
      const pager = problemsOf(`${BASE}${STORE}${RECEIVER}      - name: Ops_Pager
        type: webhook
${url}  ${P("receiverCredentials")}:
    ops-pager:
      secure: v1:y!
`).filter((p) => p.startsWith(`${P("receiverCredentials.ops-pager")}:`));
      assert.equal(pager.length, 1, pager.join("\n"));
      assert.ok(!pager[0].includes("team-slack"), pager[0]);
      assert.match(pager[0], /cannot decrypt it/);
    }
  });

  it("a misspelt receiverCredentials name beside the key set without --path that names the right one: both, in one run", () => {
    const sealed = "{secure: v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA}";
    const problems = problemsOf(
      `encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    teamslack: ${sealed}
  ${P("receiverCredentials.team-slack")}: ${sealed}
`,
    );
    // The typo's hint names receiverCredentials.team-slack, the path, not the key of that name.
    assert.deepEqual(problems, [
      `${P("receiverCredentials.teamslack")}: unknown receiver name; did you mean "team-slack"? (alerting.receivers "team-slack" (slack) reads its credential under its own name, and has none: set it with \`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'\`, then remove this one with \`pulumi config rm --stack s --path 'receiverCredentials.teamslack'\`)`,
      `${P('["receiverCredentials.team-slack"]')}: unknown key: one key whose name holds the path receiverCredentials.team-slack (as pulumi config set writes it without --path), which nothing reads; run \`pulumi config rm --stack s 'receiverCredentials.team-slack'\` then \`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'\` (it prompts for the value)`,
    ]);
  });

  it("a secret of the wrong shape is named at its key with the command that gives it its shape", () => {
    const secret = "hunter5-obj";
    const password = problemsOf(`${BASE}${STORE}  ${P("grafanaAdminPassword")}:
    nested: ${secret}
`);
    assert.deepEqual(password, [
      `${P("grafanaAdminPassword")}: expected one secret text (\`pulumi config set --stack s --secret grafanaAdminPassword\`, which prompts for the value and writes its ciphertext in this one's place), got a map (not shown)`,
    ]);
    const entry = problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    team-slack: [${secret}]
`);
    assert.deepEqual(entry, [
      `${P("receiverCredentials.team-slack")}: expected one secret text (\`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'\`, which prompts for the value and writes its ciphertext in this one's place), got a list (not shown)`,
    ]);
    const whole = problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}: ${secret}
`);
    assert.equal(whole.length, 1, whole.join("\n"));
    assert.match(
      whole[0],
      /`pulumi config rm --stack s receiverCredentials`, then for each receiver `pulumi config set --stack s --secret --path 'receiverCredentials\.NAME'`/,
    );
    for (const p of [...password, ...entry, ...whole]) assert.ok(!p.includes(secret), p);
    // `secure:` holding a number is no ciphertext: said as what it is, the number never shown.
    const number = problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    team-slack:
      secure: 12345
`);
    assert.deepEqual(number, [
      `${P("receiverCredentials.team-slack")}: expected one secret text (\`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'\`, which prompts for the value and writes its ciphertext in this one's place), got a \`secure:\` entry holding a number where the ciphertext text goes, which Pulumi reads as an ordinary map, not a secret (not shown)`,
    ]);
    assert.ok(!number[0].includes("12345"), number[0]);
    // The whole key so: no secret (Pulumi reads a map holding a number), one line, the map's.
    const map = problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    secure: 12345
`);
    assert.equal(map.length, 1, map.join("\n"));
    assert.match(
      map[0],
      /^\S+receiverCredentials: expected a map from receiver name to its secret credential \(.*\), got a `secure:` entry holding a number where the ciphertext text goes, which Pulumi reads as an ordinary map, not a secret \(not shown\)$/,
    );
    assert.ok(!map[0].includes("12345"), map[0]);
    // A `secure:` holding a list is a map holding a list to Pulumi: no "plain values".
    const list = problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    team-slack:
      secure: [1, 2]
`);
    assert.match(
      list.join("\n"),
      /holding a list where the ciphertext text goes, which Pulumi reads as an ordinary map, not a secret/,
    );
  });

  it("a secret of the wrong shape holding a secure value the CLI cannot decrypt is one line, whose hint sets the key itself", () => {
    const password = problemsOf(`${BASE}${STORE}  ${P("grafanaAdminPassword")}:
    nested:
      secure: v1:abc:def
`);
    assert.deepEqual(password, [
      `${P("grafanaAdminPassword")}: expected one secret text (\`pulumi config set --stack s --secret grafanaAdminPassword\`, which prompts for the value and writes its ciphertext in this one's place), got a map (not shown)`,
    ]);
    const entry = problemsOf(`${BASE}${STORE}${RECEIVER}  ${P("receiverCredentials")}:
    team-slack:
      nested:
        secure: v1:abc:def
`);
    assert.deepEqual(entry, [
      `${P("receiverCredentials.team-slack")}: expected one secret text (\`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'\`, which prompts for the value and writes its ciphertext in this one's place), got a map (not shown)`,
    ]);
  });

  it("every YAML slip is named, a duplicated key with the line of its first occurrence", () => {
    const text = `config:\n  ${P("loki")}:\n    replicas: 1\n    replicas: 2\n  ${P("loki")}:\n    retention: 7d\n`;
    assert.throws(
      () => parseYamlText("Pulumi.s.yaml", text),
      (e: unknown) => {
        assert.ok(e instanceof YamlFileError, String(e));
        assert.deepEqual([e.line, e.column], [4, 5]);
        assert.match(
          e.message,
          /^Pulumi\.s\.yaml:4:5: not valid YAML: Map keys must be unique: "replicas" is already a key at line 3$/m,
        );
        assert.match(
          e.message,
          new RegExp(
            `^Pulumi\\.s\\.yaml:5:3: not valid YAML: Map keys must be unique: "${P("loki")}" is already a key at line 2$`,
            "m",
          ),
        );
        return true;
      },
    );
    // After a key with an empty value the parser places the error on that line's end: it is still
    // named at the repeated key, with its first line.
    const afterEmpty = `config:\n  ${P("cluster")}: lab\n  ${P("production")}:\n  ${P("cluster")}: again\n`;
    assert.throws(
      () => parseYamlText("Pulumi.s.yaml", afterEmpty),
      (e: unknown) => {
        assert.ok(e instanceof YamlFileError, String(e));
        assert.match(
          e.message,
          new RegExp(
            `^Pulumi\\.s\\.yaml:4:3: not valid YAML: Map keys must be unique: "${P("cluster")}" is already a key at line 2$`,
            "m",
          ),
        );
        return true;
      },
    );
  });

  it("a secure value of the right form is not decrypted, as docs/reference/cli.md says", () => {
    const dir = tmpDir("one-run");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.s.yaml"),
      `encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n${BASE}${STORE}` +
        `  ${P("grafanaAdminPassword")}:\n    secure: v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n`,
    );
    // Of the form a passphrase stack's secrets have, but under no passphrase: only its form is judged.
    assert.doesNotThrow(() =>
      checkedStackConfig(dir, "s", { PULUMI_CONFIG_PASSPHRASE: "abc" }, { allowAbsentSecrets: true }),
    );
    const doc = fs.readFileSync(path.join(ROOT, "docs/reference/cli.md"), "utf8").replace(/\s+/g, " ");
    assert.match(doc, /decrypts nothing, even with `PULUMI_CONFIG_PASSPHRASE` set/);
  });
  it("a refused required URL of the object store holds back no rule between keys: the bucket names are judged in the same run", () => {
    const refused = refusal(`${BASE}  ${P("objectStore")}:
    type: garage
    endpoint: http://garage.storage.svc:3900
    adminEndpoint: localhost:3903
  ${P("existing")}:
    buckets: [s-loki-chunk]
`);
    assert.deepEqual(refused.problems, [
      `${P("objectStore.adminEndpoint")}: expected a URL with scheme http or https, a host, no path, query or fragment and no credentials, like "http://localhost:3903" (it has no scheme), got string "localhost:3903"`,
      `${P("existing.buckets[0]")}: expected the name of a bucket the stack makes in some phase (s-loki-chunks, s-mimir-blocks, s-mimir-ruler), got "s-loki-chunk", which nothing imports; did you mean "s-loki-chunks"?`,
    ]);
    // The rules read a valid URL in its place, which the note says, so their silence on it is no pass.
    assert.deepEqual(refused.notes, [
      `(the rules between keys (which keys need which) ran with ${P("objectStore.adminEndpoint")} read as "http://localhost:3903", the value given being invalid)`,
    ]);
  });
});

describe("config: a URL key refused for its login alone has the rest judged in the same run (issue 51)", () => {
  // The rules between keys read the URL without its login, where they ran with the key at its
  // default (or its example) and what the rest was wrong about was said one run later.
  it("says the object store's endpoint outside the cluster needs network.objectStore.cidrs", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: minio
    endpoint: http://admin:hunter2@nas.example.net:9000
  ${P("network")}:
    egress: enforced
    apiServer:
      cidrs: [10.0.0.1/32]
    nodes: [10.0.0.0/24]
`);
    assert.deepEqual(
      e.problems.map((p) => p.split(":").slice(0, 2).join(":")),
      [P("objectStore.endpoint"), P("network.objectStore.cidrs")],
      e.message,
    );
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) read ${P("objectStore.endpoint")} "http://<redacted>@nas.example.net:9000" as "http://nas.example.net:9000", the URL without its login)`,
      ),
      e.notes.join("\n"),
    );
    assert.ok(![e.message, ...e.notes].some((t) => t.includes("hunter2")), e.message);
  });

  it("a secrets.vault that is an ID copied wrong says what is wrong with it, not that it is a name", () => {
    const vault = (v: string) =>
      problemsOf(`${BASE}${STORE}  ${P("secrets")}:\n    backend: onepassword\n    vault: ${v}\n`).find((p) =>
        p.startsWith(`${P("secrets.vault")}:`),
      );
    const head = `${P("secrets.vault")}: expected a 1Password vault ID (26 lowercase letters and digits, as \`op vault list\` prints it)`;
    assert.equal(
      vault("6qf2homelabvault000000000"),
      `${head}, got "6qf2homelabvault000000000", an ID of 25 characters, not 26: copy it again from \`op vault list\``,
    );
    assert.equal(
      vault("6QF2HOMELABVAULT0000000000"),
      `${head}, got "6QF2HOMELABVAULT0000000000", an ID with capitals: write it in lowercase, as \`op vault list\` prints it`,
    );
    // A name is still told why an ID is needed.
    assert.match(vault("Homelab") ?? "", /got "Homelab"; the 1Password provider keeps the ID of the vault/);
    // So is a name of letters and digits in both cases, whatever its length: no ID has capitals,
    // and lowercased as an "ID with capitals" it would pass here while still being a name.
    for (const name of ["HomelabObservabilityVault1", "HomelabObservability2026"])
      assert.match(
        vault(name) ?? "",
        new RegExp(`got "${name}"; the 1Password provider keeps the ID of the vault`),
      );
  });

  it("a secrets.vault left out or empty is asked for in the form the rule takes, not as any text", () => {
    const vault = (lines: string) =>
      problemsOf(`${BASE}${STORE}  ${P("secrets")}:\n    backend: onepassword\n${lines}`).find((p) =>
        p.startsWith(`${P("secrets.vault")}:`),
      );
    const form = "a 1Password vault ID (26 lowercase letters and digits, as `op vault list` prints it)";
    assert.equal(vault(""), `${P("secrets.vault")}: required, expected ${form}, got nothing`);
    assert.equal(vault('    vault: ""\n'), `${P("secrets.vault")}: expected ${form}, got string ""`);
  });

  it("judges the 1Password mode by a secrets.connectUrl refused for its login: it is set", () => {
    const dir = stackProject(`${BASE}${STORE}  ${P("secrets")}:
    backend: onepassword
    vault: abcdefghijklmnopqrstuvwxyz
    connectUrl: http://admin:hunter2@onepassword-connect.onepassword.svc:8080
`);
    const e = (() => {
      try {
        checkedStackConfig(dir, "s", { OP_SERVICE_ACCOUNT_TOKEN: "x" }, { allowAbsentSecrets: true });
      } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err;
      }
      assert.fail("the stack file was accepted");
    })();
    assert.ok(
      e.problems.some((p) =>
        p.startsWith(
          `${P("secrets")}: expected no OP_SERVICE_ACCOUNT_TOKEN in the environment while the stack uses 1Password Connect (secrets.connectUrl is set)`,
        ),
      ),
      e.message,
    );
    assert.ok(!e.message.includes("hunter2"), e.message);
  });
});

describe("config: a URL key refused for its scheme, login and path has the rest judged in the same run (issue 51)", () => {
  // A URL refused for more than its login (an ftp:// scheme, a path the key takes none of) was cut
  // whole: the rules read the key's example, and the endpoint outside the cluster needed
  // network.objectStore.cidrs only once the URL was fixed.
  it("says the object store's endpoint outside the cluster needs network.objectStore.cidrs", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: minio
    endpoint: ftp://admin:hunter2@nas.example.net:9000/bucket?x=1#f
  ${P("network")}:
    egress: enforced
    apiServer:
      cidrs: [10.0.0.1/32]
    nodes: [10.0.0.0/24]
`);
    assert.deepEqual(
      e.problems.map((p) => p.split(":").slice(0, 2).join(":")),
      [P("objectStore.endpoint"), P("network.objectStore.cidrs")],
      e.message,
    );
    assert.match(
      e.problems[0],
      /\(its scheme is ftp and it carries credentials and has a path, a query and a fragment\), got string "ftp:\/\/<redacted>@nas\.example\.net:9000\/bucket\?x=1#f"$/,
    );
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) read ${P("objectStore.endpoint")} "ftp://<redacted>@nas.example.net:9000/bucket?x=1#f" as "http://nas.example.net:9000", the URL without its login, with http for its scheme ftp and without what follows its host)`,
      ),
      e.notes.join("\n"),
    );
    assert.ok(![e.message, ...e.notes].some((t) => t.includes("hunter2")), e.message);
  });
});

describe("config: a list item set aside for a refused value hides no rule on the list from the same run", function () {
  this.timeout(20000);

  const pools = (first: string, second: string) => `${BASE}${STORE}  ${P("nodePools")}:
    - name: ${first}
      arch: amd64
      count: 3
      cpu: "4"
      memory: 16GB
    - name: ${second}
      arch: arm64
      count: 1
      cpu: "2"
      memory: 8Gi
`;
  const MEMORY = `${P("nodePools[0].memory")}: expected a Kubernetes quantity above zero like "8Gi"`;

  it("a pool name given twice is told beside the other pool's bad memory, in the same run", () => {
    const e = refusal(pools("workers", "workers"));
    assert.equal(e.problems.length, 2, e.message);
    assert.ok(e.problems[0].startsWith(MEMORY), e.message);
    assert.equal(
      e.problems[1],
      `${P("nodePools[1].name")}: expected a unique pool name, got duplicate "workers" (nodePools[0].name has it)`,
    );
    assert.match(
      e.message,
      /nodePools\[1\]\.name: [^\n]*\n\s+at [^\n]*:\d+:\d+\n\s+\d+ \|\s+- name: workers/,
    );
    // The note on the item set aside says which of its keys a rule still read.
    assert.ok(
      e.notes.includes(
        `(the rule between the items of ${P("nodePools")} on their name read ${P("nodePools[0].name")}, the value given being valid)`,
      ),
      e.notes.join("\n"),
    );
  });

  it("a pool name given twice is told in the same run when every pool is refused (the list at its default)", () => {
    const e = refusal(pools("a", "a").replace("memory: 8Gi", "memory: 16GB"));
    assert.ok(
      e.problems.includes(
        `${P("nodePools[1].name")}: expected a unique pool name, got duplicate "a" (nodePools[0].name has it)`,
      ),
      e.message,
    );
    assert.equal(e.problems.filter((p) => p.includes("unique pool name")).length, 1, e.message);
  });

  it("names neither a pool's own refused name nor distinct names as given twice", () => {
    for (const [first, second] of [
      ["Workers", "Workers"],
      ["workers", "gpu"],
    ]) {
      const e = refusal(pools(first, second));
      assert.ok(!e.problems.some((p) => p.includes("unique pool name")), e.message);
      // A refused name is no name the rule read; a valid one is, problem or not.
      assert.equal(
        e.notes.some((n) => n.includes("on their name")),
        first === "workers",
        e.notes.join("\n"),
      );
    }
  });

  it("a tenant list beside a switch that is off is told beside its own refused tenant, in the same run", () => {
    const run = (switchValue: string) =>
      refusal(`${BASE}${STORE}  ${P("mimir")}:
    multitenancy: ${switchValue}
    previousTenants: ["..", "old"]
`);
    const tenants = (switchValue: string) => run(switchValue).problems;
    const problems = tenants("false");
    // The note on the item set aside says the rule that refused the list whole still read it.
    const { notes } = run("false");
    assert.ok(
      notes.includes(
        `(the rule that refused ${P("mimir.previousTenants")} whole read it as the file writes it, ${P("mimir.previousTenants[0]")} included)`,
      ),
      notes.join("\n"),
    );
    assert.deepEqual(
      problems.map((p) =>
        p.replace(/ \(with it off .*\), got /, ", got ").replace(/: expected a tenant ID .*, got /, ": got "),
      ),
      [
        `${P("mimir.previousTenants")}: expected [] while mimir.multitenancy is false, got ["..","old"]`,
        `${P("mimir.previousTenants[0]")}: got string ".."`,
      ],
    );
    // A refused switch at its default is no switch the file turned off: the list is not judged by it.
    assert.ok(!tenants('"no"').some((p) => p.includes("expected [] while")), tenants('"no"').join("\n"));
  });
});
