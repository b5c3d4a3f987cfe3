import { strict as assert } from "assert";
import { P, receiversStack, refusal } from "../support/stackText";

/*
 * A receiver's credential written in the stack file is refused by name (config/receivers.ts
 * noPlainCredentials). The program never reads a credential from there, so the rules between keys
 * ran with it unset, as the program reads the stack whichever way out the refusal takes: one
 * message for the one mistake, with no note calling the value "invalid".
 */

describe("config: a receiver's credential in the stack file is one message, no note of the rules beside it", () => {
  for (const [type, receiver, key] of [
    [
      "webhook",
      "      - name: hook\n        type: webhook\n        url: https://hooks.example.net/alert\n",
      "url",
    ],
    [
      "email without auth_username",
      "      - name: mail\n        type: email\n        to: a@example.com\n        from: b@example.com\n        smarthost: smtp.example.com:587\n        auth_password: hunter2\n",
      "auth_password",
    ],
  ])
    it(`${type}: the refusal of ${key} alone, and no "(the rules ... ran with ... unset, the value given being invalid)"`, () => {
      const e = refusal(receiversStack(receiver), "lab");
      assert.equal(e.problems.length, 1, e.message);
      assert.ok(
        e.problems[0].startsWith(`${P(`alerting.receivers[0].${key}`)}: a credential in the receiver`),
        e.message,
      );
      assert.deepEqual(
        e.notes.filter((n) => n.includes(`alerting.receivers[0].${key}`)),
        [],
        e.message,
      );
      assert.doesNotMatch(e.message, /hunter2|hooks\.example\.net/);
    });

  it("a receiver cut for another value keeps the rules' note on the item (only the credential's own note is left out)", () => {
    const e = refusal(
      receiversStack(
        "      - name: hook\n        type: webhook\n        url: https://hooks.example.net/alert\n        minSeverity: info\n",
      ),
      "lab",
    );
    assert.deepEqual(
      e.notes,
      [
        `(the rules between keys (which keys need which) ran without ${P("alerting.receivers[0]")}, the item given being invalid)`,
      ],
      e.message,
    );
  });
});
