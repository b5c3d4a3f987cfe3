/** JSON equality without building the text (change.ts compares whole exports with it). */

/**
 * Whether two JSON values serialize alike (`JSON.stringify(a) === JSON.stringify(b)`: same keys in
 * the same order, an `undefined` member absent, `undefined` in an array as null), without building
 * the text: an export's objects hold megabytes of dashboards, compared at each of three levels.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  // Two different strings never serialize alike (JSON's escaping is one to one).
  if (typeof a === "string" && typeof b === "string") return false;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null)
    return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (
    typeof (a as { toJSON?: unknown }).toJSON === "function" ||
    typeof (b as { toJSON?: unknown }).toJSON === "function"
  )
    return JSON.stringify(a) === JSON.stringify(b);
  if (Array.isArray(a)) {
    const y = b as unknown[];
    if (a.length !== y.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(inArray(a[i]), inArray(y[i]))) return false; // holes too
    return true;
  }
  // The members JSON writes, pairwise in order; no closure or key list per call (this runs for
  // every node of two exports, and tsx, which runs the tests, names each closure it creates).
  const x = a as Record<string, unknown>;
  const z = b as Record<string, unknown>;
  const ka = Object.keys(x);
  const kb = Object.keys(z);
  let i = 0;
  let j = 0;
  for (;;) {
    while (i < ka.length && !written(x[ka[i]])) i++;
    while (j < kb.length && !written(z[kb[j]])) j++;
    if (i === ka.length || j === kb.length) return i === ka.length && j === kb.length;
    if (ka[i] !== kb[j] || !sameJson(x[ka[i]], z[kb[j]])) return false;
    i++;
    j++;
  }
}
/** JSON writes an absent element, undefined, a function or a symbol in an array as null. */
function inArray(v: unknown): unknown {
  return v === undefined || typeof v === "function" || typeof v === "symbol" ? null : v;
}
/** Whether JSON writes an object's member: not undefined, a function or a symbol. */
function written(v: unknown): boolean {
  return v !== undefined && typeof v !== "function" && typeof v !== "symbol";
}
