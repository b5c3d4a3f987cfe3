import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseAlloy, scan, stringValue, type AlloyError, type Pos } from "../../upstream/alloy/syntax";
import { externalReferenceDir } from "../../upstream/reference";
import { underCi } from "../../config/ci";

/**
 * Conformance on Alloy v1.12.0's own parser corpus (grafana/alloy syntax/parser/testdata, test-only
 * data kept outside the repository: HOMELAB_REFERENCE_DIR/alloy-1.12/parser-testdata, by default
 * ../shared/reference beside the checkout, with its README): the files under valid/ parse
 * without error; in the other files each `/* ERROR "rx" *\/` comment names an error at the start
 * of the token before it (`ERROR HERE`: just after that token) whose message matches `rx`, and no
 * other error may be reported (the convention of upstream's syntax/parser/error_test.go, as the
 * reference README states it); the fuzz entries never make the parser throw.
 */
const CORPUS = (() => {
  const dir = externalReferenceDir();
  return dir && path.join(dir, "alloy-1.12", "parser-testdata");
})();

function corpusOrSkip(ctx: Mocha.Context): string {
  if (CORPUS && fs.existsSync(CORPUS)) return CORPUS;
  const why = `Alloy's parser corpus is missing (${CORPUS ?? "../shared/reference/alloy-1.12/parser-testdata"}; set HOMELAB_REFERENCE_DIR)`;
  if (underCi()) throw new Error(`${why}; CI needs it`);
  console.warn(`\n  !!! SKIPPING: ${why}; CI runs this test.\n`);
  ctx.skip();
  return "";
}

interface Expected {
  pos: Pos;
  pattern: RegExp;
}

/** The annotations of a corpus file, placed as the convention says. */
function expectations(text: string): Expected[] {
  const out: Expected[] = [];
  let previous: ReturnType<typeof scan>[number] | undefined;
  for (const t of scan(text)) {
    if (t.kind === "COMMENT") {
      const m = /^\/\* ERROR (HERE )?"(.*)" \*\/$/s.exec(t.text);
      if (m) {
        assert.ok(previous, `annotation at ${t.pos.line}:${t.pos.column} follows no token`);
        const offset = m[1] ? previous.pos.offset + previous.text.length : previous.pos.offset;
        const before = text.slice(0, offset);
        out.push({
          pos: { offset, line: before.split("\n").length, column: offset - before.lastIndexOf("\n") },
          pattern: new RegExp(m[2]),
        });
      }
    } else if (t.kind !== "TERMINATOR" && t.kind !== "EOF") previous = t;
  }
  return out;
}

/** Reported errors against annotations: which annotations matched, which errors nobody expected. */
function judge(text: string, errors: AlloyError[]) {
  const expected = expectations(text);
  const unmatched = [...expected];
  const unexpected: string[] = [];
  for (const e of errors) {
    const i = unmatched.findIndex((x) => x.pos.offset === e.pos.offset && x.pattern.test(e.message));
    if (i >= 0) unmatched.splice(i, 1);
    else unexpected.push(`${e.pos.line}:${e.pos.column}: ${e.message}`);
  }
  return {
    expected: expected.length,
    missing: unmatched.map((x) => `${x.pos.line}:${x.pos.column}: /${x.pattern.source}/`),
    unexpected,
  };
}

/** The one `[]byte("...")` of a `go test fuzz v1` entry, as bytes decoded the way Go reads the literal. */
function fuzzInput(entry: string): string {
  const lines = entry.split("\n");
  assert.equal(lines[0], "go test fuzz v1", "a fuzz corpus entry starts with its format line");
  const m = /^\[\]byte\((".*")\)$/.exec(lines[1]);
  assert.ok(m, `expected []byte("...") on the second line, found ${lines[1]}`);
  return stringValue(m[1]);
}

describe("upstream/alloy/syntax: Alloy v1.12.0's parser corpus (reference/alloy-1.12/parser-testdata)", () => {
  it("accepts every file under valid/", function () {
    const dir = path.join(corpusOrSkip(this), "valid");
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".alloy"));
    assert.ok(files.length > 0, `no .alloy file under ${dir}`);
    const rejected = files.flatMap((f) =>
      parseAlloy(fs.readFileSync(path.join(dir, f), "utf8")).errors.map(
        (e) => `${f}:${e.pos.line}:${e.pos.column}: ${e.message}`,
      ),
    );
    assert.deepEqual(rejected, []);
    console.log(`      valid ${files.length}/${files.length}`);
  });

  it("reports every annotated error at its position with a matching message, and nothing else", function () {
    const dir = corpusOrSkip(this);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".alloy"));
    assert.ok(files.length > 0, `no annotated .alloy file in ${dir}`);
    let expected = 0;
    const problems: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      const r = judge(text, parseAlloy(text).errors);
      assert.ok(r.expected > 0, `${f} carries no ERROR annotation`);
      expected += r.expected;
      problems.push(
        ...r.missing.map((m) => `${f}: missing ${m}`),
        ...r.unexpected.map((u) => `${f}: unexpected ${u}`),
      );
    }
    assert.deepEqual(problems, []);
    console.log(
      `      invalid files ${files.length}/${files.length}, annotated errors ${expected}/${expected}, unexpected 0`,
    );
  });

  it("ends every fuzz corpus entry in a result, never an exception", function () {
    const dir = path.join(corpusOrSkip(this), "fuzz", "FuzzParser");
    const entries = fs.readdirSync(dir);
    assert.ok(entries.length > 0, `no fuzz entry under ${dir}`);
    for (const e of entries) {
      const input = fuzzInput(fs.readFileSync(path.join(dir, e), "utf8"));
      assert.doesNotThrow(() => parseAlloy(input), e);
    }
    console.log(`      fuzz ${entries.length}/${entries.length} without a crash`);
  });

  it("the annotation judge itself catches a misplaced or missing error (commas.alloy, errors moved by one)", function () {
    const text = fs.readFileSync(path.join(corpusOrSkip(this), "commas.alloy"), "utf8");
    const errors = parseAlloy(text).errors;
    assert.ok(errors.length > 0);
    const moved = errors.map((e) => ({ ...e, pos: { ...e.pos, offset: e.pos.offset + 1 } }));
    const r = judge(text, moved);
    assert.equal(r.missing.length, errors.length);
    assert.equal(r.unexpected.length, errors.length);
    assert.equal(judge(text, []).missing.length, errors.length);
  });
});

describe("upstream/alloy/syntax: the tree the checks read", () => {
  it("gives blocks their dotted name and label, attributes their value, and strings their decoded value", () => {
    const r = parseAlloy(
      'remote.kubernetes.secret "minio_metrics" {\n  namespace = "monitoring"\n  name = "a\\tb\\u00e9"\n}\nx = [1, 2.5, true, null, {a = -1}]\n',
    );
    assert.deepEqual(r.errors, []);
    const [block, attr] = r.body;
    assert.equal(block.kind, "block");
    assert.equal(block.name, "remote.kubernetes.secret");
    assert.equal(block.kind === "block" && block.label, "minio_metrics");
    const name = block.kind === "block" ? block.body[1] : undefined;
    assert.equal(
      name?.kind === "attribute" && name.value.kind === "literal" && name.value.value,
      "a\tb\u00e9",
    );
    assert.equal(attr.kind, "attribute");
    assert.equal(attr.kind === "attribute" && attr.value.kind, "array");
    assert.deepEqual(attr.pos, { offset: 94, line: 5, column: 1 });
  });

  it("binds operators as Alloy's precedence table says: * before +, ^ to the right, && before ||", () => {
    const show = (text: string): string => {
      const e = parseAlloy(`x = ${text}\n`);
      assert.deepEqual(e.errors, []);
      const s = (x: any): string =>
        x.kind === "binary" ? `(${s(x.left)} ${x.op} ${s(x.right)})` : x.kind === "literal" ? x.raw : x.kind;
      return s((e.body[0] as any).value);
    };
    assert.equal(show("1 + 2 * 3"), "(1 + (2 * 3))");
    assert.equal(show("1 - 2 - 3"), "((1 - 2) - 3)");
    assert.equal(show("2 ^ 3 ^ 2"), "(2 ^ (3 ^ 2))");
    assert.equal(show("true || false && true"), "(true || (false && true))");
    assert.equal(show("1 < 2 == true"), "((1 < 2) == true)");
  });

  it("rejects what the docs rule out: single quotes, a label that is no identifier, an unterminated string", () => {
    const messages = (t: string) => parseAlloy(t).errors.map((e) => e.message);
    assert.match(messages("x = 'a'\n").join(), /single-quoted/);
    assert.match(messages('a "b c" {\n}\n').join(), /valid identifier/);
    assert.match(messages('x = "abc\n').join(), /not terminated/);
    assert.match(messages("x = a {\n}\n").join(), /cannot use a block as an expression/);
  });
});
