import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { stringify } from "yaml";
import { PHASES, type Phase } from "../components/config";
import { KPS_RULES_DATA, ALERTMANAGER_JOBS } from "../components/alerting/kpsRules";
import { versions } from "../components/versions";
import { MIMIR_RULER_LIMITS } from "../components/metrics/mimirConfig";
import { ruleCounts, ruleCoverage, type RuleCoverage } from "../scripts/lib/coverage";
import type { ExportResource } from "../scripts/lib/synth";
import { forAmtool025, requireTool, synth, tmpDir } from "./helpers";

const BACKENDS = ["mimir", "victoriametrics"] as const;
const NS = "monitoring";
const exec = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" });
const names = (c: RuleCoverage) => c.groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record!));

/** Synthesized staging stack at each phase x backend, computed once for the whole file. */
const stacks = new Map<string, Promise<ExportResource[]>>();
function stackAt(phase: Phase, backend: (typeof BACKENDS)[number]): Promise<ExportResource[]> {
  const key = `${phase}/${backend}`;
  if (!stacks.has(key))
    stacks.set(
      key,
      synth("staging", { phase, metricsBackend: backend }).then((r) => r.export.deployment.resources),
    );
  return stacks.get(key)!;
}

describe("migration keeps the alerts (every phase x backend)", function () {
  this.timeout(120000);

  it("ships kube-prometheus-stack's default rules rendered from the pinned chart", () => {
    assert.equal(KPS_RULES_DATA.chart, versions.charts.kubePrometheusStack.chart);
    assert.equal(
      KPS_RULES_DATA.version,
      versions.charts.kubePrometheusStack.version,
      "the chart pin moved: regenerate with scripts/genKpsRules.ts",
    );
    const all = KPS_RULES_DATA.groups.flatMap((g) => g.rules.map((r) => r.alert ?? r.record));
    for (const must of [
      "Watchdog",
      "KubePodCrashLooping",
      "NodeFilesystemSpaceFillingUp",
      "KubeletDown",
      "AlertmanagerFailedToSendAlerts",
      "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate",
    ])
      assert.ok(all.includes(must), `${must} missing from the shipped rules`);
  });

  for (const backend of BACKENDS) {
    for (const phase of PHASES) {
      it(`${backend} at ${phase}: one evaluator, every rule, valid, Watchdog to the heartbeat`, async function () {
        const rs = await stackAt(phase, backend);
        const c = ruleCoverage(rs, NS);
        assert.equal(c.evaluators.length, 1, `evaluators: ${c.evaluators.join(", ") || "none"}`);
        const expected =
          phase === "loki-fixed" || phase === "dual-write"
            ? "prometheus"
            : backend === "mimir"
              ? "mimir-ruler"
              : "vmalert";
        assert.equal(c.evaluators[0], expected);

        // No phase drops a rule: the set is the same as in the first phase.
        const first = names(ruleCoverage(await stackAt("loki-fixed", backend), NS));
        assert.deepEqual(names(c), first);
        for (const n of ["Watchdog", "KubePodCrashLooping", "LokiNoLogsIngested", "TargetDown"])
          assert.ok(names(c).includes(n), `${n} is not evaluated`);
        const { alerts, records } = ruleCounts(c.groups);
        console.log(`      ${backend} ${phase}: ${alerts} alerts + ${records} records by ${c.evaluators[0]}`);

        // The engine that evaluates them accepts them.
        const dir = tmpDir("phase-rules");
        const file = path.join(dir, "rules.yaml");
        fs.writeFileSync(file, stringify({ groups: c.groups }));
        if (c.evaluators[0] === "vmalert") {
          const vmalert = requireTool(this, "vmalert", "victoria-metrics");
          const r = exec(vmalert, ["-dryRun", `-rule=${file}`]);
          assert.equal(r.status, 0, r.stdout + r.stderr);
        } else {
          const promtool = requireTool(this, "promtool", "prometheus");
          // --lint=none: see validators.test.ts (the chart records one name once per code class).
          const r = exec(promtool, ["check", "rules", "--lint=none", file]);
          assert.equal(r.status, 0, r.stdout + r.stderr);
          assert.match(r.stdout, new RegExp(`SUCCESS: ${alerts + records} rules found`));
        }
        if (c.evaluators[0] === "mimir-ruler") {
          // Mimir's defaults (20 rules per group, 70 groups) would reject the kube-prometheus set.
          const biggest = Math.max(...c.groups.map((g) => g.rules.length));
          assert.ok(biggest <= MIMIR_RULER_LIMITS.rulesPerGroup, `a group has ${biggest} rules`);
          assert.ok(c.groups.length <= MIMIR_RULER_LIMITS.groupsPerTenant);
        }

        // Its Alertmanager routes the Watchdog to the heartbeat receiver.
        assert.ok(c.alertmanager, `${c.evaluators[0]} notifies no Alertmanager in this phase`);
        const amtool = requireTool(this, "amtool", "prometheus-alertmanager");
        const amFile = path.join(dir, "alertmanager.yml");
        fs.writeFileSync(amFile, stringify(forAmtool025(c.alertmanager.config)));
        const watchdog = c.groups.flatMap((g) => g.rules).find((r) => r.alert === "Watchdog")!;
        const labels = Object.entries({ alertname: "Watchdog", ...watchdog.labels }).map(
          ([k, v]) => `${k}=${v}`,
        );
        const routed = exec(amtool, ["config", "routes", "test", `--config.file=${amFile}`, ...labels]);
        assert.equal(routed.status, 0, routed.stdout + routed.stderr);
        assert.equal(routed.stdout.trim(), "heartbeat", `Watchdog goes to ${routed.stdout.trim()}`);
        // ... and that Alertmanager is one the alertmanager rules watch.
        assert.ok((ALERTMANAGER_JOBS as readonly string[]).includes(c.alertmanager.name));
      });
    }
  }

  it("the check can fail: a second evaluator or a missing rule is seen", async () => {
    const rs = await stackAt("backend-primary", "mimir");
    const doubled = rs.map((r) =>
      r.inputs?.chart === "kube-prometheus-stack"
        ? {
            ...r,
            inputs: {
              ...r.inputs,
              values: {
                ...r.inputs.values,
                prometheus: {
                  prometheusSpec: {
                    ruleSelector: { matchLabels: { "homelab.dev/rules": "homelab-observability" } },
                  },
                },
              },
            },
          }
        : r,
    );
    assert.deepEqual(ruleCoverage(doubled, NS).evaluators, ["prometheus", "mimir-ruler"]);
    const dropped = rs.filter((r) => !r.urn.endsWith("::rules-kube-prometheus"));
    assert.ok(!names(ruleCoverage(dropped, NS)).includes("Watchdog"));
  });
});
