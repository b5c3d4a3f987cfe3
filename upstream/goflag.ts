/**
 * A command line as Go's standard `flag` package parses it (go1.26.8 src/flag/flag.go:1075-1147
 * `parseOne`, :1153-1177 `Parse`), for the programs built on it that the checks read:
 * prometheus-operator v0.93.0 (its own FlagSet, cmd/operator/main.go:808, parsed at :203), Loki
 * 3.7.6 (flag.CommandLine through dskit's flagext and pkg/util/cfg, cmd/loki/main.go:59,
 * pkg/util/cfg/flag.go:32-44), and Mimir. Go's rules:
 * - `-name` and `--name` alike; `=value` in the same argument, else a non-boolean flag takes the
 *   next argument whatever it is (`--a --b` gives `a` the value `--b`); a boolean flag takes only
 *   `=value` (a strconv.ParseBool spelling), bare it is true and the next argument stays an argument;
 * - `--` ends the flags (dropped), and so does the first argument that is not a flag (`-` alone, or
 *   one not starting with `-`): it and every later argument are positional, flags among them too;
 * - `-h`/`-help` (with or without `=value`) of a program that declares no such flag asks for the
 *   usage (ErrHelp); an undeclared flag, `---x`, `-=x`, a value flag last without a value and a
 *   boolean's bad value are errors, each the first one met;
 * - each flag given calls its Value's Set with its value, in order: a scalar's last value wins, a
 *   list type (the operator's `--namespaces`) keeps every one. The model gives every value in order.
 * Each form was run against go1.26.8's flag package with prometheus-operator v0.93.0's flags declared
 * as its source declares them (test/upstream/goflag.test.ts reads the answers from
 * test/upstream/data/flagParsers.jsonl). A value's own validity (a duration, a number) is not
 * modelled, a boolean's is.
 */
import { GO_BOOL, goQuote } from "./goStrconv";

/** How a flag takes its value: a boolean (IsBoolFlag) only as `=value`, any other the same argument's `=value` or the next one. */
export type GoFlag = "bool" | "value";

/** What Go's flag package makes of a command line. */
export type GoFlagArgs =
  /** Each flag given with its values in order (a boolean's "true" or "false"), and the arguments after the flags. */
  | { flags: Map<string, string[]>; positional: string[] }
  /** The parse error, in Go's words: a program on ExitOnError prints it and exits 2. */
  | { refused: string }
  /** `-h` or `-help` of a program that declares neither: it prints its usage (ExitOnError exits 0). */
  | { exits: "help" }
  /** A partial table ({@link GoFlagSet} `partial`) cannot tell: a flag it does not list taken bare. */
  | { unknown: string };

/**
 * The flags a program declares. `partial`: `flags` lists only some (Loki and Mimir declare hundreds);
 * a flag not listed is then taken as Go takes a declared one when given as `-name=value` (its value
 * recorded, a boolean's validity not judged), and a bare one leaves the command line unknown: whether
 * it takes the next argument depends on its type. A complete table refuses an undeclared flag as Go does.
 */
export interface GoFlagSet {
  flags: Readonly<Record<string, GoFlag>>;
  partial?: boolean;
}

/** One flag as Go's flag package met it: its value (undefined for a boolean given bare) and the argument(s) it came from. */
export interface GoFlagGiven {
  name: string;
  value: string | undefined;
  /** `-name=value` or `-name` alone, or `-name` and the next argument (its value). */
  args: string[];
}

/** What Go's flag package makes of `args` (the arguments after the program's name) for a program declaring `set`. */
export function goFlagArgs(args: readonly string[], set: GoFlagSet): GoFlagArgs {
  return goFlagsGiven(args, set).read;
}

/**
 * {@link goFlagArgs}, with each flag Go sets as it met it, in order (`given`), and the index in
 * `args` of the argument the parse ended at when it did not end well (`at`): the flags given before a
 * refusal, an unknown or `-help` were set by then (a program on ContinueOnError that goes on keeps them).
 */
export function goFlagsGiven(
  args: readonly string[],
  set: GoFlagSet,
): { read: GoFlagArgs; given: GoFlagGiven[]; at?: number } {
  const given: GoFlagGiven[] = [];
  let at = 0; // the index of the argument being read
  const end = (read: GoFlagArgs) => ({ read, given, at });
  const kind = (name: string): GoFlag | undefined =>
    Object.prototype.hasOwnProperty.call(set.flags, name) ? set.flags[name] : undefined;
  const flags = new Map<string, string[]>();
  const add = (name: string, value: string, text: string | undefined, from: string[]) => {
    flags.set(name, [...(flags.get(name) ?? []), value]);
    given.push({ name, value: text, args: from });
  };
  const rest = [...args];
  while (rest.length > 0) {
    at = args.length - rest.length;
    const s = rest[0];
    // flag.go:1080-1082: `-` alone and a non-flag end the flags, kept as arguments.
    if (s.length < 2 || !s.startsWith("-")) break;
    const minuses = s[1] === "-" ? 2 : 1;
    if (s === "--") {
      rest.shift(); // flag.go:1086-1089: dropped
      break;
    }
    let name = s.slice(minuses);
    if (name === "" || name.startsWith("-") || name.startsWith("="))
      return end({ refused: `bad flag syntax: ${s}` });
    rest.shift();
    // flag.go:1100-1107: the value is after the first `=` (never the name's first character).
    const eq = name.indexOf("=");
    const value = eq < 0 ? undefined : name.slice(eq + 1);
    if (eq >= 0) name = name.slice(0, eq);
    const flag = kind(name);
    if (flag === undefined) {
      if (set.partial)
        if (name === "help" || name === "h")
          return end({
            unknown: `-${name}: whether the program declares it (if not, Go answers it with the usage)`,
          });
        else if (value === undefined)
          return end({
            unknown: `-${name} without =value: whether it takes the next argument depends on its type`,
          });
        else {
          add(name, value, value, [s]);
          continue;
        }
      // flag.go:1109-1116
      if (name === "help" || name === "h") return end({ exits: "help" });
      return end({ refused: `flag provided but not defined: -${name}` });
    }
    if (flag === "bool") {
      // flag.go:1118-1127; boolValue.Set is strconv.ParseBool, its error `parse error` (:133-140, :105).
      if (value === undefined) add(name, "true", undefined, [s]);
      else if (GO_BOOL.true.has(value)) add(name, "true", value, [s]);
      else if (GO_BOOL.false.has(value)) add(name, "false", value, [s]);
      else return end({ refused: `invalid boolean value ${goQuote(value)} for -${name}: parse error` });
      continue;
    }
    // flag.go:1128-1141: the next argument, whatever it is.
    if (value !== undefined) add(name, value, value, [s]);
    else if (rest.length > 0) {
      const next = rest.shift()!;
      add(name, next, next, [s, next]);
    } else return end({ refused: `flag needs an argument: -${name}` });
  }
  return { read: { flags, positional: rest }, given };
}

/** The last value given to flag `name` (a scalar flag's, whose Set replaces it); undefined when it is not given. */
export const lastValue = (read: { flags: Map<string, string[]> }, name: string): string | undefined =>
  read.flags.get(name)?.at(-1);
