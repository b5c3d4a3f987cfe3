/**
 * The rule sets are fitted to what a stack runs (builders/alerting/fitRules.ts): a rule on a metric
 * nothing in the stack emits, or that no emitter's source names, never fires; it is left out and
 * said, and so is a rule reading a recording rule that went.
 */
import { strict as assert } from "assert";
import { fitRuleSets } from "../../builders/alerting/fitRules";
import { programRuleSets } from "../../builders/alerting/rules";
import { stackEmitters } from "../../plan/emitters";
import { capabilities } from "../../model/phases";
import type { RuleGroup } from "../../builders/alerting/ruleGroup";
import { promqlAlternatives } from "../../upstream/metrics/promql";
import { queryNeedsFile } from "../../builders/grafana/queryNeeds";
import { computeQueryNeeds, formatQueryNeeds } from "../../scripts/genQueryNeeds";
import * as fs from "fs";

/** Fits with every query's needs from Prometheus' grammar (the tests' rules are not in the shipped data). */
const fit = (sets: Record<string, RuleGroup[]>, emitters: readonly string[]) =>
  fitRuleSets(sets, emitters, promqlAlternatives);

const group = (name: string, rules: RuleGroup["rules"]): RuleGroup => ({ name, rules });
const LOKI = ["always", "loki"];

describe("rules fitted to the stack's emitters", () => {
  it("keeps rules on emitted metrics and leaves out, with the reason, those on names nothing emits", () => {
    const r = fit(
      {
        a: [
          group("g", [
            { alert: "Kept", expr: "sum(rate(loki_distributor_lines_received_total[5m])) == 0" },
            { alert: "Unknown", expr: "no_component_emits_this_total > 0" },
            { alert: "NotRunning", expr: "sum(loki_canary_missing_entries_total) > 0" },
          ]),
        ],
      },
      LOKI,
    );
    assert.deepEqual(
      r.sets.a[0].rules.map((x) => x.alert),
      ["Kept"],
    );
    assert.deepEqual(
      r.leftOut.map((l) => l.what),
      ["rule a/g/Unknown", "rule a/g/NotRunning"],
    );
    assert.match(r.leftOut[0].why, /no emitter's source names it/);
    assert.match(r.leftOut[1].why, /loki-canary, which this stack does not run/);
  });
  it("leaves out a rule on a recording rule that went, and a group or set left empty", () => {
    const r = fit(
      {
        a: [group("rec", [{ record: "job:x:rate5m", expr: "rate(no_component_emits_this_total[5m])" }])],
        b: [group("use", [{ alert: "OnRecord", expr: "job:x:rate5m > 1" }])],
        c: [group("keep", [{ alert: "Kept", expr: "up == 0" }])],
      },
      LOKI,
    );
    assert.deepEqual(Object.keys(r.sets), ["c"]);
    assert.deepEqual(
      r.leftOut.map((l) => l.what),
      ["rule a/rec/job:x:rate5m", "rule b/use/OnRecord"],
    );
  });
  it("keeps `old_name or new_name` when the new name is emitted", () => {
    const r = fit(
      {
        a: [
          group("g", [
            {
              alert: "Renamed",
              expr: "rate(no_component_emits_this_total[5m]) or rate(loki_distributor_lines_received_total[5m])",
            },
          ]),
        ],
      },
      LOKI,
    );
    assert.equal(r.leftOut.length, 0);
  });
  it("leaves kube-prometheus-stack's Prometheus alerts out where KPS no longer runs, and keeps them where it does", () => {
    const at = (phase: "dual-write" | "kps-removed") =>
      programRuleSets({
        namespace: "monitoring",
        canary: false,
        store: "minio",
        emitters: stackEmitters({
          caps: capabilities(phase, "mimir"),
          backend: "mimir",
          logAgent: "alloy",
          lokiCanary: false,
          minio: true,
        }),
      });
    const alerts = (sets: ReturnType<typeof at>) =>
      Object.values(sets).flatMap((gs) => gs.flatMap((g) => g.rules.map((r) => r.alert)));
    assert.ok(alerts(at("dual-write")).includes("PrometheusRuleFailures"));
    assert.ok(!alerts(at("kps-removed")).includes("PrometheusRuleFailures"));
    assert.ok(alerts(at("kps-removed")).includes("Watchdog"));
    // `failed_samples_total or samples_failed_total`: the renamed metric's alert stays.
    assert.ok(alerts(at("dual-write")).includes("PrometheusRemoteStorageFailures"));
  });
  it("the shipped query needs are those of the shipped dashboards and rules (npx tsx scripts/genQueryNeeds.ts)", () => {
    assert.ok(
      fs.readFileSync(queryNeedsFile(), "utf8") === formatQueryNeeds(computeQueryNeeds()),
      "builders/grafana/data/query-needs.json is stale: run npx tsx scripts/genQueryNeeds.ts",
    );
  });
});
