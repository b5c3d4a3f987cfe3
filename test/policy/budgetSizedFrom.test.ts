import { strict as assert } from "assert";
import type { SizedComponent } from "@homelab-observability/contract";
import type { ExportedResource } from "../../policy/evaluate";
import { check, res, stackInfo, workload } from "../support/policyCases";

/*
 * The resource-budget's advice on a pod no node holds names what to lower its requests by. A pod
 * the program sized from a stack key (`loki.mode`, `workload.activeSeries`) names that key, but
 * only for the memory request the sizing gave it: a chartValues override that set another request
 * is what sized it then (the synthesis names the override on its own line), and the sizing gives no
 * CPU (config/sizing.ts memoryOf: "CPU from the profile").
 */
const P = "resource-budget";
const GiB = 2 ** 30;
/** One pool of three 4-core 8Gi nodes (stackInfo's node size) and the components it records as sized. */
const nodes = (sized: SizedComponent[]) => stackInfo([{ name: "nuc", arch: "amd64", count: 3 }], true, sized);
const ingesterSized: SizedComponent = {
  component: "loki ingester",
  workload: "loki-ingester",
  replicas: 1,
  memoryBytes: GiB,
  requestBytes: GiB,
  volumeBytes: 0,
  sizedFor: "Distributed at its floor (loki.mode)",
};
/** A StatefulSet `name` of one pod, one container requesting `requests`, its memory limit the same. */
const sts = (name: string, requests: { cpu: string; memory: string }): ExportedResource => {
  const w = workload("StatefulSet", name, {
    containers: [
      { name: "c", image: "grafana/loki", resources: { requests, limits: { memory: requests.memory } } },
    ],
  });
  w.inputs.spec.replicas = 1;
  return res(w.type, w.inputs, { name });
};
const advice = async (resources: ExportedResource[]) => {
  const v = await check(resources, P);
  assert.equal(v.length, 1, v.map((x) => x.message).join("\n"));
  return / or lower its requests \((.*)\)\.$/.exec(v[0].message)?.[1];
};

describe("policy (budget): what lowers an oversized sized pod's requests is what set them", () => {
  const SIZED = "StatefulSet loki-ingester: sized for Distributed at its floor by `loki.mode`";
  // [title, the memory the sizing gave, the pod's requests, the advice]
  const cases: [string, number, { cpu: string; memory: string }, string][] = [
    [
      "names `loki.mode` for a 9Gi memory request the sizing gave",
      9 * GiB,
      { cpu: "100m", memory: "9Gi" },
      SIZED,
    ],
    [
      "does not say `loki.mode` sized a 9Gi memory request the sizing gave as 1Gi (an override set it)",
      GiB,
      { cpu: "100m", memory: "9Gi" },
      "StatefulSet loki-ingester: its pods' requests",
    ],
    [
      "does not name `loki.mode`, which sizes memory only, for a pod over on CPU alone",
      GiB,
      { cpu: "6", memory: "1Gi" },
      "StatefulSet loki-ingester: its pods' requests",
    ],
    [
      "names `loki.mode` for memory and the pods' CPU requests for CPU when a sized pod is over on both",
      9 * GiB,
      { cpu: "6", memory: "9Gi" },
      `${SIZED} and its pods' CPU requests`,
    ],
  ];
  for (const [title, bytes, requests, expected] of cases)
    it(title, async () => {
      const info = nodes([{ ...ingesterSized, memoryBytes: bytes, requestBytes: bytes }]);
      assert.equal(await advice([info, sts("loki-ingester", requests)]), expected);
    });
  it("names `workload.activeSeries` for a Prometheus whose request is the sizing's, beside the config-reloader the operator injects", async () => {
    // prometheus-operator injects its config-reloader into the Prometheus pod with the request its
    // --config-reloader-memory-request flag gives: the pod requests more than the sizing, and not
    // by an override.
    const operator = workload("Deployment", "operator", {
      containers: [
        {
          name: "c",
          image: "quay.io/prometheus-operator/prometheus-operator",
          args: ["--prometheus-config-reloader=quay.io/p/reloader", "--config-reloader-memory-request=16Mi"],
        },
      ],
    });
    const prometheus = res(
      "kubernetes:monitoring.coreos.com/v1:Prometheus",
      {
        metadata: { name: "kps-prometheus", namespace: "monitoring" },
        spec: {
          replicas: 1,
          resources: { requests: { cpu: "100m", memory: "9Gi" }, limits: { memory: "9Gi" } },
        },
      },
      { name: "kps-prometheus" },
    );
    const info = nodes([
      {
        ...ingesterSized,
        component: "prometheus",
        workload: "kps-prometheus",
        memoryBytes: 9 * GiB,
        requestBytes: 9 * GiB,
        sizedFor: "1520000 series (workload.activeSeries)",
      },
    ]);
    const v = await check([info, res(operator.type, operator.inputs, { name: "operator" }), prometheus], P);
    assert.equal(v.length, 1, v.map((x) => x.message).join("\n"));
    assert.match(v[0].message, new RegExp(`^Prometheus kps-prometheus \\(${9 * 1024 + 16}Mi of memory\\)`));
    assert.match(
      v[0].message,
      /or lower its requests \(Prometheus kps-prometheus: sized for 1520000 series by `workload\.activeSeries`\)\.$/,
    );
  });
});
