import type { ImageMirrors } from "./image";
import { parseQuantity } from "./quantity";
import type { DeclaredWorkload, SizedComponent } from "./sizing";

/** Name of the ConfigMap the policy pack reads the stack's facts from. */
export const STACK_INFO_NAME = "homelab-observability-stack";
/** The label that marks it (the pack finds it by label, whatever namespace it is in). */
export const STACK_INFO_LABEL = { key: "homelab.dev/stack-info", value: "true" } as const;

/**
 * The architectures a node pool's nodes may have (their kubernetes.io/arch label): the stack
 * config's `nodePools[].arch` and the pack's `resource-budget` `nodePools[].arch` take these.
 */
export const POOL_ARCHES = ["amd64", "arm64"] as const;

/**
 * A taint's effects (kubernetes/api core/v1 types.go TaintEffect): the stack config's pool taints
 * and the pack's taint settings take only these.
 */
export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** A node pool as the stack-info ConfigMap records it: capacity in numbers, not quantities. */
export interface PoolInfo {
  name: string;
  arch: string;
  count: number;
  /** Allocatable cores per node. */
  cpu: number;
  /** Allocatable memory per node, bytes. */
  memoryBytes: number;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
}

/** What the pack needs to know about a stack that resources alone do not say. */
export interface StackFacts {
  cluster?: string;
  phase?: string;
  production?: boolean;
  /** The stack's `profile` (standard, lightweight): the budget's message names it. */
  profile?: string;
  pools?: PoolInfo[];
  /** The workload the stack declares (`workload.*`); empty when it declares none. */
  workload?: DeclaredWorkload;
  /** Components sized from the workload or their own caps, with the memory they were given. */
  sized?: SizedComponent[];
  /**
   * Data-bearing resources a production stack leaves unprotected on purpose, by resource name (the
   * URN's last part), each with the stack key that asks for it: the pack does not refuse them.
   */
  unprotected?: Record<string, string>;
  /**
   * The takeover step the stack was synthesized or deployed at (`takeover.step`), for a stack with a
   * takeover block: the change check reads an earlier export's import step by it.
   */
  takeoverStep?: string;
  /**
   * The stack's registry mirrors (`imageMirrors`): the program writes every pinned image of a
   * mirrored registry through its mirror, so a repository at a mirror stands for its upstream one
   * (contract/image.ts upstreamRepository), which the pack's image lists name.
   */
  imageMirrors?: ImageMirrors;
}

/** A node pool as the program's config holds it (quantities as strings). */
export interface PoolConfig {
  name: string;
  arch: string;
  count: number;
  cpu: string;
  memory: string;
  labels: Record<string, string>;
  taints: { key: string; value?: string; effect: string }[];
}

/** The ConfigMap's `data`: every value a string, pools as JSON with numeric capacity. */
export function encodeStackInfo(input: {
  cluster: string;
  phase: string;
  production: boolean;
  profile?: string;
  nodePools: PoolConfig[];
  workload?: DeclaredWorkload;
  sized?: SizedComponent[];
  unprotected?: Record<string, string>;
  takeoverStep?: string;
  imageMirrors?: ImageMirrors;
}): Record<string, string> {
  return {
    cluster: input.cluster,
    phase: input.phase,
    production: String(input.production),
    ...(input.profile !== undefined && { profile: input.profile }),
    nodePools: JSON.stringify(
      input.nodePools.map((p) => ({
        name: p.name,
        arch: p.arch,
        count: p.count,
        cpu: parseQuantity(p.cpu),
        memoryBytes: parseQuantity(p.memory),
        labels: p.labels,
        taints: p.taints,
      })),
    ),
    workload: JSON.stringify(input.workload ?? {}),
    sized: JSON.stringify(input.sized ?? []),
    // Only where there is one: every other stack's ConfigMap stays as it was.
    ...(Object.keys(input.unprotected ?? {}).length > 0 && {
      unprotected: JSON.stringify(input.unprotected),
    }),
    // Only a takeover's: every other stack's ConfigMap stays as it was.
    ...(input.takeoverStep !== undefined && { takeoverStep: input.takeoverStep }),
    // Only a stack with mirrors: every other stack's ConfigMap stays as it was.
    ...(Object.keys(input.imageMirrors ?? {}).length > 0 && {
      imageMirrors: JSON.stringify(input.imageMirrors),
    }),
  };
}

/** Facts from the ConfigMap's `data`; absent or malformed entries stay undefined. */
export function decodeStackInfo(data: Record<string, unknown> | undefined): StackFacts {
  const d = data ?? {};
  const text = (v: unknown) => (typeof v === "string" ? v : undefined);
  const json = (v: unknown): unknown => {
    if (typeof v !== "string") return undefined;
    try {
      return JSON.parse(v);
    } catch {
      return undefined;
    }
  };
  const parsedPools = json(d.nodePools);
  const pools = Array.isArray(parsedPools) ? (parsedPools as PoolInfo[]) : undefined;
  const parsedWorkload = json(d.workload);
  const workload =
    parsedWorkload && typeof parsedWorkload === "object" && !Array.isArray(parsedWorkload)
      ? (parsedWorkload as DeclaredWorkload)
      : undefined;
  const parsedSized = json(d.sized);
  const sized = Array.isArray(parsedSized) ? (parsedSized as SizedComponent[]) : undefined;
  const parsedUnprotected = json(d.unprotected);
  const unprotected =
    parsedUnprotected && typeof parsedUnprotected === "object" && !Array.isArray(parsedUnprotected)
      ? (parsedUnprotected as Record<string, string>)
      : undefined;
  const parsedMirrors = json(d.imageMirrors);
  const imageMirrors =
    parsedMirrors && typeof parsedMirrors === "object" && !Array.isArray(parsedMirrors)
      ? Object.fromEntries(
          Object.entries(parsedMirrors).filter((e): e is [string, string] => typeof e[1] === "string"),
        )
      : undefined;
  return {
    cluster: text(d.cluster),
    phase: text(d.phase),
    production: d.production === undefined ? undefined : d.production === "true",
    profile: text(d.profile),
    pools,
    workload,
    sized,
    unprotected,
    takeoverStep: text(d.takeoverStep),
    imageMirrors,
  };
}

/** True for the labels of the stack-info ConfigMap. */
export function isStackInfoLabels(labels: Record<string, unknown> | undefined): boolean {
  return labels?.[STACK_INFO_LABEL.key] === STACK_INFO_LABEL.value;
}
