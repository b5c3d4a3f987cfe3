/**
 * Every Alloy's ServiceAccount holds exactly what its config's components call on the Kubernetes
 * API (upstream/alloy/apiNeeds.ts, read in Alloy v1.12.0's and Prometheus v3.7.3's sources), as the
 * rendered RBAC grants it: ClusterRoleBindings and RoleBindings to that ServiceAccount, the roles
 * they name. A call not granted is a finding (for `remote.kubernetes.secret` a crash loop, read in
 * grafana/alloy v1.12.0: its first read runs while the component is built,
 * internal/component/remote/kubernetes/kubernetes.go:90-106, 215-226; a failed build is an error
 * diagnostic, internal/runtime/internal/controller/loader.go:214-229, that fails the first load,
 * internal/runtime/alloy.go:350-362; and `alloy run` exits on it,
 * internal/alloycli/cmd_run.go:441-458, alloycli.go:34-35); so is a
 * grant no component calls, or one wider than the call (every Secret where one is read, all
 * namespaces where one is). The needs come from the config the pods mount, not from the builder
 * that wrote the roles, so the two cannot share a mistake.
 */
import { isParked } from "../builders/security/podSecurity";
import { alloyApiNeeds, proxiedScrapeNeed, type ApiNeed } from "../upstream/alloy/apiNeeds";
import { proxiedTargets } from "./scrapeAuthz";
import { alloyMonitorNamespaces } from "./scrapers";
import { loadAlloyReference } from "../upstream/alloy/components";
import { parseAlloy, type Stmt } from "../upstream/alloy/syntax";
import { MissingReferenceError } from "../upstream/reference";
import { alloyConfigs } from "./alloy";
import { podTemplates, type Finding, type Placed } from "./objects";
import { listed } from "../model/words";
import { covers, ruleGrants, type Grant } from "../model/chartRbac";

const RBAC = "rbac.authorization.k8s.io/v1";

function grantsOf(objects: Placed[], sa: { name: string; namespace: string }): Grant[] {
  const roles = new Map<string, Placed>();
  for (const p of objects)
    if (p.obj.apiVersion === RBAC && (p.obj.kind === "Role" || p.obj.kind === "ClusterRole"))
      roles.set(`${p.obj.kind}/${p.obj.metadata.namespace ?? ""}/${p.obj.metadata.name}`, p);
  const out: Grant[] = [];
  for (const b of objects) {
    if (b.obj.apiVersion !== RBAC) continue;
    if (b.obj.kind !== "RoleBinding" && b.obj.kind !== "ClusterRoleBinding") continue;
    // The account itself, or a group every ServiceAccount (of its namespace) is in.
    const bound = (b.obj.subjects ?? []).some(
      (s: any) =>
        (s.kind === "ServiceAccount" && s.name === sa.name && s.namespace === sa.namespace) ||
        (s.kind === "Group" &&
          (s.name === "system:serviceaccounts" || s.name === `system:serviceaccounts:${sa.namespace}`)),
    );
    if (!bound) continue;
    const namespace = b.obj.kind === "RoleBinding" ? b.obj.metadata.namespace : undefined;
    const ref = b.obj.roleRef ?? {};
    const role = roles.get(`${ref.kind}/${ref.kind === "Role" ? namespace : ""}/${ref.name}`);
    if (!role) continue; // an unresolved roleRef grants nothing (the schema check names it)
    const via = `${b.obj.kind} ${namespace ? `${namespace}/` : ""}${b.obj.metadata.name} -> ${ref.kind} ${ref.name}`;
    out.push(...ruleGrants(role.obj.rules, via, namespace));
  }
  return out;
}

/** Whether a grant is no wider than some call it serves: same object kind and verb, same scope and names. */
function needed(g: Grant, needs: ApiNeed[]): boolean {
  return needs.some((n) => {
    if (!covers(g, n)) return false;
    if (g.nonResourceURL !== undefined) return g.nonResourceURL === n.nonResourceURL && g.verb === n.verb;
    if (g.apiGroup !== n.apiGroup || g.resource !== n.resource || g.verb !== n.verb) return false;
    if (g.namespace === undefined && n.namespace !== undefined) return false;
    return g.names.length > 0 || n.name === undefined;
  });
}

const what = (x: { apiGroup?: string; resource?: string; nonResourceURL?: string; verb: string }) =>
  x.nonResourceURL !== undefined
    ? `${x.verb} ${x.nonResourceURL}`
    : `${x.verb} ${x.apiGroup ? `${x.apiGroup}/` : ""}${x.resource}`;

const granted = (g: Grant) =>
  `${what(g)}${g.names.length ? ` ${g.names.join(",")}` : ""}${g.namespace ? ` in ${g.namespace}` : " cluster-wide"}`;

/**
 * Grants by the binding and role they come through, in order: one role is one object to change,
 * so what it grants beyond the config is one message (a config replaced through
 * `chartValues.alloy.alloy.configMap.content` leaves every grant of the program's roles unused).
 */
function byBinding(grants: Grant[]): Map<string, Grant[]> {
  const out = new Map<string, Grant[]>();
  for (const g of grants) out.set(g.via, [...(out.get(g.via) ?? []), g]);
  return out;
}

const call = (n: ApiNeed) =>
  `${n.component} calls ${what(n)}${n.name ? ` ${n.name}` : ""}${n.namespace ? ` in ${n.namespace}` : " cluster-wide"} (${n.source})`;

/** A Secret or ConfigMap a component reads while Alloy builds it (remote.kubernetes.*). */
const readOnBuild = (n: ApiNeed) => n.resource === "secrets" || n.resource === "configmaps";
const failsOnBuild = (what: string) =>
  `${what} fails while Alloy builds it, so Alloy's initial load fails and the pod exits`;

/**
 * The calls of one ServiceAccount that no binding grants, in one message: the account lacks them
 * for one reason, most often one object (its binding, or a chart's RBAC switch that removed every
 * role, `chartValues.alloy.rbac.create: false`), so one message per account lists every call.
 */
function ungrantedMessage(needs: ApiNeed[], account: string): string {
  if (needs.length === 1)
    return `${call(needs[0])}, and no binding grants it to ServiceAccount ${account}${readOnBuild(needs[0]) ? `: ${failsOnBuild("the component")}` : ""}`;
  const fatal = [...new Set(needs.filter(readOnBuild).map((n) => n.component))];
  const exits =
    fatal.length === 0 ? "" : `; ${failsOnBuild(fatal.length === 1 ? fatal[0] : `each of ${listed(fatal)}`)}`;
  return `no binding grants ServiceAccount ${account} any of these ${needs.length} calls its config's components make: ${needs.map(call).join("; ")}${exits}`;
}

export interface AlloyRbacReport {
  /** ServiceAccounts judged (one per Alloy config and workload that mounts it). */
  accounts: number;
  findings: Finding[];
}

/**
 * The statements of a config without its top-level blocks that are no component or configuration
 * block of Alloy (a misspelt `loki.source.fiel`): `alloy-component` reports each as
 * unknown-component, with the closest name, and Alloy refuses the config for it; asking this
 * check's table for its API calls would say the same mistake twice, and wrongly, as a gap in the
 * table. Without the reference (its own finding, checks/alloy.ts) every block is kept.
 */
function alloyKnown(body: Stmt[]): Stmt[] {
  let ref: ReturnType<typeof loadAlloyReference>;
  try {
    ref = loadAlloyReference();
  } catch (e) {
    if (e instanceof MissingReferenceError) return body;
    throw e;
  }
  return body.filter(
    (s) => s.kind !== "block" || !!ref.code.components[s.name] || !!ref.code.config_blocks[s.name],
  );
}

export function checkAlloyRbac(objects: Placed[]): AlloyRbacReport {
  const report: AlloyRbacReport = { accounts: 0, findings: [] };
  const proxied = proxiedTargets(objects).targets;
  for (const c of alloyConfigs(objects)) {
    const parsed = parseAlloy(c.text);
    if (parsed.errors.length > 0) continue; // alloy-syntax reports it
    let needs: ApiNeed[];
    try {
      needs = alloyApiNeeds(alloyKnown(parsed.body));
    } catch (e) {
      report.findings.push({ check: "alloy-rbac", where: c.where, message: (e as Error).message });
      continue;
    }
    // The targets behind a kube-rbac-proxy its ServiceMonitors reach ask their access of its token.
    const scopes = alloyMonitorNamespaces(c.text);
    for (const t of proxied)
      if (scopes.some((s) => s === undefined || s.includes(t.namespace)))
        needs.push(proxiedScrapeNeed("prometheus.operator.servicemonitors", t.access, t.via));
    const seen = new Set<string>();
    for (const t of podTemplates(objects)) {
      const ns = t.owner.obj.metadata.namespace;
      // A parked DaemonSet (a hand-over's old release) schedules on no node: it calls nothing.
      if (!ns || ns !== c.namespace || isParked(t.spec)) continue;
      if (!(t.spec.volumes ?? []).some((v: any) => v.configMap?.name === c.configMap)) continue;
      const sa = { name: t.spec.serviceAccountName ?? "default", namespace: ns };
      const key = `${sa.namespace}/${sa.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      report.accounts++;
      const grants = grantsOf(objects, sa);
      const ungranted = needs.filter((n) => !grants.some((g) => covers(g, n)));
      if (ungranted.length > 0)
        report.findings.push({
          check: "alloy-rbac",
          where: c.where,
          // What the config calls and the roles grant: no pod's size or place decides it.
          wiring: true,
          ungranted: [key],
          lacking: ungranted.map(({ component: _c, source: _s, ...apiCall }) => apiCall),
          message: ungrantedMessage(ungranted, key),
        });
      for (const [via, unneeded] of byBinding(grants.filter((g) => !needed(g, needs))))
        report.findings.push({
          check: "alloy-rbac",
          where: c.where,
          wiring: true,
          message:
            unneeded.length === 1
              ? `ServiceAccount ${key} is granted ${granted(unneeded[0])} (${via}), which no component of its config calls that widely`
              : `ServiceAccount ${key} is granted ${unneeded.length} accesses no component of its config calls that widely, all through ${via}: ${unneeded.map(granted).join(", ")}`,
        });
    }
  }
  return report;
}
