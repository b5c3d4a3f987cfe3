/**
 * The check cache (checks/cache.ts): a verdict is reused only for the same objects,
 * resources, options and checker; any change is checked afresh, so a stale verdict never passes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { checkStack } from "../../checks";
import { checkKey, checkStackCached, checkerVersion, sourceDigest } from "../../checks/cache";
import type { Placed } from "../../checks/objects";
import { daemonSet, NS } from "../support/objects";

/** Two host-network DaemonSets on distinct ports, and a ConfigMap naming the cluster DNS. */
function objects(): Placed[] {
  return [
    { obj: daemonSet("a", 9100), urn: "urn:a", source: "release a" },
    { obj: daemonSet("b", 9101), urn: "urn:b", source: "release b" },
    {
      obj: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "dns", namespace: NS },
        data: { resolver: "kube-dns.kube-system.svc.cluster.local:53" },
      },
      urn: "urn:c",
      source: "release c",
    },
  ];
}

describe("check cache (checks/cache.ts)", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-cache-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("answers an unchanged stack from disk with the verdict checkStack gives", () => {
    const first = checkStackCached(objects(), [], { cacheDir: dir });
    assert.equal(first.cached, false);
    assert.equal(fs.readdirSync(dir).length, 1);
    const objs = objects();
    const again = checkStackCached(objs, [], { cacheDir: dir });
    assert.equal(again.cached, true);
    const report: Partial<typeof again> = { ...again };
    delete report.cached;
    assert.deepEqual(report, checkStack(objs, []));
    assert.ok(report.external.length > 0, "the ConfigMap's cluster-DNS address is reported");
    // Addresses point at the caller's objects, as checkStack's do.
    for (const a of report.external) assert.ok(objs.includes(a.found));
  });

  it("checks a changed object afresh: a host-port clash is found after a clean verdict was cached", () => {
    assert.equal(checkStackCached(objects(), [], { cacheDir: dir }).findings.length, 0);
    const changed = objects();
    changed[1].obj.spec.template.spec.containers[0].ports[0].containerPort = 9100;
    const r = checkStackCached(changed, [], { cacheDir: dir });
    assert.equal(r.cached, false);
    assert.match(r.findings.map((f) => f.message).join("\n"), /host port TCP\/9100 is claimed by/);
    // ...and that failing verdict is not served for the clean stack either.
    const clean = checkStackCached(objects(), [], { cacheDir: dir });
    assert.equal(clean.cached, true);
    assert.equal(clean.findings.length, 0);
  });

  it("keys by every input: objects, resources, options and the checker's version", () => {
    const base = checkKey(objects(), [], {});
    assert.equal(checkKey(objects(), [], {}), base);
    const renamed = objects();
    renamed[2].obj.data.resolver = "kube-dns.kube-system.svc.cluster.local:5353";
    assert.notEqual(checkKey(renamed, [], {}), base);
    const res = [
      { urn: "urn:a", custom: true, type: "kubernetes:helm.sh/v3:Release", inputs: {}, outputs: {} },
    ];
    assert.notEqual(checkKey(objects(), res, {}), base);
    assert.notEqual(checkKey(objects(), [], { outside: ["minio.storage"] }), base);
    assert.match(checkerVersion(), /^[0-9a-f]{64}$/);
  });

  it("versions the checker by the text of each check file and the validator packages", () => {
    const src = fs.mkdtempSync(path.join(os.tmpdir(), "check-src-"));
    try {
      fs.writeFileSync(path.join(src, "schema.ts"), "export const a = 1;\n");
      fs.writeFileSync(path.join(src, "notes.md"), "not code\n");
      const v1 = sourceDigest(src, ".ts", ["ajv"]);
      fs.writeFileSync(path.join(src, "notes.md"), "still not code\n");
      assert.equal(sourceDigest(src, ".ts", ["ajv"]), v1);
      fs.writeFileSync(path.join(src, "schema.ts"), "export const a = 2;\n");
      const v2 = sourceDigest(src, ".ts", ["ajv"]);
      assert.notEqual(v2, v1);
      fs.writeFileSync(path.join(src, "hostPorts.ts"), "export {};\n");
      assert.notEqual(sourceDigest(src, ".ts", ["ajv"]), v2);
      assert.notEqual(
        sourceDigest(src, ".ts", ["ajv", "kubernetes-models"]),
        sourceDigest(src, ".ts", ["ajv"]),
      );
    } finally {
      fs.rmSync(src, { recursive: true, force: true });
    }
  });
});
