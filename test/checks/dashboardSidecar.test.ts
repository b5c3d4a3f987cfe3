import { strict as assert } from "assert";
import { unloadedDashboards } from "../../checks/dashboardSidecar";
import type { Placed } from "../../checks/objects";

/*
 * The program's dashboards reach Grafana only through the grafana chart's dashboard sidecar, which
 * picks ConfigMaps by label (and value), kind, name and namespace (checks/dashboardSidecar.ts, from
 * grafana 12.3.1 templates/_pod.tpl). `chartValues.grafana.sidecar.dashboards.enabled: false`, or
 * a label the program's ConfigMaps do not carry, passed synth with exit 0 while Grafana would load
 * none of them (issue 51 item 3).
 */

const REL = "urn:pulumi:staging::homelab-observability::kubernetes:helm.sh/v3:Release::grafana";
const PROGRAM_ENV = { LABEL: "grafana_dashboard", RESOURCE: "configmap", NAMESPACE: "ALL" };

/** Grafana's Deployment as the chart renders it, with the dashboard sidecar's env (none: no sidecar). */
function grafana(
  env: Record<string, string> | undefined,
  over: { namespace?: string; init?: boolean; valueFrom?: Record<string, unknown> } = {},
): Placed {
  // `valueFrom`: entries the chart writes from sidecar.dashboards.envValueFrom (templates/_pod.tpl:744-748).
  const sidecar = env && {
    name: over.init ? "grafana-init-sc-dashboard" : "grafana-sc-dashboard",
    env: [
      ...Object.entries(over.valueFrom ?? {}).map(([name, valueFrom]) => ({ name, valueFrom })),
      ...Object.entries(env).map(([name, value]) => ({ name, value })),
    ],
  };
  return {
    obj: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "grafana",
        namespace: over.namespace ?? "monitoring",
        labels: { "helm.sh/chart": "grafana-12.3.1" },
      },
      spec: {
        template: {
          spec: {
            ...(sidecar && over.init ? { initContainers: [sidecar] } : {}),
            containers: [{ name: "grafana" }, ...(sidecar && !over.init ? [sidecar] : [])],
          },
        },
      },
    },
    urn: REL,
    source: "release grafana",
  };
}

/** The program's dashboard ConfigMap (builders/grafana/grafanaValues.ts dashboardConfigMap). */
const dashboards = (name = "homelab-dashboards"): Placed => ({
  obj: {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "monitoring", labels: { grafana_dashboard: "1" } },
    data: { "a.json": "{}" },
  },
  urn: `urn:pulumi:staging::homelab-observability::kubernetes:core/v1:ConfigMap::${name}`,
  source: `resource ${name}`,
});

const STACK = [dashboards(), dashboards("homelab-dashboards-loki")];

describe("checks: the dashboards the stack writes load into Grafana through its sidecar", () => {
  it("says nothing for the program's sidecar settings, nor without a Grafana pod", () => {
    assert.deepEqual(unloadedDashboards([grafana(PROGRAM_ENV), ...STACK]), []);
    assert.deepEqual(unloadedDashboards([grafana(PROGRAM_ENV, { init: true }), ...STACK]), []);
    assert.deepEqual(unloadedDashboards(STACK), []);
    // Without a search namespace the sidecar searches its own, where the ConfigMaps are.
    assert.deepEqual(
      unloadedDashboards([grafana({ LABEL: "grafana_dashboard", RESOURCE: "both" }), ...STACK]),
      [],
    );
  });

  it("sidecar.dashboards.enabled false: one finding on Grafana naming the key, with what to set", () => {
    const findings = unloadedDashboards([grafana(undefined), ...STACK]);
    assert.equal(findings.length, 1);
    const [f] = findings;
    assert.equal(f.where, "Deployment monitoring/grafana (release grafana)");
    assert.equal(
      f.message,
      "Grafana's pod runs no dashboard sidecar (values.sidecar.dashboards.enabled is not true), and the stack writes its dashboards into ConfigMaps labelled grafana_dashboard=1 (monitoring/homelab-dashboards, monitoring/homelab-dashboards-loki): Grafana never loads their dashboards; set values.sidecar.dashboards.enabled to true",
    );
    // What synth/report.ts traces the finding to: the override of that key on that release.
    assert.deepEqual(f.releases, [REL]);
    assert.deepEqual(f.judged, ["sidecar.dashboards.enabled"]);
  });

  it("a label, label value, kind, name list or namespaces the ConfigMaps do not match: the key and what to set", () => {
    const said = (env: Record<string, string>) =>
      unloadedDashboards([grafana({ ...PROGRAM_ENV, ...env }), ...STACK]).map(
        (f) => `${f.judged!.join()}: ${f.message.slice(f.message.indexOf("; ") + 2)}`,
      );
    assert.deepEqual(said({ LABEL: "my_dashboard" }), [
      "sidecar.dashboards.label: set values.sidecar.dashboards.label to grafana_dashboard",
    ]);
    assert.deepEqual(said({ LABEL_VALUE: "yes" }), [
      'sidecar.dashboards.labelValue: remove values.sidecar.dashboards.labelValue (the sidecar then takes any value), or set it to "1"',
    ]);
    assert.deepEqual(said({ LABEL_VALUE: "1" }), []);
    // Without a value the label is the sidecar's selector as written (k8s-sidecar src/resources.py):
    // one selecting the ConfigMaps by their value loads them; one selecting another value does not.
    assert.deepEqual(said({ LABEL: "grafana_dashboard=1" }), []);
    assert.deepEqual(said({ LABEL: "grafana_dashboard==1,!other" }), []);
    assert.deepEqual(said({ LABEL: "grafana_dashboard in (1,2)" }), []);
    assert.deepEqual(said({ LABEL: "grafana_dashboard=2" }), [
      "sidecar.dashboards.label: set values.sidecar.dashboards.label to grafana_dashboard",
    ]);
    assert.deepEqual(said({ RESOURCE: "secret" }), [
      "sidecar.dashboards.resource: set values.sidecar.dashboards.resource to configmap (or both)",
    ]);
    assert.deepEqual(said({ NAMESPACE: "monitoring", RESOURCE_NAME: "configmap/homelab-dashboards" }), [
      "sidecar.dashboards.resourceName: remove values.sidecar.dashboards.resourceName, or list configmap/homelab-dashboards-loki in it",
    ]);
    assert.deepEqual(said({ NAMESPACE: "apps,other" }), [
      'sidecar.dashboards.searchNamespace: add monitoring to values.sidecar.dashboards.searchNamespace (or set it to ["ALL"])',
    ]);
    assert.deepEqual(said({ NAMESPACE: "apps,monitoring" }), []);
    assert.match(
      unloadedDashboards([grafana({ ...PROGRAM_ENV, NAMESPACE: "apps,other" }), ...STACK])[0].message,
      /^Grafana's pod searches namespaces apps,other only \(values\.sidecar\.dashboards\.searchNamespace\)/,
    );
    assert.match(
      unloadedDashboards([grafana({ ...PROGRAM_ENV, LABEL: "my_dashboard" }), ...STACK])[0].message,
      /^Grafana's pod loads objects labelled my_dashboard \(values\.sidecar\.dashboards\.label\), and the stack writes/,
    );
  });

  it("RESOURCE and a value from envValueFrom as k8s-sidecar 1.30.9 reads them: `both` exactly, an unknown value never judged", () => {
    // kiwigrid/k8s-sidecar 1.30.9 (630e256e) src/sidecar.py:71-72 takes RESOURCE as written
    // (default configmap), `both` alone meaning secret and configmap: `Both` is a kind
    // src/resources.py:26-32 `_list_namespace` does not have, so the sidecar lists nothing.
    const env = (over: Record<string, string>, valueFrom?: Record<string, unknown>) =>
      unloadedDashboards([grafana({ ...PROGRAM_ENV, ...over }, { valueFrom }), ...STACK]).map(
        (f) => `${f.judged!.join()}: ${f.message}`,
      );
    const [both] = env({ RESOURCE: "Both" });
    assert.match(
      both,
      /^sidecar\.dashboards\.resource: Grafana's pod reads RESOURCE "Both", which k8s-sidecar does not know \(it lists configmap, secret or both, as written\) \(values\.sidecar\.dashboards\.resource\), /,
    );
    assert.deepEqual(env({ RESOURCE: "ConfigMap" }).length, 1);
    assert.deepEqual(env({ RESOURCE: "both" }), []);
    // A LABEL_VALUE the chart writes from envValueFrom (a ConfigMap's or Secret's key) is not known
    // offline: was read as "", refused as `labelled grafana_dashboard= only`. The value decides;
    // nothing is refused on it, but a label the ConfigMaps lack is refused whatever the value.
    const fromKey = { LABEL_VALUE: { configMapKeyRef: { name: "sidecar", key: "value" } } };
    assert.deepEqual(env({}, fromKey), []);
    assert.deepEqual(
      env({ LABEL: "my_dashboard" }, fromKey).map((f) => f.split(":")[0]),
      ["sidecar.dashboards.label"],
    );
    // Any setting from envValueFrom is not judged on its value (NAMESPACE, RESOURCE, ...).
    const ownNamespace = { NAMESPACE: { fieldRef: { fieldPath: "metadata.namespace" } } };
    assert.deepEqual(
      unloadedDashboards([
        grafana({ LABEL: "grafana_dashboard", RESOURCE: "configmap" }, { valueFrom: ownNamespace }),
        ...STACK,
      ]),
      [],
    );
  });

  it("resourceName as k8s-sidecar 1.30.9 reads it: name, kind/name or namespace/kind/name, never with NAMESPACE ALL", () => {
    // kiwigrid/k8s-sidecar src/resources.py list_resources: with NAMESPACE ALL the names are not read
    // (the label selects); else each entry is `name`, `<kind>/name` or `<namespace>/<kind>/name`,
    // those of another kind or namespace dropped, and with none left the label selects again. Each
    // of these loads the stack's ConfigMaps; the check refused them all (resourceName).
    const loaded = (env: Record<string, string>) =>
      unloadedDashboards([grafana({ ...PROGRAM_ENV, ...env }), ...STACK]).map((f) => f.judged!.join());
    const all = "homelab-dashboards,homelab-dashboards-loki";
    assert.deepEqual(loaded({ RESOURCE_NAME: "configmap/other" }), []);
    assert.deepEqual(loaded({ NAMESPACE: "monitoring", RESOURCE_NAME: all }), []);
    assert.deepEqual(
      loaded({
        NAMESPACE: "monitoring",
        RESOURCE_NAME: "monitoring/configmap/homelab-dashboards,homelab-dashboards-loki",
      }),
      [],
    );
    assert.deepEqual(
      loaded({ NAMESPACE: "monitoring", RESOURCE: "both", RESOURCE_NAME: "secret/other" }),
      [],
    );
    // Still refused: a list naming only some of them, or naming them in another namespace.
    assert.deepEqual(loaded({ NAMESPACE: "monitoring", RESOURCE_NAME: "homelab-dashboards" }), [
      "sidecar.dashboards.resourceName",
    ]);
    assert.deepEqual(
      loaded({
        NAMESPACE: "monitoring",
        RESOURCE_NAME: "homelab-dashboards,apps/configmap/homelab-dashboards-loki",
      }),
      ["sidecar.dashboards.resourceName"],
    );
  });

  it("no sidecar, but the ConfigMaps mounted by dashboardsConfigMaps where a dashboardProviders file provider reads: loaded", () => {
    // grafana 12.3.1 templates/_pod.tpl:1293-1298, 1580-1586 mount dashboardsConfigMaps.<p> at
    // /var/lib/grafana/dashboards/<p>; a provider of dashboardProviders (values.yaml: "`path` must be
    // /var/lib/grafana/dashboards/<provider_name>") loads them. Synth refused this with 'runs no
    // dashboard sidecar'.
    const pod = grafana(undefined);
    const spec = pod.obj.spec.template.spec;
    spec.volumes = [
      { name: "config", configMap: { name: "grafana" } },
      { name: "dashboards-homelab", configMap: { name: "homelab-dashboards" } },
      { name: "dashboards-loki", configMap: { name: "homelab-dashboards-loki" } },
    ];
    spec.containers[0].volumeMounts = [
      { name: "dashboards-homelab", mountPath: "/var/lib/grafana/dashboards/homelab" },
      { name: "dashboards-loki", mountPath: "/var/lib/grafana/dashboards/loki" },
      {
        name: "config",
        mountPath: "/etc/grafana/provisioning/dashboards/dashboardproviders.yaml",
        subPath: "dashboardproviders.yaml",
      },
    ];
    const providers = (paths: string[]): Placed => ({
      obj: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "grafana", namespace: "monitoring" },
        data: {
          "dashboardproviders.yaml": `apiVersion: 1\nproviders:\n${paths.map((p, i) => `- name: p${i}\n  type: file\n  options:\n    path: ${p}\n`).join("")}`,
        },
      },
      urn: REL,
      source: "release grafana",
    });
    const found = (paths: string[]) =>
      unloadedDashboards([pod, providers(paths), ...STACK]).map((f) => f.message.slice(0, 40));
    assert.deepEqual(found(["/var/lib/grafana/dashboards/homelab", "/var/lib/grafana/dashboards/loki"]), []);
    assert.deepEqual(found(["/var/lib/grafana/dashboards"]), []);
    // A mount no provider reads loads nothing: still refused.
    assert.deepEqual(found(["/var/lib/grafana/dashboards/homelab"]), [
      "Grafana's pod runs no dashboard sidecar ",
    ]);
  });

  it("a ConfigMap any Grafana pod's sidecar loads is loaded; the image renderer is no Grafana pod", () => {
    const other = grafana({ LABEL: "other" }, { namespace: "apps" });
    assert.deepEqual(unloadedDashboards([other, grafana(PROGRAM_ENV), ...STACK]), []);
    const renderer: Placed = {
      ...grafana(undefined),
      obj: {
        ...grafana(undefined).obj,
        metadata: {
          name: "grafana-image-renderer",
          namespace: "monitoring",
          labels: { "helm.sh/chart": "grafana-12.3.1" },
        },
        spec: { template: { spec: { containers: [{ name: "grafana-image-renderer" }] } } },
      },
    };
    assert.deepEqual(unloadedDashboards([renderer, grafana(PROGRAM_ENV), ...STACK]), []);
  });
});
