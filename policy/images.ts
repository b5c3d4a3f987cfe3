import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configOf, schemaFor, type Level } from "./lib/config";
import { DEFAULT_ARM64_IMAGES, DEFAULT_CHARTS, type ChartData } from "./lib/charts";
import { helmOf, label, toRes } from "./lib/resources";
import { canLandOn, parseImage, workloadsOf } from "./lib/workloads";

export interface Arm64Config {
  /** Labels that identify Pi (arm64) nodes. */
  piNodeLabels: Record<string, string>;
  /** Taints on Pi nodes; a workload without a toleration cannot land there. */
  piNodeTaints: { key: string; value?: string; effect: string }[];
  /** Repositories (`registry/repository`) known to publish linux/arm64. */
  arm64Images: string[];
  /** Chart knowledge: default images and workload paths per chart name. */
  charts: Record<string, ChartData>;
}

export const ARM64_DEFAULTS: Arm64Config = {
  piNodeLabels: { "kubernetes.io/arch": "arm64" },
  piNodeTaints: [],
  arm64Images: DEFAULT_ARM64_IMAGES,
  charts: DEFAULT_CHARTS,
};

const OTHER_ARCH = /(^|[-_.])(amd64|x86_64|x86-64|x64|386|ppc64le|s390x)($|[-_.])/i;

/** Why an image cannot run on arm64, or undefined when it is known to. */
export function arm64Problem(image: string, known: string[]): string | undefined {
  const { repository, tag } = parseImage(image);
  if (OTHER_ARCH.test(tag)) return `tag "${tag}" names another architecture`;
  if (!known.includes(repository)) {
    return `${repository} is not known to publish linux/arm64; check with \`docker manifest inspect ${repository}:${tag}\` (or \`crane manifest\`) and, if it lists linux/arm64, add "${repository}" to the arm64-images policy's arm64Images config`;
  }
  return undefined;
}

/** Images that cannot run on arm64 in workloads that can be scheduled onto Pi nodes. */
export function arm64Images(level: Level = "mandatory"): ResourceValidationPolicy {
  return {
    name: "arm64-images",
    description: "Every image of a workload that can land on Pi (arm64) nodes must publish linux/arm64.",
    enforcementLevel: level,
    configSchema: schemaFor(ARM64_DEFAULTS as unknown as Record<string, unknown>, {
      piNodeLabels: "Labels identifying Pi nodes (default kubernetes.io/arch=arm64).",
      piNodeTaints: "Taints on Pi nodes.",
      arm64Images: "Repositories known to publish linux/arm64.",
      charts: "Per chart: default images and workload value paths.",
    }),
    validateResource: (args, report) => {
      const cfg = configOf(args, ARM64_DEFAULTS);
      const r = toRes(args);
      const helm = helmOf(r);
      for (const w of workloadsOf(r, cfg.charts)) {
        if (!canLandOn(w, cfg.piNodeLabels, cfg.piNodeTaints)) continue;
        for (const use of w.images) {
          const problem = arm64Problem(use.image, cfg.arm64Images);
          if (problem) {
            report(
              `${label(r)}: ${w.kind} ${w.name} can run on Pi nodes (nothing in ${w.path} keeps it off ${Object.entries(
                cfg.piNodeLabels,
              )
                .map(([k, v]) => `${k}=${v}`)
                .join(
                  ",",
                )}) but ${use.path} is "${use.image}": ${problem}. Otherwise pin it off Pi nodes with a nodeSelector or required node affinity.`,
            );
          }
        }
      }
      // Images in values of charts the pack does not know: judge every image-looking value.
      if (helm && !cfg.charts[helm.chart]) {
        for (const { path, image } of imagesInValues(helm.values, "values")) {
          const problem = arm64Problem(image, cfg.arm64Images);
          if (problem)
            report(
              `${label(r)}: ${path} is "${image}": ${problem}. (Chart "${helm.chart}" is unknown to the pack, so its workloads count as able to land on Pi nodes.)`,
            );
        }
      }
    },
  };
}

/** Every `image` value in a values tree: a string, or {registry?, repository, tag?}. */
export function imagesInValues(v: any, path: string): { path: string; image: string }[] {
  if (!v || typeof v !== "object") return [];
  const out: { path: string; image: string }[] = [];
  for (const [k, child] of Object.entries<any>(v)) {
    const p = `${path}.${k}`;
    if (k === "image" && typeof child === "string" && child.length > 0) out.push({ path: p, image: child });
    else if (k === "image" && child && typeof child.repository === "string") {
      out.push({
        path: p,
        image: `${child.registry ? `${child.registry}/` : ""}${child.repository}${child.tag ? `:${child.tag}` : ""}`,
      });
    } else out.push(...imagesInValues(child, p));
  }
  return out;
}
