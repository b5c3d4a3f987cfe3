/**
 * node_exporter's flags refreshed from its module (upstream/refresh/nodeExporter.ts): every
 * kingpin flag the linux binary registers, the collector switches, the flags of the exporter-toolkit
 * and promslog AddFlags main calls, --version and -h, each with its kind and place; the committed
 * data is what the process-args check reads, and the v1.10.2 binary's --help-long lists the same.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  cachedTree,
  nodeExporterCheckoutModules,
  nodeExporterModules,
  nodeExporterRefreshed,
  refreshNodeExporter,
  type GoTree,
} from "../../upstream/refresh/nodeExporter";
import { nodeExporterFlags } from "../../upstream/exporters/nodeExporter";
import { projectRoot } from "../../upstream/reference";
import { treeDir } from "../support/helpers";
import { underCi } from "../../config/ci";
import { ensureModule, type GoModule } from "../../upstream/refresh/goModule";

const tree = (files: Record<string, string>): GoTree =>
  new Map(Object.entries(files).map(([rel, text]) => [rel, () => text]));

const SUM = (c: string) => `h1:${c.repeat(43)}=`;
const GO_MOD = `module github.com/prometheus/node_exporter

go 1.24.0

require (
\tgithub.com/alecthomas/kingpin/v2 v2.4.0
\tgithub.com/prometheus/common v0.9.1
\tgithub.com/prometheus/exporter-toolkit v0.8.2
)
`;
const GO_SUM = [
  `github.com/prometheus/common v0.9.1 ${SUM("a")}`,
  `github.com/prometheus/common v0.9.1/go.mod ${SUM("b")}`,
  `github.com/prometheus/exporter-toolkit v0.8.2 ${SUM("c")}`,
  "",
].join("\n");

const MAIN = `package main

import (
\t"github.com/alecthomas/kingpin/v2"
\t"github.com/prometheus/common/promslog/flag"
\t"github.com/prometheus/exporter-toolkit/web/kingpinflag"

\t"github.com/prometheus/node_exporter/collector"
)

func main() {
\tvar (
\t\tmetricsPath = kingpin.Flag(
\t\t\t"web.telemetry-path",
\t\t\t"Path (under which)",
\t\t).Default("/metrics").String()
\t\tmaxProcs = kingpin.Flag("runtime.gomaxprocs", "CPUs").Envar("GOMAXPROCS").Default("1").Int()
\t\ttoolkitFlags = kingpinflag.AddFlags(kingpin.CommandLine, ":9100")
\t)
\tflag.AddFlags(kingpin.CommandLine, promslogConfig)
\tkingpin.Version(version.Print("node_exporter"))
\tkingpin.HelpFlag.Short('h')
\tkingpin.Parse()
}
`;
const COLLECTOR = `package collector

import "github.com/alecthomas/kingpin/v2"

func registerCollector(collector string, isDefaultEnabled bool, factory func() Collector) {
\tflagName := fmt.Sprintf("collector.%s", collector)
\tflag := kingpin.Flag(flagName, flagHelp).Default(defaultValue).Action(collectorFlagAction(collector)).Bool()
\tcollectorState[collector] = flag
}
`;
const SOCKSTAT = `//go:build !nosockstat

package collector

const sockStatSubsystem = "sockstat"

func init() {
\tregisterCollector(sockStatSubsystem, defaultEnabled, NewSockStatCollector)
}
`;
const TEXTFILE = `package collector

var (
\ttextFileDirectories = kingpin.Flag("collector.textfile.directory", "Dirs").Default("").Strings()
\told = kingpin.Flag(
\t\t"collector.textfile.old",
\t\t"DEPRECATED",
\t).Hidden().PreAction(func(c *kingpin.ParseContext) error {
\t\treturn nil
\t}).String()
)

func init() {
\tregisterCollector("textfile", defaultEnabled, NewTextFileCollector)
}
`;
/** Compiled for neither linux build: by its name, and by its constraint. */
const DARWIN = `package collector

func init() { registerCollector("thermal", defaultEnabled, NewThermCollector) }
`;
const BSD = `//go:build (freebsd || darwin) && !noboottime

package collector

var bsdOnly = kingpin.Flag("collector.bsd-only", "x").Bool()
`;
/** A program of the module that the binary does not import. */
const TOOL = `package main

var toolFlag = kingpin.Flag("tool.flag", "x").String()
`;
const TOOLKIT = `package kingpinflag

func AddFlags(a flagGroup, defaultAddress string) *web.FlagConfig {
\tsystemdSocket := func() *bool { b := false; return &b }()
\tif runtime.GOOS == "linux" {
\t\tsystemdSocket = a.Flag(
\t\t\t"web.systemd-socket",
\t\t\t"Linux only",
\t\t).Bool()
\t}
\tflags := web.FlagConfig{
\t\tWebListenAddresses: a.Flag("web.listen-address", "Addresses").Default(defaultAddress).Strings(),
\t}
\treturn &flags
}
`;
const PROMSLOG = `package flag

import (
\t"github.com/alecthomas/kingpin/v2"
\t"github.com/prometheus/common/promslog"
)

const LevelFlagName = "log.level"

func AddFlags(a *kingpin.Application, config *promslog.Config) {
\ta.Flag(LevelFlagName, LevelFlagHelp).
\t\tDefault("info").HintOptions(promslog.LevelFlagOptions...).
\t\tSetValue(config.Level)
}
`;

/** promslog's Config, whose Level field's type has the Set the log level is parsed by. */
const SLOG = `package promslog

type Config struct {
\tLevel  *Level
\tFormat *Format
}

type Level struct {
\ts string
}

func (l *Level) Set(s string) error {
\treturn nil
}
`;

const MODULE = {
  "go.mod": GO_MOD,
  "go.sum": GO_SUM,
  "node_exporter.go": MAIN,
  "collector/collector.go": COLLECTOR,
  "collector/sockstat_linux.go": SOCKSTAT,
  "collector/textfile.go": TEXTFILE,
  "collector/thermal_darwin.go": DARWIN,
  "collector/boot_time_bsd.go": BSD,
  "tools/main.go": TOOL,
};
const DEPS = new Map([
  ["github.com/prometheus/exporter-toolkit", tree({ "web/kingpinflag/flag.go": TOOLKIT })],
  ["github.com/prometheus/common", tree({ "promslog/flag/flag.go": PROMSLOG, "promslog/slog.go": SLOG })],
]);
const rowsOf = (files: Record<string, string>) => {
  const [source, header, ...rows] = nodeExporterRefreshed(tree(files), { tag: "v9.8.7" }, DEPS)
    .files["flags.tsv"].trimEnd()
    .split("\n");
  return { source, header, rows };
};

describe("upstream/refresh: node_exporter's flags from its module and the modules its go.mod pins", () => {
  it("lists every flag the linux binary registers, with its kind, hidden, short flag and place", () => {
    const { source, header, rows } = rowsOf(MODULE);
    assert.equal(
      source,
      "# source: prometheus/node_exporter v9.8.7 with github.com/prometheus/exporter-toolkit v0.8.2, github.com/prometheus/common v0.9.1: the flags its linux/amd64 and linux/arm64 builds register",
    );
    assert.equal(header, "flag\tkind\ttype\tset\thidden\tshort\tsource");
    const KP = "github.com/alecthomas/kingpin/v2@v2.4.0";
    assert.deepEqual(rows, [
      `collector.sockstat\tbool\tbool\t${KP}\tfalse\t-\tcollector/sockstat_linux.go:8`,
      `collector.textfile\tbool\tbool\t${KP}\tfalse\t-\tcollector/textfile.go:14`,
      `collector.textfile.directory\tcumulative\tstring\t${KP}\tfalse\t-\tcollector/textfile.go:4`,
      `collector.textfile.old\tvalue\tstring\t${KP}\ttrue\t-\tcollector/textfile.go:5`,
      `help\tbool\tbool\t${KP}\tfalse\th\tnode_exporter.go:22`,
      // SetValue(config.Level): the parameter's struct, its field's type, that type's Set.
      "log.level\tvalue\tpromslog.Level\tgithub.com/prometheus/common@v0.9.1/promslog/slog.go:12\tfalse\t-\tgithub.com/prometheus/common@v0.9.1/promslog/flag/flag.go:11",
      `runtime.gomaxprocs\tvalue\tint\t${KP}\tfalse\t-\tnode_exporter.go:17`,
      `version\tbool\tbool\t${KP}\tfalse\t-\tnode_exporter.go:21`,
      `web.listen-address\tcumulative\tstring\t${KP}\tfalse\t-\tgithub.com/prometheus/exporter-toolkit@v0.8.2/web/kingpinflag/flag.go:12`,
      `web.systemd-socket\tbool\tbool\t${KP}\tfalse\t-\tgithub.com/prometheus/exporter-toolkit@v0.8.2/web/kingpinflag/flag.go:6`,
      `web.telemetry-path\tvalue\tstring\t${KP}\tfalse\t-\tnode_exporter.go:13`,
    ]);
    // The modules it reads beside its own: go.mod's versions, go.sum's zip hashes (not the go.mod ones).
    assert.deepEqual(
      nodeExporterModules(tree(MODULE)).map((m) => [m.module, m.version, m.sum, m.packages]),
      [
        ["github.com/prometheus/exporter-toolkit", "v0.8.2", SUM("c"), ["web/kingpinflag"]],
        ["github.com/prometheus/common", "v0.9.1", SUM("a"), ["promslog/flag"]],
      ],
    );
  });

  it("refuses builds that register other flags, a chain it cannot tell the kind of, a flag registered twice", () => {
    assert.throws(
      () =>
        rowsOf({
          ...MODULE,
          "collector/only_arm64.go": `package collector\n\nvar a = kingpin.Flag("arm.only", "x").Bool()\n`,
        }),
      /the linux\/arm64 build registers other flags than linux\/amd64: arm\.only at collector\/only_arm64\.go:3/,
    );
    assert.throws(
      () =>
        rowsOf({
          ...MODULE,
          "collector/x.go": `package collector\n\nvar c = kingpin.Flag("x.count", "x").Counter()\n`,
        }),
      /the flag registered at collector\/x\.go:3 ends its chain with "Counter", a call the refresh does not know the kind of/,
    );
    // A Value whose type the refresh cannot read: no flag is written without the type it parses.
    assert.throws(
      () =>
        nodeExporterRefreshed(
          tree(MODULE),
          { tag: "v9.8.7" },
          new Map([...DEPS, ["github.com/prometheus/common", tree({ "promslog/flag/flag.go": PROMSLOG })]]),
        ),
      /the flag registered at github\.com\/prometheus\/common@v0\.9\.1\/promslog\/flag\/flag\.go:11 takes SetValue\(config\.Level\), whose parameter config's type promslog\.Config is no struct found in its package/,
    );
    assert.throws(
      () =>
        rowsOf({
          ...MODULE,
          "collector/y.go": `package collector\n\nfunc init() { registerCollector("textfile", true, nil) }\n`,
        }),
      /--collector\.textfile is registered twice \(collector\/textfile\.go:14 and collector\/y\.go:3\)/,
    );
    assert.throws(
      () => rowsOf({ ...MODULE, "go.sum": "" }),
      /go\.sum holds no h1: hash of github\.com\/prometheus\/exporter-toolkit v0\.8\.2/,
    );
  });

  it("refuses a checkout without node_exporter.go (before any download), and a tag that is no release", () => {
    const empty = treeDir("ne-empty", { "go.mod": GO_MOD, "go.sum": GO_SUM });
    assert.throws(
      () => refreshNodeExporter(empty, { tag: "v1.0.0" }),
      /expected node_exporter\.go in .*, found none/,
    );
    assert.throws(() => nodeExporterCheckoutModules(empty), /expected node_exporter\.go in .*, found none/);
    assert.throws(
      () => refreshNodeExporter(empty, { tag: "main" }),
      /expected a tag like v1\.10\.2, found "main"/,
    );
  });

  it("the committed data of v1.10.2: 177 flags, kinds as kingpin takes them, -h for --help", () => {
    const { flags, sources, shorts } = nodeExporterFlags();
    assert.equal(Object.keys(flags).length, 177);
    assert.equal(flags["collector.systemd"], "bool");
    assert.equal(sources["collector.systemd"], "collector/systemd_linux.go:87");
    assert.equal(flags["collector.textfile.directory"], "cumulative");
    assert.equal(flags["web.listen-address"], "cumulative");
    assert.equal(flags["collector.filesystem.mount-timeout"], "value");
    assert.deepEqual(shorts, { h: "help" });
    // The Go type each value is parsed as: kingpin's own Values, promslog's through SetValue.
    const { types } = nodeExporterFlags();
    const kingpin = "github.com/alecthomas/kingpin/v2@v2.4.0";
    assert.deepEqual(types["web.max-requests"], { type: "int", set: kingpin });
    assert.deepEqual(types["collector.ntp.max-distance"], { type: "time.Duration", set: kingpin });
    assert.deepEqual(types["log.level"], {
      type: "promslog.Level",
      set: "github.com/prometheus/common@v0.67.1/promslog/slog.go:101",
    });
  });

  it("the committed data is what the refresh makes of the v1.10.2 module and its pinned dependencies", async function () {
    // The module proxy's zips, held to go.sum's hashes (node_exporter's own: the checksum
    // database's line for github.com/prometheus/node_exporter v1.10.2), downloaded into the Go
    // module cache as the refresh does when absent. Offline, a loud skip; under CI a failure.
    const main: GoModule = {
      module: "github.com/prometheus/node_exporter",
      version: "v1.10.2",
      sum: "h1:H88cUFLuB8Jn/u2U3M4D5KYnae07LIm+0ZTcgoKEK54=",
      mount: "",
    };
    let module: GoTree;
    try {
      await ensureModule(main, "test/upstream/refreshNodeExporter.test.ts");
      module = cachedTree(main);
      for (const m of nodeExporterModules(module)) await ensureModule(m, "node_exporter v1.10.2's go.mod");
    } catch (e) {
      const why = `the Go modules of node_exporter v1.10.2 could not be had from the module proxy (${String(e).split("\n")[0]})`;
      if (underCi()) throw new Error(`${why}; CI needs them`);
      console.warn(`\n  !!! SKIPPING: ${why}; CI runs this test.\n`);
      this.skip();
    }
    const committed = path.join(projectRoot(), "upstream/exporters/data/node-exporter-1.10.2/flags.tsv");
    assert.equal(
      nodeExporterRefreshed(module, { tag: "v1.10.2" }).files["flags.tsv"],
      fs.readFileSync(committed, "utf8"),
    );
  });
});
