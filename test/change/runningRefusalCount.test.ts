import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { dump, load as loadYaml } from "js-yaml";
import { refusalsIn } from "../../change/change";
import { checkChange, formatBlind } from "../../change/check";
import { runningKeyVerdict } from "../../change/runningConfig";
import { overridePlacesIn } from "../../synth/report";
import { ROOT, stackOverrides, synth, synthCli, tmpDir, withSyntheses } from "../support/helpers";
import { stableDir } from "../support/stableDir";
import { writeSeed000Running } from "../support/runningSeed000";
import { shownFile } from "../../config/paths";

/*
 * Under --running every count of refusals is one per REFUSED line (issue 51: the closing line
 * matches what is listed): the previews, the rule evaluators, the update and the "without the
 * running state" line count refusals, not the objects they fall on.
 */

const entry = (subject: string, fields: string[]) => ({
  subject,
  refused: fields.map((field) => ({ field, reason: "r" })),
});

describe("change check --running: refusals counted one per REFUSED line (change/check.ts)", function () {
  this.timeout(180000);

  it("the line without the running state counts two refused fields of one object as 2", () => {
    const line = formatBlind({
      refused: [
        { ...entry("StatefulSet monitoring/loki-write", ["spec.volumeClaimTemplates", "spec.selector"]) },
        { ...entry("Deployment monitoring/grafana", ["spec.template.spec.volumes[storage]"]) },
      ] as never,
    });
    assert.equal(
      line,
      "without the running state the same update would hit 3 refused change(s): StatefulSet monitoring/loki-write spec.volumeClaimTemplates, spec.selector; Deployment monitoring/grafana spec.template.spec.volumes[storage]",
    );
    assert.equal(
      formatBlind({ refused: [] }),
      "without the running state the same update would hit 0 refused change(s)",
    );
  });

  it("a preview or a rule with two refusals counts 2", () => {
    assert.equal(refusalsIn([entry("Release::a", ["id", "name"]), entry("Release::b", [])]), 2);
  });

  it("seed 000 with loki-write's selector changed too: every count and the closing verdict agree with the REFUSED lines", async () => {
    // The same path every run (test/support/stableDir.ts): the fixture cache's read of the stack
    // file keys the overrides, which name it; a new folder each run wrote an entry no run read.
    const dir = stableDir("running-count");
    await writeSeed000Running(dir);
    // A live selector the chart does not render: the update refuses it, and the blind update
    // refuses it beside the claim templates, two refusals on one StatefulSet.
    const file = path.join(dir, "statefulsets.yaml");
    const doc = loadYaml(fs.readFileSync(file, "utf8")) as { items: any[] };
    const write = doc.items.find((s) => s.metadata.name === "loki-write");
    assert.ok(write, "the seed runs loki-write");
    write.spec.selector.matchLabels = { ...write.spec.selector.matchLabels, tier: "old" };
    fs.writeFileSync(file, dump(doc, { noRefs: true }));
    const block = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8")).config[
      "homelab-observability:takeover"
    ];
    const over = { takeover: { ...block, running: dir } };
    const r = await synth("takeover", over);
    const { text, code, refused, why } = await withSyntheses(() =>
      checkChange(ROOT, "takeover", r, { running: dir, overrides: stackOverrides(over) }),
    );
    const lines = text.split("\n").filter((l) => /^\s+REFUSED /.test(l));
    assert.deepEqual(
      lines.map((l) => l.trim().split(":")[0]),
      [
        "REFUSED StatefulSet monitoring/loki-write spec.selector",
        "REFUSED Deployment monitoring/grafana spec.template.spec.volumes[storage]",
      ],
      text,
    );
    assert.equal(refused, lines.length);
    assert.equal(why, `${lines.length} refused (above)`);
    assert.equal(code, 1);
    assert.match(text, /first update, object by object[^]*\d+ delete; 2 refused/);
    assert.match(
      text,
      /without the running state the same update would hit 5 refused change\(s\): StatefulSet monitoring\/loki-backend spec\.volumeClaimTemplates; StatefulSet monitoring\/loki-write spec\.volumeClaimTemplates, spec\.selector; /,
    );
  });

  it("a refusal in the takeover's previews is counted on the object-by-object line too, which then says where it is", async () => {
    const running = tmpDir("running-count-previews");
    await writeSeed000Running(running);
    // The takeover stack with a retention shorter than the running Prometheus's: the update's
    // preview of the adopted release refuses it, above the objects.
    const dir = tmpDir("running-count-project");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackText = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    assert.match(stackText, /\n {4}retention: 14d\n/);
    fs.writeFileSync(
      path.join(dir, "Pulumi.takeover.yaml"),
      stackText.replace(/\n {4}retention: 14d\n/, "\n    retention: 7d\n"),
    );
    const r = await synthCli(
      "--stack",
      "takeover",
      "--dir",
      dir,
      "--running",
      running,
      "--out",
      tmpDir("out"),
      "--quiet",
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const lines = r.stdout.split("\n").filter((l) => /^\s+REFUSED /.test(l));
    assert.ok(
      lines.some((l) =>
        /REFUSED Release::kube-prometheus-stack values\.prometheus\.prometheusSpec\.retention/.test(l),
      ),
      r.stdout,
    );
    const counts =
      /first update, object by object[^]*?\n(\d+ create, \d+ update, \d+ replace, \d+ delete; (\d+) refused[^\n]*)/.exec(
        r.stdout,
      );
    assert.ok(counts, r.stdout);
    assert.equal(Number(counts[2]), lines.length, counts[1]);
    assert.match(counts[1], /; \d+ refused \(1 in the takeover's previews above\)/);
    assert.match(
      r.stdout,
      new RegExp(`takeover: FAIL \\(exit 1\\): the change: ${lines.length} refused \\(above\\)`),
    );
  });
});

describe("change check --running: the stack file's own takeover.running, the folder pulumi up reads", function () {
  this.timeout(180000);
  /** A copy of the takeover project at `step`, its takeover block with `running` when given. */
  const project = (step: "import" | "update", running?: string): string => {
    const dir = tmpDir("running-key");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackText = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    assert.match(stackText, /\n {4}step: import\n/);
    const block = `\n    step: ${step}\n${running === undefined ? "" : `    running: ${running}\n`}`;
    fs.writeFileSync(
      path.join(dir, "Pulumi.takeover.yaml"),
      stackText.replace(/\n {4}step: import\n/, block),
    );
    return dir;
  };
  const verdict = (dir: string, running: string) =>
    runningKeyVerdict(dir, "takeover", running, 3, overridePlacesIn(dir, "takeover"));
  const file = (dir: string) => shownFile(path.join(dir, "Pulumi.takeover.yaml"));
  const set = (dir: string, value: string) =>
    `pulumi --cwd ${dir} config set --stack takeover --path 'takeover.running' ${value}`;

  it("unset at takeover.step update: refused, with the stack file, its takeover block's line and the command that sets it", () => {
    const dir = project("update");
    const v = verdict(dir, path.join(dir, "running"));
    assert.deepEqual(v, {
      refused: true,
      line: `REFUSED takeover.running is not set in ${file(dir)} (its takeover block: ${file(dir)}:45): this check read what runs from --running ${path.join(dir, "running")}, but pulumi up reads only the stack file, so its update keeps nothing from what runs: it is the update the "without the running state" line below judges (3 refused change(s)), and it sets the program's values where what runs must stay (claim templates, the Prometheus and Alertmanager storage, Loki's schema periods); set it to the folder checked: ${set(dir, "running")}`,
    });
  });

  it("unset at takeover.step update whose update without the running state refuses nothing: a warning, not a refusal", () => {
    const dir = project("update");
    const v = runningKeyVerdict(
      dir,
      "takeover",
      path.join(dir, "running"),
      0,
      overridePlacesIn(dir, "takeover"),
    );
    assert.deepEqual(v, {
      refused: false,
      line: `WARNING takeover.running is not set in ${file(dir)} (its takeover block: ${file(dir)}:45): this check read what runs from --running ${path.join(dir, "running")}, but pulumi up reads only the stack file; its update without the running state refuses nothing here (the "without the running state" line below), yet keeps nothing from what runs, which the next change may need; set it to the folder checked: ${set(dir, "running")}`,
    });
  });

  it("unset at takeover.step import: a warning, counted in no refusal; a folder outside the project is set whole", () => {
    const dir = project("import");
    const outside = tmpDir("running-elsewhere");
    const v = verdict(dir, outside);
    assert.equal(v?.refused, false);
    assert.match(
      v?.line ?? "",
      /^WARNING takeover\.running is not set in .*: at takeover\.step: import pulumi up keeps the running values without it, but at takeover\.step: update it reads what runs only from it \(docs\/how-to\/take-over-flux\.md step 8\); before that step, set it to the folder checked: /,
    );
    assert.ok(v?.line.endsWith(set(dir, outside)), v?.line);
  });

  it("set to the folder checked: nothing to say; set to another: a warning naming both", () => {
    const dir = project("update", "running");
    assert.equal(verdict(dir, path.join(dir, "running")), undefined);
    const v = verdict(dir, path.join(dir, "running-new"));
    assert.deepEqual(v, {
      refused: false,
      line: `WARNING takeover.running (${file(dir)}:47) names ${path.join(dir, "running")}, not --running ${path.join(dir, "running-new")}: pulumi up keeps what runs as that folder says, which this check did not read; set it to the folder checked: ${set(dir, "running-new")}`,
    });
  });

  it("a synth --running of an update step whose stack file lacks takeover.running counts the refusal in the closing line", async () => {
    const dir = project("update");
    const running = path.join(dir, "running");
    await writeSeed000Running(running);
    const r = await synthCli(
      "--stack",
      "takeover",
      "--dir",
      dir,
      "--running",
      running,
      "--out",
      tmpDir("out"),
      "--quiet",
    );
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /\nREFUSED takeover\.running is not set in /);
    const lines = r.stdout.split("\n").filter((l) => /^\s*REFUSED /.test(l));
    assert.match(
      r.stdout,
      new RegExp(`delete; ${lines.length} refused \\(1 stack-wide, above the objects\\)`),
    );
    assert.match(
      r.stdout,
      new RegExp(`takeover: FAIL \\(exit 1\\): the change: ${lines.length} refused \\(above\\)`),
    );
  });
});
