import { strict as assert } from "assert";
import { spawn } from "child_process";
import {
  evaluateResources,
  failed,
  type ExportedResource,
  type PackConfig,
  type Violation,
} from "../policy/evaluate";
import { synth, tsNode } from "./helpers";

let n = 0;
const R = (
  type: string,
  inputs: Record<string, any>,
  extra: Partial<ExportedResource> = {},
): ExportedResource => ({
  urn: `urn:pulumi:test::p::${type}::r${++n}`,
  type,
  custom: true,
  inputs,
  ...extra,
});
const helm = (chart: string, values: any, type = "kubernetes:helm.sh/v3:Release") =>
  R(type, { chart, values });
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

async function check(
  resources: ExportedResource[],
  policy: string,
  config: PackConfig = {},
): Promise<Violation[]> {
  return (await evaluateResources(resources, config)).filter((v) => v.policy === policy);
}
async function passes(resources: ExportedResource[], policy: string, config?: PackConfig) {
  const v = await check(resources, policy, config);
  assert.deepEqual(
    v.map((x) => x.message),
    [],
    `${policy} should pass`,
  );
}
async function fails(resources: ExportedResource[], policy: string, pattern: RegExp, config?: PackConfig) {
  const v = await check(resources, policy, config);
  assert.ok(v.length > 0, `${policy} should fail`);
  assert.ok(
    v.some((x) => pattern.test(x.message)),
    `no message matched ${pattern}:\n${v.map((x) => x.message).join("\n")}`,
  );
  return v;
}

const goodLoki = {
  deploymentMode: "SingleBinary",
  loki: {
    commonConfig: { replication_factor: 1 },
    schemaConfig: {
      configs: [
        {
          from: "2024-04-01",
          store: "tsdb",
          object_store: "s3",
          schema: "v13",
          index: { prefix: "loki_index_", period: "24h" },
        },
      ],
    },
    limits_config: { retention_period: "7d" },
    compactor: { retention_enabled: true, delete_request_store: "s3" },
  },
  singleBinary: { replicas: 1 },
  write: { replicas: 0 },
  read: { replicas: 0 },
  backend: { replicas: 0 },
};
const rawLoki = (compactor: string) =>
  `auth_enabled: false\nschema_config:\n  configs: []\nlimits_config:\n  retention_period: 7d\ncompactor:\n${compactor}`;

describe("policy: loki-retention-needs-delete-store", () => {
  const P = "loki-retention-needs-delete-store";
  it("passes chart values with retention and a delete store", () => passes([helm("loki", goodLoki)], P));
  it("v4 Chart: judges the rendered children, never the component (the engine passes it without inputs)", async () => {
    const bad = clone(goodLoki);
    delete (bad.loki.compactor as any).delete_request_store;
    // pulumi-kubernetes' Construct registers the Chart with no inputs: nothing to judge there.
    await passes([helm("loki", bad, "kubernetes:helm.sh/v4:Chart")], P);
    // Its rendered ConfigMap is a resource of its own and is judged.
    const chart = { ...helm("loki", bad, "kubernetes:helm.sh/v4:Chart"), custom: false };
    const child = R(
      "kubernetes:core/v1:ConfigMap",
      { data: { "config.yaml": rawLoki("  retention_enabled: true\n") } },
      { parent: chart.urn },
    );
    await fails([chart, child], P, /delete_request_store/);
  });
  it("passes raw Loki YAML with a named store", () =>
    passes(
      [
        R("kubernetes:core/v1:ConfigMap", {
          data: {
            "loki.yaml":
              rawLoki("  retention_enabled: true\n  delete_request_store: archive\n") +
              "storage_config:\n  named_stores:\n    aws:\n      archive: {}\n",
          },
        }),
      ],
      P,
    ));
  const variants: [string, () => ExportedResource, RegExp][] = [
    [
      "values: store missing",
      () => {
        const v = clone(goodLoki);
        delete (v.loki.compactor as any).delete_request_store;
        return helm("loki", v);
      },
      /values\.loki\.compactor\.retention_enabled is true but delete_request_store is empty/,
    ],
    [
      "values: store empty",
      () => {
        const v = clone(goodLoki);
        v.loki.compactor.delete_request_store = "";
        return helm("loki", v);
      },
      /delete_request_store is empty.*Set values\.loki\.compactor\.delete_request_store/,
    ],
    [
      "values: store names no store",
      () => {
        const v = clone(goodLoki);
        v.loki.compactor.delete_request_store = "minio";
        return helm("loki", v);
      },
      /delete_request_store is "minio", which names no object store/,
    ],
    [
      "structuredConfig turns retention on",
      () => {
        const v: any = clone(goodLoki);
        v.loki.compactor = {};
        v.loki.structuredConfig = { compactor: { retention_enabled: true } };
        return helm("loki", v);
      },
      /values\.loki\.structuredConfig\.compactor\.retention_enabled is true/,
    ],
    [
      "raw YAML in a ConfigMap",
      () =>
        R("kubernetes:core/v1:ConfigMap", {
          data: { "config.yaml": rawLoki("  retention_enabled: true\n") },
        }),
      /data\["config\.yaml"\]: compactor\.retention_enabled is true/,
    ],
    [
      "raw YAML in a Secret's stringData",
      () =>
        R("kubernetes:core/v1:Secret", {
          stringData: { "config.yaml": rawLoki("  retention_enabled: true\n  delete_request_store: ''\n") },
        }),
      /stringData\["config\.yaml"\]: compactor/,
    ],
    [
      "raw YAML base64 in a Secret's data",
      () =>
        R("kubernetes:core/v1:Secret", {
          data: { "config.yaml": Buffer.from(rawLoki("  retention_enabled: true\n")).toString("base64") },
        }),
      /data\["config\.yaml"\]: compactor\.retention_enabled is true/,
    ],
  ];
  for (const [title, make, pattern] of variants) it(`fails: ${title}`, () => fails([make()], P, pattern));

  it("advisory: retention_period without retention_enabled", async () => {
    const v: any = clone(goodLoki);
    v.loki.compactor = {};
    const found = await fails(
      [helm("loki", v)],
      "loki-retention-period-without-retention",
      /retention_period is "7d" but values\.loki\.compactor\.retention_enabled is not true/,
    );
    assert.equal(found[0].level, "advisory");
    await passes([helm("loki", goodLoki)], "loki-retention-period-without-retention");
  });
  it("advisory: compactor settings at the chart's top level", async () => {
    await passes([helm("loki", { ...goodLoki, compactor: { replicas: 0 } })], "loki-compactor-misplaced");
    const found = await fails(
      [helm("loki", { ...goodLoki, compactor: { retention_enabled: true, delete_request_store: "s3" } })],
      "loki-compactor-misplaced",
      /values\.compactor holds Loki settings \(retention_enabled, delete_request_store\)/,
    );
    assert.equal(found[0].level, "advisory");
  });
  it("advisory: leftover shared_store", async () => {
    const v = clone(goodLoki) as any;
    v.loki.compactor.shared_store = "s3";
    await fails(
      [helm("loki", v)],
      "loki-shared-store-removed",
      /shared_store is set; Loki 3 no longer knows it/,
    );
    await passes([helm("loki", goodLoki)], "loki-shared-store-removed");
  });
});

describe("policy: loki topology", () => {
  it("replication factor: passes within the writers, fails above them", async () => {
    await passes([helm("loki", goodLoki)], "loki-replication-factor");
    const v = clone(goodLoki);
    v.loki.commonConfig.replication_factor = 3;
    await fails(
      [helm("loki", v)],
      "loki-replication-factor",
      /replication_factor is 3 but values\.singleBinary\.replicas is 1/,
    );
    await fails(
      [
        helm("loki", {
          deploymentMode: "SimpleScalable",
          loki: { commonConfig: { replication_factor: 3 } },
          write: { replicas: 2 },
        }),
      ],
      "loki-replication-factor",
      /values\.write\.replicas is 2/,
    );
  });
  it("single binary and scalable replicas: chart defaults count", async () => {
    await passes([helm("loki", goodLoki)], "loki-single-binary-and-scalable");
    const v: any = clone(goodLoki);
    delete v.write;
    await fails(
      [helm("loki", v)],
      "loki-single-binary-and-scalable",
      /values\.singleBinary\.replicas is 1 and values\.write\.replicas is 3 \(unset means the chart default 3\)/,
    );
  });
});

describe("policy: arm64-images", () => {
  const P = "arm64-images";
  const pod = (image: string, extra: any = {}) => ({ containers: [{ name: "c", image }], ...extra });
  const deploy = (spec: any, type = "kubernetes:apps/v1:Deployment") =>
    R(type, { metadata: { name: "w" }, spec: { replicas: 1, template: { spec } } });
  it("passes known multi-arch images on unpinned workloads", () =>
    passes(
      [
        deploy(pod("grafana/loki:3.6.3")),
        deploy(pod("quay.io/prometheus/prometheus:v3.7.3"), "kubernetes:apps/v1:DaemonSet"),
      ],
      P,
    ));
  it("passes unknown images kept off Pi nodes by nodeSelector or required affinity", () =>
    passes(
      [
        deploy(pod("example.com/x86only:1", { nodeSelector: { "kubernetes.io/arch": "amd64" } })),
        deploy(
          pod("example.com/x86only:1", {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [{ key: "kubernetes.io/arch", operator: "NotIn", values: ["arm64"] }],
                    },
                  ],
                },
              },
            },
          }),
        ),
      ],
      P,
    ));
  it("passes unknown images when Pi nodes are tainted and the workload does not tolerate it", () =>
    passes([deploy(pod("example.com/x86only:1"))], P, {
      [P]: { piNodeTaints: [{ key: "pi", effect: "NoSchedule" }] },
    }));
  it("accepts images the operator adds to the pack config", () =>
    passes([deploy(pod("example.com/mine:1"))], P, {
      [P]: { arm64Images: ["docker.io/grafana/loki", "example.com/mine"] },
    }));

  const variants: [string, () => ExportedResource, RegExp][] = [
    [
      "unknown image, unpinned Deployment",
      () => deploy(pod("example.com/tool:1")),
      /example\.com\/tool is not known to publish linux\/arm64; check with `docker manifest inspect example\.com\/tool:1`.*add "example\.com\/tool"/,
    ],
    [
      "nodeSelector targets Pi nodes",
      () => deploy(pod("example.com/tool:1", { nodeSelector: { "kubernetes.io/arch": "arm64" } })),
      /Deployment w can run on Pi nodes/,
    ],
    [
      "required affinity admits arm64, tag names amd64",
      () =>
        deploy(
          pod("grafana/loki:3.6.3-amd64", {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [
                        { key: "kubernetes.io/arch", operator: "In", values: ["amd64", "arm64"] },
                      ],
                    },
                  ],
                },
              },
            },
          }),
        ),
      /tag "3\.6\.3-amd64" names another architecture/,
    ],
    [
      "unpinned DaemonSet",
      () => deploy(pod("docker.io/someone/agent:x86_64"), "kubernetes:apps/v1:DaemonSet"),
      /DaemonSet w can run on Pi nodes.*names another architecture/,
    ],
    [
      "init container",
      () =>
        deploy(
          pod("grafana/loki:3.6.3", { initContainers: [{ name: "init", image: "example.com/init:1" }] }),
        ),
      /spec\.template\.spec\.initContainers\[0\]\.image is "example\.com\/init:1"/,
    ],
    [
      "CronJob",
      () =>
        R("kubernetes:batch/v1:CronJob", {
          spec: { jobTemplate: { spec: { template: { spec: pod("example.com/backup:1") } } } },
        }),
      /CronJob .* spec\.jobTemplate\.spec\.template\.spec\.containers\[0\]\.image/,
    ],
    [
      "Helm values of a known chart override an image",
      () =>
        helm("grafana", { image: { registry: "docker.io", repository: "someone/grafana-fork", tag: "1" } }),
      /values\.image is "docker\.io\/someone\/grafana-fork:1"/,
    ],
    [
      "Helm values of an unknown chart",
      () => helm("mystery", { sidecar: { image: "example.com/side:2" } }),
      /values\.sidecar\.image is "example\.com\/side:2".*Chart "mystery" is unknown/,
    ],
  ];
  for (const [title, make, pattern] of variants) it(`fails: ${title}`, () => fails([make()], P, pattern));

  it("judges a known chart's default images from pack data", async () => {
    // kube-prometheus-stack's admission webhook job uses kube-webhook-certgen by default; drop it from the known list.
    const known = (await import("../policy/lib/charts")).DEFAULT_ARM64_IMAGES.filter(
      (i) => !i.includes("kube-webhook-certgen"),
    );
    await fails(
      [helm("kube-prometheus-stack", {})],
      P,
      /values\.prometheusOperator\.admissionWebhooks\.patch\.image is "registry\.k8s\.io\/ingress-nginx\/kube-webhook-certgen"/,
      { [P]: { arm64Images: known } },
    );
    await passes(
      [helm("kube-prometheus-stack", { prometheusOperator: { admissionWebhooks: { enabled: false } } })],
      P,
      { [P]: { arm64Images: known } },
    );
  });
});

describe("policy: mimir-distinct-storage", () => {
  const P = "mimir-distinct-storage";
  const cfg = (ruler: string, prefix = "") =>
    `common:\n  storage:\n    backend: s3\n    s3: {endpoint: "m:9000"}\nblocks_storage:\n  s3: {bucket_name: blocks}\nruler_storage:\n  s3: {bucket_name: ${ruler}}\n${prefix ? `  storage_prefix: ${prefix}\n` : ""}alertmanager_storage:\n  s3: {bucket_name: am}\nlimits: {}\n`;
  it("passes distinct buckets, and a shared bucket with distinct prefixes", async () => {
    await passes([R("kubernetes:core/v1:ConfigMap", { data: { "mimir.yaml": cfg("ruler") } })], P);
    await passes([R("kubernetes:core/v1:ConfigMap", { data: { "mimir.yaml": cfg("blocks", "ruler") } })], P);
  });
  it("fails raw config where ruler shares the blocks bucket and prefix", () =>
    fails(
      [R("kubernetes:core/v1:ConfigMap", { data: { "mimir.yaml": cfg("blocks") } })],
      P,
      /blocks_storage and ruler_storage both use s3 bucket "blocks" with prefix ""/,
    ));
  it("fails mimir-distributed structuredConfig sharing a bucket", () =>
    fails(
      [
        helm("mimir-distributed", {
          mimir: { structuredConfig: { common: { storage: { backend: "s3", s3: { bucket_name: "one" } } } } },
        }),
      ],
      P,
      /blocks_storage and ruler_storage both use s3 bucket "one"/,
    ));
});

// Grafana cases moved to test/policy.grafana.test.ts.

describe("policy: no-plaintext-credentials", () => {
  const P = "no-plaintext-credentials";
  it("passes references: ${VAR}, existingSecret with key names, file paths, secretKeyRef env", () =>
    passes(
      [
        helm("loki", {
          loki: {
            storage: {
              s3: { accessKeyId: "${AWS_ACCESS_KEY_ID}", secretAccessKey: "${AWS_SECRET_ACCESS_KEY}" },
            },
          },
        }),
        helm("grafana", {
          admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
        }),
        helm("alertmanager", {
          config: {
            receivers: [
              { name: "p", pushover_configs: [{ token_file: "/etc/x/token", user_key_file: "/etc/x/user" }] },
            ],
          },
        }),
        R("kubernetes:apps/v1:Deployment", {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: "c",
                    image: "grafana/loki",
                    env: [{ name: "API_TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
                  },
                ],
              },
            },
          },
        }),
      ],
      P,
    ));
  it("fails a literal secretAccessKey in Helm values", () =>
    fails(
      [helm("loki", { loki: { storage: { s3: { secretAccessKey: "hunter2" } } } })],
      P,
      /values\.loki\.storage\.s3\.secretAccessKey is a literal credential/,
    ));
  it("fails a literal Pushover user_key in Alertmanager values", () =>
    fails(
      [
        helm("alertmanager", {
          config: { receivers: [{ pushover_configs: [{ user_key: "u123", token: "t456" }] }] },
        }),
      ],
      P,
      /pushover_configs\[0\]\.user_key is a literal credential/,
    ));
  it("fails a literal password in ConfigMap data", () =>
    fails(
      [R("kubernetes:core/v1:ConfigMap", { data: { "app.yaml": "db:\n  password: swordfish\n" } })],
      P,
      /data\["app\.yaml"\]\.db\.password is a literal credential in a ConfigMap/,
    ));
  it("fails a literal credential in container env", () =>
    fails(
      [
        R("kubernetes:apps/v1:Deployment", {
          spec: {
            template: {
              spec: {
                containers: [{ name: "c", image: "i", env: [{ name: "MINIO_PASSWORD", value: "x" }] }],
              },
            },
          },
        }),
      ],
      P,
      /env MINIO_PASSWORD has a literal value/,
    ));
  it("fails a literal credential in a CronJob's init container env", () =>
    fails(
      [
        R("kubernetes:batch/v1:CronJob", {
          spec: {
            jobTemplate: {
              spec: {
                template: {
                  spec: {
                    containers: [{ name: "c", image: "i" }],
                    initContainers: [
                      { name: "init", image: "i", env: [{ name: "DB_PASSWORD", value: "x" }] },
                    ],
                  },
                },
              },
            },
          },
        }),
      ],
      P,
      /spec\.jobTemplate\.spec\.template\.spec\.initContainers\[0\] env DB_PASSWORD has a literal value/,
    ));
  // The engine unwraps secrets before policies run (@pulumi/policy deserialize.js): a credential
  // put into Helm values as a Pulumi secret is judged as the literal it is.
  const SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
  it("fails a credential put into Helm values as a Pulumi secret (plaintext export)", () =>
    fails(
      [helm("grafana", { adminPassword: { ...SIG, plaintext: JSON.stringify("hunter2") } })],
      P,
      /values\.adminPassword is a literal credential/,
    ));
  it("fails a credential put into Helm values as a Pulumi secret (ciphertext export)", () =>
    fails([helm("grafana", { adminPassword: { ...SIG, ciphertext: "x" } })], P, /values\.adminPassword/));
});

describe("policy: mimir-remote-write-labels (advisory)", () => {
  const P = "mimir-remote-write-labels";
  const kps = (spec: any) =>
    helm("kube-prometheus-stack", {
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

describe("policy: production-data-protected", () => {
  const P = "production-data-protected";
  const info = (production: boolean) =>
    R("kubernetes:core/v1:ConfigMap", {
      metadata: { labels: { "homelab.dev/stack-info": "true" } },
      data: { production: String(production) },
    });
  const bucket = (opts: Partial<ExportedResource>) =>
    R("minio:index/s3Bucket:S3Bucket", { bucket: "b" }, opts);
  it("passes protected data in production", () => passes([info(true), bucket({ protect: true })], P));
  it("fails data only retained on delete: the engine never passes retainOnDelete to policies", () =>
    fails([info(true), bucket({ retainOnDelete: true })], P, /it is not protected in a production stack/));
  it("passes unprotected data outside production", () => passes([info(false), bucket({})], P));
  it("fails an unprotected bucket in production", () =>
    fails(
      [info(true), bucket({})],
      P,
      /S3Bucket.*it stores data, but it is not protected in a production stack/,
    ));
  it("fails an unprotected PVC and the CRDs release when production is set in the pack config", async () => {
    const v = await check(
      [R("kubernetes:core/v1:PersistentVolumeClaim", {}), helm("prometheus-operator-crds", {})],
      P,
      { [P]: { production: true } },
    );
    assert.equal(v.length, 2);
  });
  it("fails a StatefulSet that deletes its volumes", () =>
    fails(
      [
        info(true),
        R("kubernetes:apps/v1:StatefulSet", {
          spec: {
            volumeClaimTemplates: [{}],
            persistentVolumeClaimRetentionPolicy: { whenDeleted: "Delete" },
          },
        }),
      ],
      P,
      /deletes the volumes with it/,
    ));
});

describe("every project stack passes the pack", () => {
  for (const stack of ["staging", "production", "pi"]) {
    it(`${stack}: no mandatory violation`, async () => {
      const v = await evaluateResources((await synth(stack)).export.deployment.resources);
      assert.equal(failed(v), false, v.map((x) => x.message).join("\n"));
    });
  }
});

describe("the pack as the Pulumi CLI loads it", () => {
  const entries: [string, string][] = [
    ["through the project's loader", "policy/index.ts"],
    ["from policy/ through Pulumi's ts-node registration", "test/support/packEntrypoint.ts"],
  ];
  for (const [title, entry] of entries)
    it(`starts a policy pack server (${title}) and prints its port`, async function () {
      this.timeout(60000);
      const child = spawn(process.execPath, tsNode(entry), {
        stdio: ["ignore", "pipe", "pipe"],
      });
      const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /^(\d+)\s*$/m.exec(out);
          if (m) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`pack exited ${code}: ${out}`)));
      });
      child.kill();
      assert.ok(Number(port) > 0);
    });
});
