/**
 * Issue 51: a NetworkPolicy rule no address or scrape uses names, of the stack's chartValues
 * overrides, only those that can be its cause (synth/report.ts ruleOverrides), not every override
 * of the charts it concerns when nothing narrows them. An Alloy config text written whole by
 * `alloy.configMap.content` dials no Loki: Loki's rule admitting Alloy on `http` is unused. Beside
 * it the stack sets Alloy's memory request, which decides no address, and turns off Loki's canary,
 * whose pods (loki 18.11.0 templates/loki-canary/daemonset.yaml) declare only `http-metrics`.
 */
import { strict as assert } from "assert";
import { RENDERED_KEY } from "@homelab-observability/contract";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import { checkRuleEvaluators } from "../../checks/ruleEvaluators";
import type { Placed } from "../../checks/objects";
import type { ExportedResource } from "../../policy/evaluate";
import { attributeOverrides, type MergedFinding } from "../../synth/report";
import { NS } from "../support/objects";
import { at, configMap, deployment, edgePolicy } from "../support/checkCases";

const STACK = "urn:pulumi:staging::homelab-observability";
const release = (name: string, values: Record<string, unknown>): ExportedResource => ({
  urn: `${STACK}::kubernetes:helm.sh/v3:Release::${name}`,
  type: "kubernetes:helm.sh/v3:Release",
  custom: true,
  inputs: { name, namespace: NS, chart: name, values, [RENDERED_KEY]: 1 },
});

const lokiPods = { "app.kubernetes.io/instance": "loki" };
const alloyPods = { "app.kubernetes.io/instance": "alloy" };

/** Loki's pods and Alloy's, Loki's policy admitting Alloy on `http`, and Alloy's config dialing nothing. */
function unusedRule(loki: ExportedResource, alloy: ExportedResource) {
  const objects: Placed[] = [
    at(deployment("loki", lokiPods), loki.urn, "release loki"),
    at(deployment("alloy", alloyPods), alloy.urn, "release alloy"),
    at(configMap("alloy", { "config.alloy": 'logging { level = "info" }' }), alloy.urn, "release alloy"),
    at(edgePolicy("loki", lokiPods, alloyPods), `${STACK}::np-loki`, "resource np-loki"),
  ];
  const found = checkNetworkPolicies(objects).findings.filter((f) =>
    /ingress rule 0 .* allows what no address or scrape of the stack uses$/.test(f.message),
  );
  assert.equal(found.length, 1, JSON.stringify(checkNetworkPolicies(objects).findings, null, 1));
  return found;
}

const traced = (loki: ExportedResource, alloy: ExportedResource, overrides: string[]) =>
  attributeOverrides(
    unusedRule(loki, alloy).map((f): MergedFinding => ({ ...f, alsoAt: [] })),
    [loki, alloy],
    overrides,
  ).map((r) => [r.overrides, r.overridesUnsure]);

describe("a NetworkPolicy rule nothing uses names only the overrides that can be its cause", () => {
  const content = { alloy: { configMap: { content: 'logging { level = "info" }' } } };

  it("not a switch of a component that never declared the rule's port, nor a memory request", () => {
    const loki = release("loki", { lokiCanary: { enabled: false } });
    const alloy = release("alloy", {
      alloy: { ...content.alloy, resources: { requests: { memory: "300Mi" } } },
    });
    assert.deepEqual(
      traced(loki, alloy, [
        "loki.lokiCanary.enabled",
        "alloy.alloy.configMap.content",
        "alloy.alloy.resources.requests.memory",
      ]),
      [[["chartValues.alloy.alloy.configMap.content"], true]],
    );
  });

  it("none when no override of either chart can be", () => {
    const loki = release("loki", { lokiCanary: { enabled: false } });
    const alloy = release("alloy", { alloy: { resources: { requests: { memory: "300Mi" } } } });
    assert.deepEqual(
      traced(loki, alloy, ["loki.lokiCanary.enabled", "alloy.alloy.resources.requests.memory"]),
      [[undefined, undefined]],
    );
  });

  it("still a switch of a component whose ports cannot be read (Loki's chunks cache: a helper writes its pods)", () => {
    // loki 18.11.0 templates/chunks-cache/statefulset.yaml: include "loki.memcached.statefulSet",
    // as for a port finding (test/synth/judgedOverrides.test.ts): the switch may have taken it away.
    const loki = release("loki", { chunksCache: { enabled: false } });
    const alloy = release("alloy", content);
    assert.deepEqual(traced(loki, alloy, ["loki.chunksCache.enabled", "alloy.alloy.configMap.content"]), [
      [["chartValues.loki.chunksCache.enabled", "chartValues.alloy.alloy.configMap.content"], true],
    ]);
  });

  it("still a switch of the release's scrape object, which no pod is (vector's podMonitor, loki's monitoring.serviceMonitor)", () => {
    // Pi with vector `podMonitor.enabled: false` said the rule for vmagent's scrape naming no override.
    const loki = release("loki", { monitoring: { serviceMonitor: { enabled: false } } });
    const alloy = release("alloy", {});
    assert.deepEqual(traced(loki, alloy, ["loki.monitoring.serviceMonitor.enabled"]), [
      [["chartValues.loki.monitoring.serviceMonitor.enabled"], true],
    ]);
  });

  it("still a switch of a component whose pods declared the port (Loki's gateway, `http`)", () => {
    const loki = release("loki", { gateway: { enabled: false }, lokiCanary: { enabled: false } });
    const alloy = release("alloy", content);
    assert.deepEqual(
      traced(loki, alloy, [
        "loki.gateway.enabled",
        "loki.lokiCanary.enabled",
        "alloy.alloy.configMap.content",
      ]),
      [[["chartValues.loki.gateway.enabled", "chartValues.alloy.alloy.configMap.content"], true]],
    );
  });
});

/**
 * The same rule for every finding whose verdict rests on what configs and values wire, when
 * nothing in its message narrows the overrides (checks/objects.ts Finding `wiring`): a rule with
 * no evaluator, the Alloy config having dropped `mimir.rules.kubernetes`, follows from
 * `alloy.configMap.content`, never from Alloy's memory request.
 */
describe("a rule with no evaluator names only the overrides that can be its cause", () => {
  it("the config text, not a memory request beside it", () => {
    const alloy = release("alloy", {
      alloy: {
        configMap: { content: 'logging { level = "info" }' },
        resources: { requests: { memory: "600Mi" } },
      },
    });
    const rule: Placed = {
      obj: {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "homelab-loki", namespace: NS, labels: { "app.kubernetes.io/part-of": "homelab" } },
        spec: { groups: [] },
      },
      urn: `${STACK}::rules-loki`,
      source: "resource rules-loki",
    };
    const config = configMap("alloy", { "config.alloy": 'logging { level = "info" }' });
    const { findings } = checkRuleEvaluators([rule, at(config, alloy.urn, "release alloy")]);
    assert.ok(findings.length > 0, "the rule has no evaluator");
    const reports = attributeOverrides(
      findings.map((f): MergedFinding => ({ ...f, alsoAt: [] })),
      [alloy],
      ["alloy.alloy.configMap.content", "alloy.alloy.resources.requests.memory"],
    );
    for (const r of reports)
      assert.deepEqual(
        [r.where, r.overrides, r.overridesUnsure],
        [r.where, ["chartValues.alloy.alloy.configMap.content"], true],
      );
  });
});

/**
 * A key putting the pods in the host's network is no cause of what a config wires, whatever the
 * chart calls it: vector 0.56.0's is `podHostNetwork` (values.yaml:173), Alloy's `controller.hostNetwork`.
 */
describe("a finding on what configs wire names no host-namespace key", () => {
  const dialsNothing = (rel: string): MergedFinding => ({
    check: "address",
    where: `ConfigMap ${NS}/${rel} (release ${rel})`,
    message: `http://sink.${NS}.svc.cluster.local:80: no Service ${NS}/sink in the rendered stack`,
    wiring: true,
    alsoAt: [],
  });
  for (const [chart, key, host] of [
    ["vector", "podHostNetwork", { podHostNetwork: true }],
    ["alloy", "controller.hostNetwork", { controller: { hostNetwork: true } }],
  ] as const)
    it(`${chart}: ${key} beside a replaced config`, () => {
      const rel = release(chart, { ...host, customConfig: { sinks: { s: { type: "socket" } } } });
      const [r] = attributeOverrides(
        [dialsNothing(chart)],
        [rel],
        [`${chart}.${key}`, `${chart}.customConfig.sinks.s.type`],
      );
      assert.deepEqual(r.overrides, [`chartValues.${chart}.customConfig.sinks.s.type`]);
    });
});
