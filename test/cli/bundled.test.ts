import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { compiled, compiledCli, ROOT, tmpDir } from "../support/helpers";
import Module from "module";
import { BUNDLE_CODE_CACHE, BUNDLED, bundleOf, entryOf, entryText } from "../../cli/bundled";
import { runBundle, type ModuleInternals } from "../../cli/bundleLoader";

/**
 * A bundled command's entry (cli/bundled.ts entryText) runs its bundle through cli/bundleLoader.ts:
 * as `require` would, with V8's code for it kept from an earlier run, never another build's.
 */
describe("bundled commands: the entry runs the bundle with its code from an earlier run", () => {
  /** A project of its own (dist/bin/ two folders below its root) whose synth bundle is `body`. */
  function project(body: string) {
    const root = tmpDir("entry");
    const entry = path.join(root, entryOf("cli/synth.ts")!);
    const bundle = path.join(root, bundleOf("cli/synth.ts")!);
    fs.mkdirSync(path.dirname(entry), { recursive: true });
    fs.mkdirSync(path.join(root, "dist", "cli"), { recursive: true });
    fs.copyFileSync(compiled("cli/bundleLoader.ts"), path.join(root, "dist", "cli", "bundleLoader.js"));
    fs.writeFileSync(entry, entryText("cli/synth.ts"));
    fs.writeFileSync(bundle, body);
    const cache = path.join(root, BUNDLE_CODE_CACHE);
    const run = (nodeOptions = "") =>
      spawnSync(process.execPath, [entry], {
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: nodeOptions },
      });
    const files = () =>
      fs.existsSync(cache) ? fs.readdirSync(cache).filter((f) => f.endsWith(".code")) : [];
    return { root, entry, bundle, cache, run, files };
  }

  it("a rebuilt bundle of the same length runs its own code, not the code kept for the one before", () => {
    // V8 takes cached code for any source of the same length: the file must be named by content.
    const p = project('process.stdout.write("A");\n');
    assert.equal(p.run().stdout, "A");
    assert.equal(p.files().length, 1);
    fs.writeFileSync(p.bundle, 'process.stdout.write("B");\n');
    assert.equal(p.run().stdout, "B");
    // The old build's code is dropped when the new one's is written.
    assert.equal(p.files().length, 1);
  });

  it("a Node without one of the module internals it stands in for: the loader runs nothing and says so", () => {
    const p = project('process.stdout.write("ran");\n');
    for (const k of [
      "_cache",
      "_nodeModulePaths",
      "_resolveFilename",
      "_resolveLookupPaths",
      "wrap",
    ] as const) {
      const internals: Partial<ModuleInternals> = {
        ...(Module as unknown as ModuleInternals),
        [k]: undefined,
      };
      assert.equal(runBundle(p.bundle, p.cache, undefined, internals), false, k);
    }
    assert.deepEqual(p.files(), [], "no code kept");
  });

  it("the entry requires the bundle by its name when the loader runs nothing", () => {
    const p = project('process.stdout.write(require("path").basename(__filename));\n');
    // The loader of a Node without the internals (above): runBundle gives false.
    fs.writeFileSync(
      path.join(p.root, "dist", "cli", "bundleLoader.js"),
      "exports.runBundle = () => false;\n",
    );
    const r = p.run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, path.basename(p.bundle));
  });

  it("the second run takes the code the first wrote (not written again); a torn file is only rewritten", () => {
    const p = project("process.stdout.write(String(1 + 1));\n");
    assert.equal(p.run().stdout, "2");
    const [file] = p.files();
    const written = fs.statSync(path.join(p.cache, file)).mtimeMs;
    assert.equal(p.run().stdout, "2");
    assert.equal(fs.statSync(path.join(p.cache, file)).mtimeMs, written, "accepted, not written again");
    fs.writeFileSync(path.join(p.cache, file), "torn");
    const r = p.run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "2");
    assert.notEqual(fs.readFileSync(path.join(p.cache, file), "utf8"), "torn");
  });

  it("a run that fails keeps no code: the next run that succeeds writes it, from the whole run", () => {
    // The code is written once per build: a run stopped early (a usage error, exit 2) would leave
    // only the functions it compiled (0.9 MB of the production synthesis's 1.8 MB) for every later run.
    const p = project(
      [
        'const marker = require("path").join(__dirname, "failed-once");',
        'if (!require("fs").existsSync(marker)) {',
        '  require("fs").writeFileSync(marker, "");',
        "  process.exit(2);",
        "}",
        'process.stdout.write("ok");',
        "",
      ].join("\n"),
    );
    assert.equal(p.run().status, 2);
    assert.deepEqual(p.files(), [], "no code from the failed run");
    const r = p.run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "ok");
    assert.equal(p.files().length, 1);
  });

  it("a temporary code file whose writer was killed is removed by the next run that writes; a live writer's is kept", () => {
    // saveCode writes `<code>.<pid>.tmp` and renames it: a process killed in between leaves it.
    const p = project('process.stdout.write("t");\n');
    fs.mkdirSync(p.cache, { recursive: true });
    const gone = spawnSync(process.execPath, ["-e", ""]).pid; // ended and reaped: its id names no process
    const orphan = path.join(p.cache, `synth.bundle-0-0.code.${gone}.tmp`);
    // This test's own process runs on: its file may be one about to be renamed.
    const writing = path.join(p.cache, `synth.bundle-0-0.code.${process.pid}.tmp`);
    const other = path.join(p.cache, "notes.tmp");
    for (const f of [orphan, writing, other]) fs.writeFileSync(f, "half");
    const r = p.run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(p.files().length, 1, "the run wrote its code");
    assert.equal(fs.existsSync(orphan), false, "the killed writer's file is removed");
    assert.equal(fs.existsSync(writing), true, "a running writer's file is kept");
    assert.equal(fs.existsSync(other), true, "a file not named as saveCode names them is kept");
  });

  it("runs with other V8 flags (NODE_OPTIONS too) keep code of their own, each taken by the next such run", () => {
    const p = project('process.stdout.write("x");\n');
    const flags = "--max-semi-space-size=32";
    assert.equal(p.run().stdout, "x");
    assert.equal(p.run(flags).stdout, "x");
    assert.equal(p.files().length, 2, p.files().join(", "));
    const stamps = () => p.files().map((f) => fs.statSync(path.join(p.cache, f)).mtimeMs);
    const before = stamps();
    p.run();
    p.run(flags);
    assert.deepEqual(stamps(), before, "each taken, none written again");
  });

  it("the bundle runs as a required module: its module in Node's cache, require with resolve and paths", () => {
    const p = project(
      [
        'const path = require("path");',
        "const seen = {",
        "  cached: require.cache[__filename] === module,",
        "  dir: __dirname,",
        "  file: __filename,",
        '  resolved: require.resolve("./other.js"),',
        '  paths: Array.isArray(require.resolve.paths("some-package")),',
        '  other: require("./other.js"),',
        '  child: module.children.some((c) => c.filename === path.join(__dirname, "other.js")),',
        "};",
        "process.stdout.write(JSON.stringify(seen));",
        "",
      ].join("\n"),
    );
    fs.writeFileSync(path.join(path.dirname(p.bundle), "other.js"), "module.exports = 7;\n");
    const r = p.run();
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      cached: true,
      dir: path.dirname(p.bundle),
      file: p.bundle,
      resolved: path.join(path.dirname(p.bundle), "other.js"),
      paths: true,
      other: 7,
      child: true,
    });
  });

  it("a dynamic import() in the bundle loads as it does in a required module, first run and cached", () => {
    // vm.Script without importModuleDynamically refuses every import() (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
    const p = project(
      [
        'import("./other.mjs").then((m) => process.stdout.write(String(m.x)), (e) => {',
        "  process.stdout.write(String(e.code));",
        "  process.exitCode = 1;",
        "});",
        "",
      ].join("\n"),
    );
    fs.writeFileSync(path.join(path.dirname(p.bundle), "other.mjs"), "export const x = 7;\n");
    for (const run of ["first", "cached"]) {
      const r = p.run();
      assert.equal(r.stdout, "7", `${run}: ${r.stderr}`);
      assert.equal(r.status, 0, run);
    }
    assert.equal(p.files().length, 1);
  });

  it("an error the bundle throws as it loads is reported at its own line, not the loader's", () => {
    // Node prints the source line of an uncaught error's throw: a catch that throws again moves it.
    const p = project('const answer = 42;\nthrow new Error("bundle broke");\n');
    const r = p.run();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bundle broke/);
    assert.equal(r.stderr.split("\n")[0], `${p.bundle}:2`, r.stderr);
    assert.doesNotMatch(r.stderr, /bundleLoader\.js:\d+\n/);
  });

  it("with source maps on, the bundle's errors point into its sources, as when it is required", () => {
    // Node maps a required module's positions through its source map; a vm.Script's are not.
    const p = project(
      ['throw new Error("mapped");', "//# sourceMappingURL=synth.bundle.js.map", ""].join("\n"),
    );
    const map = { version: 3, sources: ["../../cli/original.ts"], names: [], mappings: "AAAA" };
    fs.writeFileSync(`${p.bundle}.map`, JSON.stringify(map));
    const r = p.run("--enable-source-maps");
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`${path.join(p.root, "cli", "original.ts")}:1`), r.stderr);
    assert.deepEqual(p.files(), [], "no code kept for a run the loader left to require");
  });

  it("the built entries are entryText's; no other command has one", () => {
    compiledCli("cli/synth.ts"); // builds when a source is newer
    for (const file of BUNDLED)
      assert.equal(fs.readFileSync(path.join(ROOT, entryOf(file)!), "utf8"), entryText(file));
    assert.throws(() => entryText("cli/verify.ts"), /cli\/verify\.ts is not a bundled command/);
  });
});
