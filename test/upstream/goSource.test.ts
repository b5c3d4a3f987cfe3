import { strict as assert } from "assert";
import { readGoFile, type GoType } from "../../upstream/refresh/goSource";

/** gofmt'ed Go source, one line each. */
const go = (lines: string[]) => `${lines.join("\n")}\n`;
const typeNamed = (types: GoType[], name: string): GoType => {
  const t = types.find((x) => x.name === name);
  assert.ok(t, `no type ${name} among ${types.map((x) => x.name).join(", ")}`);
  return t;
};
/** name, type and tag of each field read. */
const named = (t: GoType) => t.fields!.map((f) => [f.name, f.type, f.tag]);

describe("upstream/refresh/goSource: struct declarations, every field read or reported", () => {
  it("reads each spec of a type ( ... ) group, structs and other types, with its line", () => {
    const f = readGoFile(
      go([
        "package p",
        "",
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
      ]),
      "pkg/p/p.go",
    );
    assert.deepEqual(
      f.types.map((t) => [t.name, t.source]),
      [
        ["Rule", "pkg/p/p.go:4"],
        ["Rules", "pkg/p/p.go:8"],
        ["Pair", "pkg/p/p.go:9"],
      ],
    );
    assert.deepEqual(named(typeNamed(f.types, "Rule")), [["Target", "string", 'yaml:"target"']]);
    assert.equal(typeNamed(f.types, "Rules").expr, "[]*Rule");
    assert.deepEqual(named(typeNamed(f.types, "Pair")), [["A", "int", 'yaml:"a"']]);
  });

  it("reads a multi-word type whole, a field spanning lines as one field, and each name of a name list", () => {
    const f = readGoFile(
      go([
        "package p",
        "",
        "type Config struct {",
        '\tLabels   map[string]string           `yaml:"labels"`',
        '\tHook     func(a, b string) error     `yaml:"-"`',
        '\tEvents   <-chan struct{}             `yaml:"-"`',
        "\tResource struct {",
        '\t\tType string `yaml:"type"`',
        '\t} `yaml:"resource"`',
        '\tMin, Max int `yaml:"bound"`',
        "}",
      ]),
      "p.go",
    );
    const t = typeNamed(f.types, "Config");
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
    const f = readGoFile(
      go([
        "package p",
        "",
        "type Config struct {",
        "\tBase",
        "\t*storage.Shared",
        '\tInline            `yaml:",inline"`',
        '\tmetav1.ObjectMeta `json:"metadata,omitempty"`',
        '\tName              string `yaml:"name"`',
        "}",
      ]),
      "p.go",
    );
    const t = typeNamed(f.types, "Config");
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
    const f = readGoFile(
      go([
        "package p",
        "",
        "type Args struct {",
        '\tURL    string `alloy:"url,attr"`',
        '\tlimit  int    // `alloy:"limit,attr"` in a comment',
        "\tConfig snmp.Config",
        '\tLegacy string "yaml:\\"legacy\\""',
        "}",
      ]),
      "p.go",
    );
    const t = typeNamed(f.types, "Args");
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
