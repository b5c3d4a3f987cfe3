import { strict as assert } from "assert";
import { evaluateResources, failed } from "../../policy/evaluate";
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
  it("fails raw config where ruler shares the blocks bucket and prefix, naming both keys", () =>
    fails(
      [res("kubernetes:core/v1:ConfigMap", { data: { "mimir.yaml": cfg("blocks") } })],
      P,
      /ruler_storage uses blocks_storage's s3 bucket "blocks" \(ruler_storage\.s3\.bucket_name, blocks_storage\.s3\.bucket_name\) with storage_prefix ""; Mimir refuses to start: "S3 bucket name and storage prefix cannot be the same as the one used in blocks storage config"/,
    ));
  // Mimir compares ruler and alertmanager storage with blocks storage only (pkg/mimir/mimir.go
  // validateBucketConfigs): the chart's own MinIO default puts both in "mimir-ruler".
  it("passes ruler and alertmanager storage sharing one bucket apart from blocks", () =>
    passes(
      [
        release("mimir-distributed", {
          mimir: {
            structuredConfig: {
              blocks_storage: { backend: "s3", s3: { bucket_name: "mimir-blocks" } },
              ruler_storage: { backend: "s3", s3: { bucket_name: "mimir-ruler" } },
              alertmanager_storage: { backend: "s3", s3: { bucket_name: "mimir-ruler" } },
            },
          },
        }),
      ],
      P,
    ));
  it("fails alertmanager storage in the blocks bucket, and passes it on another backend", async () => {
    const am = (alertmanager_storage: any) =>
      release("mimir-distributed", {
        mimir: {
          structuredConfig: {
            blocks_storage: { backend: "gcs", gcs: { bucket_name: "b" } },
            alertmanager_storage,
          },
        },
      });
    await fails(
      [am({ backend: "gcs", gcs: { bucket_name: "b" } })],
      P,
      /alertmanager_storage uses blocks_storage's gcs bucket "b" .*"GCS bucket name/,
    );
    await passes([am({ backend: "s3", s3: { bucket_name: "b" } })], P);
    await passes([am({ backend: "local", local: { path: "/data" } })], P);
  });
  // Each store is compared when its module is targeted (isRulerEnabled: all or ruler;
  // isAlertManagerEnabled: alertmanager only; isUsageTrackerEnabled: usage-tracker).
  it("judges each store as the targets Mimir runs the config as", async () => {
    const raw = (target: string | undefined, store: string) =>
      res("kubernetes:core/v1:ConfigMap", {
        data: {
          "mimir.yaml":
            `${target ? `target: ${target}\n` : ""}common:\n  storage:\n    backend: s3\n` +
            `blocks_storage:\n  s3: {bucket_name: b}\n${store}:\n  s3: {bucket_name: b}\nlimits: {}\n`,
        },
      });
    await passes([raw(undefined, "alertmanager_storage")], P);
    await fails(
      [raw("alertmanager", "alertmanager_storage")],
      P,
      /alertmanager_storage uses blocks_storage's s3 bucket "b"/,
    );
    await fails([raw("ruler,querier", "ruler_storage")], P, /ruler_storage uses/);
    await passes([raw("querier", "ruler_storage")], P);
    await fails(
      [
        res("kubernetes:core/v1:ConfigMap", {
          data: {
            "mimir.yaml":
              "target: usage-tracker\nblocks_storage:\n  backend: s3\n  s3: {bucket_name: b}\n" +
              "usage_tracker:\n  snapshots_storage:\n    backend: s3\n    s3: {bucket_name: b}\nlimits: {}\n",
          },
        }),
      ],
      P,
      /usage_tracker\.snapshots_storage uses blocks_storage's s3 bucket "b" \(usage_tracker\.snapshots_storage\.s3\.bucket_name/,
    );
    await passes(
      [
        release("mimir-distributed", {
          alertmanager: { enabled: false },
          mimir: {
            structuredConfig: {
              blocks_storage: { backend: "s3", s3: { bucket_name: "b" } },
              alertmanager_storage: { backend: "s3", s3: { bucket_name: "b" } },
            },
          },
        }),
      ],
      P,
    );
  });
  it("says a common.storage bucket shared by all three once, naming the key the user set", async () => {
    const v = await evaluateResources(
      [
        release("mimir-distributed", {
          mimir: { structuredConfig: { common: { storage: { backend: "s3", s3: { bucket_name: "one" } } } } },
        }),
      ],
      { [P]: "mandatory" },
    );
    const mine = v.filter((x) => x.policy === P);
    assert.equal(mine.length, 1, mine.map((x) => x.message).join("\n"));
    assert.match(
      mine[0].message,
      /ruler_storage and alertmanager_storage use blocks_storage's s3 bucket "one" \(common\.storage\.s3\.bucket_name\)/,
    );
  });
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
