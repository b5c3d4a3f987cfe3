/**
 * The Kubernetes minors the stack supports, oldest first: the one place the project states them.
 * The floor is the pinned charts' own (`kubeVersion: >=1.28.0-0` of vector 0.56.0, the highest:
 * docs/reference/versions.md, README's "Requirements"); the list runs to the newest minor whose
 * k8s.io/kubernetes module holds the generated list: at v1.37.2 hack/update-metrics-documentation-list.sh
 * sources hack/tools/instrumentation/, a nested module (its own go.mod) the module zip leaves out,
 * and test/instrumentation/documentation/ is gone, so 1.37 waits for a source the proxy serves by
 * version. `npm run refresh-metrics` reads each
 * minor's generated metrics list (upstream/metrics/data/emitted-sources.tsv has one row per minor,
 * present_when `kubernetes:<minor>`), and the emitted-metrics judgement holds a stack to the
 * oldest: a panel must show data there, or it is left out naming the minor it needs.
 */
export const SUPPORTED_KUBERNETES_MINORS = [
  "1.28",
  "1.29",
  "1.30",
  "1.31",
  "1.32",
  "1.33",
  "1.34",
  "1.35",
  "1.36",
] as const;

/** The present_when key of the names a minor's components emit. */
export const kubernetesMinorKey = (minor: string) => `kubernetes:${minor}`;

/** The key every stack is judged with: the oldest supported minor. */
export const OLDEST_KUBERNETES_KEY = kubernetesMinorKey(SUPPORTED_KUBERNETES_MINORS[0]);
