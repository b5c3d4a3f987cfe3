import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { compiled, ROOT, tmpDir } from "../support/helpers";
import { TESTED, untested } from "../../cli/sdkStartup";

/**
 * The SDK start-up shortcut of the offline commands (cli/sdkStartup.ts): modules the SDK
 * requires at load but a synthesis never uses load on first use, for the tested SDK versions only.
 */
const STARTUP = compiled("cli/sdkStartup.ts");

/**
 * Runs `code` in a fresh node after installing the shortcut for `root`: its compiled module, as
 * the CLIs load it, with no loader registered (tsx's hooks would cost each SDK module it loads).
 */
function withShortcut(code: string, root = ROOT, env: NodeJS.ProcessEnv = process.env) {
  const prelude = `const load0 = require("module")._load; const installed = require(${JSON.stringify(STARTUP)}).installSdkShortcut(${JSON.stringify(root)});`;
  return spawnSync(process.execPath, ["-e", prelude + code], {
    cwd: ROOT,
    encoding: "utf8",
    env,
  });
}

/** What the shared run below reports: each part read by the test that states it. */
interface SharedRun {
  load: { installed: boolean; same: boolean; grpc: boolean };
  debuggable: { installed: boolean; frames: boolean; limit: number };
  defers: any;
  closure: any;
}

let sharedRun: SharedRun | undefined;
/**
 * One fresh node with the shortcut on (the tested versions, PULUMI_DEBUG_PROMISE_LEAKS unset) for
 * the tests below, each reading its part, in the order a process meets them: what loading
 * @pulumi/pulumi loads (Node's loader, gRPC, the closure-serialization modules), a debuggable
 * promise, what @pulumi/kubernetes and the SDK's deferred modules load when used, then closure
 * serialization. One start-up instead of four; each check still runs on a process where nothing
 * before it used what it looks for.
 */
function shared(): SharedRun {
  if (sharedRun) return sharedRun;
  const code = `
      const loaded = (re) => Object.keys(require.cache).some((k) => re.test(k));
      const grpcRe = /@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/]index\.js$/;
      const ts = /node_modules[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/;
      const arb = /@npmcli[\\\\/]arborist[\\\\/]lib[\\\\/]index\\.js$/;
      const auto = /@pulumi[\\\\/]pulumi[\\\\/]automation[\\\\/]index\\.js$/;
      const closureLoaded = () => [loaded(ts), loaded(arb), loaded(auto)];
      const pulumi = require("@pulumi/pulumi");
      const load = { installed, same: require("module")._load === load0, grpc: loaded(grpcRe) };
      const closureBefore = closureLoaded();
      // The SDK's runtime modules call debuggablePromise through the module object, as here.
      const d = require("@pulumi/pulumi/runtime/debuggable");
      const p = Promise.resolve(1);
      d.debuggablePromise(p, "probe"); // marks the promise it is given
      const debuggable = { installed, frames: / at /.test(p._debugStackTrace), limit: Error.stackTraceLimit };
      const pats = {
        semver: /node_modules[\\/]semver[\\/]index\.js$/,
        normalize: /normalize-package-data[\\/]lib[\\/]normalize\.js$/,
        otel: /@opentelemetry[\\/]api[\\/]build[\\/]src[\\/]index\.js$/,
        glob: /node_modules[\\/]glob[\\/]dist[\\/]commonjs[\\/]index\.js$/,
      };
      const snap = () => Object.fromEntries(Object.entries(pats).map(([k, re]) => [k, loaded(re)]));
      const fs = require("fs"), os = require("os"), path = require("path");
      const k8s = require("@pulumi/kubernetes");
      const before = snap();
      (async () => {
        const made = [];
        await pulumi.runtime.setMocks({ newResource: (a) => { made.push(a.type + " " + a.name); return { id: a.name, state: a.inputs }; },
          call: () => ({}) }, "p", "s", false);
        const dir = fs.mkdtempSync(path.join(process.env.TESTS_TMP || os.tmpdir(), "cg-"));
        fs.writeFileSync(path.join(dir, "a.yaml"), "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: a\\n");
        const cg = new k8s.yaml.ConfigGroup("cg", { files: [path.join(dir, "*.yaml")] });
        await new Promise((r) => cg.resources.apply(r));
        const grpcAfterMocks = loaded(grpcRe);
        const grpcError = require("@pulumi/pulumi/errors").isGrpcError({ code: 14 });
        const grpcAfterError = loaded(grpcRe);
        const grpc = require("@grpc/grpc-js");
        class A { f() { return 1; } }
        class B extends A { f() { return super.f() + 1; } }
        const b = new B();
        const fn = await pulumi.runtime.serializeFunction(() => b.f());
        const paths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: [] });
        const [interceptor] = require("@pulumi/pulumi/runtime/settings").grpcClientOptions.interceptors;
        const md = new grpc.Metadata();
        interceptor({}, () => ({ start() {}, cancelWithStatus() {}, getPeer() { return ""; },
          sendMessageWithContext() {}, sendMessage() {}, startRead() {}, halfClose() {} })).start(md, {});
        const defers = { before, after: snap(), super: fn.text.includes("super"), paths: paths.size > 0,
          made: made.map((m) => m.replace(dir, "<dir>")), grpc: [grpcAfterMocks, grpcError, grpcAfterError] };
        // Code paths computed once above (normalize-package-data, arborist): the closure part reads them.
        const fn2 = await pulumi.runtime.serializeFunction(() => 40 + 2);
        const ws = typeof pulumi.automation.LocalWorkspace;
        const closure = { before: closureBefore, after: closureLoaded(), text: fn2.text, paths: paths.size > 0,
          ws };
        console.log(JSON.stringify({ load, debuggable, defers, closure }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
  const quiet = { ...process.env };
  delete quiet.PULUMI_DEBUG_PROMISE_LEAKS;
  const r = withShortcut(code, ROOT, quiet);
  if (r.status !== 0) throw new Error(`the shared run exited ${r.status}:\n${r.stderr}`);
  return (sharedRun = JSON.parse(r.stdout) as SharedRun);
}

let offRun: { load: { untested: boolean; same: boolean; grpc: boolean }; debuggable: unknown } | undefined;
/**
 * One fresh node where the shortcut never acts, for the two tests that state when it turns itself
 * off: it is asked first for a root whose SDK version it was not tested against (the tested
 * versions' environment otherwise), then for the project's root with HOMELAB_SDK_SHORTCUT=0 (read
 * when it is asked); both must refuse. Then the SDK loads as usual (Node's loader untouched, gRPC
 * loaded with it) and a debuggable promise gets its frames. One start-up instead of two: either
 * refusal failing installs the shortcut and changes what follows.
 */
function off(): NonNullable<typeof offRun> {
  if (offRun) return offRun;
  const fake = tmpDir("sdk-versions");
  for (const [name, version] of Object.entries({ ...TESTED, "@pulumi/pulumi": "3.999.0" })) {
    fs.mkdirSync(path.join(fake, "node_modules", name), { recursive: true });
    fs.writeFileSync(
      path.join(fake, "node_modules", name, "package.json"),
      JSON.stringify({ name, version }),
    );
  }
  const code = `
      const untested = installed;
      process.env.HOMELAB_SDK_SHORTCUT = "0";
      const disabled = require(${JSON.stringify(STARTUP)}).installSdkShortcut(${JSON.stringify(ROOT)});
      require("@pulumi/pulumi");
      const grpc = Object.keys(require.cache).some((k) => /@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/]index\.js$/.test(k));
      const load = { untested, same: require("module")._load === load0, grpc };
      const d = require("@pulumi/pulumi/runtime/debuggable");
      const p = Promise.resolve(1);
      d.debuggablePromise(p, "probe");
      const debuggable = { installed: disabled, frames: / at /.test(p._debugStackTrace), limit: Error.stackTraceLimit };
      console.log(JSON.stringify({ load, debuggable }));`;
  const quiet = { ...process.env };
  delete quiet.PULUMI_DEBUG_PROMISE_LEAKS;
  delete quiet.HOMELAB_SDK_SHORTCUT;
  const r = withShortcut(code, fake, quiet);
  if (r.status !== 0) throw new Error(`the run without the shortcut exited ${r.status}:\n${r.stderr}`);
  return (offRun = JSON.parse(r.stdout));
}

describe("the SDK start-up shortcut (cli/sdkStartup.ts)", function () {
  this.timeout(60000);

  it("names each SDK package whose installed version it was not tested against", () => {
    assert.equal(untested({ ...TESTED }), undefined);
    assert.equal(
      untested({ ...TESTED, "@pulumi/kubernetes": "4.35.0" }),
      `@pulumi/kubernetes 4.35.0 (tested: ${TESTED["@pulumi/kubernetes"]})`,
    );
    assert.match(
      untested({ "@pulumi/pulumi": TESTED["@pulumi/pulumi"] }) ?? "",
      /@pulumi\/kubernetes missing/,
    );
  });

  it("turns itself off for an untested SDK version: Node's loader untouched, the SDK loads as usual", () => {
    assert.deepEqual(off().load, { untested: false, same: true, grpc: true });
    // The same SDK load with the tested versions installed: the shortcut acts and gRPC waits.
    assert.deepEqual(shared().load, { installed: true, same: false, grpc: false });
  });

  it("formats no per-promise stack nobody reads: frames only with PULUMI_DEBUG_PROMISE_LEAKS, as the SDK prints them only then", () => {
    // The SDK's runtime modules call debuggablePromise through the module object, as here.
    const code = `
      require("@pulumi/pulumi");
      const d = require("@pulumi/pulumi/runtime/debuggable");
      const p = Promise.resolve(1);
      d.debuggablePromise(p, "probe"); // marks the promise it is given
      console.log(JSON.stringify({ installed, frames: / at /.test(p._debugStackTrace), limit: Error.stackTraceLimit }));`;
    const quiet = { ...process.env };
    delete quiet.PULUMI_DEBUG_PROMISE_LEAKS;
    // Without it (the shared run's environment): no frames.
    assert.deepEqual(shared().debuggable, { installed: true, frames: false, limit: 10 });
    const debug = withShortcut(code, ROOT, { ...quiet, PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    assert.equal(debug.status, 0, debug.stderr);
    assert.deepEqual(JSON.parse(debug.stdout), { installed: true, frames: true, limit: 10 });
    // HOMELAB_SDK_SHORTCUT=0: the SDK's own function, frames and all.
    assert.deepEqual(off().debuggable, { installed: false, frames: true, limit: 10 });
  });

  it("defers gRPC, semver, normalize-package-data, OpenTelemetry and glob until the SDK uses them, then serves the real ones", () => {
    // Each is required at SDK load but used only inside functions a synthesis never calls (read in
    // @pulumi/pulumi errors.js isGrpcError, runtime/rpc.js, runtime/closure/{rewriteSuper,codePaths}.js,
    // runtime/settings.js createTraceContextInterceptor, and @pulumi/kubernetes yaml/yaml.js): here
    // each is used.
    const out = shared().defers;
    assert.deepEqual(out.before, { semver: false, normalize: false, otel: false, glob: false });
    assert.deepEqual(out.after, { semver: true, normalize: true, otel: true, glob: true });
    assert.equal(out.super, true, "a class method with super serializes (rewriteSuper)");
    assert.equal(
      out.paths,
      true,
      "code paths computed (normalize-package-data called through __importDefault)",
    );
    // The pattern found the file: one ConfigFile for it (its objects would come from the provider).
    assert.deepEqual(out.made, ["kubernetes:yaml:ConfigGroup cg", "kubernetes:yaml:ConfigFile <dir>/a.yaml"]);
    // gRPC: resources registered with the mock monitor without it; the first status code read loads it.
    assert.deepEqual(out.grpc, [false, true, true]);
  });

  it("loads @pulumi/pulumi without its closure-serialization modules, and loads them on first use", () => {
    const out = shared().closure;
    assert.deepEqual(out.before, [false, false, false]);
    assert.deepEqual(out.after, [true, true, true]);
    assert.match(out.text, /40 \+ 2/);
    assert.equal(out.paths, true);
    assert.equal(out.ws, "function");
  });
});
