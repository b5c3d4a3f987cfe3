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

/** Pulumi.pi.yaml's text with `nodePools` and `chartValues` set (when given). */
function piWith(nodePools: unknown, chartValues?: unknown): string {
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8"));
  Object.assign(doc.config, { [`${PROJECT}:nodePools`]: nodePools });
  if (chartValues !== undefined) Object.assign(doc.config, { [`${PROJECT}:chartValues`]: chartValues });
  return stringify(doc);
}

describe("synth: the Pi stack on 1100Mi nodes, Loki and vmsingle lowered as the budget says", function () {
  this.timeout(600000);
  let dir: string;
  before(() => {
    dir = treeDir("pi-smaller-requests", {
      "Pulumi.yaml": fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
      "Pulumi.small.yaml": piWith(POOLS),
      "Pulumi.lowered.yaml": piWith(POOLS, CHART_VALUES),
    });
  });
  const run = (stack: string) =>
    synthCli("--stack", stack, "--dir", dir, "--out", path.join(dir, "out"), "--quiet");

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
