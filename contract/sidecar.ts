/**
 * k8s-sidecar (kiwigrid/k8s-sidecar), the container the grafana chart runs beside Grafana to list
 * the ConfigMaps and Secrets it loads: what the program's checks and the pack both know of it.
 */
import { parseImage, upstreamRepository, type ImageMirrors } from "./image";

/**
 * The repository the program pins (model/versions.ts `k8sSidecar`, registry and repository; a test
 * keeps them equal): the pack reads the contract, not model/.
 */
export const K8S_SIDECAR_REPOSITORY = "quay.io/kiwigrid/k8s-sidecar";

/**
 * The kinds k8s-sidecar lists for RESOURCE, as written (kiwigrid/k8s-sidecar 1.30.9, commit
 * 630e256e5c6c019eec9618c365f6629b900d2a05, src/sidecar.py:71-72: `os.getenv(RESOURCE, "configmap")`,
 * then `("secret", "configmap") if resources == "both"`): another value (`Both`, `ConfigMap`) is a
 * kind src/resources.py:26-32 `_list_namespace` has no method for, so the sidecar lists nothing.
 */
export const SIDECAR_RESOURCE_KINDS: Readonly<Record<string, readonly string[]>> = {
  configmap: ["configmap"],
  secret: ["secret"],
  both: ["secret", "configmap"],
};

/** Whether `image` is k8s-sidecar's: its repository, or that repository through one of `mirrors`. */
export function isK8sSidecar(image: unknown, mirrors?: ImageMirrors): boolean {
  if (typeof image !== "string" || image.trim() === "") return false;
  const repository = parseImage(image).repository;
  return (upstreamRepository(repository, mirrors) ?? repository) === K8S_SIDECAR_REPOSITORY;
}
