import { strict as assert } from "assert";
import { BASE, P, refusal, STORE } from "../support/stackText";

/*
 * Beside a variant name close to a known one (`type: slak`, `type: garag`), every key under it is
 * judged as that closest variant, in one run, each line saying so: a plain-text credential is
 * refused as that type refuses it, a key the type lacks is named (as another type's key when one
 * has it, as unknown when none does), and the value of a credential is never printed.
 */
const ALERTING = `${BASE}${STORE}  ${P("alerting")}:
    pushover: false
    heartbeat: false
    receivers:
`;
const judged = (near: string, given: string) => ` (judged as type "${near}", the closest to "${given}")`;

describe("config: keys beside a near-miss variant name (config/errors.ts)", function () {
  this.timeout(20000);

  it("a plain-text credential beside a near-miss receiver type is refused as the closest type refuses it, its value not shown", () => {
    const slack = refusal(
      `${ALERTING}      - name: team-slack
        type: slak
        channel: "#alerts"
        api_url: https://hooks.slack.com/services/SECRET123
`,
      "lab",
    );
    assert.ok(!slack.message.includes("SECRET123"), slack.message);
    assert.deepEqual(slack.problems.slice(1), [
      `${P("alerting.receivers[0].api_url")}: a credential in the receiver, where the stack file holds none: remove this api_url line; it comes from the secrets backend (\`pulumi config set --stack lab --secret --path 'receiverCredentials.team-slack'\`, which prompts for the value, or the 1Password item's field "api_url") and reaches Alertmanager as api_url_file, got a plain-text value (not shown)${judged("slack", "slak")}`,
    ]);
    const pager = refusal(
      `${ALERTING}      - name: oncall
        type: pagerdty
        routing_key: abc
        severity: high
`,
      "lab",
    );
    assert.ok(!/\babc\b/.test(pager.message), pager.message);
    assert.deepEqual(pager.problems.slice(1), [
      `${P("alerting.receivers[0].routing_key")}: a credential in the receiver, where the stack file holds none: remove this routing_key line; it comes from the secrets backend (\`pulumi config set --stack lab --secret --path 'receiverCredentials.oncall'\`, which prompts for the value, or the 1Password item's field "routing_key") and reaches Alertmanager as routing_key_file, got a plain-text value (not shown)${judged("pagerduty", "pagerdty")}`,
    ]);
  });

  it("a key the closest type lacks is named: as another type's key when one has it, else as unknown", () => {
    const store = refusal(`${BASE}  ${P("objectStore")}:
    type: garag
    endpoint: http://garage.storage.svc:3900
    adminEndpoint: http://localhost:3903
    pathStyle: true
    flavour: mint
`);
    assert.deepEqual(store.problems.slice(1), [
      `${P("objectStore.pathStyle")}: a key of type "minio", not of type "garage": type "garage" reads no pathStyle; remove it, or set type "minio"${judged("garage", "garag")}`,
      `${P("objectStore.flavour")}: unknown key (every key: docs/reference/configuration.md)${judged("garage", "garag")}`,
    ]);
    const mail = refusal(`${ALERTING}      - name: mail
        type: emial
        to: ops@example.net
        from: alertmanager@example.net
        smarthost: smtp.example.net:587
        channel: "#x"
        flavour: mint
`);
    assert.deepEqual(mail.problems.slice(1), [
      `${P("alerting.receivers[0].channel")}: a key of type "slack", not of type "email": type "email" reads no channel; remove it, or set type "slack"${judged("email", "emial")}`,
      `${P("alerting.receivers[0].flavour")}: unknown key (every key: docs/reference/configuration.md)${judged("email", "emial")}`,
    ]);
  });

  it("a misspelt key beside a near-miss type says, like every line beside it, which type it was judged as", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: minoi
    endpoint: http://minio.storage.svc:9000
    regoin: us-east-1
`);
    assert.deepEqual(e.problems.slice(1), [
      `${P("objectStore.regoin")}: unknown key; did you mean "region"?${judged("minio", "minoi")}`,
    ]);
  });
});

describe("config: a misspelt required key beside a near-miss variant name (config/errors.ts)", function () {
  this.timeout(20000);

  it("is one line, asking to rename the key, and still says which type it was judged as", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: garag
    endpoint: http://garage.storage.svc:3900
    adminEndpont: http://localhost:3903
`);
    assert.deepEqual(e.problems.slice(1), [
      `${P("objectStore.adminEndpont")}: unknown key; did you mean "adminEndpoint"? (objectStore.adminEndpoint is required and missing: rename this key)${judged("garage", "garag")}`,
    ]);
  });
});
