import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { kubernetesKeyFindings } from "../../config/kubernetesKeys";
import { ROOT, tmpDir } from "../support/helpers";
import { BASE, P, refusal, STORE } from "../support/stackText";
import { kubernetesProblems, withRuntimeConfig } from "../support/runtimeConfig";

/*
 * The Kubernetes provider's own config keys (`kubernetes:namespace`, `kubernetes:kubeconfig`, …)
 * written into the stack file: they configure only Pulumi's default provider, and the program gives
 * every resource its own, so they were read by nothing and said by nothing. A namespace there
 * deployed into the program's namespace anyway, a kubeconfig there left the cluster to $KUBECONFIG,
 * and a switch the program pins was believed turned off.
 */

const KUBECONFIG_TEXT = "apiVersion: v1\nusers:\n- name: admin\n  user:\n    token: k8s-token-31337\n";
const none = () => false;

describe("config: the Kubernetes provider's own keys in the stack file", function () {
  this.timeout(20000);

  it("a kubeconfig path (the provider's other form) is moved to the program's key as it is, not put in a file", () => {
    const f = kubernetesKeyFindings({ "kubernetes:kubeconfig": "/home/op/.kube/lab.yaml" }, none, {
      stack: "lab",
    });
    assert.deepEqual(f.problems, [
      "kubernetes:kubeconfig: expected no Kubernetes provider setting in the stack file, got kubernetes:kubeconfig (its value not shown), which this program never reads (it creates its own Kubernetes provider; a `kubernetes:` key configures only Pulumi's default provider, which none of its resources uses); set homelab-observability:kubeconfig to the same path (or export KUBECONFIG), which the program's provider reads, then remove it with `pulumi config rm --stack lab kubernetes:kubeconfig`.",
    ]);
  });

  it("offline: each is one problem at its line naming what the program reads instead; a kubeconfig is never shown", () => {
    const e = refusal(
      `${BASE}${STORE}  kubernetes:namespace: observability\n  kubernetes:kubeconfig: |\n    apiVersion: v1\n    users:\n    - name: admin\n      user:\n        token: k8s-token-31337\n  kubernetes:cluster: homelab\n`,
      "lab",
    );
    const about = e.problems.filter((p) => p.startsWith("kubernetes:"));
    assert.deepEqual(
      about,
      [
        'kubernetes:namespace: expected no Kubernetes provider setting in the stack file, got kubernetes:namespace set to "observability", which this program never reads (it creates its own Kubernetes provider; a `kubernetes:` key configures only Pulumi\'s default provider, which none of its resources uses); the program deploys into homelab-observability:namespace (and homelab-observability:agents.namespace for the node agents); remove it with `pulumi config rm --stack lab kubernetes:namespace`.',
        "kubernetes:kubeconfig: expected no Kubernetes provider setting in the stack file, got kubernetes:kubeconfig (its value not shown), which this program never reads (it creates its own Kubernetes provider; a `kubernetes:` key configures only Pulumi's default provider, which none of its resources uses); put the kubeconfig in a file and set homelab-observability:kubeconfig to its path (or export KUBECONFIG), which the program's provider reads, then remove it with `pulumi config rm --stack lab kubernetes:kubeconfig`. It holds a kubeconfig's contents, not a path, in plain text (not shown): anyone who reads the stack file has any token or client key in it, so rotate them.",
        "kubernetes:cluster: expected no Kubernetes provider setting in the stack file, got kubernetes:cluster set to \"homelab\", which this program never reads (it creates its own Kubernetes provider; a `kubernetes:` key configures only Pulumi's default provider, which none of its resources uses); the program's provider reaches the cluster of the stack's pinned context (homelab-observability:kubeContext): to reach another cluster, pin a context whose cluster it is; remove it with `pulumi config rm --stack lab kubernetes:cluster`.",
      ],
      e.message,
    );
    assert.deepEqual(
      e.places.filter((_, i) => e.problems[i].startsWith("kubernetes:")).map((p) => p?.line),
      [7, 8, 14],
    );
    assert.ok(!e.message.includes("k8s-token-31337"), "the kubeconfig's token is not printed");
  });

  it("a pinned switch set otherwise says the program pins it and why; at the pinned value it is only a warning", () => {
    const cfg = {
      "kubernetes:upsertExistingObjects": "true",
      "kubernetes:enableServerSideApply": "false",
      "kubernetes:enableSecretMutable": "true",
    };
    const f = kubernetesKeyFindings(cfg, none, {
      stack: "lab",
      placeOf: (k) => `Pulumi.lab.yaml:${k.length}`,
    });
    assert.equal(f.problems.length, 2, f.problems.join("\n"));
    assert.match(
      f.problems[0],
      /^kubernetes:upsertExistingObjects: expected no Kubernetes provider setting in the stack file \(the program pins upsertExistingObjects to false: creating an object that already exists must fail, not take over the running one: .*\), got kubernetes:upsertExistingObjects set to "true", which this program never reads .*; remove it with `pulumi config rm --stack lab kubernetes:upsertExistingObjects`\.$/,
    );
    assert.match(
      f.problems[1],
      /^kubernetes:enableServerSideApply: .*\(the program pins enableServerSideApply to true: a takeover from Flux takes .* through server-side apply .*\), got kubernetes:enableServerSideApply set to "false"/,
    );
    assert.deepEqual(f.warnings, [
      "kubernetes:enableSecretMutable (Pulumi.lab.yaml:19): has no effect: this program never reads it (its own Kubernetes provider takes no `kubernetes:` key), and pins enableSecretMutable to true itself, the value set here; remove it with `pulumi config rm --stack lab kubernetes:enableSecretMutable`.",
    ]);
  });

  it("keys that only change what the CLI prints are warnings naming the variable the program's provider reads", () => {
    const f = kubernetesKeyFindings(
      { "kubernetes:suppressHelmHookWarnings": "true", "kubernetes:enableReplaceCRD": "true" },
      none,
    );
    assert.deepEqual(f.problems, []);
    assert.match(
      f.warnings[0],
      /^kubernetes:suppressHelmHookWarnings: has no effect: .*; export PULUMI_K8S_SUPPRESS_HELM_HOOK_WARNINGS=true: the program's provider reads it from the environment instead .*, then remove it/,
    );
    assert.match(
      f.warnings[1],
      /^kubernetes:enableReplaceCRD: has no effect: .*obsolete: it has no effect in any provider/,
    );
  });

  it("an unknown key gets the closest provider key, else the program's own key it names; the pinned context and strictMode are not this check's", () => {
    const f = kubernetesKeyFindings(
      {
        "kubernetes:enableServerSideAply": "true",
        "kubernetes:kubeContext": "admin@example",
        "kubernetes:contxt": "admin@example",
        "kubernetes:bogus": "x",
        "kubernetes:context": "admin@example",
        "kubernetes:strictMode": "true",
        [P("namespace")]: "monitoring",
        "onepassword:url": "http://localhost:8080",
      },
      none,
    );
    assert.deepEqual(f.warnings, []);
    assert.deepEqual(f.problems, [
      'kubernetes:enableServerSideAply: unknown key (its value not shown): the Kubernetes provider has no setting "enableServerSideAply"; did you mean "kubernetes:enableServerSideApply"? (the program\'s provider does not read that one either); nothing reads it: remove it with `pulumi config rm kubernetes:enableServerSideAply`.',
      'kubernetes:kubeContext: unknown key (its value not shown): the Kubernetes provider has no setting "kubeContext"; did you mean "homelab-observability:kubeContext"? (the program\'s own key: set it with `pulumi config set kubeContext`, which prompts for the value); nothing reads it: remove it with `pulumi config rm kubernetes:kubeContext`.',
      'kubernetes:contxt: unknown key (its value not shown): the Kubernetes provider has no setting "contxt"; did you mean "kubernetes:context"?; nothing reads it: remove it with `pulumi config rm kubernetes:contxt`.',
      'kubernetes:bogus: unknown key (its value not shown): the Kubernetes provider has no setting "bogus"; nothing reads it: remove it with `pulumi config rm kubernetes:bogus`.',
    ]);
  });

  it("the program's own key it names is moved as its form allows: an object or list written under it, one already set merged", () => {
    const f = kubernetesKeyFindings(
      {
        "kubernetes:loki": '{"retention":"14d"}',
        "kubernetes:nodePools": '[{"name":"w"}]',
        "kubernetes:phase": "kps-removed",
        [P("phase")]: "kps-removed",
      },
      none,
    );
    const of = (k: string) => f.problems.find((p) => p.startsWith(`kubernetes:${k}:`)) ?? "";
    // `pulumi config set loki` would store text where the program reads an object.
    assert.ok(
      of("loki").includes(
        'did you mean "homelab-observability:loki"? (the program\'s own key, an object: write this value under "homelab-observability:loki" in the stack file as it is (`pulumi config set` without --path stores text, not an object))',
      ),
      of("loki"),
    );
    assert.doesNotMatch(of("loki"), /`pulumi config set loki/);
    assert.match(
      of("nodePools"),
      /the program's own key, a list: write this value under "homelab-observability:nodePools"/,
    );
    // Renaming it as told would give the file a second `homelab-observability:phase`.
    assert.ok(
      of("phase").includes(
        "(the program's own key, which this stack file already sets: move what kubernetes:phase holds into it)",
      ),
      of("phase"),
    );
  });

  it("a secure value is never shown nor judged by its ciphertext; a kubeconfig path is not called plain-text contents", () => {
    const f = kubernetesKeyFindings(
      {
        "kubernetes:enableConfigMapMutable": "v1:AAAA",
        "kubernetes:kubeconfig": KUBECONFIG_TEXT,
        "kubernetes:deleteUnreachable": "true",
      },
      (k) => k !== "kubernetes:deleteUnreachable",
    );
    assert.match(f.problems[0], /got kubernetes:enableConfigMapMutable \(a secure value\)/);
    assert.match(f.problems[1], /got kubernetes:kubeconfig \(a secure value\), .*kubernetes:kubeconfig`\.$/);
    assert.match(
      f.problems[2],
      /got kubernetes:deleteUnreachable set to "true", .*reads PULUMI_K8S_DELETE_UNREACHABLE from the environment instead/,
    );
    assert.ok(!f.problems.join("\n").includes("k8s-token"));
    const path = kubernetesKeyFindings({ "kubernetes:kubeconfig": "~/.kube/homelab" }, none).problems[0];
    assert.doesNotMatch(path, /plain text|homelab"/);
  });

  it("under the Pulumi runtime (config/load.ts): the same problems, and the warnings logged with their line", async () => {
    const dir = tmpDir("kubernetes-keys");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(
      path.join(dir, "Pulumi.lab.yaml"),
      `${BASE}${STORE}  kubernetes:suppressDeprecationWarnings: true\n  kubernetes:namespace: observability\n`,
    );
    const config = {
      [P("kubeContext")]: "admin@example",
      [P("phase")]: "kps-removed",
      [P("objectStore")]: JSON.stringify({ type: "minio", endpoint: "http://minio.storage.svc:9000" }),
      "kubernetes:suppressDeprecationWarnings": "true",
      "kubernetes:namespace": "observability",
    };
    // Under the mocks pulumi.log.warn writes to the console (@pulumi/pulumi log/index.js warn).
    const warned: string[] = [];
    const warn = console.warn;
    console.warn = (...args: unknown[]) => void warned.push(args.map(String).join(" "));
    try {
      const problems = await withRuntimeConfig("lab", config, () => kubernetesProblems(dir));
      assert.equal(problems.length, 1, problems.join("\n"));
      assert.match(problems[0], /^kubernetes:namespace: .*deploys into homelab-observability:namespace/);
    } finally {
      console.warn = warn;
    }
    assert.deepEqual(
      warned.filter((w) => w.includes("kubernetes:")).map((w) => w.split(dir).join("<dir>")),
      [
        "warning: [runtime] kubernetes:suppressDeprecationWarnings (<dir>/Pulumi.lab.yaml:7): has no effect: this program never reads it (its own Kubernetes provider takes no `kubernetes:` key); export PULUMI_K8S_SUPPRESS_DEPRECATION_WARNINGS=true: the program's provider reads it from the environment instead (@pulumi/kubernetes provider.js fills the unset argument from it), then remove it with `pulumi --cwd <dir> config rm --stack lab kubernetes:suppressDeprecationWarnings`.",
      ],
    );
  });
});
