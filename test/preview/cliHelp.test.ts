import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import {
  BENCH,
  cliReference,
  CLIS,
  helpText,
  POLICY_CHECK,
  SYNTH,
  VERIFY,
  type CliSpec,
} from "../../preview/cliSpecs";
import { cliStackConfig, CliConfigError } from "../../config/stackFile";
import { ROOT } from "../support/helpers";

/** The file whose parser reads each command's arguments, and the compiled file npm runs. */
const PARSERS: [CliSpec, string, string][] = [
  [SYNTH, "preview/cli.ts", "dist/preview/cli.js"],
  [POLICY_CHECK, "scripts/policyCheck.ts", "dist/scripts/policyCheck.js"],
  [VERIFY, "preview/verify/main.ts", "dist/scripts/verify.js"],
  [BENCH, "scripts/bench.ts", "dist/scripts/bench.js"],
];

describe("the CLI explains itself (preview/cliSpecs.ts)", function () {
  this.timeout(60_000);

  it("docs/reference/cli.md is generated from the specs (npx tsx scripts/cliDocs.ts --write)", () => {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "reference", "cli.md"), "utf8");
    assert.equal(doc, cliReference(), "run npx tsx scripts/cliDocs.ts --write");
  });

  for (const [spec, parser, compiled] of PARSERS) {
    it(`npm run ${spec.script} -- --help exits 0 and prints the spec's help within 80 columns`, () => {
      const r = spawnSync(process.execPath, [path.join(ROOT, compiled), "--help"], {
        cwd: ROOT,
        encoding: "utf8",
      });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, helpText(spec));
      for (const line of r.stdout.split("\n")) assert.ok(line.length <= 80, `wider than 80: ${line}`);
    });

    it(`npm run ${spec.script}: the spec lists exactly the flags ${parser} reads`, () => {
      const src = fs.readFileSync(path.join(ROOT, parser), "utf8");
      const read = new Set(
        [...src.matchAll(/(?:===|option\(|indexOf\(|startsWith\()\s*"(--[a-z][a-z-]*)=?"/g)].map((m) => m[1]),
      );
      const listed = spec.flags.map((f) => f.flag).filter((f) => f !== "--help");
      assert.deepEqual([...read].sort(), [...listed].sort());
    });
  }

  it("every command has a spec, and every spec a script in package.json", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    for (const c of CLIS) assert.ok(scripts[c.script], `package.json has no script ${c.script}`);
    assert.deepEqual(
      PARSERS.map(([s]) => s.script),
      CLIS.map((c) => c.script),
    );
  });
});

describe("a missing stack names the stacks there are", () => {
  it("and the one a typo most likely meant", () => {
    assert.throws(
      () => cliStackConfig(ROOT, "stagign"),
      (e: unknown) =>
        e instanceof CliConfigError &&
        /no stack file .*Pulumi\.stagign\.yaml; did you mean "staging"\? \(stacks here: example, pi, production, staging, takeover\)/.test(
          e.message,
        ),
    );
  });
});
