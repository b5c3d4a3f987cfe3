/**
 * Pack configuration checked the way the engine checks `--policy-pack-config` before any policy
 * runs (pulumi pkg/resource/analyzer/config.go): `parsePolicyPackConfig` (each top-level key a
 * policy name, or "all", or "environments"; a value is an enforcement level or an object with an
 * optional `enforcementLevel`), then `validatePolicyPackConfig`/`validatePolicyConfig`: the rest of
 * each object against `{type: object, properties, required}` of the policy's configSchema
 * (`convertSchema`), with a JSON Schema validator. Here that validator is ajv. Like the engine,
 * keys naming no policy are ignored (ReconcilePolicyPackConfig applies only known names and "all").
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import {
  DEFAULT_OPERATOR_IMAGES,
  imageEntryMeant,
  parseImage,
  pointerSteps,
} from "@homelab-observability/contract";
import { closestMatch, describe, didYouMean, enumHint } from "../config/errors";
import { FileReadError, readUtf8 } from "../config/readFile";
import { jsonTree, lineColumn, notJsonMessage, type JsonNode } from "../config/jsonText";
import { listed } from "../model/words";
import { allPolicies } from "../policy/policies";
import type { PackConfig } from "../policy/evaluate";

const LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

/**
 * Other tools' words for a level (eslint's warn, error and off; Gatekeeper's and Kyverno's deny,
 * audit and enforce), which no edit measure brings near Pulumi's: the level each means, with what
 * that level does.
 */
const LEVEL_WORDS: Readonly<Record<string, string>> = {
  warn: "advisory",
  warning: "advisory",
  audit: "advisory",
  error: "mandatory",
  deny: "mandatory",
  enforce: "mandatory",
  off: "disabled",
  ignore: "disabled",
};
const LEVEL_DOES: Readonly<Record<string, string>> = {
  advisory: "a violation is reported and stops nothing",
  mandatory: "a violation is reported and fails the run",
  disabled: "the policy does not run",
};

/** `; did you mean "advisory"?` for a level misspelt or written in another tool's word, else "". */
function levelHint(level: string): string {
  const slip = didYouMean(level, LEVELS);
  if (slip) return slip;
  const meant = LEVEL_WORDS[level.trim().toLowerCase()];
  return meant ? `; did you mean "${meant}"? (Pulumi's level where ${LEVEL_DOES[meant]})` : "";
}

type Policies = (ResourceValidationPolicy | StackValidationPolicy)[];

/**
 * One problem or warning about a pack config, and the JSON path of what it is about (a policy's
 * key, a setting's value), so a file's reader can say where it stands ({@link readPackConfig}).
 */
interface Finding {
  text: string;
  /** Keys and list indexes from the top of the document; [] is the document itself. */
  path: string[];
  /** About the key itself (a name the engine does not know), not its value. */
  atKey?: boolean;
}

/** Every problem the engine would report for `config`, each naming the policy. */
export function packConfigProblems(config: unknown, policies: Policies = allPolicies()): string[] {
  return problemsOf(config, policies).map((f) => f.text);
}

function problemsOf(config: unknown, policies: Policies): Finding[] {
  if (!config || typeof config !== "object" || Array.isArray(config))
    return [{ text: "the pack config must be a JSON object", path: [] }];
  const problems: Finding[] = [];
  const properties: Record<string, Record<string, unknown>> = {};
  for (const [k, v] of Object.entries<any>(config)) {
    if (k === "environments") continue;
    if (typeof v === "string") {
      if (!LEVELS.includes(v)) problems.push({ text: badLevel(k, v), path: [k] });
    } else if (v && typeof v === "object" && !Array.isArray(v)) {
      const { enforcementLevel, ...rest } = v;
      if (enforcementLevel !== undefined && !LEVELS.includes(enforcementLevel))
        problems.push({ text: badLevel(k, enforcementLevel), path: [k, "enforcementLevel"] });
      properties[k] = rest;
    } else {
      problems.push({
        text: `parsing "${k}": expected an enforcement level (${LEVELS.join(", ")}) or an object of its settings, found ${describe(v)}${oneLevelListed(v)}`,
        path: [k],
      });
    }
  }
  for (const policy of policies) problems.push(...schemaProblems(policy, properties[policy.name]));
  return problems;
}

/**
 * The engine's words for an enforcement level it does not know, with the closest one; a level that
 * is no string is said by its kind (a list, an object), as every found value is (config/errors.ts
 * describe): its text would be "[object Object]", or a list's one level refused as itself.
 */
const badLevel = (policy: string, level: unknown): string =>
  typeof level === "string"
    ? `parsing enforcement level for "${policy}": "${level}" is not a valid enforcement level (${LEVELS.join(", ")})${levelHint(level)}`
    : `parsing enforcement level for "${policy}": expected an enforcement level, a string (${LEVELS.join(", ")}), found ${describe(level)}${oneLevelListed(level)}`;

/** A level written as a list of it (`["advisory"]`): the way out, the level alone. */
const oneLevelListed = (v: unknown): string =>
  Array.isArray(v) && v.length === 1 && LEVELS.includes(v[0]) ? ` (without the brackets: "${v[0]}")` : "";

/** What `policy`'s configSchema refuses of its settings `given` (the policy's object without enforcementLevel). */
function schemaProblems(
  policy: ResourceValidationPolicy | StackValidationPolicy,
  given: Record<string, unknown> | undefined,
): Finding[] {
  if (!policy.configSchema) return [];
  const schema: Record<string, unknown> = { type: "object" };
  if (Object.keys(policy.configSchema.properties ?? {}).length)
    schema.properties = policy.configSchema.properties;
  if (policy.configSchema.required?.length) schema.required = policy.configSchema.required;
  const validate = compiled(schema);
  if (validate(given ?? {})) return [];
  const errors = validate.errors ?? [];
  // One mistake, one message: a misspelt required key (`memoryByte`) is also the key it means
  // missing; its line says both, and the "missing" line goes.
  const folded = new Set(
    errors.filter((e) => e.keyword === "additionalProperties").map((e) => requiredMeant(e, errors)),
  );
  return errors
    .filter((e) => !folded.has(e))
    .map((e) => {
      const { text, path, atKey } = schemaProblem(e, given, policy.configSchema!.properties ?? {}, errors);
      return { text: `${policy.name}: ${text}`, path: [policy.name, ...path], atKey };
    });
}

/** The allowed key an unknown key (an additionalProperties error) is a slip of, if any. */
function keyMeant(e: ErrorObject): string | undefined {
  const allowed = Object.keys((e.parentSchema as any)?.properties ?? {});
  return closestMatch(String(e.params.additionalProperty), allowed);
}

/** The "required" error of the same object for the key an unknown key means, if that one is missing. */
function requiredMeant(e: ErrorObject, errors: readonly ErrorObject[]): ErrorObject | undefined {
  const meant = keyMeant(e);
  return meant === undefined
    ? undefined
    : errors.find(
        (r) =>
          r.keyword === "required" && r.instancePath === e.instancePath && r.params.missingProperty === meant,
      );
}

// verbose: each error carries the value found and the schema it broke, for the message.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
/**
 * Each schema's validator by its JSON text, compiled once per process: compiling the pack's
 * schemas was most of a check's time (the policies, and so their schema objects, are made afresh
 * per call, so only the text names the same schema), and the tests check dozens of pack configs.
 * Bounded: a caller may hand policies of its own.
 */
const validators = new Map<string, ValidateFunction>();
function compiled(schema: Record<string, unknown>): ValidateFunction {
  const text = JSON.stringify(schema);
  let validate = validators.get(text);
  if (!validate) {
    if (validators.size >= 256) {
      validators.clear();
      ajv.removeSchema();
    }
    validate = ajv.compile(schema);
    validators.set(text, validate);
  }
  return validate;
}

/**
 * One schema error as the user's key (`charts.loki.workloads[0].images`), what is expected there
 * and what was found (never a secret: config/errors.ts describe); a top-level setting's own
 * description says its expected form.
 */
function schemaProblem(
  e: ErrorObject,
  given: unknown,
  settings: Record<string, any>,
  errors: readonly ErrorObject[] = [],
): { text: string; path: string[]; atKey?: boolean } {
  const parts = pointerSteps(e.instancePath);
  // Where it stands in the file: the value broken; for a missing key, the object that lacks it.
  const path = [...parts];
  let atKey: boolean | undefined;
  let what = `${expectedBy(e) ?? e.message}, found ${describe(e.data)}${meant(e)}`;
  if (e.keyword === "required") {
    parts.push(String(e.params.missingProperty));
    what = "is missing: it is required";
  } else if (e.keyword === "additionalProperties") {
    parts.push(String(e.params.additionalProperty));
    path.push(String(e.params.additionalProperty));
    atKey = true;
    const allowed = Object.keys((e.parentSchema as any)?.properties ?? {});
    what = `is not a key here (expected one of ${allowed.join(", ")})${didYouMean(String(e.params.additionalProperty), allowed)}`;
    if (requiredMeant(e, errors)) what += ` (${keyMeant(e)} is required and missing: rename this key)`;
  }
  // An element of a list is written [i] (charts.loki.workloads[0]), a map's key .name.
  let key = "";
  let node: any = given;
  for (const [i, p] of parts.entries()) {
    key += Array.isArray(node) ? `[${p}]` : i === 0 ? p : `.${p}`;
    node = node?.[p];
  }
  const described = parts.length === 1 ? settings[parts[0]]?.description : undefined;
  const text = `${key || "(root)"} ${what}${described ? ` (${parts[0]}: ${String(described).replace(/\.$/, "")})` : ""}`;
  return { text, path, atKey };
}

/** A JSON Schema type in words, each the form a reader writes (`boolean`: true or false). */
const TYPE_WORDS: Record<string, string[]> = {
  string: ["a string"],
  number: ["a number"],
  integer: ["a whole number"],
  boolean: ["true", "false"],
  null: ["null"],
  array: ["a list"],
  object: ["an object"],
};

/**
 * What a schema keyword wants, as the project's other messages say a form, for the keywords the
 * pack's schemas use: ajv's own words name neither the choices of an enum ("must be equal to one
 * of the allowed values") nor a form a reader writes ("must be boolean,null", "must NOT have fewer
 * than 1 characters", "must match pattern "^\S+$"", a number's one bound of two). Undefined for
 * any other keyword: ajv's message then.
 */
function expectedBy(e: ErrorObject): string | undefined {
  const schema = (e.parentSchema ?? {}) as Record<string, any>;
  const types = (t: unknown) =>
    listed(
      (Array.isArray(t) ? t : [t]).flatMap((x) => TYPE_WORDS[x] ?? [x]),
      "or",
    );
  switch (e.keyword) {
    case "enum":
      return `must be one of ${listed(
        (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)),
        "or",
      )}`;
    case "type":
      return `must be ${types(e.params.type)}`;
    case "minLength":
      return e.params.limit === 1
        ? "must be a string that is not empty"
        : `must be a string of at least ${e.params.limit} characters`;
    case "pattern":
      // The schema's own word on the form, where it has one: the pattern is how it is checked.
      return `must be ${schema.description ?? `a string matching the pattern ${e.params.pattern}`}`;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum": {
      // Every bound at once: "<= 1" alone sends a reader who writes 0 back a second time.
      const bounds = [
        schema.exclusiveMinimum !== undefined && `above ${schema.exclusiveMinimum}`,
        schema.minimum !== undefined && `at least ${schema.minimum}`,
        schema.maximum !== undefined && `at most ${schema.maximum}`,
        schema.exclusiveMaximum !== undefined && `below ${schema.exclusiveMaximum}`,
      ].filter((b): b is string => typeof b === "string");
      return `must be ${schema.type === "integer" ? "a whole number" : "a number"} ${bounds.join(" and ")}`;
    }
    default:
      return undefined;
  }
}

/**
 * The allowed value a misspelt one means (`"Deploymnet"`), as the stack config's values are
 * offered one: the same measure, and the same word on an architecture (`aarch64` is arm64, `arm`
 * is 32-bit ARM, no slip of arm64).
 */
function meant(e: ErrorObject): string {
  if (e.keyword === "type") return unquoted(e);
  if (e.keyword !== "enum" || typeof e.data !== "string") return "";
  const allowed = (e.params.allowedValues as unknown[]).filter((v): v is string => typeof v === "string");
  return enumHint(e.data, allowed);
}

/**
 * A number or a boolean written as a string (`"maxRequestShare": "0.8"`), offered in the JSON form
 * to write (`0.8`, without the quotes): JSON tells `"0.8"` from `0.8` where a YAML file does not,
 * and "must be a number, found string "0.8"" left the reader to see that the quotes were the fault.
 * Offered only where that value passes the setting's schema, so the hint pasted is taken; a `"1.5"`
 * for a fraction at most 1 is told what the number must be instead.
 */
function unquoted(e: ErrorObject): string {
  if (typeof e.data !== "string") return "";
  const text = e.data.trim();
  const value = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)
    ? Number(text)
    : text === "true" || text === "false"
      ? text === "true"
      : undefined;
  if (value === undefined || (typeof value === "number" && !Number.isFinite(value))) return "";
  const schema = e.parentSchema;
  if (!schema) return "";
  const validate = compiled(schema);
  if (validate(value)) return `; did you mean ${JSON.stringify(value)}, without the quotes?`;
  // Refused as the number too: said now, not on the next run.
  const next = validate.errors?.[0];
  return next
    ? `; written ${JSON.stringify(value)} (without the quotes) it is still refused: it ${expectedBy(next) ?? next.message}`
    : "";
}

/**
 * What the engine accepts but ignores, each naming the key: a top-level key that names no policy
 * of the pack (nor "all" or "environments"), and a setting a policy's configSchema does not
 * declare. The engine applies neither (ReconcilePolicyPackConfig; a schema without
 * additionalProperties: false), so a misspelt name or setting would change nothing, silently.
 */
export function packConfigWarnings(config: unknown, policies: Policies = allPolicies()): string[] {
  return warningsOf(config, policies).map((f) => f.text);
}

function warningsOf(config: unknown, policies: Policies): Finding[] {
  if (!config || typeof config !== "object" || Array.isArray(config)) return [];
  const byName = new Map(policies.map((p) => [p.name, p]));
  const warnings: Finding[] = [];
  for (const [k, v] of Object.entries<any>(config)) {
    if (k === "all") warnings.push(...allSettings(v, policies));
    if (k === "all" || k === "environments") continue;
    const policy = byName.get(k);
    if (!policy) {
      warnings.push({
        text: `"${k}" names no policy of this pack, so the engine ignores it${didYouMean(k, [...byName.keys(), "all"])} (every policy: docs/reference/policies.md)`,
        path: [k],
        atKey: true,
      });
      continue;
    }
    if (!v || typeof v !== "object" || Array.isArray(v)) continue;
    if (Array.isArray(v.operatorImages)) warnings.push(...operatorEntries(k, v.operatorImages));
    if (Array.isArray(v.agents)) warnings.push(...agentEntries(k, v.agents, policy));
    const settings = Object.keys(policy.configSchema?.properties ?? {});
    for (const key of Object.keys(v)) {
      if (key === "enforcementLevel" || settings.includes(key)) continue;
      warnings.push({
        text: `${k}: "${key}" is not one of its settings (${settings.length ? settings.join(", ") : "it has none"}, and enforcementLevel), so the engine ignores it${didYouMean(key, [...settings, "enforcementLevel"])}`,
        path: [k, key],
        atKey: true,
      });
    }
  }
  return warnings;
}

/**
 * An `operatorImages` entry without a registry that likely meant a default operator at another
 * registry (contract imageEntryMeant): the engine takes it, and it names Docker Hub's image.
 */
function operatorEntries(policy: string, entries: unknown[]): Finding[] {
  return entries.flatMap((e, i) => {
    const meant = typeof e === "string" ? imageEntryMeant(e, DEFAULT_OPERATOR_IMAGES) : undefined;
    return meant
      ? [
          {
            text: `${policy}: operatorImages entry "${e as string}" names Docker Hub's ${parseImage(e as string).repository} (an image without a registry is Docker Hub's), not ${meant}, which the pack counts as an operator already; write a mirror's copy with its registry (registry.home.lan/${meant.slice(meant.indexOf("/") + 1)}, say), or declare the mirror in the stack's imageMirrors key`,
            path: [policy, "operatorImages", String(i)],
          },
        ]
      : [];
  });
}

/**
 * An `agents` entry whose image, without a registry, likely meant a default node agent at another
 * registry (contract imageEntryMeant: `prometheus/node-exporter`, quay.io's): the engine takes it,
 * and it names Docker Hub's image. The list replaces the defaults, so that agent, the pinned one,
 * gets none of the entry's host paths and its DaemonSet is refused. The defaults are the policy's
 * own (its config schema's `agents` default, policy/lib/privileges.ts DEFAULT_AGENT_HOST_PATHS).
 */
function agentEntries(
  policy: string,
  entries: unknown[],
  { configSchema }: ResourceValidationPolicy | StackValidationPolicy,
): Finding[] {
  const given: unknown = configSchema?.properties?.agents?.default;
  const defaults = (Array.isArray(given) ? given : []).map((a: { image?: unknown }) => String(a?.image));
  return entries.flatMap((e, i) => {
    const image: unknown = e && typeof e === "object" ? (e as { image?: unknown }).image : undefined;
    const meant = typeof image === "string" ? imageEntryMeant(image, defaults) : undefined;
    return meant
      ? [
          {
            text: `${policy}: agents[${i}].image "${image as string}" names Docker Hub's ${parseImage(image as string).repository} (an image without a registry is Docker Hub's; an agent is known by its repository, never by a trailing path), not ${meant}, which then gets none of these host paths; write "${meant}", and a mirror's copy is known through the stack's imageMirrors key`,
            path: [policy, "agents", String(i), "image"],
          },
        ]
      : [];
  });
}

/**
 * The settings written under "all": the engine sets all's level on every policy and keeps each
 * policy's own settings (pulumi pkg/resource/analyzer/config.go applyConfig), so they reach none;
 * each is named with the policies that have it, where it would be read.
 */
function allSettings(v: unknown, policies: Policies): Finding[] {
  if (!v || typeof v !== "object" || Array.isArray(v)) return [];
  return Object.keys(v)
    .filter((key) => key !== "enforcementLevel")
    .map((key) => {
      const owners = policies.filter((p) => Object.keys(p.configSchema?.properties ?? {}).includes(key));
      return {
        text: `all: "${key}" reaches no policy: the engine takes only all's enforcementLevel for every policy, never its settings, so it ignores it${
          owners.length
            ? `; write it under ${listed(
                owners.map((p) => `"${p.name}"`),
                "or",
              )}`
            : ""
        }`,
        path: ["all", key],
        atKey: true,
      };
    });
}

/** A pack config file that cannot be read, is not JSON, or breaks the engine's rules. */
export class PackConfigError extends Error {
  override readonly name = "PackConfigError";
  constructor(
    message: string,
    /** The flag and file it came from (`--policy-config pack.json`), for the run's closing line. */
    readonly source?: string,
  ) {
    super(message);
  }
}

/**
 * Reads and checks a pack config file; throws {@link PackConfigError} with every problem, and hands
 * `warn` what the engine would ignore ({@link packConfigWarnings}), each line naming the file.
 */
export function readPackConfig(
  file: string,
  warn: (line: string) => void = () => undefined,
  flag?: string,
): PackConfig {
  const source = flag === undefined ? undefined : `${flag} ${file}`;
  // Every refusal is led by the flag and file, as each refusal of an argument is (`--config
  // pack.json: …`): the file name alone would not say which input it is.
  const lead = source ?? file;
  let text: string;
  try {
    text = readUtf8(file);
  } catch (e) {
    // The same wording as any file the program reads (config/readFile.ts), which names the file.
    if (e instanceof FileReadError)
      throw new PackConfigError(source ? `${source}: ${e.message}` : e.message, source);
    throw e;
  }
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    // Placed and said in words (config/jsonText.ts): V8's own message quotes the text, which may
    // hold a secret, and says a position only for some mistakes.
    throw new PackConfigError(
      `${source ? `${source}: ` : ""}${notJsonMessage(file, text, "a JSON policy pack configuration")}`,
      source,
    );
  }
  const placed = placer(file, text);
  // Said whether or not the config is refused: a key the engine ignores is a mistake of its own,
  // and would otherwise be said one run later, once the refused value is fixed. In the order of
  // the file, the warnings among the refusals when there are any: the engine's own order (every
  // enforcement level, then every policy's settings) would send the reader up and down the file.
  const warnings = warningsOf(config, allPolicies()).map((w) => ({ ...w, warning: true }));
  const refusals = problemsOf(config, allPolicies()).map((p) => ({ ...p, warning: false }));
  const lines = inFileOrder([...warnings, ...refusals], placed).map(
    (f) => `${placed(f).place}: ${f.warning ? "warning: " : ""}${f.text}`,
  );
  if (refusals.length === 0) for (const l of lines) warn(l);
  else
    throw new PackConfigError(
      `${lead}: policy pack configuration is invalid:\n  - ${lines.join("\n  - ")}`,
      source,
    );
  const valid = config as PackConfig & { environments?: unknown };
  delete valid.environments;
  return valid;
}

/**
 * `file:line:column` of what a finding is about, from the file's text: the value (or, for a name
 * the engine does not know, the key) at its path; where the path ends before its last key (a
 * required setting missing), the object that lacks it. Just `file` when the text cannot be walked.
 */
function placer(file: string, text: string): (finding: Finding) => { place: string; offset: number } {
  let root: JsonNode | undefined;
  try {
    root = jsonTree(text);
  } catch {
    // JSON.parse read it, so only a nesting deeper than the stack gets here: no place, same words.
    return () => ({ place: file, offset: 0 });
  }
  return ({ path, atKey }) => {
    const offset = offsetOf(root, path, atKey);
    return { place: `${file}:${lineColumn(text, offset)}`, offset };
  };
}

/** `findings` by where each sits in the file (a stable sort: ties keep the order found). */
function inFileOrder<T extends Finding>(findings: T[], placed: (f: Finding) => { offset: number }): T[] {
  return findings
    .map((f) => ({ f, at: placed(f).offset }))
    .sort((a, b) => a.at - b.at)
    .map(({ f }) => f);
}

/** The offset of the key or value at `path`, or of the deepest node the path reaches. */
function offsetOf(root: JsonNode, path: string[], atKey?: boolean): number {
  let node = root;
  for (const [i, step] of path.entries()) {
    const member = node.members?.get(step);
    const next = member?.node ?? node.items?.[Number(step)];
    if (!next) return node.at;
    if (atKey && member && i === path.length - 1) return member.keyAt;
    node = next;
  }
  return node.at;
}
