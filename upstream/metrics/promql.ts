/**
 * The metric names a PromQL query reads, by Prometheus' own grammar (@prometheus-io/lezer-promql,
 * the parser of Prometheus' web UI, pinned to the release line of the Prometheus the stack runs):
 * the name of every vector selector, `{__name__="..."}` matchers included. Function names,
 * aggregation labels and label values are never taken for metrics. The grammar is a dev
 * dependency: only the offline tools (the rendered checks, the dashboard renderer, tests) load it.
 */
import { parser } from "@prometheus-io/lezer-promql";

/**
 * Grafana's variables (`$__rate_interval`, `${cluster}`, `[$interval]`) are not PromQL: each is
 * replaced by a duration, which parses wherever Grafana allows a variable in a range or offset and
 * which can never be read as a metric name.
 */
export function withoutGrafanaVariables(expr: string): string {
  return expr.replace(/\[\[\w+(?::\w+)?\]\]|\$\{\w+(?::[^}]*)?\}|\$\w+/g, (m, offset: number) => {
    // Inside a quoted label value the variable stays text.
    const before = expr.slice(0, offset);
    const quotes = (before.match(/(?<!\\)"/g) ?? []).length;
    return quotes % 2 === 1 ? m : "5m";
  });
}

/** Every metric name `expr` reads (PromQL), in order of first appearance. */
export function promqlMetrics(expr: string): string[] {
  const text = withoutGrafanaVariables(expr);
  const tree = parser.parse(text);
  const out: string[] = [];
  const add = (name: string) => {
    if (name && !out.includes(name)) out.push(name);
  };
  tree.iterate({
    enter: (node) => {
      if (node.name === "VectorSelector") {
        const id = node.node.getChild("Identifier");
        if (id) add(text.slice(id.from, id.to));
      }
      if (node.name === "UnquotedLabelMatcher") {
        const label = node.node.getChild("LabelName");
        const op = node.node.getChild("MatchOp");
        const value = node.node.getChild("StringLiteral");
        if (label && value && op && text.slice(label.from, label.to) === "__name__") {
          const v = text.slice(value.from + 1, value.to - 1);
          if (text.slice(op.from, op.to) === "=") add(v);
        }
      }
    },
  });
  return out;
}

/** The parse errors of `expr` (after Grafana's variables), as character offsets; [] when it parses. */
export function promqlErrors(expr: string): number[] {
  const text = withoutGrafanaVariables(expr);
  const errors: number[] = [];
  parser.parse(text).iterate({
    enter: (n) => {
      if (n.type.isError) errors.push(n.from);
    },
  });
  return errors;
}
