import { strict as assert } from "assert";
import { synth } from "../support/helpers";
import { againstChecks } from "../support/changeStates";

/**
 * Grafana takes its admin password from the Secret only on its first start, while its database
 * (on its claim) has no user; an update that replaces the password's source afterwards changes the
 * Secret, not the login. `--against` refuses it once, stack-wide, naming the key, what Grafana
 * keeps and the ways out; a fresh Grafana (no claim in the export) or an unchanged source is silent.
 */
/** Where the refusal sends the reader (docs/how-to/check-a-change.md heading). */
const DOC = "docs/how-to/check-a-change.md#a-refused-grafana-admin-source";
/** A stand-in for the operator's value: a test value, never printed by the check. */
const GIVEN = "given-admin-password-for-the-test";

describe("change check: Grafana's admin password source replaced after it first ran (--against)", function () {
  this.timeout(180000);
  const { write, previousOf, check } = againstChecks("grafana-admin");
  const adminLine = (text: string) => text.split("\n").find((l) => l.startsWith("REFUSED Grafana admin"));

  it("grafanaAdminPassword set on a stack that generated one: 1 refused, naming the key, what Grafana keeps and the ways out", async () => {
    const previous = await previousOf("staging", {}, "generated");
    const c = await check("staging", { grafanaAdminPassword: GIVEN }, previous);
    assert.equal(c.code, 1, c.text);
    assert.equal(c.refused, 1, c.text);
    const line = adminLine(c.text);
    assert.ok(line, c.text);
    assert.match(line, /^REFUSED Grafana admin password generated -> config: grafanaAdminPassword \(/);
    assert.match(line, /Grafana keeps the password it was first given/);
    assert.match(line, /on claim monitoring\/grafana/);
    assert.match(
      line,
      /exists only there and in the Pulumi state, and the update replaces both: the operator is locked out/,
    );
    assert.match(line, /Keep the source: keep secrets\.backend config and leave grafanaAdminPassword unset/);
    assert.ok(
      line.includes(
        `kubectl --context admin@staging get secret --namespace monitoring grafana-admin -o jsonpath="{.data.admin-password}" | base64 --decode; echo`,
      ),
      line,
    );
    assert.ok(
      line.includes(
        `kubectl --context admin@staging exec --namespace monitoring deploy/grafana -c grafana -- grafana cli admin reset-admin-password "$(kubectl --context admin@staging get secret --namespace monitoring grafana-admin -o jsonpath="{.data.admin-password}" | base64 --decode)"`,
      ),
      line,
    );
    assert.ok(line.endsWith(`(${DOC})`), line);
    assert.ok(!c.text.includes(GIVEN), "the given password is never printed");
    assert.match(c.why ?? "", /^1 refused/);
  });

  it("secrets.backend switched from onepassword to config: 1 refused, naming secrets.backend with its line", async () => {
    const previous = await previousOf("production", {}, "onepassword");
    const c = await check("production", { secrets: { backend: "config" } }, previous);
    assert.equal(c.refused, 1, c.text);
    const line = adminLine(c.text);
    assert.ok(line, c.text);
    assert.match(
      line,
      /^REFUSED Grafana admin password onepassword -> generated: secrets\.backend \(Pulumi\.production\.yaml:\d+\) changed from onepassword to config\./,
    );
    assert.match(line, /moves from the 1Password item secrets\.items\.grafanaAdmin to a generated password/);
    assert.match(line, /Keep the source: keep secrets\.backend onepassword with the same item/);
  });

  it("nothing about the source changed: silent, while the same change on that Grafana is refused", async () => {
    const previous = await previousOf("staging", {}, "unchanged");
    const same = await check("staging", {}, previous);
    assert.equal(adminLine(same.text), undefined, same.text);
    assert.equal(same.code, 0, same.text);
    // The control: the check does judge this export (a silent check passes the line above too).
    const changed = await check("staging", { grafanaAdminPassword: GIVEN }, previous);
    assert.ok(adminLine(changed.text), changed.text);
  });

  it("a fresh Grafana (the export ran none, so no claim): silent, while one that ran is refused", async () => {
    const ran = (await synth("staging", {})).export;
    const fresh = structuredClone(ran);
    fresh.deployment.resources = fresh.deployment.resources.filter(
      (r) => !(r.type === "kubernetes:helm.sh/v3:Release" && r.inputs?.chart === "grafana"),
    );
    const c = await check("staging", { grafanaAdminPassword: GIVEN }, write(fresh, "fresh"));
    assert.equal(adminLine(c.text), undefined, c.text);
    const control = await check("staging", { grafanaAdminPassword: GIVEN }, write(ran, "ran"));
    assert.ok(adminLine(control.text), control.text);
  });
});
