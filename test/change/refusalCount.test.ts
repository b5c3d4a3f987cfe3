import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { formatChange } from "../../change/change";
import type { ExportResource } from "../../synth/synthesize";
import { synth, synthCli, tmpDir } from "../support/helpers";

/*
 * The change check counts refusals, not objects (issue 51: the closing line matches what is
 * listed): a release refused for two values, or a claim refused twice, is two REFUSED lines, and
 * the counts line, the stack's closing line and the exit status say two.
 */

const lastLine = (text: string) => text.trimEnd().split("\n").pop()!;

describe("change: the refused count is one per refusal listed (change/change.ts refusalCount)", function () {
  this.timeout(120000);

  it("counts two REFUSED lines under one object as 2, and one under another as 1 more", () => {
    const entry = (subject: string, fields: string[]) => ({
      action: "update" as const,
      subject,
      owner: "o",
      why: ["version"],
      refused: fields.map((field) => ({ field, reason: "r" })),
    });
    const entries = [entry("Release::a", ["values.x", "values.y"]), entry("Release::b", ["values.z"])];
    const text = formatChange({ entries, refused: entries });
    assert.equal(text.match(/REFUSED/g)?.length, 3);
    assert.match(text, /; 3 refused$/);
  });

  // Was 2 (one for the protection, one for the data) until one deletion became one refusal naming
  // both (issue 51 item 3): the counts still equal the REFUSED lines, now 1.
  it("synth --against: a protected claim holding data, deleted, is 1 refusal naming both, on the counts and closing lines, exit 1", async () => {
    const dir = tmpDir("refusal-count");
    const previous = JSON.parse(JSON.stringify((await synth("staging")).export));
    // A protected, unretained claim the new state no longer has: one deletion, one refusal.
    const claim: ExportResource = {
      urn: "urn:pulumi:staging::homelab-observability::kubernetes:core/v1:PersistentVolumeClaim::old-data",
      custom: true,
      protect: true,
      type: "kubernetes:core/v1:PersistentVolumeClaim",
      inputs: {
        metadata: { name: "old-data", namespace: "monitoring" },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
      },
      outputs: {},
    };
    previous.deployment.resources.push(claim);
    const file = path.join(dir, "previous.json");
    fs.writeFileSync(file, JSON.stringify(previous));
    const r = await synthCli("--stack", "staging", "--out", dir, "--quiet", "--against", file);
    const refusedLines = r.stdout.split("\n").filter((l) => /^\s+REFUSED /.test(l));
    assert.equal(refusedLines.length, 1, r.stdout);
    assert.match(
      refusedLines[0],
      /retainOnDelete, protect: .*deletes the data it holds.*pulumi state unprotect/,
    );
    assert.ok(
      refusedLines.every((l) => l.includes("PersistentVolumeClaim")),
      refusedLines.join("\n"),
    );
    assert.match(r.stdout, /0 replace, 1 delete; 1 refused\n/, r.stdout);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.equal(lastLine(r.stdout), "staging: FAIL (exit 1): the change: 1 refused (above)");
  });
});
