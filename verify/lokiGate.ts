/**
 * `npm run verify -- --gate loki-join|loki-drain|loki-monolithic`: is the next step of the move off
 * SimpleScalable safe (docs/how-to/loki-off-simple-scalable.md)? And `--gate
 * loki-scale-down|loki-simple-scalable`: may the next monolithic pod leave (the way back, "The
 * other way" in the same how-to, or a scale-down of loki.replicas)? Asked of Loki's own HTTP server
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
 *   `ringNumTokens = 1`, `ringKeyOfLeader`). The monolithic pods (target `all`) and the backend
 *   pods run it (pkg/loki/loki.go:864-866, the targets' modules), each registered under its
 *   hostname (pkg/util/ring/ring_config.go:36,74 `instance_id`, default os.Hostname()).
 *
 * A monolithic pod holds an ingester as a write pod does (target `all`, pkg/loki/loki.go:866), in
 * the same ring under its pod's name, and leaves it the same way; so the steps back (the write pods
 * join, then the monolithic pods leave one per update, then "SimpleScalable") and a monolithic
 * scale-down are judged from the same pages.
 */
import { LOKI_TRANSITIONAL_MODE, runsMonolithic, type LokiMode } from "../model/sizing";
import { parseUserYaml } from "../model/yamlText";
import { ApiError, requestJson, requestText, statusSaid, urlOf } from "./http";
import { regExpText } from "../model/words";

/**
 * The steps of Loki's moves, each the update the gate of that name judges. Off SimpleScalable:
 * loki-join, loki-drain, loki-monolithic. A monolithic pod leaving (loki.replicas down by one, in
 * "Monolithic" or, on the way onto SimpleScalable, in the transitional mode): loki-scale-down; the
 * last one going with "SimpleScalable": loki-simple-scalable.
 */
export const LOKI_STEPS = [
  "loki-join",
  "loki-drain",
  "loki-monolithic",
  "loki-scale-down",
  "loki-simple-scalable",
] as const;
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
 * The steps that may come after where the stack stands (the stack file alone cannot tell which way
 * the transitional mode is going): from SimpleScalable the monolithic pods join; in the
 * transitional mode a write pod leaves while any is left, then Monolithic, or a monolithic pod
 * leaves while more than one runs, then SimpleScalable once one is left; in Monolithic a monolithic
 * pod leaves while more than one runs (below 2 the chart still runs one, and none can leave).
 */
export function lokiStepsFrom(m: Pick<LokiMove, "mode" | "write" | "replicas">): LokiStep[] {
  const scaleDown: LokiStep[] = runsMonolithic(m.mode) && m.replicas > 1 ? ["loki-scale-down"] : [];
  if (m.mode === "SimpleScalable") return ["loki-join"];
  if (m.mode === LOKI_TRANSITIONAL_MODE) {
    if (m.write === 0) return ["loki-monolithic", ...scaleDown];
    return ["loki-drain", ...scaleDown, ...(m.replicas > 1 ? [] : (["loki-simple-scalable"] as const))];
  }
  return scaleDown;
}

/** One instance of a ring page. */
export interface RingShard {
  id: string;
  state: string;
  address?: string;
}

const podOf = (set: string) => new RegExp(`^${regExpText(set)}-\\d+$`);
const ordinal = (id: string) => Number(id.slice(id.lastIndexOf("-") + 1));

/** An instance that is not ACTIVE, what its state means and what to wait for. */
const stateSaid = (s: RingShard) =>
  `${s.id} is ${s.state}${
    s.state === "LEAVING"
      ? " (still flushing its chunks: wait until it has left the ring)"
      : s.state === "UNHEALTHY"
        ? " (no heartbeat: it stopped without leaving; its WAL is on its claim, start it again)"
        : s.state === "JOINING" || s.state === "PENDING"
          ? " (not yet ACTIVE: wait until it is)"
          : ""
  }`;

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
  if (step === "loki-scale-down" || step === "loki-simple-scalable")
    return judgeMonolithicLeaving(step, m, shards);
  const problems: string[] = [];
  const said: string[] = [];
  const write = shards.filter((s) => podOf(m.writeSet).test(s.id));
  const mono = shards.filter((s) => podOf(m.monolithicSet).test(s.id));
  for (const s of shards) if (s.state !== "ACTIVE") problems.push(stateSaid(s));
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

/**
 * The ring before a monolithic pod leaves (pure): `loki-scale-down` (loki.replicas down by one) and
 * `loki-simple-scalable` (the last one goes with the mode). The ring must hold exactly the
 * monolithic pods the stack runs, every one ACTIVE: a pod the last update removed that is still
 * there is flushing (LEAVING) or stopped without leaving (UNHEALTHY), and the next must not go
 * before it has left. In the transitional mode every write pod must have joined ACTIVE first; before
 * the last monolithic pod goes, at least as many as the replication factor.
 */
function judgeMonolithicLeaving(
  step: "loki-scale-down" | "loki-simple-scalable",
  m: LokiMove,
  shards: RingShard[],
): { ok: boolean; detail: string } {
  const problems: string[] = [];
  const said: string[] = [];
  const write = shards.filter((s) => podOf(m.writeSet).test(s.id));
  const mono = shards.filter((s) => podOf(m.monolithicSet).test(s.id));
  // The chart runs one monolithic pod below 2 replicas (change/lokiMode.ts lokiSide).
  const runs = Math.max(1, m.replicas);
  const runsSaid = `loki.replicas is ${m.replicas}, so the stack runs ${runs} monolithic pod(s)`;
  const removed = mono.filter((s) => ordinal(s.id) >= runs);
  for (const s of removed)
    problems.push(
      s.state === "LEAVING"
        ? `${s.id} is LEAVING: the last update removed it (${runsSaid}) and it is still flushing its chunks; wait until it has left the ring`
        : s.state === "UNHEALTHY"
          ? `${s.id} is UNHEALTHY: the last update removed it (${runsSaid}) and it stopped without leaving the ring (no heartbeat); its WAL is on its claim: set loki.replicas back to ${ordinal(s.id) + 1} so it starts and replays it, then take the step again`
          : `${s.id} is ${s.state} though ${runsSaid}: the update that removes it has not stopped it yet; wait until it has flushed and left the ring`,
    );
  for (const s of shards) if (s.state !== "ACTIVE" && !removed.includes(s)) problems.push(stateSaid(s));
  const missing = (set: string, n: number, there: RingShard[]) =>
    Array.from({ length: n }, (_, i) => `${set}-${i}`).filter((id) => !there.some((s) => s.id === id));
  const monoMissing = missing(m.monolithicSet, runs, mono);
  if (monoMissing.length > 0)
    problems.push(
      `${monoMissing.join(", ")} not in the ring, though ${runsSaid}: wait until every monolithic pod the stack runs has joined ACTIVE`,
    );
  const transitional = m.mode === LOKI_TRANSITIONAL_MODE;
  const writeActive = write.filter((s) => s.state === "ACTIVE").length;
  if (transitional) {
    const writeMissing = missing(m.writeSet, m.write, write);
    if (writeMissing.length > 0)
      problems.push(
        `${writeMissing.join(", ")} not in the ring, though the stack runs ${m.write} write pod(s) (loki.write ${m.write}): the write pods must all have joined ACTIVE before a monolithic pod leaves; wait until they have`,
      );
  }
  if (step === "loki-simple-scalable") {
    if (runs > 1)
      problems.push(
        `${runsSaid}: "SimpleScalable" would remove them all in one update; lower loki.replicas by one per update to 1 first, each after --gate loki-scale-down passes`,
      );
    if (writeActive < m.replicationFactor)
      problems.push(
        `${writeActive} write pod(s) ACTIVE, fewer than the replication factor ${m.replicationFactor}: once the last monolithic pod leaves, the write pods must hold every copy; wait until they have joined ACTIVE`,
      );
  }
  const others = shards.length - write.length - mono.length;
  if (problems.length > 0) return { ok: false, detail: problems.join("; ") };
  said.push(`${mono.length} monolithic pod(s) ACTIVE`);
  if (transitional) said.push(`${writeActive} write pod(s) ACTIVE`);
  const last = mono.reduce((a, s) => (ordinal(s.id) > ordinal(a.id) ? s : a), mono[0]);
  if (step === "loki-scale-down") said.push(`next to leave: ${last.id} (set loki.replicas to ${runs - 1})`);
  else said.push(`last to leave: ${last.id} (set loki.mode to "SimpleScalable" and drop loki.replicas)`);
  if (others > 0) said.push(`${others} other instance(s)`);
  return { ok: true, detail: said.join(", ") };
}

/** The settings a leaving ingester needs to lose nothing, as the running config shows them. */
export function judgeLokiConfig(yamlText: string, leaving = "a write pod"): string[] {
  let cfg: any;
  try {
    cfg = parseUserYaml(yamlText);
  } catch {
    return ["/config did not answer YAML"];
  }
  const problems: string[] = [];
  if (cfg?.ingester?.wal?.flush_on_shutdown !== true)
    problems.push(
      `ingester.wal.flush_on_shutdown is ${JSON.stringify(cfg?.ingester?.wal?.flush_on_shutdown)}: ${leaving} that leaves would keep its chunks in its WAL only`,
    );
  if (cfg?.ingester?.lifecycler?.unregister_on_shutdown !== true)
    problems.push(
      `ingester.lifecycler.unregister_on_shutdown is ${JSON.stringify(cfg?.ingester?.lifecycler?.unregister_on_shutdown)}: ${leaving} that left would stay in the ring`,
    );
  // The gate's proof that a pod flushed is that it left the ring; with autoforget every ingester
  // removes an instance without a heartbeat for ring.kvstore.heartbeat_timeout (grafana/loki v3.7.6
  // pkg/ingester/ingester.go:164, 460-520 setupAutoForget), so a pod killed mid-flush would leave
  // it too. Loki's default is false (config-keys.tsv `ingester.autoforget_unhealthy`).
  if (cfg?.ingester?.autoforget_unhealthy === true)
    problems.push(
      `ingester.autoforget_unhealthy is true: ${leaving} stopped before it flushed (killed at its grace period, out of memory) would be forgotten by the ring after ring.kvstore.heartbeat_timeout, its WAL still on its claim, and this gate would pass; set it false`,
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
  // The pods about to leave must flush and unregister: the write pods off SimpleScalable (asked
  // once, before they start leaving), a monolithic pod before each scale-down (the config the
  // monolithic Service's pods run: the ring's base in these modes, model/endpoints.ts).
  const leaving =
    step === "loki-join"
      ? "a write pod"
      : step === "loki-scale-down" || step === "loki-simple-scalable"
        ? "a monolithic pod"
        : undefined;
  if (leaving) {
    const cfg = await requestText(urlOf(base, "/config"));
    if (cfg.status !== 200) problems.push(`/config: ${statusSaid(cfg.status, cfg.text)}`);
    else {
      const p = judgeLokiConfig(cfg.text, leaving);
      if (p.length > 0) problems.push(...p);
      else said.push("flush on shutdown and unregister on shutdown set");
    }
  }
  if (step === "loki-monolithic" || step === "loki-simple-scalable") {
    const url = urlOf(base, "/compactor/ring");
    const compactors = shardsOf(await requestJson(url), url);
    // Before the last monolithic pod goes, an instance that stays must be there to be elected:
    // the backend pods'.
    const staying =
      step === "loki-simple-scalable"
        ? compactors.filter((s) => !podOf(m.monolithicSet).test(s.id))
        : compactors;
    const active = staying.filter((s) => s.state === "ACTIVE");
    if (active.length === 0)
      problems.push(
        step === "loki-simple-scalable"
          ? `compactor ring: no ACTIVE instance outside the monolithic pods (${compactors.map((s) => `${s.id} ${s.state}`).join(", ") || "none"}): once they leave nothing runs the compactor; wait until a backend pod is ACTIVE in it`
          : "compactor ring: no ACTIVE instance to run the compactor",
      );
    else
      said.push(
        step === "loki-simple-scalable"
          ? `compactor ring: ${active.length} ACTIVE outside the monolithic pods, to run it once they have left`
          : `compactor ring: ${active.length} ACTIVE, one of them elected to run it`,
      );
  }
  if (problems.length > 0) return { ok: false, detail: `${step}: ${problems.join("; ")}` };
  return { ok: true, detail: `${step}: ${said.join("; ")}` };
}
