/**
 * Least privilege: the privilege checks on rendered objects (each passing on a good case and
 * failing, with its message, on one change), the roles and hardening the builders write, and what
 * the real Helm renders for the stack files.
 */
import { strict as assert } from "assert";
import type { K8sObject, Placed } from "../../checks/objects";
import {
  checkHostPaths,
  checkPrivileges,
  checkRbac,
  checkSeccomp,
  checkEscalations,
  checkRoot,
  escalations,
  podViews,
  rootContainers,
  stackNamespaces,
  workloadTable,
} from "../../checks/privileges";
import {
  ACCEPTED_EXCEPTIONS,
  acceptedExceptionsFor,
  AGENTS_NAMESPACE,
  STACK_NAMESPACE,
} from "../../contract/exceptions";
import { stackInfoConfigMap } from "../../builders/stackInfo";
import { escalationsOf } from "../../contract/privileges";
import { vmagentRbacObjects, vmOperatorRbacObjects } from "../../builders/metrics/vmRbac";
import { formatFindings, placedFrom } from "../../checks";
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
import { KSM_DROPPED_COLLECTORS, ksmCollectors } from "../../builders/metrics/exporterValues";
import { allValues } from "../support/runningSeed000";
import { versions } from "../../model/versions";
import * as fs from "fs";
import * as path from "path";
import { MINIO_METRICS_SECRET } from "../../builders/objectstore/minioMetrics";
import { daemonSet, NS } from "../support/objects";
import { assertRendered, rendered, stackFileVariants, VM_CLUSTER_VARIANT } from "../support/rendered";
import { isParked } from "../../builders/security/podSecurity";
import { GRAFANA_ADMIN_DIR, GRAFANA_WRITABLE_DIRS } from "../../builders/grafana/grafanaValues";

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
        cluster({ rules: { mimirAddress: "http://m", optOut: { key: "k", value: "v" } } }),
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

  it("kube-state-metrics runs the chart's default collectors but those of kinds no rule or dashboard reads (Secrets, ConfigMaps)", () => {
    // The standalone chart's own default list, at the pinned version.
    const k = versions.charts.kubeStateMetrics;
    const defaults: string[] = allValues(k.chart, k.version, {}).collectors;
    assert.ok(
      defaults.includes("secrets") && defaults.includes("configmaps"),
      "the chart's defaults changed",
    );
    assert.deepEqual(
      ksmCollectors("endpoints"),
      defaults.filter((c) => !(KSM_DROPPED_COLLECTORS as readonly string[]).includes(c)),
      `kube-state-metrics ${k.version}'s default collectors moved: update ksmCollectors in builders/metrics/exporterValues.ts and check the kube_* series the rules and dashboards read`,
    );
    assert.equal(ksmCollectors("endpointslices").length, defaults.length - KSM_DROPPED_COLLECTORS.length);
    // No rule (KPS's own, rendered into builders/alerting/data, and the program's) and no dashboard
    // reads a series of a dropped collector: kube_<kind in the singular>_*.
    const root = path.join(__dirname, "..", "..");
    const sources = [
      "builders/alerting/data/kps-default-rules.json",
      "builders/alerting/rules.ts",
      "builders/alerting/logRules.ts",
      "builders/alerting/kpsRules.ts",
      "builders/grafana/dashboards.ts",
    ].map((f) => fs.readFileSync(path.join(root, f), "utf8"));
    assert.ok(sources[0].includes("kube_pod_"), "the KPS rules are read");
    for (const c of KSM_DROPPED_COLLECTORS) {
      const series = `kube_${c.replace(/s$/, "")}_`;
      for (const text of sources)
        assert.ok(!text.includes(series), `${series} is read by a rule or dashboard`);
    }
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

describe("escalation paths and root containers (unit)", () => {
  const RBAC = "rbac.authorization.k8s.io";
  it("names each escalation path a rule opens, and none of a narrow rule", () => {
    assert.deepEqual(escalationsOf({ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"] }), [
      "bind",
    ]);
    assert.deepEqual(escalationsOf({ apiGroups: [RBAC], resources: ["roles"], verbs: ["escalate"] }), [
      "escalate",
    ]);
    assert.deepEqual(
      escalationsOf({ apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] }),
      ["impersonate"],
    );
    assert.deepEqual(escalationsOf({ apiGroups: [RBAC], resources: ["rolebindings"], verbs: ["*"] }), [
      "rbac-wildcard",
    ]);
    assert.deepEqual(escalationsOf({ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["*"] }), [
      "bind",
      "escalate",
      "rbac-wildcard",
    ]);
    assert.deepEqual(escalationsOf({ apiGroups: [""], resources: ["secrets"], verbs: ["*"] }), [
      "wildcard-sensitive",
    ]);
    assert.deepEqual(escalationsOf({ apiGroups: [""], resources: ["*"], verbs: ["get"] }), [
      "wildcard-sensitive",
    ]);
    // A named role is still a way in: resourceNames do not narrow bind.
    assert.deepEqual(
      escalationsOf({
        apiGroups: [RBAC],
        resources: ["clusterroles"],
        resourceNames: ["x"],
        verbs: ["bind"],
      }),
      ["bind"],
    );
    assert.deepEqual(escalationsOf(READ_PODS), []);
    assert.deepEqual(escalationsOf({ apiGroups: [RBAC], resources: ["roles"], verbs: ["get", "list"] }), []);
  });

  it("finds a cluster-wide Secret read bound to an account, and accepts only a listed exception", () => {
    const objects = [
      at(clusterRole("reader", [READ_SECRETS])),
      at(binding("ClusterRoleBinding", "reader", "sa")),
      at(clusterRole("binder", [{ apiGroups: [RBAC], resources: ["clusterroles"], verbs: ["bind"] }])),
    ];
    assert.deepEqual(
      escalations(objects).map((e) => `${e.subject}: ${e.grant}`),
      ["ClusterRole binder: bind", "ClusterRole reader: cluster-secret-read"],
    );
    const f = checkEscalations(objects, []);
    assert.equal(f.length, 2);
    assert.match(
      f[0].message,
      /opens the escalation path bind; .*accepted exceptions \(contract\/exceptions.ts\)/,
    );
    const accepted = [{ subject: "ClusterRole binder", finding: "bind", reason: "test" }];
    assert.deepEqual(
      checkEscalations(objects, accepted).map((x) => x.where),
      ["ClusterRole reader"],
    );
    // The same Secret read bound in one namespace only is no cluster-wide read.
    const ns = [at(clusterRole("reader", [READ_SECRETS])), at(binding("RoleBinding", "reader", "sa"))];
    assert.deepEqual(checkEscalations(ns, []), []);
  });

  it("finds a container that may run as root, and accepts a pod or exactly one container", () => {
    const d = deployment("app", "example/app:1", "sa");
    const spec = d.spec.template.spec;
    spec.initContainers = [{ name: "init", image: "example/app:1", securityContext: { runAsUser: 0 } }];
    const objects = () => [at(d)];
    // No user and no runAsNonRoot: the image's user, root for most images.
    assert.deepEqual(rootContainers(objects()), [
      "Deployment monitoring/app container init",
      "Deployment monitoring/app container main",
    ]);
    const f = checkRoot(objects(), []);
    assert.equal(f.length, 1);
    assert.match(f[0].message, /container\(s\) init, main may run as root/);
    spec.securityContext = { ...RD, runAsNonRoot: true, runAsUser: 1000 };
    assert.match(checkRoot(objects(), [])[0].message, /container\(s\) init may run as root/);
    const init = [
      { subject: "Deployment monitoring/app container init", finding: "runs-as-root", reason: "t" },
    ];
    assert.deepEqual(checkRoot(objects(), init), []);
    // Accepting one container does not accept another that turns root.
    spec.containers[0].securityContext = { runAsUser: 0 };
    assert.match(checkRoot(objects(), init)[0].message, /container\(s\) main may run as root/);
    const pod = [{ subject: "Deployment monitoring/app", finding: "runs-as-root", reason: "t" }];
    assert.deepEqual(checkRoot(objects(), pod), []);
  });

  it("names the stack's and the agents' namespaces by role in the exceptions, resolved per stack", () => {
    const listed = [
      { subject: `DaemonSet ${AGENTS_NAMESPACE}/alloy`, finding: "runs-as-root", reason: "t" },
      { subject: `VMSingle ${STACK_NAMESPACE}/vm container c`, finding: "runs-as-root", reason: "t" },
      { subject: "ClusterRole r", finding: "bind", reason: "t" },
    ];
    assert.deepEqual(
      acceptedExceptionsFor({ namespace: "obs", agents: "obs-agents" }, listed).map((a) => a.subject),
      ["DaemonSet obs-agents/alloy", "VMSingle obs/vm container c", "ClusterRole r"],
    );
    // A role the caller could not establish is accepted nowhere, never guessed.
    assert.deepEqual(
      acceptedExceptionsFor({ namespace: "obs" }, listed).map((a) => a.subject),
      ["VMSingle obs/vm container c", "ClusterRole r"],
    );
    // No entry of the list names a namespace literally.
    for (const a of ACCEPTED_EXCEPTIONS)
      assert.doesNotMatch(
        a.subject,
        /\bmonitoring(-agents)?\//,
        `${a.subject}: name the namespace by its role`,
      );
  });

  it("accepts a root node agent in the namespaces the stack renders, whatever their names, and nowhere else", () => {
    const namespace = (name: string): Placed =>
      at({ apiVersion: "v1", kind: "Namespace", metadata: { name } }, "resource ns");
    const info = (ns: string): Placed =>
      at({ apiVersion: "v1", kind: "ConfigMap", ...stackInfoConfigMap(ns, {}) }, "resource stack-info");
    const alloy = (ns: string): Placed => {
      const d = daemonSet("alloy", 12345, false);
      d.metadata.namespace = ns;
      d.spec.template.spec.securityContext = { ...RD }; // no user: the image's, root
      return at(d, "release alloy");
    };
    const moved = [info("observability"), namespace("observability"), namespace("observability-agents")];
    assert.deepEqual(stackNamespaces(moved), { namespace: "observability", agents: "observability-agents" });
    assert.deepEqual(checkRoot([...moved, alloy("observability-agents")]), []);
    // agents.step stay: the stack creates one namespace, and the agents run in it.
    const stay = [info("observability"), namespace("observability")];
    assert.deepEqual(stackNamespaces(stay), { namespace: "observability", agents: "observability" });
    assert.deepEqual(checkRoot([...stay, alloy("observability")]), []);
    // The same DaemonSet in a namespace the stack does not use, or the default's name in a stack
    // that uses another, is refused.
    for (const ns of ["apps", "monitoring", "monitoring-agents"])
      assert.deepEqual(
        checkRoot([...moved, alloy(ns)]).map((f) => f.where),
        [`DaemonSet ${ns}/alloy`],
      );
    // Without the stack-info ConfigMap the stack's namespaces are unknown: nothing namespaced is accepted.
    assert.deepEqual(
      checkRoot([namespace("observability-agents"), alloy("observability-agents")]).map((f) => f.where),
      ["DaemonSet observability-agents/alloy"],
    );
  });

  it("the VM operator's and vmagent's roles open no escalation path but the operator's Secret read", () => {
    const objects = [...vmOperatorRbacObjects(), ...vmagentRbacObjects()].map((o) =>
      at(JSON.parse(JSON.stringify(o).replaceAll("{{ .Release.Namespace }}", NS)) as K8sObject),
    );
    assert.deepEqual(
      escalations(objects).map((e) => `${e.subject}: ${e.grant}`),
      ["ClusterRole vm-victoria-metrics-operator: cluster-secret-read"],
    );
    // Its only RBAC write on cluster objects names the roles the operator once made for vmagent.
    const op = objects[0].obj;
    for (const r of op.rules.filter((r: any) => r.apiGroups.includes("rbac.authorization.k8s.io")))
      assert.ok(r.resourceNames?.length > 0 && !r.verbs.includes("bind") && !r.verbs.includes("escalate"));
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

  it("every accepted exception (contract/exceptions.ts) still occurs in some stack file, with a reason", async () => {
    const occurs = new Set<(typeof ACCEPTED_EXCEPTIONS)[number]>();
    // Every stack file, and the VMCluster a workload no vmsingle holds brings.
    for (const v of [...stackFileVariants(), VM_CLUSTER_VARIANT]) {
      const objects = placedFrom((await rendered(v)).objects);
      const found = new Set<string>();
      for (const e of escalations(objects)) found.add(`${e.subject} | ${e.grant}`);
      for (const c of rootContainers(objects)) {
        found.add(`${c} | runs-as-root`);
        found.add(`${c.replace(/ container .*$/, "")} | runs-as-root`);
      }
      // An entry names namespaces by role: it occurs when its subject in this stack's names does.
      const ns = stackNamespaces(objects);
      for (const a of ACCEPTED_EXCEPTIONS)
        if (acceptedExceptionsFor(ns, [a]).some((r) => found.has(`${r.subject} | ${r.finding}`)))
          occurs.add(a);
    }
    // The scanner's entries (monokle:*) are the scanner test's (test/checks/scanner.test.ts).
    const stale = ACCEPTED_EXCEPTIONS.filter((a) => !a.finding.startsWith("monokle:") && !occurs.has(a));
    assert.deepEqual(stale, [], "listed exceptions that no stack has any more: remove them");
    for (const a of ACCEPTED_EXCEPTIONS) assert.ok(a.reason.length > 40, `${a.subject}: give a reason`);
  });

  // The documented `namespace` key, with the agents in the stack's namespace (example's stay is not
  // set: moved) and in their own (staging moved): the exceptions follow the names.
  for (const v of [
    { title: "example in namespace observability", stack: "example", over: { namespace: "observability" } },
    {
      title: "staging in namespace observability, agents moved",
      stack: "staging",
      over: { namespace: "observability", agents: { step: "moved" } },
    },
  ])
    it(`${v.title}: the accepted exceptions follow the stack's namespaces (no runs-as-root finding)`, async () => {
      const r = await rendered(v);
      assertRendered(r);
      const objects = placedFrom(r.objects);
      assert.deepEqual(stackNamespaces(objects), {
        namespace: "observability",
        agents: "observability-agents",
      });
      assert.ok(
        podViews(objects).some(
          (x) => x.name === "DaemonSet observability-agents/" + (v.stack === "example" ? "vector" : "alloy"),
        ),
        "the log agent runs in the agents' namespace",
      );
      assert.deepEqual(formatFindings(checkPrivileges(objects)), "");
    });

  it("Grafana (production) runs with a read-only root, writes only on mounted volumes, and takes its admin login from mounted files, never from env", async () => {
    const r = await rendered({ title: "production", stack: "production", over: {} });
    assertRendered(r);
    const g = placedFrom(r.objects)
      .map((p) => p.obj)
      .find((o) => o.kind === "Deployment" && o.metadata.name === "grafana");
    assert.ok(g, "a Grafana Deployment is rendered");
    const pod = g.spec.template.spec;
    const grafana = pod.containers.find((c: any) => c.name === "grafana");
    assert.equal(grafana.securityContext.readOnlyRootFilesystem, true);
    const mounts = new Map<string, any>(grafana.volumeMounts.map((m: any) => [m.mountPath, m]));
    // The data directory (the claim), the chart's search index, and the two emptyDirs.
    for (const dir of ["/var/lib/grafana", ...GRAFANA_WRITABLE_DIRS.map((d) => d.path)])
      assert.ok(mounts.has(dir) && mounts.get(dir).readOnly !== true, `${dir} is a writable mount`);
    // No container of the pod gets a credential of the admin Secret as an environment variable.
    for (const c of [...(pod.initContainers ?? []), ...pod.containers])
      for (const e of c.env ?? [])
        assert.ok(!e.valueFrom?.secretKeyRef, `${c.name} env ${e.name} is read from a Secret`);
    const env = new Map<string, string>(grafana.env.map((e: any) => [e.name, e.value]));
    const file = env.get("GF_SECURITY_ADMIN_PASSWORD__FILE");
    assert.ok(file?.startsWith(`${GRAFANA_ADMIN_DIR}/`), "the password comes from a file");
    assert.ok(env.get("GF_SECURITY_ADMIN_USER__FILE")?.startsWith(`${GRAFANA_ADMIN_DIR}/`));
    const mount = mounts.get(GRAFANA_ADMIN_DIR);
    assert.equal(mount?.readOnly, true);
    const vol = pod.volumes.find((v: any) => v.name === mount.name);
    assert.ok(vol.secret?.secretName, "the admin files are a mounted Secret");
  });

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

  it("Vector is ready when its API answers; Grafana's sidecar reads ConfigMaps (only) of every namespace", async () => {
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
    // grafana.dashboardNamespaces defaults to every namespace: other apps ship dashboards too.
    assert.equal(env.NAMESPACE, "ALL");
    assert.equal(env.RESOURCE, "configmap");
    // No RBAC object of the chart's (its rules grant Secrets); the program's ClusterRole, read-only
    // on ConfigMaps, bound to the chart's ServiceAccount under a name of its own.
    assert.ok(!pi.objects.some((o) => o.release?.name === "grafana" && /Role/.test(o.object.kind)));
    const raw = (type: string) =>
      pi.synth.export.deployment.resources.find(
        (r) => r.type === `kubernetes:rbac.authorization.k8s.io/v1:${type}`,
      )!;
    assert.deepEqual(raw("ClusterRole").inputs.rules, [
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
    ]);
    assert.equal(raw("Role"), undefined);
    assert.deepEqual(raw("ClusterRoleBinding").inputs.roleRef.name, raw("ClusterRole").inputs.metadata.name);
    assert.deepEqual(raw("ClusterRoleBinding").inputs.subjects, [
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
