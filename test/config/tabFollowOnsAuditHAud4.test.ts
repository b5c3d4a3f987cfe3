/**
 * One tab used as indentation is one mistake: eemeli/yaml v2 reads the rest of its map at another
 * column and reports every later key of that level as "All mapping items must start at the same
 * column"; those follow-ons are not reported, and a second mistake of its own still is.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { refusal } from "../support/stackText";

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
});
