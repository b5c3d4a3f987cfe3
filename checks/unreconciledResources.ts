/**
 * VictoriaMetrics resources (VMAgent, VMSingle, VMAlert, VMAlertmanager, ...) of the stack that no
 * VictoriaMetrics operator of the stack reconciles (upstream/ruleSelection.ts vmLeftAlone): each
 * operator is scaled to 0 or watches a WATCH_NAMESPACE list without their namespace. None of them
 * runs a pod, and the other checks see what follows (rules with no evaluator, monitors no scraper
 * reads, NetworkPolicy rules for pods that never run). That is one mistake, fixed at the operator:
 * each of those findings carries the cause made here (contract/mistakes.ts MISTAKES.unreconciled),
 * and the finding here, which says the cause and the way out, leads their one message
 * (`leads`, synth/report.ts mergeProblems).
 */
import { causeKey, MISTAKES } from "@homelab-observability/contract";
import { scaledToZero } from "../upstream/prometheusOperatorScope";
import { vmLeftAlone, vmOperators, vmReconciledByNone, type ObjectLike } from "../upstream/ruleSelection";
import { chartOf, describe, operatorObjects, type Finding, type K8sObject, type Placed } from "./objects";

/** The VictoriaMetrics operator chart (victoria-metrics-k8s-stack 0.80.0 renders it as its subchart). */
const VM_OPERATOR_CHART = "victoria-metrics-operator";

/** An operator as the messages name it: `Deployment ns/name`. */
export const named = (o: ObjectLike): string =>
  `Deployment ${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

/** Why no VictoriaMetrics operator reconciles a resource of one namespace: its mistake's key, and the words. */
export interface Unreconciled {
  cause: string;
  /** Each operator and why it leaves the resource alone: `Deployment ns/name runs no pod (spec.replicas 0)`. */
  why: string;
  /** The way out, naming the chart's value where the operator's chart is known. */
  mend: string;
}

/**
 * Why no VictoriaMetrics operator of `objects` reconciles a resource in a namespace, per namespace;
 * undefined where one does (or none is rendered: one installed apart is taken to). Operators all
 * scaled to 0 leave every namespace alone for one reason: one key for all of them.
 */
export function vmUnreconciled(objects: ObjectLike[]): (ns: string) => Unreconciled | undefined {
  const operators = vmOperators(objects);
  return (ns) => {
    const each = vmLeftAlone(operators, ns);
    if (!each) return undefined;
    const allZero = operators.every((o) => scaledToZero(o));
    const origin = `${operators.map(named).join(", ")}${allZero ? "" : ` namespace ${ns}`}`;
    const chart = (o: ObjectLike) => chartOf(o as K8sObject) === VM_OPERATOR_CHART;
    return {
      cause: causeKey(MISTAKES.unreconciled, origin),
      why: each
        .map((e) =>
          e.replicas
            ? `${named(e.operator)} runs no pod (spec.replicas 0)`
            : `${named(e.operator)} watches only ${JSON.stringify(e.watches!.join(","))} (WATCH_NAMESPACE), not ${JSON.stringify(ns)}`,
        )
        .join(", and "),
      // victoria-metrics-operator 0.63.1 templates/server.yaml:21 (`replicas: {{ .Values.replicaCount }}`)
      // and :64-67 (WATCH_NAMESPACE from `watchNamespaces`, joined with commas).
      mend: [
        ...new Set(
          each.map((e) =>
            e.replicas
              ? `set ${named(e.operator)}'s spec.replicas to 1 or more${chart(e.operator) ? ` (the ${VM_OPERATOR_CHART} chart's replicaCount)` : ""}`
              : `list ${JSON.stringify(ns)} in ${named(e.operator)}'s WATCH_NAMESPACE${chart(e.operator) ? ` (the ${VM_OPERATOR_CHART} chart's watchNamespaces)` : ""}`,
          ),
        ),
      ].join(", or "),
    };
  };
}

/**
 * What the operators make of the stack's resources (`generated`, objects.ts operatorObjects), split:
 * `made`, what runs; `unmade`, what a VictoriaMetrics resource no operator of the stack reconciles
 * would make (upstream/ruleSelection.ts vmReconciledByNone): none of it exists in the cluster.
 */
export function splitMade(objects: Placed[], generated: Placed[]): { made: Placed[]; unmade: Placed[] } {
  const operators = vmOperators(objects.map((p) => p.obj));
  const key = (p: Placed) => `${p.urn} ${p.obj.kind} ${p.obj.metadata.namespace}/${p.obj.metadata.name}`;
  const left = objects.filter(
    (p) =>
      p.obj.apiVersion.startsWith("operator.victoriametrics.com/") &&
      vmReconciledByNone(operators, p.obj.metadata.namespace ?? ""),
  );
  if (left.length === 0) return { made: generated, unmade: [] };
  const unmadeKeys = new Set(operatorObjects(left).map(key));
  const made: Placed[] = [];
  const unmade: Placed[] = [];
  for (const p of generated) (unmadeKeys.has(key(p)) ? unmade : made).push(p);
  return { made, unmade };
}

/** A finding that follows once an operator reconciles the resources of `cause` (checks/index.ts latentFindings). */
export interface Latent {
  cause: string;
  finding: Finding;
}

/**
 * One finding per cause: the VictoriaMetrics resources no operator reconciles, why, and the way
 * out. It leads the message of every finding that follows from it. `latent`: what pod-security and
 * named-ports find once the pods those resources would run (`unmade` of {@link splitMade}) run, on
 * those pods and on the stack's objects judged against them. No such pod exists, so no refusal
 * happens yet; the findings are said in the one message, as what follows once an operator
 * reconciles them, not as messages of their own.
 */
export function checkUnreconciledResources(
  objects: Placed[],
  latent: Latent[] = [],
): { findings: Finding[] } {
  const left = vmUnreconciled(objects.map((p) => p.obj));
  const byCause = new Map<string, { u: Unreconciled; at: Placed[] }>();
  for (const p of objects) {
    // Those that would run pods (the operator makes their workloads: checks/objects.ts
    // operatorObjects); a scrape object is read by one of them, not run.
    if (!p.obj.apiVersion.startsWith("operator.victoriametrics.com/") || operatorObjects([p]).length === 0)
      continue;
    const u = left(p.obj.metadata.namespace ?? "");
    if (!u) continue;
    const entry = byCause.get(u.cause) ?? { u, at: [] };
    entry.at.push(p);
    byCause.set(u.cause, entry);
  }
  const operators = vmOperators(objects.map((p) => p.obj));
  const findings = [...byCause.values()].map(({ u, at }): Finding => {
    const names = at.map((p) => `${p.obj.kind} ${p.obj.metadata.namespace ?? ""}/${p.obj.metadata.name}`);
    // Said at the operator, where it is mended; the fields it rests on are the operator's.
    const operator = objects.find((p) => p.obj === operators[0])!;
    const follow = latent
      .filter((l) => l.cause === u.cause)
      .map(({ finding: f }) => `[${f.check}] ${f.where}: ${f.message}`);
    const then =
      follow.length === 0
        ? ""
        : `; once one does, their pods are judged as any other, and ${follow.length === 1 ? "this follows" : `these ${follow.length} follow`}: ${follow.join("; ")}`;
    return {
      check: "unreconciled-resource",
      where: describe(operator),
      message: `no VictoriaMetrics operator of the stack reconciles ${names.join(", ")} (${u.why}): none of ${at.length > 1 ? "them runs a pod" : "it runs a pod"}, so what the stack scrapes, stores, evaluates or alerts through them is not done; ${u.mend}${then}`,
      cause: u.cause,
      leads: true,
    };
  });
  return { findings };
}
