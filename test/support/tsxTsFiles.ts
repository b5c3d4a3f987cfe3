/**
 * Required by .mocharc.cjs right after tsx: the code tsx compiles for each of the project's `.ts`
 * files, kept across processes by the file's text.
 *
 * For every `.ts` file a process requires, tsx's handler runs es-module-lexer over the text (to
 * look for `import.meta`), hashes the text with its options, reads its own cache entry (the code
 * and the source map as JSON), and writes the map back out inline (JSON, base64) before Node
 * compiles the result: before it knows the answer is in its cache. Each mocha worker does that for
 * the ~700 project files it loads. In a dry run of every test file (one process), 481-588 ms of CPU
 * (three profiles) in the lexer alone under that handler; 91 ms with this.
 *
 * Here the text tsx hands to Node (`module._compile`) is kept in a file per source, named by a
 * digest of the source's path and text and of everything else tsx's output depends on (tsx's and
 * esbuild's versions, the tsconfig.json tsx read from the working folder, whether source maps are
 * on when it compiles, and the flags that change esbuild's options); a process that finds it
 * compiles that text, exactly what tsx would have handed Node. A first load, a changed file or any other setting goes
 * through tsx's handler, and its result is kept. Only used where tsx reads this project's
 * tsconfig.json (run from the project's folder, no TSX_TSCONFIG_PATH); tsx's message to a
 * `tsx watch` parent, which no test process has, is the only other step skipped. Deleting the folder
 * is always safe. Measured warm on this 2-core machine, CPU, five runs each alternating, medians
 * (with test/support/tsxCjsFiles.ts in both): the dry run 7.73 -> 7.50 s; test/cli/cliHelp.test.ts
 * alone 3.19 -> 2.61 s, test/builders/safetyNets.test.ts 3.82 -> 3.45 s,
 * test/project/lexerReady.test.ts 1.46 -> 1.19 s. test/project/tsxKept.test.ts checks that what is
 * kept is what tsx hands Node.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import Module from "module";
import * as path from "path";

export type Handler = (
  module: Module & { _compile(code: string, filename: string): unknown },
  filename: string,
) => void;

const ROOT = path.join(__dirname, "..", "..");

/** Where the compiled texts are kept, a file each, beside Node's compile cache (.mocharc.cjs). */
export const TS_FILES = path.join(ROOT, "node_modules", ".cache", "homelab-observability", "tsx-ts-files");

function version(pkg: string): string {
  try {
    return (
      JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules", pkg, "package.json"), "utf8")) as {
        version: string;
      }
    ).version;
  } catch {
    return "";
  }
}

/** What tsx's output depends on besides the file: the same for every file of the process. */
export function settings(): string | undefined {
  if (process.env.TSX_TSCONFIG_PATH !== undefined || path.resolve(process.cwd()) !== path.resolve(ROOT))
    return;
  let tsconfig: string;
  try {
    tsconfig = fs.readFileSync(path.join(ROOT, "tsconfig.json"), "utf8");
  } catch {
    return;
  }
  return JSON.stringify([
    version("tsx"),
    version("esbuild"),
    tsconfig,
    process.env.NODE_V8_COVERAGE !== undefined,
    // tsx keeps the sources in its maps under --inspect (and the like): the only flags it reads.
    [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].filter((a) =>
      /^--(no-)?inspect/.test(a),
    ),
    process.versions.node,
  ]);
}

/** The file that keeps what tsx hands Node for `filename` as it reads now, under `shared` settings. */
export function keptEntry(shared: string, filename: string): string {
  const digest = createHash("sha256")
    .update(shared)
    .update(String(process.sourceMapsEnabled))
    .update(filename)
    .update("\0")
    .update(fs.readFileSync(filename))
    .digest("hex");
  return path.join(TS_FILES, `${digest}.js`);
}

/** tsx's own `.ts` handler, if this module's is installed in front of it (for the tests). */
export function tsxTsHandler(): Handler | undefined {
  const ts = (Module as unknown as { _extensions: Record<string, Handler & { tsx?: Handler }> })._extensions[
    ".ts"
  ];
  return ts?.tsx;
}

/** Install the keeping `.ts` handler in front of tsx's (once per process). */
export function installTsFiles(): void {
  const extensions = (Module as unknown as { _extensions: Record<string, Handler> })._extensions;
  const tsxTs = extensions[".ts"];
  const shared = settings();
  if (tsxTs === undefined || shared === undefined || (tsxTs as { tsFiles?: true }).tsFiles) return;
  const keeping: Handler = function (this: unknown, module, filename) {
    if (!filename.endsWith(".ts") || filename.includes(`${path.sep}node_modules${path.sep}`))
      return tsxTs.call(this, module, filename);
    let entry: string;
    try {
      entry = keptEntry(shared, filename);
    } catch {
      return tsxTs.call(this, module, filename);
    }
    let code: string | undefined;
    try {
      code = fs.readFileSync(entry, "utf8");
    } catch {
      code = undefined;
    }
    if (code !== undefined) {
      module._compile(code, filename);
      return;
    }
    // What tsx hands Node for this file: its one `_compile` call, seen through a wrapper on this
    // module object only, removed before the module runs.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with the module as `this`
    const compile = module._compile;
    const restore = (): void => {
      delete (module as Partial<typeof module>)._compile;
      if (module._compile !== compile) module._compile = compile;
    };
    let handed: string | undefined;
    module._compile = function (this: typeof module, text: string, name: string) {
      restore();
      if (name === filename) handed = text;
      return compile.call(this, text, name);
    };
    try {
      tsxTs.call(this, module, filename);
    } finally {
      restore();
    }
    if (handed === undefined) return;
    try {
      fs.mkdirSync(TS_FILES, { recursive: true });
      const tmp = `${entry}.${process.pid}`;
      fs.writeFileSync(tmp, handed);
      fs.renameSync(tmp, entry);
    } catch {
      // Only a cache: the next process asks tsx again.
    }
  };
  Object.assign(keeping, { tsFiles: true, tsx: tsxTs });
  extensions[".ts"] = keeping;
}

installTsFiles();
