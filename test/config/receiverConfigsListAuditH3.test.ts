import { strict as assert } from "assert";
import { P, receiversStack, refusal } from "../support/stackText";

/*
 * A receiver pasted from Alertmanager's documentation keeps its integration's list
 * (`webhook_configs: [{url: ...}]`, prometheus/alertmanager v0.28.1 config/config.go `Receiver`).
 * No key of a receiver is near it, so it was told "unknown key (every key: ...)", which says
 * nothing of where those fields go: each item of alerting.receivers is one entry of that list.
 */

describe("config: an Alertmanager <integration>_configs list in a receiver (audit h3)", () => {
  it("is told the receiver is one entry of it, written flat, its credential left to the secrets backend", () => {
    const e = refusal(
      receiversStack(
        "      - name: hook\n        type: webhook\n        webhook_configs:\n          - url: https://example.net/hook\n",
      ),
      "lab",
    );
    const line = e.problems.find((p) => p.startsWith(P("alerting.receivers[0].webhook_configs")));
    assert.equal(
      line,
      `${P("alerting.receivers[0].webhook_configs")}: unknown key: webhook_configs is Alertmanager's list in a receiver, and each item of alerting.receivers is one entry of such a list, written flat: type: webhook and the fields of one webhook_configs entry on the item itself, its url aside (it comes from the secrets backend: docs/how-to/alert-receivers.md)`,
    );
    // Never its value: the pasted url is the webhook's credential.
    assert.doesNotMatch(e.message, /example\.net\/hook/);
  });

  it("an integration the program does not wire is told which types there are", () => {
    const e = refusal(
      receiversStack("      - name: ops\n        type: webhook\n        opsgenie_configs: []\n"),
      "lab",
    );
    assert.ok(
      e.problems.includes(
        `${P("alerting.receivers[0].opsgenie_configs")}: unknown key: opsgenie_configs is Alertmanager's list in a receiver, and each item of alerting.receivers is one entry of such a list, written flat: type (one of email | slack | discord | telegram | msteams | webhook | pagerduty) and the fields of that integration on the item itself (docs/how-to/alert-receivers.md)`,
      ),
      e.message,
    );
  });

  it("a key ending in _configs that is no list of Alertmanager's receiver is not said to be one", () => {
    // prometheus/alertmanager v0.28.1 config/config.go:1008-1023: the receiver's lists.
    const key = P("alerting.receivers[0].webhok_configs");
    const { problems } = refusal(
      receiversStack("      - name: hook\n        type: webhook\n        webhok_configs: []\n"),
      "lab",
    );
    assert.ok(
      problems.some((p) => p.startsWith(`${key}: unknown key`)),
      problems.join("\n"),
    );
    assert.ok(
      problems.every((p) => !/Alertmanager's list/.test(p)),
      problems.join("\n"),
    );
  });
});
