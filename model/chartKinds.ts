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

/**
 * Of {@link KIND_KEYS}, those that choose the workload's kind and nothing else the pods are wired
 * with: alloy 1.5.0 reads `controller.type` only in templates/controllers/daemonset.yaml:1,
 * deployment.yaml:1, statefulset.yaml:1, hpa.yaml:2,30, vpa.yaml:47,49 and pdb.yaml:2 (every
 * `.Values.controller.type` of the archive), never in rbac.yaml, serviceaccount.yaml,
 * configmap.yaml or the pod (_helpers.tpl, _config.tpl, containers/): what the config calls, which
 * ServiceAccount the pods run as and what its roles grant are the same whatever kind it chooses.
 * vector 0.56.0's `role` is not one: templates/rbac.yaml, configmap.yaml and _pod.tpl read it.
 */
export const KIND_ONLY_KEYS: Record<string, readonly string[]> = {
  alloy: ["controller.type"],
};
