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
  return grafanaVariables(expr).reduceRight(
    (text, v) => text.slice(0, v.at) + VARIABLE_VALUE + text.slice(v.at + v.length),
    expr,
  );
}

/** What {@link withoutGrafanaVariables} puts in place of a variable. */
const VARIABLE_VALUE = "5m";

/** Where `expr` holds a Grafana variable outside a quoted label value (inside one it stays text). */
function grafanaVariables(expr: string): { at: number; length: number }[] {
  const out: { at: number; length: number }[] = [];
  for (const m of expr.matchAll(/\[\[\w+(?::\w+)?\]\]|\$\{\w+(?::[^}]*)?\}|\$\w+/g)) {
    const quotes = (expr.slice(0, m.index).match(/(?<!\\)"/g) ?? []).length;
    if (quotes % 2 === 0) out.push({ at: m.index, length: m[0].length });
  }
  return out;
}

type Tree = ReturnType<typeof parser.parse>;

/** Parsed queries by their text: a tree is never changed once parsed (lezer's trees are immutable). */
const parsed = new Map<string, { text: string; tree: Tree }>();
/** Distinct queries kept; past it the memo starts again (a stack has about 1,300). */
const PARSED_KEPT = 20_000;

/**
 * `expr` with Grafana's variables replaced, and its tree. The same queries are judged again and
 * again (each panel's by several checks; a stack's phases and variants share most of them): each
 * distinct text is parsed once per process.
 */
function parse(expr: string): { text: string; tree: Tree } {
  let hit = parsed.get(expr);
  if (!hit) {
    if (parsed.size >= PARSED_KEPT) parsed.clear();
    const text = withoutGrafanaVariables(expr);
    hit = { text, tree: parser.parse(text) };
    parsed.set(expr, hit);
  }
  return hit;
}

/** Every metric name `expr` reads (PromQL), in order of first appearance. */
export function promqlMetrics(expr: string): string[] {
  const { text, tree } = parse(expr);
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

/** A label matcher of a selector that names its metric: `node_cpu_seconds_total{mode="idle"}`. */
export interface LabelMatcher {
  metric: string;
  label: string;
}

/**
 * The label names `expr`'s selectors match on, each with the metric its selector reads (a
 * selector without a name, `{job="x"}`, has no metric whose labels could be known); `__name__`
 * aside. In order of appearance, each pair once.
 */
export function promqlLabelMatchers(expr: string): LabelMatcher[] {
  const { text, tree } = parse(expr);
  const out: LabelMatcher[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.name !== "VectorSelector") return;
      const metric = selectorName(node.node, text);
      if (!metric) return;
      const walk = (n: SyntaxNode) => {
        for (let c = n.firstChild; c; c = c.nextSibling) {
          if (c.name !== "UnquotedLabelMatcher") walk(c);
          else {
            const l = c.getChild("LabelName");
            const label = l ? text.slice(l.from, l.to) : "";
            if (label && label !== "__name__" && !out.some((m) => m.metric === metric && m.label === label))
              out.push({ metric, label });
          }
        }
      };
      walk(node.node);
    },
  });
  return out;
}

/**
 * The parse errors of `expr`, as character offsets into `expr` itself; [] when it parses. An error
 * at a Grafana variable or just after it is not counted: Grafana puts a variable's value there
 * (a metric name, a grouping's labels) before Prometheus reads the query.
 */
export function promqlErrors(expr: string): number[] {
  const { tree } = parse(expr);
  const variables = grafanaVariables(expr);
  const errors: number[] = [];
  tree.iterate({
    enter: (n) => {
      if (!n.type.isError) return;
      // From the offset in the text with each variable replaced to the offset in `expr`.
      let shift = 0;
      for (const v of variables) {
        const start = v.at - shift;
        if (n.from < start) break;
        if (n.from <= start + VARIABLE_VALUE.length) return;
        shift += v.length - VARIABLE_VALUE.length;
      }
      if (!errors.includes(n.from + shift)) errors.push(n.from + shift);
    },
  });
  return errors;
}

type SyntaxNode = ReturnType<Tree["topNode"]["getChild"]> & object;

/** The name a vector selector reads (its identifier, or an exact `__name__` matcher). */
function selectorName(node: SyntaxNode, text: string): string | undefined {
  const id = node.getChild("Identifier");
  if (id) return text.slice(id.from, id.to);
  let name: string | undefined;
  const walk = (n: SyntaxNode) => {
    for (let c = n.firstChild; c; c = c.nextSibling) {
      if (c.name === "UnquotedLabelMatcher") {
        const label = c.getChild("LabelName");
        const op = c.getChild("MatchOp");
        const value = c.getChild("StringLiteral");
        if (label && op && value && text.slice(label.from, label.to) === "__name__")
          if (text.slice(op.from, op.to) === "=") name = text.slice(value.from + 1, value.to - 1);
      } else walk(c);
    }
  };
  walk(node);
  return name;
}

/**
 * The metric names that keep `expr` from showing data, given which names are emitted (`emitted`):
 * every name it reads, but that of `a or b` only when neither side can show data (a query that
 * reads a renamed metric `or` its new name shows the new one), and `a unless b` needs only `a`.
 * In order of first appearance.
 */
export function promqlBlockingMetrics(expr: string, emitted: (metric: string) => boolean): string[] {
  const { text, tree } = parse(expr);
  const blocking = (node: SyntaxNode): string[] => {
    if (node.name === "VectorSelector") {
      const name = selectorName(node, text);
      return name && !emitted(name) ? [name] : [];
    }
    const kids: SyntaxNode[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) kids.push(c);
    if (node.name === "BinaryExpr") {
      const op = kids.find((k) => k.name === "Or" || k.name === "Unless");
      const sides = kids.filter(
        (k) => k.type.isTop === false && /Expr$|Selector$|Call$|Literal$/.test(k.name),
      );
      if (op && sides.length === 2) {
        const [l, r] = sides.map(blocking);
        if (op.name === "Unless") return l;
        return l.length === 0 || r.length === 0 ? [] : [...new Set([...l, ...r])];
      }
    }
    return [...new Set(kids.flatMap(blocking))];
  };
  return blocking(tree.topNode);
}

/** At most this many alternatives per query: beyond, the names are required all together. */
const MAX_ALTERNATIVES = 64;

/**
 * What `expr` needs to show data, as alternatives: it shows data when every name of one
 * alternative is emitted. `a or b` adds alternatives, `a unless b` needs only `a`, anything else
 * (`and`, arithmetic, a function's arguments) needs all its parts. `(a or b) / c` is
 * `[[a, c], [b, c]]`; a query that reads no metric is `[[]]`.
 */
export function promqlAlternatives(expr: string): string[][] {
  const { text, tree } = parse(expr);
  const cross = (xs: string[][], ys: string[][]): string[][] => {
    const out: string[][] = [];
    for (const x of xs) for (const y of ys) out.push([...new Set([...x, ...y])]);
    return out.length > MAX_ALTERNATIVES ? [[...new Set(out.flat())]] : out;
  };
  const alts = (node: SyntaxNode): string[][] => {
    if (node.name === "VectorSelector") {
      const name = selectorName(node, text);
      return [name ? [name] : []];
    }
    const kids: SyntaxNode[] = [];
    for (let c = node.firstChild; c; c = c.nextSibling) kids.push(c);
    if (node.name === "BinaryExpr") {
      const op = kids.find((k) => k.name === "Or" || k.name === "Unless");
      const sides = kids.filter((k) => /Expr$|Selector$|Call$|Literal$/.test(k.name));
      if (op && sides.length === 2) {
        const [l, r] = sides.map(alts);
        return op.name === "Unless" ? l : [...l, ...r].slice(0, MAX_ALTERNATIVES);
      }
    }
    return kids.map(alts).reduce(cross, [[]]);
  };
  const seen = new Set<string>();
  return alts(tree.topNode as SyntaxNode)
    .map((a) => a.sort())
    .filter((a) => !seen.has(a.join(",")) && !!seen.add(a.join(",")));
}
