import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { STACK_INFO_NAME } from "@homelab-observability/contract";
import { checkChange } from "../../change/check";
import type { StackExport } from "../../synth/synthesize";
import { ROOT, stagingFileAt, synth, tmpDir } from "../support/helpers";

/**
 * A project of the repo's production and staging stack files, production moving dual-write ->
 * backend-primary, staging's file edited to `stagingFile`; the --against export (production at
 * dual-write) in a folder of its own, with `beside` written there as staging.json when given: a
 * phase is staging's synthesis at that phase, a string the file's text.
 */
async function productionMove(
  prefix: string,
  stagingFile: string,
  beside?: { phase: string } | { text: string } | StackExport,
) {
  const root = tmpDir(prefix);
  for (const f of ["Pulumi.yaml", "Pulumi.production.yaml"])
    fs.copyFileSync(path.join(ROOT, f), path.join(root, f));
  stagingFileAt(root, stagingFile);
  const folder = path.join(root, "previous");
  fs.mkdirSync(folder);
  const against = path.join(folder, "production.json");
  fs.writeFileSync(against, JSON.stringify((await synth("production", { phase: "dual-write" })).export));
  const stagingExport = path.join(folder, "staging.json");
  if (beside && "text" in beside) fs.writeFileSync(stagingExport, beside.text);
  else if (beside)
    fs.writeFileSync(
      stagingExport,
      JSON.stringify("phase" in beside ? (await synth("staging", { phase: beside.phase })).export : beside),
    );
  const result = await synth("production", { phase: "backend-primary" });
  return { check: await checkChange(root, "production", result, { against }), stagingExport };
}

const phaseLines = (text: string) => text.split("\n").filter((l) => /^(REFUSED )?phase /.test(l));

/**
 * The staging-ahead rule judges the rehearsal by what it runs where its export lies beside the
 * --against export (CI's worktree out/ folder, `pulumi stack export`), not by its stack file,
 * which may name a phase never deployed; and says which it read.
 */
describe("change check: staging-ahead judged from the rehearsal's export beside --against", function () {
  this.timeout(480000);

  it("refuses production's move when staging's export is behind, though its file was edited ahead", async () => {
    const { check, stagingExport } = await productionMove("rehearsal-export-behind", "backend-primary", {
      phase: "dual-write",
    });
    assert.equal(check.code, 1, check.text);
    const [line] = phaseLines(check.text);
    assert.match(
      line,
      /^REFUSED phase dual-write -> backend-primary on production stack production before any rehearsal: /,
    );
    assert.ok(
      line.includes(
        `has reached backend-primary (staging at dual-write as its export ${stagingExport} says, though Pulumi.staging.yaml says backend-primary); staging runs ahead of production. Move staging to backend-primary first`,
      ),
      line,
    );
    assert.match(check.text, /; 1 refused \(1 stack-wide, above the objects\)/);
  });

  it("reads the phase the stack-info ConfigMap records where the Stack output has none", async () => {
    const staging = structuredClone((await synth("staging", { phase: "dual-write" })).export);
    const stackRes = staging.deployment.resources.find((r) => r.type === "pulumi:pulumi:Stack")!;
    delete stackRes.outputs?.phase;
    const info = staging.deployment.resources.find((r) => r.inputs?.metadata?.name === STACK_INFO_NAME)!;
    assert.equal(info.outputs?.data?.phase ?? info.inputs?.data?.phase, "dual-write");
    const { check } = await productionMove("rehearsal-export-configmap", "backend-primary", staging);
    assert.equal(check.code, 1, check.text);
    assert.match(phaseLines(check.text)[0], /\(staging at dual-write as its export .* says, though/);
  });

  it("lets it move when staging's export is at the phase, saying it was read from the export", async () => {
    const { check, stagingExport } = await productionMove("rehearsal-export-ahead", "backend-primary", {
      phase: "backend-primary",
    });
    assert.equal(check.code, 0, check.text);
    const lines = phaseLines(check.text);
    // The move's gate line first, then which rehearsal let it pass and where that was read.
    assert.match(lines[0], /^phase dual-write -> backend-primary \(one phase forward\): before pulumi up/);
    assert.equal(
      lines[1],
      `phase dual-write -> backend-primary on production stack production: a non-production stack of metrics backend mimir is at backend-primary or past it (staging runs ahead of production): staging at backend-primary as its export ${stagingExport} says`,
    );
  });

  it("with no export beside, judges staging from its file as before and says so, with the command that gives its export", async () => {
    const { check, stagingExport } = await productionMove("rehearsal-export-none", "backend-primary");
    assert.equal(check.code, 0, check.text);
    assert.equal(
      phaseLines(check.text)[1],
      `phase dual-write -> backend-primary on production stack production: a non-production stack of metrics backend mimir is at backend-primary or past it (staging runs ahead of production): staging at backend-primary as its stack file Pulumi.staging.yaml says (no ${stagingExport} beside the --against export); a stack file says the phase set, which its last pulumi up may not have run: to judge staging by what it runs, run \`pulumi --cwd ${path.dirname(path.dirname(stagingExport))} stack export --stack staging > ${stagingExport}\` and this check again`,
    );
  });

  it("an export beside that cannot be read, or is another stack's, blocks nothing its file would not: judged from the file, saying why", async () => {
    const broken = await productionMove("rehearsal-export-broken", "backend-primary", {
      text: '{"deployment": ',
    });
    assert.equal(broken.check.code, 0, broken.check.text);
    assert.match(
      phaseLines(broken.check.text)[1],
      /: staging at backend-primary as its stack file Pulumi\.staging\.yaml says \(its export beside --against was not read: .*staging\.json.*\); a stack file says/,
    );
    const production = (await synth("production", { phase: "dual-write" })).export;
    const other = await productionMove("rehearsal-export-other", "backend-primary", production);
    assert.equal(other.check.code, 0, other.check.text);
    assert.ok(
      phaseLines(other.check.text)[1].includes(
        `(${other.stagingExport} beside the --against export is stack production's, as its URNs say)`,
      ),
      other.check.text,
    );
  });

  it("staging whose file names production's backend but whose export runs the other is said so, not as a project with no such stack", async () => {
    const staging = (await synth("staging", { metricsBackend: "victoriametrics" })).export;
    const { check, stagingExport } = await productionMove("rehearsal-export-backend", "kps-removed", staging);
    assert.equal(check.code, 1, check.text);
    const [line] = phaseLines(check.text);
    // Pulumi.staging.yaml names mimir (the default): "no non-production stack of metrics backend
    // mimir" and "add Pulumi.staging-mimir.yaml" would be untrue.
    assert.doesNotMatch(line, /the project has no non-production stack|staging-mimir/);
    assert.ok(
      line.includes(
        `and no non-production stack runs metrics backend mimir yet (staging runs victoriametrics as its export ${stagingExport} says, though Pulumi.staging.yaml says mimir): `,
      ),
      line,
    );
    assert.match(
      line,
      /Change staging's backend to mimir first \(docs\/how-to\/move-between-phases\.md#changing-the-metrics-backend\), move it up to backend-primary one phase at a time, then production \(/,
    );
    assert.match(check.text, /; 1 refused \(1 stack-wide, above the objects\)/);
  });
});
