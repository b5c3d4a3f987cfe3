/**
 * Grafana's datasources sidecar as a reader of ConfigMaps and Secrets (checks/networkPolicies.ts
 * readersOf): with `sidecar.datasources.enabled` the grafana chart runs a k8s-sidecar container
 * `<name>-sc-datasources` that writes every object it selects (LABEL, LABEL_VALUE, RESOURCE,
 * RESOURCE_NAME, NAMESPACE; grafana 12.3.1 templates/_pod.tpl:863-911) into Grafana's provisioning
 * folder, and Grafana dials the datasources' URLs. No volume or env of the pod names such an
 * object, so its addresses were nobody's connections: a datasource Grafana's NetworkPolicies do not
 * let it reach passed the check silently.
 */
import { strict as assert } from "assert";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import type { K8sObject, Placed } from "../../checks/objects";
import { configMap, deployment, serverAdmittingReader } from "../support/checkCases";

const NS = "monitoring";
const URL = `http://server.${NS}.svc.cluster.local:9093`;

type Env = { name: string; value?: string; valueFrom?: unknown }[];

/**
 * The server admitting `reader` alone (serverAdmittingReader), a Grafana whose datasources sidecar
 * has `env` (the chart's defaults: label grafana_datasource, both kinds), and `object` holding a
 * datasource that dials the server.
 */
function objects(object: K8sObject, env: Env = [], sidecar = "grafana-sc-datasources"): Placed[] {
  const grafana = deployment("grafana", { "app.kubernetes.io/instance": "grafana" });
  const defaults: Env = [
    { name: "LABEL", value: "grafana_datasource" },
    { name: "RESOURCE", value: "both" },
  ];
  grafana.spec.template.spec.containers.push({ name: sidecar, env: [...defaults, ...env] });
  return [
    ...serverAdmittingReader(),
    { obj: grafana, urn: "urn:grafana", source: "release grafana" },
    { obj: object, urn: "urn:grafana", source: "release grafana" },
  ];
}

const datasource = `apiVersion: 1\ndatasources:\n  - name: team\n    type: prometheus\n    url: ${URL}\n`;

/** A ConfigMap (or, `secret`, a Secret of base64 data) `team-datasources` labelled `labels`. */
function datasourceObject(labels: Record<string, string>, secret = false, namespace = NS): K8sObject {
  const cm = configMap("team-datasources", { "team.yaml": datasource });
  cm.metadata = { ...cm.metadata, namespace, labels };
  if (!secret) return cm;
  const data = { "team.yaml": Buffer.from(datasource).toString("base64") };
  return { apiVersion: "v1", kind: "Secret", metadata: cm.metadata, type: "Opaque", data };
}

const grafanaRefused = (placed: Placed[]) =>
  checkNetworkPolicies(placed).findings.filter(
    (f) => f.where.includes("grafana") && /no NetworkPolicy of monitoring lets it reach/.test(f.message),
  );

const labelled = { grafana_datasource: "1" };

describe("network policies: Grafana's datasources sidecar reads the objects it selects", () => {
  it("a labelled ConfigMap or Secret is Grafana's: its datasource's connection is judged and refused", () => {
    for (const secret of [false, true]) {
      const placed = objects(datasourceObject(labelled, secret));
      assert.equal(grafanaRefused(placed).length, 1, JSON.stringify(checkNetworkPolicies(placed).findings));
    }
  });

  it("in another namespace it searches (NAMESPACE), and by name (RESOURCE_NAME) without the label", () => {
    const team = datasourceObject(labelled, false, "team");
    assert.equal(grafanaRefused(objects(team, [{ name: "NAMESPACE", value: `${NS},team` }])).length, 1);
    assert.equal(grafanaRefused(objects(team, [{ name: "NAMESPACE", value: "ALL" }])).length, 1);
    const unlabelled = datasourceObject({});
    const named = [{ name: "RESOURCE_NAME", value: "configmap/team-datasources" }];
    assert.equal(grafanaRefused(objects(unlabelled, named)).length, 1);
  });

  it("an object the sidecar does not select is not Grafana's: no connection of Grafana is judged", () => {
    const cases: [string, K8sObject, Env, string?][] = [
      ["no sidecar", datasourceObject(labelled), [], "grafana-sc-dashboard"],
      ["without the label", datasourceObject({ other: "1" }), []],
      ["another label value", datasourceObject(labelled), [{ name: "LABEL_VALUE", value: "2" }]],
      [
        "a Secret, configmaps only",
        datasourceObject(labelled, true),
        [{ name: "RESOURCE", value: "configmap" }],
      ],
      ["another namespace, not searched", datasourceObject(labelled, false, "team"), []],
      ["another name listed", datasourceObject(labelled), [{ name: "RESOURCE_NAME", value: "configmap/x" }]],
      // A value the pod takes at start (valueFrom) is not known offline: no verdict rests on it.
      ["a label value from valueFrom", datasourceObject(labelled), [{ name: "LABEL_VALUE", valueFrom: {} }]],
    ];
    for (const [what, object, env, sidecar] of cases)
      assert.deepEqual(grafanaRefused(objects(object, env, sidecar)), [], what);
  });
});
