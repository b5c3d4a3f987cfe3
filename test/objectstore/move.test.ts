/**
 * The move from MinIO to Garage loses no object: `npm run verify -- --move-from --move-to`
 * (verify/objectMove.ts) between a real MinIO and a real Garage on loopback. The copy here is the
 * test's own (list, get, put, as `rclone sync` would); the check passes only when every bucket the
 * stack plans holds the same objects and bytes on both, and fails on a write made after the copy
 * until a catch-up copy brings it over.
 */
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { garageCall } from "../../components/objectstore/garage";
import { loadStackConfig, runVerify } from "../../cli/verifyRun";
import { compareStores, movedBuckets, MOVE_ENV, tally } from "../../verify/objectMove";
import { ROOT, tmpDir } from "../support/helpers";
import { freePort, startServer, until, type Server } from "../support/servers";
import {
  listAll,
  minioEnv,
  minioServerArgs,
  requireServer,
  s3,
  startGarage,
  startMinio,
  type GarageServer,
  type MinioServer,
  type S3Creds,
} from "../support/objectStores";
import { underCi } from "../../config/ci";

/** The buckets of the project's staging stack, read as verify reads it: what the run compares. */
const STAGING = movedBuckets(loadStackConfig(ROOT, "staging", {}));

/**
 * A plain TCP relay on a free loopback port to what `connect` opens (another address of one
 * server, as a second port-forward gives): every connection piped both ways, each side closed with
 * the other's error.
 */
async function tcpRelay(connect: () => net.Socket): Promise<{ server: net.Server; port: number }> {
  const server = net.createServer((c) => {
    const up = connect();
    c.pipe(up).pipe(c);
    c.on("error", () => up.destroy());
    up.on("error", () => c.destroy());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as net.AddressInfo).port };
}

describe("moving the buckets from MinIO to Garage: the check between real servers", function () {
  this.timeout(120_000);
  let m: MinioServer | undefined;
  let g: GarageServer | undefined;
  let garageKey: S3Creds;

  /** Copies every object of `bucket` that Garage lacks or holds with another size. */
  async function copy(bucket: string): Promise<number> {
    const have = new Map((await listAll(g!.s3, garageKey, bucket)).map((o) => [o.key, o.size]));
    let n = 0;
    for (const o of await listAll(m!.url, m!.root, bucket)) {
      if (have.get(o.key) === o.size) continue;
      const path = `/${bucket}/${o.key.split("/").map(encodeURIComponent).join("/")}`;
      const body = (await s3(m!.url, m!.root, "GET", path)).text;
      assert.equal((await s3(g!.s3, garageKey, "PUT", path, body)).status, 200);
      n++;
    }
    return n;
  }

  const env = () => ({
    [MOVE_ENV.from.accessKey]: m!.root.accessKey,
    [MOVE_ENV.from.secretKey]: m!.root.secretKey,
    [MOVE_ENV.to.accessKey]: garageKey.accessKey,
    [MOVE_ENV.to.secretKey]: garageKey.secretKey,
  });
  async function verifyMove(): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await runVerify(
      ["--stack", "staging", "--dir", ROOT, "--move-from", m!.url, "--move-to", g!.s3],
      { env: env(), out: (t) => (out += t), err: (t) => (err += t) },
    );
    return { code, out, err };
  }

  before(async function () {
    this.timeout(90_000);
    const [minioBin, garageBin] = [requireServer(this, "minio"), requireServer(this, "garage")];
    [m, g] = await Promise.all([
      startMinio(minioBin),
      startGarage(garageBin, (srv, method, op, query, body) =>
        garageCall({ endpoint: srv.admin, token: srv.token }, method, op, query, body),
      ),
    ]);
    // The key may create buckets and makes each through S3, as `rclone sync` would: Garage 2.0.0
    // names it for that key (a local alias, the name every request here and the check use) and
    // lets it read and write (and own) it. One admin call, where a CreateBucket and an
    // AllowBucketKey per bucket made 13, each an Argon2 check of the token in Garage. Measured
    // warm, this file alone, CPU incl. the servers, medians of 5 alternated runs: 7.94 -> 7.12 s.
    const key = await garageCall<{ accessKeyId: string; secretAccessKey: string }>(
      { endpoint: g.admin, token: g.token },
      "POST",
      "CreateKey",
      {},
      { name: "mover", allow: { createBucket: true } },
    );
    garageKey = { accessKey: key.accessKeyId, secretKey: key.secretAccessKey, region: g.region };
    for (const b of STAGING) {
      assert.equal((await s3(m.url, m.root, "PUT", `/${b}`)).status, 200);
      assert.equal((await s3(g.s3, garageKey, "PUT", `/${b}`)).status, 200);
    }
    // Loki's chunks and Mimir's blocks, as the writers leave them: nested keys, various sizes.
    for (let i = 0; i < 25; i++)
      await s3(
        m.url,
        m.root,
        "PUT",
        `/${STAGING[i % STAGING.length]}/tenant/${i}/chunk-${i}`,
        "x".repeat(i * 37),
      );
  });
  after(async () => {
    await Promise.all([m?.stop(0), g?.stop(0)]);
  });

  it("fails before the copy, naming each bucket that differs", async () => {
    const r = await verifyMove();
    assert.equal(r.code, 1, r.err);
    assert.match(
      r.out,
      /fail {2}staging-loki-chunks: old store: \d+ objects, \d+ bytes; new store: 0 objects, 0 bytes/,
    );
    assert.match(r.out, /bucket\(s\) differ/);
  });

  it("passes once every bucket is copied, and fails again on a write made after the copy", async () => {
    for (const b of STAGING) await copy(b);
    const ok = await verifyMove();
    assert.equal(ok.code, 0, ok.out + ok.err);
    for (const b of STAGING)
      assert.match(ok.out, new RegExp(`pass {2}${b}: \\d+ objects, \\d+ bytes on both`));
    // A writer still running: one more block lands on MinIO after the copy.
    await s3(m!.url, m!.root, "PUT", "/staging-mimir-blocks/tenant/late/meta.json", "{}");
    const late = await verifyMove();
    assert.equal(late.code, 1);
    assert.match(late.out, /fail {2}staging-mimir-blocks/);
    // The final catch-up copy, with the writers stopped, brings it over.
    assert.equal(await copy("staging-mimir-blocks"), 1);
    assert.equal((await verifyMove()).code, 0);
  });

  it("an object of the same key but another size on Garage fails the check", async () => {
    // chunk-0 (empty) went to the first bucket; the same key with other bytes, counts unchanged.
    const path = `/${STAGING[0]}/tenant/0/chunk-0`;
    await s3(g!.s3, garageKey, "PUT", path, "changed");
    const r = await verifyMove();
    assert.equal(r.code, 1);
    assert.match(
      r.out,
      new RegExp(`fail {2}${STAGING[0]}: old store: (\\d+) objects, \\d+ bytes; new store: \\1 objects`),
    );
    await s3(g!.s3, garageKey, "PUT", path, "");
    assert.equal((await verifyMove()).code, 0);
  });

  it("an object under another key on Garage fails the check, though counts and bytes agree", async () => {
    // An interrupted `rclone sync` (it deletes after it copies): a deletion mark of Mimir's
    // compactor that MinIO dropped is still on Garage, and the one it wrote since is not. Marks
    // differ in the block's ID only, so the counts and bytes are equal on both stores.
    const [kept, dropped] = ["01JKT0A1B2C3D4E5F6G7H8J9K0", "01JKT0Z9Y8X7W6V5T4S3R2Q1P0"];
    const mark = (id: string) => `/staging-mimir-blocks/anonymous/markers/${id}-deletion-mark.json`;
    const body = (id: string) => JSON.stringify({ id, deletion_time: 1764000000, version: 1 });
    assert.equal((await s3(m!.url, m!.root, "PUT", mark(kept), body(kept))).status, 200);
    assert.equal((await s3(g!.s3, garageKey, "PUT", mark(dropped), body(dropped))).status, 200);
    const r = await verifyMove();
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(
      r.out,
      new RegExp(
        `fail {2}staging-mimir-blocks: old store: (\\d+ objects, \\d+ bytes); new store: \\1; ` +
          `1 object only on the old store \\("anonymous/markers/${kept}-deletion-mark\\.json"\\), ` +
          `1 only on the new store \\("anonymous/markers/${dropped}-deletion-mark\\.json"\\)\n`,
      ),
    );
    // The sync finished: the mark copied, the stale one deleted.
    assert.equal((await s3(g!.s3, garageKey, "DELETE", mark(dropped))).status, 204);
    assert.equal(await copy("staging-mimir-blocks"), 1);
    assert.equal((await verifyMove()).code, 0);
  });

  it("two objects whose sizes are swapped on Garage fail the check, naming one of them", async () => {
    const [a, b] = ["/staging-loki-chunks/fake/swap-a", "/staging-loki-chunks/fake/swap-b"];
    await s3(m!.url, m!.root, "PUT", a, "12345");
    await s3(m!.url, m!.root, "PUT", b, "1");
    await s3(g!.s3, garageKey, "PUT", a, "1");
    await s3(g!.s3, garageKey, "PUT", b, "12345");
    const r = await verifyMove();
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(
      r.out,
      /fail {2}staging-loki-chunks: old store: (\d+ objects, \d+ bytes); new store: \1; 2 objects of another size \("fake\/swap-a": 5 bytes on the old store, 1 on the new\)\n/,
    );
    for (const p of [a, b]) assert.equal((await s3(m!.url, m!.root, "DELETE", p)).status, 204);
    for (const p of [a, b]) assert.equal((await s3(g!.s3, garageKey, "DELETE", p)).status, 204);
    assert.equal((await verifyMove()).code, 0);
  });

  it("refuses one store named by both flags, which would pass with nothing copied", async () => {
    // Both port-forwards to MinIO: every bucket "the same on both", and the switch would leave
    // every object behind. Also by another spelling of the address, and by another address of
    // the same server (MinIO's x-amz-id-2 names the node that answers).
    const minioKeys = {
      [MOVE_ENV.from.accessKey]: m!.root.accessKey,
      [MOVE_ENV.from.secretKey]: m!.root.secretKey,
      [MOVE_ENV.to.accessKey]: m!.root.accessKey,
      [MOVE_ENV.to.secretKey]: m!.root.secretKey,
      [MOVE_ENV.to.region]: "us-east-1",
    };
    // A second port-forward to the same MinIO: a plain TCP relay on another port.
    const relay = await tcpRelay(() => net.connect(Number(new URL(m!.url).port), "127.0.0.1"));
    const relayed = `http://127.0.0.1:${relay.port}`;
    const port = new URL(m!.url).port;
    try {
      for (const to of [`${m!.url}/`, `HTTP://127.0.0.1:${port}`, relayed]) {
        let out = "";
        let err = "";
        const code = await runVerify(
          ["--stack", "staging", "--dir", ROOT, "--move-from", m!.url, "--move-to", to],
          { env: minioKeys, out: (t) => (out += t), err: (t) => (err += t) },
        );
        assert.equal(code, 2, `${to}: ${out}${err}`);
        assert.match(err, /--move-from\/--move-to: expected two stores, got the same one/, err);
        assert.ok(!(out + err).includes(m!.root.secretKey));
      }
    } finally {
      relay.server.close();
    }
  });

  it("refuses to run without the stores' keys, naming the variables and no value", async () => {
    let err = "";
    const code = await runVerify(
      ["--stack", "staging", "--dir", ROOT, "--move-from", m!.url, "--move-to", g!.s3],
      { env: {}, out: () => undefined, err: (t) => (err += t) },
    );
    assert.equal(code, 2);
    assert.match(err, /set HOMELAB_MOVE_FROM_ACCESS_KEY_ID, HOMELAB_MOVE_FROM_SECRET_ACCESS_KEY/);
  });
});

describe("moving the buckets from MinIO to another MinIO whose node ID is the same", function () {
  this.timeout(120_000);
  // Two clusters' single-node MinIOs started alike (`minio-0`, the same `--address`) send the same
  // x-amz-id-2: it is the SHA-256 of the node name, the address as written (verify/objectMove.ts
  // confirmSameNode cites MinIO's source). On one host the second listens at the first's address
  // inside its own network namespace, reached through a relay: another cluster's port-forward.
  const stops: (() => unknown)[] = [];
  let m: MinioServer | undefined;
  let other: Server | undefined;
  const keys = () => ({
    [MOVE_ENV.from.accessKey]: m!.root.accessKey,
    [MOVE_ENV.from.secretKey]: m!.root.secretKey,
    [MOVE_ENV.to.accessKey]: m!.root.accessKey,
    [MOVE_ENV.to.secretKey]: m!.root.secretKey,
    [MOVE_ENV.to.region]: "us-east-1",
  });

  before(async function () {
    this.timeout(90_000);
    const bin = requireServer(this, "minio");
    // A network namespace needs root (or user namespaces); without it the case cannot be built.
    if (spawnSync("unshare", ["-n", "true"]).status !== 0) {
      // Under CI a missing capability fails, as a missing tool does (CONTRIBUTING.md).
      if (underCi())
        throw new Error(
          "unshare -n is not permitted here: a second MinIO at one address needs a network namespace",
        );
      console.warn(
        "\n  !!! SKIPPING: unshare -n is not permitted here; a second MinIO at one address needs it.\n",
      );
      this.skip();
    }
    m = await startMinio(bin);
    stops.push(() => m!.stop(0));
    const port = Number(new URL(m.url).port);
    const dir = tmpDir("minio-ns");
    const holder = spawn("unshare", ["-n", "sleep", "infinity"], { stdio: "ignore" });
    stops.push(() => holder.kill("SIGKILL"));
    const inNs = ["-t", String(holder.pid), "-n"];
    // The holder is in its own namespace only once unshare has run: before that, nsenter would
    // bring up (and later start MinIO on) this host's loopback.
    const own = fs.readlinkSync("/proc/self/ns/net");
    await until(
      () => Promise.resolve(fs.readlinkSync(`/proc/${holder.pid}/ns/net`) !== own),
      5000,
      "the namespace",
    );
    assert.equal(spawnSync("nsenter", [...inNs, "ip", "link", "set", "lo", "up"]).status, 0);
    const sock = path.join(dir, "relay.sock");
    const inner = spawn(
      "nsenter",
      [
        ...inNs,
        process.execPath,
        "-e",
        `require("net").createServer((c) => { const u = require("net").connect(${port}, "127.0.0.1"); c.pipe(u).pipe(c); c.on("error", () => u.destroy()); u.on("error", () => c.destroy()); }).listen(${JSON.stringify(sock)})`,
      ],
      { stdio: "ignore" },
    );
    stops.push(() => inner.kill("SIGKILL"));
    await until(() => Promise.resolve(fs.existsSync(sock)), 5000, "the relay's socket");
    const outer = await tcpRelay(() => net.connect(sock));
    stops.push(() => outer.server.close());
    // The same command line as startMinio's, the same root login, the same `--address`.
    other = await startServer(
      "nsenter",
      [...inNs, bin, ...minioServerArgs(dir, `127.0.0.1:${port}`, "127.0.0.1:0")],
      outer.port,
      "/minio/health/cluster",
      [200],
      minioEnv(m.root, dir),
    );
    stops.push(() => other!.stop(0));
    for (const b of STAGING) assert.equal((await s3(m.url, m.root, "PUT", `/${b}`)).status, 200);
    await s3(m.url, m.root, "PUT", `/${STAGING[0]}/tenant/chunk`, "x".repeat(99));
  });
  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it("sends the same x-amz-id-2 from both, and the move check still compares them", async () => {
    const id = async (url: string) => (await fetch(`${url}/minio/health/live`)).headers.get("x-amz-id-2");
    const [a, b] = [await id(m!.url), await id(other!.url)];
    assert.ok(a, "MinIO sends x-amz-id-2");
    assert.equal(a, b, "the case this test is about: two servers, one node ID");
    const run = async () => {
      let out = "";
      let err = "";
      const code = await runVerify(
        ["--stack", "staging", "--dir", ROOT, "--move-from", m!.url, "--move-to", other!.url],
        { env: keys(), out: (t) => (out += t), err: (t) => (err += t) },
      );
      return { code, out, err };
    };
    // Nothing copied yet: a real difference, not "the same store".
    const before = await run();
    assert.equal(before.code, 1, before.out + before.err);
    assert.match(
      before.out,
      /fail {2}staging-loki-admin: old store: 1 objects, 99 bytes; new store: no such bucket/,
    );
    // Copied: the buckets are made later on the new MinIO, so their creation dates differ.
    for (const b of STAGING) {
      assert.equal((await s3(other!.url, m!.root, "PUT", `/${b}`)).status, 200);
      for (const o of await listAll(m!.url, m!.root, b)) {
        const body = (await s3(m!.url, m!.root, "GET", `/${b}/${o.key}`)).text;
        assert.equal((await s3(other!.url, m!.root, "PUT", `/${b}/${o.key}`, body)).status, 200);
      }
    }
    const after = await run();
    assert.equal(after.code, 0, after.out + after.err);
  });
});

describe("moving the buckets: one MinIO node ID and no leave to list the buckets", () => {
  it("refuses, naming the permission, rather than pass or call them one store", async () => {
    const side = (role: "from" | "to", port: number) => ({
      endpoint: `http://127.0.0.1:${port}`,
      accessKey: "a",
      secretKey: "secret-never-shown",
      region: "us-east-1",
      role,
    });
    // Both answer as node "n"; ListBuckets (GET /) is refused on --move-to, as a scoped key is.
    const fake = ((url: string) => {
      const u = new URL(url);
      const denied = u.pathname === "/" && u.port === "2";
      const body = denied
        ? "<Error><Code>AccessDenied</Code></Error>"
        : u.pathname === "/"
          ? "<ListAllMyBucketsResult><Buckets></Buckets></ListAllMyBucketsResult>"
          : "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>";
      return Promise.resolve(
        new Response(body, { status: denied ? 403 : 200, headers: { "x-amz-id-2": "n" } }),
      );
    }) as unknown as typeof fetch;
    await assert.rejects(
      () => compareStores(side("from", 1), side("to", 2), ["b"], fake),
      /^Error: --move-to http:\/\/127\.0\.0\.1:2: both stores answer as the same MinIO node .*was refused \(403 AccessDenied\): allow s3:ListAllMyBuckets for HOMELAB_MOVE_TO_ACCESS_KEY_ID$/,
    );
  });
});

describe("moving the buckets: a store that cannot be reached", () => {
  it("is named with the bucket and why, not fetch's bare 'fetch failed'", async () => {
    const side = { endpoint: "http://127.0.0.1:9", accessKey: "a", secretKey: "b", region: "garage" };
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const failing = (() => Promise.reject(new TypeError("fetch failed", { cause: refused }))) as typeof fetch;
    await assert.rejects(
      () => tally(side, "staging-loki-chunks", failing),
      /^Error: http:\/\/127\.0\.0\.1:9: listing bucket "staging-loki-chunks": the store could not be reached \(ECONNREFUSED\)$/,
    );
  });

  it("through verify: exit 2, the store's address on the line", async () => {
    // A free port nothing listens on (port 9 is one fetch will not try: "bad port").
    const closed = `http://127.0.0.1:${await freePort()}`;
    let err = "";
    const code = await runVerify(
      // --move-to is never reached; another URL, since one store named twice is refused first.
      [
        "--stack",
        "staging",
        "--dir",
        ROOT,
        "--move-from",
        closed,
        "--move-to",
        closed.replace("127.0.0.1", "localhost"),
      ],
      {
        env: {
          [MOVE_ENV.from.accessKey]: "a",
          [MOVE_ENV.from.secretKey]: "b",
          [MOVE_ENV.to.accessKey]: "c",
          [MOVE_ENV.to.secretKey]: "d",
        },
        out: () => undefined,
        err: (t) => (err += t),
      },
    );
    assert.equal(code, 2);
    assert.ok(
      err.includes(`: --move-from ${closed}: listing bucket "`) &&
        err.includes(`": the store could not be reached (ECONNREFUSED)`),
      err,
    );
  });
});
