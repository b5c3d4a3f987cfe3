/**
 * The takeover's ignoreChanges: what the import step leaves to the update after it, and the fields
 * a live object gains that the program never sets. Facts of the engine and the kubernetes provider,
 * read by the plan (plan/takeover.ts) and by the change check (change/ignoredChanges.ts).
 */
import { NAMESPACE_TYPE, PVC_TYPE } from "./names";

/**
 * Release inputs the program sets (components/helm.ts) other than name and namespace. During the
 * import step they keep the running release's values: the engine applies ignoreChanges before it
 * diffs an import (pulumi/pulumi pkg/resource/deploy/step.go, ImportStep.Apply: processIgnoreChanges,
 * then "inputs to import do not match the existing resource" on any remaining diff), and the
 * provider's import reads back only name, namespace, chart, version, values and a default timeout
 * (pulumi-kubernetes provider/pkg/provider/helm_release.go, Read/importRelease/setReleaseAttributes).
 */
export const RELEASE_IMPORT_IGNORES = [
  "chart",
  "version",
  "repositoryOpts",
  "values",
  "atomic",
  "timeout",
  // Not read back by the import either: left alone, it would make the import step upgrade the release.
  "maxHistory",
];
/** Kubernetes objects: our labels and annotations are added by the update step, not the import. */
export const OBJECT_IMPORT_IGNORES = ["metadata.labels", "metadata.annotations"];

/**
 * Fields the live object gains that the program never sets, ignored in every step (import and
 * update): on import the provider's Read fills the inputs with the whole live object
 * (pulumi-kubernetes provider/pkg/provider/provider.go Read), and since Pulumi CLI 3.174 the
 * engine diffs those inputs against the program's in the same deployment (pulumi/pulumi#19339).
 * A claim's `spec.volumeName` is force-new (diff.go: PersistentVolumeClaim), so without this the
 * bound claim would be replaced (refused: it is protected and imported); `volumeMode` and the
 * finalizers would show as updates that remove server-set fields.
 */
export const LIVE_FIELD_IGNORES: Record<string, string[]> = {
  [PVC_TYPE]: ["spec.volumeName", "spec.volumeMode", "metadata.finalizers"],
  [NAMESPACE_TYPE]: ["spec.finalizers", "metadata.finalizers"],
};
