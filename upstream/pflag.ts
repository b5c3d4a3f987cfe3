/**
 * A command line as spf13/cobra v1.10.1 and spf13/pflag v1.0.10 parse it, the versions Alloy v1.12.0
 * pins (go.mod), for `alloy run`: Alloy's main is a cobra root with subcommands
 * (internal/alloycli/alloycli.go:14-37), `run` one of them, taking exactly one path
 * (cmd_run.go:104 `cobra.ExactArgs(1)`) and flags anywhere around it (pflag's interspersed parsing,
 * flag.go:1131-1160 `parseArgs`). Unlike Go's flag package, pflag takes `--flag=value` and
 * `--flag value` (the next argument, whatever it is), a boolean as `--flag` or `--flag=<ParseBool
 * spelling>` only (`--flag false` leaves `false` a second path), no `--no-flag`; a single-dash
 * argument is a run of one-letter shorthands (flag.go:1040-1129), of which `run` has only cobra's
 * `-h` (help), so `-storage.path=/x` is refused. A repeated flag: the last value wins (a slice flag
 * collects every one). Each form was run against cobra v1.10.1 / pflag v1.0.10 with `run`'s flags as
 * cmd_run.go declares them (go1.26; test/upstream/flagParsers.test.ts reads the answers from
 * test/upstream/data/flagParsers.jsonl). A value's own validity (a duration, a stability level) is
 * not modelled, a boolean's is.
 */
import { GO_BOOL, goQuote } from "./goStrconv";

/** How a pflag flag takes its value: a boolean none (`NoOptDefVal` "true"), a scalar one, a slice one or more. */
export type PflagFlag = "bool" | "value" | "slice";

/** What cobra and pflag make of a command line. */
export type PflagArgs =
  /** Each flag given with its values in order (a boolean's "true" or "false"), and the positional arguments. */
  | { flags: Map<string, string[]>; positional: string[] }
  /** The program prints its error and exits 1 at start. */
  | { refused: string }
  /** The program prints its help and exits 0 at start (cobra's `-h`/`--help`, command.go:926-935). */
  | { exits: string }
  /** A command line whose reading this model does not follow (it does not start with the subcommand). */
  | { unknown: string };

/** The Alloy release whose `run` flags {@link ALLOY_RUN_FLAGS} lists. */
export const ALLOY_RUN_FLAGS_VERSION = "v1.12.0";

/**
 * `alloy run`'s flags on Linux (internal/alloycli/cmd_run.go:113-173 at v1.12.0; `windows.priority`
 * is declared on Windows only, :167-169; `cluster.use-discovery-v1` and
 * `feature.prometheus.metric-validation-scheme` are deprecated booleans kept, :578-590), and the
 * `help` flag cobra adds to every command (command.go `InitDefaultHelpFlag`, shorthand `h`).
 */
export const ALLOY_RUN_FLAGS: Readonly<Record<string, PflagFlag>> = {
  help: "bool",
  "server.http.listen-addr": "value",
  "server.http.memory-addr": "value",
  "server.http.ui-path-prefix": "value",
  "server.http.enable-pprof": "bool",
  "server.http.disable-support-bundle": "bool",
  "cluster.enabled": "bool",
  "cluster.node-name": "value",
  "cluster.advertise-address": "value",
  "cluster.join-addresses": "value",
  "cluster.discover-peers": "value",
  "cluster.advertise-interfaces": "slice",
  "cluster.rejoin-interval": "value",
  "cluster.max-join-peers": "value",
  "cluster.name": "value",
  "cluster.enable-tls": "bool",
  "cluster.tls-ca-path": "value",
  "cluster.tls-cert-path": "value",
  "cluster.tls-key-path": "value",
  "cluster.tls-server-name": "value",
  "cluster.wait-for-size": "value",
  "cluster.wait-timeout": "value",
  "config.format": "value",
  "config.bypass-conversion-errors": "bool",
  "config.extra-args": "value",
  "disable-reporting": "bool",
  "storage.path": "value",
  "stability.level": "value",
  "feature.community-components.enabled": "bool",
  "feature.component-shutdown-deadline": "value",
  "cluster.use-discovery-v1": "bool",
  "feature.prometheus.metric-validation-scheme": "bool",
};

/** The shorthands of `alloy run`: cobra's `-h` alone. */
const ALLOY_RUN_SHORTHANDS: Readonly<Record<string, string>> = { h: "help" };

/** A cobra subcommand as this model reads it: its name, flags, shorthands and `cobra.ExactArgs(n)`. */
export interface CobraCommand {
  name: string;
  flags: Readonly<Record<string, PflagFlag>>;
  shorthands: Readonly<Record<string, string>>;
  exactArgs: number;
}

/** `alloy run <path>` (internal/alloycli/cmd_run.go:74-111). */
export const ALLOY_RUN: CobraCommand = {
  name: "run",
  flags: ALLOY_RUN_FLAGS,
  shorthands: ALLOY_RUN_SHORTHANDS,
  exactArgs: 1,
};

/**
 * What cobra v1.10.1 and pflag v1.0.10 make of `args` (the process's arguments after the binary)
 * for subcommand `command` of a root with no flags of its own that `run` takes. Only a command line
 * that starts with the subcommand's name is read (the charts write it so); cobra's search for the
 * subcommand past flags before it (command.go `Find`, `stripFlags`) is not modelled.
 */
export function cobraArgs(args: readonly string[], command: CobraCommand): PflagArgs {
  if (args[0] !== command.name) return { unknown: `the arguments do not start with "${command.name}"` };
  const has = (name: string) => Object.prototype.hasOwnProperty.call(command.flags, name);
  const given: [string, string][] = [];
  const positional: string[] = [];
  /** pflag's `Set` of a boolean: strconv.ParseBool (bool.go:15-19); an error names the flag as errors.go:104-116 does. */
  const set = (name: string, value: string, shown: string): string | undefined => {
    if (command.flags[name] === "bool") {
      const b = GO_BOOL.true.has(value) ? "true" : GO_BOOL.false.has(value) ? "false" : undefined;
      if (b === undefined)
        return `invalid argument ${goQuote(value)} for ${goQuote(shown)} flag: strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax`;
      value = b;
    }
    given.push([name, value]);
    return undefined;
  };
  const rest = args.slice(1);
  while (rest.length > 0) {
    const s = rest.shift()!;
    if (s.length < 2 || !s.startsWith("-")) {
      positional.push(s);
      continue;
    }
    if (s === "--") {
      positional.push(...rest.splice(0));
      break;
    }
    if (s.startsWith("--")) {
      // flag.go:980-1038 parseLongArg
      const body = s.slice(2);
      if (body.startsWith("-") || body.startsWith("=")) return { refused: `bad flag syntax: ${s}` };
      const eq = body.indexOf("=");
      const name = eq < 0 ? body : body.slice(0, eq);
      if (!has(name)) return { refused: `unknown flag: --${name}` };
      const shorthand = Object.keys(command.shorthands).find((k) => command.shorthands[k] === name);
      const shown = shorthand ? `-${shorthand}, --${name}` : `--${name}`;
      let value: string;
      if (eq >= 0) value = body.slice(eq + 1);
      else if (command.flags[name] === "bool") value = "true";
      else if (rest.length > 0) value = rest.shift()!;
      else return { refused: `flag needs an argument: --${name}` };
      const err = set(name, value, shown);
      if (err) return { refused: err };
      continue;
    }
    // flag.go:1040-1129: a run of shorthands; `-test.…` is Go test's, skipped (golangflag.go:19-21).
    let shorts = s.slice(1);
    if (shorts.startsWith("test.")) continue;
    while (shorts.length > 0) {
      const c = shorts[0];
      const name = command.shorthands[c];
      // pflag reads shorthands byte by byte and prints the byte as %q does a rune: `-é` is 'Ã' (0xC3).
      if (name === undefined)
        return {
          refused: `unknown shorthand flag: '${String.fromCharCode(new TextEncoder().encode(shorts)[0])}' in -${shorts}`,
        };
      const shown = `-${c}, --${name}`;
      let value: string;
      if (shorts.length > 2 && shorts[1] === "=") {
        value = shorts.slice(2);
        shorts = "";
      } else if (command.flags[name] === "bool") {
        value = "true";
        shorts = shorts.slice(1);
      } else if (shorts.length > 1) {
        value = shorts.slice(1);
        shorts = "";
      } else if (rest.length > 0) {
        value = rest.shift()!;
        shorts = "";
      } else return { refused: `flag needs an argument: '${c}' in -${shorts}` };
      const err = set(name, value, shown);
      if (err) return { refused: err };
    }
  }
  const flags = new Map<string, string[]>();
  for (const [name, value] of given) flags.set(name, [...(flags.get(name) ?? []), value]);
  // command.go:919-968: help is answered before the arguments are counted.
  if (flags.get("help")?.at(-1) === "true") return { exits: "help" };
  if (positional.length !== command.exactArgs)
    return { refused: `accepts ${command.exactArgs} arg(s), received ${positional.length}` };
  return { flags, positional };
}
