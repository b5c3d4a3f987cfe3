// A node the tests start through tsx imports this right after tsx (helpers.ts TSX_CHILD): its
// entry loads nothing before tsx's WebAssembly module lexer is compiled, as in the mocha workers
// (test/support/lexerReady.ts, where the reason is). Node runs the entry only once every `--import`
// module has settled. An ES module for its top-level await; outside the TS project, like the .cjs.
import { createRequire } from "module";

// tsx's lexer answers for node_modules' CommonJS files, remembered (tsxCjsFiles.ts, where the reason is).
createRequire(import.meta.url)("./tsxCjsFiles.ts");
const { tsxLexer } = createRequire(import.meta.url)("./lexerReady.ts");
await tsxLexer()?.init;

// A child the test ends (`child.kill()`: SIGTERM, the pack of pack.test.ts) exits through Node's
// exit path: Node writes the code its compile cache gathered only then, never when a signal ends
// the process, so the modules only the child loads were compiled again every run. Its entries sit
// beside the workers' (same folder and flags) and agree with them (NODE_DEBUG_NATIVE=COMPILE_CACHE:
// none rejected). pack.test.ts alone, warm, CPU of it and every process it started (reaped), three
// runs each alternating: median 5.15 -> 4.32 s.
process.once("SIGTERM", () => process.exit(143));
