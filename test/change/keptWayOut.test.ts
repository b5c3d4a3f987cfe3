import { strict as assert } from "assert";
import * as fs from "fs";
import { NETWORK_POLICIES_DEFERRED } from "@homelab-observability/contract";
import { stateAfterImport } from "../../change/takeover";
import { readRunningDir } from "../../model/running";
import { cachedValuesKeys } from "../../config/chartCache";
import type { StackExport } from "../../synth/synthesize";
import { synthCli, tmpDir } from "../support/helpers";
import { atUpdate, importStep } from "../support/importStep";

/*
 * The takeover's update step without takeover.running, checked --against the state the import step
 * left (a `pulumi stack export`: each adopted release as the import read it from Helm, the live
 * namespace's annotations). Without the key the update sets the program's values on the adopted
 * releases, and seed 000's Loki claim templates and KPS Alertmanager storage are refused: true
 * refusals, which said nothing of the key that keeps them. The key's way out is said only where
 * it is proven, the update judged again with the running values kept (change/keptWayOut.ts), as
 * one refusal of the missing key; a refusal the key does not remove (a claim shrinking) stays.
 */
describe("--against the import step's deployed state at the update step without takeover.running (change/keptWayOut.ts)", function () {
  this.timeout(240000);
  const runs: Record<string, { status: number | null; stdout: string; stderr: string }> = {};

  before(async () => {
    const { dir, file, text, running, against } = await importStep("kept-way-out");
    // The state `pulumi up` of the import step leaves, exported: the releases as they run, the
    // namespace's live annotations, and the CLI's version in the manifest.
    const synthesized = JSON.parse(fs.readFileSync(against, "utf8")) as StackExport;
    const imports = JSON.parse(fs.readFileSync(against.replace(/\.json$/, ".adopted.json"), "utf8")).imports;
    const state = stateAfterImport(synthesized, { imports }, readRunningDir(running, {}, cachedValuesKeys));
    for (const r of state.deployment.resources)
      delete r.inputs?.metadata?.annotations?.[NETWORK_POLICIES_DEFERRED];
    state.deployment.manifest = { ...state.deployment.manifest, version: "v3.190.0" };
    const deployed = `${tmpDir("kept-way-out-export")}/takeover.json`;
    fs.writeFileSync(deployed, JSON.stringify(state));
    const check = (name: string, stackFile: string, previous: string) => {
      fs.writeFileSync(file, stackFile);
      return synthCli(
        "--dir",
        dir,
        "--stack",
        "takeover",
        "--out",
        tmpDir(name),
        "--quiet",
        "--against",
        previous,
      );
    };
    try {
      runs.noKey = await check("no-key", atUpdate(text), deployed);
      runs.key = await check("key", atUpdate(text, "running"), deployed);
      const shrunk = atUpdate(text).replace(/\n {4}volumeSize: 70Gi\n/, "\n    volumeSize: 50Gi\n");
      assert.notEqual(shrunk, atUpdate(text));
      runs.shrunk = await check("shrunk", shrunk, deployed);
      runs.synthesis = await check("synthesis", atUpdate(text), against);
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  const keyLine = (out: string) =>
    out.split("\n").filter((l) => l.startsWith("REFUSED takeover.running is not set"));

  it("folds the refusals the key removes into one refusal of the missing key, with its way out: exit 1, 1 refused", () => {
    const r = runs.noKey;
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const [line, ...more] = keyLine(r.stdout);
    assert.equal(more.length, 0, r.stdout);
    assert.match(
      line,
      // One file named one way: the stack file and its takeover block's line alike (config/paths.ts shownFile).
      /^REFUSED takeover\.running is not set in (\S+Pulumi\.takeover\.yaml) \(its takeover block: \1:\d+\): the previous export, a pulumi stack export, holds the adopted releases as they ran, .* refused at 3 places: StatefulSet monitoring\/loki-backend spec\.volumeClaimTemplates: .*; StatefulSet monitoring\/loki-write spec\.volumeClaimTemplates: .*; Alertmanager monitoring\/kube-prometheus-stack-alertmanager spec\.storage\.volumeClaimTemplate: /,
    );
    assert.match(
      line,
      /--against \S+takeover\.json --running FOLDER` \(FOLDER: its path\), which names the pulumi config set command/,
    );
    assert.doesNotMatch(r.stdout, /\n {5}REFUSED /);
    assert.match(r.stdout, /; 1 refused \(1 stack-wide, above the objects\)/);
  });

  it("says true: with takeover.running naming what runs, the same update is refused nowhere, exit 0", () => {
    assert.equal(runs.key.status, 0, runs.key.stdout + runs.key.stderr);
    assert.doesNotMatch(runs.key.stdout, /REFUSED/);
  });

  it("leaves a refusal the key does not remove as it is: the claim shrinking keeps its own way out", () => {
    const r = runs.shrunk;
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(keyLine(r.stdout).length, 1, r.stdout);
    assert.doesNotMatch(keyLine(r.stdout)[0], /PersistentVolumeClaim/);
    const claim = r.stdout
      .split("\n")
      .filter((l) => l.startsWith("     REFUSED PersistentVolumeClaim::prometheus-volume"));
    assert.equal(claim.length, 1, r.stdout);
    assert.match(claim[0], /storage shrinks from 70Gi to 50Gi.*set prometheus\.volumeSize back to 70Gi/);
    assert.doesNotMatch(claim[0], /takeover\.running/);
    assert.match(r.stdout, /; 2 refused \(1 stack-wide, above the objects\)/);
  });

  it("says nothing of the key against the import step's synthesis, whose values never ran", () => {
    assert.equal(runs.synthesis.status, 0, runs.synthesis.stdout + runs.synthesis.stderr);
    assert.equal(keyLine(runs.synthesis.stdout).length, 0);
  });
});
