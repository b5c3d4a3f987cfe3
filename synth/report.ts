import type { ExportResource } from "./synthesize";
import { formatBudget, stackBudget, type Budget } from "../policy/evaluate";

/**
 * The resource tree, indented by parent: `type name  [flags]`. An import (the `import` option; a
 * real export has no such field, so synthesis keeps it in memory and in a side record) shows as
 * `import <id>`, a read (`get`, external in a real export) as `read <id>`, the Kubernetes provider
 * with the kube context it is pinned to.
 */
export function formatTree(resources: ExportResource[]): string {
  const children = new Map<string | undefined, ExportResource[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const r of children.get(parent) ?? []) {
      const flags = [
        r.protect ? "protected" : "",
        r.retainOnDelete ? "retained" : "",
        r.importId ? `import ${r.importId}` : "",
        r.external ? `read ${r.id}` : "",
        // The cluster a real run reaches: the Kubernetes provider's pinned context.
        r.type === "pulumi:providers:kubernetes"
          ? `context ${r.inputs.context ?? "(whatever is selected)"}`
          : "",
      ]
        .filter(Boolean)
        .join(", ");
      lines.push(`${"  ".repeat(depth)}${r.type} ${r.urn.split("::").pop()}${flags ? `  [${flags}]` : ""}`);
      walk(r.urn, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines.join("\n");
}

/** Count of custom resources by type, most frequent first. */
export function countByType(resources: ExportResource[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of resources.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:")))
    counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** The stack's resource budget from its stack-info ConfigMap, when it has one (the pack computes it). */
export function budgetOf(resources: ExportResource[]): Budget | undefined {
  return stackBudget(resources);
}

export { formatBudget };

/**
 * The one resource count synth and policy:check print: every resource of the export, as
 * `pulumi preview` counts them ("N to create": the stack, its components and its providers
 * included), then how many of them are custom resources (what a provider creates) and how many
 * the stack, components and providers are.
 */
export function resourceCount(resources: { type: string; custom?: boolean }[]): string {
  const providers = resources.filter((r) => r.type.startsWith("pulumi:providers:")).length;
  const custom = resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:")).length;
  const rest = resources.length - custom - providers;
  return `${resources.length} resources (${custom} custom, ${rest} stack and components, ${providers} providers)`;
}

/** `12 panels, 1 dashboard and 3 rules`: how many of each a stack leaves out. */
export function leftOutCounts(leftOut: readonly { what: string }[]): string {
  const panels = leftOut.filter((l) => /^dashboard .*: /.test(l.what)).length;
  const dashboards = leftOut.filter((l) => /^dashboard [^:]*$/.test(l.what)).length;
  const rules = leftOut.filter((l) => l.what.startsWith("rule ")).length;
  const n = (k: number, one: string) => `${k} ${one}${k === 1 ? "" : "s"}`;
  return `${n(panels, "panel")}, ${n(dashboards, "dashboard")} and ${n(rules, "rule")}`;
}

/**
 * The synthesis' detail of what a stack leaves out (checks/emittedMetrics.ts `leftOut`): each
 * panel, dashboard and rule on its line, why on the next.
 */
export function formatLeftOut(stack: string, leftOut: readonly { what: string; why: string }[]): string {
  return (
    `== ${stack}: left out (nothing in this stack emits what they read)\n` +
    leftOut.map((l) => `  ${l.what}\n      ${l.why}`).join("\n") +
    "\n"
  );
}
