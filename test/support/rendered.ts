/**
 * Synthesized and rendered stacks, shared by every test file in the mocha process: each (stack,
 * overrides) is synthesized and rendered with the real Helm once (module-level cache), and the
 * renders themselves are cached on disk by chart digest and values (synth/render/template.ts).
 */
import { PHASES, type Phase } from "../../config/resolve";
import { stackNames } from "../../config/paths";
import { rawObjects, stackObjects } from "../../synth/render/objects";
import { renderExport, renderErrors } from "../../synth/render/render";
import type { RawObject, ReleaseRender, RenderOptions, StackObject } from "../../synth/render/types";
import type { StackExport } from "../../synth/synthesize";
import type { SynthResult } from "../../synth/synthesize";
import { onBackend, ROOT, synth, synthKey } from "./helpers";
import { filesHash } from "./fixtureCache";
import { BACKENDS, type Backend } from "../../model/phases";

/** Renders an export and collects every object, throwing when a release does not render. */
export async function renderStack(
  exp: StackExport,
  opts: RenderOptions & { secretKeys?: Record<string, string[]> } = {},
): Promise<{ renders: ReleaseRender[]; raw: RawObject[]; objects: StackObject[] }> {
  const renders = await renderExport(exp, opts);
  const errors = renderErrors(renders);
  if (errors.length > 0) throw new Error(`helm template failed:\n${errors.join("\n")}`);
  const raw = rawObjects(exp, opts.secretKeys);
  return { renders, raw, objects: stackObjects(renders, raw) };
}

export { BACKENDS, type Backend };

/** Stack files whose topology the phase x backend matrix runs on. */
export const TOPOLOGIES = ["staging", "production"] as const;

/** One configuration of the program to synthesize and render. */
export interface Variant {
  /** `pi`, or `staging kps-removed victoriametrics`, for test titles. */
  title: string;
  stack: string;
  /** Config overrides (`key` -> value as the stack file would hold it). */
  over: Record<string, unknown>;
  phase?: Phase;
  backend?: Backend;
}

export interface RenderedStack extends Variant {
  synth: SynthResult;
  renders: ReleaseRender[];
  raw: RawObject[];
  /** Every object: rendered releases' and raw resources', each with its origin. */
  objects: StackObject[];
  /**
   * What the objects and the export's resources derive from: the synthesis' fixture key (the
   * program's sources, charts and inputs) and this module's own text, which assembles the objects
   * (checks/cache.ts `inputsId`).
   */
  inputsId: string;
}

/** Every stack file as it is. */
export function stackFileVariants(): Variant[] {
  return stackNames(ROOT).map((stack) => ({ title: stack, stack, over: {} }));
}

/** A topology (stack file) at a phase with a metrics backend. */
export function variant(stack: string, phase: Phase, backend: Backend): Variant {
  return {
    title: `${stack} ${phase} ${backend}`,
    stack,
    over: { phase, ...onBackend(backend) },
    phase,
    backend,
  };
}

/** Every phase x metrics backend of the staging and production topologies. */
export function matrixVariants(): Variant[] {
  return TOPOLOGIES.flatMap((stack) =>
    PHASES.flatMap((phase) => BACKENDS.map((b) => variant(stack, phase, b))),
  );
}

/** Node pools that hold 2M series in one Mimir (3 x 32 GiB) and the workload they are tested with. */
export const BIG_POOLS = [{ name: "big", arch: "amd64", count: 3, cpu: "8", memory: "32Gi" }];
export const WORKLOAD_2M = { activeSeries: 2_000_000, logsPerDay: "50GiB" };

/**
 * The staging topology declaring 2M series and 50 GiB of logs a day on pools that hold it: Loki
 * Distributed (past Monolithic), Mimir (beside Prometheus at dual-write) or vmsingle sized for the
 * series. staging's own `loki.mode: SingleBinary` is left out (the workload is past it).
 */
/**
 * Pools whose largest node (3 GiB) cannot hold one vmsingle sized for 2M series (3904Mi), and the
 * stack that declares that workload on them: VictoriaMetrics runs as a VMCluster.
 */
export const SMALL_POOLS = [{ name: "small", arch: "amd64", count: 6, cpu: "4", memory: "3Gi" }];
export const VM_CLUSTER_VARIANT: Variant = {
  title: "staging kps-removed victoriametrics with workload 2M series on 3 GiB nodes (VMCluster)",
  stack: "staging",
  over: {
    nodePools: SMALL_POOLS,
    workload: { activeSeries: 2_000_000 },
    phase: "kps-removed",
    metricsBackend: "victoriametrics",
  },
  phase: "kps-removed",
  backend: "victoriametrics",
};

/**
 * Pools whose largest node (16 GiB, staging's) cannot hold one Mimir sized for 2M series (20.3 GiB),
 * six of them, and the stack that declares 2M series and 50 GiB of logs a day on them: Mimir runs
 * in read-write mode, Loki Distributed. (Staging's own three such nodes cannot hold the write
 * pods' 2M x 3 in-memory series: refused, tested in sizing.test.ts.)
 */
export const MIMIR_RW_POOLS = [{ name: "workers", arch: "amd64", count: 6, cpu: "8", memory: "16Gi" }];
export const MIMIR_READ_WRITE_VARIANT: Variant = {
  title: "staging kps-removed mimir with workload 2M series, 50GiB a day on 16 GiB nodes (Mimir read-write)",
  stack: "staging",
  over: {
    nodePools: MIMIR_RW_POOLS,
    workload: WORKLOAD_2M,
    loki: { replicationFactor: 1, retention: "7d" },
    phase: "kps-removed",
    metricsBackend: "mimir",
  },
  phase: "kps-removed",
  backend: "mimir",
};

export function workloadVariants(): Variant[] {
  const over = {
    nodePools: BIG_POOLS,
    workload: WORKLOAD_2M,
    loki: { replicationFactor: 1, retention: "7d" },
  };
  return [
    ["kps-removed", "mimir"],
    ["dual-write", "mimir"],
    ["kps-removed", "victoriametrics"],
  ].map(([phase, backend]) => ({
    title: `staging ${phase} ${backend} with workload 2M series, 50GiB a day`,
    stack: "staging",
    over: { ...over, phase, ...onBackend(backend as Backend) },
    phase: phase as Phase,
    backend: backend as Backend,
  }));
}

/** Stack files, then the matrix, then the declared-workload variants. */
export function allVariants(): Variant[] {
  return [
    ...stackFileVariants(),
    ...matrixVariants(),
    ...workloadVariants(),
    VM_CLUSTER_VARIANT,
    MIMIR_READ_WRITE_VARIANT,
  ];
}

/** This module's text, by digest: a change to how it assembles the objects changes their id. */
const OWN_TEXT = filesHash([__filename]);

const cache = new Map<string, Promise<RenderedStack>>();
// The mock runtime is process-global: synthesize one stack at a time.
let synthQueue: Promise<unknown> = Promise.resolve();

/** Synthesizes and renders a variant once per process. Rejects when synthesis fails. */
export function rendered(v: Variant): Promise<RenderedStack> {
  const key = JSON.stringify([v.stack, v.over]);
  let hit = cache.get(key);
  if (!hit) {
    const synthesized = synthQueue.then(() => synth(v.stack, v.over));
    synthQueue = synthesized.catch(() => undefined);
    hit = synthesized.then(async (s) => {
      const renders = await renderExport(s.export);
      const raw = rawObjects(s.export, s.secretDataKeys);
      const inputsId = `${synthKey(v.stack, v.over)}\0${OWN_TEXT}`;
      return { ...v, synth: s, renders, raw, objects: stackObjects(renders, raw), inputsId };
    });
    cache.set(key, hit);
  }
  // The same (stack, overrides) may be asked for under another title: answer with the caller's.
  return hit.then((r) => (r.title === v.title ? r : { ...r, ...v }));
}

/**
 * Renders every variant and returns them. The first one alone, so the others start from the CRDs
 * its charts install (synth/render/apiVersions.ts's hints) and render in one round; then the rest together, so
 * synthesis and Helm overlap.
 */
export async function renderAll(vs: Variant[]): Promise<RenderedStack[]> {
  if (vs.length > 0) await rendered(vs[0]);
  return Promise.all(vs.map(rendered));
}

/** Throws with every release's Helm message when any release of the stack did not render. */
export function assertRendered(r: RenderedStack): void {
  const errors = renderErrors(r.renders);
  if (errors.length > 0) throw new Error(`${r.title}: helm template failed:\n${errors.join("\n")}`);
}
