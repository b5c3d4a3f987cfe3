/**
 * The tenant a stack's Mimir and Loki keep their data under, and the `--against` refusal of a
 * change that moves it. Both engines store everything per tenant (the X-Scope-OrgID header); with
 * multitenancy off Mimir uses its `no_auth_tenant` ("anonymous") and Loki the tenant "fake". The
 * program sends one tenant in every write and read (plan/context.ts `tenant`, `lokiTenant`), so
 * turning `mimir.multitenancy` or `loki.authEnabled` on or off, or changing `mimir.tenant` or
 * `loki.tenant` while it is on, moves every write and read to another tenant: the history under
 * the old one stays in the store but no longer shows in Grafana, with the rules' state, and nothing
 * the program does brings it back. So it is refused, naming the keys with their lines and the way
 * to keep the tenant. No stack key or `plannedChanges` entry acknowledges such a move: the program
 * has no way to carry the data across (docs/how-to/check-a-change.md#a-refused-tenant-change).
 *
 * VictoriaMetrics has no equivalent: vmsingle has no tenants, and a VMCluster is written and read
 * under account 0, which no stack key changes (model/endpoints.ts).
 */
import { isSecretEnvelope } from "@homelab-observability/contract";
import { parseUserYaml } from "../model/yamlText";
import { LOKI_SINGLE_TENANT } from "../builders/logging/lokiValues";
import { MIMIR_CONFIG_MAP } from "../builders/metrics/mimirValues";
import { LOKI_UID } from "../builders/grafana/datasources";
import type { ExportResource, StackExport } from "../synth/synthesize";
import { stackKeyAt, type OverridePlace } from "../synth/report";

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

const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** The tenant one engine of an export files its data under. */
export interface Tenant {
  /** The tenant ID. */
  id: string;
  /** Multitenancy on (Mimir `multitenancy_enabled`, Loki `auth_enabled`): the ID is the stack's. */
  auth: boolean;
}

/** A value a real export may hold as a secret envelope: unreadable, so not said. */
const plain = (v: any): any => (isSecretEnvelope(v) ? undefined : v);

/** The X-Scope-OrgID Grafana's datasource `uid` sends, from the grafana Release's values. */
function grafanaHeader(resources: ExportResource[], uid: string): string | undefined {
  const grafana = resources.find((r) => r.type === RELEASE_TYPE && r.inputs?.chart === "grafana");
  const file = plain(plain(grafana?.inputs?.values)?.datasources?.["datasources.yaml"]);
  const list: unknown = plain(file?.datasources);
  const ds = Array.isArray(list) ? list.find((d) => d?.uid === uid) : undefined;
  if (plain(ds?.jsonData)?.httpHeaderName1 !== "X-Scope-OrgID") return undefined;
  const id = plain(ds?.secureJsonData)?.httpHeaderValue1;
  return typeof id === "string" ? id : undefined;
}

/**
 * Mimir's tenant in an export: its config (the ConfigMap the program writes) says whether
 * multitenancy is on; off, the tenant is its no_auth_tenant; on, the one Grafana's Mimir
 * datasource sends. Undefined when the export runs no Mimir or does not say (a secret value).
 */
export function mimirTenantOf(exp: StackExport): Tenant | undefined {
  const resources = exp.deployment.resources;
  const cm = resources.find(
    (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs?.metadata?.name === MIMIR_CONFIG_MAP,
  );
  const text = plain(plain(cm?.inputs?.data)?.["mimir.yaml"]);
  if (typeof text !== "string") return undefined;
  let config: any;
  try {
    config = parseUserYaml(text);
  } catch {
    return undefined;
  }
  const auth = config?.multitenancy_enabled ?? MIMIR_MULTITENANCY_DEFAULT;
  if (auth !== true) {
    const id = config?.no_auth_tenant ?? MIMIR_NO_AUTH_TENANT;
    return typeof id === "string" ? { id, auth: false } : undefined;
  }
  const id = grafanaHeader(resources, MIMIR_UID);
  return id === undefined ? undefined : { id, auth: true };
}

/**
 * Loki's tenant in an export: the loki Release's `loki.auth_enabled` (the program always writes
 * it); off, "fake"; on, the one Grafana's Loki datasource sends. Undefined without a Loki release
 * or when the export does not say.
 */
export function lokiTenantOf(exp: StackExport): Tenant | undefined {
  const loki = exp.deployment.resources.find((r) => r.type === RELEASE_TYPE && r.inputs?.chart === "loki");
  const auth = plain(plain(plain(loki?.inputs?.values)?.loki)?.auth_enabled);
  if (auth === false) return { id: LOKI_SINGLE_TENANT, auth: false };
  if (auth !== true) return undefined;
  const id = grafanaHeader(exp.deployment.resources, LOKI_UID);
  return id === undefined ? undefined : { id, auth: true };
}

/** One engine's tenant settings: the stack keys and what the engine does with them. */
interface Engine {
  name: "Mimir" | "Loki";
  /** The stack key that turns multitenancy on. */
  switchKey: string;
  tenantKey: string;
  /** Where the tenant with multitenancy off comes from. */
  offTenant: string;
  /** What the old tenant holds that the move leaves behind. */
  holds: string;
  of: (exp: StackExport) => Tenant | undefined;
}

const ENGINES: Engine[] = [
  {
    name: "Mimir",
    switchKey: "mimir.multitenancy",
    tenantKey: "mimir.tenant",
    offTenant: MIMIR_NO_AUTH_SOURCE,
    holds:
      "the metrics history (its blocks in the bucket, the series in the ingesters) and the rule groups and alert state the ruler keeps for it",
    of: mimirTenantOf,
  },
  {
    name: "Loki",
    switchKey: "loki.authEnabled",
    tenantKey: "loki.tenant",
    offTenant: "Loki's tenant with auth_enabled false, builders/logging/lokiValues.ts LOKI_SINGLE_TENANT",
    holds: "the logs history (its chunks and index)",
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

/** One refusal line for a stack-wide change the objects' list does not show whole. */
export interface TenantVerdict {
  line: string;
  refused: true;
}

/**
 * The refusals of a change that moves Mimir's or Loki's tenant away from the one the previous
 * export ran: one per engine, naming the keys (with their lines, `at`), both tenants, what the old
 * one holds and how to keep it. Nothing when the previous export ran no such engine (a first
 * install of it) or either side does not say its tenant.
 */
export function tenantMoveVerdicts(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
): TenantVerdict[] {
  const out: TenantVerdict[] = [];
  for (const e of ENGINES) {
    const [from, to] = [e.of(previous), e.of(next)];
    if (!from || !to || from.id === to.id) continue;
    const off = (t: Tenant) => (t.auth ? "" : ` (multitenancy off: ${e.offTenant})`);
    out.push({
      line:
        `REFUSED ${e.name} tenant ${from.id} -> ${to.id}: ${causes(e, from, to, at)}. Every write and read (X-Scope-OrgID) moves from tenant ${from.id}${off(from)} to ${to.id}${off(to)}: ` +
        `what ${from.id} holds, ${e.holds}, stays in the store but no longer shows in Grafana, and nothing the program does brings it back. ` +
        `Keep the tenant: ${keep(e, from, to)}. The program has no way to move the data to another tenant (${TENANT_DOC})`,
      refused: true,
    });
  }
  return out;
}
