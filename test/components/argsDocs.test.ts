import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { argsFields, docProblem } from "../support/argsDocs";

function componentFiles(dir = "components"): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return componentFiles(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

/**
 * Files whose Args another change documents (Mimir's component is being reworked beside this
 * check). The test fails once such a file passes, so the exception cannot outlive its reason.
 */
const DOCUMENTED_ELSEWHERE = new Set(["components/metrics/mimir.ts"]);

describe("component Args document their defaults", () => {
  const fields = componentFiles().flatMap((f) => argsFields(f, fs.readFileSync(path.join(ROOT, f), "utf8")));

  it("every field of every component's Args has a JSDoc stating its default or that it is required", () => {
    assert.ok(fields.length > 50, `found only ${fields.length} Args fields: the parser misses interfaces`);
    const bad = fields
      .filter((f) => !DOCUMENTED_ELSEWHERE.has(f.file))
      .map((f) => [f, docProblem(f)] as const)
      .filter(([, p]) => p !== undefined)
      .map(([f, p]) => `${f.file} ${f.iface}.${f.field} ${p}`);
    assert.deepEqual(bad, []);
  });

  it("an exception ends once its file documents every field", () => {
    const done = [...DOCUMENTED_ELSEWHERE].filter((file) =>
      fields.filter((f) => f.file === file).every((f) => docProblem(f) === undefined),
    );
    assert.deepEqual(done, [], "remove these files from DOCUMENTED_ELSEWHERE");
  });

  it("finds a field without JSDoc, an optional one without a default and a mandatory one not marked required", () => {
    const text = `
      export interface FooArgs {
        /** Namespace. Required. */
        namespace: string;
        name: string;
        /** Protect it. */
        protect?: boolean;
        /** Labels. Default: none. */
        labels?: Record<string, string>;
        /** Kubernetes provider. */
        provider: unknown;
      }
      interface PrivateArgs { x: string }`;
    const problems = argsFields("x.ts", text).map((f) => `${f.field} ${docProblem(f) ?? "ok"}`);
    assert.deepEqual(problems, [
      "namespace ok",
      "name has no JSDoc",
      "protect is optional and its JSDoc states no default",
      "labels ok",
      'provider is mandatory and its JSDoc does not say "Required."',
    ]);
  });
});
