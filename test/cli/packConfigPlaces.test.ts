/**
 * A policy pack config file (`policy:check --config`, `synth --policy-config`) is refused, and
 * warned about, at the place of each mistake: `<file>:<line>:<column>` of the key or value, then
 * the same words as before. The places come from a walk of the file's text that reads JSON as
 * JSON.parse does (a key given twice is its last one), so a place is never of a value the pack
 * does not read.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { jsonTree } from "../../config/jsonText";
import { readPackConfig } from "../../synth/pack";
import { policyCheckCli, tmpDir } from "../support/helpers";

/** What readPackConfig says of `text`: its warnings, and its refusal (undefined when accepted). */
function said(text: string): { file: string; warnings: string[]; refusal?: string } {
  const file = path.join(tmpDir("packplaces"), "pack.json");
  fs.writeFileSync(file, text);
  const warnings: string[] = [];
  try {
    readPackConfig(file, (l) => warnings.push(l));
    return { file, warnings };
  } catch (e) {
    return { file, warnings, refusal: (e as Error).message };
  }
}

const MISTAKES = [
  "{",
  '  "arm64-image": "advisory",',
  '  "arm64-images": { "enforcementLevel": "loud" },',
  '  "loki-compactor-misplaced": "mandatry",',
  '  "resource-budget": {',
  '    "maxRequestShare": "80%",',
  '    "nodePool": []',
  "  },",
  '  "network-policies": 3',
  "}",
].join("\n");

describe("pack config file: each mistake at its file:line:column", () => {
  const IGNORED = (file: string) => [
    `${file}:2:3: warning: "arm64-image" names no policy of this pack, so the engine ignores it; did you mean "arm64-images"? (every policy: docs/reference/policies.md)`,
    `${file}:7:5: warning: resource-budget: "nodePool" is not one of its settings (maxRequestShare, nodePools, and enforcementLevel), so the engine ignores it; did you mean "nodePools"?`,
    `${file}:9:3: warning: "network-policies" names no policy of this pack, so the engine ignores it; did you mean "network-policies-present"? (every policy: docs/reference/policies.md)`,
  ];

  it("places each refused value where it is written, each key the engine ignores among them, in the file's order", () => {
    const { file, refusal, warnings } = said(MISTAKES);
    const [arm64Image, nodePool, networkPolicies] = IGNORED(file);
    assert.deepEqual(refusal?.split("\n"), [
      `${file}: policy pack configuration is invalid:`,
      `  - ${arm64Image}`,
      `  - ${file}:3:41: parsing enforcement level for "arm64-images": "loud" is not a valid enforcement level (advisory, mandatory, remediate, disabled)`,
      `  - ${file}:4:31: parsing enforcement level for "loki-compactor-misplaced": "mandatry" is not a valid enforcement level (advisory, mandatory, remediate, disabled); did you mean "mandatory"?`,
      `  - ${file}:6:24: resource-budget: maxRequestShare must be a number, found string "80%" (maxRequestShare: Largest share of capacity the requests may use: a fraction in (0, 1], 0.8 for 80% (the default))`,
      `  - ${nodePool}`,
      `  - ${networkPolicies}`,
      `  - ${file}:9:23: parsing "network-policies": expected an enforcement level (advisory, mandatory, remediate, disabled) or an object of its settings, found number 3`,
    ]);
    // Said once, in the list: not again before it.
    assert.deepEqual(warnings, []);
  });

  it("places each key the engine ignores at the key itself; alone, they are warnings", () => {
    const fixed = MISTAKES.replace('"loud"', '"advisory"')
      .replace('"mandatry"', '"mandatory"')
      .replace('"80%"', "0.8")
      .replace('"network-policies": 3', '"network-policies": "advisory"');
    const { file, warnings, refusal } = said(fixed);
    assert.equal(refusal, undefined);
    assert.deepEqual(warnings, IGNORED(file));
  });

  it("places a nested value by its list index, and a missing required key at the object lacking it", () => {
    const text = [
      "{",
      '  "arm64-images": {',
      '    "charts": { "loki": { "workloads": [',
      '      { "name": "a", "kind": "Deployment", "resources": [], "images": [] },',
      '      { "name": "x" }',
      "    ] } }",
      "  }",
      "}",
    ].join("\n");
    const { file, refusal } = said(text);
    assert.match(
      refusal ?? "",
      new RegExp(
        `\\n  - ${file.replace(/[.]/g, "\\.")}:5:7: arm64-images: charts\\.loki\\.workloads\\[1\\]\\.kind is missing: it is required\\n`,
      ),
    );
  });

  it("a key given twice is judged and placed by its last one, as JSON.parse reads it", () => {
    const last = said('{"all": "mandatory",\n "all": "loud"}');
    assert.match(last.refusal ?? "", /pack\.json:2:9: parsing enforcement level for "all": "loud"/);
    // The first one, refused alone, is not what the engine reads: nothing to say.
    assert.equal(said('{"all": "loud",\n "all": "mandatory"}').refusal, undefined);
  });

  it("a file that is not JSON: the place where it stops being JSON, then what is there in words", () => {
    const cases: [string, string][] = [
      // A bare word is placed where it starts.
      ['{\n  "a": 1,\n  "b": tru\n}', "3:8"],
      ['{\n  "a": 1,\n}', "3:1"],
      ['{"all": "mandatory"', "1:20"],
      ["", "1:1"],
      ['{"all": "mandatory"}\n[]', "2:1"],
    ];
    for (const [text, place] of cases) {
      const { file, refusal } = said(text);
      assert.ok(
        refusal?.startsWith(`${file}:${place}: expected a JSON policy pack configuration, found `),
        `${JSON.stringify(text)}: ${refusal}`,
      );
    }
  });

  it("policy:check --config leads the refusal with the flag, then each place", async () => {
    const dir = tmpDir("packplaces");
    const cfg = path.join(dir, "cfg.json");
    fs.writeFileSync(cfg, '{\n  "all": "loud"\n}\n');
    const r = await policyCheckCli([dir, "--config", cfg]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        `policy:check: --config ${cfg}: policy pack configuration is invalid:\n  - ${cfg}:2:10: parsing enforcement level for "all": "loud"`,
      ),
      r.stderr,
    );
  });
});

describe("the JSON position walk reads the grammar JSON.parse reads", () => {
  const VALID = [
    '{"a": [1, -0.5e+3, 0, true, false, null, "x\\"y\\\\\\/\\b\\f\\n\\r\\t\\u00e9"]}',
    ' \t\r\n{ "__proto__": {"x": 1}, "a": {}, "b": [], "c": [[]], "a": {"d": 2} } \n',
    '"\ud83d\ude00"',
    "12345678901234567890",
    "[1E5, 1e-5, -0, 0.0]",
    '{"k\\u0041": "v"}',
  ];
  const INVALID = [
    "",
    "   ",
    "{,}",
    '{"a" 1}',
    '{"a": 1,}',
    "[1,]",
    "[01]",
    "[1.]",
    "[.5]",
    "[+1]",
    "[-]",
    "['a']",
    '["a\tb"]',
    '["\\x"]',
    '["\\u12G4"]',
    '"abc',
    "[NaN]",
    "tru",
    "nul",
    "1 2",
    "{a: 1}",
  ];

  it("accepts what JSON.parse accepts, with the members JSON.parse keeps", () => {
    for (const text of VALID) {
      const parsed: unknown = JSON.parse(text);
      const tree = jsonTree(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
        assert.deepEqual([...tree.members!.keys()].sort(), Object.keys(parsed).sort(), text);
    }
    // The last of a key given twice, as JSON.parse keeps it: its value's place is the second.
    const twice = ' { "a": {"x": 1}, "a": {"d": 2} }';
    assert.equal(jsonTree(twice).members!.get("a")!.node.at, twice.lastIndexOf("{"));
    assert.deepEqual([...jsonTree(twice).members!.get("a")!.node.members!.keys()], ["d"]);
  });

  it("refuses what JSON.parse refuses, at the position V8 names where it names one", () => {
    for (const text of INVALID) {
      assert.throws(() => JSON.parse(text), SyntaxError, text);
      let at: number | undefined;
      try {
        jsonTree(text);
      } catch (e) {
        at = (e as { at: number }).at;
      }
      assert.notEqual(at, undefined, `the walk took ${JSON.stringify(text)}`);
      let v8: RegExpExecArray | null = null;
      try {
        JSON.parse(text);
      } catch (e) {
        v8 = /at position (\d+)/.exec((e as Error).message);
      }
      if (v8) assert.equal(at, Number(v8[1]), JSON.stringify(text));
    }
  });
});
