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
import type { OverridePlace } from "../synth/report";
import type { Refusal } from "./apiRules";

const get = (o: unknown, p: string): unknown =>
  p.split(".").reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as any)[k] : undefined), o);
const seconds = (v: unknown) => (typeof v === "string" ? durationSeconds(v) : undefined);

/** One retention: where the chart holds it, the stack key behind the program's, and what it keeps. */
interface Retention {
  path: string;
  key: string;
  what: string;
  /** The retention in effect, as text and seconds; `forever` when nothing is deleted. */
  of: (values: unknown) => { text: string; seconds: number } | "forever" | undefined;
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
      if (get(values, "loki.compactor.retention_enabled") !== true) return "forever";
      const r = plain("loki.limits_config.retention_period")(values);
      return r && r.seconds === 0 ? "forever" : r;
    },
  },
};

/** `key`, with its place in the stack file when the file writes it. */
const keyAt = (key: string, at?: OverridePlace) => {
  const where = at?.(key);
  return where ? `${key} (${where})` : `${key} (its default: not set in the stack file)`;
};

/**
 * The refusal of the update on an adopted release whose retention the program's values
 * (`planned`) shorten; empty when they keep as long, or when either side cannot be read.
 */
export function retentionRefusals(
  planned: Record<string, any>,
  rel: RunningRelease,
  running: Pick<RunningState, "dir">,
  at?: OverridePlace,
): Refusal[] {
  const r = RETENTIONS[rel.chart];
  if (!r) return [];
  const [was, now] = [r.of(rel.values), r.of(planned)];
  if (!was || !now || now === "forever") return [];
  if (was !== "forever" && now.seconds >= was.seconds) return [];
  const file = `${running.dir}/${rel.namespace}.${rel.name}.values.yaml`;
  const runs =
    was === "forever"
      ? `it runs without retention (${file}: compactor.retention_enabled not true), keeping every log`
      : `it runs with "${was.text}" (${file})`;
  const fix =
    was === "forever"
      ? `set ${r.key} to at least the age of the oldest log to keep`
      : `set ${r.key} to "${was.text}"`;
  return [
    {
      field: `values.${r.path}`,
      reason: `${runs}, the update sets "${now.text}" from ${keyAt(r.key, at)}: ${r.what} older than ${now.text} at its next compaction; ${fix}, and shorten it in a later update of its own if that is the intent`,
    },
  ];
}
