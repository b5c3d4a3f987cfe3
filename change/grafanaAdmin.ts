/**
 * The `--against` refusal of an update that replaces where Grafana's admin password comes from
 * after Grafana first ran. Grafana creates its admin user from the admin Secret only while its
 * database has no user: grafana/grafana pkg/services/sqlstore/sqlstore.go `ensureMainOrgAndAdminUser`
 * returns when `SELECT COUNT(id) FROM user` is above 0 (read at commit 00f3ed78, not at the pinned
 * 12.3.1 tag, and not run). The database is on Grafana's claim (change/grafanaData.ts), so once it
 * ran, a new password in the Secret changes nothing in Grafana: the login is still the first one.
 *
 * The program's sources (components/secrets/secrets.ts): a RandomPassword (config backend, no
 * `grafanaAdminPassword`), kept only in the Pulumi state and the Secret; the config secret
 * `grafanaAdminPassword`; the 1Password item `secrets.items.grafanaAdmin` (onepassword backend); or
 * the operator's own Secret (`takeover.secrets.grafanaAdmin`), which the program only reads. A switch
 * between them, or anything that deletes the RandomPassword, overwrites the Secret.
 *
 * Refused, not warned: the update overwrites the Secret, the one place the program keeps the
 * password Grafana still takes. A generated password then exists nowhere (the state's RandomPassword
 * is deleted with it); a config secret replaced or removed leaves the stack file, and the program
 * keeps no copy. Only a 1Password item or the operator's Secret outlives the switch, and the
 * program cannot tell from an export whether that value is still the one Grafana took (an item
 * edited since is not seen). Reading the password before the update is the one way that always
 * works, so the refusal says it.
 *
 * Not judged (read from an export, they do not show): a new value under the same source (another
 * `grafanaAdminPassword`, an item's password edited, an item renamed while the backend stays
 * onepassword: the item's title is not in the export).
 */
import { SECRET_REFS } from "../model/secrets";
import type { ExportResource, StackExport } from "../synth/synthesize";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import { inContext, shellWord } from "../model/running";
import type { MoveProject } from "../model/phases";
import { pulumiCommand } from "../config/paths";
import { pinnedContext, type VerdictCause } from "./change";
import { plainValue } from "./describe";
import { RELEASE_TYPE } from "../model/names";

/** Where the ways out are written down. */
export const GRAFANA_ADMIN_DOC = "docs/how-to/check-a-change.md#a-refused-grafana-admin-source";

const SECRETS_TYPE = "homelab:secrets:Secrets";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";
const SECRET_TYPE = "kubernetes:core/v1:Secret";
const ONEPASSWORD_PROVIDER = "pulumi:providers:onepassword";
/** The RandomPassword's and the Secret's resource names end so (components/secrets/secrets.ts). */
const ADMIN_SUFFIX = "-grafana-admin";

/** Where an export's Grafana admin password comes from. */
export type AdminSource =
  | { kind: "generated"; urn: string }
  | { kind: "config" }
  | { kind: "onepassword" }
  | { kind: "existing"; secret: string };

/** An export's Grafana: its admin Secret, the source behind it, and its claim. */
export interface GrafanaAdmin {
  source: AdminSource;
  namespace: string;
  /** The Secret Grafana reads its admin login from (`admin.existingSecret`). */
  secret: string;
  passwordKey: string;
  /** The Deployment (the chart's fullname). */
  workload: string;
  /** `namespace/name` of the claim its database is on; undefined without persistence. */
  claim?: string;
}

const nameOf = (r: ExportResource) => r.urn.split("::").pop() ?? "";

/**
 * The chart's fullname (grafana 12.3.1 templates/_helpers.tpl `grafana.fullname`): the override,
 * else the release name when it holds the chart's name, else `<release>-grafana`.
 */
function fullname(values: any, release: string): string {
  const over = plainValue(values?.fullnameOverride);
  if (typeof over === "string" && over) return over;
  const name = plainValue(values?.nameOverride) || "grafana";
  return release.includes(name) ? release : `${release}-${name}`;
}

/** What an export says of Grafana's admin login; undefined when it runs no Grafana. */
export function grafanaAdminOf(exp: StackExport): GrafanaAdmin | undefined {
  const all = exp.deployment.resources;
  const release = all.find((r) => r.type === RELEASE_TYPE && r.inputs?.chart === "grafana");
  if (!release) return undefined;
  const values = plainValue(release.inputs?.values);
  const admin = plainValue(values?.admin);
  const namespace = String(release.inputs?.namespace ?? "default");
  const workload = fullname(values, String(release.inputs?.name ?? nameOf(release)));
  const g = SECRET_REFS.grafanaAdmin;
  const secret = String(plainValue(admin?.existingSecret) ?? g.secretName);
  const passwordKey = String(plainValue(admin?.passwordKey) ?? g.passwordKey);
  // The claim exists with persistence on, as a claim, outside a StatefulSet (templates/pvc.yaml:1),
  // named after the fullname unless an existing claim is given.
  const p = plainValue(values?.persistence);
  const claimed =
    p?.enabled === true && (p.type ?? "pvc") === "pvc" && plainValue(values?.useStatefulSet) !== true;
  const claim = claimed ? `${namespace}/${String(plainValue(p.existingClaim) ?? workload)}` : undefined;
  const secrets = new Set(all.filter((r) => r.type === SECRETS_TYPE).map((r) => r.urn));
  const underSecrets = all.filter((r) => secrets.has(r.parent ?? ""));
  const generated = underSecrets.find((r) => r.type === RANDOM_PASSWORD && nameOf(r).endsWith(ADMIN_SUFFIX));
  const projected = underSecrets.find((r) => r.type === SECRET_TYPE && nameOf(r).endsWith(ADMIN_SUFFIX));
  const source: AdminSource = generated
    ? { kind: "generated", urn: generated.urn }
    : !projected || projected.external
      ? { kind: "existing", secret }
      : underSecrets.some((r) => r.type === ONEPASSWORD_PROVIDER)
        ? { kind: "onepassword" }
        : { kind: "config" };
  return { source, namespace, secret, passwordKey, workload, ...(claim ? { claim } : {}) };
}

/** The source in words. */
function said(s: AdminSource): string {
  switch (s.kind) {
    case "generated":
      return "a generated password (the RandomPassword in the Pulumi state)";
    case "config":
      return "the config secret grafanaAdminPassword";
    case "onepassword":
      return "the 1Password item secrets.items.grafanaAdmin";
    case "existing":
      return `the operator's Secret ${s.secret} (takeover.secrets.grafanaAdmin)`;
  }
}

/**
 * The stack keys whose change made the switch: `said` with their lines, `keys` as data (change.ts
 * VerdictCause). takeover.secrets.grafanaAdmin is behind it whenever either side is the Secret it
 * names (said with that source, {@link said}).
 */
function causes(from: AdminSource, to: AdminSource, at?: OverridePlace): { said: string; keys: string[] } {
  const said: string[] = [];
  const keys = new Set<string>();
  const backend = (s: AdminSource) =>
    s.kind === "onepassword" ? "onepassword" : s.kind === "existing" ? undefined : "config";
  const [b1, b2] = [backend(from), backend(to)];
  if (b1 && b2 && b1 !== b2) {
    keys.add("secrets.backend");
    said.push(`${stackKeyAt("secrets.backend", at)} changed from ${b1} to ${b2}`);
  }
  // The Secret the key names on each side, when it names one.
  const [named, names] = [from, to].map((s) => (s.kind === "existing" ? s.secret : undefined));
  if (named || names) {
    keys.add("takeover.secrets.grafanaAdmin");
    const moved = !named
      ? `now names ${names}`
      : !names
        ? `no longer names ${named}`
        : `names ${names} where it named ${named}`;
    said.push(`${stackKeyAt("takeover.secrets.grafanaAdmin", at)} ${moved}`);
  }
  if (from.kind === "generated" && to.kind === "config") {
    keys.add("grafanaAdminPassword");
    said.push(`${stackKeyAt("grafanaAdminPassword", at)} is set where it was not`);
  }
  if (from.kind === "config" && to.kind === "generated") {
    keys.add("grafanaAdminPassword");
    said.push(`grafanaAdminPassword is no longer set, so the program generates one`);
  }
  if (from.kind === "generated" && to.kind === "generated")
    said.push(
      `the generated password's resource changed (${from.urn} -> ${to.urn}): the update deletes the old one and generates another`,
    );
  return { said: said.join(", and "), keys: [...keys] };
}

/**
 * What keeps the source the password came from; `project` names the stack the command edits. A
 * switch to the operator's Secret is undone only with takeover.secrets.grafanaAdmin unset again.
 */
function keep(from: AdminSource, to: AdminSource, project?: MoveProject): string {
  const unset = to.kind === "existing" && from.kind !== "existing";
  return unset
    ? `${kept(from, project)}, and leave takeover.secrets.grafanaAdmin unset`
    : kept(from, project);
}

/** The settings that kept `from`. */
function kept(from: AdminSource, project?: MoveProject): string {
  switch (from.kind) {
    case "generated":
      return `keep secrets.backend config and leave grafanaAdminPassword unset (${pulumiCommand(project?.dir)} config rm${project ? ` --stack ${shellWord(project.stack)}` : ""} grafanaAdminPassword), under the same resource names`;
    case "config":
      return "keep secrets.backend config with grafanaAdminPassword set to the value it had";
    case "onepassword":
      return "keep secrets.backend onepassword with the same item";
    case "existing":
      return `keep takeover.secrets.grafanaAdmin: ${from.secret}`;
  }
}

/** One refusal line for the stack-wide change, as the backend and tenant verdicts. */
export interface GrafanaAdminVerdict {
  line: string;
  refused: true;
  cause: VerdictCause;
}

/**
 * One refusal when Grafana ran on a claim the update keeps and its admin password's source is
 * replaced. Nothing when the previous export ran no Grafana, ran it without a claim, or the new
 * state puts Grafana on another claim (a fresh database takes the new Secret), nor when the source
 * stays. `project`: the stack and project folder its `pulumi` command runs against.
 */
export function grafanaAdminVerdict(
  previous: StackExport,
  next: StackExport,
  at?: OverridePlace,
  project?: MoveProject,
): GrafanaAdminVerdict | undefined {
  const [was, is] = [grafanaAdminOf(previous), grafanaAdminOf(next)];
  if (!was?.claim || !is || is.claim !== was.claim) return undefined;
  const [from, to] = [was.source, is.source];
  const same =
    from.kind === to.kind &&
    (from.kind !== "generated" || (to.kind === "generated" && from.urn === to.urn)) &&
    (from.kind !== "existing" || (to.kind === "existing" && from.secret === to.secret));
  if (same) return undefined;
  const ns = was.namespace;
  // Pasted, the commands reach the cluster the update does, not whichever context is selected.
  const context = pinnedContext(next);
  // The chart's own NOTES.txt reads the password so (grafana 12.3.1 templates/NOTES.txt:3).
  const secretText = (secret: string, key: string) =>
    `${inContext(`kubectl get secret --namespace ${ns} ${secret} -o jsonpath="{.data.${key}}"`, context)} | base64 --decode`;
  const read = `${secretText(was.secret, was.passwordKey)}; echo`;
  // The chart's Grafana container is named grafana (templates/_pod.tpl:1236). The new password is
  // read from the Secret the update wrote, not written into the command: a placeholder pasted as
  // printed would become the password.
  const reset = `${inContext(`kubectl exec --namespace ${ns} deploy/${is.workload} -c grafana`, context)} -- grafana cli admin reset-admin-password "$(${secretText(is.secret, is.passwordKey)})"`;
  // The operator's Secret is only read (components/secrets/secrets.ts readExistingSecret): a switch
  // to it writes no Secret, and deletes the program's own.
  const toOperator = to.kind === "existing";
  const lost =
    from.kind === "generated"
      ? ` The generated password exists only ${toOperator ? `in Secret ${ns}/${was.secret}` : "there"} and in the Pulumi state, and the update ${toOperator ? "deletes" : "replaces"} both: the operator is locked out.`
      : from.kind === "config"
        ? " The program keeps no other copy of it."
        : "";
  const place = `Grafana admin password ${from.kind} -> ${to.kind}`;
  const cause = causes(from, to, at);
  return {
    line:
      `REFUSED ${place}: ${cause.said}. ` +
      `The admin password moves from ${said(from)} to ${said(to)}, and ${toOperator ? `Grafana reads it from Secret ${ns}/${is.secret}, which the program reads and never writes` : `the update writes the new one into Secret ${ns}/${is.secret}`}. ` +
      `Grafana keeps the password it was first given: it creates its admin user only while its database, on claim ${was.claim}, has none, and the claim stays, so ${toOperator ? `the login stays that password, whatever Secret ${ns}/${is.secret} holds` : "the Secret no longer holds the login"}.${lost} ` +
      `Keep the source: ${keep(from, to, project)}. Or, before the update, read the current password: ${read}; after it, give Grafana the new one: ${reset}. ` +
      `Once the update has run, compare with an export taken after it (${GRAFANA_ADMIN_DOC})`,
    refused: true,
    cause: { place, keys: cause.keys },
  };
}
