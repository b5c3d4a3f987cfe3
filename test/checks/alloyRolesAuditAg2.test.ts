/**
 * Audit hAg2: an override of the alloy chart's `alloy.configMap.content` goes into every release of
 * the chart, so the cluster collector (a Deployment) runs the node agents' config. That is one
 * mistake (check `alloy-roles`, naming the chart value), and what follows from it on any release of
 * the chart (unused NetworkPolicy rules, grants, metrics no one sends) is said as its places, while
 * a misspelling at a place in the same text stays a message of its own.
 */
import { strict as assert } from "assert";
import { checkAlloy } from "../../checks/alloy";
import type { K8sObject, Placed } from "../../checks/objects";
import { attributeOverrides, mergeProblems, type CheckFinding } from "../../synth/report";

const text = 'loki.write "default" {\n  endpoint {\n    url = "http://loki:3100/loki/api/v1/push"\n  }\n}\n';
const cm = (ns: string, name: string, data = text): Placed => ({
  obj: {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns },
    data: { "config.alloy": data },
  },
  urn: `urn:${name}`,
  source: `release ${name}`,
});
const workload = (kind: string, ns: string, name: string): Placed => {
  const obj: K8sObject = {
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: "alloy", image: "docker.io/grafana/alloy:v1.12.0" }],
          volumes: [{ name: "config", configMap: { name } }],
        },
      },
    },
  };
  return { obj, urn: `urn:${name}`, source: `release ${name}` };
};
const roles = (objects: Placed[]) => checkAlloy(objects).findings.filter((f) => f.check === "alloy-roles");

describe("alloy-roles: one config text for the node agents and the cluster collector (audit hAg2)", () => {
  const node = [cm("monitoring", "alloy"), workload("DaemonSet", "monitoring", "alloy")];
  const cluster = (data?: string) => [
    cm("monitoring", "alloy-cluster", data),
    workload("Deployment", "monitoring", "alloy-cluster"),
  ];

  it("fails the cluster release's ConfigMap holding the node agents' text, naming the chart value and what to do", () => {
    const [f, ...rest] = roles([...node, ...cluster()]);
    assert.deepEqual(rest, []);
    assert.equal(f.where, "ConfigMap monitoring/alloy-cluster (release alloy-cluster) config.alloy");
    assert.match(
      f.message,
      /same text as the node agents' \(ConfigMap monitoring\/alloy \(release alloy\) config\.alloy\)/,
    );
    assert.match(
      f.message,
      /values\.alloy\.configMap\.content goes into every release of the chart; leave it to the program \(remove the override\)/,
    );
  });

  it("passes each role its own config, and two node agents (a handover) sharing one", () => {
    assert.deepEqual(roles([...node, ...cluster(`${text}// cluster\n`)]), []);
    assert.deepEqual(
      roles([...node, cm("monitoring-agents", "alloy"), workload("DaemonSet", "monitoring-agents", "alloy")]),
      [],
    );
  });

  it("is one message with what follows from the override on every release of the chart; a typo in the text stays its own", () => {
    const STACK = "urn:pulumi:s::p";
    const rel = (name: string, ns: string) => ({
      urn: `${STACK}::kubernetes:helm.sh/v3:Release::${name}-${ns}`,
      type: "kubernetes:helm.sh/v3:Release",
      inputs: { name, namespace: ns, chart: "alloy", values: { alloy: { configMap: { content: text } } } },
    });
    const loki = {
      urn: `${STACK}::kubernetes:helm.sh/v3:Release::loki`,
      type: "kubernetes:helm.sh/v3:Release",
      inputs: { name: "loki", namespace: "monitoring", chart: "loki", values: {} },
    };
    const resources = [
      rel("alloy", "monitoring"),
      rel("alloy", "monitoring-agents"),
      rel("alloy-cluster", "monitoring"),
      loki,
    ];
    const overrides = ["alloy.alloy.configMap.content"];
    const [root] = roles([...node, ...cluster()]);
    const consequences: CheckFinding[] = [
      {
        check: "network-policy",
        where: "NetworkPolicy monitoring/loki (resource np-loki)",
        message:
          'ingress rule 3 (["http-metrics"] from 1 peer(s)) allows what no address or scrape of the stack uses',
        releases: [loki.urn, rel("alloy", "monitoring-agents").urn, rel("alloy-cluster", "monitoring").urn],
      },
      {
        check: "alloy-rbac",
        where: "ConfigMap monitoring-agents/alloy (release alloy) config.alloy",
        message:
          "ServiceAccount monitoring-agents/alloy is granted list pods cluster-wide, which no component of its config calls",
      },
    ];
    const typo: CheckFinding = {
      check: "alloy-component",
      where: "ConfigMap monitoring/alloy (release alloy) config.alloy:3:5",
      message: 'unknown argument "ur"',
      cause: "alloy-config@x",
    };
    const merged = mergeProblems([], [...consequences, typo, root], { resources, overrides });
    assert.deepEqual(
      merged.findings.map((f) => [f.check, f.alsoAt]),
      [
        [
          "alloy-roles",
          [
            "[network-policy] NetworkPolicy monitoring/loki (resource np-loki): ingress rule 3",
            "[alloy-rbac] ConfigMap monitoring-agents/alloy (release alloy) config.alloy",
          ],
        ],
        ["alloy-component", []],
      ],
    );
    const [lead] = attributeOverrides(merged.findings, resources, overrides);
    assert.deepEqual(lead.overrides, ["chartValues.alloy.alloy.configMap.content"]);
    assert.equal(lead.overridesUnsure, undefined);
  });
});
