/**
 * `npm run refresh-metrics -- --help` and `npm run refresh-reference -- --help` print their usage
 * and exit 0; a misspelt flag is refused naming the flags there are (exit 2), not read as a sources
 * directory or left without a hint.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as path from "path";
import { ROOT } from "../support/helpers";

const run = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, file), ...args], {
    cwd: ROOT,
    encoding: "utf8",
  });

describe("refresh-metrics and refresh-reference: --help and a misspelt flag", function () {
  this.timeout(60_000);

  it("--help prints the usage and exits 0", () => {
    for (const file of ["upstream/refresh/metrics.ts", "upstream/refresh/cli.ts"]) {
      const r = run(file, "--help");
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^usage: npm run refresh-(metrics|reference) -- /);
    }
  });

  it("a misspelt flag is named with the flags there are, exit 2", () => {
    const m = run("upstream/refresh/metrics.ts", "--chek");
    assert.equal(m.status, 2);
    assert.match(
      m.stderr,
      /^refresh-metrics: --chek: no such option \(the options: --out <file>, --check, --help\)\nusage: /,
    );
    const r = run("upstream/refresh/cli.ts", "loki", ".", "--tagg", "v1");
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /^refresh-reference: --tagg: no such option \(the options: --tag <tag>, --commit <sha>, --out <dir>, --help\)\nusage: /,
    );
  });

  it("a sources directory that is not there is named as such", () => {
    const m = run("upstream/refresh/metrics.ts", "no-such-dir");
    assert.equal(m.status, 2);
    assert.match(m.stderr, /^refresh-metrics: no-such-dir: no such sources directory/);
  });
});
