/**
 * `npm run refresh-metrics -- --help` and `npm run refresh-reference -- --help` print their usage
 * and exit 0; a misspelt flag is refused naming the flags there are (exit 2), not read as a sources
 * directory or left without a hint.
 *
 * Each command's main runs in this process (its arguments and streams in, its status out); one run
 * of each goes through a real process, the compiled file npm runs, to prove its process wrapper
 * hands over the process's arguments and streams and exits with the main's status.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { compiled, inProcess, ROOT, type CliRun } from "../support/helpers";
import { main as metricsMain } from "../../upstream/refresh/metrics";
import { main as referenceMain } from "../../upstream/refresh/cli";

/** The compiled file of `file` (what `npm run refresh-*` runs), in a fresh process. */
function spawned(file: string, ...args: string[]): CliRun {
  const r = spawnSync(process.execPath, [compiled(file), ...args], { cwd: ROOT, encoding: "utf8" });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Each command's main in this process, its output captured. */
const metrics = (...args: string[]) => inProcess(metricsMain, args);
const reference = (...args: string[]) => inProcess((a, io) => Promise.resolve(referenceMain(a, io)), args);

describe("refresh-metrics and refresh-reference: --help and a misspelt flag", function () {
  this.timeout(60_000);

  it("--help prints the usage and exits 0", async () => {
    for (const r of [await metrics("--help"), await reference("--help")]) {
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^usage: npm run refresh-(metrics|reference) -- /);
      assert.equal(r.stderr, "");
    }
  });

  it("a misspelt flag is named with the flag meant, and the usage with the flags there are, exit 2 (each through a real process)", () => {
    const m = spawned("upstream/refresh/metrics.ts", "--chek");
    assert.equal(m.status, 2);
    assert.match(m.stderr, /^refresh-metrics: unknown flag --chek; did you mean --check\?\nusage: /);
    assert.equal(m.stdout, "refresh-metrics: FAIL (exit 2): bad arguments (above)\n");
    const r = spawned("upstream/refresh/cli.ts", "loki", ".", "--tagg", "v1");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^refresh-reference: unknown flag --tagg; did you mean --tag\?\nusage: /);
    assert.equal(r.stdout, "refresh-reference: FAIL (exit 2): bad arguments (above)\n");
  });

  it("a sources directory that is not there is named as such", async () => {
    const m = await metrics("no-such-dir");
    assert.equal(m.status, 2);
    assert.match(m.stderr, /^refresh-metrics: no-such-dir: no such sources directory/);
  });
});
