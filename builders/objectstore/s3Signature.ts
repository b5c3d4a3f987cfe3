import { createHash, createHmac } from "crypto";

/**
 * AWS Signature Version 4 for the few S3 calls the program makes itself (listing a bucket for the
 * move check, emptying one Garage is asked to delete): the canonical request, the string to sign
 * and the signing key as AWS's "Signature Version 4 signing process" defines them, which MinIO and
 * Garage both check (Deuxfleurs/garage v2.0.0 src/api/common/signature/payload.rs `verify_v4`:
 * the scope must name the server's own region). Pure: the clock and the credentials come in.
 */

/** What one request needs to be signed. */
export interface S3Request {
  method: "GET" | "PUT" | "DELETE" | "HEAD" | "POST";
  /** The full URL, query included (path-style: `<endpoint>/<bucket>/<key>`). */
  url: string;
  region: string;
  accessKey: string;
  secretKey: string;
  /** The body, when there is one. */
  body?: string | Uint8Array;
  /** The time of signing. */
  now: Date;
}

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The headers that sign `req` (host, x-amz-date, x-amz-content-sha256, authorization). */
export function signS3(req: S3Request): Record<string, string> {
  const u = new URL(req.url);
  const amzDate = req.now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
  const day = amzDate.slice(0, 8);
  const payloadHash = sha256(req.body ?? "");
  const headers: Record<string, string> = {
    host: u.host,
    "x-amz-content-sha256": payloadHash,
    "x-amz-date": amzDate,
  };
  const signed = Object.keys(headers).sort();
  // The path is already percent-encoded by URL; each segment is re-encoded from its decoded form.
  const path = u.pathname
    .split("/")
    .map((seg) => uriEncode(decodeURIComponent(seg)))
    .join("/");
  const query = [...u.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const canonical = [
    req.method,
    path || "/",
    query,
    signed.map((h) => `${h}:${headers[h].trim()}\n`).join(""),
    signed.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${day}/${req.region}/s3/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonical)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${req.secretKey}`, day), req.region), "s3"), "aws4_request");
  const signature = createHmac("sha256", key).update(toSign).digest("hex");
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${req.accessKey}/${scope}, SignedHeaders=${signed.join(";")}, Signature=${signature}`,
  };
}

/** One page of a ListObjectsV2 answer (the XML S3 defines): keys with their sizes, and the next token. */
export interface ListPage {
  objects: { key: string; size: number }[];
  nextToken?: string;
}

/** XML entities S3 escapes in keys. */
function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCharCode(Number(d)))
    .replace(/&amp;/g, "&");
}

/** Whether an answer is a ListObjectsV2 result at all (what {@link parseListObjectsV2} reads). */
export const isListObjectsV2 = (xml: string): boolean => /<ListBucketResult[\s>]/.test(xml);

/**
 * Parses a ListObjectsV2 result (`<ListBucketResult>` with `<Contents><Key>`, `<Size>`,
 * `<IsTruncated>`, `<NextContinuationToken>`). Throws on anything else, naming only its first tag:
 * what answers in a store's place (a login page) may echo the request, credentials and all.
 */
export function parseListObjectsV2(xml: string): ListPage {
  if (!isListObjectsV2(xml)) {
    const tag = /<[!?]?[A-Za-z][^\s>]*/.exec(xml)?.[0];
    throw new Error(
      `expected a ListBucketResult, got ${tag ? `a document beginning ${tag}>` : xml.trim() ? "text without markup" : "an empty answer"}`,
    );
  }
  const objects = [...xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)].map((m) => {
    const key = /<Key>([\s\S]*?)<\/Key>/.exec(m[1]);
    const size = /<Size>(\d+)<\/Size>/.exec(m[1]);
    if (!key || !size) throw new Error(`a Contents entry without Key or Size: ${m[1].slice(0, 200)}`);
    return { key: unescapeXml(key[1]), size: Number(size[1]) };
  });
  const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
  const next = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml);
  return { objects, ...(truncated && next ? { nextToken: unescapeXml(next[1]) } : {}) };
}

/** The path-style ListObjectsV2 URL of one page of `bucket` at `endpoint`. */
export function listObjectsUrl(endpoint: string, bucket: string, token?: string): string {
  const u = new URL(`${endpoint.replace(/\/+$/, "")}/${encodeURIComponent(bucket)}`);
  u.searchParams.set("list-type", "2");
  u.searchParams.set("max-keys", "1000");
  if (token !== undefined) u.searchParams.set("continuation-token", token);
  return u.toString();
}
