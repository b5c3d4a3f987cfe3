import { PARKED_NODE_SELECTOR } from "@homelab-observability/contract";
import { fails, passes, stackInfo, v4Chart, workload } from "../support/policyCases";

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
      /app: no node pool admits it .*it would stay Pending/,
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
      /app: no node pool admits it/,
    ));
  it("fails: kubernetes.io/os: windows matches no Linux pool", () =>
    fails([pools(), ...pod({ nodeSelector: { "kubernetes.io/os": "windows" } })], P, /would stay Pending/));
  it("fails: arm64 only, but every arm64 node is tainted and not tolerated", () =>
    fails([pools(), ...pod({ nodeSelector: { "kubernetes.io/arch": "arm64" } })], P, /would stay Pending/));
});
