import { strict as assert } from "assert";
import { failed } from "../../policy/evaluate";
import { fails, passes, release, res } from "../support/policyCases";

describe("policy: mimir-distinct-storage", () => {
  const P = "mimir-distinct-storage";
  const cfg = (ruler: string, prefix = "") =>
    `common:\n  storage:\n    backend: s3\n    s3: {endpoint: "m:9000"}\nblocks_storage:\n  s3: {bucket_name: blocks}\nruler_storage:\n  s3: {bucket_name: ${ruler}}\n${prefix ? `  storage_prefix: ${prefix}\n` : ""}alertmanager_storage:\n  s3: {bucket_name: am}\nlimits: {}\n`;
  it("passes distinct buckets, and a shared bucket with distinct prefixes", async () => {
    await passes([res("kubernetes:core/v1:ConfigMap", { data: { "mimir.yaml": cfg("ruler") } })], P);
    await passes(
      [res("kubernetes:core/v1:ConfigMap", { data: { "mimir.yaml": cfg("blocks", "ruler") } })],
      P,
    );
  });
  it("fails raw config where ruler shares the blocks bucket and prefix", () =>
    fails(
      [res("kubernetes:core/v1:ConfigMap", { data: { "mimir.yaml": cfg("blocks") } })],
      P,
      /blocks_storage and ruler_storage both use s3 bucket "blocks" with prefix ""/,
    ));
  it("fails mimir-distributed structuredConfig sharing a bucket", () =>
    fails(
      [
        release("mimir-distributed", {
          mimir: { structuredConfig: { common: { storage: { backend: "s3", s3: { bucket_name: "one" } } } } },
        }),
      ],
      P,
      /blocks_storage and ruler_storage both use s3 bucket "one"/,
    ));
});

describe("policy: mimir-remote-write-labels (advisory)", () => {
  const P = "mimir-remote-write-labels";
  const kps = (spec: any) =>
    release("kube-prometheus-stack", {
      prometheus: { prometheusSpec: { remoteWrite: [{ url: "http://mimir:8080/api/v1/push" }], ...spec } },
    });
  it("passes cluster and __replica__", () =>
    passes([kps({ externalLabels: { cluster: "lab" }, replicaExternalLabelName: "__replica__" })], P));
  it("warns without the cluster label", async () => {
    const v = await fails(
      [kps({ replicaExternalLabelName: "__replica__" })],
      P,
      /without values\.prometheus\.prometheusSpec\.externalLabels\.cluster/,
    );
    assert.equal(v[0].level, "advisory");
    assert.equal(failed(v), false, "advisory does not fail the check");
  });
  it("warns with the operator's default replica label", () =>
    fails(
      [kps({ externalLabels: { cluster: "lab" } })],
      P,
      /replicaExternalLabelName unset \(operator default prometheus_replica\); Mimir deduplicates HA pairs on "__replica__"/,
    ));
});
