import type { Phase } from "../config/resolve";
import type { PhaseCapabilities, Backend } from "../model/phases";
import type { RuleGroup } from "../builders/alerting/rules";
import type { Datasource } from "../builders/grafana/datasources";
import type { LokiMove } from "./lokiGate";

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
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export type Status = "pass" | "fail" | "skip";

/** One line of the report (`--json` prints these as they are). */
export interface CheckResult {
  id: CheckId;
  status: Status;
  detail: string;
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
  /** Backend tenant (Mimir multitenancy) and Loki tenant, sent as X-Scope-OrgID. */
  backendTenant?: string;
  lokiTenant?: string;
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
