import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ACK_KEY, grafanaDataVerdicts } from "../../change/grafanaData";
import type { RunningState } from "../../model/running";
import type { StackObject } from "../../synth/render/types";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { writeSeed000Running } from "../support/runningSeed000";

/** Grafana's Deployment as the chart renders it, its volume `storage` as given. */
const grafana = (storage: Record<string, unknown>, chart = "grafana"): StackObject => ({
  resourceUrn: "urn:pulumi:takeover::homelab-observability::kubernetes:helm.sh/v3:Release::grafana",
  release: {
    name: "grafana",
    namespace: "monitoring",
    chart,
    version: "12.3.1",
    source: "grafana/templates/deployment.yaml",
  },
  object: {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "grafana", namespace: "monitoring" },
    spec: {
      selector: {
        matchLabels: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "grafana" },
      },
      template: {
        spec: {
          containers: [
            { name: "grafana", volumeMounts: [{ name: "storage", mountPath: "/var/lib/grafana" }] },
          ],
          volumes: [{ name: "storage", ...storage }],
        },
      },
    },
  },
});
const emptyDir = grafana({ emptyDir: {} });
const claim = grafana({ persistentVolumeClaim: { claimName: "grafana" } });
const running = (values: Record<string, unknown> = { persistence: { enabled: false } }): RunningState => ({
  dir: "running",
  releases: [{ name: "grafana", namespace: "monitoring", chart: "grafana", version: "12.3.1", values }],
  statefulSets: [],
  pvcs: [],
});

describe("takeover --running: Grafana's database in an emptyDir the update swaps for a claim (audit 16c)", () => {
  it("refuses it on the Deployment, naming what is lost, the file, the copy to make and the key that acknowledges it", () => {
    const [v, ...more] = grafanaDataVerdicts([emptyDir], [claim], running(), false);
    assert.equal(more.length, 0, "one refusal for one mistake");
    assert.equal(v.subject, "Deployment monitoring/grafana");
    assert.equal(v.refusal?.field, "spec.template.spec.volumes[storage]");
    const reason = v.refusal.reason;
    assert.match(
      reason,
      /emptyDir in what runs \(running\/monitoring\.grafana\.values\.yaml: persistence\.enabled false\)/,
    );
    assert.match(reason, /new PersistentVolumeClaim monitoring\/grafana/);
    assert.match(
      reason,
      /dashboards, folders, users, API keys and alert state .* \/var\/lib\/grafana\/grafana\.db, are lost/,
    );
    assert.ok(
      reason.includes(
        `POD=$(kubectl -n monitoring get pod -l app.kubernetes.io/name=grafana,app.kubernetes.io/instance=grafana -o jsonpath='{.items[0].metadata.name}') && kubectl -n monitoring cp -c grafana "$POD:/var/lib/grafana/grafana.db" grafana.db`,
      ),
      reason,
    );
    assert.match(reason, new RegExp(`set ${ACK_KEY.replace(".", "\\.")}: true$`));
  });

  it("a values file that does not set persistence.enabled (null, or another release's values) is said to leave the chart's default, not to set false", () => {
    const [v] = grafanaDataVerdicts([emptyDir], [claim], running({}), false);
    assert.match(
      v.refusal!.reason,
      /^its volume storage \(\/var\/lib\/grafana\) is an emptyDir in what runs \(running\/monitoring\.grafana\.values\.yaml does not set persistence\.enabled: the chart's default, false\) and the update mounts/,
    );
  });

  it("acknowledged (takeover.grafanaDatabaseSaved), it is a note with the restore, not a refusal", () => {
    const [v] = grafanaDataVerdicts([emptyDir], [claim], running(), true);
    assert.equal(v.refusal, undefined);
    assert.match(
      v.note!,
      /takeover\.grafanaDatabaseSaved says \/var\/lib\/grafana\/grafana\.db is copied out/,
    );
    assert.match(
      v.note!,
      /kubectl -n monitoring cp -c grafana grafana\.db "\$POD:\/var\/lib\/grafana\/grafana\.db" && kubectl -n monitoring delete pod "\$POD"$/,
    );
  });

  it("follows the running values' data path and database file", () => {
    const [v] = grafanaDataVerdicts(
      [emptyDir],
      [claim],
      running({ "grafana.ini": { paths: { data: "/data/" }, database: { path: "state.db" } } }),
      false,
    );
    assert.match(v.refusal!.reason, /"\$POD:\/data\/state\.db" grafana\.db/);
  });

  it("passes when the database is not SQLite, or the volume already is a claim", () => {
    for (const db of [
      { "grafana.ini": { database: { type: "postgres" } } },
      { env: { GF_DATABASE_TYPE: "mysql" } },
    ])
      assert.deepEqual(grafanaDataVerdicts([emptyDir], [claim], running(db), false), []);
    assert.deepEqual(grafanaDataVerdicts([claim], [claim], running(), false), []);
  });

  it("warns, without refusing, when the running values cannot tell where the database is", () => {
    const [v] = grafanaDataVerdicts([emptyDir], [claim], running({ envFromSecret: "grafana-env" }), false);
    assert.equal(v.refusal, undefined);
    assert.match(
      v.note!,
      /cannot tell where Grafana keeps its database \(its environment comes from envFromSecret/,
    );
  });

  it("concerns Grafana's chart only", () => {
    const other = (s: Record<string, unknown>) => grafana(s, "something");
    assert.deepEqual(
      grafanaDataVerdicts(
        [other({ emptyDir: {} })],
        [other({ persistentVolumeClaim: { claimName: "x" } })],
        running(),
        false,
      ),
      [],
    );
  });
});

describe("takeover --running on seed 000's cluster: Grafana's database, refused then acknowledged (audit 16c)", function () {
  this.timeout(180000);
  let dir: string;
  /** `synth --running` on a copy of Pulumi.takeover.yaml whose takeover block gets `extra`. */
  const run = async (stack: string, extra: string) => {
    const project = tmpDir(stack);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    const file = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    const edited = file.replace(/^( +)step: import\n/m, `$1step: import\n${extra}`);
    assert.ok(extra === "" || edited !== file, "the takeover block has its step");
    fs.writeFileSync(path.join(project, `Pulumi.${stack}.yaml`), edited);
    return synthCli(
      "--dir",
      project,
      "--stack",
      stack,
      "--quiet",
      "--running",
      dir,
      "--out",
      tmpDir(`${stack}-out`),
    );
  };
  before(async () => {
    dir = tmpDir("running000-grafana");
    await writeSeed000Running(dir);
  });

  it("without the key: exit 1, the Deployment refused once, and the closing line counts it", async () => {
    const r = await run("g-refused", "");
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.equal(
      r.stdout.match(/REFUSED Deployment monitoring\/grafana spec\.template\.spec\.volumes\[storage\]/g)
        ?.length,
      1,
      r.stdout,
    );
    assert.match(r.stdout, /^g-refused: FAIL \(exit 1\): the change: 1 refused \(above\)/m);
  });

  it("with takeover.grafanaDatabaseSaved: true: exit 0, and a note says how to restore the copy, in the stack's kube context", async () => {
    const r = await run("g-saved", "    grafanaDatabaseSaved: true\n");
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /REFUSED/);
    assert.match(
      r.stdout,
      /NOTE Deployment monitoring\/grafana: .*takeover\.grafanaDatabaseSaved says \/var\/lib\/grafana\/grafana\.db is copied out; once the update is done, restore it: POD=\$\(kubectl --context admin@production -n monitoring get pod .*\) && kubectl --context admin@production -n monitoring cp -c grafana grafana\.db "\$POD:\/var\/lib\/grafana\/grafana\.db" && kubectl --context admin@production -n monitoring delete pod "\$POD"$/m,
    );
  });
});
