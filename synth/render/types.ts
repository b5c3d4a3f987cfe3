/**
 * The shapes rendering hands the rest of the preview: objects as the API server would receive
 * them, what one release renders to, raw resources as objects, and the render options.
 */
import { chartPinPlace } from "../../config/chartPins";

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

/**
 * The Kubernetes version every render targets (`--kube-version`): the homelab clusters' minor, a fact
 * of the program (the Pod Security labels pin the same minor), not of a stack; no stack key sets it.
 */
export const DEFAULT_KUBE_VERSION = "1.31.0";

/**
 * Helm's refusal of a chart whose Chart.yaml `kubeVersion` does not admit the render's Kubernetes
 * version (helm pkg/action/action.go renderResources): `chart requires kubeVersion: <range> which is
 * incompatible with Kubernetes v<version>`.
 */
const KUBE_VERSION_REFUSED =
  /^Error: chart requires kubeVersion: (.+) which is incompatible with Kubernetes v?(\S+)$/m;

/**
 * Helm's message for a release that did not render, as the commands say it: without Helm's `--debug`
 * hint ({@link withoutHelmDebugHint}), its `Error:` first ({@link helmErrorFirst}), and a chart whose
 * `kubeVersion` floor is above the Kubernetes
 * version the render targets said as that: the chart's range, the version rendered for and where it is
 * set ({@link DEFAULT_KUBE_VERSION}), and the pin of `chart` to change. Helm's words named neither
 * where the version comes from nor what to do, and a bumped chart pin is what meets it.
 */
export function renderFailureText(message: string, chart: string, version: string): string {
  return helmErrorFirst(withoutHelmDebugHint(message)).replace(
    KUBE_VERSION_REFUSED,
    (_, range: string, kube: string) => {
      const pin = chartPinPlace(chart, version);
      const where =
        pin === undefined ? "its pin in model/versions.ts" : `${pin.at} (${pin.key}, now ${version})`;
      return `the chart requires Kubernetes ${range} (kubeVersion in its Chart.yaml), and the render targets Kubernetes ${kube}, the homelab clusters' version (DEFAULT_KUBE_VERSION in synth/render/types.ts; no stack key sets it); pin a version of ${chart} whose kubeVersion admits ${kube} at ${where}`;
    },
  );
}

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
