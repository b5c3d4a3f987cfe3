/**
 * Which workload kind a chart renders its pods as, by the values key that chooses it: one fact for
 * the report's tracing of findings to that key (synth/fieldKeys.ts chosenKind) and the sizing of the
 * pods every node runs (config/sizing.ts).
 */

/**
 * The chart values keys that choose the kind of the workload a chart runs its pods as, and the kind
 * each value chooses, read in the pinned charts' templates (model/versions.ts): alloy 1.5.0's
 * `controller.type` (templates/controllers/daemonset.yaml:1, deployment.yaml:1, statefulset.yaml:1,
 * each `if eq .Values.controller.type "<type>"`), vector 0.56.0's `role` (templates/daemonset.yaml:1
 * `Agent`, deployment.yaml:1 `Stateless-Aggregator`, statefulset.yaml:1 `Aggregator`). The program's
 * settings and accepted exceptions (contract/exceptions.ts `DaemonSet alloy`) reach a workload by its
 * kind and name, and a node agent is known as a DaemonSet (host paths, the agents' namespace), so
 * what a workload of the chosen kind lacks follows from the key, whatever field a rule judged.
 */
export const KIND_KEYS: Record<string, Record<string, Record<string, string>>> = {
  alloy: {
    "controller.type": { daemonset: "DaemonSet", deployment: "Deployment", statefulset: "StatefulSet" },
  },
  vector: {
    role: { Agent: "DaemonSet", Aggregator: "StatefulSet", "Stateless-Aggregator": "Deployment" },
  },
};
