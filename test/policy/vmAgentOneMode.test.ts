/**
 * The program writes a VMAgent with statefulMode: true; a chartValues override adding
 * daemonSetMode: true renders a VMAgent the operator's admission webhook refuses (operator v0.66.0
 * vmagent_types.go:381-383). The rule was a rendered-object check only, so `pulumi preview
 * --policy-pack` (which sees the release's values, not the VMAgent) let it through: it is the
 * pack's (`vmagent-one-mode`), judging the release's values live and the rendered VMAgent offline.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT } from "../../model/names";
import { ROOT, policyCheckCli, synthCli, treeDir } from "../support/helpers";
import { check, fails, passes, release, res } from "../support/policyCases";

const P = "vmagent-one-mode";
const BOTH = { statefulMode: true, daemonSetMode: true };
const VMAGENT = "kubernetes:operator.victoriametrics.com/v1beta1:VMAgent";
const vmagent = (spec: Record<string, unknown>) =>
  res(
    VMAGENT,
    { apiVersion: "operator.victoriametrics.com/v1beta1", kind: "VMAgent", metadata: { name: "vm" }, spec },
    { name: "vm" },
  );
const stack = (vmagentValues: Record<string, unknown>) =>
  release("victoria-metrics-k8s-stack", { vmagent: vmagentValues }, { name: "victoriametrics" });

describe("policy (vmagent-one-mode): daemonSetMode beside statefulMode, as the operator's webhook refuses", () => {
  it("refuses a VMAgent with both, naming the fields and what to set", async () => {
    const [v, ...more] = await fails(
      [vmagent(BOTH)],
      P,
      /^kubernetes:operator\.victoriametrics\.com\/v1beta1:VMAgent "vm": spec\.daemonSetMode: expected statefulMode off beside it, got daemonSetMode true and statefulMode true/,
    );
    assert.deepEqual(more, []);
    assert.match(
      v.message,
      /set statefulMode: false beside daemonSetMode: true .*, or remove daemonSetMode$/,
    );
    // True where the user turned the webhook off (victoria-metrics-operator.admissionWebhooks.enabled:
    // false) too: the operator then builds the DaemonSet, which Kubernetes refuses.
    assert.match(
      v.message,
      /the operator's admission webhook refuses the VMAgent: "daemonSetMode and statefulMode cannot be used in the same time"; where that webhook is off or does not answer, the operator builds a DaemonSet whose vmagent container mounts the queue volume persistent-queue-data, which it adds only without statefulMode, so Kubernetes refuses the DaemonSet and no vmagent runs\)/,
    );
    assert.equal(v.level, "mandatory");
  });

  it("refuses the release's values a live preview sees, where the VMAgent it renders is not seen", () =>
    fails(
      [stack({ spec: BOTH })],
      P,
      /^kubernetes:helm\.sh\/v3:Release "victoriametrics": values\.vmagent\.spec\.daemonSetMode: expected statefulMode off beside it/,
    ));

  it("passes either mode alone, a VMAgent the values leave out, and another chart's values of the same names", async () => {
    await passes(
      [
        vmagent({ statefulMode: true }),
        vmagent({ statefulMode: false, daemonSetMode: true }),
        vmagent({ daemonSetMode: true }),
        stack({ spec: { statefulMode: true } }),
        stack({ enabled: false, spec: BOTH }),
        release("vector", { vmagent: { spec: BOTH } }),
      ],
      P,
    );
    assert.deepEqual(await check([stack({ enabled: true, spec: BOTH })], P).then((v) => v.length), 1);
  });
});

describe("the Pi stack with chartValues vmagent.spec.daemonSetMode: true", function () {
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

  it("synth refuses it (exit 1) in one message naming the override with its line and statefulMode: false", async () => {
    const r = await synthCli("--stack", "pi", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.equal(out.match(/statefulMode off beside it/g)?.length, 1, out);
    assert.match(
      out,
      /\[mandatory\] vmagent-one-mode: \S+VMAgent "victoriametrics\/monitoring\/vm": spec\.daemonSetMode: expected statefulMode off/,
    );
    assert.match(out, /set statefulMode: false beside daemonSetMode: true/);
    assert.match(
      out,
      /chart values override chartValues\.victoria-metrics-k8s-stack\.vmagent\.spec\.daemonSetMode \(\S*Pulumi\.pi\.yaml:\d+\)/,
    );
  });

  it("policy:check refuses its export without the rendered objects (as a live preview sees the release): exit 1", async () => {
    const alone = treeDir("vmagent-daemonset-mode-export", {
      "pi.json": fs.readFileSync(path.join(dir, "out", "pi.json"), "utf8"),
    });
    const r = await policyCheckCli([path.join(alone, "pi.json")]);
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.match(
      out,
      /\[mandatory\] vmagent-one-mode: kubernetes:helm\.sh\/v3:Release "victoriametrics": chartValues\.victoria-metrics-k8s-stack\.vmagent\.spec\.daemonSetMode: expected statefulMode off beside it/,
    );
  });
});
