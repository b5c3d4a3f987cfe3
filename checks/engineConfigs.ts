/**
 * Every Loki and Mimir container's config file and flags, judged by the engine's own configuration
 * reference at the pinned version (upstream/engines/references.ts, reading upstream/engines/data):
 * unknown keys and flags (both engines refuse them at load), values of the wrong type, durations
 * in the wrong unit family (`1d` in a Go `time.Duration` stops Loki at start), keys added after the
 * pinned version; every `${VAR}` whose value the stack shows must be safe to expand into YAML
 * (contract/expansion.ts). Experimental and deprecated fields are warnings. The reference's version
 * must be the pinned image's (model/versions.ts). `-target` modules are judged by written-paths
 * (upstream/engines/mimirModules.ts); the presence of each variable by env.
 *
 * The file judged is the one the container reads (its `-config.file`, from the mounted ConfigMap or
 * Secret): for Loki, what the chart renders from the program's values, not the values themselves.
 */
import { causeKey, expansionProblem, isSecretEnvelope } from "@homelab-observability/contract";
import { notYamlMessage, parseUserYaml } from "../model/yamlText";
import { versions } from "../model/versions";
import { pinPlace } from "../config/chartPins";
import {
  checkEngineConfig,
  checkEngineFlags,
  engineVersionProblem,
  loadEngineReference,
  type Engine,
  type EngineReference,
} from "../upstream/engines/references";
import { MissingReferenceError } from "../upstream/reference";
import type { Finding, Placed } from "./objects";
import { engineArgs, engineContainers } from "./writtenPaths";
import { unknownKeyHint } from "../config/lokiValueCheck";

export interface EngineConfigReport {
  /** Containers whose config file and flags were judged. */
  judged: number;
  findings: Finding[];
  /** Experimental or deprecated fields in use: said, not failed. */
  warnings: string[];
  notRun: string[];
}

/**
 * A config that is not YAML after expansion, placed and said in words: its storage credentials (a
 * Secret's, once expanded) may sit on the mistake's line, so nothing of the text is quoted.
 */
function notYaml(engine: string, file: string | undefined, text: string, e: unknown): string {
  const name = engine === "loki" ? "Loki" : "Mimir";
  return notYamlMessage(file ?? `${name}'s config`, text, e, `a ${name} config (YAML, after expansion)`);
}

/**
 * Whether a workload's pods are meant to keep running: a Job's or CronJob's run to completion, and
 * so does a bare Pod whose restartPolicy is not Always (its default).
 */
function serves(owner: { kind: string; spec?: any }): boolean {
  if (owner.kind === "Job" || owner.kind === "CronJob") return false;
  return owner.kind !== "Pod" || (owner.spec?.restartPolicy ?? "Always") === "Always";
}

const VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-?[^}]*)?\}/g;

export function checkEngineConfigs(objects: Placed[]): EngineConfigReport {
  const report: EngineConfigReport = { judged: 0, findings: [], warnings: [], notRun: [] };
  const refs = new Map<Engine, EngineReference | undefined>();
  const refOf = (engine: Engine): EngineReference | undefined => {
    if (refs.has(engine)) return refs.get(engine);
    let ref: EngineReference | undefined;
    try {
      ref = loadEngineReference(engine);
    } catch (e) {
      if (!(e instanceof MissingReferenceError)) throw e;
      report.notRun.push(`${engine === "loki" ? "Loki" : "Mimir"} config checks did not run: ${e.message}`);
    }
    const version = ref && engineVersionProblem(ref, versions.images[engine].tag);
    if (version) {
      report.findings.push({
        check: "engine-reference",
        // The line of the pin's tag, the one a bump changed.
        where: `${pinPlace(engine, undefined, "tag")} images.${engine}.tag`,
        message: version,
      });
      ref = undefined;
    }
    refs.set(engine, ref);
    return ref;
  };
  const find = (kind: string, ns: string, name: string) =>
    objects.find(
      (p) => p.obj.kind === kind && p.obj.metadata.namespace === ns && p.obj.metadata.name === name,
    )?.obj;
  /** A Secret's or ConfigMap's values, where the stack shows them (never a secret envelope). */
  const valuesOf = (kind: string, ns: string, name: string): Record<string, string> | undefined => {
    const o = find(kind, ns, name);
    if (!o) return undefined;
    if (o.stringData && typeof o.stringData === "object" && !isSecretEnvelope(o.stringData))
      return o.stringData;
    if (!o.data || typeof o.data !== "object" || isSecretEnvelope(o.data)) return undefined;
    return Object.fromEntries(
      Object.entries<unknown>(o.data)
        .filter((e): e is [string, string] => typeof e[1] === "string")
        .map(([k, v]) => [k, kind === "Secret" ? Buffer.from(v, "base64").toString("utf8") : v]),
    );
  };
  const judgedFiles = new Set<string>();
  for (const { template, ns, container: c, engine, where, args, flags, file, text } of engineContainers(
    objects,
  )) {
    const ref = refOf(engine);
    if (!ref) continue;
    const fail = (message: string) => report.findings.push({ check: "engine-config", where, message });
    report.judged++;
    // Its arguments as the binary gets them, read as Go's flag package reads them for the flags it
    // declares: under another command (a shell) none.
    const given = engineArgs(c, engine);
    if ("args" in given)
      for (const p of checkEngineFlags(ref, given.args, undefined, serves(template.owner.obj)).map(
        unknownKeyHint,
      ))
        if (p.severity === "error") fail(`flag ${p.path}: ${p.message}`);
        else report.warnings.push(`${where}: flag ${p.path}: ${p.message}`);
    if (text === undefined) continue; // a config the render cannot show (a secret envelope): nothing to judge
    const expand = /^(true|1)?$/.test(
      flags.get("config.expand-env") ?? (args.some((a) => /^--?config\.expand-env$/.test(a)) ? "" : "false"),
    );
    let expanded = text;
    if (expand) {
      // The values the stack shows: env values and the Secrets/ConfigMaps env and envFrom name.
      const value = (name: string): string | undefined => {
        const e = (c.env ?? []).find((x: any) => x.name === name);
        if (e) {
          if (typeof e.value === "string") return e.value;
          const r = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
          return r && valuesOf(e.valueFrom?.secretKeyRef ? "Secret" : "ConfigMap", ns, r.name)?.[r.key];
        }
        for (const s of c.envFrom ?? []) {
          const r = s.secretRef ?? s.configMapRef;
          const vals = r && valuesOf(s.secretRef ? "Secret" : "ConfigMap", ns, r.name);
          const prefix = s.prefix ?? "";
          if (vals && name.startsWith(prefix) && vals[name.slice(prefix.length)] !== undefined)
            return vals[name.slice(prefix.length)];
        }
        return undefined;
      };
      expanded = text.replace(VAR, (whole, name: string) => {
        const v = value(name);
        const problem = v === undefined ? undefined : expansionProblem(v);
        if (problem)
          fail(
            `\${${name}} in ${file}: its value ${problem}; ${engine === "loki" ? "Loki" : "Mimir"} expands it into the YAML text before parsing (-config.expand-env), so the file would change: use a value of letters, digits and -_./+= only`,
          );
        // Unknown values stand in as a safe placeholder of the same shape (a string).
        return v === undefined || problem ? "expanded-value" : v;
      });
    }
    const key = `${engine} ${ns} ${file} ${text}`;
    if (judgedFiles.has(key)) continue; // the same file read by several containers: judged once
    judgedFiles.add(key);
    let config: unknown;
    try {
      config = parseUserYaml(expanded);
    } catch (e) {
      fail(notYaml(engine, file, expanded, e));
      continue;
    }
    for (const p of checkEngineConfig(ref, config).map(unknownKeyHint))
      if (p.severity === "error" && p.mistake)
        // Its origin is the release (or resource) the pod comes from, as the pack's is.
        report.findings.push({
          check: "engine-config",
          where,
          message: `${file} ${p.path}: ${p.message}`,
          cause: causeKey(p.mistake, template.owner.urn),
        });
      else if (p.severity === "error") fail(`${file} ${p.path}: ${p.message}`);
      else report.warnings.push(`${where}: ${file} ${p.path}: ${p.message}`);
  }
  return report;
}
