/**
 * Required by .mocharc.cjs right after tsx (and imported by test/support/tsxChild.mjs): tsx's
 * lexing of node_modules' CommonJS files, remembered across processes.
 *
 * tsx's `.js` handler reads every `.js` file a process requires, node_modules included, and runs
 * es-module-lexer over each one that holds the word `import` or `export` (nearly every CommonJS
 * file: `exports`) to tell an ES module, which it transforms, from CommonJS, which it compiles as
 * read. Node has no cache for that answer, so each mocha worker and each node a test starts through
 * tsx lexed the same ~1,000 dependency files again: in a `mocha --dry-run` of every test file (one
 * process loading the whole test graph), 640 ms of CPU inside the lexer under that handler (1.08 s
 * with the `.ts` files' `import.meta` look-up, which this leaves to tsx).
 *
 * Here the lexer's answer for each node_modules `.js` file is kept in a file, by the file's size
 * and modification time; while both are unchanged a process compiles a CommonJS one as read, exactly as tsx's
 * handler does with that answer (`module._compile` of the file's text), without lexing it. Any
 * other file, a changed one, or an ES module (tsx transforms it) goes through tsx's handler as before. The
 * only thing skipped besides the lexing is tsx's message to a `tsx watch` parent, which no test
 * process has. Deleting the file is always safe (the next process lexes and writes it again).
 * After: 139 ms in the lexer under the `.js` handler (the ES modules tsx transforms). Measured warm
 * on this 2-core machine, CPU, five runs each alternating, medians: the dry run 9.05 -> 8.54 s;
 * test/builders/safetyNets.test.ts alone 4.28 -> 3.88 s, test/cli/cliHelp.test.ts 3.39 -> 3.16 s,
 * test/project/lexerReady.test.ts 1.56 -> 1.48 s. A process that finds no answers file (a cold
 * run's first ones) keeps which text tsx handed Node instead of lexing each file a second time: the
 * dry run without the file, three runs each alternating, 9.39 -> 8.92 s (the same runs with the
 * file, identical code, 7.45 and 7.84 s: about that much noise).
 */
import * as fs from "fs";
import Module from "module";
import * as path from "path";

type JsHandler = (
  module: Module & { _compile(code: string, filename: string): unknown },
  filename: string,
) => void;

/** Where the answers are kept: beside Node's compile cache (.mocharc.cjs), one JSON object. */
export const CJS_FILES = path.join(
  __dirname,
  "..",
  "..",
  "node_modules",
  ".cache",
  "homelab-observability",
  "tsx-cjs-files.json",
);

/** tsx's own `isESM` (its lexer's answer), from its registered chunk; undefined if tsx changed. */
export function tsxIsEsm(): ((source: string) => boolean) | undefined {
  const key = Object.keys(require.cache).find((k) => /[\\/]tsx[\\/]dist[\\/]register-[^\\/]+\.cjs$/.test(k));
  const isESM = (key === undefined ? undefined : require.cache[key]?.exports?.isESM) as unknown;
  return typeof isESM === "function" ? (isESM as (source: string) => boolean) : undefined;
}

function readAnswers(): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(CJS_FILES, "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

/** The answers this process holds: read from the file, and found since (for the tests). */
let held: Record<string, string> = {};
export const heldAnswers = (): Record<string, string> => ({ ...held });

/** Install the remembering `.js` handler in front of tsx's (once per process). */
export function installCjsFiles(): void {
  const extensions = (Module as unknown as { _extensions: Record<string, JsHandler> })._extensions;
  const tsxJs = extensions[".js"];
  const isESM = tsxIsEsm();
  if (isESM === undefined || (tsxJs as { cjsFiles?: true }).cjsFiles) return;
  const known = readAnswers();
  const found: Record<string, string> = {};
  held = known;
  const remembering: JsHandler = function (this: unknown, module, filename) {
    if (!filename.includes(`${path.sep}node_modules${path.sep}`) || !filename.endsWith(".js"))
      return tsxJs.call(this, module, filename);
    let stamp: string;
    try {
      const st = fs.statSync(filename);
      stamp = `${st.size}:${st.mtimeMs}`;
    } catch {
      return tsxJs.call(this, module, filename);
    }
    if (known[filename] === stamp) {
      module._compile(fs.readFileSync(filename, "utf8"), filename);
      return;
    }
    if (known[filename] === `esm ${stamp}`) return tsxJs.call(this, module, filename);
    // A first load: tsx's handler lexes it and hands Node either the file's text (CommonJS) or its
    // transform (an ES module); which of the two is the answer kept, without lexing it again here.
    const text = fs.readFileSync(filename, "utf8");
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the module as `this`
    const compile = module._compile;
    const restore = (): void => {
      delete (module as Partial<typeof module>)._compile;
      if (module._compile !== compile) module._compile = compile;
    };
    let handed: string | undefined;
    module._compile = function (this: typeof module, code: string, name: string) {
      restore();
      if (name === filename) handed = code;
      return compile.call(this, code, name);
    };
    try {
      tsxJs.call(this, module, filename);
    } finally {
      restore();
    }
    if (handed !== undefined) known[filename] = found[filename] = handed === text ? stamp : `esm ${stamp}`;
  };
  (remembering as { cjsFiles?: true }).cjsFiles = true;
  extensions[".js"] = remembering;
  process.once("exit", () => {
    if (Object.keys(found).length === 0) return;
    try {
      const tmp = `${CJS_FILES}.${process.pid}`;
      fs.mkdirSync(path.dirname(CJS_FILES), { recursive: true });
      fs.writeFileSync(tmp, JSON.stringify({ ...readAnswers(), ...found }));
      fs.renameSync(tmp, CJS_FILES);
    } catch {
      // Only a cache: the next process lexes again.
    }
  });
}

installCjsFiles();
