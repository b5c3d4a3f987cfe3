import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import { runVerify } from "../../cli/verifyRun";
import { tmpDir } from "../support/helpers";
import { verifyProject } from "../support/verifyProject";

/*
 * `npm run verify` refusing the stack's kube context names the stack file's kubeContext line, as
 * `pulumi preview` does for the same refusal (apply/program.ts places it): a misspelt context is
 * mended there.
 */

/** A kubeconfig with `contexts`, selecting `current`. */
function kubeconfig(contexts: string[], current: string): string {
  const f = path.join(tmpDir("verify-context-line"), "kubeconfig");
  fs.writeFileSync(
    f,
    stringify({
      contexts: contexts.map((name) => ({ name, context: { cluster: "c", user: "u" } })),
      "current-context": current,
    }),
  );
  return f;
}

describe("verify: a refused kube context is placed at the stack file's kubeContext line", function () {
  this.timeout(30000);

  it("a pinned context the kubeconfig lacks names Pulumi.<stack>.yaml and the kubeContext line, with the close context", async () => {
    const dir = verifyProject({ lab: { kubeContext: "admin@lab" } }, "verify-context-line");
    let err = "";
    const code = await runVerify(["--dir", dir, "--stack", "lab"], {
      jobs: () => Promise.resolve([]),
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig(["admin@lab2", "admin@other"], "admin@other"),
        GRAFANA_ADMIN_USER: "",
        GRAFANA_ADMIN_PASSWORD: "",
      },
      out: () => undefined,
      err: (t) => (err += t),
    });
    assert.equal(code, 2, err);
    const file = path.join(dir, "Pulumi.lab.yaml");
    const line =
      fs
        .readFileSync(file, "utf8")
        .split("\n")
        .findIndex((l) => l.includes("kubeContext")) + 1;
    assert.match(
      err,
      /\n {2}- homelab-observability:kubeContext: stack "lab" is pinned to context "admin@lab", which the kubeconfig .* \(did you mean "admin@lab2"\?\)\n/,
    );
    assert.ok(err.includes(`\n    at ${file}:${line}:`), err);
  });

  // `kubeContext <context>` pasted was read by the shell as a redirection from a file "context",
  // even where the message had just named the context meant.
  // Run against the project folder (`--cwd`), not the checkout `npm run` runs in, whose own stack
  // file the command would otherwise change.
  it("the command pinning the stack names the close context when there is one, else holds no value, and the project folder", async () => {
    const pinLine = async (contexts: string[], inCheckout = false) => {
      const dir = verifyProject({ lab: { kubeContext: "admin@lab" } }, "verify-context-line");
      let err = "";
      await runVerify([...(inCheckout ? [] : ["--dir", dir]), "--stack", inCheckout ? "staging" : "lab"], {
        jobs: () => Promise.resolve([]),
        env: {
          ...process.env,
          KUBECONFIG: kubeconfig(contexts, contexts[0]),
          GRAFANA_ADMIN_USER: "",
          GRAFANA_ADMIN_PASSWORD: "",
        },
        out: () => undefined,
        err: (t) => (err += t),
      });
      return err
        .split("\n")
        .find((l) => l.includes("to pin the stack"))
        ?.split(dir)
        .join("<dir>");
    };
    assert.equal(
      await pinLine(["admin@lab2", "admin@other"]),
      '  (to pin the stack to "admin@lab2": pulumi --cwd <dir> config set --stack lab kubeContext admin@lab2)',
    );
    // Two as close, or none close: no pick, and `pulumi config set` asks for the value.
    const prompted =
      "  (to pin the stack to another context: pulumi --cwd <dir> config set --stack lab kubeContext, which asks for its name)";
    assert.equal(await pinLine(["admin@lab2", "admin@lab3"]), prompted);
    assert.equal(await pinLine(["production"]), prompted);
    // The checkout's own stack: the command runs where it is pasted, as it did.
    assert.equal(
      await pinLine(["production"], true),
      "  (to pin the stack to another context: pulumi config set --stack staging kubeContext, which asks for its name)",
    );
  });
});
