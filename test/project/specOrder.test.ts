import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";
import { FILE_COSTS_FILE, fileCosts } from "../../scripts/fileCosts";

interface Sources {
  timings: string;
  coldTimings: string;
  committed: string;
  warm: boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { slowestFirst, spreadWaits, simulate } = require("../support/specOrder.cjs") as {
  slowestFirst: (root: string, sources: Sources, workers?: number, cores?: number) => string[];
  spreadWaits: (order: string[], costs: Map<string, Cost>, workers: number, cores: number) => string[];
  simulate: (order: string[], costs: Map<string, Cost>, workers: number) => Map<string, [number, number]>;
};
interface Cost {
  ms: number;
  cpuMs?: number;
}

describe("the order the workers take test files in (test/support/specOrder.cjs)", () => {
  const dir = tmpDir("spec-order");
  const root = path.join(dir, "project");
  const files = ["test/a/one.test.ts", "test/b/two.test.ts", "test/c/three.test.ts", "test/d/four.test.ts"];
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), "");
  }
  fs.writeFileSync(path.join(root, "test/a/helper.ts"), "");
  const write = (name: string, doc: unknown) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  };
  const none = path.join(dir, "none.json");
  // The committed figures: cold, three.test.ts longest; warm, two.test.ts (four is new since).
  const committed = write("file-costs.json", {
    cold: [
      { file: "test/c/three.test.ts", ms: 900 },
      { file: "test/b/two.test.ts", ms: 300 },
      { file: "test/a/one.test.ts", ms: 100 },
    ],
    warm: [
      { file: "test/b/two.test.ts", ms: 200 },
      { file: "test/c/three.test.ts", ms: 50 },
      { file: "test/a/one.test.ts", ms: 10 },
    ],
  });
  // This checkout's last runs: a warm one where one.test.ts was slowest, a cold one where two was.
  const warmRun = write("timings.json", {
    cold: false,
    files: [
      { file: "test/a/one.test.ts", ms: 500 },
      { file: "test/b/two.test.ts", ms: 10 },
      { file: "test/c/three.test.ts", ms: 40 },
    ],
  });
  const coldRun = write("timings-cold.json", {
    cold: true,
    files: [
      { file: "test/a/one.test.ts", ms: 10 },
      { file: "test/b/two.test.ts", ms: 900 },
      { file: "test/c/three.test.ts", ms: 40 },
    ],
  });
  const order = (s: Partial<Sources>) =>
    slowestFirst(root, { timings: none, coldTimings: none, committed: none, warm: false, ...s });

  it("a fresh clone's cold run and the warm run after it: by the committed figures of their kind, new files first", () => {
    assert.deepEqual(order({ committed }), [
      "test/d/four.test.ts",
      "test/c/three.test.ts",
      "test/b/two.test.ts",
      "test/a/one.test.ts",
    ]);
    // Warm after that cold run: timings.json holds the cold run's record, which a warm run does not plan by.
    assert.deepEqual(
      order({ committed, timings: write("after-cold.json", { cold: true, files: [] }), warm: true }),
      ["test/d/four.test.ts", "test/b/two.test.ts", "test/c/three.test.ts", "test/a/one.test.ts"],
    );
    // Neither: alphabetical.
    assert.deepEqual(order({}), [...files].sort());
  });

  it("with the checkout's own last run of the kind: slowest first by it, files it does not know first of all", () => {
    assert.deepEqual(order({ committed, timings: warmRun, coldTimings: coldRun, warm: true }), [
      "test/d/four.test.ts",
      "test/a/one.test.ts",
      "test/c/three.test.ts",
      "test/b/two.test.ts",
    ]);
    assert.deepEqual(order({ committed, timings: warmRun, coldTimings: coldRun, warm: false }), [
      "test/d/four.test.ts",
      "test/b/two.test.ts",
      "test/c/three.test.ts",
      "test/a/one.test.ts",
    ]);
  });

  it("test/file-costs.json holds every test file's cold and warm times, longest first as scripts/fileCosts.ts writes them", () => {
    const doc = JSON.parse(fs.readFileSync(FILE_COSTS_FILE, "utf8")) as Record<
      "cold" | "warm",
      (Cost & { file: string })[]
    >;
    for (const kind of ["cold", "warm"] as const) {
      const entries = doc[kind];
      const listed = entries.map((e) => e.file);
      assert.ok(listed.length >= 100, `${kind}: ${listed.length} files`);
      // Each with the wall and CPU time of that run: the order spreads the files that mostly wait.
      assert.deepEqual(
        entries.filter((e) => !(e.ms >= 0) || !(typeof e.cpuMs === "number")).map((e) => e.file),
        [],
        kind,
      );
      const gone = listed.filter((f) => !fs.existsSync(path.join(ROOT, f)) || !f.endsWith(".test.ts"));
      assert.deepEqual(gone, [], "run npm test in a fresh clone twice, then npx tsx scripts/fileCosts.ts");
      assert.deepEqual(
        listed,
        [...entries].sort((a, b) => b.ms - a.ms || a.file.localeCompare(b.file)).map((e) => e.file),
      );
    }
    assert.deepEqual(
      fileCosts({
        files: [
          { file: "x", ms: 5, tests: 1, cpuMs: 4 },
          { file: "y", ms: 50, tests: 1 },
          { file: "z", ms: 20, tests: 1, cpuMs: 30 },
        ],
      }),
      [
        { file: "y", ms: 50 },
        { file: "z", ms: 20, cpuMs: 30 },
        { file: "x", ms: 5, cpuMs: 4 },
      ],
    );
  });
});

describe("files that mostly wait are spread apart (specOrder.cjs spreadWaits)", () => {
  // Two files that wait on servers (16 s and 12 s, little CPU) and CPU-bound files of 4 s.
  const costs = new Map<string, Cost>([
    ["servers-a", { ms: 16000, cpuMs: 2000 }],
    ["servers-b", { ms: 12000, cpuMs: 4000 }],
    ...Array.from({ length: 12 }, (_, i) => [`cpu-${i}`, { ms: 4000, cpuMs: 4000 }] as [string, Cost]),
  ]);
  const slowestFirstOrder = ["servers-a", "servers-b", ...Array.from({ length: 12 }, (_, i) => `cpu-${i}`)];

  it("with three workers on two cores, the second waiting file starts when the first ends; the others keep their order", () => {
    const out = spreadWaits(slowestFirstOrder, costs, 3, 2);
    const at = simulate(out, costs, 3);
    assert.ok(at.get("servers-b")![0] >= at.get("servers-a")![1], JSON.stringify([...at]));
    assert.equal(out[0], "servers-a");
    assert.deepEqual(
      out.filter((f) => f.startsWith("cpu-")),
      slowestFirstOrder.filter((f) => f.startsWith("cpu-")),
    );
    assert.deepEqual([...out].sort(), [...slowestFirstOrder].sort());
  });

  it("leaves the order alone when the workers beyond the cores can each wait (four workers on two cores), every worker has a core, or a file computes", () => {
    assert.deepEqual(spreadWaits(slowestFirstOrder, costs, 4, 2), slowestFirstOrder);
    // A core for every worker: a waiting worker idles only its own, and a moved file could end the run.
    assert.deepEqual(spreadWaits(slowestFirstOrder, costs, 3, 4), slowestFirstOrder);
    // servers-b now computes most of its time: it is not a waiting file.
    const busy = new Map(costs).set("servers-b", { ms: 12000, cpuMs: 9000 });
    assert.deepEqual(spreadWaits(slowestFirstOrder, busy, 3, 2), slowestFirstOrder);
    // A short wait (under 5 s) is not planned around.
    const short = new Map(costs).set("servers-b", { ms: 4000, cpuMs: 500 });
    assert.deepEqual(spreadWaits(slowestFirstOrder, short, 3, 2), slowestFirstOrder);
  });

  it("a waiting file with no later place to start in goes last", () => {
    const few = ["servers-a", "servers-b", "cpu-0"];
    assert.deepEqual(spreadWaits(few, costs, 3, 2), ["servers-a", "cpu-0", "servers-b"]);
  });

  it("slowestFirst spreads them by the last run's timings, and in a fresh clone by the committed figures", () => {
    const dir = tmpDir("spec-waits");
    const root = path.join(dir, "project");
    for (const f of slowestFirstOrder) {
      fs.mkdirSync(path.join(root, "test"), { recursive: true });
      fs.writeFileSync(path.join(root, "test", `${f}.test.ts`), "");
    }
    const entries = slowestFirstOrder.map((f) => ({ file: `test/${f}.test.ts`, ...costs.get(f)! }));
    const timings = path.join(dir, "timings.json");
    fs.writeFileSync(
      timings,
      JSON.stringify({ cold: false, files: entries.map((e) => ({ ...e, tests: 1 })) }),
    );
    const cold = path.join(dir, "file-costs.json");
    fs.writeFileSync(cold, JSON.stringify({ cold: entries, warm: [] }));
    const none = path.join(dir, "none.json");
    for (const order of [
      slowestFirst(root, { timings, coldTimings: none, committed: none, warm: true }, 3, 2),
      slowestFirst(root, { timings: none, coldTimings: none, committed: cold, warm: false }, 3, 2),
    ]) {
      assert.equal(order[0], "test/servers-a.test.ts");
      assert.ok(order.indexOf("test/servers-b.test.ts") > 2, order.join(" "));
    }
  });
});
