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

/** A file or folder found and not judged, with why (one line). */
export interface SkippedFile {
  file: string;
  why: string;
}

export interface ExportFiles {
  candidates: ExportCandidate[];
  skipped: SkippedFile[];
  /**
   * Both, in the order found (the command line's order, a folder's and a pattern's sorted), so
   * that each file's lines are printed where it stands among the others.
   */
  inOrder: (ExportCandidate | SkippedFile)[];
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

/**
 * The paths a pattern matches, segment by segment, sorted: `*`, `?` and `[...]` within a segment
 * (never across `/`), and a segment that is exactly `**` for any number of folders, none included:
 * `out`, `**`, `*.json` finds out/a.json and out/sub/b.json; a final `**` every file and folder
 * below. As a shell does, hidden files and folders are matched only by a segment starting with a
 * dot, and `**` never enters a hidden folder or follows a link to one.
 */
export function expandPattern(pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/);
  const absolute = parts[0] === "";
  let bases = [absolute ? path.sep : "."];
  const rest = absolute ? parts.slice(1) : parts;
  rest.forEach((part, i) => {
    if (part === "") return;
    if (part === "**") {
      const last = i === rest.length - 1;
      bases = bases.flatMap((b) => (last ? below(b, "all") : [b, ...below(b, "folders")]));
    } else
      bases = bases.flatMap((b) =>
        isPattern(part) ? matchIn(b, part).map((m) => path.join(b, m)) : [path.join(b, part)],
      );
  });
  return [...new Set(bases)].filter((b) => b !== "." && fs.existsSync(b)).sort();
}

/** Every folder (or every file and folder) below `dir`, hidden ones and links to folders not entered. */
function below(dir: string, which: "folders" | "all"): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => !e.name.startsWith("."))
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) return [p, ...below(p, which)];
      return which === "all" ? [p] : [];
    });
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
 * The command line's files, folders (every entry directly inside: each `*.json` to judge, any other
 * file and every subfolder skipped with why) and patterns (each match: a folder it matches is
 * skipped with why), as the files to judge and those skipped with their reason. Each file once, in
 * the order given (a folder's and a pattern's sorted). A folder without a .json file, a pattern
 * that matches nothing, or a path that does not exist, is an error: the message names it.
 */
export function exportFiles(args: string[]): ExportFiles {
  const out: ExportFiles = { candidates: [], skipped: [], inOrder: [] };
  const seen = new Set<string>();
  const skip = (file: string, why: string) => {
    out.skipped.push({ file, why });
    out.inOrder.push({ file, why });
  };
  const add = (file: string, named: boolean) => {
    const key = path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    const side = sideFileReason(file);
    if (side) skip(file, side);
    else if (isFolder(file)) skip(file, FOUND_FOLDER);
    else if (!named && !file.endsWith(".json")) skip(file, "not a .json file");
    else {
      out.candidates.push({ file, named });
      out.inOrder.push({ file, named });
    }
  };
  for (const arg of args) {
    if (isFolder(arg)) {
      const names = fs.readdirSync(arg).sort();
      if (!names.some((n) => n.endsWith(".json") && fs.statSync(path.join(arg, n)).isFile()))
        throw new ExportFilesError(`${arg}: a folder without a .json file`);
      for (const n of names) add(path.join(arg, n), false);
    } else if (!fs.existsSync(arg) && isPattern(arg)) {
      if (/(^|[\\/])\*\*[^\\/]|[^\\/]\*\*/.test(arg))
        throw new ExportFilesError(
          `${arg}: \`**\` stands for any number of folders only as a whole segment (\`out/**/*.json\`); within a name use \`*\` (\`out/prod*.json\`)`,
        );
      const found = expandPattern(arg);
      if (found.length === 0) throw new ExportFilesError(`${arg}: the pattern matches no file`);
      for (const f of found) add(f, false);
    } else if (!fs.existsSync(arg)) throw new ExportFilesError(`${arg}: no such file or folder`);
    else add(arg, true);
  }
  return out;
}

/**
 * Why a folder found in a folder or by a pattern is not read: policy:check judges files, and never
 * goes down into a folder it was not given.
 */
const FOUND_FOLDER =
  "a folder: only files are judged (give the folder itself, or a pattern such as 'out/**/*.json', to judge the exports in it)";

const isFolder = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();

/** A path or pattern on the command line that names nothing to read (exit 2). */
export class ExportFilesError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExportFilesError";
  }
}
