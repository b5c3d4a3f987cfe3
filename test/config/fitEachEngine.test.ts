import { strict as assert } from "assert";
import { configProblems as problems } from "../support/helpers";

const WORKLOAD = { activeSeries: 2_000_000, logsPerDay: "50GiB" };
/** Six 6 GiB nodes: too small for a Monolithic Loki at 1000 GiB a day, and for Mimir's 11 write pods at 2M series. */
const SMALL = [{ name: "small", arch: "amd64", count: 6, cpu: "4", memory: "6Gi" }];

describe("sizing: one refused engine does not hide another's fit in the same run", () => {
  it("a Loki mode refused for its logs and Mimir's write pods the pools cannot place: both, in one run", () => {
    for (const mode of ["SingleBinary", "Monolithic"]) {
      const p = problems({ phase: "kps-removed", loki: { mode }, workload: WORKLOAD });
      assert.equal(p.length, 2, p.join("\n"));
      assert.match(p[0], new RegExp(`loki\\.mode: expected "Distributed" .* got "${mode}"`));
      assert.match(
        p[1],
        /workload\.activeSeries: 2000000 series scaled out need 4 mimir write pods requesting 12\.3GiB of memory each, and the node pools hold 3 such pods side by side/,
      );
    }
  });

  it("an engine its own workload check refused is left out of the fit: one message for the wrong mode", () => {
    // A Monolithic Loki sized for 1000 GiB a day (7.1 GiB a pod) fits no 6 GiB node; that is the
    // wrong mode said again, so only loki.mode names it, and Mimir is still judged.
    const p = problems({
      phase: "kps-removed",
      loki: { mode: "Monolithic" },
      nodePools: SMALL,
      workload: { activeSeries: 2_000_000, logsPerDay: "1000GiB" },
    });
    assert.equal(p.length, 2, p.join("\n"));
    assert.match(p[0], /loki\.mode: expected "Distributed"/);
    assert.match(
      p[1],
      /2000000 series scaled out need 11 mimir write pods requesting 4\.5GiB of memory each, and the node pools hold 6 such pods side by side/,
    );
    assert.ok(!p.some((l) => /loki monolithic pod/.test(l)), p.join("\n"));
  });

  it("a pod that fits no node hides only its own engine's count, not another engine's", () => {
    // Distributed Loki at 3000 GiB a day: its compactor (10.8 GiB of load, limited to 12.7 GiB for
    // the chart's GOMEMLIMIT, config/sizing.ts lokiPodBytes) fits no node, and its ingesters'
    // count is the same mistake; Mimir's write pods the nodes cannot place are another, named too.
    const p = problems({
      phase: "kps-removed",
      nodePools: SMALL,
      workload: { activeSeries: 2_000_000, logsPerDay: "3000GiB" },
    });
    assert.equal(p.length, 2, p.join("\n"));
    assert.match(
      p[0],
      /workload\.logsPerDay: 3000GiB a day need 12\.7GiB of memory in one loki compactor pod, above what the largest node of nodePools holds beside the DaemonSets' pods on it \(6Gi in pool small, 208MiB of it requested by the DaemonSets' pods on every node \(node-exporter, alloy and loki-canary\): 5\.8GiB left\)$/,
    );
    assert.match(p[1], /workload\.activeSeries: 2000000 series scaled out need 11 mimir write pods/);
  });
});
