/**
 * The pack's judgement of RBAC rules and pod specs comes from the contract (the offline
 * rendered-object checks use the same functions, and the operators' images with how a config
 * resolves them, contract operatorImagesOf); its default knowledge of node agents lives here.
 */
import type { AgentHostPaths } from "@homelab-observability/contract";

export {
  DEFAULT_OPERATOR_IMAGES,
  grantsNodesProxy,
  grantsSecretRead,
  hostPathProblems,
  normPath,
  seccompOf,
  type AgentHostPaths,
} from "@homelab-observability/contract";

/**
 * The pack's default knowledge of node agents, the same as the program's
 * (builders/security/hardening.ts; a test keeps them equal): the log agents read /var/log and write
 * their data directory, node-exporter reads /proc, /sys and the root filesystem. Each agent by the
 * repository the program pins, registry included: an agent is known at that registry or through a
 * mirror of it the stack declares (contract isImageOf), never by its path at another registry.
 */
export const DEFAULT_AGENT_HOST_PATHS: AgentHostPaths[] = [
  {
    image: "docker.io/grafana/alloy",
    paths: [
      { path: "/var/log", readOnly: true },
      { path: "/var/lib/alloy", readOnly: false },
    ],
  },
  {
    image: "docker.io/timberio/vector",
    paths: [
      { path: "/var/log", readOnly: true },
      { path: "/var/lib/vector", readOnly: false },
    ],
  },
  {
    image: "quay.io/prometheus/node-exporter",
    paths: [
      { path: "/proc", readOnly: true },
      { path: "/sys", readOnly: true },
      { path: "/", readOnly: true },
    ],
  },
];
