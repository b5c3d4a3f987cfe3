/**
 * The egress half of plan/network.ts: one edge list (the ingress rules) gives both directions, the
 * cluster DNS goes to every group, the API server, the object store, the nodes' scrape ports and
 * the receivers only to the groups that use them; config `network` (config/schema.ts) and its
 * cross-checks (config/resolve.ts) decide the addresses and whether egress is enforced.
 */
import * as assert from "assert";
import { PHASES } from "../../config/resolve";
import { BACKENDS } from "../../model/phases";
import { objectStoreReach } from "../../model/endpoints";
import { planStack } from "../../plan/plan";
import type { Guarded, PodGroup } from "../../builders/security/networkPolicies";
import { config } from "../support/helpers";

const same = (a: PodGroup, b: PodGroup) =>
  a.namespace === b.namespace && JSON.stringify(a.pods) === JSON.stringify(b.pods);

const every = (over: { profile?: string } = {}) =>
  PHASES.flatMap((phase) =>
    BACKENDS.map((metricsBackend) => ({
      title: `${phase} ${metricsBackend}${over.profile ? ` ${over.profile}` : ""}`,
      policies: planStack(config({ phase, metricsBackend, ...over })).networkPolicies.inputs.policies,
    })),
  );

/** The edges (client, server, ports, why) an ingress side and an egress side each state. */
function edges(policies: Guarded[]) {
  const key = (client: PodGroup, server: PodGroup, ports: unknown, why: string) =>
    JSON.stringify([client.namespace, client.pods, server.namespace, server.pods, ports, why]);
  const ingress = new Set<string>();
  const egress = new Set<string>();
  for (const g of policies) {
    for (const r of g.ingress)
      if (r.from !== "anywhere")
        for (const c of r.from)
          // A client the plan guards (another one's pods, if any, are not held to egress).
          if (policies.some((p) => same(p, c)))
            ingress.add(key(c, g, r.ports === "all" ? "all" : r.ports, r.why));
    for (const r of g.egress ?? [])
      if (r.kind === "edge")
        for (const t of r.to)
          if ("pods" in t && t.pods)
            egress.add(key(g, t, r.ports === "all" ? "all" : r.ports.map((p) => p.port), r.why));
  }
  return { ingress: [...ingress].sort(), egress: [...egress].sort() };
}

describe("egress policies (plan/network.ts)", () => {
  for (const { title, policies } of [...every(), ...every({ profile: "lightweight" })]) {
    it(`${title}: every edge is stated once for each side, from the one edge list`, () => {
      const e = edges(policies);
      assert.ok(e.ingress.length > 0);
      assert.deepEqual(e.egress, e.ingress);
    });
  }

  it("gives every group the cluster DNS, and the API, object store, node scrapes and receivers only to their users", () => {
    const policies = planStack(config({ phase: "dual-write", metricsBackend: "mimir" })).networkPolicies
      .inputs.policies;
    const kinds = (name: string) => (policies.find((g) => g.name === name)?.egress ?? []).map((r) => r.kind);
    for (const g of policies) assert.equal(g.egress?.[0].kind, "dns", g.name);
    assert.ok(kinds("kps-prometheus").includes("api"));
    assert.ok(kinds("kps-prometheus").includes("node-scrape"));
    assert.ok(kinds("kps-prometheus").includes("object-store"), "Prometheus scrapes MinIO's ScrapeConfig");
    assert.ok(kinds("loki").includes("object-store"));
    assert.ok(kinds("mimir").includes("object-store"));
    assert.ok(!kinds("loki").includes("api"));
    assert.ok(!kinds("grafana").includes("object-store"));
    assert.ok(kinds("kps-alertmanager").includes("receivers"));
    for (const g of policies.filter((p) => p.name !== "kps-alertmanager"))
      assert.ok(!(g.egress ?? []).some((r) => r.kind === "receivers"), g.name);
  });

  it("renders egress without enforcing it unless network.egress is enforced", () => {
    const rendered = planStack(config({ phase: "kps-removed" })).networkPolicies.inputs.policies;
    assert.ok(rendered.every((g) => g.egress && g.egressEnforced === false));
    const enforced = planStack(
      config({
        phase: "kps-removed",
        network: { egress: "enforced", apiServer: { cidrs: ["192.0.2.10/32"] }, nodes: ["192.0.2.0/24"] },
      }),
    ).networkPolicies.inputs.policies;
    assert.ok(enforced.every((g) => g.egressEnforced === true));
    const api = enforced.flatMap((g) => g.egress ?? []).filter((r) => r.kind === "api");
    assert.ok(api.length > 0);
    for (const r of api) assert.deepEqual(r.to, [{ cidr: "192.0.2.10/32" }]);
  });

  it("refuses enforced egress without the addresses only configuration can give", () => {
    assert.throws(
      () => config({ phase: "kps-removed", network: { egress: "enforced" } }),
      (e: Error) =>
        /network\.apiServer\.cidrs: expected at least one CIDR/.test(e.message) &&
        /network\.nodes: expected at least one CIDR/.test(e.message),
    );
    assert.throws(
      () =>
        config({
          phase: "kps-removed",
          objectStore: { type: "minio", endpoint: "https://s3.example.net" },
          network: { egress: "enforced", apiServer: { cidrs: ["192.0.2.10/32"] }, nodes: ["192.0.2.0/24"] },
        }),
      /network\.objectStore\.cidrs: expected at least one CIDR/,
    );
    assert.throws(
      () => config({ phase: "kps-removed", network: { nodes: ["192.0.2.0"] } }),
      /expected a CIDR/,
    );
    assert.throws(
      () => config({ phase: "kps-removed", network: { nodes: ["192.0.2.0/33"] } }),
      /expected a CIDR/,
    );
  });

  it("places the object store from its endpoint: a Service by namespace, an address by itself, a hostname by configured CIDRs", () => {
    const minio = (endpoint: string) => ({ type: "minio" as const, endpoint });
    assert.deepEqual(objectStoreReach(minio("http://minio.storage.svc.cluster.local:9000"), []), {
      in: "cluster",
      namespace: "storage",
      port: 9000,
    });
    assert.deepEqual(objectStoreReach(minio("http://minio.storage.svc"), []), {
      in: "cluster",
      namespace: "storage",
      port: 80,
    });
    assert.deepEqual(objectStoreReach(minio("https://192.0.2.7:9000"), []), {
      in: "addresses",
      cidrs: ["192.0.2.7/32"],
      ports: [9000],
    });
    assert.deepEqual(objectStoreReach(minio("https://s3.example.net"), ["198.51.100.0/24"]), {
      in: "addresses",
      cidrs: ["198.51.100.0/24"],
      ports: [443],
    });
    assert.equal(objectStoreReach({ type: "filesystem" }, []), undefined);
  });
});
