/**
 * prometheus-operator's flags refreshed from a checkout (upstream/refresh/prometheusOperator.ts):
 * what its binary registers from `parseFlags` down, the package functions it calls and the
 * feature gates `cfg` registers, each with its kind and place; the committed data is what the
 * process-args check and the operator's scope read.
 */
import { strict as assert } from "assert";
import { refreshPrometheusOperator } from "../../upstream/refresh/prometheusOperator";
import { prometheusOperatorFlags, prometheusOperatorGates } from "../../upstream/prometheusOperatorScope";
import { treeDir } from "../support/helpers";

const MAIN = `package main

import (
\t"flag"
\t"time"

\t"github.com/prometheus-operator/prometheus-operator/pkg/operator"
\t"github.com/prometheus-operator/prometheus-operator/pkg/server"
)

var (
\tcfg = operator.DefaultConfig()

\tkubeletSelector operator.LabelSelector
)

func parseFlags(fs *flag.FlagSet) {
\tserver.RegisterFlags(fs, &serverConfig)
\tfs.StringVar(&impersonateUser, "as", "", "Username to impersonate.")
\tfs.BoolVar(&tlsInsecure, "tls-insecure", false, "Don't verify.")
\tfs.Var(&kubeletSelector, "kubelet-selector", "Label selector.")
\tfs.Var(&cfg.ReloaderConfig.CPURequests, "config-reloader-cpu-request", "CPU.")
\tfs.DurationVar(&period, "kubelet-sync-period", time.Minute, "Period.")
\tcfg.RegisterFeatureGatesFlags(fs, featureGates)
\t_ = fs.Parse(os.Args[1:])
}
`;
/** The types main.go's Vars set, each with its Set, as pkg/operator/config.go declares them. */
const TYPES = `package operator

type Config struct {
\tReloaderConfig ContainerConfig
}

type ContainerConfig struct {
\tCPURequests Quantity \`hash:"string"\`
}

type Quantity struct {
\tq string
}

func (q *Quantity) Set(value string) error {
\treturn nil
}

type LabelSelector string

func (ls *LabelSelector) Set(value string) error {
\treturn nil
}
`;
const GO_MOD = `module github.com/prometheus-operator/prometheus-operator

go 1.26.0

require (
\tk8s.io/component-base v0.36.3
)
`;
const SERVER = `package server

func RegisterFlags(fs *flag.FlagSet, c *Config) {
\tfs.StringVar(&c.ListenAddress, "web.listen-address", ":8080", "Address.")
\tfs.BoolVar(&c.EnableHTTP2, "web.enable-http2", false, "HTTP/2.")
}
`;
const CONFIG = `package operator

import k8sflag "k8s.io/component-base/cli/flag"

func (c *Config) RegisterFeatureGatesFlags(fs *flag.FlagSet, flags *k8sflag.MapStringBool) {
\tfs.Var(
\t\tflags,
\t\t"feature-gates",
\t\t"Feature gates.",
\t)
}
`;
const GATES = `package operator

const (
\tAlphaFeature FeatureGateName = "Alpha"

\tBetaFeature FeatureGateName = "Beta"
)
`;
/** The default config's Gates map, as pkg/operator/config.go writes it. */
const DEFAULTS = `
func DefaultConfig() Config {
\treturn Config{
\t\tGates: &FeatureGates{
\t\t\tBetaFeature: FeatureGate{
\t\t\t\tdescription: "b",
\t\t\t\tenabled:     true,
\t\t\t},
\t\t\tAlphaFeature: FeatureGate{
\t\t\t\tdescription: "a",
\t\t\t\tenabled:     false,
\t\t\t},
\t\t},
\t\tRepairPolicy: NoneRepairPolicy,
\t}
}
`;

/** A default config without the Gates map. */
const NO_GATES = `
func DefaultConfig() Config {
\treturn Config{}
}
`;

describe("upstream/refresh: prometheus-operator's flags from a checkout of its source", () => {
  it("lists every flag its binary registers, from parseFlags down and the feature gates, with kind and place", () => {
    const dir = treeDir("po", {
      "go.mod": GO_MOD,
      "pkg/operator/types.go": TYPES,
      "cmd/operator/main.go": MAIN,
      "pkg/server/server.go": SERVER,
      "pkg/operator/config.go": CONFIG + DEFAULTS,
      "pkg/operator/feature_gates.go": GATES,
    });
    const out = refreshPrometheusOperator(dir, { tag: "v9.8.7", commit: "abc" });
    assert.equal(out.area, "operators");
    assert.equal(out.folder, "prometheus-operator-9.8.7");
    const [source, header, ...rows] = out.files["flags.tsv"].trimEnd().split("\n");
    assert.match(source, /^# source: prometheus-operator\/prometheus-operator v9\.8\.7 \(abc\): /);
    assert.equal(header, "flag\tkind\ttype\tset\tsource");
    // Each flag's Go type: Go's own by the method (set by Go's flag package), a Var's by its variable
    // (a typed package variable, a field of a function's result, a parameter) with its Set, or the
    // module go.mod requires for another module's type.
    assert.deepEqual(rows, [
      "as\tvalue\tstring\tflag\tcmd/operator/main.go:19",
      "config-reloader-cpu-request\tvalue\toperator.Quantity\tpkg/operator/types.go:15\tcmd/operator/main.go:22",
      "feature-gates\tvalue\tk8s.io/component-base/cli/flag.MapStringBool\tk8s.io/component-base@v0.36.3\tpkg/operator/config.go:6",
      "kubelet-selector\tvalue\toperator.LabelSelector\tpkg/operator/types.go:21\tcmd/operator/main.go:21",
      "kubelet-sync-period\tvalue\ttime.Duration\tflag\tcmd/operator/main.go:23",
      "tls-insecure\tbool\tbool\tflag\tcmd/operator/main.go:20",
      "web.enable-http2\tbool\tbool\tflag\tpkg/server/server.go:5",
      "web.listen-address\tvalue\tstring\tflag\tpkg/server/server.go:4",
    ]);
    // A Var whose variable's type is not read, and a type without a Set, are said, not guessed.
    const without = (main: string, types = TYPES) =>
      refreshPrometheusOperator(
        treeDir("po-types", {
          "go.mod": GO_MOD,
          "pkg/operator/types.go": types,
          "cmd/operator/main.go": main,
          "pkg/server/server.go": SERVER,
          "pkg/operator/config.go": CONFIG + DEFAULTS,
          "pkg/operator/feature_gates.go": GATES,
        }),
        { tag: "v9.8.7" },
      );
    assert.throws(
      () => without(MAIN.replace("fs.Var(&kubeletSelector", "fs.Var(&undeclared")),
      /cmd\/operator\/main\.go:21: the type of &undeclared is not read here/,
    );
    assert.throws(
      () => without(MAIN, TYPES.replace("(ls *LabelSelector) Set", "(ls *LabelSelector) Sett")),
      /cmd\/operator\/main\.go:21: pkg\/operator\.LabelSelector has no Set method in the checkout/,
    );
  });

  it("lists the feature gates of the default config's Gates map, each by its constant's name, with its default and place", () => {
    const files = {
      "go.mod": GO_MOD,
      "pkg/operator/types.go": TYPES,
      "cmd/operator/main.go": MAIN,
      "pkg/server/server.go": SERVER,
      "pkg/operator/feature_gates.go": GATES,
    };
    const out = refreshPrometheusOperator(
      treeDir("po-gates", { ...files, "pkg/operator/config.go": CONFIG + DEFAULTS }),
      {
        tag: "v9.8.7",
      },
    );
    const [source, header, ...rows] = out.files["gates.tsv"].trimEnd().split("\n");
    assert.match(source, /^# source: prometheus-operator\/prometheus-operator v9\.8\.7: the feature gates /);
    assert.equal(header, "gate\tdefault\tsource");
    assert.deepEqual(rows, [
      "Alpha\tfalse\tpkg/operator/feature_gates.go:4",
      "Beta\ttrue\tpkg/operator/feature_gates.go:6",
    ]);
    // A gate whose constant the names file lacks, and a config without the map, are said, not skipped.
    assert.throws(
      () =>
        refreshPrometheusOperator(
          treeDir("po-gates-x", {
            ...files,
            "pkg/operator/config.go": CONFIG + DEFAULTS.replace("BetaFeature:", "GammaFeature:"),
          }),
          { tag: "v9.8.7" },
        ),
      /GammaFeature \(pkg\/operator\/config\.go:\d+\) names no FeatureGateName constant/,
    );
    assert.throws(
      () =>
        refreshPrometheusOperator(
          treeDir("po-gates-none", { ...files, "pkg/operator/config.go": CONFIG + NO_GATES }),
          {
            tag: "v9.8.7",
          },
        ),
      /expected the default Gates: &FeatureGates\{ map in pkg\/operator\/config\.go, found none/,
    );
  });

  it("refuses a checkout without the operator's main, and a tag that is no release", () => {
    assert.throws(
      () => refreshPrometheusOperator(treeDir("po-empty", { "pkg/x.go": "package x\n" }), { tag: "v1.0.0" }),
      /expected cmd\/operator\/main\.go in .*, found none/,
    );
    assert.throws(
      () => refreshPrometheusOperator(treeDir("po-tag", {}), { tag: "main" }),
      /expected a tag like v0\.93\.0/,
    );
  });

  it("the committed data of the pinned release holds the flags the operator declares, kinds as Go takes them", () => {
    const { flags, sources } = prometheusOperatorFlags();
    assert.equal(Object.keys(flags).length, 59);
    assert.equal(flags["log-level"], "value");
    assert.equal(sources["log-level"], "internal/log/log.go:48");
    assert.equal(flags["web.enable-tls"], "bool");
    assert.equal(sources["feature-gates"], "pkg/operator/config.go:127");
    // The types each value is judged by (read at v0.93.0: cmd/operator/main.go:161, 149, 153, 195).
    const { types } = prometheusOperatorFlags();
    assert.deepEqual(types["config-reloader-cpu-request"], {
      type: "operator.Quantity",
      set: "pkg/operator/config.go:184",
    });
    assert.deepEqual(types["kubelet-selector"], {
      type: "operator.LabelSelector",
      set: "pkg/operator/config.go:330",
    });
    assert.deepEqual(types["kubelet-sync-period"], { type: "time.Duration", set: "flag" });
    assert.deepEqual(types["auto-gomemlimit-ratio"], { type: "float64", set: "flag" });
    // The v0.93.0 binary's --help lists these five gates.
    assert.deepEqual(prometheusOperatorGates(), [
      "PrometheusAgentDaemonSet",
      "PrometheusShardRetentionPolicy",
      "PrometheusTopologySharding",
      "RemoteWriteCustomResourceDefinition",
      "StatusForConfigurationResources",
    ]);
  });
});
