// @ts-check
"use strict";
/**
 * A V8 code cache for CommonJS modules, so that an unchanged module is not parsed and compiled
 * again on every run (about a fifth of the SDK's load time is V8 compiling JavaScript).
 *
 * Node 22 has this built in (module.enableCompileCache: lib/internal/modules/cjs/loader.js
 * `wrapSafe` compiles each module with `compileFunctionForCJSLoader` and consumes or produces a
 * cache entry keyed by the module's content); Node 20, which runs here, does not. This does what
 * it and the v8-compile-cache package do on older Node:
 * - each module is compiled as `vm.Script(Module.wrap(content))` with `cachedData`;
 * - an entry is keyed by the sha256 of the Node version, V8-relevant flags, the file name and the
 *   exact content being compiled, so a changed file is never served stale code;
 * - V8 checks the data itself and ignores what it cannot use (`script.cachedDataRejected`, e.g.
 *   a corrupt or foreign entry); such an entry is rewritten, and a compile that fails here falls
 *   back to Node's own `_compile`;
 * - entries are produced when the process exits, as v8-compile-cache does, so they also hold the
 *   functions V8 compiled lazily while the program ran, not only the top level.
 * Modules with a hashbang or a dynamic `import(` take Node's own path unchanged.
 *
 * HOMELAB_V8_CACHE=0 turns it off; HOMELAB_V8_CACHE_STATS=1 prints hit/miss/reject counts to
 * stderr at exit. Deleting the cache directory is always safe.
 */
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const vm = require("vm");
const Module = require("module");

/** The `require` that Node's makeRequireFunction (lib/internal/modules/helpers.js) gives a module. */
function makeRequire(/** @type {any} */ mod) {
  /** @type {any} */
  const M = Module;
  const require = (/** @type {string} */ id) => mod.require(id);
  require.resolve = (/** @type {string} */ request, /** @type {any} */ options) =>
    M._resolveFilename(request, mod, false, options);
  require.resolve.paths = (/** @type {string} */ request) => M._resolveLookupPaths(request, mod);
  require.main = process.mainModule;
  require.extensions = M._extensions;
  require.cache = M._cache;
  return require;
}

/** Installs the cache in `dir` (created on first write). */
function install(/** @type {string} */ dir) {
  if (process.env.HOMELAB_V8_CACHE === "0") return;
  const salt = `${process.version}\0${process.arch}\0${process.execArgv.join(" ")}`;
  /** @type {any} */
  const M = Module;
  const original = M.prototype._compile;
  /** @type {{ script: import("vm").Script, file: string }[]} */
  const pending = [];
  const stats = { hit: 0, miss: 0, rejected: 0 };

  process.once("exit", () => {
    if (process.env.HOMELAB_V8_CACHE_STATS === "1")
      process.stderr.write(
        `v8 code cache: ${stats.hit} hit, ${stats.miss} miss, ${stats.rejected} rejected\n`,
      );
    if (!pending.length) return;
    try {
      fs.mkdirSync(dir, { recursive: true });
      for (const { script, file } of pending) {
        // Through a temporary name: parallel test workers may write the same entry at once.
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, file);
      }
    } catch {
      // A read-only checkout still runs, only without the cache.
    }
  });

  function codeCached(/** @type {string} */ content, /** @type {string} */ filename) {
    if (content.startsWith("#!") || content.includes("import("))
      return original.call(this, content, filename);
    const key = crypto.createHash("sha256").update(`${salt}\0${filename}\0${content}`).digest("hex");
    const file = path.join(dir, `${key}.v8`);
    /** @type {Buffer | undefined} */
    let cachedData;
    try {
      cachedData = fs.readFileSync(file);
    } catch {
      cachedData = undefined;
    }
    let script;
    try {
      script = new vm.Script(Module.wrap(content), { filename, cachedData });
    } catch {
      // Node's own compile reports the syntax error the way it always does.
      return original.call(this, content, filename);
    }
    if (cachedData === undefined) stats.miss++;
    else if (script.cachedDataRejected) stats.rejected++;
    else stats.hit++;
    if (cachedData === undefined || script.cachedDataRejected) pending.push({ script, file });
    const fn = script.runInThisContext({ displayErrors: true });
    const require = makeRequire(this);
    return fn.call(this.exports, this.exports, require, this, filename, path.dirname(filename));
  }
  M.prototype._compile = codeCached;
}

module.exports = { install };
