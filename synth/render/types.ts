/**
 * The shapes rendering hands the rest of the preview: objects as the API server would receive
 * them, what one release renders to, raw resources as objects, and the render options.
 */
/** One Kubernetes object as the API server would receive it. */
export interface RenderedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: any };
  [k: string]: any;
}

/** The objects one Helm release renders to, or why it could not render. */
export interface ReleaseRender {
  /** URN of the `kubernetes:helm.sh/v3:Release` resource. */
  resourceUrn: string;
  releaseName: string;
  namespace: string;
  chart: string;
  version: string;
  /**
   * Rendered objects, CRDs first (as Helm installs them). Namespaced objects without a namespace
   * get the release namespace, as Helm's install does.
   */
  objects: RenderedObject[];
  /** Per object (same index), the chart template it came from (`# Source:` line; `crds/...` for CRDs). */
  sources: string[];
  /** Helm's own message when `helm template` failed (objects is then empty). */
  error?: string;
  /** The program run as Helm is no Helm: `error` names HOMELAB_HELM, alike for every release. */
  notHelm?: boolean;
}

/** A raw (non-Helm) Kubernetes resource of the export as an object. */
export interface RawObject {
  resourceUrn: string;
  object: RenderedObject;
}

/** Every object of a stack, whichever resource deploys it. */
export interface StackObject {
  object: RenderedObject;
  /** URN of the Pulumi resource that deploys it (a Release for rendered objects). */
  resourceUrn: string;
  /** Set for objects rendered from a Helm release. */
  release?: { name: string; namespace: string; chart: string; version: string; source: string };
}

/**
 * What `npm run synth` writes to `<stack>.rendered.json` beside the export: the objects each Helm
 * release renders to and the raw resources as objects (policy:check judges the export with them).
 */
export interface RenderedFile {
  kubeVersion: string;
  releases: ReleaseRender[];
  raw: RawObject[];
}

export interface RenderOptions {
  /** Helm 3 binary. Default: see {@link helmBinary}. */
  helm?: string;
  /** Folder of `<chart>-<version>.tgz`. Default: see {@link chartCacheDir}. */
  chartCache?: string;
  /** `--kube-version`. Default "1.31.0" (what the homelab clusters run). */
  kubeVersion?: string;
  /** API versions served in addition to those the stack installs. Default none. */
  apiVersions?: string[];
  /** Releases of this export in flight at once (Helm processes are capped process-wide too). Default: all. */
  concurrency?: number;
  /** Folder for cached renders (keyed by chart digest, values and flags); false disables. Default `HOMELAB_RENDER_CACHE`, else `.cache/render`. */
  cacheDir?: string | false;
  /** Whether a missing chart may be pulled from its repository. Default: not under CI. */
  pull?: boolean;
}

export const DEFAULT_KUBE_VERSION = "1.31.0";

/**
 * Helm's message without the hint `helm template` appends to a failed render for its own `--debug`
 * flag: no command of this project has that flag (synth and verify render in-process), so passed on
 * it sends the reader after an option that does not exist. Helm's message itself says what failed.
 */
export function withoutHelmDebugHint(message: string): string {
  return message.replace(/\s*Use --debug flag to render out invalid YAML\.?/g, "").trim();
}

/**
 * Helm's message with its `Error:` first: the warnings Helm printed on its way there (Go's
 * `coalesce.go:…: warning: …`, once per pass over the values, so often twice) come after it, each
 * once, as what Helm warned before it failed. Read as it was, a failed render led with a warning,
 * and a reader took the warning for the failure. A message without an `Error:` line is as it was.
 */
export function helmErrorFirst(message: string): string {
  const lines = message.split("\n");
  const at = lines.findIndex((l) => l.startsWith("Error: "));
  if (at <= 0) return message;
  const warned = [...new Set(lines.slice(0, at).filter((l) => l.trim() !== ""))];
  return [...lines.slice(at), `(Helm warned before it failed: ${warned.join("; ")})`].join("\n");
}
