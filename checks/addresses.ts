/**
 * Every in-cluster address (`<service>.<namespace>.svc[.cluster.local]`, with or without scheme and
 * port, pod DNS names of headless Services included) in any generated config must resolve to a
 * Service of the rendered stack, on a port that Service exposes, and that Service must select pods
 * with a container port behind it. Addresses in namespaces the stack does not deploy to (the
 * cluster's DNS, an external MinIO) are reported as external, not judged.
 */
import { causeKey, type ImageMirrors } from "@homelab-observability/contract";
import { mirrorsOf } from "./imageDigests";
import {
  containersOf,
  describe,
  filesOf,
  podTemplates,
  releaseNaming,
  releaseUrns,
  selects,
  type Finding,
  type K8sObject,
  type Placed,
  type PodTemplate,
} from "./objects";
import { dialersOf, readersOf } from "./readers";

export interface Address {
  /** The text as found, e.g. `http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push`. */
  text: string;
  service: string;
  namespace: string;
  /** Explicit port (a number, or a Service port's name), else the scheme's default, else undefined. */
  port?: number | string;
  /** The ConfigMap's or Secret's key (its file) the text is in; absent for text outside its files. */
  file?: string;
  found: Placed;
}

export interface AddressReport {
  resolved: Address[];
  external: Address[];
  findings: Finding[];
}

// scheme? then labels (the last two before .svc are service and namespace), then optional port.
const ADDRESS =
  /(?:([a-z][a-z0-9+.-]*):\/\/)?((?:[a-z0-9_-]+\.)*?)([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.([a-z0-9]([a-z0-9-]*[a-z0-9])?)\.svc(?:\.cluster\.local)?\.?(?::(\d+))?/g;

/**
 * Strings of an object that carry configuration (CRDs' schemas are documentation, not config). A
 * Secret's `data` is base64 and is read decoded: a chart may keep its config there (the loki
 * chart's `loki.configStorageType: Secret`, templates/config.yaml:13-15 at loki-18.11.0, `b64enc`).
 */
function configStrings(obj: K8sObject): { text: string; file?: string }[] {
  if (obj.kind === "CustomResourceDefinition") return [];
  const out: { text: string; file?: string }[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "string") out.push({ text: v });
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object")
      for (const [k, x] of Object.entries(v)) if (k !== "metadata") walk(x);
  };
  // A ConfigMap's and a Secret's files are told apart: a pod may dial one and not another
  // (checks/readers.ts).
  if (obj.kind !== "Secret" && obj.kind !== "ConfigMap") walk(obj);
  else {
    walk({ ...obj, data: undefined, stringData: undefined });
    out.push(...filesOf(obj).map(([file, text]) => ({ text, file })));
  }
  return out;
}

/** Addresses mentioned in one object: in any string, and as structured Service references. */
export function addressesIn(p: Placed): Omit<Address, "found">[] {
  const out: Omit<Address, "found">[] = [];
  // A Prometheus names its Alertmanagers as Service name/namespace/port (prometheus-operator
  // Documentation/api.md, AlertmanagerEndpoints).
  if (p.obj.apiVersion.startsWith("monitoring.coreos.com/") && p.obj.kind === "Prometheus") {
    for (const am of p.obj.spec?.alerting?.alertmanagers ?? []) {
      const namespace = am.namespace ?? p.obj.metadata.namespace;
      out.push({
        text: `alerting.alertmanagers ${namespace}/${am.name}:${am.port}`,
        service: am.name,
        namespace,
        port: am.port,
      });
    }
  }
  for (const { text, file } of configStrings(p.obj))
    out.push(...addressesInText(text).map((a) => (file === undefined ? a : { ...a, file })));
  return out;
}

/** Addresses mentioned in one string (a URL, a config file's text). */
export function addressesInText(s: string): Omit<Address, "found">[] {
  // Every match holds ".svc": a string without it (most of them, the dashboards' megabytes among
  // them) is never handed to the pattern, whose label groups try every position of the string.
  if (!s.includes(".svc")) return [];
  const out: Omit<Address, "found">[] = [];
  for (const m of s.matchAll(ADDRESS)) {
    const scheme = m[1];
    const port = m[7] ? Number(m[7]) : scheme === "http" ? 80 : scheme === "https" ? 443 : undefined;
    out.push({ text: m[0], service: m[3], namespace: m[5], ...(port !== undefined ? { port } : {}) });
  }
  return out;
}

/** Services every cluster has, which no chart of the stack renders. */
export const CLUSTER_SERVICES = ["kube-dns.kube-system"];

/**
 * Check every address of the stack against its Services and pods (`generated`: what operators
 * create). `outside`: `service.namespace` of Services that exist outside the stack.
 */
export function checkAddresses(
  objects: Placed[],
  generated: Placed[] = [],
  outside: string[] = CLUSTER_SERVICES,
): AddressReport {
  const all = [...objects, ...generated];
  const namespaces = new Set(objects.map((p) => p.obj.metadata.namespace).filter(Boolean));
  const services = all.filter((p) => p.obj.kind === "Service");
  const pods = podTemplates(all);
  const report: AddressReport = { resolved: [], external: [], findings: [] };
  const seen = new Set<string>();
  const mirrors = mirrorsOf(objects);
  for (const p of objects) {
    const notDialled = notDialledFiles(p, pods, all, mirrors);
    for (const a of addressesIn(p)) {
      if (a.file !== undefined && notDialled(a.file)) continue;
      const key = `${describe(p)} ${a.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const addr: Address = { ...a, found: p };
      if (!namespaces.has(a.namespace) || outside.includes(`${a.service}.${a.namespace}`)) {
        report.external.push(addr);
        continue;
      }
      const svc = services.find(
        (s) => s.obj.metadata.name === a.service && s.obj.metadata.namespace === a.namespace,
      );
      // What is wrong is the Service (absent, without the port, without pods): every client that
      // dials it reports the one mistake, said once with every place (synth/report.ts mergeProblems).
      const fail = (message: string, mistake: string) =>
        report.findings.push({
          check: "address",
          where: describe(p),
          message: `${a.text}: ${message}`,
          // The port counts only where the mistake is about a port.
          cause: causeKey(
            `address-${mistake}`,
            `${a.namespace}/${a.service}${mistake.includes("port") ? `:${a.port ?? ""}` : ""}`,
          ),
          ...dialed(p, svc, a, all),
          // What configs dial and which Services and ports render, with the labels they select:
          // no pod's size, place, image or hardening (a memory limit is no cause of it).
          wiring: true,
        });
      if (!svc) {
        fail(`no Service ${a.namespace}/${a.service} in the rendered stack`, "no-service");
        continue;
      }
      const ports: any[] = svc.obj.spec?.ports ?? [];
      const sp = a.port === undefined ? undefined : ports.find((x) => x.port === a.port || x.name === a.port);
      if (a.port !== undefined && !sp) {
        fail(
          `Service ${a.namespace}/${a.service} has no port ${a.port} (it exposes ${ports.map((x) => x.port).join(", ") || "none"})`,
          "no-port",
        );
        continue;
      }
      const backing = pods.filter(
        (t) => t.owner.obj.metadata.namespace === a.namespace && selects(svc.obj.spec?.selector, t.labels),
      );
      if (backing.length === 0) {
        fail(`Service ${a.namespace}/${a.service} selects no pod of the rendered stack`, "no-pod");
        continue;
      }
      const targets = sp ? [sp.targetPort ?? sp.port] : ports.map((x) => x.targetPort ?? x.port);
      const served = backing.some((t) =>
        containersOf(t.spec).some((c: any) =>
          (c.ports ?? []).some((cp: any) => targets.some((tp) => cp.containerPort === tp || cp.name === tp)),
        ),
      );
      if (!served) {
        fail(
          `Service ${a.namespace}/${a.service} sends port ${a.port ?? "(any)"} to ${targets.join(", ")}, which no selected pod (${backing.map((t) => describe(t.owner)).join(", ")}) exposes`,
          "port-unserved",
        );
        continue;
      }
      report.resolved.push(addr);
    }
  }
  return report;
}

/**
 * Whether file `file` of `p` is read only by pods that do not dial its addresses (checks/readers.ts:
 * an Alertmanager's notification template, a key no pod is given): a link in a notification is no
 * address any pod connects to. A file nobody is known to read is judged, as any config.
 */
function notDialledFiles(
  p: Placed,
  pods: PodTemplate[],
  all: Placed[],
  mirrors: ImageMirrors,
): (file: string) => boolean {
  if (p.obj.kind !== "ConfigMap" && p.obj.kind !== "Secret") return () => false;
  let readers: PodTemplate[] | undefined;
  return (file) =>
    (readers ??= readersOf(p, pods, all)).length > 0 && dialersOf(p, file, pods, all, mirrors).length === 0;
}

/**
 * The releases (URNs) an address's finding concerns: the client's, whose config dials it, and the
 * one whose Service it dials (the Service's release, or for a Service the stack does not render,
 * the release its name says would: `loki-gateway` is release loki's, whose values may have left it
 * out). A finding placed on Grafana's ConfigMap can so follow from Loki's values (synth/report.ts).
 */
function dialed(
  client: Placed,
  svc: Placed | undefined,
  a: Omit<Address, "found">,
  all: Placed[],
): { releases?: string[] } {
  const server = svc ? releaseUrns([svc]) : [releaseNaming(all, a.service, a.namespace) ?? []].flat();
  const releases = [...new Set([...releaseUrns([client]), ...server])];
  return releases.length > 0 ? { releases } : {};
}
