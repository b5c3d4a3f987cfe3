/**
 * Audit hL: under `pulumi preview --policy-pack policy` the pack's message naming a stack key
 * (`nodePools[0].taints`: every pool's taint keeps the workloads off, so they would stay Pending)
 * gets the key's file and line, as synth and policy:check give it. The engine tells the pack
 * nothing of the stack file, and nothing stands around the pack there, so the engine's entry point
 * (policy/index.ts) runs the policies through withStackKeyPlaces: the stack file of the folder
 * holding the pack, when it is the URNs' project's and holds the value the pack judged.
 */
import { strict as assert } from "assert";
import { evaluateResources } from "../../policy/evaluate";
import { allPolicies } from "../../policy/policies";
import { withStackKeyPlaces } from "../../policy/lib/stackKeys";
import { stackInfo, v4Chart, workload } from "../support/policyCases";
import { tmpDir, treeDir } from "../support/helpers";

const TAINT = { key: "pi", value: "true", effect: "NoSchedule" };
const app = workload("Deployment", "a", {
  containers: [
    { name: "c", image: "grafana/loki", resources: { requests: { cpu: "100m", memory: "128Mi" } } },
  ],
});
/** A stack (policyCases' URNs: stack production) whose one pool's taint keeps `a` off. */
const resources = () => [
  stackInfo([{ name: "pi5", arch: "arm64", count: 3, taints: [TAINT] }]),
  ...v4Chart("s", [app]),
];

const POOLS = (effect = "NoSchedule") =>
  [
    "config:",
    "  homelab-observability:nodePools:",
    "    - name: pi5",
    "      arch: arm64",
    "      taints:",
    `        - { effect: ${effect}, key: pi, value: "true" }`,
    "",
  ].join("\n");

/** A project folder holding `files` (Pulumi.yaml first), as the folder the pack sits in. */
const project = (files: Record<string, string>): string => treeDir("pack-stack-keys", files);
const PROJECT_FILE = "name: homelab-observability\nruntime: nodejs\n";

/** The message of the one refusal that names `nodePools[0].taints`, as the engine's pack reports it. */
async function pending(projectDir: string): Promise<string> {
  const v = await evaluateResources(resources(), {}, withStackKeyPlaces(allPolicies(), projectDir));
  const found = v.filter((x) => x.policy === "resource-budget" && /would stay Pending/.test(x.message));
  assert.equal(found.length, 1, v.map((x) => x.message).join("\n"));
  return found[0].message;
}

describe("policy pack under the engine: a stack key it names gets its file and line (audit hL)", () => {
  it("names nodePools[0].taints with its line in the project's stack file", async () => {
    const dir = project({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.production.yaml": POOLS() });
    assert.match(
      await pending(dir),
      /^`nodePools\[0\]\.taints` \(Pulumi\.production\.yaml:5\) \(pool pi5\): taint pi=true:NoSchedule/,
    );
  });

  it("follows Pulumi.yaml's stackConfigDir, naming the file from the project folder", async () => {
    const dir = project({
      "Pulumi.yaml": `${PROJECT_FILE}stackConfigDir: stacks\n`,
      "stacks/Pulumi.production.yaml": POOLS(),
    });
    assert.match(
      await pending(dir),
      /^`nodePools\[0\]\.taints` \(stacks\/Pulumi\.production\.yaml:5\) \(pool pi5\)/,
    );
  });

  it("no line when the file holds another value than the one judged, another project, or no stack file", async () => {
    const unplaced = /^`nodePools\[0\]\.taints` \(pool pi5\): taint/;
    // A stack configured from elsewhere (--config-file, another checkout): its file says otherwise.
    const other = project({ "Pulumi.yaml": PROJECT_FILE, "Pulumi.production.yaml": POOLS("NoExecute") });
    assert.match(await pending(other), unplaced);
    const foreign = project({
      "Pulumi.yaml": "name: another\nruntime: nodejs\n",
      "Pulumi.production.yaml": POOLS(),
    });
    assert.match(await pending(foreign), unplaced);
    assert.match(await pending(project({ "Pulumi.yaml": PROJECT_FILE })), unplaced);
    // A published pack: no project folder around it.
    assert.match(await pending(tmpDir("no-project")), unplaced);
  });

  it("the policies synth and policy:check run are left as they are: they place the keys themselves", async () => {
    const v = await evaluateResources(resources());
    const m = v.find((x) => /would stay Pending/.test(x.message))!.message;
    assert.match(m, /^`nodePools\[0\]\.taints` \(pool pi5\):/);
  });
});
