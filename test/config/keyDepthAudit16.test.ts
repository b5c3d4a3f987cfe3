/**
 * Round 16's audit of the stack file's messages, by the mistakes users make: a key written one
 * level too high or too low is named with the key it is at the right depth; a value refused by
 * its own check is one message, not also a rule's about the default standing in for it; a list or
 * a text written as something else is told the form (a list, a duration), in the project's words.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { parseSegments } from "../../config/locate";
import { ROOT, tmpDir } from "../support/helpers";
import { withRuntimeConfig } from "../support/runtimeConfig";
import { BASE, P, RECEIVER, STORE, refusal } from "../support/stackText";

/** The problems of a stack file of the base, the store, Pushover and the heartbeat off, and `more`. */
const problemsOf = (more: string, head = BASE) =>
  refusal(`${head}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}\n${more}`).problems;

describe("round 16: a key at the wrong depth", () => {
  it("a nested key written at the top names the maps one level down that have it", () => {
    const problems = problemsOf(`  ${P("retention")}: 7d\n`);
    assert.deepEqual(problems, [
      `${P("retention")}: unknown key; did you mean "${P("loki.retention")}" or "${P("prometheus.retention")}" or "${P("victoriametrics.retention")}"? (a key one level down: move it under the map meant)`,
    ]);
  });

  it("a top-level key written inside a map names the top-level key", () => {
    const problems = problemsOf(`  ${P("loki")}:\n    secrets:\n      backend: config\n`);
    assert.deepEqual(problems, [
      `${P("loki.secrets")}: unknown key; did you mean "${P("secrets")}"? (a key of the top level, not of ${P("loki")}: move it there)`,
    ]);
  });

  it("a list item's key written on the item above names it in the list one level down", () => {
    const pool = `  ${P("nodePools")}:\n    - name: a\n      arch: amd64\n      count: 1\n      cpu: "4"\n      memory: 8Gi\n      effect: NoSchedule\n`;
    const problems = problemsOf(pool);
    assert.deepEqual(problems, [
      `${P("nodePools[0].effect")}: unknown key; did you mean "${P("nodePools[0].taints[0].effect")}"? (a key one level down: move it under the map named)`,
    ]);
  });

  it("a required key written one level too low is one message: the key, where it goes, and that it is missing", () => {
    const head = `config:\n  ${P("kubeContext")}: admin@example\n`;
    const problems = problemsOf(`  ${P("loki")}:\n    phase: kps-removed\n`, head);
    assert.deepEqual(problems, [
      `${P("loki.phase")}: unknown key; did you mean "${P("phase")}"? (a key of the top level, not of ${P("loki")}: move it there) (${P("phase")} is required and missing)`,
    ]);
  });

  it("a key whose name is a path (pulumi config set without --path) is placed at itself and told how to nest it", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}\n  ${P("loki.retention")}: 7d\n  ${P("nodePools[0].count")}: 2\n`,
    );
    assert.deepEqual(e.problems, [
      `${P('["loki.retention"]')}: unknown key: one key whose name holds the path loki.retention (as pulumi config set writes it without --path), which nothing reads; move its value in the stack file to retention under ${P("loki")}, or run \`pulumi config rm --stack s 'loki.retention'\` then \`pulumi config set --stack s --path 'loki.retention'\` (it prompts for the value)`,
      // The file writes no nodePools: set alone, the count would make a pool of nothing else,
      // in place of Pulumi.yaml's default one.
      `${P('["nodePools[0].count"]')}: unknown key: one key whose name holds the path nodePools[0].count (as pulumi config set writes it without --path), which nothing reads; move its value in the stack file to count under ${P("nodePools[0]")}, which the file does not write yet: write the other keys ${P("nodePools[0]")} requires with it (name, arch, cpu, memory); or run \`pulumi config rm --stack s 'nodePools[0].count'\` then ${["name", "arch", "cpu", "memory", "count"].map((k) => `\`pulumi config set --stack s --path 'nodePools[0].${k}'\``).join(", ")} (each prompts for a value not given)`,
    ]);
    // Each at its own line of the stack file, not at a `loki:` default or a `count:` elsewhere.
    assert.deepEqual(
      e.places.map((p) => [p?.file.endsWith("Pulumi.s.yaml"), p?.line]),
      [
        [true, 8],
        [true, 9],
      ],
    );
  });

  it("a key whose name is a path with a misspelt segment, or none that names a key, is placed at itself, the nested path meant named", () => {
    const e = refusal(
      `${BASE}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}\n  ${P("grafanna.url")}: https://grafana.example.net\n  ${P("loki.retenton")}: 7d\n  ${P("foo.bar")}: 1\n`,
    );
    assert.deepEqual(e.problems, [
      `${P('["grafanna.url"]')}: unknown key: one key whose name holds the path grafanna.url (as pulumi config set writes it without --path), which nothing reads (did you mean grafana.url?); move its value in the stack file to url under ${P("grafana")}, or run \`pulumi config rm --stack s 'grafanna.url'\` then \`pulumi config set --stack s --path 'grafana.url'\` (it prompts for the value)`,
      `${P('["loki.retenton"]')}: unknown key: one key whose name holds the path loki.retenton (as pulumi config set writes it without --path), which nothing reads (did you mean loki.retention?); move its value in the stack file to retention under ${P("loki")}, or run \`pulumi config rm --stack s 'loki.retenton'\` then \`pulumi config set --stack s --path 'loki.retention'\` (it prompts for the value)`,
      `${P('["foo.bar"]')}: unknown key (every key: docs/reference/configuration.md)`,
    ]);
    assert.deepEqual(
      e.places.map((p) => p?.line),
      [8, 9, 10],
    );
  });

  it("a key whose name is a path is told the way its next run accepts: a key meant already set, a secret, a path under one value", () => {
    const salt = "encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n";
    const problems = problemsOf(
      `  ${P("loki")}: {retention: 14d}\n  ${P("loki.retention")}: 7d\n  ${P("receiverCredentials.mail")}: PlainPass42\n  ${P("pushoverToken.value")}:\n    secure: v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA\n`,
      `${salt}${BASE}`,
    );
    assert.deepEqual(problems, [
      // Moved in, `retention` would be written twice (`Map keys must be unique`); set with --path, 14d would go unsaid.
      `${P('["loki.retention"]')}: unknown key: one key whose name holds the path loki.retention (as pulumi config set writes it without --path), which nothing reads, and ${P("loki.retention")} is already set: move what this key holds into it, then remove this key (\`pulumi config rm --stack s 'loki.retention'\`)`,
      // Moved in the file, the value would be refused as plain text where a secret goes.
      `${P('["receiverCredentials.mail"]')}: unknown key: one key whose name holds the path receiverCredentials.mail (as pulumi config set writes it without --path), which nothing reads; its value is plain text, where receiverCredentials.mail takes a secret: run \`pulumi config rm --stack s 'receiverCredentials.mail'\` then \`pulumi config set --stack s --secret --path 'receiverCredentials.mail'\` (it prompts for the value)`,
      // Set with --path, pushoverToken would be a map, which it refuses.
      `${P('["pushoverToken.value"]')}: unknown key: one key whose name holds the path pushoverToken.value (as pulumi config set writes it without --path), which nothing reads; ${P("pushoverToken")} takes one value, with no keys under it: run \`pulumi config rm --stack s 'pushoverToken.value'\` then \`pulumi config set --stack s --secret pushoverToken\` (it prompts for the value)`,
    ]);
  });

  it("a key written one level too high beside the key it means, already set, is told to merge the two", () => {
    const problems = problemsOf(
      `  ${P("workload")}:\n    activeSeries: 50000\n  ${P("activeSeries")}: 100000\n`,
    );
    assert.deepEqual(problems, [
      `${P("activeSeries")}: unknown key; did you mean "${P("workload.activeSeries")}"? (a key one level down, where ${P("workload.activeSeries")} is already set: move what this key holds into it, then remove this key)`,
    ]);
  });

  it("a key under the wrong map names the map beside it that has it", () => {
    const problems = problemsOf(`  ${P("mimir")}:\n    logsPerDay: 3GB\n`);
    assert.deepEqual(problems, [
      `${P("mimir.logsPerDay")}: unknown key; did you mean "${P("workload.logsPerDay")}"? (a key of ${P("workload")}, not of ${P("mimir")}: move it there)`,
    ]);
  });

  it("a key with a close name at its own level keeps that name, not one at another level", () => {
    const problems = problemsOf(`  ${P("loki")}:\n    retension: 7d\n`);
    assert.deepEqual(problems, [`${P("loki.retension")}: unknown key; did you mean "retention"?`]);
  });
});

describe("round 16: one message for a value refused by its own check", () => {
  it("a list written as one text is refused once, not also by the rule that needs the list", () => {
    const network = `  ${P("network")}:\n    egress: enforced\n    apiServer:\n      cidrs: 10.0.0.1/32\n    nodes: 10.0.0.0/24\n`;
    const problems = problemsOf(network);
    assert.deepEqual(problems, [
      `${P("network.apiServer.cidrs")}: expected a list (YAML: one \`- item\` per line), got string "10.0.0.1/32"`,
      `${P("network.nodes")}: expected a list (YAML: one \`- item\` per line), got string "10.0.0.0/24"`,
    ]);
  });
});

describe("round 16: the form a key expects, whatever was written", () => {
  it("a list with a default and a check of its items is told it is a list, not zod's `array`", () => {
    const receivers = RECEIVER.replace("      - name", "        name").replace(
      /\n {8}(type|channel)/g,
      "\n        $1",
    );
    const problems = refusal(`${BASE}${STORE}${receivers}`).problems;
    assert.deepEqual(problems, [
      `${P("alerting.receivers")}: expected a list (YAML: one \`- item\` per line), got an object`,
    ]);
  });

  it("a map where a duration goes names the duration's form", () => {
    const problems = problemsOf(`  ${P("loki")}:\n    retention:\n      days: 7\n`);
    assert.deepEqual(problems, [
      `${P("loki.retention")}: expected a duration above zero like "7d" (whole number + ms|s|m|h|d|w|y, or several largest first as "1d12h"), got an object`,
    ]);
  });
});

describe("round 16: a number or a boolean written in quotes", () => {
  it("a quoted number the key takes is told to drop the quotes, with the key's own bounds", () => {
    const problems = problemsOf(`  ${P("loki")}:\n    replicas: "2"\n`);
    assert.deepEqual(problems, [
      `${P("loki.replicas")}: expected a whole number of at least 1, like 3 (drop the quotes: 2), got string "2"`,
    ]);
  });

  it("the example of a bounded number is inside its bounds, and a quoted number it refuses is not told to drop the quotes", () => {
    const problems = refusal(
      `${BASE}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false, pushoverPriority: "5"}\n`,
    ).problems;
    assert.deepEqual(problems, [
      `${P("alerting.pushoverPriority")}: expected a whole number from -2 to 2, like 2, got string "5"`,
    ]);
  });

  it("a quoted true or false is told to drop the quotes", () => {
    const problems = refusal(
      `${BASE}${STORE}  ${P("alerting")}: {pushover: "false", heartbeat: false}\n`,
    ).problems;
    assert.deepEqual(problems, [
      `${P("alerting.pushover")}: expected true or false (drop the quotes: false), got string "false"`,
    ]);
  });
});

describe("round 16: a broken secure value", () => {
  it("an empty `secure:` is said to be empty, not to be something other than base64", () => {
    const problems = refusal(`${BASE}${STORE}  ${P("minioAdminUser")}:\n    secure: ""\n`).problems;
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^homelab-observability:minioAdminUser: the secure value is empty \(no ciphertext after `secure:`\), so the CLI cannot decrypt it/,
    );
    assert.doesNotMatch(problems[0], /base64/);
  });
});

describe("round 16: a key the stack's other settings leave unread", () => {
  it("the backend not chosen: one message at its section naming each key, and no rule on their values", () => {
    const mimir = `  ${P("metricsBackend")}: victoriametrics\n  ${P("mimir")}:\n    replicas: 2\n    tenant: __mimir_cluster\n`;
    const problems = problemsOf(mimir);
    assert.deepEqual(problems, [
      `${P("mimir")}: expected no mimir key while metricsBackend is "victoriametrics" (Mimir does not run, so nothing reads them), got mimir.replicas, mimir.tenant; remove them, or set metricsBackend "mimir"`,
    ]);
  });

  it("VictoriaMetrics' keys under the standard profile's default backend say the default", () => {
    const problems = problemsOf(`  ${P("victoriametrics")}:\n    retention: 30d\n`);
    assert.deepEqual(problems, [
      `${P("victoriametrics")}: expected no victoriametrics key while metricsBackend is "mimir", the standard profile's default (VictoriaMetrics does not run, so nothing reads it), got victoriametrics.retention; remove it, or set metricsBackend "victoriametrics"`,
    ]);
  });

  it("Loki's pod counts of a mode it does not run are one message at the first", () => {
    const problems = problemsOf(`  ${P("loki")}:\n    mode: Monolithic\n    write: 0\n    read: 3\n`);
    assert.deepEqual(problems, [
      `${P("loki.write")}: expected no loki.write or loki.read in loki.mode "Monolithic" (loki.write, loki.read size SimpleScalable's pods, which only "SimpleScalable" and "Monolithic<->SimpleScalable" run), got loki.write: 0, loki.read: 3; remove them, or set the loki.mode they are for`,
    ]);
    // The mode as the file writes it: SingleBinary is named, not the Monolithic it means.
    assert.deepEqual(problemsOf(`  ${P("loki")}:\n    mode: SingleBinary\n    write: 0\n`), [
      `${P("loki.write")}: expected no loki.write in loki.mode "SingleBinary" (the loki chart's old name of "Monolithic") (loki.write sizes SimpleScalable's pods, which only "SimpleScalable" and "Monolithic<->SimpleScalable" run), got loki.write: 0; remove it, or set the loki.mode it is for`,
    ]);
  });

  it("loki.replicas in SimpleScalable is refused, and kept in the transitional mode that reads both", () => {
    const ssd = problemsOf(
      `  ${P("loki")}:\n    mode: SimpleScalable\n    replicas: 3\n    write: 3\n    read: 3\n    backend: 3\n`,
    );
    assert.deepEqual(ssd, [
      `${P("loki.replicas")}: expected no loki.replicas in loki.mode "SimpleScalable" (loki.replicas sizes the monolithic pods, which only "Monolithic", "SingleBinary" and "Monolithic<->SimpleScalable" run), got loki.replicas: 3; remove it, or set the loki.mode it is for`,
    ]);
    const pools = `  ${P("nodePools")}:\n    - {name: a, arch: amd64, count: 3, cpu: "8", memory: 32Gi}\n`;
    const moving = `  ${P("loki")}:\n    mode: Monolithic<->SimpleScalable\n    replicas: 3\n    write: 3\n    read: 3\n    backend: 3\n    replicationFactor: 1\n`;
    assert.throws(() => problemsOf(`${pools}${moving}`), /the stack file was accepted/);
  });
});

describe("round 16: a name given twice", () => {
  it("a second pool or receiver of a name names the first one's place", () => {
    const pool = (name: string) => `    - {name: ${name}, arch: amd64, count: 1, cpu: "4", memory: 8Gi}\n`;
    const problems = refusal(
      `${BASE}${STORE}  ${P("nodePools")}:\n${pool("w")}${pool("w")}${RECEIVER}        - {name: team-slack, type: slack}\n`.replace(
        "        - {name",
        "      - {name",
      ),
    ).problems;
    assert.deepEqual(problems, [
      `${P("nodePools[1].name")}: expected a unique pool name, got duplicate "w" (nodePools[0].name has it)`,
      `${P("alerting.receivers[1].name")}: expected a name no other receiver has ("team-slack" is taken by alerting.receivers[0]), got string "team-slack"`,
    ]);
  });
});

/*
 * A receiver's credential is one text under the receiver's name, so what follows
 * `receiverCredentials.` in a key set without --path is one name, dots and all. The hint read
 * `receiverCredentials.Team.Slack` as the entry "Team" with a key "Slack" under it, and set
 * `receiverCredentials.Team`, an entry no receiver reads.
 */
describe("round 16: a receiverCredentials key set without --path whose name holds a dot", () => {
  const CIPHER = "AAABAHRlYW0tc2xhY2stY2lwaGVydGV4dA==";
  const receiver = (name: string) =>
    `  ${P("secrets")}:\n    backend: config\n  ${P("alerting")}:\n    pushover: false\n    heartbeat: false\n    receivers:\n      - name: ${name}\n        type: slack\n        channel: "#alerts"\n`;
  const dotted = `  ${P("receiverCredentials.Team.Slack")}:\n    secure: ${CIPHER}\n`;

  it("names the receiver the name is a slip of, and its hint sets that receiver's entry", () => {
    const e = refusal(`${BASE}${STORE}${receiver("team-slack")}${dotted}`);
    assert.deepEqual(e.problems, [
      `${P('["receiverCredentials.Team.Slack"]')}: unknown key: one key whose name holds the path receiverCredentials.Team.Slack (as pulumi config set writes it without --path), which nothing reads (did you mean receiverCredentials.team-slack?); run \`pulumi config rm --stack s 'receiverCredentials.Team.Slack'\` then \`pulumi config set --stack s --secret --path 'receiverCredentials.team-slack'\` (it prompts for the value)`,
    ]);
  });

  it("close to no receiver: the hint sets the one entry of that name, quoted as Pulumi's --path reads a key holding a dot", () => {
    const e = refusal(`${BASE}${STORE}${receiver("pager")}${dotted}`);
    assert.deepEqual(e.problems, [
      `${P('["receiverCredentials.Team.Slack"]')}: unknown key: one key whose name holds the path receiverCredentials.Team.Slack (as pulumi config set writes it without --path), which nothing reads (did you mean receiverCredentials["Team.Slack"]?); run \`pulumi config rm --stack s 'receiverCredentials.Team.Slack'\` then \`pulumi config set --stack s --secret --path 'receiverCredentials["Team.Slack"]'\` (it prompts for the value)`,
    ]);
    // The path as the CLI reads it (config/locate.ts parseSegments, its property-path grammar): one entry.
    const path = /--path '([^']+)'/.exec(e.problems[0])![1];
    assert.deepEqual(parseSegments(path), ["receiverCredentials", "Team.Slack"]);
  });

  it("under the Pulumi runtime (config/load.ts): the same hint, one message with the credential it leaves absent", async () => {
    const dir = tmpDir("dotted-credential");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    await withRuntimeConfig(
      "s",
      {
        [P("kubeContext")]: "admin@example",
        [P("phase")]: "kps-removed",
        [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
        [P("secrets")]: JSON.stringify({ backend: "config" }),
        [P("alerting")]: JSON.stringify({
          pushover: false,
          heartbeat: false,
          receivers: [{ name: "team-slack", type: "slack", channel: "#alerts" }],
        }),
        [P("receiverCredentials.Team.Slack")]: "https://hooks.slack.example/plain-31337",
      },
      () =>
        assert.throws(
          () => loadStackConfig(dir),
          (e: unknown) => {
            assert.ok(e instanceof ConfigError, String(e));
            const line = e.problems.find((p) => p.startsWith(P('["receiverCredentials.Team.Slack"]')));
            assert.ok(line, e.message);
            assert.match(line, /\(did you mean receiverCredentials\.team-slack\?\)/);
            assert.match(line, /config set --stack s --secret --path 'receiverCredentials\.team-slack'`/);
            assert.doesNotMatch(e.message, /'receiverCredentials\.Team'/);
            // The runtime also finds team-slack's credential absent: the same mistake, whose one
            // edit the hint is, said in the key's line, not in a second one with the same command.
            assert.deepEqual(
              e.problems.filter((p) => p.includes("receiverCredentials")),
              [line],
            );
            assert.ok(
              line.endsWith(
                `(it prompts for the value) (receiverCredentials is required with secrets.backend "config" for alerting.receivers "team-slack")`,
              ),
              line,
            );
            return true;
          },
        ),
    );
  });
});
