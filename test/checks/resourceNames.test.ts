import { strict as assert } from "assert";
import { checkResourceNames, resourceNameProblem } from "../../checks/resourceNames";
import type { Placed } from "../../checks/objects";
import { checkStack } from "../../checks";

/*
 * Container resource names as the API server judges them (Kubernetes v1.31
 * pkg/apis/core/validation/validation.go validateContainerResourceName): the OpenAPI schema takes
 * any key of `resources.limits`, so a misspelt `memroy` passed the schema check and the API server
 * refused the pod.
 */
const deployment = (resources: Record<string, unknown>): Placed => ({
  obj: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "grafana", namespace: "monitoring" },
    spec: {
      template: {
        metadata: {},
        spec: { containers: [{ name: "grafana", image: "grafana/grafana", resources }] },
      },
    },
  },
  urn: "urn:grafana",
  source: "release grafana",
});

describe("checks (resource-name): container resource names the API server takes", () => {
  it("passes the standard names, hugepages and extended names with a domain prefix", () => {
    for (const name of [
      "cpu",
      "memory",
      "ephemeral-storage",
      "hugepages-2Mi",
      "nvidia.com/gpu",
      "kubernetes.io/x",
    ])
      assert.equal(resourceNameProblem(name), undefined, name);
    const { findings } = checkResourceNames([
      deployment({
        requests: { cpu: "100m", memory: "1Gi" },
        limits: { memory: "1Gi", "example.com/fpga": 1 },
      }),
    ]);
    assert.deepEqual(findings, []);
  });

  it("fails a misspelt limit, naming the container, the path and the closest standard name", () => {
    const { findings } = checkResourceNames([deployment({ limits: { memroy: "1Gi" } })]);
    assert.deepEqual(findings, [
      {
        check: "resource-name",
        where: "Deployment monitoring/grafana (release grafana) container grafana",
        message:
          'resources.limits.memroy: expected a standard resource name for containers (cpu, memory, ephemeral-storage or hugepages-<size>) or an extended one with a domain prefix (example.com/gpu), got "memroy"; did you mean memory? (the API server refuses the pod: "must be a standard resource for containers")',
        judged: ["resources.limits.memroy"],
        containers: ["grafana"],
      },
    ]);
  });

  it("fails a name close to none without a guess, and an extended name the quota convention refuses", () => {
    assert.match(resourceNameProblem("storage") ?? "", /got "storage" \(the API server refuses/);
    assert.match(
      resourceNameProblem("requests.example.com/gpu") ?? "",
      /doesn't follow extended resource name standard/,
    );
    assert.match(resourceNameProblem("example.com/") ?? "", /got "example\.com\/"/);
  });

  it("runs among the checks of a rendered stack", () => {
    const found = checkStack([deployment({ limits: { memroy: "1Gi" } })], []).findings;
    assert.deepEqual(
      found.filter((f) => f.check === "resource-name").map((f) => f.where),
      ["Deployment monitoring/grafana (release grafana) container grafana"],
    );
  });
});
