import { strict as assert } from "assert";
import { CueExpr, CueStruct, CueSyntaxError, cueAt, parseCue, toPlain } from "../../upstream/vector/cue";

/**
 * The reader of the CUE Vector's reference is written in (upstream/vector/cue.ts): the literal
 * subset of the generated files exactly, and the hand-written pages leniently (their literal
 * fields read, references and comprehensions passed over).
 */
describe("upstream/vector/cue: the CUE subset of Vector's reference", () => {
  const generated = [
    "package metadata",
    "",
    "generated: components: sinks: loki: configuration: {",
    "\tbuffer: {",
    '\t\tdescription: "Buffers.\\tTabbed \\"quoted\\" \\u00e9"',
    "\t\trequired:    false",
    "\t\ttype: object: options: max_size: {",
    "\t\t\trequired: true",
    '\t\t\ttype: uint: {default: 268435488, unit: "bytes"}',
    "\t\t}",
    "\t}",
    "\tcodec: {",
    '\t\tdescription: """',
    "\t\t\tFirst line.",
    "\t\t\t  Indented.",
    '\t\t\t"""',
    "\t\ttype: string: enum: {",
    '\t\t\tjson: "JSON."',
    '\t\t\t"raw_message": "Raw."',
    "\t\t}",
    "\t}",
    "\tbatch: type: uint: default: 9223372036854775807",
    "\tratio: type: float: default: -2.5e-1",
    '\ttags: type: array: {default: [], items: type: string: examples: ["a", "b",]}',
    "\tnothing: null",
    "}",
    "",
  ].join("\n");

  it("reads chained labels, structs, lists, numbers and strings with their lines", () => {
    const f = parseCue(generated);
    assert.equal(f.package, "metadata");
    const config = cueAt(f.root, "generated", "components", "sinks", "loki", "configuration");
    assert.ok(config instanceof CueStruct);
    assert.deepEqual([...config.fields.keys()], ["buffer", "codec", "batch", "ratio", "tags", "nothing"]);
    assert.deepEqual(
      [...config.fields.values()].map((x) => x.line),
      [4, 12, 22, 23, 24, 25],
    );
    const maxSize = cueAt(config, "buffer", "type", "object", "options", "max_size");
    assert.ok(maxSize instanceof CueStruct);
    assert.equal(maxSize.line, 7, "a chained label's struct carries its label's line");
    assert.deepEqual(toPlain(maxSize), {
      required: true,
      type: { uint: { default: 268435488, unit: "bytes" } },
    });
    assert.deepEqual(Object.keys(toPlain(cueAt(config, "codec", "type", "string", "enum")!) as object), [
      "json",
      "raw_message",
    ]);
    assert.equal(cueAt(config, "ratio", "type", "float", "default"), -0.25);
    assert.deepEqual(toPlain(cueAt(config, "tags", "type", "array")!), {
      default: [],
      items: { type: { string: { examples: ["a", "b"] } } },
    });
    assert.equal(cueAt(config, "nothing"), null);
  });

  it("keeps an integer beyond 2^53 exact", () => {
    const v = cueAt(
      parseCue(generated).root,
      "generated",
      "components",
      "sinks",
      "loki",
      "configuration",
      "batch",
    );
    assert.equal(cueAt(v, "type", "uint", "default"), 9223372036854775807n);
  });

  it("decodes escapes and strips a multi-line string's indentation by its closing line", () => {
    const config = cueAt(
      parseCue(generated).root,
      "generated",
      "components",
      "sinks",
      "loki",
      "configuration",
    );
    assert.equal(cueAt(config, "buffer", "description"), 'Buffers.\tTabbed "quoted" é');
    assert.equal(cueAt(config, "codec", "description"), "First line.\n  Indented.");
  });

  it("unifies a label written twice: structs merge, equal literals stay, different ones conflict", () => {
    const merged = parseCue("a: b: 1\na: c: 2\na: b: 1\n").root;
    assert.deepEqual(toPlain(merged), { a: { b: 1, c: 2 } });
    assert.throws(
      () => parseCue("a: b: 1\na: b: 2\n"),
      (e: unknown) =>
        e instanceof CueSyntaxError &&
        /conflicting values for "a.b" \(first set at line 1\)/.test(e.message) &&
        e.line === 2,
    );
  });

  it("refuses, with line and column, what the generated subset does not use", () => {
    assert.throws(
      () => parseCue("a: {\n\tb: services.journald\n}\n"),
      (e: unknown) =>
        e instanceof CueSyntaxError && e.line === 2 && e.column === 5 && /expected a value/.test(e.message),
    );
    assert.throws(
      () => parseCue('a: "x" | "y"\n'),
      (e: unknown) => e instanceof CueSyntaxError && e.line === 1 && /expression is not read/.test(e.message),
    );
    assert.throws(
      () => parseCue('a: "open\n'),
      (e: unknown) => e instanceof CueSyntaxError && /unterminated string/.test(e.message),
    );
    assert.throws(
      () => parseCue("a: {\n b: 1\n"),
      (e: unknown) => e instanceof CueSyntaxError && /expected "}"/.test(e.message),
    );
  });

  it("reads a hand-written page's literal fields around references, conjunctions and comprehensions", () => {
    const page = [
      "package metadata",
      "",
      'components: sources: [Name=string]: {kind: "source"}',
      "components: sources: journald: components._base & {",
      '\ttitle: "Journald \\(urls.x)"',
      "\tclasses: {",
      '\t\tdevelopment: "stable"',
      '\t\tdeployment_roles: ["daemon"]',
      "\t}",
      "\tfeatures: {",
      "\t\tacknowledgements: true",
      "\t\tcollect: from: service: services.journald",
      "\t}",
      "\toutput: logs: line: {",
      "\t\thost: fields._local_host",
      "\t\ttimestamp: fields._current_timestamp & {",
      '\t\t\tdescription: "When."',
      "\t\t}",
      "\t}",
      "\thow_it_works: {",
      "\t\tif true {",
      '\t\t\tx: "y"',
      "\t\t}",
      "\t}",
      "\texamples: [",
      "\t\tfor k, v in remap.examples if v.x == _|_ {",
      "\t\t\t{title: v.title}",
      "\t\t},",
      "\t]",
      "\tvalue:",
      "\t\tgauge: 1",
      "}",
      "",
    ].join("\n");
    assert.throws(() => parseCue(page), CueSyntaxError, "the strict reader refuses a page");
    const journald = cueAt(parseCue(page, { lenient: true }).root, "components", "sources", "journald");
    assert.ok(journald instanceof CueStruct);
    assert.equal(cueAt(journald, "classes", "development"), "stable");
    assert.equal(cueAt(journald, "features", "acknowledgements"), true);
    assert.equal((journald.get("features") as CueStruct).fields.get("acknowledgements")!.line, 11);
    assert.ok(cueAt(journald, "features", "collect", "from", "service") instanceof CueExpr);
    assert.deepEqual(Object.keys(toPlain(cueAt(journald, "output", "logs", "line")!) as object), [
      "host",
      "timestamp",
    ]);
    assert.equal(cueAt(journald, "output", "logs", "line", "timestamp", "description"), "When.");
    assert.deepEqual(cueAt(journald, "examples"), []);
    assert.equal(cueAt(journald, "value", "gauge"), 1);
    assert.equal(cueAt(journald, "title"), "Journald \\(urls.x)");
  });
});
