import {
  LOKI_SIZING,
  LOKI_GO_MEMLIMIT,
  MIMIR_SIZING,
  PROMETHEUS_SIZING,
  VM_SIZING,
  VM_CLUSTER_SIZING,
  MIMIR_READ_WRITE,
  BUDGET_MAX_REQUEST_SHARE,
  canLandOn,
  nodeLeft,
  parseQuantity,
  samplesPerSecond,
  sizedByProfile,
  SIZED_FOR_PROFILE,
  DAEMON_SWITCHES,
  SIZED_SWITCHES,
  SIZED_REPLICAS,
  chartCopies,
  chartPods,
  textReplicas,
  lokiSingleBinaryReplicas,
  switchOn,
  type ChartSwitch,
  type NodeShare,
  type PodScheduling,
  type SizedComponent,
} from "@homelab-observability/contract";
import type { NodePool, StackConfig } from "./schema";
import { durationSeconds } from "./schema";
import {
  mimirReplicationFactor,
  runsMonolithic,
  runsScalable,
  sizing,
  type Resources,
  type Workload,
} from "../model/sizing";
import { RELEASES } from "../model/endpoints";
import { lokiComponentName, lokiName, mimirName, prometheusName, vmName } from "../model/services";
import { capabilities } from "../model/phases";
import { auxiliaryPods, kpsConfigReloader } from "../model/auxiliaryPods";
import { listed } from "../model/words";
import { versions } from "../model/versions";
import { KIND_KEYS } from "../model/chartKinds";
import { isMap, propertyPath, valueAt } from "./tree";
import { VM_CLUSTER } from "../upstream/operators/victoriaMetrics";

/*
 * Sizing from the declared workload (`workload.*`) and the caps the stack sets, by upstream's own
 * rules (contract/sizing.ts cites each number). Pure: config in, sizes and problems out.
 *
 * The rules:
 * - Mimir's memory holds its series cap: ingester 2.5 GB per 300k in-memory series, distributor
 *   1 GB per 25k samples/s, querier and store-gateway 1 GB each, compactor 4 GB per 20M series.
 * - Prometheus holds workload.activeSeries at Mimir's ingester rate (the same TSDB head); its
 *   volume is retention x samples/s x 2 bytes; its size retention, unless set, 85% of its volume
 *   (prometheusRetentionSize).
 * - vmsingle holds workload.activeSeries at 2 x 1 KB per series; its volume is retention x
 *   samples/s x 1 byte x 1.2 (free space) x 1.2 (index).
 * - Loki stays Monolithic up to 20 GB a day and runs Distributed above, never SimpleScalable
 *   (deprecated; a running SimpleScalable stack keeps its targets until it moves off). Each
 *   component gets its share of the smallest documented tier (3 TB a day), never less than the
 *   profile's size; Distributed's replicas follow the tier's base replicas scaled to the logs,
 *   above a floor (3 ingesters, 2 of each stateless component, one compactor). Each pod is limited
 *   to its share over the part of the limit the chart gives Loki's Go runtime as GOMEMLIMIT
 *   (lokiPodBytes, 0.85).
 * - "The largest node" is what it leaves beside the pods every node runs (its DaemonSets,
 *   nodeDaemons, at the requests a `chartValues` override gives them), as the scheduler counts a
 *   pod against a node.
 * - When one vmsingle holding workload.activeSeries would be bigger than the largest node (the
 *   rule that refuses it), the VictoriaMetrics backend is the cluster version instead (VMCluster):
 *   vmstorage nodes enough that each holds its share (series x replication factor / nodes, at the
 *   same 2 KB per series) within BUDGET_MAX_REQUEST_SHARE of the largest node, at least two;
 *   vminsert and vmselect two each at the profile's size; each vmstorage volume its share of
 *   vmsingle's.
 * - When one Mimir holding its series cap would be bigger than the largest node (the rule that
 *   refuses it) and the stack declares workload.activeSeries, Mimir runs scaled out instead
 *   (mimirReadWriteShape; three groups of Mimir 3.0 modules, builders/metrics/mimirValues.ts):
 *   write pods (distributor + ingester) enough that each holds its share of cap x replication
 *   factor 3 in-memory series and of the samples/s within BUDGET_MAX_REQUEST_SHARE of the largest
 *   node, at least 3 (the replication factor); 2 read pods (query-frontend + querier) and 3
 *   backend pods (store-gateway, compactor, ruler, query-scheduler), each with the modules' memory
 *   at a homelab's 10 queries/s; the write volume holds its ingesters' share, the backend volume
 *   its store-gateway and compactor share.
 * - Data-bearing pods request the memory they are limited to (model/sizing.ts).
 * - What one pod needs must fit one node, and what the sized pods request together, beside the
 *   DaemonSets' pods and every other pod the pack's budget counts (the profile's sizes, the
 *   auxiliary pods of model/auxiliaryPods.ts, the sidecars an operator injects: besidePods), must
 *   fit BUDGET_MAX_REQUEST_SHARE of the pools; otherwise the config is refused naming the key. A
 *   pod whose memory request a `chartValues` override sets (sizedRequestOverride) requests what the
 *   override leaves, counted at the override's quantity; the pack's resource-budget judges the
 *   rendered pod. Not read: a `chartValues` override of an auxiliary pod's resources or switches.
 * - A series cap the program chooses is lowered until Mimir fits that share (shareSeriesCap).
 */

const GIB = 2 ** 30;
const MIB = 2 ** 20;
const DAY = 86400;

/**
 * Scrape interval the sample rate is computed with: the Prometheus Operator's default
 * (`scrapeInterval`, "Default: 30s", prometheus-operator Documentation/api-reference/api.md), which
 * kube-prometheus-stack keeps; Alloy's own default (60s) is slower, so this errs on the larger side.
 */
export const SCRAPE_INTERVAL_SECONDS = 30;

/** Mimir's default series cap when the stack declares no workload. */
export const DEFAULT_SERIES_CAP = 1_000_000;

/** Volume defaults when nothing asks for more (the sizes running stacks were created with). */
export const DEFAULT_VOLUMES = {
  loki: "10Gi",
  prometheus: "70Gi",
  mimir: "20Gi",
  victoriametrics: "20Gi",
} as const;

/** A memory quantity rounded up to 64 MiB, so sizes read well and never round below the need. */
export function memoryQuantity(bytes: number): string {
  return `${Math.ceil(bytes / (64 * MIB)) * 64}Mi`;
}
/** A volume size rounded up to whole GiB. */
export function volumeQuantity(bytes: number): string {
  return `${Math.ceil(bytes / GIB)}Gi`;
}

/** Memory one monolithic Mimir replica needs to hold `seriesCap` (planning-capacity.md, summed). */
export function mimirMemoryBytes(seriesCap: number, replicas: number): number {
  const rf = mimirReplicationFactor(replicas);
  const inMemory = (seriesCap * rf) / replicas;
  const samples = samplesPerSecond(seriesCap, SCRAPE_INTERVAL_SECONDS) / replicas;
  return (
    inMemory * MIMIR_SIZING.ingesterBytesPerSeries +
    samples * MIMIR_SIZING.distributorBytesPerSamplePerSecond +
    MIMIR_SIZING.querierBytes +
    MIMIR_SIZING.storeGatewayBytes +
    (MIMIR_SIZING.compactorBytes * seriesCap) / MIMIR_SIZING.compactorSeriesPerInstance / replicas
  );
}

/**
 * Mimir's default series cap on these pools: 1000000, or when one replica holding that would take
 * more than BUDGET_MAX_REQUEST_SHARE of the largest node (a Raspberry Pi's 8 GiB) beside the
 * `daemons`' pods on it, the largest cap (in steps of 10000) that does not: the share the pools'
 * sum is judged by counts those pods too (fitProblems), so a cap the program chose is never
 * refused by it, unless the profile's least request for Mimir is above that share whatever the
 * cap (fitProblems names the largest pool's memory then). The cap is lowered to what the pools hold, never the memory raised past a node.
 */
export function defaultSeriesCap(pools: PoolPlaces[], replicas: number, daemons: NodeDaemon[] = []): number {
  const room = (p: PoolPlaces) =>
    BUDGET_MAX_REQUEST_SHARE * (parseQuantity(p.memory) ?? 0) -
    daemonsOnPools(daemons, [{ ...p, count: 1 }]).reduce((n, d) => n + d.memory, 0);
  const bytes = Math.max(0, ...sizingPools(pools).map(room));
  let fits = seriesCapWithin(bytes, replicas);
  // The pod requests its memory rounded up to 64 MiB (memoryOf): the cap whose rounded request fits.
  const rounded = (cap: number) => parseQuantity(memoryQuantity(mimirMemoryBytes(cap, replicas))) ?? 0;
  while (fits >= 10_000 && rounded(fits) > bytes) fits -= 10_000;
  return fits >= DEFAULT_SERIES_CAP || fits <= 0 ? DEFAULT_SERIES_CAP : fits;
}

/**
 * The largest series cap, in steps of 10,000, whose monolithic Mimir replica needs at most `bytes`
 * (before the profile's rounding of its request): memory is linear in the cap, fixed modules
 * plus a per-series part. At most 0 when not even the fixed part fits.
 */
function seriesCapWithin(bytes: number, replicas: number): number {
  const fixed = mimirMemoryBytes(0, replicas);
  const perSeries = mimirMemoryBytes(1, replicas) - fixed;
  return Math.floor((bytes - fixed) / perSeries / 10_000) * 10_000;
}

/** Disk one Mimir replica needs: ingester, store-gateway (for the blocks retention), compactor. */
export function mimirDiskBytes(seriesCap: number, replicas: number, blocksRetentionSeconds: number): number {
  const rf = mimirReplicationFactor(replicas);
  return (
    (seriesCap * rf * MIMIR_SIZING.ingesterDiskPerSeries) / replicas +
    mimirStoreDiskBytes(seriesCap, replicas, blocksRetentionSeconds)
  );
}

/** Disk of the store-gateway (for the blocks retention) and compactor share of one of `replicas` pods. */
export function mimirStoreDiskBytes(
  seriesCap: number,
  replicas: number,
  blocksRetentionSeconds: number,
): number {
  const rf = mimirReplicationFactor(replicas);
  const year = 365 * DAY;
  // The store-gateway figure is for a year at RF 3: scaled to the retention and this RF.
  const storeGateway =
    (MIMIR_SIZING.storeGatewayDiskPerSeriesYearRf3 * seriesCap * (blocksRetentionSeconds / year) * rf) / 3;
  return (
    storeGateway / replicas +
    (MIMIR_SIZING.compactorDisk * seriesCap) / MIMIR_SIZING.compactorSeriesPerInstance / replicas
  );
}

export function prometheusMemoryBytes(series: number): number {
  return series * PROMETHEUS_SIZING.memoryBytesPerSeries;
}
export function prometheusDiskBytes(series: number, retentionSeconds: number): number {
  return (
    samplesPerSecond(series, SCRAPE_INTERVAL_SECONDS) *
    retentionSeconds *
    PROMETHEUS_SIZING.diskBytesPerSample
  );
}
/**
 * Prometheus' size retention on a volume of `volumeBytes`: PROMETHEUS_SIZING.retentionSizeShare
 * (85%) of it, rounded down so it never exceeds that share: to whole GiB from a 10 GiB volume up
 * (at least 80% of it then, still in upstream's 80-85%), to whole MiB below (where a whole GiB
 * would lose too much: 3GiB of 4Gi is 75%), never under 1MiB (0 would disable it). Written the way
 * Prometheus (units.ParseBase2Bytes) and the operator's ByteSize take it: "59GiB", "425MiB".
 */
export function prometheusRetentionSize(volumeBytes: number): string {
  const budget = PROMETHEUS_SIZING.retentionSizeShare * volumeBytes;
  if (volumeBytes >= 10 * GIB) return `${Math.floor(budget / GIB)}GiB`;
  return `${Math.max(1, Math.floor(budget / MIB))}MiB`;
}
export function vmMemoryBytes(series: number): number {
  return series * VM_SIZING.memoryBytesPerSeries;
}
export function vmDiskBytes(series: number, intervalSeconds: number, retentionSeconds: number): number {
  return (
    samplesPerSecond(series, intervalSeconds) *
    retentionSeconds *
    VM_SIZING.diskBytesPerSample *
    VM_SIZING.diskOverhead
  );
}

/** The VictoriaMetrics cluster a declared workload needs (undefined: one vmsingle holds it). */
export interface VmClusterShape {
  /** vmstorage pods. */
  storageReplicas: number;
  /** Memory of each vmstorage pod (request = limit). */
  storageMemory: string;
  /** Volume of each vmstorage pod. */
  storageVolume: string;
  replicationFactor: number;
  /** vminsert and vmselect pods each. */
  frontReplicas: number;
}

/** What of `takeover` decides whether the stack runs its exporters: its step and the KPS release it takes over. */
type TakeoverSteps = Pick<NonNullable<StackConfig["takeover"]>, "step"> & {
  releases: Pick<NonNullable<StackConfig["takeover"]>["releases"], "kubePrometheusStack">;
};

/**
 * Whether the stack runs its exporters (node-exporter, and kube-state-metrics once KPS is gone):
 * not while a running kube-prometheus-stack is only being imported, whose values (and its
 * node-exporter) stay until the takeover's update step, where a second DaemonSet on host port
 * 9100 would never become ready. The plan (plan/metrics.ts planExporters) and the pods every node
 * runs ({@link nodeDaemons}) both read it.
 */
export function runsExporters(
  cfg: Pick<StackConfig, "phase" | "metricsBackend"> & { takeover?: TakeoverSteps },
): boolean {
  const kpsOnlyImported = cfg.takeover?.step === "import" && !!cfg.takeover.releases.kubePrometheusStack;
  return !(capabilities(cfg.phase, cfg.metricsBackend).kps && kpsOnlyImported);
}

/** Where a chart's values hold a container's resources: the chart's name and the path under it. */
interface ValuesPath {
  chart: string;
  path: readonly string[];
}

/**
 * The containers the DaemonSets run: their rows of {@link CHART_RESOURCES}, kept apart so their
 * type says each has one (builders/metrics/exporterValues.ts, builders/logging/alloyValues.ts,
 * vectorValues.ts and lokiValues.ts; the pack reads the same paths of a chart it models,
 * policy/lib/charts.ts).
 */
const DAEMON_RESOURCES = {
  nodeExporter: { chart: versions.charts.nodeExporter.chart, path: ["resources"] },
  kubeRbacProxy: { chart: versions.charts.nodeExporter.chart, path: ["kubeRBACProxy", "resources"] },
  alloyNode: { chart: versions.charts.alloy.chart, path: ["alloy", "resources"] },
  alloyReloader: { chart: versions.charts.alloy.chart, path: ["configReloader", "resources"] },
  vector: { chart: versions.charts.vector.chart, path: ["resources"] },
  lokiCanary: { chart: versions.charts.loki.chart, path: ["lokiCanary", "resources"] },
} as const satisfies Partial<Record<Workload, ValuesPath>>;

/** A container the DaemonSets run. */
type DaemonContainer = keyof typeof DAEMON_RESOURCES;

/**
 * The switches of `chart` Helm takes only a boolean at, by a template of a chart without a schema
 * (contract ChartSwitch.boolOnly), each with its path and that template: the DaemonSets' parts'
 * switches, on the chart {@link DAEMON_RESOURCES} says runs them.
 */
export function boolOnlySwitches(chart: string): { path: string[]; why: string }[] {
  return (Object.keys(DAEMON_SWITCHES) as (keyof typeof DAEMON_SWITCHES)[]).flatMap((c) => {
    const s: ChartSwitch = DAEMON_SWITCHES[c];
    return DAEMON_RESOURCES[c].chart === chart && s.boolOnly
      ? [{ path: s.path.split("."), why: s.boolOnly }]
      : [];
  });
}

/** A `chartValues` key that sets a DaemonSet container's memory request. */
export interface DaemonOverride {
  /** `chartValues.alloy.alloy.resources.requests.memory`. */
  key: string;
  /** Its value as the stack file writes it. */
  written: unknown;
  /** The request it leaves, cores or bytes (0 when a null deletes it). */
  amount: number;
  /** The request the program gives the container, cores or bytes. */
  own: number;
}

/**
 * Where each DaemonSet's pod scheduling (nodeSelector, affinity, tolerations) is in its chart's
 * values, the pack's `scheduling` of the same workload (policy/lib/charts.ts): a `chartValues`
 * override there decides which pools' nodes run its pod.
 */
const DAEMON_SCHEDULING: Record<string, { chart: string; path: readonly string[] }> = {
  "node-exporter": { chart: versions.charts.nodeExporter.chart, path: [] },
  alloy: { chart: versions.charts.alloy.chart, path: ["controller"] },
  vector: { chart: versions.charts.vector.chart, path: [] },
  "loki-canary": { chart: versions.charts.loki.chart, path: ["lokiCanary"] },
};

/**
 * The log agents whose chart may render them as another kind than a DaemonSet, and the chart's own
 * default of the key choosing the kind (model/chartKinds.ts KIND_KEYS holds the key and the kind
 * each value chooses: alloy 1.5.0 `controller.type`, vector 0.56.0 `role`). The program writes the
 * DaemonSet's value (builders/logging/alloyValues.ts, vectorValues.ts); a `chartValues` override
 * choosing another makes the agent one pod on some node, which the pack's budget judges from the
 * rendered objects. `chartDefault`: alloy 1.5.0 values.yaml:250 `type: 'daemonset'`, vector 0.56.0
 * values.yaml:18 `role: "Aggregator"`.
 */
const DAEMON_KIND: Record<string, { chart: string; chartDefault: string }> = {
  alloy: { chart: versions.charts.alloy.chart, chartDefault: "daemonset" },
  vector: { chart: versions.charts.vector.chart, chartDefault: "Aggregator" },
};

/**
 * Whether `workload`'s chart renders it as a DaemonSet with the stack's `chartValues`: unset, the
 * program's choice stands; a null deletes it, so the chart's default applies.
 */
function rendersDaemonSet(cfg: Pick<StackConfig, "chartValues">, workload: string): boolean {
  const daemon = DAEMON_KIND[workload];
  const [key, kinds] = Object.entries(KIND_KEYS[daemon?.chart ?? ""] ?? {})[0] ?? [];
  if (!daemon || key === undefined || kinds === undefined) return true;
  const chosen = valueAt(cfg.chartValues[daemon.chart], key.split("."));
  if (chosen === undefined) return true;
  const value = chosen ?? daemon.chartDefault;
  return typeof value === "string" && kinds[value] === "DaemonSet";
}

/**
 * A DaemonSet's pod scheduling as its chart gets it: the program sets no nodeSelector or affinity
 * and tolerates every taint the pools declare (builders/security/hardening.ts tolerationsFor, the
 * policy node-agents-on-every-pool), which over the stack's own pools is tolerating any taint; a
 * `chartValues` override merged over that sets its own (a list, tolerations, replaced whole).
 */
function daemonScheduling(cfg: Pick<StackConfig, "chartValues">, workload: string): PodScheduling {
  const { chart, path } = DAEMON_SCHEDULING[workload];
  const at = (key: string) => valueAt(cfg.chartValues[chart], [...path, key]);
  const [nodeSelector, affinity, tolerations] = [at("nodeSelector"), at("affinity"), at("tolerations")];
  return {
    nodeSelector: isMap(nodeSelector) ? (nodeSelector as Record<string, string>) : {},
    affinity: isMap(affinity) ? affinity : undefined,
    tolerations: Array.isArray(tolerations) ? tolerations : [{ operator: "Exists" }],
  };
}

/** A DaemonSet's pod as the config check counts it on every node: its requests, and the overrides among them. */
export interface NodeDaemon extends NodeShare {
  /** Where its pods may land, as its chart gets it ({@link daemonScheduling}). */
  scheduling: PodScheduling;
  /** Its memory request as the program sizes it (model/sizing.ts), without any override. */
  ownMemory: number;
  /** The `chartValues` keys that set its containers' memory requests. */
  overrides: DaemonOverride[];
}

/**
 * What a DaemonSet container requests of `dim`, as its chart gets it: the program's size, or what
 * the stack's `chartValues` override merged over it sets (builders/chartValues.ts: maps merge key by
 * key). A null on the way deletes the program's value, so the chart's own default in its
 * values.yaml applies (alloy 1.5.0 renders `configReloader.resources.requests.cpu: null` as its 10m,
 * loki 18.11.0 `lokiCanary.resources: null` as no request): that default is read only by rendering,
 * so the program's size is counted and the pack's budget judges the rendered pod. A value that is
 * no quantity is the render's to refuse; the program's size is counted meanwhile.
 */
function daemonRequest(
  cfg: Pick<StackConfig, "profile" | "chartValues">,
  container: DaemonContainer,
  dim: "cpu" | "memory",
): { amount: number; override?: DaemonOverride } {
  const own = parseQuantity(sizing(cfg.profile, container).requests[dim]) ?? 0;
  const { chart, path } = CHART_RESOURCES[container];
  const steps = [...path, "requests", dim];
  const cur = valueAt(cfg.chartValues[chart], steps);
  if (cur === undefined || cur === null) return { amount: own };
  const amount = parseQuantity(cur);
  return amount === undefined
    ? { amount: own }
    : {
        amount,
        override: { key: propertyPath("chartValues", [chart, ...steps]), written: cur, amount, own },
      };
}

/**
 * Whether a switch of `chart` (a template `if`) is on for the stack: as the stack's `chartValues`
 * override sets it, else as the program writes it (`program`: on where a builder writes it on, or
 * the chart's default where it writes nothing); a null at the switch or at a map above it
 * (`kubeRBACProxy: null`) deletes the program's key with that map (builders/chartValues.ts), so the
 * chart's default holds.
 */
function chartSwitchOn(
  cfg: Pick<StackConfig, "chartValues">,
  chart: string,
  s: ChartSwitch,
  program: boolean,
): boolean {
  const path = [chart, ...s.path.split(".")];
  if (path.some((_, i) => valueAt(cfg.chartValues, path.slice(0, i + 1)) === null)) return s.default;
  const v = valueAt(cfg.chartValues, path);
  return v === undefined ? program : switchOn(s, v);
}

/**
 * The pods the program runs on every node, its DaemonSets, each with what its containers request:
 * the sizes the builders give them (model/sizing.ts), or a `chartValues` override of them
 * ({@link daemonRequest}): node-exporter where the stack runs its exporters ({@link runsExporters}),
 * with its kube-rbac-proxy unless a `chartValues` switch turns it off, the log agent (Alloy with its
 * config reloader, or Vector) and Loki's canary where loki.canary or its switch leaves it on
 * (contract DAEMON_SWITCHES, read as the chart's template `if` reads it). They tolerate every
 * pool's taints (the policy node-agents-on-every-pool), so every node holds them. The pack's
 * budget counts the rendered DaemonSets' requests, the same numbers.
 */
export function nodeDaemons(
  cfg: Pick<StackConfig, "profile" | "logAgent" | "phase" | "metricsBackend" | "chartValues"> & {
    loki: Pick<StackConfig["loki"], "canary">;
    takeover?: TakeoverSteps;
  },
): NodeDaemon[] {
  const pod = (workload: string, ...containers: DaemonContainer[]): NodeDaemon => {
    const cpu = containers.map((c) => daemonRequest(cfg, c, "cpu"));
    const memory = containers.map((c) => daemonRequest(cfg, c, "memory"));
    return {
      workload,
      cpu: cpu.reduce((n, r) => n + r.amount, 0),
      memory: memory.reduce((n, r) => n + r.amount, 0),
      ownMemory: containers.reduce(
        (n, c) => n + (parseQuantity(sizing(cfg.profile, c).requests.memory) ?? 0),
        0,
      ),
      overrides: memory.flatMap((r) => (r.override ? [r.override] : [])),
      scheduling: daemonScheduling(cfg, workload),
    };
  };
  const agent =
    cfg.logAgent === "alloy" ? pod("alloy", "alloyNode", "alloyReloader") : pod("vector", "vector");
  // The builders write the proxy on (exporterValues.ts) and the canary as loki.canary says.
  const on = (c: keyof typeof DAEMON_SWITCHES, program: boolean) =>
    chartSwitchOn(cfg, DAEMON_RESOURCES[c].chart, DAEMON_SWITCHES[c], program);
  return [
    ...(runsExporters(cfg)
      ? [
          pod(
            "node-exporter",
            "nodeExporter",
            ...(on("kubeRbacProxy", true) ? ["kubeRbacProxy" as const] : []),
          ),
        ]
      : []),
    ...(rendersDaemonSet(cfg, agent.workload) ? [agent] : []),
    ...(on("lokiCanary", cfg.loki.canary) ? [pod("loki-canary", "lokiCanary")] : []),
  ];
}

/**
 * What the DaemonSets' pods request of the memory of `pools`, DaemonSet by DaemonSet: its pod once
 * per node of each pool it can land on, by its nodeSelector, affinity and tolerations against the
 * pool's labels and taints (contract canLandOn, the rule by which the pack's budget counts them,
 * policy/lib/budget.ts daemonsPerPool). A DaemonSet on none of them is left out.
 */
/** What of a node pool decides which pods its nodes run and how much memory each has. */
type PoolPlaces = Pick<NodePool, "memory" | "taints"> & Partial<Pick<NodePool, "arch" | "labels" | "count">>;

function daemonsOnPools(
  daemons: NodeDaemon[],
  pools: PoolPlaces[],
): { daemon: NodeDaemon; nodes: number; memory: number }[] {
  return daemons.flatMap((daemon) => {
    const on = pools.filter((p) => canLandOn(daemon.scheduling, p.labels ?? {}, p.taints, p.arch));
    const nodes = on.reduce((n, p) => n + (p.count ?? 1), 0);
    return nodes > 0 ? [{ daemon, nodes, memory: daemon.memory * nodes }] : [];
  });
}

/** Memory one node of `pool` leaves beside the pods every node runs ({@link nodeDaemons}), bytes. */
function memoryLeft(pool: Pick<NodePool, "cpu" | "memory">, daemons: NodeShare[]): number {
  const node = { cpu: parseQuantity(pool.cpu) ?? 0, memoryBytes: parseQuantity(pool.memory) ?? 0 };
  return nodeLeft(node, daemons).memory;
}

/**
 * Memory the largest node of the sizing pools ({@link sizingPools}) leaves beside the pods every
 * node runs, bytes: what one pod sized here can have.
 */
function largestSizingNode(cfg: StackConfig): number {
  const daemons = nodeDaemons(cfg);
  return Math.max(0, ...sizingPools(cfg.nodePools).map((p) => memoryLeft(p, daemons)));
}

/**
 * The cluster version when one vmsingle holding workload.activeSeries would not fit the largest
 * node (its memory above what that node leaves beside the pods every node runs, nodeDaemons: the same rule fitProblems refuses vmsingle with); undefined
 * otherwise, so a stack that declares no such workload keeps its vmsingle and its data.
 */
export function vmClusterShape(cfg: StackConfig): VmClusterShape | undefined {
  const series = cfg.workload.activeSeries;
  if (series === undefined || cfg.metricsBackend !== "victoriametrics") return undefined;
  const largest = largestSizingNode(cfg);
  const single = parseQuantity(memoryOf(cfg.profile, "vmsingle", vmMemoryBytes(series)).limits.memory) ?? 0;
  if (single <= largest) return undefined;
  const rf = VM_CLUSTER_SIZING.replicationFactor;
  const need = vmMemoryBytes(series) * rf;
  const perNode = BUDGET_MAX_REQUEST_SHARE * largest;
  const storageReplicas = Math.max(
    VM_CLUSTER_SIZING.minReplicas,
    perNode > 0 ? Math.ceil(need / perNode) : VM_CLUSTER_SIZING.minReplicas,
  );
  const volume = parseQuantity(cfg.victoriametrics.volumeSize) ?? 0;
  return {
    storageReplicas,
    storageMemory: memoryOf(cfg.profile, "vmstorage", need / storageReplicas).limits.memory,
    storageVolume: volumeQuantity((volume * rf) / storageReplicas),
    replicationFactor: rf,
    frontReplicas: VM_CLUSTER_SIZING.minReplicas,
  };
}

/** One group of Mimir's scaled-out shape: pods, memory each (request = limit), volume each. */
export interface MimirTargetShape {
  replicas: number;
  memory: string;
  /** Volume of each pod; absent for read (a Deployment without one). */
  volume?: string;
}

/** Mimir scaled out (undefined: one monolithic Mimir holds the series cap). */
export interface MimirReadWriteShape {
  /** Ingester and store-gateway replication factor. */
  replicationFactor: number;
  write: MimirTargetShape;
  read: MimirTargetShape;
  backend: MimirTargetShape;
}

/** Memory of one write pod: its ingester's share of cap x RF in-memory series, its distributor's of the samples/s. */
export function mimirWriteBytes(seriesCap: number, replicas: number, rf: number): number {
  return (
    ((seriesCap * rf) / replicas) * MIMIR_SIZING.ingesterBytesPerSeries +
    (samplesPerSecond(seriesCap, SCRAPE_INTERVAL_SECONDS) / replicas) *
      MIMIR_SIZING.distributorBytesPerSamplePerSecond
  );
}
/** Memory of one read pod: a querier and a query-frontend at a homelab's query rate (each pod may take all of it). */
export function mimirReadBytes(): number {
  return MIMIR_SIZING.querierBytes + MIMIR_SIZING.queryFrontendBytes;
}
/**
 * Memory of one backend pod: store-gateway, ruler (internal mode: the querier's figure) and
 * query-scheduler at a homelab's query rate, plus its compactor's share (4 GB per 20M series,
 * scaled as for the monolithic pod). Mimir's Alertmanager holds no tenant's alerts here (the stack
 * runs its own Alertmanager), so its "1GB for every 5,000 firing alerts" adds nothing.
 */
export function mimirBackendBytes(seriesCap: number, replicas: number): number {
  return (
    MIMIR_SIZING.storeGatewayBytes +
    MIMIR_SIZING.rulerBytes +
    MIMIR_SIZING.querySchedulerBytes +
    (MIMIR_SIZING.compactorBytes * seriesCap) / MIMIR_SIZING.compactorSeriesPerInstance / replicas
  );
}

/**
 * Mimir scaled out when the stack declares workload.activeSeries and one monolithic Mimir
 * holding its series cap would not fit the largest node (its memory above what that node leaves beside the pods every node runs, nodeDaemons: the rule
 * fitProblems refuses it with); undefined otherwise, so a stack that declares no such workload
 * keeps its monolithic Mimir and its data.
 */
export function mimirReadWriteShape(cfg: StackConfig): MimirReadWriteShape | undefined {
  if (cfg.workload.activeSeries === undefined || cfg.metricsBackend !== "mimir") return undefined;
  const cap = cfg.mimir.maxGlobalSeriesPerUser;
  const largest = largestSizingNode(cfg);
  const single =
    parseQuantity(memoryOf(cfg.profile, "mimir", mimirMemoryBytes(cap, cfg.mimir.replicas)).limits.memory) ??
    0;
  if (single <= largest) return undefined;
  const rf = MIMIR_READ_WRITE.replicationFactor;
  const perNode = BUDGET_MAX_REQUEST_SHARE * largest;
  const total = mimirWriteBytes(cap, 1, rf);
  const writes = Math.max(
    MIMIR_READ_WRITE.minWriteReplicas,
    perNode > 0 ? Math.ceil(total / perNode) : MIMIR_READ_WRITE.minWriteReplicas,
  );
  const backends = MIMIR_READ_WRITE.backendReplicas;
  const retention = seconds(cfg.mimir.blocksRetention);
  return {
    replicationFactor: rf,
    write: {
      replicas: writes,
      memory: memoryOf(cfg.profile, "mimirWrite", mimirWriteBytes(cap, writes, rf)).limits.memory,
      // Ingester: "Disk space: 5GB for every 300,000 series in memory", its share of cap x RF.
      volume: volumeQuantity(((cap * rf) / writes) * MIMIR_SIZING.ingesterDiskPerSeries),
    },
    read: {
      replicas: MIMIR_READ_WRITE.readReplicas,
      memory: memoryOf(cfg.profile, "mimirRead", mimirReadBytes()).limits.memory,
    },
    backend: {
      replicas: backends,
      memory: memoryOf(cfg.profile, "mimirBackend", mimirBackendBytes(cap, backends)).limits.memory,
      volume: volumeQuantity(mimirStoreDiskBytes(cap, backends, retention)),
    },
  };
}

/**
 * Loki's mode for a day's logs: Monolithic up to about 20 GB a day, Distributed above
 * (grafana/loki v3.7.6 docs/sources/get-started/deployment-modes.md). Never SimpleScalable: it is
 * deprecated and goes away before Loki 4.0 (same page).
 */
export function lokiModeFor(logsPerDayBytes: number | undefined): "Monolithic" | "Distributed" {
  return logsPerDayBytes !== undefined && logsPerDayBytes > LOKI_SIZING.monolithicMaxBytesPerDay
    ? "Distributed"
    : "Monolithic";
}

/**
 * The most logs a day Monolithic Loki holds, in the units of `written` (workload.logsPerDay as the
 * stack file writes it): "30GB" beside a converted "27.9GiB" and a limit in GB read as two
 * different amounts, and a hint to lower it is pasted beside what the user wrote.
 */
export function monolithicMostAsWritten(written: string | undefined): string {
  const most = LOKI_SIZING.monolithicMaxBytesPerDay;
  return /iB$/.test(written?.trim() ?? "") ? formatBytes(most) : `${+(most / 1e9).toFixed(1)}GB`;
}

/** One component of Distributed Loki as sized: its pods and each pod's memory need (bytes). */
export interface LokiComponentShape {
  replicas: number;
  bytes: number;
}

/** Distributed Loki's components, by the chart's values key. */
export type LokiDistributedComponent = keyof typeof LOKI_SIZING.distributed;

/** The floor of replicas of each Distributed component: 3 ingesters (replication factor 3), 2 of each stateless one, one compactor. */
const DISTRIBUTED_MIN_REPLICAS: Record<LokiDistributedComponent, number> = {
  ingester: 3,
  distributor: 2,
  indexGateway: 2,
  querier: 2,
  queryFrontend: 2,
  queryScheduler: 2,
  // "1 (Singleton)" (setup/size/_index.md): one compactor applies retention and deletes.
  compactor: 1,
  ruler: 1,
};

/**
 * Distributed Loki for a day's logs: each component's share of the documented tier
 * (LOKI_SIZING.distributed, the 3 TB a day tier) scaled to the declared logs, its base replicas
 * scaled the same way (never below the floor: 3 ingesters for replication factor 3, 2 of each
 * stateless component, one compactor), the memory spread over them. Without a declared workload
 * the floors at the profile's sizes.
 */
export function lokiDistributedShape(
  logsPerDayBytes: number | undefined,
): Record<LokiDistributedComponent, LokiComponentShape> {
  const share = logsPerDayBytes === undefined ? 0 : logsPerDayBytes / LOKI_SIZING.tierBytesPerDay;
  const out = {} as Record<LokiDistributedComponent, LokiComponentShape>;
  for (const c of Object.keys(LOKI_SIZING.distributed) as LokiDistributedComponent[]) {
    const tier = LOKI_SIZING.distributed[c];
    const replicas =
      c === "compactor" ? 1 : Math.max(DISTRIBUTED_MIN_REPLICAS[c], Math.ceil(tier.replicas * share));
    out[c] = { replicas, bytes: (tier.bytes * share) / replicas };
  }
  return out;
}

/** The Workload (model/sizing.ts) of each Distributed component. */
export const LOKI_DISTRIBUTED_WORKLOADS: Record<LokiDistributedComponent, Workload> = {
  ingester: "lokiIngester",
  distributor: "lokiDistributor",
  indexGateway: "lokiIndexGateway",
  querier: "lokiQuerier",
  queryFrontend: "lokiQueryFrontend",
  queryScheduler: "lokiQueryScheduler",
  compactor: "lokiCompactor",
  ruler: "lokiRuler",
};

/** The Workload (model/sizing.ts) of each target Monolithic and SimpleScalable run, by the name its sized component says (`loki write`). */
const LOKI_SCALABLE_WORKLOADS = {
  monolithic: "lokiSingleBinary",
  write: "lokiWrite",
  read: "lokiRead",
  backend: "lokiBackend",
} as const satisfies Record<string, Workload>;

/** Distributed components with a claim (the chart's StatefulSets with persistence). */
export const LOKI_DISTRIBUTED_CLAIMS: readonly LokiDistributedComponent[] = [
  "ingester",
  "indexGateway",
  "compactor",
  "ruler",
];

/** Memory per pod of a SimpleScalable target: its share of the documented tier, spread over its replicas. */
export function lokiTargetBytes(tierBytes: number, logsPerDayBytes: number, replicas: number): number {
  return (tierBytes * (logsPerDayBytes / LOKI_SIZING.tierBytesPerDay)) / replicas;
}

/** The resolved sizing of a stack: resource overrides per workload and what each is sized for. */
export interface Sizing {
  /** Requests and limits that replace the profile's for these workloads. */
  resources: Partial<Record<Workload, Resources>>;
  /** Every sized component, for the budget, the stack-info ConfigMap and the pack. */
  components: SizedComponent[];
}

/** Memory request = limit (data-bearing), CPU from the profile. */
function memoryOf(profile: StackConfig["profile"], w: Workload, bytes: number): Resources {
  const base = sizing(profile, w);
  const profileLimit = parseQuantity(base.limits.memory) ?? 0;
  const memory = bytes > profileLimit ? memoryQuantity(bytes) : base.limits.memory;
  return { requests: { cpu: base.requests.cpu, memory }, limits: { ...base.limits, memory } };
}

/** Sizes the components the stack's phase runs from its workload and caps. */
export function planSizing(cfg: StackConfig): Sizing {
  const caps = capabilities(cfg.phase, cfg.metricsBackend);
  const resources: Partial<Record<Workload, Resources>> = {};
  const components: SizedComponent[] = [];
  const series = cfg.workload.activeSeries;
  const logs = cfg.workload.logsPerDayBytes;
  const bytes = (q: string) => parseQuantity(q) ?? 0;
  /** Records a sized component; its memory and request are those of the resources it runs with. */
  const add = (
    c: Pick<
      SizedComponent,
      "component" | "workload" | "replicas" | "volumeBytes" | "sizedFor" | "atProfile" | "runtimeShare"
    >,
    r: Resources,
    w: Workload,
  ) =>
    components.push({
      component: c.component,
      workload: c.workload,
      replicas: c.replicas,
      memoryBytes: bytes(r.limits.memory),
      requestBytes: bytes(r.requests.memory),
      volumeBytes: c.volumeBytes,
      sizedFor: c.sizedFor,
      floorBytes: bytes(sizing(cfg.profile, w).limits.memory),
      ...(c.atProfile ? { atProfile: true } : {}),
      ...(below.has(w) ? { needBytes: below.get(w) } : {}),
      ...(c.runtimeShare !== undefined && c.runtimeShare < 1 ? { runtimeShare: c.runtimeShare } : {}),
    });
  /** What a workload's declared load or cap needs a pod where that is less than the profile gives it. */
  const below = new Map<Workload, number>();
  /** The profile's resources for `w`, or memory for `need` bytes (kept as an override) when a workload is declared. */
  const sizedBy = (w: Workload, need: number | undefined): Resources => {
    if (need === undefined) return sizing(cfg.profile, w);
    if (need < bytes(sizing(cfg.profile, w).limits.memory)) below.set(w, Math.ceil(need));
    return (resources[w] = memoryOf(cfg.profile, w, need));
  };
  const seriesFor = series === undefined ? SIZED_FOR_PROFILE : `${series} series (workload.activeSeries)`;

  const acc: SizingAcc = { cfg, caps, resources, series, logs, bytes, add, sizedBy, seriesFor };
  sizeMimir(acc);
  sizeVictoriaMetrics(acc);
  sizePrometheus(acc);
  sizeLoki(acc, components);
  return { resources, components };
}

/** What each component's sizing reads and where it records its result. */
interface SizingAcc {
  cfg: StackConfig;
  caps: ReturnType<typeof capabilities>;
  /** Resources that override the profile's, by workload. */
  resources: Partial<Record<Workload, Resources>>;
  series?: number;
  logs?: number;
  bytes: (q: string) => number;
  /**
   * Records a sized component; its memory and request are those of the resources it runs with,
   * its floor the profile's for workload `w`.
   */
  add: (
    c: Pick<
      SizedComponent,
      "component" | "workload" | "replicas" | "volumeBytes" | "sizedFor" | "atProfile" | "runtimeShare"
    >,
    r: Resources,
    w: Workload,
  ) => void;
  /** The profile's resources for `w`, or memory for `need` bytes (kept as an override) when a workload is declared. */
  sizedBy: (w: Workload, need: number | undefined) => Resources;
  seriesFor: string;
}

/** Mimir: monolithic, sized for its series cap, or its scaled-out groups. */
function sizeMimir({ cfg, caps, resources, series, bytes, add }: SizingAcc): void {
  const mimirRw = mimirReadWriteShape(cfg);
  if (caps.backend && cfg.metricsBackend === "mimir" && mimirRw) {
    const cap = cfg.mimir.maxGlobalSeriesPerUser;
    // The cap is the declared series unless mimir.maxGlobalSeriesPerUser sets it higher.
    const from = cap === series ? "workload.activeSeries" : "mimir.maxGlobalSeriesPerUser";
    const targets = [
      ["write", "mimirWrite", mimirRw.write, `${cap} series scaled out (${from})`],
      ["read", "mimirRead", mimirRw.read, `${cap} series scaled out at 10 queries/s (${from})`],
      ["backend", "mimirBackend", mimirRw.backend, `${cap} series scaled out (${from})`],
    ] as const;
    for (const [target, w, t, sizedFor] of targets) {
      const r = memoryOf(cfg.profile, w, bytes(t.memory));
      resources[w] = r;
      add(
        {
          component: `mimir ${target}`,
          workload: mimirName(target),
          replicas: t.replicas,
          volumeBytes: t.volume === undefined ? 0 : bytes(t.volume),
          sizedFor,
        },
        r,
        w,
      );
    }
  } else if (caps.backend && cfg.metricsBackend === "mimir") {
    const cap = cfg.mimir.maxGlobalSeriesPerUser;
    const from =
      series !== undefined && cap === series ? "workload.activeSeries" : "mimir.maxGlobalSeriesPerUser";
    const r = memoryOf(cfg.profile, "mimir", mimirMemoryBytes(cap, cfg.mimir.replicas));
    resources.mimir = r;
    add(
      {
        component: "mimir",
        workload: mimirName("all"),
        replicas: cfg.mimir.replicas,
        volumeBytes: bytes(cfg.mimir.volumeSize),
        sizedFor: `${cap} series (${from})`,
      },
      r,
      "mimir",
    );
  }
}

/** VictoriaMetrics: vmsingle for the declared series, or a VMCluster past what one node holds. */
function sizeVictoriaMetrics({
  cfg,
  caps,
  resources,
  series,
  bytes,
  add,
  sizedBy,
  seriesFor,
}: SizingAcc): void {
  const vmCluster = vmClusterShape(cfg);
  if (caps.backend && cfg.metricsBackend === "victoriametrics" && vmCluster) {
    const r = memoryOf(cfg.profile, "vmstorage", parseQuantity(vmCluster.storageMemory) ?? 0);
    resources.vmstorage = r;
    add(
      {
        component: "vmstorage",
        // The operator names the cluster's pods `<component>-<CR name>`; the CR is the release fullname.
        workload: vmName("vmstorage"),
        replicas: vmCluster.storageReplicas,
        volumeBytes: bytes(vmCluster.storageVolume),
        sizedFor: seriesFor,
      },
      r,
      "vmstorage",
    );
    for (const w of ["vminsert", "vmselect"] as const) {
      add(
        {
          component: w,
          workload: vmName(w),
          replicas: vmCluster.frontReplicas,
          volumeBytes: 0,
          // Judged with the cluster (fitProblems): "the profile" alone would leave them out.
          sizedFor: `${series} series beside vmstorage, at the profile's size (workload.activeSeries)`,
          atProfile: true,
        },
        sizing(cfg.profile, w),
        w,
      );
    }
  } else if (caps.backend && cfg.metricsBackend === "victoriametrics") {
    add(
      {
        component: "vmsingle",
        // The VMSingle CR is named after the release fullname; the pack names its pods by it.
        workload: RELEASES.vm,
        replicas: 1,
        volumeBytes: bytes(cfg.victoriametrics.volumeSize),
        sizedFor: seriesFor,
      },
      sizedBy("vmsingle", series === undefined ? undefined : vmMemoryBytes(series)),
      "vmsingle",
    );
  }
}

/** KPS's Prometheus while it runs. */
function sizePrometheus({ cfg, caps, series, bytes, add, sizedBy, seriesFor }: SizingAcc): void {
  if (caps.kps) {
    add(
      {
        component: "prometheus",
        // The Prometheus CR (`<fullname>-prometheus`), as the pack names its pods.
        workload: prometheusName(cfg.takeover?.kpsFullname),
        replicas: 1,
        volumeBytes: bytes(cfg.prometheus.volumeSize),
        sizedFor: seriesFor,
      },
      sizedBy("prometheus", series === undefined ? undefined : prometheusMemoryBytes(series)),
      "prometheus",
    );
  }
}

/**
 * The share of a Loki container's memory limit the loki chart gives its Go runtime as GOMEMLIMIT
 * (contract LOKI_GO_MEMLIMIT): a `chartValues.loki.defaults.goSettings.goMemLimitFactor` number
 * replaces 0.85, but 0 does not turn it off as the chart's values.yaml says: the template reads it
 * through `default 0.85` (loki 18.11.0 templates/_helpers.tpl:1170; run with helm 3.17.3: 0 renders
 * 870MiB of a 1Gi limit, 0.5 512MiB, 1.2 1228MiB). A share above 1 sets GOMEMLIMIT past the limit,
 * which then holds the load itself (1).
 */
function lokiRuntimeShare(cfg: Pick<StackConfig, "chartValues">): number {
  const set = valueAt(cfg.chartValues.loki, LOKI_GO_MEMLIMIT.path.split("."));
  return typeof set === "number" && set > 0 ? Math.min(1, set) : LOKI_GO_MEMLIMIT.default;
}

/** The memory limit of a Loki pod whose load needs `load` bytes: the load over its runtime's share (lokiRuntimeShare). */
export function lokiPodBytes(cfg: Pick<StackConfig, "chartValues">, load: number): number {
  return load / lokiRuntimeShare(cfg);
}

/** Loki's targets for the declared logs a day. */
function sizeLoki({ cfg, logs, bytes, add, sizedBy }: SizingAcc, components: SizedComponent[]): void {
  const l = cfg.loki;
  const lokiFor = logs === undefined ? SIZED_FOR_PROFILE : `${formatBytes(logs)} a day (workload.logsPerDay)`;
  const lokiTarget = (
    target: keyof typeof LOKI_SCALABLE_WORKLOADS,
    name: string,
    replicas: number,
    tierBytes: number,
  ) => {
    const need =
      logs === undefined ? undefined : lokiPodBytes(cfg, lokiTargetBytes(tierBytes, logs, replicas));
    const w = LOKI_SCALABLE_WORKLOADS[target];
    add(
      {
        component: `loki ${target}`,
        workload: name,
        replicas,
        volumeBytes: bytes(l.volumeSize),
        sizedFor: lokiFor,
        ...(logs === undefined ? {} : { runtimeShare: lokiRuntimeShare(cfg) }),
      },
      sizedBy(w, need),
      w,
    );
  };
  if (l.mode === "Distributed") {
    const shape = lokiDistributedShape(logs);
    for (const [c, t] of Object.entries(shape) as [LokiDistributedComponent, LokiComponentShape][]) {
      const w = LOKI_DISTRIBUTED_WORKLOADS[c];
      add(
        {
          component: `loki ${c}`,
          workload: lokiComponentName(c),
          replicas: t.replicas,
          volumeBytes: LOKI_DISTRIBUTED_CLAIMS.includes(c) ? bytes(l.volumeSize) : 0,
          // Judged against the nodes even without a declared workload: Distributed is chosen.
          sizedFor: logs === undefined ? `Distributed at its floor (loki.mode)` : lokiFor,
          atProfile: logs === undefined,
          ...(logs === undefined ? {} : { runtimeShare: lokiRuntimeShare(cfg) }),
        },
        sizedBy(w, logs === undefined ? undefined : lokiPodBytes(cfg, t.bytes)),
        w,
      );
    }
    return;
  }
  if (runsMonolithic(l.mode)) {
    // One Loki holds everything up to the monolithic limit; its share is the whole tier's.
    lokiTarget(
      "monolithic",
      RELEASES.loki,
      l.replicas,
      LOKI_SIZING.tierWriteBytes + LOKI_SIZING.tierReadBytes + LOKI_SIZING.tierBackendBytes,
    );
  }
  if (runsScalable(l.mode)) {
    // While moving off SimpleScalable the write pods still running keep their size.
    if (l.write > 0) lokiTarget("write", lokiName("write"), l.write, LOKI_SIZING.tierWriteBytes);
    lokiTarget("backend", lokiName("backend"), l.backend, LOKI_SIZING.tierBackendBytes);
    // read is a Deployment in the chart (no volume), sized all the same.
    lokiTarget("read", lokiName("read"), l.read, LOKI_SIZING.tierReadBytes);
    components[components.length - 1].volumeBytes = 0;
  }
}

/** "50GiB"-style text of a byte count, for messages. */
export function formatBytes(b: number): string {
  if (b >= GIB) return `${+(b / GIB).toFixed(1)}GiB`;
  return `${Math.ceil(b / MIB)}MiB`;
}

/**
 * The pools the sized pods are sized for and judged against: those a pod without tolerations can
 * land on (no NoSchedule/NoExecute taint), or every pool when each has such a taint. Then the pods
 * that run at all run there, with the tolerations the pack's resource-budget judges (naming
 * `nodePools[i].taints` and each workload kept off); sized against no pool, any declared workload
 * was past "the largest node" (0 bytes: a vmsingle of 1000 series made a VMCluster).
 */
function sizingPools<P extends Pick<NodePool, "taints">>(pools: P[]): P[] {
  const open = openPools(pools);
  return open.length > 0 ? open : pools;
}

/** Pools a pod without tolerations can land on (no NoSchedule/NoExecute taint). */
export function openPools<P extends Pick<NodePool, "taints">>(pools: readonly P[]): P[] {
  return pools.filter((p) => !p.taints.some((t) => t.effect === "NoSchedule" || t.effect === "NoExecute"));
}

/**
 * Where the builders put each workload's resources in its chart's values, the one table of it:
 * the DaemonSets' containers ({@link DAEMON_RESOURCES}) and the sized components a chart runs
 * (builders/logging/lokiValues.ts `target` and `component`, under the chart's key of each target
 * and Distributed component; builders/metrics/kpsValues.ts `prometheus.prometheusSpec`;
 * builders/metrics/vmValues.ts `vmsingle.spec` and vmClusterValues' `vmcluster.spec.<component>`).
 * A `chartValues` override there is merged over the program's sizes, so the pods request it. Mimir
 * runs from no chart (config/chartValues.ts): no override reaches its pods, and it has no row.
 */
const CHART_RESOURCES: Readonly<Partial<Record<Workload, ValuesPath>>> & typeof DAEMON_RESOURCES = (() => {
  const [vm, loki] = [versions.charts.victoriaMetricsStack.chart, versions.charts.loki.chart];
  const lokiAt = (key: string): ValuesPath => ({ chart: loki, path: [key, "resources"] });
  return {
    ...DAEMON_RESOURCES,
    prometheus: {
      chart: versions.charts.kubePrometheusStack.chart,
      path: ["prometheus", "prometheusSpec", "resources"],
    },
    vmsingle: { chart: vm, path: ["vmsingle", "spec", "resources"] },
    // A VMCluster's components are the keys of its spec that hold them (upstream/operators).
    ...Object.fromEntries(
      Object.keys(VM_CLUSTER).map((c) => [c, { chart: vm, path: ["vmcluster", "spec", c, "resources"] }]),
    ),
    lokiSingleBinary: lokiAt("singleBinary"),
    lokiWrite: lokiAt("write"),
    lokiRead: lokiAt("read"),
    lokiBackend: lokiAt("backend"),
    ...Object.fromEntries(Object.entries(LOKI_DISTRIBUTED_WORKLOADS).map(([c, w]) => [w, lokiAt(c)])),
  };
})();

/**
 * Whether the stack's `chartValues` leave a sized component's pods running: each of its switches
 * (contract SIZED_SWITCHES, the list the pack's chart model reads too) on, in the chart its
 * resources are written to ({@link sizedValuesPath}). A switch the override leaves unset holds the
 * program's value, which is on where it sizes the component (builders/metrics/vmValues.ts writes
 * `vmsingle.enabled` and `vmcluster.enabled`), or the chart's default, on; a null deletes the
 * program's key (builders/chartValues.ts), so the chart's default holds.
 */
function runsWithChartValues(
  cfg: Pick<StackConfig, "chartValues">,
  c: Pick<SizedComponent, "component">,
): boolean {
  const chart = sizedValuesPath(c.component)?.chart;
  const sw = SIZED_SWITCHES[c.component];
  if (chart === undefined || sw === undefined) return true;
  return [sw.enabled, ...(sw.part ? [sw.part] : [])].every((s) => chartSwitchOn(cfg, chart, s, true));
}

/**
 * The workload of each Loki target a sized component names (`loki write`, `loki ingester`):
 * {@link sizeLoki} sizes each as it.
 */
const LOKI_TARGET_WORKLOADS: Readonly<Record<string, Workload>> = {
  ...LOKI_SCALABLE_WORKLOADS,
  ...LOKI_DISTRIBUTED_WORKLOADS,
};

/**
 * Where the builders put a sized component's resources ({@link CHART_RESOURCES}): a Loki target's
 * by its workload, any other component's by its own name, which is its workload's (prometheus,
 * vmsingle, a VMCluster's components; {@link planSizing}); undefined for Mimir's.
 */
export function sizedValuesPath(component: string): ValuesPath | undefined {
  const loki = /^loki (.+)$/.exec(component)?.[1];
  const w = loki === undefined ? component : LOKI_TARGET_WORKLOADS[loki];
  return w !== undefined && Object.hasOwn(CHART_RESOURCES, w) ? CHART_RESOURCES[w as Workload] : undefined;
}

/**
 * The `chartValues` key that sets a sized component's memory request, if any: the request itself,
 * or a value on the way to it that is no map, which replaces the program's sizes (a null deletes
 * them: the chart's default applies, known only by rendering). Its pods then request what the
 * override leaves, not what the component is sized for.
 */
export function sizedRequestOverride(
  cfg: Pick<StackConfig, "chartValues">,
  c: Pick<SizedComponent, "component">,
): string | undefined {
  const at = sizedValuesPath(c.component);
  if (at === undefined) return undefined;
  const steps = [...at.path, "requests", "memory"];
  for (let i = 1; i <= steps.length; i++) {
    const v = valueAt(cfg.chartValues[at.chart], steps.slice(0, i));
    if (v === undefined) return undefined;
    if (i === steps.length || !isMap(v)) return propertyPath("chartValues", [at.chart, ...steps.slice(0, i)]);
  }
  return undefined;
}

/**
 * The pods a sized component runs as its chart runs them (contract SIZED_REPLICAS and chartPods,
 * which the pack's chart model reads too): a whole number at its replica key in `chartValues`
 * replaces the program's count (`key` names it); a null on the way deletes the program's value, so
 * the chart's default runs; a Loki single binary runs at least one (contract
 * lokiSingleBinaryReplicas). Any other value is left to the render, which the pack judges. A
 * Prometheus's shards each run that many (`key` then names the shards key, `per` the pods of each
 * shard); zone-aware Loki ingesters run in three zones of a third each, rounded up (`zoned`: the
 * count at the replica key, which the program writes when no key sets it; `key` names the key that
 * turns the zones on where no replica key is set). The program writes its switches off: the zones'
 * (builders/logging/lokiModes.ts) and the migration's (left at the chart's default, off).
 */
export function chartReplicas(
  cfg: Pick<StackConfig, "chartValues">,
  c: Pick<SizedComponent, "component" | "replicas">,
): { replicas: number; key?: string; per?: number; zoned?: Zoned } {
  const row = SIZED_REPLICAS[c.component];
  const chart = sizedValuesPath(c.component)?.chart;
  if (row === undefined || chart === undefined) return { replicas: c.replicas };
  const set = replicaOverride(cfg.chartValues[chart], row, chart);
  const n = set?.replicas ?? c.replicas;
  const each = c.component === "loki monolithic" && set !== undefined ? lokiSingleBinaryReplicas(n) : n;
  const read = (path: string) => valueAt(cfg.chartValues[chart], path.split("."));
  const on = (s: ChartSwitch) => chartSwitchOn(cfg, chart, s, false);
  const pods = chartPods(row, each, read, on);
  const valuesKey = (path: string) => propertyPath("chartValues", [chart, ...path.split(".")]);
  // chartCopies is 1 without a shards key.
  const copies = chartCopies(row, read);
  if (row.shards !== undefined && copies > 1)
    return { replicas: pods, key: valuesKey(row.shards), per: pods / copies };
  const zonesOn = row.zones !== undefined && on(row.zones.enabled);
  const zoned = zonesOn
    ? { zoned: { replicas: each, podsFor: (r: number) => chartPods(row, r, read, on) } }
    : {};
  if (set !== undefined)
    return { replicas: pods, key: propertyPath("chartValues", [chart, ...set.steps]), ...zoned };
  return zonesOn && row.zones !== undefined
    ? { replicas: pods, key: valuesKey(row.zones.enabled.path), ...zoned }
    : { replicas: c.replicas };
}

/**
 * The count a release's values set at a replica key (`row.path`), with the steps that set it: a
 * whole number there (or its text where the chart prints it unquoted, contract textReplicas), or
 * the chart's default where a null on the way deletes the program's value.
 * Undefined where nothing is set or the value is left to the render (chartReplicas).
 */
function replicaOverride(
  values: Record<string, unknown> | undefined,
  row: { path: string; default: number },
  chart: string,
): { replicas: number; steps: string[] } | undefined {
  const steps = row.path.split(".");
  for (let i = 1; i <= steps.length; i++) {
    const v = valueAt(values, steps.slice(0, i));
    if (v === undefined) return undefined;
    if (v === null) return { replicas: row.default, steps: steps.slice(0, i) };
    if (i === steps.length) {
      // A whole number's text where the chart prints it unquoted is the number to the object.
      const n = textReplicas(chart, row.path, v) ?? v;
      return typeof n === "number" && Number.isInteger(n) && n >= 0 ? { replicas: n, steps } : undefined;
    }
    if (!isMap(v)) return undefined;
  }
  return undefined;
}

/** The config key that decided a component's size, for refusals. */
function keyOf(c: SizedComponent): string {
  if (c.sizedFor.endsWith("(loki.mode)")) return "loki.mode";
  if (c.component === "mimir" || c.component.startsWith("mimir "))
    return c.sizedFor.includes("workload.") ? "workload.activeSeries" : "mimir.maxGlobalSeriesPerUser";
  if (["vmsingle", "vmstorage", "vminsert", "vmselect", "prometheus"].includes(c.component))
    return "workload.activeSeries";
  return "workload.logsPerDay";
}

/** The engines a sized component belongs to, by the `<engine>.volumeSize` key that names its volume. */
export type SizedEngine = keyof typeof DEFAULT_VOLUMES;

/** The engine a sized component belongs to ("mimir write" is Mimir's, "vmstorage" VictoriaMetrics'). */
export function engineOf(c: Pick<SizedComponent, "component">): SizedEngine {
  if (c.component === "prometheus") return "prometheus";
  if (c.component === "mimir" || c.component.startsWith("mimir ")) return "mimir";
  if (c.component.startsWith("vm")) return "victoriametrics";
  return "loki";
}

/**
 * The ways out for a monolithic Mimir bigger than the largest node (`node` bytes), each only if it
 * can work on these nodes: Mimir scaled out (workload.activeSeries) when its smallest pods fit and
 * the stack declaring its series cap so passes the workload checks (`fits`), a lower series cap
 * when a Mimir holding 10,000 series fits (with the largest cap that does and with which the stack
 * passes them: a pod within its node may still be past the pools' share; run, one 16Gi node at
 * 1516000 series was offered 1510000, and 1400000 was refused past the share),
 * bigger nodes (as big as the smaller of the two shapes at their least), and, when no Mimir fits,
 * VictoriaMetrics when one vmsingle holding the same series does, and the lightweight profile
 * when its DaemonSets' smaller requests leave `pool`'s node room for the pod and the stack so
 * changed passes the workload checks (`fits`; config/resolve.ts fitsWith) (its Mimir floor is
 * the standard one's, model/sizing.ts), with metricsBackend: mimir beside it when `backendDefaulted`
 * (the file leaves the backend to the profile: lightweight's is victoriametrics, config/resolve.ts,
 * and the mimir key the file sets would then be refused as read by nothing). A 2 GiB node holds neither Mimir: the profile's least
 * request for a monolithic one is 3 GiB, above the 2 GiB its series and its modules' fixed
 * memory (querier, store-gateway) need at 10000 series. `node` is what the largest node leaves
 * beside the pods every node runs, which take `daemons` bytes of any bigger node too.
 */
function mimirFitHint(
  cfg: StackConfig,
  node: number,
  daemons: number,
  pool: NodePool,
  backendDefaulted: boolean,
  fits: FitsWith | undefined,
): string {
  const need = (w: Workload, bytes: number) =>
    parseQuantity(memoryOf(cfg.profile, w, bytes).requests.memory) ?? 0;
  const replicas = cfg.mimir.replicas;
  // The largest cap whose pod fits the node, its request as the profile rounds it.
  let cap = seriesCapWithin(node, replicas);
  while (cap >= 10_000 && need("mimir", mimirMemoryBytes(cap, replicas)) > node) cap -= 10_000;
  // A cap whose pod fits its node may still be past the pools' share: the largest one (in steps of
  // 10000) with which the stack passes the workload checks (`fits`), fewer series needing no more.
  if (fits !== undefined && cap >= 10_000 && !capFits(fits, cap)) {
    let [low, high] = [0, cap / 10_000];
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (capFits(fits, mid * 10_000)) low = mid;
      else high = mid;
    }
    cap = low * 10_000;
  }
  const monolithicLeast = need("mimir", mimirMemoryBytes(10_000, replicas));
  // The pod at the stack's cap, sized and placed as the lightweight profile would, and the stack
  // so changed passing the workload checks (`fits`, as floorWays' offers): a pod that fits its node
  // may still be past the pools' share, and the profile is then no way out (none without `fits`).
  const light = { ...cfg, profile: "lightweight" as const };
  const lighter =
    cfg.profile === "standard" &&
    (parseQuantity(
      memoryOf("lightweight", "mimir", mimirMemoryBytes(cfg.mimir.maxGlobalSeriesPerUser, replicas)).requests
        .memory,
    ) ?? Infinity) <= memoryLeft(pool, nodeDaemons(light)) &&
    fits?.({ profile: "lightweight", ...(backendDefaulted ? { metricsBackend: "mimir" } : {}) }) === true;
  const scaledLeast = Math.max(
    need(
      "mimirWrite",
      mimirWriteBytes(10_000, MIMIR_READ_WRITE.minWriteReplicas, MIMIR_READ_WRITE.replicationFactor),
    ),
    need("mimirRead", mimirReadBytes()),
    need("mimirBackend", mimirBackendBytes(10_000, MIMIR_READ_WRITE.backendReplicas)),
  );
  const bigger = `add nodes of at least ${formatBytes(Math.min(monolithicLeast, scaledLeast) + daemons)}`;
  // A node whose BUDGET_MAX_REQUEST_SHARE holds the pod at the stack's cap beside the DaemonSets'
  // pods: the pack's budget counts a pod only one pool holds in that pool's own share
  // (policy/lib/budget.ts computeBudget), and a pool of one such node holds it. In tenths of a GiB
  // rounded up (a quantity the file takes as written); offered only when the stack with that pool
  // added passes the workload checks (`fits`): the pools' whole share counts it too.
  const atCap = need("mimir", mimirMemoryBytes(cfg.mimir.maxGlobalSeriesPerUser, replicas));
  const holding = `${Math.ceil(((atCap + daemons) / BUDGET_MAX_REQUEST_SHARE / GIB) * 10) / 10}Gi`;
  const added = [...cfg.nodePools, { ...pool, name: `${pool.name}-larger`, count: 1, memory: holding }];
  const larger =
    fits?.({ nodePools: added }) === true
      ? `add a node of at least ${holding} in a pool of its own (it holds the mimir pod at ${cfg.mimir.maxGlobalSeriesPerUser} series within its share)`
      : "add nodes or larger ones (nodePools)";
  // What 10000 series need against what the pod requests: the profile's least when that is more.
  const leastNeed = mimirMemoryBytes(10_000, replicas);
  const leastWords =
    leastNeed < monolithicLeast
      ? ` (the ${cfg.profile} profile's least memory request for it; its 10000 series and its modules' fixed memory need ${formatBytes(leastNeed)})`
      : ", its modules' fixed memory included";
  const ways = [
    // Scaled out for the series the stack holds, as it runs with workload.activeSeries declared.
    ...(scaledLeast <= node &&
    fits?.({ workload: { activeSeries: cfg.mimir.maxGlobalSeriesPerUser } }) !== false
      ? ["declare workload.activeSeries to run Mimir scaled out"]
      : []),
    ...(cap >= 10_000 ? [`lower mimir.maxGlobalSeriesPerUser to at most ${cap}`] : []),
    ...(lighter
      ? [
          `set profile: lightweight${backendDefaulted ? " and metricsBackend: mimir" : ""} (its DaemonSets' pods request less, leaving the mimir pod room${backendDefaulted ? "; without metricsBackend that profile runs victoriametrics" : ""})`,
        ]
      : []),
  ];
  if (ways.length > 0) return `; ${[...ways, larger].join(", ").replace(/, ([^,]*)$/, " or $1")}`;
  // A Mimir fits these nodes, but no stack so changed passes the workload checks (`fits`).
  if (Math.min(monolithicLeast, scaledLeast) <= node) return "; add nodes or larger ones (nodePools)";
  const series = cfg.mimir.maxGlobalSeriesPerUser;
  const vm = need("vmsingle", vmMemoryBytes(series));
  return (
    `; no Mimir fits these nodes (one holding 10000 series requests ${formatBytes(monolithicLeast)}${leastWords}; scaled out, pods of ${formatBytes(scaledLeast)}): ${bigger}` +
    (vm <= node
      ? `, or set metricsBackend: victoriametrics, whose one vmsingle needs ${formatBytes(vm)} for ${series} series`
      : "")
  );
}

/** Whether the stack with `n` at mimir.maxGlobalSeriesPerUser passes the workload checks. */
const capFits = (fits: FitsWith, n: number): boolean => fits({ mimir: { maxGlobalSeriesPerUser: n } });

/**
 * Whether the chart runs Loki's ingesters zone-aware (contract ChartZones): its switch as the chart
 * reads it, where a null deletes the program's `false` and the chart's default (on) holds.
 */
export function lokiIngestersZoned(cfg: Pick<StackConfig, "chartValues">): boolean {
  const zones = SIZED_REPLICAS["loki ingester"]?.zones;
  return zones !== undefined && chartSwitchOn(cfg, "loki", zones.enabled, false);
}

/**
 * What a sized pod's memory is, for a line that judges it: "need X of memory in one <c> pod", or,
 * where its load needs less than the profile's least request for it (memoryOf: the request is the
 * larger), that the load needs that much and the pod requests the profile's least: "need 3GiB"
 * would say a floor the profile chose is the load's.
 */
function podMemoryWords(cfg: StackConfig, c: SizedComponent): string {
  // A component sized at the profile's own sizes ("Distributed at its floor") says so already.
  if (c.atProfile || c.floorBytes === undefined || c.requestBytes > c.floorBytes)
    return `need ${formatBytes(c.requestBytes)} of memory in one ${c.component} pod`;
  const load =
    c.needBytes ??
    (c.component === "mimir"
      ? mimirMemoryBytes(cfg.mimir.maxGlobalSeriesPerUser, cfg.mimir.replicas)
      : undefined);
  const least = `${formatBytes(c.requestBytes)}, the ${cfg.profile} profile's least memory request for it`;
  return load === undefined
    ? `need no more memory than one ${c.component} pod requests, ${least}`
    : `need ${formatBytes(load)} of memory, and one ${c.component} pod requests ${least}`;
}

/**
 * Why the node pools cannot hold the sized components: a pod bigger than every node, or sized pods
 * requesting more than BUDGET_MAX_REQUEST_SHARE of the pools. Each line names the key, the need
 * and the capacity; a key in `defaulted` (not set in the stack file) is named through the largest
 * pool's memory instead (`metricsBackend` there: a profile offered brings its own backend). The engines in `leftOut` are not judged: their own workload check already
 * refused them (a Loki sized for 50 GiB a day in Monolithic mode), and their fit would only repeat
 * that mistake in other words; the others are judged in the same run.
 */
export function fitProblems(
  cfg: StackConfig,
  planned: Sizing,
  k: (key: string) => string,
  leftOut: ReadonlySet<SizedEngine> = new Set(),
  defaulted: ReadonlySet<string> = new Set(),
  fits?: FitsWith,
): string[] {
  // A component a chartValues switch leaves out runs no pod: nothing of it is summed or placed.
  const { components, replicasKeys } = runningComponents(
    cfg,
    planned.components.filter((c) => !leftOut.has(engineOf(c))),
  );
  const s = { ...planned, components };
  const problems: string[] = [];
  const pools = sizingPools(cfg.nodePools);
  // A pod gets what a node leaves beside the pods every node runs, as the scheduler counts it.
  const daemons = nodeDaemons(cfg);
  const taken = daemons.reduce((n, d) => n + d.memory, 0);
  const nodeBytes = (p: NodePool) => memoryLeft(p, daemons);
  const largest = pools.reduce<NodePool | undefined>(
    (a, p) => (!a || nodeBytes(p) > nodeBytes(a) ? p : a),
    undefined,
  );
  // A DaemonSet whose requests a chartValues override sets is named with the key.
  const named = (d: NodeDaemon) =>
    d.overrides.length > 0 ? `${d.workload} at ${listed(d.overrides.map((o) => o.key))}` : d.workload;
  const largestText = largest
    ? `${largest.memory} in pool ${largest.name}, ${formatBytes(taken)} of it requested by the DaemonSets' pods on every node (${listed(daemons.map(named))}): ${formatBytes(nodeBytes(largest))} left`
    : "no node pool";
  // Overrides that raise the DaemonSets' memory requests, the largest raise first, and what a node
  // would leave beside the pods at the program's own sizes.
  const raising = daemons
    .flatMap((d) => d.overrides)
    .filter((o) => o.amount > o.own)
    .sort((a, b) => b.amount - b.own - (a.amount - a.own));
  const ownLeft = largest
    ? (parseQuantity(largest.memory) ?? 0) - daemons.reduce((n, d) => n + d.ownMemory, 0)
    : 0;
  // Only what the workload or a cap sized is judged pod by pod here; the other pods count in the
  // share below (besidePods). A pod whose memory request a chartValues override sets requests what
  // the override leaves: its size is no figure of it. The pack's resource-budget judges the
  // rendered pod (undersized below a workload's or cap's size, a pod no node holds) and synth
  // names the override with its line.
  const judged = judgedPods(cfg, s.components);
  const fitNoNode = new Set<SizedEngine>();
  // Pods that would fit beside the DaemonSets at the program's sizes: the override is the mistake.
  const raisedOut: SizedComponent[] = [];
  // A pod is placed by its requests alone (kube-scheduler NodeResourcesFit, kubernetes v1.31.14
  // pkg/scheduler/framework/plugins/noderesources/fit.go:207-213, 449-457: the pod's requests
  // against the node's allocatable less its pods' requests; read, not run), as the pack's
  // resource-budget judges it (policy/lib/budget.ts): a limit above the node keeps no pod Pending.
  for (const c of judged) {
    if (!largest || c.requestBytes > nodeBytes(largest)) {
      fitNoNode.add(engineOf(c));
      if (largest && raising.length > 0 && c.requestBytes <= ownLeft) {
        raisedOut.push(c);
        continue;
      }
      // With workload.activeSeries declared a monolithic Mimir this big runs scaled out instead.
      const why =
        c.component === "mimir" && largest
          ? mimirFitHint(cfg, nodeBytes(largest), taken, largest, defaulted.has("metricsBackend"), fits)
          : "";
      // A size the stack file does not set (the series cap's default) is no line of the file to
      // point at: the largest pool's memory, which the file does set, is where the two meet.
      const key = keyOf(c);
      const pool = largest && defaulted.has(key) ? cfg.nodePools.indexOf(largest) : -1;
      problems.push(
        `${k(pool >= 0 ? `nodePools[${pool}].memory` : key)}: ${c.sizedFor.replace(/ \(.*\)$/, "")}${pool >= 0 ? ` (${key}'s default)` : ""} ${podMemoryWords(cfg, c)}, above what the largest node of nodePools holds beside the DaemonSets' pods on it (${largestText})${why}`,
      );
    }
  }
  if (largest && raisedOut.length > 0) {
    // One message at the override that raises the DaemonSets' requests most: the most it may set
    // so that the largest pod still fits; the other overrides raising them are named beside it.
    const [lead, ...others] = raising;
    const short = Math.max(...raisedOut.map((c) => c.requestBytes)) - nodeBytes(largest);
    const most = Math.max(lead.own, lead.amount - short);
    const pods = raisedOut
      .map(
        (c) =>
          `${c.sizedFor.replace(/ \(.*\)$/, "")} need ${formatBytes(c.requestBytes)} in one ${c.component} pod (${keyOf(c)})`,
      )
      .join(", ");
    const got = typeof lead.written === "string" ? `"${lead.written}"` : JSON.stringify(lead.written);
    problems.push(
      `${k(lead.key)}: expected at most ${Math.floor(most / MIB)}Mi, so that the largest node of nodePools holds the sized pods beside the DaemonSets' pods on it (${pods}); got ${got} (${largestText})${others.length > 0 ? `; ${listed(others.map((o) => o.key))} raise${others.length === 1 ? "s" : ""} the DaemonSets' requests too` : ""}`,
    );
  }
  // Pods of one component that each fit a node must also find a node each: as many as the pools
  // hold side by side (a node takes floor(its memory / the pod's request) of them). An engine with a pod
  // that fits no node already says why (one message for the one mistake); the others are judged
  // in the same run.
  for (const c of judged)
    if (!fitNoNode.has(engineOf(c))) {
      const slots = pools.reduce((n, p) => n + p.count * Math.floor(nodeBytes(p) / c.requestBytes), 0);
      if (c.replicas > 1 && slots < c.replicas)
        problems.push(slotsProblem(cfg, c, slots, pools, k, replicasKeys));
    }
  // The scaled-out shape shares blocks through the object store; the filesystem store is one pod's volume.
  if (cfg.objectStore.type === "filesystem" && s.components.some((c) => c.component.startsWith("mimir ")))
    problems.push(
      `${k("workload.activeSeries")}: ${cfg.workload.activeSeries} series need more memory than one Mimir on the largest node; past it Mimir runs scaled out, whose pods share blocks through object storage, and objectStore.type is "filesystem"`,
    );
  // The pools' whole memory, as the pack's budget holds the requests against it, with the
  // DaemonSets' pods in the sum as it counts them: one on every node each lands on. The sized pods'
  // requests too, not their limits: a part Loki Distributed runs at its floor requests less than it
  // may use (model/sizing.ts), and the pack sums requests (policy/lib/budget.ts computeBudget).
  // And every other pod the pack's budget counts (besidePods): the profile's, the auxiliary ones.
  const share = shareSum(judged, daemons, pools, besidePods(cfg, s.components, judged));
  const total = share.need + share.daemonNeed + share.besideNeed;
  // Pods that fit no node already say why; the sum is judged once each of them fits.
  if (problems.length === 0 && judged.length > 0 && total > BUDGET_MAX_REQUEST_SHARE * share.capacity)
    problems.push(shareProblem(cfg, judged, share, k, { largest, defaulted, replicasKeys, pools, fits }));
  return problems;
}

/**
 * The running sized components fitProblems judges pod by pod, and names in the share's line as
 * what sized them: those a workload or a cap sized. Not those at the profile's sizes, nor one whose
 * memory request a chartValues override sets: the share counts them among the other pods
 * (besidePods), as the pack's budget counts every pod (issue 51).
 */
function judgedPods(cfg: Pick<StackConfig, "chartValues">, components: SizedComponent[]): SizedComponent[] {
  return components.filter((c) => !sizedByProfile(c) && sizedRequestOverride(cfg, c) === undefined);
}

/**
 * What the pools' share sums ({@link fitProblems}): the judged pods' memory requests (`need`) and
 * the DaemonSets' pods', one on every node of the pools each lands on (`daemonNeed`), against the
 * pools' whole memory.
 */
function shareSum(judged: SizedComponent[], daemons: NodeDaemon[], pools: NodePool[], beside: BesidePod[]) {
  const capacity = poolsMemory(pools);
  const need = judged.reduce((n, c) => n + c.requestBytes * c.replicas, 0);
  const onPools = daemonsOnPools(daemons, pools);
  const daemonNeed = onPools.reduce((n, d) => n + d.memory, 0);
  const besideNeed = beside.reduce((n, b) => n + b.memory * b.replicas, 0);
  return { need, onPools, daemonNeed, beside, besideNeed, capacity };
}

/** The memory of every node of `pools`, in bytes: what the pools' share is a share of. */
function poolsMemory(pools: NodePool[]): number {
  return pools.reduce((n, p) => n + (parseQuantity(p.memory) ?? 0) * p.count, 0);
}

/** A pod the pools' share counts beside the judged ones and the DaemonSets' (besidePods). */
interface BesidePod {
  name: string;
  replicas: number;
  /** What one pod requests of memory, in bytes. */
  memory: number;
}

/**
 * The pods the pools' share counts beside the judged ones (fitProblems) and the DaemonSets', as the
 * pack's resource-budget counts every running pod: the running sized components the share does not
 * judge (those at the profile's sizes, and those whose memory request a `chartValues` override sets,
 * at the override's quantity; one the render alone resolves, a null or no quantity, is left to the
 * pack), the config reloader prometheus-operator injects into each Prometheus pod
 * (model/auxiliaryPods.ts kpsConfigReloader), and the auxiliary pods (model/auxiliaryPods.ts
 * auxiliaryPods: Grafana, the operators, Alertmanager, kube-state-metrics, Loki's gateway, Alloy's
 * cluster replica).
 */
function besidePods(cfg: StackConfig, running: SizedComponent[], judged: SizedComponent[]): BesidePod[] {
  const sized = running.flatMap((c) => {
    if (judged.includes(c)) return [];
    const key = sizedRequestOverride(cfg, c);
    const memory = key === undefined ? c.requestBytes : overrideAmount(cfg, c);
    return memory === undefined ? [] : [{ name: c.component, replicas: c.replicas, memory }];
  });
  return [...sized, ...unsizedPods(cfg, running)];
}

/**
 * The pods no workload, cap or profile size sizes: the config reloader prometheus-operator injects
 * into each of the `running` Prometheus pods, and the auxiliary pods (model/auxiliaryPods.ts).
 */
function unsizedPods(cfg: StackConfig, running: SizedComponent[]): BesidePod[] {
  const reloader = parseQuantity(kpsConfigReloader(cfg.profile).requests.memory) ?? 0;
  const prometheus = running
    .filter((c) => c.component === "prometheus")
    .map((c) => ({ name: "prometheus-operator's config reloader", replicas: c.replicas, memory: reloader }));
  const aux = auxiliaryPods({
    profile: cfg.profile,
    caps: capabilities(cfg.phase, cfg.metricsBackend),
    metricsBackend: cfg.metricsBackend,
    logAgent: cfg.logAgent,
    production: cfg.production,
    lokiGateway: cfg.loki.gateway,
    exporters: runsExporters(cfg),
  });
  return [...prometheus, ...aux];
}

/** The memory request a `chartValues` override sets for a sized component's pods, where it is a quantity. */
function overrideAmount(cfg: Pick<StackConfig, "chartValues">, c: SizedComponent): number | undefined {
  const at = sizedValuesPath(c.component);
  if (at === undefined) return undefined;
  const v = valueAt(cfg.chartValues[at.chart], [...at.path, "requests", "memory"]);
  return v === undefined || v === null ? undefined : parseQuantity(v);
}

/**
 * The pods the workload checks' pools' share counts for a stack that passes them, as fitProblems
 * counts them: each counted sized component (its running pods) and each DaemonSet's share. The
 * pack's budget counts each at the same request, beside pods this leaves out
 * (test/config/sharePods.test.ts).
 */
export function sharePods(cfg: StackConfig): { judged: SizedComponent[] } & ReturnType<typeof shareSum> {
  const { components } = runningComponents(cfg, planSizing(cfg).components);
  const judged = judgedPods(cfg, components);
  const beside = besidePods(cfg, components, judged);
  return { judged, ...shareSum(judged, nodeDaemons(cfg), sizingPools(cfg.nodePools), beside) };
}

/**
 * The series cap a Mimir whose cap the stack file leaves to the program gets on these pools: its
 * default ({@link defaultSeriesCap}, what one node holds), or where its pods would take the pools
 * past BUDGET_MAX_REQUEST_SHARE beside every other pod the share counts ({@link besidePods}, the
 * DaemonSets' and the other judged pods), the largest cap (in steps of 10000) whose pods' rounded
 * requests stay within it, so a cap the program chose is never what the share refuses. Where not
 * even Mimir at the profile's least request fits, the largest cap at that least: the share's line
 * then names the pools' memory and the profile's floor with the ways that lower it (shareProblem);
 * where no node holds that least, the default stays, and the pod's own line says so.
 * `cfg` carries the default cap; a Mimir not judged (an override sets its request) keeps it.
 */
export function shareSeriesCap(cfg: StackConfig): number {
  const cap = cfg.mimir.maxGlobalSeriesPerUser;
  const { components, replicasKeys } = runningComponents(cfg, planSizing(cfg).components);
  const mimir = judgedPods(cfg, components).find((c) => c.component === "mimir");
  if (mimir === undefined) return cap;
  // The other sized pods at the program's counts: a chartValues count that raises them is the
  // mistake its own line names (fitProblems raisedCounts), not room the default cap gives up. The
  // DaemonSets' pods at their requests as the stack sets them, as defaultSeriesCap leaves them room.
  const program = (c: SizedComponent) => replicasKeys.get(c)?.program ?? c.replicas;
  const pools = sizingPools(cfg.nodePools);
  const daemons = daemonsOnPools(nodeDaemons(cfg), pools);
  const others =
    components.filter((c) => c !== mimir).reduce((n, c) => n + c.requestBytes * program(c), 0) +
    daemons.reduce((n, d) => n + d.memory, 0) +
    unsizedPods(cfg, components).reduce((n, b) => n + b.memory * b.replicas, 0);
  const capacity = poolsMemory(pools);
  const room = BUDGET_MAX_REQUEST_SHARE * capacity - others;
  if (mimir.requestBytes * mimir.replicas <= room) return cap;
  const replicas = cfg.mimir.replicas;
  const request = (n: number) =>
    (parseQuantity(memoryOf(cfg.profile, "mimir", mimirMemoryBytes(n, replicas)).requests.memory) ?? 0) *
    mimir.replicas;
  // A Mimir at the profile's least that no node holds is the pod's own line (fitProblems), and so
  // is one past the share only beside a DaemonSet an override raises (the override's line): the
  // default stays. Else at most the default; down to the pods that fit, or to the least.
  const raised = daemons.some((d) => d.daemon.overrides.some((o) => o.amount > o.own));
  if (request(10_000) / mimir.replicas > largestSizingNode(cfg)) return cap;
  if (raised && request(10_000) > room) return cap;
  const within = Math.max(request(10_000), room);
  let fits = Math.min(cap, Math.max(10_000, seriesCapWithin(within / mimir.replicas, replicas)));
  while (fits > 10_000 && request(fits) > within) fits -= 10_000;
  return fits;
}

/**
 * Whether every pod the pack's budget counts fits BUDGET_MAX_REQUEST_SHARE of the pools
 * ({@link sharePods}), whether or not a workload or a cap sized any of them: fitProblems judges the
 * share only where one did, and a way out it offers must pass the pack's budget too (fitsWith).
 */
export function shareFits(cfg: StackConfig): boolean {
  const s = sharePods(cfg);
  return s.need + s.daemonNeed + s.besideNeed <= BUDGET_MAX_REQUEST_SHARE * s.capacity;
}

/**
 * Whether the stack with `over` written over its stack file's keys passes the workload checks
 * (config/resolve.ts fitsWith): a way out is offered only when it does.
 */
export type FitsWith = (over: Record<string, unknown>) => boolean;

/**
 * What lowers the requests of pods at the profile's least (shareProblem), each offered only when
 * the stack, so changed, fits (`fits`, the whole workload check run again; none without it): the
 * lightweight profile, whose pods request less (model/sizing.ts: no more than the standard one's,
 * Grafana's less), and whose default backend is victoriametrics where the file leaves
 * metricsBackend to the profile (`backendDefaulted`, config/resolve.ts); a Mimir's smaller
 * vmsingle in its place (its request for the same series cap); more memory, always.
 */
function floorWays(
  cfg: StackConfig,
  judged: SizedComponent[],
  backendDefaulted: boolean,
  fits: FitsWith | undefined,
): string {
  const mimir = judged.find((c) => c.component === "mimir");
  const vm =
    parseQuantity(
      memoryOf(cfg.profile, "vmsingle", vmMemoryBytes(cfg.mimir.maxGlobalSeriesPerUser)).requests.memory,
    ) ?? 0;
  const light = cfg.profile === "standard" && fits?.({ profile: "lightweight" }) === true;
  const single =
    mimir !== undefined && vm < mimir.requestBytes && fits?.({ metricsBackend: "victoriametrics" }) === true;
  return [
    ...(light
      ? [
          `set profile: lightweight, whose pods request less${backendDefaulted ? " (and whose metricsBackend, which the stack file leaves to the profile, is victoriametrics: a vmsingle in Mimir's place)" : ""}`,
        ]
      : []),
    ...(single
      ? [
          `metricsBackend: victoriametrics alone, whose one vmsingle requests ${formatBytes(vm)} in Mimir's place`,
        ]
      : []),
    "add nodes or larger ones (nodePools)",
  ].join(", or ");
}

/**
 * The line for sized pods and the DaemonSets' pods requesting more than BUDGET_MAX_REQUEST_SHARE of
 * the pools' memory, at the first key that sized them (or the largest pool's memory, below): each
 * pod's request, and each DaemonSet's (its pod's request times the nodes it runs on, named with the
 * override that sets it).
 */
function shareProblem(
  cfg: StackConfig,
  judged: SizedComponent[],
  share: ReturnType<typeof shareSum>,
  k: (key: string) => string,
  placing: {
    largest?: NodePool;
    defaulted: ReadonlySet<string>;
    replicasKeys: ReadonlyMap<SizedComponent, ReplicasKey>;
    pools: NodePool[];
    fits?: FitsWith;
  },
): string {
  const { need, onPools, daemonNeed, beside, besideNeed, capacity } = share;
  // A monolithic Mimir at the profile's least request (memoryOf: what its series cap sizes is
  // below it; no cap changes its shape, mimirReadWriteShape) is not the cap's doing, and a key the
  // stack file does not set has no line of it: either way the line is the largest pool's
  // memory, which the file sets. (A lower workload.activeSeries may change a shape: not said.)
  const atFloor = judged.every(
    (c) =>
      c.component === "mimir" &&
      keyOf(c) === "mimir.maxGlobalSeriesPerUser" &&
      c.floorBytes !== undefined &&
      c.requestBytes <= c.floorBytes,
  );
  const { largest, defaulted } = placing;
  const pool =
    largest && (atFloor || judged.every((c) => defaulted.has(keyOf(c))))
      ? cfg.nodePools.indexOf(largest)
      : -1;
  const at = pool >= 0 ? { pool, floor: atFloor ? cfg.profile : undefined } : undefined;
  const keys = [...new Set(judged.map(keyOf))].join(" and ");
  // A count a chartValues key sets is named beside its pods: lowering it is a way out.
  const pods = judged
    .map((c) => {
      const set = placing.replicasKeys.get(c)?.key;
      return `${c.component} ${c.replicas}x${formatBytes(c.requestBytes)}${set === undefined ? "" : ` (${set})`}`;
    })
    .join(", ");
  const daemonPods = onPools
    .map((d) => {
      const keys = d.daemon.overrides.map((o) => o.key);
      return `${d.daemon.workload} ${d.nodes}x${formatBytes(d.daemon.memory)}${keys.length > 0 ? ` (${listed(keys)})` : ""}`;
    })
    .join(", ");
  const besidePods = beside.map((b) => `${b.name} ${b.replicas}x${formatBytes(b.memory)}`).join(", ");
  const total = need + daemonNeed + besideNeed;
  const withDaemons =
    (onPools.length === 0
      ? ""
      : ` and the DaemonSets' pods, one on every node they run on, ${formatBytes(daemonNeed)} (${daemonPods})`) +
    (beside.length === 0 ? "" : ` and the other pods, ${formatBytes(besideNeed)} (${besidePods})`) +
    // The pack's figures: the requests in Mi and their share of the pools (policy/lib/budget.ts).
    (total === need
      ? ""
      : `: ${Math.round(total / MIB)}Mi together (${((100 * total) / capacity).toFixed(1)}%)`);
  const above = `above ${Math.round(BUDGET_MAX_REQUEST_SHARE * 100)}% of the node pools' ${formatBytes(capacity)}`;
  const raised = raisedCounts(judged, share, placing.replicasKeys, (c, most) =>
    mostWords(cfg, c, most, placing.pools),
  );
  if (raised) return `${k(raised.key)}: ${raised.words} (${pods})${withDaemons}, ${above}${raised.others}`;
  if (at?.floor)
    return `${k(`nodePools[${at.pool}].memory`)}: ${pods}, the ${at.floor} profile's least memory request for it (no lower ${keys} lowers it)${withDaemons && `,${withDaemons}`}, ${above}; ${floorWays(cfg, judged, placing.defaulted.has("metricsBackend"), placing.fits)}`;
  const named = at ? `${keys} (${judged.length > 1 ? "their defaults" : "its default"})` : keys;
  return `${k(at ? `nodePools[${at.pool}].memory` : keys.split(" and ")[0])}: the components sized for ${named} request ${formatBytes(need)} of memory (${pods})${withDaemons}, ${above}`;
}

/**
 * The share line's lead when `chartValues` replica counts raise the sized pods past the share and
 * the program's own counts fit it: the override is the mistake, so the line is at its key (the
 * one that adds most), with the most pods of its component the share holds beside the others as
 * they are; the other raising keys are named beside it. Undefined otherwise.
 */
function raisedCounts(
  judged: SizedComponent[],
  share: { need: number; daemonNeed: number; besideNeed: number; capacity: number },
  counts: ReadonlyMap<SizedComponent, ReplicasKey>,
  words: (c: SizedComponent, most: number) => string,
): { key: string; words: string; others: string } | undefined {
  const program = (c: SizedComponent) => counts.get(c)?.program ?? c.replicas;
  const allowed = BUDGET_MAX_REQUEST_SHARE * share.capacity;
  const atProgram =
    judged.reduce((n, c) => n + c.requestBytes * program(c), 0) + share.daemonNeed + share.besideNeed;
  const raised = judged
    .filter((c) => program(c) < c.replicas)
    .sort((a, b) => b.requestBytes * (b.replicas - program(b)) - a.requestBytes * (a.replicas - program(a)));
  if (raised.length === 0 || atProgram > allowed) return undefined;
  const [lead, ...rest] = raised;
  const besides = share.need + share.daemonNeed + share.besideNeed - lead.requestBytes * lead.replicas;
  const most = Math.max(0, Math.floor((allowed - besides) / lead.requestBytes));
  const restKeys = rest.map((c) => counts.get(c)!.key);
  const at = atKeyWords(counts.get(lead)!, lead, most, words(lead, most));
  return {
    key: counts.get(lead)!.key,
    words: `expected at most ${at.plain ? `${at.most} ${lead.component} pods (` : `${at.most} (`}${formatBytes(lead.requestBytes)} of memory each, sized for ${lead.sizedFor}), what the node pools' share holds beside the other sized pods, the DaemonSets' pods and the others; got ${at.got}, and the sized components then request ${formatBytes(share.need)} of memory`,
    others:
      restKeys.length === 0
        ? `; at the program's replica counts they request ${formatBytes(atProgram)}`
        : `; ${listed(restKeys)} raise${restKeys.length === 1 ? "s" : ""} the count too; at the program's replica counts they request ${formatBytes(atProgram)}`,
  };
}

/**
 * A chartValues key that sets a sized component's pod count, and the program's count. A shards key
 * counts shards of `per` pods each (a Prometheus shard's replicas); zone-aware ingesters run
 * `zoned` replicas (the count at their replica key) in three zones (contract chartPods).
 */
interface ReplicasKey {
  key: string;
  program: number;
  per?: number;
  zoned?: Zoned;
}

/** Zone-aware pods: the count at their replica key, and the pods the chart runs for a count. */
interface Zoned {
  replicas: number;
  podsFor: (replicas: number) => number;
}

/**
 * The "N" of an "expected at most N" at `set`'s key for at most `most` pods of `c` (`plain`: the
 * words for a count of pods, mostWords), and what the key holds, `got`: a count of pods as it is
 * (`plain` true); shards of `per` pods; for zone-aware ingesters, the largest replica count whose
 * zones' pods are no more than `most` (contract chartPods).
 */
function atKeyWords(
  set: ReplicasKey,
  c: SizedComponent,
  most: number,
  plain: string,
): { most: string; got: string; plain: boolean } {
  const pods = (n: number) => `${n} pod${n === 1 ? "" : "s"}`;
  if (set.per !== undefined)
    return {
      most: `${Math.floor(most / set.per)} shards of ${pods(set.per)} each, ${pods(Math.floor(most / set.per) * set.per)}`,
      got: `${c.replicas / set.per}, ${pods(c.replicas)}`,
      plain: false,
    };
  if (set.zoned !== undefined) {
    const { replicas, podsFor } = set.zoned;
    let n = most;
    while (n > 0 && podsFor(n) > most) n--;
    const zones = `the chart runs them zone-aware, in ${SIZED_REPLICAS[c.component]?.zones?.count} zones of a third of the replicas each, rounded up`;
    return {
      most: `${n} replicas (${zones}: ${pods(podsFor(n))})`,
      got: `${replicas}, ${pods(c.replicas)}`,
      plain: false,
    };
  }
  return { most: plain, got: `${c.replicas}`, plain: true };
}

/**
 * The sized components that run pods (each of its chartValues switches on, runsWithChartValues),
 * each counted with the pods its chart runs: a chartValues replica count replaces the program's
 * (chartReplicas; 0 runs none), kept by component with its key and the program's count.
 */
function runningComponents(
  cfg: StackConfig,
  sized: SizedComponent[],
): { components: SizedComponent[]; replicasKeys: Map<SizedComponent, ReplicasKey> } {
  const replicasKeys = new Map<SizedComponent, ReplicasKey>();
  const components = sized
    .filter((c) => runsWithChartValues(cfg, c))
    .flatMap((c) => {
      const run = chartReplicas(cfg, c);
      if (run.replicas === 0) return [];
      const counted = { ...c, replicas: run.replicas };
      if (run.key !== undefined)
        replicasKeys.set(counted, { key: run.key, program: c.replicas, per: run.per, zoned: run.zoned });
      return [counted];
    });
  return { components, replicasKeys };
}

/**
 * The line for more pods of a component than the pools hold side by side (`slots`): at the
 * chartValues key that set the count, expected at most, got; else at the key that sized them.
 */
function slotsProblem(
  cfg: StackConfig,
  c: SizedComponent,
  slots: number,
  pools: NodePool[],
  k: (key: string) => string,
  replicasKeys: ReadonlyMap<SizedComponent, ReplicasKey>,
): string {
  const set = replicasKeys.get(c);
  if (set !== undefined) {
    const at = atKeyWords(set, c, slots, mostWords(cfg, c, slots, pools));
    return `${k(set.key)}: expected at most ${at.most}, the ${c.component} pods the node pools hold side by side (each requests ${formatBytes(c.requestBytes)} of memory, sized for ${c.sizedFor}); got ${at.got}`;
  }
  return `${k(keyOf(c))}: ${c.sizedFor.replace(/ \(.*$/, "")} need ${c.replicas} ${c.component} pods requesting ${formatBytes(c.requestBytes)} of memory each, and the node pools hold ${slots === 1 ? "1 such pod" : `${slots} such pods side by side`}`;
}

/**
 * "N" of an "expected at most N" for a replica count a `chartValues` key sets, `most` as memory
 * allows: a Loki target's pods each keep a node of their own (the chart's hard node anti-affinity,
 * loki 18.11.0 values.yaml `<target>.affinity`, "Hard node anti-affinity": :2061 singleBinary,
 * :3124 ingester, and each other target's), so no more than the pools' nodes run, unless the
 * override removes that term (lokiKeepsAntiAffinity); then the nodes are named beside the number.
 */
function mostWords(
  cfg: Pick<StackConfig, "chartValues">,
  c: SizedComponent,
  most: number,
  pools: NodePool[],
): string {
  const target = c.component.startsWith("loki ")
    ? SIZED_REPLICAS[c.component]?.path.split(".")[0]
    : undefined;
  if (target === undefined || !lokiKeepsAntiAffinity(cfg, target)) return `${most}`;
  const nodes = pools.reduce((n, p) => n + p.count, 0);
  return most <= nodes
    ? `${most}`
    : `${nodes} (the nodes of nodePools it runs on: the chart keeps each ${c.component} pod on a node of its own, hard node anti-affinity at ${target}.affinity)`;
}

/**
 * Whether a Loki target's pods keep the chart's hard node anti-affinity under `loki` chartValues.
 * Helm merges an override's map into the chart's (run with helm 3.17.3, loki 18.11.0:
 * `ingester.affinity: {}` or `{nodeAffinity: ...}` still renders the required term), so only a
 * value that is no map at `affinity` or `affinity.podAntiAffinity` (a null deletes it), or a list
 * of its own at `affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution`,
 * replaces it. Zone-aware ingesters (`ingester.zoneAwareReplication.enabled`, which the program
 * turns off; a null deletes that, and the chart's default turns them on) ignore `ingester.affinity` and keep only the zones apart (templates/_pod.tpl:87-101:
 * a zone's pods may share a node), so no pod keeps a node of its own.
 */
function lokiKeepsAntiAffinity(cfg: Pick<StackConfig, "chartValues">, target: string): boolean {
  if (target === "ingester" && lokiIngestersZoned(cfg)) return false;
  const loki = cfg.chartValues.loki;
  const at = (...steps: string[]) => valueAt(loki, [target, "affinity", ...steps]);
  for (const v of [at(), at("podAntiAffinity")]) if (v !== undefined && !isMap(v)) return false;
  return at("podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution") === undefined;
}

/** Retention in seconds of a validated duration (0 when it does not parse; the schema refused it). */
export function seconds(d: string): number {
  return durationSeconds(d) ?? 0;
}
