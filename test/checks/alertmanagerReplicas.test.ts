import { strict as assert } from "assert";
import { checkAlertmanagerReplicas } from "../../checks/alertmanagerReplicas";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import { placedFrom } from "../../checks/placed";
import { attributeOverrides, chartValueOverridesOf } from "../../synth/report";
import { at, configMap } from "../support/checkCases";
import { checkedStack } from "../support/checkedStack";
import { NS } from "../support/objects";
import { rendered, type Variant } from "../support/rendered";

/** Staging (the standalone alertmanager chart, Loki's and Mimir's rulers sending to it) with `replicaCount`. */
const staging = (replicaCount: number): Variant => ({
  title: `staging with chartValues.alertmanager.replicaCount ${replicaCount}`,
  stack: "staging",
  over: { chartValues: { alertmanager: { replicaCount } } },
});

const QUOTE =
  "It's important not to load balance traffic between Prometheus and its Alertmanagers, but instead, point Prometheus to a list of all Alertmanagers.";

describe("alertmanager-replicas: a clustered Alertmanager reached through a load-balanced Service (rendered staging)", function () {
  this.timeout(120000);

  it("reports one finding on the alertmanager release, naming Loki's and Mimir's rulers, caused by replicaCount", async () => {
    const r = await rendered(staging(3));
    const resources = r.synth.export.deployment.resources;
    // Through every check (checkStack, its verdict cached: test/support/checkedStack.ts), so the
    // check is seen to run with the others.
    const found = checkedStack(r).findings.filter((f) => f.check === "alertmanager-replicas");
    assert.equal(found.length, 1, JSON.stringify(found, null, 2));
    const [f] = found;
    assert.equal(f.where, "StatefulSet monitoring/alertmanager (release alertmanager)");
    const release = resources.find(
      (x) => x.type === "kubernetes:helm.sh/v3:Release" && x.inputs?.chart === "alertmanager",
    );
    assert.deepEqual(f.releases, [release!.urn]);
    assert.match(f.message, /runs 3 clustered replicas/);
    assert.match(f.message, /through the one name of the Service monitoring\/alertmanager/);
    assert.match(
      f.message,
      /ConfigMap monitoring\/loki \(release loki\) config\.yaml ruler\.alertmanager_url/,
    );
    assert.match(
      f.message,
      /ConfigMap monitoring\/mimir-config \(resource mimir-config\) mimir\.yaml limits\.ruler_alertmanager_client_config\.alertmanager_url/,
    );
    assert.ok(f.message.includes(QUOTE), f.message);
    assert.match(
      f.message,
      /Keep one replica \(remove chartValues\.alertmanager\.replicaCount or set it to 1\)/,
    );
    // synth's report lays the finding on the override that caused it.
    const report: typeof f & { overrides?: string[]; overridesUnsure?: boolean } = { ...f };
    const [attributed] = attributeOverrides([report], resources, chartValueOverridesOf(resources));
    assert.deepEqual(attributed.overrides, ["chartValues.alertmanager.replicaCount"]);
    assert.equal(attributed.overridesUnsure, undefined);
  });

  it("reports nothing for one replica", async () => {
    // The check alone (the test above sees checkStack run it): the other checks' work on the whole
    // rendered stack (schemas, addresses, NetworkPolicies, metrics) says nothing of this one.
    const r = await rendered(staging(1));
    const objects = placedFrom(r.objects);
    assert.deepEqual(checkAlertmanagerReplicas(objects, operatorObjects(objects)).findings, []);
  });
});

describe("alertmanager-replicas: the operators' Alertmanagers", () => {
  const loki = (url: string) =>
    at(
      configMap("loki", { "config.yaml": `ruler:\n  alertmanager_url: ${url}\n` }),
      "urn:loki",
      "release loki",
    );
  const service = (name: string, selector: Record<string, string>, headless = false): K8sObject => ({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: NS },
    spec: { selector, ...(headless ? { clusterIP: "None" } : {}), ports: [{ name: "http", port: 9093 }] },
  });
  const judge = (objects: Placed[]) => checkAlertmanagerReplicas(objects, operatorObjects(objects)).findings;

  describe("VictoriaMetrics' VMAlertmanager (spec.replicaCount)", () => {
    const vmam = (replicaCount?: number): Placed =>
      at(
        {
          apiVersion: "operator.victoriametrics.com/v1beta1",
          kind: "VMAlertmanager",
          metadata: {
            name: "vm",
            namespace: NS,
            labels: { "helm.sh/chart": "victoria-metrics-k8s-stack-0.80.0" },
          },
          spec: replicaCount === undefined ? {} : { replicaCount },
        },
        "urn:vm",
        "release vm",
      );
    // A Service of the user's in front of the operator's pods (the operator's own is headless).
    const balanced = at(
      service("alertmanager-lb", {
        "app.kubernetes.io/name": "vmalertmanager",
        "app.kubernetes.io/instance": "vm",
      }),
      "urn:extra",
      "release extra",
    );
    const vmalert = (notifier: Record<string, unknown>): Placed =>
      at(
        {
          apiVersion: "operator.victoriametrics.com/v1beta1",
          kind: "VMAlert",
          metadata: { name: "vm", namespace: NS },
          spec: notifier,
        },
        "urn:vm",
        "release vm",
      );
    const perPod = "http://vmalertmanager-vm-0.vmalertmanager-vm.monitoring.svc.cluster.local.:9093";
    const lb = `http://alertmanager-lb.${NS}.svc.cluster.local:9093`;

    it("reports three replicas reached through a ClusterIP Service, naming each sender and the chart's key", () => {
      const found = judge([
        vmam(3),
        balanced,
        loki(lb),
        vmalert({ notifiers: [{ url: perPod }], extraArgs: { "notifier.url": lb } }),
      ]);
      assert.equal(found.length, 1);
      assert.equal(found[0].where, "VMAlertmanager monitoring/vm (release vm)");
      assert.deepEqual(found[0].releases, ["urn:vm"]);
      assert.match(
        found[0].message,
        /runs 3 clustered replicas \(spec\.replicaCount, set by chartValues\.victoria-metrics-k8s-stack\.alertmanager\.spec\.replicaCount\)/,
      );
      assert.match(
        found[0].message,
        /ConfigMap monitoring\/loki \(release loki\) config\.yaml ruler\.alertmanager_url/,
      );
      assert.match(
        found[0].message,
        /VMAlert monitoring\/vm \(release vm\) spec\.extraArgs\["notifier\.url"\]/,
      );
      // The per-pod address reaches the replica it names: not a sender through one name.
      assert.doesNotMatch(found[0].message, /spec\.notifiers\[0\]/);
    });

    it("reports nothing for one replica (unset), nor for senders per pod or through DNS discovery", () => {
      assert.deepEqual(judge([vmam(), balanced, loki(lb)]), []);
      assert.deepEqual(judge([vmam(1), balanced, loki(lb)]), []);
      assert.deepEqual(judge([vmam(3), vmalert({ notifier: { url: perPod } })]), []);
      // Loki's ruler looking the Alertmanagers up by DNS SRV, and Mimir's discovery URL form.
      const srv = `http://_http._tcp.vmalertmanager-vm.${NS}.svc.cluster.local`;
      const discovering = at(
        configMap("loki", {
          "config.yaml": `ruler:\n  alertmanager_url: ${srv}\n  enable_alertmanager_discovery: true\n`,
        }),
        "urn:loki",
        "release loki",
      );
      const mimir = at(
        configMap("mimir-config", {
          "mimir.yaml": `limits:\n  ruler_alertmanager_client_config:\n    alertmanager_url: dnssrvnoa+${srv},dns+${lb}\n`,
        }),
        "urn:mimir",
        "mimir-config",
      );
      assert.deepEqual(judge([vmam(3), balanced, discovering, mimir]), []);
    });

    it("reports a sender through the operator's headless Service by its one name: its client dials one pod", () => {
      const headless = `http://vmalertmanager-vm.${NS}.svc.cluster.local:9093`;
      const found = judge([vmam(3), loki(headless)]);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.match(
        found[0].message,
        /through the one name of the headless Service monitoring\/vmalertmanager-vm: ConfigMap monitoring\/loki/,
      );
    });
  });

  describe("kube-prometheus-stack's Alertmanager (spec.replicas)", () => {
    const am = (replicas: number): Placed =>
      at(
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "Alertmanager",
          metadata: {
            name: "kps-alertmanager",
            namespace: NS,
            labels: { chart: "kube-prometheus-stack-88.0.0" },
          },
          spec: { replicas },
        },
        "urn:kps",
        "release kube-prometheus-stack",
      );
    // The chart's Service (kube-prometheus-stack templates/alertmanager/service.yaml): a ClusterIP.
    const kpsService = at(
      service("kps-alertmanager", {
        "app.kubernetes.io/name": "alertmanager",
        alertmanager: "kps-alertmanager",
      }),
      "urn:kps",
      "release kube-prometheus-stack",
    );
    const prometheus = at(
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Prometheus",
        metadata: { name: "kps-prometheus", namespace: NS },
        spec: {
          alerting: { alertmanagers: [{ name: "kps-alertmanager", namespace: NS, port: "http-web" }] },
        },
      },
      "urn:kps",
      "release kube-prometheus-stack",
    );
    const lokiToKps = loki(`http://kps-alertmanager.${NS}.svc.cluster.local:9093`);

    it("reports two replicas that Loki's ruler reaches through the chart's Service, not the operator's Prometheus", () => {
      const found = judge([am(2), kpsService, prometheus, lokiToKps]);
      assert.equal(found.length, 1);
      assert.equal(
        found[0].where,
        "Alertmanager monitoring/kps-alertmanager (release kube-prometheus-stack)",
      );
      assert.match(
        found[0].message,
        /runs 2 clustered replicas \(spec\.replicas, set by chartValues\.kube-prometheus-stack\.alertmanager\.alertmanagerSpec\.replicas\)/,
      );
      assert.match(
        found[0].message,
        /through the one name of the Service monitoring\/kps-alertmanager: ConfigMap monitoring\/loki \(release loki\) config\.yaml ruler\.alertmanager_url\./,
      );
      assert.doesNotMatch(found[0].message, /kps-prometheus/);
    });

    it("reports nothing where only the operator's Prometheus sends (it discovers every pod), nor for one replica", () => {
      assert.deepEqual(judge([am(3), kpsService, prometheus]), []);
      assert.deepEqual(judge([am(1), kpsService, prometheus, lokiToKps]), []);
    });
  });

  it("reads a sender in a container's flags (vmalert's -notifier.url) and judges a chart's Alertmanager workload by its image", () => {
    const statefulSet: K8sObject = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "alertmanager", namespace: NS },
      spec: {
        replicas: 2,
        template: {
          metadata: { labels: { app: "am" } },
          spec: { containers: [{ name: "alertmanager", image: "quay.io/prometheus/alertmanager:v0.28.1" }] },
        },
      },
    };
    const url = `http://alertmanager.${NS}.svc:9093`;
    const sender: K8sObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "vmalert", namespace: NS },
      spec: {
        template: {
          metadata: { labels: { app: "vmalert" } },
          spec: {
            containers: [
              { name: "vmalert", image: "victoriametrics/vmalert", args: [`-notifier.url=${url}`] },
            ],
          },
        },
      },
    };
    const found = judge([
      at(statefulSet, "urn:am", "release am"),
      at(service("alertmanager", { app: "am" }), "urn:am", "release am"),
      at(sender, "urn:vmalert", "release vmalert"),
    ]);
    assert.equal(found.length, 1);
    assert.match(
      found[0].message,
      /Deployment monitoring\/vmalert \(release vmalert\) container vmalert -notifier\.url/,
    );
    // No chart label: the message names the field to set.
    assert.match(found[0].message, /Keep one replica \(spec\.replicas: 1\)/);
  });
});
