import { strict as assert } from "assert";
import { chartFacts } from "../../synth/render/chartFacts";
import { helmBinary, limiter } from "../../synth/render/helm";
import { versions } from "../../model/versions";
import {
  KEPT_OBJECT_TEXT,
  keyVerdicts,
  noiseOf,
  numberKeys,
  reads,
  rendersDiffer,
  sweepChart,
  sweepRender,
  textNumbersDifferences,
  textVerdict,
  valuesSet,
  withValue,
  type Reading,
  type SweepRender,
} from "../../synth/render/textNumberSweep";
import type { TextNumbersRow } from "../../upstream/chartTextNumbers";
import { pinnedChartArchive, ROOT } from "../support/helpers";

/*
 * `npm run refresh-text-numbers` (synth/textNumbers.ts) sweeps each pinned chart's number keys
 * with Helm; what decides that a key's text renders as the number is judged here on made-up
 * renders (Helm's answers as text), and once through Helm for one key of one chart.
 */

/** Helm's answer rendering each of `docs` (YAML) as a template of its own, as `helm template` prints them. */
const helmSaid = (...docs: string[]): SweepRender =>
  sweepRender({
    code: 0,
    stdout: docs.map((d, i) => `---\n# Source: c/templates/t${i}.yaml\n${d}`).join("\n"),
    stderr: "",
  });
const refused = (text: string): SweepRender => sweepRender({ code: 1, stdout: "", stderr: `${text}\n` });

/** A Service named `s` with one port: `port` as YAML text. */
const service = (port: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - name: http\n      port: ${port}\n`;
const config = (text: string) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  x: ${text}\n`;
const secret = (crt: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: tls\ndata:\n  tls.crt: ${crt}\n  ca: fixed\n`;

/** A set's four renders of a key it reads, with no noise unless given. */
const reading = (r: Omit<Reading, "set" | "noise"> & Partial<Pick<Reading, "noise">>): Reading => ({
  set: "made-up",
  noise: new Map(),
  ...r,
});

describe("refresh-text-numbers: when a key's text renders as the number", () => {
  it('lists a key where "7" and "0" render as 7 and 0, in any order of keys', () => {
    const n7 = helmSaid(service("7"), config("a"));
    // The same objects, their keys in another order and the documents in another order.
    const t7 = helmSaid(
      config("a"),
      service("7").replace("    - name: http\n      port: 7", "    - port: 7\n      name: http"),
    );
    assert.equal(rendersDiffer(n7, t7), false);
    const v = textVerdict([
      reading({ n7, n0: helmSaid(service("0"), config("a")), t7, t0: helmSaid(service("0"), config("a")) }),
    ]);
    assert.deepEqual(v, { list: "any" });
  });

  it('does not list a key whose "7" renders as text, or is refused, where 7 renders the number', () => {
    const n7 = helmSaid(service("7"));
    const n0 = helmSaid(service("0"));
    for (const t7 of [
      helmSaid(service('"7"')),
      refused("Error: values don't meet the specifications of the schema(s)"),
    ]) {
      const v = textVerdict([reading({ n7, n0, t7, t0: n0 })]);
      assert.equal(v.list, false);
      assert.match(v.why, /"7" renders otherwise than 7 over made-up/);
    }
  });

  it('lists a key `nonzero` where "0" renders otherwise than 0 (a template\'s `if` takes "0" as true)', () => {
    const none = helmSaid(config("a"));
    const v = textVerdict([
      reading({
        n7: helmSaid(config("a"), service("7")),
        n0: none,
        t7: helmSaid(config("a"), service("7")),
        t0: helmSaid(config("a"), service("0")),
      }),
    ]);
    assert.deepEqual(v, { list: "nonzero", why: '"0" renders otherwise than 0 over made-up' });
  });

  it("holds the text to the number in every values set that reads the key, and claims nothing where none does", () => {
    const fine = reading({
      n7: helmSaid(service("7")),
      n0: helmSaid(service("0")),
      t7: helmSaid(service("7")),
      t0: helmSaid(service("0")),
    });
    const text = { ...fine, set: "production monitoring/x", t7: helmSaid(service('"7"')) };
    assert.match((textVerdict([fine, text]) as { why: string }).why, /over production monitoring\/x/);
    assert.deepEqual(textVerdict([]), { list: false, why: "no values set reads it", unread: true });
  });

  it("reads a key where its 7 and 0 renders differ; two errors differ by their text, an error and objects always", () => {
    assert.equal(reads(helmSaid(service("7")), helmSaid(service("0")), new Map()), true);
    assert.equal(reads(helmSaid(config("a")), helmSaid(config("a")), new Map()), false);
    assert.equal(rendersDiffer(refused("Error: x"), refused("Error: x")), false);
    assert.equal(rendersDiffer(refused("Error: x"), refused("Error: y")), true);
    assert.equal(rendersDiffer(refused("Error: x"), helmSaid(config("a"))), true);
    // An object in one render only.
    assert.equal(rendersDiffer(helmSaid(config("a")), helmSaid(config("a"), service("7"))), true);
  });

  it("sets aside what differs between two renders of the same values (a CA made anew each render), and nothing else", () => {
    const noise = noiseOf(helmSaid(secret("AAA"), config("a")), helmSaid(secret("BBB"), config("a")));
    assert.deepEqual(noise, new Map([["v1 Secret  tls", new Set(["/data/tls.crt"])]]));
    assert.equal(
      rendersDiffer(helmSaid(secret("CCC"), config("a")), helmSaid(secret("DDD"), config("a")), noise),
      false,
    );
    // Another leaf of the noisy object, and another object, still count.
    assert.equal(
      rendersDiffer(helmSaid(secret("CCC").replace("fixed", "other")), helmSaid(secret("DDD")), noise),
      true,
    );
    assert.equal(
      rendersDiffer(helmSaid(secret("CCC"), config("a")), helmSaid(secret("CCC"), config("b")), noise),
      true,
    );
    // A set whose own render fails is left out.
    assert.equal(noiseOf(refused("Error: bucket"), refused("Error: bucket")), undefined);
  });

  it('judges the sets\' verdicts together: not listed where one set\'s "7" renders otherwise, else nonzero where one\'s "0" does', () => {
    const no = { list: false, why: '"7" renders otherwise than 7 over b' } as const;
    const nonzero = { list: "nonzero", why: '"0" renders otherwise than 0 over c' } as const;
    assert.deepEqual(keyVerdicts([{ list: "any" }, nonzero, no]), no);
    assert.deepEqual(keyVerdicts([{ list: "any" }, nonzero]), nonzero);
    assert.deepEqual(keyVerdicts([{ list: "any" }, { list: "any" }]), { list: "any" });
    assert.deepEqual(keyVerdicts([]), { list: false, why: "no values set reads it", unread: true });
  });

  it("keeps an object longer than it holds leaf by leaf (a CRD) by its text: alike where the text is, else differing whole", () => {
    const long = (v: string) =>
      `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: big\nspec:\n  v: ${v}\n  pad: ${"x".repeat(KEPT_OBJECT_TEXT)}\n`;
    assert.equal(rendersDiffer(helmSaid(long("a")), helmSaid(long("a"))), false);
    assert.equal(rendersDiffer(helmSaid(long("a")), helmSaid(long("b"))), true);
    const noise = noiseOf(helmSaid(long("a")), helmSaid(long("b")))!;
    assert.equal(noise.get("apiextensions.k8s.io/v1 CustomResourceDefinition  big"), "whole");
    assert.equal(rendersDiffer(helmSaid(long("c")), helmSaid(long("d")), noise), false);
  });

  it("sets a key into a copy of the values, making its maps, and not through a list or a scalar", () => {
    const values = { service: { type: "ClusterIP" }, list: [1] };
    assert.deepEqual(withValue(values, ["service", "port"], "7"), {
      service: { type: "ClusterIP", port: "7" },
      list: [1],
    });
    assert.deepEqual(withValue(values, ["a", "b"], 0), {
      service: { type: "ClusterIP" },
      list: [1],
      a: { b: 0 },
    });
    assert.equal(withValue(values, ["list", "x"], 7), undefined);
    assert.equal(withValue(values, ["service", "type", "x"], 7), undefined);
    assert.deepEqual(values, { service: { type: "ClusterIP" }, list: [1] });
    assert.deepEqual(numberKeys({ a: "number", b: { c: "boolean", d: "number" } }), [["a"], ["b", "d"]]);
  });

  it("names each chart and key that differ from the data (what --check exits 1 with)", () => {
    const row = (any: string[], nonzero: string[] = []): TextNumbersRow => ({
      version: "1.0.0",
      helm: "3.17.3",
      values: ["defaults"],
      any,
      nonzero,
    });
    assert.deepEqual(textNumbersDifferences({ g: row(["a", "b"]) }, { g: row(["a", "b"]) }), []);
    assert.deepEqual(textNumbersDifferences({ g: row(["a", "b"]) }, { g: row(["a"], ["b"]), h: row([]) }), [
      "g: b: any in the data, nonzero swept",
      "h: swept, not in the data",
    ]);
    assert.deepEqual(textNumbersDifferences({ g: row(["a"]) }, { g: { ...row(["c"]), version: "1.1.0" } }), [
      "g: version 1.0.0 in the data, 1.1.0 swept",
      "g: a: any in the data, not listed swept",
      "g: c: not listed in the data, any swept",
    ]);
  });

  it("with Helm: grafana's service.port \"7\" renders the Service's port 7, over the chart's defaults", async function () {
    this.timeout(20000);
    const pin = versions.charts.grafana;
    const archive = pinnedChartArchive(this, pin);
    const set = valuesSet(
      "defaults",
      { releaseName: "grafana", namespace: "monitoring", includeCrds: true, values: {} },
      { archive, facts: chartFacts(archive, false), apiVersions: [] },
    );
    const swept = await sweepChart(
      pin.version,
      [set],
      { service: { port: "number" } },
      { helm: helmBinary(ROOT), helmVersion: "-" },
      limiter(2),
    );
    assert.deepEqual(
      [swept.row.any, swept.row.nonzero, swept.leftOut, swept.renders],
      [["service.port"], [], [], 6],
    );
  });
});
