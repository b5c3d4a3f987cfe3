/**
 * prometheus-operator v0.93.0's `--apiserver` as its `start` reads it before it connects
 * (upstream/goUrl.ts operatorApiserverRefusal: Go's url.Parse at go1.26.8, then client-go v0.36.3's
 * DefaultServerURL). data/operatorApiserver.jsonl holds what the v0.93.0 binary (built from source
 * with go1.26.8) did with `operator --apiserver=<value>`, KUBECONFIG unset, each line
 * `{apiserver, answer}`: `connects` when its first error was "failed to request Kubernetes server
 * version" (it got past the client config and tried the address), else the `msg` and `err` of the
 * error it logged and its exit status. The real binary is not in CI, so its answers are kept here.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { goQuoteAscii } from "../../upstream/goStrconv";
import { goUrlParse, operatorApiserverRefusal } from "../../upstream/goUrl";

type Answer = { connects: true } | { message: string; error: string; exit: number };
const cases: { apiserver: string; answer: Answer }[] = fs
  .readFileSync(path.join(__dirname, "data", "operatorApiserver.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.trim() !== "")
  .map((l) => JSON.parse(l));

describe("upstream/goUrl: prometheus-operator v0.93.0's --apiserver, as its binary refused it before connecting", () => {
  it("refuses each address the binary refused, in its words, and passes each it went on to connect to", () => {
    assert.ok(cases.length >= 80, `${cases.length} cases`);
    const judged = cases.flatMap((c) => {
      const r = operatorApiserverRefusal(c.apiserver, false);
      if (r !== undefined && "unknown" in r) return [];
      const got = r === undefined ? { connects: true } : { message: r.message, error: r.error, exit: 1 };
      return [{ apiserver: c.apiserver, binary: c.answer, model: got }];
    });
    assert.deepEqual(
      judged.filter((j) => JSON.stringify(j.binary) !== JSON.stringify(j.model)),
      [],
    );
    // Only the IP literals are left unjudged.
    assert.deepEqual(
      cases.filter((c) => !judged.some((j) => j.apiserver === c.apiserver)).map((c) => c.apiserver),
      ["http://[::1", "http://[::1]:1"],
    );
    assert.ok(judged.filter((j) => "connects" in j.binary).length >= 20);
    assert.ok(judged.filter((j) => "message" in j.binary).length >= 40);
  });

  it("leaves unjudged what client-go reads another way: an https address with a TLS flag, a non-ASCII one", () => {
    assert.deepEqual(operatorApiserverRefusal("https:/x", true), {
      unknown: "a TLS flag makes client-go parse it again after https://",
    });
    // The TLS flags reach the client only for an https address: an http one is judged all the same.
    assert.deepEqual(operatorApiserverRefusal("http:/x", true), {
      message: "failed to create Kubernetes client",
      error: 'host must be a URL or a host:port pair: "http:/x"',
      at: "client-go v0.36.3 rest/url_utils.go:30-48, logged at cmd/operator/main.go:325",
    });
    assert.deepEqual(goUrlParse("http://é"), { unknown: "a non-ASCII address" });
    assert.equal(goQuoteAscii('a"\n\x01'), '"a\\"\\n\\x01"');
  });
});
