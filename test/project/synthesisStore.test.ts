import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { setSynthesisStore, synthesisStore, type SynthesisStore } from "../../synth/synthesisStore";
import { synthStack } from "../../synth/run";
import type { StackConfigInput } from "../../synth/synthesize";
import { ROOT, inProcess, synthesesIn, tmpDir } from "../support/helpers";
import { shownFile } from "../../config/paths";

/** A stack file as read, of its own: a key no other test's entry has. */
function readAs(mark: string): StackConfigInput {
  return {
    config: { "homelab-observability:mark": mark },
    secretKeys: [],
    placeholders: [],
    uncheckedCharts: [],
    backendBuckets: { mimir: [], victoriametrics: [] },
  };
}

describe("the synthesis store: the CLIs run in process read the fixture cache's syntheses (test/support/helpers.ts)", () => {
  it("keeps a synthesis by the stack file as read, not by the folder: a second folder with the same file reads it", async () => {
    const store = synthesesIn(tmpDir("synthesis-store"));
    const cfg = readAs(`same-${Date.now()}`);
    let runs = 0;
    const compute = () => Promise.resolve({ runs: ++runs });
    const a = await store({ projectDir: tmpDir("project-a"), stack: "s", cfg }, compute);
    const b = await store({ projectDir: tmpDir("project-b"), stack: "s", cfg }, compute);
    assert.equal(runs, 1);
    assert.equal(b, a);
    // Another stack file as read is another synthesis.
    await store({ projectDir: tmpDir("project-a"), stack: "s", cfg: readAs(`other-${Date.now()}`) }, compute);
    assert.equal(runs, 2);
  });

  it("keeps one that names its folder (absolute or from the working directory) with the folder set aside: another folder reads it naming its own", async () => {
    const store = synthesesIn(tmpDir("synthesis-store"));
    const cfg = readAs(`named-${Date.now()}`);
    let runs = 0;
    const compute = (dir: string) => () =>
      Promise.resolve({
        runs: ++runs,
        at: `${shownFile(dir)}/Pulumi.s.yaml:12`,
        file: `${path.resolve(dir)}/Pulumi.s.yaml`,
      });
    const [a, b] = [tmpDir("project-named"), tmpDir("project-named")];
    const first = await store({ projectDir: a, stack: "s", cfg }, compute(a));
    const second = await store({ projectDir: b, stack: "s", cfg }, compute(b));
    assert.equal(runs, 1, "computed once");
    assert.deepEqual(first, {
      runs: 1,
      at: `${shownFile(a)}/Pulumi.s.yaml:12`,
      file: `${a}/Pulumi.s.yaml`,
    });
    assert.deepEqual(second, {
      runs: 1,
      at: `${shownFile(b)}/Pulumi.s.yaml:12`,
      file: `${b}/Pulumi.s.yaml`,
    });
  });

  it("reads one that names its folder naming the reader's in every string and key, each part that names none shared and frozen as a hit's", async () => {
    const store = synthesesIn(tmpDir("synthesis-store"));
    const cfg = readAs(`named-parts-${Date.now()}`);
    const compute = (dir: string) => () =>
      Promise.resolve({
        byFile: { [`${path.resolve(dir)}/Pulumi.s.yaml`]: [`${shownFile(dir)}/Pulumi.s.yaml:3`, "kept"] },
        plain: { list: ["a", { b: 1 }], none: null },
      });
    const [a, b] = [tmpDir("project-parts"), tmpDir("project-parts")];
    const first = (await store({ projectDir: a, stack: "s", cfg }, compute(a))) as any;
    const second = (await store({ projectDir: b, stack: "s", cfg }, compute(b))) as any;
    assert.deepEqual(second, {
      byFile: { [`${b}/Pulumi.s.yaml`]: [`${shownFile(b)}/Pulumi.s.yaml:3`, "kept"] },
      plain: { list: ["a", { b: 1 }], none: null },
    });
    assert.deepEqual(first.byFile, { [`${a}/Pulumi.s.yaml`]: [`${shownFile(a)}/Pulumi.s.yaml:3`, "kept"] });
    // What names no folder is the entry's value itself, not a copy (a copy of a whole synthesis,
    // megabytes, was made on each read).
    assert.equal(second.plain, first.plain);
    assert.ok(Object.isFrozen(second.plain.list[1]), "the shared part is frozen as every hit is");
  });

  it("keeps another folder's synthesis by its stack file's text too: the same config on other lines names its own lines", async function () {
    this.timeout(120_000);
    // A `kubernetes:` key the program warns of at its line (config/kubernetesKeys.ts), below a
    // comment line in one folder only: the two files read as the same config.
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8").trimEnd();
    const file = (comment: string) => `${text}\n${comment}  kubernetes:enableReplaceCRD: "true"\n`;
    const folders = ["", "  # a comment\n"].map((comment) => {
      const dir = tmpDir("project-lines");
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), file(comment));
      return dir;
    });
    const line = text.split("\n").length + 1;
    setSynthesisStore(synthesesIn(tmpDir("synthesis-store")));
    try {
      for (const [i, dir] of folders.entries()) {
        const { warnings } = await synthStack(dir, "staging");
        const said = warnings.find((w) => w.startsWith("kubernetes:enableReplaceCRD ("));
        assert.ok(said?.includes(`/Pulumi.staging.yaml:${line + i}): `), `${dir}: ${said}`);
      }
    } finally {
      setSynthesisStore(undefined);
    }
  });

  it("keeps the project's own syntheses as synth() does (its folder named or not): one entry for both", async () => {
    const dir = tmpDir("synthesis-store");
    const store = synthesesIn(dir);
    let runs = 0;
    const compute = () => Promise.resolve({ runs: ++runs, at: `${ROOT}/Pulumi.s.yaml` });
    const cfg = readAs(`root-${Date.now()}`);
    await store({ projectDir: ROOT, stack: "s", cfg }, compute);
    await store({ projectDir: ROOT, stack: "s", cfg }, compute);
    assert.equal(runs, 1);
    assert.deepEqual(fs.readdirSync(dir), ["synth"]);
  });

  it("is set only while a CLI runs in process: synthStack goes through it then, and synthesizes itself before and after", async () => {
    const seen: string[] = [];
    const stop = new Error("stopped by the probe");
    const probe: SynthesisStore = ({ stack }) => {
      seen.push(stack);
      return Promise.reject(stop);
    };
    // The probe in place of the fixture store: inProcess sets its own, so this checks synthStack.
    setSynthesisStore(probe);
    try {
      await assert.rejects(synthStack(ROOT, "staging"), stop);
    } finally {
      setSynthesisStore(undefined);
    }
    assert.deepEqual(seen, ["staging"]);
    const run = await inProcess(() => Promise.resolve(synthesisStore() === undefined ? 1 : 0), []);
    assert.equal(run.status, 0, "the store is set while a CLI runs in process");
    assert.equal(synthesisStore(), undefined, "a store left set after the run");
  });
});
