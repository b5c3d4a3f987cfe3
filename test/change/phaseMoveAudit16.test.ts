import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackPhases, stagingAheadVerdict, type StackPhase } from "../../change/phaseMove";
import { ROOT, tmpDir } from "../support/helpers";

const move = { from: "loki-fixed", to: "dual-write", steps: 1 } as const;
const at = (
  stack: string,
  phase: StackPhase["phase"],
  production = false,
  metricsBackend = "mimir",
): StackPhase => ({
  stack,
  production,
  phase,
  metricsBackend,
});

describe("change check: staging runs ahead of production (audit 16)", () => {
  it("refuses a production stack's move while every rehearsal of its backend is behind, naming them and the move to make first", () => {
    const v = stagingAheadVerdict(move, "production", {
      stacks: [
        at("production", "loki-fixed", true),
        at("staging", "loki-fixed"),
        at("pi", "kps-removed", false, "victoriametrics"),
      ],
    });
    assert.deepEqual(v, {
      line: "REFUSED phase loki-fixed -> dual-write on production stack production before any rehearsal: no non-production stack of metrics backend mimir has reached dual-write (staging at loki-fixed); staging runs ahead of production. Move staging to dual-write first (its own gate: `npm run verify -- --stack staging --gate dual-write` exits 0 only while Pulumi.staging.yaml still says phase: loki-fixed (verify asks the running stack at the phase its file names); then --against and pulumi up), then production (docs/how-to/move-between-phases.md#migration-phases)",
      refused: true,
    });
  });

  it("names the rehearsal closest to the target and its own next phase and gate, the command that works when pasted", () => {
    const up = { from: "dual-write", to: "backend-primary", steps: 1 } as const;
    const prod = at("production", "dual-write", true);
    const v = stagingAheadVerdict(up, "production", {
      stacks: [at("alpha", "loki-fixed"), prod, at("staging", "dual-write")],
    });
    assert.ok(
      v!.line.includes(
        "(alpha at loki-fixed, staging at dual-write); staging runs ahead of production. Move staging to backend-primary first (its own gate: `npm run verify -- --stack staging --gate backend-primary` exits 0 only while Pulumi.staging.yaml still says phase: dual-write (verify asks the running stack at the phase its file names); then --against and pulumi up), then production (",
      ),
      v!.line,
    );
    // Two phases behind: its next phase, never the production stack's target straight away.
    const far = stagingAheadVerdict(up, "production", { stacks: [at("alpha", "loki-fixed"), prod] });
    assert.ok(
      far!.line.includes(
        "Move alpha up to backend-primary first, one phase at a time, starting with dual-write (its own gate: `npm run verify -- --stack alpha --gate dual-write` exits 0 only while Pulumi.alpha.yaml still says phase: loki-fixed (verify asks the running stack at the phase its file names); then --against and pulumi up), then production (",
      ),
      far!.line,
    );
  });

  it("refuses a production stack's move when staging runs the other backend, naming the backend and the stack to add; a production stack alone is told its move is not rehearsed", () => {
    const prod = at("production", "loki-fixed", true, "victoriametrics");
    assert.deepEqual(
      stagingAheadVerdict(move, "production", { stacks: [prod, at("staging", "kps-removed")] }),
      {
        line: "REFUSED phase loki-fixed -> dual-write on production stack production before any rehearsal: the project has no non-production stack of metrics backend victoriametrics (staging runs mimir), so no stack rehearses the phases on victoriametrics; staging runs ahead of production. Add one first: a stack file such as Pulumi.staging-victoriametrics.yaml with production: false, metricsBackend: victoriametrics and its own kubeContext, at phase: loki-fixed as production is, moved to dual-write first (its own gate: `npm run verify -- --stack staging-victoriametrics --gate dual-write` exits 0 only while Pulumi.staging-victoriametrics.yaml still says phase: loki-fixed (verify asks the running stack at the phase its file names); then --against and pulumi up), then production (docs/how-to/move-between-phases.md#migration-phases)",
        refused: true,
      },
    );
    // A project of a production stack alone (one cluster): nothing could rehearse it, so the move
    // is said as not rehearsed, with the stack to add, and not held for good.
    const alone = stagingAheadVerdict(move, "production", { stacks: [prod] }, "/tmp/p");
    assert.equal(alone?.refused, false);
    assert.ok(
      alone.line.startsWith(
        "phase loki-fixed -> dual-write on production stack production is not rehearsed: the project has no non-production stack, so nothing ran dual-write first (staging runs ahead of production where there is one). To rehearse a move, add a stack file such as Pulumi.staging.yaml with production: false, metricsBackend: victoriametrics and its own kubeContext, at phase: loki-fixed as production is, moved to dual-write first (its own gate: `npm run verify -- --dir /tmp/p --stack staging --gate dual-write` exits 0",
      ),
      alone.line,
    );
  });

  it("lets it move once a rehearsal is there, and says nothing for a non-production stack, or going back", () => {
    const prod = at("production", "loki-fixed", true);
    assert.equal(
      stagingAheadVerdict(move, "production", { stacks: [prod, at("staging", "dual-write")] }),
      undefined,
    );
    assert.equal(
      stagingAheadVerdict(move, "staging", { stacks: [prod, at("staging", "loki-fixed")] }),
      undefined,
    );
    const back = { from: "dual-write", to: "loki-fixed", steps: -1 } as const;
    assert.equal(
      stagingAheadVerdict(back, "production", { stacks: [prod, at("staging", "loki-fixed")] }),
      undefined,
    );
  });

  it("reads each stack file's phase, production flag and backend", () => {
    const dir = tmpDir("audit16-phases");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    for (const s of ["production", "staging"])
      fs.copyFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), path.join(dir, `Pulumi.${s}.yaml`));
    const got = stackPhases(dir);
    assert.deepEqual(got.refused, []);
    assert.deepEqual(
      got.stacks.map((s) => [s.stack, s.production, s.metricsBackend]),
      [
        ["production", true, "mimir"],
        ["staging", false, "mimir"],
      ],
    );
  });

  it("a stack file the program refuses is left out and named, never silently: the refusal says it was not read", () => {
    const dir = tmpDir("audit16-phases-refused");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.production.yaml"), path.join(dir, "Pulumi.production.yaml"));
    const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      staging.replace(/(homelab-observability:phase:) .*/, "$1 dual-wrte"),
    );
    const got = stackPhases(dir);
    assert.deepEqual(got.refused, ["staging"]);
    assert.deepEqual(
      got.stacks.map((s) => s.stack),
      ["production"],
    );
    const v = stagingAheadVerdict(move, "production", {
      stacks: [at("production", "loki-fixed", true), at("takeover", "loki-fixed")],
      refused: got.refused,
    });
    assert.ok(
      v!.line.includes(
        "(takeover at loki-fixed; not read, its stack file refused: Pulumi.staging.yaml (`npm run synth -- --stack staging` says why))",
      ),
      v!.line,
    );
  });

  it("a production move whose every rehearsal's stack file is refused is refused, naming each file and the command that says why", () => {
    const dir = tmpDir("audit16-phases-all-refused");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(path.join(ROOT, "Pulumi.production.yaml"), path.join(dir, "Pulumi.production.yaml"));
    const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    // The case of a phase the operator typed by hand: the program refuses it, so nothing says
    // where staging stands.
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      staging.replace(/(homelab-observability:phase:) .*/, "$1 Loki-Fixed"),
    );
    const got = stackPhases(dir);
    assert.deepEqual(got.refused, ["staging"]);
    const up = { from: "dual-write", to: "backend-primary", steps: 1 } as const;
    assert.deepEqual(stagingAheadVerdict(up, "production", got, dir), {
      line: `REFUSED phase dual-write -> backend-primary on production stack production before any rehearsal: no non-production stack of metrics backend mimir was read, so it cannot be shown that one reached backend-primary first (staging runs ahead of production): not read, its stack file refused: Pulumi.staging.yaml (\`npm run synth -- --dir ${dir} --stack staging\` says why); fix it and run this check again (docs/how-to/move-between-phases.md#migration-phases)`,
      refused: true,
    });
  });

  it("each refused stack file's command carries the project's --dir, as the gate command beside it does", () => {
    const v = stagingAheadVerdict(
      move,
      "production",
      {
        stacks: [at("production", "loki-fixed", true), at("takeover", "loki-fixed")],
        refused: ["lab", "staging"],
      },
      "/tmp/my project",
    );
    assert.ok(
      v!.line.includes(
        "(takeover at loki-fixed; not read, their stack files refused: Pulumi.lab.yaml (`npm run synth -- --dir '/tmp/my project' --stack lab` says why) and Pulumi.staging.yaml (`npm run synth -- --dir '/tmp/my project' --stack staging` says why))",
      ),
      v!.line,
    );
    assert.match(v!.line, /`npm run verify -- --dir '\/tmp\/my project' --stack takeover --gate dual-write`/);
  });
});
