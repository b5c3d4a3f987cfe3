/**
 * The namespaces a prometheus-operator reads monitors in and reconciles Prometheus and
 * PrometheusAgent resources in, from its Deployment's flags; read, not run, at v0.93.0:
 * - `--namespaces` (the allow list) and `--deny-namespaces` (cmd/operator/main.go:173-174), each
 *   value a comma list added to a set, so a flag given twice adds both (pkg/operator/config.go:383-393);
 *   both given, whatever their values, the operator exits (main.go:296-298); no allow list is
 *   every namespace (config.go:295-297);
 * - ServiceMonitors, PodMonitors, Probes and ScrapeConfigs are listed in the allow list's namespaces,
 *   or in every namespace but the deny list's when it is every one (pkg/prometheus/server/
 *   operator.go:281-341, pkg/prometheus/agent/operator.go:233-285; pkg/informers/informers.go:218-237:
 *   the deny list only filters an all-namespace informer), so a monitor elsewhere is never read;
 * - Prometheus and PrometheusAgent resources are watched in `--prometheus-instance-namespaces`
 *   (main.go:175), the allow list when unset (config.go:299-301), with the same deny filter
 *   (server/operator.go:249-252, agent/operator.go:202-205): one elsewhere is never reconciled.
 * kube-prometheus-stack 88.0.0 writes `--deny-namespaces` from `prometheusOperator.denyNamespaces`
 * and `--namespaces` from `prometheusOperator.namespaces` (templates/prometheus-operator/
 * deployment.yaml:74-87). The flags are read as Go's flag package reads them (upstream/goflag.ts).
 */
import * as path from "path";
import { goFlagArgs, lastValue, type GoFlag, type GoFlagArgs } from "./goflag";
import {
  OPERATOR_FLAG_COLUMNS,
  OPERATOR_GATE_COLUMNS,
  PROMETHEUS_OPERATOR_VERSION,
  prometheusOperatorFolder,
} from "./operators/prometheusOperator";
import { columnsOf, readReferenceFile, referenceDataDir, tsvRows } from "./reference";

/** A Deployment as much as this reads of it. */
interface DeploymentLike {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: any;
}

/** What one operator reads: the allow list (undefined: every namespace), the deny list, the instances' list. */
interface Scope {
  allow?: Set<string>;
  deny: Set<string>;
  instances?: Set<string>;
  /** The deny list as it filters the instances (empty when their list is not `""` alone). */
  instancesDeny: Set<string>;
  /** `--prometheus-instance-selector` (main.go:187; "" when not given). */
  selector: string;
  /** `--controller-id` (main.go:170; "" when not given). */
  controllerId: string;
  /** The flag the instances' namespaces come from, and the operator's Deployment. */
  instancesFrom: "prometheus-instance-namespaces" | "namespaces" | "deny-namespaces";
  operator: DeploymentLike;
}

/** A Prometheus or PrometheusAgent as much as this reads of it. */
export interface ServerLike {
  metadata: { namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** The annotation naming the operator that reconciles a server (pkg/operator/resource_reconciler.go:103). */
const CONTROLLER_ID = "operator.prometheus.io/controller-id";

/**
 * Whether labels `labels` certainly match label selector `selector` in the forms this reads
 * (`k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-joined); undefined for any other form (`in`, `notin`).
 */
function selectorMatches(selector: string, labels: Record<string, string>): boolean | undefined {
  if (selector.trim() === "") return true;
  let verdict: boolean | undefined = true;
  for (const part of selector.split(",")) {
    const m = /^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*(?:(==|=|!=)\s*([A-Za-z0-9_.-]*))?\s*$/.exec(part);
    if (!m || (m[1] && m[3])) return undefined;
    const [, not, key, op, value] = m;
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    const ok =
      op === undefined ? has !== (not === "!") : op === "!=" ? labels[key] !== value : labels[key] === value;
    if (!ok) verdict = false;
  }
  return verdict;
}

const IMAGE = /(^|\/)prometheus-operator\/prometheus-operator(:|@|$)/;

/** The folder of prometheus-operator's reference data at the version the stack's charts pin. */
const OPERATOR_DATA = prometheusOperatorFolder(PROMETHEUS_OPERATOR_VERSION);
const OPERATOR_FLAGS_FILE = "flags.tsv";

/** A flag's value type (the Go type its registration sets) and where that type's parse is. */
export interface OperatorValueType {
  type: string;
  set: string;
}

let operatorFlagTable:
  | {
      flags: Record<string, GoFlag>;
      sources: Record<string, string>;
      types: Record<string, OperatorValueType>;
    }
  | undefined;

/**
 * prometheus-operator's flags at PROMETHEUS_OPERATOR_VERSION, each as Go's flag package takes it
 * (upstream/goflag.ts), with the file:line of its registration: upstream/operators/data/
 * prometheus-operator-<version>/flags.tsv, read from the operator's Go source by
 * `npm run refresh-reference -- prometheus-operator` (upstream/refresh/prometheusOperator.ts): the
 * `BoolVar`s booleans, every other (`StringVar`, `DurationVar`, `Float64Var`, `Var`) a value
 * (cmd/operator/main.go:136-200, pkg/server/server.go:70-88, internal/log/log.go:48-49,
 * pkg/versionutil/cli.go:41-42, pkg/operator/config.go:127 `--feature-gates`; no `Var` type of
 * the module has IsBoolFlag, which the refresh checks). It declares neither `-h` nor `-help`.
 * `types`: the Go type each flag sets (`time.Duration`, `operator.Quantity`, ...) and its parse
 * (`flag`: Go's flag package; `file:line` of the type's Set method; `<module>@<version>`), which the
 * process-args check judges a value by (upstream/refresh/goValueTypes.ts reads them).
 */
export function prometheusOperatorFlags(): {
  flags: Readonly<Record<string, GoFlag>>;
  sources: Readonly<Record<string, string>>;
  types: Readonly<Record<string, OperatorValueType>>;
} {
  if (operatorFlagTable) return operatorFlagTable;
  const file = path.join(referenceDataDir("operators", OPERATOR_DATA), OPERATOR_FLAGS_FILE);
  const where = `upstream/operators/data/${OPERATOR_DATA}/${OPERATOR_FLAGS_FILE}`;
  const [header, ...rows] = tsvRows(readReferenceFile(file));
  const [f, k, t, set, s] = columnsOf(header, OPERATOR_FLAG_COLUMNS, where);
  const flags: Record<string, GoFlag> = {};
  const sources: Record<string, string> = {};
  const types: Record<string, OperatorValueType> = {};
  for (const r of rows) {
    if (r[k] !== "bool" && r[k] !== "value")
      throw new Error(`${where}: expected kind bool or value for ${r[f]}, found ${JSON.stringify(r[k])}`);
    flags[r[f]] = r[k];
    sources[r[f]] = r[s];
    types[r[f]] = { type: r[t], set: r[set] };
  }
  operatorFlagTable = { flags, sources, types };
  return operatorFlagTable;
}

let operatorGateNames: readonly string[] | undefined;
/**
 * The feature gates prometheus-operator v0.93.0 knows (upstream/operators/data/<version>/gates.tsv,
 * refreshed from pkg/operator/config.go's default Gates map and feature_gates.go's names): a
 * `--feature-gates` name outside them stops it as it starts.
 */
export function prometheusOperatorGates(): readonly string[] {
  if (operatorGateNames) return operatorGateNames;
  const where = `upstream/operators/data/${OPERATOR_DATA}/gates.tsv`;
  const [header, ...rows] = tsvRows(
    readReferenceFile(path.join(referenceDataDir("operators", OPERATOR_DATA), "gates.tsv")),
  );
  const [g] = columnsOf(header, OPERATOR_GATE_COLUMNS, where);
  operatorGateNames = rows.map((r) => r[g]);
  return operatorGateNames;
}

/**
 * What prometheus-operator v0.93.0 makes of `args`, the arguments after its binary: its flags as
 * Go's flag package parses them on its ExitOnError FlagSet (main.go:808, :203), so `--namespaces v`
 * and `--namespaces=v` alike, and no flag after the first argument that is not one (its command,
 * `start` by default, main.go:255-259).
 */
export const operatorFlags = (args: readonly string[]): GoFlagArgs =>
  goFlagArgs(args, { flags: prometheusOperatorFlags().flags });

type Flags = { flags: Map<string, string[]> };

/** A rendered operator that runs no controller: why, in words for a message ("runs no controller: <idle>"). */
type Idle = { idle: string };

/** The values given to flag `name` in the operator's flags, each split at commas; undefined when it is not given. */
const flagValues = (read: Flags, name: string): string[] | undefined =>
  read.flags.get(name)?.flatMap((v) => v.split(","));

/** Whether an argument is the operator's `--prometheus-config-reloader` flag (main.go:160), given at all. */
const RELOADER_FLAG = /^--?prometheus-config-reloader(=|$)/;

/**
 * Whether a container runs prometheus-operator: its image, or one mirrored under another name
 * (`prometheusOperator.image.repository`) known by the operator's own `--prometheus-config-reloader`
 * flag (main.go:160), which kube-prometheus-stack 88.0.0 always writes (templates/prometheus-operator/
 * deployment.yaml:96-100).
 */
const isOperator = (image: string, args: string[]) =>
  IMAGE.test(image) || args.some((a) => RELOADER_FLAG.test(a));

/**
 * The arguments the operator's binary gets in container `c`: its `args` under the image's entrypoint
 * (`/bin/operator`, Dockerfile:20, :30 at v0.93.0), or after a `command` that runs the binary; undefined for
 * another command (a shell's), whose command line is not read.
 */
function argsOf(c: any): string[] | undefined {
  const command: unknown[] | undefined = Array.isArray(c.command) ? c.command : undefined;
  if (command !== undefined && !(typeof command[0] === "string" && /(^|\/)operator$/.test(command[0])))
    return undefined;
  return [...(command ?? []).slice(1), ...(Array.isArray(c.args) ? c.args : [])].map(String);
}

/** The containers of Deployment `o` that run prometheus-operator, as {@link isOperator} knows one. */
function operatorContainers(o: DeploymentLike): any[] {
  if (o.kind !== "Deployment") return [];
  return ((o.spec?.template?.spec?.containers ?? []) as any[]).filter((c) =>
    isOperator(String(c.image ?? ""), [...(c.command ?? []), ...(c.args ?? [])].map(String)),
  );
}

/**
 * What each container of Deployment `o` that runs prometheus-operator (as {@link isOperator} knows
 * one) makes of its command line: its flags; why it runs no controller (a command line it refuses,
 * which Go's ExitOnError FlagSet ends with exit 2, or answers with its usage; `--version`/
 * `--short-version`, which print and exit at main.go:250-253; a command other than `start`,
 * main.go:255-273: `crds` and `full-crds` print and exit, another exits 1); or null when its
 * command line is not read (run through a shell): whether it reconciles anything is not known.
 */
function operatorArgs(o: DeploymentLike, stops: OperatorStops): (Flags | Idle | null)[] {
  return operatorContainers(o).map((c): Flags | Idle | null => {
    const args = argsOf(c);
    if (args === undefined) return null;
    const read = operatorFlags(args);
    if ("refused" in read) return { idle: `it refuses its command line (${read.refused}) and exits 2` };
    if ("exits" in read) return { idle: "-h/-help asks for its usage, which it prints and exits" };
    if (!("flags" in read)) return null;
    const on = (name: string) => read.flags.get(name)?.at(-1) === "true";
    for (const name of ["version", "short-version"])
      if (on(name)) return { idle: `--${name} prints its version and exits` };
    const command = read.positional[0] ?? "start";
    if (command === "start") {
      // A value its flag's Set refuses, a log level or a feature gate it stops on: the caller's reading.
      const stop = stops(c);
      return stop === undefined ? read : { idle: `given its command line, it ${stop}` };
    }
    return {
      idle:
        command === "crds" || command === "full-crds"
          ? `its command ${JSON.stringify(command)} prints the CRDs and exits`
          : `its command ${JSON.stringify(command)} is not one it has (crds, full-crds, start): it exits 1`,
    };
  });
}

/**
 * How an operator container stops at start on a command line whose flags its parse takes (a value
 * its flag's Set refuses, a log level or feature gate it does not know), in words to follow "it";
 * undefined when it starts. Given by the caller (checks/processArgs.ts prometheusOperatorStop), so
 * the check that says the stop and the scope read a command line one way.
 */
export type OperatorStops = (container: any) => string | undefined;

/** Whether `o` is a Deployment with a container running prometheus-operator. */
export const runsPrometheusOperator = (o: DeploymentLike): boolean => operatorContainers(o).length > 0;

/**
 * Why the operator of Deployment `operator` runs no controller; `flags` when two flags given together
 * are why, `replicas` when no pod of it runs.
 */
type IdleOperator = Idle & { operator: DeploymentLike; flags?: "namespaces-and-deny"; replicas?: true };

/**
 * Whether Deployment `o` runs no pod: `spec.replicas` 0, an explicit zero (left out it is 1: k8s.io/api
 * v0.36.3, prometheus-operator v0.93.0's, apps/v1/types.go:379-382). An operator scaled to 0,
 * whatever its flags, reconciles nothing.
 */
export const scaledToZero = (o: { kind?: string; spec?: any }): boolean => o.spec?.replicas === 0;

/**
 * The scope of each prometheus-operator Deployment of `objects`; why one runs no controller (it
 * refuses its flags, an allow and a deny list among them, or does not start); null for one whose
 * command line is not read.
 */
function scopes(
  objects: DeploymentLike[],
  stops: OperatorStops = () => undefined,
): (Scope | IdleOperator | null)[] {
  const commands = objects.flatMap((o) => operatorArgs(o, stops).map((read) => ({ read, operator: o })));
  return commands.map(({ read, operator }): Scope | IdleOperator | null => {
    if (scaledToZero(operator))
      return { idle: "its Deployment runs no pod (spec.replicas 0)", replicas: true, operator };
    if (read === null) return null;
    if ("idle" in read) return { ...read, operator };
    // Each time a flag is given its set gains an entry, "" for an empty value, so the operator
    // exits on both flags given whatever their values (main.go:296-298: `--namespaces=`, which
    // kube-prometheus-stack writes for `namespaces: {releaseNamespace: false}`, counts).
    if (flagValues(read, "namespaces") && flagValues(read, "deny-namespaces"))
      return {
        idle: "it is given both --namespaces and --deny-namespaces and exits 1",
        flags: "namespaces-and-deny",
        operator,
      };
    // The empty name is corev1.NamespaceAll: an allow list holding it lists every namespace
    // (informers.go:218-237, its informer for "" unfiltered).
    const set = (name: string) => {
      const v = flagValues(read, name);
      return v === undefined || v.includes("") ? undefined : new Set(v);
    };
    const allow = set("namespaces");
    // Each deny list entry becomes `metadata.namespace!=<entry>` (pkg/listwatch/listwatch.go:
    // 226-242 DenyTweak): an empty one excludes nothing, the others stay denied (`monitoring,`).
    const deny = new Set((flagValues(read, "deny-namespaces") ?? []).filter((n) => n !== ""));
    // Go's flag.StringVar and LabelSelector.Set keep the last value given (config.go:330-337).
    const lastOf = (name: string) => lastValue(read, name) ?? "";
    // A list given replaces the allow list (config.go:299-301), `""` in it too (every namespace);
    // the deny list filters an informer of `""` alone (listwatch.go:172-175 IsAllNamespaces,
    // informers.go:225-230), and "" among other names is an unfiltered informer of every namespace.
    const given = flagValues(read, "prometheus-instance-namespaces");
    const instances = given === undefined ? allow : set("prometheus-instance-namespaces");
    const everywhere = given !== undefined && given.includes("") && new Set(given).size > 1;
    return {
      allow,
      deny,
      instances,
      instancesDeny: everywhere ? new Set() : deny,
      selector: lastOf("prometheus-instance-selector"),
      controllerId: lastOf("controller-id"),
      instancesFrom:
        given !== undefined && instances
          ? "prometheus-instance-namespaces"
          : instances
            ? "namespaces"
            : "deny-namespaces",
      operator,
    };
  });
}

const isScope = (s: Scope | IdleOperator | null): s is Scope => s !== null && !("idle" in s);

const inScope = (list: Set<string> | undefined, deny: Set<string>, ns: string) =>
  list ? list.has(ns) : !deny.has(ns);

/** An operator of the default flags, taken for the stack's when it renders none: it reads every namespace. */
const EVERYWHERE: Scope = {
  deny: new Set(),
  instancesDeny: new Set(),
  selector: "",
  controllerId: "",
  instancesFrom: "deny-namespaces",
  operator: {},
};

/**
 * Which of the rendered prometheus-operators reconcile which server and read which monitors.
 * A server is reconciled by each operator (none rendered: one of the default flags; one refusing
 * its flags, an allow and a deny list, runs none) whose instances' namespaces hold it, whose
 * `--prometheus-instance-selector` its labels match (the informer's label selector,
 * server/operator.go:249-259, agent/operator.go:202-211) and whose `--controller-id` its
 * `operator.prometheus.io/controller-id` annotation equals, both empty by default
 * (resource_reconciler.go:722-735); one no operator certainly reconciles (none, or a selector form
 * not read here) is never judged: nothing rewrites its config. A monitor is rejected from a
 * server's config when every operator reconciling the server reads the monitor's namespace.
 */
export function operatorReads(objects: DeploymentLike[]): {
  servers: (server: ServerLike) => boolean;
  monitors: (server: ServerLike, ns: string) => boolean;
} {
  const found = scopes(objects);
  const running = found.length === 0 ? [EVERYWHERE] : found.filter(isScope);
  const verdicts = ({ metadata: m }: ServerLike) =>
    running.map((s) =>
      inScope(s.instances, s.instancesDeny, m.namespace ?? "") &&
      (m.annotations?.[CONTROLLER_ID] ?? "") === s.controllerId
        ? selectorMatches(s.selector, m.labels ?? {})
        : false,
    );
  const reconcilers = (server: ServerLike) => {
    const v = verdicts(server);
    return v.includes(undefined) ? [] : running.filter((_, i) => v[i]);
  };
  return {
    servers: (server) => reconcilers(server).length > 0,
    monitors: (server, ns) => {
      const by = reconcilers(server);
      return by.length > 0 && by.every((s) => inScope(s.allow, s.deny, ns));
    },
  };
}

/**
 * Why one rendered operator leaves a server alone: the flag that does, and its value as the operator
 * reads it; or why it runs no controller at all (`idle`, with `flags` when two flags given together are why).
 */
export type LeftAlone =
  | {
      operator: DeploymentLike;
      flag:
        | "prometheus-instance-namespaces"
        | "namespaces"
        | "deny-namespaces"
        | "prometheus-instance-selector"
        | "controller-id";
      value: string;
    }
  | IdleOperator;

/**
 * For each server, why no rendered prometheus-operator reconciles it: each operator's flags that leave it
 * alone (every one, as each must be mended), or why it runs no controller (it refuses its command
 * line, exits on --namespaces with --deny-namespaces, main.go:296-298, or does not start);
 * `"none"` when the render holds no operator; undefined when one reconciles it, when one's command
 * line is not read, or when that rests on a selector form not read here. An operator leaves a server alone
 * outside its instances' namespaces (`--prometheus-instance-namespaces`, else `--namespaces`, else
 * all but `--deny-namespaces`: config.go:295-301, server/operator.go:249-252, agent/operator.go:
 * 202-205), when its `--prometheus-instance-selector` does not match the server's labels (the
 * informer's label selector, server/operator.go:255-257, agent/operator.go:208-210), or when its
 * `--controller-id` differs from the server's `operator.prometheus.io/controller-id` annotation
 * (isManagedByController, resource_reconciler.go:722-735).
 */
export function whyLeftAlone(
  objects: DeploymentLike[],
  stops?: OperatorStops,
): (server: ServerLike) => LeftAlone[] | "none" | undefined {
  // The operators' command lines read once for every server judged.
  const found = scopes(objects, stops);
  return (server) => whyScopesLeave(found, server);
}

function whyScopesLeave(
  found: (Scope | IdleOperator | null)[],
  server: ServerLike,
): LeftAlone[] | "none" | undefined {
  if (found.length === 0) return "none";
  if (found.includes(null)) return undefined;
  const m = server.metadata;
  const out: LeftAlone[] = found.filter((s): s is IdleOperator => s !== null && "idle" in s);
  for (const s of found.filter(isScope)) {
    const mine: LeftAlone[] = [];
    const ns = m.namespace ?? "";
    if (!inScope(s.instances, s.instancesDeny, ns)) {
      const list =
        s.instancesFrom === "deny-namespaces" ? s.instancesDeny : (s.instances ?? new Set<string>());
      mine.push({ operator: s.operator, flag: s.instancesFrom, value: [...list].join(",") });
    }
    const matches = selectorMatches(s.selector, m.labels ?? {});
    if (matches === undefined) return undefined;
    if (!matches)
      mine.push({ operator: s.operator, flag: "prometheus-instance-selector", value: s.selector });
    if ((m.annotations?.[CONTROLLER_ID] ?? "") !== s.controllerId)
      mine.push({ operator: s.operator, flag: "controller-id", value: s.controllerId });
    if (mine.length === 0) return undefined;
    out.push(...mine);
  }
  return out;
}
