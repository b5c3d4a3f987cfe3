/**
 * secret-read (checks/privileges.ts checkRbac) takes the operators from the same pack config as
 * the pack's no-cluster-secret-read (contract operatorImagesOf over synth's `--policy-config`): an
 * operator under a mirror's image name that the config names passed the pack and was still refused
 * by synth, an untrue refusal. Without the config, secret-read names the way the pack names.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { operatorImagesOf } from "@homelab-observability/contract";
import type { K8sObject, Placed } from "../../checks/objects";
import { checkRbac } from "../../checks/privileges";
import { checkStackCached } from "../../checks/cache";
import { policySettings } from "../../policy/evaluate";
import { SECRET_READ_DEFAULTS } from "../../policy/privileges";
import { at } from "../support/checkCases";
import { NS } from "../support/objects";
import { stackCopy, synthMessages, synthWithPackConfig, tmpDir } from "../support/helpers";

const MIRROR = "registry.home.lan/mirror/po";
const CONFIG = { "no-cluster-secret-read": { operatorImages: [MIRROR] } };
const WAY = `add "${MIRROR}" to the no-cluster-secret-read policy's operatorImages config`;

/** A Deployment under the mirror's image bound cluster-wide to a ClusterRole that reads Secrets. */
function mirrored(): Placed[] {
  const rbac = "rbac.authorization.k8s.io/v1";
  const objects: K8sObject[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "po", namespace: NS },
      spec: {
        template: {
          spec: { serviceAccountName: "po", containers: [{ name: "po", image: `${MIRROR}:v0.93.0` }] },
        },
      },
    },
    {
      apiVersion: rbac,
      kind: "ClusterRole",
      metadata: { name: "po" },
      rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "watch"] }],
    },
    {
      apiVersion: rbac,
      kind: "ClusterRoleBinding",
      metadata: { name: "po" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "po" },
      subjects: [{ kind: "ServiceAccount", name: "po", namespace: NS }],
    },
  ];
  return objects.map((o) => at(o));
}

const secretReads = (r: { findings: { check: string }[] }) =>
  r.findings.filter((f) => f.check === "secret-read");

describe("secret-read takes the operators from the pack config, as no-cluster-secret-read does", () => {
  it("resolves the list as the pack does: the defaults without a config, the config's added to them", () => {
    assert.deepEqual(
      operatorImagesOf(policySettings({}, "no-cluster-secret-read")),
      SECRET_READ_DEFAULTS.operatorImages,
    );
    // Added to the defaults: a mirror's prometheus-operator named alone dropped the VictoriaMetrics
    // operator, then refused as a workload that needs no Secrets.
    assert.deepEqual(operatorImagesOf(policySettings(CONFIG, "no-cluster-secret-read")), [
      ...SECRET_READ_DEFAULTS.operatorImages,
      MIRROR,
    ]);
    // A level beside the settings is the engine's, not a setting.
    assert.deepEqual(
      operatorImagesOf(
        policySettings(
          { "no-cluster-secret-read": { enforcementLevel: "advisory", operatorImages: [MIRROR] } },
          "no-cluster-secret-read",
        ),
      ),
      [...SECRET_READ_DEFAULTS.operatorImages, MIRROR],
    );
  });

  it("refuses the mirror's operator without the config, naming the pack's way; passes it with the config", () => {
    const without = checkRbac(mirrored());
    assert.equal(without.length, 1, JSON.stringify(without));
    assert.match(
      without[0].message,
      /can read every Secret of the cluster: .*; only the operators need that; if it is an operator under another image name \(a mirror of one\), add "registry\.home\.lan\/mirror\/po" to the no-cluster-secret-read policy's operatorImages config$/,
    );
    assert.deepEqual(
      checkRbac(mirrored(), operatorImagesOf(policySettings(CONFIG, "no-cluster-secret-read"))),
      [],
    );
    // The pinned VictoriaMetrics operator is still one under that config (the list adds to them).
    const vm = mirrored();
    vm[0].obj.spec.template.spec.containers[0].image = "docker.io/victoriametrics/operator:v0.66.0";
    assert.deepEqual(checkRbac(vm, operatorImagesOf(policySettings(CONFIG, "no-cluster-secret-read"))), []);
  });

  it("on a pod running k8s-sidecar, names that container and what it lists, as the pack does, not operatorImages", () => {
    const grafana = mirrored();
    grafana[0].obj.spec.template.spec.containers = [
      {
        name: "grafana-sc-dashboard",
        image: "quay.io/kiwigrid/k8s-sidecar:1.30.9",
        env: [{ name: "RESOURCE", value: "configmap" }],
      },
      { name: "grafana", image: "docker.io/grafana/grafana:12.3.1" },
    ];
    const [f] = checkRbac(grafana);
    assert.match(
      f.message,
      /only the operators need that; of its containers, k8s-sidecar is the one reading through the API: grafana-sc-dashboard lists configmaps in its own namespace \(RESOURCE "configmap"\): a role granting get, list and watch on configmaps there is all it needs$/,
    );
  });

  it("judges a pod an operator by its containers alone, as the pack does: an operator's image in an init container makes none", () => {
    const init = mirrored();
    const spec = init[0].obj.spec.template.spec;
    spec.initContainers = [
      { name: "init", image: "quay.io/prometheus-operator/prometheus-operator:v0.93.0" },
    ];
    spec.containers[0].image = "docker.io/grafana/grafana:12";
    assert.deepEqual(
      checkRbac(init).map((f) => f.check),
      ["secret-read"],
    );
    // The pack's side: test/policy/privileges.test.ts, the same pod refused by no-cluster-secret-read.
  });

  it("keys a cached verdict on the operator list: one cached without the config is not served with it, nor back", () => {
    const dir = tmpDir("secret-read-cache");
    try {
      const list = { operatorImages: [MIRROR] };
      const first = checkStackCached(mirrored(), [], { cacheDir: dir });
      assert.equal(secretReads(first).length, 1);
      const withList = checkStackCached(mirrored(), [], { cacheDir: dir, ...list });
      assert.equal(withList.cached, false, "a verdict without the list is not this one");
      assert.deepEqual(secretReads(withList), []);
      // Both now kept apart, each answered from disk with its own verdict.
      const again = checkStackCached(mirrored(), [], { cacheDir: dir });
      assert.equal(again.cached, true);
      assert.equal(secretReads(again).length, 1);
      const againWith = checkStackCached(mirrored(), [], { cacheDir: dir, ...list });
      assert.equal(againWith.cached, true);
      assert.deepEqual(secretReads(againWith), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("synth --policy-config: the config that passes the pack passes secret-read; the pack's advice answers secret-read's place; without it the way is said once", async () => {
    // production with prometheus-operator from a mirror (docs/how-to/chart-values.md): its pi pool
    // makes arm64-images refuse the image too, which its own config answers.
    const { dir, file } = stackCopy("mirror-operator", "production");
    fs.appendFileSync(
      file,
      "  homelab-observability:chartValues:\n    kube-prometheus-stack:\n      prometheusOperator:\n        image:\n          registry: registry.home.lan\n          repository: mirror/po\n",
    );
    const arm64 = { "arm64-images": { arm64Images: [MIRROR] } };
    const run = async (config: Record<string, unknown>) => {
      const cfg = path.join(dir, "pack.json");
      fs.writeFileSync(cfg, JSON.stringify(config));
      const r = await synthWithPackConfig(dir, "production", cfg);
      return {
        status: r.status,
        stdout: r.stdout,
        stderr: r.stderr,
        messages: synthMessages(r, "production"),
      };
    };
    const both = await run({ ...CONFIG, ...arm64 });
    // What stays is the program's own image-pins (an image model/versions.ts does not pin).
    assert.deepEqual(
      both.messages.map((m) => /^ {2}\[([^\]]+)\]/.exec(m)?.[1]),
      ["image-pins"],
      both.messages.join("\n"),
    );
    assert.doesNotMatch(both.messages[0], /\[secret-read\]/);

    const armOnly = await run(arm64);
    assert.equal(armOnly.status, 1);
    assert.equal(armOnly.messages.length, 1, armOnly.messages.join("\n"));
    const m = armOnly.messages[0];
    assert.match(m, /^ {2}\[mandatory\] no-cluster-secret-read: .*kps-operator/);
    // Said once: the pack's line names the way, the merged secret-read place does not repeat it.
    assert.equal(m.split(WAY).length - 1, 1, m);
    assert.match(m, /also seen at: \[secret-read\] Deployment monitoring\/kps-operator; \[image-pins\]/);
    // The way the first line gives now clears secret-read too (the same list): not "alone" of it.
    assert.match(m, /the first line's own advice answers no-cluster-secret-read alone, not image-pins\)$/);

    // The policy disabled: secret-read is left out, said once with the file; image-pins, which no
    // policy judges, still fails the run, on its own.
    const leftOut = `synth: the rendered-object check secret-read is left out: its policy no-cluster-secret-read is disabled in ${path.join(dir, "pack.json")} (--policy-config)`;
    const disabled = await run({ ...arm64, "no-cluster-secret-read": "disabled" });
    assert.equal(disabled.status, 1);
    assert.equal(disabled.stderr.split(leftOut).length - 1, 1, disabled.stderr);
    assert.deepEqual(
      disabled.messages.map((m) => /^ {2}\[([^\]]+)\]/.exec(m)?.[1]),
      ["image-pins"],
      disabled.messages.join("\n"),
    );
    assert.doesNotMatch(disabled.messages[0], /secret-read/);
    // Advisory: the pack reports it and fails nothing, secret-read beside it; image-pins, which no
    // policy judges, fails the run in its own message (under the advisory violation it failed
    // nothing: exit 0, "the rendered objects and the policy pass").
    const advisory = await run({ ...arm64, "no-cluster-secret-read": { enforcementLevel: "advisory" } });
    assert.equal(advisory.status, 1);
    assert.doesNotMatch(advisory.stderr, /left out/);
    assert.deepEqual(
      advisory.messages.map((m) => m.match(/^ {2}\[[^\]]+\] [^: ]+|also seen at: .*/gm)),
      [
        ["  [image-pins] Deployment"],
        [
          "  [advisory] no-cluster-secret-read",
          "also seen at: [secret-read] Deployment monitoring/kps-operator",
        ],
      ],
      advisory.messages.join("\n"),
    );
    assert.match(
      advisory.stdout,
      /\nproduction: policy: pass \(0 mandatory, 1 advisory\)\nproduction: FAIL \(exit 1\): 1 rendered-object problem\n/,
    );

    // No config: arm64-images leads (the same image), and the way the two folded rules name is
    // said once under it; before, the user read their places and no way to keep the mirror.
    const none = await run({});
    assert.equal(none.messages.length, 1, none.messages.join("\n"));
    assert.match(none.messages[0], /^ {2}\[mandatory\] arm64-images: /);
    assert.equal(none.messages[0].split(WAY).length - 1, 1, none.messages[0]);
    assert.match(
      none.messages[0],
      /\n {6}no-cluster-secret-read and secret-read say: if it is an operator under another image name \(a mirror of one\), add "registry\.home\.lan\/mirror\/po" to the no-cluster-secret-read policy's operatorImages config$/,
    );
    // Still true: arm64-images' own advice (its arm64Images) answers neither of them.
    assert.match(
      none.messages[0],
      /answers arm64-images alone, not no-cluster-secret-read, secret-read, image-pins\)\n/,
    );
  });
  it("synth --policy-config with no-cluster-secret-read disabled passes where the pack passes: secret-read is left out, said once", async () => {
    // Grafana under the operator's ServiceAccount, bound cluster-wide to its Secret-reading role:
    // only the policy and its twin refuse it. With the policy disabled synth failed on secret-read
    // alone (exit 1) where `pulumi preview` with the same config passes.
    const { dir, file } = stackCopy("secret-read-disabled", "production");
    fs.appendFileSync(
      file,
      "  homelab-observability:chartValues:\n    grafana:\n      serviceAccount:\n        create: false\n        name: kps-operator\n",
    );
    const cfg = path.join(dir, "pack.json");
    const run = async (level: string) => {
      fs.writeFileSync(cfg, JSON.stringify({ "no-cluster-secret-read": level }));
      return synthWithPackConfig(dir, "production", cfg);
    };
    const disabled = await run("disabled");
    assert.equal(disabled.status, 0, disabled.stderr);
    assert.match(
      disabled.stdout,
      /\nproduction: pass \(exit 0\): the rendered objects and the policy pass\n$/,
    );
    assert.doesNotMatch(disabled.stderr, /\[secret-read\]|would fail/);
    const leftOut = `synth: the rendered-object check secret-read is left out: its policy no-cluster-secret-read is disabled in ${cfg} (--policy-config)\n`;
    assert.equal(disabled.stderr.split(leftOut).length - 1, 1, disabled.stderr);

    // Mandatory, as before: the pack's message, secret-read among its places.
    const mandatory = await run("mandatory");
    assert.equal(mandatory.status, 1);
    assert.doesNotMatch(mandatory.stderr, /left out/);
    assert.deepEqual(
      synthMessages(mandatory, "production").map((m) => m.match(/^ {2}\[[^\]]+\] [^:]+|also seen at: .*/gm)),
      [["  [mandatory] no-cluster-secret-read", "also seen at: [secret-read] Deployment monitoring/grafana"]],
    );
  });
});
