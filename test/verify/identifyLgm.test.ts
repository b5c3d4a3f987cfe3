/**
 * verify asks Loki, Grafana and Mimir (and Mimir's ruler, Loki's ring pods) whether they are what
 * their `--url` claims, as it asks Prometheus, VictoriaMetrics and Alertmanager (urlAudit.test.ts).
 * Another component's port is Debian's real prometheus and victoria-metrics on loopback. Loki,
 * Grafana and Mimir cannot run here: small servers answer their probes as the sources read in
 * verify/identify.ts say (read, not run): Loki v3.7.6's bare build info, Grafana's /api/health
 * (no login), Mimir's build info under /prometheus (no tenant).
 */
import { verifyJson } from "../support/verifyJson";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { stringify } from "yaml";
import { misidentified } from "../../verify/identify";
import { requireTool, tmpDir } from "../support/helpers";
import { freePort, startServer, type Server } from "../support/servers";
import { verifyProject } from "../support/verifyProject";

/** Loki v3.7.6's answer (pkg/loki/version_handler.go: prom.PrometheusVersion, json.Encoder, no envelope). */
const LOKI_BUILD = {
  version: "3.7.6",
  revision: "5003600d",
  branch: "release-3.7.x",
  buildUser: "root@buildkitsandbox",
  buildDate: "2026-01-01T00:00:00Z",
  goVersion: "go1.25.5",
};
/** Grafana's /api/health (pkg/api/http_server.go apiHealthHandler: simplejson EncodePretty). */
const GRAFANA_HEALTH = { commit: "ab59f3cb", database: "ok", version: "12.3.0" };
/** Mimir's build info (pkg/util/version/info_handler.go; the application is pkg/mimir/mimir.go's default). */
const MIMIR_BUILD = {
  status: "success",
  data: {
    application: "Grafana Mimir",
    version: "3.0.0",
    revision: "a4f0dd53",
    branch: "HEAD",
    goVersion: "go1.25.5",
    features: { ruler_config_api: "true" },
  },
};
/** nginx's own error page, as a gateway in front of Loki or Mimir answers when its upstream fails. */
const NGINX_502 =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

describe("verify: Loki, Grafana and Mimir are asked whether they are what their --url claims", function () {
  this.timeout(30_000);
  let prom: Server, vm: Server;
  let proj = "";
  const local: http.Server[] = [];
  const probes: { path: string; headers: http.IncomingHttpHeaders }[] = [];
  let loki = "",
    grafana = "",
    mimir = "";
  const state = { lokiQuery: 200, grafanaDb: true };

  /** A loopback server of the test's own; its URL. Every request is recorded in `probes`. */
  const serve = async (
    answer: (p: string) => { status: number; body: string; type?: string; headers?: Record<string, string> },
  ) => {
    const s = http.createServer((req, res) => {
      const p = (req.url ?? "").split("?")[0];
      probes.push({ path: p, headers: req.headers });
      const a = answer(p);
      res.writeHead(a.status, { "Content-Type": a.type ?? "application/json", ...a.headers });
      res.end(a.body);
    });
    local.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  };
  const json = (body: unknown, status = 200) => ({ status, body: `${JSON.stringify(body, null, 2)}\n` });
  const notFound = { status: 404, body: "404 page not found\n", type: "text/plain" };

  before(async function () {
    this.timeout(30_000);
    const promBin = requireTool(this, "prometheus", "prometheus");
    const vmBin = requireTool(this, "victoria-metrics", "victoria-metrics");
    const dir = tmpDir("verify-identify-lgm");
    proj = verifyProject({
      dw: {},
      mdw: {
        metricsBackend: "mimir",
        objectStore: { type: "minio", endpoint: "http://minio.storage.svc:9000" },
      },
    });
    const [pp, vp] = [await freePort(), await freePort()];
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      stringify({
        scrape_configs: [{ job_name: "prometheus", static_configs: [{ targets: [`127.0.0.1:${pp}`] }] }],
      }),
    );
    [prom, vm] = await Promise.all([
      startServer(
        promBin,
        [
          `--config.file=${path.join(dir, "prometheus.yml")}`,
          `--storage.tsdb.path=${path.join(dir, "prom")}`,
          `--web.listen-address=127.0.0.1:${pp}`,
          "--log.level=error",
        ],
        pp,
        "/-/ready",
      ),
      startServer(
        vmBin,
        [`-storageDataPath=${path.join(dir, "vm")}`, `-httpListenAddr=127.0.0.1:${vp}`, "-loggerLevel=ERROR"],
        vp,
        "/health",
      ),
    ]);
    loki = await serve((p) =>
      p === "/loki/api/v1/status/buildinfo"
        ? json(LOKI_BUILD)
        : p === "/loki/api/v1/query" && state.lokiQuery !== 200
          ? { status: state.lokiQuery, body: NGINX_502, type: "text/html" }
          : notFound,
    );
    grafana = await serve((p) =>
      p === "/api/health"
        ? state.grafanaDb
          ? json(GRAFANA_HEALTH)
          : json({ ...GRAFANA_HEALTH, database: "failing" }, 503)
        : // Not signed in, as grafana/grafana pkg/middleware/auth.go `notAuthorized` answers (read, not
          // run, in the stored versions the search tools gave, not at the v12.3.1 tag, which they could
          // not reach): an API request gets `WriteErrOrFallback(401, "Unauthorized", ...)`, JSON
          // `{"message":"Unauthorized"}`; any other the `redirect_to` cookie and
          // `c.Redirect(AppSubUrl + "/login")`, Go's http.Redirect with 302 (a pkg/web/context.go
          // excerpt, its commit not named by the tool): `Location: /login`, the body
          // `<a href="/login">Found</a>.` and two newlines. Which paths `IsApiRequest` counts was not
          // read: `/api/` is assumed here.
          p.startsWith("/api/")
          ? { status: 401, body: '{"message":"Unauthorized"}\n' }
          : {
              status: 302,
              body: '<a href="/login">Found</a>.\n\n',
              type: "text/html; charset=utf-8",
              headers: {
                Location: "/login",
                "Set-Cookie": `redirect_to=${encodeURIComponent(p)}; Path=/; HttpOnly`,
              },
            },
    );
    mimir = await serve((p) =>
      p === "/prometheus/api/v1/status/buildinfo"
        ? json(MIMIR_BUILD)
        : p.startsWith("/prometheus/api/v1/")
          ? { status: 502, body: NGINX_502, type: "text/html" }
          : notFound,
    );
  });
  after(async () => {
    for (const s of local) s.close();
    await Promise.all([prom, vm].map((s) => s?.stop(0)));
  });
  beforeEach(() => {
    probes.length = 0;
    state.lokiQuery = 200;
    state.grafanaDb = true;
  });

  /** verify --json of `stack` with these URLs; the report's details by check id and all it printed. */
  async function verify(stack: string, urls: Record<string, string>) {
    // Only the stack's own backend: a --url for one it does not run is refused (bad argument).
    const backend: Record<string, string> =
      stack === "mdw" ? { "mimir-ruler": urls.mimir ?? vm.url } : { victoriametrics: vm.url };
    const given = { prometheus: prom.url, alertmanager: vm.url, ...backend, ...urls };
    const r = await verifyJson(proj, stack, given, {
      env: { ...process.env, GRAFANA_ADMIN_USER: "admin", GRAFANA_ADMIN_PASSWORD: "grafana-pw" },
    });
    return { detail: r.detail, all: r.out + r.err };
  }

  it("Loki's and Grafana's URLs given Prometheus' and VictoriaMetrics' ports: one message naming --url loki, --url grafana", async () => {
    const r = await verify("dw", { loki: prom.url, grafana: vm.url });
    assert.equal(
      r.detail("logs"),
      `--url loki=${prom.url}: no Loki API there (GET /loki/api/v1/status/buildinfo answered 404 (404 page not found)); is it another component's port?`,
    );
    assert.match(
      r.detail("grafana"),
      new RegExp(
        `^--url grafana=${vm.url}: no Grafana API there \\(GET /api/health answered 400 \\(.*unsupported path requested: "/api/health"\\)\\); is it another component's port\\?$`,
      ),
    );
  });

  it("Mimir's URL given Prometheus' port, or VictoriaMetrics' (which serves the Prometheus API under /prometheus too): one message naming --url mimir", async () => {
    const p = await verify("mdw", { mimir: prom.url, loki, grafana });
    assert.equal(
      p.detail("remote-write"),
      `--url mimir=${prom.url}: no Mimir API there (GET /prometheus/api/v1/status/buildinfo answered 404 (404 page not found)); is it another component's port?`,
    );
    const v = await verify("mdw", { mimir: vm.url, loki, grafana });
    assert.equal(
      v.detail("remote-write"),
      `--url mimir=${vm.url}: it is no Mimir: its build info (GET /prometheus/api/v1/status/buildinfo) names no application, as Prometheus' and VictoriaMetrics' do not; is it VictoriaMetrics' port?`,
    );
  });

  it("a URL whose path already ends with the API prefix verify adds: the path requested, as the server saw it, and the doubled prefix named", async () => {
    const p = await verify("mdw", { mimir: `${prom.url}/prometheus`, loki, grafana });
    assert.equal(
      p.detail("remote-write"),
      `--url mimir=${prom.url}/prometheus: no Mimir API there (GET /prometheus/prometheus/api/v1/status/buildinfo answered 404 (404 page not found)); the URL's path already ends with /prometheus, which verify adds itself; expected the URL without it (${prom.url})`,
    );
    const nothing = await serve(() => notFound);
    probes.length = 0;
    assert.equal(
      await misidentified("loki", `${nothing}/logs/loki/`),
      `no Loki API there (GET /logs/loki/loki/api/v1/status/buildinfo answered 404 (404 page not found)); the URL's path already ends with /loki, which verify adds itself; expected the URL without it (${nothing}/logs)`,
    );
    // A path of its own that is no doubled prefix: the path requested, and another port the likely cause.
    assert.equal(
      await misidentified("mimir", `${nothing}/mimir`),
      "no Mimir API there (GET /mimir/prometheus/api/v1/status/buildinfo answered 404 (404 page not found)); is it another component's port?",
    );
    assert.deepEqual(
      probes.map((q) => q.path),
      ["/logs/loki/loki/api/v1/status/buildinfo", "/mimir/prometheus/api/v1/status/buildinfo"],
    );
  });

  it("the Loki, Grafana, Mimir and ruler probes ask what those answer without a tenant or a login, and pass them", async () => {
    for (const [c, base] of [
      ["loki", loki],
      ["loki-ring", loki],
      ["grafana", grafana],
      ["mimir", mimir],
      ["mimir-ruler", mimir],
    ] as const)
      assert.equal(await misidentified(c, base), undefined, c);
    assert.deepEqual([...new Set(probes.map((p) => p.path))].sort(), [
      "/api/health",
      "/loki/api/v1/status/buildinfo",
      "/prometheus/api/v1/status/buildinfo",
    ]);
    assert.ok(probes.every((p) => !p.headers.authorization && !p.headers["x-scope-orgid"]));
    // Each refuses another's answer: Loki's bare build info is no Mimir's, Mimir's none of Grafana's.
    assert.match((await misidentified("mimir", loki))!, /^no Mimir API there/);
    assert.match((await misidentified("grafana", mimir))!, /^no Grafana API there/);
    assert.equal(
      await misidentified("loki", grafana),
      "no Loki API there (GET /loki/api/v1/status/buildinfo answered 302 (Found.)); is it another component's port?",
    );
  });

  it("Grafana whose database fails: its health's 503 is the server failing, in words", async () => {
    state.grafanaDb = false;
    assert.equal(
      await misidentified("grafana", grafana),
      'GET /api/health answered 503 ({ "commit": "ab59f3cb", "database": "failing", "version": "12.3.0" }): the server failed',
    );
  });

  it("an HTML error page behind a gateway (Mimir's query API, Loki's) is its words, one line, no markup", async () => {
    state.lokiQuery = 502;
    const r = await verify("mdw", { mimir, loki, grafana });
    assert.match(
      r.detail("remote-write"),
      new RegExp(`${mimir}/prometheus/api/v1/query: HTTP 502 \\(502 Bad Gateway 502 Bad Gateway nginx\\)`),
    );
    assert.match(
      r.detail("logs"),
      /\/loki\/api\/v1\/query: HTTP 502 \(502 Bad Gateway 502 Bad Gateway nginx\)/,
    );
    for (const id of ["remote-write", "logs"]) assert.doesNotMatch(r.detail(id), /[<>\r\n]/, id);
  });
});
