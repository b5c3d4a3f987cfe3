import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  lokiCompactorMisplaced,
  lokiReplicationFactor,
  lokiRetentionNeedsDeleteStore,
  lokiRetentionPeriodWithoutRetention,
  lokiSharedStoreRemoved,
  lokiSingleBinaryAndScalable,
} from "./loki";
import { arm64Images } from "./images";
import { mimirDistinctStorage, mimirRemoteWriteLabels } from "./mimir";
import {
  grafanaRendersAWorkload,
  grafanaReplicasShareNoState,
  grafanaSingleDefault,
  grafanaSingleDefaultStack,
} from "./grafana";
import { noPlaintextCredentials } from "./credentials";

export { GRAFANA_RENDERS_A_WORKLOAD } from "./grafana";
import { productionDataProtected } from "./production";
import { agentsOnEveryPool, resourceBudget } from "./budget";
import { objectStoreLeastPrivilege } from "./objectStore";
import {
  hostPathsForAgentsOnly,
  noClusterSecretRead,
  noNodesProxy,
  seccompRuntimeDefault,
} from "./privileges";
import { networkPoliciesPresent, podSecurityLevels } from "./security";
import { vmAgentOneMode } from "./vmAgent";

/**
 * Every policy of the pack with its default level. The pack entry point and the offline checker
 * both take the list from here, so `pulumi preview --policy-pack` and `npm run policy:check` agree.
 */
export function allPolicies(): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return [
    lokiRetentionNeedsDeleteStore(),
    lokiRetentionPeriodWithoutRetention(),
    lokiCompactorMisplaced(),
    lokiSharedStoreRemoved(),
    lokiReplicationFactor(),
    lokiSingleBinaryAndScalable(),
    arm64Images(),
    mimirDistinctStorage(),
    mimirRemoteWriteLabels(),
    grafanaSingleDefault(),
    grafanaSingleDefaultStack(),
    objectStoreLeastPrivilege(),
    grafanaReplicasShareNoState(),
    grafanaRendersAWorkload(),
    noPlaintextCredentials(),
    productionDataProtected(),
    resourceBudget(),
    agentsOnEveryPool(),
    noNodesProxy(),
    noClusterSecretRead(),
    hostPathsForAgentsOnly(),
    seccompRuntimeDefault(),
    podSecurityLevels(),
    networkPoliciesPresent(),
    vmAgentOneMode(),
  ];
}
