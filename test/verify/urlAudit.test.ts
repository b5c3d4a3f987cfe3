/**
 * verify against URLs an operator gets wrong, with Debian's real prometheus, victoria-metrics and
 * prometheus-alertmanager on loopback (started once for the file): one engine's port given for
 * another (Prometheus and VictoriaMetrics both speak the Prometheus API), a port that refuses, a
 * server that never answers, a Prometheus behind a login. Each is one message naming the `--url`
 * to fix, on the first check that needs the component; the others point there; no login printed.
 */
import { verifyJson } from "../support/verifyJson";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { stringify } from "yaml";
import { runVerify } from "../../cli/verifyRun";
import { judgeRemoteWrite } from "../../verify/checks";
import { requireTool, tmpDir } from "../support/helpers";
import { freePort, startAlertmanager, startPrometheus, startServer, type Server } from "../support/servers";
import { verifyProject } from "../support/verifyProject";

describe("verify: a --url that is not the component it names (real Prometheus, VictoriaMetrics, Alertmanager)", function () {
  this.timeout(30_000);
  let prom: Server, vm: Server, am: Server;
  let proj = "";
  const local: http.Server[] = [];
  let closed = "";
  let silent = "";
  let guarded = "";

  /** A loopback server of the test's own; its URL. */
  const serve = async (handler: http.RequestListener): Promise<string> => {
    const s = http.createServer(handler);
    local.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    return `http://127.0.0.1:${(s.address() as { port: number }).port}`;
  };

  before(async function () {
    this.timeout(30_000);
    const promBin = requireTool(this, "prometheus", "prometheus");
    const vmBin = requireTool(this, "victoria-metrics", "victoria-metrics");
    const amBin = requireTool(this, "prometheus-alertmanager", "prometheus-alertmanager");
    const dir = tmpDir("verify-url-audit");
    proj = verifyProject({ dw: {} });
    const [pp, vp, ap] = [await freePort(), await freePort(), await freePort()];
    fs.writeFileSync(
      path.join(dir, "prometheus.yml"),
      stringify({
        global: { scrape_interval: "1s" },
        scrape_configs: [{ job_name: "prometheus", static_configs: [{ targets: [`127.0.0.1:${pp}`] }] }],
      }),
    );
    fs.writeFileSync(
      path.join(dir, "am.yml"),
      stringify({ route: { receiver: "null" }, receivers: [{ name: "null" }] }),
    );
    [prom, vm, am] = await Promise.all([
      startPrometheus(promBin, dir, pp),
      startServer(
        vmBin,
        [`-storageDataPath=${path.join(dir, "vm")}`, `-httpListenAddr=127.0.0.1:${vp}`, "-loggerLevel=ERROR"],
        vp,
        "/health",
      ),
      startAlertmanager(amBin, dir, ap),
    ]);
    closed = `http://127.0.0.1:${await freePort()}`;
    silent = await serve(() => undefined); // accepts, never answers
    // A basic-auth proxy in front of Prometheus, as an ingress with auth would be.
    const login = `Basic ${Buffer.from("op:right-pw-1").toString("base64")}`;
    guarded = await serve((req, res) => {
      if (req.headers.authorization !== login) {
        res.writeHead(401, { "Content-Type": "text/plain", "WWW-Authenticate": 'Basic realm="p"' });
        res.end("Unauthorized\n");
        return;
      }
      const u = new URL(prom.url);
      const up = http.request(
        { host: u.hostname, port: u.port, path: req.url, method: req.method, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
  });
  after(async () => {
    for (const s of local) s.close();
    await Promise.all([prom, vm, am].map((s) => s?.stop(0)));
  });

  /** verify --json with these URLs (Loki and Grafana on a closed port); the report and all it printed. */
  function verify(
    urls: { prometheus?: string; victoriametrics?: string; alertmanager?: string },
    extra: string[] = [],
  ) {
    const given = {
      prometheus: prom.url,
      victoriametrics: vm.url,
      alertmanager: am.url,
      loki: closed,
      grafana: closed,
      ...urls,
    };
    return verifyJson(proj, "dw", given, {
      extra,
      env: { ...process.env, GRAFANA_ADMIN_USER: "admin", GRAFANA_ADMIN_PASSWORD: "grafana-pw" },
    });
  }

  it("Prometheus' URL given VictoriaMetrics' port: one message naming --url prometheus; the other checks point there", async () => {
    const r = await verify({ prometheus: vm.url });
    assert.equal(
      r.detail("targets"),
      `--url prometheus=${vm.url}: it is no Prometheus: its build info (GET /api/v1/status/buildinfo) has no goVersion, as VictoriaMetrics answers; is it the backend's port?`,
    );
    assert.equal(r.detail("remote-write"), "needs prometheus, which is not usable (see targets)");
    assert.equal(r.detail("rules"), "needs prometheus, which is not usable (see targets)");
    assert.equal(r.code, 1);
    assert.match(
      r.err,
      /^verify --stack dw: FAIL \(exit 1\): \d of 9 checks failed: targets, remote-write, rules/,
    );
  });

  it("VictoriaMetrics' URL given Prometheus' port: the gate does not compare Prometheus with itself", async () => {
    const r = await verify({ victoriametrics: prom.url }, ["--gate", "backend-primary"]);
    assert.match(
      r.detail("remote-write"),
      new RegExp(
        `^--url victoriametrics=${prom.url}: it is Prometheus, not VictoriaMetrics \\(GET /api/v1/status/buildinfo names its build\\); is it Prometheus' port\\?`,
      ),
    );
    assert.equal(r.status("backend-agrees"), "fail");
    for (const id of ["history", "backend-agrees"])
      assert.equal(r.detail(id), "needs victoriametrics, which is not usable (see remote-write)");
  });

  it("Prometheus' URL given Alertmanager's port, Alertmanager's given Prometheus': each says which API is missing", async () => {
    const r = await verify({ prometheus: am.url, alertmanager: prom.url });
    assert.match(
      r.detail("targets"),
      new RegExp(
        `^--url prometheus=${am.url}: no Prometheus API there \\(GET /api/v1/status/buildinfo answered 404 \\(404 page not found\\)\\); is it another component's port\\?$`,
      ),
    );
    assert.match(
      r.detail("alerting"),
      new RegExp(
        `^--url alertmanager=${prom.url}: no Alertmanager API there \\(GET /api/v2/status answered 404`,
      ),
    );
  });

  it("a port that refuses and one that never answers: each one message, the timeout waited once", async () => {
    // --timeout 1s, the least the flag takes: the wait is the flag's, not the default 10 s, and the
    // run stays short. Waited twice, the run would take 2 s; once, it took 1.01 s here (3.01 s with
    // 3s: the rest of the run is ~10 ms).
    const r = await verify({ prometheus: silent, alertmanager: closed }, ["--timeout", "1s"]);
    assert.equal(
      r.detail("targets"),
      `--url prometheus=${silent}: unreachable (no answer within 1 s; --timeout waits longer)`,
    );
    assert.equal(r.detail("rules"), "needs prometheus, which is not usable (see targets)");
    assert.equal(r.detail("alerting"), `--url alertmanager=${closed}: unreachable (ECONNREFUSED)`);
    assert.ok(r.seconds < 1.9, `took ${r.seconds} s: the silent server was waited for more than once`);
  });

  it("a Prometheus behind a login: asks for one, says a wrong one was refused (never printing it), passes the right one", async () => {
    const none = await verify({ prometheus: guarded });
    assert.match(
      none.detail("targets"),
      /answered 401 \(Unauthorized\): it wants a login; give it in the URL \(http:\/\/<user>:<password>@host\)$/,
    );
    const wrongUrl = guarded.replace("//", "//op:wr0ng-pw-9@");
    const wrong = await verify({ prometheus: wrongUrl });
    assert.equal(
      wrong.detail("targets"),
      `--url prometheus=${guarded}: GET /api/v1/status/buildinfo answered 401 (Unauthorized): it refused the login given in the URL`,
    );
    assert.ok(!(wrong.out + wrong.err).includes("wr0ng-pw-9"));
    const right = await verify({ prometheus: guarded.replace("//", "//op:right-pw-1@") });
    assert.doesNotMatch(right.detail("targets"), /login|401/);
    assert.ok(!(right.out + right.err).includes("right-pw-1"));
  });

  it("the cluster refused while some --url are given: says what still needed it and how to do without", async () => {
    const kubeconfig = path.join(tmpDir("verify-url-audit-kube"), "config");
    fs.writeFileSync(kubeconfig, stringify({ contexts: [], "current-context": "" }));
    const env: NodeJS.ProcessEnv = { ...process.env, KUBECONFIG: kubeconfig };
    delete env.GRAFANA_ADMIN_USER;
    delete env.GRAFANA_ADMIN_PASSWORD;
    let out = "";
    let err = "";
    const code = await runVerify(
      [
        "--dir",
        proj,
        "--stack",
        "dw",
        "--url",
        `prometheus=${prom.url}`,
        "--url",
        `victoriametrics=${vm.url}`,
        "--url",
        `alertmanager=${am.url}`,
      ],
      { jobs: () => Promise.resolve(["prometheus"]), env, out: (t) => (out += t), err: (t) => (err += t) },
    );
    assert.equal(code, 2);
    assert.match(
      err,
      /\n {2}\(to run without the cluster: pass --url loki=<url>; pass --url grafana=<url>; set GRAFANA_ADMIN_USER and GRAFANA_ADMIN_PASSWORD \(Grafana's login\)\)\n$/,
    );
    assert.equal(out, "verify --stack dw: FAIL (exit 2): not reaching the cluster (above)\n");
  });

  it("a backend with no data while Prometheus' queues send (a fresh VictoriaMetrics): says the writes go elsewhere", () => {
    // Seen with the real servers: Prometheus remote-writing into one VictoriaMetrics, verify asked
    // of a second, fresh one; the queue sends without a failure, the backend has no `up` at all.
    const sending = { queue: "a1b2c3", failed: 0, retried: 0, lagSeconds: 1 };
    const r = judgeRemoteWrite([sending], 3, undefined, "VictoriaMetrics");
    assert.equal(r.status, "fail");
    assert.equal(
      r.detail,
      "count(up): Prometheus 3, VictoriaMetrics none: VictoriaMetrics holds no `up` series, so what Prometheus remote-writes does not reach it (remote_write names another URL, or this VictoriaMetrics was just started empty)",
    );
  });
});
