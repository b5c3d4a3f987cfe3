/**
 * Least privilege: the privilege checks on rendered objects (each passing on a good case and
 * failing, with its message, on one change), the roles and hardening the builders write, and what
 * the real Helm renders for the stack files.
 */
import { strict as assert } from "assert";
import type { K8sObject, Placed } from "../../preview/checks/objects";
import {
  checkHostPaths,
  checkPrivileges,
  checkRbac,
  checkSeccomp,
  podViews,
  workloadTable,
} from "../../preview/checks/privileges";
import { formatFindings, placedFrom } from "../../preview/checks";
import {
  agentScheduling,
  PRIORITY_CLASS_NAMES,
  PRIORITY_CLASSES,
  tolerationsFor,
} from "../../builders/security/hardening";
import {
  alloyChartRbac,
  alloyClusterConfig,
  alloyClusterDeclarations,
  alloyNodeDeclarations,
  renderAlloy,
  alloyRbac,
  alloyRoleObjects,
  type AlloyClusterInput,
} from "../../builders/logging/alloyConfig";
import { MINIO_METRICS_SECRET } from "../../builders/objectstore/minioMetrics";
import { ksmCollectors } from "../../builders/metrics/exporterValues";
import { daemonSet, NS } from "../support/objects";
import { assertRendered, rendered, stackFileVariants } from "../support/rendered";
import { isParked } from "../../builders/security/podSecurity";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));
const at = (obj: K8sObject, source = "release a"): Placed => ({ obj, urn: `urn:${source}`, source });
const RD = { seccompProfile: { type: "RuntimeDefault" } };

function deployment(name: string, image: string, sa: string): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { serviceAccountName: sa, securityContext: RD, containers: [{ name: "main", image }] },
      },
    },
  };
}

function clusterRole(name: string, rules: any[]): K8sObject {
  return { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules };
}

function binding(kind: "ClusterRoleBinding" | "RoleBinding", role: string, sa: string): K8sObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: { name: role, ...(kind === "RoleBinding" ? { namespace: NS } : {}) },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: [{ kind: "ServiceAccount", name: sa, namespace: NS }],
  };
}

const READ_PODS = { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] };
const READ_SECRETS = {
  apiGroups: [""],
  resources: ["configmaps", "secrets"],
  verbs: ["get", "list", "watch"],
};

describe("privilege checks (unit)", () => {
  describe("cluster-wide Secret read", () => {
    const stack = () => [
      at(deployment("agent", "docker.io/grafana/alloy:v1", "agent")),
      at(clusterRole("agent", [READ_PODS])),
      at(binding("ClusterRoleBinding", "agent", "agent")),
    ];

    it("passes a role without Secrets; fails the same role granting them, naming pod, role, rule and account", () => {
      assert.deepEqual(checkRbac(stack()), []);
      const bad = stack();
      bad[1].obj.rules.push(READ_SECRETS);
      const f = checkRbac(bad);
      assert.equal(f.length, 1);
      assert.equal(f[0].check, "secret-read");
      assert.match(
        f[0].message,
        /Deployment monitoring\/agent \(release a\) can read every Secret of the cluster: ClusterRole agent .* rules\[1\] grants \["get","list","watch"\] on secrets to ServiceAccount monitoring\/agent/,
      );
    });

    it("fails a wildcard resource; passes a RoleBinding (one namespace), named Secrets and the operators", () => {
      const wildcard = stack();
      wildcard[1].obj.rules = [{ apiGroups: ["*"], resources: ["*"], verbs: ["list"] }];
      // `*` also covers nodes/proxy: both findings.
      assert.deepEqual(
        checkRbac(wildcard).map((f) => f.check),
        ["secret-read", "nodes-proxy"],
      );

      const namespaced = stack();
      namespaced[1].obj.rules.push(READ_SECRETS);
      namespaced[2] = at(binding("RoleBinding", "agent", "agent"));
      assert.deepEqual(checkRbac(namespaced), []);

      const named = stack();
      named[1].obj.rules.push({ ...READ_SECRETS, resourceNames: ["one"] });
      assert.deepEqual(checkRbac(named), []);

      const operator = stack();
      operator[0] = at(
        deployment("agent", "quay.io/prometheus-operator/prometheus-operator:v0.93.0", "agent"),
      );
      operator[1].obj.rules.push(READ_SECRETS);
      assert.deepEqual(checkRbac(operator), []);
    });
  });

  describe("nodes/proxy", () => {
    it("passes nodes/metrics; fails nodes/proxy and nodes/* for whoever is bound", () => {
      const roles = (resources: string[]) => [
        at(clusterRole("scraper", [{ apiGroups: [""], resources, verbs: ["get"] }])),
        at(binding("ClusterRoleBinding", "scraper", "scraper")),
      ];
      assert.deepEqual(checkRbac(roles(["nodes", "nodes/metrics"])), []);
      for (const r of ["nodes/proxy", "nodes/*"]) {
        const f = checkRbac(roles(["nodes", r]));
        assert.equal(f.length, 1, r);
        assert.equal(f[0].check, "nodes-proxy");
        assert.match(
          f[0].message,
          /grants nodes\/proxy .* to monitoring\/scraper; kubelet metrics need only nodes\/metrics/,
        );
      }
    });
  });

  describe("host paths", () => {
    const vector = () => {
      const ds = daemonSet("vector", 9090, false);
      const pod = ds.spec.template.spec;
      pod.containers[0].image = "docker.io/timberio/vector:0.56.0-debian";
      pod.volumes = [
        { name: "var-log", hostPath: { path: "/var/log/" } },
        { name: "data", hostPath: { path: "/var/lib/vector" } },
      ];
      pod.containers[0].volumeMounts = [
        { name: "var-log", mountPath: "/var/log/", readOnly: true },
        { name: "data", mountPath: "/vector-data-dir" },
      ];
      return ds;
    };

    it("passes a log agent reading /var/log and writing its data dir", () => {
      assert.deepEqual(checkHostPaths([at(vector())]), []);
    });

    it("fails the host's /var/lib, a writable /var/log, another agent's path and any Deployment", () => {
      const varLib = vector();
      varLib.spec.template.spec.volumes.push({ name: "var-lib", hostPath: { path: "/var/lib/" } });
      assert.match(
        formatFindings(checkHostPaths([at(varLib)])),
        /\[host-path\] DaemonSet monitoring\/vector volume var-lib: .* mounts the host's \/var\/lib: it does not need it as a node agent \(it needs \/var\/log, \/var\/lib\/vector\)/,
      );
      const writable = vector();
      writable.spec.template.spec.containers[0].volumeMounts[0].readOnly = false;
      assert.match(
        formatFindings(checkHostPaths([at(writable)])),
        /mounts the host's \/var\/log: container main mounts it writable/,
      );
      const proc = vector();
      proc.spec.template.spec.volumes.push({ name: "procfs", hostPath: { path: "/proc" } });
      assert.equal(checkHostPaths([at(proc)]).length, 1, "node-exporter's /proc is not Vector's");
      const dep = deployment("x", "docker.io/timberio/vector:0.56.0-debian", "x");
      dep.spec.template.spec.volumes = [{ name: "var-log", hostPath: { path: "/var/log" } }];
      assert.match(
        formatFindings(checkHostPaths([at(dep)])),
        /only node agents \(DaemonSets\) may mount host paths/,
      );
    });
  });

  describe("seccomp", () => {
    it("passes a pod-level RuntimeDefault; fails a missing one, Unconfined and an init container", () => {
      const ok = deployment("x", "img", "x");
      assert.deepEqual(checkSeccomp([at(ok)]), []);
      const none = clone(ok);
      delete none.spec.template.spec.securityContext;
      assert.match(formatFindings(checkSeccomp([at(none)])), /container main runs with seccomp unset/);
      const unconfined = clone(ok);
      unconfined.spec.template.spec.containers[0].securityContext = {
        seccompProfile: { type: "Unconfined" },
      };
      assert.match(formatFindings(checkSeccomp([at(unconfined)])), /runs with seccomp Unconfined/);
      const init = clone(none);
      init.spec.template.spec.initContainers = [{ name: "init", image: "img", securityContext: RD }];
      init.spec.template.spec.containers[0].securityContext = RD;
      assert.deepEqual(checkSeccomp([at(init)]), []);
      delete init.spec.template.spec.initContainers[0].securityContext;
      assert.match(formatFindings(checkSeccomp([at(init)])), /container init runs with seccomp unset/);
    });

    it("judges operator-made pods and their injected reloaders from the custom resource", () => {
      const prometheus: K8sObject = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Prometheus",
        metadata: { name: "kps", namespace: NS },
        spec: { securityContext: { runAsNonRoot: true, ...RD } },
      };
      const view = podViews([at(prometheus)])[0];
      assert.deepEqual(
        [...view.spec.initContainers, ...view.spec.containers].map((c: any) => c.name),
        ["init-config-reloader", "prometheus", "config-reloader"],
      );
      assert.deepEqual(checkSeccomp([at(prometheus)]), []);
      const bare = clone(prometheus);
      bare.spec.securityContext = {};
      assert.equal(checkSeccomp([at(bare)]).length, 3);
      const vmagent: K8sObject = {
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMAgent",
        metadata: { name: "vm", namespace: NS },
        spec: {},
      };
      assert.match(
        formatFindings(checkSeccomp([at(vmagent)])),
        /VMAgent monitoring\/vm .* container config-reloader runs with seccomp unset.*spec\.securityContext/,
      );
      vmagent.spec.securityContext = { ...RD, readOnlyRootFilesystem: true };
      vmagent.spec.useStrictSecurity = true;
      assert.deepEqual(checkSeccomp([at(vmagent)]), []);
      const row = workloadTable([at(vmagent)])[0];
      assert.equal(row.readOnlyRootFilesystem, "yes (op)");
      assert.equal(row.seccomp, "yes");
    });
  });
});

describe("roles and scheduling from the config", () => {
  const cluster = (over: Partial<AlloyClusterInput>): AlloyClusterInput => ({
    cluster: "c",
    lokiPushUrl: "http://loki/loki/api/v1/push",
    events: false,
    ...over,
  });
  const resources = (rules: { resources?: string[] }[]) => rules.flatMap((r) => r.resources ?? []);

  it("gives the node Alloy pods only, and the cluster Alloy what its config's components call, never a cluster-wide Secret read or nodes/proxy", () => {
    const node = alloyRbac(alloyNodeDeclarations({ cluster: "c", lokiPushUrl: "u" }));
    assert.deepEqual(resources(node.clusterRules), ["pods"]);
    assert.deepEqual(node.roles, []);
    const events = alloyRbac(alloyClusterDeclarations(cluster({ events: true })));
    assert.deepEqual(resources(events.clusterRules), ["events"]);
    const scrapeInput = cluster({
      scrape: { remoteWriteUrl: "http://m/api/v1/push", replicaLabel: "__replica__" },
    });
    const scrape = alloyRbac(alloyClusterDeclarations(scrapeInput));
    assert.ok(resources(scrape.clusterRules).includes("nodes/metrics"));
    assert.ok(resources(scrape.clusterRules).includes("servicemonitors"));
    assert.ok(!resources(scrape.clusterRules).includes("prometheusrules"));
    const rules = alloyRbac(
      alloyClusterDeclarations(
        cluster({ rules: { mimirAddress: "http://m", selector: { key: "k", value: "v" } } }),
      ),
    );
    assert.ok(resources(rules.clusterRules).includes("prometheusrules"));
    for (const r of [...scrape.clusterRules, ...rules.clusterRules]) {
      assert.ok(!(r.resources ?? []).some((x) => x === "secrets" || x === "nodes/proxy" || x === "*"));
    }
  });

  it("grants remote.kubernetes.secret's one Secret by name in its namespace (a Role), the staging crash loop's fix", () => {
    const minio = {
      target: "minio.storage.svc:9000",
      scheme: "http" as const,
      path: "/minio/v2/metrics/cluster",
      secretNamespace: "monitoring",
    };
    const withMinio = alloyRbac(
      alloyClusterDeclarations(
        cluster({ scrape: { remoteWriteUrl: "http://m/api/v1/push", replicaLabel: "__replica__", minio } }),
      ),
    );
    assert.deepEqual(withMinio.roles, [
      {
        namespace: "monitoring",
        rules: [
          {
            apiGroups: [""],
            resources: ["secrets"],
            resourceNames: [MINIO_METRICS_SECRET.name],
            verbs: ["get"],
          },
        ],
      },
    ]);
    assert.ok(!resources(withMinio.clusterRules).includes("secrets"));
    const objects = alloyRoleObjects("alloy-cluster", withMinio.roles);
    assert.deepEqual(
      objects.map((o) => o.kind),
      ["Role", "RoleBinding"],
    );
  });

  it("derives config and grants from one list of declarations: a dropped declaration drops its grants; a bad one is named", () => {
    const input = cluster({
      events: true,
      scrape: {
        remoteWriteUrl: "http://m/api/v1/push",
        replicaLabel: "__replica__",
        minio: { target: "minio:9000", scheme: "http", path: "/minio", secretNamespace: "storage" },
      },
    });
    const all = alloyClusterDeclarations(input);
    assert.equal(renderAlloy(all), alloyClusterConfig(input));
    assert.deepEqual(
      alloyRbac(all).roles.map((r) => r.namespace),
      ["storage"],
    );
    const withoutSecret = all.filter((d) => d.component !== "remote.kubernetes.secret");
    assert.deepEqual(alloyRbac(withoutSecret).roles, []);
    const withoutEvents = all.filter((d) => d.component !== "loki.source.kubernetes_events");
    assert.ok(!resources(alloyRbac(withoutEvents).clusterRules).includes("events"));
    assert.ok(resources(alloyRbac(all).clusterRules).includes("events"));
    assert.throws(
      () => alloyRbac([{ component: "remote.kubernetes.secret", label: "x", args: ["name = "] }]),
      /alloyRbac: remote\.kubernetes\.secret "x" does not parse/,
    );
  });

  it("splits rules into the chart's two lists without changing what they grant", () => {
    const two = alloyChartRbac([READ_PODS, READ_SECRETS]);
    assert.deepEqual([...two.rules, ...two.clusterRules], [READ_PODS, READ_SECRETS]);
    const one = alloyChartRbac([READ_PODS]);
    assert.equal(one.rules.length, 1);
    assert.equal(one.clusterRules.length, 1);
    assert.deepEqual([...one.rules[0].verbs, ...one.clusterRules[0].verbs], READ_PODS.verbs);
    assert.throws(() => alloyChartRbac([]), /at least two rules or verbs/);
  });

  it("drops only the secrets collector from kube-state-metrics' default list", () => {
    assert.ok(!ksmCollectors("endpoints").includes("secrets"));
    assert.equal(ksmCollectors("endpointslices").length, 27);
    assert.ok(ksmCollectors("endpoints").includes("configmaps"));
  });

  it("tolerates every declared taint once, by value when it has one", () => {
    const pools = [
      { taints: [{ key: "pi", effect: "NoSchedule" }] },
      {
        taints: [
          { key: "pi", effect: "NoSchedule" },
          { key: "gpu", value: "true", effect: "NoExecute" },
        ],
      },
    ];
    assert.deepEqual(tolerationsFor(pools), [
      { key: "pi", operator: "Exists", effect: "NoSchedule" },
      { key: "gpu", operator: "Equal", value: "true", effect: "NoExecute" },
    ]);
    assert.deepEqual(agentScheduling([{ taints: [] }]), {
      priorityClassName: "homelab-node-agent",
      tolerations: [],
    });
    assert.ok(PRIORITY_CLASSES.nodeAgent.value > PRIORITY_CLASSES.stateful.value);
    assert.ok(PRIORITY_CLASSES.stateful.value > 0 && PRIORITY_CLASSES.nodeAgent.value < 1e9);
  });
});

describe("least privilege as the real Helm renders the stack files", function () {
  this.timeout(120_000);

  for (const v of stackFileVariants()) {
    it(`${v.title}: no Secret read outside the operators, no nodes/proxy, host paths only for agents, seccomp everywhere`, async () => {
      const r = await rendered(v);
      assertRendered(r);
      const objects = placedFrom(r.objects);
      assert.deepEqual(formatFindings(checkPrivileges(objects)), "");
      const views = podViews(objects);
      assert.ok(views.some((x) => x.byOperator) || v.stack === "staging", "operator-made pods are judged");
      for (const x of views.filter(
        (x) => x.kind === "DaemonSet" && !x.spec.containers[0].image.includes("loki-canary"),
      ))
        assert.equal(x.spec.priorityClassName, "homelab-node-agent", x.name);
      // Every class a pod names is one the stack creates.
      const created = r.synth.export.deployment.resources
        .filter((x) => x.type === "kubernetes:scheduling.k8s.io/v1:PriorityClass")
        .map((x) => x.inputs.metadata.name);
      assert.deepEqual(created.sort(), [...PRIORITY_CLASS_NAMES].sort());
      for (const x of views)
        if (x.spec.priorityClassName) assert.ok(created.includes(x.spec.priorityClassName), x.name);
    });
  }

  it("node agents tolerate the taints of the pools the config declares", async () => {
    const taint = { key: "dedicated", value: "pi", effect: "NoSchedule" };
    const r = await rendered({
      title: "pi with a tainted pool",
      stack: "pi",
      over: {
        nodePools: [{ name: "pi5", arch: "arm64", count: 3, cpu: "4", memory: "8Gi", taints: [taint] }],
      },
    });
    assertRendered(r);
    // The parked DaemonSets of the hand-over (the stack file's agents.step) run on no node.
    const agents = podViews(placedFrom(r.objects)).filter((x) => x.kind === "DaemonSet" && !isParked(x.spec));
    assert.deepEqual(agents.map((a) => a.owner.obj.metadata.name).sort(), ["node-exporter", "vector"]);
    for (const a of agents)
      assert.ok(
        (a.spec.tolerations ?? []).some(
          (t: any) => t.key === "dedicated" && t.value === "pi" && t.effect === "NoSchedule",
        ),
        `${a.name}: ${JSON.stringify(a.spec.tolerations)}`,
      );
  });

  it("Vector is ready when its API answers; Grafana's sidecar reads ConfigMaps of its namespace only", async () => {
    const pi = await rendered(stackFileVariants().find((v) => v.stack === "pi")!);
    const obj = (kind: string, name: string) =>
      pi.objects.find((o) => o.object.kind === kind && o.object.metadata.name === name)!.object;
    const vector = obj("DaemonSet", "vector").spec.template.spec.containers[0];
    assert.deepEqual(vector.readinessProbe.httpGet, { path: "/health", port: 8686 });
    assert.ok(vector.ports.some((p: any) => p.name === "api" && p.containerPort === 8686));
    const sidecar = obj("Deployment", "grafana").spec.template.spec.containers.find(
      (c: any) => c.name === "grafana-sc-dashboard",
    );
    const env = Object.fromEntries(sidecar.env.map((e: any) => [e.name, e.value]));
    assert.equal(env.NAMESPACE, "monitoring");
    assert.equal(env.RESOURCE, "configmap");
    // No RBAC object of the chart's (its rules grant Secrets); the program's Role, read-only on
    // ConfigMaps, bound to the chart's ServiceAccount under a name of its own.
    assert.ok(!pi.objects.some((o) => o.release?.name === "grafana" && /Role/.test(o.object.kind)));
    const raw = (type: string) =>
      pi.synth.export.deployment.resources.find(
        (r) => r.type === `kubernetes:rbac.authorization.k8s.io/v1:${type}`,
      )!;
    assert.deepEqual(raw("Role").inputs.rules, [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
    ]);
    assert.deepEqual(raw("RoleBinding").inputs.roleRef.name, raw("Role").inputs.metadata.name);
    assert.deepEqual(raw("RoleBinding").inputs.subjects, [
      { kind: "ServiceAccount", name: "grafana", namespace: "monitoring" },
    ]);
    assert.equal(obj("Deployment", "grafana").spec.template.spec.serviceAccountName, "grafana");
  });

  it("whatever names a priority class waits for it (admission refuses an unknown class)", async () => {
    const r = await rendered(stackFileVariants().find((v) => v.stack === "production")!);
    const resources = r.synth.export.deployment.resources;
    const classes = new Map(
      resources
        .filter((x) => x.type === "kubernetes:scheduling.k8s.io/v1:PriorityClass")
        .map((x) => [x.inputs.metadata.name as string, x.urn]),
    );
    let naming = 0;
    for (const x of resources.filter((x) => x.custom && x.type.startsWith("kubernetes:"))) {
      const text = JSON.stringify(x.inputs);
      for (const [name, urn] of classes)
        if (text.includes(`"${name}"`) && x.urn !== urn) {
          naming++;
          assert.ok((x.dependencies ?? []).includes(urn), `${x.urn} names ${name} without waiting for it`);
        }
    }
    assert.ok(naming >= 5, `releases and the Mimir StatefulSet name the classes (${naming})`);
  });

  it("production's Loki gateway runs 2 replicas under a PodDisruptionBudget", async () => {
    const r = await rendered(stackFileVariants().find((v) => v.stack === "production")!);
    const row = workloadTable(placedFrom(r.objects)).find((x) => x.workload === "Deployment loki-gateway");
    assert.equal(row?.pdb, "yes");
    const gw = r.objects.find(
      (o) => o.object.kind === "Deployment" && o.object.metadata.name === "loki-gateway",
    );
    assert.equal(gw?.object.spec.replicas, 2);
  });
});
