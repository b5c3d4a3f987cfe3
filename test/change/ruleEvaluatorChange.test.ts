import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseRunning, type RunningState } from "../../model/running";
import { checkChange } from "../../change/check";
import { formatRuleEvaluators, ruleEvaluatorChange } from "../../change/ruleEvaluators";
import { EVERY_RULE, RULE_OPT_OUT } from "../../builders/alerting/rules";
import { ROOT, stackOverrides, synth, withSyntheses } from "../support/helpers";
import { stableDir } from "../support/stableDir";
import { addRunningRules, writeSeed000Running } from "../support/runningSeed000";

const rule = (namespace: string, name: string, labels: Record<string, string> = {}) => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "PrometheusRule",
  metadata: { name, namespace, labels },
  spec: { groups: [] },
});
const prometheus = (ruleSelector: unknown) => ({
  object: {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "kps-prometheus", namespace: "monitoring" },
    spec: { ruleSelector, ruleNamespaceSelector: {} },
  },
});
const running = (rules: Record<string, any>[]): RunningState => ({
  dir: "/r",
  releases: [],
  statefulSets: [],
  pvcs: [],
  prometheusRules: rules,
});

describe("change check: each running PrometheusRule's evaluator before and after the update", () => {
  const certManager = rule("cert-manager", "cert-manager", { "app.kubernetes.io/name": "cert-manager" });

  it("names a rule whose evaluator changes, and refuses one left with none or with two", () => {
    const r = running([certManager, rule("db", "opted", { [RULE_OPT_OUT.key]: RULE_OPT_OUT.value })]);
    const narrow = prometheus({ matchLabels: { release: "kps" } });
    const gained = ruleEvaluatorChange([narrow], [prometheus(EVERY_RULE)], r);
    assert.deepEqual(gained.rules[0].before, []);
    assert.deepEqual(gained.rules[0].after, ["prometheus monitoring/kps-prometheus"]);
    assert.deepEqual(gained.refusals, []);
    assert.match(
      formatRuleEvaluators(gained, "/r"),
      /cert-manager\/cert-manager: none -> prometheus monitoring\/kps-prometheus/,
    );
    const lost = ruleEvaluatorChange([prometheus(EVERY_RULE)], [narrow], r);
    assert.match(
      lost.refusals[0].refused[0].reason,
      /no evaluator after the update \(today prometheus monitoring\/kps-prometheus\)/,
    );
    assert.deepEqual(
      lost.refusals[0].rules,
      ["cert-manager/cert-manager"],
      "an opted-out rule may have none",
    );
    const doubled = ruleEvaluatorChange(
      [],
      [
        prometheus(EVERY_RULE),
        {
          object: {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "Prometheus",
            metadata: { name: "other", namespace: "monitoring" },
            spec: { ruleSelector: {}, ruleNamespaceSelector: {} },
          },
        },
      ],
      r,
    );
    assert.match(doubled.refusals[0].refused[0].reason, /2 evaluators after the update/);
  });

  it("reads prometheusrules.yaml as an optional report, and says how to collect it when absent", () => {
    const files: Record<string, string> = {
      "helm-list.yaml": "[]",
      "statefulsets.yaml": "kind: List\nitems: []",
      "pvcs.yaml": "kind: List\nitems: []",
    };
    const without = parseRunning("/r", (f) => files[f]);
    assert.equal(without.prometheusRules, undefined);
    assert.match(
      formatRuleEvaluators(ruleEvaluatorChange([], [], without), "/r"),
      /unchecked: no \/r\/prometheusrules\.yaml; collect it with: kubectl get prometheusrules -A -o yaml/,
    );
    const withRules = parseRunning("/r", (f) =>
      f === "prometheusrules.yaml"
        ? "kind: List\nitems:\n- kind: PrometheusRule\n  metadata: {name: a, namespace: b}"
        : files[f],
    );
    assert.equal(withRules.prometheusRules?.length, 1);
  });
});

describe("change check: taking over seed 000's cluster keeps every app's rules evaluated", function () {
  this.timeout(180000);
  let text: string;
  let code: number;
  before(async () => {
    // The same path every run (test/support/stableDir.ts): the fixture cache's read of the stack
    // file keys the overrides, which name it; a new folder each run wrote an entry no run read.
    const dir = stableDir("rule-evaluator-running000");
    await writeSeed000Running(dir);
    addRunningRules(dir, [
      rule("cert-manager", "cert-manager", { "app.kubernetes.io/name": "cert-manager" }),
      rule("longhorn-system", "longhorn", { [RULE_OPT_OUT.key]: RULE_OPT_OUT.value }),
    ]);
    const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8"));
    const takeover = { ...file.config["homelab-observability:takeover"], running: dir };
    const r = await synth("takeover", { takeover });
    ({ text, code } = await withSyntheses(() =>
      checkChange(ROOT, "takeover", r, { running: dir, overrides: stackOverrides({ takeover }) }),
    ));
  });

  it("lists by name the rule another app brings, which the running Prometheus's release selector skipped", () => {
    // Refused only for Grafana's database in an emptyDir (change/grafanaData.ts), not for a rule.
    assert.equal(code, 1, text);
    assert.deepEqual(text.match(/REFUSED \S+ \S+/g), ["REFUSED Deployment monitoring/grafana"]);
    assert.match(
      text,
      /cert-manager\/cert-manager: none -> prometheus monitoring\/kube-prometheus-stack-prometheus/,
    );
  });

  it("lists the running chart's own rules as removed with their release (the program ships them as its own)", () => {
    assert.match(
      text,
      /\d+ removed with release monitoring\/kube-prometheus-stack \(was prometheus monitoring\/kube-prometheus-stack-prometheus\): monitoring\/kube-prometheus-stack-alertmanager\.rules, /,
    );
    assert.doesNotMatch(text, /REFUSED PrometheusRule/);
  });
});
