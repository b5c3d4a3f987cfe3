import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import type { ExportedResource } from "../policy/evaluate";

// The pack benchmark's resource set (cli/bench.ts), in a module of its own: importing bench.ts runs
// every target, and the pack alone is timed and profiled with this set (node --cpu-prof).

/**
 * A variant of a resource for the pack benchmark: every name, namespace and label value made
 * unique, and every ConfigMap/Secret text rewritten with its own values, so no two resources of
 * the 10,000 share a text or a values tree (a resource's outputs are varied as its inputs). Texts
 * are multi-line YAML or JSON on one line (Grafana dashboards, the stack-info pools); each carries
 * a mark of its own (variant and resource), so it is distinct even when none of its keys is a name
 * or two stacks hold the same.
 */
const NAMEY = /^(name|namespace|cluster|job|app|tenant_id|bucket_name|chunks|ruler|admin|instance|release)$/;
function vary(value: any, tag: string, key = "", mark = tag): any {
  if (typeof value === "string") {
    if (value.includes("\n")) return varyText(value, tag, mark);
    const json = varyJson(value, tag, mark);
    if (json !== undefined) return json;
    return NAMEY.test(key) && /^[a-z][\w.-]*$/.test(value) ? `${value}-${tag}` : value;
  }
  if (Array.isArray(value)) return value.map((v) => vary(v, tag, key, mark));
  if (value && typeof value === "object") {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = vary(v, tag, k, mark);
    if (key === "metadata") out.labels = { ...(out.labels ?? {}), "bench/variant": tag };
    return out;
  }
  return value;
}
/** A JSON text with its own values (and its mark as a field of its own); undefined when not JSON. */
function varyJson(text: string, tag: string, mark: string): string | undefined {
  if (!/^\s*[{[]/.test(text)) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined; // A template such as "{{ .Values.x }}", or flow YAML.
  }
  const varied = vary(doc, tag, "", mark);
  return JSON.stringify(
    varied && typeof varied === "object" && !Array.isArray(varied)
      ? { ...varied, "bench/variant": mark }
      : varied,
  );
}
function varyText(text: string, tag: string, mark: string): string {
  // JSON stays JSON, as the program writes dashboards.
  const json = varyJson(text, tag, mark);
  if (json !== undefined) return json;
  try {
    const doc = parseYaml(text, { prettyErrors: false });
    if (doc && typeof doc === "object")
      return `${stringifyYaml(vary(doc, tag, "", mark))}# variant ${mark}\n`;
  } catch {
    // Not YAML (an Alloy or nginx config): make it distinct with a comment of its own.
  }
  return `${text}\n// variant ${mark}\n`;
}
export function distinctResources(base: ExportedResource[], n: number, seed: number): ExportedResource[] {
  const out: ExportedResource[] = [];
  for (let i = 0; out.length < n; i++)
    for (const [j, r] of base.entries()) {
      if (out.length >= n) break;
      const tag = `${seed}x${i}`;
      out.push({
        ...r,
        urn: `${r.urn}-${tag}`,
        inputs: vary(r.inputs ?? {}, tag, "", `${tag}r${j}`),
        // The stack policies judge the outputs: varied as the inputs (the same names, a tree of
        // their own, as an export records them). Empty outputs left every stack policy nothing
        // to judge, and its work out of the figure.
        outputs: vary(r.outputs ?? r.inputs ?? {}, tag, "", `${tag}r${j}`),
      });
    }
  return out;
}
