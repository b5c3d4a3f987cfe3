/**
 * What `npm run policy:check` judges: the files, folders and patterns it is given, expanded to the
 * stack exports among them, and every other file with the reason it is skipped. `npm run synth`
 * writes three kinds of file into its out folder, and only one of them is a stack export.
 */
import * as fs from "fs";
import * as path from "path";

/** A file to read as a stack export; `named` when the command line named it (not found in a folder or by a pattern). */
export interface ExportCandidate {
  file: string;
  named: boolean;
}

export interface ExportFiles {
  candidates: ExportCandidate[];
  skipped: { file: string; why: string }[];
}

/** Whether a command-line argument is a pattern: `*`, `?` or `[...]` (as a shell would expand it). */
export function isPattern(arg: string): boolean {
  return /[*?[]/.test(arg);
}

/** One path segment's pattern as a regular expression: `*` any run, `?` one character, `[...]` a class; never across `/`. */
function segmentRegExp(pattern: string): RegExp {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "*") re += "[^/]*";
    else if (ch === "?") re += "[^/]";
    else if (ch === "[") {
      const end = pattern.indexOf("]", i + 1);
      if (end < 0) re += "\\[";
      else {
        re += `[${pattern
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else re += ch.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

/** The paths a pattern matches, segment by segment (a pattern in any segment; no `**`), sorted. */
export function expandPattern(pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/);
  let bases = [parts[0] === "" ? path.sep : parts[0]];
  if (parts[0] !== "" && isPattern(parts[0])) bases = matchIn(".", parts[0]);
  for (const part of parts.slice(1)) {
    if (part === "") continue;
    bases = bases.flatMap((b) =>
      isPattern(part) ? matchIn(b, part).map((m) => path.join(b, m)) : [path.join(b, part)],
    );
  }
  return bases.filter((b) => fs.existsSync(b)).sort();
}

function matchIn(dir: string, part: string): string[] {
  const re = segmentRegExp(part);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  // Like a shell, a pattern names hidden files only when it starts with a dot.
  return names.filter((n) => re.test(n) && (part.startsWith(".") || !n.startsWith(".")));
}

/** Why a file `npm run synth` writes beside an export is not one, from its name; undefined for any other. */
export function sideFileReason(file: string): string | undefined {
  const m = /^(.*)\.(rendered|adopted)\.json$/.exec(path.basename(file));
  if (!m) return undefined;
  const exp = path.join(path.dirname(file), `${m[1]}.json`);
  return m[2] === "rendered"
    ? `the rendered objects npm run synth writes beside ${exp}: judged with that export, not alone`
    : `the imports and reads npm run synth records beside ${exp}: not a stack export`;
}

/**
 * The command line's files, folders (every `*.json` directly inside) and patterns, as the files to
 * judge and those skipped with their reason. Each file once, in the order given (a folder's and a
 * pattern's sorted). A folder or pattern that yields nothing, or a path that does not exist, is an
 * error: the message names it.
 */
export function exportFiles(args: string[]): ExportFiles {
  const out: ExportFiles = { candidates: [], skipped: [] };
  const seen = new Set<string>();
  const add = (file: string, named: boolean) => {
    const key = path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    const side = sideFileReason(file);
    if (side) out.skipped.push({ file, why: side });
    else if (!named && !file.endsWith(".json")) out.skipped.push({ file, why: "not a .json file" });
    else out.candidates.push({ file, named });
  };
  for (const arg of args) {
    if (fs.existsSync(arg) && fs.statSync(arg).isDirectory()) {
      const files = fs
        .readdirSync(arg)
        .filter((n) => n.endsWith(".json"))
        .sort()
        .map((n) => path.join(arg, n))
        .filter((f) => fs.statSync(f).isFile());
      if (files.length === 0) throw new ExportFilesError(`${arg}: a folder without a .json file`);
      for (const f of files) add(f, false);
    } else if (!fs.existsSync(arg) && isPattern(arg)) {
      const files = expandPattern(arg).filter((f) => fs.statSync(f).isFile());
      if (files.length === 0) throw new ExportFilesError(`${arg}: the pattern matches no file`);
      for (const f of files) add(f, false);
    } else if (!fs.existsSync(arg)) throw new ExportFilesError(`${arg}: no such file or folder`);
    else add(arg, true);
  }
  return out;
}

/** A path or pattern on the command line that names nothing to read (exit 2). */
export class ExportFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportFilesError";
  }
}
