import { podSecurityLabels } from "../../builders/security/podSecurity";
import { versions } from "../../model/versions";
import { fails, passes, release, res, secret, stackInfo } from "../support/policyCases";

/**
 * A Release whose values are a Pulumi secret as a whole, in an export made without
 * `--show-secrets` (ciphertext only): the pack cannot read one of its values. It judges what it
 * can: no-plaintext-credentials refuses the secret values themselves; no other policy reads them
 * as the chart's defaults and states a value the release may not have.
 */
const inNs = (ns: string, chart: string, values: any, name = chart) => {
  const r = release(chart, values, { name });
  r.inputs!.namespace = ns;
  return r;
};
const namespace = (name: string, labels: Record<string, string>) =>
  res("kubernetes:core/v1:Namespace", { metadata: { name, labels } }, { name: `ns-${name}` });
const GiB = 2 ** 30;
/** A component the program sized for the profile, as the stack-info ConfigMap records it. */
const sized = (workload: string) => ({
  component: workload,
  workload,
  replicas: 3,
  memoryBytes: GiB,
  requestBytes: GiB,
  volumeBytes: 0,
  sizedFor: "the profile",
});
/** The program's loki release, at the pinned chart, its values one secret. */
const loki = () => {
  const r = release("loki", secret());
  r.inputs!.version = versions.charts.loki.version;
  r.inputs!.name = "loki";
  return r;
};

describe("policy: a Release whose values are a Pulumi secret held as ciphertext", () => {
  it("loki-replication-factor does not say the replicas that take writes are the chart default 0", () =>
    // At the pinned chart, whose default mode (Monolithic) has no single-binary replica by default.
    passes(
      [
        res(
          "kubernetes:helm.sh/v3:Release",
          { chart: "loki", version: versions.charts.loki.version, namespace: "monitoring", values: secret() },
          { name: "loki" },
        ),
      ],
      "loki-replication-factor",
    ));
  it("pod-security-levels does not say a node agent whose values it cannot read needs no host access", () =>
    passes(
      [
        namespace("monitoring", podSecurityLabels("baseline", "restricted")),
        namespace("monitoring-agents", podSecurityLabels("privileged")),
        inNs("monitoring", "loki", {}),
        inNs("monitoring-agents", "alloy", secret(), "alloy-agents"),
        inNs("monitoring-agents", "prometheus-node-exporter", {}),
      ],
      "pod-security-levels",
    ));
  it("pod-security-levels does not say a baseline namespace refuses a release whose values it cannot read", () =>
    passes(
      [
        namespace("monitoring", podSecurityLabels("baseline", "restricted")),
        inNs("monitoring", "prometheus-node-exporter", secret()),
      ],
      "pod-security-levels",
    ));
  it("resource-budget does not say the chart's default chunks cache would stay Pending on an 8Gi node", () =>
    // The loki chart's default chunksCache.allocatedMemory (8192 MB, 9830Mi requested) is more than
    // the pool's nodes hold: values the release may well override.
    passes([stackInfo([{ name: "pi5", arch: "arm64" }]), loki()], "resource-budget"));
  it("resource-budget does not say the components sized for the profile request the chart's default 0Mi", () => {
    // Nodes of 32Gi, which the chart's default chunks cache fits: only the sizing is in question.
    const info = stackInfo(
      [{ name: "nuc", arch: "amd64", count: 3 }],
      true,
      ["loki-write", "loki-read"].map(sized),
    );
    const pools = JSON.parse(info.inputs!.data.nodePools).map((p: object) => ({
      ...p,
      memoryBytes: 32 * GiB,
    }));
    info.inputs!.data.nodePools = JSON.stringify(pools);
    return passes([info, loki()], "resource-budget");
  });
  it("arm64-images does not judge the image the chart defaults to, which the values may replace", () =>
    passes([stackInfo([{ name: "pi5", arch: "arm64" }]), release("app", secret())], "arm64-images", {
      "arm64-images": {
        charts: {
          app: {
            workloads: [
              {
                name: "app",
                kind: "Deployment",
                resources: [],
                images: [{ path: "image", default: "example.org/amd64-only" }],
              },
            ],
          },
        },
      },
    }));
  it("grafana-single-default-datasource-stack does not judge sidecar datasources against a Grafana it assumes in place of one whose values it cannot read", () =>
    passes(
      [
        release("grafana", secret()),
        res(
          "kubernetes:core/v1:ConfigMap",
          {
            metadata: { name: "ds", namespace: "monitoring", labels: { grafana_datasource: "1" } },
            data: {
              "ds.yaml":
                "apiVersion: 1\ndatasources:\n  - {name: a, type: prometheus, isDefault: true}\n  - {name: b, type: loki, isDefault: true}\n",
            },
          },
          { name: "ds" },
        ),
      ],
      "grafana-single-default-datasource-stack",
    ));
  it("no-plaintext-credentials says once that no other policy judged the values it cannot read", () =>
    fails([loki()], "no-plaintext-credentials", /the pack cannot read them, so no other policy judged them/));

  // Guards: what such a release is judged by without its values, which the change above must keep.
  it("production-data-protected still refuses an unprotected release of a chart that owns data", () =>
    fails(
      [stackInfo([{ name: "nuc", arch: "amd64" }]), release("prometheus-operator-crds", secret())],
      "production-data-protected",
      /chart prometheus-operator-crds owns data/,
    ));
  it("network-policies-present still names such a release among what runs in its namespace", () =>
    fails([loki()], "network-policies-present", /Release "loki" runs here without any NetworkPolicy/));
  it("no-plaintext-credentials still refuses the secret values, naming the release", () =>
    fails(
      [release("loki", secret())],
      "no-plaintext-credentials",
      /Release "loki": the release's values are a Pulumi secret/,
    ));
});
