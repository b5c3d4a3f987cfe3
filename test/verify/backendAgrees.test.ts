/**
 * backend-agrees against real servers: Debian's prometheus remote-writes into Debian's
 * victoria-metrics on loopback (a real dual write), both scraping every second. The backend's
 * data is shaped the two ways a migration gets it wrong: on the write path (Prometheus'
 * `write_relabel_configs` renames a label; three probe series are not remote-written at all), through
 * VictoriaMetrics' import API (`/api/v1/import/prometheus`: an extra series), and by the tests' own
 * remote writes (copies of Prometheus' own raw samples and staleness markers, whole, with a hole or
 * with changed values).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { stringify } from "yaml";
import { runVerify } from "../../cli/verifyRun";
import { checkBackendAgrees, type AgreeOptions } from "../../verify/agreeCheck";
import type { VerifyContext } from "../../verify/checks";
import { expectationsFor } from "../../verify/expect";
import { ApiError } from "../../verify/http";
import { capabilities } from "../../model/phases";
import type { Component, Report } from "../../verify/types";
import { config, requireTool, ROOT, tmpDir } from "../support/helpers";
import { remoteWrite } from "../support/remoteWrite";
import { freePort, startPrometheus, startServer, until, type Server } from "../support/servers";

describe("backend-agrees: Prometheus remote-writing into VictoriaMetrics (real servers)", function () {
  this.timeout(40000);
  let prom: Server, vm: Server;
  let probe: http.Server;
  let probeTarget = "";
  let scrapes = 0;
  /** The probe's requests so far; the FAILING_REQUEST-th answers HTTP 500 (a failed scrape: `up` 0). */
  let requests = 0;
  /** When the probe answered that request (unix seconds; 0 until then). */
  let failedAnsweredAt = 0;
  /** The failed scrape's time in Prometheus (unix seconds; 0 until afterFailure found it). */
  let failedAt = 0;
  let proj = "";
  const closers: (() => void)[] = [];
  /** The comparisons' skip of recent samples (seconds). */
  const SKIP_RECENT = 4;
  /**
   * The probe's one failed scrape, ~5 s into the dual write (it is scraped every second): the
   * faithful copy and the young dual write both compare across it, each as of a time after it
   * (afterFailure), so neither waits for a failure of its own (the faithful copy waited ~7 s).
   */
  const FAILING_REQUEST = 6;

  before(async function () {
    const promBin = requireTool(this, "prometheus", "prometheus");
    const vmBin = requireTool(this, "victoria-metrics", "victoria-metrics");
    const dir = tmpDir("agree-servers");
    const [pp, vp, probePort] = await Promise.all([freePort(), freePort(), freePort()]);
    // The probe: a gauge per case and a counter for the hole.
    probe = http.createServer((req, res) => {
      if (++requests === FAILING_REQUEST) {
        failedAnsweredAt = Date.now() / 1000;
        res.writeHead(500, { "Content-Type": "text/plain" });
        res.end("failing on purpose");
        return;
      }
      scrapes++;
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end(
        `probe_extra 1\nprobe_changed ${40 + (scrapes % 5)}\nprobe_gap_total ${scrapes}\nprobe_copy_total ${scrapes}\nprobe_renamed 7\n`,
      );
    });
    await new Promise<void>((r) => probe.listen(probePort, "127.0.0.1", () => r()));
    closers.push(() => probe.close());
    probeTarget = `127.0.0.1:${probePort}`;
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      stringify({
        global: { scrape_interval: "1s", evaluation_interval: "1s" },
        remote_write: [
          {
            url: `http://127.0.0.1:${vp}/api/v1/write`,
            queue_config: { batch_send_deadline: "1s", min_backoff: "100ms", max_backoff: "500ms" },
            write_relabel_configs: [
              // The label renamed on the write path: job becomes service (an empty label is removed).
              {
                source_labels: ["__name__", "job"],
                regex: "probe_renamed;(.+)",
                target_label: "service",
                replacement: "$1",
              },
              { source_labels: ["__name__"], regex: "probe_renamed", target_label: "job", replacement: "" },
              // Not written at all: the tests import their own copies.
              {
                source_labels: ["__name__"],
                regex: "probe_gap_total|probe_copy_total|probe_changed",
                action: "drop",
              },
            ],
          },
        ],
        scrape_configs: [
          { job_name: "prometheus", static_configs: [{ targets: [`127.0.0.1:${pp}`] }] },
          { job_name: "victoriametrics", static_configs: [{ targets: [`127.0.0.1:${vp}`] }] },
          { job_name: "probe", static_configs: [{ targets: [probeTarget] }] },
        ],
      }),
    );
    [vm, prom] = await Promise.all([
      startServer(
        vmBin,
        [
          `-storageDataPath=${path.join(dir, "vm")}`,
          `-httpListenAddr=127.0.0.1:${vp}`,
          // Fresh samples are queryable at once (default: the last 30 s are hidden).
          "-search.latencyOffset=0s",
          "-loggerLevel=ERROR",
        ],
        vp,
        "/health",
      ),
      startPrometheus(promBin, dir, pp),
    ]);
    proj = tmpDir("agree-project");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(proj, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(proj, "Pulumi.dw.yaml"),
      stringify({
        config: Object.fromEntries(
          Object.entries({
            phase: "dual-write",
            kubeContext: "admin@dw",
            metricsBackend: "victoriametrics",
            objectStore: { type: "filesystem" },
            secrets: { backend: "config" },
            nodePools: [{ name: "workers", arch: "amd64", count: 2, cpu: "4", memory: "16Gi" }],
            storageClasses: { default: "local-path" },
            loki: { mode: "SingleBinary", retention: "7d", canary: false },
            alerting: { pushover: false, heartbeat: true },
          }).map(([k, v]) => [`homelab-observability:${k}`, v]),
        ),
      }),
    );
    // Prometheus scrapes first no sooner than 5 s after its start; then 6 s of dual write, what
    // every test but the window's needs (that one waits for its own 11 s, and the two across the
    // probe's failed scrape for theirs, afterFailure, by when the tests before have mostly spent
    // them). Measured, this file alone, 2 runs each alternating: 17/18 s -> 16/15 s of mocha's
    // wall, CPU the same (5.0 s).
    await dualWriteFor(6);
  });

  /**
   * Waits until VictoriaMetrics holds `seconds` of Prometheus' samples (the dual write's age, from
   * its first sample). Polled every 500 ms until the first sample is in, then asked again when
   * its time is up: polled every 100 ms, the 14 s wait was ~140 range queries, now ~20. Measured,
   * this file alone, CPU incl. children, 6 runs each alternating: median 2.44 -> 2.23 s.
   */
  async function dualWriteFor(seconds: number): Promise<void> {
    const sampleTimes = async (now: number): Promise<number[]> => {
      const r: any = await (
        await fetch(
          `${vm.url}/api/v1/query_range?query=count(up)&start=${Math.floor(now - 60)}&end=${Math.floor(now)}&step=1`,
        )
      ).json();
      return (r.data?.result?.[0]?.values ?? []).map((v: [number]) => v[0]);
    };
    const waitMs = 30_000;
    const deadline = Date.now() + waitMs;
    await until(
      async () => {
        for (;;) {
          const now = Date.now() / 1000;
          const ts = await sampleTimes(now);
          if (ts.length === 0) return false;
          const left = seconds - (now - Math.min(...ts));
          if (left < 0) return true;
          // Past the deadline: until's own message says what was waited for.
          if (now * 1000 + left * 1000 > deadline) return false;
          await new Promise((done) => setTimeout(done, left * 1000 + 50));
        }
      },
      waitMs,
      `${seconds} s of Prometheus' samples in VictoriaMetrics`,
      500,
    );
  }

  after(async () => {
    await Promise.all([prom, vm].map((s) => (s ? s.stop(0) : Promise.resolve())));
    for (const c of closers) c();
  });

  /**
   * The check in process on these queries (as panel targets), VictoriaMetrics at `backendUrl`, as
   * of `now` (unix seconds; a copy's time, see copyToBackend).
   */
  async function agree(
    queries: string[],
    backendUrl = vm.url,
    bounds: Partial<AgreeOptions> = {},
    now = () => Date.now() / 1000,
  ) {
    const exp = {
      ...expectationsFor(config({ phase: "dual-write", metricsBackend: "victoriametrics" }), []),
      panelTargets: queries.map((q) => ({
        dashboard: "probe",
        panel: q,
        refId: "A",
        expr: q,
        variables: [],
        rangeSeconds: 3600,
      })),
      ruleGroups: [],
    };
    const urls: Partial<Record<Component, string>> = { prometheus: prom.url, victoriametrics: backendUrl };
    const ctx: VerifyContext = {
      exp,
      base: async (c) => urls[c] ?? Promise.reject(new ApiError(`${c}: not in this test`)),
      grafanaLogin: () => Promise.reject(new ApiError("no Grafana here")),
      gate: "backend-primary",
      next: capabilities("backend-primary", "victoriametrics"),
      now,
      agree: { windowSeconds: 20, stepSeconds: 1, skipRecentSeconds: SKIP_RECENT, ...bounds },
    };
    const r = await checkBackendAgrees(ctx);
    const q = (expr: string) => r.queries?.find((x) => x.query === expr);
    return { ...r, q };
  }

  /**
   * The probe's failed scrape (FAILING_REQUEST): its time, Prometheus' `up` 0 (unix seconds), once
   * Prometheus holds it, and `at`, `after` seconds later, once that time has come: the time of a
   * copy (copyToBackend) and of its comparison, set by the failure, not by when a test gets
   * there. The 0 is the latest at or before the probe's answer (a scrape that timed out under
   * load, the probe answering late, writes one too, at its start: up to 10 s back is looked at).
   * Each test made a scrape fail before and waited ~7 s for it; in the file the young dual
   * write's found the faithful copy's older 0 at once instead (the earliest in 30 s), compared
   * around that one, and the scrape it made fail came after its copy.
   */
  async function afterFailure(after: number): Promise<{ failedAt: number; at: number }> {
    await until(
      async () => {
        if (failedAt > 0) return true;
        if (failedAnsweredAt === 0) return false;
        const r: any = await (
          await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('up{job="probe"}[1m]')}`)
        ).json();
        const zeros = (r.data.result[0].values as [number, string][]).filter(
          ([t, v]) => v === "0" && t <= failedAnsweredAt && t > failedAnsweredAt - 10,
        );
        failedAt = zeros.length ? zeros[zeros.length - 1][0] : 0;
        return failedAt > 0;
      },
      30_000,
      "the probe's failed scrape in Prometheus",
      500,
    );
    const at = failedAt + after;
    await new Promise((done) => setTimeout(done, Math.max(0, at * 1000 - Date.now())));
    return { failedAt, at };
  }

  /**
   * Prometheus' raw samples of `metric` as of `at` (now unless given), with the staleness markers
   * it wrote for them, written into VictoriaMetrics through `edit`, which may drop a sample (return
   * undefined) or change its value (`t` the sample's time, `at` the copy's, in unix seconds).
   * Returns the copy's time: the `now` of its comparison, whose window then ends SKIP_RECENT
   * before it, whenever the check runs (a comparison that ran later would meet Prometheus'
   * samples after the copy). The copy reaches 5 m back, Prometheus' default lookback (prometheus
   * v2.42.0 cmd/prometheus/main.go:396-397): every sample a query at the window's first step can
   * read, however late a scrape came.
   *
   * The markers: a failed scrape (under load, ~30 load average on 2 cores, one of the probe's
   * scrapes at a 1 s interval timed out) makes Prometheus write one for each of the target's
   * series at the scrape's time, the time of its `up` 0 (scrape/scrape.go:1316, 1360-1362,
   * 1706-1708), and a query has no value for them from then until the next scrape
   * (promql/engine.go:1791); but a range selector leaves markers out (engine.go:1909), so a copy
   * of `metric[d]` alone kept the last value where Prometheus had none, and "a faithful copy"
   * failed: "1 sample(s) missing on Prometheus". They are put back where `up` went from 1 to 0
   * (forEachStale marks only the series of the scrape before), by a remote write, the one way
   * VictoriaMetrics takes them (../support/remoteWrite.ts).
   */
  async function copyToBackend(
    metric: string,
    edit: (v: number, t: number, at: number) => number | undefined,
    into = vm.url,
    at = Date.now() / 1000,
  ): Promise<number> {
    const raw = async (
      selector: string,
    ): Promise<{ metric: Record<string, string>; values: [number, string][] }> => {
      const r: any = await (
        await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent(`${selector}[5m]`)}&time=${at}`)
      ).json();
      return r.data.result[0];
    };
    const [series, up] = await Promise.all([raw(metric), raw(`up{job="probe"}`)]);
    // None for `up` itself: a failed scrape writes its 0 (the time the markers are found by).
    const isUp = series.metric.__name__ === "up";
    const markers = isUp ? [] : up.values.filter(([, v], i) => v === "0" && up.values[i - 1]?.[1] === "1");
    const samples = [
      ...series.values.flatMap(([t, v]) => {
        const out = edit(Number(v), t, at);
        return out === undefined ? [] : [{ ms: Math.round(t * 1000), value: out }];
      }),
      ...markers.map(([t]) => ({ ms: Math.round(t * 1000), value: "stale" as const })),
    ];
    await remoteWrite(`${into}/api/v1/write`, [{ labels: series.metric, samples }]);
    await fetch(`${into}/internal/force_flush`);
    return at;
  }

  /**
   * An edit that changes the five samples around 9 s before the copy's time (`change` returns the
   * new value, undefined to drop it): inside the window a comparison as of that time compares.
   */
  const nearMiddle = (change: (v: number) => number | undefined) => (v: number, t: number, at: number) =>
    Math.abs(t - (at - SKIP_RECENT - 5)) < 2.5 ? change(v) : v;

  it("a real dual write: every dashboard query and rule expression of the stack agrees or is empty on both (pass, the JSON holds each query)", async () => {
    let out = "";
    const progress: string[] = [];
    await runVerify(
      [
        "--dir",
        proj,
        "--stack",
        "dw",
        "--json",
        "--gate",
        "backend-primary",
        "--window",
        "20s",
        "--step",
        "1s",
        ...["prometheus", "victoriametrics", "alertmanager", "loki", "grafana"].flatMap((c) => [
          "--url",
          `${c}=${c === "prometheus" ? prom.url : c === "victoriametrics" ? vm.url : "http://127.0.0.1:9"}`,
        ]),
      ],
      {
        jobs: () => Promise.resolve(["prometheus"]),
        env: { ...process.env, GRAFANA_ADMIN_USER: "admin", GRAFANA_ADMIN_PASSWORD: "pw" },
        out: (t) => (out += t),
        err: () => {},
        agree: { skipRecentSeconds: SKIP_RECENT },
        progress: (t) => progress.push(t),
      },
    );
    const report: Report = JSON.parse(out);
    const c = report.checks.find((x) => x.id === "backend-agrees")!;
    const failing = c.queries?.filter((q) => q.verdict === "differs" || q.verdict === "refused");
    assert.equal(c.status, "pass", `${c.detail}\n${JSON.stringify(failing, null, 1)}`);
    assert.deepEqual(Object.keys(c), ["id", "status", "detail", "queries"]);
    const agreeing = c.queries!.filter((q) => q.verdict === "agrees");
    assert.ok(agreeing.length >= 3, c.detail);
    // The program's Watchdog and a rule reading `up`, and a dashboard query, each compared.
    assert.ok(agreeing.some((q) => q.sources.some((s) => s.startsWith("rule general.rules/Watchdog"))));
    assert.ok(agreeing.some((q) => q.sources.some((s) => s.startsWith("dashboard "))));
    assert.match(
      c.detail,
      /^\d+ queries \(\d+ panel targets, \d+ rule expressions\) against VictoriaMetrics from .* step 1s: \d+ agree, 0 differ, 0 refused/,
    );
    assert.ok(
      c.queries!.every((q) => q.verdict !== "agrees" || (q.series!.prometheus > 0 && q.window!.step === 1)),
    );
    // Progress: one rewritten line per query, the last ending the line.
    assert.match(progress[progress.length - 1], /^\rbackend-agrees: (\d+)\/\1 queries compared\n$/);
  });

  it("an extra series in the backend fails, naming the query and the series", async () => {
    const now = Math.floor(Date.now() / 1000);
    const lines = Array.from(
      { length: 30 },
      (_, i) => `probe_extra{job="probe",instance="ghost"} 1 ${(now - 29 + i) * 1000}`,
    );
    await fetch(`${vm.url}/api/v1/import/prometheus`, { method: "POST", body: lines.join("\n") + "\n" });
    await fetch(`${vm.url}/internal/force_flush`);
    const r = await agree(["probe_extra"]);
    assert.equal(r.status, "fail");
    assert.equal(r.q("probe_extra")!.verdict, "differs");
    assert.deepEqual(r.q("probe_extra")!.onlyBackend, ['probe_extra{instance="ghost", job="probe"}']);
    assert.match(
      r.detail,
      /worst: probe_extra: only on the backend: probe_extra\{instance="ghost", job="probe"\}/,
    );
    assert.match(r.detail, /\[dashboard "probe", panel "probe_extra" \(A\)\]/);
  });

  it("a label renamed on the write path fails: one series on each side", async () => {
    const r = await agree(["probe_renamed"]);
    assert.equal(r.status, "fail", r.detail);
    const q = r.q("probe_renamed")!;
    assert.deepEqual(q.onlyPrometheus, [`probe_renamed{instance="${probeTarget}", job="probe"}`]);
    assert.deepEqual(q.onlyBackend, [`probe_renamed{instance="${probeTarget}", service="probe"}`]);
    assert.match(
      r.detail,
      /probe_renamed: only on the backend: .*service="probe".*only on Prometheus: .*job="probe"/,
    );
  });

  it("a faithful copy agrees, across a failed scrape; a hole in it (a gap) fails, naming the series and when it begins", async () => {
    // One scrape of the probe fails, as one did under load; the comparison must reach past it: its
    // window ends SKIP_RECENT before the copy's time, after the failed scrape and the one after it.
    const { failedAt, at } = await afterFailure(SKIP_RECENT + 2.5);
    await copyToBackend("probe_copy_total", (v) => v, vm.url, at);
    const same = await agree(["probe_copy_total"], vm.url, {}, () => at);
    const compared = same.q("probe_copy_total")!;
    assert.equal(compared.verdict, "agrees", same.detail);
    assert.equal(same.status, "pass", same.detail);
    assert.ok(
      Date.parse(compared.window!.start) / 1000 < failedAt &&
        failedAt + 1 < Date.parse(compared.window!.end) / 1000,
      `the failed scrape at ${failedAt} lies inside the window ${JSON.stringify(compared.window)}`,
    );
    // The five samples before the failed scrape never reach the backend: a hole in the window.
    await copyToBackend(
      "probe_gap_total",
      nearMiddle(() => undefined),
      vm.url,
      at,
    );
    const r = await agree(["probe_gap_total"], vm.url, {}, () => at);
    assert.equal(r.status, "fail", r.detail);
    const q = r.q("probe_gap_total")!;
    assert.equal(q.verdict, "differs");
    assert.ok(q.gap || q.worst, JSON.stringify(q));
    assert.match(r.detail, /worst: probe_gap_total: .*probe_gap_total\{instance=.*job="probe"\}/);
    assert.match(r.detail, /first difference at \d{4}-\d\d-\d\dT/);
  });

  it("a changed value fails with the largest relative difference and its timestamp", async () => {
    const at = await copyToBackend(
      "probe_changed",
      nearMiddle((v) => v * 10),
    );
    const r = await agree(["probe_changed"], vm.url, {}, () => at);
    assert.equal(r.status, "fail", r.detail);
    const q = r.q("probe_changed")!;
    assert.equal(q.verdict, "differs");
    assert.ok(q.worst && q.worst.relative! > 0.8 && q.worst.relative! < 1, JSON.stringify(q));
    assert.equal(Number(q.worst.backend), Number(q.worst.prometheus) * 10);
    assert.match(
      r.detail,
      /probe_changed\{instance=.*\} at \d{4}-.*: Prometheus \d+, backend \d+ \(relative difference 0\.9\d*, tolerance 0\.000001\)/,
    );
  });

  it("a query both sides refuse is reported with both errors and fails", async () => {
    const r = await agree(["sum(", "up"]);
    assert.equal(r.status, "fail");
    const q = r.q("sum(")!;
    assert.equal(q.verdict, "refused");
    assert.match(
      q.errors!.prometheus!,
      new RegExp(`^${prom.url}/api/v1/query_range: HTTP 400 \\(.*parse error`),
    );
    assert.match(q.errors!.backend!, new RegExp(`^${vm.url}/api/v1/query_range: HTTP (400|422)`));
    assert.match(r.detail, /Prometheus: .*HTTP 400.*; backend: .*HTTP 4\d\d/);
  });

  it("an unreachable backend, or one answering HTTP errors, fails naming the URL and the status (never a pass)", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    await assert.rejects(
      agree(["up"], closed),
      (e: Error) =>
        e instanceof ApiError &&
        e.message.startsWith(`${closed}/api/v1/query_range: unreachable (ECONNREFUSED)`),
    );
    const broken = http.createServer((_req, res) => {
      res.writeHead(503, { "Content-Type": "text/plain" });
      res.end("service unavailable: storage is read-only");
    });
    await new Promise<void>((r) => broken.listen(0, "127.0.0.1", () => r()));
    closers.push(() => broken.close());
    const url = `http://127.0.0.1:${(broken.address() as any).port}`;
    await assert.rejects(
      agree(["up"], url),
      (e: Error) =>
        e.message === `${url}/api/v1/query_range: HTTP 503 (service unavailable: storage is read-only)`,
    );
  });

  /** A stand-in backend in front of VictoriaMetrics: `hold` delays answers; it counts requests in flight. */
  async function inFront(hold = 0, refuse?: RegExp) {
    let inFlight = 0;
    let most = 0;
    const server = http.createServer((req, res) => {
      if (refuse?.test(decodeURIComponent(req.url!))) {
        res.writeHead(422, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ status: "error", errorType: "execution", error: "unsupported function" }));
        return;
      }
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        fetch(vm.url + req.url!)
          .then(async (r) => {
            res.writeHead(r.status, { "Content-Type": "application/json" });
            res.end(await r.text());
          })
          .catch(() => res.destroy())
          .finally(() => inFlight--);
      }, hold);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    closers.push(() => server.close());
    return { url: `http://127.0.0.1:${(server.address() as any).port}`, most: () => most };
  }

  it("the window: a query reading back past the dual write's beginning waits, over a window before it or inside it; one reading within it compares", async () => {
    // The 3 s that end 4 s back (skipRecentSeconds), and the 3 s a query of `[2s]` reads behind
    // their first step, lie inside the dual write after 10 s; 1 s spare.
    await dualWriteFor(11);
    // It reads 10 m back, more than this file's dual write can have lasted (mocha's 40 s bound on
    // the before hook and on each of its 11 tests: 8 m), whether the window (an hour) begins
    // before the dual write or (3 s) inside it: the check looks for the dual write's beginning as
    // far back as a query reads behind the window's first step (verify/agreeCheck.ts). With 30 s
    // over 20 s, it was too recent only while the dual write was younger than 24 s: under load
    // (~40 load average on 2 cores) the tests before it took longer and it "agrees", 3 runs of 5.
    const expr = "sum(max_over_time(up[10m]))";
    for (const windowSeconds of [3600, 3]) {
      const early = await agree([expr], vm.url, { windowSeconds });
      assert.equal(early.q(expr)!.verdict, "too-recent", early.detail);
      assert.match(
        early.q(expr)!.note!,
        /it reads 601s back and the backend's data begins .*: comparable from/,
      );
    }
    const short = "sum(max_over_time(up[2s]))";
    const inside = await agree([short], vm.url, { windowSeconds: 3 });
    assert.equal(inside.q(short)!.verdict, "agrees", inside.detail);
    assert.equal(inside.status, "pass");
  });

  it("a young dual write inside an older window: a query reading back past its beginning waits; a true difference still fails", async function () {
    // A backend of its own whose dual write began 9 s before the copy's time, 5.5 s after the
    // probe's failed scrape: the compared 3 s, ending 4 s back, hold that scrape (as under load)
    // and lie inside it, and Prometheus holds the probe's scrapes from before it (the failed one
    // is the 6th: 2 of them). The check found the dual write's beginning only inside the
    // window: a backend with data at the window's first step was taken as holding everything a
    // query reads behind it, and counting `up` over 10 m "differed" (Prometheus counts the
    // samples from before the copy began).
    const vp = await freePort();
    const young = await startServer(
      requireTool(this, "victoria-metrics", "victoria-metrics"),
      [
        `-storageDataPath=${path.join(tmpDir("agree-young"), "vm")}`,
        `-httpListenAddr=127.0.0.1:${vp}`,
        "-search.latencyOffset=0s",
        "-loggerLevel=ERROR",
      ],
      vp,
      "/health",
    );
    closers.push(() => void young.stop(0));
    // The failed scrape in the compared window: `up` 0 there, copied as it is.
    const { at } = await afterFailure(SKIP_RECENT + 1.5);
    const since = (v: number, t: number, a: number) => (t >= a - 9 ? v : undefined);
    await copyToBackend('up{job="probe"}', since, young.url, at);
    await copyToBackend("probe_changed", (v, t, a) => (t >= a - 9 ? v * 10 : undefined), young.url, at);
    // Prometheus holds `up` 0 at the failed scrape and writes no marker for `up`: neither may the
    // copy (a marker beside the 0 at one time, VictoriaMetrics' answer there was either).
    const copied = await (await fetch(`${young.url}/api/v1/export?match[]=up`)).text();
    assert.ok(copied.includes(",0,") && !copied.includes("null"), copied);
    const counted = 'sum(count_over_time(up{job="probe"}[10m]))';
    const r = await agree(
      [counted, 'up{job="probe"}', "probe_changed"],
      young.url,
      { windowSeconds: 3 },
      () => at,
    );
    assert.equal(r.q(counted)!.verdict, "too-recent", r.detail);
    assert.match(r.q(counted)!.note!, /it reads 601s back and the backend's data begins .*: comparable from/);
    assert.equal(r.q('up{job="probe"}')!.verdict, "agrees", r.detail);
    assert.equal(r.q("probe_changed")!.verdict, "differs", r.detail);
    assert.equal(r.status, "fail", r.detail);
  });

  it("a query only the backend refuses fails, reported with both answers", async () => {
    const front = await inFront(0, /sgn\(/);
    const r = await agree(["sgn(up)", "up"], front.url);
    assert.equal(r.status, "fail");
    const q = r.q("sgn(up)")!;
    assert.equal(q.verdict, "refused");
    assert.deepEqual(q.errors, {
      backend: `${front.url}/api/v1/query_range: HTTP 422 (unsupported function)`,
    });
    assert.match(r.detail, /Prometheus: answered; backend: .*HTTP 422 \(unsupported function\)/);
  });

  it("bounded: at most `concurrency` queries in flight at the backend, each within its deadline", async () => {
    const front = await inFront(20);
    const queries = Array.from({ length: 12 }, (_, i) => `up + ${i}`);
    const r = await agree(queries, front.url, { concurrency: 2 });
    assert.equal(r.status, "pass", r.detail);
    assert.equal(r.queries!.filter((q) => q.verdict === "agrees").length, 12);
    assert.ok(front.most() <= 2, `${front.most()} in flight`);
    const slow = await inFront(2000);
    await assert.rejects(
      agree(["up"], slow.url, { queryTimeoutMs: 300 }),
      (e: Error) => e.message === `${slow.url}/api/v1/query_range: unreachable (no answer within 0.3 s)`,
    );
  });
});
