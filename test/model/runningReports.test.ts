import { strict as assert } from "assert";
import { dump } from "js-yaml";
import { cachedValuesKeys } from "../../config/chartCache";
import { parseRunning, RunningStateError } from "../../model/running";
import { pinnedChartArchive } from "../support/helpers";
import { allValues, SEED000_FLUX_VALUES } from "../support/runningSeed000";

/*
 * The folder of what runs (model/running.ts parseRunning): every report it lacks or refuses is said
 * in one run, not one per run (an empty folder took six runs to learn what it needed).
 */

const EMPTY_LIST = "apiVersion: v1\nkind: List\nitems: []\n";
const THREE_RELEASES = [
  "- name: kube-prometheus-stack\n  namespace: monitoring\n  chart: kube-prometheus-stack-88.0.0",
  "- name: loki\n  namespace: monitoring\n  chart: loki-6.49.0",
  "- name: grafana\n  namespace: monitoring\n  chart: grafana-12.3.1",
].join("\n");

const refusal = (files: Record<string, string>): string => {
  try {
    parseRunning("/r", (f) => files[f]);
  } catch (e) {
    assert.ok(e instanceof RunningStateError, String(e));
    return e.message;
  }
  assert.fail("the folder was accepted");
};

describe("model/running: every report of the folder judged in one run", () => {
  it("an empty folder names helm-list.yaml, statefulsets.yaml and pvcs.yaml, and says the values files wait for the list", () => {
    const text = refusal({});
    const lines = text.split("\n");
    assert.equal(lines[0], "3 of the folder's reports are missing or refused:");
    assert.match(
      lines[1],
      /^ {2}\/r\/helm-list\.yaml: missing; collect it with: helm list -n NAMESPACE -o yaml > \/r\/helm-list\.yaml .*; then the values file of each release it lists \(helm get values\), named once it is there$/,
    );
    assert.match(
      lines[2],
      /^ {2}\/r\/statefulsets\.yaml: missing; collect it with: kubectl get statefulsets /,
    );
    assert.match(lines[3], /^ {2}\/r\/pvcs\.yaml: missing; collect it with: kubectl get pvc /);
    assert.equal(lines.length, 4);
  });

  it("with helm-list.yaml alone, each release's values file and both kubectl reports at once", () => {
    const text = refusal({ "helm-list.yaml": THREE_RELEASES });
    assert.match(text, /^5 of the folder's reports are missing or refused:/);
    for (const file of [
      "monitoring.kube-prometheus-stack.values.yaml",
      "monitoring.loki.values.yaml",
      "monitoring.grafana.values.yaml",
      "statefulsets.yaml",
      "pvcs.yaml",
    ])
      assert.ok(text.includes(`\n  /r/${file}: missing; collect it with: `), `${file}:\n${text}`);
    assert.match(
      text,
      /helm get values loki -n monitoring --all -o yaml > \/r\/monitoring\.loki\.values\.yaml/,
    );
  });

  it("a misshapen list entry and a missing report are both said; the other entries are still read", () => {
    const text = refusal({
      "helm-list.yaml": `${THREE_RELEASES}\n- name: x\n  chart: x-1.0.0`,
      "monitoring.kube-prometheus-stack.values.yaml": "{}",
      "monitoring.loki.values.yaml": "{}",
      "monitoring.grafana.values.yaml": "{}",
      "statefulsets.yaml": EMPTY_LIST,
    });
    assert.match(text, /^2 of the folder's reports are missing or refused:/);
    // The fourth entry starts on line 10, after the three entries of three lines each.
    assert.match(text, /\/r\/helm-list\.yaml:10: expected name, namespace and chart/);
    assert.match(text, /\/r\/pvcs\.yaml: missing/);
  });

  it("a chart without its version is said at its line in helm-list.yaml, with the release it belongs to", () => {
    const text = refusal({
      "helm-list.yaml": THREE_RELEASES.replace("chart: grafana-12.3.1", "chart: grafana"),
      "monitoring.kube-prometheus-stack.values.yaml": "{}",
      "monitoring.loki.values.yaml": "{}",
      "statefulsets.yaml": EMPTY_LIST,
      "pvcs.yaml": EMPTY_LIST,
    });
    assert.equal(
      text,
      '/r/helm-list.yaml:9: chart of release monitoring/grafana: expected "<chart>-<version>" like "loki-6.49.0", got "grafana"',
    );
  });

  it("an empty or null values file is refused with the command that collects it, not read as no values", () => {
    const text = refusal({
      "helm-list.yaml": THREE_RELEASES,
      "monitoring.kube-prometheus-stack.values.yaml": "",
      "monitoring.loki.values.yaml": "null\n",
      "monitoring.grafana.values.yaml": "{}",
      "statefulsets.yaml": EMPTY_LIST,
      "pvcs.yaml": EMPTY_LIST,
    });
    assert.equal(
      text,
      [
        "2 of the folder's reports are missing or refused:",
        "  /r/monitoring.kube-prometheus-stack.values.yaml: expected the values `helm get values --all -o yaml` prints (a map of the chart's values), found nothing (an empty file is what the redirection leaves when helm fails: its error goes to the terminal, as when the release is not in that namespace or kube context); collect it with: helm get values kube-prometheus-stack -n monitoring --all -o yaml > /r/monitoring.kube-prometheus-stack.values.yaml",
        "  /r/monitoring.loki.values.yaml: expected the values `helm get values --all -o yaml` prints (a map of the chart's values), found null (what `helm get values` prints without `--all` for a release given no values of its own); collect it with: helm get values loki -n monitoring --all -o yaml > /r/monitoring.loki.values.yaml",
      ].join("\n"),
    );
  });

  it("keeps each release's status with the line of its status key, for the update's refusal of a release Helm will not upgrade", () => {
    const r = parseRunning("/r", (f) =>
      f === "helm-list.yaml"
        ? THREE_RELEASES.replace("chart: loki-6.49.0", "status: pending-upgrade\n  chart: loki-6.49.0")
        : f.endsWith(".values.yaml")
          ? "{}"
          : f === "statefulsets.yaml" || f === "pvcs.yaml"
            ? EMPTY_LIST
            : undefined,
    );
    assert.deepEqual(
      r.releases.map((x) => x.status),
      [undefined, { value: "pending-upgrade", at: "/r/helm-list.yaml:6" }, undefined],
    );
  });

  it("one refusal is said alone, as before", () => {
    const text = refusal({ "helm-list.yaml": "[]", "statefulsets.yaml": EMPTY_LIST });
    assert.match(text, /^\/r\/pvcs\.yaml: missing; collect it with: kubectl get pvc/);
    assert.equal(text.split("\n").length, 1);
  });

  it("a complete folder parses", () => {
    const r = parseRunning("/r", (f) =>
      f === "helm-list.yaml"
        ? THREE_RELEASES
        : f.endsWith(".values.yaml")
          ? "{}"
          : f === "statefulsets.yaml" || f === "pvcs.yaml"
            ? EMPTY_LIST
            : undefined,
    );
    assert.deepEqual(
      r.releases.map((x) => `${x.namespace}/${x.name} ${x.chart} ${x.version}`),
      [
        "monitoring/kube-prometheus-stack kube-prometheus-stack 88.0.0",
        "monitoring/loki loki 6.49.0",
        "monitoring/grafana grafana 12.3.1",
      ],
    );
  });
});

describe("model/running: each item of a kubectl report is of the kind its file is for", () => {
  const base = { "helm-list.yaml": "[]", "statefulsets.yaml": EMPTY_LIST, "pvcs.yaml": EMPTY_LIST };
  const secret = (name: string) =>
    `- apiVersion: v1\n  kind: Secret\n  metadata: {name: ${name}}\n  data: {password: c2VjcmV0LXZhbHVl}`;

  it("statefulsets.yaml of Secrets (kubectl get secrets by mistake): the file, the items, the kinds; no data", () => {
    const text = refusal({
      ...base,
      "statefulsets.yaml": `kind: List\nitems:\n${secret("a")}\n${secret("b")}\n`,
    });
    assert.equal(
      text,
      "/r/statefulsets.yaml: expected every item of kind StatefulSet (from: kubectl get statefulsets -n NAMESPACE -o yaml > /r/statefulsets.yaml (NAMESPACE: the one the running releases are in)), found items 0, 1: kind Secret",
    );
    assert.doesNotMatch(text, /c2VjcmV0|password/);
  });

  it("pvcs.yaml whose items are no objects, or objects without a kind: each index and what it is", () => {
    const text = refusal({
      ...base,
      "pvcs.yaml":
        "kind: List\nitems: [1, hello, {kind: PersistentVolumeClaim}, {metadata: {name: x}, spec: {}}]\n",
    });
    assert.match(
      text,
      /^\/r\/pvcs\.yaml: expected every item of kind PersistentVolumeClaim \(from: kubectl get pvc .*\), found item 0: a number; item 1: a string; item 3: no kind \(keys: metadata, spec\)$/,
    );
    assert.doesNotMatch(text, /hello/);
  });

  it("the optional reports too, beside the others' refusals", () => {
    const text = refusal({
      ...base,
      "pvcs.yaml": `kind: List\nitems:\n${secret("a")}\n`,
      "prometheusrules.yaml": "kind: List\nitems:\n- kind: ConfigMap\n",
      "namespaces.yaml": "kind: List\nitems:\n- kind: Namespace\n",
    });
    assert.match(text, /^2 of the folder's reports are missing or refused:/);
    assert.match(
      text,
      /\/r\/pvcs\.yaml: expected every item of kind PersistentVolumeClaim .* found item 0: kind Secret/,
    );
    assert.match(
      text,
      /\/r\/prometheusrules\.yaml: expected every item of kind PrometheusRule .* found item 0: kind ConfigMap/,
    );
  });

  it("a kind that is no kind name is not quoted", () => {
    const text = refusal({ ...base, "pvcs.yaml": "kind: List\nitems:\n- kind: 's3cr3t value!'\n" });
    assert.match(text, /found item 0: a kind that is no Kubernetes kind name$/);
    assert.doesNotMatch(text, /s3cr3t/);
  });

  it("many items of one wrong kind are counted, five indices shown", () => {
    const items = Array.from({ length: 30 }, (_, i) => secret(`s${i}`)).join("\n");
    const text = refusal({ ...base, "statefulsets.yaml": `kind: List\nitems:\n${items}\n` });
    assert.match(text, /found items 0, 1, 2, 3, 4 … \(30 in all\): kind Secret$/);
  });
});

describe("model/running: a report of another command's output is named as what it holds, with the command that makes it", () => {
  const base = {
    "helm-list.yaml": "- name: loki\n  namespace: monitoring\n  chart: loki-6.49.0\n",
    "monitoring.loki.values.yaml": "{}",
    "statefulsets.yaml": EMPTY_LIST,
    "pvcs.yaml": EMPTY_LIST,
  };
  /** `flux export helmrelease`: one document per HelmRelease, each after `---`. */
  const helmRelease = (name: string) =>
    [
      "---",
      "apiVersion: helm.toolkit.fluxcd.io/v2",
      "kind: HelmRelease",
      "metadata:",
      `  name: ${name}`,
      "  namespace: monitoring",
      "spec:",
      "  chartRef:",
      "    kind: OCIRepository",
      `    name: ${name}`,
      "  valuesFrom:",
      "  - kind: Secret",
      "    name: loki-s3",
      "  - kind: ConfigMap",
      "    name: loki-extra",
      "  values:",
      "    adminPassword: hunter2",
      "",
    ].join("\n");
  const flux = "(what `flux export helmrelease` writes: what Flux asks of Helm, not the release Helm runs)";
  const refusalIn = (files: Record<string, string>, namespace?: string, context?: string): string => {
    try {
      parseRunning("/r", (f) => files[f], { namespace, context });
    } catch (e) {
      assert.ok(e instanceof RunningStateError, String(e));
      return e.message;
    }
    assert.fail("the folder was accepted");
  };

  it("`flux export helmrelease` saved as helm-list.yaml: Flux's HelmReleases, not text that is not YAML", () => {
    const text = refusalIn(
      { ...base, "helm-list.yaml": helmRelease("loki") + helmRelease("grafana") },
      "monitoring",
    );
    assert.equal(
      text,
      `/r/helm-list.yaml: expected the list \`helm list -o yaml\` prints (entries with name, namespace, chart), found 2 Flux HelmReleases monitoring/loki and monitoring/grafana ${flux}; collect it with: helm list -n monitoring -o yaml > /r/helm-list.yaml`,
    );
    assert.doesNotMatch(text, /hunter2/);
  });

  it("a HelmRelease saved as a release's values file is refused, not rendered as values", () => {
    const text = refusalIn({ ...base, "monitoring.loki.values.yaml": helmRelease("loki") }, "monitoring");
    assert.equal(
      text,
      `/r/monitoring.loki.values.yaml: expected the values \`helm get values --all -o yaml\` prints (a map of the chart's values), found a Flux HelmRelease monitoring/loki ${flux}; collect it with: helm get values loki -n monitoring --all -o yaml > /r/monitoring.loki.values.yaml`,
    );
  });

  it("every command that collects a report names the kube context the stack pins (helm --kube-context, kubectl --context)", () => {
    // No list (its command is said), and a pvcs.yaml that is no List.
    const withoutList = Object.fromEntries(Object.entries(base).filter(([f]) => f !== "helm-list.yaml"));
    const text = refusalIn(
      { ...withoutList, "monitoring.loki.values.yaml": helmRelease("loki"), "pvcs.yaml": "x: 1\n" },
      "monitoring",
      "admin@production",
    );
    assert.match(
      text,
      /collect it with: helm --kube-context admin@production list -n monitoring -o yaml > \/r\/helm-list\.yaml;/,
    );
    assert.match(
      text,
      /collect it with: kubectl --context admin@production get pvc -n monitoring -o yaml > \/r\/pvcs\.yaml$/m,
    );
    const values = refusalIn(
      { ...base, "monitoring.loki.values.yaml": helmRelease("loki") },
      "monitoring",
      "lab",
    );
    assert.match(
      values,
      /collect it with: helm --kube-context lab get values loki -n monitoring --all -o yaml > \/r\/monitoring\.loki\.values\.yaml$/,
    );
  });

  it("the table `helm get values` prints without -o yaml is refused, not read as a value named USER-SUPPLIED VALUES", () => {
    for (const header of ["USER-SUPPLIED VALUES:", "COMPUTED VALUES:"]) {
      const text = refusalIn({
        ...base,
        "monitoring.loki.values.yaml": `${header}\ndeploymentMode: SimpleScalable\n`,
      });
      assert.equal(
        text,
        `/r/monitoring.loki.values.yaml: expected the values \`helm get values --all -o yaml\` prints (a map of the chart's values), found the table \`helm get values\` prints without \`-o yaml\` (line 1: "${header}"); collect it with: helm get values loki -n monitoring --all -o yaml > /r/monitoring.loki.values.yaml`,
      );
    }
  });

  it("a kubectl or helm table, or one object where kubectl's List belongs: what was found, and the command in the stack's namespace", () => {
    const text = refusalIn(
      {
        ...base,
        "statefulsets.yaml": "NAME          READY   AGE\nloki-write   3/3     20d\n",
        "pvcs.yaml": helmRelease("loki"),
      },
      "observability",
    );
    assert.equal(
      text,
      [
        "2 of the folder's reports are missing or refused:",
        '  /r/statefulsets.yaml: expected kubectl\'s List (kind: List, items: [...]), found a table (line 1: "NAME READY AGE"), as helm and kubectl print without `-o yaml`; collect it with: kubectl get statefulsets -n observability -o yaml > /r/statefulsets.yaml',
        `  /r/pvcs.yaml: expected kubectl's List (kind: List, items: [...]), found a Flux HelmRelease monitoring/loki ${flux}; collect it with: kubectl get pvc -n observability -o yaml > /r/pvcs.yaml`,
      ].join("\n"),
    );
  });

  it("several documents of another kind, and a Secret where values belong: their kinds and names, never their data", () => {
    const secret = (name: string) =>
      `---\napiVersion: v1\nkind: Secret\nmetadata: {name: ${name}, namespace: monitoring}\ndata: {password: c2VjcmV0}\n`;
    const text = refusalIn({
      ...base,
      "monitoring.loki.values.yaml": secret("loki-s3"),
      "pvcs.yaml": secret("a") + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
    });
    assert.match(
      text,
      /monitoring\.loki\.values\.yaml: expected the values .*, found a Kubernetes object of kind Secret \(monitoring\/loki-s3\); collect it with: helm get values loki/,
    );
    assert.match(
      text,
      /pvcs\.yaml: expected kubectl's List .*, found 2 Kubernetes objects of kind Secret and ConfigMap \(monitoring\/a and b\); collect it with: kubectl get pvc -n NAMESPACE/,
    );
    assert.doesNotMatch(text, /c2VjcmV0|password/);
  });
});

describe("model/running: a folder that contradicts itself names the report collected elsewhere", () => {
  it("helm-list.yaml lists no release where the folder holds values files: one refusal with the list's command in the stack's namespace and context", () => {
    const files: Record<string, string> = {
      "helm-list.yaml": "[]\n",
      "monitoring.loki.values.yaml": "{}",
      "monitoring.grafana.values.yaml": "{}",
      "statefulsets.yaml": EMPTY_LIST,
      "pvcs.yaml": EMPTY_LIST,
    };
    let text = "";
    try {
      parseRunning(
        "/r",
        (f) => files[f],
        { namespace: "monitoring", context: "admin@prod" },
        Object.keys(files),
      );
      assert.fail("the folder was accepted");
    } catch (e) {
      assert.ok(e instanceof RunningStateError, String(e));
      text = e.message;
    }
    assert.equal(
      text,
      "/r/helm-list.yaml: lists no release in monitoring, yet the folder holds the values (helm get values) of monitoring/grafana and monitoring/loki: the list was collected from another namespace or kube context (`helm list` without -n lists the current namespace's releases alone); collect it again with: helm --kube-context admin@prod list -n monitoring -o yaml > /r/helm-list.yaml",
    );
  });

  it("a values file beside a list that names a release in its namespace is no contradiction", () => {
    const files: Record<string, string> = {
      "helm-list.yaml": "- name: loki\n  namespace: monitoring\n  chart: loki-6.49.0\n",
      "monitoring.loki.values.yaml": "{}",
      "monitoring.old.values.yaml": "{}",
      "statefulsets.yaml": EMPTY_LIST,
      "pvcs.yaml": EMPTY_LIST,
    };
    const r = parseRunning("/r", (f) => files[f], {}, Object.keys(files));
    assert.deepEqual(
      r.releases.map((x) => x.name),
      ["loki"],
    );
  });
});

describe("model/running: a values file holding another release's values (by the pinned charts' keys)", function () {
  // The first read of a chart archive's keys costs up to half a second each (config/chartCache.ts).
  this.timeout(60000);
  /** `helm get values --all` of seed 000's releases, as the real charts print them. */
  let real: Record<string, Record<string, any>> = {};
  before(function () {
    for (const r of Object.values(SEED000_FLUX_VALUES)) pinnedChartArchive(this, r);
    real = Object.fromEntries(
      Object.entries(SEED000_FLUX_VALUES).map(([name, r]) => [name, allValues(r.chart, r.version, r.values)]),
    );
  });
  /** The folder with each release's values file holding `values[release]`, beside `list`. */
  const folder = (
    values: Record<string, Record<string, any>>,
    list = THREE_RELEASES,
  ): Record<string, string> => ({
    "helm-list.yaml": list,
    ...Object.fromEntries(
      Object.entries(values).map(([name, v]) => [
        `monitoring.${name}.values.yaml`,
        dump(v, { noRefs: true }),
      ]),
    ),
    "statefulsets.yaml": EMPTY_LIST,
    "pvcs.yaml": EMPTY_LIST,
  });
  const parse = (files: Record<string, string>) =>
    parseRunning("/r", (f) => files[f], { namespace: "monitoring" }, [], cachedValuesKeys);

  it("each file saved under another release's name is refused, naming the chart it is, the keys that show it and the command for the right one", () => {
    let text = "";
    try {
      parse(
        folder({
          "kube-prometheus-stack": real.grafana,
          loki: real["kube-prometheus-stack"],
          grafana: real.loki,
        }),
      );
      assert.fail("the folder was accepted");
    } catch (e) {
      assert.ok(e instanceof RunningStateError, String(e));
      text = e.message;
    }
    assert.equal(
      text,
      [
        "3 of the folder's reports are missing or refused:",
        "  /r/monitoring.kube-prometheus-stack.values.yaml: expected the values of release monitoring/kube-prometheus-stack (chart kube-prometheus-stack-88.0.0), found what looks like the values of chart grafana (top-level keys headlessService, autoscaling, deploymentStrategy, progressDeadlineSeconds, testFramework … (45 in all): keys of chart grafana 12.3.1's values, none of them a key of chart kube-prometheus-stack 88.0.0's), as when another release's `helm get values` is saved under this name; collect it with: helm get values kube-prometheus-stack -n monitoring --all -o yaml > /r/monitoring.kube-prometheus-stack.values.yaml",
        "  /r/monitoring.loki.values.yaml: expected the values of release monitoring/loki (chart loki-6.49.0), found what looks like the values of chart kube-prometheus-stack (top-level keys kubeTargetVersionOverride, customRules, defaultRules, additionalPrometheusRulesMap, windowsMonitoring … (24 in all): keys of chart kube-prometheus-stack 88.0.0's values, none of them a key of chart loki 6.49.0's), as when another release's `helm get values` is saved under this name; collect it with: helm get values loki -n monitoring --all -o yaml > /r/monitoring.loki.values.yaml",
        "  /r/monitoring.grafana.values.yaml: expected the values of release monitoring/grafana (chart grafana-12.3.1), found what looks like the values of chart loki (top-level keys kubeVersionOverride, clusterLabelOverride, deploymentMode, loki, enterprise … (37 in all): keys of chart loki 6.49.0's values, none of them a key of chart grafana 12.3.1's), as when another release's `helm get values` is saved under this name; collect it with: helm get values grafana -n monitoring --all -o yaml > /r/monitoring.grafana.values.yaml",
      ].join("\n"),
    );
  });

  it("each release's own values pass, with keys a user added beside or under the chart's, a subchart's keys and global", () => {
    const grafana = {
      ...real.grafana,
      // Keys no chart of the release reads, one of them another chart's (loki's deploymentMode).
      teamNote: "owned by ops",
      deploymentMode: "SingleBinary",
      persistence: { ...real.grafana.persistence, userAdded: true },
      global: { ...real.grafana.global, myRegistry: "registry.example" },
    };
    // Without --all: what the operator set alone, under the subcharts' keys (grafana, alertmanager).
    const kps = SEED000_FLUX_VALUES["kube-prometheus-stack"].values;
    const r = parse(folder({ "kube-prometheus-stack": kps, loki: real.loki, grafana }));
    assert.deepEqual(
      r.releases.map((x) => [x.name, x.values]),
      [
        ["kube-prometheus-stack", kps],
        ["loki", real.loki],
        ["grafana", grafana],
      ],
    );
  });

  it("a release of a chart version whose archive is not in the chart cache is judged by its form alone: the old chart's real values pass, with --all or without", () => {
    // grafana/loki 2.16.0, the single-binary chart, as `helm get values --all` prints it: few of its
    // keys are loki 18's (the pinned version), many are other charts' (affinity, env, persistence).
    const loki216 = {
      affinity: {},
      annotations: {},
      client: {},
      config: { auth_enabled: false, ingester: {}, schema_config: {} },
      env: [],
      extraArgs: {},
      extraContainers: [],
      extraPorts: [],
      extraVolumeMounts: [],
      extraVolumes: [],
      hostAliases: [],
      image: { repository: "grafana/loki", tag: "2.6.1", pullPolicy: "IfNotPresent" },
      ingress: { enabled: false, hosts: [] },
      initContainers: [],
      livenessProbe: { httpGet: { path: "/ready", port: "http-metrics" }, initialDelaySeconds: 45 },
      networkPolicy: { enabled: false },
      nodeSelector: {},
      persistence: { enabled: true, accessModes: ["ReadWriteOnce"], size: "50Gi" },
      podAnnotations: { "prometheus.io/scrape": "true" },
      podDisruptionBudget: {},
      podLabels: {},
      podManagementPolicy: "OrderedReady",
      rbac: { create: true, pspEnabled: false },
      readinessProbe: { httpGet: { path: "/ready", port: "http-metrics" } },
      replicas: 1,
      resources: {},
      securityContext: { fsGroup: 10001 },
      containerSecurityContext: { readOnlyRootFilesystem: true },
      service: { type: "ClusterIP", port: 3100 },
      serviceAccount: { create: true },
      serviceMonitor: { enabled: false },
      terminationGracePeriodSeconds: 4800,
      tolerations: [],
      tracing: { jaegerAgentHost: null },
      updateStrategy: { type: "RollingUpdate" },
      useExistingAlertingGroup: { enabled: false },
      alerting_groups: [],
    };
    // Without --all: what the operator set alone.
    const partial = {
      persistence: { enabled: true, size: "50Gi" },
      resources: {},
      nodeSelector: {},
      config: {},
    };
    const list = THREE_RELEASES.replace("chart: loki-6.49.0", "chart: loki-2.16.0");
    for (const loki of [loki216, partial]) {
      const r = parse(
        folder({ "kube-prometheus-stack": real["kube-prometheus-stack"], loki, grafana: real.grafana }, list),
      );
      assert.deepEqual(r.releases.find((x) => x.name === "loki")?.values, loki);
    }
  });

  it("keys many charts have (affinity, resources, persistence, …) tell no chart: a file of them alone passes, though its chart at the version that runs reads none of them", () => {
    const generic = {
      affinity: {},
      tolerations: [],
      nodeSelector: { disk: "ssd" },
      resources: { limits: { memory: "1Gi" } },
      env: [],
      podAnnotations: {},
      persistence: { size: "50Gi" },
    };
    const r = parse(
      folder({
        "kube-prometheus-stack": real["kube-prometheus-stack"],
        loki: generic,
        grafana: real.grafana,
      }),
    );
    assert.deepEqual(r.releases.find((x) => x.name === "loki")?.values, generic);
  });
});
