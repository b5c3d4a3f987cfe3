import { strict as assert } from "assert";
import { checkEngineConfig, checkEngineFlags, loadEngineReference } from "../../upstream/engines/references";
import { unknownKeyHint } from "../../config/lokiValueCheck";

/**
 * The other words Loki 3.7.6 takes from a list, and what it did with another when run (a minimal
 * filesystem config on loopback, -verify-config then a start until /ready, a push and a query;
 * docs/explanation/engine-references.md "Run against Loki 3.7.6"): refused where Loki refused it at
 * load or start or failed every request, said as a warning where Loki took it and read it as
 * another word, passed where the file makes Loki not read the key.
 */
describe("upstream/engines/references: the words Loki takes beyond the rings (config-values.tsv and the source)", () => {
  const loki = loadEngineReference("loki");
  const judged = (config: unknown, severity: "error" | "warning") =>
    checkEngineConfig(loki, config)
      .filter((p) => p.severity === severity)
      .map(unknownKeyHint);
  const errors = (config: unknown) => judged(config, "error");
  const warnings = (config: unknown) => judged(config, "warning");
  const nested = (path: string, value: unknown): Record<string, unknown> =>
    path
      .split(".")
      .reverse()
      .reduce<unknown>((v, k) => ({ [k]: v }), value) as Record<string, unknown>;
  const one = (config: unknown) => {
    const [p, ...rest] = errors(config);
    assert.deepEqual(rest, [], JSON.stringify(config));
    assert.ok(p, `no problem for ${JSON.stringify(config)}`);
    return p;
  };
  const thanos = { storage_config: { use_thanos_objstore: true } };

  it("every listed key has its rule, and each row's words are its help's (126 at v3.7.6)", () => {
    const listed = [...loki.fields.values()].filter((f) => f.values);
    assert.equal(listed.length, 126);
    const words = (path: string) => loki.fields.get(path)?.values?.words;
    assert.deepEqual(words("ruler_storage.backend"), [
      "local",
      "s3",
      "gcs",
      "azure",
      "swift",
      "filesystem",
      "alibabacloud",
      "bos",
    ]);
    assert.deepEqual(words("ingester_client.grpc_client_config.grpc_compression"), ["gzip", "snappy", ""]);
    assert.deepEqual(words("ruler.evaluation.mode"), ["local", "remote"]);
    assert.deepEqual(words("server.log_format"), ["logfmt", "json"]);
    assert.equal(listed.filter((f) => f.path.endsWith("tls_min_version")).length, 48);
    assert.equal(listed.filter((f) => f.path.endsWith("grpc_compression")).length, 16);
    // The goldfish UI's bucket is left out but for its lookup type.
    assert.deepEqual(
      listed.filter((f) => f.path.startsWith("ui.goldfish.")).map((f) => f.path),
      ["ui.goldfish.results_bucket.s3.bucket_lookup_type"],
    );
  });

  it("the ruler: ruler_storage.backend (with use_thanos_objstore), the sharding strategy and algorithm, the evaluation mode", () => {
    // Loki 3.7.6 with use_thanos_objstore and `s4`, `Filesystem` or "": "unsupported storage backend" at start.
    for (const bad of ["s4", "Filesystem", ""]) {
      const p = one({ ...thanos, ruler_storage: { backend: bad } });
      assert.equal(p.path, "ruler_storage.backend");
      assert.match(
        p.message,
        /^expected one of local, s3, gcs, azure, swift, filesystem, alibabacloud, bos; found ".*": Loki stops at start \("unsupported storage backend"\) in every process that runs the ruler/,
      );
    }
    assert.match(one({ ...thanos, ruler_storage: { backend: "s4" } }).message, /did you mean "s3"\?$/);
    for (const ok of ["local", "s3", "gcs", "azure", "swift", "filesystem", "alibabacloud", "bos"])
      assert.deepEqual(errors({ ...thanos, ruler_storage: { backend: ok } }), [], ok);
    // Without use_thanos_objstore Loki reads ruler.storage: it started with `s4` here.
    assert.deepEqual(errors({ ruler_storage: { backend: "s4" } }), []);

    assert.match(
      one({ ruler: { sharding_strategy: "shuffle_sharding" } }).message,
      /^expected one of default, shuffle-sharding, "" \(empty\); found "shuffle_sharding": Loki stops at start \("invalid ruler config: invalid sharding strategy"\) in every process that runs the ruler .*did you mean "shuffle-sharding"\?$/,
    );
    assert.match(
      one({ ruler: { sharding_algo: "by_group" } }).message,
      /invalid sharding algorithm.*did you mean "by-group"\?$/,
    );
    for (const ok of ["", "default", "shuffle-sharding"])
      assert.deepEqual(errors({ ruler: { sharding_strategy: ok } }), [], ok);
    assert.deepEqual(errors({ ruler: { sharding_algo: "by-rule" } }), []);

    // Written empty or null, the mode is "": Loki 3.7.6 stopped ("invalid evaluation mode: .").
    for (const bad of ["remot", "Local", "", null]) {
      const p = one({ ruler: { evaluation: { mode: bad } } });
      assert.match(
        p.message,
        /^expected one of local, remote; found .*: Loki stops at start \("invalid ruler evaluation config: invalid evaluation mode"\) .*; leave the key out for local/,
      );
    }
    for (const ok of ["local", "remote"])
      assert.deepEqual(errors({ ruler: { evaluation: { mode: ok } } }), [], ok);
  });

  it("TLS minimum versions: the server's stops every process, a client's fails its connections; blank takes Go's", () => {
    const server = one({ server: { tls_min_version: "VersionTLS14" } });
    assert.equal(
      server.message.split(" (loki-3.7.6")[0],
      'expected one of VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13, "" (empty); found "VersionTLS14": Loki stops at start ("TLS version \\"VersionTLS14\\" not recognized") in every process',
    );
    assert.match(server.message, /did you mean "VersionTLS1\d"\?$/);
    const client = one(nested("ingester_client.grpc_client_config.tls_min_version", "TLS12"));
    assert.match(
      client.message,
      /each connection this client makes with its TLS enabled fails \("unknown minimum TLS version: \\"TLS12\\""\)/,
    );
    for (const ok of ["", "VersionTLS10", "VersionTLS13"]) {
      assert.deepEqual(errors({ server: { tls_min_version: ok } }), [], ok);
      assert.deepEqual(errors(nested("memberlist.tls_min_version", ok)), [], ok);
    }
  });

  it("gRPC compression: refused at load where Loki validates the client, else every call through it fails", () => {
    const at = (path: string, v: unknown) => one(nested(path, v));
    assert.match(
      at("frontend_worker.grpc_client_config.grpc_compression", "gzp").message,
      /^expected one of gzip, snappy, "" \(empty\); found "gzp": Loki stops at load \("unsupported compression type: \\"gzp\\""\).*did you mean "gzip"\?$/,
    );
    assert.match(
      at("ingester_client.grpc_client_config.grpc_compression", "Gzip").message,
      /found "Gzip": every call through this client fails \("grpc: Compressor is not installed for requested grpc-encoding \\"Gzip\\""\)/,
    );
    assert.match(
      at("ingest_limits_frontend.client_config.grpc_client_config.grpc_compression", "x").message,
      /Loki stops at load .* when ingest_limits\.enabled is true/,
    );
    for (const ok of ["", "gzip", "snappy"])
      assert.deepEqual(errors(nested("ingester_client.grpc_client_config.grpc_compression", ok)), [], ok);
  });

  it("S3 and Azure: the chunk store's words and the thanos store's, each as its own code reads them", () => {
    const legacy = (key: string, v: unknown) => errors(nested(`storage_config.aws.${key}`, v));
    const objstore = (key: string, v: unknown) => errors(nested(`storage_config.object_store.s3.${key}`, v));
    // Loki 3.7.6: "" and `V4` refused at load ("unsupported signature version").
    for (const bad of ["", "v2", "V4"])
      assert.match(
        legacy("signature_version", bad)[0]?.message ?? "",
        /Loki stops at load \("unsupported signature version"\)/,
      );
    assert.deepEqual(legacy("signature_version", "v4"), []);
    // The chunk store's storage classes are nine and exclude ""; the thanos store's thirteen, "" taken.
    assert.match(
      legacy("storage_class", "")[0]?.message ?? "",
      /found "": Loki stops at load \("unsupported S3 storage class: "\)/,
    );
    assert.match(legacy("storage_class", "SNOW")[0]?.message ?? "", /found "SNOW"/);
    assert.deepEqual(objstore("storage_class", "SNOW"), []);
    assert.deepEqual(objstore("storage_class", ""), []);
    assert.match(
      objstore("storage_class", "standard")[0]?.message ?? "",
      /Loki stops at load \("unsupported S3 storage class"\).*did you mean "STANDARD"\?$/,
    );
    // SSE: the thanos store's at load, the chunk store's when its client is built (at start).
    assert.match(
      objstore("sse.type", "SSE-C")[0]?.message ?? "",
      /^expected one of SSE-KMS, SSE-S3, "" \(empty\); found "SSE-C": Loki stops at load \("unsupported S3 SSE type"\)/,
    );
    assert.match(
      legacy("sse.type", "SSE-KM")[0]?.message ?? "",
      /Loki stops at start in every process that builds this store's client \("failed to build SSE config: SSE type is empty or invalid"\).*did you mean "SSE-KMS"\?$/,
    );
    assert.deepEqual([...legacy("sse.type", ""), ...objstore("sse.type", "SSE-S3")], []);
    // The bucket lookup type is a word (the reference's `int` is its zero value's type): `path`
    // was refused as no integer before; Loki 3.7.6 took auto, path, virtual-hosted and refused
    // "", `Path` and 1 at load.
    for (const ok of ["auto", "path", "virtual-hosted", null])
      assert.deepEqual(objstore("bucket_lookup_type", ok), [], String(ok));
    for (const bad of ["", "Path", 1])
      assert.match(
        objstore("bucket_lookup_type", bad)[0]?.message ?? "",
        /^expected one of auto, path, virtual-hosted; found .*: Loki stops at load \("unsupported bucket lookup type: /,
      );
    assert.deepEqual(checkEngineFlags(loki, ["-object-store.s3.bucket-lookup-type=path"]), []);
    assert.match(
      checkEngineFlags(loki, ["-object-store.s3.bucket-lookup-type=1"])[0]?.message ?? "",
      /found "1"/,
    );
    // The list-objects version is read when the thanos store's client is built; without
    // use_thanos_objstore Loki 3.7.6 started with `v3`.
    assert.match(
      errors({
        storage_config: { use_thanos_objstore: true, object_store: { s3: { list_objects_version: "v3" } } },
      })[0]?.message ?? "",
      /found "v3": Loki stops at start in every process that builds this bucket's client/,
    );
    assert.deepEqual(objstore("list_objects_version", "v3"), []);
    assert.deepEqual(errors({ ...thanos, ruler_storage: { s3: { list_objects_version: "v2" } } }), []);
    // Azure: compared as written, "" refused.
    assert.match(
      one(nested("storage_config.azure.environment", "azureglobal")).message,
      /Loki stops at load \("unsupported Azure blob storage environment"\).*did you mean "AzureGlobal"\?$/,
    );
    assert.match(one(nested("common.storage.azure.environment", "")).message, /found ""/);
  });

  it("caches, memberlist's zone role and the limits' words: refused where Loki validates them", () => {
    assert.match(
      one(nested("query_range.results_cache.compression", "snapy")).message,
      /^expected one of snappy, "" \(empty\); found "snapy": Loki stops at load \("unsupported compression type: snapy"\) once the cache is on \(query_range\.cache_results\).*did you mean "snappy"\?$/,
    );
    assert.match(
      one(nested("query_range.index_stats_results_cache.compression", "Snappy")).message,
      /cache_index_stats_results, true by default/,
    );
    assert.match(
      one(nested("memberlist.zone_aware_routing.role", "membr")).message,
      /^expected one of member, bridge; found "membr": Loki stops at start \("invalid role: membr"\) in every process that runs memberlist, once zone_aware_routing\.enabled is true.*did you mean "member"\?$/,
    );
    assert.match(
      one({ limits_config: { tsdb_sharding_strategy: "power_of_tow" } }).message,
      /^expected one of power_of_two, bounded; found "power_of_tow": Loki stops at load \("invalid tsdb sharding strategy: invalid shard version"\).*did you mean "power_of_two"\?$/,
    );
    assert.match(
      one({ limits_config: { tsdb_sharding_strategy: null } }).message,
      /found "": Loki stops at load/,
    );
    assert.match(
      one({ limits_config: { bloom_block_encoding: "gzp" } }).message,
      /Loki stops at load \("invalid encoding"\).*did you mean "gzip"\?$/,
    );
    assert.deepEqual(
      errors({ limits_config: { bloom_block_encoding: "SNAPPY", tsdb_sharding_strategy: "bounded" } }),
      [],
    );
  });

  it("OTLP attribute actions: three words, none for structured_metadata, index_label not for a scope attribute", () => {
    const otlp = (entry: string, action: unknown) =>
      errors({ limits_config: { otlp_config: nested(entry, [{ action, attributes: ["a"] }]) } });
    assert.match(
      otlp("log_attributes", "dropp")[0]?.message ?? "",
      /^expected one of structured_metadata, drop, index_label; found "dropp": Loki stops at load \("unsupported action, it must be one of: drop, index_label, structured_metadata"\).*did you mean "drop"\?$/,
    );
    assert.match(
      otlp("scope_attributes", "index_label")[0]?.message ?? "",
      /^expected structured_metadata or drop for a scope attribute; found "index_label": Loki stops at load \("index_label action is only supported for resource_attributes"\)/,
    );
    // Loki 3.7.6 took index_label for a log attribute (the help says resource attributes only).
    for (const ok of ["", null, "drop", "structured_metadata", "index_label"])
      assert.deepEqual(otlp("log_attributes", ok), [], String(ok));
    assert.deepEqual(otlp("resource_attributes.attributes_config", "index_label"), []);
  });

  it("a Prometheus relabel config's action takes Action.UnmarshalYAML's words, in any case; a null is replace", () => {
    const relabel = { source_labels: ["a"], regex: "x" };
    // Loki 3.7.6 started with `DROP`, `labelkeep` and a null action.
    assert.deepEqual(
      errors({
        ruler: {
          alert_relabel_configs: [
            { ...relabel, action: "DROP" },
            { ...relabel, action: "labelkeep" },
            { ...relabel, action: null },
          ],
        },
      }),
      [],
    );
    // Loki 3.7.6 refused `dropp` and "" at load ("unknown relabel action").
    for (const [config, path] of [
      [{ ruler: { alert_relabel_configs: [{ action: "dropp" }] } }, "ruler.alert_relabel_configs[0].action"],
      [
        {
          ruler: {
            remote_write: { clients: { a: { url: "http://x", write_relabel_configs: [{ action: "" }] } } },
          },
        },
        "ruler.remote_write.clients.a.write_relabel_configs[0].action",
      ],
    ] as const) {
      const p = one(config);
      assert.equal(p.path, path);
      assert.match(
        p.message,
        /^expected one of replace, keep, drop, .*uppercase; found .*: Loki stops at load \("unknown relabel action"\)/,
      );
    }
  });

  it("words Loki takes and reads as another are warnings, never errors: the log format, the index gateway mode, unvalidated caches, congestion control", () => {
    const said = (config: unknown) => {
      assert.deepEqual(errors(config), [], JSON.stringify(config));
      return warnings(config).map((w) => w.message);
    };
    // Loki 3.7.6 with `JSON` logged logfmt; with `rng` and `Ring` it was ready.
    assert.match(
      said({ server: { log_format: "JSON" } })[0] ?? "",
      /^expected one of logfmt, json, "" \(empty\); found "JSON": Loki 3\.7\.6 takes it and logs in logfmt: it writes JSON only for "json".*did you mean "json"\?$/,
    );
    assert.match(
      said({ index_gateway: { mode: "rng" } })[0] ?? "",
      /Loki 3\.7\.6 takes it and reads it as neither mode.*did you mean "ring"\?$/,
    );
    assert.match(
      said(nested("query_range.volume_results_cache.compression", "Snappy"))[0] ?? "",
      /keeps this cache uncompressed: it compresses only with "snappy"/,
    );
    // The query engine's cache compares ignoring case.
    assert.deepEqual(said(nested("query_engine.results_cache.compression", "Snappy")), []);
    assert.match(
      said(nested("storage_config.congestion_control.controller.strategy", "aimdd"))[0] ?? "",
      /takes it as no strategy/,
    );
    assert.deepEqual(said(nested("storage_config.congestion_control.controller.strategy", "AIMD")), []);
    // The hedger has no strategy at all: its help's `limited` is none too.
    assert.match(
      said(nested("storage_config.congestion_control.hedging.strategy", "limited"))[0] ?? "",
      /has no hedging strategy/,
    );
    for (const quiet of [
      { server: { log_format: "json" } },
      { index_gateway: { mode: "ring" } },
      { server: { log_format: "" } },
    ])
      assert.deepEqual(said(quiet), [], JSON.stringify(quiet));
  });
});
