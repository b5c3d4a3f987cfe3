/**
 * Pod hardening and scheduling shared by every values builder: the security contexts the Pod
 * Security `restricted` profile asks for (seccomp RuntimeDefault, no privilege escalation, no
 * capabilities, non-root), the priority classes the program creates, and the tolerations node
 * agents need to run on every pool the config declares. Pure data, no Pulumi.
 */
import { pinnedRepository, versions } from "../../model/versions";
import { PART_OF_LABEL } from "../metadata";

/** The container runtime's default seccomp profile (Pod Security `restricted` requires it or Localhost). */
export const RUNTIME_DEFAULT = { type: "RuntimeDefault" } as const;

/** A container's securityContext: no privilege escalation, every capability dropped, seccomp RuntimeDefault. */
export function containerHardening(opts: { readOnlyRoot: boolean; add?: string[] }): Record<string, any> {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"], ...(opts.add && opts.add.length > 0 ? { add: opts.add } : {}) },
    readOnlyRootFilesystem: opts.readOnlyRoot,
    seccompProfile: { ...RUNTIME_DEFAULT },
  };
}

/** A pod securityContext running as `uid` (group and fsGroup `gid`, default `uid`) with seccomp RuntimeDefault. */
export function nonRootPod(uid: number, gid: number = uid): Record<string, any> {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { ...RUNTIME_DEFAULT },
  };
}

/**
 * A pod securityContext for a log agent that stays root: the files it tails (containerd's
 * /var/log/pods/*, journald's /var/log/journal/*) are mode 0640 owned by root, which uid 0 reads as
 * their owner without CAP_DAC_OVERRIDE or CAP_DAC_READ_SEARCH, so every capability can go.
 */
export function rootLogAgentPod(): Record<string, any> {
  return { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, seccompProfile: { ...RUNTIME_DEFAULT } };
}

/**
 * Capabilities a root log agent needs for the node logs it is configured to read: plain syslog
 * files are often owned by another user (`syslog:adm` 0640 on Ubuntu's rsyslog), which root without
 * CAP_DAC_READ_SEARCH cannot open; the journal and pod logs need none.
 */
export function logAgentCapabilities(nodeLogs?: { syslogFiles: string[] }): string[] {
  return nodeLogs && nodeLogs.syslogFiles.length > 0 ? ["DAC_READ_SEARCH"] : [];
}

/** A PriorityClass the program creates. */
export interface PriorityClassSpec {
  name: string;
  value: number;
  description: string;
}

/**
 * The program's priority classes, above every ordinary pod (priority 0) and well below the
 * system classes (system-cluster-critical is 2000000000). Node agents come first: a node without
 * its agent loses its logs and metrics, and a DaemonSet pod cannot move elsewhere. Stateful
 * backends next: evicting them loses in-memory data and their claims pin them to nodes.
 */
export const PRIORITY_CLASSES = {
  nodeAgent: {
    name: "homelab-node-agent",
    value: 1000000,
    description:
      "Node agents of the observability stack (log agents, node-exporter): one per node, scheduled first.",
  },
  stateful: {
    name: "homelab-stateful",
    value: 100000,
    description:
      "Stateful backends of the observability stack (Loki, Mimir, Prometheus, Alertmanager, Grafana, VictoriaMetrics).",
  },
} as const satisfies Record<string, PriorityClassSpec>;

/**
 * A PriorityClass object. None is the global default, and preemption stays the Kubernetes
 * default: a higher class may evict ordinary pods to get scheduled.
 */
export function priorityClassObject(c: PriorityClassSpec) {
  return {
    metadata: { name: c.name, labels: { ...PART_OF_LABEL } },
    value: c.value,
    globalDefault: false,
    description: c.description,
  };
}

/** The names of {@link PRIORITY_CLASSES}, for whoever must wait for them. */
export const PRIORITY_CLASS_NAMES: readonly string[] = Object.values(PRIORITY_CLASSES).map((c) => c.name);

/** A taint as the config declares it on a node pool. */
export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

/**
 * Tolerations for every taint the pools declare (deduplicated), so a node agent runs on every node
 * of the stack: `Equal` on the value when the taint has one, `Exists` otherwise.
 */
export function tolerationsFor(pools: { taints: Taint[] }[]): Record<string, any>[] {
  const seen = new Set<string>();
  const out: Record<string, any>[] = [];
  for (const t of pools.flatMap((p) => p.taints)) {
    const id = JSON.stringify([t.key, t.value ?? null, t.effect]);
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(
      t.value === undefined
        ? { key: t.key, operator: "Exists", effect: t.effect }
        : { key: t.key, operator: "Equal", value: t.value, effect: t.effect },
    );
  }
  return out;
}

/** Where a node agent runs: every pool (tolerations) at the node-agent priority. */
export interface AgentScheduling {
  priorityClassName: string;
  tolerations: Record<string, any>[];
}

/** {@link AgentScheduling} for the stack's pools. */
export function agentScheduling(pools: { taints: Taint[] }[]): AgentScheduling {
  return { priorityClassName: PRIORITY_CLASSES.nodeAgent.name, tolerations: tolerationsFor(pools) };
}

/** Where the Alloy DaemonSet keeps positions and the journal cursor on each node. */
export const ALLOY_HOST_DATA = "/var/lib/alloy";
/** Where the Vector DaemonSet keeps its data_dir (checkpoints, disk buffer) on each node. */
export const VECTOR_HOST_DATA = "/var/lib/vector";

/** A host path a node agent mounts, and whether it only reads it. */
export interface HostPathNeed {
  path: string;
  readOnly: boolean;
}

/**
 * Host paths each node agent needs, by its image (the pin's repository, registry included, as
 * parseImage spells it; an image is the agent's there or through a mirror the stack declares): the
 * log agents read /var/log (pod logs and the journal under it) and write their own data directory;
 * node-exporter reads /proc, /sys and the root filesystem (its chart's `hostRootFsMount`). Nothing
 * else of the host is mounted.
 */
export const NODE_AGENT_HOST_PATHS: readonly { image: string; paths: HostPathNeed[] }[] = [
  {
    image: pinnedRepository(versions.images.alloy),
    paths: [
      { path: "/var/log", readOnly: true },
      { path: ALLOY_HOST_DATA, readOnly: false },
    ],
  },
  {
    image: pinnedRepository(versions.images.vector),
    paths: [
      { path: "/var/log", readOnly: true },
      { path: VECTOR_HOST_DATA, readOnly: false },
    ],
  },
  {
    image: pinnedRepository(versions.images.nodeExporter),
    paths: [
      { path: "/proc", readOnly: true },
      { path: "/sys", readOnly: true },
      { path: "/", readOnly: true },
    ],
  },
];
