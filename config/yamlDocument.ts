import { isScalar, LineCounter, parseDocument, type Document } from "yaml";

/** A YAML text parsed once: its document and the line counter that parse filled. */
export interface ParsedYaml {
  doc: Document.Parsed;
  counter: LineCounter;
}

/**
 * Documents parsed in this process, by text. A stack file is parsed for the Pulumi CLI's rules
 * (stackFile.ts: its values and slips) and again to place each problem (locate.ts: its nodes and
 * lines), Pulumi.yaml likewise; the same text parses to the same document (the parse's options
 * are the counter, which records line starts, and merge keys, the same for both), and neither reader
 * changes it, so both read one parse.
 */
const parsedDocs = new Map<string, ParsedYaml>();
const DOCS_KEPT = 64;

/**
 * `text` as eemeli/yaml v2 `parseDocument` parses it, with a {@link LineCounter}: one parse per text.
 * Merge keys (`<<: *anchor`) are merged, as the Pulumi CLI reads them: since 3.50 it decodes stack
 * files and Pulumi.yaml with gopkg.in/yaml.v3 v3.0.1 (pulumi/pulumi v3.259.0
 * sdk/go/common/encoding/marshal.go, pkg/go.mod), whose decoder merges `<<` into the map holding it
 * (decode.go `mapping`, `isMerge`, `merge`); YAML 1.2 alone would keep `<<` as a key.
 */
export function parsedYaml(text: string): ParsedYaml {
  const known = parsedDocs.get(text);
  if (known) return known;
  const counter = new LineCounter();
  const parsed = { doc: parseDocument(text, { lineCounter: counter, merge: true }), counter };
  if (parsedDocs.size >= DOCS_KEPT) parsedDocs.clear();
  parsedDocs.set(text, parsed);
  return parsed;
}

/**
 * Whether a pair's key is a merge key: with `merge: true`, eemeli/yaml v2 parses a plain `<<` key
 * to a Scalar whose value is the symbol `<<` (its MERGE_KEY); the text "<<" where it is not one.
 */
export const isMergeKey = (k: unknown): boolean =>
  isScalar(k) && (k.value === "<<" || (typeof k.value === "symbol" && k.value.description === "<<"));
