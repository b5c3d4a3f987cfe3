import { strict as assert } from "assert";
import { durationSeconds } from "../../config/schema";
import { vmValues } from "../../builders/metrics/vmValues";
import { capabilities } from "../../model/phases";
import { parsesAsGoDuration } from "../../upstream/engines/references";
import { config } from "../support/helpers";

/**
 * victoriametrics.scrapeInterval has two readers that take no day, week or year: the storage's
 * -dedup.minScrapeInterval is a Go flag.Duration (VictoriaMetrics app/vmstorage/main.go,
 * `flag.Duration("dedup.minScrapeInterval", ...)`; Debian's victoria-metrics 1.79.5 run here stops
 * with `invalid value "1d12h" for flag -dedup.minScrapeInterval: parse error`, and so for "1d"),
 * and the VMAgent CRD's spec.scrapeInterval pattern `[0-9]+(ms|s|m|h)` (victoria-metrics-k8s-stack
 * 0.80.0 charts/victoria-metrics-operator/charts/crds/crds/crd.yaml:6366-6367) refuses "1d".
 */
const VMAGENT_PATTERN = /[0-9]+(ms|s|m|h)/;

const valuesFor = (scrapeInterval: string) => {
  const c = config({ metricsBackend: "victoriametrics", victoriametrics: { scrapeInterval } });
  return vmValues({
    caps: capabilities("kps-removed", "victoriametrics"),
    cluster: "pi",
    profile: "lightweight",
    retention: "14d",
    volumeSize: "20Gi",
    storageClass: "nvme",
    scrapeInterval: c.victoriametrics.scrapeInterval,
    bufferBytes: 1 << 30,
    alerting: { pushover: false, pushoverPriority: 0, heartbeat: false, heartbeatInterval: "1m" },
  });
};

describe("victoriametrics.scrapeInterval is written in a form vmsingle's flag and the VMAgent CRD load", () => {
  for (const [given, seconds] of [
    ["1d12h", 129600],
    ["1d", 86400],
    ["2w", 1209600],
  ] as const) {
    it(`"${given}" becomes hours, the same ${seconds}s, in -dedup.minScrapeInterval and spec.scrapeInterval`, () => {
      const v = valuesFor(given);
      const dedup: string = v.vmsingle.spec.extraArgs["dedup.minScrapeInterval"];
      const agent: string = v.vmagent.spec.scrapeInterval;
      assert.ok(parsesAsGoDuration(dedup), `-dedup.minScrapeInterval=${dedup}`);
      assert.match(agent, VMAGENT_PATTERN);
      assert.equal(durationSeconds(dedup), seconds);
      assert.equal(agent, dedup);
    });
  }

  it('a form both already load ("1m30s") is written unchanged', () => {
    const v = valuesFor("1m30s");
    assert.equal(v.vmsingle.spec.extraArgs["dedup.minScrapeInterval"], "1m30s");
    assert.equal(v.vmagent.spec.scrapeInterval, "1m30s");
  });
});
