/**
 * Round 16's second audit of the stack file's messages: one chart value set by a stack key and by a
 * chartValues override is one mistake naming both places; a number outside its key's bounds is
 * told the form in the words every other form uses; an abbreviated stack name is matched.
 */
import { strict as assert } from "assert";
import { closestMatch } from "../../config/errors";
import { checkedStackConfig } from "../../config/stackCheck";
import { STACK_KEY_CHART_PATHS, withStackKeys } from "../../config/stackKeyPaths";
import { BASE, P, STORE, refusal, stackProject } from "../support/stackText";
import { ConfigError } from "../../config/errors";
import { loadStackConfig } from "../../config/load";
import { withRuntimeConfig } from "../support/runtimeConfig";

const ALERTING = `  ${P("alerting")}: {pushover: false, heartbeat: false}\n`;
/** A stack file of the base, the store, Pushover and the heartbeat off, and `more`. */
const stackText = (more: string, alerting = ALERTING) => `${BASE}${STORE}${alerting}${more}`;
const problemsOf = (more: string, alerting = ALERTING) => refusal(stackText(more, alerting)).problems;
/** `file:line` as a problem names a second key's place. */
const FILE_LINE = String.raw`[^\s()]*Pulumi\.s\.yaml:\d+`;

describe("round 16b: one chart value set by a stack key and a chartValues override", () => {
  it("loki.replicas and chartValues.loki.singleBinary.replicas are one message naming both keys and their lines", () => {
    const problems = problemsOf(
      `  ${P("loki")}:\n    replicas: 1\n  ${P("chartValues")}:\n    loki:\n      singleBinary:\n        replicas: 3\n`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      new RegExp(
        String.raw`^${P("loki.replicas")}: expected the loki chart's singleBinary\.replicas set in one place \(set it once: loki\.replicas\), ` +
          String.raw`got it set twice: loki\.replicas: 1 \(${FILE_LINE}\) and chartValues\.loki\.singleBinary\.replicas: 3 \(${FILE_LINE}\), .*; remove chartValues\.loki\.singleBinary\.replicas$`,
      ),
    );
    // Each line is the line of its own key.
    const [, first, second] = /:(\d+)\).*:(\d+)\)/.exec(problems[0])!;
    assert.deepEqual([Number(first), Number(second)], [9, 13]);
  });

  it("a SimpleScalable pod count and its chart path (loki.write, chartValues.loki.write.replicas) are refused", () => {
    const problems = problemsOf(
      `  ${P("loki")}:\n    mode: SimpleScalable\n    write: 2\n  ${P("chartValues")}:\n    loki:\n      write:\n        replicas: 4\n`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^homelab-observability:loki\.write: .*\(set it once: loki\.write\).*chartValues\.loki\.write\.replicas: 4/,
    );
  });

  it("loki.mode and chartValues.loki.deploymentMode are one message naming the stack key: the override would run another mode than the file says", () => {
    const problems = problemsOf(
      `  ${P("loki")}:\n    mode: Monolithic\n    replicas: 3\n  ${P("chartValues")}:\n    loki:\n      deploymentMode: Monolithic<->SimpleScalable\n`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      new RegExp(
        String.raw`^${P("loki.mode")}: expected the loki chart's deploymentMode set in one place \(set it once: loki\.mode\), ` +
          String.raw`got it set twice: loki\.mode: "Monolithic" \(${FILE_LINE}\) and chartValues\.loki\.deploymentMode: "Monolithic<->SimpleScalable" \(${FILE_LINE}\), .*; remove chartValues\.loki\.deploymentMode$`,
      ),
    );
  });

  // loki.mode always has a value the program sets and judges (its default, or the mode
  // workload.logsPerDay picks): an override of deploymentMode ran another mode than every check
  // judged, with no refusal, where the file left loki.mode out.
  it("chartValues.loki.deploymentMode is refused where the file leaves loki.mode to its default, naming the mode the stack takes", () => {
    const problems = problemsOf(
      `  ${P("loki")}:
    replicas: 1
  ${P("chartValues")}:
    loki:
      deploymentMode: SimpleScalable
`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      new RegExp(
        String.raw`^${P("loki.mode")}: expected the loki chart's deploymentMode set in one place \(set it with loki\.mode\), ` +
          String.raw`got chartValues\.loki\.deploymentMode: "SimpleScalable" \(${FILE_LINE}\) while loki\.mode, not set in the stack file, is "Monolithic", its default; ` +
          String.raw`the program sets deploymentMode from loki\.mode and judges the stack by that value, so the override, merged last, would run what no check judged; remove chartValues\.loki\.deploymentMode \(loki\.mode sets it\)$`,
      ),
    );
  });

  // The file leaves loki.mode out, so the mistake is the override: its place was Pulumi.yaml's
  // `loki:` default (the loki key left to it) or the file's `loki:`, never the line to edit.
  it("a refused chartValues.loki.deploymentMode beside a loki.mode the file leaves out is placed at the override's line", () => {
    for (const [loki, line] of [
      ["", 10],
      [`  ${P("loki")}:\n    replicas: 1\n`, 12],
    ] as const) {
      const e = refusal(
        stackText(`${loki}  ${P("chartValues")}:\n    loki:\n      deploymentMode: SimpleScalable\n`),
      );
      assert.equal(e.problems.length, 1, e.problems.join("\n"));
      assert.match(e.problems[0], /^homelab-observability:loki\.mode: /);
      assert.deepEqual(
        [e.places[0]?.file.endsWith("Pulumi.s.yaml"), e.places[0]?.line],
        [true, line],
        JSON.stringify(e.places[0]),
      );
    }
  });

  it("is placed at the override's line under the Pulumi runtime too (config/load.ts, as `pulumi preview` runs it)", async () => {
    const text = stackText(`  ${P("chartValues")}:\n    loki:\n      deploymentMode: SimpleScalable\n`);
    const dir = stackProject(text, "lab");
    // What the CLI hands the program for that stack file: text, objects as JSON.
    const config = {
      [P("kubeContext")]: "admin@example",
      [P("phase")]: "kps-removed",
      [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
      [P("alerting")]: JSON.stringify({ pushover: false, heartbeat: false }),
      [P("chartValues")]: JSON.stringify({ loki: { deploymentMode: "SimpleScalable" } }),
    };
    const e = await withRuntimeConfig("lab", config, () => {
      try {
        loadStackConfig(dir);
      } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
        return err;
      }
      return assert.fail("the config passed");
    });
    const i = e.problems.findIndex((p) => p.startsWith(`${P("loki.mode")}: `));
    assert.ok(i >= 0, e.message);
    assert.deepEqual(
      [e.places[i]?.file.endsWith("Pulumi.lab.yaml"), e.places[i]?.line],
      [true, 10],
      e.message,
    );
  });

  it("chartValues.loki.deploymentMode of the mode the program works out is said as a repeat, not as another mode", () => {
    const problems = problemsOf(
      `  ${P("workload")}:
    logsPerDay: 50GB
  ${P("chartValues")}:
    loki:
      deploymentMode: Distributed
`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      new RegExp(
        String.raw`^${P("loki.mode")}: .* got chartValues\.loki\.deploymentMode: "Distributed" \(${FILE_LINE}\), which repeats what the program sets from loki\.mode \(not set in the stack file: workload\.logsPerDay \(${FILE_LINE}\) decides it\); remove chartValues\.loki\.deploymentMode, or set loki\.mode: "Distributed" to keep it in one place$`,
      ),
    );
  });

  it("chartValues.loki.deploymentMode is refused where workload.logsPerDay picks the mode, naming that key at its line", () => {
    const problems = problemsOf(
      `  ${P("workload")}:
    logsPerDay: 50GB
  ${P("chartValues")}:
    loki:
      deploymentMode: SimpleScalable
`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      new RegExp(
        String.raw`^${P("loki.mode")}: .* got chartValues\.loki\.deploymentMode: "SimpleScalable" \(${FILE_LINE}\) while loki\.mode, not set in the stack file, is "Distributed", which workload\.logsPerDay \(${FILE_LINE}\) decides; .*; remove chartValues\.loki\.deploymentMode \(loki\.mode sets it\)$`,
      ),
    );
  });

  it("a VictoriaMetrics key and its chart path are refused, and so is an override that removes the map holding the value", () => {
    const problems = problemsOf(
      `  ${P("metricsBackend")}: victoriametrics\n  ${P("victoriametrics")}:\n    scrapeInterval: 15s\n  ${P("loki")}:\n    retention: 14d\n` +
        `  ${P("chartValues")}:\n    victoria-metrics-k8s-stack:\n      vmagent:\n        spec:\n          scrapeInterval: 60s\n    loki:\n      loki:\n        limits_config: null\n`,
    );
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(
      problems[1],
      /^homelab-observability:loki\.retention: .*chartValues\.loki\.loki\.limits_config: null/,
    );
    assert.match(
      problems[0],
      /^homelab-observability:victoriametrics\.scrapeInterval: .*\(set it once: victoriametrics\.scrapeInterval\).*chartValues\.victoria-metrics-k8s-stack\.vmagent\.spec\.scrapeInterval: "60s"/,
    );
  });

  it("a stack key the mode leaves unread is its one message, not also a second setting", () => {
    const problems = problemsOf(
      `  ${P("loki")}:\n    write: 2\n  ${P("chartValues")}:\n    loki:\n      write:\n        replicas: 4\n`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^homelab-observability:loki\.write: expected no loki\.write in loki\.mode "Monolithic"/,
    );
  });

  it("overrides of values no stack key sets pass, as do overrides of a key's value the stack file leaves to its default", () => {
    const dir = stackProject(
      stackText(
        `  ${P("loki")}:\n    replicas: 1\n  ${P("chartValues")}:\n    loki:\n      singleBinary:\n        resources:\n          limits:\n            memory: 2Gi\n      gateway:\n        enabled: false\n    grafana:\n      revisionHistoryLimit: 3\n`,
      ),
      "s",
    );
    checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
  });

  it("the builders place each key's value at the table's path, copying the maps on the way and skipping a section not rendered", () => {
    const persistence = { enabled: true };
    const values = {
      singleBinary: { persistence },
      write: {},
      read: {},
      backend: {},
      loki: {},
      lokiCanary: {},
      gateway: {},
    };
    const given = Object.fromEntries(
      STACK_KEY_CHART_PATHS.filter((e) => "chart" in e && e.chart === "loki").map((e) => [
        e.key,
        `v:${e.key}`,
      ]),
    ) as Parameters<typeof withStackKeys<"loki">>[2];
    const out = withStackKeys("loki", values, given) as Record<string, Record<string, unknown>>;
    assert.equal(out.singleBinary.replicas, "v:loki.replicas");
    assert.equal(
      (out.loki.commonConfig as Record<string, unknown>).replication_factor,
      "v:loki.replicationFactor",
    );
    assert.deepEqual(values.singleBinary, { persistence }, "the builder's own map is not changed");
    const vm = withStackKeys(
      "victoria-metrics-k8s-stack",
      { vmsingle: { spec: {} }, vmagent: {} },
      {
        "victoriametrics.retention": "14d",
        "victoriametrics.scrapeInterval": "30s",
        "victoriametrics.volumeSize": "20Gi",
      },
    );
    assert.deepEqual(vm, {
      vmsingle: {
        spec: { retentionPeriod: "14d", storage: { resources: { requests: { storage: "20Gi" } } } },
      },
      vmagent: { spec: { scrapeInterval: "30s" } },
    });
  });
});

describe("round 16b: a value outside its key's bounds is told the form", () => {
  it("below a count's minimum: a whole number of at least the minimum, like an example inside it", () => {
    assert.deepEqual(problemsOf(`  ${P("loki")}:\n    replicas: 0\n`), [
      `${P("loki.replicas")}: expected a whole number of at least 1, like 3, got number 0`,
    ]);
  });

  it("above a bounded key's maximum, and at an exclusive minimum: the key's own range", () => {
    const alerting = `  ${P("alerting")}: {pushover: false, heartbeat: false, pushoverPriority: 3, logErrorsPerSecond: 0}\n`;
    assert.deepEqual(problemsOf("", alerting), [
      `${P("alerting.pushoverPriority")}: expected a whole number from -2 to 2, like 2, got number 3`,
      `${P("alerting.logErrorsPerSecond")}: expected a number above 0, like 3, got number 0`,
    ]);
  });

  it("a list shorter than its minimum says how many entries, and that the list found is empty", () => {
    assert.deepEqual(problemsOf(`  ${P("network")}:\n    receivers: []\n`), [
      `${P("network.receivers")}: expected a list of at least 1 entry, got an empty list`,
    ]);
  });
});

describe("round 16b: an abbreviated name is matched", () => {
  const stacks = ["example", "pi", "production", "staging", "takeover"];
  it("`prod` is `production`, though `pi` is fewer edits away", () => {
    assert.equal(closestMatch("prod", stacks), "production");
  });
  it("a name two known names hold, or one too short to say, is no match", () => {
    assert.equal(closestMatch("ion", ["production", "retention"]), undefined);
    assert.equal(closestMatch("pr", ["production", "staging"]), undefined);
  });
});
