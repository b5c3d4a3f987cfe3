import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { referenceDataDir } from "../../upstream/reference";
import {
  checkEngineFlags,
  ENGINE_REFERENCES,
  engineDeclaredFlags,
  loadEngineReference,
  LOKI_FLAGS_FILE,
  type EngineReference,
} from "../../upstream/engines/references";
import { goDeclaredFlags } from "../../upstream/refresh/goFlags";
import { treeDir } from "../support/helpers";

/** flags.tsv's rows: flag, kind, found, source (the `#` line and the header left out). */
function flagRows(): { flag: string; kind: string; found: string; source: string }[] {
  const text = fs.readFileSync(
    path.join(referenceDataDir("engines", ENGINE_REFERENCES.loki), LOKI_FLAGS_FILE),
    "utf8",
  );
  const [header, ...lines] = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assert.deepEqual(header.split("\t"), ["flag", "kind", "found", "source"]);
  return lines.map((l) => {
    const [flag, kind, found, source] = l.split("\t");
    return { flag, kind, found, source };
  });
}

/** The errors on `args`, of a process meant to exit (a Job's: -verify-config is no mistake there). */
const refused = (ref: EngineReference, args: string[]) =>
  checkEngineFlags(ref, args, undefined, false).filter((p) => p.severity === "error");

describe("upstream/engines/references: the flags Loki 3.7.6 declares beyond its keys' (flags.tsv)", function () {
  let loki: EngineReference;
  before(function () {
    loki = loadEngineReference("loki");
  });

  it("every flag flags.tsv holds is declared, as Go takes its kind, and none is a key's flag too", () => {
    const rows = flagRows();
    assert.ok(rows.length > 0);
    const declared = engineDeclaredFlags(loki);
    for (const r of rows) {
      assert.match(r.kind, /^(bool|value)$/, r.flag);
      assert.match(r.found, /^(reference|call|unresolved)$/, r.flag);
      // Where it is registered: a Go file of the tag, and its line.
      assert.match(r.source, /^(pkg|vendor)\/[\w./-]+\.go:\d+$/, r.flag);
      if (r.found === "unresolved") continue;
      assert.ok(
        (!loki.fields.get(r.flag) && !loki.flags.has(r.flag)) || r.flag === "legacy-read-mode",
        r.flag,
      );
      assert.equal(declared[r.flag], r.kind, r.flag);
      // Given with a value (a boolean's as `=true`), Loki takes it; bare, a boolean leaves the next
      // argument a flag and a value flag takes it.
      assert.deepEqual(
        refused(loki, [`-${r.flag}=${r.kind === "bool" ? "true" : "x"}`, "-target=all"]),
        [],
        r.flag,
      );
      const bare = checkEngineFlags(loki, [`-${r.flag}`, "-target=all"], undefined, false);
      assert.deepEqual(
        bare.filter((p) => /has no flag|refuses/.test(p.message)),
        [],
        r.flag,
      );
    }
  });

  it("a flag of a hidden field or registered beside the config is not refused; a misspelt one still is", () => {
    // One of each family the reference left out (each a row of flags.tsv, not restated here).
    const families = [
      /^compactor\.run-once$/,
      /^internal-server\./,
      /^ruler\.ring\.instance-/,
      /^compactor\.client\.tls-/,
      /^schema-config-file$/,
    ];
    const rows = flagRows();
    for (const family of families) {
      const row = rows.find((r) => family.test(r.flag));
      assert.ok(row, `flags.tsv has a flag matching ${String(family)}`);
      const arg = `-${row.flag}=${row.kind === "bool" ? "true" : "x"}`;
      assert.deepEqual(refused(loki, [arg]), [], arg);
    }
    assert.deepEqual(refused(loki, ["-compactor.run-once=true"]), []);
    assert.match(
      refused(loki, ["-compactor.run-onc=true"])[0]?.message ?? "",
      /^Loki 3\.7\.6 has no flag -compactor\.run-onc .*; did you mean -compactor\.run-once\?$/,
    );
    assert.match(refused(loki, ["-internal-server.enabled=true"])[0]?.message ?? "", /has no flag/);
  });

  it("a flag under a prefix the refresh could not resolve is a warning, taken as its registration's kind", () => {
    const source = "pkg/x/config.go:9 (loki-3.7.6/flags.tsv)";
    const ref: EngineReference = { ...loki, flagTails: [{ tail: ".x-enabled", kind: "bool", source }] };
    const problems = checkEngineFlags(ref, ["-some.where.x-enabled", "-target=all"]);
    assert.deepEqual(
      problems.map((p) => [p.path, p.severity]),
      [["-some.where.x-enabled", "warning"]],
    );
    assert.match(
      problems[0].message,
      /registers <prefix>\.x-enabled under a prefix its reference does not resolve/,
    );
    // The tail alone is no flag: nothing before it to be the prefix.
    assert.match(refused(ref, ["-x-enabled=true"])[0]?.message ?? "", /has no flag -x-enabled/);
  });
});

describe("upstream/refresh/goFlags: the flags a program registers beyond its reference, read in its Go source", () => {
  const go = (lines: string[]) => lines.join("\n");
  const dir = () =>
    treeDir("goflags", {
      "pkg/loki/config_wrapper.go": go([
        "package loki",
        'import "github.com/x/mod/pkg/ring"',
        'import "github.com/x/mod/pkg/server"',
        "type ConfigWrapper struct {",
        '\tConfig `yaml:",inline"`',
        "}",
        "type Config struct {",
        '\tRuler ring.Config `yaml:"ruler"`',
        '\tInternal server.Config `yaml:"internal_server" doc:"hidden"`',
        '\tCompactor ring.Compactor `yaml:"compactor"`',
        '\tOther ring.Other `yaml:"other"`',
        "}",
        "func (c *ConfigWrapper) RegisterFlags(f *flag.FlagSet) {",
        '\tf.BoolVar(&c.Verify, "verify-config", false, "")',
        "\tc.Config.RegisterFlags(f)",
        "}",
        "func (c *Config) RegisterFlags(f *flag.FlagSet) {",
        '\tc.Ruler.RegisterFlagsWithPrefix("ruler.", f)',
        "\tc.Compactor.RegisterFlags(f)",
        // A prefix computed at run time: not read.
        "\tc.Other.RegisterFlagsWithPrefix(c.otherPrefix(), f)",
        "\tc.registerCopied(f)",
        "}",
        "func (c *Config) registerCopied(fs *flag.FlagSet) {",
        '\tthrowaway := flag.NewFlagSet("throwaway", flag.PanicOnError)',
        "\tc.Internal.RegisterFlags(throwaway)",
        "\tthrowaway.VisitAll(func(f *flag.Flag) {",
        "\t\tfs.Var(f.Value, f.Name, f.Usage)",
        "\t})",
        "}",
      ]),
      "pkg/ring/ring.go": go([
        "package ring",
        "type Config struct {",
        '\tStore string `yaml:"store"`',
        '\tPrefix string `yaml:"prefix"`',
        '\tInstanceAddr string `yaml:"instance_addr" doc:"hidden"`',
        "}",
        "func (cfg *Config) RegisterFlagsWithPrefix(prefix string, f *flag.FlagSet) {",
        '\tf.StringVar(&cfg.Store, prefix+"ring.store", "", "")',
        '\tf.StringVar(&cfg.Prefix, prefix+"ring.prefix", "", "")',
        '\tf.StringVar(&cfg.InstanceAddr, prefix+"ring.instance-addr", "", "")',
        "}",
        "type Compactor struct {",
        '\tDir string `yaml:"dir"`',
        '\tRunOnce bool `yaml:"run_once" doc:"hidden"`',
        '\tClient TLS `yaml:"client"`',
        "}",
        "func (cfg *Compactor) RegisterFlags(f *flag.FlagSet) {",
        '\tprefix := "compactor."',
        '\tf.StringVar(&cfg.Dir, prefix+"dir", "", "")',
        '\tf.BoolVar(&cfg.RunOnce, prefix+"run-once", false, "")',
        '\tcfg.Client.RegisterFlagsWithPrefix(prefix+"client.", f)',
        "}",
        "type Other struct {",
        '\tA string `yaml:"a"`',
        '\tHidden bool `yaml:"hidden" doc:"hidden"`',
        "}",
        "func (cfg *Other) RegisterFlagsWithPrefix(prefix string, f *flag.FlagSet) {",
        '\tf.StringVar(&cfg.A, prefix+".a", "", "")',
        '\tf.BoolVar(&cfg.Hidden, prefix+".hidden", false, "")',
        "}",
        "type TLS struct {",
        '\tCA string `yaml:"ca"`',
        "}",
        // dskit crypto/tls/tls.go:53-54: the prefix without its trailing dots.
        "func (cfg *TLS) RegisterFlagsWithPrefix(prefix string, f *flag.FlagSet) {",
        '\tprefix = strings.TrimRight(prefix, ".")',
        '\tf.StringVar(&cfg.CA, prefix+".tls-ca-path", "", "")',
        "}",
      ]),
      "pkg/server/server.go": go([
        "package server",
        "type Config struct {",
        '\tEnable bool `yaml:"enable"`',
        "}",
        "func (cfg *Config) RegisterFlags(f *flag.FlagSet) {",
        '\tf.BoolVar(&cfg.Enable, "internal-server.enable", false, "")',
        "}",
      ]),
      // Another program's flags: nothing of the program registers them.
      "pkg/querytee/proxy.go": go([
        "package querytee",
        "func (cfg *ProxyConfig) RegisterFlags(f *flag.FlagSet) {",
        '\tf.StringVar(&cfg.Port, "server.service-port", "", "")',
        "}",
      ]),
    });

  it("from the root down: a hidden field's flag under its siblings' prefix, a caller's prefix (trimmed as the callee trims it), a copied FlagSet; not another program's", () => {
    const documented = new Set(["ruler.ring.store", "ruler.ring.prefix", "compactor.dir"]);
    const flags = goDeclaredFlags(dir(), ["pkg"], "github.com/x/mod", documented, {
      dir: "pkg/loki",
      name: "ConfigWrapper.RegisterFlags",
    });
    assert.deepEqual(
      flags.map((f) => [f.flag, f.kind, f.found, f.source]),
      [
        ["<prefix>.hidden", "bool", "unresolved", "pkg/ring/ring.go:29"],
        ["compactor.client.tls-ca-path", "value", "call", "pkg/ring/ring.go:36"],
        ["compactor.run-once", "bool", "reference", "pkg/ring/ring.go:20"],
        ["internal-server.enable", "bool", "call", "pkg/server/server.go:6"],
        ["ruler.ring.instance-addr", "value", "reference", "pkg/ring/ring.go:10"],
        ["verify-config", "bool", "call", "pkg/loki/config_wrapper.go:14"],
      ],
    );
  });

  it("without its root the refresh stops, naming it", () => {
    assert.throws(
      () =>
        goDeclaredFlags(dir(), ["pkg"], "github.com/x/mod", new Set(), {
          dir: "pkg/loki",
          name: "Nope.RegisterFlags",
        }),
      /expected Nope\.RegisterFlags in pkg\/loki/,
    );
  });
});
