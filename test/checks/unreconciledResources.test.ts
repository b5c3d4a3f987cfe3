/**
 * A VictoriaMetrics operator that reconciles nothing (scaled to 0, or watching namespaces without
 * the stack's VM resources) is one mistake, however many checks see what follows from it: the
 * rules with no evaluator, the monitors no scraper reads, the NetworkPolicy rules for pods that
 * never run. The synthesis prints it as one message, led by the finding that names the operator,
 * why it reconciles nothing and the way out (checks/unreconciledResources.ts, synth/report.ts
 * mergeProblems).
 */
import { strict as assert } from "assert";
import { checkStack, placedFrom, type Placed } from "../../checks";
import { vmOperators } from "../../upstream/ruleSelection";
import { mergeProblems } from "../../synth/report";
import { checkedStack } from "../support/checkedStack";
import { rendered, stackFileVariants, type RenderedStack } from "../support/rendered";

/** The pi stack's objects with its VictoriaMetrics operator Deployment changed by `change` (a copy). */
function withOperator(r: RenderedStack, change: (spec: any) => void): Placed[] {
  const objects = placedFrom(r.objects);
  const [operator] = vmOperators(objects.map((p) => p.obj));
  assert.ok(operator, "the pi stack renders a VictoriaMetrics operator");
  return objects.map((p) => {
    if (p.obj !== operator) return p;
    const obj = structuredClone(p.obj);
    change(obj.spec);
    return { ...p, obj };
  });
}

/** The problems the synthesis prints for `objects`, merged by cause. */
function problems(r: RenderedStack, objects: Placed[]) {
  const resources = r.synth.export.deployment.resources;
  return mergeProblems([], checkStack(objects, resources).findings, { resources, overrides: [] }).findings;
}

describe("rendered-stack check unreconciled-resource", function () {
  this.timeout(120_000);
  let pi: RenderedStack;
  before(async () => {
    pi = await rendered(stackFileVariants().find((v) => v.stack === "pi")!);
  });

  it("an operator scaled to 0 is one problem, led by the operator and why, naming every place it touches", () => {
    const found = problems(
      pi,
      withOperator(pi, (spec) => (spec.replicas = 0)),
    );
    assert.equal(found.length, 1, found.map((f) => `[${f.check}] ${f.where}: ${f.message}`).join("\n"));
    const [one] = found;
    assert.equal(one.check, "unreconciled-resource");
    assert.match(one.where, /^Deployment monitoring\/vm-victoria-metrics-operator /);
    assert.match(
      one.message,
      /reconciles VMAgent monitoring\/vm, VMAlert monitoring\/vm, VMAlertmanager monitoring\/vm, VMSingle monitoring\/vm \(Deployment monitoring\/vm-victoria-metrics-operator runs no pod \(spec\.replicas 0\)\)/,
    );
    assert.match(
      one.message,
      /set Deployment monitoring\/vm-victoria-metrics-operator's spec\.replicas to 1 or more \(the victoria-metrics-operator chart's replicaCount\)$/,
    );
    // What followed from it, each a place of the one message.
    for (const check of ["network-policy", "network-egress", "rule-evaluators", "unread-monitor"])
      assert.ok(
        one.alsoAt.some((a) => a.startsWith(`[${check}] `)),
        `${check} among ${one.alsoAt.join("; ")}`,
      );
  });

  it("an operator whose WATCH_NAMESPACE leaves the stack's namespace out is one problem, led by it", () => {
    const found = problems(
      pi,
      withOperator(pi, (spec) => {
        const [c] = spec.template.spec.containers;
        c.env = [...(c.env ?? []), { name: "WATCH_NAMESPACE", value: "other" }];
      }),
    );
    assert.equal(found.length, 1, found.map((f) => `[${f.check}] ${f.where}: ${f.message}`).join("\n"));
    assert.equal(found[0].check, "unreconciled-resource");
    assert.match(
      found[0].message,
      /Deployment monitoring\/vm-victoria-metrics-operator watches only "other" \(WATCH_NAMESPACE\), not "monitoring"\).*; list "monitoring" in Deployment monitoring\/vm-victoria-metrics-operator's WATCH_NAMESPACE/,
    );
    assert.ok(found[0].alsoAt.some((a) => a.startsWith("[rule-evaluators] ")));
  });

  /** `objects` with the VMAlert's spec asking for the host network (a copy). */
  const vmAlertOnHost = (objects: Placed[]): Placed[] =>
    objects.map((p) =>
      p.obj.kind === "VMAlert" ? { ...p, obj: { ...p.obj, spec: { ...p.obj.spec, hostNetwork: true } } } : p,
    );

  it("a pod-security mistake of a pod no operator starts is said in its one message, not apart", () => {
    const found = problems(pi, vmAlertOnHost(withOperator(pi, (spec) => (spec.replicas = 0))));
    assert.equal(found.length, 1, found.map((f) => `[${f.check}] ${f.where}: ${f.message}`).join("\n"));
    assert.equal(found[0].check, "unreconciled-resource");
    assert.match(
      found[0].message,
      /; once one does, their pods are judged as any other, and this follows: \[pod-security\] Deployment monitoring\/vmalert-vm \(release vm, by its operator\): namespace monitoring enforces baseline, which refuses this pod: hostNetwork: true$/,
    );
  });

  it("the same mistake of a pod the operator does start is a pod-security problem", () => {
    const found = problems(pi, vmAlertOnHost(placedFrom(pi.objects)));
    assert.deepEqual(
      found.map((f) => `[${f.check}] ${f.where}: ${f.message}`),
      [
        "[pod-security] Deployment monitoring/vmalert-vm (release vm, by its operator): namespace monitoring enforces baseline, which refuses this pod: hostNetwork: true",
      ],
    );
  });

  /** `objects` and a VMPodScrape of the VMAgent's pods on a port none of their containers declares. */
  const withBadPodScrape = (objects: Placed[]): Placed[] => {
    const agent = objects.find((p) => p.obj.kind === "VMAgent")!;
    const scrape = {
      apiVersion: "operator.victoriametrics.com/v1beta1",
      kind: "VMPodScrape",
      metadata: { name: "mine", namespace: "monitoring" },
      spec: {
        selector: { matchLabels: { "app.kubernetes.io/name": "vmagent" } },
        podMetricsEndpoints: [{ port: "nope" }],
      },
    };
    return [...objects, { ...agent, obj: scrape }];
  };
  const BAD_PORT =
    '[named-port] VMPodScrape monitoring/mine (release vm): podMetricsEndpoint port "nope" is no container port of Deployment monitoring/vmagent-vm (release vm, by its operator): no target';

  it("a named-port mistake of the stack's own object on a pod no operator starts is said in its one message", () => {
    // Without the pod the VMPodScrape selects nothing: judged on the made pods alone, the mistake
    // was said nowhere, though it is one once the operator runs.
    const found = problems(pi, withBadPodScrape(withOperator(pi, (spec) => (spec.replicas = 0))));
    assert.equal(found.length, 1, found.map((f) => `[${f.check}] ${f.where}: ${f.message}`).join("\n"));
    assert.equal(found[0].check, "unreconciled-resource");
    assert.ok(found[0].message.endsWith(`, and this follows: ${BAD_PORT}`), found[0].message);
    // The same mistake on a pod that runs is a named-port problem of its own.
    const running = problems(pi, withBadPodScrape(placedFrom(pi.objects)));
    assert.deepEqual(
      running.map((f) => `[${f.check}] ${f.where}: ${f.message}`),
      [BAD_PORT],
    );
  });

  /** `objects` and a NetworkPolicy of Grafana's pods and the VMAgent's admitting a port neither declares. */
  const withBadPolicy = (objects: Placed[]): Placed[] => {
    const grafana = objects.find((p) => p.obj.kind === "Deployment" && p.obj.metadata.name === "grafana")!;
    const policy = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "mine", namespace: "monitoring" },
      spec: {
        podSelector: {
          matchExpressions: [
            { key: "app.kubernetes.io/name", operator: "In", values: ["grafana", "vmagent"] },
          ],
        },
        policyTypes: ["Ingress"],
        ingress: [{ ports: [{ port: "nope" }] }],
      },
    };
    return [...objects, { ...grafana, obj: policy }];
  };
  const POLICY_PORT =
    '[named-port] NetworkPolicy monitoring/mine (release grafana): ingress rule 0 admits port "nope", which none of the pods it selects declares (Deployment monitoring/grafana (release grafana)';

  it("a named port none of the pods a policy selects declares, running or not, is one problem naming them all", () => {
    const found = problems(pi, withBadPolicy(withOperator(pi, (spec) => (spec.replicas = 0))));
    const said = found.map((f) => `[${f.check}] ${f.where}: ${f.message}`);
    // Said once, as its own problem (Grafana's pod runs and lacks it), naming the VMAgent's pod too;
    // not again among what follows once the operator runs.
    assert.deepEqual(
      said.filter((m) => m.includes('"nope"')),
      [
        `${POLICY_PORT}, and those no operator of the stack makes yet: Deployment monitoring/vmagent-vm (release vm, by its operator)): the rule admits nothing`,
      ],
    );
    assert.deepEqual(found.map((f) => f.check).sort(), ["named-port", "unreconciled-resource"]);
    // With the operator running, the same one problem, naming both pods alike.
    const running = problems(pi, withBadPolicy(placedFrom(pi.objects)));
    assert.deepEqual(
      running.map((f) => `[${f.check}] ${f.where}: ${f.message}`),
      [
        `${POLICY_PORT}, Deployment monitoring/vmagent-vm (release vm, by its operator)): the rule admits nothing`,
      ],
    );
  });

  it("a namespace enforcing privileged for a pod no operator starts is no problem apart, but said in its one message", () => {
    // The VMAgent, asking for the host network, in a namespace of its own enforcing privileged.
    const objects = withOperator(pi, (spec) => (spec.replicas = 0)).map((p) =>
      p.obj.kind === "VMAgent"
        ? {
            ...p,
            obj: {
              ...p.obj,
              metadata: { ...p.obj.metadata, namespace: "agents" },
              spec: { ...p.obj.spec, hostNetwork: true },
            },
          }
        : p,
    );
    const ns = objects.find((p) => p.obj.kind === "Namespace")!;
    const labels = { ...ns.obj.metadata.labels, "pod-security.kubernetes.io/enforce": "privileged" };
    const agents = { ...ns, obj: { ...ns.obj, metadata: { ...ns.obj.metadata, name: "agents", labels } } };
    const found = problems(pi, [...objects, agents]);
    // Lowering the level, which "runs no pod that needs it" asks for, refuses the VMAgent's pod once
    // the operator runs: that finding follows from the operator, in its message.
    assert.deepEqual(
      found.filter((f) => f.check === "pod-security"),
      [],
    );
    const [lead] = found.filter((f) => f.check === "unreconciled-resource");
    assert.ok(
      lead.alsoAt.some((a) => a.startsWith("[pod-security] Namespace agents ")),
      lead.alsoAt.join("\n"),
    );
  });

  it("a mistake of another cause beside it stays a problem of its own", () => {
    const objects = withOperator(pi, (spec) => (spec.replicas = 0));
    // The same ConfigMap rendered twice: a duplicate, nothing to do with the operator.
    const cm = objects.find((p) => p.obj.kind === "ConfigMap")!;
    const found = problems(pi, [...objects, { ...cm, source: `${cm.source} again` }]);
    assert.deepEqual(found.map((f) => f.check).sort(), ["duplicate", "unreconciled-resource"]);
  });

  it("the stack as it is has no such problem", () => {
    const found = checkedStack(pi).findings;
    assert.deepEqual(
      found.filter((f) => f.check === "unreconciled-resource"),
      [],
    );
  });
});
