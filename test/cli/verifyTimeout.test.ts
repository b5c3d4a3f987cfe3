/**
 * verify --timeout: how long each request waits for an answer (verify/http.ts), for one run only.
 * The wait itself, against a server that never answers, is in test/verify/urlAudit.test.ts.
 */
import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { parseVerifyArgs, runVerify } from "../../cli/verifyRun";
import { requestText, requestTimeoutSeconds, setRequestTimeout } from "../../verify/http";

describe("verify --timeout", () => {
  it("takes a duration, in seconds", () => {
    assert.equal(parseVerifyArgs(["--stack", "s", "--timeout", "45s"]).timeoutSeconds, 45);
    assert.equal(parseVerifyArgs(["--stack", "s", "--timeout", "2m"]).timeoutSeconds, 120);
    assert.equal(parseVerifyArgs(["--stack", "s"]).timeoutSeconds, undefined);
  });

  it("refuses what is no duration of at least 1s, naming the flag, the form and what it got", () => {
    for (const bad of ["10", "0s", "soon"])
      assert.throws(
        () => parseVerifyArgs(["--stack", "s", "--timeout", bad]),
        (e: Error) =>
          e.message === `--timeout: expected a duration of at least 1s (30s, 5m, 1h), got "${bad}"`,
      );
  });

  it("holds for the run it is set for, and the previous wait comes back after it", async () => {
    assert.equal(requestTimeoutSeconds(), 10, "the default wait");
    const server = http.createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    try {
      const restore = setRequestTimeout(1);
      const started = Date.now();
      // The wait --timeout sets names the flag; a request with its own deadline does not.
      await assert.rejects(requestText(url), /unreachable \(no answer within 1 s; --timeout waits longer\)$/);
      await assert.rejects(requestText(url, { timeoutMs: 200 }), /unreachable \(no answer within 0\.2 s\)$/);
      assert.ok(Date.now() - started < 5000);
      restore();
      assert.equal(requestTimeoutSeconds(), 10, "the default wait again after the run");
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("a verify run puts the default wait back when it ends, however it ends", async () => {
    const code = await runVerify(["--stack", "s", "--timeout", "3s", "--dir", "/no/such/project"], {
      out: () => undefined,
      err: () => undefined,
    });
    assert.equal(code, 2);
    assert.equal(requestTimeoutSeconds(), 10);
  });
});
