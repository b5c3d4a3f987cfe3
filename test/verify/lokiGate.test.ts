import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { stringify } from "yaml";
import {
  checkLokiGate,
  judgeLokiRing,
  LOKI_STEPS,
  lokiStepsFrom,
  type LokiMove,
  type RingShard,
} from "../../verify/lokiGate";
import { parseVerifyArgs, runVerify } from "../../cli/verifyRun";
import { lokiMoveRefusals, TRANSITIONAL, type LokiSide } from "../../change/lokiMode";
import { expectationsFor } from "../../verify/expect";
import { config } from "../support/helpers";

/*
 * The gates of the move off SimpleScalable against a fake Loki on 127.0.0.1 that answers what
 * Loki v3.7.6 answers (no Loki runs here; each answer is read at the source, verify/lokiGate.ts):
 * - /ready: `http.Error(w, "ready", http.StatusOK)` (pkg/loki/loki.go readyHandler), so a
 *   text/plain body "ready\n"; not ready: 503 and e.g. "Ingester not ready: instance
 *   10.0.0.9:9095 in state JOINING" (dskit ring/model.go InstanceDesc.IsReady);
 * - /ring and /compactor/ring: HTML unless Accept holds application/json, then the JSON of dskit
 *   ring/ring_http.go httpResponse (`shards` of ingesterDesc, `now`), written by json.Encoder
 *   (a trailing newline);
 * - /config: the running config as YAML, text/plain (pkg/loki/config_handler.go writeYAMLResponse).
 */

interface FakeLoki {
  ready: { status: number; text: string };
  ring: RingShard[];
  compactors: RingShard[];
  config: Record<string, unknown>;
}

const shard = (id: string, state = "ACTIVE", n = 0) => ({
  id,
  state,
  address: `10.0.0.${n}:9095`,
  timestamp: "2026-11-23T18:00:00Z",
  registered_timestamp: "2026-11-20T10:00:00Z",
  read_only: false,
  read_only_updated_timestamp: "0001-01-01T00:00:00Z",
  zone: "",
  tokens: [n * 1000 + 1, n * 1000 + 2],
});

const pods = (set: string, n: number, state = "ACTIVE", from = 0) =>
  Array.from({ length: n }, (_, i) => shard(`${set}-${i}`, state, from + i));

/** Loki's running config as /config shows it, in the parts the gate reads. */
const runningConfig = (flush: boolean) => ({
  target: "write",
  ingester: {
    lifecycler: { unregister_on_shutdown: true, ring: { replication_factor: 2 } },
    wal: { enabled: true, dir: "/var/loki/wal", flush_on_shutdown: flush },
    flush_op_timeout: "10m0s",
  },
});

const MOVE: LokiMove = {
  mode: "Monolithic<->SimpleScalable",
  replicas: 3,
  write: 3,
  replicationFactor: 2,
  monolithicSet: "loki",
  writeSet: "loki-write",
};

describe("verify --gate loki-*: the move off SimpleScalable asked of Loki's ring (a fake Loki answering as v3.7.6 does)", () => {
  let server: http.Server;
  let base = "";
  const loki: FakeLoki = { ready: { status: 200, text: "ready" }, ring: [], compactors: [], config: {} };
  const seen: { path: string; accept?: string }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const path = (req.url ?? "").split("?")[0];
      seen.push({ path, accept: req.headers.accept });
      const json = String(req.headers.accept ?? "").includes("application/json");
      if (path === "/ready") {
        res.writeHead(loki.ready.status, {
          "Content-Type": "text/plain; charset=utf-8",
          "X-Content-Type-Options": "nosniff",
        });
        res.end(`${loki.ready.text}\n`);
      } else if (path === "/ring" || path === "/compactor/ring") {
        if (!json) {
          res.writeHead(200, { "Content-Type": "text/html" });
          res.end("<!DOCTYPE html><html><body><h1>Ring Status</h1></body></html>");
          return;
        }
        res.writeHead(200, { "Content-Type": "application/json" });
        const shards = path === "/ring" ? loki.ring : loki.compactors;
        res.end(`${JSON.stringify({ shards, now: "2026-11-23T18:00:05Z" })}\n`);
      } else if (path === "/config") {
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(stringify(loki.config));
      } else {
        res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
        res.end("404 page not found\n");
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  beforeEach(() => {
    loki.ready = { status: 200, text: "ready" };
    loki.compactors = [...pods("loki-backend", 3, "ACTIVE", 20)];
    loki.config = runningConfig(true);
    seen.length = 0;
  });

  it("loki-join: every write pod ACTIVE and the flush settings set pass; the ring is asked as JSON", async () => {
    loki.ring = pods("loki-write", 3);
    const r = await checkLokiGate(base, "loki-join", { ...MOVE, mode: "SimpleScalable", replicas: 3 });
    assert.ok(r.ok, r.detail);
    assert.match(r.detail, /3 write pod\(s\) ACTIVE; flush on shutdown and unregister on shutdown set/);
    assert.ok(seen.some((s) => s.path === "/ring" && /application\/json/.test(s.accept ?? "")));
  });

  it("loki-join: a running config that does not flush on shutdown fails, naming the key", async () => {
    loki.ring = pods("loki-write", 3);
    loki.config = runningConfig(false);
    const r = await checkLokiGate(base, "loki-join", { ...MOVE, mode: "SimpleScalable" });
    assert.equal(r.ok, false);
    assert.match(r.detail, /ingester\.wal\.flush_on_shutdown is false/);
  });

  it("loki-drain: monolithic pods all ACTIVE beside the write pods pass and name the next to leave", async () => {
    loki.ring = [...pods("loki", 3, "ACTIVE", 10), ...pods("loki-write", 3)];
    const r = await checkLokiGate(base, "loki-drain", MOVE);
    assert.ok(r.ok, r.detail);
    assert.match(
      r.detail,
      /3 monolithic pod\(s\) ACTIVE.*next to leave: loki-write-2 \(set loki\.write to 2\)/,
    );
  });

  it("loki-drain: the write pod the last update removed still LEAVING (flushing) fails, and so does one gone UNHEALTHY", async () => {
    loki.ring = [
      ...pods("loki", 3, "ACTIVE", 10),
      ...pods("loki-write", 2),
      shard("loki-write-2", "LEAVING", 2),
    ];
    const r = await checkLokiGate(base, "loki-drain", { ...MOVE, write: 2 });
    assert.equal(r.ok, false);
    assert.match(r.detail, /loki-write-2 is LEAVING \(still flushing its chunks/);
    assert.match(
      r.detail,
      /the ring holds 3 write pod\(s\), the stack runs 2: a write pod the last update removed has not left the ring yet/,
    );
    loki.ring = [
      ...pods("loki", 3, "ACTIVE", 10),
      ...pods("loki-write", 2),
      shard("loki-write-2", "UNHEALTHY", 2),
    ];
    const u = await checkLokiGate(base, "loki-drain", { ...MOVE, write: 2 });
    assert.match(u.detail, /loki-write-2 is UNHEALTHY \(no heartbeat: it stopped without leaving/);
    // Once it has left the ring (flushed, unregistered), the next may go.
    loki.ring = [...pods("loki", 3, "ACTIVE", 10), ...pods("loki-write", 2)];
    const ok = await checkLokiGate(base, "loki-drain", { ...MOVE, write: 2 });
    assert.ok(ok.ok, ok.detail);
    assert.match(ok.detail, /next to leave: loki-write-1/);
  });

  it("loki-drain: monolithic pods still JOINING, and a not-ready Loki, fail before any write pod leaves", async () => {
    loki.ring = [...pods("loki", 2, "ACTIVE", 10), shard("loki-2", "JOINING", 12), ...pods("loki-write", 3)];
    loki.ready = { status: 503, text: "Ingester not ready: instance 10.0.0.12:9095 in state JOINING" };
    const r = await checkLokiGate(base, "loki-drain", MOVE);
    assert.equal(r.ok, false);
    assert.match(
      r.detail,
      /\/ready: HTTP 503 \(Ingester not ready: instance 10\.0\.0\.12:9095 in state JOINING\)/,
    );
    assert.match(r.detail, /loki-2 is JOINING/);
    assert.match(r.detail, /2 of the 3 monolithic pods \(loki\) are ACTIVE in the ring/);
  });

  it("loki-monolithic: passes once no write pod is left and the compactor ring has an ACTIVE instance; a write pod left fails", async () => {
    loki.ring = pods("loki", 3, "ACTIVE", 10);
    const r = await checkLokiGate(base, "loki-monolithic", { ...MOVE, write: 0 });
    assert.ok(r.ok, r.detail);
    assert.match(r.detail, /compactor ring: 3 ACTIVE, one of them elected/);
    loki.ring = [...pods("loki", 3, "ACTIVE", 10), shard("loki-write-0", "LEAVING", 0)];
    const f = await checkLokiGate(base, "loki-monolithic", { ...MOVE, write: 0 });
    assert.equal(f.ok, false);
    assert.match(f.detail, /write pods still in the ring: loki-write-0 \(LEAVING\)/);
  });

  // The way back onto SimpleScalable, and a monolithic scale-down: the monolithic pods leave one
  // per update (change/lokiMode.ts refuses more), each gate judging the ring before the next goes.
  const BACK: LokiMove = { ...MOVE, mode: "Monolithic<->SimpleScalable", replicas: 3, write: 3 };

  it("loki-scale-down: every write pod ACTIVE beside exactly the monolithic pods the stack runs passes, naming the next to leave; the monolithic pods' config is asked", async () => {
    loki.ring = [...pods("loki", 3, "ACTIVE", 10), ...pods("loki-write", 3)];
    const r = await checkLokiGate(base, "loki-scale-down", BACK);
    assert.ok(r.ok, r.detail);
    assert.match(
      r.detail,
      /^loki-scale-down: ingester ring: 3 monolithic pod\(s\) ACTIVE, 3 write pod\(s\) ACTIVE, next to leave: loki-2 \(set loki\.replicas to 2\); flush on shutdown and unregister on shutdown set$/,
    );
    assert.ok(seen.some((s) => s.path === "/config"));
  });

  it("loki-scale-down: write pods that have not joined the ring ACTIVE yet fail before a monolithic pod leaves, each named", async () => {
    loki.ring = [
      ...pods("loki", 3, "ACTIVE", 10),
      shard("loki-write-0", "ACTIVE", 0),
      shard("loki-write-1", "JOINING", 1),
    ];
    loki.ready = { status: 503, text: "Ingester not ready: instance 10.0.0.1:9095 in state JOINING" };
    const r = await checkLokiGate(base, "loki-scale-down", BACK);
    assert.equal(r.ok, false);
    assert.match(r.detail, /loki-write-1 is JOINING \(not yet ACTIVE: wait until it is\)/);
    assert.match(
      r.detail,
      /loki-write-2 not in the ring, though the stack runs 3 write pod\(s\) \(loki\.write 3\): the write pods must all have joined ACTIVE before a monolithic pod leaves; wait until they have/,
    );
  });

  it("loki-scale-down: the monolithic pod the last update removed, still LEAVING, fails as one message naming it; UNHEALTHY says how its WAL comes back; once gone the next may go", async () => {
    const two = { ...BACK, replicas: 2 };
    loki.ring = [...pods("loki", 2, "ACTIVE", 10), shard("loki-2", "LEAVING", 12), ...pods("loki-write", 3)];
    const r = await checkLokiGate(base, "loki-scale-down", two);
    assert.equal(r.ok, false);
    assert.equal(
      r.detail,
      "loki-scale-down: ingester ring: loki-2 is LEAVING: the last update removed it (loki.replicas is 2, so the stack runs 2 monolithic pod(s)) and it is still flushing its chunks; wait until it has left the ring",
    );
    loki.ring = [
      ...pods("loki", 2, "ACTIVE", 10),
      shard("loki-2", "UNHEALTHY", 12),
      ...pods("loki-write", 3),
    ];
    const u = await checkLokiGate(base, "loki-scale-down", two);
    assert.match(
      u.detail,
      /loki-2 is UNHEALTHY: the last update removed it .* stopped without leaving the ring \(no heartbeat\); its WAL is on its claim: set loki\.replicas back to 3 so it starts and replays it/,
    );
    loki.ring = [...pods("loki", 2, "ACTIVE", 10), ...pods("loki-write", 3)];
    const ok = await checkLokiGate(base, "loki-scale-down", two);
    assert.ok(ok.ok, ok.detail);
    assert.match(ok.detail, /next to leave: loki-1 \(set loki\.replicas to 1\)/);
  });

  it("a running config that forgets unhealthy ingesters fails: a pod killed before it flushed would leave the ring and the gate pass", async () => {
    // grafana/loki v3.7.6 pkg/ingester/ingester.go:460-520 setupAutoForget: each ingester removes
    // from the ring every other instance without a heartbeat for ring.kvstore.heartbeat_timeout.
    const mono = { ...MOVE, mode: "Monolithic" as const, replicas: 2, write: 3 };
    loki.ring = pods("loki", 2, "ACTIVE", 10);
    const cfg = runningConfig(true);
    loki.config = { ...cfg, ingester: { ...cfg.ingester, autoforget_unhealthy: true } };
    const f = await checkLokiGate(base, "loki-scale-down", mono);
    assert.equal(f.ok, false, f.detail);
    assert.match(
      f.detail,
      /ingester\.autoforget_unhealthy is true: a monolithic pod stopped before it flushed \(killed at its grace period, out of memory\) would be forgotten by the ring after ring\.kvstore\.heartbeat_timeout, its WAL still on its claim, and this gate would pass; set it false/,
    );
    loki.config = { ...cfg, ingester: { ...cfg.ingester, autoforget_unhealthy: false } };
    const ok = await checkLokiGate(base, "loki-scale-down", mono);
    assert.ok(ok.ok, ok.detail);
  });

  it("loki-scale-down in Monolithic (a plain scale-down) asks for no write pod, and fails on a monolithic config that does not flush on shutdown, naming the key", async () => {
    // loki.write keeps its default (3) in a Monolithic stack file; no write pod runs.
    const mono = { ...MOVE, mode: "Monolithic" as const, replicas: 3, write: 3 };
    loki.ring = pods("loki", 3, "ACTIVE", 10);
    const r = await checkLokiGate(base, "loki-scale-down", mono);
    assert.ok(r.ok, r.detail);
    assert.doesNotMatch(r.detail, /write pod/);
    loki.config = runningConfig(false);
    const f = await checkLokiGate(base, "loki-scale-down", mono);
    assert.equal(f.ok, false);
    assert.match(
      f.detail,
      /ingester\.wal\.flush_on_shutdown is false: a monolithic pod that leaves would keep its chunks in its WAL only/,
    );
  });

  it("loki-simple-scalable: one monolithic pod left, write pods ACTIVE up to the replication factor and a backend pod ACTIVE in the compactor ring pass; a compactor ring of the monolithic pod alone fails", async () => {
    const last = { ...BACK, replicas: 1 };
    loki.ring = [shard("loki-0", "ACTIVE", 10), ...pods("loki-write", 3)];
    loki.compactors = [shard("loki-0", "ACTIVE", 10), ...pods("loki-backend", 3, "ACTIVE", 20)];
    const r = await checkLokiGate(base, "loki-simple-scalable", last);
    assert.ok(r.ok, r.detail);
    assert.match(
      r.detail,
      /last to leave: loki-0 \(set loki\.mode to "SimpleScalable" and drop loki\.replicas\)/,
    );
    assert.match(r.detail, /compactor ring: 3 ACTIVE outside the monolithic pods/);
    loki.compactors = [shard("loki-0", "ACTIVE", 10), shard("loki-backend-0", "JOINING", 20)];
    const f = await checkLokiGate(base, "loki-simple-scalable", last);
    assert.equal(f.ok, false);
    assert.match(
      f.detail,
      /compactor ring: no ACTIVE instance outside the monolithic pods \(loki-0 ACTIVE, loki-backend-0 JOINING\): once they leave nothing runs the compactor; wait until a backend pod is ACTIVE in it/,
    );
  });

  it("loki-simple-scalable: a monolithic pod still LEAVING, or fewer write pods ACTIVE than the replication factor, fail", async () => {
    const last = { ...BACK, replicas: 1, write: 2 };
    loki.ring = [shard("loki-0", "ACTIVE", 10), shard("loki-1", "LEAVING", 11), ...pods("loki-write", 2)];
    const r = await checkLokiGate(base, "loki-simple-scalable", last);
    assert.equal(r.ok, false);
    assert.match(
      r.detail,
      /loki-1 is LEAVING: the last update removed it \(loki\.replicas is 1, so the stack runs 1 monolithic pod\(s\)\) and it is still flushing its chunks; wait until it has left the ring/,
    );
    loki.ring = [
      shard("loki-0", "ACTIVE", 10),
      shard("loki-write-0", "ACTIVE", 0),
      shard("loki-write-1", "JOINING", 1),
    ];
    const w = await checkLokiGate(base, "loki-simple-scalable", last);
    assert.match(
      w.detail,
      /1 write pod\(s\) ACTIVE, fewer than the replication factor 2: once the last monolithic pod leaves, the write pods must hold every copy/,
    );
  });

  it("a URL that serves no ring page is an error naming the URL and the status", async () => {
    await assert.rejects(checkLokiGate(`${base}/nowhere`, "loki-drain", MOVE), /\/nowhere\/ring: HTTP 404/);
  });
});

describe("verify --gate loki-*: which step comes next, from the stack file", () => {
  it("the steps that may come next: loki-join from SimpleScalable; in the transitional mode loki-drain or loki-monolithic, loki-scale-down while more than one monolithic pod runs, loki-simple-scalable once one is left; in Monolithic loki-scale-down", () => {
    const from = (mode: LokiMove["mode"], replicas: number, write: number) =>
      lokiStepsFrom({ mode, replicas, write });
    const T = "Monolithic<->SimpleScalable";
    assert.deepEqual(from("SimpleScalable", 1, 3), ["loki-join"]);
    assert.deepEqual(from(T, 3, 3), ["loki-drain", "loki-scale-down"]);
    assert.deepEqual(from(T, 3, 0), ["loki-monolithic", "loki-scale-down"]);
    assert.deepEqual(from(T, 1, 0), ["loki-monolithic"]);
    assert.deepEqual(from(T, 1, 3), ["loki-drain", "loki-simple-scalable"]);
    assert.deepEqual(from("Monolithic", 3, 3), ["loki-scale-down"]);
    // Below 2 the chart still runs one monolithic pod: none can leave.
    assert.deepEqual(from("Monolithic", 1, 3), []);
    assert.deepEqual(from("Distributed", 3, 3), []);
  });

  it("judges loki-simple-scalable from the ring alone too: several monolithic pods still running is refused", () => {
    const r = judgeLokiRing("loki-simple-scalable", { ...MOVE, replicas: 3 }, [
      ...pods("loki", 3),
      ...pods("loki-write", 3),
    ]);
    assert.equal(r.ok, false);
    assert.match(
      r.detail,
      /loki\.replicas is 3, so the stack runs 3 monolithic pod\(s\): "SimpleScalable" would remove them all in one update; lower loki\.replicas by one per update to 1 first, each after --gate loki-scale-down passes/,
    );
  });

  it("the plan's expectations name the pods and the Service verify reads the ring at", () => {
    const exp = expectationsFor(
      config({ loki: { mode: "Monolithic<->SimpleScalable", replicas: 3, write: 2, replicationFactor: 2 } }),
      [],
    );
    assert.deepEqual(
      { ...exp.loki },
      {
        mode: "Monolithic<->SimpleScalable",
        replicas: 3,
        write: 2,
        replicationFactor: 2,
        monolithicSet: "loki",
        writeSet: "loki-write",
      },
    );
    assert.equal(exp.serviceUrls["loki-ring"], "http://loki.monitoring.svc.cluster.local:3100");
    const ssd = expectationsFor(config({ loki: { mode: "SimpleScalable", replicationFactor: 1 } }), []);
    assert.equal(ssd.serviceUrls["loki-ring"], "http://loki-write.monitoring.svc.cluster.local:3100");
  });

  it("judges the ring by pod names: other instances (read pods) are counted apart, never as write pods", () => {
    const ring = [...pods("loki", 3), ...pods("loki-write", 3), ...pods("loki-read", 2)];
    const r = judgeLokiRing("loki-drain", MOVE, ring);
    assert.ok(r.ok, r.detail);
    assert.match(r.detail, /2 other instance\(s\)/);
  });

  // Staging rehearses the move onto SimpleScalable first (docs/how-to/loki-off-simple-scalable.md,
  // "Staging first"): its first step has no gate, and "no step comes next" said there was none; the
  // Loki keys were named without their lines.
  it("--gate with a step that is not the next one exits 2 before anything is reached, naming the next and the keys at their lines", async () => {
    // Each stack's refusal: its exit status and what it wrote to stderr.
    const gate = async (stack: string, step: string) => {
      let err = "";
      const code = await runVerify(["--stack", stack, "--gate", step], {
        jobs: () => Promise.resolve([]),
        err: (t) => (err += t),
        out: () => {},
      });
      return { code, err };
    };
    // production runs SimpleScalable: the next step is loki-join.
    const production = await gate("production", "loki-drain");
    assert.equal(production.code, 2);
    assert.match(
      production.err,
      /--gate loki-drain: the stack file sets Loki to SimpleScalable \(loki\.mode at \S*Pulumi\.production\.yaml:\d+\); the next step is loki-join \(docs\/how-to\/loki-off-simple-scalable\.md\)/,
    );
    const staging = await gate("staging", "loki-join");
    assert.equal(staging.code, 2);
    assert.match(
      staging.err,
      /--gate loki-join: the stack file sets Loki to SingleBinary \(the loki chart's old name of Monolithic\) with loki\.replicas 1 \(loki\.mode at \S*Pulumi\.staging\.yaml:\d+, loki\.replicas at \S*Pulumi\.staging\.yaml:\d+\); no gated step comes next \(the step onto SimpleScalable, loki\.mode "Monolithic<->SimpleScalable" with loki\.write beside loki\.replicas, needs no gate: no pod leaves; loki-scale-down needs loki\.replicas above 1: below 2 the chart still runs one monolithic pod\)/,
    );
    // example leaves loki.mode to its default: the mode is not the file's word.
    const example = await gate("example", "loki-scale-down");
    assert.equal(example.code, 2);
    assert.match(
      example.err,
      /--gate loki-scale-down: Loki runs Monolithic with loki\.replicas 1 \(loki\.mode not set in the stack file, loki\.replicas not set in the stack file\); /,
    );
  });

  it("--gate names a phase or a step; anything else exits 2 listing both", async () => {
    let err = "";
    const code = await runVerify(["--stack", "production", "--gate", "loki-dran"], {
      jobs: () => Promise.resolve([]),
      err: (t) => (err += t),
      out: () => {},
    });
    assert.equal(code, 2);
    assert.match(
      err,
      /--gate: expected a phase \(.*\) or a Loki step \(loki-join, loki-drain, loki-monolithic, loki-scale-down, loki-simple-scalable\), got "loki-dran"/,
    );
  });
});

describe("the change check's refusals of monolithic pods leaving name the gate that judges the step", () => {
  const side = (mode: string, monolithic: number, write: number): LokiSide => ({ mode, monolithic, write });
  const cases: [string, LokiSide, LokiSide, RegExp][] = [
    [
      "Monolithic straight to SimpleScalable",
      side("Monolithic", 3, 0),
      side("SimpleScalable", 0, 3),
      /loki-simple-scalable/,
    ],
    [
      "SimpleScalable while 3 run",
      side(TRANSITIONAL, 3, 3),
      side("SimpleScalable", 0, 3),
      /loki-simple-scalable/,
    ],
    ["two leaving at once", side(TRANSITIONAL, 3, 3), side(TRANSITIONAL, 1, 3), /loki-scale-down/],
    [
      "one leaving as the write pods start",
      side("Monolithic", 3, 0),
      side(TRANSITIONAL, 2, 3),
      /loki-scale-down/,
    ],
    ["a plain scale-down by two", side("Monolithic", 3, 0), side("Monolithic", 1, 0), /loki-scale-down/],
  ];
  for (const [what, before, after, gate] of cases)
    it(`${what}: names npm run verify -- --stack <the stack> --gate, which verify takes as pasted, never a manual look at the ring page`, () => {
      const reasons = lokiMoveRefusals(before, after, { stack: "tfl1" }).map((r) => r.reason);
      assert.equal(reasons.length, 1, JSON.stringify(reasons));
      assert.match(reasons[0], gate);
      assert.doesNotMatch(reasons[0], /\/ring page/);
      const named = [...reasons[0].matchAll(/npm run verify -- ((?:--[\w-]+ [\w./-]+ ?)+)/g)].map((x) =>
        x[1].trim(),
      );
      assert.ok(named.length > 0, reasons[0]);
      for (const args of named) {
        // The command as a user pastes it: verify refuses one without --stack (exit 2).
        const parsed = parseVerifyArgs(args.split(" "), {});
        assert.equal(parsed.stack, "tfl1", args);
        assert.ok(parsed.lokiStep && (LOKI_STEPS as readonly string[]).includes(parsed.lokiStep), args);
      }
    });
});
