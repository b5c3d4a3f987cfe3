/**
 * The Kubernetes provider's switches, the same for every stack (apply/stack.ts gives them to the
 * program's own provider; config/kubernetesKeys.ts names them when a stack file sets the matching
 * `kubernetes:` key, which that provider never reads).
 * - ConfigMaps and Secrets update in place (pulumi-kubernetes diff.go replaces their data
 *   otherwise, deleting the named object before the new one exists): docs/explanation/migration-design.md.
 * - Creating an object that already exists fails ("already exists") instead of taking it over,
 *   pinned off so PULUMI_K8S_UPSERT_EXISTING_OBJECTS in the shell cannot turn it on. With upsert a
 *   takeover that forgot an entry would silently patch the running Namespace, Secret or claim, and
 *   a later delete of that resource would remove it (pulumi-kubernetes v4.29.0 CHANGELOG.md;
 *   provider/pkg/provider/provider.go Configure reads the parameter before the variable, at
 *   94977969d64112b04e19945818a7d5d5f38f631d). A switch like this one changes no cluster: DiffConfig
 *   replaces the provider only on kubeconfig, context or cluster (same file, DiffConfig).
 */
export const PROVIDER_SWITCHES = {
  enableServerSideApply: true,
  enableConfigMapMutable: true,
  enableSecretMutable: true,
  upsertExistingObjects: false,
} as const;

/** Why each switch is pinned, as a message says it to someone who set the key otherwise. */
export const PROVIDER_SWITCH_REASONS: Record<keyof typeof PROVIDER_SWITCHES, string> = {
  // The takeover's annotation (apply/takeover.ts PATCH_FORCE) is read by `patchForce`, which only
  // the server-side apply paths call (pulumi-kubernetes provider/pkg/await/await.go ssaUpdate and
  // the SSA create, at 94977969d64112b04e19945818a7d5d5f38f631d).
  enableServerSideApply:
    "a takeover from Flux takes the adopted namespace's and claim's fields over from kustomize-controller through server-side apply (their pulumi.com/patchForce annotation acts only there)",
  enableConfigMapMutable:
    "a ConfigMap updates in place; otherwise the provider replaces its data by deleting the object before the new one exists",
  enableSecretMutable:
    "a Secret updates in place; otherwise the provider replaces its data by deleting the object before the new one exists",
  upsertExistingObjects:
    "creating an object that already exists must fail, not take over the running one: a takeover that missed an entry would patch it, and a later delete of that resource would remove it",
};
