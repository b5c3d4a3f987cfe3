import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { ROOT, tmpDir } from "./helpers";

/**
 * scripts/codeCache.js (installed by scripts/register.js): V8 code cache per CommonJS module,
 * keyed by content, as Node 22's module.enableCompileCache does (lib/internal/modules/cjs/loader.js).
 */
const REGISTER = path.join(ROOT, "scripts/register.js");

function run(file: string, cache: string) {
  const r = spawnSync(process.execPath, ["-r", REGISTER, file], {
    cwd: path.dirname(file),
    encoding: "utf8",
    env: {
      ...process.env,
      HOMELAB_V8_CACHE_DIR: cache,
      HOMELAB_TS_CACHE_DIR: path.join(cache, "..", "ts"),
      HOMELAB_V8_CACHE_STATS: "1",
    },
  });
  assert.equal(r.status, 0, r.stderr);
  const m = /v8 code cache: (\d+) hit, (\d+) miss, (\d+) rejected/.exec(r.stderr);
  assert.ok(m, `no cache stats in stderr: ${r.stderr}`);
  return { out: r.stdout.trim(), hit: Number(m[1]), miss: Number(m[2]), rejected: Number(m[3]) };
}

describe("the V8 code cache (scripts/codeCache.js)", function () {
  this.timeout(60000);

  it("serves an unchanged module from the cache and never serves a changed one stale", () => {
    const dir = tmpDir("codecache");
    const cache = path.join(dir, "v8");
    const dep = path.join(dir, "dep.js");
    const main = path.join(dir, "main.js");
    fs.writeFileSync(dep, `module.exports = () => "v1:" + require("path").basename(__filename);\n`);
    fs.writeFileSync(
      main,
      `console.log(require("./dep")(), require.resolve("./dep") === ${JSON.stringify(dep)});\n`,
    );

    const first = run(main, cache);
    assert.equal(first.out, "v1:dep.js true");
    assert.ok(first.miss >= 2, `first run: expected misses, got ${JSON.stringify(first)}`);
    assert.ok(fs.readdirSync(cache).filter((f) => f.endsWith(".v8")).length >= 2);

    const second = run(main, cache);
    assert.equal(second.out, "v1:dep.js true");
    assert.equal(second.miss, 0);
    assert.ok(second.hit >= 2);

    // Same length, same name, only the content differs: must run the new code.
    fs.writeFileSync(dep, `module.exports = () => "v2:" + require("path").basename(__filename);\n`);
    const third = run(main, cache);
    assert.equal(third.out, "v2:dep.js true");
    assert.equal(third.miss, 1);
  });

  it("falls back to a fresh compile when V8 rejects a cache entry, and rewrites it", () => {
    const dir = tmpDir("codecache-bad");
    const cache = path.join(dir, "v8");
    const main = path.join(dir, "main.js");
    fs.writeFileSync(main, `console.log(6 * 7);\n`);
    run(main, cache);
    const entries = fs.readdirSync(cache).filter((f) => f.endsWith(".v8"));
    for (const e of entries) fs.writeFileSync(path.join(cache, e), "not V8 code cache data");
    const bad = run(main, cache);
    assert.equal(bad.out, "42");
    assert.ok(bad.rejected >= 1, JSON.stringify(bad));
    const again = run(main, cache);
    assert.equal(again.out, "42");
    assert.equal(again.rejected, 0);
  });
});
