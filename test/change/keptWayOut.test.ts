import { strict as assert } from "assert";
import * as fs from "fs";
import { NETWORK_POLICIES_DEFERRED, SECRET_SIG, SECRET_SIG_KEY } from "@homelab-observability/contract";
import { stateAfterImport } from "../../change/takeover";
import { readRunningDir } from "../../model/running";
import { cachedValuesKeys } from "../../config/chartCache";
import type { StackExport } from "../../synth/synthesize";
import { synthCli, tmpDir } from "../support/helpers";
import { atUpdate, importStep } from "../support/importStep";
import { RELEASE_TYPE } from "../../model/names";

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
      // Grafana's claim as it ran, with the value that decides whether the takeover keeps its size
      // and class held as a secret: readable (--show-secrets), then as ciphertext only.
      const grafanaClaim = (enabled: Record<string, string>) => {
        const copy = JSON.parse(JSON.stringify(state)) as StackExport;
        const grafana = copy.deployment.resources.find(
          (r) => r.type === RELEASE_TYPE && r.inputs?.chart === "grafana",
        )!;
        grafana.inputs.values.persistence.enabled = { [SECRET_SIG_KEY]: SECRET_SIG, ...enabled };
        const to = `${tmpDir("kept-way-out-secret")}/takeover.json`;
        fs.writeFileSync(to, JSON.stringify(copy));
        return to;
      };
      runs.plaintext = await check("plaintext", atUpdate(text), grafanaClaim({ plaintext: "true" }));
      runs.ciphertext = await check("ciphertext", atUpdate(text), grafanaClaim({ ciphertext: "v1:AAAA" }));
      // Grafana's claim as it ran, off, held as a secret readable: the cluster has no claim of Grafana.
      runs.plainOff = await check("plain-off", atUpdate(text), grafanaClaim({ plaintext: "false" }));
    } finally {
      fs.writeFileSync(file, text);
    }
  });

  const keyLine = (out: string) =>
    out.split("\n").filter((l) => l.startsWith("REFUSED takeover.running is not set"));
  /** A run refused with exit 1 and its one line of the missing key. */
  const theKeyLine = (r: (typeof runs)[string]) => {
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const [line, ...more] = keyLine(r.stdout);
    assert.equal(more.length, 0, r.stdout);
    return line;
  };

  it("folds the refusals the key removes into one refusal of the missing key, with its way out: exit 1, 1 refused", () => {
    const r = runs.noKey;
    const line = theKeyLine(r);
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

  it("reads a kept value the export holds as a secret with its plaintext (pulumi stack export --show-secrets), as it ran", () => {
    const r = runs.plaintext;
    const line = theKeyLine(r);
    // Grafana's claim kept as it runs (persistence.enabled: true) goes with the key too.
    assert.match(
      line,
      /refused at 5 places: .*PersistentVolumeClaim monitoring\/grafana spec\.storageClassName: .*PersistentVolumeClaim monitoring\/grafana spec\.resources\.requests\.storage: /,
    );
    assert.doesNotMatch(r.stdout, /\n {5}REFUSED /);
    assert.match(r.stdout, /; 1 refused \(1 stack-wide, above the objects\)/);
  });

  /** Refused only by the missing key at the 3 places of the export without Grafana's claim: no refusal of a claim the cluster never had. */
  const refusedAsWithoutGrafanaClaim = (r: (typeof runs)[string]) => {
    const line = theKeyLine(r);
    assert.match(line, /refused at 3 places: /);
    assert.doesNotMatch(line, /grafana/);
    assert.doesNotMatch(r.stdout, /REFUSED PersistentVolumeClaim monitoring\/grafana/);
    assert.match(r.stdout, /; 1 refused \(1 stack-wide, above the objects\)/);
  };

  it("reads a boolean the export holds as a readable secret as it ran: Grafana's claim off invents no claim in the previous state", () => {
    const r = runs.plainOff;
    refusedAsWithoutGrafanaClaim(r);
    assert.doesNotMatch(r.stdout, /\nNOTE /);
  });

  it("does not judge the objects of a release whose boolean the export holds as ciphertext only, and says so instead of refusing them", () => {
    const r = runs.ciphertext;
    refusedAsWithoutGrafanaClaim(r);
    const notes = r.stdout.split("\n").filter((l) => l.startsWith("NOTE "));
    assert.equal(notes.length, 1, r.stdout);
    assert.match(
      notes[0],
      /^NOTE the change of release monitoring\/grafana's objects is not judged: the previous export holds its persistence\.enabled \(a boolean in the chart's values\.yaml\) as ciphertext only \(a pulumi stack export without --show-secrets\), and offline a secret renders as a placeholder text, which Helm reads as true where it branches on the value/,
    );
    assert.doesNotMatch(notes[0], /v1:AAAA/);
  });
});
