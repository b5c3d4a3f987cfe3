/**
 * Least privilege as data (policy/objectStore.ts): judged from the grants the stack declares, on
 * the synthesized stacks themselves; each failing case is one change to a passing stack.
 */
import { strict as assert } from "assert";
import { evaluateResources } from "../../policy/evaluate";
import { GARAGE_GRANT_TYPE, leastPrivilegeProblems, MINIO_POLICY_TYPE } from "../../policy/objectStore";
import type { ExportResource } from "../../synth/synthesize";
import { synth } from "../support/helpers";

const GARAGE = {
  objectStore: {
    type: "garage",
    endpoint: "http://garage.storage.svc.cluster.local:3900",
    adminEndpoint: "http://localhost:3903",
  },
};

const asRes = (rs: ExportResource[]) =>
  rs.map((r) => ({ type: r.type, urn: r.urn, name: r.urn.split("::").pop()!, props: r.inputs }));

describe("object-store-least-privilege: no key reads another component's bucket", function () {
  this.timeout(120_000);

  it("staging on MinIO and on Garage pass: each bucket is granted to its own component's key", async () => {
    for (const over of [{}, GARAGE]) {
      const rs = (await synth("staging", over)).export.deployment.resources;
      const grants = rs.filter((r) => r.type === GARAGE_GRANT_TYPE || r.type === MINIO_POLICY_TYPE);
      assert.ok(grants.length >= 2, "the stack declares grants");
      assert.deepEqual(leastPrivilegeProblems(asRes(rs)), []);
      const v = await evaluateResources(rs.filter((r) => r.type !== "pulumi:pulumi:Stack"));
      assert.deepEqual(
        v.filter((x) => x.policy === "object-store-least-privilege"),
        [],
      );
    }
  });

  it("fails when Mimir's Garage key is also granted Loki's bucket", async () => {
    const rs = structuredClone((await synth("staging", GARAGE)).export.deployment.resources);
    const loki = rs.find((r) => r.type === GARAGE_GRANT_TYPE && r.inputs.keyName === "staging-loki")!;
    rs.push({ ...loki, urn: `${loki.urn}-copy`, inputs: { ...loki.inputs, keyName: "staging-mimir" } });
    const problems = leastPrivilegeProblems(asRes(rs));
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /bucket "staging-loki-chunks" is granted to 2 keys \("staging-loki", "staging-mimir"/,
    );
  });

  it("fails on a Garage owner grant and on a MinIO policy that reaches every bucket", async () => {
    const garage = structuredClone((await synth("staging", GARAGE)).export.deployment.resources);
    const g = garage.find((r) => r.type === GARAGE_GRANT_TYPE)!;
    g.inputs = { ...g.inputs, permissions: { read: true, write: true, owner: true } };
    assert.match(leastPrivilegeProblems(asRes(garage)).join("\n"), /owner on bucket/);
    const minio = structuredClone((await synth("staging")).export.deployment.resources);
    const p = minio.find((r) => r.type === MINIO_POLICY_TYPE)!;
    const doc = JSON.parse(p.inputs.policy);
    doc.Statement[1].Resource = ["arn:aws:s3:::*"];
    p.inputs = { ...p.inputs, policy: JSON.stringify(doc) };
    assert.match(leastPrivilegeProblems(asRes(minio)).join("\n"), /allows arn:aws:s3:::\*: every bucket/);
  });

  it("fails when one MinIO policy names another component's bucket", async () => {
    const rs = structuredClone((await synth("staging")).export.deployment.resources);
    const policies = rs.filter((r) => r.type === MINIO_POLICY_TYPE && /-rw$/.test(r.inputs.name));
    const mimir = policies.find((r) => r.inputs.name.includes("mimir"))!;
    const doc = JSON.parse(mimir.inputs.policy);
    doc.Statement[1].Resource.push("arn:aws:s3:::staging-loki-chunks/*");
    mimir.inputs = { ...mimir.inputs, policy: JSON.stringify(doc) };
    assert.match(
      leastPrivilegeProblems(asRes(rs)).join("\n"),
      /bucket "staging-loki-chunks" is granted to 2 keys/,
    );
  });
});
