/**
 * A rendered-object check that is a policy's judgement (synth/report.ts SAME_JUDGEMENT) follows
 * that policy's level in synth's `--policy-config`: `"no-cluster-secret-read": "disabled"` made the
 * pack pass secret reads while secret-read still failed the run (issue 51). Disabled: the check is
 * left out, said once; advisory: reported, failing nothing; mandatory: as before.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { evaluateResources, policyLevel, type PackConfig, type Violation } from "../../policy/evaluate";
import {
  atTwinLevels,
  closingLine,
  findingsReport,
  leftOutLine,
  mergeProblems,
  twinLevels,
  violationsAmong,
  type CheckFinding,
} from "../../synth/report";
import { stackCopy, synthMessages, synthWithPackConfig } from "../support/helpers";

const levelsUnder = (config: PackConfig) => twinLevels((p) => policyLevel(config, p));

const CAUSE = "rbac-rule:ClusterRole/po/2";
const secretRead = (cause = CAUSE): CheckFinding => ({
  check: "secret-read",
  where: "Deployment monitoring/grafana",
  cause,
  message: "Deployment monitoring/grafana can read every Secret of the cluster",
});
const imagePins: CheckFinding = {
  check: "image-pins",
  where: "Deployment monitoring/kps-operator",
  cause: CAUSE,
  message: "image registry.home.lan/mirror/po:v0.93.0 is not pinned",
};
const advisoryViolation: Violation = {
  policy: "no-cluster-secret-read",
  level: "advisory",
  urn: "urn:pulumi:production::homelab::kubernetes:apps/v1:Deployment::kube-prometheus-stack/monitoring/kps-operator",
  message: "can read every Secret of the cluster",
  cause: CAUSE,
};

describe("a check that is a policy's judgement follows the policy's level in the pack config", () => {
  it("reads the level as the engine reconciles it: its own entry's level (a level or an object's enforcementLevel), else all's, else its default", () => {
    assert.equal(policyLevel({}, "no-cluster-secret-read"), "mandatory");
    assert.equal(policyLevel({ "no-cluster-secret-read": "disabled" }, "no-cluster-secret-read"), "disabled");
    assert.equal(
      policyLevel({ "no-cluster-secret-read": { enforcementLevel: "advisory" } }, "no-cluster-secret-read"),
      "advisory",
    );
    // The engine sets all's level on every policy, then a policy's own level over it: an object of
    // settings alone keeps all's (pulumi pkg/resource/analyzer/config.go applyConfig). It was read
    // as the policy's own level, so the pack here judged a policy `pulumi preview` left out.
    assert.equal(
      policyLevel(
        { all: "disabled", "no-cluster-secret-read": { operatorImages: ["a/b"] } },
        "no-cluster-secret-read",
      ),
      "disabled",
    );
    assert.equal(
      policyLevel(
        { all: "disabled", "no-cluster-secret-read": { enforcementLevel: "advisory" } },
        "no-cluster-secret-read",
      ),
      "advisory",
    );
    assert.equal(policyLevel({ all: "disabled" }, "seccomp-runtime-default"), "disabled");
    assert.equal(policyLevel({}, "no-such-policy"), undefined);
  });

  it("the pack judges at that level too: all's level stands beside a policy's settings without one", async () => {
    const role = {
      urn: "urn:pulumi:s::p::kubernetes:rbac.authorization.k8s.io/v1:ClusterRole::proxy",
      type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
      custom: true,
      inputs: {
        metadata: { name: "proxy" },
        rules: [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }],
      },
    };
    const levels = async (config: PackConfig) =>
      (await evaluateResources([role], config))
        .filter((v) => v.policy === "no-nodes-proxy")
        .map((v) => v.level);
    assert.deepEqual(await levels({}), ["mandatory"]);
    assert.deepEqual(await levels({ all: "disabled", "no-nodes-proxy": {} }), []);
    assert.deepEqual(await levels({ all: "disabled", "no-nodes-proxy": { enforcementLevel: "advisory" } }), [
      "advisory",
    ]);
  });

  it("leaves out a disabled policy's twin and marks an advisory one's findings; mandatory and remediate leave them", () => {
    const disabled = levelsUnder({ "no-cluster-secret-read": "disabled" });
    assert.deepEqual(disabled.leftOut, [{ check: "secret-read", policy: "no-cluster-secret-read" }]);
    assert.deepEqual(atTwinLevels([secretRead(), imagePins], disabled), [imagePins]);

    const advisory = levelsUnder({ "no-nodes-proxy": { enforcementLevel: "advisory" } });
    assert.deepEqual(advisory, {
      leftOut: [],
      advisory: [{ check: "nodes-proxy", policy: "no-nodes-proxy" }],
    });
    const proxy: CheckFinding = { check: "nodes-proxy", where: "ClusterRoleBinding x", message: "m" };
    assert.deepEqual(atTwinLevels([proxy], advisory), [{ ...proxy, advisory: "no-nodes-proxy" }]);

    for (const level of ["mandatory", "remediate"] as const) {
      // A key named as the check, not its policy, is no level of it.
      const levels = levelsUnder({ "no-cluster-secret-read": level, seccomp: "disabled" });
      assert.deepEqual(levels, { leftOut: [], advisory: [] }, level);
      assert.deepEqual(atTwinLevels([secretRead()], levels), [secretRead()]);
    }
  });

  it("says once which checks it leaves out, under which disabled policy, in which file", () => {
    assert.equal(leftOutLine([], "pack.json"), undefined);
    assert.equal(
      leftOutLine(levelsUnder({ "no-cluster-secret-read": "disabled" }).leftOut, "pack.json"),
      "synth: the rendered-object check secret-read is left out: its policy no-cluster-secret-read is disabled in pack.json (--policy-config)",
    );
    assert.equal(
      leftOutLine(levelsUnder({ all: "disabled" }).leftOut, "cfg/pack.json"),
      "synth: the rendered-object checks secret-read, nodes-proxy and seccomp are left out: their policies no-cluster-secret-read, no-nodes-proxy and seccomp-runtime-default are disabled in cfg/pack.json (--policy-config)",
    );
  });

  it("an advisory finding alone is kept, marked advisory; one of a failing finding's cause does not lead it", () => {
    const advisory = levelsUnder({ "no-cluster-secret-read": "advisory" });
    const alone = mergeProblems([], atTwinLevels([secretRead("elsewhere")], advisory));
    assert.equal(alone.findings.length, 1);
    assert.equal(alone.findings[0].advisory, "no-cluster-secret-read");
    // Listed first, the advisory finding led the failing one's message, and the message was said as advisory.
    const both = mergeProblems([], atTwinLevels([secretRead(), imagePins], advisory));
    assert.deepEqual(
      both.findings.map((f) => [f.check, f.advisory, f.alsoAt]),
      [["image-pins", undefined, ["[secret-read] Deployment monitoring/grafana"]]],
    );
  });

  it("says an advisory finding apart, failing nothing: the stack passes on it", () => {
    const levels = levelsUnder({ "no-cluster-secret-read": "advisory", "no-nodes-proxy": "advisory" });
    const proxy: CheckFinding = { check: "nodes-proxy", where: "ClusterRoleBinding x", message: "m" };
    const { findings } = mergeProblems([], atTwinLevels([secretRead("elsewhere"), proxy, imagePins], levels));
    const report = findingsReport("production", findings, "pack.json");
    assert.deepEqual(
      report.problems.map((f) => f.check),
      ["image-pins"],
    );
    assert.equal(
      report.text,
      [
        "production: the rendered stack would fail in a cluster:",
        "  [image-pins] Deployment monitoring/kps-operator: image registry.home.lan/mirror/po:v0.93.0 is not pinned",
        "production: advisory, failing nothing (no-cluster-secret-read and no-nodes-proxy are advisory in pack.json, --policy-config):",
        "  [secret-read] Deployment monitoring/grafana: Deployment monitoring/grafana can read every Secret of the cluster",
        "  [nodes-proxy] ClusterRoleBinding x: m",
      ].join("\n"),
    );
    // The advisory ones alone: nothing fails, the closing line passes.
    const alone = findingsReport(
      "production",
      mergeProblems([], atTwinLevels([proxy], levels)).findings,
      "p.json",
    );
    assert.deepEqual(alone.problems, []);
    assert.equal(
      alone.text,
      "production: advisory, failing nothing (no-nodes-proxy is advisory in p.json, --policy-config):\n  [nodes-proxy] ClusterRoleBinding x: m",
    );
    assert.equal(
      closingLine({
        stack: "production",
        renderErrors: 0,
        checkProblems: alone.problems.length,
        violations: [],
      }),
      "production: pass (exit 0): the rendered objects and the policy pass",
    );
  });

  it("no-nodes-proxy's advice mends the rule wherever it is bound: nodes-proxy's place of that rule is answered", () => {
    const rule = "rbac-rule:Role/monitoring/grafana/1";
    const violation: Violation = {
      policy: "no-nodes-proxy",
      level: "mandatory",
      urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release$kubernetes:rbac.authorization.k8s.io/v1:Role::grafana/monitoring/grafana",
      message: "rules[1] grants nodes/proxy",
      cause: rule,
    };
    const finding = (cause: string): CheckFinding => ({
      check: "nodes-proxy",
      where: "RoleBinding grafana",
      cause,
      message: "Role grafana rules[1] grants nodes/proxy",
    });
    const same = mergeProblems([violation], [finding(rule)]).violations;
    assert.deepEqual(
      same.map((v) => [v.alsoAt, v.answered]),
      [[["[nodes-proxy] RoleBinding grafana"], ["[nodes-proxy] RoleBinding grafana"]]],
    );
  });

  it("a finding that fails leads its cause over an advisory violation, which its message names and the pack's verdict counts", () => {
    const merged = mergeProblems([advisoryViolation], [imagePins]);
    // Under the advisory violation the image-pins problem failed nothing: the run exited 0.
    assert.deepEqual(merged.violations, []);
    assert.deepEqual(
      merged.findings.map((f) => [f.check, f.alsoAt]),
      [
        [
          "image-pins",
          [
            '[no-cluster-secret-read] kubernetes:apps/v1:Deployment "kube-prometheus-stack/monitoring/kps-operator"',
          ],
        ],
      ],
    );
    assert.deepEqual(violationsAmong(merged.findings), [advisoryViolation]);
    assert.equal(
      closingLine({
        stack: "production",
        renderErrors: 0,
        checkProblems: merged.findings.length,
        violations: [],
      }),
      "production: FAIL (exit 1): 1 rendered-object problem",
    );
    // A mandatory violation still leads what the checks see of its cause.
    const mandatory = mergeProblems([{ ...advisoryViolation, level: "mandatory" }], [imagePins]);
    assert.deepEqual(
      mandatory.violations.map((v) => [v.policy, v.alsoAt]),
      [["no-cluster-secret-read", ["[image-pins] Deployment monitoring/kps-operator"]]],
    );
    assert.deepEqual(mandatory.findings, []);
  });
  it("synth: seccomp follows seccomp-runtime-default's level, and an advisory finding of an override is one message with the policy's", async () => {
    // Grafana's container under a Localhost profile: seccomp and seccomp-runtime-default refuse it
    // (Pod Security's baseline takes Localhost, so nothing else does).
    const { dir, file } = stackCopy("seccomp-level", "production");
    fs.appendFileSync(
      file,
      "  homelab-observability:chartValues:\n    grafana:\n      containerSecurityContext:\n        seccompProfile:\n          type: Localhost\n          localhostProfile: profiles/grafana.json\n",
    );
    const cfg = path.join(dir, "pack.json");
    const run = async (level: string) => {
      fs.writeFileSync(cfg, JSON.stringify({ "seccomp-runtime-default": level }));
      const r = await synthWithPackConfig(dir, "production", cfg);
      return { ...r, messages: synthMessages(r, "production") };
    };
    const disabled = await run("disabled");
    assert.equal(disabled.status, 0, disabled.stderr);
    assert.deepEqual(disabled.messages.filter(Boolean), []);
    assert.match(
      disabled.stderr,
      /^synth: the rendered-object check seccomp is left out: its policy seccomp-runtime-default is disabled in .*pack\.json \(--policy-config\)$/m,
    );

    // Mandatory: one message, and the policy's advice (RuntimeDefault for that container) mends the
    // check's place too: it said "answers seccomp-runtime-default alone, not seccomp".
    const mandatory = await run("mandatory");
    assert.equal(mandatory.status, 1);
    assert.equal(mandatory.messages.length, 1, mandatory.messages.join("\n"));
    assert.match(
      mandatory.messages[0],
      /^ {2}\[mandatory\] seccomp-runtime-default: .*\n {6}the same mistake, also seen at: \[seccomp\] Deployment monitoring\/grafana container grafana\n {6}from the stack's chart values overrides .*: change or remove them in the stack file$/,
    );

    // Advisory: the finding and the policy's violation, one override's, were two messages, the
    // finding's apart as advisory; now one, the pack's, failing nothing.
    const advisory = await run("advisory");
    assert.equal(advisory.status, 0, advisory.stderr);
    assert.equal(advisory.messages.length, 1, advisory.messages.join("\n"));
    assert.match(
      advisory.messages[0],
      /^ {2}\[advisory\] seccomp-runtime-default: .*\n {6}the same mistake, also seen at: \[seccomp\] Deployment monitoring\/grafana container grafana\n/,
    );
    assert.match(
      advisory.stdout,
      /\nproduction: pass \(exit 0\): the rendered objects and the policy pass\n$/,
    );
  });
  it("synth: a check no policy twins leads its cause over an advisory violation and fails the run; the verdict still counts the violation", async () => {
    // Grafana's chart-made ClusterRole reading Secrets: rbac-escalation (the role; no policy twins
    // it) beside no-cluster-secret-read and secret-read (the pod). Under the advisory violation it
    // failed nothing: exit 0, while the same run with the policy disabled failed on it.
    const { dir, file } = stackCopy("advisory-leads", "production");
    fs.appendFileSync(
      file,
      "  homelab-observability:chartValues:\n    grafana:\n      rbac:\n        create: true\n        namespaced: false\n",
    );
    const cfg = path.join(dir, "pack.json");
    fs.writeFileSync(cfg, JSON.stringify({ "no-cluster-secret-read": "advisory" }));
    const r = await synthWithPackConfig(dir, "production", cfg);
    assert.equal(r.status, 1, r.stderr);
    assert.deepEqual(
      synthMessages(r, "production").map((m) => m.match(/^ {2}\[[^\]]+\] [^:]+|also seen at: .*/gm)),
      [
        [
          "  [rbac-escalation] ClusterRole grafana-clusterrole",
          'also seen at: [no-cluster-secret-read] kubernetes:apps/v1:Deployment "grafana/monitoring/grafana"; [secret-read] Deployment monitoring/grafana',
        ],
      ],
    );
    assert.match(
      r.stdout,
      /\nproduction: policy: pass \(0 mandatory, 1 advisory\)\nproduction: FAIL \(exit 1\): 1 rendered-object problem\n$/,
    );
  });
});
