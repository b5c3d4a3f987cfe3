import { load as loadYaml } from "js-yaml";
import type { RenderedObject } from "./types";

/**
 * Parses `helm template` output into objects with their `# Source:` templates. Helm writes each
 * document as `---` + `# Source: <template>` + YAML; js-yaml parses CRD-heavy output (4.5 MB for
 * prometheus-operator-crds) about 7x faster than the `yaml` package.
 */
export function parseManifest(text: string): { objects: RenderedObject[]; sources: string[] } {
  const objects: RenderedObject[] = [];
  const sources: string[] = [];
  for (const doc of text.split(/^---[ \t]*$/m)) {
    if (!doc.trim()) continue;
    const src = /^#\s*Source:\s*(\S+)/m.exec(doc)?.[1] ?? "";
    let value: any;
    try {
      value = loadYaml(doc);
    } catch (e) {
      throw new Error(
        `helm output of ${src || "a template"} does not parse as YAML: ${(e as Error).message}`,
      );
    }
    if (!value || typeof value !== "object") continue;
    // A template may render a List; the API server receives its items.
    const items: any[] =
      /List$/.test(String(value.kind)) && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) {
      if (!item || typeof item !== "object" || !item.kind) continue;
      objects.push(item as RenderedObject);
      sources.push(src);
    }
  }
  return { objects, sources };
}
