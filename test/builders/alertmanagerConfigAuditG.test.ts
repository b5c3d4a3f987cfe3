import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { alertmanagerConfig, type AlertmanagerInputs } from "../../builders/alerting/alertmanagerConfig";
import { alertmanagerConfigProblems, matcherProblem } from "../../builders/alerting/configCheck";
import { checkAlertmanagerConfigs } from "../../checks/alertmanagerConfigs";
import type { Placed } from "../../checks/objects";
import { forAmtool025, requireTool, tmpDir } from "../support/helpers";
import { toolRun } from "../support/toolOutput";

/*
 * An Alertmanager configuration the rendered stack holds is judged as Alertmanager 0.28.1 judges
 * it at load (builders/alerting/configCheck.ts): a chartValues override of the program's config
 * that routes to a receiver nobody defines, repeats a receiver's name or writes a matcher the parser
 * refuses passed the synthesis with exit 0, and Alertmanager refused the file in the cluster.
 */

const alerting: AlertmanagerInputs = {
  pushover: true,
  pushoverPriority: 0,
  heartbeat: true,
  heartbeatInterval: "1m",
  receivers: [
    { name: "team-slack", type: "slack", minSeverity: "warning" },
    { name: "oncall", type: "pagerduty", minSeverity: "critical" },
  ],
};
const good = () => alertmanagerConfig(alerting, "/etc/alertmanager/secrets");
const paths = (c: unknown) => alertmanagerConfigProblems(c).map((p) => p.path);

/** amtool 0.25's verdict on a config (the `*_file` fields it predates swapped for their twins). */
function amtoolRefuses(ctx: Mocha.Context, config: unknown): boolean {
  const amtool = requireTool(ctx, "amtool", "prometheus-alertmanager");
  const file = path.join(tmpDir("am-audit"), "alertmanager.yml");
  fs.writeFileSync(file, stringify(forAmtool025(config)));
  return toolRun(amtool, ["check-config", file], { inputs: [file] }).status !== 0;
}

describe("Alertmanager configs as Alertmanager loads them (audit hG)", () => {
  it("passes the program's own config, with and without Pushover, the heartbeat and receivers", () => {
    assert.deepEqual(alertmanagerConfigProblems(good()), []);
    for (const pushover of [true, false])
      for (const heartbeat of [true, false])
        for (const receivers of [[], alerting.receivers!])
          assert.deepEqual(
            alertmanagerConfigProblems(
              alertmanagerConfig({ ...alerting, pushover, heartbeat, receivers }, "/x"),
            ),
            [],
            JSON.stringify({ pushover, heartbeat, receivers: receivers.length }),
          );
  });

  it("refuses a route to a receiver the file does not define, naming the closest one, as amtool does", function () {
    const cfg = good();
    cfg.route.routes[2].receiver = "team-slak";
    const [p] = alertmanagerConfigProblems(cfg);
    assert.equal(p.path, "route.routes[2].receiver");
    assert.match(
      p.message,
      /expected a receiver the file defines \(.*team-slack.*\), got "team-slak"; did you mean "team-slack"\?/,
    );
    assert.match(p.message, /undefined receiver/);
    assert.ok(amtoolRefuses(this, cfg));
  });

  it("refuses two receivers of one name, naming both, as amtool does", function () {
    const cfg = good();
    cfg.receivers.push({ name: "team-slack" });
    const dup = alertmanagerConfigProblems(cfg).find((p) => p.message.includes("not unique"));
    assert.ok(dup, JSON.stringify(alertmanagerConfigProblems(cfg)));
    assert.match(dup.path, /^receivers\[\d+\]\.name$/);
    assert.match(dup.message, /receivers\[2\] has too/);
    assert.ok(amtoolRefuses(this, cfg));
  });

  it("refuses a matcher the parser refuses (form, quotes, regular expression), as amtool does", function () {
    for (const bad of ["severity=~(warning", "severity", 'severity="crit', "=critical"]) {
      assert.ok(matcherProblem(bad), bad);
      const cfg = good();
      cfg.route.routes[2].matchers = [bad];
      assert.deepEqual(paths(cfg), ["route.routes[2].matchers[0]"], bad);
      assert.ok(amtoolRefuses(this, cfg), `amtool refuses ${bad}`);
    }
    for (const ok of [
      'severity="critical"',
      "severity=~warning|critical",
      '{a="1", b!~"x.*"}',
      'a=~"(?i)crit.*"',
      "a=",
    ])
      assert.equal(matcherProblem(ok), undefined, ok);
  });

  it("takes what Alertmanager 0.28.1's UTF-8 parser takes, line by line (review hRev)", () => {
    // Without a feature flag a line loads when the UTF-8 parser or, failing it, the classic one
    // takes the whole line (matcher/compat/parse.go FallbackMatchersParser).
    for (const ok of ['k8s-app="x"', 'service.name=~"api.*"', '"a b"="x"', '{k8s-app="x", severity!=info}'])
      assert.equal(matcherProblem(ok), undefined, ok);
    // Neither parser takes these lines: a UTF-8-only name beside a classic-only value, a quoted
    // name with an unquoted value holding a space, an unclosed UTF-8 regular expression.
    for (const bad of ['k8s-app="x", a=b c', '"foo"=bar baz', 'service.name=~"(api"'])
      assert.ok(matcherProblem(bad), bad);
  });

  it("reads the deprecated match_re as a map of regular expressions", () => {
    const cfg: any = good();
    cfg.route.routes[2].match_re = { severity: "warning|critical" };
    assert.deepEqual(paths(cfg), []);
    cfg.route.routes[2].match_re = { severity: "(warning" };
    assert.deepEqual(paths(cfg), ["route.routes[2].match_re.severity"]);
  });

  it("refuses a root route without a receiver or with matchers", () => {
    const cfg = good();
    delete cfg.route.receiver;
    cfg.route.matchers = ['severity="critical"'];
    assert.deepEqual(paths(cfg).slice(0, 2), ["route.receiver", "route.matchers"]);
  });

  it("names every receiver no route sends to in one message (an override of route.routes drops them all)", () => {
    const cfg = good();
    cfg.route.routes = [{ receiver: "pushover", matchers: ['severity="critical"'] }];
    const unrouted = alertmanagerConfigProblems(cfg);
    assert.equal(unrouted.length, 1, JSON.stringify(unrouted));
    assert.match(unrouted[0].message, /"null", "heartbeat", "team-slack", "oncall" that no route names/);
  });

  it("beside a mistyped route, names in the same run every receiver no route names but the one the typo meant", () => {
    // docs/how-to/alert-receivers.md's override: the root's "pushover" is routed, so the typo meant
    // a routed receiver, and "null" and "heartbeat", whose routes the override dropped, are unrouted.
    const cfg = good();
    cfg.receivers = cfg.receivers.filter((r: { name: string }) =>
      ["null", "heartbeat", "pushover"].includes(r.name),
    );
    cfg.route.routes = [{ receiver: "pushovr", matchers: ['severity="critical"'] }];
    const problems = alertmanagerConfigProblems(cfg);
    assert.deepEqual(
      problems.map((p) => p.path),
      ["route.routes[0].receiver", "receivers[0], receivers[1]"],
      JSON.stringify(problems),
    );
    assert.match(problems[0].message, /did you mean "pushover"\?/);
    assert.match(problems[1].message, /got "null", "heartbeat" that no route names/);
    // A typo of a receiver no other route names: fixing it routes that one, so it is not told twice.
    const slak = good();
    slak.route.routes[2].receiver = "team-slak";
    assert.deepEqual(paths(slak), ["route.routes[2].receiver"]);
    // A name close to none: the receiver its route dropped is unrouted, said as such.
    const nobody = good();
    nobody.route.routes[0].receiver = "nobody";
    assert.deepEqual(paths(nobody), ["route.routes[0].receiver", "receivers[1]"]);
  });

  it("finds the file in the alertmanager chart's ConfigMap, kube-prometheus-stack's Secret and a VMAlertmanager", () => {
    const cfg = good();
    // A typo of the route's own receiver: one problem per file.
    cfg.route.routes[0].receiver = "heartbeet";
    const text = stringify(cfg);
    const placed = (obj: any): Placed => ({ obj, urn: "u", source: "release r" });
    const objects = [
      placed({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "am" },
        data: { "alertmanager.yml": text },
      }),
      placed({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "kps" },
        data: { "alertmanager.yaml": Buffer.from(text).toString("base64") },
      }),
      placed({
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMAlertmanager",
        metadata: { name: "vm" },
        spec: { configRawYaml: text },
      }),
      placed({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "other" }, data: { "x.yml": text } }),
    ];
    const r = checkAlertmanagerConfigs(objects);
    assert.equal(r.judged, 3);
    assert.deepEqual(
      r.findings.map((f) => f.where),
      [
        "ConfigMap am (release r) alertmanager.yml",
        "Secret kps (release r) alertmanager.yaml",
        "VMAlertmanager vm (release r) spec.configRawYaml",
      ],
    );
  });
});
