import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { ApiError, requestJson, requestText } from "../../verify/http";

/** What the server saw of each request. */
interface Seen {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A loopback server answering `answer(request)`; its URL and what it saw. */
async function serve(answer: (seen: Seen) => { status: number; body: string }) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const s: Seen = { method: req.method, url: req.url, headers: req.headers, body };
      seen.push(s);
      const a = answer(s);
      res.writeHead(a.status, { "content-type": "application/json" });
      res.end(a.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe("verify/http: one request, its whole answer, errors as one line without a credential", () => {
  it("GET: the user info of the URL goes in a Basic header, never in the request line; the answer is not encoded", async () => {
    const s = await serve(() => ({ status: 200, body: '{"ok":true}' }));
    try {
      const url = s.url.replace("http://", "http://admin:s3cr%40t@") + "/api/health?x=1";
      assert.deepEqual(await requestJson(url), { ok: true });
      const [r] = s.seen;
      assert.equal(r.method, "GET");
      assert.equal(r.url, "/api/health?x=1");
      assert.equal(r.headers.authorization, `Basic ${Buffer.from("admin:s3cr@t").toString("base64")}`);
      assert.equal(r.headers.accept, "application/json");
      // Asked for nothing but the identity: no server gzip to inflate here.
      assert.equal(r.headers["accept-encoding"], undefined);
    } finally {
      await s.close();
    }
  });

  it("POST: a JSON body with its type and length; an error status names the URL, the status and the server's message", async () => {
    const s = await serve((r) =>
      r.body.includes('"bad"')
        ? { status: 400, body: '{"message":"no such thing"}' }
        : { status: 200, body: "[1]" },
    );
    try {
      assert.deepEqual(await requestJson(`${s.url}/api/ds/query`, { body: { q: "é" } }), [1]);
      assert.equal(s.seen[0].method, "POST");
      assert.equal(s.seen[0].headers["content-type"], "application/json");
      assert.equal(s.seen[0].headers["content-length"], String(Buffer.byteLength('{"q":"é"}')));
      assert.equal(s.seen[0].body, '{"q":"é"}');
      await assert.rejects(
        requestJson(`${s.url.replace("http://", "http://u:pw@")}/api/ds/query?k=v`, { body: { bad: 1 } }),
        (e: Error) =>
          e instanceof ApiError &&
          e.message === `${s.url}/api/ds/query: HTTP 400 (no such thing)` &&
          !/pw/.test(e.message),
      );
      // anyStatus: the parsed body of an error status.
      assert.deepEqual(await requestJson(`${s.url}/x`, { body: { bad: 1 }, anyStatus: true }), {
        message: "no such thing",
      });
      assert.deepEqual(await requestText(`${s.url}/y`), { status: 200, text: "[1]" });
    } finally {
      await s.close();
    }
  });

  it("an answer echoing the request's login (URL password, Basic pair, bearer token) is read with each cut", async () => {
    const s = await serve((r) => ({
      status: 500,
      body: JSON.stringify({
        message: `denied: ${r.headers.authorization} ${String(r.headers["x-token"] ?? "")} ${r.url}`,
      }),
    }));
    try {
      const url = s.url.replace("http://", "http://admin:pa%2Fss@") + "/api/x?pw=pa/ss";
      const basic = Buffer.from("admin:pa/ss").toString("base64");
      let message = "";
      await requestJson(url).catch((e: Error) => (message = e.message));
      assert.match(message, /HTTP 500 \(denied: <redacted> \/api\/x\?pw=<redacted>\)$/, message);
      assert.ok(!message.includes(basic) && !message.includes("pa/ss"), message);
      const bearer = { Authorization: "Bearer tok-123456", "x-token": "tok-123456" };
      const t = await requestText(`${s.url}/b`, { headers: bearer });
      assert.ok(!t.text.includes("tok-123456") && t.text.includes("<redacted>"), t.text);
    } finally {
      await s.close();
    }
  });

  it("no server, or no answer in time: unreachable, with the error's code or the deadline", async () => {
    const s = await serve(() => ({ status: 200, body: "{}" }));
    await s.close();
    await assert.rejects(
      requestText(`${s.url}/ready`),
      (e: Error) => e.message === `${s.url}/ready: unreachable (ECONNREFUSED)`,
    );
    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      await assert.rejects(
        requestJson(`${url}/api/v1/query?query=up`, { timeoutMs: 200 }),
        (e: Error) => e.message === `${url}/api/v1/query: unreachable (no answer within 0.2 s)`,
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
