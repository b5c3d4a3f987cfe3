import { strict as assert } from "assert";
import { readGoFile, type GoType } from "../../upstream/refresh/goSource";

/** gofmt'ed Go source, one line each. */
const go = (lines: string[]) => `${lines.join("\n")}\n`;
/** The types of `p.go`, a file of package p holding the lines. */
const typesOf = (lines: string[]): GoType[] => readGoFile(go(["package p", "", ...lines]), "p.go").types;
const onlyType = (lines: string[]): GoType => {
  const types = typesOf(lines);
  assert.equal(types.length, 1);
  return types[0];
};
/** name, type and tag of each field read. */
const named = (t: GoType) => t.fields!.map((f) => [f.name, f.type, f.tag]);

describe("upstream/refresh/goSource: struct declarations, every field read or reported", () => {
  it("reads each spec of a type ( ... ) group, structs and other types, with its line", () => {
    const [rule, rules, pair] = typesOf([
      "type (",
      "\tRule struct {",
      '\t\tTarget string `yaml:"target"`',
      "\t}",
      "",
      "\tRules []*Rule",
      "\tPair  struct {",
      '\t\tA int `yaml:"a"`',
      "\t}",
      ")",
    ]);
    assert.deepEqual(
      [rule, rules, pair].map((t) => [t.name, t.source]),
      [
        ["Rule", "p.go:4"],
        ["Rules", "p.go:8"],
        ["Pair", "p.go:9"],
      ],
    );
    assert.deepEqual(named(rule), [["Target", "string", 'yaml:"target"']]);
    assert.equal(rules.expr, "[]*Rule");
    assert.deepEqual(named(pair), [["A", "int", 'yaml:"a"']]);
  });

  it("reads a multi-word type whole, a field spanning lines as one field, and each name of a name list", () => {
    const t = onlyType([
      "type Config struct {",
      '\tLabels   map[string]string           `yaml:"labels"`',
      '\tHook     func(a, b string) error     `yaml:"-"`',
      '\tEvents   <-chan struct{}             `yaml:"-"`',
      "\tResource struct {",
      '\t\tType string `yaml:"type"`',
      '\t} `yaml:"resource"`',
      '\tMin, Max int `yaml:"bound"`',
      "}",
    ]);
    assert.deepEqual(named(t), [
      ["Labels", "map[string]string", 'yaml:"labels"'],
      ["Hook", "func(a, b string) error", 'yaml:"-"'],
      ["Events", "<-chan struct{}", 'yaml:"-"'],
      ["Resource", 'struct {\n\t\tType string `yaml:"type"`\n\t}', 'yaml:"resource"'],
      ["Min", "int", 'yaml:"bound"'],
      ["Max", "int", 'yaml:"bound"'],
    ]);
    assert.deepEqual(
      t.fields!.map((x) => x.source),
      ["p.go:4", "p.go:5", "p.go:6", "p.go:7", "p.go:10", "p.go:10"],
      "an inline struct's own fields are not the outer struct's",
    );
    assert.deepEqual(t.skipped, []);
  });

  it("reports each embedded field, tagged or not, with its type and line, and reads none as a named field", () => {
    const t = onlyType([
      "type Config struct {",
      "\tBase",
      "\t*storage.Shared",
      '\tInline            `yaml:",inline"`',
      '\tmetav1.ObjectMeta `json:"metadata,omitempty"`',
      '\tName              string `yaml:"name"`',
      "}",
    ]);
    assert.deepEqual(named(t), [["Name", "string", 'yaml:"name"']]);
    assert.deepEqual(t.skipped, [
      { reason: "embedded", name: "", type: "Base", tag: "", source: "p.go:4" },
      { reason: "embedded", name: "", type: "*storage.Shared", tag: "", source: "p.go:5" },
      { reason: "embedded", name: "", type: "Inline", tag: 'yaml:",inline"', source: "p.go:6" },
      {
        reason: "embedded",
        name: "",
        type: "metav1.ObjectMeta",
        tag: 'json:"metadata,omitempty"',
        source: "p.go:7",
      },
    ]);
  });

  it("reports each untagged field; a tag in a comment is no tag; an interpreted-string tag is unquoted", () => {
    const t = onlyType([
      "type Args struct {",
      '\tURL    string `alloy:"url,attr"`',
      '\tlimit  int    // `alloy:"limit,attr"` in a comment',
      "\tConfig snmp.Config",
      '\tLegacy string "yaml:\\"legacy\\""',
      "}",
    ]);
    assert.deepEqual(named(t), [
      ["URL", "string", 'alloy:"url,attr"'],
      ["Legacy", "string", 'yaml:"legacy"'],
    ]);
    assert.deepEqual(t.skipped, [
      { reason: "untagged", name: "limit", type: "int", tag: "", source: "p.go:5" },
      { reason: "untagged", name: "Config", type: "snmp.Config", tag: "", source: "p.go:6" },
    ]);
  });
});
