/**
 * A stack file with `chartValues` overrides, synthesized as a user runs synth (in this process:
 * helpers.ts synthCli), for the tests of what one override leaves behind (test/cli/synthOverride*).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, synthCli, tmpDir } from "./helpers";

/** Staging (or `stack`) with `chartValues` (YAML lines under the key, indented four spaces). */
export function stagingWith(chartValues: string, stack = "staging"): string {
  const dir = tmpDir("override-mistake");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const file = `Pulumi.${stack}.yaml`;
  const text = fs.readFileSync(path.join(ROOT, file), "utf8").trimEnd();
  fs.writeFileSync(path.join(dir, file), `${text}\n  homelab-observability:chartValues:\n${chartValues}`);
  return dir;
}

export const synthStaging = (dir: string, stack = "staging") =>
  synthCli("--dir", dir, "--out", path.join(dir, "out"), "--quiet", "--stack", stack);

/**
 * synth of `stack` with `chartValues`, failing (exit 1): its rendered-object problems (stderr, from
 * the first on) and its policy violations (stdout, where one a rendered problem was merged into is
 * said), and each message with the lines under it (its other places, the override behind it).
 */
export async function refusedWith(
  chartValues: string,
  stack: string,
): Promise<{ text: string; messages: string[] }> {
  const r = await synthStaging(stagingWith(chartValues, stack), stack);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const rendered = r.stderr.includes("  [") ? r.stderr.slice(r.stderr.indexOf("  [")) : "";
  const policy = /== \S+: policy violations\n([\s\S]*?)(?=\n==|$)/.exec(r.stdout)?.[1].trimEnd() ?? "";
  const text = [rendered.trimEnd(), policy].filter(Boolean).join("\n");
  return { text, messages: text.split(/\n(?= {2}\[)/) };
}
