import { strict as assert } from "assert";
import { itemField, SecretItemError, type OnePasswordItem } from "../../builders/secrets/secrets";

/*
 * One field name, two values in one 1Password item: the provider hands over a Login's website as
 * `url` and every section field beside it (terraform-provider-onepassword v2.1.2
 * onepassword_item_data_source.go Read). The heartbeat or a webhook receiver reads `url`; an item
 * holding the service's website and a section field "url" with the ping URL sent the website to
 * Alertmanager without a word.
 */

const WHERE = "homelab-observability:secrets.items.heartbeat";
const WEBSITE = "https://healthchecks.example/dashboard-31337";
const PING = "https://hc-ping.example/secret-uuid-31337";

const item = (url: string, sectionUrl?: string, label = "fields"): OnePasswordItem =>
  ({
    title: "alertmanager-heartbeat",
    vault: "6qf2homelabvault0000000000",
    url,
    sections: sectionUrl === undefined ? [] : [{ label, fields: [{ label: "url", value: sectionUrl }] }],
  }) as OnePasswordItem;

describe("1Password: a field the stack reads, found in the item's own fields and its sections", () => {
  it("two different values are one error naming both places, never a value", () => {
    assert.throws(
      () => itemField(item(WEBSITE, PING), "url", WHERE),
      (e: unknown) => {
        assert.ok(e instanceof SecretItemError, String(e));
        assert.equal(
          e.detail,
          `${WHERE}: expected one value for field "url" of 1Password item "alertmanager-heartbeat" in vault 6qf2homelabvault0000000000, got 2 different ones (in the item's website (its primary URL), the field "url" of section "fields"; not shown); keep the one the stack should use and remove or empty the others`,
        );
        assert.ok(!e.detail.includes(WEBSITE) && !e.detail.includes(PING), "a value is printed");
        return true;
      },
    );
  });

  it("the same value in both places, or in one of them, is read", () => {
    assert.equal(itemField(item(PING, PING), "url", WHERE), PING);
    assert.equal(itemField(item("", PING), "url", WHERE), PING);
    assert.equal(itemField(item(PING), "url", WHERE), PING);
  });

  it("an item with neither still says the field is missing", () => {
    assert.throws(() => itemField(item(""), "url", WHERE), /has no field "url" \(or it is empty\)/);
  });
});
