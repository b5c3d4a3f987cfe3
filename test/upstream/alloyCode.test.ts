import { strict as assert } from "assert";
import { alloyCode } from "../../upstream/refresh/alloyCode";
import { blankComments, constraintHolds, fileInBuild, type GoBuild } from "../../upstream/refresh/goSource";
import { ALLOY_CODE_FIXTURE } from "../support/alloyCodeFixture";
import { treeDir } from "../support/helpers";

/** The fixture written out as a checkout. */
const checkout = (files: Record<string, string>): string => treeDir("alloy-code", files);

const WRITE = "internal/component/demo/write/write.go";
/** `<file>:<line>` of the first line of a fixture file holding a needle. */
const at = (needle: string, file = WRITE) =>
  `${file}:${ALLOY_CODE_FIXTURE[file].split("\n").findIndex((l) => l.includes(needle)) + 1}`;

describe("upstream/refresh/alloyCode: Alloy's registry read from its Go code", () => {
  const code = alloyCode(checkout(ALLOY_CODE_FIXTURE));
  const type = (id: string | null) => code.types[id!];

  it("reads the build the image runs from the Dockerfile (GO_TAGS), with cgo on", () => {
    assert.deepEqual(code.build, {
      goos: "linux",
      goarch: "amd64",
      tags: ["cgo", "netgo", "promtail_journal_enabled"],
      source: "Dockerfile:2",
    });
  });

  it("registers the components of the packages main.go links, for that build, and no other", () => {
    assert.deepEqual(Object.keys(code.components), ["demo.community", "demo.journal", "demo.write"]);
    assert.equal(
      code.components["demo.journal"].stability,
      "generally-available",
      "journal.go, not the stub",
    );
    assert.equal(code.components["demo.write"].stability, "public-preview", "a Name given by a constant");
    assert.equal(code.components["demo.write"].source, at("component.Register("));
    assert.deepEqual(code.components["demo.community"], {
      stability: "undefined",
      community: true,
      args: "internal/component/demo/community.Arguments",
      exports: [],
      source: "internal/component/demo/community/community.go:4",
    });
    assert.deepEqual(code.components["demo.write"].exports, ["receiver"]);
  });

  it("reads an Args type's tags: attributes, blocks, squash, enums, repeats and what it does not look into", () => {
    const args = type(code.components["demo.write"].args);
    assert.deepEqual(Object.keys(args.attributes), ["url", "suffix", "bearer_token"], "squash inlines");
    assert.deepEqual(args.attributes.url, { required: true, source: at('`alloy:"url,attr"`') });
    assert.equal(args.attributes.suffix.required, false);
    assert.deepEqual(
      Object.fromEntries(Object.entries(args.blocks).map(([n, b]) => [n, [b.required, b.repeat, b.type]])),
      {
        endpoint: [true, "many", "internal/component/demo/write.EndpointOptions"],
        tls_config: [false, "once", "internal/component/common/config.TLSConfig"],
        pair: [false, 2, "internal/component/demo/write.Pair"],
        extra: [false, "once", null],
        remote: [false, "once", null],
        rule: [false, "many", "internal/component/demo/write.Rule"],
      },
    );
    assert.deepEqual(args.enums, {
      stage: { type: "internal/component/demo/write.Stage", source: at('alloy:"stage,enum') },
    });
    const match = type(type("internal/component/demo/write.Stage").blocks.match.type);
    assert.deepEqual(
      match.enums?.stage.type,
      "internal/component/demo/write.Stage",
      "an enum inside its own member",
    );
    assert.deepEqual(Object.keys(type("internal/component/demo/write.Rule").attributes), ["target"]);
    assert.ok(!JSON.stringify(code).includes("commented"), "a tag in a comment is no tag");
  });

  it("reads the configuration blocks validate.go types, those it keeps out of the root, and the services", () => {
    assert.deepEqual(Object.keys(code.config_blocks), [
      "argument",
      "declare",
      "foreach",
      "http",
      "logging",
      "ui",
    ]);
    assert.equal(code.config_blocks.argument.root, "forbidden");
    assert.equal(code.config_blocks.foreach.stability, "experimental");
    assert.equal(code.config_blocks.foreach.template, "template");
    assert.deepEqual(Object.keys(type(code.config_blocks.foreach.args).attributes), ["collection", "var"]);
    assert.equal(code.config_blocks.ui.configurable, false);
    assert.deepEqual(Object.keys(type(code.config_blocks.http.args).blocks), ["tls"]);
    assert.equal(code.config_blocks.logging.source, "internal/validator/validate.go:11");
  });

  it("reads the standard library: functions, objects, experimental and deprecated names", () => {
    assert.deepEqual(Object.keys(code.stdlib.functions), ["array.group_by", "coalesce", "env", "sys.env"]);
    assert.deepEqual(Object.keys(code.stdlib.objects.constants), ["hostname"]);
    assert.deepEqual(Object.keys(code.stdlib.experimental), ["array.group_by"]);
    assert.deepEqual(Object.keys(code.stdlib.deprecated), ["env"]);
  });

  /** The fixture with demo.write's Arguments' `hidden` field line replaced by others, and files added. */
  const withArgs = (lines: string[], files: Record<string, string> = {}) =>
    checkout({
      ...ALLOY_CODE_FIXTURE,
      ...files,
      [WRITE]: ALLOY_CODE_FIXTURE[WRITE].replace("\thidden    string\n", lines.map((l) => `${l}\n`).join("")),
    });

  it("inlines the fields of a squashed defined type, whose kind is struct (syntaxtags.go:231-238)", () => {
    const types = "internal/component/common/config/types.go";
    const text = [
      ALLOY_CODE_FIXTURE[types],
      "type ProxyConfig proxyFields",
      "",
      "type proxyFields struct {",
      '\tURL string `alloy:"proxy_url,attr,optional"`',
      "}",
      "",
    ].join("\n");
    const dir = withArgs(['\tProxy     commoncfg.ProxyConfig         `alloy:",squash"`'], { [types]: text });
    const args = alloyCode(dir).types["internal/component/demo/write.Arguments"];
    assert.deepEqual(Object.keys(args.attributes), ["url", "suffix", "bearer_token", "proxy_url"]);
    const line = text.split("\n").findIndex((l) => l.includes("proxy_url")) + 1;
    assert.equal(args.attributes.proxy_url.source, `${types}:${line}`);
  });

  it("stops at an embedded field of an Args type, naming it, where Alloy's decoder would panic", () => {
    assert.throws(
      () => alloyCode(withArgs(["\tcommoncfg.TLSConfig"])),
      new RegExp(
        `^Error: alloy: Arguments \\(${at("type Arguments struct")}\\) embeds commoncfg\\.TLSConfig \\(${WRITE}:\\d+\\); expected only named fields, as Alloy's syntax decoder panics on an embedded one \\(syntax/internal/syntaxtags/syntaxtags\\.go "anonymous fields not supported"\\)$`,
      ),
    );
  });

  it("stops at a squash of a struct it cannot read, whose arguments would otherwise be missing", () => {
    assert.throws(
      () => alloyCode(withArgs(['\tRemote2   model.LabelSet             `alloy:",squash"`'])),
      /^Error: alloy: Arguments\.Remote2 \(internal\/component\/demo\/write\/write\.go:\d+\) squashes model\.LabelSet; expected a struct of Alloy's, found none this reader reads, so its arguments would be missing$/,
    );
  });

  it("refuses a checkout whose Dockerfile names no GO_TAGS", () => {
    assert.throws(
      () => alloyCode(checkout({ ...ALLOY_CODE_FIXTURE, Dockerfile: "FROM x\n" })),
      /expected GO_TAGS="\.\.\." in the checkout's Dockerfile, found none/,
    );
  });
});

describe("upstream/refresh/goSource: what go build compiles", () => {
  const linux: GoBuild = { goos: "linux", goarch: "arm64", tags: ["cgo", "netgo"] };

  it("judges //go:build expressions as go build does", () => {
    assert.equal(constraintHolds("linux && (arm64 || amd64)", linux), true);
    assert.equal(constraintHolds("!(linux && (arm64 || amd64))", linux), false);
    assert.equal(constraintHolds("unix && !windows", linux), true);
    assert.equal(constraintHolds("linux && cgo && promtail_journal_enabled", linux), false);
    assert.equal(constraintHolds("go1.21 && gc", linux), true);
  });

  it("leaves out tests, other systems' and architectures' files, and files whose constraint fails", () => {
    const pkg = "package x\n";
    assert.equal(fileInBuild("a.go", pkg, linux), true);
    assert.equal(fileInBuild("a_test.go", pkg, linux), false);
    assert.equal(fileInBuild("a_windows.go", pkg, linux), false);
    assert.equal(fileInBuild("a_linux.go", pkg, linux), true);
    assert.equal(fileInBuild("a_amd64.go", pkg, linux), false);
    assert.equal(fileInBuild("a_linux_arm64.go", pkg, linux), true);
    assert.equal(fileInBuild("a.go", `//go:build windows\n\n${pkg}`, linux), false);
    assert.equal(
      fileInBuild("a.go", `${pkg}\n//go:build windows\n`, linux),
      true,
      "only before the package clause",
    );
  });

  it("blanks comments, keeping lines and strings", () => {
    const text = 'a := "// not a comment" // gone\n/* gone\ngone */ b := `/* kept */`\n';
    const out = blankComments(text);
    assert.equal(out.split("\n").length, text.split("\n").length);
    assert.ok(out.includes('"// not a comment"') && out.includes("`/* kept */`"));
    assert.ok(!out.includes("gone"));
  });
});
