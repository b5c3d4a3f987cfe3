/**
 * What verify quotes of an error answer (verify/http.ts answerWords, statusSaid): the first words
 * as one line of text, whatever the server wrapped them in, never a login.
 */
import { strict as assert } from "assert";
import { answerWords, statusSaid } from "../../verify/http";

describe("verify: an error answer's first words, as text", () => {
  it("an HTML error page (Grafana's, with its styles and scripts) is its words: no markup, no script, one line", () => {
    const page = [
      '<!DOCTYPE html>\n<html lang="en">\n<head>\n  <title>Grafana</title>',
      "  <style>body { background: #111; }</style>",
      '  <script nonce="x">window.grafanaBootData = { settings: {} };</script>',
      "  <!-- the boot data -->\n</head>\n<body>\n  <h1>500 &amp; then   some</h1>\n  <p>Internal Server Error</p>\n</body>\n</html>",
    ].join("\n");
    assert.equal(answerWords(page), "Grafana 500 & then some Internal Server Error");
  });

  it("bounded: a long answer is cut to 120 characters, marked with an ellipsis", () => {
    const words = answerWords(`<p>${"word ".repeat(100)}</p>`);
    assert.ok(words.length <= 120, String(words.length));
    assert.match(words, /^word word .*…$/);
  });

  it("a JSON answer's error or message is what it said, its whitespace collapsed", () => {
    assert.equal(
      answerWords('{"status":"error","errorType":"bad_data","error":"parse error:\\n  unexpected"}'),
      "parse error: unexpected",
    );
    assert.equal(answerWords('{"message":"Unauthorized"}'), "Unauthorized");
  });

  it("a login in a URL the answer echoes is cut, as redact() cuts it from the URL verify shows", () => {
    const said = statusSaid(502, "<p>upstream http://admin:s3cr3t-pw@mimir:8080/prometheus refused</p>");
    assert.equal(said, "HTTP 502 (upstream http://mimir:8080/prometheus refused)");
  });

  it("nothing readable: the status alone", () => {
    assert.equal(statusSaid(500, "<html><body></body></html>\n"), "HTTP 500");
  });
});
