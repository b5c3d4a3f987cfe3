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
 * folder is always safe. cli/startup.ts turns it on for every CLI, each entry before its bundle.
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

/**
 * The entry of a bundled command: it turns Node's compile cache on, then requires the bundle. Why
 * not the bundle itself: a module is compiled before any of its code runs, so the bundle's own call
 * (cli/startup.ts) came too late for the bundle, 2.3 MB parsed afresh by every run. Measured on
 * `synth --stack production` (warm caches, 2 cores): the bundle's first line ran at 58 ms of the
 * process's life from the entry as the bundle, 37 ms behind this entry; the whole run 418 -> 400 ms
 * of wall (medians of 6, alternating). The project root is two folders up (dist/bin/).
 */
export function entryText(file: string): string {
  const bundle = bundleOf(file);
  if (!bundle) throw new Error(`entryText: ${file} is not a bundled command (cli/bundled.ts BUNDLED)`);
  const cache = COMPILE_CACHE.split(path.sep).map((s) => JSON.stringify(s));
  return [
    '"use strict";',
    `// ${file}'s entry, written by scripts/build.ts (cli/bundled.ts entryText): Node's compile cache`,
    "// on before the bundle is compiled, then the bundle.",
    'const path = require("path");',
    `require("module").enableCompileCache?.(path.join(__dirname, "..", "..", ${cache.join(", ")}));`,
    `require(${JSON.stringify(`./${path.posix.basename(bundle)}`)});`,
    "",
  ].join("\n");
}
