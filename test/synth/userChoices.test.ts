import { SEVEN } from "../support/receivers";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { parse, stringify } from "yaml";
import { buildStack } from "../../apply/stack";
import { loadStackConfig } from "../../config/load";
import { PROJECT } from "../../model/names";
import { readStackConfig, synthesize } from "../../synth/synthesize";
import { renderStack } from "../support/rendered";
import { cached, cacheKey } from "../support/fixtureCache";
import { forAmtool025, requireTool, ROOT, synthCli, tmpDir } from "../support/helpers";

/*
 * A copy of the staging stack as a homelab operator would extend it: seven receivers, Grafana
 * behind the cluster's Ingress controller, and one chart value the schema does not name. Run
 * through the synthesis CLI (`npm run synth`), which renders every release with the real Helm,
 * runs every check on the rendered objects and the policy pack.
 */

const INGRESS = {
  host: "grafana.staging.example.net",
  className: "nginx",
  controllerNamespace: "ingress-nginx",
  tls: { secretName: "grafana-tls" },
};

/** Writes `Pulumi.<stack>.yaml` into `dir`: the base stack file's config with `extra` keys added. */
function stackFile(dir: string, stack: string, base: string, extra: Record<string, unknown>): void {
  const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${base}.yaml`), "utf8"));
  for (const [k, v] of Object.entries(extra)) doc.config[`${PROJECT}:${k}`] = v;
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
}

const CHOICES = {
  alerting: { receivers: SEVEN },
  grafana: { ingress: INGRESS },
  // A value the schema does not name (grafana chart 12.3.1 values.yaml `revisionHistoryLimit: 10`).
  chartValues: { grafana: { revisionHistoryLimit: 3 } },
};

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  rendered?: { releases: { objects: any[] }[]; raw: { object: any }[] };
}

async function runSynth(dir: string, stack: string): Promise<Run> {
  const out = path.join(dir, "out");
  // The command in this process (its process wrapper: test/cli/cliSmoke.test.ts).
  const r = await synthCli("--stack", stack, "--dir", dir, "--out", out, "--quiet");
  const file = path.join(out, `${stack}.rendered.json`);
  // The rendered objects are read when a test first asks for them: the refusals read only the
  // output, and each file is 3-4 MB of JSON (50-130 ms of CPU a parse; the file 3.67 -> 3.55 s of CPU,
  // measured warm, alone, medians of 5 alternated runs).
  const written = fs.existsSync(file);
  let rendered: Run["rendered"];
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    get rendered() {
      return written ? (rendered ??= JSON.parse(fs.readFileSync(file, "utf8"))) : undefined;
    },
  };
}

const objectsOf = (r: Run): any[] => [
  ...r.rendered!.releases.flatMap((x) => x.objects),
  ...r.rendered!.raw.map((x) => x.object),
];

describe("a staging copy with seven receivers, Grafana behind an Ingress and chart values", function () {
  this.timeout(600000);
  let dir: string;
  let ok: Run;
  before(async () => {
    dir = tmpDir("user-choices");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    stackFile(dir, "choices", "staging", CHOICES);
    ok = await runSynth(dir, "choices");
  });

  it("synthesizes (exit 0) and the summary lists the override in force", () => {
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /chart values overrides in force \(chartValues\): grafana\.revisionHistoryLimit/);
    // The last line gives the exit status and its reasons.
    assert.match(
      ok.stdout.trimEnd().split("\n").pop()!,
      /^choices: pass \(exit 0\): the rendered objects and the policy pass$/,
    );
  });

  it("every receiver is in the rendered Alertmanager configuration, which amtool accepts", function () {
    const cm = objectsOf(ok).find(
      (o) => o.kind === "ConfigMap" && o.metadata.name === "alertmanager" && o.data?.["alertmanager.yml"],
    );
    assert.ok(cm, "the standalone Alertmanager's rendered ConfigMap");
    const config = parse(cm.data["alertmanager.yml"]);
    const names = config.receivers.map((r: any) => r.name);
    for (const r of SEVEN) assert.ok(names.includes(r.name), `receiver ${r.name} in ${names}`);
    const amtool = requireTool(this, "amtool", "prometheus-alertmanager");
    // Debian's amtool 0.25 has no msteams_configs (0.26+): the Teams receiver is left out for it only.
    const known = {
      ...config,
      receivers: config.receivers.filter((r: any) => !r.msteams_configs),
      route: { ...config.route, routes: config.route.routes.filter((r: any) => r.receiver !== "teams") },
    };
    const file = path.join(dir, "alertmanager.yml");
    fs.writeFileSync(file, stringify(forAmtool025(known)));
    const r = spawnSync(amtool, ["check-config", file], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it("the Ingress carries the host, a NetworkPolicy admits Grafana's pods from the controller's namespace, Grafana keeps 3 old ReplicaSets", () => {
    const objects = objectsOf(ok);
    const ingress = objects.find((o) => o.kind === "Ingress" && o.metadata.name === "grafana");
    assert.ok(ingress, "an Ingress for Grafana");
    assert.deepEqual(
      ingress.spec.rules.map((r: any) => r.host),
      [INGRESS.host],
    );
    assert.equal(ingress.spec.ingressClassName, "nginx");
    assert.deepEqual(ingress.spec.tls, [{ secretName: "grafana-tls", hosts: [INGRESS.host] }]);
    const policy = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "grafana");
    assert.ok(
      policy.spec.ingress.some((r: any) =>
        r.from?.some(
          (p: any) => p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] === "ingress-nginx",
        ),
      ),
      JSON.stringify(policy.spec.ingress),
    );
    assert.ok(
      policy.spec.ingress.every((r: any) => r.from),
      "no rule admits anywhere any more",
    );
    const grafana = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "grafana");
    assert.equal(grafana.spec.revisionHistoryLimit, 3);
    const ini = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "grafana").data[
      "grafana.ini"
    ];
    assert.match(ini, /root_url = https:\/\/grafana\.staging\.example\.net/);
  });

  it("Grafana behind a Gateway: an HTTPRoute the Gateway API's schema accepts, the Gateway's namespace admitted", async () => {
    stackFile(dir, "route", "staging", {
      grafana: {
        httpRoute: {
          host: "grafana.staging.example.net",
          parentRef: { name: "public", namespace: "gateways" },
        },
      },
    });
    const r = await runSynth(dir, "route");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const objects = objectsOf(r);
    const route = objects.find((o) => o.kind === "HTTPRoute" && o.metadata.name === "grafana");
    assert.deepEqual(route.spec.hostnames, ["grafana.staging.example.net"]);
    assert.deepEqual(route.spec.parentRefs, [{ name: "public", namespace: "gateways" }]);
    const policy = objects.find((o) => o.kind === "NetworkPolicy" && o.metadata.name === "grafana");
    assert.equal(
      policy.spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"],
      "gateways",
    );
  });

  // Each refusal: the finding, and the chartValues key behind it (when one is).
  const refusals: [string, string, Record<string, unknown>, RegExp[], string[]][] = [
    [
      // One run for two refusals of one chart: each names its own key, not the other.
      "a privileged Grafana container and two Grafana replicas",
      "staging",
      {
        ...CHOICES,
        chartValues: { grafana: { replicas: 2, containerSecurityContext: { privileged: true } } },
      },
      [
        /\[pod-security\] Deployment monitoring\/grafana .*enforces baseline, which refuses this pod: container grafana: privileged\n {6}from the stack's chart values override chartValues\.grafana\.containerSecurityContext\.privileged \(\S*Pulumi\.[\w-]+\.yaml:\d+\):/,
        /\[mandatory\] grafana-replicas-share-no-state: kubernetes:helm\.sh\/v3:Release "grafana": chartValues\.grafana\.replicas is 2, but its database is SQLite .*one file the pods would share; and every pod of the Deployment mounts the one claim the chart makes for its Deployment \(ReadWriteOnce\).*\n {6}from the stack's chart values override chartValues\.grafana\.replicas \(\S*Pulumi\.[\w-]+\.yaml:\d+\):/,
      ],
      ["chartValues.grafana.containerSecurityContext.privileged", "chartValues.grafana.replicas"],
    ],
    [
      "an amd64-only image on the Pi nodes",
      "pi",
      {
        chartValues: {
          grafana: { image: { registry: "docker.io", repository: "example/grafana-amd64-only", tag: "1.0" } },
        },
      },
      [
        /\[mandatory\] arm64-images: .*Deployment grafana can run on pool pi5.*example\/grafana-amd64-only is not known to publish linux\/arm64/,
      ],
      [],
    ],
    [
      "Loki without its delete store",
      "staging",
      { chartValues: { loki: { loki: { compactor: { delete_request_store: null } } } } },
      [
        /\[mandatory\] loki-retention-needs-delete-store: kubernetes:helm\.sh\/v3:Release "loki": values\.loki\.compactor\.retention_enabled is true but delete_request_store is missing/,
      ],
      ["chartValues.loki.loki.compactor.delete_request_store"],
    ],
  ];
  const runs = new Map<string, Run>();
  for (const [what, base, extra, messages, keys] of refusals)
    it(`refuses ${what} set through chartValues (exit 1, the finding and its chartValues key named, the last line says FAIL)`, async () => {
      const stack = `refused-${base}-${what.split(" ").pop()}`;
      stackFile(dir, stack, base, extra);
      const r = await runSynth(dir, stack);
      runs.set(what, r);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      for (const message of messages) assert.match(r.stdout + r.stderr, message);
      for (const key of keys)
        // The key, then its line in the stack file.
        assert.ok(
          new RegExp(
            `from the stack's chart values override ${key.replace(/\./g, "\\.")} \\(\\S*Pulumi\\.${stack}\\.yaml:\\d+\\):`,
          ).test(r.stdout + r.stderr),
          r.stdout + r.stderr,
        );
      assert.match(r.stdout.trimEnd().split("\n").pop()!, new RegExp(`^${stack}: FAIL \\(exit 1\\): `));
    });

  it("Loki without its delete store is one message naming the release's values, the rendered ConfigMap and the container's config", () => {
    const r = runs.get("Loki without its delete store");
    assert.ok(r, "the refusal above ran");
    const all = r.stdout + r.stderr;
    assert.equal(
      all.match(/delete_request_store is (?:empty|missing)|without compactor\.delete_request_store/g)?.length,
      1,
      all,
    );
    assert.match(
      all,
      /the same mistake, also seen at: \[loki-retention-needs-delete-store\] kubernetes:core\/v1:ConfigMap "loki\/monitoring\/loki"; \[engine-config\] StatefulSet monitoring\/loki \(release loki\) container loki/,
    );
    assert.match(r.stdout, /policy: FAIL \(1 mandatory, 0 advisory\)/);
  });
});

describe("receiver credentials never appear in plain text", function () {
  this.timeout(600000);
  // Test values, recognisable in any serialization.
  const CREDENTIALS: Record<string, string> = {
    mail: "smtp-Pa55word-7f3a",
    "team-slack": "https://hooks.slack.test/services/T00/B00/sl4ck-7f3a",
    discord: "https://discord.test/api/webhooks/1/d1sc0rd-7f3a",
    tg: "123456:tele-T0KEN-7f3a",
    teams: "https://teams.test/webhook/t3ams-7f3a",
    hook: "https://hook.test:8443/h00k-7f3a",
    pd: "pagerduty-r0uting-7f3a",
  };

  it("in the export, the rendered objects and the raw objects, with every credential set as a Pulumi secret", async () => {
    const dir = tmpDir("user-secrets");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    stackFile(dir, "secrets", "staging", CHOICES);
    const key = `${PROJECT}:receiverCredentials`;
    const cfg = readStackConfig(dir, "secrets", { [key]: JSON.stringify(CREDENTIALS) });
    cfg.secretKeys.push(key);
    // Through the fixture cache, keyed by the stack file as read (credentials included): the same
    // synthesis every run computed afresh. The entry is what the synthesis exported, so a credential
    // in plain text fails a warm run as it fails the cold one. Measured warm, this file alone,
    // alternating: 4.4 and 4.4 -> 3.5 and 3.6 s of CPU.
    const s = await cached("user-secrets", cacheKey("user-secrets", cfg), () =>
      synthesize("secrets", cfg, (rootOpts) => ({
        ...buildStack(loadStackConfig(dir), rootOpts),
      })),
    );
    // The Secrets that carry them exist (so the test looks where they would be).
    const names = s.export.deployment.resources
      .filter((r) => r.type === "kubernetes:core/v1:Secret")
      .map((r) => r.inputs?.metadata?.name);
    for (const r of Object.keys(CREDENTIALS)) assert.ok(names.includes(`alertmanager-receiver-${r}`), r);
    const { renders, raw } = await renderStack(s.export, { secretKeys: s.secretDataKeys });
    const texts = {
      export: JSON.stringify(s.export),
      outputs: JSON.stringify(s.outputs),
      rendered: JSON.stringify(renders.map((r) => r.objects)),
      raw: JSON.stringify(raw),
    };
    for (const [where, text] of Object.entries(texts))
      for (const [name, value] of Object.entries(CREDENTIALS))
        assert.ok(!text.includes(value), `${name}'s credential in plain text in the ${where}`);
  });
});
