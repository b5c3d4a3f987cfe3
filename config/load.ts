import * as pulumi from "@pulumi/pulumi";
import * as path from "path";
import { ConfigError, PROJECT, parseStackConfig, rawFromPulumiConfig, type StackConfig } from "./resolve";
import { readRunningDir, RunningStateError } from "../model/running";

/**
 * Reads the running stack's whole config from the Pulumi runtime and validates it; a takeover's
 * `running` folder is read here (relative to `projectDir`, default the working directory, where
 * Pulumi runs the program).
 */
export function loadStackConfig(projectDir: string = process.cwd()): StackConfig {
  const cfg = parseStackConfig(rawFromPulumiConfig(pulumi.runtime.allConfig()), pulumi.getStack());
  const dir = cfg.takeover?.running;
  if (cfg.takeover && dir) {
    try {
      cfg.takeover.runningState = readRunningDir(path.resolve(projectDir, dir));
    } catch (e) {
      if (e instanceof RunningStateError)
        throw new ConfigError([`${PROJECT}:takeover.running: ${e.message}`]);
      throw e;
    }
  }
  return cfg;
}
