import { strict as assert } from "assert";
import {
  decodeStackInfo,
  encodeStackInfo,
  mirroredRepository,
  upstreamRepository,
} from "@homelab-observability/contract";
import { mirrorPinnedImages } from "../../builders/imageMirror";
import { checkImageDigests } from "../../checks/imageDigests";
import type { Placed } from "../../checks/objects";
import { arm64Problem } from "../../policy/images";
import { DEFAULT_ARM64_IMAGES } from "../../policy/lib/charts";
import { imageString, versions } from "../../model/versions";
import { imageMirrorsOf } from "../../synth/report";
import { config } from "../support/helpers";

/*
 * The pieces of `imageMirrors` apart from a render: the names a mirror gives (contract), the
 * program's rewrite of what it writes (builders/imageMirror.ts), the stack-info ConfigMap that
 * carries the mirrors, and the judges that read them there (image-pins, arm64-images).
 */
const MIRRORS = { "docker.io": "registry.home.lan/dockerhub", "quay.io": "registry.home.lan:5000/quay" };
const DIGEST = `sha256:${"a".repeat(64)}`;
const loki = versions.images.loki;
const prom = versions.images.prometheus;

/** The stack-info ConfigMap and one Deployment running `image`, as the rendered-object checks take them. */
const stack = (image: string, mirrors: Record<string, string> = MIRRORS): Placed[] => [
  {
    urn: "urn:info",
    source: "stack-info",
    obj: {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "homelab-observability-stack",
        namespace: "monitoring",
        labels: { "homelab.dev/stack-info": "true" },
      },
      data: encodeStackInfo({ ...config({}), imageMirrors: mirrors }),
    },
  },
  {
    urn: "urn:x",
    source: "release loki",
    obj: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "loki", namespace: "monitoring" },
      spec: { template: { spec: { containers: [{ name: "c", image }] } } },
    },
  },
];

describe("imageMirrors: names through a mirror, and who reads them", () => {
  it("a repository through its registry's mirror keeps its path, and goes back to its registry", () => {
    assert.equal(
      mirroredRepository("docker.io/grafana/loki", MIRRORS),
      "registry.home.lan/dockerhub/grafana/loki",
    );
    assert.equal(mirroredRepository("ghcr.io/jkroepke/access-log-exporter", MIRRORS), undefined);
    assert.equal(
      upstreamRepository("registry.home.lan:5000/quay/prometheus/prometheus", MIRRORS),
      "quay.io/prometheus/prometheus",
    );
    // A prefix only at a path boundary: registry.home.lan/dockerhubx is another project.
    assert.equal(upstreamRepository("registry.home.lan/dockerhubx/grafana/loki", MIRRORS), undefined);
  });

  it("stack-info carries the mirrors only when there are some (every other stack's ConfigMap as it was)", () => {
    const cfg = config({});
    assert.equal(encodeStackInfo({ ...cfg, imageMirrors: {} }).imageMirrors, undefined);
    assert.deepEqual(
      decodeStackInfo(encodeStackInfo({ ...cfg, imageMirrors: MIRRORS })).imageMirrors,
      MIRRORS,
    );
    assert.equal(decodeStackInfo({ imageMirrors: "[1]" }).imageMirrors, undefined);
  });

  it("the program's values: every pinned reference form named through the mirror, tag, digest and sha kept; a registry without a mirror and an unpinned image untouched", () => {
    const values = {
      // A chart's map with its registry apart, a sha beside it (kube-prometheus-stack).
      prometheus: {
        image: { registry: prom.registry, repository: prom.repository, tag: prom.tag, sha: "a".repeat(64) },
      },
      // A custom resource's {repository, tag}, Docker Hub implicit (the VictoriaMetrics CRs).
      vmsingle: { image: { repository: "victoriametrics/victoria-metrics", tag: `v1.144.0@${DIGEST}` } },
      // A whole reference as text: a container's image, the operator's reloader flag and variable.
      containers: [{ name: "loki", image: `${imageString(loki)}@${DIGEST}` }],
      args: [`--prometheus-config-reloader=quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0`],
      env: [
        { name: "VM_CUSTOMCONFIGRELOADERIMAGE", value: "victoriametrics/operator:config-reloader-v0.66.0" },
      ],
      exporter: { image: { registry: "ghcr.io", repository: "jkroepke/access-log-exporter", tag: "0.4.11" } },
      other: { image: "docker.io/library/busybox:1.36" },
    };
    assert.deepEqual(mirrorPinnedImages(values, MIRRORS), {
      prometheus: {
        image: {
          registry: "registry.home.lan:5000/quay",
          repository: prom.repository,
          tag: prom.tag,
          sha: "a".repeat(64),
        },
      },
      vmsingle: {
        image: {
          repository: "registry.home.lan/dockerhub/victoriametrics/victoria-metrics",
          tag: `v1.144.0@${DIGEST}`,
        },
      },
      containers: [{ name: "loki", image: `registry.home.lan/dockerhub/grafana/loki:${loki.tag}@${DIGEST}` }],
      args: [
        "--prometheus-config-reloader=registry.home.lan:5000/quay/prometheus-operator/prometheus-config-reloader:v0.93.0",
      ],
      env: [
        {
          name: "VM_CUSTOMCONFIGRELOADERIMAGE",
          value: "registry.home.lan/dockerhub/victoriametrics/operator:config-reloader-v0.66.0",
        },
      ],
      exporter: values.exporter,
      other: values.other,
    });
    assert.equal(mirrorPinnedImages(values, {}), values, "no mirrors: the values themselves");
  });

  it("image-pins takes a pin at its mirror, and refuses the pin named upstream, an unpinned image at the mirror and a mirror the stack does not declare", () => {
    const at = `registry.home.lan/dockerhub/grafana/loki:${loki.tag}`;
    assert.deepEqual(checkImageDigests(stack(at)).findings, []);
    const message = (placed: Placed[]) => checkImageDigests(placed).findings.map((f) => f.message);
    assert.deepEqual(message(stack(imageString(loki))), [
      `spec.template.spec.containers[0].image: image ${imageString(loki)} names docker.io, which the stack's imageMirrors pulls through registry.home.lan/dockerhub: the program names the pin registry.home.lan/dockerhub/grafana/loki there (versions.images.loki); remove the image override that names docker.io, or the registry's imageMirrors entry`,
    ]);
    assert.match(
      message(stack("registry.home.lan/dockerhub/library/busybox:1.36"))[0],
      /is not pinned in model\/versions\.ts/,
    );
    assert.deepEqual(message(stack(at, {})).length, 1);
    assert.match(
      message(stack(at, {}))[0],
      /; if registry\.home\.lan\/dockerhub is a mirror of docker\.io, say so in the stack key imageMirrors \(docker\.io: registry\.home\.lan\/dockerhub\)/,
    );
    // A mirror under its own registry (a Docker Hub organisation holding copies): its names are
    // the pins', the registry's own names still refused.
    const hub = { "docker.io": "docker.io/mirrors" };
    assert.deepEqual(message(stack(`docker.io/mirrors/grafana/loki:${loki.tag}`, hub)), []);
    assert.match(
      message(stack(imageString(loki), hub))[0],
      /names docker\.io, which the stack's imageMirrors pulls through docker\.io\/mirrors/,
    );
    // Another image at an upstream registry that ends in a pin's path is no mirror of it.
    assert.doesNotMatch(message(stack("docker.io/bitnami/kubectl:1.31.0", {}))[0], /imageMirrors/);
    assert.doesNotMatch(message(stack(`quay.io/someorg/grafana/loki:${loki.tag}`, {}))[0], /imageMirrors/);
    // Unless the namespace names the registry it copies, as a mirror's path does.
    assert.match(
      message(stack(`quay.io/someorg/docker.io/grafana/loki:${loki.tag}`, {}))[0],
      /; if quay\.io\/someorg\/docker\.io is a mirror of docker\.io, say so in the stack key imageMirrors \(docker\.io: quay\.io\/someorg\/docker\.io\)/,
    );
    // At the mirror, another tag is still another tag.
    assert.match(
      message(stack(`registry.home.lan/dockerhub/grafana/loki:9.9.9`))[0],
      /its tag 9\.9\.9 is not the pin's/,
    );
  });

  it("synth's summary names the mirrors an export's stack-info records, and none without", () => {
    const info = (mirrors: Record<string, string>) => [
      { type: "kubernetes:core/v1:ConfigMap", inputs: stack("x", mirrors)[0].obj },
    ];
    assert.deepEqual(imageMirrorsOf(info(MIRRORS)), [
      "docker.io -> registry.home.lan/dockerhub",
      "quay.io -> registry.home.lan:5000/quay",
    ]);
    assert.deepEqual(imageMirrorsOf(info({})), []);
  });

  it("arm64-images knows a mirrored image as the one it mirrors, and says how to declare a mirror it is not told of", () => {
    const ref = `registry.home.lan:5000/quay/prometheus/prometheus:${prom.tag}`;
    assert.equal(arm64Problem(ref, DEFAULT_ARM64_IMAGES, undefined, MIRRORS), undefined);
    assert.doesNotMatch(
      arm64Problem("docker.io/someone/prometheus/prometheus:v1.0.0", DEFAULT_ARM64_IMAGES) ?? "",
      /imageMirrors/,
    );
    assert.match(
      arm64Problem(ref, DEFAULT_ARM64_IMAGES) ?? "",
      /not known to publish linux\/arm64 \(it is quay\.io\/prometheus\/prometheus under registry\.home\.lan:5000\/quay: if registry\.home\.lan:5000\/quay mirrors quay\.io, say so in the stack's imageMirrors key/,
    );
  });
});
