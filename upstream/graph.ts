/**
 * Tarjan's strongly connected components of a directed graph, each node's edges a set or a list: a
 * cycle of Alloy components (./alloy/components.ts, as Alloy's validator refuses one,
 * internal/validator/graph.go) and of imports (test/support/layout.ts) are one such component of
 * more than one node.
 */
export function stronglyConnected(edges: Map<string, Iterable<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    on.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        c.push(w);
      } while (w !== v);
      out.push(c);
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return out;
}
