/**
 * A taken-over release's retention, shortened by the update. Prometheus deletes the blocks older
 * than `prometheusSpec.retention` (kube-prometheus-stack 88.0.0 values.yaml line 4567, default
 * "10d"); Loki's compactor deletes the logs older than `limits_config.retention_period` once
 * `compactor.retention_enabled` is true (Loki 3.7.6 defaults: false and 0s, keep everything;
 * upstream/engines/data/loki-3.7.6/config-keys.tsv). A shorter value in the update deletes what
 * the operator kept, and nothing in Kubernetes or Helm refuses it. The takeover changes nothing it
 * can keep, so the change check refuses it; a shorter retention is a change of its own, made in a
 * later update once the takeover is done.
 */
import { durationSeconds } from "../config/schema";
import type { RunningRelease, RunningState } from "../model/running";
import { stackKeyAt, type OverridePlace } from "../synth/report";
import type { Refusal } from "./apiRules";

const get = (o: unknown, p: string): unknown =>
  p.split(".").reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as any)[k] : undefined), o);
const seconds = (v: unknown) => (typeof v === "string" ? durationSeconds(v) : undefined);

/** One retention: where the chart holds it, the stack key behind the program's, and what it keeps. */
interface Retention {
  path: string;
  key: string;
  what: string;
  /**
   * The retention in effect, as text and seconds; `forever` when nothing is deleted, with the
   * value that says so at its path in the values file (the chart's `loki.compactor`, not the
   * compactor component's top-level `compactor:` settings).
   */
  of: (values: unknown) => { text: string; seconds: number } | { forever: string } | undefined;
}

const plain =
  (path: string) =>
  (values: unknown): { text: string; seconds: number } | undefined => {
    const text = get(values, path);
    const s = seconds(text);
    return s === undefined ? undefined : { text: String(text), seconds: s };
  };

const RETENTIONS: Record<string, Retention> = {
  "kube-prometheus-stack": {
    path: "prometheus.prometheusSpec.retention",
    key: "prometheus.retention",
    what: "Prometheus deletes the samples",
    of: plain("prometheus.prometheusSpec.retention"),
  },
  loki: {
    path: "loki.limits_config.retention_period",
    key: "loki.retention",
    what: "Loki's compactor deletes the logs",
    of: (values) => {
      const on = "loki.compactor.retention_enabled";
      if (get(values, on) !== true) return { forever: `${on} not true` };
      const period = "loki.limits_config.retention_period";
      const r = plain(period)(values);
      return r && r.seconds === 0 ? { forever: `${period} ${r.text}` } : r;
    },
  },
};

/** A retention the update changes, said but not refused (`check.ts` prints it, counts nothing). */
export interface RetentionWarning {
  field: string;
  reason: string;
}

/**
 * The update's verdicts on an adopted release's retention (`planned`: the program's values).
 * Refused: a retention shorter than the running one, where the running one is known. Warned: a
 * retention where the running Loki keeps every log (compactor.retention_enabled unset, the loki
 * chart's own default: 6.55.0 values.yaml line 576 `compactor: {}`). The program always turns
 * retention on (builders/logging/lokiValues.ts), and the age of the oldest log is unknown offline,
 * so no value of loki.retention is known to keep everything: refusing would refuse every takeover
 * of such a Loki. Empty when either side cannot be read.
 */
export function retentionVerdicts(
  planned: Record<string, any>,
  rel: RunningRelease,
  running: Pick<RunningState, "dir">,
  at?: OverridePlace,
): { refused: Refusal[]; warnings: RetentionWarning[] } {
  const none = { refused: [], warnings: [] };
  const r = RETENTIONS[rel.chart];
  if (!r) return none;
  const [was, now] = [r.of(rel.values), r.of(planned)];
  if (!was || !now || "forever" in now) return none;
  const file = `${running.dir}/${rel.namespace}.${rel.name}.values.yaml`;
  const field = `values.${r.path}`;
  const sets = `the update sets "${now.text}" from ${stackKeyAt(r.key, at)}: ${r.what} older than ${now.text}`;
  if ("forever" in was)
    return {
      refused: [],
      warnings: [
        {
          field,
          reason: `it runs without retention (${file}: ${was.forever}), keeping every log; ${sets} at its first compaction after the update; before pulumi up, look for logs older than ${now.text} (Grafana Explore on Loki, a time range ending ${now.text} ago): they are deleted unless ${r.key} is set longer than their age`,
        },
      ],
    };
  if (now.seconds >= was.seconds) return none;
  return {
    refused: [
      {
        field,
        reason: `it runs with "${was.text}" (${file}), ${sets} at its next compaction; set ${r.key} to "${was.text}", and shorten it in a later update of its own if that is the intent`,
      },
    ],
    warnings: [],
  };
}
