import { loadStackConfig } from "./components/load";
import { buildStack } from "./apply/stack";

// Validate the whole config before any resource is registered, then build the tree.
const outputs = buildStack(loadStackConfig());

export const phase = outputs.phase;
export const grafanaUrl = outputs.grafanaUrl;
export const lokiPushUrl = outputs.lokiPushUrl;
export const metricsRemoteWriteUrl = outputs.metricsRemoteWriteUrl;
export const metricsQueryUrl = outputs.metricsQueryUrl;
export const bucketNames = outputs.bucketNames;
