/**
 * Every container of a program whose flag parser is modelled gets a command line that parser takes:
 * Alertmanager, prometheus-config-reloader and node_exporter (kingpin v2.4.0, upstream/kingpin.ts;
 * node_exporter's flags as data, upstream/exporters/nodeExporter.ts) and `alloy run`
 * (cobra v1.10.1 / pflag v1.0.10, upstream/pflag.ts). The other checks read these programs' flags
 * here (processArgs), each program's one way. A command line the parser refuses stops the program before it does
 * anything (Alertmanager prints `alertmanager: error: <why>, try --help` and exits 1, the reloader
 * `<why>` and exits 2, cobra `Error: <why>`),
 * as does one with `--help` or `--version` (it prints and exits 0): the pod restarts it for ever.
 * Go's flag package, which Loki, Mimir and VictoriaMetrics use, takes `-flag=value` and `--flag`
 * alike; these two do not, and a chart's `extraArgs` written for one reads wrong for the other
 * (kingpin refuses `-config.file=` and a repeated `--storage.path=`, pflag `-storage.path=`).
 * Each program is known by its image (its pin's repository, or a copy at a registry mirror the stack
 * declares: programOf), run as its image runs it (no `command`) or by a `command` that runs a
 * binary of its name; any other command line (a shell's) is not read.
 */
import * as path from "path";
import { describe, podTemplates, type Finding, type Placed } from "./objects";
import { mirrorsOf } from "./imageDigests";
import { pinnedRepository, versions, type ImageRef } from "../model/versions";
import { isImageOf, parseImage, type ImageMirrors } from "@homelab-observability/contract";
import {
  ALERTMANAGER_FLAGS,
  ALERTMANAGER_FLAGS_VERSION,
  ALERTMANAGER_SHORTS,
  ALERTMANAGER_VALUES,
  CONFIG_RELOADER_FLAGS,
  CONFIG_RELOADER_FLAGS_VERSION,
  CONFIG_RELOADER_LOG_VALUES,
  CONFIG_RELOADER_VALUES,
  kingpinTakes,
  kingpinRun,
  type KingpinApp,
} from "../upstream/kingpin";
import { ALLOY_RUN, ALLOY_RUN_FLAGS_VERSION, cobraArgs } from "../upstream/pflag";
import { goFlagsGiven, type GoFlagGiven } from "../upstream/goflag";
import { prometheusOperatorFlags, prometheusOperatorGates } from "../upstream/prometheusOperatorScope";
import {
  NODE_ADDRESS_PRIORITIES,
  OPERATOR_LOG_VALUES,
  PROMETHEUS_OPERATOR_VERSION,
  REPAIR_POLICIES,
} from "../upstream/operators/prometheusOperator";
import { closestMatch } from "@homelab-observability/contract";
import {
  NODE_EXPORTER_VERSION,
  nodeExporterApp,
  nodeExporterFlags,
} from "../upstream/exporters/nodeExporter";
import { GO_BOOL, goQuote } from "../upstream/goStrconv";
import { operatorApiserverRefusal } from "../upstream/goUrl";
import {
  goDuration,
  goFloat64,
  k8sFieldSelector,
  k8sLabelSelector,
  k8sQuantity,
  type ValueRefusal,
} from "../upstream/goFlagValues";

/**
 * What a program does with its command line: starts with these flags, or stops at start (and why;
 * `value`, a flag's value it refuses, with the values the flag takes), or unknown.
 */
export type ProcessArgs =
  | { flags: Map<string, string[]> }
  | { stops: string; value?: { flag: string; given: string; takes: string } }
  | { unknown: string };

/**
 * A program whose flag parser is modelled: its binary's name, image (its pin's repository, which
 * {@link programOf} knows it by), and reading of its arguments.
 */
export interface Program {
  name: string;
  binary: string;
  /** The program's pin, and the release whose flags the model lists (upstream/kingpin.ts, upstream/pflag.ts). */
  pin: ImageRef;
  version: string;
  read: (args: string[]) => ProcessArgs;
  /** The chart value that adds arguments, the usual way a stack's override reaches them. */
  values: string;
  /** How the parser takes flags, said in a message. */
  forms: string;
}

/** A kingpin refusal, with the value its flag's Set refused if that is why. */
type KingpinRefusal = { refused: string; value?: { flag: string; given: string } };

/**
 * A kingpin application's reading: its flags, or why it stops, in the words it prints (`said`:
 * what it prints of kingpin's error; `exit`, its exit status; `placed`, what is said after a value
 * a flag's Set refuses: the flag's type and registration, a value meant).
 */
const kingpinRead =
  (
    said: (error: string) => string,
    exit: number,
    app: KingpinApp,
    placed: (flag: string, given: string, later: boolean) => string = () => "",
  ) =>
  (args: string[]): ProcessArgs => {
    const r = kingpinRun(args, app);
    if ("unknown" in r) return { unknown: `kingpin reads more arguments from the file ${r.unknown}` };
    if ("refused" in r) {
      const tell = (x: KingpinRefusal, later: boolean) =>
        `${said(x.refused)}${x.value ? placed(x.value.flag, x.value.given, later) : ""}`;
      const later = laterKingpinRefusals(args, app, r).map((x) => tell(x, true));
      const stops = `refuses it ${tell(r, false)} and exits ${exit}${mended(later)}`;
      const check = r.value && app.values?.[r.value.flag];
      if (!r.value || !check) return { stops };
      return { stops, value: { ...r.value, takes: check.takes } };
    }
    return "exits" in r ? { stops: `answers --${r.exits} and exits 0` } : r;
  };

/**
 * The index of the argument kingpin refused as `r` says, and how many arguments it spans, to leave
 * it out: an unknown long flag, a value its flag's Set refused (`--flag=value`, or `--flag value`
 * in two), or a flag given again that does not accumulate (its second occurrence); undefined for
 * another refusal, which is not mended.
 */
function refusedAt(
  args: readonly string[],
  app: KingpinApp,
  r: KingpinRefusal,
): { i: number; n: number } | undefined {
  const unknown = /^unknown long flag '(--[^'=]+)'$/.exec(r.refused)?.[1];
  if (unknown !== undefined) {
    const i = args.findIndex((a) => a === unknown || a.startsWith(`${unknown}=`));
    return withoutFlagAt(args, i) === undefined ? undefined : { i, n: 1 };
  }
  if (r.value) {
    const { flag, given } = r.value;
    const i = args.findIndex(
      (a, j) => a === `--${flag}=${given}` || (a === `--${flag}` && args[j + 1] === given),
    );
    return i < 0 ? undefined : { i, n: args[i].includes("=") ? 1 : 2 };
  }
  const repeated = /^flag '([^']+)' cannot be repeated$/.exec(r.refused)?.[1];
  if (repeated === undefined) return undefined;
  const bool = app.flags[repeated] === "bool";
  const given = args.flatMap((a, i) =>
    a === `--${repeated}` || a.startsWith(`--${repeated}=`) || (bool && a === `--no-${repeated}`) ? [i] : [],
  );
  const i = given[1];
  if (i === undefined) return undefined;
  return { i, n: bool || args[i].includes("=") ? 1 : 2 };
}

/**
 * The refusals kingpin would make after `first` once each is mended: the argument refused left out
 * ({@link refusedAt}) and the command line read again, so that one run names every mistake (the
 * program says each only once the one before it is mended). It stops at a refusal it does not
 * mend, and at an unknown flag followed by a word that may be its value (left out alone, that word
 * would be an argument kingpin refuses for another reason).
 */
function laterKingpinRefusals(
  args: readonly string[],
  app: KingpinApp,
  first: KingpinRefusal,
): KingpinRefusal[] {
  const out: KingpinRefusal[] = [];
  let rest: readonly string[] = args;
  let refused = first;
  for (;;) {
    const at = refusedAt(rest, app, refused);
    if (at === undefined) return out;
    rest = [...rest.slice(0, at.i), ...rest.slice(at.i + at.n)];
    const r = kingpinRun(rest, app);
    if (!("refused" in r)) return out;
    out.push(r);
    refused = r;
  }
}

/**
 * `args` without the flag at `i` that a parser refused, to read what it would refuse next; undefined
 * when there is none (`i` < 0) or the flag is bare and the next word may be its value (left in
 * alone, the word would be refused for another reason).
 */
function withoutFlagAt(args: readonly string[], i: number): string[] | undefined {
  if (i < 0 || i >= args.length) return undefined;
  const next = args[i + 1];
  if (!args[i].includes("=") && next !== undefined && !next.startsWith("-")) return undefined;
  return [...args.slice(0, i), ...args.slice(i + 1)];
}

/** The refusals after a command line's stop, said after it; "" when none. */
const mended = (later: readonly string[], what = ""): string =>
  later.length > 0 ? `; mended, it would stop at the next${what}: ${later.join(", then ")}` : "";

/** Each flag kingpin takes, said in a message. */
const KINGPIN_FORMS =
  "--flag=value or --flag value, a boolean as --flag or --no-flag (no =value), each flag once unless it is a list, and no single-dash long flag (upstream/kingpin.ts)";

const PROGRAMS: readonly Program[] = [
  {
    name: "Alertmanager",
    binary: "alertmanager",
    pin: versions.images.alertmanager,
    version: ALERTMANAGER_FLAGS_VERSION,
    // kingpin.Version gives --version a PreAction (cmd/alertmanager/main.go:185).
    // kingpin.Parse (global.go:38-39, 85-89 MustParse) prints `<name>: error: <why>, try --help`
    // (app.go:577-579) and exits 1, as the Debian prometheus-alertmanager does; the name is its
    // binary's (global.go:10), /bin/alertmanager in its image (Dockerfile:10 at v0.28.1).
    read: kingpinRead((e) => `("alertmanager: error: ${e}, try --help")`, 1, {
      flags: ALERTMANAGER_FLAGS,
      shorts: ALERTMANAGER_SHORTS,
      preActions: ["version"],
      values: ALERTMANAGER_VALUES,
    }),
    values:
      "in the alertmanager chart: values.extraArgs, a map the chart writes as --<key>=<value> after its own flags (templates/statefulset.yaml:164-189): a storage.path key repeats its --storage.path (a config.file key replaces its --config.file), and so do a cluster.advertise-address or cluster.listen-address key when it runs more than one replica or values.additionalPeers, and a web.external-url key beside values.baseURL",
    forms: `Alertmanager takes ${KINGPIN_FORMS.replace("a list", "a list (--cluster.peer, --web.listen-address)")}`,
  },
  {
    name: "prometheus-config-reloader",
    binary: "prometheus-config-reloader",
    pin: versions.images.configReloader,
    version: CONFIG_RELOADER_FLAGS_VERSION,
    // Its --version and --short-version are plain booleans it checks after the parse (main.go:118-121).
    // It prints kingpin's error alone and exits 2 (cmd/prometheus-config-reloader/main.go:113-116);
    // then it stops on a log level or format its loggers refuse.
    read: (args) => {
      const r = kingpinRead((e) => `(it prints "${e}")`, 2, {
        flags: CONFIG_RELOADER_FLAGS,
        afterParse: ["version", "short-version"],
        values: CONFIG_RELOADER_VALUES,
      })(args);
      if (!("flags" in r)) return r;
      for (const [flag, check] of Object.entries(CONFIG_RELOADER_LOG_VALUES)) {
        const given = r.flags.get(flag)?.at(-1);
        if (given !== undefined && !kingpinTakes(check, given))
          return {
            stops: `stops through log.Fatal ("${check.refuses(given)}") and exits 1`,
            value: { flag, given, takes: check.takes },
          };
      }
      return r;
    },
    values:
      "in the alertmanager chart: values.configmapReload.extraArgs, a map the chart writes as --<key>=<value> after its own --watched-dir (left out beside a watched-dir or config-file key) and --reload-url (left out beside a reload-url key) (templates/statefulset.yaml:109-118); in the alloy chart: values.configReloader.customArgs, a list of whole arguments that replaces the chart's own (templates/containers/_watch.yaml:6-13)",
    forms: `the reloader takes ${KINGPIN_FORMS.replace("a list", "a list (--watched-dir)")}`,
  },
  {
    name: "Alloy",
    binary: "alloy",
    pin: versions.images.alloy,
    version: ALLOY_RUN_FLAGS_VERSION,
    read: (args) => {
      const r = cobraArgs(args, ALLOY_RUN);
      if ("unknown" in r) return r;
      // cobra prints `Error: <why>` (command.go:1160, 651) and Alloy exits 1 (alloycli.go:34-36).
      if ("refused" in r) return { stops: `refuses it ("Error: ${r.refused}") and exits 1` };
      if ("exits" in r) return { stops: `answers --${r.exits} and exits 0` };
      return { flags: r.flags };
    },
    values: "in the alloy chart: values.alloy.extraArgs, a list of whole arguments after the chart's own",
    forms:
      "`alloy run` takes one config path, and flags as --flag=value or --flag value, a boolean bare or as --flag=false (--flag false leaves false a second path), the last of a repeated flag winning, and no single-dash long flag (upstream/pflag.ts)",
  },
  {
    name: "node_exporter",
    // Its image's entrypoint, /bin/node_exporter (Dockerfile:8, :12 at v1.10.2).
    binary: "node_exporter",
    pin: versions.images.nodeExporter,
    version: NODE_EXPORTER_VERSION,
    // kingpin.Parse (node_exporter.go:210; kingpin v2.4.0 global.go:38-39, 85-89) prints
    // `node_exporter: error: <why>, try --help` and exits 1, as the v1.10.2 binary does.
    read: (args) =>
      kingpinRead(
        (e) => `("node_exporter: error: ${e}, try --help")${nodeExporterMeant(e)}`,
        1,
        nodeExporterApp(),
        nodeExporterValuePlaced,
      )(args),
    values:
      "in the prometheus-node-exporter chart: values.extraArgs, a list of whole arguments the chart writes after its own --path.* and --web.listen-address (templates/daemonset.yaml:55-67 at 4.49.1)",
    forms: `node_exporter takes ${KINGPIN_FORMS.replace("a list", "a list (--web.listen-address, --collector.textfile.directory, --collector.sysctl.include and the others upstream/exporters/data/node-exporter-1.10.2/flags.tsv marks cumulative)")}; each collector is switched by --collector.<name> or --no-collector.<name>`,
  },
  {
    name: "prometheus-operator",
    // Its image's entrypoint, /bin/operator (Dockerfile:20, :30 at v0.93.0).
    binary: "operator",
    pin: versions.images.prometheusOperator,
    version: PROMETHEUS_OPERATOR_VERSION,
    read: (args) => {
      // Its own FlagSet on ExitOnError (cmd/operator/main.go:808), parsed at :203: Go's flag
      // package prints the error and the usage and exits 2, or exits 0 after the usage for
      // -h/-help (go1.26.8 src/flag/flag.go:1170-1176); --version and --short-version print and
      // exit 0 before any controller starts (main.go:249-253). Its command (`start`, `crds`, ...)
      // is the prometheus-operator scope's to judge (checks/unreconciledServers.ts).
      const first = goFlagsGiven(args, { flags: prometheusOperatorFlags().flags });
      const { read: r, given } = first;
      if ("unknown" in r) return r;
      // A value its flag's Set refuses ends Go's parse as an undeclared flag does (flag.go failf,
      // "invalid value %q for flag -%s: %v"), where it is met: before an undeclared flag after it.
      const set = operatorSetRefusal(given);
      if (set !== undefined) return { stops: set.stops, value: set.value };
      if ("refused" in r) {
        const later = laterUndeclaredFlags(args, first);
        return {
          stops: `refuses it ("${r.refused}")${undeclaredMeant(r.refused)} and exits 2${mended(later)}`,
        };
      }
      if ("exits" in r) return { stops: "answers -help with its usage and exits 0" };
      for (const name of ["version", "short-version"])
        if (r.flags.get(name)?.at(-1) === "true") return { stops: `answers --${name} and exits 0` };
      // Its first argument after the flags is its command, `start` when there is none
      // (cmd/operator/main.go:255-273 at v0.93.0): `crds` and `full-crds` print the CRDs and
      // return 0, any other prints "Unknown command: <it>" and returns 1. A boolean flag takes its
      // value only as =value, so `--web.enable-tls true` makes `true` the command.
      const command = r.positional[0];
      if (command === undefined || command === "start") return operatorStart(r.flags);
      if (command === "crds" || command === "full-crds")
        return {
          stops: `takes ${JSON.stringify(command)} as its command, which prints the CRDs and exits 0`,
        };
      const before = args[args.length - r.positional.length - 1];
      const bare = before === undefined ? undefined : /^--?([^=]+)$/.exec(before)?.[1];
      const bool =
        bare !== undefined && prometheusOperatorFlags().flags[bare] === "bool"
          ? ` (--${bare} is a boolean: it takes its value only as --${bare}=${command})`
          : "";
      return {
        stops: `takes ${JSON.stringify(command)} as its command, which it does not have (crds, full-crds, start): it prints "Unknown command: ${command}" and exits 1${bool}`,
      };
    },
    values:
      "in the kube-prometheus-stack chart: values.prometheusOperator.extraArgs, a list of whole arguments after the chart's own (templates/prometheus-operator/deployment.yaml:157-159)",
    forms:
      "the operator takes Go's flag forms: -flag or --flag, with =value or the next argument as its value, a boolean bare or as --flag=false, and no flag after its command (upstream/goflag.ts)",
  },
];

/**
 * The flag node_exporter declares closest to the one kingpin calls unknown (`--collector.systemdd`,
 * `--no-collector.wifii`: a boolean's `--no-` form counts), said with where it is declared; "" when
 * the error is another or nothing is close.
 */
function nodeExporterMeant(error: string): string {
  const unknown = /^unknown long flag '--(.+)'$/.exec(error)?.[1];
  if (unknown === undefined) return "";
  const { flags, sources } = nodeExporterFlags();
  const names = Object.keys(flags);
  const near = closestMatch(unknown, [
    ...names,
    ...names.filter((n) => flags[n] === "bool").map((n) => `no-${n}`),
  ]);
  if (near === undefined) return "";
  return ` (did you mean --${near}? declared at ${sources[near.replace(/^no-/, "")]})`;
}

/**
 * What is said after a value node_exporter's flag refuses: the Go type the flag sets, where it is
 * registered and parsed (flags.tsv), what it takes (`later`: a refusal named after the first, whose
 * message does not begin with it), and the value meant where one is near (`3` for a duration:
 * `3s`; `inof` for a level: `info`).
 */
function nodeExporterValuePlaced(flag: string, given: string, later: boolean): string {
  const { types, sources } = nodeExporterFlags();
  const check = nodeExporterApp().values?.[flag];
  const meant = check?.meant?.(given);
  const takes = later && check ? `; it takes ${check.takes}` : "";
  return ` (--${flag} is read as ${types[flag].type}: registered at ${sources[flag]}, parsed by ${types[flag].set}${takes}${meant === undefined ? "" : `; did you mean --${flag}=${meant}?`})`;
}

/** The flag prometheus-operator declares closest to one Go's parse calls undeclared, and where; "" when none is close. */
function undeclaredMeant(error: string): string {
  const undeclared = /^flag provided but not defined: -(.+)$/.exec(error)?.[1];
  const { flags, sources } = prometheusOperatorFlags();
  const near = undeclared === undefined ? undefined : closestMatch(undeclared, Object.keys(flags));
  return near === undefined ? "" : ` (did you mean --${near}? declared at ${sources[near]})`;
}

/**
 * What Go's parse of prometheus-operator's arguments would stop at after an undeclared flag once
 * each is mended: the flag's argument left out and the arguments read again, so that one run
 * names every misspelt flag, and the value a Set refuses that the parse then meets. It stops at
 * any other end, and at an undeclared flag followed by a word that may be its value.
 */
function laterUndeclaredFlags(args: readonly string[], first: ReturnType<typeof goFlagsGiven>): string[] {
  const out: string[] = [];
  const { flags } = prometheusOperatorFlags();
  let rest: readonly string[] = args;
  let read = first;
  for (;;) {
    if (!("refused" in read.read) || !read.read.refused.startsWith("flag provided but not defined: "))
      return out;
    const without = withoutFlagAt(rest, read.at ?? -1);
    if (without === undefined) return out;
    rest = without;
    read = goFlagsGiven(rest, { flags });
    const set = operatorSetRefusal(read.given);
    if (set !== undefined) return [...out, set.said];
    if (!("refused" in read.read)) return out;
    out.push(`("${read.read.refused}")${undeclaredMeant(read.read.refused)}`);
  }
}

/**
 * A value a flag's Set refuses, which ends Go's parse (flag.go failf: "invalid value %q for flag
 * -%s: %v", exit 2), in the arguments' order: the first value given that is refused is the stop.
 * The values after it that their Sets refuse too are named with it, so that one run says every one
 * (the binary would say each only once the one before it is mended). Each flag is judged by the Go
 * type it sets (flags.tsv's `type`, refreshed from the source), one judge a type
 * (OPERATOR_VALUE_JUDGES). The v0.93.0 binary refuses each case so (test/upstream/goFlagValues.test.ts).
 */
function operatorSetRefusal(
  given: readonly GoFlagGiven[],
): { stops: string; said: string; value: { flag: string; given: string; takes: string } } | undefined {
  const { types, sources } = prometheusOperatorFlags();
  const refusals: { flag: string; value: string; refused: NonNullable<SetRefusal> }[] = [];
  for (const { name: flag, value } of given)
    if (value !== undefined) {
      const refused = operatorValueJudge(types[flag].type)(value);
      if (refused !== undefined) refusals.push({ flag, value, refused });
    }
  const [first, ...later] = refusals;
  if (first === undefined) return undefined;
  const { flag, value, refused } = first;
  const { type, set } = types[flag];
  const parse = set === "flag" ? "Go's flag package" : set.includes("@") ? set : `its Set at ${set}`;
  const why = refused.why ? ` (${refused.why})` : "";
  const meant = refused.meant ? `; did you mean --${flag}=${refused.meant}?` : "";
  const more = mended(
    later.map(
      (l) =>
        `--${l.flag}=${l.value} ("${l.refused.error}"${l.refused.why ? `, ${l.refused.why}` : ""}${l.refused.meant ? `; did you mean --${l.flag}=${l.refused.meant}?` : ""})`,
    ),
    " value it refuses",
  );
  const said = `("invalid value ${goQuote(value)} for flag -${flag}: ${refused.error}")${why}`;
  return {
    said,
    stops: `refuses it ${said} and exits 2 (--${flag} is read as ${type}: registered at ${sources[flag]}, parsed by ${parse}${meant})${more}`,
    value: { flag, given: value, takes: refused.takes ?? JUDGES[type].takes },
  };
}

/** A value a judge refuses: the Set's error, Go's own where it says more, what the flag takes when it is one of a list, and a value meant. */
type SetRefusal = (ValueRefusal & { takes?: string; meant?: string }) | undefined;
const oneOf =
  (values: readonly string[], error: (v: string) => string) =>
  (v: string): SetRefusal =>
    values.includes(v)
      ? undefined
      : { error: error(v), takes: values.join(", "), meant: closestMatch(v.toLowerCase(), values) };

/**
 * A `--labels` or `--annotations` value (pkg/operator/config.go:230-247 Map.Set): an empty value
 * taken, else parted at commas, each part needing `=` (a trailing comma's empty part refused;
 * `--labels=a=b,c=` and `--annotations=` start).
 */
const mapSet = (value: string): SetRefusal => {
  const bad = value === "" ? undefined : value.split(",").find((pair) => !pair.includes("="));
  return bad === undefined ? undefined : { error: `invalid key=value pair: ${goQuote(bad)}` };
};

/**
 * A `--feature-gates` value as its flag's Set reads it (k8s.io/component-base v0.36.3
 * cli/flag/map_string_bool.go:55-80, the operator's go.mod): pairs `name=bool` parted at commas,
 * empty ones skipped, name and value trimmed; a pair without `=`, or a value Go's ParseBool refuses.
 */
const featureGatesSet = (value: string): SetRefusal => {
  for (const pair of value.split(",")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    if (eq < 0) return { error: "malformed pair, expect string=bool" };
    const [name, bool] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
    if (!GO_BOOL.true.has(bool) && !GO_BOOL.false.has(bool))
      return {
        error: `invalid value of ${name}: ${bool}, err: strconv.ParseBool: parsing ${goQuote(bool)}: invalid syntax`,
      };
  }
  return undefined;
};

/** A quantity with a suffix in the wrong case (`1K`, `5mi`): the suffixes whose letters agree. */
const quantityMeant = (v: string): string | undefined => {
  const m = /^([+-]?[\d.]*)([a-zA-Z]+)$/.exec(v);
  const near =
    m &&
    ["m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"].filter(
      (s) => s.toLowerCase() === m[2].toLowerCase(),
    );
  return near && near.length > 0 ? near.map((s) => m[1] + s).join(" or ") : undefined;
};

/** A duration in days or weeks, which time.ParseDuration does not know: the same in hours. */
const durationMeant = (v: string): string | undefined => {
  const m = /^(\d+)(d|w)$/.exec(v);
  return m ? `${Number(m[1]) * (m[2] === "d" ? 24 : 168)}h` : undefined;
};

/**
 * One judge a Go type a prometheus-operator flag sets (flags.tsv's `type`): what its Set (or Go's
 * flag package) refuses, and what it takes, said in a message. A type without a judge stops the
 * check (operatorValueJudge), so a refresh to a release with a new one is seen.
 */
const JUDGES: Readonly<Record<string, { judge: (value: string) => SetRefusal; takes: string }>> = {
  // Go's flag package: a stringValue takes any text (flag.go); a boolean's value is goflag.ts's.
  string: { judge: () => undefined, takes: "any text" },
  bool: { judge: () => undefined, takes: "true or false" },
  "time.Duration": {
    judge: (v) => {
      const r = goDuration(v);
      return r && { ...r, meant: durationMeant(v) };
    },
    takes: "a Go duration such as 30s, 3m or 1h30m (units ns, us, ms, s, m, h; time.ParseDuration)",
  },
  float64: { judge: goFloat64, takes: "a number such as 0.8 (strconv.ParseFloat)" },
  // pkg/operator/config.go:184-195: empty is taken (the default stays), else resource.ParseQuantity.
  "operator.Quantity": {
    judge: (v) => {
      const r = v === "" ? undefined : k8sQuantity(v);
      return r && { ...r, meant: quantityMeant(v) };
    },
    takes:
      "a Kubernetes quantity such as 100m, 0.5, 50Mi or 1Gi (resource.ParseQuantity of k8s.io/apimachinery v0.36.3)",
  },
  // pkg/operator/config.go:330-337: labels.Parse.
  "operator.LabelSelector": {
    judge: k8sLabelSelector,
    takes:
      "a label selector such as app=x,tier!=db or env in (a,b) (labels.Parse of k8s.io/apimachinery v0.36.3)",
  },
  // pkg/operator/config.go:370-377: fields.ParseSelector.
  "operator.FieldSelector": {
    judge: k8sFieldSelector,
    takes:
      "a field selector such as metadata.name=x,type!=kubernetes.io/tls (fields.ParseSelector of k8s.io/apimachinery v0.36.3)",
  },
  // pkg/operator/config.go:383-394: parted at commas, never refused (its map is made by DefaultConfig, config.go:92-99).
  "operator.StringSet": { judge: () => undefined, takes: "a comma-separated list" },
  "operator.Map": { judge: mapSet, takes: "key=value pairs parted by commas" },
  // pkg/operator/config.go:350-356; its message names the two itself.
  "operator.NodeAddressPriority": {
    judge: (v) =>
      NODE_ADDRESS_PRIORITIES.includes(v)
        ? undefined
        : {
            error: `invalid value for node address priority, expected 'internal' or 'external' but got: ${goQuote(v)}`,
            meant: closestMatch(v.toLowerCase(), NODE_ADDRESS_PRIORITIES),
          },
    takes: NODE_ADDRESS_PRIORITIES.join(" or "),
  },
  // pkg/operator/statefulset_reporter.go:46-58: "invalid value: <it>".
  "operator.RepairPolicy": {
    judge: oneOf(REPAIR_POLICIES, (v) => `invalid value: ${v}`),
    takes: REPAIR_POLICIES.join(", "),
  },
  "k8s.io/component-base/cli/flag.MapStringBool": {
    judge: featureGatesSet,
    takes: "gate=true|false pairs parted by commas",
  },
};

/** The judge of a flag type; a type the check has none for is an error of the check, said. */
function operatorValueJudge(type: string): (value: string) => SetRefusal {
  const j = JUDGES[type];
  if (!j)
    throw new Error(
      `process-args: prometheus-operator's flags.tsv names the type ${type}, which checks/processArgs.ts has no judge for: read its Set at the source and add one`,
    );
  return j.judge;
}

/** Every type of the operator's flags.tsv that has no judge (none expected; a test holds it). */
export const unjudgedOperatorTypes = (): string[] =>
  [...new Set(Object.values(prometheusOperatorFlags().types).map((t) => t.type))].filter((t) => !JUDGES[t]);

/**
 * The gate names `--feature-gates` gives once its Set took every value (every occurrence adds to one
 * map), for `start` to judge (cmd/operator/main.go:284, pkg/operator/feature_gates.go:57-68: an
 * unknown one logs and exits 1).
 */
const featureGateNames = (values: readonly string[]): string[] =>
  values.flatMap((v) =>
    v
      .split(",")
      .filter((pair) => pair !== "")
      .map((pair) => pair.slice(0, pair.indexOf("=")).trim()),
  );

/**
 * What prometheus-operator's `start` (cmd/operator/main.go:277-329 at v0.93.0) does with flags its
 * parse took, in its order, before it connects to the API server: its logger refuses a log level
 * or format (operatorLogStop), its feature gates an unknown name (:284-287, exit 1), both
 * namespace lists end it without a word (:296-298, the scope's to say: upstream/
 * prometheusOperatorScope.ts), then the client config refuses an `--apiserver` address
 * (upstream/goUrl.ts operatorApiserverRefusal, :311-329). Each stop is logged, exit 1.
 */
function operatorStart(flags: Map<string, string[]>): ProcessArgs {
  const log = operatorLogStop(flags);
  if (log !== undefined) return { stops: log };
  const known = prometheusOperatorGates();
  const unknown = featureGateNames(flags.get("feature-gates") ?? []).filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    const near = unknown.map((n) => closestMatch(n, known)).filter((n) => n !== undefined);
    const meant = near.length === 0 ? "" : ` (did you mean ${near.join(", ")}?)`;
    return {
      stops: `refuses --feature-gates as it starts: ${unknown.map((n) => `feature gate ${goQuote(n)} is unknown`).join(", ")} (it knows ${known.join(", ")})${meant}, and exits 1`,
    };
  }
  if (flags.has("namespaces") && flags.has("deny-namespaces")) return { flags };
  const host = flags.get("apiserver")?.at(-1) ?? "";
  const tls = ["ca-file", "cert-file", "key-file"].some((f) => (flags.get(f)?.at(-1) ?? "") !== "");
  const insecure = GO_BOOL.true.has(flags.get("tls-insecure")?.at(-1) ?? "");
  const refused = operatorApiserverRefusal(host, tls || insecure);
  if (refused === undefined || "unknown" in refused) return { flags };
  const meant = /first path segment in URL cannot contain colon$/.test(refused.error)
    ? `; did you mean --apiserver=https://${host}?`
    : "";
  return {
    stops: `refuses --apiserver=${host} as it starts, before it connects (it logs msg=${goQuote(refused.message)} err=${goQuote(refused.error)}: ${refused.at}${meant}) and exits 1`,
    value: { flag: "apiserver", given: host, takes: APISERVER_TAKES },
  };
}

/** What `--apiserver` takes, said in a message. */
const APISERVER_TAKES =
  "an API server URL such as https://10.0.0.1:6443, or a host:port pair (left out, the in-cluster config)";

/**
 * How prometheus-operator's `start` stops at a log level or format its logger does not know (the
 * last of a repeated flag is the one read): log.Fatal's words and exit 1, with the closest value;
 * undefined when it starts.
 */
function operatorLogStop(flags: ReadonlyMap<string, readonly string[]>): string | undefined {
  for (const [flag, { field, values }] of Object.entries(OPERATOR_LOG_VALUES)) {
    const value = flags.get(flag)?.at(-1);
    if (value === undefined || (values as readonly string[]).includes(value.toLowerCase())) continue;
    const near = closestMatch(value.toLowerCase(), values);
    const meant = near === undefined ? "" : ` (did you mean --${flag}=${near}?)`;
    return `refuses --${flag}=${value} as it starts ("log ${field} ${value} unknown, [${values.join(" ")}] are possible values")${meant} and exits 1`;
  }
  return undefined;
}

/**
 * The arguments binary `binary` gets in container `c`: its `args` under the image's entrypoint, or
 * after a `command` that runs that binary; `unread` why they are not known (another command, a
 * shell's; an argument that is not a string).
 */
export function binaryArgs(c: any, binary: string): { args: string[] } | { unread: string } {
  const command: unknown[] | undefined = Array.isArray(c?.command) ? c.command : undefined;
  if (
    command !== undefined &&
    !(typeof command[0] === "string" && path.posix.basename(command[0]) === binary)
  )
    return { unread: `its command ${JSON.stringify(command[0])} is not the engine's binary` };
  const args: unknown[] = [...(command ?? []).slice(1), ...(Array.isArray(c?.args) ? c.args : [])];
  if (!args.every((a): a is string => typeof a === "string"))
    return { unread: "an argument is not a string" };
  return { args };
}

/** The arguments `program`'s binary gets in container `c`; undefined when that is not known. */
function argsOf(c: any, program: Program): string[] | undefined {
  const given = binaryArgs(c, program.binary);
  return "args" in given ? given.args : undefined;
}

/**
 * The modelled program container `c` runs, known by its image: its repository is the program's
 * pin's, itself or through one of the stack's registry `mirrors` (contract isImageOf). Never a
 * trailing path: `ghcr.io/prometheus-operator/prometheus-operator` is another build, whose flags
 * the model does not list; a mirror's copy is the program's whatever its prefix.
 */
function programOf(c: any, mirrors: ImageMirrors | undefined): Program | undefined {
  const image = String(c?.image ?? "");
  return PROGRAMS.find((p) => isImageOf(image, pinnedRepository(p.pin), mirrors));
}

/**
 * What the program container `c` runs (known by its image, {@link programOf}: `mirrors` are the
 * stack's, checks/imageDigests.ts mirrorsOf) does with its command line; undefined for a container
 * of no modelled program or a command line not known.
 */
export function processArgs(
  c: any,
  mirrors: ImageMirrors | undefined,
  program = programOf(c, mirrors),
): { program: Program; args: string[]; read: ProcessArgs } | undefined {
  const args = program && argsOf(c, program);
  if (!program || !args) return undefined;
  const read = program.read(args);
  return { program, args, read: ("stops" in read && unsure(c, program, args, read)) || read };
}

/**
 * How container `c`, taken to run prometheus-operator whatever its image is named (a mirror, which
 * upstream/prometheusOperatorScope.ts knows by the operator's own flag), stops at start on its
 * command line, in the words process-args says it with: the same reading, values judged, and the
 * same doubts (another release by its tag, an argument the kubelet expands); undefined when it
 * starts or that is not known. The scope of the operators reads a command line through it, so a
 * value the operator refuses idles it there as here (checks/unreconciledServers.ts).
 */
export function prometheusOperatorStop(c: any): string | undefined {
  const read = processArgs(
    c,
    undefined,
    PROGRAMS.find((p) => p.name === "prometheus-operator"),
  )?.read;
  return read && "stops" in read ? read.stops : undefined;
}

/**
 * Why the model's stop on `args` may not be what `program` in container `c` does; undefined when
 * it is. A stop is said only where the model reads what the program gets:
 * - Another release of the program: the model lists the flags of one (`program.version`); a flag
 *   a later release adds (Alertmanager v0.33.0's `--dispatch.start-delay`) is unknown to it only.
 * - An argument with `$(NAME)` or `$$` in it: the kubelet expands it from the container's
 *   environment before the program starts (`env`, `envFrom` and the service links, none known
 *   offline; kubernetes third_party/forked/golang/expansion/expand.go at 02604f7d, `Expand` and
 *   `tryReadVariableName`: `$(NAME)` of a defined name becomes its value, `$$` becomes `$`), so
 *   `$(EXTRA_FLAG)` may be a flag the program takes. One after the `=` of `--flag=value` changes
 *   only that value (`--cluster.advertise-address=[$(POD_IP)]:9094`, the alertmanager chart's):
 *   it counts only where the stop is about that value (pflag's `invalid argument "<value>"`, a
 *   value kingpin's flag refuses).
 */
function unsure(
  c: any,
  program: Program,
  args: string[],
  { stops, value }: { stops: string; value?: { flag: string; given: string } },
): { unknown: string } | undefined {
  const image = String(c.image ?? "");
  if (!runsVersion(image, program.version, program.pin))
    return {
      unknown: `the image ${image} is not ${program.name} ${program.version}, whose flags the model lists`,
    };
  // A KUBECONFIG in the environment takes the place of --apiserver (pkg/k8s/k8s.go:77-86 at
  // v0.93.0); envFrom may hold one.
  if (
    value?.flag === "apiserver" &&
    (c.envFrom?.length || (c.env ?? []).some((e: any) => e?.name === "KUBECONFIG"))
  )
    return {
      unknown:
        "the container's environment may give a KUBECONFIG, which the operator reads instead of --apiserver",
    };
  const reference = /\$\([^)]*\)|\$\$/;
  const expanded = args.find((a) => reference.test(a.startsWith("-") ? a.split("=")[0] : a));
  if (expanded !== undefined)
    return { unknown: `the kubelet expands ${JSON.stringify(expanded)} from the container's environment` };
  // pflag's words for a value its flag refuses (a boolean's): `invalid argument "<value>" for ...`;
  // kingpin's, a value its flag's Set refuses (`--log.level=$(LEVEL)`).
  if (/invalid argument "[^"]*(\$\(|\$\$)/.test(stops) || (value && reference.test(value.given)))
    return {
      unknown: "the kubelet expands the value the program would refuse from the container's environment",
    };
  return undefined;
}

/** Whether `image` is release `version` of the program pinned as `pin`: that tag, or the pin's digest where the pin is that release. */
function runsVersion(image: string, version: string, pin: ImageRef): boolean {
  const at = image.indexOf("@");
  if (at >= 0 && pin.digest !== undefined && pin.tag === version)
    return image.slice(at + 1).trim() === pin.digest;
  return parseImage(image).tag === version;
}

export interface ProcessArgsReport {
  /** Containers whose command line was read. */
  judged: number;
  findings: Finding[];
}

/**
 * The arguments prometheus-operator v0.93.0 writes for an Alertmanager's `spec.limits`, each with
 * the field it comes from: for Alertmanager 0.28.0 and later, `maxSilences` as
 * `--silences.max-silences` and a non-empty `maxPerSilenceBytes` as
 * `--silences.max-per-silence-bytes` in bytes (pkg/alertmanager/statefulset.go:293-303, the
 * container's args built from them at :700; read, not run). Alertmanager declares
 * `--silences.max-silence-size-bytes` instead (cmd/alertmanager/main.go:151 at v0.28.1, and in
 * every release up to v0.33.1), so the second stops it at start.
 */
function operatorLimitArgs(limits: any): { field: string; arg: string }[] {
  const out: { field: string; arg: string }[] = [];
  if (limits?.maxSilences !== undefined && limits.maxSilences !== null)
    out.push({ field: "limits.maxSilences", arg: `--silences.max-silences=${String(limits.maxSilences)}` });
  const bytes = limits?.maxPerSilenceBytes;
  if (bytes !== undefined && bytes !== null && bytes !== "")
    out.push({
      field: "limits.maxPerSilenceBytes",
      arg: `--silences.max-per-silence-bytes=${String(bytes)}`,
    });
  return out;
}

/**
 * An Alertmanager custom resource of the modelled release (spec.version or its image) whose
 * `spec.limits` makes prometheus-operator write a command line Alertmanager refuses.
 */
function operatorAlertmanagerFindings(objects: Placed[]): Finding[] {
  const program = PROGRAMS.find((p) => p.binary === "alertmanager")!;
  return objects.flatMap((p): Finding[] => {
    const o = p.obj;
    if (o.kind !== "Alertmanager" || !String(o.apiVersion ?? "").startsWith("monitoring.coreos.com/"))
      return [];
    const version = o.spec?.version ?? (o.spec?.image ? parseImage(String(o.spec.image)).tag : undefined);
    if (version !== program.version) return [];
    return operatorLimitArgs(o.spec?.limits).flatMap(({ field, arg }): Finding[] => {
      const read = program.read([arg]);
      if (!("stops" in read)) return [];
      return [
        {
          check: "process-args",
          where: describe(p),
          message: `spec.${field}: prometheus-operator v0.93.0 passes it to Alertmanager as ${arg.replace(/=.*$/, "")} (pkg/alertmanager/statefulset.go:293-303), and Alertmanager ${program.version} ${read.stops}: it never starts, and the pod restarts it for ever; leave ${field} unset and give the limit as alertmanagerSpec.additionalArgs [{name: silences.max-silence-size-bytes, value: "<bytes>"}], the flag Alertmanager declares (cmd/alertmanager/main.go:151)`,
          judged: [field],
        },
      ];
    });
  });
}

/** Reports each container whose program stops at start on its command line. */
export function checkProcessArgs(objects: Placed[]): ProcessArgsReport {
  const report: ProcessArgsReport = { judged: 0, findings: operatorAlertmanagerFindings(objects) };
  const mirrors = mirrorsOf(objects);
  for (const t of podTemplates(objects))
    for (const c of [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])]) {
      const p = processArgs(c, mirrors);
      if (!p || "unknown" in p.read) continue;
      report.judged++;
      if (!("stops" in p.read)) continue;
      const where = `${describe(t.owner)} container ${c.name}`;
      const value = p.read.value;
      // A value the flag's own Set refuses: the flag, what it takes and what it got, then where it comes from.
      const message = value
        ? `--${value.flag}: expected ${value.takes}, got ${JSON.stringify(value.given)}: ${p.program.name} ${p.program.version}, given the command line ${JSON.stringify(p.args)}, ${p.read.stops}: it never starts, and the pod restarts it for ever; ${p.program.values}`
        : `${p.program.name}, given the command line ${JSON.stringify(p.args)}, ${p.read.stops}: it never starts, and the pod restarts it for ever; ${p.program.forms}; ${p.program.values}`;
      report.findings.push({ check: "process-args", where, message });
    }
  return report;
}
