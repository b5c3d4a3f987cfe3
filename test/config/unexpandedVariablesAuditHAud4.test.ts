/**
 * `$VAR` / `${VAR}` in a stack file's value is read as written (the Pulumi CLI expands no
 * environment variables in stack config): a run warns once per value, naming the key, its
 * file:line and the references, never the rest of the value. A key whose form cannot hold a `$`
 * refuses such a value in one message at its line that says both.
 */
import { strict as assert } from "assert";
import * as path from "path";
import { unexpandedVariableWarnings } from "../../config/unexpandedVariables";
import { synthCli } from "../support/helpers";
import { BASE, P, refusal, STORE, stackProject } from "../support/stackText";

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

  it("gives a command that sets the one key it names: map keys holding a dot in brackets, the stack named", () => {
    const text =
      BASE +
      STORE +
      `  ${P("chartValues")}:\n    grafana:\n      podAnnotations:\n        example.com/owner: $OWNER\n` +
      `  kubernetes:context: $CTX\n`;
    const w = unexpandedVariableWarnings(stackProject(text), "s");
    assert.equal(w.length, 2, w.join("\n"));
    // Pulumi's property paths read `a.example.com/owner` as three keys; `["example.com/owner"]` is one.
    assert.ok(
      w[0].startsWith(`${P("chartValues")}.grafana.podAnnotations["example.com/owner"]: $OWNER at `),
      w[0],
    );
    assert.ok(
      w[0].endsWith(
        `set it from your shell, which expands it: \`pulumi config set --stack s --path 'chartValues.grafana.podAnnotations["example.com/owner"]' "$OWNER"\``,
      ),
      w[0],
    );
    // Another namespace's key keeps its namespace: without it the command would set the project's.
    assert.ok(w[1].includes(`\`pulumi config set --stack s --path 'kubernetes:context' "$CTX"\``), w[1]);
  });

  it("sets a value that is or may be a credential with --secret: the shell's value is not written in plain text", () => {
    const text =
      BASE +
      STORE +
      `  ${P("chartValues")}:\n    grafana:\n      grafana.ini:\n        database:\n          password: \${DBPASS}\n` +
      `      podAnnotations:\n        example.com/token: $TOKEN\n`;
    const w = unexpandedVariableWarnings(stackProject(text), "s");
    assert.equal(w.length, 2, w.join("\n"));
    assert.ok(
      w[0].endsWith(
        `\`pulumi config set --stack s --secret --path 'chartValues.grafana["grafana.ini"].database.password' "\${DBPASS}"\``,
      ),
      w[0],
    );
    assert.ok(
      w[1].endsWith(
        `\`pulumi config set --stack s --secret --path 'chartValues.grafana.podAnnotations["example.com/token"]' "$TOKEN"\``,
      ),
      w[1],
    );
  });

  it("says nothing of a secure value, nor of a stack without variables", () => {
    const text = BASE + STORE + `  ${P("minioAdminPassword")}:\n    secure: v1:$abc:$def\n`;
    assert.deepEqual(unexpandedVariableWarnings(stackProject(text), "s"), []);
  });
});

describe("an environment variable where a key's form cannot hold one", () => {
  const READ_AS_WRITTEN =
    /is read as written: stack files do not expand environment variables; write the value itself, or set it from your shell, which expands it: `pulumi config set --stack s --path '([^']+)' "\$\{?[A-Z_]+\}?"`$/;

  it("is refused once per key, at its line, with the form the key expects and that the stack file does not expand it", () => {
    const text =
      BASE.replace("kps-removed", "$PHASE") +
      `  ${P("cluster")}: \${CLUSTER}\n` +
      STORE +
      `  ${P("nodePools")}:\n    - name: w\n      arch: amd64\n      count: \${COUNT}\n      cpu: "4"\n      memory: $MEM\n`;
    const e = refusal(text);
    const said = e.problems.map((p, i) => ({ p, line: e.places[i]?.line }));
    const of = (key: string) => said.filter((x) => x.p.startsWith(`${P(key)}:`));
    for (const [key, line, expects, ref] of [
      ["phase", 3, /expected one of loki-fixed \| /, "$PHASE"],
      ["cluster", 4, /expected a DNS label/, "${CLUSTER}"],
      ["nodePools[0].count", 11, /expected a whole number of at least 1/, "${COUNT}"],
      ["nodePools[0].memory", 13, /expected a Kubernetes quantity/, "$MEM"],
    ] as const) {
      const found = of(key);
      assert.equal(found.length, 1, e.message);
      assert.equal(found[0].line, line, e.message);
      assert.match(found[0].p, expects);
      assert.ok(found[0].p.includes(`; ${ref} is read as written`), found[0].p);
      assert.equal(READ_AS_WRITTEN.exec(found[0].p)?.[1], key, found[0].p);
    }
  });

  it("a refused key's variable is said in its refusal alone; another value's warning is said with the refusal, not after its fix", async () => {
    const dir = stackProject(
      BASE.replace("kps-removed", "$PHASE") + `  ${P("kubeconfig")}: \${HOME}/.kube/config\n` + STORE,
    );
    const r = await synthCli(
      "--dir",
      dir,
      "--stack",
      "s",
      "--no-render",
      "--quiet",
      "--out",
      path.join(dir, "out"),
    );
    assert.equal(r.status, 2, r.stderr);
    const lines = (r.stdout + r.stderr).split("\n");
    const warned = lines.filter((l) => l.startsWith("s: warning: "));
    assert.deepEqual(
      warned.map((l) => l.slice(0, l.indexOf(" at "))),
      [`s: warning: ${P("kubeconfig")}: \${HOME}`],
      r.stderr,
    );
    assert.equal(lines.filter((l) => l.includes("$PHASE is read as written")).length, 1, r.stderr);
  });

  it("says so of a key Pulumi.yaml types, refused before the schema", () => {
    const e = refusal(BASE + STORE + `  ${P("production")}: $PROD\n`);
    const p = e.problems.find((x) => x.startsWith(`${P("production")}:`)) ?? "";
    assert.match(p, /declares type 'boolean'\), got string "\$PROD"; \$PROD is read as written/, e.message);
  });

  it("names no reference inside a URL's login, which the message hides", () => {
    const e = refusal(
      BASE + `  ${P("objectStore")}:\n    type: minio\n    endpoint: http://admin:pa$word@minio:9000\n`,
    );
    assert.equal(e.problems.length, 1, e.message);
    assert.match(e.problems[0], /got string "http:\/\/<redacted>@minio:9000"$/, e.message);
  });
});
