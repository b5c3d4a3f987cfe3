/**
 * Imported first by the offline CLIs (synth, policy:check, bench), before any SDK module: turns on
 * Node's own compile cache (Node 22.1+, `module.enableCompileCache`: V8's code for every module
 * loaded, kept on disk and reused by the next run; deleting the folder is always safe) and the
 * version-guarded SDK start-up shortcut (./sdkStartup).
 */
import * as path from "path";
import Module from "module";
import { projectRoot } from "../config/paths";
import { installSdkShortcut } from "./sdkStartup";

const root = projectRoot(__dirname);
const enableCompileCache = (Module as unknown as { enableCompileCache?: (dir: string) => unknown })
  .enableCompileCache;
enableCompileCache?.(path.join(root, "node_modules", ".cache", "homelab-observability", "node-compile"));
installSdkShortcut(root);
