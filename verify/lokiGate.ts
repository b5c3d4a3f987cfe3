/**
 * `npm run verify -- --gate loki-join|loki-drain|loki-monolithic`: is the next step of the move off
 * SimpleScalable safe (docs/how-to/loki-off-simple-scalable.md)? Asked of Loki's own HTTP server
 * on the pods that hold ingesters (model/endpoints.ts `loki.ring`); no Loki runs in the tests, so
 * what each endpoint answers is read at the source and cited here (grafana/loki v3.7.6, and
 * grafana/dskit 8d1c6d34bb5a, the version its go.mod pins):
 *
 * - `GET /ring` (pkg/loki/modules.go initRing) with `Accept: application/json`: the ingester ring
 *   as `{"shards": [{"id", "state", "address", "timestamp", "registered_timestamp", "read_only",
 *   "read_only_updated_timestamp", "zone", "tokens"}], "now"}` (dskit ring/ring_http.go
 *   `httpResponse`, `ingesterDesc`, `renderHTTPResponse`: JSON when Accept contains
 *   application/json). `state` is ACTIVE, LEAVING, PENDING, JOINING or LEFT (ring/ring.proto
 *   `InstanceState`), or UNHEALTHY when the heartbeat is older than the heartbeat timeout
 *   (ring_http.go `handle`). An instance's `id` is its lifecycler ID, by default the hostname
 *   (ring/lifecycler.go: `lifecycler.ID`, default os.Hostname()): the pod's name.
 * - An ingester that stops marks itself LEAVING, flushes, and only then leaves the ring when
 *   `unregister_on_shutdown` (ring/lifecycler.go `stopping`: changeState LEAVING, processShutdown,
 *   unregister); Loki flushes on shutdown when `ingester.wal.flush_on_shutdown` (pkg/ingester/ingester.go
 *   `New`: `!cfg.WAL.Enabled || cfg.WAL.FlushOnShutdown`). So a write pod that has left the ring has
 *   flushed; one still LEAVING is flushing.
 * - `GET /ready` (pkg/loki/loki.go `readyHandler`): 200 "ready"; 503 "Application is stopping",
 *   "Some services are not Running: ...", or "Ingester not ready: ..." (the ingester's own check
 *   requires every instance of the ring ACTIVE and within its heartbeat: dskit ring/model.go
 *   `InstanceDesc.IsReady`).
 * - `GET /config` (pkg/loki/config_handler.go `configHandler`): the running config as YAML.
 * - `GET /compactor/ring` (pkg/compactor/ui.go `Handler`): the compactor's ring, the same page;
 *   one instance runs the compactor, the one the ring elects (pkg/compactor/compactor.go:
 *   `ringNumTokens = 1`, `ringKeyOfLeader`).
 */
import type { LokiMode } from "../model/sizing";
import { parseUserYaml } from "../model/yamlText";
import { ApiError, requestJson, requestText, statusSaid, urlOf } from "./http";

/** The steps of the move, each the update the gate of that name judges. */
export const LOKI_STEPS = ["loki-join", "loki-drain", "loki-monolithic"] as const;
export type LokiStep = (typeof LOKI_STEPS)[number];

/** What the stack file says of Loki, and the names of its pods. */
export interface LokiMove {
  mode: LokiMode;
  /** Monolithic pods the stack runs (loki.replicas). */
  replicas: number;
  /** Write pods the stack runs (loki.write). */
  write: number;
  replicationFactor: number;
  /** StatefulSet names: pods are `<name>-<ordinal>` (the chart's monolithic and write StatefulSets). */
  monolithicSet: string;
  writeSet: string;
}

/**
 * The step that comes after where the stack stands: from SimpleScalable the monolithic pods
 * join; in the transitional mode a write pod leaves while any is left, then Monolithic.
 */
export function nextLokiStep(m: Pick<LokiMove, "mode" | "write">): LokiStep | undefined {
  if (m.mode === "SimpleScalable") return "loki-join";
  if (m.mode === "Monolithic<->SimpleScalable") return m.write > 0 ? "loki-drain" : "loki-monolithic";
  return undefined;
}

/** One instance of a ring page. */
export interface RingShard {
  id: string;
  state: string;
  address?: string;
}

const podOf = (set: string) => new RegExp(`^${set.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}-\\d+$`);
const ordinal = (id: string) => Number(id.slice(id.lastIndexOf("-") + 1));

/**
 * The gate's judgement of the ring (pure): whether `step` may be applied now. Every instance must
 * be ACTIVE (a LEAVING one is still flushing, a JOINING or PENDING one holds no data yet, an
 * UNHEALTHY one stopped without leaving); the write pods in the ring must be those the stack runs
 * (a write pod that left has flushed); before a write pod leaves, the monolithic pods must all be
 * ACTIVE and hold every copy (replication factor); Monolithic comes only once no write pod is left.
 */
export function judgeLokiRing(
  step: LokiStep,
  m: LokiMove,
  shards: RingShard[],
): { ok: boolean; detail: string } {
  const problems: string[] = [];
  const said: string[] = [];
  const write = shards.filter((s) => podOf(m.writeSet).test(s.id));
  const mono = shards.filter((s) => podOf(m.monolithicSet).test(s.id));
  const notActive = shards.filter((s) => s.state !== "ACTIVE");
  for (const s of notActive)
    problems.push(
      `${s.id} is ${s.state}${s.state === "LEAVING" ? " (still flushing its chunks: wait until it has left the ring)" : s.state === "UNHEALTHY" ? " (no heartbeat: it stopped without leaving; its WAL is on its claim, start it again)" : ""}`,
    );
  const monoActive = mono.filter((s) => s.state === "ACTIVE").length;
  if (step === "loki-join") {
    if (write.length !== m.write)
      problems.push(
        `the ring holds ${write.length} write pod(s) of ${m.writeSet}, the stack runs ${m.write}`,
      );
    else said.push(`${write.length} write pod(s) ACTIVE`);
  } else {
    if (monoActive < m.replicas)
      problems.push(
        `${monoActive} of the ${m.replicas} monolithic pods (${m.monolithicSet}) are ACTIVE in the ring: they must all serve before a write pod leaves`,
      );
    if (monoActive < m.replicationFactor)
      problems.push(
        `${monoActive} monolithic pod(s) ACTIVE, fewer than the replication factor ${m.replicationFactor}: without the write pods the ring could not hold every copy`,
      );
    if (step === "loki-drain") {
      if (write.length !== m.write)
        problems.push(
          `the ring holds ${write.length} write pod(s), the stack runs ${m.write}${write.length > m.write ? ": a write pod the last update removed has not left the ring yet (flushing, or stopped without leaving)" : ""}`,
        );
      else {
        const next = write.reduce((a, s) => (ordinal(s.id) > ordinal(a.id) ? s : a), write[0]);
        if (next) said.push(`next to leave: ${next.id} (set loki.write to ${m.write - 1})`);
      }
    } else if (write.length > 0)
      problems.push(
        `write pods still in the ring: ${write.map((s) => `${s.id} (${s.state})`).join(", ")}; "Monolithic" comes once every write pod has flushed and left`,
      );
    if (problems.length === 0) said.unshift(`${monoActive} monolithic pod(s) ACTIVE`);
  }
  const others = shards.length - write.length - mono.length;
  if (others > 0) said.push(`${others} other instance(s)`);
  if (problems.length > 0) return { ok: false, detail: problems.join("; ") };
  return { ok: true, detail: said.join(", ") };
}

/** The settings a leaving ingester needs to lose nothing, as the running config shows them. */
export function judgeLokiConfig(yamlText: string): string[] {
  let cfg: any;
  try {
    cfg = parseUserYaml(yamlText);
  } catch {
    return ["/config did not answer YAML"];
  }
  const problems: string[] = [];
  if (cfg?.ingester?.wal?.flush_on_shutdown !== true)
    problems.push(
      `ingester.wal.flush_on_shutdown is ${JSON.stringify(cfg?.ingester?.wal?.flush_on_shutdown)}: a write pod that leaves would keep its chunks in its WAL only`,
    );
  if (cfg?.ingester?.lifecycler?.unregister_on_shutdown !== true)
    problems.push(
      `ingester.lifecycler.unregister_on_shutdown is ${JSON.stringify(cfg?.ingester?.lifecycler?.unregister_on_shutdown)}: a write pod that left would stay in the ring`,
    );
  return problems;
}

const shardsOf = (ring: any, url: string): RingShard[] => {
  if (!Array.isArray(ring?.shards))
    throw new ApiError(`${url}: expected {"shards": [...]} (the ring page as JSON)`);
  return ring.shards.map((s: any) => ({ id: String(s.id), state: String(s.state), address: s.address }));
};

/**
 * `loki-ring`: the gate of a step of the move, asked of Loki at `base` (its own HTTP port):
 * readiness, the ingester ring, and the flush settings (before the first step) or the compactor
 * (before the last).
 */
export async function checkLokiGate(
  base: string,
  step: LokiStep,
  m: LokiMove,
): Promise<{ ok: boolean; detail: string }> {
  const problems: string[] = [];
  const said: string[] = [];
  const ready = await requestText(urlOf(base, "/ready"));
  if (ready.status !== 200) problems.push(`/ready: ${statusSaid(ready.status, ready.text)}`);
  const ringUrl = urlOf(base, "/ring");
  const ring = judgeLokiRing(step, m, shardsOf(await requestJson(ringUrl), ringUrl));
  (ring.ok ? said : problems).push(`ingester ring: ${ring.detail}`);
  if (step === "loki-join") {
    const cfg = await requestText(urlOf(base, "/config"));
    if (cfg.status !== 200) problems.push(`/config: ${statusSaid(cfg.status, cfg.text)}`);
    else {
      const p = judgeLokiConfig(cfg.text);
      if (p.length > 0) problems.push(...p);
      else said.push("flush on shutdown and unregister on shutdown set");
    }
  }
  if (step === "loki-monolithic") {
    const url = urlOf(base, "/compactor/ring");
    const compactors = shardsOf(await requestJson(url), url);
    const active = compactors.filter((s) => s.state === "ACTIVE");
    if (active.length === 0) problems.push("compactor ring: no ACTIVE instance to run the compactor");
    else said.push(`compactor ring: ${active.length} ACTIVE, one of them elected to run it`);
  }
  if (problems.length > 0) return { ok: false, detail: `${step}: ${problems.join("; ")}` };
  return { ok: true, detail: `${step}: ${said.join("; ")}` };
}
