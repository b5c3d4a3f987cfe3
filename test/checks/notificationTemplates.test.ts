/**
 * An Alertmanager's notification templates are text it sends, never addresses it dials
 * (checks/readers.ts): a link in one is no connection its NetworkPolicies must admit, and no
 * address the address check resolves. Staging with `chartValues.alertmanager.templates` holding
 * `{{ define "loki.link" }}http://loki-gateway.monitoring.svc.cluster.local:80/explore{{ end }}`
 * failed (exit 1, "StatefulSet monitoring/alertmanager (release alertmanager): http://loki-gateway
 * ...: no NetworkPolicy of monitoring lets it reach Deployment monitoring/loki-gateway"), as did
 * production with `chartValues.kube-prometheus-stack.alertmanager.templateFiles`. What Alertmanager
 * does dial still counts: its configuration, a file it names (`url_file`), a template when SNS's
 * `api_url` runs one (alertmanager v0.28.1 notify/sns/sns.go:110), a file its globs do not match.
 */
import { strict as assert } from "assert";
import { checkAddresses } from "../../checks/addresses";
import { operatorObjects, type K8sObject, type Placed } from "../../checks/objects";
import {
  ADDRESS,
  LINK,
  NS,
  alertmanagerConfig as config,
  alertmanagerPod,
  cr,
  holding,
  podRefusals,
} from "../support/operatorReaders";

/** The chart pod's refusals with its ConfigMap holding `files`. */
const chartRefusals = (files: Record<string, string>, pod = alertmanagerPod()) =>
  podRefusals([pod, holding("ConfigMap", "alertmanager", files)], "alertmanager");

describe("network policies: an Alertmanager's notification templates are not its connections", () => {
  it("a template its globs match holds no address it dials", () => {
    assert.equal(chartRefusals({ "alertmanager.yml": config(), "links.tmpl": LINK }), 0);
  });

  it("its configuration, and a file it names, are still dialled", () => {
    const webhook = `- name: hook\n  webhook_configs:\n  - url: http://${ADDRESS}/hook\n`;
    assert.equal(chartRefusals({ "alertmanager.yml": config(webhook) }), 1);
    const named = `- name: hook\n  webhook_configs:\n  - url_file: /etc/alertmanager/url.tmpl\n`;
    assert.equal(chartRefusals({ "alertmanager.yml": config(named), "url.tmpl": `http://${ADDRESS}` }), 1);
  });

  /**
   * Alertmanager reads its flags with kingpin v2.4.0 (checks/processArgs.ts): `--config.file value`
   * names its configuration as `--config.file=value` does, where the Go-flag reading (`=` pairs
   * only) found none and held every file dialled; a command line kingpin refuses stops it at start
   * (process-args), and it dials nothing.
   */
  it("its configuration is found by its flags as kingpin reads them; a refused command line dials nothing", () => {
    const files = { "alertmanager.yml": config(), "links.tmpl": LINK };
    const pod = (...args: string[]) => alertmanagerPod({ args: ["--storage.path=/alertmanager", ...args] });
    assert.equal(chartRefusals(files, pod("--config.file", "/etc/alertmanager/alertmanager.yml")), 0);
    assert.equal(
      chartRefusals(
        files,
        pod("--config.file=/etc/alertmanager/alertmanager.yml", "--no-web.systemd-socket"),
      ),
      0,
    );
    assert.equal(
      chartRefusals(files, pod("--storage.path=/data", "--config.file=/etc/alertmanager/alertmanager.yml")),
      0,
    );
    // `-config.file=` is kingpin's unknown short flag `-c`: Alertmanager does not start.
    assert.equal(chartRefusals(files, pod("-config.file=/etc/alertmanager/alertmanager.yml")), 0);
    // No configuration named (kingpin's default, alertmanager.yml in the working folder, is not mounted): every file counts.
    assert.equal(chartRefusals(files, pod()), 1);
  });

  it("a template is dialled where SNS's api_url is one, and a file no glob matches counts", () => {
    const sns = `- name: sns\n  sns_configs:\n  - api_url: '{{ template "link" . }}'\n`;
    assert.equal(chartRefusals({ "alertmanager.yml": config(sns), "links.tmpl": LINK }), 1);
    assert.equal(chartRefusals({ "alertmanager.yml": config(), "links.yaml": LINK }), 1);
  });

  it("a relative glob is read against the configuration's folder; an unreadable configuration keeps every file", () => {
    const relative = config().replace("/etc/alertmanager/*.tmpl", "'*.tmpl'");
    assert.equal(chartRefusals({ "alertmanager.yml": relative, "links.tmpl": LINK }), 0);
    assert.equal(chartRefusals({ "alertmanager.yml": "templates: [", "links.tmpl": LINK }), 1);
  });

  it("another container taking the same file in still dials it", () => {
    const pod = alertmanagerPod();
    pod.spec.template.spec.containers.push({
      name: "reader",
      image: "example/reader:1",
      volumeMounts: [{ name: "config", mountPath: "/config" }],
    });
    assert.equal(chartRefusals({ "alertmanager.yml": config(), "links.tmpl": LINK }, pod), 1);
  });

  it("a key the volume's items leave out is no file of the pod", () => {
    const pod = alertmanagerPod({
      volume: { items: [{ key: "alertmanager.yml", path: "alertmanager.yml" }] },
    });
    assert.equal(chartRefusals({ "alertmanager.yml": config(), "other.yaml": LINK }, pod), 0);
  });

  it("an operator's Alertmanager: the config Secret's other keys are templates where its globs match", () => {
    const files = (glob: string) => ({
      "alertmanager.yaml": `templates:\n- '${glob}'\nreceivers:\n- name: "null"\n`,
      "links.tmpl": LINK,
    });
    const am = cr("Alertmanager", {});
    const secret = (glob: string) => holding("Secret", "alertmanager-kps", files(glob));
    assert.equal(podRefusals([am, secret("/etc/alertmanager/config/*.tmpl")], "alertmanager-kps"), 0);
    assert.equal(podRefusals([am, secret("/etc/alertmanager/other/*.tmpl")], "alertmanager-kps"), 1);
  });

  it("a VMAlertmanager: a mounted ConfigMap's template, by configRawYaml's globs", () => {
    const am = (glob: string) =>
      cr("VMAlertmanager", { configMaps: ["t"], configRawYaml: `templates: ['${glob}']\n` });
    const cm = holding("ConfigMap", "t", { "links.tmpl": LINK });
    assert.equal(podRefusals([am("/etc/vm/configs/t/*.tmpl"), cm], "vmalertmanager-kps"), 0);
    assert.equal(podRefusals([am("/etc/vm/configs/x/*.tmpl"), cm], "vmalertmanager-kps"), 1);
  });

  it("a VMAlertmanager: each file of its `templates` is a template whatever the configuration's globs; another file it names is dialled", () => {
    // The operator mounts the ConfigMap at /etc/vm/templates/<name> and adds the file to the
    // configuration's templates (v0.66.0 vmalertmanager/statefulset.go:351-369, 524-535).
    const am = (config: string) =>
      cr("VMAlertmanager", { configRawYaml: config, templates: [{ name: "t", key: "links.tmpl" }] });
    const named = `receivers:\n- name: hook\n  webhook_configs:\n  - url_file: /etc/vm/templates/t/url\n`;
    const cm = (files: Record<string, string>) => holding("ConfigMap", "t", files);
    const none = `receivers:\n- name: "null"\n`;
    assert.equal(podRefusals([am(none), cm({ "links.tmpl": LINK })], "vmalertmanager-kps"), 0);
    const url = cm({ "links.tmpl": LINK, url: `http://${ADDRESS}` });
    assert.equal(podRefusals([am(named), url], "vmalertmanager-kps"), 1);
  });
});

describe("network policies: an operator's notification templates are dialled where an SNS receiver of a config CR expands one", () => {
  // AlertmanagerConfig's snsConfigs[].apiURL may be a template (prometheus-operator v0.93.0
  // pkg/alertmanager/validation/v1alpha1/validation.go:451-455) and becomes sns_configs' api_url
  // (amcfg.go:1527-1528); VMAlertmanagerConfig's receivers[].sns_configs[].api_url likewise
  // (VM operator v0.66.0 factory/vmalertmanager/config.go:620-637), which Alertmanager expands
  // (notify/sns/sns.go:110).
  const templated = '{{ template "link" . }}';
  /** A config CR `kind` with one SNS receiver whose API URL is `url`, in the CR's own spelling. */
  const snsCr = (kind: "AlertmanagerConfig" | "VMAlertmanagerConfig", url: string): K8sObject => {
    const vm = kind === "VMAlertmanagerConfig";
    const sns = vm
      ? { sns_configs: [{ api_url: url, topic_arn: "t" }] }
      : { snsConfigs: [{ apiURL: url, topicARN: "t" }] };
    return {
      apiVersion: vm ? "operator.victoriametrics.com/v1beta1" : "monitoring.coreos.com/v1alpha1",
      kind,
      metadata: { name: "sns", namespace: NS },
      spec: { route: { receiver: "sns" }, receivers: [{ name: "sns", ...sns }] },
    };
  };
  const amConfig = (url: string) => snsCr("AlertmanagerConfig", url);
  const vmConfig = (url: string) => snsCr("VMAlertmanagerConfig", url);
  const secret = holding("Secret", "alertmanager-kps", {
    "alertmanager.yaml": `templates:\n- /etc/alertmanager/config/*.tmpl\nreceivers:\n- name: "null"\n`,
    "links.tmpl": LINK,
  });
  const vmam = cr("VMAlertmanager", {
    configRawYaml: "route: {}\n",
    templates: [{ name: "t", key: "links.tmpl" }],
  });
  const cm = holding("ConfigMap", "t", { "links.tmpl": LINK });

  /** An Alertmanager taking every AlertmanagerConfig of its namespace, as kube-prometheus-stack renders it. */
  const takesAll = (spec: Record<string, unknown> = {}) =>
    cr("Alertmanager", { alertmanagerConfigSelector: {}, ...spec });

  it("an AlertmanagerConfig's templated SNS apiURL makes an Alertmanager's templates dialled", () => {
    assert.equal(podRefusals([takesAll(), secret, amConfig(templated)], "alertmanager-kps"), 1);
    assert.equal(podRefusals([takesAll(), secret, amConfig("https://sns.example")], "alertmanager-kps"), 0);
  });

  /**
   * Which Alertmanager takes the CR was not modelled: any AlertmanagerConfig made every
   * Alertmanager's templates dialled, one that reads none of them too (prometheus-operator v0.93.0
   * pkg/alertmanager/operator.go:906-923, 1024-1063), so an address in its template was refused.
   */
  it("only an Alertmanager that takes the AlertmanagerConfig: a nil selector takes none, {} every one of its namespace, a label selector by the CR's labels", () => {
    const refusals = (am: K8sObject, cfg = amConfig(templated)) =>
      podRefusals([am, secret, cfg], "alertmanager-kps");
    assert.equal(refusals(cr("Alertmanager", {})), 0);
    assert.equal(refusals(cr("Alertmanager", { alertmanagerConfigSelector: null })), 0);
    assert.equal(refusals(takesAll({ alertmanagerConfigSelector: { matchLabels: { team: "a" } } })), 0);
    const labelled = amConfig(templated);
    labelled.metadata.labels = { team: "a" };
    assert.equal(
      refusals(takesAll({ alertmanagerConfigSelector: { matchLabels: { team: "a" } } }), labelled),
      1,
    );
  });

  it("a CR of another namespace: a nil namespace selector takes none, {} it, a label selector by its Namespace's labels (counted where none is rendered)", () => {
    const other = amConfig(templated);
    other.metadata.namespace = "team-a";
    const ns = (labels: Record<string, string>): K8sObject => ({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team-a", labels },
    });
    const refusals = (nsSel: unknown, extra: K8sObject[] = []) =>
      podRefusals(
        [takesAll({ alertmanagerConfigNamespaceSelector: nsSel }), secret, other, ...extra],
        "alertmanager-kps",
      );
    assert.equal(refusals(null), 0);
    assert.equal(refusals({}), 1);
    const alerts = { matchLabels: { alerts: "on" } };
    assert.equal(refusals(alerts, [ns({ alerts: "on" })]), 1);
    assert.equal(refusals(alerts, [ns({ alerts: "off" })]), 0);
    assert.equal(refusals(alerts), 1);
  });

  it("a VMAlertmanagerConfig's templated SNS api_url, or a converted AlertmanagerConfig's, makes a VMAlertmanager's dialled", () => {
    assert.equal(podRefusals([vmam, cm, vmConfig(templated)], "vmalertmanager-kps"), 1);
    assert.equal(podRefusals([vmam, cm, amConfig(templated)], "vmalertmanager-kps"), 1);
    assert.equal(podRefusals([vmam, cm, vmConfig("https://sns.example")], "vmalertmanager-kps"), 0);
  });

  it("an API URL templated from the alert alone reaches no template file: the templates stay text", () => {
    // Alertmanager parses the URL as one more template beside the files (v0.28.1
    // template/template.go:134-143); only a template or block action runs a file's, no function
    // of it does (template.go:171-210).
    const region = "https://sns.{{ .CommonLabels.region }}.amazonaws.com";
    assert.equal(podRefusals([cr("Alertmanager", {}), secret, amConfig(region)], "alertmanager-kps"), 0);
    assert.equal(podRefusals([vmam, cm, vmConfig(region)], "vmalertmanager-kps"), 0);
    assert.equal(
      podRefusals([vmam, cm, vmConfig('{{- block "link" . }}x{{ end }}')], "vmalertmanager-kps"),
      1,
    );
    const sns = (url: string) => `- name: sns\n  sns_configs:\n  - api_url: '${url}'\n`;
    assert.equal(chartRefusals({ "alertmanager.yml": config(sns(region)), "links.tmpl": LINK }), 0);
    assert.equal(
      chartRefusals({ "alertmanager.yml": config(sns("{{template `link` .}}")), "links.tmpl": LINK }),
      1,
    );
  });
});

/**
 * The alertmanager chart's `configmapReload.enabled` pod: beside Alertmanager, its reloader mounting
 * the same ConfigMap at /etc/alertmanager (1.42.0 templates/statefulset.yaml:101-141), with `args`.
 */
function withReloader(args: string[], extra: Record<string, unknown> = {}): K8sObject {
  const pod = alertmanagerPod();
  pod.spec.template.spec.containers.push({
    name: "alertmanager-configmap-reload",
    image: "quay.io/prometheus-operator/prometheus-config-reloader:v0.93.0",
    args,
    volumeMounts: [{ name: "config", mountPath: "/etc/alertmanager" }],
    ...extra,
  });
  return pod;
}
const CHART_RELOADER = ["--watched-dir=/etc/alertmanager", "--reload-url=http://127.0.0.1:9093/-/reload"];

describe("network policies: the config reloader beside an Alertmanager dials none of the files it watches", () => {
  const files = { "alertmanager.yml": config(), "links.tmpl": LINK };

  it("the alertmanager chart's reloader (configmapReload.enabled) makes no template a connection", () => {
    assert.equal(chartRefusals(files, withReloader(CHART_RELOADER)), 0);
  });

  it("its --config-file, which it writes out for another process, still counts; so does any other command", () => {
    const configFile = ["--config-file=/etc/alertmanager/links.tmpl", ...CHART_RELOADER];
    assert.equal(chartRefusals(files, withReloader(configFile)), 1);
    assert.equal(chartRefusals(files, withReloader(["--config-file", "/etc/alertmanager/links.tmpl"])), 1);
    assert.equal(chartRefusals(files, withReloader(CHART_RELOADER, { command: ["/bin/sh", "-c"] })), 1);
    assert.equal(chartRefusals(files, withReloader(CHART_RELOADER, { image: "example/reloader:1" })), 1);
  });

  /**
   * The reloader's flags were read as Go's flag package reads them, but it parses them with kingpin
   * (upstream/kingpin.ts): `--config-file value` naming the configuration, or a `--no-version`
   * beside the chart's flags, left its file unknown and made the template a connection; the
   * single-dash `-config-file=` kingpin refuses (the reloader exits at start) was read as given.
   */
  it("reads its flags as kingpin does: --config-file value, --no-flag; flags kingpin refuses stop it, so it passes nothing", () => {
    const named = ["--config-file", "/etc/alertmanager/alertmanager.yml", ...CHART_RELOADER];
    assert.equal(chartRefusals(files, withReloader(named)), 0);
    assert.equal(chartRefusals(files, withReloader(["--no-version", ...CHART_RELOADER])), 0);
    const single = ["-config-file=/etc/alertmanager/links.tmpl", ...CHART_RELOADER];
    assert.equal(chartRefusals(files, withReloader(single)), 0);
    // Arguments kingpin reads from a file in the container: its --config-file is not known.
    assert.equal(chartRefusals(files, withReloader(["@/etc/reloader/args", ...CHART_RELOADER])), 1);
  });
});

describe("addresses: a link in a notification template is not resolved", () => {
  const nowhere = `http://nowhere.${NS}.svc.cluster.local:80`;
  const findings = (files: Record<string, string>) => {
    const placed: Placed[] = [alertmanagerPod(), holding("ConfigMap", "alertmanager", files)].map((obj) => ({
      obj,
      urn: "urn:am",
      source: "release am",
    }));
    return checkAddresses(placed, operatorObjects(placed)).findings.length;
  };

  it("an address in a template is no finding; the same address in the configuration is", () => {
    assert.equal(
      findings({ "alertmanager.yml": config(), "links.tmpl": `{{ define "x" }}${nowhere}{{ end }}` }),
      0,
    );
    const hook = `- name: hook\n  webhook_configs:\n  - url: ${nowhere}\n`;
    assert.equal(findings({ "alertmanager.yml": config(hook) }), 1);
  });

  it("a link in a VMAlertmanager's `templates` ConfigMap (the chart's alertmanager.templateFiles) is no finding", () => {
    const placed: Placed[] = [
      cr("VMAlertmanager", { configRawYaml: "route: {}\n", templates: [{ name: "t", key: "links.tmpl" }] }),
      holding("ConfigMap", "t", { "links.tmpl": `{{ define "x" }}${nowhere}{{ end }}` }),
    ].map((obj) => ({ obj, urn: "urn:am", source: "release am" }));
    assert.equal(checkAddresses(placed, operatorObjects(placed)).findings.length, 0);
  });
});
