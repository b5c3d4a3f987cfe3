/**
 * The staging topology on Garage, synthesized and rendered with the real Helm: every rendered
 * check (Loki's and Mimir's engine configs judged by their references, addresses, egress) and the
 * policy pack pass; Loki and Mimir reach Garage path-style, at its endpoint, in its region; the
 * least-privilege check finds no bucket granted to two keys.
 */
import { strict as assert } from "assert";
import * as YAML from "yaml";
import { formatFindings, placedFrom } from "../../checks";
import { checkBucketReads } from "../../checks/bucketReads";
import { evaluateResources, failed, formatViolations } from "../../policy/evaluate";
import { withRenderedObjects } from "../../synth/render/objects";
import { assertRendered, rendered, type Variant } from "../support/rendered";
import { checkedStack } from "../support/checkedStack";
import { GARAGE_BUCKET_TYPE, GARAGE_KEY_TYPE } from "../../plan/takeover";
import { secretPlaceholder } from "../../config/stackFile";
import { synth } from "../support/helpers";

/** Staging with its object store moved to Garage (as docs/how-to/move-to-garage.md ends). */
export const GARAGE_VARIANT: Variant = {
  title: "staging on garage",
  stack: "staging",
  over: {
    objectStore: {
      type: "garage",
      endpoint: "http://garage.storage.svc.cluster.local:3900",
      adminEndpoint: "http://localhost:3903",
      region: "garage",
    },
  },
};

describe("staging on Garage, rendered", function () {
  this.timeout(300_000);

  it("passes every rendered check (Loki's and Mimir's configs among them) and the policy pack", async () => {
    const r = await rendered(GARAGE_VARIANT);
    assertRendered(r);
    const resources = r.synth.export.deployment.resources;
    // Every check, through the verdict cache test/checks/rendered.test.ts keeps (checkedStack):
    // checked again only when the variant's objects, the checks or their data change. checkStack
    // afresh each run was 0.64 s of this file's CPU (warm, the file alone, medians of three
    // alternated: 1.55 -> 0.91 s).
    const report = checkedStack(r, placedFrom(r.objects), { outside: ["garage.storage"] });
    assert.equal(report.findings.length, 0, `\n${formatFindings(report.findings)}`);
    assert.ok(report.engineConfigs >= 2, `Loki's and Mimir's configs judged: ${report.engineConfigs}`);
    const violations = await evaluateResources(withRenderedObjects(resources, r.renders));
    assert.ok(!failed(violations), formatViolations(violations));
    assert.equal(resources.filter((x) => x.type === GARAGE_BUCKET_TYPE).length, 3);
    assert.equal(resources.filter((x) => x.type === GARAGE_KEY_TYPE).length, 2);
    const text = JSON.stringify(r.synth.export) + JSON.stringify(r.objects);
    // Offline, a recognisable placeholder stands in for the admin token, kept secret like the real one.
    assert.ok(!text.includes(secretPlaceholder("garageAdminToken")), "the admin token is in the export");
    assert.ok(
      r.synth.export.deployment.resources.some((x) => JSON.stringify(x.inputs).includes("synth-redacted")),
    );
  });

  it("Loki and Mimir use Garage path-style, at its endpoint and in its region", async () => {
    const r = await rendered(GARAGE_VARIANT);
    const texts = r.objects
      .filter((o) => o.object.kind === "ConfigMap" || o.object.kind === "Secret")
      .flatMap((o) => Object.values<unknown>({ ...(o.object.data ?? {}), ...(o.object.stringData ?? {}) }))
      .map((t) => (typeof t === "string" && !/^[A-Za-z0-9+/=]+$/.test(t) ? t : ""));
    const lokiText = texts.find((t) => /schema_config/.test(t) && /s3forcepathstyle/.test(t));
    assert.ok(lokiText, "Loki's rendered config");
    const loki = YAML.parse(lokiText);
    const s3 = loki.common?.storage?.s3 ?? loki.storage_config?.aws;
    assert.equal(s3.s3forcepathstyle, true);
    assert.equal(s3.region, "garage");
    assert.equal(s3.endpoint, "http://garage.storage.svc.cluster.local:3900");
    const mimirText = texts.find((t) => /blocks_storage/.test(t));
    assert.ok(mimirText, "Mimir's config");
    const mimir = YAML.parse(mimirText);
    assert.equal(mimir.common.storage.s3.endpoint, "garage.storage.svc.cluster.local:3900");
    assert.equal(mimir.common.storage.s3.region, "garage");
    assert.equal(mimir.common.storage.s3.bucket_lookup_type, "path");
    // Garage's provider, which refuses a region Garage does not serve, names the key at its line.
    const keys = r.synth.export.deployment.resources
      .filter((x) => x.type === GARAGE_BUCKET_TYPE)
      .map((x) => x.inputs.regionKey);
    assert.ok(
      keys.length > 0 && keys.every((k) => /^objectStore\.region \(Pulumi\.staging\.yaml:\d+\)$/.test(k)),
      JSON.stringify(keys),
    );
  });

  it("Loki and Mimir read only buckets their Garage keys are granted: a grant of another bucket fails the check", async () => {
    const r = await rendered(GARAGE_VARIANT);
    const resources = r.synth.export.deployment.resources;
    const placed = placedFrom(r.objects);
    const clean = checkBucketReads(placed, resources);
    assert.ok(clean.judged >= 2, `configs judged: ${clean.judged}`);
    assert.deepEqual(clean.findings, []);
    // Loki's key granted another bucket than the one its config reads.
    const elsewhere = resources.map((x) =>
      x.type.endsWith("garage:Grant") && x.inputs.bucket === "staging-loki-chunks"
        ? { ...x, inputs: { ...x.inputs, bucket: "staging-loki-elsewhere" } }
        : x,
    );
    const broken = checkBucketReads(placed, elsewhere);
    assert.ok(
      broken.findings.some((f) => JSON.stringify(f).includes("staging-loki-chunks")),
      JSON.stringify(broken.findings).slice(0, 400),
    );
  });

  it("an imported key (objectStore.existingKeys) is left in Garage when the stack deletes it; a key it made is not", async () => {
    const objectStore = {
      ...GARAGE_VARIANT.over.objectStore!,
      existingKeys: { loki: "GK31c2f218a2e44f485b94239e" },
    };
    const { resources } = (await synth("staging", { objectStore })).export.deployment;
    const keys = resources.filter((x) => x.type === GARAGE_KEY_TYPE);
    assert.deepEqual(
      keys.map((k) => [k.urn.split("::").pop(), k.retainOnDelete === true]),
      [
        ["objectstore-loki-key", true],
        ["objectstore-mimir-key", false],
      ],
    );
    // What its import judges it by (garage.ts importedKeyReach): the key at its line, and Loki's buckets.
    assert.deepEqual(
      keys.map((k) => k.inputs.imported),
      [
        {
          key: "objectStore.existingKeys.loki (not set in the stack file; objectStore is at Pulumi.staging.yaml:8)",
          consumer: "Loki",
          buckets: ["staging-loki-chunks"],
        },
        undefined,
      ],
    );
  });
});
