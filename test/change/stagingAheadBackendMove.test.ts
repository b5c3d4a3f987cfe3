import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackCopy, stagingFileAt, synth } from "../support/helpers";
import { shownFile } from "../../config/paths";

/**
 * Production moved from dual-write to backend-primary (with `metricsBackend: victoriametrics` added in
 * the same edit unless `backend` is false), checked `--against` its dual-write export (mimir), beside
 * the repo's staging stack (mimir) at `stagingPhase`; its stdout, the stack file's path as printed
 * replaced by Pulumi.production.yaml.
 */
async function moveWithBackend(prefix: string, stagingPhase: string, backend = true) {
  const { dir, file, against } = stackCopy(prefix, "production");
  stagingFileAt(dir, stagingPhase);
  const previous = path.join(dir, "before.json");
  fs.writeFileSync(previous, JSON.stringify((await synth("production", { phase: "dual-write" })).export));
  const text = fs.readFileSync(file, "utf8");
  assert.match(text, /phase: dual-write\n/);
  const edit = `phase: backend-primary\n${backend ? "  homelab-observability:metricsBackend: victoriametrics\n" : ""}`;
  fs.writeFileSync(file, text.replace(/phase: dual-write\n/, edit));
  const r = await against(previous);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  return r.stdout.split(shownFile(file)).join("Pulumi.production.yaml");
}

/**
 * One message per mistake: a production stack moving one phase forward with its `metricsBackend`
 * changed in the same edit is refused for the backend change (backendMove.ts), whose way out is to
 * set the key back. The staging-ahead rule judges the backend the stack runs, whose rehearsal
 * (staging, mimir) is ahead: it adds no second refusal telling the operator to add a staging stack
 * of the backend the refused edit names, which would not make the update pass.
 */
describe("change check: a production phase move with a refused metricsBackend change (--against)", function () {
  this.timeout(480000);

  it("is one refusal, the backend's; none says to add a staging stack of the new backend", async () => {
    const out = await moveWithBackend("staging-ahead-backend", "kps-removed");
    const above = out.split("\n").filter((l) => l.startsWith("REFUSED "));
    assert.equal(above.length, 1, above.join("\n"));
    assert.match(above[0], /^REFUSED metrics backend mimir -> victoriametrics: metricsBackend \(/);
    assert.doesNotMatch(out, /before any rehearsal|staging-victoriametrics/);
    assert.match(out, /; 1 refused \(1 stack-wide, above the objects\)/);
  });

  it("the rule still holds for the backend it runs: with staging behind, the move is refused for that too", async () => {
    const out = await moveWithBackend("staging-ahead-backend-behind", "dual-write");
    assert.match(
      out,
      /REFUSED phase dual-write -> backend-primary on production stack production before any rehearsal: phase \(Pulumi\.production\.yaml:8\) says backend-primary, and no non-production stack of metrics backend mimir has reached backend-primary \(staging at dual-write as its stack file Pulumi\.staging\.yaml says \(no \S+\/staging\.json beside the --against export\)\)/,
    );
    assert.match(out, /; 2 refused \(2 stack-wide, above the objects\)/);
  });
});

/** common rules: a refusal names the stack file's key at its line, as the skipped-phase one does. */
describe("change check: production moved before staging (--against)", function () {
  this.timeout(480000);

  it("the refusal names phase at its line in the production stack file", async () => {
    const out = await moveWithBackend("staging-ahead-line", "dual-write", false);
    assert.match(
      out,
      /\nREFUSED phase dual-write -> backend-primary on production stack production before any rehearsal: phase \(Pulumi\.production\.yaml:8\) says backend-primary, and no non-production stack of metrics backend mimir has reached backend-primary \(staging at dual-write as its stack file Pulumi\.staging\.yaml says \(no \S+\/staging\.json beside the --against export\)\); /,
    );
    assert.match(out, /; 1 refused \(1 stack-wide, above the objects\)/);
  });
});
