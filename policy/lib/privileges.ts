/**
 * The pack's judgement of RBAC rules and pod specs comes from the contract (the offline
 * rendered-object checks use the same functions); its default knowledge of node agents and
 * operators lives here.
 */
import type { AgentHostPaths } from "@homelab-observability/contract";

export {
  grantsNodesProxy,
  grantsSecretRead,
  hostPathProblems,
  normPath,
  seccompOf,
  type AgentHostPaths,
} from "@homelab-observability/contract";

/**
 * The pack's default knowledge of node agents and operators, the same as the program's
 * (builders/security/hardening.ts; a test keeps them equal): the log agents read /var/log and write
 * their data directory, node-exporter reads /proc, /sys and the root filesystem.
 */
export const DEFAULT_AGENT_HOST_PATHS: AgentHostPaths[] = [
  {
    image: "grafana/alloy",
    paths: [
      { path: "/var/log", readOnly: true },
      { path: "/var/lib/alloy", readOnly: false },
    ],
  },
  {
    image: "timberio/vector",
    paths: [
      { path: "/var/log", readOnly: true },
      { path: "/var/lib/vector", readOnly: false },
    ],
  },
  {
    image: "prometheus/node-exporter",
    paths: [
      { path: "/proc", readOnly: true },
      { path: "/sys", readOnly: true },
      { path: "/", readOnly: true },
    ],
  },
];

/** Operators that keep cluster-wide Secret access (they read what their custom resources reference). */
export const DEFAULT_OPERATOR_IMAGES: string[] = [
  "prometheus-operator/prometheus-operator",
  "victoriametrics/operator",
];
