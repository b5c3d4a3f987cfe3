import * as path from "path";

/**
 * The commands a user waits on, each built as one file (scripts/build.ts) behind a small entry:
 * `npm run synth` and `npm run policy:check` run the entries (package.json), and the tests that
 * spawn a command run the same ones (test/support/helpers.ts compiledCli).
 */
export const BUNDLED = ["cli/synth.ts", "cli/policyCheck.ts"] as const;

/**
 * Node's compile cache (`module.enableCompileCache`), relative to the project root: V8's code for
 * every module the offline commands load, kept on disk and reused by the next run; deleting the
 * folder is always safe. cli/startup.ts turns it on for every CLI (in a bundle, for the SDK modules it loads).
 */
export const COMPILE_CACHE = path.join("node_modules", ".cache", "homelab-observability", "node-compile");

const isBundled = (file: string) => (BUNDLED as readonly string[]).includes(file);

/**
 * The file a {@link BUNDLED} command runs, relative to the project root: `dist/bin/<name>.js`, its
 * entry ({@link entryText}), in a folder no source maps to, so tsc's one-to-one output into `dist/`
 * (`npm run test:published` runs `tsc -b`) never writes over it.
 */
export function entryOf(file: string): string | undefined {
  return isBundled(file)
    ? path.posix.join("dist", "bin", `${path.posix.basename(file, ".ts")}.js`)
    : undefined;
}

/** The one file holding a {@link BUNDLED} command's code, beside its entry: `dist/bin/<name>.bundle.js`. */
export function bundleOf(file: string): string | undefined {
  return isBundled(file)
    ? path.posix.join("dist", "bin", `${path.posix.basename(file, ".ts")}.bundle.js`)
    : undefined;
}

/** V8's code for each bundle, after a whole run (cli/bundleLoader.ts), relative to the project root. */
export const BUNDLE_CODE_CACHE = path.join("node_modules", ".cache", "homelab-observability", "bundle-code");

/**
 * The entry of a bundled command: it runs the bundle through cli/bundleLoader.ts, with V8's code
 * for it from an earlier run. Why not `require` the bundle, or be it: a module is compiled before
 * any of its code runs, so the bundle's own call to turn Node's compile cache on (cli/startup.ts)
 * came too late for the bundle, 2.3 MB parsed afresh by every run; and Node's compile cache holds
 * only what V8 compiles before the module runs (see cli/bundleLoader.ts). Measured on `synth
 * --stack production` (warm caches, 2 cores, medians of runs alternating two at a time): 0.43 s
 * of wall as the bundle itself against 0.41 s requiring it with Node's compile cache on (7 runs);
 * that against 0.38 s through the loader (11 runs, 0.43 s for the compile cache then).
 * The project root is two folders up (dist/bin/), the loader built beside the other CLIs (dist/cli/).
 */
export function entryText(file: string): string {
  const bundle = bundleOf(file);
  if (!bundle) throw new Error(`entryText: ${file} is not a bundled command (cli/bundled.ts BUNDLED)`);
  const cache = BUNDLE_CODE_CACHE.split(path.sep).map((s) => JSON.stringify(s));
  return [
    '"use strict";',
    `// ${file}'s entry, written by scripts/build.ts (cli/bundled.ts entryText): the bundle, run with`,
    "// V8's code for it from an earlier run (cli/bundleLoader.ts).",
    'const path = require("path");',
    "if (",
    `  !require("../cli/bundleLoader.js").runBundle(`,
    `    path.join(__dirname, ${JSON.stringify(path.posix.basename(bundle))}),`,
    `    path.join(__dirname, "..", "..", ${cache.join(", ")}),`,
    "    module,",
    "  )",
    ")",
    "  // A run the loader leaves to Node (no module internals it stands in for, source maps on): the bundle, required.",
    `  require(${JSON.stringify(`./${path.posix.basename(bundle)}`)});`,
    "",
  ].join("\n");
}
