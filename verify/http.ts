/**
 * The HTTP side of verify: JSON over GET/POST with a deadline, errors as one readable line that
 * never holds a credential (user info in a URL is cut, auth travels only in headers).
 */

/** A component did not answer, or answered with an error; `message` is fit to print. */
export class ApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ApiError";
  }
}

/** The URL without user info and query, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return url.replace(/\/\/[^/@]*@/, "//");
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
  let res: Response;
  try {
    const u = new URL(url);
    const headers: Record<string, string> = { Accept: "application/json", ...(opts.headers ?? {}) };
    // Credentials in the URL itself go to a header; fetch refuses URLs that carry them.
    if (u.username || u.password) {
      Object.assign(headers, basicAuth(decodeURIComponent(u.username), decodeURIComponent(u.password)));
      u.username = "";
      u.password = "";
    }
    if (opts.body !== undefined) headers["Content-Type"] = "application/json";
    res = await fetch(u, {
      method: opts.body !== undefined ? "POST" : "GET",
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (e) {
    throw new ApiError(`${shown}: unreachable (${unreachable(e, opts.timeoutMs)})`);
  }
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok && !(opts.anyStatus && json !== undefined)) {
    const said = json?.error ?? json?.message ?? text.slice(0, 200).trim();
    throw new ApiError(`${shown}: HTTP ${res.status}${said ? ` (${said})` : ""}`);
  }
  if (json === undefined) throw new ApiError(`${shown}: the answer is not JSON`);
  return json;
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

/** Why a request got no answer: the timeout, or the network error's code (ECONNREFUSED, ...). */
function unreachable(e: unknown, timeoutMs = 10_000): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return (e as Error).name === "TimeoutError"
    ? `no answer within ${timeoutMs / 1000} s`
    : (cause?.code ?? cause?.message ?? (e as Error).message);
}

/** Fetches `url` and returns its status and text, whatever the status; unreachable is an ApiError naming the URL (redacted). */
export async function requestText(
  url: string,
  opts: Pick<RequestOptions, "headers" | "timeoutMs"> = {},
): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(url, {
      headers: opts.headers ?? {},
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    return { status: res.status, text: await res.text() };
  } catch (e) {
    throw new ApiError(`${redact(url)}: unreachable (${unreachable(e, opts.timeoutMs)})`);
  }
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
