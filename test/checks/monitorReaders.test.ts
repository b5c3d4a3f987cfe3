/**
 * unread-monitor (issue 51 items 2-3): a ServiceMonitor or PodMonitor no running scraper reads is a
 * silent loss (its targets are never scraped); one selector that drops them all is one cause.
 */
import { strict as assert } from "assert";
import { vmOperatorObject } from "../support/vmOperator";
import { checkMonitorReaders } from "../../checks/monitorReaders";
import { vmReconciledByNone } from "../../upstream/ruleSelection";
import { checkStack } from "../../checks";
import { placedFrom } from "../../checks/placed";
import type { Placed } from "../../checks/objects";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT } from "../../model/names";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { matrixVariants, rendered, stackFileVariants } from "../support/rendered";

const placed = (obj: any, source = `release ${obj.metadata.name}`): Placed => ({
  obj,
  urn: `urn:pulumi:s::p::kubernetes:helm.sh/v3:Release::${obj.metadata.name}`,
  source,
});
const monitor = (kind: string, name: string, namespace: string, labels: Record<string, string>) =>
  placed({ apiVersion: "monitoring.coreos.com/v1", kind, metadata: { name, namespace, labels }, spec: {} });
const prometheus = (spec: Record<string, unknown>) =>
  placed({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "kps-prometheus", namespace: "monitoring" },
    spec,
  });
const vmagent = (spec: Record<string, unknown>) =>
  placed({
    apiVersion: "operator.victoriametrics.com/v1beta1",
    kind: "VMAgent",
    metadata: { name: "vm", namespace: "monitoring" },
    spec,
  });

/** The VictoriaMetrics operator's Deployment, with `env` on its container. */
const vmOperator = (env: { name: string; value: string }[]) => placed(vmOperatorObject(env));

const MONITORS = [
  monitor("ServiceMonitor", "loki", "monitoring", { release: "homelab" }),
  monitor("ServiceMonitor", "node-exporter", "monitoring-agents", { "app.kubernetes.io/name": "ne" }),
  monitor("PodMonitor", "vector", "monitoring-agents", { "app.kubernetes.io/name": "vector" }),
];
const ALL = { serviceMonitorNamespaceSelector: {}, podMonitorNamespaceSelector: {} };
const wheres = (objects: Placed[]) => checkMonitorReaders(objects).findings.map((f) => f.where);

describe("rendered-stack check unread-monitor", () => {
  it("a Prometheus whose serviceMonitorSelector no monitor matches leaves every ServiceMonitor unread, under one cause naming its selector", () => {
    const { findings } = checkMonitorReaders([
      ...MONITORS,
      prometheus({
        ...ALL,
        serviceMonitorSelector: { matchLabels: { team: "foo" } },
        podMonitorSelector: {},
      }),
    ]);
    assert.deepEqual(
      findings.map((f) => f.where),
      [
        "ServiceMonitor monitoring/loki (release loki)",
        "ServiceMonitor monitoring-agents/node-exporter (release node-exporter)",
      ],
    );
    assert.equal(new Set(findings.map((f) => f.cause)).size, 1, "one cause: one message");
    assert.match(findings[0].message, /serviceMonitorSelector \{"matchLabels":\{"team":"foo"\}\}/);
    // What is lost, without claiming that the stack's dashboards read a monitor a user added.
    assert.match(
      findings[0].message,
      /never scraped: their series stop, and with them every panel and rule that reads them$/,
    );
    // Traced by synth/report.ts to the override on the scraper's release.
    assert.ok(findings[0].releases?.includes(prometheus({}).urn));
    assert.equal(findings[0].wiring, true);
  });

  it("`{}` selects all; matchExpressions are read as the API server reads them; a nil selector selects none", () => {
    assert.deepEqual(
      wheres([...MONITORS, prometheus({ ...ALL, serviceMonitorSelector: {}, podMonitorSelector: {} })]),
      [],
    );
    const expr = { matchExpressions: [{ key: "release", operator: "In", values: ["homelab"] }] };
    assert.deepEqual(
      wheres([...MONITORS, prometheus({ ...ALL, serviceMonitorSelector: expr, podMonitorSelector: {} })]),
      ["ServiceMonitor monitoring-agents/node-exporter (release node-exporter)"],
    );
    assert.deepEqual(wheres([...MONITORS, prometheus({ ...ALL, serviceMonitorSelector: {} })]), [
      "PodMonitor monitoring-agents/vector (release vector)",
    ]);
  });

  it("a nil namespace selector reads the Prometheus' own namespace; a namespace selector with labels is taken to reach every namespace (not refused)", () => {
    const sel = { serviceMonitorSelector: {}, podMonitorSelector: {} };
    assert.deepEqual(wheres([...MONITORS, prometheus(sel)]), [
      "ServiceMonitor monitoring-agents/node-exporter (release node-exporter)",
      "PodMonitor monitoring-agents/vector (release vector)",
    ]);
    const labelled = { matchLabels: { team: "foo" } };
    assert.deepEqual(
      wheres([
        ...MONITORS,
        prometheus({
          ...sel,
          serviceMonitorNamespaceSelector: labelled,
          podMonitorNamespaceSelector: labelled,
        }),
      ]),
      [],
    );
  });

  it("a monitor read by any scraper passes: a VMAgent by its scrape selectors, else selectAllByDefault; one at zero replicas reads none", () => {
    const none = prometheus({ ...ALL, serviceMonitorSelector: { matchLabels: { team: "foo" } } });
    assert.deepEqual(wheres([...MONITORS, none, vmagent({ selectAllByDefault: true })]), []);
    assert.deepEqual(
      wheres([
        ...MONITORS,
        vmagent({ selectAllByDefault: true, serviceScrapeSelector: { matchLabels: { release: "homelab" } } }),
      ]),
      ["ServiceMonitor monitoring-agents/node-exporter (release node-exporter)"],
    );
    assert.deepEqual(wheres([...MONITORS, vmagent({})]).length, 3);
    assert.deepEqual(wheres([...MONITORS, vmagent({ selectAllByDefault: true, replicaCount: 0 })]).length, 3);
  });

  it("a VMAgent with a scrape namespace selector and no object selector reads every monitor of those namespaces, whatever selectAllByDefault says", () => {
    // VictoriaMetrics operator v0.66.0 internal/controller/operator/factory/k8stools/selectors.go:31-33,
    // 44-52: only all three unset select nothing; a nil object selector then matches every object.
    const nsOnly = { serviceScrapeNamespaceSelector: {}, podScrapeNamespaceSelector: {} };
    assert.deepEqual(wheres([...MONITORS, vmagent({ selectAllByDefault: false, ...nsOnly })]), []);
    const labelled = { matchLabels: { team: "foo" } };
    assert.deepEqual(
      wheres([
        ...MONITORS,
        vmagent({ serviceScrapeNamespaceSelector: labelled, podScrapeNamespaceSelector: labelled }),
      ]),
      [],
    );
    // What the message says of it is what it selects by.
    const { findings } = checkMonitorReaders([
      ...MONITORS,
      vmagent({
        serviceScrapeNamespaceSelector: {},
        serviceScrapeSelector: { matchLabels: { team: "foo" } },
      }),
    ]);
    assert.match(
      findings[0].message,
      /VMAgent monitoring\/vm \(serviceScrapeSelector \{"matchLabels":\{"team":"foo"\}\}, serviceScrapeNamespaceSelector \{\}\)/,
    );
    assert.doesNotMatch(findings[0].message, /selectAllByDefault/);
  });

  it("a PrometheusAgent reads monitors as a Prometheus does (kube-prometheus-stack's prometheus.agentMode renders one)", () => {
    // prometheus-operator v0.93.0 pkg/prometheus/agent/operator.go:934-939: the same resource selector.
    const agent = (spec: Record<string, unknown>) =>
      placed({
        apiVersion: "monitoring.coreos.com/v1alpha1",
        kind: "PrometheusAgent",
        metadata: { name: "kps-prometheus", namespace: "monitoring" },
        spec,
      });
    assert.deepEqual(
      wheres([...MONITORS, agent({ ...ALL, serviceMonitorSelector: {}, podMonitorSelector: {} })]),
      [],
    );
    const { findings } = checkMonitorReaders([...MONITORS, agent({ ...ALL, serviceMonitorSelector: {} })]);
    assert.deepEqual(
      findings.map((f) => f.where),
      ["PodMonitor monitoring-agents/vector (release vector)"],
    );
    assert.match(
      findings[0].message,
      /PrometheusAgent monitoring\/kps-prometheus \(podMonitorSelector null\)/,
    );
    assert.equal(
      wheres([
        ...MONITORS,
        agent({ ...ALL, serviceMonitorSelector: {}, podMonitorSelector: {}, replicas: 0 }),
      ]).length,
      3,
    );
  });

  it("a scraper at zero replicas is named as such, not said to be absent, and its release is traced", () => {
    const { findings } = checkMonitorReaders([
      ...MONITORS,
      prometheus({ ...ALL, serviceMonitorSelector: {}, podMonitorSelector: {}, replicas: 0 }),
    ]);
    assert.equal(findings.length, 3);
    assert.match(findings[0].message, /Prometheus monitoring\/kps-prometheus at zero replicas/);
    assert.doesNotMatch(findings[0].message, /no Prometheus/);
    assert.ok(findings[0].releases?.includes(prometheus({}).urn));
  });

  it("a VMAgent in daemonSetMode runs whatever its replicaCount and reads PodMonitors, no ServiceMonitor", () => {
    // VictoriaMetrics operator v0.66.0 factory/vmagent/vmagent.go:360 (a DaemonSet, no replica count),
    // collect_scrapes.go:173-176 (no VMServiceScrape selected in daemonSetMode).
    assert.deepEqual(
      wheres([...MONITORS, vmagent({ selectAllByDefault: true, daemonSetMode: true, replicaCount: 0 })]),
      [
        "ServiceMonitor monitoring/loki (release loki)",
        "ServiceMonitor monitoring-agents/node-exporter (release node-exporter)",
      ],
    );
  });

  it("a monitor a Prometheus leaves unread for its nil namespace selector is told so, not only the selector that matches it", () => {
    const { findings } = checkMonitorReaders([
      ...MONITORS,
      prometheus({ serviceMonitorSelector: {}, podMonitorSelector: {} }),
    ]);
    assert.match(
      findings[0].message,
      /Prometheus monitoring\/kps-prometheus \(serviceMonitorSelector \{\}, serviceMonitorNamespaceSelector null: its own namespace only\)/,
    );
  });

  it("a VMAgent with an object selector and no namespace selector reads its own namespace only, and says so", () => {
    // VictoriaMetrics operator v0.66.0 internal/controller/operator/factory/k8stools/selectors.go:85-87:
    // an object selector without a namespace selector lists the VMAgent's own namespace alone.
    const { findings } = checkMonitorReaders([
      ...MONITORS,
      vmagent({ serviceScrapeSelector: {}, podScrapeSelector: {} }),
    ]);
    assert.deepEqual(
      findings.map((f) => f.where),
      [
        "ServiceMonitor monitoring-agents/node-exporter (release node-exporter)",
        "PodMonitor monitoring-agents/vector (release vector)",
      ],
    );
    assert.match(
      findings[0].message,
      /VMAgent monitoring\/vm \(serviceScrapeSelector \{\}, serviceScrapeNamespaceSelector null: its own namespace only\)/,
    );
    // An operator watching a set of namespaces lists those instead (selectors.go:74-83): not narrowed.
    const operator = vmOperator([{ name: "WATCH_NAMESPACE", value: "monitoring,monitoring-agents" }]);
    assert.deepEqual(
      wheres([...MONITORS, operator, vmagent({ serviceScrapeSelector: {}, podScrapeSelector: {} })]),
      [],
    );
    // Those namespaces only, whatever the selectors (selectors.go:74-83), and the message says so.
    const own = vmOperator([{ name: "WATCH_NAMESPACE", value: "monitoring" }]);
    const watched = checkMonitorReaders([...MONITORS, own, vmagent({ selectAllByDefault: true })]).findings;
    assert.deepEqual(
      watched.map((f) => f.where),
      findings.map((f) => f.where),
    );
    assert.match(
      watched[0].message,
      /VMAgent monitoring\/vm \(selectAllByDefault true, its operator's WATCH_NAMESPACE "monitoring": those namespaces only\)/,
    );
    // WATCH_NAMESPACE may come from a ConfigMap or Secret (envFrom, not rendered): not known, not narrowed.
    const fromConfigMap = vmOperator([]);
    fromConfigMap.obj.spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: "operator-env" } }];
    assert.deepEqual(
      wheres([...MONITORS, fromConfigMap, vmagent({ serviceScrapeSelector: {}, podScrapeSelector: {} })]),
      [],
    );
  });

  it("a VMAgent is read by the VictoriaMetrics operator that reconciles it: none outside every WATCH_NAMESPACE, and only its own operator's namespaces", () => {
    // Operator v0.66.0 internal/manager/manager.go:220-228, 253-255: the manager's cache holds the
    // listed namespaces alone, so a VMAgent elsewhere is reconciled by none (no vmagent runs).
    const elsewhere = vmOperator([{ name: "WATCH_NAMESPACE", value: "monitoring-agents" }]);
    const none = checkMonitorReaders([...MONITORS, elsewhere, vmagent({ selectAllByDefault: true })]);
    assert.equal(none.findings.length, 3);
    assert.match(
      none.findings[0].message,
      /VMAgent monitoring\/vm, which no VictoriaMetrics operator reconciles: its namespace "monitoring" is outside those they watch \(WATCH_NAMESPACE "monitoring-agents" of Deployment monitoring\/vm-victoria-metrics-operator\)/,
    );
    // Two operators: the VMAgent's own lists "monitoring" only, the other's list is not its.
    const mine = vmOperator([{ name: "WATCH_NAMESPACE", value: "monitoring" }]);
    const other = vmOperator([{ name: "WATCH_NAMESPACE", value: "monitoring-agents" }]);
    other.obj.metadata = { name: "other-operator", namespace: "ops" };
    assert.deepEqual(wheres([...MONITORS, mine, other, vmagent({ selectAllByDefault: true })]), [
      "ServiceMonitor monitoring-agents/node-exporter (release node-exporter)",
      "PodMonitor monitoring-agents/vector (release vector)",
    ]);
    // An operator watching every namespace beside one watching a list: the VMAgent is read everywhere.
    assert.deepEqual(wheres([...MONITORS, vmOperator([]), other, vmagent({ selectAllByDefault: true })]), []);
  });

  it("a VictoriaMetrics operator scaled to 0 reconciles no VMAgent, whatever it watches", () => {
    const scaled = vmOperator([]);
    scaled.obj.spec.replicas = 0;
    const none = checkMonitorReaders([...MONITORS, scaled, vmagent({ selectAllByDefault: true })]);
    assert.equal(none.findings.length, 3);
    assert.match(
      none.findings[0].message,
      /VMAgent monitoring\/vm, which no VictoriaMetrics operator reconciles: Deployment monitoring\/vm-victoria-metrics-operator runs no pod \(spec\.replicas 0\)/,
    );
    // Beside one that runs and watches its namespace, it is read.
    assert.deepEqual(
      wheres([...MONITORS, scaled, vmOperator([]), vmagent({ selectAllByDefault: true })]),
      [],
    );
    // The network-policy check's question too: no pod of a VM resource there runs.
    assert.equal(vmReconciledByNone([scaled.obj], "monitoring"), true);
    assert.equal(vmReconciledByNone([scaled.obj, vmOperator([]).obj], "monitoring"), false);
  });

  it("a VMAgent in ingestOnlyMode, or beside an operator that converts no monitors, reads none, and is named so", () => {
    // VictoriaMetrics operator v0.66.0 factory/vmagent/vmagent_scrapeconfig.go:150-153 (ingestOnlyMode:
    // no scrape object selected); config.go:512-519 and vmprometheusconverter_controller.go:266-275
    // (no ServiceMonitor or PodMonitor converted with its env var "false", which the
    // victoria-metrics-operator chart writes for operator.disable_prometheus_converter).
    const ingest = checkMonitorReaders([
      ...MONITORS,
      vmagent({ selectAllByDefault: true, ingestOnlyMode: true }),
    ]);
    assert.equal(ingest.findings.length, 3);
    assert.match(
      ingest.findings[0].message,
      /VMAgent monitoring\/vm in ingestOnlyMode, which reads no scrape objects/,
    );
    const off = vmOperator([
      { name: "VM_ENABLEDPROMETHEUSCONVERTER_PODMONITOR", value: "false" },
      { name: "VM_ENABLEDPROMETHEUSCONVERTER_SERVICESCRAPE", value: "false" },
    ]);
    const { findings } = checkMonitorReaders([...MONITORS, off, vmagent({ selectAllByDefault: true })]);
    assert.equal(findings.length, 3);
    assert.match(
      findings[0].message,
      /VMAgent monitoring\/vm, which reads no ServiceMonitors: Deployment monitoring\/vm-victoria-metrics-operator converts none to VMServiceScrapes \(VM_ENABLEDPROMETHEUSCONVERTER_SERVICESCRAPE "false"/,
    );
    // Only the kind switched off; an operator that converts, or none rendered, is taken to convert.
    const podsOff = vmOperator([{ name: "VM_ENABLEDPROMETHEUSCONVERTER_PODMONITOR", value: "false" }]);
    assert.deepEqual(wheres([...MONITORS, podsOff, vmagent({ selectAllByDefault: true })]), [
      "PodMonitor monitoring-agents/vector (release vector)",
    ]);
    assert.deepEqual(wheres([...MONITORS, off, vmOperator([]), vmagent({ selectAllByDefault: true })]), []);
  });

  it("reads the converter's env var as the operator does: any false of Go's ParseBool, the last entry winning", () => {
    // VictoriaMetrics operator v0.66.0 internal/config/config.go:14,512-519 parses it with
    // caarlos0/env v11.3.1 (env.go:33-34: strconv.ParseBool, so "0", "f", "F", "False", "FALSE" are
    // false too); Kubernetes takes the last of two entries of one name.
    const SS = "VM_ENABLEDPROMETHEUSCONVERTER_SERVICESCRAPE";
    for (const value of ["0", "f", "False", "FALSE"]) {
      const { findings } = checkMonitorReaders([
        ...MONITORS,
        vmOperator([{ name: SS, value }]),
        vmagent({ selectAllByDefault: true }),
      ]);
      assert.equal(findings.length, 2, value);
      assert.match(findings[0].message, new RegExp(`converts none to VMServiceScrapes \\(${SS} "${value}"`));
      assert.doesNotMatch(findings[0].message, /"false"/, value);
    }
    const last = (a: string, b: string) =>
      wheres([
        ...MONITORS,
        vmOperator([
          { name: SS, value: a },
          { name: SS, value: b },
        ]),
        vmagent({ selectAllByDefault: true }),
      ]);
    assert.deepEqual(last("false", "true"), []);
    assert.equal(last("true", "false").length, 2);
  });

  it("an Alloy whose namespaces list holds an expression is not narrowed to its literals; a literal list is", () => {
    // grafana/alloy v1.12.0 internal/component/prometheus/operator/types.go:28-29,79-80: the list
    // as evaluated (empty: every namespace); an expression's value is not known offline.
    const alloy = (namespaces: string) => [
      placed({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "alloy-cluster", namespace: "monitoring" },
        data: {
          "config.alloy": `prometheus.operator.servicemonitors "all" {\n  namespaces = ${namespaces}\n  forward_to = []\n}\n`,
        },
      }),
      placed({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "alloy-cluster", namespace: "monitoring" },
        spec: {
          template: {
            spec: {
              containers: [{ name: "alloy", image: "docker.io/grafana/alloy:v1.12.0" }],
              volumes: [{ name: "config", configMap: { name: "alloy-cluster" } }],
            },
          },
        },
      }),
    ];
    const serviceMonitors = (objects: Placed[]) =>
      wheres(objects).filter((w) => w.startsWith("ServiceMonitor"));
    assert.deepEqual(
      serviceMonitors([...MONITORS, ...alloy(`["monitoring", sys.env("EXTRA_NAMESPACE")]`)]),
      [],
    );
    assert.deepEqual(serviceMonitors([...MONITORS, ...alloy(`["monitoring"]`)]), [
      "ServiceMonitor monitoring-agents/node-exporter (release node-exporter)",
    ]);
  });

  it("a kube-prometheus-stack Prometheus whose selector is the chart's release label names serviceMonitorSelectorNilUsesHelmValues, and only then", () => {
    // kube-prometheus-stack 88.0.0 templates/prometheus/prometheus.yaml:193-202, 209-218: with the
    // selector value empty and its NilUsesHelmValues true the chart renders `release: <release name>`.
    const kps = (spec: Record<string, unknown>) => {
      const p = prometheus({ ...ALL, podMonitorSelector: {}, ...spec });
      p.obj.metadata.labels = { chart: "kube-prometheus-stack-88.0.0", release: "kube-prometheus-stack" };
      return p;
    };
    const nil = checkMonitorReaders([
      ...MONITORS,
      kps({ serviceMonitorSelector: { matchLabels: { release: "kube-prometheus-stack" } } }),
    ]).findings;
    assert.equal(nil.length, 2);
    assert.match(
      nil[0].message,
      /\(serviceMonitorSelector \{"matchLabels":\{"release":"kube-prometheus-stack"\}\}: the label kube-prometheus-stack renders in place of an empty values\.prometheus\.prometheusSpec\.serviceMonitorSelector when values\.prometheus\.prometheusSpec\.serviceMonitorSelectorNilUsesHelmValues is true\)/,
    );
    // The same selector written as the value itself renders the same object: no word may say the
    // value was empty (the report shows it as the stack file's key, which then is not).
    assert.doesNotMatch(nil[0].message, /serviceMonitorSelector empty/);
    const other = checkMonitorReaders([
      ...MONITORS,
      kps({ serviceMonitorSelector: { matchLabels: { team: "foo" } } }),
    ]);
    assert.doesNotMatch(other.findings[0].message, /NilUsesHelmValues/);
    // A nil namespace selector is none the chart renders (`{}` when unset, :203-208): not its output.
    const nilNamespaces = checkMonitorReaders([
      ...MONITORS,
      kps({
        serviceMonitorSelector: { matchLabels: { release: "kube-prometheus-stack" } },
        serviceMonitorNamespaceSelector: null,
      }),
    ]);
    assert.doesNotMatch(nilNamespaces.findings[0].message, /NilUsesHelmValues/);
  });

  it("production through the CLI: the override that renders the release-label selector is the one named", async function () {
    this.timeout(120000);
    const run = async (prometheusSpec: Record<string, unknown>) => {
      const dir = tmpDir("unread-monitor");
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.production.yaml"), "utf8"));
      doc.config[`${PROJECT}:chartValues`] = { "kube-prometheus-stack": { prometheus: { prometheusSpec } } };
      fs.writeFileSync(path.join(dir, "Pulumi.um.yaml"), stringify(doc));
      const r = await synthCli("--stack", "um", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
      assert.equal(r.status, 1, r.stdout + r.stderr);
      return (r.stdout + r.stderr).split("\n").filter((l) => /^ {6}(from|the values of)/.test(l));
    };
    // `{}` is empty to the chart's `if`: NilUsesHelmValues decides, and is named (it was not).
    const empty = await run({ serviceMonitorSelector: {}, serviceMonitorSelectorNilUsesHelmValues: true });
    assert.equal(empty.length, 1, empty.join("\n"));
    assert.match(
      empty[0],
      /^ {6}from the stack's chart values overrides? .*chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.serviceMonitorSelectorNilUsesHelmValues \(/,
    );
    // A selector of one's own decides: NilUsesHelmValues is not named.
    const own = await run({
      serviceMonitorSelector: { matchLabels: { team: "foo" } },
      serviceMonitorSelectorNilUsesHelmValues: true,
    });
    assert.equal(own.length, 1, own.join("\n"));
    assert.doesNotMatch(own[0], /NilUsesHelmValues/);
  });

  it("checkStack reports it", () => {
    const objects = [
      ...MONITORS,
      prometheus({
        ...ALL,
        serviceMonitorSelector: { matchLabels: { team: "foo" } },
        podMonitorSelector: {},
      }),
    ];
    const findings = checkStack(objects, []).findings.filter((f) => f.check === "unread-monitor");
    assert.equal(findings.length, 2);
  });
});

describe("unread-monitor passes every committed stack, and staging and production at every phase and backend", function () {
  this.timeout(600000);
  for (const v of [...stackFileVariants(), ...matrixVariants()])
    it(`${v.title}: every ServiceMonitor and PodMonitor has a reader`, async () => {
      const r = await rendered(v);
      const placedObjects = placedFrom(r.objects);
      const { monitors, findings } = checkMonitorReaders(placedObjects);
      assert.ok(monitors > 0, "the stack renders monitors");
      assert.deepEqual(findings, []);
    });
});
