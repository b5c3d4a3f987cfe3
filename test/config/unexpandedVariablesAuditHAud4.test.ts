/**
 * `$VAR` / `${VAR}` in a stack file's value is read as written (the Pulumi CLI expands no
 * environment variables in stack config): a run warns once per value, naming the key, its
 * file:line and the references, never the rest of the value.
 */
import { strict as assert } from "assert";
import { unexpandedVariableWarnings } from "../../config/unexpandedVariables";
import { BASE, P, STORE, stackProject } from "../support/stackText";

describe("an environment variable in a stack file value", () => {
  it("is warned of once per value, with the key, file:line and that stack files do not expand it", () => {
    const text =
      BASE.replace("admin@example", "$KUBE_CONTEXT") +
      `  ${P("kubeconfig")}: \${HOME}/.kube/\${HOME}-config\n` +
      STORE;
    const w = unexpandedVariableWarnings(stackProject(text), "s");
    assert.equal(w.length, 2, w.join("\n"));
    assert.match(
      w[0],
      /^homelab-observability:kubeContext: \$KUBE_CONTEXT at \S+Pulumi\.s\.yaml:2 is read as written: stack files do not expand environment variables/,
    );
    assert.match(w[1], /^homelab-observability:kubeconfig: \$\{HOME\} at \S+Pulumi\.s\.yaml:4 /);
    assert.doesNotMatch(w[1], /\.kube/);
  });

  it("says nothing of a secure value, nor of a stack without variables", () => {
    const text = BASE + STORE + `  ${P("minioAdminPassword")}:\n    secure: v1:$abc:$def\n`;
    assert.deepEqual(unexpandedVariableWarnings(stackProject(text), "s"), []);
  });
});
