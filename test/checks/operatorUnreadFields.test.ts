/**
 * Objects a prometheus-operator CR names whose addresses its pods never dial, so no NetworkPolicy
 * need let them out (checks/readers.ts readersOf, upstream/operators/prometheusOperator.ts
 * READ_FIELDS). production with chartValues.kube-prometheus-stack.prometheus.prometheusSpec.
 * additionalAlertRelabelConfigs setting a label to http://loki-gateway.monitoring.svc.cluster.local:80/explore,
 * or with alertmanager.alertmanagerSpec.alertmanagerConfiguration set beside the chart's config
 * Secret naming loki-gateway, failed (exit 1, "no NetworkPolicy of monitoring lets it reach
 * Deployment monitoring/loki-gateway"): neither the alert relabelling rules
 * (pkg/prometheus/promcfg.go:1201-1215 at v0.93.0) nor a config Secret the operator does not load
 * when alertmanagerConfiguration is set (pkg/alertmanager/operator.go:907-968) is dialed.
 */
import { strict as assert } from "assert";
import { cr, holding, ref, refusals } from "../support/operatorReaders";

describe("network policies: what an operator's pods never dial is not their connection", () => {
  it("additionalAlertRelabelConfigs rewrites alerts' labels: an address in it is no connection", () => {
    const prometheus = cr("Prometheus", { additionalAlertRelabelConfigs: ref("a") });
    assert.equal(refusals(prometheus, holding("Secret", "a")), 0);
  });

  it("with alertmanagerConfiguration set, the config Secret (named or default) is not read", () => {
    const global = { alertmanagerConfiguration: { name: "global" } };
    assert.equal(refusals(cr("Alertmanager", { ...global, configSecret: "a" }), holding("Secret", "a")), 0);
    assert.equal(refusals(cr("Alertmanager", global), holding("Secret", "alertmanager-kps")), 0);
  });

  it("without it, and with alertmanagerConfiguration null, the config Secret is still read", () => {
    assert.equal(refusals(cr("Alertmanager", { configSecret: "a" }), holding("Secret", "a")), 1);
    const unset = { alertmanagerConfiguration: null };
    assert.equal(refusals(cr("Alertmanager", unset), holding("Secret", "alertmanager-kps")), 1);
  });
});
