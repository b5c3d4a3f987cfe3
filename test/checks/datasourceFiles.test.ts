/**
 * The datasources a dashboard may name are those of the provisioning files the rendered Grafana
 * reads: every `.yaml`/`.yml` file its container mounts into /etc/grafana/provisioning/datasources
 * (the grafana chart mounts each key of its `datasources` value there), not a ConfigMap's
 * `datasources.yaml` nobody mounts, and not that one file name alone.
 */
import { strict as assert } from "assert";
import { stringify } from "yaml";
import { checkDashboards } from "../../checks/dashboards";
import { checkEmittedMetrics } from "../../checks/emittedMetrics";
import type { Placed } from "../../checks/objects";
import { grafanaMountingDatasources } from "../support/grafanaPod";

const placed = (obj: any, source = "release grafana"): Placed => ({ obj, urn: `urn:${source}`, source });
const cm = (name: string, data: Record<string, string>, labels: Record<string, string> = {}) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "monitoring", labels },
  data,
});
const file = (...uids: string[]) =>
  stringify({ apiVersion: 1, datasources: uids.map((uid) => ({ uid, name: uid })) });
/** A dashboard ConfigMap whose one panel reads datasource `uid`. */
const dashboards = (uid: string) =>
  placed(
    cm(
      "homelab-dashboards",
      { "d.json": JSON.stringify({ uid: "d", panels: [{ title: "p", datasource: { uid } }] }) },
      { grafana_dashboard: "1" },
    ),
    "resource grafana-dashboards",
  );
const grafanaPod = (...keys: string[]) => placed(grafanaMountingDatasources(keys, "monitoring"));
const datasourceFindings = (objects: Placed[]) =>
  checkDashboards(objects).findings.filter((f) => /datasource/.test(f.message));

describe("checks: the datasources Grafana provisions are read from every file it mounts in its datasources folder", () => {
  it('takes a datasource provisioned by a file beside datasources.yaml (chartValues.grafana.datasources["loki.yaml"]): no refusal', () => {
    const objects = [
      grafanaPod("datasources.yaml", "loki.yaml"),
      placed(cm("grafana", { "datasources.yaml": file("metrics"), "loki.yaml": file("loki") })),
      dashboards("loki"),
    ];
    assert.deepEqual(datasourceFindings(objects), []);
  });

  it("still refuses a uid no mounted file provisions, naming the release's files as what it rests on", () => {
    const objects = [
      grafanaPod("datasources.yaml", "loki.yaml"),
      placed(cm("grafana", { "datasources.yaml": file("metrics"), "loki.yaml": file("loki") })),
      dashboards("tempo"),
    ];
    const [f, ...rest] = datasourceFindings(objects);
    assert.deepEqual(rest, []);
    assert.match(f.message, /expected a datasource uid the stack provisions \(metrics, loki\), got "tempo"/);
    assert.deepEqual(f.judged, [
      'datasources["datasources.yaml"].datasources',
      'datasources["loki.yaml"].datasources',
    ]);
    assert.deepEqual(f.releases, ["urn:release grafana"]);
  });

  it("reads no datasources.yaml of a ConfigMap Grafana does not mount (another application's file of that name)", () => {
    const objects = [
      grafanaPod("all.yaml"),
      placed(cm("grafana", { "all.yaml": file("metrics") })),
      placed(cm("other-app", { "datasources.yaml": stringify({ datasources: [] }) }), "release other"),
      dashboards("metrics"),
    ];
    assert.deepEqual(datasourceFindings(objects), []);
  });

  it("reads no mounted file Grafana skips (a name not ending in .yaml or .yml)", () => {
    const objects = [
      grafanaPod("datasources.yaml", "notes.txt"),
      placed(cm("grafana", { "datasources.yaml": file("metrics"), "notes.txt": file("loki") })),
      dashboards("loki"),
    ];
    assert.match(datasourceFindings(objects)[0]?.message ?? "", /provisions \(metrics\), got "loki"/);
  });

  it("judges nothing when a file in the folder is not in the render (a ConfigMap the stack does not hold)", () => {
    const objects = [
      grafanaPod("datasources.yaml", "loki.yaml"),
      placed(cm("grafana", { "datasources.yaml": file("metrics") })),
      dashboards("loki"),
    ];
    // loki.yaml is mounted from ConfigMap grafana, which lacks the key: not known, so not judged.
    assert.deepEqual(datasourceFindings(objects), []);
  });

  it("reads LogQL as LogQL where it names a Loki datasource Grafana's datasource sidecar loads (a labelled ConfigMap): no PromQL syntax error", () => {
    // sidecar.datasources.enabled (on in kube-prometheus-stack 88.0.0, values.yaml:1557-1558): the sidecar fills the
    // folder from labelled ConfigMaps at run time, so a rendered one is a file Grafana may read.
    const sidecar = grafanaMountingDatasources(["datasources.yaml"], "monitoring");
    sidecar.spec.template.spec.volumes.push({ name: "sc-datasources-volume", emptyDir: {} });
    const teamLogs = { apiVersion: 1, datasources: [{ name: "Team logs", uid: "team-logs", type: "loki" }] };
    const panel = {
      title: "errors",
      datasource: { uid: "team-logs" },
      targets: [{ expr: '{app="a"} |= "error"' }],
    };
    const objects = [
      placed(sidecar),
      placed(cm("grafana", { "datasources.yaml": file("metrics") })),
      placed(
        cm("team-logs", { "datasources.yaml": stringify(teamLogs) }, { grafana_datasource: "1" }),
        "release x",
      ),
      placed(
        cm("team", { "e.json": JSON.stringify({ uid: "e", panels: [panel] }) }, { grafana_dashboard: "1" }),
        "release x",
      ),
    ];
    assert.deepEqual(checkEmittedMetrics(objects).findings, []);
  });
});
