/*
 * Upstream's own sizing guidance as numbers, each with its source. The program sizes its
 * components with them (config/sizing.ts) and the policy pack's budget policy checks the rendered
 * stack against the same numbers, so both live here.
 *
 * Read, not run (no cluster here): grafana/mimir docs/sources/mimir/manage/run-production-environment/
 * planning-capacity.md (main, commit 03a992a5); grafana/loki docs/sources/get-started/deployment-modes.md
 * and docs/sources/setup/size/_index.md (main, commit 02ab9ac8); VictoriaMetrics docs/guides/
 * understand-your-setup-size.md (commit 0bb0338b) and the Cluster-VictoriaMetrics.md capacity
 * figure quoted in VictoriaMetrics issues #1069 and #6075; prometheus docs/storage.md
 * ("Operational aspects").
 */

const GB = 1e9;
const GIB = 2 ** 30;

/** Grafana Mimir, planning-capacity.md (one tenant, default config; "minimum requirements"). */
export const MIMIR_SIZING = {
  /** Ingester: "Memory: 2.5GB for every 300,000 series in memory". */
  ingesterBytesPerSeries: (2.5 * GB) / 300_000,
  /** Ingester: "Disk space: 5GB for every 300,000 series in memory". */
  ingesterDiskPerSeries: (5 * GB) / 300_000,
  /** Distributor: "Memory: 1GB every 25,000 samples per second". */
  distributorBytesPerSamplePerSecond: GB / 25_000,
  /** Querier: "Memory: 1GB for every 10 queries per second"; a homelab stays under 10 qps. */
  querierBytes: GB,
  /** Store-gateway: "Memory: 1GB every 10 queries per second". */
  storeGatewayBytes: GB,
  /** Store-gateway: "Disk: 13GB every 1 million active series" (1 year retention, 15s scrape, RF 3). */
  storeGatewayDiskPerSeriesYearRf3: (13 * GB) / 1_000_000,
  /** Compactor: one instance "every 20 million active series", each "Memory: 4GB", "Disk: 300GB". */
  compactorSeriesPerInstance: 20_000_000,
  compactorBytes: 4 * GB,
  compactorDisk: 300 * GB,
  /**
   * Query-frontend: "Memory: 1GB for every 250 queries per second", at the homelab's 10 qps (the
   * rate the querier figure above is taken at). Only the scaled-out shape counts it apart.
   */
  queryFrontendBytes: (GB * 10) / 250,
  /** Query-scheduler: "Memory: 100MB for every 500 queries per second", at 10 qps. */
  querySchedulerBytes: (100e6 * 10) / 500,
  /**
   * Ruler: in internal mode (the default) "rules evaluation is computationally equal to queries
   * execution, so the querier resources recommendations apply": the querier's 1 GB.
   */
  rulerBytes: GB,
} as const;

/**
 * Mimir scaled out in three groups of modules (the same image; the write group runs distributor +
 * ingester, read query-frontend + querier, backend store-gateway, compactor, ruler and
 * query-scheduler: the modules Mimir 2.x's read-write targets ran, grafana/mimir pkg/mimir/modules.go
 * `setupModuleManager`, commit 0013c446, less the Alertmanager and overrides-exporter; 3.0 removed
 * the targets themselves, so the program names the modules). Replica counts from the upstream jsonnet's defaults
 * (operations/mimir/read-write-deployment/config.libsonnet, commit 23a8b45b: mimir_write_replicas 3,
 * mimir_read_replicas 2, mimir_backend_replicas 3). The ingester ring keeps `replication_factor`
 * copies of each series on distinct ingesters (planning-capacity.md: "-ingester.ring.replication-factor
 * (defaults to 3)"; "total number of in-memory series = <active series> * <replication factor>"),
 * so replication factor 3 needs at least 3 write pods; the store-gateway ring likewise on backends.
 */
export const MIMIR_READ_WRITE = {
  replicationFactor: 3,
  minWriteReplicas: 3,
  readReplicas: 2,
  backendReplicas: 3,
} as const;

/**
 * Grafana Loki. deployment-modes.md: monolithic mode is for "small read/write volumes of up to
 * approximately 20GB per day". setup/size/_index.md, tier "Less than 100TB/month (3TB/day)" (the
 * smallest it documents, for microservices mode): total memory requests per component.
 */
export const LOKI_SIZING = {
  monolithicMaxBytesPerDay: 20 * GB,
  tierBytesPerDay: 3e12,
  /** write target = distributor + ingester: 2 + 24 Gi. */
  tierWriteBytes: 26 * GIB,
  /** read target = querier + query-frontend + query-scheduler: 10 + 4 + 1 Gi. */
  tierReadBytes: 15 * GIB,
  /** backend target = index gateway + compactor: 8 + 10 Gi. */
  tierBackendBytes: 18 * GIB,
  /**
   * Distributed mode, the same tier component by component (grafana/loki v3.7.6
   * docs/sources/setup/size/_index.md, tab "Less than 100TB/month (3TB/day)"): total memory
   * requests and base replicas. The ruler is not in the table; "rules evaluation is computationally
   * equal to queries execution" is Mimir's wording, so it takes one querier's share. The compactor
   * is a singleton ("1 (Singleton)").
   */
  distributed: {
    ingester: { bytes: 24 * GIB, replicas: 6 },
    distributor: { bytes: 2 * GIB, replicas: 4 },
    indexGateway: { bytes: 8 * GIB, replicas: 4 },
    querier: { bytes: 10 * GIB, replicas: 10 },
    queryFrontend: { bytes: 4 * GIB, replicas: 2 },
    queryScheduler: { bytes: 1 * GIB, replicas: 2 },
    compactor: { bytes: 10 * GIB, replicas: 1 },
    ruler: { bytes: 1 * GIB, replicas: 1 },
  },
} as const;

/**
 * The share of a Loki container's memory limit the loki chart hands its Go runtime as GOMEMLIMIT
 * (loki 18.11.0 templates/_helpers.tpl:1178-1182 `loki.componentEnv`, used for every Loki target
 * and component, templates/_pod.tpl:239; values.yaml:84 `defaults.goSettings.goMemLimitFactor:
 * 0.85`, where 0 injects none). Run: the program's Loki limited to 2Gi renders GOMEMLIMIT 1740MiB
 * (staging, synth). The Go runtime collects garbage ever harder to stay under it, so a pod whose
 * load needs N bytes is limited to N / factor for its runtime to be given N.
 */
export const LOKI_GO_MEMLIMIT = { path: "defaults.goSettings.goMemLimitFactor", default: 0.85 } as const;

/**
 * VictoriaMetrics. understand-your-setup-size.md: a data point "requires less or around 1 byte of
 * disk space", keep "at least 20% of free space", and the index "usually ... about 20%" of the data.
 * Memory: the cluster capacity-planning figure "RAM 2 * active_time_series * 1KB" (quoted from the
 * docs in issues #1069 and #6075; the current docs ask for a test run and 50% free RAM instead).
 */
export const VM_SIZING = {
  diskBytesPerSample: 1,
  /** 20% free space for merges plus 20% index. */
  diskOverhead: 1.2 * 1.2,
  memoryBytesPerSeries: 2 * 1024,
} as const;

/**
 * The VictoriaMetrics cluster version (vmstorage, vminsert, vmselect), docs/Cluster-VictoriaMetrics.md
 * "Capacity planning" and "Replication and data safety" (read, not run): cluster capacity for active
 * series grows "by adding new vmstorage nodes"; replication "increases the amounts of needed
 * resources ... by up to N times" and "the most cost-efficient ... solution for data durability is
 * to rely on replicated durable persistent disks", so the replication factor is 1 (vmsingle, which
 * the cluster replaces, kept one copy too); the docs recommend at least two nodes of each service.
 * Memory per series on a vmstorage node: VM_SIZING.memoryBytesPerSeries.
 */
export const VM_CLUSTER_SIZING = {
  replicationFactor: 1,
  minReplicas: 2,
} as const;

/**
 * Prometheus, docs/storage.md: "On average, Prometheus uses only around 1-2 bytes per sample"
 * (the upper end is taken). storage.md gives no memory per series; Prometheus's head block is the
 * TSDB Mimir's ingester runs, so Mimir's ingester figure is used for it.
 */
export const PROMETHEUS_SIZING = {
  diskBytesPerSample: 2,
  memoryBytesPerSeries: MIMIR_SIZING.ingesterBytesPerSeries,
  /**
   * Largest share of its volume Prometheus' size retention (`--storage.tsdb.retention.size`,
   * `prometheus.retentionSize`) may take: docs/storage.md "Right-Sizing Retention Size" (prometheus/
   * prometheus 00ca8aef): "we recommend setting the retention size to, at most, 80-85% of your
   * allocated Prometheus disk space". The top of that range is taken because the same file says the
   * size counts the WAL and m-mapped head chunks but deletes only persistent blocks, so what is left
   * above it is the room the WAL and head peaks need before blocks are removed.
   */
  retentionSizeShare: 0.85,
} as const;

/** Samples per second of `series` scraped every `intervalSeconds` (Mimir's formula). */
export function samplesPerSecond(series: number, intervalSeconds: number): number {
  return series / intervalSeconds;
}

/** Largest share of a pool's allocatable CPU and memory the stack's requests may take. */
export const BUDGET_MAX_REQUEST_SHARE = 0.8;

/** What one DaemonSet's pod requests of every node it runs on: cores and bytes. */
export interface NodeShare {
  workload: string;
  cpu: number;
  memory: number;
}

/**
 * What one node (allocatable cores and bytes) leaves for other pods beside the DaemonSets' pods
 * `daemons` on it: the scheduler counts every pod on a node against its allocatable
 * (NodeResourcesFit sums the requests of the pods already on the node, kubernetes/kubernetes
 * pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest), so another pod gets what those
 * leave, not the whole node. The config check sizes pods with it (config/sizing.ts, from the pods
 * the program puts on every node) and the pack judges them with it (policy/lib/budget.ts, from the
 * rendered DaemonSets): a pod one finds fitting the other finds fitting too.
 */
export function nodeLeft(
  node: { cpu: number; memoryBytes: number },
  daemons: readonly Pick<NodeShare, "cpu" | "memory">[],
): { cpu: number; memory: number } {
  let cpu = node.cpu;
  let memory = node.memoryBytes;
  for (const d of daemons) {
    cpu -= d.cpu;
    memory -= d.memory;
  }
  return { cpu, memory };
}

/** The workload a stack declares (`workload.*`), as numbers. */
export interface DeclaredWorkload {
  activeSeries?: number;
  logsPerDayBytes?: number;
}

/**
 * Kinds of the object a sized component's `workload` names: the workload object itself, or the
 * custom resource an operator runs it from (prometheus-operator's Prometheus, VictoriaMetrics'
 * VMSingle; a VMCluster's parts are the operator's `<part>-<CR name>` StatefulSets and Deployments).
 * Custom resources of other kinds may share the name (victoria-metrics-k8s-stack names its VMSingle,
 * VMAgent, VMAlert and VMAlertmanager all after the release fullname); among objects of these kinds
 * it is unique in the stack's namespace, so the pack matches a sized component by name and kind.
 */
export const SIZED_OBJECT_KINDS: readonly string[] = ["StatefulSet", "Deployment", "Prometheus", "VMSingle"];

/**
 * The `sizedFor` of a component no declared workload or cap sizes: it runs at the profile's size
 * (model/sizing.ts, the lightweight column chosen for 8 GiB Pi 5 nodes), a default that a
 * `chartValues` override of its resources may lower (docs/how-to/chart-values.md), not a figure of
 * upstream's capacity rules above. The config's fit check and the pack's budget leave such a pod's
 * size to its rendered requests: whether it fits the pools, not whether it matches the default.
 */
export const SIZED_FOR_PROFILE = "the profile";

/** Whether a component runs at the profile's size, sized from nothing the stack declares. */
export function sizedByProfile(c: Pick<SizedComponent, "sizedFor">): boolean {
  return c.sizedFor === SIZED_FOR_PROFILE;
}

/**
 * Whether a component's memory is the profile's default whatever the stack declares: those
 * `sizedByProfile`, and those `atProfile` marks. No figure of upstream's sizes it, so the pack
 * judges its rendered pods against the pools only, not against that default.
 */
export function atProfileSize(c: Pick<SizedComponent, "sizedFor" | "atProfile">): boolean {
  return sizedByProfile(c) || c.atProfile === true;
}

/** One component sized from the workload or its own cap: what it is sized for and its memory. */
export interface SizedComponent {
  /** Component and target, e.g. "mimir", "loki write". */
  component: string;
  /**
   * metadata.name of the rendered object it runs as, of a kind in SIZED_OBJECT_KINDS, e.g.
   * "loki-write" (a StatefulSet), "kps-prometheus" (a Prometheus).
   */
  workload: string;
  replicas: number;
  /** Memory limit per pod, bytes. */
  memoryBytes: number;
  /** Memory request per pod, bytes (the limit for data-bearing and workload-sized pods). */
  requestBytes: number;
  /** Volume per pod, bytes (0 when it has none). */
  volumeBytes: number;
  /** What it is sized for, for people ("1000000 series (mimir.maxGlobalSeriesPerUser)"). */
  sizedFor: string;
  /**
   * Memory limit per pod the profile gives it, bytes: no smaller workload or cap sizes it below
   * that (config/sizing.ts memoryOf), so only a component above it is lowered by declaring less.
   * Absent in the records of programs before it.
   */
  floorBytes?: number;
  /**
   * Its memory is the profile's though the stack chose how many pods run (a VMCluster's vminsert
   * and vmselect, Loki Distributed's parts without workload.logsPerDay): the config's fit check
   * places them with the rest, but their size is a default a chartValues override may lower.
   */
  atProfile?: boolean;
  /**
   * Memory per pod the declared workload or cap needs by upstream's capacity rules, when that is
   * below the profile's (floorBytes), which it then runs at (a Monolithic Loki for 15GB a day
   * needs 302Mi and runs at 1Gi): its size is a default a chartValues override may lower, down to
   * this and not below. Absent where the need sets its size, and in records of programs before it.
   */
  needBytes?: number;
  /**
   * The share of its memory limit its runtime is given, where the program raised its limit over
   * its load by it (a Loki sized for its logs: the loki chart's GOMEMLIMIT, LOKI_GO_MEMLIMIT): the
   * limit holds load / share, and a request need hold only the load (the share is of the limit,
   * and no limit injects no GOMEMLIMIT). Absent where no share raised it.
   */
  runtimeShare?: number;
}
