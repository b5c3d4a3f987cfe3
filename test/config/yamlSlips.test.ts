import { strict as assert } from "assert";
import { CliConfigError, parseYamlText, YamlFileError } from "../../config/stackFile";
import { BASE, P, refusal } from "../support/stackText";

/*
 * One indentation slip is one message, at the line and column where the indentation goes wrong
 * (config/stackFile.ts slipsOf): eemeli/yaml v2 reports one slip as several errors (an
 * over-indented key as "Nested mappings ..." and "Implicit keys ..."; a tab as those and "Tabs
 * ..."), placed on the line the key seems to continue, or at column 1 of an under-indented line.
 */

/** The refusal of `text` as a YAML file named `s.yaml`. */
function slipsOf(text: string): { message: string } {
  try {
    parseYamlText("s.yaml", text);
  } catch (e) {
    assert.ok(e instanceof YamlFileError, String(e));
    return { message: e.message };
  }
  assert.fail(`valid YAML: ${text}`);
}

/** `line:column` of every slip line of a refusal message, in order. */
const placesIn = (message: string) =>
  [...message.matchAll(/^s\.yaml:(\d+:\d+): not valid YAML: /gm)].map((m) => m[1]);

describe("config: one message per YAML indentation slip, at the slip (config/stackFile.ts)", () => {
  const HINT = /check the indentation/;

  it("a key indented one space deeper than its siblings, after a key with a value: one message, at that key", () => {
    const { message } = slipsOf("a:\n  b: 1\n  c: http://x:9\n   d: 2\n  e: 3\n");
    assert.deepEqual(placesIn(message), ["4:4"], message);
    assert.match(message, HINT);
    assert.match(message, /^s\.yaml:4:4: not valid YAML: .*indented deeper than line 3/m);
    // The caret is under the key on the slip's own line.
    assert.match(message, /^ {2}4 \|    d: 2\n {2} {2}\| {4}\^$/m);
  });

  it("a key under a scalar (two spaces deeper), at the top level and in a list item: one message at the key", () => {
    assert.deepEqual(placesIn(slipsOf("a:\n  b: x\n    c: 2\n  d: 3\n").message), ["3:5"]);
    assert.deepEqual(placesIn(slipsOf("a: 1\n b: 2\n").message), ["2:2"]);
    assert.deepEqual(placesIn(slipsOf("a:\n  - n: 1\n     m: 2\n").message), ["3:6"]);
    // A blank line between does not move it.
    assert.deepEqual(placesIn(slipsOf("a:\n  c: x\n\n   d: 2\n  e: 3\n").message), ["4:4"]);
  });

  it("two over-indented lines in a row are one slip, at the first", () => {
    assert.deepEqual(placesIn(slipsOf("a:\n  b: 1\n  c: x\n   d: 2\n   e: 3\n  f: 1\n").message), ["4:4"]);
  });

  it("a key indented less than its siblings: at the key, not column 1, past a comment line", () => {
    const { message } = slipsOf("a:\n  b:\n    c: 1\n    d: 2\n   e: 3\n  f: 4\n");
    assert.deepEqual(placesIn(message), ["5:4"], message);
    assert.match(message, HINT);
    assert.deepEqual(placesIn(slipsOf("a:\n  c: x\n  # note\n   d: 2\n  e: 3\n").message), ["4:4"]);
    assert.deepEqual(placesIn(slipsOf("a:\n  c: x\n  # one\n\n  # two\n   d: 2\n").message), ["6:4"]);
    // Less, then the next line deeper again: still the one slip.
    assert.deepEqual(placesIn(slipsOf("a:\n  b:\n    c: 1\n   d: 2\n    e: 3\n").message), ["4:4"]);
  });

  it("a key indented less, then its correct siblings past a comment line: one message, at the key", () => {
    const { message } = slipsOf("a:\n  b: 1\n c: x\n  # note\n  d: 2\n");
    assert.deepEqual(placesIn(message), ["3:2"], message);
  });

  it("a key of a list item indented less than its siblings: one message at the key, with the indentation reminder", () => {
    const { message } = slipsOf(
      "a:\n  - name: n\n    arch: amd64\n   count: 1\n    cpu: 4\n    memory: 8Gi\n",
    );
    assert.deepEqual(placesIn(message), ["4:4"], message);
    assert.match(message, /^s\.yaml:4:4: not valid YAML: Sequence item without - indicator$/m);
    assert.match(message, HINT);
  });

  it("a key written between two items of a list, less indented than they: one message at that key, not at the next item", () => {
    const text = "a:\n  l:\n    - n: 1\n      t: x\n  m: 2\n    - n: 3\n      t: y\n";
    const { message } = slipsOf(text);
    assert.deepEqual(placesIn(message), ["5:3"], message);
    assert.match(
      message,
      /^s\.yaml:5:3: not valid YAML: Nested mappings are not allowed in compact mappings: this line, indented less than lines 3 to 4 above it, ends their block, which line 6 goes on with: indent it as line 4 \(to column 7\) if it belongs to that block, else move it below line 7, where the block ends$/m,
    );
    // Either edit the message offers makes the file YAML.
    const lines = text.split("\n");
    const indented = [...lines.slice(0, 4), "      m: 2", ...lines.slice(5)].join("\n");
    const moved = [...lines.slice(0, 4), ...lines.slice(5, 7), lines[4], ""].join("\n");
    assert.doesNotThrow(() => parseYamlText("s.yaml", indented));
    assert.doesNotThrow(() => parseYamlText("s.yaml", moved));
  });

  it("a key written between list items, less indented, with two or more items and a key below: one message at that key", () => {
    // The parser reads the items after it as a key of their own, told at the next item but one.
    const text =
      'a:\n  l:\n    - n: 1\n      t: x\n   m: 2\n    - n: 3\n      c: "4"\n      t: y\n    - n: 4\n      t: z\n  k: 5\n';
    const { message } = slipsOf(text);
    assert.deepEqual(placesIn(message), ["5:4"], message);
    assert.match(message, /^s\.yaml:5:4: not valid YAML: All mapping items must start at the same column$/m);
  });

  it("a second document is refused in words at its first line, not as a slip", () => {
    assert.throws(
      () => parseYamlText("s.yaml", "a: 1\n---\nb: 2\n"),
      (e: unknown) =>
        e instanceof CliConfigError &&
        !(e instanceof YamlFileError) &&
        e.message.startsWith(
          "s.yaml:2:1: a second YAML document starts here (`---`): the Pulumi CLI reads only the first document of s.yaml",
        ),
    );
    assert.deepEqual(parseYamlText("s.yaml", "a: 1\n---\n"), { a: 1 });
  });

  it("a tab in the indentation: one message, at the tab", () => {
    const { message } = slipsOf("a:\n  b: 1\n\tc: 2\n  d: 3\n");
    assert.deepEqual(placesIn(message), ["3:1"], message);
    assert.match(message, /Tabs are not allowed as indentation/);
  });

  it("two slips apart stay two messages; a duplicated key beside a slip stays its own", () => {
    assert.deepEqual(placesIn(slipsOf("a:\n  c: x\n   d: 2\n  e: 3\n f: 4\n  g: 5\n").message), [
      "3:4",
      "5:2",
    ]);
    const dup = slipsOf("a:\n  b: 1\n  b: 2\n   c: 3\n").message;
    assert.deepEqual(placesIn(dup), ["3:3", "4:4"], dup);
    assert.match(dup, /Map keys must be unique/);
  });

  it("a comment line broken in two: one message at its second half, naming the lines the parser read nothing of after it", () => {
    const { message } = slipsOf(
      "# a note (step: import\n    running: x) and (step: update) more\n# end\nconfig:\n  a: 1\n  b: [2]\n",
    );
    assert.deepEqual(placesIn(message), ["2:14"], message);
    assert.match(
      message,
      /^s\.yaml:2:14: not valid YAML: Nested mappings are not allowed in compact mappings; the parser read nothing of lines 4 to 6 after it: this line is the document's first key, indented, and a line less indented ends the document$/m,
    );
  });

  it("a line less indented than the document's first key: one message at it, quoting nothing of the lines unread; a slip before it stays its own", () => {
    const { message } = slipsOf("  a: 1\n  a: 2\nb: 3\nc: 4\nd: {e: hunter2hunter2}\n");
    assert.deepEqual(placesIn(message), ["2:3", "3:1"], message);
    assert.match(
      message,
      /^s\.yaml:3:1: not valid YAML: Unexpected scalar at node end: a line less indented than the document's first key \(line 1\) ends the document; the parser read nothing of lines 3 to 5$/m,
    );
    assert.doesNotMatch(message, /hunter2/);
  });

  it("in a stack run: the slip is one problem at the over-indented key, and what it garbled stays unnamed", () => {
    const e = refusal(`${BASE}  ${P("objectStore")}:
    type: minio
    endpoint: http://minio.storage.svc:9000
     adminEndpoint: http://localhost:9000
    region: us-east-1
  ${P("loki")}:
    replicas: 1
    # a week is enough here
   retention: 7d
`);
    const slips = e.problems
      .map((p, i) => ({ p, at: e.places[i] }))
      .filter(({ p }) => p.includes("not valid YAML"));
    assert.deepEqual(
      slips.map(({ at }) => `${at?.line}:${at?.column}`),
      ["7:6", "12:4"],
      e.message,
    );
    for (const { p } of slips) assert.match(p, HINT);
    // The parser read `endpoint` as a map: the slip's, not a problem of its own.
    assert.ok(!e.problems.some((p) => /objectStore\.endpoint/.test(p)), e.message);
    // The parser reports the short key at the comment above it; the key moved is not named either.
    assert.ok(!e.problems.some((p) => /retention/.test(p.split("\n")[0])), e.message);
  });
});

describe("config: an alias inside its own anchor's value (config/stackFile.ts selfAliasSlips)", () => {
  it("is one slip at the alias, not an unexpected error: the value would contain itself", () => {
    const { message } = slipsOf("a:\n  g: &g\n    b:\n      x: *g\n  c: 1\n");
    assert.deepEqual(placesIn(message), ["4:10"], message);
    assert.match(message, /anchor "g" value contains itself: the alias \*g is inside the value &g names/);
  });

  it("an alias of the same anchor after its value is no slip", () => {
    assert.doesNotThrow(() => parseYamlText("s.yaml", "a:\n  g: &g\n    b: 1\n  h: *g\n"));
  });
});
