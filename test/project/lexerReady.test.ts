import { strict as assert } from "assert";
import { tsxLexer } from "../support/lexerReady";

// Parsed while mocha loads this file. tsx compiles its WebAssembly lexer asynchronously, and a
// mocha process loads its first test file synchronously after its `--require` modules: without
// the root hooks' wait, the lexer is not ready yet and `parse` answers with a promise. Run this
// file first in its process (`npx mocha --no-parallel test/project/lexerReady.test.ts`) for that
// to be checked; later in a worker the lexer has had time anyway.
const parsedAtLoad = tsxLexer()?.parse("export const a = 1;");

describe("tsx's WebAssembly lexer is ready before test files load (test/support/lexerReady.ts)", () => {
  it("finds the lexer module tsx loaded: a tsx that no longer has it would silently lose the wait", () => {
    const lexer = tsxLexer();
    assert.ok(lexer, "no tsx/dist/lexer-*.cjs in require.cache with `init` and `parse`");
    assert.ok(lexer.init instanceof Promise);
  });

  it("parses synchronously while a test file loads: mocha waited for the lexer", () => {
    assert.ok(
      Array.isArray(parsedAtLoad),
      `the lexer answered ${parsedAtLoad instanceof Promise ? "a promise (not compiled yet)" : String(parsedAtLoad)}`,
    );
    // es-module-lexer's answer: [imports, exports, facade, hasModuleSyntax].
    assert.equal((parsedAtLoad as unknown[])[3], true);
  });
});
