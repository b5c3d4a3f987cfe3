import { strict as assert } from "assert";
import fc from "fast-check";
import { stringify } from "yaml";
import { lokiValues } from "../../builders/logging/lokiValues";
import { mimirConfig } from "../../builders/metrics/mimirConfig";
import { mimirWorkloads } from "../../builders/metrics/mimirValues";
import { BACKENDS, PHASES } from "../../model/phases";
import { LOKI_MODES, PROFILES } from "../../model/sizing";
import { planStack } from "../../plan/plan";
import {
  checkEngineConfig,
  checkEngineFlags,
  loadEngineReference,
  type EngineReference,
} from "../../upstream/engines/references";
import { config } from "../support/helpers";

/**
 * Property: every Loki and Mimir config the program builds, for any stack config the schema
 * accepts, loads in the engine as its reference describes it (upstream/engines/references.ts).
 * fast-check draws stack configs over phases, metrics backends, profiles, object stores, Loki modes
 * and replicas, retention and delete delay in every unit the schema takes, Mimir's limits and
 * tenancy; each is parsed by the schema (configs it refuses are discarded), planned, and built
 * without Helm: Mimir's file is the builder's output; Loki's file is what the loki chart 6.49.0
 * writes from the values' engine blocks (values.yaml:164-326 `loki.config`: auth_enabled,
 * commonConfig -> common, limits_config, schemaConfig -> schema_config, compactor,
 * pattern_ingester copied as they are). The real Helm render of the committed stacks is judged by
 * rendered.test.ts through checkStack.
 */
describe("property: every engine config built from a valid stack config passes the engines' references", function () {
  this.timeout(60_000);
  let loki: EngineReference;
  let mimir: EngineReference;
  before(function () {
    loki = loadEngineReference("loki");
    mimir = loadEngineReference("mimir");
  });

  /** A schema duration: a positive integer and any unit the schema takes. */
  const duration = (units: string[], max: number) =>
    fc.tuple(fc.integer({ min: 1, max }), fc.constantFrom(...units)).map(([n, u]) => `${n}${u}`);

  const stackConfig = fc.record({
    phase: fc.constantFrom(...PHASES),
    metricsBackend: fc.constantFrom(...BACKENDS),
    profile: fc.constantFrom(...PROFILES),
    objectStore: fc.oneof(
      fc.constant({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
      fc.constant({ type: "ceph-rgw" }),
      fc.constant({ type: "filesystem" }),
    ),
    loki: fc.record({
      mode: fc.constantFrom(...LOKI_MODES),
      // Left out too: the schema takes loki.replicas only in the modes that run monolithic pods, so
      // always drawing it left SimpleScalable and Distributed out of every accepted config.
      replicas: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      replicationFactor: fc.integer({ min: 1, max: 3 }),
      retention: duration(["d", "w"], 60),
      deleteDelay: duration(["ms", "s", "m", "h", "d", "w", "y"], 48),
      authEnabled: fc.boolean(),
    }),
    mimir: fc.record({
      replicas: fc.integer({ min: 1, max: 3 }),
      blocksRetention: duration(["h", "d", "w", "y"], 400),
      ingestionRate: fc.integer({ min: 1, max: 1_000_000 }),
      maxGlobalSeriesPerUser: fc.integer({ min: 1, max: 2_000_000 }),
      multitenancy: fc.boolean(),
    }),
  });

  /** The engine blocks of the loki chart's values, as the chart writes them into Loki's file. */
  const lokiFile = (values: Record<string, any>): Record<string, unknown> => {
    const l = values.loki;
    return {
      auth_enabled: l.auth_enabled,
      common: l.commonConfig,
      limits_config: l.limits_config,
      schema_config: l.schemaConfig,
      compactor: l.compactor,
      pattern_ingester: l.pattern_ingester,
    };
  };

  it("Loki's and Mimir's files and Mimir's flags pass for every accepted stack config (100 runs)", () => {
    let judged = 0;
    const modes = new Set<string>();
    fc.assert(
      fc.property(stackConfig, (raw) => {
        let cfg;
        try {
          cfg = config(raw);
        } catch {
          fc.pre(false); // a config the schema or resolution refuses: not the program's to build
          return;
        }
        const plan = planStack(cfg);
        const problems: string[] = [];
        const errors = (engine: string, ps: { path: string; severity: string; message: string }[]) =>
          ps
            .filter((p) => p.severity === "error")
            .forEach((p) => problems.push(`${engine} ${p.path}: ${p.message}`));
        errors("loki", checkEngineConfig(loki, lokiFile(lokiValues(plan.loki.inputs.settings))));
        if (plan.mimir) {
          const m = plan.mimir.inputs;
          errors("mimir", checkEngineConfig(mimir, JSON.parse(JSON.stringify(mimirConfig(m.settings)))));
          const w = mimirWorkloads({ ...m, settings: m.settings });
          for (const x of [...w.statefulSets, ...w.deployments])
            for (const c of (x.spec as any).template.spec.containers)
              errors(
                "mimir flags",
                checkEngineFlags(
                  mimir,
                  (c.args as string[]).filter((a) => !/^-config\.(file|expand-env)/.test(a)),
                ),
              );
        }
        judged++;
        modes.add(plan.loki.inputs.settings.loki.mode);
        assert.deepEqual(problems, [], `${stringify(raw)}\n${problems.join("\n")}`);
      }),
      { numRuns: 100, seed: 33 },
    );
    assert.ok(judged >= 50, `only ${judged} of 100 drawn configs were valid`);
    // Every mode the stack config resolves to was drawn and judged.
    assert.deepEqual([...modes].sort(), [
      "Distributed",
      "Monolithic",
      "Monolithic<->SimpleScalable",
      "SimpleScalable",
    ]);
  });
});
