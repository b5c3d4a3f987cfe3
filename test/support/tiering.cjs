// V8's tier-up to its optimizing compiler, TurboFan, delayed in the test workers. A test file runs
// most of its code a few hundred or thousand times and is done: V8 still compiled much of it with
// TurboFan, code that then ran for milliseconds. In a system-wide `perf record` of a warm `npm test`
// (2-core machine), V8's optimizing compiler was 14 % of every sample taken, as much as all the
// interpreted and baseline code together (12 %), while all the code V8 generates as it runs
// (baseline and optimized) ran for about 7 %.
//
// V8 marks a function for TurboFan when its interrupt budget runs out: the function's bytecode length
// times --invocation-count-for-turbofan (3000 by default in Node 22 and 24). The budget is computed
// from the flag each time V8 sets it (`InterruptBudgetFor`, src/execution/tiering-manager.cc, read
// in nodejs/node's deps/v8), so the flag set here, before tsx and any test file load, holds for all
// they run; test/project/workers.test.ts shows it on a function. Hot loops still reach TurboFan
// through on-stack replacement, whose budget is another flag. Whole warm suites, back to back on
// the same commit, CPU of the whole run (user + system, the processes tests start included):
//
//   V8's default (3000)                    99.2, 96.9, 103.9, 100.3 s
//   12000                                  94.1, 94.9 s
//   40000 (kept)                           88.9, 91.7, 90.9, 90.2 s
//   150000                                 90.7, 91.0 s
//   no TurboFan at all (--no-turbofan)     100.1, 104.8 s
//
// Only this flag is set: Node refuses it in NODE_OPTIONS, and other V8 flags are not safe to change
// once V8 runs (--single-threaded-gc set this way stopped the worker with SIGILL). The processes
// tests start do not inherit it: the CLIs run with their own scripts' flags, as users run them, and
// the SDK-load reference of the benchmark with none. TESTS_TURBOFAN_INVOCATIONS overrides the count
// (3000 is V8's own behaviour). Not a HOMELAB_* name: the fixture cache keys on those.
const DEFAULT_INVOCATIONS = 40000;

/** The count for this process: TESTS_TURBOFAN_INVOCATIONS when set, else the default above. */
function turbofanInvocations(env) {
  const given = env.TESTS_TURBOFAN_INVOCATIONS;
  if (given === undefined || given === "") return DEFAULT_INVOCATIONS;
  if (!/^[1-9][0-9]{0,8}$/.test(given))
    throw new Error(
      `TESTS_TURBOFAN_INVOCATIONS: expected a whole number of 1 or more (V8's own is 3000), found ${JSON.stringify(given)}`,
    );
  return Number(given);
}

require("v8").setFlagsFromString(`--invocation-count-for-turbofan=${turbofanInvocations(process.env)}`);

module.exports = { DEFAULT_INVOCATIONS, turbofanInvocations };
