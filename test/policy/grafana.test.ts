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
