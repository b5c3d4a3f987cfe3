/**
 * The pods prometheus-operator makes of a Prometheus, an Alertmanager or a PrometheusAgent (not
 * modelled before: what it read and dialled was nobody's connection) as readers of the Secrets
 * and ConfigMaps their CR names (checks/readers.ts readersOf, upstream/operators/
 * prometheusOperator.ts READ_FIELDS): `secrets` and `configMaps` become the pods' volumes,
 * `additionalScrapeConfigs` (and the other SecretKeySelectors, their one key) and Alertmanager's
 * `configSecret` (`alertmanager-<name>` when empty) the pods' configuration. The modelled pod has
 * no such volume, so a scrape target of kube-prometheus-stack's `additionalScrapeConfigs` Secret
 * was nobody's connection: one its NetworkPolicies refuse passed silently. The same held of the
 * VictoriaMetrics operator's VMAgent `additionalScrapeConfigs`, VMAlert `notifierConfigRef` and
 * VMAlertmanager `configSecret` (victoriaMetrics.ts VM_KIND_READ_FIELDS), which were not modelled.
 */
import { strict as assert } from "assert";
import type { K8sObject } from "../../checks/objects";
import { ADDRESS, cr, holding, podRefusals, ref, refusals } from "../support/operatorReaders";

/** A configuration whose one address is the server's. */
const DIALS = `targets: ["${ADDRESS}"]\n`;

/** Each case: what it is, the CR, the object beside it, whether the CR's pods read the object. */
const CASES: [string, K8sObject, K8sObject, boolean][] = [
  ["Prometheus secrets", cr("Prometheus", { secrets: ["a"] }), holding("Secret", "a"), true],
  ["Prometheus configMaps", cr("Prometheus", { configMaps: ["a"] }), holding("ConfigMap", "a"), true],
  [
    "additionalScrapeConfigs",
    cr("Prometheus", { additionalScrapeConfigs: ref("a") }),
    holding("Secret", "a"),
    true,
  ],
  [
    "additionalAlertManagerConfigs",
    cr("Prometheus", { additionalAlertManagerConfigs: ref("a") }),
    holding("Secret", "a"),
    true,
  ],
  ["Alertmanager secrets", cr("Alertmanager", { secrets: ["a"] }), holding("Secret", "a"), true],
  ["Alertmanager configSecret", cr("Alertmanager", { configSecret: "a" }), holding("Secret", "a"), true],
  [
    "Alertmanager's default config Secret",
    cr("Alertmanager", {}),
    holding("Secret", "alertmanager-kps"),
    true,
  ],
  ["PrometheusAgent secrets", cr("PrometheusAgent", { secrets: ["a"] }), holding("Secret", "a"), true],
  [
    "PrometheusAgent configMaps",
    cr("PrometheusAgent", { configMaps: ["a"] }),
    holding("ConfigMap", "a"),
    true,
  ],
  [
    "PrometheusAgent additionalScrapeConfigs",
    cr("PrometheusAgent", { additionalScrapeConfigs: ref("a") }),
    holding("Secret", "a"),
    true,
  ],
  ["another name", cr("Prometheus", { secrets: ["b"] }), holding("Secret", "a"), false],
  [
    "a ConfigMap of a listed Secret's name",
    cr("Prometheus", { secrets: ["a"] }),
    holding("ConfigMap", "a"),
    false,
  ],
  [
    "the default with configSecret set",
    cr("Alertmanager", { configSecret: "a" }),
    holding("Secret", "alertmanager-kps"),
    false,
  ],
  ["a CR of another namespace", cr("Prometheus", { secrets: ["a"] }, "other"), holding("Secret", "a"), false],
  ["VMAgent secrets", cr("VMAgent", { secrets: ["a"] }), holding("Secret", "a"), true],
  ["VMAlert configMaps", cr("VMAlert", { configMaps: ["a"] }), holding("ConfigMap", "a"), true],
  ["VMAlertmanager secrets", cr("VMAlertmanager", { secrets: ["a"] }), holding("Secret", "a"), true],
  ["VMAgent configMaps, a Secret", cr("VMAgent", { configMaps: ["a"] }), holding("Secret", "a"), false],
  [
    "VMAgent additionalScrapeConfigs",
    cr("VMAgent", { additionalScrapeConfigs: ref("a") }),
    holding("Secret", "a"),
    true,
  ],
  ["VMAlert notifierConfigRef", cr("VMAlert", { notifierConfigRef: ref("a") }), holding("Secret", "a"), true],
  [
    "VMAlert notifierConfigRef beside notifier.blackhole",
    cr("VMAlert", { notifierConfigRef: ref("a"), extraArgs: { "notifier.blackhole": "true" } }),
    holding("Secret", "a"),
    false,
  ],
  [
    "VMAlertmanager configSecret",
    cr("VMAlertmanager", { configSecret: "a" }),
    holding("Secret", "a", { "alertmanager.yaml": DIALS }),
    true,
  ],
  [
    "VMAlertmanager configSecret, a key it does not read",
    cr("VMAlertmanager", { configSecret: "a" }),
    holding("Secret", "a", { "other.yaml": DIALS }),
    false,
  ],
  [
    "VMAlertmanager configSecret of the operator's own name",
    cr("VMAlertmanager", { configSecret: "vmalertmanager-kps-config" }),
    holding("Secret", "vmalertmanager-kps-config", { "alertmanager.yaml": DIALS }),
    false,
  ],
  [
    "additionalScrapeConfigs, a key it does not name",
    cr("Prometheus", { additionalScrapeConfigs: ref("a") }),
    holding("Secret", "a", { "other.yaml": DIALS }),
    false,
  ],
];

/** A VMCluster whose vmselect alone names the Secret `a`. */
const cluster = cr("VMCluster", { vmselect: { secrets: ["a"] }, vminsert: {}, vmstorage: {} });

describe("network policies: the pods operators make read the Secrets and ConfigMaps their CR names", () => {
  it("each field of READ_FIELDS, VM_READ_FIELDS and VM_KIND_READ_FIELDS makes the object's address the pod's connection, judged and refused", () => {
    for (const [what, custom, object] of CASES.filter((c) => c[3]))
      assert.equal(refusals(custom, object), 1, what);
  });

  it("an object the CR does not name, or names as another kind, is not its pods'", () => {
    for (const [what, custom, object] of CASES.filter((c) => !c[3]))
      assert.equal(refusals(custom, object), 0, what);
  });

  it("a PrometheusAgent's own remoteWrite is its pod's connection (prom-agent-<name>)", () => {
    const agent = cr("PrometheusAgent", { remoteWrite: [{ url: `http://${ADDRESS}/api/v1/write` }] });
    assert.equal(podRefusals([agent], "prom-agent-kps"), 1);
  });

  it("a VMCluster's component reads what its own key names, the others do not", () => {
    assert.equal(refusals(cluster, holding("Secret", "a"), "vmselect-kps"), 1);
    assert.equal(refusals(cluster, holding("Secret", "a"), "vminsert-kps"), 0);
  });
});
