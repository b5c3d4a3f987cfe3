/**
 * Audit hL: policy:check names a refused stack key with its file and line, as synth does
 * (synth/report.ts overridePlacesIn), when the project folder (--dir, else this checkout) holds the
 * stack file of the stack the export's URNs name; without that file, or with a key it no longer
 * holds, the key stands alone: never a line of another file.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { release, stackInfo, v4Chart, workload } from "../support/policyCases";
import { policyCheckCli, tmpDir } from "../support/helpers";
import { shownFile } from "../../config/paths";

/** The stack test/support/policyCases.ts writes its URNs for. */
const STACK = {
  urn: "urn:pulumi:production::homelab-observability::pulumi:pulumi:Stack::homelab-observability-production",
  type: "pulumi:pulumi:Stack",
  custom: false,
  outputs: { chartValueOverrides: ["grafana.replicas"] },
};
const NETWORK_POLICY = {
  urn: "urn:pulumi:production::homelab-observability::kubernetes:networking.k8s.io/v1:NetworkPolicy::np",
  type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
  custom: true,
  inputs: { metadata: { name: "np", namespace: "monitoring" }, spec: { podSelector: {} } },
};
const app = workload("Deployment", "a", {
  containers: [
    { name: "c", image: "grafana/loki", resources: { requests: { cpu: "100m", memory: "128Mi" } } },
  ],
});

/** A project folder with `Pulumi.production.yaml` holding `stackFile`, and an export beside it. */
function project(stackFile: string | undefined, resources: unknown[]): { dir: string; file: string } {
  const dir = tmpDir("policy-check-places");
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: homelab-observability\nruntime: nodejs\n");
  if (stackFile !== undefined) fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), stackFile);
  const file = path.join(dir, "production.json");
  fs.writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources } }));
  return { dir, file };
}

const OVERRIDE_FILE = [
  "config:",
  "  homelab-observability:phase: loki-fixed",
  "  homelab-observability:chartValues:",
  "    grafana:",
  "      replicas: 2",
  "",
].join("\n");
const grafanaExport = () => [
  STACK,
  release("grafana", { replicas: 2, persistence: { enabled: true } }),
  NETWORK_POLICY,
];
const rel = (dir: string) => shownFile(path.join(dir, "Pulumi.production.yaml"));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("policy:check: a refused stack key with its file and line (audit hL)", () => {
  it("names a refused chartValues override's key with its line in the export's stack file", async () => {
    const { dir, file } = project(OVERRIDE_FILE, grafanaExport());
    const r = await policyCheckCli([file, "--dir", dir]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `override chartValues\\.grafana\\.replicas \\(${escape(rel(dir))}:5\\): change or remove it`,
      ),
    );
  });

  it("names a taint that keeps every workload off every pool with its line (nodePools[i].taints)", async () => {
    const stackFile = [
      "config:",
      "  homelab-observability:nodePools:",
      "    - name: pi5",
      "      arch: arm64",
      "      taints:",
      "        - { key: pi, value: 'true', effect: NoSchedule }",
      "",
    ].join("\n");
    const pools = stackInfo([
      { name: "pi5", arch: "arm64", count: 3, taints: [{ key: "pi", value: "true", effect: "NoSchedule" }] },
    ]);
    const { dir, file } = project(stackFile, [STACK, pools, ...v4Chart("s", [app]), NETWORK_POLICY]);
    const r = await policyCheckCli([file, "--dir", dir]);
    assert.match(
      r.stdout,
      new RegExp(`\`nodePools\\[0\\]\\.taints\` \\(${escape(rel(dir))}:5\\) \\(pool pi5\\)`),
    );
  });

  it("no line for a pool's key where the file now holds another pool there (edited since the export)", async () => {
    const stackFile = [
      "config:",
      "  homelab-observability:nodePools:",
      "    - name: x86",
      "      arch: amd64",
      "      taints:",
      "        - { key: gpu, effect: NoSchedule }",
      "    - name: pi5",
      "      arch: arm64",
      "      taints:",
      "        - { key: pi, value: 'true', effect: NoSchedule }",
      "",
    ].join("\n");
    const pools = stackInfo([
      { name: "pi5", arch: "arm64", count: 3, taints: [{ key: "pi", value: "true", effect: "NoSchedule" }] },
    ]);
    const { dir, file } = project(stackFile, [STACK, pools, ...v4Chart("s", [app]), NETWORK_POLICY]);
    const r = await policyCheckCli([file, "--dir", dir]);
    assert.match(r.stdout, /`nodePools\[0\]\.taints` \(pool pi5\): taint/);
  });

  it("without the stack file, or with a key it no longer holds, names the key alone", async () => {
    for (const stackFile of [undefined, "config:\n  homelab-observability:phase: loki-fixed\n"]) {
      const { dir, file } = project(stackFile, grafanaExport());
      const r = await policyCheckCli([file, "--dir", dir]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /override chartValues\.grafana\.replicas: change or remove it/);
      assert.doesNotMatch(r.stdout, /Pulumi\.production\.yaml:/);
    }
  });

  it("no line for a chartValues key whose value in the file is not the export's (edited since the export)", async () => {
    // The export was made with replicas: 2; the file now says 3: its line holds no value the pack judged.
    const { dir, file } = project(OVERRIDE_FILE.replace("replicas: 2", "replicas: 3"), grafanaExport());
    const r = await policyCheckCli([file, "--dir", dir]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /override chartValues\.grafana\.replicas: change or remove it/);
    assert.doesNotMatch(r.stdout, /Pulumi\.production\.yaml:/);
  });

  it("an export of another stack gets no line from this stack's file", async () => {
    const other = (o: { urn: string }) => ({ ...o, urn: o.urn.replace(":production::", ":other::") });
    const { dir, file } = project(OVERRIDE_FILE, grafanaExport().map(other));
    const r = await policyCheckCli([file, "--dir", dir]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /Pulumi\.production\.yaml:/);
  });

  it("a --dir that is no project folder is bad arguments (exit 2), said before any export is read", async () => {
    const { file } = project(OVERRIDE_FILE, grafanaExport());
    const r = await policyCheckCli([file, "--dir", path.join(path.dirname(file), "nowhere")]);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /--dir .*nowhere: expected the project folder .*, got nothing there/);
    assert.doesNotMatch(r.stdout, /production\.json:/);
  });
});
