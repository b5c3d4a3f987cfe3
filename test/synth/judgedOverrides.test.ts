/**
 * Trial N2: a finding's chartValues cause is what its rule judged (Violation.judged, from
 * policy/lib/report.ts reportJudged; checks' Finding.judged), not the words of its message, and
 * synth (the pack and the rendered-object checks) and policy:check (the pack alone) merge the
 * pack's violations alike. A Vector DaemonSet given an amd64-only image and an amd64 nodeSelector
 * by two overrides: node-agents-on-every-pool is the nodeSelector's, host-paths-for-agents-only
 * the image's; neither is said to clear the other.
 */
import { strict as assert } from "assert";
import { evaluateResources, type ExportedResource } from "../../policy/evaluate";
import { attributeOverrides, formatMergedViolations, mergeProblems } from "../../synth/report";
import { checkHostPaths, checkRoot, checkSeccomp } from "../../checks/privileges";
import { checkPodSecurity } from "../../checks/podSecurity";
import { checkResourceRequests } from "../../checks/resourceRequests";
import { checkResourceNames } from "../../checks/resourceNames";
import { checkImageDigests } from "../../checks/imageDigests";
import { checkNamedPorts } from "../../checks/namedPorts";
import type { K8sObject, Placed } from "../../checks/objects";
import { RENDERED_KEY } from "@homelab-observability/contract";
import { stackInfo } from "../support/policyCases";
import {
  helmRelease as helm,
  lokiIngress,
  renderedBy,
  tracedOverrides as traced,
} from "../support/overrideCases";

const STACK = "urn:pulumi:production::homelab-observability";
const image = "someone/amd64only:1.0";
const values = {
  image: { repository: "someone/amd64only", tag: "1.0" },
  nodeSelector: { "kubernetes.io/arch": "amd64" },
};
const release: ExportedResource = {
  urn: `${STACK}::kubernetes:helm.sh/v3:Release::vector-agents`,
  type: "kubernetes:helm.sh/v3:Release",
  custom: true,
  inputs: { name: "vector", namespace: "monitoring-agents", chart: "vector", values, [RENDERED_KEY]: 1 },
};
const pod = {
  nodeSelector: values.nodeSelector,
  containers: [{ name: "vector", image, volumeMounts: [{ name: "data", mountPath: "/vector-data-dir" }] }],
  volumes: [
    { name: "data", hostPath: { path: "/var/lib/vector" } },
    { name: "var-log", hostPath: { path: "/var/log" } },
  ],
};
const daemonSet = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "vector", namespace: "monitoring-agents" },
  spec: { selector: { matchLabels: { app: "vector" } }, template: { spec: pod } },
};
const rendered: ExportedResource = {
  urn: `${STACK}::kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:DaemonSet::vector-agents/monitoring-agents/vector`,
  type: "kubernetes:apps/v1:DaemonSet",
  custom: true,
  inputs: daemonSet,
  parent: release.urn,
};
const resources = [
  stackInfo([
    { name: "amd", arch: "amd64", count: 1 },
    { name: "pi5", arch: "arm64", count: 2 },
  ]),
  release,
  rendered,
];
const overrides = ["vector.image.repository", "vector.image.tag", "vector.nodeSelector.kubernetes.io/arch"];
const POLICIES = new Set(["node-agents-on-every-pool", "host-paths-for-agents-only"]);

async function judged(withFindings: boolean) {
  const violations = (await evaluateResources(resources, {})).filter((v) => POLICIES.has(v.policy));
  const findings = withFindings
    ? checkHostPaths([{ obj: daemonSet, urn: rendered.urn, source: "release vector" }])
    : [];
  const merged = mergeProblems(violations, findings, { resources, overrides });
  return attributeOverrides(merged.violations, resources, overrides);
}

describe("a finding's override is what its rule judged (trial N2)", () => {
  it("node-agents-on-every-pool is the nodeSelector's, host-paths-for-agents-only the image's: two messages", async () => {
    const vs = await judged(false);
    assert.deepEqual(
      vs.map((v) => [v.policy, v.overrides, v.overridesUnsure]),
      [
        ["node-agents-on-every-pool", ['chartValues.vector.nodeSelector["kubernetes.io/arch"]'], undefined],
        [
          "host-paths-for-agents-only",
          ["chartValues.vector.image.repository", "chartValues.vector.image.tag"],
          undefined,
        ],
      ],
    );
    // Both volumes are the image's one mistake, one message; never "clears every place" of the other rule.
    assert.deepEqual(vs[1].alsoAt, [
      '[host-paths-for-agents-only] kubernetes:apps/v1:DaemonSet "vector-agents/monitoring-agents/vector"',
    ]);
    assert.doesNotMatch(formatMergedViolations(vs), /that clears every place above/);
  });

  it("the rendered-object checks change no violation's merge: synth's verdict is policy:check's", async () => {
    const [alone, withChecks] = [await judged(false), await judged(true)];
    assert.deepEqual(
      withChecks.map((v) => [v.policy, v.overrides]),
      alone.map((v) => [v.policy, v.overrides]),
    );
    // The host-path findings join the image's message, where removing the image overrides clears them.
    assert.match(
      formatMergedViolations(withChecks),
      /host-paths-for-agents-only: .*volume data .*\n {6}the same mistake, also seen at: .*\[host-path\] DaemonSet monitoring-agents\/vector volume data; \[host-path\] DaemonSet monitoring-agents\/vector volume var-log\n {6}from the stack's chart values overrides chartValues\.vector\.image\.repository, chartValues\.vector\.image\.tag: change or remove them in the stack file \(that clears every place above;/,
    );
  });
});

/**
 * Trial H: the rules an override most often trips (a request past its limit, a pod its namespace's
 * Pod Security level refuses, a seccomp profile, replicas past the nodes) name the override that
 * sets the field they judged, and not one whose value merely is a word of their message.
 */
describe("an override is named by the field its rule judged, not by a word of its value (trial H)", () => {
  it("resource-request: the request's override, not a pod annotation whose value is a word of the message", () => {
    const values = { resources: { requests: { memory: "2Gi" } }, podAnnotations: { note: "pod" } };
    const grafana = helm("grafana", "grafana", "monitoring", values);
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      containers: [
        {
          name: "grafana",
          image: "grafana/grafana",
          resources: { requests: { memory: "2Gi" }, limits: { memory: "512Mi" } },
        },
      ],
    });
    const { findings } = checkResourceRequests([dep.placed]);
    assert.deepEqual(
      traced(findings, [grafana], ["grafana.resources.requests.memory", "grafana.podAnnotations.note"]),
      [[["chartValues.grafana.resources.requests.memory"], undefined]],
    );
  });

  it("resource-name: the misspelt name's override, not the cpu overrides beside it that the message lists as a standard name", () => {
    const values = { resources: { requests: { cpu: "100m" }, limits: { cpu: "500m", memroy: "1Gi" } } };
    const grafana = helm("grafana", "grafana", "monitoring", values);
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      containers: [{ name: "grafana", image: "grafana/grafana", resources: values.resources }],
    });
    const { findings } = checkResourceNames([dep.placed]);
    const overrides = [
      "grafana.resources.requests.cpu",
      "grafana.resources.limits.cpu",
      "grafana.resources.limits.memroy",
    ];
    assert.deepEqual(traced(findings, [grafana], overrides), [
      [["chartValues.grafana.resources.limits.memroy"], undefined],
    ]);
    // The map holding the name, written whole, is its cause too.
    assert.deepEqual(
      traced(findings, [grafana], ["grafana.resources.limits", "grafana.resources.requests"]),
      [[["chartValues.grafana.resources.limits"], undefined]],
    );
  });

  it("pod-security: the container's privileged override, not a pod label whose value is the level's name", () => {
    const values = {
      alloy: { securityContext: { privileged: true } },
      controller: { podLabels: { tier: "baseline" } },
    };
    const alloy = helm("alloy", "alloy", "monitoring-agents", values);
    const ds = renderedBy(alloy, "DaemonSet", "alloy", {
      containers: [{ name: "alloy", image: "grafana/alloy", securityContext: { privileged: true } }],
    });
    const ns = {
      obj: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: "monitoring-agents",
          labels: {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.33",
          },
        },
      },
      urn: `${STACK}::kubernetes:core/v1:Namespace::monitoring-agents`,
      source: "program",
    };
    const { findings } = checkPodSecurity([ns, ds.placed]);
    assert.deepEqual(
      traced(
        findings,
        [alloy],
        ["alloy.alloy.securityContext.privileged", "alloy.controller.podLabels.tier"],
      ),
      [[["chartValues.alloy.alloy.securityContext.privileged"], undefined]],
    );
    assert.deepEqual(
      findings.map((f) => [f.message, f.judged]),
      [
        [
          "namespace monitoring-agents enforces baseline, which refuses this pod: container alloy: privileged",
          ["securityContext.privileged"],
        ],
      ],
    );
  });

  it("seccomp-runtime-default: the chart's containerSecurityContext override, not a label whose value is a word of the message", async () => {
    const values = {
      containerSecurityContext: { seccompProfile: { type: "Unconfined" } },
      podLabels: { role: "container" },
    };
    const grafana = helm("grafana", "grafana", "monitoring", values);
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "grafana",
          image: "grafana/grafana",
          securityContext: { seccompProfile: { type: "Unconfined" } },
        },
      ],
    });
    const all = [stackInfo([{ name: "amd", arch: "amd64", count: 1 }]), grafana, dep.resource];
    const vs = (await evaluateResources(all, {})).filter((v) => v.policy === "seccomp-runtime-default");
    assert.deepEqual(
      traced(vs, all, ["grafana.containerSecurityContext.seccompProfile.type", "grafana.podLabels.role"]),
      [[["chartValues.grafana.containerSecurityContext.seccompProfile.type"], undefined]],
    );
  });

  it("the seccomp and runs-as-root checks: the securityContext override each reads, not a label whose value is a word of the message", () => {
    const values = {
      containerSecurityContext: { seccompProfile: { type: "Unconfined" } },
      securityContext: { runAsUser: 0 },
      podLabels: { role: "container", user: "root" },
    };
    const grafana = helm("grafana", "grafana", "monitoring", values);
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      securityContext: { runAsUser: 0 },
      containers: [
        {
          name: "grafana",
          image: "grafana/grafana",
          securityContext: { seccompProfile: { type: "Unconfined" } },
        },
      ],
    });
    const overrides = [
      "grafana.containerSecurityContext.seccompProfile.type",
      "grafana.securityContext.runAsUser",
      "grafana.podLabels.role",
      "grafana.podLabels.user",
    ];
    assert.deepEqual(traced(checkSeccomp([dep.placed]), [grafana], overrides), [
      [["chartValues.grafana.containerSecurityContext.seccompProfile.type"], undefined],
    ]);
    assert.deepEqual(traced(checkRoot([dep.placed], []), [grafana], overrides), [
      [["chartValues.grafana.securityContext.runAsUser"], undefined],
    ]);
  });

  it("seccomp: each container's own securityContext override, not another container's of the same chart (Grafana's sidecar, Loki's memcached exporter)", async () => {
    const unconfined = { seccompProfile: { type: "Unconfined" } };
    const values = { sidecar: { securityContext: unconfined }, containerSecurityContext: unconfined };
    const grafana = helm("grafana", "grafana", "monitoring", values);
    // grafana 12.3.1 templates/_pod.tpl: the sidecars read sidecar.securityContext, the grafana
    // container containerSecurityContext.
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      containers: [
        { name: "grafana-sc-dashboard", image: "quay.io/kiwigrid/k8s-sidecar", securityContext: unconfined },
        { name: "grafana", image: "grafana/grafana", securityContext: unconfined },
      ],
    });
    const overrides = [
      "grafana.sidecar.securityContext.seccompProfile.type",
      "grafana.containerSecurityContext.seccompProfile.type",
    ];
    const each = [
      [["chartValues.grafana.sidecar.securityContext.seccompProfile.type"], undefined],
      [["chartValues.grafana.containerSecurityContext.seccompProfile.type"], undefined],
    ];
    assert.deepEqual(traced(checkSeccomp([dep.placed]), [grafana], overrides), each);
    const all = [stackInfo([{ name: "amd", arch: "amd64", count: 1 }]), grafana, dep.resource];
    const vs = (await evaluateResources(all, {})).filter((v) => v.policy === "seccomp-runtime-default");
    assert.deepEqual(traced(vs, all, overrides), each);
    // The Pod Security finding on the pod is both containers': both overrides, each container said.
    const ns = {
      obj: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: "monitoring",
          labels: {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.33",
          },
        },
      },
      urn: `${STACK}::kubernetes:core/v1:Namespace::monitoring`,
      source: "program",
    };
    const refused = checkPodSecurity([ns, dep.placed]).findings;
    assert.match(
      refused[0].message,
      /container grafana-sc-dashboard: seccompProfile Unconfined; container grafana: seccompProfile Unconfined$/,
    );
    assert.deepEqual(traced(refused, [grafana], overrides), [
      [overrides.map((o) => `chartValues.${o}`), undefined],
    ]);

    // loki 18.11.0: memcached-exporter's containerSecurityContext is the exporter's alone.
    const loki = helm("loki", "loki", "monitoring", {
      memcachedExporter: { containerSecurityContext: unconfined },
      loki: { containerSecurityContext: unconfined },
    });
    const sts = renderedBy(loki, "StatefulSet", "loki", {
      containers: [{ name: "loki", image: "grafana/loki", securityContext: unconfined }],
    });
    assert.deepEqual(
      traced(
        checkSeccomp([sts.placed]),
        [loki],
        [
          "loki.memcachedExporter.containerSecurityContext.seccompProfile.type",
          "loki.loki.containerSecurityContext.seccompProfile.type",
        ],
      ),
      [[["chartValues.loki.loki.containerSecurityContext.seccompProfile.type"], undefined]],
    );
  });

  it("seccomp: Loki's two `exporter` containers, the caches' and the gateway's, each its own key's override, not the other's", async () => {
    const unconfined = { seccompProfile: { type: "Unconfined" } };
    const loki = helm("loki", "loki", "monitoring", {
      memcachedExporter: { containerSecurityContext: unconfined },
      gateway: { metrics: { containerSecurityContext: unconfined } },
    });
    // loki 18.11.0: the caches' exporter reads memcachedExporter.* (memcached/_memcached-statefulset.tpl:159),
    // the gateway's gateway.metrics.* (gateway/deployment.yaml:124); each pod's other container is fine.
    const exporter = { name: "exporter", image: "prom/exporter", securityContext: unconfined };
    const fine = { seccompProfile: { type: "RuntimeDefault" } };
    const cache = renderedBy(loki, "StatefulSet", "loki-chunks-cache", {
      containers: [{ name: "memcached", image: "memcached", securityContext: fine }, exporter],
    });
    const gateway = renderedBy(loki, "Deployment", "loki-gateway", {
      containers: [{ name: "nginx", image: "nginxinc/nginx-unprivileged", securityContext: fine }, exporter],
    });
    const overrides = [
      "loki.memcachedExporter.containerSecurityContext.seccompProfile.type",
      "loki.gateway.metrics.containerSecurityContext.seccompProfile.type",
    ];
    const own = [
      [["chartValues.loki.memcachedExporter.containerSecurityContext.seccompProfile.type"], undefined],
      [["chartValues.loki.gateway.metrics.containerSecurityContext.seccompProfile.type"], undefined],
    ];
    assert.deepEqual(traced(checkSeccomp([cache.placed, gateway.placed]), [loki], overrides), own);
    // The pack's violation, on the workload's URN, alike.
    const all = [
      stackInfo([{ name: "amd", arch: "amd64", count: 1 }]),
      loki,
      cache.resource,
      gateway.resource,
    ];
    const vs = (await evaluateResources(all, {})).filter((v) => v.policy === "seccomp-runtime-default");
    assert.deepEqual(traced(vs, all, overrides), own);
  });

  it("resource-name: each container's own misspelt name, not the sidecars' same misspelling", () => {
    const memroy = { limits: { memroy: "1Gi" } };
    const grafana = helm("grafana", "grafana", "monitoring", {
      resources: memroy,
      sidecar: { resources: memroy },
    });
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      containers: [
        { name: "grafana-sc-dashboard", image: "quay.io/kiwigrid/k8s-sidecar", resources: memroy },
        { name: "grafana", image: "grafana/grafana", resources: memroy },
      ],
    });
    assert.deepEqual(
      traced(
        checkResourceNames([dep.placed]).findings,
        [grafana],
        ["grafana.resources.limits.memroy", "grafana.sidecar.resources.limits.memroy"],
      ),
      [
        [["chartValues.grafana.sidecar.resources.limits.memroy"], undefined],
        [["chartValues.grafana.resources.limits.memroy"], undefined],
      ],
    );
  });

  it("pod-security: a pod's own seccompProfile is its target's podSecurityContext override, not another Loki target's", () => {
    const loki = helm("loki", "loki", "monitoring", {
      write: { podSecurityContext: { seccompProfile: { type: "Unconfined" } } },
      backend: { podSecurityContext: { seccompProfile: { type: "Localhost", localhostProfile: "x.json" } } },
    });
    const pod = (name: string, seccompProfile: Record<string, string>) =>
      renderedBy(loki, "StatefulSet", `loki-${name}`, {
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile },
        containers: [{ name, image: "grafana/loki" }],
      });
    const write = pod("write", { type: "Unconfined" });
    const backend = pod("backend", { type: "Localhost", localhostProfile: "x.json" });
    const ns = {
      obj: {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
          name: "monitoring",
          labels: {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/enforce-version": "v1.33",
          },
        },
      },
      urn: `${STACK}::kubernetes:core/v1:Namespace::monitoring`,
      source: "program",
    };
    const { findings } = checkPodSecurity([ns, write.placed, backend.placed]);
    assert.deepEqual(
      findings.map((f) => f.message),
      ["namespace monitoring enforces baseline, which refuses this pod: seccompProfile Unconfined"],
    );
    assert.deepEqual(
      traced(
        findings,
        [loki],
        [
          "loki.write.podSecurityContext.seccompProfile.type",
          "loki.backend.podSecurityContext.seccompProfile.type",
          "loki.backend.podSecurityContext.seccompProfile.localhostProfile",
        ],
      ),
      [[["chartValues.loki.write.podSecurityContext.seccompProfile.type"], undefined]],
    );
  });

  it("runs-as-root: the root container's own securityContext override, not the rules sidecar's", () => {
    const loki = helm("loki", "loki", "monitoring", {
      sidecar: { securityContext: { runAsUser: 0 } },
      loki: { containerSecurityContext: { runAsUser: 0 } },
    });
    // loki 18.11.0 templates/_pod.tpl: loki-sc-rules reads sidecar.securityContext (:338).
    const sts = renderedBy(loki, "StatefulSet", "loki", {
      securityContext: { runAsNonRoot: true, runAsUser: 10001 },
      containers: [
        { name: "loki", image: "grafana/loki", securityContext: { runAsUser: 0 } },
        { name: "loki-sc-rules", image: "kiwigrid/k8s-sidecar", securityContext: { runAsUser: 1000 } },
      ],
    });
    assert.deepEqual(
      traced(
        checkRoot([sts.placed], []),
        [loki],
        ["loki.sidecar.securityContext.runAsUser", "loki.loki.containerSecurityContext.runAsUser"],
      ),
      [[["chartValues.loki.loki.containerSecurityContext.runAsUser"], undefined]],
    );
  });

  it("runs-as-root: a Loki target's podSecurityContext override that replaced loki.podSecurityContext (and its runAsUser) whole", () => {
    const loki = helm("loki", "loki", "monitoring", {
      write: { podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } } },
      read: { podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } } },
    });
    // loki 18.11.0 templates/_pod.tpl:72: the pod's securityContext is the first non-empty of the
    // target's podSecurityContext, defaults.podSecurityContext and loki.podSecurityContext, so the
    // write pod runs with the override's map alone, without the runAsUser of loki's.
    const sts = renderedBy(loki, "StatefulSet", "loki-write", {
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [{ name: "write", image: "grafana/loki" }],
    });
    assert.deepEqual(
      traced(
        checkRoot([sts.placed], []),
        [loki],
        [
          "loki.write.podSecurityContext.seccompProfile.type",
          "loki.read.podSecurityContext.seccompProfile.type",
        ],
      ),
      [[["chartValues.loki.write.podSecurityContext.seccompProfile.type"], undefined]],
    );
  });

  it("arm64-images: the container's own image key, not another whose key ends in Image (Grafana's downloadDashboardsImage)", async () => {
    const values = {
      image: { repository: "someone/grafana-amd64" },
      downloadDashboardsImage: { repository: "someone/curl-amd64", tag: "1.0" },
    };
    const grafana = helm("grafana", "grafana", "monitoring", values);
    // grafana 12.3.1 templates/_pod.tpl: download-dashboards (:70) runs downloadDashboardsImage.
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      initContainers: [
        {
          name: "download-dashboards",
          image: "docker.io/someone/curl-amd64:1.0",
        },
      ],
      containers: [{ name: "grafana", image: "docker.io/someone/grafana-amd64:12.3.1" }],
    });
    const all = [stackInfo([{ name: "pi5", arch: "arm64", count: 3 }]), grafana, dep.resource];
    const vs = (await evaluateResources(all, {})).filter((v) => v.policy === "arm64-images");
    const overrides = ["grafana.image.repository", "grafana.downloadDashboardsImage.repository"];
    assert.deepEqual(
      vs.map((v) => /(\S+\.image) is/.exec(v.message)?.[1]),
      ["spec.template.spec.containers[0].image", "spec.template.spec.initContainers[0].image"],
    );
    assert.deepEqual(traced(vs, all, overrides), [
      [["chartValues.grafana.image.repository"], undefined],
      [["chartValues.grafana.downloadDashboardsImage.repository"], undefined],
    ]);
    // As a stack renders it: no `dashboards`, so no download-dashboards container; its key names
    // the image of no container, and is no cause of the grafana container's.
    const bare = renderedBy(grafana, "Deployment", "grafana", {
      containers: [{ name: "grafana", image: "docker.io/someone/grafana-amd64:12.3.1" }],
    });
    const stack = [all[0], grafana, bare.resource];
    const one = (await evaluateResources(stack, {})).filter((v) => v.policy === "arm64-images");
    assert.deepEqual(traced(one, stack, overrides), [[["chartValues.grafana.image.repository"], undefined]]);
  });

  it("image-pins: an unpinned chart image is the switch that turned its component on, not a securityContext override of the same pod", () => {
    const unconfined = { seccompProfile: { type: "Unconfined" } };
    const values = { chunksCache: { enabled: true }, memcached: { containerSecurityContext: unconfined } };
    const loki = helm("loki", "loki", "monitoring", values);
    // loki 18.11.0 templates/memcached/_memcached-statefulset.tpl: the cache's pod runs memcached
    // and exporter, neither image pinned by the program.
    const sts = renderedBy(loki, "StatefulSet", "loki-chunks-cache", {
      containers: [
        {
          name: "memcached",
          image: "docker.io/library/memcached:1.6.45-alpine",
          securityContext: unconfined,
        },
        {
          name: "exporter",
          image: "docker.io/prom/memcached-exporter:v0.17.0",
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
        },
      ],
    });
    const overrides = [
      "loki.chunksCache.enabled",
      "loki.memcached.containerSecurityContext.seccompProfile.type",
    ];
    const pins = checkImageDigests([sts.placed]).findings;
    assert.equal(pins.length, 2);
    const byTheSwitch = [["chartValues.loki.chunksCache.enabled"], undefined];
    assert.deepEqual(traced(pins, [loki], overrides), [byTheSwitch, byTheSwitch]);
    // Merged as synth merges them: the seccomp finding is the securityContext override's message,
    // the two images the switch's, each image a place of its own; neither is the other's.
    const seccomp = checkSeccomp([sts.placed]);
    const merged = mergeProblems([], [...seccomp, ...pins], { resources: [loki, sts.resource], overrides });
    const found = attributeOverrides(merged.findings, [loki, sts.resource], overrides);
    assert.deepEqual(
      found.map((f) => [f.check, f.overrides, f.alsoAt]),
      [
        [
          "image-pins",
          ["chartValues.loki.chunksCache.enabled"],
          [
            "[image-pins] StatefulSet monitoring/loki-chunks-cache (release loki): spec.template.spec.containers[1].image",
          ],
        ],
        ["seccomp", ["chartValues.loki.memcached.containerSecurityContext.seccompProfile.type"], []],
      ],
    );
  });

  it("a switch is named for its component's objects only: gateway.enabled is no cause of what loki-index-gateway lacks", () => {
    // Distributed mode: indexGateway.podSecurityContext written whole replaces the chart's default
    // (runAsUser with it, templates/_pod.tpl:72), so it is the cause; the gateway's switch turned on
    // loki-gateway, whose name is no part of loki-index-gateway's.
    const loki = helm("loki", "loki", "monitoring", {
      gateway: { enabled: true },
      indexGateway: { podSecurityContext: { seccompProfile: { type: "RuntimeDefault" } } },
    });
    const sts = renderedBy(loki, "StatefulSet", "loki-index-gateway", {
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [{ name: "index-gateway", image: "docker.io/grafana/loki:3.6.3" }],
    });
    const overrides = ["loki.gateway.enabled", "loki.indexGateway.podSecurityContext.seccompProfile.type"];
    const root = checkRoot([sts.placed], []);
    assert.equal(root.length, 1);
    assert.deepEqual(traced(root, [loki], overrides), [
      [["chartValues.loki.indexGateway.podSecurityContext.seccompProfile.type"], undefined],
    ]);
  });

  it("resource-budget: a replica count past the nodes is its replicas override, of the workload the message names, not a label naming the pool", async () => {
    const labels = { app: "db" };
    /** Chart `chart`'s release with `values`, rendering a StatefulSet of 3 replicas one to a node. */
    const crowded = async (chart: string, values: Record<string, unknown>, overrides: string[]) => {
      const rel = helm(chart, chart, "monitoring", values);
      const sts = renderedBy(rel, "StatefulSet", chart, {
        containers: [{ name: "c", image: "grafana/loki", resources: { requests: { memory: "128Mi" } } }],
        affinity: {
          podAntiAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" },
            ],
          },
        },
      });
      const spec = sts.obj.spec as Record<string, any>;
      spec.replicas = 3;
      spec.template.metadata = { labels };
      const all = [stackInfo([{ name: "nuc", arch: "amd64", count: 2 }]), rel, sts.resource];
      const vs = (await evaluateResources(all, {})).filter(
        (v) => v.policy === "resource-budget" && /would stay Pending/.test(v.message),
      );
      return traced(vs, all, overrides);
    };
    // A chart the pack does not know: its replica count is named by no key, and `replicaCount` is
    // the usual chart's key for it.
    assert.deepEqual(
      await crowded("db", { replicaCount: 3, podLabels: { pool: "nuc" } }, [
        "db.replicaCount",
        "db.podLabels.pool",
      ]),
      [[["chartValues.db.replicaCount"], undefined]],
    );
    // Of singleBinary's overrides, each the rule judged is a cause: its replicas, and what places
    // its pods (the anti-affinity the message names, the pool its nodeSelector picks); not write's.
    assert.deepEqual(
      await crowded(
        "loki",
        {
          singleBinary: { replicas: 3, affinity: { x: 1 }, nodeSelector: { pool: "nuc" } },
          write: { replicas: 2 },
        },
        [
          "loki.singleBinary.replicas",
          "loki.singleBinary.affinity",
          "loki.singleBinary.nodeSelector",
          "loki.write.replicas",
        ],
      ),
      [
        [
          [
            "chartValues.loki.singleBinary.replicas",
            "chartValues.loki.singleBinary.affinity",
            "chartValues.loki.singleBinary.nodeSelector",
          ],
          undefined,
        ],
      ],
    );
    // Loki's StatefulSet is singleBinary's (the message names its key): not write's replicas.
    assert.deepEqual(
      await crowded("loki", { singleBinary: { replicas: 3 }, write: { replicas: 2 } }, [
        "loki.singleBinary.replicas",
        "loki.write.replicas",
      ]),
      [[["chartValues.loki.singleBinary.replicas"], undefined]],
    );
  });
  it("resource-budget: a pod larger than every node it may land on is its requests override, not a label naming the pool", async () => {
    const values = { resources: { requests: { memory: "9Gi" } }, podLabels: { pool: "nuc" } };
    const app = helm("app", "app", "monitoring", values);
    const dep = renderedBy(app, "Deployment", "app", {
      containers: [{ name: "app", image: "someone/app:1.0", resources: { requests: { memory: "9Gi" } } }],
    });
    const all = [stackInfo([{ name: "nuc", arch: "amd64", count: 2 }]), app, dep.resource];
    const vs = (await evaluateResources(all, {})).filter(
      (v) => v.policy === "resource-budget" && /each pod requests more than one node holds/.test(v.message),
    );
    assert.deepEqual(traced(vs, all, ["app.resources.requests.memory", "app.podLabels.pool"]), [
      [["chartValues.app.resources.requests.memory"], undefined],
    ]);
  });

  it("named-port: a probe's undeclared port is its probe override and its container's, not a pod annotation whose value is a word of the message", () => {
    const probe = { httpGet: { path: "/api/health", port: "http" } };
    const values = {
      readinessProbe: probe,
      podAnnotations: { note: "declare" },
      sidecar: { readinessProbe: probe },
    };
    const grafana = helm("grafana", "grafana", "monitoring", values);
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      containers: [
        {
          name: "grafana-sc-dashboard",
          image: "quay.io/kiwigrid/k8s-sidecar",
          ports: [{ name: "sc", containerPort: 8080 }],
        },
        {
          name: "grafana",
          image: "grafana/grafana",
          ports: [{ name: "grafana", containerPort: 3000 }],
          readinessProbe: probe,
        },
      ],
    });
    const { findings } = checkNamedPorts([dep.placed]);
    assert.match(findings[0].message, /does not declare/);
    assert.deepEqual(
      traced(
        findings,
        [grafana],
        [
          "grafana.readinessProbe.httpGet.port",
          "grafana.podAnnotations.note",
          "grafana.sidecar.readinessProbe.httpGet.port",
        ],
      ),
      [[["chartValues.grafana.readinessProbe.httpGet.port"], undefined]],
    );
  });

  /** Grafana's release with `values`, its Deployment declaring port `portName` (grafana 12.3.1 `podPortName`) and its image renderer's. */
  const grafanaPorts = (values: Record<string, unknown>, portName: string) => {
    const grafana = helm("grafana", "grafana", "monitoring", values);
    const dep = renderedBy(grafana, "Deployment", "grafana", {
      containers: [
        { name: "grafana", image: "grafana/grafana", ports: [{ name: portName, containerPort: 3000 }] },
      ],
    });
    const renderer = renderedBy(grafana, "Deployment", "grafana-image-renderer", {
      containers: [
        {
          name: "grafana-image-renderer",
          image: "grafana/grafana-image-renderer",
          ports: [{ name: "ui", containerPort: 8081 }],
        },
      ],
    });
    for (const [w, app] of [
      [dep, "grafana"],
      [renderer, "image-renderer"],
    ] as const)
      Object.assign(w.obj.spec.template.metadata, { labels: { app } });
    // As synth places a release's objects: by the release's URN (checks/objects.ts Placed).
    const placed = (w: typeof dep) => ({ ...w, placed: { ...w.placed, urn: grafana.urn } });
    return { grafana, dep: placed(dep), renderer: placed(renderer) };
  };
  /** An object of the program's own (not a release's), as synth places it. */
  const program = (obj: Record<string, any>): Placed => ({
    obj: obj as K8sObject,
    urn: `${STACK}::kubernetes:${obj.apiVersion}:${obj.kind}::${obj.metadata.name}`,
    source: `resource ${obj.metadata.name}`,
  });

  it("named-port: a NetworkPolicy's port no pod declares is the override naming the pods' ports, not an annotation or another container's port whose value is a word of the message", () => {
    // grafana 12.3.1: podPortName names the grafana container's port (templates/_pod.tpl:1394), the
    // image renderer's is imageRenderer.service.portName (image-renderer-deployment.yaml:87).
    const values = {
      podPortName: "web",
      podAnnotations: { note: "admits" },
      imageRenderer: { service: { portName: "ui" } },
    };
    const { grafana, dep, renderer } = grafanaPorts(values, "web");
    const policy = program({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "grafana", namespace: "monitoring" },
      spec: { podSelector: { matchLabels: { app: "grafana" } }, ingress: [{ ports: [{ port: "ui" }] }] },
    });
    const { findings } = checkNamedPorts([dep.placed, renderer.placed, policy]);
    assert.match(
      findings[0].message,
      /^ingress rule 0 admits port "ui", which none of the pods it selects declares/,
    );
    assert.deepEqual(
      traced(
        findings,
        [grafana],
        ["grafana.podPortName", "grafana.podAnnotations.note", "grafana.imageRenderer.service.portName"],
      ),
      [[["chartValues.grafana.podPortName"], undefined]],
    );
  });

  it("named-port: a Service's targetPort, a monitor's endpoint ports: the overrides writing the ports judged, not a label whose value is a word of the message", () => {
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "grafana", namespace: "monitoring", labels: { app: "grafana" } },
      spec: { selector: { app: "grafana" }, ports: [{ name: "web", port: 80, targetPort: "grafana" }] },
    };
    const { grafana, dep } = grafanaPorts(
      { podPortName: "web", service: { portName: "web" }, podLabels: { role: "target", tier: "endpoint" } },
      "web",
    );
    const overrides = [
      "grafana.podPortName",
      "grafana.service.portName",
      "grafana.podLabels.role",
      "grafana.podLabels.tier",
    ];
    const svc = { obj: service, urn: grafana.urn, source: "release grafana" };
    const monitor = (kind: string, spec: Record<string, unknown>) =>
      program({
        apiVersion: "monitoring.coreos.com/v1",
        kind,
        metadata: { name: "grafana", namespace: "monitoring" },
        spec,
      });
    const targets = checkNamedPorts([dep.placed, svc]).findings;
    assert.match(
      targets[0].message,
      /targets "grafana", which Deployment monitoring\/grafana .* does not declare/,
    );
    assert.deepEqual(traced(targets, [grafana], overrides), [
      [["chartValues.grafana.podPortName"], undefined],
    ]);
    // The endpoint's port is the Service's (grafana 12.3.1 templates/service.yaml:58, service.portName).
    const byService = checkNamedPorts([
      dep.placed,
      {
        ...svc,
        obj: { ...service, spec: { ...service.spec, ports: [{ name: "web", port: 80, targetPort: "web" }] } },
      },
      monitor("ServiceMonitor", {
        selector: { matchLabels: { app: "grafana" } },
        endpoints: [{ port: "service" }, { targetPort: "grafana" }],
      }),
      monitor("PodMonitor", {
        selector: { matchLabels: { app: "grafana" } },
        podMetricsEndpoints: [{ port: "grafana" }],
      }),
    ]).findings;
    assert.deepEqual(
      byService.map((f) => f.message.slice(0, 32)),
      [
        'endpoint port "service" is no po',
        'endpoint targetPort "grafana" is',
        'podMetricsEndpoint port "grafana',
      ],
    );
    assert.deepEqual(traced(byService, [grafana], overrides), [
      [["chartValues.grafana.service.portName"], undefined],
      [["chartValues.grafana.podPortName"], undefined],
      [["chartValues.grafana.podPortName"], undefined],
    ]);
  });

  it("named-port: a port only a switched-off component's pods declared is that switch's, not an annotation's; one pod's own port is no switch's", () => {
    // loki 18.11.0: gateway.enabled false renders no loki-gateway, whose pods declared the port the
    // rule admits; the pods left declare others. The annotation's value is the port's name.
    const values = { gateway: { enabled: false }, podAnnotations: { note: "http" } };
    const loki = helm("loki", "loki", "monitoring", values);
    const sts = renderedBy(loki, "StatefulSet", "loki", {
      containers: [
        { name: "loki", image: "grafana/loki", ports: [{ name: "http-metrics", containerPort: 3100 }] },
      ],
    });
    Object.assign(sts.obj.spec.template.metadata, { labels: { "app.kubernetes.io/instance": "loki" } });
    const placed = { ...sts.placed, urn: loki.urn };
    const policy = lokiIngress("http", { "app.kubernetes.io/instance": "loki" });
    // The pod's own targetPort: a pod that is there lacks it, whatever was switched off.
    const service: Placed = {
      obj: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "loki", namespace: "monitoring" },
        spec: {
          selector: { "app.kubernetes.io/instance": "loki" },
          ports: [{ name: "grpc", port: 9095, targetPort: "grpc" }],
        },
      },
      urn: loki.urn,
      source: "release loki",
    };
    const { findings } = checkNamedPorts([placed, policy, service]);
    assert.deepEqual(
      findings.map((f) => f.message.slice(0, 30)),
      ['ingress rule 0 admits port "ht', 'port grpc targets "grpc", whic'],
    );
    const overrides = ["loki.gateway.enabled", "loki.podAnnotations.note"];
    assert.deepEqual(traced(findings, [loki], overrides), [
      [["chartValues.loki.gateway.enabled"], undefined],
      [undefined, undefined],
    ]);
    // Two switches off, the rule's selector covering the whole release (issue 51): the gateway's
    // templates declare `http`, the canary's only `http-metrics` (loki 18.11.0
    // templates/loki-canary/daemonset.yaml), so the gateway's switch alone is named, not "one of
    // these" with the canary's.
    const both = helm("loki", "loki", "monitoring", { ...values, lokiCanary: { enabled: false } });
    assert.deepEqual(traced(findings.slice(0, 1), [both], [...overrides, "loki.lokiCanary.enabled"]), [
      [["chartValues.loki.gateway.enabled"], undefined],
    ]);
    // The canary's switch alone is no cause of a port its pods never declared: none is named.
    const canary = helm("loki", "loki", "monitoring", { lokiCanary: { enabled: false } });
    assert.deepEqual(traced(findings.slice(0, 1), [canary], ["loki.lokiCanary.enabled"]), [
      [undefined, undefined],
    ]);
    // Nor is a switch of no component's pods, whose templates name no ports of it.
    const dashboards = helm("loki", "loki", "monitoring", { monitoring: { dashboards: { enabled: false } } });
    assert.deepEqual(traced(findings.slice(0, 1), [dashboards], ["loki.monitoring.dashboards.enabled"]), [
      [undefined, undefined],
    ]);
  });

  it("named-port: a switch whose component's ports a chart helper writes is not ruled out, so another switch is not named as the cause alone", () => {
    // loki 18.11.0: the chunks cache's StatefulSet is written whole by a helper
    // (templates/chunks-cache/statefulset.yaml: include "loki.memcached.statefulSet"), whose
    // exporter declares `http-metrics` (templates/memcached/_memcached-statefulset.tpl), as the
    // canary's pods do: with both switched off, either took the port away.
    const values = { lokiCanary: { enabled: false }, chunksCache: { enabled: false } };
    const loki = helm("loki", "loki", "monitoring", values);
    const sts = renderedBy(loki, "StatefulSet", "loki", {
      containers: [{ name: "loki", image: "grafana/loki", ports: [{ name: "grpc", containerPort: 9095 }] }],
    });
    Object.assign(sts.obj.spec.template.metadata, { labels: { "app.kubernetes.io/instance": "loki" } });
    const policy = lokiIngress("http-metrics", { "app.kubernetes.io/instance": "loki" });
    const { findings } = checkNamedPorts([{ ...sts.placed, urn: loki.urn }, policy]);
    assert.deepEqual(
      findings.map((f) => f.message.slice(0, 40)),
      ['ingress rule 0 admits port "http-metrics'],
    );
    assert.deepEqual(traced(findings, [loki], ["loki.lokiCanary.enabled", "loki.chunksCache.enabled"]), [
      [["chartValues.loki.lokiCanary.enabled", "chartValues.loki.chunksCache.enabled"], true],
    ]);
  });

  it("named-port: a switch whose component the rule's selector would not pick is no cause of the port it lacks", () => {
    // loki 18.11.0 labels each component's pods app.kubernetes.io/component (`canary` for
    // lokiCanary, `gateway`): a rule on the single-binary pods never reached theirs.
    const at = (values: Record<string, unknown>) => helm("loki", "loki", "monitoring", values);
    const labels = { "app.kubernetes.io/instance": "loki", "app.kubernetes.io/component": "single-binary" };
    const sts = renderedBy(at({}), "StatefulSet", "loki", {
      containers: [
        { name: "loki", image: "grafana/loki", ports: [{ name: "http-metrics", containerPort: 3100 }] },
      ],
    });
    Object.assign(sts.obj.spec.template.metadata, { labels });
    const policy = (matchLabels: Record<string, string>) => lokiIngress("http", matchLabels);
    const traceOff = (key: string, matchLabels: Record<string, string>) => {
      const loki = at({ [key]: { enabled: false } });
      const { findings } = checkNamedPorts([{ ...sts.placed, urn: loki.urn }, policy(matchLabels)]);
      assert.equal(findings.length, 1);
      return traced(findings, [loki], [`loki.${key}.enabled`]);
    };
    for (const key of ["lokiCanary", "gateway"])
      assert.deepEqual(traceOff(key, labels), [[undefined, undefined]], key);
    // A rule on every pod of the release would have reached the gateway's: the switch is named.
    assert.deepEqual(traceOff("gateway", { "app.kubernetes.io/instance": "loki" }), [
      [["chartValues.loki.gateway.enabled"], undefined],
    ]);
  });
});
