/** The synthesis says what a stack leaves out: counted in the summary, each one in the detail. */
import { strict as assert } from "assert";
import { formatLeftOut, leftOutCounts } from "../../synth/report";

const LEFT_OUT = [
  { what: "dashboard a.json: CPU", why: "x: no emitter's source names it", metric: "x" },
  { what: "dashboard a.json: Memory", why: "y: no emitter's source names it", metric: "y" },
  { what: "dashboard a.json", why: "no panel left that this stack can fill" },
  {
    what: "rule kube-prometheus/g/Alert",
    why: "z comes from etcd, which this stack does not run",
    metric: "z",
  },
];

describe("what a stack leaves out, in the synthesis", () => {
  it("counts panels, whole dashboards and rules apart", () => {
    assert.equal(leftOutCounts(LEFT_OUT), "2 panels, 1 dashboard and 1 rule");
    assert.equal(leftOutCounts([]), "0 panels, 0 dashboards and 0 rules");
  });
  it("lists them a few lines per dashboard and rule group: each reason once, with its metrics and the panels it takes", () => {
    const text = formatLeftOut("staging", LEFT_OUT);
    assert.equal(
      text,
      [
        "== staging: left out (nothing in this stack emits what they read)",
        "  dashboard a.json (whole): no panel left that this stack can fill",
        "  dashboard a.json: 2 panels (CPU, Memory)",
        "      x, y: no emitter's source names it",
        "  rules kube-prometheus/g: 1 rule (Alert)",
        "      z: comes from etcd, which this stack does not run",
        "",
      ].join("\n"),
    );
  });

  it("cuts a long list to its first names and how many more; the metric named apart from its reason", () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      what: `dashboard big.json: Panel ${i}`,
      why: `metric_${i}_total comes from Loki, which this stack does not run (needs loki-store:dynamodb)`,
      metric: `metric_${i}_total`,
    }));
    const recorded = {
      what: "dashboard big.json: Rate",
      why: "cluster_job:loki_request_duration_seconds_bucket:sum_rate is a recording rule this stack does not ship",
      metric: "cluster_job:loki_request_duration_seconds_bucket:sum_rate",
    };
    const lines = formatLeftOut("s", [...many, recorded]).split("\n");
    assert.deepEqual(lines.slice(1, 5), [
      "  dashboard big.json: 30 panels (Panel 0, Panel 1, Panel 2 and 27 more)",
      "      metric_0_total, metric_1_total, metric_2_total and 27 more: comes from Loki, which this stack does not run (needs loki-store:dynamodb)",
      "  dashboard big.json: 1 panel (Rate)",
      "      cluster_job:loki_request_duration_seconds_bucket:sum_rate: is a recording rule this stack does not ship",
    ]);
  });
});
