import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkChange } from "../../change/check";
import { phaseMove } from "../../change/phaseMove";
import { versionChanges, versionRideVerdict } from "../../change/versionRide";
import { BACKENDS, PHASES } from "../../model/phases";
import type { StackExport } from "../../synth/synthesize";
import { onBackend, ROOT, synth, tmpDir } from "../support/helpers";

/** `exp` with the Release named `name` changed by `edit` (its inputs), as an older version ran it. */
function withRelease(
  exp: StackExport,
  name: string,
  edit: (inputs: Record<string, any>) => void,
): StackExport {
  const copy = structuredClone(exp);
  const r = copy.deployment.resources.find((x) => x.urn.endsWith(`Release::${name}`));
  assert.ok(r, `no Release ${name}`);
  edit(r.inputs);
  return copy;
}

/**
 * A chart or image bump (model/versions.ts, as Renovate proposes it) in the same update as a phase
 * move: said once, as two changes in one update, with the way to split them; never for a move
 * that changes no version.
 */
describe("change check: a version change riding with a phase move (--against)", function () {
  this.timeout(480000);

  it("no adjacent phase move, either way, on either backend or another stack, is said to change a version", async () => {
    const runs: [string, Record<string, unknown>][] = [
      ...BACKENDS.map((b) => ["production", onBackend(b)] as [string, Record<string, unknown>]),
      ["staging", {}],
      ["pi", {}],
    ];
    for (const [stack, over] of runs)
      for (let i = 1; i < PHASES.length; i++) {
        // One at a time: a synthesis owns the process-wide mock runtime while it runs.
        const a = await synth(stack, { phase: PHASES[i - 1], ...over });
        const b = await synth(stack, { phase: PHASES[i], ...over });
        for (const [from, to] of [
          [a, b],
          [b, a],
        ]) {
          const move = phaseMove(from.export, to.export);
          assert.ok(move && "steps" in move && Math.abs(move.steps) === 1);
          assert.deepEqual(
            versionChanges(from.export, to.export),
            [],
            `${stack} ${PHASES[i - 1]}/${PHASES[i]}`,
          );
          assert.equal(versionRideVerdict(move, from.export, to, stack), undefined);
        }
      }
  });

  it("names a chart version of a release both sides hold, and not one the engine keeps (ignoreChanges)", async () => {
    const next = await synth("production", { phase: "backend-primary" });
    const previous = withRelease(
      (await synth("production", { phase: "dual-write" })).export,
      "prometheus-crds",
      (inputs) => (inputs.version = "31.0.1"),
    );
    assert.deepEqual(versionChanges(previous, next.export), [
      "release monitoring/prometheus-operator-crds chart prometheus-operator-crds 31.0.1 -> 31.0.0",
    ]);
    const urn = next.export.deployment.resources.find((r) => r.urn.endsWith("Release::prometheus-crds"))!.urn;
    assert.deepEqual(versionChanges(previous, next.export, { [urn]: ["version"] }), []);
  });

  it("production dual-write -> backend-primary with Grafana's image bumped: one warning, the split, exit 0", async () => {
    const previous = withRelease(
      (await synth("production", { phase: "dual-write" })).export,
      "grafana",
      (inputs) => (inputs.values.image.tag = "12.3.0"),
    );
    const file = path.join(tmpDir("version-ride"), "production.json");
    fs.writeFileSync(file, JSON.stringify(previous));
    const c = await checkChange(ROOT, "production", await synth("production", { phase: "backend-primary" }), {
      against: file,
    });
    assert.equal(c.code, 0, c.text);
    const said = c.text.split("\n").filter((l) => l.startsWith("WARNING two changes ride one update"));
    assert.deepEqual(said, [
      "WARNING two changes ride one update: phase dual-write -> backend-primary and a version change, image docker.io/grafana/grafana 12.3.0 -> 12.3.1. The docs take each on its own: its gate (`npm run verify -- --stack production --gate backend-primary`) asks the stack as it runs, on the versions before the change, and a check that fails under `npm run verify` after pulumi up cannot be traced to one of them. To split them, set phase: dual-write back (Pulumi.production.yaml:8), pulumi up the version change alone and verify it, run the gate again, then set phase: backend-primary again (docs/how-to/move-between-phases.md#migration-phases, step 2; docs/how-to/chart-upgrades.md)",
    ]);
  });

  it("says nothing where the phase stays, and leaves a refused skip to its refusal", async () => {
    const at = await synth("production", { phase: "dual-write" });
    const bumped = withRelease(at.export, "grafana", (inputs) => (inputs.values.image.tag = "12.3.0"));
    assert.equal(versionRideVerdict(phaseMove(bumped, at.export), bumped, at, "production"), undefined);
    const far = await synth("production", { phase: "kps-removed" });
    assert.equal(versionRideVerdict(phaseMove(bumped, far.export), bumped, far, "production"), undefined);
    // Back one phase: no gate is asked there (docs step 4), so none is named.
    const back = await synth("production", { phase: "loki-fixed" });
    const line = versionRideVerdict(phaseMove(bumped, back.export), bumped, back, "production")?.line ?? "";
    assert.match(
      line,
      /^WARNING two changes ride one update: phase dual-write -> loki-fixed and a version change, /,
    );
    assert.doesNotMatch(line, /gate/);
    assert.match(line, /step 4; /);
  });
});
