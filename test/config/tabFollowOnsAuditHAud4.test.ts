/**
 * One tab used as indentation is one mistake: eemeli/yaml v2 reads the rest of its map at another
 * column and reports every later key of that level as "All mapping items must start at the same
 * column"; those follow-ons are not reported, and a second mistake of its own still is. The keys
 * below the tab are judged where the file puts them: it hides none of their problems.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { refusal } from "../support/stackText";

const example = fs.readFileSync(path.join(ROOT, "Pulumi.example.yaml"), "utf8");
const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
/** The staging file with `region:` under objectStore indented by a tab. */
const tabbed = staging.replace("    region: us-east-1\n", "\tregion: us-east-1\n");
const lineOf = (text: string, s: string) => text.split("\n").indexOf(s) + 1;

/** The YAML slips a refusal names, as `line: reason`. */
const slips = (text: string) =>
  refusal(text, "staging")
    .problems.filter((p) => p.includes("not valid YAML"))
    .map((p) => /:(\d+):\d+: not valid YAML: (.*)/.exec(p)!.slice(1, 3).join(": "));

describe("a tab used as indentation", () => {
  it("is one message, at the tab's line, with no follow-ons at the later keys", () => {
    assert.ok(tabbed !== staging);
    const found = slips(tabbed);
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0], new RegExp(`^${lineOf(tabbed, "\tregion: us-east-1")}: Tabs are not allowed`));
  });

  it("leaves a second mistake of its own reported, at its line", () => {
    const both = tabbed.replace("    replicationFactor: 1\n", "   replicationFactor: 1\n");
    const found = slips(both);
    assert.equal(found.length, 2, found.join("\n"));
    assert.match(found[0], /Tabs are not allowed/);
    assert.match(
      found[1],
      new RegExp(
        `^${lineOf(both, "   replicationFactor: 1")}: All mapping items must start at the same column`,
      ),
    );
  });

  it("hides no key written twice below it: the duplicate is its own message, at its line", () => {
    const both = tabbed.replace("    retention: 7d\n", "    retention: 7d\n    retention: 8d\n");
    assert.ok(both !== tabbed);
    assert.deepEqual(slips(both), [
      `${lineOf(both, "\tregion: us-east-1")}: Tabs are not allowed as indentation (check the indentation of this line against the lines above it: keys of one level start in the same column, with spaces, never tabs)`,
      `${lineOf(both, "    retention: 8d")}: Map keys must be unique: "retention" is already a key at line ${lineOf(both, "    retention: 7d")}`,
    ]);
  });

  /** The example with `tabbed` in place of `line`, and two wrong values further down. */
  const withLaterMistakes = (line: string, tabbed: string) => {
    const text = example
      .replace(line, tabbed)
      .replace("step: moved", "step: movd")
      .replace("heartbeat: false", "heartbeat: nope");
    assert.ok(text.includes(tabbed) && text.includes("movd") && text.includes("nope"));
    return text;
  };
  /** Each problem's first line, without the file's path. */
  const firstLines = (text: string) =>
    refusal(text, "example").problems.map((p) => p.split("\n")[0].replace(/^.*Pulumi\.example\.yaml/, ""));

  it("in a list item's key: one message at the tab, and the later keys' values are judged", () => {
    const text = withLaterMistakes("      arch: amd64\n", "\t  arch: amd64\n");
    assert.deepEqual(firstLines(text), [
      `:${lineOf(text, "\t  arch: amd64")}:1: not valid YAML: Tabs are not allowed as indentation (check the indentation of this line against the lines above it: keys of one level start in the same column, with spaces, never tabs)`,
      'homelab-observability:alerting.heartbeat: expected true or false, got string "nope"',
      'homelab-observability:agents.step: expected one of stay | handover | moved, got string "movd"; did you mean "moved"?',
    ]);
  });

  it("before a top-level key of config: the later keys' values are judged", () => {
    const text = withLaterMistakes("  homelab-observability:profile:", "\thomelab-observability:profile:");
    const found = firstLines(text);
    assert.equal(found.length, 3, found.join("\n"));
    assert.match(
      found[0],
      new RegExp(`^:${lineOf(text, "\thomelab-observability:profile: lightweight")}:1: not valid YAML: Tabs`),
    );
    assert.match(found[1], /alerting\.heartbeat: expected true or false, got string "nope"/);
    assert.match(found[2], /agents\.step: expected one of stay \| handover \| moved, got string "movd"/);
  });
});
