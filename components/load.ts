import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig, rawFromPulumiConfig, type StackConfig } from "./config";

/** Reads the running stack's whole config from the Pulumi runtime and validates it. */
export function loadStackConfig(): StackConfig {
  return parseStackConfig(rawFromPulumiConfig(pulumi.runtime.allConfig()), pulumi.getStack());
}
