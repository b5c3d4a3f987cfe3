import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { stringify } from "yaml";
import {
  checkLokiGate,
  judgeLokiRing,
  nextLokiStep,
  type LokiMove,
  type RingShard,
} from "../../verify/lokiGate";
import { runVerify } from "../../cli/verifyRun";
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

  it("a URL that serves no ring page is an error naming the URL and the status", async () => {
    await assert.rejects(checkLokiGate(`${base}/nowhere`, "loki-drain", MOVE), /\/nowhere\/ring: HTTP 404/);
  });
});

describe("verify --gate loki-*: which step comes next, from the stack file", () => {
  it("SimpleScalable -> loki-join; the transitional mode -> loki-drain while write pods are left, then loki-monolithic; else none", () => {
    assert.equal(nextLokiStep({ mode: "SimpleScalable", write: 3 }), "loki-join");
    assert.equal(nextLokiStep({ mode: "Monolithic<->SimpleScalable", write: 1 }), "loki-drain");
    assert.equal(nextLokiStep({ mode: "Monolithic<->SimpleScalable", write: 0 }), "loki-monolithic");
    assert.equal(nextLokiStep({ mode: "Monolithic", write: 3 }), undefined);
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

  it("--gate with a step that is not the next one exits 2 before anything is reached, naming the next", async () => {
    let err = "";
    // production runs SimpleScalable: the next step is loki-join.
    const code = await runVerify(["--stack", "production", "--gate", "loki-drain"], {
      jobs: () => Promise.resolve([]),
      err: (t) => (err += t),
      out: () => {},
    });
    assert.equal(code, 2);
    assert.match(err, /--gate loki-drain: Loki runs SimpleScalable; the next step is loki-join/);
    err = "";
    const staging = await runVerify(["--stack", "staging", "--gate", "loki-join"], {
      jobs: () => Promise.resolve([]),
      err: (t) => (err += t),
      out: () => {},
    });
    assert.equal(staging, 2);
    assert.match(err, /Loki runs Monolithic; it is not moving off SimpleScalable/);
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
      /--gate: expected a phase \(.*\) or a step of Loki's move off SimpleScalable \(loki-join, loki-drain, loki-monolithic\), got "loki-dran"/,
    );
  });
});
