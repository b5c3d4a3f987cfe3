/**
 * Audit hPi2: `victoriametrics.retention` has one expected form, VictoriaMetrics' own (v1.144.0
 * lib/flagutil/duration.go RetentionDuration.Set, app/vmstorage/main.go): a bare number and "1h"
 * get the same words, each at its file:line; so does `loki.replicas` above the untainted nodes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { configProblems, ROOT } from "../support/helpers";
import { P, refusal } from "../support/stackText";

const pi = fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8");
const FORM = `expected a duration of at least 1d as a whole number and one of h|d|w|y, like "14d" (the operator's CRD takes no other form; vmstorage reads a bare number as months, refuses "m" and below 24h)`;

describe("config: victoriametrics.retention in VictoriaMetrics' form, at its line (audit hPi2)", () => {
  for (const [value, got] of [
    // vmstorage reads a number without a unit as months of 31 days (lib/flagutil/duration.go:98-111,
    // :223 at v1.144.0): the same retention in days is offered.
    ["14", 'got number 14; vmstorage would read it as 14 months of 31 days, the same retention as "434d"'],
    ["1h", 'got string "1h"'],
    ["30m", 'got string "30m"'],
  ] as const)
    it(`${value}: one message, the form vmstorage takes, with file:line`, () => {
      const e = refusal(pi.replace(/retention: 14d/, `retention: ${value}`));
      const lines = e.problems.filter((p) => p.startsWith(`${P("victoriametrics.retention")}:`));
      assert.deepEqual(lines, [`${P("victoriametrics.retention")}: ${FORM}, ${got}`], e.message);
      assert.match(
        e.message,
        new RegExp(
          `retention: ${value}[^]*Pulumi\\.s\\.yaml:\\d+|Pulumi\\.s\\.yaml:\\d+:\\d+\\n\\s+\\d+ \\|\\s+retention: ${value}`,
        ),
      );
    });
  it("takes up to below 1201 months of 31 days, vmstorage's bound, and says the bound past it", () => {
    // lib/flagutil/duration.go:123-125, 222-223 at v1.144.0: msecs/msecsPer31Days > 1200 is refused.
    const vm = (retention: string) =>
      configProblems({ metricsBackend: "victoriametrics", victoriametrics: { retention } });
    for (const ok of ["37230d", "102y", "893543h", "5318w"]) assert.deepEqual(vm(ok), [], ok);
    for (const v of ["37231d", "103y", "893544h", "300y"])
      assert.deepEqual(vm(v), [
        `${P("victoriametrics.retention")}: expected a duration below 37231d: vmstorage refuses a -retentionPeriod of 1201 months of 31 days or more, got string "${v}"`,
      ]);
  });

  it("a compound or fractional duration, which vmstorage reads but the CRD's pattern refuses, is told the one-unit form", () => {
    // crd.yaml:15466-15468, 40961-40963 (victoria-metrics-k8s-stack 0.80.0): ^[0-9]+(h|d|w|y)?$
    for (const v of ["1d12h", "1.5d"])
      assert.deepEqual(
        configProblems({ metricsBackend: "victoriametrics", victoriametrics: { retention: v } }),
        [`${P("victoriametrics.retention")}: ${FORM}, got string "${v}"`],
      );
  });

  it("loki.replicas above the untainted nodes is refused at its line", () => {
    const e = refusal(pi.replace("retention: 7d", "retention: 7d\n    replicas: 4"));
    assert.match(
      e.message,
      /loki\.replicas: expected at most 3, .*got 4\n\s+at .*Pulumi\.s\.yaml:\d+:\d+\n\s+\d+ \|\s+replicas: 4/,
    );
  });
});
