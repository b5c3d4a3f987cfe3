/**
 * A JSON text that does not parse is said as `<file>:<line>:<column>: expected <form>, found <what
 * is there>`, the place where it stops being JSON and what stands there in words: never a piece of
 * the text, which may be a stack export with its secrets shown or a config holding a token.
 */
import { strict as assert } from "assert";
import { notJsonMessage } from "../../config/jsonText";
import { SECRET, holdsSecretPiece } from "../support/secretPieces";

/** A stack export as `pulumi stack export --show-secrets` writes it, a password in plain text. */
const EXPORT = JSON.stringify(
  {
    version: 3,
    deployment: {
      resources: [
        {
          urn: "urn:pulumi:s::p::kubernetes:core/v1:Secret::grafana-admin",
          type: "kubernetes:core/v1:Secret",
          inputs: { stringData: { password: SECRET, port: 3000, on: true, off: null } },
        },
      ],
    },
  },
  null,
  2,
);

/** `line:column` of V8's own place for `text`, where its message names one. */
function v8Place(text: string): string | undefined {
  try {
    JSON.parse(text);
  } catch (e) {
    const m = /\(line (\d+) column (\d+)\)/.exec((e as Error).message);
    return m ? `${m[1]}:${m[2]}` : undefined;
  }
  return undefined;
}

describe("a JSON text that does not parse: one placed message, never quoting the text", () => {
  it("says each kind of mistake in words at its line and column", () => {
    const cases: [text: string, place: string, found: string][] = [
      ["", "1:1", "an empty file (no JSON value)"],
      [`{\n  "token": "${SECRET}`, "2:23", "the end of the file inside a string"],
      [`{\n  "token": ${SECRET}\n}`, "2:12", "a word where a value starts"],
      [`{\n  "token": tru\n}`, "2:12", "a word where a value starts"],
      [`{"token": "${SECRET}",\n}`, "2:1", "a comma before }"],
      [`["${SECRET}",\n]`, "2:1", "a comma before ]"],
      [`{"token" "${SECRET}"}`, "1:10", "a string where a colon is due"],
      [`{"a": 1\n "token": "${SECRET}"}`, "2:2", "a string where a comma or } is due"],
      [`{'token': 1}`, "1:2", "a single quote where a key (a string in double quotes) is due"],
      [`["${SECRET}\tx"]`, "1:13", "a tab inside a string"],
      [`["${SECRET}\\x"]`, "1:14", "a backslash escape JSON does not have inside a string"],
      [`{"a": 1}\n{"token": "${SECRET}"}`, "2:1", "a { after the JSON value has ended"],
      [`// token\n{}`, "1:1", "a comment (JSON has none) where a value is due"],
      [`{"a": [1,`, "1:10", "the end of the file inside a list, where a value is due"],
      [`{"port": 30.}`, "1:13", "a } where a digit is due"],
    ];
    for (const [text, place, found] of cases) {
      const message = notJsonMessage("pack.json", text, "a JSON policy pack configuration");
      assert.ok(
        message.startsWith(`pack.json:${place}: expected a JSON policy pack configuration, found ${found}`),
        `${JSON.stringify(text)}: ${message}`,
      );
      assert.ok(!holdsSecretPiece(message), message);
    }
  });

  it("quotes no piece of a secret in any cut or one-character slip of an export, and places each as V8 does where V8 names a place", () => {
    // Every prefix (a truncated copy) and every text with one character removed (a lost quote,
    // comma or bracket): the mistakes a hand-edited or cut export has.
    const broken = new Set<string>();
    for (let k = 0; k < EXPORT.length; k++) {
      broken.add(EXPORT.slice(0, k));
      broken.add(EXPORT.slice(0, k) + EXPORT.slice(k + 1));
    }
    let judged = 0;
    for (const text of broken) {
      if (isJson(text)) continue;
      judged++;
      const message = notJsonMessage("out/pi.json", text, "a stack export (JSON)");
      assert.match(message, /^out\/pi\.json:\d+:\d+: expected a stack export \(JSON\), found /, message);
      assert.ok(!holdsSecretPiece(message), `${JSON.stringify(text)}: ${message}`);
      const v8 = v8Place(text);
      if (v8) assert.ok(message.startsWith(`out/pi.json:${v8}:`), `${JSON.stringify(text)}: ${message}`);
    }
    // Nearly every cut and slip breaks it (a few removed spaces or digits do not).
    assert.ok(judged > EXPORT.length, `${judged} broken texts judged`);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
