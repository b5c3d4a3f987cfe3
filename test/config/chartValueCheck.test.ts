import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import * as zlib from "zlib";
import { tarFiles } from "../../config/chartKeys";
import { chartValueProblems, misspelling, UNKNOWN_KEY } from "../../config/chartValueCheck";
import { ConfigError } from "../../config/errors";
import { versions } from "../../model/versions";
import { pinnedChartKeys } from "../../synth/render/chartFacts";
import { chartCacheDir } from "../../synth/render/helm";
import { PROJECT } from "../../config/resolve";
import { checkedStackConfig } from "../../config/stackCheck";
import { readStackConfig } from "../../synth/synthesize";
import { ROOT, tmpDir } from "../support/helpers";
import { inCheckout } from "../support/stackText";

/*
 * `chartValues` keys checked against the pinned charts' own keys (config/chartValueCheck.ts,
 * config/chartKeys.ts): Helm ignores a key no template reads, so a misspelt override would
 * silently do nothing. A probable typo is reported like any config problem, with its file, line
 * and closest key; a key of a map the chart leaves to the user is never one.
 */
const P = (k: string) => `${PROJECT}:${k}`;

/** A project directory holding staging's stack file with `chartValues`, and that file's lines. */
function withChartValues(values: Record<string, unknown>): { dir: string; lines: string[] } {
  const dir = tmpDir("chart-values");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  doc.config[P("chartValues")] = values;
  const text = stringify(doc);
  fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), text);
  return { dir, lines: text.split("\n") };
}

/** Each problem of one run of the offline synthesis' config check (its hints read as in this checkout), with the line it is placed at. */
function run(dir: string): { problem: string; line?: number }[] {
  try {
    readStackConfig(dir, "s", {}, {});
    return [];
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    const read = inCheckout(e, dir);
    return read.problems.map((problem, i) => ({ problem, line: read.places[i]?.line }));
  }
}

/** The 1-based line of the first line at or after `after` that starts (indented) with `key:`. */
function lineOf(lines: string[], key: string, after = 0): number {
  const i = lines.findIndex((l, n) => n >= after && l.trimStart().startsWith(`${key}:`));
  assert.ok(i >= 0, `${key} in the file`);
  return i + 1;
}

describe("config: chartValues keys are checked against the pinned charts (config/chartValueCheck.ts)", function () {
  this.timeout(60000);

  it("each misspelt key is named with its file line, the chart's expected keys and the closest one", () => {
    const { dir, lines } = withChartValues({
      grafana: {
        replicsa: 2,
        persistance: { enabled: false },
      },
      // A value no stack key sets: staging's loki.replicas would make `replicas` set twice.
      loki: { singleBinray: { terminationGracePeriodSeconds: 900 } },
    });
    const r = run(dir);
    const cv = lineOf(lines, P("chartValues"));
    const expected: [string, string, number][] = [
      ["grafana.replicsa", "grafana.replicas", lineOf(lines, "replicsa", cv)],
      ["grafana.persistance", "grafana.persistence", lineOf(lines, "persistance", cv)],
      ["loki.singleBinray", "loki.singleBinary", lineOf(lines, "singleBinray", cv)],
    ];
    assert.equal(r.length, expected.length, r.map((p) => p.problem).join("\n"));
    for (const [key, near, line] of expected) {
      const hit = r.find((p) => p.problem.startsWith(`${P(`chartValues.${key}`)}: unknown key`));
      assert.ok(hit, `${key} in\n${r.map((p) => p.problem).join("\n")}`);
      assert.match(hit.problem, /Helm would ignore it/);
      assert.match(hit.problem, /expected a key its values\.yaml or templates name \(`helm show values /);
      assert.ok(hit.problem.includes(`got "${key.split(".").pop()}"`), hit.problem);
      assert.ok(hit.problem.endsWith(`; did you mean chartValues.${near}?`), hit.problem);
      assert.equal(hit.line, line, `${key}: line`);
    }
  });

  it("names a key holding a dot in brackets, as the stack file and `pulumi config set --path` take it, in the problem and its hint", () => {
    const { dir, lines } = withChartValues({
      grafana: { "grafana.inii": { analytics: { check_for_updates: false } } },
    });
    const pin = versions.charts.grafana;
    const r = run(dir);
    assert.deepEqual(r, [
      {
        problem: `${P('chartValues.grafana["grafana.inii"]')}: unknown key of the grafana chart ${pin.version} (Helm would ignore it), expected a key its values.yaml or templates name (\`helm show values grafana --repo ${pin.repo} --version ${pin.version}\`), got "grafana.inii"; did you mean chartValues.grafana["grafana.ini"]?`,
        line: lineOf(lines, "grafana.inii", lineOf(lines, P("chartValues"))),
      },
    ]);
  });

  it("reports chart typos in the same run as the stack's other problems", () => {
    const { dir } = withChartValues({ grafana: { replicsa: 2 } });
    const file = path.join(dir, "Pulumi.s.yaml");
    const doc = parse(fs.readFileSync(file, "utf8"));
    doc.config[P("loki")].retention = 7;
    fs.writeFileSync(file, stringify(doc));
    const r = run(dir).map((p) => p.problem);
    assert.ok(
      r.some((p) => p.startsWith(P("chartValues.grafana.replicsa"))),
      r.join("\n"),
    );
    assert.ok(
      r.some((p) => p.startsWith(P("loki.retention"))),
      r.join("\n"),
    );
  });

  it("keys of maps the chart leaves to the user, and valid nested keys, are not reported", () => {
    const { dir } = withChartValues({
      grafana: {
        // Grafana's own sections and keys: the chart writes grafana.ini whole.
        "grafana.ini": {
          "auth.generic_oauth": { enabled: true },
          analytics: { check_for_plugin_updates: false },
          // One edit from the default's `server`, but a section is Grafana's to read, not Helm's.
          servr: { root_url: "https://g.lab" },
        },
        podAnnotations: { "example.com/anything": "x", replicsa: "y" },
        persistence: { enabled: false },
      },
      // A nested key no stack key sets (singleBinary.replicas is loki.replicas': set twice, refused).
      loki: {
        singleBinary: { terminationGracePeriodSeconds: 900 },
        loki: { limits_config: { max_query_series: 1000 } },
      },
      // The custom resource's spec, written whole (tpl of a deepCopy merged and piped to toYaml).
      "victoria-metrics-k8s-stack": { vmsingle: { spec: { ports: "8429" } } },
    });
    assert.deepEqual(run(dir), []);
  });

  it("a quoted true or false where the chart's default is one is told to drop the quotes, with its line; a replica count's text the chart prints unquoted is not refused", () => {
    const { dir, lines } = withChartValues({
      grafana: { persistence: { enabled: "false" }, replicas: "2", podAnnotations: { a: "true" } },
    });
    const cv = lineOf(lines, P("chartValues"));
    const version = versions.charts.grafana.version;
    // replicas "2" is not refused: templates/deployment.yaml:18 prints it unquoted, and the
    // Deployment holds the number (contract TEXT_REPLICAS; run, helm 3.17.3).
    assert.deepEqual(run(dir), [
      {
        problem: `${P("chartValues.grafana.persistence.enabled")}: expected true or false, as the grafana chart ${version}'s default is (drop the quotes: false), got string "false"; to the chart's templates any text but "" is true, so "false" would turn it on`,
        line: lineOf(lines, "enabled", cv),
      },
    ]);
  });

  it("any text where the chart's default is a boolean is refused with its line: YAML 1.1's no and off are text to Pulumi", () => {
    const { dir } = withChartValues({});
    const file = path.join(dir, "Pulumi.s.yaml");
    // Written by hand: `no` and `off` unquoted, as a user coming from YAML 1.1 writes them.
    const text = fs
      .readFileSync(file, "utf8")
      .replace(/\n {2}\S*chartValues: \{\}\n/, "\n")
      .concat(
        `  ${P("chartValues")}:\n    grafana:\n      persistence:\n        enabled: no\n      testFramework:\n        enabled: "0"\n` +
          `      sidecar:\n        dashboards:\n          enabled: "yes"\n    loki:\n      lokiCanary:\n        enabled: off\n`,
      );
    fs.writeFileSync(file, text);
    const lines = text.split("\n");
    const cv = lineOf(lines, P("chartValues"));
    const [grafana, loki] = [versions.charts.grafana.version, versions.charts.loki.version];
    const always = `to the chart's templates any text but "" is true`;
    assert.deepEqual(run(dir), [
      {
        problem: `${P("chartValues.grafana.persistence.enabled")}: expected true or false, as the grafana chart ${grafana}'s default is (write false, without quotes), got string "no"; YAML 1.2, as Pulumi reads the stack file, takes no as text, not as false (YAML 1.1 did), and ${always}, so "no" would turn it on`,
        line: lineOf(lines, "enabled", cv),
      },
      {
        problem: `${P("chartValues.grafana.testFramework.enabled")}: expected true or false, as the grafana chart ${grafana}'s default is (write false, without quotes), got string "0"; ${always}, so "0" would turn it on`,
        line: lineOf(lines, "enabled", lineOf(lines, "testFramework", cv)),
      },
      {
        problem: `${P("chartValues.grafana.sidecar.dashboards.enabled")}: expected true or false, as the grafana chart ${grafana}'s default is (write true, without quotes), got string "yes"; YAML 1.2, as Pulumi reads the stack file, takes yes as text, not as true (YAML 1.1 did), and ${always}`,
        line: lineOf(lines, "enabled", lineOf(lines, "dashboards", cv)),
      },
      {
        // loki's values.schema.json types it boolean: Helm refuses the text at render, it turns nothing on.
        problem: `${P("chartValues.loki.lokiCanary.enabled")}: expected true or false (the loki chart ${loki}'s values.schema.json allows only true or false there: Helm refuses the release at render), got string "off"; write false, without quotes; YAML 1.2, as Pulumi reads the stack file, takes off as text, not as false (YAML 1.1 did)`,
        line: lineOf(lines, "enabled", lineOf(lines, "lokiCanary", cv)),
      },
    ]);
  });

  it("a misspelt key whose value the key meant refuses says both in one message: rename it, and drop the quotes", () => {
    const { dir, lines } = withChartValues({ grafana: { persistence: { enabeld: "false" } } });
    const version = versions.charts.grafana.version;
    const pin = versions.charts.grafana;
    assert.deepEqual(run(dir), [
      {
        problem: `${P("chartValues.grafana.persistence.enabeld")}: unknown key of the grafana chart ${version} (Helm would ignore it), expected a key its values.yaml or templates name (\`helm show values grafana --repo ${pin.repo} --version ${version}\`), got "enabeld"; did you mean chartValues.grafana.persistence.enabled? (rename this key, and mend its value: expected true or false, as the grafana chart ${version}'s default is (drop the quotes: false), got string "false"; to the chart's templates any text but "" is true, so "false" would turn it on)`,
        line: lineOf(lines, "enabeld", lineOf(lines, P("chartValues"))),
      },
    ]);
  });

  it("sends a chart value a stack key sets to that stack key, not to chartValues, where it would be set twice", () => {
    const { dir } = withChartValues({});
    const file = path.join(dir, "Pulumi.s.yaml");
    const doc = parse(fs.readFileSync(file, "utf8"));
    doc.config[P("loki")].singleBinary = { replicas: 2, resources: {} };
    doc.config[P("grafana")] = { ...doc.config[P("grafana")], persistence: { size: "9Gi" } };
    fs.writeFileSync(file, stringify(doc));
    const [grafana, loki] = [versions.charts.grafana, versions.charts.loki];
    assert.deepEqual(
      run(dir).map((p) => p.problem),
      [
        `${P("loki.singleBinary")}: unknown key; did you mean chartValues.loki.singleBinary? (singleBinary is a key of the loki chart ${loki.version}'s values, not of the stack's loki: a chart value goes under ${P("chartValues.loki")}, but for singleBinary.replicas, which the stack key loki.replicas sets: set that there)`,
        `${P("grafana.persistence")}: unknown key; did you mean chartValues.grafana.persistence? (persistence is a key of the grafana chart ${grafana.version}'s values, not of the stack's grafana: a chart value goes under ${P("chartValues.grafana")}, but for persistence.size, which the stack key grafana.volumeSize sets: set that there)`,
      ],
    );
  });

  it("sends chart values written as a stack key to chartValues, and a stack key written under chartValues to the stack key", () => {
    const { dir } = withChartValues({ grafana: { volumeSize: "10Gi" } });
    const file = path.join(dir, "Pulumi.s.yaml");
    const doc = parse(fs.readFileSync(file, "utf8"));
    doc.config[P("grafana")] = { ...doc.config[P("grafana")], replicas: 1, persistence: { enabled: false } };
    doc.config[P("loki")].singleBinary = { resources: {} };
    fs.writeFileSync(file, stringify(doc));
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const [grafana, loki] = [versions.charts.grafana, versions.charts.loki];
    const r = run(dir);
    assert.deepEqual(
      r.map((p) => p.problem),
      [
        `${P("loki.singleBinary")}: unknown key; did you mean chartValues.loki.singleBinary? (singleBinary is a key of the loki chart ${loki.version}'s values, not of the stack's loki: a chart value goes under ${P("chartValues.loki")})`,
        `${P("chartValues.grafana.volumeSize")}: unknown key of the grafana chart ${grafana.version} (Helm would ignore it), expected a key its values.yaml or templates name (\`helm show values grafana --repo ${grafana.repo} --version ${grafana.version}\`), got "volumeSize"; did you mean grafana.volumeSize? (a key of the stack's own, not of the chart's values: set it as ${P("grafana.volumeSize")})`,
        `${P("grafana.replicas")}: unknown key; did you mean chartValues.grafana.replicas? (replicas is a key of the grafana chart ${grafana.version}'s values, not of the stack's grafana: a chart value goes under ${P("chartValues.grafana")})`,
        `${P("grafana.persistence")}: unknown key; did you mean chartValues.grafana.persistence? (persistence is a key of the grafana chart ${grafana.version}'s values, not of the stack's grafana: a chart value goes under ${P("chartValues.grafana")})`,
      ],
    );
    const cv = lineOf(lines, P("chartValues"));
    // Said in the stack file's order.
    assert.equal(r[1].line, lineOf(lines, "volumeSize", cv));
    assert.equal(r[2].line, lineOf(lines, "replicas", lineOf(lines, P("grafana"))));
  });

  it("sends a slip of a chart key written as a stack key, and a chart key path written as one top-level key, straight to chartValues", () => {
    const { dir } = withChartValues({});
    const file = path.join(dir, "Pulumi.s.yaml");
    const doc = parse(fs.readFileSync(file, "utf8"));
    doc.config[P("grafana")] = { ...doc.config[P("grafana")], replica: 2 };
    // One key whose name holds a path, as `pulumi config set grafana.securityContxt x` writes it
    // without --path, with a slip of the chart's key in it.
    doc.config[P("grafana.securityContxt")] = "x";
    fs.writeFileSync(file, stringify(doc));
    const grafana = versions.charts.grafana;
    assert.deepEqual(
      run(dir).map((p) => p.problem),
      [
        `${P("grafana.replica")}: unknown key; did you mean chartValues.grafana.replicas? (replicas is a key of the grafana chart ${grafana.version}'s values, not of the stack's grafana: a chart value goes under ${P("chartValues.grafana")})`,
        `${P('["grafana.securityContxt"]')}: unknown key: one key whose name holds the path grafana.securityContxt (as pulumi config set writes it without --path), which nothing reads (did you mean chartValues.grafana.securityContext?); move its value in the stack file to securityContext under ${P("chartValues.grafana")}, or run \`pulumi config rm --stack s 'grafana.securityContxt'\` then \`pulumi config set --stack s --path 'chartValues.grafana.securityContext'\` (it prompts for the value)`,
      ],
    );
  });

  it("runs where charts are handed in (the offline synthesis), not in the config room alone", () => {
    const { dir } = withChartValues({ grafana: { replicsa: 2 } });
    assert.equal(run(dir).length, 1);
    // The config room cannot read charts (test/project/layout.test.ts): verify and the other
    // callers without a chart source judge the rest of the file.
    assert.doesNotThrow(() => checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true }));
  });

  it("says a misspelt key merged from one anchor into several charts once, though each chart's words name its own chart, version and repository", () => {
    const { dir } = withChartValues({});
    const file = path.join(dir, "Pulumi.s.yaml");
    const text = fs
      .readFileSync(file, "utf8")
      .replace(/\n {2}\S*chartValues: \{\}\n/, "\n")
      .concat(
        `  ${P("chartValues")}:\n    grafana:\n      <<: &c\n        fullnameOveride: x\n    alloy:\n      <<: *c\n`,
      );
    fs.writeFileSync(file, text);
    const lines = text.split("\n");
    const use = lineOf(lines, "<<", lineOf(lines, "alloy"));
    assert.deepEqual(run(dir), [
      {
        problem: `${P("chartValues.grafana.fullnameOveride")}: unknown key of the grafana chart ${versions.charts.grafana.version} (Helm would ignore it), expected a key its values.yaml or templates name (\`helm show values grafana --repo ${versions.charts.grafana.repo} --version ${versions.charts.grafana.version}\`), got "fullnameOveride"; did you mean chartValues.grafana.fullnameOverride? (the same key, written once, reaches ${P("chartValues.alloy.fullnameOveride")} (merged at line ${use} through \`<<: *c\`): one edit mends both)`,
        line: lineOf(lines, "fullnameOveride"),
      },
    ]);
  });

  it("keeps a key the user's own templated values read", () => {
    const { dir } = withChartValues({
      grafana: { replicsa: 2, extraObjects: ["{{ .Values.replicsa }}"] },
    });
    assert.deepEqual(run(dir), []);
  });
});

/** `{a: {b: {c: leaf}}}` for the path a.b.c. */
const nested = (p: string[], leaf: unknown): Record<string, unknown> =>
  p.reduceRight<unknown>((acc, k) => ({ [k]: acc }), leaf) as Record<string, unknown>;

/** The refused chartValues keys (`<chart>.<path>`) of a stack file with each of `keys` set. */
function refused(keys: Record<string, string[]>): string[] {
  const values: Record<string, Record<string, unknown>> = {};
  for (const [chart, paths] of Object.entries(keys))
    for (const p of paths) {
      let level = (values[chart] ??= {});
      const parts = p.split(".");
      for (const k of parts.slice(0, -1)) level = (level[k] ??= {}) as Record<string, unknown>;
      level[parts[parts.length - 1]] = 1;
    }
  const { dir } = withChartValues(values);
  return run(dir).map((r) => /^\S+?:chartValues\.(\S+): unknown key/.exec(r.problem)?.[1] ?? r.problem);
}

/**
 * The keys commented out in a chart's values.yaml (`# key: value` under a real or commented key),
 * each with its path by indentation: keys the chart documents but does not default.
 */
function commentedKeys(valuesYaml: string): string[][] {
  const out: string[][] = [];
  const open: [number, string][] = [];
  for (const line of valuesYaml.split("\n")) {
    const real = /^(\s*)(?:- )?["']?([^\s#"'][^:"']*?)["']?:(\s|$)/.exec(line);
    const commented = /^(\s*)#+ ?(\s*)([A-Za-z_][\w./-]*):(\s|$)/.exec(line);
    if (!real && !commented) continue;
    const indent = real ? real[1].length : commented![1].length + commented![2].length;
    const key = real ? real[2] : commented![3];
    while (open.length > 0 && open[open.length - 1][0] >= indent) open.pop();
    if (!real) out.push([...open.map((o) => o[1]), key]);
    open.push([indent, key]);
  }
  return out;
}

describe("config: chartValues keys of maps the templates read, test or pass on (config/chartKeys.ts)", function () {
  this.timeout(60000);

  it("refuses typos under a map a template tests with hasKey, digs in, or assigns to a variable", () => {
    const typos = {
      grafana: ["sidecar.dashboards.enabeld"],
      loki: ["singleBinary.replcas", "singleBinary.podAnnotatons", "loki.comapctor", "lokiCanary.enabeld"],
      alloy: ["alloy.stabilityLevle"],
      "victoria-metrics-k8s-stack": ["vmsingle.spce"],
      "kube-prometheus-stack": ["kubeEtcd.serviceMonitor.intervall"],
    };
    assert.deepEqual(
      refused(typos).sort(),
      Object.entries(typos)
        .flatMap(([c, ps]) => ps.map((p) => `${c}.${p}`))
        .sort(),
    );
  });

  it("refuses a typo whose word a template uses elsewhere (`$value.datasource`), not at that level", () => {
    const typos = {
      grafana: ["resource.limits", "datasource.x", "service.label.team", "sidecar.datasource.enabled"],
    };
    // The misspelt key is refused, not what is under it.
    assert.deepEqual(refused(typos).sort(), [
      "grafana.datasource",
      "grafana.resource",
      "grafana.service.label",
      "grafana.sidecar.datasource",
    ]);
  });

  it("refuses no key commented out in any pinned chart's values.yaml (keys the chart documents)", () => {
    let checked = 0;
    for (const pin of Object.values(versions.charts)) {
      const keys = pinnedChartKeys(pin.chart);
      assert.ok(keys, `${pin.chart} ${pin.version} in the chart cache`);
      const archive = path.join(chartCacheDir(ROOT), `${pin.chart}-${pin.version}.tgz`);
      const files = tarFiles(zlib.gunzipSync(fs.readFileSync(archive)), (n) =>
        /^[^/]+\/values\.yaml$/.test(n),
      );
      for (const p of commentedKeys([...files.values()][0] ?? "")) {
        checked++;
        assert.deepEqual(
          // A null, not text: text where a commented-out key's default is a boolean is refused for that.
          // Only unknown keys are this test's: nesting a documented list item's keys as a map
          // (`extraEnvFrom.name`) gives a map where loki's schema takes a list, refused for that.
          chartValueProblems({ [pin.chart]: nested(p, null) }, () => keys, PROJECT).filter((x) =>
            x.includes(UNKNOWN_KEY),
          ),
          [],
          p.join("."),
        );
      }
    }
    assert.ok(checked > 1500, `${checked} commented-out keys`);
  });
});

describe("config: a chartValues key is refused only when it is a misspelling (config/chartValueCheck.ts)", () => {
  it("takes one edit (two neighbours swapped count one), two for long keys, never a key of another scope", () => {
    assert.equal(misspelling("replcas", ["replicas", "resources"]), "replicas");
    assert.equal(misspelling("replicsa", ["replicas"]), "replicas");
    assert.equal(misspelling("enalbed", ["enabled"]), "enabled");
    assert.equal(misspelling("enbld", ["enabled"]), undefined);
    assert.equal(misspelling("serviceAcountNme", ["serviceAccountName"]), "serviceAccountName");
    assert.equal(
      misspelling("containerSecurityContext", ["podSecurityContext", "securityContext"]),
      undefined,
    );
  });

  it("does not send alertmanager's containerSecurityContext to podSecurityContext", () => {
    assert.deepEqual(refused({ alertmanager: ["containerSecurityContext"] }), []);
  });
});

describe("config: chartValues keys without a chart archive at hand (synth/synthesize.ts)", function () {
  this.timeout(30000);
  const saved = process.env.HOMELAB_CHART_CACHE;
  afterEach(() => {
    if (saved === undefined) delete process.env.HOMELAB_CHART_CACHE;
    else process.env.HOMELAB_CHART_CACHE = saved;
  });

  it("names the charts whose keys went unchecked, once each", () => {
    process.env.HOMELAB_CHART_CACHE = tmpDir("empty-charts");
    const { dir } = withChartValues({
      grafana: { replicsa: 2, persistance: {} },
      loki: { singleBinray: {} },
    });
    const r = readStackConfig(dir, "s", {}, {});
    assert.deepEqual(r.uncheckedCharts, ["grafana", "loki"]);
  });
});

describe("config: an unknown chart under chartValues (config/chartValues.ts)", function () {
  this.timeout(30000);

  it("names its line and the chart names, and sends Mimir to the stack's mimir keys", () => {
    const { dir, lines } = withChartValues({ mimir: { replicas: 2 } });
    const r = run(dir);
    assert.equal(r.length, 1, r.map((p) => p.problem).join("\n"));
    assert.match(
      r[0].problem,
      new RegExp(
        `^${P("chartValues.mimir")}: unknown key, expected a chart name: loki \\| alloy \\| grafana .* \\(docs/reference/versions\\.md\\), and Mimir is none: where the stack runs Mimir \\(metricsBackend mimir, at a phase that runs the new backend\\), it runs as the program's own StatefulSet, set by the stack's mimir keys`,
      ),
    );
    assert.equal(r[0].line, lineOf(lines, "mimir", lineOf(lines, P("chartValues"))));
  });

  it("sends mimir-distributed, the chart the program does not install, to the stack's mimir keys too", () => {
    const { dir, lines } = withChartValues({ "mimir-distributed": { ingester: { replicas: 2 } } });
    const r = run(dir);
    assert.equal(r.length, 1, r.map((p) => p.problem).join("\n"));
    assert.match(
      r[0].problem,
      new RegExp(
        `^${P("chartValues.mimir-distributed")}: unknown key, expected a chart name: loki \\| alloy .* \\(docs/reference/versions\\.md\\), and Mimir is none: where the stack runs Mimir \\(metricsBackend mimir, at a phase that runs the new backend\\), it runs as the program's own StatefulSet, not from the mimir-distributed chart, set by the stack's mimir keys`,
      ),
    );
    assert.equal(r[0].line, lineOf(lines, "mimir-distributed", lineOf(lines, P("chartValues"))));
  });

  it("on a stack running no Mimir (pi: metricsBackend victoriametrics), says when Mimir runs, not that it runs", () => {
    const dir = tmpDir("chart-values");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8"));
    doc.config[P("chartValues")] = { "mimir-distributed": { ingester: { replicas: 2 } } };
    fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stringify(doc));
    const r = run(dir);
    assert.equal(r.length, 1, r.map((p) => p.problem).join("\n"));
    // pi runs VictoriaMetrics: no Mimir StatefulSet, and its mimir keys are refused (config/resolve.ts).
    assert.match(
      r[0].problem,
      /, and Mimir is none: where the stack runs Mimir \(metricsBackend mimir, at a phase that runs the new backend\), it runs as the program's own StatefulSet, not from the mimir-distributed chart, set by the stack's mimir keys/,
    );
  });

  it("leaves the other charts' keys checked in the same run: a misspelt chart name hid every misspelt key", () => {
    const { dir, lines } = withChartValues({
      grafanna: { replicas: 2 },
      grafana: { replicsa: 2 },
      loki: { singleBinary: { replcas: 2 } },
      alloy: "not a map",
    });
    const r = run(dir);
    const cv = lineOf(lines, P("chartValues"));
    const at = (key: string) => r.find((p) => p.problem.startsWith(`${P(`chartValues.${key}`)}: `));
    assert.equal(r.length, 4, r.map((p) => p.problem).join("\n"));
    assert.match(at("grafanna")?.problem ?? "", /unknown key; did you mean "grafana"\?/);
    assert.match(at("alloy")?.problem ?? "", /expected .*map|object/);
    assert.ok(at("grafana.replicsa")?.problem.endsWith("did you mean chartValues.grafana.replicas?"));
    assert.equal(at("grafana.replicsa")?.line, lineOf(lines, "replicsa", cv));
    // Read as replicas, it sets staging's loki.replicas twice: said in the same line.
    assert.ok(
      at("loki.singleBinary.replcas")?.problem.includes(
        "did you mean chartValues.loki.singleBinary.replicas? (read as replicas, which is refused: loki.replicas: expected the loki chart's singleBinary.replicas set in one place",
      ),
      at("loki.singleBinary.replcas")?.problem,
    );
  });
});

describe("config: a misspelt chartValues key is read as the key it means by the rules between keys (config/judge.ts)", function () {
  this.timeout(60000);

  // The rename a "did you mean" asks for is judged in this run: renamed alone, the next run refused
  // the value as set twice (config/judge.ts withChartKeysMeant).
  it("reads a misspelt chart key as the key it means: the value it would set twice is said in its one message", () => {
    const { dir } = withChartValues({ grafana: { persistence: { sise: "20Gi" } } });
    const file = path.join(dir, "Pulumi.s.yaml");
    const doc = parse(fs.readFileSync(file, "utf8"));
    doc.config[P("grafana")] = { volumeSize: "10Gi" };
    const text = stringify(doc);
    fs.writeFileSync(file, text);
    const r = run(dir);
    const at = lineOf(text.split("\n"), "volumeSize");
    assert.deepEqual(r, [
      {
        problem: `${P("chartValues.grafana.persistence.sise")}: unknown key of the grafana chart ${versions.charts.grafana.version} (Helm would ignore it), expected a key its values.yaml or templates name (\`helm show values grafana --repo ${versions.charts.grafana.repo} --version ${versions.charts.grafana.version}\`), got "sise"; did you mean chartValues.grafana.persistence.size? (read as size, which is refused: grafana.volumeSize: expected the grafana chart's persistence.size set in one place (set it once: grafana.volumeSize), got it set twice: grafana.volumeSize: "10Gi" (${file}:${at}) and chartValues.grafana.persistence.sise: "20Gi", where the override, merged last, would win and grafana.volumeSize do nothing; remove chartValues.grafana.persistence.sise)`,
        line: text.split("\n").findIndex((l) => l.trim() === "sise: 20Gi") + 1,
      },
    ]);
  });

  it("reads a misspelt key of Loki's own config as the key it means: loki.retention set twice is said in its one message", () => {
    // Staging sets loki.retention: 7d.
    const { dir, lines } = withChartValues({ loki: { loki: { limits_config: { retention_perod: "14d" } } } });
    const r = run(dir);
    assert.equal(r.length, 1, r.map((p) => p.problem).join("\n"));
    assert.match(
      r[0].problem,
      /^homelab-observability:chartValues\.loki\.loki\.limits_config\.retention_perod: unknown key of Loki .*; did you mean chartValues\.loki\.loki\.limits_config\.retention_period\? \(read as retention_period, which is refused: loki\.retention: expected the loki chart's loki\.limits_config\.retention_period set in one place \(set it once: loki\.retention\), got it set twice: loki\.retention: "7d" \(\S+Pulumi\.s\.yaml:\d+\) and chartValues\.loki\.loki\.limits_config\.retention_perod: "14d", where the override, merged last, would win and loki\.retention do nothing; remove chartValues\.loki\.loki\.limits_config\.retention_perod\)$/,
    );
    assert.equal(r[0].line, lineOf(lines, "retention_perod"));
  });

  // Only what the reading causes is folded into the misspelt key's line: a stack key told to go to
  // the key meant is a mistake of its own, at its own line, and its hint names the key meant.
  it("a stack key whose hint names the key a misspelt chart key is read as keeps its own message and line", () => {
    const { dir } = withChartValues({ grafana: { replicsa: 2 } });
    const file = path.join(dir, "Pulumi.s.yaml");
    const doc = parse(fs.readFileSync(file, "utf8"));
    doc.config[P("grafana")] = { replicas: 1 };
    doc.config[P("grafana.replicas")] = 2;
    const text = stringify(doc);
    fs.writeFileSync(file, text);
    const lines = text.split("\n");
    const chart = `${P("chartValues.grafana.replicsa")}: unknown key of the grafana chart ${versions.charts.grafana.version} (Helm would ignore it), expected a key its values.yaml or templates name (\`helm show values grafana --repo ${versions.charts.grafana.repo} --version ${versions.charts.grafana.version}\`), got "replicsa"; did you mean chartValues.grafana.replicas?`;
    const values = `replicas is a key of the grafana chart ${versions.charts.grafana.version}'s values, not of the stack's grafana: a chart value goes under ${P("chartValues.grafana")}`;
    assert.deepEqual(
      run(dir).sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
      [
        {
          problem: `${P("grafana.replicas")}: unknown key; did you mean chartValues.grafana.replicas? (${values})`,
          line: lineOf(lines, "replicas", lineOf(lines, P("grafana"))),
        },
        { problem: chart, line: lineOf(lines, "replicsa") },
        {
          problem: `${P('["grafana.replicas"]')}: unknown key: one key whose name holds the path grafana.replicas (as pulumi config set writes it without --path), which nothing reads (did you mean chartValues.grafana.replicas?); move its value in the stack file to replicas under ${P("chartValues.grafana")}, or run \`pulumi config rm --stack s 'grafana.replicas'\` then \`pulumi config set --stack s --path 'chartValues.grafana.replicas'\` (it prompts for the value)`,
          line: lineOf(lines, P("grafana.replicas")),
        },
      ].sort((a, b) => a.line - b.line),
    );
  });

  it("a misspelt chart key whose meant key sets nothing twice keeps its one line", () => {
    const { dir } = withChartValues({ grafana: { persistence: { sise: "20Gi" } } });
    const r = run(dir);
    assert.equal(r.length, 1, r.map((p) => p.problem).join("\n"));
    assert.ok(r[0].problem.endsWith("did you mean chartValues.grafana.persistence.size?"), r[0].problem);
  });
});
