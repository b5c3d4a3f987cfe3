/**
 * The durations of a `Prometheus` or `PrometheusAgent` (monitoring.coreos.com) that its CRD takes
 * but the operator or Prometheus refuses. The CRD's pattern (prometheus-operator-crds 31.0.0
 * charts/crds/templates/crd-prometheuses.yaml, `^(0|(([0-9]+)y)?...(([0-9]+)ms)?)$`, checked by
 * checks/schema.ts) says the form, not the length, nor how two fields compare:
 * - a `scrapeTimeout` longer than the `scrapeInterval` (the CRD's `default`, 30s, when absent: the
 *   API server fills it in): prometheus-operator v0.93.0 compares them before it writes the config
 *   (pkg/prometheus/promcfg.go:1011-1016 for a Prometheus, :3314-3319 for an agent;
 *   CompareScrapeTimeoutToScrapeInterval :976-994, "scrapeTimeout %q greater than scrapeInterval %q")
 *   and its sync stops there (pkg/prometheus/server/operator.go:986, "creating config failed"): no
 *   config is written, so the new value never reaches Prometheus. Read, not run. Prometheus refuses
 *   the same in its own config (config/config.go:629-631 at v3.7.3; promtool 2.42, run: "global
 *   scrape timeout greater than scrape interval") but for a zero interval, which it replaces with
 *   1m first and the operator does not (promtool 2.42 takes `0s` with a 10s timeout).
 * - a duration longer than `model.ParseDuration` takes (2^63-1 ns): the operator copies
 *   `scrapeInterval`, `scrapeTimeout`, `evaluationInterval` and `ruleQueryOffset` into the config's
 *   `global` (promcfg.go:3110-3121, :3141-3143, :3189-3194) and each `remoteWrite[]` and
 *   `remoteRead[]` `remoteTimeout` into its endpoint, which Prometheus v3.7.3 reads as
 *   `model.Duration`s (config/config.go:450-463, :1363, :1531, yaml.UnmarshalStrict :80) by prometheus/common
 *   v0.67.1's ParseDuration (go.mod:59; model/time.go:205-259, "duration out of range", or "not a
 *   valid duration string" for a number past a uint64 (references.ts modelDurationRefusal); the same body
 *   as v0.70.1's, the operator's, :199-253). Read, not run at v3.7.3; promtool 2.42 refuses
 *   `scrape_interval` and `evaluation_interval` "300y" and "106751d23h47m16s855ms" and takes "292y"
 *   and "106751d23h47m16s854ms" (run; it predates `rule_query_offset`).
 * `retention` is the stack key `prometheus.retention` (config/stackKeyPaths.ts), checked there.
 */
import {
  durationForm,
  modelDurationMs,
  modelDurationRefusal,
  modelDurationTooLong,
} from "../upstream/engines/references";
import { crdFor, crdsIn, describe, groupOf, type Finding, type K8sObject, type Placed } from "./objects";

/** The fields the operator copies into the config's `global`, by kind (an agent evaluates no rules). */
const GLOBAL_DURATIONS: Record<string, string[]> = {
  Prometheus: ["scrapeInterval", "scrapeTimeout", "evaluationInterval", "ruleQueryOffset"],
  PrometheusAgent: ["scrapeInterval", "scrapeTimeout"],
};

/** The `default` the object's CRD gives `spec.<field>`, which the API server fills in. */
export function crdDefault(obj: K8sObject, crds: K8sObject[], field: string): unknown {
  const version = obj.apiVersion.split("/")[1];
  const v = crdFor(obj, crds)?.spec?.versions?.find((x: any) => x?.name === version);
  return v?.schema?.openAPIV3Schema?.properties?.spec?.properties?.[field]?.default;
}

/** A duration in the CRD's form that is too long for `model.ParseDuration`, at `spec.<path>`. */
const tooLong = (where: string, path: string, v: string, judged: string[]): Finding => ({
  check: "prometheus-duration",
  where,
  message: `spec.${path}: expected ${durationForm("model.Duration")}, got ${JSON.stringify(v)} (Prometheus refuses a config holding it: ${JSON.stringify(modelDurationRefusal(v))})`,
  judged,
});

/** What the operator or Prometheus refuses in one Prometheus or PrometheusAgent's durations. */
function durationFindings(p: Placed, crds: K8sObject[]): Finding[] {
  const spec: Record<string, unknown> = p.obj.spec ?? {};
  const where = describe(p);
  const out: Finding[] = [];
  for (const field of GLOBAL_DURATIONS[p.obj.kind]) {
    const v = spec[field];
    if (typeof v === "string" && modelDurationTooLong(v)) out.push(tooLong(where, field, v, [field]));
  }
  // Each remote endpoint's timeout (promcfg.go:2746-2748, :2885-2887; config/config.go:1363, :1531).
  for (const list of ["remoteWrite", "remoteRead"])
    (Array.isArray(spec[list]) ? spec[list] : []).forEach((r, n) => {
      const v: unknown = r?.remoteTimeout;
      if (typeof v === "string" && modelDurationTooLong(v))
        out.push(tooLong(where, `${list}[${n}].remoteTimeout`, v, [list]));
    });
  const timeout = spec.scrapeTimeout;
  const given = spec.scrapeInterval;
  const interval = given ?? crdDefault(p.obj, crds, "scrapeInterval");
  if (typeof timeout !== "string" || typeof interval !== "string") return out;
  const [t, i] = [modelDurationMs(timeout), modelDurationMs(interval)];
  if (t === undefined || i === undefined || t <= i) return out;
  const of = given === undefined ? ` (the CRD's default)` : "";
  // The operator's own words (%q of each, which for the pattern's characters is JSON's quoting).
  const said = `scrapeTimeout ${JSON.stringify(timeout)} greater than scrapeInterval ${JSON.stringify(interval)}`;
  out.push({
    check: "prometheus-duration",
    where,
    message: `spec.scrapeTimeout: expected at most the scrapeInterval ${JSON.stringify(interval)}${of}, got ${JSON.stringify(timeout)} (prometheus-operator refuses to write the config: ${JSON.stringify(said)})`,
    judged: ["scrapeTimeout", "scrapeInterval"],
  });
  return out;
}

/** Judges the durations of every Prometheus and PrometheusAgent of the rendered stack. */
export function checkPrometheusDurations(objects: Placed[]): { judged: number; findings: Finding[] } {
  const servers = objects.filter(
    (p) =>
      groupOf(p.obj.apiVersion) === "monitoring.coreos.com" && Object.hasOwn(GLOBAL_DURATIONS, p.obj.kind),
  );
  const crds = crdsIn(objects);
  return { judged: servers.length, findings: servers.flatMap((p) => durationFindings(p, crds)) };
}
