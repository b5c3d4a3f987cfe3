/**
 * Every Loki and Mimir container's config file and flags, judged by the engine's own configuration
 * reference at the pinned version (upstream/engines/configReference.ts reading ../shared/reference):
 * every key exists, a Loki duration has the form its Go type parses (`1d` is no time.Duration: Loki
 * exits at load), every flag exists, a Mimir field added after 3.0.0 or deprecated is named. The
 * config is the one the container mounts (the ConfigMap or Secret its `-config.file` names), before
 * `-config.expand-env` (a `${VAR}` stands where a value goes; the env check judges those).
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { versions } from "../../model/versions";
import {
  checkEngineConfig,
  configReferenceVersionProblem,
  loadConfigReference,
  unknownFlags,
  type ConfigReference,
  type Engine,
} from "../../upstream/engines/configReference";
import { MissingReferenceError, referenceDir } from "../../upstream/reference";
import { describe, podTemplates, type Finding, type Placed } from "./objects";
import { configText, engineOf, flagsOf } from "./writtenPaths";

export interface EngineConfigReport {
  /** Containers whose config was judged. */
  configs: number;
  findings: Finding[];
  notRun: string[];
}

const PINNED: Record<Engine, string> = { loki: versions.images.loki.tag, mimir: versions.images.mimir.tag };

export function checkEngineConfigs(objects: Placed[]): EngineConfigReport {
  const report: EngineConfigReport = { configs: 0, findings: [], notRun: [] };
  const refs = new Map<Engine, ConfigReference | undefined>();
  const refOf = (engine: Engine): ConfigReference | undefined => {
    if (!refs.has(engine)) {
      let ref: ConfigReference | undefined;
      try {
        ref = loadConfigReference(engine);
        const problem = configReferenceVersionProblem(ref, PINNED[engine]);
        if (problem) {
          report.findings.push({
            check: "engine-config",
            where: `model/versions.ts images.${engine}`,
            message: problem,
          });
          ref = undefined;
        }
      } catch (e) {
        if (!(e instanceof MissingReferenceError)) throw e;
        report.notRun.push(`${engine} configuration checks did not run: ${e.message}`);
      }
      refs.set(engine, ref);
    }
    return refs.get(engine);
  };
  for (const t of podTemplates(objects)) {
    const ns = t.owner.obj.metadata.namespace ?? "";
    const volumes = new Map<string, any>((t.spec.volumes ?? []).map((v: any) => [v.name, v]));
    for (const c of t.spec.containers ?? []) {
      const engine = engineOf(String(c.image ?? ""));
      if (!engine) continue;
      const ref = refOf(engine);
      if (!ref) continue;
      const where = `${describe(t.owner)} container ${c.name}`;
      const args = [...(c.command ?? []), ...(c.args ?? [])];
      const flags = flagsOf(args);
      for (const f of unknownFlags(ref, [...flags.keys()]))
        report.findings.push({
          check: "engine-config",
          where,
          message: `-${f}: ${engine} ${ref.version} has no such flag (../shared/reference/${ref.folder}); it exits at start`,
        });
      const file = flags.get("config.file");
      const text = file ? configText(objects, ns, volumes, c.volumeMounts ?? [], file) : undefined;
      if (text === undefined) continue;
      let config: unknown;
      try {
        config = parse(text);
      } catch {
        continue; // not YAML: the schema checks and the engine say so
      }
      report.configs++;
      for (const f of checkEngineConfig(ref, config))
        report.findings.push({ check: "engine-config", where: `${where} ${file}`, message: f.message });
    }
  }
  return report;
}

/** What the engine checks read besides the objects, for the check cache's key: the references and the pins. */
export function engineCheckInputs(): string {
  const dir = referenceDir();
  const digest = (folder: string, file: string) => {
    const f = dir && path.join(dir, folder, file);
    return f && fs.existsSync(f)
      ? crypto.createHash("sha256").update(fs.readFileSync(f)).digest("hex")
      : "absent";
  };
  return `loki ${PINNED.loki} ${digest("loki-3.6.3", "config-keys.tsv")} mimir ${PINNED.mimir} ${digest("mimir-3.0", "config-fields.tsv")}`;
}
