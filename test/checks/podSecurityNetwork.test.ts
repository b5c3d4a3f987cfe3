/**
 * The Pod Security and NetworkPolicy checks on the rendered stack, each shown to pass on a good case and to fail, with its message, on one change. The egress side is in egressChecks.test.ts.
 */
import { strict as assert } from "assert";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import { checkPodSecurity } from "../../checks/podSecurity";
import { checkNetworkPolicies } from "../../checks/networkPolicies";
import {
  PARKED_NODE_SELECTOR,
  podSecurityLabels,
  NETWORK_POLICIES_DEFERRED,
  POD_SECURITY_DEFERRED,
} from "../../builders/security/podSecurity";
import { defaultDenyIngress, networkPolicy, type Guarded } from "../../builders/security/networkPolicies";
import { daemonSet, NS } from "../support/objects";
import { at, service, configMap } from "../support/checkCases";
import { mergeProblems } from "../../synth/report";
import { refusedAgentsCause } from "@homelab-observability/contract";

describe("rendered-stack checks (unit): Pod Security and NetworkPolicies", () => {
  describe("Pod Security levels", () => {
    const namespace = (name: string, labels: Record<string, string>): Placed =>
      at({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }, "urn:ns", "resource ns");
    const plain = (): K8sObject => ({ ...daemonSet("app", 8080, false), kind: "Deployment" });
    const agent = (): K8sObject => ({
      ...daemonSet("agent", 9100),
      metadata: { name: "agent", namespace: "agents" },
    });
    const good = () => [
      namespace(NS, podSecurityLabels("baseline", "restricted")),
      namespace("agents", podSecurityLabels("privileged")),
      at(plain()),
      at(agent()),
    ];
    it("passes pods at the level they need, versions pinned", () => {
      const r = checkPodSecurity(good());
      assert.deepEqual(r.findings, []);
      assert.equal(r.pods, 2);
    });
    it("fails a pod that passes baseline in a namespace enforcing privileged", () => {
      const objects = [...good(), at({ ...plain(), metadata: { name: "web", namespace: "agents" } })];
      const f = checkPodSecurity(objects).findings;
      assert.equal(f.length, 1);
      assert.match(
        f[0].message,
        /enforces privileged, but Deployment agents\/web \(release a\) passes baseline/,
      );
    });
    it("fails a pod its namespace's level refuses, naming why", () => {
      const objects = [...good(), at({ ...agent(), metadata: { name: "ne", namespace: NS } })];
      assert.match(
        checkPodSecurity(objects).findings[0].message,
        /namespace monitoring enforces baseline, which refuses this pod: hostNetwork: true/,
      );
      const hostPath = plain();
      hostPath.spec.template.spec.volumes = [{ name: "logs", hostPath: { path: "/var/log" } }];
      const [byHostPath] = checkPodSecurity([...good(), at(hostPath, "urn:b")]).findings;
      assert.match(byHostPath.message, /hostPath volumes \/var\/log/);
      // The pack names the same refusal from the release's values: one mistake of the namespace.
      assert.equal(byHostPath.cause, refusedAgentsCause(NS));
      const unconfined = plain();
      unconfined.spec.template.spec.securityContext = { seccompProfile: { type: "Unconfined" } };
      const [byProfile] = checkPodSecurity([...good(), at(unconfined, "urn:b")]).findings;
      assert.match(byProfile.message, /seccompProfile Unconfined/);
      assert.equal(byProfile.cause, undefined);
    });
    it("fails a level without a pinned version, and a namespace without a level", () => {
      const objects = good();
      objects[0].obj.metadata.labels!["pod-security.kubernetes.io/enforce-version"] = "latest";
      assert.match(
        checkPodSecurity(objects).findings[0].message,
        /enforce level's version is latest: pin it/,
      );
      const bare = [namespace(NS, {}), at(plain())];
      assert.match(checkPodSecurity(bare).findings[0].message, /enforces no Pod Security level/);
    });
    it("lets privileged stand where it is deferred (a takeover's adopted agent) only while a pod there needs it", () => {
      const adopting = (withAgent: boolean) => {
        const ns = namespace(NS, podSecurityLabels("privileged"));
        ns.obj.metadata.annotations = { [POD_SECURITY_DEFERRED]: "until handover" };
        const there = { ...agent(), metadata: { name: "alloy", namespace: NS } };
        return [ns, at(plain()), ...(withAgent ? [at(there, "urn:alloy")] : [])];
      };
      assert.deepEqual(checkPodSecurity(adopting(true)).findings, []);
      assert.match(
        checkPodSecurity(adopting(false))
          .findings.map((f) => f.message)
          .join("\n"),
        /enforces privileged, but .* passes baseline/,
      );
    });
    it("lets nothing stand on a namespace a chart renders, whatever its annotations (a user's chartValues)", () => {
      const rendered = (annotated: boolean): Placed[] => [
        at(
          {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
              name: "apps",
              labels: podSecurityLabels("privileged"),
              annotations: annotated ? { [POD_SECURITY_DEFERRED]: "x" } : {},
            },
          },
          "urn:grafana",
          "release grafana",
        ),
        at({ ...agent(), metadata: { name: "agent", namespace: "apps" } }, "urn:grafana", "release grafana"),
        at({ ...plain(), metadata: { name: "web", namespace: "apps" } }, "urn:grafana", "release grafana"),
      ];
      for (const annotated of [false, true])
        assert.match(
          checkPodSecurity(rendered(annotated))
            .findings.map((f) => f.message)
            .join("\n"),
          /enforces privileged, but Deployment apps\/web \(release grafana\) passes baseline/,
          `annotated: ${annotated}`,
        );
    });
    it("does not judge a parked DaemonSet (it runs no pod)", () => {
      const parked: K8sObject = { ...agent(), metadata: { name: "old", namespace: NS } };
      parked.spec.template.spec.nodeSelector = { ...PARKED_NODE_SELECTOR };
      assert.deepEqual(checkPodSecurity([...good(), at(parked, "urn:old")]).findings, []);
    });
  });

  describe("NetworkPolicies", () => {
    const deployment = (
      name: string,
      namespace: string,
      labels: Record<string, string>,
      config?: string,
    ): K8sObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace },
      spec: {
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [{ name: "main", ports: [{ name: "http", containerPort: 8080 }] }],
            ...(config ? { volumes: [{ name: "config", configMap: { name: config } }] } : {}),
          },
        },
      },
    });
    const server = { app: "server" };
    const client = { app: "client" };
    const guarded = (
      from: Guarded["ingress"][number]["from"],
      ports: (string | number)[] = ["http"],
    ): Guarded => ({
      name: "server",
      namespace: NS,
      pods: server,
      ingress: [{ from, ports, why: "client -> server" }],
    });
    const stack = (policy: Guarded | undefined, clientNs = NS): Placed[] => [
      at(deployment("server", NS, server)),
      at(service("server", server, 8080, "http")),
      at(deployment("client", clientNs, client, "client-config"), "urn:c", "release c"),
      at(
        {
          ...configMap("client-config", { url: `http://server.${NS}.svc.cluster.local:8080/push` }),
          metadata: { name: "client-config", namespace: clientNs },
        },
        "urn:c",
        "release c",
      ),
      at(defaultDenyIngress(NS) as K8sObject, "urn:np", "resource np"),
      ...(policy ? [at(networkPolicy(policy) as K8sObject, "urn:np", "resource np")] : []),
    ];
    it("passes a stack whose policies allow exactly the addresses it dials", () => {
      const r = checkNetworkPolicies(stack(guarded([{ namespace: NS, pods: client }])));
      assert.deepEqual(r.findings, []);
      assert.equal(r.allowed, 1);
    });
    it("fails an address its target's policies do not allow, and the rule nothing uses", () => {
      const f = checkNetworkPolicies(stack(guarded([{ namespace: NS, pods: client }], [9999]))).findings;
      assert.equal(f.length, 2, f.map((x) => x.message).join("\n"));
      assert.match(
        f[0].message,
        /http:\/\/server\.monitoring\.svc\.cluster\.local:8080: no NetworkPolicy of monitoring lets it reach Deployment monitoring\/server \(release a\) on port 8080 \(http\)/,
      );
      assert.match(
        f[1].message,
        /ingress rule 0 \(\[9999\] from 1 peer\(s\)\) allows what no address or scrape of the stack uses/,
      );
    });
    it("a server in the host's network: the rule written for its pods and the Pod Security refusal are one mistake", () => {
      const objects = stack(guarded([{ namespace: NS, pods: client }]));
      objects[0].obj.spec.template.spec.hostNetwork = true;
      const ns = at(
        {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: NS, labels: podSecurityLabels("baseline") },
        },
        "urn:ns",
        "resource ns",
      );
      const refused = checkPodSecurity([ns, ...objects]).findings;
      const unused = checkNetworkPolicies(objects).findings;
      assert.equal(refused.length, 1, JSON.stringify(refused));
      assert.match(unused[0].message, /ingress rule 0 .* allows what no address or scrape of the stack uses/);
      assert.ok(refused[0].cause, "the refusal names its cause");
      assert.equal(unused[0].cause, refused[0].cause);
      const merged = mergeProblems([], [...refused, ...unused]).findings;
      assert.equal(merged.length, 1, JSON.stringify(merged));
      assert.deepEqual(merged[0].alsoAt, [
        "[network-policy] NetworkPolicy monitoring/server (resource np): ingress rule 0",
      ]);
    });
    const ingressTo = (service: string): K8sObject => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: "server", namespace: NS },
      spec: {
        rules: [
          {
            host: "server.example.net",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: service, port: { number: 8080 } } },
                },
              ],
            },
          },
        ],
      },
    });
    const exposed = (from: Guarded["ingress"][number]["from"]): Placed[] => [
      at(deployment("server", NS, server)),
      at(service("server", server, 8080, "http")),
      at(ingressTo("server")),
      at(defaultDenyIngress(NS) as K8sObject, "urn:np", "resource np"),
      at(networkPolicy(guarded(from)) as K8sObject, "urn:np", "resource np"),
    ];
    it("passes an Ingress whose backend's pods admit the controller's namespace, and counts that rule as used", () => {
      const r = checkNetworkPolicies(exposed([{ namespace: "ingress-nginx", pods: {} }]));
      assert.deepEqual(r.findings, []);
      assert.equal(r.allowed, 1);
    });
    it("fails an Ingress whose backend's pods admit nothing from outside the stack", () => {
      const f = checkNetworkPolicies(exposed([{ namespace: NS, pods: client }])).findings.map(
        (x) => x.message,
      );
      assert.ok(
        f.some((m) =>
          /no NetworkPolicy of monitoring admits the ingress controller's \(or gateway's\) namespace to Deployment monitoring\/server/.test(
            m,
          ),
        ),
        f.join("\n"),
      );
    });
    it("fails a rule admitting a whole outside namespace when no Ingress or HTTPRoute needs it", () => {
      const objects = exposed([{ namespace: "ingress-nginx", pods: {} }]).filter(
        (p) => p.obj.kind !== "Ingress",
      );
      const f = checkNetworkPolicies(objects).findings.map((x) => x.message);
      assert.ok(
        f.some((m) => /allows what no address or scrape of the stack uses/.test(m)),
        f.join("\n"),
      );
    });
    it("fails a Service whose pods no policy selects (a default-deny alone is not one)", () => {
      const objects = stack(undefined).filter((p) => p.obj.kind !== "NetworkPolicy");
      const f = checkNetworkPolicies(objects).findings;
      assert.equal(f.length, 1);
      assert.match(
        f[0].message,
        /its pods \(Deployment monitoring\/server \(release a\)\) are selected by no NetworkPolicy/,
      );
    });
    it("judges peers in another namespace by their namespace's name", () => {
      const across = guarded([{ namespace: "agents", pods: client }]);
      assert.deepEqual(checkNetworkPolicies(stack(across, "agents")).findings, []);
      // The same rule naming the wrong namespace lets nothing in.
      const wrong = checkNetworkPolicies(
        stack(guarded([{ namespace: NS, pods: client }]), "agents"),
      ).findings;
      assert.match(wrong[0].message, /no NetworkPolicy of monitoring lets it reach/);
    });
    it("requires every scraper to reach every monitored port", () => {
      const prometheus: K8sObject = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Prometheus",
        metadata: { name: "p", namespace: NS },
        spec: {},
      };
      const monitor: K8sObject = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "ServiceMonitor",
        metadata: { name: "server", namespace: NS },
        spec: { selector: { matchLabels: { app: "server" } }, endpoints: [{ port: "http" }] },
      };
      const labelled = {
        ...service("server", server, 8080, "http"),
        metadata: { name: "server", namespace: NS, labels: { app: "server" } },
      };
      const base = (g: Guarded) => {
        const objects = [
          ...stack(g).filter((p) => p.obj.kind !== "Service"),
          at(labelled),
          at(monitor),
          at(prometheus, "urn:p", "release p"),
        ];
        return checkNetworkPolicies(objects, operatorObjects(objects));
      };
      const withScraper = guarded([
        { namespace: NS, pods: client },
        { namespace: NS, pods: { "operator.prometheus.io/name": "p" } },
      ]);
      assert.deepEqual(base(withScraper).findings, []);
      const f = base(guarded([{ namespace: NS, pods: client }])).findings;
      assert.match(
        f[0].message,
        /scrape of ServiceMonitor monitoring\/server .*no NetworkPolicy of monitoring lets it reach/,
      );
    });
    it("leaves host-network pods and a deferred namespace alone", () => {
      const hostNet = [at(daemonSet("ne", 9100)), at(service("ne", { app: "ne" }, 9100, 9100))];
      assert.deepEqual(checkNetworkPolicies(hostNet).findings, []);
      const deferred = at(
        {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: NS, annotations: { [NETWORK_POLICIES_DEFERRED]: "deferred" } },
        },
        "urn:ns",
        "resource ns",
      );
      const objects = [...stack(undefined).filter((p) => p.obj.kind !== "NetworkPolicy"), deferred];
      const r = checkNetworkPolicies(objects);
      assert.deepEqual(r.findings, []);
      assert.deepEqual(r.deferred, [NS]);
      // The same Namespace rendered by a chart (a stack file's extraObjects) defers nothing.
      const fromChart = at(deferred.obj, "urn:rel-a", "release a");
      const judged = checkNetworkPolicies([
        ...stack(undefined).filter((p) => p.obj.kind !== "NetworkPolicy"),
        fromChart,
      ]);
      assert.deepEqual(judged.deferred, []);
      assert.notDeepEqual(judged.findings, []);
    });
  });
});
