/**
 * Root hooks (.mocharc.cjs requires this file right after tsx): mocha loads no test file before
 * they are ready, and they are ready once tsx's WebAssembly module lexer is.
 *
 * tsx runs es-module-lexer over every file it loads: each `.js` file that holds the word `import`
 * or `export` (every CommonJS file that writes `exports`, so nearly all of node_modules), to tell
 * an ES module from CommonJS, and each `.ts` file, to look for `import.meta`; it does so before it
 * looks in its transform cache. It compiles the lexer's WebAssembly build asynchronously when it
 * registers and, until that is done, uses the lexer's asm.js build. A mocha process (a parallel
 * worker, or the one of `--no-parallel`) loads its first test file, and with it most of the
 * project, the SDK and their dependencies (about 600 modules), synchronously right after its
 * `--require` modules, so every one of those files went through the asm.js build. Measured as CPU
 * inside tsx's lexer calls, every test file loaded in three workers (`mocha --dry-run`): 318, 352
 * and 355 ms a worker before, 229, 197 and 207 ms with the wait; 21 small test files run in two
 * workers: 3.47 s of CPU for the whole run before, 3.03 s with it (medians of 4, alternating).
 *
 * Waiting changes no behaviour: the lexer's answers are the same, only its speed differs. If tsx
 * no longer has the module (another version), there is nothing to wait for.
 */

/** tsx's WebAssembly lexer module: `parse` gives a promise until `init` has settled. */
export interface TsxLexer {
  init: Promise<unknown>;
  parse: (source: string) => unknown;
}

/** tsx's WebAssembly lexer module, if tsx loaded it. */
export function tsxLexer(): TsxLexer | undefined {
  // tsx (`require: ["tsx", ...]`) requires it, under a hashed name, when it registers.
  const key = Object.keys(require.cache).find((k) => /[\\/]tsx[\\/]dist[\\/]lexer-[^\\/]+\.cjs$/.test(k));
  const lexer = (key === undefined ? undefined : require.cache[key]?.exports) as
    Partial<TsxLexer> | undefined;
  return lexer?.init instanceof Promise && typeof lexer.parse === "function"
    ? (lexer as TsxLexer)
    : undefined;
}

/**
 * Mocha awaits a `mochaHooks` function before it loads any test file. tsx's own wait on the same
 * promise was queued first, so when this one resumes tsx uses the WebAssembly lexer.
 */
export async function mochaHooks(): Promise<Record<string, never>> {
  await tsxLexer()?.init;
  return {};
}
