import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { checkVmAgentModes } from "../../checks/vmAgentModes";
import type { Placed } from "../../checks/objects";
import { PROJECT } from "../../model/names";
import { ROOT, synthCli, treeDir } from "../support/helpers";

/*
 * The program writes a VMAgent with statefulMode: true; a chartValues override adding
 * daemonSetMode: true rendered a VMAgent the operator's admission webhook refuses (operator v0.66.0
 * vmagent_types.go:381-383), and synth named only the ServiceMonitors such a VMAgent leaves unread.
 */
const vmagent = (
  spec: Record<string, unknown>,
  apiVersion = "operator.victoriametrics.com/v1beta1",
): Placed => ({
  obj: { apiVersion, kind: "VMAgent", metadata: { name: "vm", namespace: "monitoring" }, spec },
  urn: "urn:vm",
  source: "release vm",
});

describe("checks (vmagent-mode): daemonSetMode beside statefulMode, as the operator's webhook refuses", () => {
  it("refuses a VMAgent with both, naming the fields and what to set", () => {
    const { findings } = checkVmAgentModes([vmagent({ statefulMode: true, daemonSetMode: true })]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].where, "VMAgent monitoring/vm (release vm)");
    assert.match(
      findings[0].message,
      /^spec\.daemonSetMode: expected statefulMode off beside it, got daemonSetMode true and statefulMode true/,
    );
    assert.match(
      findings[0].message,
      /set statefulMode: false beside daemonSetMode: true .*, or remove daemonSetMode$/,
    );
    assert.deepEqual(findings[0].judged, ["daemonSetMode", "statefulMode"]);
  });

  it("passes either mode alone, and another kind's fields of the same names", () => {
    const { findings } = checkVmAgentModes([
      vmagent({ statefulMode: true }),
      vmagent({ statefulMode: false, daemonSetMode: true }),
      vmagent({ daemonSetMode: true }),
      vmagent({ statefulMode: true, daemonSetMode: true }, "example.com/v1"),
    ]);
    assert.deepEqual(findings, []);
  });
});

describe("synth: the Pi stack with chartValues vmagent.spec.daemonSetMode: true", function () {
  this.timeout(600000);
  let dir: string;
  before(() => {
    const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.pi.yaml"), "utf8"));
    doc.config[`${PROJECT}:chartValues`] = {
      "victoria-metrics-k8s-stack": { vmagent: { spec: { daemonSetMode: true } } },
    };
    dir = treeDir("vmagent-daemonset-mode", {
      "Pulumi.yaml": fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"),
      "Pulumi.pi.yaml": stringify(doc),
    });
  });

  it("is refused (exit 1) in one message naming the override with its line and statefulMode: false", async () => {
    const r = await synthCli("--stack", "pi", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.equal(out.match(/\[vmagent-mode\]/g)?.length, 1, out);
    assert.match(
      out,
      /\[vmagent-mode\] VMAgent monitoring\/vm \(release vm\): spec\.daemonSetMode: expected statefulMode off/,
    );
    assert.match(out, /set statefulMode: false beside daemonSetMode: true/);
    assert.match(
      out,
      /chart values override chartValues\.victoria-metrics-k8s-stack\.vmagent\.spec\.daemonSetMode \(\S*Pulumi\.pi\.yaml:\d+\)/,
    );
  });
});
