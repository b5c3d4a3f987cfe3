// A node the tests start through tsx imports this right after tsx (helpers.ts TSX_CHILD): its
// entry loads nothing before tsx's WebAssembly module lexer is compiled, as in the mocha workers
// (test/support/lexerReady.ts, where the reason is). Node runs the entry only once every `--import`
// module has settled. An ES module for its top-level await; outside the TS project, like the .cjs.
import { createRequire } from "module";

const { tsxLexer } = createRequire(import.meta.url)("./lexerReady.ts");
await tsxLexer()?.init;
