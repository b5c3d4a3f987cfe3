import { strict as assert } from "assert";
import { ConfigError, parseStackConfig, s3BucketNameProblem } from "../../config/resolve";
import { config, rawConfig } from "../support/helpers";
import { BASE, P, STORE, refusal } from "../support/stackText";

/** The problems a raw config yields; fails the test when it is accepted. */
function problems(over: Record<string, unknown>): string[] {
  try {
    parseStackConfig(rawConfig(over), "test");
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail(`config was accepted: ${JSON.stringify(over)}`);
}

const long = (n: number) => "a".repeat(n);
const minio = (over: Record<string, unknown>) => ({
  objectStore: { type: "minio", endpoint: "http://minio.storage.svc:9000", ...over },
});

/**
 * Malformed configs the Kubernetes API, S3/MinIO, Loki, Mimir or VictoriaMetrics would refuse later.
 * Each message names the key, the expected form and what was found.
 */
const table: [string, Record<string, unknown>, RegExp][] = [
  // Names Kubernetes refuses (apimachinery IsDNS1123Label / IsDNS1123Subdomain).
  [
    "namespace over 63 characters",
    { namespace: long(64) },
    /homelab-observability:namespace: expected a DNS label \(DNS-1123: at most 63 characters.*got string "a{64}"/,
  ],
  [
    "namespace with an underscore",
    { namespace: "my_ns" },
    /homelab-observability:namespace: expected a DNS label.*got string "my_ns"/,
  ],
  ["namespace ending in '-'", { namespace: "mon-" }, /homelab-observability:namespace: expected a DNS label/],
  [
    "cluster over 63 characters",
    { cluster: long(64) },
    /homelab-observability:cluster: expected a DNS label/,
  ],
  [
    "storage class with an uppercase letter",
    { storageClasses: { default: "Local-Path" } },
    /homelab-observability:storageClasses.default: expected a StorageClass name \(a DNS-1123 subdomain.*got string "Local-Path"/,
  ],
  [
    "storage class '-' (a chart convention, never a class)",
    { storageClasses: { metrics: "-" } },
    /storageClasses.metrics: expected a StorageClass name/,
  ],
  [
    "storage class with a space",
    { storageClasses: { default: "fast ssd" } },
    /storageClasses.default: expected a StorageClass name/,
  ],
  [
    "storage class over 253 characters",
    { storageClasses: { default: long(254) } },
    /storageClasses.default: expected a StorageClass name/,
  ],
  [
    "ceph storage class with a slash",
    { objectStore: { type: "ceph-rgw", storageClass: "rook/ceph-bucket" } },
    /objectStore.storageClass: expected a StorageClass name/,
  ],
  // Bucket names S3 refuses: prefix + suffix over 63, or reserved forms.
  [
    "bucket prefix making a bucket name over 63",
    // The longest bucket a new stack gets is `<prefix>-mimir-blocks` (model/storage.ts PURPOSES).
    { ...minio({ bucketPrefix: long(52) }), metricsBackend: "mimir" },
    /homelab-observability:objectStore.bucketPrefix: expected a prefix that keeps every bucket name valid \(3-63 .*got "a{52}", which makes bucket "a{52}-(loki-chunks" 64|mimir-blocks" 65) characters long/,
  ],
  [
    "cluster name as default prefix making a bucket name over 63",
    { cluster: long(52) },
    /homelab-observability:cluster \(the default bucketPrefix\): expected a prefix that keeps every bucket name valid.*6[45] characters long/,
  ],
  [
    "bucket prefix with a reserved start",
    minio({ bucketPrefix: "xn--lab" }),
    /objectStore.bucketPrefix: .*start with a reserved prefix/,
  ],
  [
    "bucket prefix with uppercase",
    minio({ bucketPrefix: "Lab" }),
    /homelab-observability:objectStore.bucketPrefix: expected a bucket name prefix \(lowercase letters.*got string "Lab"/,
  ],
  // Endpoints: scheme, host, no credentials (and the password is never printed).
  [
    "endpoint without host",
    minio({ endpoint: "http://:9000" }),
    /objectStore.endpoint: expected a URL with scheme http or https, a host.*\((it has no host|it does not parse as a URL)\)/,
  ],
  [
    "endpoint with credentials",
    minio({ endpoint: "http://minio:s3cr3tpass@minio.storage.svc:9000" }),
    /objectStore.endpoint: expected a URL .*no credentials.*\(it carries credentials\), got string "http:\/\/<redacted>@minio\.storage\.svc:9000"/,
  ],
  [
    "endpoint with a path",
    minio({ endpoint: "http://minio:9000/bucket" }),
    /objectStore.endpoint: .*\(it has a path\)/,
  ],
  [
    "endpoint with a query, named as one, not a path",
    minio({ endpoint: "http://minio:9000?region=us-east-1" }),
    /objectStore.endpoint: .*no path, query or fragment.*\(it has a query\)/,
  ],
  [
    "endpoint with credentials, a path, a query and a fragment, every part named in the one message",
    minio({ endpoint: "http://minio:s3cr3tpass@minio.storage.svc:9000/bucket?x=1#f" }),
    /objectStore.endpoint: expected a URL .*no path, query or fragment and no credentials.*\(it carries credentials and has a path, a query and a fragment\), got string "http:\/\/<redacted>@minio\.storage\.svc:9000\/bucket\?x=1#f"$/,
  ],
  [
    "endpoint with another scheme and a path, both named",
    minio({ endpoint: "s3://minio:9000/bucket" }),
    /objectStore.endpoint: .*\(its scheme is s3 and it has a path\), got/,
  ],
  [
    "endpoint with another scheme",
    minio({ endpoint: "s3://minio:9000" }),
    /objectStore.endpoint: .*\(its scheme is s3\)/,
  ],
  [
    "Grafana URL without scheme",
    { grafana: { url: "grafana.lab:3000" } },
    /homelab-observability:grafana.url: expected a URL with scheme http or https.*\(it has no scheme\), got string "grafana.lab:3000"/,
  ],
  [
    "1Password Connect URL without scheme",
    {
      secrets: { backend: "onepassword", vault: "v", connectUrl: "onepassword-connect:8080" },
      onepasswordToken: "x",
    },
    /homelab-observability:secrets.connectUrl: expected a URL with scheme http or https.*\(it has no scheme\)/,
  ],
  // Sizes: a unit, and a retention budget that fits its volume.
  [
    "volume size without unit",
    { loki: { volumeSize: "10" } },
    /homelab-observability:loki.volumeSize: expected a Kubernetes quantity above zero like "10Gi": digits, an optional fraction and a byte unit.*got string "10"/,
  ],
  [
    "node CPU that is neither text nor a number",
    { nodePools: [{ name: "n", arch: "amd64", count: 1, cpu: true, memory: "16Gi" }] },
    /nodePools\[0\].cpu: expected a Kubernetes quantity above zero like "4": .*, got boolean true/,
  ],
  [
    "node CPU of zero",
    { nodePools: [{ name: "n", arch: "amd64", count: 1, cpu: 0, memory: "16Gi" }] },
    /nodePools\[0\].cpu: expected a Kubernetes quantity above zero like "4"/,
  ],
  [
    "node memory without unit",
    { nodePools: [{ name: "n", arch: "amd64", count: 1, cpu: "4", memory: "16" }] },
    /nodePools\[0\].memory: expected a Kubernetes quantity above zero like "8Gi": digits, an optional fraction and a byte unit/,
  ],
  [
    "memory in millis",
    { nodePools: [{ name: "n", arch: "amd64", count: 1, cpu: "4", memory: "512m" }] },
    /nodePools\[0\].memory: expected a Kubernetes quantity/,
  ],
  [
    "buffer size without unit",
    { metricsBackend: "victoriametrics", victoriametrics: { bufferSize: "1024" } },
    /victoriametrics.bufferSize: expected a Kubernetes quantity above zero like "1Gi": digits, an optional fraction and a byte unit/,
  ],
  [
    "retention size above its volume",
    { prometheus: { retentionSize: "80GiB", volumeSize: "70Gi" } },
    /homelab-observability:prometheus.retentionSize: expected at most the volume it lives on \(prometheus.volumeSize "70Gi"\), got "80GiB"/,
  ],
  [
    "retention size in GB (base 2 to Prometheus) above the volume",
    { prometheus: { retentionSize: "71GB", volumeSize: "70Gi" } },
    /prometheus.retentionSize: expected at most the volume/,
  ],
  [
    "a vmagent buffer larger than its queue volume",
    { metricsBackend: "victoriametrics", victoriametrics: { bufferSize: "8Gi" } },
    /^homelab-observability:victoriametrics.bufferSize: expected at most "2Gi", the size of vmagent's queue volume, which holds the buffer \(vmagent's remoteWrite.maxDiskUsagePerURL is set from it, so a larger buffer would fill the volume before reaching its limit\), got "8Gi"$/,
  ],
  [
    "a vmagent buffer one MiB larger than its queue volume",
    { metricsBackend: "victoriametrics", victoriametrics: { bufferSize: "2049Mi" } },
    /^homelab-observability:victoriametrics.bufferSize: expected at most "2Gi", .*, got "2049Mi"$/,
  ],
  // Tenants Loki and Mimir refuse (dskit tenant.ValidTenantID).
  [
    "Loki tenant with a slash",
    { loki: { authEnabled: true, tenant: "team/a" } },
    /homelab-observability:loki.tenant: expected a tenant ID Loki and Mimir accept.*got string "team\/a"/,
  ],
  ["Loki tenant '..'", { loki: { authEnabled: true, tenant: ".." } }, /loki.tenant: expected a tenant ID/],
  [
    "Mimir tenant over 150 characters",
    { mimir: { multitenancy: true, tenant: long(151) } },
    /homelab-observability:mimir.tenant: expected a tenant ID/,
  ],
  [
    "Mimir tenant with a '|' (the federation separator)",
    { mimir: { multitenancy: true, tenant: "a|b" } },
    /mimir.tenant: expected a tenant ID/,
  ],
  [
    "Mimir tenant __mimir_cluster (Mimir's internal tenant)",
    { mimir: { multitenancy: true, tenant: "__mimir_cluster" } },
    /homelab-observability:mimir.tenant: expected a tenant ID other than Mimir's internal "__mimir_cluster"/,
  ],
  // Tenants read beside the written one: valid IDs, only with multitenancy on, none twice.
  [
    "a previous Mimir tenant with a '|' (the federation separator)",
    { mimir: { multitenancy: true, previousTenants: ["anonymous", "a|b"] } },
    /homelab-observability:mimir.previousTenants\[1\]: expected a tenant ID Loki and Mimir accept .*got string "a\|b"/,
  ],
  [
    "previous Mimir tenants with multitenancy off (Mimir then ignores X-Scope-OrgID)",
    { mimir: { previousTenants: ["team-a"] } },
    /^homelab-observability:mimir.previousTenants: expected \[\] while mimir.multitenancy is false \(with it off the engine answers every read from its own tenant and ignores X-Scope-OrgID, so no other tenant can be read\), got \["team-a"\]$/,
  ],
  [
    "previous Loki tenants with authEnabled off",
    { loki: { previousTenants: ["fake"] } },
    /^homelab-observability:loki.previousTenants: expected \[\] while loki.authEnabled is false/,
  ],
  [
    "the written Mimir tenant listed as a previous one",
    { mimir: { multitenancy: true, tenant: "homelab", previousTenants: ["anonymous", "homelab"] } },
    /^homelab-observability:mimir.previousTenants\[1\]: expected a tenant other than mimir.tenant, which is written and read already, got "homelab"$/,
  ],
  [
    "a previous Loki tenant given twice",
    { loki: { authEnabled: true, previousTenants: ["fake", "old", "fake"] } },
    /^homelab-observability:loki.previousTenants\[2\]: expected each tenant once, got "fake" again \(loki.previousTenants\[0\]\)$/,
  ],
  [
    "Mimir's internal tenant as a previous one",
    { mimir: { multitenancy: true, previousTenants: ["__mimir_cluster"] } },
    /^homelab-observability:mimir.previousTenants\[0\]: expected a tenant other than Mimir's internal "__mimir_cluster", got "__mimir_cluster"$/,
  ],
  // VictoriaMetrics retention (app/vmstorage: at least a day; no lower-case "m").
  [
    "VictoriaMetrics retention below a day",
    { metricsBackend: "victoriametrics", victoriametrics: { retention: "12h" } },
    /homelab-observability:victoriametrics.retention: expected a duration of at least 1d .*got (string )?"12h"/,
  ],
  [
    "VictoriaMetrics retention in minutes",
    { metricsBackend: "victoriametrics", victoriametrics: { retention: "2000m" } },
    /victoriametrics.retention: expected a duration of at least 1d/,
  ],
];

describe("stack config: names, endpoints, sizes, tenants and retention the real tools refuse", () => {
  for (const [title, over, pattern] of table)
    it(`rejects ${title}`, () => {
      const found = problems(over);
      assert.ok(
        found.some((p) => pattern.test(p)),
        `no problem matched ${pattern}:\n${found.join("\n")}`,
      );
    });

  it("never prints a secret key's value, even when it has the wrong type", () => {
    const found = problems({ minioAdminPassword: 123456789 });
    const line = found.find((p) => p.includes("minioAdminPassword"))!;
    assert.ok(line, found.join("\n"));
    assert.ok(!line.includes("123456789"), line);
    assert.match(
      line,
      /homelab-observability:minioAdminPassword: expected text, got a secret value \(not shown\)/,
    );
  });
  it("never prints the password of an endpoint", () => {
    const found = problems(minio({ endpoint: "https://user:hunter2@minio:9000/x" }));
    assert.ok(!found.join("\n").includes("hunter2"), found.join("\n"));
  });

  const valid: [string, Record<string, unknown>][] = [
    ["a 63-character namespace", { namespace: long(63) }],
    ["a dotted StorageClass name", { storageClasses: { default: "nvme.local-path" } }],
    [
      "a tenant with every character dskit allows",
      { loki: { authEnabled: true, tenant: "Team_a.b-c!*'()" } },
    ],
    [
      "VictoriaMetrics retention of exactly 24h",
      { metricsBackend: "victoriametrics", victoriametrics: { retention: "24h" } },
    ],
    [
      "node CPU as a plain YAML number (cpu: 8, cpu: 0.5), as Kubernetes takes it",
      {
        nodePools: [
          { name: "a", arch: "amd64", count: 1, cpu: 8, memory: "16Gi" },
          { name: "b", arch: "arm64", count: 1, cpu: 0.5, memory: "4Gi" },
        ],
      },
    ],
    ["retention size equal to the volume", { prometheus: { retentionSize: "70GiB", volumeSize: "70Gi" } }],
    [
      "a vmagent buffer as large as its queue volume",
      { metricsBackend: "victoriametrics", victoriametrics: { bufferSize: "2Gi" } },
    ],
    [
      "previous tenants read beside the written one, each engine's own no-auth tenant included",
      {
        mimir: { multitenancy: true, previousTenants: ["anonymous", "team-a"] },
        loki: { authEnabled: true, previousTenants: ["fake"] },
      },
    ],
    ["an https endpoint with a trailing slash", minio({ endpoint: "https://minio.lab:9000/" })],
    ["a Grafana URL with a sub path", { grafana: { url: "https://lab.example.net/grafana" } }],
    [
      "the longest Mimir bucket at exactly 63 characters",
      { ...minio({ bucketPrefix: long(44) }), metricsBackend: "mimir" },
    ],
  ];
  for (const [title, over] of valid) it(`accepts ${title}`, () => assert.ok(config(over)));

  it("places a previous tenant's problem at its list item's line in the stack file", () => {
    const mimir = `  ${P("mimir")}:\n    multitenancy: true\n    previousTenants:\n      - anonymous\n      - homelab\n`;
    const text = `${BASE}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}\n${mimir}`;
    const e = refusal(text);
    const i = e.problems.findIndex((p) => p.startsWith(`${P("mimir.previousTenants[1]")}: `));
    assert.ok(i >= 0, e.message);
    assert.equal(e.places[i]?.line, text.trimEnd().split("\n").length, e.message);
  });

  it("places a vmagent buffer larger than its queue volume at its line in the stack file", () => {
    const vm = `  ${P("metricsBackend")}: victoriametrics\n  ${P("victoriametrics")}:\n    bufferSize: 4Gi\n`;
    const text = `${BASE}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}\n${vm}`;
    const e = refusal(text);
    const i = e.problems.findIndex((p) => p.startsWith(`${P("victoriametrics.bufferSize")}: `));
    assert.ok(i >= 0, e.message);
    assert.equal(e.places[i]?.line, text.trimEnd().split("\n").length, e.message);
  });

  it("keeps a node pool's numeric CPU as its quantity text", () => {
    const c = config({ nodePools: [{ name: "a", arch: "amd64", count: 1, cpu: 0.5, memory: "4Gi" }] });
    assert.equal(c.nodePools[0].cpu, "0.5");
  });

  it("S3 bucket rules (AWS general purpose bucket naming rules)", () => {
    assert.equal(s3BucketNameProblem("lab-loki-chunks"), undefined);
    assert.match(s3BucketNameProblem("ab")!, /2 characters long/);
    assert.match(s3BucketNameProblem("a..b")!, /adjacent periods/);
    assert.match(s3BucketNameProblem("192.168.1.10")!, /IP address/);
    assert.match(s3BucketNameProblem("lab-s3alias")!, /reserved suffix/);
    assert.match(s3BucketNameProblem("-lab")!, /start and end/);
  });
});
