import { strict as assert } from "assert";
import { PARKED_NODE_SELECTOR, RENDERED_KEY } from "@homelab-observability/contract";
import type { ExportedResource } from "../../policy/evaluate";
import { check, fails, passes, release, res, stackInfo, v4Chart, workload } from "../support/policyCases";
import { packConfigProblems } from "../../synth/pack";

const P = "resource-budget";
const pools = () =>
  stackInfo([
    { name: "nuc", arch: "amd64", count: 2 },
    { name: "pi", arch: "arm64", count: 3, taints: [{ key: "pi", effect: "NoSchedule" }] },
  ]);
const pod = (sched: Record<string, any>) =>
  v4Chart("app", [
    workload("Deployment", "app", {
      containers: [
        { name: "c", image: "grafana/loki", resources: { requests: { cpu: "100m", memory: "128Mi" } } },
      ],
      ...sched,
    }),
  ]);

describe("policy (budget): well-known node labels are on every node", () => {
  it("passes: a realistic workload with a modest request", () => passes([pools(), ...pod({})], P));
  for (const [title, sched] of [
    ["nodeSelector kubernetes.io/os: linux", { nodeSelector: { "kubernetes.io/os": "linux" } }],
    [
      "nodeSelector kubernetes.io/arch: amd64 (pool records arch only)",
      { nodeSelector: { "kubernetes.io/arch": "amd64" } },
    ],
    [
      "nodeSelector kubernetes.io/hostname: nuc-1 (hostnames are not recorded)",
      { nodeSelector: { "kubernetes.io/hostname": "nuc-1" } },
    ],
    ["nodeSelector beta.kubernetes.io/os: linux", { nodeSelector: { "beta.kubernetes.io/os": "linux" } }],
  ] as const)
    it(`passes: ${title} is not "would stay Pending"`, () => passes([pools(), ...pod(sched)], P));
  it("fails: a selector on a label no pool has would stay Pending", () =>
    fails(
      [pools(), ...pod({ nodeSelector: { disktype: "ssd" } })],
      P,
      /no node of the 2 pools admits app, so it would stay Pending/,
    ));
  it("passes: a parked DaemonSet (the agents' hand-over) runs on no node on purpose", () =>
    passes(
      [
        pools(),
        ...v4Chart("agent", [
          workload("DaemonSet", "agent", {
            containers: [{ name: "c", image: "grafana/alloy", resources: { requests: { cpu: "100m" } } }],
            nodeSelector: { ...PARKED_NODE_SELECTOR },
          }),
        ]),
      ],
      P,
    ));
  it("fails: the same selector on a Deployment is no parking: it would stay Pending", () =>
    fails(
      [pools(), ...pod({ nodeSelector: { ...PARKED_NODE_SELECTOR } })],
      P,
      /admits app, so it would stay Pending/,
    ));
  it("fails: kubernetes.io/os: windows matches no Linux pool", () =>
    fails([pools(), ...pod({ nodeSelector: { "kubernetes.io/os": "windows" } })], P, /would stay Pending/));
  it("fails: arm64 only, but every arm64 node is tainted and not tolerated", () =>
    fails([pools(), ...pod({ nodeSelector: { "kubernetes.io/arch": "arm64" } })], P, /would stay Pending/));
});

/*
 * Sized components (the stack-info ConfigMap's `sized`, config/sizing.ts planSizing) in a live
 * `pulumi preview`: each helm.sh/v3 Release is opaque (its values as inputs, no objects), so the
 * pack finds the sized workloads through its chart model, by the name and kind the chart renders.
 * The same stacks offline (the release marked rendered, its objects beside it) report the same.
 */
type Mem = { requests: { cpu: string; memory: string }; limits: { memory: string } };
const mem = (request: string, limit = request): Mem => ({
  requests: { cpu: "100m", memory: request },
  limits: { memory: limit },
});
const Mi = 2 ** 20;
const GiB = 2 ** 30;
const sized = (component: string, workload: string, replicas: number, request: number, limit = request) => ({
  component,
  workload,
  replicas,
  memoryBytes: limit,
  requestBytes: request,
  volumeBytes: 0,
  sizedFor: "the profile",
});
const RELEASE = "kubernetes:helm.sh/v3:Release";
/** A Release as the program registers it: Pulumi name, Helm release name, chart, values. */
const helmRelease = (resName: string, helmName: string, chart: string, values: any, rendered: boolean) =>
  res(
    RELEASE,
    {
      name: helmName,
      chart,
      version: "1.0.0",
      namespace: "monitoring",
      values,
      ...(rendered ? { [RENDERED_KEY]: 1 } : {}),
    },
    { name: resName },
  );
/** A rendered or program-written workload object with one container per resources block. */
const object = (
  kind: "Deployment" | "StatefulSet",
  name: string,
  replicas: number,
  ...blocks: Mem[]
): ExportedResource => {
  const w = workload(kind, name, {
    containers: blocks.map((resources, i) => ({ name: `c${i}`, image: "grafana/loki", resources })),
  });
  w.inputs.spec.replicas = replicas;
  return res(w.type, w.inputs, { name });
};
/** A custom resource an operator runs pods from (Prometheus, VMSingle, ...). */
const cr = (type: string, name: string, spec: any): ExportedResource =>
  res(type, { metadata: { name, namespace: "monitoring" }, spec }, { name });
const PROMETHEUS = "kubernetes:monitoring.coreos.com/v1:Prometheus";
const VM = (kind: string) => `kubernetes:operator.victoriametrics.com/v1beta1:${kind}`;
const LOKI_OFF = {
  chunksCache: { enabled: false },
  resultsCache: { enabled: false },
  lokiCanary: { enabled: false },
  gateway: { enabled: false },
};
const KPS_ONLY_PROMETHEUS = {
  alertmanager: { enabled: false },
  grafana: { enabled: false },
  nodeExporter: { enabled: false },
  kubeStateMetrics: { enabled: false },
  prometheusOperator: { admissionWebhooks: { enabled: false } },
};

/** Each stack: its sized components and, from one set of sizes, its live and its offline resources. */
interface SizedStack {
  sized: ReturnType<typeof sized>[];
  sizes: Record<string, Mem>;
  build(s: Record<string, Mem>, rendered: boolean): ExportedResource[];
}
const STACKS: Record<string, SizedStack> = {
  // production's shape: Mimir (the program's own StatefulSet), Prometheus, Loki SimpleScalable.
  "mimir, prometheus, loki SimpleScalable": {
    sized: [
      sized("mimir", "mimir", 1, 4 * GiB),
      sized("prometheus", "kps-prometheus", 1, 4 * GiB),
      sized("loki write", "loki-write", 3, GiB),
      sized("loki backend", "loki-backend", 3, GiB),
      sized("loki read", "loki-read", 3, 256 * Mi, GiB),
    ],
    sizes: {
      mimir: mem("4Gi"),
      prometheus: mem("4Gi"),
      write: mem("1Gi"),
      backend: mem("1Gi"),
      read: mem("256Mi", "1Gi"),
      sidecar: mem("48Mi", "128Mi"),
    },
    build: (s, rendered) => [
      object("StatefulSet", "mimir", 1, s.mimir),
      helmRelease(
        "loki",
        "loki",
        "loki",
        {
          deploymentMode: "SimpleScalable",
          singleBinary: { replicas: 0 },
          write: { replicas: 3, resources: s.write },
          read: { replicas: 3, resources: s.read },
          backend: { replicas: 3, resources: s.backend },
          sidecar: { resources: s.sidecar },
          ...LOKI_OFF,
        },
        rendered,
      ),
      ...(rendered
        ? [
            object("StatefulSet", "loki-write", 3, s.write),
            object("Deployment", "loki-read", 3, s.read),
            object("StatefulSet", "loki-backend", 3, s.backend, s.sidecar),
          ]
        : []),
      helmRelease(
        "kube-prometheus-stack",
        "kube-prometheus-stack",
        "kube-prometheus-stack",
        {
          fullnameOverride: "kps",
          prometheus: { prometheusSpec: { replicas: 1, resources: s.prometheus } },
          ...KPS_ONLY_PROMETHEUS,
        },
        rendered,
      ),
      ...(rendered ? [cr(PROMETHEUS, "kps-prometheus", { replicas: 1, resources: s.prometheus })] : []),
    ],
  },
  // pi's shape: vmsingle beside the chart's VMAgent, VMAlert and VMAlertmanager, all named "vm";
  // Loki SingleBinary.
  "vmsingle, loki SingleBinary": {
    sized: [sized("vmsingle", "vm", 1, GiB), sized("loki single binary", "loki", 1, GiB)],
    sizes: {
      vmsingle: mem("1Gi"),
      vmagent: mem("128Mi", "512Mi"),
      vmalert: mem("64Mi", "256Mi"),
      alertmanager: mem("48Mi", "128Mi"),
      single: mem("1Gi"),
      sidecar: mem("48Mi", "128Mi"),
    },
    build: (s, rendered) => [
      helmRelease(
        "victoriametrics",
        "vm",
        "victoria-metrics-k8s-stack",
        {
          fullnameOverride: "vm",
          grafana: { enabled: false },
          vmsingle: { enabled: true, spec: { resources: s.vmsingle } },
          vmagent: { enabled: true, spec: { resources: s.vmagent } },
          vmalert: { enabled: true, spec: { resources: s.vmalert } },
          alertmanager: { enabled: true, spec: { resources: s.alertmanager } },
        },
        rendered,
      ),
      ...(rendered
        ? [
            cr(VM("VMSingle"), "vm", { resources: s.vmsingle }),
            cr(VM("VMAgent"), "vm", { resources: s.vmagent }),
            cr(VM("VMAlert"), "vm", { resources: s.vmalert }),
            cr(VM("VMAlertmanager"), "vm", { resources: s.alertmanager }),
          ]
        : []),
      helmRelease(
        "loki",
        "loki",
        "loki",
        {
          deploymentMode: "SingleBinary",
          singleBinary: { replicas: 1, resources: s.single },
          write: { replicas: 0 },
          read: { replicas: 0 },
          backend: { replicas: 0 },
          sidecar: { resources: s.sidecar },
          ...LOKI_OFF,
        },
        rendered,
      ),
      ...(rendered ? [object("StatefulSet", "loki", 1, s.single, s.sidecar)] : []),
    ],
  },
  // A VMCluster (the operator's `<part>-vm`), and a takeover's kube-prometheus-stack, whose release
  // name holds the chart's: its fullname is the release name.
  "vmcluster, takeover prometheus": {
    sized: [
      sized("vmstorage", "vmstorage-vm", 2, 2 * GiB),
      sized("vminsert", "vminsert-vm", 2, 256 * Mi, GiB),
      sized("vmselect", "vmselect-vm", 2, 256 * Mi, GiB),
      sized("prometheus", "kube-prometheus-stack-prometheus", 1, 4 * GiB),
    ],
    sizes: {
      vmstorage: mem("2Gi"),
      vminsert: mem("256Mi", "1Gi"),
      vmselect: mem("256Mi", "1Gi"),
      prometheus: mem("4Gi"),
    },
    build: (s, rendered) => {
      const spec = {
        vmstorage: { replicaCount: 2, resources: s.vmstorage },
        vminsert: { replicaCount: 2, resources: s.vminsert },
        vmselect: { replicaCount: 2, resources: s.vmselect },
      };
      return [
        helmRelease(
          "victoriametrics",
          "vm",
          "victoria-metrics-k8s-stack",
          {
            fullnameOverride: "vm",
            grafana: { enabled: false },
            vmagent: { enabled: false },
            vmalert: { enabled: false },
            alertmanager: { enabled: false },
            vmsingle: { enabled: false },
            vmcluster: { enabled: true, spec },
          },
          rendered,
        ),
        ...(rendered ? [cr(VM("VMCluster"), "vm", spec)] : []),
        helmRelease(
          "kube-prometheus-stack",
          "kube-prometheus-stack",
          "kube-prometheus-stack",
          {
            prometheus: { prometheusSpec: { replicas: 1, resources: s.prometheus } },
            ...KPS_ONLY_PROMETHEUS,
          },
          rendered,
        ),
        ...(rendered
          ? [cr(PROMETHEUS, "kube-prometheus-stack-prometheus", { replicas: 1, resources: s.prometheus })]
          : []),
      ];
    },
  },
};
const sizedPools = (sizedComponents: ReturnType<typeof sized>[]) =>
  stackInfo([{ name: "nuc", arch: "amd64", count: 3 }], true, sizedComponents);
/** What the declared workload sizes each component for, as config/sizing.ts records it. */
const declared = (c: ReturnType<typeof sized>) => ({
  ...c,
  sizedFor: c.component.startsWith("loki")
    ? "50GiB a day (workload.logsPerDay)"
    : "2000000 series (workload.activeSeries)",
});
/** The stack with its components sized from a declared workload, or at the profile's size. */
const stack = (st: SizedStack, change: Record<string, Mem>, rendered: boolean, from = declared) => [
  sizedPools(st.sized.map(from)),
  ...st.build({ ...st.sizes, ...change }, rendered),
];
const undersized = async (resources: ExportedResource[]) =>
  (await check(resources, P)).map((v) => v.message).filter((m) => / sized for /.test(m));

/** One change per case: a sized component's values request less than it is sized for. */
const FAILING: [string, string, Record<string, Mem>, RegExp][] = [
  [
    "mimir, prometheus, loki SimpleScalable",
    "loki write requests 512Mi",
    { write: mem("512Mi", "1Gi") },
    /^loki-write: sized for 50GiB a day \(workload\.logsPerDay\) \(request 1024Mi, limit 1024Mi of memory\), but its pods request 512Mi and are limited to 1024Mi/,
  ],
  [
    "mimir, prometheus, loki SimpleScalable",
    "loki read is limited to 512Mi",
    { read: mem("256Mi", "512Mi") },
    /^loki-read: .*limited to 512Mi/,
  ],
  [
    "mimir, prometheus, loki SimpleScalable",
    "loki backend requests 512Mi (its rules sidecar counted)",
    { backend: mem("512Mi", "1Gi") },
    /^loki-backend: .*request 560Mi and are limited to 1152Mi/,
  ],
  [
    "mimir, prometheus, loki SimpleScalable",
    "Prometheus requests 2Gi",
    { prometheus: mem("2Gi", "4Gi") },
    /^kps-prometheus: .*request 2048Mi/,
  ],
  [
    "mimir, prometheus, loki SimpleScalable",
    "Mimir (the program's StatefulSet) requests 2Gi",
    { mimir: mem("2Gi", "4Gi") },
    /^mimir: .*request 2048Mi/,
  ],
  [
    "vmsingle, loki SingleBinary",
    "vmsingle requests 512Mi (not confused with the VMAgent, VMAlert, VMAlertmanager named vm)",
    { vmsingle: mem("512Mi", "1Gi") },
    /^vm: .*request 512Mi and are limited to 1024Mi/,
  ],
  [
    "vmsingle, loki SingleBinary",
    "the Loki single binary requests 512Mi",
    { single: mem("512Mi", "1Gi") },
    /^loki: .*request 560Mi/,
  ],
  [
    "vmcluster, takeover prometheus",
    "vmstorage requests 1Gi",
    { vmstorage: mem("1Gi", "2Gi") },
    /^vmstorage-vm: .*request 1024Mi/,
  ],
  [
    "vmcluster, takeover prometheus",
    "vmselect is limited to 512Mi",
    { vmselect: mem("256Mi", "512Mi") },
    /^vmselect-vm: .*limited to 512Mi/,
  ],
  [
    "vmcluster, takeover prometheus",
    "Prometheus (release name holding the chart's) requests 2Gi",
    { prometheus: mem("2Gi", "4Gi") },
    /^kube-prometheus-stack-prometheus: .*request 2048Mi/,
  ],
];

describe("policy (budget): sized components in a live preview (opaque releases)", () => {
  for (const [title, st] of Object.entries(STACKS)) {
    it(`passes: ${title}, every sized component's values request what it is sized for`, () =>
      passes(stack(st, {}, false), P));
    it(`passes offline too: ${title}, rendered objects beside their releases`, () =>
      passes(stack(st, {}, true), P));
  }
  for (const [title, change, over, pattern] of FAILING)
    it(`fails: ${title}: ${change}; offline reports the same`, async () => {
      const st = STACKS[title];
      const live = await undersized(stack(st, over, false));
      assert.equal(live.length, 1, live.join("\n"));
      assert.match(live[0], pattern);
      assert.deepEqual(await undersized(stack(st, over, true)), live);
    });
});

describe("policy (budget): components at the profile's size, lowered by a chartValues override", () => {
  // The profile's sizes are defaults (model/sizing.ts), not a capacity figure: a Pi stack lowering
  // Loki's and vmsingle's 1Gi (chartValues.loki.singleBinary.resources, as the budget's own advice
  // for a pod no node holds says) was refused as "sized for the profile ... but its pods request
  // 900Mi", so a 1100Mi node had no way to pass. The node fit and the pools' share judge them.
  const profile = (c: ReturnType<typeof sized>) => c;
  for (const [title, change, over] of FAILING)
    it(`passes: ${title}: ${change}, sized for the profile; offline too`, async () => {
      const st = STACKS[title];
      assert.deepEqual(await undersized(stack(st, over, false, profile)), []);
      assert.deepEqual(await undersized(stack(st, over, true, profile)), []);
    });
});

describe("policy (budget): a component its declared workload sizes below the profile's size", () => {
  // 15GB of logs a day need 355Mi of a Monolithic Loki (302Mi by upstream's tier, config/sizing.ts
  // lokiTargetBytes, over the chart's GOMEMLIMIT share, lokiPodBytes), less than the profile's 1Gi
  // it runs at: the 1Gi is a default an override may
  // lower, down to what the logs need. It was refused as "sized for 15GB a day ... request 1024Mi".
  const st = STACKS["vmsingle, loki SingleBinary"];
  const below = (c: ReturnType<typeof sized>) =>
    c.component.startsWith("loki")
      ? { ...c, sizedFor: "15GB a day (workload.logsPerDay)", needBytes: 400 * 2 ** 20 }
      : declared(c);
  for (const rendered of [false, true]) {
    it(`passes: lowered to 512Mi, above the 400Mi its logs need (${rendered ? "offline" : "live"})`, async () =>
      assert.deepEqual(await undersized(stack(st, { single: mem("512Mi", "512Mi") }, rendered, below)), []));
    it(`fails: lowered below what its logs need, naming that need (${rendered ? "offline" : "live"})`, async () => {
      const found = await undersized(stack(st, { single: mem("256Mi", "256Mi") }, rendered, below));
      assert.equal(found.length, 1, found.join("\n"));
      assert.match(
        found[0],
        /^loki: sized for 15GB a day \(workload\.logsPerDay\), which needs 400Mi of memory a pod \(the program gives it the profile's 1024Mi, a default a chartValues override may lower to that\), but its pods request 304Mi and are limited to 384Mi/,
      );
    });
  }
});

describe("policy (budget): a Loki limited over its load for the chart's GOMEMLIMIT", () => {
  // Sized for its logs, a Loki pod is limited to its load over the share of the limit the loki
  // chart gives its Go runtime (contract SizedComponent.runtimeShare, 0.85): the share is of the
  // limit, so a request holding the load is enough, and with no limit the chart sets no
  // GOMEMLIMIT. A request of 900Mi under the write pods' 1Gi limit (870Mi of load) was refused as
  // "request 1024Mi".
  const st = STACKS["mimir, prometheus, loki SimpleScalable"];
  const share = (c: ReturnType<typeof sized>) =>
    c.component === "loki write" ? { ...declared(c), runtimeShare: 0.85 } : declared(c);
  const noLimit = (memory: string) => ({ requests: { cpu: "100m", memory } }) as unknown as Mem;
  for (const rendered of [false, true]) {
    const on = rendered ? "offline" : "live";
    it(`passes: loki write requests 900Mi, above its 870Mi of load, limited to its 1Gi (${on})`, async () =>
      assert.deepEqual(await undersized(stack(st, { write: mem("900Mi", "1Gi") }, rendered, share)), []));
    it(`passes: loki write requests 900Mi with no memory limit (${on})`, async () =>
      assert.deepEqual(await undersized(stack(st, { write: noLimit("900Mi") }, rendered, share)), []));
    it(`fails: a request below the load, or a limit below load over the share, naming both (${on})`, async () => {
      for (const change of [mem("850Mi", "1Gi"), mem("900Mi", "950Mi")]) {
        const found = await undersized(stack(st, { write: change }, rendered, share));
        assert.equal(found.length, 1, found.join("\n"));
        assert.match(
          found[0],
          /^loki-write: sized for 50GiB a day \(workload\.logsPerDay\) \(request 870Mi, limit 1024Mi of memory: the loki chart gives Loki's Go runtime 85% of the limit as GOMEMLIMIT\), but its pods request (850|900)Mi and are limited to (1024|950)Mi/,
        );
      }
    });
  }
});

describe("policy (budget): a sized component whose resources value is no map", () => {
  // `chartValues.loki.singleBinary.resources: 512Mi`: Helm refuses the values (the chart's schema),
  // and synth says so naming the override. The model must not read the text as requests of 0Mi
  // and add a second, false message ("its pods request 0Mi") for the one mistake.
  for (const [what, value] of [
    ["text", "512Mi"],
    ["a list", ["512Mi"]],
  ] as const)
    it(`says nothing of its size when the value is ${what}: what its pods request is not known`, async () => {
      const st = STACKS["vmsingle, loki SingleBinary"];
      assert.deepEqual(await undersized(stack(st, { single: value as unknown as Mem }, false)), []);
    });
  it("still compares a resources map that sets no requests (the chart's pods then request none)", async () => {
    const st = STACKS["vmsingle, loki SingleBinary"];
    const found = await undersized(stack(st, { single: {} as Mem }, false));
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0], /^loki: .*but its pods request 48Mi/);
  });
});

describe("policy (budget): a container with a limit and no request requests its limit", () => {
  // The API server gives a Pod's container whose request is unset the request of its limit
  // (kubernetes pkg/apis/core/v1/defaults.go SetDefaults_Pod). `chartValues.loki.write.resources:
  // {requests: null}` leaves the sized write pods limited to 1Gi and, so, requesting 1Gi: the
  // budget said "its pods request 0Mi" and refused a stack whose pods request what they are sized
  // for; a limit of 64Gi with no request said nothing of a pod no node holds.
  const limitOnly = (memory: string) => ({ limits: { memory } }) as unknown as Mem;
  const st = STACKS["mimir, prometheus, loki SimpleScalable"];
  for (const rendered of [false, true])
    it(`passes: loki write limited to the 1Gi it is sized for, no request (${rendered ? "offline" : "live"})`, async () =>
      assert.deepEqual(await undersized(stack(st, { write: limitOnly("1Gi") }, rendered)), []));
  it("fails: a pod limited to 64Gi with no request is one no node holds, at 65536Mi", () =>
    fails(
      [
        pools(),
        ...pod({
          containers: [{ name: "c", image: "grafana/loki", resources: { limits: { memory: "64Gi" } } }],
        }),
      ],
      P,
      /Deployment app \(65536Mi of memory\): each pod requests more than one node holds/,
    ));
});

describe("policy (budget): an Alertmanager's pod requests the memory prometheus-operator gives it", () => {
  // prometheus-operator v0.93.0 sets an Alertmanager's memory request to 200Mi where its
  // spec.resources sets none (pkg/alertmanager/statefulset.go:103-108), before the API server would
  // default that request to the limit. A 64Gi limit with no request is a pod requesting 200Mi,
  // which fits; the budget said "each pod requests more than one node holds" and refused it.
  const AM = { limits: { memory: "64Gi" } };
  it("passes: an Alertmanager custom resource limited to 64Gi with no request", () =>
    passes([pools(), cr("kubernetes:monitoring.coreos.com/v1:Alertmanager", "am", { resources: AM })], P));
  it("passes: kube-prometheus-stack's alertmanager limited to 64Gi with no request (a live preview)", () =>
    passes(
      [
        pools(),
        helmRelease(
          "kps",
          "kps",
          "kube-prometheus-stack",
          { ...KPS_ONLY_PROMETHEUS, alertmanager: { alertmanagerSpec: { resources: AM } } },
          false,
        ),
      ],
      P,
    ));
  it("still fails a request of 64Gi set in the resource", () =>
    fails(
      [
        pools(),
        cr("kubernetes:monitoring.coreos.com/v1:Alertmanager", "am", {
          resources: { requests: { memory: "64Gi" } },
        }),
      ],
      P,
      /Alertmanager am \(65536Mi of memory\): each pod requests more than one node holds/,
    ));
});

describe("policy (budget): maxRequestShare is a fraction in (0, 1]", () => {
  // A user thinking in percent (80) would let requests take 80 times the capacity; -1 printed
  // "above the -100.0% budget". The schema refuses both where the config is validated; the policy
  // says so itself where it is handed the config unchecked.
  for (const share of [80, -1, 0])
    it(`fails naming the key, the form and ${share}, judging nothing else`, async () => {
      const v = await check([pools(), ...pod({})], P, { [P]: { maxRequestShare: share } });
      assert.equal(v.length, 1, v.map((x) => x.message).join("\n"));
      assert.equal(
        v[0].message,
        `maxRequestShare must be a fraction of capacity in (0, 1] (0.8 for 80%), found ${share}; the budget is not judged until it is one.`,
      );
    });
  it("passes 1 and 0.5", async () => {
    await passes([pools(), ...pod({})], P, { [P]: { maxRequestShare: 1 } });
    await passes([pools(), ...pod({})], P, { [P]: { maxRequestShare: 0.5 } });
  });
});

describe("policy (budget): a request computed from a value names that value", () => {
  // loki's memcached requests 1.2 x allocatedMemory (MB) when its resources are unset: 8192 MB is
  // 9830Mi, more than an 8Gi node; "Lower its requests" named no key the user could find.
  it("fails loki's chunks cache on 8Gi nodes, naming values.chunksCache.allocatedMemory", () =>
    fails(
      [stackInfo([{ name: "nuc", arch: "amd64", count: 3 }]), release("loki", {})],
      P,
      /^StatefulSet loki\/chunksCache \(9830Mi of memory\): each pod requests more than one node holds .*\(pool nuc: 8192Mi of memory per node\), so it would stay Pending \(a pod runs on one node\)\. Set `nodePools\[0\]\.memory` to at least 9830Mi, or lower its requests \(StatefulSet loki\/chunksCache: values\.chunksCache\.allocatedMemory \(8192 MB; with values\.chunksCache\.resources unset the chart requests 1\.2 times it as memory\)\)\.$/,
    ));
});

describe("policy (budget): a pod must fit one node beside the DaemonSets' pods on it", () => {
  // One pool of 8Gi nodes; an agent on every node requesting 1Gi, as the scheduler counts it.
  const agent = () =>
    v4Chart("agents", [
      workload("DaemonSet", "agent", {
        containers: [{ name: "c", image: "timberio/vector", resources: { requests: { memory: "1Gi" } } }],
      }),
    ]);
  const app = (name: string, memory: string) =>
    v4Chart(name, [
      workload("Deployment", name, {
        containers: [{ name: "c", image: "grafana/loki", resources: { requests: { memory } } }],
      }),
    ]);
  const one = () => stackInfo([{ name: "nuc", arch: "amd64", count: 3 }]);
  it("passes 7Gi beside the agent's 1Gi on an 8Gi node", () =>
    passes([one(), ...agent(), ...app("a", "7Gi")], P));
  it("passes 7.5Gi without the agent", () => passes([one(), ...app("a", "7680Mi")], P));
  it("fails 7.5Gi beside it, naming every such workload in one message with the pool's key and the size it needs", async () => {
    const v = await check([one(), ...agent(), ...app("a", "7680Mi"), ...app("b", "7900Mi")], P);
    assert.deepEqual(
      v.map((x) => x.message),
      [
        "Deployment a (7680Mi of memory), Deployment b (7900Mi of memory): each pod requests more than one node holds beside the DaemonSets' pods on it (pool nuc: 8192Mi of memory per node, 1024Mi of it requested by the DaemonSets' pods on every node (agent 1024Mi): 7168Mi left), so they would stay Pending (a pod runs on one node). Set `nodePools[0].memory` to at least 8924Mi, or lower their requests (Deployment a: its pods' requests; Deployment b: its pods' requests).",
      ],
    );
  });
  it("names the 10 that ask the most memory past 10 such workloads, by name, and counts the rest; the node size needed is still every one's", async () => {
    // w00 asks the least, w11 the most: w00 and w01 are the two left out, and w11 sets the size.
    const apps = Array.from({ length: 12 }, (_, i) => app(`w${String(i).padStart(2, "0")}`, `${7500 + i}Mi`));
    const [message, ...more] = (await check([one(), ...agent(), ...apps.flat()], P)).map((x) => x.message);
    assert.deepEqual(more, []);
    const named = Array.from({ length: 10 }, (_, i) => `Deployment w${String(i + 2).padStart(2, "0")}`);
    assert.equal(
      message,
      `${named.map((n, i) => `${n} (${7502 + i}Mi of memory)`).join(", ")}, and 2 other workloads (the 10 named ask the most memory): each pod requests more than one node holds beside the DaemonSets' pods on it (pool nuc: 8192Mi of memory per node, 1024Mi of it requested by the DaemonSets' pods on every node (agent 1024Mi): 7168Mi left), so they would stay Pending (a pod runs on one node). Set \`nodePools[0].memory\` to at least 8535Mi, or lower their requests (${named.map((n) => `${n}: its pods' requests`).join("; ")}; the other 2 likewise).`,
    );
  });
  it("fails a pod the program sized from a stack key naming that key as what to lower, not its chart's requests", async () => {
    const mimir = object("StatefulSet", "mimir", 1, mem("7680Mi"));
    const info = stackInfo([{ name: "nuc", arch: "amd64", count: 3 }], true, [
      { ...sized("mimir", "mimir", 1, 7680 * Mi), sizedFor: "1520000 series (workload.activeSeries)" },
    ]);
    const v = await check([info, ...agent(), mimir], P);
    assert.deepEqual(
      v.map((x) => x.message),
      [
        "StatefulSet mimir (7680Mi of memory): each pod requests more than one node holds beside the DaemonSets' pods on it (pool nuc: 8192Mi of memory per node, 1024Mi of it requested by the DaemonSets' pods on every node (agent 1024Mi): 7168Mi left), so it would stay Pending (a pod runs on one node). Set `nodePools[0].memory` to at least 8704Mi, or lower its requests (StatefulSet mimir: sized for 1520000 series by `workload.activeSeries`).",
      ],
    );
  });
  it("fails a DaemonSet larger than the node and a pod beside it with one message whichever comes first, sizing the node for the pod and the DaemonSet together", async () => {
    const big = () =>
      v4Chart("agents", [
        workload("DaemonSet", "agent", {
          containers: [{ name: "c", image: "timberio/vector", resources: { requests: { memory: "9Gi" } } }],
        }),
      ]);
    const said = async (resources: ExportedResource[]) => (await check(resources, P)).map((x) => x.message);
    const expected = [
      "DaemonSet agent (9216Mi of memory), Deployment a (7680Mi of memory): each pod requests more than one node holds beside the DaemonSets' pods on it (pool nuc: 8192Mi of memory per node, less than the 9216Mi the DaemonSets' pods on every node request (agent 9216Mi)), so they would stay Pending (a pod runs on one node). Set `nodePools[0].memory` to at least 16896Mi, or lower their requests (DaemonSet agent: its pods' requests; Deployment a: its pods' requests).",
    ];
    assert.deepEqual(await said([one(), ...big(), ...app("a", "7680Mi")]), expected);
    assert.deepEqual(await said([one(), ...app("a", "7680Mi"), ...big()]), expected);
  });
});

describe("policy (budget): replicas a hard node anti-affinity spreads need a node each", () => {
  const labels = { "app.kubernetes.io/name": "db" };
  /** A StatefulSet `name` of `replicas` with pod anti-affinity `anti`, its pods labelled `labels`. */
  const db = (replicas: number, anti: Record<string, any>, name = "db") => {
    const w = workload("StatefulSet", name, {
      containers: [{ name: "c", image: "grafana/loki", resources: { requests: { memory: "128Mi" } } }],
      affinity: { podAntiAffinity: anti },
    });
    w.inputs.spec.replicas = replicas;
    w.inputs.spec.template.metadata = { labels };
    return w;
  };
  const hard = (selector: Record<string, string>, topologyKey = "kubernetes.io/hostname") => ({
    requiredDuringSchedulingIgnoredDuringExecution: [
      { labelSelector: { matchLabels: selector }, topologyKey },
    ],
  });
  const two = () => stackInfo([{ name: "nuc", arch: "amd64", count: 2 }]);
  it("fails 3 replicas on 2 nodes, naming the nodes' key", async () => {
    const v = await check([two(), ...v4Chart("db", [db(3, hard(labels))])], P);
    assert.deepEqual(
      v.map((x) => x.message),
      [
        "StatefulSet db: 3 replicas (its replica count), but its required pod anti-affinity on kubernetes.io/hostname keeps each on a node of its own, and the pools that admit and hold its pods have 2 nodes (pool nuc, `nodePools[0].count`): 1 would stay Pending. Set its replica count to at most 2, or add nodes.",
      ],
    );
  });
  it("passes 2 replicas on 2 nodes", () => passes([two(), ...v4Chart("db", [db(2, hard(labels))])], P));
  it("passes 3 when the anti-affinity selects other pods, is per zone, or is only preferred", async () => {
    await passes([two(), ...v4Chart("db", [db(3, hard({ "app.kubernetes.io/name": "other" }))])], P);
    await passes([two(), ...v4Chart("db", [db(3, hard(labels, "topology.kubernetes.io/zone"))])], P);
    const preferred = {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 1,
          podAffinityTerm: { labelSelector: { matchLabels: labels }, topologyKey: "kubernetes.io/hostname" },
        },
      ],
    };
    await passes([two(), ...v4Chart("db", [db(3, preferred)])], P);
  });
  it("names the chartValues key its chart reads the count from, whatever key set it: loki's singleBinary.replicas", async () => {
    const rel = helmRelease("loki", "loki", "loki", { singleBinary: { replicas: 2 } }, true);
    const sts = db(2, hard(labels), "loki");
    const v = await check(
      [
        stackInfo([{ name: "nuc", arch: "amd64", count: 1 }]),
        rel,
        res(sts.type, sts.inputs, { name: "loki", parent: rel.urn }),
      ],
      P,
    );
    assert.match(
      v.map((x) => x.message).join("\n"),
      /^StatefulSet loki: 2 replicas \(chartValues\.loki\.singleBinary\.replicas\),.* Set chartValues\.loki\.singleBinary\.replicas to at most 1, or add nodes\.$/m,
    );
  });
});

describe("policy (budget): a pool over budget names its keys, and a smaller workload only where it lowers a request", () => {
  /**
   * One 8Gi node, an app requesting 7Gi (87.5%), and vmsingle sized at `memory` over a profile floor
   * of 1Gi, for `sizedFor` (the profile's unless given).
   */
  const over = (memory: number, sizedFor?: string) => [
    stackInfo([{ name: "pi5", arch: "arm64", count: 1 }], true, [
      { ...sized("vmsingle", "vm", 1, memory), floorBytes: GiB, ...(sizedFor ? { sizedFor } : {}) },
    ]),
    ...v4Chart("app", [
      workload("Deployment", "app", {
        containers: [{ name: "c", image: "grafana/loki", resources: { requests: { memory: "7Gi" } } }],
      }),
    ]),
  ];
  const said = async (memory: number, sizedFor?: string) =>
    (await check(over(memory, sizedFor), P))
      .map((v) => v.message)
      .filter((m) => /^pool pi5: memory requests/.test(m));
  it("at the profile's floor: the pool's count and memory keys, no workload to declare", async () =>
    assert.deepEqual(await said(GiB), [
      "pool pi5: memory requests 7168Mi are 87.5% of its capacity, above the 80.0% budget. The profile is standard: `profile: lightweight` (VictoriaMetrics, Vector, Loki without canary and gateway) requests much less; or add nodes or larger ones (`nodePools[0].count`, `nodePools[0].memory`).",
    ]));
  it("sized above the floor: a smaller workload lowers it, and the hint says so", async () =>
    assert.match(
      (await said(2 * GiB))[0] ?? "",
      /add nodes or larger ones \(`nodePools\[0\]\.count`, `nodePools\[0\]\.memory`\), or declare a smaller workload \(`workload\.\*`\)\.$/,
    ));
  // The key the component is sized by, which the synthesis then places at its line in the stack file.
  it("sized above the floor by the declared series: the hint names workload.activeSeries; by a cap, workload.*", async () => {
    assert.match(
      (await said(2 * GiB, "8900000 series (workload.activeSeries)"))[0] ?? "",
      /, or declare a smaller workload \(`workload\.activeSeries`\)\.$/,
    );
    assert.match(
      (await said(2 * GiB, "1000000 series (mimir.maxGlobalSeriesPerUser)"))[0] ?? "",
      /, or declare a smaller workload \(`workload\.\*`\)\.$/,
    );
  });
});

describe("policy (budget): over budget on the standard profile, the ways out not yet taken", () => {
  const MIMIR = "grafana/mimir:3.0.0";
  const CANARY = "grafana/loki-canary:3.7.6";
  const GATEWAY = "nginxinc/nginx-unprivileged:1.29.5-alpine";
  /** One pool of one 4-core node; an app requesting 3.5 cores (over 80%), beside pods running `images`. */
  const overBudget = (images: string[]) => [
    stackInfo([{ name: "nuc", arch: "amd64", count: 1 }]),
    ...v4Chart("app", [
      workload("Deployment", "app", {
        containers: [{ name: "c", image: "grafana/loki", resources: { requests: { cpu: "3500m" } } }],
      }),
      ...images.map((image, i) =>
        image === CANARY
          ? workload("DaemonSet", `d${i}`, {
              containers: [{ name: "c", image, resources: { requests: { memory: "16Mi" } } }],
            })
          : workload("Deployment", `d${i}`, {
              containers: [{ name: "c", image, resources: { requests: { memory: "24Mi" } } }],
            }),
      ),
    ]),
  ];
  const advice = async (images: string[]) => {
    const said = (await check(overBudget(images), P))
      .map((v) => v.message)
      .filter((m) => /cpu requests/.test(m));
    assert.ok(said.length > 0, "over budget");
    return said[0];
  };
  it("names Mimir's switch as the large one, and what the canary and the gateway would free, while each runs", async () => {
    const m = await advice([MIMIR, CANARY, GATEWAY]);
    assert.match(
      m,
      /requests much less; so does `metricsBackend: victoriametrics` alone; `loki\.canary: false` frees 16Mi on each node, `loki\.gateway: false` 24Mi \(their pods' requests\); or add nodes/,
    );
  });
  it("names only the gateway's when VictoriaMetrics is the backend and the canary is off", async () => {
    const m = await advice([GATEWAY]);
    assert.match(
      m,
      /requests much less; `loki\.gateway: false` frees 24Mi \(their pods' requests\); or add nodes/,
    );
  });
  it("names none of the three when all three are already in force: the profile or nodes are left", async () => {
    const m = await advice([]);
    assert.match(m, /`profile: lightweight` \([^)]*\) requests much less; or add nodes or larger ones/);
    assert.doesNotMatch(m, /metricsBackend|loki\.canary|loki\.gateway/);
  });
});

describe("policy (budget): a tainted pool names where each workload's toleration goes", () => {
  const TAINT = { key: "dedicated", value: "pi", effect: "NoSchedule" };
  const pool = () => stackInfo([{ name: "pi5", arch: "arm64", count: 1, taints: [TAINT] }]);
  /** victoria-metrics-k8s-stack rendered: its VMSingle and VMAgent are both named `vm`. */
  const vmStack = (tolerations: unknown[] = []) => {
    // The program names the release's objects `vm` (fullnameOverride), as the chart's helpers read it.
    const rel = helmRelease("vm", "vm", "victoria-metrics-k8s-stack", { fullnameOverride: "vm" }, true);
    const child = (kind: string) => ({ ...cr(VM(kind), "vm", { tolerations }), parent: rel.urn });
    return [rel, child("VMSingle"), child("VMAgent")];
  };
  const keptOff = async (resources: ExportedResource[]) =>
    (await check(resources, P)).map((v) => v.message).filter((m) => /not tolerated/.test(m));
  it("a rendered object: its chart's prefix for its kind, every one of a name two objects share", async () => {
    const said = await keptOff([pool(), ...vmStack()]);
    assert.equal(said.length, 1, said.join("\n"));
    assert.match(
      said[0],
      /give it a toleration for it \(vm: chartValues\.victoria-metrics-k8s-stack\.vmsingle\.spec\.tolerations and chartValues\.victoria-metrics-k8s-stack\.vmagent\.spec\.tolerations\)\.$/,
    );
    assert.doesNotMatch(said[0], /<chart>/);
  });
  it("a release the pack models (a live preview): the workload's own prefix, not a top-level `tolerations`", async () => {
    const loki = helmRelease(
      "loki",
      "loki",
      "loki",
      { deploymentMode: "SingleBinary", singleBinary: { replicas: 1 }, ...LOKI_OFF },
      false,
    );
    const said = await keptOff([pool(), loki]);
    assert.equal(said.length, 1, said.join("\n"));
    // Each target of the chart model under its own prefix (the chart has no top-level tolerations).
    assert.match(
      said[0],
      /loki\/single-binary: chartValues\.loki\.singleBinary\.tolerations; loki\/write: chartValues\.loki\.write\.tolerations;/,
    );
  });
  it("with the tolerations written where it says, nothing is kept off", async () =>
    assert.deepEqual(await keptOff([pool(), ...vmStack([TAINT])]), []));
  it("two taints, neither tolerated: said as taints, with a toleration for each", async () => {
    const second = { key: "node.example/pi", effect: "NoExecute" };
    const two = stackInfo([{ name: "pi5", arch: "arm64", count: 1, taints: [TAINT, second] }]);
    const said = await keptOff([two, ...vmStack()]);
    assert.equal(said.length, 1, said.join("\n"));
    assert.match(said[0], /: taints dedicated=pi:NoSchedule, node\.example\/pi:NoExecute, not tolerated:/);
    assert.match(
      said[0],
      /remove the taints, add a pool without them, or give it a toleration for each \(vm: /,
    );
  });
  it("the VictoriaMetrics operator and its cleanup hook: both under the operator subchart's tolerations, whatever subcharts the release turns off", async () => {
    // As the program renders it: the grafana and kube-state-metrics subcharts off, each of them
    // an unnamed Deployment of the chart model that made the operator's Deployment one of three.
    const rel = helmRelease(
      "vm",
      "vm",
      "victoria-metrics-k8s-stack",
      { fullnameOverride: "vm", grafana: { enabled: false }, "kube-state-metrics": { enabled: false } },
      true,
    );
    const pod = { containers: [{ name: "c", image: "victoriametrics/operator" }] };
    const operator = workload("Deployment", "vm-victoria-metrics-operator", pod);
    const hook = {
      type: "kubernetes:batch/v1:Job",
      inputs: {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: "vm-victoria-metrics-operator-cleanup-hook", namespace: "monitoring" },
        spec: { template: { spec: pod } },
      },
    };
    const said = await keptOff([
      pool(),
      rel,
      ...[operator, hook].map((w) => ({
        ...res(w.type, w.inputs, { name: w.inputs.metadata.name }),
        parent: rel.urn,
      })),
    ]);
    const key = "chartValues.victoria-metrics-k8s-stack.victoria-metrics-operator.tolerations";
    assert.equal(said.length, 1, said.join("\n"));
    assert.ok(
      said[0].endsWith(
        `give these workloads a toleration for it (vm-victoria-metrics-operator: ${key}; vm-victoria-metrics-operator-cleanup-hook: ${key}).`,
      ),
      said[0],
    );
  });
});

describe("policy (budget): the pack config's node pools are refused when malformed", () => {
  const pool = { name: "pi", count: 1, cpu: 4, memoryBytes: 8589934592 };
  // A taint without its effect was taken silently, and read as one keeping every pod off the pool.
  it("refuses a pool's taint with a misspelt key or an effect Kubernetes does not have", () =>
    assert.deepEqual(
      packConfigProblems({
        [P]: {
          nodePools: [
            {
              ...pool,
              taints: [
                { key: "pi", efect: "NoSchedule" },
                { key: "pi", effect: "NoScheduled" },
              ],
            },
          ],
        },
      }),
      [
        `${P}: nodePools[0].taints[0].efect is not a key here (expected one of key, value, effect); did you mean "effect"? (effect is required and missing: rename this key)`,
        `${P}: nodePools[0].taints[1].effect must be one of "NoSchedule", "PreferNoSchedule" or "NoExecute", found string "NoScheduled"; did you mean "NoSchedule"?`,
      ],
    ));
  // Said as two mistakes, the key it means only as "missing", never naming memoryByte.
  it("refuses a misspelt required key once, naming it and the key it means", () =>
    assert.deepEqual(
      packConfigProblems({ [P]: { nodePools: [{ name: "a", count: 1, cpu: 4, memoryByte: 8589934592 }] } }),
      [
        `${P}: nodePools[0].memoryByte is not a key here (expected one of name, arch, count, cpu, memoryBytes, labels, taints); did you mean "memoryBytes"? (memoryBytes is required and missing: rename this key)`,
      ],
    ));
  // Any string was taken, and a pool of "arm" judged as no arm64 pool.
  it("refuses an arch the pools do not model, with the one meant where it is a slip", () => {
    const arch = (a: string) => packConfigProblems({ [P]: { nodePools: [{ ...pool, arch: a }] } });
    const form = `${P}: nodePools[0].arch must be one of "amd64" or "arm64"`;
    assert.deepEqual(arch("amd46"), [`${form}, found string "amd46"; did you mean "amd64"?`]);
    assert.deepEqual(arch("aarch64"), [
      `${form}, found string "aarch64"; did you mean "arm64"? (\`uname -m\` prints "aarch64" where Kubernetes says "arm64")`,
    ]);
    // 32-bit ARM is another machine, not a misspelt arm64 (config/nodePools.ts).
    assert.match(arch("arm")[0], /^.*found string "arm"; "arm" is 32-bit ARM \(kubernetes\.io\/arch "arm"\)/);
    assert.deepEqual(arch("arm64"), []);
  });
  it("refuses a key no pool has", () =>
    assert.deepEqual(packConfigProblems({ [P]: { nodePools: [{ ...pool, zone: "a" }] } }), [
      `${P}: nodePools[0].zone is not a key here (expected one of name, arch, count, cpu, memoryBytes, labels, taints)`,
    ]));
});
