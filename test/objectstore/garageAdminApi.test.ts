/**
 * The program's Garage provider (components/objectstore/garage.ts) against a real Garage on
 * loopback, started once for the file: every admin API request it sends and every response it
 * reads is validated against Garage's own OpenAPI document (upstream/garage/data/), and the
 * provider keeps Pulumi's contract (read sees drift, diff names what replaces, a bucket holding
 * objects is not deleted unless the stack asks, what exists outside the stack is imported or
 * refused). Least privilege is Garage's own verdict: one component's key is refused on another's
 * bucket through S3.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import {
  bucketProvider,
  garageCall,
  grantProvider,
  keyProvider,
  type BucketInputs,
  type BucketOutputs,
  type GrantInputs,
  type KeyOutputs,
} from "../../components/objectstore/garage";
import { garageNoLayoutHint } from "../../builders/objectstore/garageAnswers";
import { GarageApiJudge, garageDocument, recordAdminCalls, type Exchange } from "../support/garageApi";
import {
  garageVersion,
  requireServer,
  s3,
  startGarage,
  type GarageServer,
  type S3Creds,
} from "../support/objectStores";
import { ROOT } from "../support/helpers";

describe("Garage's admin API, the program's provider against a real Garage", function () {
  this.timeout(60_000);
  let g: GarageServer | undefined;
  let bin = "";
  const judge = new GarageApiJudge();
  const recorder = recordAdminCalls(() => g?.admin);
  let judged = 0;

  /** Every exchange since the last call conforms to the document. */
  function conforms(): Exchange[] {
    const fresh = recorder.calls.slice(judged);
    judged = recorder.calls.length;
    const problems = fresh.flatMap((x) => judge.problems(x));
    assert.deepEqual(problems, [], problems.join("\n"));
    return fresh;
  }

  before(async function () {
    this.timeout(60_000);
    bin = requireServer(this, "garage");
    g = await startGarage(bin, (srv, method, op, query, body) =>
      garageCall({ endpoint: srv.admin, token: srv.token }, method, op, query, body),
    );
    conforms();
  });
  after(async () => {
    recorder.restore();
    await g?.stop(0);
  });

  const admin = () => ({ endpoint: g!.admin, token: g!.token });
  const bucketInputs = (name: string, over: Partial<BucketInputs> = {}): BucketInputs => ({
    admin: admin(),
    name,
    deleteNonEmpty: false,
    s3Endpoint: g!.s3,
    region: g!.region,
    ...over,
  });
  const grant = (b: BucketOutputs, k: KeyOutputs): GrantInputs => ({
    admin: admin(),
    bucket: b.name,
    bucketId: b.bucketId,
    keyName: k.name,
    accessKeyId: k.accessKeyId,
    permissions: { read: true, write: true, owner: false },
  });
  const creds = (k: KeyOutputs): S3Creds => ({
    accessKey: k.accessKeyId,
    secretKey: k.secretAccessKey,
    region: g!.region,
  });
  /**
   * A key for a test about something else: Garage's CreateKey with the body the provider's create
   * sends (`{ name }`), so the same key, without the ListKeys the provider asks first (the keys test
   * and the calls test prove that one). Each admin call is an Argon2 check of the token in Garage:
   * the calls of this file's tests 90 -> 82 (with the region test's key left undeleted, the last
   * this Garage holds). Measured warm, this file alone, CPU incl. Garage, medians of 9 alternated
   * runs on a machine loaded 11-14 deep: 8.12 -> 7.76 s (of the first 5: 8.04 -> 7.76 s).
   */
  async function madeKey(name: string): Promise<KeyOutputs> {
    const key = await garageCall<{ accessKeyId: string; secretAccessKey?: string | null }>(
      admin(),
      "POST",
      "CreateKey",
      {},
      { name },
    );
    return { admin: admin(), name, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey ?? "" };
  }

  it("runs the release whose document the repository keeps", () => {
    assert.equal(`v${garageVersion(bin)}`, garageDocument().info.version);
  });

  it("creates a bucket, reads it back, and sees it gone when it is deleted outside the stack", async () => {
    const made = await bucketProvider.create(bucketInputs("t-drift"));
    assert.equal(made.id, "t-drift");
    assert.match(made.outs!.bucketId, /^[0-9a-f]{64}$/);
    const read = await bucketProvider.read!("t-drift", made.outs);
    assert.equal(read.props?.bucketId, made.outs!.bucketId);
    await garageCall(admin(), "POST", "DeleteBucket", { id: made.outs!.bucketId });
    assert.deepEqual(
      await bucketProvider.read!("t-drift", made.outs),
      {},
      "gone: Pulumi drops it on refresh",
    );
    const ops = conforms().map((x) => x.operation);
    for (const op of ["GetBucketInfo", "CreateBucket", "DeleteBucket"]) assert.ok(ops.includes(op), op);
  });

  it("diff: a new name replaces the bucket; the connection and deleteNonEmpty only update it", async () => {
    const o = { ...bucketInputs("t-diff"), bucketId: "x", objects: 0, bytes: 0 };
    assert.deepEqual(await bucketProvider.diff!("t-diff", o, bucketInputs("t-diff-2") as BucketOutputs), {
      changes: true,
      replaces: ["name"],
      deleteBeforeReplace: false,
    });
    const d = await bucketProvider.diff!("t-diff", o, bucketInputs("t-diff", { deleteNonEmpty: true }));
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    const same = await bucketProvider.diff!("t-diff", o, bucketInputs("t-diff"));
    assert.equal(same.changes, false);
  });

  it("refuses to create a bucket that exists outside the stack, and imports it by name", async () => {
    await garageCall(admin(), "POST", "CreateBucket", {}, { globalAlias: "t-outside" });
    await assert.rejects(
      bucketProvider.create(bucketInputs("t-outside")),
      /Garage already has a bucket "t-outside" .* list it in existing.buckets to import it/,
    );
    const imported = await bucketProvider.read!("t-outside", bucketInputs("t-outside") as BucketOutputs);
    assert.equal(imported.id, "t-outside");
    assert.match(imported.props!.bucketId, /^[0-9a-f]{64}$/);
    conforms();
  });

  it("keys: one per name (a second one refused), imported by ID with their secret, renamed in place", async () => {
    const k = await keyProvider.create({ admin: admin(), name: "t-key" });
    assert.match(k.id, /^GK[0-9a-f]{24}$/);
    assert.match(k.outs!.secretAccessKey, /^[0-9a-f]{64}$/);
    await assert.rejects(
      keyProvider.create({ admin: admin(), name: "t-key" }),
      /Garage already has an access key named "t-key" \(GK[0-9a-f]{24}\) that this stack did not create: name it in objectStore.existingKeys/,
    );
    const imported = await keyProvider.read!(k.id, { admin: admin(), name: "t-key" } as KeyOutputs);
    assert.equal(imported.props!.secretAccessKey, k.outs!.secretAccessKey);
    await keyProvider.update!(k.id, k.outs!, { admin: admin(), name: "t-key-renamed" });
    const renamed = await keyProvider.read!(k.id, k.outs);
    assert.equal(renamed.props!.name, "t-key-renamed");
    await keyProvider.delete!(k.id, k.outs!);
    assert.deepEqual(await keyProvider.read!(k.id, k.outs), {});
    conforms();
  });

  it("grants: read back, drift seen when changed outside the stack, reset by the update, removed by delete", async () => {
    const b = (await bucketProvider.create(bucketInputs("t-grant"))).outs!;
    const k = await madeKey("t-grant-key");
    const made = await grantProvider.create(grant(b, k));
    const read = await grantProvider.read!(made.id, made.outs);
    assert.deepEqual(read.props!.permissions, { read: true, write: true, owner: false });
    await garageCall(
      admin(),
      "POST",
      "AllowBucketKey",
      {},
      {
        bucketId: b.bucketId,
        accessKeyId: k.accessKeyId,
        permissions: { owner: true },
      },
    );
    const drift = await grantProvider.read!(made.id, made.outs);
    assert.deepEqual(drift.props!.permissions, { read: true, write: true, owner: true }, "drift is seen");
    const d = await grantProvider.diff!(made.id, drift.props!, grant(b, k));
    assert.deepEqual([d.changes, d.replaces], [true, []]);
    await grantProvider.update!(made.id, drift.props!, grant(b, k));
    assert.deepEqual((await grantProvider.read!(made.id, made.outs)).props!.permissions, {
      read: true,
      write: true,
      owner: false,
    });
    const other = await grantProvider.diff!(made.id, made.outs!, {
      ...grant(b, k),
      bucketId: "0".repeat(64),
    });
    assert.deepEqual(other.replaces, ["bucketId"]);
    await grantProvider.delete!(made.id, made.outs!);
    assert.deepEqual(await grantProvider.read!(made.id, made.outs), {});
    conforms();
  });

  it("least privilege by Garage itself: each key reads and writes its own bucket and is refused on the other's", async () => {
    const lokiB = (await bucketProvider.create(bucketInputs("t-loki-chunks"))).outs!;
    const mimirB = (await bucketProvider.create(bucketInputs("t-mimir-blocks"))).outs!;
    const lokiK = await madeKey("t-loki");
    const mimirK = await madeKey("t-mimir");
    await grantProvider.create(grant(lokiB, lokiK));
    await grantProvider.create(grant(mimirB, mimirK));
    assert.equal((await s3(g!.s3, creds(lokiK), "PUT", "/t-loki-chunks/a", "loki")).status, 200);
    assert.equal((await s3(g!.s3, creds(lokiK), "GET", "/t-loki-chunks/a")).text, "loki");
    assert.equal((await s3(g!.s3, creds(mimirK), "PUT", "/t-mimir-blocks/b", "mimir")).status, 200);
    for (const [k, path] of [
      [lokiK, "/t-mimir-blocks/b"],
      [mimirK, "/t-loki-chunks/a"],
      [lokiK, "/t-mimir-blocks?list-type=2"],
    ] as const) {
      const r = await s3(g!.s3, creds(k), "GET", path);
      assert.equal(r.status, 403, `${k.name} GET ${path}: ${r.status} ${r.text.slice(0, 200)}`);
    }
    assert.equal((await s3(g!.s3, creds(lokiK), "PUT", "/t-mimir-blocks/c", "x")).status, 403);
    conforms();
  });

  it("a bucket the copy tool creates (move-to-garage.md step 1) is no bucket of that name for the stack: the guide says to create them first", async () => {
    const k = await madeKey("t-copy");
    const refused = await s3(g!.s3, creds(k), "PUT", "/t-copied");
    assert.equal(refused.status, 403, refused.text);
    assert.match(refused.text, /not allowed to create buckets/);
    // What `garage key allow --create-bucket` sends (v2.0.0 src/garage/cli/remote/key.rs:176-187).
    await garageCall(admin(), "POST", "UpdateKey", { id: k.accessKeyId }, { allow: { createBucket: true } });
    assert.equal((await s3(g!.s3, creds(k), "PUT", "/t-copied")).status, 200);
    assert.equal((await s3(g!.s3, creds(k), "PUT", "/t-copied/a", "a")).status, 200);
    // The copy's key sees it by that name (what the move check lists with); the stack's import by
    // that name finds nothing: the name is the key's local alias, not a global one.
    assert.equal((await s3(g!.s3, creds(k), "GET", "/t-copied?list-type=2")).status, 200);
    assert.deepEqual(await bucketProvider.read!("t-copied", bucketInputs("t-copied") as BucketOutputs), {});
    const guide = fs
      .readFileSync(path.join(ROOT, "docs/how-to/move-to-garage.md"), "utf8")
      .replace(/\s+/g, " ");
    assert.match(
      guide,
      /Create each bucket the stack has under the same name with `garage bucket create <name>`, before the copy\. Do not let the copy tool create them/,
    );
    assert.match(guide, /has its name only for that key \(a local alias\)/);
    assert.match(
      guide,
      /the copy tool's key of step 1 still reads and writes every bucket it copied\. .*delete it \(`garage key delete --yes copy`\)/,
    );
    await garageCall(admin(), "POST", "DeleteKey", { id: k.accessKeyId });
    conforms();
  });

  it("an imported key holding more than its consumer's buckets is refused at its import, each grant named with the command that revokes it", async () => {
    const own = (await bucketProvider.create(bucketInputs("t-own-chunks"))).outs!;
    const other = (await bucketProvider.create(bucketInputs("t-other-blocks"))).outs!;
    const third = (await bucketProvider.create(bucketInputs("t-third"))).outs!;
    const denied = (await bucketProvider.create(bucketInputs("t-denied-once"))).outs!;
    const made = await madeKey("t-operators");
    // The operator's key, outside the stack: its own bucket, read and write on another, owner on a
    // third, a grant since denied (no permission left), and the right to create buckets.
    await grantProvider.create(grant(own, made));
    await grantProvider.create(grant(other, made));
    await grantProvider.create({
      ...grant(third, made),
      permissions: { read: false, write: false, owner: true },
    });
    await grantProvider.create(grant(denied, made));
    await grantProvider.delete!("d", grant(denied, made));
    await garageCall(
      admin(),
      "POST",
      "UpdateKey",
      { id: made.accessKeyId },
      { allow: { createBucket: true } },
    );
    const at = "objectStore.existingKeys.loki (Pulumi.staging.yaml:12)";
    const imported = { key: at, consumer: "Loki", buckets: ["t-own-chunks", "t-own-ruler"] };
    // An import: the engine reads with the stack's inputs, before the state has the key.
    const importing = { admin: admin(), name: "t-own", imported } as KeyOutputs;
    let text = "";
    const calls = await callsOf(async () => {
      text = await keyProvider.read!(made.accessKeyId, importing).then(
        () => "",
        (e: Error) => e.message,
      );
    });
    assert.deepEqual(calls, ["GetKeyInfo"], "the answer the import reads anyway, no call more");
    const deny = (flags: string, bucket: string) =>
      `\`garage bucket deny ${flags} ${bucket} --key ${made.accessKeyId}\``;
    assert.equal(
      text,
      `${at}: expected a Garage access key that holds grants on Loki's buckets only ("t-own-chunks", "t-own-ruler"), got key ${made.accessKeyId} holding ` +
        `read, write on "t-other-blocks" (bucket ${other.bucketId}); owner on "t-third" (bucket ${third.bucketId}); the right to create buckets` +
        `: the stack keeps every permission an imported key has, so Loki would reach buckets beyond its own; revoke them (` +
        `${deny("--read --write", "t-other-blocks")}, ${deny("--owner", "t-third")}, \`garage key deny --create-bucket ${made.accessKeyId}\`` +
        `) and import it again, or name another key`,
    );
    assert.ok(!text.includes(made.secretAccessKey), "no secret in the message");
    // The commands it names, run as the message says them, through Garage's own CLI: then the import passes.
    for (const command of [...text.matchAll(/`(garage [^`]+)`/g)].map((m) => m[1])) {
      const run = spawnSync(bin, ["-c", g!.config, ...command.split(" ").slice(1)], { encoding: "utf8" });
      assert.equal(run.status, 0, `${command}: ${run.stderr}`);
    }
    const taken = await keyProvider.read!(made.accessKeyId, importing);
    assert.equal(taken.props!.secretAccessKey, made.secretAccessKey);
    // A refresh (the key in the state) is not judged: the stack took it already.
    await grantProvider.create(grant(other, made));
    const refreshed = await keyProvider.read!(made.accessKeyId, { ...importing, ...made, imported });
    assert.equal(refreshed.id, made.accessKeyId);
    conforms();
  });

  it("an imported key's local alias under its consumer's bucket name, on another bucket, is refused: S3 would take the key there", async () => {
    const own = (await bucketProvider.create(bucketInputs("t-sh-chunks"))).outs!;
    const made = await madeKey("t-shadowed");
    await grantProvider.create(grant(own, made));
    // Another bucket the key calls by the consumer's bucket name (a local alias, no permission),
    // which Garage's S3 resolves before the global name (v2.0.0 src/model/helper/bucket.rs:84-104).
    const shadow = await garageCall<{ id: string }>(
      admin(),
      "POST",
      "CreateBucket",
      {},
      {
        globalAlias: "t-sh-old",
        localAlias: { accessKeyId: made.accessKeyId, alias: "t-sh-chunks", allow: {} },
      },
    );
    assert.equal(
      (await s3(g!.s3, creds(made), "PUT", "/t-sh-chunks/a", "x")).status,
      403,
      "not its own bucket",
    );
    const imported = {
      key: "objectStore.existingKeys.loki (Pulumi.staging.yaml:12)",
      consumer: "Loki",
      buckets: ["t-sh-chunks"],
    };
    const importing = { admin: admin(), name: "t-shadowed", imported } as KeyOutputs;
    const text = await keyProvider.read!(made.accessKeyId, importing).then(
      () => "",
      (e: Error) => e.message,
    );
    assert.equal(
      text,
      `${imported.key}: expected a Garage access key that holds grants on Loki's buckets only ("t-sh-chunks"), got key ${made.accessKeyId} holding ` +
        `the local alias "t-sh-chunks" on "t-sh-old" (bucket ${shadow.id}), which S3 requests with this key reach instead of the bucket "t-sh-chunks"` +
        `: the stack keeps every permission an imported key has, so Loki would reach buckets beyond its own; revoke them (` +
        `\`garage bucket unalias --local ${made.accessKeyId} t-sh-chunks\`` +
        `; Garage removes no bucket's last alias: give it another first, \`garage bucket alias <bucket ID> <name>\`) and import it again, or name another key`,
    );
    // The command it names, run through Garage's own CLI: the import passes and the key reaches its own bucket.
    const command = /`(garage bucket unalias [^`]+)`/.exec(text)![1];
    const run = spawnSync(bin, ["-c", g!.config, ...command.split(" ").slice(1)], { encoding: "utf8" });
    assert.equal(run.status, 0, `${command}: ${run.stderr}`);
    assert.equal((await keyProvider.read!(made.accessKeyId, importing)).id, made.accessKeyId);
    assert.equal((await s3(g!.s3, creds(made), "PUT", "/t-sh-chunks/a", "x")).status, 200);
    // What the message warns of: a bucket's last alias stays.
    await garageCall(
      admin(),
      "POST",
      "CreateBucket",
      {},
      { localAlias: { accessKeyId: made.accessKeyId, alias: "t-sh-only" } },
    );
    const last = spawnSync(
      bin,
      ["-c", g!.config, "bucket", "unalias", "--local", made.accessKeyId, "t-sh-only"],
      {
        encoding: "utf8",
      },
    );
    assert.notEqual(last.status, 0);
    assert.match(last.stderr, /doesn't have other aliases/);
    conforms();
  });

  it("refuses to delete a bucket holding objects unless the stack asks, then empties and deletes it", async () => {
    const b = (await bucketProvider.create(bucketInputs("t-full"))).outs!;
    const k = await madeKey("t-full-key");
    await grantProvider.create(grant(b, k));
    for (const key of ["a", "dir/b", "dir/c d"])
      assert.equal(
        (await s3(g!.s3, creds(k), "PUT", `/t-full/${key.split("/").map(encodeURIComponent).join("/")}`, key))
          .status,
        200,
      );
    await assert.rejects(
      bucketProvider.delete!("t-full", b),
      /refusing to delete Garage bucket "t-full": it holds 3 objects \(\d+ bytes\).*objectStore.deleteNonEmptyBuckets: true/,
    );
    assert.equal((await s3(g!.s3, creds(k), "GET", "/t-full/a")).text, "a", "nothing was deleted");
    await bucketProvider.delete!("t-full", { ...b, deleteNonEmpty: true });
    assert.deepEqual(await bucketProvider.read!("t-full", b), {});
    const keys = await garageCall<{ name: string }[]>(admin(), "GET", "ListKeys");
    assert.ok(!keys.some((x) => x.name.startsWith("pulumi-empty-")), "the emptying key is deleted");
    conforms();
  });

  /** The admin operations `run` calls, in order (what Garage checks the token of, with Argon2, each time). */
  async function callsOf(run: () => Promise<unknown>): Promise<string[]> {
    const from = recorder.calls.length;
    await run();
    return recorder.calls.slice(from).map((x) => x.operation);
  }

  it("each operation makes only the admin calls it needs: Garage checks the token with Argon2 on every one", async () => {
    const calls: Record<string, string[]> = {};
    let made: BucketOutputs | undefined;
    calls["bucket create"] = await callsOf(async () => {
      made = (await bucketProvider.create(bucketInputs("t-calls"))).outs!;
    });
    const b = made!;
    calls["bucket read"] = await callsOf(() => bucketProvider.read!("t-calls", b));
    calls["bucket diff"] = await callsOf(() => bucketProvider.diff!("t-calls", b, bucketInputs("t-calls")));
    calls["bucket update"] = await callsOf(() =>
      bucketProvider.update!("t-calls", b, bucketInputs("t-calls", { deleteNonEmpty: true })),
    );
    let k: KeyOutputs | undefined;
    calls["key create"] = await callsOf(async () => {
      k = (await keyProvider.create({ admin: admin(), name: "t-calls-key" })).outs!;
    });
    calls["key read"] = await callsOf(() => keyProvider.read!(k!.accessKeyId, k));
    calls["key update"] = await callsOf(() =>
      keyProvider.update!(k!.accessKeyId, k!, { admin: admin(), name: "t-calls-key-2" }),
    );
    const g = grant(b, k!);
    calls["grant create"] = await callsOf(() => grantProvider.create(g));
    calls["grant read"] = await callsOf(() => grantProvider.read!("t-calls/g", g));
    calls["grant update"] = await callsOf(() =>
      grantProvider.update!("t-calls/g", g, {
        ...g,
        permissions: { read: true, write: false, owner: false },
      }),
    );
    calls["grant delete"] = await callsOf(() => grantProvider.delete!("t-calls/g", g));
    calls["key delete"] = await callsOf(() => keyProvider.delete!(k!.accessKeyId, k!));
    calls["bucket delete"] = await callsOf(() => bucketProvider.delete!("t-calls", b));
    assert.deepEqual(calls, {
      // CreateBucket refuses a taken alias itself and answers the bucket: no GetBucketInfo first.
      "bucket create": ["CreateBucket"],
      "bucket read": ["GetBucketInfo"],
      "bucket diff": [],
      "bucket update": ["GetBucketInfo"],
      // The name is checked against every key before one is made (a second key of a name is refused).
      "key create": ["ListKeys", "CreateKey"],
      "key read": ["GetKeyInfo"],
      "key update": ["UpdateKey"],
      // AllowBucketKey's answer shows nothing more to deny on a new grant.
      "grant create": ["AllowBucketKey"],
      "grant read": ["GetBucketInfo"],
      // write held and no longer wanted: denied.
      "grant update": ["AllowBucketKey", "DenyBucketKey"],
      // No look first: a gone bucket or key answers 404.
      "grant delete": ["DenyBucketKey"],
      "key delete": ["DeleteKey"],
      // The bucket's objects are read before it is deleted (a bucket holding any is refused).
      "bucket delete": ["GetBucketInfo", "DeleteBucket"],
    });
    conforms();
  });

  it("a key delete Garage refuses as a bad request (400, an empty ID) fails, not taken as already gone", async () => {
    await assert.rejects(
      keyProvider.delete!("", { admin: admin(), name: "t-empty-id", accessKeyId: "", secretAccessKey: "" }),
      (e: unknown) =>
        e instanceof Error && /DeleteKey/.test(e.message) && /400|InvalidRequest/.test(e.message),
    );
    conforms();
  });

  it("deletes stay idempotent without a look first: a grant, key or bucket already gone is no error", async () => {
    const b = (await bucketProvider.create(bucketInputs("t-gone"))).outs!;
    const k = await madeKey("t-gone-key");
    const other = await madeKey("t-gone-other");
    await grantProvider.create(grant(b, k));
    await grantProvider.create(grant(b, other));
    // The key deleted outside the stack: its grant is gone with it.
    await garageCall(admin(), "POST", "DeleteKey", { id: k.accessKeyId });
    assert.deepEqual(await grantProvider.read!("g", grant(b, k)), {});
    assert.deepEqual(await callsOf(() => grantProvider.delete!("g", grant(b, k))), ["DenyBucketKey"]);
    await keyProvider.delete!(k.accessKeyId, k);
    assert.deepEqual(await keyProvider.read!(k.accessKeyId, k), {});
    // The bucket deleted outside the stack: the other key's grant is gone with it.
    await garageCall(admin(), "POST", "DeleteBucket", { id: b.bucketId });
    await grantProvider.delete!("g", grant(b, other));
    await bucketProvider.delete!("t-gone", b);
    assert.deepEqual(await bucketProvider.read!("t-gone", b), {});
    // A grant made on a key already holding more on the bucket is set to exactly what it asks.
    const b2 = (await bucketProvider.create(bucketInputs("t-gone-2"))).outs!;
    await garageCall(
      admin(),
      "POST",
      "AllowBucketKey",
      {},
      { bucketId: b2.bucketId, accessKeyId: other.accessKeyId, permissions: { owner: true } },
    );
    const made = await grantProvider.create(grant(b2, other));
    assert.deepEqual((await grantProvider.read!(made.id, made.outs)).props!.permissions, {
      read: true,
      write: true,
      owner: false,
    });
    conforms();
  });

  it("a refused token is named as the problem, and no token appears in any message", async () => {
    const wrong = { endpoint: g!.admin, token: "wrong-token-not-to-be-printed" };
    let text = "";
    try {
      await bucketProvider.create({ ...bucketInputs("t-denied"), admin: wrong });
    } catch (e) {
      text = (e as Error).message;
    }
    assert.match(text, /the admin token was refused: check garageAdminToken/);
    assert.ok(!text.includes(wrong.token) && !text.includes(g!.token), text);
    await assert.rejects(
      bucketProvider.create(
        bucketInputs("t-bad", { admin: { endpoint: "http://127.0.0.1:1", token: g!.token } }),
      ),
      (e: Error) => /objectStore.adminEndpoint/.test(e.message) && !e.message.includes(g!.token),
    );
  });

  /** A check's olds for a resource not yet in the state (the engine sends none). */
  const NEW = {} as BucketInputs;

  it("check refuses a region Garage does not serve, at the key's line, with the region Garage names", async () => {
    const key = "objectStore.region (Pulumi.staging.yaml:14)";
    let left: Awaited<ReturnType<NonNullable<typeof bucketProvider.check>>> | undefined;
    // Asking sends no token: nothing for Garage to hash.
    const asked = await callsOf(async () => {
      left = await bucketProvider.check!(
        NEW,
        bucketInputs("t-region", { region: "us-east-1", regionKey: key }),
      );
    });
    assert.deepEqual(asked, ["GetClusterHealth"]);
    assert.ok(
      !recorder.calls.some((x) => x.operation === "GetClusterHealth" && x.authorized),
      JSON.stringify(recorder.calls.filter((x) => x.operation === "GetClusterHealth")),
    );
    left = left!;
    assert.deepEqual(
      left.failures?.map((f) => f.property),
      ["region"],
      JSON.stringify(left),
    );
    assert.equal(
      left.failures?.[0]?.reason,
      `objectStore.region (Pulumi.staging.yaml:14): expected the region Garage at ${g!.admin} serves, "garage" (its garage.toml's [s3_api] s3_region, as its admin API answers), got "us-east-1": Garage refuses every request signed for another region (400 AuthorizationHeaderMalformed), so Loki and Mimir could neither write nor read; set objectStore.region: "garage"`,
    );
    // What Loki and Mimir would meet: Garage's own refusal of a request signed for that region.
    const k = await madeKey("t-region-key");
    const refused = await s3(g!.s3, { ...creds(k), region: "us-east-1" }, "GET", "/");
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.text, /<Code>AuthorizationHeaderMalformed<\/Code>.*<Region>garage<\/Region>/);
    // The region Garage serves passes, read from the answer already had: one question per endpoint.
    const again = await callsOf(async () => {
      const right = await bucketProvider.check!(NEW, bucketInputs("t-region"));
      assert.equal(right.failures, undefined);
    });
    assert.deepEqual(again, []);
    // Garage not reached: no verdict here; the calls that follow name the endpoint.
    const away = await bucketProvider.check!(
      NEW,
      bucketInputs("t-region", {
        region: "us-east-1",
        admin: { endpoint: "http://127.0.0.1:1", token: "x" },
      }),
    );
    assert.equal(away.failures, undefined);
    conforms();
  });

  it("a Garage without a layout: its 503 'Could not reach quorum' comes with the commands that apply one", async function () {
    const bare = await startGarage(bin, () => Promise.reject(new Error("no set-up calls")), {
      layout: false,
    });
    try {
      const bareAdmin = { endpoint: bare.admin, token: bare.token };
      let text = "";
      try {
        await bucketProvider.create({ ...bucketInputs("t-bare"), admin: bareAdmin, s3Endpoint: bare.s3 });
      } catch (e) {
        text = (e as Error).message;
      }
      assert.match(
        text,
        /^Garage CreateBucket: 503 ServiceUnavailable .*Could not reach quorum of \d+ \(sets=None\)\. 0 of 0 request/,
      );
      assert.match(
        text,
        /Garage asked no node: its cluster layout gives no node a storage role.*`garage status` lists the node IDs, `garage layout assign -z <zone> -c <capacity> <node id>` for each, then `garage layout apply --version <N>` with the N that `garage layout show` prints \(1 on a new cluster\)\)$/,
      );
      // A key too: its name is looked up first (ListKeys), refused the same way, with the same hint.
      await assert.rejects(keyProvider.create({ admin: bareAdmin, name: "t-bare-key" }), (e: Error) =>
        /^Garage ListKeys: 503 .*\. 0 of 0 request.*garage layout apply --version/.test(e.message),
      );
      assert.ok(!text.includes(bare.token), text);
      // Nodes that are down are not a missing layout: Garage asked one and it failed.
      const down =
        'Internal error: Could not reach quorum of 1 (sets=None). 0 of 1 request succeeded, others returned errors: ["Timeout"]';
      assert.equal(garageNoLayoutHint(503, down), "");
    } finally {
      await bare.stop(0);
    }
  });
});
