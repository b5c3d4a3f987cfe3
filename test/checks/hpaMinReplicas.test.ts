/**
 * chartValues.grafana.autoscaling.minReplicas 0: the grafana chart 12.3.1 renders it into its
 * HorizontalPodAutoscaler beside Resource metrics only (templates/hpa.yaml), which the API server
 * refuses (the schema check's rule, test/checks/objectChecks.test.ts). synth passed it, exit 0.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

describe("synth: chartValues.grafana.autoscaling.minReplicas 0", function () {
  this.timeout(120_000);
  it("is refused, naming the override at its line (was exit 0)", async () => {
    const dir = tmpDir("hpa-min-zero");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8").trimEnd();
    const lines = `${text}\n  homelab-observability:chartValues:\n    grafana:\n      autoscaling:\n        enabled: true\n        minReplicas: 0\n        maxReplicas: 1\n`;
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), lines);
    const line = lines.split("\n").indexOf("        minReplicas: 0") + 1;
    const r = await synthCli("--dir", dir, "--out", path.join(dir, "out"), "--quiet", "--stack", "staging");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /\[schema\] HorizontalPodAutoscaler monitoring\/grafana \(release grafana\): spec\.minReplicas: expected at least 1, got 0: /,
    );
    assert.match(
      r.stderr,
      new RegExp(
        `from the stack's chart values override chartValues\\.grafana\\.autoscaling\\.minReplicas \\(\\S*Pulumi\\.staging\\.yaml:${line}\\): change or remove it`,
      ),
    );
  });
});
