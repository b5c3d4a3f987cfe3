/**
 * The chart pins of model/versions.ts are judged before anything renders them: esbuild builds the
 * commands without checking types, so a misspelt key or a version Helm reads loosely reached the
 * render as a release without a version, or a pull saving an archive the render never found.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { chartPinProblems, EXACT_CHART_VERSION } from "../../config/chartPins";
import { versions } from "../../model/versions";
import { ROOT, tmpDir } from "../support/helpers";

const TEXT = fs.readFileSync(path.join(ROOT, "model/versions.ts"), "utf8");
/** The 1-based line of the first line holding `needle` after the line holding `after`. */
function lineOf(text: string, after: string, needle: string): number {
  const from = text.indexOf(after);
  return text.slice(0, text.indexOf(needle, from)).split("\n").length;
}
const FORM =
  "an exact chart version as its repository writes it, X.Y.Z (vX.Y.Z for a chart published so; SemVer, -<pre-release> and +<build> allowed; no range)";

/** A chart cache holding grafana 12.3.1 and 12.11.1. */
function cache(): string {
  const dir = tmpDir("pins-cache");
  for (const f of ["grafana-12.3.1.tgz", "grafana-12.11.1.tgz", "index.json"])
    fs.writeFileSync(path.join(dir, f), "");
  return dir;
}

/** The pins with `edit` applied to a copy, and model/versions.ts's text with the same edit. */
function pinsWith(
  edit: (charts: Record<string, Record<string, unknown>>) => void,
  textEdit: (text: string) => string = (t) => t,
): [Record<string, unknown>, string] {
  const charts = JSON.parse(JSON.stringify(versions.charts)) as Record<string, Record<string, unknown>>;
  edit(charts);
  return [charts, textEdit(TEXT)];
}

describe("config/chartPins: every chart pin of model/versions.ts, judged before any render", () => {
  it("the pins as shipped pass", () => {
    assert.deepEqual(chartPinProblems(versions.charts, TEXT, cache()), []);
  });

  it("a version Helm reads loosely (short, a slip of a digit, a range) names its line, the form and the closest version the cache holds", () => {
    const line = lineOf(TEXT, "grafana: {", "version:");
    for (const [found, meant] of [
      ["v12.11", "12.11.1"],
      ["12.11", "12.11.1"],
      ["12.11.l", "12.11.1"],
      ["^12.3", "12.3.1"],
    ]) {
      const [charts, text] = pinsWith((c) => (c.grafana.version = found));
      assert.deepEqual(chartPinProblems(charts, text, cache()), [
        `model/versions.ts:${line}: charts.grafana.version: expected ${FORM}, got "${found}"; did you mean "${meant}"? (the chart cache holds grafana 12.3.1, 12.11.1)`,
      ]);
    }
    // A cache without the chart: the exact version the pin is written around, nothing held said.
    const [charts, text] = pinsWith((c) => (c.grafana.version = "^12.11.1"));
    assert.deepEqual(chartPinProblems(charts, text, tmpDir("pins-empty")), [
      `model/versions.ts:${line}: charts.grafana.version: expected ${FORM}, got "^12.11.1"; did you mean "12.11.1"?`,
    ]);
  });

  it("exact versions with a pre-release, a build or the v a chart publishes pass; a leading zero or a range do not", () => {
    for (const v of [
      "1.42.0",
      "0.80.0",
      "18.11.0",
      "1.0.0-rc.1",
      "2.3.4+build.7",
      "1.0.0-alpha-1+x",
      "v1.42.0",
    ])
      assert.ok(EXACT_CHART_VERSION.test(v), v);
    for (const v of [
      "V1.42.0",
      "vv1.2.3",
      "1.42",
      "v1.42",
      "01.2.3",
      "1.2.3.4",
      ">=1.2.3",
      "1.2.x",
      "1.2.3 ",
      "",
    ])
      assert.ok(!EXACT_CHART_VERSION.test(v), v);
  });

  it("the version as the chart publishes it: a v (or none) the chart cache holds only in the other form names the form it holds", () => {
    // Helm saves the archive under the index's own text (grafana-12.11.1.tgz for --version v12.11.1,
    // cert-manager-v1.14.0.tgz for --version 1.14.0): the pin is that text, as Renovate writes it.
    const line = lineOf(TEXT, "grafana: {", "version:");
    const dir = cache();
    fs.writeFileSync(path.join(dir, "grafana-v13.0.0.tgz"), "");
    const said = (found: string, how: string, meant: string) =>
      `model/versions.ts:${line}: charts.grafana.version: expected ${FORM}, got "${found}", but grafana publishes it ${how} a "v"; did you mean "${meant}"? (the chart cache holds grafana 12.3.1, 12.11.1, v13.0.0)`;
    const judged = (v: string) => {
      const [charts, text] = pinsWith((c) => (c.grafana.version = v));
      return chartPinProblems(charts, text, dir);
    };
    assert.deepEqual(judged("v12.11.1"), [said("v12.11.1", "without", "12.11.1")]);
    assert.deepEqual(judged("13.0.0"), [said("13.0.0", "with", "v13.0.0")]);
    assert.deepEqual(judged("v13.0.0"), []);
    // Not held in either form: only the pull can tell, and says the form Helm saved (synth/render/helm.ts).
    assert.deepEqual(judged("v14.0.0"), []);
    const [charts, text] = pinsWith((c) => (c.grafana.version = "v12.11.1"));
    assert.deepEqual(chartPinProblems(charts, text, tmpDir("pins-empty")), []);
  });

  it("a chart's name that is a slip of one the chart cache holds is one message at its line, naming the chart and the stack key it decides", () => {
    const [charts, text] = pinsWith(
      (c) => (c.grafana.chart = "grafanna"),
      (t) => t.replace('chart: "grafana"', 'chart: "grafanna"'),
    );
    const line = lineOf(text, "    grafana: {", "grafanna");
    assert.deepEqual(chartPinProblems(charts, text, cache()), [
      `model/versions.ts:${line}: charts.grafana.chart: expected the chart's name as its repository names it, got "grafanna", which the chart cache holds no version of; did you mean "grafana"? (the chart cache holds grafana 12.3.1, 12.11.1; a stack file's chartValues.grafana is judged as this chart's values once the pin names it so)`,
    ]);
    // A name the cache holds nothing near, or none at all: a chart not pulled yet, which the pull names.
    const [other] = pinsWith((c) => (c.grafana.chart = "grafana-operator"));
    assert.deepEqual(chartPinProblems(other, text, cache()), []);
    assert.deepEqual(chartPinProblems(charts, text, tmpDir("pins-empty")), []);
  });

  it("a misspelt key is one message at its line with the key it means, not also a missing version", () => {
    const [charts, text] = pinsWith(
      (c) => {
        c.alertmanager.versoin = c.alertmanager.version;
        delete c.alertmanager.version;
      },
      (t) => t.replace(/(alertmanager: \{[^}]*?)version:/, "$1versoin:"),
    );
    const line = lineOf(text, "alertmanager: {\n", "versoin:");
    assert.deepEqual(chartPinProblems(charts, text, cache()), [
      `model/versions.ts:${line}: charts.alertmanager.versoin: unknown key; did you mean "version"? (a chart pin has chart, repo and version)`,
    ]);
  });

  it("a required key missing, or not a non-empty string, is said at the pin's line or the key's", () => {
    const [charts, text] = pinsWith(
      (c) => {
        delete c.vector.repo;
        c.alloy.chart = "";
      },
      (t) => t.replace(/(vector: \{ chart: "vector"), repo: "[^"]*"/, "$1"),
    );
    assert.deepEqual(chartPinProblems(charts, text, cache()), [
      `model/versions.ts:${lineOf(text, "charts: {", "alloy: {")}: charts.alloy.chart: expected a non-empty string, got ""`,
      `model/versions.ts:${lineOf(text, "charts: {", "vector: {")}: charts.vector: no repo (a chart pin has chart, repo and version)`,
    ]);
  });
});

describe("config/chartPins: the version a loose pin means", () => {
  it("is the release Helm would take, not a pre-release the cache also holds", () => {
    const dir = tmpDir("pins-cache-pre");
    for (const f of ["grafana-12.11.0.tgz", "grafana-12.11.1-beta.1.tgz"])
      fs.writeFileSync(path.join(dir, f), "");
    const [charts, text] = pinsWith((c) => (c.grafana.version = "12.11"));
    const [problem] = chartPinProblems(charts, text, dir);
    assert.match(problem, /got "12\.11"; did you mean "12\.11\.0"\?/);
  });
});
