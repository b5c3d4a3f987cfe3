/**
 * Which maps of pod labels in a chart's values only add labels to its pods, never write over one
 * the pods carry of their own: one fact for the report's tracing of a NetworkPolicy rule nothing
 * uses to such a key (synth/report.ts ruleOverrides). A label only added can make a selector pick
 * fewer pods only when the selector reads its key as `NotIn` or `DoesNotExist`.
 */

/**
 * Each chart's maps of pod labels that only add (the path of the map under the chart, dotted), each
 * with the keys an override of which writes over a label the pods carry: the map's own defaults
 * (values.yaml; an override of one writes over the value the pods carry) and any label an
 * operator writes before the map. Decided by rendering the pinned charts (model/versions.ts) with
 * `.tools/helm template`, an override of a key of the pods' own labels and one of a new key
 * (test/upstream/podLabelMaps.test.ts holds each): the chart writes the map beside its own labels
 * in the pod template, so a key of those is written twice, which the render refuses (synth parses
 * Helm's output: "duplicated mapping key"; the release does not render), or the chart's own wins.
 * - vector 0.56.0 `podLabels`: after the selector labels (templates/daemonset.yaml:48-52,
 *   deployment.yaml:50-53, statefulset.yaml:56-59); default `vector.dev/exclude`
 *   (values.yaml:165-166). `haproxy.podLabels`: after haproxy's selector labels
 *   (templates/haproxy/deployment.yaml:29-33).
 * - alloy 1.5.0 `controller.podLabels`: after the selector labels (templates/controllers/_pod.yaml:12-16).
 * - grafana 12.3.1 `podLabels` (default none: values.yaml:234 is a comment): after `grafana.labels`
 *   (templates/deployment.yaml:33-37, statefulset.yaml:22-26); `imageRenderer.podLabels`: after its
 *   selector labels (templates/image-renderer-deployment.yaml:35-39). The same templates in the
 *   grafana subcharts of kube-prometheus-stack 88.0.0 (grafana 12.10.0: charts/grafana/templates/
 *   deployment.yaml:35, statefulset.yaml:30, image-renderer-deployment.yaml:37) and of
 *   victoria-metrics-k8s-stack 0.80.0 (grafana 12.3.3: the same lines as 12.3.1).
 * - alertmanager 1.42.0 `podLabels`: after the selector labels (templates/statefulset.yaml:23-27).
 * - prometheus-node-exporter 4.49.1 `podLabels`: after `prometheus-node-exporter.labels`
 *   (templates/daemonset.yaml:27-31); the program gives it `jobLabel`
 *   (builders/metrics/exporterValues.ts nodeExporterValues). kube-state-metrics 6.4.1 `podLabels`:
 *   after `kube-state-metrics.labels` (templates/deployment.yaml:35-39). The same templates' lines
 *   in the subcharts of kube-prometheus-stack (node-exporter 4.56.1, kube-state-metrics 8.0.0) and
 *   victoria-metrics-k8s-stack (4.55.0, 7.3.0); kube-prometheus-stack's values give its
 *   node-exporter `jobLabel` (values.yaml:2727-2732) and its windows-exporter (0.12.8, whose
 *   `prometheus-windows-exporter.labels` writes the map between the chart's labels and `release`:
 *   charts/prometheus-windows-exporter/templates/_helpers.tpl:37-51) `jobLabel` (values.yaml:386-387).
 * - loki 18.11.0 `loki.podLabels`: under the component's maps in the pods of the workloads
 *   (templates/_pod.tpl:32, `mergeOverwrite` of loki, defaults, component: the later wins, so the
 *   map only adds), before the gateway's (templates/gateway/deployment.yaml:37-44) and a cache's
 *   (templates/memcached/_memcached-statefulset.tpl:36-46) maps, where a key of both is written
 *   twice. `gateway.podLabels`, `chunksCache.podLabels`, `chunksCache.l2.podLabels`,
 *   `resultsCache.podLabels`, `lokiCanary.podLabels` (templates/loki-canary/daemonset.yaml:42-47):
 *   written beside the chart's labels (the gateway's and a cache's beside `loki.podLabels` too,
 *   a key of both written twice). The subcharts' `minio.podLabels`
 *   (minio 5.4.0 templates/statefulset.yaml:63-68, deployment.yaml:35-40, post-job.yaml:20-25) and
 *   `rollout_operator.podLabels` (rollout-operator 0.51.1 templates/deployment.yaml:30-34): after
 *   their own labels. Left out: `defaults.podLabels` and each workload's own map
 *   (`singleBinary.podLabels`, `read.podLabels`, ... `tableManager.podLabels`): the merge at
 *   templates/_pod.tpl:32 writes them over a label `loki.podLabels` (and, for a component's,
 *   `defaults.podLabels`) gives the pods.
 * - kube-prometheus-stack 88.0.0 `prometheusOperator.podLabels` and
 *   `prometheusOperator.admissionWebhooks.deployment.podLabels`: after the operator's and the
 *   webhook's labels (templates/prometheus-operator/deployment.yaml:31-35,
 *   admission-webhooks/deployment/deployment.yaml:30-35). `<prometheus.prometheusSpec|
 *   alertmanager.alertmanagerSpec|thanosRuler.thanosRulerSpec>.podMetadata.labels`: the chart writes
 *   the map into the custom resource's `spec.podMetadata` (templates/prometheus/prometheus.yaml:312-315,
 *   alertmanager/alertmanager.yaml:123-126, thanos-ruler/ruler.yaml:134-137), and prometheus-operator
 *   v0.93.0 (read, not run) copies it over `app.kubernetes.io/version`, then the selector labels
 *   over it, the operator's `--labels` winning over all (Prometheus and PrometheusAgent:
 *   pkg/prometheus/promcfg.go:1345-1361, pkg/prometheus/server/statefulset.go:218-229, agent/
 *   statefulset.go:192-203; Alertmanager: pkg/alertmanager/statefulset.go:398-411, 692-693;
 *   pkg/operator/config.go:213-227 Merge; pkg/operator/kubernetes.go:38), so of a Prometheus's or
 *   an Alertmanager's map `app.kubernetes.io/version` is written over; a ThanosRuler's pods get
 *   the version after the map (pkg/thanos/statefulset.go:419-434). Left out:
 *   `alertmanager.networkPolicy.gateway.podLabels`, a NetworkPolicy's selector of other pods
 *   (templates/alertmanager/networkpolicy.yaml:17-27), no pod's labels; `crds.upgradeJob.podLabels`,
 *   a Job's pods (charts/crds/templates/upgrade/job.yaml:23-26), whose other labels the API server
 *   gives (not run here).
 * - victoria-metrics-k8s-stack 0.80.0 `<vmsingle|vmagent|vmalert|alertmanager|vmauth>.spec.podMetadata.labels`
 *   and `vmcluster.spec.<vmselect|vminsert|vmstorage>.podMetadata.labels`,
 *   `vmcluster.spec.requestsLoadBalancer.spec.podMetadata.labels`: the chart writes `<component>.spec`
 *   into the custom resource's spec (templates/victoria-metrics-operator/vmagent/vmagent.yaml:3,19,
 *   vmauth/vmauth.yaml:3,18, vmcluster/vmcluster.yaml:6,26), and the VictoriaMetrics operator
 *   v0.66.0 (read, not run) gives the pods its selector labels merged over them
 *   (`labels.Merge(podMetadata.Labels, selectorLabels)`, the second map winning:
 *   api/operator/v1beta1/vmagent_types.go:702-709, vmsingle_types.go:221-227,
 *   vmalert_types.go:403-408, vmalertmanager_types.go:303-308, vmauth_types.go:627-633,
 *   vmcluster_types.go:94-117,150-157; the pod templates' labels: internal/controller/operator/
 *   factory/vmauth/vmauth.go:379, vmcluster/vmcluster.go:639,844,1093,1397, a sharded vmagent's
 *   shard label after them: build/shard.go:66-72; upstream/operators/victoriaMetrics.ts
 *   vmPodLabels), the pods' only labels. The chart sets no default there. `victoria-metrics-operator.podLabels`
 *   (operator chart 0.63.1 templates/server.yaml:32-33): `vm.podLabels` sets the selector labels
 *   into the map itself before merging it over them (victoria-metrics-common 0.3.0
 *   templates/_helpers.tpl:186-196, 232-240), so the chart's own win. Left out:
 *   `victoria-metrics-operator.crds.upgrade.podLabels`, which no template of the pinned chart reads.
 * The program gives none of these maps a label of its own but node-exporter's `jobLabel` (builders/).
 */
const ADDING_MAPS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  vector: { podLabels: ["vector.dev/exclude"], "haproxy.podLabels": [] },
  alloy: { "controller.podLabels": [] },
  grafana: { podLabels: [], "imageRenderer.podLabels": [] },
  alertmanager: { podLabels: [] },
  "prometheus-node-exporter": { podLabels: ["jobLabel"] },
  "kube-state-metrics": { podLabels: [] },
  loki: Object.fromEntries(
    [
      "loki",
      "gateway",
      "chunksCache",
      "chunksCache.l2",
      "resultsCache",
      "lokiCanary",
      "minio",
      "rollout_operator",
    ].map((c) => [`${c}.podLabels`, []]),
  ),
  "kube-prometheus-stack": {
    "prometheusOperator.podLabels": [],
    "prometheusOperator.admissionWebhooks.deployment.podLabels": [],
    "prometheus.prometheusSpec.podMetadata.labels": ["app.kubernetes.io/version"],
    "alertmanager.alertmanagerSpec.podMetadata.labels": ["app.kubernetes.io/version"],
    "thanosRuler.thanosRulerSpec.podMetadata.labels": [],
    "grafana.podLabels": [],
    "grafana.imageRenderer.podLabels": [],
    "kube-state-metrics.podLabels": [],
    "prometheus-node-exporter.podLabels": ["jobLabel"],
    "prometheus-windows-exporter.podLabels": ["jobLabel"],
  },
  "victoria-metrics-k8s-stack": {
    "vmsingle.spec.podMetadata.labels": [],
    "vmagent.spec.podMetadata.labels": [],
    "vmalert.spec.podMetadata.labels": [],
    "alertmanager.spec.podMetadata.labels": [],
    "vmauth.spec.podMetadata.labels": [],
    "vmcluster.spec.vmselect.podMetadata.labels": [],
    "vmcluster.spec.vminsert.podMetadata.labels": [],
    "vmcluster.spec.vmstorage.podMetadata.labels": [],
    "vmcluster.spec.requestsLoadBalancer.spec.podMetadata.labels": [],
    "victoria-metrics-operator.podLabels": [],
    "grafana.podLabels": [],
    "grafana.imageRenderer.podLabels": [],
    "kube-state-metrics.podLabels": [],
    "prometheus-node-exporter.podLabels": [],
  },
};

/**
 * Whether label `key` of the map of pod labels at `map` (its path under `chart`, dotted) is only
 * added to the pods' labels ({@link ADDING_MAPS}).
 */
export function addsPodLabel(chart: string, map: string, key: string): boolean {
  const maps = Object.hasOwn(ADDING_MAPS, chart) ? ADDING_MAPS[chart] : undefined;
  const over = maps && Object.hasOwn(maps, map) ? maps[map] : undefined;
  return over !== undefined && !over.includes(key);
}
