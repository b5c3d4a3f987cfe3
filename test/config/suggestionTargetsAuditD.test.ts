/**
 * The "did you mean" of a key written in the wrong place names a key that, followed, sets what was
 * meant: never another component's key (a Grafana password moved into MinIO's, Grafana's replicas
 * into Loki's); and a key that is no slip of a name (an encrypted value on a map, an anchor's
 * holder, the project's keys nested under its name) is said as what it is.
 */
import { strict as assert } from "assert";
import { BASE, P, STORE, refusal } from "../support/stackText";

/** The problems of a stack file of the base, the store, Pushover and the heartbeat off, and `more`. */
const problemsOf = (more: string, head = BASE) =>
  refusal(`${head}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}\n${more}`).problems;

describe("new-user trial D: where a misplaced key is sent", () => {
  it("a map's key that is a top-level key named by the two joined names that key, not a close one", () => {
    const problems = problemsOf(`  ${P("grafana")}:\n    adminPassword:\n      secure: AAABAJ0ccccccccc\n`);
    assert.deepEqual(problems, [
      `${P("grafana.adminPassword")}: unknown key; did you mean "${P("grafanaAdminPassword")}"? (the key of the top level that holds grafana.adminPassword: write its value there, under that name, and remove this key)`,
    ]);
  });

  it("a slip of such a key is measured as the joined name, never sent to another component's secret", () => {
    // Nearer to minioAdminPassword than to grafanaAdminPassword as a key alone: pasted, the command
    // would have set MinIO's root password to Grafana's.
    const problems = problemsOf(`  ${P("grafana")}:\n    adminPasword:\n      secure: AAABAJ0ccccccccc\n`);
    assert.deepEqual(problems, [
      `${P("grafana.adminPasword")}: unknown key; did you mean "${P("grafanaAdminPassword")}"? (the key of the top level that holds grafana.adminPasword: write its value there, under that name, and remove this key)`,
    ]);
  });

  it("a component's key is never offered as another component's", () => {
    const problems = problemsOf(`  ${P("grafana")}:\n    replicas: 2\n`);
    assert.deepEqual(problems, [
      `${P("grafana.replicas")}: unknown key; expected one of: url, volumeSize, dashboardNamespaces, ingress, httpRoute`,
    ]);
  });

  it("a short unknown key under a long-named map is never sent to the map that already holds it", () => {
    // `storageClassesFast` and `objectStoreSsl` are a few edits from the holders' own names: moved
    // "there", the value would replace the whole map.
    const store = `  ${P("objectStore")}:\n    type: minio\n    endpoint: http://minio.storage.svc:9000\n    ssl: false\n`;
    const e = refusal(
      `${BASE}${store}  ${P("alerting")}: {pushover: false, heartbeat: false}\n  ${P("storageClasses")}:\n    fast: local-path\n`,
    );
    assert.deepEqual(
      e.problems.map((p) => p.replace(/(; expected one of: .*| \(every key: .*\))$/, "")),
      [`${P("objectStore.ssl")}: unknown key`, `${P("storageClasses.fast")}: unknown key`],
    );
  });

  it("a `secure:` beside a map's keys is an encrypted value on a map, not a misspelt key", () => {
    const store = `  ${P("objectStore")}:\n    type: minio\n    endpoint: http://minio.storage.svc:9000\n    secure: AAABAJ0aaaaaaaaa\n`;
    const e = refusal(
      `${BASE}${store}  ${P("alerting")}: {pushover: false, heartbeat: false}\n  ${P("loki")}:\n    mode: SingleBinary\n    secure: AAABAJ0aaaaaaaaa\n`,
    );
    assert.deepEqual(e.problems, [
      `${P("objectStore.secure")}: unknown key: not a misspelt key but an encrypted value (\`secure:\`) written on ${P("objectStore")}, a map of settings and no secret; remove it (an encrypted value is the one entry of a key that takes a secret)`,
      `${P("loki.secure")}: unknown key: not a misspelt key but an encrypted value (\`secure:\`) written on ${P("loki")}, a map of settings and no secret; remove it (an encrypted value is the one entry of a key that takes a secret)`,
    ]);
  });

  it("a top-level key that only holds an anchor is said to be a holder, to be put on its first use", () => {
    const pools = `  ${P("poolDefaults")}: &pool\n    arch: amd64\n    cpu: "4"\n    memory: 8Gi\n  ${P("nodePools")}:\n    - <<: *pool\n      name: a\n      count: 1\n    - <<: *pool\n      name: b\n      count: 2\n`;
    assert.deepEqual(problemsOf(pools), [
      `${P("poolDefaults")}: unknown key: it holds the anchor &pool, which ${P("nodePools[0]")} and ${P("nodePools[1]")} use, but the Pulumi CLI reads every key under \`config:\` as a key of the program too, and the program has none of this name; put the anchor on the first item that uses it (${P("nodePools[0]")}), then remove this key`,
    ]);
  });

  it("a misspelt secret map's value is judged as the meant key holds it: renaming alone is the way out", () => {
    const problems = problemsOf(
      `  ${P("minioAdminPassword")}:\n    secure: AAABAJ0aaaaaaaaa\n  ${P("receiverCredential")}:\n    team:\n      secure: AAABAJ0aaaaaaaaa\n`,
    );
    assert.deepEqual(problems, [
      `${P("receiverCredential")}: unknown key; did you mean "receiverCredentials"?`,
    ]);
  });

  it("the project's keys nested under its name are one problem, and the keys inside are not said missing", () => {
    const head = `config:\n  ${"homelab-observability"}:\n    kubeContext: admin@example\n    phase: kps-removed\n`;
    assert.deepEqual(problemsOf("", head), [
      `${P("homelab-observability")}: unknown key: the project's keys written as one map under its name, which the Pulumi CLI reads as one key of that name, every key inside it unset; write each at \`config:\`'s level as \`${P("<key>")}\` (\`${P("kubeContext")}:\`), then remove this key`,
    ]);
  });
});

describe("new-user trial D: the closest value", () => {
  it("a YAML 1.1 word or a slip where true or false is expected is told the boolean meant", () => {
    const e = refusal(
      `${BASE}  ${P("production")}: yes\n${STORE}  ${P("alerting")}: {pushover: flase, heartbeat: false}\n`,
    );
    assert.deepEqual(e.problems, [
      `${P("production")}: expected true or false (Pulumi.yaml declares type 'boolean'), got string "yes"; did you mean true? (true or false, unquoted: YAML 1.2, as the Pulumi CLI reads it, takes yes as text, and quotes make any word text)`,
      `${P("alerting.pushover")}: expected true or false, got string "flase"; did you mean false?`,
    ]);
  });

  it("a size written as a number alone is offered with its unit", () => {
    const [problem] = problemsOf(`  ${P("loki")}:\n    volumeSize: "70"\n`);
    assert.match(
      problem,
      /^homelab-observability:loki\.volumeSize: expected .*, got string "70"; did you mean "70Gi"\?$/,
    );
  });

  it("a chart name under chartValues that is a stack key holding this value's keys names that key", () => {
    assert.deepEqual(problemsOf(`  ${P("chartValues")}:\n    prometheus:\n      retention: 7d\n`), [
      `${P("chartValues.prometheus")}: unknown key; did you mean "${P("prometheus")}"? (a key of the top level, which takes every key this holds: move it there)`,
    ]);
  });

  it("a misspelt key merged from an anchor into two items is said as one key, not one value", () => {
    const alerting = `  ${P("alerting")}:\n    pushover: false\n    heartbeat: false\n    receivers:\n      - &r\n        name: a\n        type: slack\n        minSeverty: critical\n      - <<: *r\n        name: b\n`;
    assert.deepEqual(refusal(`${BASE}${STORE}${alerting}`).problems, [
      `${P("alerting.receivers[0].minSeverty")}: unknown key; did you mean "minSeverity"? (the same key, written once, reaches ${P("alerting.receivers[1].minSeverty")} (merged at line 15 through \`<<: *r\`): one edit mends both)`,
    ]);
  });

  it("a value of the key of the same name in the map beside names that key", () => {
    const head = `config:\n  ${P("kubeContext")}: admin@example\n  ${P("phase")}: loki-fixed\n`;
    assert.deepEqual(problemsOf(`  ${P("takeover")}:\n    step: moved\n`, head), [
      `${P("takeover.step")}: expected one of import | update, got string "moved"; "moved" is a value of ${P("agents.step")}: did you mean that key?`,
    ]);
  });
});
