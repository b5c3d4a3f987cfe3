/**
 * Audit hAg3: the cluster collector running the node agents' Alloy config (an override of the
 * alloy chart's `alloy.configMap.content`, check `alloy-roles`) loses the program's
 * `mimir.rules.kubernetes` and scrapes. What follows name the releases they are a consequence of,
 * so that synth/report.ts says them as places of the override's one message: a rule with no
 * evaluator (rule-evaluators), Mimir's ruler metrics no one loads rules for (emitted-metrics,
 * `mimir-ruler`) and a node-scrape egress rule for pods that scrape nothing (network-egress). On a
 * stack whose override is another chart's, they stay messages of their own.
 */
import { strict as assert } from "assert";
import { checkAlloy } from "../../checks/alloy";
import { checkEmittedMetrics } from "../../checks/emittedMetrics";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import { checkRuleEvaluators } from "../../checks/ruleEvaluators";
import { networkPolicy } from "../../builders/security/networkPolicies";
import { CLUSTER_DNS } from "../../model/endpoints";
import { mergeProblems, type CheckFinding } from "../../synth/report";

const STACK = "urn:pulumi:s::p";
const releaseUrn = (name: string, ns: string) => `${STACK}::kubernetes:helm.sh/v3:Release::${name}-${ns}`;
const nodeText =
  'loki.write "default" {\n  endpoint {\n    url = "http://loki:3100/loki/api/v1/push"\n  }\n}\n';
const clusterText = 'mimir.rules.kubernetes "homelab" {\n  address = "http://mimir:8080"\n}\n';

/** An object of release `name` in `ns` (its Placed URN is the release's, as stackObjects gives it). */
const ofRelease = (obj: K8sObject, name: string, ns: string): Placed => ({
  obj,
  urn: releaseUrn(name, ns),
  source: `release ${name}`,
});
const raw = (obj: K8sObject, name: string): Placed => ({
  obj,
  urn: `${STACK}::r::${name}`,
  source: `resource ${name}`,
});

const configMap = (ns: string, name: string, text: string): K8sObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: ns },
  data: { "config.alloy": text },
});
const workload = (kind: string, ns: string, name: string, labels: Record<string, string>): K8sObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name, namespace: ns, labels },
  spec: {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        containers: [{ name: "main", image: "docker.io/grafana/alloy:v1.12.0" }],
        volumes: [{ name: "config", configMap: { name } }],
      },
    },
  },
});
const rule: K8sObject = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name: "homelab-nodes", namespace: "monitoring" },
  spec: { groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0" }] }] },
};
const dashboard: K8sObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "dash", namespace: "monitoring", labels: { grafana_dashboard: "1" } },
  data: {
    "d.json": JSON.stringify({
      panels: [
        {
          title: "Rule evaluation failures / s",
          datasource: { type: "prometheus", uid: "metrics" },
          targets: [{ expr: "sum(rate(cortex_prometheus_rule_evaluation_failures_total[5m]))" }],
        },
      ],
    }),
  },
};
const clusterPods = { "app.kubernetes.io/name": "alloy", "app.kubernetes.io/instance": "alloy-cluster" };
const egress = networkPolicy({
  name: "alloy-cluster",
  namespace: "monitoring",
  pods: clusterPods,
  ingress: [],
  egress: [
    {
      to: [{ namespace: CLUSTER_DNS.namespace, pods: { ...CLUSTER_DNS.pods } }],
      ports: [
        { port: 53, protocol: "UDP" },
        { port: 53, protocol: "TCP" },
      ],
      kind: "dns",
      why: "-> cluster DNS",
    },
    {
      to: [{ cidr: "192.0.2.0/24" }],
      ports: [{ port: 9100 }],
      kind: "node-scrape",
      why: "scrapers -> nodes",
    },
  ],
  egressEnforced: true,
}) as K8sObject;

/** The kps-removed stack in small: the cluster release's ConfigMap holds `clusterText`. */
function stack(cluster: string): Placed[] {
  return [
    ofRelease(configMap("monitoring", "alloy", nodeText), "alloy", "monitoring"),
    ofRelease(
      workload("DaemonSet", "monitoring", "alloy", { "app.kubernetes.io/name": "alloy" }),
      "alloy",
      "monitoring",
    ),
    ofRelease(configMap("monitoring", "alloy-cluster", cluster), "alloy-cluster", "monitoring"),
    ofRelease(
      workload("Deployment", "monitoring", "alloy-cluster", clusterPods),
      "alloy-cluster",
      "monitoring",
    ),
    raw(workload("StatefulSet", "monitoring", "mimir", { "app.kubernetes.io/name": "mimir" }), "mimir"),
    raw(rule, "rules-nodes"),
    raw(dashboard, "dashboards"),
    raw(egress, "np-alloy-cluster"),
  ];
}

/** The findings of the four checks this audit concerns. */
function findings(objects: Placed[]): CheckFinding[] {
  return [
    ...checkAlloy(objects).findings.filter((f) => f.check === "alloy-roles"),
    ...checkRuleEvaluators(objects).findings.filter(
      (f) => f.where === "PrometheusRule monitoring/homelab-nodes",
    ),
    ...checkEmittedMetrics(objects).findings,
    ...checkNetworkPolicies(objects, operatorObjects(objects)).findings.filter((f) =>
      /\(node-scrape\)/.test(f.message),
    ),
  ];
}

const release = (name: string, ns: string, chart: string, values: Record<string, unknown> = {}) => ({
  urn: releaseUrn(name, ns),
  type: "kubernetes:helm.sh/v3:Release",
  inputs: { name, namespace: ns, chart, values },
});
const replaced = { alloy: { configMap: { content: nodeText } } };

describe("what the cluster Alloy's lost config takes with it names its releases (audit hAg3)", () => {
  const cluster = releaseUrn("alloy-cluster", "monitoring");
  const node = releaseUrn("alloy", "monitoring");

  it("a rule with no evaluator names the releases holding the Alloy configs that could load it", () => {
    const [f, ...rest] = checkRuleEvaluators(stack(nodeText)).findings.filter(
      (x) => x.where === "PrometheusRule monitoring/homelab-nodes",
    );
    assert.deepEqual(rest, []);
    assert.match(f.message, /has 0 evaluator\(s\)/);
    assert.deepEqual(f.releases, [node, cluster]);
    // Only raw objects (no release renders an engine): nothing to name, the finding as before.
    const unreleased = checkRuleEvaluators([
      raw(rule, "rules-nodes"),
      raw(configMap("m", "a", nodeText), "a"),
    ]);
    assert.equal(unreleased.findings.length, 2);
    assert.ok(unreleased.findings.every((x) => !("releases" in x)));
  });

  it("Mimir's ruler metrics with no rule sync name the releases holding the Alloy configs", () => {
    const [f, ...rest] = checkEmittedMetrics(stack(nodeText)).findings;
    assert.deepEqual(rest, []);
    assert.match(f.message, /does not run \(needs mimir-ruler\)/);
    assert.deepEqual(f.releases, [node, cluster]);
    assert.deepEqual(checkEmittedMetrics(stack(clusterText)).findings, []);
  });

  it("a node-scrape rule for pods that scrape nothing names the pods' release", () => {
    const [f, ...rest] = checkNetworkPolicies(
      stack(nodeText),
      operatorObjects(stack(nodeText)),
    ).findings.filter((x) => /\(node-scrape\)/.test(x.message));
    assert.deepEqual(rest, []);
    assert.match(
      f.message,
      /to Deployment monitoring\/alloy-cluster \(release alloy-cluster\), which scrape nothing/,
    );
    assert.deepEqual(f.releases, [cluster]);
  });

  it("is one message under the override of alloy.configMap.content, naming each place", () => {
    const resources = [
      release("alloy", "monitoring", "alloy", replaced),
      release("alloy-cluster", "monitoring", "alloy", replaced),
    ];
    const merged = mergeProblems([], findings(stack(nodeText)), {
      resources,
      overrides: ["alloy.alloy.configMap.content"],
    });
    assert.deepEqual(
      merged.findings.map((f) => [f.check, f.alsoAt]),
      [
        [
          "alloy-roles",
          [
            "[rule-evaluators] PrometheusRule monitoring/homelab-nodes",
            "[emitted-metrics] dashboard dash/d.json: Rule evaluation failures / s",
            "[network-egress] NetworkPolicy monitoring/alloy-cluster (resource np-alloy-cluster): egress rule 1",
          ],
        ],
      ],
    );
  });

  // Production with the node agents' config text in the cluster Alloy and
  // `kube-prometheus-stack.prometheus.prometheusSpec.remoteWrite: []`: the remote-write metrics come
  // from Alloy's remote write or Prometheus's, and Prometheus's is the one the stack ran (the text
  // alone leaves them); the release rendering the Prometheus is named too, so the text's message
  // does not take them as its places (it did, saying the text as their one cause).
  it("remote-write metrics no engine emits name the release rendering the Prometheus beside Alloy's", () => {
    const kps = releaseUrn("kube-prometheus-stack", "monitoring");
    const prometheus: K8sObject = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name: "kps-prometheus", namespace: "monitoring" },
      spec: { remoteWrite: [] },
    };
    const failures: K8sObject = {
      ...rule,
      metadata: { name: "homelab-kube-prometheus", namespace: "monitoring" },
      spec: {
        groups: [
          {
            name: "g",
            rules: [{ alert: "B", expr: "rate(prometheus_remote_storage_samples_failed_total[5m]) > 0" }],
          },
        ],
      },
    };
    const objects = [
      ...stack(clusterText),
      ofRelease(prometheus, "kube-prometheus-stack", "monitoring"),
      raw(failures, "rules-kube-prometheus"),
    ];
    const [f, ...rest] = checkEmittedMetrics(objects).findings;
    assert.deepEqual(rest, []);
    assert.match(f.message, /needs alloy-remote-write or prometheus-remote-write/);
    assert.deepEqual(f.releases, [node, cluster, kps]);
    const resources = [
      release("alloy", "monitoring", "alloy", replaced),
      release("alloy-cluster", "monitoring", "alloy", replaced),
      {
        ...release("kube-prometheus-stack", "monitoring", "kube-prometheus-stack", {
          prometheus: { prometheusSpec: { remoteWrite: [] } },
        }),
      },
    ];
    const roles = checkAlloy(stack(nodeText)).findings.filter((x) => x.check === "alloy-roles");
    const merged = mergeProblems([], [...roles, f], {
      resources,
      overrides: [
        "alloy.alloy.configMap.content",
        "kube-prometheus-stack.prometheus.prometheusSpec.remoteWrite",
      ],
    });
    assert.deepEqual(
      merged.findings.map((x) => [x.check, x.alsoAt.length]),
      [
        ["alloy-roles", 0],
        ["emitted-metrics", 0],
      ],
    );
  });

  it("stays apart when the stack's override is another chart's", () => {
    const resources = [
      release("alloy", "monitoring", "alloy"),
      release("alloy-cluster", "monitoring", "alloy"),
      release("loki", "monitoring", "loki", { gateway: { enabled: false } }),
    ];
    // The loki override's own message, which a trace by any release would wrongly gather them under.
    const gateway: CheckFinding = {
      check: "addresses",
      where: "Deployment monitoring/loki-gateway (release loki)",
      message: "is not rendered: values.gateway.enabled is false",
    };
    // Loki's release renders a ConfigMap too, whose text is no Alloy config: not named.
    const lokiConfig = ofRelease(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "loki", namespace: "monitoring" },
        data: { "config.yaml": "{}" },
      },
      "loki",
      "monitoring",
    );
    const own = findings([...stack(nodeText), lokiConfig]).filter((f) => f.check !== "alloy-roles");
    const merged = mergeProblems([], [gateway, ...own], { resources, overrides: ["loki.gateway.enabled"] });
    assert.deepEqual(
      merged.findings.map((f) => [f.check, f.alsoAt.length]),
      [
        ["addresses", 0],
        ["rule-evaluators", 0],
        ["emitted-metrics", 0],
        ["network-egress", 0],
      ],
    );
  });
});
