import * as ts from "typescript";

/** One field of a component's `export interface *Args`, with what its JSDoc says. */
export interface ArgsField {
  file: string;
  iface: string;
  field: string;
  optional: boolean;
  doc: string;
}

/** Every field of every exported `*Args` interface in a source text, with its JSDoc (empty if none). */
export function argsFields(file: string, text: string): ArgsField[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const out: ArgsField[] = [];
  for (const st of sf.statements) {
    if (!ts.isInterfaceDeclaration(st) || !st.name.text.endsWith("Args")) continue;
    if (!st.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const m of st.members) {
      if (!ts.isPropertySignature(m)) continue;
      const doc = ts
        .getJSDocCommentsAndTags(m)
        .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
        .join(" ");
      out.push({ file, iface: st.name.text, field: m.name.getText(sf), optional: !!m.questionToken, doc });
    }
  }
  return out;
}

/**
 * What is wrong with a field's JSDoc: none at all, or one that does not say what happens when the
 * field is left out. An optional field states its default ("Default: ..."); a mandatory one says
 * "Required." (a conditional requirement, "Required with the minio store", counts for an optional one
 * only beside its default).
 */
export function docProblem(f: ArgsField): string | undefined {
  if (f.doc.trim() === "") return "has no JSDoc";
  if (f.optional && !/\bdefault\b/i.test(f.doc)) return `is optional and its JSDoc states no default`;
  if (!f.optional && !/\brequired\b/i.test(f.doc))
    return `is mandatory and its JSDoc does not say "Required."`;
  return undefined;
}
