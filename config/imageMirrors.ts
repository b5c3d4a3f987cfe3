import { z } from "zod";
import { isRegistryHost } from "@homelab-observability/contract";
import { versions } from "../model/versions";
import { isRegistryPrefix } from "./imageGrammar";
import { withUnknownKeyHint } from "./keyHints";

/*
 * `imageMirrors`: the registry mirrors (pull-through caches) a stack's images are pulled through,
 * in the form CRI-O's registry mirrors take (containers-registries.conf(5), containers/image
 * docs/containers-registries.conf.5.md at 05d705ce, read: a `[[registry]]` `prefix` and each
 * `[[registry.mirror]]` `location` are host[:port][/namespace…], no scheme, and
 * `example.com/foo/image:latest` is pulled as `example-mirror-0.local/mirror-for-foo/image:latest`),
 * keyed by the upstream registry host as containerd's are (docs/hosts.md: a hosts.toml per
 * registry host, `certs.d/docker.io/hosts.toml`). Unlike those (node settings, which keep the
 * image names), the program writes the names themselves: `docker.io/grafana/loki:3.7.6@sha256:…`
 * becomes `registry.home.lan/dockerhub/grafana/loki:3.7.6@sha256:…`, the repository path, tag and
 * digest kept (builders/imageMirror.ts), so Renovate's pins still apply and the digest still names
 * the content. The keys are the registries model/versions.ts pins images at.
 */

/** The registries the pinned images are pulled from (model/versions.ts images), sorted. */
export const PINNED_REGISTRIES: readonly string[] = [
  ...new Set(Object.values(versions.images).map((i) => i.registry)),
].sort();

const REGISTRY_LIST = `expected a registry the pinned images are pulled from: ${PINNED_REGISTRIES.join(" | ")} (docs/reference/versions.md)`;

/**
 * Docker Hub's other names (distribution/reference normalize.go at 4ca14034, read, not run:
 * `legacyDefaultDomain` "index.docker.io", which splitDockerDomain makes docker.io, :20; "the
 * actual domain of Docker Hub's registry is registry-1.docker.io", :26): a user who copies one
 * from a daemon's mirror config means docker.io, the name every image reference takes.
 */
const DOCKER_HUB_NAMES = new Set(["index.docker.io", "registry-1.docker.io"]);

function unknownRegistry(key: string): string | undefined {
  if (DOCKER_HUB_NAMES.has(key))
    return `; did you mean "docker.io"? (the pinned images name Docker Hub docker.io, as image references do)`;
  return `, ${REGISTRY_LIST}`;
}

/** The form a mirror prefix takes, as its refusal and the reference say it. */
export const MIRROR_FORM =
  'a registry mirror prefix: a host (with a "." or a :port, or localhost), an optional :port and an optional /path, no scheme and no trailing "/", like "registry.home.lan/dockerhub"';

/**
 * Why `v` is no mirror prefix, or undefined. Its first part must read as a host: the reference
 * parser takes a first part with neither '.' nor ':' (nor `localhost`) as a Docker Hub namespace
 * (distribution/reference normalize.go splitDockerDomain, as contract/image.ts parseImage reads
 * it), so `mirror/grafana/loki` is pulled from docker.io/mirror/grafana/loki.
 */
export function mirrorPrefixProblem(v: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return "an image reference names no scheme";
  if (v.endsWith("/")) return 'it ends in "/"';
  if (/\s/.test(v)) return "it has spaces";
  if (!isRegistryPrefix(v))
    return /[A-Z]/.test(v.slice(v.indexOf("/") + 1)) && v.includes("/")
      ? "its path has capital letters"
      : "it is no host[:port][/path] an image reference can begin with";
  const host = v.split("/")[0];
  if (!isRegistryHost(host))
    return `its first part "${host}" has no "." or ":port" and is not localhost, so an image named through it is read as Docker Hub's docker.io/${v}/…`;
  return undefined;
}

const mirrorPrefix = z
  .string()
  .describe(MIRROR_FORM)
  .superRefine((v, ctx) => {
    const why = mirrorPrefixProblem(v);
    if (why) ctx.addIssue({ code: "custom", message: `expected ${MIRROR_FORM} (${why})` });
  });

/**
 * The map's rules between entries: a key that is no pinned registry is an unknown key (said as
 * chartValues says an unknown chart, {@link unknownRegistry}); a registry mirrored at itself is
 * refused (a mirror in name only), and two registries at one prefix: a name at that prefix could
 * stand for either registry's image.
 */
function mirrorEntries(v: Record<string, string>, ctx: z.RefinementCtx) {
  const unknown = Object.keys(v).filter((k) => !PINNED_REGISTRIES.includes(k));
  if (unknown.length > 0) ctx.addIssue({ code: z.ZodIssueCode.unrecognized_keys, keys: unknown });
  const seen = new Map<string, string>();
  for (const [registry, prefix] of Object.entries(v)) {
    if (unknown.includes(registry)) continue;
    if (prefix === registry) {
      ctx.addIssue({
        code: "custom",
        path: [registry],
        message: `expected a prefix other than the registry itself (the images are named at ${registry} without a mirror: leave the key out)`,
      });
      continue;
    }
    const first = seen.get(prefix);
    if (first !== undefined)
      ctx.addIssue({
        code: "custom",
        path: [registry],
        message: `expected a prefix of its own (${first} is pulled through it too: a name under it could stand for either registry's image, and neither the mirror nor image-pins could tell which)`,
      });
    else seen.set(prefix, registry);
  }
}

/**
 * The key's schema: a map from a pinned registry (its keys said in {@link REGISTRY_LIST}) to its
 * mirror prefix. A map rather than an object of the registries: a registry's name holds dots,
 * which a key path cannot name.
 */
export const imageMirrors = withUnknownKeyHint(
  z.record(z.string(), mirrorPrefix).describe(REGISTRY_LIST).superRefine(mirrorEntries),
  unknownRegistry,
);
