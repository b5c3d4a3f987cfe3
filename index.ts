import * as pulumi from "@pulumi/pulumi";
import { loadStackConfig } from "./config/load";
import { assertStackContext } from "./config/kubeContext";
import { buildStack } from "./apply/stack";

// Validate the whole config before any resource is registered, refuse a kube context that is not
// the stack's (nothing is touched on the wrong cluster), then build the tree.
const config = loadStackConfig();
assertStackContext(config, pulumi.runtime.allConfig());
const outputs = buildStack(config);

export const phase = outputs.phase;
export const grafanaUrl = outputs.grafanaUrl;
export const lokiPushUrl = outputs.lokiPushUrl;
export const metricsRemoteWriteUrl = outputs.metricsRemoteWriteUrl;
export const metricsQueryUrl = outputs.metricsQueryUrl;
export const bucketNames = outputs.bucketNames;
