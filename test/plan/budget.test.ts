import { strict as assert } from "assert";
import { PHASES } from "../../config/resolve";
import { alloyRuleSyncs, evaluates, labelsMatch } from "../../upstream/ruleSelection";
import { PROGRAM_RULE_LABELS } from "../support/ruleCoverage";
import { evaluateResources } from "../../policy/evaluate";
import { budgetOf } from "../../synth/report";
import * as fs from "fs";
import * as path from "path";
import { release, ROOT, synth } from "../support/helpers";
import { BACKENDS } from "../../model/phases";

const MiB = 2 ** 20;

describe("lightweight profile and resource budget", function () {
  this.timeout(60000);

  it("the Pi stack fits 3 GiB of memory requests across its three nodes", async () => {
    const b = budgetOf((await synth("pi")).export.deployment.resources)!;
    assert.equal(b.rows.length, 1);
    assert.equal(b.rows[0].pool, "pi5");
    assert.equal(b.rows[0].nodes, 3);
    assert.ok(b.total.sums.memory <= 3 * 1024 * MiB, `${b.total.sums.memory / MiB}Mi`);
    // The figures reported in the issue note; a sizing change must update them knowingly. Loki and
    // vmsingle request the memory they are limited to (data-bearing: 1 GiB each, was 256 MiB).
    // Loki's rules sidecar is off on the Pi (sidecar.rules.enabled: false): the chart renders none,
    // and the pack's chart model no longer counts one (was 2692Mi, 405m, 4240Mi). node-exporter's
    // kube-rbac-proxy adds 16Mi, 5m and a 64Mi limit on each of the three nodes (was 2660Mi, 400m,
    // 4144Mi). The VictoriaMetrics operator's config reloader in the vmagent, vmalert and
    // alertmanager pods asks 25Mi and 10m each, which it writes, not the CRs
    // (policy/lib/operatorDefaults.ts; was 2708Mi, 415m).
    assert.equal(Math.round(b.total.sums.memory / MiB), 2783);
    assert.equal(Math.round(b.total.sums.cpu * 1000), 445);
    assert.equal(Math.round(b.total.sums.memoryLimit / MiB), 4336);
    assert.deepEqual(b.unschedulable, []);
  });

  it("counts DaemonSets once per node of the pool", async () => {
    const rs = (await synth("pi")).export.deployment.resources;
    const one = budgetOf(rs)!;
    const fourNodes = budgetOf(
      rs.map((r) =>
        r.inputs?.metadata?.labels?.["homelab.dev/stack-info"]
          ? {
              ...r,
              inputs: {
                ...r.inputs,
                data: {
                  ...r.inputs.data,
                  nodePools: r.inputs.data.nodePools.replace('"count":3', '"count":4'),
                },
              },
            }
          : r,
      ),
    )!;
    const vector = release(rs, "vector").inputs.values.resources.requests.memory;
    const neValues = release(rs, "prometheus-node-exporter").inputs.values;
    const nodeExporter = neValues.resources.requests.memory;
    // node-exporter's pod holds its kube-rbac-proxy too.
    const proxy = neValues.kubeRBACProxy.resources.requests.memory;
    const perNode = (parseInt(vector) + parseInt(nodeExporter) + parseInt(proxy)) * MiB;
    assert.equal(fourNodes.total.sums.memory - one.total.sums.memory, perNode);
  });

  it("every image of the Pi stack publishes arm64 and the pack passes", async () => {
    const v = await evaluateResources((await synth("pi")).export.deployment.resources);
    assert.deepEqual(
      v.filter((x) => x.policy === "arm64-images"),
      [],
    );
    assert.deepEqual(
      v.filter((x) => x.level === "mandatory"),
      [],
    );
  });

  it("the budget policy fails a stack whose requests exceed its capacity, and passes one that fits", async () => {
    // One 2Gi node: Loki's and vmsingle's 1Gi pods each fit it beside the agents' pods, and all the
    // requests together are over the budget (a 1Gi node would hold neither pod: another message).
    const small = (
      await synth("pi", { nodePools: [{ name: "pi5", arch: "arm64", count: 1, cpu: "1", memory: "2Gi" }] })
    ).export.deployment.resources;
    const fails = (await evaluateResources(small)).filter((x) => x.policy === "resource-budget");
    assert.ok(
      fails.some((x) =>
        /pool pi5: memory requests \d+Mi are \d+\.\d% of its capacity, above the 80\.0% budget/.test(
          x.message,
        ),
      ),
      fails.map((x) => x.message).join("\n"),
    );
    assert.equal(fails[0].level, "mandatory");
    const fits = (await evaluateResources((await synth("pi")).export.deployment.resources)).filter(
      (x) => x.policy === "resource-budget",
    );
    assert.deepEqual(fits, []);
    // The share is configurable: the Pi stack asks for 4.7% of its memory, so a 4% budget fails.
    const strict = (
      await evaluateResources((await synth("pi")).export.deployment.resources, {
        "resource-budget": { maxRequestShare: 0.04 },
      })
    ).filter((x) => x.policy === "resource-budget");
    assert.ok(strict.length > 0);
  });

  it("the example stack (one 8 GiB node) passes the pack; at the standard profile past a lower budget the message names the keys that make it fit", async () => {
    const pass = await evaluateResources((await synth("example")).export.deployment.resources);
    assert.deepEqual(
      pass.filter((x) => x.level === "mandatory"),
      [],
    );
    // The standard profile fits it at 79.5%, Mimir's default cap lowered to fit (the config's share
    // counts every pod the pack's does; at 80% the pack refused it, 112.3%, before): a 70% budget
    // is past it.
    const standard = (
      await evaluateResources((await synth("example", { profile: "standard" })).export.deployment.resources, {
        "resource-budget": { maxRequestShare: 0.7 },
      })
    ).filter((x) => x.policy === "resource-budget");
    assert.ok(standard.length > 0, "the standard profile is within 70% of one 8 GiB node");
    for (const v of standard)
      assert.match(
        v.message,
        /above the 70\.0% budget\. The profile is standard: `profile: lightweight` .*so does `metricsBackend: victoriametrics` alone; `loki\.canary: false` frees \d+Mi on each node, `loki\.gateway: false` \d+Mi \(their pods' requests\); or add nodes or larger ones \(`nodePools\[0\]\.count`, `nodePools\[0\]\.memory`\), or declare a smaller workload \(`workload\.\*`\)\.$/,
      );
    // Already lightweight and still too big: no profile to suggest, only capacity; and no smaller
    // workload either, its components being at the profile's floor.
    const tiny = (
      await evaluateResources(
        (
          await synth("example", {
            nodePools: [{ name: "node", arch: "amd64", count: 1, cpu: "1", memory: "2Gi" }],
          })
        ).export.deployment.resources,
      )
    ).filter((x) => x.policy === "resource-budget");
    assert.ok(tiny.length > 0);
    for (const v of tiny)
      assert.match(
        v.message,
        /The profile is already lightweight: add nodes or larger ones \(`nodePools\[0\]\.count`, `nodePools\[0\]\.memory`\)\.$/,
      );
  });

  it("a lightweight stack that chose Mimir and Alloy is told to leave them to the profile, not that it is already lightweight", async () => {
    // On one 4 GiB Pi the config refuses them now (4708Mi, its share counting every pod the pack's
    // does; the pack refused them there before): on 8 GiB, past a 50% budget.
    const v = (
      await evaluateResources(
        (
          await synth("example", {
            metricsBackend: "mimir",
            logAgent: "alloy",
            nodePools: [{ name: "pi5", arch: "arm64", count: 1, cpu: "4", memory: "8Gi" }],
          })
        ).export.deployment.resources,
        { "resource-budget": { maxRequestShare: 0.5 } },
      )
    ).filter((x) => x.policy === "resource-budget" && /above the 50\.0% budget/.test(x.message));
    assert.ok(v.length > 0, "Mimir and Alloy are within 50% of one 8 GiB Pi");
    for (const x of v)
      assert.match(
        x.message,
        /The profile is lightweight, but the stack runs Mimir \(`metricsBackend: mimir`.*\) and Alloy \(`logAgent: alloy`.*\): leave `metricsBackend` and `logAgent` to the profile, or add nodes/,
      );
  });

  it("a pod that asks for more than one node has is refused, though its pool holds it in all", async () => {
    const deployment = (name: string, memory: string, cpu: string) => ({
      urn: `urn:pulumi:t::p::kubernetes:apps/v1:Deployment::${name}`,
      type: "kubernetes:apps/v1:Deployment",
      custom: true,
      inputs: {
        metadata: { name, namespace: "monitoring" },
        spec: {
          replicas: 1,
          template: {
            spec: {
              containers: [
                { name: "c", image: "registry.example/c:1", resources: { requests: { memory, cpu } } },
              ],
            },
          },
        },
      },
    });
    // Twenty 8 GiB nodes: 160 GiB in all, so the summed budget passes.
    const pools = [{ name: "workers", count: 20, cpu: 4, memoryBytes: 8 * 2 ** 30 }];
    const judged = async (...rs: ReturnType<typeof deployment>[]) =>
      (await evaluateResources(rs, { "resource-budget": { nodePools: pools } })).filter(
        (x) => x.policy === "resource-budget",
      );
    const big = await judged(deployment("big", "12Gi", "1"));
    assert.equal(big.length, 1, big.map((x) => x.message).join("\n"));
    assert.match(
      big[0].message,
      /^Deployment big \(12288Mi of memory\): each pod requests more than one node holds beside the DaemonSets' pods on it \(pool workers: 8192Mi of memory per node\), so it would stay Pending \(a pod runs on one node\)\. Set the memory of pool workers to at least 12288Mi \(the policy's `nodePools` setting\), or lower its requests \(Deployment big: its pods' requests\)\.$/,
    );
    assert.equal(big[0].level, "mandatory");
    assert.match((await judged(deployment("cpu", "1Gi", "6")))[0]?.message ?? "", /6000m of CPU/);
    assert.deepEqual(await judged(deployment("fits", "8Gi", "4")), []);
  });

  it("the example stack file and the first-deploy tutorial state the standard profile's figure as the budget computes it", async () => {
    const b = budgetOf((await synth("example", { profile: "standard" })).export.deployment.resources)!;
    const row = b.rows[0];
    const mi = Math.round(row.sums.memory / MiB);
    // As synth prints it (policy/lib/budget.ts formatBudget).
    const pct = ((100 * row.sums.memory) / row.capacity.memory).toFixed(1);
    const comment = /The standard profile needs (\d+)Mi here, ([\d.]+)% of this node\./.exec(
      fs.readFileSync(path.join(ROOT, "Pulumi.example.yaml"), "utf8"),
    );
    assert.ok(comment, "Pulumi.example.yaml states the standard profile's figure");
    assert.deepEqual([Number(comment[1]), comment[2]], [mi, pct]);
    const tutorial = /With the `standard` profile the same\s+node would be at ([\d.]+) %/.exec(
      fs.readFileSync(path.join(ROOT, "docs/tutorials/first-deploy.md"), "utf8"),
    );
    assert.equal(tutorial?.[1], pct);
  });

  it("the Raspberry Pi how-to states the profile's requests on one node as the budget computes them, and one 4 GiB Pi within the budget", async () => {
    const b = budgetOf(
      (
        await synth("pi", {
          nodePools: [{ name: "pi4", arch: "arm64", count: 1, cpu: "4", memory: "4Gi" }],
        })
      ).export.deployment.resources,
    )!;
    const stated = /The profile requests\s+about ([\d.]+) GiB on one node/.exec(
      fs.readFileSync(path.join(ROOT, "docs/how-to/raspberry-pi.md"), "utf8"),
    );
    assert.ok(stated, "docs/how-to/raspberry-pi.md states the profile's requests on one node");
    assert.equal(stated[1], (b.total.sums.memory / 2 ** 30).toFixed(1));
    assert.ok(b.total.sums.memory <= b.share * b.total.capacity.memory, "one 4 GiB Pi passes");
  });

  it("leaves out what a Pi cannot afford: canary, gateway, chunk caches", async () => {
    const loki = release((await synth("pi")).export.deployment.resources, "loki").inputs.values;
    assert.equal(loki.lokiCanary.enabled, false);
    assert.equal(loki.gateway.enabled, false);
    assert.equal(loki.chunksCache.enabled, false);
    // Monolithic (the Pi stack file's `SingleBinary`, by the chart's name) with one pod.
    assert.equal(loki.deploymentMode, "Monolithic");
    assert.equal(loki.singleBinary.replicas, 1);
  });

  it("prints the standard staging stack's figure beside the Pi's", async () => {
    const staging = budgetOf((await synth("staging")).export.deployment.resources)!;
    const pi = budgetOf((await synth("pi")).export.deployment.resources)!;
    assert.ok(staging.total.sums.memory > pi.total.sums.memory);
  });
});

describe("each rule has exactly one evaluator in every phase", function () {
  this.timeout(60000);
  for (const backend of BACKENDS) {
    for (const phase of PHASES) {
      it(`${backend} at ${phase}`, async () => {
        const rs = (await synth("staging", { phase, metricsBackend: backend })).export.deployment.resources;
        const evaluators: string[] = [];
        const kps = rs.find((r) => r.inputs?.chart === "kube-prometheus-stack");
        if (kps && labelsMatch(kps.inputs.values.prometheus.prometheusSpec.ruleSelector, PROGRAM_RULE_LABELS))
          evaluators.push("prometheus");
        const alloyCluster = rs.find((r) => r.inputs?.chart === "alloy" && r.urn.endsWith("::alloy-cluster"));
        const rule = { name: "r", namespace: "monitoring", labels: PROGRAM_RULE_LABELS };
        if (
          alloyCluster &&
          alloyRuleSyncs(alloyCluster.inputs.values.alloy.configMap.content).some((e) => evaluates(e, rule))
        )
          evaluators.push("mimir-ruler");
        const vm = rs.find((r) => r.inputs?.chart === "victoria-metrics-k8s-stack");
        if (vm?.inputs.values.vmalert.enabled) evaluators.push("vmalert");
        assert.equal(evaluators.length, 1, `evaluators: ${evaluators.join(", ")}`);
      });
    }
  }
});
