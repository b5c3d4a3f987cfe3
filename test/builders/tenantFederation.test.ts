import { strict as assert } from "assert";
import { grafanaDatasources, LOKI_UID, METRICS_UID } from "../../builders/grafana/datasources";
import { lokiValues } from "../../builders/logging/lokiValues";
import { mimirConfig, type MimirInputs } from "../../builders/metrics/mimirConfig";
import { capabilities } from "../../model/phases";
import { checkEngineConfig, loadEngineReference } from "../../upstream/engines/references";
import { config } from "../support/helpers";

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

  it("Grafana: the datasources read the written tenant first, then the previous ones, separated by |", () => {
    const { datasources } = grafanaDatasources({
      caps: capabilities("backend-primary", "mimir"),
      backend: "mimir",
      prometheusUrl: "http://p",
      backendUrl: "http://m",
      lokiUrl: "http://l",
      backendTenant: "homelab",
      backendPreviousTenants: ["anonymous", "team-a"],
      lokiTenant: "logs",
      lokiPreviousTenants: ["fake"],
    });
    const header = (uid: string) =>
      (datasources.find((d) => d.uid === uid) as any)?.secureJsonData?.httpHeaderValue1;
    assert.equal(header(METRICS_UID), "homelab|anonymous|team-a");
    assert.equal(header("mimir"), "homelab|anonymous|team-a");
    assert.equal(header(LOKI_UID), "logs|fake");
  });
});
