/**
 * A custom resource against its CRD's CEL rules (`x-kubernetes-validations`), which a JSON schema
 * cannot say and the API server runs on every create and update: prometheus-operator's CRDs
 * (0.93) refuse a Prometheus or Alertmanager whose `updateStrategy.rollingUpdate` is set beside
 * another `type`, a `shardingStrategy.topology` without `mode: Topology`, a ScrapeConfig with two
 * kinds of auth. Each is evaluated as k8s.io/apiextensions-apiserver v0.31.0 does
 * (pkg/apiserver/schema/cel/validation.go):
 * - a rule runs at its schema node wherever the object has a value there, null or absent being none
 *   (`validate`, :310: `obj == nil` returns), with `self` that value, its integers as CEL ints;
 *   the node's `default`s are in first (the server defaults before it validates);
 * - a rule reading `oldSelf` is a transition rule, run only on an update with an old value
 *   (:402-412): not judged here;
 * - a rule that is false is an error at the node's path plus the rule's `fieldPath`, with its
 *   `reason` (Invalid by default, Forbidden, Required) and its `message` or `failed rule: <rule>`
 *   (`fieldErrorForReason` :666, `ruleMessageOrDefault` :744); one whose evaluation fails is
 *   `<error> evaluating rule: <message or rule>` (:450); `messageExpression` is evaluated for the
 *   message (:469).
 * The CEL evaluator is `@marcbachmann/cel-js`; a rule it cannot compile (a function of Kubernetes'
 * CEL libraries it lacks) is counted as not judged, never reported as a failure.
 */
import type { K8sObject } from "./objects";

type Evaluate = (expr: string, context: Record<string, unknown>) => unknown;
let evaluator: Evaluate | undefined;
/** The evaluator, loaded on first use (a CRD without rules never needs it). */
function evaluate(expr: string, context: Record<string, unknown>): unknown {
  if (!evaluator) {
    // An ES module without top-level await: Node 22 requires it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    evaluator = (require("@marcbachmann/cel-js") as { evaluate: Evaluate }).evaluate;
  }
  return evaluator(expr, context);
}

/** One rule the API server would refuse the object by. */
export interface RuleFailure {
  /** The field path as the server prints it (`spec.updateStrategy`, `spec.remoteWrite[0].sigv4`). */
  path: string;
  /** The server's words: `Invalid value: "object": <message>`, `Forbidden: <message>`, .... */
  message: string;
}

/** What {@link crdRuleFailures} found: failures, and rules evaluated and not judged (compile errors). */
export interface RuleReport {
  failures: RuleFailure[];
  evaluated: number;
  unjudged: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === "object" && !Array.isArray(v);

/** A JSON value as the API server hands it to CEL: integer fields as ints (BigInt), by the schema. */
function celValue(schema: any, v: unknown): unknown {
  if (v === null || v === undefined || !schema || typeof schema !== "object") return v;
  if (typeof v === "number") return schema.type === "integer" && Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map((x) => celValue(schema.items, x));
  if (isObject(v))
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => [
        k,
        celValue(
          schema.properties?.[k] ??
            (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined),
          x,
        ),
      ]),
    );
  return v;
}

/**
 * The value with the schema's `default`s filled in where a property is absent, as the API server
 * defaults a custom resource before it validates it (structural defaulting: properties and items).
 */
function withDefaults(schema: any, v: unknown): unknown {
  if (!schema || typeof schema !== "object") return v;
  if (Array.isArray(v)) return v.map((x) => withDefaults(schema.items, x));
  if (!isObject(v) || !schema.properties) return v;
  const out: Record<string, unknown> = { ...v };
  for (const [k, sub] of Object.entries<any>(schema.properties)) {
    if (out[k] === undefined && sub && sub.default !== undefined) out[k] = structuredClone(sub.default);
    if (out[k] !== undefined) out[k] = withDefaults(sub, out[k]);
  }
  return out;
}

/** The type the server names in `Invalid value: "<type>"`: the schema node's type. */
const typeOf = (schema: any): string => String(schema?.type ?? "");

/** `spec` + `x` -> `spec.x`; map keys and list indexes in brackets, as apimachinery's field.Path prints them. */
const child = (path: string, key: string) => (path ? `${path}.${key}` : key);

/** A rule's `fieldPath` (`.spec.x`, `.x['y']`) appended to the node's path. */
function withFieldPath(path: string, fieldPath: unknown): string {
  if (typeof fieldPath !== "string" || !fieldPath) return path;
  const rel = fieldPath.replace(/^\./, "").replace(/\['([^']*)'\]/g, ".$1");
  return child(path, rel);
}

/** The server's words for a failed rule, by its reason. */
function failureMessage(rule: any, schema: any, detail: string): string {
  switch (rule.reason) {
    case "FieldValueForbidden":
      return `Forbidden: ${detail}`;
    case "FieldValueRequired":
      return `Required value: ${detail}`;
    default:
      return `Invalid value: "${typeOf(schema)}": ${detail}`;
  }
}

function ruleText(rule: any): string {
  return typeof rule.message === "string" && rule.message.trim()
    ? rule.message.trim()
    : String(rule.rule).trim();
}

function runRules(schema: any, value: unknown, path: string, report: RuleReport): void {
  for (const rule of schema["x-kubernetes-validations"] ?? []) {
    if (typeof rule?.rule !== "string" || !rule.rule.trim()) continue;
    // A transition rule: judged only against an old value.
    if (/\boldSelf\b/.test(rule.rule)) continue;
    const self = celValue(schema, value);
    let result: unknown;
    try {
      result = evaluate(rule.rule, { self });
    } catch (e: any) {
      if (
        e?.name === "ParseError" ||
        e?.name === "TypeError" ||
        /found no matching overload|unknown function/i.test(String(e?.message))
      ) {
        report.unjudged.push(`${path || "<root>"}: ${rule.rule}`);
        continue;
      }
      report.evaluated++;
      report.failures.push({
        path,
        message: `Invalid value: "${typeOf(schema)}": ${String(e?.message ?? e)} evaluating rule: ${ruleText(rule)}`,
      });
      continue;
    }
    report.evaluated++;
    if (result === true) continue;
    let detail =
      typeof rule.message === "string" && rule.message.trim()
        ? rule.message.trim()
        : `failed rule: ${rule.rule.trim()}`;
    if (typeof rule.messageExpression === "string") {
      try {
        const m = evaluate(rule.messageExpression, { self });
        if (typeof m === "string" && m.trim()) detail = m;
      } catch {
        // The server falls back to the rule's message (validation.go:479).
      }
    }
    report.failures.push({
      path: withFieldPath(path, rule.fieldPath),
      message: failureMessage(rule, schema, detail),
    });
  }
}

function walk(schema: any, value: unknown, path: string, report: RuleReport): void {
  if (value === null || value === undefined || !schema || typeof schema !== "object") return;
  runRules(schema, value, path, report);
  for (const sub of schema.allOf ?? []) walk(sub, value, path, report);
  if (Array.isArray(value)) {
    value.forEach((x, i) => walk(schema.items, x, `${path}[${i}]`, report));
    return;
  }
  if (!isObject(value)) return;
  for (const [k, x] of Object.entries(value)) {
    const sub = schema.properties?.[k];
    if (sub) walk(sub, x, child(path, k), report);
    else if (isObject(schema.additionalProperties))
      walk(schema.additionalProperties, x, `${path}[${k}]`, report);
  }
}

/** Whether a schema carries any CEL rule (most CRDs carry none: nothing to load or walk). */
function hasRules(schema: unknown): boolean {
  return JSON.stringify(schema ?? null).includes('"x-kubernetes-validations"');
}

const withRules = new WeakMap<object, boolean>();

/** The CEL rules of `crd` (at the object's version) that `obj` breaks, as the API server says them. */
export function crdRuleFailures(crd: K8sObject, version: string, obj: K8sObject): RuleReport {
  const report: RuleReport = { failures: [], evaluated: 0, unjudged: [] };
  const v = (crd.spec?.versions ?? []).find((x: any) => x.name === version);
  const schema = v?.schema?.openAPIV3Schema;
  if (!schema || typeof schema !== "object") return report;
  if (!withRules.has(schema)) withRules.set(schema, hasRules(schema));
  if (!withRules.get(schema)) return report;
  // metadata is the server's (its own rules), never the CRD's.
  const rest: Record<string, unknown> = { ...obj };
  delete rest.metadata;
  walk(schema, withDefaults(schema, rest), "", report);
  return report;
}
