import { pinnedChartKeys } from "./render/chartFacts";
import * as pulumi from "@pulumi/pulumi";
import { absentSecrets, PROJECT } from "../config/resolve";
import { RECEIVER_CREDENTIALS_KEY } from "../model/secrets";
import { credentialReceivers } from "../config/receiverSecrets";
import { secretPlaceholder } from "../config/stackFile";
import { checkedStackConfig } from "../config/stackCheck";
import { backendBuckets } from "../config/buckets";
import type { Backend } from "../model/phases";
import { mockCall, mockRead, mockState, SECRET_OUTPUTS } from "./mocks";
import { requiredSecretKeys } from "../components/existingSecret";

import { isSecretEnvelope, SECRET_SIG, SECRET_SIG_KEY } from "@homelab-observability/contract";

export { SECRET_SIG, SECRET_SIG_KEY };

/** One resource of a `pulumi stack export` (version 3) deployment. */
export interface ExportResource {
  urn: string;
  custom: boolean;
  id?: string;
  type: string;
  inputs: Record<string, any>;
  outputs: Record<string, any>;
  parent?: string;
  protect?: boolean;
  retainOnDelete?: boolean;
  /** Synthesis only (a real export has none): the `import` resource option, i.e. adopted, not created. */
  importId?: string;
  dependencies?: string[];
  provider?: string;
  /** A resource read with `get` (the program never creates, updates or deletes it), as in a real export. */
  external?: boolean;
}

/**
 * What a real export cannot show: which resources the next update imports (the `import` option) or
 * reads. The printed tree marks them; `npm run synth` writes this beside the export.
 */
export interface Adopted {
  urn: string;
  type: string;
  /** The import ID (or, for a read, the ID read). */
  id: string;
  /** Inputs the import step leaves as they are. */
  ignoreChanges?: string[];
}

export interface StackExport {
  version: 3;
  deployment: { manifest: { time: string; magic: string; version: string }; resources: ExportResource[] };
}

/** The stack's config as the Pulumi runtime holds it: `project:key` -> string, plus which keys are secret. */
export interface StackConfigInput {
  config: Record<string, string>;
  secretKeys: string[];
  /** Secrets the stack needs but does not set: offline, placeholders stand in for them. */
  placeholders: string[];
  /** Charts whose `chartValues` keys went unchecked, their archive not being in the chart cache. */
  uncheckedCharts: string[];
  /**
   * Per metrics backend, the buckets only it brings under this config (config/buckets.ts
   * backendBuckets): the change check's fact of which deletions a swapped backend alone causes,
   * taken from the plan that creates the buckets: an export's buckets are all the object store's
   * children, and one nothing reads is granted to no consumer.
   */
  backendBuckets: Record<Backend, string[]>;
}

/**
 * Loads `Pulumi.<stack>.yaml` under the CLI's own rules (config/stackFile.ts: project defaults, missing
 * keys, types, `secret: true`, ciphertext form), applies `overrides` (`project:key` -> text), and
 * stands in a recognisable placeholder ({@link secretPlaceholder}, kept secret) for every secret
 * the stack needs but neither sets nor finds in the environment.
 */
export function readStackConfig(
  projectDir: string,
  stack: string,
  overrides: Record<string, string> = {},
  env: Record<string, string | undefined> = process.env,
): StackConfigInput {
  // Every problem of the stack file in one run (config/stackCheck.ts), not the CLI's first.
  const uncheckedCharts: string[] = [];
  let checked: ReturnType<typeof checkedStackConfig>;
  try {
    checked = checkedStackConfig(projectDir, stack, env, {
      allowAbsentSecrets: true,
      overrides,
      chartKeys: (chart) => pinnedChartKeys(chart) ?? void uncheckedCharts.push(chart),
    });
  } catch (e) {
    throw saidBefore(e, { uncheckedCharts });
  }
  const { cfg: parsed, config, secretKeys } = checked;
  const placeholders: string[] = [];
  for (const { key } of absentSecrets(parsed, env)) {
    const full = `${PROJECT}:${key}`;
    // The receivers' credentials are one map (config/receiverSecrets.ts): a placeholder per receiver.
    config[full] =
      key === RECEIVER_CREDENTIALS_KEY
        ? JSON.stringify(
            Object.fromEntries(
              credentialReceivers(parsed.alerting.receivers).map((r) => [
                r.name,
                secretPlaceholder(`${full}.${r.name}`),
              ]),
            ),
          )
        : secretPlaceholder(full);
    secretKeys.push(full);
    placeholders.push(full);
  }
  return { config, secretKeys, placeholders, uncheckedCharts, backendBuckets: backendBuckets(parsed) };
}

/**
 * What a stack's synthesis found to say before it was refused: the charts whose `chartValues` keys
 * went unchecked, and the program's warnings until it stopped. A refusal is said with them: a
 * warning dropped whenever the config is refused came up only once its refusal was fixed, one run
 * later.
 */
export interface SaidBefore {
  uncheckedCharts?: string[];
  warnings?: string[];
}

const saidBeforeErrors = new WeakMap<object, SaidBefore>();

/** `e`, carrying `found` besides what it already carries (see {@link saidBeforeOf}). */
function saidBefore(e: unknown, found: SaidBefore): unknown {
  if (typeof e === "object" && e !== null) {
    const had = saidBeforeErrors.get(e) ?? {};
    saidBeforeErrors.set(e, {
      uncheckedCharts: [...(had.uncheckedCharts ?? []), ...(found.uncheckedCharts ?? [])],
      warnings: [...(had.warnings ?? []), ...(found.warnings ?? [])],
    });
  }
  return e;
}

/** What the synthesis that threw `e` found to say before it (nothing when `e` is none of its refusals). */
export function saidBeforeOf(e: unknown): SaidBefore {
  return (typeof e === "object" && e !== null && saidBeforeErrors.get(e)) || {};
}

/** Raised for a missing stack file or bad arguments (exit code 2, like a config error). */
export class SynthInputError extends Error {}

interface Recorded {
  resource: pulumi.Resource;
  type: string;
  name: string;
  parent?: pulumi.Resource;
  protect?: boolean;
  retainOnDelete?: boolean;
  importId?: string;
  dependsOn: pulumi.Resource[];
  provider?: pulumi.ProviderResource;
  readId?: string;
  ignoreChanges?: string[];
}

/**
 * The manifest version a synthesis writes into its export, where `pulumi stack export` writes the
 * CLI's version: what tells an export this program synthesized from one a deployment left.
 */
export const SYNTH_MANIFEST_VERSION = "v3.0.0-synth";

/** Whether this program synthesized `exp` (its manifest), not a deployment (`pulumi stack export`). */
export const synthesized = (exp: StackExport): boolean =>
  exp.deployment.manifest?.version === SYNTH_MANIFEST_VERSION;

export interface SynthResult {
  export: StackExport;
  /** Resources the update imports, with their IDs (side record; exports have no import field). */
  imports: Adopted[];
  /** Resources the program only reads (`get`). */
  reads: Adopted[];
  /** The stack's outputs, as the program returned them. */
  outputs: Record<string, unknown>;
  /**
   * Key names of each Kubernetes Secret's `data`/`stringData` by URN: the export hides them inside
   * one secret envelope, but checks of what reads a Secret need them (synth/render/objects.ts).
   */
  secretDataKeys: Record<string, string[]>;
  /**
   * The inputs the engine leaves as the previous state has them on an update (the resource option
   * `ignoreChanges`), by URN, for every resource that sets some: the change check compares what the
   * engine sends (change/against.ts). Absent in results cached before it.
   */
  ignoreChanges?: Record<string, string[]>;
  /**
   * What the program warned of (`pulumi.log.warn`), each message once, for the caller to say under
   * the stack's name (see {@link RUNTIME_WARNING}).
   */
  warnings: string[];
}

/**
 * How the SDK writes a program's `pulumi.log.warn` when no engine runs (@pulumi/pulumi 3.270.0
 * log/index.js `warn`: `console.warn(\`warning: [runtime] ${msg}\`)`). Under synthesis such a line
 * named no stack: `synth --all` printed production's SimpleScalable warning after pi's and
 * staging's verdicts, where it read as theirs.
 */
const RUNTIME_WARNING = "warning: [runtime] ";

/**
 * Runs `program` under Pulumi's mock runtime with the given config and returns what a real
 * `pulumi stack export` after `pulumi up` would hold. `program` receives root options it must pass
 * to every top-level resource (the recorder rides on them to see parents and resource options).
 */
export async function synthesize(
  stack: string,
  config: { config: Record<string, string>; secretKeys: string[] },
  program: (rootOpts: pulumi.ComponentResourceOptions) => Record<string, unknown>,
  call: (token: string, inputs: Record<string, any>) => Record<string, any> = mockCall,
): Promise<SynthResult> {
  const inputs = new Map<
    string,
    {
      inputs: Record<string, any>;
      id: string;
      state: Record<string, any>;
      custom: boolean;
      engineId?: string;
    }
  >();
  const failures: unknown[] = [];
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        // args.id is what the engine was handed: the import ID of a registration, or the ID of a read.
        const state = args.id
          ? mockRead(args.type, args.id, args.inputs)
          : mockState(args.type, args.name, args.inputs);
        const id = args.custom ? args.id || `${args.name}-id` : "";
        inputs.set(`${args.type}::${args.name}`, {
          inputs: args.inputs,
          id,
          state,
          custom: !!args.custom,
          engineId: args.id || undefined,
        });
        return { id, state };
      },
      call: (args) => call(args.token, args.inputs),
    },
    PROJECT,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig(config.config, config.secretKeys);

  const recorded: Recorded[] = [];
  const recorder: pulumi.ResourceTransformation = ({ resource, type, name, opts }) => {
    recorded.push({
      resource,
      type,
      name,
      parent: opts.parent,
      protect: opts.protect,
      retainOnDelete: opts.retainOnDelete,
      importId: (opts as pulumi.CustomResourceOptions).import,
      dependsOn: ([] as pulumi.Resource[]).concat((opts.dependsOn as any) ?? []),
      provider: (opts as pulumi.CustomResourceOptions).provider,
      readId: typeof opts.id === "string" ? opts.id : undefined,
      ignoreChanges: opts.ignoreChanges,
    });
    return undefined;
  };

  // An exception inside an apply (a missing 1Password field, say) surfaces as an unhandled
  // rejection while the resources behind it never register: fail instead of waiting for them.
  let fail: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  const onRejection = (e: unknown) => {
    failures.push(e);
    fail(e);
  };
  process.on("unhandledRejection", onRejection);
  // The program's warnings, kept rather than printed: the stacks synthesize one at a time (the
  // mocks are global), so what the SDK writes in this window is this stack's.
  const warnings: string[] = [];
  const consoleWarn = console.warn;
  console.warn = (...parts: unknown[]) => {
    const text = parts.map(String).join(" ");
    if (!text.startsWith(RUNTIME_WARNING)) return consoleWarn(...parts);
    const msg = text.slice(RUNTIME_WARNING.length);
    if (!warnings.includes(msg)) warnings.push(msg);
  };
  let outputs: Record<string, unknown>;
  try {
    outputs = program({ transformations: [recorder] });
    // Resources register asynchronously; wait until every URN resolved and no new resource appeared.
    let settled = -1;
    while (settled !== recorded.length) {
      settled = recorded.length;
      await Promise.race([
        Promise.all(recorded.map((r) => new Promise((resolve) => r.resource.urn.apply(resolve)))),
        failed,
      ]);
      await Promise.race([new Promise((resolve) => setImmediate(resolve)), failed]);
    }
  } catch (e) {
    // What the program warned of before it stopped is said with what stopped it.
    throw saidBefore(e, { warnings });
  } finally {
    process.off("unhandledRejection", onRejection);
    console.warn = consoleWarn;
  }
  if (failures.length > 0) throw saidBefore(failures[0], { warnings });

  const stackUrn = `urn:pulumi:${stack}::${PROJECT}::pulumi:pulumi:Stack::${PROJECT}-${stack}`;
  const byResource = new Map<pulumi.Resource, { urn: string; rec: Recorded }>();
  const qualifiedType = (rec: Recorded): string => {
    const chain: string[] = [];
    for (let p = rec.parent; p; p = byResource.get(p)?.rec.parent) chain.unshift(byResource.get(p)!.rec.type);
    return [...chain, rec.type].join("$");
  };
  const seen = new Set<string>();
  for (const rec of recorded) {
    const urn = `urn:pulumi:${stack}::${PROJECT}::${qualifiedType(rec)}::${rec.name}`;
    if (seen.has(urn)) throw new Error(`synthesis: duplicate URN ${urn}`);
    seen.add(urn);
    byResource.set(rec.resource, { urn, rec });
  }

  const resources: ExportResource[] = [
    {
      urn: stackUrn,
      custom: false,
      type: "pulumi:pulumi:Stack",
      inputs: {},
      outputs: sanitize(outputs, false),
    },
  ];
  const imports: Adopted[] = [];
  const reads: Adopted[] = [];
  const ignoreChanges: Record<string, string[]> = {};
  for (const rec of recorded) {
    const urn = byResource.get(rec.resource)!.urn;
    if (rec.ignoreChanges?.length) ignoreChanges[urn] = rec.ignoreChanges;
    const mock = inputs.get(`${rec.type}::${rec.name}`);
    if (!mock) throw new Error(`synthesis: ${urn} was constructed but never registered`);
    // What the engine received must be what the program asked for: an import ID reaches the
    // registration (RegisterResourceRequest.importId), a read ID the read.
    const asked = rec.importId ?? rec.readId;
    if (asked !== mock.engineId)
      throw new Error(`synthesis: ${urn} asked for ID ${asked} but the engine received ${mock.engineId}`);
    if (rec.importId)
      imports.push({ urn, type: rec.type, id: rec.importId, ignoreChanges: rec.ignoreChanges ?? [] });
    if (rec.readId) reads.push({ urn, type: rec.type, id: rec.readId });
    const secretOutputs = SECRET_OUTPUTS[rec.type] ?? [];
    const entry: ExportResource = {
      urn,
      custom: mock.custom,
      type: rec.type,
      inputs: mock.custom ? sanitize(mock.inputs, false, secretOutputs) : {},
      outputs: mock.custom ? sanitize(mock.state, false, secretOutputs) : {},
      parent: rec.parent ? byResource.get(rec.parent)!.urn : stackUrn,
    };
    if (mock.custom) entry.id = mock.id;
    if (rec.protect) entry.protect = true;
    if (rec.retainOnDelete) entry.retainOnDelete = true;
    if (rec.importId) entry.importId = rec.importId;
    if (rec.readId) entry.external = true;
    const deps = rec.dependsOn.map((d) => byResource.get(d)?.urn).filter((u): u is string => !!u);
    if (deps.length) entry.dependencies = deps;
    if (rec.provider && byResource.has(rec.provider)) {
      const p = byResource.get(rec.provider)!;
      entry.provider = `${p.urn}::${inputs.get(`${p.rec.type}::${p.rec.name}`)!.id}`;
    }
    resources.push(entry);
  }
  const secretDataKeys: Record<string, string[]> = {};
  for (const r of resources.filter((x) => x.type === "kubernetes:core/v1:Secret")) {
    const rec = recorded.find((x) => byResource.get(x.resource)!.urn === r.urn)!;
    const mock = inputs.get(`${rec.type}::${rec.name}`)!.inputs;
    // A Secret the program only reads holds, in the model, the keys the program requires of it.
    const keys = ["data", "stringData"].flatMap((f) => Object.keys(unwrapSecret(mock[f]) ?? {}));
    keys.push(...(requiredSecretKeys(rec.resource) ?? []));
    secretDataKeys[r.urn] = [...new Set(keys)].sort();
  }
  return {
    secretDataKeys,
    ignoreChanges,
    warnings,
    export: {
      version: 3,
      deployment: {
        manifest: { time: new Date(0).toISOString(), magic: "", version: SYNTH_MANIFEST_VERSION },
        resources,
      },
    },
    outputs,
    imports,
    reads,
  };
}

/** The plain value inside a runtime secret envelope (mocks see `{sig, value}`), or the value itself. */
function unwrapSecret(v: any): any {
  return isSecretEnvelope(v) ? v.value : v;
}

/** The export as `pulumi stack export` writes it: without the synthesis-only `importId`. */
export function withoutImportIds(exp: StackExport): StackExport {
  const resources = exp.deployment.resources.map(({ importId: _importId, ...r }) => r);
  return { ...exp, deployment: { ...exp.deployment, resources } };
}

/** A secret in export form: the signature and opaque ciphertext, never the value. */
function secretEnvelope(): Record<string, string> {
  return { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "synth-redacted" };
}

/**
 * Plain data for the export: secret values (runtime envelopes, or fields the provider marks secret)
 * become ciphertext envelopes; assets and resource references become their serialised forms.
 */
export function sanitize(value: any, insideSecret: boolean, secretFields: readonly string[] = []): any {
  if (value === null || value === undefined) return value;
  if (Array.isArray(value)) return value.map((v) => sanitize(v, insideSecret));
  if (typeof value !== "object") return insideSecret ? secretEnvelope() : value;
  if (isSecretEnvelope(value)) return secretEnvelope();
  if (pulumi.Resource.isInstance(value)) return { urn: "<resource>" };
  const out: Record<string, any> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = secretFields.includes(k) && v !== undefined ? secretEnvelope() : sanitize(v, insideSecret);
  }
  return out;
}
