import * as assert from "assert";
import { parse } from "yaml";
import { placedFrom } from "../../checks";
import { checkEngineConfigs } from "../../checks/engineConfigs";
import { synth } from "../support/helpers";
import { renderStack } from "../support/rendered";

/**
 * Loki's and Mimir's S3 `insecure` means "use http:// for the S3 endpoint instead of https://"
 * (mimir-3.0.0 pkg/storage/bucket/s3/config.go:112; loki v3.7.6
 * pkg/storage/chunk/client/aws/s3_storage_client.go:118, "Disable https on s3 connection"), never
 * "skip certificate verification": the endpoint's scheme decides it,
 * and `objectStore.insecure` with an https:// endpoint becomes the engines' insecure_skip_verify.
 */
describe("the object store hop: TLS when the endpoint is https, its scheme and nothing else decides", function () {
  this.timeout(120_000);

  /** The S3 block of Loki's and Mimir's rendered config files (every engine config found). */
  async function s3Blocks(objectStore: Record<string, unknown>) {
    const s = await synth("staging", {
      phase: "dual-write",
      metricsBackend: "mimir",
      objectStore: {
        type: "minio",
        adminEndpoint: "http://localhost:9000",
        region: "us-east-1",
        keepUnusedBuckets: ["loki-ruler", "loki-admin", "mimir-alertmanager"],
        ...objectStore,
      },
    });
    const { objects } = await renderStack(s.export);
    const placed = placedFrom(objects);
    const blocks: { engine: string; s3: any }[] = [];
    for (const p of placed) {
      if (p.obj.kind !== "ConfigMap" && p.obj.kind !== "Secret") continue;
      for (const [key, raw] of Object.entries<string>(p.obj.data ?? p.obj.stringData ?? {})) {
        const text = p.obj.kind === "Secret" && p.obj.data ? Buffer.from(raw, "base64").toString() : raw;
        if (!/\.ya?ml$/.test(key) || !text.includes("common:")) continue;
        const doc = parse(text);
        const s3 = doc?.common?.storage?.s3;
        if (s3) blocks.push({ engine: p.obj.metadata.name, s3 });
      }
    }
    return { blocks, engine: checkEngineConfigs(placed) };
  }

  it("http:// endpoint: plain HTTP (insecure: true), no verification key", async () => {
    const { blocks, engine } = await s3Blocks({ endpoint: "http://minio.storage.svc.cluster.local:9000" });
    assert.ok(
      blocks.length >= 2,
      `Loki's and Mimir's configs: found ${blocks.map((b) => b.engine).join(", ")}`,
    );
    for (const b of blocks) {
      assert.equal(b.s3.insecure, true, b.engine);
      assert.equal(b.s3.http_config ?? b.s3.http, undefined, b.engine);
    }
    assert.deepEqual(engine.findings, []);
  });

  it("https:// endpoint: TLS (insecure: false), verified by default", async () => {
    const { blocks } = await s3Blocks({ endpoint: "https://minio.storage.svc.cluster.local:9000" });
    assert.ok(blocks.length >= 2);
    for (const b of blocks) {
      assert.equal(b.s3.insecure, false, b.engine);
      assert.equal(b.s3.http_config ?? b.s3.http, undefined, b.engine);
    }
  });

  it("https:// with objectStore.insecure: still TLS, the certificate not verified (keys from each engine's reference)", async () => {
    const { blocks, engine } = await s3Blocks({
      endpoint: "https://minio.storage.svc.cluster.local:9000",
      insecure: true,
    });
    assert.ok(blocks.length >= 2);
    for (const b of blocks) {
      assert.equal(b.s3.insecure, false, `${b.engine}: plain HTTP to a TLS port`);
      assert.equal((b.s3.http_config ?? b.s3.http)?.insecure_skip_verify, true, b.engine);
    }
    // The keys written are the engines' own (engine-config judges them by Loki's and Mimir's references).
    assert.deepEqual(engine.findings, []);
  });
});
