/**
 * Every Vector config the stack ships, judged as Vector would judge it at start: a config Vector
 * refuses stops the agent, and with it every pod log and journal line it carries. No Vector binary
 * can be had, so the config is judged against Vector's reference data in the repository
 * (upstream/vector/data, rebuilt by upstream/refresh/vector.ts from vectordotdev/vector at the
 * tag of the pinned image): top-level keys, component types, options, value kinds, enum values,
 * required options, buffers, `inputs` and their data types (upstream/vector/components.ts).
 *
 * A Vector config is a `.yaml`/`.yml`/`.json` key of a ConfigMap that a pod running Vector's
 * image mounts (Vector loads every such file of its `--config-dir`; the chart mounts its ConfigMap
 * there, vector chart 0.56.0 templates/daemonset.yaml).
 */
import { parse } from "yaml";
import { versions } from "../model/versions";
import {
  MissingVectorReferenceError,
  checkVectorConfig,
  loadVectorReference,
  vectorVersionOf,
} from "../upstream/vector/components";
import { containersOf, describe, podTemplates, type Finding, type Placed } from "./objects";

interface VectorConfig {
  where: string;
  text: string;
  json: boolean;
}

const imageRepository = (image: string) => image.replace(/@.*$/, "").replace(/:[^/:]*$/, "");

/** The config files of the ConfigMaps that pods running Vector's image mount, named `<ConfigMap> <key>`. */
export function vectorConfigs(objects: Placed[]): VectorConfig[] {
  const repo = versions.images.vector.repository;
  const mounted = new Set<string>();
  for (const t of podTemplates(objects)) {
    if (!containersOf(t.spec).some((c: any) => imageRepository(String(c.image ?? "")).endsWith(repo)))
      continue;
    for (const v of t.spec.volumes ?? []) {
      const names = [v.configMap?.name, ...(v.projected?.sources ?? []).map((s: any) => s.configMap?.name)];
      for (const n of names) if (n) mounted.add(`${t.owner.obj.metadata.namespace ?? ""}/${n}`);
    }
  }
  return objects
    .filter(
      (p) =>
        p.obj.kind === "ConfigMap" && mounted.has(`${p.obj.metadata.namespace ?? ""}/${p.obj.metadata.name}`),
    )
    .flatMap((p) =>
      Object.entries<unknown>(p.obj.data ?? {})
        .filter((e): e is [string, string] => /\.(ya?ml|json)$/.test(e[0]) && typeof e[1] === "string")
        .map(([key, text]) => ({ where: `${describe(p)} ${key}`, text, json: key.endsWith(".json") })),
    );
}

export interface VectorReport {
  configs: number;
  /** Sources, transforms and sinks judged. */
  components: number;
  findings: Finding[];
  /** Deprecated options, components not yet stable, acknowledgements a source cannot take. */
  warnings: string[];
  notRun: string[];
}

export function checkVector(objects: Placed[]): VectorReport {
  const configs = vectorConfigs(objects);
  const report: VectorReport = {
    configs: configs.length,
    components: 0,
    findings: [],
    warnings: [],
    notRun: [],
  };
  if (configs.length === 0) return report;
  let ref: ReturnType<typeof loadVectorReference>;
  try {
    ref = loadVectorReference(vectorVersionOf(versions.images.vector.tag));
  } catch (e) {
    if (!(e instanceof MissingVectorReferenceError)) throw e;
    // The pinned Vector has no reference yet: a finding, so a bump cannot pass unjudged.
    report.findings.push({
      check: "vector-reference",
      where: "model/versions.ts images.vector",
      message: e.message,
    });
    return report;
  }
  for (const c of configs) {
    let config: unknown;
    try {
      config = c.json ? JSON.parse(c.text) : parse(c.text);
    } catch (e) {
      report.findings.push({
        check: "vector-config",
        where: c.where,
        message: `Vector cannot parse its config: ${(e as Error).message.split("\n")[0]}`,
      });
      continue;
    }
    const verdict = checkVectorConfig(config, ref);
    report.components += verdict.components;
    for (const f of verdict.findings)
      report.findings.push({
        check: "vector-config",
        where: `${c.where} ${f.path}`,
        message: `${f.message} [${f.rule}; ${f.source}]`,
      });
    for (const w of verdict.warnings)
      report.warnings.push(`${c.where} ${w.path}: ${w.message} [${w.source}]`);
  }
  return report;
}
