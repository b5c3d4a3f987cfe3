import { strict as assert } from "assert";
import fc from "fast-check";
import { SECRET_SIG, SECRET_SIG_KEY } from "@homelab-observability/contract";
import { CREDENTIAL_WORDS, mayHoldCredential, plaintextInText } from "../../policy/credentials";
import { plainCredentialFilter } from "../support/credentialFilter";

// The text filter before a ConfigMap's text is parsed (mayHoldCredential) finds its words by a
// regex for some and by a rare character and a check by hand for others (for speed). Whatever its
// way, it must never say "no" where the whole check (parse, then every key) finds a credential,
// and it must let through every text the plainest statement of it lets through.

const plain = plainCredentialFilter;

/** Keys the whole check judges (CREDENTIAL_KEY, SECRET_URL_KEY, KEY_NAME_KEY, env names) and some it does not. */
const KEYS = [
  "password",
  "adminPassword",
  "secret_access_key",
  "accessKeyId",
  "apiKey",
  "api_key",
  "token",
  "bearer_token",
  "client_secret",
  "credentials",
  "routing_key",
  "slack_api_url",
  "webhook_url",
  "telegram_bot_token",
  "passwordKey",
  "ADMIN_PASSWORD",
  "FOO_TOKEN",
  "DB_PASS",
  "AWS_SECRET_KEY",
  "GF_PRIVATE_KEY",
  "url",
  "api_url",
  "name",
  "value",
  "title",
  "expr",
  "keys",
  "__url_time_range",
];

/** `s` with the letters the mask picks upper-cased (as a user may write a key). */
const cased = (s: string, mask: boolean[]) =>
  [...s].map((c, i) => (mask[i % Math.max(mask.length, 1)] ? c.toUpperCase() : c)).join("");

const key = fc
  .tuple(fc.constantFrom(...KEYS), fc.array(fc.boolean(), { maxLength: 12 }), fc.boolean())
  .map(([k, mask, keep]) => (keep ? k : cased(k, mask)));
const value = fc.oneof(
  fc.constantFrom(
    "hunter2",
    "x",
    "${PASSWORD}",
    "$__file{/etc/pw}",
    "https://u:p@host/x",
    "https://hooks/x",
    "",
  ),
  fc.string({ maxLength: 8 }),
  fc.integer(),
);
const entry = fc.tuple(key, value);
/** Text around the entries: words of the filter where no key ends, dashboards' usual keys. */
const filler = fc.constantFrom(
  "",
  " ",
  "keyconcepts",
  "/d/x?var-job=${__url_time_range}",
  "see https://medium.com/@someone/post",
  '"expr":"sum(rate(x[5m]))"',
  "description",
);

/** One config text of the entries: YAML, JSON (spaced at random), env lines or a receivers list. */
const text = fc
  .tuple(
    fc.array(entry, { maxLength: 5 }),
    fc.constantFrom("yaml", "json", "env", "envList", "receivers", "flat"),
    fc.constantFrom("", " ", "  ", "\t"),
    filler,
    fc.boolean(),
  )
  .map(([entries, form, space, fill, signature]) => {
    const pairs: [string, unknown][] = entries.map(([k, v]) => [k, v]);
    if (signature) pairs.push(["x", { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "c" }]);
    switch (form) {
      case "yaml":
        return pairs.map(([k, v]) => `${k}:${space || " "}${JSON.stringify(v)}\n${fill}`).join("");
      case "json":
        return `{${pairs.map(([k, v]) => `${JSON.stringify(k)}${space}:${space}${JSON.stringify(v)}`).join(`,${space}`)}${fill ? `,"f":${JSON.stringify(fill)}` : ""}}`;
      case "env":
        return pairs
          .map(([k, v]) => `${k}=${typeof v === "string" || typeof v === "number" ? String(v) : "x"}`)
          .join("\n");
      case "envList":
        return JSON.stringify({ env: pairs.map(([k, v]) => ({ name: k, value: v })), fill });
      case "receivers":
        return JSON.stringify({
          receivers: [
            { slack_configs: pairs.map(([k, v]) => ({ [k]: v })), webhook_configs: [{ url: fill }] },
          ],
        });
      default:
        return `${fill}${pairs.map(([k, v]) => `${k}${space}${JSON.stringify(v)}`).join(space)}`;
    }
  });

/** Words of the filter at random places of random text, in random case, with random separators around them. */
const strung = fc
  .array(
    fc.oneof(
      fc
        .tuple(fc.constantFrom(...CREDENTIAL_WORDS), fc.array(fc.boolean(), { maxLength: 8 }))
        .map(([w, mask]) => cased(w, mask)),
      fc.constantFrom(
        ":",
        "=",
        ",",
        "}",
        "]",
        "\n",
        " ",
        '"',
        "'",
        "-",
        "_",
        "a",
        "Z",
        "9",
        "/",
        "@",
        "u:p@",
        "k",
        "K",
      ),
      fc.string({ maxLength: 4 }),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(""));

describe("policy (credentials): the text filter never hides a credential (property)", () => {
  it("lets through every config text in which the whole check finds a credential", () => {
    let found = 0;
    fc.assert(
      fc.property(text, (t) => {
        if (plaintextInText(t, "data").length === 0) return;
        found++;
        assert.ok(mayHoldCredential(t), JSON.stringify(t));
      }),
      { numRuns: 3000 },
    );
    // The texts hold credentials often enough for the property to say something.
    assert.ok(found > 500, `${found} of 3000 texts hold a credential`);
  });
  it("lets through every text the plainest statement of it lets through, and no other", () =>
    fc.assert(
      fc.property(fc.oneof(strung, text), (t) => {
        assert.equal(mayHoldCredential(t), plain(t), JSON.stringify(t));
      }),
      { numRuns: 5000 },
    ));
  it("finds the words at any place of a long text (past the first of each needle)", () =>
    fc.assert(
      fc.property(
        fc.constantFrom(...CREDENTIAL_WORDS.filter((w) => w !== "://")),
        fc.array(fc.boolean(), { maxLength: 8 }),
        fc.nat(2000),
        fc.constantFrom('":"x"', "=1", ": x", "", '"}'),
        (w, mask, at, end) => {
          // Dashboard-like text full of the needles (`k`, `K`, `_`, `//`) where no key ends.
          const pad = '{"kind":"Kubernetes","_meta":"http://x//y","link":"a_b"},'.repeat(40).slice(0, at);
          const t = `${pad}"x${cased(w, mask)}${end}`;
          assert.equal(mayHoldCredential(t), plain(t), JSON.stringify(t.slice(at - 20)));
        },
      ),
      { numRuns: 2000 },
    ));
});
