/**
 * A stack file, or its `config:`, that is no map (a list, a text) holds no key: it is one problem
 * naming the expected form and what was found (never a text's value), not each list index or
 * character of the text named as an unknown key beside every required key reported missing.
 * A stack file that cannot be read (a folder) is refused, not an unexpected error.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkedStackConfig } from "../../config/stackCheck";
import { ConfigError } from "../../config/errors";
import { CliConfigError } from "../../config/stackFile";
import { stackProject } from "../support/stackText";

/** What one run over `Pulumi.s.yaml` refuses. */
function refusal(dir: string): Error {
  try {
    checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
  } catch (e) {
    return e as Error;
  }
  assert.fail("the stack file was accepted");
}

describe("a stack file or its config that is no map", () => {
  for (const [name, text, found] of [
    ["a list", "- a\n- b\n", "got a list of 2 items"],
    ["a text", "hunter2\n", "got one text value (not shown)"],
  ] as const)
    it(`a stack file that is ${name}: one problem naming the file and the form`, () => {
      const dir = stackProject(text);
      const e = refusal(dir);
      assert.ok(e instanceof ConfigError, String(e));
      assert.deepEqual(e.problems.length, 1, e.message);
      assert.ok(
        e.problems[0].startsWith(`${path.join(dir, "Pulumi.s.yaml")}: expected a stack file, a map of `),
      );
      assert.ok(e.problems[0].endsWith(found), e.problems[0]);
      assert.ok(!e.message.includes("hunter2"), e.message);
    });

  for (const [name, text, found] of [
    ["a text", "config: hello\n", "got one text value (not shown)"],
    ["an empty list", "config: []\n", "got an empty list"],
    [
      "a list of keys",
      "config:\n  - homelab-observability:phase: kps-removed\n  - homelab-observability:kubeContext: a\n",
      "got a list of 2 items; remove the `- ` before each key",
    ],
  ] as const)
    it(`config: that is ${name}: one problem at config:, no key named missing or unknown`, () => {
      const e = refusal(stackProject(text));
      assert.ok(e instanceof ConfigError, String(e));
      assert.equal(e.problems.length, 1, e.message);
      assert.ok(e.problems[0].startsWith("config: expected a map of config keys"), e.problems[0]);
      assert.ok(e.problems[0].endsWith(found), e.problems[0]);
      assert.deepEqual([e.places[0]?.line, e.places[0]?.column], [1, 1]);
      assert.ok(!e.message.includes("hello"), e.message);
    });

  it("an empty file or an empty config: is no shape problem: the required keys are named missing", () => {
    for (const text of ["", "config:\n"]) {
      const e = refusal(stackProject(text));
      assert.ok(e instanceof ConfigError, String(e));
      assert.ok(
        e.problems.some((p) => p.startsWith("homelab-observability:phase: required")),
        e.message,
      );
    }
  });

  it("a list of a map's own keys where the map goes is told to drop the `- `, not moved under its one list key", () => {
    // Staging's loki written as `- mode:` items: loki's one list key (previousTenants) takes no such
    // list, so pasting it there would be refused in turn (issue 51).
    const text = [
      "config:",
      "  homelab-observability:phase: kps-removed",
      "  homelab-observability:loki:",
      "    - mode: SingleBinary",
      "    - replicas: 1",
      "",
    ].join("\n");
    const e = refusal(stackProject(text));
    assert.ok(e instanceof ConfigError, String(e));
    const loki = e.problems.filter((p) => p.startsWith("homelab-observability:loki:"));
    assert.equal(loki.length, 1, e.message);
    assert.doesNotMatch(loki[0], /goes under/);
    assert.match(
      loki[0],
      /expected an object \(YAML: `key: value` lines indented under the key, not `- ` items/,
    );
    assert.ok(loki[0].endsWith("got a list"), loki[0]);
  });

  it("a stack file that is a folder is refused as such", () => {
    const dir = stackProject("");
    fs.rmSync(path.join(dir, "Pulumi.s.yaml"));
    fs.mkdirSync(path.join(dir, "Pulumi.s.yaml"));
    const e = refusal(dir);
    assert.ok(e instanceof CliConfigError, String(e));
    assert.equal(
      e.message,
      `cannot read ${path.join(dir, "Pulumi.s.yaml")}: it is a folder, not a file; name the file itself`,
    );
  });
});
