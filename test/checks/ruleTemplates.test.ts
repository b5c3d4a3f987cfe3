/**
 * A VMAlert's rule templates (its `-rule.templates` globs) are text vmalert expands into alerts,
 * never addresses it dials (checks/readers.ts vmalertTemplates). pi with
 * `chartValues.victoria-metrics-k8s-stack.vmalert.templateFiles["links.tmpl"]` holding
 * `{{ define "l" }}http://nosuch.monitoring.svc.cluster.local:80/x{{ end }}` failed (exit 1,
 * "[address] ConfigMap monitoring/vmalert-vm-extra-tpl (release vm): ...: no Service
 * monitoring/nosuch in the rendered stack"). What vmalert does dial still counts: a file another flag
 * names (`-notifier.config`), a file its globs do not match.
 */
import { strict as assert } from "assert";
import { checkAddresses } from "../../checks/addresses";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import { deployment } from "../support/checkCases";
import { ADDRESS, NS, cr, holding, podRefusals } from "../support/operatorReaders";

/** The chart's VMAlert: ConfigMap `t` in `configMaps` (mounted at /etc/vm/configs/t), with `extraArgs`. */
const vmalert = (extraArgs: Record<string, string>) => cr("VMAlert", { configMaps: ["t"], extraArgs });
const GLOB = { "rule.templates": "/etc/vm/configs/t/*.tmpl" };

describe("addresses: a link in a VMAlert's rule template is not resolved", () => {
  const nowhere = `http://nowhere.${NS}.svc.cluster.local:80`;
  const findings = (extraArgs: Record<string, string>, files: Record<string, string>) => {
    const placed: Placed[] = [vmalert(extraArgs), holding("ConfigMap", "t", files)].map((obj) => ({
      obj,
      urn: "urn:vm",
      source: "release vm",
    }));
    return checkAddresses(placed, operatorObjects(placed)).findings.length;
  };
  const link = { "links.tmpl": `{{ define "l" }}${nowhere}/x{{ end }}` };

  it("a file its -rule.templates globs match (the chart's vmalert.templateFiles) is no finding", () => {
    assert.equal(findings(GLOB, link), 0);
    // An array flag's comma-separated value (lib/flagutil/array.go:105-117).
    assert.equal(findings({ "rule.templates": "/etc/vm/x/*.tpl,/etc/vm/configs/t/*.tmpl" }, link), 0);
  });

  it("a file the globs do not match, a relative or unmodelled glob, or no flag: the address counts", () => {
    assert.equal(findings(GLOB, { "links.tpl": link["links.tmpl"] }), 1);
    assert.equal(findings({ "rule.templates": "t/*.tmpl" }, link), 1);
    assert.equal(findings({ "rule.templates": "/etc/vm/configs/t/{a,*}.tmpl" }, link), 1);
    assert.equal(findings({}, link), 1);
  });

  it("a template file another flag names (-notifier.config) is dialled", () => {
    const notifier = { "notifier.tmpl": `static_configs:\n- targets: ["${nowhere}"]\n` };
    const named = { ...GLOB, "notifier.config": "/etc/vm/configs/t/notifier.tmpl" };
    assert.equal(findings(named, { ...link, ...notifier }), 1);
    assert.equal(findings(GLOB, { ...link, ...notifier }), 0);
  });
});

describe("network policies: a VMAlert's rule templates are not its connections", () => {
  const cm = (key: string) =>
    holding("ConfigMap", "t", { [key]: `{{ define "l" }}http://${ADDRESS}{{ end }}` });

  it("a rule template holds no address vmalert dials; another file of the ConfigMap does", () => {
    assert.equal(podRefusals([vmalert(GLOB), cm("links.tmpl")], "vmalert-kps"), 0);
    assert.equal(podRefusals([vmalert(GLOB), cm("links.yaml")], "vmalert-kps"), 1);
    const named = { ...GLOB, "notifier.config": "/etc/vm/configs/t/links.tmpl" };
    assert.equal(podRefusals([vmalert(named), cm("links.tmpl")], "vmalert-kps"), 1);
  });
});

/** A chart's own vmalert Deployment (no operator): ConfigMap `t` mounted at /etc/vm/tpl, run with `args`. */
function chartVmalert(args: string[], container: Record<string, unknown> = {}): K8sObject {
  const pod = deployment("vmalert", { app: "vmalert" });
  const volumeMounts = [{ name: "tpl", mountPath: "/etc/vm/tpl" }];
  pod.spec.template.spec.containers = [
    { name: "vmalert", image: "victoriametrics/vmalert:v1.144.0", args, volumeMounts, ...container },
  ];
  pod.spec.template.spec.volumes = [{ name: "tpl", configMap: { name: "t" } }];
  return pod;
}

describe("network policies: the rule templates of a vmalert a chart runs itself are not its connections", () => {
  const cm = (key: string) =>
    holding("ConfigMap", "t", { [key]: `{{ define "l" }}http://${ADDRESS}{{ end }}` });
  const refusals = (args: string[], key = "links.tmpl", container: Record<string, unknown> = {}) =>
    podRefusals([chartVmalert(args, container), cm(key)], "vmalert");

  it("a file its -rule.templates globs match holds no address it dials, in any of the flag's repeats", () => {
    assert.equal(refusals(["-rule.templates=/etc/vm/tpl/*.tmpl"]), 0);
    // The flag is an array: each repeat adds its globs (lib/flagutil/array.go:105-109).
    assert.equal(refusals(["-rule.templates=/etc/vm/x/*.tpl", "--rule.templates=/etc/vm/tpl/*.tmpl"]), 0);
  });

  it("a file the globs do not match or another flag names, flags not read, another command: it counts", () => {
    assert.equal(refusals(["-rule.templates=/etc/vm/tpl/*.tmpl"], "links.yaml"), 1);
    const named = ["-rule.templates=/etc/vm/tpl/*.tmpl", "-notifier.config=/etc/vm/tpl/links.tmpl"];
    assert.equal(refusals(named), 1);
    assert.equal(refusals(["-rule.templates", "/etc/vm/tpl/*.tmpl"]), 1);
    assert.equal(
      refusals(["-rule.templates=/etc/vm/tpl/*.tmpl"], undefined, { command: ["/bin/sh", "-c"] }),
      1,
    );
    assert.equal(refusals([]), 1);
  });
});

describe("network policies: a chart's vmalert's template that another flag names however spelt is dialled", () => {
  const cm = holding("ConfigMap", "t", {
    "links.tmpl": `static_configs:\n- targets: ["http://${ADDRESS}"]\n`,
  });
  const GLOBS = "-rule.templates=/etc/vm/tpl/*.tmpl";
  const refusals = (args: string[], container: Record<string, unknown> = {}) =>
    podRefusals([chartVmalert([GLOBS, ...args], container), cm], "vmalert");

  it("a -notifier.config not normalised, or relative to the working folder, names the template", () => {
    // vmalert opens the path as given (os.ReadFile, app/vmalert/notifier/init.go:177), against its
    // working folder when relative.
    assert.equal(refusals(["-notifier.config=/etc/vm/tpl/./links.tmpl"]), 1);
    assert.equal(refusals(["-notifier.config=tpl/links.tmpl"], { workingDir: "/etc/vm" }), 1);
  });

  it("a flag a %{VAR} placeholder or, with -envflag.enable, the environment may set, names it", () => {
    // lib/envflag/envflag.go:33-40 (placeholders in args), 41-64 (flags from the environment).
    const env = [{ name: "notifier_config", value: "/etc/vm/tpl/links.tmpl" }];
    assert.equal(refusals(["-notifier.config=%{NOTIFIER}"]), 1);
    assert.equal(refusals(["-envflag.enable=true"], { env }), 1);
    assert.equal(refusals([], { env }), 0);
  });

  it("a VMAlert's extraEnvs, for which its operator enables -envflag.enable, may name it", () => {
    const file = holding("ConfigMap", "t", { "links.tmpl": `{{ define "l" }}http://${ADDRESS}{{ end }}` });
    const extraEnvs = [{ name: "notifier_config", value: "/etc/vm/configs/t/links.tmpl" }];
    const spec = { configMaps: ["t"], extraArgs: GLOB };
    assert.equal(podRefusals([cr("VMAlert", { ...spec, extraEnvs }), file], "vmalert-kps"), 1);
    assert.equal(podRefusals([cr("VMAlert", spec), file], "vmalert-kps"), 0);
  });
});
