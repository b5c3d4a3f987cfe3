import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { ConfigError } from "../../config/errors";
import { PROJECT } from "../../config/resolve";
import { checkedStackConfig } from "../../config/stackCheck";
import { ROOT, tmpDir } from "../support/helpers";

/*
 * Every problem names the form its key expects, once: a union's variants (never zod's bare
 * "Invalid input"), a pattern's own example whether the value is wrong or missing, and an object's
 * keys with one pointer to the docs.
 */
const P = (k: string) => `${PROJECT}:${k}`;

/** The problems of one run over staging's stack file, edited. */
function problems(edit: (config: Record<string, any>) => void): string[] {
  const dir = tmpDir("expected-forms");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  edit(doc.config);
  fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stringify(doc));
  try {
    checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true });
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.problems;
  }
}

describe("config: each problem says the form its key expects (config/errors.ts, config/stackCheck.ts)", function () {
  this.timeout(30000);

  it("a value none of a union's variants takes gets the variants' forms", () => {
    const r = problems((c) => (c[P("grafana")] = { ...(c[P("grafana")] ?? {}), dashboardNamespaces: 5 }));
    assert.deepEqual(r, [
      `${P("grafana.dashboardNamespaces")}: expected "all", or a list (YAML: one \`- item\` per line), each a namespace name like "cert-manager", got number 5`,
    ]);
  });

  it("a text one slip from a union's literal is offered that literal, as an enum's option would be", () => {
    const r = problems((c) => (c[P("grafana")] = { ...(c[P("grafana")] ?? {}), dashboardNamespaces: "Al" }));
    assert.deepEqual(r, [
      `${P("grafana.dashboardNamespaces")}: expected "all", or a list (YAML: one \`- item\` per line), each a namespace name like "cert-manager", got string "Al"; did you mean "all"?`,
    ]);
  });

  it('refuses "all" in the namespace list, where the key takes it alone for every namespace', () => {
    const r = problems(
      (c) => (c[P("grafana")] = { ...(c[P("grafana")] ?? {}), dashboardNamespaces: ["all"] }),
    );
    assert.deepEqual(r, [
      `${P("grafana.dashboardNamespaces[0]")}: expected a namespace name like "cert-manager", not "all": every namespace is "all" alone, not in a list (dashboardNamespaces: all), got string "all"`,
    ]);
  });

  it("a missing key with a pattern gets the same form as a wrong one", () => {
    const receiver = { name: "mail", type: "email", to: "a@example.net", from: "b@example.net" };
    const missing = problems((c) => (c[P("alerting")] = { receivers: [receiver] }));
    const wrong = problems((c) => (c[P("alerting")] = { receivers: [{ ...receiver, smarthost: "nope" }] }));
    const form = 'expected host:port like "smtp.example.net:587"';
    assert.deepEqual(missing, [`${P("alerting.receivers[0].smarthost")}: required, ${form}, got nothing`]);
    assert.deepEqual(wrong, [`${P("alerting.receivers[0].smarthost")}: ${form}, got string "nope"`]);
  });

  it("an email receiver's to and from are refused where Alertmanager would drop every mail, not at load", () => {
    // Alertmanager v0.28.1 loads these (amtool check-config passes them) and fails each send in
    // net/mail's ParseAddressList: "missing '@' or angle-addr", "expected comma".
    const mail = { name: "mail", type: "email", smarthost: "smtp.example.net:587" };
    const r = problems(
      (c) =>
        (c[P("alerting")] = {
          receivers: [
            { ...mail, to: "ops", from: "alertmanager" },
            { ...mail, name: "mail2", to: "ops@example.net; oncall@example.net", from: "am@example.net" },
          ],
        }),
    );
    const to = `expected one or more email addresses like "ops@example.net" or "Ops <ops@example.net>" (Go's net/mail form: each a mailbox, "@" and a domain or [IP address], several parted by commas)`;
    const from = `expected one email address like "ops@example.net" or "Ops <ops@example.net>" (Go's net/mail form: a single address: a mailbox, "@" and a domain or [IP address])`;
    assert.deepEqual(r, [
      `${P("alerting.receivers[0].to")}: ${to}, got string "ops"`,
      `${P("alerting.receivers[0].from")}: ${from}, got string "alertmanager"`,
      `${P("alerting.receivers[1].to")}: ${to}, got string "ops@example.net; oncall@example.net"`,
    ]);
    // net/mail reads these: a display name holding a comma, a group, and a template Alertmanager fills.
    const taken = problems(
      (c) =>
        (c[P("alerting")] = {
          receivers: [
            { ...mail, to: '"Ops, Team" <ops@example.net>, b@example.net', from: "AM <am@example.net>" },
            { ...mail, name: "mail2", to: "team: a@example.net, b@example.net;", from: "am@example.net" },
            { ...mail, name: "mail3", to: "{{ .CommonLabels.team }}", from: "am@example.net" },
          ],
        }),
    );
    assert.deepEqual(taken, []);
  });

  it("an email receiver's addresses are parted as net/mail parts them: a ';' in a comment is taken, one after an address or a group's end is not, and from is one address", () => {
    // Each case as go1.23.6's net/mail.ParseAddressList (Alertmanager v0.28.1's Go) reads it.
    const mail = { type: "email", smarthost: "smtp.example.net:587" };
    const r = problems(
      (c) =>
        (c[P("alerting")] = {
          receivers: [
            // Taken by net/mail: two addresses, a comment holding ";", a quoted ";" and a group.
            {
              ...mail,
              name: "m0",
              to: "a@example.net (Ops; on call), b@example.net",
              from: "AM (x; y) <am@example.net>",
            },
            {
              ...mail,
              name: "m1",
              to: '"a;b"@example.net, team: c@example.net;, d@example.net',
              from: "am@example.net",
            },
            // Refused by net/mail: "expected comma" (twice), "missing '@' or angle-addr", and two from addresses.
            { ...mail, name: "m2", to: "a@example.net;", from: "am@example.net, b@example.net" },
            { ...mail, name: "m3", to: "team: a@example.net; b@example.net", from: "am@example.net" },
            { ...mail, name: "m4", to: "a@example.net, oncall", from: "am@example.net" },
          ],
        }),
    );
    assert.deepEqual(
      r.map((p) => p.replace(/: expected .*, got /, ": got ")),
      [
        `${P("alerting.receivers[2].to")}: got string "a@example.net;"`,
        `${P("alerting.receivers[2].from")}: got string "am@example.net, b@example.net"`,
        `${P("alerting.receivers[3].to")}: got string "team: a@example.net; b@example.net"`,
        `${P("alerting.receivers[4].to")}: got string "a@example.net, oncall"`,
      ],
    );
  });

  /*
   * data/netMailAddresses.jsonl: each `to` as go1.23.6's net/mail.ParseAddressList (Alertmanager
   * v0.28.1's Go) read it, run in a scratch Go program (not kept; go1.26.8 answered the same): the
   * addresses, or its error. `ops@` and `ops@[IPv6:...]` passed here, and failed every send.
   */
  it("an email receiver's to is taken exactly when net/mail takes it: the addr-spec's atoms, dots and domain literal as Go reads them", () => {
    const cases: { to: string; refused?: string }[] = fs
      .readFileSync(path.join(__dirname, "data", "netMailAddresses.jsonl"), "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "")
      .map((l) => JSON.parse(l));
    assert.ok(cases.length >= 60, `${cases.length} cases`);
    const mail = { type: "email", smarthost: "smtp.example.net:587", from: "am@example.net" };
    const r = problems(
      (c) => (c[P("alerting")] = { receivers: cases.map((k, i) => ({ ...mail, name: `m${i}`, to: k.to })) }),
    );
    const refused = new Set(r.map((p) => Number(/receivers\[(\d+)\]\.to:/.exec(p)?.[1])));
    const wrong = cases.filter((k, i) => refused.has(i) !== (k.refused !== undefined));
    assert.deepEqual(
      wrong.map((k) => `${JSON.stringify(k.to)}: Go ${k.refused ?? "takes it"}`),
      [],
    );
  });

  it("a missing object names its keys and points to the docs once, in one sentence", () => {
    const [p] = problems((c) => delete c[P("objectStore")]);
    assert.match(p, /^homelab-observability:objectStore: required .*expected an object: \{type: minio, /);
    assert.equal(p.split("docs/reference/configuration.md").length - 1, 1, p);
    assert.ok(!/\.\s*,/.test(p), `no period before a comma: ${p}`);
    assert.match(
      p,
      /\{type: filesystem\} \(every key: docs\/reference\/configuration\.md\), got nothing; write it/,
    );
  });
});
