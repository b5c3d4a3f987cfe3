/**
 * Which maps of pod labels in a chart's values only add labels to its pods, never write over one
 * the pods carry of their own: one fact for the report's tracing of a NetworkPolicy rule nothing
 * uses to such a key (synth/report.ts ruleOverrides). A label only added can make a selector pick
 * fewer pods only when the selector reads its key as `NotIn` or `DoesNotExist`.
 */

/**
 * Each chart's maps of pod labels (the path of the map under the chart) that only add, with the
 * keys that are the map's own defaults (an override of one writes over the value the pods carry),
 * as rendered with the pinned charts (model/versions.ts) and `.tools/helm template`:
 * - vector 0.56.0 `podLabels`: written after the selector labels (templates/daemonset.yaml:48-52,
 *   deployment.yaml:50-53, statefulset.yaml:56-59), the pods' only other labels; a key of the
 *   selector labels is then written twice, which the render refuses (the release does not render).
 *   Its default `vector.dev/exclude` (values.yaml:165-166) is the map's own.
 * - victoria-metrics-k8s-stack 0.80.0 `<vmsingle|vmagent|vmalert|alertmanager>.spec.podMetadata.labels`:
 *   the chart writes `<component>.spec` into the custom resource's spec (templates/
 *   victoria-metrics-operator/vmagent/vmagent.yaml:3,19), and the VictoriaMetrics operator v0.66.0
 *   gives the pods its selector labels merged over them (`labels.Merge(cr.Spec.PodMetadata.Labels,
 *   lbls)`, the second map winning: api/operator/v1beta1/vmagent_types.go:702-709,
 *   vmsingle_types.go:221-227, vmalert_types.go:403-408, vmalertmanager_types.go:303-308;
 *   upstream/operators/victoriaMetrics.ts vmPodLabels), the pods' only labels. The chart sets no
 *   default there.
 * The program gives none of these maps a label of its own (builders/).
 */
const ADDING_MAPS: Record<string, { maps: readonly string[]; defaults: readonly string[] }> = {
  vector: { maps: ["podLabels"], defaults: ["vector.dev/exclude"] },
  "victoria-metrics-k8s-stack": {
    maps: ["vmsingle", "vmagent", "vmalert", "alertmanager"].map((c) => `${c}.spec.podMetadata.labels`),
    defaults: [],
  },
};

/**
 * Whether label `key` of the map of pod labels at `map` (its path under `chart`, dotted) is only
 * added to the pods' labels ({@link ADDING_MAPS}).
 */
export function addsPodLabel(chart: string, map: string, key: string): boolean {
  const adding = ADDING_MAPS[chart] as (typeof ADDING_MAPS)[string] | undefined;
  return adding !== undefined && adding.maps.includes(map) && !adding.defaults.includes(key);
}
