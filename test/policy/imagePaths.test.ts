import * as assert from "assert";
import { PHASES } from "../../config/resolve";
import { shippedImageRepositories } from "../../model/versions";
import { DEFAULT_ARM64_IMAGES, DEFAULT_CHARTS } from "../../policy/lib/charts";
import { imagesInValues } from "../../policy/images";
import { helmOf } from "../../policy/lib/resources";
import { workloadsOf } from "../../policy/lib/workloads";
import { synth } from "../support/helpers";
import { rendered, stackFileVariants } from "../support/rendered";
import { BACKENDS } from "../../model/phases";

/** `registry/repository` of a container image reference, as the pack writes repositories. */
function repository(image: string): string {
  const bare = image.replace(/@sha256:.*$/, "").replace(/:[^/:]+$/, "");
  if (/^[^/]+[.:][^/]*\//.test(bare)) return bare;
  return `docker.io/${bare.includes("/") ? bare : `library/${bare}`}`;
}

/** The pack's name of a rendered Loki workload (loki chart 6.49.0: `<release>-<target>`, SingleBinary is `<release>`). */
const LOKI_WORKLOADS: Record<string, string> = {
  loki: "single-binary",
  "loki-write": "write",
  "loki-read": "read",
  "loki-backend": "backend",
  "loki-gateway": "gateway",
  "loki-canary": "canary",
  "loki-chunks-cache": "chunksCache",
  "loki-results-cache": "resultsCache",
};

/**
 * The program and the pack agree on images: every image the program ships is one the pack knows to
 * publish linux/arm64, and every values path where the program writes an image is a path the pack's
 * chart model reads (otherwise the arm64 policy and the budget never see that container).
 */
describe("images: what the program writes, the pack reads", function () {
  this.timeout(120000);

  it("the pack's arm64 list covers every image the program ships (model/versions.ts)", () => {
    const missing = shippedImageRepositories().filter((i) => !DEFAULT_ARM64_IMAGES.includes(i));
    assert.deepEqual(missing, []);
  });

  it("every image path in every release's values, over every phase x backend of staging and production, is in the pack's chart model", async () => {
    const unread = new Set<string>();
    let checked = 0;
    for (const stack of ["staging", "production"]) {
      for (const phase of PHASES) {
        for (const metricsBackend of BACKENDS) {
          const s = await synth(stack, { phase, metricsBackend });
          for (const r of s.export.deployment.resources) {
            const helm = helmOf({ type: r.type, urn: r.urn, name: "", props: r.inputs ?? {} });
            if (!helm) continue;
            const chart = DEFAULT_CHARTS[helm.chart];
            assert.ok(chart, `the pack has no model of chart ${helm.chart}`);
            const read = new Set(chart.workloads.flatMap((w) => w.images.map((i) => i.path)));
            for (const { path } of imagesInValues(helm.values, "")) {
              checked++;
              const p = path.slice(1);
              if (!read.has(p)) unread.add(`${helm.chart}: ${p}`);
            }
          }
        }
      }
    }
    assert.ok(checked > 50, `only ${checked} image values seen`);
    assert.deepEqual([...unread].sort(), []);
  });

  it("every container of every rendered Loki workload (real Helm; SingleBinary and SimpleScalable stack files) is in the pack's model of that workload, the backend's rules sidecar included", async () => {
    let seen = 0;
    for (const v of stackFileVariants()) {
      const r = await rendered(v);
      for (const rel of r.renders.filter((x) => x.chart === "loki")) {
        const res = r.synth.export.deployment.resources.find((x) => x.urn === rel.resourceUrn)!;
        const model = workloadsOf({ type: res.type, urn: res.urn, name: "loki", props: res.inputs });
        for (const o of rel.objects) {
          if (!["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind)) continue;
          const name = LOKI_WORKLOADS[o.metadata.name];
          assert.ok(name, `${v.title}: rendered ${o.kind} ${o.metadata.name} has no pack workload`);
          const w = model.find((x) => x.name.endsWith(`/${name}`) || x.name === name);
          assert.ok(
            w,
            `${v.title}: the pack does not model ${name} (${o.kind} ${o.metadata.name}) as rendering`,
          );
          const known = new Set(w.images.map((i) => repository(i.image)));
          const spec = o.spec?.template?.spec ?? {};
          for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
            seen++;
            assert.ok(
              known.has(repository(c.image)),
              `${v.title}: ${o.kind} ${o.metadata.name} container ${c.name} runs ${c.image}; the pack's ${name} knows ${[...known].join(", ")}`,
            );
          }
        }
      }
    }
    assert.ok(seen > 3, `only ${seen} Loki containers rendered`);
  });
});
