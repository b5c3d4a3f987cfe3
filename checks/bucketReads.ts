/**
 * Every bucket a Loki or Mimir container's config file reads is one the stack grants that engine's
 * object-store user. The config is the one the container mounts (its `-config.file`); the keys that
 * name buckets come from the engine's own reference (upstream/engines/bucketKeys.ts). The grants are
 * the MinIO policies the ObjectStore component makes, one per consumer (`<store>-<consumer>-policy`,
 * components/objectstore/objectStore.ts), or on Garage the grants of the consumer's key (`<prefix>-<consumer>`,
 * components/objectstore/garage.ts): a bucket outside them answers AccessDenied, and a bucket the
 * stack keeps only so that no update deletes it (model/storage.ts UNUSED_PURPOSES) must stay unread.
 * Where no such policy exists (Ceph RGW claims, the filesystem store, a takeover's own Secret) the
 * grants are not the program's to judge, and nothing is judged.
 */
import { loadEngineReference, type EngineReference, type Engine } from "../upstream/engines/references";
import { parseUserYaml } from "../model/yamlText";
import { bucketsRead } from "../upstream/engines/bucketKeys";
import { MissingReferenceError } from "../upstream/reference";
import type { ExportResource } from "../synth/synthesize";
import type { Finding, Placed } from "./objects";
import { engineContainers } from "./writtenPaths";

const POLICY = "minio:index/iamPolicy:IamPolicy";
const BUCKET = "minio:index/s3Bucket:S3Bucket";
const GARAGE_GRANT = "pulumi-nodejs:dynamic/garage:Grant";
const GARAGE_BUCKET = "pulumi-nodejs:dynamic/garage:Bucket";
const ARN = /^arn:aws:s3:::([^/]+)(\/.*)?$/;

export interface BucketReadsReport {
  /** Config files whose bucket reads were judged. */
  judged: number;
  findings: Finding[];
  notRun: string[];
}

/** The buckets a consumer's MinIO policy grants, or undefined where the program grants none. */
function grantsOf(resources: ExportResource[], engine: Engine): Set<string> | undefined {
  const garage = resources.filter(
    (r) =>
      r.type === GARAGE_GRANT &&
      typeof r.inputs?.keyName === "string" &&
      r.inputs.keyName.endsWith(`-${engine}`) &&
      r.inputs.permissions?.read === true,
  );
  if (garage.length > 0) return new Set(garage.map((r) => String(r.inputs.bucket)));
  const policy = resources.find((r) => r.type === POLICY && r.urn.endsWith(`-${engine}-policy`));
  if (!policy || typeof policy.inputs?.policy !== "string") return undefined;
  const doc = JSON.parse(policy.inputs.policy);
  const granted = new Set<string>();
  for (const s of doc.Statement ?? [])
    for (const r of [s.Resource ?? []].flat()) {
      const m = ARN.exec(String(r));
      if (m && s.Effect === "Allow") granted.add(m[1]);
    }
  return granted;
}

export function checkBucketReads(objects: Placed[], resources: ExportResource[]): BucketReadsReport {
  const report: BucketReadsReport = { judged: 0, findings: [], notRun: [] };
  const planned = new Set([
    ...resources.filter((r) => r.type === BUCKET).map((r) => String(r.inputs?.bucket)),
    ...resources.filter((r) => r.type === GARAGE_BUCKET).map((r) => String(r.inputs?.name)),
  ]);
  const refs = new Map<Engine, EngineReference | undefined>();
  const refOf = (engine: Engine) => {
    if (!refs.has(engine))
      try {
        refs.set(engine, loadEngineReference(engine));
      } catch (e) {
        if (!(e instanceof MissingReferenceError)) throw e;
        report.notRun.push(`${engine} bucket reads were not judged: ${e.message}`);
        refs.set(engine, undefined);
      }
    return refs.get(engine);
  };
  const seen = new Set<string>();
  for (const { engine, where, file, text } of engineContainers(objects)) {
    const granted = grantsOf(resources, engine);
    if (!granted) continue;
    // One verdict per config file: Loki's scalable targets mount the same one.
    if (text === undefined || seen.has(`${engine}\0${text}`)) continue;
    seen.add(`${engine}\0${text}`);
    const ref = refOf(engine);
    if (!ref) continue;
    let config: unknown;
    try {
      config = parseUserYaml(text);
    } catch {
      continue; // not YAML: the schema checks and the engine say so
    }
    report.judged++;
    for (const { key, bucket } of bucketsRead(ref, config)) {
      if (granted.has(bucket)) continue;
      const why = planned.has(bucket)
        ? "a bucket the stack keeps in its state only because objectStore.keepUnusedBuckets lists it, and grants to nobody"
        : "a bucket the stack neither makes nor grants";
      report.findings.push({
        check: "bucket-reads",
        where: `${where} ${file}`,
        message: `${key} reads bucket ${bucket}, ${why}: ${engine}'s user is granted ${[...granted].join(", ") || "nothing"}, so every request there is AccessDenied`,
      });
    }
  }
  return report;
}
