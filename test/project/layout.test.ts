import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { execFileSync } from "child_process";
import { PHASES } from "../../model/phases";
import { ROOT, tmpDir } from "../support/helpers";
import { CACHE_DIR } from "../support/fixtureCache";
import {
  configReads,
  cyclesOf,
  functionLengths,
  importsOf,
  layoutViolations,
  MAY_IMPORT,
  PUBLIC_ENTRIES,
  readSources,
  ROOMS,
  roomOf,
  sourceFiles,
} from "../support/layout";

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
  ...tsFiles("config"),
  ...tsFiles("model"),
  ...tsFiles("components"),
  ...tsFiles("builders"),
  ...tsFiles("plan"),
  ...tsFiles("apply"),
];
const PACK = tsFiles("policy");
/** Where the Layout table lives (moved from the README with the rest of the architecture). */
const ARCHITECTURE = "docs/explanation/architecture.md";
/** The Layout table (docs/explanation/architecture.md): each room's public entries, stated as "imported only through `a.ts`, `b.ts`". */
function readmeEntries(): Map<string, string[]> {
  const readme = fs.readFileSync(path.join(ROOT, ARCHITECTURE), "utf8");
  const section = readme.slice(readme.indexOf("## Layout"));
  const out = new Map<string, string[]>();
  for (const m of section.matchAll(/^\| `([a-z]+)\/` *\|([^|]*)\|/gm)) {
    const through = /imported only through ((?:`[^`]+`(?:, | and )?)+)/.exec(m[2]);
    if (through)
      out.set(
        m[1],
        [...through[1].matchAll(/`([^`]+)`/g)].map((f) => `${m[1]}/${f[1]}`),
      );
  }
  return out;
}

/** The Layout table (docs/explanation/architecture.md): room -> the rooms it may import. */
function readmeMatrix(): Map<string, string[]> {
  const readme = fs.readFileSync(path.join(ROOT, ARCHITECTURE), "utf8");
  const section = readme.slice(readme.indexOf("## Layout"));
  const rows = new Map<string, string[]>();
  for (const m of section.matchAll(/^\| `([a-z.]+?)\/?` *\|[^|]*\| ([^|]*?) *\|$/gm)) {
    const room = m[1] === "index.ts" ? "index" : m[1];
    const may =
      m[2].trim() === "nothing"
        ? []
        : m[2].split(",").map((r) => r.trim().replace(/`|\/$/g, "").replace(/\/$/, ""));
    rows.set(
      room,
      may.map((r) => (r === "index.ts" ? "index" : r)),
    );
  }
  return rows;
}

describe("layout: imports flow one way", () => {
  const sources = readSources(ROOT);

  it("every import follows the matrix (docs/explanation/architecture.md, Layout): foundation <- builders <- plan <- apply, components never import plan or config, the pack only the contract", () => {
    assert.ok(sources.size > 100, `${sources.size} source files read`);
    const { wrongWay } = layoutViolations(sources);
    assert.deepEqual(
      wrongWay.map((v) => `${v.from} -> ${v.to} (${v.why})`),
      [],
    );
  });

  it("no import cycle among files (tests aside), nor among rooms", () => {
    const { cycles } = layoutViolations(sources);
    assert.deepEqual(cycles, []);
    const rooms = new Map<string, string[]>(ROOMS.map((r) => [r, [...MAY_IMPORT[r]]]));
    assert.deepEqual(cyclesOf(rooms), [], "the matrix itself allows a cycle");
  });

  it("a planted wrong-way import and a planted cycle are caught", () => {
    const planted = new Map(sources);
    const component = "components/grafana/grafana.ts";
    planted.set(component, `import { planStack } from "../../plan/plan";\n${planted.get(component)}`);
    const names = "model/names.ts";
    planted.set(names, `import type { Phase } from "./phases";\n${planted.get(names)}`);
    planted.set("model/phases.ts", `import { PROJECT } from "./names";\n${planted.get("model/phases.ts")}`);
    // The preview may use the pack's evaluator, never its internals.
    const render = "synth/render/render.ts";
    planted.set(render, `import { isRendered } from "../../policy/lib/workloads";\n${planted.get(render)}`);
    // The forms the parser must see: an ESM-style `.js` specifier, `import x = require(...)`, a
    // re-export, a dynamic import, and a relative path computed at run time.
    const builder = "builders/stackInfo.ts";
    planted.set(builder, `import { planStack } from "../plan/plan.js";\n${planted.get(builder)}`);
    const model = "model/versions.ts";
    planted.set(model, `import cfg = require("../config/resolve");\n${planted.get(model)}`);
    const contract = "contract/quantity.ts";
    planted.set(contract, `export * from "../model/names";\n${planted.get(contract)}`);
    const policy = "policy/budget.ts";
    planted.set(policy, `${planted.get(policy)}\nexport const later = () => import("../plan/plan");\n`);
    const plan = "plan/storage.ts";
    planted.set(
      plan,
      `${planted.get(plan)}\nexport const any = (n: string) => require(\`../components/\${n}\`);\n`,
    );
    const { wrongWay, cycles } = layoutViolations(planted);
    assert.deepEqual(wrongWay.map((v) => `${v.from} -> ${v.to}`).sort(), [
      "builders/stackInfo.ts -> plan/plan.ts",
      "components/grafana/grafana.ts -> plan/plan.ts",
      "contract/quantity.ts -> model/names.ts",
      "model/versions.ts -> config/resolve.ts",
      "plan/storage.ts -> `../components/${n}`",
      "policy/budget.ts -> plan/plan.ts",
      "synth/render/render.ts -> policy/lib/workloads.ts",
    ]);
    assert.ok(
      cycles.some((c) => c.includes("model/names.ts") && c.includes("model/phases.ts")),
      JSON.stringify(cycles),
    );
  });

  it("a source file outside every room is listed, so it cannot hide an import", () => {
    const tmp = tmpDir("layout");
    try {
      execFileSync("git", ["init", "-q"], { cwd: tmp });
      for (const f of [
        "index.ts",
        "lib/shared.ts",
        "plan/plan.ts",
        "test/x.test.ts",
        "contract/dist/index.d.ts",
      ]) {
        fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
        fs.writeFileSync(path.join(tmp, f), "export {};\n");
      }
      const files = sourceFiles(tmp).sort();
      assert.deepEqual(files, ["index.ts", "lib/shared.ts", "plan/plan.ts"]);
      assert.deepEqual(
        files.filter((f) => !roomOf(f)),
        ["lib/shared.ts"],
      );
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it("the Layout table of docs/explanation/architecture.md states the matrix the test enforces", () => {
    const table = readmeMatrix();
    assert.deepEqual([...table.keys()].sort(), [...ROOMS].sort());
    for (const r of ROOMS) assert.deepEqual([...table.get(r)!].sort(), [...MAY_IMPORT[r]].sort(), r);
    assert.deepEqual(
      Object.fromEntries([...readmeEntries()].map(([r, fs]) => [r, fs.sort()])),
      Object.fromEntries(Object.entries(PUBLIC_ENTRIES).map(([r, fs]) => [r, [...fs].sort()])),
    );
  });

  it("every source file lies in a room, and scripts/ is glue of at most 1,500 lines", () => {
    assert.deepEqual(
      [...sources.keys()].filter((f) => !roomOf(f)),
      [],
    );
    const scripts = [...sources].filter(([f]) => f.startsWith("scripts/"));
    const lines = scripts.reduce((n, [, text]) => n + text.split("\n").length, 0);
    assert.ok(lines <= 1500, `scripts/ holds ${lines} lines of TypeScript`);
  });
});

describe("layout: the pure rooms load no Pulumi at runtime", () => {
  it("requiring every module of model/, config/ (but the Pulumi-config adapter), builders/ and plan/ loads no @pulumi or provider package", () => {
    // The compiled modules, in a fresh process, so the module cache shows the real runtime graph
    // (type-only imports vanish in the output, as they do at run time).
    const pure = [...readSources(ROOT).keys()].filter(
      (f) => /^(model|config|builders|plan)\//.test(f) && f !== "config/load.ts",
    );
    const compiled = pure.map((f) => path.join(ROOT, "dist", f.replace(/\.ts$/, ".js")));
    const missing = compiled.filter((f) => !fs.existsSync(f));
    assert.deepEqual(missing, [], "build first: npx tsc -b contract .");
    const script = `for (const f of ${JSON.stringify(compiled)}) require(f);
      const loaded = Object.keys(require.cache).map((k) => k.replace(/\\\\/g, "/"))
        .filter((k) => /\\/node_modules\\/(@pulumi|@1password)\\//.test(k))
        .map((k) => k.replace(/.*\\/node_modules\\//, "").split("/").slice(0, 2).join("/"));
      process.stdout.write(JSON.stringify([...new Set(loaded)]));`;
    const out = execFileSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    assert.ok(pure.length > 40, `${pure.length} modules`);
    assert.deepEqual(JSON.parse(out), []);
  });
});

describe("layout: the flow's boundaries hold", () => {
  it("phase names appear only in the phase table (model/phases.ts)", () => {
    const allowed = new Set(["model/phases.ts"]);
    const names = new RegExp(PHASES.map((p) => p.replace(/-/g, "\\-")).join("|"));
    const found = [...PROGRAM, ...PACK].filter(
      (f) => !allowed.has(f) && names.test(fs.readFileSync(path.join(ROOT, f), "utf8")),
    );
    assert.deepEqual(found, []);
  });

  it("no module decides on a phase name but model/phases.ts: the change check, verify and the CLIs read the phase table's fields", () => {
    // Messages name phases (PHASES, gates); a comparison with one is a decision the table's fields
    // should make, so a phase added or changed is read in one place (docs/reference/phases.md).
    const name = PHASES.map((p) => p.replace(/-/g, "\\-")).join("|");
    const decides = new RegExp(`[!=]==\\s*"(${name})"|"(${name})"\\s*[!=]==|case\\s+"(${name})"`);
    const found = [...readSources(ROOT)]
      .filter(([f, text]) => f !== "model/phases.ts" && decides.test(text))
      .map(([f]) => f);
    assert.deepEqual(found, []);
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

  it("components read neither the stack config nor the environment (no pulumi.Config, process.env, getProject/getStack)", () => {
    // The composition root or the Pulumi-config adapter (config/load.ts) reads them and passes them in.
    const reads = tsFiles("components").flatMap((f) =>
      configReads(f, fs.readFileSync(path.join(ROOT, f), "utf8")).map((r) => `${f}:${r}`),
    );
    assert.deepEqual(reads, []);
  });

  it("finds a config or environment read in code, never in a comment or a string", () => {
    const text = `import * as pulumi from "@pulumi/pulumi";
      import { Config, getStack } from "@pulumi/pulumi";
      // new pulumi.Config() and process.env in a comment do not count
      const a = new pulumi.Config("p");
      const b = new Config();
      const c = process.env.OP_CONNECT_TOKEN;
      const d = pulumi.getProject() + getStack();
      const e = "process.env and getStack() in a string";
      let f: pulumi.Config | undefined;`;
    assert.deepEqual(configReads("x.ts", text), [
      "2: getStack",
      "4: pulumi.Config",
      "5: new Config(...)",
      "6: process.env",
      "7: getProject",
      "7: getStack",
      "9: pulumi.Config",
    ]);
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

/**
 * The fixture cache's entries of what the tests read off source texts that mention `id`. Counted by
 * their content, not all of them: the size test in another worker writes entries of its own into
 * the same folder meanwhile (every source file's, in a cold run).
 */
const FACTS_DIR = path.join(CACHE_DIR, "source-facts");
const factFiles = (): string[] =>
  fs.existsSync(FACTS_DIR) ? fs.readdirSync(FACTS_DIR).filter((f) => f.endsWith(".json")) : [];
const factEntries = (id: string, before: ReadonlySet<string>): string[] =>
  factFiles().filter((f) => !before.has(f) && fs.readFileSync(path.join(FACTS_DIR, f), "utf8").includes(id));

describe("a source text's facts (test/support/layout.ts): one parse and one cache entry for every test that reads them", () => {
  it("after its function lengths (the size test), its imports and config reads (this file) add no entry", function () {
    if (process.env.HOMELAB_TEST_CACHE === "off") this.skip();
    // A text no entry holds: its facts are computed here. The id is in its file's name (so in its
    // function lengths) and in its import (so in its imports): an entry of either fact names it.
    // The same id every run, its entry of the run before removed first: a new id each run (a
    // random UUID) wrote an entry under a new key that no run read again, one of the entries each
    // warm `npm test` left for the prune (test/support/cachePrune.ts).
    const id = "layout-test-new-text-0b5c";
    for (const f of factEntries(id, new Set())) fs.rmSync(path.join(FACTS_DIR, f), { force: true });
    const file = `x-${id}.ts`;
    const text = [
      `import { a } from "./a-${id}";`,
      "",
      "export const f = () => process.env.X ?? a;",
      "",
    ].join("\n");
    // Only the entries written from here on are read: the folder keeps every text's of earlier runs.
    const before = new Set(factFiles());
    assert.deepEqual(
      functionLengths(file, text).map((f) => f.name),
      [`${file}:3 f`],
    );
    assert.equal(factEntries(id, before).length, 1, "the facts of a new text are one entry");
    assert.deepEqual(configReads(file, text), ["3: process.env"]);
    assert.deepEqual(
      importsOf(file, text, (f) => f === `a-${id}.ts`),
      [`a-${id}.ts`],
    );
    assert.equal(factEntries(id, before).length, 1, "the other facts of the text came from that entry");
  });
});
