import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import { compiled, ROOT } from "../support/helpers";
import { TESTED, untested } from "../../cli/sdkStartup";

/**
 * The SDK start-up shortcut of the offline commands (cli/sdkStartup.ts): modules the SDK
 * requires at load but a synthesis never uses load on first use, for the tested SDK versions only.
 */
const STARTUP = compiled("cli/sdkStartup.ts");

/**
 * Runs `code` in a fresh node after installing the shortcut for the project: its compiled module, as
 * the CLIs load it, with no loader registered (tsx's hooks would cost each SDK module it loads).
 * Whether it turns itself off, and the SDK load and debuggable promises with it on and off:
 * test/cli/sdkStartupSynth.test.ts, whose two processes (on, off) serve those tests too.
 */
function withShortcut(code: string, env: NodeJS.ProcessEnv) {
  const prelude = `const installed = require(${JSON.stringify(STARTUP)}).installSdkShortcut(${JSON.stringify(ROOT)});`;
  return spawnSync(process.execPath, ["-e", prelude + code], {
    cwd: ROOT,
    encoding: "utf8",
    env,
  });
}

/** What the shared run below reports: each part read by the test that states it. */
interface SharedRun {
  defers: any;
  closure: any;
}

let sharedRun: SharedRun | undefined;
/**
 * One fresh node with the shortcut on (the tested versions, PULUMI_DEBUG_PROMISE_LEAKS unset) for
 * the tests below, each reading its part, in the order a process meets them: what loading
 * @pulumi/pulumi loads (the closure-serialization modules), what @pulumi/kubernetes and the SDK's
 * deferred modules load when used, then closure serialization. One start-up instead of two; each
 * check still runs on a process where nothing before it used what it looks for.
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
      const closureBefore = closureLoaded();
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
        console.log(JSON.stringify({ defers, closure }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
  const quiet = { ...process.env };
  delete quiet.PULUMI_DEBUG_PROMISE_LEAKS;
  const r = withShortcut(code, quiet);
  if (r.status !== 0) throw new Error(`the shared run exited ${r.status}:\n${r.stderr}`);
  return (sharedRun = JSON.parse(r.stdout) as SharedRun);
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
