/**
 * grafana-ini: a `[dataproxy]` timeout Grafana reads as whole seconds, written with a unit, which
 * Grafana silently replaces with its code's default (checks/grafanaIni.ts).
 */
import { strict as assert } from "assert";
import { checkGrafanaIni } from "../../checks/grafanaIni";
import type { K8sObject } from "../../checks/objects";
import { at } from "../support/checkCases";
import { synthWithChartValues } from "../support/helpers";

const ini = (lines: string[]): K8sObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "grafana", namespace: "monitoring" },
  data: { "grafana.ini": ["[analytics]", "reporting_enabled = false", "[dataproxy]", ...lines].join("\n") },
});

/** The grafana Deployment mounting the ConfigMap, its container's environment as given. */
const grafana = (container: Record<string, unknown> = {}): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "grafana", namespace: "monitoring" },
  spec: {
    template: {
      metadata: { labels: { app: "grafana" } },
      spec: {
        containers: [{ name: "grafana", image: "docker.io/grafana/grafana:12.3.1", ...container }],
        volumes: [{ name: "config", configMap: { name: "grafana" } }],
      },
    },
  },
});

const messages = (lines: string[], container?: Record<string, unknown>) =>
  checkGrafanaIni([at(ini(lines)), at(grafana(container))]).findings.map((f) => f.message);

describe("grafana-ini: [dataproxy] timeouts Grafana silently replaces", function () {
  this.timeout(60000);

  it("reports each timeout written with a unit, with the seconds Grafana uses instead", () => {
    assert.deepEqual(messages(["timeout = 60s", "dialTimeout = 1m", "idle_conn_timeout_seconds = 1.5h"]), [
      `[dataproxy] timeout: expected a whole number of seconds like "30", got "60s" (Grafana reads no integer there and silently uses 10 seconds instead)`,
      `[dataproxy] dialTimeout: expected a whole number of seconds like "30", got "1m" (Grafana reads no integer there and silently uses 30 seconds instead)`,
      `[dataproxy] idle_conn_timeout_seconds: expected a whole number of seconds like "30", got "1.5h" (Grafana reads no integer there and silently uses 90 seconds instead)`,
    ]);
  });

  it("takes whole numbers in any form ini.v1's integer parse may read, other keys and other sections", () => {
    assert.deepEqual(
      messages(["timeout = 60", "dialTimeout = 0x1e", "keep_alive_seconds = 1_000", "logging = true"]),
      [],
    );
    const other = ini(["timeout = 60"]);
    other.data!["grafana.ini"] += "\n[unified_alerting]\nevaluation_timeout = 30s";
    assert.deepEqual(checkGrafanaIni([at(other), at(grafana())]).findings, []);
  });

  it("leaves a key the container's environment may set unjudged", () => {
    assert.deepEqual(
      messages(["timeout = 60s"], { env: [{ name: "GF_DATAPROXY_TIMEOUT", value: "60" }] }),
      [],
    );
    assert.deepEqual(messages(["timeout = 60s"], { envFrom: [{ secretRef: { name: "grafana-env" } }] }), []);
    assert.equal(
      messages(["timeout = 60s"], { env: [{ name: "GF_DATAPROXY_DIALTIMEOUT", value: "60" }] }).length,
      1,
    );
  });

  it("leaves a key the container's cfg: argument sets unjudged, as Grafana applies it over the file", () => {
    assert.deepEqual(messages(["timeout = 60s"], { args: ["cfg:dataproxy.timeout=60"] }), []);
    assert.deepEqual(messages(["timeout = 60s"], { command: ["/run.sh", "cfg:dataproxy.timeout=60"] }), []);
    // cfg:default.<section>.<key> sets the default the file then replaces; another key is another key.
    for (const args of [["cfg:default.dataproxy.timeout=60"], ["cfg:dataproxy.dialTimeout=60"]])
      assert.equal(messages(["timeout = 60s"], { args }).length, 1, args[0]);
  });

  it("fails synth on a chartValues override, naming the key and its line", async () => {
    const { r, out, file, line } = await synthWithChartValues(
      "grafana-ini",
      "staging",
      "    grafana:\n      grafana.ini:\n        dataproxy:\n          timeout: 60s\n",
      "          timeout: 60s",
    );
    assert.equal(r.status, 1, out);
    assert.ok(
      out.includes(
        `[grafana-ini] ConfigMap monitoring/grafana (release grafana) grafana.ini: [dataproxy] timeout: expected a whole number of seconds like "30", got "60s" (Grafana reads no integer there and silently uses 10 seconds instead)`,
      ),
      out,
    );
    assert.ok(
      out.includes(
        `from the stack's chart values override chartValues.grafana["grafana.ini"].dataproxy.timeout (${file}:${line})`,
      ),
      out,
    );
  });
});
