/**
 * The `history` gate after a tenant move: it reads the backend as Grafana's dashboards do, the
 * written tenant plus `mimir.previousTenants` where the plan turns Mimir's tenant federation on, and
 * says which tenants it read; every other check keeps the written tenant alone.
 *
 * No Mimir runs here, and neither Debian's prometheus nor victoria-metrics implements tenants (no
 * X-Scope-OrgID; vmsingle has none, a VMCluster takes its account in the path), so neither can
 * answer a read of two tenants. A small server answers as Mimir 3.0.0 does, read in its source
 * (grafana/mimir mimir-3.0.0, commit 3e9aeb43; read, not run):
 * - the header names tenants with `|` between them; they are sorted and repeats dropped (dskit
 *   tenant/resolver.go:49-67 `TenantIDs`, tenant/tenant.go:40-57 `NormalizeTenantIDs`, vendored);
 * - without `tenant_federation.enabled` a read naming two is refused with 422 "too many tenant IDs
 *   present in the request. max: 1 actual: 2" (pkg/api/tenant.go:14, 33-34);
 * - with it, a read of one tenant bypasses the merge and its series carry no tenant label
 *   (pkg/querier/tenantfederation/merge_queryable.go:364, pkg/mimir/modules.go:564); a read of
 *   several selects each tenant's series, labels each `__tenant_id__="<tenant>"` (an existing one
 *   kept as `original___tenant_id__`) and merges them (merge_queryable.go:400-416, 460;
 *   tenant_federation.go:16-17); the PromQL engine then aggregates over the merged series;
 * - the ruler's rules API takes one tenant: a request naming two is answered 400, "no valid org id
 *   found" (pkg/ruler/api.go:37, 172-176, 139-140).
 * The server evaluates only the query shapes `history` sends, `count(last_over_time(<selector>[1h]))`,
 * and refuses any other (so a new shape is seen, not guessed).
 */
import { strict as assert } from "assert";
import * as http from "http";
import { checkHistory, checkRemoteWrite, checkRules } from "../../verify/checks";
import { expectationsFor } from "../../verify/expect";
import type { Component, VerifyContext } from "../../verify/types";
import { capabilities } from "../../model/phases";
import { planStack } from "../../plan/plan";
import { config } from "../support/helpers";

type Labels = Record<string, string>;
/** One stored series: its labels and its samples' times (Unix seconds). */
interface StoredSeries {
  labels: Labels;
  at: number[];
}

/** What the fake Mimir was asked: the path, the query and the X-Scope-OrgID sent. */
interface Asked {
  path: string;
  query: string;
  orgId: string;
}

/** `k="v"` matchers of a selector; `k=""` also matches a series without `k` (PromQL). */
function matches(labels: Labels, name: string, matchers: string): boolean {
  if (labels.__name__ !== name) return false;
  for (const m of matchers.matchAll(/(\w+)="([^"]*)"/g)) if ((labels[m[1]] ?? "") !== m[2]) return false;
  return true;
}

/** Mimir's query API and ruler API, as read in its source (header of this file). */
function fakeMimir(
  store: Record<string, StoredSeries[]>,
  federation: boolean,
): Promise<{ url: string; asked: Asked[]; close(): void }> {
  const asked: Asked[] = [];
  const send = (res: http.ServerResponse, status: number, body: unknown, type = "application/json") => {
    res.writeHead(status, { "Content-Type": type });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, "http://x");
    const orgId = String(req.headers["x-scope-orgid"] ?? "");
    const query = u.searchParams.get("query") ?? "";
    asked.push({ path: u.pathname, query, orgId });
    if (!orgId) return send(res, 401, "no org id\n", "text/plain");
    const ids = [...new Set(orgId.split("|"))].sort();
    if (!federation && ids.length > 1)
      return send(
        res,
        422,
        `too many tenant IDs present in the request. max: 1 actual: ${ids.length}\n`,
        "text/plain",
      );
    if (u.pathname === "/prometheus/api/v1/rules")
      return ids.length > 1
        ? send(res, 400, { status: "error", errorType: "bad_data", error: "no valid org id found" })
        : send(res, 200, { status: "success", data: { groups: [] } });
    if (u.pathname !== "/prometheus/api/v1/query")
      return send(res, 404, "404 page not found\n", "text/plain");
    const shape = /^count\(last_over_time\(([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\[1h\]\)\)$/.exec(query);
    if (!shape)
      return send(res, 400, { status: "error", errorType: "bad_data", error: `fake: unsupported ${query}` });
    const t = Number(u.searchParams.get("time"));
    // Each tenant's series; several tenants: each labelled with its own (merge_queryable.go:400-407, 460).
    const selected = ids.flatMap((id) =>
      (store[id] ?? [])
        .filter((s) => matches(s.labels, shape[1], shape[2] ?? ""))
        .map((s) => {
          if (ids.length === 1) return s;
          const { __tenant_id__: existing, ...rest } = s.labels;
          const labels: Labels = { ...rest, __tenant_id__: id };
          if (existing !== undefined) labels.original___tenant_id__ = existing;
          return { ...s, labels };
        }),
    );
    // last_over_time(...[1h]) at t: a series with a sample in (t - 1h, t]; count(): one sample, no labels.
    const present = selected.filter((s) => s.at.some((x) => x > t - 3600 && x <= t));
    send(res, 200, {
      status: "success",
      data: {
        resultType: "vector",
        result: present.length ? [{ metric: {}, value: [t, String(present.length)] }] : [],
      },
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        asked,
        close: () => server.close(),
      }),
    ),
  );
}

/** Prometheus' answers `history` and `remote-write` read: which dashboard series it has, else nothing. */
function fakePrometheus(has: string[]): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, "http://x");
    const q = u.searchParams.get("query") ?? "";
    const names =
      /^count by \(__name__\) \(last_over_time\(\{__name__=~"([^"]*)"\}\[5m\]\)\)$/.exec(q)?.[1].split("|") ??
      [];
    const result = names
      .filter((n) => has.includes(n))
      .map((n) => ({ metric: { __name__: n }, value: [Date.now() / 1000, "1"] }));
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
        close: () => server.close(),
      }),
    ),
  );
}

describe("verify history after a tenant move: reads what Grafana reads (Mimir's federated answer)", () => {
  const NOW = 1_900_000_000;
  const DAY = 86400;
  /** 14 days minus 30 minutes back: inside the hour history asks about (prometheus.retention 14d). */
  const OLD = NOW - 14 * DAY + 1800;
  /** Series Prometheus has among the dashboards' (both are on the program's dashboards). */
  const PROM_HAS = ["up", "scrape_samples_scraped"];
  const moved = { multitenancy: true, tenant: "homelab" };
  const stack = (mimir: Record<string, unknown>, phase = "dual-write") =>
    config({ phase, metricsBackend: "mimir", mimir });
  /** The two tenants' stores: the old tenant holds the window's start, the new one the last days. */
  const store = (): Record<string, StoredSeries[]> => ({
    anonymous: [
      ...PROM_HAS.map((n) => ({ labels: { __name__: n, job: "prometheus" }, at: [OLD] })),
      {
        labels: { __name__: "ALERTS", alertname: "Watchdog", alertstate: "firing" },
        at: [OLD],
      },
    ],
    homelab: PROM_HAS.map((n) => ({ labels: { __name__: n, job: "prometheus" }, at: [NOW - 60] })),
  });
  const closers: { close(): void }[] = [];
  after(() => closers.forEach((c) => c.close()));

  /** A verify context for `cfg` with --gate `gate`, the backend at a fake Mimir run as the plan says. */
  async function context(
    cfg: ReturnType<typeof stack>,
    gate: "backend-primary" | "kps-removed",
    stored = store(),
  ) {
    const federation = planStack(cfg).mimir?.inputs.settings.tenantFederation === true;
    const mimir = await fakeMimir(stored, federation);
    const prom = await fakePrometheus(PROM_HAS);
    // An Alertmanager whose Watchdog comes from Mimir's ruler (no `prometheus` label, no vmalert URL).
    const am = http.createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify([{ labels: { alertname: "Watchdog" }, generatorURL: "" }]));
    });
    await new Promise<void>((r) => am.listen(0, "127.0.0.1", r));
    closers.push(mimir, prom, { close: () => am.close() });
    const urls: Partial<Record<Component, string>> = {
      mimir: mimir.url,
      "mimir-ruler": mimir.url,
      prometheus: prom.url,
      alertmanager: `http://127.0.0.1:${(am.address() as { port: number }).port}`,
    };
    const ctx: VerifyContext = {
      exp: expectationsFor(cfg, []),
      base: (c) => {
        const url = urls[c];
        return url ? Promise.resolve(url) : Promise.reject(new Error(`no ${c} here`));
      },
      grafanaLogin: () => Promise.reject(new Error("no Grafana here")),
      gate,
      next: capabilities(gate, "mimir"),
      now: () => NOW,
    };
    return { ctx, asked: mimir.asked, federation };
  }

  it("the tenants history reads are those Grafana's Mimir datasources send, only where the plan turns federation on", () => {
    const ds = (cfg: ReturnType<typeof stack>) => {
      const header = (uid: string) =>
        expectationsFor(cfg, []).datasources.find((d) => d.uid === uid)?.secureJsonData?.httpHeaderValue1;
      return { mimir: header("mimir"), alerting: header("mimir-alerting") };
    };
    const withOld = stack({ ...moved, previousTenants: ["anonymous"] });
    assert.deepEqual(expectationsFor(withOld, []).backendHistoryTenants, ["homelab", "anonymous"]);
    assert.equal(planStack(withOld).mimir?.inputs.settings.tenantFederation, true);
    assert.equal(ds(withOld).mimir, "homelab|anonymous");
    assert.equal(expectationsFor(withOld, []).backendTenant, "homelab", "the other checks' one tenant");
    // No previous tenant: no federation, and history asks the written tenant alone.
    const alone = stack(moved);
    assert.equal(expectationsFor(alone, []).backendHistoryTenants, undefined);
    assert.equal(planStack(alone).mimir?.inputs.settings.tenantFederation, false);
    assert.equal(ds(alone).mimir, "homelab");
    // VictoriaMetrics has no tenants.
    assert.equal(
      expectationsFor(config({ phase: "dual-write", metricsBackend: "victoriametrics" }), [])
        .backendHistoryTenants,
      undefined,
    );
  });

  it("--gate backend-primary: history under the old tenant counts where Grafana reads it, and the detail names the tenants", async () => {
    const { ctx, asked } = await context(
      stack({ ...moved, previousTenants: ["anonymous"] }),
      "backend-primary",
    );
    const r = await checkHistory(ctx);
    assert.equal(r.status, "pass", r.detail);
    assert.match(
      r.detail,
      /^Mimir \(tenants homelab\|anonymous: mimir\.tenant and mimir\.previousTenants, as Grafana reads them\) holds all 2 dashboard series Prometheus has back to /,
    );
    const reads = asked.filter((a) => a.path === "/prometheus/api/v1/query");
    assert.deepEqual(
      reads.map((a) => a.orgId),
      ["homelab|anonymous", "homelab|anonymous"],
    );
  });

  it("--gate kps-removed: the ruler's Watchdog ALERTS filed under the old tenant count", async () => {
    const { ctx } = await context(
      stack({ ...moved, previousTenants: ["anonymous"] }, "backend-primary"),
      "kps-removed",
    );
    const r = await checkHistory(ctx);
    assert.equal(r.status, "pass", r.detail);
    assert.match(
      r.detail,
      /^mimir-ruler evaluated the alerts since \S+ \(14d, read on Mimir \(tenants homelab\|anonymous: mimir\.tenant and mimir\.previousTenants, as Grafana reads them\)\) and sends the heartbeat$/,
    );
  });

  it("without previousTenants it asks the written tenant alone (Mimir would refuse two), fails on the moved history and says so", async () => {
    const { ctx, asked, federation } = await context(stack(moved), "backend-primary");
    assert.equal(federation, false);
    const r = await checkHistory(ctx);
    assert.equal(r.status, "fail");
    assert.match(
      r.detail,
      /^Mimir \(tenant homelab alone: mimir\.previousTenants lists none\) holds no data from .* \(14d back\) for 2 of the 2 dashboard series Prometheus has: scrape_samples_scraped, up;/,
    );
    assert.ok(
      asked.every((a) => a.orgId === "homelab"),
      JSON.stringify(asked),
    );
  });

  it("a series no tenant read holds from the window's start still fails, naming the tenants read", async () => {
    // The old tenant lacks scrape_samples_scraped from 14 days back; team-a holds nothing at all.
    const sparse = store();
    sparse.anonymous = sparse.anonymous.filter((s) => s.labels.__name__ !== "scrape_samples_scraped");
    const cfg = stack({ ...moved, previousTenants: ["anonymous", "team-a"] });
    const { ctx, asked } = await context(cfg, "backend-primary", sparse);
    const r = await checkHistory(ctx);
    assert.equal(r.status, "fail");
    assert.match(
      r.detail,
      /^Mimir \(tenants homelab\|anonymous\|team-a: .*\) holds no data from .* \(14d back\) for 1 of the 2 dashboard series Prometheus has: scrape_samples_scraped;/,
    );
    assert.ok(
      asked.every((a) => a.orgId === "homelab|anonymous|team-a"),
      JSON.stringify(asked),
    );
  });

  it("every other check asks the written tenant alone: remote-write's count(up), the ruler's rules API", async () => {
    const { ctx, asked } = await context(
      stack({ ...moved, previousTenants: ["anonymous"] }, "backend-primary"),
      "kps-removed",
    );
    await checkRemoteWrite(ctx);
    await checkRules(ctx);
    const seen = asked.map((a) => `${a.path} ${a.query} ${a.orgId}`);
    assert.ok(
      seen.some((s) => s === "/prometheus/api/v1/query count(up) homelab"),
      seen.join("\n"),
    );
    assert.ok(
      seen.some((s) => s === "/prometheus/api/v1/rules  homelab"),
      seen.join("\n"),
    );
    assert.ok(
      asked.every((a) => a.orgId === "homelab"),
      seen.join("\n"),
    );
  });
});
