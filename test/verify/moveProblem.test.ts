/**
 * verify --move-from/--move-to's line for an error of the move check: a store's failure names its
 * own flag and gets no other; anything else gets both flags before it. Read from the error's kind
 * (StoreSideError), never from its words, so that a reworded message keeps its line. Then what is
 * refused before any store is asked (a stack with no bucket to compare, an empty region variable),
 * an answer that is no listing, and the exit codes --help gives the check.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { loadStackConfig, moveProblem, moveProblems, runVerify } from "../../cli/verifyRun";
import {
  compareStores,
  formatMove,
  MOVE_ENV,
  moveSides,
  StoreSideError,
  tally,
  type MoveRow,
  type StoreSide,
} from "../../verify/objectMove";
import { parseListObjectsV2 } from "../../builders/objectstore/s3Signature";
import { helpText, VERIFY } from "../../cli/spec";
import { ROOT, treeDir } from "../support/helpers";
import { shownFile } from "../../config/paths";

const side = (role?: "from" | "to"): StoreSide => ({
  endpoint: "http://127.0.0.1:9",
  accessKey: "a",
  secretKey: "b",
  region: "garage",
  role,
});

describe("verify --move-*: which flags a move error's line names", () => {
  it("a store's failure is printed as it is, whatever its message begins with", () => {
    // A reworded message that no longer starts with its flag still gets no second one.
    const e = new StoreSideError(side("to"), "listing the new store's bucket failed");
    assert.equal(moveProblem(e), "listing the new store's bucket failed");
  });

  it("any other error gets both flags, even one whose message begins with a flag", () => {
    assert.equal(
      moveProblem(new Error("--move-from is wrong")),
      "--move-from/--move-to: --move-from is wrong",
    );
    assert.equal(moveProblem("a string"), "--move-from/--move-to: a string");
  });

  it("a side no flag named (a test's) gets both flags", () => {
    assert.equal(moveProblem(new StoreSideError(side(), "x")), "--move-from/--move-to: x");
  });

  it("tally's failures are StoreSideErrors carrying their side's flag; the message is unchanged", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const unreachable = (() =>
      Promise.reject(new TypeError("fetch failed", { cause: refused }))) as typeof fetch;
    const denied = (() =>
      Promise.resolve(
        new Response("<Error><Code>AccessDenied</Code><Message>no</Message></Error>", { status: 403 }),
      )) as typeof fetch;
    for (const [role, fetchFn] of [
      ["from", unreachable],
      ["to", denied],
    ] as const) {
      const e: unknown = await tally(side(role), "b", fetchFn).then(
        () => undefined,
        (x: unknown) => x,
      );
      assert.ok(e instanceof StoreSideError, String(e));
      assert.equal(e.flag, `--move-${role}`);
      assert.equal(e.name, "Error", "printed as before: Error: <message>");
      assert.match(e.message, new RegExp(`^--move-${role} http://127\\.0\\.0\\.1:9: listing bucket "b"`));
      assert.equal(moveProblem(e), e.message);
    }
  });

  it("both stores failing are two lines, each with its own flag, not the first alone", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const unreachable = (() =>
      Promise.reject(new TypeError("fetch failed", { cause: refused }))) as typeof fetch;
    const from = { ...side("from"), endpoint: "http://127.0.0.1:9" };
    const to = { ...side("to"), endpoint: "http://127.0.0.1:10" };
    const e: unknown = await compareStores(from, to, ["b"], unreachable).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.deepEqual(moveProblems(e), [
      '--move-from http://127.0.0.1:9: listing bucket "b": the store could not be reached (ECONNREFUSED)',
      '--move-to http://127.0.0.1:10: listing bucket "b": the store could not be reached (ECONNREFUSED)',
    ]);
  });

  it("one store failing is its one line", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const fetchFn = ((url: string) =>
      url.startsWith("http://127.0.0.1:9/")
        ? Promise.reject(new TypeError("fetch failed", { cause: refused }))
        : Promise.resolve(
            new Response("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>", {
              status: 200,
            }),
          )) as unknown as typeof fetch;
    const e: unknown = await compareStores(
      side("from"),
      { ...side("to"), endpoint: "http://127.0.0.1:10" },
      ["b"],
      fetchFn,
    ).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.deepEqual(moveProblems(e), [
      '--move-from http://127.0.0.1:9: listing bucket "b": the store could not be reached (ECONNREFUSED)',
    ]);
  });
});

/**
 * A copy of the project's staging stack file with its objectStore block replaced by `block`, in a
 * project folder of its own: the stack verify --dir reads.
 */
function stagingOn(name: string, block: string): string {
  const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
  const switched = staging.replace(
    /^ {2}homelab-observability:objectStore:\n(?: {4}.*\n)+/m,
    `  homelab-observability:objectStore:\n${block}`,
  );
  assert.notEqual(switched, staging);
  return treeDir(name, {
    "Pulumi.yaml": fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
    "Pulumi.staging.yaml": switched,
  });
}

const KEYS = {
  [MOVE_ENV.from.accessKey]: "a",
  [MOVE_ENV.from.secretKey]: "bbbb",
  [MOVE_ENV.to.accessKey]: "c",
  [MOVE_ENV.to.secretKey]: "dddd",
};

async function moveRun(dir: string, env: Record<string, string> = KEYS) {
  let out = "";
  let err = "";
  const code = await runVerify(
    // Ports nothing answers on: the refusal comes before either store is asked.
    [
      "--stack",
      "staging",
      "--dir",
      dir,
      "--move-from",
      "http://127.0.0.1:1",
      "--move-to",
      "http://127.0.0.1:2",
    ],
    { env, out: (t) => (out += t), err: (t) => (err += t) },
  );
  return { code, out, err };
}

describe("verify --move-*: a stack with no bucket the check can compare", () => {
  it("on the filesystem store is refused (exit 2) at objectStore.type's line, not passed with 0 buckets", async () => {
    const dir = stagingOn("move-fs", "    type: filesystem\n");
    const r = await moveRun(dir);
    assert.equal(r.code, 2, r.out + r.err);
    const file = shownFile(path.join(dir, "Pulumi.staging.yaml"));
    assert.equal(
      r.err,
      `verify --stack staging: --move-from/--move-to: objectStore.type (${file}:9): expected minio or garage (the stores the move check compares, docs/how-to/move-to-garage.md), got "filesystem": the stack keeps its data on volumes, not on an S3 store: it has no bucket to compare, and a switch would leave that data behind\n`,
    );
    assert.doesNotMatch(r.out, /may switch|pass/);
    assert.match(r.out, /FAIL \(exit 2\)/);
  });

  it("on Ceph RGW is refused, naming its buckets and how Garage names them otherwise", async () => {
    const r = await moveRun(stagingOn("move-ceph", "    type: ceph-rgw\n"));
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(
      r.err,
      /, got "ceph-rgw": on ceph-rgw the stack keeps one bucket per consumer \(staging-loki, staging-mimir\), where MinIO and Garage have one per purpose \(<bucketPrefix>-<consumer>-<purpose>\): copies under these names would be buckets nothing on Garage reads\n$/,
    );
    assert.doesNotMatch(r.out, /may switch/);
  });

  it("is said beside the keys left unset, in one run", async () => {
    const r = await moveRun(stagingOn("move-fs-nokeys", "    type: filesystem\n"), {});
    assert.equal(r.code, 2);
    const lines = r.err.trim().split("\n");
    assert.equal(lines.length, 2, r.err);
    assert.match(lines[0], /objectStore\.type .*got "filesystem"/);
    assert.match(lines[1], /set HOMELAB_MOVE_FROM_ACCESS_KEY_ID, /);
  });
});

describe("verify --move-*: an endpoint answering 200 with no listing (a web console's page)", () => {
  it("names its side and flag, asks whether it is the S3 API, never prints the secret, and keeps the other side's failure", async () => {
    const secret = "SUPERSECRETFROM";
    const page = `<!doctype html><html><head><title>MinIO Console</title></head><body>console ${secret}</body></html>`;
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const fetchFn = ((url: string) =>
      url.startsWith("http://127.0.0.1:9/")
        ? Promise.resolve(new Response(page, { status: 200, headers: { "Content-Type": "text/html" } }))
        : Promise.reject(new TypeError("fetch failed", { cause: refused }))) as unknown as typeof fetch;
    const e: unknown = await compareStores(
      { ...side("from"), secretKey: secret },
      { ...side("to"), endpoint: "http://127.0.0.1:10" },
      ["b"],
      fetchFn,
    ).then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.deepEqual(moveProblems(e), [
      '--move-from http://127.0.0.1:9: listing bucket "b" answered 200 and no ListBucketResult ("MinIO Console console <redacted>"): is this the store\'s S3 API endpoint?',
      '--move-to http://127.0.0.1:10: listing bucket "b": the store could not be reached (ECONNREFUSED)',
    ]);
  });
});

describe("parseListObjectsV2: an answer that is no listing", () => {
  it("is named by its first tag, never by its text, which may echo the request", () => {
    assert.throws(
      () => parseListObjectsV2("<!doctype html><html><body>key SUPERSECRET</body></html>"),
      /^Error: expected a ListBucketResult, got a document beginning <!doctype>$/,
    );
    assert.throws(
      () => parseListObjectsV2("SUPERSECRET"),
      /^Error: expected a ListBucketResult, got text without markup$/,
    );
  });
});

describe("verify --move-*: a region variable set empty", () => {
  it("is unset, as the key variables are: each side signs for its default region", () => {
    const cfg = loadStackConfig(ROOT, "staging", {});
    const s = moveSides(cfg, "http://localhost:9000", "http://localhost:3900", {
      ...KEYS,
      [MOVE_ENV.from.region]: "",
      [MOVE_ENV.to.region]: "",
    });
    assert.deepEqual([s.from.region, s.to.region], ["us-east-1", "garage"]);
  });
});

describe("verify --help: the move check's exit codes", () => {
  it("says what each status means with --move-from, as the run's closing lines do", () => {
    const codes = helpText(VERIFY).split("exit codes:")[1].replace(/\s+/g, " ");
    assert.match(
      codes,
      /1 a check failed \(with --move-from: a bucket differs, or the old store has none of the stack's buckets\)/,
    );
    assert.match(
      codes,
      /\(with --move-from: the stores could not be compared, or the stack's objectStore\.type is not one the check compares\)/,
    );
  });
});

describe("verify --move-from/--move-to: a bucket the new store lacks", () => {
  const row = (bucket: string, from: MoveRow["from"], to: MoveRow["to"]): MoveRow => ({
    bucket,
    status: "fail",
    from,
    to,
    detail: "",
  });
  it("says to create it there under its name first, as the guide's step 1 does; a bucket that only differs, to copy again", () => {
    const text = formatMove("production", [
      row("production-loki-chunks", { objects: 0, bytes: 0 }, { missing: true }),
      row("production-mimir-blocks", { objects: 3, bytes: 9 }, { objects: 2, bytes: 6 }),
    ]);
    assert.match(
      text,
      /\nproduction: 2 bucket\(s\) differ: create production-loki-chunks on the new store \(--move-to\) under its name \(docs\/how-to\/move-to-garage\.md step 1: on Garage, garage bucket create <name>\), then copy again \(with the writers stopped for the last pass\) before switching objectStore\n$/,
    );
    const differ = formatMove("production", [
      row("production-mimir-blocks", { objects: 3, bytes: 9 }, { objects: 2, bytes: 6 }),
    ]);
    assert.match(differ, /\nproduction: 1 bucket\(s\) differ: copy again \(with the writers/);
  });
});
