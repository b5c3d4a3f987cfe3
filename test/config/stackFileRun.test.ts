import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadStackConfig } from "../../config/load";
import { ConfigError } from "../../config/errors";
import { ROOT, tmpDir } from "../support/helpers";
import { BASE, P, POOL_ARCH_SLIP, RECEIVER, refusal, STORE } from "../support/stackText";
import { withRuntimeConfig } from "../support/runtimeConfig";

/*
 * One run over a broken stack file, as `npm run synth` makes it (config/stackCheck.ts): every hint
 * it prints runs against that stack, the problems come in the file's line order, a YAML slip does
 * not hide the problems beside it, and a bad variant name does not hide the mistakes under it.
 */
const SALT = "encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n";

/** The note that what names `key` waits for the file to be YAML (config/stackCheck.ts slipUnsureKeys). */
const unsureNote = (key: string) =>
  `(with the file not valid YAML, what names ${P(key)} (a key on a slip's lines, holding one, or written below one where the parser holds it no more), the rules between keys among it, is checked once it is valid YAML: a slip can hide or move a key)`;

describe("config: one run over a broken stack file (config/stackCheck.ts)", function () {
  this.timeout(20000);

  it("every `pulumi config` command a problem quotes names the stack it is for", () => {
    const e = refusal(
      `${SALT}config:
  ${P("kubeContext")}: admin@example
  ${P("objectStore")}:
    type: garage
    endpoint: http://garage.storage.svc:3900
    adminEndpoint: http://localhost:3903
  ${P("grafanaAdminPassword")}:
    secure: not-ciphertext
  ${P("garageAdminToken")}: plain-text
  ${P("secrets")}:
    backend: config
${RECEIVER}  ${P("receiverCredentials")}:
    team-slak:
      secure: v1:bm90
`,
      "lab-2",
    );
    const commands = [...e.problems, ...e.notes].flatMap((p) => p.match(/`pulumi config [^`]*`/g) ?? []);
    // A broken secure value, a plain secret, a misspelt credential name and the missing phase.
    assert.ok(commands.length >= 5, e.message);
    for (const c of commands) assert.match(c, /^`pulumi config (set|rm) --stack lab-2 /, c);
    assert.ok(
      e.problems.some((p) => p.includes("`pulumi config set --stack lab-2 --secret grafanaAdminPassword`")),
      e.message,
    );
  });

  it("lists the problems in the stack file's line order, those without a line last", () => {
    // Stages meet them in another order: the CLI's (production, a typed key), then the schema's.
    const e = refusal(`${BASE}  ${P("loki")}:
    mode: SingleBinry
${STORE}  ${P("production")}:
${POOL_ARCH_SLIP}`);
    const lines = e.places.map((p) => p?.line ?? Infinity);
    assert.deepEqual(
      lines,
      [...lines].sort((a, b) => a - b),
      e.message,
    );
    assert.match(e.problems[0], /loki\.mode/);
    assert.match(e.problems[1], /production/);
    assert.match(e.problems[2], /nodePools\[0\]\.arch/);
  });

  it("a YAML slip is named with the problems found beside it, each once, in line order", () => {
    const e = refusal(`${BASE}${STORE}  ${P("production")}:
  ${P("loki")}:
    retention: 7d
    retention: 14d
${POOL_ARCH_SLIP}`);
    assert.equal(e.problems.length, 3, e.message);
    assert.match(e.problems[0], new RegExp(`^${P("production")}: expected true or false`));
    assert.match(
      e.problems[1],
      /not valid YAML: Map keys must be unique: "retention" is already a key at line 9/,
    );
    assert.deepEqual([e.places[1]?.line, e.places[1]?.column], [10, 5]);
    assert.match(e.problems[2], /nodePools\[0\]\.arch: expected one of amd64 \| arm64/);
    // A key repeated with another value leaves only its map unsure: what names loki waits.
    assert.ok(
      e.notes.some((n) => n.startsWith(`(with the file not valid YAML, what names ${P("loki")} (a key`)),
      e.notes.join("\n"),
    );
  });

  it("a second YAML document is one problem at its `---`, in words, with the first document's problems beside it", () => {
    const text = `${BASE}${STORE}  ${P("production")}: maybe
---
config:
  ${P("loki")}:
    retention: 7d
`;
    const e = refusal(text);
    assert.equal(e.problems.length, 2, e.message);
    assert.match(e.problems[0], new RegExp(`^${P("production")}: expected true or false`));
    assert.match(
      e.problems[1],
      /^.*Pulumi\.s\.yaml:8:1: a second YAML document starts here \(`---`\): the Pulumi CLI reads only the first document of Pulumi\.s\.yaml and ignores everything from line 8 on without a word, so nothing there is set; move what is below this line into the first document \(config keys under its `config:`\) and remove the line$/,
    );
    assert.deepEqual([e.places[1]?.line, e.places[1]?.column], [8, 1]);
    assert.ok(!e.message.includes("parseAllDocuments"), e.message);
    assert.ok(!e.notes.some((n) => /not valid YAML/.test(n)), e.notes.join("\n"));
    // A `---` with nothing after it ignores nothing.
    assert.equal(refusal(`${BASE}${STORE}  ${P("production")}: maybe\n---\n# end\n`).problems.length, 1);
  });

  it("a key written twice is judged, and its problems placed, at its last copy (the value the parser keeps)", () => {
    // Written twice alike (written otherwise, what names it waits: the parser kept one of two).
    const store = `  ${P("objectStore")}:
    type: minoi
    endpont: http://x
`;
    const e = refusal(`${BASE}${store}  ${P("loki")}:
    retention: 7d
${store}`);
    const at = (re: RegExp) => e.places[e.problems.findIndex((p) => re.test(p))]?.line;
    // The problems are the second copy's (lines 9-11), there.
    assert.equal(at(/objectStore\.type: expected one of .*got string "minoi"/), 10, e.message);
    assert.equal(at(/objectStore\.endpont: unknown key/), 11, e.message);
    assert.equal(at(/Map keys must be unique/), 9, e.message);
  });

  it("beside a YAML slip, nothing the slip may have caused is named (a key it moved, a key it hid)", () => {
    // `arch` over-indented by one: the parser reads the rest of the item oddly, so what names
    // nodePools waits for valid YAML. The required kubeContext is written nowhere, so no slip hid
    // it: it is missing in this run already.
    const e = refusal(`config:
  ${P("phase")}: kps-removed
${STORE}  ${P("nodePools")}:
    - name: workers
       arch: amd64
      count: 1
  ${P("production")}: maybe
`);
    const slips = e.problems.filter((p) => p.includes("not valid YAML"));
    assert.ok(slips.length >= 1, e.message);
    assert.ok(!e.problems.some((p) => /nodePools/.test(p)), e.message);
    assert.ok(
      e.problems.some((p) => p.startsWith(`${P("production")}: expected true or false`)),
      e.message,
    );
    assert.ok(
      e.problems.some((p) => p.startsWith(`${P("kubeContext")}: required`)),
      e.message,
    );
    assert.ok(e.notes.includes(unsureNote("nodePools")), e.notes.join("\n"));
  });

  // eemeli/yaml reads `profile: lightweight` followed by an over-indented key as a map under
  // `profile` holding every key below at config's column: objectStore is written, not missing.
  it("a required key written below a slip that hid it is unsure, not missing", () => {
    const e = refusal(`${BASE}  ${P("profile")}: lightweight
    ${P("loki")}:
    mode: SingleBinary
${STORE}  ${P("production")}: false
`);
    assert.equal(e.problems.length, 1, e.message);
    assert.ok(e.problems[0].includes("Pulumi.s.yaml:5:5: not valid YAML"), e.message);
    assert.ok(!e.notes.some((n) => n.includes(`once ${P("objectStore")} is valid`)), e.notes.join("\n"));
    assert.ok(
      e.notes.includes(
        `(with the file not valid YAML, what names ${["profile", "loki", "objectStore", "production"].map(P).join(", ")} (a key on a slip's lines, holding one, or written below one where the parser holds it no more), the rules between keys among it, is checked once it is valid YAML: a slip can hide or move a key)`,
      ),
      e.notes.join("\n"),
    );
  });

  // `pulumi config set objectStore 'type: minio'` stores the text as it is; the program reads JSON
  // text as its value (resolve.ts rawFromPulumiConfig), not YAML text.
  it("YAML text where an object or a list goes says it is read only as JSON, and how to write the value, a list as a list", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}: "type: minio"
  ${P("nodePools")}: "[{name: pi, arch: arm64, count: 1, cpu: 4, memory: 8Gi}]"
  ${P("loki")}: '{"mode": "SingleBinary"}'
  ${P("mimir")}: "4"
`);
    assert.deepEqual(
      e.problems.map((p) => p.replace(/^([^:]*:[^:]*): .*?(; a text is read as [^:]*: .*?)?$/, "$1$2")),
      [
        `${P("objectStore")}; a text is read as an object only when it is JSON, which this one is not: write it in the stack file, or remove the text it holds with \`pulumi config rm --stack s 'objectStore'\` (--path builds no map inside a text) and set it a key at a time with --path (a plain \`pulumi config set --stack s objectStore\` stores text, not an object): \`pulumi config set --stack s --path 'objectStore.type' minio\`, \`pulumi config set --stack s --path 'objectStore.endpoint'\``,
        `${P("nodePools")}; a text is read as a list only when it is JSON, which this one is not: write it in the stack file, or remove the text it holds with \`pulumi config rm --stack s 'nodePools'\` (--path builds no list inside a text) and set it a key at a time with --path (a plain \`pulumi config set --stack s nodePools\` stores text, not a list): \`pulumi config set --stack s --path 'nodePools[0].name'\`, \`pulumi config set --stack s --path 'nodePools[0].arch'\`, \`pulumi config set --stack s --path 'nodePools[0].count'\`, \`pulumi config set --stack s --path 'nodePools[0].cpu'\`, \`pulumi config set --stack s --path 'nodePools[0].memory'\``,
        // JSON text is the object it writes (loki, valid); a number is no YAML object: no such words.
        `${P("mimir")}`,
      ],
      e.message,
    );
  });

  // The tab read as spaces puts the line in loki's map, where the value judged has it: counted as
  // one column, the tab made `replicas` a config key of its own, which no reading of the file has.
  it("a tab's note names the key its line belongs to, the tab read as spaces", () => {
    const e = refusal(`${BASE}${STORE}  ${P("loki")}:
    retention: 7d
\treplicas: 2
`);
    assert.deepEqual(
      e.notes.filter((n) => n.includes("valid YAML: a slip")),
      [unsureNote("loki")],
      e.notes.join("\n"),
    );
  });

  // `7d` is valid: the parser read `retention` with the over-indented line as its value. The note
  // says so, as the slip's note says what names loki waits.
  it("a value a slip's line may have changed is said unsure because of the slip, not invalid", () => {
    const e = refusal(`${BASE}${STORE}  ${P("loki")}:
    retention: 7d
     replicas: 2
`);
    assert.deepEqual(
      e.notes.filter((n) => n.startsWith("(the rules between keys")),
      [
        `(the rules between keys (which keys need which) ran with ${P("loki.retention")} at its default, the value read being unsure because of the YAML slip at line 9)`,
      ],
      e.notes.join("\n"),
    );
    assert.ok(e.notes.includes(unsureNote("loki")), e.notes.join("\n"));
    assert.ok(e.problems[0].includes("Pulumi.s.yaml:9:6: not valid YAML"), e.message);
  });

  describe("beside a slip that leaves their keys as written, the same run names", () => {
    const pool = `  ${P("nodePools")}:
    - name: node
      arch: amd64
      count: 1
      cpu: "4"
      memory: 8Gi
  ${P("loki")}:
    replicas: 3
`;
    const replicas = `${P("loki.replicas")}: expected at most 1, the nodes of nodePools without NoSchedule or NoExecute taints`;
    /** Each problem's first words: the key and its first words, or the slip's line and reason. */
    const heads = (e: { problems: string[] }) =>
      e.problems.map((p) => p.replace(/^.*Pulumi\.s\.yaml:/, "").split(" (")[0]);

    it("a missing key and the rules between keys, beside a tab before a key of another map", () => {
      const e = refusal(`config:
  ${P("kubeContext")}: admin@example
  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
\t  adminEndpoint: http://localhost:9000
${pool}`);
      assert.deepEqual(
        heads(e),
        [
          `${P("phase")}: required`,
          "6:1: not valid YAML: Tabs are not allowed as indentation",
          `${replicas.split(" (")[0]}`,
        ],
        e.message,
      );
      assert.ok(e.problems[2].startsWith(replicas), e.message);
    });

    it("the rules between keys, beside a key repeated with the same value", () => {
      const e = refusal(`${BASE}${STORE}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    heartbeat: false
${pool}`);
      assert.deepEqual(
        heads(e),
        ['10:5: not valid YAML: Map keys must be unique: "heartbeat" is already a key at line 9', replicas],
        e.message,
      );
      assert.ok(!e.notes.some((n) => /is checked once it is valid YAML/.test(n)), e.notes.join("\n"));
    });

    it("not the rules that read a key repeated with another value: the parser kept only the later", () => {
      // Read alone, the later loki (replicationFactor 5, replicas 1) breaks a rule between keys
      // the earlier one may have met: that rule waits, and the note names loki alone.
      const e = refusal(`${BASE}${STORE}${pool}  ${P("alerting")}:
    pushover: false
  ${P("loki")}:
    replicationFactor: 5
`);
      assert.deepEqual(
        heads(e),
        [`17:3: not valid YAML: Map keys must be unique: "${P("loki")}" is already a key at line 13`],
        e.message,
      );
      assert.ok(e.notes.includes(unsureNote("loki")), e.notes.join("\n"));
    });
  });

  it("beside a bad variant name, the keys under it are judged as the closest variant, saying so", () => {
    const store = refusal(`${BASE}  ${P("objectStore")}:
    type: minoi
    endpoint: http://minio.storage.svc:9000
    pathStyle: maybe
    keepUnusedBuckets: [loki-rulr]
`);
    assert.deepEqual(store.problems, [
      `${P("objectStore.type")}: expected one of minio | garage | ceph-rgw | filesystem, got string "minoi"; did you mean "minio"?`,
      `${P("objectStore.pathStyle")}: expected true or false, got string "maybe" (judged as type "minio", the closest to "minoi")`,
      `${P("objectStore.keepUnusedBuckets[0]")}: expected one of loki-ruler | loki-admin | mimir-alertmanager, got string "loki-rulr"; did you mean "loki-ruler"? (judged as type "minio", the closest to "minoi")`,
    ]);
    const receiver = refusal(`${BASE}${STORE}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - name: team
        type: slakc
        minSeverity: warn
        to: ops@example.net
`);
    assert.deepEqual(receiver.problems, [
      `${P("alerting.receivers[0].type")}: expected one of email | slack | discord | telegram | msteams | webhook | pagerduty, got string "slakc"; did you mean "slack"?`,
      `${P("alerting.receivers[0].minSeverity")}: expected one of warning | critical, got string "warn"; did you mean "warning"? (judged as type "slack", the closest to "slakc")`,
      // Another type's key may be why it was written: named as that type's, not as unknown.
      `${P("alerting.receivers[0].to")}: a key of type "email", not of type "slack": type "slack" reads no to; remove it, or set type "email" (judged as type "slack", the closest to "slakc")`,
    ]);
  });

  it("beside a variant name close to none, only keys no variant has are named", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: s3
    endpoint: http://minio.storage.svc:9000
    pathStyle: maybe
    adminEndpont: http://localhost:9000
`);
    assert.deepEqual(e.problems, [
      `${P("objectStore.type")}: expected one of minio | garage | ceph-rgw | filesystem, got string "s3"`,
      `${P("objectStore.adminEndpont")}: unknown key; did you mean "adminEndpoint"?`,
    ]);
  });

  it("a real run's problems (config/load.ts) come in line order, each hint naming the stack and its folder", async () => {
    const text = `config:
  homelab-observabilty:production: true
  ${P("kubeContext")}: admin@example
  ${P("phase")}: kps-removed
  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
  ${P("loki")}:
    retention: 7days
  ${P("minioAdminPassword")}: hunter2
`;
    const dir = tmpDir("stack-file-run");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.lab-2.yaml"), text);
    // What the CLI hands the program for that file; the MinIO login is not set but for its
    // password, in plain text (a secret the minio store reads: one nothing reads is refused as such).
    await withRuntimeConfig(
      "lab-2",
      {
        "homelab-observabilty:production": "true",
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
        [P("loki")]: JSON.stringify({ retention: "7days" }),
        [P("minioAdminPassword")]: "hunter2",
      },
      () => {
        assert.throws(
          () => loadStackConfig(dir),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, String(e));
            const lines = e.places.map((p) => p?.line ?? Infinity);
            assert.deepEqual(
              lines,
              [...lines].sort((a, b) => a - b),
              e.message,
            );
            // Found first (config/load.ts lists the plain secret before the schema's problems), shown last.
            // The rules between keys run beside the schema's refusal: the MinIO login they require
            // has no line of its own, so it is placed at the file's head, before the keys' own lines.
            assert.match(
              e.problems[0],
              /^homelab-observability:minioAdminUser: required with secrets\.backend "config"/,
            );
            const atKeys = e.problems.filter((_, i) => e.places[i]?.exact);
            assert.match(atKeys[0], /^homelab-observabilty:production: unknown key/);
            assert.match(
              e.problems[e.problems.length - 1],
              new RegExp(`^${P("minioAdminPassword")}: expected a secret`),
            );
            assert.ok(!e.message.includes("hunter2"), "the secret is not printed");
            // And the project folder: a test's own, not this checkout, where the hint is pasted.
            const commands = e.problems.flatMap((p) => p.match(/`pulumi [^`]*`/g) ?? []);
            assert.ok(commands.length > 0, e.message);
            const cwd = `\`pulumi --cwd ${dir} config `;
            for (const c of commands) assert.ok(c.startsWith(cwd), c);
            for (const c of commands) assert.match(c.slice(cwd.length), /^(set|rm) --stack lab-2 /, c);
            return true;
          },
        );
      },
    );
  });
});
