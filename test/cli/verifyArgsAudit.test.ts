/**
 * verify's `--url <component>=<url>` with a misspelt component names the closest one, as every
 * other list of allowed values does.
 */
import { strict as assert } from "assert";
import { parseVerifyArgs } from "../../cli/verifyRun";

describe("verify --url: a misspelt component", () => {
  it("names the closest component", () => {
    assert.throws(
      () => parseVerifyArgs(["--stack", "staging", "--url", "grafna=http://localhost:3000"]),
      (e: Error) =>
        e.message.startsWith("--url: expected <component>=<url> with a component of ") &&
        e.message.endsWith('got "grafna=http://localhost:3000"; did you mean "grafana"?'),
    );
  });
});

describe("verify --url: a login holding a character that ends a URL's host", () => {
  it('says the login must percent-encode "/", "?" and "#", never printing the password', () => {
    for (const url of [
      "http://admin:p/w@grafana.lab",
      "http://admin:p?w@grafana.lab",
      "http://admin:p#w@grafana.lab",
    ])
      assert.throws(
        () => parseVerifyArgs(["--stack", "staging", "--url", `grafana=${url}`]),
        (e: Error) => {
          assert.equal(
            e.message,
            '--url grafana: expected an http(s) URL, got "http://<redacted>@grafana.lab", whose login holds a "/", "?" or "#", where a URL\'s host part ends: percent-encode it in the login (%2F, %3F, %23)',
          );
          return true;
        },
      );
  });

  it("a URL that is no http(s) URL for another reason keeps its message", () => {
    assert.throws(
      () => parseVerifyArgs(["--stack", "staging", "--url", "grafana=ftp://grafana.lab"]),
      (e: Error) => e.message === '--url grafana: expected an http(s) URL, got "ftp://grafana.lab"',
    );
  });
});
