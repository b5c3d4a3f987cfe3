import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { chartCacheDir, helmBinary, runHelm } from "../../synth/render/helm";
import { cached, cacheKey } from "../support/fixtureCache";
import { failed, type ExportedResource } from "../../policy/evaluate";
import { lokiModes } from "../../policy/loki";
import { check, clone, fails, passes, release, res, secret, stackInfo } from "../support/policyCases";

/** Loki values as the program writes them for a one-node SingleBinary with retention (loki chart 6.49). */
const good = {
  deploymentMode: "SingleBinary",
  loki: {
    auth_enabled: false,
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
    storage: {
      type: "s3",
      bucketNames: { chunks: "lab-loki-chunks", ruler: "lab-loki-ruler", admin: "lab-loki-admin" },
      s3: { endpoint: "minio.storage.svc:9000", accessKeyId: "${AWS_ACCESS_KEY_ID}", s3ForcePathStyle: true },
    },
    limits_config: { retention_period: "7d" },
    compactor: {
      retention_enabled: true,
      delete_request_store: "s3",
      working_directory: "/var/loki/compactor",
    },
  },
  singleBinary: { replicas: 1, extraEnvFrom: [{ secretRef: { name: "loki-s3" } }] },
  write: { replicas: 0 },
  read: { replicas: 0 },
  backend: { replicas: 0 },
  chunksCache: { enabled: false },
  resultsCache: { enabled: false },
};
/** The export with the loki release at chart `version` (release() writes 1.0.0, a 6.x-era number). */
const exportAt = (values: any, version: string) => [
  ...exportOf(values).slice(0, 2),
  res(
    "kubernetes:helm.sh/v3:Release",
    { chart: "loki", version, namespace: "monitoring", values },
    { name: "loki" },
  ),
];
const exportOf = (values: any) => [
  stackInfo([{ name: "nodes", arch: "amd64" }]),
  res("kubernetes:core/v1:Secret", { metadata: { name: "loki-s3" }, stringData: secret() }),
  release("loki", values),
];
const DELETE_STORE = "loki-retention-needs-delete-store";
const RF = "loki-replication-factor";
const MODES = "loki-single-binary-and-scalable";
const SHARED = "loki-shared-store-removed";

describe("policy (loki): a realistic export passes every Loki policy", () => {
  for (const p of [DELETE_STORE, RF, MODES, SHARED, "loki-compactor-misplaced"])
    it(`${p} passes`, () => passes(exportOf(good), p));
});

describe("policy (loki): deployment modes as loki 6.49 templates/validate.yaml judges them", () => {
  /** Values running both sides of a transitional mode: the single binary and one pod of each target. */
  const bothSides = (mode: string): any => ({
    ...clone(good),
    deploymentMode: mode,
    write: { replicas: 1 },
    read: { replicas: 1 },
    backend: { replicas: 1 },
  });
  it("the transitional mode SingleBinary<->SimpleScalable runs both sides: legal", () =>
    passes(exportOf(bothSides("SingleBinary<->SimpleScalable")), MODES));
  it("the same replicas in plain SingleBinary mode fail", () => {
    const v: any = clone(good);
    v.write = { replicas: 1 };
    return fails(
      exportOf(v),
      MODES,
      /values\.write\.replicas is 1; the chart fails with "You have more than zero replicas configured for both the single binary and simple scalable targets"/,
    );
  });
  it("simple scalable and distributed replicas together need SimpleScalable<->Distributed", async () => {
    const v: any = clone(good);
    Object.assign(v, {
      deploymentMode: "SimpleScalable",
      singleBinary: { replicas: 0 },
      write: { replicas: 3 },
    });
    v.ingester = { replicas: 3 };
    await fails(
      exportOf(v),
      MODES,
      /values\.ingester\.replicas is 3; the chart fails with "You have more than zero replicas configured for scalable targets/,
    );
    v.deploymentMode = "SimpleScalable<->Distributed";
    await passes(exportOf(v), MODES);
  });
  it("chart 12.0's names: Monolithic<->SimpleScalable is the same transitional mode, and the refusal says monolithic (loki 18.11.0 templates/validate.yaml)", async () => {
    const v = bothSides("Monolithic<->SimpleScalable");
    const at = exportAt;
    await passes(at(v, "18.11.0"), MODES);
    v.deploymentMode = "Monolithic";
    await fails(
      at(v, "18.11.0"),
      MODES,
      /more than zero replicas configured for both the monolithic and simple scalable targets"\. Set the unused mode's replicas to 0, or set values\.deploymentMode to "Monolithic<->SimpleScalable"/,
    );
    await fails(
      at(v, "6.55.0"),
      MODES,
      /both the single binary and simple scalable targets"\. .*deploymentMode to "SingleBinary<->SimpleScalable"/,
    );
  });
  it("single binary and distributed replicas fail in every mode", () => {
    const v: any = clone(good);
    v.deploymentMode = "SingleBinary<->SimpleScalable";
    v.distributor = { replicas: 1 };
    return fails(exportOf(v), MODES, /no transitional mode exists/);
  });
});

describe("policy (loki): replication factor against the replicas that take writes", () => {
  const distributed = (ingesters: number) => ({
    ...clone(good),
    deploymentMode: "Distributed",
    loki: { ...clone(good.loki), commonConfig: { replication_factor: 3 } },
    singleBinary: { replicas: 0 },
    ingester: { replicas: ingesters },
    distributor: { replicas: 2 },
    querier: { replicas: 2 },
    queryFrontend: { replicas: 1 },
    compactor: { replicas: 1 },
    indexGateway: { replicas: 1 },
  });
  it("Distributed: three ingesters carry replication factor 3 (write replicas 0 do not matter)", () =>
    passes(exportOf(distributed(3)), RF));
  it("Distributed: two ingesters cannot carry replication factor 3", () =>
    fails(
      exportOf(distributed(2)),
      RF,
      /replication_factor is 3 but values\.ingester\.replicas is 2 \(the replicas that take writes in deploymentMode Distributed\)/,
    ));
  it("transitional SingleBinary<->SimpleScalable: single binary and write replicas share the ring", async () => {
    const v: any = clone(good);
    v.deploymentMode = "SingleBinary<->SimpleScalable";
    v.loki.commonConfig.replication_factor = 2;
    v.write = { replicas: 1 };
    await passes(exportOf(v), RF);
    v.write = { replicas: 0 };
    await fails(exportOf(v), RF, /values\.singleBinary\.replicas \+ values\.write\.replicas is 1/);
  });
  it("Monolithic (chart 12.0's SingleBinary): the single binary's replicas take the writes", async () => {
    const v: any = clone(good);
    v.deploymentMode = "Monolithic";
    v.loki.commonConfig.replication_factor = 2;
    v.singleBinary = { ...v.singleBinary, replicas: 1 };
    await fails(
      exportAt(v, "18.11.0"),
      RF,
      /replication_factor is 2 but values\.singleBinary\.replicas is 1 \(the replicas that take writes in deploymentMode Monolithic\)/,
    );
    v.singleBinary.replicas = 2;
    await passes(exportAt(v, "18.11.0"), RF);
    // 6.x has no Monolithic: the chart renders no Loki for it.
    await fails(
      exportAt(v, "6.55.0"),
      RF,
      /values\.deploymentMode is "Monolithic", none of this chart's modes/,
    );
    // A slip of case is none either (the templates compare exactly), said with the mode meant.
    v.deploymentMode = "singleBinary";
    await fails(
      exportAt(v, "18.11.0"),
      RF,
      /"singleBinary", none of this chart's modes.*; did you mean "SingleBinary"\?$/,
    );
    // A misspelling is said with the mode meant too, as a misspelt option of the config is.
    v.deploymentMode = "SingleBinaryy";
    await fails(
      exportAt(v, "18.11.0"),
      RF,
      /^kubernetes:helm\.sh\/v3:Release "[^"]+": values\.deploymentMode is "SingleBinaryy", none of this chart's modes, so it renders no Loki at all \(no single binary, no write, read or backend, no distributed target\); did you mean "SingleBinary"\?$/,
    );
    // A word close to no mode gets the list of modes.
    v.deploymentMode = "Replicated";
    await fails(
      exportAt(v, "18.11.0"),
      RF,
      /"Replicated", none of this chart's modes.*\. Set one of SingleBinary, /,
    );
  });
  it("structuredConfig is merged last and wins: its common.replication_factor counts", async () => {
    const v: any = clone(good);
    v.loki.commonConfig.replication_factor = 3;
    v.loki.structuredConfig = { common: { replication_factor: 1 } };
    await passes(exportOf(v), RF);
    v.loki.commonConfig.replication_factor = 1;
    v.loki.structuredConfig = { common: { replication_factor: 2 } };
    await fails(exportOf(v), RF, /values\.loki\.structuredConfig\.common\.replication_factor is 2/);
  });
});

describe("policy (loki): compactor retention as Loki 3.6 reads it", () => {
  it("a delete store given through the chart's tpl renders to the storage type: passes", () => {
    const v: any = clone(good);
    v.loki.compactor.delete_request_store = "{{ .Values.loki.storage.type }}";
    return passes(exportOf(v), DELETE_STORE);
  });
  it("a templated delete store the pack cannot evaluate is not judged", () => {
    const v: any = clone(good);
    v.loki.compactor.delete_request_store = '{{ include "loki.storeType" . }}';
    return passes(exportOf(v), DELETE_STORE);
  });
  it("a template that renders to something that is no store fails", () => {
    const v: any = clone(good);
    v.loki.compactor.delete_request_store = "{{ .Values.loki.storage.bucketNames.chunks }}";
    return fails(
      exportOf(v),
      DELETE_STORE,
      /delete_request_store is "lab-loki-chunks", which names no object store/,
    );
  });
  // A slip of a store type was refused with the list alone.
  it("a misspelt store type is offered the type it means", () => {
    const v: any = clone(good);
    v.loki.compactor.delete_request_store = "s33";
    return fails(
      exportOf(v),
      DELETE_STORE,
      /delete_request_store is "s33", which names no object store; did you mean "s3"\? Otherwise use a store type \(s3, aws, gcs, /,
    );
  });
  it("structuredConfig wins: retention turned off there needs no delete store", () => {
    const v: any = clone(good);
    delete v.loki.compactor.delete_request_store;
    v.loki.structuredConfig = { compactor: { retention_enabled: false } };
    return passes(exportOf(v), DELETE_STORE);
  });
  it("structuredConfig wins: an empty delete store there replaces the one in loki.compactor", () => {
    const v: any = clone(good);
    v.loki.structuredConfig = { compactor: { delete_request_store: "" } };
    return fails(exportOf(v), DELETE_STORE, /retention_enabled is true but delete_request_store is empty/);
  });
  it('a quoted "true" is a string to Loki (yaml.v2 refuses it for a bool): fails', () => {
    const v: any = clone(good);
    v.loki.compactor.retention_enabled = "true";
    return fails(
      exportOf(v),
      DELETE_STORE,
      /retention_enabled is the string "true", not a boolean; Loki refuses the config at startup/,
    );
  });
  it('a quoted "true" in raw Loki YAML fails too', () =>
    fails(
      [
        res("kubernetes:core/v1:ConfigMap", {
          metadata: { name: "loki" },
          data: {
            "config.yaml":
              'schema_config:\n  configs: []\ncommon:\n  storage:\n    s3: {}\ncompactor:\n  retention_enabled: "true"\n  delete_request_store: s3\n',
          },
        }),
      ],
      DELETE_STORE,
      /data\["config\.yaml"\]: compactor\.retention_enabled is the string "true"/,
    ));
  it("a delete store whose store type is not configured fails (pkg/storage/factory.go builds a client for it)", () => {
    const v: any = clone(good);
    v.loki.compactor.delete_request_store = "gcs";
    return fails(
      exportOf(v),
      DELETE_STORE,
      /delete_request_store is "gcs" but no gcs storage is configured \(configured: s3, aws\)/,
    );
  });
  it("filesystem as delete store with only s3 configured, in raw rendered config, fails", () =>
    fails(
      [
        res("kubernetes:core/v1:ConfigMap", {
          metadata: { name: "loki" },
          data: {
            "config.yaml":
              "schema_config:\n  configs: [{object_store: s3, store: tsdb}]\ncommon:\n  storage:\n    s3: {bucketnames: c}\ncompactor:\n  retention_enabled: true\n  delete_request_store: filesystem\n",
          },
        }),
      ],
      DELETE_STORE,
      /"filesystem" but no filesystem storage is configured \(configured: s3, aws\); Loki starts, but keeps the delete requests in the process's working directory.*Use the store the schema writes to \(s3\)/,
    ));
  it("the schema's own store with its storage replaced (loki.storage.type: filesystem): the hint is to configure that store, not to set the value it has", async () => {
    // Round forty-four: staging with chartValues.loki.loki.storage.type: filesystem was told "Use the
    // store the schema writes to (s3)", which delete_request_store already was.
    const found = await fails(
      [
        res("kubernetes:core/v1:ConfigMap", {
          metadata: { name: "loki" },
          data: {
            "config.yaml":
              "schema_config:\n  configs: [{object_store: s3, store: tsdb}]\ncommon:\n  storage:\n    filesystem: {chunks_directory: /var/loki/chunks}\ncompactor:\n  retention_enabled: true\n  delete_request_store: s3\n",
          },
        }),
      ],
      DELETE_STORE,
      /delete_request_store is "s3" but no s3 storage is configured \(configured: filesystem\); the compactor fails at start creating the delete request store client\. The schema writes the chunks to s3 as well \(schema_config object_store\), so delete_request_store already names the store to use: configure s3 storage again, rather than change delete_request_store\.$/,
    );
    assert.ok(found.every((v) => !/Use the store the schema writes to/.test(v.message)));
  });
  it("aws as the delete store, s3 the schema's, neither configured: the hint is to configure that store type, not to name the schema's (the same type)", async () => {
    // s3 and aws name one store type (one configuration section serves both): "Use the store the
    // schema writes to (s3)", followed, left the same store unconfigured and the same refusal.
    const found = await fails(
      [
        res("kubernetes:core/v1:ConfigMap", {
          metadata: { name: "loki" },
          data: {
            "config.yaml":
              "schema_config:\n  configs: [{object_store: s3, store: tsdb}]\ncommon:\n  storage:\n    filesystem: {chunks_directory: /var/loki/chunks}\ncompactor:\n  retention_enabled: true\n  delete_request_store: aws\n",
          },
        }),
      ],
      DELETE_STORE,
      /delete_request_store is "aws" but no aws storage is configured \(configured: filesystem\); the compactor fails at start creating the delete request store client\. The schema writes the chunks to s3, the same store type as aws \(schema_config object_store\), so delete_request_store already names the store to use: configure aws storage again, rather than change delete_request_store\.$/,
    );
    assert.ok(found.every((v) => !/Use the store the schema writes to/.test(v.message)));
  });
  it("aws and s3 name the same store type", () => {
    const v: any = clone(good);
    v.loki.compactor.delete_request_store = "aws";
    return passes(exportOf(v), DELETE_STORE);
  });
});

describe("policy (loki): Loki 2 leftovers stop Loki 3", () => {
  it("shared_store is a mandatory failure (strict config parsing, no such field)", async () => {
    const v: any = clone(good);
    v.loki.compactor.shared_store = "s3";
    const found = await fails(
      exportOf(v),
      SHARED,
      /shared_store is set; Loki 3 no longer knows it and refuses the config at startup/,
    );
    assert.equal(found[0].level, "mandatory");
    assert.equal(failed(found), true);
  });
  it("shared_store in structuredConfig fails too", () => {
    const v: any = clone(good);
    v.loki.structuredConfig = { compactor: { shared_store: "filesystem" } };
    return fails(exportOf(v), SHARED, /shared_store is set/);
  });
  it("shared_store_key_prefix fails too", () => {
    const v: any = clone(good);
    v.loki.compactor.shared_store_key_prefix = "index/";
    // The key that does its work now, not the store's: delete_request_store_key_prefix.
    return fails(
      exportOf(v),
      SHARED,
      /shared_store_key_prefix is set; .*Remove it and set delete_request_store_key_prefix instead\.$/,
    );
  });
  it("passes once removed", async () => {
    assert.equal((await check(exportOf(good), SHARED)).length, 0);
  });
});

/** The smallest SingleBinary values with retention (no storage block). */
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
  it("passes chart values with retention and a delete store", () => passes([release("loki", goodLoki)], P));
  it("v4 Chart: judges the rendered children, never the component (the engine passes it without inputs)", async () => {
    const bad = clone(goodLoki);
    delete (bad.loki.compactor as any).delete_request_store;
    // pulumi-kubernetes' Construct registers the Chart with no inputs: nothing to judge there.
    await passes([res("kubernetes:helm.sh/v4:Chart", { chart: "loki", values: bad })], P);
    // Its rendered ConfigMap is a resource of its own and is judged.
    const chart = { ...res("kubernetes:helm.sh/v4:Chart", { chart: "loki", values: bad }), custom: false };
    const child = res(
      "kubernetes:core/v1:ConfigMap",
      { data: { "config.yaml": rawLoki("  retention_enabled: true\n") } },
      { parent: chart.urn },
    );
    await fails([chart, child], P, /delete_request_store/);
  });
  it("passes raw Loki YAML with a named store", () =>
    passes(
      [
        res("kubernetes:core/v1:ConfigMap", {
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
        return release("loki", v);
      },
      /values\.loki\.compactor\.retention_enabled is true but delete_request_store is missing;/,
    ],
    [
      "values: store empty",
      () => {
        const v = clone(goodLoki);
        v.loki.compactor.delete_request_store = "";
        return release("loki", v);
      },
      /delete_request_store is empty.*Set values\.loki\.compactor\.delete_request_store/,
    ],
    [
      "values: store names no store",
      () => {
        const v = clone(goodLoki);
        v.loki.compactor.delete_request_store = "minio";
        return release("loki", v);
      },
      /delete_request_store is "minio", which names no object store/,
    ],
    [
      "structuredConfig turns retention on",
      () => {
        const v: any = clone(goodLoki);
        v.loki.compactor = {};
        v.loki.structuredConfig = { compactor: { retention_enabled: true } };
        return release("loki", v);
      },
      /values\.loki\.structuredConfig\.compactor\.retention_enabled is true/,
    ],
    [
      "raw YAML in a ConfigMap",
      () =>
        res("kubernetes:core/v1:ConfigMap", {
          data: { "config.yaml": rawLoki("  retention_enabled: true\n") },
        }),
      /data\["config\.yaml"\]: compactor\.retention_enabled is true/,
    ],
    [
      "raw YAML in a Secret's stringData",
      () =>
        res("kubernetes:core/v1:Secret", {
          stringData: { "config.yaml": rawLoki("  retention_enabled: true\n  delete_request_store: ''\n") },
        }),
      /stringData\["config\.yaml"\]: compactor/,
    ],
    [
      "raw YAML base64 in a Secret's data",
      () =>
        res("kubernetes:core/v1:Secret", {
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
      [release("loki", v)],
      "loki-retention-period-without-retention",
      /retention_period is "7d" but values\.loki\.compactor\.retention_enabled is not true/,
    );
    assert.equal(found[0].level, "advisory");
    await passes([release("loki", goodLoki)], "loki-retention-period-without-retention");
  });
  it("advisory: retention_period without retention_enabled says what Loki 3.7.6 does (deletes nothing by age), not that logs are kept forever", async () => {
    const v: any = clone(goodLoki);
    v.loki.compactor = { retention_enabled: false };
    const [found] = await fails(
      [release("loki", v)],
      "loki-retention-period-without-retention",
      /limits_config\.retention_period is "7d" but values\.loki\.compactor\.retention_enabled is not true, and Loki applies retention_period only with retention on: its compactor deletes no logs by age/,
    );
    // Nor that they stay in the store: a bucket's lifecycle rule, outside Loki, may still delete them.
    assert.doesNotMatch(found.message, /forever|stay in the store/);
    assert.match(
      found.message,
      /Set retention_enabled: true \(with delete_request_store\), or drop retention_period\.$/,
    );
  });
  it("advisory: compactor settings at the chart's top level", async () => {
    await passes([release("loki", { ...goodLoki, compactor: { replicas: 0 } })], "loki-compactor-misplaced");
    const found = await fails(
      [release("loki", { ...goodLoki, compactor: { retention_enabled: true, delete_request_store: "s3" } })],
      "loki-compactor-misplaced",
      /values\.compactor holds Loki settings \(retention_enabled, delete_request_store\)/,
    );
    assert.equal(found[0].level, "advisory");
  });
  it("advisory: leftover shared_store", async () => {
    const v = clone(goodLoki) as any;
    v.loki.compactor.shared_store = "s3";
    await fails(
      [release("loki", v)],
      "loki-shared-store-removed",
      /shared_store is set; Loki 3 no longer knows it/,
    );
    await passes([release("loki", goodLoki)], "loki-shared-store-removed");
  });
});

describe("policy: loki topology", () => {
  it("replication factor: passes within the writers, fails above them", async () => {
    await passes([release("loki", goodLoki)], "loki-replication-factor");
    const v = clone(goodLoki);
    v.loki.commonConfig.replication_factor = 3;
    await fails(
      [release("loki", v)],
      "loki-replication-factor",
      /replication_factor is 3 but values\.singleBinary\.replicas is 1/,
    );
    await fails(
      [
        release("loki", {
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
    await passes([release("loki", goodLoki)], "loki-single-binary-and-scalable");
    const v: any = clone(goodLoki);
    delete v.write;
    await fails(
      [release("loki", v)],
      "loki-single-binary-and-scalable",
      /values\.singleBinary\.replicas is 1 and values\.write\.replicas is 3 \(unset means the chart default 3\)/,
    );
  });
});

/**
 * `helm template` of a loki archive with `values`, through the fixture cache (keyed by the chart
 * cache's archives among everything else): the real Helm once per change, not every run. A Helm
 * that did not run (runHelm's code -1: no binary at helmBinary()) is thrown, never cached: a run
 * before `npm test`'s pretest had put Helm in .tools kept "spawn helm ENOENT" as each render's
 * outcome, and every later run failed on it until the cache was deleted.
 */
const helmTemplate = (archive: string, values: unknown) =>
  cached("loki-helm", cacheKey("loki-helm", [archive, values]), async () => {
    const r = await runHelm(
      helmBinary(),
      ["template", "l", path.join(chartCacheDir(), archive), "--namespace", "monitoring", "-f", "-"],
      JSON.stringify(values),
    );
    if (r.code === -1) throw new Error(`helm template ${archive}: ${r.stderr}`);
    return r;
  });

describe("policy (loki): the deployment-mode refusals quote each Loki chart in the chart cache, rendered by Helm", function () {
  this.timeout(60000);
  const archives = fs.readdirSync(chartCacheDir()).filter((f) => /^loki-\d[\w.-]*\.tgz$/.test(f));
  it("finds the loki archives (6.x and grafana-community's 18.x)", () =>
    assert.ok(archives.length >= 2, archives.join(", ")));
  for (const archive of archives) {
    const version = /^loki-(.+)\.tgz$/.exec(archive)![1];
    /** The pack's message and Helm's refusal of the same values at this chart version. */
    const both = async (values: any) => {
      const message = (await check(exportAt(values, version), MODES))[0]?.message ?? "";
      const helm = await helmTemplate(archive, values);
      return { message, helm: helm.code === 0 ? "" : helm.stderr };
    };
    const quoted = (message: string) => /the chart fails with "([^"]+)"/.exec(message)?.[1] ?? "(no quote)";
    it(`loki ${version}: single binary with simple scalable replicas`, async () => {
      const { message, helm } = await both({ ...clone(good), write: { replicas: 1 } });
      assert.ok(helm.includes(quoted(message)), `pack: ${message}\nhelm: ${helm}`);
      const mode = /set values\.deploymentMode to "([^"]+)"/.exec(message)?.[1];
      assert.ok(mode && helm.includes(`'${mode}'`), `pack: ${message}\nhelm: ${helm}`);
    });
    it(`loki ${version}: the deploymentModes the pack knows are the ones Helm renders Loki for`, async () => {
      const one = {
        ...clone(good),
        singleBinary: { replicas: 1 },
        write: { replicas: 0 },
        read: { replicas: 0 },
      };
      const candidates = [
        "Monolithic",
        "Monolithic<->SimpleScalable",
        ...lokiModes({ props: { version } } as any),
        "Bogus",
      ];
      for (const mode of [...new Set(candidates)]) {
        const values = { ...one, deploymentMode: mode };
        const helm = await helmTemplate(archive, values);
        // The Loki workloads, not the gateway, the caches or the canary.
        const loki =
          /^kind: (StatefulSet|Deployment)\n(?:.*\n){0,3}?  name: "?l(?:oki)?-(?:loki)?(?!.*(cache|gateway|canary))/m.test(
            helm.stdout,
          );
        const refused = (await check(exportAt(values, version), RF)).filter((v) =>
          /none of this chart's modes/.test(v.message),
        );
        assert.equal(
          refused.length === 0,
          loki,
          `${mode}: pack ${refused.length ? "refuses" : "accepts"}, Helm ${loki ? "renders" : "renders no"} Loki`,
        );
      }
    });
    it(`loki ${version}: single binary with distributed replicas`, async () => {
      const { message, helm } = await both({ ...clone(good), distributor: { replicas: 1 } });
      assert.ok(helm.includes(quoted(message)), `pack: ${message}\nhelm: ${helm}`);
    });
  }
});
