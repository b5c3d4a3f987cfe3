/**
 * The move check's messages as an operator meets them, against a real MinIO (the old store) and a
 * real Garage (the new one) on loopback, both started once for the file: an old store that holds
 * none of the stack's buckets, a key or a region a store refuses, an endpoint that is no S3 API.
 * Each run: the whole output, the exit status, the closing line, no secret printed.
 */
import { strict as assert } from "assert";
import * as http from "http";
import { garageCall } from "../../components/objectstore/garage";
import { runVerify } from "../../cli/verifyRun";
import { MOVE_ENV } from "../../verify/objectMove";
import { ROOT } from "../support/helpers";
import {
  requireServer,
  startGarage,
  startMinio,
  type GarageServer,
  type MinioServer,
} from "../support/objectStores";

describe("verify --move-from/--move-to: what an operator gets wrong (real MinIO and Garage)", function () {
  this.timeout(120_000);
  let m: MinioServer | undefined;
  let g: GarageServer | undefined;
  let garageKey = { id: "", secret: "" };
  let notS3: http.Server | undefined;
  let notS3Url = "";

  before(async function () {
    this.timeout(90_000);
    const [minioBin, garageBin] = [requireServer(this, "minio"), requireServer(this, "garage")];
    [m, g] = await Promise.all([
      startMinio(minioBin),
      startGarage(garageBin, (srv, method, op, query, body) =>
        garageCall({ endpoint: srv.admin, token: srv.token }, method, op, query, body),
      ),
    ]);
    const key = await garageCall<{ accessKeyId: string; secretAccessKey: string }>(
      { endpoint: g.admin, token: g.token },
      "POST",
      "CreateKey",
      {},
      { name: "mover" },
    );
    garageKey = { id: key.accessKeyId, secret: key.secretAccessKey };
    // Another product on the port (a Prometheus, a console): plain text 404, no S3 error document.
    notS3 = http.createServer((_req, res) => {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("404 page not found\n");
    });
    await new Promise<void>((r) => notS3!.listen(0, "127.0.0.1", r));
    notS3Url = `http://127.0.0.1:${(notS3.address() as { port: number }).port}`;
  });
  after(async () => {
    notS3?.close();
    await Promise.all([m?.stop(0), g?.stop(0)]);
  });

  const keys = (over: Record<string, string> = {}) => ({
    [MOVE_ENV.from.accessKey]: m!.root.accessKey,
    [MOVE_ENV.from.secretKey]: m!.root.secretKey,
    [MOVE_ENV.to.accessKey]: garageKey.id,
    [MOVE_ENV.to.secretKey]: garageKey.secret,
    ...over,
  });
  async function move(env: Record<string, string>, from = m!.url, to = g!.s3) {
    let out = "";
    let err = "";
    const code = await runVerify(
      ["--stack", "staging", "--dir", ROOT, "--move-from", from, "--move-to", to],
      {
        env,
        out: (t) => (out += t),
        err: (t) => (err += t),
      },
    );
    // The closing line is stdout's last (stderr with --json only).
    const lines = out.trim().split("\n");
    return { code, out, err, all: out + err, last: lines[lines.length - 1] };
  }

  it("an old store with none of the stack's buckets fails (exit 1), not 'the same on both'", async () => {
    const r = await move(keys());
    assert.equal(r.code, 1, r.all);
    assert.match(
      r.out,
      /the old store \(--move-from\) has none of the stack's 6 buckets: it is not the store/,
    );
    assert.doesNotMatch(r.out, /may switch objectStore/);
    assert.match(
      r.last,
      /^verify --stack staging: FAIL \(exit 1\): the old store has none of the stack's 6 buckets/,
    );
  });

  it("a wrong secret on the old store names --move-from and its variables, never the secret", async () => {
    const r = await move(keys({ [MOVE_ENV.from.secretKey]: "wr0ng-s3cret-value" }));
    assert.equal(r.code, 2, r.all);
    assert.match(
      r.err,
      new RegExp(
        `^verify --stack staging: --move-from ${m!.url}: listing bucket "[^"]+": the store refused the key \\(403 SignatureDoesNotMatch.*\\): check HOMELAB_MOVE_FROM_ACCESS_KEY_ID and HOMELAB_MOVE_FROM_SECRET_ACCESS_KEY\\n$`,
      ),
    );
    assert.ok(!r.all.includes("wr0ng-s3cret-value") && !r.all.includes(m!.root.secretKey), r.all);
    assert.match(r.last, /FAIL \(exit 2\): the stores could not be compared/);
  });

  it("an unknown key on the new store names --move-to and its variables", async () => {
    const r = await move(keys({ [MOVE_ENV.to.accessKey]: "GK000000000000000000000000" }));
    assert.equal(r.code, 2, r.all);
    assert.match(
      r.err,
      /--move-to http:\/\/127\.0\.0\.1:\d+: listing bucket "[^"]+": the store refused the key \(403 \w+.*\): check HOMELAB_MOVE_TO_ACCESS_KEY_ID and HOMELAB_MOVE_TO_SECRET_ACCESS_KEY/,
    );
    assert.ok(!r.all.includes(garageKey.secret));
  });

  it("a region the new store does not serve names HOMELAB_MOVE_TO_REGION and the region Garage answers for, not the key", async () => {
    const r = await move(keys({ [MOVE_ENV.to.region]: "us-east-1" }));
    assert.equal(r.code, 2, r.all);
    // Garage judges the region before it looks the key up (payload.rs verify_v4): the key, right
    // here, is no suspect, and its variables are no way out.
    assert.match(
      r.err,
      new RegExp(
        `^verify --stack staging: --move-to ${g!.s3}: listing bucket "[^"]+": the store refused the region the request was signed for \\(400 AuthorizationHeaderMalformed: [^)]*\\): signed for "us-east-1", the store answers for "garage": set HOMELAB_MOVE_TO_REGION=garage\\n$`,
      ),
    );
    assert.doesNotMatch(r.err, /refused the key|HOMELAB_MOVE_TO_ACCESS_KEY_ID/);
  });

  it("an endpoint that is no S3 API says so, not '404 404 page not found'", async () => {
    const r = await move(keys(), m!.url, notS3Url);
    assert.equal(r.code, 2, r.all);
    assert.match(
      r.err,
      new RegExp(
        `--move-to ${notS3Url}: listing bucket "[^"]+" answered 404 and no S3 error \\("404 page not found"\\): is this the store's S3 API endpoint\\?`,
      ),
    );
  });
});
