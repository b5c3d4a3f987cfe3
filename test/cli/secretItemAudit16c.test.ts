import { strict as assert } from "assert";
import { SecretItemError } from "../../builders/secrets/secrets";
import { inputFailure, internalErrorText, unwrapped } from "../../cli/internalError";
import { closingLine, outcomeCode } from "../../synth/report";
import { productionWithItems } from "../support/itemAnswers";
import { tmpDir } from "../support/helpers";

/** Production moved to Garage (docs/how-to/move-to-garage.md step 4): the admin token is item garageAdmin's `credential`. */
const GARAGE = {
  "homelab-observability:objectStore": JSON.stringify({
    type: "garage",
    endpoint: "http://garage.storage.svc.cluster.local:3900",
    adminEndpoint: "http://localhost:3903",
    region: "garage",
    bucketPrefix: "production",
  }),
};

/** What the synthesis of that stack throws when 1Password's item garage-admin has no `credential`. */
async function withoutCredential(): Promise<{ error: unknown; values: string[] }> {
  return productionWithItems((_token, inputs, item) => {
    const answer = item();
    if (inputs.title === "garage-admin") answer.credential = "";
    return answer;
  }, GARAGE);
}

describe("a 1Password item without the field a stack reads, raised inside an apply (audit 16c)", function () {
  this.timeout(120000);
  let error: unknown;
  let values: string[];
  before(async () => ({ error, values } = await withoutCredential()));

  it("keeps its own words past the SDK's wrapping: which key, item, vault and field, and what to do", () => {
    assert.ok(error instanceof SecretItemError, String(error));
    // The SDK's wrapping is real (it rewrote the message once per input it passed), and left the
    // message as written: under `pulumi preview` it is printed alone (audit C).
    assert.ok(error.inputs.length > 0, "the SDK did not wrap the error");
    assert.equal(error.message, error.detail);
    assert.equal(
      error.detail,
      'homelab-observability:secrets.items.garageAdmin: 1Password item "garage-admin" in vault 6qf2homelabvault0000000000 has no field "credential" (or it is empty); add the field "credential" to the item, or point homelab-observability:secrets.items.garageAdmin at an item that has it',
    );
  });

  it("synth prints it as one line, closes with exit 2 naming it, and shows no value of the item", () => {
    const known = inputFailure("production", error);
    assert.ok(known, "a known input failure, not an unexpected error");
    assert.equal(known.text.split("\n").length, 1);
    assert.match(
      known.text,
      /^production: homelab-observability:secrets\.items\.garageAdmin: .* has no field "credential"/,
    );
    assert.doesNotMatch(known.text, /error serializing|unexpected|please report|SecretItemError/);
    for (const v of values) assert.ok(!known.text.includes(v), "a value of the item is printed");
    const outcome = {
      stack: "production",
      renderErrors: 0,
      checkProblems: 0,
      violations: [],
      refused: known.reason,
    };
    assert.equal(outcomeCode(outcome), 2);
    assert.equal(
      closingLine(outcome),
      "production: FAIL (exit 2): a secret the stack reads is missing (above)",
    );
  });

  it("an unexpected error raised inside an apply leads with its own words, then the inputs' path once", () => {
    const e = new Error(
      'error serializing property "password": error serializing property "password": error serializing property "stringData": error serializing property "admin": boom',
    );
    assert.equal(unwrapped(e.message), "boom (raised while serializing the input password.stringData.admin)");
    assert.match(
      internalErrorText("synth x", e, false, tmpDir("trace")),
      /^synth x: unexpected error \(please report it\): Error: boom \(raised while serializing the input password\.stringData\.admin\) \(full trace in /,
    );
    assert.equal(unwrapped("plain"), "plain");
  });
});
