import { isRegistryHost } from "@homelab-observability/contract";
import { DIGEST_FORM, versions } from "../model/versions";
import type { RefusedOverride } from "./errors";
import { isMap, propertyPath } from "./tree";
import { anchored, DIGEST, isRegistryPrefix, NAME, NAME_MAX, TAG } from "./imageGrammar";

/*
 * The image references a stack's `chartValues` set (an `image` string, or the registry, repository,
 * tag, digest or sha of an image map), checked against the image reference grammar before the
 * render. Helm writes whatever text it is given into a container's `image`: a tag with a trailing
 * space ("12.3.1 "), `repo:` with no tag, a short digest or a name in capitals rendered, passed
 * every check (the image pins compare a reference trimmed) and failed only when the node pulled it.
 *
 * The grammar: config/imageGrammar.ts.
 */

/**
 * A first part with capitals and neither '.' nor ':' (`Kiwigrid/k8s-sidecar`): the grammar takes it as
 * a registry host, and so does the parser (normalize.go splitDockerDomain: "Uppercase namespaces are
 * not allowed, so if the first element is not lowercase, we assume it to be a domain-name"), so the
 * image would be pulled from a host named "Kiwigrid": a namespace written in capitals, not a host.
 */
const capitalNamespace = (name: string) => {
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  return first !== first.toLowerCase() && !/[.:]/.test(first);
};

/** The parts of a reference: what each is, its rule and an example, as the messages say them, and its check. */
const PARTS = {
  // The charts write `<registry>/<repository>`, so a registry may carry a path after its host (a
  // mirror's project, `harbor.lan/dockerhub`): the name's host and its first path components.
  registry: {
    what: "a registry host",
    rule: "a host name or [IPv6] address, with an optional :port and an optional /path",
    like: "registry.lan:5000",
    ok: isRegistryPrefix,
  },
  repository: {
    what: "a repository name",
    rule: `lowercase letters and digits in '/'-separated parts, each joined inside by one '.', one or two '_' or '-'s, at most ${NAME_MAX} characters (a registry host first allowed)`,
    like: "grafana/grafana",
    ok: (v: string) => anchored(NAME).test(v) && v.length <= NAME_MAX && !capitalNamespace(v),
  },
  tag: {
    what: "a tag",
    rule: "a letter, digit or '_', then at most 127 letters, digits, '_', '.' or '-'",
    like: "12.3.1",
    ok: (v: string) => anchored(TAG).test(v),
  },
  digest: {
    what: "a digest",
    rule: "sha256: and 64 lowercase hex digits",
    like: `sha256:${"0".repeat(64)}`,
    ok: (v: string) => anchored(DIGEST).test(v) && (!/^sha256:/i.test(v) || DIGEST_FORM.test(v)),
  },
  // A chart's `sha` is the digest's hex alone, rendered `@sha256:<sha>` (grafana), or the whole
  // digest (kube-state-metrics): either form (model/versions.ts DigestForm).
  sha: {
    what: "a sha256 digest",
    rule: "64 lowercase hex digits, with or without sha256: before them",
    like: "0".repeat(64),
    ok: (v: string) => DIGEST_FORM.test(v.includes(":") ? v : `sha256:${v}`),
  },
} as const;

type Part = keyof typeof PARTS;

/**
 * The charts whose templates take an image map's `digest` as the hex alone too, writing `sha256:`
 * before it when missing: alloy (templates/_helpers.tpl alloy.imageId, config-reloader.imageId:
 * "either in format \"sha256:XYZ\" or \"XYZ\"") and vector (templates/_helpers.tpl vector.image,
 * `coalesce .Values.image.sha .Values.image.digest`). The others write `@<digest>` as given. Named
 * by their pins (a chartValues key is its chart's name there).
 */
const BARE_DIGEST_CHARTS = new Set<string>([versions.charts.alloy.chart, versions.charts.vector.chart]);

/** Where the grammar is read, as the messages cite it. */
const SOURCE = "the image reference grammar, github.com/distribution/reference regexp.go";

/**
 * Why `ref` (a whole image reference) is none the grammar takes, by its first part that fails
 * ("its tag after ':' is empty"), or undefined when it is one.
 */
export function imageReferenceProblem(ref: string): string | undefined {
  if (ref.trim() !== ref) return "it has spaces around it";
  const at = ref.indexOf("@");
  const name = at < 0 ? ref : ref.slice(0, at);
  const digest = at < 0 ? undefined : ref.slice(at + 1);
  const colon = name.lastIndexOf(":");
  const tagged = colon > name.lastIndexOf("/");
  const repository = tagged ? name.slice(0, colon) : name;
  const tag = tagged ? name.slice(colon + 1) : undefined;
  const fails = (part: Part, v: string) =>
    `its ${part === "repository" ? "name" : part} ${JSON.stringify(v)} is not ${PARTS[part].rule}`;
  if (!PARTS.repository.ok(repository))
    return /[A-Z]/.test(repository) && PARTS.repository.ok(lowerName(repository))
      ? `its name ${JSON.stringify(repository)} has capital letters`
      : fails("repository", repository);
  if (tag === "") return "it has ':' and no tag after it";
  if (tag !== undefined && !PARTS.tag.ok(tag)) return fails("tag", tag);
  if (digest !== undefined && !PARTS.digest.ok(digest)) return fails("digest", digest);
  return undefined;
}

/** A name with its path in lowercase, its registry host as written (a host is case-insensitive). */
function lowerName(name: string): string {
  const slash = name.indexOf("/");
  const first = slash < 0 ? "" : name.slice(0, slash);
  return isRegistryHost(first) ? `${first}/${name.slice(slash + 1).toLowerCase()}` : name.toLowerCase();
}

/** The value written as it was meant, when it differs only by spaces around it or capitals in a name. */
function meant(v: string, ok: (x: string) => boolean, name: boolean): string | undefined {
  const trimmed = v.trim();
  const candidates = [trimmed, ...(name ? [lowerName(trimmed)] : [])];
  return candidates.find((c) => c !== v && ok(c));
}

/** A key holding an image: `image`, or a camel-cased `...Image` (grafana's `downloadDashboardsImage`). */
const isImageKey = (key: string) => key === "image" || /[a-z]Image$/.test(key);

/**
 * Every image reference part under the stack's `chartValues` (per chart) that the grammar refuses,
 * worded for the stack file (`<project>:chartValues.grafana.image.tag: expected …, got …`), each
 * added to `refused` with its path. A text holding a template (`{{ … }}`) is the chart's to expand,
 * and an empty part (`tag: ""`) leaves the chart's own: neither is judged. Nor is a value `secret`
 * says is one (path from the chart name): offline a placeholder stands in for it, which is no image
 * reference, and decrypted it is no text to print.
 */
export function imageValueProblems(
  values: Record<string, Record<string, unknown> | undefined>,
  project: string,
  refused?: RefusedOverride[],
  secret: (path: (string | number)[]) => boolean = () => false,
): string[] {
  const out: string[] = [];
  const judge = (path: (string | number)[], v: unknown, part: Part | "reference") => {
    if (typeof v !== "string" || v === "" || v.includes("{{") || secret(path)) return;
    const ok =
      part === "reference"
        ? (x: string) => imageReferenceProblem(x) === undefined
        : part === "digest" && BARE_DIGEST_CHARTS.has(String(path[0]))
          ? (x: string) => PARTS.digest.ok(x) || PARTS.sha.ok(x)
          : PARTS[part].ok;
    if (ok(v)) return;
    const form =
      part === "reference"
        ? `an image reference: [registry[:port]/]name[:tag][@digest], like "docker.io/grafana/grafana:12.3.1"`
        : `${PARTS[part].what} (${PARTS[part].rule}), like ${JSON.stringify(PARTS[part].like)}`;
    const why =
      part === "reference"
        ? imageReferenceProblem(v)
        : v.trim() !== v
          ? "it has spaces around it"
          : part === "repository" && /[A-Z]/.test(v)
            ? "it has capital letters"
            : undefined;
    const near = meant(v, ok, part === "reference" || part === "repository");
    const problem = `${project}:${propertyPath("chartValues", path)}: expected ${form} (${SOURCE}), got string ${JSON.stringify(v)}${why ? ` (${why})` : ""}${near ? `; did you mean ${JSON.stringify(near)}?` : ""}`;
    out.push(problem);
    refused?.push({ problem, path: path.map(String) });
  };
  const walk = (path: (string | number)[], v: unknown): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => walk([...path, i], x));
    if (!isMap(v)) return;
    for (const [key, child] of Object.entries(v)) {
      const at = [...path, key];
      if (isImageKey(key) && typeof child === "string") judge(at, child, "reference");
      else if (isImageKey(key) && isMap(child))
        for (const part of Object.keys(PARTS) as Part[]) judge([...at, part], child[part], part);
      else walk(at, child);
    }
  };
  for (const [chart, given] of Object.entries(values)) walk([chart], given);
  return out;
}
