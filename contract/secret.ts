/**
 * Pulumi's marker for a secret value in serialized state and exports: an object whose key
 * `SECRET_SIG_KEY` holds `SECRET_SIG` (sdk/go/common/resource/sig/sig.go Secret). The synthesis
 * writes secrets in this shape and the pack recognises them by it.
 */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A Pulumi secret as it appears in an export (or in props the engine kept wrapped). */
export function isSecretEnvelope(v: unknown): boolean {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/**
 * The value a secret envelope of an export holds readable: `pulumi stack export --show-secrets`
 * writes it as `plaintext`, the value's JSON text (pulumi/pulumi pkg/resource/stack/deployment.go
 * DeserializePropertyValue json.Unmarshal's it; sdk/go/common/apitype/core.go SecretV1), kept as
 * the text itself when it is no JSON. Undefined for one with ciphertext only, which is not read
 * offline.
 */
export function secretPlaintext(envelope: Record<string, unknown>): { value: unknown } | undefined {
  if (typeof envelope.plaintext !== "string") return undefined;
  try {
    return { value: JSON.parse(envelope.plaintext) };
  } catch {
    return { value: envelope.plaintext };
  }
}

/** Where a value sits inside another: object keys and array indexes, outermost first. */
export type ValuePath = (string | number)[];

/**
 * Whether `v` holds a secret envelope at any depth. Indexed loops, a child visited only when it is
 * an object, and the envelope found by its key among the keys being read: the pack asks this of
 * every resource's inputs and outputs, so no Object.values copies and no lookup of a key the object
 * lacks (slow on objects of many shapes). Keys by `for...in`, not Object.keys: V8 walks the map's
 * enum cache without the array Object.keys allocates per object. Over the pack benchmark's 20,000
 * input and output trees (alternated, medians of 9): Object.keys 74 ms, Object.values 63,
 * `for...in` 60, and no garbage left. `for...in` also reads inherited enumerable keys, which trees
 * of exports and Pulumi's props never have: at worst a "yes" whose copy finds nothing to replace.
 * Measured and not kept (CPU over one benchmark set's Release, NetworkPolicy, ConfigMap, Secret and
 * StatefulSet inputs and outputs, medians of 9, in two processes of either order): a loop over an
 * explicit stack of pending objects, 28.0 / 27.1 ms against 32.0 / 27.9 recursive (a stack shared
 * across calls no faster, and it kept the last walk's objects alive); an array walker and an object
 * walker calling each other, 32.0 / 26.8. Within the noise, and the stack would stop a tree nested
 * deeper than the call stack from throwing RangeError here, which the evaluator's tests of an
 * unexpected error rely on (test/policy/parseCache.test.ts, test/cli/cliErrors.test.ts).
 */
export function holdsSecret(v: unknown): boolean {
  if (v === null || typeof v !== "object") return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (x !== null && typeof x === "object" && holdsSecret(x)) return true;
    }
    return false;
  }
  for (const k in v) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== null && typeof x === "object") {
      if (holdsSecret(x)) return true;
    } else if (x === SECRET_SIG && k === SECRET_SIG_KEY) return true;
  }
  return false;
}

/** {@link mapSecrets}' default leaf: the value itself. */
const same = (x: unknown) => x;

/**
 * The walker over secret envelopes: `v` rebuilt with every envelope, at any depth, replaced by what
 * `onSecret` returns for it, and every other leaf by what `leaf` returns (default: itself). Arrays
 * stay arrays (a hole stays a hole), objects are copied key by key. `path` is where the envelope
 * sits; the walker reuses it, so copy it to keep it. Indexed loops and no closure per node: every
 * release's values and every raw resource's inputs go through it on each render.
 */
export function mapSecrets(
  v: unknown,
  onSecret: (envelope: Record<string, any>, path: ValuePath) => unknown,
  leaf: (v: unknown) => unknown = same,
  path: ValuePath = [],
): any {
  if (v === null || typeof v !== "object") return leaf(v);
  if (isSecretEnvelope(v)) return onSecret(v as Record<string, any>, path);
  if (Array.isArray(v)) {
    const items: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++)
      if (i in v) {
        path.push(i);
        items[i] = mapSecrets(v[i], onSecret, leaf, path);
        path.pop();
      }
    return items;
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    path.push(keys[i]);
    out[keys[i]] = mapSecrets((v as Record<string, unknown>)[keys[i]], onSecret, leaf, path);
    path.pop();
  }
  return out;
}
