/**
 * The command lines of the refreshers (`npm run refresh-reference`, `npm run refresh-metrics`):
 * every problem of one run, each its own line, and the last line saying the exit status, as the
 * other tools do. Each problem is worded by the contract's words.ts, which cli/spec.ts words the
 * program's commands' with (upstream/ imports only the contract): one mistake, the same words.
 */

import {
  closestMatch,
  foundForValue,
  givenMoreThanOnce,
  needsValue,
  takesNoValue,
  unknownFlag,
} from "@homelab-observability/contract";

/** The options a refresher takes: those with a value (`--out <file>`) and switches (`--check`). */
export interface RefreshOptions {
  /** Each option with a value, and the form of its value for messages (`--out` -> `<file>`). */
  valued: Record<string, string>;
  switches: readonly string[];
  /** How many bare words it takes at most. */
  maxPositional: number;
}

export interface RefreshArgs {
  values: Map<string, string>;
  switches: Set<string>;
  positional: string[];
  /**
   * Bare words kept that came right after an unknown option: maybe its value, so not judged as
   * words of their own (`--outt x` is one mistake, not also "x: no such directory").
   */
  unsure: Set<string>;
  help: boolean;
  problems: string[];
}

/**
 * Reads `argv`: `--opt v` or `--opt=v`, switches, bare words. Every bad option is its own problem:
 * one it has not (naming those it has), one without its value, one given twice, a value on a
 * switch. A bare word after an unknown option is read as that option's value when the words are
 * otherwise too many (`--tagg v1` is one mistake, not also a third argument), else kept but marked
 * unsure.
 */
export function parseRefreshArgs(argv: string[], o: RefreshOptions): RefreshArgs {
  const out: RefreshArgs = {
    values: new Map(),
    switches: new Set(),
    positional: [],
    unsure: new Set(),
    help: false,
    problems: [],
  };
  const names = [...Object.keys(o.valued), ...o.switches, "--help"];
  const words: { word: string; afterUnknown: boolean }[] = [];
  // Every value each option was given, in order: one given more than once is one problem naming
  // them all, so the user sees which to keep.
  const givenValues = new Map<string, string[]>();
  const twiceAt = new Map<string, number>();
  let afterUnknown = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const wasAfterUnknown = afterUnknown;
    afterUnknown = false;
    if (a === "--help" || a === "-h") {
      out.help = true;
      continue;
    }
    if (!a.startsWith("-") || a === "-") {
      words.push({ word: a, afterUnknown: wasAfterUnknown });
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (o.switches.includes(name)) {
      // A switch given again changes nothing, as the other tools take it.
      if (eq > 0) out.problems.push(takesNoValue(name, JSON.stringify(a.slice(eq + 1))));
      else out.switches.add(name);
      continue;
    }
    const form = o.valued[name];
    if (form === undefined) {
      out.problems.push(unknownFlag(name, closestMatch(name, names)));
      afterUnknown = eq < 0;
      continue;
    }
    const next = argv[i + 1];
    let v: string | undefined = eq > 0 ? a.slice(eq + 1) : next;
    if (eq < 0) {
      if (v === undefined || v.startsWith("-")) v = undefined;
      else i++;
    }
    if (v === undefined || v === "") {
      out.problems.push(needsValue(name, form, foundForValue(eq > 0 ? "=" : "next", next)));
      continue;
    }
    const values = [...(givenValues.get(name) ?? []), v];
    givenValues.set(name, values);
    if (values.length === 1) {
      out.values.set(name, v);
      continue;
    }
    // Neither value is read: which one was meant is the user's to say. One problem, where the
    // second one stands, naming every value given so far.
    out.values.delete(name);
    const text = givenMoreThanOnce(
      name,
      values.map((g) => JSON.stringify(g)),
    );
    const at = twiceAt.get(name);
    if (at === undefined) twiceAt.set(name, out.problems.push(text) - 1);
    else out.problems[at] = text;
  }
  // Too many words: those right after an unknown option were its value, not words of their own.
  let extra = words.length - o.maxPositional;
  for (const w of words)
    if (extra > 0 && w.afterUnknown) extra--;
    else {
      out.positional.push(w.word);
      if (w.afterUnknown) out.unsure.add(w.word);
    }
  return out;
}

/** The last line of a run that ends with `status`, and why. */
export const closingLine = (tool: string, status: number, why: string): string =>
  `${tool}: ${status === 0 ? "pass" : "FAIL"} (exit ${status}): ${why}`;
