/**
 * What `npm run policy:check` judges: the files, folders and patterns it is given, expanded to the
 * stack exports among them, and every other file with the reason it is skipped. `npm run synth`
 * writes three kinds of file into its out folder, and only one of them is a stack export.
 */
import * as fs from "fs";
import * as path from "path";
import { closestMatch } from "../config/errors";
import { sideFileOf, sideFileWhat } from "../synth/exportFile";

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

/**
 * A command-line argument that names nothing to judge (a missing path, a broken link, a folder
 * without a .json file, a pattern matching nothing): said, and the run exits 2, but the other
 * arguments are still judged.
 */
export interface ArgProblem {
  /** The argument as given. */
  file: string;
  problem: string;
}

export interface ExportFiles {
  candidates: ExportCandidate[];
  skipped: SkippedFile[];
  problems: ArgProblem[];
  /**
   * Both, in the order found (the command line's order, a folder's and a pattern's sorted), so
   * that each file's lines are printed where it stands among the others.
   */
  inOrder: (ExportCandidate | SkippedFile | ArgProblem)[];
  /**
   * Each argument that names something (not a problem) with every file it stands for, one found
   * by an earlier argument too: whether it gave anything to judge is known per argument.
   */
  byArg: { arg: string; files: string[] }[];
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
 * dot, and `**` never enters a hidden folder nor follows a link to a folder (bash's globstar does
 * not either: a link can loop back above itself); a broken link is matched, to be skipped with why.
 */
export function expandPattern(pattern: string): string[] {
  return expand(pattern).found;
}

/**
 * {@link expandPattern}'s matches, each link to a folder `**` passed by without entering it, and
 * the folders a final `**` entered: every entry of those is among the matches.
 */
function expand(pattern: string): { found: string[]; linkedFolders: string[]; entered: Set<string> } {
  const linkedFolders: string[] = [];
  const entered = new Set<string>();
  const parts = pattern.split(/[\\/]+/);
  const absolute = parts[0] === "";
  let bases = [absolute ? path.sep : "."];
  const rest = absolute ? parts.slice(1) : parts;
  rest.forEach((part, i) => {
    if (part === "") return;
    if (part === "**") {
      const last = i === rest.length - 1;
      bases = bases.flatMap((b) => {
        if (!last) return [b, ...below(b, "folders", linkedFolders)];
        const all = below(b, "all", linkedFolders);
        for (const p of all) if (lstatOf(p)?.isDirectory()) entered.add(p);
        return all;
      });
    } else
      bases = bases.flatMap((b) =>
        isPattern(part) ? matchIn(b, part).map((m) => path.join(b, m)) : [path.join(b, part)],
      );
  });
  const found = [...new Set(bases)].filter((b) => b !== "." && lstatOf(b)).sort();
  return { found, linkedFolders: [...new Set(linkedFolders)].sort(), entered };
}

/**
 * Every folder (or every file and folder) below `dir`, hidden ones and links to folders not
 * entered: each such link is added to `linkedFolders` (with "all" it is among the paths too).
 */
function below(dir: string, which: "folders" | "all", linkedFolders: string[]): string[] {
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
      if (e.isDirectory()) return [p, ...below(p, which, linkedFolders)];
      if (e.isSymbolicLink() && isFolder(p)) linkedFolders.push(p);
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

/**
 * Why a file `npm run synth` writes beside an export is not one, from its name; undefined for any
 * other. Rendered objects are judged only with their export: `exportJudged` says whether this run
 * judges it (it is among the files to judge), else whether it is there at all is said.
 */
export function sideFileReason(file: string, exportJudged = true): string | undefined {
  const side = sideFileOf(file);
  if (!side) return undefined;
  const exp = side.exportFile;
  const what = sideFileWhat(side);
  if (side.kind === "adopted") return `${what}: not a stack export`;
  if (exportJudged) return `${what}: judged with that export, not alone`;
  return lstatOf(exp)
    ? `${what}: judged only with that export, which is not among the files given (give ${exp} to judge both)`
    : `${what}: that export is not there, so nothing judged them (they are judged only with their export)`;
}

/**
 * The command line's files, folders (every entry directly inside: each `*.json` to judge, any other
 * file and every subfolder skipped with why) and patterns (each match: a folder it matches is
 * skipped with why, unless a final `**` entered it), as the files to judge and those skipped with their reason. Each file once, in
 * the order given (a folder's and a pattern's sorted). A folder without a .json file, a pattern
 * that matches nothing, a path that does not exist or a broken link is a problem naming it, in its
 * place among the others: the rest are still read. A link to a folder found in a folder or by a
 * pattern is skipped with why (never entered); a broken link found there is skipped with why.
 */
export function exportFiles(args: string[]): ExportFiles {
  const out: ExportFiles = { candidates: [], skipped: [], problems: [], inOrder: [], byArg: [] };
  const seen = new Set<string>();
  const skip = (file: string, why: string) => {
    // One entry in both lists: a reason settled after the loop is said in both.
    const skipped = { file, why };
    out.skipped.push(skipped);
    out.inOrder.push(skipped);
  };
  const add = (file: string, named: boolean) => {
    const key = path.resolve(file);
    if (seen.has(key)) return;
    seen.add(key);
    const side = sideFileReason(file);
    const broken = brokenLinkReason(file);
    if (side) skip(file, side);
    else if (broken) skip(file, broken);
    else if (lstatOf(file)?.isSymbolicLink() && isFolder(file)) skip(file, linkedFolderReason(file));
    else if (isFolder(file)) skip(file, foundFolderReason(file));
    else if (!named && !file.endsWith(".json")) skip(file, "not a .json file");
    else {
      out.candidates.push({ file, named });
      out.inOrder.push({ file, named });
    }
  };
  const problem = (arg: string, why: string) => {
    const p = { file: arg, problem: `${arg}: ${why}` };
    out.problems.push(p);
    out.inOrder.push(p);
    return p;
  };
  // An argument given again names the same thing: read once, and a refusal said once, noting how
  // many times it was given (`json json` printed the same missing-file line twice).
  const given = new Map<
    string,
    { times: number; refused?: { file: string; problem: string }; why: string }
  >();
  for (const arg of args) {
    const key = isPattern(arg) ? arg : path.resolve(arg);
    const before = given.get(key);
    if (before) {
      before.times++;
      const times = before.times === 2 ? "twice" : `${before.times} times`;
      if (before.refused) before.refused.problem = `${before.refused.file} (given ${times}): ${before.why}`;
      continue;
    }
    const found = argFiles(arg);
    if (typeof found === "string") {
      given.set(key, { times: 1, refused: problem(arg, found), why: found });
    } else {
      given.set(key, { times: 1, why: "" });
      out.byArg.push({ arg, files: found.files });
      for (const f of found.files) add(f, found.named);
    }
  }
  // Known only once every argument is read: whether each rendered file's export is judged, else
  // "judged with that export" would say what does not happen.
  const judged = new Set(out.candidates.map((c) => path.resolve(c.file)));
  for (const s of out.skipped) {
    const side = sideFileOf(s.file);
    if (side?.kind === "rendered")
      s.why = sideFileReason(s.file, judged.has(path.resolve(side.exportFile))) ?? s.why;
  }
  return out;
}

/** Whether a command-line argument names something to read (a file, a folder with a .json file, a pattern's matches). */
export const namesFiles = (arg: string): boolean => typeof argFiles(arg) !== "string";

/**
 * The paths a command-line argument stands for (itself for a file, `named`; a folder's entries; a
 * pattern's matches and each link to a folder `**` passed by, where it stands among them, sorted),
 * or why it names nothing to judge.
 */
function argFiles(arg: string): { files: string[]; named: boolean } | string {
  if (isFolder(arg)) {
    const names = fs.readdirSync(arg).sort();
    // A broken link named .json counts: it is listed, skipped with why, rather than unmentioned.
    if (!names.some((n) => n.endsWith(".json") && !isFolder(path.join(arg, n))))
      // A folder is read at its top level only: say how to reach the exports below it.
      return names.some((n) => isFolder(path.join(arg, n)))
        ? `a folder without a .json file at its top level (give a pattern such as '${path.join(arg, "**", "*.json")}' to judge the exports in its folders)`
        : "a folder without a .json file";
    return { files: names.map((n) => path.join(arg, n)), named: false };
  }
  if (lstatOf(arg)) return brokenLinkReason(arg) ?? { files: [arg], named: true };
  if (!isPattern(arg)) return `no such file or folder${missingHint(arg)}`;
  if (/(^|[\\/])\*\*[^\\/]|[^\\/]\*\*/.test(arg))
    return "`**` stands for any number of folders only as a whole segment (`out/**/*.json`); within a name use `*` (`out/prod*.json`)";
  const { found, linkedFolders, entered } = expand(arg);
  // A folder a final `**` entered is no file left unjudged: its entries are matches of their own
  // (skipped as a folder, "give it to judge the exports in it" was said of exports judged).
  const all = [...new Set([...found.filter((f) => !entered.has(f)), ...linkedFolders])].sort();
  return all.length > 0 ? { files: all, named: false } : "the pattern matches no file";
}

/**
 * What to do about a path that names nothing: the closest name beside it (a misspelt export or
 * folder), else where exports come from.
 */
function missingHint(arg: string): string {
  const dir = path.dirname(arg);
  const near = isFolder(dir) ? closestMatch(path.basename(arg), fs.readdirSync(dir)) : undefined;
  return near !== undefined
    ? `; did you mean ${path.join(dir, near)}?`
    : "; `npm run synth -- --all --out out` writes an export per stack (out/<stack>.json), then give out";
}

/**
 * Why a folder found in a folder or by a pattern is not read: policy:check judges files, and never
 * goes down into a folder it was not given. The ways to judge it name this folder, so each works
 * pasted as it is (a fixed `out/**` would judge another folder, or none).
 */
function foundFolderReason(folder: string): string {
  return `a folder: only files are judged; give it (${folder}) to judge the exports in it, or '${path.join(folder, "**", "*.json")}' for those in every folder below it too`;
}

/**
 * Why a link to a folder, found in a folder or by a pattern, is not entered: a link can point back
 * above itself, and a shell's `**` does not follow one either. Named, it is read as its folder.
 */
function linkedFolderReason(link: string): string {
  return `a link to the folder ${fs.readlinkSync(link)}: not followed (a link can loop back above itself); give it as a pattern ('${path.join(link, "**", "*.json")}') to judge the exports in it`;
}

/** Why a broken link is not read (with where it points), or undefined for anything else. */
function brokenLinkReason(p: string): string | undefined {
  if (!lstatOf(p)?.isSymbolicLink()) return undefined;
  let code: string | undefined;
  try {
    fs.statSync(p);
    return undefined; // The link leads somewhere.
  } catch (e) {
    code = (e as NodeJS.ErrnoException).code;
  }
  return code === "ELOOP"
    ? `a link loop (to ${fs.readlinkSync(p)}, which leads back to a link on the way): nothing to read`
    : `a broken link (to ${fs.readlinkSync(p)}, which does not exist): nothing to read`;
}

/** The path's own stat (a link's, not its target's), or undefined when there is nothing there. */
const lstatOf = (p: string) => tryStat(() => fs.lstatSync(p));
/** The stat through links, or undefined when the path or a link's target is not there (or loops). */
const statOf = (p: string) => tryStat(() => fs.statSync(p));

/** A stat, or undefined when it fails (no entry, a link that loops, a path through a file). */
function tryStat(stat: () => fs.Stats): fs.Stats | undefined {
  try {
    return stat();
  } catch {
    return undefined;
  }
}
const isFolder = (p: string) => statOf(p)?.isDirectory() ?? false;
