/**
 * A HOMELAB_HELM that runs but is no Helm, in the commands besides synth that render a stack:
 * verify (its promised jobs, cli/verifyJobs.ts) and bench (its render child and its figures). Each
 * says it once, as synth does (test/synth/notHelm.test.ts), not once per release; the exit status
 * is what it was.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { compiled, ROOT, synth, tmpDir, withEnv, withSyntheses } from "../support/helpers";
import { stableDir } from "../support/stableDir";

/**
 * A project folder with the staging stack, a "Helm" that exits 0 printing something else, and a
 * render cache of its own, empty. The fake and the cache are at the same paths in every run
 * (test/support/stableDir.ts, `name` one per use): the syntheses of the commands run with them are
 * read from the fixture cache (measured warm, with verify's synthesis through the fixture cache
 * too: the file 5.4 -> 3.9 s of CPU).
 */
function notHelmProject(name: string): { dir: string; fake: string; cache: string } {
  const dir = tmpDir("not-helm-cmd");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.copyFileSync(path.join(ROOT, "Pulumi.staging.yaml"), path.join(dir, "Pulumi.staging.yaml"));
  const own = stableDir(name);
  const fake = path.join(own, "fake-helm");
  fs.writeFileSync(fake, '#!/bin/sh\necho "fake helm 0.1"\necho "second line"\n', { mode: 0o755 });
  return { dir, fake, cache: renderCache(own) };
}

/** A render cache of its own, empty, in `own`: renders are kept per Helm path and cache, so none is reused. */
function renderCache(own: string): string {
  const cache = path.join(own, "render-cache");
  fs.mkdirSync(cache);
  return cache;
}

/** verify --stack staging of `dir` with `fake` as Helm, in this process: its status and streams. */
async function verifyWith(
  dir: string,
  fake: string,
  cache: string,
): Promise<{ code: number; out: string; err: string }> {
  const { runVerify } = await import("../../cli/verifyRun");
  const vars = { HOMELAB_HELM: fake, HOMELAB_RENDER_CACHE: cache };
  let err = "";
  let out = "";
  // A --url, so no kubectl is asked before the render (the preflight is Reach's, after it).
  // Its synthesis through the fixture cache, as verifyCli's (test/support/helpers.ts withSyntheses).
  const code = await withEnv(vars, () =>
    withSyntheses(() =>
      runVerify(["--dir", dir, "--stack", "staging", "--url", "grafana=http://127.0.0.1:9"], {
        env: { ...process.env, ...vars, GRAFANA_ADMIN_USER: "", GRAFANA_ADMIN_PASSWORD: "" },
        err: (t) => (err += t),
        out: (t) => (out += t),
      }),
    ),
  );
  return { code, out, err };
}

let verified: Promise<{ dir: string; fake: string; code: number; out: string; err: string }> | undefined;
/** verify's run above, once for the file: two tests read it, and each run renders the stack. */
function verifyOnce() {
  verified ??= (async () => {
    const { dir, fake, cache } = notHelmProject("not-helm-verify");
    return { dir, fake, ...(await verifyWith(dir, fake, cache)) };
  })();
  return verified;
}

/** The lines naming HOMELAB_HELM: one message, whatever the number of releases. */
const named = (text: string) => text.split("\n").filter((l) => /HOMELAB_HELM/.test(l));

describe("a HOMELAB_HELM that is no Helm, in the other commands that render", function () {
  this.timeout(120_000);

  it("verify: one message for every release, a failure in its own words, exit 2 as before", async () => {
    const { code, out, err } = await verifyOnce();
    assert.equal(code, 2, err);
    assert.equal(named(err).length, 1, err);
    assert.match(
      err,
      /^verify --stack staging: the stack does not render, so its promised jobs are unknown: 10 of 10 Helm releases did not render \(helm template\):\n {2}HOMELAB_HELM: expected the path of a Helm 3 binary, got .*, which is no Helm: .*"fake helm 0\.1" first.*\n {4}\(so none of monitoring\/.* rendered\)\n$/,
    );
    assert.doesNotMatch(err, /unexpected error|\n\s+at /, "no bug, no trace");
    assert.equal(out, "verify --stack staging: FAIL (exit 2): the stack could not be verified (above)\n");
  });

  it("bench: its render child says it once on stderr, its figures still on stdout, exit 0 as before", async () => {
    const { dir, fake } = notHelmProject("not-helm-bench");
    const file = path.join(dir, "staging.json");
    fs.writeFileSync(file, JSON.stringify((await synth("staging")).export));
    const r = spawnSync(process.execPath, [compiled("cli/bench.ts"), "--child-render", file], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, HOMELAB_HELM: fake, HOMELAB_RENDER_CACHE: tmpDir("render-cache") },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^[\d.]+ [\d.]+ 10\n$/);
    assert.equal(named(r.stderr).length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^render: 10 of 10 Helm releases did not render \(helm template\):\n {2}HOMELAB_HELM: /,
    );
  });

  it("synth and verify say the same of the same releases that did not render", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    const { inProcess } = await import("../support/helpers");
    // The same project and fake Helm as verify's run.
    const { dir, fake, ...verify } = await verifyOnce();
    const vars = { HOMELAB_HELM: fake, HOMELAB_RENDER_CACHE: renderCache(stableDir("not-helm-synth")) };
    const args = ["--dir", dir, "--out", path.join(dir, "out"), "--stack", "staging", "--quiet"];
    const synth = await withEnv(vars, () => inProcess(runSynth, args, { ...process.env, ...vars }));
    // Each puts its own lead before the one text (synth/report.ts notRenderedText); the text, from
    // the count to the last release, is the same.
    const verifySaid = /unknown: (\d+ of \d+ Helm releases did not render[^]*)\n$/.exec(verify.err)?.[1];
    const synthSaid = /^staging: (\d+ of \d+ Helm releases did not render[^]*?)\nstaging: !!! /m.exec(
      synth.stderr,
    )?.[1];
    assert.ok(verifySaid, verify.err);
    assert.equal(synthSaid, verifySaid, synth.stderr);
  });

  it("synth --against: the change check is not run, said once, no unexpected error; exit 1 for the releases as before", async () => {
    const { runSynth } = await import("../../cli/synthRun");
    const { inProcess } = await import("../support/helpers");
    const { dir, fake, cache } = notHelmProject("not-helm-against");
    const previous = path.join(dir, "previous.json");
    fs.writeFileSync(previous, JSON.stringify((await synth("staging")).export));
    const vars = { HOMELAB_HELM: fake, HOMELAB_RENDER_CACHE: cache };
    const args = ["--dir", dir, "--out", path.join(dir, "out"), "--stack", "staging", "--against", previous];
    const r = await withEnv(vars, () => inProcess(runSynth, args, { ...process.env, ...vars }));
    const all = r.stdout + r.stderr;
    assert.equal(r.status, 1, all);
    assert.equal(named(all).length, 1, all);
    assert.doesNotMatch(all, /unexpected error/, all);
    assert.match(
      all,
      /change check not run: 10 releases of this synthesis did not render \(above\), so what it changes is not known/,
    );
    assert.match(r.stdout + r.stderr, /staging: FAIL \(exit 1\): 10 Helm releases did not render/);
  });
});
