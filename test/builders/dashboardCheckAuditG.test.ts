import { strict as assert } from "assert";
import { stringify } from "yaml";
import { dashboardProblems, type DashboardFile } from "../../builders/grafana/dashboardCheck";
import { checkDashboards } from "../../checks/dashboards";
import { dashboardQueries } from "../../checks/emittedMetrics";
import type { Placed } from "../../checks/objects";
import { grafanaMountingDatasources } from "../support/grafanaPod";

/*
 * The dashboards the stack's ConfigMaps hold, judged as Grafana's sidecar and Grafana take them
 * (builders/grafana/dashboardCheck.ts). A dashboard ConfigMap placed through the stack (the grafana
 * chart's extraObjects) whose file was no JSON stopped the synthesis with "unexpected error
 * (please report it)"; an unknown datasource uid, a repeated dashboard uid and a misspelt folder
 * annotation passed with exit 0.
 */

const file = (text: string, over: Partial<DashboardFile> = {}): DashboardFile => ({
  where: "ConfigMap ns/mine (release grafana) a.json",
  text,
  annotations: { grafana_folder: "Mine" },
  labels: { grafana_dashboard: "1" },
  ...over,
});
const dash = (uid: string, ds: string) =>
  JSON.stringify({
    uid,
    title: uid,
    panels: [{ title: "p", datasource: { type: "prometheus", uid: ds }, targets: [{ expr: "up" }] }],
  });
const UIDS = ["metrics", "victoriametrics", "loki"];

describe("dashboards as the sidecar and Grafana load them (audit hG)", () => {
  it("refuses a file that is no JSON, saying the sidecar skips it", () => {
    const [p] = dashboardProblems([file('{ "uid": "x", "panels": [ }')], UIDS);
    assert.equal(p.where, "ConfigMap ns/mine (release grafana) a.json");
    assert.match(
      p.message,
      /^a\.json:1:27: expected dashboard JSON, found a } where a value is due: the sidecar's provisioning skips the file/,
    );
  });

  it("refuses a key not ending in .json, which Grafana never loads, naming the key to use", () => {
    const problems = dashboardProblems(
      [
        file(dash("a", "metrics"), { where: "ConfigMap ns/mine (release grafana) my-app" }),
        file(dash("b", "metrics"), { where: "ConfigMap ns/mine (release grafana) b.JSON" }),
      ],
      UIDS,
    );
    assert.deepEqual(
      problems.map((p) => `${p.where}: ${p.message}`),
      [
        'ConfigMap ns/mine (release grafana) my-app: expected a key ending in .json (Grafana loads only those files), got "my-app": the sidecar writes it and Grafana never loads the dashboard; name the key my-app.json',
        'ConfigMap ns/mine (release grafana) b.JSON: expected a key ending in .json (Grafana loads only those files), got "b.JSON": the sidecar writes it and Grafana never loads the dashboard; name the key b.json',
      ],
    );
  });

  it("takes a key ending in .json.url, whose URL the sidecar downloads into the .json file, and names .url in the hint", () => {
    // kiwigrid/k8s-sidecar src/resources.py _get_file_data_and_name: a key ending in .url is
    // fetched and written under the key without .url.
    const problems = dashboardProblems(
      [
        file("https://grafana.com/api/dashboards/1860/revisions/37/download", {
          where: "ConfigMap ns/mine (release grafana) node.json.url",
        }),
        file("https://example.com/d", { where: "ConfigMap ns/mine (release grafana) other.url" }),
      ],
      UIDS,
    );
    assert.deepEqual(
      problems.map((p) => `${p.where}: ${p.message}`),
      [
        'ConfigMap ns/mine (release grafana) other.url: expected a key ending in .json (Grafana loads only those files), got "other.url": the sidecar writes it and Grafana never loads the dashboard; name the key other.json.url',
      ],
    );
  });

  it("refuses a datasource uid the stack does not provision, naming the provisioned ones and the closest", () => {
    const [p] = dashboardProblems([file(dash("a", "victoriametric"))], UIDS);
    assert.match(
      p.message,
      /expected a datasource uid the stack provisions \(metrics, victoriametrics, loki\), got "victoriametric" in panel "p"; did you mean "victoriametrics"\?/,
    );
  });

  it("says none where the stack provisions no datasource uid, not an empty ()", () => {
    const [p] = dashboardProblems([file(dash("a", "metrics"))], []);
    assert.match(
      p.message,
      /expected a datasource uid the stack provisions \(none\), got "metrics" in panel "p"/,
    );
    assert.equal(p.datasource, true);
  });

  it("refuses a datasource named by a string (the older form) that is neither a provisioned name nor uid", () => {
    const legacy = (ds: string) =>
      JSON.stringify({
        uid: "a",
        panels: [
          { title: "p", datasource: ds, targets: [{ expr: "up" }] },
          { title: "q", datasource: { uid: "metrics" }, targets: [{ expr: "up", datasource: ds }] },
        ],
      });
    const names = ["Metrics", "VictoriaMetrics", "Loki"];
    const problems = dashboardProblems([file(legacy("Prometheus"))], UIDS, names);
    assert.deepEqual(
      problems.map((p) => p.message),
      [
        'expected a datasource the stack provisions, by uid (metrics, victoriametrics, loki) or by name (Metrics, VictoriaMetrics, Loki), got the string "Prometheus" in panel "p", panel "q" (Grafana shows "Datasource Prometheus was not found")',
      ],
    );
    assert.match(dashboardProblems([file(legacy("Lokii"))], UIDS, names)[0].message, /did you mean "loki"\?/);
    // Grafana resolves the string as a name or a uid; `default` is the default datasource.
    for (const ds of ["Metrics", "Loki", "metrics", "default", "$ds", "-- Grafana --"])
      assert.deepEqual(dashboardProblems([file(legacy(ds))], UIDS, names), [], ds);
  });

  it("takes template variables and Grafana's built-in datasources, and every provisioned uid", () => {
    for (const ds of ["$datasource", "${ds}", "-- Grafana --", "-- Mixed --", "grafana", ...UIDS])
      assert.deepEqual(dashboardProblems([file(dash("a", ds))], UIDS), [], ds);
    // A server-side expression's query names Grafana's expression datasource (review hRev).
    for (const ds of ["__expr__", "-100"])
      assert.deepEqual(dashboardProblems([file(dash("a", ds))], UIDS), [], ds);
    // No Grafana rendered: uids are not judged.
    assert.deepEqual(dashboardProblems([file(dash("a", "nope"))], undefined), []);
  });

  it("refuses a dashboard uid another dashboard has, naming both, once", () => {
    const problems = dashboardProblems(
      [
        file(dash("same", "metrics"), { where: "ConfigMap ns/theirs (resource x) o.json" }),
        file(dash("same", "loki")),
      ],
      UIDS,
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0].where, "ConfigMap ns/mine (release grafana) a.json");
    assert.match(
      problems[0].message,
      /got "same", which ConfigMap ns\/theirs \(resource x\) o\.json has too/,
    );
  });

  it("refuses a folder annotation under a near key or as a label, once per ConfigMap", () => {
    const near = dashboardProblems(
      [
        file(dash("a", "metrics"), { annotations: { "grafana-folder": "Mine" } }),
        file(dash("b", "metrics"), {
          annotations: { "grafana-folder": "Mine" },
          where: "ConfigMap ns/mine (release grafana) b.json",
        }),
      ],
      UIDS,
    );
    assert.equal(near.length, 1);
    assert.equal(near[0].where, "ConfigMap ns/mine (release grafana)");
    assert.match(near[0].message, /got "grafana-folder"; did you mean grafana_folder\?/);
    const label = dashboardProblems(
      [file(dash("a", "metrics"), { annotations: {}, labels: { grafana_folder: "Mine" } })],
      UIDS,
    );
    assert.match(label[0].message, /got it as a label/);
    assert.deepEqual(dashboardProblems([file(dash("a", "metrics"), { annotations: {} })], UIDS), []);
  });

  it("reads the rendered stack: datasources.yaml's uids, the program's dashboards first, and no crash on a broken file", () => {
    const placed = (obj: any, source: string): Placed => ({ obj, urn: "u", source });
    const cm = (name: string, data: Record<string, string>) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "ns", labels: { grafana_dashboard: "1" } },
      data,
    });
    const objects = [
      placed(cm("mine", { "a.json": dash("home", "prometheus"), "b.json": "{", c: "{}" }), "release grafana"),
      placed(cm("homelab-dashboards", { "o.json": dash("home", "metrics") }), "resource homelab-dashboards"),
      // A datasource named by a string: a provisioned name is found (datasources.yaml's names).
      placed(
        cm("legacy", {
          "c.json": JSON.stringify({ uid: "c", panels: [{ title: "p", datasource: "Metrics" }] }),
        }),
        "release grafana",
      ),
      placed(
        {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "grafana" },
          data: {
            "datasources.yaml": stringify({
              datasources: [{ uid: "metrics", name: "Metrics" }, { uid: "loki" }],
            }),
          },
        },
        "release grafana",
      ),
      // The grafana container mounting it where Grafana provisions datasources from, as the chart does.
      placed(grafanaMountingDatasources(["datasources.yaml"]), "release grafana"),
    ];
    const r = checkDashboards(objects);
    assert.equal(r.judged, 5);
    assert.deepEqual(
      r.findings.map((f) => `${f.where}: ${f.message.slice(0, 40)}`),
      [
        "ConfigMap ns/mine (release grafana) a.json: expected a dashboard uid no other dashbo",
        "ConfigMap ns/mine (release grafana) a.json: expected a datasource uid the stack prov",
        "ConfigMap ns/mine (release grafana) b.json: b.json:1:2: expected dashboard JSON, fou",
        "ConfigMap ns/mine (release grafana) c: expected a key ending in .json (Grafana ",
      ],
    );
    assert.doesNotThrow(() => dashboardQueries(objects.map((p) => p.obj)));
    // With Grafana's datasource sidecar (its volume sc-datasources-volume in the pod), datasources
    // come from ConfigMaps the render does not hold: an unknown uid is no longer judged.
    const sidecar = placed(
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "grafana", namespace: "ns" },
        spec: { template: { spec: { volumes: [{ name: "sc-datasources-volume", emptyDir: {} }] } } },
      },
      "release grafana",
    );
    assert.deepEqual(
      checkDashboards([...objects, sidecar]).findings.map((f) => f.message.slice(0, 40)),
      [
        "expected a dashboard uid no other dashbo",
        "b.json:1:2: expected dashboard JSON, fou",
        "expected a key ending in .json (Grafana ",
      ],
    );
  });
});
