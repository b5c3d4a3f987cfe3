/**
 * `npm run verify` against real servers: Debian's prometheus, victoria-metrics and
 * prometheus-alertmanager on loopback. Prometheus scrapes itself, the others and a stand-in
 * loki-canary exporter every second, evaluates the program's own rule groups (the kube-prometheus
 * set with the Watchdog, and the Loki pipeline alerts), remote-writes into VictoriaMetrics and
 * sends to the Alertmanager, which runs the program's Alertmanager config.
 *
 * Loki and Grafana cannot run here: their checks are tested against small servers that answer in
 * the documented shapes (Loki docs/sources/reference/loki-http-api.md "Query logs at a single
 * point in time" vector result; Grafana docs/sources/developers/http_api/data_source.md
 * `/api/datasources`, `/api/datasources/uid/:uid/health`, `/api/ds/query`).
 */
import { verifyJson } from "../support/verifyJson";
import { verifyProject as project } from "../support/verifyProject";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { stringify } from "yaml";
import type { RuleGroup } from "../../builders/alerting/rules";
import { alertmanagerConfig } from "../../builders/alerting/alertmanagerConfig";
import { loadExpectations, runVerify, parseVerifyArgs, VerifyArgsError } from "../../cli/verifyRun";
import { judgeRemoteWrite, metricNames, senderOf, CANARY_LOSS_METRICS } from "../../verify/checks";
import { serviceOf } from "../../verify/reach";
import { promisedJobs } from "../../cli/verifyJobs";
import { expectationsFor } from "../../verify/expect";
import type { Report } from "../../verify/types";
import { config, requireTool, ROOT, tmpDir, verifyCli, withSyntheses } from "../support/helpers";
import {
  freePort,
  startAlertmanager,
  startPrometheus,
  startServer,
  stubHttp,
  until,
  type Server,
} from "../support/servers";

const JOBS = ["prometheus", "victoriametrics", "alertmanager", "loki-canary"];

/** Prometheus' `/api/v1/rules`, what the before hook reads of it. */
type RulesAnswer = { data: { groups: { lastEvaluation: string }[] } };

describe("verify: the running stack's own APIs, per phase (real Prometheus, VictoriaMetrics, Alertmanager)", function () {
  this.timeout(30000);
  let prom: Server, vm: Server, am: Server;
  let vmArgs: string[];
  let vmBin = "";
  let vmalertBin = "";
  let vmalertPort = 0;
  let vmalert: Server | undefined;
  let programGroups: RuleGroup[] = [];
  let dir = "";
  let proj = "";
  let rulesFile = "";
  let lokiNodes = ["node-a", "node-b"];
  let canaryMissing = 0;
  /** While true, the canary answers its scrapes HTTP 500 (a failed scrape: `up` 0). */
  let canaryDown = false;
  /** While true, Prometheus' scrapes of itself (through a proxy) answer HTTP 500. */
  let promSelfDown = false;
  const grafanaState = { defaults: 1, healthy: true, queryError: "" };
  const fakes: { close(): void }[] = [];
  let loki = "",
    grafana = "";
  const seenAuth: string[] = [];

  before(async function () {
    const promBin = requireTool(this, "prometheus", "prometheus");
    vmBin = requireTool(this, "victoria-metrics", "victoria-metrics");
    const amBin = requireTool(this, "prometheus-alertmanager", "prometheus-alertmanager");
    vmalertBin = requireTool(this, "vmalert", "victoria-metrics");
    dir = tmpDir("verify-servers");
    proj = project({
      dw: {},
      bp: { phase: "backend-primary" },
      lf: { phase: "loki-fixed" },
      bare: {
        phase: "dual-write",
        loki: { mode: "SingleBinary", retention: "7d", canary: false },
        nodeLogs: { journal: false },
      },
    });
    const [pp, vp, ap, hp] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    vmalertPort = await freePort();
    // A loki-canary stand-in with the real metric names (pkg/canary/reader/reader.go, comparator.go).
    const canary = await stubHttp((req) =>
      req.url === "/metrics"
        ? canaryDown
          ? { status: 500, text: "down on purpose" }
          : {
              text:
                `loki_canary_entries_total 100\n` +
                CANARY_LOSS_METRICS.map(
                  (m) => `${m} ${m === "loki_canary_missing_entries_total" ? canaryMissing : 0}`,
                ).join("\n") +
                "\n",
            }
        : undefined,
    );
    fakes.push(canary);
    // Prometheus scrapes itself through this, which fails the scrape while promSelfDown.
    const selfScrape = http.createServer((req, res) => {
      if (promSelfDown) {
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end("down on purpose");
        return;
      }
      const on = http.request(
        { host: "127.0.0.1", port: pp, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      on.on("error", () => res.destroy());
      req.pipe(on);
    });
    await new Promise<void>((r) => selfScrape.listen(0, "127.0.0.1", () => r()));
    fakes.push(selfScrape);
    // The program's Alertmanager config; Debian's 0.25 lacks url_file, so the heartbeat URL is given
    // literally: a closed loopback port (nothing leaves the machine).
    const amConfig = JSON.parse(
      JSON.stringify(
        alertmanagerConfig(
          { pushover: false, pushoverPriority: 0, heartbeat: true, heartbeatInterval: "1m" },
          "/s",
        ),
      ).replace(/"url_file":"[^"]*"/g, `"url":"http://127.0.0.1:${hp}/ping"`),
    );
    fs.writeFileSync(path.join(dir, "am.yml"), stringify(amConfig));
    rulesFile = path.join(dir, "rules", "program.yaml");
    fs.mkdirSync(path.dirname(rulesFile));
    // The rule groups the plan of the "dw" stack ships, as Prometheus would select them.
    programGroups = (await loadExpectations(proj, "dw", () => Promise.resolve([]), process.env)).ruleGroups;
    // The Watchdog's group at the global 1 s (the before hook and the alerting tests wait on it);
    // the other groups every 5 s: each is still evaluated (so judged for errors) before the first
    // test, which the before hook waits for below. Measured, this file alone, 2 runs each
    // alternating, CPU incl. children: 8.1/7.7 s -> 7.3/7.2 s, Prometheus' own 1.59/1.50 s ->
    // 1.03/1.08 s (on a machine loaded 15 deep: 2.17/2.31 s -> 1.19/1.13 s).
    fs.writeFileSync(
      rulesFile,
      stringify({
        groups: programGroups.map((g) =>
          g.rules.some((r) => r.alert === "Watchdog") ? g : { ...g, interval: "5s" },
        ),
      }),
    );
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      stringify({
        // prometheus-operator gives every Prometheus this external label (promcfg.go).
        global: {
          scrape_interval: "1s",
          evaluation_interval: "1s",
          external_labels: { prometheus: "monitoring/kps-prometheus" },
        },
        rule_files: [path.join(dir, "rules", "*.yaml")],
        alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${ap}`] }] }] },
        remote_write: [
          {
            url: `http://127.0.0.1:${vp}/api/v1/write`,
            queue_config: { batch_send_deadline: "1s", min_backoff: "100ms", max_backoff: "500ms" },
          },
        ],
        scrape_configs: [
          {
            job_name: "prometheus",
            static_configs: [{ targets: [`127.0.0.1:${(selfScrape.address() as any).port}`] }],
          },
          { job_name: "victoriametrics", static_configs: [{ targets: [`127.0.0.1:${vp}`] }] },
          { job_name: "alertmanager", static_configs: [{ targets: [`127.0.0.1:${ap}`] }] },
          { job_name: "loki-canary", static_configs: [{ targets: [canary.url.replace("http://", "")] }] },
        ],
      }),
    );
    vmArgs = [
      `-storageDataPath=${path.join(dir, "vm")}`,
      `-httpListenAddr=127.0.0.1:${vp}`,
      // Fresh samples are queryable at once (default: the last 30 s are hidden).
      "-search.latencyOffset=0s",
      // As victoria-metrics-k8s-stack sets it with vmalert on: /api/v1/rules goes to vmalert.
      `-vmalert.proxyURL=http://127.0.0.1:${vmalertPort}`,
      "-loggerLevel=ERROR",
    ];
    // All three at once: Prometheus' first targets and Alertmanagers come at least 5 s after its own
    // start, whoever else is up by then (it retries the scrapes and the remote write).
    [vm, am, prom] = await Promise.all([
      startServer(vmBin, vmArgs, vp, "/health"),
      startAlertmanager(amBin, dir, ap),
      startPrometheus(promBin, dir, pp, [
        "--web.enable-lifecycle",
        // Alertmanagers are discovered 5 s after start, and the Watchdog, sent at the first
        // evaluation to none, reaches one at its next re-send. An alert is re-sent at the first
        // evaluation later than the delay after its last send, and each send is valid for
        // 4 x max(delay, evaluation interval) (prometheus v2.42.0 225c61122d88, rules/alerting.go
        // needsSending, sendAlerts): with 1 s evaluations a 2 s delay re-sends every 3 s, each send
        // valid 8 s, so an evaluation may come 5 s late before Alertmanager drops the Watchdog.
        // With 3 s (every 4 s, valid 12 s) the Watchdog came 8-9 s after the start, not 6-7 s:
        // measured, this file alone, the before hook's wait ~9.4 s -> ~7 s (figures in the commit).
        "--rules.alert.resend-delay=2s",
      ]),
    ]);
    // Loki and Grafana in their documented shapes.
    const lokiFake = await stubHttp((req) => {
      const u = new URL(req.url!, "http://x");
      // Loki v3.7.6's build info, bare (pkg/loki/version_handler.go): verify's probe (verify/identify.ts).
      if (u.pathname === "/loki/api/v1/status/buildinfo")
        return { json: { version: "3.7.6", goVersion: "go1.25" } };
      if (u.pathname !== "/loki/api/v1/query") return undefined;
      const byNode = u.searchParams.get("query")!.startsWith("sum by (node)");
      return {
        json: {
          status: "success",
          data: {
            resultType: "vector",
            result: byNode
              ? lokiNodes.map((n) => ({ metric: { node: n }, value: [Date.now() / 1000, "42"] }))
              : [{ metric: {}, value: [Date.now() / 1000, String(lokiNodes.length * 42)] }],
            stats: {},
          },
        },
      };
    });
    // The datasources the plan provisions, as this Grafana stand-in lists them: planned once, not
    // on each request (each verify run sends it about ten; expectationsFor is ~4.5 ms of CPU warm).
    const planned = expectationsFor(
      config({ phase: "dual-write", metricsBackend: "victoriametrics" }),
      [],
    ).datasources;
    const grafanaFake = await stubHttp((req, body) => {
      seenAuth.push(String(req.headers.authorization ?? ""));
      // Grafana's health wants no login (pkg/api/http_server.go): verify's probe (verify/identify.ts).
      if (req.url === "/api/health") return { json: { database: "ok", version: "12.3.0" } };
      if (req.headers.authorization !== `Basic ${Buffer.from("admin:s3cret-pw").toString("base64")}`)
        return { status: 401, json: { message: "Unauthorized" } };
      const u = new URL(req.url!, "http://x");
      if (u.pathname === "/api/datasources")
        return {
          json: planned.map((d, i) => ({
            id: i + 1,
            uid: d.uid,
            name: d.name,
            type: d.type,
            url: d.url,
            isDefault: i < grafanaState.defaults,
          })),
        };
      if (/^\/api\/datasources\/uid\/[^/]+\/health$/.test(u.pathname))
        return grafanaState.healthy
          ? { json: { status: "OK", message: "Successfully queried the Prometheus API." } }
          : {
              status: 400,
              json: { status: "ERROR", message: 'Post "http://x": dial tcp: connection refused' },
            };
      if (u.pathname === "/api/ds/query") {
        const q = JSON.parse(body);
        const results = Object.fromEntries(
          q.queries.map((x: any) => [
            x.refId,
            grafanaState.queryError
              ? { status: 400, error: grafanaState.queryError, frames: [] }
              : { status: 200, frames: [] },
          ]),
        );
        return { status: grafanaState.queryError ? 400 : 200, json: { results } };
      }
      return undefined;
    });
    fakes.push(lokiFake, grafanaFake);
    loki = lokiFake.url;
    grafana = grafanaFake.url;
    // Server set-up, waited for here so that each test's time is its own: Prometheus applies its
    // first targets and Alertmanagers no sooner than 5 s after it starts (prometheus v2.42.0,
    // scrape/manager.go reloader() and discovery/manager.go updatert), and the Watchdog reaches
    // Alertmanager at the next re-send after that (--rules.alert.resend-delay above). The tests
    // still judge every one of these through verify. Polled every 250 ms, not 100: nothing here is
    // ready before 5 s, and each poll is three requests to the servers (~80 polls a run before, ~35
    // now). Measured, this file alone, CPU incl. children, 4 runs each alternating: median 4.22 ->
    // 3.98 s.
    await until(
      async () => {
        const t: any = await (await fetch(`${prom.url}/api/v1/targets`)).json();
        const a: any = await (await fetch(`${prom.url}/api/v1/alertmanagers`)).json();
        const targets: { health: string }[] = t.data?.activeTargets ?? [];
        return (
          targets.length === 4 &&
          targets.every((x) => x.health === "up") &&
          (a.data?.activeAlertmanagers ?? []).length > 0 &&
          // Every program group evaluated once (Prometheus' zero time until then).
          ((await (await fetch(`${prom.url}/api/v1/rules`)).json()) as RulesAnswer).data.groups.every(
            (g) => !g.lastEvaluation.startsWith("0001-"),
          ) &&
          (
            (await (
              await fetch(`${am.url}/api/v2/alerts?filter=alertname%3D%22Watchdog%22`)
            ).json()) as unknown[]
          ).length > 0
        );
      },
      20_000,
      "Prometheus' first targets and Alertmanagers, every group evaluated, the Watchdog at Alertmanager",
      250,
    );
  });

  after(async () => {
    await Promise.all([prom, vm, am, vmalert].map((s) => (s ? s.stop(0) : Promise.resolve())));
    for (const f of fakes) f.close();
  });

  const env = { ...process.env, GRAFANA_ADMIN_USER: "admin", GRAFANA_ADMIN_PASSWORD: "s3cret-pw" };
  /** verify in process: its exit code, the JSON report and everything printed. */
  function verify(stack: string, extra: string[] = [], jobs = JOBS, e: NodeJS.ProcessEnv = env) {
    // At loki-fixed no backend runs: verify refuses a --url for one (no check would read it).
    const backend: Record<string, string> = stack === "lf" ? {} : { victoriametrics: vm.url };
    const urls = { prometheus: prom.url, ...backend, alertmanager: am.url, loki, grafana };
    return verifyJson(proj, stack, urls, { extra, jobs, env: e });
  }
  /** Polls verify until check `id` has `status` (bounded), then returns that run. */
  async function verifyUntil(id: string, status: string, stack = "dw", extra: string[] = [], jobs = JOBS) {
    let last: Awaited<ReturnType<typeof verify>> | undefined;
    await until(
      async () => {
        last = await verify(stack, extra, jobs);
        return last.check(id)?.status === status;
      },
      12_000,
      `${id} ${status}`,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}; last: ${JSON.stringify(last?.check(id))}`);
    });
    return last!;
  }

  it("grafana: two defaults, an unhealthy datasource, a dashboard query error each fail; a wrong login fails without printing it", async () => {
    const cases: [Partial<typeof grafanaState>, RegExp][] = [
      [{ defaults: 2 }, /2 default datasources/],
      [{ healthy: false }, /unhealthy: Post/],
      [{ queryError: "parse error at char 3" }, /dashboard "[^"]+": .*parse error at char 3/],
    ];
    for (const [change, message] of cases) {
      const saved = { ...grafanaState };
      Object.assign(grafanaState, change);
      try {
        const r = await verify("bare");
        assert.equal(r.check("grafana")!.status, "fail", JSON.stringify(change));
        assert.match(r.check("grafana")!.detail, message);
      } finally {
        Object.assign(grafanaState, saved);
      }
    }
    const wrong = await verify("bare", [], JOBS, { ...env, GRAFANA_ADMIN_PASSWORD: "wr0ng-pw" });
    assert.equal(wrong.check("grafana")!.status, "fail");
    assert.match(wrong.check("grafana")!.detail, /HTTP 401/);
    assert.ok(!wrong.out.includes("wr0ng-pw"));
  });

  it("targets: a promised job without an up target fails, naming it", async () => {
    await verifyUntil("targets", "pass");
    const r = await verify("dw", [], [...JOBS, "kube-state-metrics"]);
    assert.equal(r.check("targets")!.status, "fail");
    // Another job whose last scrape failed (up 0 under load) is truly named too, its count with it.
    assert.match(
      r.check("targets")!.detail,
      /\b(1 of 5 promised jobs: |2 of 5 promised jobs: [\w-]+, )kube-state-metrics$/,
    );
    assert.equal(r.code, 1);
  });

  it("rules: without the rule file Prometheus lacks the program's groups (fail); back, it passes", async () => {
    const saved = fs.readFileSync(rulesFile, "utf8");
    fs.rmSync(rulesFile);
    try {
      await fetch(`${prom.url}/-/reload`, { method: "POST" });
      const r = await verifyUntil("rules", "fail");
      assert.match(
        r.check("rules")!.detail,
        /Prometheus lacks 3\d of 3\d rule groups: .*Watchdog|Prometheus lacks \d+ of \d+ rule groups/,
      );
      assert.equal(r.code, 1);
    } finally {
      fs.writeFileSync(rulesFile, saved);
      await fetch(`${prom.url}/-/reload`, { method: "POST" });
    }
    await verifyUntil("rules", "pass");
  });

  /** Waits until Prometheus answers `query` with a series. */
  const promAnswers = (query: string, what: string) =>
    until(
      async () =>
        (await (await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(query)}`)).json()).data
          .result.length > 0,
      10_000,
      what,
    );
  /** verify "dw" (with `args`) while `fail` makes `job`'s scrapes fail, once Prometheus saw one fail. */
  async function verifyWhileFailing(job: string, fail: (on: boolean) => void, args: string[] = []) {
    fail(true);
    try {
      await promAnswers(`up{job="${job}"} == 0`, `a failed scrape of ${job}`);
      return await verify("dw", args);
    } finally {
      fail(false);
    }
  }

  it("history (--gate backend-primary): fails until the backend holds the dashboards' series from 14 days back", async () => {
    // Prometheus has ALERTS once the Watchdog fires (its first evaluations).
    await promAnswers("ALERTS", "ALERTS in Prometheus");
    const r = await verify("dw", ["--gate", "backend-primary"]);
    assert.equal(r.check("history")!.status, "fail");
    assert.match(r.check("history")!.detail, /VictoriaMetrics holds no data from .* \(14d back\)/);
    // Backfill, 14 days minus 30 minutes ago, the dashboards' series this Prometheus has (its own,
    // VictoriaMetrics' and the canary's, up and ALERTS); the others (node-exporter's, Mimir's...)
    // exist nowhere here and are not waited for.
    const names = [
      "up",
      "ALERTS",
      "scrape_samples_scraped",
      "prometheus_remote_storage_samples_pending",
      "loki_canary_missing_entries_total",
      "vm_cache_entries",
      "vm_free_disk_space_bytes",
      "vm_rows_inserted_total",
    ];
    // A failed scrape (as under load) leaves the canary's series stale: still what Prometheus has.
    const failing = await verifyWhileFailing("loki-canary", (on) => (canaryDown = on), [
      "--gate",
      "backend-primary",
    ]);
    const partial = failing.check("history")!.detail;
    // Back up before the next test reads the canary: a scrape that succeeds again.
    await promAnswers(
      'up{job="loki-canary"} == 1 and on () loki_canary_entries_total',
      "the canary scraped again",
    );
    assert.match(
      partial,
      new RegExp(`for ${names.length} of the ${names.length} dashboard series Prometheus has`),
      partial,
    );
    const ts = Date.now() - (14 * 86400 - 1800) * 1000;
    const lines = names.map((n) => `${n}{job="backfill"} 1 ${ts}`).join("\n") + "\n";
    const res = await fetch(`${vm.url}/api/v1/import/prometheus`, { method: "POST", body: lines });
    assert.ok(res.ok, await res.text());
    await fetch(`${vm.url}/internal/force_flush`);
    const ok = await verifyUntil("history", "pass", "dw", ["--gate", "backend-primary"]);
    assert.match(
      ok.check("history")!.detail,
      new RegExp(`all ${names.length} dashboard series Prometheus has`),
    );
  });

  /** vmalert with the program's Watchdog group, notifying the Alertmanager, writing ALERTS to VictoriaMetrics. */
  async function startVmalert() {
    if (vmalert) return;
    const file = path.join(dir, "vmalert.yaml");
    const general = programGroups.filter((g) => g.rules.some((r) => r.alert === "Watchdog"));
    fs.writeFileSync(file, stringify({ groups: general }));
    vmalert = await startServer(
      vmalertBin,
      [
        `-rule=${file}`,
        `-datasource.url=${vm.url}`,
        `-notifier.url=${am.url}`,
        `-remoteWrite.url=${vm.url}`,
        "-evaluationInterval=1s",
        `-httpListenAddr=127.0.0.1:${vmalertPort}`,
        // Its start-up lines kept (INFO, the default): startServer prints them if it does not answer.
      ],
      vmalertPort,
      "/health",
    );
  }

  it("a working dual-write stack passes every check (history skipped without --gate), exit 0, the documented JSON", async () => {
    const r = await verifyUntil("alerting", "pass");
    // Every check at once: remote-write needs two self-scrapes of the queue counters.
    const ok = r.report!.checks.every((c) => c.status !== "fail")
      ? r
      : await verifyUntil("remote-write", "pass");
    assert.deepEqual(Object.keys(ok.report!), ["stack", "phase", "checks"]);
    assert.equal(ok.report!.stack, "dw");
    assert.equal(ok.report!.phase, "dual-write");
    assert.deepEqual(
      ok.report!.checks.map((c) => [c.id, c.status]),
      [
        ["targets", "pass"],
        ["remote-write", "pass"],
        ["rules", "pass"],
        ["alerting", "pass"],
        ["logs", "pass"],
        ["grafana", "pass"],
        ["history", "skip"],
        ["loki-ring", "skip"],
        ["backend-agrees", "skip"],
      ],
      JSON.stringify(ok.report, null, 1),
    );
    for (const c of ok.report!.checks) assert.deepEqual(Object.keys(c), ["id", "status", "detail"]);
    assert.equal(ok.code, 0);
    assert.match(ok.check("rules")!.detail, /Prometheus: 3\d groups/);
    // The Grafana password never shows.
    assert.ok(!ok.out.includes("s3cret-pw") && !ok.err.includes("s3cret-pw"));
  });

  it("alerting: a silenced Watchdog (nothing reaches the heartbeat) fails", async () => {
    const now = new Date();
    const silence = await (
      await fetch(`${am.url}/api/v2/silences`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          matchers: [{ name: "alertname", value: "Watchdog", isRegex: false }],
          startsAt: now.toISOString(),
          endsAt: new Date(now.getTime() + 600_000).toISOString(),
          createdBy: "test",
          comment: "verify test",
        }),
      })
    ).json();
    try {
      const r = await verify("dw");
      assert.equal(r.check("alerting")!.status, "fail");
      assert.match(r.check("alerting")!.detail, /no Watchdog is firing there/);
      assert.equal(r.code, 1);
    } finally {
      await fetch(`${am.url}/api/v2/silence/${silence.silenceID}`, { method: "DELETE" });
    }
  });

  it("logs: a node that sends nothing fails; a failed scrape of the canary does not; the canary losing entries fails", async () => {
    lokiNodes = ["node-a"];
    try {
      const r = await verify("dw");
      assert.equal(r.check("logs")!.status, "fail");
      assert.match(r.check("logs")!.detail, /lines from 1 of 2 nodes/);
    } finally {
      lokiNodes = ["node-a", "node-b"];
    }
    // A failed canary scrape (as under load): its series stale until the next, yet it was scraped.
    const down = await verifyWhileFailing("loki-canary", (on) => (canaryDown = on));
    assert.equal(down.check("logs")!.status, "pass", down.check("logs")!.detail);
    assert.match(down.check("logs")!.detail, /canary lost nothing in 15m/);
    // (Last of the checks on the dual-write stack: the counter's increase stays for 15 minutes.)
    canaryMissing = 7;
    const r = await verifyUntil("logs", "fail");
    assert.match(r.check("logs")!.detail, /loki_canary_missing_entries_total rose by/);
    // Without node logs the lines are counted per cluster; without the canary its metrics are not asked.
    const bare = await verify("bare");
    assert.equal(bare.check("logs")!.status, "pass", bare.check("logs")!.detail);
  });

  it("history (--gate kps-removed): the backend's evaluator must have written the Watchdog for the window and send the heartbeat", async () => {
    const r = await verify("bp", ["--gate", "kps-removed"]);
    assert.equal(r.check("history")!.status, "fail");
    assert.match(r.check("history")!.detail, /no Watchdog evaluated by vmalert/);
    assert.match(r.check("history")!.detail, /comes from prometheus, not vmalert/);
    // vmalert's ALERTS series (no `prometheus` label) 14 days back, and vmalert itself sending the Watchdog.
    const ts = Date.now() - (14 * 86400 - 1800) * 1000;
    await fetch(`${vm.url}/api/v1/import/prometheus`, {
      method: "POST",
      body: `ALERTS{alertname="Watchdog",alertstate="firing",alertgroup="general.rules"} 1 ${ts}\n`,
    });
    await fetch(`${vm.url}/internal/force_flush`);
    await startVmalert();
    const ok = await verifyUntil("history", "pass", "bp", ["--gate", "kps-removed"]);
    assert.match(ok.check("history")!.detail, /vmalert evaluated the alerts since/);
  });

  it("history (--gate dual-write): nothing to hold when the next phase keeps the default datasource and Prometheus", async () => {
    const r = await verify("lf", ["--gate", "dual-write"]);
    assert.equal(r.check("history")!.status, "skip");
    assert.match(r.check("history")!.detail, /dual-write keeps the default datasource and Prometheus/);
    // loki-fixed: no remote write to judge.
    assert.equal(r.check("remote-write")!.status, "skip");
  });

  it("backend-primary (VictoriaMetrics): vmalert's rules through vmsingle; Prometheus still evaluating is a second engine (fail); its Watchdog too", async () => {
    await startVmalert();
    const r = await verifyUntil("alerting", "fail", "bp");
    assert.equal(r.check("rules")!.status, "fail");
    assert.match(r.check("rules")!.detail, /vmalert \(through vmsingle\) lacks \d+ of 3\d rule groups/);
    assert.match(r.check("rules")!.detail, /Prometheus also evaluates 3\d of the program's groups/);
    const alerting = await verifyUntil("alerting", "fail", "bp");
    assert.match(
      alerting.check("alerting")!.detail,
      /a Watchdog also comes from prometheus|comes from prometheus, not from vmalert/,
    );
  });

  it("reaches Services through kubectl port-forward and reads Grafana's admin Secret; every forward is stopped", async () => {
    const pids = path.join(dir, "kubectl.pids");
    const fakeKubectl = path.join(dir, "kubectl");
    const secret = JSON.stringify({
      data: {
        "admin-user": Buffer.from("admin").toString("base64"),
        "admin-password": Buffer.from("s3cret-pw").toString("base64"),
      },
    });
    // Forwards "svc/kps-prometheus" to the real Prometheus, "svc/grafana" to the Grafana stand-in.
    const calls = path.join(dir, "kubectl.calls");
    const kubeconfig = path.join(dir, "kubeconfig");
    fs.writeFileSync(
      kubeconfig,
      stringify({ contexts: [{ name: "admin@bare" }], "current-context": "admin@bare" }),
    );
    fs.writeFileSync(
      fakeKubectl,
      `#!/bin/sh
echo "$*" >> ${calls}
case "$*" in
  *"get namespace monitoring"*) echo namespace/monitoring; exit 0;;
  *"get secret grafana-admin"*) echo '${secret}'; exit 0;;
  *svc/kps-prometheus*) echo "Forwarding from 127.0.0.1:${new URL(prom.url).port} -> 9090";;
  *svc/grafana*) echo "Forwarding from 127.0.0.1:${new URL(grafana).port} -> 80";;
  *) echo "error: services not found" >&2; exit 1;;
esac
echo $$ >> ${pids}
exec sleep 30
`,
      { mode: 0o755 },
    );
    let out = "";
    const code = await runVerify(
      [
        "--dir",
        proj,
        "--stack",
        "bare",
        "--json",
        "--url",
        `victoriametrics=${vm.url}`,
        "--url",
        `alertmanager=${am.url}`,
        "--url",
        `loki=${loki}`,
      ],
      {
        // victoriametrics was just restarted: its target may still be down.
        jobs: () => Promise.resolve(["prometheus", "alertmanager"]),
        env: { ...process.env, HOMELAB_KUBECTL: fakeKubectl, KUBECONFIG: kubeconfig },
        out: (t) => (out += t),
        err: () => {},
      },
    );
    // Every kubectl call names the stack's pinned context (the selection could change meanwhile).
    const lines = fs.readFileSync(calls, "utf8").trim().split("\n");
    assert.equal(lines.length, 4, lines.join("\n")); // the reachability question, two forwards, the Secret
    for (const l of lines) assert.match(l, /^--context admin@bare /);
    const report: Report = JSON.parse(out);
    const status = (id: string) => report.checks.find((c) => c.id === id)!;
    assert.equal(status("targets").status, "pass", status("targets").detail);
    assert.equal(status("grafana").status, "pass", status("grafana").detail);
    assert.ok(code === 0 || code === 1);
    const started = fs.readFileSync(pids, "utf8").trim().split("\n").map(Number);
    assert.equal(started.length, 2);
    await until(() => Promise.resolve(started.every((pid) => !alive(pid))), 3000, "the forwards to stop");
    assert.ok(!out.includes("s3cret-pw"));
  });

  it("remote-write: a failed scrape of Prometheus itself does not fail it", async () => {
    await verifyUntil("remote-write", "pass");
    // Its queue gauges go stale until the next scrape: an instant selector found no queue.
    const down = await verifyWhileFailing("prometheus", (on) => (promSelfDown = on));
    assert.equal(down.check("remote-write")!.status, "pass", down.check("remote-write")!.detail);
    await promAnswers(
      'up{job="prometheus"} == 1 and on () prometheus_remote_storage_queue_highest_sent_timestamp_seconds',
      "Prometheus scraped again",
    );
  });

  it("remote-write: with the backend stopped it fails and verify exits 1", async () => {
    await vm.stop();
    try {
      const r = await verify("dw");
      assert.equal(r.check("remote-write")!.status, "fail");
      assert.match(r.check("remote-write")!.detail, /unreachable/);
      assert.equal(r.code, 1);
    } finally {
      vm = await startServer(vmBin, vmArgs, Number(new URL(vm.url).port), "/health");
    }
  });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("verify: arguments, shapes and judgments without servers", () => {
  it("bad arguments exit 2 with the usage and no stack trace", async () => {
    // The stack's context selected: the run judges it beside the arguments, and a refusal of it
    // would show its key's place in the stack file (an indented `at <file>:<line>`).
    const kubeconfig = path.join(tmpDir("verify-bad-args-kube"), "config");
    fs.writeFileSync(
      kubeconfig,
      stringify({
        contexts: [{ name: "admin@staging", context: { cluster: "c", user: "u" } }],
        "current-context": "admin@staging",
      }),
    );
    for (const argv of [
      [],
      ["--stack"],
      ["--stack", "staging", "--url", "nope=http://x"],
      ["--stack", "staging", "--url", "loki=ftp://x"],
      ["--stack", "staging", "--gate", "later"],
      ["--stack", "staging", "--frobnicate"],
      ["--stack", "staging", "--window", "30s", "--step", "1m"],
    ]) {
      let err = "";
      const code = await runVerify(argv, {
        jobs: () => Promise.resolve([]),
        env: { ...process.env, KUBECONFIG: kubeconfig },
        err: (t) => (err += t),
        out: () => {},
      });
      assert.equal(code, 2, argv.join(" "));
      assert.match(err, /usage: npm run verify/);
      assert.doesNotMatch(err, /\n\s+at /);
    }
    assert.throws(
      () =>
        parseVerifyArgs(
          ["--stack", "s", "--url", "grafana=http://admin:hunter2@g"]
            .slice(0, 2)
            .concat(["--url", "x=http://admin:hunter2@g"]),
        ),
      (e: Error) => e instanceof VerifyArgsError && !e.message.includes("hunter2"),
    );
  });

  describe("the stack's pinned kube context (config/kubeContext.ts, as pulumi preview and up judge it)", () => {
    const proj = project({ ctx: {} });
    /** A fake kubectl recording its calls; `answer` is its reply to `get namespace`. */
    function cluster(answer: "ok" | "unreachable") {
      const d = tmpDir("verify-context");
      const calls = path.join(d, "calls");
      const bin = path.join(d, "kubectl");
      fs.writeFileSync(
        bin,
        `#!/bin/sh\necho "$*" >> ${calls}\n` +
          (answer === "ok"
            ? "echo namespace/monitoring\n"
            : "echo 'E1123 memcache.go:265] couldn'\\''t get current server API group list' >&2\necho 'Unable to connect to the server: dial tcp 192.0.2.1:6443: connect: connection refused' >&2\nexit 1\n"),
        { mode: 0o755 },
      );
      const kubeconfig = (current: string) => {
        const f = path.join(d, `kubeconfig-${current}`);
        fs.writeFileSync(
          f,
          stringify({
            contexts: [{ name: "admin@ctx" }, { name: "admin@staging" }],
            "current-context": current,
          }),
        );
        return f;
      };
      const called = () => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : []);
      return { bin, kubeconfig, called };
    }
    async function run(env: NodeJS.ProcessEnv, extra: string[] = []) {
      let err = "";
      let rendered = false;
      const code = await runVerify(["--dir", proj, "--stack", "ctx", ...extra], {
        jobs: () => {
          rendered = true;
          return Promise.resolve([]);
        },
        env: { ...process.env, GRAFANA_ADMIN_USER: "", GRAFANA_ADMIN_PASSWORD: "", ...env },
        err: (t) => (err += t),
        out: () => {},
      });
      return { code, err, rendered };
    }

    it("refuses another selected context before touching anything, naming both (exit 2)", async () => {
      const k = cluster("ok");
      const r = await run({ HOMELAB_KUBECTL: k.bin, KUBECONFIG: k.kubeconfig("admin@staging") });
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /pinned to context "admin@ctx" but the selected context is "admin@staging"/);
      assert.deepEqual(k.called(), []);
      assert.equal(r.rendered, false, "refused before the render");
    });

    it("refuses a kubeconfig without the pinned context (exit 2)", async () => {
      const k = cluster("ok");
      const f = path.join(tmpDir("verify-context"), "kubeconfig");
      fs.writeFileSync(
        f,
        stringify({ contexts: [{ name: "admin@staging" }], "current-context": "admin@staging" }),
      );
      const r = await run({ HOMELAB_KUBECTL: k.bin, KUBECONFIG: f });
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /pinned to context "admin@ctx", which the kubeconfig .* does not have/);
      assert.deepEqual(k.called(), []);
    });

    it("an unreachable cluster is one error, asked once, before any forward (exit 2)", async () => {
      const k = cluster("unreachable");
      const r = await run({ HOMELAB_KUBECTL: k.bin, KUBECONFIG: k.kubeconfig("admin@ctx") });
      assert.equal(r.code, 2, r.err);
      assert.equal(r.err.trim().split("\n").length, 1, r.err);
      assert.match(
        r.err,
        /cannot reach the cluster of context "admin@ctx" \(kubectl get namespace monitoring\): Unable to connect to the server/,
      );
      assert.deepEqual(k.called(), ["--context admin@ctx get namespace monitoring -o name"]);
      assert.equal(r.rendered, false, "judged before the render");
    });

    it("a bad --gate exits 2 before any render or kubectl call", async () => {
      const k = cluster("ok");
      const r = await run({ HOMELAB_KUBECTL: k.bin, KUBECONFIG: k.kubeconfig("admin@ctx") }, [
        "--gate",
        "loki-fixed",
      ]);
      assert.equal(r.code, 2);
      assert.match(r.err, /--gate loki-fixed: phase \(\S+:\d+\) is dual-write/);
      assert.equal(r.rendered, false);
      assert.deepEqual(k.called(), []);
    });
  });

  it("--gate must name the next phase of the stack's own phase (exit 2)", async () => {
    let err = "";
    // staging runs at kps-removed: there is no next phase.
    const code = await runVerify(["--stack", "staging", "--gate", "backend-primary"], {
      jobs: () => Promise.resolve([]),
      err: (t) => (err += t),
      out: () => {},
    });
    assert.equal(code, 2);
    assert.match(
      err,
      /--gate backend-primary: phase \(\S*Pulumi\.staging\.yaml:\d+\) is kps-removed and backend-primary is behind it: .*the gate asks about the next phase and there is none/,
    );
  });

  it("the npm script: a stack file that does not exist exits 2 with one line", async () => {
    // Its main in this process: the process wrapper handing on its status and stderr is
    // test/cli/cliSmoke.test.ts's spawned verify run.
    const r = await verifyCli("--stack", "nope");
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stdout,
      // As synth closes it: the stack has no file, which is no configuration refused.
      "verify --stack nope: FAIL (exit 2): no stack file Pulumi.nope.yaml (above)\n",
    );
    assert.match(r.stderr, /no stack file .*Pulumi\.nope\.yaml/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it("remote-write judgment: failed or retried samples, a lagging queue, no queue, counts apart each fail", () => {
    const q = { queue: "vm", failed: 0, retried: 0, lagSeconds: 2 };
    assert.equal(judgeRemoteWrite([q], 100, 98, "B").status, "pass");
    assert.match(judgeRemoteWrite([{ ...q, failed: 3 }], 100, 100, "B").detail, /3 samples failed/);
    assert.match(judgeRemoteWrite([{ ...q, retried: 5 }], 100, 100, "B").detail, /5 samples retried/);
    assert.match(judgeRemoteWrite([{ ...q, lagSeconds: 600 }], 100, 100, "B").detail, /600 s behind/);
    assert.match(judgeRemoteWrite([], 100, 100, "B").detail, /no remote-write queue/);
    assert.match(judgeRemoteWrite([q], 100, 50, "B").detail, /count\(up\): Prometheus 100, B 50/);
    assert.equal(judgeRemoteWrite([q], 100, 50, "B").status, "fail");
  });

  it("who sent an alert: vmalert by its generator URL, Prometheus by the operator's external label, else Mimir's ruler", () => {
    assert.equal(
      senderOf({ generatorURL: "http://vmalert-vm.monitoring.svc:8080/vmalert/alert?group_id=1&alert_id=2" }),
      "vmalert",
    );
    assert.equal(senderOf({ generatorURL: "http://vmalert:8880/api/v1/123/456/status" }), "vmalert");
    assert.equal(
      senderOf({
        labels: { prometheus: "monitoring/kps-prometheus" },
        generatorURL: "http://kps-prometheus.monitoring:9090/graph?g0.expr=vector%281%29",
      }),
      "prometheus",
    );
    assert.equal(
      senderOf({ labels: { alertname: "Watchdog" }, generatorURL: "/graph?g0.expr=vector%281%29" }),
      "mimir-ruler",
    );
  });

  it("metric names of PromQL: selectors and bare names, not functions, keywords or labels", () => {
    assert.deepEqual(
      metricNames(
        'sum by (job) (rate(loki_request_duration_seconds_count{status_code=~"5.."}[5m])) / ignoring(x) up{job="a"} > bool 0',
      ),
      ["loki_request_duration_seconds_count", "up"],
    );
    assert.deepEqual(metricNames("1 - node_filesystem_avail_bytes / node_filesystem_size_bytes"), [
      "node_filesystem_avail_bytes",
      "node_filesystem_size_bytes",
    ]);
  });

  it("the promised jobs are the rendered stack's scrape jobs (production, dual-write with Mimir)", async function () {
    this.timeout(60000);
    // Its synthesis through the fixture cache, as verifyCli's (test/support/helpers.ts
    // withSyntheses): production was synthesized afresh every run; the render and the jobs are
    // still made here. Measured warm, this file alone, medians of 3 alternated runs: 7.53 -> 7.22 s
    // of CPU (this test alone: about 0.93 -> 0.27 s).
    const jobs = await withSyntheses(() => promisedJobs(ROOT, "production"));
    for (const j of [
      "kps-prometheus",
      "kps-alertmanager",
      "mimir",
      "node-exporter",
      "kube-state-metrics",
      "apiserver",
      "kubelet",
      "grafana",
    ])
      assert.ok(jobs.includes(j), `${j} missing from ${[...new Set(jobs)].join(", ")}`);
    assert.ok(!jobs.some((j) => j.startsWith("<unresolved")));
  });

  it("reaches what the plan names: Service, namespace and port of each component, by phase", () => {
    const at = (phase: string, metricsBackend = "mimir") =>
      expectationsFor(config({ phase, metricsBackend }), []).serviceUrls;
    assert.deepEqual(serviceOf(at("loki-fixed").alertmanager), {
      service: "kps-alertmanager",
      namespace: "monitoring",
      port: 9093,
      path: "",
    });
    assert.equal(serviceOf(at("backend-primary").alertmanager).service, "alertmanager");
    assert.equal(
      serviceOf(at("backend-primary", "victoriametrics").alertmanager).service,
      "vmalertmanager-vm",
    );
    assert.deepEqual(serviceOf(at("dual-write").grafana), {
      service: "grafana",
      namespace: "monitoring",
      port: 80,
      path: "",
    });
    assert.deepEqual(serviceOf(at("dual-write").mimir), {
      service: "mimir",
      namespace: "monitoring",
      port: 8080,
      path: "",
    });
    assert.equal(serviceOf(at("dual-write").prometheus).service, "kps-prometheus");
  });

  it("reaches Mimir's query API on the read target and its ruler on the backend target in read-write mode", () => {
    const svc = (cfg: ReturnType<typeof config>) => {
      const u = expectationsFor(cfg, []).serviceUrls;
      return [serviceOf(u.mimir).service, serviceOf(u["mimir-ruler"]).service];
    };
    assert.deepEqual(svc(config({ phase: "kps-removed" })), ["mimir", "mimir"]);
    const rw = config({
      phase: "kps-removed",
      nodePools: [{ name: "workers", arch: "amd64", count: 6, cpu: "8", memory: "16Gi" }],
      workload: { activeSeries: 2_000_000 },
    });
    assert.deepEqual(svc(rw), ["mimir-read", "mimir-backend"]);
  });

  it("reaches VictoriaMetrics' vmselect, under tenant 0's path, when the workload needs a VMCluster", () => {
    const cfg = config({
      phase: "kps-removed",
      metricsBackend: "victoriametrics",
      nodePools: [{ name: "small", arch: "amd64", count: 6, cpu: "4", memory: "3Gi" }],
      workload: { activeSeries: 2_000_000 },
    });
    assert.deepEqual(serviceOf(expectationsFor(cfg, []).serviceUrls.victoriametrics), {
      service: "vmselect-vm",
      namespace: "monitoring",
      port: 8481,
      path: "/select/0/prometheus",
    });
  });
});
