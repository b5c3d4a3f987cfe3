/**
 * The tenant a stack's Mimir and Loki keep their data under, and the `--against` refusal of a
 * change that moves it. Both engines store everything per tenant (the X-Scope-OrgID header); with
 * multitenancy off Mimir uses its `no_auth_tenant` ("anonymous") and Loki the tenant "fake". The
 * program sends one tenant in every write and read (plan/context.ts `tenant`, `lokiTenant`), so
 * turning `mimir.multitenancy` or `loki.authEnabled` on or off, or changing `mimir.tenant` or
 * `loki.tenant` while it is on, moves every write and read to another tenant: the history under
 * the old one stays in the store but no longer shows in Grafana, with the rules' state, and nothing
 * the program does brings it back. So it is refused, naming the keys with their lines, the way to
 * keep the tenant and the way to keep reading it. The program has no way to carry the data across,
 * but both engines read several tenants in one request (tenant federation, X-Scope-OrgID `a|b`):
 * a move whose old tenant `mimir.previousTenants` / `loki.previousTenants` lists keeps its history
 * in Grafana, so it passes, with a warning of what reading it does not carry (the rules, and the
 * APIs that take one tenant, which Grafana's alerting pages reach through a datasource of their own,
 * builders/grafana/datasources.ts). Federation needs multitenancy on: with it off the engine ignores the
 * header, so a move to multitenancy off stays refused
 * (docs/how-to/check-a-change.md#a-refused-tenant-change).
 *
 * VictoriaMetrics has no equivalent: vmsingle has no tenants, and a VMCluster is written and read
 * under account 0, which no stack key changes (model/endpoints.ts).
 */
import { mimirConfigIn } from "./mimirConfig";
import { LOKI_SINGLE_TENANT } from "../builders/logging/lokiValues";
import {
  LOKI_ALERTING_NAME,
  LOKI_ALERTING_UID,
  LOKI_UID,
  MIMIR_ALERTING_NAME,
  MIMIR_ALERTING_UID,
  TENANT_SEPARATOR,
} from "../builders/grafana/datasources";
import type { ExportResource, StackExport } from "../synth/synthesize";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import { plainValue } from "./describe";
import { RELEASE_TYPE } from "../model/names";

/** Where the ways out are written down. */
export const TENANT_DOC = "docs/how-to/check-a-change.md#a-refused-tenant-change";

/**
 * The tenant Mimir 3.0 files data under when `multitenancy_enabled` is false: its `no_auth_tenant`
 * default, upstream/engines/data/mimir-3.0/config-fields.tsv (cmd/mimir/config-descriptor.json:29);
 * test/change/tenantMove.test.ts holds this to the reference data.
 */
export const MIMIR_NO_AUTH_TENANT = "anonymous";
const MIMIR_NO_AUTH_SOURCE =
  "Mimir's no_auth_tenant, upstream/engines/data/mimir-3.0/config-fields.tsv: cmd/mimir/config-descriptor.json:29";
/** Mimir's default for `multitenancy_enabled` (config-fields.tsv: config-descriptor.json:19). */
const MIMIR_MULTITENANCY_DEFAULT = true;
/** The Grafana datasource that reads Mimir (builders/grafana/datasources.ts, backend uid). */
const MIMIR_UID = "mimir";

/** The tenant one engine of an export files its data under. */
export interface Tenant {
  /** The tenant ID. */
  id: string;
  /** Multitenancy on (Mimir `multitenancy_enabled`, Loki `auth_enabled`): the ID is the stack's. */
  auth: boolean;
  /** The tenants Grafana reads beside it (`mimir.previousTenants`, `loki.previousTenants`); absent when none. */
  alsoReads?: string[];
}

/** The datasources the grafana Release's values provision; [] when they do not say (a secret value). */
function grafanaDatasources(resources: ExportResource[]): any[] {
  const grafana = resources.find((r) => r.type === RELEASE_TYPE && r.inputs?.chart === "grafana");
  const file = plainValue(plainValue(grafana?.inputs?.values)?.datasources?.["datasources.yaml"]);
  const list: unknown = plainValue(file?.datasources);
  return Array.isArray(list) ? list : [];
}

/**
 * The tenants Grafana's datasource `uid` reads, from the X-Scope-OrgID in the grafana Release's
 * values: the written one first, then those read beside it (builders/grafana/datasources.ts).
 */
function grafanaTenants(resources: ExportResource[], uid: string, auth: true): Tenant | undefined {
  const ds = grafanaDatasources(resources).find((d) => d?.uid === uid);
  if (plainValue(ds?.jsonData)?.httpHeaderName1 !== "X-Scope-OrgID") return undefined;
  const header = plainValue(ds?.secureJsonData)?.httpHeaderValue1;
  if (typeof header !== "string") return undefined;
  const [id, ...alsoReads] = header.split(TENANT_SEPARATOR);
  return { id, auth, ...(alsoReads.length > 0 ? { alsoReads } : {}) };
}

/** Whether the export's Grafana provisions the datasource `uid` (builders/grafana/datasources.ts). */
const grafanaProvisions = (exp: StackExport, uid: string): boolean =>
  grafanaDatasources(exp.deployment.resources).some((d) => d?.uid === uid);

/**
 * Mimir's tenant in an export: its config (the ConfigMap the program writes) says whether
 * multitenancy is on; off, the tenant is its no_auth_tenant; on, the first Grafana's Mimir
 * datasource sends, with the others it reads. Undefined when the export runs no Mimir or does not
 * say (a secret value).
 */
export function mimirTenantOf(exp: StackExport): Tenant | undefined {
  const resources = exp.deployment.resources;
  const parsed = mimirConfigIn(resources);
  if (!parsed) return undefined;
  const config = parsed.config;
  const auth = config?.multitenancy_enabled ?? MIMIR_MULTITENANCY_DEFAULT;
  if (auth !== true) {
    const id = config?.no_auth_tenant ?? MIMIR_NO_AUTH_TENANT;
    return typeof id === "string" ? { id, auth: false } : undefined;
  }
  return grafanaTenants(resources, MIMIR_UID, true);
}

/**
 * Loki's tenant in an export: the loki Release's `loki.auth_enabled` (the program always writes
 * it); off, "fake"; on, the first Grafana's Loki datasource sends, with the others it reads.
 * Undefined without a Loki release
 * or when the export does not say.
 */
export function lokiTenantOf(exp: StackExport): Tenant | undefined {
  const loki = exp.deployment.resources.find((r) => r.type === RELEASE_TYPE && r.inputs?.chart === "loki");
  const auth = plainValue(plainValue(plainValue(loki?.inputs?.values)?.loki)?.auth_enabled);
  if (auth === false) return { id: LOKI_SINGLE_TENANT, auth: false };
  if (auth !== true) return undefined;
  return grafanaTenants(exp.deployment.resources, LOKI_UID, true);
}

/** One engine's tenant settings: the stack keys and what the engine does with them. */
interface Engine {
  name: "Mimir" | "Loki";
  /** The stack key that turns multitenancy on. */
  switchKey: string;
  tenantKey: string;
  /** The stack key listing the tenants read beside the written one. */
  previousKey: string;
  /** Where the tenant with multitenancy off comes from. */
  offTenant: string;
  /** What the old tenant holds that the move leaves behind. */
  holds: string;
  /** Grafana's datasources that read the engine. */
  datasources: string;
  /** The engine's setting that reads several tenants. */
  federation: string;
  /** The single-tenant datasource Grafana's alerting pages use while previous tenants are read. */
  alerting: { name: string; uid: string };
  /** Why reading several tenants needs multitenancy on, with the engine's source. */
  ignoresHeader: string;
  /** What reading the old tenant beside the new one does not carry across, `from` to `to`. */
  leaves: (from: string, to: string) => string;
  of: (exp: StackExport) => Tenant | undefined;
}

const ENGINES: Engine[] = [
  {
    name: "Mimir",
    switchKey: "mimir.multitenancy",
    tenantKey: "mimir.tenant",
    previousKey: "mimir.previousTenants",
    offTenant: MIMIR_NO_AUTH_SOURCE,
    holds:
      "the metrics history (its blocks in the bucket, the series in the ingesters) and the rule groups and alert state the ruler keeps for it",
    datasources: "Mimir datasources",
    federation: "tenant_federation.enabled",
    alerting: { name: MIMIR_ALERTING_NAME, uid: MIMIR_ALERTING_UID },
    ignoresHeader:
      "with multitenancy off Mimir gives every request its no_auth_tenant and ignores the header, grafana/mimir mimir-3.0.0 pkg/util/noauth/no_auth.go",
    // grafana/mimir mimir-3.0.0 (3e9aeb43): the merged series' label, pkg/querier/tenantfederation/
    // merge_queryable.go:460; the ruler syncs every tenant its storage lists, pkg/ruler/ruler.go:718,
    // and reads another tenant only for a group's source_tenants, pkg/ruler/manager.go:434; its
    // rules API takes one tenant, pkg/ruler/api.go:172, 331. The groups left under the old tenant
    // are evaluated over a tenant no sample reaches any more, so an alert built on absent() (the
    // program ships KubeAPIDown, `absent(up{job="apiserver"})`, from kube-prometheus:
    // builders/alerting/data/kps-default-rules.json) fires
    // there and goes to the one Alertmanager the ruler notifies; the ruler's config API lists and
    // deletes them per tenant, pkg/api/api.go:367 (GET /config/v1/rules), 372 (DELETE .../{namespace}).
    leaves: (from, to) =>
      `every series a read of both returns carries a __tenant_id__ label naming its tenant, so one that spans the move shows as two; ` +
      `the ruler evaluates the program's rules under ${to} over ${to}'s data alone (no rule group the program writes names source_tenants), so a rule over a window reaching back before the move sees only what ${to} has, ` +
      `and the rule groups and alert state under ${from} stay there: Mimir's ruler keeps evaluating every tenant its rule storage holds, ${from} included, until its groups are deleted under ${from}; ` +
      `${from} gets no new samples, so every alert of those groups built on absent() (the program's KubeAPIDown and the like) fires from ${from} after its \`for\` and reaches the Alertmanager: ` +
      `delete them under ${from}: list the namespaces with GET /prometheus/config/v1/rules and delete each with DELETE /prometheus/config/v1/rules/<namespace>, both sending X-Scope-OrgID ${from} (grafana/mimir mimir-3.0.0 pkg/api/api.go:367, 372); ` +
      `the ruler's API answers one tenant only (grafana/mimir mimir-3.0.0 pkg/ruler/api.go:172), so Grafana's Mimir datasources that send both have manageAlerts false and Grafana's alerting pages read the rules through "Mimir (alerting)" (uid ${MIMIR_ALERTING_UID}), which sends ${to} alone`,
    of: mimirTenantOf,
  },
  {
    name: "Loki",
    switchKey: "loki.authEnabled",
    tenantKey: "loki.tenant",
    previousKey: "loki.previousTenants",
    offTenant: "Loki's tenant with auth_enabled false, builders/logging/lokiValues.ts LOKI_SINGLE_TENANT",
    holds: "the logs history (its chunks and index)",
    datasources: "Loki datasource",
    alerting: { name: LOKI_ALERTING_NAME, uid: LOKI_ALERTING_UID },
    federation: "querier.multi_tenant_queries_enabled",
    ignoresHeader:
      "with auth_enabled false Loki gives every request the tenant fake and ignores the header, grafana/loki v3.7.6 pkg/util/fakeauth/fake_auth.go",
    // grafana/loki v3.7.6 (5003600d): the label, pkg/querier/multi_tenant_querier.go:30, 503-505;
    // one tenant only: tail, pkg/querier/tail/querier.go:145; the ruler's API,
    // pkg/ruler/base/api.go:153. The program's LogQL rules are mounted under loki.tenant's directory
    // (builders/logging/lokiValues.ts), so the ruler evaluates them under the new tenant alone.
    leaves: (_from, to) =>
      `every line and series a read of both returns carries a __tenant_id__ label naming its tenant; ` +
      `the ruler evaluates the program's LogQL rules under ${to} alone, so a rule over a window reaching back before the move sees only ${to}'s logs; ` +
      `live tail and the ruler's API answer one tenant only (grafana/loki v3.7.6 pkg/querier/tail/querier.go:145, pkg/ruler/base/api.go:153): live tail fails through the Loki datasource, which sends both, so tail through "Loki (alerting)" (uid ${LOKI_ALERTING_UID}), which sends ${to} alone; the Loki datasource has manageAlerts false and Grafana's alerting pages read the rules through "Loki (alerting)"`,
    of: lokiTenantOf,
  },
];

/** The stack keys that made the move, as they were and are now. */
function causes(e: Engine, from: Tenant, to: Tenant, at?: OverridePlace): string {
  // No stack key sets the tenant with multitenancy off: only the engine's config can move it.
  if (!from.auth && !to.auth) return `its tenant with multitenancy off changed from ${from.id} to ${to.id}`;
  if (from.auth === to.auth) return `${stackKeyAt(e.tenantKey, at)} changed from ${from.id} to ${to.id}`;
  const flip = `${stackKeyAt(e.switchKey, at)} changed from ${from.auth} to ${to.auth}`;
  return to.auth ? `${flip}, with ${stackKeyAt(e.tenantKey, at)} ${to.id}` : flip;
}

/** What keeps the tenant where the data is. */
function keep(e: Engine, from: Tenant, to: Tenant): string {
  if (from.auth && to.auth) return `set ${e.tenantKey} back to ${from.id}`;
  if (from.auth) return `keep ${e.switchKey} true (with ${e.tenantKey} ${from.id})`;
  // Multitenancy on under the tenant the data is already filed under keeps every read and write there.
  return `set ${e.tenantKey} to ${from.id} (multitenancy on, under the tenant the data is already filed under), or ${e.switchKey} back to false`;
}

/** What keeps the old tenant readable after the move, if anything can. */
function keepReading(e: Engine, from: Tenant, to: Tenant, at?: OverridePlace): string {
  if (!to.auth)
    return `${e.previousKey} cannot keep ${from.id} readable: reading several tenants needs ${e.switchKey} true (${e.ignoresHeader})`;
  return `Or move and keep reading ${from.id}: add "${from.id}" to ${stackKeyAt(e.previousKey, at)} (the engine then reads both, writes go to ${to.id} alone, and the move passes with a warning of what stays behind)`;
}

/**
 * What an emptied previousTenants leaves in Grafana: the alerting datasource the previous export
 * provisioned and the next does not. Grafana's provisioning deletes only the datasources its files
 * name under deleteDatasources and those provisioned as prunable, neither of which the program
 * writes (grafana/grafana 032967e6 pkg/services/provisioning/datasources/datasources.go
 * applyChanges); docs/how-to/check-a-change.md says the same.
 */
function alertingLeftBehind(e: Engine, previous: StackExport, next: StackExport): string {
  const { name, uid } = e.alerting;
  if (!grafanaProvisions(previous, uid) || grafanaProvisions(next, uid)) return "";
  return (
    `; the program no longer provisions "${name}" (uid ${uid}), but Grafana keeps it: its provisioning deletes only a datasource its files name under deleteDatasources or one provisioned as prunable, and the program writes neither (grafana/grafana 032967e6 pkg/services/provisioning/datasources/datasources.go applyChanges), ` +
    `so it stays in Grafana's database, still a rules source of the alerting pages, beside the ${e.datasources} that no longer say manageAlerts false: the alert list can show each rule twice`
  );
}

/** Every tenant a side reads. */
const reads = (t: Tenant) => [t.id, ...(t.alsoReads ?? [])];

/** One line for a stack-wide change the objects' list does not show whole. */
export interface TenantVerdict {
  line: string;
  /** A refusal (counted, exit 1), or a warning of what a passed move leaves behind. */
  refused: boolean;
}

/**
 * The verdicts of a change that moves Mimir's or Loki's tenant away from the one the previous
 * export ran, one per engine: refused, naming the keys (with their lines, `at`), both tenants, what
 * the old one holds, how to keep it and how to keep reading it; or, when the new export still reads
 * the old tenant (its previousTenants key lists it), passed with a warning of what reading it does
 * not carry. A tenant the previous export read that the new one no longer reads is warned of too.
 * Nothing when the previous export ran no such engine (a first install of it) or either side does
 * not say its tenant.
 */
export function tenantMoveVerdicts(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): TenantVerdict[] {
  const out: TenantVerdict[] = [];
  for (const e of ENGINES) {
    const [from, to] = [e.of(previous), e.of(next)];
    if (!from || !to) continue;
    const off = (t: Tenant) => (t.auth ? "" : ` (multitenancy off: ${e.offTenant})`);
    const moved = from.id !== to.id;
    const stillRead = to.auth && reads(to).includes(from.id);
    if (moved && !stillRead) {
      out.push({
        line:
          `REFUSED ${e.name} tenant ${from.id} -> ${to.id}: ${causes(e, from, to, at)}. Every write and read (X-Scope-OrgID) moves from tenant ${from.id}${off(from)} to ${to.id}${off(to)}: ` +
          `what ${from.id} holds, ${e.holds}, stays in the store but no longer shows in Grafana, and nothing the program does brings it back. ` +
          `Keep the tenant: ${keep(e, from, to)}. ${keepReading(e, from, to, at)}. The program has no way to move the data to another tenant (${TENANT_DOC})`,
        refused: true,
      });
    } else if (moved) {
      out.push({
        line:
          `WARNING ${e.name} tenant ${from.id} -> ${to.id}: ${causes(e, from, to, at)}. Writes move to ${to.id}; ${from.id}${off(from)} stays readable, as ${stackKeyAt(e.previousKey, at)} lists it: ` +
          `Grafana's ${e.datasources} send${e.datasources.endsWith("s") ? "" : "s"} X-Scope-OrgID ${reads(to).join(TENANT_SEPARATOR)} and ${e.name} reads them all (${e.federation}). ` +
          `What reading ${from.id} does not carry: ${e.leaves(from.id, to.id)} (${TENANT_DOC})`,
        refused: false,
      });
    }
    // A tenant read before and no longer: its history leaves Grafana. The list is the operator's
    // own acknowledgement of which old tenants stay read, so dropping one is said, not refused.
    const dropped = reads(from).filter((id) => id !== from.id && !reads(to).includes(id));
    if (dropped.length > 0) {
      out.push({
        line: `WARNING ${e.name} tenants no longer read: ${dropped.join(", ")}. ${stackKeyAt(e.previousKey, at)} no longer lists ${dropped.length === 1 ? "it" : "them"}: the history under ${dropped.join(", ")} stays in the store but no longer shows in Grafana${alertingLeftBehind(e, previous, next)} (${TENANT_DOC})`,
        refused: false,
      });
    }
  }
  return out;
}
