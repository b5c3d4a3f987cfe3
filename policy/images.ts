import type { StackValidationPolicy } from "@pulumi/policy";
import {
  pathStep,
  undeclaredMirrorOf,
  upstreamRepository,
  type ImageMirrors,
} from "@homelab-observability/contract";
import { configOf, schemaFor, LABELS_SCHEMA, TAINT_SCHEMA, type Level } from "./lib/config";
import { DEFAULT_ARM64_IMAGES, DEFAULT_CHARTS, type ChartData } from "./lib/charts";
import { helmOf, label, toRes } from "./lib/resources";
import { stackFacts, type StackFacts } from "./lib/budget";
import { PLACEMENT_JUDGED, reportJudged } from "./lib/report";
import {
  canLandOn,
  injectedSidecars,
  isNodeAgent,
  isRendered,
  parseImage,
  vmOperatorEnv,
  withWellKnownLabels,
  workloadsOf,
  CHART_DATA_SCHEMA,
} from "./lib/workloads";

export interface Arm64Config {
  /**
   * Labels that identify Pi (arm64) nodes. With the program's stack-info ConfigMap these are added
   * to each arm64 pool's recorded labels; without it they describe the Pi nodes.
   */
  piNodeLabels: Record<string, string>;
  /** Taints on Pi nodes, added to the taints the stack-info ConfigMap records for arm64 pools. */
  piNodeTaints: { key: string; value?: string; effect: string }[];
  /** Repositories (`registry/repository`) known to publish linux/arm64; a user's add to the built-in list. */
  arm64Images: string[];
  /**
   * Chart knowledge: default images and workload paths per chart name. A user's charts add to the
   * built-in ones; a chart the user names replaces the built-in entry of that name.
   */
  charts: Record<string, ChartData>;
}

export const ARM64_DEFAULTS: Arm64Config = {
  piNodeLabels: { "kubernetes.io/arch": "arm64" },
  piNodeTaints: [],
  arm64Images: DEFAULT_ARM64_IMAGES,
  charts: DEFAULT_CHARTS,
};

const OTHER_ARCH = /(^|[-_.])(amd64|x86_64|x86-64|x64|386|ppc64le|s390x)($|[-_.])/i;

/** What arm64-images judges of a workload: its images, and what could keep it off the Pi nodes. */
const ARM64_JUDGED = ["image", ...PLACEMENT_JUDGED];

/** What keeps a workload whose image cannot run on arm64 off the Pi nodes. */
const PIN_OFF_PI =
  "pin it off Pi nodes with a nodeSelector or required node affinity on kubernetes.io/arch=amd64";

/**
 * The way off the Pi nodes for a stack whose pools the stack-info ConfigMap records: pinning to
 * amd64 nodes only where a pool has them (an all-arm64 stack has nowhere to pin the workload to:
 * the budget then refuses it as fitting no node), and never for a node agent (`kind` "DaemonSet",
 * given for workloads.ts isNodeAgent): it must run on every pool (node-agents-on-every-pool refuses
 * one pinned off a pool), so the pin would trade this violation for that one.
 */
export function offPiFor(pools: { arch: string }[] | undefined, kind?: string): string {
  if (kind === "DaemonSet")
    return "use an image that publishes linux/arm64: a DaemonSet is a node agent that runs on every node pool, so pinning it off the Pi nodes would leave their data uncollected (node-agents-on-every-pool)";
  return !pools || pools.length === 0 || pools.some((p) => p.arch === "amd64")
    ? PIN_OFF_PI
    : `use an image that publishes linux/arm64: no pool of the stack has amd64 nodes to pin it to (nodePools: ${pools.map((p) => p.arch).join(", ")})`;
}

/**
 * Why an image cannot run on arm64 and what to do, or undefined when it is known to. An image at
 * one of the stack's registry `mirrors` (its stack-info ConfigMap's `imageMirrors`) is the
 * upstream repository it mirrors, path, tag and digest kept: known as that one is.
 */
export function arm64Problem(
  image: string,
  known: string[],
  offPi: string = PIN_OFF_PI,
  mirrors?: ImageMirrors,
): string | undefined {
  const { repository, tag } = parseImage(image);
  if (OTHER_ARCH.test(tag))
    return `tag "${tag}" names another architecture; use the tag without it (an image for every architecture) or ${offPi}`;
  if (!known.includes(upstreamRepository(repository, mirrors) ?? repository)) {
    // A digest names what the node pulls, whatever the tag beside it says: the command inspects
    // that, not the tag (`:latest` for a reference pinned by digest alone).
    const digest = image.includes("@") ? image.slice(image.indexOf("@") + 1).trim() : undefined;
    const ref = digest ? `${repository}@${digest}` : `${repository}:${tag}`;
    return `${repository} is not known to publish linux/arm64${mirrorNote(repository, known, mirrors)}; check with \`docker manifest inspect ${ref}\` (or \`crane manifest\`) and, if it lists linux/arm64, add "${repository}" to the arm64-images policy's arm64Images config; otherwise ${offPi}`;
  }
  return undefined;
}

/**
 * For a repository that is a known one's path under another prefix (`registry.home.lan/quay/
 * prometheus/prometheus`, contract/image.ts undeclaredMirrorOf): that the prefix, if it mirrors the
 * known one's registry, is said once in the stack key imageMirrors, which the stack-info ConfigMap
 * hands this policy. "" else.
 */
function mirrorNote(repository: string, known: string[], mirrors: ImageMirrors | undefined): string {
  const m = undeclaredMirrorOf(repository, known, mirrors);
  return m
    ? ` (it is ${m.known} under ${m.prefix}: if ${m.prefix} mirrors ${m.registry}, say so in the stack's imageMirrors key (${m.registry}: ${m.prefix}), which this policy reads from the stack-info ConfigMap, rather than listing each mirrored image)`
    : "";
}

type Taint = { key: string; value?: string; effect: string };
/** A kind of Pi node: its labels (kubelet's well-known ones included) and taints. */
interface PiNode {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
}

/**
 * The Pi nodes a workload could land on. The stack-info ConfigMap's pools are the truth: each arm64
 * pool with its recorded labels and taints, plus what the pack config adds. A cluster whose pools
 * include no arm64 pool has no Pi node. Without stack-info the pack config describes them.
 */
export function piNodesOf(
  pools: StackFacts["pools"],
  cfg: Pick<Arm64Config, "piNodeLabels" | "piNodeTaints">,
): PiNode[] {
  if (pools && pools.length > 0) {
    return pools
      .filter((p) => p.arch === "arm64")
      .map((p) => ({
        name: `pool ${p.name}`,
        labels: withWellKnownLabels({ ...(p.labels ?? {}), ...cfg.piNodeLabels }, "arm64"),
        taints: [...(p.taints ?? []), ...cfg.piNodeTaints],
      }));
  }
  return [
    {
      name: "Pi nodes",
      labels: withWellKnownLabels({ "kubernetes.io/arch": "arm64", ...cfg.piNodeLabels }, "arm64"),
      taints: cfg.piNodeTaints,
    },
  ];
}

const describeNode = (n: PiNode) =>
  `${n.name} (${Object.entries(n.labels)
    .filter(([k]) => !k.startsWith("beta.kubernetes.io/"))
    .map(([k, v]) => `${k}=${v}`)
    .join(
      ",",
    )}${n.taints.length ? `; taints ${n.taints.map((t) => `${t.key}:${t.effect}`).join(",")}` : ""})`;

/**
 * Images that cannot run on arm64 in workloads that can be scheduled onto Pi nodes. A stack policy:
 * where Pi nodes are, and which taints keep workloads off them, is recorded by the program's
 * stack-info ConfigMap, which a resource policy cannot see.
 */
export function arm64Images(level: Level = "mandatory"): StackValidationPolicy {
  return {
    name: "arm64-images",
    description: "Every image of a workload that can land on Pi (arm64) nodes must publish linux/arm64.",
    enforcementLevel: level,
    configSchema: schemaFor(
      ARM64_DEFAULTS as unknown as Record<string, unknown>,
      {
        piNodeLabels:
          "Labels identifying Pi nodes (default kubernetes.io/arch=arm64); added to the arm64 pools the stack-info ConfigMap records.",
        piNodeTaints: "Taints on Pi nodes, added to those the stack-info ConfigMap records.",
        arm64Images:
          "More repositories (registry/repository) known to publish linux/arm64, added to the built-in list.",
        charts:
          "More charts, by name: default images and workload value paths (policy/lib/charts.ts ChartData); added to the built-in ones, a name of theirs replacing that chart's entry.",
      },
      {
        piNodeLabels: LABELS_SCHEMA,
        piNodeTaints: { items: TAINT_SCHEMA },
        arm64Images: { items: { type: "string", minLength: 1 } },
        charts: { additionalProperties: CHART_DATA_SCHEMA },
      },
    ),
    validateStack: (args, report) => {
      // The user's lists add to the pack's knowledge (docs/reference/policies.md tells users to add
      // an image): replacing it would turn every built-in image into a violation.
      const cfg = configOf(args, ARM64_DEFAULTS, ["arm64Images", "charts"]);
      // Each entry read as the image references are (parseImage): `myuser/grafana`, as `docker
      // pull` takes it, is docker.io/myuser/grafana, which an image's repository is compared as.
      const known = cfg.arm64Images.map((i) => parseImage(i).repository);
      const resources = args.resources.map(toRes);
      // The stack-info ConfigMap, found once: the Pi pools and the way off them both read it.
      const facts = stackFacts(resources);
      const pools = facts.pools;
      const piNodes = piNodesOf(pools, cfg);
      if (piNodes.length === 0) return;
      const sidecars = injectedSidecars(resources);
      // The VictoriaMetrics operator's environment names the reloader image it gives its CRs' pods.
      const vmEnv = vmOperatorEnv(resources);
      for (const r of resources) {
        const helm = helmOf(r);
        for (const w of workloadsOf(r, cfg.charts, sidecars, vmEnv)) {
          const node = piNodes.find((n) => canLandOn(w, n.labels, n.taints, "arm64"));
          if (!node) continue;
          for (const use of w.images) {
            const problem = arm64Problem(
              use.image,
              known,
              offPiFor(pools, isNodeAgent(w) ? w.kind : undefined),
              facts.imageMirrors,
            );
            if (problem) {
              // On a tainted pool it is the tolerations that let it land: said, so that they (and the
              // chartValues override that wrote them) are named as a cause, not only the image.
              const admitted = node.taints.some((t) => t.effect !== "PreferNoSchedule")
                ? `${w.path}.tolerations admit its taints and nothing else in ${w.path} keeps it off them`
                : `nothing in ${w.path} keeps it off them`;
              // Judged: the image, and the fields that could have kept the workload off the pool.
              reportJudged(
                report,
                `${label(r)}: ${w.kind} ${w.name} can run on ${describeNode(node)}: ${admitted}, but ${use.path} is ${use.written ?? `"${use.image}"`}: ${problem}.`,
                ARM64_JUDGED,
                r.urn,
                undefined,
                // Another container's image key (Grafana's `downloadDashboardsImage`, which the
                // field's name `image` ends with) is no cause of this one's.
                use.container === undefined ? undefined : [use.container],
              );
            }
          }
        }
        // Images in values of charts the pack does not know: judge every image-looking value.
        // (Offline, a rendered release's objects are judged themselves instead.)
        if (helm && !cfg.charts[helm.chart] && !isRendered(r)) {
          for (const { path, image } of imagesInValues(helm.values, "values")) {
            const problem = arm64Problem(image, known, offPiFor(pools), facts.imageMirrors);
            if (problem)
              report(
                `${label(r)}: ${path} is "${image}": ${problem}. (Chart "${helm.chart}" is unknown to the pack, so its workloads count as able to land on Pi nodes.)`,
                r.urn,
              );
          }
        }
      }
    },
  };
}

/**
 * Every `image` value in a values tree: a string, or {registry?, repository, tag?}. Its path names
 * a key holding a dot in brackets (`values["sub.chart"].image`), as the stack file writes it.
 */
export function imagesInValues(v: any, path: string): { path: string; image: string }[] {
  if (!v || typeof v !== "object") return [];
  const out: { path: string; image: string }[] = [];
  for (const [k, child] of Object.entries<any>(v)) {
    const p = `${path}${pathStep(k, 1)}`;
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
