/**
 * `npm run synth -- --stack takeover --running <dir>` where the running Loki's release has another
 * name than the program's: Flux names the release of a HelmRelease `loki` with
 * `spec.targetNamespace: monitoring` `monitoring-loki`. takeover.releases cannot adopt it (only the
 * program's name, `monitoring/loki`, is taken), so the operator leaves Loki out of it, and the
 * program installs a second Loki beside the running one, on the same bucket. The check said nothing
 * of it: a plain `+ create Release::loki`, exit 1 only for Grafana's database.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { dump, load as loadYaml } from "js-yaml";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { stableDir } from "../support/stableDir";
import { writeSeed000Running } from "../support/runningSeed000";
import { renamedReleaseWarnings } from "../../change/renamedRelease";
import type { RunningState } from "../../model/running";
import type { SynthResult } from "../../synth/synthesize";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("synth --running: a running release of the program's chart under another name", function () {
  this.timeout(240_000);

  /** Seed 000's running stack with its Loki release named as Flux names it with targetNamespace. */
  async function runningFluxNamed(): Promise<string> {
    const dir = stableDir("running-flux-named-loki");
    await writeSeed000Running(dir);
    const listFile = path.join(dir, "helm-list.yaml");
    const list = loadYaml(fs.readFileSync(listFile, "utf8")) as { name: string }[];
    const loki = list.find((r) => r.name === "loki")!;
    loki.name = "monitoring-loki";
    fs.writeFileSync(listFile, dump(list));
    fs.renameSync(
      path.join(dir, "monitoring.loki.values.yaml"),
      path.join(dir, "monitoring.monitoring-loki.values.yaml"),
    );
    // Its StatefulSets and claims carry the release's name (the loki chart's fullname).
    for (const f of ["statefulsets.yaml", "pvcs.yaml"]) {
      const file = path.join(dir, f);
      fs.writeFileSync(
        file,
        fs.readFileSync(file, "utf8").replace(/\bloki-(write|backend)/g, "monitoring-loki-$1"),
      );
    }
    return dir;
  }

  it("warns that the program installs a second Loki beside it, on the same bucket", async () => {
    const running = await runningFluxNamed();
    const dir = tmpDir("flux-named-loki");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    assert.match(text, /\n {6}loki: monitoring\/loki\n/);
    // The operator leaves Loki out of takeover.releases: its name is not the program's.
    fs.writeFileSync(
      path.join(dir, "Pulumi.takeover.yaml"),
      text.replace(/\n {6}loki: monitoring\/loki\n/, "\n"),
    );
    const flags = ["--stack", "takeover", "--dir", dir, "--running", running, "--quiet"];
    const r = await synthCli(...flags, "--out", tmpDir("out"));
    const all = r.stdout + r.stderr;
    const importStep = all.slice(
      all.indexOf("import step (takeover.step: import)"),
      all.indexOf("first update"),
    );
    assert.match(importStep, /^ {2}\+ create +Release::loki$/m);
    const warning = importStep.split("\n").find((l) => l.includes("WARNING Release::loki name:"));
    assert.ok(warning, importStep);
    assert.match(warning, /release monitoring\/monitoring-loki \(chart loki 6\.49\.0\) runs in monitoring/);
    assert.match(
      warning,
      /the name Flux gives the release of a HelmRelease loki with spec\.targetNamespace monitoring/,
    );
    assert.match(warning, /installs its own loki beside it and both run, both on the chunks bucket "loki"/);
    assert.match(warning, /takeover\.buckets\.loki\.chunks \([^)]*Pulumi\.takeover\.yaml:\d+\)/);
    assert.match(warning, /`helm --kube-context admin@production uninstall monitoring-loki -n monitoring`/);
    // Said once: the update step's installs are the import step's, already in the state.
    assert.equal(all.match(/WARNING Release::loki name:/g)?.length, 1);
    // A warning counts no refusal: Grafana's database is the one refusal, as with Loki adopted.
    assert.match(
      r.stdout.trimEnd().split("\n").pop()!,
      /^takeover: FAIL \(exit 1\): the change: 1 refused \(above\)$/,
    );
  });
});

describe("renamedReleaseWarnings", () => {
  /** A synthesis installing `releases` ([namespace, name, chart, chunks bucket]), importing `imports`. */
  function result(releases: [string, string, string, string?][], imports: string[] = []): SynthResult {
    const resources = releases.map(([namespace, name, chart, bucket]) => ({
      urn: `urn:pulumi:t::p::${RELEASE}::${name}`,
      type: RELEASE,
      custom: true,
      inputs: {
        namespace,
        name,
        chart,
        values: bucket ? { loki: { storage: { type: "s3", bucketNames: { chunks: bucket } } } } : {},
      },
    }));
    const imp = imports.map((id) => ({
      urn: resources.find((r) => `${r.inputs.namespace}/${r.inputs.name}` === id)!.urn,
      id,
    }));
    return { export: { version: 3, deployment: { resources } }, imports: imp } as unknown as SynthResult;
  }
  const running = (releases: [string, string, string, string?][]): RunningState => ({
    dir: "running",
    releases: releases.map(([namespace, name, chart, bucket]) => ({
      namespace,
      name,
      chart,
      version: "1.0.0",
      values: bucket ? { loki: { storage: { type: "s3", bucketNames: { chunks: bucket } } } } : {},
    })),
    statefulSets: [],
    pvcs: [],
  });

  it("says nothing when the running release of that chart is the one the takeover adopts", () => {
    const r = result([["monitoring", "loki", "grafana-community/loki", "loki"]], ["monitoring/loki"]);
    assert.deepEqual(renamedReleaseWarnings(r, running([["monitoring", "loki", "loki", "loki"]])), []);
  });

  it("says nothing of another namespace's release of the chart, nor of an earlier step's install", () => {
    const r = result([["monitoring", "grafana", "grafana"]]);
    assert.deepEqual(renamedReleaseWarnings(r, running([["apps", "grafana-public", "grafana"]])), []);
    const installed = new Set([r.export.deployment.resources[0].urn]);
    assert.deepEqual(
      renamedReleaseWarnings(r, running([["monitoring", "grafana-public", "grafana"]]), installed),
      [],
    );
  });

  it("leaves a running release of one of the program's own names to the install clash, and charts it installs twice", () => {
    // alloy and alloy-cluster are both the alloy chart: which one a third would stand beside is unknown.
    const r = result([
      ["monitoring-agents", "alloy", "alloy"],
      ["monitoring", "alloy-cluster", "alloy"],
    ]);
    assert.deepEqual(renamedReleaseWarnings(r, running([["monitoring", "alloy-logs", "alloy"]])), []);
    const g = result([["monitoring", "grafana", "grafana"]]);
    assert.deepEqual(renamedReleaseWarnings(g, running([["monitoring", "grafana", "grafana"]])), []);
  });

  it("names a shared bucket only when both Lokis keep their chunks in it", () => {
    const r = result([["monitoring", "loki", "grafana-community/loki", "production-loki-chunks"]]);
    const [p] = renamedReleaseWarnings(r, running([["monitoring", "logs", "loki", "loki"]]));
    assert.equal(p.op, "+ create");
    assert.equal(p.warnings.length, 1);
    assert.match(p.warnings[0].reason, /^release monitoring\/logs \(chart loki 1\.0\.0\) runs in monitoring/);
    assert.doesNotMatch(p.warnings[0].reason, /bucket|Flux gives/);
  });
});
