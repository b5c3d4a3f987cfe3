import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { evaluateResources } from "../../policy/evaluate";
import type { PoolInfo } from "../../policy/lib/budget";
import { parseQuantity } from "../../policy/lib/quantity";
import { canLandOn } from "../../policy/lib/workloads";
import { HELM_HOOK_ANNOTATION, runsOnlyAtUninstall, vmOperatorEnvOf } from "@homelab-observability/contract";
import { isVmPodKind, vmOperatorBlocks } from "../../policy/lib/operatorDefaults";
import { stackNames } from "../../config/paths";
import { withRenderedObjects } from "../../synth/render/objects";
import { renderExport } from "../../synth/render/render";
import type { RawObject, ReleaseRender } from "../../synth/render/types";
import type { StackExport } from "../../synth/synthesize";
import { asRes, ROOT, tmpDir, synthCli } from "../support/helpers";
import { assertRendered, rendered, variant, type Variant } from "../support/rendered";
import { decodeStackInfo, isStackInfoLabels } from "@homelab-observability/contract";
import { chartReplicas } from "../../config/sizing";
import { injectedSidecars, vmOperatorEnv, workloadsOf } from "../../policy/lib/workloads";
import { podSpecOf } from "../../checks/objects";

const OPERATED = new Set([
  "monitoring.coreos.com/Prometheus",
  "monitoring.coreos.com/Alertmanager",
  "operator.victoriametrics.com/VMSingle",
  "operator.victoriametrics.com/VMAgent",
  "operator.victoriametrics.com/VMAlert",
  "operator.victoriametrics.com/VMAlertmanager",
]);

/**
 * Requests measured on the objects `npm run synth` wrote to <stack>.rendered.json, each running
 * container once: pod templates' containers (init containers finish first), the main container of
 * each operator-managed custom resource (spec.resources) plus prometheus-operator's config-reloader
 * into Prometheus and Alertmanager (its --config-reloader-{cpu,memory}-request flags); times replicas,
 * DaemonSets once per node of every pool they can land on.
 */
function measured(file: string): { cpu: number; memory: number; containers: string[] } {
  const doc = JSON.parse(fs.readFileSync(file, "utf8")) as { releases: ReleaseRender[]; raw: RawObject[] };
  const objects = [...doc.releases.flatMap((r) => r.objects), ...doc.raw.map((r) => r.object)];
  const info = objects.find((o) => o.metadata?.labels?.["homelab.dev/stack-info"] === "true")!;
  const pools: PoolInfo[] = JSON.parse(info.data.nodePools);
  const args = objects.flatMap((o) =>
    (podSpecOf(o)?.containers ?? []).flatMap((c: any) => c.args ?? []),
  ) as string[];
  const flag = (n: string) => args.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);
  const reloader = flag("prometheus-config-reloader")
    ? { cpu: flag("config-reloader-cpu-request"), memory: flag("config-reloader-memory-request") }
    : undefined;
  const vmEnv = vmOperatorEnvOf(objects.flatMap((o) => podSpecOf(o)?.containers ?? []));
  let cpu = 0;
  let memory = 0;
  const containers: string[] = [];
  for (const o of objects) {
    // A hook Helm runs only at uninstall is no pod of the running stack (contract runsOnlyAtUninstall).
    if (runsOnlyAtUninstall(o.metadata?.annotations?.[HELM_HOOK_ANNOTATION])) continue;
    const id = `${o.kind} ${o.metadata.namespace ?? "-"}/${o.metadata.name}`;
    const pod = podSpecOf(o);
    const requests: { name: string; cpu?: string; memory?: string }[] = [];
    if (pod) {
      for (const c of pod.containers ?? []) requests.push({ name: c.name, ...c.resources?.requests });
    } else if (OPERATED.has(`${o.apiVersion.split("/")[0]}/${o.kind}`)) {
      // The VictoriaMetrics operator's pods as it makes them: its defaults and its config reloader
      // (policy/lib/operatorDefaults.ts, where its rules are read and tested).
      const vm = isVmPodKind(o.kind) ? vmOperatorBlocks(o.kind, o.spec ?? {}, vmEnv) : undefined;
      requests.push({ name: "(operator-managed)", ...(vm ? vm.main : o.spec?.resources)?.requests });
      if (vm?.reloader) requests.push({ name: "config-reloader (the operator's)", ...vm.reloader.requests });
      if (reloader && o.apiVersion.startsWith("monitoring.coreos.com/"))
        requests.push({ name: "config-reloader (injected)", ...reloader });
    }
    if (requests.length === 0) continue;
    const scheduling = pod ?? o.spec ?? {};
    const copies =
      o.kind === "DaemonSet"
        ? pools
            .filter((p) => canLandOn(scheduling, p.labels ?? {}, p.taints ?? [], p.arch))
            .reduce((n, p) => n + p.count, 0)
        : o.kind === "Job"
          ? (o.spec?.parallelism ?? 1)
          : o.kind === "CronJob"
            ? 1
            : (o.spec?.replicas ?? o.spec?.replicaCount ?? 1);
    for (const r of requests) {
      containers.push(`${id} ${r.name}`);
      cpu += (parseQuantity(r.cpu) ?? 0) * copies;
      memory += (parseQuantity(r.memory) ?? 0) * copies;
    }
  }
  return { cpu, memory, containers };
}

/**
 * `npm run synth` and `npm run policy:check` judge each release together with its rendered objects
 * (cli/synth.ts and cli/policyCheck.ts call withRenderedObjects). What the release's values
 * would make (the pack's chart knowledge) and what Helm made from them are one thing, counted once.
 */
describe("rendered objects beside their release are counted once", function () {
  this.timeout(600000);

  /**
   * kube-prometheus-stack 88 renders its datasource ConfigMap (label grafana_datasource, Prometheus
   * `isDefault: true`) with `grafana.forceDeployDatasources` even when its Grafana is off
   * (templates/grafana/configmaps-datasources.yaml); the standalone Grafana loads it when its
   * datasource sidecar is on. Grafana refuses two defaults per org (pkg/services/provisioning/
   * datasources/config_reader.go, validateDefaultUniqueness).
   */
  async function kpsDatasourcesReachGrafana(grafanaOwnDefault: boolean): Promise<string[]> {
    const r = await rendered(variant("production", "dual-write", "mimir"));
    assertRendered(r);
    const exp = JSON.parse(JSON.stringify(r.synth.export)) as StackExport;
    const resources = exp.deployment.resources;
    const rel = (chart: string) =>
      resources.find((x) => x.type === "kubernetes:helm.sh/v3:Release" && x.inputs.chart === chart)!;
    const kps = rel("kube-prometheus-stack");
    const grafana = rel("grafana");
    assert.ok(kps && grafana, "production dual-write runs kube-prometheus-stack and Grafana");
    for (const side of [kps.inputs, kps.outputs]) {
      side.values.grafana = { ...side.values.grafana, forceDeployDatasources: true };
    }
    for (const side of [grafana.inputs, grafana.outputs]) {
      const v = side.values;
      v.sidecar = { ...v.sidecar, datasources: { enabled: true } };
      if (!grafanaOwnDefault)
        for (const doc of Object.values<any>(v.datasources ?? {}))
          for (const d of doc.datasources ?? []) d.isDefault = false;
    }
    const renders = await renderExport(exp);
    const kpsRender = renders.find((x) => x.resourceUrn === kps.urn)!;
    assert.equal(kpsRender.error, undefined, kpsRender.error);
    const cm = kpsRender.objects.filter(
      (o) => o.kind === "ConfigMap" && o.metadata.labels?.grafana_datasource !== undefined,
    );
    assert.equal(cm.length, 1, "kube-prometheus-stack renders its datasource ConfigMap");
    const found = await evaluateResources(withRenderedObjects(resources, renders), {
      all: "disabled",
      "grafana-single-default-datasource-stack": "mandatory",
    });
    return found.map((x) => x.message);
  }

  it("passes: KPS's forced datasource ConfigMap is the only default Grafana sees, once (not also from KPS's values)", async () => {
    const found = await kpsDatasourcesReachGrafana(false);
    assert.deepEqual(found, []);
  });

  it("fails: with Grafana's own default too, exactly two defaults are reported (Grafana's, KPS's rendered ConfigMap)", async () => {
    const found = await kpsDatasourcesReachGrafana(true);
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(found[0], /^2 default datasources for org 1 reach /);
    assert.match(found[0], /kube-prometheus-stack-grafana-datasource|ConfigMap/);
  });
});

describe("the budget `npm run synth` prints equals the requests measured on the rendered objects", function () {
  this.timeout(600000);
  const stacks = stackNames(ROOT);
  let out: string;
  let printed: string;
  before(async () => {
    out = tmpDir("synth-budget");
    // The command's own main in this process (cli/synthRun.ts; test/cli/cliSmoke.test.ts runs it
    // through a real process): what it prints and writes are the same.
    const r = await synthCli("--all", "--out", out);
    printed = r.stdout;
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  for (const stack of stacks)
    it(`${stack}: the printed total (cpu and memory requests) is what the rendered objects request, each container once`, () => {
      const m = measured(path.join(out, `${stack}.rendered.json`));
      assert.equal(new Set(m.containers).size, m.containers.length, "no container is measured twice");
      assert.ok(m.memory > 0 && m.cpu > 0);
      const table = printed.split(`== ${stack}: resource budget`)[1];
      assert.ok(table, `synth prints ${stack}'s budget`);
      const total = table.split("\n").find((l) => l.startsWith("total "));
      assert.ok(total, `the budget of ${stack} has a total row`);
      const [, , cpuReq, , memReq] = total.trim().split(/\s+/);
      // formatBudget's rounding: millicores and MiB.
      assert.equal(cpuReq, `${Math.round(m.cpu * 1000)}m`, `${stack}: cpu requests`);
      assert.equal(memReq, `${Math.round(m.memory / 2 ** 20)}Mi`, `${stack}: memory requests`);
    });
});

/**
 * A `chartValues` replica count replaces the program's; the config's fit checks (config/sizing.ts
 * fitProblems, through chartReplicas) count the pods the chart runs, as the pack counts them over
 * what Helm rendered: a VMCluster's parts (the operator's pods of each) and Distributed Loki's
 * StatefulSets and Deployments, each count set by an override, beside one left to the program.
 */
describe("a chartValues replica count: the pack's count over the rendered objects is the config check's", function () {
  this.timeout(600000);
  const VM = "victoria-metrics-k8s-stack";
  const chartValues = {
    [VM]: { vmcluster: { spec: { vmstorage: { replicaCount: 3 }, vmselect: { replicaCount: 3 } } } },
    loki: { ingester: { replicas: 4 }, querier: { replicas: 3 } },
  };
  const v: Variant = {
    title:
      "staging kps-removed victoriametrics, a VMCluster and Distributed Loki, replica counts in chartValues",
    stack: "staging",
    over: {
      nodePools: [{ name: "small", arch: "amd64", count: 10, cpu: "4", memory: "3Gi" }],
      workload: { activeSeries: 2_000_000, logsPerDay: "50GiB" },
      loki: { replicationFactor: 1, retention: "7d" },
      phase: "kps-removed",
      metricsBackend: "victoriametrics",
      chartValues,
    },
  };

  it("each sized component's pods, counted by fitProblems, are the pods the pack counts on the rendered objects", async () => {
    const r = await rendered(v);
    assertRendered(r);
    const resources = asRes(withRenderedObjects(r.synth.export.deployment.resources, r.renders));
    const sidecars = injectedSidecars(resources);
    const env = vmOperatorEnv(resources);
    const workloads = resources.flatMap((x) => workloadsOf(x, undefined, sidecars, env));
    const info = r.objects.map((o) => o.object).find((o) => isStackInfoLabels(o.metadata?.labels))!;
    const sized = decodeStackInfo(info.data).sized ?? [];
    const counted = sized.map((c) => {
      const pack = workloads.filter((w) => w.object === c.workload).reduce((n, w) => n + w.replicas, 0);
      const config = chartReplicas({ chartValues }, c);
      return `${c.component} pack ${pack} config ${config.replicas}${config.key ? ` (${config.key})` : ""}`;
    });
    const expected = (c: string, n: number, key?: string) =>
      `${c} pack ${n} config ${n}${key ? ` (${key})` : ""}`;
    for (const line of [
      expected("vmstorage", 3, `chartValues.${VM}.vmcluster.spec.vmstorage.replicaCount`),
      expected("vmselect", 3, `chartValues.${VM}.vmcluster.spec.vmselect.replicaCount`),
      expected("vminsert", 2),
      expected("loki ingester", 4, "chartValues.loki.ingester.replicas"),
      expected("loki querier", 3, "chartValues.loki.querier.replicas"),
      expected("loki distributor", 2),
    ])
      assert.ok(counted.includes(line), `${line}\n${counted.join("\n")}`);
    for (const line of counted) assert.match(line, / pack (\d+) config \1\b/, counted.join("\n"));
  });
});
