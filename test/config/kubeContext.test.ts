import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ROOT, rawConfig, synth } from "../support/helpers";
import { ConfigError, parseStackConfig } from "../../config/resolve";
import {
  assertStackContext,
  kubeContextProblems,
  stackContextProblems,
  offlineContextProblems,
  type Kubeconfig,
} from "../../config/kubeContext";
import { formatTree } from "../../synth/report";
import { BASE, refusal, STORE } from "../support/stackText";

function stackFile(stack: string): Record<string, any> {
  return parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;
}

const file = (p: string, contexts: string[], current?: string): Kubeconfig => ({
  path: p,
  contexts,
  current,
});
const kubeconfigText = (contexts: string[], current: string) =>
  `apiVersion: v1\nkind: Config\ncurrent-context: ${current}\ncontexts:\n${contexts.map((c) => `- name: ${c}\n  context: {cluster: c, user: u}`).join("\n")}\n`;

describe("the cluster a stack may touch (kubeContext)", function () {
  this.timeout(60000);

  for (const stack of ["production", "staging"]) {
    it(`the ${stack} export shows the Kubernetes provider pinned to the stack file's context, used by every Kubernetes resource`, async () => {
      const pinned = stackFile(stack)["homelab-observability:kubeContext"];
      assert.ok(pinned, `Pulumi.${stack}.yaml sets kubeContext`);
      const { export: exp } = await synth(stack);
      const resources = exp.deployment.resources;
      const providers = resources.filter((r) => r.type === "pulumi:providers:kubernetes");
      assert.equal(providers.length, 1);
      assert.equal(providers[0].inputs.context, pinned);
      const ref = `${providers[0].urn}::${providers[0].id}`;
      const k8s = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
      assert.ok(k8s.length > 0);
      for (const r of k8s) assert.equal(r.provider, ref, `${r.urn} uses the pinned provider`);
      // The synthesis prints it in the tree.
      assert.match(
        formatTree(resources),
        new RegExp(`pulumi:providers:kubernetes k8s  \\[context ${pinned}\\]`),
      );
    });
  }

  it("every example stack file pins a context", () => {
    const stacks = fs
      .readdirSync(ROOT)
      .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
      .map((f) => f.split(".")[1]);
    assert.ok(stacks.length >= 4);
    for (const s of stacks) assert.ok(stackFile(s)["homelab-observability:kubeContext"], `Pulumi.${s}.yaml`);
  });

  it("passes when the kubeconfig has the pinned context and selects it", () => {
    const f = [file("/k", ["admin@production", "admin@staging"], "admin@production")];
    assert.deepEqual(
      kubeContextProblems({ stack: "production", kubeContext: "admin@production" }, f, f, {}),
      [],
    );
  });

  it("refuses a pinned context the kubeconfig lacks, naming it, the contexts there and the selected one, once", () => {
    const f = [file("/home/u/.kube/config", ["admin@staging"], "admin@staging")];
    const p = kubeContextProblems({ stack: "production", kubeContext: "admin@production" }, f, f, {});
    // Not also "the selected context is admin@staging ... kubectl config use-context
    // admin@production": there is no such context to select.
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(
      p[0],
      /^homelab-observability:kubeContext: stack "production" is pinned to context "admin@production", which the kubeconfig \(\/home\/u\/\.kube\/config\) does not have; it has "admin@staging" and selects "admin@staging"/,
    );
  });

  it("refuses another selected context, naming both and the command that fixes it", () => {
    const f = [file("/k", ["admin@production", "admin@staging"], "admin@staging")];
    const p = kubeContextProblems({ stack: "production", kubeContext: "admin@production" }, f, f, {});
    assert.deepEqual(p.length, 1);
    assert.match(p[0], /pinned to context "admin@production" but the selected context is "admin@staging"/);
    assert.match(p[0], /kubectl config use-context admin@production/);
  });

  it("a context name the shell would split or expand is quoted in the command, so it runs as pasted", () => {
    const pinned = "home lab$(id)";
    const f = [file("/k", [pinned, "admin@staging"], "admin@staging")];
    const [p] = kubeContextProblems({ stack: "production", kubeContext: pinned }, f, f, {});
    assert.match(p, /`kubectl config use-context 'home lab\$\(id\)'`/);
  });

  it("another selected context: the command to run again is the one that found it (Pulumi, verify)", () => {
    const f = [file("/k", ["admin@production", "admin@staging"], "admin@staging")];
    const cfg = { stack: "production", kubeContext: "admin@production" };
    assert.match(kubeContextProblems(cfg, f, f, {})[0], /restart your port-forwards, then run Pulumi again$/);
    const read = () => kubeconfigText(["admin@production", "admin@staging"], "admin@staging");
    const [p] = stackContextProblems(cfg, {}, { KUBECONFIG: "/k" }, "verify", read);
    assert.match(p, /restart your port-forwards, then run verify again$/);
    assert.doesNotMatch(p, /Pulumi/);
  });

  it("a pinned context the kubeconfig lacks: the close ones it has offered, each as near as the nearest", () => {
    const cfg = { stack: "staging", kubeContext: "admin@staging" };
    const near = [file("/k", ["admin@stagingx", "admin@stagin2", "admin@production"], "admin@production")];
    assert.match(
      kubeContextProblems(cfg, near, near, {})[0],
      /or correct kubeContext \(did you mean "admin@stagingx" or "admin@stagin2"\?\)$/,
    );
    // One name in two files is offered once.
    const twice = [file("/a", ["admin@stagin"]), file("/b", ["admin@stagin"], "admin@stagin")];
    assert.match(
      kubeContextProblems(cfg, twice, twice, {})[0],
      /or correct kubeContext \(did you mean "admin@stagin"\?\)$/,
    );
    // Nothing close: no guess.
    const far = [file("/k", ["kind-lab", "admin@production"], "kind-lab")];
    assert.match(kubeContextProblems(cfg, far, far, {})[0], /or correct kubeContext$/);
  });

  it("refuses a kubernetes:context provider config that names another context", () => {
    const f = [file("/k", ["a", "b"], "a")];
    const p = kubeContextProblems({ stack: "s", kubeContext: "a" }, f, f, { "kubernetes:context": "b" });
    assert.deepEqual(p, [
      'kubernetes:context: expected nothing or the stack\'s pinned context "a" (homelab-observability:kubeContext), got "b"; remove it (`pulumi config rm --stack s kubernetes:context`)',
    ]);
    assert.deepEqual(
      kubeContextProblems({ stack: "s", kubeContext: "a" }, f, f, { "kubernetes:context": "a" }),
      [],
    );
  });

  it("refuses a run without kubeContext", () => {
    const f = [file("/k", ["a"], "a")];
    assert.match(
      kubeContextProblems({ stack: "s" }, f, f, {})[0],
      /kubeContext: expected the kube context .* got nothing; the selected context is "a"/,
    );
  });

  it("reads $KUBECONFIG as kubectl does (a path list; the first current-context wins) and the kubeconfig key's file for the provider", () => {
    const files: Record<string, string> = {
      "/a": kubeconfigText(["admin@staging"], "admin@staging"),
      "/b": kubeconfigText(["admin@production"], "admin@production"),
      "/home/u/prod.yaml": kubeconfigText(["admin@production"], "admin@production"),
    };
    const read = (f: string) => {
      if (!(f in files)) throw Object.assign(new Error(`ENOENT ${f}`), { code: "ENOENT" });
      return files[f];
    };
    const cfg = { stack: "production", kubeContext: "admin@production" };
    // /a selects staging first: refused although /b has and selects production.
    assert.throws(
      () => assertStackContext(cfg, {}, { KUBECONFIG: `/a${path.delimiter}/b` }, read),
      (e: unknown) =>
        e instanceof ConfigError && /selected context is "admin@staging" \(\/a, \/b\)/.test(e.message),
    );
    assertStackContext(cfg, {}, { KUBECONFIG: `/b${path.delimiter}/a` }, read);
    // The kubeconfig key names the provider's file ("~/" expanded like the provider does); the
    // selection still comes from what kubectl reads.
    const home = process.env.HOME;
    process.env.HOME = "/home/u";
    try {
      assertStackContext({ ...cfg, kubeconfig: "~/prod.yaml" }, {}, { KUBECONFIG: "/b" }, read);
      assert.throws(
        () => assertStackContext({ ...cfg, kubeconfig: "~/missing.yaml" }, {}, { KUBECONFIG: "/b" }, read),
        // The path the provider would read, named: a typo there reads as "no contexts" otherwise.
        /which the kubeconfig \(no file at \/home\/u\/missing\.yaml\) does not have/,
      );
      assert.throws(
        () => assertStackContext(cfg, {}, { KUBECONFIG: "/nowhere/config" }, read),
        /which the kubeconfig \(no file at \/nowhere\/config\) does not have; it has no contexts/,
      );
    } finally {
      process.env.HOME = home;
    }
  });
});

describe('1Password variables of the other mode (the provider\'s "Config conflict")', () => {
  const connect = rawConfig({
    secrets: {
      backend: "onepassword",
      vault: "6qf2homelabvault0000000000",
      connectUrl: "http://localhost:8080",
    },
    onepasswordToken: "t",
  });
  const serviceAccount = rawConfig({
    secrets: { backend: "onepassword", vault: "6qf2homelabvault0000000000" },
    onepasswordToken: "t",
  });

  for (const v of ["OP_SERVICE_ACCOUNT_TOKEN", "OP_ACCOUNT"]) {
    it(`refuses ${v} while the stack uses Connect, naming the variable and never its value`, () => {
      assert.throws(
        () => parseStackConfig(connect, "s", { [v]: "ops_very-secret-value" }),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.match(
            e.message,
            new RegExp(
              `homelab-observability:secrets: expected no ${v} in the environment while the stack uses 1Password Connect`,
            ),
          );
          assert.match(e.message, /Config conflict/);
          assert.ok(!e.message.includes("very-secret-value"));
          return true;
        },
      );
    });
  }

  for (const v of ["OP_CONNECT_HOST", "OP_CONNECT_TOKEN", "OP_ACCOUNT"]) {
    it(`refuses ${v} while the stack uses a service account`, () => {
      assert.throws(
        () => parseStackConfig(serviceAccount, "s", { [v]: "x" }),
        new RegExp(`expected no ${v} in the environment while the stack uses a 1Password service account`),
      );
    });
  }

  it("takes each mode's own variables (and empty ones) without complaint", () => {
    parseStackConfig(connect, "s", {
      OP_CONNECT_TOKEN: "x",
      OP_CONNECT_HOST: "http://h",
      OP_SERVICE_ACCOUNT_TOKEN: "",
    });
    parseStackConfig(serviceAccount, "s", { OP_SERVICE_ACCOUNT_TOKEN: "x" });
    parseStackConfig(rawConfig(), "s", { OP_ACCOUNT: "x", OP_CONNECT_TOKEN: "y" });
  });
});

describe("the kube context check offline (the synthesis reads no kubeconfig)", () => {
  it("refuses what the config alone shows: no pin, or a provider context naming another cluster", () => {
    assert.match(
      offlineContextProblems({ stack: "s" }, {})[0],
      /kubeContext: expected the kube context of stack "s"'s cluster \(`pulumi config set --stack s kubeContext`, which prompts for the context's name\), got nothing; offline, the kubeconfig is not read/,
    );
    assert.deepEqual(
      offlineContextProblems({ stack: "s", kubeContext: "a" }, { "kubernetes:context": "b" }),
      [
        'kubernetes:context: expected nothing or the stack\'s pinned context "a" (homelab-observability:kubeContext), got "b"; remove it (`pulumi config rm --stack s kubernetes:context`)',
      ],
    );
  });

  // Offline a placeholder stands in for a `secure:` value (stackFile.ts secretPlaceholder): it was
  // quoted as the context found ("got \"synth-secret-context\"").
  const expected =
    'kubernetes:context: expected nothing or the stack\'s pinned context "admin@example" (homelab-observability:kubeContext), got a `secure:` value (not shown), which the offline tools cannot decrypt, so it cannot be compared with the pinned context';
  const rm = "; remove it (`pulumi config rm --stack s kubernetes:context`)";

  it("a `secure:` kubernetes:context: said to be unknown offline, never the placeholder as the value found", () => {
    const salt = "encryptionsalt: v1:c2FsdHNhbHQ=:v1:AAAAAAAAAAAAAAAA:BBBBBBBBBBBBBBBBBBBBBBBB\n";
    const context = "  kubernetes:context:\n    secure: v1:AAAAAAAAAAAAAAAA:AAAAAAAAAAAAAAAAAAAAAAAA\n";
    const e = refusal(`${salt}${BASE}${STORE}${context}`);
    assert.deepEqual(e.problems, [`${expected}${rm}`], e.message);
    assert.doesNotMatch(e.message, /synth-secret/);
    // The program offline: the same words; a real run compares the decrypted value, never shown.
    assert.deepEqual(
      offlineContextProblems(
        { stack: "s", kubeContext: "admin@example" },
        { "kubernetes:context": "synth-secret-context" },
        true,
      ),
      [`${expected}${rm}`],
    );
    const f = [file("/k", ["admin@example", "b"], "admin@example")];
    const decrypted = (value: string) =>
      kubeContextProblems(
        { stack: "s", kubeContext: "admin@example" },
        f,
        f,
        { "kubernetes:context": value },
        [],
        "Pulumi",
        true,
      );
    assert.deepEqual(decrypted("admin@example"), []);
    assert.deepEqual(decrypted("b"), [
      'kubernetes:context: expected nothing or the stack\'s pinned context "admin@example" (homelab-observability:kubeContext), got a secret value (not shown), another context; remove it (`pulumi config rm --stack s kubernetes:context`)',
    ]);
  });

  it("a `secure:` kubernetes:context the CLI cannot decrypt: one line, saying so, never the placeholder", () => {
    const e = refusal(`${BASE}${STORE}  kubernetes:context:\n    secure: "v1:x!"\n`);
    assert.deepEqual(
      e.problems,
      [
        `${expected} (kubernetes:context's secure value is not Pulumi Cloud ciphertext (base64), and the stack file has no encryptionsalt (passphrase) or secretsprovider/encryptedkey, so the CLI cannot decrypt it either (the value is not shown))${rm}`,
      ],
      e.message,
    );
    assert.doesNotMatch(e.message, /synth-secret|v1:x!/);
  });

  it("passes a pinned stack whatever the kubeconfig would say: it is not read", () => {
    assert.deepEqual(offlineContextProblems({ stack: "s", kubeContext: "a" }, {}), []);
    assert.deepEqual(
      offlineContextProblems({ stack: "s", kubeContext: "a" }, { "kubernetes:context": "a" }),
      [],
    );
  });
});
