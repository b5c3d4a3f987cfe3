import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { checkedStackConfig } from "../../config/stackCheck";
import { ConfigError, leafCommands } from "../../config/errors";
import { ConfigLocator, parseSegments, problemPath } from "../../config/locate";
import { loadStackConfig } from "../../config/load";
import { synthStack } from "../../synth/run";
import { PHASES, PROJECT } from "../../config/resolve";
import { setSecretCommand } from "../../config/tree";
import { propertyPath } from "../../config/tree";
import { ROOT, TSX_CHILD, tmpDir } from "../support/helpers";
import { inCheckout } from "../support/stackText";
import { withRuntimeConfig } from "../support/runtimeConfig";

/*
 * A new user's broken stack file, judged in one run (config/stackCheck.ts): every problem names
 * its key and the file, line and column of that key (config/locate.ts), a closest match for every
 * unknown key and enum value at any depth, every undecryptable `secure:` value with a command that
 * sets that one value again, and hints that point the right way (the phase to start at; `--path`
 * for an object).
 */
const P = (k: string) => `${PROJECT}:${k}`;

/** A project directory with Pulumi.yaml (optionally edited) and `Pulumi.s.yaml` holding `text`. */
function project(text: string, editProject: (p: string) => string = (p) => p): string {
  const dir = tmpDir("config-problems");
  fs.writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    editProject(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")),
  );
  fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), text);
  return dir;
}

/** The ConfigError of one run over `Pulumi.s.yaml`, its hints read as in this checkout. */
function failure(dir: string): ConfigError {
  try {
    checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return inCheckout(e, dir);
  }
  assert.fail("the stack file was accepted");
}

/** The problem naming `key`, and where it was placed. */
function problem(e: ConfigError, key: string) {
  const i = e.problems.findIndex((p) => p.startsWith(`${P(key)}:`));
  assert.ok(i >= 0, `no problem for ${key} in:\n${e.problems.join("\n")}`);
  return { text: e.problems[i], place: e.places[i] };
}

/** The 1-based line of `text` holding `marker` (a `# L<n>` comment), and the column of its first non-blank. */
function lineOf(text: string, marker: string): { line: number; column: number } {
  const lines = text.split("\n");
  const i = lines.findIndex((l) => l.includes(`# ${marker}`));
  assert.ok(i >= 0, marker);
  return { line: i + 1, column: lines[i].search(/\S/) + 1 };
}

// Mistakes at every depth: top level, a map, a list item, a list in a list item, a receiver
// (a union variant inside a list), chart names; each line is marked for the test.
/** A stack file's head that passes on its own: the context, the last phase, a MinIO store; `rest` after it. */
const withHead = (rest: string, phase = "kps-removed") => `config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: ${phase}
  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
${rest}`;

const BROKEN = `# a new user's first stack file
config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("profil")}: lightweight # top
  ${P("objectStore")}: # objectStore
    type: minio
    endpont: http://minio.storage.svc:9000 # endpont
  ${P("nodePools")}:
    - name: node
      arch: amd46 # arch
      count: 1
      cpu: "4"
      memory: 8Gi
      taints:
        - key: a
          effect: NoSchedul # effect
  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: chat
        type: slack
        chanel: "#alerts" # chanel
      - name: other
        type: slak # slak
  ${P("loki")}:
    retention: 7days # retention
  ${P("chartValues")}:
    grafan: # grafan
      replicas: 1
`;

describe("config: a broken stack file, every problem placed and hinted (config/stackCheck.ts, config/locate.ts)", function () {
  this.timeout(20000);
  let e: ConfigError;
  before(() => (e = failure(project(BROKEN))));

  it("names the file, line and column of each problem's key, and shows that line with a caret", () => {
    const file = path.join(path.dirname(e.places.find((p) => p)!.file), "Pulumi.s.yaml");
    const cases: [string, string][] = [
      ["profil", "top"],
      ["objectStore.endpont", "endpont"],
      ["nodePools[0].arch", "arch"],
      ["nodePools[0].taints[0].effect", "effect"],
      ["alerting.receivers[0].chanel", "chanel"],
      ["alerting.receivers[1].type", "slak"],
      ["loki.retention", "retention"],
      ["chartValues.grafan", "grafan"],
    ];
    for (const [key, marker] of cases) {
      const { place } = problem(e, key);
      const want = lineOf(BROKEN, marker);
      assert.ok(place, `${key} has a place`);
      assert.deepEqual({ file: place.file, line: place.line, column: place.column }, { file, ...want }, key);
      // The message itself carries it: file:line:col, the line, the caret under the column.
      const text = BROKEN.split("\n")[want.line - 1];
      assert.ok(e.message.includes(`at ${file}:${want.line}:${want.column}\n`), key);
      assert.ok(e.message.includes(`${want.line} | ${text}\n`), `${key}: the line is shown`);
    }
    assert.equal(e.places.filter((p) => p).length, e.problems.length, "every problem is placed");
  });

  it("gives a closest match for unknown keys and enum values at any depth", () => {
    const cases: [string, RegExp][] = [
      ["profil", /unknown key; did you mean "profile"\?/],
      ["nodePools[0].arch", /got string "amd46"; did you mean "amd64"\?/],
      ["nodePools[0].taints[0].effect", /got string "NoSchedul"; did you mean "NoSchedule"\?/],
      // A receiver's keys are its own type's (the union variant its `type` picks).
      ["alerting.receivers[0].chanel", /unknown key; did you mean "channel"\?/],
      ["alerting.receivers[1].type", /got string "slak"; did you mean "slack"\?/],
      ["chartValues.grafan", /unknown key; did you mean "grafana"\?/],
      ["loki.retention", /expected a duration above zero like "7d".*got string "7days"/],
    ];
    for (const [key, re] of cases) assert.match(problem(e, key).text, re, key);
  });

  it("says a misspelt required key once: the unknown key's line names the required one", () => {
    assert.match(
      problem(e, "objectStore.endpont").text,
      /unknown key; did you mean "endpoint"\? \(objectStore\.endpoint is required and missing: rename this key\)/,
    );
    assert.ok(!e.problems.some((p) => p.startsWith(`${P("objectStore.endpoint")}:`)), e.problems.join("\n"));
  });

  it("a slip of the project's namespace is named, with the key it meant, once with the missing key", () => {
    const text = `config:
  ${P("kubeContext")}: admin@example
  homelab-observabilty:phase: kps-removed # ns
  ${P("objectStore")}:
    type: filesystem
  kubernetes:enableServerSideApply: "true"
`;
    const r = failure(project(text));
    const i = r.problems.findIndex((p) => p.startsWith("homelab-observabilty:phase:"));
    assert.ok(i >= 0, r.problems.join("\n"));
    assert.match(
      r.problems[i],
      new RegExp(`unknown key .*; did you mean "${P("phase")}"\\? \\(${P("phase")} is required and missing`),
    );
    assert.equal(r.places[i]?.line, lineOf(text, "ns").line);
    // The CLI's "missing phase" is that same mistake; another provider's namespace is no slip.
    assert.deepEqual(
      r.problems.filter((p) => p !== r.problems[i]),
      [],
      r.problems.join("\n"),
    );
  });

  it("keys the Pulumi CLI would ignore at the top of the file are named: a misplaced config key, a slip of `config`", () => {
    const text = `${P("phase")}: kps-removed # top
confg: # confg
  ${P("profile")}: lightweight
config:
  ${P("kubeContext")}: admin@example
  ${P("objectStore")}:
    type: filesystem
`;
    const r = failure(project(text));
    assert.equal(r.problems.length, 2, r.problems.join("\n"));
    // One line for the misplaced phase, which is also the missing phase.
    assert.match(
      problem(r, "phase").text,
      /unknown key at the top of the stack file.*indent it under `config:`.*is required and missing\)$/,
    );
    assert.equal(problem(r, "phase").place?.line, lineOf(text, "top").line);
    const i = r.problems.findIndex((p) => p.startsWith("confg:"));
    assert.match(r.problems[i], /which the Pulumi CLI ignores .*; did you mean "config"\?/);
    assert.equal(r.places[i]?.line, lineOf(text, "confg").line);
  });

  it("an enum value in a union's discriminator and in a list gets its closest match too", () => {
    const r = failure(
      project(`config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("objectStore")}:
    type: mino
  ${P("secrets")}:
    backend: onepasword
`),
    );
    assert.match(problem(r, "objectStore.type").text, /got string "mino"; did you mean "minio"\?/);
    assert.match(problem(r, "secrets.backend").text, /got string "onepasword"; did you mean "onepassword"\?/);
    const list = failure(
      project(`config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
    keepUnusedBuckets: [loki-rulr]
`),
    );
    assert.match(
      problem(list, "objectStore.keepUnusedBuckets[0]").text,
      /got string "loki-rulr"; did you mean "loki-ruler"\?/,
    );
  });

  it("a key meant as one the map already sets says to merge the two, not to rename (a key twice is no YAML)", () => {
    const r = failure(
      project(
        withHead(`  ${P("loki")}:
    retention: 14d
    retenton: 30d
    replica: 1
  ${P("prometheus")}:
    retention: 7d
  ${P("prometheus2")}:
    retention: 7d
`),
      ),
    );
    assert.match(
      problem(r, "loki.retenton").text,
      /unknown key; did you mean "retention"\? \(homelab-observability:loki\.retention is already set: move what this key holds into it, then remove this key\)$/,
    );
    assert.match(
      problem(r, "prometheus2").text,
      /unknown key; did you mean "prometheus"\? \(homelab-observability:prometheus is already set: move /,
    );
    // A key the map does not set yet is simply the one to write.
    assert.match(problem(r, "loki.replica").text, /unknown key; did you mean "replicas"\?$/);
  });

  it("a top-level key is already set only when the stack file writes it, not when Pulumi.yaml gives it a default", () => {
    const r = failure(
      project(
        withHead(`  ${P("profle")}: lightweight
  homelab-observabilty:phase: kps-removed
`),
      ),
    );
    // profile has a default in Pulumi.yaml and is not in the file: rename this key.
    assert.equal(problem(r, "profle").text, `${P("profle")}: unknown key; did you mean "profile"?`);
    // phase is in the file: renamed, it would be set twice.
    const ns = r.problems.find((p) => p.startsWith("homelab-observabilty:phase:"));
    assert.equal(
      ns,
      `homelab-observabilty:phase: unknown key (namespace "homelab-observabilty" is not the project's: the program never reads it); did you mean "${P("phase")}"? (${P("phase")} is already set: move what this key holds into it, then remove this key)`,
    );
  });

  it("a misspelt key whose value the key meant refuses says the way that key takes it: a secret set with --secret, a receiver's credential out of the receiver", () => {
    const r = failure(
      project(
        withHead(`  ${P("minioAdminPasword")}: not-a-secret
  ${P("grafana")}:
    adminPassword: not-a-secret
  ${P("alerting")}:
    receivers:
      - name: ops
        type: slack
        api_ur: https://hooks.example.net/not-a-secret
`),
      ),
    );
    assert.equal(
      problem(r, "minioAdminPasword").text,
      `${P("minioAdminPasword")}: unknown key; did you mean "minioAdminPassword"? (its value is plain text, where minioAdminPassword takes a secret: run \`pulumi config rm --stack s 'minioAdminPasword'\` then \`pulumi config set --stack s --secret minioAdminPassword\` (it prompts for the value))`,
    );
    assert.equal(
      problem(r, "grafana.adminPassword").text,
      `${P("grafana.adminPassword")}: unknown key; did you mean "${P("grafanaAdminPassword")}"? (the key of the top level that holds grafana.adminPassword, a secret: set it with \`pulumi config set --stack s --secret grafanaAdminPassword\` (it prompts for the value), then remove this key with \`pulumi config rm --stack s --path 'grafana.adminPassword'\`)`,
    );
    assert.equal(
      problem(r, "alerting.receivers[0].api_ur").text,
      `${P("alerting.receivers[0].api_ur")}: unknown key; did you mean "api_url"? (as api_url: a credential in the receiver, where the stack file holds none: remove this api_ur line; it comes from the secrets backend (\`pulumi config set --stack s --secret --path 'receiverCredentials.ops'\`, which prompts for the value, or the 1Password item's field "api_url") and reaches Alertmanager as api_url_file, got a plain-text value (not shown))`,
    );
    assert.doesNotMatch(r.message, /not-a-secret/);
  });

  it("an enum value up to half its letters off gets the one option that near; a tie or a wild value gets none", () => {
    const r = failure(
      project(
        withHead(`  ${P("agents")}:
    step: handoff
  ${P("secrets")}:
    backend: 1pass
`),
      ),
    );
    // Three edits in eight letters: past a key's bound (a third), which picks among dozens of keys.
    assert.match(problem(r, "agents.step").text, /got string "handoff"; did you mean "handover"\?$/);
    assert.doesNotMatch(problem(r, "secrets.backend").text, /did you mean/);
    const phase = failure(project(withHead("", '"4"')));
    assert.doesNotMatch(problem(phase, "phase").text, /did you mean/);
  });
});

describe("config: broken secure values, all in one run, each with a command that works for its key", function () {
  this.timeout(20000);
  // Not ciphertext of any provider (a stack without encryptionsalt is Pulumi Cloud's: base64).
  const bad = "v1:bm90LWNpcGhlcnRleHQ=";
  const text = `config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
  ${P("minioAdminUser")}:
    secure: ${bad} # top
  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: chat
        type: slack
        channel: "#chat"
      - name: team.ops
        type: slack
        channel: "#ops"
  ${P("receiverCredentials")}:
    chat:
      secure: ${bad} # map
    ok: plain
    "team.ops":
      secure: ${bad} # dotted
  ${P("loki")}:
    retention: 7days
`;
  let e: ConfigError;
  before(() => (e = failure(project(text))));

  it("reports every undecryptable value with the schema's problems, never the value", () => {
    const secure = e.problems.filter((p) => p.includes("secure value is not"));
    assert.equal(secure.length, 3, e.problems.join("\n"));
    assert.ok(
      e.problems.some((p) => p.startsWith(`${P("loki.retention")}:`)),
      "the rest is judged too",
    );
    assert.ok(
      !e.message.includes(bad) && !e.message.includes("bm90LWNpcGhlcnRleHQ"),
      "no ciphertext printed",
    );
    for (const [key, marker] of [
      ["minioAdminUser", "top"],
      ["receiverCredentials.chat", "map"],
      ['receiverCredentials["team.ops"]', "dotted"],
    ]) {
      const { place } = problem(e, key);
      // The secure: line's key: one line above the marked value.
      assert.equal(place?.line, lineOf(text, marker).line - 1, key);
    }
  });

  it("a top-level secret is set again by its key; a map's entry with --path, so the map stays a map", () => {
    assert.match(problem(e, "minioAdminUser").text, /`pulumi config set --stack s --secret minioAdminUser`$/);
    assert.match(
      problem(e, "receiverCredentials.chat").text,
      /`pulumi config set --stack s --secret --path 'receiverCredentials\.chat'`$/,
    );
    // A key with a dot is quoted in the CLI's property-path grammar. Under the name of a receiver
    // the schema refuses ("team.ops"), the credential is set again under the name it takes: set
    // under "team.ops", it would be refused as no receiver's once the receiver is renamed.
    assert.match(
      problem(e, 'receiverCredentials["team.ops"]').text,
      /; did you mean "team-ops"\? .*set it with `pulumi config set --stack s --secret --path 'receiverCredentials\.team-ops'`, then remove this one with `pulumi config rm --stack s --path 'receiverCredentials\["team\.ops"\]'`\); also, .*cannot decrypt it either/,
    );
  });

  it("a broken secret in chart values is to be removed, not set again: the pack refuses a secret in Helm values", () => {
    const r = failure(
      project(
        withHead(`  ${P("chartValues")}:
    grafana:
      grafana.ini:
        database:
          password:
            secure: ${bad}
`),
      ),
    );
    const text = problem(r, 'chartValues.grafana["grafana.ini"].database.password').text;
    assert.match(
      text,
      /the secure value .*; remove it rather than set it again: a secret in chart values reaches Helm's release Secret in plain text, which the no-plaintext-credentials policy refuses/,
    );
    assert.doesNotMatch(text, /pulumi config set/);
  });

  it("a secret written in plain text is refused per leaf with the command that encrypts it, never printed", () => {
    const plain = "plain-secret-value-123";
    const text = `config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
  ${P("minioAdminPassword")}: ${plain} # top
  ${P("receiverCredentials")}:
    chat:
      secure: ${bad}
    mail: ${plain} # leaf
`;
    const r = failure(project(text));
    assert.ok(!r.message.includes(plain), "the plain value is not printed");
    const top = problem(r, "minioAdminPassword");
    assert.match(
      top.text,
      /expected a secret \(`pulumi config set --stack s --secret minioAdminPassword`\), got a plain value/,
    );
    assert.equal(top.place?.line, lineOf(text, "top").line);
    const leaf = problem(r, "receiverCredentials.mail");
    assert.match(leaf.text, /`pulumi config set --stack s --secret --path 'receiverCredentials\.mail'`/);
    assert.equal(leaf.place?.line, lineOf(text, "leaf").line);
    // The undecryptable one beside it is reported in the same run; the CLI's own note is not the plain one.
    // (With no receiver named chat, in the line that names the entry unknown: removing it mends both.)
    assert.ok(
      r.problems.some(
        (p) =>
          p.startsWith(`${P("receiverCredentials.chat")}: `) && p.includes("so the CLI cannot decrypt it"),
      ),
    );
    assert.ok(!r.notes.some((n) => n.includes("got a plain value")), r.notes.join("\n"));
  });

  it("each --path names exactly the value's place (the CLI's path grammar read back)", () => {
    for (const p of [["chat"], ["team.ops"], [0, "token"], ['a"b', 2]]) {
      const cmd = setSecretCommand(P("receiverCredentials"), p, PROJECT);
      const quoted = /--path '(.*)'$/.exec(cmd)?.[1];
      assert.ok(quoted, cmd);
      assert.deepEqual(parseSegments(quoted), ["receiverCredentials", ...p], cmd);
    }
    assert.equal(propertyPath("x", []), "x");
  });
});

describe("config: hints that point the right way", function () {
  this.timeout(20000);
  const base = `config:
  ${P("kubeContext")}: admin@example
  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
`;

  it("a missing phase names both starts; a stack taking over KPS names the takeover's", () => {
    const fresh = problem(failure(project(base)), "phase").text;
    const last = PHASES[PHASES.length - 1];
    assert.match(fresh, new RegExp(`\`pulumi config set --stack s phase ${last}\` for a fresh install`));
    assert.match(
      fresh,
      new RegExp(
        `\`pulumi config set --stack s phase ${PHASES[0]}\` to take over a running kube-prometheus-stack`,
      ),
    );
    const takeover = problem(
      failure(
        project(`${base}  ${P("takeover")}:
    releases:
      kubePrometheusStack: monitoring/kube-prometheus-stack
`),
      ),
      "phase",
    ).text;
    assert.match(
      takeover,
      new RegExp(`\`pulumi config set --stack s phase ${PHASES[0]}\` \\(this stack takes over`),
    );
    assert.ok(!takeover.includes(`phase ${last}`), takeover);
  });

  it("a missing object is never set with a plain `pulumi config set <key>`: --path per leaf, or the file", () => {
    const r = failure(
      project(`config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
`),
    );
    const text = problem(r, "objectStore").text;
    assert.match(text, /write it in the stack file/);
    assert.match(text, /`pulumi config set --stack s --path 'objectStore\.type' minio`/);
    assert.match(text, /`pulumi config set --stack s --path 'objectStore\.endpoint'`/);
    assert.ok(!/`pulumi config set objectStore /.test(text), text);
    // A list of objects: its first item's required keys; a scalar key needs no --path.
    const pools = leafCommands("nodePools") ?? [];
    for (const k of ["name", "arch", "count", "cpu", "memory"])
      assert.ok(pools.includes(`pulumi config set --path 'nodePools[0].${k}'`), pools.join("\n"));
    assert.equal(leafCommands("kubeContext"), undefined);
    // Without Pulumi.yaml's default, a missing list says so the same way.
    const noDefault = failure(
      project(
        `config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("objectStore")}:
    type: filesystem
`,
        (p) => p.replace(/(\n  nodePools:\n)    default:\n(      .*\n)+/, "$1"),
      ),
    );
    assert.match(problem(noDefault, "nodePools").text, /--path 'nodePools\[0\]\.name'/);
  });
});

describe("config: locating a key path (config/locate.ts)", () => {
  it("reads the path a problem names, with indexes and quoted keys", () => {
    assert.deepEqual(problemPath(`${P("a.b[2]")}: x`), { namespace: PROJECT, path: ["a", "b", 2] });
    assert.deepEqual(problemPath(`${P('r["x.y"].z')}: x`)?.path, ["r", "x.y", "z"]);
    assert.deepEqual(problemPath(`${P("cluster (the default bucketPrefix)")}: x`)?.path, ["cluster"]);
    assert.equal(problemPath("no key here"), undefined);
  });

  it("places a key left to Pulumi.yaml's default there, a missing key at `config:`, and reads stackConfigDir", () => {
    const dir = project(
      `# c\nconfig:\n  ${P("phase")}: kps-removed\n`,
      (p) => `${p}stackConfigDir: stacks\n`,
    );
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.renameSync(path.join(dir, "Pulumi.s.yaml"), path.join(dir, "stacks", "Pulumi.s.yaml"));
    const at = ConfigLocator.forStack(dir, "s");
    assert.deepEqual(
      { ...at.at(["phase"]), lines: undefined },
      {
        file: path.join(dir, "stacks", "Pulumi.s.yaml"),
        line: 3,
        column: 3,
        lines: undefined,
        exact: true,
        endLine: 3,
      },
    );
    const pools = at.at(["nodePools", 0, "memory"]);
    assert.equal(pools?.file, path.join(dir, "Pulumi.yaml"));
    assert.match(pools.lines[pools.line - 1], /^ {2}nodePools:/);
    assert.deepEqual([at.at(["objectStore"])?.line, at.at(["objectStore"])?.exact], [2, false]);
  });

  it("the program's own context check (apply/program.ts) is placed too: a provider context naming another cluster", async () => {
    const text = `config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("objectStore")}:
    type: filesystem
  kubernetes:context: admin@other # ctx
`;
    const dir = project(text);
    const { line, column } = lineOf(text, "ctx");
    await assert.rejects(synthStack(dir, "s"), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(e.problems[0], /^kubernetes:context: expected nothing or the stack's pinned context/);
      assert.deepEqual([e.places[0]?.line, e.places[0]?.column], [line, column]);
      return true;
    });
  });

  it("a real run judges the program's chart pins beside the stack file, as synth does (a misspelt version key registers no Release without a version), as the program's, not the stack file's", async () => {
    const text = `config:\n  ${P("kubeContext")}: admin@example\n  ${P("phase")}: kps-removed\n  ${P("objectStore")}:\n    type: filesystem\n`;
    const dir = project(text);
    const pin = 'model/versions.ts:38: charts.alertmanager.versoin: unknown key; did you mean "version"?';
    await withRuntimeConfig(
      "s",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "filesystem" }),
      },
      () =>
        assert.throws(
          () => loadStackConfig(dir, true, undefined, () => [pin]),
          // Said after the stack file's own problems (its secrets unset here), not counted as one.
          (e: unknown) =>
            e instanceof ConfigError &&
            !e.problems.includes(pin) &&
            e.message.endsWith(
              `\ninvalid pins in model/versions.ts, the program's own, not the stack configuration (1 problem):\n  - ${pin}`,
            ),
        ),
    );
  });

  it("a real run with a pin's chart name misspelt says the pin, not the stack's right chartValues key it refuses", () => {
    // The chart names chartValues takes are the pins' (config/chartValues.ts, read when it loads):
    // the pin is misspelt in a child, before anything loads it, as an edit of model/versions.ts is.
    const cache = tmpDir("pins-cache");
    for (const f of ["grafana-12.3.1.tgz", "grafana-12.11.1.tgz"]) fs.writeFileSync(path.join(cache, f), "");
    const dir = project(`config:\n  ${P("kubeContext")}: admin@example\n`);
    // The child starts as the workers do (.mocharc.cjs requires test/support/sdkShortcut.ts): the
    // SDK modules a run under mocks never uses load on first use, not the automation API and
    // @npmcli/arborist with @pulumi/pulumi. Measured warm, this file alone, alternating: 5.2 and
    // 4.9 -> 3.8 and 3.6 s of CPU.
    const child = `
      require("./test/support/sdkShortcut");
      const { versions } = require("./model/versions");
      versions.charts.grafana.chart = "grafanna";
      const { withRuntimeConfig } = require("./test/support/runtimeConfig");
      const { loadStackConfig } = require("./config/load");
      const config = JSON.parse(process.env.CASE_CONFIG);
      const runs = Object.entries({ alone: {}, beside: { [${JSON.stringify(P("phase"))}]: "kps-remove" } });
      (async () => {
        const said = {};
        for (const [name, more] of runs)
          await withRuntimeConfig("s", { ...config, ...more }, () => {
            try { loadStackConfig(process.env.CASE_DIR); said[name] = "accepted"; }
            catch (e) { said[name] = e.name + ": " + e.message; }
          });
        process.stdout.write(JSON.stringify(said));
      })();`;
    const r = spawnSync(process.execPath, [...TSX_CHILD, "-e", child], {
      cwd: ROOT,
      encoding: "utf8",
      env: {
        ...process.env,
        HOMELAB_CHART_CACHE: cache,
        CASE_DIR: dir,
        CASE_CONFIG: JSON.stringify({
          [P("kubeContext")]: "admin@example",
          [P("phase")]: "kps-removed",
          [P("objectStore")]: JSON.stringify({ type: "filesystem" }),
          [P("secrets")]: JSON.stringify({ backend: "config" }),
          [P("alerting")]: JSON.stringify({ pushover: false, heartbeat: false }),
          [P("chartValues")]: JSON.stringify({ grafana: { replicas: 2 } }),
        }),
      },
    });
    assert.equal(r.status, 0, r.stderr);
    const said = JSON.parse(r.stdout) as Record<string, string>;
    const line = fs
      .readFileSync(path.join(ROOT, "model/versions.ts"), "utf8")
      .split("\n")
      .findIndex((l) => l.includes('chart: "grafana"'));
    const pin = `model/versions.ts:${line + 1}: charts.grafana.chart: expected the chart's name as its repository names it, got "grafanna", which the chart cache holds no version of; did you mean "grafana"? (the chart cache holds grafana 12.3.1, 12.11.1; a stack file's chartValues.grafana is judged as this chart's values once the pin names it so)`;
    // Alone: the pin's refusal, not "invalid stack configuration" with chartValues.grafana told to become the slip.
    assert.equal(
      said.alone,
      `PinError: invalid pins in model/versions.ts, the program's own, not the stack configuration (1 problem):\n  - ${pin}`,
    );
    // Beside a mistake of the stack file's own: that one as the stack's, the pin after it as the program's.
    assert.match(
      said.beside,
      /^ConfigError: invalid stack configuration \(1 problem\):\n {2}- homelab-observability:phase: /,
    );
    assert.doesNotMatch(said.beside, /chartValues\.grafana: unknown key/);
    assert.ok(
      said.beside.endsWith(
        `\ninvalid pins in model/versions.ts, the program's own, not the stack configuration (1 problem):\n  - ${pin}`,
      ),
      said.beside,
    );
  });

  it("a real run's problems (config/load.ts, under the Pulumi runtime) are placed in the stack file", async () => {
    const text = `config:
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("objectStore")}:
    type: filesystem
  ${P("loki")}:
    retention: 7days # retention
  homelab-observabilty:production: true # ns
`;
    const dir = project(text);
    // What the CLI hands the program for that file: text, objects as JSON.
    await withRuntimeConfig(
      "s",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "filesystem" }),
        [P("loki")]: JSON.stringify({ retention: "7days" }),
        "homelab-observabilty:production": "true",
      },
      () => {
        const { line, column } = lineOf(text, "retention");
        assert.throws(
          () => loadStackConfig(dir),
          (e: unknown) =>
            e instanceof ConfigError &&
            e.message.includes(`${P("loki.retention")}: expected a duration`) &&
            e.message.includes(`at ${path.join(dir, "Pulumi.s.yaml")}:${line}:${column}\n`) &&
            // A slip of the namespace, which the schema never sees, is named too.
            e.message.includes(
              `homelab-observabilty:production: unknown key (namespace "homelab-observabilty" is not the project's`,
            ) &&
            e.message.includes(`at ${path.join(dir, "Pulumi.s.yaml")}:${lineOf(text, "ns").line}:3\n`),
        );
      },
    );
  });
});
