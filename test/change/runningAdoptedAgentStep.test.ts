/**
 * `npm run synth -- --stack takeover --running <dir>` of a takeover that adopts the running Alloy,
 * at each step with the agents.step that step takes (docs/how-to/move-node-agents.md): `stay` at
 * the import step, `handover` at the update step. --running synthesizes both steps from the one
 * stack file, so the step it is not at has to take that step's agents.step too: the update step's
 * file (handover) was refused as the import step's ("expected \"stay\" ... set agents.step: stay
 * in the stack file for the import step", exit 2), a false refusal of a stack the plain synthesis
 * passes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { dump, load as loadYaml } from "js-yaml";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { stableDir } from "../support/stableDir";
import { allValues, writeSeed000Running } from "../support/runningSeed000";
import { versions } from "../../model/versions";

const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

describe("synth --running: a takeover adopting the running Alloy", function () {
  this.timeout(240_000);

  /** Seed 000's running stack plus the Alloy release Flux runs beside it in `monitoring`. */
  async function runningWithAlloy(): Promise<string> {
    // The same path every run (test/support/stableDir.ts): the fixture cache keys on it.
    const dir = stableDir("running-adopted-alloy");
    await writeSeed000Running(dir);
    const { version } = versions.charts.alloy;
    const listFile = path.join(dir, "helm-list.yaml");
    const list = loadYaml(fs.readFileSync(listFile, "utf8")) as Record<string, unknown>[];
    const entry = { name: "alloy", namespace: "monitoring", revision: "2", status: "deployed" };
    list.push({ ...entry, chart: `alloy-${version}`, app_version: "" });
    fs.writeFileSync(listFile, dump(list));
    fs.writeFileSync(path.join(dir, "monitoring.alloy.values.yaml"), dump(allValues("alloy", version, {})));
    return dir;
  }

  /** A project folder whose takeover stack adopts Alloy at `step`, with agents.step `agents`. */
  function project(running: string, step: "import" | "update", agents: "stay" | "handover"): string {
    const dir = tmpDir(`adopt-alloy-${step}`);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    assert.match(text, /\n {4}step: import\n/);
    assert.match(text, /\n {6}grafana: monitoring\/grafana\n/);
    const file =
      text
        .replace(/\n {4}step: import\n/, `\n    step: ${step}\n`)
        .replace(
          /\n {6}grafana: monitoring\/grafana\n/,
          "\n      grafana: monitoring/grafana\n      alloy: monitoring/alloy\n",
        ) +
      `    running: ${running}\n    grafanaDatabaseSaved: true\n  homelab-observability:agents:\n    step: ${agents}\n`;
    fs.writeFileSync(path.join(dir, "Pulumi.takeover.yaml"), file);
    return dir;
  }

  /** `npm run synth -- --dir <dir> --stack takeover --running <running>`. */
  const checkRunning = (dir: string, running: string) =>
    synthCli("--stack", "takeover", "--dir", dir, "--running", running, "--out", tmpDir("out"), "--quiet");

  it("at the update step (agents.step handover) is checked as the stack file says, not refused as the import step's", async () => {
    const running = await runningWithAlloy();
    const dir = project(running, "update", "handover");
    // The stack file alone passes: handover is what the update step takes.
    const plain = await synthCli("--stack", "takeover", "--dir", dir, "--out", tmpDir("out"), "--quiet");
    assert.equal(plain.status, 0, plain.stdout + plain.stderr);
    const r = await checkRunning(dir, running);
    const all = r.stdout + r.stderr;
    assert.doesNotMatch(all, /agents\.step: expected "stay"/);
    assert.doesNotMatch(all, /invalid stack configuration/);
    assert.match(all, /^import step \(takeover\.step: import\)/m);
    assert.match(all, /^first update \(takeover\.step: update\)/m);
    assert.notEqual(r.status, 2, all);
    assert.match(lastLine(r.stdout), /^takeover: (pass \(exit 0\)|FAIL \(exit 1\))/);
  });

  it("at the import step (agents.step stay) the first update it previews moves the agent, as the update step must", async () => {
    const running = await runningWithAlloy();
    const dir = project(running, "import", "stay");
    const r = await checkRunning(dir, running);
    const all = r.stdout + r.stderr;
    assert.notEqual(r.status, 2, all);
    // handover parks the running DaemonSet and starts the program's own in the agents' namespace.
    assert.match(
      all,
      /^\+ {2}create {2}DaemonSet monitoring-agents\/alloy \(release monitoring-agents\/alloy\)$/m,
    );
  });
});
