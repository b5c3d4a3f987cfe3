/**
 * How a chart's templates read a value: the program's config check (config/sizing.ts, what a
 * `chartValues` switch leaves running) and the pack's chart model (policy/lib/workloads.ts) judge
 * a switch the same way.
 */

/** Go template's truth, which a chart's `if` and `with` test (text/template: false, 0, "", nil, empty list or map are false). */
export function templateTrue(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v !== null && typeof v === "object") return Object.keys(v).length > 0;
  return !!v;
}
