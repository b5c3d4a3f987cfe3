/**
 * The chartValues override a message names is its cause. One override the pack and Helm both
 * refuse is one message: the violation names the override's key at its line, and the render
 * failure is among its places, even where Helm's own words name no key. A key that only chooses
 * the workload's kind is named by no message on what a config calls or its roles grant.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackCopy, synthCli } from "../support/helpers";

/** synth of `stack` with `chartValues` (YAML lines under the key, indented four spaces). */
async function synthWith(stack: string, chartValues: string) {
  const { dir, file } = stackCopy("override-one-cause", stack);
  const text = fs.readFileSync(file, "utf8").trimEnd();
  fs.writeFileSync(file, `${text}\n  homelab-observability:chartValues:\n${chartValues}`);
  return synthCli("--dir", dir, "--stack", stack, "--out", path.join(dir, "out"), "--quiet");
}

const FILESYSTEM = "    loki:\n      loki:\n        storage:\n          type: filesystem\n";

describe("synth: the chartValues override a message names is its cause", function () {
  this.timeout(120_000);

  it("loki.storage.type: filesystem on production (SimpleScalable): the render failure is a place of the delete-store violation, which names the key at its line", async () => {
    const r = await synthWith("production", FILESYSTEM);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const violations = /== production: policy violations\n([\s\S]*?)\n\n/.exec(r.stdout)?.[1] ?? "";
    const messages = violations.split(/\n(?= {2}\[)/);
    assert.equal(messages.length, 1, violations);
    assert.match(
      messages[0],
      /no s3 storage is configured \(configured: filesystem; chartValues\.loki\.loki\.storage\.type is "filesystem"\)/,
    );
    assert.match(
      messages[0],
      /also seen at: \[helm template\] monitoring\/loki \(loki 18\.11\.0\): Error: .*without an object storage backend\./,
    );
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.loki\.loki\.storage\.type \(\S*Pulumi\.production\.yaml:\d+\): change or remove it/,
    );
    // The render failure is said once more only as a pointer to that message, not in Helm's words.
    assert.match(
      r.stderr,
      /monitoring\/loki \(loki 18\.11\.0\): the chart refused its values for the mistake of the policy violation loki-retention-needs-delete-store below/,
    );
    assert.doesNotMatch(r.stderr, /without an object storage backend/);
    assert.doesNotMatch(r.stdout + r.stderr, /if it is the cause/);
  });

  it("loki.storage.type: filesystem on example (monolithic, Helm renders it): one message, naming the key, sure of it", async () => {
    const r = await synthWith("example", FILESYSTEM);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const violations = /== example: policy violations\n([\s\S]*?)\n\n/.exec(r.stdout)?.[1] ?? "";
    assert.equal(violations.split(/\n(?= {2}\[)/).length, 1, violations);
    assert.match(violations, /chartValues\.loki\.loki\.storage\.type is "filesystem"/);
    assert.match(
      violations,
      /\n {6}from the stack's chart values override chartValues\.loki\.loki\.storage\.type \(/,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /if it is the cause/);
  });

  it("alloy's controller.type beside rbac.create: false on staging: the alloy-rbac messages name rbac.create alone", async () => {
    const r = await synthWith(
      "staging",
      "    alloy:\n      controller:\n        type: deployment\n      rbac:\n        create: false\n",
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const rbac = r.stderr.split(/\n(?= {2}\[)/).filter((m) => m.startsWith("  [alloy-rbac] "));
    assert.ok(rbac.length > 0, r.stderr);
    for (const m of rbac) {
      assert.match(m, /chartValues\.alloy\.rbac\.create \(/, m);
      assert.doesNotMatch(m, /controller\.type/, m);
    }
  });
});
