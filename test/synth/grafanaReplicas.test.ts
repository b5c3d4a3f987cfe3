import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { PROJECT } from "../../model/names";
import { ROOT, synthCli, tmpDir } from "../support/helpers";

/*
 * Several Grafana replicas the way docs/how-to/chart-values.md recommends (a shared PostgreSQL
 * database of another namespace, no claim), on a copy of the standard staging stack, through the
 * synthesis CLI. Its egress rules name no database: while egress is only rendered (the default)
 * nothing blocks the connection, so the run passes and says what enforcing would cut off.
 */

const SHARED_DATABASE = {
  grafana: {
    replicas: 2,
    persistence: { enabled: false },
    "grafana.ini": { database: { type: "postgres", host: "pg.db.svc:5432" } },
  },
};

/** Writes `Pulumi.<stack>.yaml` into `dir`: staging's config with `extra` keys added. */
function stackFile(dir: string, stack: string, extra: Record<string, unknown>): void {
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  for (const [k, v] of Object.entries(extra)) doc.config[`${PROJECT}:${k}`] = v;
  fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify(doc));
}

describe("two Grafana replicas on a shared database (docs/how-to/chart-values.md)", function () {
  this.timeout(600000);

  it("synthesizes on the standard staging stack (exit 0), warning that enforced egress would refuse the database", async () => {
    const dir = tmpDir("grafana-replicas");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    stackFile(dir, "shared-db", { chartValues: SHARED_DATABASE });
    const r = await synthCli("--stack", "shared-db", "--dir", dir, "--out", path.join(dir, "out"), "--quiet");
    const all = r.stdout + r.stderr;
    assert.equal(r.status, 0, all);
    assert.doesNotMatch(all, /would fail in a cluster/);
    assert.match(
      all,
      /warning: \[network-egress\] pg\.db\.svc:5432: no egress rule of monitoring\/grafana lets Deployment monitoring\/grafana \(release grafana\) out to Service db\/pg on port 5432; nothing blocks it while egress is rendered, not enforced \(network\.egress: rendered\), but network\.egress: enforced would/,
    );
    assert.match(r.stdout.trimEnd().split("\n").pop()!, /^shared-db: pass \(exit 0\): /);
  });
});
