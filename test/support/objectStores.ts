/**
 * The real object stores on loopback, for the object-store tests: Garage (crates.io, `cargo
 * install garage`) and MinIO's server (`go install github.com/minio/minio`), both put in place by
 * scripts/install-validators.sh. Each test file starts one of each at most, in a `before` hook,
 * with its own temp dir and free ports, and stops it in `after`.
 */
import { createCipheriv, pbkdf2Sync, randomBytes } from "crypto";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { freePort, startServer, until, type Server } from "./servers";
import { onPath, tmpDir } from "./helpers";
import { listObjectsUrl, parseListObjectsV2, signS3 } from "../../builders/objectstore/s3Signature";
import { underCi } from "../../config/ci";

/** Where install-validators.sh leaves the binaries when they are not on PATH. */
function candidates(tool: string): string[] {
  const home = os.homedir();
  let gopath = process.env.GOPATH?.split(path.delimiter)[0] ?? path.join(home, "go");
  const go = spawnSync("go", ["env", "GOPATH"], { encoding: "utf8" });
  if (go.status === 0 && go.stdout.trim()) gopath = go.stdout.trim().split(path.delimiter)[0];
  return [path.join(home, ".cargo", "bin", tool), path.join(gopath, "bin", tool)];
}

/**
 * The path of a real server binary. Missing: under CI a failure; locally the test is skipped with
 * a loud reason.
 */
export function requireServer(ctx: Mocha.Context, tool: "garage" | "minio"): string {
  const found = onPath(tool) ?? candidates(tool).find((p) => fs.existsSync(p));
  if (found) return found;
  const why = `${tool} is not installed (bash scripts/install-validators.sh builds it: ${
    tool === "garage" ? "cargo install garage" : "go install github.com/minio/minio"
  })`;
  if (underCi()) throw new Error(`${why}; CI needs it`);
  console.warn(`\n  !!! SKIPPING: ${why}; CI runs this test.\n`);
  ctx.skip();
  return "";
}

export interface S3Creds {
  accessKey: string;
  secretKey: string;
  region: string;
}

/** A signed S3 request against `endpoint` (path-style); returns status and body text. */
export async function s3(
  endpoint: string,
  creds: S3Creds,
  method: "GET" | "PUT" | "DELETE" | "HEAD",
  pathAndQuery: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const url = `${endpoint}${pathAndQuery}`;
  const res = await fetch(url, {
    method,
    headers: signS3({ method, url, body, now: new Date(), ...creds }),
    body,
  });
  return { status: res.status, text: await res.text() };
}

/** Every object of a bucket (key, size), through ListObjectsV2. */
export async function listAll(
  endpoint: string,
  creds: S3Creds,
  bucket: string,
): Promise<{ key: string; size: number }[]> {
  const out: { key: string; size: number }[] = [];
  for (let token: string | undefined, i = 0; i < 1000; i++) {
    const url = listObjectsUrl(endpoint, bucket, token);
    const res = await fetch(url, { headers: signS3({ method: "GET", url, now: new Date(), ...creds }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`list ${bucket}: ${res.status} ${text.slice(0, 200)}`);
    const page = parseListObjectsV2(text);
    out.push(...page.objects);
    token = page.nextToken;
    if (token === undefined) break;
  }
  return out;
}

// ---- Garage ----

export interface GarageServer extends Server {
  /** The S3 endpoint. */
  s3: string;
  /** The admin API endpoint. */
  admin: string;
  /** The admin token (generated per start). */
  token: string;
  region: string;
  /** Its garage.toml, for the `garage` CLI (`garage -c <config> ...`, through the node's RPC). */
  config: string;
}

/**
 * Starts one Garage node: a config of its own (SQLite metadata, replication factor 1, RPC, S3 and
 * admin API on free loopback ports), then gives it a layout of one zone through the admin API so
 * it serves buckets. The settings are Garage 2.0.0's (src/util/config.rs `Config`). `layout: false`
 * leaves it as a new cluster is before anyone applies a layout: every bucket or key call answers
 * 503 "Could not reach quorum".
 */
export async function startGarage(
  bin: string,
  call: GarageSetupCall,
  { layout = true }: { layout?: boolean } = {},
): Promise<GarageServer> {
  const dir = tmpDir("garage");
  const [rpc, s3Port, adminPort] = [await freePort(), await freePort(), await freePort()];
  const token = randomBytes(24).toString("hex");
  const region = "garage";
  const config = path.join(dir, "garage.toml");
  fs.writeFileSync(
    config,
    [
      `metadata_dir = "${dir}/meta"`,
      `data_dir = "${dir}/data"`,
      `db_engine = "sqlite"`,
      `replication_factor = 1`,
      `rpc_bind_addr = "127.0.0.1:${rpc}"`,
      `rpc_public_addr = "127.0.0.1:${rpc}"`,
      `rpc_secret = "${randomBytes(32).toString("hex")}"`,
      ``,
      `[s3_api]`,
      `s3_region = "${region}"`,
      `api_bind_addr = "127.0.0.1:${s3Port}"`,
      ``,
      `[admin]`,
      `api_bind_addr = "127.0.0.1:${adminPort}"`,
      `admin_token = "${token}"`,
      ``,
    ].join("\n"),
  );
  // Listening is enough here: /check answers 400 for a domain no bucket serves
  // (src/api/admin/special.rs CheckDomainRequest), /health 503 until the layout below exists.
  const server = await startServer(
    bin,
    ["-c", config, "server"],
    adminPort,
    "/check?domain=x",
    [200, 400, 503],
  );
  const admin = `http://127.0.0.1:${adminPort}`;
  const g: GarageServer = { ...server, s3: `http://127.0.0.1:${s3Port}`, admin, token, region, config };
  if (!layout) return g;
  try {
    const status = await call<{ nodes: { id: string }[] }>(g, "GET", "GetClusterStatus");
    const id = status.nodes[0].id;
    await call(
      g,
      "POST",
      "UpdateClusterLayout",
      {},
      {
        roles: [{ id, zone: "dc1", capacity: 1_000_000_000, tags: [] }],
      },
    );
    await call(g, "POST", "ApplyClusterLayout", {}, { version: 1 });
    // The layout reaches the node's tables asynchronously: wait (bounded) until it says healthy.
    await until(
      async () => (await call<{ status: string }>(g, "GET", "GetClusterHealth")).status === "healthy",
      15_000,
      "Garage's layout",
    );
  } catch (e) {
    await server.stop();
    throw e;
  }
  return g;
}

/** How the tests call the admin API during set-up (the recorded, validated client). */
export type GarageSetupCall = <T>(
  g: { admin: string; token: string },
  method: "GET" | "POST",
  op: string,
  query?: Record<string, string>,
  body?: unknown,
) => Promise<T>;

/** `garage --version`'s version ("cargo:2.0.0" or "v2.0.0" -> "2.0.0"). */
export function garageVersion(bin: string): string {
  const out = execFileSync(bin, ["--version"], { encoding: "utf8" });
  const m = /v?(\d+\.\d+\.\d+)/.exec(out);
  if (!m) throw new Error(`garage --version printed no version: ${out}`);
  return m[1];
}

// ---- MinIO ----

export interface MinioServer extends Server {
  root: S3Creds;
}

/** MinIO's server command line on one drive under `dir`: the one every test MinIO runs. */
export function minioServerArgs(dir: string, address: string, consoleAddress: string): string[] {
  return [
    "server",
    path.join(dir, "data"),
    "--address",
    address,
    "--console-address",
    consoleAddress,
    "--quiet",
  ];
}

/** The environment of a test MinIO: its root login, no console, its home under `dir`. */
export function minioEnv(root: S3Creds, dir: string): Record<string, string> {
  return {
    MINIO_ROOT_USER: root.accessKey,
    MINIO_ROOT_PASSWORD: root.secretKey,
    MINIO_BROWSER: "off",
    HOME: dir,
  };
}

/** Starts MinIO's server on one drive in a temp dir, root login generated. */
export async function startMinio(bin: string): Promise<MinioServer> {
  const dir = tmpDir("minio");
  const [port, console] = [await freePort(), await freePort()];
  const root = { accessKey: "root", secretKey: randomBytes(16).toString("hex"), region: "us-east-1" };
  const server = await startServer(
    bin,
    minioServerArgs(dir, `127.0.0.1:${port}`, `127.0.0.1:${console}`),
    port,
    // Ready for requests, not only running: /minio/health/live answers 200 as soon as the process
    // listens, while a bucket call before the object layer is up gets 503 (seen under load here);
    // /minio/health/cluster answers 200 only once the cluster has write quorum (minio/minio
    // docs/metrics/healthcheck/README.md, "Cluster probe").
    "/minio/health/cluster",
    [200],
    minioEnv(root, dir),
  );
  return { ...server, root };
}

/**
 * madmin's encryption of admin request bodies, in the PBKDF2 + AES-256-GCM form MinIO's server
 * decrypts (minio/madmin-go v3.0.109 encrypt.go `EncryptData`/`DecryptData`: salt(32) | id 0x02 |
 * nonce(8) | one sio-go stream fragment; secure-io/sio-go v0.3.1 writer.go: the fragment's
 * associated data is 0x80 | the GCM tag of nothing under sequence number 0, its nonce the stream
 * nonce with sequence number 1, little-endian). Bodies here are far below one 16 KiB fragment.
 */
export function madminEncrypt(password: string, data: string): Buffer {
  const salt = randomBytes(32);
  const key = pbkdf2Sync(password, salt, 8192, 32, "sha256");
  const nonce8 = randomBytes(8);
  const nonceFor = (seq: number) => {
    const n = Buffer.alloc(12);
    nonce8.copy(n);
    n.writeUInt32LE(seq, 8);
    return n;
  };
  const seal = (nonce: Buffer, plain: Buffer, ad: Buffer) => {
    const c = createCipheriv("aes-256-gcm", key, nonce);
    c.setAAD(ad);
    const out = Buffer.concat([c.update(plain), c.final()]);
    return Buffer.concat([out, c.getAuthTag()]);
  };
  const adTag = seal(nonceFor(0), Buffer.alloc(0), Buffer.alloc(0));
  const ad = Buffer.concat([Buffer.from([0x80]), adTag]);
  const body = seal(nonceFor(1), Buffer.from(data), ad);
  return Buffer.concat([salt, Buffer.from([0x02]), nonce8, body]);
}

/** A MinIO admin API call signed with the root login (`/minio/admin/v3/<path>`). */
async function minioAdmin(
  m: MinioServer,
  method: "PUT" | "POST",
  pathAndQuery: string,
  body: Buffer | string,
): Promise<void> {
  const url = `${m.url}/minio/admin/v3/${pathAndQuery}`;
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const res = await fetch(url, {
    method,
    headers: signS3({ method, url, body: bytes, now: new Date(), ...m.root }),
    body: new Uint8Array(bytes),
  });
  if (!res.ok)
    throw new Error(`MinIO admin ${pathAndQuery}: ${res.status} ${(await res.text()).slice(0, 300)}`);
}

/**
 * A MinIO user with one canned policy, the way the program's MinIO provider makes them
 * (components/objectstore/objectStore.ts: IamUser, IamPolicy, IamUserPolicyAttachment), through
 * the admin API routes of the pinned server (cmd/admin-router.go: add-user, add-canned-policy,
 * set-user-or-group-policy).
 */
export async function minioUserWithPolicy(
  m: MinioServer,
  user: string,
  secret: string,
  policyName: string,
  policy: object,
): Promise<void> {
  await minioAdmin(
    m,
    "PUT",
    `add-user?accessKey=${encodeURIComponent(user)}`,
    madminEncrypt(m.root.secretKey, JSON.stringify({ secretKey: secret, status: "enabled" })),
  );
  await minioAdmin(
    m,
    "PUT",
    `add-canned-policy?name=${encodeURIComponent(policyName)}`,
    JSON.stringify(policy),
  );
  await minioAdmin(
    m,
    "PUT",
    `set-user-or-group-policy?policyName=${encodeURIComponent(policyName)}&userOrGroup=${encodeURIComponent(user)}&isGroup=false`,
    "",
  );
}
