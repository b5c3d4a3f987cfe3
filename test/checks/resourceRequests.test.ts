import { strict as assert } from "assert";
import { checkResourceRequests } from "../../checks/resourceRequests";
import type { Placed } from "../../checks/objects";
import { checkStack } from "../../checks";

/*
 * A container's requests against its limits as the API server judges them (Kubernetes
 * pkg/apis/core/validation/validation.go validateResourceRequirements): the OpenAPI schema reads
 * each map alone, so chartValues.grafana.resources.requests.memory: 2Gi beside the chart's 512Mi
 * limit passed the checks and the API server refused the pod.
 */
const deployment = (containers: Record<string, unknown>, init?: Record<string, unknown>): Placed => ({
  obj: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "grafana", namespace: "monitoring" },
    spec: {
      template: {
        metadata: {},
        spec: {
          containers: [{ name: "grafana", image: "grafana/grafana", resources: containers }],
          ...(init ? { initContainers: [{ name: "init-chown", image: "busybox", resources: init }] } : {}),
        },
      },
    },
  },
  urn: "urn:grafana",
  source: "release grafana",
});

describe("checks (resource-request): a request at most its limit, as the API server takes", () => {
  it("passes requests at or below their limits, in any unit, and a request with no limit of a resource that overcommits", () => {
    const { findings } = checkResourceRequests([
      deployment(
        {
          requests: { cpu: "500m", memory: "512Mi", "kubernetes.io/batteries": 1 },
          limits: { cpu: "1", memory: "0.5Gi" },
        },
        { requests: { "ephemeral-storage": "1Gi" }, limits: { "ephemeral-storage": "1024Mi" } },
      ),
    ]);
    assert.deepEqual(findings, []);
  });

  it("fails a request above its limit, naming the container, the path and both values", () => {
    const { findings } = checkResourceRequests([
      deployment({ requests: { memory: "2Gi", cpu: "100m" }, limits: { memory: "512Mi", cpu: "1" } }),
    ]);
    assert.deepEqual(findings, [
      {
        check: "resource-request",
        where: "Deployment monitoring/grafana (release grafana) container grafana",
        message:
          'resources.requests.memory: expected at most the container\'s limit resources.limits.memory (512Mi), got 2Gi (the API server refuses the pod: "must be less than or equal to memory limit"); raise the limit with the request, or lower the request',
        // What an override must set to be its cause (synth/report.ts overridesOn): this resource's
        // request or limit, not the container's cpu.
        judged: ["resources.requests.memory", "resources.limits.memory"],
      },
    ]);
  });

  it("judges init containers and every resource with both set", () => {
    const { findings } = checkResourceRequests([
      deployment(
        { requests: { "example.com/gpu": 2 }, limits: { "example.com/gpu": 1 } },
        {
          requests: { cpu: "2", "ephemeral-storage": "2Gi" },
          limits: { cpu: "1500m", "ephemeral-storage": "1Gi" },
        },
      ),
    ]);
    assert.deepEqual(
      findings.map((f) => `${f.where}: ${f.message.split(":")[0]}`),
      [
        "Deployment monitoring/grafana (release grafana) container init-chown: resources.requests.cpu",
        "Deployment monitoring/grafana (release grafana) container init-chown: resources.requests.ephemeral-storage",
        "Deployment monitoring/grafana (release grafana) container grafana: resources.requests.example.com/gpu",
      ],
    );
  });

  it("refuses a request other than its limit for a resource without overcommit (extended, hugepages), in the API server's words", () => {
    const { findings } = checkResourceRequests([
      deployment({
        requests: { "example.com/gpu": 1, "hugepages-2Mi": "64Mi", "kubernetes.io/batteries": 1 },
        limits: { "example.com/gpu": 2, "hugepages-2Mi": "128Mi", "kubernetes.io/batteries": 2 },
      }),
    ]);
    assert.deepEqual(
      findings.map((f) => f.message),
      [
        'resources.requests.example.com/gpu: expected the container\'s limit resources.limits.example.com/gpu (2), got 1 (the API server refuses the pod: "must be equal to example.com/gpu limit", as example.com/gpu is not overcommitted); set the request and the limit alike',
        'resources.requests.hugepages-2Mi: expected the container\'s limit resources.limits.hugepages-2Mi (128Mi), got 64Mi (the API server refuses the pod: "must be equal to hugepages-2Mi limit", as hugepages-2Mi is not overcommitted); set the request and the limit alike',
      ],
    );
  });

  it("refuses a request without a limit for a resource without overcommit, with or without other limits", () => {
    const { findings } = checkResourceRequests([
      deployment(
        { requests: { cpu: "1", "example.com/gpu": 1 }, limits: { cpu: "1" } },
        { requests: { "hugepages-2Mi": "64Mi" } },
      ),
    ]);
    assert.deepEqual(
      findings.map((f) => `${f.where}: ${f.message}`),
      [
        'Deployment monitoring/grafana (release grafana) container init-chown: resources.limits.hugepages-2Mi: expected a limit equal to the request resources.requests.hugepages-2Mi (64Mi), found none (the API server refuses the pod: "Limit must be set for non overcommitable resources", as hugepages-2Mi is not overcommitted); set the limit to the request',
        'Deployment monitoring/grafana (release grafana) container grafana: resources.limits.example.com/gpu: expected a limit equal to the request resources.requests.example.com/gpu (1), found none (the API server refuses the pod: "Limit must be set for non overcommitable resources", as example.com/gpu is not overcommitted); set the limit to the request',
      ],
    );
  });

  it("runs among the checks of a rendered stack", () => {
    const found = checkStack(
      [deployment({ requests: { memory: "2Gi" }, limits: { memory: "512Mi" } })],
      [],
    ).findings;
    assert.deepEqual(
      found.filter((f) => f.check === "resource-request").map((f) => f.where),
      ["Deployment monitoring/grafana (release grafana) container grafana"],
    );
  });
});
