/**
 * A config key written at the top of the stack file (not under `config:`), which the Pulumi CLI
 * ignores, is placed at that line, also when `config:` holds the same key: the problem is the
 * stray one, not the key under `config:`.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../support/helpers";
import { refusal } from "../support/stackText";

describe("a config key at the top of the stack file", () => {
  it("is placed at its own line when config: has the same key", () => {
    const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    const e = refusal(`homelab-observability:loki:\n  retention: 7d\n${staging}`);
    const i = e.problems.findIndex((p) => p.startsWith("homelab-observability:loki: unknown key at the top"));
    assert.ok(i >= 0, e.message);
    assert.deepEqual([e.places[i]?.line, e.places[i]?.column], [1, 1], e.message);
  });
});
