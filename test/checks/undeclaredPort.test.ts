/**
 * A NetworkPolicy rule admitting a named port none of its pods declares admits nothing, so nothing
 * uses it either (contract/mistakes.ts undeclaredPort): checks/namedPorts.ts and
 * checks/networkPolicies.ts give both findings one cause, and the named port's finding names the
 * releases of the pods it judged, so that synth/report.ts traces a program's policy to their values.
 */
import { strict as assert } from "assert";
import { MISTAKES } from "@homelab-observability/contract";
import { checkNamedPorts } from "../../checks/namedPorts";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import type { K8sObject, Placed } from "../../checks/objects";
import { networkPolicy } from "../../builders/security/networkPolicies";
import { mergeProblems } from "../../synth/report";
import { configMap, deployment, service } from "../support/checkCases";

const NS = "monitoring";
const serverPods = { "app.kubernetes.io/instance": "server" };
const clientPods = { "app.kubernetes.io/instance": "client" };

/** A server whose pods declare `port` only, a client, and the program's policy admitting the client on "http". */
function objects(port: string): Placed[] {
  const server = deployment("server", serverPods);
  server.spec.template.spec.containers[0].ports = [{ name: port, containerPort: 9093 }];
  return [
    { obj: server, urn: "urn:server", source: "release server" },
    { obj: deployment("client", clientPods), urn: "urn:client", source: "release client" },
    {
      obj: networkPolicy({
        name: "server",
        namespace: NS,
        pods: serverPods,
        ingress: [{ from: [{ namespace: NS, pods: clientPods }], ports: ["http"], why: "edge" }],
        egress: [],
      }) as K8sObject,
      urn: "urn:np",
      source: "resource np",
    },
  ];
}

describe("a NetworkPolicy rule whose named port its pods do not declare", () => {
  it("the named port and the rule nothing uses are one mistake, traced to the pods' release", () => {
    const placed = objects("http-metrics");
    const ports = checkNamedPorts(placed).findings;
    const unused = checkNetworkPolicies(placed).findings.filter((f) => / uses/.test(f.message));
    assert.equal(ports.length, 1, JSON.stringify(ports));
    assert.equal(unused.length, 1, JSON.stringify(unused));
    assert.ok(ports[0].cause, "the named port names its cause");
    assert.equal(unused[0].cause, ports[0].cause);
    assert.deepEqual(ports[0].releases, ["urn:server"]);
    const merged = mergeProblems([], [...unused, ...ports]).findings;
    assert.equal(merged.length, 1, JSON.stringify(merged, null, 1));
    assert.deepEqual(merged[0].alsoAt, [
      "[named-port] NetworkPolicy monitoring/server (resource np): ingress rule 0",
    ]);
  });

  it("a connection the rule would admit but for its undeclared port is the same mistake: one message, on the server's ports", () => {
    const placed = objects("http-metrics");
    // The client dials the server's Service, whose target is the port the server declares.
    const client = placed[1].obj;
    client.spec.template.spec.volumes = [{ name: "config", configMap: { name: "client-config" } }];
    placed.push(
      {
        obj: service("server", serverPods, 8080, "http-metrics"),
        urn: "urn:server",
        source: "release server",
      },
      {
        obj: configMap("client-config", { url: `http://server.${NS}.svc.cluster.local:8080/push` }),
        urn: "urn:client",
        source: "release client",
      },
    );
    const ports = checkNamedPorts(placed).findings;
    const network = checkNetworkPolicies(placed).findings;
    const refused = network.filter((f) => /no NetworkPolicy of monitoring lets it reach/.test(f.message));
    assert.equal(refused.length, 1, JSON.stringify(network));
    assert.equal(refused[0].cause, ports[0].cause);
    // What it rests on is the server's container ports, as the named port's finding says.
    assert.deepEqual(
      [refused[0].releases, refused[0].judged, refused[0].containers],
      [["urn:server"], ["ports"], ["server/main"]],
    );
    assert.deepEqual([ports[0].judged, ports[0].containers], [["ports"], ["server/main"]]);
    const merged = mergeProblems([], [...network, ...ports]).findings;
    assert.equal(merged.length, 1, JSON.stringify(merged, null, 1));
  });

  it("a rule unused while its port is declared keeps no such cause", () => {
    const unused = checkNetworkPolicies(objects("http")).findings.filter((f) => / uses/.test(f.message));
    assert.equal(unused.length, 1, JSON.stringify(unused));
    assert.ok(!unused[0].cause?.startsWith(`${MISTAKES.undeclaredPort}@`), unused[0].cause);
  });
});
