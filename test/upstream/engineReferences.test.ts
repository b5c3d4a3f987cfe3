import { strict as assert } from "assert";
import { expansionProblem } from "@homelab-observability/contract";
import * as path from "path";
import { versions } from "../../model/versions";
import { readReferenceFile, referenceDataDir } from "../../upstream/reference";
import {
  checkEngineConfig,
  checkEngineFlags,
  ENGINE_REFERENCES,
  ENGINE_RULES,
  durationForm,
  engineVersionProblem,
  loadEngineReference,
  parsesAsGoDuration,
  parsesAsModelDuration,
  type EngineReference,
} from "../../upstream/engines/references";
import { unknownKeyHint } from "../../config/lokiValueCheck";

/**
 * Loki's and Mimir's configuration references (upstream/engines/data/loki-3.7.6, mimir-3.0) as the
 * checks read them, and the load-time rules restated from the engines' sources. Cases take their
 * keys from the reference (never restated) and name the rule each one must trip.
 */
describe("upstream/engines/references: Loki 3.7.6 and Mimir 3.0 configuration references", function () {
  let loki: EngineReference;
  let mimir: EngineReference;

  before(function () {
    loki = loadEngineReference("loki");
    mimir = loadEngineReference("mimir");
  });

  it("each reference names its version, and it is the one model/versions.ts pins", () => {
    assert.equal(loki.version, "3.7.6");
    assert.equal(mimir.version, "3.0.0");
    assert.equal(engineVersionProblem(loki, versions.images.loki.tag), undefined);
    assert.equal(engineVersionProblem(mimir, versions.images.mimir.tag), undefined);
  });

  it("a Renovate bump of the image names the command that refreshes the reference and the folder it writes", () => {
    const l = engineVersionProblem(loki, "3.8.0")!;
    assert.match(l, /pins Loki 3\.8\.0, but upstream\/engines\/data\/loki-3\.7\.6 describes Loki 3\.7\.6/);
    assert.match(l, /run npm run refresh-reference -- loki <checkout of grafana\/loki at v3\.8\.0>/);
    assert.match(l, /writes upstream\/engines\/data\/loki-3\.8\.0/);
    assert.match(l, /ENGINE_REFERENCES\.loki in upstream\/engines\/references\.ts/);
    const m = engineVersionProblem(mimir, "3.1.0")!;
    assert.match(m, /pins Mimir 3\.1\.0, but upstream\/engines\/data\/mimir-3\.0 describes Mimir 3\.0\.0/);
    assert.match(
      m,
      /refresh-reference -- mimir <checkout of grafana\/mimir at mimir-3\.1\.0>.*upstream\/engines\/data\/mimir-3\.1,/,
    );
  });

  it("reads the duration kind of each Loki key from the reference's go_duration column", () => {
    const kinds = [...loki.fields.values()].filter((f) => f.type === "duration").map((f) => f.duration);
    assert.ok(kinds.length > 500);
    assert.ok(kinds.every((k) => k === "time.Duration" || k === "model.Duration"));
    assert.equal(loki.fields.get("compactor.retention_delete_delay")!.duration, "time.Duration");
    assert.equal(loki.fields.get("limits_config.retention_period")!.duration, "model.Duration");
  });

  it("Mimir's limits durations are model.Duration, the others time.Duration (pkg/util/validation/limits.go:133-304 at mimir-3.0.0)", () => {
    assert.equal(mimir.fields.get("limits.compactor_blocks_retention_period")!.duration, "model.Duration");
    assert.equal(mimir.fields.get("limits.max_query_lookback")!.duration, "model.Duration");
    const other = [...mimir.fields.values()].filter(
      (f) => f.type === "duration" && !f.path.startsWith("limits."),
    );
    assert.ok(other.length > 100);
    assert.ok(other.every((f) => f.duration === "time.Duration"));
  });

  it("Go time.ParseDuration takes ns..h (with fractions and sequences), never d, w or y", () => {
    for (const ok of ["0", "24h", "1h30m", "1.5h", "300ms", "-2m", "10us"])
      assert.ok(parsesAsGoDuration(ok), ok);
    for (const bad of ["1d", "2w", "1y", "", "h", "24", "1 h", "1h 30m"])
      assert.ok(!parsesAsGoDuration(bad), bad);
  });

  // Run against go1.26.8's time.ParseDuration (Loki 3.7.6 builds with go 1.26.5, go.mod:3): it
  // refuses any duration over 2^63-1 ns with "invalid duration", fractions counted as it counts them.
  it("Go time.ParseDuration refuses a duration longer than 2^63-1 ns, as Go 1.26 does", () => {
    for (const ok of [
      "2562047h",
      "2562047h47m16.854775807s",
      "9223372036854775807ns",
      "-2562047h47m16.854775808s",
      "2562047.788015215h",
      "153722867m",
    ])
      assert.ok(parsesAsGoDuration(ok), ok);
    for (const bad of [
      "2562048h",
      "2562047h47m16.854775808s",
      "9223372036854775808ns",
      "2562047.8h",
      "2562047.7880152156h",
      "153722868m",
      "99999999999999999999h",
    ])
      assert.ok(!parsesAsGoDuration(bad), bad);
    assert.match(durationForm("time.Duration"), /of at most 2562047h47m16\.854775807s \(about 292 years\)/);
  });

  it("Prometheus model.ParseDuration takes y..ms, integers, largest unit first (common/model/time.go:205-259 at loki v3.7.6)", () => {
    for (const ok of ["0", "7d", "1w2d", "1y", "90d", "24h", "1h30m", "100ms"])
      assert.ok(parsesAsModelDuration(ok), ok);
    for (const bad of ["", "1.5h", "30m1h", "1d1d", "-1d", "10us", "d"])
      assert.ok(!parsesAsModelDuration(bad), bad);
  });

  it("judges a value by its key's type: duration family, int, boolean, list, map, unknown key", () => {
    const problems = checkEngineConfig(loki, {
      compactor: {
        retention_delete_delay: "1d",
        retention_delete_worker_count: "many",
        retention_enabled: "yes",
      },
      limits_config: { retention_period: "7d" },
      no_such_block: { x: 1 },
      schema_config: { configs: [{ from: "2024-04-01", store: "tsdb", index: { period: "24h", nope: 1 } }] },
    });
    const byPath = new Map(problems.map((p) => [p.path, p.message]));
    assert.match(
      byPath.get("compactor.retention_delete_delay")!,
      /Go time\.Duration.*e\.g\. "24h".*found "1d"/,
    );
    assert.match(byPath.get("compactor.retention_delete_worker_count")!, /expected an integer; found "many"/);
    assert.match(byPath.get("compactor.retention_enabled")!, /expected true or false, a boolean/);
    assert.match(
      byPath.get("no_such_block")!,
      /Loki 3\.7\.6 has no key no_such_block .*refuses unknown keys/,
    );
    assert.match(
      byPath.get("schema_config.configs[0].index.nope")!,
      /has no key schema_config\.configs\[\]\.index\.nope/,
    );
    assert.ok(!byPath.has("limits_config.retention_period"), "7d is a model.Duration");
  });

  it("a number or boolean written in quotes is told to drop them; text that is no such value is not", () => {
    const problems = checkEngineConfig(loki, {
      limits_config: { ingestion_rate_mb: "4", ingestion_burst_size_mb: "lots" },
      compactor: { retention_delete_worker_count: "150", retention_enabled: "true" },
    });
    const byPath = new Map(problems.map((p) => [p.path, p.message.replace(/ \(loki-3\.7\.6\/.*$/, "")]));
    assert.deepEqual(Object.fromEntries(byPath), {
      "limits_config.ingestion_rate_mb": 'expected a number (drop the quotes: 4); found "4"',
      "limits_config.ingestion_burst_size_mb": 'expected a number; found "lots"',
      "compactor.retention_delete_worker_count": 'expected an integer (drop the quotes: 150); found "150"',
      "compactor.retention_enabled":
        'expected true or false, a boolean (drop the quotes: true); found "true"',
    });
  });

  it("Loki: retention without compactor.delete_request_store is refused (pkg/compactor/config.go:107-110 at v3.7.6)", () => {
    const rule = ENGINE_RULES.find((r) => r.source.includes("pkg/compactor/config.go:107-110"))!;
    assert.match(rule.problem({ compactor: { retention_enabled: true } })!, /delete_request_store/);
    assert.equal(
      rule.problem({ compactor: { retention_enabled: true, delete_request_store: "s3" } }),
      undefined,
    );
    assert.equal(rule.problem({ compactor: { retention_enabled: false } }), undefined);
    const problems = checkEngineConfig(loki, { compactor: { retention_enabled: true } });
    assert.ok(problems.some((p) => /compactor\.delete-request-store should be configured/.test(p.message)));
  });

  it("Loki 3.7: a deletion marker prefix without a trailing / is refused with retention on (pkg/compactor/config.go:125-127 at v3.7.6)", () => {
    const key = "compactor.deletion_marker_object_store_prefix";
    assert.ok(loki.fields.has(key), `${key} is a Loki 3.7.6 key`);
    const rule = ENGINE_RULES.find((r) => r.source.includes("pkg/compactor/config.go:125-127"))!;
    const on = { retention_enabled: true, delete_request_store: "s3" };
    assert.match(
      rule.problem({ compactor: { ...on, deletion_marker_object_store_prefix: "markers" } })!,
      /deletion_marker_object_store_prefix is "markers".*must end with \//,
    );
    assert.equal(
      rule.problem({ compactor: { ...on, deletion_marker_object_store_prefix: "markers/" } }),
      undefined,
    );
    assert.equal(rule.problem({ compactor: { ...on, deletion_marker_object_store_prefix: "" } }), undefined);
    assert.equal(
      rule.problem({
        compactor: { retention_enabled: false, deletion_marker_object_store_prefix: "markers" },
      }),
      undefined,
    );
  });

  it("Loki 3.7: a deletion manifest prefix without a trailing / is refused, and the reference's default passes (pkg/compactor/config.go:171-177 at v3.7.6)", () => {
    const key = "compactor.jobs_config.deletion.deletion_manifest_store_prefix";
    const rule = ENGINE_RULES.find((r) => r.source.includes("DeletionJobsConfig.Validate"))!;
    // The reference's default, read from its row (config-keys.tsv: path, type, default, ...).
    const row = readReferenceFile(
      path.join(referenceDataDir("engines", ENGINE_REFERENCES.loki), "config-keys.tsv"),
    )
      .split("\n")
      .find((l) => l.startsWith(`${key}\t`))!;
    const byDefault = JSON.parse(row.split("\t")[2]) as string;
    assert.equal(
      rule.problem({
        compactor: { jobs_config: { deletion: { deletion_manifest_store_prefix: byDefault } } },
      }),
      undefined,
    );
    assert.match(
      rule.problem({
        compactor: { jobs_config: { deletion: { deletion_manifest_store_prefix: "manifests" } } },
      })!,
      /deletion_manifest_store_prefix is "manifests".*must end with \//,
    );
    assert.equal(rule.problem({ compactor: {} }), undefined);
  });

  it("Mimir: the reference is 3.0.0's own (every row at the version); experimental and deprecated fields are warnings", () => {
    assert.ok([...mimir.fields.values()].every((f) => f.atVersion));
    const experimental = [...mimir.fields.values()].find(
      (f) => f.category === "experimental" && f.atVersion && f.type === "boolean",
    )!;
    const deprecated = [...mimir.fields.values()].find((f) => f.category === "deprecated" && f.path)!;
    const config: any = {};
    const set = (p: string, v: unknown) => {
      const parts = p.split(".");
      let o = config;
      for (const k of parts.slice(0, -1)) o = o[k] ??= {};
      o[parts.at(-1)!] = v;
    };
    set(experimental.path, true);
    const problems = checkEngineConfig(mimir, config);
    assert.ok(
      problems.some(
        (p) => p.path === experimental.path && p.severity === "warning" && /experimental/.test(p.message),
      ),
    );
    assert.ok(deprecated, "the reference has deprecated fields");
  });

  it("flags: unknown refused, known judged by type, hidden ones read at the source accepted", () => {
    const f = checkEngineFlags(loki, [
      "-target=all",
      "-no-such-flag=1",
      "-compactor.retention-delete-delay=1d",
      "-legacy-read-mode=false",
    ]);
    assert.equal(f.filter((p) => p.severity === "error").length, 2, JSON.stringify(f));
    assert.match(f.find((p) => p.path === "-no-such-flag=1")!.message, /no flag -no-such-flag/);
    assert.match(f.find((p) => p.path.startsWith("-compactor"))!.message, /found "1d"/);
    // The loki chart passes it itself: the warning says no stack key changes it and it changes nothing.
    assert.deepEqual(
      f.filter((p) => p.path === "-legacy-read-mode=false"),
      [
        {
          path: "-legacy-read-mode=false",
          severity: "warning",
          message:
            "-legacy-read-mode is deprecated in Loki 3.7.6 (grafana/loki v3.7.6 pkg/loki/loki.go:134,170 (hidden)); the loki chart passes it to its backend target itself (templates/backend/workload.yaml), no chart value leaves it out, and false is the flag's default: nothing to change in the stack",
        },
      ],
    );
    // Set otherwise (a user's extraArgs), it is the stack's doing: only that it is deprecated.
    assert.deepEqual(
      checkEngineFlags(loki, ["-legacy-read-mode=true"]).map((p) => p.message),
      [
        "-legacy-read-mode is deprecated in Loki 3.7.6 (grafana/loki v3.7.6 pkg/loki/loki.go:134,170 (hidden))",
      ],
    );
    assert.deepEqual(checkEngineFlags(mimir, ["-target=all", "-server.http-listen-port=8080"]), []);
  });

  it("flags are read as Go's flag package reads them: `-flag value`, none after a non-flag, each refusal at its argument", () => {
    // Go stops at the first argument that is not a flag: Loki never reads -bogus.
    assert.deepEqual(checkEngineFlags(loki, ["-target=all", "extra", "-bogus"]), []);
    // `-flag value` is judged, named by both arguments.
    assert.deepEqual(
      checkEngineFlags(loki, ["-log.level", "inf"]).map((p) => [p.path, p.severity]),
      [["-log.level inf", "error"]],
    );
    // A boolean takes strconv.ParseBool's spellings; another value is Go's own refusal.
    assert.deepEqual(checkEngineFlags(loki, ["-distributor.zone-awareness-enabled=1"]), []);
    assert.deepEqual(
      checkEngineFlags(loki, ["-distributor.zone-awareness-enabled=maybe"]).map((p) => p.message),
      [
        'Loki stops at start: Go\'s flag package refuses it (invalid boolean value "maybe" for -distributor.zone-awareness-enabled: parse error)',
      ],
    );
    // An undeclared -x=v is one problem and the flags after it are still judged; a bare one may
    // take the next argument, so nothing after it is.
    assert.deepEqual(
      checkEngineFlags(loki, ["-nope=1", "-log.level=inf"]).map((p) => p.path),
      ["-nope=1", "-log.level=inf"],
    );
    assert.deepEqual(
      checkEngineFlags(loki, ["-nope", "-log.level=inf"]).map((p) => p.path),
      ["-nope"],
    );
    // Loki declares no -h: Go answers it with the usage.
    assert.match(checkEngineFlags(loki, ["-h"])[0]?.message ?? "", /declares no -h: .*usage/);
  });

  it("Loki: a setting inside a shared block has its own use's flag (loki 3.7.6 -help: -distributor.ring.etcd.tls-ca-path)", () => {
    // Every TLS key beside a tls_enabled of its own takes that key's flag prefix.
    const pairs = [...loki.fields.values()]
      .filter((f) => f.path.endsWith(".tls_ca_path"))
      .map((f) => ({ f, enabled: loki.fields.get(f.path.replace(/tls_ca_path$/, "tls_enabled")) }))
      .filter((x) => x.enabled?.flag?.endsWith(".tls-enabled"));
    assert.ok(pairs.length >= 20, `${pairs.length} TLS blocks`);
    for (const { f, enabled } of pairs)
      assert.equal(f.flag, enabled!.flag!.replace(/tls-enabled$/, "tls-ca-path"), f.path);
    assert.deepEqual(
      checkEngineFlags(loki, ["-distributor.ring.etcd.tls-ca-path=/x", "-ingester.client.tls-ca-path=/x"]),
      [],
    );
  });

  it("Loki: the ConfigWrapper's own flags are flags of Loki (pkg/loki/config_wrapper.go:54-58)", () => {
    const flags = [
      "-print-config-stderr",
      "-log-config-reverse-order",
      "-verify-config=false",
      "-list-targets=false",
      "-version=true", // a flag main() never reads: only a bare -version prints the version
    ];
    assert.deepEqual(checkEngineFlags(loki, flags), []);
    assert.equal(loki.fields.has(""), false);
  });

  it("Mimir: -help, -h, -help-all, -version, -modules and -print.config do a task and exit (cmd/mimir/main.go), a problem only where Mimir should keep running", () => {
    const exits = (args: string[], serves = true) =>
      checkEngineFlags(mimir, args, undefined, serves).map((p) => [
        p.path,
        /exits instead of running/.test(p.message),
      ]);
    for (const flag of ["-help", "-h", "--help-all", "-version", "-modules", "-print.config=true"])
      assert.deepEqual(exits(["-target=all", flag]), [[flag, true]], flag);
    assert.match(
      checkEngineFlags(mimir, ["-version"])[0]?.message ?? "",
      /^Mimir 3\.0\.0 prints its version and exits instead of running \(grafana\/mimir mimir-3\.0\.0 cmd\/mimir\/main\.go:76, 138-141\), so the pod restarts it for ever: remove it$/,
    );
    // -h and -help set one variable: the last given decides it.
    assert.deepEqual(exits(["-help", "-h=false"]), []);
    assert.deepEqual(exits(["-h=0", "-help=1"]), [["-help=1", true]]);
    // Each one given true is its own problem; set false, or after a non-flag (never parsed), none.
    assert.deepEqual(exits(["-version", "-modules"]), [
      ["-version", true],
      ["-modules", true],
    ]);
    assert.deepEqual(exits(["-version=false", "-target=all", "extra", "-modules"]), []);
    // A Job's Mimir (serves false) may print and exit.
    assert.deepEqual(exits(["-modules", "-print.config"], false), []);
  });

  it("Loki: -health, -version, -verify-config and -list-targets do a task and exit (cmd/loki/main.go), a problem only where Loki should keep running", () => {
    const exits = (args: string[], serves = true) =>
      checkEngineFlags(loki, args, undefined, serves).map((p) => [
        p.path,
        /exits instead of running/.test(p.message),
      ]);
    // Before any parse, wherever it stands, any number of dashes: that one problem alone.
    assert.deepEqual(exits(["-target=all", "extra", "--version"]), [["--version", true]]);
    assert.deepEqual(exits(["-health", "-bogus"]), [["-health", true]]);
    assert.deepEqual(exits(["-verify-config", "-list-targets", "true"]), [
      ["-verify-config", true],
      ["-list-targets", true],
    ]);
    assert.deepEqual(exits(["-verify-config=t", "-verify-config=0"]), []);
    // A Job's Loki (serves false) may check its config and exit.
    assert.deepEqual(exits(["-verify-config", "-version"], false), []);
    assert.deepEqual(exits(["-verify-config", "-nope=1"], false), [["-nope=1", false]]);
    // A refused flag is one mistake and the exit another: both said at once, wherever the exit
    // stands, as the engine reads its flags once the refused one is removed.
    assert.deepEqual(exits(["-nope=1", "-verify-config"]), [
      ["-verify-config", true],
      ["-nope=1", false],
    ]);
    assert.deepEqual(
      checkEngineFlags(mimir, ["-target=all", "-nope=1", "-help"]).map((p) => p.path),
      ["-help", "-nope=1"],
    );
  });

  it("Loki: the keys of retention_stream and policy_stream_mapping entries are the Go structs' (an unknown one stops Loki)", () => {
    const p = checkEngineConfig(loki, {
      limits_config: {
        retention_stream: [{ selector: '{app="x"}', priority: 1, period: "48h", perod: "48h" }],
        policy_stream_mapping: { p1: [{ selector: '{a="b"}', priorty: 1 }] },
      },
    }).filter((x) => x.severity === "error");
    assert.deepEqual(
      p.map((x) => x.path),
      ["limits_config.retention_stream[0].perod", "limits_config.policy_stream_mapping.p1[0].priorty"],
    );
    // One message for a period that does not parse: the key's, not the 24h rule's too.
    const bad = checkEngineConfig(loki, {
      limits_config: { retention_stream: [{ selector: '{app="x"}', period: "1.5d" }] },
    }).filter((x) => x.severity === "error");
    assert.equal(bad.length, 1, JSON.stringify(bad));
    assert.match(bad[0].message, /model\.Duration.*found "1\.5d"/);
  });

  it("Loki: durations as Loki 3.7.6 reads YAML numbers: model.Duration by its text, time.Duration as nanoseconds", () => {
    const p = checkEngineConfig(loki, {
      limits_config: { retention_period: 0, max_query_lookback: 7 },
      compactor: { compaction_interval: 10, retention_delete_delay: 0 },
    });
    assert.deepEqual(
      p.map((x) => [x.path, x.severity]),
      [
        ["limits_config.max_query_lookback", "error"],
        ["compactor.compaction_interval", "warning"],
      ],
    );
    assert.match(p[1].message, /bare number as nanoseconds \(10ns\)/);
  });

  it("Loki: the tsdb index period is read as a duration, so 1d and 24h0m are 24h (schema_config.go:464-471)", () => {
    const period = (p: string) =>
      checkEngineConfig(loki, {
        schema_config: {
          configs: [
            {
              from: "2024-04-01",
              store: "tsdb",
              object_store: "s3",
              schema: "v13",
              index: { prefix: "i_", period: p },
            },
          ],
        },
      }).filter((x) => x.severity === "error");
    assert.deepEqual(period("1d"), []);
    assert.deepEqual(period("24h0m"), []);
    assert.match(period("168h")[0].message, /set to 24h/);
  });

  it("Loki: a schema period's store, object_store, schema and from are ones Loki 3.7.6 loads (pkg/loki/validation.go:93-115)", () => {
    const base = {
      from: "2024-04-01",
      store: "tsdb",
      object_store: "s3",
      schema: "v13",
      index: { prefix: "i_", period: "24h" },
    };
    const judge = (over: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      checkEngineConfig(loki, { ...extra, schema_config: { configs: [{ ...base, ...over }] } })
        .filter((x) => x.severity === "error")
        .map((x) => x.message);
    assert.deepEqual(judge({}), []);
    assert.match(judge({ store: "tsbd" }).join(), /configs\[0\]\.store is "tsbd".*boltdb-shipper, tsdb/);
    assert.match(judge({ schema: "v14" }).join(), /configs\[0\]\.schema is "v14".*invalid schema version/);
    assert.match(judge({ object_store: "s4" }).join(), /configs\[0\]\.object_store is "s4"/);
    assert.match(judge({ from: "2024-13-01" }).join(), /configs\[0\]\.from is "2024-13-01"/);
    assert.match(judge({ from: "2023-02-29" }).join(), /from is "2023-02-29"/);
    assert.deepEqual(judge({ from: "2024-02-29" }), []);
    // A named store is a store.
    assert.deepEqual(
      judge(
        { object_store: "mine" },
        { storage_config: { named_stores: { aws: { mine: { bucketnames: "b" } } } } },
      ),
      [],
    );
  });

  it("Loki: log level, deletion mode and chunk encoding are words Loki knows; a flag is judged like its key", () => {
    const p = checkEngineConfig(loki, {
      server: { log_level: "inf" },
      limits_config: { deletion_mode: "filter-and-delet" },
      ingester: { chunk_encoding: "snapy" },
    }).filter((x) => x.severity === "error");
    assert.deepEqual(
      p.map((x) => x.path),
      ["server.log_level", "limits_config.deletion_mode", "ingester.chunk_encoding"],
    );
    assert.deepEqual(
      checkEngineConfig(loki, { server: { log_level: "debug" }, ingester: { chunk_encoding: "SNAPPY" } }),
      [],
    );
    assert.match(checkEngineFlags(loki, ["-log.level=inf"])[0]?.message ?? "", /unrecognized log level/);
    assert.deepEqual(checkEngineFlags(loki, ["-log.level=debug"]), []);
  });

  it("Loki: with retention on, the delete store's key prefix is a relative path ending in / (pkg/compactor/config.go:119-121)", () => {
    const judge = (prefix: string) =>
      checkEngineConfig(loki, {
        compactor: {
          retention_enabled: true,
          delete_request_store: "s3",
          delete_request_store_key_prefix: prefix,
        },
      }).filter((x) => x.severity === "error");
    assert.deepEqual(judge("index/"), []);
    assert.match(judge("index")[0].message, /should end with a path separator/);
    assert.match(judge("/index/")[0].message, /never start with a path separator/);
  });
});

describe("contract/expansion: values safe to expand into Loki's and Mimir's YAML", () => {
  it("passes letters, digits and -_./+=; the program's generated keys are letters and digits", () => {
    for (const ok of ["loki", "AKIA0123456789ABCDEF", "abc/def+ghi=", "a-b_c.d", "key:with-colon", "x#y"])
      assert.equal(expansionProblem(ok), undefined, ok);
  });
  it("passes what Loki 3.7.6 read back unchanged into a string key: booleans, numbers, -?: before a non-space", () => {
    // Run with `region: ${VAR}` and -print-config-stderr: each came back as given (a string field
    // keeps the scalar's text, gopkg.in/yaml.v2 v2.4.0 decode.go:462-470).
    for (const ok of [
      "true",
      "yes",
      "12345",
      "0x1F",
      "1e3",
      "-1",
      "+1",
      ".inf",
      "2024-01-01",
      "-abc",
      "?abc",
      ":abc",
    ])
      assert.equal(expansionProblem(ok), undefined, ok);
  });
  it("refuses values that change the YAML, naming the rule and never the value", () => {
    const cases: [string, RegExp][] = [
      ["a: b", /": "/],
      ["pass #1", /comment/],
      ["&anchor", /indicator/],
      ["*alias", /indicator/],
      ["!tag", /indicator/],
      ["|block", /indicator/],
      [">fold", /indicator/],
      ["%dir", /indicator/],
      ["@at", /indicator/],
      ["'q", /indicator/],
      ["- dash", /indicator/],
      ["-", /indicator/],
      ["[x]", /indicator/],
      ["{x}", /indicator/],
      ["two\nlines", /line break/],
      [" lead", /space/],
      ["null", /null/],
      ["~", /null/],
      ["", /empty/],
    ];
    for (const [value, rule] of cases) {
      const problem = expansionProblem(value);
      assert.ok(problem, JSON.stringify(value));
      assert.match(problem, rule, JSON.stringify(value));
      if (value.length > 4) assert.ok(!problem.includes(value), `never names the value: ${problem}`);
    }
  });
});

/**
 * Words Loki takes only when a module starts (Loki 3.7.6 passed -verify-config with each misspelt
 * and stopped at start), and the keys of Prometheus's RemoteWriteConfig, which Loki's strict loader
 * refuses an unknown one of at any depth: each rule refuses a typo naming the key, the words and
 * what was found, with the closest word, and takes every word Loki takes.
 */
describe("upstream/engines/references: Loki's ring KV stores, ruler storage and remote-write clients", () => {
  const loki = loadEngineReference("loki");
  const errors = (config: unknown) =>
    checkEngineConfig(loki, config)
      .filter((p) => p.severity === "error")
      .map(unknownKeyHint);
  const nested = (path: string, value: unknown): Record<string, unknown> =>
    path
      .split(".")
      .reverse()
      .reduce<unknown>((v, k) => ({ [k]: v }), value) as Record<string, unknown>;

  it("every ring's kvstore.store takes the words its help lists (config-values.tsv), and refuses another at its path", () => {
    const stores = [...loki.fields.values()].filter((f) => f.values && f.path.endsWith(".kvstore.store"));
    // Each ring of the reference, none left out: 14 at v3.7.6.
    assert.deepEqual(
      stores.map((f) => f.path).sort(),
      [...loki.fields.keys()].filter((p) => p.endsWith(".kvstore.store")).sort(),
    );
    assert.equal(stores.length, 14);
    for (const f of stores) {
      assert.deepEqual(f.values!.words, ["consul", "etcd", "inmemory", "memberlist", "multi"], f.path);
      for (const word of f.values!.words.filter((w) => w !== "multi"))
        assert.deepEqual(errors(nested(f.path, word)), [], `${f.path}: ${word}`);
      const [p, ...rest] = errors(nested(f.path, "memberlst"));
      assert.deepEqual(rest, [], f.path);
      assert.equal(p.path, f.path);
      assert.equal(
        p.message,
        `expected one of consul, etcd, inmemory, memberlist, multi; found "memberlst": Loki stops at start ("invalid KV store type: memberlst") in every process that runs a module using this ring (${f.values!.source}; grafana/dskit v0.0.0-20260209132809-8d1c6d34bb5a (loki v3.7.6 go.mod:56) kv/client.go:137-175 (createClient), 194-203 (buildMultiClient)); did you mean "memberlist"?`,
      );
    }
    // Compared as written: `Memberlist` is no store (Loki 3.7.6 run with it: "invalid KV store type: Memberlist").
    assert.match(
      errors(nested("common.ring.kvstore.store", "Memberlist"))[0]?.message ?? "",
      /found "Memberlist".*did you mean "memberlist"\?$/,
    );
    // dskit's switch takes `mock`, its test client; Loki 3.7.6 panicked with it.
    assert.match(
      errors(nested("common.ring.kvstore.store", "mock"))[0]?.message ?? "",
      /found "mock": Loki stops at start \(dskit's "mock" store is for its tests: Loki 3\.7\.6 panics with it/,
    );
    // A flag sets the same key: judged alike.
    const [flag] = checkEngineFlags(loki, ["-ring.store=memberlst"]).map(unknownKeyHint);
    assert.equal(flag.path, "-ring.store=memberlst");
    assert.match(flag.message, /found "memberlst".*invalid KV store type.*did you mean "memberlist"\?$/);
    assert.deepEqual(checkEngineFlags(loki, ["-ring.store=memberlist"]), []);
  });

  it("a multi store reads multi.primary and multi.secondary, each another store; they are not read under any other store", () => {
    const kv = (multi: Record<string, unknown>, store = "multi") =>
      errors({ common: { ring: { kvstore: { store, multi } } } });
    assert.deepEqual(kv({ primary: "consul", secondary: "memberlist" }), []);
    // Loki 3.7.6 with store inmemory and a misspelt primary started: multi is not read.
    assert.deepEqual(kv({ primary: "inmemry", secondary: "memberlist" }, "inmemory"), []);
    const [typo, ...rest] = kv({ primary: "inmemry", secondary: "memberlist" });
    assert.deepEqual(rest, []);
    assert.equal(typo.path, "common.ring.kvstore.multi.primary");
    assert.match(
      typo.message,
      /^expected one of consul, etcd, inmemory, memberlist; found "inmemry": Loki stops at start \("invalid KV store type: inmemry"\).*did you mean "inmemory"\?$/,
    );
    assert.match(
      kv({ primary: "consul" })[0]?.message ?? "",
      /^expected one of consul, etcd, inmemory, memberlist with store multi; found none: Loki stops at start \("primary or secondary store not set"\)/,
    );
    assert.equal(kv({ primary: "consul" })[0]?.path, "common.ring.kvstore.multi.secondary");
    assert.match(kv({ primary: "etcd", secondary: "etcd" })[0]?.message ?? "", /must be different/);
    assert.match(kv({ primary: "multi", secondary: "etcd" })[0]?.message ?? "", /cannot be multi-stores/);
  });

  it("ruler.storage.type takes the words NewLegacyRuleStore's switch takes, not those of its help (configdb)", () => {
    const ruler = (type: unknown, extra: Record<string, unknown> = {}) =>
      errors({ ...extra, ruler: { storage: { type } } });
    for (const ok of ["azure", "gcs", "s3", "bos", "swift", "cos", "alibabacloud", "local", ""])
      assert.deepEqual(ruler(ok), [], ok);
    const cases: [string, string][] = [
      ["s4", '; did you mean "s3"?'],
      ["locl", '; did you mean "local"?'],
      ["S3", '; did you mean "s3"?'],
      ["filesystem", ""],
      ["configdb", ""],
    ];
    for (const [typo, hint] of cases) {
      const [p, ...rest] = ruler(typo);
      assert.deepEqual(rest, [], typo);
      assert.equal(p.path, "ruler.storage.type");
      assert.equal(
        p.message,
        `expected one of azure, gcs, s3, bos, swift, cos, alibabacloud, local; found ${JSON.stringify(typo)}: Loki stops at start ("unrecognized rule storage mode") in every process that runs the ruler (targets all, backend and ruler; read with -legacy-read-mode); with storage_config.use_thanos_objstore true it reads ruler_storage instead and ignores ruler.storage (grafana/loki v3.7.6 pkg/ruler/base/storage.go:97-117 (NewLegacyRuleStore), pkg/loki/modules.go:1581-1639 (initRulerStorage), pkg/loki/loki.go:838, 864, 866 (the ruler in targets all and backend))${hint}`,
      );
    }
    // With use_thanos_objstore Loki 3.7.6 started with `s4` there (it reads ruler_storage).
    assert.deepEqual(ruler("s4", { storage_config: { use_thanos_objstore: true } }), []);
    assert.match(
      checkEngineFlags(loki, ["-ruler.storage.type=s4"])[0]?.message ?? "",
      /found "s4": Loki stops at start \("unrecognized rule storage mode"\)/,
    );
  });

  it("a remote-write client's keys are RemoteWriteConfig's (ruler.remote_write.client, .clients, limits_config.ruler_remote_write_config)", () => {
    const url = "http://127.0.0.1:9/api/v1/write";
    // Loki 3.7.6 started with this client.
    const good = {
      url,
      remote_timeout: "30s",
      basic_auth: { username: "u", password: "p" },
      tls_config: { insecure_skip_verify: true },
      follow_redirects: true,
      queue_config: { max_shards: 2, capacity: 100 },
      metadata_config: { send: false },
      write_relabel_configs: [{ source_labels: ["a"], regex: "x", action: "drop" }],
      headers: { "X-A": "b" },
      proxy_url: "http://127.0.0.1:3128",
      sigv4: { region: "eu-west-1" },
      oauth2: {
        client_id: "i",
        client_secret: "s",
        token_url: url,
        scopes: ["x"],
        endpoint_params: { a: "b" },
      },
      authorization: { type: "Bearer", credentials: "x" },
      http_headers: { "X-B": { values: ["c"] } },
    };
    assert.deepEqual(
      errors({
        ruler: { remote_write: { enabled: true, client: good, clients: { a: good } } },
        limits_config: { ruler_remote_write_config: { a: good } },
      }),
      [],
    );
    // Each refused by Loki 3.7.6 at load ("field remote_timout not found in type config.plain").
    const cases: [unknown, string, string][] = [
      [
        { clients: { a: { url, remote_timout: "30s" } } },
        "clients.a.remote_timout",
        "clients.a.remote_timeout",
      ],
      [{ client: { url, remote_timout: "30s" } }, "client.remote_timout", "client.remote_timeout"],
      [
        { clients: { a: { url, queue_config: { max_shard: 2 } } } },
        "clients.a.queue_config.max_shard",
        "clients.a.queue_config.max_shards",
      ],
      [
        { clients: { a: { url, tls_config: { insecure_skip_verfy: true } } } },
        "clients.a.tls_config.insecure_skip_verfy",
        "clients.a.tls_config.insecure_skip_verify",
      ],
      [
        { clients: { a: { url, write_relabel_configs: [{ source_label: ["a"] }] } } },
        "clients.a.write_relabel_configs[0].source_label",
        "clients.a.write_relabel_configs[0].source_labels",
      ],
      [
        { clients: { a: { url, oauth2: { scope: ["x"] } } } },
        "clients.a.oauth2.scope",
        "clients.a.oauth2.scopes",
      ],
    ];
    for (const [remote, at, near] of cases) {
      const [p, ...rest] = errors({ ruler: { remote_write: remote } });
      assert.deepEqual(rest, [], at);
      assert.equal(p.path, `ruler.remote_write.${at}`);
      assert.match(p.message, /^Loki 3\.7\.6 has no key ruler\.remote_write\./);
      assert.ok(p.message.endsWith(`; did you mean ruler.remote_write.${near}?`), p.message);
    }
    assert.equal(
      errors({ limits_config: { ruler_remote_write_config: { a: { url, bogus: 1 } } } })[0]?.path,
      "limits_config.ruler_remote_write_config.a.bogus",
    );
  });

  it("the relabel configs' keys and a remote-write client's http_headers' are their Go structs'; the maps that take any key stay open", () => {
    const one = (config: unknown) => {
      const [p, ...rest] = errors(config);
      assert.deepEqual(rest, [], JSON.stringify(config));
      assert.ok(p, `no problem for ${JSON.stringify(config)}`);
      return p;
    };
    // Loki 3.7.6 refused each at load: "field source_label not found in type relabel.plain", "...
    // util.RelabelConfig", "field valuez not found in type config.Header".
    const cases: [unknown, string, string][] = [
      [
        { ruler: { alert_relabel_configs: [{ source_label: ["a"] }] } },
        "ruler.alert_relabel_configs[0].source_label",
        "ruler.alert_relabel_configs[0].source_labels",
      ],
      [
        { limits_config: { ruler_remote_write_relabel_configs: [{ source_label: ["a"] }] } },
        "limits_config.ruler_remote_write_relabel_configs[0].source_label",
        "limits_config.ruler_remote_write_relabel_configs[0].source_labels",
      ],
      [
        {
          ruler: {
            remote_write: { clients: { a: { url: "http://x", http_headers: { "X-A": { valuez: ["b"] } } } } },
          },
        },
        "ruler.remote_write.clients.a.http_headers.X-A.valuez",
        "ruler.remote_write.clients.a.http_headers.X-A.values",
      ],
    ];
    for (const [config, at, near] of cases) {
      const p = one(config);
      assert.equal(p.path, at);
      assert.ok(p.message.endsWith(`; did you mean ${near}?`), p.message);
    }
    const relabel = {
      source_labels: ["a"],
      separator: ";",
      regex: "x",
      modulus: 2,
      target_label: "t",
      replacement: "r",
      action: "hashmod",
    };
    // Loki 3.7.6 started with these, and with any header name, claim or proxy header (maps of any key).
    assert.deepEqual(
      errors({
        ruler: {
          alert_relabel_configs: [relabel, { ...relabel, action: "drop" }],
          remote_write: {
            clients: {
              a: {
                url: "http://x",
                http_headers: { "X-A": { values: ["b"], secrets: ["s"], files: [] } },
                proxy_connect_header: { "X-Anything": ["v"] },
                oauth2: { client_id: "i", token_url: "http://x", claims: { any: { nested: 1 } } },
              },
            },
          },
        },
        limits_config: {
          ruler_remote_write_relabel_configs: [relabel],
          ruler_remote_write_headers: { "X-Any": "v" },
        },
      }),
      [],
    );
  });

  it("the words of the older rules carry their closest word too", () => {
    assert.match(errors({ server: { log_level: "inf" } })[0]?.message ?? "", /did you mean "info"\?$/);
    assert.match(
      errors({ limits_config: { deletion_mode: "filter-and-delet" } })[0]?.message ?? "",
      /did you mean "filter-and-delete"\?$/,
    );
  });
});
