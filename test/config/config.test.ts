import { strict as assert } from "assert";
import {
  ConfigError,
  parseStackConfig,
  rawFromPulumiConfig,
  rawSchema,
  SECRET_KEYS,
} from "../../config/resolve";
import { config, rawConfig } from "../support/helpers";

/** Parses and returns the problems; fails the test when the config is accepted. */
function problems(over: Record<string, unknown>, drop: string[] = []): string[] {
  const raw = rawConfig(over);
  for (const k of drop) delete raw[k];
  try {
    parseStackConfig(raw, "test");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail(`config was accepted: ${JSON.stringify(over)}`);
}

describe("stack config", () => {
  it("the resolved config carries every key of the schema (StackConfig is the schema's output plus what resolution adds)", () => {
    const c = config({ takeover: { namespace: true } });
    const keys = Object.keys(rawSchema.shape).filter((k) => !(SECRET_KEYS as readonly string[]).includes(k));
    assert.deepEqual(
      keys.filter((k) => !(k in c)),
      [],
    );
  });

  it("fills documented defaults", () => {
    const c = config();
    assert.equal(c.cluster, "test");
    assert.equal(c.namespace, "monitoring");
    assert.equal(c.profile, "standard");
    assert.equal(c.metricsBackend, "mimir");
    assert.equal(c.logAgent, "alloy");
    // Monolithic, highly available where the nodes allow it (3 nodes and object storage here).
    assert.equal(c.loki.mode, "Monolithic");
    assert.equal(c.loki.replicas, 3);
    assert.equal(c.loki.replicationFactor, 3);
    assert.equal(c.loki.retention, "7d");
    assert.equal(c.loki.canary, true);
    assert.equal(c.objectStore.type === "minio" && c.objectStore.insecure, true);
    assert.equal(c.objectStore.bucketPrefix, "test");
    assert.equal(c.prometheus.volumeSize, "70Gi");
    assert.equal(c.mimir.maxGlobalSeriesPerUser, 1_000_000);
    assert.deepEqual(c.nodePools[0].labels, { "kubernetes.io/arch": "amd64" });
    assert.deepEqual(c.secretKeys.sort(), [
      "heartbeatUrl",
      "minioAdminPassword",
      "minioAdminUser",
      "pushoverToken",
      "pushoverUserKey",
    ]);
  });

  it("defaults the lightweight profile to VictoriaMetrics, Vector, no canary or gateway", () => {
    const c = config({ profile: "lightweight" });
    assert.equal(c.metricsBackend, "victoriametrics");
    assert.equal(c.logAgent, "vector");
    assert.equal(c.loki.canary, false);
    assert.equal(c.loki.gateway, false);
  });

  it("reads Pulumi's flat config map, parsing structured values and ignoring other namespaces", () => {
    const raw = rawFromPulumiConfig({
      "homelab-observability:phase": "dual-write",
      "homelab-observability:loki": '{"retention":"30d"}',
      "homelab-observability:production": "true",
      "kubernetes:context": "lab",
    });
    assert.deepEqual(raw, { phase: "dual-write", loki: { retention: "30d" }, production: true });
  });

  const cases: [string, Record<string, unknown>, RegExp, string[]?][] = [
    ["missing phase", {}, /homelab-observability:phase: required/, ["phase"]],
    [
      "unknown phase",
      { phase: "kps-gone" },
      /homelab-observability:phase: expected one of loki-fixed \| dual-write \| backend-primary \| kps-removed, got string "kps-gone"/,
    ],
    [
      "unknown top-level key",
      { colour: "blue" },
      /homelab-observability:colour: unknown key \(every key: docs\/reference\/configuration.md\)/,
    ],
    [
      "unknown nested key",
      { loki: { retension: "7d" } },
      /homelab-observability:loki.retension: unknown key; did you mean "retention"\?/,
    ],
    [
      "wrong type for a boolean",
      { production: "yes" },
      /homelab-observability:production: expected true or false, got string "yes"/,
    ],
    [
      "wrong type for a number",
      { loki: { replicas: "two" } },
      /homelab-observability:loki.replicas: expected a whole number of at least 1, like 3, got string "two"/,
    ],
    [
      "minio without endpoint",
      { objectStore: { type: "minio" } },
      /homelab-observability:objectStore.endpoint: required, expected a URL with scheme http or https, a host, no path, query or fragment and no credentials, like "http:\/\/minio.storage.svc:9000", got nothing/,
    ],
    [
      "endpoint without scheme",
      { objectStore: { type: "minio", endpoint: "minio:9000" } },
      /objectStore.endpoint: expected a URL with scheme/,
    ],
    [
      "unknown object store",
      { objectStore: { type: "nfs" } },
      /homelab-observability:objectStore.type: expected one of minio \| garage \| ceph-rgw \| filesystem, got string "nfs"/,
    ],
    ["object store missing", {}, /homelab-observability:objectStore: required/, ["objectStore"]],
    [
      "negative retention",
      { loki: { retention: "-3d" } },
      /homelab-observability:loki.retention: expected a duration above zero like "7d".*got string "-3d"/,
    ],
    [
      "unparseable retention",
      { loki: { retention: "a week" } },
      /homelab-observability:loki.retention: expected a duration/,
    ],
    [
      "retention shorter than a day",
      { loki: { retention: "12h" } },
      /homelab-observability:loki.retention: expected at least 24h/,
    ],
    [
      "unknown Loki mode",
      { loki: { mode: "Microservices" } },
      /homelab-observability:loki.mode: expected one of Monolithic \| SimpleScalable \| Distributed \| SingleBinary \| Monolithic<->SimpleScalable, got string "Microservices"/,
    ],
    [
      "zero replicas",
      { loki: { replicas: 0 } },
      /homelab-observability:loki.replicas: expected a whole number of at least 1, like 3, got number 0/,
    ],
    [
      "fractional replicas",
      { loki: { write: 2.5 } },
      /homelab-observability:loki.write: expected integer, got number 2.5|homelab-observability:loki.write/,
    ],
    [
      "replication factor above write replicas",
      { loki: { mode: "SimpleScalable", write: 2, replicationFactor: 3 } },
      /homelab-observability:loki.replicationFactor: expected at most loki.write \(2\) replicas, got 3/,
    ],
    [
      "Monolithic with 2 replicas and replication factor 3",
      { loki: { mode: "Monolithic", replicas: 2, replicationFactor: 3 } },
      /homelab-observability:loki.replicationFactor: expected at most loki.replicas \(2\) in Monolithic mode .*got 3; set loki.replicas to at least 3 or lower loki.replicationFactor/,
    ],
    [
      "SingleBinary (the old name of Monolithic) with 2 replicas and replication factor 3",
      { loki: { mode: "SingleBinary", replicas: 2, replicationFactor: 3 } },
      /homelab-observability:loki.replicationFactor: expected at most loki.replicas \(2\) in Monolithic mode/,
    ],
    [
      "the transitional mode with fewer monolithic pods than copies",
      { loki: { mode: "Monolithic<->SimpleScalable", replicas: 1, replicationFactor: 2 } },
      /homelab-observability:loki.replicationFactor: expected at most loki.replicas \(1\) in Monolithic<->SimpleScalable mode .*and the write pods leave/,
    ],
    [
      "SimpleScalable without write pods",
      { loki: { mode: "SimpleScalable", write: 0, replicationFactor: 1 } },
      /homelab-observability:loki.write: expected at least 1 in SimpleScalable mode .*Monolithic<->SimpleScalable.*got 0/,
    ],
    [
      "more monolithic pods than nodes",
      { loki: { replicas: 4 } },
      /homelab-observability:loki.replicas: expected at most 3, the nodes of nodePools .*hard node anti-affinity.*got 4/,
    ],
    [
      "Distributed on one small node",
      {
        loki: { mode: "Distributed" },
        nodePools: [{ name: "small", arch: "amd64", count: 1, cpu: "2", memory: "4Gi" }],
      },
      /homelab-observability:loki.mode: "Distributed" runs at least 3 ingesters on distinct nodes .*nodePools has 1 node\(s\)/,
    ],
    [
      "filesystem with two Loki replicas",
      { objectStore: { type: "filesystem" }, loki: { replicas: 2, replicationFactor: 1 } },
      /homelab-observability:loki.replicas: expected 1 with the filesystem object store.*got 2/,
    ],
    [
      "filesystem with SimpleScalable",
      { objectStore: { type: "filesystem" }, loki: { mode: "SimpleScalable" } },
      /homelab-observability:loki.mode: expected "Monolithic" with the filesystem object store/,
    ],
    [
      "bad quantity",
      { prometheus: { volumeSize: "70 gigs" } },
      /homelab-observability:prometheus.volumeSize: expected a Kubernetes quantity above zero like "70Gi"/,
    ],
    [
      "bad retention size",
      { prometheus: { retentionSize: "60G" } },
      /homelab-observability:prometheus.retentionSize: expected a size like "59GiB"/,
    ],
    [
      "bad node pool arch",
      { nodePools: [{ name: "pi", arch: "arm", count: 3, cpu: "4", memory: "8Gi" }] },
      /homelab-observability:nodePools\[0\].arch: expected one of amd64 \| arm64, got string "arm"/,
    ],
    [
      // `uname -m` on a Pi: no edit distance leads from it to arm64, the table does.
      "node pool arch as uname -m prints it",
      { nodePools: [{ name: "pi", arch: "aarch64", count: 3, cpu: "4", memory: "8Gi" }] },
      /nodePools\[0\].arch: expected one of amd64 \| arm64, got string "aarch64"; did you mean "arm64"\? \(`uname -m` prints "aarch64" where Kubernetes says "arm64"\)/,
    ],
    [
      "node pool arch x86_64",
      { nodePools: [{ name: "pc", arch: "x86_64", count: 3, cpu: "4", memory: "8Gi" }] },
      /nodePools\[0\].arch: expected one of amd64 \| arm64, got string "x86_64"; did you mean "amd64"\?/,
    ],
    [
      "empty node pools",
      { nodePools: [] },
      /homelab-observability:nodePools: expected a list of at least 1 entry, got/,
    ],
    [
      "duplicate pool names",
      {
        nodePools: [
          { name: "a", arch: "amd64", count: 1, cpu: "2", memory: "4Gi" },
          { name: "a", arch: "arm64", count: 1, cpu: "2", memory: "4Gi" },
        ],
      },
      /homelab-observability:nodePools\[1\].name: expected a unique pool name/,
    ],
    [
      "bad taint effect",
      {
        nodePools: [
          {
            name: "pi",
            arch: "arm64",
            count: 1,
            cpu: "4",
            memory: "8Gi",
            taints: [{ key: "pi", effect: "Never" }],
          },
        ],
      },
      /homelab-observability:nodePools\[0\].taints\[0\].effect: expected one of NoSchedule/,
    ],
    ["uppercase cluster name", { cluster: "Lab" }, /homelab-observability:cluster: expected a DNS label/],
    [
      "unknown metrics backend",
      { metricsBackend: "thanos" },
      /homelab-observability:metricsBackend: expected one of mimir \| victoriametrics, got string "thanos"/,
    ],
    [
      "onepassword without vault",
      { secrets: { backend: "onepassword" } },
      /homelab-observability:secrets.vault: required/,
    ],
    [
      "config backend without pushover token",
      {},
      /homelab-observability:pushoverToken: required with secrets.backend "config"; set it with `pulumi config set --secret pushoverToken/,
      ["pushoverToken"],
    ],
    [
      "minio without admin password",
      {},
      /homelab-observability:minioAdminPassword: required with secrets.backend "config"/,
      ["minioAdminPassword"],
    ],
    [
      "pushover priority out of range",
      { alerting: { pushoverPriority: 3 } },
      /homelab-observability:alerting.pushoverPriority: expected a whole number from -2 to 2, like 2, got number 3/,
    ],
  ];
  for (const [title, over, pattern, drop] of cases) {
    it(`rejects ${title}, naming the key`, () => {
      const found = problems(over, drop);
      assert.ok(
        found.some((p) => pattern.test(p)),
        `no problem matched ${pattern}:\n${found.join("\n")}`,
      );
    });
  }

  it("requires a 1Password token from config or the environment", () => {
    const op = {
      secrets: { backend: "onepassword", vault: "6qf2homelabvault0000000000", connectUrl: "http://op:8080" },
    };
    assert.throws(
      () => parseStackConfig(rawConfig(op), "t", {}),
      /homelab-observability:onepasswordToken: required with secrets.backend "onepassword".*export OP_CONNECT_TOKEN/,
    );
    // A command pasted as written works: no `<token>` the shell reads as a redirection.
    assert.throws(
      () => parseStackConfig(rawConfig(op), "t", {}),
      /set it with `pulumi config set --secret onepasswordToken` \(it prompts for the value\) or export OP_CONNECT_TOKEN/,
    );
    assert.equal(
      parseStackConfig(rawConfig(op), "t", { OP_CONNECT_TOKEN: "x" }).secrets.backend,
      "onepassword",
    );
    assert.equal(
      parseStackConfig(rawConfig({ ...op, onepasswordToken: "x" }), "t", {}).secrets.backend,
      "onepassword",
    );
    assert.throws(
      () =>
        parseStackConfig(
          rawConfig({ secrets: { backend: "onepassword", vault: "6qf2homelabvault0000000000" } }),
          "t",
          {},
        ),
      /export OP_SERVICE_ACCOUNT_TOKEN/,
    );
  });

  it("reports every problem at once", () => {
    const found = problems({ phase: "nope", loki: { retention: "-1d", mode: "Huge" }, extra: 1 });
    assert.ok(found.length >= 4, found.join("\n"));
    for (const key of ["phase", "loki.retention", "loki.mode", "homelab-observability:extra: unknown key"]) {
      assert.ok(
        found.some((p) => p.includes(key)),
        `missing ${key}:\n${found.join("\n")}`,
      );
    }
  });
});
