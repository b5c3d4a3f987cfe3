/**
 * A chart values key that only shapes a chart's Service (vector's `service.ports`) routes traffic
 * to that release's pods and nothing else: it is no cause of a finding on traffic its pods send
 * elsewhere, so a message on a rule the Loki port change left unused never names it.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackCopy, synthCli } from "../support/helpers";

/** synth of `stack` with `chartValues` (YAML lines under the key, indented four spaces). */
async function synthWith(stack: string, chartValues: string) {
  const { dir, file } = stackCopy("service-only-key", stack);
  fs.writeFileSync(
    file,
    `${fs.readFileSync(file, "utf8").trimEnd()}\n  homelab-observability:chartValues:\n${chartValues}`,
  );
  const r = await synthCli("--dir", dir, "--stack", stack, "--out", path.join(dir, "out"), "--quiet");
  return { ...r, messages: r.stderr.split(/\n(?= {2}\[)/).filter((m) => m.startsWith("  [")) };
}

const LOKI_PORT = "    loki:\n      loki:\n        server:\n          http_listen_port: 3101\n";
const VECTOR_SERVICE =
  "    vector:\n      service:\n        ports:\n          - name: api\n            port: 8687\n            targetPort: 8686\n";

describe("synth: a key that only shapes a Service is no cause of what its pods dial", function () {
  this.timeout(120_000);

  it("Loki's port moved beside vector's service.ports on pi: the rule Vector's pushes no longer use is a place of the one message naming Loki's key, never vector's", async () => {
    const r = await synthWith("pi", LOKI_PORT + VECTOR_SERVICE);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const text = r.messages.join("\n");
    assert.doesNotMatch(text, /chartValues\.vector\.service\.ports/, text);
    // One mistake, the port: the rule Vector's pushes no longer use is a place of its message.
    assert.equal(r.messages.length, 1, text);
    assert.match(
      r.messages[0],
      /\[network-policy\] NetworkPolicy monitoring\/loki \(resource [^)]*\): ingress rule 1[;\n]/,
    );
    assert.match(
      r.messages[0],
      /\n {6}from the stack's chart values override chartValues\.loki\.loki\.server\.http_listen_port \(\S*Pulumi\.pi\.yaml:\d+\): change or remove it/,
    );
  });
});
