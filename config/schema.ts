import type { RunningState } from "../model/running";
import { isIP } from "net";
import { z } from "zod";
import {
  parseQuantity,
  POOL_ARCHES,
  TAINT_EFFECTS,
  type ImageMirrors,
} from "@homelab-observability/contract";

/*
 * The stack config's schema: every key, its type, its default and its documentation (one JSDoc per
 * key). Errors live in errors.ts, resolution (derived defaults, cross-key rules) in resolve.ts.
 */

import { BACKENDS, LOG_AGENTS, PHASES, type Backend, type LogAgent, type Phase } from "../model/phases";
import { DNS_LABEL, PROJECT, RELEASES } from "../model/names";
import { SECRET_KEYS, withoutQueryCredentials, type SecretKey } from "../model/secrets";
import { listed } from "../model/words";
import { KNOWN_PURPOSES, UNUSED_BUCKETS } from "../model/storage";
import { LOKI_MODES, PROFILES, type LokiMode } from "../model/sizing";
import { engineDurationOf } from "./engineKeys";
import {
  MODEL_DURATION_MOST,
  modelDurationMs,
  modelDurationTooLong,
  PROM_UNIT_MS,
} from "../upstream/engines/references";
import {
  hiddenReceiverIssues,
  isReceiverName,
  refusedCredentials,
  receiverKeyHint,
  refuseCredentials,
  RESERVED_RECEIVERS,
  uniqueReceiverNames,
} from "./receivers";
import { RECEIVER_TYPES } from "../upstream/alertmanagerReceivers";
import { chartValues } from "./chartValues";
import { imageMirrors } from "./imageMirrors";
import { withUnknownKeyHint } from "./keyHints";

export { PHASES, PROJECT, SECRET_KEYS, type Phase, type SecretKey };

/** One whole number and its unit in a duration: "1d12h" is 1 d then 12 h. */
const DURATION_PART = /(\d+)(ms|s|m|h|d|w|y)/g;

/**
 * Seconds in a Prometheus `model.Duration` ("7d", "720h", "1d12h"), read as
 * `model.ParseDuration` reads it (upstream/engines/references.ts modelDurationMs: whole numbers,
 * units largest first, each once); undefined when it does not parse.
 */
export function durationSeconds(value: string): number | undefined {
  const ms = modelDurationMs(value);
  return ms === undefined ? undefined : ms / 1000;
}

/** Whether a text is a duration the schema takes: a whole number and one unit, above zero. */
const durationAboveZero = (v: string) => (durationSeconds(v) ?? 0) > 0;
/** The form of a duration key, `more` said after the units; the message and the reference read it. */
const durationForm = (example: string, more = "") =>
  `a duration above zero like "${example}" (whole number + ms|s|m|h|d|w|y, or several largest first as "1d12h"${more})`;
/**
 * A duration key's refusal: its form, or, for a value in that form too long to read, the longest
 * one. Every reader of the schema's durations (model.ParseDuration in Loki, Mimir, Prometheus and
 * Alertmanager; Go's time.ParseDuration) counts nanoseconds in 64 bits and refuses a longer one
 * ("duration out of range", "invalid duration"; upstream/engines/references.ts MODEL_DURATION_MAX_NS).
 */
const durationRefusal = (form: string) => (v: unknown) => ({
  message:
    typeof v === "string" && modelDurationTooLong(v)
      ? `expected a duration of at most ${MODEL_DURATION_MOST}: its reader counts nanoseconds in 64 bits and refuses a longer one`
      : `expected ${form}`,
});
/**
 * What a duration key offers for a number written without its unit (`retention: 30`, or "30"):
 * the value to write and the words that say why (config/errors.ts offers it where the key takes
 * the value), or undefined. Neither model.ParseDuration nor Go's time.ParseDuration assumes a unit
 * (both refuse "30"; vmstorage's months are its own, {@link vmRetention}).
 */
export type BareNumberOffer = (n: number) => { value: string; why: string } | undefined;
export const BARE_NUMBER_OFFERS = new WeakMap<z.ZodTypeAny, BareNumberOffer>();
const offeringForBare = <T extends z.ZodTypeAny>(schema: T, offer: BareNumberOffer): T => {
  BARE_NUMBER_OFFERS.set(schema, offer);
  return schema;
};
/** Each unit a duration's example ends in, as its words say it (one, several). */
const UNIT_WORDS: Record<string, [string, string]> = {
  y: ["year", "years"],
  w: ["week", "weeks"],
  d: ["day", "days"],
  h: ["hour", "hours"],
  m: ["minute", "minutes"],
  s: ["second", "seconds"],
  ms: ["millisecond", "milliseconds"],
};
/** A whole number without its unit in the unit of the key's own example ("7d": days). */
const inExampleUnit =
  (example: string): BareNumberOffer =>
  (n) => {
    const unit = /[a-z]+$/.exec(example)![0];
    if (!Number.isSafeInteger(n) || n <= 0) return undefined;
    const word = UNIT_WORDS[unit][n === 1 ? 0 : 1];
    return {
      value: `${n}${unit}`,
      why: `no unit is assumed: "${n}${unit}" if ${n} ${word} ${n === 1 ? "is" : "are"} meant`,
    };
  };
const duration = (example: string) =>
  offeringForBare(
    z
      .string({ description: durationForm(example) })
      .refine(durationAboveZero, durationRefusal(durationForm(example))),
    inExampleUnit(example),
  );
/**
 * VictoriaMetrics' `-retentionPeriod` as both its readers take it. vmstorage v1.144.0
 * (lib/flagutil/duration.go:73-129 RetentionDuration.Set, read, not run) reads a bare number as
 * months of 31 days (:98-111, "deprecated"), "6M" as months (:80-96), refuses a text ending in
 * "m" (:116-118) and reads the rest as metricsql durations (compound "1d12h", fractions: metricsql
 * v0.87.0 lexer.go:570-614), refusing 1201 months or more (:123-125, :222-223); below a day it
 * stops (app/vmstorage/main.go:124-126). But the program writes the value into VMSingle's and
 * VMCluster's spec.retentionPeriod, whose CRD pattern is `^[0-9]+(h|d|w|y)?$`
 * (victoria-metrics-k8s-stack 0.80.0 charts/victoria-metrics-operator/charts/crds/crds/crd.yaml:
 * 15466-15468, 40961-40963): "1d12h", "6M" and "1.5d" are refused there. The schema takes what both
 * take, a whole number and one of h, d, w or y, from a day to below 1201 months; a bare number
 * (months) vmstorage deprecates gets the same retention in days instead (vmMonths).
 */
export const VM_RETENTION_FORM = `a duration of at least 1d as a whole number and one of h|d|w|y, like "14d" (the operator's CRD takes no other form; vmstorage reads a bare number as months, refuses "m" and below 24h)`;
/**
 * The most months vmstorage v1.144.0 takes (lib/flagutil/duration.go:222 maxMonths): a number of
 * months above it is refused (:103-105), a duration from one month more on (:123-125, whole months).
 */
const VM_MAX_MONTHS = 1200;
/** The shortest -retentionPeriod vmstorage v1.144.0 refuses as too long: 1201 months of 31 days. */
const VM_RETENTION_REFUSED_MS = (VM_MAX_MONTHS + 1) * 31 * 86_400_000;
const vmRetentionMs = (v: string) => (/^\d+[hdwy]$/.test(v) ? modelDurationMs(v) : undefined);
const vmRetention = (example: string) =>
  offeringForBare(
    z.string({ description: `a duration of at least 1d in h|d|w|y, like "${example}"` }).refine(
      (v) => {
        const ms = vmRetentionMs(v) ?? 0;
        return ms >= 86_400_000 && ms < VM_RETENTION_REFUSED_MS;
      },
      (v) => ({
        message:
          /^\d+[hdwy]$/.test(v) && (vmRetentionMs(v) ?? Infinity) >= VM_RETENTION_REFUSED_MS
            ? `expected a duration below ${VM_RETENTION_REFUSED_MS / 86_400_000}d: vmstorage refuses a -retentionPeriod of 1201 months of 31 days or more`
            : `expected ${VM_RETENTION_FORM}`,
      }),
    ),
    vmMonths,
  ).default(example);

/** A VictoriaMetrics month: 31 days (lib/flagutil/duration.go:223 msecsPer31Days at v1.144.0). */
const VM_MONTH_MS = 31 * 86_400_000;
/**
 * A number without its unit as vmstorage reads it (lib/flagutil/duration.go:98-111 at v1.144.0,
 * "deprecated" there): `int64(months * msecsPer31Days)` milliseconds, offered as the same retention
 * in whole days, else whole hours (1.5 months: "1116h"). Above 1200 months vmstorage refuses the
 * number (:103-105) and reads nothing: no offer.
 */
const vmMonths: BareNumberOffer = (n) => {
  if (n > VM_MAX_MONTHS) return undefined;
  const ms = Math.floor(n * VM_MONTH_MS);
  const value =
    ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : undefined;
  const months = `${n} month${n === 1 ? "" : "s"}`;
  return value === undefined
    ? undefined
    : { value, why: `vmstorage would read it as ${months} of 31 days, the same retention as "${value}"` };
};

/**
 * A duration the program writes into a Loki or Mimir field (config/engineKeys.ts): the form that
 * field's Go type takes. A Go `time.Duration` has no d, w or y (Go's time.ParseDuration;
 * upstream/engines/data/loki-3.6.3 README, `go_duration`): `1d` there stops Loki at load, so the schema
 * writes days, weeks and years as hours (`1d` -> `24h`, a year being 365 days as Prometheus counts
 * it); a Prometheus `model.Duration` takes every unit the schema does, unchanged.
 */
const engineDuration = (key: string, example: string) => {
  const kind = engineDurationOf(key);
  if (kind === undefined) throw new Error(`config/engineKeys.ts: ${key} writes no engine duration`);
  return kind === "model.Duration" ? duration(example) : goDuration(example, key);
};

/**
 * A duration whose reader is a Go `time.Duration` (Go's time.ParseDuration: no d, w or y): every
 * form the schema takes, d, w and y being the program's to turn into hours, never the user's.
 */
const goDuration = (example: string, key: string) => {
  const form = durationForm(
    example,
    `; ${key} becomes a Go time.Duration, which the program writes d, w and y into as hours, "1d" as "24h"`,
  );
  return offeringForBare(
    z.string({ description: form }).refine(durationAboveZero, durationRefusal(form)).transform(toGoDuration),
    inExampleUnit(example),
  );
};

/**
 * A schema duration as a Go `time.Duration` string: d, w and y (which Go's time.ParseDuration
 * lacks) added into the hours ("1d12h" -> "36h", "1d30m" -> "24h30m"), other parts unchanged.
 */
export function toGoDuration(value: string): string {
  if (durationSeconds(value) === undefined || !/[dwy]/.test(value)) return value;
  let hours = 0;
  let rest = "";
  for (const [, n, unit] of value.matchAll(DURATION_PART)) {
    if (["y", "w", "d", "h"].includes(unit)) hours += (Number(n) * PROM_UNIT_MS[unit]) / 3_600_000;
    else rest += `${n}${unit}`;
  }
  return `${hours > 0 ? `${hours}h` : ""}${rest}` || "0";
}

/**
 * A CPU quantity: text ("500m", "4") or a plain YAML number (`cpu: 4`, `cpu: 0.5`), which
 * Kubernetes takes for a quantity as well; numbers become their text.
 */
const quantity = (example: string) =>
  z.preprocess(
    (v) => (typeof v === "number" && Number.isFinite(v) ? String(v) : v),
    z
      .string({ description: `a Kubernetes quantity like "${example}"` })
      .refine((v) => parseQuantity(v) !== undefined && parseQuantity(v)! > 0, {
        // "+4", "1e3" and "4E" are quantities to the API server but not forms a stack file takes
        // (contract/quantity.ts STACK_FILE_QUANTITY): the form is spelled out so they read as refused.
        message: `expected a Kubernetes quantity above zero like "${example}": digits, an optional fraction and an optional unit (m|k|M|G|T|Ki|Mi|Gi|Ti), no sign or exponent`,
      }),
  );
/**
 * A byte size: a Kubernetes quantity with a byte unit. A bare number is bytes to Kubernetes ("10" is
 * ten bytes) and "m" is thousandths, so both are refused as sizes. The units are the byte units of
 * the quantities a stack file may write (contract/quantity.ts STACK_FILE_QUANTITY: no Pi or P).
 */
export const SIZE_UNITS = ["Ki", "Mi", "Gi", "Ti", "k", "M", "G", "T"] as const;
const SIZE_UNIT = new RegExp(`^\\d+(\\.\\d+)?(${SIZE_UNITS.join("|")})$`);
/** The units as the message lists them: the binary ones, then the decimal ones. */
const SIZE_UNIT_WORDS = `${SIZE_UNITS.filter((u) => u.endsWith("i")).join("|")} or ${SIZE_UNITS.filter((u) => !u.endsWith("i")).join("|")}`;
/** What a size key expects, as its refusal says it (`chartValues` overrides of one too: stackKeyPaths.ts). */
export const SIZE_EXPECTED = (example: string) =>
  `expected a Kubernetes quantity above zero like "${example}": digits, an optional fraction and a byte unit (${SIZE_UNIT_WORDS}), no sign or exponent (a bare number would be bytes)`;
const size = (example: string) =>
  z
    .string({ description: `a size like "${example}" (a number + Ki, Mi, Gi or Ti, as text)` })
    .refine((v) => SIZE_UNIT.test(v.trim()) && parseQuantity(v)! > 0, { message: SIZE_EXPECTED(example) });
/**
 * A DNS-1123 label, as Kubernetes validates namespace and label-like names
 * (k8s.io/apimachinery/pkg/util/validation IsDNS1123Label: at most 63 characters).
 */
const dnsLabelForm = () =>
  z.string().refine((v) => v.length <= 63 && DNS_LABEL.test(v), {
    message:
      "expected a DNS label (DNS-1123: at most 63 characters, lowercase letters, digits and '-', starting and ending with a letter or digit)",
  });
const dnsLabel = dnsLabelForm();
/** A DNS-1123 subdomain, as Kubernetes validates StorageClass names (IsDNS1123Subdomain: at most 253). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const storageClassName = z.string().refine((v) => v.length <= 253 && DNS_SUBDOMAIN.test(v), {
  message:
    "expected a StorageClass name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', at most 253 characters)",
});

/** A bucket name prefix; the full names are checked against S3's rules in crossChecks. */
const bucketPrefix = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, {
  message:
    "expected a bucket name prefix (lowercase letters, digits and '-', starting with a letter or digit)",
});

/**
 * A TCP port, with a realistic example for its form (errors.ts numberForm reads STAND_INS): a
 * number's form otherwise offers "like 3", which reads as a port to write.
 */
const port = (example: number) => standingIn(() => z.number().int().min(1).max(65535), example);

/**
 * A Garage access key ID: "GK" and 24 hex digits (Deuxfleurs/garage v2.0.0 src/model/key_table.rs
 * `Key::new` makes `GK` + 12 random bytes in hex).
 */
const garageKeyId = z.string().regex(/^GK[0-9a-f]{24}$/, {
  message: 'expected a Garage access key ID ("GK" and 24 hex digits) like "GK31c2f218a2e44f485b94239e"',
});

/**
 * A URL's user info (`scheme://user:password@`): up to the last `@` before the authority ends (at
 * `/`, `?`, `#` or a backslash), as URL parses it. A password may hold an `@` or a space: up to
 * the first `@`, its rest was printed (`https://<redacted>@ss@host`).
 */
const USER_INFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/?#\\]*@/i;

/**
 * The login of `v`: {@link USER_INFO} for a URL that parses; in one that does not, everything up to
 * its last `@`, as a password holding a `/`, `?` or `#` ends URL's authority early
 * (`https://admin:ab/cd@host` is host "admin" with port "ab" to URL), and was printed whole.
 */
const loginOf = (v: string) => (URL.canParse(v) ? USER_INFO : /^([a-z][a-z0-9+.-]*:\/\/).*@/is);

/**
 * A URL as messages show it: its login and its credential-named query parameters' values
 * (`?token=`, `&sig=`: model/secrets.ts withoutQueryCredentials) `<redacted>`, the rest as written.
 */
export function redactUrl(v: string): string {
  return withoutQueryCredentials(v.replace(loginOf(v), "$1<redacted>@"));
}

/** `v` without its login ({@link loginOf}), the rest as written; `v` when it has none. */
export function withoutUserInfo(v: string): string {
  return v.replace(loginOf(v), "$1");
}

/**
 * What the rules between keys read a URL the schema refused as (config/judge.ts
 * misspeltValuesReadAs), and why ("the URL without its login"): its login cut, then a scheme
 * other than http(s) read as http, then what follows its host cut (its path, which a key may take,
 * kept), each only while the key's own form (`accepts`) still refuses it. Undefined when none of these makes it one the key takes.
 * Only its login cut, a URL refused for its scheme too (`ftp://admin:…@host/sub`) was cut whole:
 * the rules ran with the key at its default, and the rest's mistakes (the path Grafana's Ingress
 * refuses, a host outside the cluster) were said once the scheme was fixed.
 */
export function urlAsRead(
  v: string,
  accepts: (url: string) => boolean,
): [meant: string, why: string] | undefined {
  const changes: string[] = [];
  let read = withoutUserInfo(v);
  if (read !== v) changes.push("without its login");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(read)?.[1];
  if (scheme === undefined) return undefined;
  if (!accepts(read) && !/^https?$/i.test(scheme)) {
    read = `http${read.slice(scheme.length)}`;
    changes.push(`with http for its scheme ${scheme}`);
  }
  if (!accepts(read) && URL.canParse(read)) {
    const u = new URL(read);
    // A key that takes a path (secrets.connectUrl) keeps it: only its query and fragment are cut.
    const withPath = `${u.protocol}//${u.host}${u.pathname}`;
    const keepsPath = u.pathname !== "/" && u.pathname !== "" && accepts(withPath);
    read = keepsPath ? withPath : `${u.protocol}//${u.host}`;
    changes.push(keepsPath ? "without its query and fragment" : "without what follows its host");
  }
  return changes.length > 0 && accepts(read) ? [read, `the URL ${listed(changes)}`] : undefined;
}

/** What a bare URL ({@link httpUrlProblem}) has none of after its host, as the messages say it. */
export const BARE_URL_PARTS = "no path, query or fragment";

/** What a URL that takes a path has none of after it ({@link UrlTail} "path"), as the messages say it. */
export const PATH_URL_PARTS = "no query or fragment";

/**
 * What a URL key takes after its host: nothing (`true`, a bare URL: {@link BARE_URL_PARTS}), a path
 * but no query or fragment (`"path"`, a base that a client appends its API's paths to as text), or
 * anything (`false`).
 */
export type UrlTail = boolean | "path";

/**
 * Why a string is not an http(s) URL with a host and no credentials (and, by `bare`, nothing or only
 * a path after the host: {@link UrlTail}): every part refused, in one sentence ("it carries
 * credentials and has a path and a query"). The first part alone named sent its writer back once
 * per part (`/sub?x=1` was refused for its path, then for its query).
 */
export function httpUrlProblem(v: string, bare: UrlTail): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return "it has no scheme";
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    // A login whose password holds a `/`, `?` or `#` ends URL's host part early, so the URL does
    // not parse: it is one with a login all the same, said so, with what else is wrong after it.
    const rest = withoutUserInfo(v);
    return rest !== v && URL.canParse(rest)
      ? httpUrlProblem(rest.replace(/^([a-z][a-z0-9+.-]*:\/\/)/i, "$1login@"), bare)
      : "it does not parse as a URL";
  }
  // What the URL lacks and what it holds that it must not, each a clause of "it ...". Each part
  // after the host is named as what it is: a query (`?orgId=1`) called a path sent its writer
  // looking for a `/`. An empty query or fragment too (`https://host/?`, `#`): URL gives "" for
  // it, and Grafana's root_url kept the `?`.
  const after = bare
    ? [
        ...(bare === true && u.pathname !== "/" && u.pathname !== "" ? ["a path"] : []),
        ...(u.search !== "" || /^[^#]*\?/.test(v) ? ["a query"] : []),
        ...(u.hash !== "" || v.includes("#") ? ["a fragment"] : []),
      ]
    : [];
  const it = [
    ...(u.hostname === "" ? ["has no host"] : []),
    ...(u.username !== "" || u.password !== "" || /\/\/[^/]*@/.test(v) ? ["carries credentials"] : []),
    ...(after.length > 0 ? [`has ${listed(after)}`] : []),
  ];
  const clauses = [
    ...(u.protocol !== "http:" && u.protocol !== "https:"
      ? [`its scheme is ${u.protocol.replace(":", "")}`]
      : []),
    ...(it.length > 0 ? [`it ${listed(it)}`] : []),
  ];
  return clauses.length > 0 ? clauses.join(" and ") : undefined;
}

/**
 * A valid value of a key's form, by the form's schema: it stands in for a required key's refused
 * value while the rules between keys run (config/judge.ts repairedRaw), so the map holding the key
 * stays judged (a bad `objectStore.adminEndpoint` set the whole object store aside, and every rule
 * that reads it, `existing.buckets` among them, waited for the next run).
 */
export const STAND_INS = new WeakMap<z.ZodTypeAny, unknown>();

/**
 * A form of its own (`form()` gives a fresh schema) with `value` standing in for it (STAND_INS):
 * for a required key inside a map the rules between keys read for its other keys (a missing
 * `grafana.ingress.controllerNamespace` otherwise set `grafana.ingress` aside, and the rule on
 * `grafana.url`'s scheme against its TLS waited for the next run). The value is the key's own
 * example, as the notes name it.
 */
const standingIn = <T extends z.ZodTypeAny>(form: () => T, value: z.infer<T>): T => {
  const schema = form();
  STAND_INS.set(schema, value);
  return schema;
};

const httpUrl = (example: string, bare: UrlTail) => {
  const schema = z.string().superRefine((v, ctx) => {
    const problem = httpUrlProblem(v, bare);
    const tail = bare === true ? `, ${BARE_URL_PARTS}` : bare === "path" ? `, ${PATH_URL_PARTS}` : "";
    if (problem)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: `expected a URL with scheme http or https, a host${tail} and no credentials, like "${example}" (${problem})`,
      });
  });
  // The example the message gives is of the form: the rules read it in a refused value's place.
  STAND_INS.set(schema, example);
  return schema;
};

/**
 * A tenant ID Loki and Mimir accept (grafana/dskit tenant/tenant.go ValidTenantID: letters, digits
 * and !-_.*'(), at most 150 characters, not "." or "..").
 */
const tenant = z.string().refine((v) => /^[a-zA-Z0-9!\-_.*'()]{1,150}$/.test(v) && v !== "." && v !== "..", {
  message:
    'expected a tenant ID Loki and Mimir accept (1-150 of a-z A-Z 0-9 ! - _ . * \' ( ), not "." or "..")',
});
const count = (min: number) => z.number().int().min(min);

const taint = z
  .object({
    /** Taint key. */
    key: z.string().min(1),
    /** Taint value. Default none. */
    value: z.string().optional(),
    /** NoSchedule, PreferNoSchedule or NoExecute. */
    effect: z.enum(TAINT_EFFECTS),
  })
  .strict();

/**
 * Architecture names as `uname -m` prints them on a node, with the `arch` each means (the node's
 * kubernetes.io/arch label, Go's GOARCH): Linux names the machine per architecture
 * (arch/arm64/Makefile and arch/x86/Makefile, UTS_MACHINE), so a Pi's `aarch64` is `arm64` here.
 */
export const UNAME_ARCHES: Readonly<Record<string, string>> = { aarch64: "arm64", x86_64: "amd64" };

const nodePool = z
  .object({
    /** Pool name, used in the budget table. */
    name: dnsLabel,
    /** CPU architecture of the pool's nodes. */
    arch: z.enum(POOL_ARCHES),
    /** Number of nodes in the pool. */
    count: count(1),
    /** Allocatable CPU per node, e.g. "4", "3500m" or a plain number (4). */
    cpu: quantity("4"),
    /** Allocatable memory per node, e.g. "8Gi". */
    memory: size("8Gi"),
    /** Labels that identify the pool's nodes (default: kubernetes.io/arch=<arch>). */
    labels: z.record(z.string()).optional(),
    /** Taints on the pool's nodes; workloads need a toleration to land there. */
    taints: z.array(taint).default([]),
  })
  .strict();

const minioStore = z
  .object({
    /** "minio": buckets and per-consumer users on MinIO. */
    type: z.literal("minio"),
    /** S3 endpoint URL with scheme, e.g. "http://minio.storage.svc.cluster.local:9000". */
    endpoint: httpUrl("http://minio.storage.svc:9000", true),
    /**
     * MinIO endpoint as seen from where Pulumi runs (the MinIO provider creates buckets and users
     * through it), e.g. "http://localhost:9000" with `kubectl -n storage port-forward svc/minio
     * 9000:9000`. Default: `endpoint` (right only when Pulumi runs inside the cluster).
     */
    adminEndpoint: httpUrl("http://localhost:9000", true).optional(),
    /** S3 region. */
    region: z.string().min(1).default("us-east-1"),
    /**
     * With an https:// endpoint: do not verify its certificate (the MinIO provider, Loki, Mimir).
     * With http:// the traffic is plain HTTP whatever this says (the scheme decides). Default: true
     * when the endpoint is http://.
     */
    insecure: z.boolean().optional(),
    /** Path-style addressing (MinIO needs it). */
    pathStyle: z.boolean().default(true),
    /** Prefix for bucket names. Default: the cluster name. */
    bucketPrefix: bucketPrefix.optional(),
    /**
     * Turn on versioning of the buckets the program manages and keep deleted or overwritten
     * objects this many days (a MinIO lifecycle rule expires noncurrent versions), so a wrong
     * `mc rm` or a bug can be undone. Needs an erasure-coded or single-drive MinIO (not the old
     * FS mode). The rule replaces any lifecycle rules on those buckets. Default: off.
     */
    keepDeletedDays: z.number().int().min(1).optional(),
    /**
     * Buckets that earlier versions of the program created and that nothing reads any more, which
     * this stack already has: "loki-ruler", "loki-admin", "mimir-alertmanager". Listed ones stay
     * in the stack's state (protected in production) but no user is granted them. An unlisted one
     * is never created, and one the stack has leaves its state at the next update (refused in
     * production while it is protected) yet stays on the store: every bucket is retainOnDelete. A
     * new stack leaves this out. To remove one, see docs/explanation/mimir.md ("Buckets nothing
     * reads"). Default [].
     */
    keepUnusedBuckets: z.array(z.enum(UNUSED_BUCKETS)).default([]),
  })
  .strict();

/**
 * Garage (Deuxfleurs/garage v2.0.0): buckets and one access key per consumer through its admin API
 * v2 (upstream/garage/data/). Garage accepts S3 requests signed for its own `s3_region` only, and
 * answers path-style requests always (src/api/common/signature/payload.rs `verify_v4`;
 * doc/book/reference-manual/configuration.md `s3_region`, `root_domain`).
 */
const garageStore = z
  .object({
    /** "garage": buckets and per-consumer access keys on Garage, through its admin API v2. */
    type: z.literal("garage"),
    /** S3 endpoint URL with scheme (Garage's `s3_api.api_bind_addr`), e.g. "http://garage.storage.svc.cluster.local:3900". */
    endpoint: httpUrl("http://garage.storage.svc:3900", true),
    /**
     * Garage's admin API as seen from where Pulumi runs (`admin.api_bind_addr`), e.g.
     * "http://localhost:3903" with `kubectl -n storage port-forward svc/garage 3903:3903`. The
     * admin API is on its own port, so there is no default. Required.
     */
    adminEndpoint: httpUrl("http://localhost:3903", true),
    /**
     * Garage's S3 endpoint as seen from where Pulumi runs, e.g. "http://localhost:3900": used only to
     * empty a bucket the stack deletes with deleteNonEmptyBuckets. Default: `endpoint`.
     */
    s3AdminEndpoint: httpUrl("http://localhost:3900", true).optional(),
    /**
     * Garage's `s3_region` (its config has no default; "garage" is the value of its quick-start and
     * reference configuration). A request signed for another region is refused.
     */
    region: z.string().min(1).default("garage"),
    /**
     * With an https:// endpoint: do not verify its certificate (the admin API client, Loki, Mimir).
     * Default: true when the endpoint is http://.
     */
    insecure: z.boolean().optional(),
    /** Prefix for bucket names. Default: the cluster name. */
    bucketPrefix: bucketPrefix.optional(),
    /**
     * Access keys that exist in Garage already, per consumer (their access key IDs, "GK..."): imported
     * (takeover) instead of created, and granted the consumer's buckets. The stack takes no
     * permission away from an imported key, so one holding a grant on another bucket, the right to
     * create buckets, or a local alias under one of its consumer's bucket names on another bucket
     * (where its S3 requests would go instead) is refused at its import (`pulumi preview`, `pulumi up`), each named with the
     * `garage` command that revokes it (`garage key info <id>` lists them); one key per consumer. The stack
     * never deletes an imported key: a destroy, or its consumer leaving the phase, revokes the grants
     * the stack gave it and leaves the key in Garage. Default: none.
     */
    existingKeys: z
      .object({
        /** Loki's access key ID. Default: a new key. */
        loki: garageKeyId.optional(),
        /** Mimir's access key ID. Default: a new key. */
        mimir: garageKeyId.optional(),
      })
      .strict()
      .default({}),
    /**
     * Let the program delete a bucket that still holds objects (an update that removes it, with
     * buckets otherwise retained). Default false: such a delete is refused and names the bucket.
     */
    deleteNonEmptyBuckets: z.boolean().default(false),
  })
  .strict();

const cephStore = z
  .object({
    /** "ceph-rgw": ObjectBucketClaims on Ceph RGW (Rook). */
    type: z.literal("ceph-rgw"),
    /** StorageClass that provisions ObjectBucketClaims. */
    storageClass: storageClassName.default("ceph-bucket"),
    /** Prefix for bucket names. Default: the cluster name. */
    bucketPrefix: bucketPrefix.optional(),
    /** S3 region reported to consumers. */
    region: z.string().min(1).default("us-east-1"),
  })
  .strict();

const filesystemStore = z
  .object({
    /** "filesystem": each consumer on its own volume (one-node clusters). */
    type: z.literal("filesystem"),
  })
  .strict();

const objectStore = z.discriminatedUnion("type", [minioStore, garageStore, cephStore, filesystemStore], {
  errorMap: (issue, ctx) =>
    issue.code === "invalid_union_discriminator"
      ? {
          message: `expected type to be one of minio | garage | ceph-rgw | filesystem, got ${JSON.stringify(ctx.data?.type)}`,
        }
      : { message: ctx.defaultError },
});

const onepasswordItems = z
  .object({
    /** Item holding the MinIO admin login (fields username, password). */
    minioAdmin: z.string().min(1).default("minio-admin"),
    /** Item holding Garage's admin API token (field "credential"). */
    garageAdmin: z.string().min(1).default("garage-admin"),
    /** Item holding the Pushover application token (field "token") and user key (field "user_key"). */
    pushover: z.string().min(1).default("pushover"),
    /** Item holding the Grafana admin login (fields username, password). */
    grafanaAdmin: z.string().min(1).default("grafana-admin"),
    /** Item holding the heartbeat webhook URL (field "url"). */
    heartbeat: z.string().min(1).default("alertmanager-heartbeat"),
  })
  .strict();

/** A 1Password vault ID: 26 lowercase letters and digits (connect-sdk-go v1.5.3 connect/client.go isValidUUID). */
export const ONEPASSWORD_VAULT_ID = /^[a-z0-9]{26}$/;
/** The form of `secrets.vault` as every message about it says it: the rule (resolve.ts) and the schema's "required". */
export const ONEPASSWORD_VAULT_FORM =
  "a 1Password vault ID (26 lowercase letters and digits, as `op vault list` prints it)";

const secretsBackend = z.discriminatedUnion("backend", [
  z
    .object({
      /** "onepassword": human-owned secrets from a 1Password vault. */
      backend: z.literal("onepassword"),
      /** Vault UUID the items live in. */
      // Its form is said here too: without it, a vault left out or empty was "expected text", where
      // the rule that judges a value written (resolve.ts onePasswordVaultProblems) asks for an ID.
      // (A pattern, not min(1): the "required" message takes a key's form from its own pattern.)
      vault: z.string().regex(/\S/, { message: `expected ${ONEPASSWORD_VAULT_FORM}` }),
      // A path is taken (a Connect server behind a proxy's prefix), but no query or fragment: the
      // provider's Connect client (1Password/connect-sdk-go connect/client.go buildRequest) appends
      // each API path to this text, so `?x=1` or `#f` swallowed `/v1/vaults/...` and every request
      // missed the API.
      /** 1Password Connect URL, a path allowed; without it a service account token is used. */
      connectUrl: httpUrl("http://onepassword-connect.onepassword.svc:8080", "path").optional(),
      /** Item titles. */
      items: onepasswordItems.default({}),
    })
    .strict(),
  z
    .object({
      /** "config": secrets from Pulumi config (`pulumi config set --secret`). */
      backend: z.literal("config"),
    })
    .strict(),
]);

const loki = z
  .object({
    /**
     * Loki's deployment mode, by the loki chart's names: "Monolithic" (every component in each
     * pod; up to about 20 GB of logs a day), "Distributed" (the chart's components apart, for more),
     * "SimpleScalable" (write, read and backend targets: deprecated upstream, removed before Loki
     * 4.0; kept for a running stack, with a warning, until it moves off through
     * "Monolithic<->SimpleScalable", docs/how-to/loki-off-simple-scalable.md), "SingleBinary" (the
     * old name of "Monolithic"). Default "Monolithic", or "Distributed" when workload.logsPerDay is
     * above what Monolithic holds.
     */
    mode: z.enum(LOKI_MODES).optional(),
    /**
     * Monolithic replicas. Default 3 (highly available, with replicationFactor 3) when the stack has
     * object storage and at least 3 nodes, in the standard profile; else 1.
     */
    replicas: count(1).optional(),
    /** SimpleScalable write replicas; while moving off SimpleScalable, the write pods still running. */
    write: count(0).default(3),
    /** SimpleScalable read replicas. */
    read: count(1).default(3),
    /** SimpleScalable backend replicas. */
    backend: count(1).default(3),
    /**
     * Replication factor; never above the replicas that serve writes. Default 3 with 3 or more
     * monolithic replicas and in Distributed mode, else 1.
     */
    replicationFactor: count(1).optional(),
    /** How long logs are kept; at least a day (Loki's minimum: retention runs on the 24h index). */
    retention: engineDuration("loki.retention", "7d").default("7d"),
    /**
     * Delay before the compactor deletes marked chunks. Loki reads it as a Go duration
     * (compactor.retention_delete_delay): the program writes days, weeks and years into it as hours
     * ("1d" as "24h").
     */
    deleteDelay: engineDuration("loki.deleteDelay", "2h").default("2h"),
    /** Multi-tenant mode. Default false (tenant "fake"). */
    authEnabled: z.boolean().default(false),
    /** Tenant used by agents when authEnabled. */
    tenant: tenant.default("homelab"),
    /**
     * Tenants Loki filed logs under before `loki.tenant` (or turning `loki.authEnabled` on) moved
     * them: Grafana's Loki datasource reads them beside `loki.tenant` (X-Scope-OrgID
     * `<tenant>|<old>...`, Loki's `querier.multi_tenant_queries_enabled`), writes still go to
     * `loki.tenant` alone. "fake" is the tenant with authEnabled false. Needs authEnabled (with it
     * off Loki ignores the header). Non-empty, Grafana also gets a "Loki (alerting)" datasource that
     * reads `loki.tenant` alone, for the alerting pages and live tail (Loki's ruler and tail APIs
     * take one tenant). Default [] (docs/how-to/check-a-change.md, "A refused tenant change").
     */
    previousTenants: z.array(tenant).default([]),
    /** Canary DaemonSet. Default true (false in the lightweight profile). */
    canary: z.boolean().optional(),
    /** nginx gateway. Default true (false in the lightweight profile). */
    gateway: z.boolean().optional(),
    /**
     * PVC size of each stateful Loki pod. Default "10Gi", or with the filesystem store and a declared
     * workload.logsPerDay, what retention x logsPerDay needs when that is more.
     */
    volumeSize: size("10Gi").optional(),
  })
  .strict();

const prometheus = z
  .object({
    /** TSDB retention. */
    retention: duration("14d").default("14d"),
    /**
     * Retention by size, at most volumeSize. Default 85% of volumeSize rounded down to whole GiB
     * (whole MiB under 10Gi): "59GiB" on 70Gi (Prometheus docs/storage.md: at most 80-85% of the disk).
     */
    retentionSize: z
      .string()
      .regex(/^\d+(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/, {
        message: 'expected a size like "59GiB"',
      })
      .optional(),
    /**
     * PVC size. Default "70Gi", or what retention x workload.activeSeries needs (2 bytes a sample,
     * 30s scrapes) when that is more.
     */
    volumeSize: size("70Gi").optional(),
    /** Delete the Prometheus volume when KPS is removed. Default false: it is retained. */
    cleanupVolumeOnRemoval: z.boolean().default(false),
    /**
     * This stack's own Prometheus ran and its claim holds data: keep the claim (the program's
     * resource, protected in production) at a phase without kube-prometheus-stack. Set it on a stack
     * that ran KPS before it moves to the phase without KPS. Default false: without KPS the program plans no
     * Prometheus claim, so a fresh install has none; a taken-over claim (takeover.prometheusVolume)
     * is kept either way until cleanupVolumeOnRemoval says otherwise.
     */
    keepVolume: z.boolean().default(false),
  })
  .strict();

/**
 * The least `mimir.blocksRetention` taken: a day. The compactor deletes every block of the bucket
 * whose newest sample is older than `limits.compactor_blocks_retention_period`, and the ingesters
 * keep the last 13h themselves (`blocks_storage.tsdb.retention_period`, default 46800s in
 * upstream/engines/data/mimir-3.0/config-fields.tsv): below that the bucket keeps nothing the
 * ingesters do not, so a slip such as "3m" (minutes, meant as months) deletes all history at the
 * compactor's next run. Mimir starts with it, so only this refuses it.
 */
export const MIMIR_MIN_BLOCKS_RETENTION_SECONDS = 86400;
export const MIMIR_BLOCKS_RETENTION_FORM =
  'a duration of at least 1d like "90d" (number + h|d|w|y; "m" is minutes, not months): the compactor deletes every block older than this, and below a day the bucket keeps no history';

/**
 * `mimir.blocksRetention`: a Prometheus model.Duration in the limits block (config/engineKeys.ts),
 * of at least a day, with one form for every wrong value (no duration at all, or too short).
 */
const mimirBlocksRetention = () => {
  if (engineDurationOf("mimir.blocksRetention") !== "model.Duration")
    throw new Error("config/engineKeys.ts: mimir.blocksRetention is no longer a model.Duration");
  return offeringForBare(
    z
      .string({ description: `a duration of at least 1d like "90d" (a number + h, d, w or y, as text)` })
      .refine(
        (v) => (durationSeconds(v) ?? 0) >= MIMIR_MIN_BLOCKS_RETENTION_SECONDS,
        durationRefusal(MIMIR_BLOCKS_RETENTION_FORM),
      ),
    inExampleUnit("90d"),
  );
};

const mimir = z
  .object({
    /** Monolithic replicas. */
    replicas: count(1).default(1),
    /**
     * Active series limit per tenant (Mimir's 150000 default is too low); Mimir's memory is sized to
     * hold it. Default workload.activeSeries when declared, else 1000000, or less where the largest
     * node could not hold a Mimir sized for that (the most it can, in steps of 10000).
     */
    maxGlobalSeriesPerUser: count(1).optional(),
    /**
     * Samples per second per tenant (`limits.ingestion_rate`; the burst is twice it). Default
     * 100000, or what Mimir's series cap (maxGlobalSeriesPerUser) scraped every 30s sends when that
     * is more. A set value below what workload.activeSeries sends is refused: the distributor
     * refuses the samples beyond it.
     */
    ingestionRate: count(1).optional(),
    /**
     * Multi-tenancy; when on, writers send X-Scope-OrgID. Off, Mimir files everything under the
     * tenant `anonymous`: turning it on or off on a running stack is refused by `synth --against`
     * (docs/how-to/check-a-change.md, "A refused tenant change").
     */
    multitenancy: z.boolean().default(false),
    /** Tenant when multitenancy is on; a change on a running stack is refused likewise. */
    tenant: tenant.default("homelab"),
    /**
     * Tenants Mimir filed metrics under before `mimir.tenant` (or turning `mimir.multitenancy` on)
     * moved them: Grafana's Mimir datasources read them beside `mimir.tenant` (X-Scope-OrgID
     * `<tenant>|<old>...`, Mimir's `tenant_federation.enabled`), writes and the ruler's rules stay on
     * `mimir.tenant`. "anonymous" is the tenant with multitenancy off. Needs multitenancy (with it off
     * Mimir ignores the header). Non-empty, Grafana also gets a "Mimir (alerting)" datasource that
     * reads `mimir.tenant` alone, for the alerting pages (Mimir's ruler API takes one tenant).
     * Default [] (docs/how-to/check-a-change.md, "A refused tenant change").
     */
    previousTenants: z.array(tenant).default([]),
    /**
     * PVC size. Default "20Gi", or what the ingester, store-gateway and compactor need for a declared
     * workload.activeSeries when that is more.
     */
    volumeSize: size("20Gi").optional(),
    /**
     * How long the compactor keeps blocks in the bucket (Mimir's own default, 0, keeps them
     * forever and the bucket only grows). Default "90d": well beyond Prometheus's 14 days. At
     * least "1d": less deletes the history as the ingesters upload it (docs/explanation/mimir.md).
     */
    blocksRetention: mimirBlocksRetention().default("90d"),
  })
  .strict();

const victoriametrics = z
  .object({
    /** vmsingle retention (-retentionPeriod). */
    retention: vmRetention("14d"),
    /**
     * vmsingle PVC size. Default "20Gi", or what retention x workload.activeSeries needs (about 1
     * byte a sample, 20% free space, 20% index) when that is more.
     */
    volumeSize: size("20Gi").optional(),
    // vmsingle's (a cluster's vmstorage and vmselect's) -dedup.minScrapeInterval is a Go
    // flag.Duration (VictoriaMetrics app/vmstorage/main.go; Debian's victoria-metrics 1.79.5 stops on
    // "1d" and "1d12h": parse error), and the VMAgent CRD's pattern `[0-9]+(ms|s|m|h)` refuses "1d"
    // (victoria-metrics-k8s-stack 0.80.0 charts/victoria-metrics-operator/charts/crds/crds/crd.yaml:6366-6367).
    /** vmagent scrape interval, and the storage's deduplication interval (-dedup.minScrapeInterval). */
    scrapeInterval: goDuration("30s", "victoriametrics.scrapeInterval").default("30s"),
    /**
     * vmagent disk buffer size per remote write (-remoteWrite.maxDiskUsagePerURL), at most 2Gi:
     * vmagent's queue volume, a fixed 2Gi, holds it.
     */
    bufferSize: size("1Gi").default("1Gi"),
  })
  .strict();

/** A receiver's name: a DNS label (it names its Secret, `alertmanager-receiver-<name>`), not one of the program's own. */
const receiverName = z.string().refine(isReceiverName, {
  message: `expected a receiver name (lowercase letters, digits and '-', at most 40 characters, not ${RESERVED_RECEIVERS.join(", ")}) like "team-slack"`,
});
/** `host:port` as Alertmanager's HostPort takes it (prometheus/alertmanager v0.28.1 config/config.go HostPort: both parts). */
const hostPort = z.string().regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, {
  message: 'expected host:port like "smtp.example.net:587"',
});
const receiverUrl = httpUrl("https://api.example.net", false);
/**
 * The addresses of an email receiver's `to` or `from` as Go's net/mail `ParseAddressList` parts
 * them (each comment a space), or undefined where it refuses how they are parted (a ";" that is
 * "expected comma", a group left open, a comment opening an address or left open): outside a
 * quoted string, a comment, an `<...>` or a `[...]`, ";" only ends a group (`team: a@x, b@x;`),
 * followed by "," or the end, and "," parts addresses. Checked against go1.23.6 (Alertmanager v0.28.1's Go, .promu.yml), e.g.
 * `a@x (Ops; on call), b@x` is two addresses and `a@x;` is refused.
 */
function mailAddresses(v: string): string[] | undefined {
  const out: string[] = [];
  let [item, quoted, comment, closer, group] = ["", false, 0, "", false];
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (comment > 0) {
      if (c === "\\") i++;
      else comment += c === "(" ? 1 : c === ")" ? -1 : 0;
    } else if (quoted) {
      item += c === "\\" ? c + (v[++i] ?? "") : c;
      quoted = c !== '"';
    } else if (closer !== "") {
      item += c;
      if (c === closer) closer = "";
    } else if (c === "(") {
      // An address cannot open with a comment: net/mail reads it as a display name's first word,
      // which no comment may be (go1.26.8 message.go:393-431, 575-632: `(Ops) ops@x` is "missing word in
      // phrase"); after a word it parts what is around it as a space does.
      if (item.trim() === "") return undefined;
      comment = 1;
      item += " ";
    } else if (c === '"' || c === "<" || c === "[") {
      item += c;
      if (c === '"') quoted = true;
      else closer = c === "<" ? ">" : "]";
    } else if (c === ":" && !group) {
      // A group's display name is a phrase of one word or more (`: a@x;` is "missing word in phrase").
      if (item.trim() === "") return undefined;
      [item, group] = ["", true];
    } else if (c === ";" && !group) return undefined;
    else if (c === "," || c === ";") {
      out.push(item);
      item = "";
      // After a group's ";" net/mail takes only "," (or the end): `team: a@x; b@x` is "expected comma".
      if (c === ";" && !/^\s*([,(]|$)/.test(v.slice(i + 1))) return undefined;
      if (c === ";") group = false;
    } else item += c;
  }
  // An unclosed comment is "misformatted parenthetical comment"; a group its ";" does not close,
  // "expected comma" (`Team: a@x`).
  if (comment > 0 || group) return undefined;
  out.push(item);
  return out.map((a) => a.trim()).filter((a) => a !== "");
}

/**
 * Whether an email receiver's `to` or `from` (`one`: a single address) is text Go's net/mail reads
 * as addresses: each an addr-spec, alone or in `<...>` after a display name, as net/mail reads one
 * ({@link mailboxReadable}: not `ops`, `ops@`, `.ops@x` or `ops@[IPv6:::1]`), parted by "," (not
 * by ";", as some mail clients write lists), and a `from` not of several. Display names are read
 * as words and quoted strings (their encoded words, RFC 2047, as any word). Alertmanager checks none when it loads its config (prometheus/alertmanager
 * v0.28.1 config/notifiers.go:302-309 refuses an empty `to` only; `amtool check-config` passes
 * `to: ops`) but parses both with `mail.ParseAddressList` when it sends (notify/email/email.go:220-232,
 * `from` exactly one), and a failure there drops the mail unretried: "missing '@' or angle-addr",
 * "expected comma", "must be exactly one 'from' address". A value holding a template (`{{ ... }}`)
 * is known only when Alertmanager runs it.
 */
function mailAddressesReadable(v: string, one: boolean): boolean {
  if (v.includes("{{")) return true;
  const addresses = mailAddresses(v);
  if (addresses === undefined || addresses.length === 0) return false;
  return addresses.every(mailboxReadable) && (!one || addresses.length === 1);
}

/*
 * RFC 5322's addr-spec as Go's net/mail reads it (go1.23.6 src/net/mail/message.go, as go1.26.8):
 * a local part and a domain, each a dot-atom (atext, :913-923: a visible character or one beyond
 * ASCII but the specials, in runs parted by single dots, none leading or trailing, :683-718) or,
 * for the local part, a non-empty quoted string (:529-535); the domain else a domain literal
 * `[...]` whose text Go's net.ParseIP reads (:721-760: `[1.2.3.4]`, `[2001:db8::1]`; not
 * `[IPv6:2001:db8::1]`); spaces only after the "@" (:514-573).
 */
const ATEXT = String.raw`[!#-'*+\-/-9=?A-Z^-~\u{80}-\u{10FFFF}]`;
const DOT_ATOM = String.raw`${ATEXT}+(?:\.${ATEXT}+)*`;
const QUOTED = String.raw`"(?:[\t !#-\[\]-~\u{80}-\u{10FFFF}]|\\[\t !-~\u{80}-\u{10FFFF}])+"`;
const ADDR_SPEC = new RegExp(
  String.raw`^(?:${DOT_ATOM}|${QUOTED})@[ \t]*(?:${DOT_ATOM}|\[([^\[\]\\]*)\])`,
  "u",
);
/** A display name before `<`: words (atext and dots, :683-718 permissive) or quoted strings (net/mail consumePhrase, :576-627). */
const PHRASE = new RegExp(
  String.raw`^(?:[ \t]*(?:[!#-'*+\-./-9=?A-Z^-~\u{80}-\u{10FFFF}]+|${QUOTED.replace(/\+"$/, '*"')}))*[ \t]*$`,
  "u",
);

/** The addr-spec at the start of `s` as net/mail consumes it, or undefined (a domain literal Go's net.ParseIP refuses too). */
function addrSpecAt(s: string): string | undefined {
  const m = ADDR_SPEC.exec(s);
  if (!m) return undefined;
  // net.ParseIP takes no zone (`%eth0`), which Node's isIP does.
  if (m[1] !== undefined && (isIP(m[1]) === 0 || m[1].includes("%"))) return undefined;
  return m[0];
}

/**
 * Whether one address (its comments dropped, {@link mailAddresses}) is one net/mail reads: an
 * addr-spec alone, else a display name and `<addr-spec>` (message.go:394-476: the addr-spec is
 * tried first, and once one is read nothing but a comment or "," may follow it).
 */
function mailboxReadable(a: string): boolean {
  const spec = addrSpecAt(a);
  if (spec !== undefined) return spec === a;
  const angle = /^([^<]*)<(.*)>$/s.exec(a);
  if (!angle || !PHRASE.test(angle[1])) return false;
  const inner = angle[2].replace(/^[ \t]*/, "");
  return addrSpecAt(inner) === inner;
}
const MAIL_FORM = (which: string, several: boolean) =>
  `expected ${which} like "ops@example.net" or "Ops <ops@example.net>" (Go's net/mail form: ${several ? 'each a mailbox, "@" and a domain or [IP address], several parted by commas' : 'a single address: a mailbox, "@" and a domain or [IP address]'})`;
/** An email receiver's `to`: one or more addresses. */
const mailTo = z.string().refine((v) => v !== "" && mailAddressesReadable(v, false), {
  message: MAIL_FORM("one or more email addresses", true),
});
/** An email receiver's `from`: one address (notify/email/email.go:224-226 refuses more). */
const mailFrom = z.string().refine((v) => v !== "" && mailAddressesReadable(v, true), {
  message: MAIL_FORM("one email address", false),
});

/** The program's own keys of every receiver (the rest are Alertmanager's, config/receivers.ts). */
const receiverCommon = {
  /** The receiver's name in Alertmanager's config, and of its credential in the secrets backend. Required. */
  name: receiverName,
  /**
   * Lowest severity sent to it: "warning" (warning and critical alerts) or "critical". The
   * Watchdog never reaches it (it goes to the heartbeat).
   */
  minSeverity: z.enum(["warning", "critical"]).default("warning"),
  /** With secrets.backend onepassword: the 1Password item holding the credential (field: the credential's Alertmanager name). Default "alertmanager-<name>". */
  item: z.string().min(1).optional(),
  /** Alertmanager's `send_resolved`. Default: Alertmanager's for the integration. */
  send_resolved: z.boolean().optional(),
};

/**
 * One receiver: `type` picks the Alertmanager integration, its other keys are Alertmanager's own
 * for it (prometheus/alertmanager v0.28.1 config/notifiers.go). The credential (email
 * auth_password, slack api_url, discord and msteams webhook_url, telegram bot_token, webhook url,
 * pagerduty routing_key) is refused here: it comes from the secrets backend.
 */
const alertReceiver = z
  .discriminatedUnion(
    "type",
    [
      z
        .object({
          /** "email": Alertmanager's email_configs (SMTP). */
          type: z.literal("email"),
          ...receiverCommon,
          /** Address to notify. Required. */
          to: mailTo,
          /** Sender address (the program sets no global `smtp_from`). Required. */
          from: mailFrom,
          /** SMTP server as host:port (the program sets no global `smtp_smarthost`); egress admits its port. Required. */
          smarthost: hostPort,
          /** SMTP login; with it, the password is the receiver's credential. Default none (no SMTP auth). */
          auth_username: z.string().min(1).optional(),
          /** Alertmanager's `auth_identity`. Default none. */
          auth_identity: z.string().optional(),
          /** Alertmanager's `hello`. Default: Alertmanager's ("localhost"). */
          hello: z.string().optional(),
          /** Alertmanager's `require_tls`. Default: Alertmanager's (true). */
          require_tls: z.boolean().optional(),
          /** Alertmanager's `headers`. Default none. */
          headers: z.record(z.string()).optional(),
          /** Alertmanager's `html` template. Default: Alertmanager's. */
          html: z.string().optional(),
          /** Alertmanager's `text` template. Default none. */
          text: z.string().optional(),
          ...refusedCredentials("email"),
        })
        .strict(),
      z
        .object({
          /** "slack": Alertmanager's slack_configs (an incoming webhook). */
          type: z.literal("slack"),
          ...receiverCommon,
          /** Alertmanager's `channel` (e.g. "#alerts"). Default: the webhook's own. */
          channel: z.string().optional(),
          /** Alertmanager's `username`. Default: Alertmanager's. */
          username: z.string().optional(),
          /** Alertmanager's `color` template. Default: Alertmanager's. */
          color: z.string().optional(),
          /** Alertmanager's `title` template. Default: Alertmanager's. */
          title: z.string().optional(),
          /** Alertmanager's `title_link`. Default: Alertmanager's. */
          title_link: z.string().optional(),
          /** Alertmanager's `pretext`. Default none. */
          pretext: z.string().optional(),
          /** Alertmanager's `text` template. Default: Alertmanager's. */
          text: z.string().optional(),
          /** Alertmanager's `footer`. Default none. */
          footer: z.string().optional(),
          /** Alertmanager's `fallback`. Default: Alertmanager's. */
          fallback: z.string().optional(),
          /** Alertmanager's `icon_emoji`. Default none. */
          icon_emoji: z.string().optional(),
          /** Alertmanager's `icon_url`. Default none. */
          icon_url: z.string().optional(),
          /** Alertmanager's `link_names`. Default false. */
          link_names: z.boolean().optional(),
          /** Alertmanager's `short_fields`. Default false. */
          short_fields: z.boolean().optional(),
          ...refusedCredentials("slack"),
        })
        .strict(),
      z
        .object({
          /** "discord": Alertmanager's discord_configs (a channel webhook). */
          type: z.literal("discord"),
          ...receiverCommon,
          /** Alertmanager's `title` template. Default: Alertmanager's. */
          title: z.string().optional(),
          /** Alertmanager's `message` template. Default: Alertmanager's. */
          message: z.string().optional(),
          /** Alertmanager's `content`. Default none. */
          content: z.string().optional(),
          /** Alertmanager's `username`. Default: the webhook's own. */
          username: z.string().optional(),
          /** Alertmanager's `avatar_url`. Default: the webhook's own. */
          avatar_url: z.string().optional(),
          ...refusedCredentials("discord"),
        })
        .strict(),
      z
        .object({
          /** "telegram": Alertmanager's telegram_configs (a bot). */
          type: z.literal("telegram"),
          ...receiverCommon,
          /** The chat to send to (Alertmanager's `chat_id`). Required. */
          chat_id: z
            .number()
            .int()
            .refine((v) => v !== 0, { message: "expected a non-zero Telegram chat ID like -1001234567890" }),
          /** Alertmanager's `message_thread_id`. Default none. */
          message_thread_id: z.number().int().optional(),
          /** Alertmanager's `message` template. Default: Alertmanager's. */
          message: z.string().optional(),
          /** Alertmanager's `disable_notifications`. Default false. */
          disable_notifications: z.boolean().optional(),
          /** Alertmanager's `parse_mode`. Default: Alertmanager's ("HTML"). */
          parse_mode: z.enum(["Markdown", "MarkdownV2", "HTML"]).optional(),
          /** Telegram's API URL; egress admits its port. Default: Alertmanager's, https://api.telegram.org. */
          api_url: receiverUrl.optional(),
          ...refusedCredentials("telegram"),
        })
        .strict(),
      z
        .object({
          /** "msteams": Alertmanager's msteams_configs (an incoming webhook). */
          type: z.literal("msteams"),
          ...receiverCommon,
          /** Alertmanager's `title` template. Default: Alertmanager's. */
          title: z.string().optional(),
          /** Alertmanager's `summary` template. Default: Alertmanager's. */
          summary: z.string().optional(),
          /** Alertmanager's `text` template. Default: Alertmanager's. */
          text: z.string().optional(),
          ...refusedCredentials("msteams"),
        })
        .strict(),
      z
        .object({
          /** "webhook": Alertmanager's webhook_configs (any HTTP endpoint). */
          type: z.literal("webhook"),
          ...receiverCommon,
          /** Alertmanager's `max_alerts` (0: all). Default 0. */
          max_alerts: z.number().int().min(0).optional(),
          /**
           * Alertmanager's `timeout` (e.g. "10s"), a Go time.Duration there (config/notifiers.go:541
           * at v0.28.1, read by gopkg.in/yaml.v2, which refuses "1d"). Default none.
           */
          timeout: goDuration("10s", "timeout").optional(),
          /**
           * The program's own: the port the webhook's URL (a credential the program never sees) is
           * served on, for egress. Default 443.
           */
          port: port(8443).optional(),
          ...refusedCredentials("webhook"),
        })
        .strict(),
      z
        .object({
          /** "pagerduty": Alertmanager's pagerduty_configs (Events API v2). */
          type: z.literal("pagerduty"),
          ...receiverCommon,
          /** The Events API v2 URL; egress admits its port. Default: Alertmanager's, https://events.pagerduty.com/v2/enqueue. */
          url: receiverUrl.optional(),
          /** Alertmanager's `client`. Default: Alertmanager's. */
          client: z.string().optional(),
          /** Alertmanager's `client_url`. Default: Alertmanager's. */
          client_url: z.string().optional(),
          /** Alertmanager's `description` template. Default: Alertmanager's. */
          description: z.string().optional(),
          /** Alertmanager's `severity` template. Default: Alertmanager's. */
          severity: z.string().optional(),
          /** Alertmanager's `class`. Default none. */
          class: z.string().optional(),
          /** Alertmanager's `component`. Default none. */
          component: z.string().optional(),
          /** Alertmanager's `group`. Default none. */
          group: z.string().optional(),
          /** Alertmanager's `source`. Default: Alertmanager's. */
          source: z.string().optional(),
          /** Alertmanager's `details`. Default: Alertmanager's. */
          details: z.record(z.string()).optional(),
          ...refusedCredentials("pagerduty"),
        })
        .strict(),
    ],
    {
      errorMap: (issue, ctx) =>
        issue.code === "invalid_union_discriminator"
          ? {
              message: `expected type to be one of ${RECEIVER_TYPES.join(" | ")}, got ${JSON.stringify(ctx.data?.type)}`,
            }
          : { message: ctx.defaultError },
    },
  )
  .superRefine(refuseCredentials);
// A receiver pasted from Alertmanager keeps its `<integration>_configs` list: said where it goes.
withUnknownKeyHint(alertReceiver, receiverKeyHint);

const alerting = z
  .object({
    /** Send alerts to Pushover. */
    pushover: z.boolean().default(true),
    /** Pushover priority. */
    pushoverPriority: z.number().int().min(-2).max(2).default(0),
    /** Send the Watchdog alert to the heartbeat URL. */
    heartbeat: z.boolean().default(true),
    /** How often the heartbeat fires. */
    heartbeatInterval: duration("1m").default("1m"),
    /**
     * Error-level log lines per second in one namespace above which Loki's ruler alerts
     * (NamespaceLogErrorRateHigh, for 15 minutes).
     */
    logErrorsPerSecond: z.number().positive().default(1),
    /**
     * Receivers beside Pushover and the heartbeat (docs/how-to/alert-receivers.md): each entry a
     * `name`, a `type` (email, slack, discord, telegram, msteams, webhook, pagerduty), a
     * `minSeverity` (warning or critical; default warning) and Alertmanager's own fields for that
     * integration. Its credential comes from the secrets backend, never from here. Default [].
     */
    receivers: z.array(alertReceiver).default([]).superRefine(uniqueReceiverNames),
  })
  .strict();

/** A DNS-1123 subdomain used as a host name (an Ingress rule's `host`, an HTTPRoute's hostname). */
const hostName = standingIn(
  () =>
    z.string().refine((v) => v.length <= 253 && DNS_SUBDOMAIN.test(v), {
      message:
        "expected a host name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.') like \"grafana.example.net\"",
    }),
  "grafana.example.net",
);

const k8sObjectNameForm = () =>
  z.string().refine((v) => v.length <= 253 && DNS_SUBDOMAIN.test(v), {
    message:
      "expected a Kubernetes object name (a DNS-1123 subdomain: lowercase letters, digits, '-' and '.')",
  });
const k8sObjectName = k8sObjectNameForm();

/*
 * The Gateway API's rules for a parentRef's fields, as its CRDs give them (the models generated from
 * them: @kubernetes-models/gateway-api, `_schemas/IoK8sSigsGatewayApiApisV1SectionName.js`,
 * `...Namespace.js`, `...ObjectName.js`): a SectionName is a DNS-1123 subdomain of 1 to 253
 * characters, a Namespace a DNS-1123 label of 1 to 63 (`dnsLabel`), an ObjectName 1 to 253
 * characters (a Gateway's name is also an object name, so `k8sObjectName`'s subdomain rule). Judged
 * here, a bad one is the stack key's problem at its line, not the rendered HTTPRoute's;
 * test/guides/expose-grafana.test.ts holds these to the package's validators.
 */
const gatewaySectionName = z
  .string()
  .refine((v) => v.length >= 1 && v.length <= 253 && DNS_SUBDOMAIN.test(v), {
    message:
      "expected a Gateway listener name (the Gateway API's SectionName: a DNS-1123 subdomain of lowercase letters, digits, '-' and '.', at most 253 characters) like \"https\"",
  });

const grafanaIngress = z
  .object({
    /** Host name the Ingress serves Grafana on, e.g. "grafana.example.net". Required. */
    host: hostName,
    /** IngressClass of the controller (`spec.ingressClassName`), e.g. "nginx". Default: the cluster's default class. */
    className: k8sObjectName.optional(),
    /** Namespace the Ingress controller's pods run in, admitted to Grafana's port, e.g. "ingress-nginx". Required. */
    controllerNamespace: standingIn(dnsLabelForm, "ingress-nginx"),
    /** TLS for the host; without it Grafana's root_url is http://<host>. Default none. */
    tls: z
      .object({
        /** Secret holding the host's certificate (kubernetes.io/tls), in the stack's namespace. Required. */
        secretName: standingIn(k8sObjectNameForm, "grafana-tls"),
        /** cert-manager ClusterIssuer that fills the Secret (annotation cert-manager.io/cluster-issuer). Default none. */
        clusterIssuer: k8sObjectName.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const grafanaHttpRoute = z
  .object({
    /** Host name the route matches, e.g. "grafana.example.net". Required. */
    host: hostName,
    /** The Gateway the route attaches to. Required. */
    parentRef: z
      .object({
        /** The Gateway's name. Required. */
        name: standingIn(k8sObjectNameForm, "public"),
        /** The Gateway's namespace, admitted to Grafana's port (its data plane's pods run there). Required. */
        namespace: standingIn(dnsLabelForm, "gateways"),
        /** The Gateway listener's name. Default: every listener that accepts the route. */
        sectionName: gatewaySectionName.optional(),
      })
      .strict(),
    /** Scheme people reach the Gateway with, for Grafana's root_url. */
    scheme: z.enum(["http", "https"]).default("https"),
  })
  .strict();

const grafana = z
  .object({
    /** Grafana's public URL, for links. Default "http://grafana.<namespace>.svc". */
    url: httpUrl("https://grafana.example.net", false).optional(),
    /** PVC size. */
    volumeSize: size("5Gi").default("5Gi"),
    /**
     * Where Grafana's dashboard sidecar looks for ConfigMaps labelled `grafana_dashboard` (any
     * value; the annotation `grafana_folder` names the folder): "all" namespaces (a ClusterRole
     * lets it list and watch ConfigMaps cluster-wide), or a list of namespaces (a Role in each;
     * the stack's own namespace is always searched). Other apps' charts ship their dashboards
     * this way. "all" in a list (`[all]`) is refused, not read as a namespace: "all" alone is every
     * namespace, so a namespace named "all" cannot be listed.
     */
    dashboardNamespaces: z
      .union([
        z.literal("all"),
        z
          .array(
            z
              .string()
              .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
                message: 'expected a namespace name like "cert-manager"',
              })
              // The sidecar's own word for every namespace is "ALL" (grafana chart values.yaml
              // sidecar.dashboards.searchNamespace), which the program writes for "all" alone.
              .refine((v) => v !== "all", {
                message:
                  'expected a namespace name like "cert-manager", not "all": every namespace is "all" alone, not in a list (dashboardNamespaces: all)',
              }),
          )
          .min(1),
      ])
      .default("all"),
    /**
     * Expose Grafana through the cluster's Ingress controller (docs/how-to/expose-grafana.md): an
     * Ingress for `host`, Grafana's root_url from it, and the NetworkPolicy admitting the
     * controller's namespace to Grafana's port instead of every source. Default none (off).
     */
    ingress: grafanaIngress.optional(),
    /**
     * Expose Grafana through a Gateway API Gateway: an HTTPRoute for `host` attached to
     * `parentRef`, Grafana's root_url from it, and the NetworkPolicy admitting the Gateway's
     * namespace to Grafana's port instead of every source. Default none (off).
     */
    httpRoute: grafanaHttpRoute.optional(),
  })
  .strict();

const storageClasses = z
  .object({
    /** StorageClass for ordinary PVCs. */
    default: storageClassName.default("local-path"),
    /** StorageClass for metrics TSDBs (local NVMe). Default: the default class. */
    metrics: storageClassName.optional(),
  })
  .strict();

/** S3's bucket naming rule as messages say it; MinIO enforces the same, Garage adds to it. */
export const BUCKET_NAME_RULE =
  '3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit';
const bucketName = (like: string) =>
  z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, {
    message: `expected an S3 bucket name (${BUCKET_NAME_RULE}) like "${like}"`,
  });

/**
 * What already exists outside this stack's state and must be adopted (the `import` resource
 * option), never created: a bucket the stack retained when it stepped back a phase (MinIO's
 * create fails with "bucket already exists!"), or one made by hand.
 */
const existing = z
  .object({
    /**
     * Bucket names (MinIO or Garage buckets, or the bucketName of a Ceph ObjectBucketClaim), each the full
     * name of a bucket some phase of the stack makes (with objectStore.bucketPrefix, or a
     * takeover's): any other would import nothing and is refused. Default [].
     */
    buckets: z.array(bucketName("staging-mimir-blocks")).default([]),
  })
  .strict();

/** Helm releases the program installs that a running cluster may already have (takeover). */
const ADOPTABLE = [
  "kubePrometheusStack",
  "loki",
  "grafana",
  "alloy",
  "prometheusOperatorCrds",
  "vector",
] as const;
export type AdoptableRelease = (typeof ADOPTABLE)[number];
/** Their names, from the release-name table (model/names.ts): an adopted release keeps the name the program uses. */
export const ADOPTABLE_RELEASES = Object.fromEntries(ADOPTABLE.map((k) => [k, RELEASES[k]])) as Pick<
  typeof RELEASES,
  AdoptableRelease
>;

const k8sName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
  message: "expected a Kubernetes object name (lowercase letters, digits, '-', '.')",
});
const releaseId = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
  message: 'expected "<namespace>/<release name>" (the Helm release\'s import ID) like "monitoring/loki"',
});
const existingBuckets = (purposes: readonly string[]) =>
  z.object(Object.fromEntries(purposes.map((p) => [p, bucketName("loki").optional()]))).strict();

const takeover = z
  .object({
    /** import: the first update adopts without changing anything; update: apply the program's values. Default import. */
    step: z.enum(["import", "update"]).default("import"),
    /**
     * The stack's namespace already exists: import it instead of creating it. Must be true in the
     * import step while takeover.releases or takeover.prometheusVolume name anything in it.
     */
    namespace: z.boolean().default(false),
    /** Running Helm releases to import, as "<namespace>/<name>". Default none. */
    releases: z
      .object(
        Object.fromEntries(Object.keys(ADOPTABLE_RELEASES).map((k) => [k, releaseId.optional()])) as Record<
          AdoptableRelease,
          z.ZodOptional<typeof releaseId>
        >,
      )
      .strict()
      .default({}),
    /** fullname of the running kube-prometheus-stack (names its Prometheus). Default: as the chart derives it from the release name. */
    kpsFullname: dnsLabel.optional(),
    /** Folder of what runs (docs/how-to/check-a-change.md): the update keeps its claims and selectors. Default none. */
    running: z.string().min(1).optional(),
    /** The running Prometheus's PVC, imported and kept by name so the TSDB keeps its history. Default none. */
    prometheusVolume: k8sName.optional(),
    /**
     * Grafana's SQLite database is copied out of the running pod (docs/how-to/take-over-flux.md
     * step 8): the change check (`--running`) then passes the update that moves Grafana from its
     * emptyDir to a new claim, and says how to restore the copy.
     */
    grafanaDatabaseSaved: z.boolean().default(false),
    /**
     * Existing buckets per consumer and purpose, used instead of the planned ones. Used by name only
     * (never in state) unless also listed in `existing.buckets`, which imports them. Default none.
     */
    buckets: z
      .object({
        /** Loki's existing buckets by purpose (chunks, ruler, admin). Ruler and admin are accepted, and unused. */
        loki: existingBuckets(KNOWN_PURPOSES.loki),
        /** Mimir's existing buckets by purpose (blocks, ruler, alertmanager). Alertmanager is accepted, and unused. */
        mimir: existingBuckets(KNOWN_PURPOSES.mimir),
      })
      .partial()
      .strict()
      .default({}),
    /** Existing Secrets read (never replaced): S3 credentials per consumer, Grafana's admin login. Default none. */
    secrets: z
      .object({
        /** Secret with Loki's S3 credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). */
        loki: k8sName.optional(),
        /** Secret with Mimir's S3 credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY). */
        mimir: k8sName.optional(),
        /** Secret with Grafana's admin login (admin-user, admin-password). */
        grafanaAdmin: k8sName.optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

/** Where the node agents (node-exporter, the Alloy DaemonSet, Vector) run. */
const agents = z
  .object({
    /** Namespace of the node agents, enforcing Pod Security privileged (the rest enforces baseline). Default "<namespace>-agents". */
    namespace: dnsLabel.optional(),
    /**
     * moved: they run in agents.namespace. handover: one update that stops them in the stack's
     * namespace and then starts them there (docs/how-to/move-node-agents.md). stay: they keep running in the stack's
     * namespace, which then enforces privileged.
     */
    step: z.enum(["stay", "handover", "moved"]).default("moved"),
  })
  .strict();

/**
 * An IPv4 or IPv6 CIDR as a NetworkPolicy's `ipBlock.cidr` takes it (networking.k8s.io/v1 IPBlock:
 * "192.168.1.0/24" or "2001:db8::/64"); a single address is written /32 (or /128).
 */
const cidr = z
  .string()
  .describe('a CIDR like "192.168.1.0/24" or "2001:db8::/64" (an address/prefix length, as text)')
  .refine((v) => cidrProblem(v) === undefined, {
    message: 'expected a CIDR like "192.168.1.0/24" or "2001:db8::/64" (address/prefix length)',
  });

/** Why a CIDR is not one (IPv4 prefix 0-32, IPv6 0-128), or undefined. */
export function cidrProblem(v: string): string | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(v);
  if (!m) return "it has no /prefix";
  const family = isIP(m[1]);
  if (family === 0) return "its address is not an IP address";
  if (Number(m[2]) > (family === 4 ? 32 : 128)) return "its prefix is too long";
  return undefined;
}

/**
 * Egress NetworkPolicies (docs/explanation/security-model.md "Egress"). The stack's policies always
 * carry egress rules derived from the wiring; these keys say whether they are enforced and where
 * the addresses no pod label names are.
 */
const network = z
  .object({
    /**
     * rendered: every policy carries its egress rules and the checks prove them, but its
     * policyTypes leaves Egress out, so nothing is enforced and a running stack changes nothing.
     * enforced: policyTypes names Egress; needs network.apiServer and network.nodes (and
     * network.objectStore.cidrs for an object store outside the cluster's Services).
     */
    egress: z.enum(["rendered", "enforced"]).default("rendered"),
    /** The Kubernetes API server's endpoints, which pods reach once the `kubernetes` Service's address is translated. */
    apiServer: z
      .object({
        /**
         * CIDRs of the API server's endpoints (`kubectl get endpointslices -n default -l
         * kubernetes.io/service-name=kubernetes`), e.g. ["192.168.1.10/32"]. Empty, the rule is
         * rendered to 0.0.0.0/0 on the port only, and egress: enforced is refused.
         */
        cidrs: z.array(cidr).default([]),
        /** The port those endpoints serve on: kubeadm's default bind port (DefaultAPIBindPort) is 6443. */
        port: port(6443).default(6443),
      })
      .strict()
      .default({}),
    /**
     * CIDRs of the nodes, where node-exporter, the kubelet and the control plane listen in the
     * host's network (no pod selector reaches them). Empty, the scrapers' rule is rendered to
     * 0.0.0.0/0 on those ports only, and egress: enforced is refused.
     */
    nodes: z.array(cidr).default([]),
    /** An object store outside the cluster's Services (a hostname or address in objectStore.endpoint, or Ceph RGW). */
    objectStore: z
      .object({
        /**
         * CIDRs it answers on. NetworkPolicy has no hostnames and the program resolves none (an
         * answer read at deploy time goes stale unseen), so a hostname endpoint needs them here; an
         * IP address endpoint adds itself. Empty for a hostname, the rule is rendered to 0.0.0.0/0
         * on its port only, and egress: enforced is refused.
         */
        cidrs: z.array(cidr).default([]),
      })
      .strict()
      .default({}),
    /**
     * CIDRs Alertmanager's receivers (Pushover, the heartbeat URL, alerting.receivers) answer on,
     * for Alertmanager's pods only: on HTTPS (443) and each of alerting.receivers' ports (an email
     * smarthost's, a webhook's `port`, a Telegram or PagerDuty URL's). The whole internet unless
     * narrowed: Pushover publishes no fixed addresses for its API.
     */
    receivers: z.array(cidr).min(1).default(["0.0.0.0/0"]),
  })
  .strict();

/** Node (host) logs the log agent collects beside pod logs. */
const nodeLogs = z
  .object({
    /** Read the systemd journal (/var/log/journal). */
    journal: z.boolean().default(true),
    /**
     * Plain syslog files for hosts without a journal (e.g. ["/var/log/messages"]); under /var/log,
     * which the agents mount. A file absent on a host is skipped there. Leave it empty where rsyslog
     * also copies the journal into files, or those lines arrive twice. Default [].
     */
    syslogFiles: z
      .array(
        z.string().regex(/^\/var\/log\/[^*?]+$/, {
          message: 'expected a file under /var/log like "/var/log/messages"',
        }),
      )
      .default([]),
  })
  .strict();

/** A byte size in Prometheus's notation: 20GB is 20e9 bytes, 20GiB is 20 x 2^30. */
const BYTE_SIZE = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;
/** Bytes of a size like "20GiB" or "50GB"; undefined when it does not parse. */
export function byteSize(v: string): number | undefined {
  const m = BYTE_SIZE.exec(v.trim());
  if (!m) return undefined;
  const unit = m[2];
  const power = { B: 0, K: 1, M: 2, G: 3, T: 4 }[unit[0] as "B"];
  return Number(m[1]) * (unit.endsWith("iB") ? 1024 : 1000) ** power;
}

/** What the stack is sized for; absent keys leave each component at its profile's size and caps. */
const workload = z
  .object({
    /** Active series the metrics backend (and Prometheus) must hold, e.g. 2000000. Default none. */
    activeSeries: count(1).optional(),
    /** Logs Loki ingests a day, e.g. "20GiB" or "50GB". Default none. */
    logsPerDay: z
      .string()
      .refine((v) => (byteSize(v) ?? 0) > 0, {
        message: 'expected a size a day like "20GiB" (a number and B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)',
      })
      .optional(),
  })
  .strict();

/**
 * A kubeconfig context name. Kubernetes puts no rule on them beyond being a map key (client-go
 * clientcmd/api Config.Contexts), so anything printable without whitespace is taken
 * ("admin@production", "arn:aws:eks:...:cluster/x").
 */
const kubeContext = z.string().regex(/^\S+$/, {
  message: 'expected a kube context name from your kubeconfig (no whitespace) like "admin@production"',
});

const DEFAULT_POOLS = [{ name: "default", arch: "amd64", count: 3, cpu: "4", memory: "16Gi", taints: [] }];

export const rawSchema = z
  .object({
    /** Cluster name: the `cluster` label on every log line and series, and the bucket prefix. Default: the stack name. */
    cluster: dnsLabel.optional(),
    /**
     * The kube context of the stack's cluster: the Kubernetes provider uses it, and a real run
     * refuses to start when the kubeconfig lacks it or another context is selected. Required
     * (Pulumi.yaml gives it no default).
     */
    kubeContext: kubeContext.optional(),
    /** Path of the kubeconfig holding kubeContext ("~/" allowed). Default: $KUBECONFIG, else ~/.kube/config. */
    kubeconfig: z.string().min(1).optional(),
    /** Namespace of the whole stack; the program creates it. */
    namespace: dnsLabel.default("monitoring"),
    /**
     * A production stack: its namespaces, buckets, Prometheus claim, CRD release and the Loki,
     * Grafana and VictoriaMetrics releases are protected (Pulumi refuses to delete them).
     */
    production: z.boolean().default(false),
    /** Migration phase (docs/reference/phases.md). Required. */
    phase: z.enum(PHASES),
    /** standard, or lightweight for Raspberry Pis. */
    profile: z.enum(PROFILES).default("standard"),
    /** mimir or victoriametrics. Default mimir (victoriametrics in the lightweight profile). */
    metricsBackend: z.enum(BACKENDS).optional(),
    /** alloy or vector. Default alloy (vector in the lightweight profile). */
    logAgent: z.enum(LOG_AGENTS).optional(),
    objectStore: objectStore,
    secrets: secretsBackend.default({ backend: "config" }),
    /** Node pools (capacity for the budget, arch for the arm64 policy). Default one amd64 pool: 3 nodes, 4 CPU, 16Gi. */
    nodePools: z
      .array(nodePool)
      .min(1)
      .default(DEFAULT_POOLS as z.input<typeof nodePool>[]),
    storageClasses: storageClasses.default({}),
    /** The declared workload; components are sized from it and refused when the node pools cannot hold it. Default none. */
    workload: workload.default({}),
    loki: loki.default({}),
    prometheus: prometheus.default({}),
    mimir: mimir.default({}),
    victoriametrics: victoriametrics.default({}),
    alerting: alerting.default({}),
    grafana: grafana.default({}),
    existing: existing.default({}),
    takeover: takeover.optional(),
    nodeLogs: nodeLogs.default({}),
    agents: agents.default({}),
    network: network.default({}),
    /**
     * Helm values merged last over the program's own, per chart (docs/how-to/chart-values.md): the
     * chart names of docs/reference/versions.md. Every rendered-object check and the policy pack
     * judge the result. Mimir is the program's own StatefulSet, not a chart: it has no key. Default {}.
     */
    chartValues: chartValues.default({}),
    /**
     * Registry mirrors (pull-through caches) the pinned images are pulled through, keyed by the
     * upstream registry a pinned image names (docs/reference/versions.md; docs/how-to/chart-values.md,
     * "Images through a registry mirror"): `docker.io:
     * registry.home.lan/dockerhub` names docker.io/grafana/loki:3.7.6 as
     * registry.home.lan/dockerhub/grafana/loki:3.7.6, tag and digest kept. Changing it changes every
     * such pod's image (a rollout), no data. Default {} (every image from its registry).
     */
    imageMirrors: imageMirrors.default({}),
    // Secret keys: present as Pulumi secrets; their values never enter the typed config.
    ...Object.fromEntries(SECRET_KEYS.map((k) => [k, z.string().min(1).optional()])),
  })
  .strict();

/**
 * A top-level key whose value the program reads as the text the Pulumi CLI hands over, never
 * parsed as JSON (config/resolve.ts rawFromPulumiConfig): a secret, or a name that looks like a number.
 */
export function wantsText(key: string): boolean {
  let schema: z.ZodTypeAny | undefined = (rawSchema.shape as Record<string, z.ZodTypeAny>)[key];
  while (schema instanceof z.ZodDefault || schema instanceof z.ZodOptional || schema instanceof z.ZodEffects)
    schema = schema instanceof z.ZodEffects ? schema._def.schema : schema._def.innerType;
  return schema instanceof z.ZodString || schema instanceof z.ZodEnum;
}

/**
 * The top-level maps that each describe one program the stack installs (its replicas, retention,
 * volume): a key of one is that program's setting, so a key written under another map is never
 * offered as one of these beside it (config/errors.ts levelHint).
 */
export const COMPONENT_MAPS = [
  "loki",
  "prometheus",
  "mimir",
  "victoriametrics",
  "grafana",
  "alerting",
] as const satisfies readonly (keyof z.input<typeof rawSchema>)[];

/**
 * {@link rawSchema}'s parse of a stack's raw config, with the problems its refinements could not
 * see on values that did not parse (config/receivers.ts hiddenReceiverIssues): every problem in
 * one run.
 */
export function parseRaw(raw: Record<string, unknown>): ReturnType<typeof rawSchema.safeParse> {
  const parsed = rawSchema.safeParse(raw);
  if (!parsed.success) parsed.error.addIssues(hiddenReceiverIssues(raw, parsed.error.issues));
  return parsed;
}

export type Raw = z.output<typeof rawSchema>;
/** One of `alerting.receivers`, as the schema outputs it (defaults filled). */
export type ReceiverConfig = Raw["alerting"]["receivers"][number];
export type NodePool = z.output<typeof nodePool> & { labels: Record<string, string> };
export type ObjectStoreConfig = z.output<typeof objectStore>;
export type LokiConfig = Omit<Raw["loki"], "mode" | "volumeSize" | "replicas" | "replicationFactor"> & {
  mode: LokiMode;
  replicas: number;
  replicationFactor: number;
  volumeSize: string;
  canary: boolean;
  gateway: boolean;
};
/** What already runs and is taken over (docs/how-to/take-over-flux.md). */
export type TakeoverConfig = NonNullable<Raw["takeover"]> & {
  kpsFullname: string;
  /** What `running` holds, read by the loader (config/load.ts); undefined without it. */
  runningState?: RunningState;
};

/** A type without its index signatures (the secret keys' spread gives the schema's output one). */
type KnownKeys<T> = {
  [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K];
};

/**
 * What resolution (config/resolve.ts) adds to the schema's output or puts in place of a key:
 * derived defaults, sizes from the declared workload, the stack's identity. Every other key is
 * the schema's output as zod infers it.
 */
interface Resolved {
  stack: string;
  /** Default: the stack name. */
  cluster: string;
  /** Default: by profile (victoriametrics in the lightweight one). */
  metricsBackend: Backend;
  /** Default: by profile (vector in the lightweight one). */
  logAgent: LogAgent;
  objectStore: ObjectStoreConfig & { bucketPrefix: string; insecure: boolean };
  nodePools: NodePool[];
  /** `metrics` defaults to `default`. */
  storageClasses: Required<Raw["storageClasses"]>;
  /** The declared workload (`workload.*`), logsPerDay in bytes. */
  workload: { activeSeries?: number; logsPerDayBytes?: number };
  loki: LokiConfig;
  prometheus: Omit<Raw["prometheus"], "volumeSize" | "retentionSize"> & {
    volumeSize: string;
    retentionSize: string;
  };
  mimir: Omit<Raw["mimir"], "volumeSize" | "maxGlobalSeriesPerUser" | "ingestionRate"> & {
    volumeSize: string;
    maxGlobalSeriesPerUser: number;
    ingestionRate: number;
  };
  victoriametrics: Omit<Raw["victoriametrics"], "volumeSize"> & { volumeSize: string };
  grafana: Raw["grafana"] & { url: string };
  /** Existing releases, buckets, volume and Secrets to adopt; undefined on a fresh stack. */
  takeover?: TakeoverConfig;
  /** Where the node agents run (namespace resolved). */
  agents: { namespace: string; step: Raw["agents"]["step"] };
  /** Secret keys set in the stack (values are read as Pulumi secrets, never kept here). */
  secretKeys: SecretKey[];
  /**
   * The receiver names `receiverCredentials` holds (config/receiverSecrets.ts; never a value):
   * undefined when it is not set, "invalid" when it is no map of text.
   */
  receiverCredentialNames?: string[] | "invalid";
  /** The registries given a mirror (`imageMirrors`), each with its prefix. */
  imageMirrors: ImageMirrors;
}

/**
 * The validated stack configuration every component is built from: the schema's output (zod's
 * inferred type: `kubeContext`, `namespace`, `phase`, `profile`, `secrets`, `alerting`,
 * `existing`, `nodeLogs`, ...) with the resolved keys in place. A key added to the schema appears
 * here without another line.
 */
export type StackConfig = Omit<KnownKeys<Raw>, keyof Resolved> & Resolved;
