/**
 * One chartValues override, one message (issue 51 item 3): what an override that switches a
 * component off leaves behind (the configs that still dial it, the NetworkPolicy rules written for
 * it and the named ports only its pods declared, the panels and rules reading what it emitted) is
 * placed on other releases' objects and on the program's policies, yet follows from that override:
 * synth prints it once, naming the override as its cause and every place it touches.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { withEnv } from "../support/helpers";
import { refusedWith, stagingWith, synthStaging } from "../support/overrideStack";
import { stableDir } from "../support/stableDir";

/** The messages of the rendered-object problems synth prints (each starts `  [check] `). */
const problems = (stderr: string) => stderr.split("\n").filter((l) => /^ {2}\[[a-z-]+\] /.test(l));

const GATEWAY_OFF = "    loki:\n      gateway:\n        enabled: false\n";

describe("synth: what one chartValues override leaves behind is one message naming it", function () {
  this.timeout(120_000);

  it("a fullnameOverride renaming what an operator makes: the configs still dialing the old names are its places", async () => {
    const r = await synthStaging(
      stagingWith("    victoria-metrics-k8s-stack:\n      fullnameOverride: vmx\n", "example"),
      "example",
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(problems(r.stderr).length, 1, r.stderr);
    // vmsingle-vm is release vm's (the operator's <kind>-<name>), though no name starts with "vm-".
    assert.match(r.stderr, /also seen at: .*\[address\] ConfigMap monitoring\/grafana \(release grafana\)/);
    assert.match(r.stderr, /override chartValues\.victoria-metrics-k8s-stack\.fullnameOverride \(/);
  });

  it("a fullnameOverride renaming a chart's own objects: the configs still dialing the old name and the rules written for them are one message naming it", async () => {
    const r = await synthStaging(stagingWith("    loki:\n      fullnameOverride: lk\n"));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(problems(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /no Service monitoring\/loki-gateway in the rendered stack/);
    assert.match(
      r.stderr,
      /also seen at: .*\[network-policy\] NetworkPolicy monitoring\/loki .*\[network-egress\] /,
    );
    assert.match(
      r.stderr,
      /\n {6}from the stack's chart values override chartValues\.loki\.fullnameOverride \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it/,
    );
  });

  it("a fullnameOverride over the program's own (kube-prometheus-stack's kps, as kx): what still calls the program's name and what the new name lacks are one message naming it", async () => {
    const { text, messages } = await refusedWith(
      "    kube-prometheus-stack:\n      fullnameOverride: kx\n",
      "production",
    );
    // Was 20: the configs dialing kps-*, the scrape refused to the renamed account, the rules for
    // the old pods and the new pods' refused connections, each a message, most naming no override.
    assert.equal(messages.length, 1, text);
    assert.match(
      messages[0],
      /no Service monitoring\/kps-(alertmanager|prometheus) in the rendered stack/,
      text,
    );
    for (const place of [
      "[scrape-authz] Prometheus monitoring/kx-prometheus -> ",
      "[network-policy] StatefulSet monitoring/prometheus-kx-prometheus ",
      "[network-policy] NetworkPolicy monitoring/kps-alertmanager ",
    ])
      assert.ok(messages[0].includes(place), `${place} in:\n${text}`);
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.kube-prometheus-stack\.fullnameOverride \(\S*Pulumi\.production\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("a serviceMonitorSelector no ServiceMonitor matches: every one the stack renders unread is one message naming each and the override", async () => {
    // Was exit 0: the Prometheus read none of them and nothing said so.
    const { text, messages } = await refusedWith(
      "    kube-prometheus-stack:\n      prometheus:\n        prometheusSpec:\n          serviceMonitorSelector: {matchLabels: {team: foo}}\n",
      "production",
    );
    assert.equal(messages.length, 1, text);
    assert.match(
      messages[0],
      /^ {2}\[unread-monitor\] ServiceMonitor monitoring\/\S+ .*serviceMonitorSelector \{"matchLabels":\{"team":"foo"\}\}/,
      text,
    );
    for (const place of [
      "ServiceMonitor monitoring/kps-kubelet ",
      "ServiceMonitor monitoring-agents/node-exporter ",
      "ServiceMonitor monitoring/grafana ",
    ])
      assert.ok(messages[0].includes(place), `${place} in:\n${text}`);
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.serviceMonitorSelector\.matchLabels\.team \(\S*Pulumi\.production\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("a component switched off in a release the program renames (kube-prometheus-stack as kps): the configs dialing it and the rules for its pods are one message naming the switch", async () => {
    const { text, messages } = await refusedWith(
      "    kube-prometheus-stack:\n      alertmanager:\n        enabled: false\n",
      "production",
    );
    const dialed =
      messages.find((m) => /no Service monitoring\/kps-alertmanager in the rendered stack/.test(m)) ?? "";
    assert.match(
      dialed,
      /also seen at: \[network-policy\] NetworkPolicy monitoring\/kps-alertmanager /,
      text,
    );
    assert.match(
      dialed,
      /\n {6}from the stack's chart values override chartValues\.kube-prometheus-stack\.alertmanager\.enabled \(/,
      text,
    );
    assert.ok(!messages.some((m) => m.startsWith("  [network-policy] ")), text);
    // The rules reading Alertmanager's metrics too: no Alertmanager CR is rendered, yet the release
    // rendering the Prometheus beside it (the same operator's API group) would render it.
    assert.match(
      dialed,
      /\[emitted-metrics\] rule PrometheusRule homelab-kube-prometheus\/alertmanager\.rules\//,
      text,
    );
    assert.equal(messages.length, 1, text);
  });

  it("kube-prometheus-stack prometheusOperator.enabled: false: the rules reading the operator's metrics and its reloaders' name the switch", async () => {
    const { text, messages } = await refusedWith(
      "    kube-prometheus-stack:\n      prometheusOperator:\n        enabled: false\n",
      "production",
    );
    assert.equal(messages.length, 1, text);
    assert.match(
      messages[0],
      /^ {2}\[emitted-metrics\] .* which this stack does not run \(needs prometheus-operator\)/,
      text,
    );
    // No operator's resource of its own is rendered: the release rendering the Prometheus and
    // Alertmanager it reconciles is the one whose values leave it out.
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.kube-prometheus-stack\.prometheusOperator\.enabled \(\S*Pulumi\.production\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("a vector podLabels key that is one of its selector labels fails the render, naming the override: the chart only adds podLabels", async () => {
    // model/podLabels.ts takes vector's podLabels as only added to its pods' labels, never written
    // over one: the pinned chart writes them after its selector labels, so a key of those is a
    // duplicated mapping key that the render refuses, not a pod that silently leaves its selectors.
    const dir = stagingWith("    vector: {podLabels: {app.kubernetes.io/name: other}}\n", "example");
    const r = await synthStaging(dir, "example");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /monitoring-agents\/vector \(vector [\d.]+\): .*duplicated mapping key/, r.stderr);
    assert.match(
      r.stderr,
      /override chartValues\.vector\.podLabels\["app\.kubernetes\.io\/name"\]/,
      r.stderr,
    );
  });

  it("a rule between the releases of two overridden charts: a pod label that cannot unpick a pod is no cause of it", async () => {
    // Vector only adds `podLabels` to its pods' labels (model/podLabels.ts), and no selector of the
    // stack reads `team` as NotIn or DoesNotExist: every rule picks Vector's pods with it as without.
    // The rules Loki's port leaves unused are that port's, one message; not "one of these" beside the
    // label (which one it is is known: synth/oneOverrideOneMessage.test.ts holds the case where a
    // label may unpick pods, named beside the other override).
    const { text, messages } = await refusedWith(
      "    loki: {loki: {server: {http_listen_port: 3101}}}\n    vector: {podLabels: {team: logs}}\n",
      "example",
    );
    assert.equal(messages.length, 1, text);
    assert.match(messages[0], /\[network-egress\] NetworkPolicy monitoring-agents\/vector/, text);
    assert.match(
      messages[0],
      /from the stack's chart values override chartValues\.loki\.loki\.server\.http_listen_port \(/,
      text,
    );
    assert.doesNotMatch(messages[0], /podLabels/, text);
  });

  it("two overrides: each one's consequences go under it, never under the other's (a scrape's 'port' names no port override)", async () => {
    // Production runs kube-prometheus-stack's Prometheus, which scrapes the Alloys.
    const { text, messages } = await refusedWith(
      "    kube-prometheus-stack:\n      prometheus:\n        service:\n          port: 9091\n" +
        "    alloy:\n      controller:\n        hostNetwork: true\n",
      "production",
    );
    const port = messages.find((m) => /has no port 9090 \(it exposes 9091/.test(m)) ?? "";
    const host = messages.find((m) => /\[pod-security\] Deployment monitoring\/alloy-cluster/.test(m)) ?? "";
    assert.match(port, /override chartValues\.kube-prometheus-stack\.prometheus\.service\.port \(/, text);
    assert.doesNotMatch(port, /alloy|hostNetwork/, text);
    // Said as the cause, not as "if it is the cause": the rendered pod it made ask for the host is
    // merged into the pack's refusal on the Namespace, which names no value.
    assert.match(
      host,
      /from the stack's chart values override chartValues\.alloy\.controller\.hostNetwork \(/,
      text,
    );
    // Prometheus's scrape of the Alloy that hostNetwork took off the pod network is Alloy's override's.
    assert.match(host, /\[network-egress\] StatefulSet monitoring\/prometheus-kps-prometheus/, text);
    // So is the node port both Alloys now claim on the host: two overrides, two messages.
    assert.match(host, /\[host-port\] TCP 12345/, text);
    assert.equal(messages.length, 2, text);
    assert.doesNotMatch(host, /kube-prometheus-stack\.prometheus\.service\.port/, text);
  });

  it("the host network is no cause of what a config wires: beside a replaced config text, the rules it no longer evaluates and the grants it no longer calls are the text's alone", async () => {
    const { text, messages } = await refusedWith(
      "    alloy:\n      controller:\n        hostNetwork: true\n" +
        '      alloy:\n        configMap:\n          content: |\n            logging {\n              level = "info"\n            }\n',
      "staging",
    );
    const text_ = messages.find((m) => m.startsWith("  [alloy-roles] ")) ?? "";
    for (const place of [
      "[rule-evaluators] PrometheusRule monitoring/homelab-loki",
      "[alloy-rbac] ConfigMap",
    ])
      assert.ok(text_.includes(place), `${place} is a place of the text's message:\n${text}`);
    assert.match(
      text_,
      /\n {6}from the stack's chart values override chartValues\.alloy\.alloy\.configMap\.content \(/,
      text,
    );
    for (const m of messages.filter((x) => /^ {2}\[(rule-evaluators|alloy-rbac|emitted-metrics)\] /.test(x)))
      assert.doesNotMatch(m, /hostNetwork/, text);
  });

  it("a third override of the same chart (a memory limit) splits none of the host network's places: the clash and the Namespace's refusal rest on fields it does not set", async () => {
    const { text, messages } = await refusedWith(
      "    kube-prometheus-stack:\n      prometheus:\n        service:\n          port: 9091\n" +
        "    alloy:\n      controller:\n        hostNetwork: true\n" +
        "      alloy:\n        resources:\n          limits:\n            memory: 100Mi\n",
      "production",
    );
    assert.equal(messages.length, 3, text);
    const host = messages.find((m) => /\[pod-security\] Deployment monitoring\/alloy-cluster/.test(m)) ?? "";
    // The pack's refusal leads, naming the key by which the pods ask for the host.
    assert.match(
      host,
      /^ {2}\[mandatory\] pod-security-levels: .* \(host paths or host network, asked for by chartValues\.alloy\.controller\.hostNetwork\);/,
      text,
    );
    assert.match(host, /\[host-port\] TCP 12345/, text);
    assert.match(
      host,
      /\n {6}from the stack's chart values override chartValues\.alloy\.controller\.hostNetwork \(/,
      text,
    );
    const naming = messages.filter((m) => m.includes("chartValues.alloy.alloy.resources.limits.memory"));
    assert.deepEqual(
      naming.map((m) => /^ {2}\[([a-z-]+)\]/.exec(m)?.[1]),
      ["resource-request"],
      text,
    );
  });

  it("a Prometheus its CR puts in the host's network (prometheusSpec.hostNetwork): refused by its namespace, with the policy rules it leaves, one message naming the key", async () => {
    // The operator makes the pod (no chart renders it): the CR's spec.hostNetwork is its field.
    const { text, messages } = await refusedWith(
      "    kube-prometheus-stack:\n      prometheus:\n        prometheusSpec:\n          hostNetwork: true\n",
      "production",
    );
    assert.equal(messages.length, 1, text);
    assert.match(
      messages[0],
      /^ {2}\[pod-security\] StatefulSet monitoring\/prometheus-kps-prometheus \(release kube-prometheus-stack, by its operator\): namespace monitoring enforces baseline, which refuses this pod: hostNetwork: true\n/,
      text,
    );
    // The egress rule to the object store no longer applies to the pod: the host network's too.
    assert.match(
      messages[0],
      /also seen at: .*\[network-egress\] NetworkPolicy monitoring\/kps-prometheus .*: egress rule \d+[;\n]/,
      text,
    );
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.kube-prometheus-stack\.prometheus\.prometheusSpec\.hostNetwork \(\S*Pulumi\.production\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("vector's podHostNetwork on pi (a privileged namespace: no refusal): the policy rules its pods leave are one message saying why, from the key", async () => {
    const { text, messages } = await refusedWith("    vector:\n      podHostNetwork: true\n", "pi");
    // Was 2 messages ("if it is the cause", no reason): the ingress rule and vector's egress rule.
    assert.equal(messages.length, 1, text);
    assert.match(
      messages[0],
      /allows what no address or scrape of the stack uses: the pods the policy selects run in the host's network \(DaemonSet monitoring-agents\/vector: hostNetwork true\), where no NetworkPolicy applies\n/,
      text,
    );
    assert.match(
      messages[0],
      /\[network-egress\] NetworkPolicy monitoring-agents\/vector .*: egress rule \d+/,
      text,
    );
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.vector\.podHostNetwork \(\S*Pulumi\.pi\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("a key choosing the workload's kind (alloy's controller.type: deployment): what the node agent lacks as a Deployment is one message naming the key", async () => {
    const { text, messages } = await refusedWith(
      "    alloy:\n      controller:\n        type: deployment\n",
      "staging",
    );
    // Was 12 messages naming no key: runs-as-root (the exception is DaemonSet alloy's), host-path
    // and host-paths-for-agents-only (only DaemonSets may mount the host), each for the parked and
    // the new release, the parked Deployment's Pending pods and the agents' namespace.
    assert.equal(messages.length, 1, text);
    assert.match(messages[0], /\[runs-as-root\] Deployment monitoring-agents\/alloy/, text);
    assert.match(messages[0], /\[host-path\] Deployment monitoring-agents\/alloy volume varlog/, text);
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.alloy\.controller\.type \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("alloy's controller.type beside rbac.create: false: what lacks RBAC is not said as the kind key's, which the alloy chart's RBAC does not read", async () => {
    const { text, messages } = await refusedWith(
      "    alloy:\n      controller:\n        type: deployment\n      rbac:\n        create: false\n",
      "staging",
    );
    // alloy 1.5.0 templates/rbac.yaml is `if .Values.rbac.create`, whatever controller.type: the
    // Kubernetes API egress of pods holding no RBAC and the config's calls no binding grants are
    // rbac.create's (or "one of these"), never a place of the message saying that removing
    // controller.type clears every place.
    const kind = messages.filter((m) =>
      /from the stack's chart values override chartValues\.alloy\.controller\.type \(/.test(m),
    );
    assert.equal(kind.length, 1, text);
    assert.doesNotMatch(kind[0], /alloy-rbac|\(api\)|no RBAC/, text);
    assert.match(kind[0], /\[runs-as-root\] Deployment monitoring-agents\/alloy/, text);
    // The agents' namespace refusal of the Deployment mounting the host is the kind key's too
    // (pod-security-levels says it judged the pod's host volumes, which rbac.create does not set):
    // was a message of its own, "if one of these is the cause" naming both keys.
    assert.match(kind[0], /pod-security-levels/, text);
    assert.equal(messages.filter((m) => /pod-security-levels/.test(m)).length, 1, text);
    assert.ok(
      messages.some((m) => /\[alloy-rbac\] /.test(m) && /chartValues\.alloy\.rbac\.create \(/.test(m)),
      text,
    );
  });

  it("alloy's controller.type beside image.tag: what the kind key causes is never said as the image key's, nor the image as the kind's", async () => {
    const { text, messages } = await refusedWith(
      "    alloy:\n      controller:\n        type: deployment\n      image:\n        tag: latest\n",
      "staging",
    );
    const saying = (key: string) =>
      messages.filter((m) =>
        new RegExp(`from the stack's chart values override chartValues\\.alloy\\.${key} \\(`).test(m),
      );
    const [image] = saying("image\\.tag");
    const [kind] = saying("controller\\.type");
    assert.ok(image && kind, text);
    // The parked Deployment's Pending pods and the agents' namespace follow from the kind, not the tag.
    assert.doesNotMatch(image, /resource-budget|pod-security-levels|host-path|runs-as-root/, text);
    assert.doesNotMatch(kind, /image-pins/, text);
  });

  it("alloy's controller.type beside a nodeSelector no pool has: the parked Deployment kept off by both names both keys", async () => {
    const { text, messages } = await refusedWith(
      "    alloy:\n      controller:\n        type: deployment\n        nodeSelector:\n          kubernetes.io/arch: arm64\n",
      "staging",
    );
    // parked=true keeps it off because it is a Deployment (a parked DaemonSet runs no pod), arm64 too.
    const parked = messages.find((m) =>
      /nodeSelector homelab-observability\/parked=true,kubernetes\.io\/arch=arm64 of alloy/.test(m),
    );
    assert.ok(parked, text);
    assert.match(
      parked,
      /from the stack's chart values overrides chartValues\.alloy\.controller\.type \(\S+\), chartValues\.alloy\.controller\.nodeSelector\["kubernetes\.io\/arch"\] \(/,
      text,
    );
  });

  it("alloy's controller.type: deployment beside a controller.nodeSelector every pool satisfies: the parked Deployment's Pending pods name the kind key alone", async () => {
    const { text, messages } = await refusedWith(
      "    alloy:\n      controller:\n        type: deployment\n        nodeSelector:\n          kubernetes.io/arch: amd64\n",
      "staging",
    );
    // The parked release's "would stay Pending" named both keys, though the pool has
    // kubernetes.io/arch=amd64 and only the parking label keeps the pods off (a parked DaemonSet
    // runs no pod on purpose; the kind key made it a Deployment): it is the kind key's alone. So is
    // the agents' namespace refusal of the Deployment mounting the host, now that pod-security-levels
    // says the pod's host volumes decided it (was "if one of these is the cause", naming both keys).
    const pending = messages.filter((m) => /admits alloy, so it would stay Pending/.test(m));
    assert.equal(pending.length, 1, text);
    assert.equal(messages.length, 1, text);
    assert.match(pending[0], /pod-security-levels/, text);
    assert.doesNotMatch(text, /one of these/, text);
    assert.match(
      pending[0],
      /\n {6}from the stack's chart values override chartValues\.alloy\.controller\.type \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it/,
      text,
    );
    assert.doesNotMatch(
      text,
      /from the stack's chart values overrides? chartValues\.alloy\.controller\.nodeSelector/,
      text,
    );
    assert.doesNotMatch(pending[0], /controller\.nodeSelector\["kubernetes\.io\/arch"\] \(/, text);
  });

  it("alloy's controller.type beside controller.hostNetwork: a rule alloy-cluster's pods leave unused in the host's network is the host network's, never the kind key's", async () => {
    const { text, messages } = await refusedWith(
      "    alloy:\n      controller:\n        type: deployment\n        hostNetwork: true\n",
      "staging",
    );
    // alloy-cluster is a Deployment by the program's own values: the key choosing the kind changes
    // nothing of it, while hostNetwork puts its pods where no NetworkPolicy applies (egress rule 10,
    // the object store, which the message says runs "in the host's network").
    const rule =
      /\[network-egress\] NetworkPolicy monitoring\/alloy-cluster \(resource [^)]*\): egress rule 10\b/;
    const holding = messages.filter((m) => rule.test(m));
    assert.equal(holding.length, 1, text);
    assert.match(
      holding[0],
      /from the stack's chart values override chartValues\.alloy\.controller\.hostNetwork \(/,
      text,
    );
    assert.doesNotMatch(holding[0], /chartValues\.alloy\.controller\.type/, text);
  });

  /** The one pod-security-levels refusal, placed under `vector.role` and naming none of `other`. */
  function roleKeysRefusal(messages: string[], text: string, other: RegExp): string {
    const refusals = messages.filter((m) => /pod-security-levels/.test(m));
    assert.equal(refusals.length, 1, text);
    assert.match(
      refusals[0],
      /\n {6}from the stack's chart values override chartValues\.vector\.role \(/,
      text,
    );
    assert.doesNotMatch(refusals[0], other, text);
    return refusals[0];
  }

  it("vector's role: Stateless-Aggregator beside podAnnotations on pi: the agents' namespace refusal is the kind key's, not the annotation's", async () => {
    const { text, messages } = await refusedWith(
      "    vector:\n      role: Stateless-Aggregator\n      podAnnotations:\n        a: b\n",
      "pi",
    );
    // Was a message of its own naming role and podAnnotations.a ("change or remove them"), the
    // word `a` of "a namespace" taken for the annotation's key: pod-security-levels now says its
    // verdict rests on the pods' host fields, which neither sets, so the key choosing the kind is
    // its cause, one message with the parked Deployment's Pending pods.
    const refusal = roleKeysRefusal(messages, text, /podAnnotations/);
    assert.match(refusal, /admits vector, so it would stay Pending/, text);
  });

  it("vector's role: Stateless-Aggregator beside an emptyDir under extraVolumes on pi: the agents' namespace refusal is the kind key's alone", async () => {
    const { text, messages } = await refusedWith(
      "    vector:\n      role: Stateless-Aggregator\n      extraVolumes:\n        - name: scratch\n          emptyDir: {}\n" +
        "      extraVolumeMounts:\n        - name: scratch\n          mountPath: /scratch\n",
      "pi",
    );
    // Was a message of its own naming role, extraVolumes and extraVolumeMounts ("change or remove
    // them"): its verdict rested on the pods' volumes, which an emptyDir writes, though it asks
    // nothing of the host; what the refusal rests on is a hostPath, hostNetwork, hostPID or hostIPC.
    roleKeysRefusal(messages, text, /extraVolume/);
  });

  it("vector's role: Stateless-Aggregator on pi: what its Deployments lack as the node agent is one message naming the key", async () => {
    const { text, messages } = await refusedWith("    vector:\n      role: Stateless-Aggregator\n", "pi");
    // Was 5 messages naming no key (runs-as-root twice, the parked Deployment's Pending pods, the
    // agents' namespace, the API egress rule of pods the chart gives no RBAC outside the Agent role).
    assert.equal(messages.length, 1, text);
    assert.match(messages[0], /\[runs-as-root\] Deployment monitoring-agents\/vector/, text);
    assert.match(messages[0], /\[network-egress\] NetworkPolicy monitoring-agents\/vector /, text);
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.vector\.role \(\S*Pulumi\.pi\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("a nodeSelector no pool satisfies, of a chart installed twice (Alloy's node and cluster releases): the one message on both names the key", async () => {
    const { text, messages } = await refusedWith(
      "    alloy:\n      controller:\n        nodeSelector:\n          kubernetes.io/arch: arm64\n",
      "staging",
    );
    assert.equal(messages.length, 1, text);
    assert.match(
      messages[0],
      /no node of the pool admits alloy, alloy-cluster, so they would stay Pending/,
      text,
    );
    // Was no key at all: the message carries no URN when two releases rendered its workloads.
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.alloy\.controller\.nodeSelector\["kubernetes\.io\/arch"\] \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("victoria-metrics-k8s-stack vmalert.enabled: false on pi: the rules left with no evaluator are places of the switch's one message", async () => {
    const { text, messages } = await refusedWith(
      "    victoria-metrics-k8s-stack:\n      vmalert:\n        enabled: false\n",
      "pi",
    );
    // Was 6: the switch's message, then each of the five rules' "0 evaluator(s)" naming no key
    // (the release rendering the operator, and no VMAlert, was not among the rule engines').
    assert.equal(messages.length, 1, text);
    assert.match(messages[0], /\[rule-evaluators\] PrometheusRule monitoring\/homelab-loki/, text);
    assert.match(messages[0], /\[rule-evaluators\] PrometheusRule another-app\/another-app/, text);
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.victoria-metrics-k8s-stack\.vmalert\.enabled \(\S*Pulumi\.pi\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("kube-prometheus-stack prometheus.enabled: false on takeover: a rule admitting the Prometheus pods its operator labels is a place of the switch's one message", async () => {
    const { text, messages } = await refusedWith(
      "    kube-prometheus-stack:\n      prometheus:\n        enabled: false\n",
      "takeover",
    );
    // Was 2: Alloy's ingress rule from the pods labelled operator.prometheus.io/name=
    // kube-prometheus-stack-prometheus named no key, a message apart from the switch's.
    assert.equal(messages.length, 1, text);
    assert.match(
      messages[0],
      /\[network-policy\] NetworkPolicy monitoring-agents\/alloy .*: ingress rule 0/,
      text,
    );
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values override chartValues\.kube-prometheus-stack\.prometheus\.enabled \(\S*Pulumi\.takeover\.yaml:\d+\): change or remove it/,
      text,
    );
  });

  it("grafana datasources replaced by values: the dashboards reading the program's datasources are places of one message naming the override", async () => {
    const r = await synthStaging(
      stagingWith(
        "    grafana:\n      datasources:\n        datasources.yaml:\n          apiVersion: 1\n          datasources:\n            - name: Extra\n              type: prometheus\n              url: http://mimir-nope.monitoring.svc:8080/prometheus\n",
      ),
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    // Was 41: the address and the rules Grafana no longer uses ("one of these"), then 38
    // dashboard files' "expected a datasource uid the stack provisions (), got \"metrics\"",
    // naming no key.
    assert.equal(problems(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /the stack provisions \(none\), got "metrics"/);
    assert.doesNotMatch(r.stderr, /provisions \(\)/);
    assert.match(r.stderr, /also seen at: .*\[dashboard\] ConfigMap monitoring\/homelab-dashboards-loki /);
    // Only the list decides what Grafana provisions (grafana 12.3.1 templates/_config.tpl:42-47
    // writes each key of `datasources` as a file; checks/dashboards.ts reads its `datasources`):
    // was "overrides ...["datasources.yaml"].apiVersion (...), ...["datasources.yaml"].datasources".
    assert.match(
      r.stderr,
      /\n {6}from the stack's chart values override chartValues\.grafana\.datasources\["datasources\.yaml"\]\.datasources \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it/,
    );
    assert.doesNotMatch(r.stderr, /apiVersion/);
  });

  it("grafana sidecar.dashboards.enabled: false: the dashboards the stack writes never load, said once naming the key", async () => {
    const r = await synthStaging(
      stagingWith("    grafana:\n      sidecar:\n        dashboards:\n          enabled: false\n"),
    );
    // Was exit 0 and nothing said: the program's dashboard ConfigMaps reach Grafana only through
    // the sidecar (checks/dashboardSidecar.ts).
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(problems(r.stderr).length, 1, r.stderr);
    assert.match(
      r.stderr,
      /\[dashboard\] Deployment monitoring\/grafana \(release grafana\): Grafana's pod runs no dashboard sidecar \(chartValues\.grafana\.sidecar\.dashboards\.enabled is not true\), and the stack writes its dashboards into ConfigMaps labelled grafana_dashboard=1 \(monitoring\/homelab-dashboards, [^)]*\): Grafana never loads their dashboards; set chartValues\.grafana\.sidecar\.dashboards\.enabled to true\n/,
    );
    assert.match(
      r.stderr,
      /\n {6}from the stack's chart values override chartValues\.grafana\.sidecar\.dashboards\.enabled \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it/,
    );
  });

  it("nodeSelectors of two charts no pool satisfies, said as one kept-off message: it names each chart's key", async () => {
    const { text, messages } = await refusedWith(
      "    loki:\n      singleBinary:\n        nodeSelector:\n          kubernetes.io/arch: amd64\n    vector:\n      nodeSelector:\n        kubernetes.io/arch: amd64\n",
      "pi",
    );
    assert.equal(messages.length, 1, text);
    assert.match(messages[0], /no node of the pool admits loki, vector, so they would stay Pending/, text);
    // Was no key at all: the workloads of two overridden charts, and no URN.
    assert.match(
      messages[0],
      /\n {6}from the stack's chart values overrides chartValues\.loki\.singleBinary\.nodeSelector\["kubernetes\.io\/arch"\] \(\S*Pulumi\.pi\.yaml:\d+\), chartValues\.vector\.nodeSelector\["kubernetes\.io\/arch"\] \(\S*Pulumi\.pi\.yaml:\d+\): change or remove them/,
      text,
    );
  });

  it("loki.gateway.enabled: false: the addresses, NetworkPolicy rules and named ports it leaves are one message whose cause is the override", async () => {
    const r = await synthStaging(stagingWith(GATEWAY_OFF));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(problems(r.stderr).length, 1, r.stderr);
    assert.match(r.stdout, /^staging: FAIL \(exit 1\): 1 rendered-object problem$/m);
    const [message, also, cause] = r.stderr.slice(r.stderr.indexOf("  [")).split("\n");
    assert.match(message, /no Service monitoring\/loki-gateway in the rendered stack/);
    // The key and its line in the stack file.
    assert.match(
      cause,
      /^ {6}from the stack's chart values override chartValues\.loki\.gateway\.enabled \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it in the stack file$/,
    );
    // Every place: the configs dialing the gateway, each rule written for its edge, each named port.
    for (const place of [
      "[address] ConfigMap monitoring/grafana (release grafana)",
      "[address] ConfigMap monitoring/alloy-cluster (release alloy-cluster)",
      "[network-policy] NetworkPolicy monitoring/loki (resource network-policies-monitoring-loki): ingress rule 1",
      "[network-policy] NetworkPolicy monitoring/loki (resource network-policies-monitoring-loki): ingress rule 2",
      "[network-egress] NetworkPolicy monitoring/grafana (resource network-policies-monitoring-grafana): egress rule 1",
      "[named-port] NetworkPolicy monitoring/loki (resource network-policies-monitoring-loki): ingress rule 1",
      "[named-port] NetworkPolicy monitoring/grafana (resource network-policies-monitoring-grafana): egress rule 1",
    ])
      assert.ok(also.includes(place), `${place} in:\n${also}`);
    assert.doesNotMatch(r.stderr, /the values of this release include/);
  });

  it("a fullnameOverride of Grafana: the config dialing the old Service and the API rule for pods whose account the stack's bindings no longer name are one message naming it", async () => {
    const r = await synthStaging(stagingWith("    grafana:\n      fullnameOverride: gx\n"));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(problems(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /no Service monitoring\/grafana in the rendered stack/);
    assert.match(
      r.stderr,
      /also seen at: .*\[network-egress\] NetworkPolicy monitoring\/grafana .*: egress rule 3/,
    );
    assert.match(
      r.stderr,
      /\n {6}from the stack's chart values override chartValues\.grafana\.fullnameOverride \(/,
    );
  });

  it("a nameOverride the release's name already holds renames nothing: beside the gateway off, the missing gateway is the switch's alone", async () => {
    // The chart's fullname is the release's name when that contains the name (`oki` in `loki`,
    // templates/_helpers.tpl loki.fullname): the gateway would still be loki-gateway.
    const r = await synthStaging(stagingWith(`    loki:\n      nameOverride: oki\n${GATEWAY_OFF.slice(10)}`));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(problems(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /no Service monitoring\/loki-gateway in the rendered stack/);
    assert.match(
      r.stderr,
      /\n {6}from the stack's chart values override chartValues\.loki\.gateway\.enabled \(/,
    );
    assert.doesNotMatch(r.stderr, /nameOverride/);
  });

  it("grafana.replicas: 2 with it: two mistakes, two messages, each naming its own override", async () => {
    const r = await synthStaging(stagingWith(`${GATEWAY_OFF}    grafana:\n      replicas: 2\n`));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.equal(problems(r.stderr).length, 1, r.stderr);
    assert.match(
      r.stderr,
      /from the stack's chart values override chartValues\.loki\.gateway\.enabled \(\S*Pulumi\.staging\.yaml:\d+\): /,
    );
    const violations = r.stdout.split("\n").filter((l) => /^ {2}\[mandatory\] /.test(l));
    assert.equal(violations.length, 1, r.stdout);
    assert.match(violations[0], /grafana-replicas-share-no-state: .*chartValues\.grafana\.replicas is 2/);
    const at = r.stdout.slice(r.stdout.indexOf(violations[0]));
    assert.doesNotMatch(
      at.split("\n")[1],
      /also seen at/,
      "the gateway's places are not Grafana's replicas'",
    );
  });

  it("loki.lokiCanary.enabled: false: the panels and rules reading the canary's metrics are one message whose cause is the override", async () => {
    const r = await synthStaging(stagingWith("    loki:\n      lokiCanary:\n        enabled: false\n"));
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const found = problems(r.stderr);
    assert.equal(found.length, 1, r.stderr);
    assert.match(
      found[0],
      /\[emitted-metrics\] .*loki_canary_.* comes from loki-canary, which this stack does not run/,
    );
    assert.match(
      r.stderr,
      /also seen at: .*LokiCanaryMissingEntries\n {6}from the stack's chart values override chartValues\.loki\.lokiCanary\.enabled \(\S*Pulumi\.staging\.yaml:\d+\): change or remove it in the stack file/,
    );
  });
  it("kube-prometheus-stack kubeStateMetrics.enabled: false at dual-write: the panels and rules reading its metrics name the subchart's switch", async () => {
    // No object of the release is named after the subchart once it is off: the chart's Chart.yaml
    // says the release would run it (kube-prometheus-stack 88.0.0, condition kubeStateMetrics.enabled).
    const r = await synthStaging(
      stagingWith(
        "    kube-prometheus-stack:\n      kubeStateMetrics:\n        enabled: false\n",
        "production",
      ),
      "production",
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const found = problems(r.stderr);
    assert.equal(found.length, 1, r.stderr);
    assert.match(
      found[0],
      /\[emitted-metrics\] .* comes from kube-state-metrics, which this stack does not run/,
    );
    assert.match(
      r.stderr,
      /\n {6}from the stack's chart values override chartValues\.kube-prometheus-stack\.kubeStateMetrics\.enabled \(\S*Pulumi\.production\.yaml:\d+\): change or remove it in the stack file/,
    );
  });
  it("kube-prometheus-stack nodeExporter.enabled: true beside the stack's own node-exporter: what its subchart's DaemonSet breaks is one message naming the switch", async () => {
    // The subchart's objects are named by its chart (`<release>-prometheus-node-exporter`), not by
    // the switch's key: Chart.yaml's `condition: nodeExporter.enabled` ties them. It was six messages,
    // five with no key under them (host port, seccomp twice, Pod Security twice, image pin).
    const r = await synthStaging(
      stagingWith("    kube-prometheus-stack:\n      nodeExporter:\n        enabled: true\n", "production"),
      "production",
    );
    const out = r.stdout + r.stderr;
    assert.equal(r.status, 1, out);
    assert.equal(out.split("\n").filter((l) => /^ {2}\[/.test(l)).length, 1, out);
    assert.match(
      out,
      /also seen at: .*\[host-port\] TCP 9100.*\[pod-security\] DaemonSet monitoring\/kube-prometheus-stack-prometheus-node-exporter/,
    );
    assert.match(
      out,
      /\n {6}from the stack's chart values override chartValues\.kube-prometheus-stack\.nodeExporter\.enabled \(\S*Pulumi\.production\.yaml:\d+\): change or remove it in the stack file/,
    );
  });
  it("a config text dropping the rule sync beside a memory request: only what judged the request names it", async () => {
    const r = await synthStaging(
      stagingWith(
        "    alloy:\n      alloy:\n        configMap:\n          content: |\n" +
          '            logging {\n              level = "info"\n            }\n' +
          "        resources:\n          requests:\n            memory: 600Mi\n" +
          "    loki:\n      lokiCanary:\n        enabled: false\n",
      ),
    );
    const messages = r.stderr.split(/\n(?= {2}\[)/).filter((m) => /^ {2}\[[a-z-]+\] /.test(m));
    // The config text is the one cause of every rule left without its evaluator: one message, said
    // as the text's (not one per PrometheusRule naming the request as "one of these").
    const evaluators = messages.filter((m) => m.includes("[rule-evaluators] "));
    assert.equal(evaluators.length, 1, r.stderr);
    assert.match(
      evaluators[0],
      /\n {6}from the stack's chart values override chartValues\.alloy\.alloy\.configMap\.content \(/,
    );
    assert.equal((evaluators[0].match(/\[rule-evaluators\] /g) ?? []).length, 5, evaluators[0]);
    // Three overrides, four mistakes: the request, the text, the canary, and the one connection
    // (Loki's ingress and the cluster Alloy's egress for http-metrics) that either the canary's
    // switch or the text can leave unused.
    assert.deepEqual(
      messages.map((m) => /^ {2}(\[[a-z-]+\])/.exec(m)![1]),
      ["[resource-request]", "[alloy-roles]", "[emitted-metrics]", "[network-policy]"],
      r.stderr,
    );
    // A memory request decides no rule's evaluator, grant, dialed store or running component.
    const naming = messages.filter((m) => m.includes("chartValues.alloy.alloy.resources.requests.memory"));
    assert.deepEqual(
      naming.map((m) => m.slice(0, m.indexOf("]") + 1)),
      ["  [resource-request]"],
      naming.join("\n"),
    );
  });

  it("an override refused as set twice hides no rendered problem of another: the stack is judged without it in the same run, and nothing is written", async () => {
    const dir = stagingWith(
      "    victoria-metrics-k8s-stack: {vmsingle: {spec: {retentionPeriod: 30d}}}\n" +
        "    grafana:\n      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: " +
        "{nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]}]}}}\n",
      "pi",
    );
    const r = await synthStaging(dir, "pi");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const retention = "chartValues.victoria-metrics-k8s-stack.vmsingle.spec.retentionPeriod";
    assert.match(
      r.stderr,
      /^pi: invalid stack configuration \(1 problem\):\n {2}- homelab-observability:victoriametrics\.retention: expected the victoria-metrics-k8s-stack chart's vmsingle\.spec\.retentionPeriod set in one place/m,
    );
    assert.ok(
      r.stderr.includes(
        `\npi: judged again, this time without the refused override ${retention} (the refusal above stands; nothing is written), for the stack's other problems:\n`,
      ),
      r.stderr,
    );
    // The other override's own mistake, said in this run with its line.
    assert.match(
      r.stdout,
      /== pi: policy violations\n {2}\[mandatory\] resource-budget: the required node affinity kubernetes\.io\/arch In amd64 of grafana: [^\n]*\n {6}from the stack's chart values override chartValues\.grafana\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution\.nodeSelectorTerms \(\S*Pulumi\.pi\.yaml:\d+\): change or remove it in the stack file\n/,
    );
    // The verdict stays the refusal's, and no file holds a synthesis the stack file does not give.
    assert.match(r.stdout, /\npi: FAIL \(exit 2\): the stack configuration is refused \(above\)\n$/);
    const out = path.join(dir, "out");
    assert.deepEqual(fs.existsSync(out) ? fs.readdirSync(out) : [], []);
  });

  /** A Pi stack's grafana affinity no node of its pools (arm64) admits, as `chartValues` lines. */
  const AMD64_GRAFANA =
    "    grafana:\n      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: " +
    "{nodeSelectorTerms: [{matchExpressions: [{key: kubernetes.io/arch, operator: In, values: [amd64]}]}]}}}\n";
  const AFFINITY_VIOLATION =
    /== pi: policy violations\n {2}\[mandatory\] resource-budget: the required node affinity kubernetes\.io\/arch In amd64 of grafana[:/]/;

  it("the overrides judged without are those the checks refuse, not every key a problem's hint names: a misspelt chart name beside the chart it means leaves that chart's overrides judged", async () => {
    // The hint of chartValues.grafanna names chartValues.grafana, which is not refused.
    const dir = stagingWith(`    grafanna: {podLabels: {team: x}}\n${AMD64_GRAFANA}`, "pi");
    const r = await synthStaging(dir, "pi");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /- homelab-observability:chartValues\.grafanna: unknown key; did you mean "grafana"\?/,
    );
    assert.ok(
      r.stderr.includes(
        "\npi: judged again, this time without the refused override chartValues.grafanna (the refusal above stands; nothing is written), for the stack's other problems:\n",
      ),
      r.stderr,
    );
    assert.match(r.stdout, AFFINITY_VIOLATION);
    assert.doesNotMatch(r.stderr, /the stack has no other problem/);
  });

  it("a misspelt chart key holding a dot is the key judged without, named as the stack file can hold it", async () => {
    const dir = stagingWith(
      '    grafana:\n      persistance: {enabled: true}\n      "grafana.inii": {a: 1}\n',
    );
    const r = await synthStaging(dir);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    const removed = 'chartValues.grafana.persistance, chartValues.grafana["grafana.inii"]';
    assert.ok(
      r.stderr.includes(
        `\nstaging: judged again, this time without the refused overrides ${removed} (the refusal above stands; nothing is written), for the stack's other problems:\n`,
      ),
      r.stderr,
    );
    assert.ok(r.stderr.includes(`\nstaging: without ${removed}, the stack has no other problem\n`), r.stderr);
  });

  it("a key Loki 3.0 removed is an override judged without too, so another override's problem is said in the same run", async () => {
    const dir = stagingWith(
      "    loki:\n      loki:\n        compactor:\n          shared_store: s3\n" +
        "    grafana:\n      nodeSelector:\n        kubernetes.io/arch: s390x\n",
    );
    const r = await synthStaging(dir);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /chartValues\.loki\.loki\.compactor\.shared_store: a key Loki 3\.0 removed/);
    assert.ok(
      r.stderr.includes(
        "\nstaging: judged again, this time without the refused override chartValues.loki.loki.compactor.shared_store (the refusal above stands; nothing is written), for the stack's other problems:\n",
      ),
      r.stderr,
    );
    // The other override's mistake: no node pool of the stack is s390x.
    assert.match(r.stdout + r.stderr, /kubernetes\.io\/arch=s390x/);
  });

  it("a chartValues that is no map is refused as such, and nothing is judged without it", async () => {
    const dir = stagingWith("");
    const file = path.join(dir, "Pulumi.staging.yaml");
    fs.writeFileSync(
      file,
      fs.readFileSync(file, "utf8").replace(/chartValues:\n$/, "chartValues: grafana.replicas=2\n"),
    );
    const r = await synthStaging(dir);
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /- homelab-observability:chartValues: expected an object [^\n]*, got string "grafana\.replicas=2"/,
    );
    assert.doesNotMatch(r.stderr, /unexpected error|judged without/);
    assert.match(r.stdout, /^staging: FAIL \(exit 2\): the stack configuration is refused \(above\)\n$/);
  });

  it("judged without a refused override and no chart archive at hand: nothing is pulled, a note says the values alone are judged, and the closing line stays the refusal's", async () => {
    const dir = stagingWith(
      `    victoria-metrics-k8s-stack: {vmsingle: {spec: {retentionPeriod: 30d}}}\n${AMD64_GRAFANA}`,
      "pi",
    );
    // Empty, at the same path in every run (stableDir): the fixture cache keeps pi's syntheses
    // under it. Measured warm on this 2-core machine, the file alone: 4.9 s of CPU before, 4.3 s
    // after (medians of three, alternated).
    const cache = stableDir("override-mistake-no-charts");
    // Outside CI a missing archive is pulled: the judgement without the override must not.
    const r = await withEnv({ CI: "", HOMELAB_CHART_CACHE: cache }, () => synthStaging(dir, "pi"));
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(
      r.stderr,
      /\npi: judged again, this time without the refused override [^\n]*\n {2}\(not rendered: 7 of the 7 chart archives it renders are not in the chart cache \S+; the releases' values alone are judged\)\n/,
    );
    assert.match(r.stdout, AFFINITY_VIOLATION);
    assert.doesNotMatch(r.stderr, /helm pull|cannot render/);
    assert.deepEqual(fs.readdirSync(cache), []);
    assert.match(r.stdout, /\npi: FAIL \(exit 2\): the stack configuration is refused \(above\)\n$/);
  });

  it("a Loki compactor setting under chartValues.loki.compactor in Monolithic: one message, the pack's move, and the move works", async () => {
    // The chart's `compactor:` is the Distributed compactor's pods (no working_directory in any
    // mode); the monolithic pods run the compactor and read loki.compactor (contract/lokiCompactor.ts).
    // Before, synth also warned that the mode renders no compactor pod and to remove the override.
    const monolithic = (chartValues: string) => {
      const dir = stagingWith(chartValues);
      const file = path.join(dir, "Pulumi.staging.yaml");
      const text = fs.readFileSync(file, "utf8");
      assert.match(text, /\n {4}mode: SingleBinary\n/);
      fs.writeFileSync(file, text.replace(/\n {4}mode: SingleBinary\n/, "\n    mode: Monolithic\n"));
      return dir;
    };
    const misplaced = await synthStaging(
      monolithic("    loki:\n      compactor:\n        working_directory: /var/loki/compactor-work\n"),
    );
    assert.equal(misplaced.status, 0, misplaced.stdout + misplaced.stderr);
    const all = `${misplaced.stdout}\n${misplaced.stderr}`;
    // The message and the override behind it; the listing of the overrides in force aside.
    const naming = all
      .split("\n")
      .filter((l) => /working_directory/.test(l) && l !== "    loki.compactor.working_directory");
    assert.equal(naming.length, 2, all);
    assert.equal(
      naming[0],
      '  [advisory] loki-compactor-misplaced: kubernetes:helm.sh/v3:Release "loki": chartValues.loki.compactor holds Loki settings (working_directory) that the chart ignores silently; move them to chartValues.loki.loki.compactor.',
    );
    assert.match(
      naming[1],
      /^ {6}from the stack's chart values override chartValues\.loki\.compactor\.working_directory \(\S*Pulumi\.staging\.yaml:49\): change or remove it in the stack file$/,
    );
    assert.doesNotMatch(all, /renders no compactor pod|changes nothing/);
    // Moved where the message says: no message, and Loki's config holds the setting.
    const moved = monolithic(
      "    loki:\n      loki:\n        compactor:\n          working_directory: /var/loki/compactor-work\n",
    );
    const r = await synthStaging(moved);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.doesNotMatch(`${r.stdout}\n${r.stderr}`, /warning|misplaced/, r.stdout + r.stderr);
    const rendered = fs.readFileSync(path.join(moved, "out", "staging.rendered.json"), "utf8");
    assert.match(
      rendered,
      /compactor:\\n(?: {2}[^\\]*\\n)* {2}working_directory: \/var\/loki\/compactor-work\\n/,
    );
  });
});
