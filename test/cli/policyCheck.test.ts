import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { exportFiles, expandPattern, sideFileReason } from "../../cli/exportFiles";
import { encodeStackInfo, STACK_INFO_LABEL } from "@homelab-observability/contract";
import { release } from "../support/policyCases";
import { policyCheckCli, tmpDir, writeTooDeepExport } from "../support/helpers";

/*
 * `npm run policy:check` over what `npm run synth` writes: a folder or a pattern, each stack export
 * judged (with its rendered objects), every other file listed with why it was skipped.
 */

/** A minimal stack export holding `resources`. */
const exportOf = (resources: unknown[]) => JSON.stringify({ version: 3, deployment: { resources } });
const STACK = {
  urn: "urn:pulumi:s::homelab-observability::pulumi:pulumi:Stack::homelab-observability-s",
  type: "pulumi:pulumi:Stack",
  custom: false,
};

/** A NetworkPolicy in the releases' namespace (network-policies-present wants one there). */
const NETWORK_POLICY = {
  urn: "urn:pulumi:s::homelab-observability::kubernetes:networking.k8s.io/v1:NetworkPolicy::np",
  type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  custom: true,
  inputs: { metadata: { name: "np", namespace: "monitoring" }, spec: { podSelector: {} } },
};

/** A folder as `npm run synth --all --out` leaves it, plus a stray JSON file. */
function synthOut(): string {
  const dir = tmpDir("policy-check");
  fs.writeFileSync(path.join(dir, "good.json"), exportOf([STACK]));
  fs.writeFileSync(path.join(dir, "good.rendered.json"), JSON.stringify({ releases: [], raw: [] }));
  fs.writeFileSync(path.join(dir, "good.adopted.json"), JSON.stringify({ imports: [], reads: [] }));
  // Loki with retention and no delete store: a mandatory violation (its namespace has a
  // NetworkPolicy, so that is the one).
  fs.writeFileSync(
    path.join(dir, "bad.json"),
    exportOf([STACK, release("loki", { loki: { compactor: { retention_enabled: true } } }), NETWORK_POLICY]),
  );
  fs.writeFileSync(path.join(dir, "notes.json"), JSON.stringify({ hello: "world" }));
  fs.writeFileSync(path.join(dir, "README.md"), "not json\n");
  return dir;
}

describe("policy:check: which files it judges", () => {
  it("a folder: each .json directly in it, the files synth writes beside an export skipped with why", () => {
    const dir = synthOut();
    const r = exportFiles([dir]);
    assert.deepEqual(
      r.candidates.map((c) => [path.basename(c.file), c.named]),
      [
        ["bad.json", false],
        ["good.json", false],
        ["notes.json", false],
      ],
    );
    assert.deepEqual(
      r.skipped.map((s) => path.basename(s.file)),
      ["README.md", "good.adopted.json", "good.rendered.json"],
    );
    assert.equal(r.skipped[0].why, "not a .json file");
    assert.match(
      r.skipped[1].why,
      /imports and reads npm run synth records beside .*good\.json: not a stack export/,
    );
    assert.match(r.skipped[2].why, /rendered objects .* beside .*good\.json: judged with that export/);
  });

  it("a folder's subfolder, and a folder a pattern matches, are skipped with why", () => {
    const dir = synthOut();
    fs.mkdirSync(path.join(dir, "sub"));
    fs.writeFileSync(path.join(dir, "sub", "staging.json"), exportOf([STACK]));
    for (const arg of [dir, path.join(dir, "s*")]) {
      const r = exportFiles([arg]);
      const sub = r.skipped.find((s) => s.file === path.join(dir, "sub"));
      // Each way out names this folder: pasted, it judges the exports of sub.
      const sub2 = path.join(dir, "sub");
      assert.equal(
        sub?.why ?? `${arg}: sub not skipped`,
        `a folder: only files are judged; give it (${sub2}) to judge the exports in it, or '${path.join(sub2, "**", "*.json")}' for those in every folder below it too`,
      );
      assert.ok(!r.candidates.some((c) => c.file.includes("staging")), "a folder is not entered");
    }
    // In the order found: each file's lines stand where it does among the others.
    assert.deepEqual(
      exportFiles([dir]).inOrder.map((e) => path.basename(e.file)),
      ["README.md", "bad.json", "good.adopted.json", "good.json", "good.rendered.json", "notes.json", "sub"],
    );
  });

  it("`**` as a whole segment is any number of folders; within a name it is refused, naming the forms", () => {
    const dir = synthOut();
    fs.mkdirSync(path.join(dir, "sub", "deeper"), { recursive: true });
    fs.writeFileSync(path.join(dir, "sub", "staging.json"), exportOf([STACK]));
    fs.writeFileSync(path.join(dir, "sub", "deeper", "pi.json"), exportOf([STACK]));
    assert.deepEqual(
      expandPattern(path.join(dir, "**", "*.json")).map((f) => path.relative(dir, f)),
      [
        "bad.json",
        "good.adopted.json",
        "good.json",
        "good.rendered.json",
        "notes.json",
        path.join("sub", "deeper", "pi.json"),
        path.join("sub", "staging.json"),
      ],
    );
    assert.deepEqual(
      expandPattern(path.join(dir, "sub", "**")).map((f) => path.relative(dir, f)),
      [path.join("sub", "deeper"), path.join("sub", "deeper", "pi.json"), path.join("sub", "staging.json")],
    );
    assert.match(
      exportFiles([path.join(dir, "**.json")]).problems[0]?.problem ?? "no problem",
      /\*\*\.json: `\*\*` stands for any number of folders only as a whole segment \(`out\/\*\*\/\*\.json`\); within a name use `\*`/,
    );
  });

  it("a final `**` enters every folder below: none is skipped as a folder whose exports it left unjudged", () => {
    const dir = tmpDir("pc-final-globstar");
    fs.mkdirSync(path.join(dir, "a", "b"), { recursive: true });
    fs.mkdirSync(path.join(dir, "empty"));
    fs.writeFileSync(path.join(dir, "a", "b", "pi.json"), exportOf([STACK]));
    fs.writeFileSync(path.join(dir, "a", "notes.txt"), "not json\n");
    const r = exportFiles([path.join(dir, "**")]);
    assert.deepEqual(
      r.candidates.map((c) => path.relative(dir, c.file)),
      [path.join("a", "b", "pi.json")],
    );
    // "give it (a) to judge the exports in it" was said of a and a/b, whose export it judged.
    assert.deepEqual(
      r.skipped.map((s) => [path.relative(dir, s.file), s.why]),
      [[path.join("a", "notes.txt"), "not a .json file"]],
    );
    // Only folders, none holding a file: no file to judge, said as such.
    const bare = tmpDir("pc-final-globstar-bare");
    fs.mkdirSync(path.join(bare, "x", "y"), { recursive: true });
    assert.deepEqual(
      exportFiles([path.join(bare, "**")]).problems.map((p) => p.problem),
      [`${path.join(bare, "**")}: the pattern matches no file`],
    );
  });

  it("a pattern, in the file name or in a folder's name, matches as a shell would", () => {
    const dir = synthOut();
    assert.deepEqual(
      expandPattern(path.join(dir, "g*.json")).map((f) => path.basename(f)),
      ["good.adopted.json", "good.json", "good.rendered.json"],
    );
    const tree = tmpDir("policy-check-tree");
    for (const d of ["a1", "a2", "b1"]) {
      fs.mkdirSync(path.join(tree, d));
      fs.writeFileSync(path.join(tree, d, "x.json"), "{}");
    }
    assert.deepEqual(
      expandPattern(path.join(tree, "a?", "*.json")).map((f) => path.relative(tree, f)),
      [path.join("a1", "x.json"), path.join("a2", "x.json")],
    );
    const r = exportFiles([path.join(dir, "*.json"), path.join(dir, "good.json")]);
    assert.equal(r.candidates.filter((c) => c.file.endsWith("good.json")).length, 1, "each file once");
  });

  it("a rendered file named on the command line is skipped with why; the export beside it is judged", () => {
    const dir = synthOut();
    const r = exportFiles([path.join(dir, "good.rendered.json"), path.join(dir, "good.json")]);
    assert.deepEqual(
      r.candidates.map((c) => [path.basename(c.file), c.named]),
      [["good.json", true]],
    );
    assert.equal(r.skipped.length, 1);
    assert.equal(sideFileReason(path.join(dir, "x.json")), undefined);
  });

  it("a rendered file whose export is not judged says so: not there, or not among the files given", () => {
    const dir = tmpDir("policy-check-lone");
    const rendered = path.join(dir, "pi.rendered.json");
    fs.writeFileSync(rendered, JSON.stringify({ releases: [], raw: [] }));
    const exp = path.join(dir, "pi.json");
    assert.deepEqual(exportFiles([dir]).skipped, [
      {
        file: rendered,
        why: `the rendered objects npm run synth writes beside ${exp}: that export is not there, so nothing judged them (they are judged only with their export)`,
      },
    ]);
    fs.writeFileSync(exp, exportOf([STACK]));
    assert.equal(
      exportFiles([rendered]).skipped[0].why,
      `the rendered objects npm run synth writes beside ${exp}: judged only with that export, which is not among the files given (give ${exp} to judge both)`,
    );
    assert.match(exportFiles([dir]).skipped[0].why, /: judged with that export, not alone$/);
  });

  it("a path that names nothing is a problem naming it, in its place: the other arguments are still read", () => {
    const dir = synthOut();
    const empty = tmpDir("policy-check-empty");
    const nope = path.join(dir, "nope.json");
    const r = exportFiles([nope, path.join(dir, "zz*.json"), empty, path.join(dir, "good.json")]);
    assert.deepEqual(
      r.problems.map((p) => p.problem),
      [
        // The closest name beside it, for a misspelt export.
        `${nope}: no such file or folder; did you mean ${path.join(dir, "notes.json")}?`,
        `${path.join(dir, "zz*.json")}: the pattern matches no file`,
        `${empty}: a folder without a .json file`,
      ],
    );
    assert.deepEqual(
      r.candidates.map((c) => path.basename(c.file)),
      ["good.json"],
    );
    assert.deepEqual(
      r.inOrder.map((e) => path.basename(e.file)),
      ["nope.json", "zz*.json", path.basename(empty), "good.json"],
    );
  });

  it("an argument given twice is read once: a path naming nothing is one problem saying it was given twice", () => {
    const dir = synthOut();
    const nope = path.join(dir, "nope.json");
    const r = exportFiles([nope, path.join(dir, "good.json"), nope, path.join(dir, ".", "nope.json")]);
    assert.deepEqual(
      r.problems.map((p) => p.problem),
      [`${nope} (given 3 times): no such file or folder; did you mean ${path.join(dir, "notes.json")}?`],
    );
    assert.deepEqual(
      r.inOrder.map((e) => path.basename(e.file)),
      ["nope.json", "good.json"],
    );
  });

  it("links: a broken one is skipped with why (in a folder, by a pattern); `**` lists a link to a folder, not entering it", () => {
    const dir = synthOut();
    fs.symlinkSync(path.join(dir, "gone.json"), path.join(dir, "broken.json"));
    fs.mkdirSync(path.join(dir, "pc"));
    fs.writeFileSync(path.join(dir, "pc", "staging.json"), exportOf([STACK]));
    fs.symlinkSync(path.join(dir, "pc"), path.join(dir, "pclink"));
    // A link back above itself: followed, `**` would never end.
    fs.symlinkSync(dir, path.join(dir, "pc", "up"));
    const brokenWhy = `a broken link (to ${path.join(dir, "gone.json")}, which does not exist): nothing to read`;
    for (const arg of [dir, path.join(dir, "**", "*.json")]) {
      const r = exportFiles([arg]);
      assert.deepEqual(
        r.skipped.find((s) => s.file === path.join(dir, "broken.json")),
        { file: path.join(dir, "broken.json"), why: brokenWhy },
        arg,
      );
      assert.ok(!r.candidates.some((c) => c.file.endsWith("broken.json")), arg);
    }
    const r = exportFiles([path.join(dir, "**", "staging.json")]);
    assert.deepEqual(
      r.candidates.map((c) => path.relative(dir, c.file)),
      [path.join("pc", "staging.json")],
    );
    assert.deepEqual(
      r.skipped.map((s) => [path.relative(dir, s.file), s.why]),
      [
        [
          path.join("pc", "up"),
          `a link to the folder ${dir}: not followed (a link can loop back above itself); give it as a pattern ('${path.join(dir, "pc", "up", "**", "*.json")}') to judge the exports in it`,
        ],
        [
          "pclink",
          `a link to the folder ${path.join(dir, "pc")}: not followed (a link can loop back above itself); give it as a pattern ('${path.join(dir, "pclink", "**", "*.json")}') to judge the exports in it`,
        ],
      ],
    );
    // Named, a link to a folder is read as that folder; a broken one is a problem naming it.
    assert.deepEqual(
      exportFiles([path.join(dir, "pclink")]).candidates.map((c) => path.relative(dir, c.file)),
      [path.join("pclink", "staging.json")],
    );
    assert.deepEqual(
      exportFiles([path.join(dir, "broken.json")]).problems.map((p) => p.problem),
      [`${path.join(dir, "broken.json")}: ${brokenWhy}`],
    );
    // The pattern the skip suggests reaches the exports below the link.
    assert.deepEqual(
      exportFiles([path.join(dir, "pclink", "**", "*.json")]).candidates.map((c) =>
        path.relative(dir, c.file),
      ),
      [path.join("pclink", "staging.json")],
    );
    // A folder whose exports are all below its top level says how to reach them.
    const deep = tmpDir("pc-deep");
    fs.mkdirSync(path.join(deep, "sub"));
    fs.writeFileSync(path.join(deep, "sub", "staging.json"), exportOf([STACK]));
    assert.deepEqual(
      exportFiles([deep]).problems.map((p) => p.problem),
      [
        `${deep}: a folder without a .json file at its top level (give a pattern such as '${path.join(deep, "**", "*.json")}' to judge the exports in its folders)`,
      ],
    );
    assert.equal(exportFiles([path.join(deep, "**", "*.json")]).candidates.length, 1);
    // Two links to each other: a loop, said as one, not as a missing file.
    fs.symlinkSync(path.join(deep, "loop2"), path.join(deep, "loop1"));
    fs.symlinkSync(path.join(deep, "loop1"), path.join(deep, "loop2"));
    assert.match(
      exportFiles([path.join(deep, "loop1")]).problems[0].problem,
      /loop1: a link loop \(to .*loop2, which leads back to a link on the way\)/,
    );
  });
});

describe("policy:check over synth's out folder", function () {
  this.timeout(60000);
  it("judges each export, lists each skipped file and why, and ends with the exit status", async () => {
    const dir = synthOut();
    // The command in this process (its process wrapper: test/cli/cliSmoke.test.ts).
    const r = await policyCheckCli([dir]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    for (const [file, why] of [
      ["good.rendered.json", "the rendered objects"],
      ["good.adopted.json", "the imports and reads"],
      ["notes.json", "not a `pulumi stack export` file"],
    ])
      assert.ok(
        lines.some((l) => l.startsWith(`skipped ${path.join(dir, file)}: ${why}`)),
        `${file} skipped with why:\n${r.stdout}`,
      );
    assert.ok(
      lines.includes(`${path.join(dir, "good.json")}: policy: pass (0 mandatory, 0 advisory)`),
      r.stdout,
    );
    assert.match(
      r.stdout,
      /\[mandatory\] loki-retention-needs-delete-store: kubernetes:helm\.sh\/v3:Release "loki"/,
    );
    assert.equal(
      lines.pop(),
      `policy:check: FAIL (exit 1): 1 of 2 exports failed: ${path.join(dir, "bad.json")}`,
    );
  });
});

describe("policy:check: each export's lines under its own header", function () {
  this.timeout(60000);
  it("a file's violations stand between its count and its verdict, after the files before it", async () => {
    const dir = synthOut();
    fs.writeFileSync(path.join(dir, "broken.json"), "notjson\n more");
    fs.mkdirSync(path.join(dir, "sub"));
    const r = await policyCheckCli([dir]);
    const lines = r.stdout.trimEnd().split("\n");
    const bad = path.join(dir, "bad.json");
    const header = lines.findIndex((l) => l.startsWith(`${bad}: 3 resources`));
    const violation = lines.findIndex((l) => l.includes("[mandatory] loki-retention-needs-delete-store"));
    const verdictAt = lines.indexOf(`${bad}: policy: FAIL (1 mandatory, 0 advisory)`);
    assert.ok(header >= 0 && header < violation && violation < verdictAt, r.stdout);
    // Nothing but bad.json's own lines between its header and its verdict.
    assert.ok(
      lines.slice(header, verdictAt).every((l) => !l.startsWith("skipped ")),
      r.stdout,
    );
    // Every skip on one line, a subfolder and a file not named .json among them; a .json file that
    // is not JSON is not skipped but an error, on one line too.
    const broken = r.stderr
      .split("\n")
      .find((l) =>
        l.startsWith(`policy:check: ${path.join(dir, "broken.json")}:1:1: expected a stack export`),
      );
    assert.ok(broken?.endsWith("; not judged (a truncated copy or a failed synth?)"), r.stderr);
    assert.ok(
      lines.some((l) => l.startsWith(`skipped ${path.join(dir, "sub")}: a folder`)),
      r.stdout,
    );
    assert.ok(lines.includes(`skipped ${path.join(dir, "README.md")}: not a .json file`), r.stdout);
  });

  it("names the chartValues key behind a violation, from the export's stack output", async () => {
    const dir = tmpDir("policy-check-overrides");
    const file = path.join(dir, "audit.json");
    fs.writeFileSync(
      file,
      exportOf([
        { ...STACK, outputs: { chartValueOverrides: ["grafana.replicas"] } },
        release("grafana", { replicas: 2, persistence: { enabled: true } }),
        NETWORK_POLICY,
      ]),
    );
    const r = await policyCheckCli([file]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /chart values overrides in force \(chartValues\): grafana\.replicas\n/);
    assert.match(
      r.stdout,
      /\[mandatory\] grafana-replicas-share-no-state: .*\n {6}from the stack's chart values override chartValues\.grafana\.replicas: change or remove it in the stack file\n/,
    );
  });

  it("says the registry mirrors the export's stack pulls its pinned images through, as synth's summary does", async () => {
    const dir = tmpDir("policy-check-mirrors");
    const file = path.join(dir, "s.json");
    const mirrors = { "docker.io": "registry.home.lan/dockerhub", "quay.io": "registry.home.lan/quay" };
    const info = {
      urn: "urn:pulumi:s::homelab-observability::kubernetes:core/v1:ConfigMap::stack-info",
      type: "kubernetes:core/v1:ConfigMap",
      custom: true,
      inputs: {
        metadata: {
          name: "stack-info",
          namespace: "monitoring",
          labels: { [STACK_INFO_LABEL.key]: STACK_INFO_LABEL.value },
        },
        data: encodeStackInfo({
          cluster: "c",
          phase: "kps-removed",
          production: false,
          nodePools: [],
          imageMirrors: mirrors,
        }),
      },
    };
    fs.writeFileSync(file, exportOf([STACK, info]));
    const r = await policyCheckCli([file]);
    assert.ok(
      r.stdout
        .split("\n")
        .includes(
          `${file}: pinned images through registry mirrors (imageMirrors): docker.io -> registry.home.lan/dockerhub, quay.io -> registry.home.lan/quay`,
        ),
      r.stdout,
    );
  });

  it("an override that changes nothing is not in force, as synth says: a Loki target the mode renders no pod of, a chart no release installs", async () => {
    const dir = tmpDir("policy-check-unrun");
    const file = path.join(dir, "s.json");
    const stated = [
      "loki.write.resources.requests.cpu",
      "loki.singleBinary.resources.requests.cpu",
      "vector.image.tag",
    ];
    fs.writeFileSync(
      file,
      exportOf([
        { ...STACK, outputs: { chartValueOverrides: stated } },
        release("loki", {
          deploymentMode: "SingleBinary",
          write: { resources: { requests: { cpu: "200m" } } },
          singleBinary: { resources: { requests: { cpu: "300m" } } },
        }),
        NETWORK_POLICY,
      ]),
    );
    const r = await policyCheckCli([file]);
    const lines = r.stdout.split("\n");
    assert.ok(
      lines.includes(
        `${file}: chart values overrides in force (chartValues): loki.singleBinary.resources.requests.cpu`,
      ),
      r.stdout,
    );
    // The words synth warns with (synth/report.ts), from the same verdict.
    assert.ok(
      lines.includes(
        `${file}: warning: chartValues.loki.write.resources.requests.cpu: loki.mode is "Monolithic", which renders no write pod (the loki chart renders write in SimpleScalable and Monolithic<->SimpleScalable only); the override changes nothing: remove it`,
      ),
      r.stdout,
    );
    assert.ok(
      lines.includes(
        `${file}: warning: chartValues.vector.image.tag: no release of chart vector is in this stack; the override changes nothing: remove it, or move it to a stack that runs the chart`,
      ),
      r.stdout,
    );
  });

  it("its help says exit 1 is the pack's verdict only: the rendered-object checks are synth's", async () => {
    const r = await policyCheckCli(["--help"]);
    // As one line: the help wraps at 80 columns.
    const help = r.stdout.replace(/\s+/g, " ");
    assert.match(
      help,
      /1 a mandatory policy violation \(the pack only: the rendered-object checks, .*run in `npm run synth`\)/,
    );
    assert.doesNotMatch(help, /or a rendered-object problem/);
  });
});

/** The closing lines of a run: each line stating an exit status. */
const closing = (stdout: string) =>
  stdout.split("\n").filter((l) => /^policy:check: (pass|FAIL) \(exit \d\)/.test(l));

describe("policy:check: every way out ends with one line stating its exit status", function () {
  this.timeout(60000);
  it("a single export, a folder of one, bad arguments, a bad config, a path naming nothing, no export at all", async () => {
    const dir = synthOut();
    const one = tmpDir("policy-check-one");
    fs.writeFileSync(path.join(one, "staging.json"), exportOf([STACK]));
    fs.writeFileSync(path.join(one, "staging.rendered.json"), JSON.stringify({ releases: [], raw: [] }));
    const noExport = tmpDir("policy-check-none");
    fs.writeFileSync(path.join(noExport, "notes.json"), "{}");
    const empty = tmpDir("policy-check-empty");
    const cases: [string[], number, string][] = [
      [[path.join(dir, "good.json")], 0, "policy:check: pass (exit 0): 1 export, it passed"],
      [
        [path.join(dir, "bad.json")],
        1,
        `policy:check: FAIL (exit 1): 1 of 1 export failed: ${path.join(dir, "bad.json")}`,
      ],
      [[one], 0, "policy:check: pass (exit 0): 1 export, it passed"],
      [[], 2, "policy:check: FAIL (exit 2): bad arguments (above)"],
      [
        [path.join(dir, "good.json"), "--config", path.join(dir, "absent.json")],
        2,
        `policy:check: FAIL (exit 2): a bad pack config: --config ${path.join(dir, "absent.json")} (above)`,
      ],
      [[empty], 2, `policy:check: FAIL (exit 2): could not judge ${empty} (above); no stack export judged`],
      [
        [path.join(dir, "nonexist")],
        2,
        `policy:check: FAIL (exit 2): could not judge ${path.join(dir, "nonexist")} (above); no stack export judged`,
      ],
      [
        [path.join(dir, "zz*.json")],
        2,
        `policy:check: FAIL (exit 2): could not judge ${path.join(dir, "zz*.json")} (above); no stack export judged`,
      ],
      [
        [path.join(dir, "notes.json")],
        2,
        `policy:check: FAIL (exit 2): could not judge ${path.join(dir, "notes.json")} (above); no stack export judged`,
      ],
      [
        [noExport],
        2,
        `policy:check: FAIL (exit 2): no stack export among ${noExport} (each file above says why)`,
      ],
      // Each argument is judged on its own: a folder of no export beside one that passes is exit 2.
      [
        [noExport, path.join(dir, "good.json")],
        2,
        `policy:check: FAIL (exit 2): no stack export among ${noExport} (each file above says why); 1 export, it passed`,
      ],
      // A file an earlier argument found, and rendered objects judged with their export, gave something.
      [[one, path.join(one, "staging.json")], 0, "policy:check: pass (exit 0): 1 export, it passed"],
      [
        [path.join(one, "staging.json"), path.join(one, "staging.rendered.json")],
        0,
        "policy:check: pass (exit 0): 1 export, it passed",
      ],
      // A shell's `out/*.json` names each file synth wrote: every side file of an export judged gave it.
      [
        ["good.json", "good.rendered.json", "good.adopted.json"].map((f) => path.join(dir, f)),
        0,
        "policy:check: pass (exit 0): 1 export, it passed",
      ],
      // Its export not given, an adopted list alone gave nothing to judge.
      [
        [path.join(dir, "good.adopted.json")],
        2,
        `policy:check: FAIL (exit 2): no stack export among ${path.join(dir, "good.adopted.json")} (each file above says why)`,
      ],
    ];
    for (const [args, status, last] of cases) {
      const r = await policyCheckCli(args);
      const what = `${args.join(" ")}:\n${r.stdout}${r.stderr}`;
      assert.equal(r.status, status, what);
      assert.equal(r.stdout.trimEnd().split("\n").pop(), last, what);
      assert.equal(closing(r.stdout).length, 1, what);
    }
  });

  it("a resource list holding something that is no resource: bad input, at its index and what stands there", async () => {
    const dir = tmpDir("policy-check-resources");
    const urn = "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::a";
    const cases: [unknown, string][] = [
      [null, "null"],
      [[urn], "a list"],
      ["hunter2", "a string"],
      [{ urn }, 'an object without "type"'],
      [{ urn: 7, type: "kubernetes:core/v1:ConfigMap" }, 'an object whose "urn" is not a string'],
    ];
    for (const [i, [bad, found]] of cases.entries()) {
      const file = path.join(dir, `export-${i}.json`);
      const ok = { urn, type: "kubernetes:core/v1:ConfigMap", custom: true, inputs: {} };
      fs.writeFileSync(file, JSON.stringify({ deployment: { resources: [ok, bad] } }));
      const r = await policyCheckCli([file]);
      const what = `${JSON.stringify(bad)}:\n${r.stdout}${r.stderr}`;
      assert.equal(r.status, 2, what);
      assert.equal(
        r.stderr.trim(),
        `policy:check: ${file}: deployment.resources[1]: expected a resource (an object with a string "urn" and "type"), found ${found}; not judged`,
        what,
      );
      assert.doesNotMatch(r.stdout + r.stderr, /hunter2|unexpected/, what);
      assert.equal(
        r.stdout.trimEnd().split("\n").pop(),
        `policy:check: FAIL (exit 2): could not judge ${file} (above); no stack export judged`,
        what,
      );
    }
  });

  it("an unexpected error too", async () => {
    const dir = tmpDir("policy-check-crash");
    const file = path.join(dir, "broken.json");
    writeTooDeepExport(file);
    // Its trace file goes to the run's TMPDIR: here, the test's folder.
    const r = await policyCheckCli([file], { ...process.env, HOMELAB_DEBUG: "", TMPDIR: dir });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(
      r.stdout.trimEnd().split("\n").pop(),
      "policy:check: FAIL (exit 2): an unexpected error (above)",
    );
  });

  it("a folder holding a broken link: the link skipped with why, the exports judged", async () => {
    const dir = synthOut();
    fs.symlinkSync(path.join(dir, "gone.json"), path.join(dir, "broken.json"));
    const r = await policyCheckCli([dir]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^skipped \S+broken\.json: a broken link \(to \S+gone\.json, which does not exist\): nothing to read$/m,
    );
    assert.match(
      r.stdout.trimEnd().split("\n").pop()!,
      /^policy:check: FAIL \(exit 1\): 1 of 2 exports failed: /,
    );
  });
});

describe("policy:check: every named file judged or said why not, whatever the others' fate", function () {
  this.timeout(60000);
  it("the same missing file given twice (`json json`) is said once, noting it was given twice", async () => {
    const r = await policyCheckCli(["json", "json"]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const lines = r.stderr.split("\n").filter((l) => l.includes("no such file or folder"));
    assert.deepEqual(lines.length, 1, r.stderr);
    assert.match(lines[0], /^policy:check: json \(given twice\): no such file or folder/);
    assert.match(r.stdout, /could not judge json \(above\); no stack export judged/);
  });

  it("a named file that is not an export does not stop the rest: each judged, then exit 2 naming it", async () => {
    const dir = synthOut();
    const [notes, good, bad, missing] = ["notes.json", "good.json", "bad.json", "missing.json"].map((f) =>
      path.join(dir, f),
    );
    const r = await policyCheckCli([notes, good, missing, bad]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`${good}: policy: pass (0 mandatory, 0 advisory)`), r.stdout);
    assert.ok(r.stdout.includes(`${bad}: policy: FAIL (1 mandatory, 0 advisory)`), r.stdout);
    assert.match(r.stderr, /notes\.json: not a `pulumi stack export` file/);
    assert.match(r.stderr, /missing\.json: no such file or folder/);
    assert.equal(
      r.stdout.trimEnd().split("\n").pop(),
      `policy:check: FAIL (exit 2): could not judge ${notes}, ${missing} (above); 1 of 2 exports failed: ${bad}`,
    );
  });

  it("rendered objects beside an export saved with a UTF-8 BOM are read as the export is (config/readFile.ts)", async () => {
    const dir = synthOut();
    const rendered = path.join(dir, "good.rendered.json");
    fs.writeFileSync(rendered, "\uFEFF" + fs.readFileSync(rendered, "utf8"));
    const r = await policyCheckCli([dir]);
    assert.doesNotMatch(r.stderr, /cannot read/, r.stderr);
    assert.match(r.stdout, /good\.json: .* \+ \d+ rendered objects \(\S*good\.rendered\.json\)/);
  });

  it("an export named through a link is judged with the rendered objects beside the file it links to", async () => {
    const dir = synthOut();
    const bad = path.join(dir, "bad.json");
    const loki = (
      JSON.parse(fs.readFileSync(bad, "utf8")) as {
        deployment: { resources: { urn: string; type: string }[] };
      }
    ).deployment.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    const object = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "monitoring" } };
    fs.writeFileSync(
      path.join(dir, "bad.rendered.json"),
      JSON.stringify({ releases: [{ resourceUrn: loki.urn, objects: [object, object] }], raw: [] }),
    );
    // `latest.json -> bad.json`: no latest.rendered.json beside the link, so the export was judged
    // alone, its rendered objects (and any violation among them) dropped without a word.
    const link = path.join(dir, "latest.json");
    fs.symlinkSync("bad.json", link);
    const r = await policyCheckCli([link]);
    const head = r.stdout.split("\n").find((l) => l.startsWith(`${link}: `) && / resources /.test(l));
    assert.match(head ?? r.stdout, / \+ 2 rendered objects \(\S*bad\.rendered\.json\)$/);
  });

  it("an export whose rendered objects beside it are not JSON is not judged (exit 2, naming it); the rest are", async () => {
    const dir = synthOut();
    fs.writeFileSync(path.join(dir, "good.rendered.json"), "{ cut short");
    const r = await policyCheckCli([dir]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /good\.rendered\.json:1:3: expected the rendered objects of \S+good\.json \(JSON, as npm run synth writes them\), found a word where a key \(a string in double quotes\) is due; \S+good\.json not judged$/m,
    );
    // Said once: no "skipped …: judged with that export" after its export was not judged.
    assert.doesNotMatch(r.stdout, /skipped \S+good\.rendered\.json/);
    assert.equal(
      r.stdout.trimEnd().split("\n").pop(),
      `policy:check: FAIL (exit 2): could not judge ${path.join(dir, "good.json")} (above); 1 of 1 export failed: ${path.join(dir, "bad.json")}`,
    );
  });

  it("an export whose rendered objects beside it are JSON of another form than synth writes is not judged (exit 2), naming the file, the form and what it holds", async () => {
    const cases: [unknown, string][] = [
      [
        { kubeVersion: "1.31.0", Releases: [], raw: [] },
        'expected an object whose "releases" is the list of releases rendered, found an object with the keys "kubeVersion", "Releases", "raw"',
      ],
      [[], 'expected an object whose "releases" is the list of releases rendered, found a list'],
      [{ releases: 5 }, "releases: expected the list of releases rendered, found a number"],
      [
        { releases: { pi: [] } },
        'releases: expected the list of releases rendered, found an object with the keys "pi"',
      ],
      [
        { releases: [{ objects: [] }] },
        'releases[0]: expected a release rendered (an object with a string "resourceUrn" and an "objects" list), found an object without "resourceUrn"',
      ],
      [
        { releases: [{ resourceUrn: STACK.urn, objects: [{ apiVersion: "v1", metadata: { name: "a" } }] }] },
        'releases[0].objects[0]: expected a Kubernetes object (a string "apiVersion", "kind" and "metadata.name"), found an object without "kind"',
      ],
    ];
    for (const [doc, said] of cases) {
      const dir = synthOut();
      const [good, rendered] = [path.join(dir, "good.json"), path.join(dir, "good.rendered.json")];
      fs.writeFileSync(rendered, JSON.stringify(doc));
      const r = await policyCheckCli([good]);
      const what = `${JSON.stringify(doc)}:\n${r.stdout}${r.stderr}`;
      assert.equal(r.status, 2, what);
      assert.equal(
        r.stderr.trim(),
        `policy:check: ${rendered}: the rendered objects of ${good} (as npm run synth writes them): ${said}; ${good} not judged (write both again with npm run synth)`,
        what,
      );
      assert.equal(
        r.stdout.trimEnd().split("\n").pop(),
        `policy:check: FAIL (exit 2): could not judge ${good} (above); no stack export judged`,
        what,
      );
    }
  });

  it("rendered objects of releases the export does not hold (another stack's, an older synthesis') are refused, not dropped (exit 2)", async () => {
    const dir = synthOut();
    const [bad, rendered] = [path.join(dir, "bad.json"), path.join(dir, "bad.rendered.json")];
    const loki = (
      JSON.parse(fs.readFileSync(bad, "utf8")) as {
        deployment: { resources: { urn: string; type: string }[] };
      }
    ).deployment.resources.find((r) => r.type === "kubernetes:helm.sh/v3:Release")!;
    const other = loki.urn.replace(/::loki$/, "::grafana");
    const objects = [
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a", namespace: "monitoring" } },
    ];
    // Its own release rendered beside another's: the other is not in this export.
    fs.writeFileSync(
      rendered,
      JSON.stringify({
        releases: [
          { resourceUrn: loki.urn, objects },
          { resourceUrn: other, objects },
        ],
        raw: [],
      }),
    );
    const r = await policyCheckCli([bad]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(
      r.stderr.trim(),
      `policy:check: ${rendered}: the rendered objects of ${bad} (as npm run synth writes them): expected releases of that export, found 1 of 2 it does not hold (grafana: another stack's, or an older synthesis'); ${bad} not judged (write both again with npm run synth)`,
    );
    // Its own releases only: judged with them.
    fs.writeFileSync(rendered, JSON.stringify({ releases: [{ resourceUrn: loki.urn, objects }], raw: [] }));
    const own = await policyCheckCli([bad]);
    assert.equal(own.status, 1, own.stdout + own.stderr);
    // One object, counted in the singular (it read "+ 1 rendered objects").
    assert.match(own.stdout, / \+ 1 rendered object \(/);
  });

  it("a .json file in a folder that is not JSON (a truncated export) fails the run (exit 2, naming why); the rest are judged", async () => {
    const dir = synthOut();
    const cut = path.join(dir, "cut.json");
    fs.writeFileSync(cut, fs.readFileSync(path.join(dir, "bad.json"), "utf8").slice(0, 40));
    const r = await policyCheckCli([dir]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^policy:check: ${cut}:\\d+:\\d+: expected a stack export \\(JSON\\), found the end of the file inside .*; not judged \\(a truncated copy or a failed synth\\?\\)$`,
        "m",
      ),
    );
    assert.doesNotMatch(r.stdout, /^skipped \S+cut\.json/m);
    // A JSON file that is not an export is still only skipped, and the exports are still judged.
    assert.match(r.stdout, /^skipped \S+notes\.json: not a `pulumi stack export` file/m);
    assert.ok(
      r.stdout.includes(`${path.join(dir, "good.json")}: policy: pass (0 mandatory, 0 advisory)`),
      r.stdout,
    );
    assert.equal(
      r.stdout.trimEnd().split("\n").pop(),
      `policy:check: FAIL (exit 2): could not judge ${cut} (above); 1 of 2 exports failed: ${path.join(dir, "bad.json")}`,
    );
  });

  it("a failing export does not stop the rest: each judged, the worst status", async () => {
    const dir = synthOut();
    const [bad, good] = ["bad.json", "good.json"].map((f) => path.join(dir, f));
    const r = await policyCheckCli([bad, good]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(`${good}: policy: pass (0 mandatory, 0 advisory)`), r.stdout);
  });
});

describe("policy:check: a remediate policy's violations as the engine reports them", function () {
  this.timeout(60000);
  // The policy host reports them as mandatory (@pulumi/policy 1.21.0 server.js): policy:check
  // printed "[remediate]" and "FAIL (0 mandatory, 1 advisory)", failing on a count of none.
  it("counts and words them mandatory, and fails", async () => {
    const dir = synthOut();
    const cfg = path.join(dir, "remediate.cfg");
    fs.writeFileSync(cfg, JSON.stringify({ "loki-retention-needs-delete-store": "remediate" }));
    const bad = path.join(dir, "bad.json");
    const r = await policyCheckCli([bad, "--config", cfg]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /\[mandatory\] loki-retention-needs-delete-store: /);
    assert.doesNotMatch(r.stdout, /\[remediate\]/);
    assert.ok(r.stdout.includes(`${bad}: policy: FAIL (1 mandatory, 0 advisory)`), r.stdout);
  });
});
