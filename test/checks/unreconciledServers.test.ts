/**
 * A Prometheus of the stack that no prometheus-operator of the stack reconciles
 * (checks/unreconciledServers.ts): outside the operator's instances' namespaces, excluded by its
 * --prometheus-instance-selector, without its --controller-id, or with no operator rendered. The
 * stack then runs no Prometheus for it, and nothing said so: the rendered server looks whole.
 */
import { strict as assert } from "assert";
import { unreconciledServerWarnings } from "../../checks/unreconciledServers";
import type { K8sObject } from "../../checks/objects";
import { placeChartValueKeys } from "../../synth/report";
import { at, prometheusOperatorDeployment } from "../support/checkCases";

const KPS_LABELS = { "helm.sh/chart": "kube-prometheus-stack-88.0.0", release: "kps" };

/** kube-prometheus-stack's operator, with its flags. */
const kpsOperator = (args: string[]): K8sObject => {
  const d = prometheusOperatorDeployment(args);
  return { ...d, metadata: { ...d.metadata, labels: KPS_LABELS } };
};

/** kube-prometheus-stack's Prometheus, in `namespace`, with its annotations. */
const server = (namespace = "monitoring", annotations?: Record<string, string>): K8sObject => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind: "Prometheus",
  metadata: {
    name: "kps-prometheus",
    namespace,
    labels: KPS_LABELS,
    ...(annotations ? { annotations } : {}),
  },
  spec: {},
});

const warnings = (objects: K8sObject[]) =>
  unreconciledServerWarnings(objects.map((o) => at(o, "urn:kps", "release kps")));

const WHERE = "Prometheus monitoring/kps-prometheus (release kps)";
const RUNS =
  "so the stack runs no Prometheus for it: no StatefulSet is made, and nothing scrapes the monitors it selects or evaluates the rules it selects, unless a prometheus-operator outside the stack reconciles it";

describe("a Prometheus no prometheus-operator of the stack reconciles", () => {
  it("is warned of outside --prometheus-instance-namespaces (or --namespaces), naming the chart value and the namespace to list", () => {
    assert.deepEqual(warnings([kpsOperator(["--prometheus-instance-namespaces=apps,other"]), server()]), [
      `${WHERE}: no prometheus-operator of the stack reconciles it (Deployment monitoring/kps-operator's --prometheus-instance-namespaces=apps,other, from \`chartValues.kube-prometheus-stack.prometheusOperator.prometheusInstanceNamespaces\`, watches Prometheus and PrometheusAgent resources only in "apps", "other"), ${RUNS}; list "monitoring" in \`chartValues.kube-prometheus-stack.prometheusOperator.prometheusInstanceNamespaces\``,
    ]);
    // The allow list stands for the instances' when they are not given (config.go:299-301).
    assert.match(
      warnings([kpsOperator(["--namespaces=apps"]), server()])[0],
      /--namespaces=apps, from `chartValues\.kube-prometheus-stack\.prometheusOperator\.namespaces`/,
    );
    assert.match(
      warnings([kpsOperator(["--deny-namespaces=monitoring"]), server()])[0],
      /watches none in "monitoring"\), .*; take "monitoring" out of `chartValues\.kube-prometheus-stack\.prometheusOperator\.denyNamespaces`$/,
    );
  });

  it("names prometheusOperator.extraArgs for a scope flag given there, after the chart's own arguments", () => {
    const chartArgs = (extra: string[], own: string[] = []) => [
      ...own,
      "--web.enable-tls=false",
      "--web.listen-address=:8080",
      ...extra,
    ];
    assert.match(
      warnings([kpsOperator(chartArgs(["--prometheus-instance-namespaces", "apps"])), server()])[0],
      /--prometheus-instance-namespaces=apps, from --prometheus-instance-namespaces in `chartValues\.kube-prometheus-stack\.prometheusOperator\.extraArgs`, .*; list "monitoring" in --prometheus-instance-namespaces in `chartValues\.kube-prometheus-stack\.prometheusOperator\.extraArgs`$/,
    );
    assert.match(
      warnings([
        kpsOperator(chartArgs(["--deny-namespaces=monitoring"], ["--deny-namespaces=monitoring"])),
        server(),
      ])[0],
      /; take "monitoring" out of `chartValues\.kube-prometheus-stack\.prometheusOperator\.denyNamespaces` and --deny-namespaces in `chartValues\.kube-prometheus-stack\.prometheusOperator\.extraArgs`$/,
    );
    assert.match(
      warnings([kpsOperator(chartArgs([], ["--prometheus-instance-selector=shard=a"])), server()])[0],
      /, or set `chartValues\.kube-prometheus-stack\.prometheusOperator\.prometheusInstanceSelector` to a selector they match$/,
    );
  });

  it("is warned of when --prometheus-instance-selector leaves its labels out, or --controller-id is not its annotation", () => {
    assert.deepEqual(warnings([kpsOperator(["--prometheus-instance-selector=shard=a"]), server()]), [
      `${WHERE}: no prometheus-operator of the stack reconciles it (Deployment monitoring/kps-operator's --prometheus-instance-selector=shard=a, from \`chartValues.kube-prometheus-stack.prometheusOperator.prometheusInstanceSelector\`, watches only those whose labels match "shard=a", and its labels do not), ${RUNS}; give it labels that match through \`chartValues.kube-prometheus-stack.prometheus.additionalLabels\`, or set \`chartValues.kube-prometheus-stack.prometheusOperator.prometheusInstanceSelector\` to a selector they match`,
    ]);
    assert.deepEqual(warnings([kpsOperator(["--controller-id=a"]), server()]), [
      `${WHERE}: no prometheus-operator of the stack reconciles it (Deployment monitoring/kps-operator's --controller-id=a, from \`chartValues.kube-prometheus-stack.prometheusOperator.extraArgs\`, reconciles only servers annotated operator.prometheus.io/controller-id: "a", and it is not annotated), ${RUNS}; annotate it operator.prometheus.io/controller-id: "a" through \`chartValues.kube-prometheus-stack.prometheus.annotations\`, or remove --controller-id from \`chartValues.kube-prometheus-stack.prometheusOperator.extraArgs\``,
    ]);
    // An annotated server and an operator without an id (resource_reconciler.go:722-735).
    assert.match(
      warnings([kpsOperator([]), server("monitoring", { "operator.prometheus.io/controller-id": "b" })])[0],
      /has no --controller-id and reconciles only servers without the operator\.prometheus\.io\/controller-id annotation, which it has \("b"\)/,
    );
  });

  it("is warned of when the stack renders no operator, naming prometheusOperator.enabled", () => {
    assert.deepEqual(warnings([server()]), [
      `${WHERE}: the stack renders no prometheus-operator: \`chartValues.kube-prometheus-stack.prometheusOperator.enabled\` is false, ${RUNS}; set \`chartValues.kube-prometheus-stack.prometheusOperator.enabled\` to true, or make sure one outside the stack does`,
    ]);
  });

  it("says what a rendered operator that runs no controller does, not that none is rendered", () => {
    // An operator image process-args does not know (a mirror), known by its own flag: the
    // warning is where its command line's stop is said.
    const mirrored = (args: string[]) => {
      const d = kpsOperator(["--prometheus-config-reloader=x", ...args]);
      d.spec.template.spec.containers[0].image = "mirror.example/operator:v0.93.0";
      return d;
    };
    const [version] = warnings([mirrored(["--version"]), server()]);
    assert.doesNotMatch(version, /renders no prometheus-operator|enabled/);
    assert.equal(
      version,
      `${WHERE}: no prometheus-operator of the stack reconciles it (Deployment monitoring/kps-operator runs no controller: --version prints its version and exits), ${RUNS}; remove --version from \`chartValues.kube-prometheus-stack.prometheusOperator.extraArgs\``,
    );
    assert.match(
      warnings([mirrored(["--bogus=1"]), server()])[0],
      /\(Deployment monitoring\/kps-operator runs no controller: it refuses its command line \(flag provided but not defined: -bogus\) and exits 2\), .*; remove what it refuses from `chartValues\.kube-prometheus-stack\.prometheusOperator\.extraArgs`$/,
    );
    // The operator's own image: process-args refuses that command line (one message, there).
    assert.deepEqual(warnings([kpsOperator(["--bogus=1"]), server()]), []);
    assert.deepEqual(warnings([kpsOperator(["--version"]), server()]), []);
    assert.deepEqual(warnings([kpsOperator(["crds"]), server()]), []);
    assert.match(
      warnings([mirrored(["crds"]), server()])[0],
      /runs no controller: its command "crds" prints the CRDs and exits\)/,
    );
    assert.match(
      warnings([kpsOperator(["--namespaces=monitoring", "--deny-namespaces=apps"]), server()])[0],
      /runs no controller: it is given both --namespaces and --deny-namespaces and exits 1\), .*; set one of `chartValues\.kube-prometheus-stack\.prometheusOperator\.namespaces` and `chartValues\.kube-prometheus-stack\.prometheusOperator\.denyNamespaces`, not both$/,
    );
    // A value the operator's flag refuses: judged as process-args judges it, under a mirror's name
    // too (the v0.93.0 binary: `--kubelet-sync-period=5x` exits 2, "invalid value ... parse error").
    assert.match(
      warnings([mirrored(["--kubelet-sync-period=5x"]), server()])[0],
      /\(Deployment monitoring\/kps-operator runs no controller: given its command line, it refuses it \("invalid value "5x" for flag -kubelet-sync-period: parse error"\) \(time: unknown unit "x" in duration "5x"\) and exits 2 \(--kubelet-sync-period is read as time\.Duration: registered at cmd\/operator\/main\.go:\d+, parsed by Go's flag package\)\), .*; remove what it refuses from `chartValues\.kube-prometheus-stack\.prometheusOperator\.extraArgs`$/,
    );
    assert.match(
      warnings([mirrored(["--log-level=verbose"]), server()])[0],
      /runs no controller: given its command line, it refuses --log-level=verbose as it starts/,
    );
    assert.deepEqual(warnings([kpsOperator(["--kubelet-sync-period=5x"]), server()]), []);
    // A mirror of another release: its flags are not the ones listed, so its values are not judged.
    const other = mirrored(["--kubelet-sync-period=5x"]);
    other.spec.template.spec.containers[0].image = "mirror.example/operator:v0.80.0";
    assert.deepEqual(warnings([other, server()]), []);
    // Run through a shell, its command line is not read: whether it reconciles is not known.
    const shell = kpsOperator([]);
    shell.spec.template.spec.containers[0] = {
      ...shell.spec.template.spec.containers[0],
      command: ["/bin/sh", "-c"],
      args: ["exec /bin/operator --prometheus-config-reloader=x"],
    };
    assert.deepEqual(warnings([shell, server()]), []);
  });

  it("is warned of when the operator's Deployment is scaled to 0, whatever its flags or command", () => {
    const scaled = (args: string[], replicas: unknown) => {
      const d = kpsOperator(args);
      return { ...d, spec: { ...d.spec, replicas } };
    };
    assert.deepEqual(warnings([scaled([], 0), server()]), [
      `${WHERE}: no prometheus-operator of the stack reconciles it (Deployment monitoring/kps-operator runs no controller: its Deployment runs no pod (spec.replicas 0)), ${RUNS}; set Deployment monitoring/kps-operator's spec.replicas to 1 or more`,
    ]);
    // Its command line not read (a shell's): at 0 it still runs nothing.
    const shell = scaled([], 0);
    shell.spec.template.spec.containers[0] = {
      ...shell.spec.template.spec.containers[0],
      command: ["/bin/sh"],
    };
    assert.equal(warnings([shell, server()]).length, 1);
    // Left out, replicas is 1.
    assert.deepEqual(warnings([scaled([], undefined), server()]), []);
    assert.deepEqual(warnings([scaled([], 1), server()]), []);
  });

  it("says nothing of one an operator reconciles, a paused one, or one resting on a selector form not read", () => {
    assert.deepEqual(warnings([kpsOperator([]), server()]), []);
    assert.deepEqual(
      warnings([kpsOperator(["--prometheus-instance-namespaces=apps,monitoring"]), server()]),
      [],
    );
    assert.deepEqual(warnings([kpsOperator(["--prometheus-instance-selector=release=kps"]), server()]), []);
    assert.deepEqual(
      warnings([
        kpsOperator(["--controller-id=a"]),
        server("monitoring", { "operator.prometheus.io/controller-id": "a" }),
      ]),
      [],
    );
    // An empty --prometheus-instance-namespaces entry is every namespace, whatever --namespaces lists
    // (config.go:299-301 keeps a given list; informers.go:218-230 lists "" unfiltered), and "" among
    // other names escapes the deny list (listwatch.go:172-175: only "" alone is filtered).
    assert.deepEqual(
      warnings([kpsOperator(["--namespaces=apps", "--prometheus-instance-namespaces="]), server()]),
      [],
    );
    assert.deepEqual(
      warnings([
        kpsOperator(["--deny-namespaces=monitoring", "--prometheus-instance-namespaces=apps,"]),
        server(),
      ]),
      [],
    );
    assert.match(
      warnings([
        kpsOperator(["--deny-namespaces=monitoring", "--prometheus-instance-namespaces="]),
        server(),
      ])[0],
      /--deny-namespaces=monitoring, .* watches none in "monitoring"\)/,
    );
    // A second operator that does reconcile it.
    const other = { ...prometheusOperatorDeployment([]), metadata: { name: "other", namespace: "ops" } };
    assert.deepEqual(warnings([kpsOperator(["--controller-id=a"]), other, server()]), []);
    const paused = { ...server(), spec: { paused: true } };
    assert.deepEqual(warnings([kpsOperator(["--controller-id=a"]), paused]), []);
    assert.deepEqual(
      warnings([kpsOperator(["--prometheus-instance-selector=release in (kps)"]), server()]),
      [],
    );
  });

  it("names the flag of an operator no chart value writes, and the synthesis places each chart value key once", () => {
    const own = {
      ...prometheusOperatorDeployment(["--controller-id=a"]),
      metadata: { name: "own", namespace: "ops" },
    };
    const [w] = warnings([own, server()]);
    assert.match(w, /\(Deployment ops\/own's --controller-id=a reconciles only/);
    assert.match(w, /or remove --controller-id from Deployment ops\/own$/);
    const placeOf = (k: string) =>
      k === "chartValues.kube-prometheus-stack.prometheusOperator.extraArgs" ? "Pulumi.s.yaml:9" : undefined;
    assert.equal(
      placeChartValueKeys(
        "a `chartValues.kube-prometheus-stack.prometheusOperator.extraArgs` b `chartValues.kube-prometheus-stack.prometheusOperator.extraArgs`",
        placeOf,
      ),
      "a chartValues.kube-prometheus-stack.prometheusOperator.extraArgs (Pulumi.s.yaml:9) b chartValues.kube-prometheus-stack.prometheusOperator.extraArgs",
    );
  });
});
