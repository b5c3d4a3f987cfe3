import { load as loadYaml } from "js-yaml";
import type { RenderedObject } from "./types";
import { notYamlMessage } from "../../model/yamlText";

/**
 * Parses `helm template` output into objects with their `# Source:` templates. Helm writes each
 * document as `---` + `# Source: <template>` + YAML; js-yaml parses CRD-heavy output (4.5 MB for
 * prometheus-operator-crds) about 7x faster than the `yaml` package.
 */
export function parseManifest(text: string): { objects: RenderedObject[]; sources: string[] } {
  const objects: RenderedObject[] = [];
  const sources: string[] = [];
  for (const { doc, src } of documents(text))
    for (const item of itemsOf(doc, src)) {
      objects.push(item as RenderedObject);
      sources.push(src);
    }
  return { objects, sources };
}

/**
 * `JSON.stringify(parseManifest(text))`, the form the render cache keeps (template.ts), with each
 * large document's objects parsed once per process: a chart's CRDs do not depend on its values, and
 * they are most of its output (2.5 MB of kube-prometheus-stack's 5 MB, about 60 ms of YAML parsing
 * per render), so the renders of one chart with other values read them again and again.
 */
export function manifestJson(text: string): string {
  const objects: string[] = [];
  const sources: string[] = [];
  for (const { doc, src } of documents(text)) {
    const big = doc.length >= LARGE_DOCUMENT;
    let items = big ? largeDocuments.get(doc) : undefined;
    if (items === undefined) {
      items = itemsOf(doc, src).map((o) => JSON.stringify(o));
      if (big) remember(doc, items);
    }
    for (const item of items) {
      objects.push(item);
      sources.push(src);
    }
  }
  return `{"objects":[${objects.join(",")}],"sources":${JSON.stringify(sources)}}`;
}

/** A document this long is kept with its objects' JSON (CRDs; a values-made ConfigMap rarely). */
const LARGE_DOCUMENT = 32 * 1024;
/** The large documents read, bounded by their total length. */
const largeDocuments = new Map<string, string[]>();
let largeLength = 0;
const LARGE_KEPT = 64 * 1024 * 1024;
function remember(doc: string, items: string[]): void {
  if (largeLength + doc.length > LARGE_KEPT) {
    largeDocuments.clear();
    largeLength = 0;
  }
  // A copy of its own as the key: `doc` is a slice of Helm's whole output (V8 keeps a substring as
  // a view of the string it was cut from), so a kept slice kept every output it came from, several
  // MB a render where the bound counts the document alone (a sweep of 300 renders of 4.3 MB, each
  // with a 64 KB document of its own: 26 MB of heap -> 1,316 MB, and out of memory in a whole
  // sweep). Encoded and decoded once per document kept, beside its YAML parse.
  largeDocuments.set(Buffer.from(doc, "utf8").toString("utf8"), items);
  largeLength += doc.length;
}

/** Helm's documents, each with its `# Source:` template ("" when it names none). */
function documents(text: string): { doc: string; src: string }[] {
  const out: { doc: string; src: string }[] = [];
  for (const doc of text.split(/^---[ \t]*$/m)) {
    if (!doc.trim()) continue;
    out.push({ doc, src: /^#\s*Source:\s*(\S+)/m.exec(doc)?.[1] ?? "" });
  }
  return out;
}

/** The objects of one document: itself, or a List's items (the API server receives those). */
function itemsOf(doc: string, src: string): object[] {
  let value: any;
  try {
    value = loadYaml(doc);
  } catch (e) {
    // A Secret's data or a values-fed ConfigMap may sit on the lines js-yaml's message quotes.
    throw new Error(
      notYamlMessage(`helm output of ${src || "a template"}`, doc, e, "Kubernetes objects (YAML)", 1),
    );
  }
  if (!value || typeof value !== "object") return [];
  const items: any[] = /List$/.test(String(value.kind)) && Array.isArray(value.items) ? value.items : [value];
  return items.filter((item) => item && typeof item === "object" && item.kind);
}
