/**
 * Whether the URL verify reaches for a component is that component, asked once before any check
 * uses it: a port-forward or `--url` to the wrong port is an operator's likeliest slip, and
 * Prometheus and VictoriaMetrics both speak the Prometheus API, so a check could pass against the
 * wrong one (backend-agrees comparing one engine with itself). A URL that is unreachable, refuses
 * the login or answers as another product is then one message naming the component and how it was
 * reached, instead of one HTTP error per check.
 *
 * What each answers: Prometheus' `/api/v1/status/buildinfo` carries its `revision` and `goVersion`
 * (prometheus web/api/v1/api.go `PrometheusVersion`; Debian's Prometheus in the tests); Mimir's adds
 * `application` (grafana/mimir pkg/util/version/info_handler.go, read, not run); VictoriaMetrics'
 * carries neither: a fixed `{"version":"2.24.0"}` for Grafana (VictoriaMetrics app/vmselect/main.go
 * `handleStaticAndSimpleRequests` at commit 003d2edd, read, not run), `{}` from Debian's older
 * VictoriaMetrics in the tests.
 * Alertmanager's `/api/v2/status` carries `versionInfo` and `config` (api/v2/openapi.yaml
 * alertmanagerStatus).
 */
import { ApiError, redact, requestText, urlOf } from "./http";
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

/** The answer's first words, for a message (an HTML error page, a plain 404). */
const said = (text: string) => {
  const t = text
    .replace(/<[^>]*>/g, " ")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, 100);
  return t ? ` (${t})` : "";
};

/** Which product a build-info answer is: "prometheus", the name another gives itself, or "other" (a Prometheus-API engine). */
export function buildOf(json: any): string {
  const data = json?.status === "success" ? json.data : undefined;
  if (typeof data?.application === "string") return data.application;
  if (typeof data?.goVersion === "string" && typeof data?.revision === "string") return "prometheus";
  return "other";
}

/**
 * Why `base` is not `c` (one line, after the component's name and how it was reached), or undefined
 * when it answers as `c` or `c` has no probe here (Mimir and Loki need their tenant; Grafana its
 * login: their checks' own messages say what went wrong).
 */
export async function misidentified(c: Component, base: string): Promise<string | undefined> {
  if (c !== "prometheus" && c !== "victoriametrics" && c !== "alertmanager") return undefined;
  const path = c === "alertmanager" ? "/api/v2/status" : "/api/v1/status/buildinfo";
  let r: Awaited<ReturnType<typeof ask>>;
  try {
    r = await ask(urlOf(base, path));
  } catch (e) {
    return (e as Error).message.replace(/^[^ ]*: /, "");
  }
  const answered = `GET ${path} answered ${r.status}${said(r.text)}`;
  if (r.status === 401 || r.status === 403)
    return new URL(base).username
      ? `${answered}: it refused the login given in the URL`
      : `${answered}: it wants a login; give it in the URL (http://<user>:<password>@host)`;
  if (r.status >= 500) return `${answered}: the server failed`;
  if (c === "alertmanager") {
    if (r.status < 200 || r.status > 299 || !r.json?.versionInfo)
      return `no Alertmanager API there (${answered}); is it another component's port?`;
    return undefined;
  }
  if (r.status < 200 || r.status > 299)
    return `no Prometheus API there (${answered}); is it another component's port?`;
  const build = buildOf(r.json);
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
