/**
 * The HTTP side of verify: JSON over GET/POST with a deadline, errors as one readable line that
 * never holds a credential (user info in a URL is cut, auth travels only in headers).
 */
import * as http from "http";
import * as https from "https";
import { withoutQueryCredentials } from "../model/secrets";

/** A component did not answer, or answered with an error; `message` is fit to print. */
export class ApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiError";
  }
}

/**
 * The URL without user info and query, for messages; one that does not parse without its user
 * info and with its credential-named query parameters' values `<redacted>` (model/secrets.ts).
 */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return withoutQueryCredentials(url.replace(/\/\/[^/@]*@/, "//"));
  }
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** JSON body (POST); without it the request is a GET. */
  body?: unknown;
  /** Deadline of the request (default 10 s). */
  timeoutMs?: number;
  /** Return the parsed body of an error status too (Grafana's /api/ds/query answers 400 with results). */
  anyStatus?: boolean;
}

/** `base` + `path` (+ query parameters), keeping a base path such as Mimir's `/prometheus`. */
export function urlOf(base: string, path: string, params: Record<string, string | string[]> = {}): string {
  const u = new URL(base.replace(/\/+$/, "") + path);
  for (const [k, v] of Object.entries(params)) for (const one of [v].flat()) u.searchParams.append(k, one);
  return u.toString();
}

/** Headers of a Basic login (Grafana's admin). */
export function basicAuth(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` };
}

/** Fetches `url` and parses its JSON; any failure is an ApiError naming the URL (redacted). */
export async function requestJson(url: string, opts: RequestOptions = {}): Promise<any> {
  const shown = redact(url);
  const headers: Record<string, string> = { Accept: "application/json", ...(opts.headers ?? {}) };
  const body = opts.body !== undefined ? JSON.stringify(opts.body) : undefined;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await exchange(url, { headers, body, timeoutMs: opts.timeoutMs });
  let json: any;
  try {
    json = res.text ? JSON.parse(res.text) : undefined;
  } catch {
    json = undefined;
  }
  const ok = res.status >= 200 && res.status < 300;
  if (!ok && !(opts.anyStatus && json !== undefined))
    throw new ApiError(`${shown}: ${statusSaid(res.status, res.text)}`);
  if (json === undefined) throw new ApiError(`${shown}: the answer is not JSON`);
  return json;
}

/** How much of an answer a message quotes: its first words, enough to tell a proxy's page from an API's error. */
const SAID_MAX = 120;

/**
 * An answer's first words as one line of text, for a message: the `error` or `message` of a JSON
 * answer (Prometheus' and Mimir's API errors, Grafana's), else the text itself with its markup
 * removed (an nginx 502 page, Grafana's HTML 404: their `<title>` and headings are what is worth
 * reading; scripts, styles and comments are not), the common entities decoded, whitespace
 * collapsed, at most SAID_MAX characters. A login written in a URL the answer echoes is cut as
 * redact() cuts it. Empty when nothing readable is left.
 */
export function answerWords(text: string): string {
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const said = [json?.error, json?.message].find((m) => typeof m === "string") ?? text;
  const words = said
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ")
    // Markup goes; the mark of a credential cut from the answer (exchange) stays.
    .replace(/<(?!redacted>)[^>]*>/g, " ")
    .replace(/&(nbsp|amp|lt|gt|quot|#39);/g, (_m: string, e: string) => ENTITIES[e])
    .replace(/\/\/[^\s/@]*@/g, "//")
    .replace(/\s+/g, " ")
    // A tag closed before a full stop or a comma left a space there.
    .replace(/ ([.,;:!?])(?= |$)/g, "$1")
    .trim();
  return words.length > SAID_MAX ? `${words.slice(0, SAID_MAX - 1).trimEnd()}…` : words;
}

const ENTITIES: Record<string, string> = { nbsp: " ", amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };

/**
 * An error status as every verify message shows it: `HTTP <status> (<the answer's first words>)`,
 * the words from answerWords (no markup, one line, bounded, no login).
 */
export function statusSaid(status: number, text: string): string {
  const words = answerWords(text);
  return `HTTP ${status}${words ? ` (${words})` : ""}`;
}

/** One sample of an instant vector (Prometheus HTTP API, resultType "vector"). */
export interface Sample {
  metric: Record<string, string>;
  value: number;
}

/**
 * A PromQL instant query against a Prometheus-compatible API (Prometheus, Mimir under
 * `/prometheus`, VictoriaMetrics): `GET <base>/api/v1/query?query=...[&time=...]`.
 */
export async function instantQuery(
  base: string,
  expr: string,
  opts: { time?: number; headers?: Record<string, string> } = {},
): Promise<Sample[]> {
  const params: Record<string, string> = { query: expr };
  if (opts.time !== undefined) params.time = String(opts.time);
  const body = await requestJson(urlOf(base, "/api/v1/query", params), { headers: opts.headers });
  if (body?.status !== "success") throw new ApiError(`query ${expr}: ${body?.error ?? "failed"}`);
  const data = body.data;
  if (data?.resultType === "scalar") return [{ metric: {}, value: Number(data.result[1]) }];
  if (data?.resultType !== "vector" || !Array.isArray(data.result))
    throw new ApiError(`query ${expr}: expected a vector, got ${data?.resultType}`);
  return data.result.map((r: any) => ({ metric: r.metric ?? {}, value: Number(r.value?.[1]) }));
}

/** X-Scope-OrgID for a tenant (Mimir multitenancy, Loki auth_enabled). */
export const tenantHeaders = (tenant?: string): Record<string, string> =>
  tenant ? { "X-Scope-OrgID": tenant } : {};

/** How long a request without a deadline of its own waits for an answer (verify --timeout). */
const DEFAULT_TIMEOUT_MS = 10_000;
let requestTimeoutMs = DEFAULT_TIMEOUT_MS;

/** How long a request without a deadline of its own waits now, seconds. */
export function requestTimeoutSeconds(): number {
  return requestTimeoutMs / 1000;
}

/**
 * Sets how long a request without a deadline of its own waits (seconds; undefined: the default),
 * for one verify run; returns what puts the previous one back. One run at a time per process: the
 * CLI runs once, the tests run verify in process one after another.
 */
export function setRequestTimeout(seconds: number | undefined): () => void {
  const previous = requestTimeoutMs;
  requestTimeoutMs = seconds === undefined ? DEFAULT_TIMEOUT_MS : seconds * 1000;
  return () => {
    requestTimeoutMs = previous;
  };
}

/**
 * The credentials a request carries, as an echo of them could read: each Authorization header whole
 * and its token after the scheme (a Basic pair's base64, a bearer token), and the URL's password.
 * Shorter than 4 characters they are left: cutting them would cut ordinary words of the answer.
 */
function credentialsSent(headers: Record<string, string>, password: string): string[] {
  const auth = Object.entries(headers)
    .filter(([k]) => k.toLowerCase() === "authorization")
    .flatMap(([, v]) => [v, v.slice(v.indexOf(" ") + 1)]);
  return [...auth, password].filter((v) => v.length >= 4).sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` (longest first) replaced by `<redacted>`. */
function withoutSecrets(text: string, secrets: readonly string[]): string {
  return secrets.reduce((t, x) => t.split(x).join("<redacted>"), text);
}

/**
 * One request (GET, or POST with `body`) and its whole answer, whatever the status; no answer
 * within the deadline, or none at all, is an ApiError naming the URL (redacted) and why (the
 * timeout, or the network error's code: ECONNREFUSED, ...). Credentials in the URL itself travel
 * as a Basic login header, never in the request line.
 *
 * Node's http rather than fetch: verify asks a stack's APIs for thousands of small JSON answers,
 * and fetch's streams cost several times the CPU of the request itself (2,000 requests on loopback:
 * about 540 ms against 130 ms). Unencoded (no Accept-Encoding): every answer is read whole at once,
 * so the server's gzip and the inflating here were work for no gain.
 */
function exchange(
  url: string,
  opts: { headers: Record<string, string>; body?: string; timeoutMs?: number },
): Promise<{ status: number; text: string }> {
  const timeoutMs = opts.timeoutMs ?? requestTimeoutMs;
  const unreachable = (why: string) => new ApiError(`${redact(url)}: unreachable (${why})`);
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch (e) {
      reject(unreachable((e as Error).message));
      return;
    }
    const headers = { ...opts.headers };
    if (u.username || u.password)
      Object.assign(headers, basicAuth(decodeURIComponent(u.username), decodeURIComponent(u.password)));
    const sent = credentialsSent(headers, decodeURIComponent(u.password));
    if (opts.body !== undefined) headers["Content-Length"] = String(Buffer.byteLength(opts.body));
    const lib = u.protocol === "https:" ? https : u.protocol === "http:" ? http : undefined;
    if (!lib) {
      reject(unreachable(`not an http or https URL: ${u.protocol}`));
      return;
    }
    const req = lib.request(
      {
        protocol: u.protocol,
        hostname: u.hostname.replace(/^\[|\]$/g, ""),
        port: u.port || undefined,
        path: u.pathname + u.search,
        method: opts.body !== undefined ? "POST" : "GET",
        headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          clearTimeout(timer);
          // A server that echoes the request (a debug proxy, an error page quoting its headers)
          // would put the login into the message that quotes its answer: cut here, for every caller.
          resolve({
            status: res.statusCode ?? 0,
            text: withoutSecrets(Buffer.concat(chunks).toString("utf8"), sent),
          });
        });
        res.on("error", (e: NodeJS.ErrnoException) => {
          clearTimeout(timer);
          reject(unreachable(e.code ?? e.message));
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      // The wait --timeout sets says so: on a slow link the flag is the way out. A request with
      // its own deadline (a range query of backend-agrees) is not the flag's.
      reject(
        unreachable(
          `no answer within ${timeoutMs / 1000} s${opts.timeoutMs === undefined ? "; --timeout waits longer" : ""}`,
        ),
      );
    }, timeoutMs);
    req.on("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(unreachable(e.code ?? e.message));
    });
    req.end(opts.body);
  });
}

/** Fetches `url` and returns its status and text, whatever the status; unreachable is an ApiError naming the URL (redacted). */
export async function requestText(
  url: string,
  opts: Pick<RequestOptions, "headers" | "timeoutMs"> = {},
): Promise<{ status: number; text: string }> {
  return exchange(url, { headers: opts.headers ?? {}, timeoutMs: opts.timeoutMs });
}

/** One series of a range query (resultType "matrix"). */
export interface MatrixSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

/**
 * A PromQL range query (`GET <base>/api/v1/query_range?query&start&end&step`, Prometheus
 * docs/querying/api.md "Range queries"; Mimir under `/prometheus`, VictoriaMetrics at its root).
 * An answer that is not a matrix, or an error, is an ApiError naming the URL and status.
 */
export async function rangeQuery(
  base: string,
  expr: string,
  window: { start: number; end: number; step: number },
  opts: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<MatrixSeries[]> {
  const body = await requestJson(
    urlOf(base, "/api/v1/query_range", {
      query: expr,
      start: String(window.start),
      end: String(window.end),
      step: String(window.step),
    }),
    { headers: opts.headers, timeoutMs: opts.timeoutMs },
  );
  if (body?.status !== "success") throw new ApiError(`${redact(base)}: ${body?.error ?? "query failed"}`);
  if (body.data?.resultType !== "matrix" || !Array.isArray(body.data.result))
    throw new ApiError(`${redact(base)}: expected a matrix, got ${body.data?.resultType}`);
  return body.data.result.map((r: any) => ({
    metric: r.metric ?? {},
    values: (r.values ?? []).map((v: [number, string]) => [Number(v[0]), String(v[1])]),
  }));
}

/** Values of one label (`GET <base>/api/v1/label/<name>/values[?match[]=...]`). */
export async function labelValues(
  base: string,
  label: string,
  opts: { match?: string; start?: number; end?: number; headers?: Record<string, string> } = {},
): Promise<string[]> {
  const params: Record<string, string> = {};
  if (opts.match) params["match[]"] = opts.match;
  if (opts.start !== undefined) params.start = String(opts.start);
  if (opts.end !== undefined) params.end = String(opts.end);
  const body = await requestJson(urlOf(base, `/api/v1/label/${encodeURIComponent(label)}/values`, params), {
    headers: opts.headers,
  });
  if (body?.status !== "success" || !Array.isArray(body.data))
    throw new ApiError(`${redact(base)}: label values of ${label}: ${body?.error ?? "failed"}`);
  return body.data.map(String);
}
