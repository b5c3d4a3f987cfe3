/**
 * Audit hAud2 (issue 51): a new user's mistakes with policy:check and verify each get one message
 * naming the input, the form expected and what was found: another tool's JSON, an export of
 * another format version, a flag given twice (its value not judged as well), a second `--`.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { policyCheckCli, tmpDir, verifyCli } from "../support/helpers";

const STACK = {
  urn: "urn:pulumi:pi::homelab-observability::pulumi:pulumi:Stack::homelab-observability-pi",
  type: "pulumi:pulumi:Stack",
  custom: false,
  outputs: {},
};

/** A file `name` in a fresh folder holding `doc` as JSON; returns its path. */
function write(name: string, doc: unknown): string {
  const file = path.join(tmpDir("policy-check-haud2"), name);
  fs.writeFileSync(file, JSON.stringify(doc));
  return file;
}

const KUBECTL_LIST = {
  apiVersion: "v1",
  kind: "List",
  items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "x" } }],
  metadata: {},
};

describe("policy:check and verify: a new user's mistakes (audit hAud2)", () => {
  it("names what a named JSON file that is no export holds: a kubectl list is said as one", async () => {
    const file = write("pods.json", KUBECTL_LIST);
    const r = await policyCheckCli([file]);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /not a `pulumi stack export` file \(expected deployment\.resources\[\], found a Kubernetes "List" of "v1", as `kubectl get -o json` prints\); give the file `pulumi stack export`/,
    );
  });

  it("says what a skipped JSON file in a folder holds, by its keys' names and never a value", async () => {
    const file = write("other.json", { token: "s3cretValue", items: [] });
    const r = await policyCheckCli([path.dirname(file)]);
    assert.match(r.stdout, /skipped .*other\.json: .*found an object with the keys "token", "items"\)/);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cretValue/);
  });

  for (const version of [2, 4]) {
    it(`refuses an export of format version ${version}, naming the version expected and found`, async () => {
      const file = write("pi.json", { version, deployment: { resources: [STACK] } });
      const r = await policyCheckCli([file]);
      assert.equal(r.status, 2);
      assert.match(
        r.stderr,
        new RegExp(`pi\\.json: version: expected 3 \\(.*\\), found ${version}; not judged`),
      );
      assert.match(r.stdout, /policy:check: FAIL \(exit 2\): could not judge .*pi\.json \(above\)/);
    });
  }

  it("judges a version 3 export and one without a version", async () => {
    const three = write("pi.json", { version: 3, deployment: { resources: [STACK] } });
    const none = write("pi.json", { deployment: { resources: [STACK] } });
    const r = await policyCheckCli([three, none]);
    assert.equal(r.status, 0, r.stderr);
  });

  it("says --config given twice once, reading neither file", async () => {
    const a = write("a.json", { "arm64-imagez": "advisory" });
    const b = write("b.json", { "arm64-images": "mandatry" });
    const exp = write("pi.json", { version: 3, deployment: { resources: [STACK] } });
    const r = await policyCheckCli([exp, "--config", a, "--config", b]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--config is given twice/);
    assert.doesNotMatch(r.stderr, /arm64-imagez|mandatry/);
    assert.match(r.stdout, /policy:check: FAIL \(exit 2\): bad arguments \(above\)$/m);
  });

  it("says --dir given twice once, not judging either folder", async () => {
    const exp = write("pi.json", { version: 3, deployment: { resources: [STACK] } });
    const r = await policyCheckCli([exp, "--dir", "/nowhere-a", "--dir", "/nowhere-b"]);
    assert.equal(r.status, 2);
    // Its one message names both values; nothing else judges either folder.
    assert.match(r.stderr, /--dir is given twice: "\/nowhere-a" and "\/nowhere-b"; keep one\n/);
    assert.doesNotMatch(r.stderr.replace(/^.*is given twice.*$/m, ""), /nowhere/);
  });

  it("refuses a second `--` saying npm takes the first, not as an unknown flag", async () => {
    const exp = write("pi.json", { version: 3, deployment: { resources: [STACK] } });
    const r = await policyCheckCli(["--", exp]);
    assert.equal(r.status, 2);
    assert.doesNotMatch(r.stderr, /unknown flag --$/m);
    assert.match(
      r.stderr,
      /policy:check: unexpected argument "--" \(policy:check takes no "--": npm takes the first one/,
    );
    const v = await verifyCli("--stack", "staging", "--", "--json");
    assert.equal(v.status, 2);
    assert.match(v.stderr, /verify --stack staging: unexpected argument "--" \(verify takes no "--"/);
  });

  for (const args of [
    ["--url", "grafana=admin:s3cretPW@grafana.lab"],
    ["--url", "grafna=admin:s3cretPW@grafana.lab"],
    ["--url", "https://admin:s3c=retPW@grafana.lab"],
    ["--url", "grafana=https://admin:s3c/retPW@grafana.lab"],
    ["--move-from", "admin:s3cretPW@garage.lab:3900", "--move-to", "http://x:3900"],
  ])
    it(`never prints the password of a refused ${args.join(" ")}`, async () => {
      const v = await verifyCli("--stack", "staging", ...args);
      assert.equal(v.status, 2);
      assert.doesNotMatch(v.stdout + v.stderr, /s3c|retPW/);
      assert.match(v.stderr, /grafana\.lab|garage\.lab/);
    });
});
