import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { ROOT, tmpDir } from "./helpers";

/**
 * scripts/register.js: how `npm run synth`, `policy:check`, the benchmark and mocha run the
 * TypeScript sources (per-file transpile as Pulumi's transpile-only ts-node does, cached by
 * source hash, stack traces in .ts lines, two SDK modules deferred).
 */
const REGISTER = path.join(ROOT, "scripts/register.js");

function runTs(file: string, cache: string, code = "") {
  const args = ["-r", REGISTER, ...(code ? ["-e", code] : [file])];
  return spawnSync(process.execPath, args, {
    cwd: path.dirname(file),
    encoding: "utf8",
    env: { ...process.env, HOMELAB_TS_CACHE_DIR: cache },
  });
}
const cached = (dir: string, ext: string) => fs.readdirSync(dir).filter((f) => f.endsWith(ext));

describe("the TypeScript loader (scripts/register.js)", function () {
  this.timeout(60000);

  it("runs a .ts file from source and transpiles it again when it changes", () => {
    const dir = tmpDir("loader");
    const cache = path.join(dir, "cache");
    const file = path.join(dir, "a.ts");
    fs.writeFileSync(file, `const n: number = 1;\nconsole.log(\`n=\${n}\`);\n`);
    let r = runTs(file, cache);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "n=1");
    fs.writeFileSync(file, `const n: number = 2;\nconsole.log(\`n=\${n}\`);\n`);
    r = runTs(file, cache);
    assert.equal(r.stdout.trim(), "n=2");
    assert.equal(cached(cache, ".js").length, 2);
  });

  it("reuses the cached output while the source is unchanged (TypeScript is not asked again)", () => {
    const dir = tmpDir("loader");
    const cache = path.join(dir, "cache");
    const file = path.join(dir, "a.ts");
    fs.writeFileSync(file, `console.log("transpiled" as string);\n`);
    assert.equal(runTs(file, cache).stdout.trim(), "transpiled");
    const [entry] = cached(cache, ".js");
    fs.writeFileSync(path.join(cache, entry), `console.log("from the cache");\n`);
    assert.equal(runTs(file, cache).stdout.trim(), "from the cache");
  });

  it("reports stack frames at the .ts source lines, from a fresh transpile and from the cache", () => {
    const dir = tmpDir("loader");
    const cache = path.join(dir, "cache");
    const file = path.join(dir, "thrower.ts");
    // Type-only lines and an import vanish or move in the output; line 9 must stay line 9.
    fs.writeFileSync(
      file,
      [
        `import * as os from "os";`,
        `interface Shape {`,
        `  a: number;`,
        `}`,
        `type Alias = Shape;`,
        `export function boom(s: Alias): never {`,
        `  void os.EOL;`,
        `  // the throw below is on line 9`,
        `  throw new Error("boom " + s.a);`,
        `}`,
        `boom({ a: 1 });`,
        ``,
      ].join("\n"),
    );
    for (const round of ["fresh", "cached"]) {
      const r = runTs(file, cache);
      assert.notEqual(r.status, 0, round);
      assert.match(r.stderr, new RegExp(`thrower\\.ts:9:\\d+`), `${round}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`thrower\\.ts:11:\\d+`), `${round}: ${r.stderr}`);
    }
  });

  it("maps the same call site every time it is formatted (the source map lookup is memoized per position)", () => {
    const dir = tmpDir("loader");
    const file = path.join(dir, "twice.ts");
    fs.writeFileSync(
      file,
      [
        `interface Unused {`,
        `  a: number;`,
        `}`,
        `export function where(): string {`,
        `  return new Error("x").stack!.split("\\n")[1];`,
        `}`,
        `console.log(JSON.stringify([where(), where(), where()]));`,
        ``,
      ].join("\n"),
    );
    const r = runTs(file, path.join(dir, "cache"));
    assert.equal(r.status, 0, r.stderr);
    const frames: string[] = JSON.parse(r.stdout);
    for (const f of frames) assert.match(f, /twice\.ts:5:\d+/);
  });

  it("records the stack @pulumi/pulumi keeps per promise only with PULUMI_DEBUG_PROMISE_LEAKS, the one setting that prints it, and maps it then", () => {
    const dir = tmpDir("loader");
    const file = path.join(dir, "leak.ts");
    // Four type-only lines before the call: generated line 2 is source line 6.
    fs.writeFileSync(
      file,
      [
        `import { debuggablePromise } from ${JSON.stringify(path.join(ROOT, "node_modules/@pulumi/pulumi/runtime/debuggable"))};`,
        `interface Unused {`,
        `  a: number;`,
        `  b: string;`,
        `}`,
        `const p: any = Promise.resolve(1); void debuggablePromise(p, "ctx");`,
        `console.log(JSON.stringify(p._debugStackTrace));`,
        ``,
      ].join("\n"),
    );
    const cache = path.join(dir, "cache");
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ["-r", REGISTER, file], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, HOMELAB_TS_CACHE_DIR: cache, PULUMI_DEBUG_PROMISE_LEAKS: "", ...env },
      });
    const quiet = run({});
    assert.equal(quiet.status, 0, quiet.stderr);
    const unrecorded: string = JSON.parse(quiet.stdout);
    assert.doesNotMatch(unrecorded, /leak\.ts/);
    assert.match(unrecorded, /PULUMI_DEBUG_PROMISE_LEAKS/, "the placeholder says how to record it");
    const debug = run({ PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    assert.equal(debug.status, 0, debug.stderr);
    assert.match(JSON.parse(debug.stdout), /leak\.ts:6:\d+/);
  });

  it("leaves Resource.callsites' stack (a source position for the engine, dropped by the mock monitor) unmapped, and maps an error's", () => {
    const dir = tmpDir("loader");
    const file = path.join(dir, "sites.ts");
    fs.writeFileSync(
      file,
      [
        `import * as pulumi from ${JSON.stringify(path.join(ROOT, "node_modules/@pulumi/pulumi"))};`,
        `interface Unused {`,
        `  a: number;`,
        `}`,
        `const sites = (pulumi.Resource as any).callsites().filter((s: any) => /sites\\.ts$/.test(s.file ?? ""));`,
        `const error = new Error("x").stack!.split("\\n").find((l) => l.includes("sites.ts"));`,
        `console.log(JSON.stringify({ sites, error }));`,
        ``,
      ].join("\n"),
    );
    const r = runTs(file, path.join(dir, "cache"));
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.sites.length, 1, r.stdout);
    assert.notEqual(out.sites[0].line, 5, "the generated line, not the source line");
    assert.match(out.error, /sites\.ts:6:\d+/, "an error's stack is still mapped");
  });

  it("fails on a syntax error with the file, line and TypeScript's message", () => {
    const dir = tmpDir("loader");
    const file = path.join(dir, "broken.ts");
    fs.writeFileSync(file, `const a = 1;\n\nconst b = ;\n`);
    const r = runTs(file, path.join(dir, "cache"));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /broken\.ts:3:\d+: error TS1109: Expression expected/);
  });

  it("does not type-check at run time (as Pulumi with PULUMI_NODEJS_TRANSPILE_ONLY); tsc, run by npm test, does", () => {
    const dir = tmpDir("loader");
    const file = path.join(dir, "typeError.ts");
    fs.writeFileSync(file, `const n = 1;\nexport const s: number = "x";\nexport default n;\n`);
    const r = runTs(file, path.join(dir, "cache"));
    assert.equal(r.status, 0, r.stderr);
    const tsc = spawnSync(
      process.execPath,
      [
        require.resolve("typescript/bin/tsc", { paths: [ROOT] }),
        ...["--noEmit", "--strict", "--skipLibCheck", "--lib", "es2020", file],
      ],
      { encoding: "utf8" },
    );
    assert.equal(tsc.status, 2, tsc.stdout);
    assert.match(tsc.stdout, /typeError\.ts\(2,14\): error TS2322/);
  });

  it("hands the raw source to a TypeScript loader registered on top (Pulumi's type-checking ts-node)", () => {
    const dir = tmpDir("loader");
    const file = path.join(dir, "typeError.ts");
    fs.writeFileSync(file, `export const s: number = "x";\n`);
    const code = [
      `const tsutils = require(${JSON.stringify(path.join(ROOT, "node_modules/@pulumi/pulumi/tsutils.js"))});`,
      `const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();`,
      `require(tsnodeRequire).register({ typeCheck: true, skipProject: true, compiler: typescriptRequire,`,
      `  compilerOptions: { strict: true, module: "commonjs", target: "es2020" } });`,
      `require(${JSON.stringify(file)});`,
    ].join("\n");
    const r = runTs(file, path.join(dir, "cache"), code);
    assert.notEqual(r.status, 0, "ts-node should have rejected the type error");
    assert.match(r.stderr, /TS2322/);
  });

  it("defers gRPC, semver, normalize-package-data, OpenTelemetry and glob until the SDK uses them, then serves the real ones", () => {
    // Each is required at SDK load but used only inside functions a synthesis never calls (read in
    // @pulumi/pulumi errors.js isGrpcError, runtime/rpc.js, runtime/closure/{rewriteSuper,codePaths}.js,
    // runtime/settings.js createTraceContextInterceptor, and @pulumi/kubernetes yaml/yaml.js): here
    // each is used.
    const code = `
      const loaded = (re) => Object.keys(require.cache).some((k) => re.test(k));
      const pats = {
        semver: /node_modules[\\/]semver[\\/]index\.js$/,
        normalize: /normalize-package-data[\\/]lib[\\/]normalize\.js$/,
        otel: /@opentelemetry[\\/]api[\\/]build[\\/]src[\\/]index\.js$/,
        glob: /node_modules[\\/]glob[\\/]dist[\\/]commonjs[\\/]index\.js$/,
      };
      const snap = () => Object.fromEntries(Object.entries(pats).map(([k, re]) => [k, loaded(re)]));
      const fs = require("fs"), os = require("os"), path = require("path");
      const pulumi = require("@pulumi/pulumi");
      const k8s = require("@pulumi/kubernetes");
      const before = snap();
      (async () => {
        const made = [];
        await pulumi.runtime.setMocks({ newResource: (a) => { made.push(a.type + " " + a.name); return { id: a.name, state: a.inputs }; },
          call: () => ({}) }, "p", "s", false);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cg-"));
        fs.writeFileSync(path.join(dir, "a.yaml"), "apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: a\\n");
        const cg = new k8s.yaml.ConfigGroup("cg", { files: [path.join(dir, "*.yaml")] });
        await new Promise((r) => cg.resources.apply(r));
        const grpcRe = /@grpc[\\/]grpc-js[\\/]build[\\/]src[\\/]index\.js$/;
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
        console.log(JSON.stringify({ before, after: snap(), super: fn.text.includes("super"), paths: paths.size > 0,
          made: made.map((m) => m.replace(dir, "<dir>")), grpc: [grpcAfterMocks, grpcError, grpcAfterError] }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ["-r", REGISTER, "-e", code], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
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
    const code = `
      const loaded = (re) => Object.keys(require.cache).some((k) => re.test(k));
      const ts = /node_modules[\\\\/]typescript[\\\\/]lib[\\\\/]typescript\\.js$/;
      const arb = /@npmcli[\\\\/]arborist[\\\\/]lib[\\\\/]index\\.js$/;
      const auto = /@pulumi[\\\\/]pulumi[\\\\/]automation[\\\\/]index\\.js$/;
      const pulumi = require("@pulumi/pulumi");
      const before = [loaded(ts), loaded(arb), loaded(auto)];
      (async () => {
        const fn = await pulumi.runtime.serializeFunction(() => 40 + 2);
        const paths = await pulumi.runtime.computeCodePaths({ extraIncludePackages: [] });
        const ws = typeof pulumi.automation.LocalWorkspace;
        console.log(JSON.stringify({ before, after: [loaded(ts), loaded(arb), loaded(auto)],
          text: fn.text, paths: paths.size > 0, ws }));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    const r = spawnSync(process.execPath, ["-r", REGISTER, "-e", code], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(out.before, [false, false, false]);
    assert.deepEqual(out.after, [true, true, true]);
    assert.match(out.text, /40 \+ 2/);
    assert.equal(out.paths, true);
    assert.equal(out.ws, "function");
  });
});
