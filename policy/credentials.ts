import { pathStep, SECRET_SIG_KEY } from "@homelab-observability/contract";
import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { Level } from "./lib/config";
import { HELM_TYPES, helmChartOf, helmOf, isPulumiSecret, label, parseDoc, toRes } from "./lib/resources";
import { forTypes } from "./lib/typed";
import { reportCause, resourceCause } from "./lib/report";
import { createHash } from "node:crypto";
import { RAW_WORKLOAD_TYPES, workloadsOf } from "./lib/workloads";
import { someCandidate } from "./lib/credentialScan";

/**
 * Keys that hold credentials when given a literal value. Besides the usual names, Alertmanager's
 * secret-typed fields (prometheus/alertmanager config/notifiers.go and config.go: smtp_auth_password,
 * smtp_auth_secret, auth_password, auth_secret, service_key, routing_key, api_key, api_secret,
 * bot_token, user_key, token, slack_api_url, opsgenie_api_key, victorops_api_key, wechat_api_secret,
 * telegram bot_token, http_config basic_auth.password, authorization.credentials,
 * oauth2.client_secret). Their `*_file` twins are references and pass.
 */
const CREDENTIAL_KEY =
  /^(secretAccessKey|secret_access_key|accessKeyId|access_key_id|password|passwd|adminPassword|admin_password|rootPassword|root_password|token|auth_token|bearer_token|bot_token|user_key|userKey|apiKey|api_key|api_secret|secretKey|secret_key|client_secret|clientSecret|smtp_auth_password|smtp_auth_secret|auth_password|auth_secret|service_key|routing_key|credentials|slack_api_url|opsgenie_api_key|victorops_api_key|wechat_api_secret|telegram_bot_token)$/i;
/**
 * What a config text must contain to hold any finding of {@link plaintextIn} or an env line: every
 * key of CREDENTIAL_KEY, SECRET_URL_KEY and KEY_NAME_KEY, every list of RECEIVER_SECRET_KEYS and
 * every word of CREDENTIAL_ENV contains
 * one of these words (in any case), as a key (then `:` or `=`) or as an env entry's name (then `,`,
 * `}`, `]`, a line's or the text's end); a URL with user info has `://user@`; a Pulumi secret its
 * signature (as a key, in its own case). A text without any is not parsed (a dashboard's JSON is
 * hundreds of kilobytes and holds none).
 *
 * The words are found in two steps. The first finds each place where a pair of characters one of
 * them holds stands (`cr` in credential and secret, `ss` in pass, `ke` in key and token, `//`,
 * `_u`, `_c`, and `8d` in a Pulumi secret's signature), 16 characters a step in WebAssembly
 * (./lib/credentialScan.ts); the second checks
 * the word around each such place on the text, by hand. JavaScript reads at most a character a
 * step however it searches: over the pack benchmark's 100 MB of dashboard JSON, one regex
 * alternation of the words took 260 ms, three regex groups 165, and the last JavaScript filter (a
 * regex for `credential|secret|pass`, an indexOf loop for each rarer character: `k`, `K`, `_`,
 * `//` in a text with an `@`) 85 in its own measurement. Measured again beside the scan, over the
 * benchmark's texts of over 20 characters (194,314 texts, 122 MB; in process, five runs each,
 * alternated): that filter 237-255 ms, the scan with the same checks 131-183 (copying the texts
 * into the module's memory is 39-46 of it). The pack over 10,000 resources, median wall time of 9
 * runs, alternated: 364 and 381 ms before, 275 and 298 after.
 */
/** Every word the filter looks for, `://` included (each holds a pair of ./lib/credentialScan.wat). */
export const CREDENTIAL_WORDS: readonly string[] = [
  "credential",
  "secret",
  "pass",
  "token",
  "key",
  "://",
  "_url",
  "_configs",
];
/** After a word: the rest of a key (then `:` or `=`) or of an env entry's name (then `,`, `}`, `]`, a line's or the text's end). */
const KEY_END = /[\w-]*["']?\s*(?:[:=,}\]\n]|$)/y;
/** After `://`: user info and its `@` (urlWithUserInfo). */
const USER_INFO = /[^/?#\s@]+@/y;
/** Where the pair the scan finds a Pulumi secret's signature by (`8d`, its last two characters) stands in it. */
const SIG_END = SECRET_SIG_KEY.length - 2;

/** Whether `text` at `at` holds `lower` (lowercase ASCII letters) in any case, as the `i` flag matches. */
function wordAt(text: string, at: number, lower: string): boolean {
  if (at < 0 || at + lower.length > text.length) return false;
  // `| 32` lower-cases an ASCII letter and leaves its lowercase as is; only a letter of either case
  // equals a lowercase letter after it (as /i without `u`, which folds no other character to ASCII).
  for (let j = 0; j < lower.length; j++)
    if ((text.charCodeAt(at + j) | 32) !== lower.charCodeAt(j)) return false;
  return true;
}

/** Whether a key or an env entry's name ends after a word that ends at `end`. */
function keyEndsAt(text: string, end: number): boolean {
  KEY_END.lastIndex = end;
  return KEY_END.test(text);
}

/**
 * Whether a word of the filter that holds its pair at `at` (./lib/credentialScan.ts) stands there
 * and ends a key, `://` with user info after it, or a Pulumi secret's signature. The pair's first
 * character says which words can: the scan found `cr`, `ss` and `ke` in any case, `//`, `_` and
 * `8` as they are.
 */
function wordWithPairAt(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  switch (c | 32) {
    case 99 /* c */:
      return (
        (wordAt(text, at, "credential") && keyEndsAt(text, at + 10)) ||
        (wordAt(text, at - 2, "secret") && keyEndsAt(text, at + 4))
      );
    case 115 /* s */:
      return wordAt(text, at - 2, "pass") && keyEndsAt(text, at + 2);
    case 107 /* k */:
      return (wordAt(text, at, "key") || wordAt(text, at - 2, "token")) && keyEndsAt(text, at + 3);
    case 47 /* / */:
      // `://` and user info with its `@` after it.
      if (c !== 47 || text.charCodeAt(at - 1) !== 58 /* : */ || text.charCodeAt(at + 1) !== 47) return false;
      USER_INFO.lastIndex = at + 2;
      return USER_INFO.test(text);
    case 127 /* _ */: {
      if (c !== 95) return false;
      // `_url` and `_configs` end a key only after a letter (`slack_api_url`, `webhook_url`,
      // `webhook_configs`, whose entries' keys RECEIVER_SECRET_KEYS judges), not in
      // `${__url_time_range}`.
      const before = text.charCodeAt(at - 1) | 32;
      if (before < 97 || before > 122) return false;
      if (wordAt(text, at + 1, "url")) return keyEndsAt(text, at + 4);
      return wordAt(text, at + 1, "configs") && keyEndsAt(text, at + 8);
    }
    case 56 /* 8 */:
      // The signature's last two characters: the signature itself, in its own case, ends there.
      return c === 56 && at >= SIG_END && text.startsWith(SECRET_SIG_KEY, at - SIG_END);
    default:
      // A character above U+00FF whose low byte made a pair: no word.
      return false;
  }
}
/**
 * Whether `text` may hold a finding: a credential word ending a key or an env name, `://` with user
 * info after it, or a Pulumi secret's signature (which the evaluator recognises in its own case).
 * The signature is found by the scan too, by its last two characters: `text.includes` of it was a
 * pass of its own over every text, 20-24 ms of the 60 the filter took over the pack benchmark's
 * 100.9 MB of ConfigMap texts (main-thread CPU per run, five runs, a loaded 2-core machine).
 */
export function mayHoldCredential(text: string): boolean {
  return someCandidate(text, (at) => wordWithPairAt(text, at));
}
/** Keys whose value is a URL that carries its secret in the path (Slack, Discord, Teams webhooks). */
const SECRET_URL_KEY = /^(slack_api_url|webhook_url)$/;
/**
 * Keys that are credentials only in an entry of an Alertmanager receiver's integration list, named
 * by that list: alone they are too common (`url` is everywhere, `api_url` is a plain endpoint in
 * other integrations). Read, not run: prometheus/alertmanager v0.28.1 config/notifiers.go, the
 * fields typed `*SecretURL` (the whole URL is the credential: SlackConfig `api_url`, WebhookConfig
 * `url`, DiscordConfig, MSTeamsConfig and MSTeamsV2Config `webhook_url`) and the `Secret` ones no
 * key alone already names (RocketchatConfig `token_id`); config/config.go `Receiver` names the
 * lists. The other `Secret` fields (`auth_password`, `routing_key`, `api_key`, `token`, ...) are
 * in CREDENTIAL_KEY, wherever they stand.
 */
const RECEIVER_SECRET_FIELDS: Record<string, Record<string, "url" | "secret">> = {
  slack_configs: { api_url: "url" },
  webhook_configs: { url: "url" },
  discord_configs: { webhook_url: "url" },
  msteams_configs: { webhook_url: "url" },
  msteamsv2_configs: { webhook_url: "url" },
  rocketchat_configs: { token_id: "secret" },
};
// Maps, not objects, to look up: a values key named `constructor` is no field of any integration.
const RECEIVER_SECRET_KEYS: ReadonlyMap<string, ReadonlyMap<string, "url" | "secret">> = new Map(
  Object.entries(RECEIVER_SECRET_FIELDS).map(([list, fields]) => [list, new Map(Object.entries(fields))]),
);

/** Why `key` is a literal credential of an entry of the receiver list `list`, or undefined. */
function receiverCredentialAt(list: string, key: string, child: unknown): string | undefined {
  const kind = RECEIVER_SECRET_KEYS.get(list)?.get(key);
  if (!kind || !literal(child)) return undefined;
  return kind === "url"
    ? `is a literal secret URL (Alertmanager keeps ${list}[].${key} secret: the URL is the credential)`
    : `is a literal credential (Alertmanager's ${list}[].${key})`;
}
/** Env var names that hold credentials (PASSWORD, SECRET, TOKEN, ... as a word of the name). */
const CREDENTIAL_ENV =
  /(^|_)(PASSWORD|PASSWD|PASS|SECRET|TOKEN|ACCESS_KEY|SECRET_KEY|API_KEY|APIKEY|USER_KEY|CREDENTIALS?|PRIVATE_KEY)(_|$)/i;
/** Env var names that name a reference, not a credential: files, paths, Secret names, URLs of token endpoints. */
const ENV_REFERENCE_SUFFIX = /_(FILE|PATH|DIR|NAME|REF|URL|URI|ENDPOINT|TYPE|ENABLED|HEADER)$/i;
/** An env-var-style key (FOO_BAR): env-style ConfigMaps and map-form `env` values use them. */
const ENV_STYLE_KEY = /^[A-Z][A-Z0-9_]*$/;
/** Values that are references, not credentials: ${VAR}, $__env{..}/$__file{..}, $VAR. */
const REFERENCE =
  /^(\$\{[A-Za-z_][A-Za-z0-9_]*(:?-[^}]*)?\}|\$__(env|file|vault)\{[^}]+\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;
/** Keys whose non-empty value names a Secret (or a Secret reference) the chart reads instead. */
const SECRET_REFERENCE_SIBLINGS = ["existingSecret", "secretName", "secretRef", "secretKeyRef", "valueFrom"];
/** Next to a live Secret reference, `userKey`/`passwordKey`/... name keys inside that Secret. */
const KEY_NAME_KEY =
  /^(user|password|passwd|token|secret|admin|adminUser|adminPassword|userKey|secretKey)?Key$/;

function literal(v: unknown): v is string | number {
  // Every REFERENCE form starts with "$": other strings need no regex.
  return (
    (typeof v === "string" && v.length > 0 && !(v.charCodeAt(0) === 36 && REFERENCE.test(v))) ||
    typeof v === "number"
  );
}

/** A credential-looking env var name (not a *_FILE or other reference name). */
export function credentialEnvName(name: string): boolean {
  return CREDENTIAL_ENV.test(name) && !ENV_REFERENCE_SUFFIX.test(name);
}

/**
 * A user name alone that is a token (GitHub's and GitLab's go there: `https://<token>@host`): 20 or
 * more URL-safe characters with letters and digits. A user name such as `grafana` is no secret.
 */
const TOKEN_LIKE = /^(?=[^]*\d)(?=[^]*[A-Za-z])[\w.~%-]{20,}$/;

/** How a URL starts, whitespace before it allowed: the start of {@link urlWithUserInfo}'s regex. */
const URL_START = /^\s*[a-z][a-z0-9+.-]*:\/\//i;

/**
 * A URL whose user info holds a credential: a password (`scheme://user:password@host`) that is not
 * a reference, or a token as the user (`https://<token>@host`). `postgres://grafana@db/grafana`
 * names only a user.
 */
export function urlWithUserInfo(v: unknown): boolean {
  // No scheme at the start (after what trim() drops: `\s` is the same set), no URL; no "@", no user
  // info. For a long text the scheme first: it fails at the first characters of a config text,
  // where the "@" was a pass over all of it (every ConfigMap text is asked: 15 ms of a 1,014 ms
  // profiled benchmark run). For a short value the "@" first: cheaper than the regex.
  if (typeof v !== "string") return false;
  if (v.length > 256 ? !URL_START.test(v) || !v.includes("@") : !v.includes("@") || !URL_START.test(v))
    return false;
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s@]+)@[^\s]/i.exec(v.trim());
  if (!m) return false;
  const colon = m[1].indexOf(":");
  if (colon >= 0) {
    const password = m[1].slice(colon + 1);
    return password !== "" && !REFERENCE.test(password);
  }
  return TOKEN_LIKE.test(m[1]) && !REFERENCE.test(m[1]);
}

/** A reference sibling that is set: a non-empty Secret name, or a reference object. */
function hasLiveReference(v: Record<string, any>): boolean {
  for (const k of SECRET_REFERENCE_SIBLINGS) {
    const x = v[k];
    if ((typeof x === "string" && x.trim() !== "") || (!!x && typeof x === "object")) return true;
  }
  return false;
}

const NAME_KEY = 1;
const CREDENTIAL = 2;
const SECRET_URL = 4;
const ENV_CREDENTIAL = 8;
/** What each key name is (the tests below depend on the key alone); a stack has few distinct keys. */
const keyClasses = new Map<string, number>();
function keyClass(key: string): number {
  let c = keyClasses.get(key);
  if (c === undefined) {
    c =
      (KEY_NAME_KEY.test(key) ? NAME_KEY : 0) |
      (CREDENTIAL_KEY.test(key) ? CREDENTIAL : 0) |
      (SECRET_URL_KEY.test(key) ? SECRET_URL : 0) |
      (ENV_STYLE_KEY.test(key) && credentialEnvName(key) ? ENV_CREDENTIAL : 0);
    if (keyClasses.size >= 16384) keyClasses.clear();
    keyClasses.set(key, c);
  }
  return c;
}

/**
 * Why one key/value pair is a literal credential, or undefined. `parent` holds the pair; a live
 * Secret reference there makes key-name keys pass (looked up only for such a key).
 */
function credentialAt(key: string, child: unknown, parent?: Record<string, any>): string | undefined {
  if (isPulumiSecret(child))
    return "is a Pulumi secret written into plain configuration (its plaintext ends up here)";
  if (!literal(child)) return undefined;
  const c = keyClass(key);
  if (c & NAME_KEY && parent && hasLiveReference(parent)) return undefined;
  if (c & CREDENTIAL) return "is a literal credential";
  if (c & SECRET_URL && typeof child === "string" && /^https?:\/\//.test(child))
    return "is a webhook URL whose path is the credential";
  if (c & ENV_CREDENTIAL) return `is a literal credential (env ${key})`;
  if (urlWithUserInfo(child)) return "is a URL with user info (credentials in the URL)";
  return undefined;
}

/** Credential-looking keys with literal values in a tree, with their paths and why. */
export function plaintextIn(v: any, path: string): string[] {
  return plaintextFound(v, path).map((f) => f.text);
}

/** One literal credential {@link plaintextFound} finds: its path and why, and the literal itself (never printed). */
interface FoundCredential {
  text: string;
  value: unknown;
}

/**
 * Where {@link plaintextFound} is: its findings, the path it was given and the keys from the root
 * down to the node being read (a path string is only built for a finding: the pack reads every
 * Helm value and ConfigMap document of a stack, and finds almost nothing).
 */
interface Walk {
  out: FoundCredential[];
  path: string;
  keys: (string | number)[];
}

/** {@link plaintextIn}, each finding with the value it is about. */
function plaintextFound(v: any, path: string): FoundCredential[] {
  const w: Walk = { out: [], path, keys: [] };
  // A secret child is a finding (visit), never walked: only the root can be one.
  if (v && typeof v === "object" && !isPulumiSecret(v)) walkNode(w, v);
  return w.out;
}

/**
 * The path of `last` under the node being read, a key holding a dot in brackets as the stack file
 * writes it (`values["grafana.ini"].database`): dotted, it would name keys that do not exist.
 */
function pathTo(w: Walk, last: string | number): string {
  let p = w.path;
  for (const k of [...w.keys, last]) p += pathStep(k, 1);
  return p;
}

/**
 * One child of the node being read: a finding (`why`, or an env entry with a credential value),
 * else walked. Module functions with the walk's state in one object, not closures made per call:
 * the policy walks every release's values and every ConfigMap document of the stack.
 */
function visitChild(w: Walk, key: string | number, child: any, why: string | undefined): void {
  if (why) w.out.push({ text: `${pathTo(w, key)} ${why}`, value: child });
  else if (
    child &&
    typeof child === "object" &&
    !Array.isArray(child) &&
    typeof child.name === "string" &&
    "value" in child &&
    (isPulumiSecret(child.value) || (credentialEnvName(child.name) && literal(child.value)))
  ) {
    w.out.push({
      text: `${pathTo(w, key)} (env ${child.name}) ${isPulumiSecret(child.value) ? "has a Pulumi secret as its value (it ends up in the pod spec in plain text)" : "is a literal credential"}`,
      value: child.value,
    });
  } else if (child && typeof child === "object") {
    w.keys.push(key);
    walkNode(w, child);
    w.keys.pop();
  }
}

function walkNode(w: Walk, node: any): void {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const child = node[i];
      visitChild(
        w,
        i,
        child,
        isPulumiSecret(child)
          ? "is a Pulumi secret written into plain configuration (its plaintext ends up here)"
          : urlWithUserInfo(child)
            ? "is a URL with user info (credentials in the URL)"
            : undefined,
      );
    }
    return;
  }
  // An entry of a list: the list's name decides for keys too common to judge alone.
  const keys = w.keys;
  const list = typeof keys[keys.length - 1] === "number" ? keys[keys.length - 2] : undefined;
  // Keys by `for...in`, not Object.keys: no array per node (as the contract's holdsSecret walks;
  // Object.keys' arrays were 4 of the 63 MB a pack benchmark run allocates). It also reads
  // inherited enumerable keys, which no tree of an export, the engine's props, a parsed YAML or
  // JSON text or env lines has. With the walk's closures made module functions: main-thread CPU
  // per run 713 -> 672 ms, wall 528 -> 461 (a loaded 2-core machine; medians of 24 runs, three
  // alternated processes each; every verdict and message the same).
  for (const k in node)
    visitChild(
      w,
      k,
      node[k],
      credentialAt(k, node[k], node) ??
        (typeof list === "string" ? receiverCredentialAt(list, k, node[k]) : undefined),
    );
}

/** Env-file text (`KEY=value` lines), as ConfigMaps for envFrom or `.env` files hold it; undefined when it is not. */
function envLines(text: string): Record<string, string> | undefined {
  const lines = text.split("\n").filter((l) => l.trim() !== "" && !l.trim().startsWith("#"));
  if (lines.length === 0 || !lines.every((l) => /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*=/.test(l)))
    return undefined;
  return Object.fromEntries(
    lines.map((l) => {
      const [k, ...rest] = l.replace(/^\s*export\s+/, "").split("=");
      return [
        k.trim(),
        rest
          .join("=")
          .trim()
          .replace(/^(["'])(.*)\1$/, "$2"),
      ];
    }),
  );
}

/** What {@link plaintextFound} finds in a config text (YAML, JSON or env lines), parsed whole: no filter first. */
function textFindings(text: string, path: string): FoundCredential[] {
  const doc = parseDoc(text) ?? envLines(text);
  return doc ? plaintextFound(doc, path) : [];
}

/**
 * {@link plaintextIn} for a ConfigMap's text, without {@link mayHoldCredential} before it: what the
 * filter must never hide (its property test reads this).
 */
export function plaintextInText(text: string, path: string): string[] {
  return textFindings(text, path).map((f) => f.text);
}

/**
 * What the policy reads: Helm values, ConfigMap data and the containers of raw pod templates
 * (workloadsOf finds containers only in those; Secrets are where credentials belong).
 */
const CREDENTIAL_TYPES: ReadonlySet<string> = new Set([
  ...HELM_TYPES,
  "kubernetes:core/v1:ConfigMap",
  ...RAW_WORKLOAD_TYPES,
]);

/**
 * The mistake one literal credential is: the same value at several places of one origin (a Helm
 * release's values, the ConfigMap or Deployment the chart renders from them) is one credential to
 * move into a Secret, one message naming every place. Keyed by a digest of the value, which is
 * never printed; a Pulumi secret's stand-in has no value of its own and keys nothing.
 */
function literalCause(args: { urn: string; opts?: { parent?: string } }, value: unknown): string {
  if (isPulumiSecret(value) || (typeof value !== "string" && typeof value !== "number")) return "";
  const digest = createHash("sha256").update(String(value)).digest("hex").slice(0, 16);
  return resourceCause(`plaintext-credential:${digest}`, args);
}

/**
 * How a credential held as a literal reaches its reader from a Secret instead, as the chart that
 * holds it reads one. `-config.expand-env` is Loki's flag (and Mimir's, whose objects the program
 * writes itself), which expands `${VAR}` in their config; it is no flag of Grafana's, which
 * reads a Secret as GF_<SECTION>_<KEY> env or through `$__env{VAR}` or `$__file{path}` in
 * grafana.ini, and no key of this stack creates such a Secret (docs/how-to/chart-values.md; the
 * ordering check refuses a Secret nothing in the stack creates). A ConfigMap or a workload outside a chart's values is read by
 * whichever program mounts it: every way is named, each with whose it is.
 */
function secretWayOf(chart: string | undefined): string {
  if (chart === "grafana")
    return "Grafana reads a credential from a Secret (envValueFrom as GF_<SECTION>_<KEY>, or `$__env{VAR}` or `$__file{path}` in grafana.ini), but no key of this stack creates that Secret, and the ordering check refuses one nothing in the stack creates: leave the credential out of the values (the admin's is the program's, in admin.existingSecret).";
  if (chart === "loki")
    return "Move the value into a Kubernetes Secret and reference it (extraEnvFrom with `${VAR}` in Loki's config, which the program's -config.expand-env=true expands, or a *_file path).";
  return "Move the value into a Kubernetes Secret and reference it (existingSecret/secretKeyRef/envFrom, `${VAR}` in a Loki or Mimir config with -config.expand-env=true, or a *_file path).";
}

/** No literal credentials in Helm values, ConfigMaps or container env: use Secrets and references. */
export function noPlaintextCredentials(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "no-plaintext-credentials",
    description:
      "Credentials never appear as literals in Helm values, ConfigMap data or container env; use Secret references, ${VAR} expansion or files.",
    enforcementLevel: level,
    validateResource: forTypes(CREDENTIAL_TYPES, (args, report) => {
      const r = toRes(args);
      const release = helmChartOf(r);
      const helm = helmOf(r);
      const fix = secretWayOf(release?.chart);
      // The engine unwraps secrets before policies see them, so a credential put into Helm values
      // as a Pulumi secret arrives here as its literal value and is caught by its key or shape.
      // Offline, a secret whose export holds only ciphertext arrives as the evaluator's stand-in,
      // which is itself the finding: a Pulumi secret written into values, data or env.
      // It is the one finding on those values: no other policy can read them (resources.ts helmOf).
      if (release?.valuesSecret) {
        report(
          `${label(r)}: the release's values are a Pulumi secret, so a credential was put into Helm values (they end up in the release Secret and in every \`helm get values\`); the pack cannot read them, so no other policy judged them. ${fix}`,
        );
      } else if (helm) {
        for (const p of plaintextFound(helm.values, "values"))
          reportCause(
            report,
            `${label(r)}: ${p.text} in Helm values (stored in the release Secret, shown by \`helm get values\`). ${fix}`,
            literalCause(args, p.value),
          );
      }
      if (r.type === "kubernetes:core/v1:ConfigMap") {
        const data = r.props.data;
        if (isPulumiSecret(data) || isPulumiSecret(r.props.binaryData)) {
          report(
            `${label(r)}: its data is a Pulumi secret, so a secret is stored in a ConfigMap (readable by anyone who can read the namespace, never encrypted at rest). Use a Secret.`,
          );
        }
        for (const [key, value] of Object.entries<any>(isPulumiSecret(data) ? {} : (data ?? {}))) {
          // Env-style ConfigMaps (loaded with envFrom) hold one credential per key.
          const why = credentialAt(key, value);
          if (why) {
            reportCause(
              report,
              `${label(r)}: data["${key}"] ${why} in a ConfigMap (readable by anyone who can read the namespace; envFrom hands it to containers as is). ${fix}`,
              literalCause(args, value),
            );
            continue;
          }
          if (typeof value !== "string" || !mayHoldCredential(value)) continue;
          for (const p of textFindings(value, `data["${key}"]`))
            reportCause(
              report,
              `${label(r)}: ${p.text} in a ConfigMap (readable by anyone who can read the namespace). ${fix}`,
              literalCause(args, p.value),
            );
        }
      }
      // Chart env lives in values, checked above; raw pod specs are checked container by container.
      for (const c of helm ? [] : workloadsOf(r).flatMap((w) => w.containers)) {
        for (const e of c.spec?.env ?? []) {
          if (isPulumiSecret(e?.value))
            report(
              `${label(r)}: ${c.path} env ${e.name} has a Pulumi secret as its value; pod specs are not secret (anyone who can read the workload reads it). ${fix}`,
            );
          else if (credentialEnvName(e?.name ?? "") && literal(e.value))
            reportCause(
              report,
              `${label(r)}: ${c.path} env ${e.name} has a literal value. ${fix}`,
              literalCause(args, e.value),
            );
          else if (urlWithUserInfo(e?.value))
            report(
              `${label(r)}: ${c.path} env ${e.name} is a URL with user info (credentials in the URL). ${fix}`,
            );
        }
        for (const a of [...(c.spec?.args ?? []), ...(c.spec?.command ?? [])]) {
          if (urlWithUserInfo(String(a).replace(/^-[\w.-]+=/, "")))
            report(`${label(r)}: ${c.path} passes a URL with user info on its command line. ${fix}`);
        }
      }
    }),
  };
}
