/**
 * The RBAC checks on the rendered stack (what Alloy's config needs of the API, who may scrape through kube-rbac-proxy), each shown to pass on a good case and to fail, with its message, on one change.
 */
import { strict as assert } from "assert";
import { type K8sObject, type Placed } from "../../checks/objects";
import { NS } from "../support/objects";
import { checkAlloyRbac } from "../../checks/alloyRbac";
import { checkScrapeAuthz } from "../../checks/scrapeAuthz";
import { checkMonitorReaders } from "../../checks/monitorReaders";
import { at } from "../support/checkCases";
import { isOperator } from "../../checks/privileges";

describe("rendered-stack checks (unit): Alloy's RBAC and scrape authorization", () => {
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
      // One role granting three accesses no component calls: one message naming each.
      const msgs = messages(wide);
      assert.deepEqual(msgs, [
        "ServiceAccount monitoring/alloy-cluster is granted 3 accesses no component of its config calls that widely, all through ClusterRoleBinding alloy-cluster -> ClusterRole alloy-cluster: get secrets cluster-wide, list secrets cluster-wide, get nodes/proxy cluster-wide",
      ]);
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

    // The scrapers judged are those unread-monitor counts (checks/scrapers.ts monitorReaders): the
    // Prometheus (objects()[4]) swapped for another scraper, without the binding that lets `p` through.
    const scrapedBy = (kind: string, spec: Record<string, unknown>) =>
      objects()
        .filter((p) => p.obj.kind !== "RoleBinding")
        .map((p, i) =>
          i === 4
            ? at({
                apiVersion:
                  kind === "VMAgent"
                    ? "operator.victoriametrics.com/v1beta1"
                    : kind === "PrometheusAgent"
                      ? "monitoring.coreos.com/v1alpha1"
                      : "monitoring.coreos.com/v1",
                kind,
                metadata: { name: "p", namespace: NS },
                spec: { serviceAccountName: "p", ...spec },
              })
            : p,
        );
    const refused = /ServiceAccount monitoring\/p: every scrape gets 403/;

    it("judges a VMAgent with only a scrape namespace selector: it reads every monitor whatever selectAllByDefault says", () => {
      // VictoriaMetrics operator v0.66.0 k8stools/selectors.go:33 (unmanaged only when all three are
      // unset), :46-53 (no object selector: every object).
      const m = messages(
        scrapedBy("VMAgent", { selectAllByDefault: false, serviceScrapeNamespaceSelector: {} }),
      );
      assert.equal(m.length, 1, m.join("\n"));
      assert.match(m[0], /^VMAgent monitoring\/p scrapes ServiceMonitor agents\/exp endpoints\[0\]/);
      assert.match(m[0], refused);
    });

    it("judges a PrometheusAgent as a Prometheus: the same monitor selectors", () => {
      const m = messages(
        scrapedBy("PrometheusAgent", { serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {} }),
      );
      assert.equal(m.length, 1, m.join("\n"));
      assert.match(m[0], /^PrometheusAgent monitoring\/p scrapes .*/);
      assert.match(m[0], refused);
      assert.deepEqual(
        messages(scrapedBy("PrometheusAgent", { serviceMonitorNamespaceSelector: {} })),
        [],
        "a nil serviceMonitorSelector selects nothing",
      );
    });

    it("asks nothing of a scraper that reads no ServiceMonitor: zero replicas, a VMAgent in daemonSetMode", () => {
      const all = { serviceMonitorSelector: {}, serviceMonitorNamespaceSelector: {} };
      assert.deepEqual(messages(scrapedBy("Prometheus", { ...all, replicas: 0 })), []);
      assert.deepEqual(messages(scrapedBy("PrometheusAgent", { ...all, replicas: 0 })), []);
      assert.deepEqual(messages(scrapedBy("VMAgent", { selectAllByDefault: true, replicaCount: 0 })), []);
      // VictoriaMetrics operator v0.66.0 factory/vmagent/collect_scrapes.go:173-176: no VMServiceScrape.
      assert.deepEqual(messages(scrapedBy("VMAgent", { selectAllByDefault: true, daemonSetMode: true })), []);
      // The same scrapers running are refused: what keeps them quiet is that they read nothing.
      assert.equal(messages(scrapedBy("Prometheus", { ...all, replicas: 1 })).length, 1);
      assert.equal(messages(scrapedBy("VMAgent", { selectAllByDefault: true, replicaCount: 1 })).length, 1);
    });

    /** The VictoriaMetrics operator's Deployment, its container given `container` (env, envFrom). */
    const vmOperator = (container: Record<string, unknown>) =>
      at({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "vm-operator", namespace: NS },
        spec: {
          template: {
            spec: {
              containers: [
                { name: "manager", image: "docker.io/victoriametrics/operator:v0.66.0", ...container },
              ],
            },
          },
        },
      });

    it("asks nothing of a VMAgent whose object selector, without a namespace selector, keeps it to its own namespace", () => {
      // VictoriaMetrics operator v0.66.0 k8stools/selectors.go:85-87: the VMAgent's namespace alone
      // (monitoring), so the monitor in agents is not its to scrape.
      assert.deepEqual(messages(scrapedBy("VMAgent", { serviceScrapeSelector: {} })), []);
      // An operator envFrom may set WATCH_NAMESPACE (unread-monitor then takes every namespace); the
      // agents namespace may not be in it, so no access is demanded there.
      const envFrom = vmOperator({ envFrom: [{ configMapRef: { name: "operator-env" } }] });
      assert.deepEqual(messages([...scrapedBy("VMAgent", { serviceScrapeSelector: {} }), envFrom]), []);
      // An operator watching monitoring alone lists it only, namespace selector or not (selectors.go:74-83).
      const watching = vmOperator({ env: [{ name: "WATCH_NAMESPACE", value: NS }] });
      const all = { serviceScrapeSelector: {}, serviceScrapeNamespaceSelector: {} };
      assert.deepEqual(messages([...scrapedBy("VMAgent", all), watching]), []);
      const m = messages(
        scrapedBy("VMAgent", { serviceScrapeSelector: {}, serviceScrapeNamespaceSelector: {} }),
      );
      assert.equal(m.length, 1, "with a namespace selector it reads agents' monitor");
      assert.match(m[0], refused);
    });

    it("asks nothing of a VMAgent in ingestOnlyMode or beside an operator that converts no ServiceMonitor", () => {
      // VictoriaMetrics operator v0.66.0 factory/vmagent/vmagent_scrapeconfig.go:150-153 (no scrape
      // object in ingestOnlyMode); vmprometheusconverter_controller.go:266-275 (no ServiceMonitor
      // converted with VM_ENABLEDPROMETHEUSCONVERTER_SERVICESCRAPE "false").
      const all = { selectAllByDefault: true };
      assert.deepEqual(messages(scrapedBy("VMAgent", { ...all, ingestOnlyMode: true })), []);
      const converter = (value: string) =>
        vmOperator({ env: [{ name: "VM_ENABLEDPROMETHEUSCONVERTER_SERVICESCRAPE", value }] });
      assert.deepEqual(messages([...scrapedBy("VMAgent", all), converter("false")]), []);
      // Read as the operator does (config.go:512-519, caarlos0/env v11.3.1 env.go:33-34 strconv.ParseBool).
      assert.deepEqual(messages([...scrapedBy("VMAgent", all), converter("0")]), [], '"0" is false too');
      assert.equal(
        messages([...scrapedBy("VMAgent", all), converter("true")]).length,
        1,
        "converting: judged",
      );
    });

    it("reads an Alloy namespaces list holding an expression as its literals, where unread-monitor takes every namespace", () => {
      // The expression's value is not known offline: demanding RBAC for a namespace it may not name
      // could refuse a correct stack, so scrape-authz narrows where unread-monitor does not
      // (checks/scrapers.ts ReaderOptions.expressionsReachAll).
      const alloyReading = (namespaces: string) => [
        ...objects().filter((p) => p.obj.kind !== "RoleBinding" && p.obj.kind !== "Prometheus"),
        at({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "alloy-monitors", namespace: NS },
          data: {
            "config.alloy": `prometheus.operator.servicemonitors "m" {\n  namespaces = ${namespaces}\n  forward_to = []\n}\n`,
          },
        }),
        at({
          apiVersion: "apps/v1",
          kind: "StatefulSet",
          metadata: { name: "alloy-monitors", namespace: NS },
          spec: {
            template: {
              spec: {
                containers: [{ name: "alloy", image: "grafana/alloy:v1.12.0" }],
                volumes: [{ name: "config", configMap: { name: "alloy-monitors" } }],
              },
            },
          },
        }),
      ];
      const expression = alloyReading(`["monitoring", sys.env("EXTRA_NAMESPACE")]`);
      assert.deepEqual(messages(expression), []);
      assert.deepEqual(
        checkMonitorReaders(expression).findings.map((f) => f.where),
        [],
        "unread-monitor: agents/exp may be named by the expression",
      );
      // No literal at all: no namespace is known to be read, so none is demanded (as with one literal).
      assert.deepEqual(messages(alloyReading(`[sys.env("EXTRA_NAMESPACE")]`)), []);
      assert.deepEqual(messages(alloyReading(`encoding.from_json(sys.env("NAMESPACES"))`)), []);
      assert.deepEqual(
        checkMonitorReaders(alloyReading(`[sys.env("EXTRA_NAMESPACE")]`)).findings.map((f) => f.where),
        [],
        "unread-monitor: still every namespace",
      );
      const m = messages(alloyReading(`["monitoring", "agents"]`));
      assert.equal(m.length, 1, "a literal agents: judged");
      assert.match(m[0], /ServiceAccount monitoring\/default: every scrape gets 403/);
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

describe("which pods are the operators (checks/privileges.ts isOperator), as the pack reads it", () => {
  const view = (image: string) => ({ spec: { containers: [{ name: "c", image }] } }) as any;
  it("an operator image by its whole repository, not a repository that merely contains its name", () => {
    assert.equal(isOperator(view("quay.io/prometheus-operator/prometheus-operator:v0.93.0")), true);
    assert.equal(isOperator(view("docker.io/victoriametrics/operator:v0.66.0")), true);
    // Substring matching took these for the operators, and let them read every Secret.
    assert.equal(isOperator(view("example.com/victoriametrics/operator-helper:1")), false);
    assert.equal(isOperator(view("example.com/not-prometheus-operator/prometheus-operator-x:1")), false);
  });

  it("an operator image at its own registry, or at a mirror the stack declares of it: not at any registry with the same path", () => {
    const po = "prometheus-operator/prometheus-operator:v0.93.0";
    // Docker Hub's implicit parts are its own: the chart's `victoriametrics/operator` is the pin.
    assert.equal(isOperator(view("victoriametrics/operator:v0.66.0")), true);
    // Another registry's image of the same path is another image, which may read every Secret.
    assert.equal(isOperator(view(`evil.example/${po}`)), false);
    assert.equal(isOperator(view(`docker.io/${po}`)), false);
    const mirrors = { "quay.io": "registry.home.lan/quay" };
    assert.equal(isOperator(view(`registry.home.lan/quay/${po}`), undefined, mirrors), true);
    assert.equal(isOperator(view(`registry.home.lan/quay/${po}`)), false);
    assert.equal(isOperator(view(`registry.home.lan/other/${po}`), undefined, mirrors), false);
  });
});
