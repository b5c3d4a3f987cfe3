/**
 * The check before a stack moves its buckets from one object store to another (MinIO to Garage,
 * docs/how-to/move-to-garage.md): every bucket the stack plans holds, on the new store, as many
 * objects and as many bytes as on the old one, counted through each store's S3 API
 * (ListObjectsV2). It reads only; the copy is the operator's (`rclone sync` or `mc mirror`).
 */
import type { StackConfig } from "../config/resolve";
import { planBuckets } from "../config/buckets";
import { answerWords } from "./http";
import { listed } from "../model/words";
import {
  isListObjectsV2,
  listObjectsUrl,
  parseListObjectsV2,
  signS3,
} from "../builders/objectstore/s3Signature";
import { answeredRegion } from "../builders/objectstore/garageAnswers";
import { stackKeyAt, type OverridePlace } from "../config/locate";

/** One store as the check reaches it: its S3 endpoint, a key that may list the buckets, the region it signs for. */
export interface StoreSide {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  region: string;
  /** Which flag named it (messages say `--move-from <url>` and that side's variables). */
  role?: "from" | "to";
}

/** How a message names a side: its flag and URL, or the URL alone. */
const sideName = (side: StoreSide) => (side.role ? `--move-${side.role} ${side.endpoint}` : side.endpoint);

/**
 * A failure on one store. `flag` says which flag named it (its message then begins with that flag
 * and the URL, sideName), so that verify reads the kind and never the message's words to decide
 * whether the line needs both flags before it.
 */
export class StoreSideError extends Error {
  /** `--move-from` or `--move-to`; undefined for a side no flag named (a test's). */
  readonly flag: `--move-${"from" | "to"}` | undefined;
  constructor(side: StoreSide, message: string) {
    super(message);
    this.flag = side.role ? `--move-${side.role}` : undefined;
  }
}

/**
 * Several mistakes at once (both stores failing: two port-forwards not running, both keys refused;
 * the keys missing beside one store named by both flags): each said on its own line, a store's
 * with its own flag, rather than the first and, once it is mended, the next.
 */
export class StoreSidesError extends Error {
  constructor(readonly errors: Error[]) {
    super(errors.map((e) => e.message).join("\n"));
  }
}

/**
 * The next entry of both listings, asked together: a store that fails is said with the other's
 * failure beside it (StoreSidesError), never hiding it until the next run.
 */
async function peekBoth(
  a: { peek(): Promise<Entry | undefined> },
  b: { peek(): Promise<Entry | undefined> },
) {
  const [x, y] = await Promise.allSettled([a.peek(), b.peek()]);
  if (x.status === "fulfilled" && y.status === "fulfilled") return [x.value, y.value] as const;
  const failed: unknown[] = [x, y].flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
  const sides = failed.filter((e): e is StoreSideError => e instanceof StoreSideError);
  if (sides.length === 2) throw new StoreSidesError(sides);
  throw failed[0];
}

/**
 * S3 error codes that mean the store refused the request's key or its signature (AWS S3 API
 * reference "Error responses"; MinIO and Garage answer the same codes): the fix is the side's
 * variables, named with the answer.
 */
const KEY_REFUSED = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "AuthorizationHeaderMalformed",
  "InvalidRegion",
]);

/** `text` with the side's secret key cut out, were the store (or what answers in its place) to echo it. */
const hideSecret = (side: StoreSide, t: string) =>
  side.secretKey.length >= 4 ? t.split(side.secretKey).join("<redacted>") : t;

/**
 * An answer that is not the S3 one expected (`what`: "no S3 error", "no ListBucketResult"): its
 * first words, secret cut, and the question it raises (a web console, another product on the port).
 */
const notS3 = (side: StoreSide, bucket: string, status: number, what: string, text: string) =>
  `${sideName(side)}: listing bucket "${bucket}" answered ${status} and ${what} (${JSON.stringify(hideSecret(side, answerWords(text)))}): is this the store's S3 API endpoint?`;

/** Why a store refused a listing, with what to fix; never the secret, even were the store to echo it. */
function refusal(side: StoreSide, bucket: string, status: number, text: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? "";
  const said = hideSecret(side, message);
  const where = `${sideName(side)}: listing bucket "${bucket}"`;
  if (code === undefined) return notS3(side, bucket, status, "no S3 error", text);
  const answer = `${status} ${code}${said ? `: ${said.trim().replace(/\.$/, "")}` : ""}`;
  if (!KEY_REFUSED.has(code) || !side.role) return `${where} answered ${answer}`;
  const vars = MOVE_ENV[side.role];
  // Garage names the region it serves in each error (builders/objectstore/garageAnswers.ts).
  const served = answeredRegion(text);
  // Another region named: that alone is refused. Garage compares the request's scope with its
  // s3_region before it looks the key up (v2.0.0 src/api/common/signature/payload.rs:388-397
  // `verify_v4`), so the key was never judged, and the region's variable is the way out.
  if (/Region|Malformed/.test(code) && served !== undefined && served !== side.region)
    return `${where}: the store refused the region the request was signed for (${answer}): signed for "${side.region}", the store answers for "${served}": set ${vars.region}=${served}`;
  const region = /Region|Malformed/.test(code)
    ? `; the region signed for is "${side.region}" (${vars.region} sets it)`
    : "";
  return `${where}: the store refused the key (${answer}): check ${vars.accessKey} and ${vars.secretKey}${region}`;
}

/** A bucket counted on one store; `missing` when the store has no such bucket. */
export type Tally = { objects: number; bytes: number } | { missing: true };

/**
 * Keys that differ between the stores in one bucket: only on one side, or on both with another
 * size. The first of each kind is kept to name it; the rest are counted.
 */
export interface KeyDifferences {
  onlyOld: number;
  onlyNew: number;
  otherSize: number;
  first: { onlyOld?: string; onlyNew?: string; otherSize?: { key: string; old: number; new: number } };
}

/** One bucket compared. */
export interface MoveRow {
  bucket: string;
  status: "pass" | "fail";
  from: Tally;
  to: Tally;
  detail: string;
  /** Set when both stores hold the bucket and a key differs. */
  keys?: KeyDifferences;
}

/** Every bucket of the stack's plan (in any phase's consumers: used, kept, referenced), sorted. */
export function movedBuckets(cfg: StackConfig): string[] {
  const plan = planBuckets(cfg);
  return [...new Set(plan.consumers.flatMap((c) => [...c.buckets, ...c.referenced, ...c.unused]))].sort();
}

type Entry = { key: string; size: number };

/**
 * One store's listing of a bucket, an object at a time, in the order the store lists them;
 * `missing` when it has no such bucket. `node` is the first answer's x-amz-id-2 (MinIO sends a
 * hash of the answering node's name there; Garage sends none): a hint of one store named twice.
 */
class Listing {
  missing = false;
  node: string | undefined;
  private page: Entry[] = [];
  private at = 0;
  private token: string | undefined;
  private pages = 0;
  private done = false;
  constructor(
    private readonly side: StoreSide,
    private readonly bucket: string,
    private readonly fetchFn: typeof fetch,
  ) {}

  /** The next object, undefined at the end; fetches the next page (1,000 keys) when needed. */
  async peek(): Promise<Entry | undefined> {
    while (this.at >= this.page.length && !this.done) await this.fetchPage();
    return this.page[this.at];
  }

  next(): void {
    this.at++;
  }

  private async fetchPage(): Promise<void> {
    const { side, bucket } = this;
    if (this.pages++ >= 100_000)
      throw new StoreSideError(
        side,
        `${sideName(side)}: bucket "${bucket}" has more than 100,000,000 objects; count it another way`,
      );
    const url = listObjectsUrl(side.endpoint, bucket, this.token);
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        headers: signS3({ method: "GET", url, now: new Date(), ...side }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (e) {
      // fetch says only "fetch failed": the store and the bucket are what the reader needs, and
      // the cause (a refused connection, an unknown host, the timeout) why.
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new StoreSideError(
        side,
        `${sideName(side)}: listing bucket "${bucket}": the store could not be reached (${why})`,
      );
    }
    if (this.pages === 1) this.node = res.headers.get("x-amz-id-2") ?? undefined;
    const text = await res.text();
    if (this.pages === 1 && res.status === 404 && /NoSuchBucket/.test(text)) {
      this.missing = this.done = true;
      return;
    }
    if (!res.ok) throw new StoreSideError(side, refusal(side, bucket, res.status, text));
    // A 200 that is no listing (a web console's page on the port) is this side's, said as
    // refusal() says an answer with no S3 error, so the other side's failure is still said beside it.
    if (!isListObjectsV2(text))
      throw new StoreSideError(side, notS3(side, bucket, res.status, "no ListBucketResult", text));
    const p = parseListObjectsV2(text);
    this.page = p.objects;
    this.at = 0;
    this.token = p.nextToken;
    this.done = p.nextToken === undefined;
  }
}

/** Objects and bytes of one bucket, page by page (1,000 keys a page, at most 100,000 pages). */
export async function tally(side: StoreSide, bucket: string, fetchFn: typeof fetch = fetch): Promise<Tally> {
  const l = new Listing(side, bucket, fetchFn);
  let objects = 0;
  let bytes = 0;
  for (let o = await l.peek(); o !== undefined; l.next(), o = await l.peek()) {
    objects++;
    bytes += o.size;
  }
  return l.missing ? { missing: true } : { objects, bytes };
}

const show = (t: Tally) => ("missing" in t ? "no such bucket" : `${t.objects} objects, ${t.bytes} bytes`);

/**
 * S3 lists keys in ascending order of their UTF-8 bytes (ListObjectsV2: "returned in UTF-8 binary
 * order"); JavaScript's `<` compares UTF-16 units, which orders some keys otherwise.
 */
const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** What a row says of the keys that differ (after the counts). */
function showKeys(k: KeyDifferences): string {
  const parts: string[] = [];
  if (k.onlyOld > 0)
    parts.push(
      `${k.onlyOld} ${k.onlyOld === 1 ? "object" : "objects"} only on the old store (${JSON.stringify(k.first.onlyOld)}${k.onlyOld > 1 ? " and more" : ""})`,
    );
  if (k.onlyNew > 0)
    parts.push(
      `${k.onlyNew} only on the new store (${JSON.stringify(k.first.onlyNew)}${k.onlyNew > 1 ? " and more" : ""})`,
    );
  const o = k.first.otherSize;
  if (o)
    parts.push(
      `${k.otherSize} ${k.otherSize === 1 ? "object" : "objects"} of another size (${JSON.stringify(o.key)}: ${o.old} bytes on the old store, ${o.new} on the new)`,
    );
  return parts.join(", ");
}

/**
 * One bucket on both stores, key by key: both listings are in the same order, so they are walked
 * side by side a page at a time, and an object copied under another key, left behind by a copy
 * that did not finish, or of another size is found even where the counts and bytes agree.
 * When both answers carry one MinIO node ID, `sameNode` decides (and throws for one store).
 */
async function compareBucket(
  from: StoreSide,
  to: StoreSide,
  bucket: string,
  fetchFn: typeof fetch,
  sameNode: () => Promise<void>,
): Promise<MoveRow> {
  const [a, b] = [new Listing(from, bucket, fetchFn), new Listing(to, bucket, fetchFn)];
  let hinted = false;
  const counts = { from: { objects: 0, bytes: 0 }, to: { objects: 0, bytes: 0 } };
  const k: KeyDifferences = { onlyOld: 0, onlyNew: 0, otherSize: 0, first: {} };
  for (;;) {
    const [x, y] = await peekBoth(a, b);
    if (!hinted && a.node !== undefined && a.node === b.node) {
      hinted = true;
      await sameNode();
    }
    if (x === undefined && y === undefined) break;
    const order = x === undefined ? 1 : y === undefined ? -1 : byBytes(x.key, y.key);
    if (order <= 0) {
      counts.from.objects++;
      counts.from.bytes += x!.size;
    }
    if (order >= 0) {
      counts.to.objects++;
      counts.to.bytes += y!.size;
    }
    if (order < 0) {
      k.onlyOld++;
      k.first.onlyOld ??= x!.key;
    } else if (order > 0) {
      k.onlyNew++;
      k.first.onlyNew ??= y!.key;
    } else if (x!.size !== y!.size) {
      k.otherSize++;
      k.first.otherSize ??= { key: x!.key, old: x!.size, new: y!.size };
    }
    if (order <= 0) a.next();
    if (order >= 0) b.next();
  }
  const tallies: [Tally, Tally] = [
    a.missing ? { missing: true } : counts.from,
    b.missing ? { missing: true } : counts.to,
  ];
  const [ta, tb] = tallies;
  const both = !a.missing && !b.missing;
  const differ = both && k.onlyOld + k.onlyNew + k.otherSize > 0;
  const same = a.missing ? b.missing : both && !differ;
  return {
    bucket,
    status: same ? "pass" : "fail",
    from: ta,
    to: tb,
    detail: same
      ? `${show(ta)} on both`
      : `old store: ${show(ta)}; new store: ${show(tb)}${differ ? `; ${showKeys(k)}` : ""}`,
    ...(differ ? { keys: k } : {}),
  };
}

/** One store named by both flags: every bucket would be "the same on both", with nothing copied. */
export class SameStoreError extends Error {
  constructor(from: string, to: string, how: string) {
    super(
      `expected two stores, got the same one: --move-from ${from} and --move-to ${to} ${how}: every bucket would be the same on both with nothing copied, and the switch would leave every object behind; give --move-to the new store's S3 API`,
    );
  }
}

/** An endpoint as a URL compares: scheme, host and port as the URL parser writes them, no trailing slash. */
const sameUrl = (a: string, b: string) => {
  const norm = (u: string) => {
    const p = new URL(u);
    return `${p.protocol}//${p.host}${p.pathname.replace(/\/+$/, "")}`;
  };
  return norm(a) === norm(b);
};

/**
 * Every bucket of a store with its creation date, as ListBuckets says them (`name date` lines,
 * sorted), or the refusal's status and S3 code. Read only: nothing is written to either store.
 */
async function bucketDates(side: StoreSide, fetchFn: typeof fetch): Promise<string[] | { refused: string }> {
  const url = `${side.endpoint.replace(/\/+$/, "")}/`;
  let res: Response;
  try {
    res = await fetchFn(url, {
      headers: signS3({ method: "GET", url, now: new Date(), ...side }),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (e) {
    return { refused: (e as Error).message };
  }
  const text = await res.text();
  if (!res.ok)
    return { refused: `${res.status} ${/<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? "and no S3 error"}` };
  const lines = [...text.matchAll(/<Bucket>([\s\S]*?)<\/Bucket>/g)].map((m) => {
    const field = (f: string) => new RegExp(`<${f}>([^<]*)</${f}>`).exec(m[1])?.[1] ?? "";
    return `${field("Name")} ${field("CreationDate")}`;
  });
  return lines.sort();
}

/**
 * Whether two stores whose answers carry one MinIO node ID are one store. That ID is no proof:
 * MinIO sets x-amz-id-2 to the hex SHA-256 of its local node name (minio/minio @ 7aac2a2c5b7c,
 * the version scripts/install-validators.sh pins: cmd/generic-handlers.go sets
 * `xhttp.AmzRequestHostID` to `globalLocalNodeNameHex`; cmd/server-main.go hashes
 * `GetLocalPeer(...)`), and a single-node server's name is its `--address` as written, host and
 * port, "127.0.0.1:<port>" when the host is empty (cmd/endpoint.go `GetLocalPeer`). Two clusters'
 * single-node `minio-0` started alike send the same ID. So the ID is only the hint, and the
 * stores' bucket lists decide: each bucket's creation date is the time it was made on that
 * store, and a copy's buckets are made later, so two distinct stores never list the same
 * non-empty set of names and dates. When either store refuses ListBuckets the check cannot tell,
 * and refuses rather than pass a move that copied nothing.
 */
async function confirmSameNode(from: StoreSide, to: StoreSide, fetchFn: typeof fetch): Promise<void> {
  const [a, b] = [await bucketDates(from, fetchFn), await bucketDates(to, fetchFn)];
  for (const [side, l] of [
    [from, a],
    [to, b],
  ] as const)
    if (!Array.isArray(l))
      throw new StoreSideError(
        side,
        `${sideName(side)}: both stores answer as the same MinIO node (x-amz-id-2), which two single-node MinIOs started at the same address also do, and ListBuckets, which tells them apart by the buckets' creation dates, was refused (${l.refused}): allow s3:ListAllMyBuckets for ${side.role ? MOVE_ENV[side.role].accessKey : "the key"}`,
      );
  if (Array.isArray(a) && Array.isArray(b) && a.length > 0 && a.join("\n") === b.join("\n"))
    throw new SameStoreError(
      from.endpoint,
      to.endpoint,
      "answer as the same MinIO node (x-amz-id-2) and list the same buckets with the same creation dates",
    );
}

/**
 * Whether the old store holds none of the buckets: then it is not the store the stack writes to
 * (another endpoint, an empty store, bucket names of another stack), and "the same on both" would
 * only say that both lack them.
 */
export const noneOnOldStore = (rows: MoveRow[]) => rows.length > 0 && rows.every((r) => "missing" in r.from);

/**
 * Compares each bucket on both stores, key by key (compareBucket); a bucket missing on the old
 * store passes only when missing on both, and only while the old store holds some of the others.
 * Refuses one store named twice, answering as the same MinIO node with the same buckets made at
 * the same times (confirmSameNode); one URL named twice is moveSides' refusal.
 */
export async function compareStores(
  from: StoreSide,
  to: StoreSide,
  buckets: string[],
  fetchFn: typeof fetch = fetch,
): Promise<MoveRow[]> {
  // Asked once: the node ID is the same for every bucket.
  let confirmed: Promise<void> | undefined;
  const sameNode = () => (confirmed ??= confirmSameNode(from, to, fetchFn));
  const rows: MoveRow[] = [];
  for (const bucket of buckets) rows.push(await compareBucket(from, to, bucket, fetchFn, sameNode));
  if (noneOnOldStore(rows))
    for (const r of rows) {
      r.status = "fail";
      r.detail = "no such bucket on either store";
    }
  return rows;
}

/** The environment variables holding each side's key (never a flag: a command line is seen by others). */
export const MOVE_ENV = {
  from: {
    accessKey: "HOMELAB_MOVE_FROM_ACCESS_KEY_ID",
    secretKey: "HOMELAB_MOVE_FROM_SECRET_ACCESS_KEY",
    region: "HOMELAB_MOVE_FROM_REGION",
  },
  to: {
    accessKey: "HOMELAB_MOVE_TO_ACCESS_KEY_ID",
    secretKey: "HOMELAB_MOVE_TO_SECRET_ACCESS_KEY",
    region: "HOMELAB_MOVE_TO_REGION",
  },
} as const;

/** The stores the move check compares: they name a stack's buckets alike (config/buckets.ts planBuckets). */
const MOVABLE: readonly string[] = ["minio", "garage"];

/**
 * Why the stack's `objectStore.type` has nothing the check can compare, or undefined. On the
 * filesystem store there is no bucket (every consumer on its own volume): a check of no bucket
 * would pass having read nothing, and the data on the volumes would be left behind by a switch.
 * On Ceph RGW each consumer has one bucket (Mimir's purposes as key prefixes), where MinIO and
 * Garage have one per purpose: copies under the Ceph names are buckets nothing on Garage reads.
 */
export function storeTypeProblem(cfg: StackConfig, at?: OverridePlace): string | undefined {
  const type = cfg.objectStore.type;
  if (MOVABLE.includes(type)) return undefined;
  const why =
    type === "filesystem"
      ? "the stack keeps its data on volumes, not on an S3 store: it has no bucket to compare, and a switch would leave that data behind"
      : `on ${type} the stack keeps one bucket per consumer (${movedBuckets(cfg).join(", ")}), where MinIO and Garage have one per purpose (<bucketPrefix>-<consumer>-<purpose>): copies under these names would be buckets nothing on Garage reads`;
  return `${stackKeyAt("objectStore.type", at)}: expected ${MOVABLE.join(" or ")} (the stores the move check compares, docs/how-to/move-to-garage.md), got "${type}": ${why}`;
}

/**
 * Both sides from the flags' URLs and the environment. The check runs before the switch, so the old
 * store is the one the stack writes to: its region defaults to the stack's `objectStore.region`,
 * whichever store that is. The new one's defaults to the other store's own default: Garage's
 * "garage" (config/schema.ts garageStore) on the way from MinIO, MinIO's "us-east-1" (minioStore)
 * on the way back from Garage, which the how-to calls the same move the other way.
 * Throws naming every variable that is missing, never a value, one URL given to both flags
 * (SameStoreError) and a stack on a store the check does not compare (storeTypeProblem, at its
 * line in the stack file, `at`), each mistake beside the others (StoreSidesError when several).
 */
export function moveSides(
  cfg: StackConfig,
  fromUrl: string,
  toUrl: string,
  env: NodeJS.ProcessEnv,
  at?: OverridePlace,
): { from: StoreSide; to: StoreSide } {
  const os = cfg.objectStore;
  // An empty variable is unset, as the keys' are: a region "" is no store's.
  const fromRegion = env[MOVE_ENV.from.region] || ("region" in os ? os.region : "us-east-1");
  const toRegion = env[MOVE_ENV.to.region] || (os.type === "garage" ? "us-east-1" : "garage");
  const sides: { from: StoreSide; to: StoreSide } = {
    from: {
      endpoint: fromUrl,
      accessKey: env[MOVE_ENV.from.accessKey]!,
      secretKey: env[MOVE_ENV.from.secretKey]!,
      region: fromRegion,
      role: "from",
    },
    to: {
      endpoint: toUrl,
      accessKey: env[MOVE_ENV.to.accessKey]!,
      secretKey: env[MOVE_ENV.to.secretKey]!,
      region: toRegion,
      role: "to",
    },
  };
  const storeType = storeTypeProblem(cfg, at);
  const problems = [...(storeType ? [new Error(storeType)] : []), ...moveInputProblems(fromUrl, toUrl, env)];
  if (problems.length > 1) throw new StoreSidesError(problems);
  if (problems.length === 1) throw problems[0];
  return sides;
}

/**
 * What {@link moveSides} refuses, each its own error, judged from the flags and the environment
 * alone: the stack's config is not needed, so verify says them beside a refused stack file. A URL
 * refused or left out (undefined) still asks for the move, so the key variables are judged all the
 * same: said only once the URL was mended, they cost a second run.
 */
export function moveInputProblems(
  fromUrl: string | undefined,
  toUrl: string | undefined,
  env: NodeJS.ProcessEnv,
): Error[] {
  const missing = [
    MOVE_ENV.from.accessKey,
    MOVE_ENV.from.secretKey,
    MOVE_ENV.to.accessKey,
    MOVE_ENV.to.secretKey,
  ].filter((k) => !env[k]);
  return [
    ...(missing.length > 0
      ? [new Error(`the move check needs each store's key in the environment: set ${missing.join(", ")}`)]
      : []),
    // Judged before any store is asked, beside the keys: said only once they were set, it cost a
    // second run.
    ...(fromUrl !== undefined && toUrl !== undefined && sameUrl(fromUrl, toUrl)
      ? [new SameStoreError(fromUrl, toUrl, "are one URL")]
      : []),
  ];
}

/** The report's text: one line per bucket, then the verdict. */
export function formatMove(stack: string, rows: MoveRow[]): string {
  const lines = rows.map((r) => `${r.status.padEnd(4)}  ${r.bucket}: ${r.detail}`);
  const failed = rows.filter((r) => r.status === "fail").length;
  // A bucket the new store lacks is made there first (the guide's step 1): copied again as it is,
  // it stays missing where the copy's key may not create buckets (on Garage, a key from
  // `garage key create`), and one the copy tool makes on Garage is its key's alone.
  const lacking = rows.filter((r) => r.status === "fail" && "missing" in r.to && !("missing" in r.from));
  const create =
    lacking.length === 0
      ? ""
      : `create ${listed(lacking.map((r) => r.bucket))} on the new store (--move-to) under ${lacking.length === 1 ? "its name" : "their names"} (docs/how-to/move-to-garage.md step 1: on Garage, garage bucket create <name>), then `;
  lines.push(
    noneOnOldStore(rows)
      ? `${stack}: the old store (--move-from) has none of the stack's ${rows.length} buckets: it is not the store the stack writes to, or its buckets are named otherwise; do not switch objectStore`
      : failed === 0
        ? `${stack}: every bucket holds the same objects and bytes on both stores: the stack may switch objectStore`
        : `${stack}: ${failed} bucket(s) differ: ${create}copy again (with the writers stopped for the last pass) before switching objectStore`,
  );
  return lines.join("\n") + "\n";
}
