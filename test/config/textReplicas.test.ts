import { strict as assert } from "assert";
import { TEXT_REPLICAS } from "@homelab-observability/contract";
import { chartValueProblems } from "../../config/chartValueCheck";
import { PROJECT } from "../../config/resolve";
import { chartReplicas, planSizing } from "../../config/sizing";
import { pinnedChartKeys } from "../../synth/render/chartFacts";
import { config, configProblems } from "../support/helpers";

/*
 * A replica count written as text ("7") where the chart's template prints it unquoted
 * (`replicas: {{ .Values.<path> }}`): Helm's output holds the number 7, and 7 pods run (contract
 * TEXT_REPLICAS, each run with helm 3.17.3). The config check refused it ("the chart's templates
 * would read text, not a number") and the fit check did not count it.
 */

/** `v` at the dotted `path`, as nested maps. */
const at = (path: string, v: unknown): Record<string, unknown> =>
  path
    .split(".")
    .reverse()
    .reduce<unknown>((a, k) => ({ [k]: a }), v) as Record<string, unknown>;

const problems = (chart: string, path: string, v: unknown) => {
  assert.ok(pinnedChartKeys(chart), `the pinned ${chart} archive is not in the chart cache`);
  return chartValueProblems({ [chart]: at(path, v) }, (c) => pinnedChartKeys(c), PROJECT);
};

describe("chartValues: a replica count's text the chart prints unquoted is the number", function () {
  this.timeout(30000);

  it("accepts a whole number's text at each such key", () => {
    for (const [chart, keys] of Object.entries(TEXT_REPLICAS))
      for (const path of Object.keys(keys))
        assert.deepEqual(problems(chart, path, "7"), [], `${chart} ${path}`);
  });

  it("still refuses text that is no whole number as YAML reads it there, and text at a key passed on as text", () => {
    const kps = "kube-prometheus-stack";
    for (const v of ["07", "2.0", " 7"])
      assert.match(
        problems(kps, "prometheus.prometheusSpec.replicas", v).join("\n"),
        /prometheusSpec\.replicas: expected a number, as the kube-prometheus-stack chart 88\.0\.0's default is \(drop the quotes: /,
        v,
      );
    // loki's values.schema.json types its counts integer: Helm refuses the text.
    assert.match(problems("loki", "singleBinary.replicas", "1").join("\n"), /singleBinary\.replicas: /);
  });

  it("counts it in the fit check, at its key", () => {
    const stack = {
      phase: "dual-write",
      workload: { activeSeries: 1_000_000 },
      nodePools: [{ name: "workers", arch: "amd64", count: 3, cpu: "4", memory: "16Gi" }],
    };
    const c = planSizing(config(stack)).components.find((x) => x.component === "prometheus")!;
    const kps = (v: unknown) => ({ "kube-prometheus-stack": at("prometheus.prometheusSpec.replicas", v) });
    assert.deepEqual(chartReplicas({ chartValues: kps("7") }, c), {
      replicas: 7,
      key: "chartValues.kube-prometheus-stack.prometheus.prometheusSpec.replicas",
    });
    const p = configProblems({ ...stack, chartValues: kps("7") });
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(p[0], /prometheusSpec\.replicas: expected at most 6, .*; got 7$/);
    // The VMCluster gets vmcluster.spec as it is: "3" stays text there, and the render refuses it.
    const vm = planSizing(
      config({
        phase: "kps-removed",
        metricsBackend: "victoriametrics",
        workload: { activeSeries: 3_000_000 },
        nodePools: [{ name: "workers", arch: "amd64", count: 6, cpu: "4", memory: "4Gi" }],
      }),
    ).components.find((x) => x.component === "vmstorage")!;
    const text = { "victoria-metrics-k8s-stack": at("vmcluster.spec.vmstorage.replicaCount", "3") };
    assert.deepEqual(chartReplicas({ chartValues: text }, vm), { replicas: vm.replicas });
  });
});
