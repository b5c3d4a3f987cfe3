/**
 * Whether the URL verify reaches for a component is that component, asked once before any check
 * uses it: a port-forward or `--url` to the wrong port is an operator's likeliest slip, and
 * Prometheus and VictoriaMetrics both speak the Prometheus API, so a check could pass against the
 * wrong one (backend-agrees comparing one engine with itself). A URL that is unreachable, refuses
 * the login or answers as another product is then one message naming the component and how it was
 * reached, instead of one HTTP error per check.
 *
 * Every probe is a path the product serves without a tenant or a login, so it can be asked before
 * the checks send theirs. What each answers, read in the sources (only Prometheus, VictoriaMetrics
 * and Alertmanager run in the tests; the others were read, not run):
 * - Prometheus' `/api/v1/status/buildinfo` carries its `revision` and `goVersion` (prometheus
 *   web/api/v1/api.go `PrometheusVersion`; Debian's Prometheus in the tests).
 * - Mimir's adds `application` ("Grafana Mimir", pkg/mimir/mimir.go) in the same envelope (grafana/mimir
 *   pkg/util/version/info_handler.go at a4f0dd53). Mimir serves it under `/prometheus` on the
 *   query-frontend (RegisterQueryAPI) and on the ruler (RegisterRulerAPI), both registered with
 *   `auth` false (pkg/api/api.go): no X-Scope-OrgID needed. Read, not run.
 * - VictoriaMetrics' carries neither: a fixed `{"version":"2.24.0"}` for Grafana (VictoriaMetrics
 *   app/vmselect/main.go `handleStaticAndSimpleRequests` at commit 003d2edd, read, not run), `{}`
 *   from Debian's older VictoriaMetrics in the tests.
 * - Loki's `/loki/api/v1/status/buildinfo` is Prometheus' `PrometheusVersion` written bare, with no
 *   `status`/`data` envelope (grafana/loki v3.7.6 pkg/loki/version_handler.go), registered on every
 *   target's own server outside the auth middleware (pkg/loki/loki.go, "Each component serves its
 *   version"): no tenant needed, on the query Service and on the ring's pods alike. Read, not run.
 * - Grafana's `/api/health` is `{"database": "ok", "version", "commit"}` (version and commit hidden
 *   by `hide_version`), 503 with `"database": "failing"`; it is mounted before the context
 *   middleware, so it wants no login (grafana/grafana pkg/api/http_server.go
 *   addMiddlewaresAndStaticRoutes, apiHealthHandler, at ab59f3cb). Read, not run.
 * - Alertmanager's `/api/v2/status` carries `versionInfo` and `config` (api/v2/openapi.yaml
 *   alertmanagerStatus).
 */
import { answerWords, ApiError, redact, requestText, urlOf } from "./http";
import type { Component } from "./types";

/** A component's URL is not usable; every check that needs it fails with this one cause. */
export class ComponentError extends ApiError {
  constructor(
    readonly component: Component,
    message: string,
  ) {
    super(message);
    this.name = "ComponentError";
  }
}

/** What the probe reads of an answer: its status and its JSON (undefined when it is none). */
async function ask(url: string): Promise<{ status: number; json: any; text: string }> {
  const res = await requestText(url, { headers: { Accept: "application/json" } });
  let json: any;
  try {
    json = JSON.parse(res.text);
  } catch {
    json = undefined;
  }
  return { ...res, json };
}

/** The answer's first words in parentheses, for a message (verify/http.ts answerWords). */
const said = (text: string) => {
  const t = answerWords(text);
  return t ? ` (${t})` : "";
};

/** Which product a build-info answer is: "prometheus", the name another gives itself, or "other" (a Prometheus-API engine). */
export function buildOf(json: any): string {
  const data = json?.status === "success" ? json.data : undefined;
  if (typeof data?.application === "string") return data.application;
  if (typeof data?.goVersion === "string" && typeof data?.revision === "string") return "prometheus";
  return "other";
}

/** A product's probe: the path it answers without a tenant or a login, and what its answer holds. */
interface Probe {
  product: string;
  path: string;
  /** Whether a 2xx answer (its JSON) is the product's. */
  answers(json: any): boolean;
  /** Whether a 401 or 403 there is the product asking for a login (Grafana's health never does). */
  mayWantLogin: boolean;
}

const PROMETHEUS_API = "/api/v1/status/buildinfo";

/** Mimir's probe, on the query-frontend and the ruler alike. */
const MIMIR_PROBE: Probe = {
  product: "Mimir",
  path: `/prometheus${PROMETHEUS_API}`,
  answers: (json) => !["prometheus", "other"].includes(buildOf(json)),
  mayWantLogin: true,
};

/** Loki's probe, on the query path (through the gateway when the stack runs one) and the ring's pods alike. */
export const LOKI_PROBE: Probe = {
  product: "Loki",
  path: "/loki/api/v1/status/buildinfo",
  answers: (json) => typeof json?.goVersion === "string" && json?.status === undefined,
  mayWantLogin: true,
};

/** Every component's probe (the sources are cited at the top of this file). */
const PROBES: Record<Component, Probe> = {
  prometheus: { product: "Prometheus", path: PROMETHEUS_API, answers: () => true, mayWantLogin: true },
  victoriametrics: { product: "Prometheus", path: PROMETHEUS_API, answers: () => true, mayWantLogin: true },
  alertmanager: {
    product: "Alertmanager",
    path: "/api/v2/status",
    answers: (json) => !!json?.versionInfo,
    mayWantLogin: true,
  },
  mimir: MIMIR_PROBE,
  "mimir-ruler": MIMIR_PROBE,
  loki: LOKI_PROBE,
  "loki-ring": LOKI_PROBE,
  grafana: {
    product: "Grafana",
    path: "/api/health",
    answers: (json) => typeof json?.database === "string",
    mayWantLogin: false,
  },
};

/**
 * The prefix a probe's path puts before the product's API (`/prometheus` of Mimir's, `/loki` of
 * Loki's), which verify adds to the URL itself; "" when the API is at the root.
 */
const apiPrefix = (probe: Probe): string => probe.path.slice(0, probe.path.indexOf("/api/"));

/**
 * Why nothing answered as `probe` there, when `base`'s own path already ends with the prefix verify
 * adds (a URL copied from a doc or a browser with `/prometheus` on it): the prefix is then doubled in
 * what was requested, the likelier cause than another component's port.
 */
function doubledPrefix(probe: Probe, base: string): string | undefined {
  const prefix = apiPrefix(probe);
  const u = new URL(base);
  const own = u.pathname.replace(/\/+$/, "");
  if (!prefix || !own.endsWith(prefix)) return undefined;
  u.pathname = own.slice(0, -prefix.length) || "/";
  return `the URL's path already ends with ${prefix}, which verify adds itself; expected the URL without it (${redact(u.toString()).replace(/\/$/, "")})`;
}

/** Why `base` is not `c` (one line, after the component's name and how it was reached), or undefined when it answers as `c`. */
export async function misidentified(c: Component, base: string): Promise<string | undefined> {
  const probe = PROBES[c];
  const url = urlOf(base, probe.path);
  // What was requested, said as the server saw it: the base URL's own path comes before the probe's.
  const path = new URL(url).pathname;
  let r: Awaited<ReturnType<typeof ask>>;
  try {
    r = await ask(url);
  } catch (e) {
    return (e as Error).message.replace(/^[^ ]*: /, "");
  }
  const answered = `GET ${path} answered ${r.status}${said(r.text)}`;
  if (probe.mayWantLogin && (r.status === 401 || r.status === 403))
    return new URL(base).username
      ? `${answered}: it refused the login given in the URL`
      : `${answered}: it wants a login; give it in the URL (http://<user>:<password>@host)`;
  if (r.status >= 500) return `${answered}: the server failed`;
  const build = buildOf(r.json);
  if (probe.product === "Mimir" && r.json?.status === "success" && !probe.answers(r.json))
    // VictoriaMetrics serves the Prometheus API under `/prometheus` too.
    return `it is no Mimir: its build info (GET ${path}) names no application, as Prometheus' and VictoriaMetrics' do not; is it ${build === "prometheus" ? "Prometheus'" : "VictoriaMetrics'"} port?`;
  if (r.status < 200 || r.status > 299 || !probe.answers(r.json))
    return `no ${probe.product} API there (${answered}); ${doubledPrefix(probe, base) ?? "is it another component's port?"}`;
  if (c === "prometheus" && build !== "prometheus")
    return `it is ${build === "other" ? "no Prometheus: its build info (GET " + path + ") has no goVersion, as VictoriaMetrics answers" : `${build}, not Prometheus (GET ${path})`}; is it the backend's port?`;
  if (c === "victoriametrics" && build !== "other")
    return `it is ${build === "prometheus" ? "Prometheus" : build}, not VictoriaMetrics (GET ${path} names its build); is it ${build === "prometheus" ? "Prometheus'" : "another component's"} port?`;
  return undefined;
}

/** The message of a component that failed its probe: the component, how it was reached, why. */
export function componentProblem(c: Component, base: string, given: boolean, why: string): string {
  const shown = redact(base).replace(/\/$/, "");
  return given ? `--url ${c}=${shown}: ${why}` : `${c} (forwarded to ${shown}): ${why}`;
}
