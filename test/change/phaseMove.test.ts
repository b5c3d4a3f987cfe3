import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { STACK_INFO_NAME } from "@homelab-observability/contract";
import { gateCommand, PHASES, type Phase } from "../../model/phases";
import { commandDir } from "../../config/paths";
import { checkChange } from "../../change/check";
import {
  PHASE_MOVE_DOC,
  phaseMove,
  phaseMoveVerdict,
  phaseOfExport,
  phasesRunning,
} from "../../change/phaseMove";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { refusedLines } from "../support/changeStates";
import { onBackend, ROOT, stackCopy, synth, synthCli, tmpDir } from "../support/helpers";

const exportOf = (...resources: ExportResource[]): StackExport =>
  ({ deployment: { resources } }) as unknown as StackExport;
const stackAt = (phase: string): ExportResource =>
  ({
    urn: "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s",
    type: "pulumi:pulumi:Stack",
    outputs: { phase },
  }) as any;
const infoAt = (phase: string): ExportResource =>
  ({
    urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::stack-info",
    type: "kubernetes:core/v1:ConfigMap",
    inputs: { metadata: { name: STACK_INFO_NAME, namespace: "monitoring" }, data: { phase } },
  }) as any;
const verdict = (from: Phase, to: Phase) =>
  phaseMoveVerdict(phaseMove(exportOf(stackAt(from)), exportOf(stackAt(to))), "production", "prev.json");

describe("change check: the phase move an --against export covers", () => {
  it("reads the export's phase from the Stack output, else the stack-info ConfigMap, else none", () => {
    assert.equal(phaseOfExport(exportOf(stackAt("dual-write"), infoAt("loki-fixed"))), "dual-write");
    assert.equal(phaseOfExport(exportOf(stackAt("not-a-phase"), infoAt("loki-fixed"))), "loki-fixed");
    assert.equal(phaseOfExport(exportOf(infoAt("kps-removed"))), "kps-removed");
    assert.equal(phaseOfExport(exportOf()), undefined);
    assert.equal(phaseMove(exportOf(stackAt("dual-write")), exportOf()), undefined);
  });

  // Said of a destroyed stack's export too, whose next update is not its first: the words hold for both.
  it("an export that holds no resources (a new stack's, a destroyed one's) is no older version: it records no phase to move from", () => {
    for (const empty of [exportOf(), { deployment: {} } as unknown as StackExport]) {
      const v = phaseMoveVerdict(phaseMove(empty, exportOf(stackAt("loki-fixed"))), "takeover", "prev.json");
      assert.deepEqual(v, {
        line: "phase loki-fixed: the export (prev.json) holds no resources (a new stack's, or a destroyed one's): the stack records nothing to move from, so no phase move is judged",
        refused: false,
      });
    }
  });

  it("an export that records no phase is judged at the one phase what it runs fits, said as inferred", () => {
    const runs = (...types: string[]) =>
      exportOf(...types.map((type, i) => ({ urn: `urn:pulumi:s::p::${type}::c${i}`, type }) as any));
    const KPS = "homelab:metrics:KubePrometheusStack";
    const [MIMIR, VM] = ["homelab:metrics:Mimir", "homelab:metrics:VictoriaMetrics"];
    const AM = "homelab:alerting:Alertmanager";
    assert.deepEqual(phasesRunning(runs(KPS)), ["loki-fixed"]);
    assert.deepEqual(phasesRunning(runs(KPS, MIMIR)), ["dual-write"]);
    assert.deepEqual(phasesRunning(runs(KPS, MIMIR, AM)), ["backend-primary"]);
    assert.deepEqual(phasesRunning(runs(MIMIR, AM)), ["kps-removed"]);
    assert.deepEqual(phasesRunning(runs(VM)), ["kps-removed"]);
    // VictoriaMetrics runs its Alertmanager inside its own release: both phases with KPS fit.
    assert.deepEqual(phasesRunning(runs(KPS, VM)), ["dual-write", "backend-primary"]);
    const to = (phase: Phase, ...types: string[]) =>
      phaseMoveVerdict(phaseMove(runs(...types), exportOf(stackAt(phase))), "production", "prev.json");
    const note =
      "it records no phase (neither the Stack output phase nor the ConfigMap homelab-observability-stack's data.phase: an export of an older version)";
    assert.equal(to("kps-removed", KPS, MIMIR)?.refused, true);
    assert.match(
      to("kps-removed", KPS, MIMIR)?.line ?? "",
      new RegExp(
        `^REFUSED phase dual-write -> kps-removed: the export \\(prev\\.json\\) was at dual-write \\(dual-write inferred from what the export runs: ${note.replace(/[().']/g, "\\$&")}\\) and Pulumi\\.production\\.yaml now says kps-removed, 2 phases forward, skipping backend-primary;`,
      ),
    );
    assert.match(
      to("backend-primary", KPS, MIMIR)?.line ?? "",
      /^phase dual-write -> backend-primary \(one phase forward \(dual-write inferred from what the export runs: it records no phase/,
    );
    assert.deepEqual(to("dual-write", KPS, MIMIR), {
      line: `phase dual-write -> dual-write (dual-write inferred from what the export runs: ${note})`,
      refused: false,
    });
    assert.deepEqual(to("kps-removed", KPS, VM), {
      line: `phase check not run: the export (prev.json) records no phase (neither the Stack output phase nor the ConfigMap homelab-observability-stack's data.phase: an export of an older version), and what it runs fits more than one phase (dual-write, backend-primary), so whether kps-removed skips a phase is not known; compare with an export written by this version (\`pulumi stack export --stack production\` after its pulumi up, or \`npm run synth -- --stack production\` of the stack file that ran)`,
      refused: false,
    });
    // For a project given with --dir, both commands run there when pasted in the checkout.
    assert.match(
      phaseMoveVerdict(
        phaseMove(runs(KPS, VM), exportOf(stackAt("kps-removed"))),
        "production",
        "prev.json",
        undefined,
        "/tmp/my project",
      )?.line ?? "",
      /\(`pulumi --cwd '\/tmp\/my project' stack export --stack production` after its pulumi up, or `npm run synth -- --dir '\/tmp\/my project' --stack production` of the stack file that ran\)$/,
    );
    assert.match(
      to("kps-removed", "kubernetes:core/v1:ConfigMap")?.line ?? "",
      /^phase check not run: .* and what it runs fits no phase, so/,
    );
  });

  it("refuses a forward move of more than one phase, naming both phases, the next one to set and the doc", () => {
    for (let i = 0; i < PHASES.length; i++)
      for (let j = i + 2; j < PHASES.length; j++) {
        const v = verdict(PHASES[i], PHASES[j]);
        assert.equal(v?.refused, true, `${PHASES[i]} -> ${PHASES[j]}`);
        assert.match(
          v?.line ?? "",
          new RegExp(
            `^REFUSED phase ${PHASES[i]} -> ${PHASES[j]}: the export \\(prev\\.json\\) was at ${PHASES[i]} and Pulumi\\.production\\.yaml now says ${PHASES[j]}, ${j - i} phases forward, skipping ${PHASES.slice(i + 1, j).join(", ")};.* Set phase: ${PHASES[i + 1]} next \\(the phase after ${PHASES[i]}\\), once its gate passed: \`npm run verify -- --stack production --gate ${PHASES[i + 1]}\` exits 0 only while Pulumi\\.production\\.yaml still says phase: ${PHASES[i]} \\(verify asks the running stack at the phase its file names\\); read docs/how-to/move-between-phases\\.md#migration-phases$`,
          ),
        );
      }
  });

  it("a skip names the phase key at its line in the stack file, the line to edit", () => {
    const move = phaseMove(exportOf(stackAt("dual-write")), exportOf(stackAt("kps-removed")));
    const at = (key: string) => (key === "phase" ? "Pulumi.production.yaml:8" : undefined);
    assert.match(
      phaseMoveVerdict(move, "production", "prev.json", at)?.line ?? "",
      /^REFUSED phase dual-write -> kps-removed: the export \(prev\.json\) was at dual-write and phase \(Pulumi\.production\.yaml:8\) now says kps-removed, 2 phases forward/,
    );
  });

  it("one phase forward passes with one line naming the move and the docs' gate for it, run with the file still at the old phase", () => {
    for (let i = 0; i + 1 < PHASES.length; i++) {
      const [from, to] = [PHASES[i], PHASES[i + 1]];
      assert.deepEqual(verdict(from, to), {
        line: `phase ${from} -> ${to} (one phase forward): before pulumi up, its gate must have passed: \`npm run verify -- --stack production --gate ${to}\` exits 0 only while Pulumi.production.yaml still says phase: ${from} (verify asks the running stack at the phase its file names); if it has not run, set phase: ${from} back, run it, then set phase: ${to} again (${PHASE_MOVE_DOC}, step 2)`,
        refused: false,
      });
    }
  });

  it("the gate's command names no placeholder, and --dir (shell-quoted) for a project that is not this checkout", () => {
    const move = phaseMove(exportOf(stackAt("loki-fixed")), exportOf(stackAt("backend-primary")));
    const skip = phaseMoveVerdict(move, "staging", "prev.json", undefined, "/tmp/my project")?.line ?? "";
    assert.doesNotMatch(skip, /<[^>]*>/);
    assert.match(
      skip,
      /`npm run verify -- --dir '\/tmp\/my project' --stack staging --gate dual-write` exits 0 only while Pulumi\.staging\.yaml still says phase: loki-fixed/,
    );
    assert.equal(commandDir(ROOT), undefined);
    assert.equal(commandDir(path.join(ROOT, "test", "..")), undefined);
    assert.equal(commandDir("/tmp/ph"), "/tmp/ph");
  });

  it("staying and going back one phase say nothing (going back is guarded by the change itself)", () => {
    for (const from of PHASES)
      for (const to of PHASES.slice(Math.max(0, PHASES.indexOf(from) - 1), PHASES.indexOf(from) + 1))
        assert.equal(verdict(from, to), undefined, `${from} -> ${to}`);
  });

  it("refuses a move back of more than one phase, naming the phases passed and the one before the export's to set next", () => {
    assert.deepEqual(verdict("kps-removed", "dual-write"), {
      line: "REFUSED phase kps-removed -> dual-write: the export (prev.json) was at kps-removed and Pulumi.production.yaml now says dual-write, 2 phases back, past backend-primary; a stack moves back one phase at a time, each update checked with --against (each step back is one the tests prove loses nothing stored). Set phase: backend-primary next (the phase before kps-removed; going back needs no gate), then the one before it in the next update; read docs/how-to/move-between-phases.md#migration-phases",
      refused: true,
    });
    assert.match(
      verdict("kps-removed", "loki-fixed")?.line ?? "",
      /^REFUSED phase kps-removed -> loki-fixed: .*, 3 phases back, past backend-primary, dual-write; .* Set phase: backend-primary next/,
    );
    assert.equal(verdict("backend-primary", "loki-fixed")?.refused, true);
  });

  it("the docs give the step the check names: the section exists and its gate is run at the phase before", () => {
    const [file, anchor] = PHASE_MOVE_DOC.split("#");
    const doc = fs.readFileSync(path.join(ROOT, file), "utf8");
    assert.match(doc, new RegExp(`^## ${anchor.replace(/-/g, " ")}$`, "im"));
    for (let i = 0; i + 1 < PHASES.length; i++)
      assert.match(
        doc,
        // The docs' blocks paste as written: the stack is a variable the block sets, not a <placeholder>.
        new RegExp(`${gateCommand('"$STACK"', PHASES[i + 1]).replace(/[-$"]/g, "\\$&")} +# at ${PHASES[i]}`),
      );
  });
});

describe("change check: npm run synth -- --against across phases", function () {
  this.timeout(180000);
  let previous: string;
  before(async () => {
    previous = path.join(tmpDir("phase-move"), "production-loki-fixed.json");
    fs.writeFileSync(previous, JSON.stringify((await synth("production", { phase: "loki-fixed" })).export));
  });

  it("loki-fixed -> backend-primary: exit 1 naming both phases and dual-write to set next", async () => {
    const r = await synth("production", { phase: "backend-primary" });
    const c = await checkChange(ROOT, "production", r, { against: previous });
    assert.equal(c.code, 1, c.text);
    assert.equal(c.refused, 1, c.text);
    assert.match(
      c.text,
      /\nREFUSED phase loki-fixed -> backend-primary: .* was at loki-fixed and phase \(Pulumi\.production\.yaml:\d+\) now says backend-primary, 2 phases forward, skipping dual-write; .*Set phase: dual-write next/,
    );
    // Said first, right under the header: the objects' list below counts its own refusals only.
    assert.match(c.text.split("\n")[1], /^REFUSED phase /, c.text);
  });

  for (const [backend, dropped] of [
    [
      "mimir",
      "It would also drop the protected bucket production-mimir-blocks, bucket production-mimir-ruler and bucket production-mimir-alertmanager from the stack (retained on delete: they are kept where they are, with what they hold), which the engine refuses for a protected resource (pulumi/pulumi step_generator.go). Each is listed below without a refusal of its own: phase: backend-primary, the phase to set next, keeps them.",
    ],
    [
      "victoriametrics",
      "It would also delete the protected release monitoring/vm, which the engine refuses (pulumi/pulumi step_generator.go). It is listed below without a refusal of its own: phase: backend-primary, the phase to set next, keeps it.",
    ],
  ] as const)
    it(`production on ${backend}, kps-removed -> loki-fixed: one refusal, the move's, naming the protected deletions it would cause instead of refusing each`, async () => {
      const from = path.join(tmpDir("phase-move-back"), `production-${backend}.json`);
      const over = onBackend(backend);
      fs.writeFileSync(
        from,
        JSON.stringify((await synth("production", { ...over, phase: "kps-removed" })).export),
      );
      const r = await synth("production", { ...over, phase: "loki-fixed" });
      const c = await checkChange(ROOT, "production", r, { against: from });
      assert.equal(c.code, 1, c.text);
      assert.equal(c.refused, 1, c.text);
      assert.deepEqual(refusedLines(c.text), [], c.text);
      assert.ok(
        c.text
          .split("\n")[1]
          .includes(
            `(each step back is one the tests prove loses nothing stored). ${dropped} Set phase: backend-primary next`,
          ),
        c.text,
      );
      assert.doesNotMatch(c.text, /pulumi state unprotect/, c.text);
    });

  it("an export of an older version, which records no phase, at dual-write -> kps-removed: refused, the phase inferred from what it runs", async () => {
    const old = structuredClone((await synth("production", { phase: "dual-write" })).export);
    for (const r of old.deployment.resources) {
      if (r.type === "pulumi:pulumi:Stack") delete r.outputs?.phase;
      if (r.inputs?.metadata?.name === STACK_INFO_NAME)
        for (const side of [r.inputs, r.outputs]) delete side?.data?.phase;
    }
    const file = path.join(tmpDir("phase-move-old"), "production.json");
    fs.writeFileSync(file, JSON.stringify(old));
    const c = await checkChange(ROOT, "production", await synth("production", { phase: "kps-removed" }), {
      against: file,
    });
    assert.equal(c.code, 1, c.text);
    assert.match(
      c.text.split("\n")[1],
      /^REFUSED phase dual-write -> kps-removed: .* was at dual-write \(dual-write inferred from what the export runs: it records no phase/,
    );
  });

  it("loki-fixed -> dual-write: exit 0 with the one line naming the move and its gate", async () => {
    const r = await synth("production", { phase: "dual-write" });
    const c = await checkChange(ROOT, "production", r, { against: previous });
    assert.equal(c.code, 0, c.text);
    assert.match(
      c.text,
      /\nphase loki-fixed -> dual-write \(one phase forward\): before pulumi up, its gate must have passed: `npm run verify -- --stack production --gate dual-write` exits 0 only while Pulumi\.production\.yaml still says phase: loki-fixed/,
    );
    assert.doesNotMatch(c.text, /REFUSED/);
    // Another project folder (synth --dir): verify reads the checkout's stack files without --dir.
    // Its staging stack is the rehearsal that lets production move.
    const other = tmpDir("phase-move-dir");
    for (const f of ["Pulumi.yaml", "Pulumi.production.yaml", "Pulumi.staging.yaml"])
      fs.copyFileSync(path.join(ROOT, f), path.join(other, f));
    const d = await checkChange(other, "production", r, { against: previous });
    assert.match(
      d.text,
      new RegExp(
        `\`npm run verify -- --dir ${other.replace(/[.]/g, "\\.")} --stack production --gate dual-write\` exits 0`,
      ),
    );
  });

  it("loki-fixed -> dual-write names the buckets it creates and existing.buckets for those a step back left, the one thing the export cannot tell; none once they are listed", async () => {
    const r = await synth("production", { phase: "dual-write" });
    const c = await checkChange(ROOT, "production", r, { against: previous });
    const [line] = c.text.split("\n").filter((l) => l.startsWith("phase loki-fixed -> dual-write"));
    assert.match(
      line,
      /\(docs\/how-to\/move-between-phases\.md#migration-phases, step 2\); it creates buckets production-mimir-blocks, production-mimir-ruler and production-mimir-alertmanager: if an earlier step back left them on the store \(retained\), list them in existing\.buckets before pulumi up, or the create fails \("bucket already exists!"\); the export cannot tell \(docs\/how-to\/move-between-phases\.md#migration-phases, "Back one phase and forward again"\)$/,
    );
    const listed = await synth("production", {
      phase: "dual-write",
      existing: {
        buckets: ["production-mimir-blocks", "production-mimir-ruler", "production-mimir-alertmanager"],
      },
    });
    const d = await checkChange(ROOT, "production", listed, { against: previous });
    assert.match(d.text, /\nphase loki-fixed -> dual-write \(one phase forward\): .*, step 2\)\n/);
  });
});

describe("change check: --against the export an earlier synthesis left in --out", function () {
  this.timeout(180000);

  it("compares with that earlier synthesis, not with the new export written over it: a skipped phase is refused", async () => {
    const { dir, file } = stackCopy("phase-same-out", "staging");
    const out = path.join(dir, "out");
    const at = (phase: Phase) =>
      fs.writeFileSync(
        file,
        fs
          .readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")
          .replace(/^( {2}homelab-observability:phase: ).*$/m, `$1${phase}`),
      );
    at("loki-fixed");
    const first = await synthCli("--dir", dir, "--stack", "staging", "--out", out, "--quiet");
    assert.equal(first.status, 0, first.stdout + first.stderr);
    at("backend-primary");
    const previous = path.join(out, "staging.json");
    const r = await synthCli(
      "--dir",
      dir,
      "--stack",
      "staging",
      "--out",
      out,
      "--quiet",
      "--against",
      previous,
    );
    assert.match(
      r.stdout,
      /\nREFUSED phase loki-fixed -> backend-primary: the export \(.*staging\.json\) was at loki-fixed and phase \(.*Pulumi\.staging\.yaml:7\) now says backend-primary, 2 phases forward, skipping dual-write;/,
      r.stdout + r.stderr,
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    // The file then holds the new synthesis, the previous state of the next step.
    assert.equal(phaseOfExport(JSON.parse(fs.readFileSync(previous, "utf8"))), "backend-primary");
  });
});
