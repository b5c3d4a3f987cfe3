/**
 * Values for which the grafana chart renders no Grafana workload (12.3.1 templates/deployment.yaml:1,
 * templates/statefulset.yaml:2) are one message saying so: the Service that selects no pod and the
 * NetworkPolicy rules written for Grafana's pods are its places, and the keys that decide it are
 * named at their lines.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackCopy, synthCli, synthMessages } from "../support/helpers";

describe("synth: chartValues for which the grafana chart renders no workload", function () {
  this.timeout(120_000);

  it("persistence.type sts beside an existingClaim on staging: one message, saying the chart renders no Grafana workload and what to set instead", async () => {
    const { dir, file } = stackCopy("grafana-no-workload", "staging");
    const text = fs.readFileSync(file, "utf8").trimEnd();
    fs.writeFileSync(
      file,
      `${text}\n  homelab-observability:chartValues:\n    grafana:\n      persistence:\n        type: sts\n        existingClaim: grafana-data\n`,
    );
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const typeLine = lines.indexOf("        type: sts") + 1;
    const claimLine = lines.indexOf("        existingClaim: grafana-data") + 1;
    const r = await synthCli("--dir", dir, "--stack", "staging", "--out", path.join(dir, "out"), "--quiet");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const messages = synthMessages(r, "staging");
    assert.equal(messages.length, 1, messages.join("\n---\n"));
    const [m] = messages;
    assert.match(
      m,
      /the grafana chart renders no Grafana workload for these values, so no Grafana pod runs: chartValues\.grafana\.persistence\.type is "sts" and chartValues\.grafana\.persistence\.existingClaim is set/,
    );
    assert.match(
      m,
      /Set chartValues\.grafana\.persistence\.type to pvc \(a Deployment mounting the existing claim\), or remove chartValues\.grafana\.persistence\.existingClaim \(a StatefulSet with a claim per pod\)\./,
    );
    assert.match(m, /also seen at: .*\[address\] ConfigMap monitoring\/grafana \(release grafana\)/);
    assert.match(m, /\[network-policy\] NetworkPolicy monitoring\/loki /);
    const at = (n: number) => `\\S*Pulumi\\.staging\\.yaml:${n}\\)`;
    assert.match(
      m,
      new RegExp(
        `\\n {6}from the stack's chart values overrides chartValues\\.grafana\\.persistence\\.type \\(${at(typeLine)}, chartValues\\.grafana\\.persistence\\.existingClaim \\(${at(claimLine)}: change or remove them in the stack file$`,
      ),
    );
    assert.doesNotMatch(r.stdout + r.stderr, /if one of these is the cause/);
  });

  // helm template (12.3.1): an existingClaim of {} is an empty map, false to templates/statefulset.yaml:2's
  // `not .Values.persistence.existingClaim`, so sts renders its StatefulSet.
  it("persistence.type sts beside an existingClaim of {} on staging: the chart renders a StatefulSet, so no refusal", async () => {
    const { dir, file } = stackCopy("grafana-empty-claim", "staging");
    const text = fs.readFileSync(file, "utf8").trimEnd();
    fs.writeFileSync(
      file,
      `${text}\n  homelab-observability:chartValues:\n    grafana:\n      persistence:\n        type: sts\n        existingClaim: {}\n`,
    );
    const r = await synthCli("--dir", dir, "--stack", "staging", "--out", path.join(dir, "out"), "--quiet");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /renders no Grafana workload/);
  });
});
