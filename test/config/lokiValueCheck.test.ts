import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { ConfigError } from "../../config/errors";
import { PROJECT } from "../../config/resolve";
import { LOKI_SCHEMA_PERIOD, lokiValueProblems } from "../../config/lokiValueCheck";
import { readStackConfig } from "../../synth/synthesize";
import { checkEngineConfig, loadEngineReference, modelDurationText } from "../../upstream/engines/references";
import { ROOT, tmpDir } from "../support/helpers";

/*
 * The Loki settings a stack passes through chartValues.loki.loki.<block> (config/lokiValueCheck.ts):
 * the chart copies them whole into Loki's config file, so they are judged by Loki 3.7.6's own
 * reference when the stack file is read, each named with its line and a closest match; a schema
 * override that would leave the logs already written unreadable, or that Loki refuses at start, is
 * refused there too.
 */
const P = (k: string) => `${PROJECT}:${k}`;
const ref = loadEngineReference("loki");
const period = (over: Record<string, unknown> = {}) => ({
  ...LOKI_SCHEMA_PERIOD,
  object_store: "s3",
  index: { ...LOKI_SCHEMA_PERIOD.index },
  ...over,
});

/** Each problem of the offline config check of staging's stack file with these chartValues, with its line. */
function run(values: Record<string, unknown>): {
  problems: { problem: string; line?: number }[];
  lines: string[];
} {
  const dir = tmpDir("loki-values");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  doc.config[P("chartValues")] = values;
  const text = stringify(doc);
  fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), text);
  try {
    readStackConfig(dir, "s", {}, {});
    return { problems: [], lines: text.split("\n") };
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return {
      problems: e.problems.map((problem, i) => ({ problem, line: e.places[i]?.line })),
      lines: text.split("\n"),
    };
  }
}

describe("config: chartValues.loki.loki blocks are judged by Loki's reference (config/lokiValueCheck.ts)", function () {
  this.timeout(60000);

  // Said as an unknown key with no closest match: the documented way out (loki-shared-store-removed,
  // "Use delete_request_store") was never reached, since the stack stops here before the pack runs.
  it("a key Loki 3.0 removed is one problem naming the key that replaced it, with its line", () => {
    const { problems, lines } = run({
      loki: { loki: { compactor: { shared_store: "s3", shared_store_key_prefix: "index/" } } },
    });
    const removed = (name: string, instead: string) =>
      `${P(`chartValues.loki.loki.compactor.${name}`)}: a key Loki 3.0 removed (the loki chart copies it into Loki's config file, and Loki 3.7.6 refuses it at start: "field ${name} not found in type compactor.Config"), expected no ${name} in compactor, got "${name}"; remove it and use chartValues.loki.loki.compactor.${instead} instead`;
    assert.deepEqual(
      problems.map((p) => p.problem),
      [
        removed("shared_store", "delete_request_store"),
        removed("shared_store_key_prefix", "delete_request_store_key_prefix"),
      ],
    );
    assert.equal(problems[0].line, lines.findIndex((l) => l.trimStart().startsWith("shared_store:")) + 1);
  });

  it("a misspelt key of limits_config or ingester is one problem each, with its line and the closest key", () => {
    const { problems, lines } = run({
      loki: {
        loki: {
          limits_config: { ingestion_rate_mbb: 10, reject_old_sample: true },
          ingester: { chunk_idle_perod: "1h" },
        },
      },
    });
    const cases: [string, string][] = [
      ["limits_config.ingestion_rate_mbb", "limits_config.ingestion_rate_mb"],
      // reject_old_samples is also a key of the chart's default limits_config: said once, by Loki's reference.
      ["limits_config.reject_old_sample", "limits_config.reject_old_samples"],
      ["ingester.chunk_idle_perod", "ingester.chunk_idle_period"],
    ];
    assert.equal(problems.length, cases.length, problems.map((p) => p.problem).join("\n"));
    for (const [key, near] of cases) {
      const hit = problems.find((p) =>
        p.problem.startsWith(`${P(`chartValues.loki.loki.${key}`)}: unknown key of Loki 3.7.6's`),
      );
      assert.ok(hit, `${key} in\n${problems.map((p) => p.problem).join("\n")}`);
      assert.match(
        hit.problem,
        new RegExp(
          `got "${key.split(".")[1]}"; did you mean chartValues\\.loki\\.loki\\.${near.replace(/\./g, "\\.")}\\?$`,
        ),
      );
      const leaf = key.split(".")[1];
      assert.equal(hit.line, lines.findIndex((l) => l.trimStart().startsWith(`${leaf}:`)) + 1, hit.problem);
    }
  });

  it("rulerConfig, commonConfig and memberlistConfig are judged as the ruler, common and memberlist blocks they become: one problem per key, with its line and closest key", () => {
    const { problems, lines } = run({
      loki: {
        loki: {
          // replication_factor is also a key of the chart's default commonConfig: said once, by Loki's reference.
          commonConfig: { path_prefix: "/var/loki", replication_factr: 1 },
          rulerConfig: { enable_apii: true, evaluation_interval: "1d" },
          memberlistConfig: { join_memberz: ["loki-memberlist"] },
        },
      },
    });
    const cases: [string, string, RegExp][] = [
      [
        "commonConfig.replication_factr",
        "common",
        // Read as replication_factor, it sets staging's loki.replicationFactor twice: said in its line.
        /did you mean chartValues\.loki\.loki\.commonConfig\.replication_factor\? \(read as replication_factor, which is refused: loki\.replicationFactor: .* got it set twice: .* remove chartValues\.loki\.loki\.commonConfig\.replication_factr\)$/,
      ],
      [
        "rulerConfig.enable_apii",
        "ruler",
        /did you mean chartValues\.loki\.loki\.rulerConfig\.enable_api\?$/,
      ],
      ["rulerConfig.evaluation_interval", "ruler", /expected a Go time\.Duration.*found "1d"/],
      [
        "memberlistConfig.join_memberz",
        "memberlist",
        /did you mean chartValues\.loki\.loki\.memberlistConfig\.join_members\?$/,
      ],
    ];
    assert.equal(problems.length, cases.length, problems.map((p) => p.problem).join("\n"));
    for (const [key, block, said] of cases) {
      const hit = problems.find((p) => p.problem.startsWith(`${P(`chartValues.loki.loki.${key}`)}: `));
      assert.ok(hit, `${key} in\n${problems.map((p) => p.problem).join("\n")}`);
      assert.match(hit.problem, said);
      if (!said.source.startsWith("expected"))
        assert.match(hit.problem, new RegExp(`unknown key of Loki 3\\.7\\.6's ${block} `));
      const leaf = key.split(".")[1];
      assert.equal(hit.line, lines.findIndex((l) => l.trimStart().startsWith(`${leaf}:`)) + 1, hit.problem);
    }
  });

  it("a ring's KV store, the ruler's storage type and a remote-write client's keys are judged at their lines, each with its closest word or key", () => {
    const { problems, lines } = run({
      loki: {
        loki: {
          commonConfig: { ring: { kvstore: { store: "memberlst" } } },
          ingester: { lifecycler: { ring: { kvstore: { store: "Memberlist" } } } },
          rulerConfig: {
            storage: { type: "s4" },
            remote_write: {
              enabled: true,
              clients: { mimir: { url: "http://m/api/v1/push", remote_timout: "30s" } },
            },
          },
        },
      },
    });
    const cases: [string, string, RegExp][] = [
      [
        "commonConfig.ring.kvstore.store",
        "store: memberlst",
        /expected one of consul, etcd, inmemory, memberlist, multi; found "memberlst": Loki stops at start \("invalid KV store type: memberlst"\).*; did you mean "memberlist"\?$/,
      ],
      [
        "ingester.lifecycler.ring.kvstore.store",
        "store: Memberlist",
        /found "Memberlist".*; did you mean "memberlist"\?$/,
      ],
      [
        "rulerConfig.storage.type",
        "type: s4",
        /expected one of azure, gcs, s3, bos, swift, cos, alibabacloud, local; found "s4": Loki stops at start \("unrecognized rule storage mode"\).*; did you mean "s3"\?$/,
      ],
      [
        "rulerConfig.remote_write.clients.mimir.remote_timout",
        "remote_timout: 30s",
        /unknown key of Loki 3\.7\.6's ruler\.remote_write\.clients\.mimir .*got "remote_timout"; did you mean chartValues\.loki\.loki\.rulerConfig\.remote_write\.clients\.mimir\.remote_timeout\?$/,
      ],
    ];
    assert.equal(problems.length, cases.length, problems.map((p) => p.problem).join("\n"));
    for (const [key, line, said] of cases) {
      const hit = problems.find((p) => p.problem.startsWith(`${P(`chartValues.loki.loki.${key}`)}: `));
      assert.ok(hit, `${key} in\n${problems.map((p) => p.problem).join("\n")}`);
      assert.match(hit.problem, said);
      assert.equal(hit.line, lines.findIndex((l) => l.trim() === line) + 1, hit.problem);
    }
  });

  it("the words Loki takes beyond the rings are judged at their lines; a word Loki takes but reads as another is no problem of the stack file", () => {
    const { problems, lines } = run({
      loki: {
        loki: {
          // Loki 3.7.6 took `path`, which the check refused as no integer (the reference's type).
          storage_config: { object_store: { s3: { bucket_lookup_type: "path" } } },
          server: { tls_min_version: "VersionTLS14", log_format: "JSON" },
          rulerConfig: {
            evaluation: { mode: "remot" },
            alert_relabel_configs: [{ source_labels: ["a"], action: "dropp" }],
          },
        },
      },
    });
    const cases: [string, string, RegExp][] = [
      [
        "server.tls_min_version",
        "tls_min_version: VersionTLS14",
        /expected one of VersionTLS10, .*; found "VersionTLS14": Loki stops at start \("TLS version \\"VersionTLS14\\" not recognized"\) in every process/,
      ],
      [
        "rulerConfig.evaluation.mode",
        "mode: remot",
        /expected one of local, remote; found "remot": Loki stops at start .*; did you mean "remote"\?$/,
      ],
      [
        "rulerConfig.alert_relabel_configs[0].action",
        "action: dropp",
        /found "dropp": Loki stops at load \("unknown relabel action"\).*; did you mean "drop"\?$/,
      ],
    ];
    assert.equal(problems.length, cases.length, problems.map((p) => p.problem).join("\n"));
    for (const [key, line, said] of cases) {
      const hit = problems.find((p) => p.problem.startsWith(`${P(`chartValues.loki.loki.${key}`)}: `));
      assert.ok(hit, `${key} in\n${problems.map((p) => p.problem).join("\n")}`);
      assert.match(hit.problem, said);
      assert.equal(
        hit.line,
        lines.findIndex((l) => l.trim() === line || l.trim() === `- ${line}`) + 1,
        hit.problem,
      );
    }
  });

  it("a renamed block the chart does not write is not judged by Loki (rulerConfig with the ruler off, extraMemberlistConfig beside memberlistConfig)", () => {
    assert.deepEqual(
      lokiValueProblems(
        { ruler: { enabled: false }, loki: { rulerConfig: { enable_apii: true } } },
        PROJECT,
        ref,
      ),
      [],
    );
    const extra = { extraMemberlistConfig: { bind_prot: 7946 } };
    assert.deepEqual(
      lokiValueProblems({ loki: { ...extra, memberlistConfig: { join_members: ["x"] } } }, PROJECT, ref),
      [],
    );
    const [p, ...rest] = lokiValueProblems({ loki: extra }, PROJECT, ref);
    assert.deepEqual(rest, []);
    assert.match(
      p,
      /^homelab-observability:chartValues\.loki\.loki\.extraMemberlistConfig\.bind_prot: unknown key of Loki 3\.7\.6's memberlist .*did you mean chartValues\.loki\.loki\.extraMemberlistConfig\.bind_port\?$/,
    );
  });

  it("a retention_stream entry under 24h is refused at its line with Loki's rule, its words and what to set", () => {
    const retention_stream = [
      { selector: '{namespace="dev"}', priority: 1, period: "24h" },
      { selector: '{namespace="ci"}', priority: 2, period: "12h" },
      { selector: '{app="x"}', priority: 3 },
      { selector: '{app="y"}', priority: 4, period: "1d" },
    ];
    const { problems, lines } = run({ loki: { loki: { limits_config: { retention_stream } } } });
    assert.equal(problems.length, 2, problems.map((p) => p.problem).join("\n"));
    const [short, missing] = problems;
    assert.match(
      short.problem,
      new RegExp(
        `^${P("chartValues.loki.loki.limits_config.retention_stream[1].period").replace(/[.[\]]/g, "\\$&")}: ` +
          `expected a retention period of at least 24h for the streams \\{namespace="ci"\\}; found "12h": ` +
          `Loki stops at start \\("CONFIG ERROR: invalid limits_config config: retention period must be >= 24h was 12h"\\); ` +
          `set period to 24h or more.*pkg/validation/limits\\.go:605-607`,
      ),
    );
    assert.equal(short.line, lines.findIndex((l) => l.includes("period: 12h")) + 1, short.problem);
    assert.match(
      missing.problem,
      /retention_stream\[2\]: expected a retention period of at least 24h for the streams \{app="x"\}; found no period \(Loki reads it as 0s\).*was 0s/,
    );
    assert.equal(
      missing.line,
      lines.findIndex((l) => l.includes("selector: '{app=\"x\"}'")) + 1,
      missing.problem,
    );
  });

  it("a byte size takes Loki's text form (8MB) and is refused with a fraction", () => {
    assert.deepEqual(
      lokiValueProblems(
        { loki: { limits_config: { per_stream_rate_limit: "8MB", max_line_size: 262144 } } },
        PROJECT,
        ref,
      ),
      [],
    );
    const [p, ...rest] = lokiValueProblems(
      { loki: { limits_config: { per_stream_rate_limit: "1.5MB" } } },
      PROJECT,
      ref,
    );
    assert.deepEqual(rest, []);
    assert.match(
      p,
      /^homelab-observability:chartValues\.loki\.loki\.limits_config\.per_stream_rate_limit: expected a byte size.*found "1\.5MB"/,
    );
  });

  it("a Go time.Duration too long for Go to read is refused at its line with the longest it takes", () => {
    const { problems, lines } = run({ loki: { loki: { compactor: { compaction_interval: "3000000h" } } } });
    assert.equal(problems.length, 1, problems.map((p) => p.problem).join("\n"));
    assert.match(
      problems[0].problem,
      /^homelab-observability:chartValues\.loki\.loki\.compactor\.compaction_interval: expected a Go time\.Duration.*of at most 2562047h47m16\.854775807s \(about 292 years\); found "3000000h"/,
    );
    assert.equal(lines[problems[0].line! - 1].trim(), "compaction_interval: 3000000h");
    assert.deepEqual(
      run({ loki: { loki: { compactor: { compaction_interval: "2562047h" } } } }).problems,
      [],
    );
  });

  it("a value the chart computes with tpl is left to the render", () => {
    assert.deepEqual(
      lokiValueProblems({ loki: { limits_config: { max_line_size: "{{ .Values.x }}" } } }, PROJECT, ref),
      [],
    );
  });

  it("a schema override keeping the program's period and adding a later one passes", () => {
    const configs = [period(), period({ from: "2030-01-01" })];
    assert.deepEqual(lokiValueProblems({ loki: { schemaConfig: { configs } } }, PROJECT, ref), []);
  });

  it("a changed period already written is refused, once, naming the field (its logs would be unreadable)", () => {
    const configs = [period({ index: { prefix: "loki_index_", period: "168h" } })];
    const problems = lokiValueProblems({ loki: { schemaConfig: { configs } } }, PROJECT, ref);
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^homelab-observability:chartValues\.loki\.loki\.schemaConfig\.configs\[0\]\.index\.period: expected "24h".*unreadable.*got "168h"$/,
    );
    const dropped = lokiValueProblems(
      { loki: { schemaConfig: { configs: [period({ from: "2025-01-01" })] } } },
      PROJECT,
      ref,
    );
    assert.equal(dropped.length, 1, dropped.join("\n"));
    assert.match(dropped[0], /schemaConfig\.configs: expected .* got no period from 2024-04-01/);
  });

  it("a new period Loki refuses at start (tsdb off 24h, dates out of order) is refused with Loki's words and source", () => {
    const configs = [
      period(),
      period({ from: "2024-03-01", index: { prefix: "loki_index_", period: "48h" } }),
    ];
    const problems = lokiValueProblems({ loki: { schemaConfig: { configs } } }, PROJECT, ref);
    assert.equal(problems.length, 2, problems.join("\n"));
    assert.match(
      problems[0],
      /configs\[1\]\.index\.period is "48h" with store tsdb.*schema_config\.go:48, 464-471/,
    );
    assert.match(
      problems[1],
      /configs\[1\]\.from is "2024-03-01", not after configs\[0\]\.from "2024-04-01".*schema_config\.go:44, 335-339/,
    );
  });
});

describe("upstream/engines/references.ts: Loki's byte sizes, schema rules and unknown keys' neighbours", () => {
  it("a ByteSize field takes datasize text; a plain int field does not", () => {
    const errors = (c: unknown) => checkEngineConfig(ref, c).filter((p) => p.severity === "error");
    assert.deepEqual(
      errors({ limits_config: { per_stream_rate_limit: "8MB", per_stream_rate_limit_burst: "15 mb" } }),
      [],
    );
    assert.equal(errors({ limits_config: { per_stream_rate_limit: "8MiB" } }).length, 1);
    assert.equal(errors({ limits_config: { max_streams_per_user: "8MB" } }).length, 1);
  });

  it("a flagext.Bytes field (default printed like 63KiB1023B) takes ParseBase2Bytes text, not a bare number", () => {
    // The fields are found by their default's form in the reference data, not listed by hand.
    const base2 = [...ref.fields.values()].filter((f) => f.type === "int" && /iB/.test(f.default ?? ""));
    const window = base2.find((f) => f.path === "frontend.grpc_client_config.initial_stream_window_size");
    assert.ok(window, `no Base2 default on frontend's window size: ${base2.map((f) => f.path).join(", ")}`);
    const problems = (v: unknown) =>
      lokiValueProblems(
        { loki: { frontend: { grpc_client_config: { initial_stream_window_size: v } } } },
        PROJECT,
        ref,
      );
    for (const ok of ["1MiB", "63KiB1023B", "1.5MiB", "1MB", "512B", "0", 0])
      assert.deepEqual(problems(ok), [], String(ok));
    for (const bad of [1048576, "1048576", "1 MiB", "1mb", "1KiB1KB"])
      assert.match(
        problems(bad)[0] ?? "",
        /^homelab-observability:chartValues\.loki\.loki\.frontend\.grpc_client_config\.initial_stream_window_size: expected a byte size with a unit/,
        String(bad),
      );
  });

  it("a retention_stream period is judged as model.Duration and said in Loki's words (model.Duration.String)", () => {
    const errors = (period: unknown) =>
      checkEngineConfig(ref, {
        limits_config: { retention_stream: [{ selector: '{a="b"}', period }] },
      }).filter((p) => p.severity === "error");
    assert.deepEqual(errors("1d"), []);
    assert.deepEqual(errors("1w"), []);
    const [short] = errors("90m");
    assert.equal(short.path, "limits_config.retention_stream[0].period");
    assert.match(short.message, /was 1h30m"/);
    assert.match(errors("23h59m")[0].message, /was 23h59m"/);
    assert.match(errors("24hours")[0].message, /expected a Prometheus model\.Duration.*found "24hours"/);
    assert.equal(modelDurationText(90 * 86_400_000), "90d");
    assert.equal(modelDurationText(14 * 86_400_000), "2w");
  });

  it("an unknown key carries the keys of its level", () => {
    const [p] = checkEngineConfig(ref, { ingester: { chunk_idle_perod: "1h" } });
    assert.ok(p.known?.includes("chunk_idle_period"), JSON.stringify(p));
  });
});
