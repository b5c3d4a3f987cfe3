/**
 * Every built-in object validates against the Kubernetes OpenAPI schema (the npm package
 * `kubernetes-models`, generated from Kubernetes' own OpenAPI document, validates offline), and
 * every custom resource against the `openAPIV3Schema` of its CRD as the stack ships it (the CRD
 * objects rendered from the charts' `crds/` folders). For custom resources an unknown field is an
 * error too: the API server prunes it silently (structural schemas), so a misspelt value would
 * just not happen.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import { referenceFilesRead } from "../upstream/reference";
import * as path from "path";
import { spawnSync } from "child_process";
import { projectRoot } from "../config/paths";
import type Ajv from "ajv";
import type { ErrorObject, ValidateFunction } from "ajv";
import { pointerSteps } from "@homelab-observability/contract";
import { misspelling } from "../config/chartValueCheck";
import { crdRuleFailures } from "./crdRules";
import {
  builtinGroup,
  crdFor,
  crdsIn,
  describe,
  groupOf,
  type Finding,
  type K8sObject,
  type Placed,
} from "./objects";

type Model = { new (data: unknown): { validate(): void } };
const models = new Map<string, Model | null>();

/** The kubernetes-models class of a built-in apiVersion/kind (null when there is none). */
function modelFor(apiVersion: string, kind: string): Model | null {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    let m: Model | null = null;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      m = require(`kubernetes-models/${apiVersion}/${kind}`)[kind] ?? null;
    } catch {
      m = null;
    }
    models.set(key, m);
  }
  return models.get(key)!;
}

/**
 * API groups the cluster provides (their CRDs are installed with the cluster's gateway, not by the
 * stack), and the npm package of models generated from those CRDs: `@kubernetes-models/gateway-api`
 * (kubernetes-models-ts third-party/gateway-api), from the Gateway API's own CRDs.
 */
const CLUSTER_APIS: Record<string, string> = {
  "gateway.networking.k8s.io": "@kubernetes-models/gateway-api",
};

/** The directory of an npm package, found the way `require` searches (its exports allow no `require`). */
function packageDir(pkg: string): string | undefined {
  const candidates = (require.resolve.paths(pkg) ?? []).map((d) => path.join(d, pkg));
  // Loaded in a child process, so no module graph shows it: each place it is looked for is recorded
  // (found or not) for the check cache, whose verdict then changes when the package comes or goes.
  for (const d of candidates) referenceFilesRead.add(path.join(d, "package.json"));
  return candidates.find((d) => fs.existsSync(path.join(d, "package.json")));
}

/**
 * Validates cluster-provided kinds with their models, in one child Node process: the package is
 * ES modules only (its `exports` name no `require` condition, so neither a compiled CommonJS
 * `require` nor a test runner's transform can load it), which a fresh `node` imports as they are.
 * Per object: its schema errors, [] when valid, or null when the package has no model of its kind.
 */
function validateProvided(objects: K8sObject[]): (string[] | null)[] {
  if (objects.length === 0) return [];
  const byPkg = objects.map((o) => packageDir(CLUSTER_APIS[groupOf(o.apiVersion)]));
  const script = `
    import { readFileSync, existsSync } from "node:fs";
    import { join } from "node:path";
    import { pathToFileURL } from "node:url";
    const items = JSON.parse(readFileSync(0, "utf8"));
    const out = [];
    for (const { dir, obj } of items) {
      const file = dir && join(dir, obj.apiVersion, obj.kind + ".js");
      if (!file || !existsSync(file)) { out.push(null); continue; }
      const M = (await import(pathToFileURL(file).href))[obj.kind];
      if (!M) { out.push(null); continue; }
      try { new M(obj).validate(); out.push([]); }
      catch (e) { out.push((e.errors ?? []).length ? e.errors.map((x) => (x.instancePath || "/") + " " + x.message) : [String(e.message ?? e)]); }
    }
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    input: JSON.stringify(objects.map((obj, i) => ({ dir: byPkg[i], obj }))),
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`validating ${objects.map((o) => o.kind).join(", ")}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * A CRD schema as JSON Schema: Kubernetes' extensions dropped or translated
 * (`x-kubernetes-int-or-string`, `nullable`), and `additionalProperties: false` wherever the API
 * server would prune (an object with properties and no `x-kubernetes-preserve-unknown-fields`).
 */
export function toJsonSchema(s: any): any {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== "object") return s;
  const out: any = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith("x-kubernetes-") || k === "nullable" || k === "format") continue;
    if (k === "properties")
      out.properties = Object.fromEntries(Object.entries(v as object).map(([p, x]) => [p, toJsonSchema(x)]));
    else if (k === "items" || k === "additionalProperties" || k === "not")
      out[k] = typeof v === "object" ? toJsonSchema(v) : v;
    else if (k === "allOf" || k === "anyOf" || k === "oneOf") out[k] = (v as any[]).map(toJsonSchema);
    else out[k] = v;
  }
  if (s["x-kubernetes-int-or-string"]) {
    // The CRD's own anyOf (if any) only restates the two types.
    delete out.anyOf;
    out.type = ["integer", "string"];
  }
  if (s.nullable && out.type) out.type = [...[out.type].flat(), "null"];
  if (out.properties && out.additionalProperties === undefined && !s["x-kubernetes-preserve-unknown-fields"])
    out.additionalProperties = false;
  return out;
}

/**
 * CRD patterns are Go RE2, whose `(?i)` flag group JavaScript lacks: drop it and match the whole
 * pattern case-insensitively (the CRDs here use it for whole-value enums like `^(?i)(abort|warn)?$`).
 */
function goRegExp(pattern: string, flags: string): RegExp {
  return pattern.includes("(?i)")
    ? new RegExp(pattern.split("(?i)").join(""), `${flags}i`)
    : new RegExp(pattern, flags);
}
const goRegExpEngine = Object.assign(goRegExp, { code: "goRegExp" });

/**
 * An unknown field of a custom resource, with the field of that level it is a misspelling of
 * (config/chartValueCheck.ts `misspelling`): `maxShard` in a remote_write `queueConfig` is
 * `maxShards`, which the API server would otherwise drop without a word.
 */
function unknownField(x: ErrorObject): string {
  const field = String((x.params as { additionalProperty?: unknown }).additionalProperty);
  const known = Object.keys((x.parentSchema as { properties?: object } | undefined)?.properties ?? {});
  const near = misspelling(field, known);
  return `${field}: unknown, the API server drops it${near ? `; did you mean ${near}?` : ""}`;
}

/** ajv's options (the regular-expression engine aside, which {@link compileValidator} keys by its text). */
const AJV_OPTIONS = {
  strict: false,
  allErrors: true,
  validateFormats: false,
  // The schema beside each error: an unknown field is named with the closest one it has.
  verbose: true,
} as const;

let ajvInstance: Ajv | undefined;
/** ajv, loaded on first use: a synthesis answered from the check cache (./cache.ts) never needs it. */
function ajv(): Ajv {
  if (!ajvInstance) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { default: AjvClass } = require("ajv") as typeof import("ajv");
    // `source`: each validator keeps its code, written out by compileValidator for the next process.
    ajvInstance = new AjvClass({ ...AJV_OPTIONS, code: { regExp: goRegExpEngine, source: true } });
  }
  return ajvInstance;
}

/**
 * Compiled validators kept on disk as ajv's standalone code (ajv/dist/standalone: the code ajv
 * compiles, as a module), one file per pruned schema, so that a process checking a stack loads the
 * validators another process compiled instead of compiling them again: the test workers and the
 * synth commands they start each judge the same CRDs' pruned schemas. Measured with a log of every
 * compile over a cold `npm test` (3 workers, every cache empty; two runs): 115-134 compiles of 49
 * distinct schemas, 1.94-1.98 s of CPU, of which 72-85 repeats (1.13-1.14 s) were schemas another
 * process had compiled already. checkSchemas over the five stack files' objects in a fresh process,
 * alternating, medians of five: 1.17 s of CPU before, 1.24 s with this cache empty (compiled and
 * written), 0.70 s with it filled (loaded); the generated code judges and words every error as the
 * compiled one does (it is that code). Next to Node's compile cache (cli/bundled.ts COMPILE_CACHE):
 * the same kind of thing, always safe to delete; a file that does not load is compiled again.
 */
const VALIDATOR_CACHE = path.join("node_modules", ".cache", "homelab-observability", "crd-validators");
/** Bumped when the stored form changes. */
const VALIDATOR_FORMAT = 1;

/**
 * The modules ajv's standalone code may `require` for the options above (ajv/dist/runtime), given
 * to it by name: required here by literal names so a bundle (cli/bundled.ts) holds them too. Code
 * asking for any other module is not loaded from disk (compiled instead).
 */
function standaloneRuntime(name: string): unknown {
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (name) {
    case "ajv/dist/runtime/equal":
      return require("ajv/dist/runtime/equal");
    case "ajv/dist/runtime/ucs2length":
      return require("ajv/dist/runtime/ucs2length");
    case "ajv/dist/runtime/uri":
      return require("ajv/dist/runtime/uri");
    case "ajv/dist/runtime/validation_error":
      return require("ajv/dist/runtime/validation_error");
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
  throw new Error(`standalone validator code requires ${name}`);
}

/**
 * The key of a pruned schema's validator: everything the generated code is a function of (ajv's
 * version, its options, the regular-expression engine's text, the schema) and the stored form.
 */
function validatorKey(pruned: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { version } = require("ajv/package.json") as { version: string };
  return crypto
    .createHash("sha256")
    .update(JSON.stringify([VALIDATOR_FORMAT, version, AJV_OPTIONS, goRegExp.toString(), pruned]))
    .digest("hex");
}

/** The validator whose standalone code is `code`, or undefined when it cannot be loaded. */
function loadValidator(code: string): ValidateFunction | undefined {
  try {
    const module = { exports: {} as { default?: ValidateFunction } };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    new Function("module", "require", "goRegExp", code)(module, standaloneRuntime, goRegExp);
    return typeof module.exports.default === "function" ? module.exports.default : undefined;
  } catch {
    return undefined; // torn, or asks for what standaloneRuntime does not give: compile it
  }
}

/**
 * `pruned`'s validator: from the disk cache when another process compiled it (the same generated
 * code, so the same verdicts and the same errors), else compiled by ajv and its standalone code
 * written there (through a temporary file renamed into place: a reader sees all of it or none).
 * `cacheDir`: the folder of those files (default: the project's {@link VALIDATOR_CACHE}).
 */
export function compileValidator(
  pruned: string,
  cacheDir: string = path.join(projectRoot(__dirname), VALIDATOR_CACHE),
): ValidateFunction {
  const file = path.join(cacheDir, `${validatorKey(pruned)}.js`);
  let stored: string | undefined;
  try {
    stored = fs.readFileSync(file, "utf8");
  } catch {
    // Not compiled yet.
  }
  const loaded = stored === undefined ? undefined : loadValidator(stored);
  if (loaded) return loaded;
  const validate = ajv().compile(JSON.parse(pruned));
  try {
    const { default: standaloneCode } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require("ajv/dist/standalone") as typeof import("ajv/dist/standalone");
    const code = standaloneCode(ajv(), validate);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file);
  } catch {
    // Not kept (a read-only checkout): the next process compiles it again.
  }
  return validate;
}
/** Keywords whose refusal is about the value itself (not a key missing or one too many). */
const VALUE_KEYWORDS = new Set([
  "type",
  "enum",
  "const",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "maxLength",
  "multipleOf",
]);

/**
 * `, found <value>` for a refusal about a value (`/spec/replicaCount must be integer, found string
 * "two"`): what was written, as the config's own messages say it. A Secret's value, or one under a
 * key named like a credential, is said by its type alone; long text is cut at 60 characters.
 */
function foundAt(obj: any, err: { keyword?: string; instancePath?: string }): string {
  if (!err.keyword || !VALUE_KEYWORDS.has(err.keyword) || err.instancePath === undefined) return "";
  const steps = pointerSteps(err.instancePath);
  let v: unknown = obj;
  for (const s of steps)
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[s] : undefined;
  if (v === undefined) return "";
  if (Array.isArray(v)) return ", found a list";
  if (v !== null && typeof v === "object") return ", found an object";
  const secret =
    obj?.kind === "Secret" || /pass|secret|token|key|cred|auth/i.test(steps[steps.length - 1] ?? "");
  if (secret) return `, found ${v === null ? "null" : `a ${typeof v}`} (not shown)`;
  if (typeof v === "number" || typeof v === "boolean") return `, found ${typeof v} ${String(v)}`;
  if (typeof v !== "string") return v === null ? ", found null" : "";
  return `, found string ${JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v)}`;
}

/**
 * The part of a schema that can judge `values` (every instance found at this place): properties
 * absent from all of them become `true`. The full Prometheus CRD takes ajv two seconds to compile;
 * the part one object touches takes milliseconds, and judges that object exactly the same.
 */
export function pruneFor(schema: any, values: unknown[]): any {
  if (!schema || typeof schema !== "object") return schema;
  const out: any = { ...schema };
  if (schema.properties) {
    const objs = values.filter(
      (v): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v),
    );
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, sub]) => {
        const here = objs.map((o) => o[k]).filter((v) => v !== undefined);
        return [k, here.length ? pruneFor(sub, here) : true];
      }),
    );
    if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
      const extra = objs.flatMap((o) =>
        Object.entries(o)
          .filter(([k]) => !(k in schema.properties))
          .map(([, v]) => v),
      );
      out.additionalProperties = extra.length ? pruneFor(schema.additionalProperties, extra) : true;
    }
  } else if (schema.additionalProperties && typeof schema.additionalProperties === "object") {
    const extra = values.flatMap((v) =>
      v && typeof v === "object" && !Array.isArray(v) ? Object.values(v) : [],
    );
    out.additionalProperties = pruneFor(schema.additionalProperties, extra);
  }
  if (schema.items && typeof schema.items === "object")
    out.items = pruneFor(
      schema.items,
      values.flatMap((v) => (Array.isArray(v) ? v : [])),
    );
  for (const k of ["allOf", "anyOf", "oneOf"])
    if (Array.isArray(schema[k])) out[k] = schema[k].map((x: any) => pruneFor(x, values));
  return out;
}

const converted = new Map<string, any>();
const compiled = new Map<string, ValidateFunction>();

function crdValidator(crd: K8sObject, version: string, obj: K8sObject): ValidateFunction | undefined {
  const key = `${crd.metadata.name} ${version} ${crd.spec?.versions?.length} ${JSON.stringify(crd.metadata.annotations ?? {})}`;
  if (!converted.has(key)) {
    const v = (crd.spec?.versions ?? []).find((x: any) => x.name === version);
    if (!v?.schema?.openAPIV3Schema) return undefined;
    const schema = toJsonSchema(v.schema.openAPIV3Schema);
    // metadata is the API server's, checked by the server's own rules, not the CRD's.
    if (schema.properties) schema.properties.metadata = { type: "object" };
    converted.set(key, schema);
  }
  const pruned = JSON.stringify(pruneFor(converted.get(key), [obj]));
  if (!compiled.has(pruned)) compiled.set(pruned, compileValidator(pruned));
  return compiled.get(pruned);
}

/**
 * A custom resource as the API server holds it when it validates it: a null where the CRD's
 * schema is not `nullable` is dropped, or given the field's `default` (apiextensions-apiserver
 * pkg/apiserver/schema/defaulting: prunenulls.go PruneNonNullableNullsWithoutDefaults on decoding,
 * then algorithm.go Default, which also gives a list's null item its items' default; both run on
 * every custom resource the server decodes, pkg/apiserver/customresource_handler.go. Read, not run,
 * at kubernetes commits 94341df3 and 01aa0f3f, not at the pinned v1.31.0). Helm writes such nulls:
 * kube-prometheus-stack renders `prometheusSpec.shards: ""` as `shards:` (null), which the server
 * defaults to the CRD's 1; the check refused it as "must be integer, found null". A field the
 * schema leaves open (no properties, x-kubernetes-preserve-unknown-fields) keeps its null, as there.
 * `obj` itself when it holds no null.
 */
export function decodedAsServed(obj: K8sObject, schema: any): K8sObject {
  const hasNull = (x: unknown): boolean =>
    x === null || (typeof x === "object" && Object.values(x).some(hasNull));
  if (!hasNull(obj)) return obj;
  const fieldSchema = (s: any, k: string) =>
    s?.properties?.[k] ?? (typeof s?.additionalProperties === "object" ? s.additionalProperties : undefined);
  const decoded = (x: unknown, s: any): unknown => {
    if (Array.isArray(x))
      return x.map((v) =>
        v === null && s?.items && !s.items.nullable && s.items.default !== undefined
          ? structuredClone(s.items.default)
          : decoded(v, s?.items),
      );
    if (x === null || typeof x !== "object") return x;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(x)) {
      const f = fieldSchema(s, k);
      if (v !== null || !f || f.nullable) out[k] = decoded(v, f);
      else if (f.default !== undefined) out[k] = structuredClone(f.default);
    }
    return out;
  };
  return decoded(obj, schema) as K8sObject;
}

export interface SchemaReport {
  builtin: number;
  custom: number;
  findings: Finding[];
  /** CEL rules of the CRDs (`x-kubernetes-validations`) evaluated on the custom resources. */
  celRules: number;
  /** Rules the evaluator could not compile (`<path>: <rule>`), so not judged (./crdRules.ts). */
  celUnjudged: string[];
}

/**
 * What the OpenAPI schema of a built-in kind cannot say and the API server still refuses on create
 * and update. A HorizontalPodAutoscaler whose maxReplicas is below its minReplicas (a chart's
 * `autoscaling.minReplicas: 2` beside `maxReplicas: 1`): kubernetes pkg/apis/autoscaling/validation
 * validation.go validateHorizontalPodAutoscalerSpec, "must be greater than or equal to
 * `minReplicas`" on spec.maxReplicas (read, not run). The schema gives each a type only, so the
 * render passed and `pulumi up` failed on the release.
 */
function apiServerRules(obj: K8sObject): string[] {
  if (groupOf(obj.apiVersion) !== "autoscaling" || obj.kind !== "HorizontalPodAutoscaler") return [];
  const { minReplicas, maxReplicas } = obj.spec ?? {};
  return [
    ...minReplicasRule(obj.spec ?? {}),
    ...(typeof minReplicas !== "number" || typeof maxReplicas !== "number" || maxReplicas >= minReplicas
      ? []
      : [
          `spec.maxReplicas: expected at least spec.minReplicas (${minReplicas}), got ${maxReplicas}: the API server refuses the autoscaler ("must be greater than or equal to \`minReplicas\`"); raise maxReplicas or lower minReplicas`,
        ]),
  ];
}

/**
 * A minReplicas below 1 (a chart's `autoscaling.minReplicas: 0`), which the schema types only.
 * Kubernetes pkg/apis/autoscaling/validation/validation.go validateHorizontalPodAutoscalerSpec:
 * minReplicas "must be greater than or equal to" a lower bound, 1 unless the feature gate
 * HPAScaleToZero is on (ValidateHorizontalPodAutoscaler), and that gate is alpha, off by default,
 * from 1.16 on (pkg/features versioned_kube_features.go: one entry, 1.16 Alpha Default false);
 * validateMetrics refuses 0 without an Object or External metric ("must specify at least one Object
 * or External metric to support scaling to zero replicas"), and autoscaling/v2 defaults empty
 * metrics to a CPU Resource metric (pkg/apis/autoscaling/v2/defaults.go). Read, not run, in
 * copies of those files from before and after v1.31.0 (the pinned kubeVersion) that agree; no copy
 * at the tag could be read. 0 beside an Object or External metric passes: a cluster running the
 * gate takes it.
 */
function minReplicasRule(spec: { minReplicas?: unknown; metrics?: unknown }): string[] {
  const min = spec.minReplicas;
  if (typeof min !== "number" || min >= 1) return [];
  const gate = "its feature gate HPAScaleToZero (alpha, off by default)";
  if (min < 0)
    return [
      `spec.minReplicas: expected at least 1, got ${min}: the API server refuses the autoscaler: minReplicas "must be greater than or equal to 1", or to 0 with ${gate} on; set minReplicas to 1 or more`,
    ];
  const metrics: any[] = Array.isArray(spec.metrics) ? spec.metrics : [];
  if (metrics.some((m) => m?.type === "Object" || m?.type === "External")) return [];
  return [
    `spec.minReplicas: expected at least 1, got ${min}: the API server refuses the autoscaler: without ${gate} minReplicas "must be greater than or equal to 1", and with it an autoscaler at 0 "must specify at least one Object or External metric", which spec.metrics has none of; set minReplicas to 1 or more`,
  ];
}

export function checkSchemas(objects: Placed[]): SchemaReport {
  const report: SchemaReport = { builtin: 0, custom: 0, findings: [], celRules: 0, celUnjudged: [] };
  const crds = crdsIn(objects);
  const provided: Placed[] = [];
  for (const p of objects) {
    const { apiVersion, kind } = p.obj;
    const fail = (message: string) => report.findings.push({ check: "schema", where: describe(p), message });
    // An API the cluster provides and the stack only uses (the Gateway API's HTTPRoute for
    // grafana.httpRoute): validated against the models generated from its CRDs, below.
    if (CLUSTER_APIS[groupOf(apiVersion)]) {
      provided.push(p);
      continue;
    }
    if (builtinGroup(groupOf(apiVersion))) {
      const M = modelFor(apiVersion, kind);
      if (!M) {
        fail(`${apiVersion} ${kind} is not a kind Kubernetes serves`);
        continue;
      }
      report.builtin++;
      try {
        new M(p.obj).validate();
      } catch (e: any) {
        const errs: any[] = e?.errors ?? [];
        fail(
          errs.length
            ? errs.map((x) => `${x.instancePath || "/"} ${x.message}${foundAt(p.obj, x)}`).join("; ")
            : String(e?.message ?? e),
        );
      }
      for (const message of apiServerRules(p.obj)) fail(message);
      continue;
    }
    const crd = crdFor(p.obj, crds);
    const version = apiVersion.split("/")[1];
    const served = (crd?.spec?.versions ?? []).find((v: any) => v.name === version);
    if (!crd || !served?.served) {
      fail(
        crd
          ? `the CRD ${crd.metadata.name} does not serve ${version}`
          : `no CRD of the stack defines ${kind}.${groupOf(apiVersion)}`,
      );
      continue;
    }
    report.custom++;
    const obj = decodedAsServed(p.obj, served.schema?.openAPIV3Schema);
    const validate = crdValidator(crd, version, obj);
    if (validate && !validate(obj))
      fail(
        (validate.errors ?? [])
          .map(
            (x) =>
              `${x.instancePath || "/"} ${x.message}${x.keyword === "additionalProperties" ? ` (${unknownField(x)})` : foundAt(obj, x)}`,
          )
          .join("; "),
      );
    // What no JSON schema says: the CRD's CEL rules, which the API server runs on create and update.
    const rules = crdRuleFailures(crd, version, obj);
    report.celRules += rules.evaluated;
    report.celUnjudged.push(...rules.unjudged.map((u) => `${crd.metadata.name} ${version} ${u}`));
    // One message per rule broken: each is its own mistake.
    for (const x of rules.failures)
      fail(
        `${x.path}: ${x.message} (the CRD ${crd.metadata.name}'s x-kubernetes-validations rule: the API server refuses the object)`,
      );
  }
  validateProvided(provided.map((p) => p.obj)).forEach((errors, i) => {
    const p = provided[i];
    const fail = (message: string) => report.findings.push({ check: "schema", where: describe(p), message });
    if (errors === null)
      fail(
        `${p.obj.apiVersion} ${p.obj.kind}: no model of ${CLUSTER_APIS[groupOf(p.obj.apiVersion)]} defines it (is it installed?)`,
      );
    else {
      report.custom++;
      if (errors.length) fail(errors.join("; "));
    }
  });
  return report;
}
