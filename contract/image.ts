/** Image references, read the same way by the program's checks and by the pack. */

/**
 * Whether `part`, the first `/`-separated part of a reference's name, is its registry host to the
 * reference parser: it holds a '.' or a ':' (a port), or is `localhost`; any other first part is a
 * Docker Hub namespace (distribution/reference normalize.go `splitDockerDomain`, read, not run).
 */
export const isRegistryHost = (part: string): boolean =>
  part.includes(".") || part.includes(":") || part === "localhost";

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
  const hasRegistry = parts.length > 1 && isRegistryHost(parts[0]);
  // index.docker.io is Docker Hub's legacy name: the same registry, official images under library/
  // (distribution/reference normalize.go `splitDockerDomain`, at aeed5e66: the legacy domain is
  // made docker.io before the `library/` prefix is added; read, not run), so
  // index.docker.io/busybox is docker.io/library/busybox.
  const written = hasRegistry ? parts.shift()! : "docker.io";
  const registry = written === "index.docker.io" ? "docker.io" : written;
  if (registry === "docker.io" && parts.length === 1) parts.unshift("library");
  return { repository: `${registry}/${parts.join("/")}`, tag };
}

/**
 * A stack's registry mirrors (the stack key `imageMirrors`): each upstream registry host, as a
 * reference names it after {@link parseImage} (`docker.io`, `quay.io`), and the prefix its images
 * are pulled through instead (`registry.home.lan/dockerhub`: a host, an optional :port and an
 * optional path), the repository's path, tag and digest kept. The program writes its pinned images
 * so (builders/imageMirror.ts); the checks and the pack read the mirrors from the stack-info
 * ConfigMap, to know a mirrored image for the pin it stands for.
 */
export type ImageMirrors = Readonly<Record<string, string>>;

/**
 * `repository` (`registry/path`, as {@link parseImage} gives it) pulled through its registry's
 * mirror: the mirror's prefix, then the same path. Undefined when its registry has no mirror.
 */
export function mirroredRepository(
  repository: string,
  mirrors: ImageMirrors | undefined,
): string | undefined {
  const slash = repository.indexOf("/");
  const mirror = slash < 0 ? undefined : mirrors?.[repository.slice(0, slash)];
  return mirror === undefined ? undefined : `${mirror}/${repository.slice(slash + 1)}`;
}

/**
 * The upstream repository (`registry/path`) that `repository`, pulled through one of `mirrors`,
 * stands for: the registry whose mirror prefix it starts with (the longest, should one prefix hold
 * another), then the rest of its path. Undefined when it is at none of them.
 */
export function upstreamRepository(
  repository: string,
  mirrors: ImageMirrors | undefined,
): string | undefined {
  let best: [string, string] | undefined;
  for (const [registry, prefix] of Object.entries(mirrors ?? {}))
    if (repository.startsWith(`${prefix}/`) && (best === undefined || prefix.length > best[1].length))
      best = [registry, prefix];
  return best && `${best[0]}/${repository.slice(best[1].length + 1)}`;
}

/**
 * For a repository that is none of `known` (repositories as {@link parseImage} gives them) but one's
 * path under another prefix (`registry.home.lan/dockerhub/grafana/loki`): that one, its registry
 * and the prefix, which may be a mirror of that registry the stack has not declared in
 * `imageMirrors`. Undefined otherwise, and for a prefix `mirrors` already gives that registry. A
 * prefix at a registry of `known` (an upstream one) is a mirror only when it ends in that
 * registry's own name (`quay.io/someorg/docker.io/grafana/loki`): what a namespace of an upstream
 * registry holds under the same path is as likely another build of the same software
 * (`docker.io/bitnami/kubectl`), and naming the registry it copies is what tells a mirror from
 * one. The first of `known` in order that fits. Read by synth's image-pins, the pack's
 * arm64-images and no-cluster-secret-read, each saying the way in its own words.
 */
export function undeclaredMirrorOf(
  repository: string,
  known: readonly string[],
  mirrors: ImageMirrors | undefined,
): { known: string; registry: string; prefix: string } | undefined {
  const registries = new Set(known.map((k) => k.slice(0, k.indexOf("/"))));
  for (const k of known) {
    const slash = k.indexOf("/");
    const [registry, path] = [k.slice(0, slash), k.slice(slash)];
    if (repository === k || !repository.endsWith(path)) continue;
    const prefix = repository.slice(0, repository.length - path.length);
    if (mirrors?.[registry] === prefix) continue;
    if (registries.has(prefix.split("/")[0]) && !prefix.endsWith(`/${registry}`)) continue;
    return { known: k, registry, prefix };
  }
  return undefined;
}
