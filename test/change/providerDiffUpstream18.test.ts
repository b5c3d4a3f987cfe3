import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { refusedUpdate } from "../../change/apiRules";
import { formatChange, planChange, refusalCount } from "../../change/change";
import type { RenderedObject } from "../../synth/render/types";
import type { ExportResource } from "../../synth/synthesize";
import { synth, synthCli, tmpDir } from "../support/helpers";
import { prometheusClaim, refusedLines, stackState } from "../support/changeStates";

/*
 * The change checks' restated rules, compared with their upstream sources (read, not run: no API
 * server and no provider binary here), and one refusal per protected replacement (issue 51 item 3).
 */

const fields = (a: RenderedObject, b: RenderedObject) => refusedUpdate(a, b).map((r) => r.field);

const sts = (spec: Record<string, any> = {}): RenderedObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "loki", namespace: "monitoring" },
  spec: {
    replicas: 1,
    serviceName: "loki-headless",
    selector: { matchLabels: { app: "loki" } },
    template: { metadata: { labels: { app: "loki" } }, spec: { containers: [{ name: "l", image: "a" }] } },
    ...spec,
  },
});

describe("change: the API server's update rules as Kubernetes 1.31 has them (change/apiRules.ts)", () => {
  it("refuses a StatefulSet's revisionHistoryLimit change, in 1.31's own words, but not its default spelled out", () => {
    // pkg/apis/apps/validation ValidateStatefulSetUpdate copies only six fields from the old spec;
    // a 1.31.4 server refuses revisionHistoryLimit (kubernetes/kubernetes#130263).
    const r = refusedUpdate(sts({ revisionHistoryLimit: 10 }), sts({ revisionHistoryLimit: 3 }));
    assert.deepEqual(
      r.map((x) => x.field),
      ["spec.revisionHistoryLimit"],
    );
    assert.match(
      r[0].reason,
      /^updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden /,
    );
    // SetDefaults_StatefulSet: revisionHistoryLimit 10.
    assert.deepEqual(fields(sts(), sts({ revisionHistoryLimit: 10 })), []);
    assert.deepEqual(fields(sts(), sts({ revisionHistoryLimit: 5 })), ["spec.revisionHistoryLimit"]);
  });

  it("refuses a Secret's type change (ValidateSecretUpdate), an unset type being Opaque", () => {
    const secret = (type?: string): RenderedObject => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s", namespace: "monitoring" },
      ...(type ? { type } : {}),
      data: { k: "dg==" },
    });
    const r = refusedUpdate(secret("Opaque"), secret("kubernetes.io/tls"));
    assert.deepEqual(
      r.map((x) => x.field),
      ["type"],
    );
    assert.match(r[0].reason, /from Opaque to kubernetes\.io\/tls; it is immutable/);
    assert.deepEqual(fields(secret(), secret("Opaque")), []);
    assert.deepEqual(fields(secret(), { ...secret(), data: { k: "dw==" } }), []);
  });

  it("refuses a RoleBinding's or ClusterRoleBinding's roleRef change (cannot change roleRef), not its subjects", () => {
    for (const kind of ["RoleBinding", "ClusterRoleBinding"]) {
      const binding = (role: string, subject = "agent"): RenderedObject => ({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind,
        metadata: { name: "b" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
        subjects: [{ kind: "ServiceAccount", name: subject, namespace: "monitoring" }],
      });
      const r = refusedUpdate(binding("alloy"), binding("alloy-v2"));
      assert.deepEqual(
        r.map((x) => x.field),
        ["roleRef"],
        kind,
      );
      assert.match(r[0].reason, /ClusterRole\/alloy -> ClusterRole\/alloy-v2.*cannot change roleRef/);
      assert.deepEqual(fields(binding("alloy"), binding("alloy", "other")), [], kind);
    }
  });

  it("lets a claim's unset volumeName be set once (the binder's), and refuses changing a set one", () => {
    const pvc = (volumeName?: string): RenderedObject => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "p", namespace: "monitoring" },
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        ...(volumeName ? { volumeName } : {}),
      },
    });
    assert.deepEqual(fields(pvc(), pvc("pv-1")), []);
    assert.deepEqual(fields(pvc("pv-1"), pvc("pv-2")), ["spec.volumeName"]);
  });
});

const URN = "urn:pulumi:production::homelab-observability::";

describe("change: a protected resource's refused replacement is one refusal saying both (change/change.ts)", function () {
  this.timeout(120000);

  it("a protected claim whose class changes: one refusal, the lost data and the protection, with the key behind it", () => {
    const pvc = (cls: string) => prometheusClaim(cls, "70Gi", { protect: true });
    const report = planChange(stackState([pvc("other")]), stackState([pvc("openebs-hostpath")]));
    assert.equal(report.refused.length, 1);
    const refused = report.refused[0].refused;
    assert.deepEqual(
      refused.map((r) => r.field),
      ["spec.storageClassName, protect"],
    );
    const [r] = refused;
    assert.match(
      r.reason,
      /^the replacement deletes the object that holds the data and creates an empty one; /,
    );
    assert.match(
      r.reason,
      /and the resource is protected: unable to replace a resource marked for protection/,
    );
    // It keeps the data refusal's cause, so one key's change at several places still merges into it.
    assert.ok(r.cause?.startsWith("storageClasses.metrics changed from other to openebs-hostpath"), r.cause);
    assert.ok(r.reason.endsWith(`; caused by ${r.cause}`), r.reason);
    const text = formatChange(report);
    assert.equal(refusedLines(text).length, 1, text);
    assert.equal(refusalCount(report), 1);
    assert.match(text, /; 1 refused$/);
  });

  it("a protected StatefulSet the program writes (Mimir's), whose claim template changes: one refusal", () => {
    const set = (storage: string): ExportResource => ({
      urn: `${URN}kubernetes:apps/v1:StatefulSet::mimir-ingester`,
      custom: true,
      protect: true,
      type: "kubernetes:apps/v1:StatefulSet",
      inputs: {
        metadata: { name: "mimir-ingester", namespace: "monitoring" },
        spec: {
          serviceName: "mimir-ingester",
          selector: { matchLabels: { app: "mimir-ingester" } },
          template: { metadata: { labels: { app: "mimir-ingester" } }, spec: { containers: [] } },
          volumeClaimTemplates: [
            { metadata: { name: "storage" }, spec: { resources: { requests: { storage } } } },
          ],
        },
      },
      outputs: {},
    });
    const report = planChange(stackState([set("10Gi")]), stackState([set("20Gi")]));
    assert.equal(report.refused.length, 1);
    const refused = report.refused[0].refused;
    assert.equal(refused.length, 1, JSON.stringify(refused));
    assert.match(refused[0].field, /^spec\.volumeClaimTemplates.*, protect$/);
    assert.match(refused[0].reason, /holds the data.*the resource is protected/);
  });

  it("a protected Release whose namespace changes: one refusal, the uninstall and the protection", () => {
    const rel = (namespace: string): ExportResource => ({
      urn: `${URN}kubernetes:helm.sh/v3:Release::grafana`,
      custom: true,
      protect: true,
      type: "kubernetes:helm.sh/v3:Release",
      inputs: { name: "grafana", namespace, chart: "grafana", version: "1.0.0", values: {} },
      outputs: {},
    });
    const report = planChange(stackState([rel("monitoring")]), stackState([rel("grafana")]));
    const refused = report.refused[0].refused;
    assert.deepEqual(
      refused.map((r) => r.field),
      ["namespace, protect"],
    );
    assert.match(
      refused[0].reason,
      /^a Release whose name or namespace changes is replaced: Helm uninstalls it/,
    );
    assert.match(refused[0].reason, /the resource is protected: unable to replace/);
  });

  it("synth --against: production's protected claim whose class changes is 1 REFUSED line, 1 refused, exit 1", async () => {
    const dir = tmpDir("protected-replace");
    const previous = JSON.parse(JSON.stringify((await synth("production")).export));
    const claim = previous.deployment.resources.find((r: ExportResource) =>
      r.urn.endsWith("kubernetes:core/v1:PersistentVolumeClaim::prometheus-volume"),
    );
    assert.ok(claim?.protect, "production's Prometheus claim is protected");
    claim.inputs.spec.storageClassName = "other-class";
    const file = path.join(dir, "previous.json");
    fs.writeFileSync(file, JSON.stringify(previous));
    const r = await synthCli("--stack", "production", "--out", dir, "--quiet", "--against", file);
    const lines = refusedLines(r.stdout);
    assert.equal(lines.length, 1, r.stdout);
    assert.match(
      lines[0],
      /REFUSED PersistentVolumeClaim::prometheus-volume spec\.storageClassName, protect: .*holds the data.*the resource is protected.*caused by storageClasses\.metrics/,
    );
    assert.match(r.stdout, /1 replace, 0 delete; 1 refused\n/, r.stdout);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.equal(
      r.stdout.trimEnd().split("\n").pop(),
      "production: FAIL (exit 1): the change: 1 refused (above)",
    );
  });
});
