import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { alertmanagerConfig } from "../../builders/alerting/alertmanagerConfig";
import { alertmanagerConfigProblems } from "../../builders/alerting/configCheck";
import { requireTool, ROOT, synthCli, tmpDir, treeDir } from "../support/helpers";
import { toolRun } from "../support/toolOutput";
import { PROJECT } from "../../model/names";

/*
 * The durations of an Alertmanager configuration, judged as Alertmanager 0.28.1 reads them at load:
 * a `chartValues.alertmanager.config` duration Alertmanager refuses (a form its parser does not
 * take, one longer than 2^63-1 ns, a zero repeat or group interval) passed the synthesis with exit
 * 0, and Alertmanager refused the file in the cluster.
 */

const good = () =>
  alertmanagerConfig({ pushover: true, pushoverPriority: 0, heartbeat: true, heartbeatInterval: "1m" }, "/x");
/** The program's config with `set` applied to it. */
const withChange = (set: (c: any) => void) => {
  const c: any = good();
  set(c);
  return c;
};
const problems = (set: (c: any) => void) => alertmanagerConfigProblems(withChange(set));

/** amtool 0.25's verdict on a config. */
function amtoolRefuses(ctx: Mocha.Context, config: unknown): boolean {
  const amtool = requireTool(ctx, "amtool", "prometheus-alertmanager");
  const file = path.join(tmpDir("am-durations"), "alertmanager.yml");
  fs.writeFileSync(file, stringify(config));
  return toolRun(amtool, ["check-config", file], { inputs: [file] }).status !== 0;
}

const MODEL = /expected a Prometheus model\.Duration: .*of at most 106751d23h47m16s854ms \(about 292 years\)/;
const GO = /expected a Go time\.Duration: .*of at most 2562047h47m16\.854775807s \(about 292 years\)/;

/** One change per case: where it is set, the value, the problem's path and its words. */
const REFUSED: [string, (c: any) => void, string, RegExp][] = [
  ["a resolve_timeout too long", (c) => (c.global.resolve_timeout = "300y"), "global.resolve_timeout", MODEL],
  ["a group_wait with a fraction", (c) => (c.route.group_wait = "1.5m"), "route.group_wait", MODEL],
  [
    "a child route's repeat_interval without a unit",
    (c) => (c.route.routes[0].repeat_interval = 30),
    "route.routes[0].repeat_interval",
    MODEL,
  ],
  [
    "a zero group_interval",
    (c) => (c.route.group_interval = "0s"),
    "route.group_interval",
    /expected a duration above zero, got "0s" \(Alertmanager refuses the file: "group_interval cannot be zero"\)/,
  ],
  [
    "a pushover retry in days",
    (c) => (c.receivers.find((r: any) => r.pushover_configs).pushover_configs[0].retry = "1d"),
    `receivers[${good().receivers.findIndex((r: object) => "pushover_configs" in r)}].pushover_configs[0].retry`,
    GO,
  ],
];

describe("Alertmanager durations as Alertmanager 0.28.1 reads them", () => {
  it("passes the program's own config, and durations at the longest each reader takes", () => {
    assert.deepEqual(alertmanagerConfigProblems(good()), []);
    assert.deepEqual(
      problems((c) => {
        c.global.resolve_timeout = "292y";
        c.route.repeat_interval = "106751d";
        c.route.group_wait = 0;
      }),
      [],
    );
  });

  for (const [what, set, at, words] of REFUSED)
    it(`refuses ${what}, at its path, with the form and what was found`, function () {
      const found = problems(set);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0].path, at);
      assert.match(found[0].message, words);
      assert.match(found[0].message, /got ("[^"]*"|\d+)/);
      assert.ok(amtoolRefuses(this, withChange(set)), "amtool 0.25 refuses it too");
    });

  it("refuses a webhook timeout too long for Go's time.ParseDuration, and takes a YAML number (nanoseconds)", () => {
    const hook = (timeout: unknown) =>
      problems((c) =>
        c.receivers.push({ name: "hook", webhook_configs: [{ url: "http://a.invalid/", timeout }] }),
      )
        .filter((p) => p.path.includes("webhook_configs"))
        .map((p) => p.message);
    assert.deepEqual(hook(10), []);
    assert.deepEqual(hook("2562047h"), []);
    const [m] = hook("3000000h");
    assert.match(m, GO);
    assert.match(m, /got "3000000h"/);
  });
});

describe("synth: a chartValues.alertmanager.config duration Alertmanager refuses", function () {
  this.timeout(600000);
  it("exits 1 naming the override and its line (it passed with exit 0)", async () => {
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    doc.config[`${PROJECT}:chartValues`] = {
      alertmanager: { config: { global: { resolve_timeout: "300y" } } },
    };
    const dir = treeDir("am-durations", {
      "Pulumi.yaml": fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
      "Pulumi.s.yaml": stringify(doc),
    });
    const r = await synthCli("--stack", "s", "--dir", dir, "--out", path.join(dir, "out"));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout + r.stderr,
      /global\.resolve_timeout: expected a Prometheus model\.Duration.*got "300y" \(Alertmanager refuses the file\)\n\s+from the stack's chart values override chartValues\.alertmanager\.config\.global\.resolve_timeout \(.*Pulumi\.s\.yaml:\d+\)/,
    );
  });
});
