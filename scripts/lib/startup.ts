/**
 * Imported first by the offline CLIs (synth, policy:check, bench), before any SDK module: turns on
 * the version-guarded SDK start-up shortcut (./sdkStartup).
 */
import { projectRoot } from "./paths";
import { installSdkShortcut } from "./sdkStartup";

installSdkShortcut(projectRoot(__dirname));
