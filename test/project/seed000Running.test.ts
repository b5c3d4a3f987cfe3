import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { seed000RunningKey, writeSeed000Running } from "../support/runningSeed000";
import { tmpDir } from "../support/helpers";

/** Each file of `dir` (name -> text). */
const filesOf = (dir: string) =>
  Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]));

describe("seed 000's running reports (test/support/runningSeed000.ts)", function () {
  this.timeout(120_000);

  it("are made once and then written from their fixture-cache entry", async () => {
    const cache = tmpDir("fixture-cache");
    const [a, b] = [tmpDir("seed000-a"), tmpDir("seed000-b")];
    await writeSeed000Running(a, cache);
    const made = filesOf(a);
    assert.deepEqual(Object.keys(made).sort(), [
      "helm-list.yaml",
      "monitoring.grafana.values.yaml",
      "monitoring.kube-prometheus-stack.values.yaml",
      "monitoring.loki.values.yaml",
      "prometheusrules.yaml",
      "pvcs.yaml",
      "statefulsets.yaml",
    ]);
    const file = path.join(cache, "seed000-running", `${seed000RunningKey()}.f2.json`);
    const entry = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.deepEqual(entry.value, made, "the entry holds the files as made");
    // Another worker or the next run (this process keeps the value it made: the entry goes to a second
    // cache) writes what the entry holds, making nothing again.
    const other = tmpDir("fixture-cache");
    fs.mkdirSync(path.join(other, "seed000-running"));
    entry.value["helm-list.yaml"] = "# from the entry\n";
    fs.writeFileSync(path.join(other, "seed000-running", path.basename(file)), JSON.stringify(entry));
    await writeSeed000Running(b, other);
    assert.deepEqual(filesOf(b), { ...made, "helm-list.yaml": "# from the entry\n" });
  });
});
