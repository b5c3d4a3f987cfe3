import { strict as assert } from "assert";
import type { ExportedResource } from "../../policy/evaluate";
import {
  attributeOverrides,
  formatMergedFindings,
  formatMergedViolations,
  formatRenderError,
  idleOverrideWarning,
  mergeProblems,
  mergeRenderErrors,
  overridesWithoutRelease,
  overridesOfUnrunLokiTargets,
  unrunTargetOverrideWarning,
  type MergedFinding,
  type MergedViolation,
} from "../../synth/report";
import { RENDERED_KEY } from "@homelab-observability/contract";
import { versions } from "../../model/versions";
import { check, release, stackInfo, workload } from "../support/policyCases";
import { stringify } from "yaml";
import { checkAlertmanagerConfigs } from "../../checks/alertmanagerConfigs";
import { checkHostPorts } from "../../checks/hostPorts";
import { checkAddresses } from "../../checks/addresses";

/*
 * A refused chart values override names its `chartValues.<chart>.<path>` key (synth/report.ts
 * attributeOverrides, mergeRenderErrors): a report on a release's values, its rendered objects, its
 * workloads' budget or its render is a consequence of that release's values.
 */

/** A release `name` of `chart` in `namespace`, with `values`. */
function rel(chart: string, name: string, namespace: string, values: Record<string, unknown> = {}) {
  const r = release(chart, values);
  return {
    ...r,
    urn: `${r.urn.slice(0, r.urn.lastIndexOf("::"))}::${name}-${namespace}`,
    inputs: { ...r.inputs, name, namespace },
  };
}

/** A rendered Deployment of `r` (synth/render/objects.ts withRenderedObjects' URN). */
function deployment(r: ExportedResource, name: string, namespace: string): ExportedResource {
  const cut = r.urn.lastIndexOf("::");
  const type = "kubernetes:apps/v1:Deployment";
  return {
    urn: `${r.urn.slice(0, cut)}$${type}::${r.urn.slice(cut + 2)}/${namespace}/${name}`,
    type,
    custom: true,
    inputs: {},
    parent: r.urn,
  };
}

describe("a refused chart values override names its key", () => {
  const grafana = rel("grafana", "grafana", "monitoring", {
    global: { imageRegistry: "docker.io" },
    image: { repository: "grafana/grafana-oss" },
    resources: { requests: { memory: "20Gi" } },
  });
  const overrides = [
    "grafana.global.imageRegistry",
    "grafana.image.repository",
    "grafana.resources.requests.memory",
  ];

  it("a finding quoting an override's value names that override", () => {
    const [f] = attributeOverrides(
      [
        {
          check: "image-pins",
          where: "Deployment monitoring/grafana (release grafana)",
          message: "image docker.io/grafana/grafana-oss:12.3.1 is not pinned in model/versions.ts (images)",
          alsoAt: [],
        },
      ] as MergedFinding[],
      [grafana],
      overrides,
    );
    assert.deepEqual(f.overrides, [
      "chartValues.grafana.global.imageRegistry",
      "chartValues.grafana.image.repository",
    ]);
  });

  it("an override that other rules refuse too says it is the one fix of every place, the first line's advice its rule's alone", () => {
    const v: MergedViolation = {
      policy: "arm64-images",
      level: "mandatory",
      message: 'Deployment grafana can run on pool pi5: add "docker.io/bitnami/grafana" to arm64Images',
      alsoAt: ["[image-pins] Deployment monitoring/grafana (release grafana)"],
      overrides: ["chartValues.grafana.image.repository"],
    };
    const text = formatMergedViolations([v]);
    assert.match(
      text,
      /from the stack's chart values override chartValues\.grafana\.image\.repository: change or remove it in the stack file \(that clears every place above; the first line's own advice answers arm64-images alone, not image-pins\)$/,
    );
    // Places of the same rule only: its advice is every place's.
    const same = formatMergedViolations([{ ...v, alsoAt: ["[arm64-images] Deployment monitoring/other"] }]);
    assert.match(same, /change or remove it in the stack file$/);
  });

  it("a budget violation on a workload the release rendered names the release's override", () => {
    const pod = deployment(grafana, "grafana", "monitoring");
    const [v] = attributeOverrides(
      [
        {
          policy: "resource-budget",
          level: "mandatory",
          urn: pod.urn,
          message:
            "Deployment grafana (20528Mi of memory): each pod requests more than one node holds beside the DaemonSets' pods on it (pool workers: 8192Mi of memory per node), so it would stay Pending (a pod runs on one node). Set `nodePools[0].memory` to at least 20528Mi, or lower its requests (Deployment grafana: chartValues.grafana.resources.requests.memory).",
          alsoAt: [],
        },
      ] as MergedViolation[],
      [grafana, pod],
      overrides,
    );
    assert.ok(v.overrides?.includes("chartValues.grafana.resources.requests.memory"), JSON.stringify(v));
  });

  // Round forty-four: example with vmsingle.spec.resources.limits.memory: 100Mi got two messages, the
  // resource-request finding on the VMSingle and this violation with no key under it: the pack names
  // the workload by the custom resource (`vm`), which no apps/v1 object of the release is.
  it("a budget violation on a workload an operator runs from the release's custom resource names the release's override", () => {
    const vm = rel("victoria-metrics-k8s-stack", "vm", "monitoring", {
      vmsingle: { spec: { resources: { limits: { memory: "100Mi" } }, securityContext: { runAsUser: 0 } } },
    });
    const cut = vm.urn.lastIndexOf("::");
    const type = "kubernetes:operator.victoriametrics.com/v1beta1:VMSingle";
    const single = {
      urn: `${vm.urn.slice(0, cut)}$${type}::${vm.urn.slice(cut + 2)}/monitoring/vm`,
      type,
      custom: true,
      inputs: {},
      parent: vm.urn,
    };
    const [v] = attributeOverrides(
      [
        {
          policy: "resource-budget",
          level: "mandatory",
          message:
            "vm: sized for the profile (request 1024Mi, limit 1024Mi of memory), but its pods request 1024Mi and are limited to 100Mi; the program sizes it from upstream's capacity rules (contract/sizing.ts).",
          alsoAt: [],
        },
      ] as MergedViolation[],
      [vm, single],
      [
        "victoria-metrics-k8s-stack.vmsingle.spec.resources.limits.memory",
        "victoria-metrics-k8s-stack.vmsingle.spec.securityContext.runAsUser",
      ],
    );
    assert.deepEqual(v.overrides, [
      "chartValues.victoria-metrics-k8s-stack.vmsingle.spec.resources.limits.memory",
    ]);
  });

  // The list of node selector terms is the override's whole value: the message quoting what is in
  // its items was said as "if it is the cause", though nothing but the override selects amd64.
  it("a message quoting the values inside an override's list of maps names that override as the cause", () => {
    const terms = [{ matchExpressions: [{ key: "kubernetes.io/arch", operator: "In", values: ["amd64"] }] }];
    const g = rel("grafana", "grafana", "monitoring", {
      affinity: {
        nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
      },
      replicas: 1,
    });
    const pods = deployment(g, "grafana", "monitoring");
    const [v] = attributeOverrides(
      [
        {
          policy: "resource-budget",
          level: "mandatory",
          urn: pods.urn,
          message:
            "the required node affinity kubernetes.io/arch In amd64 of grafana: `nodePools[0].labels` (pool pi5): its labels (kubernetes.io/arch=arm64) do not satisfy it: no node of the pool admits grafana, so it would stay Pending.",
          alsoAt: [],
        },
      ] as MergedViolation[],
      [g, pods],
      [
        "grafana.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
        "grafana.replicas",
      ],
    );
    assert.deepEqual(
      [v.overrides, v.overridesUnsure],
      [
        [
          "chartValues.grafana.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms",
        ],
        undefined,
      ],
    );
  });

  it("a stack policy's violation on a Namespace names the overrides of the release its message names", () => {
    const cluster = rel("alloy", "alloy-cluster", "monitoring", { controller: { type: "daemonset" } });
    const ns = {
      urn: "urn:pulumi:s::homelab-observability::homelab:core:Namespace$kubernetes:core/v1:Namespace::namespace",
      type: "kubernetes:core/v1:Namespace",
      custom: true,
      inputs: {},
    };
    const name = cluster.urn.slice(cluster.urn.lastIndexOf("::") + 2);
    const [v] = attributeOverrides(
      [
        {
          policy: "pod-security-levels",
          level: "mandatory",
          urn: ns.urn,
          message: `kubernetes:core/v1:Namespace "namespace": enforces baseline, which refuses the pods of kubernetes:helm.sh/v3:Release "${name}" (host paths or host network); run node agents in a namespace enforcing privileged.`,
          alsoAt: [],
        },
      ] as MergedViolation[],
      [ns, cluster, grafana],
      ["alloy.controller.type", ...overrides],
    );
    assert.deepEqual([v.overrides, v.overridesUnsure], [["chartValues.alloy.controller.type"], true]);
  });

  it("two releases of one name in two namespaces: the finding's namespace picks the release", () => {
    const old = rel("prometheus-node-exporter", "node-exporter", "monitoring");
    const next = rel("node-exporter-next", "node-exporter", "monitoring-agents");
    const [f] = attributeOverrides(
      [
        {
          check: "pod-security",
          where: "DaemonSet monitoring-agents/node-exporter (release node-exporter)",
          message: "hostPID: true",
          alsoAt: [],
        },
      ] as MergedFinding[],
      [old, next],
      ["prometheus-node-exporter.x", "node-exporter-next.hostPID"],
    );
    assert.deepEqual(f.overrides, ["chartValues.node-exporter-next.hostPID"]);
  });

  it("a metric its emitter's release does not emit names that release's overrides, as one of these", () => {
    const ne = rel("prometheus-node-exporter", "node-exporter", "monitoring", {
      extraArgs: ["--collector.systemd"],
    });
    const [f] = attributeOverrides(
      [
        {
          check: "emitted-metrics",
          where: "rule PrometheusRule homelab-nodes/node-inotify/NodeInotifyMaxUserWatchesLow",
          message:
            "node_sysctl_fs_inotify_max_user_watches comes from node-exporter (sysctl collector, off by default), which this stack does not run (needs node-exporter-sysctl:fs.inotify.max_user_watches)",
          alsoAt: [],
        },
      ] as MergedFinding[],
      [ne],
      ["prometheus-node-exporter.extraArgs"],
    );
    assert.deepEqual(f.overrides, ["chartValues.prometheus-node-exporter.extraArgs"]);
    assert.equal(f.overridesUnsure, true);
  });

  it("one bad value failing three releases of a chart is one render error naming each, and the key", () => {
    const a = rel("alloy", "alloy", "monitoring", { image: "grafana/alloy:v1.12.0" });
    const b = rel("alloy", "alloy", "monitoring-agents", { image: "grafana/alloy:v1.12.0" });
    const c = rel("alloy", "alloy-cluster", "monitoring", { image: "grafana/alloy:v1.12.0" });
    const err = (t: string) =>
      `Error: template: alloy/templates/controllers/${t}.yaml:8:8: executing "x" at <include "alloy.labels" .>: error calling include: at <.Values.image.digest>: can't evaluate field digest in type interface {}`;
    const failed = [
      {
        resourceUrn: a.urn,
        releaseName: "alloy",
        namespace: "monitoring",
        chart: "alloy",
        version: "1.5.0",
        error: err("daemonset"),
      },
      {
        resourceUrn: b.urn,
        releaseName: "alloy",
        namespace: "monitoring-agents",
        chart: "alloy",
        version: "1.5.0",
        error: err("daemonset"),
      },
      {
        resourceUrn: c.urn,
        releaseName: "alloy-cluster",
        namespace: "monitoring",
        chart: "alloy",
        version: "1.5.0",
        error: err("deployment"),
      },
    ];
    const merged = mergeRenderErrors(failed, [a, b, c], ["alloy.image"]);
    assert.equal(merged.length, 1);
    assert.deepEqual(merged[0].releases, [
      "monitoring/alloy",
      "monitoring-agents/alloy",
      "monitoring/alloy-cluster",
    ]);
    assert.match(formatRenderError(merged[0]), /override chartValues\.alloy\.image: change or remove it/);
    // The same override read at another path (Helm stopped in another template) is the same mistake.
    const other = {
      ...failed[2],
      error: failed[2].error.replace(".Values.image.digest", ".Values.image.tag"),
    };
    assert.equal(mergeRenderErrors([...failed.slice(0, 2), other], [a, b, c], ["alloy.image"]).length, 1);
    // Without the override to tell, only byte-identical messages are one.
    assert.equal(mergeRenderErrors(failed, [a, b, c], []).length, 2);
  });

  it("an override of a chart no release installs is said, not in force", () => {
    assert.deepEqual(overridesWithoutRelease([grafana], ["grafana.replicas", "vector.podAnnotations.a"]), [
      "vector.podAnnotations.a",
    ]);
  });

  it("an override of a Loki target the mode renders no pod of is said, not in force; the targets' replica counts are the pack's", () => {
    const loki = rel("loki", "loki", "monitoring", { deploymentMode: "Monolithic" });
    const overrides = [
      "loki.read.resources.requests.cpu",
      "loki.write.persistence.size",
      "loki.write.replicas",
      "loki.singleBinary.resources.requests.cpu",
      "loki.ingester.resources",
      "loki.loki.limits_config.max_query_series",
      "grafana.read.x",
    ];
    const unrun = overridesOfUnrunLokiTargets([loki], overrides);
    assert.deepEqual(
      unrun.map((u) => u.override),
      ["loki.read.resources.requests.cpu", "loki.write.persistence.size", "loki.ingester.resources"],
    );
    const at = (key: string) =>
      ({
        "loki.mode": "Pulumi.production.yaml:40",
        "chartValues.loki.read.resources.requests.cpu": "Pulumi.production.yaml:49",
      })[key];
    assert.equal(
      unrunTargetOverrideWarning(unrun[0], at),
      'chartValues.loki.read.resources.requests.cpu (Pulumi.production.yaml:49): loki.mode is "Monolithic" (Pulumi.production.yaml:40), which renders no read pod (the loki chart renders read in SimpleScalable and Monolithic<->SimpleScalable only); the override changes nothing: remove it',
    );
    // The transitional mode renders both sides: nothing of theirs is idle.
    const both = rel("loki", "loki", "monitoring", { deploymentMode: "Monolithic<->SimpleScalable" });
    assert.deepEqual(
      overridesOfUnrunLokiTargets([both], overrides).map((u) => u.override),
      ["loki.ingester.resources"],
    );
  });

  it("the warning for an override of a chart not installed names the key that leaves it out, at its line, and setting it", () => {
    const at = (key: string) => (key === "logAgent" ? "Pulumi.pi.yaml:11" : undefined);
    assert.equal(
      idleOverrideWarning(
        "vector.resources.limits.memory",
        [{ key: "logAgent", value: "alloy", runsUnder: ["vector"] }],
        at,
      ),
      "chartValues.vector.resources.limits.memory: no release of chart vector is in this stack: logAgent is alloy (Pulumi.pi.yaml:11); the override changes nothing: remove it, set logAgent: vector, or move it to a stack that runs the chart",
    );
    // A key the file leaves to its profile names the profile, at its line, and both ways.
    assert.equal(
      idleOverrideWarning(
        "vector.podAnnotations.a",
        [
          {
            key: "logAgent",
            value: "alloy",
            runsUnder: ["vector"],
            byProfile: { value: "standard", runsUnder: ["lightweight"] },
          },
        ],
        (key) => (key === "profile" ? "Pulumi.s.yaml:4" : undefined),
      ),
      "chartValues.vector.podAnnotations.a: no release of chart vector is in this stack: logAgent is alloy, the default of profile standard (Pulumi.s.yaml:4); the override changes nothing: remove it, set logAgent: vector, set profile: lightweight, or move it to a stack that runs the chart",
    );
    assert.match(
      idleOverrideWarning("kube-prometheus-stack.a", [
        { key: "phase", value: "kps-removed", runsUnder: ["loki-fixed", "dual-write", "backend-primary"] },
      ]),
      /: phase is kps-removed; .*set phase: loki-fixed, dual-write or backend-primary, or move it/,
    );
    // No key brings the chart back: the override's own ways out, no key blamed.
    assert.equal(
      idleOverrideWarning("alertmanager.replicaCount", []),
      "chartValues.alertmanager.replicaCount: no release of chart alertmanager is in this stack; the override changes nothing: remove it, or move it to a stack that runs the chart",
    );
  });

  it("a pool over budget names the overrides that raise the requests of that pool's releases, as maybe the cause", () => {
    const pools = stackInfo([
      { name: "node", arch: "amd64" },
      { name: "pi", arch: "arm64" },
    ]);
    // Judged by their rendered objects, as synth judges them (the chart's model counts none of its own).
    const rendered = (r: ExportedResource) => ({ ...r, inputs: { ...r.inputs, [RENDERED_KEY]: 1 } });
    const loki = rendered(rel("loki", "loki", "monitoring", { singleBinary: { replicas: 3 } }));
    const graf = rendered(grafana);
    /** A rendered Deployment of `r` requesting `memory`, on the pool of `arch`. */
    const pod = (r: ExportedResource, name: string, arch: string, memory: string): ExportedResource => {
      const w = workload("Deployment", name, {
        nodeSelector: { "kubernetes.io/arch": arch },
        containers: [{ name, image: `${name}:1`, resources: { requests: { memory, cpu: "100m" } } }],
      });
      return { ...deployment(r, name, "monitoring"), inputs: w.inputs };
    };
    const resources = [
      pools,
      graf,
      pod(graf, "grafana", "amd64", "6Gi"),
      loki,
      pod(loki, "loki", "arm64", "1Gi"),
    ];
    const message = (pool: string) =>
      `pool ${pool}: memory requests 20480Mi are 250.0% of its capacity, above the 80.0% budget. The profile is already lightweight: add nodes or larger ones (\`nodePools\`), or declare a smaller workload (\`workload.*\`).`;
    const [node, pi] = attributeOverrides(
      ["node", "pi"].map((pool) => ({
        policy: "resource-budget",
        level: "mandatory",
        message: message(pool),
        alsoAt: [],
      })) as MergedViolation[],
      resources,
      [...overrides, "loki.singleBinary.replicas"],
    );
    // Not the image overrides of Grafana, nor Loki's replicas in the other pool.
    assert.deepEqual(
      [node.overrides, node.overridesUnsure],
      [["chartValues.grafana.resources.requests.memory"], true],
    );
    assert.deepEqual(pi.overrides, ["chartValues.loki.singleBinary.replicas"]);
    assert.equal(
      formatMergedViolations([node]).split("\n")[1],
      "      the requests counted here include the stack's chart values override chartValues.grafana.resources.requests.memory, which raises them: if it is the cause, lower or remove it in the stack file rather than add nodes",
    );
  });
});

describe("a pack message on values the stack file sets names them as its keys", () => {
  // The user edits the stack file: `values.` is no key of it. What it sets, and where the advice
  // about it writes, are named as the "from the stack's chart values override" line names them.
  const judged = async (policy: string, values: Record<string, unknown>, overrides: string[]) => {
    const loki = rel("loki", "loki", "monitoring", values);
    const found = await check([loki], policy);
    return attributeOverrides(
      found.map((v): MergedViolation => ({ ...v, alsoAt: [] })),
      [loki],
      overrides,
    );
  };
  it("loki-retention-needs-delete-store: the store the override nulled is set at its chartValues key", async () => {
    const [v] = await judged(
      "loki-retention-needs-delete-store",
      { loki: { compactor: { retention_enabled: true, delete_request_store: null } } },
      ["loki.loki.compactor.delete_request_store"],
    );
    // retention_enabled is the program's (no key of the stack file holds it): a values path still.
    assert.match(
      v.message,
      /: values\.loki\.compactor\.retention_enabled is true but delete_request_store is missing; .*\. Set chartValues\.loki\.loki\.compactor\.delete_request_store to the schema's object_store \(e\.g\. "s3"\)\.$/,
    );
    assert.deepEqual(v.overrides, ["chartValues.loki.loki.compactor.delete_request_store"]);
  });
  it("loki-compactor-misplaced: settings the override misplaced are moved to the chartValues key", async () => {
    const [v] = await judged(
      "loki-compactor-misplaced",
      { compactor: { retention_enabled: true }, loki: { compactor: { retention_enabled: true } } },
      ["loki.compactor.retention_enabled"],
    );
    assert.match(
      v.message,
      /: chartValues\.loki\.compactor holds Loki settings \(retention_enabled\) that the chart ignores silently; move them to chartValues\.loki\.loki\.compactor\.$/,
    );
  });
  it("loki-compactor-misplaced: names the misplaced settings' overrides, not the compactor pod's settings beside them", async () => {
    // compactor.replicas and compactor.resources are the chart's settings of the compactor's pods,
    // rightly placed: the message neither lists them nor is their cause (replicas has its own,
    // loki-single-binary-and-scalable, in a monolithic stack).
    const [v] = await judged(
      "loki-compactor-misplaced",
      { compactor: { retention_enabled: true, replicas: 2, resources: { limits: { cpu: "1" } } } },
      ["loki.compactor.retention_enabled", "loki.compactor.replicas", "loki.compactor.resources.limits.cpu"],
    );
    assert.deepEqual(v.overrides, ["chartValues.loki.compactor.retention_enabled"]);
  });
  it("loki-single-binary-and-scalable: the transitional mode its hint offers is the stack key that sets deploymentMode", async () => {
    // Write and backend pods from overrides beside the monolithic pods: the chart's way out is its
    // transitional deploymentMode, which in this stack is loki.mode (a chartValues.loki.deploymentMode
    // is refused as set twice), so the hint names loki.mode, not a chart value.
    const base = rel("loki", "loki", "monitoring", {
      deploymentMode: "Monolithic",
      singleBinary: { replicas: 3 },
      write: { replicas: 3 },
      read: { replicas: 0 },
      backend: { replicas: 3 },
    });
    // The pinned chart's line, whose transitional mode is the stack's (model/sizing.ts LOKI_MODES).
    const loki = { ...base, inputs: { ...base.inputs, version: versions.charts.loki.version } };
    const found = await check([loki], "loki-single-binary-and-scalable");
    const [v] = attributeOverrides(
      found.map((f): MergedViolation => ({ ...f, alsoAt: [] })),
      [loki],
      ["loki.write.replicas", "loki.backend.replicas"],
    );
    assert.match(
      v.message,
      /: values\.singleBinary\.replicas is 3 and chartValues\.loki\.write\.replicas is 3, chartValues\.loki\.backend\.replicas is 3; .*\. Set the unused mode's replicas to 0, or set loki\.mode to "Monolithic<->SimpleScalable" while migrating\.$/,
    );
  });
  it("a message on values the program alone sets keeps its values paths", async () => {
    const [v] = await judged("loki-compactor-misplaced", { compactor: { retention_enabled: true } }, [
      "loki.singleBinary.replicas",
    ]);
    assert.match(v.message, /: values\.compactor holds .*; move them to values\.loki\.compactor\.$/);
  });
});

describe("a workload an override lets onto a tainted Pi pool names the tolerations override", () => {
  // ttaint: the image alone is kept off the tainted pool (the same stack without the tolerations
  // passes); the tolerations override is what lets it land, and is a fix of its own.
  it("arm64-images on a rendered Deployment names chartValues.grafana.tolerations beside the image", async () => {
    const pools = stackInfo([
      { name: "amd", arch: "amd64" },
      { name: "pi5", arch: "arm64", taints: [{ key: "arch", value: "arm64", effect: "NoSchedule" }] },
    ]);
    const values = {
      image: { registry: "docker.io", repository: "someone/amd64only", tag: "1.0" },
      tolerations: [{ operator: "Exists" }],
    };
    const graf: ExportedResource = rel("grafana", "grafana", "monitoring", values);
    graf.inputs = { ...graf.inputs, [RENDERED_KEY]: 1 };
    const w = workload("Deployment", "grafana", {
      tolerations: values.tolerations,
      containers: [{ name: "grafana", image: "docker.io/someone/amd64only:1.0" }],
    });
    const pods = { ...deployment(graf, "grafana", "monitoring"), inputs: w.inputs };
    const resources = [pools, graf, pods];
    const overrides = [
      "grafana.image.registry",
      "grafana.image.repository",
      "grafana.image.tag",
      "grafana.tolerations",
    ];
    // The rendered Deployment's report, as synth judges a rendered release (by its objects).
    const found = (await check(resources, "arm64-images")).filter((f) => f.urn === pods.urn);
    const [v] = attributeOverrides(
      mergeProblems(found, [], { resources, overrides }).violations,
      resources,
      overrides,
    );
    assert.match(
      v.message,
      /can run on pool pi5 \(.*; taints arch:NoSchedule\): spec\.template\.spec\.tolerations admit its taints and nothing else in spec\.template\.spec keeps it off them, but /,
    );
    assert.deepEqual(
      [v.overrides, v.overridesUnsure],
      [
        [
          "chartValues.grafana.image.registry",
          "chartValues.grafana.image.repository",
          "chartValues.grafana.image.tag",
          "chartValues.grafana.tolerations",
        ],
        undefined,
      ],
    );
  });
});

describe("a report on an object an override wrote whole names that override's item, sure", () => {
  const board = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "my-app-dashboards", annotations: { "grafana-folder": "My app" } },
    data: { "broken.json": "{", "a.json": '{"uid":"a"}', "b.json": '{"uid":"a"}' },
  };
  const grafana = rel("grafana", "grafana", "monitoring", { replicas: 2, extraObjects: [board] });
  const overrides = ["grafana.replicas", "grafana.extraObjects"];
  const where = "ConfigMap monitoring/my-app-dashboards (release grafana)";
  const findings = (): MergedFinding[] => [
    {
      check: "dashboard",
      where,
      message: 'expected the folder under the annotation grafana_folder, got "grafana-folder"',
      alsoAt: [],
    },
    {
      check: "dashboard",
      where: `${where} broken.json`,
      message: "broken.json:1:2: expected dashboard JSON",
      alsoAt: [],
    },
    {
      check: "dashboard",
      where: `${where} b.json`,
      message: 'expected a dashboard uid no other dashboard has, got "a"',
      alsoAt: [],
    },
  ];

  it("each finding in the ConfigMap is chartValues.grafana.extraObjects[0]'s, not one of the release's overrides", () => {
    const found = attributeOverrides(findings(), [grafana], overrides, (k) =>
      k === "chartValues.grafana.extraObjects[0]" ? "Pulumi.s.yaml:49" : undefined,
    );
    for (const f of found) {
      assert.deepEqual(f.overrides, ["chartValues.grafana.extraObjects[0] (Pulumi.s.yaml:49)"], f.where);
      assert.equal(f.overridesUnsure, undefined, f.where);
    }
    assert.equal(
      formatMergedFindings([found[1]]),
      `  [dashboard] ${where} broken.json: broken.json:1:2: expected dashboard JSON\n      from the stack's chart values override chartValues.grafana.extraObjects[0] (Pulumi.s.yaml:49): change or remove it in the stack file`,
    );
  });

  it("the findings stay three messages: each is a mistake of its own inside the object", () => {
    const merged = mergeProblems([], findings(), { resources: [grafana], overrides });
    assert.equal(merged.findings.length, 3);
    assert.deepEqual(
      merged.findings.map((f) => f.alsoAt),
      [[], [], []],
    );
  });

  it("a policy's report on a rendered object of the item (its URN) names the item too", () => {
    const cut = grafana.urn.lastIndexOf("::");
    const urn = `${grafana.urn.slice(0, cut)}$kubernetes:core/v1:ConfigMap::${grafana.urn.slice(cut + 2)}/monitoring/my-app-dashboards`;
    const [v] = attributeOverrides(
      [
        { policy: "p", level: "mandatory", urn, message: "ConfigMap my-app-dashboards: x", alsoAt: [] },
      ] as MergedViolation[],
      [grafana],
      overrides,
    );
    assert.deepEqual(v.overrides, ["chartValues.grafana.extraObjects[0]"]);
    assert.equal(v.overridesUnsure, undefined);
  });

  // checks/emittedMetrics.ts names a dashboard's panel as `dashboard <ConfigMap>/<file>: <panel>`;
  // its findings on the item's dashboards named no override, where the dashboard check's on the
  // same ConfigMap did.
  it("an emitted-metrics finding on a panel of the item's dashboards names the item too", () => {
    const panel = (message: string): MergedFinding => ({
      check: "emitted-metrics",
      where: "dashboard my-app-dashboards/a.json: p1",
      message,
      alsoAt: [],
    });
    const found = attributeOverrides(
      [
        panel(
          "expected a metric name a component emits, got node_cpu_seconds_totl; did you mean node_cpu_seconds_total?",
        ),
        panel("expected a label node_cpu_seconds_total carries, got mdoe; did you mean mode?"),
        panel(
          'expected a PromQL query, found a syntax error at character 37: "sum(rate(node_cpu_seconds_total[5m])" then the end of the query; Prometheus refuses the query, which shows an error instead of data',
        ),
      ],
      [grafana],
      overrides,
    );
    // Each of the three kinds of finding on a panel (an empty list would pass the loop below).
    assert.equal(found.length, 3);
    for (const f of found) {
      assert.deepEqual(f.overrides, ["chartValues.grafana.extraObjects[0]"], f.message);
      assert.equal(f.overridesUnsure, undefined, f.message);
    }
    // A dashboard of another ConfigMap (the stack's own) is no override's.
    const [own] = attributeOverrides(
      [{ ...panel("x"), where: "dashboard homelab-dashboards/homelab-overview.json: p" }],
      [grafana],
      overrides,
    );
    assert.equal(own.overrides, undefined);
  });
});

describe("an alertmanager-config finding names the overrides that set what it judges", () => {
  // The stack overrides both the receivers (one name twice) and the routes, which name the same
  // receivers: the routes' values quote "heartbeat" as the finding does, but set no receiver.
  const config = {
    receivers: [{ name: "null" }, { name: "heartbeat" }, { name: "heartbeat" }],
    route: {
      receiver: "null",
      routes: [
        { receiver: "heartbeat", matchers: ['alertname="Watchdog"'] },
        { receiver: "null", matchers: ['alertname="InfoInhibitor"'] },
      ],
    },
  };
  const alertmanager = rel("alertmanager", "alertmanager", "monitoring", { config });
  const overrides = ["alertmanager.config.receivers", "alertmanager.config.route.routes"];
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "alertmanager", namespace: "monitoring" },
    data: { "alertmanager.yml": stringify(config) },
  };
  const findings = () =>
    checkAlertmanagerConfigs([
      { obj: configMap, urn: alertmanager.urn, source: "release alertmanager" },
    ]).findings.map((f) => ({ ...f, alsoAt: [] })) as MergedFinding[];

  it("a receiver name given twice is the receivers override's, not the routes' that name it", () => {
    const found = attributeOverrides(findings(), [alertmanager], overrides);
    assert.deepEqual(
      found.map((f) => [f.message.slice(0, f.message.indexOf(":")), f.overrides]),
      [
        [
          "receivers[2].name",
          ["chartValues.alertmanager.config.receivers[1]", "chartValues.alertmanager.config.receivers[2]"],
        ],
      ],
    );
  });

  it("a route naming a receiver no receiver has is the routes override's, and the receivers' it may lack", () => {
    const typo = structuredClone(config);
    typo.receivers.pop();
    typo.route.routes[0].receiver = "heartbeet";
    const map = { ...configMap, data: { "alertmanager.yml": stringify(typo) } };
    const am = rel("alertmanager", "alertmanager", "monitoring", { config: typo });
    const [f] = attributeOverrides(
      checkAlertmanagerConfigs([{ obj: map, urn: am.urn, source: "release alertmanager" }]).findings.map(
        (x) => ({
          ...x,
          alsoAt: [],
        }),
      ) as MergedFinding[],
      [am],
      overrides,
    );
    assert.ok(f.message.startsWith("route.routes[0].receiver: "), f.message);
    assert.deepEqual(f.overrides, [
      "chartValues.alertmanager.config.receivers[0]",
      "chartValues.alertmanager.config.receivers[1]",
      "chartValues.alertmanager.config.route.routes",
    ]);
  });
});

describe("an alertmanager-config finding names an override that sets the whole file", () => {
  it("a receiver name given twice is the override of alertmanager.config's, which holds the receivers", () => {
    const config = { receivers: [{ name: "null" }, { name: "null" }], route: { receiver: "null" } };
    const am = rel("alertmanager", "alertmanager", "monitoring", { config });
    const map = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "alertmanager", namespace: "monitoring" },
      data: { "alertmanager.yml": stringify(config) },
    };
    const found = attributeOverrides(
      checkAlertmanagerConfigs([{ obj: map, urn: am.urn, source: "release alertmanager" }]).findings.map(
        (x) => ({ ...x, alsoAt: [] }),
      ) as MergedFinding[],
      [am],
      ["alertmanager.config"],
    );
    assert.equal(found.length, 1);
    assert.match(found[0].message, /^receivers\[1\]\.name: /);
    assert.ok((found[0].overrides ?? []).length > 0, `no override named: ${JSON.stringify(found[0])}`);
    assert.ok(
      found[0].overrides!.every((o) => o.startsWith("chartValues.alertmanager.config")),
      JSON.stringify(found[0].overrides),
    );
  });
});

describe("a host-port clash of pods on the host's network names the override that put them there", () => {
  // Staging with `alloy.controller.hostNetwork: true` and `alloy.alloy.extraPorts` (a Faro port):
  // both Alloys claim every port they listen on as host ports. The clash on 12345, the chart's own
  // listen port, is no doing of extraPorts, which alone clashes with nothing; it was named beside
  // hostNetwork ("change or remove them"), a message apart from the Namespace's refusal.
  it("names controller.hostNetwork, not an override adding container ports", () => {
    const values = {
      controller: { hostNetwork: true },
      alloy: { extraPorts: [{ name: "faro", port: 12347, targetPort: 12347, protocol: "TCP" }] },
    };
    const node = rel("alloy", "alloy", "monitoring-agents", values);
    const cluster = rel("alloy", "alloy-cluster", "monitoring", values);
    const pod = (kind: string, name: string, ns: string, r: ExportedResource) => ({
      obj: {
        apiVersion: "apps/v1",
        kind,
        metadata: { name, namespace: ns },
        spec: {
          template: {
            spec: {
              hostNetwork: true,
              containers: [
                {
                  name: "alloy",
                  image: "docker.io/grafana/alloy:v1.12.0",
                  ports: [
                    { name: "http-metrics", containerPort: 12345 },
                    { name: "faro", containerPort: 12347 },
                  ],
                },
              ],
            },
          },
        },
      },
      urn: r.urn,
      source: `release ${r.inputs!.name}`,
    });
    const findings = checkHostPorts([
      pod("DaemonSet", "alloy", "monitoring-agents", node),
      pod("Deployment", "alloy-cluster", "monitoring", cluster),
    ]);
    assert.deepEqual(
      findings.map((f) => f.where),
      ["TCP 12345", "TCP 12347"],
    );
    const found = attributeOverrides(
      findings.map((f) => ({ ...f, alsoAt: [] })) as MergedFinding[],
      [node, cluster],
      ["alloy.controller.hostNetwork", "alloy.alloy.extraPorts"],
    );
    for (const f of found)
      assert.deepEqual(
        [f.where, f.overrides, f.overridesUnsure],
        [f.where, ["chartValues.alloy.controller.hostNetwork"], undefined],
      );
  });
});

describe("an address no Service answers names no override that only sizes pods", () => {
  // Staging with `loki.fullnameOverride: lk` and Alloy's memory limit: the configs dialing
  // loki-gateway named the limit as "one of these" beside the rename.
  it("names loki's fullnameOverride, not alloy's memory limit", () => {
    const alloy = rel("alloy", "alloy", "monitoring", {
      alloy: { resources: { limits: { memory: "100Mi" } } },
    });
    const loki = rel("loki", "loki", "monitoring", { fullnameOverride: "lk" });
    const config = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "alloy", namespace: "monitoring" },
      data: { "config.alloy": 'url = "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push"' },
    };
    const service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "lk-gateway", namespace: "monitoring" },
      spec: { ports: [{ port: 80 }] },
    };
    const { findings } = checkAddresses([
      { obj: config, urn: alloy.urn, source: "release alloy" },
      { obj: service, urn: loki.urn, source: "release loki" },
    ]);
    assert.equal(findings.length, 1, JSON.stringify(findings));
    const [found] = attributeOverrides(
      findings.map((f) => ({ ...f, alsoAt: [] })) as MergedFinding[],
      [alloy, loki],
      ["alloy.alloy.resources.limits.memory", "loki.fullnameOverride"],
    );
    assert.deepEqual(found.overrides, ["chartValues.loki.fullnameOverride"], JSON.stringify(found));
  });
});

describe("a rename to a name of two characters is named by the objects carrying it", () => {
  // Production with kube-prometheus-stack `fullnameOverride: kx` gave 20 messages, each "if it is
  // the cause": values of two characters were never looked for in a message, the new name neither.
  it("names fullnameOverride kx on ClusterRole kx-operator, not the port beside it", () => {
    const kps = rel("kube-prometheus-stack", "kube-prometheus-stack", "monitoring", {
      fullnameOverride: "kx",
      prometheus: { service: { port: 9091 } },
    });
    const finding = {
      check: "rbac-escalation",
      where: "ClusterRole kx-operator",
      message: "ClusterRole kx-operator (release kube-prometheus-stack) rules[2] opens the escalation path",
      alsoAt: [],
    } as MergedFinding;
    const [found] = attributeOverrides(
      [finding],
      [kps],
      ["kube-prometheus-stack.fullnameOverride", "kube-prometheus-stack.prometheus.service.port"],
    );
    assert.deepEqual(
      [found.overrides, found.overridesUnsure ?? false],
      [["chartValues.kube-prometheus-stack.fullnameOverride"], false],
      JSON.stringify(found),
    );
  });
});

describe("a rename to a name of one or two characters is no word of a message's prose", () => {
  // kube-prometheus-stack `nameOverride: a` (the fullname stays the program's kps) beside an image
  // override: "use a pinned image" named the rename as a cause of the image refused.
  it("names the image override alone, not nameOverride a", () => {
    const kps = rel("kube-prometheus-stack", "kube-prometheus-stack", "monitoring", {
      nameOverride: "a",
      prometheusOperator: { image: { tag: "v0.93.1" } },
    });
    const finding = {
      check: "image-pins",
      where: "Deployment monitoring/kps-operator (release kube-prometheus-stack)",
      message:
        "spec.template.spec.containers[0].image: image quay.io/prometheus-operator/prometheus-operator:v0.93.1 is not pinned: use a pinned image (remove the image override, if one set it)",
      judged: ["image"],
      alsoAt: [],
    } as MergedFinding;
    const [found] = attributeOverrides(
      [finding],
      [kps],
      ["kube-prometheus-stack.nameOverride", "kube-prometheus-stack.prometheusOperator.image.tag"],
    );
    assert.deepEqual(
      [found.overrides, found.overridesUnsure ?? false],
      [["chartValues.kube-prometheus-stack.prometheusOperator.image.tag"], false],
      JSON.stringify(found),
    );
  });
});
