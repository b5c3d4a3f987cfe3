import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { itemReadError, itemReadKind, providerReason, SecretItemError } from "../../builders/secrets/secrets";
import { inputFailure } from "../../cli/internalError";
import { parseStackConfig } from "../../config/resolve";
import { rawConfig } from "../support/helpers";
import { productionWithItems } from "../support/itemAnswers";

/*
 * Audit C: 1Password's failures at `pulumi` time. A missing item or a wrong vault failed inside the
 * provider's read with its own words only ("Found 0 item(s) in vault … with title …"), under the
 * engine as "failed with an unhandled exception" and a stack trace: no stack key, no what to do.
 */

const VAULT = "6qf2homelabvault0000000000";
const GETITEM = "onepassword:index/getItem:getItem";

/**
 * A failed invoke as the mock monitor hands it on: the SDK rejects with `new Error(err.details)`
 * (@pulumi/pulumi runtime/invoke.js), `details` being what the engine says of the provider's error.
 */
const invokeFailure = (reason: string) =>
  Object.assign(new Error(reason), {
    details: `invocation of ${GETITEM} returned an error: 1 error occurred:\n\t* Unable to read item, got error: ${reason}\n\n`,
  });

/** The production stack's synthesis with 1Password answering `fail` (or the item) per title. */
async function failure(
  fail: (title: string, vault: string) => string | undefined,
  overrides: Record<string, string> = {},
): Promise<{ error: unknown; values: string[] }> {
  return productionWithItems((token, inputs, item) => {
    if (token === GETITEM) {
      const reason = fail(String(inputs.title), String(inputs.vault));
      if (reason) throw invokeFailure(reason);
    }
    return item();
  }, overrides);
}

/** What `pulumi preview` prints for it: cmd/run/run.js logs a RunError's message alone. */
function previewLine(error: unknown): string {
  assert.ok(pulumi.RunError.isInstance(error), `not a RunError under the engine: ${String(error)}`);
  return error.message;
}

describe("1Password: a missing item or a wrong vault at `pulumi` time (audit C)", function () {
  this.timeout(120000);

  it("a missing item names its key, title, the lookup by title, the vault and what to do, in synth and preview alike", async () => {
    const { error, values } = await failure((title, vault) =>
      title === "minio-admin" ? `Found 0 item(s) in vault "${vault}" with title "${title}"` : undefined,
    );
    assert.ok(error instanceof SecretItemError, String(error));
    const detail =
      'homelab-observability:secrets.items.minioAdmin: expected a 1Password item titled "minio-admin" in vault 6qf2homelabvault0000000000 (items are looked up by their exact title), got none (1Password said: Found 0 item(s) in vault "6qf2homelabvault0000000000" with title "minio-admin"); create it there with the field "username", or set homelab-observability:secrets.items.minioAdmin to the title of the item that holds it';
    assert.equal(error.detail, detail);
    // The SDK's wrapping on the way did not bury it: preview prints exactly this, one line.
    assert.equal(previewLine(error), detail);
    const known = inputFailure("production", error);
    assert.ok(known);
    assert.equal(known.text, `production: ${detail}`);
    for (const v of values) assert.ok(!known.text.includes(v), "a value of an item is printed");
  });

  it("a wrong vault is one message at secrets.vault, however many items it fails", async () => {
    const { error } = await failure((_title, vault) => `Found 0 vaults with title "${vault}"`, {
      "homelab-observability:secrets": JSON.stringify({
        backend: "onepassword",
        vault: "zzzzzzzzzzzzzzzzzzzzzzzzzz",
        connectUrl: "http://localhost:8080",
      }),
    });
    assert.ok(error instanceof SecretItemError, String(error));
    assert.match(
      previewLine(error),
      /^homelab-observability:secrets\.vault: expected the ID of a vault this token can read, got zzzzzzzzzzzzzzzzzzzzzzzzzz, where no item could be read \(first homelab-observability:secrets\.items\.\w+, item "[^"]+"; 1Password said: Found 0 vaults with title "z+"\); set homelab-observability:secrets\.vault to the vault's ID \(`op vault list` prints it\), and grant the Connect server or service account access to that vault$/,
    );
  });

  it("a receiver's missing item names alerting.receivers[i].item", async () => {
    const alerting = {
      receivers: [
        {
          name: "ops-mail",
          type: "email",
          to: "ops@example.net",
          from: "am@example.net",
          smarthost: "smtp.example.net:587",
        },
        { name: "team-slack", type: "slack", channel: "#alerts" },
      ],
    };
    const { error } = await failure(
      (title, vault) =>
        title === "alertmanager-team-slack"
          ? `Found 0 item(s) in vault "${vault}" with title "${title}"`
          : undefined,
      { "homelab-observability:alerting": JSON.stringify(alerting) },
    );
    assert.ok(error instanceof SecretItemError, String(error));
    assert.match(
      error.detail,
      /^homelab-observability:alerting\.receivers\[1\]\.item \(receiver "team-slack"\): expected a 1Password item titled "alertmanager-team-slack" in vault 6qf2homelabvault0000000000 \(items are looked up by their exact title\), got none .*create it there with the field "api_url"/,
    );
  });

  it("the missing field is said as written under the engine too (one line, not the SDK's prefixes)", () => {
    const e = new SecretItemError("x: no field");
    e.message = `error serializing property "stringData": ${e.message}`;
    e.message = `error serializing property "password": ${e.message}`;
    assert.equal(e.message, "x: no field");
    assert.deepEqual(e.inputs, ["password", "stringData"]);
    assert.ok(pulumi.RunError.isInstance(e));
  });

  it("reads the provider's reasons: no item, several, the vault (Connect and op), anything else", () => {
    const reason = providerReason(invokeFailure('Found 2 item(s) in vault "v" with title "t"'));
    assert.equal(reason, 'Found 2 item(s) in vault "v" with title "t"');
    assert.equal(itemReadKind(reason), "several");
    assert.equal(itemReadKind('op error: "t" isn\'t an item in the "v" vault.'), "missing");
    assert.equal(itemReadKind('op error: "v" isn\'t a vault in this account.'), "vault");
    assert.equal(itemReadKind("malformed vault uuid provided"), "vault");
    assert.equal(itemReadKind("connection refused"), "unknown");
    // Every read of a wrong vault gets the same error: the SDK's handler reports it once.
    const seen = new Map<string, SecretItemError>();
    const wrong = invokeFailure('Found 0 vaults with title "v"');
    const first = itemReadError(wrong, { where: "a", title: "t1", vault: "v", field: "f" }, seen);
    assert.equal(itemReadError(wrong, { where: "b", title: "t2", vault: "v", field: "f" }, seen), first);
  });
});

describe("config: secrets.vault is the vault's ID in both 1Password modes (audit C)", () => {
  for (const connectUrl of ["http://localhost:8080", undefined])
    it(`refuses a vault name ${connectUrl ? "with Connect" : "with a service account"}, saying why and what to set`, () => {
      const secrets = { backend: "onepassword", vault: "Homelab", ...(connectUrl ? { connectUrl } : {}) };
      assert.throws(
        () => parseStackConfig(rawConfig({ secrets, onepasswordToken: "x" }), "t", {}),
        /homelab-observability:secrets\.vault: expected a 1Password vault ID \(26 lowercase letters and digits, as `op vault list` prints it\), got "Homelab"; the 1Password provider keeps the ID of the vault it writes the generated credentials to, so a name would replace them on every update/,
      );
      assert.doesNotThrow(() =>
        parseStackConfig(
          rawConfig({ secrets: { ...secrets, vault: VAULT }, onepasswordToken: "x" }),
          "t",
          {},
        ),
      );
    });
});
