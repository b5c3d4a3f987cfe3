/** The synthesis says what a stack leaves out: counted in the summary, each one in the detail. */
import { strict as assert } from "assert";
import { formatLeftOut, leftOutCounts } from "../../synth/report";

const LEFT_OUT = [
  { what: "dashboard a.json: CPU", why: "x: no emitter's source names it" },
  { what: "dashboard a.json: Memory", why: "y: no emitter's source names it" },
  { what: "dashboard a.json", why: "no panel left that this stack can fill" },
  { what: "rule kube-prometheus/g/Alert", why: "z comes from etcd, which this stack does not run" },
];

describe("what a stack leaves out, in the synthesis", () => {
  it("counts panels, whole dashboards and rules apart", () => {
    assert.equal(leftOutCounts(LEFT_OUT), "2 panels, 1 dashboard and 1 rule");
    assert.equal(leftOutCounts([]), "0 panels, 0 dashboards and 0 rules");
  });
  it("lists each with its reason", () => {
    const text = formatLeftOut("staging", LEFT_OUT);
    assert.match(text, /^== staging: left out/);
    for (const l of LEFT_OUT) assert.ok(text.includes(`  ${l.what}\n      ${l.why}`), l.what);
  });
});
