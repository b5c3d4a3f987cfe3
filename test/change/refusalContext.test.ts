import { strict as assert } from "assert";
import { claimGrowth, refusedUpdate } from "../../change/apiRules";
import { planChange } from "../../change/change";
import { runningRenders } from "../../change/check";
import { grafanaAdminVerdict } from "../../change/grafanaAdmin";
import { grafanaDataVerdicts } from "../../change/grafanaData";
import type { RunningState } from "../../model/running";
import { ChartCacheError } from "../../synth/render/helm";
import type { RenderedObject, StackObject } from "../../synth/render/types";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { prometheusClaim, stackState } from "../support/changeStates";

/*
 * A command a change-check refusal prints names the stack's pinned kube context (kubeContext, the
 * Kubernetes provider's `context`), as the commands that collect what runs do (model/running.ts
 * inContext): pasted as printed, it reaches the cluster the update does, not whichever context the
 * kubeconfig selects, which may be another cluster's.
 */
const CONTEXT = "admin@production";
const K = `kubectl --context ${CONTEXT}`;

/** The program's Kubernetes provider, pinned to CONTEXT (apply/stack.ts). */
const provider: ExportResource = {
  urn: "urn:pulumi:production::homelab-observability::pulumi:providers:kubernetes::k8s",
  custom: true,
  type: "pulumi:providers:kubernetes",
  inputs: { context: CONTEXT },
  outputs: {},
};

/** Loki's headless Service in its release, with clusterIP as given. */
const lokiService = (clusterIP?: string): StackObject => ({
  resourceUrn: "urn:pulumi:production::homelab-observability::kubernetes:helm.sh/v3:Release::loki",
  release: {
    name: "loki",
    namespace: "monitoring",
    chart: "loki",
    version: "6.49.0",
    source: "loki/templates/svc.yaml",
  },
  object: {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "loki-headless", namespace: "monitoring" },
    spec: { ports: [{ port: 3100 }], ...(clusterIP ? { clusterIP } : {}) },
  },
});

/** The program's own Deployment (server-side apply), with the strategy as given. */
const deployment = (strategy: Record<string, unknown>): ExportResource => ({
  urn: "urn:pulumi:production::homelab-observability::kubernetes:apps/v1:Deployment::garage-web",
  custom: true,
  type: "kubernetes:apps/v1:Deployment",
  inputs: {
    metadata: { name: "garage-web", namespace: "monitoring" },
    spec: {
      selector: { matchLabels: { app: "garage-web" } },
      strategy,
      template: { metadata: { labels: { app: "garage-web" } }, spec: { containers: [{ name: "web" }] } },
    },
  },
  outputs: {},
});

describe("change check: a refusal's printed kubectl command names the stack's kube context", () => {
  it("--against, a Helm release's Service: the delete it prints reaches the stack's cluster", () => {
    const report = planChange(
      stackState([provider], [lokiService("None")]),
      stackState([provider], [lokiService()]),
    );
    const [r] = report.refused[0].refused;
    assert.ok(
      r.reason.includes(
        `to give it one, delete it (${K} delete service loki-headless -n monitoring) and let the update create it anew`,
      ),
      r.reason,
    );
  });

  it("--against, the program's own Deployment: the JSON patch that removes the live rollingUpdate names it", () => {
    const report = planChange(
      stackState([provider, deployment({ type: "RollingUpdate" })]),
      stackState([provider, deployment({ type: "Recreate" })]),
    );
    const [r] = report.refused[0].refused;
    assert.ok(
      r.reason.includes(
        `remove the live one first (${K} patch deployment garage-web -n monitoring --type=json -p '[{"op":"remove","path":"/spec/strategy/rollingUpdate"},{"op":"replace","path":"/spec/strategy/type","value":"Recreate"}]')`,
      ),
      r.reason,
    );
  });

  it("--against, a claim's growth said beside the change: both checks name it", () => {
    const report = planChange(
      stackState([provider, prometheusClaim("local-path", "50Gi")]),
      stackState([provider, prometheusClaim("local-path", "60Gi")]),
    );
    assert.ok(
      report.entries[0].why[0].endsWith(
        `; ${K} get pvc prometheus-db -n monitoring shows its STATUS, ${K} get storageclass local-path its ALLOWVOLUMEEXPANSION`,
      ),
      report.entries[0].why[0],
    );
  });

  it("the API server's rules name the context given, and the Service's namespace", () => {
    const svc = (clusterIP?: string) => lokiService(clusterIP).object;
    const [ip] = refusedUpdate(svc(), svc("10.43.0.10"), "helm", CONTEXT);
    assert.ok(
      ip.reason.endsWith(`(${K} get service loki-headless -n monitoring -o jsonpath={.spec.clusterIP})`),
      ip.reason,
    );
    const pvc = (cls?: string): RenderedObject => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "grafana", namespace: "monitoring" },
      spec: {
        accessModes: ["ReadWriteOnce"],
        ...(cls ? { storageClassName: cls } : {}),
        resources: { requests: { storage: "1Gi" } },
      },
    });
    const [cls] = refusedUpdate(pvc(), pvc("expandable"), "apply-over-live", CONTEXT);
    assert.ok(
      cls.reason.includes(
        `; ${K} get pvc grafana -n monitoring -o jsonpath={.spec.storageClassName} shows it`,
      ),
      cls.reason,
    );
    const grown = { ...pvc(), spec: { ...pvc().spec, resources: { requests: { storage: "2Gi" } } } };
    assert.ok(
      claimGrowth(pvc(), grown, CONTEXT)?.endsWith(
        `; ${K} get pvc grafana -n monitoring shows its STATUS, ${K} get storageclass <its STORAGECLASS> whether that allows expansion`,
      ),
    );
  });
});

describe("takeover --running: Grafana's database copy names the stack's kube context", () => {
  const grafana = (storage: Record<string, unknown>): StackObject => ({
    resourceUrn: "urn:pulumi:takeover::homelab-observability::kubernetes:helm.sh/v3:Release::grafana",
    release: {
      name: "grafana",
      namespace: "monitoring",
      chart: "grafana",
      version: "12.3.1",
      source: "grafana/templates/deployment.yaml",
    },
    object: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "grafana", namespace: "monitoring" },
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
        template: {
          spec: {
            containers: [
              { name: "grafana", volumeMounts: [{ name: "storage", mountPath: "/var/lib/grafana" }] },
            ],
            volumes: [{ name: "storage", ...storage }],
          },
        },
      },
    },
  });
  const running: RunningState = {
    dir: "running",
    releases: [
      {
        name: "grafana",
        namespace: "monitoring",
        chart: "grafana",
        version: "12.3.1",
        values: { persistence: { enabled: false } },
      },
    ],
    statefulSets: [],
    pvcs: [],
  };
  const [before, after] = [
    grafana({ emptyDir: {} }),
    grafana({ persistentVolumeClaim: { claimName: "grafana" } }),
  ];
  const pod = `POD=$(${K} -n monitoring get pod -l app.kubernetes.io/name=grafana -o jsonpath='{.items[0].metadata.name}')`;

  it("the copy out before the update, every kubectl in it", () => {
    const [v] = grafanaDataVerdicts([before], [after], running, false, CONTEXT);
    assert.ok(
      v.refusal?.reason.includes(
        `before the update copy it out: ${pod} && ${K} -n monitoring cp -c grafana "$POD:/var/lib/grafana/grafana.db" grafana.db;`,
      ),
      v.refusal?.reason,
    );
  });

  it("the restore after it, acknowledged", () => {
    const [v] = grafanaDataVerdicts([before], [after], running, true, CONTEXT);
    assert.ok(
      v.note?.endsWith(
        `restore it: ${pod} && ${K} -n monitoring cp -c grafana grafana.db "$POD:/var/lib/grafana/grafana.db" && ${K} -n monitoring delete pod "$POD"`,
      ),
      v.note,
    );
  });

  it("the command that lists the running releases' repositories, when the chart cache lacks one", async () => {
    const missing = new ChartCacheError(
      "lacks",
      [{ archive: "grafana-8.0.0.tgz", fix: "" }],
      ["grafana-8.0.0.tgz"],
      "/c",
    );
    const from = {
      ...running,
      releases: [{ ...running.releases[0], version: "8.0.0" }],
      from: { context: CONTEXT },
    };
    await assert.rejects(
      runningRenders(from, "running", () => Promise.reject(missing)),
      (e: Error) => {
        assert.ok(
          e.message.includes(`with:\n    flux --context ${CONTEXT} get sources helm -A\n`),
          e.message,
        );
        return true;
      },
    );
  });
});

describe("change check --against: a refused Grafana admin source's commands name the stack's kube context", () => {
  const SECRETS = "urn:pulumi:production::homelab-observability::homelab:secrets:Secrets::secrets";
  const exportOf = (source: ExportResource): StackExport =>
    ({
      version: 3,
      deployment: {
        manifest: {},
        resources: [
          provider,
          {
            urn: "urn:pulumi:production::homelab-observability::kubernetes:helm.sh/v3:Release::grafana",
            custom: true,
            type: "kubernetes:helm.sh/v3:Release",
            inputs: {
              chart: "grafana",
              name: "grafana",
              namespace: "monitoring",
              values: { persistence: { enabled: true } },
            },
            outputs: {},
          },
          { urn: SECRETS, custom: false, type: "homelab:secrets:Secrets", inputs: {}, outputs: {} },
          source,
        ],
      },
    }) as unknown as StackExport;
  const child = (type: string, name: string): ExportResource => ({
    urn: `urn:pulumi:production::homelab-observability::homelab:secrets:Secrets$${type}::${name}`,
    custom: true,
    type,
    inputs: {},
    outputs: {},
    parent: SECRETS,
  });

  it("the read of the current password and the reset to the new one", () => {
    const v = grafanaAdminVerdict(
      exportOf(child("random:index/randomPassword:RandomPassword", "production-grafana-admin")),
      exportOf(child("kubernetes:core/v1:Secret", "production-grafana-admin")),
    );
    const read = `${K} get secret --namespace monitoring grafana-admin -o jsonpath="{.data.admin-password}" | base64 --decode`;
    assert.ok(v?.line.includes(`read the current password: ${read}; echo;`), v?.line);
    assert.ok(
      v?.line.includes(
        `give Grafana the new one: ${K} exec --namespace monitoring deploy/grafana -c grafana -- grafana cli admin reset-admin-password "$(${read})".`,
      ),
      v?.line,
    );
  });

  it("the command that keeps the generated password runs against the stack and its project folder", () => {
    const v = grafanaAdminVerdict(
      exportOf(child("random:index/randomPassword:RandomPassword", "production-grafana-admin")),
      exportOf(child("kubernetes:core/v1:Secret", "production-grafana-admin")),
      undefined,
      { stack: "production", dir: "/srv/home lab" },
    );
    assert.ok(
      v?.line.includes(
        "leave grafanaAdminPassword unset (pulumi --cwd '/srv/home lab' config rm --stack production grafanaAdminPassword)",
      ),
      v?.line,
    );
  });
});
