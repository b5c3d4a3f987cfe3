/**
 * The config-reloader the VictoriaMetrics operator puts into VMAgent, VMAlert, VMAlertmanager and
 * VMAuth pods runs on the Pi nodes like the rest of the pod: the arm64-images policy judges its image as it
 * judges prometheus-operator's `--prometheus-config-reloader`, on rendered CRs (offline) and on the
 * chart's values (a live preview). Which image runs is the operator's rule (the contract's
 * vmReloaderImage, read at v0.66.0); these tests state the behaviour through it.
 */
import { strict as assert } from "assert";
import { vmReloaderImage, vmOperatorEnvOf } from "@homelab-observability/contract";
import { workloadsOf, vmOperatorEnv } from "../../policy/lib/workloads";
import { fails, passes, release, res, stackInfo } from "../support/policyCases";

const P = "arm64-images";
const VM = "kubernetes:operator.victoriametrics.com/v1beta1";
const piOnly = () => stackInfo([{ name: "pi", arch: "arm64", count: 3 }]);
const X86 = "example.com/x86-only-reloader:1.0";
const operator = (env: { name: string; value: string }[] = [], image = "victoriametrics/operator:v0.66.0") =>
  res("kubernetes:apps/v1:Deployment", {
    metadata: { name: "vm-operator", namespace: "monitoring" },
    spec: { template: { spec: { containers: [{ name: "operator", image, env }] } } },
  });
const cr = (kind: string, spec: Record<string, unknown>) =>
  res(`${VM}:${kind}`, { metadata: { name: "vm", namespace: "monitoring" }, spec });
const RULES = { selectAllByDefault: true };

describe("contract (vmReloaderImage): the image the VictoriaMetrics operator gives its config-reloader", () => {
  const env = (e: { name: string; value: string }[] = [], image?: string) =>
    vmOperatorEnvOf([{ image: image ?? "victoriametrics/operator:v0.66.0", env: e }]);

  it("by default the operator's own, tagged with the version its image names", () => {
    for (const kind of ["VMAgent", "VMAlert", "VMAlertmanager"])
      assert.deepEqual(
        vmReloaderImage(kind, RULES, env())?.image,
        "victoriametrics/operator:config-reloader-v0.66.0",
      );
    // VM_OPERATOR_VERSION set non-empty wins over the image's; set empty it does not.
    const set = env([{ name: "VM_OPERATOR_VERSION", value: "v0.65.1" }]);
    assert.equal(
      vmReloaderImage("VMAgent", {}, set)?.image,
      "victoriametrics/operator:config-reloader-v0.65.1",
    );
    const empty = env([{ name: "VM_OPERATOR_VERSION", value: "" }]);
    assert.equal(
      vmReloaderImage("VMAgent", {}, empty)?.image,
      "victoriametrics/operator:config-reloader-v0.66.0",
    );
    // An operator image whose tag names no version leaves the default unknown, not guessed.
    assert.equal(vmReloaderImage("VMAgent", {}, env([], "victoriametrics/operator:latest")), undefined);
  });

  it("the CR's configReloaderImageTag, then the operator's VM_CUSTOMCONFIGRELOADERIMAGE, then the kind's own when the VM reloader is off", () => {
    const custom = env([{ name: "VM_CUSTOMCONFIGRELOADERIMAGE", value: "r.io/a/reloader:v2" }]);
    assert.deepEqual(vmReloaderImage("VMAgent", { configReloaderImageTag: X86 }, custom), {
      image: X86,
      from: "spec.configReloaderImageTag",
    });
    assert.equal(vmReloaderImage("VMAgent", {}, custom)?.image, "r.io/a/reloader:v2");
    assert.equal(
      vmReloaderImage("VMAgent", { useVMConfigReloader: false }, custom)?.image,
      "quay.io/prometheus-operator/prometheus-config-reloader:v0.82.1",
    );
    const off = env([
      { name: "VM_USECUSTOMCONFIGRELOADER", value: "false" },
      { name: "VM_VMALERTDEFAULT_CONFIGRELOADIMAGE", value: X86 },
    ]);
    assert.equal(vmReloaderImage("VMAlert", RULES, off)?.image, X86);
    assert.equal(vmReloaderImage("VMAlertmanager", {}, off)?.image, "jimmidyson/configmap-reload:v0.3.0");
  });

  it("VM_CONTAINERREGISTRY goes before it, in place of quay.io", () => {
    const reg = env([
      { name: "VM_CONTAINERREGISTRY", value: "mirror.local" },
      { name: "VM_USECUSTOMCONFIGRELOADER", value: "false" },
    ]);
    assert.equal(
      vmReloaderImage("VMAgent", {}, reg)?.image,
      "mirror.local/prometheus-operator/prometheus-config-reloader:v0.82.1",
    );
    assert.equal(
      vmReloaderImage("VMAlertmanager", {}, reg)?.image,
      "mirror.local/jimmidyson/configmap-reload:v0.3.0",
    );
  });

  it("none where the pods run no reloader: a VMAlert no rule selector picks rules for, a VMSingle", () => {
    assert.equal(vmReloaderImage("VMAlert", {}, env()), undefined);
    assert.equal(vmReloaderImage("VMSingle", {}, env()), undefined);
    assert.equal(vmReloaderImage("VMAgent", { ingestOnlyMode: true }, env()), undefined);
  });
});

describe("policy (arm64): the VictoriaMetrics operator's config-reloader is judged", () => {
  it("the workload lists the reloader's image beside its own (offline, from the rendered CR)", () => {
    const agent = cr("VMAgent", {});
    const op = operator();
    const [w] = workloadsOf(
      { type: agent.type, urn: agent.urn, name: "vm", props: agent.inputs! },
      undefined,
      [],
      vmOperatorEnv([{ type: op.type, urn: op.urn, name: "op", props: op.inputs! }]),
    );
    assert.deepEqual(
      w.images.map((i) => i.image),
      ["victoriametrics/operator:config-reloader-v0.66.0"],
    );
  });

  it("passes: the operator's own reloader, published for linux/arm64", () =>
    passes([piOnly(), operator(), cr("VMAgent", {}), cr("VMAlert", RULES), cr("VMAlertmanager", {})], P));

  it("fails: a CR's configReloaderImageTag not known to publish linux/arm64, naming the field", () =>
    fails(
      [piOnly(), operator(), cr("VMAlertmanager", { configReloaderImageTag: X86 })],
      P,
      /StatefulSet vm can run on pool pi .*spec\.configReloaderImageTag is "example\.com\/x86-only-reloader:1\.0": example\.com\/x86-only-reloader is not known to publish linux\/arm64/,
    ));

  it("fails: the operator's variables switching every reloader to an image of another architecture", () =>
    fails(
      [
        piOnly(),
        operator([
          {
            name: "VM_CUSTOMCONFIGRELOADERIMAGE",
            value: "victoriametrics/operator:config-reloader-v0.66.0-amd64",
          },
        ]),
        cr("VMAgent", {}),
      ],
      P,
      /\(config-reloader injected by the operator: the operator's VM_CUSTOMCONFIGRELOADERIMAGE\) is "victoriametrics\/operator:config-reloader-v0\.66\.0-amd64": tag .* names another architecture/,
    ));

  it("fails: a live preview's chart values setting the reloader of vmagent's CR (no rendered objects)", () =>
    fails(
      [
        piOnly(),
        release("victoria-metrics-k8s-stack", {
          "victoria-metrics-operator": { image: { repository: "victoriametrics/operator", tag: "v0.66.0" } },
          vmsingle: { enabled: false },
          vmalert: { enabled: false },
          alertmanager: { enabled: false },
          vmagent: { enabled: true, spec: { configReloaderImageTag: X86 } },
        }),
      ],
      P,
      /values\.vmagent\.spec\.configReloaderImageTag is "example\.com\/x86-only-reloader:1\.0"/,
    ));

  it("fails: the chart's global.image.registry, which the operator puts before the reloader's image", () =>
    fails(
      [
        piOnly(),
        release("victoria-metrics-k8s-stack", {
          global: { image: { registry: "mirror.example.com" } },
          "victoria-metrics-operator": { image: { repository: "victoriametrics/operator", tag: "v0.66.0" } },
          vmsingle: { enabled: false },
          vmalert: { enabled: false },
          alertmanager: { enabled: false },
          vmagent: { enabled: true, spec: {} },
        }),
      ],
      P,
      /under VM_CONTAINERREGISTRY\) is "mirror\.example\.com\/victoriametrics\/operator:config-reloader-v0\.66\.0"/,
    ));
});
