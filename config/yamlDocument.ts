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

/** eemeli/yaml v2's code (src/errors.ts `ErrorCode`) for a tab in a line's indentation. */
export const TAB_AS_INDENT = "TAB_AS_INDENT";

/**
 * `text` parsed as its writer meant it: each line indented with a tab, which YAML refuses,
 * indented with spaces instead ({@link spacedTabLines}). After such a tab eemeli/yaml v2 reads the
 * rest of the map at another column, so every key below it lands elsewhere (the rest of `config:`
 * under the tabbed key, or at the top of the file) and its value would be judged nowhere: read as
 * meant, each key below is where the file puts it. The text is `text` line for line, each line
 * but a tabbed one unchanged, so a line and column in it are the same in `text`. `text`'s own
 * parse when it holds no such tab.
 */
export function parsedAsMeant(text: string): ParsedYaml & { text: string } {
  const parsed = parsedYaml(text);
  const tabLines = new Set(
    parsed.doc.errors.filter((e) => e.code === TAB_AS_INDENT).map((e) => e.linePos?.[0].line ?? 0),
  );
  if (tabLines.size === 0) return { ...parsed, text };
  const spaced = spacedTabLines(text.split(/\r?\n/), tabLines);
  return { ...parsedYaml(spaced), text: spaced };
}

/** A line that holds more than blanks or a comment, and does not start its indentation with a tab. */
const spacedContent = (l: string) => l.trim() !== "" && !l.trim().startsWith("#") && !/^[ ]*\t/.test(l);

/**
 * `lines` with each of `tabLines` indented with spaces, as its writer most likely meant: two deeper
 * than the key of the line above when that line opens a block (ends with `:`); else as deep as the
 * line below when that one is no deeper than the key above (a sibling, or the first key after the
 * block: the tabbed key closes it too), else as deep as the key above. A key's column counts a list
 * item's `- ` (`- name: node`: its keys start after it).
 */
function spacedTabLines(lines: string[], tabLines: Set<number>): string {
  const keyColumn = (l: string) => /^[ ]*(?:-[ ]+)*/.exec(l)![0].length;
  return lines
    .map((text, i) => {
      if (!tabLines.has(i + 1)) return text;
      const above = lines.slice(0, i).reverse().find(spacedContent);
      const below = lines.slice(i + 1).find(spacedContent);
      const keyAbove = above === undefined ? 0 : keyColumn(above);
      const belowIndent = below?.match(/^ */)?.[0].length;
      const indent =
        above !== undefined && /:\s*$/.test(above)
          ? keyAbove + 2
          : belowIndent !== undefined && belowIndent <= keyAbove
            ? belowIndent
            : keyAbove;
      return " ".repeat(indent) + text.replace(/^[ \t]*/, "");
    })
    .join("\n");
}

/**
 * Whether a pair's key is a merge key: with `merge: true`, eemeli/yaml v2 parses a plain `<<` key
 * to a Scalar whose value is the symbol `<<` (its MERGE_KEY); the text "<<" where it is not one.
 */
export const isMergeKey = (k: unknown): boolean =>
  isScalar(k) && (k.value === "<<" || (typeof k.value === "symbol" && k.value.description === "<<"));
