import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import {
  grafanaDatasources,
  LOKI_ALERTING_UID,
  LOKI_UID,
  METRICS_UID,
  MIMIR_ALERTING_UID,
  type DatasourceInputs,
} from "../../builders/grafana/datasources";
import { lokiValues } from "../../builders/logging/lokiValues";
import { mimirConfig, type MimirInputs } from "../../builders/metrics/mimirConfig";
import { capabilities } from "../../model/phases";
import { checkEngineConfig, loadEngineReference } from "../../upstream/engines/references";
import { GRAFANA_ALERTING_SOURCES, MANAGE_ALERTS, RULES_SOURCE_TYPES } from "../../upstream/grafanaAlerting";
import { versions } from "../../model/versions";
import { config, ROOT } from "../support/helpers";

/**
 * Tenants read beside the one written (`mimir.previousTenants`, `loki.previousTenants`): each engine
 * gets the setting that lets one read name several tenants, and Grafana's datasources name them,
 * the written tenant first. A stack that lists none keeps its config as it was.
 */
describe("tenants read beside the written one (tenant federation)", () => {
  const mimir = (over: Partial<MimirInputs> = {}) =>
    mimirConfig({
      namespace: "monitoring",
      replicas: 1,
      maxGlobalSeriesPerUser: 1,
      ingestionRate: 1,
      multitenancy: true,
      alertmanagerUrl: "",
      blocksRetention: "90d",
      storage: { kind: "filesystem", consumer: "mimir" },
      ...over,
    });
  const loki = (over: Record<string, unknown>) =>
    lokiValues({
      loki: config({ loki: over }).loki,
      storage: { kind: "filesystem", consumer: "loki" },
      profile: "standard",
      storageClass: "local-path",
      serviceMonitor: false,
    });

  it("Mimir: tenant_federation.enabled only when asked, a key Mimir 3.0 has (config-fields.tsv)", () => {
    assert.equal(mimir().tenant_federation, undefined, "a stack reading one tenant keeps its config");
    const c = mimir({ tenantFederation: true });
    assert.deepEqual(c.tenant_federation, { enabled: true });
    const ref = loadEngineReference("mimir");
    const field = ref.fields.get("tenant_federation.enabled");
    assert.ok(field?.atVersion, "tenant_federation.enabled is no field of the pinned Mimir");
    assert.equal(field.type, "boolean");
    assert.deepEqual(checkEngineConfig(ref, c), []);
  });

  it("Loki: querier.multi_tenant_queries_enabled with auth on and previous tenants, a key Loki 3.7.6 has", () => {
    assert.equal(loki({ authEnabled: true }).loki.querier, undefined);
    const v = loki({ authEnabled: true, previousTenants: ["fake"] });
    assert.deepEqual(v.loki.querier, { multi_tenant_queries_enabled: true });
    const field = loadEngineReference("loki").fields.get("querier.multi_tenant_queries_enabled");
    assert.ok(field?.atVersion, "querier.multi_tenant_queries_enabled is no key of the pinned Loki");
    assert.equal(field.type, "boolean");
    assert.equal(field.default, "false", "off unless the program turns it on");
  });

  /** The datasources' inputs after the flip, Mimir's tenant homelab and Loki's logs. */
  const inputs = (over: Partial<DatasourceInputs> = {}): DatasourceInputs => ({
    caps: capabilities("backend-primary", "mimir"),
    backend: "mimir",
    prometheusUrl: "http://p",
    backendUrl: "http://m",
    lokiUrl: "http://l",
    backendTenant: "homelab",
    lokiTenant: "logs",
    ...over,
  });

  it("Grafana: the datasources read the written tenant first, then the previous ones, separated by |", () => {
    const { datasources } = grafanaDatasources(
      inputs({ backendPreviousTenants: ["anonymous", "team-a"], lokiPreviousTenants: ["fake"] }),
    );
    const header = (uid: string) =>
      (datasources.find((d) => d.uid === uid) as any)?.secureJsonData?.httpHeaderValue1;
    assert.equal(header(METRICS_UID), "homelab|anonymous|team-a");
    assert.equal(header("mimir"), "homelab|anonymous|team-a");
    assert.equal(header(LOKI_UID), "logs|fake");
  });

  // Grafana's alerting pages ask every Prometheus and Loki datasource whose jsonData.manageAlerts is
  // not false for its rules (upstream/grafanaAlerting.ts); the engines' ruler APIs answer one tenant
  // only, so the federated datasources step out and one datasource per engine asks as the written
  // tenant alone.
  const federated = inputs({ backendPreviousTenants: ["anonymous"], lokiPreviousTenants: ["fake"] });
  const byUid = (i: DatasourceInputs) =>
    new Map(grafanaDatasources(i).datasources.map((d: any) => [d.uid, d]));

  it("Grafana: with previous tenants, the federated datasources leave the alerting pages to one single-tenant datasource per engine", () => {
    const ds = byUid(federated);
    for (const uid of [METRICS_UID, "mimir", LOKI_UID]) {
      assert.equal(ds.get(uid)?.jsonData?.[MANAGE_ALERTS], false, `${uid} stays out of the alerting pages`);
    }
    const alerting = [
      [MIMIR_ALERTING_UID, "Mimir (alerting)", "prometheus", "http://m", "homelab"],
      [LOKI_ALERTING_UID, "Loki (alerting)", "loki", "http://l", "logs"],
    ] as const;
    for (const [uid, name, type, url, tenant] of alerting) {
      const d = ds.get(uid);
      assert.ok(d, `${uid} is provisioned`);
      assert.deepEqual(
        { name: d.name, type: d.type, url: d.url, isDefault: d.isDefault, editable: d.editable },
        { name, type, url, isDefault: false, editable: false },
      );
      assert.deepEqual(d.jsonData, { httpHeaderName1: "X-Scope-OrgID", [MANAGE_ALERTS]: true });
      assert.deepEqual(d.secureJsonData, { httpHeaderValue1: tenant }, "the written tenant alone");
    }
    assert.deepEqual(
      [...ds.values()].filter((d) => d.isDefault).map((d) => d.uid),
      [METRICS_UID],
      "dashboards keep reading the federated default",
    );
    // Only the engine that reads several tenants changes: Loki alone, Mimir alone.
    const lokiOnly = byUid(inputs({ lokiPreviousTenants: ["fake"] }));
    assert.ok(lokiOnly.has(LOKI_ALERTING_UID) && !lokiOnly.has(MIMIR_ALERTING_UID));
    assert.equal(lokiOnly.get("mimir")?.jsonData?.[MANAGE_ALERTS], undefined);
    const mimirOnly = byUid(inputs({ backendPreviousTenants: ["anonymous"] }));
    assert.ok(mimirOnly.has(MIMIR_ALERTING_UID) && !mimirOnly.has(LOKI_ALERTING_UID));
    assert.equal(mimirOnly.get(LOKI_UID)?.jsonData?.[MANAGE_ALERTS], undefined);
    // Before the flip "Metrics" reads Prometheus, one tenant: it keeps the alerting pages.
    const beforeFlip = byUid({ ...federated, caps: capabilities("dual-write", "mimir") });
    assert.equal(beforeFlip.get(METRICS_UID)?.jsonData, undefined);
    assert.equal(beforeFlip.get("mimir")?.jsonData?.[MANAGE_ALERTS], false);
    assert.ok(beforeFlip.has(MIMIR_ALERTING_UID));
  });

  it("Grafana: without previous tenants, no datasource says manageAlerts and none is added", () => {
    for (const i of [inputs(), inputs({ backendTenant: undefined, lokiTenant: undefined })]) {
      const ds = grafanaDatasources(i).datasources;
      assert.deepEqual(
        ds.map((d) => d.uid),
        [METRICS_UID, "prometheus", "mimir", LOKI_UID],
      );
      assert.deepEqual(
        ds.filter((d) => d.jsonData && MANAGE_ALERTS in d.jsonData).map((d) => d.uid),
        [],
      );
    }
  });

  it("Grafana: manageAlerts is read at the Grafana the program runs, and set on datasource types its alerting pages ask", () => {
    // The image the program sets (not the chart's appVersion, 13.0.1): the field's citation and the
    // doc name its version.
    const running = versions.images.grafana.tag;
    assert.ok(
      GRAFANA_ALERTING_SOURCES.field.startsWith(`@grafana/data ${running} `),
      GRAFANA_ALERTING_SOURCES.field,
    );
    const doc = fs.readFileSync(path.join(ROOT, "docs/how-to/check-a-change.md"), "utf8");
    assert.ok(
      doc.includes(`The program runs Grafana ${running} (`),
      "check-a-change.md names another Grafana",
    );
    const saying = grafanaDatasources(federated).datasources.filter(
      (d) => d.jsonData && MANAGE_ALERTS in d.jsonData,
    );
    assert.equal(saying.length, 5, "Metrics, Mimir and Loki out; the two alerting datasources in");
    for (const d of saying) {
      assert.ok(RULES_SOURCE_TYPES.includes(d.type), `${d.uid}: ${d.type} is no rules source type`);
      assert.equal(typeof d.jsonData![MANAGE_ALERTS], "boolean");
    }
  });
});
