/**
 * The image-pins check judges the config-reloader the VictoriaMetrics operator gives VMAgent,
 * VMAlert and VMAlertmanager pods (no rendered object holds it as an `image`) against its own pin,
 * versions.images.vmConfigReloader, which the program hands the operator so that it is what runs.
 */
import { strict as assert } from "assert";
import { vmOperatorEnvOf, vmReloaderImage } from "@homelab-observability/contract";
import { checkImageDigests, pinOf } from "../../checks/imageDigests";
import { vmValues } from "../../builders/metrics/vmValues";
import { chartValuesTransformation } from "../../apply/chartValues";
import { RELEASE_TYPE } from "../../model/names";
import { imageString, imageTag, versions } from "../../model/versions";
import type { Placed } from "../../checks/objects";

const placed = (obj: Record<string, any>): Placed => ({
  urn: "urn:x",
  source: "release vm",
  obj: obj as Placed["obj"],
});
const operator = (env: { name: string; value: string }[]) =>
  placed({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "vm-operator", namespace: "monitoring" },
    spec: {
      template: {
        spec: { containers: [{ name: "operator", image: "victoriametrics/operator:v0.66.0", env }] },
      },
    },
  });
const cr = (kind: string, spec: Record<string, unknown> = {}) =>
  placed({
    apiVersion: "operator.victoriametrics.com/v1beta1",
    kind,
    metadata: { name: "vm", namespace: "monitoring" },
    spec,
  });
const pin = versions.images.vmConfigReloader;

describe("image-pins: the VictoriaMetrics operator's config-reloader", () => {
  it("the reloader's tag finds its own pin, not the operator's of the same repository", () => {
    assert.equal(pinOf(`docker.io/victoriametrics/operator:${pin.tag}`)?.[0], "vmConfigReloader");
    assert.equal(pinOf("victoriametrics/operator:config-reloader-v0.1.0")?.[0], "vmConfigReloader");
    assert.equal(pinOf(imageString(versions.images.vmOperator))?.[0], "vmOperator");
  });

  it("the operator's default reloader is judged: a pinned repository at the pin's tag passes", () => {
    const r = checkImageDigests([operator([]), cr("VMAgent"), cr("VMAlertmanager")]);
    assert.equal(r.images, 3, "the operator and two reloaders");
    assert.deepEqual(r.findings, []);
    assert.ok(r.byTagOnly.includes(`docker.io/victoriametrics/operator:${pin.tag}`), r.byTagOnly.join(", "));
  });

  it("a CR's configReloaderImageTag at another tag is a finding naming the field and the pin", () => {
    const r = checkImageDigests([
      operator([]),
      cr("VMAlertmanager", { configReloaderImageTag: "victoriametrics/operator:config-reloader-v0.60.0" }),
    ]);
    assert.deepEqual(
      r.findings.map((f) => f.message.split(" (versions.images")[0]),
      [
        `spec.configReloaderImageTag: image victoriametrics/operator:config-reloader-v0.60.0 is not the pin ${imageString(pin)}`,
      ],
    );
  });

  it("an unpinned reloader image the operator's variables select is a finding", () => {
    const r = checkImageDigests([
      operator([{ name: "VM_USECUSTOMCONFIGRELOADER", value: "false" }]),
      cr("VMAlertmanager"),
    ]);
    assert.match(
      r.findings.map((f) => f.message).join("\n"),
      /\(config-reloader injected by the operator: the operator's default VM_VMALERTMANAGER_CONFIGRELOADERIMAGE\): image jimmidyson\/configmap-reload:v0\.3\.0 is not pinned/,
    );
  });

  const programValues = () =>
    vmValues({
      caps: { kps: false, ruleEvaluator: "vmalert", scraper: "vmagent" },
      cluster: "pi",
      profile: "pi",
      retention: "30d",
      volumeSize: "10Gi",
      storageClass: "local-path",
      scrapeInterval: "30s",
      bufferBytes: 1,
      alerting: {} as any,
    } as any);
  /** The reloader image the operator gives each of the CRs of `values`. */
  const reloaders = (values: Record<string, any>) => {
    const op = values["victoria-metrics-operator"];
    const env = vmOperatorEnvOf([{ image: `${op.image.repository}:${op.image.tag}`, env: op.env }]);
    return (["vmagent", "vmalert", "alertmanager"] as const).map((kind) => {
      const k = { vmagent: "VMAgent", vmalert: "VMAlert", alertmanager: "VMAlertmanager" }[kind];
      return [kind, vmReloaderImage(k, values[kind].spec, env)?.image ?? ""] as const;
    });
  };

  it("the program hands the operator the pinned reloader, so the pin is what its CRs' pods run", () => {
    for (const [kind, image] of reloaders(programValues())) {
      assert.equal(pinOf(image)?.[0], "vmConfigReloader", `${kind}: ${image}`);
      assert.deepEqual(
        checkImageDigests([
          placed({
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "p" },
            spec: { containers: [{ name: "c", image }] },
          }),
        ]).findings,
        [],
      );
    }
  });

  /** The program's values with the user's `chartValues` override merged, as the program registers the release. */
  const withOverride = (override: Record<string, unknown>) => {
    const chart = versions.charts.victoriaMetricsStack.chart;
    const merged = chartValuesTransformation({ [chart]: override })({
      type: RELEASE_TYPE,
      name: "vm",
      props: { chart, values: programValues() },
      opts: {},
    } as any);
    return merged!.props.values as Record<string, any>;
  };
  const userEnv = (...env: { name: string; value: string }[]) => ({ "victoria-metrics-operator": { env } });

  it("a user's own operator env list keeps the program's pinned reloader beside its variables", () => {
    const values = withOverride(userEnv({ name: "VM_LOGLEVEL", value: "debug" }));
    assert.deepEqual(
      values["victoria-metrics-operator"].env.map((e: { name: string }) => e.name),
      ["VM_CUSTOMCONFIGRELOADERIMAGE", "VM_LOGLEVEL"],
    );
    const op = values["victoria-metrics-operator"];
    const env = vmOperatorEnvOf([{ image: `${op.image.repository}:${op.image.tag}`, env: op.env }]);
    const r = vmReloaderImage("VMAlertmanager", values.alertmanager.spec, env);
    assert.deepEqual(r, {
      image: `${pin.repository}:${imageTag(pin)}`,
      from: "the operator's VM_CUSTOMCONFIGRELOADERIMAGE",
    });
  });

  it("the user's own VM_CUSTOMCONFIGRELOADERIMAGE wins over the program's", () => {
    const mine = "victoriametrics/operator:config-reloader-v0.65.0";
    const values = withOverride(userEnv({ name: "VM_CUSTOMCONFIGRELOADERIMAGE", value: mine }));
    assert.deepEqual(values["victoria-metrics-operator"].env, [
      { name: "VM_CUSTOMCONFIGRELOADERIMAGE", value: mine },
    ]);
    assert.ok(reloaders(values).every(([, image]) => image === mine));
  });
});
