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
import { versions } from "../model/versions";
import { pinPlace } from "../config/chartPins";
import { notJsonMessage } from "../config/jsonText";
import { notYamlMessage, parseUserYaml } from "../model/yamlText";
import {
  MissingVectorReferenceError,
  checkVectorConfig,
  loadVectorReference,
  vectorVersionOf,
} from "../upstream/vector/components";
import { containersOf, describe, fromRelease, podTemplates, type Finding, type Placed } from "./objects";

interface VectorConfig {
  where: string;
  text: string;
  json: boolean;
  /**
   * Whether the vector chart wrote it from its `customConfig` value: the chart's own ConfigMap,
   * key `vector.yaml` (vector chart 0.56.0 templates/configmap.yaml:10-12), rendered by a release.
   */
  fromCustomConfig: boolean;
  /** The Vector containers of the pods that mount it, `<pod template> container <name>` and their image. */
  runners: { where: string; image: string }[];
}

const imageRepository = (image: string) => image.replace(/@.*$/, "").replace(/:[^/:]*$/, "");

/** The config files of the ConfigMaps that pods running Vector's image mount, named `<ConfigMap> <key>`. */
export function vectorConfigs(objects: Placed[]): VectorConfig[] {
  const repo = versions.images.vector.repository;
  const mounted = new Map<string, VectorConfig["runners"]>();
  for (const t of podTemplates(objects)) {
    const runners = containersOf(t.spec)
      .filter((c: any) => imageRepository(String(c.image ?? "")).endsWith(repo))
      .map((c: any) => ({ where: `${describe(t.owner)} container ${c.name}`, image: String(c.image) }));
    if (runners.length === 0) continue;
    for (const v of t.spec.volumes ?? []) {
      const names = [v.configMap?.name, ...(v.projected?.sources ?? []).map((s: any) => s.configMap?.name)];
      for (const n of names) {
        if (!n) continue;
        const key = `${t.owner.obj.metadata.namespace ?? ""}/${n}`;
        mounted.set(key, [...(mounted.get(key) ?? []), ...runners]);
      }
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
        .map(([key, text]) => ({
          where: `${describe(p)} ${key}`,
          text,
          json: key.endsWith(".json"),
          fromCustomConfig: key === "vector.yaml" && fromRelease(p),
          runners: mounted.get(`${p.obj.metadata.namespace ?? ""}/${p.obj.metadata.name}`) ?? [],
        })),
    );
}

/**
 * Whether a Vector image has `journalctl`, which the journald source runs as a subprocess (vector
 * v0.56.0 website/cue/reference/components/sources/journald.cue:22-24, `interface: binary: name:
 * "journalctl"`; :130-134 "Vector interacts with the systemd journal via the `journalctl`
 * command"). Of the images Vector publishes only the Debian one installs it (v0.56.0
 * distribution/docker/debian/Dockerfile:19 `apt-get install … systemd`); alpine/Dockerfile:24 adds
 * ca-certificates and tzdata only, distroless-libc/Dockerfile:18 and distroless-static/Dockerfile:12
 * are distroless bases. Tags name the variant: `<version>-debian`, `-alpine`, `-distroless-libc`,
 * `-distroless-static` (the project pins `-debian`, model/versions.ts).
 */
export function hasJournalctl(image: string): boolean {
  const tag = /:([^/:@]+)(?:@|$)/.exec(image)?.[1] ?? "";
  return /(^|-)debian(-|$)/.test(tag);
}

/** The names of a config's sources of type journald. */
function journaldSources(config: unknown): string[] {
  const sources = (config as { sources?: unknown } | null)?.sources;
  if (!sources || typeof sources !== "object") return [];
  return Object.entries(sources as Record<string, any>)
    .filter(([, s]) => s?.type === "journald")
    .map(([name]) => name);
}

/**
 * A journald source in a pod whose Vector image lacks `journalctl` (see {@link hasJournalctl}):
 * Vector starts, then the source fails to spawn it and no journal line is ever read. One finding
 * per container, on the pod (where the image is set), naming the image key.
 */
function journalFindings(c: VectorConfig, config: unknown): Finding[] {
  const names = journaldSources(config);
  if (names.length === 0) return [];
  return c.runners
    .filter((r) => !hasJournalctl(r.image))
    .map((r) => ({
      check: "vector-journald",
      where: r.where,
      message:
        `runs ${r.image}, not a -debian image of Vector, the only ones with journalctl, yet its config ${c.where} has the journald source ${names.join(", ")}, which runs journalctl (vector website/cue/reference/components/sources/journald.cue); ` +
        `only Vector's -debian images install it (distribution/docker/debian/Dockerfile: systemd; alpine and distroless have none). ` +
        `Set chartValues.vector.image.tag to a -debian tag (the pinned ${versions.images.vector.tag}), or turn the journal off (nodeLogs.journal: false)`,
    }));
}

/** A finding's message without the path `where` already names (the judge starts with it). */
const withoutPath = (message: string, path: string) =>
  path && message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message;

/**
 * The chart value a finding is about, as ` (values.customConfig.<path>)`, for a config the chart
 * wrote from `customConfig`: so a refusal that follows from a `chartValues.vector.customConfig…`
 * override names that override and no other (synth/report.ts reads `values.<path>` in a message).
 * A missing option is about the map that lacks it; a path that is no key of the config (a
 * component name given twice) names none.
 */
function chartValue(c: VectorConfig, config: unknown, f: { path: string; rule: string }): string {
  if (!c.fromCustomConfig || !f.path || config === null || typeof config !== "object") return "";
  const path = f.rule === "required" ? f.path.slice(0, Math.max(f.path.lastIndexOf("."), 0)) : f.path;
  const top = path.split(/[.[]/)[0];
  if (!top || !(top in config)) return "";
  return ` (values.customConfig.${path})`;
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
      // The line of the pin's tag, the one a bump changed.
      where: `${pinPlace("vector", undefined, "tag")} images.vector.tag`,
      message: e.message,
    });
    return report;
  }
  for (const c of configs) {
    let config: unknown;
    try {
      config = c.json ? JSON.parse(c.text) : parseUserYaml(c.text);
    } catch (e) {
      // Placed and said in words (config/jsonText.ts, model/yamlText.ts): V8's message and
      // eemeli/yaml's quote the text, and a Vector config holds its sinks' credentials.
      const file = c.where.slice(c.where.lastIndexOf(" ") + 1);
      report.findings.push({
        check: "vector-config",
        where: c.where,
        message: `Vector cannot parse its config: ${c.json ? notJsonMessage(file, c.text, "a Vector config (JSON)") : notYamlMessage(file, c.text, e, "a Vector config (YAML)")}`,
      });
      continue;
    }
    report.findings.push(...journalFindings(c, config));
    const verdict = checkVectorConfig(config, ref);
    report.components += verdict.components;
    for (const f of verdict.findings)
      report.findings.push({
        check: "vector-config",
        where: `${c.where}${f.path ? ` ${f.path}` : ""}`,
        message: `${withoutPath(f.message, f.path)}${chartValue(c, config, f)} [${f.rule}; ${f.source}]`,
      });
    for (const w of verdict.warnings)
      report.warnings.push(`${c.where} ${w.path}: ${withoutPath(w.message, w.path)} [${w.source}]`);
  }
  return report;
}
