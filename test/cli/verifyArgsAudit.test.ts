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

describe("verify --move-from/--move-to: a login in the URL, whatever it holds", () => {
  it("is refused with the login shown as <redacted>@, also when a / or # in the password makes it parse as a host", () => {
    for (const login of ["admin:s3cr3t", "admin:2024/s3cr3t", "admin:12#x"])
      assert.throws(
        () =>
          parseVerifyArgs([
            "--stack",
            "staging",
            "--move-from",
            `http://${login}@127.0.0.1:9000`,
            "--move-to",
            "http://127.0.0.1:3900",
          ]),
        (e: Error) => {
          assert.equal(
            e.message,
            '--move-from: expected an http(s) URL without credentials, like "http://localhost:9000", got "http://<redacted>@127.0.0.1:9000"',
          );
          return true;
        },
        login,
      );
  });
});
