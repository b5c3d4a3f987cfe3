/**
 * The egress side of the NetworkPolicy check (checks/networkPolicies.ts, check id
 * `network-egress`) on small stacks: a client's egress rules must admit every address it dials,
 * and admit nothing beyond the edges, the cluster DNS, the API server (for pods holding RBAC), the
 * object store and Alertmanager's receivers. NetworkPolicy semantics are the API's
 * (networking.k8s.io/v1 NetworkPolicyEgressRule: no `to` or no `ports` means all).
 */
import { strict as assert } from "assert";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import {
  defaultDenyIngress,
  networkPolicy,
  type EgressRule,
  type Guarded,
} from "../../builders/security/networkPolicies";
import { CLUSTER_DNS } from "../../model/endpoints";
import { daemonSet, NS } from "../support/objects";

const at = (obj: K8sObject, urn = "urn:rel-a", source = "release a"): Placed => ({ obj, urn, source });

const server = { app: "server" };
const client = { app: "client" };

function deployment(
  name: string,
  labels: Record<string, string>,
  extra: { config?: string; serviceAccountName?: string; image?: string } = {},
): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...(extra.serviceAccountName ? { serviceAccountName: extra.serviceAccountName } : {}),
          containers: [
            {
              name: "main",
              ...(extra.image ? { image: extra.image } : {}),
              ports: [{ name: "http", containerPort: 8080 }],
            },
          ],
          ...(extra.config ? { volumes: [{ name: "config", configMap: { name: extra.config } }] } : {}),
        },
      },
    },
  };
}

const dns: EgressRule = {
  to: [{ namespace: CLUSTER_DNS.namespace, pods: { ...CLUSTER_DNS.pods } }],
  ports: [
    { port: 53, protocol: "UDP" },
    { port: 53, protocol: "TCP" },
  ],
  kind: "dns",
  why: "-> cluster DNS",
};
const toServer: EgressRule = {
  to: [{ namespace: NS, pods: server }],
  ports: [{ port: "http" }],
  kind: "edge",
  why: "client -> server",
};

/** A server the client dials (its config names the server's Service and the cluster DNS). */
function stack(
  clientEgress: EgressRule[],
  opts: { serverEgress?: EgressRule[]; config?: string; enforced?: boolean; extra?: Placed[] } = {},
): Placed[] {
  const guard = (name: string, pods: Record<string, string>, g: Partial<Guarded>): Guarded => ({
    name,
    namespace: NS,
    pods,
    ingress: [],
    egressEnforced: opts.enforced,
    ...g,
  });
  const policies: Guarded[] = [
    guard("server", server, {
      ingress: [{ from: [{ namespace: NS, pods: client }], ports: ["http"], why: "client -> server" }],
      egress: opts.serverEgress ?? [dns],
    }),
    guard("client", client, { egress: clientEgress }),
  ];
  return [
    at(deployment("server", server)),
    at({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "server", namespace: NS },
      spec: { selector: server, ports: [{ name: "http", port: 8080, targetPort: "http" }] },
    }),
    at(deployment("client", client, { config: "client-config" }), "urn:c", "release c"),
    at(
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "client-config", namespace: NS },
        data: {
          url: opts.config ?? `http://server.${NS}.svc.cluster.local:8080/push`,
          resolver: "kube-dns.kube-system.svc.cluster.local.",
        },
      },
      "urn:c",
      "release c",
    ),
    at(defaultDenyIngress(NS) as K8sObject, "urn:np", "resource np"),
    ...policies.map((g) => at(networkPolicy(g) as K8sObject, "urn:np", "resource np")),
    ...(opts.extra ?? []),
  ];
}

const egressFindings = (objects: Placed[]) =>
  checkNetworkPolicies(objects).findings.filter((f) => f.check === "network-egress");

describe("egress NetworkPolicies (network-egress)", () => {
  it("admits a stack whose egress allows exactly what its configs dial, the cluster DNS included", () => {
    const r = checkNetworkPolicies(stack([dns, toServer]));
    assert.deepEqual(r.findings, []);
    // client -> server:8080, client -> CoreDNS 53/UDP and 53/TCP.
    assert.equal(r.egressAllowed, 3);
    assert.equal(r.allowed, 1);
  });

  it("names the client, the address and the missing egress when an edge is dropped from egress", () => {
    const f = egressFindings(stack([dns], { enforced: true }));
    assert.equal(f.length, 1, f.map((x) => x.message).join("\n"));
    assert.equal(f[0].where, "Deployment monitoring/client (release c)");
    assert.match(
      f[0].message,
      /^http:\/\/server\.monitoring\.svc\.cluster\.local:8080: no egress rule of monitoring\/client lets Deployment monitoring\/client \(release c\) out to Deployment monitoring\/server on port 8080 \(http\)$/,
    );
  });

  it("requires the cluster DNS on UDP for a config that resolves through kube-dns", () => {
    const f = egressFindings(stack([toServer], { enforced: true }));
    assert.ok(
      f.some((x) =>
        /kube-dns\.kube-system\.svc\.cluster\.local\.: no egress rule .* out to Service kube-system\/kube-dns on port 53\/UDP/.test(
          x.message,
        ),
      ),
      f.map((x) => x.message).join("\n"),
    );
  });

  it("warns once of a connection several clients make from one config text, naming each client (audit hAg2)", () => {
    // One config text in two releases' ConfigMaps (a chartValues override of alloy.configMap.content
    // reaches every Alloy release): one connection to another namespace's Service, one warning.
    const config = "pg.db.svc:5432";
    const other = { app: "other" };
    const extra = [
      at(deployment("other", other, { config: "other-config" }), "urn:o", "release o"),
      at(
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "other-config", namespace: NS },
          data: { url: config },
        },
        "urn:o",
        "release o",
      ),
      at(
        networkPolicy({ name: "other", namespace: NS, pods: other, ingress: [], egress: [dns] }) as K8sObject,
        "urn:np",
        "resource np",
      ),
    ];
    const r = checkNetworkPolicies(stack([dns, toServer], { config, extra }));
    assert.deepEqual(r.warnings, [
      "[network-egress] pg.db.svc:5432: no egress rule lets Deployment monitoring/client (release c) under monitoring/client, Deployment monitoring/other (release o) under monitoring/other out to Service db/pg on port 5432; nothing blocks it while egress is rendered, not enforced (network.egress: rendered), but network.egress: enforced would",
    ]);
  });

  it("names a client once when its config dials the same address in several places", () => {
    // Loki's config names its memberlist and backend addresses in several blocks: one client, one connection.
    const config = "pg.db.svc:5432\nreplica: pg.db.svc:5432\nbackup: pg.db.svc:5432";
    const r = checkNetworkPolicies(stack([dns, toServer], { config }));
    assert.deepEqual(r.warnings, [
      "[network-egress] pg.db.svc:5432: no egress rule of monitoring/client lets Deployment monitoring/client (release c) out to Service db/pg on port 5432; nothing blocks it while egress is rendered, not enforced (network.egress: rendered), but network.egress: enforced would",
    ]);
  });

  it("warns, never fails, of a connection no egress rule admits while egress is only rendered (nothing blocks it)", () => {
    // The client dials a database of another namespace, which no rule of the stack names.
    const config = `http://server.${NS}.svc.cluster.local:8080 pg.db.svc:5432`;
    const rendered = checkNetworkPolicies(stack([dns, toServer], { config }));
    assert.deepEqual(rendered.findings, []);
    assert.deepEqual(rendered.warnings, [
      "[network-egress] pg.db.svc:5432: no egress rule of monitoring/client lets Deployment monitoring/client (release c) out to Service db/pg on port 5432; nothing blocks it while egress is rendered, not enforced (network.egress: rendered), but network.egress: enforced would",
    ]);
    // Enforced, the network plugin would drop it: a finding.
    const enforced = checkNetworkPolicies(stack([dns, toServer], { config, enforced: true }));
    assert.deepEqual(enforced.warnings, []);
    assert.deepEqual(
      enforced.findings.map((f) => `${f.check} ${f.message}`),
      [
        "network-egress pg.db.svc:5432: no egress rule of monitoring/client lets Deployment monitoring/client (release c) out to Service db/pg on port 5432",
      ],
    );
  });

  it("judges the egress rules whether or not policyTypes enforces them, and counts the ones that do not", () => {
    const rendered = checkNetworkPolicies(stack([dns, toServer]));
    assert.equal(rendered.egressNotEnforced, 2);
    const enforced = checkNetworkPolicies(stack([dns, toServer], { enforced: true }));
    assert.equal(enforced.egressNotEnforced, 0);
    assert.deepEqual(enforced.findings, []);
    const policy = networkPolicy({ name: "x", namespace: NS, pods: client, ingress: [], egress: [dns] });
    assert.deepEqual(policy.spec.policyTypes, ["Ingress"]);
    assert.deepEqual(
      networkPolicy({
        name: "x",
        namespace: NS,
        pods: client,
        ingress: [],
        egress: [dns],
        egressEnforced: true,
      }).spec.policyTypes,
      ["Ingress", "Egress"],
    );
  });

  it("fails an edge rule nothing dials", () => {
    const spare: EgressRule = { ...toServer, ports: [{ port: 9999 }] };
    const f = egressFindings(stack([dns, toServer, spare]));
    assert.equal(f.length, 1, f.map((x) => x.message).join("\n"));
    assert.match(f[0].message, /egress rule 2 \(edge\) \(\[9999\] to 1 peer\(s\)\) admits what no address/);
  });

  it("fails a DNS rule that admits more or other than CoreDNS on 53 UDP and TCP", () => {
    const wide: EgressRule = { ...dns, to: [{ namespace: "kube-system" }] };
    const f = egressFindings(stack([wide, toServer]));
    assert.ok(
      f.some((x) => /egress rule 0 \(dns\) admits more or other than CoreDNS/.test(x.message)),
      f.map((x) => x.message).join("\n"),
    );
  });

  it("reaches an object store outside the stack only through a rule naming its namespace and port", () => {
    const store = `http://minio.storage.svc.cluster.local:9000`;
    const os: EgressRule = {
      to: [{ namespace: "storage" }],
      ports: [{ port: 9000 }],
      kind: "object-store",
      why: "-> object store",
    };
    assert.deepEqual(
      egressFindings(
        stack([dns, toServer, os], { config: `${store} http://server.${NS}.svc.cluster.local:8080` }),
      ),
      [],
    );
    const f = egressFindings(
      stack([dns, toServer], {
        config: `${store} http://server.${NS}.svc.cluster.local:8080`,
        enforced: true,
      }),
    );
    assert.match(
      f[0].message,
      /minio\.storage\.svc\.cluster\.local:9000: no egress rule .* out to Service storage\/minio on port 9000/,
    );
    // Nobody dials it: the rule admits an object store nothing uses.
    const unused = egressFindings(stack([dns, toServer, os]));
    assert.match(
      unused[0].message,
      /egress rule 2 \(object-store\) admits an object store no config of its pods dials/,
    );
  });

  it("admits the API server exactly to the pods that hold RBAC", () => {
    const api: EgressRule = {
      to: [{ cidr: "192.0.2.10/32" }],
      ports: [{ port: 6443 }],
      kind: "api",
      why: "-> API",
    };
    const rbac = [
      at({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "r", namespace: NS },
        rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
      }),
      at({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "r", namespace: NS },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "r" },
        subjects: [{ kind: "ServiceAccount", name: "client", namespace: NS }],
      }),
    ];
    const withSa = (objects: Placed[]) =>
      objects.map((p) =>
        p.obj.kind === "Deployment" && p.obj.metadata.name === "client"
          ? at(
              deployment("client", client, { config: "client-config", serviceAccountName: "client" }),
              "urn:c",
              "release c",
            )
          : p,
      );
    assert.deepEqual(egressFindings(withSa(stack([dns, toServer, api], { extra: rbac }))), []);
    const refused = egressFindings(withSa(stack([dns, toServer], { extra: rbac })));
    assert.match(
      refused[0].message,
      /calls the Kubernetes API \(ServiceAccount monitoring\/client: Role r via RoleBinding r\) but no egress rule of monitoring\/client admits the API server/,
    );
    const extra = egressFindings(stack([dns, toServer], { serverEgress: [dns, api] }));
    assert.match(
      extra[0].message,
      /egress rule 1 \(api\) admits the Kubernetes API to Deployment monitoring\/server \(release a\), which hold no RBAC/,
    );
  });

  it("admits Alertmanager's receivers to Alertmanager only", () => {
    const receivers: EgressRule = {
      to: [{ cidr: "0.0.0.0/0" }],
      ports: [{ port: 443 }],
      kind: "receivers",
      why: "-> receivers",
    };
    const f = egressFindings(stack([dns, toServer, receivers]));
    assert.match(
      f[0].message,
      /egress rule 2 \(receivers\) admits Alertmanager's receivers to Deployment monitoring\/client/,
    );
    const am = stack([dns, toServer, receivers]).map((p) =>
      p.obj.kind === "Deployment" && p.obj.metadata.name === "client"
        ? at(
            deployment("client", client, {
              config: "client-config",
              image: "quay.io/prometheus/alertmanager:v0.28.1",
            }),
            "urn:c",
            "release c",
          )
        : p,
    );
    assert.deepEqual(egressFindings(am), []);
  });

  it("holds every pod an ingress policy guards to egress rules once its namespace's policies carry them", () => {
    const objects = stack([dns, toServer]).map((p) =>
      p.obj.kind === "NetworkPolicy" && p.obj.metadata.name === "server"
        ? at(
            networkPolicy({
              name: "server",
              namespace: NS,
              pods: server,
              ingress: [
                { from: [{ namespace: NS, pods: client }], ports: ["http"], why: "client -> server" },
              ],
            }) as K8sObject,
            "urn:np",
            "resource np",
          )
        : p,
    );
    const f = egressFindings(objects);
    assert.equal(f.length, 1, f.map((x) => x.message).join("\n"));
    assert.match(
      f[0].message,
      /its pods are guarded on ingress but no policy of monitoring carries egress rules for them/,
    );
  });

  it("reaches a host-network pod only through an ipBlock rule of the node scrapes, on its port", () => {
    const scrape: K8sObject = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "ServiceMonitor",
      metadata: { name: "ne", namespace: NS },
      spec: { selector: { matchLabels: { app: "ne" } }, endpoints: [{ port: "http" }] },
    };
    const prometheus: K8sObject = {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name: "p", namespace: NS },
      spec: {},
    };
    const neSvc: K8sObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "ne", namespace: NS, labels: { app: "ne" } },
      spec: { selector: { app: "ne" }, ports: [{ name: "http", port: 9100, targetPort: 9100 }] },
    };
    const scraper = { "operator.prometheus.io/name": "p" };
    const run = (rules: EgressRule[]) => {
      const objects = [
        at(daemonSet("ne", 9100)),
        at(neSvc),
        at(scrape),
        at(prometheus, "urn:p", "release p"),
        at(
          networkPolicy({
            name: "prometheus",
            namespace: NS,
            pods: scraper,
            ingress: [],
            egress: rules,
            egressEnforced: true,
          }) as K8sObject,
          "urn:np",
          "resource np",
        ),
      ];
      return checkNetworkPolicies(objects, operatorObjects(objects)).findings.filter(
        (f) => f.check === "network-egress",
      );
    };
    const nodes = (port: number): EgressRule => ({
      to: [{ cidr: "192.0.2.0/24" }],
      ports: [{ port }],
      kind: "node-scrape",
      why: "scrapers -> nodes",
    });
    assert.deepEqual(run([dns, nodes(9100)]), []);
    assert.match(run([dns, nodes(9101)])[0].message, /out to DaemonSet monitoring\/ne on port 9100/);
    // A pod selector never reaches the host's network.
    const bySelector: EgressRule = {
      to: [{ namespace: NS, pods: { app: "ne" } }],
      ports: [{ port: 9100 }],
      kind: "edge",
      why: "x",
    };
    assert.match(run([dns, bySelector])[0].message, /out to DaemonSet monitoring\/ne on port 9100/);
  });
});
