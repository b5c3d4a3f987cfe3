/**
 * Pod Security levels against the pods that run under them: a pod its namespace's `enforce` level
 * refuses (it would never start), a pod that passes `baseline` but runs in a namespace enforcing
 * `privileged` (the namespace admits more than its pods need), and a level without a pinned
 * version (`latest` tightens under running pods at the next cluster upgrade).
 *
 * The baseline rules are the Pod Security Standards' (https://kubernetes.io/docs/concepts/security/
 * pod-security-standards/, "Baseline"), as the admission controller implements them in
 * k8s.io/pod-security-admission policy/check_*.go (hostNamespaces, privileged, capabilities_baseline,
 * hostPathVolumes, hostPorts, appArmorProfile, seLinuxOptions, procMount, seccompProfile_baseline,
 * sysctls, windowsHostProcess); read, not run here.
 */
import { isParked } from "../builders/security/podSecurity";
import {
  asksForHost,
  causeKey,
  MISTAKES,
  podSecurityDeferred,
  podSecurityLabel,
  privilegedNamespaceCause,
  refusedAgentsCause,
} from "@homelab-observability/contract";
import {
  containersOf,
  describe,
  fromRelease,
  podTemplates,
  type Finding,
  type PodTemplate,
  type Placed,
} from "./objects";

/**
 * The mistake of a workload whose pods run in the host's network (contract/mistakes.ts): the Pod
 * Security level that refuses it and the NetworkPolicy rules it leaves unused or refused
 * (./networkPolicies) are one message. Keyed by the workload, which the setting is on.
 */
export function hostNetworkCause(t: PodTemplate): string {
  const o = t.owner.obj;
  return causeKey(MISTAKES.hostNetwork, `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
}

/**
 * The mistake a refused pod is: its host network's (the NetworkPolicy rules it leaves unused are
 * the same one), else, for a pod asking for the host, its namespace refusing node agents, which the
 * pack reports from the releases' values (policy/security.ts pod-security-levels): one message.
 */
function refusalCause(t: PodTemplate, namespace: string): { cause?: string } {
  if (t.spec.hostNetwork === true) return { cause: hostNetworkCause(t) };
  return asksForHost(t.spec) ? { cause: refusedAgentsCause(namespace) } : {};
}

/** Capabilities baseline allows a container to add (check_capabilities_baseline.go). */
const BASELINE_CAPABILITIES = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
/** Sysctls baseline allows up to policy v1.31 (check_sysctls.go). */
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const SELINUX_TYPES = new Set([
  "",
  "container_t",
  "container_init_t",
  "container_kvm_t",
  "container_engine_t",
]);

/**
 * Why a pod spec fails the baseline level (empty: it passes): each reason, and the fields of the
 * pod it rests on (`hostNetwork`, `securityContext.privileged`), so that an override is its cause
 * when it sets one of them (synth/report.ts overridesOn), and the container whose fields they are
 * (undefined: the pod's).
 */
export function baselineViolations(
  spec: Record<string, any>,
  annotations: Record<string, string> = {},
): { problem: string; judged: string[]; container?: string }[] {
  const out: { problem: string; judged: string[]; container?: string }[] = [];
  let of: string | undefined;
  const add = (problem: string, ...judged: string[]) =>
    out.push({ problem, judged, ...(of === undefined ? {} : { container: of }) });
  const containers = [...containersOf(spec), ...(spec.ephemeralContainers ?? [])];
  const psc = spec.securityContext ?? {};
  const scs: [Record<string, any>, string | undefined][] = [
    [psc, undefined],
    ...containers.map((c): [Record<string, any>, string | undefined] => [c.securityContext ?? {}, c.name]),
  ];
  for (const k of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[k] === true) add(`${k}: true`, k);
  if (scs.some(([sc]) => sc.windowsOptions?.hostProcess === true))
    add("windowsOptions.hostProcess", "securityContext.windowsOptions");
  for (const c of containers) {
    of = c.name;
    const sc = c.securityContext ?? {};
    if (sc.privileged === true) add(`container ${c.name}: privileged`, "securityContext.privileged");
    const added = (sc.capabilities?.add ?? []).filter((x: string) => !BASELINE_CAPABILITIES.has(x));
    if (added.length)
      add(`container ${c.name}: adds capabilities ${added.join(", ")}`, "securityContext.capabilities");
    const hostPorts = (c.ports ?? []).map((p: any) => p.hostPort).filter((p: unknown) => p);
    if (hostPorts.length) add(`container ${c.name}: hostPort ${hostPorts.join(", ")}`, "ports", "hostPort");
    if (sc.procMount && sc.procMount !== "Default")
      add(`container ${c.name}: procMount ${sc.procMount}`, "securityContext.procMount");
  }
  of = undefined;
  const hostPaths = (spec.volumes ?? []).filter((v: any) => v.hostPath).map((v: any) => v.hostPath.path);
  if (hostPaths.length) add(`hostPath volumes ${hostPaths.join(", ")}`, "volumes");
  for (const [sc, name] of scs) {
    of = name;
    // Said of its container, as the fields above are: two containers' profiles are two things.
    const whose = name === undefined ? "" : `container ${name}: `;
    if (sc.seccompProfile?.type === "Unconfined")
      add(`${whose}seccompProfile Unconfined`, "securityContext.seccompProfile");
    const aa = sc.appArmorProfile?.type;
    if (aa && aa !== "RuntimeDefault" && aa !== "Localhost")
      add(`${whose}appArmorProfile ${aa}`, "securityContext.appArmorProfile");
    const se = sc.seLinuxOptions;
    if (se && (!SELINUX_TYPES.has(se.type ?? "") || se.user || se.role))
      add(`${whose}seLinuxOptions beyond the allowed types`, "securityContext.seLinuxOptions");
  }
  of = undefined;
  for (const [k, v] of Object.entries(annotations))
    if (
      k.startsWith("container.apparmor.security.beta.kubernetes.io/") &&
      v !== "runtime/default" &&
      !v.startsWith("localhost/")
    )
      add(`AppArmor annotation ${v}`, "annotations");
  const sysctls = (psc.sysctls ?? []).map((s: any) => s.name).filter((n: string) => !SAFE_SYSCTLS.has(n));
  if (sysctls.length) add(`sysctls ${sysctls.join(", ")}`, "securityContext.sysctls");
  return out;
}

/**
 * The containers whose fields `violations` are, a pod's own field (no container) every container's
 * of the pod (init and ephemeral ones too); none said for a pod that names none.
 */
function violatedContainers(
  violations: { container?: string }[],
  spec: Record<string, any>,
): { containers?: string[] } {
  const every = [...containersOf(spec), ...(spec.ephemeralContainers ?? [])].map((c) => String(c.name));
  const names = [...new Set(violations.flatMap((x) => (x.container !== undefined ? [x.container] : every)))];
  return names.length > 0 ? { containers: names } : {};
}

/**
 * The Pod Security checks over the namespaces the stack creates (Namespace objects) and their pods,
 * those the operators make of their CRs (`generated`, objects.ts operatorObjects) too: a Prometheus
 * whose CR asks for the host network is refused by its namespace as a chart's pod is.
 */
export function checkPodSecurity(
  objects: Placed[],
  generated: Placed[] = [],
): { findings: Finding[]; pods: number } {
  const findings: Finding[] = [];
  let pods = 0;
  const namespaces = objects.filter((p) => p.obj.kind === "Namespace");
  for (const ns of namespaces) {
    const labels = ns.obj.metadata.labels ?? {};
    const enforce = labels[podSecurityLabel("enforce")];
    const where = describe(ns);
    if (!enforce) {
      findings.push({
        check: "pod-security",
        where,
        message: `enforces no Pod Security level (label ${podSecurityLabel("enforce")})`,
      });
      continue;
    }
    for (const mode of ["enforce", "warn", "audit"] as const) {
      if (!labels[podSecurityLabel(mode)]) continue;
      const version = labels[podSecurityLabel(mode, true)];
      if (!version || version === "latest")
        findings.push({
          check: "pod-security",
          where,
          message: `${mode} level's version is ${version ?? "unset (latest)"}: pin it (v1.x) so a cluster upgrade does not tighten it under running pods`,
        });
    }
    let needsPrivileged = 0;
    const passing: string[] = [];
    for (const t of podTemplates([...objects, ...generated])) {
      if (t.owner.obj.metadata.namespace !== ns.obj.metadata.name) continue;
      if (isParked(t.spec)) continue;
      pods++;
      const v = baselineViolations(t.spec, t.owner.obj.spec?.template?.metadata?.annotations ?? {});
      if (v.length > 0) {
        needsPrivileged++;
        if (enforce !== "privileged")
          findings.push({
            check: "pod-security",
            where: describe(t.owner),
            message: `namespace ${ns.obj.metadata.name} enforces ${enforce}, which refuses this pod: ${v.map((x) => x.problem).join("; ")}`,
            ...refusalCause(t, ns.obj.metadata.name),
            // The namespace's level is the program's; the pod's fields are what an override sets.
            judged: [...new Set(v.flatMap((x) => x.judged))],
            // The containers whose fields those are, a pod's own field every container's of it:
            // another container's override of the chart is no cause, nor another pod's (Loki's
            // backend.podSecurityContext for the write pod's seccompProfile).
            ...violatedContainers(v, t.spec),
          });
      } else passing.push(describe(t.owner));
    }
    // The pack sees the same namespace in the releases (policy/security.ts pod-security-levels):
    // one mistake, one message naming both places.
    // A takeover's import step adopting a running node agent where it runs (POD_SECURITY_DEFERRED):
    // privileged for that step, while a pod there needs it, on the program's own namespace alone.
    const deferred = podSecurityDeferred({
      annotations: ns.obj.metadata.annotations,
      renderedByChart: fromRelease(ns),
      nodeAgents: needsPrivileged,
    });
    if (enforce === "privileged" && passing.length > 0 && !deferred)
      findings.push({
        check: "pod-security",
        where,
        message: `enforces privileged, but ${passing.join(", ")} pass${passing.length === 1 ? "es" : ""} baseline: run ${passing.length === 1 ? "it" : "them"} in a namespace enforcing baseline`,
        cause: privilegedNamespaceCause(ns.obj.metadata.name),
      });
    if (enforce === "privileged" && needsPrivileged === 0 && passing.length === 0)
      findings.push({
        check: "pod-security",
        where,
        message: "enforces privileged but runs no pod that needs it",
      });
  }
  return { findings, pods };
}
