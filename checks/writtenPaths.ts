/**
 * Every path Mimir or Loki writes lies on a volume the pod mounts writable, for the pod's user; and
 * every Mimir `-target` names a module Mimir 3.0 has (which modules run decides which paths are
 * written). The paths, their config keys, flags and defaults, and the modules that write each are
 * upstream's (upstream/engines/writablePaths.ts, upstream/engines/mimirModules.ts); this check reads
 * the config file each container is given (the mounted ConfigMap or Secret its `-config.file` names)
 * and its flags, resolves a relative path against the image's working directory, and finds the
 * mount. Without it, Mimir's default activity log `./metrics-activity.log` lands in `/`, which its
 * uid cannot write, and no Mimir process starts.
 */
import * as path from "path";
import { parseUserYaml } from "../model/yamlText";
import { isSecretEnvelope } from "@homelab-observability/contract";
import {
  describe,
  podTemplates,
  type Finding,
  type K8sObject,
  type Placed,
  type PodTemplate,
} from "./objects";
import {
  ALLOY_IMAGE_WORKDIR,
  ALLOY_STORAGE_PATH,
  LOKI_IMAGE_WORKDIR,
  LOKI_TARGET_MODULES,
  LOKI_WRITTEN_PATHS,
  MIMIR_DEFAULT_STORAGE_BACKEND,
  MIMIR_IMAGE_WORKDIR,
  MIMIR_WRITTEN_PATHS,
  type WrittenPath,
} from "../upstream/engines/writablePaths";
import { MIMIR_3_0_TARGETS, mimirModulesOf } from "../upstream/engines/mimirModules";
import { binaryArgs, processArgs } from "./processArgs";
import { mirrorsOf } from "./imageDigests";
import { goFlagArgs, type GoFlag, type GoFlagSet } from "../upstream/goflag";
import {
  ENGINE_MAIN_FLAGS,
  engineDeclaredFlags,
  loadEngineReference,
  mimirLoaderFlags,
} from "../upstream/engines/references";
import { MissingReferenceError } from "../upstream/reference";

type Engine = "mimir" | "loki";

export function engineOf(image: string): Engine | undefined {
  if (/(^|\/)grafana\/mimir(:|@|$)/.test(image)) return "mimir";
  if (/(^|\/)grafana\/loki(:|@|$)/.test(image)) return "loki";
  return undefined;
}

const engineFlagSets = new Map<Engine, GoFlagSet>();

/**
 * The flags an engine declares as Go's flag package takes them (upstream/goflag.ts): each flag of
 * its configuration reference, a `boolean` one a boolean (Mimir's reference lists its help-all
 * flags, -config.file and -help among them), and Loki's own. Partial: a flag not listed (a hidden
 * one) is read when given as `-flag=value`, and one given bare leaves the command line unknown.
 */
export function engineFlagSet(engine: Engine): GoFlagSet {
  let set = engineFlagSets.get(engine);
  if (!set) {
    let flags: Readonly<Record<string, GoFlag>> = { ...ENGINE_MAIN_FLAGS[engine] };
    try {
      flags = engineDeclaredFlags(loadEngineReference(engine));
    } catch (e) {
      // engine-config says the reference is missing; the flags given as -flag=value are still read.
      if (!(e instanceof MissingReferenceError)) throw e;
    }
    set = { flags, partial: true };
    engineFlagSets.set(engine, set);
  }
  return set;
}

/**
 * The binary each engine's image runs: grafana/loki v3.7.6 cmd/loki/Dockerfile:31 (`/usr/bin/loki`);
 * Mimir's cmd/mimir/Dockerfile:14-16 (`/bin/mimir`), read at grafana/mimir 1b45c974, not at the
 * mimir-3.0.0 tag (no copy of that tree here). Only a `command` is judged by it.
 */
const ENGINE_BINARY: Record<Engine, string> = { loki: "loki", mimir: "mimir" };

/**
 * The arguments an engine container's binary is given: its `args` under the image's entrypoint, or
 * after a `command` that runs the engine's binary; `unread` when they are not known (another command,
 * a shell's, or an argument that is not a string).
 */
export function engineArgs(c: any, engine: Engine): { args: string[] } | { unread: string } {
  return binaryArgs(c, ENGINE_BINARY[engine]);
}

/**
 * An engine container's flags as Go's flag package reads them (upstream/goflag.ts): `-flag=value`,
 * `--flag value`, a boolean bare, none after `--` or the first argument that is not a flag, the last
 * of a repeated one winning. The arguments are the container's `args` under the image's entrypoint,
 * or after a `command` that runs the engine's binary. `unread` says why they are not known: another
 * command (a shell's), a bare flag the table does not list, or a command line the engine refuses
 * or answers with its usage (it then never starts). Mimir's `config.file` and `config.expand-env` are
 * its loader's ({@link mimirLoaderFlags}), given even when the other flags are not known.
 */
export function engineFlags(c: any, engine: Engine): { flags: Map<string, string>; unread?: string } {
  const given = engineArgs(c, engine);
  if ("unread" in given) return { flags: new Map(), unread: given.unread };
  // Mimir finds its config file in a first pass of its own, wherever it stands and before the main
  // parse can fail (mimirLoaderFlags): its file is known whenever its arguments are.
  const loader = engine === "mimir" ? mimirLoaderFlags(given.args) : new Map<string, string>();
  const read = goFlagArgs(given.args, engineFlagSet(engine));
  if ("unknown" in read) return { flags: loader, unread: read.unknown };
  if ("refused" in read) return { flags: loader, unread: `Go's flag package refuses it: ${read.refused}` };
  if ("exits" in read) return { flags: loader, unread: "it asks for the usage (-h/-help)" };
  return {
    flags: new Map([...[...read.flags].map(([name, values]) => [name, values.at(-1)!] as const), ...loader]),
  };
}

/**
 * A container's args as (flag, value) pairs, each flag's values in order, as Go's flag package reads
 * them for a program declaring `set`; undefined unless they are read whole as flags: not when Go
 * refuses them, a bare flag `set` does not list leaves them unknown, or an argument follows the
 * flags (`-flag value` is read where `set` lists the flag, and a bare boolean).
 */
export function flagPairs(args: unknown, set: GoFlagSet): [string, string][] | undefined {
  const list: unknown[] = Array.isArray(args) ? args : [];
  if (!list.every((a): a is string => typeof a === "string")) return undefined;
  const read = goFlagArgs(list, set);
  if (!("flags" in read) || read.positional.length > 0) return undefined;
  return [...read.flags].flatMap(([name, values]) => values.map((v): [string, string] => [name, v]));
}

function get(config: unknown, key: string): unknown {
  let v: any = config;
  for (const part of key.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[part];
  }
  return v;
}

/** The mount holding `file` (the deepest one), if any. */
function mountOf(mounts: any[], file: string): { mountPath: string; [k: string]: any } | undefined {
  return mounts
    .filter((m): m is { mountPath: string } => typeof m?.mountPath === "string")
    .filter((m) => {
      const rel = path.posix.relative(m.mountPath, file);
      return rel === "" || (!rel.startsWith("..") && !path.posix.isAbsolute(rel));
    })
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
}

/** The text of the config file a container reads, from the ConfigMap or Secret mounted there. */
export function configText(
  objects: Placed[],
  ns: string,
  volumes: Map<string, any>,
  mounts: any[],
  file: string,
): string | undefined {
  const mount = mountOf(mounts, file);
  const volume = mount && volumes.get(mount.name);
  const source = volume?.configMap ?? volume?.secret;
  if (!mount || !source) return undefined;
  const kind = volume.configMap ? "ConfigMap" : "Secret";
  const name = volume.configMap ? source.name : source.secretName;
  const rel = path.posix.relative(mount.mountPath, file);
  const key = (source.items ?? []).find((i: any) => i.path === rel)?.key ?? (source.items ? undefined : rel);
  const obj = objects.find(
    (p) => p.obj.kind === kind && p.obj.metadata.namespace === ns && p.obj.metadata.name === name,
  )?.obj;
  if (!obj || key === undefined) return undefined;
  if (typeof obj.stringData?.[key] === "string") return obj.stringData[key];
  const data = obj.data;
  if (!data || typeof data !== "object" || isSecretEnvelope(data) || typeof data[key] !== "string")
    return undefined;
  return kind === "Secret" ? Buffer.from(data[key], "base64").toString("utf8") : data[key];
}

/** A Loki or Mimir container of a rendered pod, with what the engine checks read of it. */
export interface EngineContainer {
  template: PodTemplate;
  /** The pod's namespace. */
  ns: string;
  /** The pod's volumes by name. */
  volumes: Map<string, any>;
  container: any;
  engine: Engine;
  /** `<owner> container <name>`, where findings point. */
  where: string;
  /** Its command and args, the strings among them. */
  args: string[];
  /** Its flags, the last value of each ({@link engineFlags}); none when they are not known (but Mimir's loader's). */
  flags: Map<string, string>;
  /** Why its flags are not known, when they are not. */
  unread?: string;
  /** `-config.file`, if set. */
  file?: string;
  /** That file's text, where the render shows it (a ConfigMap, a Secret that is no envelope). */
  text?: string;
}

/**
 * Every Loki and Mimir container of the rendered pods (by image), and the config file it reads: what
 * written-paths, engine-config and bucket-reads each judge.
 */
export function engineContainers(objects: Placed[]): EngineContainer[] {
  const out: EngineContainer[] = [];
  for (const t of podTemplates(objects)) {
    const ns = t.owner.obj.metadata.namespace ?? "";
    const volumes = new Map<string, any>((t.spec.volumes ?? []).map((v: any) => [v.name, v]));
    for (const c of t.spec.containers ?? []) {
      const engine = engineOf(String(c.image ?? ""));
      if (!engine) continue;
      const args: string[] = [...(c.command ?? []), ...(c.args ?? [])].filter(
        (a): a is string => typeof a === "string",
      );
      const { flags, unread } = engineFlags(c, engine);
      const file = flags.get("config.file");
      out.push({
        template: t,
        ns,
        volumes,
        container: c,
        engine,
        where: `${describe(t.owner)} container ${c.name}`,
        args,
        flags,
        ...(unread === undefined ? {} : { unread }),
        file,
        text: file ? configText(objects, ns, volumes, c.volumeMounts ?? [], file) : undefined,
      });
    }
  }
  return out;
}

/** What backs a volume name: its kind and, for a claim template, that it is one. */
function volumeKind(owner: K8sObject, volumes: Map<string, any>, name: string): string | undefined {
  const v = volumes.get(name);
  if (v) return Object.keys(v).find((k) => k !== "name");
  const claims: any[] = owner.spec?.volumeClaimTemplates ?? [];
  return claims.some((c) => c.metadata?.name === name) ? "volumeClaimTemplate" : undefined;
}

/** Volume kinds the kubelet always mounts read-only. */
const READ_ONLY_KINDS = new Set(["configMap", "secret", "projected", "downwardAPI"]);
/** Volume kinds whose root a non-root user can write only through the pod's fsGroup. */
const CLAIM_KINDS = new Set(["persistentVolumeClaim", "volumeClaimTemplate", "ephemeral"]);

export interface WrittenPathsReport {
  /** Paths judged, per container. */
  judged: number;
  findings: Finding[];
}

/** Where one written path is, and where its value came from. */
function valueOf(
  engine: Engine,
  entry: WrittenPath,
  config: unknown,
  flags: Map<string, string>,
): { value: string; from: string } {
  const flag = flags.get(entry.flag);
  if (flag !== undefined) return { value: flag, from: `flag -${entry.flag}` };
  const set = get(config, entry.key);
  if (typeof set === "string" && set !== "") return { value: set, from: entry.key };
  if (engine === "mimir" && entry.whenFilesystem) {
    // A store's filesystem dir falls back to the common storage's (Mimir's `common` block).
    const common = get(config, "common.storage.filesystem.dir");
    if (typeof common === "string" && common !== "")
      return { value: common, from: "common.storage.filesystem.dir" };
  }
  if (engine === "loki" && entry.underPathPrefix) {
    const prefix = flags.get("common.path-prefix") ?? get(config, "common.path_prefix");
    if (typeof prefix === "string" && prefix !== "")
      return {
        value: `${prefix.replace(/\/$/, "")}/${entry.underPathPrefix}`,
        from: `${entry.key} unset, under common.path_prefix`,
      };
  }
  return {
    value: entry.default,
    from: `${entry.key} unset, ${engine === "mimir" ? "Mimir" : "Loki"}'s default`,
  };
}

export function checkWrittenPaths(objects: Placed[]): WrittenPathsReport {
  const report: WrittenPathsReport = { judged: 0, findings: [] };
  judgeAlloyStorage(objects, report);
  for (const {
    template: t,
    volumes,
    container: c,
    engine,
    where,
    flags,
    unread,
    file,
    text,
  } of engineContainers(objects)) {
    // Flags not known: which paths and modules it writes is not known either.
    if (unread !== undefined) continue;
    const fail = (message: string) => report.findings.push({ check: "written-paths", where, message });
    const target = flags.get("target") ?? "all";
    let modules: readonly string[];
    if (engine === "mimir") {
      const m = mimirModulesOf(target);
      for (const name of m.unknown)
        fail(
          `-target=${target}: Mimir 3.0 has no module "${name}" and stops at start ("selected target (${name}) is an internal module, which is not allowed"); expected a comma-separated list of ${MIMIR_3_0_TARGETS.join(", ")}`,
        );
      modules = m.modules;
    } else {
      modules = target.split(",").flatMap((x) => LOKI_TARGET_MODULES[x.trim()] ?? [x.trim()]);
    }
    const mounts: any[] = c.volumeMounts ?? [];
    let config: unknown = {};
    if (file && text === undefined) continue; // a config the render cannot show: nothing to judge
    try {
      config = text === undefined ? {} : (parseUserYaml(text) ?? {});
    } catch {
      continue; // not YAML: other checks (and the engine) say so
    }
    const user = c.securityContext?.runAsUser ?? t.spec.securityContext?.runAsUser;
    const fsGroup = t.spec.securityContext?.fsGroup;
    const workdir = c.workingDir ?? (engine === "mimir" ? MIMIR_IMAGE_WORKDIR : LOKI_IMAGE_WORKDIR);
    const entries: readonly WrittenPath[] = engine === "mimir" ? MIMIR_WRITTEN_PATHS : LOKI_WRITTEN_PATHS;
    for (const entry of entries) {
      if (entry.writtenBy !== "every" && !entry.writtenBy.some((m) => modules.includes(m))) continue;
      if (entry.whenFilesystem) {
        const backend =
          get(config, entry.whenFilesystem) ??
          get(config, "common.storage.backend") ??
          MIMIR_DEFAULT_STORAGE_BACKEND;
        if (backend !== "filesystem") continue;
      }
      const { value, from } = valueOf(engine, entry, config, flags);
      if (value === "") continue; // unset without a default: the engine writes nothing there
      report.judged++;
      const abs = path.posix.resolve(workdir, value);
      const said = `${entry.key} is ${abs} (${from}; ${entry.source})`;
      const mount = mountOf(mounts, entry.kind === "file" ? path.posix.dirname(abs) : abs);
      if (!mount) {
        const root = c.securityContext?.readOnlyRootFilesystem
          ? "the container's root filesystem is read-only"
          : `the image's directories belong to root and the pod runs as uid ${user ?? "(unset)"}`;
        fail(
          `${said}, on no volume: ${root}, so ${engine === "mimir" ? "Mimir" : "Loki"} cannot create the ${entry.kind}; set ${entry.key} under a mounted volume (e.g. the data volume)`,
        );
        continue;
      }
      const kind = volumeKind(t.owner.obj, volumes, mount.name);
      if (mount.readOnly) fail(`${said}, on volume ${mount.name} mounted read-only at ${mount.mountPath}`);
      else if (kind === undefined) fail(`${said}, on volume ${mount.name}, which the pod does not define`);
      else if (READ_ONLY_KINDS.has(kind))
        fail(`${said}, on ${kind} volume ${mount.name}, which the kubelet mounts read-only`);
      else if (kind === "hostPath" && user !== 0)
        fail(
          `${said}, on hostPath volume ${mount.name}, whose directories uid ${user ?? "(unset)"} cannot write`,
        );
      else if (CLAIM_KINDS.has(kind) && user !== undefined && user !== 0 && fsGroup === undefined)
        fail(
          `${said}, on claim ${mount.name}, which uid ${user} can write only with the pod's securityContext.fsGroup, unset`,
        );
    }
  }
  return report;
}

/** The alloy chart's values that place Alloy's storage path and the volumes under it (chart 1.5.0). */
const ALLOY_CHART_VALUES =
  "values.alloy.storagePath, and the volume under it from values.controller.volumes.extra mounted by values.alloy.mounts.extra";

/**
 * Alloy's `--storage.path` (its WALs and its files' and journal's positions) lies on a volume the
 * pod mounts writable: on the container's own filesystem it is lost with the container, and logs
 * are read again or lost on every restart (upstream/engines/writablePaths.ts ALLOY_STORAGE_PATH).
 * An override of `controller.volumes.extra` replaces the program's whole list, the volume under the
 * storage path with it. The message names the chart values that place it, which is how the
 * synthesis names the override behind it (synth/report.ts).
 */
function judgeAlloyStorage(objects: Placed[], report: WrittenPathsReport): void {
  const mirrors = mirrorsOf(objects);
  for (const t of podTemplates(objects)) {
    const volumes = new Map<string, any>((t.spec.volumes ?? []).map((v: any) => [v.name, v]));
    for (const c of t.spec.containers ?? []) {
      // Alloy known by its image as process-args knows it (the pin's repository, itself or through
      // the stack's imageMirrors), with its flags as cobra and pflag read them (checks/processArgs.ts:
      // `--storage.path value` too, the last one winning); a command line Alloy refuses stops it at
      // start, which process-args reports.
      const run = processArgs(c, mirrors);
      if (run?.program.binary !== "alloy") continue;
      const where = `${describe(t.owner)} container ${c.name}`;
      const read = run.read;
      if (!("flags" in read)) continue;
      const flag = read.flags.get(ALLOY_STORAGE_PATH.flag)?.at(-1);
      const value = flag ?? ALLOY_STORAGE_PATH.default;
      const abs = path.posix.resolve(c.workingDir ?? ALLOY_IMAGE_WORKDIR, value);
      report.judged++;
      const said = `Alloy's storage path (its write-ahead logs and log positions) is ${abs} (${flag === undefined ? `--${ALLOY_STORAGE_PATH.flag} unset, Alloy's default ${ALLOY_STORAGE_PATH.default}; ${ALLOY_STORAGE_PATH.source}` : `--${ALLOY_STORAGE_PATH.flag}`})`;
      const fix = `put it on a volume the pod mounts writable (an emptyDir, or a hostPath for a node agent); in the alloy chart: ${ALLOY_CHART_VALUES}, whose override replaces the program's whole list`;
      const mount = mountOf(c.volumeMounts ?? [], abs);
      const kind = mount && volumeKind(t.owner.obj, volumes, mount.name);
      const problem = !mount
        ? "on no volume: on the container's own filesystem, lost with the container, so every restart reads the logs again from where it starts or loses what the write-ahead log held"
        : mount.readOnly
          ? `on volume ${mount.name}, mounted read-only at ${mount.mountPath}`
          : kind === undefined
            ? `on volume ${mount.name}, which the pod does not define (the API server refuses the pod)`
            : READ_ONLY_KINDS.has(kind)
              ? `on ${kind} volume ${mount.name}, which the kubelet mounts read-only`
              : undefined;
      if (problem)
        report.findings.push({ check: "written-paths", where, message: `${said}, ${problem}; ${fix}` });
    }
  }
}
