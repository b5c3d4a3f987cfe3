/**
 * On an empty cluster Pulumi creates resources in parallel, constrained only by dependencies. So a
 * resource that creates a custom resource must wait (dependsOn, transitively) for the release that
 * installs its CRD, or the API server answers "no matches for kind"; and every Secret a pod or an
 * operator-managed custom resource reads must exist, created by the same release or by a resource
 * it waits for, or the pod sticks in ContainerCreating and Helm's wait times out.
 */
import type { ExportResource } from "../synth/synthesize";
import {
  builtinGroup,
  clusterScoped,
  containersOf,
  crdFor,
  crdsIn,
  describe,
  groupOf,
  podTemplates,
  type Finding,
  type Placed,
} from "./objects";

/**
 * Whether `from` waits for `to`: its dependencies, transitively; a dependency on a component
 * waits for all of the component's descendants (the Node SDK expands a component in dependsOn to
 * its children: @pulumi/pulumi runtime/dependsOn.js, getAllTransitivelyReferencedResourceURNs).
 */
export function dependsOnTransitively(resources: ExportResource[], from: string, to: string): boolean {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, string[]>();
  for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
  const expand = (urn: string): string[] => {
    const r = byUrn.get(urn);
    if (!r || r.custom) return [urn];
    return [urn, ...(children.get(urn) ?? []).flatMap(expand)];
  };
  const seen = new Set<string>();
  const stack = [...(byUrn.get(from)?.dependencies ?? [])];
  while (stack.length) {
    const u = stack.pop()!;
    for (const v of expand(u)) {
      if (seen.has(v)) continue;
      seen.add(v);
      if (v === to) return true;
      stack.push(...(byUrn.get(v)?.dependencies ?? []));
    }
  }
  return false;
}

interface SecretRead {
  reader: Placed;
  namespace: string;
  name: string;
  how: string;
}

/** Secrets a pod template or an operator-managed custom resource needs before it can start. */
export function secretReads(objects: Placed[]): SecretRead[] {
  const out: SecretRead[] = [];
  for (const t of podTemplates(objects)) {
    const ns = t.owner.obj.metadata.namespace!;
    const add = (name: string | undefined, optional: boolean | undefined, how: string) => {
      if (name && !optional) out.push({ reader: t.owner, namespace: ns, name, how });
    };
    for (const v of t.spec.volumes ?? []) {
      add(v.secret?.secretName, v.secret?.optional, `volume ${v.name}`);
      for (const s of v.projected?.sources ?? []) add(s.secret?.name, s.secret?.optional, `volume ${v.name}`);
    }
    for (const c of containersOf(t.spec)) {
      for (const e of c.envFrom ?? []) add(e.secretRef?.name, e.secretRef?.optional, `envFrom of ${c.name}`);
      for (const e of c.env ?? [])
        add(
          e.valueFrom?.secretKeyRef?.name,
          e.valueFrom?.secretKeyRef?.optional,
          `env ${e.name} of ${c.name}`,
        );
    }
  }
  // prometheus-operator Alertmanager/Prometheus `spec.secrets` and VMAlertmanager `spec.secrets`
  // become volumes of the pods the operator creates.
  for (const p of objects) {
    const g = groupOf(p.obj.apiVersion);
    if (g !== "monitoring.coreos.com" && g !== "operator.victoriametrics.com") continue;
    for (const name of p.obj.spec?.secrets ?? [])
      out.push({ reader: p, namespace: p.obj.metadata.namespace!, name, how: "spec.secrets" });
  }
  return out;
}

export function checkOrdering(objects: Placed[], resources: ExportResource[]): Finding[] {
  const findings: Finding[] = [];
  const crds = crdsIn(objects);
  const live = objects.filter((p) => !p.hook);
  for (const p of live) {
    const group = groupOf(p.obj.apiVersion);
    if (builtinGroup(group)) continue;
    const crd = crdFor(p.obj, crds);
    const provider = crd && objects.find((o) => o.obj === crd);
    if (!provider) {
      findings.push({
        check: "ordering",
        where: describe(p),
        message: `no release of the stack installs the CRD of ${p.obj.kind}.${group}`,
      });
      continue;
    }
    if (provider.urn === p.urn) continue; // Helm installs a chart's crds/ before its templates
    if (!dependsOnTransitively(resources, p.urn, provider.urn))
      findings.push({
        check: "ordering",
        where: describe(p),
        message: `creates ${p.obj.kind}.${group} but does not wait for ${provider.source}, which installs its CRD (add dependsOn)`,
      });
  }
  // Objects in a namespace the stack itself creates wait for it ("namespaces not found" otherwise).
  const namespaces = live.filter((p) => p.obj.kind === "Namespace");
  const waited = new Set<string>();
  for (const p of live) {
    const ns = namespaces.find((n) => n.obj.metadata.name === p.obj.metadata.namespace);
    if (!ns || ns.urn === p.urn || p.obj.kind === "Namespace" || waited.has(p.urn)) continue;
    if (clusterScoped(p.obj, crds)) continue;
    waited.add(p.urn);
    if (!dependsOnTransitively(resources, p.urn, ns.urn))
      findings.push({
        check: "ordering",
        where: describe(p),
        message: `creates objects in namespace ${ns.obj.metadata.name} but does not wait for ${ns.source}, which creates it (add dependsOn)`,
      });
  }
  const secrets = live.filter((p) => p.obj.kind === "Secret");
  for (const r of secretReads(live)) {
    const s = secrets.find((x) => x.obj.metadata.name === r.name && x.obj.metadata.namespace === r.namespace);
    if (!s) {
      findings.push({
        check: "ordering",
        where: describe(r.reader),
        message: `${r.how} reads Secret ${r.namespace}/${r.name}, which nothing in the stack creates`,
      });
      continue;
    }
    if (s.urn === r.reader.urn) continue; // Helm applies Secrets before workloads of the same release
    if (!dependsOnTransitively(resources, r.reader.urn, s.urn))
      findings.push({
        check: "ordering",
        where: describe(r.reader),
        message: `${r.how} reads Secret ${r.namespace}/${r.name} (${s.source}) but does not wait for it (add dependsOn)`,
      });
  }
  return findings;
}
