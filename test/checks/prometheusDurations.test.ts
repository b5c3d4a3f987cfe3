/**
 * prometheus-duration: the durations of a Prometheus the CRD's pattern takes but prometheus-operator
 * v0.93.0 or Prometheus refuses (checks/prometheusDurations.ts). What Prometheus refuses is run
 * through promtool on the `global` the operator writes from the same fields (Debian's 2.42: the
 * same ParseDuration range and timeout rule as v3.7.3's, read there).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkPrometheusDurations } from "../../checks/prometheusDurations";
import type { K8sObject } from "../../checks/objects";
import { at, PROMETHEUS_CRD as CRD } from "../support/checkCases";
import { requireTool, synthWithChartValues, tmpDir } from "../support/helpers";
import { toolRun } from "../support/toolOutput";

const prometheus = (spec: Record<string, unknown>, kind = "Prometheus"): K8sObject => ({
  apiVersion: "monitoring.coreos.com/v1",
  kind,
  metadata: { name: "kps-prometheus", namespace: "monitoring" },
  spec,
});

const messages = (spec: Record<string, unknown>, kind?: string) =>
  checkPrometheusDurations([at(CRD), at(prometheus(spec, kind))]).findings.map((f) => f.message);

/** The config the operator writes from those fields (promcfg.go:3110-3121, :3141-3143), judged by promtool. */
function promtool(ctx: Mocha.Context, global: Record<string, string>, remote?: string) {
  const bin = requireTool(ctx, "promtool", "prometheus");
  const file = path.join(tmpDir("prometheus-durations"), "prometheus.yml");
  const doc: Record<string, unknown> = { global };
  if (remote) doc.remote_write = [{ url: "http://mimir/api/v1/push", remote_timeout: remote }];
  fs.writeFileSync(file, JSON.stringify(doc));
  const r = toolRun(bin, ["check", "config", file], { inputs: [file] });
  return { ok: r.status === 0, said: r.stdout + r.stderr };
}

describe("prometheus-duration: a Prometheus's durations the operator or Prometheus refuses", function () {
  this.timeout(60000);

  it("refuses a duration of the CRD's form too long for model.ParseDuration, one message each, which promtool refuses too", function () {
    for (const [field, key] of [
      ["scrapeInterval", "scrape_interval"],
      ["evaluationInterval", "evaluation_interval"],
    ])
      for (const v of ["300y", "293y", "106751d23h47m16s855ms"]) {
        assert.deepEqual(messages({ [field]: v }), [
          `spec.${field}: expected a Prometheus model.Duration: integers with units y, w, d, h, m, s, ms, largest first, e.g. "7d" or "1w2d", of at most 106751d23h47m16s854ms (about 292 years), got "${v}" (Prometheus refuses a config holding it: "duration out of range")`,
        ]);
        const r = promtool(this, { [key]: v });
        assert.ok(!r.ok && /duration out of range/.test(r.said), `${key} ${v}: ${r.said}`);
      }
    assert.match(messages({ ruleQueryOffset: "300y" })[0], /^spec\.ruleQueryOffset: expected .* got "300y"/);
    assert.match(
      messages({ remoteWrite: [{ url: "http://a" }, { url: "http://b", remoteTimeout: "300y" }] })[0],
      /^spec\.remoteWrite\[1\]\.remoteTimeout: expected .* got "300y"/,
    );
    const r = promtool(this, {}, "300y");
    assert.ok(!r.ok && /duration out of range/.test(r.said), r.said);
    // An agent evaluates no rules: its evaluationInterval is no field the operator reads.
    assert.equal(messages({ scrapeInterval: "300y" }, "PrometheusAgent").length, 1);
  });

  it("says a part past a uint64 in ParseDuration's words for it, not the range's", () => {
    // prometheus/common v0.67.1 model/time.go:226-229: strconv.ParseUint fails first, read, not
    // run (promtool 2.42's older ParseDuration says "duration out of range" for both).
    assert.deepEqual(messages({ scrapeInterval: "18446744073709551616s" }), [
      `spec.scrapeInterval: expected a Prometheus model.Duration: integers with units y, w, d, h, m, s, ms, largest first, e.g. "7d" or "1w2d", of at most 106751d23h47m16s854ms (about 292 years), got "18446744073709551616s" (Prometheus refuses a config holding it: "not a valid duration string: \\"18446744073709551616s\\"")`,
    ]);
    // The first part past the range decides; a uint64 with leading zeros parses.
    for (const v of ["300y18446744073709551616s", "18446744073709551615ms", "00000000000000000000300y"])
      assert.match(messages({ scrapeInterval: v })[0], /: "duration out of range"\)$/, v);
  });

  it("takes the longest durations model.ParseDuration takes, which promtool takes too", function () {
    for (const v of ["292y", "106751d23h47m16s854ms", "0"]) {
      assert.deepEqual(
        messages({ scrapeInterval: v, evaluationInterval: v, remoteWrite: [{ remoteTimeout: v }] }),
        [],
      );
      const r = promtool(this, { scrape_interval: v, evaluation_interval: v }, v);
      assert.ok(r.ok, `${v}: ${r.said}`);
    }
  });

  it("refuses a scrapeTimeout longer than the scrapeInterval, the CRD's default when absent, in the operator's words", function () {
    assert.deepEqual(messages({ scrapeInterval: "30s", scrapeTimeout: "1m" }), [
      `spec.scrapeTimeout: expected at most the scrapeInterval "30s", got "1m" (prometheus-operator refuses to write the config: "scrapeTimeout \\"1m\\" greater than scrapeInterval \\"30s\\"")`,
    ]);
    assert.deepEqual(messages({ scrapeTimeout: "31s" }), [
      `spec.scrapeTimeout: expected at most the scrapeInterval "30s" (the CRD's default), got "31s" (prometheus-operator refuses to write the config: "scrapeTimeout \\"31s\\" greater than scrapeInterval \\"30s\\"")`,
    ]);
    assert.equal(messages({ scrapeInterval: "1m", scrapeTimeout: "60001ms" }, "PrometheusAgent").length, 1);
    for (const [interval, timeout] of [
      ["30s", "1m"],
      ["1m", "60001ms"],
    ]) {
      const r = promtool(this, { scrape_interval: interval, scrape_timeout: timeout });
      assert.ok(!r.ok && /scrape timeout greater than scrape interval/.test(r.said), r.said);
    }
    // The operator compares a zero interval as it is (promcfg.go:976-994); Prometheus, which
    // replaces it with 1m first, takes it: refused for the operator's sake alone.
    assert.equal(messages({ scrapeInterval: "0s", scrapeTimeout: "10s" }).length, 1);
    assert.ok(promtool(this, { scrape_interval: "0s", scrape_timeout: "10s" }).ok);
  });

  it("takes a scrapeTimeout equal to the scrapeInterval in any units, which promtool takes too", function () {
    for (const [interval, timeout] of [
      ["1m", "60s"],
      ["30s", "30s"],
      ["1m", "59s999ms"],
    ]) {
      assert.deepEqual(messages({ scrapeInterval: interval, scrapeTimeout: timeout }), []);
      assert.ok(promtool(this, { scrape_interval: interval, scrape_timeout: timeout }).ok);
    }
    assert.deepEqual(messages({ scrapeTimeout: "30s" }), []);
  });

  it("fails synth on a chartValues override, naming the key and its line", async () => {
    const { r, out, file, line } = await synthWithChartValues(
      "prometheus-durations",
      "production",
      "    kube-prometheus-stack:\n      prometheus:\n        prometheusSpec:\n          scrapeTimeout: 31s\n",
      "          scrapeTimeout: 31s",
    );
    assert.equal(r.status, 1, out);
    assert.match(
      out,
      /\[prometheus-duration\] Prometheus monitoring\/kps-prometheus \(release kube-prometheus-stack\): spec\.scrapeTimeout: expected at most the scrapeInterval "30s" \(the CRD's default\), got "31s"/,
    );
    assert.ok(
      out.includes(
        `from the stack's chart values override chartValues.kube-prometheus-stack.prometheus.prometheusSpec.scrapeTimeout (${file}:${line})`,
      ),
      out,
    );
  });
});
