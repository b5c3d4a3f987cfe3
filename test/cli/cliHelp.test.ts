import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  BENCH,
  CliArgsError,
  CLIS,
  helpText,
  parseArgs,
  POLICY_CHECK,
  SYNTH,
  VERIFY,
  type CliSpec,
} from "../../cli/spec";
import { cliStackConfig, CliConfigError } from "../../config/stackFile";
import { PHASES } from "../../config/resolve";
import { loadStackConfig, parseVerifyArgs } from "../../cli/verifyRun";
import { lokiStepsFrom } from "../../verify/lokiGate";
import { benchOptions } from "../../cli/benchArgs";
import {
  inProcess,
  policyCheckCli,
  ROOT,
  synthCli,
  tmpDir,
  verifyCli,
  withEnv,
  type CliRun,
} from "../support/helpers";
import { stableDir } from "../support/stableDir";

/** A command line run to its end: its exit status and what it printed. */
type Runner = (...args: string[]) => Promise<CliRun>;

/**
 * bench's command line read in this process (cli/benchArgs.ts): a run that ends there says what it
 * ends with; one that goes on to the benchmark is not run here (status 0, nothing said).
 */
const benchArgs: Runner = (...args) =>
  inProcess((argv, io) => {
    const o = benchOptions(argv, io, ROOT);
    return Promise.resolve("exit" in o ? o.exit : 0);
  }, args);

/**
 * The file whose parser reads each command's arguments, and the command run: in this process
 * through its main, bench through its command-line reader (the process wrappers, bench's
 * included: test/cli/cliSmoke.test.ts).
 */
const PARSERS: [CliSpec, string, Runner, string][] = [
  [SYNTH, "cli/synthRun.ts", synthCli, "SYNTH"],
  [POLICY_CHECK, "cli/policyCheckRun.ts", (...args) => policyCheckCli(args), "POLICY_CHECK"],
  [VERIFY, "cli/verifyRun.ts", verifyCli, "VERIFY"],
  [BENCH, "cli/benchArgs.ts", benchArgs, "BENCH"],
];

describe("the CLI explains itself (cli/spec.ts; docs/reference/cli.md's staleness: test/project/docs.test.ts)", function () {
  this.timeout(60_000);

  for (const [spec, parser, run, name] of PARSERS) {
    it(`npm run ${spec.script} -- --help exits 0 and prints the spec's help within 80 columns`, async () => {
      const r = await run("--help");
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, helpText(spec));
      for (const line of r.stdout.split("\n")) assert.ok(line.length <= 80, `wider than 80: ${line}`);
      for (const f of spec.flags) assert.ok(r.stdout.includes(f.name), `${f.name} described`);
    });

    it(`npm run ${spec.script} -- --help --bogus: the bad argument refused (exit 2), alone, no help`, async () => {
      // --help alone prints the help (docs/reference/cli.md); beside a bad argument the argument is
      // refused, and nothing a run would need (a stack, an export) is asked for.
      const r = await run("--help", "--bogus");
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.ok(!r.stdout.includes(helpText(spec)), r.stdout);
      assert.deepEqual(
        r.stderr.split("\n").filter((l) => l.startsWith(`${spec.script}: `)),
        [`${spec.script}: unknown flag --bogus`],
      );
    });

    it(`npm run ${spec.script}: ${parser} parses by the spec, and a mistyped flag exits 2 naming the closest`, async () => {
      assert.match(
        fs.readFileSync(path.join(ROOT, parser), "utf8"),
        new RegExp(`parseArgs(?:All)?\\(${name},`),
      );
      const flag = spec.flags[0].name;
      const typo = flag.slice(0, -1) + flag.slice(-1).repeat(2);
      const r = await run(typo);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`unknown flag ${typo}; did you mean ${flag}\\?`));
    });
  }

  it("every flag a tool reads from its parsed arguments is in its spec (bench's --child-render was not)", () => {
    for (const [spec, parser] of PARSERS) {
      const text = fs.readFileSync(path.join(ROOT, parser), "utf8");
      const read = [...text.matchAll(/\b(?:option|one|get|has)\("(--[a-z-]+)"\)/g)].map((m) => m[1]);
      assert.ok(read.length > 0, `${parser}: no flag read found (the pattern is stale)`);
      const known = new Set(spec.flags.map((f) => f.name));
      for (const f of read)
        assert.ok(known.has(f), `${parser} reads ${f}, which the ${spec.script} spec lacks`);
    }
  });

  it("the parser takes --flag v and --flag=v, refuses a missing value, a repeated single flag and a value on a switch", () => {
    const p = parseArgs(SYNTH, ["--stack", "a", "--stack=b", "--out=o", "--quiet"]);
    assert.deepEqual(p.values.get("--stack"), ["a", "b"]);
    assert.deepEqual(p.values.get("--out"), ["o"]);
    assert.ok(p.switches.has("--quiet"));
    for (const argv of [["--out"], ["--out", "a", "--out", "b"], ["--quiet=yes"], ["stray"]])
      assert.throws(() => parseArgs(SYNTH, argv), CliArgsError, argv.join(" "));
    assert.deepEqual(parseArgs(BENCH, ["--check"]).switches, new Set(["--check"]));
    assert.deepEqual(parseArgs(BENCH, ["--check=synth"]).values.get("--check"), ["synth"]);
  });

  it("a flag the command cannot run without is shown without brackets (verify's --stack), the others with", () => {
    const line = helpText(VERIFY).split("\n")[0];
    assert.ok(line.startsWith("usage: npm run verify -- --stack <name> [--url <component>=<url>]..."), line);
    for (const spec of CLIS)
      for (const f of spec.flags.filter((x) => !x.required && x.name !== "--help"))
        assert.ok(helpText(spec).includes(`[${f.name}`), `${spec.script} ${f.name}`);
  });

  it("synth's help says what --against checks (every kind of change) and which flags --no-render cannot go with", () => {
    const help = (name: string) => SYNTH.flags.find((f) => f.name === name)?.help ?? "";
    assert.match(help("--against"), /every object created, imported, updated, replaced or deleted/);
    assert.match(help("--against"), /an immutable field changed/);
    assert.match(
      help("--no-render"),
      /Not with --workloads, --against or --running, which need the render\.$/,
    );
  });

  it("every command has a spec, and every spec a script in package.json", () => {
    const scripts = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    for (const c of CLIS) assert.ok(scripts[c.script], `package.json has no script ${c.script}`);
    assert.deepEqual(
      PARSERS.map(([s]) => s.script),
      CLIS.map((c) => c.script),
    );
  });

  it("synth: an unknown stack exits 2 before any work, with the closest name and the stacks there are", async () => {
    const r = await synthCli("--stack", "stagign", "--out", tmpDir("cli-out"));
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /no stack file Pulumi\.stagign\.yaml .*; did you mean "staging"\?/);
    assert.match(r.stderr, /stacks there: example, pi, production, staging, takeover/);
  });

  it("synth --no-render: lines of at most 80 columns, the verdict on its own line, the count policy:check prints", async () => {
    const out = tmpDir("cli-out");
    const s = await synthCli("--stack", "production", "--no-render", "--quiet", "--out", out);
    assert.equal(s.status, 0, s.stderr);
    for (const line of s.stdout.split("\n")) assert.ok([...line].length <= 80, `wider than 80: ${line}`);
    const lines = s.stdout.trim().split("\n");
    // The policy's verdict, then the closing line with the exit status.
    assert.match(lines[lines.length - 2], /^production: policy: pass \(\d+ mandatory, \d+ advisory\)$/);
    assert.equal(
      lines[lines.length - 1],
      "production: pass (exit 0): the policy passes (not rendered: --no-render)",
    );
    const count = /(\d+ resources \(\d+ custom, \d+ stack and components, \d+ providers\))/.exec(
      s.stdout,
    )?.[1];
    assert.ok(count, s.stdout);
    const p = await policyCheckCli([path.join(out, "production.json")]);
    assert.equal(p.status, 0, p.stderr);
    assert.ok(p.stdout.includes(count), `${count} in ${p.stdout}`);
    const total = JSON.parse(fs.readFileSync(path.join(out, "production.json"), "utf8")).deployment.resources
      .length;
    assert.ok(count.startsWith(`${total} resources`), `${count}: the export holds ${total}`);
  });

  it("synth offline without the chart: exit 2 naming HOMELAB_CHART_CACHE and --no-render", async () => {
    // What the render reads of the environment, set for this run only (synth/render/helm.ts and
    // render.ts read it as they run). Empty folders at the same paths every run
    // (test/support/stableDir.ts): the fixture cache keys the synthesis by every HOMELAB_* value,
    // and new folders each run synthesized production again into an entry no run read (the file
    // warm, two runs each: 3.70 and 3.49 s of CPU before, 2.58 and 2.97 s after).
    const r = await withEnv(
      {
        CI: "true",
        HOMELAB_CHART_CACHE: stableDir("cli-help-no-charts"),
        HOMELAB_RENDER_CACHE: stableDir("cli-help-no-render-cache"),
      },
      () => synthCli("--stack", "production", "--quiet", "--out", tmpDir("cli-out")),
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /HOMELAB_CHART_CACHE/);
    assert.match(r.stderr, /--no-render/);
  });
});

describe("verify's examples ask what their stacks can be asked (cli/spec.ts VERIFY.examples)", () => {
  for (const example of VERIFY.examples) {
    it(example, () => {
      const args = parseVerifyArgs(example.replace(/^npm run verify -- /, "").split(" "));
      const cfg = loadStackConfig(ROOT, args.stack, {});
      if (args.gate)
        assert.equal(args.gate, PHASES[PHASES.indexOf(cfg.phase) + 1], `${args.stack} is at ${cfg.phase}`);
      if (args.lokiStep)
        assert.ok(
          lokiStepsFrom(cfg.loki).includes(args.lokiStep),
          `${args.stack}'s Loki runs ${cfg.loki.mode}`,
        );
    });
  }
});

describe("a missing stack names the stacks there are", () => {
  it("and the one a typo most likely meant", () => {
    assert.throws(
      () => cliStackConfig(ROOT, "stagign"),
      (e: unknown) =>
        e instanceof CliConfigError &&
        /^no stack file Pulumi\.stagign\.yaml in .*; did you mean "staging"\?\n {2}stacks there: example, pi, production, staging, takeover$/.test(
          e.message,
        ),
    );
  });
});
