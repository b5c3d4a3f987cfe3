/**
 * A chart's RBAC switch set to false (`rbac.create: false`) renders none of the chart's roles and
 * bindings: every grant its ServiceAccount lacked for that is one mistake, said once per
 * ServiceAccount with every call it lacks, and the switch at its line is named as THE cause.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackCopy, synthCli } from "../support/helpers";

/** synth of `stack` with `chartValues` (YAML lines under the key, indented four spaces), and the stack file's text. */
async function synthWith(stack: string, chartValues: string) {
  const { dir, file } = stackCopy("rbac-switch", stack);
  const text = `${fs.readFileSync(file, "utf8").trimEnd()}\n  homelab-observability:chartValues:\n${chartValues}`;
  fs.writeFileSync(file, text);
  const r = await synthCli("--dir", dir, "--stack", stack, "--out", path.join(dir, "out"), "--quiet");
  // The line of the switch: the last `create: false` of the file, the override just written.
  const line = text.split("\n").lastIndexOf("        create: false") + 1;
  return { ...r, line, messages: r.stderr.split(/\n(?= {2}\[)/).filter((m) => m.startsWith("  [")) };
}

/**
 * The message on the API egress rule of `workload` (`Deployment ns/name`) when `chart`'s RBAC switch
 * is set false beside `more` (YAML lines of the chart's values, six spaces in), asserting it does
 * not name the switch as the sure cause.
 */
async function apiMessageNotOfSwitch(stack: string, chart: string, more: string, workload: string) {
  const r = await synthWith(stack, `    ${chart}:\n${more}      rbac:\n        create: false\n`);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  const api = r.messages.find((m) => m.includes(`admits the Kubernetes API to ${workload} `));
  assert.ok(api, r.stderr);
  assert.ok(!api.includes(`from the stack's chart values override chartValues.${chart}.rbac.create (`), api);
  return api;
}

describe("synth: a chart's RBAC switch turned off is one sure cause, one message per ServiceAccount", function () {
  this.timeout(120_000);

  it("alloy rbac.create: false on staging: each ServiceAccount's missing calls in one message naming the switch at its line", async () => {
    const r = await synthWith("staging", "    alloy:\n      rbac:\n        create: false\n");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const text = r.messages.join("\n");
    assert.doesNotMatch(text, /if (?:it is|one of these is) the cause/);
    for (const account of ["monitoring/alloy-cluster", "monitoring-agents/alloy"]) {
      const leading = r.messages.filter((m) =>
        new RegExp(`^ {2}\\[alloy-rbac\\] [^\\n]*ServiceAccount ${account}\\b`).test(m),
      );
      assert.ok(leading.length <= 1, `${account}: ${leading.length} messages\n${text}`);
    }
    const sure = r.messages.filter((m) =>
      new RegExp(
        `\\n {6}from the stack's chart values override chartValues\\.alloy\\.rbac\\.create \\(\\S*Pulumi\\.staging\\.yaml:${r.line}\\): change or remove it`,
      ).test(m),
    );
    assert.equal(sure.length, r.messages.length, text);
    // Every call the config makes that the chart's ClusterRole granted is still said.
    for (const call of [
      "discovery.kubernetes.pods calls list pods cluster-wide",
      "loki.source.kubernetes_events.cluster calls watch events cluster-wide",
      "mimir.rules.kubernetes.homelab calls list monitoring.coreos.com/prometheusrules cluster-wide",
      "prometheus.scrape.kube_scheduler calls get /metrics cluster-wide",
    ])
      assert.ok(text.includes(call), `${call}\n${text}`);
    assert.ok(r.messages.length <= 3, text);
  });

  it("alloy rbac.create: false with a replaced config: a call the chart's roles would not grant with the switch on is not the switch's for sure", async () => {
    // alloy 1.5.0 templates/rbac.yaml:33-61: the switch on renders a ClusterRole of the release's
    // rbac.rules and rbac.clusterRules, which the program writes from its own config: the node
    // agents' grant no events, the cluster replica's do (its loki.source.kubernetes_events).
    const r = await synthWith(
      "staging",
      "    alloy:\n      rbac:\n        create: false\n      alloy:\n        configMap:\n          content: |\n" +
        '            loki.source.kubernetes_events "ev" {\n              forward_to = []\n            }\n',
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const text = r.messages.join("\n");
    const sure = `from the stack's chart values override chartValues.alloy.rbac.create (`;
    const of = (account: string) =>
      r.messages.find((m) =>
        new RegExp(`^ {2}\\[alloy-rbac\\] [^\\n]*no binding grants ServiceAccount ${account}\\b`).test(m),
      ) ?? assert.fail(`no message on ${account}\n${text}`);
    const node = of("monitoring-agents/alloy");
    assert.ok(node.includes("list events cluster-wide"), text);
    assert.ok(!node.includes(sure), node);
    assert.match(
      node,
      /chartValues\.alloy\.rbac\.create [^\n]*chartValues\.alloy\.alloy\.configMap\.content [^\n]*if one of these is the cause/,
    );
    assert.ok(of("monitoring/alloy-cluster").includes(sure), text);
  });

  it("grafana rbac.create: false is no cause: the program's own values already turn the chart's RBAC off", async () => {
    // builders/grafana/grafanaValues.ts sets rbac.create: false and binds its sidecar role to the
    // ServiceAccount `grafana`: renamed, the account holds nothing, whatever the stack's switch says.
    await apiMessageNotOfSwitch(
      "staging",
      "grafana",
      "      serviceAccount:\n        name: grafana-custom\n",
      "Deployment monitoring/grafana",
    );
  });

  it("vector rbac.create: false on pi: the API egress of its pods, which hold no RBAC, names the switch as the cause", async () => {
    const r = await synthWith("pi", "    vector:\n      rbac:\n        create: false\n");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(r.messages.length, 1, r.stderr);
    assert.match(
      r.messages[0],
      /admits the Kubernetes API to DaemonSet monitoring-agents\/vector \(release vector\)/,
    );
    assert.match(
      r.messages[0],
      new RegExp(
        `\\n {6}from the stack's chart values override chartValues\\.vector\\.rbac\\.create \\(\\S*Pulumi\\.pi\\.yaml:${r.line}\\): change or remove it in the stack file\\n?$`,
      ),
    );
  });

  it("vector rbac.create: false beside role Stateless-Aggregator is not the sure cause: the switch on renders no role for that role", async () => {
    // vector 0.56.0 templates/rbac.yaml:1: `if and .Values.rbac.create (eq .Values.role "Agent")`.
    await apiMessageNotOfSwitch(
      "pi",
      "vector",
      "      role: Stateless-Aggregator\n",
      "Deployment monitoring-agents/vector",
    );
  });
});
