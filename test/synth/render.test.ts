import { checkAlloy } from "../../checks/alloy";
import { formatFindings, placedFrom } from "../../checks";
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { load as loadYaml } from "js-yaml";
import { versions } from "../../model/versions";
import { VECTOR_MIN_DISK_BUFFER_BYTES } from "../../builders/logging/vectorConfig";
import { DEFAULT_ARM64_IMAGES } from "../../policy/lib/charts";
import { parseImage } from "../../policy/lib/workloads";
import { chartArchive, ChartCacheError, chartCacheDir, helmBinary } from "../../synth/render/helm";
import { renderErrors, renderExport } from "../../synth/render/render";
import { SECRET_PLACEHOLDER } from "../../synth/render/secrets";
import type { StackObject } from "../../synth/render/types";
import { SECRET_SIG, SECRET_SIG_KEY, type ExportResource, type StackExport } from "../../synth/synthesize";
import { withRenderedObjects } from "../../synth/render/objects";
import { budgetOf } from "../../synth/report";
import { evaluateResources } from "../../policy/evaluate";
import { canLandOn } from "../../policy/lib/workloads";
import { HELM_HOOK_ANNOTATION, runsOnlyAtUninstall, vmOperatorEnvOf } from "@homelab-observability/contract";
import { isVmPodKind, vmOperatorBlocks } from "../../policy/lib/operatorDefaults";
import { parseQuantity } from "../../policy/lib/quantity";
import type { PoolInfo } from "../../policy/lib/budget";
import { podSpecOf } from "../../checks/objects";
import {
  renderStack,
  allVariants,
  assertRendered,
  renderAll,
  rendered,
  stackFileVariants,
  type RenderedStack,
} from "../support/rendered";
import { tmpDir } from "../support/helpers";
import { toolRun } from "../support/toolOutput";
import { underCi } from "../../config/ci";

const VARIANTS = allVariants();

interface ContainerUse {
  where: string;
  image: string;
  resources: any;
  init: boolean;
}

/** Every container that runs: workload pod templates, and the main container operators create from custom resources. */
function containersOf(o: StackObject, all: StackObject[]): ContainerUse[] {
  const obj = o.object;
  const where = `${o.release ? `release ${o.release.name} (${o.release.source})` : o.resourceUrn}: ${obj.kind} ${obj.metadata.name}`;
  const pod = podSpecOf(obj);
  if (pod) {
    return [
      ...(pod.containers ?? []).map((c: any) => ({
        where: `${where} container ${c.name}`,
        image: c.image,
        resources: c.resources,
        init: false,
      })),
      ...(pod.initContainers ?? []).map((c: any) => ({
        where: `${where} initContainer ${c.name}`,
        image: c.image,
        resources: c.resources,
        init: true,
      })),
    ];
  }
  const group = obj.apiVersion.split("/")[0];
  // prometheus-operator: spec.image (else the operator's default); VictoriaMetrics operator: spec.image.{repository,tag}.
  if (group === "monitoring.coreos.com" && (obj.kind === "Prometheus" || obj.kind === "Alertmanager"))
    return [
      ...operatorReloader(o, all),
      {
        where: `${where} (operator-managed)`,
        image: obj.spec?.image ?? "<operator default>",
        resources: obj.spec?.resources,
        init: false,
      },
    ];
  if (
    group === "operator.victoriametrics.com" &&
    ["VMSingle", "VMAgent", "VMAlert", "VMAlertmanager", "VMAuth"].includes(obj.kind)
  ) {
    const i = obj.spec?.image ?? {};
    const image = i.repository ? `${i.repository}${i.tag ? `:${i.tag}` : ""}` : "<operator default>";
    // The main container as the operator makes it, with its defaults where the CR leaves CPU or
    // memory unset (policy/lib/operatorDefaults.ts, where its rules are read and tested).
    const resources = isVmPodKind(obj.kind)
      ? vmOperatorBlocks(obj.kind, obj.spec ?? {}, vmEnvOf(all)).main
      : obj.spec?.resources;
    return [{ where: `${where} (operator-managed)`, image, resources, init: false }];
  }
  // A VMCluster: one main container per component, from `spec.<component>`.
  if (group === "operator.victoriametrics.com" && obj.kind === "VMCluster")
    return VM_CLUSTER_PARTS.filter((c) => obj.spec?.[c]).map((c) => {
      const i = obj.spec[c].image ?? {};
      const image = i.repository ? `${i.repository}${i.tag ? `:${i.tag}` : ""}` : "<operator default>";
      return {
        where: `${where} ${c} (operator-managed)`,
        image,
        resources: obj.spec[c].resources,
        init: false,
      };
    });
  return [];
}

const VM_CLUSTER_PARTS = ["vmstorage", "vminsert", "vmselect"] as const;
/** The VictoriaMetrics operator's environment among the stack's objects. */
const vmEnvOf = (all: StackObject[]) =>
  vmOperatorEnvOf(all.flatMap((o) => podSpecOf(o.object)?.containers ?? []));

/**
 * The config-reloader sidecar prometheus-operator injects into Prometheus and Alertmanager pods:
 * image and requests come from the operator's flags (`--config-reloader-cpu-request=0` means none).
 */
function operatorReloader(o: StackObject, all: StackObject[]): ContainerUse[] {
  const operator = all.find(
    (x) =>
      x.resourceUrn === o.resourceUrn &&
      x.object.kind === "Deployment" &&
      (x.object.spec?.template?.spec?.containers ?? []).some((c: any) =>
        (c.args ?? []).some((a: string) => a.startsWith("--prometheus-config-reloader=")),
      ),
  );
  if (!operator) return [];
  const args: string[] = operator.object.spec.template.spec.containers.flatMap((c: any) => c.args ?? []);
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const request = (v: string | undefined) => (v && v !== "0" ? v : undefined);
  return [
    {
      where: `${o.object.kind} ${o.object.metadata.name} config-reloader (injected by ${operator.object.metadata.name})`,
      image: flag("prometheus-config-reloader") ?? "<operator default>",
      resources: {
        requests: {
          cpu: request(flag("config-reloader-cpu-request")),
          memory: request(flag("config-reloader-memory-request")),
        },
      },
      init: false,
    },
  ];
}

/** `registry/repository:tag` with Docker Hub's implicit parts, for comparing references. */
function normal(image: string): string {
  const { repository, tag } = parseImage(image);
  return `${repository}:${tag}`;
}
const PINNED = new Map(
  Object.entries(versions.images).map(([k, v]) => [normal(`${v.registry}/${v.repository}:${v.tag}`), k]),
);

describe("rendering with the real Helm", function () {
  this.timeout(300000);
  let all: RenderedStack[] = [];
  before(async () => {
    all = await renderAll(VARIANTS);
  });

  it("finds Helm 3 and the pinned charts", () => {
    const helm = helmBinary();
    // Asked of this Helm binary once, then read from the fixture cache (a new binary asks again).
    const v = toolRun(helm, ["version", "--short"]);
    assert.equal(v.status, 0, `${helm} runs: ${v.stderr}`);
    assert.match(v.stdout, /^v3\./);
    const cache = chartCacheDir();
    for (const c of Object.values(versions.charts))
      assert.ok(
        fs.existsSync(path.join(cache, `${c.chart}-${c.version}.tgz`)),
        `${c.chart}-${c.version}.tgz in ${cache}`,
      );
  });

  for (const v of VARIANTS) {
    describe(v.title, () => {
      const get = () => all.find((r) => r.title === v.title)!;

      it("renders every release", () => {
        const r = get();
        assertRendered(r);
        const releases = r.synth.export.deployment.resources.filter(
          (x) => x.type === "kubernetes:helm.sh/v3:Release",
        );
        assert.equal(r.renders.length, releases.length);
        for (const rel of r.renders) assert.ok(rel.objects.length > 0, `${rel.releaseName} renders objects`);
      });

      it("runs only images pinned in model/versions.ts, each known to publish arm64", () => {
        const problems: string[] = [];
        for (const o of get().objects)
          for (const c of containersOf(o, get().objects)) {
            if (!PINNED.has(normal(c.image)))
              problems.push(`${c.where} runs "${c.image}", not an image of versions.images`);
            else if (!DEFAULT_ARM64_IMAGES.includes(parseImage(c.image).repository))
              problems.push(`${c.where} runs "${c.image}", which the arm64-images policy does not know`);
          }
        assert.deepEqual(problems, []);
      });

      it("renders a ServiceMonitor for every release whose values enable one", () => {
        const r = get();
        const problems: string[] = [];
        for (const rel of r.renders) {
          const res = r.synth.export.deployment.resources.find((x) => x.urn === rel.resourceUrn)!;
          const asked = enabledServiceMonitors(res.inputs.values, "values");
          const monitors = rel.objects.filter(
            (o) => o.kind === "ServiceMonitor" || o.kind === "VMServiceScrape",
          );
          if (asked.length > 0 && monitors.length === 0)
            problems.push(
              `${rel.releaseName} (${rel.chart} ${rel.version}): ${asked.join(", ")} is true but no ServiceMonitor renders`,
            );
        }
        assert.deepEqual(problems, []);
      });

      it("gives every container CPU and memory requests", () => {
        const problems: string[] = [];
        for (const o of get().objects)
          for (const c of containersOf(o, get().objects))
            if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory)
              problems.push(`${c.where}: requests ${JSON.stringify(c.resources?.requests ?? null)}`);
        assert.deepEqual(problems, []);
      });

      it("generates Alloy configs that Alloy's parser and component reference accept (upstream/alloy, Alloy v1.12.0)", function () {
        const objects = placedFrom(get().objects);
        const report = checkAlloy(objects);
        if (report.configs === 0) return;
        if (report.notRun.length > 0) {
          if (underCi()) throw new Error(report.notRun.join("; "));
          console.warn(`\n  !!! ${report.notRun.join("; ")}\n`);
        }
        assert.deepEqual(formatFindings(report.findings), "");
      });
    });
  }

  for (const v of VARIANTS) {
    it(`${v.title}: the budget the synthesis prints equals the requests measured on rendered objects`, () => {
      const r = all.find((x) => x.title === v.title)!;
      const resources = r.synth.export.deployment.resources;
      const budget = budgetOf(withRenderedObjects(resources, r.renders));
      assert.ok(budget, "the stack records its node pools");
      // Measured here from the objects alone: containers (sidecars and operator-injected ones
      // included, init containers not: they finish before the others start), times replicas, and
      // DaemonSets once per node of every pool they can land on.
      const info = r.objects.find((o) => o.object.metadata?.labels?.["homelab.dev/stack-info"] === "true")!;
      const pools: PoolInfo[] = JSON.parse(info.object.data.nodePools);
      let cpu = 0;
      let memory = 0;
      for (const o of r.objects) {
        // A hook Helm runs only at uninstall is no pod of the running stack (contract runsOnlyAtUninstall).
        if (runsOnlyAtUninstall(o.object.metadata?.annotations?.[HELM_HOOK_ANNOTATION])) continue;
        if (o.object.kind === "VMCluster") {
          // Each component has its own replica count.
          for (const c of VM_CLUSTER_PARTS) {
            const part = o.object.spec?.[c];
            if (!part) continue;
            const { requests } = vmOperatorBlocks(c, part, vmEnvOf(r.objects)).main;
            cpu += (parseQuantity(requests?.cpu) ?? 0) * (part.replicaCount ?? 1);
            memory += (parseQuantity(requests?.memory) ?? 0) * (part.replicaCount ?? 1);
          }
          continue;
        }
        // The VictoriaMetrics operator's config reloader beside the main container, where its pods run one.
        const vmReloader = isVmPodKind(o.object.kind)
          ? vmOperatorBlocks(o.object.kind, o.object.spec ?? {}, vmEnvOf(r.objects)).reloader
          : undefined;
        const running = [
          ...containersOf(o, r.objects).filter((c) => !c.init),
          ...(vmReloader ? [{ resources: vmReloader }] : []),
        ];
        if (running.length === 0) continue;
        const spec = o.object.spec ?? {};
        const pod = podSpecOf(o.object) ?? spec;
        const each = running.reduce(
          (t, c) => ({
            cpu: t.cpu + (parseQuantity(c.resources?.requests?.cpu) ?? 0),
            memory: t.memory + (parseQuantity(c.resources?.requests?.memory) ?? 0),
          }),
          { cpu: 0, memory: 0 },
        );
        let copies: number;
        if (o.object.kind === "DaemonSet")
          copies = pools
            .filter((p) =>
              canLandOn(
                { nodeSelector: pod.nodeSelector, affinity: pod.affinity, tolerations: pod.tolerations },
                p.labels,
                p.taints,
              ),
            )
            .reduce((n, p) => n + p.count, 0);
        else if (o.object.kind === "Job") copies = spec.parallelism ?? 1;
        else if (o.object.kind === "CronJob") copies = 1;
        else copies = spec.replicas ?? spec.replicaCount ?? 1;
        cpu += each.cpu * copies;
        memory += each.memory * copies;
      }
      assert.ok(
        Math.abs(budget.total.sums.cpu - cpu) < 1e-9,
        `cpu: budget ${budget.total.sums.cpu}, measured ${cpu}`,
      );
      assert.ok(
        Math.abs(budget.total.sums.memory - memory) < 1,
        `memory: budget ${budget.total.sums.memory}, measured ${memory}`,
      );
      assert.ok(memory > 0);
    });
  }

  it("the pack judges rendered objects, not its chart knowledge, when they stand beside the release", async () => {
    const r = await rendered(stackFileVariants().find((s) => s.stack === "pi")!);
    const resources: ExportResource[] = JSON.parse(JSON.stringify(r.synth.export.deployment.resources));
    const arm64 = (rs: ExportResource[]) =>
      evaluateResources(rs, { all: "disabled", "arm64-images": "mandatory" }).then((vs) =>
        vs.map((x) => x.message),
      );
    assert.deepEqual(await arm64(withRenderedObjects(resources, r.renders)), []);
    // A rendered DaemonSet running an image nobody knows for arm64 is caught, attributed to its release.
    const renders = JSON.parse(JSON.stringify(r.renders)) as typeof r.renders;
    const ds = renders
      .find((x) => x.chart === "vector" && x.namespace === "monitoring-agents")!
      .objects.find((o) => o.kind === "DaemonSet")!;
    ds.spec.template.spec.containers[0].image = "docker.io/example/x86-only:1.0";
    const found = await arm64(withRenderedObjects(resources, renders));
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(
      found[0],
      /DaemonSet "vector-agents\/monitoring-agents\/vector".*docker\.io\/example\/x86-only/,
    );
    // The release's values alone (what live `pulumi preview` sees) are judged by chart knowledge,
    // which rendering replaces: a values image the objects do not run is no finding offline.
    const vector = resources.find(
      (x) =>
        x.type === "kubernetes:helm.sh/v3:Release" &&
        x.inputs.chart === "vector" &&
        x.inputs.namespace === "monitoring-agents",
    )!;
    for (const side of [vector.inputs, vector.outputs])
      side.values.image = { repository: "example/x86-only", tag: "1.0" };
    assert.equal((await arm64(resources)).length, 1, "live path: chart knowledge sees the values image");
    assert.deepEqual(
      await arm64(withRenderedObjects(resources, r.renders)),
      [],
      "offline path: the objects decide",
    );
  });

  it("hands Vector its own templates through Helm's tpl and keeps its disk-buffer minimum", async () => {
    const r = await rendered(stackFileVariants().find((s) => s.stack === "pi")!);
    assertRendered(r);
    const cm = r.objects.find((o) => o.release?.chart === "vector" && o.object.kind === "ConfigMap");
    assert.ok(cm, "the vector chart renders its config");
    const [file, text] = Object.entries<string>(cm.object.data)[0];
    const cfg: any = loadYaml(text);
    assert.ok(!text.includes("print"), `${file} still holds Helm actions`);
    const labels = cfg.sinks.loki_pods.labels;
    assert.equal(labels.namespace, "{{ kubernetes.pod_namespace }}");
    assert.equal(labels.app, '{{ kubernetes.pod_labels."app.kubernetes.io/name" }}');
    assert.equal(labels.job, "{{ kubernetes.pod_namespace }}/{{ kubernetes.container_name }}");
    assert.equal(cfg.sinks.loki_journal.labels.unit, "{{ _SYSTEMD_UNIT }}");
    for (const [name, sink] of Object.entries<any>(cfg.sinks))
      if (sink.buffer?.type === "disk")
        assert.ok(
          sink.buffer.max_size >= VECTOR_MIN_DISK_BUFFER_BYTES,
          `${name}: disk buffer ${sink.buffer.max_size} < ${VECTOR_MIN_DISK_BUFFER_BYTES}`,
        );
    // journald runs `journalctl`, which only the non-distroless images ship.
    if (Object.values<any>(cfg.sources).some((s) => s.type === "journald")) {
      const ds = r.objects.find((o) => o.release?.chart === "vector" && o.object.kind === "DaemonSet")!;
      const image = ds.object.spec.template.spec.containers[0].image;
      assert.doesNotMatch(image, /distroless/, `${image} lacks journalctl`);
    }
  });

  it("fails loudly under CI when a pinned chart is missing from the chart cache", async () => {
    const empty = tmpDir("charts");
    await assert.rejects(
      chartArchive("loki", versions.charts.loki.version, versions.charts.loki.repo, {
        cache: empty,
        helm: helmBinary(),
        pull: false,
      }),
      (e: Error) =>
        e instanceof ChartCacheError &&
        e.message.includes(`loki-${versions.charts.loki.version}.tgz`) &&
        e.message.includes(
          `helm pull --repo ${versions.charts.loki.repo} loki --version ${versions.charts.loki.version}`,
        ) &&
        // Offline, the two ways out are named.
        e.message.includes("HOMELAB_CHART_CACHE") &&
        e.message.includes("--no-render"),
    );
    const saved = process.env.CI;
    // `1`, as some CI services spell it: CI is any value but empty or `false` (config/ci.ts).
    process.env.CI = "1";
    try {
      const r = await rendered(stackFileVariants()[0]);
      // Every archive the stack needs is named, each with the command that fetches it: not the first.
      const archives = [
        ...new Set(
          r.synth.export.deployment.resources
            .filter((x) => x.type === "kubernetes:helm.sh/v3:Release")
            .map((x) => `${x.inputs.chart}-${x.inputs.version}.tgz`),
        ),
      ];
      assert.ok(archives.length > 1, "the stack renders several charts");
      await assert.rejects(renderExport(r.synth.export, { chartCache: empty }), (e: Error) => {
        assert.ok(e instanceof ChartCacheError);
        assert.match(
          e.message,
          new RegExp(
            `lacks ${archives.length} of the ${archives.length} chart archives this stack renders \\(and CI never pulls\\)`,
          ),
        );
        assert.deepEqual(e.missing.map((m) => m.archive).sort(), [...archives].sort());
        for (const a of archives) assert.ok(e.message.includes(a), `${a} named in: ${e.message}`);
        assert.equal(e.message.match(/helm pull --repo /g)?.length, archives.length, e.message);
        return true;
      });
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it("names each file in the chart cache that is no chart archive, with what it holds and the command that replaces it", async () => {
    const r = await rendered(stackFileVariants()[0]);
    const releases = r.synth.export.deployment.resources.filter(
      (x) => x.type === "kubernetes:helm.sh/v3:Release",
    );
    const archives = [...new Set(releases.map((x) => `${x.inputs.chart}-${x.inputs.version}.tgz`))];
    const [text, cut] = archives;
    const cache = tmpDir("charts-broken");
    for (const a of archives.slice(2)) fs.symlinkSync(path.join(chartCacheDir(), a), path.join(cache, a));
    // A saved error page, and a download cut short (gzip's header, then nothing whole).
    fs.writeFileSync(path.join(cache, text), "garbage\n");
    fs.writeFileSync(
      path.join(cache, cut),
      fs.readFileSync(path.join(chartCacheDir(), cut)).subarray(0, 100),
    );
    const pull = (archive: string) => {
      const x = releases.find((y) => `${y.inputs.chart}-${y.inputs.version}.tgz` === archive)!;
      return `    helm pull --repo ${x.inputs.repositoryOpts.repo} ${x.inputs.chart} --version ${x.inputs.version} -d ${cache}\n`;
    };
    await assert.rejects(
      renderExport(r.synth.export, { chartCache: cache, cacheDir: false, pull: false }),
      (e: Error) => {
        assert.ok(e instanceof ChartCacheError, e.stack);
        assert.ok(
          e.message.includes(
            `${text} (there, but not a chart archive: found 8 bytes of text, not gzip data, whose first line is "garbage")`,
          ),
          e.message,
        );
        assert.ok(
          e.message.includes(
            `${cut} (there, but not a chart archive: found a damaged or truncated gzip file, zlib: unexpected end of file)`,
          ),
          e.message,
        );
        assert.match(
          e.message,
          new RegExp(`lacks 2 of the ${archives.length} chart archives this stack renders`),
        );
        for (const a of [text, cut]) assert.ok(e.message.includes(pull(a)), e.message);
        return true;
      },
    );
  });

  it("hands Helm placeholders for Pulumi secrets, never their ciphertext", async () => {
    const r = await rendered(stackFileVariants().find((s) => s.stack === "staging")!);
    const exp: StackExport = JSON.parse(JSON.stringify(r.synth.export));
    const grafana = exp.deployment.resources.find(
      (x) => x.type === "kubernetes:helm.sh/v3:Release" && x.inputs.chart === "grafana",
    )!;
    grafana.inputs.values["grafana.ini"].server.root_url = {
      [SECRET_SIG_KEY]: SECRET_SIG,
      ciphertext: "v1:do-not-leak",
    };
    const [out] = (await renderExport(exp)).filter((x) => x.chart === "grafana");
    const text = JSON.stringify(out.objects);
    assert.ok(!text.includes("do-not-leak"));
    assert.ok(text.includes(SECRET_PLACEHOLDER), "the placeholder reaches grafana.ini");
  });

  it("fails a release with the chart's own message when a template errors", async () => {
    const r = await rendered(stackFileVariants().find((s) => s.stack === "pi")!);
    const exp: StackExport = JSON.parse(JSON.stringify(r.synth.export));
    const vector = exp.deployment.resources.find(
      (x) =>
        x.type === "kubernetes:helm.sh/v3:Release" &&
        x.inputs.chart === "vector" &&
        x.inputs.namespace === "monitoring-agents",
    )!;
    // The old escape: a double quote inside `print "..."` ends the Go string.
    vector.inputs.values.customConfig.sinks.loki_pods.labels.app =
      '{{ print "{{ kubernetes.pod_labels."app" }}" }}';
    const renders = await renderExport(exp);
    const errors = renderErrors(renders);
    assert.equal(errors.length, 1, errors.join("\n"));
    assert.match(
      errors[0],
      /^vector \(vector 0\.56\.0\): Error: template: vector\/templates\/.*error calling tpl/s,
    );
    await assert.rejects(renderStack(exp), /helm template failed:\nvector \(vector 0\.56\.0\)/);
  });
});

/** Paths of `serviceMonitor.enabled: true` anywhere in a values tree. */
function enabledServiceMonitors(v: any, at: string): string[] {
  if (!v || typeof v !== "object") return [];
  return Object.entries<any>(v).flatMap(([k, child]) =>
    k === "serviceMonitor" && child?.enabled === true
      ? [`${at}.serviceMonitor.enabled`]
      : enabledServiceMonitors(child, `${at}.${k}`),
  );
}
