import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { refreshAlloy } from "../../upstream/refresh/alloy";
import { refreshReference } from "../../upstream/refresh/cli";
import { refreshLoki } from "../../upstream/refresh/loki";
import { refreshMimir } from "../../upstream/refresh/mimir";
import { ALLOY_CODE_FIXTURE } from "../support/alloyCodeFixture";
import { run, tmpDir, treeDir } from "../support/helpers";

/**
 * A directory laid out like an upstream checkout: path -> text. A Loki one (a configuration.md)
 * gets the function its flags are registered from (one flag), unless it has its own.
 */
const checkout = (files: Record<string, string>): string =>
  treeDir("checkout", {
    ...(files["docs/sources/shared/configuration.md"] !== undefined ? { [LOKI_WRAPPER]: EMPTY_WRAPPER } : {}),
    ...files,
  });
const LOKI_WRAPPER = "pkg/loki/config_wrapper.go";
const EMPTY_WRAPPER =
  'package loki\nfunc (c *ConfigWrapper) RegisterFlags(f *flag.FlagSet) {\n\tf.BoolVar(&c.VerifyConfig, "verify-config", false, "")\n}\n';

/** TSV rows by their first column (the `#` line and the header left out). */
function rows(tsv: string): Map<string, string[]> {
  const [header, ...lines] = tsv.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assert.ok(header.includes("\t"));
  return new Map(lines.map((l) => l.split("\t")).map((c) => [c[0] || c[1], c]));
}

/** config-keys.tsv's rows refreshed from a Loki checkout of a configuration.md and Go files. */
const lokiRows = (md: string, files: Record<string, string> = {}) =>
  rows(
    refreshLoki(checkout({ "docs/sources/shared/configuration.md": md, ...files }), { tag: "v9.8.7" }).files[
      "config-keys.tsv"
    ],
  );

const FENCE = "```";
/** A configuration.md of Loki's shape: the main block, a shared block used with a prefix, a list and a map of blocks. */
const LOKI_MD = [
  "### Supported contents and default values of `loki.yaml`",
  "",
  `${FENCE}yaml`,
  "# CLI flag: -target",
  '[target: <string> | default = "all"]',
  "",
  "ui:",
  "  # CLI flag: -ui.enabled",
  "  [enabled: <boolean> | default = false]",
  "",
  "ingester_client:",
  "  # The CLI flags prefix for this block configuration is:",
  "  # ingester.client",
  "  [grpc_client_config: <grpc_client>]",
  "",
  "[schema_config: <schema_config>]",
  "",
  "[limits_config: <limits_config>]",
  "",
  "[stores: <map of string to grpc_client>]",
  "",
  "[annotations: <labels...>]",
  FENCE,
  "",
  "### grpc_client",
  "",
  `${FENCE}yaml`,
  "# CLI flag: -<prefix>.backoff-max-period",
  "[backoff_max_period: <duration> | default = 10s]",
  FENCE,
  "",
  "### schema_config",
  "",
  `${FENCE}yaml`,
  "[configs: <list of period_configs>]",
  FENCE,
  "",
  "### period_config",
  "",
  `${FENCE}yaml`,
  "[from: <daytime>]",
  "",
  "index:",
  "  [period: <duration>]",
  FENCE,
  "",
  "### limits_config",
  "",
  `${FENCE}yaml`,
  "# CLI flag: -store.retention",
  "[retention_period: <duration> | default = 0s]",
  FENCE,
  "",
].join("\n");

const LOKI_GO = {
  "pkg/client/grpc.go": [
    "package client",
    "func (cfg *Config) RegisterFlagsWithPrefix(prefix string, f *flag.FlagSet) {",
    '\tf.DurationVar(&cfg.BackoffMax, prefix+".backoff-max-period", 10*time.Second, "")',
    "}",
  ].join("\n"),
  "pkg/validation/limits.go": [
    "package validation",
    "type Limits struct {",
    '\tRetentionPeriod model.Duration `yaml:"retention_period"`',
    "}",
    "func (l *Limits) RegisterFlags(f *flag.FlagSet) {",
    '\tf.Var(&l.RetentionPeriod, "store.retention", "")',
    "}",
  ].join("\n"),
};

/** An Alloy component doc of the reference's shape: front matter, arguments, blocks with links and a shared fragment, exports. */
const ALLOY_DOC = [
  "---",
  "labels:",
  "  stage: experimental",
  "title: demo.write",
  "---",
  "",
  "# `demo.write`",
  "",
  "## Arguments",
  "",
  "| Name          | Type          | Description | Default        | Required |",
  "| ------------- | ------------- | ----------- | -------------- | -------- |",
  "| `max_streams` | `int`         | Limit.      | `0` (no limit) | no       |",
  "| `url`         | `string`      | Where.      |                | yes      |",
  "| `suffix`      | `string`      | Added.      | ``             | no       |",
  "",
  "## Blocks",
  "",
  "| Block                                     | Description | Required |",
  "| ----------------------------------------- | ----------- | -------- |",
  "| [`endpoint`][endpoint]                    | Where to.   | yes      |",
  "| `endpoint` > [`basic_auth`][basic_auth]   | Auth.       | no       |",
  "| [`orphan`][nowhere]                       | Broken.     | no       |",
  "",
  "[endpoint]: #endpoint",
  "[basic_auth]: #basic_auth",
  "",
  "### `endpoint`",
  "",
  "| Name        | Type       | Description | Default | Required |",
  "| ----------- | ---------- | ----------- | ------- | -------- |",
  '| `timeout`   | `duration` | Timeout.    | `"10s"` | no       |',
  "",
  "### `basic_auth`",
  "",
  '{{< docs/shared lookup="reference/components/basic-auth-block.md" source="alloy" version="<ALLOY_VERSION>" >}}',
  "",
  "## Exported fields",
  "",
  "| Name       | Type           | Description |",
  "| ---------- | -------------- | ----------- |",
  "| `receiver` | `LogsReceiver` | In.         |",
  "",
].join("\n");
const ALLOY_SHARED = [
  "---",
  "headless: true",
  "---",
  "",
  "| Name       | Type     | Description | Default | Required |",
  "| ---------- | -------- | ----------- | ------- | -------- |",
  "| `password` | `secret` | Secret.     |         | no       |",
  "",
].join("\n");

describe("upstream/refresh: the reference data rebuilt from a checkout of the component's repository", () => {
  it("Loki: key paths, prefixed flags, list and map items, opaque types and each duration's Go type", () => {
    const dir = checkout({ "docs/sources/shared/configuration.md": LOKI_MD, ...LOKI_GO });
    const out = refreshLoki(dir, { tag: "v9.8.7" });
    assert.equal(out.folder, "loki-9.8.7");
    const tsv = out.files["config-keys.tsv"];
    assert.equal(tsv.split("\n")[0], "# source: grafana/loki v9.8.7:docs/sources/shared/configuration.md");
    const r = rows(tsv);
    // path type default cli_flag kind go_duration md_line block
    assert.deepEqual(r.get("target"), ["target", "string", '"all"', "-target", "leaf", "-", "5", "<top>"]);
    assert.deepEqual(r.get("ui")?.slice(1, 5), ["block", "", "", "block"]);
    assert.equal(r.get("ui.enabled")?.[3], "-ui.enabled");
    assert.deepEqual(r.get("ingester_client.grpc_client_config.backoff_max_period"), [
      "ingester_client.grpc_client_config.backoff_max_period",
      "duration",
      "10s",
      "-ingester.client.backoff-max-period",
      "leaf",
      "time.Duration",
      "29",
      "grpc_client",
    ]);
    assert.deepEqual(r.get("schema_config.configs")?.slice(1, 5), ["list of period_configs", "", "", "list"]);
    assert.equal(r.get("schema_config.configs[].from")?.[7], "period_config");
    // A list item's key has no flag; the index period is read by its own UnmarshalYAML (the override).
    assert.deepEqual(r.get("schema_config.configs[].index.period")?.slice(3, 6), [
      "",
      "leaf",
      "model.Duration",
    ]);
    assert.deepEqual(r.get("stores")?.slice(4, 5), ["map"]);
    assert.deepEqual(r.get("stores.*.backoff_max_period")?.slice(3, 6), ["", "leaf", "time.Duration"]);
    assert.deepEqual(r.get("limits_config.retention_period")?.slice(3, 6), [
      "-store.retention",
      "leaf",
      "model.Duration",
    ]);
    assert.deepEqual(r.get("annotations")?.slice(1, 5), ["labels...", "", "", "opaque"]);
  });

  it("Loki: a block inside a shared block takes the prefix of each use, not the one use the reference writes", () => {
    // The reference writes etcd's TLS settings once, under `ui.ring.etcd`; used under
    // `distributor.ring`, Loki registers them as -distributor.ring.etcd.tls-* (seen in loki 3.7.6's -help).
    const md = [
      "### Supported contents and default values of `loki.yaml`",
      "",
      `${FENCE}yaml`,
      "ui:",
      "  # The CLI flags prefix for this block configuration is: ui.ring",
      "  [etcd: <etcd>]",
      "",
      "distributor:",
      "  # The CLI flags prefix for this block configuration is: distributor.ring",
      "  [etcd: <etcd>]",
      FENCE,
      "",
      "### etcd",
      "",
      "The `etcd` block. The supported CLI flags `<prefix>` used to reference this configuration block are:",
      "",
      "- `distributor.ring`",
      "- `ui.ring`",
      "",
      `${FENCE}yaml`,
      "# CLI flag: -<prefix>.etcd.tls-enabled",
      "[tls_enabled: <boolean> | default = false]",
      "",
      "# The CLI flags prefix for this block configuration is: ui.ring.etcd",
      "[<tls_config>]",
      FENCE,
      "",
      "### tls_config",
      "",
      "The TLS configuration. The supported CLI flags `<prefix>` used to reference this configuration block are:",
      "",
      "- `distributor.ring.etcd`",
      "- `ui.ring.etcd`",
      "",
      `${FENCE}yaml`,
      "# CLI flag: -<prefix>.tls-ca-path",
      '[tls_ca_path: <string> | default = ""]',
      FENCE,
      "",
    ].join("\n");
    const r = lokiRows(md);
    assert.equal(r.get("ui.etcd.tls_ca_path")?.[3], "-ui.ring.etcd.tls-ca-path");
    assert.equal(r.get("distributor.etcd.tls_enabled")?.[3], "-distributor.ring.etcd.tls-enabled");
    assert.equal(r.get("distributor.etcd.tls_ca_path")?.[3], "-distributor.ring.etcd.tls-ca-path");
    // A prefix the used block's section does not list means the reference was read wrong: stop.
    const unlisted = md.replace("- `distributor.ring.etcd`\n", "");
    assert.throws(
      () => refreshLoki(checkout({ "docs/sources/shared/configuration.md": unlisted }), { tag: "v9.8.7" }),
      /\[<tls_config>\] in etcd used under distributor\.ring resolves to the prefix distributor\.ring\.etcd, which the tls_config section does not list/,
    );
  });

  it("Loki: a list (or map of lists) of a Go struct the reference leaves unexpanded gets the struct's yaml keys", () => {
    const md = [
      "### Supported contents and default values of `loki.yaml`",
      "",
      `${FENCE}yaml`,
      "[retention_stream: <list of StreamRetentions>]",
      "",
      "[policy_stream_mapping: <map of string to list of PriorityStreams>]",
      "",
      "[blocked: <list of BlockedQuerys>]",
      FENCE,
      "",
    ].join("\n");
    const go = [
      "package validation",
      "type StreamRetention struct {",
      '\tPeriod   model.Duration    `yaml:"period" json:"period"`',
      '\tSelector string            `yaml:"selector" json:"selector"`',
      '\tMatchers []*labels.Matcher `yaml:"-" json:"-"` // populated during validation.',
      "}",
      "type PriorityStream struct {",
      '\tPriority int `yaml:"priority"`',
      "}",
      "type BlockedQuery struct {",
      '\tTags map[string]string `yaml:"query_tags"`',
      "}",
    ].join("\n");
    const r = lokiRows(md, { "pkg/validation/limits.go": go });
    assert.equal(r.get("retention_stream")?.[4], "list");
    assert.deepEqual(r.get("retention_stream[].period")?.slice(1, 6), [
      "duration",
      "",
      "",
      "leaf",
      "model.Duration",
    ]);
    assert.equal(r.get("retention_stream[].selector")?.[1], "string");
    assert.equal(r.has("retention_stream[].matchers"), false);
    assert.equal(r.get("retention_stream[].period")?.[7], "StreamRetention (pkg/validation/limits.go:2)");
    assert.deepEqual(
      ["policy_stream_mapping", "policy_stream_mapping.*", "policy_stream_mapping.*[].priority"].map(
        (k) => r.get(k)?.[4],
      ),
      ["map", "list", "leaf"],
    );
    // A struct with a field that is no plain value stays opaque: nothing below it is judged.
    assert.equal(r.get("blocked")?.[4], "opaque");
    assert.equal([...r.keys()].filter((k) => k.startsWith("blocked")).length, 1);
  });

  it("Loki: a struct in a type ( ) group is read as any other; one with an embedded or untagged field stays opaque", () => {
    const md = [
      "### Supported contents and default values of `loki.yaml`",
      "",
      `${FENCE}yaml`,
      "[grouped: <list of GroupedRules>]",
      "",
      "[embeds: <list of EmbedsBases>]",
      "",
      "[untagged: <list of Untaggeds>]",
      FENCE,
      "",
    ].join("\n");
    const go = [
      "package validation",
      "type (",
      "\tGroupedRule struct {",
      '\t\tSelector string `yaml:"selector"`',
      "\t}",
      "",
      "\tEmbedsBase struct {",
      "\t\tGroupedRule",
      '\t\tName string `yaml:"name"`',
      "\t}",
      ")",
      "type Untagged struct {",
      '\tName  string `yaml:"name"`',
      "\tLimit int",
      "}",
    ].join("\n");
    const r = lokiRows(md, { "pkg/validation/groups.go": go });
    assert.deepEqual(r.get("grouped[].selector")?.slice(1, 5), ["string", "", "", "leaf"]);
    assert.equal(r.get("grouped[].selector")?.[7], "GroupedRule (pkg/validation/groups.go:3)");
    // The embedded struct's keys (`selector`, inlined or not) and an untagged field's (yaml.v2
    // reads it as `limit`) are not shown: nothing below either is judged.
    assert.deepEqual(
      [...r.keys()].filter((k) => /^(embeds|untagged)/.test(k)).map((k) => [k, r.get(k)?.[4]]),
      [
        ["embeds", "opaque"],
        ["untagged", "opaque"],
      ],
    );
  });

  it("Loki: each ring's KV store takes the words its help lists (config-values.tsv); a store whose help lists none stops the refresh", () => {
    const md = (help: string) =>
      [
        "### Supported contents and default values of `loki.yaml`",
        "",
        `${FENCE}yaml`,
        "common:",
        "  ring:",
        "    kvstore:",
        `      # Backend storage to use for the ring. ${help}`,
        "      # CLI flag: -common.storage.ring.store",
        '      [store: <string> | default = "consul"]',
        "",
        "      # The prefix for the keys in the store. Supported values are: a, b.",
        "      # CLI flag: -common.storage.ring.prefix",
        '      [prefix: <string> | default = "collectors/"]',
        FENCE,
        "",
      ].join("\n");
    const out = refreshLoki(
      checkout({
        "docs/sources/shared/configuration.md": md(
          "Supported values are: consul, etcd,\n      # inmemory, memberlist, multi.",
        ),
      }),
      { tag: "v9.8.7" },
    );
    // The help's lines are read as one text; only the listed keys (a ring's store) are written.
    assert.equal(
      out.files["config-values.tsv"],
      [
        "# source: grafana/loki v9.8.7:docs/sources/shared/configuration.md",
        "path\tvalues\tmd_line",
        "common.ring.kvstore.store\tconsul,etcd,inmemory,memberlist,multi\t10",
        "",
      ].join("\n"),
    );
    assert.throws(
      () =>
        refreshLoki(checkout({ "docs/sources/shared/configuration.md": md("Any store.") }), {
          tag: "v9.8.7",
        }),
      /common\.ring\.kvstore\.store \(docs\/sources\/shared\/configuration\.md:9\): expected its help to list its values \("Supported values are: a, b\."\), found "Backend storage to use for the ring\. Any store\."; .*VALUE_KEYS/,
    );
  });

  it("Loki: the other keys whose help lists their words, in each form the help writes the list; the goldfish UI's bucket but its lookup type is left out", () => {
    const md = (algoHelp: string) =>
      [
        "### Supported contents and default values of `loki.yaml`",
        "",
        `${FENCE}yaml`,
        "server:",
        "  # Output log messages in the given format. Valid formats: [logfmt, json]",
        "  # CLI flag: -log.format",
        '  [log_format: <string> | default = "logfmt"]',
        "",
        "  # Minimum TLS version to use. Allowed values: VersionTLS10, VersionTLS11,",
        "  # VersionTLS12, VersionTLS13. If blank, the Go TLS minimum version is used.",
        "  # CLI flag: -server.tls-min-version",
        '  [tls_min_version: <string> | default = ""]',
        "",
        "ruler:",
        "  # The sharding strategy to use. Supported values are: default,",
        "  # shuffle-sharding.",
        '  [sharding_strategy: <string> | default = "default"]',
        "",
        `  # ${algoHelp}`,
        '  [sharding_algo: <string> | default = "by-group"]',
        "",
        "  evaluation:",
        "    # The evaluation mode for the ruler. Can be either 'local' or 'remote'. If set",
        "    # to 'local', the ruler will evaluate rules locally.",
        '    [mode: <string> | default = "local"]',
        "",
        "ruler_storage:",
        "  # Backend storage to use. Supported backends are: local, s3, gcs, azure,",
        "  # swift, filesystem, alibabacloud, bos",
        '  [backend: <string> | default = "filesystem"]',
        "",
        "ingester_client:",
        "  grpc_client_config:",
        "    # Use compression when sending messages. Supported values are: 'gzip', 'snappy'",
        "    # and '' (disable compression)",
        '    [grpc_compression: <string> | default = ""]',
        "",
        "storage_config:",
        "  object_store:",
        "    s3:",
        "      # Use a specific version of the S3 list object API. Supported values are v1 or",
        "      # v2. Default is unset.",
        '      [list_objects_version: <string> | default = ""]',
        "",
        "  congestion_control:",
        "    hedging:",
        "      # Congestion control hedge strategy to use (default: none, options:",
        "      # 'limited').",
        '      [strategy: <string> | default = ""]',
        "",
        "memberlist:",
        "  zone_aware_routing:",
        "    # Role of this node in the cluster. Valid values: member, bridge.",
        '    [role: <string> | default = "member"]',
        "",
        "ui:",
        "  goldfish:",
        "    results_bucket:",
        "      s3:",
        "        # The S3 storage class to use. Supported values are: STANDARD, GLACIER",
        '        [storage_class: <string> | default = ""]',
        "",
        "        # Bucket lookup style type. Default is auto. Supported values are: auto, path,",
        "        # virtual-hosted.",
        "        [bucket_lookup_type: <int> | default = auto]",
        FENCE,
        "",
      ].join("\n");
    const text = md("The sharding algorithm to use. Supported values are: by-group, by-rule.");
    const line = (entry: string) => String(text.split("\n").findIndex((l) => l.includes(`[${entry}:`)) + 1);
    const out = refreshLoki(checkout({ "docs/sources/shared/configuration.md": text }), { tag: "v9.8.7" });
    assert.equal(
      out.files["config-values.tsv"],
      [
        "# source: grafana/loki v9.8.7:docs/sources/shared/configuration.md",
        "path\tvalues\tmd_line",
        `server.log_format\tlogfmt,json\t${line("log_format")}`,
        `server.tls_min_version\tVersionTLS10,VersionTLS11,VersionTLS12,VersionTLS13\t${line("tls_min_version")}`,
        `ruler.sharding_strategy\tdefault,shuffle-sharding\t${line("sharding_strategy")}`,
        `ruler.sharding_algo\tby-group,by-rule\t${line("sharding_algo")}`,
        `ruler.evaluation.mode\tlocal,remote\t${line("mode")}`,
        `ruler_storage.backend\tlocal,s3,gcs,azure,swift,filesystem,alibabacloud,bos\t${line("backend")}`,
        // '' is the empty word, written "".
        `ingester_client.grpc_client_config.grpc_compression\tgzip,snappy,""\t${line("grpc_compression")}`,
        `storage_config.object_store.s3.list_objects_version\tv1,v2\t${line("list_objects_version")}`,
        `storage_config.congestion_control.hedging.strategy\tlimited\t${line("strategy")}`,
        `memberlist.zone_aware_routing.role\tmember,bridge\t${line("role")}`,
        `ui.goldfish.results_bucket.s3.bucket_lookup_type\tauto,path,virtual-hosted\t${line("bucket_lookup_type")}`,
        "",
      ].join("\n"),
    );
    assert.throws(
      () =>
        refreshLoki(
          checkout({ "docs/sources/shared/configuration.md": md("The sharding algorithm to use.") }),
          { tag: "v9.8.7" },
        ),
      /ruler\.sharding_algo \(docs\/sources\/shared\/configuration\.md:\d+\): expected its help to list its values .*found "The sharding algorithm to use\."; .*VALUE_KEYS/,
    );
  });

  it("Loki: a RemoteWriteConfig's keys are read from its Go struct in vendor/, as yaml.v2 reads them", () => {
    const md = [
      "### Supported contents and default values of `loki.yaml`",
      "",
      `${FENCE}yaml`,
      "ruler:",
      "  remote_write:",
      "    [client: <RemoteWriteConfig>]",
      "",
      "    [clients: <map of string to RemoteWriteConfig>]",
      "",
      "  [alert_relabel_configs: <relabel_config...>]",
      "",
      "limits_config:",
      "  [ruler_remote_write_relabel_configs: <relabel_config...>]",
      FENCE,
      "",
    ].join("\n");
    const prom = "vendor/github.com/prometheus";
    const go = {
      "pkg/ruler/config.go": [
        "package ruler",
        "import (",
        '\t"github.com/prometheus/prometheus/config"',
        '\t"github.com/prometheus/prometheus/model/relabel"',
        ")",
        "type RemoteWriteConfig struct {",
        '\tClient  *config.RemoteWriteConfig           `yaml:"client,omitempty"`',
        '\tClients map[string]config.RemoteWriteConfig `yaml:"clients,omitempty"`',
        "}",
        "type AlertManagerConfig struct {",
        '\tAlertRelabelConfigs []*relabel.Config `yaml:"alert_relabel_configs,omitempty"`',
        "}",
      ].join("\n"),
      // Loki's own copy of the relabel config, no UnmarshalYAML.
      "pkg/ruler/util/relabel.go": [
        "package util",
        "type RelabelConfig struct {",
        '\tSourceLabels []string `yaml:"source_labels,flow,omitempty"`',
        '\tAction       string   `yaml:"action,omitempty"`',
        "}",
      ].join("\n"),
      "pkg/validation/limits.go": [
        "package validation",
        'import "github.com/grafana/loki/v3/pkg/ruler/util"',
        "type Limits struct {",
        '\tRulerRemoteWriteRelabelConfigs []*util.RelabelConfig `yaml:"ruler_remote_write_relabel_configs,omitempty"`',
        "}",
      ].join("\n"),
      [`${prom}/prometheus/config/config.go`]: [
        "package config",
        "import (",
        '\t"time"',
        '\tcommon "github.com/prometheus/common/config"',
        '\t"github.com/prometheus/common/model"',
        '\t"github.com/prometheus/prometheus/model/relabel"',
        ")",
        "type RemoteWriteConfig struct {",
        '\tURL                 *common.URL             `yaml:"url"`',
        '\tRemoteTimeout       model.Duration          `yaml:"remote_timeout,omitempty"`',
        '\tHeaders             map[string]string       `yaml:"headers,omitempty"`',
        '\tWriteRelabelConfigs []*relabel.Config       `yaml:"write_relabel_configs,omitempty"`',
        "\t// Inline: its keys at this level.",
        '\tHTTPClientConfig    common.HTTPClientConfig `yaml:",inline"`',
        '\tQueueConfig         QueueConfig             `yaml:"queue_config,omitempty"`',
        '\tExtra               ExtraConfig             `yaml:"extra"`',
        "\tName                string",
        "\thidden              int",
        '\tSkipped             string `yaml:"-"`',
        "}",
        "func (c *RemoteWriteConfig) UnmarshalYAML(unmarshal func(any) error) error {",
        "\ttype plain RemoteWriteConfig",
        "\treturn unmarshal((*plain)(c))",
        "}",
        "type QueueConfig struct {",
        '\tCapacity          int            `yaml:"capacity,omitempty"`',
        '\tBatchSendDeadline model.Duration `yaml:"batch_send_deadline,omitempty"`',
        '\tWait              time.Duration  `yaml:"wait"`',
        "}",
        "// An inline map takes any key.",
        "type ExtraConfig struct {",
        '\tAny map[string]string `yaml:",inline"`',
        "}",
      ].join("\n"),
      [`${prom}/common/config/http_config.go`]: [
        "package config",
        'import "net/url"',
        "type URL struct {",
        "\t*url.URL",
        "}",
        "func (u *URL) UnmarshalYAML(unmarshal func(interface{}) error) error {",
        "\tvar s string",
        "\tif err := unmarshal(&s); err != nil {",
        "\t\treturn err",
        "\t}",
        "\treturn nil",
        "}",
        "type Secret string",
        "type HTTPClientConfig struct {",
        '\tBearerToken Secret    `yaml:"bearer_token,omitempty"`',
        '\tTLSConfig   TLSConfig `yaml:"tls_config,omitempty"`',
        '\tProxyConfig           `yaml:",inline"`',
        '\tHTTPHeaders *Headers  `yaml:"http_headers"`',
        '\tCallback    func() error `yaml:"-"`',
        "}",
        "type TLSConfig struct {",
        '\tInsecureSkipVerify bool `yaml:"insecure_skip_verify"`',
        "}",
        "type ProxyConfig struct {",
        '\tProxyURL URL `yaml:"proxy_url,omitempty"`',
        "\tproxyFunc func(*http.Request) (*url.URL, error)",
        "}",
        "// One inline map: any header name, each a Header.",
        "type Headers struct {",
        '\tHeaders map[string]Header `yaml:",inline"`',
        "}",
        "type Header struct {",
        '\tValues  []string `yaml:"values,omitempty"`',
        '\tSecrets []Secret `yaml:"secrets,omitempty"`',
        "}",
      ].join("\n"),
      [`${prom}/common/model/time.go`]: "package model\ntype Duration int64\n",
      [`${prom}/common/model/labels.go`]:
        "package model\ntype LabelNames []LabelName\ntype LabelName string\n",
      [`${prom}/prometheus/model/relabel/relabel.go`]: [
        "package relabel",
        'import "github.com/prometheus/common/model"',
        "type Config struct {",
        '\tSourceLabels model.LabelNames `yaml:"source_labels,flow,omitempty"`',
        '\tAction       Action           `yaml:"action,omitempty"`',
        "}",
        "type Action string",
        "func (a *Action) UnmarshalYAML(unmarshal func(any) error) error {",
        "\tvar s string",
        "\treturn unmarshal(&s)",
        "}",
      ].join("\n"),
    };
    const out = refreshLoki(checkout({ "docs/sources/shared/configuration.md": md, ...go }), {
      tag: "v9.8.7",
    });
    const r = rows(out.files["config-keys.tsv"]);
    // path type default cli_flag kind go_duration md_line block
    const kinds = (at: string) =>
      Object.fromEntries(
        [...r.values()]
          .filter((c) => c[0].startsWith(at))
          .map((c) => [c[0].slice(at.length), `${c[1]} ${c[4]} ${c[5]}`]),
      );
    const remote = `RemoteWriteConfig (${prom}/prometheus/config/config.go:8)`;
    assert.deepEqual(r.get("ruler.remote_write.clients"), [
      "ruler.remote_write.clients",
      "map of string to RemoteWriteConfig",
      "",
      "",
      "map",
      "-",
      "8",
      "<top>",
    ]);
    assert.equal(r.get("ruler.remote_write.client")?.[4], "block");
    assert.deepEqual(kinds("ruler.remote_write.clients.*."), {
      url: "string leaf -",
      remote_timeout: "duration leaf model.Duration",
      headers: "map of string to string leaf -",
      write_relabel_configs: "list of relabel.Config list -",
      "write_relabel_configs[].source_labels": "list of strings leaf -",
      "write_relabel_configs[].action": "string leaf -",
      bearer_token: "string leaf -",
      tls_config: "block block -",
      "tls_config.insecure_skip_verify": "boolean leaf -",
      proxy_url: "string leaf -",
      queue_config: "block block -",
      "queue_config.capacity": "int leaf -",
      "queue_config.batch_send_deadline": "duration leaf model.Duration",
      "queue_config.wait": "duration leaf time.Duration",
      // A struct of one inline map reads as the map: any key (a header's name), each value's keys its type's.
      http_headers: "map of string to Header map -",
      "http_headers.*.values": "list of strings leaf -",
      "http_headers.*.secrets": "list of strings leaf -",
      extra: "map of string to string leaf -",
      name: "string leaf -",
    });
    // The lists the reference writes <relabel_config...>: Prometheus's relabel.Config and Loki's copy.
    assert.equal(r.get("ruler.alert_relabel_configs")?.[4], "list");
    assert.deepEqual(kinds("ruler.alert_relabel_configs[]."), {
      source_labels: "list of strings leaf -",
      action: "string leaf -",
    });
    assert.equal(r.get("limits_config.ruler_remote_write_relabel_configs")?.[4], "list");
    assert.deepEqual(kinds("limits_config.ruler_remote_write_relabel_configs[]."), {
      source_labels: "list of strings leaf -",
      action: "string leaf -",
    });
    assert.equal(
      r.get("limits_config.ruler_remote_write_relabel_configs[].action")?.[7],
      "RelabelConfig (pkg/ruler/util/relabel.go:2)",
    );
    assert.deepEqual(
      Object.keys(kinds("ruler.remote_write.client.")),
      Object.keys(kinds("ruler.remote_write.clients.*.")),
    );
    assert.equal(r.get("ruler.remote_write.clients.*.url")?.[7], remote);
    assert.equal(
      r.get("ruler.remote_write.clients.*.tls_config.insecure_skip_verify")?.[7],
      `TLSConfig (${prom}/common/config/http_config.go:21)`,
    );
    // Without its Go declaration the refresh stops, naming the key and what to change.
    assert.throws(
      () =>
        refreshLoki(checkout({ "docs/sources/shared/configuration.md": md }), {
          tag: "v9.8.7",
        }),
      /ruler\.remote_write\.client \(docs\/sources\/shared\/configuration\.md:6\): expected one field under pkg\/ with yaml key "client" of type RemoteWriteConfig, found none or several; .*GO_EXPANDED/,
    );
  });

  it("Loki: a duration whose Go type nothing answers stops the refresh, naming the key and what to do", () => {
    const dir = checkout({
      "docs/sources/shared/configuration.md": LOKI_MD,
      "pkg/client/grpc.go": LOKI_GO["pkg/client/grpc.go"],
    });
    assert.throws(
      () => refreshLoki(dir, { tag: "v9.8.7" }),
      /limits_config\.retention_period \(docs\/sources\/shared\/configuration\.md:\d+\) is a duration whose Go type .* DURATION_OVERRIDES/,
    );
  });

  it("Mimir: fields, blocks, list items and map values, defaults as the descriptor writes them, flag-only rows", () => {
    const descriptor = JSON.stringify(
      {
        kind: "block",
        name: "",
        blockEntries: [
          {
            kind: "field",
            name: "target",
            fieldDefaultValue: "all",
            fieldFlag: "target",
            fieldType: "string",
          },
          {
            kind: "block",
            name: "server",
            blockEntries: [
              {
                kind: "field",
                name: "max_idle",
                fieldDefaultValue: 1,
                fieldFlag: "server.max-idle",
                fieldType: "duration",
                fieldCategory: "advanced",
              },
            ],
          },
          {
            kind: "field",
            name: "blocked",
            fieldDefaultValue: null,
            fieldType: "slice",
            fieldElement: {
              kind: "block",
              name: "blocked",
              blockEntries: [{ kind: "field", name: "pattern", fieldDefaultValue: "", fieldType: "string" }],
            },
          },
          {
            kind: "map",
            name: "params",
            fieldType: "string",
            fieldElement: {
              kind: "block",
              name: "params",
              blockEntries: [{ kind: "field", name: "value", fieldDefaultValue: "", fieldType: "string" }],
            },
          },
          { kind: "block", name: "password", fieldDefaultValue: null },
        ],
      },
      null,
      2,
    ).replace('"fieldDefaultValue": 1,', '"fieldDefaultValue": 9223372036854775807,');
    const help = [
      "Usage of ./cmd/mimir/mimir:",
      "  -config.file value",
      "    \tConfiguration file to load.",
      "  -log.rate-limit-logs-burst-size int",
      "    \t[experimental] Burst size. (default 1000)",
      "  -server.max-idle duration",
      "    \tIdle time.",
    ].join("\n");
    const dir = checkout({
      "cmd/mimir/config-descriptor.json": descriptor,
      "cmd/mimir/help-all.txt.tmpl": help,
    });
    const out = refreshMimir(dir, { tag: "mimir-9.8.0", commit: "abc" });
    assert.equal(out.folder, "mimir-9.8");
    const tsv = out.files["config-fields.tsv"];
    assert.match(
      tsv.split("\n")[0],
      /^# source: grafana\/mimir mimir-9\.8\.0 \(abc\):cmd\/mimir\/config-descriptor\.json/,
    );
    assert.equal(tsv.split("\n")[1].split("\t")[6], "mimir_9_8_0");
    const r = rows(tsv);
    // yaml_path flag type default category kind mimir_x source
    assert.deepEqual(r.get("target")?.slice(0, 7), [
      "target",
      "target",
      "string",
      '"all"',
      "basic",
      "field",
      "present",
    ]);
    assert.deepEqual(r.get("server")?.slice(2, 6), ["block", "", "", "block"]);
    assert.deepEqual(r.get("server.max_idle")?.slice(1, 6), [
      "server.max-idle",
      "duration",
      "9223372036854775807",
      "advanced",
      "field",
    ]);
    assert.match(r.get("server.max_idle")![7], /^cmd\/mimir\/config-descriptor\.json:\d+$/);
    assert.equal(r.get("blocked[].pattern")?.[2], "string");
    assert.equal(r.get("params")?.[2], "map of string to block");
    assert.equal(r.get("params.*.value")?.[3], '""');
    assert.deepEqual(r.get("password")?.slice(2, 6), ["secret", "null", "basic", "field"]);
    assert.deepEqual(r.get("config.file")?.slice(0, 6), [
      "",
      "config.file",
      "string",
      "",
      "basic",
      "flag-only",
    ]);
    assert.deepEqual(r.get("log.rate-limit-logs-burst-size")?.slice(2, 6), [
      "int",
      "1000",
      "experimental",
      "flag-only",
    ]);
    assert.ok(!r.has("server.max-idle"), "a flag a field carries is no flag-only row");
  });

  it("Alloy: the docs' arguments, blocks through their links and shared fragments, exports, stages and standard library, and the registry from the code", () => {
    const dir = checkout({
      "docs/sources/reference/components/demo/demo.write.md": ALLOY_DOC,
      "docs/sources/shared/reference/components/basic-auth-block.md": ALLOY_SHARED,
      "docs/sources/reference/config-blocks/logging.md": "---\ntitle: logging\n---\n\n# logging\n",
      "docs/sources/reference/stdlib/sys.md": "# sys\n\n## sys.env\n\nReads.\n",
      "docs/sources/reference/stdlib/coalesce.md": "# coalesce\n\n## Examples\n",
      ...ALLOY_CODE_FIXTURE,
    });
    const out = refreshAlloy(dir, { tag: "v9.8.0", commit: "abc" });
    // Beside the docs, the registry read from the code (test/upstream/alloyCode.test.ts reads it in detail).
    const registry: any = JSON.parse(out.files["registry.json"]);
    assert.deepEqual(
      [registry.source.tag, registry.source.generator],
      ["v9.8.0", "upstream/refresh/alloyCode.ts"],
    );
    assert.deepEqual(Object.keys(registry.components), ["demo.community", "demo.journal", "demo.write"]);
    assert.equal(out.folder, "alloy-9.8");
    const data: any = JSON.parse(out.files["components.json"]);
    assert.deepEqual([data.source.tag, data.source.commit], ["v9.8.0", "abc"]);
    const doc = "docs/sources/reference/components/demo/demo.write.md";
    /** `<doc>:<line>` of the first line of a text holding a needle. */
    const at = (needle: string, text = ALLOY_DOC, file = doc) =>
      `${file}:${text.split("\n").findIndex((l) => l.includes(needle)) + 1}`;
    const c = data.components["demo.write"];
    assert.equal(c.doc, doc);
    assert.equal(c.stage, "experimental");
    assert.deepEqual(c.arguments, [
      {
        name: "max_streams",
        type: "int",
        default: "0 (no limit)",
        required: false,
        source: at("`max_streams`"),
      },
      { name: "url", type: "string", default: null, required: true, source: at("`url`") },
      { name: "suffix", type: "string", default: "", required: false, source: at("`suffix`") },
    ]);
    assert.deepEqual(Object.keys(c.blocks), ["endpoint", "endpoint > basic_auth", "orphan"]);
    assert.deepEqual(c.blocks.endpoint.arguments, [
      { name: "timeout", type: "duration", default: '"10s"', required: false, source: at("`timeout`") },
    ]);
    assert.equal(c.blocks.endpoint.required, true);
    assert.deepEqual(c.blocks["endpoint > basic_auth"].path, ["endpoint", "basic_auth"]);
    assert.deepEqual(c.blocks["endpoint > basic_auth"].arguments, [
      {
        name: "password",
        type: "secret",
        default: null,
        required: false,
        source: at(
          "`password`",
          ALLOY_SHARED,
          "docs/sources/shared/reference/components/basic-auth-block.md",
        ),
        included_from: at("docs/shared"),
      },
    ]);
    assert.equal(c.blocks.orphan.arguments_unknown, true, "a link to no section: arguments unknown");
    assert.deepEqual(c.exports, [{ name: "receiver", type: "LogsReceiver", source: at("`receiver`") }]);
    assert.ok(data.config_blocks.logging);
    assert.deepEqual(data.stdlib.functions, {
      coalesce: "docs/sources/reference/stdlib/coalesce.md:1",
      "sys.env": "docs/sources/reference/stdlib/sys.md:3",
    });
    assert.ok(!out.files["components.json"].includes("Where to."), "no prose from the docs");
  });

  it("the CLI takes the tag and commit from the checkout's git HEAD and writes the folder named after the version", () => {
    const dir = checkout({ "docs/sources/shared/configuration.md": LOKI_MD, ...LOKI_GO });
    const git = (...args: string[]) =>
      run("git", ["-C", dir, "-c", "user.name=t", "-c", "user.email=t@t", ...args]);
    git("init", "-q");
    git("add", ".");
    git("commit", "-qm", "fixture");
    git("tag", "v9.8.7");
    const out = tmpDir("refreshed");
    const r = refreshReference(["loki", dir, "--out", out]);
    assert.equal(r.dir, out);
    assert.deepEqual(r.files, ["config-keys.tsv", "config-values.tsv", "flags.tsv"]);
    assert.match(
      fs.readFileSync(path.join(out, "config-keys.tsv"), "utf8"),
      /^# source: grafana\/loki v9\.8\.7:/,
    );
  });

  it("the CLI refuses what it cannot use, saying what it expected and what it found", () => {
    const plain = checkout({ "README.md": "" });
    assert.throws(
      () => refreshReference(["vector", plain]),
      /"vector" is not a component with reference data.*\nusage:/s,
    );
    assert.throws(() => refreshReference(["loki"]), /expected a component and a checkout, got \["loki"\]/);
    assert.throws(
      () => refreshReference(["loki", path.join(plain, "nope")]),
      /expected a checkout of grafana\/loki/,
    );
    assert.throws(() => refreshReference(["loki", plain]), /carries no tag .* with --tag/);
    assert.throws(
      () => refreshReference(["loki", plain, "--tag", "v1.2.3"]),
      /expected docs\/sources\/shared\/configuration\.md in the checkout of grafana\/loki/,
    );
    assert.throws(
      () => refreshReference(["mimir", plain, "--tag", "3.0.0"]),
      /expected a release tag like "mimir-3\.0\.0", got "3\.0\.0"/,
    );
    assert.throws(() => refreshReference(["mimir", plain, "--frobnicate"]), /unknown flag --frobnicate/);
  });
});
