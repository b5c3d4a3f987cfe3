import { strict as assert } from "assert";
import { RENDERED_KEY } from "@homelab-observability/contract";
import { plaintextIn } from "../../policy/credentials";
import { evaluateResources, type ExportedResource } from "../../policy/evaluate";
import { imagesInValues } from "../../policy/images";
import { attributeOverrides, mergeProblems } from "../../synth/report";
import { stackInfo } from "../support/policyCases";

// A values key holding a dot (grafana's `grafana.ini`, its section `auth.generic_oauth`) is one
// key: a message that writes it dotted names a path of keys that do not exist. The pack names it
// as the stack file and `pulumi config set --path` do (config/tree.ts propertyPath).
describe("the pack names a values key holding a dot in brackets", () => {
  it("a literal credential under grafana.ini and a dotted section", () => {
    const values = { "grafana.ini": { "auth.generic_oauth": { client_secret: "s3cr3tvalue" } } };
    assert.deepEqual(plaintextIn(values, "values"), [
      'values["grafana.ini"]["auth.generic_oauth"].client_secret is a literal credential',
    ]);
  });

  it("a key holding a quote or a bracket is quoted, and a plain path stays dotted", () => {
    const values = { 'a"b': { "x[0]": { password: "hunter2" } }, plain: { env: [{ token: "t" }] } };
    assert.deepEqual(plaintextIn(values, "values"), [
      'values["a\\"b"]["x[0]"].password is a literal credential',
      "values.plain.env[0].token is a literal credential",
    ]);
  });

  it("an image under a key holding a dot (a chart the pack does not know)", () => {
    assert.deepEqual(imagesInValues({ "sub.chart": { image: "someone/x:1.0" } }, "values"), [
      { path: 'values["sub.chart"].image', image: "someone/x:1.0" },
    ]);
  });
});

// The synthesis turns the pack's values path into the stack key that set it: the bracketed form
// the pack now writes is read as the keys it names (synth/report.ts valuesPathsAsStackKeys).
describe("synth names the override behind a bracketed values path", () => {
  const STACK = "urn:pulumi:staging::homelab-observability";
  const values = { "grafana.ini": { "auth.generic_oauth": { client_secret: "s3cr3tvalue" } } };
  const release: ExportedResource = {
    urn: `${STACK}::kubernetes:helm.sh/v3:Release::grafana`,
    type: "kubernetes:helm.sh/v3:Release",
    custom: true,
    inputs: { name: "grafana", namespace: "monitoring", chart: "grafana", values, [RENDERED_KEY]: 1 },
  };
  const resources = [stackInfo([{ name: "workers", arch: "amd64", count: 3 }]), release];
  // As the stack output chartValueOverrides lists it (config/tree.ts leafPaths).
  const overrides = ['grafana["grafana.ini"]["auth.generic_oauth"].client_secret'];

  it('the message and its cause name chartValues.grafana["grafana.ini"]["auth.generic_oauth"].client_secret', async () => {
    const violations = (await evaluateResources(resources, {})).filter(
      (v) => v.policy === "no-plaintext-credentials",
    );
    const [found] = attributeOverrides(
      mergeProblems(violations, [], { resources, overrides }).violations,
      resources,
      overrides,
    );
    const key = 'chartValues.grafana["grafana.ini"]["auth.generic_oauth"].client_secret';
    assert.ok(
      found.message.startsWith(`kubernetes:helm.sh/v3:Release "grafana": ${key} is a literal credential`),
      found.message,
    );
    assert.deepEqual(found.overrides, [key]);
  });
});
