import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";
import { COLD_ORDER_FILE, coldOrder } from "../../scripts/coldOrder";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { slowestFirst } = require("../support/specOrder.cjs") as {
  slowestFirst: (root: string, timingsFile: string, coldOrderFile: string) => string[];
};

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
    const listed = (JSON.parse(fs.readFileSync(COLD_ORDER_FILE, "utf8")) as { files: string[] }).files;
    assert.ok(listed.length >= 10, `${listed.length} files`);
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
      ["y", "z"],
    );
  });
});
