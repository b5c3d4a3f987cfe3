/**
 * `objectStore.type: garage` without a server: what the stack config accepts and refuses (the
 * admin token, the endpoints, the bucket names Garage refuses, what exists outside the stack),
 * what the plan gives Loki and Mimir (path-style, Garage's region, the endpoint) and the egress
 * rule that admits Garage's S3 port and nothing more.
 */
import { strict as assert } from "assert";
import { garageBucketNameProblem, parseStackConfig, type StackConfig } from "../../config/resolve";
import { checkedStackConfig } from "../../config/stackCheck";
import { planStack } from "../../plan/plan";
import { consumerStorage } from "../../plan/storage";
import { planAdoptions, GARAGE_BUCKET_TYPE, GARAGE_KEY_TYPE } from "../../plan/takeover";
import { rawConfig, ROOT } from "../support/helpers";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const GARAGE = {
  type: "garage",
  endpoint: "http://garage.storage.svc.cluster.local:3900",
  adminEndpoint: "http://localhost:3903",
};
const TOKEN = "a-garage-admin-token-never-printed";

function garage(over: Record<string, unknown> = {}, store: Record<string, unknown> = {}): StackConfig {
  return parseStackConfig(
    rawConfig({
      phase: "kps-removed",
      objectStore: { ...GARAGE, ...store },
      garageAdminToken: TOKEN,
      ...over,
    }),
    "test",
  );
}

/** The problems of a config that must fail, with the token never among them. */
function problems(over: Record<string, unknown>, store: Record<string, unknown> = {}): string {
  try {
    garage(over, store);
  } catch (e) {
    const text = (e as Error).message;
    assert.ok(!text.includes(TOKEN), "the admin token is printed");
    return text;
  }
  throw new Error("expected the config to be refused");
}

describe("objectStore.type garage: the stack config", () => {
  it("is accepted with an S3 endpoint, an admin endpoint and the admin token; region defaults to Garage's quick-start value", () => {
    const c = garage();
    assert.equal(c.objectStore.type, "garage");
    if (c.objectStore.type !== "garage") return;
    assert.equal(c.objectStore.region, "garage");
    assert.equal(c.objectStore.insecure, true, "an http:// endpoint is plain HTTP");
    assert.equal(c.objectStore.deleteNonEmptyBuckets, false);
  });

  it("refuses a missing admin token, naming the key and the command that sets it", () => {
    const raw = rawConfig({ phase: "kps-removed", objectStore: GARAGE });
    assert.throws(
      () => parseStackConfig(raw, "test", {}),
      /homelab-observability:garageAdminToken: required with secrets.backend "config"; set it with `pulumi config set --secret garageAdminToken`/,
    );
  });

  it("refuses an admin token kept in plain text in the stack file, without printing it", () => {
    const dir = fs.mkdtempSync(path.join(ROOT, "node_modules", ".cache", "garage-stack-"));
    try {
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      fs.writeFileSync(
        path.join(dir, "Pulumi.plain.yaml"),
        [
          "config:",
          "  homelab-observability:kubeContext: admin@plain",
          "  homelab-observability:phase: kps-removed",
          "  homelab-observability:objectStore:",
          "    type: garage",
          `    endpoint: ${GARAGE.endpoint}`,
          `    adminEndpoint: ${GARAGE.adminEndpoint}`,
          `  homelab-observability:garageAdminToken: ${TOKEN}`,
          "",
        ].join("\n"),
      );
      let text = "";
      try {
        checkedStackConfig(dir, "plain", {}, { allowAbsentSecrets: true });
      } catch (e) {
        text = (e as Error).message;
      }
      assert.match(
        text,
        /homelab-observability:garageAdminToken: expected a secret \(`pulumi --cwd \S+ config set .*--secret garageAdminToken.*`\), got a plain value/,
      );
      assert.ok(!text.includes(TOKEN), "the plain token is printed");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an endpoint or admin endpoint that is not a URL, naming the key, the form and what it found", () => {
    assert.match(
      problems({}, { endpoint: "garage.storage.svc:3900" }),
      /objectStore.endpoint: expected a URL with scheme http or https, a host, no path, query or fragment and no credentials, like "http:\/\/garage.storage.svc:3900" \(it has no scheme\)/,
    );
    assert.match(
      problems({}, { adminEndpoint: "ftp://localhost:3903" }),
      /objectStore.adminEndpoint: expected a URL with scheme http or https.*\(its scheme is ftp\)/,
    );
    assert.match(problems({}, { adminEndpoint: undefined }), /objectStore.adminEndpoint/);
  });

  it("judges bucket names by Garage's own rule (src/model/bucket_alias_table.rs is_valid_bucket_name)", () => {
    assert.equal(garageBucketNameProblem("staging-loki-chunks"), undefined);
    assert.equal(garageBucketNameProblem("a..b"), undefined, "Garage allows two adjacent periods");
    assert.match(garageBucketNameProblem("logs.xn--bcher-kva")!, /punycode/);
    assert.match(garageBucketNameProblem("xn--logs")!, /punycode/);
    assert.match(garageBucketNameProblem("logs-s3alias")!, /-s3alias/);
    assert.match(garageBucketNameProblem("10.0.0.1")!, /IP address/);
    assert.match(garageBucketNameProblem("ab")!, /2 characters/);
    assert.match(garageBucketNameProblem("-logs")!, /start or end/);
    assert.match(
      problems({ existing: { buckets: ["logs.xn--bcher-kva"] } }),
      /homelab-observability:existing.buckets\[0\]: expected a bucket name Garage accepts .* got "logs.xn--bcher-kva", which would hold a punycode label/,
    );
  });

  it("imports buckets and keys that exist outside the stack, and refuses what it cannot take over", () => {
    const c = garage(
      { existing: { buckets: ["old-loki"] }, takeover: { buckets: { loki: { chunks: "old-loki" } } } },
      { existingKeys: { loki: "GK31c2f218a2e44f485b94239e" } },
    );
    const adoptions = planAdoptions(c);
    assert.deepEqual(
      adoptions.filter((a) => a.type === GARAGE_BUCKET_TYPE).map((a) => [a.identity, a.id]),
      [["old-loki", "old-loki"]],
    );
    assert.deepEqual(
      adoptions.filter((a) => a.type === GARAGE_KEY_TYPE).map((a) => [a.identity, a.id]),
      [["test-loki", "GK31c2f218a2e44f485b94239e"]],
    );
    assert.match(
      problems({}, { existingKeys: { loki: "AKIAIOSFODNN7EXAMPLE" } }),
      /objectStore.existingKeys.loki: expected a Garage access key ID \("GK" and 24 hex digits\)/,
    );
    assert.match(
      problems({ takeover: { buckets: { loki: { chunks: "old-loki" } } } }),
      /takeover.buckets.loki.chunks: with objectStore.type "garage" a bucket the stack uses must be in its state .* add "old-loki" to existing.buckets/,
    );
    assert.match(
      problems({ takeover: { secrets: { loki: "loki-s3" } } }),
      /takeover.secrets: with objectStore.type "garage" the consumers' access keys are Garage keys; name them in objectStore.existingKeys/,
    );
  });
});

describe("objectStore.type garage: one existing key for Loki and Mimir", () => {
  const KEY = "GK31c2f218a2e44f485b94239e";
  it("is refused where both run, at Mimir's entry: one key would reach both components' buckets", () => {
    const text = problems({}, { existingKeys: { loki: KEY, mimir: KEY } });
    assert.match(
      text,
      /objectStore\.existingKeys\.mimir: expected an access key other than Loki's \(objectStore\.existingKeys\.loki\), got the same key ID: the stack grants that one key the buckets of both Loki and Mimir, so each could read and write the other's objects; name a key of Mimir's own \(garage key create\), or leave existingKeys\.mimir out and the stack creates one/,
    );
    assert.equal(text.split("existingKeys.mimir: expected").length, 2, "one problem");
  });

  it("two keys of their own, or one named for a phase where Mimir does not run yet: accepted", () => {
    garage({}, { existingKeys: { loki: KEY, mimir: "GK0123456789abcdef01234567" } });
    garage({ phase: "loki-fixed" }, { existingKeys: { loki: KEY, mimir: KEY } });
  });
});

describe("objectStore.type garage: one bucket for two purposes", () => {
  /** The message of a stack file whose `existing`/`takeover` lines are `lines`, with where it sits. */
  function fileProblems(lines: string[]): { text: string; file: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "garage-shared-"));
    const file = path.join(dir, "Pulumi.shared.yaml");
    try {
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      fs.writeFileSync(
        file,
        [
          "config:",
          "  homelab-observability:kubeContext: admin@shared",
          "  homelab-observability:phase: kps-removed",
          "  homelab-observability:objectStore:",
          "    type: garage",
          `    endpoint: ${GARAGE.endpoint}`,
          `    adminEndpoint: ${GARAGE.adminEndpoint}`,
          ...lines,
          "",
        ].join("\n"),
      );
      try {
        checkedStackConfig(dir, "shared", {}, { allowAbsentSecrets: true });
      } catch (e) {
        return { text: (e as Error).message, file };
      }
      throw new Error("expected the config to be refused");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const takeover = [
    "  homelab-observability:takeover:",
    "    buckets:",
    "      loki:",
    "        chunks: old-shared",
    "      mimir:",
    "        blocks: old-shared",
  ];
  const why =
    "each purpose keeps a bucket of its own: the stack would declare it once for each, and Loki and Mimir each take what their bucket holds for their own objects";

  it("is one problem naming both keys where they are, not two resources claiming the bucket", () => {
    const { text, file } = fileProblems([
      "  homelab-observability:existing:",
      "    buckets: [old-shared, shared-mimir-ruler]",
      ...takeover,
    ]);
    assert.match(text, /\(1 problem\)/);
    assert.ok(
      text.includes(
        `homelab-observability:takeover.buckets.mimir.blocks: expected a bucket no other purpose uses (${why}), got "old-shared", which takeover.buckets.loki.chunks (${file}:13) also uses; name a bucket of its own for each\n    at ${file}:15:9`,
      ),
      text,
    );
  });

  it("says the missing existing.buckets entry in that one problem, not once per key naming the bucket", () => {
    const { text, file } = fileProblems([
      "  homelab-observability:existing:",
      "    buckets: [shared-mimir-ruler]",
      ...takeover,
    ]);
    assert.match(text, /\(1 problem\)/);
    assert.ok(
      text.includes(
        `homelab-observability:takeover.buckets.mimir.blocks: expected a bucket no other purpose uses (${why}), got "old-shared", which takeover.buckets.loki.chunks (${file}:13) also uses; name a bucket of its own for each; and with objectStore.type "garage" a bucket the stack uses must be in its state (its grant needs Garage's bucket ID): existing.buckets leaves "old-shared" out, so add the bucket each purpose keeps there (imported, never deleted)`,
      ),
      text,
    );
  });

  it("counts the name the stack gives a purpose it makes", () => {
    assert.ok(
      problems({
        existing: { buckets: ["test-mimir-blocks"] },
        takeover: { buckets: { loki: { chunks: "test-mimir-blocks" } } },
      }).includes(
        `homelab-observability:takeover.buckets.loki.chunks: expected a bucket no other purpose uses (${why}), got "test-mimir-blocks", which Mimir's blocks (the bucket the stack makes for them: takeover.buckets.mimir.blocks is not set, objectStore.bucketPrefix is "test") also uses; name a bucket of its own for each`,
      ),
    );
  });
});

describe("objectStore.type garage: a taken-over Loki's ruler bucket, which nothing reads", () => {
  const takeover = { buckets: { loki: { chunks: "loki", ruler: "loki-ruler" } } };

  it("is accepted named without existing.buckets: the plan neither grants nor makes it", () => {
    const c = garage({ existing: { buckets: ["loki"] }, takeover });
    const plan = planStack(c).objectStore.inputs.plan;
    const names = plan.consumers.flatMap((x) => [...x.buckets, ...x.referenced, ...x.unused]);
    assert.ok(names.includes("loki"), names.join(", "));
    assert.ok(!names.includes("loki-ruler"), names.join(", "));
  });

  it("listed in existing.buckets, is one problem saying Garage's stack does not manage it", () => {
    const text = problems({ existing: { buckets: ["loki", "loki-ruler"] }, takeover });
    assert.match(text, /\(1 problem\)/);
    assert.ok(
      text.includes(
        `homelab-observability:existing.buckets[1]: expected the name of a bucket the stack makes in some phase (loki, test-mimir-blocks, test-mimir-ruler), got "loki-ruler", which nothing imports: "loki-ruler" is the bucket takeover.buckets.loki.ruler names for Loki's ruler, a purpose nothing reads, which the stack keeps only on MinIO (objectStore.keepUnusedBuckets); on garage the stack does not manage it, so leave it out of existing.buckets (the bucket stays there, untouched)`,
      ),
      text,
    );
  });
});

describe("objectStore.type garage: the plan", () => {
  it("gives Loki and Mimir path-style S3 at the endpoint, in Garage's region, credentials by reference", () => {
    const c = garage({}, { region: "homelab" });
    const plan = planStack(c);
    for (const consumer of ["loki", "mimir"] as const) {
      const s = consumerStorage(plan.objectStore.inputs.plan, c.objectStore, consumer);
      assert.equal(s.kind, "s3");
      if (s.kind !== "s3") return;
      assert.equal(s.endpoint, GARAGE.endpoint);
      assert.equal(s.region, "homelab");
      assert.equal(s.pathStyle, true);
      assert.deepEqual(s.envFrom, [{ secretRef: { name: `${consumer}-s3-credentials` } }]);
    }
  });

  it("one bucket per purpose and one key per consumer, named from the prefix", () => {
    const b = planStack(garage()).objectStore.inputs.plan;
    assert.equal(b.type, "garage");
    assert.deepEqual(
      b.consumers.map((x) => [x.consumer, x.user, x.buckets]),
      [
        ["loki", "test-loki", ["test-loki-chunks"]],
        ["mimir", "test-mimir", ["test-mimir-blocks", "test-mimir-ruler"]],
      ],
    );
  });

  it("admits Garage's S3 port to Loki and Mimir only: no scraper, no admin port", () => {
    const c = garage({
      network: { egress: "enforced", apiServer: { cidrs: ["192.0.2.1/32"] }, nodes: ["192.0.2.0/24"] },
    });
    const policies = planStack(c).networkPolicies.inputs.policies;
    const stores = policies.flatMap((g) =>
      (g.egress ?? []).filter((r) => r.why.includes("object store")).map((r) => ({ group: g.name, rule: r })),
    );
    assert.deepEqual([...new Set(stores.map((s) => s.group))].sort(), ["loki", "mimir"]);
    for (const { rule } of stores) assert.match(JSON.stringify(rule), /3900/, JSON.stringify(rule));
    for (const { rule } of stores) assert.doesNotMatch(JSON.stringify(rule), /3903/);
  });
});
