import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { TARGET_RATIOS, formatRow, gatedTargets, suiteRow, verdict, type Row } from "../../cli/benchTargets";
import { runCachesEmpty, type SuiteTimings } from "../../cli/suiteTimings";
import { SDK_MODULES } from "../../cli/sdkReference";
import { ROOT, tmpDir } from "../support/helpers";

const HEAD = "a".repeat(40);
const record = (over: Partial<SuiteTimings> = {}): SuiteTimings => ({
  wallMs: 40_000,
  sdkLoadMs: 1_000,
  cold: false,
  cpus: 2,
  commit: HEAD,
  at: "2026-11-23T00:00:00Z",
  passes: 1711,
  failures: 0,
  pending: 0,
  files: [],
  tests: [],
  ...over,
});

describe("the benchmark judges every target as a ratio to the SDK load of the same run", function () {
  it("prints a ratio and its bound, never a time", () => {
    const line = formatRow({ id: "pack", what: "policy pack", ratio: 0.2 }, true);
    assert.match(line, /^ok {3}pack .* 0\.200x of the SDK load, bound 0\.250x \(80% of it\)$/);
    assert.doesNotMatch(line, /\d\s*(ms|s)\b/, "an absolute time is meaningless on another machine");
    assert.match(formatRow({ id: "synth", what: "synth", ratio: 1.3 }, true), /^MISS synth .* 1\.30x/);
    assert.match(formatRow({ id: "synth", what: "synth", ratio: 1.3 }, false), /^miss synth/);
  });

  it("takes the suite's ratio from the reporter's record: wall time over the SDK load it measured", () => {
    const warm = suiteRow("suite", record({ wallMs: 45_000, sdkLoadMs: 1_000 }), HEAD, "timings.json");
    assert.equal(warm.ratio, 45);
    // The same wall time on a machine half as fast (the SDK load twice as long) is half the ratio.
    assert.equal(suiteRow("suite", record({ wallMs: 90_000, sdkLoadMs: 2_000 }), HEAD, "t").ratio, 45);
    const cold = suiteRow("suite-cold", record({ cold: true, wallMs: 70_000 }), HEAD, "t");
    assert.equal(cold.ratio, 70);
    assert.ok((cold.ratio ?? Infinity) <= TARGET_RATIOS["suite-cold"]);
  });

  it("counts as missed a record that is not this commit's, not of its kind, without an SDK load, or failing", () => {
    const cases: [string, Row][] = [
      ["no record", suiteRow("suite", undefined, HEAD, "timings.json")],
      ["another commit", suiteRow("suite", record({ commit: "b".repeat(40) }), HEAD, "t")],
      ["a cold run read as warm", suiteRow("suite", record({ cold: true }), HEAD, "t")],
      ["a warm run read as cold", suiteRow("suite-cold", record({ cold: false }), HEAD, "t")],
      ["no SDK load", suiteRow("suite", record({ sdkLoadMs: 0 }), HEAD, "t")],
      ["a failing suite", suiteRow("suite", record({ failures: 1 }), HEAD, "t")],
    ];
    for (const [why, row] of cases) {
      const { status } = verdict([row], new Set([row.id]));
      assert.equal(status, 1, `${why}: ${formatRow(row, true)}`);
    }
    assert.match(cases[1][1].note ?? "", /commit bbbbbbbbbbbb, not aaaaaaaaaaaa/);
    assert.match(cases[2][1].note ?? "", /last run was cold/);
  });

  it("fails only on a gated miss, and says which", () => {
    const rows: Row[] = [
      { id: "synth", what: "s", ratio: 1.1 },
      { id: "render", what: "r", ratio: 0.2 },
    ];
    // The closing line says the exit status it gives.
    assert.deepEqual(verdict(rows, new Set(["synth"])), {
      line: "bench: pass (exit 0): missed render; every gated target met (synth)",
      status: 0,
    });
    assert.deepEqual(verdict(rows, new Set(["synth", "render"])), {
      line: "bench: FAIL (exit 1): missed render (gated)",
      status: 1,
    });
    assert.deepEqual(verdict(rows, new Set()), {
      line: "bench: pass (exit 0): missed render; none gated (--check gates them)",
      status: 0,
    });
    assert.deepEqual(verdict(rows.slice(0, 1), new Set()), {
      line: "bench: pass (exit 0): every target met",
      status: 0,
    });
  });

  it("--check gates none, all, or the targets named; a name that is none is refused with the closest", () => {
    assert.deepEqual([...gatedTargets(undefined)], []);
    assert.deepEqual([...gatedTargets("")].sort(), Object.keys(TARGET_RATIOS).sort());
    assert.deepEqual([...gatedTargets("policy,render")], ["policy", "render"]);
    assert.throws(
      () => gatedTargets("policy,synht"),
      /^Error: --check=: unknown target "synht"; did you mean "synth"\? \(expected one of synth, policy, render, pack, suite, suite-cold\)$/,
    );
    assert.throws(() => gatedTargets("zzz"), /unknown target "zzz" \(expected one of/);
  });

  it("calls a run cold only when the fixture and render caches are both empty", () => {
    const dir = tmpDir("bench-caches-");
    const tests = path.join(dir, "tests");
    const render = path.join(dir, "render");
    assert.equal(runCachesEmpty(tests, render), true, "neither exists");
    fs.mkdirSync(tests);
    fs.writeFileSync(path.join(tests, "timings.json"), "{}");
    assert.equal(runCachesEmpty(tests, render), true, "the timings files alone are no cache");
    fs.mkdirSync(path.join(tests, "synth"));
    assert.equal(runCachesEmpty(tests, render), false, "a fixture entry's kind");
    fs.rmSync(path.join(tests, "synth"), { recursive: true });
    fs.mkdirSync(render);
    fs.writeFileSync(path.join(render, "x.json"), "{}");
    assert.equal(runCachesEmpty(tests, render), false, "a render cache entry");
  });

  it("the reporter records each whole run's wall time with the SDK load measured after it, and keeps the cold run", function () {
    this.timeout(60_000);
    const dir = tmpDir("bench-reporter-");
    const spec = path.join(dir, "one.test.js");
    fs.writeFileSync(spec, 'it("passes", () => {});\n');
    // The run's folder holds an SDK of empty modules, each of SDK_MODULES: the reporter measures
    // their load from it (sdkLoadOnce(process.cwd())) as it measures the real SDK's after every
    // `npm test`, which loads the real one three times; here that second of CPU proved nothing more.
    for (const name of SDK_MODULES) {
      const pkg = path.join(dir, "node_modules", name);
      fs.mkdirSync(pkg, { recursive: true });
      fs.writeFileSync(
        path.join(pkg, "package.json"),
        JSON.stringify({ name, version: "0.0.0", main: "index.js" }),
      );
      fs.writeFileSync(path.join(pkg, "index.js"), "module.exports = {};\n");
    }
    const out = path.join(dir, "timings.json");
    const env = {
      ...process.env,
      HOMELAB_TIMINGS_FILE: out,
      HOMELAB_TEST_CACHE: path.join(dir, "fixtures"),
      HOMELAB_RENDER_CACHE: path.join(dir, "render"),
      HOMELAB_SDK_SAMPLES: "1",
    };
    const mocha = path.join(ROOT, "node_modules", "mocha", "bin", "mocha.js");
    const reporter = path.join(ROOT, "test", "support", "timings.ts");
    const args = [mocha, "--no-config", "--require", "tsx", "--reporter", reporter, spec];
    const r = spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^tests: 1 passed, 0 failed, 0 skipped$/m, "the plain closing line");
    const t = JSON.parse(fs.readFileSync(out, "utf8")) as SuiteTimings;
    assert.ok(t.sdkLoadMs > 0, "an SDK load was measured");
    assert.equal(t.cold, true);
    assert.deepEqual(JSON.parse(fs.readFileSync(`${out}.cold`, "utf8")), t, "the cold run kept beside");
  });
});
