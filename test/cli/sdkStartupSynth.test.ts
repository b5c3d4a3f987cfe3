import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { compiled, ROOT, tmpDir } from "../support/helpers";
import { TESTED } from "../../cli/sdkStartup";

/**
 * The shortcut's Struct conversion (cli/sdkStartup.ts lightenStructs): the SDK and the mock monitor
 * turn every resource's properties into a protobuf Struct and back; with the shortcut a Struct keeps
 * plain data and builds its messages only when something other than toJavaScript reads it. What
 * comes out must be what the real messages give: each probe below is converted through the
 * lightened path and through the messages (getFieldsMap builds them, and the Struct then reads
 * them as the original does), and through the wire (serializeBinary, deserializeBinary).
 */
const STARTUP = compiled("cli/sdkStartup.ts");

const PROBE_GROUPS = `
  const k8s = require("@pulumi/kubernetes");
  const rpc = require("@pulumi/pulumi/runtime/rpc");
  const loaded = (g) => Object.keys(require.cache).some((k) => k.endsWith(["@pulumi", "kubernetes", g, "index.js"].join(require("path").sep)));
  const state = () => ({ batch: loaded("batch"), core: loaded("core"), registered: !!rpc.getResourceModule("kubernetes", "batch/v1") });
  const before = state();
  const job = typeof k8s.batch.v1.Job;
  const release = typeof k8s.helm.v3.Release;
  console.log(JSON.stringify({ installed, before, job, release, after: state() }));`;

const PROBE_STACKS = `
  const pulumi = require("@pulumi/pulumi");
  const frames = () => pulumi.Resource.stackTrace(0).length;
  const before = frames();
  const seen = [];
  stacksDone = pulumi.runtime
    .setMocks({ newResource: (a) => { seen.push([a.type, a.name, a.inputs]); return { id: "i", state: a.inputs }; }, call: () => ({}) }, "p", "s", false)
    .then(async () => {
      const mocked = frames();
      const r = new pulumi.CustomResource("test:index:Thing", "thing", { a: 1 });
      await new Promise((resolve) => r.urn.apply(resolve));
      console.log(JSON.stringify({ installed, before, mocked, seen }));
    });`;

/**
 * What loading @pulumi/pulumi does to Node's loader and gRPC, and whether a debuggable promise
 * gets its frames (the SDK's runtime modules call debuggablePromise through the module object, as
 * here). `load0` is Node's loader before the shortcut was asked for.
 */
const PROBE_LOAD = `
  require("@pulumi/pulumi");
  const grpc = Object.keys(require.cache).some((k) => /@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/]index\\.js$/.test(k));
  const load = { installed, same: require("module")._load === load0, grpc };
  const d = require("@pulumi/pulumi/runtime/debuggable");
  const p = Promise.resolve(1);
  d.debuggablePromise(p, "probe"); // marks the promise it is given
  const debuggable = { installed, frames: / at /.test(p._debugStackTrace), limit: Error.stackTraceLimit };
  console.log(JSON.stringify({ untested, load, debuggable }));`;

/** A root whose installed SDK versions are the tested ones but for @pulumi/pulumi 3.999.0. */
function untestedRoot(): string {
  const fake = tmpDir("sdk-versions");
  for (const [name, version] of Object.entries({ ...TESTED, "@pulumi/pulumi": "3.999.0" })) {
    fs.mkdirSync(path.join(fake, "node_modules", name), { recursive: true });
    fs.writeFileSync(
      path.join(fake, "node_modules", name, "package.json"),
      JSON.stringify({ name, version }),
    );
  }
  return fake;
}

/** What one mode's run reports, each part read by the tests that state it. */
interface Probes {
  struct: any;
  load: { untested?: boolean; load: any; debuggable: any };
  groups: any;
  stacks: any;
  leaks: Record<string, unknown>;
}

/**
 * The probes below in one fresh node per mode (on, off), in this order: the Struct probe (no SDK
 * loaded yet), the SDK load's (Node's loader, gRPC, a debuggable promise), the API groups' (loading
 * @pulumi/kubernetes), the source positions' (the SDK's mocks), then, once those have settled, the
 * leak check's ({@link PROBE_LEAKS}). Each reads only what it set up, and none uses what a later one
 * checks; each prints one line. Two processes instead of nine (each SDK load without the shortcut
 * costs about 0.4 s of CPU; the leak probe had two of its own: measured warm, this file alone,
 * medians of 3 alternated runs, the file 4.17 -> 3.21 s of CPU). PULUMI_DEBUG_PROMISE_LEAKS unset
 * in both.
 *
 * Off, the shortcut is asked twice and must refuse both: first for a root whose SDK version it was
 * not tested against (HOMELAB_SDK_SHORTCUT unset, the tested versions' environment otherwise), then
 * for the project's root with HOMELAB_SDK_SHORTCUT=0 (read when it is asked). Either refusal failing
 * installs the shortcut and changes every probe that follows.
 */
const runs = new Map<boolean, Probes>();
function probes(on: boolean): Probes {
  let r = runs.get(on);
  if (!r) {
    const startup = `require(${JSON.stringify(STARTUP)}).installSdkShortcut`;
    const prelude = on
      ? `const load0 = require("module")._load; const untested = undefined; const installed = ${startup}(${JSON.stringify(ROOT)});`
      : `const load0 = require("module")._load; const untested = ${startup}(${JSON.stringify(untestedRoot())});
         process.env.HOMELAB_SDK_SHORTCUT = "0";
         const installed = ${startup}(${JSON.stringify(ROOT)});`;
    const env = { ...process.env };
    delete env.PULUMI_DEBUG_PROMISE_LEAKS;
    if (on) env.HOMELAB_SDK_SHORTCUT = "1";
    else delete env.HOMELAB_SDK_SHORTCUT;
    const out = spawnSync(
      process.execPath,
      [
        "-e",
        `${prelude}\nlet stacksDone;\n{${PROBE}}\n{${PROBE_LOAD}}\n{${PROBE_GROUPS}}\n{${PROBE_STACKS}}\n` +
          `stacksDone.then(() => {${PROBE_LEAKS}});`,
      ],
      { cwd: ROOT, encoding: "utf8", env },
    );
    assert.equal(out.status, 0, out.stderr);
    const [struct, load, groups, stacks, leaks] = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    r = { struct, load, groups, stacks, leaks };
    runs.set(on, r);
  }
  return r;
}

const PROBE = `
  const pb = require("google-protobuf/google/protobuf/struct_pb");
  const { Struct, Value } = pb;
  // What Value.fromJavaScript is asked for: the original asks it for every field when the Struct
  // is made; the lightened Struct only when its messages are built.
  let valueCalls = 0;
  const valueFrom = Value.fromJavaScript;
  Value.fromJavaScript = function (v) { valueCalls++; return valueFrom.call(this, v); };
  const inherited = Object.create({ inheritedKey: "from the prototype" });
  inherited.own = 1;
  const noProto = Object.create(null);
  noProto.z = "no prototype";
  const withExtra = [1, 2];
  withExtra.extra = "not an index";
  const probes = {
    nested: { b: 1, a: { z: true, y: [1, { d: null, c: "x" }] }, "10": 3, "2": 4, B: "", "é": 6, _: -0 },
    inherited: { inherited },
    odd: { date: new Date(0), noProto, withExtra, nan: NaN, big: 1e308 },
    empty: {},
  };
  const text = (v) => JSON.stringify(v, (k, x) => (Object.is(x, -0) ? "-0" : Number.isNaN(x) ? "NaN" : x));
  const out = { installed, made: {}, built: {}, wire: {}, valueCallsMaking: 0, errors: [], fresh: undefined };
  for (const [name, value] of Object.entries(probes)) {
    const before = valueCalls;
    const s = Struct.fromJavaScript(value);
    out.valueCallsMaking += valueCalls - before;
    out.made[name] = text(s.toJavaScript());
    out.wire[name] = text(Struct.deserializeBinary(Struct.fromJavaScript(value).serializeBinary()).toJavaScript());
    s.getFieldsMap();
    out.built[name] = text(s.toJavaScript());
  }
  for (const bad of [{ f: undefined }, { f: () => 1 }, { f: [1, , 3] }, { f: Symbol("s") }])
    try { Struct.fromJavaScript(bad); out.errors.push("none"); } catch (e) { out.errors.push(e.message); }
  const s = Struct.fromJavaScript({ a: { b: [1] } });
  const one = s.toJavaScript();
  one.a.b.push(2);
  out.fresh = text(s.toJavaScript());
  Value.fromJavaScript = valueFrom;
  console.log(JSON.stringify(out));`;

describe("the SDK start-up shortcut: when it acts (cli/sdkStartup.ts)", function () {
  this.timeout(30000);

  it("turns itself off for an untested SDK version: Node's loader untouched, the SDK loads as usual", () => {
    const off = probes(false).load;
    assert.equal(off.untested, false);
    assert.deepEqual(off.load, { installed: false, same: true, grpc: true });
    // The same SDK load with the tested versions installed: the shortcut acts and gRPC waits.
    assert.deepEqual(probes(true).load.load, { installed: true, same: false, grpc: false });
  });

  it("formats no per-promise stack nobody reads: frames only with PULUMI_DEBUG_PROMISE_LEAKS, as the SDK prints them only then", () => {
    // Without it (the probes' environment): no frames.
    assert.deepEqual(probes(true).load.debuggable, { installed: true, frames: false, limit: 10 });
    const code = `
      const installed = require(${JSON.stringify(STARTUP)}).installSdkShortcut(${JSON.stringify(ROOT)});
      require("@pulumi/pulumi");
      const d = require("@pulumi/pulumi/runtime/debuggable");
      const p = Promise.resolve(1);
      d.debuggablePromise(p, "probe"); // marks the promise it is given
      console.log(JSON.stringify({ installed, frames: / at /.test(p._debugStackTrace), limit: Error.stackTraceLimit }));`;
    const env: NodeJS.ProcessEnv = { ...process.env, PULUMI_DEBUG_PROMISE_LEAKS: "1" };
    delete env.HOMELAB_SDK_SHORTCUT;
    const debug = spawnSync(process.execPath, ["-e", code], { cwd: ROOT, encoding: "utf8", env });
    assert.equal(debug.status, 0, debug.stderr);
    assert.deepEqual(JSON.parse(debug.stdout), { installed: true, frames: true, limit: 10 });
    // HOMELAB_SDK_SHORTCUT=0: the SDK's own function, frames and all.
    assert.deepEqual(probes(false).load.debuggable, { installed: false, frames: true, limit: 10 });
  });
});

/**
 * What the SDK's leak check at exit sees of debuggable promises (runtime/debuggable.js
 * `leakedPromises`, the function its exit handler calls): a promise still pending is listed with
 * the SDK's message, settled ones are not, and a rejection's error carries the promise. Printed as
 * one line, once every probe promise has settled.
 */
const PROBE_LEAKS = `
  require("@pulumi/pulumi");
  const d = require("@pulumi/pulumi/runtime/debuggable");
  const first = Promise.resolve(0);
  // The first call is the SDK's own, which schedules the check at exit (in the probes' process,
  // PROBE_LOAD's came before it): pending below is never the first.
  d.debuggablePromise(first, "first");
  const pending = new Promise(() => {});
  d.debuggablePromise(pending, "pending");
  const bad = Promise.reject(new Error("refused"));
  const caught = d.debuggablePromise(bad, "bad").catch((e) => ({ message: e.message, promise: e.promise === bad }));
  const good = d.debuggablePromise(Promise.resolve(7), "good");
  Promise.all([caught, good]).then(([rejection, value]) => {
    const [leaked, message] = d.leakedPromises();
    console.log(JSON.stringify({ installed, rejection, value, leaked: [...leaked].map((p) => p === pending), message: message.split("\\n")[0], marked: "_debugId" in pending }));
  });`;

describe("the SDK start-up shortcut: debuggable promises (cli/sdkStartup.ts lightenPromiseStacks)", function () {
  this.timeout(30000);

  it("keeps the SDK's leak check whole without the per-promise marks: a pending promise is the one leak, a rejection carries its promise", () => {
    // The probes' processes (on, off), the other probes' promises settled first ({@link probes}).
    const run = (on: boolean) => probes(on).leaks;
    const same = {
      rejection: { message: "refused", promise: true },
      value: 7,
      leaked: [true],
      message: "The Pulumi runtime detected that 1 promise was still active",
    };
    // The SDK's own function marks every promise; with the shortcut, none after the first.
    assert.deepEqual(run(false), { installed: false, ...same, marked: true });
    assert.deepEqual(run(true), { installed: true, ...same, marked: false });
  });
});

describe("the SDK start-up shortcut: protobuf Structs as plain data (cli/sdkStartup.ts)", function () {
  this.timeout(30000);
  let on: any;
  let off: any;
  before(() => {
    on = probes(true).struct;
    off = probes(false).struct;
  });

  it("acts: a Struct is made without a message per value, and only for the tested SDK", () => {
    assert.equal(on.installed, true);
    assert.equal(on.valueCallsMaking, 0);
    // Without the shortcut the original makes one message per field of every probe.
    assert.equal(off.installed, false);
    assert.ok(off.valueCallsMaking > 10, `${off.valueCallsMaking} Value messages`);
  });

  it("gives what the real messages give: keys sorted, inherited keys, -0, NaN, arrays by index, dates as {}", () => {
    assert.deepEqual(on.made, on.built);
    assert.deepEqual(on.made, off.made);
    assert.deepEqual(on.wire, off.wire);
    // Sorted as jspb.Map sorts string keys; integer keys first, as JavaScript objects keep them.
    assert.equal(
      on.made.nested,
      '{"2":4,"10":3,"B":"","_":"-0","a":{"y":[1,{"c":"x","d":null}],"z":true},"b":1,"é":6}',
    );
  });

  it("refuses what a Struct cannot hold when it is made, with the original's message", () => {
    assert.deepEqual(on.errors, off.errors);
    assert.deepEqual(on.errors, Array(4).fill("Unexpected struct type."));
  });

  it("hands out a fresh copy each time: a caller's change is not seen by the next", () => {
    assert.equal(on.fresh, '{"a":{"b":[1]}}');
  });
});

describe("the SDK start-up shortcut: @pulumi/kubernetes's API groups on first read (cli/sdkStartup.ts)", function () {
  this.timeout(30000);
  // Which API groups are loaded, and whether each group's version modules registered themselves
  // for resource references (@pulumi/pulumi runtime/rpc.js getResourceModule).

  it("loads a group when the program first reads it, registered as the SDK registers it", () => {
    const on = probes(true).groups;
    assert.equal(on.installed, true);
    assert.deepEqual(on.before, { batch: false, core: false, registered: false });
    assert.equal(on.job, "function");
    assert.equal(on.release, "function");
    // Read: loaded and registered. Helm v3 (whose Chart loads yaml/yaml.js) loads no other group.
    assert.deepEqual(on.after, { batch: true, core: false, registered: true });
    // Without the shortcut every group loads with the package.
    const off = probes(false).groups;
    assert.deepEqual(off.before, { batch: true, core: true, registered: true });
  });
});

describe("the SDK start-up shortcut: no source positions for the mock monitor (cli/sdkStartup.ts)", function () {
  this.timeout(30000);
  // Frames Resource.stackTrace gives before and after the mock monitor is set, and what the mock
  // monitor is handed for a resource (it reads its type, name and inputs, never the position).

  it("gives the constructor no frames under mocks only; the mock monitor is handed the same resource", () => {
    const on = probes(true).stacks;
    const off = probes(false).stacks;
    assert.equal(on.installed, true);
    assert.ok(on.before > 0, `${on.before} frames without mocks`);
    assert.equal(on.mocked, 0);
    assert.ok(off.mocked > 0, `${off.mocked} frames under mocks without the shortcut`);
    assert.deepEqual(on.seen, off.seen);
    assert.deepEqual(on.seen, [["test:index:Thing", "thing", { a: 1 }]]);
  });
});
