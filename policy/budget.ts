import type { StackValidationPolicy } from "@pulumi/policy";
import {
  canLandOn,
  causeKey,
  closestMatch,
  POOL_ARCHES,
  withWellKnownLabels,
} from "@homelab-observability/contract";
import { PLACEMENT_JUDGED, reportCause, reportJudged } from "./lib/report";
import { configOf, schemaFor, LABELS_SCHEMA, TAINT_SCHEMA, type Level } from "./lib/config";
import { DEFAULT_CHARTS } from "./lib/charts";
import { toRes } from "./lib/resources";
import {
  computeBudget,
  cores,
  besideCount,
  besideOf,
  keptOffBy,
  mib,
  type Crowded,
  type NodeShare,
  type Oversized,
  stackFacts,
  type Budget,
  type KeptOff,
  type PoolInfo,
  type PoolRefusal,
  type SelectorPart,
} from "./lib/budget";
import { isNodeAgent, parseImage, workloadsOf, type Workload } from "./lib/workloads";
import { isParked } from "@homelab-observability/contract";
import { BUDGET_MAX_REQUEST_SHARE } from "@homelab-observability/contract";

export interface BudgetConfig {
  /** Share of a pool's allocatable CPU and memory the stack's requests may take. */
  maxRequestShare: number;
  /** Node pools; null reads them from the program's stack-info ConfigMap. */
  nodePools: PoolInfo[] | null;
}
export const BUDGET_DEFAULTS: BudgetConfig = { maxRequestShare: BUDGET_MAX_REQUEST_SHARE, nodePools: null };

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * What makes a stack fit, as config keys: the user reads this message in `pulumi preview` and
 * `npm run synth`, so it names the keys to change, starting with the lighter profile. A lightweight
 * stack that chose the standard profile's Mimir or Alloy (`metricsBackend`, `logAgent`) is told
 * that first: "already lightweight" would send its owner to buy nodes for a choice of theirs.
 */
export function toFit(
  profile: string | undefined,
  runs: Runs,
  smaller: readonly string[],
  pools = "`nodePools`",
): string {
  const keys = smaller.map((k) => `\`${k}\``).join(", ");
  const nodes = `add nodes or larger ones (${pools})${keys ? `, or declare a smaller workload (${keys})` : ""}.`;
  if (profile === "lightweight") {
    const heavier = [
      ...(runs.mimir
        ? ["Mimir (`metricsBackend: mimir`; the profile's VictoriaMetrics requests much less)"]
        : []),
      ...(runs.alloy ? ["Alloy (`logAgent: alloy`; the profile's Vector requests less)"] : []),
    ];
    if (heavier.length === 0) return `The profile is already lightweight: ${nodes}`;
    return `The profile is lightweight, but the stack runs ${heavier.join(" and ")}: leave ${[...(runs.mimir ? ["`metricsBackend`"] : []), ...(runs.alloy ? ["`logAgent`"] : [])].join(" and ")} to the profile, or ${nodes}`;
  }
  // Only the settings not yet in force: one already set would send its owner to set it again. The
  // backend is the large one (Mimir's fixed memory); the canary and the gateway free only their own
  // pods' requests, said in figures so that nobody turns them off expecting the pool to fit.
  const backend = runs.mimir ? "so does `metricsBackend: victoriametrics` alone; " : "";
  const small = [
    ...(runs.canary ? [`\`loki.canary: false\` frees ${runs.canary}`] : []),
    ...(runs.gateway ? [`\`loki.gateway: false\` ${runs.canary ? "" : "frees "}${runs.gateway}`] : []),
  ];
  const little = small.length ? `${small.join(", ")} (their pods' requests); ` : "";
  return (
    `The profile is ${profile ?? "standard"}: \`profile: lightweight\` (VictoriaMetrics, Vector, Loki without canary and gateway) requests much less; ` +
    `${backend}${little}or ${nodes}`
  );
}

/**
 * The keys that size the pools a budget row covers (`nodePools[0].count`, `nodePools[0].memory`),
 * in backquotes so that the synthesis and policy:check place each in the stack file; every pool's
 * `nodePools` when the row covers several, and the pack's own setting when the pools are its.
 */
function sizeKeys(pools: PoolInfo[], covered: string[], dim: "cpu" | "memory", ofStack: boolean): string {
  if (!ofStack) return "the policy's `nodePools` setting";
  const i = pools.findIndex((p) => p.name === covered[0]);
  return covered.length === 1 && i >= 0
    ? `\`nodePools[${i}].count\`, \`nodePools[${i}].${dim}\``
    : "`nodePools`";
}

/**
 * The keys of the declared workload whose smaller figure lowers a request: some sized component is
 * sized above the profile's floor (by the workload, or by a cap the workload would set), which no
 * smaller workload goes under. Each `workload.*` key such a component is sized by (its `sizedFor`,
 * config/sizing.ts: "8900000 series (workload.activeSeries)"), in backquotes in the message so that
 * the synthesis places it in the stack file; `workload.*` where one is sized by another key (a
 * series cap, which a declared workload would set) or by none the pack can read. None where no
 * request would go down, or unknown (no record of the floors): the hint would send its reader to a
 * key that may change nothing.
 */
function workloadKeys(sized: Budget["sized"]): string[] {
  const lowering = (sized ?? []).filter((c) => c.floorBytes !== undefined && c.memoryBytes > c.floorBytes);
  if (lowering.length === 0) return [];
  const keys = lowering.map((c) => /\((workload\.[A-Za-z]+)\)$/.exec(c.sizedFor)?.[1]);
  return keys.every((k) => k !== undefined) ? [...new Set(keys)] : ["workload.*"];
}

/**
 * What the stack runs of what the lighter settings leave out, from its workloads' images: whether
 * Mimir and Alloy run, and what Loki's canary and gateway pods request (memory, as a message says
 * it), when they run.
 */
interface Runs {
  mimir: boolean;
  alloy: boolean;
  /** Loki's canary (`loki.canary`), a DaemonSet: `32Mi on each node`. */
  canary?: string;
  /** Loki's gateway (`loki.gateway`): `64Mi` for its replicas. */
  gateway?: string;
}

/** The repositories of Mimir's, Alloy's and Loki's canary and gateway images (model/versions.ts pins them). */
const MIMIR_IMAGE = "docker.io/grafana/mimir";
const ALLOY_IMAGE = "docker.io/grafana/alloy";
const LOKI_CANARY_IMAGE = "docker.io/grafana/loki-canary";
const LOKI_GATEWAY_IMAGE = "docker.io/nginxinc/nginx-unprivileged";

/**
 * What the stack runs of what the lighter settings leave out ({@link Runs}): a workload running its
 * image (the program's own StatefulSet, a chart's), from the workloads the budget walked.
 */
function heavierChoices(workloads: Workload[]): Runs {
  const running = (image: string) =>
    workloads.filter((w) => w.images.some((i) => parseImage(i.image).repository === image));
  /** What the pods of `image` request: per node for a DaemonSet, else for all their replicas. */
  const requested = (image: string): string | undefined => {
    const ws = running(image);
    if (ws.length === 0) return undefined;
    const perNode = ws.filter((w) => w.kind === "DaemonSet").reduce((n, w) => n + w.requests.memory, 0);
    const fixed = ws
      .filter((w) => w.kind !== "DaemonSet")
      .reduce((n, w) => n + w.requests.memory * w.replicas, 0);
    return (
      [...(fixed ? [mib(fixed)] : []), ...(perNode ? [`${mib(perNode)} on each node`] : [])].join(" and ") ||
      "0Mi"
    );
  };
  return {
    mimir: running(MIMIR_IMAGE).length > 0,
    alloy: running(ALLOY_IMAGE).length > 0,
    canary: requested(LOKI_CANARY_IMAGE),
    gateway: requested(LOKI_GATEWAY_IMAGE),
  };
}

/** The stack's requests fit the node pools with headroom. */
export function resourceBudget(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "resource-budget",
    description:
      "Summed CPU and memory requests per node pool stay within a share of the pool's capacity, each pod fits on one node beside the DaemonSets' pods there, and replicas kept on distinct nodes (required pod anti-affinity on the hostname) are no more than the nodes that admit and hold them.",
    enforcementLevel: level,
    configSchema: schemaFor(
      BUDGET_DEFAULTS as unknown as Record<string, unknown>,
      {
        maxRequestShare:
          "Largest share of capacity the requests may use: a fraction in (0, 1], 0.8 for 80% (the default).",
        nodePools:
          "Node pools with count, cpu (cores) and memoryBytes per node; null reads the stack-info ConfigMap.",
      },
      {
        // A share, not a percentage: 80 would let requests take 80 times the capacity, silently.
        maxRequestShare: { exclusiveMinimum: 0, maximum: 1 },
        nodePools: {
          type: ["array", "null"],
          items: {
            type: "object",
            required: ["name", "count", "cpu", "memoryBytes"],
            additionalProperties: false,
            properties: {
              name: { type: "string" },
              arch: { enum: [...POOL_ARCHES] },
              count: { type: "integer", minimum: 1 },
              cpu: { type: "number", exclusiveMinimum: 0 },
              memoryBytes: { type: "number", exclusiveMinimum: 0 },
              labels: LABELS_SCHEMA,
              taints: { type: "array", items: TAINT_SCHEMA },
            },
          },
        },
      },
    ),
    validateStack: (args, report) => {
      const cfg = configOf(args, BUDGET_DEFAULTS);
      // The schema refuses it where the engine validates the config; a run given it unchecked
      // (a policy host configured directly) must not judge against 80 times the capacity.
      const share: unknown = cfg.maxRequestShare;
      if (typeof share !== "number" || !(share > 0 && share <= 1)) {
        report(
          `maxRequestShare must be a fraction of capacity in (0, 1] (0.8 for 80%), found ${typeof share === "number" ? share : JSON.stringify(share)}; the budget is not judged until it is one.`,
        );
        return;
      }
      const resources = args.resources.map(toRes);
      const facts = stackFacts(resources);
      const pools = cfg.nodePools ?? facts.pools;
      if (!pools || pools.length === 0) return;
      const b = computeBudget(resources, pools, DEFAULT_CHARTS, { share: cfg.maxRequestShare, facts });
      // The total covers every pool: with one pool it is that pool's row again, the same mistake.
      const covered = (pool: string) => (pool === b.total.pool ? pools.map((p) => p.name) : [pool]);
      // Only asked when a pool is over budget: it reads every workload's images.
      let runs: Runs | undefined;
      const fit = (pools: string) =>
        toFit(facts.profile, (runs ??= heavierChoices(b.workloads)), workloadKeys(b.sized), pools);
      for (const row of [...b.rows, b.total]) {
        for (const dim of ["cpu", "memory"] as const) {
          const used = row.sums[dim];
          const cap = row.capacity[dim];
          if (cap > 0 && used > cfg.maxRequestShare * cap) {
            reportCause(
              report,
              `pool ${row.pool}: ${dim} requests ${dim === "cpu" ? `${used.toFixed(2)} cores` : mib(used)} are ${pct(used / cap)} of its capacity, above the ${pct(cfg.maxRequestShare)} budget. ${fit(sizeKeys(pools, covered(row.pool), dim, !cfg.nodePools))}`,
              causeKey(`resource-budget-${dim}`, [...new Set(covered(row.pool))].sort().join(",")),
            );
          }
        }
      }
      for (const u of b.undersized)
        report(`${u}; the program sizes it from upstream's capacity rules (contract/sizing.ts).`);
      // The message rests on the parts of the pods' placement that keep them off, not on every
      // key its selector spells out: an override of an entry every pool satisfies is no cause.
      for (const { message, cause, urn, judged } of keptOffMessages(b.keptOff, pools, !cfg.nodePools))
        reportJudged(report, message, judged, urn, cause);
      // A pod larger than every node it may land on rests on its requests and what places it; a
      // replica count beyond the nodes its anti-affinity spreads it over, on its replicas and
      // what places it: an override setting none of those is no cause of either.
      for (const { message, urn } of oversizedMessages(b.oversized, !cfg.nodePools))
        reportJudged(report, message, ["resources", ...PLACEMENT_JUDGED], urn);
      for (const c of b.crowded)
        reportJudged(
          report,
          crowdedMessage(c, !cfg.nodePools),
          ["replicas", "replicaCount", ...PLACEMENT_JUDGED],
          c.urn,
        );
    },
  };
}

const DIMS = ["memory", "cpu"] as const;
type Dim = (typeof DIMS)[number];
/** What one node of `pool` has of each dimension. */
const capacityOf = (pool: { cpu: number; memoryBytes: number }) => ({
  cpu: pool.cpu,
  memory: pool.memoryBytes,
});
const amount = (dim: "memory" | "cpu", n: number) => (dim === "memory" ? mib(n) : cores(n));
const dimName = (dim: "memory" | "cpu") => (dim === "memory" ? "memory" : "CPU");

/**
 * One message per set of pools for the workloads whose pod no node there holds beside the
 * DaemonSets' pods on it: the pools' node size is the one mistake (too small for the stack's
 * largest pods), so the workloads it keeps Pending are named in it, with what each requests and
 * the key its requests are read from, and the pool's key with the size its nodes would need (from
 * every one of them). Past {@link OVERSIZED_NAMED} workloads, those that ask the most are named
 * and the rest counted: a list of every one was no message a person reads (1,994 workloads over
 * the pack benchmark's 10,000 resources, one message of 508,082 characters), and writing it was
 * most of the message's cost. When the workloads come from one release, the message carries the
 * URN of the first by name, so the synthesis names the chartValues override that raised the
 * requests, with its line.
 */
export function oversizedMessages(
  oversized: Oversized[],
  ofStack: boolean,
): { message: string; urn?: string }[] {
  const groups = new Map<string, Oversized[]>();
  for (const o of oversized) {
    const id = o.pools.map((p) => p.index).join(",");
    const group = groups.get(id);
    if (group) group.push(o);
    else groups.set(id, [o]);
  }
  return [...groups.values()].map((group) => {
    // The first two by name, not by the resources' order: one stack gives one text, whichever
    // object comes first (the DaemonSets are listed from their lists, the URN is the first's).
    const [first, second] = firstTwoByName(group);
    // The pools' indices and sizes are one for the group; the DaemonSets beside each pod are its own.
    const pools = first.pools;
    // Every DaemonSet on each pool's nodes: each workload's list misses only itself, so any two
    // lists name them all, the grouped DaemonSets too (one object each, shared by the lists).
    const all = pools.map((_, k) => [
      ...new Set([...besideOf(first.pools[k]), ...(second === undefined ? [] : besideOf(second.pools[k]))]),
    ]);
    const sums = all.map((list) => ({
      cpu: list.reduce((n, d) => n + d.cpu, 0),
      memory: list.reduce((n, d) => n + d.memory, 0),
    }));
    // What the DaemonSets beside a workload's pod take of a node of pool k: all of them, less its
    // own share when its list leaves it out (it is one of them). From the sums, not each list
    // summed again: a group holds every copy of a workload over many stacks or variants.
    const beside = (o: Oversized, k: number, dim: Dim) =>
      sums[k][dim] - (besideCount(o.pools[k]) < all[k].length ? o.requests[dim] : 0);
    // Of each workload, only the requests no node holds beside the DaemonSets beside it: the
    // message names what to lower.
    const overOf = new Map(
      group.map((o) => [
        o,
        DIMS.filter((dim) =>
          o.pools.some(({ pool }, k) => o.requests[dim] > capacityOf(pool)[dim] - beside(o, k, dim)),
        ),
      ]),
    );
    const over = (o: Oversized) => overOf.get(o)!;
    const dims = DIMS.filter((dim) => group.some((o) => over(o).includes(dim)));
    const they = group.length === 1 ? "it" : "they";
    // The workloads named, by name; past OVERSIZED_NAMED, those that ask the most of the first
    // dimension the group is over (memory before CPU), then of the second, ties by name.
    const named = largestOf(group, dims).sort(byWorkloadName);
    const others = group.length - named.length;
    const asks = named
      .map(
        (o) =>
          `${o.workload} (${over(o)
            .map((dim) => `${amount(dim, o.requests[dim])} of ${dimName(dim)}`)
            .join(" and ")})`,
      )
      .join(", ")
      .concat(
        others === 0
          ? ""
          : `, and ${others} other workload${others === 1 ? "" : "s"} (the ${named.length} named ask the most ${dimName(dims[0])})`,
      );
    // What each pool's nodes would need: the largest of each pod beside the DaemonSets beside it.
    const need = pools
      .flatMap(({ index, pool }, k) =>
        dims.map((dim) => {
          const size = group.reduce((m, o) => Math.max(m, o.requests[dim] + beside(o, k, dim)), 0);
          const key = ofStack ? `\`nodePools[${index}].${dim}\`` : `the ${dim} of pool ${pool.name}`;
          return `${key} to at least ${amount(dim, size)}`;
        }),
      )
      .join(" and ");
    // The request to lower by its key, which the synthesis also finds the override behind it by;
    // `from` only for memory, which is all it gives.
    const lowerOf = (o: Oversized) => {
      const each = over(o).map((dim) =>
        dim === "memory" && o.from !== undefined
          ? o.from
          : o.requestsKey !== undefined
            ? `${o.requestsKey}.${dim}`
            : undefined,
      );
      if (each.every((k) => k === undefined)) return "its pods' requests";
      return each
        .map((k, i) => k ?? `its pods' ${over(o)[i] === "cpu" ? "CPU" : "memory"} requests`)
        .join(" and ");
    };
    const lower = named
      .map((o) => `${o.workload}: ${lowerOf(o)}`)
      .join("; ")
      .concat(others === 0 ? "" : `; the other ${others} likewise`);
    const origin = originOfUrn(first.urn);
    const where = pools.map(({ pool }, k) => oversizedPoolText(pool, all[k], dims)).join("; ");
    return {
      message:
        `${asks}: each pod requests more than one node holds beside the DaemonSets' pods on it (${where}), so ${they} would stay Pending (a pod runs on one node). ` +
        `Set ${need}${ofStack ? "" : " (the policy's `nodePools` setting)"}, or lower ${group.length === 1 ? "its" : "their"} requests (${lower}).`,
      ...(group.every((o) => originOfUrn(o.urn) === origin) && { urn: first.urn }),
    };
  });
}

/** How many workloads one oversized message names; the rest it counts. */
export const OVERSIZED_NAMED = 10;

const byWorkloadName = (a: Oversized, b: Oversized) =>
  a.workload < b.workload ? -1 : a.workload > b.workload ? 1 : 0;

/** The first and second of `group` (not empty) by name, without sorting it. */
function firstTwoByName(group: Oversized[]): [Oversized, Oversized | undefined] {
  let first = group[0];
  let second: Oversized | undefined;
  for (let i = 1; i < group.length; i++) {
    const o = group[i];
    if (byWorkloadName(o, first) < 0) [first, second] = [o, first];
    else if (second === undefined || byWorkloadName(o, second) < 0) second = o;
  }
  return [first, second];
}

/**
 * The {@link OVERSIZED_NAMED} of `group` whose pods ask the most of `dims[0]`, then of `dims[1]`
 * when the group is over both (ties by name), or all of them when they are no more. Kept by insertion, not by sorting the
 * group: a group can hold thousands.
 */
function largestOf(group: Oversized[], dims: readonly Dim[]): Oversized[] {
  if (group.length <= OVERSIZED_NAMED) return [...group];
  const larger = (a: Oversized, b: Oversized) => {
    for (const dim of dims) if (a.requests[dim] !== b.requests[dim]) return a.requests[dim] > b.requests[dim];
    return byWorkloadName(a, b) < 0;
  };
  const top: Oversized[] = [];
  for (const o of group) {
    if (top.length === OVERSIZED_NAMED && !larger(o, top[top.length - 1])) continue;
    let at = top.length === OVERSIZED_NAMED ? top.length - 1 : top.length;
    while (at > 0 && larger(o, top[at - 1])) {
      top[at] = top[at - 1];
      at--;
    }
    top[at] = o;
  }
  return top;
}

/**
 * A pool's node size in each of `dims`, and what the DaemonSets' pods take of every node: what is
 * left, or, when they alone ask more than a node has, that they do (no pod runs beside them).
 */
function oversizedPoolText(
  pool: PoolInfo,
  daemons: NodeShare[],
  dims: readonly ("memory" | "cpu")[],
): string {
  const sizes = dims.map((dim) => {
    const per = dim === "memory" ? pool.memoryBytes : pool.cpu;
    // Only the DaemonSets that take some of it: one requesting none changes nothing.
    const taking = daemons.filter((d) => d[dim] > 0);
    const taken = taking.reduce((n, d) => n + d[dim], 0);
    const each = taking.map((d) => `${d.workload} ${amount(dim, d[dim])}`).join(", ");
    const size = `${amount(dim, per)} of ${dimName(dim)} per node`;
    if (taking.length === 0) return size;
    return taken > per
      ? `${size}, less than the ${amount(dim, taken)} the DaemonSets' pods on every node request (${each})`
      : `${size}, ${amount(dim, taken)} of it requested by the DaemonSets' pods on every node (${each}): ${amount(dim, per - taken)} left`;
  });
  return `pool ${pool.name}: ${sizes.join("; ")}`;
}

/**
 * A workload with more replicas than nodes its hard node anti-affinity can spread them over: the
 * replica count by its key (the synthesis names the chartValues override that set it, with its
 * line), the nodes that admit it by their pools' keys, and how many pods stay Pending.
 */
export function crowdedMessage(c: Crowded, ofStack: boolean): string {
  const nodes = c.pools.reduce((n, { pool }) => n + pool.count, 0);
  const where = c.pools
    .map(({ index, pool }) =>
      ofStack ? `pool ${pool.name}, \`nodePools[${index}].count\`` : `pool ${pool.name}`,
    )
    .join(", ");
  const count = c.replicasKey ?? "its replica count";
  return (
    `${c.workload}: ${c.replicas} replicas (${count}), but its required pod anti-affinity on kubernetes.io/hostname keeps each on a node of its own, and the pools that admit and hold its pods have ${nodes} node${nodes === 1 ? "" : "s"} (${where}): ` +
    `${c.replicas - nodes} would stay Pending. Set ${count} to at most ${nodes}, or add nodes.`
  );
}

/** A taint as Kubernetes prints it: `key=value:Effect`, `key:Effect` without a value. */
const taintText = (t: PoolInfo["taints"][number]) =>
  `${t.key}${t.value !== undefined && t.value !== "" ? `=${t.value}` : ""}:${t.effect}`;

/**
 * The stack key of pool `i` (`nodePools[i]`), written in backquotes so that the synthesis places
 * it in the stack file (synth/report.ts); a pool of the pack's own `nodePools` setting is named
 * by its name only, the stack file not holding it.
 */
const poolKey = (r: PoolRefusal, ofStack: boolean, sub = "") =>
  ofStack ? `\`nodePools[${r.index}]${sub}\` (pool ${r.pool})` : `pool ${r.pool}`;

/** What keeps a workload off one pool, with the key that says it, and what the workload selects. */
function refusalText(r: PoolRefusal, pool: PoolInfo | undefined, ofStack: boolean): string {
  const parts: string[] = [];
  if (r.taints.length > 0)
    parts.push(
      `${poolKey(r, ofStack, ".taints")}: taint${r.taints.length > 1 ? "s" : ""} ${r.taints.map(taintText).join(", ")}, not tolerated`,
    );
  if (r.selector)
    parts.push(`${poolKey(r, ofStack, ".labels")}: its labels (${poolLabels(pool)}) do not satisfy it`);
  return parts.join("; ");
}

/**
 * The release (or raw resource) a workload comes from: its URN's type chain up to the release and
 * the release's name (`…Release$…:DaemonSet::vector-agents/monitoring-agents/vector` is
 * `vector-agents`'s). Workloads of one origin are one release's values to change.
 */
function originOfUrn(urn: string): string {
  const cut = urn.lastIndexOf("::");
  const types = urn.slice(0, cut);
  const dollar = types.lastIndexOf("$");
  return dollar < 0 ? urn : `${types.slice(0, dollar)}::${urn.slice(cut + 2).split("/")[0]}`;
}

/**
 * One message per cause for the workloads no pool admits: every pool keeps them off, each for its
 * reasons (a taint, its labels against what they select), and the workloads kept off for the same
 * reasons are one mistake (one taint on the only pool keeps every workload without a toleration
 * off, six messages before). The cause is the reasons, so the synthesis merges nothing else into
 * it. When the workloads come from one release, the message carries the URN of the first, so the
 * synthesis names the chartValues override behind it with its line.
 */
export function keptOffMessages(
  keptOff: Budget["keptOff"],
  pools: PoolInfo[],
  ofStack: boolean,
): { message: string; cause: string; urn?: string; judged: string[] }[] {
  const byReasons = new Map<
    string,
    { reasons: PoolRefusal[]; selects: string; workloads: KeptOff[]; tolerations: Map<string, string[]> }
  >();
  for (const k of keptOff) {
    const bySelector = k.pools.some((r) => r.selector);
    const selects = bySelector ? selectorText(k, failingParts(k.pools)) : "";
    const id = JSON.stringify([k.pools.map((r) => [r.index, r.selector, r.taints.map(taintText)]), selects]);
    const entry = byReasons.get(id) ?? {
      reasons: k.pools,
      selects,
      workloads: [] as KeptOff[],
      tolerations: new Map<string, string[]>(),
    };
    if (!entry.workloads.some((w) => w.workload === k.workload)) entry.workloads.push(k);
    // Workloads of one name may be several objects (victoria-metrics-k8s-stack names its VMSingle,
    // VMAgent and VMAlert all `vm`), each scheduled from its own key: every key is said.
    const keys = entry.tolerations.get(k.workload) ?? [];
    if (k.tolerations !== undefined && !keys.includes(k.tolerations)) keys.push(k.tolerations);
    entry.tolerations.set(k.workload, keys);
    byReasons.set(id, entry);
  }
  return [...byReasons.entries()].map(([id, { reasons, selects, workloads, tolerations }]) => {
    const names = workloads.map((w) => w.workload);
    const tainted = reasons.some((r) => r.taints.length > 0);
    // The taints the fix speaks of: one, or several (on one pool or over several).
    const taints = reasons.reduce((n, r) => n + r.taints.length, 0) > 1;
    const taint = taints ? "the taints" : "the taint";
    const them = names.length === 1 ? "it" : "them";
    const they = names.length === 1 ? "it" : "they";
    // A workload the program writes itself (Mimir's StatefulSet) has no chart values to take a
    // toleration: only the taint's removal or a pool without it runs it.
    const own = workloads.filter((w) => w.own).map((w) => w.workload);
    const charted = names.filter((n) => !own.includes(n));
    // Each workload's own key where the pack knows it (a chart's prefix differs per workload:
    // loki's single binary reads `singleBinary.tolerations`, not a top-level `tolerations`).
    const known = charted.filter((n) => (tolerations.get(n) ?? []).length > 0);
    const unknown = charted.length - known.length;
    const where =
      known.length === 0
        ? ` in the chart values that schedule ${charted.length === 1 ? "it" : "them"}`
        : ` (${known.map((n) => `${n}: ${tolerations.get(n)!.join(" and ")}`).join("; ")}${unknown ? `; ${unknown === 1 ? "the other" : "the others"} in ${unknown === 1 ? "its" : "their"} chart's values` : ""})`;
    const whom = own.length > 0 ? charted.join(", ") : names.length === 1 ? "it" : "these workloads";
    const ownNote =
      own.length === 0
        ? ""
        : ` (${own.join(", ")} ${own.length === 1 ? "is" : "are"} the program's own, and no chartValues key gives ${own.length === 1 ? "it" : "them"} a toleration)`;
    const fix = [
      ...(tainted
        ? [
            charted.length === 0
              ? `remove ${taint} or add a pool without ${taints ? "them" : "it"}${ownNote}`
              : `remove ${taint}, add a pool without ${taints ? "them" : "it"}, or give ${whom} a toleration for ${taints ? "each" : "it"}${where}${ownNote}`,
          ]
        : []),
      ...(reasons.some((r) => r.selector)
        ? [
            `label a pool as ${they} select${names.length === 1 ? "s" : ""}, or change what ${they} select${names.length === 1 ? "s" : ""}`,
          ]
        : []),
    ].join("; or ");
    // What the workloads select, spelt out once: the user sees which value to change, and the
    // synthesis traces the message to the chartValues override that wrote it (synth/report.ts overridesOn).
    const slips = selectorSlips(workloads[0].nodeSelector, pools);
    const whose =
      selects === "" ? "" : `the ${selects} of ${names.length === 1 ? names[0] : "each"}${slips}: `;
    const message =
      `${whose}${reasons.map((r) => refusalText(r, pools[r.index], ofStack)).join("; ")}: no node of ${plural(pools.length, "pool")} admits ` +
      `${names.join(", ")}, so ${they} would stay Pending. To run ${them}: ${fix}.`;
    const origins = new Set(workloads.map((w) => originOfUrn(w.urn)));
    return {
      message,
      cause: causeKey("kept-off-every-pool", id),
      judged: keptOffJudged(workloads, pools),
      ...(origins.size === 1 && { urn: workloads[0].urn }),
    };
  });
}

/**
 * What keeps `workloads` off every pool, as fields a rule judged (synth/report.ts overridesOn
 * traces a message to the overrides setting them): each nodeSelector entry some refusing pool's
 * labels fail, alone (`nodeSelector["homelab-observability/parked"]`, the program's parking of a
 * release, and not `nodeSelector["kubernetes.io/arch"]` beside it that the pool has), the required
 * node affinity when it fails, the tolerations when a taint keeps them off.
 */
function keptOffJudged(workloads: KeptOff[], pools: PoolInfo[]): string[] {
  const judged = new Set<string>();
  for (const w of workloads)
    for (const r of w.pools) {
      const p = pools[r.index];
      if (r.failing.includes("nodeSelector"))
        for (const [k, v] of Object.entries(w.nodeSelector ?? {}))
          if (!canLandOn({ nodeSelector: { [k]: v }, tolerations: [] }, p?.labels ?? {}, [], p?.arch))
            judged.add(`nodeSelector[${JSON.stringify(k)}]`);
      if (r.failing.includes("affinity")) judged.add("affinity");
      if (r.taints.length > 0) judged.add("tolerations");
    }
  return [...judged];
}

const plural = (n: number, one: string) => (n === 1 ? `the ${one}` : `the ${n} ${one}s`);

/** What a node agent's DaemonSet brings from each node (the data lost from a node it is kept off). */
function agentData(images: string[]): string {
  if (images.some((i) => /node-exporter/.test(i))) return "node metrics (node-exporter)";
  if (images.some((i) => /vector|alloy/.test(i))) return "pod logs and the journal (the log agent)";
  return "data the agent collects";
}

/**
 * Every DaemonSet the stack renders is a node agent (the log agent, node-exporter; workloads.ts
 * isNodeAgent, which leaves a VMAgent's out), meant for every node: the program gives it a toleration for each taint of `nodePools`
 * (builders/security/hardening.ts tolerationsFor) and no nodeSelector beyond the OS. One that a
 * `chartValues` override (`tolerations`, `nodeSelector`, `affinity`) keeps off a pool another
 * admits is scheduled without complaint and leaves those nodes without logs or metrics, silently.
 * Matching as the scheduler does it (canLandOn), restated from kubernetes/kubernetes: a toleration
 * tolerates a taint when its effect is empty or the taint's, its key empty or the taint's, and its
 * operator Exists, or Equal (also when empty) with the taint's value (staging/src/k8s.io/api/core/v1/
 * toleration.go:34-66 ToleratesTaint, at 19c6083b; Lt/Gt compare the values as integers, as
 * canLandOn restates); PreferNoSchedule keeps nothing off. A pod's nodeSelector
 * must match every label of the node, and of its required node affinity one term (ORed) with every
 * expression (staging/src/k8s.io/component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity.go:305-333
 * GetRequiredNodeAffinity and RequiredNodeAffinity.Match, :81-102 terms ORed, :190-201 one term, at
 * 1ca8f84e). A parked
 * DaemonSet (the agents' handover) runs nowhere on purpose; one no pool admits is the budget's.
 */
export function agentsOnEveryPool(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "node-agents-on-every-pool",
    description:
      "Every node agent (each DaemonSet the stack renders) runs on every node pool: its tolerations, nodeSelector and affinity admit them all.",
    enforcementLevel: level,
    configSchema: schemaFor({}, {}),
    validateStack: (args, report) => {
      const resources = args.resources.map(toRes);
      const pools = stackFacts(resources).pools ?? [];
      if (pools.length === 0) return;
      for (const r of resources)
        for (const w of workloadsOf(r, DEFAULT_CHARTS)) {
          if (!isNodeAgent(w) || isParked(w)) continue;
          const refused = pools.map((p, i) => keptOffBy(w, p, i));
          const off = refused.filter((x) => x.selector || x.taints.length > 0);
          // Kept off every pool: no pod at all, which resource-budget reports.
          if (off.length === 0 || off.length === pools.length) continue;
          const nodes = off.reduce((n, x) => n + (pools[x.index]?.count ?? 0), 0);
          const why = off
            .map((x) => {
              const parts: string[] = [];
              if (x.taints.length > 0)
                parts.push(
                  `its tolerations do not tolerate ${x.taints.map(taintText).join(", ")} of \`nodePools[${x.index}].taints\``,
                );
              if (x.selector)
                parts.push(
                  `its ${selectorText(w, x.failing)} matches none of its labels (${poolLabels(pools[x.index])})`,
                );
              return `pool ${x.pool}: ${parts.join(" and ")}`;
            })
            .join("; ");
          // Only the fields at fault are named, and judged: the synthesis traces the violation to the
          // overrides that set them.
          const judgedFields = [
            ...(off.some((x) => x.taints.length > 0) ? ["tolerations"] : []),
            ...(off.some((x) => x.selector) ? failingParts(off) : []),
          ];
          const fields = judgedFields.join(" and ");
          reportJudged(
            report,
            `DaemonSet ${w.name} runs no pod on ${off.length} of ${pools.length} node pools (${nodes} node${nodes === 1 ? "" : "s"}), so the ${agentData(w.images.map((i) => i.image))} of those nodes never arrive: ${why}. ` +
              `A node agent runs on every node: leave its ${fields} to the program (it tolerates every pool's taints and selects no pool), or take the pool out of nodePools.`,
            judgedFields,
            r.urn,
          );
        }
    },
  };
}

/**
 * The pod's node selection as a message names it, of its parts `failing` only (what keeps it off
 * the pools in question; a part those pools satisfy is no cause): `nodeSelector
 * kubernetes.io/arch=amd64`, `required node affinity kubernetes.io/arch In amd64` (terms joined by
 * "or", as the scheduler ORs them). The OS label every Linux node has is left out.
 */
function selectorText(
  w: { nodeSelector: Record<string, string>; affinity: any },
  failing: readonly SelectorPart[],
): string {
  const sel = Object.entries(w.nodeSelector ?? {}).filter(
    ([k, v]) => !(k === "kubernetes.io/os" && v === "linux"),
  );
  const terms: any[] =
    w.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  const requirement = (e: any, field: boolean) =>
    `${field ? "field " : ""}${e?.key} ${e?.operator}${Array.isArray(e?.values) && e.values.length > 0 ? ` ${e.values.join(",")}` : ""}`;
  const affinity = terms
    .map((t) =>
      [
        ...(t?.matchExpressions ?? []).map((e: any) => requirement(e, false)),
        ...(t?.matchFields ?? []).map((e: any) => requirement(e, true)),
      ].join(" and "),
    )
    .filter((t) => t !== "");
  const parts = [
    ...(failing.includes("nodeSelector") && sel.length > 0
      ? [`nodeSelector ${sel.map(([k, v]) => `${k}=${v}`).join(",")}`]
      : []),
    ...(failing.includes("affinity") &&
    w.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ? [`required node affinity${affinity.length > 0 ? ` ${affinity.join(" or ")}` : ""}`]
      : []),
  ];
  return parts.join(" and ") || "nodeSelector";
}

/** The parts of the pod's node selection that keep it off any of `refusals`' pools, in one order. */
function failingParts(refusals: readonly PoolRefusal[]): SelectorPart[] {
  return (["nodeSelector", "affinity"] as const).filter((part) =>
    refusals.some((r) => r.failing.includes(part)),
  );
}

/**
 * The pools' labels a nodeSelector's entries no pool has are a slip of (`kubernetes.io/arc`,
 * `kubernetes.io/arch=arm`), as ` (…; did you mean …?)`; empty when none is (another arch is a
 * choice, not a slip: `amd64` is no slip of `arm64`).
 */
function selectorSlips(nodeSelector: Record<string, string> | undefined, pools: PoolInfo[]): string {
  // As the selector is matched (contract/scheduling.ts canLandOn): the kubelet's labels count.
  const labels = pools.map((p) => withWellKnownLabels(p.labels ?? {}, p.arch));
  const keys = [...new Set(labels.flatMap((l) => Object.keys(l)))];
  const valuesOf = (key: string) => [
    ...new Set(labels.flatMap((l) => (l[key] === undefined ? [] : [l[key]]))),
  ];
  const said = Object.entries(nodeSelector ?? {}).flatMap(([k, v]) => {
    if (k === "kubernetes.io/hostname" || labels.some((l) => l[k] === String(v))) return [];
    if (!keys.includes(k)) {
      const meant = closestMatch(k, keys);
      if (!meant) return [];
      // Only a label some pool has is offered: with the key's slip mended, the value may still be
      // one no pool has (`kubernetes.io/arc: amd64` on Pis), a slip of one (`arm`) or a choice.
      if (labels.some((l) => l[meant] === String(v)))
        return [`no pool has label ${k}; did you mean ${meant}=${v}?`];
      const value = closestMatch(String(v), valuesOf(meant));
      return [
        value
          ? `no pool has label ${k}; did you mean ${meant}=${value}?`
          : `no pool has label ${k}, nor ${meant}=${v}; did you mean ${meant}?`,
      ];
    }
    const meant = closestMatch(String(v), valuesOf(k));
    return meant ? [`no pool has ${k}=${v}; did you mean ${k}=${meant}?`] : [];
  });
  return said.length > 0 ? ` (${said.join("; ")})` : "";
}

/** A pool's labels with the kubelet's arch label, as the selector is matched against them. */
function poolLabels(p: PoolInfo | undefined): string {
  if (!p) return "?";
  const labels = { "kubernetes.io/arch": p.arch, ...(p.labels ?? {}) };
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}
