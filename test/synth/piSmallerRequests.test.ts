import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT } from "../../model/names";
import { ROOT, synthCli, treeDir } from "../support/helpers";

/*
 * The Pi stack on three nodes of 1100Mi: Loki's and vmsingle's 1Gi pods (the lightweight
 * profile's size, model/sizing.ts) do not fit beside the node agents' 84Mi, and resource-budget
 * says to lower their requests with chartValues. A stack file doing so was then refused for that
 * very override ("sized for the profile (request 1024Mi, ...), but its pods request 900Mi"): the
 * profile's size is a default, not a capacity figure, so the lowered pods pass when they fit.
 */

const POOLS = [{ name: "pi5", arch: "arm64", count: 3, cpu: "4", memory: "1100Mi" }];
const LOWER = { requests: { memory: "900Mi" }, limits: { memory: "900Mi" } };
const CHART_VALUES = {
  loki: { singleBinary: { resources: LOWER } },
  "victoria-metrics-k8s-stack": { vmsingle: { spec: { resources: LOWER } } },
};

/** Pulumi.pi.yaml's text with `nodePools`, `chartValues` (when given) and other keys set. */
function piWith(nodePools: unknown, chartValues?: unknown, more: Record<string, unknown> = {}): string {
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8"));
  Object.assign(doc.config, { [`${PROJECT}:nodePools`]: nodePools });
  if (chartValues !== undefined) Object.assign(doc.config, { [`${PROJECT}:chartValues`]: chartValues });
  for (const [k, v] of Object.entries(more)) doc.config[`${PROJECT}:${k}`] = v;
  return stringify(doc);
}
/** The Pi stack's own value of `key`. */
const pi = (key: string) =>
  parse(fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8")).config[`${PROJECT}:${key}`];

/** Runs synth on one of `stacks` (name -> stack file text), written beside Pulumi.yaml in a tree `name` before the tests. */
function synthIn(name: string, stacks: () => Record<string, string>) {
  let dir = "";
  before(() => {
    const files = Object.entries(stacks()).map(([stack, text]) => [`Pulumi.${stack}.yaml`, text]);
    dir = treeDir(name, {
      "Pulumi.yaml": fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
      ...Object.fromEntries(files),
    });
  });
  return (stack: string) =>
    synthCli("--stack", stack, "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
}

describe("synth: the Pi stack on 1100Mi nodes, Loki and vmsingle lowered as the budget says", function () {
  this.timeout(600000);
  const run = synthIn("pi-smaller-requests", () => ({
    small: piWith(POOLS),
    lowered: piWith(POOLS, CHART_VALUES),
  }));

  it("at the profile's sizes: refused, with the chartValues requests to lower", async () => {
    const r = await run("small");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /lower their requests \(StatefulSet loki: chartValues\.loki\.singleBinary\.resources\.requests\.memory; VMSingle vm: chartValues\.victoria-metrics-k8s-stack\.vmsingle\.spec\.resources\.requests\.memory\)/,
    );
  });

  it("with those requests lowered to 900Mi: passes (exit 0), no 'sized for the profile' refusal", async () => {
    const r = await run("lowered");
    assert.doesNotMatch(r.stdout, /sized for the profile/);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^lowered: pass \(exit 0\): the rendered objects and the policy pass$/m);
  });
});

describe("synth: the Pi stack with a part at the profile's size lowered by chartValues", function () {
  this.timeout(600000);
  const run = synthIn("pi-profile-parts-lowered", () => ({
    // vminsert and vmselect run at the profile's size beside a VMCluster's workload-sized
    // vmstorage (docs/explanation/sizing-rules.md "VMCluster"): 96Mi is a default, as vmsingle's is.
    vminsert: piWith(
      pi("nodePools"),
      {
        "victoria-metrics-k8s-stack": {
          vmcluster: { spec: { vminsert: { resources: { requests: { memory: "64Mi" } } } } },
        },
      },
      { workload: { activeSeries: 8000000 } },
    ),
    // Loki Distributed without workload.logsPerDay runs each part at the profile's size (its floor).
    querier: piWith(
      pi("nodePools"),
      { loki: { querier: { resources: { requests: { memory: "256Mi" } } } } },
      { loki: { ...pi("loki"), mode: "Distributed" } },
    ),
  }));

  // Refused before (exit 1) as "sized for 8000000 series beside vmstorage, at the profile's size
  // ... the program sizes it from upstream's capacity rules" and "sized for Distributed at its floor
  // (loki.mode)": sizes that are the profile's too, which vmsingle's and Loki's lowered pass.
  for (const [stack, key] of [
    ["vminsert", "victoria-metrics-k8s-stack.vmcluster.spec.vminsert.resources.requests.memory"],
    ["querier", "loki.querier.resources.requests.memory"],
  ])
    it(`a part at the profile's size lowered (${key}): passes (exit 0)`, async () => {
      const r = await run(stack);
      assert.doesNotMatch(r.stdout, /sized for/);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.match(r.stdout, new RegExp(`^${stack}: pass \\(exit 0\\)`, "m"));
      assert.match(r.stdout, new RegExp(key.replace(/\./g, "\\.")));
    });
});

describe("synth: the Pi stack's Loki, sized for 15GB a day, lowered by chartValues", function () {
  this.timeout(600000);
  // 15GB a day need a 302Mi request of a Monolithic Loki by upstream's tier, and a limit of 355Mi
  // so that the chart's GOMEMLIMIT (85% of the limit) holds it (config/sizing.ts lokiPodBytes), below the
  // profile's 1Gi it runs at: a default like the profile's own, lowered as far as the logs allow.
  const lowered = (memory: string) =>
    piWith(
      pi("nodePools"),
      { loki: { singleBinary: { resources: { requests: { memory }, limits: { memory } } } } },
      { workload: { logsPerDay: "15GB" } },
    );
  const run = synthIn("pi-loki-below-profile", () => ({ above: lowered("512Mi"), below: lowered("256Mi") }));

  // Refused before (exit 1) as "loki: sized for 15GB a day (workload.logsPerDay) (request 1024Mi,
  // limit 1024Mi of memory), but its pods request 512Mi".
  it("lowered to 512Mi, above what its logs need: passes (exit 0)", async () => {
    const r = await run("above");
    assert.doesNotMatch(r.stdout, /sized for/);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  it("lowered to 256Mi, below what its logs need: refused (exit 1) naming the need and the override's line", async () => {
    const r = await run("below");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /loki: sized for 14GiB a day \(workload\.logsPerDay\), which needs 302Mi of memory a pod, limited to 355Mi: the loki chart gives Loki's Go runtime 85% of the limit as GOMEMLIMIT \(the program gives it the profile's 1024Mi, a default a chartValues override may lower to that\), but its pods request 256Mi/,
    );
    assert.match(
      r.stdout,
      /chartValues\.loki\.singleBinary\.resources\.requests\.memory \(.*Pulumi\.below\.yaml:\d+\)/,
    );
  });
});
