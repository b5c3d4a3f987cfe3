/**
 * The rule groups a taken-over Loki's ruler keeps in its object store. The loki chart stores the
 * ruler's rules in the ruler bucket whenever Loki's storage is an object store and its values say
 * nothing else (loki 6.49.0 templates/_helpers.tpl:233-247 `loki.rulerStorageConfig`), and Loki's
 * ruler API, on by default (`-ruler.enable-api`, grafana/loki v3.7.6 pkg/ruler/base/ruler.go:194,
 * read, not run), writes each group made through it there as an object under `rules/<tenant>/`
 * (v3.7.6 pkg/ruler/rulestore/objectclient/rule_store.go:31-34,250-262, read, not run): Grafana's data-source-managed Loki alert rules, lokitool's rules sync. The program's ruler
 * reads a local directory, the rules it writes itself (builders/logging/lokiValues.ts), so after the
 * update every such group stays in the bucket and is no longer evaluated. Nothing refuses that, and
 * whether the bucket holds any group is unknown offline: warned, as a retention that deletes logs
 * of an unknown age is (retentionShrink.ts), never refused.
 */
import type { StackObject } from "../synth/render/types";
import type { Placed } from "../checks/objects";
import { engineContainers, type EngineContainer } from "../checks/writtenPaths";
import { bucketsRead } from "../upstream/engines/bucketKeys";
import { loadEngineReference, type EngineReference } from "../upstream/engines/references";
import { MissingReferenceError } from "../upstream/reference";
import { parseUserYaml } from "../model/yamlText";
import { ownerOf } from "./change";

/** Where a Loki config keeps its ruler's rule groups: `ruler.storage` or thanos' `ruler_storage`. */
const RULER_KEYS = /^(ruler\.storage|ruler_storage)\./;

/**
 * Whether a Loki container runs the ruler, which alone serves the ruler API and evaluates the groups:
 * its `-target` (else the config's `target`, else `all`) names `all`, `backend` or `ruler`, or
 * `read` in legacy read mode, which adds the backend's modules (grafana/loki v3.7.6
 * pkg/loki/loki.go:150-151,170,919-921,862-866, read, not run); and its workload asks for a pod
 * (the loki chart's Distributed ruler is a StatefulSet of ruler.replicas, 0 by default: loki 6.49.0
 * values.yaml:3304-3308, templates/ruler/statefulset-ruler.yaml:2,16).
 */
function runsRuler(c: EngineContainer, config: any): boolean {
  if (c.template.owner.obj.spec?.replicas === 0) return false;
  const targets = String(c.flags.get("target") ?? config?.target ?? "all").split(",");
  // A bare boolean flag is true (Go's flag package); engineFlags reads it so, and the scan below
  // stands for a command line its Go flag model could not read (c.flags then holds no flag).
  const flag =
    c.flags.get("legacy-read-mode") ??
    (c.args.some((a) => /^--?legacy-read-mode$/.test(a)) ? "true" : undefined);
  const legacyRead = flag !== undefined ? !/^(0|f|false)$/i.test(flag) : config?.legacy_read_target === true;
  return targets.some((t) => ["all", "backend", "ruler"].includes(t) || (t === "read" && legacyRead));
}

/**
 * Per Loki config file of one side: the ConfigMap or Secret it is read from, and its ruler's buckets.
 * `running`: only a container that runs the ruler counts ({@link runsRuler}), for what runs.
 */
function rulerStores(
  objects: StackObject[],
  ref: EngineReference,
  running = false,
): Map<string, { from: string; buckets: Set<string> }> {
  const placed = objects.map((o): Placed => ({ obj: o.object, urn: o.resourceUrn, source: ownerOf(o) }));
  const out = new Map<string, { from: string; buckets: Set<string> }>();
  for (const c of engineContainers(placed)) {
    if (c.engine !== "loki" || c.text === undefined) continue;
    let config: unknown;
    try {
      config = parseUserYaml(c.text);
    } catch {
      continue; // not YAML: the render's own checks say so
    }
    if (running && !runsRuler(c, config)) continue;
    const buckets = new Set(
      bucketsRead(ref, config)
        .filter((b) => RULER_KEYS.test(b.key))
        .map((b) => `${b.key} ${b.bucket}`),
    );
    // Named by the object holding the file: every target of one Loki mounts the same one.
    const mount = (c.container.volumeMounts ?? []).find((m: any) => c.file?.startsWith(`${m.mountPath}/`));
    const v = mount && c.volumes.get(mount.name);
    const holder = v?.configMap
      ? `ConfigMap ${c.ns}/${v.configMap.name}`
      : v?.secret
        ? `Secret ${c.ns}/${v.secret.secretName}`
        : c.where;
    out.set(`${c.ns}/${c.file}`, { from: `${holder}, read as ${c.file}`, buckets });
  }
  return out;
}

/**
 * The update's warnings on Loki's ruler: one per rule bucket what runs reads and the update's Loki
 * does not, naming where what runs says so. `before`: what runs, rendered; `after`: the update.
 */
export function lokiRulerWarnings(before: StackObject[], after: StackObject[]): string[] {
  let ref: EngineReference;
  try {
    ref = loadEngineReference("loki");
  } catch (e) {
    if (e instanceof MissingReferenceError) return []; // the engine checks say the reference is missing
    throw e;
  }
  const [was, will] = [rulerStores(before, ref, true), rulerStores(after, ref)];
  const kept = new Set([...will.values()].flatMap((s) => [...s.buckets].map((b) => b.split(" ")[1])));
  const said = new Set<string>();
  const out: string[] = [];
  for (const { from, buckets } of was.values())
    for (const b of buckets) {
      const [key, bucket] = b.split(" ");
      if (kept.has(bucket) || said.has(bucket)) continue;
      said.add(bucket);
      out.push(
        `${from}: Loki's ruler keeps its rule groups in bucket "${bucket}" (${key}), where its API, on by default, stores every group made through it (Grafana's data-source-managed Loki alert rules, lokitool rules sync) under rules/<tenant>/; the update's ruler reads only the rules the program writes (a local directory), so each such group stays in the bucket and is no longer evaluated: the alerts it raised stop; before pulumi up, list the objects under rules/ in "${bucket}" (MinIO's client: \`mc ls --recursive homelab/${bucket}/rules/\`, the alias of docs/how-to/take-over-flux.md step 1) and remake each group found as a Grafana-managed alert rule`,
      );
    }
  return out;
}
