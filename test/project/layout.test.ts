import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { PHASES } from "../../config/resolve";
import { ROOT } from "../support/helpers";

/** Every .ts file under `dir` (relative to the root), recursively. */
function tsFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === "node_modules" ? [] : tsFiles(rel);
    return e.name.endsWith(".ts") ? [rel] : [];
  });
}

const PROGRAM = [
  "index.ts",
  ...tsFiles("components"),
  ...tsFiles("builders"),
  ...tsFiles("plan"),
  ...tsFiles("apply"),
];
const PACK = tsFiles("policy");
const importsOf = (file: string) =>
  [...fs.readFileSync(path.join(ROOT, file), "utf8").matchAll(/(?:from|import)\s+"([^"]+)"/g)].map((m) =>
    path.join(path.dirname(file), m[1]),
  );

describe("layout: the flow's boundaries hold (issue 15)", () => {
  it("no program file imports the pack, and no pack file imports the program", () => {
    assert.ok(
      PROGRAM.length > 30 && PACK.length > 10,
      `${PROGRAM.length} program, ${PACK.length} pack files`,
    );
    for (const f of PROGRAM)
      for (const i of importsOf(f)) assert.ok(!i.startsWith("policy/"), `${f} imports ${i}`);
    for (const f of PACK)
      for (const i of importsOf(f))
        assert.ok(!/^(components|builders|plan|apply|index)(\/|$)/.test(i), `${f} imports ${i}`);
  });

  it("phase names appear only in the config schema and the phase table (model/phases.ts)", () => {
    const allowed = new Set(["config/schema.ts", "model/phases.ts"]);
    const names = new RegExp(PHASES.map((p) => p.replace(/-/g, "\\-")).join("|"));
    const found = [...PROGRAM, ...PACK].filter(
      (f) => !allowed.has(f) && names.test(fs.readFileSync(path.join(ROOT, f), "utf8")),
    );
    assert.deepEqual(found, []);
    // In the schema module, only the PHASES list itself names them.
    const schemaLines = fs
      .readFileSync(path.join(ROOT, "config/schema.ts"), "utf8")
      .split("\n")
      .filter((l) => names.test(l));
    assert.deepEqual(schemaLines, [
      `export const PHASES = ${JSON.stringify(PHASES).replace(/,/g, ", ")} as const;`,
    ]);
  });

  it("in-cluster URLs are built only in model/endpoints.ts (besides the config's documented defaults and examples)", () => {
    // The config files: grafana.url's derived default, and examples in the schema's docs.
    const allowed = new Set(["model/endpoints.ts", "config/resolve.ts", "config/schema.ts"]);
    const building = PROGRAM.filter(
      (f) =>
        !allowed.has(f) &&
        /`https?:\/\/\$\{|svc\.cluster\.local[:/`]/.test(fs.readFileSync(path.join(ROOT, f), "utf8")),
    );
    assert.deepEqual(building, []);
  });

  it("the composition root decides nothing: no conditions on config in apply/stack.ts", () => {
    const root = fs.readFileSync(path.join(ROOT, "apply/stack.ts"), "utf8");
    assert.ok(
      !/\bcfg\.(?!phase\b)[a-zA-Z]+/.test(root.replace(/planStack\(cfg\)/, "")),
      "stack.ts reads config beyond the plan",
    );
    assert.ok(!/["'`]http/.test(root), "stack.ts builds no URL");
  });
});
