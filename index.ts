import { runPulumiProgram } from "./apply/program";

// The program (apply/program.ts): validate the config, refuse a kube context that is not the
// stack's, build the tree. The offline synthesis runs the same function; a test holds the names
// exported here to the outputs it returns.
const outputs = runPulumiProgram();

export const phase = outputs.phase;
export const grafanaUrl = outputs.grafanaUrl;
export const lokiPushUrl = outputs.lokiPushUrl;
export const metricsRemoteWriteUrl = outputs.metricsRemoteWriteUrl;
export const metricsQueryUrl = outputs.metricsQueryUrl;
export const bucketNames = outputs.bucketNames;
/** What this update deletes or replaces on purpose, by resource name, with why (the change check reads it). */
export const plannedChanges = outputs.plannedChanges;
/** Every value the stack file's `chartValues` sets (`chart.path.to.key`), absent when none: policy:check names them. */
export const chartValueOverrides = outputs.chartValueOverrides;
