import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { execFileSync, spawnSync } from "child_process";
import { parse } from "yaml";
import { ROOT, synth, tmpDir } from "../support/helpers";
import { ConfigError } from "../../config/errors";
import { synthStack } from "../../synth/run";
import { checkedStackConfig } from "../../config/stackCheck";
import { pinnedChartKeys } from "../../synth/render/chartFacts";
import { chartPinPlace } from "../../config/chartPins";
import { versions } from "../../model/versions";
import { pulumiNodeTranspileOnly, pulumiTypeCheckOptions } from "../support/pulumiTsNode";
import type { EntrypointCase, EntrypointRun } from "../support/entrypoint";

/** The kube context a stack file pins (`homelab-observability:kubeContext`). */
function pinnedContext(stack: string): string {
  const doc = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  return doc.config["homelab-observability:kubeContext"];
}

/** A kubeconfig with `contexts`, selecting `current`, in a fresh folder; returns its path. */
function kubeconfig(contexts: string[], current: string): string {
  const dir = tmpDir("kubeconfig");
  const file = path.join(dir, "config");
  fs.writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      `current-context: ${current}`,
      "clusters: []",
      "users: []",
      "contexts:",
      ...contexts.map((c) => `  - name: ${c}\n    context: {cluster: ${c}, user: ${c}}`),
    ].join("\n"),
  );
  return file;
}

/**
 * Runs index.ts under mocks once per case, each with $KUBECONFIG naming its file, all in one child
 * loaded by Pulumi's ts-node registration in transpile-only mode (test/support/entrypoint.ts): the
 * type check that registration would run is the one `tsc -b` runs before the tests (proven below),
 * so the child does not repeat it. One process for every case: its start-up under ts-node is most
 * of its cost.
 */
function runIndex(cases: EntrypointCase[]): EntrypointRun[] {
  const child = pulumiNodeTranspileOnly(
    ROOT,
    path.join(ROOT, "test/support/entrypoint.ts"),
    ROOT,
    JSON.stringify(cases),
  );
  const r = spawnSync(process.execPath, child.args, { encoding: "utf8", env: child.env });
  if (r.status !== 0) throw new Error(`test/support/entrypoint.ts exited ${r.status}:\n${r.stderr}`);
  const runs = JSON.parse(r.stdout) as EntrypointRun[];
  assert.equal(runs.length, cases.length, r.stdout);
  tsNodeCache = child.env.TS_NODE_CACHE_DIRECTORY;
  return runs;
}
/** Where the last {@link runIndex} child's ts-node kept what it compiled. */
let tsNodeCache: string | undefined;

const P = "homelab-observability";
/** A schema refusal (a misspelt key) beside a rule between keys (Loki's retention). */
const SCHEMA_AND_RULES = {
  [`${P}:profil`]: "lightweight",
  [`${P}:loki`]: JSON.stringify({ retention: "12h" }),
};
/** A misspelt release the rules must read as the one meant (its claim is then required). */
const MISSPELT_RELEASE = {
  [`${P}:takeover`]: JSON.stringify({
    step: "import",
    releases: { kubePrometheusStak: "monitoring/kube-prometheus-stack", loki: "monitoring/loki" },
  }),
};
/** A chartValues key the grafana chart does not read (Helm would ignore it). */
const CHART_VALUE_TYPO = { [`${P}:chartValues`]: JSON.stringify({ grafana: { replicsa: 3 } }) };
/** A null Helm refuses by the alertmanager chart's schema, judged only once the tree is built. */
const CHART_VALUE_NULL = {
  [`${P}:chartValues`]: JSON.stringify({ alertmanager: { service: { port: null } } }),
};

/** What the offline synthesis says of staging with `set` over its config (its ConfigError's text). */
function synthRefusal(set: Record<string, string>): string {
  try {
    checkedStackConfig(ROOT, "staging", process.env, {
      allowAbsentSecrets: true,
      overrides: set,
      chartKeys: pinnedChartKeys,
    });
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
  throw new Error("the synthesis passed the stack");
}

describe("index.ts as `pulumi up` loads it", function () {
  this.timeout(120000);
  it("is type-checked by Pulumi's ts-node as `tsc -b` checks it (same options where checking depends on them, no global declarations)", () => {
    const { ts, tsc, tsNode, tsNodeFile } = pulumiTypeCheckOptions(ROOT, ROOT);
    // TypeScript's own option table says which options change what the checker reports.
    const table = (ts as unknown as { optionDeclarations: Record<string, unknown>[] }).optionDeclarations;
    // Options the table does not know (none expected) count as changing the check.
    const known = new Set(table.map((o) => o.name as string));
    const checking = new Set(
      table
        .filter(
          (o) =>
            [
              "affectsSemanticDiagnostics",
              "affectsBindDiagnostics",
              "affectsSourceFile",
              "affectsModuleResolution",
              "affectsProgramStructure",
              "strictFlag",
            ].some((k) => o[k] === true) ||
            (o.category !== undefined && (o.category as { key?: string }).key?.startsWith("Type_Checking")),
        )
        .map((o) => o.name as string),
    );
    assert.ok(
      checking.has("strict") && checking.has("target") && checking.has("paths"),
      "the option table was read",
    );
    const keys = new Set([...Object.keys(tsc), ...Object.keys(tsNode)]);
    const differ = [...keys].filter((k) => JSON.stringify(tsc[k]) !== JSON.stringify(tsNode[k]));
    assert.deepEqual(
      differ.filter((k) => checking.has(k) || !known.has(k)),
      [],
      `Pulumi's ts-node (${tsNodeFile}) checks with other options than tsc -b: ${differ.join(", ")}`,
    );
    // ts-node checks only the files index.ts loads, tsc -b every file tsconfig.json includes: the
    // same verdict as long as no file changes another's types from outside the import graph.
    const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "*.ts"], {
      cwd: ROOT,
      encoding: "utf8",
    })
      .split("\n")
      .filter((f) => f && !f.startsWith("test/") && !f.includes("/dist/"));
    const global = out.filter((f) => {
      if (f.endsWith(".d.ts")) return true;
      const text = fs.readFileSync(path.join(ROOT, f), "utf8");
      return /^\s*(declare\s+global|declare\s+module\s|\/\/\/\s*<reference)/m.test(text);
    });
    assert.deepEqual(global, [], "files that declare globals or augment modules");
    // Transpile-only emit is the checked emit only when every file compiles alone.
    assert.equal(tsNode.isolatedModules, true);
  });

  /**
   * index.ts run for staging three times in one child, for the tests below: another context
   * selected, a kubeconfig without the stack's context (both refused), then its context selected.
   */
  let otherSelected: EntrypointRun;
  let contextMissing: EntrypointRun;
  let staging: EntrypointRun;
  /** Staging with a stack file the synthesis refuses, as a preview runs it (the CLI passes it). */
  let plainSecret: EntrypointRun;
  let schemaAndRules: EntrypointRun;
  let misspeltRelease: EntrypointRun;
  let chartValueTypo: EntrypointRun;
  let noChartArchives: EntrypointRun;
  /** Staging with its own context selected and a chartValues null the program refuses once built. */
  let chartValueNull: EntrypointRun;
  /** A model/versions.ts pin slip (grafana's chart published only with a "v"), alone and beside the stack file's own problems. */
  let pinSlip: EntrypointRun;
  let pinSlipAndConfig: EntrypointRun;
  before(() => {
    // A chart cache holding grafana's pinned chart only as v<version>: the pin is then refused.
    const vCache = tmpDir("v-charts");
    fs.writeFileSync(path.join(vCache, `grafana-v${versions.charts.grafana.version}.tgz`), "");
    const ctx = pinnedContext("staging");
    // Another context selected in the cases below: a config that passes is refused for it, so none
    // loads index.ts to its end (only the last case may) and each says what the config check said.
    const other = kubeconfig([ctx, "admin@production"], "admin@production");
    [
      otherSelected,
      contextMissing,
      plainSecret,
      schemaAndRules,
      misspeltRelease,
      chartValueTypo,
      noChartArchives,
      chartValueNull,
      pinSlip,
      pinSlipAndConfig,
      staging,
    ] = runIndex([
      { stack: "staging", kubeconfig: kubeconfig([ctx, "admin@production"], "admin@production") },
      { stack: "staging", kubeconfig: kubeconfig(["admin@pi"], "admin@pi") },
      { stack: "staging", kubeconfig: other, set: { [`${P}:minioAdminPassword`]: "hunter2hunter2" } },
      { stack: "staging", kubeconfig: other, set: SCHEMA_AND_RULES },
      { stack: "staging", kubeconfig: other, set: MISSPELT_RELEASE },
      { stack: "staging", kubeconfig: other, set: CHART_VALUE_TYPO },
      {
        stack: "staging",
        kubeconfig: other,
        set: CHART_VALUE_TYPO,
        env: { HOMELAB_CHART_CACHE: tmpDir("no-charts") },
      },
      { stack: "staging", kubeconfig: kubeconfig([ctx, "other"], ctx), set: CHART_VALUE_NULL },
      { stack: "staging", kubeconfig: other, env: { HOMELAB_CHART_CACHE: vCache } },
      { stack: "staging", kubeconfig: other, set: SCHEMA_AND_RULES, env: { HOMELAB_CHART_CACHE: vCache } },
      // Last: the run that loads index.ts to its end (test/support/entrypoint.ts says why).
      { stack: "staging", kubeconfig: kubeconfig([ctx, "other"], ctx) },
    ]);
  });

  it("keeps Pulumi's ts-node cache inside the checkout, so a fresh clone's run compiles afresh", () => {
    assert.ok(tsNodeCache !== undefined, "no TS_NODE_CACHE_DIRECTORY: ts-node keeps it under os.tmpdir()");
    assert.ok(!path.relative(ROOT, tsNodeCache).startsWith(".."), tsNodeCache);
    assert.ok(fs.readdirSync(tsNodeCache).length > 0, `${tsNodeCache} is empty`);
  });

  it("compiles through Pulumi's ts-node registration and builds the staging stack", () => {
    const { status, types, error } = staging;
    assert.equal(status, 0, error);
    const outputs = staging.outputs as Record<string, any>;
    assert.ok(types.includes("kubernetes:helm.sh/v3:Release"));
    assert.ok(types.includes("minio:index/s3Bucket:S3Bucket"));
    assert.equal(outputs.phase, "kps-removed");
    assert.equal(outputs.lokiPushUrl, "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push");
    assert.deepEqual(outputs.bucketNames.slice(0, 1), ["staging-loki-chunks"]);
  });

  it("exports exactly the outputs the offline synthesis exports, plannedChanges included", async () => {
    const { status, error } = staging;
    assert.equal(status, 0, error);
    const [outputs, names] = [staging.outputs!, staging.names!];
    assert.ok(names.includes("plannedChanges"), "the change check's input is a real stack output");
    const synthesized = await synth("staging");
    const root = synthesized.export.deployment.resources.find((x) => x.type === "pulumi:pulumi:Stack");
    // What each side exports: names with a value (Pulumi, like JSON, exports no undefined one:
    // staging sets no chartValues, so index.ts's chartValueOverrides is undefined).
    const valued = Object.keys(outputs)
      .filter((k) => outputs[k] !== undefined)
      .sort();
    assert.deepEqual(Object.keys(root?.outputs ?? {}).sort(), valued);
    assert.deepEqual(Object.keys(synthesized.outputs).sort(), valued);
    // Every output the program declares is exported, with a value or not.
    assert.ok(names.includes("chartValueOverrides"), "policy:check's override names are a real stack output");
  });

  it("the synthesis checks the kube context in its offline form: a provider context naming another cluster is refused", async () => {
    await assert.rejects(
      synthStack(ROOT, "staging", { "kubernetes:context": "admin@production" }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /kubernetes:context: expected nothing or the stack's pinned context "admin@staging".*got "admin@production"/.test(
          e.message,
        ),
    );
  });

  it("refuses another selected context before registering anything, naming both contexts", () => {
    const ctx = pinnedContext("staging");
    const { status, types, error, runError } = otherSelected;
    assert.equal(status, 3, error);
    // A RunError: the Pulumi CLI prints its message alone, not "failed with an unhandled exception"
    // with the frames and the error's fields.
    assert.equal(runError, true, error);
    assert.deepEqual(types, [], "nothing registered");
    assert.match(
      error ?? "",
      new RegExp(`pinned to context "${ctx}" but the selected context is "admin@production"`),
    );
  });

  it("refuses a kubeconfig without the stack's context before registering anything", () => {
    const { status, types, error } = contextMissing;
    assert.equal(status, 3, error);
    assert.deepEqual(types, []);
    assert.match(
      error ?? "",
      /pinned to context "admin@staging", which the kubeconfig \(.*\) does not have; it has "admin@pi" and selects "admin@pi"/,
    );
  });

  it("refuses a secret key written in plain text, worded as the synthesis words it, never showing the value", () => {
    const { status, types, error } = plainSecret;
    assert.equal(status, 3, error);
    assert.deepEqual(types, [], "nothing registered");
    assert.ok(
      (error ?? "").includes(
        `${P}:minioAdminPassword: expected a secret (\`pulumi config set --stack staging --secret minioAdminPassword\`), got a plain value in the stack file (not shown; anyone who reads the file has it)`,
      ),
      error,
    );
    assert.doesNotMatch(error ?? "", /hunter2/);
  });

  it("reports a schema refusal and the rules between keys in one run, as the synthesis does", () => {
    const { status, types, error } = schemaAndRules;
    assert.equal(status, 3, error);
    assert.deepEqual(types, []);
    assert.match(error ?? "", /profil: unknown key; did you mean "profile"\?/);
    assert.match(error ?? "", /loki\.retention/);
    assert.equal(error, synthRefusal(SCHEMA_AND_RULES));
  });

  it("reads a misspelt key as the one it meant for the rules, with the synthesis's note", () => {
    const { status, error } = misspeltRelease;
    assert.equal(status, 3, error);
    assert.match(
      error ?? "",
      /takeover\.prometheusVolume: required when takeover\.releases\.kubePrometheusStack is set/,
    );
    assert.match(error ?? "", /read homelab-observability:takeover\.releases\.kubePrometheusStak as/);
    assert.equal(error, synthRefusal(MISSPELT_RELEASE));
  });

  it("refuses a chartValues key the pinned chart does not read when its archive is in the chart cache", () => {
    const { status, types, error } = chartValueTypo;
    assert.equal(status, 3, error);
    assert.deepEqual(types, []);
    assert.match(
      error ?? "",
      /chartValues\.grafana\.replicsa: unknown key of the grafana chart .*did you mean chartValues\.grafana\.replicas\?/,
    );
    assert.equal(error, synthRefusal(CHART_VALUE_TYPO));
  });

  it("refuses a chartValues null found once the tree is built before any of the tree is registered", () => {
    const { status, types, error, runError } = chartValueNull;
    assert.equal(status, 3, error);
    assert.equal(runError, true, error);
    assert.match(error ?? "", /chartValues\.alertmanager\.service\.port: expected a whole number .*got null/);
    // Under `pulumi up` a registered resource is created: a refused stack must reach no cluster.
    assert.deepEqual(types, [], "nothing registered");
  });

  it("names a model/versions.ts pin slip as the program's pin at its line, not as stack configuration; beside the stack file's problems, after them", () => {
    const v = versions.charts.grafana.version;
    const at = chartPinPlace("grafana", v)!.at;
    assert.match(at, /^model\/versions\.ts:\d+$/);
    const slip = `\n  - ${at}: charts.grafana.version: expected `;
    const meant = `, got "${v}", but grafana publishes it with a "v"; did you mean "v${v}"?`;
    for (const { status, types, error, runError } of [pinSlip, pinSlipAndConfig]) {
      assert.equal(status, 3, error);
      assert.equal(runError, true, error);
      assert.deepEqual(types, [], "nothing registered");
      assert.ok((error ?? "").includes(slip) && (error ?? "").includes(meant), error);
    }
    const heading =
      "invalid pins in model/versions.ts, the program's own, not the stack configuration (1 problem):";
    assert.ok((pinSlip.error ?? "").startsWith(`${heading}${slip}`), pinSlip.error);
    assert.doesNotMatch(pinSlip.error ?? "", /invalid stack configuration/);
    // Every problem in one run: the stack file's as the synthesis says them, then the pin's, apart.
    const [config, pins] = (pinSlipAndConfig.error ?? "").split(`\n${heading}`);
    assert.equal(config, synthRefusal(SCHEMA_AND_RULES));
    assert.ok((pins ?? "").startsWith(slip), pinSlipAndConfig.error);
  });

  it("says once, as a warning and not a refusal, that chartValues keys went unchecked without the archives", () => {
    const { status, error, warnings } = noChartArchives;
    assert.equal(status, 3, error);
    // Refused for the context alone: the config passed, its chartValues key unchecked.
    assert.match(error ?? "", /pinned to context/);
    assert.doesNotMatch(error ?? "", /replicsa/);
    const said = warnings.filter((w) => w.includes("chartValues keys not checked"));
    assert.deepEqual(said, [
      "warning: [runtime] chartValues keys not checked (no chart archive in the chart cache, HOMELAB_CHART_CACHE): grafana",
    ]);
    assert.deepEqual(
      staging.warnings.filter((w) => w.includes("chartValues")),
      [],
      "nothing said when the archives are there",
    );
  });
});
