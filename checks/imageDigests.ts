/**
 * Which image every rendered object runs, and whether it is pinned by digest. Images appear as a
 * container's `image` string (workloads, the Prometheus and Alertmanager custom resources), as
 * `{repository, tag}` objects (the VictoriaMetrics custom resources, which the operator joins into
 * `repository:tag`) and as the prometheus-operator's `--prometheus-config-reloader=<image>` flag (the
 * image it injects into every Prometheus and Alertmanager pod). Each reference is matched to the
 * pin in model/versions.ts it comes from; the digests themselves are what Renovate's `pinDigests`
 * writes there (renovate.json).
 */
import { imageString, PINNED_IMAGES, PINNED_REPOSITORIES, type ImageRef } from "../model/versions";
import {
  decodeStackInfo,
  isStackInfoLabels,
  mirroredRepository,
  parseImage,
  undeclaredMirrorOf,
  upstreamRepository,
  vmOperatorEnvOf,
  vmReloaderImage,
  vmReloaderPath,
  type ImageMirrors,
  type OperatorEnv,
} from "@homelab-observability/contract";
import { pinPlace } from "../config/chartPins";
import type { Finding, Placed } from "./objects";
import { describe, podSpecOf } from "./objects";

/** One image reference in a rendered object. */
export interface ImageUse {
  /** The reference as the object holds it (`registry/repository:tag[@digest]`). */
  ref: string;
  /** The object. */
  where: string;
  /** The path inside it. */
  path: string;
  /** The container whose image it is (its `name`), when the image is a container's. */
  container?: string;
}

const RELOADER_FLAG = "--prometheus-config-reloader=";

/** One image reference found in a value: where it is, and the field holding its tag. */
export interface ImageRefAt {
  ref: string;
  /** The path of the `image` field (or of the reloader flag). */
  path: string;
  /** The path of what holds its tag: the `image` string, or the `tag` of a `{repository, tag}` image. */
  tagPath: string;
  /** The `name` beside the `image` field (a container's), when there is one. */
  holder?: string;
}

/**
 * Every image reference under `v` (`path` its own path): `image` strings, `{[registry,] repository,
 * tag}` images and the reloader flag.
 */
export function imageRefsIn(v: unknown, path: string, out: ImageRefAt[] = []): ImageRefAt[] {
  if (Array.isArray(v)) {
    v.forEach((x, i) => imageRefsIn(x, `${path}[${i}]`, out));
    return out;
  }
  if (typeof v === "string") {
    if (v.startsWith(RELOADER_FLAG)) out.push({ ref: v.slice(RELOADER_FLAG.length), path, tagPath: path });
    return out;
  }
  if (!v || typeof v !== "object") return out;
  const name = (v as Record<string, unknown>).name;
  const holder = typeof name === "string" ? { holder: name } : {};
  for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    if (k === "image" && typeof child === "string" && child.length > 0)
      out.push({ ref: child, path: p, tagPath: p, ...holder });
    else if (
      k === "image" &&
      child &&
      typeof child === "object" &&
      typeof (child as any).repository === "string" &&
      typeof (child as any).tag === "string"
    ) {
      // A chart's values name the registry apart (`image.registry`); the custom resources do not.
      const registry = (child as any).registry;
      const repository =
        typeof registry === "string" && registry
          ? `${registry}/${(child as any).repository}`
          : (child as any).repository;
      out.push({ ref: `${repository}:${(child as any).tag}`, path: p, tagPath: `${p}.tag`, ...holder });
    } else imageRefsIn(child, p, out);
  }
  return out;
}

/**
 * Every image reference in the objects (ConfigMap and Secret data aside: text, not specs), and the
 * config-reloader image the VictoriaMetrics operator gives each of its CRs' pods, which no object
 * holds as an `image` (the contract's vmReloaderImage, with the operator's environment as rendered).
 */
export function imageUses(objects: Placed[]): ImageUse[] {
  const out: ImageUse[] = [];
  let vmEnv: OperatorEnv | undefined;
  for (const p of objects) {
    if (p.obj.kind === "ConfigMap" || p.obj.kind === "Secret" || p.obj.kind === "CustomResourceDefinition")
      continue;
    if (String(p.obj.apiVersion ?? "").startsWith("operator.victoriametrics.com/")) {
      vmEnv ??= vmOperatorEnvOf(objects.flatMap((o) => podSpecOf(o.obj)?.containers ?? []));
      const reloader = vmReloaderImage(p.obj.kind, p.obj.spec ?? {}, vmEnv);
      if (reloader)
        out.push({
          ref: reloader.image,
          where: describe(p),
          path: vmReloaderPath(reloader, "spec"),
        });
    }
    for (const f of imageRefsIn(p.obj.spec ?? {}, "spec"))
      out.push({
        ref: f.ref,
        where: describe(p),
        path: f.path,
        // A pod's containers are named; a custom resource's `image` (a Prometheus's) has no name beside it.
        ...(f.holder !== undefined && /containers\[\d+\]\.image$/i.test(f.path)
          ? { container: f.holder }
          : {}),
      });
  }
  return out;
}

/**
 * The stack's registry mirrors, as its stack-info ConfigMap records them (`imageMirrors`): the
 * program wrote its pinned images through them (builders/imageMirror.ts). None without one.
 */
export function mirrorsOf(objects: Placed[]): ImageMirrors {
  const info = objects.find((p) => p.obj.kind === "ConfigMap" && isStackInfoLabels(p.obj.metadata?.labels));
  return decodeStackInfo(info?.obj.data).imageMirrors ?? {};
}

/**
 * The pin a reference comes from: same registry and repository (docker.io spelled out), a
 * reference at one of `mirrors` read as the upstream repository it stands for.
 */
export function pinOf(ref: string, mirrors?: ImageMirrors): [string, ImageRef] | undefined {
  const parsed = parseImage(ref);
  const repository = upstreamRepository(parsed.repository, mirrors) ?? parsed.repository;
  const { tag } = parsed;
  const same = PINNED_IMAGES.filter((p) => p.repository === repository).map((p): [string, ImageRef] => [
    p.key,
    p.image,
  ]);
  // One repository may hold two pins (victoriametrics/operator: the operator, and its
  // config-reloader at `config-reloader-<version>`): the pin of the reference's tag, else the one
  // whose tag names the same image before its version, so another version is judged by its own pin.
  return (
    same.find(([, i]) => i.tag === tag) ?? same.find(([, i]) => tagName(i.tag) === tagName(tag)) ?? same[0]
  );
}

/**
 * For a reference to no pin that is a pin's repository path under another prefix
 * (`registry.home.lan/dockerhub/grafana/loki`, contract/image.ts undeclaredMirrorOf): the way to
 * say that prefix mirrors the pin's registry (`imageMirrors`), so the program names the pins there
 * and image-pins knows them. "" else.
 */
function mirrorWay(ref: string, mirrors: ImageMirrors): string {
  const m = undeclaredMirrorOf(parseImage(ref).repository, PINNED_REPOSITORIES, mirrors);
  return m
    ? `; if ${m.prefix} is a mirror of ${m.registry}, say so in the stack key imageMirrors (${m.registry}: ${m.prefix}): the program then names every pinned ${m.registry} image there and image-pins takes them (docs/how-to/chart-values.md)`
    : "";
}

/** A tag's name before its version (`config-reloader-` of `config-reloader-v0.66.0`; "" of `v0.66.0`). */
const tagName = (tag: string) => tag.replace(/v?\d.*$/, "");

/** The digest a reference carries, if any. */
export function digestOf(ref: string): string | undefined {
  const at = ref.indexOf("@");
  return at < 0 ? undefined : ref.slice(at + 1);
}

/**
 * How a reference to a pinned repository differs from its pin: another tag, or a digest where the
 * pin has none. A reference by digest alone (`repository@sha256:…`: the alloy chart and its
 * config-reloader drop the tag once given a digest) names no tag to compare: its digest is what
 * runs, compared below. (A pin's digest missing or changed is said apart: the tag is the pin's then.)
 */
function offPin(ref: string, image: ImageRef): string | undefined {
  const digest = digestOf(ref);
  const name = ref.split("@")[0];
  const tagged = name.lastIndexOf(":") > name.lastIndexOf("/");
  const { tag } = parseImage(ref);
  if ((tagged || digest === undefined) && tag !== image.tag)
    return `its tag ${tag} is not the pin's ${image.tag}`;
  if (digest !== undefined && image.digest === undefined) return `it carries digest ${digest}, the pin none`;
  return undefined;
}

export interface ImageDigestReport {
  /** Image references found. */
  images: number;
  /** `registry/repository:tag` of the pins without a digest that the stack runs (each once). */
  byTagOnly: string[];
  findings: Finding[];
}

/**
 * What an image-pins finding rests on: the `image` field, of its container when it is one's. A
 * chartValues override is its cause only when it sets that image (synth/report.ts overridesOn), or,
 * none doing so, when it switched on the component the image is of; never another key of the
 * chart that another finding on the same pod narrowed to (a container's `securityContext`).
 */
function judgedImage(u: ImageUse): Pick<Finding, "judged" | "containers"> {
  return { judged: ["image"], ...(u.container !== undefined ? { containers: [u.container] } : {}) };
}

/**
 * Every image a stack runs is one of model/versions.ts's pins, its repository and tag (a chart's
 * default image slipping through, or another tag of a pinned repository, is a finding: it is
 * neither reviewed nor kept current nor known to run on arm64), and carries that pin's digest when
 * the pin has one; every pin's digest has the form a registry resolves. Pins without a digest are listed, not failed:
 * Renovate's first run writes them.
 */
export function checkImageDigests(objects: Placed[]): ImageDigestReport {
  const findings: Finding[] = [];
  const byTagOnly = new Set<string>();
  const uses = imageUses(objects);
  const mirrors = mirrorsOf(objects);
  for (const u of uses) {
    const pin = pinOf(u.ref, mirrors);
    if (!pin) {
      findings.push({
        check: "image-pins",
        where: u.where,
        // Why it matters and what to do, for a user whose chartValues image override landed here,
        // or whose switch turned on a component of the chart whose image the program pins none of.
        message: `${u.path}: image ${u.ref} is not pinned in model/versions.ts (images), so nothing reviewed it, keeps it current (Renovate) or knows it runs on arm64; use a pinned image (remove the image override, if one set it) or add the image to model/versions.ts images${mirrorWay(u.ref, mirrors)}`,
        ...judgedImage(u),
      });
      continue;
    }
    const [name, image] = pin;
    const { repository } = parseImage(u.ref);
    // Named upstream, not at a mirror (which may itself be under its registry: docker.io/mirrors).
    const mirror =
      upstreamRepository(repository, mirrors) === undefined
        ? mirroredRepository(repository, mirrors)
        : undefined;
    if (mirror !== undefined) {
      // The stack pulls this registry through a mirror and the program names every pin there: one
      // named upstream is the user's (an override's registry), and would be pulled from where the
      // mirror stands in for, maybe out of reach.
      const registry = repository.slice(0, repository.indexOf("/"));
      findings.push({
        check: "image-pins",
        where: u.where,
        message: `${u.path}: image ${u.ref} names ${registry}, which the stack's imageMirrors pulls through ${mirrors[registry]}: the program names the pin ${mirror} there (versions.images.${name}); remove the image override that names ${registry}, or the registry's imageMirrors entry`,
        ...judgedImage(u),
      });
      continue;
    }
    const off = offPin(u.ref, image);
    if (off) {
      findings.push({
        check: "image-pins",
        where: u.where,
        // The repository is pinned, the image is not: Renovate bumps the pin, not this reference, and
        // nothing reviewed this version (a downgrade, an unreleased tag) or knows it runs on arm64.
        message: `${u.path}: image ${u.ref} is not the pin ${imageString(image)} (versions.images.${name}, ${pinPlace(name)}): ${off}, so nothing reviewed it, keeps it current (Renovate) or knows it runs on arm64; use the pinned image (remove the image override) or change the pin in model/versions.ts`,
        ...judgedImage(u),
      });
      continue;
    }
    const digest = digestOf(u.ref);
    if (!image.digest) {
      byTagOnly.add(`${image.registry}/${image.repository}:${image.tag}`);
      continue;
    }
    if (digest !== image.digest)
      findings.push({
        check: "image-pins",
        where: u.where,
        message: `${u.path}: image ${u.ref} does not carry versions.images.${name}'s digest ${image.digest} (${pinPlace(name)})`,
        ...judgedImage(u),
      });
  }
  return { images: uses.length, byTagOnly: [...byTagOnly].sort(), findings };
}
