import { strict as assert } from "assert";
import { placedFrom } from "../../checks";
import { checkImageDigests, imageUses } from "../../checks/imageDigests";
import { evaluateResources } from "../../policy/evaluate";
import { withRenderedObjects } from "../../synth/render/objects";
import type { ExportResource } from "../../synth/synthesize";
import { rendered, type RenderedStack } from "../support/rendered";

/*
 * `imageMirrors` end to end: a stack file with a mirror for every registry the pins pull from,
 * synthesized and rendered with the real Helm. The program names every image through its mirror
 * (charts' registry keys, custom resources' repositories, the operators' reloader image and
 * flag, the program's own StatefulSet), image-pins takes them as the pins they mirror, and so do
 * the pack's arm64-images (from the stack-info ConfigMap) and no-cluster-secret-read.
 */
const MIRRORS = {
  "docker.io": "registry.home.lan/dockerhub",
  "quay.io": "registry.home.lan/quay",
  "ghcr.io": "registry.home.lan/ghcr",
  "registry.k8s.io": "registry.home.lan:5000",
};

/** A reference as it is named without the mirrors: each prefix back to its registry. */
const upstream = (ref: string) => {
  for (const [registry, prefix] of Object.entries(MIRRORS))
    if (ref.startsWith(`${prefix}/`)) return `${registry}/${ref.slice(prefix.length + 1)}`;
  return ref;
};

/** Docker Hub's implicit registry spelled out, as the mirrored names spell theirs. */
const spelled = (ref: string) => (/^[^/]+[.:][^/]*\//.test(ref) ? ref : `docker.io/${ref}`);

const refsOf = (r: RenderedStack) =>
  imageUses(placedFrom(r.objects))
    .map((u) => `${u.where} ${u.path} ${u.ref}`)
    .sort();

/** The pack's image policies over the stack's resources with its releases' rendered objects. */
const imagePolicies = (r: RenderedStack, resources: ExportResource[]) =>
  evaluateResources(withRenderedObjects(resources, r.renders), {
    all: "disabled",
    "arm64-images": "mandatory",
    "no-cluster-secret-read": "mandatory",
  }).then((vs) => vs.map((v) => `${v.policy}: ${v.message}`));

describe("imageMirrors: a stack's pinned images through its registry mirrors, rendered", function () {
  this.timeout(600_000);

  // pi: the VictoriaMetrics custom resources ({repository, tag}), the operator's reloader variable,
  // Vector, arm64 nodes only. production: kube-prometheus-stack (the reloader flag), Mimir's own
  // StatefulSet, Loki, Alloy, Grafana, node-exporter, a Pi pool beside amd64 nodes.
  for (const stack of ["pi", "production"])
    it(`${stack}: every image reference is the unmirrored one at its mirror (path, tag and digest kept), image-pins and the pack's image policies pass, and without the mirrors in stack-info both refuse them`, async () => {
      const [plain, mirrored] = await Promise.all([
        rendered({ title: stack, stack, over: {} }),
        rendered({ title: `${stack} mirrored`, stack, over: { imageMirrors: MIRRORS } }),
      ]);
      const refs = refsOf(mirrored);
      assert.ok(refs.length > 10, `only ${refs.length} image references`);
      for (const line of refs) {
        const ref = line.slice(line.lastIndexOf(" ") + 1);
        assert.ok(
          Object.values(MIRRORS).some((p) => ref.startsWith(`${p}/`)),
          `${line}: not named through a mirror`,
        );
      }
      // The same references, place by place, as the stack without mirrors names them.
      assert.deepEqual(
        refs.map((l) => {
          const i = l.lastIndexOf(" ");
          return `${l.slice(0, i)} ${upstream(l.slice(i + 1))}`;
        }),
        refsOf(plain).map((l) => {
          const i = l.lastIndexOf(" ");
          return `${l.slice(0, i)} ${spelled(l.slice(i + 1))}`;
        }),
      );
      const placed = placedFrom(mirrored.objects);
      assert.deepEqual(
        checkImageDigests(placed).findings.map((f) => `${f.where}: ${f.message}`),
        [],
      );
      const resources = mirrored.synth.export.deployment.resources;
      assert.deepEqual(await imagePolicies(mirrored, resources), []);

      // Both read the mirrors from the stack-info ConfigMap: without them there, every mirrored
      // image is one no pin and no arm64 list names.
      const info = (o: { kind?: string; metadata?: { labels?: Record<string, string> } }) =>
        o.kind === "ConfigMap" && o.metadata?.labels?.["homelab.dev/stack-info"] === "true";
      const bare = placed.map((p) => {
        if (!info(p.obj)) return p;
        const data = { ...(p.obj.data as Record<string, string>) };
        delete data.imageMirrors;
        return { ...p, obj: { ...p.obj, data } };
      });
      const unpinned = checkImageDigests(bare).findings;
      assert.equal(unpinned.length, refs.length, unpinned.map((f) => f.message).join("\n"));
      for (const f of unpinned)
        assert.match(
          f.message,
          /is not pinned in model\/versions\.ts .*say so in the stack key imageMirrors/,
        );
      const bareResources = (JSON.parse(JSON.stringify(resources)) as ExportResource[]).map((r) => {
        // Inputs and outputs alike: the pack reads a resource's outputs where it has them.
        for (const side of [r.inputs, r.outputs])
          if (r.type === "kubernetes:core/v1:ConfigMap" && side && info(side as never))
            delete side.data.imageMirrors;
        return r;
      });
      const refused = await imagePolicies(mirrored, bareResources);
      assert.ok(
        refused.some((m) =>
          /^arm64-images: .*not known to publish linux\/arm64 \(it is .* under registry\.home\.lan/.test(m),
        ),
        refused.join("\n"),
      );
    });
});
