import { shellWord } from "./running";
import type { Consumer } from "./storage";

/**
 * The gate to ask before the next step: a phase (move-between-phases.md step 2, "Before every phase
 * change") or a step of Loki's moves (loki-off-simple-scalable.md), the one place every printed
 * `--gate` command is made; test/change/phaseMove.test.ts holds the docs to it. It names the stack,
 * which verify requires. `dir` is the project folder when it is not this checkout: verify reads
 * the checkout's own stack files without `--dir`.
 */
export const gateCommand = (stack: string, gate: string, dir?: string): string =>
  `npm run verify -- ${dirOption(dir)}--stack ${stack} --gate ${gate}`;

/**
 * The `--dir` option (with the space after it) every printed command carries for project folder
 * `dir`, none when `dir` is undefined (this checkout, config/paths.ts commandDir): without it the
 * command, pasted, reads the checkout's stack of that name instead.
 */
export const dirOption = (dir?: string): string => (dir ? `--dir ${shellWord(dir)} ` : "");

/** The offline synthesis of one stack: for a refused stack file, the command that says why. */
export const synthCommand = (stack: string, dir?: string): string =>
  `npm run synth -- ${dirOption(dir)}--stack ${stack}`;

/** The stack a refusal's commands name, and its project folder (config/paths.ts commandDir). */
export interface MoveProject {
  stack: string;
  dir?: string;
}

/** Migration phases in order. Moving one step forward or back must lose no stored data. */
export const PHASES = ["loki-fixed", "dual-write", "backend-primary", "kps-removed"] as const;
export type Phase = (typeof PHASES)[number];

/** The new metrics backends a stack can migrate to. */
export const BACKENDS = ["mimir", "victoriametrics"] as const;
/** The new metrics backend a stack migrates to. */
export type Backend = (typeof BACKENDS)[number];

/** The log agents a stack can run on every node. */
export const LOG_AGENTS = ["alloy", "vector"] as const;
/** The log agent a stack runs. */
export type LogAgent = (typeof LOG_AGENTS)[number];

/**
 * What a phase means for one backend: the only place that reads phase names (besides the config
 * schema that lists them). Every decision the program makes about a phase reads one of these
 * fields; builders and components take the fields, never the phase.
 */
export interface PhaseCapabilities {
  /** kube-prometheus-stack runs (Prometheus and its operator). */
  kps: boolean;
  /** The new backend (Mimir, or VictoriaMetrics' vmsingle) runs. */
  backend: boolean;
  /** Prometheus remote-writes every sample to the backend (KPS and backend both up). */
  prometheusRemoteWrite: boolean;
  /** Who scrapes ServiceMonitors and PodMonitors. */
  scraper: "prometheus" | "alloy" | "vmagent";
  /**
   * Who evaluates the program's rules. Exactly one per phase: the same recording rule evaluated
   * twice writes out-of-order samples.
   */
  ruleEvaluator: "prometheus" | "mimir-ruler" | "vmalert";
  /** What Grafana's default "Metrics" datasource points at. */
  defaultDatasource: "prometheus" | "backend";
  /** The Alertmanager the rule evaluator sends to. */
  alertmanager: "kps" | "standalone" | "vm";
  /** Who keeps data in the object store (VictoriaMetrics keeps its TSDB on local disk). */
  objectStoreConsumers: readonly Consumer[];
}

/**
 * The phase x backend capability table. DESIGN.md "Migration phases": dual-write brings the backend
 * up beside Prometheus; backend-primary moves the default datasource and the rules (with their
 * Alertmanager) in one update; kps-removed hands scraping to an agent.
 */
export const PHASE_TABLE: { readonly [P in Phase]: { readonly [B in Backend]: PhaseCapabilities } } = {
  "loki-fixed": {
    mimir: {
      kps: true,
      backend: false,
      prometheusRemoteWrite: false,
      scraper: "prometheus",
      ruleEvaluator: "prometheus",
      defaultDatasource: "prometheus",
      alertmanager: "kps",
      objectStoreConsumers: ["loki"],
    },
    victoriametrics: {
      kps: true,
      backend: false,
      prometheusRemoteWrite: false,
      scraper: "prometheus",
      ruleEvaluator: "prometheus",
      defaultDatasource: "prometheus",
      alertmanager: "kps",
      objectStoreConsumers: ["loki"],
    },
  },
  "dual-write": {
    mimir: {
      kps: true,
      backend: true,
      prometheusRemoteWrite: true,
      scraper: "prometheus",
      ruleEvaluator: "prometheus",
      defaultDatasource: "prometheus",
      alertmanager: "kps",
      objectStoreConsumers: ["loki", "mimir"],
    },
    victoriametrics: {
      kps: true,
      backend: true,
      prometheusRemoteWrite: true,
      scraper: "prometheus",
      ruleEvaluator: "prometheus",
      defaultDatasource: "prometheus",
      alertmanager: "kps",
      objectStoreConsumers: ["loki"],
    },
  },
  "backend-primary": {
    mimir: {
      kps: true,
      backend: true,
      prometheusRemoteWrite: true,
      scraper: "prometheus",
      ruleEvaluator: "mimir-ruler",
      defaultDatasource: "backend",
      alertmanager: "standalone",
      objectStoreConsumers: ["loki", "mimir"],
    },
    victoriametrics: {
      kps: true,
      backend: true,
      prometheusRemoteWrite: true,
      scraper: "prometheus",
      ruleEvaluator: "vmalert",
      defaultDatasource: "backend",
      alertmanager: "vm",
      objectStoreConsumers: ["loki"],
    },
  },
  "kps-removed": {
    mimir: {
      kps: false,
      backend: true,
      prometheusRemoteWrite: false,
      scraper: "alloy",
      ruleEvaluator: "mimir-ruler",
      defaultDatasource: "backend",
      alertmanager: "standalone",
      objectStoreConsumers: ["loki", "mimir"],
    },
    victoriametrics: {
      kps: false,
      backend: true,
      prometheusRemoteWrite: false,
      scraper: "vmagent",
      ruleEvaluator: "vmalert",
      defaultDatasource: "backend",
      alertmanager: "vm",
      objectStoreConsumers: ["loki"],
    },
  },
};

/** The capabilities of `phase` for `backend`. */
export function capabilities(phase: Phase, backend: Backend): PhaseCapabilities {
  return PHASE_TABLE[phase][backend];
}

/** Every row of the table, in phase order (for checks that must hold in every phase, e.g. bucket names). */
export function everyCapability(): { phase: Phase; backend: Backend; caps: PhaseCapabilities }[] {
  return (Object.keys(PHASE_TABLE) as Phase[]).flatMap((phase) =>
    (Object.keys(PHASE_TABLE[phase]) as Backend[]).map((backend) => ({
      phase,
      backend,
      caps: PHASE_TABLE[phase][backend],
    })),
  );
}
