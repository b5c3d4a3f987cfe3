import { encodeStackInfo, type SizedComponent } from "@homelab-observability/contract";
import type { NodePool } from "../config/resolve";
import type { Phase } from "../model/phases";

/** What the policy pack needs to know about a stack that resources alone do not say. */
export function stackInfoData(input: {
  cluster: string;
  phase: Phase;
  production: boolean;
  nodePools: NodePool[];
  workload?: { activeSeries?: number; logsPerDayBytes?: number };
  /** Components sized from the workload or their caps (config/sizing.ts). */
  sized?: SizedComponent[];
}): Record<string, string> {
  return encodeStackInfo(input);
}
