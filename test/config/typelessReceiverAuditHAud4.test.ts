/**
 * An unknown key in an Alertmanager receiver with no `type`: judged against every receiver type's
 * keys, it gets the closest of them, or, close to none, the keys every type takes and where the
 * rest are; the missing type is said once, on its own line.
 */
import { strict as assert } from "assert";
import { BASE, P, STORE, refusal } from "../support/stackText";

const typeless = (keys: string) =>
  BASE + STORE + `  ${P("alerting")}:\n    receivers:\n      - name: ops\n${keys}`;

describe("an unknown key in a receiver with no type", () => {
  it("names the closest key of any receiver type", () => {
    const e = refusal(typeless(`        chanel: "#alerts"\n`));
    assert.ok(
      e.problems.some((p) => /receivers\[0\]\.chanel: unknown key; did you mean "channel"\?/.test(p)),
      e.message,
    );
  });

  it("close to none, lists the keys every type takes, and says the type is missing once", () => {
    const e = refusal(typeless(`        zzzz: 1\n`));
    const mine = e.problems.find((p) => p.includes("receivers[0].zzzz"));
    assert.match(
      mine ?? "",
      /: unknown key; expected one of the keys every type takes \(type, name, minSeverity, item, send_resolved\) or one of its type's own \(every key: docs\/reference\/configuration\.md\)$/,
      e.message,
    );
    assert.equal(e.problems.filter((p) => /got nothing/.test(p)).length, 1, e.message);
    assert.match(
      e.problems.find((p) => /got nothing/.test(p)) ?? "",
      /receivers\[0\]\.type: expected one of email/,
    );
  });
});
