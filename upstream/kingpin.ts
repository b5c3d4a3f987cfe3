/**
 * A command line as alecthomas/kingpin v2.4.0 parses it (parser.go:159-231 `Next`, :296-396 `parse`,
 * flags.go:73-143 `flagGroup.parse`, app.go:490-525 `setValues`), for the programs built on it that
 * the checks read: prometheus-config-reloader v0.93.0 (its go.mod pins kingpin v2.4.0). Unlike Go's
 * flag package, kingpin takes `--flag=value` and `--flag value`, `--flag` and `--no-flag` for a
 * boolean (which takes no `=value`), and refuses a single-dash long flag (`-config-file` is the
 * unknown short flag `-c`), an unknown flag, a repeated flag that does not accumulate, and any
 * argument left over (the programs here declare none). Each form was run against kingpin v2.4.0
 * with the reloader's flags as main.go declares them (go1.26; test/upstream/kingpin.test.ts lists
 * the answers). A value's own validity (a duration, a URL) is not modelled.
 */

/** How a kingpin flag takes its value: a boolean none, a value one, a cumulative one (`Strings()`) any number. */
export type KingpinFlag = "bool" | "value" | "cumulative";

/** What kingpin makes of a command line. */
export type KingpinArgs =
  /** Each flag given, with its values in order (a boolean's "true" or "false"). */
  | { flags: Map<string, string[]> }
  /** Kingpin's error: the program prints it and exits at start. */
  | { refused: string }
  /** An `@file` argument: kingpin reads more arguments from that file in the container (global.go:18, parser.go:217-228). */
  | { unknown: string };

/**
 * The flags every kingpin application has (app.go:64-69), none with a short form: the
 * applications read here add none (`Short(...)`), so every single-dash argument is refused.
 */
const KINGPIN_FLAGS: Record<string, KingpinFlag> = {
  help: "bool",
  "help-long": "bool",
  "help-man": "bool",
  "completion-bash": "bool",
  "completion-script-bash": "bool",
  "completion-script-zsh": "bool",
};

/**
 * prometheus-config-reloader v0.93.0's flags (cmd/prometheus-config-reloader/main.go:61-109;
 * `--watched-dir` is `Strings()`, :74; pkg/versionutil/cli.go:46-49 adds `--version` and
 * `--short-version`), beside kingpin's own.
 */
export const CONFIG_RELOADER_FLAGS: Readonly<Record<string, KingpinFlag>> = {
  ...KINGPIN_FLAGS,
  "config-file": "value",
  "config-envsubst-file": "value",
  "watch-interval": "value",
  "delay-interval": "value",
  "retry-interval": "value",
  "reload-timeout": "value",
  "auto-gomemlimit-ratio": "value",
  "watched-dir": "cumulative",
  "reload-method": "value",
  "process-executable-name": "value",
  "statefulset-ordinal-from-envvar": "value",
  "listen-address": "value",
  "web-config-file": "value",
  "log-format": "value",
  "log-level": "value",
  "reload-url": "value",
  "runtimeinfo-url": "value",
  version: "bool",
  "short-version": "bool",
};

type Token = { type: "long" | "short" | "arg" | "file"; value: string } | { type: "end" };

/** Kingpin's tokenizer (parser.go:159-231) over `args`, with its one-token look-ahead. */
function tokens(args: readonly string[]) {
  let i = 0;
  let argsOnly = false;
  const pushed: Token[] = [];
  const next = (): Token => {
    if (pushed.length > 0) return pushed.pop()!;
    if (i >= args.length) return { type: "end" };
    // After a `--`, every argument is a positional one.
    if (i > 0 && args[i - 1] === "--") argsOnly = true;
    const arg = args[i++];
    if (argsOnly) return { type: "arg", value: arg };
    if (arg === "--") return next();
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq < 0) return { type: "long", value: arg.slice(2) };
      pushed.push({ type: "arg", value: arg.slice(eq + 1) });
      return { type: "long", value: arg.slice(2, eq) };
    }
    // A lone `-` is an empty argument; `-x…` a short flag named by its first character.
    if (arg.startsWith("-"))
      return arg.length === 1 ? { type: "arg", value: "" } : { type: "short", value: [...arg.slice(1)][0] };
    if (arg.startsWith("@")) return { type: "file", value: arg };
    return { type: "arg", value: arg };
  };
  const peek = (): Token => {
    if (pushed.length === 0) pushed.push(next());
    return pushed[pushed.length - 1];
  };
  return { next, peek };
}

/** What kingpin v2.4.0 makes of `args` for an application of `known` flags, no short flag, no positional argument. */
export function kingpinArgs(
  args: readonly string[],
  known: Readonly<Record<string, KingpinFlag>>,
): KingpinArgs {
  const { next, peek } = tokens(args);
  const given: [string, string][] = [];
  const kind = (name: string) =>
    Object.prototype.hasOwnProperty.call(known, name) ? known[name] : undefined;
  for (let t = peek(); t.type !== "end"; t = peek()) {
    if (t.type === "file") return { unknown: t.value };
    if (t.type === "arg") return { refused: `unexpected ${t.value}` };
    next();
    if (t.type === "short") return { refused: `unknown short flag '-${t.value}'` };
    // `--no-<name>` sets boolean <name> false; any other flag so named is unknown.
    const inverted = kind(t.value) === undefined && t.value.startsWith("no-");
    const name = inverted ? t.value.slice(3) : t.value;
    const flag = kind(name);
    if (flag === undefined || (inverted && flag !== "bool"))
      return { refused: `unknown long flag '--${t.value}'` };
    if (flag === "bool") {
      given.push([name, inverted ? "false" : "true"]);
      continue;
    }
    const v = peek();
    if (v.type === "file") return { unknown: v.value };
    if (v.type !== "arg") return { refused: `expected argument for flag '--${t.value}'` };
    next();
    given.push([name, v.value]);
  }
  const flags = new Map<string, string[]>();
  for (const [name, value] of given) {
    if (flags.has(name) && kind(name) !== "cumulative")
      return { refused: `flag '${name}' cannot be repeated` };
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags };
}
