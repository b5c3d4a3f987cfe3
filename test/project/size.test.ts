import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { functionLengths, roomOf, sourceFiles } from "../support/layout";

/**
 * Sizes that keep the code easy to take over: a function short enough to read whole, a test file
 * short enough to find a case in, no room that holds a third of the program. A large values literal
 * that mirrors a chart's values may keep a function over 120 lines (its comment says so); nothing
 * passes 200.
 */
const FUNCTION_HARD_LIMIT = 200;
const FUNCTION_SOFT_LIMIT = 120;
const MAX_OVER_SOFT = 8;
const TEST_FILE_LIMIT = 1000;
const ROOM_SHARE_LIMIT = 0.25;

const lines = (text: string) => text.split("\n").length;

describe("sizes: functions, test files and rooms", () => {
  const sources = sourceFiles(ROOT).map((f) => ({ f, text: fs.readFileSync(path.join(ROOT, f), "utf8") }));

  it(`no function is over ${FUNCTION_HARD_LIMIT} lines, and at most ${MAX_OVER_SOFT} are over ${FUNCTION_SOFT_LIMIT}`, () => {
    const all = sources.flatMap(({ f, text }) => functionLengths(f, text));
    const over = (n: number) => all.filter((x) => x.lines > n).map((x) => `${x.name} (${x.lines})`);
    assert.deepEqual(over(FUNCTION_HARD_LIMIT), []);
    const soft = over(FUNCTION_SOFT_LIMIT);
    assert.ok(
      soft.length <= MAX_OVER_SOFT,
      `${soft.length} functions over ${FUNCTION_SOFT_LIMIT} lines:\n${soft.join("\n")}`,
    );
  });

  it("measures a function by its whole span, arrows and methods included", () => {
    const body = Array.from({ length: 130 }, (_, i) => `  const a${i} = ${i};`).join("\n");
    const found = functionLengths(
      "x.ts",
      `class C {\n m() {\n${body}\n }\n}\nconst f = () => {\n${body}\n};\n`,
    );
    assert.deepEqual(
      found.map((x) => x.lines),
      [132, 132],
    );
  });

  it(`no test file is over ${TEST_FILE_LIMIT} lines`, () => {
    const walk = (dir: string): string[] =>
      fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = `${dir}/${e.name}`;
        return e.isDirectory() ? walk(rel) : e.name.endsWith(".ts") ? [rel] : [];
      });
    const long = walk("test")
      .map((f) => ({ f, n: lines(fs.readFileSync(path.join(ROOT, f), "utf8")) }))
      .filter((x) => x.n > TEST_FILE_LIMIT)
      .map((x) => `${x.f} (${x.n})`);
    assert.deepEqual(long, []);
  });

  it(`no room holds over ${ROOM_SHARE_LIMIT * 100}% of the program's lines`, () => {
    const byRoom = new Map<string, number>();
    for (const { f, text } of sources)
      byRoom.set(roomOf(f) ?? f, (byRoom.get(roomOf(f) ?? f) ?? 0) + lines(text));
    const total = [...byRoom.values()].reduce((a, b) => a + b, 0);
    const big = [...byRoom]
      .filter(([, n]) => n / total > ROOM_SHARE_LIMIT)
      .map(([r, n]) => `${r}: ${n} of ${total}`);
    assert.deepEqual(big, []);
  });
});
