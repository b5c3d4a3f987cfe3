import type { Phase } from "../config/resolve";
import type { PhaseCapabilities, Backend } from "../model/phases";
import type { RuleGroup } from "../builders/alerting/rules";
import type { Datasource } from "../builders/grafana/datasources";
import type { TemplateVariable } from "./grafanaVars";
import type { QueryReport } from "./agreeCheck";

/** The check ids, in the order they are run and printed. Stable: scripts and runbooks name them. */
export const CHECK_IDS = [
  "targets",
  "remote-write",
  "rules",
  "alerting",
  "logs",
  "grafana",
  "history",
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
