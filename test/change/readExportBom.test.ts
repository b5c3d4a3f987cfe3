import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readExport } from "../../change/against";
import { SynthInputError } from "../../synth/synthesize";
import { policyCheckCli, synthCli, tmpDir } from "../support/helpers";

/*
 * `synth --against` reads a stack export as policy:check does (config/readFile.ts): an export saved
 * with a UTF-8 byte-order mark is the same export, and a file that cannot be read is said in the
 * same words, not as the system's errno text.
 */
describe("change/against.ts readExport: the export read as policy:check reads it", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "read-export-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const exp = { version: 3, deployment: { resources: [{ urn: "urn:pulumi:s::p::t::n", type: "t" }] } };

  it("takes an export saved with a UTF-8 byte-order mark", () => {
    const file = path.join(dir, "bom.json");
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(exp))]),
    );
    assert.deepEqual(readExport(file), exp);
  });

  it("says a missing file in readFile.ts' words, under --against", () => {
    const file = path.join(dir, "missing.json");
    assert.throws(
      () => readExport(file),
      (e: unknown) =>
        e instanceof SynthInputError &&
        e.message === `--against ${file}: cannot read ${file}: no such file; check the path`,
    );
  });

  it("a folder given for the stack's export names the export in it, <stack>.json, or says it is not there", () => {
    const out = path.join(dir, "out");
    fs.mkdirSync(out);
    const inside = path.join(out, "staging.json");
    const refusal = (stack: string) => {
      try {
        readExport(out, stack);
      } catch (e) {
        assert.ok(e instanceof SynthInputError);
        return e.message;
      }
      return assert.fail("a folder was read as an export");
    };
    const head = `--against ${out}: cannot read ${out}: it is a folder, not a file; `;
    assert.equal(
      refusal("staging"),
      `${head}name the stack's export file itself (${inside}, the name synth --out gives it, is not there)`,
    );
    fs.writeFileSync(inside, JSON.stringify(exp));
    assert.equal(refusal("staging"), `${head}name the stack's export in it: --against ${inside}`);
  });

  it("refuses a file that is not UTF-8 text, saying so", () => {
    const file = path.join(dir, "utf16.json");
    fs.writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON.stringify(exp), "utf16le")]),
    );
    assert.throws(
      () => readExport(file),
      (e: unknown) => e instanceof SynthInputError && /not UTF-8 text; save it as UTF-8/.test(e.message),
    );
  });

  // The files synth writes beside an export in its --out folder were told where an export comes
  // from ("a stack's .json file that npm run synth writes into its --out folder"), which they are,
  // not what they are: policy:check names each one and its export.
  for (const [kind, what, doc] of [
    ["adopted", "the imports and reads npm run synth records", { imports: [], reads: [] }],
    [
      "rendered",
      "the rendered objects npm run synth writes",
      { kubeVersion: "1.31.0", releases: [], raw: [] },
    ],
  ] as const)
    it(`names a <stack>.${kind}.json given as the previous export, and the export beside it`, () => {
      const file = path.join(dir, `takeover.${kind}.json`);
      fs.writeFileSync(file, JSON.stringify(doc));
      const exp = path.join(dir, "takeover.json");
      // Copied alone, without its export: none is named to give (the hint would not work).
      assert.throws(
        () => readExport(file),
        (e: unknown) =>
          e instanceof SynthInputError &&
          e.message.endsWith(
            `; it holds ${what} beside ${exp}, which is not there; give the file \`pulumi stack export\` writes, or a stack's .json file that \`npm run synth\` writes into its --out folder`,
          ),
      );
      fs.writeFileSync(exp, JSON.stringify({ version: 3, deployment: { resources: [] } }));
      try {
        assert.throws(
          () => readExport(file),
          (e: unknown) =>
            e instanceof SynthInputError &&
            e.message.endsWith(`; it holds ${what} beside ${exp}: give that export instead`),
        );
      } finally {
        fs.rmSync(exp);
      }
    });
});

/*
 * One validation of an export file's form (synth/exportFile.ts) for both readers: `synth --against`
 * takes or refuses a file as policy:check does, in the same words after each one's lead, and a
 * file neither can read is bad input (exit 2) naming where and what was found, never an
 * unexpected error from deep in the render.
 */
describe("change/against.ts readExport: refuses what policy:check refuses, in its words", function () {
  this.timeout(60000);
  const dir = tmpDir("read-export-form");
  const urn = "urn:pulumi:staging::homelab-observability::kubernetes:core/v1:ConfigMap::a";
  const ok = { urn, type: "kubernetes:core/v1:ConfigMap", custom: true, inputs: {} };
  const cases: [name: string, doc: unknown, said: string][] = [
    [
      "no-urn",
      { version: 3, deployment: { resources: [ok, { type: ok.type, custom: true }] } },
      'deployment.resources[1]: expected a resource (an object with a string "urn" and "type"), found an object without "urn"',
    ],
    [
      "two-broken",
      { version: 3, deployment: { resources: [ok, "x", ok, { urn, custom: true }] } },
      'deployment.resources: 2 entries are not resources (expected an object with a string "urn" and "type"), found [1] a string; [3] an object without "type"',
    ],
    [
      "seven-broken",
      { version: 3, deployment: { resources: [ok, ...Array.from({ length: 7 }, () => null)] } },
      "found [1] null; [2] null; [3] null; [4] null; [5] null; and 2 more",
    ],
    ["version-4", { version: 4, deployment: { resources: [ok] } }, "version: expected 3 (the format"],
    ["empty-list", [], "not a `pulumi stack export` file (expected deployment.resources[], found a list)"],
    [
      "resources-object",
      { version: 3, deployment: { manifest: {}, resources: {} } },
      "deployment.resources: expected the list of the stack's resources, found an empty object",
    ],
    [
      "kubectl-list",
      { apiVersion: "v1", kind: "List", items: [] },
      'found a Kubernetes "List" of "v1", as `kubectl get -o json` prints)',
    ],
  ];

  for (const [name, doc, said] of cases)
    it(`${name}: refused under --against as policy:check refuses it`, async () => {
      const file = path.join(dir, `${name}.json`);
      fs.writeFileSync(file, JSON.stringify(doc));
      let message = "";
      assert.throws(
        () => readExport(file),
        (e: unknown) => e instanceof SynthInputError && Boolean((message = e.message)),
      );
      assert.ok(message.startsWith(`--against ${file}: `), message);
      assert.ok(message.includes(said), message);
      const body = message.slice(`--against ${file}: `.length);
      const p = await policyCheckCli([file]);
      assert.equal(p.status, 2, p.stdout + p.stderr);
      // policy:check adds only what it does then ("not judged"): the rest is the same text.
      const [what] = body.split("; ");
      assert.ok(p.stderr.startsWith(`policy:check: ${file}: ${what}`), `${p.stderr}\nvs\n${body}`);
    });

  it("an empty stack's export (no `resources` key, as Pulumi's omitempty writes it) is taken by both, with no resource", async () => {
    const file = path.join(dir, "empty-stack.json");
    const manifest = { time: "2026-01-01T00:00:00Z", magic: "m", version: "v3.200.0" };
    fs.writeFileSync(file, JSON.stringify({ version: 3, deployment: { manifest } }));
    assert.deepEqual(readExport(file), { version: 3, deployment: { manifest, resources: [] } });
    const p = await policyCheckCli([file]);
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.equal(p.stdout.trimEnd().split("\n").pop(), "policy:check: pass (exit 0): 1 export, it passed");
  });

  it("synth --against an export whose resources lack a urn: bad input (exit 2) naming the index, no unexpected error", async () => {
    const file = path.join(dir, "no-urn.json");
    fs.writeFileSync(file, JSON.stringify(cases[0][1]));
    const out = path.join(dir, "out");
    const r = await synthCli("--stack", "staging", "--out", out, "--quiet", "--against", file);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.equal(r.stderr.trim(), `synth: --against ${file}: ${cases[0][2]}`);
    assert.doesNotMatch(r.stdout + r.stderr, /unexpected error/);
    assert.equal(r.stdout, `synth: FAIL (exit 2): bad input: --against ${file} (above)\n`);
  });
});
