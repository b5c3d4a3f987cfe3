import type { CommandSpec, ToolSpec } from "./cliSpecs";

/** One simple command of a README code block, as the shell would split it. */
export interface ShellCommand {
  /** The README section (nearest `##` heading) and line the command starts on. */
  section: string;
  line: number;
  /** The whole source line(s) the command came from, for messages. */
  text: string;
  /** Words after quote removal; `<placeholder>` and `$(...)` stay single words. */
  words: string[];
}

const SHELL_FENCES = new Set(["sh", "bash", "shell", "console"]);

/** Every simple command in the README's sh/bash/shell/console code blocks. */
export function readmeCommands(readme: string): ShellCommand[] {
  const lines = readme.split("\n");
  const out: ShellCommand[] = [];
  let section = "";
  let fence: { lang: string; indent: string } | undefined;
  let pending: { text: string; line: number } | undefined;
  // A here-document's body is data, not commands: skipped up to its terminator.
  let heredoc: string | undefined;
  lines.forEach((raw, i) => {
    if (heredoc !== undefined) {
      if (raw.trim() === heredoc) heredoc = undefined;
      return;
    }
    const fenceMatch = /^(\s*)```(\w*)/.exec(raw);
    if (fenceMatch) {
      fence = fence ? undefined : { lang: fenceMatch[2], indent: fenceMatch[1] };
      return;
    }
    if (!fence) {
      if (/^##\s/.test(raw)) section = raw.replace(/^#+\s*/, "");
      return;
    }
    if (!SHELL_FENCES.has(fence.lang)) return;
    const line = raw.startsWith(fence.indent) ? raw.slice(fence.indent.length) : raw.trimStart();
    const text = pending ? `${pending.text} ${line.trim()}` : line;
    const start = pending?.line ?? i + 1;
    if (/\\\s*$/.test(stripComment(text))) {
      pending = { text: stripComment(text).replace(/\\\s*$/, ""), line: start };
      return;
    }
    pending = undefined;
    heredoc = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(stripComment(text))?.[1];
    for (const words of simpleCommands(stripComment(text).replace(/<<-?\s*['"]?[A-Za-z_]\w*['"]?/, "")))
      out.push({ section, line: start, text: text.trim(), words });
  });
  return out;
}

/** The line without a `#` comment (a `#` that starts a word, outside quotes). */
function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "#" && (i === 0 || /\s/.test(line[i - 1]))) return line.slice(0, i);
  }
  return line;
}

/**
 * The simple commands of one shell line: split at `;`, `&&`, `||`, `|`, `&`, with `$(...)`
 * contents as commands of their own; redirections, variable assignments and the keywords of
 * `for`/`if`/`while` are dropped.
 */
export function simpleCommands(line: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  // The words that held a quote: `'<MinIO admin user>'` is a word, never a redirection.
  let quotedWords = new Set<number>();
  let word = "";
  let inWord = false;
  let wasQuoted = false;
  let quote: string | undefined;
  const endWord = () => {
    if (inWord) {
      if (wasQuoted) quotedWords.add(words.length);
      words.push(word);
    }
    word = "";
    inWord = false;
    wasQuoted = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(cleanCommand(words, quotedWords));
    words = [];
    quotedWords = new Set();
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else word += c;
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
      wasQuoted = true;
      continue;
    }
    if (c === "$" && line[i + 1] === "(") {
      // A command substitution: its commands are checked too; here it is one word.
      let depth = 0;
      let j = i + 1;
      for (; j < line.length; j++) {
        if (line[j] === "(") depth++;
        else if (line[j] === ")" && --depth === 0) break;
      }
      commands.push(...simpleCommands(line.slice(i + 2, j)));
      word += "$(...)";
      inWord = true;
      i = j;
      continue;
    }
    if (/\s/.test(c)) {
      endWord();
      continue;
    }
    if (c === ";" || c === "|" || c === "&") {
      // `2>&1` and `>&2` are redirections, not separators.
      if (c === "&" && (line[i - 1] === ">" || line[i + 1] === ">")) {
        word += c;
        inWord = true;
        continue;
      }
      endCommand();
      if (line[i + 1] === c) i++;
      continue;
    }
    word += c;
    inWord = true;
  }
  endCommand();
  return commands.filter((w) => w.length > 0);
}

const KEYWORDS = new Set(["do", "then", "else", "done", "fi", "if", "while", "until", "!", "time"]);

function cleanCommand(words: string[], quoted: Set<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    // A `<placeholder>` of the README is a word, not a redirection.
    if (/^<[^<>\s]+>$/.test(w)) {
      out.push(w);
      continue;
    }
    // Redirections: `> file`, `2>&1`, `<file`; never a quoted word (`'<MinIO admin user>'`).
    if (!quoted.has(i) && /^\d*[<>]{1,2}(&\d+)?$/.test(w)) {
      if (!/&\d+$/.test(w)) i++;
      continue;
    }
    if (!quoted.has(i) && /^\d*[<>]{1,2}\S/.test(w)) continue;
    if (out.length === 0 && (KEYWORDS.has(w) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w))) continue;
    out.push(w);
  }
  // `for x in a b c`: a loop header, not a command.
  if (out[0] === "for") return [];
  return out;
}

interface Flag {
  takesValue: boolean;
  canonical: string;
}

function flagsOf(specs: string[] | undefined): Map<string, Flag> {
  const m = new Map<string, Flag>();
  for (const spec of specs ?? []) {
    const takesValue = spec.endsWith("=");
    const names = spec.replace(/=$/, "").split("|");
    for (const n of names) m.set(n, { takesValue, canonical: names[0] });
  }
  return m;
}

/** What a command resolves to in its tool's table. */
export interface Resolved {
  /** Canonical subcommand path (aliases resolved), e.g. ["state", "remove"]. */
  path: string[];
  /** Canonical names of the flags given, with their values (`true` for a switch). */
  flags: Map<string, string | true>;
  /** Positional arguments. */
  args: string[];
  /** Problems: unknown subcommand or flag, a value missing. */
  problems: string[];
}

/**
 * Resolves `words` (without the tool's name) against the tool's table, as cobra does: subcommand
 * words first (aliases allowed), flags of the command reached so far plus the persistent flags of
 * it and its parents. A `[...]` around optional words (a usage line) is read as those words.
 */
export function resolve(tool: string, spec: ToolSpec, words: string[]): Resolved {
  const path: string[] = [];
  const flags = new Map<string, string | true>();
  const args: string[] = [];
  const problems: string[] = [];
  let node: CommandSpec = spec.root;
  const chain: CommandSpec[] = [node];
  const known = () => {
    const m = new Map<string, Flag>();
    for (const c of chain) for (const [k, v] of flagsOf(c.persistent)) m.set(k, v);
    for (const [k, v] of flagsOf(node.flags)) m.set(k, v);
    return m;
  };
  const list = words.map((w) => w.replace(/^\[/, "").replace(/\]$/, "")).filter((w) => w !== "");
  for (let i = 0; i < list.length; i++) {
    const w = list[i];
    if (w === "--") {
      args.push(...list.slice(i + 1));
      break;
    }
    if (/^-/.test(w) && w !== "-") {
      const [name, inline] = w.split(/=(.*)/s, 2);
      const flag = known().get(name);
      if (!flag) {
        problems.push(
          `${tool} ${path.join(" ")}: unknown flag ${name} (not in the table read from ${spec.source})`,
        );
        continue;
      }
      if (flag.takesValue) {
        const value = inline ?? list[++i];
        if (value === undefined) problems.push(`${tool} ${path.join(" ")}: ${name} needs a value`);
        flags.set(flag.canonical, value ?? "");
      } else {
        if (inline !== undefined && !/^(true|false)$/.test(inline))
          problems.push(`${tool} ${path.join(" ")}: ${name} is a switch, got "${inline}"`);
        flags.set(flag.canonical, true);
      }
      continue;
    }
    const next = Object.entries(node.sub ?? {}).find(([n, c]) => n === w || (c.aliases ?? []).includes(w));
    if (next && args.length === 0) {
      path.push(next[0]);
      node = next[1];
      chain.push(node);
      continue;
    }
    if (node.sub && !runnable(node) && args.length === 0) {
      problems.push(
        `${tool} ${path.join(" ")}: unknown subcommand "${w}" (the table has ${Object.keys(node.sub).join(", ")}; read from ${spec.source})`,
      );
      break;
    }
    args.push(w);
  }
  if (node.sub && !runnable(node) && problems.length === 0 && args.length === 0)
    problems.push(`${tool} ${path.join(" ")}: needs a subcommand (${Object.keys(node.sub).join(", ")})`);
  return { path, flags, args, problems };
}

/** A command that runs on its own: no subcommands, its own flags, or marked so. */
function runnable(node: CommandSpec): boolean {
  return node.runnable === true || node.flags !== undefined || node.sub === undefined;
}
