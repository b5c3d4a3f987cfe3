import { strict as assert } from "assert";
import type { ExportedResource } from "../../policy/evaluate";
import { canLandOn } from "../../policy/lib/workloads";
import { packConfigProblems } from "../../synth/pack";
import { check, fails, passes, release, res, stackInfo, v4Chart, workload } from "../support/policyCases";

const P = "arm64-images";
const mixed = () =>
  stackInfo([
    { name: "nuc", arch: "amd64", count: 2 },
    {
      name: "pi",
      arch: "arm64",
      count: 3,
      labels: { "kubernetes.io/arch": "arm64", "node-role/pi": "true" },
    },
  ]);
const x86Only = "example.com/x86-only-exporter:1.0";
const amd64Pin = { nodeSelector: { "kubernetes.io/arch": "amd64" } };

/** A v4 Chart rendered into a Deployment running `image`, scheduled by `sched`. */
const rendered = (image: string, sched: Record<string, any> = {}) =>
  v4Chart("exporter", [workload("Deployment", "exporter", { containers: [{ name: "c", image }], ...sched })]);

describe("policy (arm64): realistic mixed cluster", () => {
  it("passes: multi-arch chart images anywhere, an amd64-only image pinned to amd64", () =>
    passes(
      [
        mixed(),
        release("loki", {
          deploymentMode: "SingleBinary",
          singleBinary: { replicas: 1 },
          write: { replicas: 0 },
        }),
        ...rendered(x86Only, amd64Pin),
      ],
      P,
    ));
  it("fails: the amd64-only image unpinned (v4 Chart children judged, the component has no inputs)", () =>
    fails(
      [mixed(), ...rendered(x86Only)],
      P,
      /Deployment exporter can run on pool pi .*example\.com\/x86-only-exporter is not known to publish linux\/arm64/,
    ));
});

describe("policy (arm64): selectors on labels every node carries keep nothing off Pi nodes", () => {
  for (const [title, sched] of [
    ["nodeSelector kubernetes.io/os: linux", { nodeSelector: { "kubernetes.io/os": "linux" } }],
    ["nodeSelector beta.kubernetes.io/os: linux", { nodeSelector: { "beta.kubernetes.io/os": "linux" } }],
    [
      "required affinity kubernetes.io/os In [linux]",
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "kubernetes.io/os", operator: "In", values: ["linux"] }] },
              ],
            },
          },
        },
      },
    ],
    [
      "required affinity kubernetes.io/hostname Exists",
      {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "kubernetes.io/hostname", operator: "Exists" }] },
              ],
            },
          },
        },
      },
    ],
  ] as const)
    it(`fails: ${title}`, () => fails([mixed(), ...rendered(x86Only, sched)], P, /can run on pool pi/));
  it("passes: beta.kubernetes.io/arch: amd64 (the kubelet's deprecated twin) keeps it off", () =>
    passes([mixed(), ...rendered(x86Only, { nodeSelector: { "beta.kubernetes.io/arch": "amd64" } })], P));
});

describe("policy (arm64): the stack-info pools are the truth, the pack config only adds", () => {
  it("passes: the Pi pool's recorded taint keeps an untolerating workload off", () =>
    passes(
      [
        stackInfo([
          { name: "nuc", arch: "amd64" },
          { name: "pi", arch: "arm64", taints: [{ key: "pi", value: "true", effect: "NoSchedule" }] },
        ]),
        ...rendered(x86Only),
      ],
      P,
    ));
  it("fails: a toleration of the Pi pool's taint lets it land", () =>
    fails(
      [
        stackInfo([
          { name: "nuc", arch: "amd64" },
          { name: "pi", arch: "arm64", taints: [{ key: "pi", value: "true", effect: "NoSchedule" }] },
        ]),
        ...rendered(x86Only, { tolerations: [{ key: "pi", operator: "Exists" }] }),
      ],
      P,
      /can run on pool pi .*taints pi:NoSchedule/,
    ));
  it("fails: a selector on a label only the Pi pool records", () =>
    fails(
      [mixed(), ...rendered(x86Only, { nodeSelector: { "node-role/pi": "true" } })],
      P,
      /can run on pool pi/,
    ));
  it("fails: pack config cannot remove the pool's labels (a selector on them still lands on Pi)", () =>
    fails(
      [mixed(), ...rendered(x86Only, { nodeSelector: { "node-role/pi": "true" } })],
      P,
      /can run on pool pi/,
      {
        [P]: { piNodeLabels: { "example.com/board": "rpi5" } },
      },
    ));
  it("passes: a taint the pack config adds keeps an untolerating workload off", () =>
    passes([mixed(), ...rendered(x86Only)], P, {
      [P]: { piNodeTaints: [{ key: "arm", effect: "NoSchedule" }] },
    }));
  it("passes: a cluster whose pools have no arm64 pool places nothing on a Pi", () =>
    passes([stackInfo([{ name: "nuc", arch: "amd64", count: 3 }]), ...rendered(x86Only)], P));
  it("the way off Pi nodes is pinning to amd64 only where a pool has amd64 nodes", async () => {
    const tagged = (pools: { name: string; arch: string }[]) =>
      check([stackInfo(pools), ...rendered(x86Only)], P);
    const [mixedPools] = await tagged([
      { name: "nuc", arch: "amd64" },
      { name: "pi", arch: "arm64" },
    ]);
    assert.match(mixedPools.message, /pin it off Pi nodes with a nodeSelector .*kubernetes\.io\/arch=amd64/);
    // An all-Pi stack has nowhere to pin it: pinning would leave it on no node.
    const [piOnly] = await tagged([{ name: "pi", arch: "arm64" }]);
    assert.doesNotMatch(piOnly.message, /nodeSelector|arch=amd64/);
    assert.match(
      piOnly.message,
      /use an image that publishes linux\/arm64: no pool of the stack has amd64 nodes to pin it to/,
    );
  });
  it("a DaemonSet is never told to pin off Pi nodes: a node agent runs on every pool", async () => {
    const agent = v4Chart("agent", [
      workload("DaemonSet", "agent", { containers: [{ name: "c", image: x86Only }] }),
    ]);
    const [v] = await check([mixed(), ...agent], P);
    assert.doesNotMatch(v.message, /nodeSelector|arch=amd64/);
    assert.match(
      v.message,
      /otherwise use an image that publishes linux\/arm64: a DaemonSet is a node agent that runs on every node pool, so pinning it off the Pi nodes would leave their data uncollected \(node-agents-on-every-pool\)\.$/,
    );
  });
  it("fails: without stack-info, the pack config's Pi description is used", () =>
    fails(
      rendered(x86Only),
      P,
      /can run on Pi nodes \(kubernetes\.io\/os=linux,kubernetes\.io\/arch=arm64\)/,
    ));
});

describe("policy (arm64): containers chart values add count", () => {
  const loki = (singleBinary: Record<string, any>) =>
    release("loki", {
      deploymentMode: "SingleBinary",
      singleBinary: { replicas: 1, ...singleBinary },
      write: { replicas: 0 },
      read: { replicas: 0 },
      backend: { replicas: 0 },
    });
  it("passes: extra containers with multi-arch images", () =>
    passes(
      [mixed(), loki({ extraContainers: [{ name: "s", image: "docker.io/grafana/alloy:v1.11.0" }] })],
      P,
    ));
  it("fails: loki singleBinary.extraContainers", () =>
    fails(
      [mixed(), loki({ extraContainers: [{ name: "s", image: x86Only }] })],
      P,
      /values\.singleBinary\.extraContainers\[0\]\.image is "example\.com\/x86-only-exporter:1\.0"/,
    ));
  it("fails: loki singleBinary.initContainers", () =>
    fails(
      [mixed(), loki({ initContainers: [{ name: "i", image: "example.com/init:1" }] })],
      P,
      /values\.singleBinary\.initContainers\[0\]\.image/,
    ));
  it("fails: grafana extraInitContainers", () =>
    fails(
      [mixed(), release("grafana", { extraInitContainers: [{ name: "i", image: "example.com/init:1" }] })],
      P,
      /values\.extraInitContainers\[0\]\.image/,
    ));
  it("fails: grafana extraContainers given as a YAML string (the chart runs it through tpl)", () =>
    fails(
      [
        mixed(),
        release("grafana", { extraContainers: "- name: proxy\n  image: example.com/oauth-proxy:7\n" }),
      ],
      P,
      /values\.extraContainers\[0\]\.image is "example\.com\/oauth-proxy:7"/,
    ));
  it("fails: alloy controller.extraContainers", () =>
    fails(
      [mixed(), release("alloy", { controller: { extraContainers: [{ name: "s", image: x86Only }] } })],
      P,
      /values\.controller\.extraContainers\[0\]\.image/,
    ));
  it("fails: kube-prometheus-stack prometheusSpec.initContainers", () =>
    fails(
      [
        mixed(),
        release("kube-prometheus-stack", {
          prometheus: { prometheusSpec: { initContainers: [{ name: "i", image: x86Only }] } },
        }),
      ],
      P,
      /values\.prometheus\.prometheusSpec\.initContainers\[0\]\.image/,
    ));
  it("passes: the same extra container pinned off Pi with the component's nodeSelector", () =>
    passes([mixed(), loki({ extraContainers: [{ name: "s", image: x86Only }], ...amd64Pin })], P));
});

describe("scheduling model (policy/lib/workloads.ts canLandOn)", () => {
  const pi = { "kubernetes.io/arch": "arm64" };
  it("kubernetes.io/os=linux matches every node", () =>
    assert.equal(
      canLandOn({ nodeSelector: { "kubernetes.io/os": "linux" }, tolerations: [] } as any, pi),
      true,
    ));
  it("kubernetes.io/os=windows matches no Linux node", () =>
    assert.equal(
      canLandOn({ nodeSelector: { "kubernetes.io/os": "windows" }, tolerations: [] } as any, pi),
      false,
    ));
  it("a toleration with another effect does not tolerate the taint", () =>
    assert.equal(
      canLandOn(
        { nodeSelector: {}, tolerations: [{ key: "pi", operator: "Exists", effect: "NoExecute" }] } as any,
        pi,
        [{ key: "pi", effect: "NoSchedule" }],
      ),
      false,
    ));
  it("an empty-key Exists toleration tolerates every taint", async () => {
    assert.equal(
      canLandOn({ nodeSelector: {}, tolerations: [{ operator: "Exists" }] } as any, pi, [
        { key: "pi", effect: "NoSchedule" },
      ]),
      true,
    );
    assert.equal((await check([mixed(), ...rendered("grafana/loki:3.6.3")], P)).length, 0);
  });
});

describe("policy: arm64-images", () => {
  const P = "arm64-images";
  const pod = (image: string, extra: any = {}) => ({ containers: [{ name: "c", image }], ...extra });
  const deploy = (spec: any, type = "kubernetes:apps/v1:Deployment") =>
    res(type, { metadata: { name: "w" }, spec: { replicas: 1, template: { spec } } });
  it("passes known multi-arch images on unpinned workloads", () =>
    passes(
      [
        deploy(pod("grafana/loki:3.6.3")),
        deploy(pod("quay.io/prometheus/prometheus:v3.7.3"), "kubernetes:apps/v1:DaemonSet"),
      ],
      P,
    ));
  it("passes unknown images kept off Pi nodes by nodeSelector or required affinity", () =>
    passes(
      [
        deploy(pod("example.com/x86only:1", { nodeSelector: { "kubernetes.io/arch": "amd64" } })),
        deploy(
          pod("example.com/x86only:1", {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [{ key: "kubernetes.io/arch", operator: "NotIn", values: ["arm64"] }],
                    },
                  ],
                },
              },
            },
          }),
        ),
      ],
      P,
    ));
  it("passes unknown images when Pi nodes are tainted and the workload does not tolerate it", () =>
    passes([deploy(pod("example.com/x86only:1"))], P, {
      [P]: { piNodeTaints: [{ key: "pi", effect: "NoSchedule" }] },
    }));
  // The VictoriaMetrics operator reads the image as two fields: quoting "repository:tag" as the
  // repository's value named a field that never holds it.
  it("fails: an operator's image map is quoted as its fields, not as a reference the repository holds", () =>
    fails(
      [
        res("kubernetes:operator.victoriametrics.com/v1beta1:VMSingle", {
          metadata: { name: "vm" },
          spec: { image: { repository: "victoriametrics/victoria-metrics", tag: "v1.120.0-amd64" } },
        }),
      ],
      P,
      /: Deployment vm can run on Pi nodes .*: nothing in spec keeps it off them, but spec\.image is \{repository: "victoriametrics\/victoria-metrics", tag: "v1\.120\.0-amd64"\}: tag "v1\.120\.0-amd64" names another architecture;/,
    ));
  it("accepts images the operator adds to the pack config", () =>
    passes([deploy(pod("example.com/mine:1"))], P, {
      [P]: { arm64Images: ["docker.io/grafana/loki", "example.com/mine"] },
    }));

  const variants: [string, () => ExportedResource, RegExp][] = [
    [
      "unknown image, unpinned Deployment",
      () => deploy(pod("example.com/tool:1")),
      /example\.com\/tool is not known to publish linux\/arm64; check with `docker manifest inspect example\.com\/tool:1`.*add "example\.com\/tool" to the arm64-images policy.s arm64Images config; otherwise pin it off Pi nodes with a nodeSelector or required node affinity on kubernetes\.io\/arch=amd64\.$/,
    ],
    [
      // Pinned by digest alone: the node pulls the digest, so that is what to inspect, not `:latest`.
      "unknown image pinned by digest",
      () => deploy(pod(`example.com/tool@sha256:${"2".repeat(64)}`)),
      new RegExp(`check with \`docker manifest inspect example\\.com/tool@sha256:${"2".repeat(64)}\``),
    ],
    [
      "unknown image with a tag and a digest: the digest is what runs",
      () => deploy(pod(`example.com/tool:1@sha256:${"3".repeat(64)}`)),
      new RegExp(`check with \`docker manifest inspect example\\.com/tool@sha256:${"3".repeat(64)}\``),
    ],
    [
      "nodeSelector targets Pi nodes",
      () => deploy(pod("example.com/tool:1", { nodeSelector: { "kubernetes.io/arch": "arm64" } })),
      /Deployment w can run on Pi nodes/,
    ],
    [
      "required affinity admits arm64, tag names amd64",
      () =>
        deploy(
          pod("grafana/loki:3.6.3-amd64", {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [
                        { key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] },
                      ],
                    },
                  ],
                },
              },
            },
          }),
        ),
      // Its own remedy, no "Otherwise" after a sentence that offered nothing to do.
      /tag "3\.6\.3-amd64" names another architecture; use the tag without it \(an image for every architecture\) or pin it off Pi nodes with a nodeSelector or required node affinity on kubernetes\.io\/arch=amd64\.$/,
    ],
    [
      "unpinned DaemonSet",
      () => deploy(pod("docker.io/someone/agent:x86_64"), "kubernetes:apps/v1:DaemonSet"),
      /DaemonSet w can run on Pi nodes.*names another architecture/,
    ],
    [
      "init container",
      () =>
        deploy(
          pod("grafana/loki:3.6.3", { initContainers: [{ name: "init", image: "example.com/init:1" }] }),
        ),
      /spec\.template\.spec\.initContainers\[0\]\.image is "example\.com\/init:1"/,
    ],
    [
      "CronJob",
      () =>
        res("kubernetes:batch/v1:CronJob", {
          spec: { jobTemplate: { spec: { template: { spec: pod("example.com/backup:1") } } } },
        }),
      /CronJob .* spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.image/,
    ],
    [
      "Helm values of a known chart override an image",
      () =>
        release("grafana", {
          image: { registry: "docker.io", repository: "someone/grafana-fork", tag: "1" },
        }),
      /values\.image is "docker\.io\/someone\/grafana-fork:1"/,
    ],
    [
      "Helm values of an unknown chart",
      () => release("mystery", { sidecar: { image: "example.com/side:2" } }),
      /values\.sidecar\.image is "example\.com\/side:2".*Chart "mystery" is unknown/,
    ],
  ];
  for (const [title, make, pattern] of variants) it(`fails: ${title}`, () => fails([make()], P, pattern));

  it("judges a known chart's default images from pack data", async () => {
    // A chart the user describes adds to the built-in ones; its default image is judged.
    const charts = {
      mine: {
        workloads: [
          {
            name: "w",
            kind: "Deployment",
            resources: [],
            images: [{ path: "tool.image", default: "example.com/tool" }],
          },
        ],
      },
    };
    await fails(
      [release("mine", {})],
      P,
      /values\.tool\.image is "example\.com\/tool": example\.com\/tool is not known/,
      {
        [P]: { charts },
      },
    );
    await passes([release("mine", { tool: { image: "docker.io/grafana/loki:3" } })], P, { [P]: { charts } });
    await passes([release("kube-prometheus-stack", {})], P, { [P]: { charts } });
  });

  // docs/reference/policies.md tells users to add an image to arm64Images: the list adds to the
  // built-in one, or naming one image would turn every built-in image into a violation.
  it("adds the user's arm64Images and charts to the built-in ones instead of replacing them", async () => {
    await passes([release("loki", {}), release("kube-prometheus-stack", {})], P, {
      [P]: { arm64Images: ["docker.io/someone/amd64only"] },
    });
    await passes([deploy(pod("docker.io/someone/amd64only:1")), release("loki", {})], P, {
      [P]: { arm64Images: ["docker.io/someone/amd64only"] },
    });
    await passes([release("loki", {})], P, {
      [P]: {
        charts: { mine: { workloads: [{ name: "w", kind: "Deployment", resources: [], images: [] }] } },
      },
    });
  });
});

describe("policy (arm64): the pack config's Pi nodes are refused when malformed, never read as other ones", () => {
  // A taint without its effect (`efect`) was taken silently and kept every untolerating workload
  // off the Pi nodes: a mandatory violation passed.
  it("refuses a misspelt key of a piNodeTaints entry, naming it and the key it means", () =>
    assert.deepEqual(packConfigProblems({ [P]: { piNodeTaints: [{ key: "arch", efect: "NoSchedule" }] } }), [
      `${P}: piNodeTaints[0].efect is not a key here (expected one of key, value, effect); did you mean "effect"? (effect is required and missing: rename this key)`,
    ]));
  it("refuses a taint effect Kubernetes does not have, with the closest one", () =>
    assert.deepEqual(packConfigProblems({ [P]: { piNodeTaints: [{ key: "arch", effect: "NoSchedul" }] } }), [
      `${P}: piNodeTaints[0].effect must be one of "NoSchedule", "PreferNoSchedule" or "NoExecute", found string "NoSchedul"; did you mean "NoSchedule"?`,
    ]));
  // Described as the pool's label kubernetes.io/arch=64, which no node carries.
  it("refuses a piNodeLabels value that is no string", () =>
    assert.deepEqual(packConfigProblems({ [P]: { piNodeLabels: { "kubernetes.io/arch": 64 } } }), [
      `${P}: piNodeLabels.kubernetes.io/arch must be a string, found number 64`,
    ]));
  it("takes a well-formed taint and labels", () =>
    assert.deepEqual(
      packConfigProblems({
        [P]: {
          piNodeLabels: { "kubernetes.io/arch": "arm64" },
          piNodeTaints: [{ key: "arch", value: "arm64", effect: "NoExecute" }],
        },
      }),
      [],
    ));
});

describe("policy (arm64): a live release's container its values leave out runs no image", () => {
  // The Pi stack turns Loki's rules sidecar off (sidecar.rules.enabled: false); a mirror's
  // `chartValues.loki.sidecar.image` was refused by `pulumi preview` (the release's values judged)
  // though no container runs it, while synth, judging the rendered StatefulSet, passed.
  const pi = () => stackInfo([{ name: "pi5", arch: "arm64", count: 3 }]);
  const mirror = { registry: "harbor.lan", repository: "mirror/k8s-sidecar", tag: "1.30.9" };
  const loki = (rules: Record<string, unknown>) =>
    release("loki", {
      deploymentMode: "SingleBinary",
      singleBinary: { replicas: 1 },
      sidecar: { image: mirror, rules },
    });
  it("passes: loki's rules sidecar off, its image a mirror the pack does not know", () =>
    passes([pi(), loki({ enabled: false })], P));
  it("fails: the same image with the sidecar on (the chart's default), naming it", () =>
    fails([pi(), loki({})], P, /values\.sidecar\.image is "harbor\.lan\/mirror\/k8s-sidecar:1\.30\.9"/));
  const exporter = (kubeRBACProxy: Record<string, unknown>) =>
    release("prometheus-node-exporter", { kubeRBACProxy: { image: mirror, ...kubeRBACProxy } });
  it("passes: node-exporter's kube-rbac-proxy off (the chart's default), its image unknown", () =>
    passes([pi(), exporter({})], P));
  it("fails: the proxy on with that image", () =>
    fails([pi(), exporter({ enabled: true })], P, /values\.kubeRBACProxy\.image is "harbor\.lan/));
});

describe("policy (arm64): an arm64Images entry names a repository as image references do", () => {
  // `myuser/grafana` is docker.io/myuser/grafana (Docker Hub's implicit registry): written so in
  // the pack config, as `docker pull` takes it, it was compared as text and the image refused.
  const pi = () => stackInfo([{ name: "pi5", arch: "arm64", count: 3 }]);
  const own = () => rendered("myuser/grafana:12.3.1");
  for (const entry of ["myuser/grafana", "docker.io/myuser/grafana", "index.docker.io/myuser/grafana"])
    it(`passes: the image myuser/grafana:12.3.1 with arm64Images ["${entry}"]`, () =>
      passes([pi(), ...own()], P, { [P]: { arm64Images: [entry] } }));
  it("fails: another repository of that user, naming the one to add", () =>
    fails([pi(), ...own()], P, /add "docker\.io\/myuser\/grafana" to the arm64-images policy's arm64Images/, {
      [P]: { arm64Images: ["myuser/loki"] },
    }));
});
