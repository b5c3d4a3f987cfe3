import * as fs from "fs";
import * as path from "path";
import Module from "module";

/**
 * A start-up shortcut for the offline commands (synth, policy:check, bench): SDK modules that
 * `@pulumi/pulumi` and `@pulumi/kubernetes` require when they load, but use only in code a
 * synthesis under Pulumi's mocks never runs, are loaded on first use instead. Any use (a property
 * read, `in`, a key listing) loads the real module, so behaviour never changes; only the ~270
 * modules a synthesis does not need are not loaded.
 *
 * It keys on file paths inside the SDK packages, which a refactor of the SDK can move. So it acts
 * only for the exact SDK versions it was tested against (TESTED); for any other version it does
 * nothing and the commands take the slower, plain start. Import it first, before any SDK module;
 * `pulumi up` never loads it. Removing it costs start-up time only. It also spares the per-promise
 * marks (a stack text among them) the SDK makes but reads only when PULUMI_DEBUG_PROMISE_LEAKS is
 * set (see lightenPromiseStacks), the protobuf messages every registration is turned into and read back
 * from in process (see lightenStructs), and the source positions the mock monitor never reads
 * (see skipStacksUnderMocks).
 */
export const TESTED: Readonly<Record<string, string>> = {
  "@pulumi/pulumi": "3.270.0",
  "@pulumi/kubernetes": "4.34.2",
};

const below = (p: string) => p.split("/").join(path.sep);
/** The API groups @pulumi/kubernetes 4.34.2 requires in index.js and yaml/yaml.js. */
const K8S_GROUPS = [
  "admissionregistration",
  "apiextensions",
  "apiregistration",
  "apps",
  "auditregistration",
  "autoscaling",
  "batch",
  "certificates",
  "coordination",
  "core",
  "discovery",
  "events",
  "extensions",
  "flowcontrol",
  "lifecycle",
  "meta",
  "networking",
  "node",
  "policy",
  "rbac",
  "resource",
  "scheduling",
  "settings",
  "storage",
  "storagemigration",
];
/**
 * Per SDK module (path below node_modules), the requests it gets lazily, each required at load but
 * used only inside functions a synthesis never calls:
 * - closure serialization ("magic" lambdas): TypeScript's compiler, @npmcli/arborist,
 *   normalize-package-data and semver (runtime/closure/*);
 * - semver in runtime/rpc.js: only resource-reference versions are compared with it;
 * - OpenTelemetry (runtime/settings.js): only a gRPC interceptor to a real engine uses it;
 * - glob (@pulumi/kubernetes yaml/yaml.js): only `files` of a ConfigFile/ConfigGroup are globbed;
 * - gRPC and the generated clients: used only to connect to a real engine and to read
 *   `grpc.status` codes of a failed call; the mock monitor is called in process;
 * - the automation API and the provider server (index.js);
 * - @pulumi/kubernetes's API groups (index.js, and yaml/yaml.js, which helm/v3 loads): a program
 *   uses a few of its 25 (core, apps, rbac, ...), and each loads, with the resource modules it
 *   registers, when the program first reads it (`k8s.core.v1.Secret`); a resource reference can
 *   only name a type whose group the program already read.
 */
export const DEFERRED: ReadonlyMap<string, ReadonlySet<string>> = new Map([
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
  [below("@pulumi/kubernetes/yaml/yaml.js"), new Set(["glob", ...K8S_GROUPS.map((g) => `../${g}`)])],
  [
    below("@pulumi/kubernetes/index.js"),
    new Set([...K8S_GROUPS, "kustomize", "types", "yaml"].map((g) => `./${g}`)),
  ],
]);

/** The installed version of each SDK package the shortcut keys on, as seen from `root`. */
export function sdkVersions(root: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const name of Object.keys(TESTED)) {
    try {
      const file = require.resolve(`${name}/package.json`, { paths: [root] });
      out[name] = (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version;
    } catch {
      out[name] = undefined;
    }
  }
  return out;
}

/** Why the shortcut stays off for these versions, or undefined when every one was tested. */
export function untested(versions: Record<string, string | undefined>): string | undefined {
  const off = Object.entries(TESTED).filter(([name, v]) => versions[name] !== v);
  return off.length
    ? off.map(([name, v]) => `${name} ${versions[name] ?? "missing"} (tested: ${v})`).join(", ")
    : undefined;
}

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
let installed = false;

/** The SDK module that records a stack per promise, as its runtime siblings require it. */
const DEBUGGABLE = { parentDir: below("@pulumi/pulumi/runtime/"), request: "./debuggable" };

/**
 * `debuggablePromise` (runtime/debuggable.js, @pulumi/pulumi 3.270.0) marks every promise the SDK
 * makes with three properties (`_debugId`, `_debugCtx`, and `_debugStackTrace`, a `new Error().stack`)
 * that only `promiseDebugString` reads, and it runs only when `PULUMI_DEBUG_PROMISE_LEAKS` was set
 * when the module loaded (`debugPromiseLeaks`). Without it, after the SDK's own function has run
 * once (its first call schedules the leak check at exit), each call does the rest of what it does:
 * the promise joins the store's leak candidates and is returned through the same `.then(…).catch(…)`
 * (so every continuation runs on the same microtask as before), which drop it from them and set
 * `err.promise` on a rejection. Defining the three properties was a tenth of a synthesis's CPU,
 * even with the stack's frames limited to none (production synthesized in process 20 times, three
 * alternated runs: 157-173 ms of CPU each, 149-157 without them). With it, the SDK's own function
 * is kept as it is.
 */
function lightenPromiseStacks(
  m: { debuggablePromise?: unknown; debugPromiseLeaks?: unknown },
  state: { getStore?: () => { leakCandidates: Set<Promise<unknown>> } } | undefined,
): void {
  const record = m.debuggablePromise;
  const getStore = state?.getStore;
  if (m.debugPromiseLeaks !== false || typeof record !== "function" || typeof getStore !== "function") return;
  let scheduled = false;
  m.debuggablePromise = function (this: unknown, p: Promise<unknown>, ctx: unknown) {
    if (!scheduled) {
      scheduled = true;
      // Its stack captured with no frames: nothing reads it.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        return (record as (p: Promise<unknown>, ctx: unknown) => unknown).call(this, p, ctx);
      } finally {
        Error.stackTraceLimit = limit;
      }
    }
    // The store's set read at each step, as the SDK's function does (settings.js replaces it).
    const store = getStore();
    store.leakCandidates.add(p);
    return p
      .then((val) => {
        store.leakCandidates.delete(p);
        return val;
      })
      .catch((err: unknown) => {
        store.leakCandidates.delete(p);
        (err as { promise?: unknown }).promise = p;
        throw err;
      });
  };
}
let lightened = false;

/** google-protobuf's `struct_pb`, as the SDK requires it (with or without `.js`). */
const STRUCT_PB = /google-protobuf[\\/]google[\\/]protobuf[\\/]struct_pb(\.js)?$/;
let structsLightened = false;

/**
 * `Struct.fromJavaScript` and `toJavaScript` (google-protobuf google/protobuf/struct_pb.js) turn
 * every resource's properties into a tree of protobuf messages and back: the SDK hands each
 * registration to the monitor as a Struct (runtime/resource.js), the mock monitor reads it back
 * and answers with another (runtime/mocks.js registerResource), and the SDK reads that. In process,
 * under mocks, the messages are never sent: a tenth of a synthesis built and read them. Here a
 * Struct made by fromJavaScript keeps the converted value as plain data instead, and toJavaScript
 * returns a fresh copy of it; anything else that reads the Struct (getFieldsMap, serializeBinary,
 * toObject, all through getFieldsMap) gets the real messages, built then. The conversion is the
 * original's: keys in for-in order (own and inherited), read as string-sorted (jspb.Map sorts its
 * keys), arrays by index, strings, numbers, booleans and null as they are; any other value (a
 * function, undefined, a symbol, an object that is no Object) goes to the original, which throws
 * "Unexpected struct type." for what it cannot hold, when fromJavaScript is called, as it does.
 */
function lightenStructs(pb: any): void {
  const Struct = pb?.Struct;
  const Value = pb?.Value;
  if (
    typeof Struct?.fromJavaScript !== "function" ||
    typeof Struct.prototype?.toJavaScript !== "function" ||
    typeof Struct.prototype?.getFieldsMap !== "function" ||
    typeof Value?.fromJavaScript !== "function"
  )
    return;
  const toJs = Struct.prototype.toJavaScript as (this: any) => Record<string, unknown>;
  const fieldsMap = Struct.prototype.getFieldsMap as (this: any, noLazyCreate?: boolean) => any;
  const valueFromJs = Value.fromJavaScript as (v: unknown) => any;
  /** The plain value of each lightened Struct. */
  const plainOf = new WeakMap<object, Record<string, unknown>>();
  const plainValue = (v: unknown): unknown => {
    switch (typeof v) {
      case "string":
      case "number":
      case "boolean":
        return v;
      case "object":
        if (v === null) return null;
        if (v instanceof Array) {
          const out: unknown[] = [];
          for (let i = 0; i < v.length; i++) out.push(plainValue(v[i]));
          return out;
        }
        if (v instanceof Object) return plainStruct(v);
    }
    return valueFromJs(v).toJavaScript();
  };
  const plainStruct = (obj: object): Record<string, unknown> => {
    const keys: string[] = [];
    for (const k in obj) keys.push(k);
    keys.sort();
    const out: Record<string, unknown> = {};
    for (const k of keys) out[k] = plainValue((obj as Record<string, unknown>)[k]);
    return out;
  };
  /** A deep copy of plain data (what plainStruct made). */
  const copy = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map(copy);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) out[k] = copy((v as Record<string, unknown>)[k]);
    return out;
  };
  Struct.fromJavaScript = function (obj: object) {
    const plain = plainStruct(obj);
    const ret = new Struct();
    plainOf.set(ret, plain);
    return ret;
  };
  Struct.prototype.toJavaScript = function (this: object) {
    const plain = plainOf.get(this);
    return plain === undefined ? toJs.call(this) : copy(plain);
  };
  Struct.prototype.getFieldsMap = function (this: object, noLazyCreate?: boolean) {
    const plain = plainOf.get(this);
    if (plain !== undefined) {
      plainOf.delete(this);
      const map = fieldsMap.call(this);
      for (const k of Object.keys(plain)) map.set(k, valueFromJs(plain[k]));
    }
    return fieldsMap.call(this, noLazyCreate);
  };
}

let stacksSkipped = false;
/** Files of @pulumi/pulumi, as a module's path below node_modules starts. */
const PULUMI_DIR = below("@pulumi/pulumi/");

/**
 * `Resource.stackTrace` (@pulumi/pulumi resource.js), which every resource's constructor calls,
 * formats a stack of unlimited depth and turns each frame into a file URL, for the source position
 * a registration sends the engine (runtime/resource.js marshalSourcePosition, marshalStackTrace).
 * The mock monitor never reads it (runtime/mocks.js registerResource reads the type, name, object,
 * provider, custom flag, import ID and transforms), so under mocks the constructor gets no frames;
 * with any other monitor the SDK's own function runs.
 */
function skipStacksUnderMocks(resourceModule: any, root: string): void {
  const Resource = resourceModule?.Resource;
  const stackTrace = Resource?.stackTrace;
  if (typeof stackTrace !== "function") return;
  let underMocks: (() => boolean) | undefined;
  Resource.stackTrace = function (this: unknown, skip: number) {
    underMocks ??= (() => {
      const sdk = Module.createRequire(path.join(root, "package.json"));
      const state = sdk("@pulumi/pulumi/runtime/state");
      const { MockMonitor } = sdk("@pulumi/pulumi/runtime/mocks");
      return () => state.getStore().settings.monitor instanceof MockMonitor;
    })();
    return underMocks() ? [] : stackTrace.call(this, skip);
  };
}

/**
 * Installs the shortcut when the SDK versions installed under `root` are the tested ones; returns
 * whether it acts. HOMELAB_SDK_SHORTCUT=0 turns it off (to measure or rule it out).
 */
export function installSdkShortcut(root: string): boolean {
  if (installed) return true;
  if (process.env.HOMELAB_SDK_SHORTCUT === "0" || untested(sdkVersions(root))) return false;
  const internal = Module as unknown as { _load: (request: string, parent: any, isMain: boolean) => any };
  const load = internal._load;
  internal._load = function (this: unknown, request: string, parent: any, isMain: boolean) {
    const file: unknown = parent?.filename;
    const at = typeof file === "string" ? file.lastIndexOf(NODE_MODULES) : -1;
    const inside = at < 0 ? undefined : (file as string).slice(at + NODE_MODULES.length);
    if (inside === undefined || DEFERRED.get(inside)?.has(request) !== true) {
      // eslint-disable-next-line prefer-rest-params
      const m = load.apply(this, arguments as unknown as [string, any, boolean]);
      if (!lightened && request === DEBUGGABLE.request && inside?.startsWith(DEBUGGABLE.parentDir)) {
        lightened = true;
        // Its sibling runtime/state.js, whose store holds the leak candidates.
        lightenPromiseStacks(m, Module.createRequire(file as string)("./state"));
      }
      if (!stacksSkipped && inside?.startsWith(PULUMI_DIR) && typeof m?.Resource?.stackTrace === "function") {
        stacksSkipped = true;
        skipStacksUnderMocks(m, root);
      }
      if (!structsLightened && STRUCT_PB.test(request)) {
        structsLightened = true;
        lightenStructs(m);
      }
      return m;
    }
    let real: any;
    const target = () => (real ??= load.call(this, request, parent, isMain));
    // Until first use `__esModule` reads true, so that TypeScript's `__importStar` keeps this
    // object instead of copying (and so loading) the module's properties at import time.
    return new Proxy(
      {},
      {
        // `default` as `__importDefault` reads it: the module itself unless it is an ES module.
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
  installed = true;
  return true;
}
