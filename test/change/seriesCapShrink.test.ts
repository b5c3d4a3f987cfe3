import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { stackCopy, synthCli } from "../support/helpers";
import { shownFile } from "../../config/paths";

/*
 * Mimir's per-tenant series limit lowered by the update (change/seriesCapShrink.ts): a tenant
 * already above the new limit has its new series refused after `pulumi up`, and the objects' list
 * shows only the ConfigMap's update. The default cap on 3x8Gi nodes went from 490000 to 470000
 * when the sizing check started counting each DaemonSet's pod on every node.
 */
describe("synth --against: a lower Mimir series limit", function () {
  this.timeout(240_000);
  const FIELD = "max_global_series_per_user";

  /** Staging's stack file on 3x8Gi nodes. */
  const smallNodes = (text: string) => {
    assert.match(text, /memory: 16Gi/);
    return text.replace("memory: 16Gi", "memory: 8Gi");
  };
  let firstRun: Promise<string> | undefined;
  /**
   * The export `synth` writes for staging on 3x8Gi nodes, run once for the file: each test ran the
   * same command on the same stack file (in a folder of its own, which the export does not name)
   * before its own runs (each folder's export is the same text, checked). Measured warm, this file
   * alone, medians of 3 alternated runs: 3.88 -> 3.69 s of CPU.
   */
  const firstExport = () =>
    (firstRun ??= (async () => {
      const copy = stackCopy("series-cap-first", "staging");
      fs.writeFileSync(copy.file, smallNodes(fs.readFileSync(copy.file, "utf8")));
      const out = path.join(copy.dir, "out");
      const first = await synthCli("--dir", copy.dir, "--stack", "staging", "--out", out, "--quiet");
      assert.equal(first.status, 0, first.stdout + first.stderr);
      const exported = fs.readFileSync(path.join(out, "staging.json"), "utf8");
      assert.ok(exported.includes(`${FIELD}: 470000`), "the default cap on 3x8Gi nodes is 470000");
      return exported;
    })());

  /** A staging copy on 3x8Gi nodes, its export as synthesized, and the run against an export. */
  async function onSmallNodes(prefix: string) {
    const copy = stackCopy(prefix, "staging");
    fs.writeFileSync(copy.file, smallNodes(fs.readFileSync(copy.file, "utf8")));
    const out = path.join(copy.dir, "out");
    const exported = await firstExport();
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, "staging.json"), exported);
    /** The export with Mimir's limit at `cap`, as the previous run wrote it. */
    const previousWith = (cap: number) => {
      const file = path.join(copy.dir, `previous-${cap}.json`);
      fs.writeFileSync(file, exported.split(`${FIELD}: 470000`).join(`${FIELD}: ${cap}`));
      return file;
    };
    return { ...copy, previousWith, exported: path.join(out, "staging.json") };
  }

  it("warns of a default cap that went down, with both values, Mimir's refusal and the key that keeps it", async () => {
    const { previousWith, against } = await onSmallNodes("series-cap-down");
    const r = await against(previousWith(490_000));
    // A warning refuses nothing: the tenant's series count is unknown offline.
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const line = r.stdout.split("\n").find((l) => l.startsWith("WARNING Mimir series limit"));
    assert.ok(line, r.stdout);
    assert.ok(
      line.startsWith(
        "WARNING Mimir series limit 490000 -> 470000 (mimir-config limits.max_global_series_per_user): the program's default moved",
      ),
      line,
    );
    assert.match(line, /DaemonSets/);
    assert.match(line, /Mimir refuses its new series \(err-mimir-max-series-per-user\)/);
    assert.ok(
      line.endsWith(
        "Keep the limit: set mimir.maxGlobalSeriesPerUser (not set in the stack file) to 490000 (mimir.maxGlobalSeriesPerUser: 490000); the config check says whether the nodes hold it",
      ),
      line,
    );
    assert.match(r.stdout, /0 refused/);
  });

  it("says nothing of an unchanged or raised cap, and the kept key passes the config check", async () => {
    const { file, previousWith, against, exported } = await onSmallNodes("series-cap-same");
    const same = await against(exported);
    assert.equal(same.status, 0, same.stdout + same.stderr);
    assert.doesNotMatch(same.stdout, /series limit/);
    const raised = await against(previousWith(400_000));
    assert.equal(raised.status, 0, raised.stdout + raised.stderr);
    assert.doesNotMatch(raised.stdout, /series limit/);
    // The hint pasted: the stack keeps 490000 on these nodes, and the warning is gone.
    fs.appendFileSync(file, "  homelab-observability:mimir:\n    maxGlobalSeriesPerUser: 490000\n");
    const kept = await against(previousWith(490_000));
    assert.equal(kept.status, 0, kept.stdout + kept.stderr);
    assert.doesNotMatch(kept.stdout, /WARNING Mimir series limit/);
  });
  it("names the stack file's line when the stack lowers the cap itself", async () => {
    const { file, previousWith, against } = await onSmallNodes("series-cap-set");
    const text = fs.readFileSync(file, "utf8").trimEnd();
    fs.writeFileSync(file, `${text}\n  homelab-observability:mimir:\n    maxGlobalSeriesPerUser: 450000\n`);
    const where = `${shownFile(file)}:${text.split("\n").length + 2}`;
    const r = await against(previousWith(470_000));
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.ok(
      r.stdout.includes(
        `WARNING Mimir series limit 470000 -> 450000 (mimir-config limits.max_global_series_per_user): the stack sets it: mimir.maxGlobalSeriesPerUser (${where}). `,
      ),
      r.stdout,
    );
    assert.ok(r.stdout.includes(`set mimir.maxGlobalSeriesPerUser (${where}) to 470000`), r.stdout);
  });
});
