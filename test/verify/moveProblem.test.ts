/**
 * verify --move-from/--move-to's line for an error of the move check: a store's failure names its
 * own flag and gets no other; anything else gets both flags before it. Read from the error's kind
 * (StoreSideError), never from its words, so that a reworded message keeps its line.
 */
import { strict as assert } from "assert";
import { moveProblem, moveProblems } from "../../cli/verifyRun";
import { compareStores, StoreSideError, tally, type StoreSide } from "../../verify/objectMove";

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
