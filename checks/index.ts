/**
 * All checks on one rendered stack, and the adapter from the render harness's objects. The
 * synthesis and the tests both call {@link checkStack}; transitions use
 * {@link checkTransitionHostPorts} over two sides.
 */
import type { ExportResource } from "../synth/synthesize";
import { CLUSTER_SERVICES, checkAddresses, type Address } from "./addresses";
import { checkAlloy } from "./alloy";
import { checkAlloyRbac } from "./alloyRbac";
import { checkAlertmanagerConfigs, unselectedConfigWarnings } from "./alertmanagerConfigs";
import { unreconciledServerWarnings } from "./unreconciledServers";
import { checkUnreconciledResources, splitMade, vmUnreconciled, type Latent } from "./unreconciledResources";
import { checkAlertmanagerReplicas } from "./alertmanagerReplicas";
import { checkBucketReads } from "./bucketReads";
import { checkDashboards } from "./dashboards";
import { checkDuplicates } from "./duplicates";
import { checkEngineConfigs } from "./engineConfigs";
import { checkGrafanaIni } from "./grafanaIni";
import { checkEnvVars } from "./envVars";
import { checkEmittedMetrics } from "./emittedMetrics";
import { checkHostPorts } from "./hostPorts";
import { checkImageDigests } from "./imageDigests";
import { checkMonitorDurations } from "./monitorDurations";
import { checkMonitorReaders } from "./monitorReaders";
import { describe, operatorObjects, type Finding, type Placed } from "./objects";
import { checkOrdering } from "./ordering";
import { checkPrivileges } from "./privileges";
import { checkPrometheusDurations } from "./prometheusDurations";
import { checkRemoteWrite } from "./remoteWrite";
import { checkResourceNames } from "./resourceNames";
import { checkResourceRequests } from "./resourceRequests";
import { checkRuleEvaluators } from "./ruleEvaluators";
import { checkSchemas } from "./schema";
import { checkPodSecurity } from "./podSecurity";
import { checkNetworkPolicies } from "./networkPolicies";
import { checkNamedPorts } from "./namedPorts";
import { checkVector } from "./vector";
import { checkWrittenPaths } from "./writtenPaths";
import { checkProcessArgs } from "./processArgs";

export { checkTransitionHostPorts } from "./hostPorts";
export { checkTransitionDuplicates } from "./duplicates";
export type { Finding, Placed } from "./objects";
export { formatWorkloadTable, workloadTable } from "./privileges";
export { formatFindings, placedFrom } from "./placed";

export interface StackCheckReport {
  objects: number;
  builtinValidated: number;
  customValidated: number;
  addressesResolved: number;
  external: Address[];
  variablesChecked: number;
  /** Pods judged against their namespace's Pod Security level. */
  podsJudged: number;
  /** Connections (addresses and scrapes) proven allowed by the NetworkPolicies. */
  connectionsAllowed: number;
  /** Connections (addresses and scrapes) proven allowed out of their clients by egress rules. */
  egressAllowed: number;
  /** Policies whose egress rules are rendered and checked but not enforced (network.egress: rendered). */
  egressNotEnforced: number;
  /** Named ports (policies, Services, probes, monitors) found on the pods they are meant for. */
  namedPortsResolved: number;
  /** Namespaces whose NetworkPolicies are deferred (a takeover's import step). */
  networkPoliciesDeferred: string[];
  /** Alloy configs judged by the parser and the component reference. */
  alloyConfigs: number;
  /** Vector configs judged by Vector's reference, and the sources, transforms and sinks in them. */
  vectorConfigs: number;
  vectorComponents: number;
  /** Loki and Mimir containers whose config file and flags were judged by the engine's reference. */
  engineConfigs: number;
  /** Panel targets and rules whose PromQL was judged against the metrics the stack emits. */
  metricQueries: number;
  /** Metric names those queries read that the emitted-metrics data does not know (listed, not failed). */
  metricsUnverified: string[];
  /** Panels, dashboards and rules the builders leave out of this stack, and why (nothing feeds them). */
  leftOut: { what: string; why: string }[];
  /** Image references found (containers, custom resources, the operator's reloader flag). */
  images: number;
  /** The pins those images come from that have no digest yet (`registry/repository:tag`). */
  imagesByTagOnly: string[];
  /** Checks that could not run (their reference data is absent): said loudly, never silently passed. */
  notRun: string[];
  /** What works today but is experimental or deprecated upstream: said, never failed. */
  warnings: string[];
  findings: Finding[];
}

export interface StackCheckOptions {
  /** `service.namespace` of Services outside the stack (the object store, say). Default: kube-dns. */
  outside?: string[];
  /**
   * The images secret-read takes as operators: the pack config's no-cluster-secret-read
   * `operatorImages` as the pack resolves it (contract operatorImagesOf). Default: its defaults.
   * Part of the cached verdict's key (checks/cache.ts keys on the options).
   */
  operatorImages?: readonly string[];
}

export function checkStack(
  objects: Placed[],
  resources: ExportResource[],
  opts: StackCheckOptions = {},
): StackCheckReport {
  const schema = checkSchemas(objects);
  const generated = operatorObjects(objects);
  const addresses = checkAddresses(objects, generated, [...CLUSTER_SERVICES, ...(opts.outside ?? [])]);
  const env = checkEnvVars(objects);
  // The pods a VictoriaMetrics resource no operator reconciles would run do not exist: their own
  // specs are judged apart and said in the unreconciled-resource message, one message for the stack's
  // one state, not findings of their own beside it (nor counted among the pods a namespace runs).
  const { made, unmade } = splitMade(objects, generated);
  const podSecurity = checkPodSecurity(objects, made);
  const network = checkNetworkPolicies(objects, generated);
  // A named port none of the pods running nor those that would declares is one finding, naming
  // them all; what only those that would run find is said in the unreconciled-resource message.
  const namedPorts = checkNamedPorts(objects, [...made, ...unmade], unmade);
  const { latent, gone } = latentFindings(objects, { made, unmade }, { podSecurity: podSecurity.findings });
  const alloy = checkAlloy(objects);
  const engines = checkEngineConfigs(objects);
  const vector = checkVector(objects);
  const images = checkImageDigests(objects);
  const emitted = checkEmittedMetrics(objects);
  const findings = [
    ...schema.findings,
    ...checkResourceNames(objects).findings,
    ...checkResourceRequests(objects).findings,
    ...checkDuplicates(objects),
    ...addresses.findings,
    ...env.findings,
    ...checkHostPorts(objects),
    ...checkOrdering(objects, resources),
    ...checkPrivileges(objects, opts.operatorImages),
    ...podSecurity.findings.map((f) => (gone.has(f) ? { ...f, cause: gone.get(f) } : f)),
    ...network.findings,
    ...namedPorts.findings,
    ...alloy.findings,
    ...checkAlloyRbac(objects).findings,
    ...checkWrittenPaths(objects).findings,
    ...checkProcessArgs(objects).findings,
    ...checkBucketReads(objects, resources).findings,
    ...engines.findings,
    ...vector.findings,
    ...images.findings,
    ...emitted.findings,
    ...checkUnreconciledResources(objects, latent).findings,
    ...checkRuleEvaluators(objects).findings,
    ...checkMonitorReaders(objects).findings,
    ...checkRemoteWrite(objects).findings,
    ...checkPrometheusDurations(objects).findings,
    ...checkMonitorDurations(objects).findings,
    ...checkAlertmanagerReplicas(objects, generated).findings,
    ...checkAlertmanagerConfigs(objects).findings,
    ...checkDashboards(objects).findings,
    ...checkGrafanaIni(objects).findings,
  ];
  // A warning of a mistake a finding reports is one more place of that finding (merged into its
  // message by synth/report.ts mergeProblems), not a line of its own.
  const causes = new Set(findings.map((f) => f.cause).filter(Boolean));
  const placed = (w: string) => causes.has(network.warningFindings.get(w)?.cause);
  return {
    objects: objects.length,
    builtinValidated: schema.builtin,
    customValidated: schema.custom,
    addressesResolved: addresses.resolved.length,
    external: addresses.external,
    variablesChecked: env.checked,
    podsJudged: podSecurity.pods,
    connectionsAllowed: network.allowed,
    egressAllowed: network.egressAllowed,
    egressNotEnforced: network.egressNotEnforced,
    namedPortsResolved: namedPorts.resolved,
    networkPoliciesDeferred: network.deferred,
    alloyConfigs: alloy.configs,
    vectorConfigs: vector.configs,
    vectorComponents: vector.components,
    engineConfigs: engines.judged,
    metricQueries: emitted.queries,
    metricsUnverified: emitted.unverified,
    leftOut: emitted.leftOut,
    images: images.images,
    imagesByTagOnly: images.byTagOnly,
    notRun: [...alloy.notRun, ...engines.notRun, ...vector.notRun],
    warnings: [
      ...engines.warnings,
      ...vector.warnings,
      ...network.warnings.filter((w) => !placed(w)),
      ...unselectedConfigWarnings(objects),
      ...unreconciledServerWarnings(objects),
    ],
    findings: [...findings, ...network.warnings.filter(placed).map((w) => network.warningFindings.get(w)!)],
  };
}

/**
 * What pod-security and named-ports find once the pods the VictoriaMetrics resources of one cause
 * would run (`unmade`, grouped by why no operator reconciles their namespace) run beside those that
 * do (`made`): pod-security's findings on those pods (not on the namespaces, which its run judges
 * with the pods that do run), and each named-port finding the stack's objects get then and not now
 * (namedPorts.ts `latent`): a port of those pods' own Services, and of the stack's scrape objects
 * and NetworkPolicies on them (a VMPodScrape's port no container of the VMAgent's pod declares),
 * which without those pods select nothing and are judged on nothing; one that fails on the pods
 * that run already is a finding of its own, naming those pods too, not said again here. `gone`: each pod-security finding of a cause of
 * its own now that those pods running would end (a namespace enforcing privileged that "runs no pod
 * that needs it" but theirs): it follows from the same cause, said in its message, not as a way out
 * of its own (lowering the level would refuse those pods once they run).
 */
function latentFindings(
  objects: Placed[],
  split: { made: Placed[]; unmade: Placed[] },
  now: { podSecurity: Finding[] },
): { latent: Latent[]; gone: Map<Finding, string> } {
  const gone = new Map<Finding, string>();
  if (split.unmade.length === 0) return { latent: [], gone };
  const left = vmUnreconciled(objects.map((p) => p.obj));
  const byCause = new Map<string, Placed[]>();
  for (const p of split.unmade) {
    const cause = left(p.obj.metadata.namespace ?? "")?.cause;
    if (cause) byCause.set(cause, [...(byCause.get(cause) ?? []), p]);
  }
  const key = (f: Finding) => `${f.check}\n${f.where}\n${f.message}`;
  const latent = [...byCause].flatMap(([cause, unmade]) => {
    const places = new Set(unmade.map(describe));
    const once = [...split.made, ...unmade];
    const podSecurity = checkPodSecurity(objects, once).findings;
    const then = new Set(podSecurity.map(key));
    for (const f of now.podSecurity)
      if (f.cause === undefined && !then.has(key(f)) && !gone.has(f)) gone.set(f, cause);
    return [
      ...podSecurity.filter((f) => places.has(f.where)),
      ...checkNamedPorts(objects, once, unmade).latent,
    ].map((finding) => ({ cause, finding }));
  });
  return { latent, gone };
}
