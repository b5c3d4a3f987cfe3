/**
 * Imported first by the offline CLIs (synth, policy:check, bench), before any SDK module: turns on
 * Node's own compile cache (Node 22.1+, `module.enableCompileCache`: V8's code for every module
 * loaded, kept on disk and reused by the next run; deleting the folder is always safe) and the
 * version-guarded SDK start-up shortcut (./sdkStartup), and drops Node's one deprecation warning
 * that is no mistake of the project's nor the user's (see {@link withoutPunycodeDeprecation}).
 */
import * as path from "path";
import Module from "module";
import { projectRoot } from "../config/paths";
import { installSdkShortcut } from "./sdkStartup";
import { COMPILE_CACHE } from "./bundled";

const root = projectRoot(__dirname);
const enableCompileCache = (Module as unknown as { enableCompileCache?: (dir: string) => unknown })
  .enableCompileCache;
// In a bundled command, for the SDK modules the bundle loads: the bundle's own code is kept by
// cli/bundleLoader.ts instead. Already on when NODE_COMPILE_CACHE set it (the test workers,
// .mocharc.cjs); a second call keeps it as it is.
enableCompileCache?.(path.join(root, COMPILE_CACHE));
installSdkShortcut(root);

/**
 * DEP0040, "The `punycode` module is deprecated": ajv-formats-draft2019 (loaded by
 * kubernetes-models' validation, checks/schema.ts) requires Node's `punycode`, and a Node that
 * does not take the require for one of node_modules' prints this to stderr, where a user reads it
 * as a problem of the stack. Nothing here can act on it; every other warning, of any other code,
 * is emitted as before.
 */
export function withoutPunycodeDeprecation(proc: NodeJS.Process = process): void {
  const emit = proc.emitWarning.bind(proc) as (...a: unknown[]) => void;
  proc.emitWarning = (warning: unknown, ...rest: unknown[]) => {
    const options = rest[0];
    const code =
      (warning as { code?: unknown } | null)?.code ??
      (typeof options === "object" && options ? (options as { code?: unknown }).code : rest[1]);
    if (code === "DEP0040") return;
    emit(warning, ...rest);
  };
}
withoutPunycodeDeprecation();
