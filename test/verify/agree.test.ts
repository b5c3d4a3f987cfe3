/**
 * backend-agrees without servers: the comparison (query-tee's rules, verify/agree.ts), the
 * tolerance per backend, the look-behind of an expression, Grafana's variables
 * (verify/grafanaVars.ts) and the report's order.
 */
import { strict as assert } from "assert";
import {
  compareRange,
  lookBehindSeconds,
  QUERY_TEE_TOLERANCE,
  seriesName,
  toleranceFor,
  valuesAgree,
  type RangeSeries,
} from "../../verify/agree";
import { worstFirst, type QueryReport } from "../../verify/agreeCheck";
import {
  formatValue,
  goDuration,
  grafanaInterval,
  replaceBuiltins,
  resolveTarget,
  type TemplateVariable,
} from "../../verify/grafanaVars";
import { expectationsFor } from "../../verify/expect";
import { parseVerifyArgs, VerifyArgsError } from "../../cli/verifyRun";
import { formatReport } from "../../verify/report";
import { config } from "../support/helpers";

const s = (metric: Record<string, string>, values: [number, number | string][]): RangeSeries => ({
  metric,
  values: values.map(([t, v]) => [t, String(v)]),
});
const window = { tolerance: QUERY_TEE_TOLERANCE, from: 100, to: 200 };

describe("backend-agrees: the comparison (query-tee's comparator)", () => {
  it("series match by label set in any order; equal values agree", () => {
    const a = [
      s({ __name__: "up", job: "a" }, [
        [100, 1],
        [110, 1],
      ]),
      s({ __name__: "up", job: "b" }, [[100, 0]]),
    ];
    const b = [a[1], a[0]];
    const c = compareRange(a, b, window);
    assert.equal(c.verdict, "agrees");
    assert.deepEqual(c.series, { prometheus: 2, backend: 2 });
  });

  it("a series on one side only differs, named with its labels", () => {
    const p = [s({ __name__: "up", job: "a" }, [[100, 1]])];
    const b = [...p, s({ __name__: "up", job: "ghost" }, [[120, 1]])];
    const c = compareRange(p, b, window);
    assert.equal(c.verdict, "differs");
    assert.deepEqual(c.onlyBackend, ['up{job="ghost"}']);
    assert.equal(c.firstDifferenceAt, 120);
  });

  it("a renamed label makes one series on each side", () => {
    const c = compareRange(
      [s({ __name__: "x", job: "a" }, [[100, 1]])],
      [s({ __name__: "x", service: "a" }, [[100, 1]])],
      window,
    );
    assert.deepEqual([c.onlyPrometheus, c.onlyBackend], [['x{job="a"}'], ['x{service="a"}']]);
  });

  it("a timestamp one side lacks is a gap, with its first timestamp", () => {
    const c = compareRange(
      [
        s({ job: "a" }, [
          [100, 1],
          [110, 1],
          [120, 1],
          [130, 1],
        ]),
      ],
      [
        s({ job: "a" }, [
          [100, 1],
          [130, 1],
        ]),
      ],
      window,
    );
    assert.equal(c.verdict, "differs");
    assert.deepEqual(c.gap, { series: '{job="a"}', missingOn: "backend", samples: 2, firstAt: 110 });
  });

  it("values: relative tolerance against the backend's value, absolute at 0; NaN and infinities equal themselves", () => {
    assert.ok(valuesAgree(1_000_000, 1_000_000.5, 1e-6));
    assert.ok(!valuesAgree(1_000_000, 1_000_002, 1e-6));
    assert.ok(valuesAgree(0.0000001, 0, 1e-6));
    assert.ok(valuesAgree(NaN, NaN, 0));
    assert.ok(valuesAgree(Infinity, Infinity, 0) && valuesAgree(-Infinity, -Infinity, 0));
    assert.ok(!valuesAgree(NaN, 1, 1) && !valuesAgree(Infinity, -Infinity, 1));
    const c = compareRange(
      [
        s({ job: "a" }, [
          [100, 2],
          [110, 3],
        ]),
      ],
      [
        s({ job: "a" }, [
          [100, 2],
          [110, 4],
        ]),
      ],
      window,
    );
    assert.equal(c.verdict, "differs");
    assert.equal(c.worst?.relative, 0.25);
    assert.equal(c.worst?.at, 110);
  });

  it("samples outside the window are not compared; nothing in it on both sides is empty", () => {
    const c = compareRange(
      [
        s({ job: "a" }, [
          [90, 1],
          [210, 5],
        ]),
      ],
      [s({ job: "a" }, [[90, 2]])],
      window,
    );
    assert.equal(c.verdict, "empty");
    // A series of NaN alone (Prometheus' scalar() of nothing) carries no value.
    assert.equal(
      compareRange(
        [
          s({}, [
            [100, "NaN"],
            [110, "NaN"],
          ]),
        ],
        [],
        window,
      ).verdict,
      "empty",
    );
  });

  it("series names print as Prometheus does, labels sorted", () => {
    assert.equal(seriesName({ b: "2", __name__: "m", a: "1" }), 'm{a="1", b="2"}');
  });
});

describe("backend-agrees: tolerance and look-behind", () => {
  it("Mimir gets query-tee's tolerance; VictoriaMetrics' window functions 2 x scrape / window", () => {
    assert.equal(toleranceFor("sum(rate(x[5m]))", "mimir", 30).tolerance, QUERY_TEE_TOLERANCE);
    assert.equal(toleranceFor("sum(rate(x[5m]))", "victoriametrics", 30).tolerance, 0.2);
    assert.equal(toleranceFor("increase(a[1m]) / rate(b[10m])", "victoriametrics", 15).tolerance, 0.5);
    assert.equal(toleranceFor("max_over_time(x[5m])", "victoriametrics", 30).tolerance, QUERY_TEE_TOLERANCE);
    assert.equal(toleranceFor("up", "victoriametrics", 30).tolerance, QUERY_TEE_TOLERANCE);
  });

  it("an expression reads its ranges, offsets and subqueries back, plus one sample interval", () => {
    assert.equal(lookBehindSeconds("up", 30), 30);
    assert.equal(lookBehindSeconds("rate(x[5m]) offset 1h", 30), 30 + 300 + 3600);
    assert.equal(lookBehindSeconds("max_over_time(rate(x[1m])[10m:1m])", 15), 15 + 60 + 600);
  });
});

describe("backend-agrees: Grafana's variables (Grafana 12.3)", () => {
  it("built-ins: $__interval truncated to one unit, $__rate_interval as Go prints it, $__range in seconds", () => {
    assert.equal(grafanaInterval(75), "1m");
    assert.equal(goDuration(75), "1m15s");
    assert.equal(goDuration(3600), "1h0m0s");
    const ctx = { stepSeconds: 60, rangeSeconds: 3600 };
    assert.equal(
      replaceBuiltins(
        "rate(x[$__rate_interval]) + y[${__interval}] + $__range_s + $__interval_ms + z[$__range]",
        ctx,
      ),
      "rate(x[1m15s]) + y[1m] + 3600 + 60000 + z[3600s]",
    );
    // A 1s step: 4 x the 15s default scrape interval wins.
    assert.equal(
      replaceBuiltins("rate(x[$__rate_interval])", { stepSeconds: 1, rangeSeconds: 60 }),
      "rate(x[1m0s])",
    );
  });

  it("values: single values escaped plainly, multi or include-all values regex-escaped and joined", () => {
    assert.equal(formatValue("a'b", { multi: false, includeAll: false }), "a\\\\'b");
    assert.equal(formatValue(["a.b", "c"], { multi: true, includeAll: false }), "(a\\\\.b|c)");
    assert.equal(formatValue(["only"], { multi: true, includeAll: true }), "only");
  });

  const variables: TemplateVariable[] = [
    {
      name: "cluster",
      type: "query",
      query: "label_values(up, cluster)",
      current: { value: "gone" },
      sort: 1,
    },
    {
      name: "namespace",
      type: "query",
      query: { query: 'label_values(kube_pod_info{cluster="$cluster"}, namespace)' },
      includeAll: true,
      allValue: ".+",
      current: { value: "$__all" },
    },
    {
      name: "pod",
      type: "query",
      query: 'label_values(kube_pod_info{namespace=~"$namespace"}, pod)',
      multi: true,
      includeAll: true,
      current: { value: ["$__all"] },
    },
    { name: "ds", type: "datasource", query: "prometheus" },
  ];
  const asked: [string, string | undefined][] = [];
  const labelValues = (label: string, selector?: string) => {
    asked.push([label, selector]);
    return Promise.resolve(
      { cluster: ["zeta", "alpha"], namespace: ["a", "b"], pod: ["p-1", "p.2"] }[label] ?? [],
    );
  };

  it("a saved value no option matches falls back to the first option (sorted); All is the custom all value, raw, else every option", async () => {
    const expr = await resolveTarget(
      'sum(rate(x{cluster="$cluster", namespace=~"$namespace", pod=~"${pod}"}[$__rate_interval]))',
      variables,
      { stepSeconds: 30, rangeSeconds: 3600, labelValues },
    );
    assert.equal(expr, 'sum(rate(x{cluster="alpha", namespace=~".+", pod=~"(p-1|p\\\\.2)"}[1m0s]))');
    // Each variable reads those before it, resolved.
    assert.deepEqual(asked[1], ["namespace", 'kube_pod_info{cluster="alpha"}']);
    assert.deepEqual(asked[2], ["pod", 'kube_pod_info{namespace=~".+"}']);
  });

  it("no option: a single-value variable is empty (the selector matches the label's absence)", async () => {
    const expr = await resolveTarget('up{cluster="$cluster"}', [variables[0]], {
      stepSeconds: 60,
      rangeSeconds: 3600,
      labelValues: () => Promise.resolve([]),
    });
    assert.equal(expr, 'up{cluster=""}');
  });
});

describe("backend-agrees: the queries, the order of the report, the flags", () => {
  it("the panel targets are every Metrics target of the program's and the community dashboards, with their variables", () => {
    const exp = expectationsFor(config({ phase: "dual-write", metricsBackend: "mimir" }), []);
    assert.ok(exp.panelTargets.length > exp.dashboardQueries.length, "the community dashboards' targets too");
    assert.ok(exp.panelTargets.some((t) => t.variables.some((v) => v.type === "query")));
    assert.ok(exp.panelTargets.every((t) => !/\$datasource|\$\{datasource/.test(t.expr)));
  });

  it("worst first: differing (one-sided before larger values), refused, empty, too recent, agreeing", () => {
    const r = (
      query: string,
      verdict: QueryReport["verdict"],
      extra: Partial<QueryReport> = {},
    ): QueryReport => ({
      query,
      verdict,
      sources: [],
      tolerance: 0,
      toleranceFrom: "",
      ...extra,
    });
    const sorted = worstFirst([
      r("ok", "agrees"),
      r("e", "empty"),
      r("small", "differs", {
        worst: { series: "", at: "", prometheus: "1", backend: "1.1", relative: 0.1 },
      }),
      r("refused", "refused"),
      r("ghost", "differs", { onlyBackend: ["x"] }),
      r("big", "differs", { worst: { series: "", at: "", prometheus: "1", backend: "3", relative: 2 } }),
      r("late", "too-recent"),
    ]).map((x) => x.query);
    assert.deepEqual(sorted, ["ghost", "big", "small", "refused", "e", "late", "ok"]);
  });

  it("--window shorter than --step, or not a duration, is a bad argument naming both", () => {
    // With a phase --gate: without one, backend-agrees does not run and nothing reads them.
    const gate = ["--gate", "backend-primary"];
    assert.throws(
      () => parseVerifyArgs(["--stack", "s", ...gate, "--window", "30s", "--step", "1m"]),
      (e: Error) => e instanceof VerifyArgsError && /--window 30s is shorter than --step 1m/.test(e.message),
    );
    assert.throws(
      () => parseVerifyArgs(["--stack", "s", ...gate, "--step", "soon"]),
      (e: Error) =>
        e instanceof VerifyArgsError && /--step: expected a duration .* got "soon"/.test(e.message),
    );
    assert.deepEqual(parseVerifyArgs(["--stack", "s", ...gate, "--window", "10m", "--step", "15s"]).agree, {
      windowSeconds: 600,
      stepSeconds: 15,
    });
  });

  it("the report for people lists each query under the check, worst first, with where it comes from", () => {
    const text = formatReport({
      stack: "s",
      phase: "dual-write",
      checks: [
        {
          id: "backend-agrees",
          status: "fail",
          detail: "2 queries",
          queries: [
            {
              query: "sum(\n  up)",
              sources: ["rule g/r"],
              verdict: "differs",
              tolerance: 0.000001,
              toleranceFrom: "query-tee's default",
              onlyBackend: ['up{job="ghost"}'],
            },
            {
              query: "vector(1)",
              sources: ['dashboard "D", panel "P" (A)'],
              verdict: "agrees",
              tolerance: 0.000001,
              toleranceFrom: "",
            },
          ],
        },
      ],
    });
    const lines = text.split("\n").filter((l) => /^ {8}\S/.test(l));
    assert.deepEqual(lines, [
      '        DIFFERS     sum( up): only on the backend: up{job="ghost"}  [rule g/r]',
      '        AGREES      vector(1)  [dashboard "D", panel "P" (A)]',
    ]);
  });
});
