/**
 * The rendered stack as the checks see it: every Kubernetes object the cluster would receive, each
 * attributed to the Pulumi resource that creates it (a Helm release or a raw resource), plus the
 * export's dependency edges. Pure data in, pure data out: synth and the tests share these functions.
 */
import type { ApiCall } from "../model/chartRbac";
import {
  ALERTMANAGER_MESH,
  governingSelector,
  RELOADER_PORT,
  SERVERS,
  serverPodLabels,
  serverPortName,
  type OperatorServer,
} from "../upstream/operators/prometheusOperator";
import {
  VM_CLUSTER,
  VM_KINDS,
  VM_SERVICE_PORT_NAME,
  vmPodLabels,
  vmPort,
  vmPortName,
  vmSelectorLabels,
  type VmClusterComponent,
  type VmKind,
} from "../upstream/operators/victoriaMetrics";
import { groupOf, isClusterScoped } from "../synth/render/kinds";
import type { Selection } from "../synth/report";
import type { ExportResource } from "../synth/synthesize";

export { groupOf };

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [k: string]: any;
  };
  [k: string]: any;
}

/** One object and where it comes from. */
export interface Placed {
  obj: K8sObject;
  /** URN of the Pulumi resource that creates it (the Release, or the raw resource itself). */
  urn: string;
  /** Human label for messages: `release loki` or `resource mimir-config`. */
  source: string;
  /** Helm hooks run around the release (install/upgrade jobs); they are not long-running objects. */
  hook?: boolean;
}

/** Whether a Helm release renders the object (its `source` is `release <name>`), not the program itself. */
export const fromRelease = (p: Pick<Placed, "source">): boolean => p.source.startsWith("release ");

/**
 * The chart (`helm.sh/chart: <name>-<version>`, kube-prometheus-stack's own `chart:`) that rendered
 * an object, if it says: unlike `app.kubernetes.io/name`, no `nameOverride` changes it.
 */
export function chartOf(obj: K8sObject): string | undefined {
  const label = obj.metadata?.labels?.["helm.sh/chart"] ?? obj.metadata?.labels?.chart;
  return label?.replace(/-v?\d+\.\d+\.\d+.*$/, "");
}

/** A problem one check found; `where` names the object and its source. */
export interface Finding {
  check: string;
  where: string;
  message: string;
  /**
   * The mistake's key (contract/mistakes.ts causeKey) when the pack or another check reports the
   * same mistake elsewhere: the synthesis prints one message naming every place.
   */
  cause?: string;
  /**
   * Set on the finding that says the cause itself (the operator that reconciles nothing), of which
   * the others of its `cause` are consequences: it leads their one message (synth/report.ts
   * mergeProblems), whatever order the checks ran in.
   */
  leads?: boolean;
  /**
   * The Helm releases (URNs) whose pods the finding concerns when `where` is another resource (a
   * NetworkPolicy of the program): what follows from their values (synth/report.ts).
   */
  releases?: string[];
  /**
   * The fields of the workload the finding rests on (`image`, `volumes`), or the paths of the file
   * it judges (`receivers[2].name` of an Alertmanager config), when the check says so: a chartValues
   * override is its cause when it sets one of them (synth/report.ts overridesOn).
   */
  judged?: string[];
  /**
   * The containers (by name) whose fields `judged` are: a chartValues override of another container
   * of the chart's (Grafana's `sidecar.securityContext` of a finding on container grafana) is no
   * cause of it (synth/containerKeys.ts). A finding whose `where` is no workload (a NetworkPolicy
   * whose rule names a port of several pods) names each as `<workload>/<name>`.
   */
  containers?: string[];
  /**
   * Set when the verdict is that none of the objects a selector picks has what `judged` names (a
   * named port none of the pods a NetworkPolicy rule reaches declares), not that one object lacks
   * it: the selections (one per selector) it judged. Which objects the releases render decides it
   * too, so a chartValues switch that turned off a component those selectors pick
   * (`gateway.enabled: false`, the pods of release loki) is its cause though it sets no field
   * judged; one turning off a component they do not pick is not (synth/report.ts overridesOn).
   */
  noneOf?: Selection[];
  /**
   * Set when the verdict is on every pod a selector picks (a Service's named targetPort, which each
   * pod behind it must declare; a PodMonitor's port): the selections (one per selector) that put the
   * pods judged among them. A pod is judged because it carries the labels a selection requires, so a
   * chartValues key giving a pod such a label (loki's `lokiCanary.podLabels` with the memberlist
   * Service's `app.kubernetes.io/part-of: memberlist`) is a cause of it, though it sets no field
   * judged (synth/report.ts overridesOn).
   */
  selectedBy?: Selection[];
  /**
   * Set on a NetworkPolicy rule no address or scrape of the stack uses (checks/networkPolicies.ts):
   * the pods it lets receive (`serves`) and those it lets dial (`dials`), one selection per
   * selector. What the verdict rests on is who dials what where, so a chartValues override is a
   * possible cause only when it can change that: a switch whose component one side would pick (and,
   * for a receiving side covering a whole release, whose templates declare the rule's port), or a
   * key not of the fields that only size, place or harden pods (synth/report.ts ruleOverrides).
   * `reads`: the label keys the stack's selectors read, `unless` those read as `NotIn` or
   * `DoesNotExist`: a pod label of another key decides none of the connections judged, and one a
   * chart only adds to its pods' labels leaves a rule unused only by a key of `unless`.
   */
  connects?: { serves: Selection[]; dials: Selection[]; reads?: string[]; unless?: string[] };
  /**
   * Set when the verdict rests on what the stack's configs and values wire (which engines evaluate
   * a rule), not on any pod's own fields: a chartValues key that only sizes, places, pulls or
   * hardens pods (`alloy.resources.requests.memory`) is no cause of it, though nothing in the
   * message narrows the overrides (synth/report.ts podsOnly, the rule ruleOverrides applies too).
   */
  wiring?: boolean;
  /**
   * Set when the verdict is that these ServiceAccounts (`namespace/name`) hold no grant the finding
   * needs, and nothing else: a chartValues key that switches off the roles and bindings of the
   * chart rendering them (model/chartRbac.ts) is its one cause (synth/report.ts rbacSwitchedOff).
   */
  ungranted?: string[];
  /**
   * The calls those ServiceAccounts lack, when the finding lists them (alloy-rbac): the RBAC switch
   * is their one cause only when the roles it renders would grant every one of them.
   */
  lacking?: ApiCall[];
}

/**
 * What a selector picks: its namespace (undefined: any) and the labels it requires, undefined when
 * it has expressions too (what a component it does not render would carry is then not told). The
 * report's type (synth/report.ts), which reads it and which checks/ may import, not the other way.
 */
export type { Selection };

/** The {@link Selection} of `selector` (a LabelSelector, or a Service's `{k: v}`) in `namespace`. */
export function selectionOf(namespace: string | undefined, selector: any): Selection {
  const expressions = (selector?.matchExpressions ?? []).length > 0;
  const labels = selector?.matchLabels ?? (selector && !("matchExpressions" in selector) ? selector : {});
  return { namespace, ...(expressions ? {} : { labels: { ...labels } }) };
}

/** Minimal shape of a rendered release (synth/render/types.ts `ReleaseRender` satisfies it). */
export interface ReleaseObjects {
  resourceUrn: string;
  releaseName: string;
  namespace: string;
  objects: K8sObject[];
  error?: string;
}

/**
 * Whether the object has no namespace: the one table of cluster-scoped kinds rendering uses
 * (synth/render/kinds.ts), and the CRDs' `spec.scope`. Helm stamps `metadata.namespace` on some
 * cluster-scoped objects anyway (the VM operator's cleanup-hook ClusterRole); the API server
 * ignores it, and so does identity here.
 */
export function clusterScoped(obj: K8sObject, crds: K8sObject[] = []): boolean {
  return isClusterScoped(obj.apiVersion, obj.kind, crds);
}

/** `Kind namespace/name` (cluster-scoped: `Kind name`): what the API server keys an object by. */
export function identity(obj: K8sObject, crds: K8sObject[] = []): string {
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "";
  const kind = group ? `${obj.kind}.${group}` : obj.kind;
  return clusterScoped(obj, crds)
    ? `${kind} ${obj.metadata.name}`
    : `${kind} ${obj.metadata.namespace ?? "?"}/${obj.metadata.name}`;
}

export function describe(p: Placed): string {
  const ns = p.obj.metadata.namespace ? `${p.obj.metadata.namespace}/` : "";
  return `${p.obj.kind} ${ns}${p.obj.metadata.name} (${p.source})`;
}

const shortName = (urn: string) => urn.split("::").pop()!;

/** The Helm releases (URNs) that create the given objects, each once; raw resources have none. */
export function releaseUrns(places: Pick<Placed, "urn" | "source">[]): string[] {
  return [...new Set(places.filter(fromRelease).map((p) => p.urn))];
}

/**
 * The Helm release (URN) whose chart would name an object `name` in namespace `ns` (a Service a
 * config dials, a component a dashboard reads), when the stack renders none of that name: charts
 * name their objects after the release (`<release>` or `<release>-<component>`, Helm's fullname),
 * so it is the release of the longest such name that renders objects in `ns` (any namespace when
 * `ns` is not given). An operator names what it makes after its custom resource, the kind first
 * (`vmsingle-<name>`, `vmalertmanager-<name>`: victoria-metrics-operator's PrefixedName), and the
 * chart names that resource after the release: a name ending `-<release>` is that release's when
 * none starts with a release's name. Values that stop rendering a component
 * (`gateway.enabled: false`, a `fullnameOverride` that renames it) leave the release's other
 * objects. Undefined when no release's name fits.
 */
export function releaseNaming(objects: Placed[], name: string, ns?: string): string | undefined {
  let best: { urn: string; length: number; prefix: boolean } | undefined;
  for (const p of objects) {
    if (!fromRelease(p) || (ns !== undefined && p.obj.metadata.namespace !== ns)) continue;
    const release = p.source.slice("release ".length);
    const prefix = name === release || name.startsWith(`${release}-`);
    const fits = prefix || name.endsWith(`-${release}`);
    const better =
      !best || (prefix && !best.prefix) || (prefix === best.prefix && release.length > best.length);
    if (fits && better) best = { urn: p.urn, length: release.length, prefix };
  }
  return best?.urn ?? releaseByFullname(objects, name, ns);
}

/**
 * The release whose objects' names start as `name` does, when no release's own name fits: values
 * that give the chart another fullname (the program's `fullnameOverride: kps` on
 * kube-prometheus-stack) name every object of the release after it, so the missing
 * `kps-alertmanager` is that of the release rendering `kps-operator` and `kps-prometheus`. The
 * release sharing the most leading `-` segments with `name` (one at least, less than all of it);
 * undefined when two releases share as many.
 */
function releaseByFullname(objects: Placed[], name: string, ns?: string): string | undefined {
  const want = name.split("-");
  const shared = new Map<string, number>();
  for (const p of objects) {
    if (!fromRelease(p) || (ns !== undefined && p.obj.metadata.namespace !== ns)) continue;
    const have = String(p.obj.metadata.name ?? "").split("-");
    let n = 0;
    while (n < want.length - 1 && n < have.length - 1 && have[n] === want[n]) n++;
    if (n > 0) shared.set(p.urn, Math.max(shared.get(p.urn) ?? 0, n));
  }
  const most = Math.max(0, ...shared.values());
  const releases = [...shared].filter(([, n]) => n === most).map(([urn]) => urn);
  return most > 0 ? (releases.length === 1 ? releases[0] : undefined) : releaseRenaming(objects, want, ns);
}

/**
 * The release rendering `name` under another first segment, when no release's objects start as it
 * does: values renaming the release (a stack's `fullnameOverride: kx` over the program's `kps`)
 * name `kx-alertmanager` what the stack's configs and policies still call `kps-alertmanager`. The
 * one release rendering such a name; undefined when none or two do.
 */
function releaseRenaming(objects: Placed[], want: string[], ns?: string): string | undefined {
  if (want.length < 2) return undefined;
  const rest = want.slice(1).join("-");
  const urns = new Set<string>();
  for (const p of objects) {
    if (!fromRelease(p) || (ns !== undefined && p.obj.metadata.namespace !== ns)) continue;
    const have = String(p.obj.metadata.name ?? "").split("-");
    if (have.length === want.length && have[0] !== want[0] && have.slice(1).join("-") === rest)
      urns.add(p.urn);
  }
  return urns.size === 1 ? [...urns][0] : undefined;
}

/**
 * Raw Kubernetes resources of an export as objects: `kubernetes:<group>/<version>:<Kind>` custom
 * resources other than Helm releases, providers, and the v4 Chart/ConfigGroup components.
 */
export function rawObjectsOf(resources: ExportResource[]): Placed[] {
  const out: Placed[] = [];
  for (const r of resources) {
    if (!r.custom || !r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm.sh/")) continue;
    const inputs = r.inputs ?? {};
    if (typeof inputs.kind !== "string" || typeof inputs.apiVersion !== "string") continue;
    out.push({ obj: inputs as K8sObject, urn: r.urn, source: `resource ${shortName(r.urn)}` });
  }
  return out;
}

/** Every object of a rendered stack: releases' objects (namespace defaulted) and raw resources. */
export function stackObjects(releases: ReleaseObjects[], resources: ExportResource[]): Placed[] {
  const out: Placed[] = [];
  for (const rel of releases) {
    for (const o of rel.objects) {
      if (!o || typeof o !== "object" || !o.kind) continue;
      const obj: K8sObject = {
        ...o,
        metadata: { ...o.metadata, namespace: o.metadata?.namespace ?? rel.namespace },
      };
      const hook = !!o.metadata?.annotations?.["helm.sh/hook"];
      out.push({
        obj,
        urn: rel.resourceUrn,
        source: `release ${rel.releaseName}`,
        ...(hook ? { hook } : {}),
      });
    }
  }
  return [...out, ...rawObjectsOf(resources)];
}

/** CRD objects among the placed objects. */
export function crdsIn(objects: Placed[]): K8sObject[] {
  return objects.filter((p) => p.obj.kind === "CustomResourceDefinition").map((p) => p.obj);
}

/** Groups served by Kubernetes itself (kubernetes-models covers them). */
export function builtinGroup(group: string): boolean {
  return group === "" || !group.includes(".") || group.endsWith(".k8s.io");
}

/** The CRD that defines an object's kind, if the stack ships it. */
export function crdFor(obj: K8sObject, crds: K8sObject[]): K8sObject | undefined {
  const group = groupOf(obj.apiVersion);
  return crds.find((c) => c.spec?.group === group && c.spec?.names?.kind === obj.kind);
}

// ---- workloads and pods -------------------------------------------------------------------------

export interface PodTemplate {
  owner: Placed;
  labels: Record<string, string>;
  spec: Record<string, any>;
  /** Whether it runs on every eligible node (DaemonSet). */
  perNode: boolean;
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

/** The pod template of a built-in workload (CronJob and bare Pod included), if it is one. */
function podTemplateOf(o: K8sObject): { metadata?: any; spec?: any } | undefined {
  if (WORKLOAD_KINDS.has(o.kind)) return o.spec?.template;
  if (o.kind === "CronJob") return o.spec?.jobTemplate?.spec?.template;
  if (o.kind === "Pod") return { metadata: o.metadata, spec: o.spec };
  return undefined;
}

/** The pod spec of a built-in workload, if the object is one. */
export function podSpecOf(o: K8sObject): Record<string, any> | undefined {
  return podTemplateOf(o)?.spec;
}

/** Pod templates of built-in workloads (CronJob and bare Pods included). */
export function podTemplates(objects: Placed[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const p of objects) {
    const tpl = podTemplateOf(p.obj);
    if (!tpl?.spec) continue;
    out.push({
      owner: p,
      labels: tpl.metadata?.labels ?? {},
      spec: tpl.spec,
      perNode: p.obj.kind === "DaemonSet",
    });
  }
  return out;
}

export function containersOf(spec: Record<string, any>): any[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

// The label selector's rule lives in the contract, which the pack judges pod anti-affinity with too.
export { expressionsHold, selects } from "@homelab-observability/contract";

// ---- what operators create at run time ----------------------------------------------------------

/**
 * Objects the Prometheus and VictoriaMetrics operators create from custom resources: the Services
 * and pods an address can point at although no chart renders them. Only names, labels and ports,
 * the part the address and network checks need:
 * - prometheus-operator: ports, port names and governing Services from the custom resource's own
 *   fields and the operator's contract (upstream/operators/prometheusOperator.ts): the server's
 *   port is named after `spec.portName` (kube-prometheus-stack sets `http-web`; the CRD's default
 *   is `web`), the config-reloader's `reloader-web`, Alertmanager's mesh ports; the operator's pod
 *   labels over `spec.podMetadata.labels`, the governing Services' selectors.
 * - VictoriaMetrics operator: names, labels, ports and port names from the CR's own fields and the
 *   operator's contract (upstream/operators/victoriaMetrics.ts): `<kind>-N` workloads and Services,
 *   the operator's selector labels (`podMetadata.labels` under them), `spec.port` (else the
 *   operator's default) on a container port named `http`, VMAlertmanager's named `spec.portName`
 *   (default `web`) behind a Service port `http`.
 */
export function operatorObjects(objects: Placed[]): Placed[] {
  const out: Placed[] = [];
  // Governing Services are headless; operators label them like the pods they select (monitors select by these).
  const svc = (p: Placed, name: string, selector: Record<string, string>, ports: Record<string, unknown>[]) =>
    out.push({
      urn: p.urn,
      source: `${p.source}, by its operator`,
      obj: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace: p.obj.metadata.namespace, labels: selector },
        spec: { selector, clusterIP: "None", ports },
      },
    });
  const pod = (
    p: Placed,
    kind: string,
    name: string,
    labels: Record<string, string>,
    containers: unknown[],
  ) =>
    out.push({
      urn: p.urn,
      source: `${p.source}, by its operator`,
      obj: {
        apiVersion: "apps/v1",
        kind,
        metadata: { name, namespace: p.obj.metadata.namespace },
        spec: { template: { metadata: { labels }, spec: { ...hostNetworkOf(p.obj.spec), containers } } },
      },
    });
  for (const p of objects) {
    const { apiVersion, metadata } = p.obj;
    const n = metadata.name;
    const kind = operatorServerOf(p.obj);
    if (kind) {
      const contract = SERVERS[kind];
      const app = contract.prefix;
      const port = contract.port;
      const portName = serverPortName(kind, p.obj.spec);
      const mesh = kind === "Alertmanager" ? ALERTMANAGER_MESH : [];
      const labels = serverPodLabels(kind, n, p.obj.spec?.podMetadata);
      pod(p, "StatefulSet", `${app}-${n}`, labels, [
        {
          name: "main",
          ports: [
            { name: portName, containerPort: port },
            ...mesh.map((m) => ({ name: m.containerName, containerPort: m.port, protocol: m.protocol })),
          ],
        },
        { name: "config-reloader", ports: [{ name: RELOADER_PORT.name, containerPort: RELOADER_PORT.port }] },
      ]);
      svc(p, contract.governingService, governingSelector(kind), [
        { name: portName, port, targetPort: portName },
        ...mesh.map((m) => ({
          name: m.serviceName,
          port: m.port,
          targetPort: m.containerName,
          protocol: m.protocol,
        })),
      ]);
    }
    if (apiVersion.startsWith("operator.victoriametrics.com/")) out.push(...vmOperatorObjects(p));
  }
  return out;
}

/** The prometheus-operator server kind a CR is (SERVERS, by its kind and apiVersion), if it is one. */
export function operatorServerOf(obj: K8sObject): OperatorServer | undefined {
  const kind = obj.kind as OperatorServer;
  return Object.hasOwn(SERVERS, kind) && obj.apiVersion === SERVERS[kind].apiVersion ? kind : undefined;
}

/**
 * The workload an operator makes of a CR: `<prefix>-<name>` for prometheus-operator's servers
 * (SERVERS: `prom-agent-<name>` for a PrometheusAgent), `<kind>-<name>` for the VictoriaMetrics
 * operator's single-workload kinds (operatorObjects).
 */
export function operatorPodName(cr: K8sObject): string {
  const server = operatorServerOf(cr);
  return `${server ? SERVERS[server].prefix : cr.kind.toLowerCase()}-${cr.metadata.name}`;
}

/**
 * The pod's host network, which the operators set from their CR's `spec.hostNetwork`: a field of
 * the Prometheus and Alertmanager CRDs in the pinned charts ("hostNetwork defines the host's network
 * namespace if true"; prometheus-operator copies it into the StatefulSet's pod template, with the
 * DNS policy ClusterFirstWithHostNet), and of the VictoriaMetrics operator's common deployment
 * parameters every workload CR embeds (CommonApplicationDeploymentParams.HostNetwork, which
 * factory/build DeploymentAddCommonParams and its StatefulSet twin copy into the pod template; the
 * pinned chart's CRDs carry no schema for it, `x-kubernetes-preserve-unknown-fields`). The pod no
 * chart renders is judged by its namespace's Pod Security level and its NetworkPolicies as it will run.
 */
function hostNetworkOf(cr: Record<string, any> | undefined): { hostNetwork?: true } {
  return cr?.hostNetwork === true ? { hostNetwork: true } : {};
}

/** A workload of the given pod labels and containers' ports, and its Service, made by an operator. */
function madeWorkload(
  p: Placed,
  workload: string,
  name: string,
  selector: Record<string, string>,
  podLabels: Record<string, string>,
  ports: { name: string; containerPort: number; protocol?: string }[],
  servicePorts: { name: string; port: number; targetPort: number | string }[],
  headless: boolean,
  cr: Record<string, any> | undefined,
): Placed[] {
  const where = { urn: p.urn, source: `${p.source}, by its operator` };
  const namespace = p.obj.metadata.namespace;
  return [
    {
      ...where,
      obj: {
        apiVersion: "apps/v1",
        kind: workload,
        metadata: { name, namespace },
        spec: {
          selector: { matchLabels: selector },
          template: {
            metadata: { labels: podLabels },
            spec: { ...hostNetworkOf(cr), containers: [{ name: "main", ports }] },
          },
        },
      },
    },
    {
      ...where,
      obj: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name, namespace, labels: selector },
        spec: { selector, ...(headless ? { clusterIP: "None" } : {}), ports: servicePorts },
      },
    },
    // The operator scrapes each component it runs through a VMServiceScrape of its own on the
    // Service's `http` port (VictoriaMetrics/operator docs: self-scrape objects unless disabled).
    {
      ...where,
      obj: {
        apiVersion: "operator.victoriametrics.com/v1beta1",
        kind: "VMServiceScrape",
        metadata: { name, namespace },
        spec: { selector: { matchLabels: selector }, endpoints: [{ port: VM_SERVICE_PORT_NAME }] },
      },
    },
  ];
}

/** What the VictoriaMetrics operator makes of one of its CRs (upstream/operators/victoriaMetrics.ts). */
function vmOperatorObjects(p: Placed): Placed[] {
  const { kind, metadata } = p.obj;
  const spec: Record<string, any> = p.obj.spec ?? {};
  const n = metadata.name;
  if (kind === "VMCluster") {
    // One CR, three components, each `vm<component>-N` behind a Service of its name; vminsert and
    // vmselect reach every vmstorage pod on its `vminsert` and `vmselect` ports.
    return (Object.keys(VM_CLUSTER) as VmClusterComponent[]).flatMap((app) => {
      const c = VM_CLUSTER[app];
      const part: Record<string, any> | undefined = spec[app];
      if (!part) return [];
      const ports = c.ports.map((x) => ({
        name: x.name,
        containerPort: vmPort(part, x.field, x.defaultPort),
      }));
      return madeWorkload(
        p,
        c.workload,
        `${app}-${n}`,
        vmSelectorLabels(app, n),
        vmPodLabels(app, n, part.podMetadata),
        ports,
        ports.map((x) => ({ name: x.name, port: x.containerPort, targetPort: x.containerPort })),
        c.headless,
        part,
      );
    });
  }
  if (!(kind in VM_KINDS)) return [];
  const k = kind as VmKind;
  const c = VM_KINDS[k];
  const app = kind.toLowerCase();
  const port = vmPort(spec, "port", c.defaultPort);
  const portName = vmPortName(k, spec);
  const ports = [
    { name: portName, containerPort: port },
    ...c.extraPorts.map((x) => ({
      name: x.name,
      containerPort: x.port,
      ...(x.protocol ? { protocol: x.protocol } : {}),
    })),
  ];
  // The Service's port is `http`; its targetPort is the container port's name for VMAlertmanager
  // (the operator passes portName as the Service's port string), the number otherwise.
  const targetPort = c.portNameField ? portName : port;
  return madeWorkload(
    p,
    c.workload,
    `${app}-${n}`,
    vmSelectorLabels(app, n),
    vmPodLabels(app, n, spec.podMetadata),
    ports,
    [{ name: VM_SERVICE_PORT_NAME, port, targetPort }],
    c.headless,
    spec,
  );
}

/** Config files an object carries: a ConfigMap's data, a Secret's stringData and (decoded) data. */
export function filesOf(obj: K8sObject): [string, string][] {
  if (obj.kind === "ConfigMap") return Object.entries(obj.data ?? {}).map(([k, v]) => [k, String(v)]);
  if (obj.kind !== "Secret") return [];
  const decoded = Object.entries(obj.data ?? {}).map(([k, v]): [string, string] => [
    k,
    Buffer.from(String(v), "base64").toString("utf8"),
  ]);
  return [
    ...Object.entries(obj.stringData ?? {}).map(([k, v]): [string, string] => [k, String(v)]),
    ...decoded,
  ];
}
