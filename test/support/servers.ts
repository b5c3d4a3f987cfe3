/**
 * Real servers for tests, on loopback: each started on a free port with its own temp dir, waited
 * for (bounded), and stopped by `stop()` (SIGTERM, then SIGKILL after 2 s; `stop(0)` kills at once).
 *
 * What they cost (round 19, warm, each file alone, the server's own CPU read from /proc before
 * stop): Prometheus in verify.test.ts ~0.95 s (250 program rules evaluated every 1 s: ~0.3 s of it;
 * with a 10 s evaluation interval the Watchdog, which the before hook waits for, came late: one
 * of two runs took 19.9 s instead of 13, so it was not kept; now only the Watchdog's group runs
 * every 1 s, the others every 5 s, see there), in backendAgrees.test.ts ~0.4 s;
 * VictoriaMetrics 0.2-0.3 s; Alertmanager and vmalert under 0.1 s; MinIO ~0.33 s to start, nothing
 * idle (GOMAXPROCS=1 changed nothing); Garage ~0.15 s to start, then ~15 ms per admin API call (it
 * checks the token with Argon2 on each: garageAdminApi.test.ts's ~100 calls are its 1.7 s). No token
 * Garage v2.0.0 takes escapes it: the config's admin_token is hashed at start with
 * `Argon2::default()` (src/api/admin/api_server.rs:121, 233-245), a token made by CreateAdminToken
 * (`<id>.<secret>`) likewise (src/model/admin_token_table.rs:78-91), and verify_authorization checks
 * either with `Argon2::default().verify_password` (api_server.rs:247-293; the `.` split at 270 only
 * picks which hash); only Options, Health and CheckDomain skip it (src/api/admin/router_v2.rs:251-253).
 *
 * Why each file starts its own (measured the same way, under load): a suite run starts 21
 * (Prometheus 4, VictoriaMetrics 5, Alertmanager 2, vmalert 1, MinIO 5: moveAudit.test.ts,
 * minioLeastPrivilege.test.ts and move.test.ts's three, one in a network namespace; Garage 4:
 * moveAudit.test.ts, move.test.ts and garageAdminApi.test.ts's two). Prometheus,
 * VictoriaMetrics, Alertmanager and vmalert are ready in ~0.12 s for 0.01-0.04 s of CPU each, so
 * sharing them would save tenths of a second in all. MinIO costs ~0.35 s of CPU to start, 0.27 s of
 * it its binary's package initialisation (`minio --version` alone costs as much; GOGC=off or 400,
 * GOMAXPROCS=1 changed nothing), but the files that start it hold the staging stack's bucket names
 * with other contents, or need a store without them (moveAudit.test.ts): a shared one would let one
 * file's buckets change another's result (minioLeastPrivilege.test.ts's t-* buckets would meet
 * none, but it would save its 0.35 s only when a worker ran it after one of them). Re-judged warm on
 * a ~130 s-of-CPU suite: MinIO's 5 starts are ~1.75 s and Garage's 4 ~0.6 s in all, and
 * move.test.ts's second MinIO needs other contents in the same file; one per worker would save at most
 * the starts after each worker's first, about 1 s, so each file keeps its own. The long waits
 * are Prometheus' and the tests' own: Prometheus 2.42 applies its first targets and Alertmanagers
 * 5 s after it starts (prometheus v2.42.0 225c61122d88, scrape/manager.go reloader(),
 * discovery/manager.go updatert), and backendAgrees.test.ts then waits 6 s of dual write, its
 * window case 11 s because it compares the 3 s that end 4 s back (skipRecentSeconds) by a query of
 * `[2s]`, which with the 3 s it reads behind them must lie inside the dual write (verify/agreeCheck.ts,
 * else "too-recent"), its faithful copy and young dual write ~12 s (6.5 s after the probe's failed
 * 6th scrape); those cases wait for the rest themselves, mostly spent by the tests before.
 */
import * as fs from "fs";
import * as path from "path";
import * as http from "http";
import * as net from "net";
import { spawn, type ChildProcess } from "child_process";

/**
 * A port nothing here listens on, for a server a test starts: below the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768 and up by default), where no outgoing connection
 * takes one. A port the kernel hands out for `listen(0)` is from that range, and in the moment
 * before the server binds it, any connection on the machine (the suite's own thousands of HTTP
 * requests) could take it: "bind: address already in use", seen once under load.
 */
export async function freePort(): Promise<number> {
  const below = ephemeralLow();
  for (let tries = 0; tries < 50; tries++) {
    const port = 10000 + Math.floor(Math.random() * (below - 10000));
    if (await listenable(port)) return port;
  }
  throw new Error(`no free port between 10000 and ${below} after 50 tries`);
}

/** The first port of the ephemeral range (Linux; 32768 elsewhere). */
function ephemeralLow(): number {
  try {
    const low = Number(
      fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0],
    );
    return low > 11000 ? low : 32768;
  } catch {
    return 32768;
  }
}

/** Whether a server can listen on `port` of 127.0.0.1 now. */
function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

export interface Server {
  url: string;
  child: ChildProcess;
  /** What it printed (for a failing test's message). */
  log(): string;
  /**
   * SIGTERM, then SIGKILL after `graceMs` (2 s). 0 kills at once: for a server on a scratch folder
   * nothing reads again (an `after` hook), where a graceful shutdown only keeps the worker waiting
   * (VictoriaMetrics and Garage took the whole 2 s in every file's `after` here).
   */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Polls `probe` every `everyMs` (100 ms) until it resolves true or `ms` pass. A wait that cannot end
 * in the first seconds (Prometheus applies its first targets 5 s after it starts) polls less often:
 * each poll is a request the worker and the server both spend CPU on.
 */
export async function until(
  probe: () => Promise<boolean>,
  ms: number,
  what: string,
  everyMs = 100,
): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Starts `bin args` and waits until `readyPath` answers on `port` with 200 (or one of `statuses`).
 * `env` is added to the process's environment.
 */
export async function startServer(
  bin: string,
  args: string[],
  port: number,
  readyPath: string,
  statuses: number[] = [200],
  env: Record<string, string> = {},
): Promise<Server> {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let out = "";
  child.stdout.on("data", (d) => (out = (out + d).slice(-4000)));
  child.stderr.on("data", (d) => (out = (out + d).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = (graceMs = 2000) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.once("exit", () => {
        clearTimeout(kill);
        resolve();
      });
      if (graceMs > 0) child.kill("SIGTERM");
    });
  try {
    await until(
      async () => {
        if (child.exitCode !== null) throw new Error(`${bin} exited: ${out}`);
        return statuses.includes(
          (await fetch(url + readyPath, { signal: AbortSignal.timeout(1000) })).status,
        );
      },
      // A start takes well under a second here; the bound is for a loaded machine. vmalert once
      // missed a 10 s bound in a CI rehearsal (cold suite, alive and silent at -loggerLevel=ERROR).
      30_000,
      `${bin} on ${url}`,
    );
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  return { url, child, log: () => out, stop };
}

/**
 * Prometheus on loopback with `<dir>/prometheus.yml`, its TSDB in `<dir>/prom`; `extra` flags after
 * the tests' usual ones.
 */
export function startPrometheus(
  bin: string,
  dir: string,
  port: number,
  extra: string[] = [],
): Promise<Server> {
  const args = [
    `--config.file=${path.join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${path.join(dir, "prom")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...extra,
    "--log.level=error",
  ];
  return startServer(bin, args, port, "/-/ready");
}

/** Alertmanager on loopback with `<dir>/am.yml`, its state in `<dir>/am`, no cluster peer port. */
export function startAlertmanager(bin: string, dir: string, port: number): Promise<Server> {
  const args = [
    `--config.file=${path.join(dir, "am.yml")}`,
    `--storage.path=${path.join(dir, "am")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--cluster.listen-address=",
    "--log.level=error",
  ];
  return startServer(bin, args, port, "/-/ready");
}

/**
 * A small HTTP server on loopback for an API that cannot run here: `handler` gets each request and
 * its body and answers `{ status, json }` or `{ status, text }` (200 when a status is not given),
 * or nothing for a 404.
 */
export function stubHttp(
  handler: (req: http.IncomingMessage, body: string) => unknown,
): Promise<{ url: string; close(): void }> {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const r = handler(req, body) as { status?: number; json?: unknown; text?: string } | undefined;
        res.writeHead(r?.status ?? (r ? 200 : 404), {
          "Content-Type": r?.text ? "text/plain" : "application/json",
        });
        res.end(r?.text ?? JSON.stringify(r?.json ?? {}));
      });
    });
    s.listen(0, "127.0.0.1", () =>
      resolve({ url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}`, close: () => s.close() }),
    );
  });
}
