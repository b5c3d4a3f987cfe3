/**
 * The check before a stack moves its buckets from one object store to another (MinIO to Garage,
 * docs/how-to/move-to-garage.md): every bucket the stack plans holds, on the new store, as many
 * objects and as many bytes as on the old one, counted through each store's S3 API
 * (ListObjectsV2). It reads only; the copy is the operator's (`rclone sync` or `mc mirror`).
 */
import type { StackConfig } from "../config/resolve";
import { planBuckets } from "../config/buckets";
import { answerWords } from "./http";
import { listObjectsUrl, parseListObjectsV2, signS3 } from "../builders/objectstore/s3Signature";

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

/** Why a store refused a listing, with what to fix; never the secret, even were the store to echo it. */
function refusal(side: StoreSide, bucket: string, status: number, text: string): string {
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? "";
  const hide = (t: string) => (side.secretKey.length >= 4 ? t.split(side.secretKey).join("<redacted>") : t);
  const said = hide(message);
  const where = `${sideName(side)}: listing bucket "${bucket}"`;
  if (code === undefined)
    return `${where} answered ${status} and no S3 error (${JSON.stringify(hide(answerWords(text)))}): is this the store's S3 API endpoint?`;
  const answer = `${status} ${code}${said ? `: ${said.trim().replace(/\.$/, "")}` : ""}`;
  if (!KEY_REFUSED.has(code) || !side.role) return `${where} answered ${answer}`;
  const vars = MOVE_ENV[side.role];
  const region = /Region|Malformed/.test(code)
    ? `; the region signed for is "${side.region}" (${vars.region} sets it)`
    : "";
  return `${where}: the store refused the key (${answer}): check ${vars.accessKey} and ${vars.secretKey}${region}`;
}

/** A bucket counted on one store; `missing` when the store has no such bucket. */
export type Tally = { objects: number; bytes: number } | { missing: true };

/** One bucket compared. */
export interface MoveRow {
  bucket: string;
  status: "pass" | "fail";
  from: Tally;
  to: Tally;
  detail: string;
}

/** Every bucket of the stack's plan (in any phase's consumers: used, kept, referenced), sorted. */
export function movedBuckets(cfg: StackConfig): string[] {
  const plan = planBuckets(cfg);
  return [...new Set(plan.consumers.flatMap((c) => [...c.buckets, ...c.referenced, ...c.unused]))].sort();
}

/** Objects and bytes of one bucket, page by page (1,000 keys a page, at most 100,000 pages). */
export async function tally(side: StoreSide, bucket: string, fetchFn: typeof fetch = fetch): Promise<Tally> {
  let objects = 0;
  let bytes = 0;
  let token: string | undefined;
  for (let page = 0; page < 100_000; page++) {
    const url = listObjectsUrl(side.endpoint, bucket, token);
    let res: Response;
    try {
      res = await fetchFn(url, {
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
    const text = await res.text();
    if (res.status === 404 && /NoSuchBucket/.test(text)) return { missing: true };
    if (!res.ok) throw new StoreSideError(side, refusal(side, bucket, res.status, text));
    const p = parseListObjectsV2(text);
    objects += p.objects.length;
    bytes += p.objects.reduce((n, o) => n + o.size, 0);
    token = p.nextToken;
    if (token === undefined) return { objects, bytes };
  }
  throw new StoreSideError(
    side,
    `${sideName(side)}: bucket "${bucket}" has more than 100,000,000 objects; count it another way`,
  );
}

const show = (t: Tally) => ("missing" in t ? "no such bucket" : `${t.objects} objects, ${t.bytes} bytes`);

/**
 * Whether the old store holds none of the buckets: then it is not the store the stack writes to
 * (another endpoint, an empty store, bucket names of another stack), and "the same on both" would
 * only say that both lack them.
 */
export const noneOnOldStore = (rows: MoveRow[]) => rows.length > 0 && rows.every((r) => "missing" in r.from);

/**
 * Compares each bucket on both stores; a bucket missing on the old store passes only when missing
 * on both, and only while the old store holds some of the others.
 */
export async function compareStores(
  from: StoreSide,
  to: StoreSide,
  buckets: string[],
  fetchFn: typeof fetch = fetch,
): Promise<MoveRow[]> {
  const rows: MoveRow[] = [];
  for (const bucket of buckets) {
    const [a, b] = [await tally(from, bucket, fetchFn), await tally(to, bucket, fetchFn)];
    const same =
      "missing" in a ? "missing" in b : !("missing" in b) && a.objects === b.objects && a.bytes === b.bytes;
    rows.push({
      bucket,
      status: same ? "pass" : "fail",
      from: a,
      to: b,
      detail: same ? `${show(a)} on both` : `old store: ${show(a)}; new store: ${show(b)}`,
    });
  }
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

/**
 * Both sides from the flags' URLs and the environment. The check runs before the switch, so the old
 * store is the one the stack writes to: its region defaults to the stack's `objectStore.region`,
 * whichever store that is. The new one's defaults to the other store's own default: Garage's
 * "garage" (config/schema.ts garageStore) on the way from MinIO, MinIO's "us-east-1" (minioStore)
 * on the way back from Garage, which the how-to calls the same move the other way.
 * Throws naming every variable that is missing, never a value.
 */
export function moveSides(
  cfg: StackConfig,
  fromUrl: string,
  toUrl: string,
  env: NodeJS.ProcessEnv,
): { from: StoreSide; to: StoreSide } {
  const missing = [
    MOVE_ENV.from.accessKey,
    MOVE_ENV.from.secretKey,
    MOVE_ENV.to.accessKey,
    MOVE_ENV.to.secretKey,
  ].filter((k) => !env[k]);
  if (missing.length > 0)
    throw new Error(`the move check needs each store's key in the environment: set ${missing.join(", ")}`);
  const os = cfg.objectStore;
  const fromRegion = env[MOVE_ENV.from.region] ?? ("region" in os ? os.region : "us-east-1");
  const toRegion = env[MOVE_ENV.to.region] ?? (os.type === "garage" ? "us-east-1" : "garage");
  return {
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
}

/** The report's text: one line per bucket, then the verdict. */
export function formatMove(stack: string, rows: MoveRow[]): string {
  const lines = rows.map((r) => `${r.status.padEnd(4)}  ${r.bucket}: ${r.detail}`);
  const failed = rows.filter((r) => r.status === "fail").length;
  lines.push(
    noneOnOldStore(rows)
      ? `${stack}: the old store (--move-from) has none of the stack's ${rows.length} buckets: it is not the store the stack writes to, or its buckets are named otherwise; do not switch objectStore`
      : failed === 0
        ? `${stack}: every bucket holds the same objects and bytes on both stores: the stack may switch objectStore`
        : `${stack}: ${failed} bucket(s) differ: copy again (with the writers stopped for the last pass) before switching objectStore`,
  );
  return lines.join("\n") + "\n";
}
