/**
 * A YAML merge key (`<<: *anchor`) in a stack file: the Pulumi CLI (3.50 and later) reads stack
 * files with gopkg.in/yaml.v3 v3.0.1 (sdk/go/common/encoding/marshal.go), whose decoder merges `<<`
 * into the map that holds it (decode.go `mapping`: `isMerge` then `d.merge`), so the program
 * receives the merged map. The offline synthesis reads the file the same way: the merged keys are the values, and `<<`
 * is no key of its own.
 */
import { strict as assert } from "assert";
import { checkedStackConfig } from "../../config/stackCheck";
import { BASE, P, STORE, refusal, stackProject } from "../support/stackText";

/** Two node pools, the second merging the first's keys and overriding its name and count. */
const MERGED_POOLS = `  ${P("nodePools")}:
    - &pool
      name: workers
      arch: amd64
      count: 3
      cpu: "4"
      memory: 16Gi
    - <<: *pool
      name: big
      count: 1
`;

describe("a merge key in a stack file", () => {
  it("is merged as the Pulumi CLI merges it: the pool gets the anchor's keys, its own keys win", () => {
    const dir = stackProject(BASE + STORE + MERGED_POOLS);
    const { config } = checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
    const pools = JSON.parse(config[P("nodePools")]);
    assert.deepEqual(pools[1], { name: "big", arch: "amd64", count: 1, cpu: "4", memory: "16Gi" });
    assert.equal(pools[0].name, "workers");
  });

  it("reports a merged map's bad value once, naming each item it reaches, and never `<<` as an unknown key", () => {
    const e = refusal(BASE + STORE + MERGED_POOLS.replace("arch: amd64", "arch: amd46"));
    assert.doesNotMatch(e.problems.join("\n"), /unknown key|required, got nothing/, e.message);
    assert.deepEqual(e.problems, [
      `${P("nodePools[0].arch")}: expected one of amd64 | arm64, got string "amd46"; did you mean "amd64"? (the same value, written once, reaches ${P("nodePools[1].arch")} (merged at line 14 through \`<<: *pool\`): one edit mends both)`,
    ]);
  });

  it("reports one mistake once when its words name each key's own holder: a receiver's name, its credential's key", () => {
    const receivers = `  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
      - &slack
        name: slack-a
        type: slack
        channel: "#ops"
        item: shared-slack
      - <<: *slack
        name: slack-b
`;
    const e = refusal(BASE + STORE + receivers);
    assert.deepEqual(
      e.problems,
      [
        `${P("alerting.receivers[0].item")}: expected no item while secrets.backend is "config" (that backend reads the credential of receiver "slack-a" from receiverCredentials.slack-a; only the onepassword backend reads an item), got "shared-slack"; remove it, or set secrets.backend "onepassword" (the same value, written once, reaches ${P("alerting.receivers[1].item")} (merged at line 16 through \`<<: *slack\`): one edit mends both)`,
      ],
      e.message,
    );
    // Two kinds of refusal of one value are two mistakes: a slack receiver's channel that is no
    // text, and the same key on an email receiver, which reads none.
    const twoKinds = refusal(
      BASE +
        STORE +
        receivers
          .replace('channel: "#ops"', "channel: 5")
          .replace("\n        item: shared-slack", "")
          .replace(
            "name: slack-b",
            "name: mail\n        type: email\n        to: ops@example.net\n        from: am@example.net\n        smarthost: smtp.example.net:587",
          ),
    );
    assert.deepEqual(
      twoKinds.problems.map((p) => p.slice(0, p.indexOf(": "))),
      [P("alerting.receivers[0].channel"), P("alerting.receivers[1].channel")],
      twoKinds.message,
    );
  });

  it("reports an unknown key merged into two maps as two mistakes when one map would take it as a misspelling and the other has no like of it", () => {
    // Renaming it to loki's `retention` mends loki alone: grafana has no retention key, so one
    // message saying "one edit mends both" would be untrue; each map's own refusal is said.
    const e = refusal(
      BASE + STORE + `  ${P("loki")}:\n    <<: &r\n      retension: 7d\n  ${P("grafana")}:\n    <<: *r\n`,
    );
    assert.deepEqual(
      e.problems,
      [
        `${P("loki.retension")}: unknown key; did you mean "retention"?`,
        `${P("grafana.retension")}: unknown key; expected one of: url, volumeSize, dashboardNamespaces, ingress, httpRoute`,
      ],
      e.message,
    );
    assert.deepEqual(
      e.places.map((p) => p?.line),
      [9, 9],
      e.message,
    );
  });

  it("places a merged value where the anchor's map writes it, at the item written there, in one message", () => {
    const e = refusal(BASE + STORE + MERGED_POOLS.replace("arch: amd64", "arch: amd46"));
    assert.equal(e.places[0]?.line, 10, e.message);
    assert.equal(e.places[0]?.through, undefined, e.message);
    assert.match(
      e.message,
      /nodePools\[0\]\.arch: [^\n]*\n {4}at \S+Pulumi\.s\.yaml:10:7\n {6}10 \| {7}arch: amd46\n/,
    );
  });

  it("a value of an anchor no key uses itself is one message at the anchor, naming the `<<` line of each use", () => {
    const anchored = `  ${P("storageClasses")}: {default: &pool {name: n, arch: amd64, count: 1, cpu: "4", memory: 8GB}}
  ${P("nodePools")}:
    - <<: *pool
      name: a
    - <<: *pool
      name: b
`;
    const e = refusal(BASE + STORE + anchored);
    const memory = e.problems.filter((p) => p.includes("memory"));
    assert.equal(memory.length, 1, e.message);
    assert.match(
      memory[0],
      /^homelab-observability:nodePools\[0\]\.memory: expected a Kubernetes quantity [^\n]*got string "8GB"; did you mean "8G" \(8 x 10\^9 bytes, as "8GB" is; "8Gi" is 8 x 2\^30 bytes\)\? \(the same value, written once, reaches homelab-observability:nodePools\[1\]\.memory \(merged at line 11 through `<<: \*pool`\): one edit mends both\)$/,
    );
    assert.match(e.message, /:7:\d+ \(merged at line 9 through `<<: \*pool`\)\n/);
  });

  it("follows nested merges to the map that writes the value, naming each `<<` line outermost first", () => {
    const nested = `  ${P("nodePools")}:
    - &common
      name: common
      arch: amd46
      count: 1
      cpu: "4"
      memory: 16Gi
    - &pool
      <<: *common
      name: workers
    - <<: *pool
      name: big
`;
    const e = refusal(BASE + STORE + nested);
    assert.equal(e.problems.length, 1, e.message);
    assert.equal(e.places[0]?.line, 10, e.message);
    assert.match(
      e.problems[0],
      /nodePools\[2\]\.arch \(merged at line 17 through `<<: \*pool`, then at line 15 through `<<: \*common`\)/,
    );
  });

  it("takes a key from the first entry of a merge list that sets it, as the CLI's gopkg.in/yaml.v3 does", () => {
    const listed = `  ${P("nodePools")}:
    - &a
      name: a
      arch: amd46
      count: 1
      cpu: "4"
      memory: 16Gi
    - &b
      name: b
      arch: arm65
      count: 1
      cpu: "4"
      memory: 16Gi
    - <<: [*a, *b]
      name: c
`;
    const e = refusal(BASE + STORE + listed);
    const i = e.problems.findIndex((p) => p.includes("nodePools[2].arch"));
    assert.match(
      e.problems[i],
      /got string "amd46".* \(merged at line 20 through `\*a` of `<<: \[\*a, \*b\]`\)/,
      e.message,
    );
    assert.equal(e.places[i]?.line, 10, e.message);
    // Reversed, the list takes b's.
    const r = refusal(BASE + STORE + listed.replace("[*a, *b]", "[*b, *a]"));
    const j = r.problems.findIndex((p) => p.includes("nodePools[2].arch"));
    assert.match(r.problems[j], /got string "arm65"/, r.message);
    assert.equal(r.places[j]?.line, 16, r.message);
  });

  it("places a value an alias brings in where its anchor writes it, naming the alias's line", () => {
    const e = refusal(BASE + STORE + MERGED_POOLS.replace("arch: amd64", "arch: amd46") + "    - *pool\n");
    const i = e.problems.findIndex((p) => p.includes("nodePools[2].arch"));
    assert.equal(e.places[i]?.line, 10, e.message);
    assert.match(e.problems[i], /nodePools\[2\]\.arch \(reached at line 17 through `\*pool`\)/);
  });

  it("reports a value aliased at several keys (`*ret`, `*size`) once, at its anchor, naming each key it reaches", () => {
    const e = refusal(`${BASE}${STORE}  ${P("loki")}:
    retention: &ret 7days
    volumeSize: &size 10GB
  ${P("prometheus")}:
    retention: *ret
    volumeSize: *size
  ${P("mimir")}:
    volumeSize: *size
`);
    assert.deepEqual(e.problems, [
      `${P("loki.retention")}: expected a duration above zero like "7d" (whole number + ms|s|m|h|d|w|y, or several largest first as "1d12h"), got string "7days"; did you mean "7d"? (the same value, written once, reaches ${P("prometheus.retention")} (reached at line 11 through \`*ret\`): one edit mends both)`,
      `${P("loki.volumeSize")}: expected a Kubernetes quantity above zero like "10Gi": digits, an optional fraction and a byte unit (Ki|Mi|Gi|Ti or k|M|G|T), no sign or exponent (a bare number would be bytes), got string "10GB"; did you mean "10G" (10 x 10^9 bytes, as "10GB" is; "10Gi" is 10 x 2^30 bytes)? (the same value, written once, reaches ${P("prometheus.volumeSize")} (reached at line 12 through \`*size\`) and ${P("mimir.volumeSize")} (reached at line 14 through \`*size\`): one edit mends them all)`,
    ]);
    assert.deepEqual(
      e.places.map((p) => p?.line),
      [8, 9],
    );
  });

  it("reports a value aliased at keys of different forms once, at its anchor, naming each key and the form it expects", () => {
    const e = refusal(`${BASE}${STORE}  ${P("loki")}:
    retention: &ret 14days
  ${P("prometheus")}:
    retention: *ret
  ${P("victoriametrics")}:
    retention: *ret
`);
    assert.deepEqual(e.problems, [
      `${P("loki.retention")}: expected a duration above zero like "7d" (whole number + ms|s|m|h|d|w|y, or several largest first as "1d12h"), got string "14days"; did you mean "14d"? (the same value, written once, reaches ${P("prometheus.retention")} (reached at line 10 through \`*ret\`) and ${P("victoriametrics.retention")} (reached at line 12 through \`*ret\`), which expects a duration of at least 1d as a whole number and one of h|d|w|y, like "14d" (the operator's CRD takes no other form; vmstorage reads a bare number as months, refuses "m" and below 24h): one edit mends them all, with a value each of them takes)`,
    ]);
    assert.deepEqual(
      e.places.map((p) => p?.line),
      [8],
    );
  });

  it("reports a value aliased at two duration keys once when a rule that spans keys refuses it at one (Loki's 24h minimum) and the schema at the other", () => {
    // Loki's 24h minimum is checked after the schema (config/resolve.ts crossChecks), which quotes
    // the text bare: the one value written at line 8 was two messages.
    const e = refusal(`${BASE}${STORE}  ${P("loki")}:
    retention: &ret 12h
  ${P("prometheus")}:
    retention: *ret
  ${P("victoriametrics")}:
    retention: *ret
`);
    assert.deepEqual(e.problems, [
      `${P("loki.retention")}: expected at least 24h (retention runs on the 24h index), got "12h" (the same value, written once, reaches ${P("victoriametrics.retention")} (reached at line 12 through \`*ret\`), which expects a duration of at least 1d as a whole number and one of h|d|w|y, like "14d" (the operator's CRD takes no other form; vmstorage reads a bare number as months, refuses "m" and below 24h): one edit mends both, with a value each of them takes)`,
    ]);
    assert.deepEqual(
      e.places.map((p) => p?.line),
      [8],
    );
  });

  /** Two pools, a (amd64) and b (arm64), and a third written with two merge keys, `<<: *a` at line 20 and `<<: *b` at line 21. */
  const TWO_MERGES = `  ${P("nodePools")}:
    - &a
      name: a
      arch: amd64
      count: 1
      cpu: "4"
      memory: 16Gi
    - &b
      name: b
      arch: arm64
      count: 2
      cpu: "4"
      memory: 16Gi
    - <<: *a
      <<: *b
      name: c
`;

  it("refuses a map with two merge keys once, at the second `<<`, naming both lines: the Pulumi CLI refuses the file, where YAML's merge would keep the first", () => {
    const e = refusal(BASE + STORE + TWO_MERGES);
    const twice = e.problems.filter((p) => p.includes("merge keys `<<`"));
    assert.equal(twice.length, 1, e.message);
    assert.equal(
      twice[0],
      `${e.places[e.problems.indexOf(twice[0])]?.file}:21:7: homelab-observability:nodePools[2] has two merge keys \`<<\`, at lines 20 and 21: the Pulumi CLI refuses the stack file (its YAML reader, gopkg.in/yaml.v3, stops at \`line 21: mapping key "<<" already defined at line 20\`), where YAML's merge rule (which this check reads) merges each in turn, a key from the first \`<<\` that sets it winning; write one merge key that lists them in that order, \`<<: [*a, *b]\`, which the CLI and this check read alike: a key from the first entry that sets it`,
      e.message,
    );
    const i = e.problems.indexOf(twice[0]);
    assert.equal(e.places[i]?.line, 21, e.message);
    // The excerpt shows both `<<` lines.
    assert.match(e.message, / 20 \| +- <<: \*a\n.* 21 \| +<<: \*b\n/, e.message);
  });

  it("reads the one `<<: [*a, *b]` it suggests as it read the two merge keys, and refuses it no more", () => {
    const fixed = TWO_MERGES.replace("    - <<: *a\n      <<: *b\n", "    - <<: [*a, *b]\n");
    assert.notEqual(fixed, TWO_MERGES);
    const { config } = checkedStackConfig(
      stackProject(BASE + STORE + fixed),
      "s",
      {},
      { allowAbsentSecrets: true },
    );
    const pools = JSON.parse(config[P("nodePools")]);
    assert.deepEqual(pools[2], { name: "c", arch: "amd64", count: 1, cpu: "4", memory: "16Gi" });
  });

  it("refuses each map with several merge keys in one message naming every `<<` line", () => {
    const three = TWO_MERGES.replace(
      "    - <<: *a\n      <<: *b\n      name: c\n",
      "    - name: c\n      <<: *a\n      <<: *b\n      <<: *a\n    - <<: *b\n      <<: *a\n      name: d\n",
    );
    assert.notEqual(three, TWO_MERGES);
    const e = refusal(BASE + STORE + three);
    const twice = e.problems.filter((p) => p.includes("merge keys `<<`"));
    assert.deepEqual(
      twice.map((p) =>
        /:(\d+):\d+: (\S+) has (\w+) merge keys `<<`, at lines ([\d, and]+):/.exec(p)?.slice(1),
      ),
      [
        ["22", "homelab-observability:nodePools[2]", "three", "21, 22 and 23"],
        ["25", "homelab-observability:nodePools[3]", "two", "24 and 25"],
      ],
      e.message,
    );
    assert.match(twice[0], /`line 22: mapping key "<<" already defined at line 21`/, e.message);
    assert.match(twice[0], /`<<: \[\*a, \*b, \*a\]`/, e.message);
    assert.match(twice[1], /`<<: \[\*b, \*a\]`/, e.message);
  });

  it("reads a key written above `<<` as the Pulumi CLI reads it: the map's own key wins wherever it stands", () => {
    const above = MERGED_POOLS.replace(
      "    - <<: *pool\n      name: big\n      count: 1\n",
      "    - name: big\n      count: 1\n      <<: *pool\n",
    );
    assert.notEqual(above, MERGED_POOLS);
    // gopkg.in/yaml.v3 v3.0.1 over the same item: {"arch":"amd64","count":1,"name":"big"} (run).
    const { config } = checkedStackConfig(
      stackProject(BASE + STORE + above),
      "s",
      {},
      { allowAbsentSecrets: true },
    );
    const pools = JSON.parse(config[P("nodePools")]);
    assert.deepEqual(pools[1], { name: "big", arch: "amd64", count: 1, cpu: "4", memory: "16Gi" });
  });
});
