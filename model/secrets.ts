import { slipOf } from "@homelab-observability/contract";
import { INTEGRATIONS, OTHER_CREDENTIALS, RECEIVER_TYPES } from "../upstream/alertmanagerReceivers";

/** Config keys that must be Pulumi secrets (`pulumi config set --secret`) with the `config` backend. */
export const SECRET_KEYS = [
  "minioAdminUser",
  "minioAdminPassword",
  "garageAdminToken",
  "pushoverToken",
  "pushoverUserKey",
  "heartbeatUrl",
  "grafanaAdminPassword",
  "onepasswordToken",
  // A map from receiver name to its credential (`--path 'receiverCredentials.<name>'`): config/receiverSecrets.ts.
  "receiverCredentials",
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/**
 * Key names that say they hold a credential, misspelt ones too (`pasword`, `pwd`): a config
 * problem's line (config/locate.ts) and a YAML mistake's lines (model/yamlText.ts) show such a
 * key, never its value.
 */
export const CREDENTIAL_NAME =
  /pass|pasw|pwd|secret|token|credential|api_?key|access_?key|private_?key|bearer/i;

/**
 * A URL query parameter (`?token=…`, `&sig=…`) and its value up to the next parameter, the
 * fragment, a space, a quote or a flow bracket.
 */
const QUERY_PARAM = /([?&;])([^=&#?;\s"'{}[\],]+)=([^&#;\s"'{}[\]]*)/g;
/**
 * Query parameter names that carry a credential in URLs and that {@link CREDENTIAL_NAME} leaves:
 * an API key (`key`, `api-key`), a signature (`sig` of Azure's SAS, `X-Amz-Signature`), `auth`.
 */
const QUERY_CREDENTIAL = /(?:key|sig|signature|auth)$/i;

/**
 * `text` with the value of every credential-named URL query parameter ({@link CREDENTIAL_NAME}, or
 * {@link QUERY_CREDENTIAL}: `?token=…`, `&access_token=…`, `&sig=…`) replaced by `mark`, the
 * parameter's name kept so the message still says which one it was. One rule for every message
 * that shows a URL (config/schema.ts redactUrl, cli/spec.ts, verify/http.ts, the YAML excerpts of
 * ./yamlText.ts): a webhook's or a signed URL's query is as much a credential as its login. A
 * value already `mark` stays as it is (a text may be read twice).
 */
export function withoutQueryCredentials(text: string, mark = "<redacted>"): string {
  return text.replace(QUERY_PARAM, (all, before: string, name: string, value: string, at: number) =>
    value !== "" &&
    !text.startsWith(mark, at + before.length + name.length + 1) &&
    (CREDENTIAL_NAME.test(name) || QUERY_CREDENTIAL.test(name))
      ? `${before}${name}=${mark}`
      : all,
  );
}

/**
 * The fields that hold a receiver's credential, named as Alertmanager names them
 * (upstream/alertmanagerReceivers.ts): most carry no credential word (`api_url`, `routing_key`).
 */
export const CREDENTIAL_FIELDS: readonly string[] = [
  ...new Set(RECEIVER_TYPES.flatMap((t) => [INTEGRATIONS[t].credential, ...OTHER_CREDENTIALS[t]])),
];

/**
 * The credential fields a key's name is taken for wherever it stands. A webhook's `url` is not
 * among them: the name is every endpoint's (PagerDuty's own `url`, a chart's, a manifest's), and
 * hiding each would hide the lines a message points at; a receiver's `url` is hidden by the
 * problem that names it (config/locate.ts).
 */
const NAMED_CREDENTIALS = CREDENTIAL_FIELDS.filter((f) => f !== "url");

/**
 * Whether a key's value is a credential by the key's name: the name says so ({@link CREDENTIAL_NAME}),
 * or it is a receiver's credential field or a slip of one (`bot_tokn`, `api_ur`), whose value is the
 * credential it was meant to hold. Measured by edits alone, as {@link secretKeyMeant}.
 */
export function credentialKey(name: string): boolean {
  return CREDENTIAL_NAME.test(name) || slipOf(name, NAMED_CREDENTIALS) !== undefined;
}

/**
 * Whether the config value at `path` (its top key first) is or may be a secret: under a secret
 * config key of the project or a slip of one (`projects`: the key is the project's, not another
 * namespace's), or at a key named as a credential ({@link credentialKey}: `password`, `bot_tokn`).
 */
export function secretValueAt(path: readonly (string | number)[], projects: boolean): boolean {
  const [first] = path;
  const last = path[path.length - 1];
  return (
    (projects && typeof first === "string" && secretKeyMeant(first) !== undefined) ||
    (typeof last === "string" && credentialKey(last))
  );
}

/**
 * The secret config key a key's name is, or is a misspelling of (`heartbeatUrll`: its value is the
 * secret it was meant to hold, though no credential word is in its name); undefined otherwise. A
 * slip is measured by its edits alone: the short forms closestMatch also takes are other keys'
 * names (`grafana` begins `grafanaAdminPassword`).
 */
export function secretKeyMeant(name: string): SecretKey | undefined {
  return slipOf(name, SECRET_KEYS) as SecretKey | undefined;
}

/** The secret config key holding the receivers' credentials with the `config` backend. */
export const RECEIVER_CREDENTIALS_KEY = "receiverCredentials" satisfies (typeof SECRET_KEYS)[number];

/**
 * The Secret holding one receiver's credential (key: the integration's credential field, e.g.
 * `api_url`), which every Alertmanager mounts and reads through the `*_file` field.
 */
export function receiverSecretName(receiver: string): string {
  return `alertmanager-receiver-${receiver}`;
}

/** Names and keys of the Kubernetes Secrets other components consume by reference. */
export const SECRET_REFS = {
  pushover: { secretName: "alertmanager-pushover", tokenKey: "token", userKeyKey: "user_key" },
  heartbeat: { secretName: "alertmanager-heartbeat", urlKey: "url" },
  grafanaAdmin: { secretName: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
} as const;

/**
 * Where the Secrets component gets what it does not read from 1Password: the stack's config
 * secrets and the 1Password token. The Pulumi-config adapter (config/load.ts `pulumiSecretSource`)
 * implements it and the composition root passes it in, so no component reads the config or the
 * environment. `O` is the SDK's `Output<string>` (model/ loads no Pulumi package).
 */
export interface SecretSource<O> {
  /** The config secret `key`, or undefined when it is not set. */
  get(key: SecretKey): O | undefined;
  /** The config secret `key`; Pulumi's missing-config error (naming the key, never a value) when it is not set. */
  require(key: SecretKey): O;
  /**
   * The 1Password token: the config secret `onepasswordToken`, else the environment variable
   * `envName` as a secret; undefined when neither is set.
   */
  onepasswordToken(envName: string): O | undefined;
}
