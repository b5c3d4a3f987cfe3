/**
 * Every container of a program whose flag parser is modelled gets a command line that parser takes:
 * Alertmanager and prometheus-config-reloader (kingpin v2.4.0, upstream/kingpin.ts) and `alloy run`
 * (cobra v1.10.1 / pflag v1.0.10, upstream/pflag.ts). The other checks read these programs' flags
 * here (processArgs), each program's one way. A command line the parser refuses stops the program before it does
 * anything (Alertmanager prints `alertmanager: error: <why>, try --help` and exits 1, the reloader
 * `<why>` and exits 2, cobra `Error: <why>`),
 * as does one with `--help` or `--version` (it prints and exits 0): the pod restarts it for ever.
 * Go's flag package, which Loki, Mimir and VictoriaMetrics use, takes `-flag=value` and `--flag`
 * alike; these two do not, and a chart's `extraArgs` written for one reads wrong for the other
 * (kingpin refuses `-config.file=` and a repeated `--storage.path=`, pflag `-storage.path=`).
 * Each program is known by its image, run as its image runs it (no `command`) or by a `command`
 * that runs a binary of its name; any other command line (a shell's) is not read.
 */
import * as path from "path";
import { describe, podTemplates, type Finding, type Placed } from "./objects";
import { versions, type ImageRef } from "../model/versions";
import { imageMatches, parseImage } from "@homelab-observability/contract";
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
  type KingpinValueCheck,
  kingpinRun,
  type KingpinApp,
} from "../upstream/kingpin";
import { ALLOY_RUN, ALLOY_RUN_FLAGS_VERSION, cobraArgs } from "../upstream/pflag";
import {
  operatorFlags,
  prometheusOperatorFlags,
  prometheusOperatorGates,
} from "../upstream/prometheusOperatorScope";
import {
  NODE_ADDRESS_PRIORITIES,
  OPERATOR_LOG_VALUES,
  PROMETHEUS_OPERATOR_VERSION,
  REPAIR_POLICIES,
} from "../upstream/operators/prometheusOperator";
import { closestMatch } from "@homelab-observability/contract";
import { GO_BOOL, goQuote } from "../upstream/goStrconv";

/**
 * What a program does with its command line: starts with these flags, or stops at start (and why;
 * `value`, a flag's value it refuses, with the values the flag takes), or unknown.
 */
export type ProcessArgs =
  | { flags: Map<string, string[]> }
  | { stops: string; value?: { flag: string; given: string; takes: string } }
  | { unknown: string };

/** A program whose flag parser is modelled: its binary's name, image, and reading of its arguments. */
export interface Program {
  name: string;
  binary: string;
  repository: string;
  /** The program's pin, and the release whose flags the model lists (upstream/kingpin.ts, upstream/pflag.ts). */
  pin: ImageRef;
  version: string;
  read: (args: string[]) => ProcessArgs;
  /** The chart value that adds arguments, the usual way a stack's override reaches them. */
  values: string;
  /** How the parser takes flags, said in a message. */
  forms: string;
}

/** The values a check takes, said in a message. */
const takesWords = (check: KingpinValueCheck) =>
  `one of ${check.options.join(", ")}${check.anyCase ? " (in any case)" : ""}`;

/**
 * A kingpin application's reading: its flags, or why it stops, in the words it prints (`refuses`:
 * what it prints of kingpin's error and its exit status).
 */
const kingpinRead =
  (refuses: (error: string) => string, app: KingpinApp) =>
  (args: string[]): ProcessArgs => {
    const r = kingpinRun(args, app);
    if ("unknown" in r) return { unknown: `kingpin reads more arguments from the file ${r.unknown}` };
    if ("refused" in r) {
      const stops = refuses(r.refused);
      const check = r.value && app.values?.[r.value.flag];
      if (!r.value || !check) return { stops };
      return { stops, value: { ...r.value, takes: takesWords(check) } };
    }
    return "exits" in r ? { stops: `answers --${r.exits} and exits 0` } : r;
  };

/** Each flag kingpin takes, said in a message. */
const KINGPIN_FORMS =
  "--flag=value or --flag value, a boolean as --flag or --no-flag (no =value), each flag once unless it is a list, and no single-dash long flag (upstream/kingpin.ts)";

const PROGRAMS: readonly Program[] = [
  {
    name: "Alertmanager",
    binary: "alertmanager",
    repository: versions.images.alertmanager.repository,
    pin: versions.images.alertmanager,
    version: ALERTMANAGER_FLAGS_VERSION,
    // kingpin.Version gives --version a PreAction (cmd/alertmanager/main.go:185).
    // kingpin.Parse (global.go:38-39, 85-89 MustParse) prints `<name>: error: <why>, try --help`
    // (app.go:577-579) and exits 1, as the Debian prometheus-alertmanager does; the name is its
    // binary's (global.go:10), /bin/alertmanager in its image (Dockerfile:10 at v0.28.1).
    read: kingpinRead((e) => `refuses it ("alertmanager: error: ${e}, try --help") and exits 1`, {
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
    repository: versions.images.configReloader.repository,
    pin: versions.images.configReloader,
    version: CONFIG_RELOADER_FLAGS_VERSION,
    // Its --version and --short-version are plain booleans it checks after the parse (main.go:118-121).
    // It prints kingpin's error alone and exits 2 (cmd/prometheus-config-reloader/main.go:113-116);
    // then it stops on a log level or format its loggers refuse.
    read: (args) => {
      const r = kingpinRead((e) => `refuses it (it prints "${e}") and exits 2`, {
        flags: CONFIG_RELOADER_FLAGS,
        afterParse: ["version", "short-version"],
        values: CONFIG_RELOADER_VALUES,
      })(args);
      if (!("flags" in r)) return r;
      for (const [flag, check] of Object.entries(CONFIG_RELOADER_LOG_VALUES)) {
        const given = r.flags.get(flag)?.at(-1);
        if (given !== undefined && !kingpinTakes(check, given))
          return {
            stops: `stops through log.Fatal ("${check.error(given)}") and exits 1`,
            value: { flag, given, takes: takesWords(check) },
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
    repository: versions.images.alloy.repository,
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
    name: "prometheus-operator",
    // Its image's entrypoint, /bin/operator (Dockerfile:20, :30 at v0.93.0).
    binary: "operator",
    repository: versions.images.prometheusOperator.repository,
    pin: versions.images.prometheusOperator,
    version: PROMETHEUS_OPERATOR_VERSION,
    read: (args) => {
      // Its own FlagSet on ExitOnError (cmd/operator/main.go:808), parsed at :203: Go's flag
      // package prints the error and the usage and exits 2, or exits 0 after the usage for
      // -h/-help (go1.26.8 src/flag/flag.go:1170-1176); --version and --short-version print and
      // exit 0 before any controller starts (main.go:249-253). Its command (`start`, `crds`, ...)
      // is the prometheus-operator scope's to judge (checks/unreconciledServers.ts).
      const r = operatorFlags(args);
      if ("unknown" in r) return r;
      if ("refused" in r) {
        const undeclared = /^flag provided but not defined: -(.+)$/.exec(r.refused)?.[1];
        const { flags, sources } = prometheusOperatorFlags();
        const near = undeclared === undefined ? undefined : closestMatch(undeclared, Object.keys(flags));
        const meant = near === undefined ? "" : ` (did you mean --${near}? declared at ${sources[near]})`;
        return { stops: `refuses it ("${r.refused}")${meant} and exits 2` };
      }
      if ("exits" in r) return { stops: "answers -help with its usage and exits 0" };
      // A value its flag's Set refuses ends Go's parse as an undeclared flag does (flag.go failf,
      // "invalid value %q for flag -%s: %v"); the parse met no other error, so this one is the first.
      const set = operatorSetRefusal(r.flags);
      if (set !== undefined) return { stops: set };
      for (const name of ["version", "short-version"])
        if (r.flags.get(name)?.at(-1) === "true") return { stops: `answers --${name} and exits 0` };
      // Its first argument after the flags is its command, `start` when there is none
      // (cmd/operator/main.go:255-273 at v0.93.0): `crds` and `full-crds` print the CRDs and
      // return 0, any other prints "Unknown command: <it>" and returns 1. A boolean flag takes its
      // value only as =value, so `--web.enable-tls true` makes `true` the command.
      const command = r.positional[0];
      if (command === undefined || command === "start") {
        const log = operatorLogStop(r.flags);
        if (log !== undefined) return { stops: log };
        const known = prometheusOperatorGates();
        const unknown = featureGateNames(r.flags.get("feature-gates") ?? []).filter(
          (n) => !known.includes(n),
        );
        if (unknown.length === 0) return { flags: r.flags };
        const near = unknown.map((n) => closestMatch(n, known)).filter((n) => n !== undefined);
        const meant = near.length === 0 ? "" : ` (did you mean ${near.join(", ")}?)`;
        return {
          stops: `refuses --feature-gates as it starts: ${unknown.map((n) => `feature gate ${goQuote(n)} is unknown`).join(", ")} (it knows ${known.join(", ")})${meant}, and exits 1`,
        };
      }
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
 * A value the Set of one of prometheus-operator's own flag types refuses, which ends Go's parse
 * (flag.go failf: "invalid value %q for flag -%s: %v", exit 2), in the flags' order: the first
 * flag given that holds one is said. The v0.93.0 binary refuses each case below so.
 */
function operatorSetRefusal(flags: ReadonlyMap<string, readonly string[]>): string | undefined {
  for (const [flag, values] of flags)
    for (const value of values) {
      const refused = OPERATOR_SETS[flag]?.(value);
      if (refused !== undefined)
        return `refuses it ("invalid value ${goQuote(value)} for flag -${flag}: ${refused.why}"${refused.takes ? `; it takes ${refused.takes}` : ""}) and exits 2`;
    }
  return undefined;
}

/** A value one of {@link OPERATOR_SETS} refuses: the Set's error, and what the flag takes when it is a list. */
type SetRefusal = { why: string; takes?: string } | undefined;
const oneOf =
  (values: readonly string[], why: (v: string) => string) =>
  (v: string): SetRefusal =>
    values.includes(v) ? undefined : { why: why(v), takes: values.join(", ") };

/**
 * A `--labels` or `--annotations` value (pkg/operator/config.go:230-247 Map.Set): an empty value
 * taken, else parted at commas, each part needing `=` (a trailing comma's empty part refused;
 * `--labels=a=b,c=` and `--annotations=` start).
 */
const mapSet = (value: string): SetRefusal => {
  const bad = value === "" ? undefined : value.split(",").find((pair) => !pair.includes("="));
  return bad === undefined ? undefined : { why: `invalid key=value pair: ${goQuote(bad)}` };
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
    if (eq < 0) return { why: "malformed pair, expect string=bool" };
    const [name, bool] = [pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()];
    if (!GO_BOOL.true.has(bool) && !GO_BOOL.false.has(bool))
      return {
        why: `invalid value of ${name}: ${bool}, err: strconv.ParseBool: parsing ${goQuote(bool)}: invalid syntax`,
      };
  }
  return undefined;
};

/** prometheus-operator's flags of its own Set types, each with what its Set refuses. */
const OPERATOR_SETS: Readonly<Record<string, (value: string) => SetRefusal>> = {
  // pkg/operator/statefulset_reporter.go:39-58: "invalid value: <it>".
  "repair-policy-for-statefulsets": oneOf(REPAIR_POLICIES, (v) => `invalid value: ${v}`),
  // pkg/operator/config.go:350-356; its message names the two itself.
  "kubelet-node-address-priority": (v) =>
    NODE_ADDRESS_PRIORITIES.includes(v)
      ? undefined
      : {
          why: `invalid value for node address priority, expected 'internal' or 'external' but got: ${goQuote(v)}`,
        },
  labels: mapSet,
  annotations: mapSet,
  "feature-gates": featureGatesSet,
};

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
 * What the program container `c` runs (known by its image) does with its command line; undefined
 * for a container of no modelled program or a command line not known.
 */
export function processArgs(c: any): { program: Program; args: string[]; read: ProcessArgs } | undefined {
  const program = PROGRAMS.find((p) => imageMatches(String(c?.image ?? ""), p.repository));
  const args = program && argsOf(c, program);
  if (!program || !args) return undefined;
  const read = program.read(args);
  return { program, args, read: ("stops" in read && unsure(c, program, args, read)) || read };
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
  { stops, value }: { stops: string; value?: { given: string } },
): { unknown: string } | undefined {
  const image = String(c.image ?? "");
  if (!runsVersion(image, program.version, program.pin))
    return {
      unknown: `the image ${image} is not ${program.name} ${program.version}, whose flags the model lists`,
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
  for (const t of podTemplates(objects))
    for (const c of [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])]) {
      const p = processArgs(c);
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
