/**
 * While kube-prometheus-stack's Prometheus and Mimir both run (dual-write, backend-primary:
 * model/phases.ts `prometheusRemoteWrite`), Prometheus must remote-write to Mimir's push endpoint:
 * that copy is the history Mimir has when it becomes the default datasource and when KPS goes. The
 * program writes its entry to the chart's `prometheus.prometheusSpec.remoteWrite`
 * (builders/metrics/remoteWrite.ts); Helm replaces a list it is given rather than merging it, so a
 * `chartValues` override of that list drops the entry, and nothing refuses it: Prometheus runs,
 * Mimir runs, and Mimir's history has a gap from that update on. Judged on the rendered Prometheus
 * object, whatever removed the entry.
 */
import { mimirEndpoints } from "../model/endpoints";
import { mimirName } from "../model/services";
import type { Finding, Placed } from "./objects";

/** Where the program's entry is, as the kube-prometheus-stack chart's values name it. */
export const KPS_REMOTE_WRITE_VALUES = "prometheus.prometheusSpec.remoteWrite";
/** Where the chart takes entries of one's own, appended after `remoteWrite`'s (kube-prometheus-stack 88.0.0 templates/prometheus/prometheus.yaml:250-258). */
export const KPS_ADDITIONAL_REMOTE_WRITE_VALUES = "prometheus.prometheusSpec.additionalRemoteWrite";

/** Whether the objects hold Mimir's workload (monolithic, or the scaled-out write group) in `ns`, and which. */
function mimirIn(objects: Placed[], ns: string): { readWrite: boolean } | undefined {
  const sts = (name: string) =>
    objects.some(
      (p) => p.obj.kind === "StatefulSet" && p.obj.metadata.namespace === ns && p.obj.metadata.name === name,
    );
  if (sts(mimirName("write"))) return { readWrite: true };
  if (sts(mimirName("all"))) return { readWrite: false };
  return undefined;
}

export function checkRemoteWrite(objects: Placed[]): { judged: number; findings: Finding[] } {
  const findings: Finding[] = [];
  let judged = 0;
  for (const p of objects) {
    if (p.obj.kind !== "Prometheus" || p.hook) continue;
    const ns = p.obj.metadata.namespace ?? "default";
    const mimir = mimirIn(objects, ns);
    if (!mimir) continue;
    judged++;
    const push = mimirEndpoints(ns, mimir.readWrite).push;
    const entries: unknown[] = Array.isArray(p.obj.spec?.remoteWrite) ? p.obj.spec.remoteWrite : [];
    const urls = entries.map((e) => (e && typeof e === "object" ? (e as { url?: unknown }).url : undefined));
    if (urls.includes(push)) continue;
    findings.push({
      check: "mimir-remote-write",
      where: `Prometheus ${ns}/${p.obj.metadata.name} (${p.source})`,
      message:
        `Mimir runs beside this Prometheus, so Prometheus must remote-write to ${push}; found ` +
        `${urls.length === 0 ? "no remote_write entry" : `remote_write to ${urls.map((u) => JSON.stringify(u)).join(", ")} only`} ` +
        `(values.${KPS_REMOTE_WRITE_VALUES}: Helm replaces that list, dropping the program's entry). ` +
        `Mimir would get no samples from this update on, a gap in the history it serves once it is the ` +
        `default datasource. Put your own targets under ${KPS_ADDITIONAL_REMOTE_WRITE_VALUES}, which the chart appends, ` +
        `and leave ${KPS_REMOTE_WRITE_VALUES} to the program`,
    });
  }
  return { judged, findings };
}
