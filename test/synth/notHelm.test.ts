/**
 * A HOMELAB_HELM that runs but is no Helm (/bin/false, a script printing something else): one
 * message naming HOMELAB_HELM, the program's path, what it did (exit status, first line of output)
 * and that a Helm 3 binary is expected, instead of one error per release; told from the render's own
 * answer (no `helm version` on every synthesis; only an empty answer, which /bin/true gives, is
 * followed by `version --short`), and never kept in the render cache, which the next
 * run with a real Helm would otherwise read back for every release.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { renderCacheDir } from "../../config/chartCache";
import { notHelmAnswer, notHelmProblem } from "../../synth/render/helm";
import { formatRenderError, mergeRenderErrors } from "../../synth/report";
import { inProcess, ROOT, tmpDir, withEnv } from "../support/helpers";
import { stableDir } from "../support/stableDir";

const VALUES = '{"grafana":{"adminPassword":"s3cr3t-value"}}';

/** A render's file in a render cache: `<key>.json`, or `<key>.error` for Helm's refusal. */
const RENDER_FILE = /^[0-9a-f]{64}\.(json|error)$/;

/**
 * Links the renders of the project's render cache (the suite's; the staging stack's are there after
 * the first run below) into `cache`. The tests below run a fake Helm into a cache of their own, empty
 * so that the fake is asked; once it is shown to have kept no render there, the real Helm's run
 * finds the suite's renders in it and reads them instead of running Helm for every release again
 * (measured warm, the file: 11.7 -> 4.9 s of CPU). What the fake left (charts.json) is still read by
 * that run, and a render it does not find there runs Helm, into that cache, as before.
 */
function linkProjectRenders(cache: string): void {
  const from = renderCacheDir();
  const names = fs.existsSync(from) ? fs.readdirSync(from) : [];
  for (const f of names.filter((n) => RENDER_FILE.test(n)))
    fs.symlinkSync(path.join(from, f), path.join(cache, f));
}

/**
 * A project folder with `stack`'s file, a program standing in for Helm (`script`, at `own/<name>`)
 * and a render cache of its own, empty: a warm one would render nothing and so never ask the
 * program. The program and the cache are at the same paths in every run (test/support/stableDir.ts:
 * the syntheses run under them are read from the fixture cache; measured warm, the first test below
 * 2.2 -> 1.1 s). `synth(helm)` runs synth of the stack in this process with `helm` as HOMELAB_HELM,
 * into that cache; `real(what)` holds that the program kept no render there, then runs the real Helm.
 */
async function fakeHelmProject(stack: string, name: string, script: string) {
  const { runSynth } = await import("../../cli/synthRun");
  const dir = tmpDir(name);
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.copyFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
  const own = stableDir("not-helm");
  const helm = path.join(own, name);
  fs.writeFileSync(helm, script, { mode: 0o755 });
  const cache = path.join(own, "render-cache");
  fs.mkdirSync(cache);
  const synth = (program: string) => {
    const vars = { HOMELAB_HELM: program, HOMELAB_RENDER_CACHE: cache };
    return withEnv(vars, () =>
      inProcess(runSynth, ["--dir", dir, "--out", path.join(dir, "out"), "--stack", stack], {
        ...process.env,
        ...vars,
      }),
    );
  };
  const real = (what: string) => {
    assert.deepEqual(
      fs.readdirSync(cache).filter((f) => RENDER_FILE.test(f)),
      [],
      `no render of the ${what} kept`,
    );
    linkProjectRenders(cache);
    return synth(path.join(ROOT, ".tools", "helm"));
  };
  return { runSynth, dir, helm, synth, real };
}

describe("a HOMELAB_HELM that runs but is no Helm", function () {
  this.timeout(120_000);

  it("what it did is read from its answer; Helm's own answers (a template error, a render, nothing) are Helm's", () => {
    assert.equal(
      notHelmAnswer({ code: 1, stdout: "", stderr: "" }, VALUES),
      "exited with status 1 and printed nothing",
    );
    assert.equal(
      notHelmAnswer({ code: 0, stdout: "hello\nmore\n", stderr: "" }, VALUES),
      'exited with status 0 and printed "hello" first',
    );
    assert.equal(
      notHelmAnswer({ code: 64, stdout: "out\n", stderr: "usage: x [opts]\n" }, VALUES),
      'exited with status 64 and printed "usage: x [opts]" first',
    );
    // A program echoing its stdin (the values, secrets among them) shows none of it.
    assert.equal(
      notHelmAnswer({ code: 0, stdout: `${VALUES}\n`, stderr: "" }, VALUES),
      "exited with status 0 and printed a line holding values it was given (not shown)",
    );
    const helms = [
      { code: 1, stdout: "", stderr: "Error: execution error at (loki/templates/x.yaml:3:4): bad\n" },
      { code: 1, stdout: "", stderr: "walk.go:75: found symbolic link\nError: INSTALLATION FAILED: x\n" },
      { code: 0, stdout: "---\n# Source: loki/templates/cm.yaml\nkind: ConfigMap\n", stderr: "" },
      { code: 0, stdout: "", stderr: "" },
    ];
    for (const r of helms) assert.equal(notHelmAnswer(r, VALUES), undefined, JSON.stringify(r));
  });

  it("a first line holding a value it was given, reshaped or behind words of its own, is not shown", () => {
    const said = (line: string, code = 1) =>
      notHelmAnswer({ code, stdout: "", stderr: `${line}\nmore\n` }, VALUES);
    const hidden = (code: number) =>
      `exited with status ${code} and printed a line holding values it was given (not shown)`;
    // As `yq -P` prints it, as `xargs echo` prints it, and behind a program's own words.
    assert.equal(said("adminPassword: s3cr3t-value"), hidden(1));
    assert.equal(said("{grafana:{adminPassword:s3cr3t-value}}"), hidden(1));
    assert.equal(said(`unexpected input: ${VALUES}`), hidden(1));
    // A number among the values is a value too.
    assert.equal(
      notHelmAnswer({ code: 2, stdout: "", stderr: "bad pin 482913\n" }, '{"pin":482913}'),
      hidden(2),
    );
    // A line holding none of them is shown.
    assert.equal(
      said("usage: wrapper [opts]"),
      'exited with status 1 and printed "usage: wrapper [opts]" first',
    );
  });

  it("the message names HOMELAB_HELM, what was found and what it expects, set or unset", () => {
    assert.equal(
      notHelmProblem("/bin/false", "exited with status 1 and printed nothing", {
        HOMELAB_HELM: "/bin/false",
      }),
      'HOMELAB_HELM: expected the path of a Helm 3 binary, got "/bin/false", which is no Helm: asked to render a release (helm template), it exited with status 1 and printed nothing; set it to a Helm 3 binary (`command -v helm` prints the one on PATH) or unset it for .tools/helm (scripts/install-helm.sh puts one there)',
    );
    assert.match(
      notHelmProblem("/x/.tools/helm", "exited with status 1 and printed nothing", {}),
      /^HOMELAB_HELM: unset, so the render ran "\/x\/\.tools\/helm", which is no Helm: .*expected a Helm 3 binary there/,
    );
  });

  it("HOMELAB_HELM that is no Helm says what unsetting it runs in this checkout, not a .tools/helm it lacks", () => {
    const did = "exited with status 1 and printed nothing";
    const bare = tmpDir("no-tools");
    const pathHelm = path.join(tmpDir("path-helm"), "helm");
    fs.writeFileSync(pathHelm, "#!/bin/sh\n", { mode: 0o755 });
    const said = (root: string, PATH: string) =>
      notHelmProblem("/bin/false", did, { HOMELAB_HELM: "/bin/false", PATH }, root).replace(
        /^.*; set it to a Helm 3 binary \(`command -v helm` prints the one on PATH\) or /,
        "",
      );
    assert.equal(
      said(ROOT, "/nonexistent"),
      "unset it for .tools/helm (scripts/install-helm.sh puts one there)",
    );
    assert.equal(
      said(bare, path.dirname(pathHelm)),
      "unset it for helm on PATH (the project has no .tools/helm; scripts/install-helm.sh puts one in .tools/helm)",
    );
    assert.equal(
      said(bare, "/nonexistent"),
      "run scripts/install-helm.sh and unset it (unset alone leaves no Helm: the project has no .tools/helm and PATH has no helm)",
    );
  });

  it("the releases it failed are one message whatever their charts, by the render's flag, not its words", () => {
    const fail = (name: string, chart: string, notHelm?: boolean) => ({
      resourceUrn: `urn:${name}`,
      releaseName: name,
      namespace: "monitoring",
      chart,
      version: "1.0.0",
      error: "the same words",
      ...(notHelm ? { notHelm } : {}),
    });
    const folded = mergeRenderErrors([fail("loki", "loki", true), fail("grafana", "grafana", true)], [], []);
    assert.equal(folded.length, 1);
    assert.deepEqual(folded[0].releases, ["monitoring/loki", "monitoring/grafana"]);
    assert.equal(
      formatRenderError(folded[0]),
      "the same words\n    (so none of monitoring/loki, monitoring/grafana rendered)",
    );
    // Helm's own failures of two charts stay two, even with the same words.
    assert.equal(mergeRenderErrors([fail("loki", "loki"), fail("grafana", "grafana")], [], []).length, 2);
  });

  it("synth: one message for every release, nothing cached; the next run with a real Helm renders", async () => {
    // Exits 0 with what is no manifest: before, every release "rendered" into nothing, and was cached.
    const {
      runSynth,
      dir,
      helm: fake,
      synth,
      real: realAfter,
    } = await fakeHelmProject(
      "staging",
      "fake-helm",
      '#!/bin/sh\necho "fake helm 0.1"\necho "second line"\n',
    );
    // The same releases rendered first in this process by the real Helm through the project's
    // cache, as a worker running other files before this one does: the fake must still be asked.
    const first = await inProcess(runSynth, [
      "--dir",
      dir,
      "--out",
      path.join(dir, "first"),
      "--stack",
      "staging",
    ]);
    assert.equal(first.status, 0, first.stdout + first.stderr);
    const r = await synth(fake);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const named = r.stderr.split("\n").filter((l) => /HOMELAB_HELM/.test(l));
    assert.deepEqual(
      named,
      [
        `  HOMELAB_HELM: expected the path of a Helm 3 binary, got ${JSON.stringify(fake)}, which is no Helm: asked to render a release (helm template), it exited with status 0 and printed "fake helm 0.1" first; set it to a Helm 3 binary (\`command -v helm\` prints the one on PATH) or unset it for .tools/helm (scripts/install-helm.sh puts one there)`,
      ],
      r.stderr,
    );
    assert.match(r.stderr, /^staging: 10 of 10 Helm releases did not render/m);
    const real = await realAfter("fake");
    assert.doesNotMatch(real.stderr, /did not render/, real.stderr);
    assert.equal(real.status, 0, real.stdout + real.stderr);
  });

  // An empty answer is what Helm gives for a chart that renders nothing, and what /bin/true gives
  // for every release: it was taken as Helm's and kept in the render cache, so that run reported
  // 37 objects without their CRDs and no HOMELAB_HELM, and every later run, the real Helm's too,
  // read the empty renders back.
  it("synth: a program that exits 0 and prints nothing is asked its version, named once, and nothing of it is cached", async () => {
    const {
      helm: silent,
      synth,
      real: realAfter,
    } = await fakeHelmProject("example", "silent-helm", "#!/bin/sh\nexit 0\n");
    const r = await synth(silent);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.deepEqual(
      r.stderr.split("\n").filter((l) => /HOMELAB_HELM/.test(l)),
      [
        `  HOMELAB_HELM: expected the path of a Helm 3 binary, got ${JSON.stringify(silent)}, which is no Helm: asked to render a release (helm template), it exited with status 0 and printed nothing; asked its version (version --short), it exited with status 0 and printed nothing; set it to a Helm 3 binary (\`command -v helm\` prints the one on PATH) or unset it for .tools/helm (scripts/install-helm.sh puts one there)`,
      ],
      r.stderr,
    );
    const real = await realAfter("silent program");
    assert.equal(real.status, 0, real.stdout + real.stderr);
  });
});
