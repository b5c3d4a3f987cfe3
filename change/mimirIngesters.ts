/**
 * Mimir's ingesters leaving in one update, judged on the StatefulSets that run them (the program's
 * own, builders/metrics/mimirValues.ts: `mimir` with `-target=all`, or `mimir-write` with
 * `-target=distributor,ingester`), read from both sides' export objects, or from what runs with
 * `--running`. Pure.
 *
 * What Mimir 3.0 does when an ingester stops (grafana/mimir tag mimir-3.0.0, commit
 * 3e9aeb4323014b4bda858d1cbe5d83559b710cdd):
 * - it does not upload the samples it holds in memory: `blocks_storage.tsdb.flush_blocks_on_shutdown`
 *   defaults to false (upstream/engines/data/mimir-3.0/config-fields.tsv, cmd/mimir/config-descriptor.json:10595),
 *   which the program leaves; "By default, when an ingester shuts down, it does not upload the
 *   samples to long-term storage, which causes data loss"
 *   (docs/sources/mimir/manage/run-production-environment/scaling-out.md:78);
 * - it leaves the ring (`ingester.ring.unregister_on_shutdown` defaults to true, config-descriptor.json:3308);
 * - each series is written to `ingester.ring.replication_factor` ingesters (default 3,
 *   config-descriptor.json:3190; the program sets 3 from 3 ingesters, else 1, model/sizing.ts), so
 *   the samples an ingester has not yet uploaded are still held by the other copies' ingesters;
 * - "If you scale down two or more ingesters in a short period of time, queries might return
 *   partial results" (scaling-out.md:92), and the classic architecture's procedure takes one
 *   ingester at a time: `/ingester/prepare-instance-ring-downscale`, wait for its blocks to be
 *   queryable, `/ingester/shutdown` until it logs "finished flushing and shipping TSDB blocks",
 *   then stop it (scaling-out.md:94-109).
 * The StatefulSets stop every removed pod at once (`podManagementPolicy: Parallel`), and retain the
 * removed pods' claims (`whenScaled: Retain`): what those ingesters held stays on the claims, unread
 * until pods of those ordinals run again. So an update may remove one ingester (the procedure
 * between updates), and is refused when it removes more.
 */
import { mimirConfigIn } from "./mimirConfig";
import { engineFlags, engineOf } from "../checks/writtenPaths";
import { mimirModulesOf } from "../upstream/engines/mimirModules";
import { MIMIR_CONFIG_MAP } from "../builders/metrics/mimirValues";
import { mimirName } from "../model/services";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import type { ExportResource } from "../synth/synthesize";
import type { Refusal } from "./apiRules";

const STATEFULSET_TYPE = "kubernetes:apps/v1:StatefulSet";
/** Where the procedure is, as the refusal cites it. */
export const MIMIR_SCALE_DOWN_DOC =
  "grafana/mimir mimir-3.0.0 docs/sources/mimir/manage/run-production-environment/scaling-out.md, Scaling down ingesters in classic architecture; docs/how-to/check-a-change.md#removing-mimir-ingesters";
/** Mimir 3.0's default ingester replication factor (config-fields.tsv: cmd/mimir/config-descriptor.json:3190). */
const DEFAULT_REPLICATION_FACTOR = 3;

/** One StatefulSet whose pods run an ingester. */
export interface IngesterSet {
  namespace: string;
  name: string;
  /** `spec.replicas`; Kubernetes' default 1 when unset. */
  replicas: number;
}

/**
 * Whether a StatefulSet's pods run Mimir's ingester: a Mimir container whose `-target` (Mimir's
 * default `all` when unset) runs the ingester module, read as the rendered-object checks read it
 * (checks/writtenPaths.ts engineOf and engineFlags, upstream/engines/mimirModules.ts mimirModulesOf;
 * flags not known read as none, so as Mimir's `all`, which runs it).
 */
export function runsIngesters(sts: Record<string, any> | undefined): boolean {
  const containers: any[] = sts?.spec?.template?.spec?.containers ?? [];
  return containers.some(
    (c) =>
      engineOf(String(c?.image ?? "")) === "mimir" &&
      mimirModulesOf(engineFlags(c, "mimir").flags.get("target") ?? "all").modules.includes("ingester"),
  );
}

const replicasOf = (spec: Record<string, any> | undefined): number =>
  typeof spec?.replicas === "number" ? spec.replicas : 1;

/** The ingester-bearing StatefulSets of an export, by URN. */
export function ingesterSets(resources: ExportResource[]): Map<string, IngesterSet> {
  const out = new Map<string, IngesterSet>();
  for (const r of resources) {
    if (r.type !== STATEFULSET_TYPE || !r.custom || !runsIngesters(r.inputs)) continue;
    out.set(r.urn, {
      namespace: String(r.inputs?.metadata?.namespace ?? ""),
      name: String(r.inputs?.metadata?.name ?? ""),
      replicas: replicasOf(r.inputs?.spec),
    });
  }
  return out;
}

/** The ingester ring's replication factor in an export's Mimir config (the ConfigMap the program writes). */
export function replicationFactorOf(resources: ExportResource[]): { rf: number; from: string } {
  const config = mimirConfigIn(resources)?.config;
  const rf = config?.ingester?.ring?.replication_factor;
  return typeof rf === "number"
    ? { rf, from: `ingester.ring.replication_factor in ConfigMap ${MIMIR_CONFIG_MAP}` }
    : { rf: DEFAULT_REPLICATION_FACTOR, from: "Mimir 3.0's default ingester.ring.replication_factor" };
}

/**
 * The stack key that sets a StatefulSet's count: monolithic Mimir's is `mimir.replicas`; the
 * scaled-out write group's is the program's, from the series cap over the largest node
 * (config/sizing.ts mimirReadWriteShape), which no key sets directly.
 */
function countKey(set: IngesterSet, at?: OverridePlace): { named: string; keep: (n: number) => string } {
  if (set.name === mimirName("all"))
    return {
      named: stackKeyAt("mimir.replicas", at),
      keep: (n) => `set mimir.replicas: ${n}`,
    };
  return {
    named: `the write group's count (config/sizing.ts mimirReadWriteShape: from mimir.maxGlobalSeriesPerUser, else workload.activeSeries, over the largest node of nodePools; no stack key sets it directly)`,
    keep: (n) =>
      `no stack key keeps ${n}: the program sizes the write group itself, so bring the series cap and nodePools back to what gave ${n}`,
  };
}

/** What stopping `n` ingesters at once hides, with replication factor `rf`. */
function whatGoes(n: number, rf: { rf: number; from: string }): string {
  const copies =
    n >= rf.rf
      ? `with replication factor ${rf.rf} (${rf.from}) a series whose ${rf.rf === 1 ? "one copy sat" : `${rf.rf} copies all sat`} on the stopped ingesters has no copy left in the ring: its samples since the last block upload are neither queryable nor uploaded`
      : `queries may return partial results ("If you scale down two or more ingesters in a short period of time, queries might return partial results", scaling-out.md:92)`;
  return `an ingester that stops does not upload the samples it holds in memory (blocks_storage.tsdb.flush_blocks_on_shutdown defaults to false, Mimir 3.0 cmd/mimir/config-descriptor.json:10595); ${copies}; what they held stays on their retained claims (whenScaled: Retain), unread until pods of those ordinals run again`;
}

const theWay = (key: string) =>
  `Lower ${key} by one per update, running Mimir's scale-down procedure on the ingester that goes before each (POST /ingester/prepare-instance-ring-downscale, wait until its blocks are queryable, POST /ingester/shutdown until it logs "finished flushing and shipping TSDB blocks"; ${MIMIR_SCALE_DOWN_DOC})`;

/**
 * The refusal of an update taking `set` from `was` to `now` replicas (ingesters stopped together:
 * `podManagementPolicy: Parallel`), or undefined when it removes at most one. `running` says the
 * count came from what runs (its report) rather than from the previous export, and what the
 * program would have set.
 */
export function ingesterRefusal(
  set: IngesterSet,
  was: number,
  now: number,
  rf: { rf: number; from: string },
  at?: OverridePlace,
  running?: { report: string },
): Refusal | undefined {
  const n = was - now;
  if (n <= 1) return undefined;
  const key = countKey(set, at);
  const id = `StatefulSet ${set.namespace}/${set.name}`;
  // A running count above the program's is someone's `kubectl scale`: said with the key that keeps it.
  const counts = running
    ? `${id} runs ${was} (${running.report}) where the program plans ${now}: it was scaled above the program's count (kubectl scale); to keep ${was}, ${key.keep(was)}`
    : `${id} ${was} -> ${now}`;
  return {
    field: "spec.replicas",
    reason: `${key.named}: removes ${n} Mimir ingesters at once (${counts}); the StatefulSet stops them together (podManagementPolicy "Parallel"), and ${whatGoes(n, rf)}. ${theWay(set.name === mimirName("all") ? "mimir.replicas" : "the write group's count (through the keys it follows)")}`,
  };
}

/** Refusals of ingesters leaving, per ingester-bearing StatefulSet present on both sides (matched by URN). */
export function mimirIngesterChanges(
  before: ExportResource[],
  after: ExportResource[],
  at?: OverridePlace,
): { urn: string; refused: Refusal }[] {
  const [b, a] = [ingesterSets(before), ingesterSets(after)];
  const rf = replicationFactorOf(before);
  const out: { urn: string; refused: Refusal }[] = [];
  for (const [urn, now] of a) {
    const was = b.get(urn);
    if (!was) continue;
    const refused = ingesterRefusal(now, was.replicas, now.replicas, rf, at);
    if (refused) out.push({ urn, refused });
  }
  return out;
}

/**
 * Refusals of the first update against what runs: each planned ingester-bearing StatefulSet whose
 * running one (statefulsets.yaml) has more than one replica more. The running config is not
 * collected, so the replication factor is the one the program plans.
 */
export function runningIngesterRefusals(
  after: ExportResource[],
  live: Record<string, any>[],
  report: string,
  at?: OverridePlace,
): { subject: string; refused: Refusal }[] {
  const rf = replicationFactorOf(after);
  const out: { subject: string; refused: Refusal }[] = [];
  for (const planned of ingesterSets(after).values()) {
    const sts = live.find(
      (x) => x.metadata?.name === planned.name && x.metadata?.namespace === planned.namespace,
    );
    if (!sts || !runsIngesters(sts)) continue;
    const refused = ingesterRefusal(planned, replicasOf(sts.spec), planned.replicas, rf, at, { report });
    if (refused) out.push({ subject: `StatefulSet ${planned.namespace}/${planned.name}`, refused });
  }
  return out;
}
