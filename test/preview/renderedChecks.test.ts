/**
 * The checks on the rendered stack, each shown to pass on a good case and to fail, with its message,
 * on one change. The stack-wide runs are in rendered.test.ts.
 */
import { strict as assert } from "assert";
import type { ExportResource } from "../../preview/synthesize";
import { operatorObjects, type K8sObject, type Placed } from "../../preview/checks/objects";
import { checkSchemas } from "../../preview/checks/schema";
import { checkDuplicates, checkTransitionDuplicates } from "../../preview/checks/duplicates";
import { checkHostPorts, checkTransitionHostPorts } from "../../preview/checks/hostPorts";
import { checkAddresses } from "../../preview/checks/addresses";
import { checkEnvVars } from "../../preview/checks/envVars";
import { checkOrdering } from "../../preview/checks/ordering";
import { checkPodSecurity } from "../../preview/checks/podSecurity";
import { checkNetworkPolicies } from "../../preview/checks/networkPolicies";
import {
  PARKED_NODE_SELECTOR,
  podSecurityLabels,
  NETWORK_POLICIES_DEFERRED,
} from "../../builders/security/podSecurity";
import { defaultDenyIngress, networkPolicy, type Guarded } from "../../builders/security/networkPolicies";
import { daemonSet, NS } from "../support/objects";
import { checkWrittenPaths } from "../../preview/checks/writtenPaths";
import { checkEngineConfigs } from "../../preview/checks/engineConfigs";
import { checkAlloyRbac } from "../../preview/checks/alloyRbac";
import { checkScrapeAuthz } from "../../preview/checks/scrapeAuthz";
import { mimirConfigMap, mimirWorkloads, type MimirObjectsInput } from "../../builders/metrics/mimirValues";
import { MIMIR_3_0_TARGETS } from "../../upstream/engines/mimirModules";
import { parse, stringify } from "yaml";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkStack } from "../../preview/checks";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const at = (obj: K8sObject, urn = "urn:rel-a", source = "release a"): Placed => ({ obj, urn, source });
const res = (
  urn: string,
  dependencies: string[] = [],
  extra: Partial<ExportResource> = {},
): ExportResource => ({
  urn,
  custom: true,
  type: "kubernetes:helm.sh/v3:Release",
  inputs: {},
  outputs: {},
  ...(dependencies.length ? { dependencies } : {}),
  ...extra,
});

function service(
  name: string,
  selector: Record<string, string>,
  port: number,
  targetPort: number | string,
): K8sObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: NS },
    spec: { selector, ports: [{ name: "http", port, targetPort }] },
  };
}

function configMap(name: string, data: Record<string, string>): K8sObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: NS }, data };
}

const crd: K8sObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { kind: "Widget", plural: "widgets" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              apiVersion: { type: "string" },
              kind: { type: "string" },
              metadata: { type: "object" },
              spec: {
                type: "object",
                required: ["size"],
                properties: {
                  size: { type: "integer", minimum: 1 },
                  port: { "x-kubernetes-int-or-string": true },
                  mode: { type: "string", pattern: "^(?i)(fast|slow)$" },
                  extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                },
              },
            },
          },
        },
      },
    ],
  },
};
const widget: K8sObject = {
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name: "w", namespace: NS },
  spec: { size: 2, port: "http", mode: "FAST", extra: { anything: true } },
};

describe("rendered-stack checks (unit)", () => {
  describe("schema", () => {
    const good = () => [at(daemonSet("ne", 9100)), at(crd, "urn:crds", "release crds"), at(clone(widget))];
    it("passes valid built-in objects and custom resources", () => {
      const r = checkSchemas(good());
      assert.deepEqual(r.findings, []);
      assert.equal(r.builtin, 2);
      assert.equal(r.custom, 1);
    });
    it("fails a built-in object with a wrongly typed field (kubernetes-models)", () => {
      const objs = good();
      objs[0].obj.spec.template.spec.containers[0].ports[0].containerPort = "9100";
      const f = checkSchemas(objs).findings;
      assert.equal(f.length, 1);
      assert.match(f[0].message, /containerPort must be integer/);
    });
    it("fails a kind Kubernetes does not serve", () => {
      const objs = good();
      objs[0].obj.kind = "DaemonSett";
      assert.match(
        checkSchemas(objs).findings[0].message,
        /apps\/v1 DaemonSett is not a kind Kubernetes serves/,
      );
    });
    it("fails a custom resource against its CRD: type, required, unknown field, pattern", () => {
      for (const [mutate, expect] of [
        [(w: any) => (w.spec.size = 0), /\/spec\/size must be >= 1/],
        [(w: any) => delete w.spec.size, /must have required property 'size'/],
        [(w: any) => (w.spec.sise = 3), /sise: unknown, the API server drops it/],
        [(w: any) => (w.spec.mode = "medium"), /\/spec\/mode must match pattern/],
        [(w: any) => (w.spec.port = true), /\/spec\/port must be integer,string/],
      ] as [(w: any) => void, RegExp][]) {
        const objs = good();
        mutate(objs[2].obj);
        const f = checkSchemas(objs).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, expect);
      }
    });
    it("fails a custom resource whose CRD the stack does not ship", () => {
      const f = checkSchemas([at(clone(widget))]).findings;
      assert.match(f[0].message, /no CRD of the stack defines Widget.example.com/);
    });
    const route = (): K8sObject => ({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "grafana", namespace: NS },
      spec: {
        parentRefs: [{ name: "public", namespace: "gateways" }],
        hostnames: ["grafana.example.net"],
        rules: [{ backendRefs: [{ name: "grafana", port: 80, group: "", kind: "Service", weight: 1 }] }],
      },
    });
    it("passes an HTTPRoute against the Gateway API's own schema (the cluster provides its CRD)", () => {
      const r = checkSchemas([at(route())]);
      assert.deepEqual(r.findings, []);
      assert.equal(r.custom, 1);
    });
    it("fails an HTTPRoute with a host name or port the Gateway API refuses", () => {
      const bad = route();
      bad.spec.hostnames = ["Grafana.Example.NET!"];
      bad.spec.rules[0].backendRefs[0].port = "http";
      const f = checkSchemas([at(bad)]).findings;
      assert.equal(f.length, 1);
      assert.match(f[0].message, /\/spec\/hostnames\/0 must match pattern/);
      assert.match(f[0].message, /\/spec\/rules\/0\/backendRefs\/0\/port must be integer/);
    });
  });

  describe("duplicates", () => {
    it("fails the same kind/namespace/name from two sources, cluster-scoped namespace ignored", () => {
      const a = at(configMap("x", {}));
      const b = at(configMap("x", {}), "urn:b", "resource b");
      assert.deepEqual(checkDuplicates([a, at(configMap("y", {}), "urn:b")]), []);
      assert.match(
        checkDuplicates([a, b])[0].message,
        /ConfigMap monitoring\/x is rendered 2 times: .*release a.*resource b/,
      );
      const c1 = at({ ...clone(crd), metadata: { name: crd.metadata.name, namespace: "one" } });
      const c2 = at({ ...clone(crd), metadata: { name: crd.metadata.name, namespace: "two" } }, "urn:b");
      assert.equal(checkDuplicates([c1, c2]).length, 1);
    });
  });

  describe("duplicates across a transition", () => {
    const cm = (urn: string) => at(configMap("x", {}), urn, urn === "urn:a" ? "release a" : "release b");
    it("fails an object moving to another owner while the old one still holds it", () => {
      // The old owner is deleted at the end of the update.
      const gone = checkTransitionDuplicates(
        { objects: [cm("urn:a")] },
        { objects: [cm("urn:b")], resources: [res("urn:b")] },
      );
      assert.match(
        gone[0].message,
        /ConfigMap monitoring\/x moves from release a to release b while release a still owns it/,
      );
      // The old owner stays and drops it in its update: fine only when the new owner waits.
      const racing = { objects: [cm("urn:b")], resources: [res("urn:a"), res("urn:b")] };
      assert.equal(checkTransitionDuplicates({ objects: [cm("urn:a")] }, racing).length, 1);
      const waiting = { objects: [cm("urn:b")], resources: [res("urn:a"), res("urn:b", ["urn:a"])] };
      assert.deepEqual(checkTransitionDuplicates({ objects: [cm("urn:a")] }, waiting), []);
      // Same owner: an update in place.
      assert.deepEqual(checkTransitionDuplicates({ objects: [cm("urn:b")] }, racing), []);
    });
  });

  describe("host ports", () => {
    it("passes distinct ports and non-host ports; fails two workloads on one host port", () => {
      assert.deepEqual(checkHostPorts([at(daemonSet("a", 9100)), at(daemonSet("b", 9101))]), []);
      assert.deepEqual(checkHostPorts([at(daemonSet("a", 9100)), at(daemonSet("b", 9100, false))]), []);
      const f = checkHostPorts([at(daemonSet("a", 9100)), at(daemonSet("b", 9100), "urn:b", "release b")]);
      assert.equal(f.length, 1);
      assert.match(
        f[0].message,
        /host port TCP\/9100 is claimed by DaemonSet monitoring\/a \(release a\) and by DaemonSet monitoring\/b \(release b\)/,
      );
    });
    it("across a transition: a deleted release's DaemonSet coexists with the new one until the end", () => {
      const before = {
        objects: [at(daemonSet("kps-ne", 9100), "urn:kps", "release kps")],
        resources: [res("urn:kps")],
      };
      const after = {
        objects: [at(daemonSet("ne", 9100), "urn:ne", "release ne")],
        resources: [res("urn:ne")],
      };
      assert.match(
        checkTransitionHostPorts(before, after)[0].message,
        /during the update, host port TCP\/9100/,
      );
    });
    it("across a transition: an updated release dropping its DaemonSet clashes unless the new claimer waits for it", () => {
      const before = {
        objects: [at(daemonSet("kps-ne", 9100), "urn:kps", "release kps")],
        resources: [res("urn:kps")],
      };
      const newDs = at(daemonSet("ne", 9100), "urn:ne", "release ne");
      const racing = { objects: [newDs], resources: [res("urn:kps"), res("urn:ne")] };
      assert.equal(checkTransitionHostPorts(before, racing).length, 1);
      const waiting = { objects: [newDs], resources: [res("urn:kps"), res("urn:ne", ["urn:kps"])] };
      assert.deepEqual(checkTransitionHostPorts(before, waiting), []);
    });
    it("a parked DaemonSet (on no node) claims no host port", () => {
      const parked = daemonSet("old", 9100);
      parked.spec.template.spec.nodeSelector = { ...PARKED_NODE_SELECTOR };
      assert.deepEqual(checkHostPorts([at(parked, "urn:old"), at(daemonSet("new", 9100), "urn:new")]), []);
    });
    it("across a transition: a DaemonSet parked in place still holds its port until its release's update is done", () => {
      const before = {
        objects: [at(daemonSet("ne", 9100), "urn:old", "release old")],
        resources: [res("urn:old")],
      };
      const parked = clone(daemonSet("ne", 9100));
      parked.spec.template.spec.nodeSelector = { ...PARKED_NODE_SELECTOR };
      const moved = { ...daemonSet("ne", 9100), metadata: { name: "ne", namespace: "agents" } };
      const objects = [at(parked, "urn:old", "release old"), at(moved, "urn:new", "release new")];
      const racing = { objects, resources: [res("urn:old"), res("urn:new")] };
      assert.match(
        checkTransitionHostPorts(before, racing)[0].message,
        /host port TCP\/9100 is claimed by DaemonSet monitoring\/ne \(release old\) and by DaemonSet agents\/ne \(release new\)/,
      );
      const waiting = { objects, resources: [res("urn:old"), res("urn:new", ["urn:old"])] };
      assert.deepEqual(checkTransitionHostPorts(before, waiting), []);
    });
    it("across a transition: the same object updated in place is no clash", () => {
      const side = { objects: [at(daemonSet("ne", 9100), "urn:ne")], resources: [res("urn:ne")] };
      assert.deepEqual(checkTransitionHostPorts(side, clone(side)), []);
    });
  });

  describe("addresses", () => {
    const pod = daemonSet("loki", 3100, false);
    pod.spec.template.spec.containers[0].ports[0].name = "http-metrics";
    const good = () => [
      at(clone(pod)),
      at(service("loki", { app: "loki" }, 3100, "http-metrics")),
      at(
        configMap("agent", {
          "config.alloy": 'url = "http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push"',
        }),
      ),
    ];
    it("resolves an address to a Service port backed by a pod port (by name)", () => {
      const r = checkAddresses(good());
      assert.deepEqual(r.findings, []);
      assert.equal(r.resolved.length, 1);
      assert.equal(r.resolved[0].service, "loki");
      assert.equal(r.resolved[0].port, 3100);
    });
    it("fails a missing Service, a missing port, an empty selector and an unserved target port", () => {
      const cases: [(o: Placed[]) => void, RegExp][] = [
        [
          (o) => (o[2].obj.data["config.alloy"] = 'url = "http://lokii.monitoring.svc:3100"'),
          /no Service monitoring\/lokii/,
        ],
        [
          (o) => (o[2].obj.data["config.alloy"] = 'url = "http://loki.monitoring.svc"'),
          /has no port 80 \(it exposes 3100\)/,
        ],
        [(o) => (o[1].obj.spec.selector = { app: "other" }), /selects no pod/],
        [
          (o) => (o[1].obj.spec.ports[0].targetPort = "grpc"),
          /sends port 3100 to grpc, which no selected pod/,
        ],
      ];
      for (const [mutate, expect] of cases) {
        const objs = good();
        mutate(objs);
        const f = checkAddresses(objs).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, expect);
      }
    });
    it("resolves pod DNS names of headless Services and Services the operators create", () => {
      const vm = at({
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMAlertmanager",
        metadata: { name: "vm", namespace: NS },
      });
      const user = at(
        configMap("c", {
          u: "http://vmalertmanager-vm-0.vmalertmanager-vm.monitoring.svc.cluster.local.:9093",
        }),
      );
      assert.equal(checkAddresses([vm, user]).findings.length, 1);
      const r = checkAddresses([vm, user], operatorObjects([vm]));
      assert.deepEqual(r.findings, []);
      assert.equal(r.resolved[0].service, "vmalertmanager-vm");
    });
    it("checks a Prometheus's Alertmanagers, named by Service and port name", () => {
      const prom = (port: string) =>
        at({
          apiVersion: "monitoring.coreos.com/v1",
          kind: "Prometheus",
          metadata: { name: "p", namespace: NS },
          spec: { alerting: { alertmanagers: [{ name: "loki", namespace: NS, port }] } },
        });
      const objs = good().slice(0, 2);
      assert.deepEqual(checkAddresses([...objs, prom("http")]).findings, []);
      assert.match(checkAddresses([...objs, prom("http-web")]).findings[0].message, /has no port http-web/);
    });
    it("reports addresses outside the stack's namespaces as external, and kube-dns as the cluster's", () => {
      const objs = good();
      objs[2].obj.data.x =
        "endpoint: http://minio.storage.svc.cluster.local:9000 resolver kube-dns.kube-system.svc.cluster.local.";
      objs.push(
        at({
          ...service("coredns", { k: "v" }, 9153, 9153),
          metadata: { name: "coredns", namespace: "kube-system" },
        }),
      );
      const r = checkAddresses(objs);
      assert.deepEqual(r.findings, []);
      assert.deepEqual(r.external.map((a) => `${a.service}.${a.namespace}`).sort(), [
        "kube-dns.kube-system",
        "minio.storage",
      ]);
    });
  });

  describe("${VAR} in configs", () => {
    const statefulSet = (args: string[], envFrom: any[], env: any[] = []): K8sObject => ({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "loki", namespace: NS },
      spec: {
        selector: { matchLabels: { app: "loki" } },
        template: {
          metadata: { labels: { app: "loki" } },
          spec: {
            containers: [
              {
                name: "loki",
                image: "docker.io/grafana/loki:3.6.3",
                args,
                envFrom,
                env,
                volumeMounts: [{ name: "config", mountPath: "/etc/loki" }],
              },
            ],
            volumes: [{ name: "config", configMap: { name: "loki" } }],
          },
        },
      },
    });
    const secret = (keys: string[]): K8sObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "creds", namespace: NS },
      data: Object.fromEntries(keys.map((k) => [k, "eA=="])),
    });
    const cfg = at(configMap("loki", { "config.yaml": "access_key_id: ${AWS_ACCESS_KEY_ID}" }));
    const good = () => [
      cfg,
      at(statefulSet(["-config.expand-env=true"], [{ secretRef: { name: "creds" } }])),
      at(secret(["AWS_ACCESS_KEY_ID"]), "urn:s"),
    ];
    it("passes an expanded variable that an existing Secret provides", () => {
      const r = checkEnvVars(good());
      assert.deepEqual(r.findings, []);
      assert.equal(r.checked, 1);
    });
    it("fails without -config.expand-env, without the Secret, without the key, without any source", () => {
      const cases: [Placed[], RegExp][] = [
        [
          [cfg, at(statefulSet([], [{ secretRef: { name: "creds" } }])), at(secret(["AWS_ACCESS_KEY_ID"]))],
          /lacks -config.expand-env=true/,
        ],
        [
          [cfg, at(statefulSet(["-config.expand-env=true"], [{ secretRef: { name: "creds" } }]))],
          /envFrom Secret monitoring\/creds, which nothing in the stack creates/,
        ],
        [
          [
            cfg,
            at(statefulSet(["-config.expand-env=true"], [{ secretRef: { name: "creds" } }])),
            at(secret(["OTHER"])),
          ],
          /is in none of envFrom Secret creds/,
        ],
        [[cfg, at(statefulSet(["-config.expand-env=true"], []))], /is provided by neither env nor envFrom/],
      ];
      for (const [objs, expect] of cases) {
        const f = checkEnvVars(objs).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, expect);
      }
    });
    it("uses the key names a caller knows for Secrets whose data is a secret envelope", () => {
      const hidden: K8sObject = {
        ...secret([]),
        stringData: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" },
      };
      delete hidden.data;
      const objs = [cfg, good()[1], at(hidden)];
      assert.deepEqual(checkEnvVars(objs).findings, [], "unknown keys: existence is all that can be judged");
      const f = checkEnvVars(objs, () => ["SOMETHING_ELSE"]).findings;
      assert.match(f[0].message, /is in none of envFrom/);
    });
  });

  describe("ordering on an empty cluster", () => {
    const crdAt = at(crd, "urn:crds", "release crds");
    const w = at(clone(widget), "urn:app", "release app");
    it("fails a custom resource whose creator does not wait for the CRD's release", () => {
      const f = checkOrdering([crdAt, w], [res("urn:crds"), res("urn:app")]);
      assert.match(f[0].message, /creates Widget.example.com but does not wait for release crds/);
      assert.deepEqual(checkOrdering([crdAt, w], [res("urn:crds"), res("urn:app", ["urn:crds"])]), []);
    });
    it("counts a dependency on a component as one on all its descendants", () => {
      const comp = res("urn:comp", [], { custom: false, type: "homelab:metrics:PrometheusCrds" });
      const crdRel = res("urn:crds", [], { parent: "urn:comp" });
      assert.deepEqual(checkOrdering([crdAt, w], [comp, crdRel, res("urn:app", ["urn:comp"])]), []);
    });
    it("fails a resource creating objects in the stack's namespace without waiting for it", () => {
      const ns = at({ apiVersion: "v1", kind: "Namespace", metadata: { name: NS } }, "urn:ns", "resource ns");
      const cm = at(configMap("c", {}), "urn:app", "release app");
      const f = checkOrdering([ns, cm], [res("urn:ns"), res("urn:app")]);
      assert.equal(f.length, 1);
      assert.match(f[0].message, /creates objects in namespace monitoring but does not wait for resource ns/);
      assert.deepEqual(checkOrdering([ns, cm], [res("urn:ns"), res("urn:app", ["urn:ns"])]), []);
    });
    it("fails a pod reading a Secret that nothing creates, or that it does not wait for", () => {
      const ss = at(
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "g", namespace: NS },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "g",
                    env: [{ name: "P", valueFrom: { secretKeyRef: { name: "admin", key: "p" } } }],
                  },
                ],
              },
            },
          },
        },
        "urn:app",
        "release app",
      );
      const s = at(
        { apiVersion: "v1", kind: "Secret", metadata: { name: "admin", namespace: NS } },
        "urn:s",
        "resource s",
      );
      assert.match(
        checkOrdering([ss], [res("urn:app")])[0].message,
        /reads Secret monitoring\/admin, which nothing in the stack creates/,
      );
      assert.match(checkOrdering([ss, s], [res("urn:app"), res("urn:s")])[0].message, /does not wait for it/);
      assert.deepEqual(checkOrdering([ss, s], [res("urn:app", ["urn:s"]), res("urn:s")]), []);
    });
  });

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
      assert.match(
        checkPodSecurity([...good(), at(hostPath, "urn:b")]).findings[0].message,
        /hostPath volumes \/var\/log/,
      );
      const unconfined = plain();
      unconfined.spec.template.spec.securityContext = { seccompProfile: { type: "Unconfined" } };
      assert.match(
        checkPodSecurity([...good(), at(unconfined, "urn:b")]).findings[0].message,
        /seccompProfile Unconfined/,
      );
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
    });
  });

  describe("paths Mimir and Loki write, and Mimir's modules", () => {
    const res = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } };
    const input = (readWrite = false): MimirObjectsInput => ({
      namespace: NS,
      settings: {
        namespace: NS,
        replicas: 1,
        maxGlobalSeriesPerUser: 1,
        ingestionRate: 1,
        multitenancy: false,
        alertmanagerUrl: "",
        blocksRetention: "1d",
        storage: {
          kind: "s3",
          consumer: "mimir",
          endpoint: "http://minio:9000",
          region: "r",
          plainHttp: true,
          skipVerify: false,
          pathStyle: true,
          locations: { blocks: { bucket: "b" }, ruler: { bucket: "r" } },
          envFrom: [],
          ...(readWrite ? {} : {}),
        },
        ...(readWrite ? { readWrite: { write: 3, backend: 3 } } : {}),
      },
      profile: "standard",
      storageClass: "fast",
      volumeSize: "20Gi",
      ...(readWrite
        ? {
            readWrite: {
              write: { replicas: 3, resources: res, volumeSize: "5Gi" },
              read: { replicas: 2, resources: res },
              backend: { replicas: 3, resources: res, volumeSize: "5Gi" },
            },
          }
        : {}),
    });
    /** The program's own Mimir objects (builders/metrics/mimirValues.ts), as rendered. */
    const mimir = (readWrite = false): Placed[] => {
      const i = input(readWrite);
      const cm = mimirConfigMap(i);
      const w = mimirWorkloads(i);
      return [
        at({ apiVersion: "v1", kind: "ConfigMap", metadata: cm.metadata, data: cm.data }),
        ...w.statefulSets.map((x) =>
          at({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: x.metadata, spec: x.spec as any }),
        ),
        ...w.deployments.map((x) =>
          at({ apiVersion: "apps/v1", kind: "Deployment", metadata: x.metadata, spec: x.spec as any }),
        ),
      ];
    };
    const sts = (objs: Placed[]) => objs.find((p) => p.obj.kind === "StatefulSet")!.obj;
    const container = (o: K8sObject) => o.spec.template.spec.containers[0];
    /** Rewrite the Mimir config file of a set of objects. */
    const withConfig = (objs: Placed[], edit: (c: any) => void): Placed[] =>
      objs.map((p) => {
        if (p.obj.kind !== "ConfigMap") return p;
        const c = parse(p.obj.data["mimir.yaml"]);
        edit(c);
        return at({ ...p.obj, data: { "mimir.yaml": stringify(c) } });
      });

    it("passes the program's Mimir, monolithic and scaled out, judging every path its modules write", () => {
      const mono = checkWrittenPaths(mimir());
      assert.deepEqual(mono.findings, []);
      // -target=all: activity log, TSDB, sync dir, compactor, ruler (no Alertmanager in `all`).
      assert.equal(mono.judged, 5);
      const out = checkWrittenPaths(mimir(true));
      assert.deepEqual(out.findings, []);
      // write: activity + TSDB; read: activity; backend: activity + sync dir + compactor + ruler.
      assert.equal(out.judged, 2 + 1 + 4);
    });
    it("fails on Mimir's default activity log in the working directory /, naming key, path and why", () => {
      const objs = withConfig(mimir(), (c) => delete c.activity_tracker);
      const f = checkWrittenPaths(objs).findings;
      assert.equal(f.length, 1, JSON.stringify(f));
      assert.equal(f[0].check, "written-paths");
      assert.match(
        f[0].message,
        /activity_tracker\.filepath is \/metrics-activity\.log \(activity_tracker\.filepath unset, Mimir's default; .*\), on no volume: the container's root filesystem is read-only/,
      );
      // With a writable root the image's `/` is still root's, and the pod is uid 10001.
      const writable = clone(objs);
      container(sts(writable)).securityContext.readOnlyRootFilesystem = false;
      assert.match(
        checkWrittenPaths(writable).findings[0].message,
        /the image's directories belong to root and the pod runs as uid 10001/,
      );
    });
    it("fails on an activity log on no mounted volume, and a flag wins over the config file", () => {
      const moved = withConfig(mimir(), (c) => (c.activity_tracker.filepath = "/var/log/mimir/activity.log"));
      assert.match(
        checkWrittenPaths(moved).findings[0].message,
        /activity_tracker\.filepath is \/var\/log\/mimir\/activity\.log/,
      );
      const flagged = clone(mimir());
      container(sts(flagged)).args.push("-activity-tracker.filepath=/tmp/a.log");
      const f = checkWrittenPaths(flagged).findings;
      assert.equal(f.length, 1);
      assert.match(f[0].message, /is \/tmp\/a\.log \(flag -activity-tracker\.filepath;/);
    });
    it("fails on a path on a read-only mount, a ConfigMap volume, or a claim the pod's user cannot write", () => {
      const ro = clone(mimir());
      container(sts(ro)).volumeMounts.find((m: any) => m.name === "data").readOnly = true;
      assert.match(checkWrittenPaths(ro).findings[0].message, /on volume data mounted read-only at \/data/);
      const onConfig = withConfig(mimir(), (c) => (c.ruler.rule_path = "/etc/mimir/rules"));
      const f = checkWrittenPaths(onConfig).findings;
      assert.equal(f.length, 1);
      assert.match(
        f[0].message,
        /ruler\.rule_path is \/etc\/mimir\/rules .* on configMap volume config, which the kubelet mounts read-only/,
      );
      const noGroup = clone(mimir());
      delete sts(noGroup).spec.template.spec.securityContext.fsGroup;
      assert.match(
        checkWrittenPaths(noGroup).findings[0].message,
        /on claim data, which uid 10001 can write only with the pod's securityContext\.fsGroup, unset/,
      );
    });
    it("judges the filesystem stores only when their backend is filesystem", () => {
      const fsStore = withConfig(mimir(), (c) => {
        c.common.storage = { backend: "filesystem" };
        delete c.blocks_storage.s3;
        delete c.ruler_storage.s3;
      });
      const f = checkWrittenPaths(fsStore).findings.map((x) => x.message);
      // Mimir's defaults "blocks" and "ruler", relative to `/`.
      assert.equal(f.length, 2, f.join("\n"));
      assert.match(f[0], /blocks_storage\.filesystem\.dir is \/blocks/);
      assert.match(f[1], /ruler_storage\.filesystem\.dir is \/ruler/);
    });
    it("refuses a -target that is no Mimir 3.0 module (the removed read-write targets), reading the module list upstream gives", () => {
      for (const planted of ["write", "read", "backend"]) {
        const objs = clone(mimir());
        container(sts(objs)).args[0] = `-target=${planted}`;
        const f = checkWrittenPaths(objs).findings;
        assert.equal(f.length, 1, JSON.stringify(f));
        assert.match(f[0].message, new RegExp(`-target=${planted}: Mimir 3\\.0 has no module "${planted}"`));
        // Nothing else is judged for a module Mimir does not have: only the activity log is "every".
      }
      // Every module the list names passes, alone or grouped; the program's groups are among them.
      // (The Alertmanager module writes alertmanager.data_dir, which the program never runs: put it on the volume.)
      const objs = withConfig(mimir(), (c) => {
        c.alertmanager = { ...(c.alertmanager ?? {}), data_dir: "/data/alertmanager" };
      });
      container(sts(objs)).args[0] = `-target=${MIMIR_3_0_TARGETS.join(",")}`;
      assert.deepEqual(checkWrittenPaths(objs).findings, []);
    });
    it("Loki: paths under common.path_prefix on the data volume pass; without the volume, or a relative ruler WAL, fail", () => {
      const config = { common: { path_prefix: "/var/loki" }, ruler: { wal: { dir: "/var/loki/ruler-wal" } } };
      const loki = (cfg: any, mounts: any[]): Placed[] => [
        at(configMap("loki", { "config.yaml": stringify(cfg) })),
        at({
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          metadata: { name: "loki", namespace: NS },
          spec: {
            selector: { matchLabels: { app: "loki" } },
            template: {
              metadata: { labels: { app: "loki" } },
              spec: {
                securityContext: { runAsUser: 10001, fsGroup: 10001 },
                containers: [
                  {
                    name: "loki",
                    image: "docker.io/grafana/loki:3.6.3",
                    args: ["-config.file=/etc/loki/config/config.yaml", "-target=all"],
                    volumeMounts: [{ name: "config", mountPath: "/etc/loki/config" }, ...mounts],
                  },
                ],
                volumes: [
                  {
                    name: "config",
                    configMap: { name: "loki", items: [{ key: "config.yaml", path: "config.yaml" }] },
                  },
                ],
              },
            },
            volumeClaimTemplates: [{ metadata: { name: "storage" } }],
          },
        }),
      ];
      const data = [{ name: "storage", mountPath: "/var/loki" }];
      const good = checkWrittenPaths(loki(config, data));
      assert.deepEqual(good.findings, []);
      assert.equal(good.judged, 6);
      const noVolume = checkWrittenPaths(loki(config, [])).findings.map((x) => x.message);
      assert.equal(noVolume.length, 6);
      assert.match(
        noVolume[0],
        /ingester\.wal\.dir is \/var\/loki\/wal \(ingester\.wal\.dir unset, under common\.path_prefix/,
      );
      const relative = checkWrittenPaths(loki({ common: { path_prefix: "/var/loki" } }, data)).findings;
      assert.equal(relative.length, 1);
      assert.match(
        relative[0].message,
        /ruler\.wal\.dir is \/ruler-wal \(ruler\.wal\.dir unset, Loki's default/,
      );
    });
  });
  describe("Loki and Mimir configs judged by their references (engine-config)", () => {
    const res = { requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } };
    const mimirInput = (readWrite = false): MimirObjectsInput => ({
      namespace: NS,
      settings: {
        namespace: NS,
        replicas: 1,
        maxGlobalSeriesPerUser: 1,
        ingestionRate: 1,
        multitenancy: false,
        alertmanagerUrl: "http://am:9093",
        blocksRetention: "90d",
        storage: {
          kind: "s3",
          consumer: "mimir",
          endpoint: "http://minio:9000",
          region: "r",
          plainHttp: true,
          skipVerify: false,
          pathStyle: true,
          locations: { blocks: { bucket: "b" }, ruler: { bucket: "r" } },
          envFrom: [{ secretRef: { name: "creds" } }],
        },
        ...(readWrite ? { readWrite: { write: 3, backend: 3 } } : {}),
      },
      profile: "standard",
      storageClass: "fast",
      volumeSize: "20Gi",
      ...(readWrite
        ? {
            readWrite: {
              write: { replicas: 3, resources: res, volumeSize: "5Gi" },
              read: { replicas: 2, resources: res },
              backend: { replicas: 3, resources: res, volumeSize: "5Gi" },
            },
          }
        : {}),
    });
    const creds = (values: Record<string, string>): Placed =>
      at(
        { apiVersion: "v1", kind: "Secret", metadata: { name: "creds", namespace: NS }, stringData: values },
        "urn:s",
      );
    const safe = {
      AWS_ACCESS_KEY_ID: "mimir",
      AWS_SECRET_ACCESS_KEY: "a1B2c3D4e5F6g7H8i9J0a1B2c3D4e5F6g7H8i9J0",
    };
    /** The program's own Mimir objects (builders/metrics/mimirValues.ts). */
    const mimir = (readWrite = false, edit?: (c: any) => void): Placed[] => {
      const i = mimirInput(readWrite);
      const cm = mimirConfigMap(i);
      const w = mimirWorkloads(i);
      const config = parse(cm.data["mimir.yaml"]);
      edit?.(config);
      return [
        at({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: cm.metadata,
          data: { "mimir.yaml": stringify(config) },
        }),
        ...w.statefulSets.map((x) =>
          at({ apiVersion: "apps/v1", kind: "StatefulSet", metadata: x.metadata, spec: x.spec as any }),
        ),
        ...w.deployments.map((x) =>
          at({ apiVersion: "apps/v1", kind: "Deployment", metadata: x.metadata, spec: x.spec as any }),
        ),
        creds(safe),
      ];
    };
    const loki = (config: Record<string, unknown>, values: Record<string, string> = safe): Placed[] => [
      at(configMap("loki", { "config.yaml": stringify(config).replace(/'(\$\{[A-Z_]+\})'/g, "$1") })),
      at({
        apiVersion: "apps/v1",
        kind: "StatefulSet",
        metadata: { name: "loki", namespace: NS },
        spec: {
          selector: { matchLabels: { app: "loki" } },
          template: {
            metadata: { labels: { app: "loki" } },
            spec: {
              containers: [
                {
                  name: "loki",
                  image: "docker.io/grafana/loki:3.6.3",
                  args: [
                    "-config.file=/etc/loki/config/config.yaml",
                    "-target=all",
                    "-config.expand-env=true",
                  ],
                  envFrom: [{ secretRef: { name: "creds" } }],
                  volumeMounts: [{ name: "config", mountPath: "/etc/loki/config" }],
                },
              ],
              volumes: [{ name: "config", configMap: { name: "loki" } }],
            },
          },
        },
      }),
      creds(values),
    ];
    const lokiBase = {
      compactor: { retention_enabled: true, retention_delete_delay: "2h", delete_request_store: "s3" },
      limits_config: { retention_period: "7d" },
      storage_config: {
        aws: { access_key_id: "${AWS_ACCESS_KEY_ID}", secret_access_key: "${AWS_SECRET_ACCESS_KEY}" },
      },
    };
    const engineFindings = (objs: Placed[]) => checkEngineConfigs(objs).findings;
    const container = (o: K8sObject) => o.spec.template.spec.containers[0];

    it("passes the program's Mimir, monolithic and scaled out (every container judged)", () => {
      const mono = checkEngineConfigs(mimir());
      assert.deepEqual(mono.findings, []);
      assert.equal(mono.judged, 1);
      const out = checkEngineConfigs(mimir(true));
      assert.deepEqual(out.findings, []);
      assert.equal(out.judged, 3);
      // The scaled-out shape finds its schedulers through their ring, an experimental field in 3.0.0.
      assert.deepEqual(mono.warnings, []);
      assert.ok(
        out.warnings.some((w) =>
          /query_scheduler\.service_discovery_mode is experimental in Mimir 3\.0\.0/.test(w),
        ),
        out.warnings.join("\n"),
      );
    });
    it("fails Mimir keys of the wrong duration family, unknown keys and wrong types, naming the key, the form and what was found", () => {
      const f = engineFindings(
        mimir(false, (c) => {
          c.server.http_server_read_timeout = "1d";
          c.limits.compactor_blocks_retention_period = "1.5d";
          c.limits.ingestion_rate = "fast";
          c.ingester.no_such_key = 1;
        }),
      );
      const text = f.map((x) => x.message).join("\n");
      assert.equal(f.length, 4, text);
      assert.ok(f.every((x) => x.check === "engine-config"));
      assert.match(
        text,
        /server\.http_server_read_timeout: expected a Go time\.Duration.*e\.g\. "24h".*found "1d"/,
      );
      assert.match(
        text,
        /limits\.compactor_blocks_retention_period: expected a Prometheus model\.Duration.*found "1\.5d"/,
      );
      assert.match(text, /limits\.ingestion_rate: expected a number; found "fast"/);
      assert.match(text, /Mimir 3\.0\.0 has no key ingester\.no_such_key/);
    });
    it("fails a flag the engine does not have", () => {
      const objs = mimir();
      container(objs.find((p) => p.obj.kind === "StatefulSet")!.obj).args.push("-no.such-flag=1");
      assert.match(
        engineFindings(objs)[0].message,
        /flag -no\.such-flag=1: Mimir 3\.0\.0 has no flag -no\.such-flag/,
      );
    });
    it("Loki: passes 2h; fails deleteDelay 1d as the file has it (compactor.retention_delete_delay, a Go time.Duration)", () => {
      assert.deepEqual(engineFindings(loki(lokiBase)), []);
      const f = engineFindings(
        loki({ ...lokiBase, compactor: { ...lokiBase.compactor, retention_delete_delay: "1d" } }),
      );
      assert.equal(f.length, 1, JSON.stringify(f));
      assert.match(
        f[0].message,
        /compactor\.retention_delete_delay: expected a Go time\.Duration.*found "1d" \(loki-3\.6\.3\/config-keys\.tsv/,
      );
    });
    it("Loki: retention without the delete request store fails, citing Loki's Validate()", () => {
      const f = engineFindings(loki({ ...lokiBase, compactor: { retention_enabled: true } }));
      assert.match(f[0].message, /pkg\/compactor\/config\.go:105-108/);
    });
    it("fails a credential that would change the YAML once expanded, without showing it", () => {
      for (const value of ["abc: def", "&anchor", "x #y", "true"]) {
        const f = engineFindings(loki(lokiBase, { ...safe, AWS_SECRET_ACCESS_KEY: value }));
        assert.equal(f.length, 1, `${value}: ${JSON.stringify(f)}`);
        assert.match(
          f[0].message,
          /\$\{AWS_SECRET_ACCESS_KEY\} in \/etc\/loki\/config\/config\.yaml: its value .*expands it into the YAML text/,
        );
        assert.ok(!f[0].message.includes(value), "never shows the value");
      }
    });
    it("checkStack carries the findings; without the reference it says the checks did not run", () => {
      const bad = loki({ ...lokiBase, compactor: { ...lokiBase.compactor, retention_delete_delay: "1d" } });
      const report = checkStack(bad, []);
      assert.ok(report.findings.some((f) => f.check === "engine-config"));
      assert.equal(report.engineConfigs, 1);
      const empty = fs.mkdtempSync(path.join(os.tmpdir(), "noref-"));
      const saved = process.env.HOMELAB_REFERENCE_DIR;
      process.env.HOMELAB_REFERENCE_DIR = empty;
      try {
        const r = checkEngineConfigs(bad);
        assert.deepEqual(r.findings, []);
        assert.match(
          r.notRun.join("\n"),
          /Loki config checks did not run: reference data loki-3\.6\.3\/config-keys\.tsv not found/,
        );
      } finally {
        if (saved === undefined) delete process.env.HOMELAB_REFERENCE_DIR;
        else process.env.HOMELAB_REFERENCE_DIR = saved;
      }
    });
  });

  describe("Alloy RBAC", () => {
    // A cluster Alloy reading one Secret and listing pods: remote.kubernetes.secret's `get` is
    // made while the component is built (Alloy v1.12.0 internal/component/remote/kubernetes/
    // kubernetes.go:90-106, 215-226, 177), so without it Alloy's initial load fails.
    const config = [
      'remote.kubernetes.secret "token" {\n  namespace = "monitoring"\n  name = "minio-metrics-token"\n}',
      'discovery.kubernetes "pods" {\n  role = "pod"\n}',
    ].join("\n\n");
    const RBAC = "rbac.authorization.k8s.io/v1";
    const subject = [{ kind: "ServiceAccount", name: "alloy-cluster", namespace: NS }];
    const objects = (): Placed[] =>
      [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "alloy-cluster", namespace: NS },
          data: { "config.alloy": config },
        },
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          metadata: { name: "alloy-cluster", namespace: NS },
          spec: {
            template: {
              spec: {
                serviceAccountName: "alloy-cluster",
                containers: [{ name: "alloy", image: "grafana/alloy:v1.12.0" }],
                volumes: [{ name: "config", configMap: { name: "alloy-cluster" } }],
              },
            },
          },
        },
        {
          apiVersion: RBAC,
          kind: "ClusterRole",
          metadata: { name: "alloy-cluster" },
          rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list", "watch"] }],
        },
        {
          apiVersion: RBAC,
          kind: "ClusterRoleBinding",
          metadata: { name: "alloy-cluster" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "alloy-cluster" },
          subjects: subject,
        },
        {
          apiVersion: RBAC,
          kind: "Role",
          metadata: { name: "alloy-cluster-reads", namespace: NS },
          rules: [
            {
              apiGroups: [""],
              resources: ["secrets"],
              resourceNames: ["minio-metrics-token"],
              verbs: ["get"],
            },
          ],
        },
        {
          apiVersion: RBAC,
          kind: "RoleBinding",
          metadata: { name: "alloy-cluster-reads", namespace: NS },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "alloy-cluster-reads" },
          subjects: subject,
        },
      ].map((o) => at(o as K8sObject));
    const messages = (os: Placed[]) => checkAlloyRbac(os).findings.map((f) => f.message);

    it("passes when the ServiceAccount holds exactly its components' calls", () => {
      const r = checkAlloyRbac(objects());
      assert.equal(r.accounts, 1);
      assert.deepEqual(r.findings, []);
    });

    it("fails on remote.kubernetes.secret without the Role naming its Secret (the staging crash loop)", () => {
      const msgs = messages(objects().filter((p) => p.obj.kind !== "RoleBinding"));
      assert.equal(msgs.length, 1, msgs.join("\n"));
      assert.match(
        msgs[0],
        /remote\.kubernetes\.secret\.token calls get secrets minio-metrics-token in monitoring \(grafana\/alloy v1\.12\.0 .*kubernetes\.go:177\), and no binding grants it to ServiceAccount monitoring\/alloy-cluster: .*initial load fails/,
      );
    });

    it("fails on an extra cluster-wide Secret read, and on nodes/proxy", () => {
      const wide = objects();
      wide[2].obj.rules.push(
        { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list"] },
        { apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] },
      );
      const msgs = messages(wide);
      assert.deepEqual(msgs.map((m) => /granted (\S+ \S+)/.exec(m)?.[1]).sort(), [
        "get nodes/proxy",
        "get secrets",
        "list secrets",
      ]);
      assert.ok(
        msgs.every((m) =>
          /cluster-wide \(ClusterRoleBinding alloy-cluster -> ClusterRole alloy-cluster\)/.test(m),
        ),
      );
    });

    it("fails on a Role on every Secret of the namespace where one is read", () => {
      const any = objects();
      delete any[4].obj.rules[0].resourceNames;
      const msgs = messages(any);
      assert.equal(msgs.length, 1, msgs.join("\n"));
      assert.match(
        msgs[0],
        /granted get secrets in monitoring \(RoleBinding monitoring\/alloy-cluster-reads/,
      );
    });

    it("follows the workload's ServiceAccount: a binding to another account grants nothing", () => {
      const other = objects();
      other[5].obj.subjects = [{ kind: "ServiceAccount", name: "alloy", namespace: NS }];
      assert.equal(messages(other).length, 1);
    });

    it("counts a binding to the ServiceAccounts' groups: one of its namespace grants the Secret read", () => {
      const group = objects();
      group[5].obj.subjects = [{ kind: "Group", name: `system:serviceaccounts:${NS}` }];
      assert.deepEqual(messages(group), []);
      group[5].obj.subjects = [{ kind: "Group", name: "system:serviceaccounts:other" }];
      assert.equal(messages(group).length, 1);
    });
  });

  describe("scrape-authz: a kube-rbac-proxy target and its scrapers", () => {
    // A DaemonSet with kube-rbac-proxy whose config asks `get` on services/exp (the form
    // prometheus-node-exporter 4.49.1 templates/rbac-configmap.yaml writes), its Service and
    // ServiceMonitor, and a Prometheus reading every ServiceMonitor of every namespace.
    const RBAC = "rbac.authorization.k8s.io/v1";
    const objects = (): Placed[] =>
      [
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "exp-rbac-config", namespace: "agents" },
          data: {
            "config-file.yaml":
              "authorization:\n  resourceAttributes:\n    namespace: agents\n    apiVersion: v1\n    resource: services\n    subresource: exp\n    name: exp\n",
          },
        },
        {
          apiVersion: "apps/v1",
          kind: "DaemonSet",
          metadata: { name: "exp", namespace: "agents" },
          spec: {
            template: {
              metadata: { labels: { app: "exp" } },
              spec: {
                hostNetwork: true,
                containers: [
                  { name: "exporter", image: "quay.io/prometheus/node-exporter:v1.10.2" },
                  {
                    name: "kube-rbac-proxy",
                    image: "quay.io/brancz/kube-rbac-proxy:v0.20.0",
                    args: ["--secure-listen-address=:9100", "--config-file=/etc/krp/config-file.yaml"],
                    volumeMounts: [{ name: "krp", mountPath: "/etc/krp" }],
                  },
                ],
                volumes: [{ name: "krp", configMap: { name: "exp-rbac-config" } }],
              },
            },
          },
        },
        {
          apiVersion: "v1",
          kind: "Service",
          metadata: { name: "exp", namespace: "agents", labels: { app: "exp" } },
          spec: { selector: { app: "exp" }, ports: [{ name: "metrics", port: 9100 }] },
        },
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "ServiceMonitor",
          metadata: { name: "exp", namespace: "agents" },
          spec: {
            selector: { matchLabels: { app: "exp" } },
            endpoints: [
              {
                port: "metrics",
                scheme: "https",
                bearerTokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token",
                tlsConfig: { insecureSkipVerify: true },
              },
            ],
          },
        },
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "Prometheus",
          metadata: { name: "p", namespace: NS },
          spec: { serviceAccountName: "p", serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {} },
        },
        {
          apiVersion: RBAC,
          kind: "Role",
          metadata: { name: "exp-scrape", namespace: "agents" },
          rules: [{ apiGroups: [""], resources: ["services/exp"], resourceNames: ["exp"], verbs: ["get"] }],
        },
        {
          apiVersion: RBAC,
          kind: "RoleBinding",
          metadata: { name: "exp-scrape", namespace: "agents" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "exp-scrape" },
          subjects: [{ kind: "ServiceAccount", name: "p", namespace: NS }],
        },
      ].map((o) => at(o as K8sObject));
    const messages = (os: Placed[]) => checkScrapeAuthz(os).map((f) => f.message);

    it("passes the scraper granted exactly what the proxy's config asks", () => {
      assert.deepEqual(messages(objects()), []);
    });

    it("fails without the binding, with a wider-sounding but non-matching rule (`services`), and a Prometheus that reads only its own namespace needs none", () => {
      const unbound = objects().filter((p) => p.obj.kind !== "RoleBinding");
      assert.match(
        messages(unbound)[0],
        /asks get services\/exp exp in agents .*ServiceAccount monitoring\/p: every scrape gets 403/,
      );
      const services = objects();
      services[5].obj.rules = [{ apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch"] }];
      assert.equal(
        messages(services).length,
        1,
        "get on services does not cover the services/exp subresource",
      );
      const ownNamespace = objects().filter((p) => p.obj.kind !== "RoleBinding");
      delete ownNamespace[4].obj.spec.serviceMonitorNamespaceSelector;
      assert.deepEqual(
        messages(ownNamespace),
        [],
        "a nil namespace selector: the Prometheus' own namespace only",
      );
    });

    it("fails a path --allow-paths leaves out (404); judges no endpoint whose Service port leads elsewhere", () => {
      const allow = objects();
      allow[1].obj.spec.template.spec.containers[1].args.push("--allow-paths=/metrics");
      assert.deepEqual(messages(allow), []);
      allow[3].obj.spec.endpoints[0].path = "/debug/pprof";
      assert.match(messages(allow)[0], /scrapes \/debug\/pprof .*--allow-paths \(\/metrics\) answers it 404/);
      const elsewhere = objects().filter((p) => p.obj.kind !== "RoleBinding");
      elsewhere[2].obj.spec.ports = [{ name: "metrics", port: 9100, targetPort: 8100 }];
      assert.deepEqual(messages(elsewhere), [], "not through the proxy: nothing of it to judge");
    });

    it("fails a scraper whose pod mounts no token for the endpoint's bearerTokenFile", () => {
      const noToken = objects();
      noToken[4].obj.spec.automountServiceAccountToken = false;
      assert.match(messages(noToken)[0], /mounts no ServiceAccount token/);
    });

    it("fails an endpoint without a token or over plain HTTP", () => {
      const bare = objects();
      bare[3].obj.spec.endpoints = [{ port: "metrics" }];
      const m = messages(bare);
      assert.equal(m.length, 2);
      assert.match(m[0], /scheme http \(the default\); the proxy serves HTTPS only/);
      assert.match(m[1], /presents no token .* answers 401/);
    });
  });
});
