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
/**
 * The chart's Grafana mounting `mounted` (every key of `files` unless given) in its datasources
 * folder from its own ConfigMap holding `files`, and a dashboard reading datasource `uid`.
 */
const grafanaReading = (files: Record<string, string>, uid: string, mounted = Object.keys(files)) => [
  grafanaPod(...mounted),
  placed(cm("grafana", files)),
  dashboards(uid),
];
const datasourceFindings = (objects: Placed[]) =>
  checkDashboards(objects).findings.filter((f) => /datasource/.test(f.message));

describe("checks: the datasources Grafana provisions are read from every file it mounts in its datasources folder", () => {
  it('takes a datasource provisioned by a file beside datasources.yaml (chartValues.grafana.datasources["loki.yaml"]): no refusal', () => {
    const objects = grafanaReading(
      { "datasources.yaml": file("metrics"), "loki.yaml": file("loki") },
      "loki",
    );
    assert.deepEqual(datasourceFindings(objects), []);
  });

  it("still refuses a uid no mounted file provisions, naming the release's files as what it rests on", () => {
    const objects = grafanaReading(
      { "datasources.yaml": file("metrics"), "loki.yaml": file("loki") },
      "tempo",
    );
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
    const objects = grafanaReading(
      { "datasources.yaml": file("metrics"), "notes.txt": file("loki") },
      "loki",
    );
    assert.match(datasourceFindings(objects)[0]?.message ?? "", /provisions \(metrics\), got "loki"/);
  });

  it("judges nothing when a file in the folder is not in the render (a ConfigMap the stack does not hold)", () => {
    const objects = grafanaReading({ "datasources.yaml": file("metrics") }, "loki", [
      "datasources.yaml",
      "loki.yaml",
    ]);
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

/** A grafana pod whose container has `mounts` of `volumes` beside the chart's datasources.yaml, with `env`. */
const grafanaWith = (volumes: any[], mounts: any[], env: any[] = []) => {
  const pod = grafanaMountingDatasources(["datasources.yaml"], "monitoring");
  pod.spec.template.spec.volumes.push(...volumes);
  const [c] = pod.spec.template.spec.containers;
  c.volumeMounts.push(...mounts);
  c.env = env;
  return placed(pod);
};
const chartFiles = () => placed(cm("grafana", { "datasources.yaml": file("metrics") }));
const teamFiles = (data: Record<string, string>) => placed(cm("team-datasources", data), "release team");
const teamVolume = (items?: { key: string; path: string }[]) => ({
  name: "team",
  configMap: { name: "team-datasources", ...(items ? { items } : {}) },
});
const teamMount = (mountPath: string, subPath?: string) => ({
  name: "team",
  mountPath,
  ...(subPath ? { subPath } : {}),
});
const movedTo = (dir: string) => [{ name: "GF_PATHS_PROVISIONING", value: dir }];

describe("checks: the datasource files Kubernetes puts where Grafana reads them (items, subPath, a folder above, grafana.ini paths.provisioning)", () => {
  it("reads a ConfigMap's key under the name its items give it (extraConfigmapMounts items, subPath the item's path): no refusal, and a typo still refused", () => {
    const mount = teamMount("/etc/grafana/provisioning/datasources/team.yaml", "team.yaml");
    const objects = (uid: string) => [
      grafanaWith([teamVolume([{ key: "team", path: "team.yaml" }])], [mount]),
      chartFiles(),
      teamFiles({ team: file("team") }),
      dashboards(uid),
    ];
    assert.deepEqual(datasourceFindings(objects("team")), []);
    assert.match(
      datasourceFindings(objects("tema"))[0]?.message ?? "",
      /provisions \(metrics, team\), got "tema".*did you mean "team"/,
    );
  });

  it("reads no key the items leave out of the volume (a .yaml key of the ConfigMap not listed)", () => {
    const mount = { name: "team", mountPath: "/etc/grafana/provisioning/datasources" };
    const objects = [
      grafanaWith([teamVolume([{ key: "team", path: "team.yaml" }])], [mount]),
      chartFiles(),
      teamFiles({ team: file("team"), "old.yaml": file("old") }),
      dashboards("old"),
    ];
    assert.match(datasourceFindings(objects)[0]?.message ?? "", /provisions \(metrics, team\), got "old"/);
  });

  it("reads the files a mount above the folder puts in it (items paths under datasources/, a subPath naming that folder): no refusal", () => {
    const volume = teamVolume([{ key: "team", path: "datasources/team.yaml" }]);
    for (const mount of [
      { name: "team", mountPath: "/etc/grafana/provisioning" },
      { name: "team", mountPath: "/etc/grafana/provisioning/datasources", subPath: "datasources" },
      {
        name: "team",
        mountPath: "/etc/grafana/provisioning/datasources/team.yaml",
        subPath: "datasources/team.yaml",
      },
    ]) {
      const objects = [
        grafanaWith([volume], [mount]),
        chartFiles(),
        teamFiles({ team: file("team") }),
        dashboards("team"),
      ];
      assert.deepEqual(datasourceFindings(objects), [], JSON.stringify(mount));
    }
  });

  it("reads the folder grafana.ini paths.provisioning names (GF_PATHS_PROVISIONING), not the chart's files left in the old one", () => {
    const mount = { name: "team", mountPath: "/srv/provisioning/datasources/team.yaml", subPath: "team" };
    const objects = (uid: string) => [
      grafanaWith([teamVolume()], [mount], movedTo("/srv/provisioning")),
      chartFiles(),
      teamFiles({ team: file("team") }),
      dashboards(uid),
    ];
    assert.deepEqual(datasourceFindings(objects("team")), []);
    const [f, ...rest] = datasourceFindings(objects("metrics"));
    assert.deepEqual(rest, []);
    assert.match(f.message, /expected a datasource uid the stack provisions \(team\), got "metrics"/);
    assert.ok(f.judged?.includes('["grafana.ini"].paths.provisioning'), JSON.stringify(f.judged));
    assert.deepEqual(f.releases, ["urn:release grafana", "urn:release team"]);
  });

  it("says Grafana provisions none of the chart's datasources when paths.provisioning moves its folder away from them", () => {
    const objects = [grafanaWith([], [], movedTo("/srv/provisioning/")), chartFiles(), dashboards("metrics")];
    const [f, ...rest] = datasourceFindings(objects);
    assert.deepEqual(rest, []);
    assert.match(f.message, /expected a datasource uid the stack provisions \(none\), got "metrics"/);
    assert.deepEqual(f.releases, ["urn:release grafana"]);
  });

  it("judges nothing when the folder is not readable from the render (GF_PATHS_PROVISIONING from a Secret, or relative)", () => {
    for (const env of [
      [{ name: "GF_PATHS_PROVISIONING", valueFrom: { secretKeyRef: { name: "s", key: "k" } } }],
      movedTo("conf/provisioning"),
    ]) {
      const objects = [grafanaWith([], [], env), chartFiles(), dashboards("tempo")];
      assert.deepEqual(datasourceFindings(objects), [], JSON.stringify(env));
    }
  });

  it("still reads the chart's files where GF_PATHS_PROVISIONING names the chart's own folder (its default, /etc/grafana/provisioning)", () => {
    const objects = [
      grafanaWith([], [], movedTo("/etc/grafana/provisioning")),
      chartFiles(),
      dashboards("tempo"),
    ];
    assert.match(datasourceFindings(objects)[0]?.message ?? "", /provisions \(metrics\), got "tempo"/);
  });
});
