/**
 * Which pods read a ConfigMap's or Secret's addresses (checks/readers.ts readersOf): those
 * that mount it (volumes[].configMap.name, .secret.secretName, projected sources) or take it into
 * their environment (env valueFrom, envFrom), not every pod whose volumes or environment hold its
 * name as some other word. chartValues.loki.nameOverride: logs names Loki's ConfigMap `logs`, and
 * Grafana has an emptyDir volume named `logs`: Loki's addresses (its Alertmanager, MinIO, memberlist)
 * were judged as Grafana's connections and refused ("no NetworkPolicy of monitoring lets it reach").
 */
import { strict as assert } from "assert";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import type { K8sObject, Placed } from "../../checks/objects";
import { networkPolicy } from "../../builders/security/networkPolicies";
import { configMap, deployment, service } from "../support/checkCases";

const NS = "monitoring";
const serverPods = { "app.kubernetes.io/instance": "server" };
const readerPods = { "app.kubernetes.io/instance": "reader" };
const bystanderPods = { "app.kubernetes.io/instance": "bystander" };

/** A server admitting the reader alone, the reader's ConfigMap `logs` naming it, and `bystander` shaped by `pod`. */
function objects(bystander: (spec: Record<string, any>) => void): Placed[] {
  const server = deployment("server", serverPods);
  server.spec.template.spec.containers[0].ports = [{ name: "http", containerPort: 9093 }];
  const reader = deployment("reader", readerPods);
  reader.spec.template.spec.volumes = [{ name: "config", configMap: { name: "logs" } }];
  const other = deployment("bystander", bystanderPods);
  bystander(other.spec.template.spec);
  return [
    { obj: server, urn: "urn:server", source: "release server" },
    { obj: service("server", serverPods, 9093, "http"), urn: "urn:server", source: "release server" },
    { obj: reader, urn: "urn:reader", source: "release reader" },
    {
      obj: configMap("logs", { url: `http://server.${NS}.svc.cluster.local:9093` }),
      urn: "urn:reader",
      source: "release reader",
    },
    { obj: other, urn: "urn:bystander", source: "release bystander" },
    {
      obj: networkPolicy({
        name: "server",
        namespace: NS,
        pods: serverPods,
        ingress: [{ from: [{ namespace: NS, pods: readerPods }], ports: ["http"], why: "edge" }],
        egress: [],
      }) as K8sObject,
      urn: "urn:np",
      source: "resource np",
    },
  ];
}

const refusedFor = (placed: Placed[], who: string) =>
  checkNetworkPolicies(placed).findings.filter(
    (f) => f.where.includes(who) && /no NetworkPolicy of monitoring lets it reach/.test(f.message),
  );

describe("network policies: the pods that read a ConfigMap's addresses", () => {
  it("a pod whose emptyDir volume has the ConfigMap's name does not read it", () => {
    const placed = objects((spec) => {
      spec.volumes = [{ name: "logs", emptyDir: {} }];
      spec.containers[0].volumeMounts = [{ name: "logs", mountPath: "/var/log/grafana" }];
    });
    assert.deepEqual(refusedFor(placed, "bystander"), []);
    assert.deepEqual(refusedFor(placed, "reader"), []);
  });

  it("a pod that mounts it, or takes it into its environment, does: its connection is judged and refused", () => {
    for (const reads of [
      (spec: Record<string, any>) => (spec.volumes = [{ name: "x", configMap: { name: "logs" } }]),
      (spec: Record<string, any>) =>
        (spec.volumes = [{ name: "x", projected: { sources: [{ configMap: { name: "logs" } }] } }]),
      (spec: Record<string, any>) => (spec.containers[0].envFrom = [{ configMapRef: { name: "logs" } }]),
      (spec: Record<string, any>) =>
        (spec.containers[0].env = [
          { name: "URL", valueFrom: { configMapKeyRef: { name: "logs", key: "url" } } },
        ]),
    ]) {
      const placed = objects(reads);
      assert.equal(
        refusedFor(placed, "bystander").length,
        1,
        JSON.stringify(checkNetworkPolicies(placed).findings),
      );
    }
  });

  // The loki chart's `loki.configStorageType: Secret` renders its config as a Secret whose `data`
  // is base64 (templates/config.yaml, `b64enc`), mounted by secret.secretName: its addresses are
  // the pods' connections as a ConfigMap's are. Read as base64 text they were none: a stack with
  // that value was refused ("allows what no address or scrape of the stack uses") and its pods'
  // connections went unjudged.
  it("a Secret's base64 data is read as the config it holds: its reader's connection is judged", () => {
    const placed = objects((spec) => (spec.volumes = [{ name: "x", secret: { secretName: "logs" } }]));
    const cm = placed.find((p) => p.obj.kind === "ConfigMap")!;
    const data = Object.fromEntries(
      Object.entries(cm.obj.data as Record<string, string>).map(([k, v]) => [
        k,
        Buffer.from(v).toString("base64"),
      ]),
    );
    cm.obj = { apiVersion: "v1", kind: "Secret", metadata: cm.obj.metadata, type: "Opaque", data };
    const reader = placed.find((p) => p.urn === "urn:reader")!.obj;
    reader.spec.template.spec.volumes = [{ name: "config", secret: { secretName: "logs" } }];
    const findings = checkNetworkPolicies(placed).findings;
    assert.equal(refusedFor(placed, "bystander").length, 1, JSON.stringify(findings));
    assert.deepEqual(
      findings.filter((f) => /allows what no address/.test(f.message)),
      [],
      JSON.stringify(findings),
    );
  });
});
