import { strict as assert } from "assert";
import { durationSeconds, toGoDuration } from "../../config/schema";
import { parsesAsGoDuration, parsesAsModelDuration } from "../../upstream/engines/references";
import { config, configProblems } from "../support/helpers";

/**
 * A duration key takes every form its reader takes. Loki's retention_period, Mimir's
 * compactor_blocks_retention_period, Prometheus's --storage.tsdb.retention.time and Alertmanager's
 * route intervals are Prometheus `model.Duration`s: prometheus/common model/time.go:205-259
 * ParseDuration (v0.67.5 in Loki v3.7.6's go.mod, v0.67.1 in Prometheus v3.7.3's, v0.61.0 in
 * Alertmanager v0.28.1's; the function is the same in all three) takes several whole numbers
 * with units, largest first, each once ("1d12h"), and no fraction. The Prometheus CRD's
 * spec.retention pattern (prometheus-operator-crds 31.0.0 crd-prometheuses.yaml:8338) is the same.
 * Loki's compactor compares each chunk's age with the period itself
 * (pkg/compactor/retention/expiration.go:64 at v3.7.6), so it needs no whole days.
 */
describe("duration keys take the compound forms their readers take", () => {
  it("loki.retention takes 1d12h and 36h, as Loki's model.Duration does", () => {
    assert.equal(config({ loki: { retention: "1d12h" } }).loki.retention, "1d12h");
    assert.equal(config({ loki: { retention: "36h" } }).loki.retention, "36h");
    assert.ok(parsesAsModelDuration("1d12h"));
  });

  it("prometheus.retention, mimir.blocksRetention and alerting.heartbeatInterval take compound forms", () => {
    const c = config({
      prometheus: { retention: "1w2d" },
      mimir: { blocksRetention: "1y6w" },
      alerting: { heartbeatInterval: "1m30s" },
    });
    assert.deepEqual(
      [c.prometheus.retention, c.mimir.blocksRetention, c.alerting.heartbeatInterval],
      ["1w2d", "1y6w", "1m30s"],
    );
  });

  it("counts a compound duration's seconds, and writes it for a Go time.Duration in hours", () => {
    assert.equal(durationSeconds("1d12h"), 129600);
    assert.equal(durationSeconds("1m30s"), 90);
    assert.equal(durationSeconds("1s500ms"), 1.5);
    assert.equal(toGoDuration("1d12h"), "36h");
    assert.equal(toGoDuration("1d30m"), "24h30m");
    assert.equal(toGoDuration("1w1d12h30m15s"), "204h30m15s");
    assert.equal(toGoDuration("1h30m"), "1h30m");
    assert.equal(config({ loki: { deleteDelay: "1d12h" } }).loki.deleteDelay, "36h");
  });

  it("a webhook's timeout, a Go time.Duration in Alertmanager (config/notifiers.go:541 at v0.28.1), is written without d, w or y", () => {
    const c = config({
      alerting: { receivers: [{ name: "hook", type: "webhook", timeout: "1d" }] },
      receiverCredentials: JSON.stringify({ hook: "x" }),
    });
    const timeout = (c.alerting.receivers[0] as { timeout?: string }).timeout!;
    assert.equal(timeout, "24h");
    assert.ok(parsesAsGoDuration(timeout));
  });

  it("refuses what model.ParseDuration refuses, naming the compound form", () => {
    for (const v of ["12h1d", "1h1h", "1.5h", "1d12"]) {
      const p = configProblems({ prometheus: { retention: v } });
      assert.equal(p.length, 1, `${v}: ${p.join("\n")}`);
      assert.ok(!parsesAsModelDuration(v), v);
      assert.equal(
        p[0],
        `homelab-observability:prometheus.retention: expected a duration above zero like "14d" (whole number + ms|s|m|h|d|w|y, or several largest first as "1d12h"), got string "${v}"`,
      );
    }
  });

  it("refuses a duration longer than model.ParseDuration's 2^63-1 ns (v0.67.1, Mimir 3.0.0's), saying the longest", () => {
    // Run with Go: common v0.67.1 (and v0.61.0, v0.67.5) take 292y, 106751d and 2562047h and
    // refuse 293y, 106752d and 2562048h ("duration out of range"); Go's time.ParseDuration the same.
    for (const v of ["292y", "106751d", "2562047h"]) assert.ok(parsesAsModelDuration(v), v);
    // The longest the message names is the longest taken (amtool 0.25, run: 106751d1h and
    // 106751d23h47m16s854ms taken, 106751d23h47m16s855ms refused), not 106751d.
    assert.ok(parsesAsModelDuration("106751d23h47m16s854ms"));
    assert.ok(!parsesAsModelDuration("106751d23h47m16s855ms"));
    assert.equal(config({ mimir: { blocksRetention: "292y" } }).mimir.blocksRetention, "292y");
    for (const v of ["293y", "106752d", "2562048h"]) {
      assert.ok(!parsesAsModelDuration(v), v);
      for (const key of ["mimir.blocksRetention", "loki.retention", "loki.deleteDelay"]) {
        const [top, leaf] = key.split(".");
        assert.deepEqual(configProblems({ [top]: { [leaf]: v } }), [
          `homelab-observability:${key}: expected a duration of at most 106751d23h47m16s854ms (about 292 years): its reader counts nanoseconds in 64 bits and refuses a longer one, got string "${v}"`,
        ]);
      }
    }
  });

  it("a number without its unit gets the number in the key's own unit, that the key takes", () => {
    const bare = (key: string, v: unknown) => {
      const [top, leaf] = key.split(".");
      const extra = top === "victoriametrics" ? { metricsBackend: "victoriametrics" } : {};
      return configProblems({ ...extra, [top]: { [leaf]: v } });
    };
    // model.ParseDuration and Go's time.ParseDuration refuse "30" (run: "not a valid duration
    // string", "missing unit in duration"): no unit is the reader's either.
    assert.ok(!parsesAsModelDuration("30") && !parsesAsGoDuration("30"));
    for (const v of [30, "30"])
      assert.match(
        bare("loki.retention", v)[0],
        /, got (number 30|string "30"); no unit is assumed: "30d" if 30 days are meant$/,
      );
    assert.match(
      bare("loki.deleteDelay", 1)[0],
      /, got number 1; no unit is assumed: "1h" if 1 hour is meant$/,
    );
    assert.match(
      bare("victoriametrics.scrapeInterval", 30)[0],
      /; no unit is assumed: "30s" if 30 seconds are meant$/,
    );
    assert.match(bare("mimir.blocksRetention", 90)[0], /; no unit is assumed: "90d" if 90 days are meant$/);
    // vmstorage does read one: months of 31 days (v1.144.0 lib/flagutil/duration.go:98-111, 223).
    assert.match(
      bare("victoriametrics.retention", 12)[0],
      /, got number 12; vmstorage would read it as 12 months of 31 days, the same retention as "372d"$/,
    );
    assert.match(
      bare("victoriametrics.retention", 1.5)[0],
      /1\.5 months of 31 days, the same retention as "1116h"$/,
    );
    // Nothing the key takes is the same value: no offer.
    assert.match(bare("loki.retention", 0)[0], /, got number 0$/);
    assert.match(bare("loki.retention", 1.5)[0], /, got number 1\.5$/);
    assert.match(bare("victoriametrics.retention", 0)[0], /, got number 0$/);
    // 1200.125 months is 892893h, which the key takes, but vmstorage refuses a number above 1200
    // months (v1.144.0 lib/flagutil/duration.go:103-105): it reads no retention to offer.
    assert.match(bare("victoriametrics.retention", 1200)[0], /the same retention as "37200d"$/);
    assert.match(bare("victoriametrics.retention", 1200.125)[0], /, got number 1200\.125$/);
  });

  it("loki.retention below 24h is refused with Loki's minimum, not for whole days", () => {
    assert.deepEqual(configProblems({ loki: { retention: "12h" } }), [
      `homelab-observability:loki.retention: expected at least 24h (retention runs on the 24h index), got "12h"`,
    ]);
  });
});

describe("a size written as a number of bytes gets the same size in its largest whole unit", () => {
  it('memory: 8589934592 -> did you mean "8Gi"', () => {
    const p = configProblems({
      nodePools: [{ name: "w", arch: "amd64", count: 1, cpu: "4", memory: 8589934592 }],
    });
    assert.equal(p.length, 1, p.join("\n"));
    assert.match(p[0], /nodePools\[0\]\.memory: .*, got number 8589934592; did you mean "8Gi"\?$/);
  });

  it("a whole number of decimal units gets that unit (2000000000 -> 2G), a number of no whole unit gets no hint", () => {
    assert.match(
      configProblems({ loki: { volumeSize: 2000000000 } })[0],
      /got number 2000000000; did you mean "2G"\?$/,
    );
    assert.match(configProblems({ loki: { volumeSize: 1536 } })[0], /got number 1536$/);
    assert.match(configProblems({ loki: { volumeSize: 1500 } })[0], /got number 1500$/);
  });
});
