import { strict as assert } from "assert";
import * as path from "path";
import { spawnSync } from "child_process";
import { load as loadYaml } from "js-yaml";
import { stringify } from "yaml";
import { lokiValues } from "../../builders/logging/lokiValues";
import { chartDeploymentMode, LOKI_TERMINATION_GRACE_SECONDS } from "../../builders/logging/lokiModes";
import { LOKI_MODES, lokiModeOf } from "../../model/sizing";
import { lokiMoveRefusals, lokiSide } from "../../change/lokiMode";
import { planChange, type StackState } from "../../change/change";
import { RELEASE_TYPE } from "../../model/names";
import { updateChange } from "../../change/takeover";
import type { RunningState } from "../../model/running";
import { configWarnings } from "../../config/resolve";
import { versions } from "../../model/versions";
import { planStack } from "../../plan/plan";
import { chartCacheDir, helmBinary, runHelm } from "../../synth/render/helm";
import type { ExportResource, SynthResult } from "../../synth/synthesize";
import { cached, cacheKey } from "../support/fixtureCache";
import { config, ROOT } from "../support/helpers";

/*
 * The move off SimpleScalable, one update at a time: the values each step gives the loki chart
 * (the program's own builder), the change check's verdict on each update, and the real chart's
 * render of every step (grafana-community loki 18.11.0 from the chart cache).
 */

/** Production's Loki (SimpleScalable on S3, 3 write pods, replication factor 2), at a step. */
const PRODUCTION = { write: 3, read: 3, backend: 3, replicationFactor: 2, retention: "30d" };
const step = (loki: Record<string, unknown>) => {
  const cfg = config({ phase: "kps-removed", loki: { ...PRODUCTION, ...loki } });
  return { cfg, values: lokiValues(planStack(cfg).loki.inputs.settings) };
};
const STEPS = {
  ssd: step({ mode: "SimpleScalable" }),
  join: step({ mode: "Monolithic<->SimpleScalable", replicas: 3 }),
  drain2: step({ mode: "Monolithic<->SimpleScalable", replicas: 3, write: 2 }),
  drain1: step({ mode: "Monolithic<->SimpleScalable", replicas: 3, write: 1 }),
  drain0: step({ mode: "Monolithic<->SimpleScalable", replicas: 3, write: 0 }),
  // The last step drops write, read and backend (docs/how-to/loki-off-simple-scalable.md): nothing reads them now.
  mono: step({ mode: "Monolithic", replicas: 3, write: undefined, read: undefined, backend: undefined }),
};

const release = (values: object): ExportResource => ({
  urn: "urn:pulumi:production::homelab-observability::homelab:logging:Loki$kubernetes:helm.sh/v3:Release::loki",
  type: RELEASE_TYPE,
  custom: true,
  inputs: {
    chart: "loki",
    name: "loki",
    namespace: "monitoring",
    version: versions.charts.loki.version,
    values,
  },
  outputs: {},
});
const state = (values: object): StackState => ({
  export: { version: 3, deployment: { resources: [release(values)] } } as any,
  objects: [],
});
const refusalsOf = (from: object, to: object) =>
  planChange(state(from), state(to)).refused.flatMap((e) => e.refused);

describe("moving Loki off SimpleScalable: one update at a time, nothing the write pods hold lost", () => {
  it("the steps' values: the transitional mode runs the monolithic pods beside the write pods, then the write pods go", () => {
    assert.deepEqual(lokiSide(STEPS.ssd.values), { mode: "SimpleScalable", monolithic: 0, write: 3 });
    assert.deepEqual(lokiSide(STEPS.join.values), {
      mode: "Monolithic<->SimpleScalable",
      monolithic: 3,
      write: 3,
    });
    assert.deepEqual(lokiSide(STEPS.drain0.values), {
      mode: "Monolithic<->SimpleScalable",
      monolithic: 3,
      write: 0,
    });
    assert.deepEqual(lokiSide(STEPS.mono.values), { mode: "Monolithic", monolithic: 3, write: 0 });
    // Every pod that holds an ingester outlasts its flush, and flushes on shutdown.
    for (const s of Object.values(STEPS)) {
      assert.equal(s.values.singleBinary.terminationGracePeriodSeconds, LOKI_TERMINATION_GRACE_SECONDS);
      assert.equal(s.values.write.terminationGracePeriodSeconds, LOKI_TERMINATION_GRACE_SECONDS);
      assert.equal(s.values.loki.ingester.wal.flush_on_shutdown, true);
      assert.equal(s.values.loki.ingester.lifecycler.unregister_on_shutdown, true);
    }
    assert.ok(LOKI_TERMINATION_GRACE_SECONDS > 600, "above flush_op_timeout (10m)");
  });

  it("the change check passes each step of the move, one update at a time", () => {
    const order = [STEPS.ssd, STEPS.join, STEPS.drain2, STEPS.drain1, STEPS.drain0, STEPS.mono];
    for (let i = 1; i < order.length; i++)
      assert.deepEqual(refusalsOf(order[i - 1].values, order[i].values), [], `step ${i}`);
  });

  it("refuses the jump from SimpleScalable straight to Monolithic, naming the transitional step", () => {
    const r = refusalsOf(STEPS.ssd.values, STEPS.mono.values);
    assert.equal(r.length, 1);
    assert.equal(r[0].field, "values.deploymentMode");
    assert.match(
      r[0].reason,
      /a jump from "SimpleScalable" straight to "Monolithic" removes all 3 write pods in one update.*loki\.mode "Monolithic<->SimpleScalable"/,
    );
  });

  it("refuses write pods leaving in the update that starts the monolithic pods, and two leaving at once", () => {
    const early = refusalsOf(STEPS.ssd.values, STEPS.drain2.values);
    assert.match(
      early.map((x) => x.reason).join("\n"),
      /removes 1 write pod\(s\) \(3 -> 2\) in the update that starts the monolithic pods/,
    );
    const twice = refusalsOf(STEPS.join.values, STEPS.drain1.values);
    assert.equal(twice.length, 1);
    assert.match(
      twice[0].reason,
      /removes 2 write pods at once \(3 -> 1\).*write\.podManagementPolicy "Parallel"/,
    );
    // Straight to Monolithic from the transitional mode with the write pods still there: one
    // refusal naming the steps it skips (write down to 0, each gated, then Monolithic).
    const skip = refusalsOf(STEPS.join.values, STEPS.mono.values);
    assert.equal(skip.length, 1);
    assert.match(
      skip[0].reason,
      /"Monolithic<->SimpleScalable" -> "Monolithic" while 3 write pod\(s\) still run.*Set loki\.mode back to "Monolithic<->SimpleScalable" \(loki\.write is read only there\) with loki\.write: 2, then lower it by one per update down to 0/,
    );
  });

  it("two write pods leaving in the update that starts the monolithic pods are one refusal: one change, one fix", () => {
    const r = refusalsOf(STEPS.ssd.values, STEPS.drain1.values);
    assert.equal(r.length, 1, r.map((x) => x.reason).join("\n"));
    assert.equal(r[0].field, "values.write.replicas");
    assert.match(
      r[0].reason,
      /removes 2 write pod\(s\) \(3 -> 1\), 2 at once \(the chart stops them together, write\.podManagementPolicy "Parallel"\) in the update that starts the monolithic pods.*Keep loki\.write at 3 in the update to "Monolithic<->SimpleScalable", then lower it by one per update/,
    );
  });

  it("reads the chart's old names too, as `helm get values` of a 6.x release shows them", () => {
    assert.deepEqual(lokiSide({ deploymentMode: "SingleBinary", singleBinary: { replicas: 1 } }), {
      mode: "Monolithic",
      monolithic: 1,
      write: 0,
    });
    assert.deepEqual(
      lokiMoveRefusals(
        { mode: "SimpleScalable", monolithic: 0, write: 3 },
        lokiSide({ deploymentMode: "SingleBinary", singleBinary: { replicas: 3 } })!,
        { stack: "production" },
      ).map((r) => r.field),
      ["values.deploymentMode"],
    );
  });

  it("warns about SimpleScalable on every stack that runs it, naming the move; no other mode is warned about", () => {
    const [w] = configWarnings(STEPS.ssd.cfg, "tfl1");
    assert.match(
      w,
      /loki\.mode: "SimpleScalable" is deprecated .*"Monolithic<->SimpleScalable".*docs\/how-to\/loki-off-simple-scalable\.md.*A new stack takes "Monolithic"/,
    );
    // The gate it names is the stack's, as verify requires it (pasted without --stack: exit 2).
    assert.match(w, /; npm run verify -- --stack tfl1 --gate loki-join says when the first step is safe,/);
    for (const s of [STEPS.join, STEPS.mono]) assert.deepEqual(configWarnings(s.cfg, "tfl1"), []);
  });

  describe("each step rendered by the real chart (loki 18.11.0)", () => {
    type Obj = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> };
    const render = (values: object): Promise<Obj[]> => {
      const v = versions.charts.loki.version;
      const archive = path.join(chartCacheDir(ROOT), `loki-${v}.tgz`);
      return cached("loki-move-step", cacheKey("loki-move-step", { v, values }), async () => {
        const r = await runHelm(
          helmBinary(ROOT),
          ["template", "loki", archive, "--namespace", "monitoring", "-f", "-"],
          stringify(values),
        );
        if (r.code !== 0) throw new Error(`helm template loki-${v}: ${r.stderr}`);
        return r.stdout
          .split(/^---$/m)
          .map((d) => loadYaml(d) as Obj)
          .filter(
            (o) => o?.kind === "StatefulSet" || (o?.kind === "ConfigMap" && o.metadata.name === "loki"),
          );
      });
    };
    const sets = (objs: Obj[]) =>
      Object.fromEntries(objs.filter((o) => o.kind === "StatefulSet").map((o) => [o.metadata.name, o.spec]));

    it("the chart accepts every step; the write StatefulSet keeps its claims until it goes, and each pod's grace outlasts its flush", async function () {
      this.timeout(60000);
      const ssd = sets(await render(STEPS.ssd.values));
      const join = await render(STEPS.join.values);
      const j = sets(join);
      assert.equal(j.loki.replicas, 3);
      assert.equal(j["loki-write"].replicas, 3);
      assert.deepEqual(j["loki-write"].volumeClaimTemplates, ssd["loki-write"].volumeClaimTemplates);
      assert.equal(j["loki-write"].serviceName, ssd["loki-write"].serviceName);
      for (const name of ["loki", "loki-write"])
        assert.equal(
          j[name].template.spec.terminationGracePeriodSeconds,
          LOKI_TERMINATION_GRACE_SECONDS,
          name,
        );
      // One compactor: no instance is made its horizontally scaled main; the compactor ring elects one.
      const cfg = loadYaml(join.find((o) => o.kind === "ConfigMap")!.data!["config.yaml"]) as any;
      assert.notEqual(cfg.compactor?.horizontal_scaling_mode, "main");
      assert.equal(cfg.ingester.wal.flush_on_shutdown, true);
      assert.equal(sets(await render(STEPS.drain1.values))["loki-write"].replicas, 1);
      const mono = sets(await render(STEPS.mono.values));
      assert.equal(mono.loki.replicas, 3);
      assert.equal(mono["loki-write"], undefined);
    });

    it("every mode the stack config takes is one the chart's templates know (loki.deployment.is*)", () => {
      const archive = path.join(chartCacheDir(ROOT), `loki-${versions.charts.loki.version}.tgz`);
      const tpl = spawnSync("tar", ["-xzOf", archive, "loki/templates/_helpers.tpl"], { encoding: "utf8" });
      assert.equal(tpl.status, 0, tpl.stderr);
      const known = new Set(
        [...tpl.stdout.matchAll(/eq \.Values\.deploymentMode "([^"]+)"/g)].map((m) => m[1]),
      );
      for (const mode of LOKI_MODES) assert.ok(known.has(mode), `${mode} not in ${[...known].join(", ")}`);
      // And the names the builder writes are the chart's too.
      for (const mode of LOKI_MODES) assert.ok(known.has(chartDeploymentMode(lokiModeOf(mode))), mode);
    });

    it("a takeover (--running) judges the move the same way, naming the stack key at its line", async function () {
      this.timeout(60000);
      // What runs: a monolithic Loki of 3 pods; the program's first update: SimpleScalable.
      const program = release(STEPS.ssd.values);
      const update = {
        export: { version: 3, deployment: { resources: [program] } },
        imports: [{ urn: program.urn, type: RELEASE_TYPE, id: "monitoring/loki" }],
        reads: [],
        outputs: {},
        secretDataKeys: {},
        warnings: [],
      } as unknown as SynthResult;
      const running: RunningState = {
        dir: "/running",
        releases: [
          {
            name: "loki",
            namespace: "monitoring",
            chart: "loki",
            version: versions.charts.loki.version,
            values: STEPS.mono.values,
          },
        ],
        // The monolithic StatefulSet as kubectl lists it: an empty report reads as collected elsewhere.
        statefulSets: [{ kind: "StatefulSet", metadata: { name: "loki", namespace: "monitoring" } }],
        pvcs: [],
      };
      const at = (key: string) => (key === "loki.mode" ? "Pulumi.takeover.yaml:36" : undefined);
      const report = await updateChange(update, running, { at });
      const loki = report.refused.find((e) => e.subject === "Release::loki");
      assert.match(
        loki?.refused.map((r) => r.reason).join("\n") ?? JSON.stringify(report.refused),
        /^loki\.mode \(Pulumi\.takeover\.yaml:36\): a jump from "Monolithic" straight to "SimpleScalable" removes all 3 monolithic pod\(s\)/m,
      );
    });

    it("the chart itself refuses monolithic pods beside write pods outside the transitional mode", async function () {
      this.timeout(60000);
      const bad = { ...STEPS.join.values, deploymentMode: "Monolithic" };
      await assert.rejects(render(bad), /transitional 'Monolithic<->SimpleScalable' mode/);
    });
  });
});
