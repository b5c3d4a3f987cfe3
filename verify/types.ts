import type { Phase } from "../config/resolve";
import type { PhaseCapabilities, Backend } from "../model/phases";
import type { RuleGroup } from "../builders/alerting/rules";
import type { Datasource } from "../builders/grafana/datasources";
import type { LokiMove, LokiStep } from "./lokiGate";
import type { TemplateVariable } from "./grafanaVars";
import type { Verdict } from "./agree";

/** The check ids, in the order they are run and printed. Stable: scripts and runbooks name them. */
export const CHECK_IDS = [
  "targets",
  "remote-write",
  "rules",
  "alerting",
  "logs",
  "grafana",
  "history",
  "loki-ring",
  "backend-agrees",
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type Status = "pass" | "fail" | "skip";

/** One line of the report (`--json` prints these as they are). */
export interface CheckResult {
  id: CheckId;
  status: Status;
  detail: string;
  /** `backend-agrees` only: one verdict per query compared, worst first. */
  queries?: QueryReport[];
}

/** The report `--json` prints. */
export interface Report {
  stack: string;
  phase: Phase;
  checks: CheckResult[];
}

/** The components verify can reach, each with `--url <component>=<url>`. */
export const COMPONENTS = [
  "prometheus",
  "mimir",
  "mimir-ruler",
  "victoriametrics",
  "alertmanager",
  "loki",
  "loki-ring",
  "grafana",
] as const;
export type Component = (typeof COMPONENTS)[number];

/** What one rule engine is, as the phase table names it. */
export type Evaluator = PhaseCapabilities["ruleEvaluator"];

/**
 * Everything verify expects of a running stack, from the plan alone (plan/plan.ts, the phase
 * table, the builders' pure outputs). Verify decides nothing about phases: it compares this with
 * what the stack's APIs answer.
 */
export interface Expectations {
  stack: string;
  phase: Phase;
  backend: Backend;
  caps: PhaseCapabilities;
  namespace: string;
  cluster: string;
  /** In-cluster base URL of each component (what `kubectl port-forward` reaches). */
  serviceUrls: Record<Component, string>;
  /** `job` labels the phase's scraper promises (the rendered stack's scrape jobs). */
  jobs: string[];
  /** The program's rule groups (every PrometheusRule the plan ships). */
  ruleGroups: RuleGroup[];
  /** Receivers of the Alertmanager config the program gives the phase's Alertmanager. */
  receivers: string[];
  /** Whether the Watchdog must reach a heartbeat receiver (`alerting.heartbeat`). */
  heartbeat: boolean;
  /** Grafana's provisioned datasources. */
  datasources: Datasource[];
  /** Every shipped dashboard's panel queries, by dashboard title. */
  dashboardQueries: { dashboard: string; datasourceUid: string; expr: string }[];
  /**
   * Every panel target that reads the "Metrics" datasource (PromQL), the program's dashboards and
   * the community ones it provisions, with its dashboard's variables and time range.
   */
  panelTargets: PanelTarget[];
  /**
   * Backend tenant (Mimir multitenancy) and Loki tenant, sent as X-Scope-OrgID: the tenant written,
   * the one every check but `history` asks.
   */
  backendTenant?: string;
  lokiTenant?: string;
  /**
   * The tenants `history` reads, as Grafana's Mimir datasources do: `backendTenant` first, then
   * `mimir.previousTenants`. Only where the plan turns Mimir's tenant federation on (a non-empty
   * list); absent otherwise, and `history` asks `backendTenant` alone.
   */
  backendHistoryTenants?: string[];
  /** Nodes that run a log agent (the node pools' counts) and whether node logs say which node. */
  nodes: number;
  nodeLabelled: boolean;
  /** The loki-canary runs (its loss metrics are checked). */
  canary: boolean;
  /** Where Grafana's admin login lives. */
  grafanaAdminSecret: { name: string; userKey: string; passwordKey: string };
  /** How far back the backend must hold data before the default flips (Prometheus' retention). */
  historyWindowSeconds: number;
  /** Loki's mode and pods, for the gates of the move off SimpleScalable. */
  loki: LokiMove;
}

/** One panel target of a provisioned dashboard, as `backend-agrees` resolves and compares it. */
export interface PanelTarget {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  /** The dashboard's variables (`templating.list`). */
  variables: TemplateVariable[];
  /** The dashboard's default time range (`time.from` to now), seconds. */
  rangeSeconds: number;
}

/** The bounds of the comparison; the CLI sets window and step (`--window`, `--step`). */
export interface AgreeOptions {
  /** The longest window compared, seconds (ends `skipRecentSeconds` before now). */
  windowSeconds: number;
  /** The step of every range query, seconds. */
  stepSeconds: number;
  /** Samples this recent are not compared (query-tee's `-proxy.compare-skip-recent-samples`). */
  skipRecentSeconds: number;
  /** Queries in flight at once (each asks both sides). */
  concurrency: number;
  /** Deadline of each request. */
  queryTimeoutMs: number;
  /** Called after each query (the CLI prints a progress line on a terminal). */
  progress?: (done: number, total: number) => void;
}

/** One query's verdict, as `--json` prints it (worst first). */
export interface QueryReport {
  /** The expression sent to both, variables resolved. */
  query: string;
  /** Where it comes from: `dashboard "X", panel "Y" (A)` or `rule <group>/<name>`. */
  sources: string[];
  verdict: Verdict;
  /** The relative tolerance applied, and why. */
  tolerance: number;
  toleranceFrom: string;
  /** The compared window (ISO times) and step (seconds). */
  window?: { start: string; end: string; step: number };
  series?: { prometheus: number; backend: number };
  onlyPrometheus?: string[];
  onlyBackend?: string[];
  gap?: { series: string; missingOn: "prometheus" | "backend"; samples: number; firstAt: string };
  worst?: { series: string; at: string; prometheus: string; backend: string; relative: number | null };
  firstDifferenceAt?: string;
  /** A side's refusal (or its URL and HTTP status), both sides when both refused. */
  errors?: { prometheus?: string; backend?: string };
  /** Why a query was not compared (too recent, a variable verify cannot resolve). */
  note?: string;
}

/** What the checks are given: the expectations and the way to each component. */
export interface VerifyContext {
  exp: Expectations;
  /** Base URL of a component (given with --url or forwarded); rejects with an ApiError. */
  base(c: Component): Promise<string>;
  /** Grafana's admin login; rejects with an ApiError saying where it looked. */
  grafanaLogin(): Promise<{ user: string; password: string }>;
  /** The phase `--gate` asks about, and its row of the phase table. */
  gate?: Phase;
  /** The step of the move off SimpleScalable `--gate` asks about (verify/lokiGate.ts). */
  lokiStep?: LokiStep;
  next?: PhaseCapabilities;
  /** Now, in Unix seconds. */
  now(): number;
  /** `backend-agrees`: window, step and bounds (verify/agreeCheck.ts AGREE_DEFAULTS when absent). */
  agree?: Partial<AgreeOptions>;
}
