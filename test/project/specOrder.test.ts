import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";
import { COLD_ORDER_FILE, coldOrder } from "../../scripts/coldOrder";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { slowestFirst, spreadWaits, simulate } = require("../support/specOrder.cjs") as {
  slowestFirst: (
    root: string,
    timingsFile: string,
    coldOrderFile: string,
    workers?: number,
    cores?: number,
  ) => string[];
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
  const coldList = write("cold.json", { files: ["test/c/three.test.ts", "test/b/two.test.ts"] });

  it("a fresh clone (no timings): the cold run's longest files first, in its order, then the rest alphabetically", () => {
    assert.deepEqual(slowestFirst(root, path.join(dir, "none.json"), coldList), [
      "test/c/three.test.ts",
      "test/b/two.test.ts",
      "test/a/one.test.ts",
      "test/d/four.test.ts",
    ]);
    // Neither: alphabetical.
    assert.deepEqual(
      slowestFirst(root, path.join(dir, "none.json"), path.join(dir, "none.json")),
      [...files].sort(),
    );
  });

  it("with the last run's timings: slowest first, files they do not know first of all", () => {
    const timings = write("timings.json", {
      files: [
        { file: "test/a/one.test.ts", ms: 10 },
        { file: "test/b/two.test.ts", ms: 500 },
        { file: "test/c/three.test.ts", ms: 40 },
      ],
    });
    assert.deepEqual(slowestFirst(root, timings, coldList), [
      "test/d/four.test.ts",
      "test/b/two.test.ts",
      "test/c/three.test.ts",
      "test/a/one.test.ts",
    ]);
  });

  it("test/cold-order.json lists test files that exist, longest first as scripts/coldOrder.ts writes them", () => {
    const entries = (
      JSON.parse(fs.readFileSync(COLD_ORDER_FILE, "utf8")) as { files: (Cost & { file: string })[] }
    ).files;
    const listed = entries.map((e) => e.file);
    assert.ok(listed.length >= 10, `${listed.length} files`);
    // Each with the wall and CPU time of that run: the cold order spreads the files that mostly wait.
    assert.deepEqual(
      entries.filter((e) => !(e.ms > 0) || !(typeof e.cpuMs === "number")).map((e) => e.file),
      [],
    );
    const gone = listed.filter((f) => !fs.existsSync(path.join(ROOT, f)) || !f.endsWith(".test.ts"));
    assert.deepEqual(gone, [], "run npm test in a fresh clone, then npx tsx scripts/coldOrder.ts");
    assert.deepEqual(
      coldOrder(
        {
          files: [
            { file: "x", ms: 5, tests: 1 },
            { file: "y", ms: 50, tests: 1 },
            { file: "z", ms: 20, tests: 1 },
          ],
        },
        2,
      ),
      [
        { file: "y", ms: 50 },
        { file: "z", ms: 20 },
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

  it("slowestFirst spreads them by the last run's timings, and in a fresh clone by the cold list's", () => {
    const dir = tmpDir("spec-waits");
    const root = path.join(dir, "project");
    for (const f of slowestFirstOrder) {
      fs.mkdirSync(path.join(root, "test"), { recursive: true });
      fs.writeFileSync(path.join(root, "test", `${f}.test.ts`), "");
    }
    const entries = slowestFirstOrder.map((f) => ({ file: `test/${f}.test.ts`, ...costs.get(f)! }));
    const timings = path.join(dir, "timings.json");
    fs.writeFileSync(timings, JSON.stringify({ files: entries.map((e) => ({ ...e, tests: 1 })) }));
    const cold = path.join(dir, "cold.json");
    fs.writeFileSync(cold, JSON.stringify({ files: entries }));
    const none = path.join(dir, "none.json");
    for (const order of [slowestFirst(root, timings, none, 3, 2), slowestFirst(root, none, cold, 3, 2)]) {
      assert.equal(order[0], "test/servers-a.test.ts");
      assert.ok(order.indexOf("test/servers-b.test.ts") > 2, order.join(" "));
    }
  });
});
