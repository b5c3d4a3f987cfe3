/**
 * A workload that a `chartValues` nodeSelector or node affinity keeps off every pool (an amd64-only
 * image pinned to amd64 on a cluster of Pis, a misspelt label) is refused by resource-budget with
 * what the workload selects and each pool's labels, and the synthesis names the override behind it
 * with its line: the message used to say only "its labels match no nodeSelector/affinity of theirs".
 */
import { strict as assert } from "assert";
import { RENDERED_KEY } from "@homelab-observability/contract";
import { attributeOverrides } from "../../synth/report";
import { check, res, stackInfo, workload } from "../support/policyCases";

const STACK = "urn:pulumi:production::homelab-observability";

/** grafana's release, rendered offline, with its Deployment beside it selecting nodes by `sched`. */
function grafana(values: Record<string, any>) {
  const rel = res(
    "kubernetes:helm.sh/v3:Release",
    {
      name: "grafana",
      chart: "grafana",
      version: "1.0.0",
      namespace: "monitoring",
      values,
      [RENDERED_KEY]: 1,
    },
    { name: "grafana" },
  );
  const dep = workload("Deployment", "grafana", {
    containers: [
      {
        name: "grafana",
        image: "docker.io/grafana/grafana:12.3.1",
        resources: { requests: { cpu: "100m", memory: "128Mi" } },
      },
    ],
    ...values,
  });
  const rendered = {
    urn: `${STACK}::kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:Deployment::grafana/monitoring/grafana`,
    type: dep.type,
    custom: true,
    parent: rel.urn,
    inputs: dep.inputs,
    outputs: dep.inputs,
  };
  return [rel, rendered];
}

describe("policy (resource-budget): a workload its node selection keeps off every pool", () => {
  it("names what it selects and each pool's labels, on the workload's URN", async () => {
    const resources = [
      stackInfo([{ name: "pi5", arch: "arm64", count: 3 }]),
      ...grafana({ nodeSelector: { "kubernetes.io/arch": "amd64" } }),
    ];
    const [v, ...more] = (await check(resources, "resource-budget")).filter((x) =>
      /would stay Pending/.test(x.message),
    );
    assert.equal(more.length, 0);
    assert.match(
      v.message,
      /^the nodeSelector kubernetes\.io\/arch=amd64 of grafana: `nodePools\[0\]\.labels` \(pool pi5\): its labels \(kubernetes\.io\/arch=arm64\) do not satisfy it: no node of the pool admits grafana, so it would stay Pending\./,
    );
    assert.equal(v.urn, resources[2].urn);
    // The synthesis traces it to the override that set the selector, not to the image's.
    const report: typeof v & { overrides?: string[] } = { ...v };
    const [traced] = attributeOverrides(
      [report],
      resources,
      ["grafana.nodeSelector.kubernetes.io/arch", "grafana.image.tag"],
      (k) =>
        k === 'chartValues.grafana.nodeSelector["kubernetes.io/arch"]' ? "Pulumi.pi.yaml:52" : undefined,
    );
    assert.deepEqual(traced.overrides, [
      'chartValues.grafana.nodeSelector["kubernetes.io/arch"] (Pulumi.pi.yaml:52)',
    ]);
  });

  it("spells out a required node affinity's terms", async () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "homelab/big", operator: "In", values: ["yes"] }] },
            { matchExpressions: [{ key: "homelab/gpu", operator: "Exists" }] },
          ],
        },
      },
    };
    const v = await check(
      [stackInfo([{ name: "pi5", arch: "arm64", count: 3 }]), ...grafana({ affinity })],
      "resource-budget",
    );
    assert.match(
      v.map((x) => x.message).join("\n"),
      /^the required node affinity homelab\/big In yes or homelab\/gpu Exists of grafana: `nodePools\[0\]\.labels`/m,
    );
  });

  it("keeps workloads that select differently apart: two selections, two mistakes", async () => {
    const other = grafana({ nodeSelector: { "homelab/big": "true" } }).map((r) => ({
      ...r,
      urn: r.urn.replace(/grafana/g, "grafana2"),
      ...(r.parent ? { parent: r.parent.replace(/grafana/g, "grafana2") } : {}),
    }));
    const v = await check(
      [
        stackInfo([{ name: "pi5", arch: "arm64", count: 3 }]),
        ...grafana({ nodeSelector: { "kubernetes.io/arch": "amd64" } }),
        ...other,
      ],
      "resource-budget",
    );
    assert.equal(v.filter((x) => /would stay Pending/.test(x.message)).length, 2);
  });

  // A misspelt label key or value left the user to compare the two lists of labels letter by letter.
  it("offers the pools' label a selector's key or value is a slip of, and none for another arch", async () => {
    const pending = async (nodeSelector: Record<string, string>) =>
      (
        await check(
          [stackInfo([{ name: "pi5", arch: "arm64", count: 3 }]), ...grafana({ nodeSelector })],
          "resource-budget",
        )
      ).find((x) => /would stay Pending/.test(x.message))!.message;
    assert.match(
      await pending({ "kubernetes.io/arc": "arm64" }),
      /^the nodeSelector kubernetes\.io\/arc=arm64 of grafana \(no pool has label kubernetes\.io\/arc; did you mean kubernetes\.io\/arch=arm64\?\): `nodePools\[0\]\.labels`/,
    );
    assert.match(
      await pending({ "kubernetes.io/arch": "arm" }),
      /^the nodeSelector kubernetes\.io\/arch=arm of grafana \(no pool has kubernetes\.io\/arch=arm; did you mean kubernetes\.io\/arch=arm64\?\): /,
    );
    // A misspelt key is mended into a label some pool has, never one none has: the value after it
    // is another arch (a choice, said as absent too) or a slip of the pools' own.
    assert.match(
      await pending({ "kubernetes.io/arc": "amd64" }),
      /^the nodeSelector kubernetes\.io\/arc=amd64 of grafana \(no pool has label kubernetes\.io\/arc, nor kubernetes\.io\/arch=amd64; did you mean kubernetes\.io\/arch\?\): `nodePools/,
    );
    assert.match(
      await pending({ "kubernetes.io/arc": "arm" }),
      /^the nodeSelector kubernetes\.io\/arc=arm of grafana \(no pool has label kubernetes\.io\/arc; did you mean kubernetes\.io\/arch=arm64\?\): `nodePools/,
    );
    // Another architecture is a choice, not a slip: nothing offered.
    assert.match(
      await pending({ "kubernetes.io/arch": "amd64" }),
      /^the nodeSelector kubernetes\.io\/arch=amd64 of grafana: `nodePools/,
    );
  });
});
