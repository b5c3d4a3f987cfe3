/**
 * A command line as alecthomas/kingpin v2.4.0 parses it (parser.go:159-231 `Next`, :296-396 `parse`,
 * flags.go:73-143 `flagGroup.parse`, app.go:490-525 `setValues`), for the programs built on it that
 * the checks read: prometheus-config-reloader v0.93.0 and Alertmanager v0.28.1 (each go.mod pins
 * kingpin v2.4.0). Unlike Go's flag package, kingpin takes `--flag=value` and `--flag value`,
 * `--flag` and `--no-flag` for a boolean (which takes no `=value`), and refuses a single-dash long
 * flag (`-config-file` is the unknown short flag `-c`), an unknown flag, a repeated flag that does
 * not accumulate, and any argument left over (the programs here declare none). Each form was run
 * against kingpin v2.4.0 with each program's flags as its main.go declares them (go1.26;
 * test/upstream/kingpin.test.ts lists the reloader's answers, test/upstream/flagParsers.test.ts
 * reads Alertmanager's from test/upstream/data/flagParsers.jsonl). A value's own validity (a
 * duration, a URL) is judged by the check its flag is given ({@link KingpinValueCheck}).
 */
import { goFloat64, kingpinDuration } from "./goFlagValues";

/** How a kingpin flag takes its value: a boolean none, a value one, a cumulative one (`Strings()`) any number. */
export type KingpinFlag = "bool" | "value" | "cumulative";

/**
 * What a flag's Value takes, as its `Set` checks it during kingpin's setValues (app.go:497-505,
 * after the repeat check): `refuses` gives the error's words for a value it refuses (undefined for
 * one it takes), `takes` says what it takes in a message, `meant` a value near a refused one.
 */
export interface KingpinValueCheck {
  refuses: (value: string) => string | undefined;
  takes: string;
  meant?: (value: string) => string | undefined;
}

/**
 * A check whose Set takes one of `options` (`anyCase`: once lowercased as Go's strings.ToLower
 * does), else errs with `error(value)`.
 */
export function kingpinOneOf(
  options: readonly string[],
  error: (value: string) => string,
  anyCase = false,
): KingpinValueCheck {
  return {
    refuses: (v) => (options.includes(anyCase ? goLower(v) : v) ? undefined : error(v)),
    takes: `one of ${options.join(", ")}${anyCase ? " (in any case)" : ""}`,
  };
}

/**
 * The checks of kingpin v2.4.0's own Values by the Go type each sets (node_exporter's flags.tsv
 * `type`, refreshed by upstream/refresh/nodeExporter.ts); the v1.10.2 binary was run on each
 * (test/upstream/data/nodeExporterArgs.jsonl):
 * - `string`: stringValue.Set never errs (values_generated.go:64-70).
 * - `bool`: kingpin's parser gives a boolean flag only `true` or `false` (`--flag=x` is refused
 *   before, "unexpected x"), which boolValue.Set's strconv.ParseBool takes (values_generated.go:21-27).
 * - `int`: intValue.Set parses with strconv.ParseFloat(s, 64), not ParseInt, and keeps `(int)(v)`
 *   (values_generated.go:322-328): `1.5`, `1e3` and `inf` are taken; the error is ParseFloat's own.
 * - `time.Duration`: str2duration's ParseDuration (values.go:141-145), days and weeks taken.
 */
export const KINGPIN_TYPE_CHECKS: Readonly<Record<string, KingpinValueCheck>> = {
  string: { refuses: () => undefined, takes: "any text" },
  bool: { refuses: () => undefined, takes: "no value (--flag or --no-flag)" },
  int: {
    refuses: (v) => goFloat64(v)?.why,
    takes: "a number such as 64 (strconv.ParseFloat, the fraction dropped)",
    meant: (v) => {
      const plain = v.replace(/[,\s]/g, "");
      return plain !== v && goFloat64(plain) === undefined ? plain : undefined;
    },
  },
  "time.Duration": {
    refuses: (v) => kingpinDuration(v)?.error,
    takes:
      "a duration such as 500ms, 30s, 5m or 1h30m (units ns, us, ms, s, m, h, d, w; str2duration v2.1.0)",
    meant: (v) => {
      if (/^[+-]?\d+(\.\d+)?$/.test(v)) return `${v}s`;
      const plain = v.replace(/\s/g, "").toLowerCase();
      return plain !== v && kingpinDuration(plain) === undefined ? plain : undefined;
    },
  },
};

/** Whether `check` takes `value`. */
export const kingpinTakes = (check: KingpinValueCheck, value: string): boolean =>
  check.refuses(value) === undefined;

/** What kingpin makes of a command line. */
export type KingpinArgs =
  /** Each flag given, with its values in order (a boolean's "true" or "false"). */
  | { flags: Map<string, string[]> }
  /** Kingpin's error: the program prints it and exits at start; `value`, a flag's value its Set refused. */
  | { refused: string; value?: { flag: string; given: string } }
  /** An `@file` argument: kingpin reads more arguments from that file in the container (global.go:18, parser.go:217-228). */
  | { unknown: string };

/**
 * The flags every kingpin application has (app.go:64-69), none with a short form: the
 * applications read here add none (`Short(...)`), so every single-dash argument is refused.
 */
export const KINGPIN_FLAGS: Readonly<Record<string, KingpinFlag>> = {
  help: "bool",
  "help-long": "bool",
  "help-man": "bool",
  "completion-bash": "bool",
  "completion-script-bash": "bool",
  "completion-script-zsh": "bool",
};

/** The prometheus-config-reloader release whose flags {@link CONFIG_RELOADER_FLAGS} lists. */
export const CONFIG_RELOADER_FLAGS_VERSION = "v0.93.0";

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

/** The Alertmanager release whose flags {@link ALERTMANAGER_FLAGS} lists. */
export const ALERTMANAGER_FLAGS_VERSION = "v0.28.1";

/**
 * Alertmanager v0.28.1's flags (the image the stack pins: cmd/alertmanager/main.go:146-179;
 * `--cluster.peer` is `Strings()`, :166; `--cluster.allow-insecure-public-advertise-address-discovery`
 * a `Bool()`, :177), with what it adds from prometheus/exporter-toolkit v0.13.2
 * web/kingpinflag/flag.go:31-50 (`--web.systemd-socket` on Linux, `--web.listen-address` a
 * `Strings()`, `--web.config.file`), prometheus/common v0.61.0 promslog/flag/flag.go:44-55
 * (`--log.level`, `--log.format`), `kingpin.Version` (`--version`, main.go:185) beside kingpin's own.
 * main.go:186 gives `--help` the short flag `-h`: {@link ALERTMANAGER_SHORTS}.
 */
export const ALERTMANAGER_FLAGS: Readonly<Record<string, KingpinFlag>> = {
  ...KINGPIN_FLAGS,
  "config.file": "value",
  "storage.path": "value",
  "data.retention": "value",
  "data.maintenance-interval": "value",
  "silences.max-silences": "value",
  "silences.max-silence-size-bytes": "value",
  "alerts.gc-interval": "value",
  "web.systemd-socket": "bool",
  "web.listen-address": "cumulative",
  "web.config.file": "value",
  "web.external-url": "value",
  "web.route-prefix": "value",
  "web.get-concurrency": "value",
  "web.timeout": "value",
  "auto-gomemlimit.ratio": "value",
  "cluster.listen-address": "value",
  "cluster.advertise-address": "value",
  "cluster.peer": "cumulative",
  "cluster.peer-timeout": "value",
  "cluster.gossip-interval": "value",
  "cluster.pushpull-interval": "value",
  "cluster.tcp-timeout": "value",
  "cluster.probe-timeout": "value",
  "cluster.probe-interval": "value",
  "cluster.settle-timeout": "value",
  "cluster.reconnect-interval": "value",
  "cluster.reconnect-timeout": "value",
  "cluster.tls-config": "value",
  "cluster.allow-insecure-public-advertise-address-discovery": "bool",
  "cluster.label": "value",
  "enable-feature": "value",
  "log.level": "value",
  "log.format": "value",
  version: "bool",
};

/** The log levels and formats of prometheus/common v0.61.0's promslog (promslog/slog.go:38-39), which Alertmanager v0.28.1 pins (go.mod:33). */
export const PROMSLOG_LEVELS: readonly string[] = ["debug", "info", "warn", "error"];
export const PROMSLOG_FORMATS: readonly string[] = ["logfmt", "json"];

/**
 * Go's strings.ToLower of a string, as far as whether it gives an ASCII word: Go maps each rune by
 * its simple case mapping, JavaScript's toLowerCase by the full one (and Σ by its context); of the
 * runes either maps to an ASCII letter, they differ only on U+0130 (Go: `i`; JavaScript: `i` and a
 * combining dot), so `İNFO` is Go's `info`.
 */
function goLower(s: string): string {
  return [...s].map((c) => (c === "\u0130" ? "i" : c.toLowerCase())).join("");
}

/**
 * The values Alertmanager v0.28.1 refuses at its flags' parse: `--log.level` and `--log.format` are
 * promslog's AllowedLevel and AllowedFormat (prometheus/common v0.61.0 promslog/flag/flag.go:44-54,
 * `SetValue`), whose Set refuses a level that is not one of {@link PROMSLOG_LEVELS} once lowercased
 * (promslog/slog.go:116-139, `unrecognized log level <value>`) and a format that is not exactly one of
 * {@link PROMSLOG_FORMATS} (:151-159, `unrecognized log format <value>`). Run with kingpin v2.4.0 and
 * that promslog (go1.26; test/upstream/flagParsers.test.ts reads the answers). The Debian
 * prometheus-alertmanager 0.25.0 (prometheus/common v0.38.0 promlog/log.go:69-79, 96-100) refuses
 * the same values but a level's case too (`DEBUG`), and quotes the value (`"bogus"`).
 */
export const ALERTMANAGER_VALUES: Readonly<Record<string, KingpinValueCheck>> = {
  "log.level": kingpinOneOf(PROMSLOG_LEVELS, (v) => `unrecognized log level ${v}`, true),
  "log.format": kingpinOneOf(PROMSLOG_FORMATS, (v) => `unrecognized log format ${v}`),
};

/** A kingpin `Enum(...)` flag's check: the value exactly one of `options` (kingpin v2.4.0 values.go:375-383). */
const kingpinEnum = (...options: string[]): KingpinValueCheck =>
  kingpinOneOf(options, (v) => `enum value must be one of ${options.join(",")}, got '${v}'`);

/**
 * The values prometheus-config-reloader v0.93.0 refuses at its flags' parse: `--reload-method` is
 * `Enum("http", "signal")` (cmd/prometheus-config-reloader/main.go:53-54, 76).
 */
export const CONFIG_RELOADER_VALUES: Readonly<Record<string, KingpinValueCheck>> = {
  "reload-method": kingpinEnum("http", "signal"),
};

/**
 * The values prometheus-config-reloader v0.93.0 stops on after its flags' parse: `--log-level` and
 * `--log-format` are plain strings (cmd/prometheus-config-reloader/main.go:94-103) its logger
 * constructors judge, each error ending it through log.Fatal (main.go:123-126, 130-133: the error
 * after a timestamp, exit 1), the level first. A level is one of internal/log/log.go:28-35, 94-102
 * once lowercased (slog.go:91-109 parseLevel, log.go:61-76); a format one of log.go:37-40, 104-108,
 * lowercased for slog (slog.go:76-88) but exactly for go-kit (log.go:78-85), so `JSON` stops it.
 * Read, not run (the package is internal to the operator's module).
 */
export const CONFIG_RELOADER_LOG_VALUES: Readonly<Record<string, KingpinValueCheck>> = {
  "log-level": kingpinOneOf(
    ["all", "debug", "info", "warn", "error", "none"],
    (v) => `log log_level ${v} unknown, [all debug info warn error none] are possible values`,
    true,
  ),
  "log-format": kingpinOneOf(
    ["logfmt", "json"],
    (v) => `log format ${v} unknown, [logfmt json] are possible values`,
  ),
};

/** Alertmanager's one short flag: `-h` for `--help` (cmd/alertmanager/main.go:186). */
export const ALERTMANAGER_SHORTS: Readonly<Record<string, string>> = { h: "help" };

/**
 * How a kingpin application stops at start instead of running, beside a refusal. kingpin v2.4.0's
 * `Parse` (app.go:191-236), in its order:
 * 1. `--completion-bash` set true prints completions and exits 0 (:213-215), whatever else is wrong.
 * 2. Every flag parsed before any error runs its PreAction (:209, :543-559), which prints and exits 0
 *    for `--help-long`, `--help-man`, the completion scripts (:64-69) and `--version` where the
 *    program calls `kingpin.Version` (:263-272); given at all, `--no-version` too.
 * 3. A parse error: refused (:217-219).
 * 4. `--help` given at all (`--no-help`, `-h` too) prints usage and exits 0 (:221, :252-260).
 * 5. A repeated flag that does not accumulate: refused (:226-228).
 * The program itself may then exit on a flag's value (`afterParse`: the reloader's `--version` and
 * `--short-version`, cmd/prometheus-config-reloader/main.go:118-121 at v0.93.0).
 * Run with the Debian prometheus-alertmanager 0.25.0 binary: `--version --bogus`, `--no-version`,
 * `--no-help`, `--no-help-long` and a repeated `--storage.path=` before `--help` or `--version`
 * each print and exit 0; `--bogus --version` and `-h --bogus` exit 1 on the unknown flag.
 */
export interface KingpinApp {
  flags: Readonly<Record<string, KingpinFlag>>;
  /** Boolean short flags: letter to flag name. */
  shorts?: Readonly<Record<string, string>>;
  /** Flags beside kingpin's own whose PreAction exits (`version` under `kingpin.Version`). */
  preActions?: readonly string[];
  /** Flags the program exits 0 on when true, after the parse. */
  afterParse?: readonly string[];
  /** The checks of the values its flags' Set refuses. */
  values?: Readonly<Record<string, KingpinValueCheck>>;
}

/** Kingpin's own flags whose PreAction prints and exits 0 (app.go:66-69). */
const KINGPIN_PRE_ACTIONS = ["help-long", "help-man", "completion-script-bash", "completion-script-zsh"];

/** What a kingpin application does with `args`: its flags, a refusal, the flag it prints and exits 0 on, or unknown. */
export function kingpinRun(args: readonly string[], app: KingpinApp): KingpinArgs | { exits: string } {
  const p = parse(args, app.flags, app.shorts ?? {});
  if ("unknown" in p) return p;
  const set = setValues(p.given, app.flags, app.values);
  const setGiven = "error" in set ? p.given.slice(0, set.at) : p.given;
  if (setGiven.some(([name, value]) => name === "completion-bash" && value === "true"))
    return { exits: "completion-bash" };
  const pre = [...KINGPIN_PRE_ACTIONS, ...(app.preActions ?? [])];
  const preAction = p.given.find(([name]) => pre.includes(name));
  if (preAction) return { exits: preAction[0] };
  if (p.error !== undefined) return { refused: p.error };
  if (p.given.some(([name]) => name === "help")) return { exits: "help" };
  if ("error" in set) return { refused: set.error, ...(set.value ? { value: set.value } : {}) };
  const after = (app.afterParse ?? []).find((f) => set.flags.get(f)?.at(-1) === "true");
  return after ? { exits: after } : { flags: set.flags };
}

type Token = { type: "long" | "short" | "arg" | "file"; value: string } | { type: "end" };

/**
 * Kingpin's tokenizer (parser.go:159-231) over `args`, with its one-token look-ahead. `shortBools`:
 * the application's boolean short flags; `-xyz` with `x` among them is `-x`, then `-yz` read as the
 * next argument (parser.go:203-215). A value-taking short flag is not modelled (none is declared here).
 */
function tokens(args: readonly string[], shortBools: ReadonlySet<string>) {
  const queue = [...args];
  // kingpin's argi: the count of arguments taken, an expanded `-yz` counted again (parser.go:115-118 next).
  let argi = 0;
  let argsOnly = false;
  const pushed: Token[] = [];
  const next = (): Token => {
    if (pushed.length > 0) return pushed.pop()!;
    if (queue.length === 0) return { type: "end" };
    // After a `--`, every argument is a positional one.
    if (argi > 0 && argi <= args.length && args[argi - 1] === "--") argsOnly = true;
    const arg = queue.shift()!;
    argi++;
    if (argsOnly) return { type: "arg", value: arg };
    if (arg === "--") return next();
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      if (eq < 0) return { type: "long", value: arg.slice(2) };
      pushed.push({ type: "arg", value: arg.slice(eq + 1) });
      return { type: "long", value: arg.slice(2, eq) };
    }
    // A lone `-` is an empty argument; `-x…` a short flag named by its first character.
    if (arg.startsWith("-")) {
      if (arg.length === 1) return { type: "arg", value: "" };
      const short = [...arg.slice(1)][0];
      const after = arg.slice(1 + short.length);
      if (shortBools.has(short) && after !== "") queue.unshift(`-${after}`);
      return { type: "short", value: short };
    }
    if (arg.startsWith("@")) return { type: "file", value: arg };
    return { type: "arg", value: arg };
  };
  const peek = (): Token => {
    if (pushed.length === 0) pushed.push(next());
    return pushed[pushed.length - 1];
  };
  return { next, peek };
}

/**
 * What kingpin v2.4.0 makes of `args` for an application of `known` flags, no positional argument,
 * and the boolean short flags `shorts` (short letter to flag name; the reloader has none), leaving
 * aside what the application prints and exits on ({@link kingpinRun}).
 */
export function kingpinArgs(
  args: readonly string[],
  known: Readonly<Record<string, KingpinFlag>>,
  shorts: Readonly<Record<string, string>> = {},
  values: Readonly<Record<string, KingpinValueCheck>> = {},
): KingpinArgs {
  const p = parse(args, known, shorts);
  if ("unknown" in p) return p;
  if (p.error !== undefined) return { refused: p.error };
  const set = setValues(p.given, known, values);
  if ("error" in set) return { refused: set.error, ...(set.value ? { value: set.value } : {}) };
  return { flags: set.flags };
}

/** The flags kingpin's parser takes from `args` in order (each a context element), up to its error if any (parser.go:296-396). */
function parse(
  args: readonly string[],
  known: Readonly<Record<string, KingpinFlag>>,
  shorts: Readonly<Record<string, string>>,
): { given: [string, string][]; error?: string } | { unknown: string } {
  const { next, peek } = tokens(args, new Set(Object.keys(shorts)));
  const given: [string, string][] = [];
  const kind = (name: string) =>
    Object.prototype.hasOwnProperty.call(known, name) ? known[name] : undefined;
  const refused = (error: string) => ({ given, error });
  for (let t = peek(); t.type !== "end"; t = peek()) {
    if (t.type === "file") return { unknown: t.value };
    if (t.type === "arg") return refused(`unexpected ${t.value}`);
    next();
    if (t.type === "short") {
      const long = Object.prototype.hasOwnProperty.call(shorts, t.value) ? shorts[t.value] : undefined;
      if (long === undefined) return refused(`unknown short flag '-${t.value}'`);
      given.push([long, "true"]);
      continue;
    }
    // `--no-<name>` sets boolean <name> false; any other flag so named is unknown.
    const inverted = kind(t.value) === undefined && t.value.startsWith("no-");
    const name = inverted ? t.value.slice(3) : t.value;
    const flag = kind(name);
    if (flag === undefined || (inverted && flag !== "bool"))
      return refused(`unknown long flag '--${t.value}'`);
    if (flag === "bool") {
      given.push([name, inverted ? "false" : "true"]);
      continue;
    }
    const v = peek();
    if (v.type === "file") return { unknown: v.value };
    if (v.type !== "arg") return refused(`expected argument for flag '--${t.value}'`);
    next();
    given.push([name, v.value]);
  }
  return { given };
}

/**
 * Kingpin's setValues (app.go:490-525): each flag's values in order; the first repeat of one that
 * does not accumulate, or the first value its Set refuses (`values`), is an error at its index.
 */
function setValues(
  given: readonly [string, string][],
  known: Readonly<Record<string, KingpinFlag>>,
  values: Readonly<Record<string, KingpinValueCheck>> = {},
): { flags: Map<string, string[]> } | { error: string; at: number; value?: { flag: string; given: string } } {
  const flags = new Map<string, string[]>();
  for (const [i, [name, value]] of given.entries()) {
    if (flags.has(name) && known[name] !== "cumulative")
      return { error: `flag '${name}' cannot be repeated`, at: i };
    const check = Object.prototype.hasOwnProperty.call(values, name) ? values[name] : undefined;
    const error = check?.refuses(value);
    if (error !== undefined) return { error, at: i, value: { flag: name, given: value } };
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags };
}
