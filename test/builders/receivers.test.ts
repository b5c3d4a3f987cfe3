import { SEVEN } from "../support/receivers";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { stringify } from "yaml";
import { alertmanagerConfig, alertmanagerSecrets } from "../../builders/alerting/alertmanagerConfig";
import { kpsValues } from "../../builders/metrics/kpsValues";
import { vmValues } from "../../builders/metrics/vmValues";
import { standaloneAlertmanagerValues } from "../../builders/metrics/exporterValues";
import { parseStackConfig } from "../../config/resolve";
import { capabilities } from "../../model/phases";
import { forAmtool025, requireTool, tmpDir } from "../support/helpers";
import type { ReceiverConfig } from "../../config/schema";

const exec = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: "utf8" });

/** Receivers as the schema outputs them (defaults filled), from stack-file entries. */
export function receiversOf(entries: Record<string, unknown>[]): ReceiverConfig[] {
  return parseStackConfig(
    {
      phase: "kps-removed",
      objectStore: { type: "filesystem" },
      alerting: { receivers: entries },
    },
    "t",
    {},
    { allowAbsentSecrets: true },
  ).alerting.receivers;
}

/** Each type: its list in the receiver, its credential's file field and the Secret key it reads. */
const EXPECTED: Record<string, [string, string, string]> = {
  mail: ["email_configs", "auth_password_file", "auth_password"],
  "team-slack": ["slack_configs", "api_url_file", "api_url"],
  discord: ["discord_configs", "webhook_url_file", "webhook_url"],
  tg: ["telegram_configs", "bot_token_file", "bot_token"],
  teams: ["msteams_configs", "webhook_url_file", "webhook_url"],
  hook: ["webhook_configs", "url_file", "url"],
  pd: ["pagerduty_configs", "routing_key_file", "routing_key"],
};

const alerting = (receivers: ReceiverConfig[]) => ({
  pushover: true,
  pushoverPriority: 0,
  heartbeat: true,
  heartbeatInterval: "1m",
  receivers,
});

/** The config without the receivers Debian's amtool 0.25 has no type for (msteams_configs came in 0.26). */
function withoutTeams(cfg: any): any {
  const teams = new Set(cfg.receivers.filter((r: any) => r.msteams_configs).map((r: any) => r.name));
  return {
    ...cfg,
    receivers: cfg.receivers.filter((r: any) => !teams.has(r.name)),
    route: { ...cfg.route, routes: cfg.route.routes.filter((r: any) => !teams.has(r.receiver)) },
  };
}

describe("the user's Alertmanager receivers", () => {
  const receivers = receiversOf(SEVEN);
  const cfg = alertmanagerConfig(alerting(receivers), "/etc/alertmanager/secrets");

  for (const r of SEVEN) {
    const [list, file, key] = EXPECTED[r.name];
    it(`${r.type}: Alertmanager's own fields, the credential only as ${file} into its mounted Secret`, () => {
      const entry = cfg.receivers.find((x: any) => x.name === r.name);
      assert.ok(entry, `receiver ${r.name}`);
      assert.deepEqual(Object.keys(entry).sort(), [list, "name"].sort());
      const c = entry[list][0];
      assert.equal(c[file], `/etc/alertmanager/secrets/alertmanager-receiver-${r.name}/${key}`);
      assert.equal(c[key], undefined, "no credential in the config itself");
      // The program's own keys stay out of Alertmanager's config.
      for (const own of ["name", "type", "minSeverity", "item", "port"]) assert.equal(c[own], undefined, own);
      for (const [k, v] of Object.entries(r))
        if (!["name", "type", "minSeverity", "port"].includes(k)) assert.deepEqual(c[k], v, k);
    });
  }

  it("routes by minSeverity, keeps the Watchdog for the heartbeat and gives Pushover its own catch-all route", () => {
    const routes = cfg.route.routes;
    assert.deepEqual(routes[0].matchers, ['alertname="Watchdog"']);
    assert.equal(routes[0].receiver, "heartbeat");
    assert.equal(routes[0].continue, undefined, "the Watchdog stops at the heartbeat");
    const of = (name: string) => routes.find((x: any) => x.receiver === name);
    assert.deepEqual(of("team-slack"), {
      receiver: "team-slack",
      matchers: ['severity=~"warning|critical"'],
      continue: true,
    });
    assert.deepEqual(of("pd").matchers, ['severity="critical"']);
    assert.deepEqual(of("discord").matchers, ['severity="critical"']);
    assert.deepEqual(routes[routes.length - 1], { receiver: "pushover" });
    assert.ok(
      routes.indexOf(of("pd")) > routes.findIndex((x: any) => x.matchers?.[0] === 'severity="none"'),
      "severity none is dropped before any receiver",
    );
  });

  it("an email receiver without an SMTP login has no credential and mounts nothing", () => {
    const [mail] = receiversOf([{ ...SEVEN[0], auth_username: undefined }]);
    const c = alertmanagerConfig(alerting([mail]), "/x").receivers.find((x: any) => x.name === "mail");
    assert.equal(c.email_configs[0].auth_password_file, undefined);
    assert.deepEqual(alertmanagerSecrets(alerting([mail])), [
      "alertmanager-pushover",
      "alertmanager-heartbeat",
    ]);
  });

  it("every Alertmanager the phases run gets the same receivers and mounts their Secrets", () => {
    const names = SEVEN.map((r) => r.name);
    const secrets = names.filter((n) => n !== undefined).map((n) => `alertmanager-receiver-${n}`);
    const kps = kpsValues({
      caps: capabilities("loki-fixed", "mimir"),
      cluster: "c",
      profile: "standard",
      backend: "mimir",
      retention: "14d",
      retentionSize: "60GiB",
      volumeSize: "70Gi",
      storageClass: "s",
      remoteWrite: { backend: "mimir", url: "u" },
      alerting: alerting(receivers),
    }).alertmanager;
    const standalone = standaloneAlertmanagerValues("standard", alerting(receivers), "local-path");
    const vm = vmValues({
      caps: capabilities("kps-removed", "victoriametrics"),
      cluster: "c",
      profile: "lightweight",
      retention: "14d",
      volumeSize: "1Gi",
      storageClass: "s",
      scrapeInterval: "30s",
      bufferBytes: 1,
      alerting: alerting(receivers),
    }).alertmanager;
    for (const [who, config, mounted] of [
      ["kube-prometheus-stack", kps.config, kps.alertmanagerSpec.secrets],
      ["standalone", standalone.config, standalone.extraSecretMounts.map((m: any) => m.secretName)],
      ["VictoriaMetrics", vm.config, vm.spec.secrets],
    ] as const) {
      const has = config.receivers.map((r: any) => r.name);
      for (const n of names) assert.ok(has.includes(n), `${who} has receiver ${n}`);
      for (const s of secrets) assert.ok((mounted as string[]).includes(s), `${who} mounts ${s}`);
    }
    // The VictoriaMetrics operator mounts spec.secrets under /etc/vm/secrets.
    assert.match(JSON.stringify(vm.config), /"\/etc\/vm\/secrets\/alertmanager-receiver-pd\/routing_key"/);
  });

  it("amtool check-config accepts the receivers it knows (all but msteams)", function () {
    const amtool = requireTool(this, "amtool", "prometheus-alertmanager");
    const file = path.join(tmpDir("am-receivers"), "alertmanager.yml");
    fs.writeFileSync(file, stringify(forAmtool025(withoutTeams(cfg))));
    const r = exec(amtool, ["check-config", file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS/);
    assert.match(r.stdout, /- 9 receivers/);
  });

  it("Debian's amtool 0.25 does not know msteams_configs, so Teams is checked by the fields above only", function () {
    const amtool = requireTool(this, "amtool", "prometheus-alertmanager");
    const file = path.join(tmpDir("am-teams"), "alertmanager.yml");
    fs.writeFileSync(file, stringify(forAmtool025(cfg)));
    const r = exec(amtool, ["check-config", file]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /msteams_configs/);
  });

  it("amtool refuses a telegram receiver without chat_id (the check can fail)", function () {
    const amtool = requireTool(this, "amtool", "prometheus-alertmanager");
    const broken = forAmtool025(withoutTeams(cfg));
    delete broken.receivers.find((r: any) => r.name === "tg").telegram_configs[0].chat_id;
    const file = path.join(tmpDir("am-tg"), "alertmanager.yml");
    fs.writeFileSync(file, stringify(broken));
    const r = exec(amtool, ["check-config", file]);
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /chat_id/);
  });

  it("without receivers, the config is what it was: no extra route, no extra Secret", () => {
    const before = alertmanagerConfig(alerting([]), "/x");
    assert.equal(
      before.route.routes.some((r: any) => r.receiver === "pushover"),
      false,
    );
    assert.deepEqual(alertmanagerSecrets(alerting([])), ["alertmanager-pushover", "alertmanager-heartbeat"]);
  });
});
