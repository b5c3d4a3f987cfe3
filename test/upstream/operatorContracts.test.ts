import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { parseManifest } from "../../synth/render/manifest";
import { versions } from "../../model/versions";
import {
  KPS_PORT_NAME,
  kpsAlertmanagerName,
  prometheusName,
  VM_ALERTMANAGER_PORT_NAME,
} from "../../model/services";
import { chartCacheDir, helmBinary } from "../../synth/render/helm";
import { operatorObjects, type Placed } from "../../checks/objects";
import {
  ALERTMANAGER_MESH,
  PROMETHEUS_OPERATOR_VERSION,
  READ_FIELDS,
  RELOADER_PORT,
  SERVERS,
  serverPortName,
  type OperatorServer,
} from "../../upstream/operators/prometheusOperator";
import {
  VM_CLUSTER,
  VM_KINDS,
  VM_OPERATOR_READS,
  VM_OPERATOR_VERSION,
  VM_KIND_READ_FIELDS,
  VM_READ_FIELDS,
  vmPortName,
  type VmClusterComponent,
  type VmKind,
} from "../../upstream/operators/victoriaMetrics";
import { matrixVariants, renderAll, stackFileVariants, VM_CLUSTER_VARIANT } from "../support/rendered";
import { toolOutput } from "../support/toolOutput";
import { underCi } from "../../config/ci";

/**
 * `helm show chart` or `helm template` of a pinned chart archive: the chart's own words, not a copy
 * of them (prometheus-operator-crds ships its CRDs as templates, so `show crds` is empty).
 */
function helm(what: "chart" | "template" | "crds", chart: { chart: string; version: string }): string {
  const archive = path.join(chartCacheDir(), `${chart.chart}-${chart.version}.tgz`);
  if (!fs.existsSync(archive)) {
    const why = `no chart archive ${archive} (set HOMELAB_CHART_CACHE)`;
    if (underCi()) throw new Error(`${why}; CI needs it`);
    console.warn(`\n  !!! ${why}\n`);
  }
  const args =
    what === "chart"
      ? ["show", "chart", archive]
      : what === "crds"
        ? ["show", "crds", archive]
        : ["template", "crds", archive];
  // Asked of helm once per helm binary and archive content, then read from the fixture cache.
  return toolOutput(helmBinary(), args, [archive]);
}

/** The objects of Helm's output, parsed as the synthesis parses every render (synth/render/manifest.ts). */
const crdsOf = (text: string): any[] => parseManifest(text).objects;

/**
 * The operator contract (upstream/operators/prometheusOperator.ts) against the pinned charts: the
 * version it was read at is the one the charts deploy, and each default it relies on is the one the
 * CRD in prometheus-operator-crds states. The operator's code (port name = portName, the reloader's
 * port) was read, not run, at that version; the CRDs are read here.
 */
describe("upstream/operators: prometheus-operator's contract at the pinned charts", function () {
  this.timeout(60_000);

  it("was read at the operator version both pinned charts deploy (their appVersion)", () => {
    for (const chart of [versions.charts.kubePrometheusStack, versions.charts.prometheusOperatorCrds]) {
      const meta = parse(helm("chart", chart)) as { appVersion: string };
      assert.equal(
        meta.appVersion,
        PROMETHEUS_OPERATOR_VERSION,
        `${chart.chart} ${chart.version} deploys prometheus-operator ${meta.appVersion}; read its source at that tag and refresh upstream/operators/prometheusOperator.ts`,
      );
    }
  });

  it("each server's default portName is the one its CRD states (schema default and description)", () => {
    const crds = crdsOf(helm("template", versions.charts.prometheusOperatorCrds));
    for (const kind of Object.keys(SERVERS) as OperatorServer[]) {
      const crd = crds.find((c) => c?.kind === "CustomResourceDefinition" && c.spec?.names?.kind === kind);
      assert.ok(crd, `prometheus-operator-crds has the ${kind} CRD`);
      const version = crd.spec.versions.find((v: any) => v.storage);
      const field = version.schema.openAPIV3Schema.properties.spec.properties.portName;
      assert.equal(field.default, SERVERS[kind].defaultPortName, `${kind} spec.portName default`);
      assert.match(field.description, new RegExp(`[Dd]efault.*${SERVERS[kind].defaultPortName}`));
    }
  });

  it("each field naming a Secret or ConfigMap the pods read is in the CRD, of the form read", () => {
    const crds = crdsOf(helm("template", versions.charts.prometheusOperatorCrds));
    for (const kind of Object.keys(READ_FIELDS) as OperatorServer[]) {
      const crd = crds.find((c) => c?.kind === "CustomResourceDefinition" && c.spec?.names?.kind === kind);
      const spec = crd.spec.versions.find((v: any) => v.storage).schema.openAPIV3Schema.properties.spec;
      for (const f of READ_FIELDS[kind]) {
        const field = spec.properties[f.field];
        const where = `${kind} spec.${f.field}`;
        assert.ok(field, `${where} is in the CRD`);
        if (f.unlessSet) assert.ok(spec.properties[f.unlessSet], `${kind} spec.${f.unlessSet} is in the CRD`);
        if (f.form === "names") assert.equal(field.items?.type, "string", `${where}: a list of names`);
        if (f.form === "name") assert.equal(field.type, "string", `${where}: a name`);
        if (f.form === "keyRef")
          assert.deepEqual(field.required, ["key"], `${where}: a SecretKeySelector (name, key)`);
      }
    }
  });

  it("labels the pods as the operator does, its selector labels over spec.podMetadata.labels", () => {
    const cr = (kind: OperatorServer): Placed => ({
      urn: "urn:cr",
      source: "test",
      obj: {
        apiVersion: SERVERS[kind].apiVersion,
        kind,
        metadata: { name: "p", namespace: "m" },
        spec: { podMetadata: { labels: { team: "obs", "app.kubernetes.io/instance": "x" } } },
      },
    });
    const labels = (kind: OperatorServer) =>
      operatorObjects([cr(kind)]).find((o) => o.obj.kind === "StatefulSet")!.obj.spec.template.metadata
        .labels;
    assert.deepEqual(labels("Prometheus"), {
      team: "obs",
      "app.kubernetes.io/managed-by": "prometheus-operator",
      "app.kubernetes.io/instance": "p",
      "app.kubernetes.io/name": "prometheus",
      "operator.prometheus.io/name": "p",
      prometheus: "p",
      "operator.prometheus.io/shard": "0",
    });
    assert.deepEqual(labels("Alertmanager"), {
      team: "obs",
      "app.kubernetes.io/managed-by": "prometheus-operator",
      "app.kubernetes.io/instance": "p",
      "app.kubernetes.io/name": "alertmanager",
      alertmanager: "p",
    });
    assert.deepEqual(labels("PrometheusAgent"), {
      team: "obs",
      "app.kubernetes.io/managed-by": "prometheus-operator",
      "app.kubernetes.io/instance": "p",
      "app.kubernetes.io/name": "prometheus-agent",
      "operator.prometheus.io/name": "p",
      "operator.prometheus.io/shard": "0",
    });
  });

  it("names the pods' and the governing Service's port after spec.portName, else the CRD default", () => {
    const cr = (kind: OperatorServer, spec: Record<string, unknown>): Placed => ({
      urn: "urn:cr",
      source: "test",
      obj: { apiVersion: SERVERS[kind].apiVersion, kind, metadata: { name: "p", namespace: "m" }, spec },
    });
    const names = {
      Prometheus: "prometheus",
      Alertmanager: "alertmanager",
      PrometheusAgent: "prometheus-agent",
    };
    for (const kind of Object.keys(SERVERS) as OperatorServer[]) {
      for (const [spec, want] of [
        [{}, SERVERS[kind].defaultPortName],
        [{ portName: "http-web" }, "http-web"],
      ] as const) {
        assert.equal(serverPortName(kind, spec), want);
        const made = operatorObjects([cr(kind, spec)]);
        const pod = made.find((o) => o.obj.kind === "StatefulSet")!;
        const ports = pod.obj.spec.template.spec.containers.flatMap((c: any) => c.ports);
        const mesh = kind === "Alertmanager" ? ALERTMANAGER_MESH : [];
        assert.deepEqual(
          ports.map((p: any) => [p.name, p.containerPort]),
          [
            [want, SERVERS[kind].port],
            ...mesh.map((m) => [m.containerName, m.port]),
            [RELOADER_PORT.name, RELOADER_PORT.port],
          ],
        );
        const svc = made.find((o) => o.obj.kind === "Service")!;
        assert.equal(svc.obj.metadata.name, SERVERS[kind].governingService);
        assert.deepEqual(
          svc.obj.spec.ports.map((p: any) => [p.name, p.port, p.targetPort]),
          [[want, SERVERS[kind].port, want], ...mesh.map((m) => [m.serviceName, m.port, m.containerName])],
        );
        assert.deepEqual(svc.obj.spec.selector, { "app.kubernetes.io/name": names[kind] });
        assert.equal(pod.obj.metadata.name, `${SERVERS[kind].prefix}-p`);
      }
    }
  });

  it("every stack's rendered Prometheus and Alertmanager carry the portName the NetworkPolicies admit", async function () {
    this.timeout(600_000);
    const rendered = await renderAll([...stackFileVariants(), ...matrixVariants()]);
    let seen = 0;
    // The operator makes pods of other kinds too; the model (operatorObjects) covers these two only.
    const podMaking = ["Prometheus", "Alertmanager", "ThanosRuler", "PrometheusAgent"];
    for (const r of rendered) {
      for (const { object: o } of r.objects)
        if (o.apiVersion?.startsWith("monitoring.coreos.com/") && podMaking.includes(o.kind))
          assert.ok(o.kind === "Prometheus" || o.kind === "Alertmanager", `${r.title}: unmodelled ${o.kind}`);
      for (const { object: o } of r.objects) {
        if (o.apiVersion !== "monitoring.coreos.com/v1") continue;
        if (o.kind !== "Prometheus" && o.kind !== "Alertmanager") continue;
        if (o.metadata.name !== prometheusName() && o.metadata.name !== kpsAlertmanagerName()) continue;
        seen++;
        assert.equal(
          serverPortName(o.kind, o.spec),
          KPS_PORT_NAME,
          `${r.title}: ${o.kind} ${o.metadata.name}`,
        );
      }
    }
    assert.ok(seen > 0, "some variant runs kube-prometheus-stack");
  });
});

/**
 * The VictoriaMetrics operator's contract (upstream/operators/victoriaMetrics.ts) against the pinned
 * chart and image. The operator's code (names, labels, port names, defaults) was read, not run, at
 * the version the program runs; the CRDs the chart ships are read here.
 */
describe("upstream/operators: the VictoriaMetrics operator's contract at the pinned chart", function () {
  this.timeout(60_000);
  const crdSpec = (crds: any[], kind: string) => {
    const crd = crds.find((c) => c?.kind === "CustomResourceDefinition" && c.spec?.names?.kind === kind);
    assert.ok(crd, `victoria-metrics-k8s-stack ships the ${kind} CRD`);
    return crd.spec.versions.find((v: any) => v.storage).schema.openAPIV3Schema.properties.spec.properties;
  };

  it("was read at the operator version the program runs (versions.images.vmOperator)", () => {
    assert.equal(
      versions.images.vmOperator.tag,
      VM_OPERATOR_VERSION,
      `the program runs operator ${versions.images.vmOperator.tag}; read its source at that tag and refresh upstream/operators/victoriaMetrics.ts`,
    );
  });

  it("every field the model reads is in the CRD the chart ships, typed as read, with no default but the operator's", () => {
    const crds = crdsOf(helm("crds", versions.charts.victoriaMetricsStack));
    const judge = (where: string, field: any, ours: string) => {
      assert.ok(field, `${where} is in the CRD`);
      assert.equal(field.type, "string", `${where} is typed string (the model parses a string)`);
      // The chart's CRDs state no default for these fields: the operator's code decides (the
      // model's default). Should a CRD start stating one, it must be the model's.
      assert.equal(field.default ?? ours, ours, `${where}: the CRD states default ${field.default}`);
    };
    for (const kind of Object.keys(VM_KINDS) as VmKind[]) {
      const spec = crdSpec(crds, kind);
      judge(`${kind} spec.port`, spec.port, VM_KINDS[kind].defaultPort);
      if (VM_KINDS[kind].portNameField)
        judge(`${kind} spec.portName`, spec.portName, VM_KINDS[kind].defaultPortName);
      else
        assert.equal(
          spec.portName,
          undefined,
          `${kind} has no spec.portName: its port name is the operator's`,
        );
      assert.equal(spec.podMetadata?.type, "object", `${kind} spec.podMetadata`);
    }
    const cluster = crdSpec(crds, "VMCluster");
    for (const app of Object.keys(VM_CLUSTER) as VmClusterComponent[])
      for (const p of VM_CLUSTER[app].ports)
        judge(`VMCluster spec.${app}.${p.field}`, cluster[app]?.properties?.[p.field], p.defaultPort);
  });

  it("the fields naming Secrets and ConfigMaps the pods mount are lists of names in every workload CRD", () => {
    const crds = crdsOf(helm("crds", versions.charts.victoriaMetricsStack));
    const cluster = crdSpec(crds, "VMCluster");
    const specs = [
      ...(Object.keys(VM_KINDS) as VmKind[]).map((kind) => [kind, crdSpec(crds, kind)] as const),
      ...(Object.keys(VM_CLUSTER) as VmClusterComponent[]).map(
        (app) => [`VMCluster ${app}`, cluster[app]?.properties] as const,
      ),
    ];
    for (const [where, spec] of specs)
      for (const f of VM_READ_FIELDS)
        assert.equal(spec?.[f.field]?.items?.type, "string", `${where} spec.${f.field}: a list of names`);
  });

  it("each field of one kind naming a Secret the pods read is in its CRD, of the form read", () => {
    const crds = crdsOf(helm("crds", versions.charts.victoriaMetricsStack));
    for (const [kind, fields] of Object.entries(VM_KIND_READ_FIELDS) as [
      VmKind,
      typeof VM_KIND_READ_FIELDS.VMAgent,
    ][])
      for (const f of fields ?? []) {
        const where = `${kind} spec.${f.field}`;
        const field = crdSpec(crds, kind)[f.field];
        assert.ok(field, `${where} is in the CRD`);
        if (f.form === "name") assert.equal(field.type, "string", `${where}: a name`);
        // The chart's CRDs carry no schema below some fields (x-kubernetes-preserve-unknown-fields):
        // a SecretKeySelector is then an object, its `key` required where it is described.
        if (f.form === "keyRef") {
          assert.equal(field.type, "object", `${where}: a SecretKeySelector (name, key)`);
          if (field.properties) assert.deepEqual(field.required, ["key"], `${where}: its key required`);
        }
      }
  });

  it("models each CR's workload, Service, labels and ports from its fields, else the operator's defaults", () => {
    const cr = (kind: string, spec: Record<string, unknown>): Placed => ({
      urn: "urn:cr",
      source: "test",
      obj: {
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind,
        metadata: { name: "vm", namespace: "m" },
        spec,
      },
    });
    const made = (kind: string, spec: Record<string, unknown>) => {
      const objs = operatorObjects([cr(kind, spec)]);
      const workload = objs.find((o) => o.obj.kind === "Deployment" || o.obj.kind === "StatefulSet")!;
      const service = objs.find((o) => o.obj.kind === "Service")!;
      return {
        workload,
        service,
        labels: workload.obj.spec.template.metadata.labels,
        ports: workload.obj.spec.template.spec.containers[0].ports.map((p: any) => [p.name, p.containerPort]),
      };
    };
    const single = made("VMSingle", {});
    assert.equal(single.workload.obj.metadata.name, "vmsingle-vm");
    assert.deepEqual(single.ports, [["http", 8429]]);
    assert.deepEqual(made("VMSingle", { port: "8428" }).ports, [["http", 8428]]);
    const labelled = made("VMAgent", {
      podMetadata: { labels: { team: "obs", "app.kubernetes.io/name": "x" } },
    });
    assert.deepEqual(labelled.labels, {
      team: "obs",
      "app.kubernetes.io/name": "vmagent",
      "app.kubernetes.io/instance": "vm",
      "app.kubernetes.io/component": "monitoring",
      "managed-by": "vm-operator",
    });
    assert.deepEqual(labelled.service.obj.spec.selector, {
      "app.kubernetes.io/name": "vmagent",
      "app.kubernetes.io/instance": "vm",
      "app.kubernetes.io/component": "monitoring",
      "managed-by": "vm-operator",
    });
    for (const [spec, name] of [
      [{}, "web"],
      [{ portName: "alerts" }, "alerts"],
    ] as const) {
      assert.equal(vmPortName("VMAlertmanager", spec), name);
      const am = made("VMAlertmanager", spec);
      assert.equal(am.workload.obj.kind, "StatefulSet");
      assert.deepEqual(am.ports, [
        [name, 9093],
        ["mesh-tcp", 9094],
        ["mesh-udp", 9094],
      ]);
      assert.deepEqual(am.service.obj.spec.ports, [{ name: "http", port: 9093, targetPort: name }]);
      assert.equal(am.service.obj.spec.clusterIP, "None");
    }
    const cluster = operatorObjects([
      cr("VMCluster", { vmstorage: {}, vminsert: { port: "8480" }, vmselect: {} }),
    ]);
    const storage = cluster.find(
      (o) => o.obj.kind === "StatefulSet" && o.obj.metadata.name === "vmstorage-vm",
    )!;
    assert.deepEqual(
      storage.obj.spec.template.spec.containers[0].ports.map((p: any) => [p.name, p.containerPort]),
      [
        ["http", 8482],
        ["vminsert", 8400],
        ["vmselect", 8401],
      ],
    );
    assert.throws(
      () => operatorObjects([cr("VMSingle", { port: "http" })]),
      /spec\.port: expected a port number/,
    );
  });

  it("every rendered VMAlertmanager carries the portName the NetworkPolicies admit", async function () {
    this.timeout(600_000);
    const rendered = await renderAll([...stackFileVariants(), ...matrixVariants(), VM_CLUSTER_VARIANT]);
    let seen = 0;
    // Every VictoriaMetrics CR that makes pods is one the model covers (VM_KINDS, VMCluster).
    for (const r of rendered)
      for (const { object: o } of r.objects)
        if (
          String(o.apiVersion).startsWith("operator.victoriametrics.com/") &&
          /^(VM|VL|VT)(?!.*(Scrape|Rule|Probe|Config|User))/.test(o.kind)
        )
          assert.ok(o.kind in VM_KINDS || o.kind === "VMCluster", `${r.title}: unmodelled ${o.kind}`);
    for (const r of rendered)
      for (const { object: o } of r.objects) {
        if (o.kind !== "VMAlertmanager" || !String(o.apiVersion).startsWith("operator.victoriametrics.com/"))
          continue;
        seen++;
        assert.equal(
          vmPortName("VMAlertmanager", o.spec),
          VM_ALERTMANAGER_PORT_NAME,
          `${r.title}: ${o.metadata.name}`,
        );
      }
    assert.ok(seen > 0, "some variant runs a VMAlertmanager");
  });

  it("the operator runs older than its chart (appVersion v0.70.1): every flag and VM_ variable the rendered chart passes is one v0.66.0 reads (internal/manager/manager.go, internal/config/config.go)", async function () {
    this.timeout(600_000);
    const rendered = await renderAll([...stackFileVariants(), VM_CLUSTER_VARIANT]);
    const flags = new Set<string>(VM_OPERATOR_READS.flags);
    const env = new Set<string>(VM_OPERATOR_READS.env);
    let seen = 0;
    for (const r of rendered)
      for (const { object: o } of r.objects) {
        if (o.kind !== "Deployment") continue;
        for (const c of o.spec.template.spec.containers ?? []) {
          if (!String(c.image).includes(versions.images.vmOperator.repository)) continue;
          seen++;
          for (const a of c.args ?? []) {
            const name = String(a).replace(/^--?/, "").split("=")[0];
            assert.ok(
              flags.has(name),
              `${r.title}: the operator is passed --${name}, which ${VM_OPERATOR_VERSION} does not define`,
            );
          }
          for (const e of c.env ?? [])
            if (String(e.name).startsWith("VM_"))
              assert.ok(
                env.has(e.name),
                `${r.title}: ${e.name} is set, and ${VM_OPERATOR_VERSION} does not read it`,
              );
        }
      }
    assert.ok(seen > 0, "some stack runs the VictoriaMetrics operator");
    assert.ok(
      !env.has("VM_CONFIG_RELOADER_IMAGE"),
      "the chart's name for the reloader image is not this operator's",
    );
  });
});
