// @ts-check
"use strict";
/**
 * How this project's scripts and tests run TypeScript: `node -r ./scripts/register.js file.ts`.
 *
 * Plain JavaScript on purpose: it is what makes the TypeScript loadable, so it cannot itself need
 * compiling.
 *
 * What it does, and why it stays in line with how Pulumi runs a TypeScript program:
 * - Each `.ts` file is transpiled on its own with the project's TypeScript `transpileModule` and
 *   the compiler options of tsconfig.json. That is what Pulumi's language host does when type
 *   checking is off: sdk/nodejs/cmd/run/run.ts registers ts-node with `transpileOnly` (from
 *   PULUMI_NODEJS_TRANSPILE_ONLY or tsconfig's `noCheck`), and ts-node's transpile-only path is
 *   `ts.transpileModule` per file. Types are checked by `tsc --noEmit` in `npm test` and CI, not
 *   on every run; tsconfig's `isolatedModules` makes tsc reject what a per-file transpile would
 *   get wrong.
 * - The output is cached on disk by the hash of the source text, the file name, the TypeScript
 *   version and tsconfig.json (as the ts-node 7.0.1 that @pulumi/pulumi vendors caches by source
 *   hash), so an unchanged file costs one read and one hash; TypeScript is only loaded on a miss.
 * - Stack traces point at the `.ts` source lines: the source map of each file is kept beside its
 *   cached output and only read when a stack frame in that file is formatted.
 * - Two modules that @pulumi/pulumi loads eagerly for closure serialization (function
 *   serialization for "magic" lambdas), TypeScript's compiler and @npmcli/arborist, are loaded on
 *   first use instead: they are half of the SDK's load time and this project never serializes a
 *   function. Any use loads the real module.
 *
 * The cache lives in node_modules/.cache/homelab-observability/ts; deleting it is always safe.
 */
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const Module = require("module");

/** Bump when the shape of the cached output changes. */
const FORMAT = "1";
const ROOT = path.resolve(__dirname, "..");
const TSCONFIG = path.join(ROOT, "tsconfig.json");

const tsPackageJson = require.resolve("typescript/package.json", { paths: [ROOT] });
const tsconfigText = fs.readFileSync(TSCONFIG, "utf8");
const salt = crypto
  .createHash("sha256")
  .update(`${FORMAT}\0${fs.readFileSync(tsPackageJson, "utf8")}\0${tsconfigText}`)
  .digest("hex")
  .slice(0, 16);
const cacheDir = process.env.HOMELAB_TS_CACHE_DIR
  ? path.resolve(process.env.HOMELAB_TS_CACHE_DIR)
  : path.join(ROOT, "node_modules", ".cache", "homelab-observability", "ts", salt);

/** @type {any} */
let ts;
/** @type {Record<string, unknown> | undefined} */
let compilerOptions;

/** tsconfig.json's compiler options, as ts-node and Pulumi read them, adjusted for a per-file emit. */
function optionsFor(/** @type {any} */ tsc) {
  const parsed = tsc.parseConfigFileTextToJson(TSCONFIG, tsconfigText);
  if (parsed.error)
    throw new Error(`${TSCONFIG}: ${tsc.flattenDiagnosticMessageText(parsed.error.messageText, "\n")}`);
  const { options, errors } = tsc.convertCompilerOptionsFromJson(
    parsed.config.compilerOptions ?? {},
    ROOT,
    TSCONFIG,
  );
  if (errors.length)
    throw new Error(
      `${TSCONFIG}: ${errors.map((e) => tsc.flattenDiagnosticMessageText(e.messageText, "\n")).join("; ")}`,
    );
  return {
    ...options,
    sourceMap: true,
    inlineSourceMap: false,
    inlineSources: false,
    declaration: false,
    noEmit: false,
  };
}

/** Transpiles one file; syntax errors fail with file:line:column, as a compile would. */
function transpile(/** @type {string} */ source, /** @type {string} */ filename) {
  ts ??= require(require.resolve("typescript", { paths: [ROOT] }));
  compilerOptions ??= optionsFor(ts);
  const out = ts.transpileModule(source, { fileName: filename, compilerOptions, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter(
    (/** @type {any} */ d) => d.category === ts.DiagnosticCategory.Error,
  );
  if (errors.length) {
    const text = errors
      .map((/** @type {any} */ d) => {
        const where = d.file ? d.file.getLineAndCharacterOfPosition(d.start ?? 0) : undefined;
        const at = where ? `${filename}:${where.line + 1}:${where.character + 1}` : filename;
        return `${at}: error TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
      })
      .join("\n");
    throw new SyntaxError(`cannot transpile ${path.relative(process.cwd(), filename)}\n${text}`);
  }
  // transpileModule ends the output with a pointer to `<name>.js.map`; the map is ours to serve.
  return {
    js: out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"),
    map: out.sourceMapText ?? "",
  };
}

/** Writes through a temporary name: parallel test workers may produce the same entry at once. */
function writeAtomic(/** @type {string} */ file, /** @type {string} */ text) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Source map file (or text) per transpiled file, read only when a stack frame needs it. */
const maps = new Map();

function compiledSource(/** @type {string} */ filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto.createHash("sha256").update(`${filename}\0${source}`).digest("hex");
  const base = path.join(cacheDir, key);
  try {
    const js = fs.readFileSync(`${base}.js`, "utf8");
    maps.set(filename, { file: `${base}.map` });
    return { source, js };
  } catch {
    // Not cached yet (or unreadable): transpile below.
  }
  const { js, map } = transpile(source, filename);
  maps.set(filename, { text: map });
  try {
    fs.mkdirSync(cacheDir, { recursive: true });
    writeAtomic(`${base}.map`, map);
    writeAtomic(`${base}.js`, js);
  } catch {
    // A read-only checkout still runs, only without the cache.
  }
  return { source, js };
}

require.extensions[".ts"] = function (module, filename) {
  const m = /** @type {any} */ (module);
  // A TypeScript loader registered on top of this one (the test that loads index.ts through
  // Pulumi's own ts-node) wraps `module._compile` and expects the raw source, as Node's .js
  // handler would hand it.
  if (m._compile !== Module.prototype._compile)
    return m._compile(fs.readFileSync(filename, "utf8"), filename);
  m._compile(compiledSource(filename).js, filename);
};

// ---- stack traces in .ts coordinates -------------------------------------------------------

/** @type {any} */
const SourceMap = /** @type {any} */ (Module).SourceMap;

function mapFrame(/** @type {any} */ site) {
  const text = String(site);
  const file = site.getFileName();
  const entry = file && maps.get(file);
  if (!entry) return text;
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  const from = `${file}:${line}:${column}`;
  // @pulumi/pulumi formats a stack for every promise it creates (debuggablePromise) and every
  // resource (Resource.callsites), mostly through the same few call sites: each position is
  // looked up in the source map once.
  entry.positions ??= new Map();
  let to = entry.positions.get(from);
  if (to === undefined) {
    try {
      entry.sourceMap ??= new SourceMap(JSON.parse(entry.text ?? fs.readFileSync(entry.file, "utf8")));
      const hit = entry.sourceMap.findEntry(line - 1, column - 1);
      to =
        !hit || hit.originalLine === undefined
          ? ""
          : `${file}:${hit.originalLine + 1}:${hit.originalColumn + 1}`;
    } catch {
      to = "";
    }
    entry.positions.set(from, to);
  }
  return to === "" ? text : text.replace(from, to);
}

// Only in place of Node's own formatting (undefined, or Node 20.20's ErrorPrepareStackTrace), never
// over a formatter someone installed, and not when Node maps sources itself.
const previous = Error.prepareStackTrace;
const DEBUG_PROMISE_LEAKS = !!process.env.PULUMI_DEBUG_PROMISE_LEAKS;
const PULUMI_DEBUGGABLE = path.join("node_modules", "@pulumi", "pulumi", "runtime", "debuggable.js");
const PULUMI_RESOURCE = path.join("node_modules", "@pulumi", "pulumi", "resource.js");
/** The first line of a stack, as Node writes it. */
function errorHead(/** @type {unknown} */ error) {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}
if (
  (previous === undefined || previous.name === "ErrorPrepareStackTrace") &&
  !process.execArgv.includes("--enable-source-maps")
) {
  Error.prepareStackTrace = (error, sites) => {
    const top = sites[0];
    const topFile = top?.getFileName();
    // @pulumi/pulumi records a stack for every promise it creates (runtime/debuggable.js,
    // debuggablePromise's _debugStackTrace). The text is read only by promiseDebugString, which
    // leakedPromises prints only with PULUMI_DEBUG_PROMISE_LEAKS set: without it, nothing is
    // formatted (a few thousand stacks per synthesis).
    if (!DEBUG_PROMISE_LEAKS && topFile?.endsWith(PULUMI_DEBUGGABLE))
      return `${errorHead(error)}\n    at <not recorded: set PULUMI_DEBUG_PROMISE_LEAKS to record it>`;
    // Node's own formatter, without source maps, serves stacks with no frame in a transpiled file
    // and the stack Resource.callsites (resource.js) parses for each resource's source position:
    // positions only the engine reads. Wherever this project runs a program under this loader
    // (synth, tests) the engine is Pulumi's mock monitor, which drops them (runtime/mocks.js never
    // reads sourcePosition or stackTrace); `pulumi up` runs index.ts through Pulumi's own ts-node.
    if (
      previous &&
      ((topFile?.endsWith(PULUMI_RESOURCE) && top.getFunctionName() === "callsites") ||
        !sites.some((site) => maps.has(site.getFileName())))
    )
      return previous(error, sites);
    let out = errorHead(error);
    for (const site of sites) out += `\n    at ${mapFrame(site)}`;
    return out;
  };
}

// ---- SDK modules a synthesis never uses, on first use ------------------------------------------

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const below = (/** @type {string} */ p) => p.split("/").join(path.sep);
/**
 * Per SDK module (path below node_modules), the requests it gets lazily. Each is a module the SDK
 * requires when it loads but uses only inside functions a synthesis never calls:
 * - closure serialization ("magic" lambdas): TypeScript's compiler, @npmcli/arborist,
 *   normalize-package-data and semver (runtime/closure/*);
 * - semver in runtime/rpc.js: only resource-reference versions are compared with it;
 * - OpenTelemetry (runtime/settings.js): only a gRPC interceptor to a real engine uses it;
 * - glob (@pulumi/kubernetes yaml/yaml.js): only `files` of a ConfigFile/ConfigGroup are globbed;
 * - gRPC (@grpc/grpc-js and the generated clients, proto/*_grpc_pb.js): used only to connect to a
 *   real engine (runtime/settings.js, the callback server in runtime/callbacks.js) and to read
 *   `grpc.status` codes of a failed call (errors.js, runtime/{resource,invoke}.js); the mock
 *   monitor of a synthesis is called in process;
 * - the automation API and the provider server (index.js).
 */
const DEFERRED = new Map([
  [below("@pulumi/pulumi/runtime/closure/parseFunction.js"), new Set(["../../typescript-shim"])],
  [
    below("@pulumi/pulumi/runtime/closure/codePaths.js"),
    new Set(["@npmcli/arborist", "normalize-package-data"]),
  ],
  [below("@pulumi/pulumi/runtime/closure/rewriteSuper.js"), new Set(["semver"])],
  [below("@pulumi/pulumi/runtime/rpc.js"), new Set(["semver"])],
  [
    below("@pulumi/pulumi/runtime/settings.js"),
    new Set(["@opentelemetry/api", "@grpc/grpc-js", "../proto/engine_grpc_pb", "../proto/resource_grpc_pb"]),
  ],
  [below("@pulumi/pulumi/runtime/callbacks.js"), new Set(["@grpc/grpc-js", "../proto/callback_grpc_pb"])],
  [below("@pulumi/pulumi/runtime/resource.js"), new Set(["@grpc/grpc-js"])],
  [below("@pulumi/pulumi/runtime/invoke.js"), new Set(["@grpc/grpc-js"])],
  [below("@pulumi/pulumi/errors.js"), new Set(["@grpc/grpc-js"])],
  [below("@pulumi/pulumi/index.js"), new Set(["./automation", "./provider"])],
  [below("@pulumi/kubernetes/yaml/yaml.js"), new Set(["glob"])],
]);
function deferred(/** @type {string} */ request, /** @type {any} */ parent) {
  const file = parent?.filename;
  const at = typeof file === "string" ? file.lastIndexOf(NODE_MODULES) : -1;
  return at >= 0 && DEFERRED.get(file.slice(at + NODE_MODULES.length))?.has(request) === true;
}
// @ts-expect-error Module._load is internal but stable; ts-node and others hook it the same way.
const load = Module._load;

// @ts-expect-error see above
Module._load = function (
  /** @type {string} */ request,
  /** @type {any} */ parent,
  /** @type {boolean} */ isMain,
) {
  if (!deferred(request, parent)) return load.apply(this, arguments);
  /** @type {any} */
  let real;
  const target = () => (real ??= load.call(this, request, parent, isMain));
  // A property read, `in`, key listing or descriptor request loads the real module. Until then
  // `__esModule` reads true so that TypeScript's `__importStar` keeps this object instead of
  // copying (and so loading) the module's properties at import time.
  return new Proxy(
    {},
    {
      // `default` as TypeScript's `__importDefault` reads it: the module itself, unless it is an
      // ES module (the SDK imports normalize-package-data, a function, that way).
      get: (_, key) => {
        if (key === "__esModule" && real === undefined) return true;
        const m = target();
        return key === "default" && !m.__esModule ? m : Reflect.get(m, key);
      },
      has: (_, key) => Reflect.has(target(), key),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(target(), key);
        return d && { ...d, configurable: true };
      },
    },
  );
};
