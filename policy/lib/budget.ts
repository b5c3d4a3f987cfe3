import type { ChartData } from "./charts";
import { HELM_TYPES, type Res } from "./resources";
import {
  base2Bytes,
  BUDGET_MAX_REQUEST_SHARE,
  decodeStackInfo,
  parseQuantity,
  PROMETHEUS_SIZING,
  SIZED_OBJECT_KINDS,
  atProfileSize,
  isParked,
  selects,
  isStackInfoLabels,
  nodeLeft,
  type DeclaredWorkload,
  type NodeShare,
  type PoolInfo,
  type SizedComponent,
  type StackFacts,
} from "@homelab-observability/contract";
import {
  canLandOn,
  injectedSidecars,
  renderedSchedulingKey,
  renderedValuesKeys,
  vmOperatorEnv,
  workloadsOf,
  type Workload,
} from "./workloads";

export type { NodeShare, PoolInfo, StackFacts };

/**
 * Facts from the program's stack-info ConfigMap (phase, production flag, node pools), found by its
 * label and decoded as the shared contract encodes it.
 */
export function stackFacts(resources: Res[]): StackFacts {
  const info = resources.find(
    (r) => r.type === "kubernetes:core/v1:ConfigMap" && isStackInfoLabels(r.props.metadata?.labels),
  );
  return info ? decodeStackInfo(info.props.data) : {};
}

interface Sums {
  cpu: number;
  memory: number;
  cpuLimit: number;
  memoryLimit: number;
}
const zero = (): Sums => ({ cpu: 0, memory: 0, cpuLimit: 0, memoryLimit: 0 });
/**
 * Adds a workload's pods to a sum, but a hook Helm runs only at uninstall (the VictoriaMetrics
 * operator chart's pre-delete CRD cleanup Job; contract runsOnlyAtUninstall). Its pod must find a
 * node when it runs, beside the release's pods, which Helm deletes only after it (helm v3.17.3
 * pkg/action/uninstall.go:108-123): computeBudget judges that with the others. But it exists only
 * during the uninstall, so it is no part of the running stack's requests, which the share keeps its
 * headroom against, nor a source of them a message names.
 */
function add(s: Sums, w: Workload, times: number) {
  if (w.uninstallOnly) return;
  s.cpu += w.requests.cpu * times;
  s.memory += w.requests.memory * times;
  s.cpuLimit += w.limits.cpu * times;
  s.memoryLimit += w.limits.memory * times;
}

export interface BudgetRow {
  pool: string;
  nodes: number;
  sums: Sums;
  capacity: { cpu: number; memory: number };
  /**
   * The URNs of the resources whose workloads the row counts (a Helm release, or an object it
   * rendered): a message on the row can name what raised its requests (synth/report.ts).
   */
  sources: string[];
}

export interface Budget {
  rows: BudgetRow[];
  /** Workloads that can run in several pools (counted once, against the pools' combined capacity). */
  floating: Sums;
  total: BudgetRow;
  /** Workloads no pool admits. */
  unschedulable: string[];
  /** Why no pool admits each of them, pool by pool ({@link keptOffBy}), in `unschedulable`'s order. */
  keptOff: KeptOff[];
  /**
   * Workloads some pool admits but whose pod asks for more CPU or memory than one node of any of
   * those pools has: the scheduler places a pod on one node, so it would stay Pending however much
   * the pool holds in all.
   */
  oversized: Oversized[];
  /**
   * Workloads with more replicas than nodes that admit and hold their pods, whose required pod
   * anti-affinity on the hostname keeps each pod on a node of its own: the others stay Pending.
   */
  crowded: Crowded[];
  /** Share of capacity the requests may take; headroom is measured against it. */
  share: number;
  /** The declared workload and what each component is sized for (stack-info), when known. */
  workload?: DeclaredWorkload;
  sized?: SizedComponent[];
  /** Sized components whose rendered pods request less memory than they are sized for. */
  undersized: string[];
  /** Each rendered Prometheus CR's size retention against its volume. */
  retention: PrometheusRetention[];
  /**
   * Every workload the budget walked, parked DaemonSets too: a message that asks what the stack
   * runs (policy/budget.ts, which images) reads them here instead of walking the resources again.
   */
  workloads: Workload[];
}

/** A workload whose pod no node of the pools that admit it holds beside those nodes' DaemonSets. */
export interface Oversized {
  /** Its kind and name (`StatefulSet loki`, `VMSingle vm`): one chart may give several objects one name. */
  workload: string;
  /** The stack key of its containers' requests, when the pack knows where its chart reads them. */
  requestsKey?: string;
  /** The resource it comes from: a report's URN, for the chartValues override behind it. */
  urn: string;
  /** What one pod requests. */
  requests: { cpu: number; memory: number };
  /**
   * What its memory request comes from, when not a resources block: the stack key the program
   * sized it from ({@link sizedFrom}) or the value the chart computes it from (Workload.requestsFrom).
   * Memory only: neither gives the CPU request.
   */
  from?: string;
  /**
   * Each pool that admits it, with the DaemonSets on every node there (the pool's list, shared) and,
   * when the workload is one of them, its own share, which is not beside itself ({@link besideOf}).
   */
  pools: { index: number; pool: PoolInfo; daemons: NodeShare[]; own?: NodeShare }[];
}

/**
 * The DaemonSets beside an oversized workload's pod on a pool's nodes: the pool's list less its own
 * share. Made when read, not for every entry: over the pack benchmark's 10,000 resources ~2,000
 * workloads a run fit nowhere, 412 of them DaemonSets, and their lists were 170,000 entries copied
 * for a message that reads two of them per set of pools (policy/budget.ts oversizedMessages).
 */
export function besideOf(entry: Oversized["pools"][number]): NodeShare[] {
  return entry.own === undefined ? entry.daemons : entry.daemons.filter((d) => d !== entry.own);
}

/** How many DaemonSets {@link besideOf} lists, without the list. */
export function besideCount(entry: Oversized["pools"][number]): number {
  return entry.daemons.length - (entry.own === undefined ? 0 : 1);
}

/** A workload whose replicas its hard node anti-affinity spreads over fewer nodes than it has. */
export interface Crowded {
  /** Its kind and name, as {@link Oversized.workload}. */
  workload: string;
  urn: string;
  replicas: number;
  /** The stack key of its replica count, when the pack knows where its chart reads it. */
  replicasKey?: string;
  /** The pools that admit and hold its pods, each with its index in the stack's `nodePools`. */
  pools: { index: number; pool: PoolInfo }[];
}

/** A Prometheus CR's `spec.retentionSize` and the volume its claim template asks for. */
export interface PrometheusRetention {
  /** The CR's name, which its StatefulSet and the sized component carry (`prometheus-<name>`). */
  workload: string;
  retentionSize: string;
  volume: string;
  /** retentionSize / volume. */
  share: number;
}

const PROMETHEUS_CR = "kubernetes:monitoring.coreos.com/v1:Prometheus";

/** Size retention and volume of the rendered Prometheus CRs that set both. */
function prometheusRetention(resources: Res[]): PrometheusRetention[] {
  const out: PrometheusRetention[] = [];
  for (const r of resources) {
    if (r.type !== PROMETHEUS_CR) continue;
    const retentionSize = r.props.spec?.retentionSize;
    const volume = r.props.spec?.storage?.volumeClaimTemplate?.spec?.resources?.requests?.storage;
    const size = typeof retentionSize === "string" ? base2Bytes(retentionSize) : undefined;
    const disk = parseQuantity(volume);
    if (size === undefined || !disk) continue;
    out.push({ workload: r.props.metadata?.name ?? r.name, retentionSize, volume, share: size / disk });
  }
  return out;
}

/**
 * Per pool, the DaemonSet pods on each of its nodes, and each DaemonSet's share. A DaemonSet runs a
 * pod on every node of each pool it lands on, and the scheduler counts every pod on a node against
 * its allocatable (NodeResourcesFit sums the requests of the pods already on the node,
 * kubernetes/kubernetes pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest): another
 * pod gets what those leave, not the whole node. A parked DaemonSet runs no pod.
 */
function daemonsPerPool(
  workloads: Workload[],
  pools: PoolInfo[],
): {
  daemons: NodeShare[][];
  daemonOf: Map<Workload, NodeShare>;
  /** What they take of every node of each pool. */
  taken: { cpu: number; memory: number }[];
  /** Which they are, per pool. */
  onPool: Set<NodeShare>[];
} {
  const daemons: NodeShare[][] = pools.map(() => []);
  const daemonOf = new Map<Workload, NodeShare>();
  for (const w of workloads) {
    if (w.kind !== "DaemonSet" || isParked(w)) continue;
    const share = { workload: w.name, cpu: w.requests.cpu, memory: w.requests.memory };
    daemonOf.set(w, share);
    pools.forEach((p, i) => {
      if (canLandOn(w, p.labels ?? {}, p.taints ?? [], p.arch)) daemons[i].push(share);
    });
  }
  const taken = daemons.map((list) => ({
    cpu: list.reduce((n, d) => n + d.cpu, 0),
    memory: list.reduce((n, d) => n + d.memory, 0),
  }));
  return { daemons, daemonOf, taken, onPool: daemons.map((list) => new Set(list)) };
}

/**
 * A rendered object's release by its URN, for where its chart schedules it (asked only of a
 * kept-off one), the map made on first use. Only the Helm resources: renderedChartWorkload reads
 * nothing of a parent that is none. Keying every resource's URN was ~10 ms a run of the pack
 * benchmark's 10,000 (its URNs are long).
 */
function releasesByUrn(resources: Res[]): (urn: string) => Res | undefined {
  let byUrn: Map<string, Res> | undefined;
  return (urn) => {
    if (byUrn === undefined) {
      byUrn = new Map();
      for (const r of resources) if (HELM_TYPES.has(r.type)) byUrn.set(r.urn, r);
    }
    return byUrn.get(urn);
  };
}

/**
 * Requests and limits per node pool: DaemonSets once per node of every pool they can land on,
 * other workloads in the single pool they can land on, or in `floating` when several admit them.
 */
export function computeBudget(
  resources: Res[],
  pools: PoolInfo[],
  charts?: Record<string, ChartData>,
  opts: { share?: number; facts?: StackFacts } = {},
): Budget {
  const share = opts.share ?? BUDGET_MAX_REQUEST_SHARE;
  const sized = opts.facts?.sized;
  const found = new Map<string, Workload>();
  const rows: BudgetRow[] = pools.map((p) => ({
    pool: p.name,
    nodes: p.count,
    sums: zero(),
    capacity: { cpu: p.cpu * p.count, memory: p.memoryBytes * p.count },
    sources: [],
  }));
  const floating = zero();
  const floatingSources: string[] = [];
  const counted = (sources: string[], w: Workload) => {
    if (!w.uninstallOnly && !sources.includes(w.source.urn)) sources.push(w.source.urn);
  };
  const unschedulable: string[] = [];
  const keptOff: Budget["keptOff"] = [];
  const oversized: Budget["oversized"] = [];
  const crowded: Budget["crowded"] = [];
  const sidecars = injectedSidecars(resources);
  const vmEnv = vmOperatorEnv(resources);
  const releaseOf = releasesByUrn(resources);
  const workloads: Workload[] = [];
  for (const r of resources) for (const w of workloadsOf(r, charts, sidecars, vmEnv)) workloads.push(w);
  const { daemons, daemonOf, taken, onPool } = daemonsPerPool(workloads, pools);
  for (const w of workloads) {
    // By the object's name and kind: a rendered StatefulSet and the chart model of the opaque
    // release (live `pulumi preview`) both carry the name the sized component records.
    if (w.object !== undefined && SIZED_OBJECT_KINDS.includes(w.objectKind ?? "")) found.set(w.object, w);
    // A parked DaemonSet (the agents' hand-over) is meant to run on no node: no pod, no request.
    if (w.kind === "DaemonSet" && isParked(w)) continue;
    const admits = pools
      .map((p, i) => ({ p, i }))
      .filter(({ p }) => canLandOn(w, p.labels ?? {}, p.taints ?? [], p.arch));
    if (admits.length === 0) {
      unschedulable.push(w.name);
      keptOff.push(keptOffEntry(w, pools, releaseOf, charts));
      continue;
    }
    // A pod lands on one node: only pools whose nodes each hold its requests beside the other
    // DaemonSets' pods there can run it. From each pool's sum, a DaemonSet's own share taken back
    // out: the list itself is built only for a pod that fits nowhere (over the pack benchmark's
    // 10,000 resources, filtering every pool's list for every workload cost a third of the pack).
    const own = daemonOf.get(w);
    const fits = admits.filter(({ p, i }) => {
      const mine = own && onPool[i].has(own) ? own : undefined;
      const left = nodeLeft(p, [taken[i]]);
      return (
        w.requests.memory <= left.memory + (mine?.memory ?? 0) &&
        w.requests.cpu <= left.cpu + (mine?.cpu ?? 0)
      );
    });
    if (fits.length === 0) {
      const requestsKey = renderedValuesKeys(w, releaseOf, charts).resourcesKeys?.[0];
      const from = sizedFrom(w, sized) ?? w.requestsFrom;
      oversized.push({
        workload: `${w.objectKind ?? w.kind} ${w.name}`,
        ...(requestsKey !== undefined ? { requestsKey: `${requestsKey}.requests` } : {}),
        urn: w.source.urn,
        requests: w.requests,
        ...(from ? { from } : {}),
        // The pool's own list (only read): besideOf leaves the workload's own share out.
        pools: admits.map(({ p, i }) => ({
          index: i,
          pool: p,
          daemons: daemons[i],
          ...(own !== undefined && onPool[i].has(own) ? { own } : {}),
        })),
      });
      continue;
    }
    // Pods kept on distinct nodes find as many nodes as the pools that admit and hold them have.
    const nodes = fits.reduce((n, { p }) => n + p.count, 0);
    if (w.kind !== "DaemonSet" && w.replicas > nodes && spreadByHostname(w)) {
      const replicasKey = renderedValuesKeys(w, releaseOf, charts).replicasKey;
      crowded.push({
        workload: `${w.objectKind ?? w.kind} ${w.name}`,
        urn: w.source.urn,
        replicas: w.replicas,
        ...(replicasKey !== undefined ? { replicasKey } : {}),
        pools: fits.map(({ p, i }) => ({ index: i, pool: p })),
      });
    }
    if (w.kind === "DaemonSet")
      for (const { p, i } of fits) {
        add(rows[i].sums, w, p.count);
        counted(rows[i].sources, w);
      }
    else if (fits.length === 1) {
      add(rows[fits[0].i].sums, w, w.replicas);
      counted(rows[fits[0].i].sources, w);
    } else {
      add(floating, w, w.replicas);
      counted(floatingSources, w);
    }
  }
  const total = totalRow(rows, pools, floating, floatingSources);
  const undersized = undersizedOf(sized ?? [], found);
  return {
    rows,
    floating,
    total,
    unschedulable,
    keptOff,
    oversized,
    crowded,
    share,
    workload: opts.facts?.workload,
    sized,
    undersized,
    retention: prometheusRetention(resources),
    workloads,
  };
}

/** A workload no pool admits: where its chart schedules it, and what keeps it off each pool. */
function keptOffEntry(
  w: Workload,
  pools: PoolInfo[],
  releaseOf: (urn: string) => Res | undefined,
  charts: Record<string, ChartData> | undefined,
): Budget["keptOff"][number] {
  const scheduling = renderedSchedulingKey(w, releaseOf, charts);
  // Neither a release the pack models nor an object a release rendered: the program wrote it.
  const own = !HELM_TYPES.has(w.source.type) && releaseOf(w.source.opts?.parent ?? "") === undefined;
  return {
    workload: w.name,
    urn: w.source.urn,
    ...(own ? { own } : {}),
    ...(scheduling !== undefined ? { tolerations: `${scheduling}.tolerations` } : {}),
    nodeSelector: w.nodeSelector,
    affinity: w.affinity,
    pools: pools.map((p, i) => keptOffBy(w, p, i)),
  };
}

/**
 * The stack key a workload's memory request is sized from, when the program sized it from one
 * (`workload.activeSeries`, `mimir.maxGlobalSeriesPerUser`, ...: the key its sized component's
 * `sizedFor` names, config/sizing.ts), as what lowers it: "sized for 1520000 series by
 * `workload.activeSeries`", the key in backquotes so the synthesis follows it with its line. Its
 * chart's resources values are the program's own, so naming them would send the user to a
 * chartValues override of what the program computes. Only while the pods request what the sizing
 * gave (`requestBytes`, beside what an operator injects): a request that differs was set by a
 * chartValues override, which the key did not size (the synthesis names the override).
 */
function sizedFrom(w: Workload, sized: SizedComponent[] | undefined): string | undefined {
  if (w.object === undefined || !SIZED_OBJECT_KINDS.includes(w.objectKind ?? "")) return undefined;
  const c = sized?.find((s) => s.workload === w.object);
  // One run at the profile's size above its workload's need: lowering the key lowers nothing.
  if (
    c === undefined ||
    c.needBytes !== undefined ||
    w.requests.memory - (w.injectedMemory ?? 0) !== c.requestBytes
  )
    return undefined;
  const m = /^(.*) \(([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z][A-Za-z0-9]*)+)\)$/.exec(c.sizedFor);
  return m ? `sized for ${m[1]} by \`${m[2]}\`` : undefined;
}

/** The node label every node has its own value of: anti-affinity on it is one pod per node. */
const HOSTNAME = "kubernetes.io/hostname";

/**
 * Whether a workload's required pod anti-affinity keeps its pods on distinct nodes: a term on the
 * hostname whose selector selects the pods' own labels, in their own namespace (a term without
 * `namespaces` or `namespaceSelector` is the pod's namespace; an empty `namespaceSelector` every
 * namespace). The scheduler then places no two of them on one node (InterPodAffinity,
 * kubernetes/kubernetes pkg/scheduler/framework/plugins/interpodaffinity/filtering.go), so
 * replicas past the nodes stay Pending. Pods whose labels the pack does not know are not judged.
 */
function spreadByHostname(w: Workload): boolean {
  const labels = w.podLabels;
  const terms: unknown = w.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!labels || !Array.isArray(terms)) return false;
  const namespace = w.source.props.metadata?.namespace;
  return terms.some((t: any) => {
    if (t?.topologyKey !== HOSTNAME || !selects(t.labelSelector, labels)) return false;
    // `namespaces` and `namespaceSelector` are ORed; with neither, the pod's own namespace.
    const names: unknown[] = Array.isArray(t.namespaces) ? t.namespaces : [];
    const bySelector: unknown = t.namespaceSelector;
    if (names.length === 0 && bySelector == null) return true;
    if (namespace !== undefined && names.includes(namespace)) return true;
    return typeof bySelector === "object" && bySelector !== null && Object.keys(bySelector).length === 0;
  });
}

/** The whole cluster's row: every pool's and the floating workloads' sums, on every node. */
function totalRow(
  rows: BudgetRow[],
  pools: PoolInfo[],
  floating: Sums,
  floatingSources: string[],
): BudgetRow {
  const total: BudgetRow = {
    pool: "total",
    nodes: pools.reduce((n, p) => n + p.count, 0),
    sums: zero(),
    capacity: {
      cpu: rows.reduce((n, r) => n + r.capacity.cpu, 0),
      memory: rows.reduce((n, r) => n + r.capacity.memory, 0),
    },
    sources: [...new Set([...rows.flatMap((r) => r.sources), ...floatingSources])],
  };
  for (const s of [...rows.map((r) => r.sums), floating]) {
    total.sums.cpu += s.cpu;
    total.sums.memory += s.memory;
    total.sums.cpuLimit += s.cpuLimit;
    total.sums.memoryLimit += s.memoryLimit;
  }
  return total;
}

/**
 * The same numbers the program sized with: a component sized from the declared workload or a cap
 * must request what it is sized for, or the scheduler's picture is smaller than what the component
 * will use. One line per component whose pods (`found`, by object name) request or are limited to
 * less. A component at the profile's size (atProfileSize: a VMCluster's vminsert and vmselect and
 * Loki Distributed's parts without workload.logsPerDay too) is not judged so: that size is a
 * default, not a capacity figure, and lowering it with a chartValues override is what the budget's
 * own advice for a pod no node holds says to do ("or lower their requests"); the pools' share and
 * the node fit judge it.
 */
function undersizedOf(sized: NonNullable<StackFacts["sized"]>, found: Map<string, Workload>): string[] {
  const undersized: string[] = [];
  for (const c of sized) {
    if (atProfileSize(c)) continue;
    const w = found.get(c.workload);
    // Unread requests (a resources value that is no map) are not 0: the render's error says why.
    if (!w || w.requestsUnread !== undefined) continue;
    // Run at the profile's size above what its workload needs: lowered as far as that need.
    const need = c.needBytes;
    const [sizedRequest, limit] = need === undefined ? [c.requestBytes, c.memoryBytes] : [need, need];
    // A limit raised over the load by its runtime's share (Loki's GOMEMLIMIT, c.runtimeShare) is no
    // request's need: the share is of the limit, so a request holds the load alone; a pod with no
    // memory limit is limited by none (and the chart injects no GOMEMLIMIT: loki 18.11.0
    // templates/_helpers.tpl:1179, only with `limits.memory`).
    const share = c.runtimeShare ?? 1;
    const request = share < 1 ? Math.floor(sizedRequest * share) : sizedRequest;
    const unlimited = w.limits.memory === 0;
    if (w.requests.memory < request || (!unlimited && w.limits.memory < limit))
      undersized.push(
        `${c.workload}: sized for ${c.sizedFor}${
          need === undefined
            ? ` (request ${mib(request)}, limit ${mib(c.memoryBytes)} of memory${runtimeWords(share)})`
            : `, which needs ${mib(request)} of memory a pod${share < 1 ? `, limited to ${mib(limit)}${runtimeWords(share)}` : ""} (the program gives it the profile's ${mib(c.requestBytes)}, a default a chartValues override may lower to that)`
        }, but its pods request ${mib(w.requests.memory)} and ${unlimited ? "have no memory limit" : `are limited to ${mib(w.limits.memory)}`}`,
      );
  }
  return undersized;
}

/** Why a limit is above the request a sized pod needs: its runtime's share of the limit. */
function runtimeWords(share: number): string {
  return share < 1
    ? `: the loki chart gives Loki's Go runtime ${Math.round(share * 100)}% of the limit as GOMEMLIMIT`
    : "";
}

/** A workload no pool admits: why, pool by pool, and what it selects nodes by. */
export interface KeptOff {
  workload: string;
  /** The resource it comes from (a rendered object, or a release the pack models): a report's URN. */
  urn: string;
  /** Where its pods' tolerations are written in the stack file, when the pack knows (Workload.schedulingKey). */
  tolerations?: string;
  /** An object the program writes itself, from no release (Mimir's StatefulSet): no chart value schedules it. */
  own?: boolean;
  nodeSelector: Record<string, string>;
  affinity: any;
  pools: PoolRefusal[];
}

/** Why one pool admits no pod of a workload: its labels, its taints, or both. */
export interface PoolRefusal {
  /** The pool's index in the stack's `nodePools`. */
  index: number;
  pool: string;
  /** Its labels do not satisfy the pod's nodeSelector or required node affinity. */
  selector: boolean;
  /**
   * Which of the two its labels fail, each judged alone: a message names only these (a chart's own
   * affinity, `NotIn fargate`, that the pool satisfies is no part of why the pod is kept off).
   */
  failing: SelectorPart[];
  /** Its NoSchedule and NoExecute taints the pod does not tolerate. */
  taints: PoolInfo["taints"];
}

/** The two parts of a pod's node selection a pool's labels are matched against. */
export type SelectorPart = "nodeSelector" | "affinity";

/**
 * Why pool `p` (index `i`) admits no pod of `w`: the selector judged alone (canLandOn without the
 * taints), its nodeSelector and its required node affinity each alone too, then each taint alone
 * against the pod's tolerations (canLandOn without selector), so a message names each part and
 * each taint that keeps the pod off, not the pool as a whole.
 */
export function keptOffBy(
  w: Pick<Workload, "nodeSelector" | "affinity" | "tolerations">,
  p: PoolInfo,
  i: number,
): PoolRefusal {
  const labels = p.labels ?? {};
  return {
    index: i,
    pool: p.name,
    selector: !canLandOn({ ...w, tolerations: [] }, labels, [], p.arch),
    failing: [
      ...(canLandOn(
        { nodeSelector: w.nodeSelector, affinity: undefined, tolerations: [] },
        labels,
        [],
        p.arch,
      )
        ? []
        : (["nodeSelector"] as const)),
      ...(canLandOn({ nodeSelector: {}, affinity: w.affinity, tolerations: [] }, labels, [], p.arch)
        ? []
        : (["affinity"] as const)),
    ],
    taints: (p.taints ?? []).filter(
      (t) =>
        !canLandOn(
          { nodeSelector: {}, affinity: undefined, tolerations: w.tolerations },
          labels,
          [t],
          p.arch,
        ),
    ),
  };
}

/** Memory a pool (or the total) can still take within the share: share x capacity - requests. */
export function headroom(b: Budget, row: BudgetRow): number {
  return b.share * row.capacity.memory - row.sums.memory;
}

/** Bytes as a message says memory: `512Mi`. */
export const mib = (b: number) => `${Math.round(b / 2 ** 20)}Mi`;
export const cores = (c: number) => `${Math.round(c * 1000)}m`;

/** The budget as a printable table. */
export function formatBudget(b: Budget): string {
  const header = [
    "pool",
    "nodes",
    "cpu req",
    "cpu lim",
    "mem req",
    "mem lim",
    "cpu cap",
    "mem cap",
    "mem req %",
    "mem headroom",
  ];
  const line = (r: BudgetRow) => [
    r.pool,
    String(r.nodes),
    cores(r.sums.cpu),
    cores(r.sums.cpuLimit),
    mib(r.sums.memory),
    mib(r.sums.memoryLimit),
    cores(r.capacity.cpu),
    mib(r.capacity.memory),
    `${((100 * r.sums.memory) / r.capacity.memory).toFixed(1)}%`,
    mib(headroom(b, r)),
  ];
  const rows = [header, ...b.rows.map(line)];
  if (b.floating.memory > 0 || b.floating.cpu > 0)
    rows.push([
      "(any pool)",
      "",
      cores(b.floating.cpu),
      cores(b.floating.cpuLimit),
      mib(b.floating.memory),
      mib(b.floating.memoryLimit),
      "",
      "",
      "",
      "",
    ]);
  rows.push(line(b.total));
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const table = rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ")).join("\n");
  const w = b.workload ?? {};
  const declared = [
    w.activeSeries !== undefined ? `${w.activeSeries} active series` : "",
    w.logsPerDayBytes !== undefined ? `${gib(w.logsPerDayBytes)} of logs a day` : "",
  ].filter(Boolean);
  const lines = [
    table,
    `mem headroom: ${Math.round(b.share * 100)}% of capacity minus requests`,
    `declared workload: ${declared.length > 0 ? declared.join(", ") : "none (workload.*): components keep their caps and the profile's sizes"}`,
  ];
  if (b.sized && b.sized.length > 0) {
    const sizedRows = [
      ["component", "pods", "memory each", "volume each", "sized for"],
      ...b.sized.map((c) => {
        // Prometheus' row says how much of its volume the size retention may fill.
        const kept = b.retention.find((p) => p.workload === c.workload);
        const volume = c.volumeBytes > 0 ? gib(c.volumeBytes) : "-";
        return [
          c.component,
          String(c.replicas),
          mib(c.memoryBytes),
          kept ? `${volume} (retention ${kept.retentionSize})` : volume,
          c.sizedFor,
        ];
      }),
    ];
    const sw = sizedRows[0].map((_, i) => Math.max(...sizedRows.map((r) => r[i].length)));
    lines.push(...sizedRows.map((r) => `  ${r.map((c, i) => c.padEnd(sw[i])).join("  ")}`.trimEnd()));
  }
  // Kept, not refused (a running stack must not be blocked), but never silent.
  for (const p of b.retention)
    if (p.share > PROMETHEUS_SIZING.retentionSizeShare + 1e-9)
      lines.push(
        `prometheus.retentionSize "${p.retentionSize}" is ${(100 * p.share).toFixed(1)}% of its ${p.volume} volume (prometheus.volumeSize), above the ${Math.round(100 * PROMETHEUS_SIZING.retentionSizeShare)}% Prometheus docs/storage.md recommends (the size counts the WAL and head chunks but only blocks are deleted, so the disk can fill first): kept as set; leave it unset for ${Math.round(100 * PROMETHEUS_SIZING.retentionSizeShare)}% of the volume`,
      );
  return lines.join("\n");
}

const gib = (b: number) => `${+(b / 2 ** 30).toFixed(1)}GiB`;
