/**
 * docs/reference/checks.md's "when it fails" of `remote-write` says what verify's message says
 * when the backend holds no `up` series (verify/checks.ts judgeRemoteWrite): an operator reading
 * the message finds the same two causes where the doc says to look.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { judgeRemoteWrite } from "../../verify/checks";
import { ROOT } from "../support/helpers";

describe("docs/reference/checks.md: remote-write's where to look matches verify's message", () => {
  it("no `up` series in the backend: the writes go elsewhere, or the backend started empty", () => {
    const queue = { queue: "vm", lagSeconds: 1, failed: 0, retried: 0 };
    const said = judgeRemoteWrite([queue], 12, undefined, "VictoriaMetrics").detail;
    assert.match(said, /holds no `up` series/);
    assert.match(said, /remote_write names another URL/);
    assert.match(said, /just started empty/);
    const row = fs
      .readFileSync(path.join(ROOT, "docs/reference/checks.md"), "utf8")
      .split("\n")
      .find((l) => l.startsWith("| `remote-write`"))!;
    const whereToLook = row.split("|")[3];
    assert.match(whereToLook, /holds no `up` series/);
    assert.match(whereToLook, /`remote_write` URL is not this backend's/);
    assert.match(whereToLook, /started empty/);
  });
});
