/** One alerting or recording rule. */
export interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** A Prometheus rule group, as promtool, the Prometheus Operator, Mimir's ruler and vmalert read it. */
export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}
