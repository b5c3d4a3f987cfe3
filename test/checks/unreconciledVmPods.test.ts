/**
 * The network checks judge the pods the VictoriaMetrics operator makes of its custom resources
 * (checks/objects.ts operatorObjects) only for a resource an operator of the stack reconciles: one
 * outside every operator's WATCH_NAMESPACE runs no pod (operator v0.66.0 internal/manager/
 * manager.go:220-228, 253-255, its cache holding the listed namespaces alone), so it makes no scrape
 * and is scraped by none.
 */
import { strict as assert } from "assert";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import { operatorObjects, type Placed } from "../../checks/objects";
import { NS } from "../support/objects";
import { at, SERVER_PODS, serverAdmittingReader } from "../support/checkCases";
import { vmOperatorObject } from "../support/vmOperator";

const VM = "operator.victoriametrics.com/v1beta1";

/** The server of serverAdmittingReader, scraped by a VMAgent in NS its VMServiceScrape is read by. */
function stack(watch?: string): Placed[] {
  const env = watch === undefined ? [] : [{ name: "WATCH_NAMESPACE", value: watch }];
  return [
    // The Service labelled as its pods, for the VMServiceScrape to select it.
    ...serverAdmittingReader().map((p) =>
      p.obj.kind === "Service"
        ? { ...p, obj: { ...p.obj, metadata: { ...p.obj.metadata, labels: SERVER_PODS } } }
        : p,
    ),
    at(vmOperatorObject(env), "urn:vmop", "release vm"),
    at(
      {
        apiVersion: VM,
        kind: "VMAgent",
        metadata: { name: "vm", namespace: NS },
        spec: { selectAllByDefault: true },
      },
      "urn:vm",
      "release vm",
    ),
    at(
      {
        apiVersion: VM,
        kind: "VMServiceScrape",
        metadata: { name: "server", namespace: NS },
        spec: { selector: { matchLabels: SERVER_PODS }, endpoints: [{ port: "http" }] },
      },
      "urn:vm",
      "release vm",
    ),
  ];
}

const scrapes = (objects: Placed[]) =>
  checkNetworkPolicies(objects, operatorObjects(objects))
    .findings.filter((f) => /scrape of VMServiceScrape monitoring\/server/.test(f.message))
    .map((f) => f.where);

describe("pods of a VictoriaMetrics resource no operator of the stack reconciles", () => {
  it("make no scrape the network checks judge, where an operator watching its namespace does", () => {
    // Reconciled (no WATCH_NAMESPACE, or one listing NS): vmagent's scrape of the server is refused.
    assert.ok(scrapes(stack()).length > 0);
    assert.ok(scrapes(stack(`other,${NS}`)).length > 0);
    // Outside every WATCH_NAMESPACE: no vmagent runs, so no scrape.
    assert.deepEqual(scrapes(stack("other")), []);
  });
});
