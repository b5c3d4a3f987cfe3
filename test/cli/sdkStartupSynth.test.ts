import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { compiled, ROOT } from "../support/helpers";

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
  pulumi.runtime
    .setMocks({ newResource: (a) => { seen.push([a.type, a.name, a.inputs]); return { id: "i", state: a.inputs }; }, call: () => ({}) }, "p", "s", false)
    .then(async () => {
      const mocked = frames();
      const r = new pulumi.CustomResource("test:index:Thing", "thing", { a: 1 });
      await new Promise((resolve) => r.urn.apply(resolve));
      console.log(JSON.stringify({ installed, before, mocked, seen }));
    });`;

/**
 * The three probes below in one fresh node per mode (on, off), in this order: the Struct probe (no
 * SDK loaded yet), the API groups' (loading @pulumi/kubernetes, which loads @pulumi/pulumi), the
 * source positions' (the SDK's mocks). Each reads only what it set up, and none uses what a later one
 * checks; each prints one line. Two processes instead of six (each SDK load costs about a second
 * of CPU).
 */
const runs = new Map<boolean, { struct: any; groups: any; stacks: any }>();
function probes(on: boolean): { struct: any; groups: any; stacks: any } {
  let r = runs.get(on);
  if (!r) {
    const prelude = `const installed = require(${JSON.stringify(STARTUP)}).installSdkShortcut(${JSON.stringify(ROOT)});`;
    const out = spawnSync(
      process.execPath,
      ["-e", `${prelude}\n{${PROBE}}\n{${PROBE_GROUPS}}\n{${PROBE_STACKS}}`],
      { cwd: ROOT, encoding: "utf8", env: { ...process.env, HOMELAB_SDK_SHORTCUT: on ? "1" : "0" } },
    );
    assert.equal(out.status, 0, out.stderr);
    const [struct, groups, stacks] = out.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    r = { struct, groups, stacks };
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
