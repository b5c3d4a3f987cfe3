import { mirroredRepository, parseImage, type ImageMirrors } from "@homelab-observability/contract";
import { PINNED_REPOSITORIES } from "../model/versions";
import { isPlainMap } from "../config/tree";

/*
 * The stack's `imageMirrors` applied to what the program writes: every reference to a pinned image
 * at a mirrored registry named through the mirror instead, its repository path, tag and digest
 * kept (`docker.io/grafana/loki:3.7.6` -> `registry.home.lan/dockerhub/grafana/loki:3.7.6`). The
 * references take the forms the program writes them in (checks/imageDigests.ts imageRefsIn reads
 * the same): a chart's `{registry, repository, tag}` map (the registry replaced), a
 * `{repository, tag}` map whose repository holds the registry or leaves Docker Hub implicit (a
 * custom resource's, a chart without a registry key: the repository replaced), and a whole
 * reference as text (a container's `image`, the VictoriaMetrics operator's reloader variable, the
 * prometheus-operator's `--prometheus-config-reloader=` flag). Only the pins' repositories: a chart
 * default the program does not pin stays as it is, for image-pins to refuse as it did.
 */

/** The pinned repositories, as parseImage spells them (`docker.io/grafana/loki`). */
const PINNED = new Set(PINNED_REPOSITORIES);

/** Text that may be a whole reference: no space, template, quote or `=` (a flag's) in it. */
const REFERENCE = /^[^\s{}"'=]+$/;

/** `ref` (a whole reference with a tag or digest) through its registry's mirror, or undefined. */
function mirroredText(ref: string, mirrors: ImageMirrors): string | undefined {
  const name = ref.split("@")[0];
  const tagged = name.lastIndexOf(":") > name.lastIndexOf("/");
  if (!REFERENCE.test(ref) || (!tagged && !ref.includes("@"))) return undefined;
  const { repository } = parseImage(ref);
  const mirrored = PINNED.has(repository) ? mirroredRepository(repository, mirrors) : undefined;
  if (mirrored === undefined) return undefined;
  const bare = tagged ? name.slice(0, name.lastIndexOf(":")) : name;
  return `${mirrored}${ref.slice(bare.length)}`;
}

/** An image map (`{[registry,] repository, …}`) through its registry's mirror, or undefined. */
function mirroredMap(
  image: Record<string, unknown>,
  mirrors: ImageMirrors,
): Record<string, unknown> | undefined {
  const { registry, repository } = image;
  if (typeof repository !== "string" || repository === "") return undefined;
  const split = typeof registry === "string" && registry !== "";
  const upstream = parseImage(split ? `${registry}/${repository}` : repository).repository;
  const mirrored = PINNED.has(upstream) ? mirroredRepository(upstream, mirrors) : undefined;
  if (mirrored === undefined) return undefined;
  if (!split) return { ...image, repository: mirrored };
  // The registry alone replaced, the chart joining it to the repository as before.
  return { ...image, registry: mirrors[upstream.slice(0, upstream.indexOf("/"))] };
}

const RELOADER_FLAG = "--prometheus-config-reloader=";

/**
 * `tree` (chart values, an object's spec) with every pinned image reference at a registry of
 * `mirrors` named through its mirror; a new tree where anything changed, `tree` itself otherwise.
 */
export function mirrorPinnedImages<T>(tree: T, mirrors: ImageMirrors): T {
  if (Object.keys(mirrors).length === 0) return tree;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      if (v.startsWith(RELOADER_FLAG)) {
        const ref = mirroredText(v.slice(RELOADER_FLAG.length), mirrors);
        return ref === undefined ? v : `${RELOADER_FLAG}${ref}`;
      }
      return mirroredText(v, mirrors) ?? v;
    }
    if (Array.isArray(v)) {
      const out = v.map(walk);
      return out.some((x, i) => x !== v[i]) ? out : v;
    }
    // A class instance (a Pulumi Output) is left whole.
    if (!isPlainMap(v)) return v;
    const base = mirroredMap(v, mirrors) ?? v;
    let changed = base !== v;
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(base)) {
      // The map's own repository was judged whole above; its text is no reference of its own.
      out[k] = k === "repository" || k === "registry" ? child : walk(child);
      if (out[k] !== child) changed = true;
    }
    return changed ? out : v;
  };
  return walk(tree) as T;
}
