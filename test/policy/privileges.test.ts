import { strict as assert } from "assert";
import { K8S_SIDECAR_REPOSITORY } from "@homelab-observability/contract";
import { check, fails, passes, res, stackInfo, workload } from "../support/policyCases";
import { DEFAULT_AGENT_HOST_PATHS, DEFAULT_OPERATOR_IMAGES } from "../../policy/lib/privileges";
import { NODE_AGENT_HOST_PATHS } from "../../builders/security/hardening";
import { versions } from "../../model/versions";
import { packConfigProblems } from "../../synth/pack";

const RD = { seccompProfile: { type: "RuntimeDefault" } };
const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
const w = (kind: "Deployment" | "StatefulSet" | "DaemonSet", name: string, pod: Record<string, any>) => {
  const x = workload(kind, name, pod);
  return res(x.type, x.inputs, { name });
};
const role = (name: string, rules: any[]) =>
  res(
    `${RBAC}:ClusterRole`,
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name }, rules },
    { name: `role-${name}` },
  );
const bind = (name: string, sa: string) =>
  res(
    `${RBAC}:ClusterRoleBinding`,
    {
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name: sa, namespace: "monitoring" }],
    },
    { name: `binding-${name}` },
  );
const pod = (image: string, sa = "x") => ({
  serviceAccountName: sa,
  securityContext: RD,
  containers: [{ name: "main", image }],
});

describe("policy: least privilege over what a preview sees", () => {
  it("knows the node agents and operators the program knows", () => {
    assert.deepEqual(DEFAULT_AGENT_HOST_PATHS, NODE_AGENT_HOST_PATHS);
    // The operators are the ones the program pins (the pack reads the contract, not model/).
    const { prometheusOperator: po, vmOperator: vm } = versions.images;
    assert.deepEqual(DEFAULT_OPERATOR_IMAGES, [
      `${po.registry}/${po.repository}`,
      `${vm.registry}/${vm.repository}`,
    ]);
  });

  const reader = (rules: any[], image = "docker.io/grafana/grafana:12") => [
    role("reader", rules),
    bind("reader", "grafana"),
    w("Deployment", "grafana", pod(image, "grafana")),
  ];
  const SECRETS = { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "list", "watch"] };
  const CONFIGMAPS = { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] };

  it("no-cluster-secret-read passes ConfigMaps only and the operators; fails a workload bound to Secrets", async () => {
    await passes(reader([CONFIGMAPS]), "no-cluster-secret-read");
    await passes(
      reader([SECRETS], "quay.io/prometheus-operator/prometheus-operator:v0.93.0"),
      "no-cluster-secret-read",
    );
    await fails(
      reader([SECRETS]),
      "no-cluster-secret-read",
      /"grafana" can read every Secret of the cluster: ClusterRoleBinding reader binds its ServiceAccount monitoring\/grafana to ClusterRole reader, whose rules\[0\] reads secrets/,
    );
  });

  it("no-cluster-secret-read: an operator under a mirror's name is refused naming the config that says it is one; set, it passes", async () => {
    const mirrored = reader([SECRETS], "registry.home.lan/mirror/prometheus-operator:v0.93.0");
    await fails(
      mirrored,
      "no-cluster-secret-read",
      /only the operators need them\); if it is an operator under another image name \(a mirror of one\), add "registry\.home\.lan\/mirror\/prometheus-operator" to the no-cluster-secret-read policy's operatorImages config\.$/,
    );
    await passes(mirrored, "no-cluster-secret-read", {
      "no-cluster-secret-read": { operatorImages: ["registry.home.lan/mirror/prometheus-operator"] },
    });
    // An operator's image in an init container makes no operator (contract runsOperator, which the
    // offline secret-read check judges by too): it ran before the workload and is gone.
    const initPod: any = pod("docker.io/grafana/grafana:12", "grafana");
    initPod.initContainers = [
      { name: "init", image: "quay.io/prometheus-operator/prometheus-operator:v0.93.0" },
    ];
    await fails(
      [role("reader", [SECRETS]), bind("reader", "grafana"), w("Deployment", "grafana", initPod)],
      "no-cluster-secret-read",
      /"grafana" can read every Secret of the cluster/,
    );
    // Added to the pinned operators, not in their place: the VictoriaMetrics operator stays one.
    await passes(reader([SECRETS], "docker.io/victoriametrics/operator:v0.66.0"), "no-cluster-secret-read", {
      "no-cluster-secret-read": { operatorImages: ["registry.home.lan/mirror/prometheus-operator"] },
    });
  });

  it("no-cluster-secret-read on Grafana's pod names its k8s-sidecar container and what it lists, not operatorImages", async () => {
    // The grafana chart's pod: the dashboard sidecar (the one listing ConfigMaps and Secrets through
    // the API, grafana 12.3.1 templates/_pod.tpl) first, Grafana after it.
    const sidecar = (image: string, resource: string) => ({
      name: "grafana-sc-dashboard",
      image,
      env: [
        { name: "RESOURCE", value: resource },
        { name: "NAMESPACE", value: "ALL" },
      ],
    });
    const grafana = (image: string, resource: string) => {
      const p: any = pod("docker.io/grafana/grafana:12.3.1", "grafana");
      p.containers = [sidecar(image, resource), ...p.containers];
      return [role("reader", [SECRETS]), bind("reader", "grafana"), w("Deployment", "grafana", p)];
    };
    const pinned = "quay.io/kiwigrid/k8s-sidecar:1.30.9";
    const [configmaps] = await fails(
      grafana(pinned, "configmap"),
      "no-cluster-secret-read",
      /give it a role without Secrets \(only the operators need them\); of its containers, k8s-sidecar is the one reading through the API: grafana-sc-dashboard lists configmaps in every namespace \(RESOURCE "configmap", NAMESPACE "ALL"\): a role granting get, list and watch on configmaps there is all it needs\.$/,
    );
    assert.doesNotMatch(configmaps.message, /operatorImages/);
    await fails(
      grafana(pinned, "both"),
      "no-cluster-secret-read",
      /grafana-sc-dashboard lists secrets and configmaps in every namespace \(RESOURCE "both", NAMESPACE "ALL"\): a sidecar given RESOURCE "configmap" \(the grafana chart's sidecar\.<name>\.resource\) needs a role on configmaps alone\.$/,
    );
    // Pulled through the stack's declared mirror of quay.io, it is still k8s-sidecar.
    const info = stackInfo([]);
    info.inputs!.data.imageMirrors = JSON.stringify({ "quay.io": "registry.home.lan/quay" });
    const mirrored = await check(
      [info, ...grafana("registry.home.lan/quay/kiwigrid/k8s-sidecar:1.30.9", "configmap")],
      "no-cluster-secret-read",
    );
    assert.match(
      mirrored[0]?.message ?? "",
      /k8s-sidecar is the one reading through the API: grafana-sc-dashboard/,
    );
    // The pack knows the image the program pins (it reads the contract, not model/).
    const pin = versions.images.k8sSidecar;
    assert.equal(K8S_SIDECAR_REPOSITORY, `${pin.registry}/${pin.repository}`);
  });

  it("no-cluster-secret-read takes an operator's image at its registry or a declared mirror of it, not the same path elsewhere", async () => {
    const po = "prometheus-operator/prometheus-operator:v0.93.0";
    const [evil] = await fails(
      reader([SECRETS], `evil.example/${po}`),
      "no-cluster-secret-read",
      /add "evil\.example\/prometheus-operator\/prometheus-operator" to the no-cluster-secret-read policy's operatorImages config, or, if evil\.example mirrors quay\.io, say so in the stack's imageMirrors key \(quay\.io: evil\.example\)\.$/,
    );
    assert.ok(evil);
    // Declared in the stack's imageMirrors (the stack-info ConfigMap), the mirror's image is the operator.
    const info = stackInfo([]);
    info.inputs!.data.imageMirrors = JSON.stringify({ "quay.io": "registry.home.lan/quay" });
    await passes([info, ...reader([SECRETS], `registry.home.lan/quay/${po}`)], "no-cluster-secret-read");
    await fails(
      reader([SECRETS], `registry.home.lan/quay/${po}`),
      "no-cluster-secret-read",
      /imageMirrors key \(quay\.io: registry\.home\.lan\/quay\)/,
    );
  });

  it("no-nodes-proxy passes nodes/metrics; fails nodes/proxy", async () => {
    await passes(
      [role("scrape", [{ apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] }])],
      "no-nodes-proxy",
    );
    await fails(
      [role("scrape", [{ apiGroups: [""], resources: ["nodes", "nodes/proxy"], verbs: ["get"] }])],
      "no-nodes-proxy",
      /rules\[0\] grants nodes\/proxy/,
    );
  });

  it("host-paths-for-agents-only passes Vector on /var/log read-only; fails the host's /var/lib and a Deployment", async () => {
    const vector = (extra: any[] = []) => {
      const p: any = pod("docker.io/timberio/vector:0.56.0-debian");
      p.volumes = [{ name: "var-log", hostPath: { path: "/var/log/" } }, ...extra];
      p.containers[0].volumeMounts = [{ name: "var-log", mountPath: "/var/log", readOnly: true }];
      return p;
    };
    await passes([w("DaemonSet", "vector", vector())], "host-paths-for-agents-only");
    await fails(
      [w("DaemonSet", "vector", vector([{ name: "var-lib", hostPath: { path: "/var/lib/" } }]))],
      "host-paths-for-agents-only",
      /volume var-lib mounts the host's \/var\/lib: it does not need it as a node agent/,
    );
    await fails(
      [w("Deployment", "vector", vector())],
      "host-paths-for-agents-only",
      /only node agents \(DaemonSets\) may mount host paths/,
    );
  });

  it("host-paths-for-agents-only knows an agent at its registry or a declared mirror of it, not the same path elsewhere", async () => {
    const vector = (image: string) => {
      const p: any = pod(image);
      p.volumes = [{ name: "var-log", hostPath: { path: "/var/log" } }];
      p.containers[0].volumeMounts = [{ name: "var-log", mountPath: "/var/log", readOnly: true }];
      return [w("DaemonSet", "vector", p)];
    };
    const path = "timberio/vector:0.56.0-debian";
    await passes(vector(`docker.io/${path}`), "host-paths-for-agents-only");
    await passes(vector(path), "host-paths-for-agents-only");
    // Another registry's image of the agent's path is no agent: it gets no host path.
    await fails(
      vector(`ghcr.io/${path}`),
      "host-paths-for-agents-only",
      /volume var-log mounts the host's \/var\/log: it does not need it as a node agent \(no node agent image\)\.$/,
    );
    // A mirror's copy is the agent when the stack declares the mirror (its stack-info ConfigMap).
    const mirrored = vector(`registry.home.lan/dockerhub/${path}`);
    await fails(mirrored, "host-paths-for-agents-only", /no node agent image/);
    const info = stackInfo([]);
    info.inputs!.data.imageMirrors = JSON.stringify({ "docker.io": "registry.home.lan/dockerhub" });
    await passes([info, ...mirrored], "host-paths-for-agents-only");
    await fails([info, ...vector(`ghcr.io/${path}`)], "host-paths-for-agents-only", /no node agent image/);
  });

  it("host-paths-for-agents-only names an agents entry without a registry that once matched the agent by its path", async () => {
    const exporter: any = pod("quay.io/prometheus/node-exporter:v1.10.2");
    exporter.volumes = [
      { name: "proc", hostPath: { path: "/proc" } },
      { name: "sys", hostPath: { path: "/sys" } },
    ];
    exporter.containers[0].volumeMounts = [
      { name: "proc", mountPath: "/host/proc", readOnly: true },
      { name: "sys", mountPath: "/host/sys", readOnly: true },
    ];
    const agents = (image: string) => ({
      "host-paths-for-agents-only": {
        agents: [
          {
            image,
            paths: [
              { path: "/proc", readOnly: true },
              { path: "/sys", readOnly: true },
            ],
          },
        ],
      },
    });
    // Docker Hub's prometheus/node-exporter, as `docker pull` reads it, is not quay.io's.
    const refused = await fails(
      [w("DaemonSet", "node-exporter", exporter)],
      "host-paths-for-agents-only",
      /volume proc mounts the host's \/proc: it does not need it as a node agent \(no node agent image\); the agents entry "prometheus\/node-exporter" names Docker Hub's docker\.io\/prometheus\/node-exporter \(an image without a registry is Docker Hub's\), not quay\.io\/prometheus\/node-exporter: if it is that agent, write "quay\.io\/prometheus\/node-exporter" there\.$/,
      agents("prometheus/node-exporter"),
    );
    // One mistake, the entry: both volumes' violations share its key, and synth says them as one.
    assert.deepEqual(
      refused.map((v) => [/volume (\w+) mounts/.exec(v.message)?.[1], v.cause]),
      [
        ["proc", "agent-entry@prometheus/node-exporter"],
        ["sys", "agent-entry@prometheus/node-exporter"],
      ],
    );
    await passes(
      [w("DaemonSet", "node-exporter", exporter)],
      "host-paths-for-agents-only",
      agents("quay.io/prometheus/node-exporter"),
    );
  });

  it("seccomp-runtime-default passes pod-level RuntimeDefault; fails a container without it and a bare custom resource", async () => {
    await passes([w("StatefulSet", "mimir", pod("grafana/mimir:3"))], "seccomp-runtime-default");
    const bare: any = pod("grafana/mimir:3");
    delete bare.securityContext;
    await fails(
      [w("StatefulSet", "mimir", bare)],
      "seccomp-runtime-default",
      /container main runs with seccomp unset/,
    );
    const vmsingle = (securityContext: any) =>
      res(
        "kubernetes:operator.victoriametrics.com/v1beta1:VMSingle",
        { metadata: { name: "vm" }, spec: { securityContext } },
        { name: "vm" },
      );
    await passes([vmsingle(RD)], "seccomp-runtime-default");
    await fails(
      [vmsingle({})],
      "seccomp-runtime-default",
      /spec\.securityContext\.seccompProfile\.type is unset/,
    );
  });

  const builtinBinding = (role: string) =>
    res(
      `${RBAC}:ClusterRoleBinding`,
      {
        metadata: { name: "app" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name: "app", namespace: "monitoring" }],
      },
      { name: `binding-${role}` },
    );
  it("no-cluster-secret-read judges a binding to a Kubernetes built-in that reads Secrets (cluster-admin, admin, edit), not view or an unknown role", async () => {
    const app = w("Deployment", "app", pod("docker.io/grafana/grafana:12", "app"));
    for (const role of ["cluster-admin", "admin", "edit"])
      await fails(
        [builtinBinding(role), app],
        "no-cluster-secret-read",
        new RegExp(`to ClusterRole ${role}, a Kubernetes built-in that reads secrets`),
      );
    await passes([builtinBinding("view"), app], "no-cluster-secret-read");
    await passes([builtinBinding("someone-elses-role"), app], "no-cluster-secret-read");
    // The stack's own role of a built-in's name is judged by its own rules.
    await passes(
      [
        role("edit", [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }]),
        builtinBinding("edit"),
        app,
      ],
      "no-cluster-secret-read",
    );
  });

  it("an empty or partial image in a config list names no image (it no longer turns a policy off)", async () => {
    await fails(reader([SECRETS]), "no-cluster-secret-read", /can read every Secret of the cluster/, {
      "no-cluster-secret-read": { operatorImages: [""] },
    });
    await fails(reader([SECRETS]), "no-cluster-secret-read", /can read every Secret of the cluster/, {
      "no-cluster-secret-read": { operatorImages: ["grafana/graf"] },
    });
    await passes(reader([SECRETS]), "no-cluster-secret-read", {
      "no-cluster-secret-read": { operatorImages: ["grafana/grafana"] },
    });
    const etc: any = pod("docker.io/grafana/grafana:12");
    etc.volumes = [{ name: "etc", hostPath: { path: "/etc" } }];
    await fails(
      [w("DaemonSet", "agent", etc)],
      "host-paths-for-agents-only",
      /mounts the host's \/etc: it does not need it as a node agent/,
      {
        "host-paths-for-agents-only": { agents: [{ image: "", paths: [{ path: "/etc", readOnly: false }] }] },
      },
    );
  });

  // Said as "agents[0].paths is missing", never naming the key written.
  it("the pack config refuses a misspelt key of an agent once, naming it and the key it means", () =>
    assert.deepEqual(
      packConfigProblems({
        "host-paths-for-agents-only": {
          agents: [
            { image: "timberio/vector", path: ["/var/log"] },
            { image: "x", paths: [{ path: "/a", readOnly: true, ro: 1 }] },
          ],
        },
      }),
      [
        'host-paths-for-agents-only: agents[0].path is not a key here (expected one of image, paths); did you mean "paths"? (paths is required and missing: rename this key)',
        "host-paths-for-agents-only: agents[1].paths[0].ro is not a key here (expected one of path, readOnly)",
      ],
    ));

  it("the pack config refuses an empty image entry, naming the key", () => {
    const problems = [
      ...packConfigProblems({ "no-cluster-secret-read": { operatorImages: [""] } }),
      ...packConfigProblems({
        "host-paths-for-agents-only": {
          agents: [{ image: "", paths: [{ path: "/var/log", readOnly: true }] }],
        },
      }),
    ].join("\n");
    // One line per mistake: the pattern alone refuses the empty entry.
    assert.deepEqual(problems.split("\n"), [
      'no-cluster-secret-read: operatorImages[0] must be an image, one word without spaces, found string ""',
      'host-paths-for-agents-only: agents[0].image must be an image, one word without spaces, found string ""',
    ]);
  });

  it("seccomp-runtime-default names the container's own field when it overrides the pod's RuntimeDefault", async () => {
    const p: any = pod("grafana/mimir:3");
    p.containers[0].securityContext = { seccompProfile: { type: "Unconfined" } };
    const v = await fails(
      [w("StatefulSet", "mimir", p)],
      "seccomp-runtime-default",
      /set spec\.template\.spec\.containers\[0\]\.securityContext\.seccompProfile\.type to RuntimeDefault/,
    );
    assert.ok(v.every((x) => !/on the pod/.test(x.message)));
  });
});
