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
  engineVersionProblem,
  loadEngineReference,
  parsesAsGoDuration,
  parsesAsModelDuration,
  type EngineReference,
} from "../../upstream/engines/references";

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
    assert.match(byPath.get("compactor.retention_enabled")!, /expected a boolean/);
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
    assert.ok(f.some((p) => p.path === "-legacy-read-mode=false" && p.severity === "warning"));
    assert.deepEqual(checkEngineFlags(mimir, ["-target=all", "-server.http-listen-port=8080"]), []);
  });
});

describe("contract/expansion: values safe to expand into Loki's and Mimir's YAML", () => {
  it("passes letters, digits and -_./+=; the program's generated keys are letters and digits", () => {
    for (const ok of ["loki", "AKIA0123456789ABCDEF", "abc/def+ghi=", "a-b_c.d", "key:with-colon", "x#y"])
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
      ["-dash", /indicator/],
      ["[x]", /indicator/],
      ["{x}", /indicator/],
      ["two\nlines", /line break/],
      [" lead", /space/],
      ["true", /boolean, null or number/],
      ["null", /boolean, null or number/],
      ["12345", /boolean, null or number/],
      ["1e10", /boolean, null or number/],
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
