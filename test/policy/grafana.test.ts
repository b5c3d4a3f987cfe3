import { strict as assert } from "assert";
import { grafanaBool } from "../../policy/grafana";
import { fails, passes, release, res } from "../support/policyCases";

const ONE = "grafana-single-default-datasource";
const STACK = "grafana-single-default-datasource-stack";

/** Standalone grafana chart values provisioning datasources with these isDefault values. */
const grafana = (defaults: unknown[], extra: Record<string, any> = {}) =>
  release("grafana", {
    admin: { existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" },
    datasources: {
      "datasources.yaml": {
        apiVersion: 1,
        datasources: defaults.map((d, i) => ({
          name: `ds${i}`,
          type: "prometheus",
          url: `http://ds${i}:9090`,
          isDefault: d,
        })),
      },
    },
    ...extra,
  });
const sidecarOn = { sidecar: { datasources: { enabled: true } } };
/** kube-prometheus-stack with its Grafana off, as the program deploys it from phase 1. */
const kps = (grafanaValues: Record<string, any> = {}) =>
  release("kube-prometheus-stack", { grafana: { enabled: false, ...grafanaValues } });

describe("policy (grafana): a realistic export passes", () => {
  const stack = () => [grafana([true, false]), kps()];
  it(`${ONE} passes`, () => passes(stack(), ONE));
  it(`${STACK} passes`, () => passes(stack(), STACK));
});

describe("policy (grafana): isDefault is read as Grafana reads it (values.BoolValue: strconv.ParseBool)", () => {
  for (const v of ["true", "True", "1", "t", 1])
    it(`${JSON.stringify(v)} counts as default`, () =>
      fails([grafana([true, v])], ONE, /marks 2 datasources of org 1 as default \(ds0, ds1\)/));
  for (const v of [false, "false", "0", "no", "", null])
    it(`${JSON.stringify(v)} does not`, () => passes([grafana([true, v])], ONE));
  it("grafanaBool follows strconv.ParseBool's true set", () =>
    assert.deepEqual(["1", "t", "T", "TRUE", "true", "True", "yes", "on", "y"].map(grafanaBool), [
      true,
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]));
  it("apiVersion 0 files use is_default", () =>
    fails(
      [
        res("kubernetes:core/v1:ConfigMap", {
          metadata: { name: "old", labels: { grafana_datasource: "1" } },
          data: { "ds.yaml": "datasources:\n- name: a\n  is_default: true\n- name: b\n  is_default: true\n" },
        }),
      ],
      ONE,
      /marks 2 datasources of org 1 as default \(a, b\)/,
    ));
});

describe("policy (grafana): kube-prometheus-stack's datasource ConfigMap with its Grafana disabled", () => {
  it("forceDeployDatasources renders it (default Prometheus isDefault: true); the standalone Grafana's sidecar picks it up: fails", () =>
    fails(
      [grafana([true], sidecarOn), kps({ forceDeployDatasources: true })],
      STACK,
      /2 default datasources for org 1 reach kubernetes:helm\.sh\/v3:Release "grafana": ds0 .*; Prometheus \(kubernetes:helm\.sh\/v3:Release "kube-prometheus-stack" values\.grafana \(kube-prometheus-stack datasource ConfigMap\), via the datasource sidecar\)/,
    ));
  it("passes when its default datasource is not the default (isDefaultDatasource: false)", () =>
    passes(
      [
        grafana([true], sidecarOn),
        kps({ forceDeployDatasources: true, sidecar: { datasources: { isDefaultDatasource: false } } }),
      ],
      STACK,
    ));
  it("passes without forceDeployDatasources (nothing rendered)", () =>
    passes([grafana([true], sidecarOn), kps()], STACK));
  it("passes when the standalone Grafana's datasource sidecar is off (grafana chart default)", () =>
    passes([grafana([true]), kps({ forceDeployDatasources: true })], STACK));
  it("its additionalDataSources share the ConfigMap's file: two defaults there fail per source", () =>
    fails(
      [kps({ forceDeployDatasources: true, additionalDataSources: [{ name: "Mimir", isDefault: "true" }] })],
      ONE,
      /values\.grafana \(kube-prometheus-stack datasource ConfigMap\) marks 2 datasources of org 1 as default \(Prometheus, Mimir\)/,
    ));
  it("victoria-metrics-k8s-stack's forceDeployDatasource does the same", () =>
    fails(
      [
        grafana([true], sidecarOn),
        release("victoria-metrics-k8s-stack", { grafana: { enabled: false, forceDeployDatasource: true } }),
      ],
      STACK,
      /VictoriaMetrics/,
    ));
});

// The standalone grafana chart reads labelled ConfigMaps only with
// sidecar.datasources.enabled (default false in its values.yaml), so these cases now turn it on; a
// provisioning file without apiVersion is read as version 0 (is_default), so the ConfigMap says 1.
describe("policy: grafana single default datasource", () => {
  const ds = (...defaults: boolean[]) => ({
    datasources: {
      "datasources.yaml": {
        apiVersion: 1,
        datasources: defaults.map((d, i) => ({ name: `ds${i}`, type: "prometheus", isDefault: d })),
      },
    },
  });
  it("passes one default", () => passes([release("grafana", ds(true, false))], ONE));
  it("fails two defaults in one provisioning file", () =>
    fails([release("grafana", ds(true, true))], ONE, /marks 2 datasources of org 1 as default \(ds0, ds1\)/));
  it("stack-level: fails a default in Grafana plus KPS's sidecar default", async () => {
    await passes(
      [
        release("grafana", { ...ds(true), ...sidecarOn }),
        release("kube-prometheus-stack", { grafana: { enabled: false } }),
      ],
      STACK,
    );
    await fails(
      [release("grafana", { ...ds(true), ...sidecarOn }), release("kube-prometheus-stack", {})],
      STACK,
      /2 default datasources for org 1/,
    );
  });
  it("stack-level: counts sidecar ConfigMaps labelled grafana_datasource", () =>
    fails(
      [
        release("grafana", { ...ds(true), ...sidecarOn }),
        res("kubernetes:core/v1:ConfigMap", {
          metadata: { labels: { grafana_datasource: "1" } },
          data: { "ds.yaml": "apiVersion: 1\ndatasources:\n- name: extra\n  isDefault: true\n" },
        }),
      ],
      STACK,
      /extra/,
    ));
});

describe("policy (grafana): more than one replica shares no SQLite file and no ReadWriteOnce claim", () => {
  const R = "grafana-replicas-share-no-state";
  /** The program's Grafana values as far as this policy reads them (builders/grafana/grafanaValues.ts). */
  const values = (extra: Record<string, any> = {}) => ({
    persistence: { enabled: true, size: "10Gi", storageClassName: "local-path" },
    ...extra,
  });
  const postgres = { "grafana.ini": { database: { type: "postgres", host: "pg:5432", name: "grafana" } } };

  it("passes: one replica (the chart's default) on SQLite and its claim", () =>
    passes([release("grafana", values())], R));
  it("passes: two replicas on a shared PostgreSQL, one claim per pod (persistence.type statefulset)", () =>
    passes(
      [
        release(
          "grafana",
          values({ replicas: 2, ...postgres, persistence: { enabled: true, type: "statefulset" } }),
        ),
      ],
      R,
    ));
  it("passes: two replicas on a shared PostgreSQL without persistence", () =>
    passes([release("grafana", values({ replicas: 2, ...postgres, persistence: { enabled: false } }))], R));
  it("fails: two replicas on SQLite and the Deployment's one ReadWriteOnce claim, naming both and what to set", () =>
    fails(
      [release("grafana", values({ replicas: 2 }))],
      R,
      /values\.replicas is 2, but its database is SQLite \(no database type set: Grafana's default sqlite3, the file grafana\.db under paths\.data \/var\/lib\/grafana\), one file the pods would share; and every pod of the Deployment mounts the one claim the chart makes for its Deployment \(ReadWriteOnce\), which only one node can mount.*Keep one replica \(set chartValues\.grafana\.replicas to 1, or remove it\), or for 2: give Grafana a database its pods share \(chartValues\.grafana\["grafana\.ini"\]\.database: type postgres or mysql, host, name, user\), which this stack can only hand Grafana without a password: the chart refuses a literal database\.password, and no key of this stack makes the Secret/,
    ));
  it("fails: autoscaling counts its maxReplicas (the chart's default 5)", () =>
    fails(
      [release("grafana", values({ autoscaling: { enabled: true } }))],
      R,
      /values\.autoscaling\.maxReplicas is 5/,
    ));
  it("fails: autoscaling names the autoscaling keys as the fix, not replicas the HPA overrides", async () => {
    const [v] = await fails(
      [release("grafana", values({ autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 3 } }))],
      R,
      /values\.autoscaling\.enabled is true and values\.autoscaling\.maxReplicas is 3, but .*Keep one replica \(set chartValues\.grafana\.autoscaling\.enabled to false, or chartValues\.grafana\.autoscaling\.maxReplicas to 1\), or for 3:/,
    );
    assert.doesNotMatch(v.message, /chartValues\.grafana\.replicas/);
  });
  // With replicas: 2 beside autoscaling, "set autoscaling.enabled to false" brought replicas: 2 back
  // into force (the chart reads replicas once the HPA is off): the next run refused it again. And
  // "maxReplicas to 1" beside minReplicas: 2 makes an HPA whose minimum is above its maximum.
  it("fails: autoscaling beside replicas or minReplicas above 1 names them in the fix, which then brings one pod", async () => {
    const [v] = await fails(
      [
        release(
          "grafana",
          values({ replicas: 2, autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 3 } }),
        ),
      ],
      R,
      /Keep one replica \(set chartValues\.grafana\.autoscaling\.enabled to false and chartValues\.grafana\.replicas to 1 or remove it \(it is 2, read once autoscaling is off\), or chartValues\.grafana\.autoscaling\.maxReplicas and chartValues\.grafana\.autoscaling\.minReplicas to 1 \(minReplicas is 2\)\), or for 3:/,
    );
    assert.ok(v);
  });
  // grafana 12.3.1 templates/statefulset.yaml sets `replicas: {{ .Values.replicas }}` with no
  // autoscaling condition (deployment.yaml alone leaves it out while autoscaling is on): said of a
  // StatefulSet, "read once autoscaling is off" was untrue.
  it("fails: beside a StatefulSet, replicas is said as read with autoscaling on or off", async () => {
    const [v] = await fails(
      [
        release(
          "grafana",
          values({ replicas: 2, useStatefulSet: true, autoscaling: { enabled: true, maxReplicas: 3 } }),
        ),
      ],
      R,
      /set chartValues\.grafana\.autoscaling\.enabled to false and chartValues\.grafana\.replicas to 1 or remove it \(it is 2, which the chart's StatefulSet reads with autoscaling on or off\), or chartValues\.grafana\.autoscaling\.maxReplicas to 1\)/,
    );
    assert.doesNotMatch(v.message, /read once autoscaling is off/);
  });
  it("fails: a shared database still cannot share the Deployment's ReadWriteOnce claim", () =>
    fails(
      [release("grafana", values({ replicas: 3, ...postgres }))],
      R,
      /values\.replicas is 3, but every pod of the Deployment mounts .*ReadWriteOnce.*chartValues\.grafana\.persistence\.enabled: false/,
    ));
  it("fails: one claim per pod still leaves SQLite: each pod its own users and dashboards", () =>
    fails(
      [release("grafana", values({ replicas: 2, persistence: { enabled: true, type: "sts" } }))],
      R,
      /one file per pod: each pod would keep its own users, dashboards and alert state/,
    ));
  it("passes: a ReadWriteMany claim shared by the pods of a shared database", () =>
    passes(
      [
        release(
          "grafana",
          values({
            replicas: 2,
            ...postgres,
            persistence: { enabled: true, accessModes: ["ReadWriteMany"] },
          }),
        ),
      ],
      R,
    ));
  // grafana 12.3.1 renders its Deployment only for persistence off or `type: pvc`
  // (templates/deployment.yaml:1) and its StatefulSet only without an existingClaim
  // (templates/statefulset.yaml:2): between them, no Grafana pod. Said "every pod of the
  // Deployment mounts the existing claim" of pods that do not exist, and named replicas as the
  // override whose removal cleared the missing pods' findings.
  it("passes: a StatefulSet type beside an existingClaim renders no Grafana pod, so no replicas to judge", () =>
    passes(
      [
        release(
          "grafana",
          values({
            replicas: 2,
            persistence: { enabled: true, type: "StatefulSet", existingClaim: "grafana-data" },
          }),
        ),
      ],
      R,
    ));
  // Its advice "or persistence.type: statefulset" kept the existingClaim beside it: the next
  // render had no Grafana pod at all.
  it("fails: beside an existingClaim, a StatefulSet is advised without it", async () => {
    const [v] = await fails(
      [
        release(
          "grafana",
          values({ replicas: 2, ...postgres, persistence: { enabled: true, existingClaim: "grafana-data" } }),
        ),
      ],
      R,
      /every pod of the Deployment mounts the existing claim grafana-data \(ReadWriteOnce\).*or chartValues\.grafana\.persistence\.type: statefulset without chartValues\.grafana\.persistence\.existingClaim \(the chart's StatefulSet makes a claim per pod, and beside an existingClaim it renders no Grafana pod\)\./,
    );
    assert.ok(v);
  });
  // An existingClaim of {} is unset to the chart (Go template's truth): its Deployment mounts the
  // claim it makes itself (grafana 12.3.1 _pod.tpl:1602 `existingClaim | default fullname`, pvc.yaml:1).
  // It was named "the existing claim [object Object]", with the advice written for a real claim.
  it("fails: an existingClaim of {} is the chart's own claim, not an existing one", async () => {
    const [v] = await fails(
      [
        release(
          "grafana",
          values({ replicas: 2, ...postgres, persistence: { enabled: true, existingClaim: {} } }),
        ),
      ],
      R,
      /every pod of the Deployment mounts the one claim the chart makes for its Deployment \(ReadWriteOnce\)/,
    );
    assert.doesNotMatch(v.message, /object Object|beside an existingClaim/);
  });
  it("the database type from GF_DATABASE_URL counts as Grafana reads it", () =>
    passes(
      [
        release(
          "grafana",
          values({
            replicas: 2,
            env: { GF_DATABASE_URL: "mysql://g@db:3306/grafana" },
            persistence: { enabled: false },
          }),
        ),
      ],
      R,
    ));
});
