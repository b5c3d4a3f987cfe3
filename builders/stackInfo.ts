import {
  encodeStackInfo,
  STACK_INFO_LABEL,
  STACK_INFO_NAME,
  type SizedComponent,
} from "@homelab-observability/contract";
import type { NodePool } from "../config/resolve";
import type { Phase } from "../model/phases";

/** What the policy pack needs to know about a stack that resources alone do not say. */
export function stackInfoData(input: {
  cluster: string;
  phase: Phase;
  production: boolean;
  /** The profile, so the budget's message can name the lighter one. */
  profile?: string;
  nodePools: NodePool[];
  workload?: { activeSeries?: number; logsPerDayBytes?: number };
  /** Components sized from the workload or their caps (config/sizing.ts). */
  sized?: SizedComponent[];
  /** Data-bearing resources left unprotected on purpose in production (plan/metrics.ts), by name. */
  unprotected?: Record<string, string>;
  /** The takeover's step (takeover.step), for a stack with a takeover block. */
  takeoverStep?: string;
}): Record<string, string> {
  return encodeStackInfo(input);
}

/** The stack-info ConfigMap the policy pack finds by its name and label (contract/). */
export function stackInfoConfigMap(namespace: string, data: Record<string, string>) {
  return {
    metadata: {
      name: STACK_INFO_NAME,
      namespace,
      labels: { [STACK_INFO_LABEL.key]: STACK_INFO_LABEL.value },
    },
    data,
  };
}
