import { strict as assert } from "assert";
import * as fs from "fs";
import { alertmanagerTakes, type ConfigSubject } from "../../upstream/alertmanagerConfigSelection";
import { unselectedConfigWarnings } from "../../checks/alertmanagerConfigs";
import type { K8sObject, Placed } from "../../checks/objects";
import { stackCopy, synthCli } from "../support/helpers";
import { vmOperatorObject } from "../support/vmOperator";

/**
 * Which Alertmanager takes an AlertmanagerConfig (prometheus-operator v0.93.0 pkg/alertmanager/
 * operator.go:906-923, 935-938, 1024-1063). Nothing modelled it: a CR no Alertmanager of the stack
 * selects (a label selector it lacks, or no Alertmanager at all once the standalone one routes)
 * passed without a word while its receivers were never sent an alert.
 */
describe("AlertmanagerConfig selection (prometheus-operator's Alertmanager)", () => {
  const am = (spec: Record<string, unknown>, namespace = "monitoring") => ({
    metadata: { name: "kps", namespace },
    spec,
  });
  const cfg = (over: Partial<ConfigSubject> = {}): ConfigSubject => ({
    name: "team-a",
    namespace: "monitoring",
    labels: {},
    ...over,
  });

  it("a nil alertmanagerConfigSelector takes none, the empty one every CR, a label selector those with its labels", () => {
    assert.equal(alertmanagerTakes(am({}), cfg()), false);
    assert.equal(alertmanagerTakes(am({ alertmanagerConfigSelector: null }), cfg()), false);
    assert.equal(alertmanagerTakes(am({ alertmanagerConfigSelector: {} }), cfg()), true);
    const team = { alertmanagerConfigSelector: { matchLabels: { team: "a" } } };
    assert.equal(alertmanagerTakes(am(team), cfg()), false);
    assert.equal(alertmanagerTakes(am(team), cfg({ labels: { team: "a" } })), true);
  });

  it("a nil namespace selector: its own namespace only; the empty one every namespace; a label selector by the namespace's labels, unknown without them", () => {
    const other = cfg({ namespace: "team-a" });
    const sel = (ns: unknown) =>
      am({ alertmanagerConfigSelector: {}, alertmanagerConfigNamespaceSelector: ns });
    assert.equal(alertmanagerTakes(sel(undefined), other), false);
    assert.equal(alertmanagerTakes(sel(null), other), false);
    assert.equal(alertmanagerTakes(sel(null), cfg()), true);
    assert.equal(alertmanagerTakes(sel({}), other), true);
    const alerts = { matchLabels: { alerts: "on" } };
    assert.equal(alertmanagerTakes(sel(alerts), { ...other, namespaceLabels: { alerts: "on" } }), true);
    assert.equal(alertmanagerTakes(sel(alerts), { ...other, namespaceLabels: {} }), false);
    assert.equal(alertmanagerTakes(sel(alerts), other), undefined);
    // The API server's own label names every namespace.
    const byName = { matchLabels: { "kubernetes.io/metadata.name": "team-a" } };
    assert.equal(alertmanagerTakes(sel(byName), { ...other, namespaceLabels: {} }), true);
  });

  it("the CR alertmanagerConfiguration names, in the Alertmanager's namespace, is taken whatever the selector", () => {
    const global = am({ alertmanagerConfiguration: { name: "team-a" } });
    assert.equal(alertmanagerTakes(global, cfg()), true);
    assert.equal(alertmanagerTakes(global, cfg({ namespace: "team-a" })), false);
    assert.equal(alertmanagerTakes(global, cfg({ name: "team-b" })), false);
  });

  const placed = (obj: K8sObject): Placed => ({
    obj,
    urn: "urn:kps",
    source: "release kube-prometheus-stack",
  });
  const amObj = (spec: Record<string, unknown>): K8sObject => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Alertmanager",
    metadata: { name: "kps-alertmanager", namespace: "monitoring" },
    spec,
  });
  const cfgObj = (labels: Record<string, string> = {}): K8sObject => ({
    apiVersion: "monitoring.coreos.com/v1alpha1",
    kind: "AlertmanagerConfig",
    metadata: { name: "team-a", namespace: "monitoring", labels },
    spec: { route: { receiver: "team-a" }, receivers: [{ name: "team-a" }] },
  });

  it("warns of a CR no Alertmanager of the stack takes, once each; not of one taken, nor beside a VMAlertmanager whose operator the render does not show", () => {
    const team = amObj({ alertmanagerConfigSelector: { matchLabels: { team: "a" } } });
    const [w, ...more] = unselectedConfigWarnings([placed(team), placed(cfgObj())]);
    assert.equal(more.length, 0);
    assert.match(
      w ?? "",
      /^AlertmanagerConfig monitoring\/team-a \(release kube-prometheus-stack\): no Alertmanager of the stack takes it \(monitoring\/kps-alertmanager: not by its alertmanagerConfigSelector and alertmanagerConfigNamespaceSelector\), so no Alertmanager of the stack sends alerts to its receivers; remove it, or label it \(or its namespace\) as an Alertmanager's selectors ask$/,
    );
    assert.deepEqual(unselectedConfigWarnings([placed(team), placed(cfgObj({ team: "a" }))]), []);
    assert.deepEqual(
      unselectedConfigWarnings([placed(amObj({ alertmanagerConfigSelector: {} })), placed(cfgObj())]),
      [],
    );
    assert.match(
      unselectedConfigWarnings([placed(cfgObj())])[0] ?? "",
      /no Alertmanager of the stack takes it \(the stack renders no prometheus-operator Alertmanager, and no other Alertmanager reads an AlertmanagerConfig\), so no Alertmanager of the stack sends alerts to its receivers; remove it, or give its receivers to the Alertmanager that routes: homelab-observability:alerting\.receivers, or with its routes under chartValues\.alertmanager\.config \(a list there replaces the program's\)$/,
    );
    const vm: K8sObject = {
      apiVersion: "operator.victoriametrics.com/v1beta1",
      kind: "VMAlertmanager",
      metadata: { name: "vm", namespace: "monitoring" },
      spec: {},
    };
    // No VictoriaMetrics operator rendered: what it converts is not known, nothing is said.
    assert.deepEqual(unselectedConfigWarnings([placed(vm), placed(cfgObj())]), []);
  });

  /**
   * After the hand-over to VictoriaMetrics' Alertmanager the VictoriaMetrics operator converts each
   * AlertmanagerConfig into a VMAlertmanagerConfig the VMAlertmanager selects (operator v0.66.0
   * converter/v1alpha1/apis.go:87-98, k8stools/selectors.go:33-111). Any VMAlertmanager rendered
   * silenced the warning: a CR its selectors leave out, or none converted at all, lost its routes
   * without a word.
   */
  const vmOperator = vmOperatorObject;
  const vmAm = (spec: Record<string, unknown>): K8sObject => ({
    apiVersion: "operator.victoriametrics.com/v1beta1",
    kind: "VMAlertmanager",
    metadata: { name: "vm-alertmanager", namespace: "monitoring" },
    spec,
  });
  const onVm = (spec: Record<string, unknown>, cfg = cfgObj(), env: { name: string; value: string }[] = []) =>
    unselectedConfigWarnings([placed(vmOperator(env)), placed(vmAm(spec)), placed(cfg)]);

  it("a VMAlertmanager takes a converted CR as the VictoriaMetrics operator selects: selectAllByDefault, configSelector, configNamespaceSelector", () => {
    // The chart's default (victoria-metrics-k8s-stack 0.80.0 values.yaml alertmanager.spec.selectAllByDefault).
    assert.deepEqual(onVm({ selectAllByDefault: true }), []);
    assert.deepEqual(onVm({ configSelector: { matchLabels: { team: "a" } } }, cfgObj({ team: "a" })), []);
    assert.deepEqual(onVm({ configNamespaceSelector: {} }), []);
    const [none, ...more] = onVm({});
    assert.equal(more.length, 0);
    assert.equal(
      none,
      "AlertmanagerConfig monitoring/team-a (release kube-prometheus-stack): no Alertmanager of the stack takes it (VMAlertmanager monitoring/vm-alertmanager: its configSelector and configNamespaceSelector are unset and its selectAllByDefault is not true, so it takes no VMAlertmanagerConfig), so no Alertmanager of the stack sends alerts to its receivers; remove it, or give the VMAlertmanager selectors that take it (spec.selectAllByDefault true, or a configSelector or configNamespaceSelector)",
    );
    assert.match(
      onVm({ selectAllByDefault: true, configSelector: { matchLabels: { team: "a" } } })[0] ?? "",
      /\(VMAlertmanager monitoring\/vm-alertmanager: not by its configSelector and configNamespaceSelector, which select the VMAlertmanagerConfig the VictoriaMetrics operator converts it into \(its name, namespace and labels\)\)/,
    );
    // Another namespace: a configSelector alone looks in the VMAlertmanager's own.
    const other = cfgObj({ team: "a" });
    other.metadata.namespace = "team-a";
    assert.equal(onVm({ configSelector: { matchLabels: { team: "a" } } }, other).length, 1);
    assert.deepEqual(onVm({ configSelector: {}, configNamespaceSelector: {} }, other), []);
  });

  it("a VMAlertmanager takes none when the operator converts none, or drops the label its selector asks for; nothing said beside an operator whose environment comes from elsewhere", () => {
    const off = [{ name: "VM_ENABLEDPROMETHEUSCONVERTER_ALERTMANAGERCONFIG", value: "false" }];
    assert.match(
      onVm({ selectAllByDefault: true }, cfgObj(), off)[0] ?? "",
      /\(VMAlertmanager monitoring\/vm-alertmanager: Deployment monitoring\/vm-victoria-metrics-operator converts no AlertmanagerConfig into a VMAlertmanagerConfig \(VM_ENABLEDPROMETHEUSCONVERTER_ALERTMANAGERCONFIG "false"\)\), .*; remove it, or let the VictoriaMetrics operator convert AlertmanagerConfigs/,
    );
    const filter = [{ name: "VM_FILTERPROMETHEUSCONVERTERLABELPREFIXES", value: "te" }];
    const team = { configSelector: { matchLabels: { team: "a" } } };
    assert.match(
      onVm(team, cfgObj({ team: "a" }), filter)[0] ?? "",
      /converts it into \(its name, namespace and labels, but those starting "te" \(VM_FILTERPROMETHEUSCONVERTERLABELPREFIXES\)\)\)/,
    );
    const elsewhere = vmOperator();
    elsewhere.spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: "operator-env" } }];
    assert.deepEqual(unselectedConfigWarnings([placed(elsewhere), placed(vmAm({})), placed(cfgObj())]), []);
  });

  it("an operator scaled to 0 converts nothing: beside one whose converter is off, the CR is converted by none", () => {
    const off = vmOperator([{ name: "VM_ENABLEDPROMETHEUSCONVERTER_ALERTMANAGERCONFIG", value: "false" }]);
    const idle = vmOperator();
    idle.metadata.name = "idle-operator";
    idle.spec.replicas = 0;
    const [warned, ...more] = unselectedConfigWarnings([
      placed(off),
      placed(idle),
      placed(vmAm({ selectAllByDefault: true })),
      placed(cfgObj()),
    ]);
    assert.equal(more.length, 0);
    assert.match(
      warned ?? "",
      /\(VMAlertmanager monitoring\/vm-alertmanager: Deployment monitoring\/vm-victoria-metrics-operator converts no AlertmanagerConfig into a VMAlertmanagerConfig \(VM_ENABLEDPROMETHEUSCONVERTER_ALERTMANAGERCONFIG "false"\)\)/,
    );
  });

  /**
   * An operator whose WATCH_NAMESPACE lists namespaces reads every listed one and no other, whatever
   * the VMAlertmanager's configNamespaceSelector (operator v0.66.0 k8stools/selectors.go:74-83;
   * victoria-metrics-operator's `watchNamespaces` writes it, templates/server.yaml:64-66), and its
   * converter reads no AlertmanagerConfig outside them (vmprometheusconverter_controller.go:163-180).
   * Last round silenced every warning beside such a list: a CR outside it, never converted, lost its
   * routes without a word.
   */
  it("beside an operator's WATCH_NAMESPACE list: a CR inside is judged by the configSelector alone, one outside is warned, naming the list and the key that sets it", () => {
    const watch = [{ name: "WATCH_NAMESPACE", value: "monitoring,team-a" }];
    const inNs = (namespace: string, labels: Record<string, string> = {}) => {
      const c = cfgObj(labels);
      c.metadata.namespace = namespace;
      return c;
    };
    const team = { configSelector: { matchLabels: { team: "a" } } };
    // Another listed namespace: taken, though a configSelector alone would look in its own only.
    assert.deepEqual(onVm(team, inNs("team-a", { team: "a" }), watch), []);
    assert.match(
      onVm(team, inNs("team-a"), watch)[0] ?? "",
      /not by its configSelector and configNamespaceSelector, .*, in the namespaces its operator watches \(WATCH_NAMESPACE "monitoring,team-a" of Deployment monitoring\/vm-victoria-metrics-operator\) whatever its configNamespaceSelector\)/,
    );
    const [out, ...more] = onVm({ selectAllByDefault: true }, inNs("team-b"), watch);
    assert.equal(more.length, 0);
    assert.equal(
      out,
      'AlertmanagerConfig team-b/team-a (release kube-prometheus-stack): no Alertmanager of the stack takes it (VMAlertmanager monitoring/vm-alertmanager: the VictoriaMetrics operator converts no AlertmanagerConfig outside the namespaces it watches, "monitoring", "team-a" (WATCH_NAMESPACE "monitoring,team-a" of Deployment monitoring/vm-victoria-metrics-operator), and "team-b" is not among them), so no Alertmanager of the stack sends alerts to its receivers; remove it, move it into a namespace the operator watches, or watch its namespace too: chartValues.victoria-metrics-k8s-stack.victoria-metrics-operator.watchNamespaces ["monitoring","team-a","team-b"] (the chart writes WATCH_NAMESPACE from it after any env entry of that name, which it overrides)',
    );
    // Without the list the same CR is taken (an empty namespace selector: every namespace).
    assert.deepEqual(onVm({ configNamespaceSelector: {} }, inNs("team-b")), []);
    assert.equal(onVm({ configNamespaceSelector: {} }, inNs("team-b"), watch).length, 1);
    // A namespace selector the listed namespace's labels miss: the list reads it in its place.
    const own = [{ name: "WATCH_NAMESPACE", value: "monitoring" }];
    const byLabel = { configSelector: {}, configNamespaceSelector: { matchLabels: { alerts: "on" } } };
    const ns: K8sObject = {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "monitoring", labels: {} },
    };
    assert.deepEqual(
      unselectedConfigWarnings([
        placed(vmOperator(own)),
        placed(vmAm(byLabel)),
        placed(ns),
        placed(cfgObj()),
      ]),
      [],
    );
    // A prometheus-operator Alertmanager taking it: nothing said.
    const kps = amObj({ alertmanagerConfigSelector: {}, alertmanagerConfigNamespaceSelector: {} });
    assert.deepEqual(
      unselectedConfigWarnings([
        placed(vmOperator(watch)),
        placed(vmAm({})),
        placed(kps),
        placed(inNs("team-b")),
      ]),
      [],
    );
    // One operator watching a list and another every namespace: not known, nothing said.
    const all = vmOperator();
    all.metadata.name = "second";
    assert.deepEqual(
      unselectedConfigWarnings([
        placed(vmOperator(watch)),
        placed(all),
        placed(vmAm({ selectAllByDefault: true })),
        placed(inNs("team-b")),
      ]),
      [],
    );
  });

  /**
   * Each VictoriaMetrics operator reconciles only the namespaces its WATCH_NAMESPACE lists (operator
   * v0.66.0 internal/manager/manager.go:220-228, 253-255: its cache holds those alone), and the
   * operator has no other way to split objects between two of it. A VMAlertmanager outside every
   * list was counted as taking CRs, and two operators' lists were unioned, so one operator's
   * VMAlertmanager was judged to read another's namespaces.
   */
  it("judges a VMAlertmanager by the operator that reconciles it: none outside every watch list, and only the namespaces its own operator lists", () => {
    const inNs = (namespace: string) => {
      const c = cfgObj();
      c.metadata.namespace = namespace;
      return c;
    };
    const env = (value: string) => [{ name: "WATCH_NAMESPACE", value }];
    const all = { selectAllByDefault: true };
    const [outside, ...more] = onVm(all, inNs("team-a"), env("team-a"));
    assert.equal(more.length, 0);
    assert.equal(
      outside,
      'AlertmanagerConfig team-a/team-a (release kube-prometheus-stack): no Alertmanager of the stack takes it (VMAlertmanager monitoring/vm-alertmanager: no VictoriaMetrics operator reconciles it, as its namespace "monitoring" is outside those they watch, "team-a" (WATCH_NAMESPACE "team-a" of Deployment monitoring/vm-victoria-metrics-operator), so it takes no VMAlertmanagerConfig), so no Alertmanager of the stack sends alerts to its receivers; remove it, move it into a namespace the operator watches, or watch the VMAlertmanager\'s namespace too: chartValues.victoria-metrics-k8s-stack.victoria-metrics-operator.watchNamespaces ["team-a","monitoring"] (the chart writes WATCH_NAMESPACE from it after any env entry of that name, which it overrides)',
    );
    // Its namespace listed too: taken.
    assert.deepEqual(onVm(all, inNs("team-a"), env("team-a,monitoring")), []);
    // Two operators: the chart's (monitoring) reconciles the VMAlertmanager, another reads team-a.
    const chart = vmOperator(env("monitoring"));
    chart.metadata.labels = { "helm.sh/chart": "victoria-metrics-operator-0.63.1" };
    const team = vmOperator(env("team-a"));
    team.metadata = { name: "team-operator", namespace: "team-a" };
    const two = (cfg: K8sObject, ...ops: K8sObject[]) =>
      unselectedConfigWarnings([...ops.map(placed), placed(vmAm(all)), placed(cfg)]);
    const [split] = two(inNs("team-a"), chart, team);
    assert.match(
      split,
      /\(VMAlertmanager monitoring\/vm-alertmanager: its VictoriaMetrics operator \(WATCH_NAMESPACE "monitoring" of Deployment monitoring\/vm-victoria-metrics-operator\) reads no VMAlertmanagerConfig outside "monitoring", and "team-a" is not among them\), .*or watch its namespace too: chartValues\.victoria-metrics-k8s-stack\.victoria-metrics-operator\.watchNamespaces \["monitoring","team-a"\]/,
    );
    // Neither operator the chart's: the list to set is named on the first's Deployment.
    const plain = vmOperator(env("monitoring"));
    assert.match(
      two(inNs("team-a"), plain, team)[0],
      /WATCH_NAMESPACE "monitoring,team-a" on Deployment monitoring\/vm-victoria-metrics-operator$/,
    );
    // Both operators list both namespaces, or the CR is in the VMAlertmanager's operator's: taken.
    assert.deepEqual(two(inNs("monitoring"), chart, team), []);
    const both = vmOperator(env("monitoring,team-a"));
    assert.deepEqual(two(inNs("team-a"), both, team), []);
    // The VMAlertmanager outside both lists: reconciled by neither.
    assert.match(
      two(inNs("team-a"), vmOperator(env("team-b")), team)[0],
      /no VictoriaMetrics operator reconciles it, as its namespace "monitoring" is outside those they watch, "team-b", "team-a"/,
    );
  });

  /** The CR through kube-prometheus-stack's `extraManifests`, as a user adds one. */
  const manifest =
    "      extraManifests:\n        - apiVersion: monitoring.coreos.com/v1alpha1\n          kind: AlertmanagerConfig\n          metadata:\n            name: team-a\n            namespace: monitoring\n          spec:\n            route:\n              receiver: team-a\n            receivers:\n              - name: team-a\n";

  it("synth: a CR kube-prometheus-stack's Alertmanager selects passes quietly; one its selector leaves out is warned, and the stack passes", async function () {
    this.timeout(480000);
    const { dir, file } = stackCopy("am-config-selected", "staging");
    const text = fs.readFileSync(file, "utf8").replace(/phase: kps-removed\n/, "phase: dual-write\n");
    const values = (spec: string) =>
      `  homelab-observability:chartValues:\n    kube-prometheus-stack:\n${spec}${manifest}`;
    const run = (spec: string) => {
      fs.writeFileSync(file, text + values(spec));
      return synthCli("--dir", dir, "--stack", "staging", "--out", dir, "--quiet");
    };
    const taken = await run("");
    assert.equal(taken.status, 0, taken.stdout + taken.stderr);
    assert.doesNotMatch(taken.stdout + taken.stderr, /AlertmanagerConfig monitoring\/team-a/);
    const selector =
      "      alertmanager:\n        alertmanagerSpec:\n          alertmanagerConfigSelector:\n            matchLabels:\n              alertmanager: main\n";
    const left = await run(selector);
    assert.equal(left.status, 0, left.stdout + left.stderr);
    assert.match(
      left.stdout + left.stderr,
      /warning: AlertmanagerConfig monitoring\/team-a \(release kube-prometheus-stack\): no Alertmanager of the stack takes it/,
    );
  });

  it("synth on VictoriaMetrics: a CR the VMAlertmanager takes (the chart's selectAllByDefault) passes quietly; with selectAllByDefault false it is warned, naming the VMAlertmanager and its selectors, and the stack passes", async function () {
    this.timeout(480000);
    const { dir, file } = stackCopy("am-config-vm", "pi");
    const text = fs.readFileSync(file, "utf8");
    const cr =
      "      extraObjects:\n        - apiVersion: monitoring.coreos.com/v1alpha1\n          kind: AlertmanagerConfig\n          metadata:\n            name: team-a\n            namespace: monitoring\n          spec:\n            route:\n              receiver: team-a\n            receivers:\n              - name: team-a\n";
    const run = (spec: string) => {
      fs.writeFileSync(
        file,
        `${text}  homelab-observability:chartValues:\n    victoria-metrics-k8s-stack:\n${spec}${cr}`,
      );
      return synthCli("--dir", dir, "--stack", "pi", "--out", dir, "--quiet");
    };
    const taken = await run("");
    assert.equal(taken.status, 0, taken.stdout + taken.stderr);
    assert.doesNotMatch(taken.stdout + taken.stderr, /AlertmanagerConfig monitoring\/team-a/);
    const left = await run("      alertmanager:\n        spec:\n          selectAllByDefault: false\n");
    assert.equal(left.status, 0, left.stdout + left.stderr);
    assert.match(
      left.stdout + left.stderr,
      /warning: AlertmanagerConfig monitoring\/team-a \(release vm\): no Alertmanager of the stack takes it \(VMAlertmanager monitoring\/vm: its configSelector and configNamespaceSelector are unset and its selectAllByDefault is not true/,
    );
  });
});
