/**
 * The `--against` refusal of an update that points Loki or Mimir at other buckets. Each engine
 * reads and writes its objects in the buckets its config names (Loki's chunks, Mimir's blocks and
 * ruler store); the names come from the object-store plan (config/buckets.ts planBuckets:
 * `<objectStore.bucketPrefix>-<consumer>-<purpose>`, the prefix defaulting to the cluster name, or
 * one bucket per consumer on Ceph RGW, or `takeover.buckets`). A new name makes the update create
 * an empty bucket and start the engine on it; the old bucket is retained (`retainOnDelete`) but
 * never read again, so every stored log or metric disappears from Grafana and retention no longer
 * deletes it. Nothing in Kubernetes, Helm or the object store refuses that, and the objects' list
 * shows it only as a values update and bucket creations and deletions, so it is refused here,
 * once for the stack, naming each engine's old and new bucket and the key that moved them.
 *
 * The buckets are read from each export as the engines get them (the loki Release's values, the
 * mimir ConfigMap's config), so a real `pulumi stack export` is read the same way; a bucket made
 * or dropped that no engine reads (`objectStore.keepUnusedBuckets`) is not judged. The `--running`
 * counterpart for a takeover is change/lokiStore.ts.
 */
import { mimirConfigIn } from "./mimirConfig";
import type { Adopted, StackExport } from "../synth/synthesize";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import type { ChangeReport, VerdictCause } from "./change";
import { BUCKET_NAME, foldBackendRemoval, type AlsoDeleted } from "./backendMove";
import { plainValue } from "./describe";
import { dirOption, type MoveProject } from "../model/phases";
import { RELEASE_TYPE } from "../model/names";
import { shellWord } from "../model/running";
import { listed } from "../model/words";

/** Where the ways out are written down. */
export const BUCKET_MOVE_DOC = "docs/how-to/check-a-change.md#a-refused-bucket-move";

const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** Where one engine keeps one kind of object: a bucket and, where buckets are shared, a key prefix. */
export interface EngineBucket {
  engine: "Loki" | "Mimir";
  /** The object-store plan's consumer and purpose (model/storage.ts PURPOSES). */
  consumer: "loki" | "mimir";
  purpose: "chunks" | "blocks" | "ruler";
  bucket: string;
  prefix?: string;
}

/**
 * Loki's chunks bucket: the loki Release's `loki.storage.bucketNames.chunks` with
 * `loki.storage.type` s3, the values the chart turns into Loki's common storage (loki 6.49.0
 * values.yaml 429-436 and templates/_helpers.tpl 205-207, as change/lokiStore.ts cites them).
 * Loki's ruler reads a local directory here (builders/logging/lokiValues.ts), so no ruler bucket.
 */
function lokiBuckets(exp: StackExport): EngineBucket[] {
  const loki = exp.deployment.resources.find((r) => r.type === RELEASE_TYPE && r.inputs?.chart === "loki");
  const storage = plainValue(plainValue(plainValue(loki?.inputs?.values)?.loki)?.storage);
  if (str(plainValue(storage?.type)) !== "s3") return [];
  const bucket = str(plainValue(plainValue(storage?.bucketNames)?.chunks));
  return bucket ? [{ engine: "Loki", consumer: "loki", purpose: "chunks", bucket }] : [];
}

/**
 * Mimir's blocks and ruler buckets from its config (the ConfigMap the program writes,
 * builders/metrics/mimirConfig.ts): each store's `backend` (else `common.storage.backend`, else
 * Mimir's default "filesystem") and, on s3, its `s3.bucket_name` and `storage_prefix`
 * (upstream/engines/data/mimir-3.0/config-fields.tsv: blocks_storage.backend, .s3.bucket_name,
 * .storage_prefix at cmd/mimir/config-descriptor.json:8210, 8246, 9241; ruler_storage's at 14042,
 * 14078, 15073; common.storage.backend at 19138).
 */
function mimirBuckets(exp: StackExport): EngineBucket[] {
  const parsed = mimirConfigIn(exp.deployment.resources);
  if (!parsed) return [];
  const config = parsed.config;
  const common = config?.common?.storage;
  const out: EngineBucket[] = [];
  for (const [purpose, key] of [
    ["blocks", "blocks_storage"],
    ["ruler", "ruler_storage"],
  ] as const) {
    const store = config?.[key];
    if ((store?.backend ?? common?.backend ?? "filesystem") !== "s3") continue;
    const bucket = str(store?.s3?.bucket_name) ?? str(common?.s3?.bucket_name);
    const prefix = str(store?.storage_prefix) ?? str(common?.storage_prefix);
    if (bucket)
      out.push({ engine: "Mimir", consumer: "mimir", purpose, bucket, ...(prefix ? { prefix } : {}) });
  }
  return out;
}

/** Every bucket Loki and Mimir read in an export; empty for an engine it does not run on S3. */
export function engineBucketsOf(exp: StackExport): EngineBucket[] {
  return [...lokiBuckets(exp), ...mimirBuckets(exp)];
}

/** The buckets a new state imports (`existing.buckets`): they exist before the update, filled. */
function importedBuckets(exp: StackExport): Set<string> {
  const out = new Set<string>();
  for (const r of exp.deployment.resources) {
    const name = r.importId ? BUCKET_NAME[r.type]?.(r.inputs ?? {}) : undefined;
    if (typeof name === "string") out.add(name);
  }
  return out;
}

const where = (b: Pick<EngineBucket, "bucket" | "prefix">) =>
  b.prefix ? `${b.bucket}/${b.prefix}/` : b.bucket;

/** One engine's bucket before and after. */
export interface Moved {
  from: EngineBucket;
  to: EngineBucket;
  /** The same name on another object store (`objectStore.type` changed): the stores, old and new. */
  store?: { from: string; to: string };
}

/** The object store a bucket resource of each type lives on, as messages name it. */
const STORE_OF: Record<string, string> = {
  "minio:index/s3Bucket:S3Bucket": "MinIO",
  "pulumi-nodejs:dynamic/garage:Bucket": "Garage",
  "kubernetes:objectbucket.io/v1alpha1:ObjectBucketClaim": "Ceph RGW",
};

/** The store of each bucket resource of an export, by its bucket name. */
function bucketStores(exp: StackExport): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of exp.deployment.resources) {
    const name = BUCKET_NAME[r.type]?.(r.inputs ?? {});
    if (typeof name === "string" && STORE_OF[r.type]) out.set(name, STORE_OF[r.type]);
  }
  return out;
}

/**
 * The prefix of a planned name (config/buckets.ts planBuckets): `<prefix>-<consumer>-<purpose>` on
 * MinIO and Garage, `<prefix>-<consumer>` with the purpose as key prefix on Ceph RGW.
 */
function prefixOf(b: EngineBucket): string | undefined {
  const tail = b.prefix ? `-${b.consumer}` : `-${b.consumer}-${b.purpose}`;
  return b.bucket.endsWith(tail) ? b.bucket.slice(0, -tail.length) : undefined;
}

/**
 * The stack keys behind the moves, with their places: the prefix's, else each takeover name's;
 * `back` sets them back, `forward` is the change itself, made once the objects are moved; `keys`
 * the same keys as data (change.ts VerdictCause), without their places.
 */
function causes(
  moved: Moved[],
  at?: OverridePlace,
): { said: string; back: string; forward: string; keys: string[] } {
  const said: string[] = [];
  const back: string[] = [];
  const forward: string[] = [];
  const keys: string[] = [];
  for (const m of moved) {
    const key = `takeover.buckets.${m.to.consumer}.${m.to.purpose}`;
    if (m.store) {
      keys.push("objectStore.type");
      said.push(`${stackKeyAt("objectStore.type", at)} moved them from ${m.store.from} to ${m.store.to}`);
      back.push(`objectStore back to ${m.store.from}`);
      forward.push(`objectStore on ${m.store.to}`);
    } else if (at?.(key) || (prefixOf(m.to) === undefined && prefixOf(m.from) !== undefined)) {
      keys.push(key);
      said.push(`${stackKeyAt(key, at)} names ${m.to.bucket}`);
      back.push(`${key} to ${m.from.bucket}`);
      forward.push(`${key} naming ${m.to.bucket}`);
    } else if (prefixOf(m.from) === undefined) {
      keys.push(key);
      said.push(`${key}, which named ${m.from.bucket}, is no longer set`);
      back.push(`${key} back to ${m.from.bucket}`);
      forward.push(`${key} unset`);
    } else if (!!m.from.prefix !== !!m.to.prefix) {
      keys.push("objectStore.type");
      said.push(
        `${stackKeyAt("objectStore.type", at)} moved ${m.to.engine} to ${m.to.prefix ? "one bucket per consumer (Ceph RGW)" : "one bucket per purpose"}`,
      );
      back.push("objectStore.type back");
      forward.push("the new objectStore.type");
    } else {
      const [was, now] = [prefixOf(m.from), prefixOf(m.to)];
      // Left out, the prefix is the cluster name (config/schema.ts objectStore.bucketPrefix).
      const key = at?.("objectStore.bucketPrefix")
        ? stackKeyAt("objectStore.bucketPrefix", at)
        : `objectStore.bucketPrefix (not set in the stack file, so its default, ${stackKeyAt("cluster", at)})`;
      keys.push("objectStore.bucketPrefix");
      said.push(`${key} changed from ${was} to ${now}`);
      back.push(`objectStore.bucketPrefix to ${was}`);
      forward.push(`the bucket prefix ${now}`);
    }
  }
  const once = (parts: string[]) => [...new Set(parts)].join(", ");
  return {
    said: [...new Set(said)].join("; "),
    back: once(back),
    forward: once(forward),
    keys: [...new Set(keys)],
  };
}

/** What each engine's old bucket holds that the new one lacks. */
const HOLDS: Record<EngineBucket["purpose"], string> = {
  chunks: "Loki's logs (its chunks and index)",
  blocks: "Mimir's metrics history (its blocks)",
  ruler: "Mimir's rule groups",
};

/** Each bucket resource of an export by its bucket name, with its URN. */
function bucketUrns(exp: StackExport): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of exp.deployment.resources) {
    const name = BUCKET_NAME[r.type]?.(r.inputs ?? {});
    if (typeof name === "string") out.set(name, r.urn);
  }
  return out;
}

/**
 * The old buckets the same renaming drops from the state: those the engines read, and those a
 * changed prefix renames besides (`<was>-<rest>` gone where `<now>-<rest>` comes: the buckets
 * `objectStore.keepUnusedBuckets` keeps). Their deletions are this refusal's to name, not refused
 * again (in production each is protected, and its own refusal's `pulumi state unprotect` would
 * carry the mistake out).
 */
function renamedAway(previous: StackExport, next: StackExport, moved: Moved[]): Set<string> {
  const [was, now] = [bucketUrns(previous), bucketUrns(next)];
  const urns = new Set<string>();
  for (const m of moved) {
    const urn = was.get(m.from.bucket);
    // Gone, or the same name made on another store: the old bucket's resource leaves the state.
    if (urn && now.get(m.from.bucket) !== urn) urns.add(urn);
    const [p, q] = [prefixOf(m.from), prefixOf(m.to)];
    if (p === undefined || q === undefined || p === q) continue;
    for (const [name, u] of was)
      if (name.startsWith(`${p}-`) && !now.has(name) && now.has(`${q}-${name.slice(p.length + 1)}`))
        urns.add(u);
  }
  return urns;
}

/** What the refusal says of the deletions it folds (as change/backendMove.ts alsoSaid does). */
function alsoSaid(also: AlsoDeleted): string {
  const parts = [
    ...(also.protected.length > 0
      ? [
          `It would also delete the protected ${also.protected.join(", ")} from the state, which the engine refuses (pulumi/pulumi step_generator.go).`,
        ]
      : []),
    ...(also.other.length > 0
      ? [`Dropping the old buckets is also refused at ${also.other.join("; and at ")}.`]
      : []),
  ];
  if (parts.length === 0) return "";
  return ` ${parts.join(" ")} Each is listed below without a refusal of its own: keeping the names keeps them.`;
}

/**
 * The bucket move's refusal, with the change's refusals of the old buckets' deletions folded into
 * it (see {@link renamedAway}): `report` unchanged and no verdict when every engine keeps its buckets.
 */
export function bucketMove(
  previous: StackExport,
  next: StackExport,
  report: ChangeReport,
  project: MoveProject,
  at?: OverridePlace,
): { verdict?: { line: string; refused: true; cause: VerdictCause }; report: ChangeReport } {
  const moved = movedBuckets(previous, next);
  if (moved.length === 0) return { report };
  const folded = foldBackendRemoval(report, { urns: renamedAway(previous, next, moved), owners: new Set() });
  return { verdict: bucketMoveVerdict(moved, project, at, folded.also), report: folded.report };
}

/**
 * The move check of the guide's step 3 in words around its command: the two stores' S3 URLs are
 * known only to whoever reaches them (a port-forward's local address, not the in-cluster endpoint
 * the stack file names), and a `<url>` placeholder would be a shell redirection when pasted.
 */
const moveCheck = ({ stack, dir }: MoveProject): string =>
  `npm run verify -- ${dirOption(dir)}--stack ${shellWord(stack)} with --move-from set to the old store's S3 URL and --move-to to the new one's, its keys in the HOMELAB_MOVE_* variables`;

/**
 * Each engine's store the new state points at another bucket than the previous export did: another
 * name, or the same name the stack makes on another object store (`objectStore.type` changed, the
 * move guide's step 4 without its `existing.buckets`: the update creates it empty there, or fails
 * where it was copied); nothing when the previous export ran no such engine on S3, or the new one
 * runs none (a backend swapped, which change/backendMove.ts refuses, or a phase that removes it,
 * which the change judges), or the new bucket is imported (`existing.buckets`: made and filled
 * before the update, the move guide's way).
 */
export function movedBuckets(previous: StackExport, next: StackExport): Moved[] {
  const now = engineBucketsOf(next);
  const imported = importedBuckets(next);
  const [wasOn, nowOn] = [bucketStores(previous), bucketStores(next)];
  const moved: Moved[] = [];
  for (const from of engineBucketsOf(previous)) {
    const to = now.find((b) => b.engine === from.engine && b.purpose === from.purpose);
    if (!to || imported.has(to.bucket)) continue;
    if (where(to) !== where(from)) moved.push({ from, to });
    else {
      // A bucket named by the takeover (used by name, in no state) has no store here: not judged.
      const [a, b] = [wasOn.get(from.bucket), nowOn.get(to.bucket)];
      if (a && b && a !== b) moved.push({ from, to, store: { from: a, to: b } });
    }
  }
  return moved;
}

/** One refusal for every engine store moved: each pair, the keys behind them and the ways out. */
function bucketMoveVerdict(
  moved: Moved[],
  project: MoveProject,
  at: OverridePlace | undefined,
  also: AlsoDeleted,
): { line: string; refused: true; cause: VerdictCause } {
  const pairs = moved.map((m) =>
    m.store
      ? `${m.from.engine} ${m.from.purpose} ${where(m.from)} (${m.store.from} -> ${m.store.to})`
      : `${m.from.engine} ${m.from.purpose} ${where(m.from)} -> ${where(m.to)}`,
  );
  const holds = [...new Set(moved.map((m) => HOLDS[m.from.purpose]))].join(", ");
  const { said, back, forward, keys } = causes(moved, at);
  const place = `buckets ${pairs.join(", ")}`;
  const olds = [...new Set(moved.map((m) => m.from.bucket))];
  // The same names on a new store: the copy keeps each name, and where the copy already ran the
  // create fails instead ("already exists"), which listing them avoids as well.
  const sameNames = moved.every((m) => m.store);
  // The check reads the stack file as the stack runs before the switch: the buckets it compares
  // are those of the store the file names (MinIO's kept ones among them), signed for that store's
  // region. Run with the file already on the new store it took the flags for the way back.
  const oldStore = moved.find((m) => m.store)?.store?.from;
  const copy = sameNames
    ? `set objectStore back to ${oldStore} until the copy is checked (the check compares the buckets of the store the stack file names, the one the stack still writes to), copy each bucket to the new store under its name and check the copy (docs/how-to/move-to-garage.md steps 1-3: rclone sync or mc mirror --remove, then ${moveCheck(project)}), list the names in existing.buckets (the update then imports them instead of creating them, which makes them empty or, where the copy made them, fails)`
    : `stop the writers, copy each old bucket to its new name (rclone sync or mc mirror --remove, as docs/how-to/move-to-garage.md steps 2-3 do), list the new names in existing.buckets (the update then imports them instead of creating them empty)`;
  // Moved and imported, the new buckets pass, but the old ones still leave the stack: where they
  // are protected (production) the engine refuses that update too, once per bucket, until each is
  // unprotected. Said here, or the way out, followed, meets refusals it never named.
  const unprotect =
    also.protected.length > 1
      ? `; the old buckets stay protected, so that update is refused once for each until it is unprotected: its check prints each one's unprotect command, after which the update drops them from the stack and keeps them on the store (retained)`
      : also.protected.length === 1
        ? `; the old bucket stays protected, so that update is refused until it is unprotected: its check prints its unprotect command, after which the update drops it from the stack and keeps it on the store (retained)`
        : "";
  return {
    line:
      `REFUSED ${place}: ${said}. ` +
      `The update points each engine at the new bucket, which it creates empty: what the old ${olds.length === 1 ? "one" : "ones"} (${olds.join(", ")}) ${olds.length === 1 ? "holds" : "hold"}, ${holds}, stays there (retained) but is never read again, so it no longer shows in Grafana, and retention no longer deletes it.${alsoSaid(also)} ` +
      `Keep the buckets: set ${back}. To move them: ${copy}, then make the change (${forward}; ${BUCKET_MOVE_DOC})${unprotect}`,
    refused: true,
    cause: { place, keys },
  };
}

/**
 * The way back from Garage to MinIO (docs/how-to/move-to-garage.md step 5): the buckets nothing
 * reads that `objectStore.keepUnusedBuckets` keeps on MinIO. The move to Garage dropped them from
 * the state and left them on MinIO with their objects (delete[retain]); a Garage stack keeps none
 * (config/buckets.ts planBuckets), so its export holds none and the update back creates each,
 * which fails in `pulumi up` where it still is ("bucket already exists!", as
 * docs/how-to/move-between-phases.md says of a bucket a step back left). The guide's step 4, the
 * other way, lists only the copied buckets (bucketNames), and the bucket move's own way out names
 * only the buckets the engines read. Whether they still are there the export cannot tell, so this
 * warns, as a phase move forward names the buckets it creates (phaseMove.ts), and refuses nothing.
 */
export function keptBackOnMinio(
  previous: StackExport,
  next: { export: StackExport; imports: Adopted[] },
  at?: OverridePlace,
): { line: string; refused: false } | undefined {
  const was = new Set(bucketStores(previous).values());
  if (!was.has("Garage") || was.has("MinIO")) return undefined;
  const read = new Set(engineBucketsOf(next.export).map((b) => b.bucket));
  const on = bucketStores(next.export);
  const kept = createdBuckets(previous, next).filter((b) => on.get(b) === "MinIO" && !read.has(b));
  if (kept.length === 0) return undefined;
  const [them, their] = kept.length === 1 ? ["it", "its"] : ["them", "their"];
  return {
    line:
      `WARNING ${kept.length === 1 ? "bucket" : "buckets"} ${listed(kept)} back on MinIO: ${stackKeyAt("objectStore.keepUnusedBuckets", at)} keeps ${them} (nothing reads ${them}), and the export, on Garage, does not hold ${them}, so the update creates ${them}. ` +
      `A move to Garage drops ${them} from the state and leaves ${them} on MinIO with ${their} objects (retainOnDelete), and creating one that is still there fails in pulumi up ("bucket already exists!"), which the export cannot tell: ` +
      `${kept.length === 1 ? "list it in existing.buckets before pulumi up if it is still on MinIO (imported, not created), else leave it out (created)" : "list each of them still on MinIO in existing.buckets before pulumi up (imported, not created), any gone from it left out (created)"}, as the copied buckets are (docs/how-to/move-to-garage.md, step 5)`,
    refused: false,
  };
}

/**
 * The buckets the new state creates: not in the previous export's state, and not imported
 * (`existing.buckets`). A bucket an earlier step back retained (delete[retain]) is on the store but
 * in no export since, so whether a create meets one that exists is what the export cannot tell.
 */
export function createdBuckets(
  previous: StackExport,
  next: { export: StackExport; imports: Adopted[] },
): string[] {
  const had = new Set(previous.deployment.resources.map((r) => r.urn));
  const imported = new Set(next.imports.map((i) => i.urn));
  return next.export.deployment.resources.flatMap((r) => {
    const name = BUCKET_NAME[r.type]?.(r.inputs ?? {});
    return typeof name === "string" && !had.has(r.urn) && !imported.has(r.urn) ? [name] : [];
  });
}
