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

\t"github.com/prometheus-operator/prometheus-operator/pkg/server"
)

func parseFlags(fs *flag.FlagSet) {
\tserver.RegisterFlags(fs, &serverConfig)
\tfs.StringVar(&impersonateUser, "as", "", "Username to impersonate.")
\tfs.BoolVar(&tlsInsecure, "tls-insecure", false, "Don't verify.")
\tcfg.RegisterFeatureGatesFlags(fs, featureGates)
\t_ = fs.Parse(os.Args[1:])
}
`;
const SERVER = `package server

func RegisterFlags(fs *flag.FlagSet, c *Config) {
\tfs.StringVar(&c.ListenAddress, "web.listen-address", ":8080", "Address.")
\tfs.BoolVar(&c.EnableHTTP2, "web.enable-http2", false, "HTTP/2.")
}
`;
const CONFIG = `package operator

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

describe("upstream/refresh: prometheus-operator's flags from a checkout of its source", () => {
  it("lists every flag its binary registers, from parseFlags down and the feature gates, with kind and place", () => {
    const dir = treeDir("po", {
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
    assert.equal(header, "flag\tkind\tsource");
    assert.deepEqual(rows, [
      "as\tvalue\tcmd/operator/main.go:11",
      "feature-gates\tvalue\tpkg/operator/config.go:4",
      "tls-insecure\tbool\tcmd/operator/main.go:12",
      "web.enable-http2\tbool\tpkg/server/server.go:5",
      "web.listen-address\tvalue\tpkg/server/server.go:4",
    ]);
  });

  it("lists the feature gates of the default config's Gates map, each by its constant's name, with its default and place", () => {
    const files = {
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
        refreshPrometheusOperator(treeDir("po-gates-none", { ...files, "pkg/operator/config.go": CONFIG }), {
          tag: "v9.8.7",
        }),
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
