/**
 * A value outside a list of allowed ones but close to one (`type: slakc`, `phase: kps-remove`) is
 * read as that one by the rules between keys, as a misspelt key is read as the key it meant: what
 * those rules find is said in the same run, not one run later once the value is fixed, and a hint
 * that depends on it points the right way. A note names each value so read.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { P, refusal } from "../support/stackText";

/** One run over staging's stack file, `edit`ed, with `extra` config lines appended; its refusal. */
const stagingRefusal = (extra: string, edit: (text: string) => string = (t) => t) =>
  refusal(edit(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")) + extra);

const RECEIVER = (type: string) => `  ${P("alerting")}:
    receivers:
      - name: team-slack
        type: ${type}
        channel: "#alerts"
  ${P("receiverCredentials")}:
    team-slakc:
      secure: v1:abc:def
`;

describe("config: a value close to an allowed one is read as it by the rules between keys", () => {
  it("a receiver's misspelt type: its misspelt credential name is named with the receiver in the same run", () => {
    const e = stagingRefusal(RECEIVER("slakc"));
    assert.ok(
      e.problems.some((p) => p.startsWith(`${P("alerting.receivers[0].type")}: expected one of `)),
      e.message,
    );
    const credential = e.problems.find((p) => p.startsWith(`${P("receiverCredentials.team-slakc")}:`));
    assert.ok(credential, e.message);
    assert.match(
      credential,
      /unknown receiver name; did you mean "team-slack"\? .*; also, receiverCredentials\.team-slakc.s secure value .*cannot decrypt it either/,
    );
    // Not the hint that sets the credential again under the misspelt name.
    assert.ok(!credential.includes("--secret --path 'receiverCredentials.team-slakc'"), credential);
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) read ${P("alerting.receivers[0].type")} "slakc" as "slack", the value it is closest to)`,
      ),
      e.notes.join("\n"),
    );
    // The same problems as with the type spelt right, besides the type's own.
    const right = stagingRefusal(RECEIVER("slack"));
    assert.deepEqual(
      e.problems.filter((p) => !p.startsWith(P("alerting.receivers[0].type"))),
      right.problems,
    );
  });

  it("a misspelt phase: the rules between keys still run, with a note instead of 'checked once it is valid'", () => {
    // kps-removed needs no takeover block; a rule on a key beside it still speaks.
    const e = stagingRefusal(
      `  ${P("prometheus")}:\n    keepVolume: true\n    cleanupVolumeOnRemoval: true\n`,
      (t) =>
        t
          .replace(`${P("phase")}: kps-removed`, `${P("phase")}: kps-remove`)
          .replace(/\n {2}homelab-observability:prometheus:\n {4}keepVolume: true\n/, "\n"),
    );
    assert.ok(
      e.problems.some((p) => p.startsWith(`${P("phase")}: expected one of`)),
      e.message,
    );
    assert.ok(
      e.problems.some((p) => /cleanupVolumeOnRemoval/.test(p) && /keepVolume/.test(p)),
      e.message,
    );
    assert.ok(!e.notes.some((n) => /checked once/.test(n)), e.notes.join("\n"));
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) read ${P("phase")} "kps-remove" as "kps-removed", the value it is closest to)`,
      ),
      e.notes.join("\n"),
    );
  });

  it("a text one slip from a union's literal is read as that literal, as an enum's option is", () => {
    const e = stagingRefusal(`  ${P("grafana")}:\n    dashboardNamespaces: Al\n`);
    assert.equal(e.problems.length, 1, e.message);
    assert.match(e.problems[0], /got string "Al"; did you mean "all"\?$/);
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) read ${P("grafana.dashboardNamespaces")} "Al" as "all", the value it is closest to)`,
      ),
      e.notes.join("\n"),
    );
  });

  it("a value close to none is not guessed: the key is left to its default, or the rules wait for a required one", () => {
    const e = stagingRefusal("", (t) => t.replace(`${P("phase")}: kps-removed`, `${P("phase")}: production`));
    assert.ok(
      e.notes.some((n) => /that read homelab-observability:phase are checked once it is valid/.test(n)),
      e.notes.join("\n"),
    );
    assert.ok(!e.notes.some((n) => /the value it is closest to/.test(n)), e.notes.join("\n"));
  });

  it("a number in quotes is read as the number by the rules: what they refuse of it is said in the same run", () => {
    const example = fs.readFileSync(path.join(ROOT, "Pulumi.example.yaml"), "utf8");
    const e = refusal(`${example}  ${P("loki")}: {replicas: "3"}\n`);
    assert.deepEqual(
      e.problems.map((p) => p.replace(/ \(the chart keeps .*\), got/, ", got")),
      [
        `${P("loki.replicas")}: expected a whole number of at least 1, like 3 (drop the quotes: 3), got string "3"`,
        `${P("loki.replicas")}: expected at most 1, the nodes of nodePools without NoSchedule or NoExecute taints, got 3`,
      ],
    );
    assert.ok(
      e.notes.includes(
        `(the rules between keys (which keys need which) read ${P("loki.replicas")} "3" as 3, the value it holds in quotes)`,
      ),
      e.notes.join("\n"),
    );
  });
});
