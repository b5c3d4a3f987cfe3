/**
 * A key that only shapes a chart's Service (model/serviceKeys.ts: vector's `service.ports`) is a
 * possible cause of a NetworkPolicy rule nothing uses only when the release's pods are on the side
 * the rule lets receive, which that Service routes to; never when they are the side that dials.
 */
import { strict as assert } from "assert";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import type { Placed } from "../../checks/objects";
import { attributeOverrides, type MergedFinding } from "../../synth/report";
import { NS } from "../support/objects";
import { at, deployment, edgePolicy } from "../support/checkCases";
import { helmRelease } from "../support/overrideCases";

const PORTS = { service: { ports: [{ name: "api", port: 8687 }] } };
const pods = (name: string) => ({ "app.kubernetes.io/instance": name, "app.kubernetes.io/name": name });

/** The overrides named for the one unused rule of `receiver`'s policy admitting `dialer`'s pods. */
function traced(receiver: string, dialer: string, overrides: string[]) {
  const vector = helmRelease("vector", "vector", NS, PORTS);
  const loki = helmRelease("loki", "loki", NS, { loki: { server: { http_listen_port: 3101 } } });
  const objects: Placed[] = [
    at(deployment("loki", pods("loki")), loki.urn, "release loki"),
    at(deployment("vector", pods("vector")), vector.urn, "release vector"),
    at(
      edgePolicy(receiver, pods(receiver), pods(dialer)),
      "urn:pulumi:pi::homelab-observability::np",
      "resource np",
    ),
  ];
  const found = checkNetworkPolicies(objects).findings.filter((f) =>
    /ingress rule 0 .* allows what no address or scrape of the stack uses$/.test(f.message),
  );
  assert.equal(found.length, 1, JSON.stringify(checkNetworkPolicies(objects).findings, null, 1));
  return attributeOverrides(
    found.map((f): MergedFinding => ({ ...f, alsoAt: [] })),
    [loki, vector],
    overrides,
  ).map((r) => [r.overrides, r.overridesUnsure]);
}

describe("a key that only shapes a Service is a possible cause only of what reaches its pods", () => {
  it("Vector dialing Loki: vector's service.ports is no cause, Loki's port is", () => {
    assert.deepEqual(
      traced("loki", "vector", ["loki.loki.server.http_listen_port", "vector.service.ports"]),
      [[["chartValues.loki.loki.server.http_listen_port"], true]],
    );
  });

  it("Loki dialing Vector: vector's service.ports routes to the pods the rule admits, so it may be the cause", () => {
    const [[keys, unsure]] = traced("vector", "loki", [
      "loki.loki.server.http_listen_port",
      "vector.service.ports",
    ]);
    assert.ok((keys as string[]).includes("chartValues.vector.service.ports"), JSON.stringify(keys));
    assert.equal(unsure, true);
  });
});
