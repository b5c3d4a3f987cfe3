import { strict as assert } from "assert";
import {
  podSecurityLabels,
  PARKED_NODE_SELECTOR,
  NETWORK_POLICIES_DEFERRED,
  POD_SECURITY_DEFERRED,
} from "../../builders/security/podSecurity";
import { fails, passes, release, res, stackInfo, workload } from "../support/policyCases";

const namespace = (name: string, labels: Record<string, string>, annotations: Record<string, string> = {}) =>
  res("kubernetes:core/v1:Namespace", { metadata: { name, labels, annotations } }, { name: `ns-${name}` });
const policy = (namespace: string) =>
  res(
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    { metadata: { name: "p", namespace } },
    { name: `np-${namespace}` },
  );
const inNs = (ns: string, chart: string, values: any, name = chart) => {
  const r = release(chart, values, { name });
  r.inputs!.namespace = ns;
  return r;
};

/** The node Alloy's values as the program writes them (builders/logging/alloyValues.ts): /var/log mounted. */
const ALLOY_NODE = { controller: { type: "daemonset" }, alloy: { mounts: { varlog: true } } };

/** The program's layout: the stack at baseline, node agents apart at privileged, policies in both. */
const good = () => [
  namespace("monitoring", podSecurityLabels("baseline", "restricted")),
  namespace("monitoring-agents", podSecurityLabels("privileged")),
  inNs("monitoring", "loki", {}),
  inNs("monitoring", "alloy", { controller: { type: "deployment" } }, "alloy-cluster"),
  inNs("monitoring-agents", "alloy", ALLOY_NODE),
  inNs("monitoring-agents", "prometheus-node-exporter", {}),
  policy("monitoring"),
  policy("monitoring-agents"),
];

describe("policy (Pod Security levels)", () => {
  const P = "pod-security-levels";
  it("passes: node agents alone at privileged, the rest at baseline, versions pinned", () =>
    passes(good(), P));
  it("passes: a parked agent (its DaemonSet on no node) in the baseline namespace", () =>
    passes(
      [
        ...good(),
        inNs("monitoring", "prometheus-node-exporter", { nodeSelector: PARKED_NODE_SELECTOR }, "old"),
      ],
      P,
    ));
  it("fails: a release needing no host access in a namespace enforcing privileged", () =>
    fails(
      [...good(), inNs("monitoring-agents", "grafana", {})],
      P,
      /Namespace "ns-monitoring-agents": enforces privileged, but kubernetes:helm.sh\/v3:Release "grafana" needs no host access/,
    ));
  // The way out names agents.step only where setting it moves the agents: in the stack's own
  // namespace (the stack-info ConfigMap's), privileged while agents.step is stay (plan/foundation.ts).
  // In agents.namespace (handover, moved) they already run apart: nothing there to set or move.
  it("fails: names agents.step (to handover) only for agents in the stack's namespace, never in agents.namespace", async () => {
    const info = stackInfo([{ name: "workers", arch: "amd64" }]);
    const stay = [
      info,
      namespace("monitoring", podSecurityLabels("privileged", "restricted")),
      inNs("monitoring", "loki", {}),
      inNs("monitoring", "alloy", ALLOY_NODE),
      policy("monitoring"),
    ];
    const staying = await fails(
      stay,
      P,
      /"ns-monitoring": enforces privileged, but kubernetes:helm.sh\/v3:Release "loki" needs no host access; run it in a namespace enforcing baseline, or move the node agents that need privileged \(kubernetes:helm.sh\/v3:Release "alloy"\) to a namespace of their own \(the stack's agents\.namespace: set `agents\.step` to handover for one update, then to moved; docs\/how-to\/move-node-agents\.md\)\.$/,
    );
    assert.equal(staying.length, 1);
    // handover or moved: a Deployment rendered into agents.namespace beside the agents (a chart
    // values override, e.g. the alloy chart's controller.type deployment).
    const deployment = workload("Deployment", "alloy", {});
    deployment.inputs.metadata.namespace = "monitoring-agents";
    const apart = await fails(
      [info, ...good(), res(deployment.type, deployment.inputs, { name: "alloy-deployment" })],
      P,
      /Namespace "ns-monitoring-agents": enforces privileged, but kubernetes:apps\/v1:Deployment "alloy-deployment" needs no host access; run it in a namespace enforcing baseline \(monitoring-agents is the node agents' own namespace, agents\.namespace\)\.$/,
    );
    for (const v of apart) assert.doesNotMatch(v.message, /agents\.step|move the node agents/);
  });
  it("fails: a Deployment in agents.namespace whose pods mount the host is said to mount it, not to need no host access", async () => {
    // As the alloy chart renders controller.type deployment with the program's mounts (alloy 1.5.0
    // templates/controllers/_pod.yaml:76-80, the varlog hostPath): the policy takes only DaemonSets
    // as node agents, yet the pod does ask for the host, which baseline refuses.
    const deployment = workload("Deployment", "alloy", {
      volumes: [
        { name: "config", configMap: { name: "alloy" } },
        { name: "varlog", hostPath: { path: "/var/log" } },
      ],
      hostNetwork: true,
    });
    deployment.inputs.metadata.namespace = "monitoring-agents";
    const [v, ...rest] = await fails(
      [
        stackInfo([{ name: "workers", arch: "amd64" }]),
        ...good(),
        res(deployment.type, deployment.inputs, { name: "alloy-deployment" }),
      ],
      P,
      /Namespace "ns-monitoring-agents": enforces privileged, but kubernetes:apps\/v1:Deployment "alloy-deployment" is no node agent \(only DaemonSets are\), though its pods ask for the host \(hostPath \/var\/log as volume varlog, hostNetwork\), which baseline refuses; run it as a DaemonSet, or without host access in a namespace enforcing baseline \(monitoring-agents is the node agents' own namespace, agents\.namespace\)\.$/,
    );
    assert.equal(rest.length, 0);
    assert.doesNotMatch(v.message, /needs no host access/);
    // Asked by two fields, removing either leaves the other asking: the verdict rests on the kind.
    assert.deepEqual(v.judged, ["kind"]);
  });
  it("fails: a Deployment in agents.namespace whose pods ask for the host by one field rests on its kind and that field", async () => {
    const deployment = workload("Deployment", "alloy", { hostNetwork: true });
    deployment.inputs.metadata.namespace = "monitoring-agents";
    const [v, ...rest] = await fails(
      [
        stackInfo([{ name: "workers", arch: "amd64" }]),
        ...good(),
        res(deployment.type, deployment.inputs, { name: "alloy-deployment" }),
      ],
      P,
      /"alloy-deployment" is no node agent \(only DaemonSets are\), though its pods ask for the host \(hostNetwork\), which baseline refuses/,
    );
    assert.equal(rest.length, 0);
    assert.deepEqual(v.judged, ["kind", "hostNetwork"]);
  });
  // A takeover's import step adopting a running Alloy where it runs (plan/foundation.ts).
  const adopting = (agentThere: boolean) => [
    namespace("monitoring", podSecurityLabels("privileged"), { [POD_SECURITY_DEFERRED]: "until handover" }),
    inNs("monitoring", "loki", {}),
    ...(agentThere ? [inNs("monitoring", "alloy", ALLOY_NODE)] : []),
    policy("monitoring"),
  ];
  it("passes: privileged deferred on a namespace where an adopted node agent still runs (takeover import)", () =>
    passes(adopting(true), P));
  it("fails: the deferral on a namespace with no node agent in it silences nothing", () =>
    fails(
      adopting(false),
      P,
      /Namespace "ns-monitoring": enforces privileged, but kubernetes:helm.sh\/v3:Release "loki" needs no host access/,
    ));
  it("fails: the deferral on a namespace a chart renders (a user's chartValues extraObjects) defers nothing", async () => {
    // Offline, a release's rendered objects stand beside it, their URNs naming the release
    // (synth/render/objects.ts withRenderedObjects): the annotation there is the user's own.
    const grafana = inNs("monitoring", "grafana", {});
    const rendered = (type: string, inputs: Record<string, any>) =>
      res(type, inputs, {
        urn: `${grafana.urn.slice(0, grafana.urn.lastIndexOf("::"))}$${type}::grafana/${inputs.metadata.namespace ?? "-"}/${inputs.metadata.name}`,
        parent: grafana.urn,
      });
    const hostAgent = workload("DaemonSet", "agent", {
      volumes: [{ name: "h", hostPath: { path: "/var/log" } }],
    });
    const web = workload("Deployment", "web", {});
    const apps = (annotated: boolean) => [
      ...good(),
      grafana,
      rendered("kubernetes:core/v1:Namespace", {
        metadata: {
          name: "apps",
          labels: podSecurityLabels("privileged"),
          annotations: annotated ? { [POD_SECURITY_DEFERRED]: "x" } : {},
        },
      }),
      ...[hostAgent, web].map((w) =>
        rendered(w.type, { ...w.inputs, metadata: { ...w.inputs.metadata, namespace: "apps" } }),
      ),
    ];
    const refusal =
      /Namespace "grafana\/-\/apps": enforces privileged, but kubernetes:apps\/v1:Deployment "grafana\/apps\/web" needs no host access/;
    const [plain, annotated] = await Promise.all([
      fails(apps(false), P, refusal),
      fails(apps(true), P, refusal),
    ]);
    // The user's DaemonSet is no agent agents.step moves: the way out names none of the stack's keys.
    for (const v of [...plain, ...annotated]) assert.doesNotMatch(v.message, /agents\.step/);
  });
  it("fails: a node agent in a namespace enforcing baseline (its pods would be refused)", () =>
    fails(
      [...good(), inNs("monitoring", "vector", { role: "Agent" })],
      P,
      /Namespace "ns-monitoring": enforces baseline, which refuses the pods of kubernetes:helm.sh\/v3:Release "vector"/,
    ));
  // What the pinned charts render from these values (their templates, cited in policy/security.ts
  // needsHost), not the controller kind or role: an Alloy DaemonSet with only a ConfigMap and an
  // emptyDir passes baseline, as the rendered pods' own check finds.
  // The values key that asks for the host is named (the synthesis traces the refusal to the
  // override setting it); none when the chart's own defaults do (a Vector Agent's host paths).
  const refused = (release: string, key?: string) =>
    new RegExp(
      `Namespace "ns-monitoring": enforces baseline, which refuses the pods of kubernetes:helm.sh/v3:Release "${release}" \\(host paths or host network${key ? `, asked for by values\\.${key.replace(/\./g, "\\.")}` : ""}\\);`,
    );
  it("passes: an Alloy DaemonSet mounting nothing of the host in the baseline namespace", () =>
    passes(
      [
        ...good(),
        inNs(
          "monitoring",
          "alloy",
          { controller: { type: "daemonset", volumes: { extra: [{ name: "wal", emptyDir: {} }] } } },
          "alloy-cluster2",
        ),
      ],
      P,
    ));
  for (const [what, values, key] of [
    ["alloy.mounts.varlog", { alloy: { mounts: { varlog: true } } }, "alloy.mounts.varlog"],
    [
      "agent.mounts.dockercontainers, the chart's old name",
      { agent: { mounts: { dockercontainers: true } } },
      "agent.mounts.dockercontainers",
    ],
    [
      "a hostPath in controller.volumes.extra",
      { controller: { volumes: { extra: [{ name: "h", hostPath: { path: "/x" } }] } } },
      "controller.volumes.extra",
    ],
    ["controller.hostNetwork", { controller: { hostNetwork: true } }, "controller.hostNetwork"],
    ["controller.hostPID", { controller: { hostPID: true } }, "controller.hostPID"],
  ] as const)
    it(`fails: an Alloy Deployment needing the host (${what}) in a namespace enforcing baseline, naming the key`, () =>
      fails(
        [
          ...good(),
          inNs(
            "monitoring",
            "alloy",
            { ...values, controller: { type: "deployment", ...(values as any).controller } },
            "a2",
          ),
        ],
        P,
        refused("a2", key),
      ));
  it("passes: a Vector Agent whose values replace every host path (no hostPath data_dir, no default volumes)", () =>
    passes(
      [
        ...good(),
        inNs("monitoring", "vector", {
          role: "Agent",
          defaultVolumes: [],
          persistence: { hostPath: { enabled: false } },
        }),
      ],
      P,
    ));
  it("fails: a Vector Agent whose data_dir alone is a hostPath, and an Aggregator on the host's network", () =>
    Promise.all([
      fails(
        [...good(), inNs("monitoring", "vector", { role: "Agent", defaultVolumes: [] })],
        P,
        refused("vector"),
      ),
      fails(
        [...good(), inNs("monitoring", "vector", { podHostNetwork: true })],
        P,
        refused("vector", "podHostNetwork"),
      ),
    ]));
  it("fails: an enforce level without a pinned version", () => {
    const rs = good();
    rs[0].inputs!.metadata.labels["pod-security.kubernetes.io/enforce-version"] = "latest";
    return fails(
      rs,
      P,
      /enforces baseline at version latest; pin pod-security.kubernetes.io\/enforce-version/,
    );
  });
});

const raw = (ns: string, kind: "Deployment" | "StatefulSet" | "DaemonSet", name: string, pod: any) => {
  const x = workload(kind, name, pod);
  x.inputs.metadata.namespace = ns;
  return res(x.type, x.inputs, { name });
};

describe("policy (Pod Security levels: unlabelled namespaces, raw workloads)", () => {
  const P = "pod-security-levels";
  it("fails: a namespace without an enforce label (admission's default, privileged) holding a release", () =>
    fails(
      [namespace("logging", {}), inNs("logging", "grafana", {}), policy("logging")],
      P,
      /Namespace "ns-logging": has no pod-security.kubernetes.io\/enforce label, so Pod Security admission enforces its default, privileged/,
    ));
  it("fails: a raw Deployment in a namespace enforcing privileged", () =>
    fails(
      [...good(), raw("monitoring-agents", "Deployment", "app", { containers: [{ name: "a", image: "x" }] })],
      P,
      /enforces privileged, but kubernetes:apps\/v1:Deployment "app" needs no host access/,
    ));
  it("passes: a raw node-agent DaemonSet (host paths) in the privileged namespace", () =>
    passes(
      [
        ...good(),
        raw("monitoring-agents", "DaemonSet", "agent", {
          containers: [{ name: "a", image: "x" }],
          volumes: [{ name: "log", hostPath: { path: "/var/log" } }],
        }),
      ],
      P,
    ));
});

describe("policy (NetworkPolicies present)", () => {
  const P = "network-policies-present";
  it("passes: every namespace with workloads has policies", () => passes(good(), P));
  it("passes: an adopted namespace whose policies are deferred (takeover import)", () =>
    passes(
      [
        namespace("monitoring", {}, { [NETWORK_POLICIES_DEFERRED]: "deferred" }),
        inNs("monitoring", "loki", {}),
      ],
      P,
    ));
  it("fails: the deferral on a namespace a chart renders (a user's chartValues extraObjects) defers nothing", () => {
    const grafana = inNs("monitoring", "grafana", {});
    const apps = res(
      "kubernetes:core/v1:Namespace",
      { metadata: { name: "apps", labels: {}, annotations: { [NETWORK_POLICIES_DEFERRED]: "x" } } },
      {
        urn: `${grafana.urn.slice(0, grafana.urn.lastIndexOf("::"))}$kubernetes:core/v1:Namespace::grafana/-/apps`,
        parent: grafana.urn,
      },
    );
    return fails(
      [...good(), grafana, apps, inNs("apps", "loki", {}, "loki-apps")],
      P,
      /Namespace "grafana\/-\/apps": .*Release "loki-apps" runs here without any NetworkPolicy/,
    );
  });
  it("fails: a namespace with workloads and no policy", () =>
    fails(
      good().filter((r) => r.urn !== policy("monitoring-agents").urn),
      P,
      /Namespace "ns-monitoring-agents": .*Release "alloy", .*Release "prometheus-node-exporter" run here without any NetworkPolicy/,
    ));
  it("fails: a release into a namespace the stack does not create, without a policy there", () =>
    fails(
      [...good(), inNs("logging", "loki", {}, "loki-logging")],
      P,
      /namespace logging \(not created by the stack\): kubernetes:helm.sh\/v3:Release "loki-logging" runs here without any NetworkPolicy/,
    ));
  it("fails: a raw workload in a namespace the stack does not create; passes once a policy is there", async () => {
    const app = raw("apps", "Deployment", "app", { containers: [{ name: "a", image: "x" }] });
    await fails([...good(), app], P, /namespace apps \(not created by the stack\): .*"app" runs here/);
    await passes([...good(), app, policy("apps")], P);
  });
});
