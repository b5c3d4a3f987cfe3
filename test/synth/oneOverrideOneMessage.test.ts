/**
 * Issue 51 item 3: one chartValues override, one message naming it and every place it touches.
 * Vector's PodMonitor scrapes `podMonitor.port` (vector 0.56.0 templates/podmonitor.yaml:25): renamed
 * to a port no container declares, the PodMonitor has no target and the NetworkPolicy rules written
 * for vmagent's scrape of `prom-exporter` go unused, one mistake. A Service's named targetPort that
 * pods lack only because an override's pod label made its selector pick them follows from that label.
 */
import { strict as assert } from "assert";
import { RENDERED_KEY } from "@homelab-observability/contract";
import { networkPolicy } from "../../builders/security/networkPolicies";
import { checkNamedPorts } from "../../checks/namedPorts";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import type { K8sObject, Placed } from "../../checks/objects";
import type { ExportedResource } from "../../policy/evaluate";
import { attributeOverrides, mergeProblems } from "../../synth/report";
import { at } from "../support/checkCases";

const STACK = "urn:pulumi:pi::homelab-observability";
const release = (
  resource: string,
  name: string,
  namespace: string,
  chart: string,
  values: Record<string, unknown>,
): ExportedResource => ({
  urn: `${STACK}::kubernetes:helm.sh/v3:Release::${resource}`,
  type: "kubernetes:helm.sh/v3:Release",
  custom: true,
  inputs: { name, namespace, chart, values, [RENDERED_KEY]: 1 },
});

/**
 * A workload of `kind` in `namespace` whose pods carry `labels` and whose one container (`container`,
 * else the workload's name) declares the ports `ports`.
 */
const workload = (
  kind: string,
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ports: string[],
  container = name,
): K8sObject => ({
  apiVersion: "apps/v1",
  kind,
  metadata: { name, namespace },
  spec: {
    selector: { matchLabels: labels },
    template: {
      metadata: { labels },
      spec: {
        containers: [{ name: container, ports: ports.map((p, i) => ({ name: p, containerPort: 9000 + i })) }],
      },
    },
  },
});

const AGENTS = "monitoring-agents";
const vectorPods = { "app.kubernetes.io/name": "vector", "app.kubernetes.io/instance": "vector" };
const vmagentPods = { "app.kubernetes.io/name": "vmagent", "app.kubernetes.io/instance": "vm" };

/**
 * Pi's Vector and vmagent as the program wires them (plan/network.ts: Vector's policy admits vmagent
 * on `prom-exporter`, vmagent's egress reaches it there), Vector's PodMonitor scraping `port`; the
 * findings of the named-port and NetworkPolicy checks, merged and traced as synth prints them.
 */
function vectorScrapedOn(
  port: string,
  vm: Record<string, unknown>,
  overrides: string[],
  extra: Placed[] = [],
) {
  const vector = release("vector-agents", "vector", AGENTS, "vector", { podMonitor: { port } });
  const victoria = release("victoriametrics", "vm", "monitoring", "victoria-metrics-k8s-stack", vm);
  const scrape = [{ port: "prom-exporter", protocol: "TCP" as const }];
  const objects: Placed[] = [
    at(
      workload("DaemonSet", AGENTS, "vector", vectorPods, ["api", "prom-exporter"]),
      vector.urn,
      "release vector",
    ),
    at(
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PodMonitor",
        metadata: { name: "vector", namespace: AGENTS },
        spec: { selector: { matchLabels: vectorPods }, podMetricsEndpoints: [{ port }] },
      },
      vector.urn,
      "release vector",
    ),
    at(workload("Deployment", "monitoring", "vmagent-vm", vmagentPods, ["http"]), victoria.urn, "release vm"),
    at(
      networkPolicy({
        name: "vector",
        namespace: AGENTS,
        pods: vectorPods,
        ingress: [
          { from: [{ namespace: "monitoring", pods: vmagentPods }], ports: ["prom-exporter"], why: "scrape" },
        ],
      }) as K8sObject,
      `${STACK}::np-vector`,
      "resource network-policies-monitoring-agents-vector",
    ),
    at(
      networkPolicy({
        name: "vmagent",
        namespace: "monitoring",
        pods: vmagentPods,
        ingress: [],
        egress: [
          { to: [{ namespace: AGENTS, pods: vectorPods }], ports: scrape, kind: "edge", why: "scrape" },
        ],
      }) as K8sObject,
      `${STACK}::np-vmagent`,
      "resource network-policies-monitoring-vmagent",
    ),
  ];
  objects.push(...extra);
  const findings = [...checkNamedPorts(objects).findings, ...checkNetworkPolicies(objects).findings];
  const resources = [vector, victoria];
  const merged = mergeProblems([], findings, { resources, overrides });
  return { findings, shown: attributeOverrides(merged.findings, resources, overrides) };
}

describe("one override, one message: a renamed scrape port and the rules it leaves unused", () => {
  it("vector's podMonitor.port: the PodMonitor's finding names the key and the NetworkPolicy rules as its places", () => {
    const { findings, shown } = vectorScrapedOn("metrics", {}, ["vector.podMonitor.port"]);
    assert.deepEqual(
      findings.map((f) => f.check).sort(),
      ["named-port", "network-egress", "network-policy"],
      JSON.stringify(findings, null, 1),
    );
    assert.equal(shown.length, 1, JSON.stringify(shown, null, 1));
    const [one] = shown;
    assert.match(one.message, /^podMetricsEndpoint port "metrics" is no container port of DaemonSet/);
    assert.deepEqual(one.alsoAt, [
      "[network-policy] NetworkPolicy monitoring-agents/vector (resource network-policies-monitoring-agents-vector): ingress rule 0",
      "[network-egress] NetworkPolicy monitoring/vmagent (resource network-policies-monitoring-vmagent): egress rule 0",
    ]);
    assert.deepEqual(
      [one.overrides, one.overridesUnsure],
      [["chartValues.vector.podMonitor.port"], undefined],
    );
  });

  it("beside pod labels of the VictoriaMetrics operator, whose pods neither side of the rules picks: still one message", () => {
    const { shown } = vectorScrapedOn(
      "metrics",
      { "victoria-metrics-operator": { podLabels: { team: "metrics" } } },
      ["vector.podMonitor.port", "victoria-metrics-k8s-stack.victoria-metrics-operator.podLabels.team"],
    );
    assert.equal(shown.length, 1, JSON.stringify(shown, null, 1));
    assert.deepEqual([shown[0].check, shown[0].alsoAt.length], ["named-port", 2]);
    assert.deepEqual(shown[0].overrides, ["chartValues.vector.podMonitor.port"]);
  });

  it("beside a label vmagent's pods carry of a key no selector reads: still one message, the port's", () => {
    // vmagent's pods are the rules' dialing side, yet `team` decides no selection: with it or
    // without it the same rules pick the same pods, so it is no cause of a rule left unused.
    const { shown } = vectorScrapedOn(
      "metrics",
      { vmagent: { spec: { podMetadata: { labels: { team: "metrics" } } } } },
      ["vector.podMonitor.port", "victoria-metrics-k8s-stack.vmagent.spec.podMetadata.labels.team"],
    );
    assert.equal(shown.length, 1, JSON.stringify(shown, null, 1));
    assert.deepEqual([shown[0].check, shown[0].alsoAt.length], ["named-port", 2]);
    assert.deepEqual(shown[0].overrides, ["chartValues.vector.podMonitor.port"]);
  });

  it("beside a label of a key selectors read that the operator writes its own over: still one message", () => {
    // The operator merges vmagent's selector labels over `podMetadata.labels` (model/podLabels.ts):
    // the label only adds, and a selector reading `app.kubernetes.io/name` as matchLabels picks
    // the pods with one more label as it did without.
    const name = { "app.kubernetes.io/name": "other" };
    const { shown } = vectorScrapedOn("metrics", { vmagent: { spec: { podMetadata: { labels: name } } } }, [
      "vector.podMonitor.port",
      "victoria-metrics-k8s-stack.vmagent.spec.podMetadata.labels.app.kubernetes.io/name",
    ]);
    assert.equal(shown.length, 1, JSON.stringify(shown, null, 1));
    assert.deepEqual(shown[0].overrides, ["chartValues.vector.podMonitor.port"]);
  });

  it("beside a label vmagent's pods carry of a key a selector reads as DoesNotExist: the rules may follow from either", () => {
    // A policy picking the pods without a `team`: vmagent's pods leave it with the label, so which
    // rules pick them may change by it, and the rules left unused name both overrides, unsure.
    const untagged = at(
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "untagged", namespace: "monitoring" },
        spec: { podSelector: { matchExpressions: [{ key: "team", operator: "DoesNotExist" }] } },
      },
      `${STACK}::np-untagged`,
      "resource untagged",
    );
    const { shown } = vectorScrapedOn(
      "metrics",
      { vmagent: { spec: { podMetadata: { labels: { team: "metrics" } } } } },
      ["vector.podMonitor.port", "victoria-metrics-k8s-stack.vmagent.spec.podMetadata.labels.team"],
      [untagged],
    );
    const rules = shown.filter((f) => f.check !== "named-port");
    assert.ok(rules.length > 0, JSON.stringify(shown, null, 1));
    for (const r of rules)
      assert.deepEqual(
        [r.overrides, r.overridesUnsure],
        [
          [
            "chartValues.vector.podMonitor.port",
            "chartValues.victoria-metrics-k8s-stack.vmagent.spec.podMetadata.labels.team",
          ],
          true,
        ],
        JSON.stringify(r, null, 1),
      );
  });
});

describe("one override, one message: a pod label that puts pods behind a Service", () => {
  const lokiPods = { "app.kubernetes.io/name": "loki", "app.kubernetes.io/instance": "loki" };
  const memberlist = { ...lokiPods, "app.kubernetes.io/part-of": "memberlist" };
  /** Loki's memberlist Service and its pods, and the canary with `canaryLabels` on its pods. */
  const traced = (
    values: Record<string, unknown>,
    canaryLabels: Record<string, string>,
    overrides: string[],
  ) => {
    const loki = release("loki", "loki", "monitoring", "loki", values);
    const canary = { ...lokiPods, "app.kubernetes.io/component": "canary", ...canaryLabels };
    const service: K8sObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "loki-memberlist", namespace: "monitoring" },
      spec: { selector: memberlist, ports: [{ name: "tcp", port: 7946, targetPort: "http-memberlist" }] },
    };
    const objects = [
      at(
        workload("StatefulSet", "monitoring", "loki", memberlist, ["http-metrics", "http-memberlist"]),
        loki.urn,
        "release loki",
      ),
      at(
        // The canary's container is `canary` (loki 18.11.0 templates/loki-canary/daemonset.yaml:68).
        workload("DaemonSet", "monitoring", "loki-canary", canary, ["http-metrics"], "canary"),
        loki.urn,
        "release loki",
      ),
      at(service, loki.urn, "release loki"),
    ];
    const findings = checkNamedPorts(objects).findings;
    const merged = mergeProblems([], findings, { resources: [loki], overrides });
    return attributeOverrides(merged.findings, [loki], overrides);
  };

  it("loki's lokiCanary.podLabels giving the canary the memberlist Service's label: the finding names that key", () => {
    const part = { "app.kubernetes.io/part-of": "memberlist" };
    const shown = traced(
      { lokiCanary: { podLabels: { ...part, team: "logs" } } },
      { ...part, team: "logs" },
      ['loki.lokiCanary.podLabels["app.kubernetes.io/part-of"]', "loki.lokiCanary.podLabels.team"],
    );
    assert.equal(shown.length, 1, JSON.stringify(shown, null, 1));
    assert.match(
      shown[0].message,
      /targets "http-memberlist", which DaemonSet monitoring\/loki-canary .* does not declare/,
    );
    // The label the selector requires, not the other one beside it.
    assert.deepEqual(
      [shown[0].overrides, shown[0].overridesUnsure],
      [['chartValues.loki.lokiCanary.podLabels["app.kubernetes.io/part-of"]'], undefined],
    );
  });
});
