/**
 * Audit hPi2: `victoriametrics.retention` has one expected form, VictoriaMetrics' own (v1.144.0
 * lib/flagutil/duration.go RetentionDuration.Set, app/vmstorage/main.go): a bare number and "1h"
 * get the same words, each at its file:line; so does `loki.replicas` above the untainted nodes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { P, refusal } from "../support/stackText";

const pi = fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8");
const FORM =
  'expected a duration of at least 1d in h|d|w|y like "14d" (vmstorage reads a bare number as months, refuses "m" and below 24h)';

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
  it("loki.replicas above the untainted nodes is refused at its line", () => {
    const e = refusal(pi.replace("retention: 7d", "retention: 7d\n    replicas: 4"));
    assert.match(
      e.message,
      /loki\.replicas: expected at most 3, .*got 4\n\s+at .*Pulumi\.s\.yaml:\d+:\d+\n\s+\d+ \|\s+replicas: 4/,
    );
  });
});
