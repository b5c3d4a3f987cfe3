/** Image references, read the same way by the program's checks and by the pack. */

/** `registry/repository` and tag of an image reference, with Docker Hub's implicit parts filled in. */
export function parseImage(ref: string): { repository: string; tag: string } {
  let rest = ref.trim().split("@")[0];
  let tag = "latest";
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split("/");
  const hasRegistry =
    parts.length > 1 && (parts[0].includes(".") || parts[0].includes(":") || parts[0] === "localhost");
  // index.docker.io is Docker Hub's legacy name: the same registry, official images under library/
  // (distribution/reference normalize.go `splitDockerDomain`, at aeed5e66: the legacy domain is
  // made docker.io before the `library/` prefix is added; read, not run), so
  // index.docker.io/busybox is docker.io/library/busybox.
  const written = hasRegistry ? parts.shift()! : "docker.io";
  const registry = written === "index.docker.io" ? "docker.io" : written;
  if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
  return { repository: `${registry}/${parts.join("/")}`, tag };
}
