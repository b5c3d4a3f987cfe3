import { isIP } from "net";
import { base2Bytes, parseQuantity, samplesPerSecond } from "@homelab-observability/contract";
import { consumersOf, planBuckets, purposeBuckets, type PurposeBucket } from "./buckets";
import {
  ADOPTABLE_RELEASES,
  durationSeconds,
  BUCKET_NAME_RULE,
  parseRaw,
  PHASES,
  PROJECT,
  SECRET_KEYS,
  wantsText,
  type AdoptableRelease,
  type Raw,
  type SecretKey,
  type StackConfig,
} from "./schema";
import {
  ConfigError,
  didYouMean,
  formatIssue,
  mergeMisspeltRequired,
  namesKey,
  problemIsAt,
  rawConfigValues,
  type RefusedOverride,
} from "./errors";
import { plainSecretProblem } from "./plainSecret";
import { plainTextFact, undecryptableFact, type PlainSecret, type SecureProblem } from "./stackFile";
import { RELEASES } from "../model/names";
import { capabilities, gateCommand, LOG_AGENTS } from "../model/phases";
import {
  LOKI_TRANSITIONAL_MODE,
  lokiModeOf,
  lokiModeText,
  runsMonolithic,
  runsScalable,
  type LokiMode,
} from "../model/sizing";
import {
  operatorClaimTemplate,
  prometheusClaimSuffix,
  UNUSED_BUCKETS,
  UNUSED_PURPOSES,
  VMAGENT_QUEUE_VOLUME,
  type Consumer,
  type Purpose,
} from "../model/storage";
import { prometheusName } from "../model/services";
import { objectStoreReach } from "../model/endpoints";
import { byteSize, ONEPASSWORD_VAULT_FORM, ONEPASSWORD_VAULT_ID } from "./schema";
import {
  defaultSeriesCap,
  shareFits,
  shareSeriesCap,
  nodeDaemons,
  DEFAULT_VOLUMES,
  fitProblems,
  lokiIngestersZoned,
  lokiModeFor,
  monolithicMostAsWritten,
  mimirDiskBytes,
  openPools,
  planSizing,
  prometheusDiskBytes,
  prometheusRetentionSize,
  SCRAPE_INTERVAL_SECONDS,
  seconds,
  type FitsWith,
  type SizedEngine,
  vmClusterShape,
  vmDiskBytes,
  volumeQuantity,
} from "./sizing";
import { LOKI_SIZING } from "@homelab-observability/contract";
import {
  credentialNames,
  credentialReceivers,
  receiverCredentialProblems,
  receiversAsWritten,
  setAsideReceivers,
  type SetAsideReceiver,
} from "./receiverSecrets";
import { grafanaExposure, grafanaExposureProblems } from "./grafanaExposure";
import { bareSizeProblems, sameSettingProblems, type WorkedValue } from "./stackKeyPaths";
import { isMap, setSecretCommand, valueAt } from "./tree";
import { listed } from "../model/words";

export { base2Bytes, parseQuantity };
export * from "./schema";
export * from "./errors";

/**
 * Turns Pulumi's flat config map (`project:key` to string; structured values arrive as JSON) into
 * the input object of the schema. Keys of other namespaces (kubernetes:, onepassword:) are left to
 * their providers.
 */
export function rawFromPulumiConfig(all: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(all)) {
    const [ns, key] = fullKey.split(":", 2);
    if (ns !== PROJECT || key === undefined) continue;
    // Pulumi.yaml defaults these to "" (the CLI has no derived defaults): empty means "derive it".
    if (value === "" && DERIVED_KEYS.includes(key)) continue;
    // The CLI hands every scalar over as text (`cluster: 123` arrives as "123"): where the schema
    // wants text, text it stays, so a secret or a name that looks like a number is still valid.
    out[key] = wantsText(key) ? value : parseScalar(value);
  }
  return out;
}

/**
 * Keys whose default depends on other keys or on the environment (kubeconfig: $KUBECONFIG);
 * Pulumi.yaml declares them with `default: ""`.
 */
export const DERIVED_KEYS = ["cluster", "metricsBackend", "logAgent", "kubeconfig"];

function parseScalar(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** {@link parseStackConfig}'s options. */
interface ParseOptions {
  /** The offline synthesis lists absent secrets itself (and stands in placeholders). */
  allowAbsentSecrets?: boolean;
  /**
   * `parseRaw(raw)`, when the caller has already parsed this very `raw` (judge.ts): the schema
   * is the costliest step, and the same input parses alike.
   */
  parsed?: ReturnType<typeof parseRaw>;
  /** A key's `file:line` in the stack file, when it holds the key (config/locate.ts). */
  placeOf?: (key: string) => string | undefined;
  /**
   * The `secure:` values the Pulumi CLI cannot decrypt (config/stackFile.ts): a key nothing
   * reads says it in its own message (one mistake, one line: removing the key mends both).
   */
  unreadable?: SecureProblem[];
  /**
   * The secret keys' values written in plain text: a key nothing reads says it in its own
   * message too (removing the key mends both), never the value.
   */
  plainText?: PlainSecret[];
  /**
   * The key paths the file sets whose values the schema refused (judge.ts repairedRaw):
   * `defaulted` cut to their default, `setAside` maps removed for a required key they lack.
   */
  refused?: Refused;
  /** Where each `chartValues` override the rules refuse is added with its problem, when given. */
  overrides?: RefusedOverride[];
  /**
   * The config as the stack file wrote it, when `raw` is its repair (judge.ts repairedRaw): the
   * receivers the schema refused, cut from `raw`, are read from it, as `receiverCredentials`
   * entries kept under their names are told the name the receiver reads (receiverSecrets.ts).
   */
  asWritten?: Record<string, unknown>;
  /**
   * Filled with the problems a rule judged on a list as the file writes it, not on the items its
   * repair left (judge.ts keeps them where it drops the other problems naming such a list whole).
   */
  listsAsWritten?: string[];
}

/** The schema's parse of a stack's raw config, when it succeeded. */
type ParsedStack = Extract<ReturnType<typeof parseRaw>, { success: true }>["data"];

/** Validates a stack's raw config and fills every default; throws ConfigError listing all problems. */
export function parseStackConfig(
  raw: Record<string, unknown>,
  stack: string,
  env: Record<string, string | undefined> = process.env,
  opts: ParseOptions = {},
): StackConfig {
  const parsed = opts.parsed ?? parseRaw(raw);
  if (!parsed.success) {
    throw new ConfigError(
      mergeMisspeltRequired(
        parsed.error.issues.flatMap((i) => formatIssue(i, raw).split("\n")),
        rawConfigValues(raw),
      ),
    );
  }
  const r = parsed.data;
  const { cfg, sized } = resolvedConfig(r, raw, stack);
  const problems = ruleProblems(raw, cfg, r, sized, env, opts);
  if (problems.length > 0) throw new ConfigError(problems);
  return cfg;
}

/** The stack's config from its parsed keys, every default filled (the profile's picks decided once), before any rule. */
function resolvedConfig(
  r: ParsedStack,
  raw: Record<string, unknown>,
  stack: string,
): { cfg: StackConfig; sized: ReturnType<typeof sizedDefaults> } {
  const lightweight = r.profile === "lightweight";
  const cluster = r.cluster ?? stack;
  const os = r.objectStore;
  const objectStore =
    os.type === "filesystem"
      ? { ...os, bucketPrefix: cluster, insecure: false }
      : {
          ...os,
          bucketPrefix: os.bucketPrefix ?? cluster,
          insecure:
            os.type === "minio" || os.type === "garage"
              ? (os.insecure ?? os.endpoint.startsWith("http://"))
              : false,
        };
  // What the profile picks where the stack file does not: the sizes below count the node agents'
  // pods (sizedDefaults), so they are decided once, before them.
  const engines = {
    metricsBackend: r.metricsBackend ?? (lightweight ? "victoriametrics" : "mimir"),
    logAgent: r.logAgent ?? (lightweight ? "vector" : "alloy"),
    canary: r.loki.canary ?? !lightweight,
  } as const;
  const sized = sizedDefaults(r, engines);
  const cfg: StackConfig = {
    stack,
    cluster,
    kubeContext: r.kubeContext,
    kubeconfig: r.kubeconfig,
    namespace: r.namespace,
    production: r.production,
    phase: r.phase,
    profile: r.profile,
    metricsBackend: engines.metricsBackend,
    logAgent: engines.logAgent,
    objectStore,
    secrets: r.secrets,
    nodePools: r.nodePools.map((p) => ({ ...p, labels: p.labels ?? { "kubernetes.io/arch": p.arch } })),
    storageClasses: {
      default: r.storageClasses.default,
      metrics: r.storageClasses.metrics ?? r.storageClasses.default,
    },
    workload: { activeSeries: r.workload.activeSeries, logsPerDayBytes: sized.logsPerDayBytes },
    loki: {
      ...r.loki,
      mode: sized.lokiMode,
      replicas: sized.lokiReplicas,
      replicationFactor: sized.lokiReplicationFactor,
      volumeSize: sized.volumes.loki,
      canary: engines.canary,
      gateway: r.loki.gateway ?? !lightweight,
    },
    prometheus: {
      ...r.prometheus,
      volumeSize: sized.volumes.prometheus,
      retentionSize: sized.prometheusRetentionSize,
    },
    mimir: {
      ...r.mimir,
      maxGlobalSeriesPerUser: sized.seriesCap,
      ingestionRate: r.mimir.ingestionRate ?? mimirIngestionRateFor(sized.seriesCap),
      volumeSize: sized.volumes.mimir,
    },
    victoriametrics: { ...r.victoriametrics, volumeSize: sized.volumes.victoriametrics },
    alerting: r.alerting,
    existing: r.existing,
    nodeLogs: r.nodeLogs,
    network: r.network,
    // A namespace name is a DNS label (63 characters at most): a long stack namespace is shortened.
    agents: { namespace: r.agents.namespace ?? `${r.namespace.slice(0, 56)}-agents`, step: r.agents.step },
    grafana: {
      ...r.grafana,
      url:
        r.grafana.url ?? grafanaExposure(r.grafana)?.url ?? `http://${RELEASES.grafana}.${r.namespace}.svc`,
    },
    chartValues: r.chartValues,
    // The registries given a mirror, each with its prefix (an absent key is no mirror).
    imageMirrors: Object.fromEntries(
      Object.entries(r.imageMirrors).filter((e): e is [string, string] => e[1] !== undefined),
    ),
    // Pulumi.yaml declares `takeover: {}` as the default: an empty map means a fresh stack.
    takeover:
      r.takeover && Object.keys(raw.takeover ?? {}).length > 0
        ? { ...r.takeover, kpsFullname: r.takeover.kpsFullname ?? kpsFullnameOf(r.takeover) }
        : undefined,
    secretKeys: SECRET_KEYS.filter((k) => (r as Record<string, unknown>)[k] !== undefined),
    receiverCredentialNames: credentialNames(
      (r as Record<string, unknown>).receiverCredentials as string | undefined,
    ),
  };
  // A series cap the program chooses holds the pools' share beside every other pod (shareSeriesCap).
  if (r.mimir.maxGlobalSeriesPerUser === undefined && r.workload.activeSeries === undefined) {
    const cap = shareSeriesCap(cfg);
    if (cap < sized.seriesCap) {
      sized.seriesCap = cap;
      cfg.mimir = {
        ...cfg.mimir,
        maxGlobalSeriesPerUser: cap,
        ingestionRate: r.mimir.ingestionRate ?? mimirIngestionRateFor(cap),
      };
    }
  }
  return { cfg, sized };
}

/**
 * The problems of a parsed stack between its keys: keys nothing reads, one value set in two places,
 * and the rules across keys, each judged on the values as written (not a refused value's stand-in).
 */
function ruleProblems(
  raw: Record<string, unknown>,
  cfg: StackConfig,
  r: ParsedStack,
  sized: ReturnType<typeof sizedDefaults>,
  env: Record<string, string | undefined>,
  opts: ParseOptions,
): string[] {
  // A key nothing reads is its one message: a rule judging its value would judge a setting that
  // does nothing (mimir.replicas against the filesystem store while VictoriaMetrics runs).
  const unread = unreadKeys(raw, cfg, { unreadable: opts.unreadable ?? [], plainText: opts.plainText ?? [] });
  const refused = opts.refused ?? { defaulted: [], setAside: [] };
  const seen = judgedAsWritten(refused);
  // loki.mode left out takes its default, or the mode workload.logsPerDay picks (lokiDefaults;
  // not with the filesystem store, which keeps Monolithic).
  const worked = (key: string): WorkedValue | undefined =>
    key !== "loki.mode"
      ? undefined
      : {
          value: cfg.loki.mode,
          by:
            r.workload.logsPerDay !== undefined && cfg.objectStore.type !== "filesystem"
              ? "workload.logsPerDay"
              : undefined,
        };
  const twice = sameSettingProblems(
    raw,
    unread.flatMap((u) => u.keys),
    opts.placeOf,
    worked,
  ).filter((o) => seen(o.problem));
  const bare = bareSizeProblems(raw).filter((o) => seen(o.problem));
  twice.push(...bare);
  opts.overrides?.push(...twice);
  return [
    ...unread.map((u) => u.problem).filter(seen),
    ...twice.map((o) => o.problem),
    ...[
      ...crossChecks(cfg, env, opts.allowAbsentSecrets === true, raw, opts.placeOf, opts).filter(seen),
      ...userChoiceProblems(cfg, refused, seen, {
        unreadable: opts.unreadable ?? [],
        plainText: opts.plainText ?? [],
        aside: setAsideReceivers(opts.asWritten ?? raw, cfg.alerting.receivers),
        asWritten: opts.asWritten ?? raw,
        grafanaUrl: valueAt(opts.asWritten ?? raw, ["grafana", "url"]),
      }),
      ...workloadChecks(cfg, r, sized, (over) => fitsWith(raw, cfg.stack, over)).filter(seen),
    ].filter((p) => !unread.some((u) => u.keys.some((k) => problemIsAt(p, k)))),
  ];
}

/**
 * Secrets the stack needs that are neither set (`pulumi config set --secret`) nor in the
 * environment, each with the problem line naming the command that sets it.
 */
export function absentSecrets(
  c: StackConfig,
  env: Record<string, string | undefined> = process.env,
): { key: SecretKey; problem: string }[] {
  const k = (path: string) => `${PROJECT}:${path}`;
  const out: { key: SecretKey; problem: string }[] = [];
  if (c.secrets.backend === "config") {
    const needed: SecretKey[] = [];
    if (c.objectStore.type === "minio") needed.push("minioAdminUser", "minioAdminPassword");
    if (c.objectStore.type === "garage") needed.push("garageAdminToken");
    if (c.alerting.pushover) needed.push("pushoverToken", "pushoverUserKey");
    if (c.alerting.heartbeat) needed.push("heartbeatUrl");
    if (credentialReceivers(c.alerting.receivers).length > 0) needed.push("receiverCredentials");
    for (const key of needed) {
      if (!c.secretKeys.includes(key)) {
        out.push({
          key,
          problem:
            key === "receiverCredentials"
              ? `${k(key)}: required with secrets.backend "config" for alerting.receivers ${credentialReceivers(
                  c.alerting.receivers,
                )
                  .map((r) => `"${r.name}"`)
                  .join(", ")}; set each with ${credentialReceivers(c.alerting.receivers)
                  .map((r) => `\`${setSecretCommand(key, [r.name], PROJECT)}\``)
                  .join(", ")} (each prompts for its value)`
              : `${k(key)}: required with secrets.backend "config"; set it with \`${setSecretCommand(key, [], PROJECT)}\` (it prompts for the value)`,
        });
      }
    }
  }
  if (c.secrets.backend === "onepassword" && !c.secretKeys.includes("onepasswordToken")) {
    const envVar = c.secrets.connectUrl ? "OP_CONNECT_TOKEN" : "OP_SERVICE_ACCOUNT_TOKEN";
    if (!env[envVar]) {
      out.push({
        key: "onepasswordToken",
        problem: `${k("onepasswordToken")}: required with secrets.backend "onepassword" (a ${c.secrets.connectUrl ? "Connect token" : "service account token"}); set it with \`${setSecretCommand("onepasswordToken", [], PROJECT)}\` (it prompts for the value) or export ${envVar}`,
      });
    }
  }
  return out;
}

/**
 * 1Password variables of the other mode, which the provider reads anyway: `@1password/pulumi-onepassword`
 * 1.1.3 fills every argument the program leaves unset from OP_ACCOUNT, OP_SERVICE_ACCOUNT_TOKEN,
 * OP_CONNECT_TOKEN and OP_CONNECT_HOST (provider.js constructor), and terraform-provider-onepassword
 * v2.1.2 reads the same variables itself (internal/provider/provider.go Configure). Connect
 * credentials beside a service-account token or an account fail with "Config conflict", and so do a
 * service-account token and an account together. Named here first, values never printed.
 */
export const ONEPASSWORD_CONFLICTS = {
  connect: ["OP_SERVICE_ACCOUNT_TOKEN", "OP_ACCOUNT"],
  serviceAccount: ["OP_CONNECT_HOST", "OP_CONNECT_TOKEN", "OP_ACCOUNT"],
} as const;

function onePasswordEnvConflicts(c: StackConfig, env: Record<string, string | undefined>): string[] {
  if (c.secrets.backend !== "onepassword") return [];
  const connect = c.secrets.connectUrl !== undefined;
  const mode = connect
    ? "1Password Connect (secrets.connectUrl is set)"
    : "a 1Password service account (secrets.connectUrl is not set)";
  return ONEPASSWORD_CONFLICTS[connect ? "connect" : "serviceAccount"]
    .filter((v) => (env[v] ?? "") !== "")
    .map(
      (v) =>
        `${PROJECT}:secrets: expected no ${v} in the environment while the stack uses ${mode}, got it set; the 1Password provider reads it too and stops with "Config conflict". Run \`unset ${v}\` in this shell`,
    );
}

/**
 * `secrets.vault` is the vault's ID in both 1Password modes. Reading by title would take a name
 * too (Connect: connect-sdk-go v1.5.3 `getVaultUUID` looks any other text up as a vault title; a
 * service account: `op item get --vault` takes either), but the generated credentials the stack
 * writes back are `onepassword.Item` resources whose `vault` the provider sets to the vault's ID
 * after each create and read (terraform-provider-onepassword v2.1.2
 * internal/provider/onepassword_item_resource.go `itemToData`) and replaces the item when it
 * changes (`stringplanmodifier.RequiresReplace`): a name would differ from the ID it stores and
 * replace every such item on each update. Both the provider's schema and the data source say
 * "The UUID of the vault the item is in."
 */
function onePasswordVaultProblems(c: StackConfig): string[] {
  if (c.secrets.backend !== "onepassword" || ONEPASSWORD_VAULT_ID.test(c.secrets.vault)) return [];
  const v = c.secrets.vault;
  const head = `${PROJECT}:secrets.vault: expected ${ONEPASSWORD_VAULT_FORM}, got ${JSON.stringify(v)}`;
  // An ID copied wrong (a character lost or added, or capitalised) is no name: "a name would
  // replace them" left its writer looking for a name where one character was the slip. Only in
  // one case, as an ID is written: letters of both cases are a name's ("HomelabVault2026"), which
  // lowercased as an "ID with capitals" would pass here and still be a name.
  if (/^[A-Za-z0-9]{22,30}$/.test(v) && /\d/.test(v) && (v === v.toLowerCase() || v === v.toUpperCase()))
    return [
      v.length === 26
        ? `${head}, an ID with capitals: write it in lowercase, as \`op vault list\` prints it`
        : `${head}, an ID of ${v.length} characters, not 26: copy it again from \`op vault list\``,
    ];
  return [
    `${head}; the 1Password provider keeps the ID of the vault it writes the generated credentials to, so a name would replace them on every update. Set it to the ID of the vault that holds the items`,
  ];
}

/** Key paths whose values the schema refused (judge.ts repairedRaw), judged at a default or as absent. */
export interface Refused {
  /**
   * Values cut to their defaults (a map set aside among them), and top-level keys gone whole, in
   * the property-path grammar the problems name keys by (`["a.b"]` for one key of that name).
   */
  defaulted: string[];
  /** Maps set aside for a required key they lack: judged as absent. */
  setAside: string[];
}

/**
 * Whether a rule's problem judged what the file says: not one at a key whose value was refused
 * (it judged the default standing in; the refusal is that key's one message: a `network.nodes`
 * written as one text is "expected a list", not also "expected at least one CIDR ..., got none"),
 * nor one at another key that names a refused value inside a key as what it judged by (a refused
 * `takeover.releases.kubePrometheusStack` is not also a `takeover.prometheusVolume` of the wrong
 * Prometheus, judged from the default release name), nor one naming a map set aside (judged as
 * absent, which the file does not say: `grafana.ingress.tls` gone for a bad `secretName` is not
 * "no TLS"). A whole top-level key is matched only where the problem is at it: its bare name
 * (`cluster`, `loki`) is a word many messages use.
 */
function judgedAsWritten(refused: Refused): (problem: string) => boolean {
  const named = (p: string, k: string) => problemIsAt(p, k) || (/[.[]/.test(k) && namesKey(p, k));
  return (p) => !refused.defaulted.some((k) => named(p, k)) && !refused.setAside.some((m) => namesKey(p, m));
}

/**
 * The rules of the user's own choices: receivers' credentials (config backend), Grafana's way in.
 * Grafana's rules are told which of its keys were refused, so they judge none at a stand-in and
 * still count a refused way in as set, and grafana.url as written, so they judge the scheme
 * written, never one read in place of a refused one (grafanaExposure.ts): their problems all stand.
 */
function userChoiceProblems(
  c: StackConfig,
  refused: Refused,
  seen: (p: string) => boolean,
  slips: ValueSlips & { aside: SetAsideReceiver[]; grafanaUrl: unknown; asWritten: Record<string, unknown> },
): string[] {
  // Receivers at alerting's default (alerting cut whole, as when a receiver's `secure:` value
  // stops the CLI) are not the file's: judged against them, a credential of a receiver the file
  // has was "no receiver's", to remove. The credentials are judged against the file's receivers
  // instead (receiversAsWritten), the others of them set aside as the schema's refusals are.
  const receiversRead = ![...refused.defaulted, ...refused.setAside].some(
    (k) => k === "alerting" || k === "alerting.receivers",
  );
  const receivers = receiversRead ? c.alerting.receivers : receiversAsWritten(slips.asWritten);
  const aside = receiversRead ? slips.aside : setAsideReceivers(slips.asWritten, receivers);
  return [
    ...(c.secrets.backend === "config"
      ? receiverCredentialProblems(receivers, c.receiverCredentialNames, slips, aside).filter(seen)
      : []),
    ...grafanaExposureProblems(c, [...refused.defaulted, ...refused.setAside], slips.grafanaUrl),
  ];
}

/**
 * The keys the stack sets that its other settings leave unread, each with why and what to do: the
 * metrics backend not chosen (`mimir.*` while VictoriaMetrics runs, and the other way round), and
 * Loki's pod counts of the modes it does not run (`loki.replicas` sizes only the monolithic pods,
 * `loki.write`/`read`/`backend` only SimpleScalable's: builders/logging/lokiModes.ts
 * lokiTargetReplicas). Like an unknown key, a setting that silently does nothing is a mistake:
 * its writer believes the stack runs with it. `raw` tells what the stack file sets from what
 * defaults (Pulumi.yaml's are empty maps).
 */
function unreadKeys(
  raw: Record<string, unknown>,
  c: StackConfig,
  slips: ValueSlips,
): { keys: string[]; problem: string }[] {
  const out: { keys: string[]; problem: string }[] = [];
  const set = (section: string) => {
    const v = raw[section];
    return v !== null && typeof v === "object" && !Array.isArray(v)
      ? Object.entries(v).filter(([, x]) => x !== undefined)
      : [];
  };
  // With the onepassword backend every config secret is unread whatever its integration: that
  // one message stands for the alerting toggles' too (one cause per key).
  out.push(...idleBackendSecrets(raw, c, slips));
  if (c.secrets.backend === "config") {
    out.push(...idleAlertingSecrets(raw, c, slips));
    out.push(...idleReceiverItems(raw));
  }
  // One message per cause, at the key that holds what it makes unread: the backend's section.
  const other = c.metricsBackend === "mimir" ? "victoriametrics" : "mimir";
  const unused = set(other).map(([k]) => k);
  if (unused.length > 0) {
    const why = raw.metricsBackend === undefined ? `, the ${c.profile} profile's default` : "";
    const one = unused.length === 1;
    out.push({
      keys: [other],
      problem: `${PROJECT}:${other}: expected no ${other} key while metricsBackend is "${c.metricsBackend}"${why} (${other === "mimir" ? "Mimir" : "VictoriaMetrics"} does not run, so nothing reads ${one ? "it" : "them"}), got ${unused.map((k) => `${other}.${k}`).join(", ")}; remove ${one ? "it" : "them"}, or set metricsBackend "${other}"`,
    });
  }
  // Loki's pod counts of the modes it does not run: one message at the first, naming each.
  const mode = c.loki.mode;
  const given = new Map(set("loki"));
  const monolithic = !runsMonolithic(mode) && given.has("replicas") ? ["replicas"] : [];
  const scalable = runsScalable(mode) ? [] : ["write", "read", "backend"].filter((k) => given.has(k));
  const idle = [...monolithic, ...scalable].map((k) => `loki.${k}`);
  if (idle.length > 0) {
    const why = [
      ...(monolithic.length > 0
        ? [
            `loki.replicas sizes the monolithic pods, which only "Monolithic", "SingleBinary" and "${LOKI_TRANSITIONAL_MODE}" run`,
          ]
        : []),
      ...(scalable.length > 0
        ? [
            `${scalable.map((k) => `loki.${k}`).join(", ")} size${scalable.length === 1 ? "s" : ""} SimpleScalable's pods, which only "SimpleScalable" and "${LOKI_TRANSITIONAL_MODE}" run`,
          ]
        : []),
    ];
    const modeWhy = given.has("mode") ? "" : ", its default here";
    const one = idle.length === 1;
    out.push({
      keys: idle,
      problem: `${PROJECT}:${idle[0]}: expected no ${idle.join(" or ")} in loki.mode ${lokiModeText(mode, given.get("mode"), true)}${modeWhy} (${why.join("; ")}), got ${idle.map((k) => `${k}: ${JSON.stringify(given.get(k.slice("loki.".length)))}`).join(", ")}; remove ${one ? "it" : "them"}, or set the loki.mode ${one ? "it is" : "they are"} for`,
    });
  }
  return out;
}

/**
 * The secrets of an alerting integration that is off: the heartbeat's URL with `alerting.heartbeat`
 * false, Pushover's token and user key with `alerting.pushover` false. Nothing reads them
 * (config/resolve.ts absentSecrets asks for them only with the integration on; the Secrets
 * component projects them only when needed), so the stack would run without the notifications its
 * writer set them up for. One message per integration, at the first key set, with what to do.
 */
const ALERTING_SECRETS = [
  { toggle: "heartbeat", keys: ["heartbeatUrl"], what: "the heartbeat" },
  { toggle: "pushover", keys: ["pushoverToken", "pushoverUserKey"], what: "Pushover" },
] as const;

/**
 * A receiver's `item` under the config backend: only the onepassword backend reads an item
 * (plan/alertingReceivers.ts); the config backend reads the credential from
 * `receiverCredentials.<name>` (config/receiverSecrets.ts), so the item names nothing the stack uses.
 */
function idleReceiverItems(raw: Record<string, unknown>): { keys: string[]; problem: string }[] {
  const receivers = (raw.alerting as { receivers?: unknown } | undefined)?.receivers;
  if (!Array.isArray(receivers)) return [];
  return receivers.flatMap((r: unknown, i) => {
    const { name, item } = (r !== null && typeof r === "object" ? r : {}) as {
      name?: unknown;
      item?: unknown;
    };
    if (item === undefined) return [];
    const key = `alerting.receivers[${i}].item`;
    return [
      {
        keys: [key],
        problem: `${PROJECT}:${key}: expected no item while secrets.backend is "config" (that backend reads the credential of receiver "${String(name)}" from receiverCredentials.${String(name)}; only the onepassword backend reads an item), got ${JSON.stringify(item)}; remove it, or set secrets.backend "onepassword"`,
      },
    ];
  });
}

function idleAlertingSecrets(
  raw: Record<string, unknown>,
  c: StackConfig,
  slips: ValueSlips,
): { keys: string[]; problem: string }[] {
  return ALERTING_SECRETS.flatMap(({ toggle, keys, what }) => {
    const given: string[] = keys.filter((k) => raw[k] !== undefined);
    if (c.alerting[toggle] || given.length === 0) return [];
    return [
      idleSecrets(given, slips, {
        when: `while alerting.${toggle} is false`,
        why: `${what} is off`,
        instead: `set alerting.${toggle} true`,
      }),
    ];
  });
}

/**
 * The config secrets that only one secrets backend or object store reads (model/secrets.ts):
 * components/secrets/secrets.ts reads a config secret (`source.require`/`get`) only with
 * `secrets.backend` "config" (with "onepassword" each human-owned secret is a field of a
 * 1Password item, secrets.items, and each receiver's credential its item's), MinIO's admin login
 * only for the minio store and Garage's admin token only for garage (plan/foundation.ts `needs`);
 * the 1Password token is read only with the onepassword backend (config/load.ts
 * pulumiSecretSource `onepasswordToken`). Another backend or store leaves them unread: the stack
 * runs without what their writer set them up for (or with secrets kept where nothing rotates
 * them). One message per cause, at the first key set.
 */
const STORE_SECRETS = [
  { store: "minio", keys: ["minioAdminUser", "minioAdminPassword"], what: "MinIO's admin login" },
  { store: "garage", keys: ["garageAdminToken"], what: "Garage's admin token" },
] as const;

function idleBackendSecrets(
  raw: Record<string, unknown>,
  c: StackConfig,
  slips: ValueSlips,
): { keys: string[]; problem: string }[] {
  const given = (keys: readonly string[]) => keys.filter((k) => raw[k] !== undefined);
  const backendWhy = raw.secrets === undefined ? ", the default" : "";
  if (c.secrets.backend === "onepassword") {
    const idle = given(SECRET_KEYS.filter((k) => k !== "onepasswordToken"));
    if (idle.length === 0) return [];
    return [
      idleSecrets(idle, slips, {
        when: `while secrets.backend is "onepassword"`,
        why: "the stack reads its secrets from the 1Password items of secrets.items and alerting.receivers[].item, not from config secrets",
        instead: `set secrets.backend "config"`,
      }),
    ];
  }
  const type = c.objectStore.type;
  const out = STORE_SECRETS.filter(({ store }) => store !== type).flatMap(({ store, keys, what }) => {
    const idle = given(keys);
    if (idle.length === 0) return [];
    return [
      idleSecrets(idle, slips, {
        when: `while objectStore.type is "${type}"`,
        why: `only the ${store} store reads ${what}`,
        instead: `set objectStore.type "${store}"`,
      }),
    ];
  });
  if (raw.onepasswordToken !== undefined)
    out.push(
      idleSecrets(["onepasswordToken"], slips, {
        when: `while secrets.backend is "config"${backendWhy}`,
        why: "only the onepassword backend reads the 1Password token",
        instead: `set secrets.backend "onepassword" with its vault`,
      }),
    );
  return out;
}

/**
 * What is wrong with the secret values themselves, each said in the message of a key nothing reads
 * instead of its own: the `secure:` values the CLI cannot decrypt and the values in plain text.
 */
interface ValueSlips {
  unreadable: SecureProblem[];
  plainText: PlainSecret[];
}

/**
 * One message for config secrets nothing reads: why, and what to do. A `secure:` value among them
 * the CLI cannot decrypt, or a value in plain text, is said here too (removing the key mends both;
 * the other way out sets it again, as a secret), not in a second message.
 */
function idleSecrets(
  given: string[],
  slips: ValueSlips,
  cause: { when: string; why: string; instead: string },
): { keys: string[]; problem: string } {
  const one = given.length === 1;
  const them = one ? "it" : "them";
  const named = listed(given, "or");
  const ours = (p: { key: string }) => given.includes(p.key.slice(p.key.indexOf(":") + 1));
  const broken = [...slips.unreadable.filter(ours), ...slips.plainText.filter(ours)];
  const fact = (p: SecureProblem | PlainSecret) => ("problem" in p ? undecryptableFact(p) : plainTextFact(p));
  const facts = broken.length > 0 ? ` (${broken.map(fact).join("; ")})` : "";
  const again = broken.map((p) => {
    const name = p.key.slice(p.key.indexOf(":") + 1);
    return `\`${setSecretCommand(name, p.path, PROJECT)}\``;
  });
  // A value in plain text is set again encrypted: said, as the command's `--secret` is easy to miss.
  const asSecret = slips.plainText.some(ours) ? " as a secret" : "";
  const setAgain =
    again.length > 0
      ? ` and set the value${again.length > 1 ? "s" : ""} again${asSecret} with ${again.join(" and ")}`
      : "";
  return {
    keys: given,
    problem: `${PROJECT}:${given[0]}: expected no ${named} ${cause.when} (${cause.why}, so nothing reads ${them}), got ${them} set${facts}; remove ${them} with ${given.map((k) => `\`pulumi config rm ${k}\``).join(" and ")}, or ${cause.instead}${setAgain}`,
  };
}

/** `prometheus.keepVolume` and `prometheus.cleanupVolumeOnRemoval` contradict each other. */
function prometheusVolumeProblems(c: StackConfig): string[] {
  return c.prometheus.keepVolume && c.prometheus.cleanupVolumeOnRemoval
    ? [
        `${PROJECT}:prometheus.keepVolume: expected false while prometheus.cleanupVolumeOnRemoval is true (one keeps the Prometheus claim after KPS, the other deletes it), got true`,
      ]
    : [];
}

/**
 * Bucket names are the prefix plus a per-consumer suffix; S3 and MinIO refuse what breaks the
 * bucket naming rules (AWS S3 "General purpose bucket naming rules"; minio-go
 * pkg/s3utils CheckValidBucketNameStrict). Checked for every bucket any phase creates; the first
 * bucket the prefix breaks is named.
 */
function bucketPrefixProblems(c: StackConfig): string[] {
  if (c.objectStore.type === "filesystem") return [];
  const prefixKey =
    c.objectStore.bucketPrefix === c.cluster
      ? "cluster (the default bucketPrefix)"
      : "objectStore.bucketPrefix";
  const lastPhase = { ...c, phase: PHASES[PHASES.length - 1] };
  for (const name of planBuckets(lastPhase).consumers.flatMap((x) => [...x.buckets, ...x.unused])) {
    const problem =
      s3BucketNameProblem(name) ??
      (c.objectStore.type === "garage" ? garageBucketNameProblem(name) : undefined);
    if (problem)
      return [
        `${PROJECT}:${prefixKey}: expected a prefix that keeps every bucket name valid (3-63 lowercase letters, digits, '-' or '.'), got "${c.objectStore.bucketPrefix}", which makes bucket "${name}" ${problem}`,
      ];
  }
  return [];
}

/**
 * `mimir.previousTenants` and `loki.previousTenants`: tenants read beside the one written. Each
 * engine reads the header only with multitenancy on (grafana/mimir mimir-3.0.0
 * pkg/util/noauth/no_auth.go: off, every request gets no_auth_tenant; grafana/loki v3.7.6
 * pkg/util/fakeauth/fake_auth.go: off, every request gets "fake"), and federation normalizes the
 * header's IDs, sorted and each once (grafana/dskit tenant.NormalizeTenantIDs, vendored by both), so
 * a repeat or the written tenant itself is a mistake, not a second read.
 */
function previousTenantProblems(
  c: StackConfig,
  raw: Record<string, unknown>,
  written: Pick<ParseOptions, "asWritten" | "listsAsWritten">,
): string[] {
  const p: string[] = [];
  const engines = [
    {
      name: "mimir",
      on: c.mimir.multitenancy,
      switchKey: "mimir.multitenancy",
      tenant: c.mimir.tenant,
      list: c.mimir.previousTenants,
    },
    {
      name: "loki",
      on: c.loki.authEnabled,
      switchKey: "loki.authEnabled",
      tenant: c.loki.tenant,
      list: c.loki.previousTenants,
    },
  ];
  for (const e of engines) {
    const key = `${PROJECT}:${e.name}.previousTenants`;
    // Any tenant is one too many with the switch off, a refused one too: judged on the list the
    // file writes where its repair kept the key (an item set aside for a bad ID hid this one run).
    const given = written.asWritten && valueAt(written.asWritten, [e.name, "previousTenants"]);
    const asWritten = Array.isArray(given) && Array.isArray(valueAt(raw, [e.name, "previousTenants"]));
    const list: unknown[] = asWritten ? (given as unknown[]) : e.list;
    if (list.length > 0 && !e.on) {
      const problem = `${key}: expected [] while ${e.switchKey} is false (with it off the engine answers every read from its own tenant and ignores X-Scope-OrgID, so no other tenant can be read), got ${JSON.stringify(list)}`;
      p.push(problem);
      if (asWritten) written.listsAsWritten?.push(problem);
      continue;
    }
    e.list.forEach((id, i) => {
      if (id === e.tenant)
        p.push(
          `${key}[${i}]: expected a tenant other than ${e.name}.tenant, which is written and read already, got "${id}"`,
        );
      else if (e.list.indexOf(id) !== i)
        p.push(
          `${key}[${i}]: expected each tenant once, got "${id}" again (${e.name}.previousTenants[${e.list.indexOf(id)}])`,
        );
      else if (e.name === "mimir" && id === "__mimir_cluster")
        p.push(`${key}[${i}]: expected a tenant other than Mimir's internal "__mimir_cluster", got "${id}"`);
    });
  }
  return p;
}

/** Rules that span several keys; each message names the key to change. */
function crossChecks(
  c: StackConfig,
  env: Record<string, string | undefined>,
  allowAbsentSecrets: boolean,
  raw: Record<string, unknown>,
  placeOf?: (key: string) => string | undefined,
  written: Pick<ParseOptions, "asWritten" | "listsAsWritten"> = {},
): string[] {
  const p: string[] = [];
  const k = (path: string) => `${PROJECT}:${path}`;
  const l = c.loki;
  const retention = durationSeconds(l.retention)!;
  // Loki's documented minimum (docs/sources/operations/storage/retention.md:117 at v3.7.6). No whole
  // days: the compactor compares each chunk's age with the period itself
  // (pkg/compactor/retention/expiration.go:64), and Loki loads "36h" or "1d12h" (a model.Duration).
  if (retention < 86400) {
    p.push(
      `${k("loki.retention")}: expected at least 24h (retention runs on the 24h index), got "${l.retention}"`,
    );
  }
  p.push(...lokiModeProblems(c));
  p.push(...prometheusVolumeProblems(c));
  if (c.objectStore.type === "filesystem") {
    if (l.mode !== "Monolithic") {
      p.push(
        `${k("loki.mode")}: expected "Monolithic" with the filesystem object store (the other modes share chunks through object storage), got "${l.mode}"`,
      );
    }
    if (l.replicas > 1) {
      p.push(
        `${k("loki.replicas")}: expected 1 with the filesystem object store (a local volume cannot be shared), got ${l.replicas}`,
      );
    }
    if (c.mimir.replicas > 1) {
      p.push(`${k("mimir.replicas")}: expected 1 with the filesystem object store, got ${c.mimir.replicas}`);
    }
  }
  // Enforced egress admits the API server, the nodes and an object store outside the cluster's
  // Services only at the configured addresses: without them it would cut the stack off.
  if (c.network.egress === "enforced") {
    const enforcedNeeds = (key: string, why: string) =>
      p.push(`${k(key)}: expected at least one CIDR with network.egress "enforced" (${why}), got none`);
    if (c.network.apiServer.cidrs.length === 0)
      enforcedNeeds(
        "network.apiServer.cidrs",
        "the operators, Alloy, Grafana's sidecar and the scrapers call the API",
      );
    if (c.network.nodes.length === 0)
      enforcedNeeds(
        "network.nodes",
        "the scrapers reach node-exporter and the kubelet in the nodes' network",
      );
    const store = objectStoreReach(c.objectStore, c.network.objectStore.cidrs);
    if (store?.in === "addresses" && store.cidrs.length === 0)
      enforcedNeeds(
        "network.objectStore.cidrs",
        "the object store is not a Service of the cluster and NetworkPolicy names no hostnames",
      );
  }
  if (!allowAbsentSecrets) p.push(...absentSecrets(c, env).map((a) => a.problem));
  p.push(...onePasswordEnvConflicts(c, env));
  p.push(...onePasswordVaultProblems(c));
  // Mimir keeps its own data under the tenant "__mimir_cluster" (Mimir docs, configure/about-tenant-ids).
  if (c.mimir.tenant === "__mimir_cluster") {
    p.push(
      `${k("mimir.tenant")}: expected a tenant ID other than Mimir's internal "__mimir_cluster", got "${c.mimir.tenant}"`,
    );
  }
  p.push(...previousTenantProblems(c, raw, written));
  // VictoriaMetrics refuses -retentionPeriod below a day (app/vmstorage/main.go: "-retentionPeriod
  // cannot be smaller than a day") and a lower-case "m" suffix (lib/flagutil/duration.go
  // RetentionDuration.Set: months need "M", minutes are not allowed).
  const vmRetention = c.victoriametrics.retention;
  if (durationSeconds(vmRetention)! < 86400 || /\dm$/.test(vmRetention)) {
    p.push(
      `${k("victoriametrics.retention")}: expected a duration of at least 1d in h|d|w|y (vmstorage refuses a -retentionPeriod below 24h and the "m" suffix), got "${vmRetention}"`,
    );
  }
  // Prometheus reads --storage.tsdb.retention.size with units.ParseBase2Bytes (KB and KiB are both
  // 1024 bytes); a budget above the volume is never reached and the disk fills first.
  const retentionBytes = base2Bytes(c.prometheus.retentionSize);
  const volumeBytes = parseQuantity(c.prometheus.volumeSize) ?? 0;
  if (retentionBytes !== undefined && retentionBytes > volumeBytes) {
    p.push(
      `${k("prometheus.retentionSize")}: expected at most the volume it lives on (prometheus.volumeSize "${c.prometheus.volumeSize}"), got "${c.prometheus.retentionSize}"`,
    );
  }
  // vmagent's queue volume is fixed (model/storage.ts), and -remoteWrite.maxDiskUsagePerURL is the
  // buffer: a larger buffer fills the volume before its limit bounds it.
  if ((parseQuantity(c.victoriametrics.bufferSize) ?? 0) > (parseQuantity(VMAGENT_QUEUE_VOLUME) ?? 0))
    p.push(
      `${k("victoriametrics.bufferSize")}: expected at most "${VMAGENT_QUEUE_VOLUME}", the size of vmagent's queue volume, which holds the buffer (vmagent's remoteWrite.maxDiskUsagePerURL is set from it, so a larger buffer would fill the volume before reaching its limit), got "${c.victoriametrics.bufferSize}"`,
    );
  p.push(...bucketPrefixProblems(c));
  p.push(...garageNameChecks(c));
  p.push(...garageSharedKey(c));
  p.push(...existingBucketChecks(c, raw, placeOf));
  p.push(...takeoverChecks(c, raw, placeOf));
  if (c.agents.namespace === c.namespace)
    p.push(
      `${k("agents.namespace")}: expected a namespace other than the stack's "${c.namespace}" (the agents need Pod Security privileged, the rest runs at baseline; agents.step stay keeps them in the stack's), got "${c.agents.namespace}"`,
    );
  p.push(...ITEM_RULES.flatMap((r) => r.problems(c[r.list].map((item) => item[r.key]))));
  return p;
}

/**
 * The pools' names given twice: the first pool of each name, so the second names where the first
 * is (one mistake, both places). `names` by the list's index; undefined for one not to judge.
 */
function poolNameProblems(names: readonly (string | undefined)[]): string[] {
  const first = new Map<string, number>();
  return names.flatMap((name, i) => {
    if (name === undefined) return [];
    const at = first.get(name);
    if (at === undefined) first.set(name, i);
    return at === undefined
      ? []
      : [
          `${PROJECT}:nodePools[${i}].name: expected a unique pool name, got duplicate "${name}" (nodePools[${at}].name has it)`,
        ];
  });
}

/**
 * The rules between the items of a top-level list that read one key of each item and nothing else.
 * They run over the items the repair left (crossChecks), and over the file's items too, each one's
 * key taken where its own value is valid (config/judge.ts itemRuleProblems): an item set aside for
 * another value (a `memory: 16GB`) still has a name, and a second pool of that name was told only
 * once the memory was mended.
 */
export const ITEM_RULES: readonly {
  list: "nodePools";
  key: "name";
  problems: (values: readonly (string | undefined)[]) => string[];
}[] = [{ list: "nodePools", key: "name", problems: poolNameProblems }];

/** Nodes a pod without tolerations can land on (pools without NoSchedule/NoExecute taints). */
export function openNodeCount(pools: Raw["nodePools"]): number {
  return openPools(pools).reduce((n, p) => n + p.count, 0);
}

/** Replicas and replication factor of highly available Loki: three copies on three pods. */
export const LOKI_HA = 3;

/**
 * Loki's mode, replicas and replication factor as the stack sets them, else their defaults:
 * Monolithic (Distributed past what it holds, config/sizing.ts lokiModeFor), with 3 replicas and
 * replication factor 3 where the nodes allow it (object storage, and 3 nodes for the chart's hard
 * node anti-affinity: loki 18.11.0 values.yaml singleBinary.affinity "Hard node anti-affinity"; not
 * in the lightweight profile, whose Pis keep one), else 1 and 1. SimpleScalable keeps the factor it always had by default (1), so a running stack
 * that never set it keeps its ring.
 */
export function lokiDefaults(
  r: Pick<Raw, "loki" | "objectStore" | "nodePools" | "profile">,
  logsPerDayBytes: number | undefined,
): { mode: LokiMode; replicas: number; replicationFactor: number } {
  const filesystem = r.objectStore.type === "filesystem";
  // Distributed needs object storage: with the filesystem store the mode stays and the workload is
  // refused (workloadChecks) instead of a confusing loki.mode message.
  const mode = r.loki.mode
    ? lokiModeOf(r.loki.mode)
    : filesystem
      ? "Monolithic"
      : lokiModeFor(logsPerDayBytes);
  // The lightweight profile (Raspberry Pis) keeps one: its stack is sized to 3 GiB of requests.
  const ha = !filesystem && r.profile !== "lightweight" && openNodeCount(r.nodePools) >= LOKI_HA;
  const replicas = r.loki.replicas ?? (ha ? LOKI_HA : 1);
  const replicationFactor =
    r.loki.replicationFactor ??
    (mode === "Distributed" || (runsMonolithic(mode) && replicas >= LOKI_HA) ? LOKI_HA : 1);
  return { mode, replicas, replicationFactor };
}

/**
 * What the chart or Loki would refuse in the stack's Loki mode, or what loses data, each naming
 * the keys: a replication factor above the pods that hold the copies, more monolithic pods than
 * nodes (hard node anti-affinity), write pods outside SimpleScalable. Distributed on nodes its
 * ingesters cannot spread over is a workload check (workloadChecks): it refuses Loki, whose pods
 * are then not judged against the pools again.
 */
export function lokiModeProblems(c: StackConfig): string[] {
  const p: string[] = [];
  const k = (path: string) => `${PROJECT}:${path}`;
  const l = c.loki;
  const nodes = openNodeCount(c.nodePools);
  if (runsMonolithic(l.mode) && l.replicationFactor > l.replicas)
    p.push(
      `${k("loki.replicationFactor")}: expected at most loki.replicas (${l.replicas}) in ${l.mode} mode (each of the ${l.replicationFactor} copies of a stream needs its own monolithic pod${l.mode === LOKI_TRANSITIONAL_MODE ? ", and the write pods leave" : ""}), got ${l.replicationFactor}; set loki.replicas to at least ${l.replicationFactor} or lower loki.replicationFactor`,
    );
  if (l.mode === "SimpleScalable" && l.replicationFactor > l.write)
    p.push(
      `${k("loki.replicationFactor")}: expected at most loki.write (${l.write}) replicas, got ${l.replicationFactor}`,
    );
  if (l.mode !== LOKI_TRANSITIONAL_MODE && runsScalable(l.mode) && l.write < 1)
    p.push(
      `${k("loki.write")}: expected at least 1 in SimpleScalable mode (0 write pods only while moving off it, in "${LOKI_TRANSITIONAL_MODE}"), got 0`,
    );
  // No open node at all is the pack's resource-budget's, which reads the pods' tolerations.
  if (
    runsMonolithic(l.mode) &&
    l.replicas > 1 &&
    l.replicas > nodes &&
    nodes > 0 &&
    c.objectStore.type !== "filesystem"
  )
    p.push(
      `${k("loki.replicas")}: expected at most ${nodes}, the nodes of nodePools without NoSchedule or NoExecute taints (the chart keeps monolithic pods on distinct nodes: loki 18.11.0 singleBinary.affinity, hard node anti-affinity), got ${l.replicas}`,
    );
  return p;
}

/**
 * What works today but should change, said on every preview and synthesis (apply/program.ts logs
 * them): SimpleScalable, deprecated upstream (loki chart 18.11.0 values.yaml `deploymentMode`:
 * "SimpleScalable (deprecated, removed in Loki 4)"; grafana/loki v3.7.6
 * docs/sources/get-started/deployment-modes.md: "You will not be able to run Loki 4.0 in SSD mode").
 *
 * The gate it names is `stack`'s (verify requires --stack); `dir` is the project folder when it is
 * not this checkout.
 */
export function configWarnings(c: StackConfig, stack: string, dir?: string): string[] {
  if (c.loki.mode !== "SimpleScalable") return [];
  return [
    `${PROJECT}:loki.mode: "SimpleScalable" is deprecated and goes away before Loki 4.0. A running stack moves off it one update at a time: "${LOKI_TRANSITIONAL_MODE}" with loki.replicas monolithic pods beside the write pods, loki.write down by one per update, then "Monolithic" (docs/how-to/loki-off-simple-scalable.md; ${gateCommand(stack, "loki-join", dir)} says when the first step is safe, and the how-to names each later step's gate). A new stack takes "Monolithic" (the default) or "Distributed".`,
  ];
}

interface SizedDefaults {
  logsPerDayBytes?: number;
  lokiMode: LokiMode;
  lokiReplicas: number;
  lokiReplicationFactor: number;
  seriesCap: number;
  /** Volume sizes: the stack's own, else the default, else (declared workload) the need when larger. */
  volumes: Record<keyof typeof DEFAULT_VOLUMES, string>;
  /** What the declared workload needs per volume, bytes (absent: nothing declared for it). */
  needs: Partial<Record<keyof typeof DEFAULT_VOLUMES, number>>;
  /** The stack's own prometheus.retentionSize, else 85% of the Prometheus volume (its own or derived). */
  prometheusRetentionSize: string;
}

/**
 * Defaults that follow the declared workload (config/sizing.ts has the rules). Without a declared
 * workload every default is what it always was, so a running stack's StatefulSets keep their
 * volumeClaimTemplates (the API server refuses a changed one).
 */
function sizedDefaults(
  r: Raw,
  engines: Pick<StackConfig, "metricsBackend" | "logAgent"> & { canary: boolean },
): SizedDefaults {
  const logs = r.workload.logsPerDay === undefined ? undefined : byteSize(r.workload.logsPerDay);
  const series = r.workload.activeSeries;
  const filesystem = r.objectStore.type === "filesystem";
  const loki = lokiDefaults(r, logs);
  const seriesCap =
    r.mimir.maxGlobalSeriesPerUser ??
    series ??
    defaultSeriesCap(
      r.nodePools,
      r.mimir.replicas,
      nodeDaemons({ ...r, ...engines, loki: { canary: engines.canary } }),
    );
  const needs: SizedDefaults["needs"] = {};
  // With the filesystem store Loki's volume holds every chunk: retention x a day's logs (taken
  // uncompressed, the upper bound). With object storage it holds the WAL only.
  if (logs !== undefined && filesystem) needs.loki = (seconds(r.loki.retention) / 86400) * logs;
  if (series !== undefined) {
    needs.prometheus = prometheusDiskBytes(series, seconds(r.prometheus.retention));
    needs.mimir = mimirDiskBytes(seriesCap, r.mimir.replicas, seconds(r.mimir.blocksRetention));
    needs.victoriametrics = vmDiskBytes(
      series,
      seconds(r.victoriametrics.scrapeInterval),
      seconds(r.victoriametrics.retention),
    );
  }
  const volume = (key: keyof typeof DEFAULT_VOLUMES, own: string | undefined): string => {
    if (own !== undefined) return own;
    const need = needs[key];
    const fallback = DEFAULT_VOLUMES[key];
    return need !== undefined && need > (parseQuantity(fallback) ?? 0) ? volumeQuantity(need) : fallback;
  };
  const prometheusVolume = volume("prometheus", r.prometheus.volumeSize);
  return {
    logsPerDayBytes: logs,
    lokiMode: loki.mode,
    lokiReplicas: loki.replicas,
    lokiReplicationFactor: loki.replicationFactor,
    seriesCap,
    needs,
    volumes: {
      loki: volume("loki", r.loki.volumeSize),
      prometheus: prometheusVolume,
      mimir: volume("mimir", r.mimir.volumeSize),
      victoriametrics: volume("victoriametrics", r.victoriametrics.volumeSize),
    },
    // A set value is kept even above 85% (the budget says so; refusing would block a running
    // stack); only one above the volume is refused (configProblems).
    prometheusRetentionSize:
      r.prometheus.retentionSize ?? prometheusRetentionSize(parseQuantity(prometheusVolume) ?? 0),
  };
}

/** Mimir's default `limits.ingestion_rate` (samples a second) when the stack sets none. */
export const MIMIR_DEFAULT_INGESTION_RATE = 100_000;

/**
 * The samples a second `series` send when scraped every SCRAPE_INTERVAL_SECONDS, whole: what
 * Mimir's per-tenant `limits.ingestion_rate` (upstream/engines/data/mimir-3.0) must take, or its
 * distributor rate-limits the rest (HTTP 429; the writer drops or retries them). Mimir's behaviour
 * here is read in its documentation, not in its 3.0 source, and not run.
 */
export function mimirSamplesPerSecond(series: number): number {
  return Math.ceil(samplesPerSecond(series, SCRAPE_INTERVAL_SECONDS));
}

/** The ingestion rate a stack gets when it sets none: the default, or what the series cap sends when more. */
export function mimirIngestionRateFor(seriesCap: number): number {
  return Math.max(MIMIR_DEFAULT_INGESTION_RATE, mimirSamplesPerSecond(seriesCap));
}

/**
 * Whether the stack with `over` written over its keys passes the workload checks (the fit of its
 * pods on the pools among them): what a way out a fit line offers must do (config/sizing.ts
 * floorWays). A map in `over` is written over the stack's map of that key, key by key (`{ mimir:
 * { maxGlobalSeriesPerUser } }` keeps the stack's other mimir keys). Its own lines offer nothing
 * further (no `fitsWith` below), so this runs once per offer.
 */
function fitsWith(raw: Record<string, unknown>, stack: string, over: Record<string, unknown>): boolean {
  const changed = { ...raw };
  for (const [key, v] of Object.entries(over)) {
    const was = changed[key];
    changed[key] = isMap(v) && isMap(was) ? { ...was, ...v } : v;
  }
  const parsed = parseRaw(changed);
  if (!parsed.success) return false;
  const { cfg, sized } = resolvedConfig(parsed.data, changed, stack);
  // And the pools' share of every pod, which the pack's budget judges though nothing here is sized.
  return workloadChecks(cfg, parsed.data, sized).length === 0 && shareFits(cfg);
}

/**
 * The declared workload against what the stack sets and what its node pools hold; `fits` tells
 * whether a way out a fit line would offer passes them (fitsWith).
 */
function workloadChecks(c: StackConfig, r: Raw, sized: SizedDefaults, fits?: FitsWith): string[] {
  const p: string[] = [];
  const k = (path: string) => `${PROJECT}:${path}`;
  // Engines refused here are left out of the fit below: a Loki sized for its logs in the wrong mode
  // would only be refused again in other words (one message per mistake); the others are judged.
  const refused = new Set<SizedEngine>();
  // A Loki its mode's own rules refuse (lokiModeProblems: more monolithic pods than nodes, say) is
  // left out too: the share counts its pods, and would say that mistake again in figures.
  if (lokiModeProblems(c).length > 0) refused.add("loki");
  const series = c.workload.activeSeries;
  const logs = c.workload.logsPerDayBytes;
  if (
    series !== undefined &&
    r.mimir.maxGlobalSeriesPerUser !== undefined &&
    r.mimir.maxGlobalSeriesPerUser < series
  ) {
    p.push(
      `${k("mimir.maxGlobalSeriesPerUser")}: expected at least workload.activeSeries (${series}), or Mimir refuses series the stack declares; got ${r.mimir.maxGlobalSeriesPerUser}`,
    );
    refused.add("mimir");
  }
  if (
    series !== undefined &&
    r.mimir.ingestionRate !== undefined &&
    r.mimir.ingestionRate < mimirSamplesPerSecond(series)
  ) {
    p.push(
      `${k("mimir.ingestionRate")}: expected at least ${mimirSamplesPerSecond(series)} samples a second (workload.activeSeries ${series} scraped every ${SCRAPE_INTERVAL_SECONDS}s), or Mimir's distributor refuses the samples beyond it; got ${r.mimir.ingestionRate}`,
    );
  }
  const pastMonolithic = logs !== undefined && logs > LOKI_SIZING.monolithicMaxBytesPerDay;
  // The logs a day as written, and what Monolithic holds in the same units: "30GB" beside a
  // converted "27.9GiB" and a limit in GB read as two different amounts.
  const written = r.workload.logsPerDay?.trim() ?? "";
  const past = `${written} a day is above what Monolithic Loki holds (about ${monolithicMostAsWritten(written)} a day, grafana/loki v3.7.6 docs/sources/get-started/deployment-modes.md)`;
  const nodes = openNodeCount(c.nodePools);
  // No open node at all is the pack's resource-budget's, which reads the pods' tolerations.
  if (c.loki.mode === "Distributed" && c.objectStore.type !== "filesystem" && nodes < LOKI_HA && nodes > 0) {
    // One mistake, one message: at the key that chose Distributed (loki.mode, else the logs a day
    // past Monolithic), and Loki's pods are not judged against the pools again (left out below).
    // Zone-aware, the chart ignores ingester.affinity and keeps each zone's pods off the nodes of
    // the other zones' (loki 18.11.0 templates/_pod.tpl:87-101; run, helm 3.17.3: three
    // StatefulSets whose pods' anti-affinity selects rollout-group ingester, name NotIn their own
    // zone's): three zones need three nodes just the same.
    const why = lokiIngestersZoned(c)
      ? "zone-aware, as chartValues.loki.ingester.zoneAwareReplication turns them on: 3 zones whose pods keep off the other zones' nodes, loki 18.11.0 templates/_pod.tpl:87-101"
      : "loki 18.11.0 values.yaml ingester.affinity, hard node anti-affinity";
    const spread = `at least ${LOKI_HA} ingesters on distinct nodes (replication factor ${LOKI_HA}; ${why}), and nodePools has ${nodes} node(s) without NoSchedule or NoExecute taints`;
    p.push(
      r.loki.mode === undefined
        ? `${k("workload.logsPerDay")}: ${past}; past it Loki runs Distributed, ${spread}; add nodes to nodePools`
        : // Monolithic is no way out for more logs a day than it holds.
          `${k("loki.mode")}: "Distributed" runs ${spread}; ${pastMonolithic ? "add nodes to nodePools" : 'use "Monolithic" here, or add nodes'}`,
    );
    refused.add("loki");
  }
  if (pastMonolithic) {
    if (c.objectStore.type === "filesystem") {
      p.push(
        `${k("workload.logsPerDay")}: ${past}; past it Loki runs Distributed, which needs object storage, and objectStore.type is "filesystem"`,
      );
      refused.add("loki");
    } else if (c.loki.mode === "Monolithic") {
      p.push(
        `${k("loki.mode")}: expected "Distributed" (or no loki.mode) for workload.logsPerDay: ${past}; got "${r.loki.mode}"`,
      );
      refused.add("loki");
    }
  }
  // A volume the stack sets explicitly and the workload outgrows: never enlarged behind its back
  // (a StatefulSet's volumeClaimTemplates cannot change in place; a vmsingle's claim is the
  // operator's own, which it grows in place, but only where its StorageClass allows expansion).
  const own: Record<keyof typeof DEFAULT_VOLUMES, string | undefined> = {
    loki: r.loki.volumeSize,
    prometheus: r.prometheus.volumeSize,
    mimir: r.mimir.volumeSize,
    victoriametrics: r.victoriametrics.volumeSize,
  };
  const runs = {
    loki: true,
    prometheus: true,
    mimir: c.metricsBackend === "mimir",
    victoriametrics: c.metricsBackend === "victoriametrics",
  };
  for (const key of Object.keys(own) as (keyof typeof DEFAULT_VOLUMES)[]) {
    const need = sized.needs[key];
    const set = own[key];
    if (!runs[key] || need === undefined || set === undefined) continue;
    if ((parseQuantity(set) ?? 0) < need) {
      refused.add(key);
      // vmsingle is a Deployment beside a claim the operator made from VMSingle spec.storage, which
      // it sends a larger size in place (change/apiRules.ts vmSingleStorageRefusals); the change
      // check says the same of the growth (claimGrowth). A VMCluster's vmstorage is a StatefulSet.
      const inPlace = key === "victoriametrics" && !vmClusterShape(c);
      const how = inPlace
        ? `the operator grows vmsingle's claim in place to the new size, which the API server takes only where the claim's StorageClass sets allowVolumeExpansion: true: check kubectl get storageclass, then set ${key}.volumeSize: ${volumeQuantity(need)}, or leave it out and the program sizes it`
        : "a running StatefulSet's claim size cannot change in place: resize the volume first, then set the new size";
      p.push(
        `${k(`${key}.volumeSize`)}: expected at least ${volumeQuantity(need)}, what ${key === "loki" ? "workload.logsPerDay x loki.retention" : `workload.activeSeries (${series})`} needs; got "${set}" (${how})`,
      );
    }
  }
  const defaulted = new Set([
    ...(r.mimir.maxGlobalSeriesPerUser === undefined ? ["mimir.maxGlobalSeriesPerUser"] : []),
    ...(r.metricsBackend === undefined ? ["metricsBackend"] : []),
  ]);
  return [...p, ...fitProblems(c, planSizing(c), k, refused, defaulted, fits)];
}

/** Why S3 would refuse a bucket name, or undefined (AWS S3 general purpose bucket naming rules). */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `${name.length} characters long (S3 allows 3-63)`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return "use characters other than lowercase letters, digits, '-' and '.', or not start and end with a letter or digit";
  if (name.includes("..")) return "contain two adjacent periods";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "look like an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return "start with a reserved prefix";
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return "end with a reserved suffix";
  return undefined;
}

/**
 * Secret keys (SECRET_KEYS) this stack holds in plain text (`pulumi config set` without
 * `--secret`): a plain credential sits readable in the stack file and in every `pulumi config`
 * listing. `isSecure` says whether a full key (`project:key`) is a secret; the runtime knows it per
 * top-level key, so a map (receiverCredentials) with a plain leaf beside a secure one counts as
 * secret here (the offline tools, which read the file, name that leaf).
 */
export function plainSecrets(
  present: (key: string) => boolean,
  isSecure: (key: string) => boolean,
): PlainSecret[] {
  return SECRET_KEYS.map((name) => `${PROJECT}:${name}`)
    .filter((key) => present(key) && !isSecure(key))
    .map((key) => ({ key, path: [] }));
}

/**
 * A value in plain text as its own problem, naming the key and the command, never the value,
 * worded as the offline tools word it (plainSecret.ts).
 */
export const plainSecretLine = (p: PlainSecret): string =>
  plainSecretProblem(p.key, setSecretCommand(p.key, p.path, PROJECT));

/** {@link plainSecrets}, each as its own problem line. */
export function plainSecretProblems(
  present: (key: string) => boolean,
  isSecure: (key: string) => boolean,
): string[] {
  return plainSecrets(present, isSecure).map(plainSecretLine);
}

/**
 * Why Garage refuses a bucket name, in its own terms (Deuxfleurs/garage v2.0.0
 * src/model/bucket_alias_table.rs `is_valid_bucket_name`, with `allow_punycode` at its default
 * false, src/util/config.rs): 3-63 of lowercase letters, digits, '.' and '-', starting and ending
 * with a letter or digit, not an IP address, not starting with "xn--" nor holding ".xn--", not
 * ending in "-s3alias". It allows ".." (S3 does not).
 */
export function garageBucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return `${name.length} characters long (Garage allows 3-63)`;
  if (!/^[a-z0-9.-]+$/.test(name)) return "use characters other than lowercase letters, digits, '.' and '-'";
  if (/^[-.]|[-.]$/.test(name)) return "start or end with '-' or '.'";
  if (isIP(name) !== 0) return "parse as an IP address";
  if (name.startsWith("xn--") || name.includes(".xn--")) return 'hold a punycode label ("xn--")';
  if (name.endsWith("-s3alias")) return 'end with "-s3alias"';
  return undefined;
}

/**
 * One Garage key named for both consumers (`objectStore.existingKeys`) where both run: each
 * consumer's grants go to that key (components/objectstore/objectStore.ts `garage`), so Loki could
 * read and write Mimir's buckets and Mimir Loki's, the sharing least privilege forbids (the policy
 * pack's object-store-least-privilege tells keys apart by the name the stack gives them, which
 * differ here). Deleting either of the two resources that would import it leaves the key: an
 * imported key is retained on delete (components/objectstore/objectStore.ts `garage`).
 */
function garageSharedKey(c: StackConfig): string[] {
  if (c.objectStore.type !== "garage") return [];
  const { loki, mimir } = c.objectStore.existingKeys;
  const running = consumersOf(c);
  if (loki === undefined || loki !== mimir || !running.includes("loki") || !running.includes("mimir"))
    return [];
  return [
    `${PROJECT}:objectStore.existingKeys.mimir: expected an access key other than Loki's (objectStore.existingKeys.loki), got the same key ID: the stack grants that one key the buckets of both Loki and Mimir, so each could read and write the other's objects; name a key of Mimir's own (garage key create), or leave existingKeys.mimir out and the stack creates one`,
  ];
}

/** Bucket names the stack does not make itself, judged by Garage's rule before any request does. */
function garageNameChecks(c: StackConfig): string[] {
  const p: string[] = [];
  const k = (path: string) => `${PROJECT}:${path}`;
  if (c.objectStore.type === "garage") {
    // Names the stack does not make itself: Garage's rule judges them before any request does.
    c.existing.buckets.forEach((name, i) => {
      const problem = garageBucketNameProblem(name);
      if (problem)
        p.push(
          `${k(`existing.buckets[${i}]`)}: expected a bucket name Garage accepts (${BUCKET_NAME_RULE}, not an IP address, no "xn--" label, not ending in "-s3alias"), got "${name}", which would ${problem}`,
        );
    });
    for (const [consumer, named] of Object.entries(c.takeover?.buckets ?? {}))
      for (const [purpose, name] of Object.entries(named ?? {})) {
        const problem = typeof name === "string" ? garageBucketNameProblem(name) : undefined;
        if (problem)
          p.push(
            `${k(`takeover.buckets.${consumer}.${purpose}`)}: expected a bucket name Garage accepts (${BUCKET_NAME_RULE}, not an IP address, no "xn--" label, not ending in "-s3alias"), got "${name}", which would ${problem}`,
          );
      }
  }
  return p;
}

/**
 * `existing.buckets` names no phase of the stack makes. Only a bucket the program makes is imported
 * (plan/takeover.ts existingBuckets), so such a name adopts nothing, and the bucket meant (a slip of
 * its name, or its name without the prefix) is created anew: on a store restored from a backup
 * MinIO refuses that with "bucket already exists!", in `pulumi up` only. A name some other phase
 * makes is no mistake: it may be listed ahead of the phase that uses it again. Two or more names
 * that are the stack's own buckets under one other prefix (the copied buckets of a store move after
 * `objectStore.bucketPrefix` or `cluster` changed, or another stack's list) are one mistake, said
 * once at the list with both ways out; a single such name keeps its own line.
 */
function existingBucketChecks(
  c: StackConfig,
  raw: Record<string, unknown>,
  placeOf?: (key: string) => string | undefined,
): string[] {
  if (c.existing.buckets.length === 0) return [];
  const made = [
    ...new Set(
      PHASES.flatMap((phase) =>
        planBuckets({ ...c, phase }).consumers.flatMap((x) => [...x.buckets, ...x.referenced, ...x.unused]),
      ),
    ),
  ];
  const prefix = c.objectStore.type === "filesystem" ? undefined : c.objectStore.bucketPrefix;
  const expected =
    made.length === 0
      ? `no bucket (objectStore.type "${c.objectStore.type}" keeps logs and metrics on claims)`
      : `the name of a bucket the stack makes in some phase (${made.join(", ")})`;
  const unmade = c.existing.buckets
    .map((name, i) => ({ name, i }))
    // Garage's own naming rule has said what is wrong with it (garageNameChecks).
    .filter(
      ({ name }) =>
        !made.includes(name) && !(c.objectStore.type === "garage" && garageBucketNameProblem(name)),
    );
  const byPrefix = prefix ? otherPrefixGroups(unmade, made, prefix) : new Map<string, typeof unmade>();
  const grouped = new Set([...byPrefix.values()].flat().map((u) => u.i));
  const problems = [...byPrefix].map(([other, names]) =>
    otherPrefixProblem(other, names, made, prefix!, raw, placeOf),
  );
  // A guess is never a name the list already holds: taken, it would list that bucket twice.
  const free = made.filter((b) => !c.existing.buckets.includes(b));
  for (const { name, i } of unmade) {
    if (grouped.has(i)) continue;
    const kept = prefix ? keptBucketHint(name, prefix, c) : undefined;
    // Written without the prefix the stack's bucket names start with: no edit distance finds that.
    const hint =
      kept ??
      (prefix && free.includes(`${prefix}-${name}`)
        ? `; did you mean "${prefix}-${name}"? (every bucket name starts with objectStore.bucketPrefix, "${prefix}")`
        : didYouMean(name, free));
    problems.push(
      `${PROJECT}:existing.buckets[${i}]: expected ${expected}, got "${name}", which nothing imports${hint}`,
    );
  }
  return problems;
}

/**
 * Why the stack's own bucket of a purpose nothing reads (model/storage.ts UNUSED_BUCKETS: the
 * kept buckets move-to-garage.md copies), or the bucket `takeover.buckets` names for such a purpose,
 * is not imported: only MinIO keeps one, and only one `objectStore.keepUnusedBuckets` lists
 * (config/buckets.ts planBuckets). Undefined for any other name.
 */
function keptBucketHint(name: string, prefix: string, c: StackConfig): string | undefined {
  const named = (Object.entries(UNUSED_PURPOSES) as [Consumer, Purpose[]][]).flatMap(([consumer, ps]) =>
    ps.filter((p) => c.takeover?.buckets[consumer]?.[p] === name).map((p) => ({ consumer, p })),
  )[0];
  const purpose = named
    ? `${named.consumer}-${named.p}`
    : UNUSED_BUCKETS.find((u) => name === `${prefix}-${u}`);
  if (!purpose) return undefined;
  const what = named
    ? `"${name}" is the bucket takeover.buckets.${named.consumer}.${named.p} names for ${named.consumer === "loki" ? "Loki" : "Mimir"}'s ${named.p}, a purpose nothing reads`
    : `"${purpose}" is a bucket nothing reads`;
  return c.objectStore.type === "minio"
    ? `: ${what}, which the stack keeps only when objectStore.keepUnusedBuckets lists it; add "${purpose}" there to keep it, or leave it out of existing.buckets`
    : `: ${what}, which the stack keeps only on MinIO (objectStore.keepUnusedBuckets); on ${c.objectStore.type} the stack does not manage it, so leave it out of existing.buckets (${named ? "the bucket" : "a copy on the store"} stays there, untouched)`;
}

/**
 * The names of `unmade` that are a bucket of `made` with another prefix than `prefix` (the part of
 * the name before the suffix the stack's bucket has after `<prefix>-`), by that prefix: only
 * prefixes two or more names share.
 */
function otherPrefixGroups<T extends { name: string }>(
  unmade: T[],
  made: string[],
  prefix: string,
): Map<string, T[]> {
  const suffixes = made.filter((m) => m.startsWith(`${prefix}-`)).map((m) => m.slice(prefix.length + 1));
  const groups = new Map<string, T[]>();
  for (const u of unmade) {
    const suffix = suffixes
      .filter((s) => u.name.endsWith(`-${s}`) && u.name.length > s.length + 1)
      .sort((a, b) => b.length - a.length)[0];
    if (suffix === undefined) continue;
    const other = u.name.slice(0, -(suffix.length + 1));
    groups.set(other, [...(groups.get(other) ?? []), u]);
  }
  return new Map([...groups].filter(([, names]) => names.length > 1));
}

/** One message for the names of `existing.buckets` that carry the prefix `other` (otherPrefixGroups). */
function otherPrefixProblem(
  other: string,
  names: { name: string }[],
  made: string[],
  prefix: string,
  raw: Record<string, unknown>,
  placeOf?: (key: string) => string | undefined,
): string {
  const written = isMap(raw.objectStore) && raw.objectStore.bucketPrefix !== undefined;
  const where = written ? placeOf?.("objectStore.bucketPrefix") : placeOf?.("cluster");
  const source = written
    ? `objectStore.bucketPrefix "${prefix}"${where ? ` (${where})` : ""}`
    : `objectStore.bucketPrefix "${prefix}" (not set: the cluster name${where ? `, cluster at ${where}` : ""})`;
  const own = made.filter((m) => m.startsWith(`${prefix}-`));
  return `${PROJECT}:existing.buckets: expected the stack's own buckets (${own.join(", ")}), named with ${source}, got ${names.length} names with the prefix "${other}" instead (${names.map((n) => n.name).join(", ")}), which nothing imports. If these are the buckets the stack has used (copied to a new store), set objectStore.bucketPrefix "${other}": a new prefix points Loki and Mimir at new, empty buckets. If they are another stack's, list this stack's own`;
}

/**
 * Which key the Prometheus a claim belongs to is named from, as a message says it: the key is named
 * so that a rule's problem judged from a refused value's default is known as such (judgedAsWritten).
 */
function kpsFullnameFrom(raw: Record<string, unknown>, t: NonNullable<StackConfig["takeover"]>): string {
  const written = isMap(raw.takeover) ? raw.takeover : {};
  if (written.kpsFullname !== undefined) return `takeover.kpsFullname "${t.kpsFullname}"`;
  const release = t.releases.kubePrometheusStack;
  return release
    ? `the fullname of takeover.releases.kubePrometheusStack "${release}"`
    : `takeover.releases.kubePrometheusStack not set: the program's own release "${RELEASES.kps}"`;
}

/** The fullname kube-prometheus-stack derives from its release name (chart _helpers.tpl: trunc 26). */
function kpsFullnameOf(t: NonNullable<Raw["takeover"]>): string {
  const release = t.releases.kubePrometheusStack?.split("/")[1];
  if (!release) return RELEASES.kps;
  const name = release.includes("kube-prometheus-stack") ? release : `${release}-kube-prometheus-stack`;
  return name.slice(0, 26).replace(/-+$/, "");
}

/**
 * The key that decides the log agent, as a message names it: `logAgent "vector" (file:line)` where
 * the stack file writes it, else the profile's default it falls back to (parseStackConfig).
 */
function logAgentFrom(
  raw: Record<string, unknown>,
  c: StackConfig,
  placeOf?: (key: string) => string | undefined,
): string {
  if (raw.logAgent === undefined || raw.logAgent === "")
    return `logAgent is "${c.logAgent}", the ${c.profile} profile's default`;
  const where = placeOf?.("logAgent");
  return `logAgent is "${c.logAgent}"${where ? ` (${where})` : ""}`;
}

/**
 * The import of kube-prometheus-stack at a phase that does not install it finds no Release to
 * attach to; said here, with the stack's other problems, rather than only once the program builds
 * the tree (apply/takeover.ts AdoptionError, which then stood alone in a run of its own). Its way
 * out names every key the entry's removal needs: the entry also gives the fullname the claim
 * `takeover.prometheusVolume` is judged against (kpsFullnameOf; the program's own "kps" without
 * it), so removing it alone had the next run refuse that claim.
 */
function unrunKpsImport(
  c: StackConfig,
  raw: Record<string, unknown>,
  placed: (key: string) => string,
): string[] {
  const t = c.takeover;
  const id = t?.releases.kubePrometheusStack;
  if (!t || !id || t.step !== "import" || capabilities(c.phase, c.metricsBackend).kps) return [];
  const kpsPhases = PHASES.filter((phase) => capabilities(phase, c.metricsBackend).kps);
  const fullnameWritten = isMap(raw.takeover) && raw.takeover.kpsFullname !== undefined;
  const claim =
    t.prometheusVolume && !fullnameWritten && t.kpsFullname !== RELEASES.kps
      ? `, with takeover.kpsFullname "${t.kpsFullname}" set in its place (the fullname it gives the Prometheus whose claim ${placed("takeover.prometheusVolume")} names) or takeover.prometheusVolume removed as well`
      : "";
  return [
    `${PROJECT}:takeover.releases.kubePrometheusStack: expected no kube-prometheus-stack release to import while ${placed("phase")} is ${c.phase}, which runs no kube-prometheus-stack (the program has no Release to import it into), got "${id}"; take it over at a phase that runs it (${kpsPhases.join(", ")}) and move on from there, or remove the entry${claim}`,
  ];
}

/**
 * A claim to import that the stack does not declare: past kube-prometheus-stack,
 * `prometheus.cleanupVolumeOnRemoval` drops the Prometheus claim (plan/metrics.ts
 * prometheusVolumeKept), so the import finds nothing to attach to. Said here, naming that key, rather
 * than once the program builds the tree (apply/takeover.ts AdoptionError: "remove the entry or
 * change the phase", which named neither it nor its line, in a run of its own).
 */
function deletedClaimImport(c: StackConfig, placed: (key: string) => string): string[] {
  const claim = c.takeover?.prometheusVolume;
  if (!claim || !c.prometheus.cleanupVolumeOnRemoval || capabilities(c.phase, c.metricsBackend).kps)
    return [];
  return [
    `${PROJECT}:takeover.prometheusVolume: expected no claim to import while ${placed("prometheus.cleanupVolumeOnRemoval")} is true and ${placed("phase")} is ${c.phase}, which runs no kube-prometheus-stack: the stack then keeps no Prometheus claim (it deletes the one it holds), so nothing takes the import, got "${claim}"; remove takeover.prometheusVolume, or set prometheus.cleanupVolumeOnRemoval false to import the claim and keep it`,
  ];
}

/**
 * An adopted agent release is imported where it runs, the stack's namespace (a move would replace
 * it). Left out, agents.step is the schema's default: said so, since a stack file that never wrote
 * the key (take-over-flux.md's block with alloy listed) reads `got "moved"` as a value it holds.
 */
function adoptedAgentStep(c: StackConfig, raw: Record<string, unknown>): string[] {
  const t = c.takeover;
  const key = c.logAgent;
  if (!t?.releases[key] || t.step !== "import" || c.agents.step === "stay") return [];
  const stepGiven = (isMap(raw.agents) ? raw.agents : {}).step;
  return [
    `${PROJECT}:agents.step: expected "stay" while takeover.releases.${key} is imported (takeover.step import: the running release keeps its namespace; move it with agents.step handover at the update step), got ${stepGiven === undefined ? `nothing (default "${c.agents.step}")` : `"${c.agents.step}"`}; set agents.step: stay in the stack file for the import step`,
  ];
}

/** Takeover rules: what is adopted must keep its identity, or Pulumi would replace it. */
function takeoverChecks(
  c: StackConfig,
  raw: Record<string, unknown>,
  placeOf?: (key: string) => string | undefined,
): string[] {
  const t = c.takeover;
  if (!t) return [];
  const p: string[] = [];
  const k = (path: string) => `${PROJECT}:takeover.${path}`;
  const placed = (key: string) => (placeOf?.(key) ? `${key} (${placeOf(key)})` : key);
  // What the import step imports from the stack's namespace proves that namespace exists; the
  // program creating it instead fails in pulumi up ("already exists": apply/stack.ts pins
  // upsertExistingObjects off), and every later finding of that synthesis (the running
  // kube-prometheus-stack's node-exporter taken for absent: checks/emittedMetrics.ts reads the
  // adopted namespace's mark) follows from this one key.
  // The other log agent's release is refused on its own below (one message per mistake).
  const otherAgent = LOG_AGENTS.find((a) => a !== c.logAgent)!;
  const inNamespace = [
    ...(Object.entries(t.releases) as [AdoptableRelease, string | undefined][])
      .filter(([key, id]) => key !== otherAgent && id?.split("/")[0] === c.namespace)
      .map(([key]) => `releases.${key}`),
    ...(t.prometheusVolume ? ["prometheusVolume"] : []),
  ].map((key) => placed(`takeover.${key}`));
  if (t.step === "import" && !t.namespace && inNamespace.length > 0) {
    const given = (raw.takeover as Record<string, unknown> | undefined)?.namespace;
    p.push(
      `${k("namespace")}: expected true while the import step imports from the stack's namespace "${c.namespace}" (${inNamespace.join(", ")}): that namespace exists, and the program would create it instead, so pulumi up fails ("already exists"), got ${given === undefined ? "nothing (default false)" : JSON.stringify(given)}; set takeover.namespace: true to import it`,
    );
  }
  for (const [key, id] of Object.entries(t.releases) as [AdoptableRelease, string | undefined][]) {
    if (!id) continue;
    const [ns, name] = id.split("/");
    // pulumi-kubernetes replaces a Release whose name or namespace changes (helm_release.go Diff,
    // forceNewFields ".name", ".namespace"): adopting under another identity would uninstall it.
    if (ns !== c.namespace)
      p.push(
        `${k(`releases.${key}`)}: expected a release in the stack's namespace "${c.namespace}" (another namespace would replace it), got "${id}"`,
      );
    if (name !== ADOPTABLE_RELEASES[key])
      p.push(
        `${k(`releases.${key}`)}: expected the release name the program uses, "${c.namespace}/${ADOPTABLE_RELEASES[key]}" (a rename would replace the release), got "${id}"`,
      );
  }
  // The stack installs one log agent, so only its release can be adopted: an entry for the other
  // is the one mistake, whatever else it would set off (the import step's agents.step rule, the
  // import that finds no Release to attach to, apply/takeover.ts AdoptionError).
  const otherId = t.releases[otherAgent];
  if (otherId) {
    const name = { alloy: "Alloy", vector: "Vector" };
    // The rule below would hold the adopted agent next: say it with the fix rather than after it.
    const stay =
      t.step === "import" && c.agents.step !== "stay" ? ` with agents.step "stay" for the import step` : "";
    p.push(
      `${k(`releases.${otherAgent}`)}: expected no ${otherAgent} release while ${logAgentFrom(raw, c, placeOf)} (the program installs no ${name[otherAgent]} to import it into), got "${otherId}"; set logAgent "${otherAgent}"${stay} to take the running ${name[otherAgent]} over, or remove takeover.releases.${otherAgent} (the program then installs ${name[c.logAgent]} beside it)`,
    );
  }
  p.push(...adoptedAgentStep(c, raw));
  if (t.prometheusVolume && !t.prometheusVolume.endsWith(prometheusClaimSuffix(t.kpsFullname))) {
    p.push(
      `${k("prometheusVolume")}: expected the claim of Prometheus "${prometheusName(t.kpsFullname)}" (${kpsFullnameFrom(raw, t)}: a name ending in "${prometheusClaimSuffix(t.kpsFullname)}", e.g. "${operatorClaimTemplate(t.kpsFullname)}${prometheusClaimSuffix(t.kpsFullname)}"), got "${t.prometheusVolume}"`,
    );
  }
  p.push(...deletedClaimImport(c, placed));
  p.push(...unrunKpsImport(c, raw, placed));
  if (t.releases.kubePrometheusStack && !t.prometheusVolume) {
    p.push(
      `${k("prometheusVolume")}: required when takeover.releases.kubePrometheusStack is set (the running Prometheus's claim, e.g. "${operatorClaimTemplate(t.kpsFullname)}${prometheusClaimSuffix(t.kpsFullname)}"; without it the TSDB moves to a new, empty claim), got nothing`,
    );
  }
  const mimirStores = consumersOf(c).includes("mimir");
  const mimirPhases = PHASES.filter((phase) => consumersOf({ ...c, phase }).includes("mimir"));
  for (const key of ["buckets", "secrets"] as const) {
    if (t[key].mimir !== undefined && !mimirStores)
      p.push(
        `${k(`${key}.mimir`)}: Mimir has no object storage in this stack (metricsBackend ${c.metricsBackend}, phase ${c.phase}); set it with a phase that runs Mimir (${mimirPhases.join(", ") || "none with this backend"})`,
      );
  }
  const hasBuckets = Object.values(t.buckets).some((b) => b !== undefined);
  const hasS3Secrets = t.secrets.loki !== undefined || t.secrets.mimir !== undefined;
  // With objectStore.type "garage" a bucket the stack uses is granted by Garage's bucket ID, so it
  // must be in the state: existing.buckets imports it.
  // Only a bucket the plan uses: one named for a purpose nothing reads, which Garage never keeps
  // (config/buckets.ts purposeBuckets), gets no grant and stays on the store untouched.
  const used = new Set(purposeBuckets(c).map((e) => e.bucket));
  const unlisted = (bucket: string) =>
    c.objectStore.type === "garage" && used.has(bucket) && !c.existing.buckets.includes(bucket);
  const garageGrant = `with objectStore.type "garage" a bucket the stack uses must be in its state (its grant needs Garage's bucket ID)`;
  const shared = sharedBucketProblems(c, placed);
  for (const [consumer, named] of Object.entries(t.buckets))
    for (const [purpose, bucket] of Object.entries(named ?? {}))
      if (typeof bucket === "string" && unlisted(bucket) && !shared.buckets.has(bucket))
        p.push(
          `${k(`buckets.${consumer}.${purpose}`)}: ${garageGrant}: add "${bucket}" to existing.buckets (imported, never deleted), got it named here only`,
        );
  p.push(
    ...shared.problems.map(({ problem, bucket }) =>
      unlisted(bucket)
        ? `${problem}; and ${garageGrant}: existing.buckets leaves "${bucket}" out, so add the bucket each purpose keeps there (imported, never deleted)`
        : problem,
    ),
  );
  if (hasS3Secrets && c.objectStore.type === "garage") {
    p.push(
      `${k("secrets")}: with objectStore.type "garage" the consumers' access keys are Garage keys; name them in objectStore.existingKeys (imported, their secret read from Garage) instead of S3 credential Secrets`,
    );
  } else if (
    (hasBuckets || hasS3Secrets) &&
    c.objectStore.type !== "minio" &&
    c.objectStore.type !== "garage"
  ) {
    p.push(
      `${k(hasBuckets ? "buckets" : "secrets")}: existing buckets and S3 credential Secrets need objectStore.type "minio", got "${c.objectStore.type}"${hasBuckets ? ' (existing buckets also take "garage")' : ""}`,
    );
  }
  return p;
}

/**
 * One problem per bucket `takeover.buckets` names for a purpose another purpose also has, said at
 * the last key naming it with the others beside it: the plan would declare the bucket for each
 * (two resources claim it, and `existing.buckets` imports it twice), Mimir refuses a ruler store
 * equal to its blocks bucket (REFERENCE.md, Mimir), and Loki and Mimir each take what their bucket
 * holds for their own objects. A purpose's planned name (`<prefix>-<consumer>-<purpose>`) counts.
 */
function sharedBucketProblems(
  c: StackConfig,
  placed: (key: string) => string,
): { problems: { problem: string; bucket: string }[]; buckets: Set<string> } {
  const all = purposeBuckets(c);
  const engine = { loki: "Loki", mimir: "Mimir" };
  const keyOf = (e: PurposeBucket) => `takeover.buckets.${e.consumer}.${e.purpose}`;
  const problems = [...new Set(all.map((e) => e.bucket))].flatMap((bucket) => {
    const users = all.filter((e) => e.bucket === bucket);
    const at = users.filter((e) => e.named).at(-1);
    if (users.length < 2 || !at) return [];
    const others = users
      .filter((e) => e !== at)
      .map((e) =>
        e.named
          ? placed(keyOf(e))
          : `${engine[e.consumer]}'s ${e.purpose} (the bucket the stack makes for them: ${keyOf(e)} is not set, objectStore.bucketPrefix is "${c.objectStore.type === "filesystem" ? "" : c.objectStore.bucketPrefix}")`,
      );
    const mimirOnly = users.every((e) => e.consumer === "mimir");
    const why = mimirOnly
      ? "Mimir fails to start when its blocks and ruler share one"
      : "each purpose keeps a bucket of its own: the stack would declare it once for each, and Loki and Mimir each take what their bucket holds for their own objects";
    return [
      {
        bucket,
        problem: `${PROJECT}:${keyOf(at)}: expected a bucket no other purpose uses (${why}), got "${bucket}", which ${listed(others)} also ${others.length > 1 ? "use" : "uses"}; name a bucket of its own for each`,
      },
    ];
  });
  return { problems, buckets: new Set(problems.map((x) => x.bucket)) };
}
