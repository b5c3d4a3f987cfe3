/**
 * The takeover's import step as README "Taking over a running stack" runs it, for the tests of the
 * change check across the takeover: the project's Pulumi.yaml and Pulumi.takeover.yaml (at
 * `takeover.step: import`) copied into a folder of the same path in every run (the synthesis store
 * keys a project folder's stack files by path), seed 000's running folder beside them, and that
 * step synthesized through the CLI.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, synthCli, tmpDir } from "./helpers";
import { stableDir } from "./stableDir";
import { writeSeed000Running } from "./runningSeed000";

export interface ImportStep {
  /** The project folder copy. */
  dir: string;
  /** Its Pulumi.takeover.yaml, and the text it was copied with (at step import). */
  file: string;
  text: string;
  /** The running folder, `<dir>/running`. */
  running: string;
  /** The import step's synthesized export. */
  against: string;
}

/** The stack file's text at `takeover.step: update`, with `running: <folder>` when given. */
export const atUpdate = (text: string, running?: string): string =>
  text.replace(/\n {4}step: import\n/, `\n    step: update\n${running ? `    running: ${running}\n` : ""}`);

/** The copy in the stable folder `name`, its import step synthesized into a temporary folder. */
export async function importStep(name: string): Promise<ImportStep> {
  const dir = stableDir(name);
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const text = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
  assert.match(text, /\n {4}step: import\n/);
  const file = path.join(dir, "Pulumi.takeover.yaml");
  fs.writeFileSync(file, text);
  const running = path.join(dir, "running");
  await writeSeed000Running(running);
  const out = tmpDir(`${name}-import`);
  const imported = await synthCli("--dir", dir, "--stack", "takeover", "--out", out, "--quiet");
  assert.equal(imported.status, 0, imported.stdout + imported.stderr);
  return { dir, file, text, running, against: path.join(out, "takeover.json") };
}
