/**
 * How a message lists what it names, and how a command line's tools word a bad argument: the
 * program's commands (cli/spec.ts) and the reference refreshers (upstream/refresh/args.ts, which
 * import only this package) say one mistake in the same words.
 */

/** `a`, `a and b`, `a, b and c` (`or` in place of `and` for a choice): the things one message names. */
export const listed = (xs: string[], conjunction: "and" | "or" = "and"): string =>
  xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} ${conjunction} ${xs.at(-1)}`;

/**
 * What stood where a flag's value was due, as its refusal says it: `nothing after "="` (`--out=`),
 * `an empty word` (`--out ""`), `nothing after it` (last on the line), `the flag --check after it`.
 */
export function foundForValue(written: "=" | "next", next: string | undefined): string {
  if (written === "=") return 'nothing after "="';
  if (next === undefined) return "nothing after it";
  return next === "" ? "an empty word" : `the flag ${next} after it`;
}

/** The refusal of `flag` given without its value: the value's form (`<file>`) and what stood there. */
export const needsValue = (flag: string, form: string, found: string): string =>
  `${flag} needs a value (${form}), got ${found}`;

/** The refusal of a value given to a switch (`--check=yes`), naming it as the message shows it. */
export const takesNoValue = (flag: string, given: string): string => `${flag} takes no value, got ${given}`;

/**
 * The refusal of a flag given more than once, each of what it was given as the message shows it
 * (quoted values, in order), so the user sees which to keep: one message, however many times.
 */
export const givenMoreThanOnce = (flag: string, each: string[]): string =>
  `${flag} is given ${timesGiven(each.length)}: ${listed(each)}; keep one`;

/** How many times a word was given, as a message says it: "twice", "3 times". */
export const timesGiven = (n: number): string => (n === 2 ? "twice" : `${n} times`);

/** The refusal of a flag the tool has not, with the closest one it has when one is close. */
export const unknownFlag = (flag: string, meant: string | undefined): string =>
  `unknown flag ${flag}${meant ? `; did you mean ${meant}?` : ""}`;
