import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * A problem's excerpt shows the line of the key it names. When that key's name says it holds a
 * credential (an unknown `adminPasword`, a misspelt `apiTokn`), its value is not shown: the key it
 * misspells would have been a secret (config/locate.ts CREDENTIAL_NAME).
 */
describe("config: the excerpt of a problem on a key named like a credential", () => {
  it("shows the key, never its value, for an unknown key that misspells a password", () => {
    const e = refusal(`${BASE}${STORE}  ${P("grafana")}:
    adminPasword: hunter2hunter2
`);
    assert.match(e.problems[0], /grafana\.adminPasword: unknown key/);
    assert.ok(!e.message.includes("hunter2hunter2"), e.message);
    assert.match(e.message, /adminPasword: <not shown>/);
  });

  it("shows the value of a key named like nothing secret", () => {
    const e = refusal(`${BASE}${STORE}  ${P("grafana")}:
    replicsa: 7
`);
    assert.match(e.message, /replicsa: 7/);
  });
});
