import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { PHASES } from "../../config/resolve";
import { readRunningDir } from "../../model/running";
import { LIVE_FIELD_IGNORES } from "../../model/importIgnores";
import { PATCH_FORCE } from "../../apply/takeover";
import { MAX_HISTORY } from "../../components/helm";
import { chartCacheDir } from "../../synth/render/helm";
import { stateOf } from "../../change/against";
import { planChange, providerFlags, type StackState } from "../../change/change";
import { checkChange } from "../../change/check";
import { protectionLostVerdicts } from "../../change/protectionLost";
import { previews } from "../../change/takeover";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { onBackend, ROOT, stackOverrides, synth, synthCli, tmpDir, withSyntheses } from "../support/helpers";
import { stableDir } from "../support/stableDir";
import { writeSeed000Running } from "../support/runningSeed000";
import { BACKENDS } from "../../model/phases";
import { shownFile } from "../../config/paths";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x));

/** The newest archive of each chart in the chart cache (what a Renovate bump moves to). */
function newestCharts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of fs.readdirSync(chartCacheDir())) {
    const m = /^(.+)-(\d+\.\d+\.\d+)\.tgz$/.exec(f);
    if (!m) continue;
    const [, chart, v] = m;
    if (!out[chart] || v.localeCompare(out[chart], undefined, { numeric: true }) > 0) out[chart] = v;
  }
  return out;
}

describe("change check: npm run synth -- --against", function () {
  this.timeout(120000);
  let dir: string;
  let previous: string;
  before(async () => {
    dir = tmpDir("against");
    const r = await synth("staging");
    previous = path.join(dir, "staging.json");
    fs.writeFileSync(previous, JSON.stringify(r.export));
  });
  // The command in this process (its process wrapper: test/cli/cliSmoke.test.ts).
  const run = (against: string) =>
    synthCli("--stack", "staging", "--out", dir, "--quiet", "--against", against);

  it("exits 0 against an unchanged export", async () => {
    const r = await run(previous);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /0 create, 0 update, 0 replace, 0 delete; 0 refused/);
  });

  it("refuses (exit 2) another stack's export, naming both stacks, instead of reading every resource as replaced", async () => {
    const file = path.join(dir, "pi.json");
    fs.writeFileSync(file, JSON.stringify((await synth("pi")).export));
    const r = await run(file);
    assert.equal(r.status, 2, r.stderr + r.stdout);
    assert.match(
      r.stderr,
      /--against: expected an export of stack "staging" \(project homelab-observability\), found one of stack "pi" \(project homelab-observability\), as its URNs say; compare a stack with its own export \(pulumi stack export --stack staging/,
    );
    assert.doesNotMatch(r.stdout, /REFUSED/);
  });

  it("a previous export that does not render: its input (exit 2), Helm's message said as synth says its own, no unexpected error", async () => {
    const exp: StackExport = JSON.parse(fs.readFileSync(previous, "utf8"));
    const loki = exp.deployment.resources.find((r) => r.type === RELEASE && r.inputs.chart === "loki")!;
    // Values the chart's schema refuses (a resources block written as a size).
    loki.inputs.values.singleBinary.resources = "512Mi";
    const file = path.join(dir, "staging-not-rendering.json");
    fs.writeFileSync(file, JSON.stringify(exp));
    const r = await run(file);
    assert.equal(r.status, 2, r.stderr + r.stdout);
    assert.doesNotMatch(r.stderr + r.stdout, /unexpected error/);
    assert.match(
      r.stderr,
      new RegExp(
        `--against ${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: the previous export does not render, so the change from it is not known: 1 of \\d+ Helm releases did not render \\(helm template\\):\n {2}monitoring/loki \\(loki [\\d.]+\\): [^]*singleBinary\\.resources: Invalid type`,
      ),
    );
    assert.match(r.stdout, /staging: FAIL \(exit 2\): bad input: --against /);
  });

  it("exits 1 naming the StatefulSet and volumeClaimTemplates when the previous Loki volumes had another size", async () => {
    const exp: StackExport = JSON.parse(fs.readFileSync(previous, "utf8"));
    const loki = exp.deployment.resources.find((r) => r.type === RELEASE && r.inputs.chart === "loki")!;
    loki.inputs.values.singleBinary.persistence = {
      ...loki.inputs.values.singleBinary.persistence,
      size: "5Gi",
    };
    const file = path.join(dir, "staging-loki-5Gi.json");
    fs.writeFileSync(file, JSON.stringify(exp));
    const r = await run(file);
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /REFUSED StatefulSet monitoring\/loki spec\.volumeClaimTemplates: .*size 5Gi -> 10Gi/,
    );
    // The stack's last line says why it fails, not only that it does.
    assert.match(r.stdout, /\nstaging: FAIL \(exit 1\): the change: 1 refused \(above\)\n/);
  });

  it("a previous file that is not an export: exit 2 naming the file and the expected form", async () => {
    const file = path.join(dir, "not-an-export.json");
    fs.writeFileSync(file, JSON.stringify({ hello: 1 }));
    const out = path.join(dir, "not-an-export-out");
    const r = await synthCli("--stack", "staging", "--out", out, "--quiet", "--against", file);
    assert.equal(r.status, 2);
    assert.match(
      r.stderr,
      /--against \S+not-an-export\.json: not a `pulumi stack export` file \(expected deployment\.resources\[\], found an object with the keys "hello"\); give the file `pulumi stack export` writes/,
    );
    // Said before any work: nothing synthesized, nothing written; only the closing line on stdout.
    assert.equal(r.stdout, `synth: FAIL (exit 2): bad input: --against ${file} (above)\n`);
    assert.ok(!fs.existsSync(out), "no out folder made");
  });
});

describe("change check: chart bumps to the newest archives (Renovate's pull requests)", function () {
  this.timeout(120000);
  for (const stack of ["staging", "pi"]) {
    it(`${stack}: pinned -> newest and back: every object updates in place, none refused`, async () => {
      const newest = newestCharts();
      const pinned = (await synth(stack)).export;
      const bumped = clone(pinned);
      let moved = 0;
      for (const r of bumped.deployment.resources)
        if (r.type === RELEASE && newest[r.inputs.chart] && newest[r.inputs.chart] !== r.inputs.version) {
          r.inputs.version = newest[r.inputs.chart];
          moved++;
        }
      assert.ok(moved >= 4, `the cache holds newer archives for ${moved} charts`);
      const [a, b] = [await stateOf(pinned), await stateOf(bumped)];
      for (const report of [planChange(a, b), planChange(b, a)]) {
        assert.deepEqual(
          report.refused.map((e) => `${e.subject}: ${e.refused.map((r) => r.field).join(", ")}`),
          [],
        );
        assert.ok(
          report.entries.filter((e) => e.action === "update").length > 20,
          "the bump changes objects",
        );
      }
    });
  }
});

describe("change check: every adjacent phase transition, both directions, both backends", function () {
  this.timeout(240000);
  // Production refuses one step by design: leaving dual-write backwards deletes the backend's
  // protected buckets (or its protected release), which needs `pulumi state unprotect` first (README).
  const EXPECTED: Record<string, string[]> = {
    "production mimir dual-write -> loki-fixed": [
      "S3Bucket::objectstore-production-mimir-blocks protect",
      "S3Bucket::objectstore-production-mimir-ruler protect",
      "S3Bucket::objectstore-production-mimir-alertmanager protect",
    ],
    "production victoriametrics dual-write -> loki-fixed": ["Release::victoriametrics protect"],
  };
  for (const stack of ["staging", "production", "pi"])
    for (const backend of BACKENDS) {
      it(`${stack} with ${backend}: nothing refused but the documented unprotect step`, async () => {
        const states: StackState[] = [];
        for (const phase of PHASES) {
          const r = await synth(stack, { phase, ...onBackend(backend) });
          states.push(await stateOf(r.export, { secretKeys: r.secretDataKeys, adopted: r }));
        }
        const seen: Record<string, string[]> = {};
        for (let i = 0; i + 1 < states.length; i++)
          for (const [x, y] of [
            [i, i + 1],
            [i + 1, i],
          ]) {
            const report = planChange(states[x], states[y]);
            const refused = report.refused.flatMap((e) => e.refused.map((r) => `${e.subject} ${r.field}`));
            if (refused.length) seen[`${stack} ${backend} ${PHASES[x]} -> ${PHASES[y]}`] = refused;
          }
        const expected = Object.fromEntries(
          Object.entries(EXPECTED).filter(([k]) => k.startsWith(`${stack} ${backend} `)),
        );
        assert.deepEqual(seen, expected);
      });
    }
});

describe("change check: taking over seed 000's cluster with --running", function () {
  this.timeout(180000);
  let dir: string;
  let text: string;
  let code: number;
  let refused: number;
  before(async () => {
    // The same path every run: the fixture cache's read of the stack file (test/support/helpers.ts
    // storedConfigRead) keys the overrides, which name the folder, so a new folder each run wrote an
    // entry no run read again.
    dir = stableDir("change-check-running000");
    await writeSeed000Running(dir);
    const over = { takeover: { ...takeoverBlock(), running: dir } };
    const r = await synth("takeover", over);
    // The fixture cache keys the running folder by its files, not its path (test/support/helpers.ts
    // synthKey): that holds while a synthesis never names the folder, whichever run wrote the entry.
    assert.ok(!JSON.stringify(r).includes(dir), "the entry names the folder");
    ({ text, code, refused } = await withSyntheses(() =>
      checkChange(ROOT, "takeover", r, { running: dir, overrides: stackOverrides(over) }),
    ));
  });

  it("plans the update with 0 replacements and one refusal, Grafana's database in an emptyDir, and imports without a change", () => {
    // Seed 000's Grafana runs without persistence: the update's claim would start it on an empty
    // database, so that is refused until the stack says it is copied out (change/grafanaData.ts).
    assert.equal(code, 1, text);
    assert.equal(refused, 1);
    assert.match(
      text,
      /first update, object by object[^]*\d+ create, \d+ update, 0 replace, \d+ delete; 1 refused/,
    );
    assert.deepEqual(
      text.match(/REFUSED .*/g)?.map((l) => l.split(":")[0]),
      ["REFUSED Deployment monitoring/grafana spec.template.spec.volumes[storage]"],
    );
    assert.match(text, /takeover\.grafanaDatabaseSaved: true$/m);
    const importStep = text.split("import step")[1].split("first update")[0];
    assert.deepEqual(
      importStep
        .split("\n")
        .filter((l) => /^\s+[=~+-]/.test(l))
        .map((l) => l.trim().replace(/\s+/g, " ")),
      [
        "= import Namespace::namespace",
        "= import Release::loki",
        "= import PersistentVolumeClaim::prometheus-volume",
        "= import Release::kube-prometheus-stack",
        "= import Release::grafana",
      ],
    );
  });

  it("says which releases and fields it adopted from what runs", () => {
    assert.match(text, /release monitoring\/loki: 2 value\(s\)/);
    assert.match(
      text,
      /write\.persistence\.storageClass: keeps unset \(the program would set "openebs-hostpath"\)/,
    );
    assert.match(text, /backend\.persistence\.storageClass: keeps unset/);
    assert.match(text, /alertmanager\.alertmanagerSpec\.storage: keeps \{\}/);
    // Without the running state the same update would break on exactly those claim templates.
    assert.match(
      text,
      /without the running state the same update would hit 4 refused change\(s\): StatefulSet monitoring\/loki-backend spec\.volumeClaimTemplates; StatefulSet monitoring\/loki-write spec\.volumeClaimTemplates; Alertmanager monitoring\/kube-prometheus-stack-alertmanager spec\.storage\.volumeClaimTemplate; Deployment monitoring\/grafana spec\.template\.spec\.volumes\[storage\]/,
    );
  });

  it("the import would replace the bound claim without the live-field ignores", async () => {
    const r = await synth("takeover", { takeover: { ...takeoverBlock(), running: dir } });
    const running = readRunningDir(dir);
    const stripped = {
      ...r,
      imports: r.imports.map((i) => ({
        ...i,
        ignoreChanges: (i.ignoreChanges ?? []).filter((p) => !(LIVE_FIELD_IGNORES[i.type] ?? []).includes(p)),
      })),
    };
    const pvc = previews(stripped, running, "import").find((p) =>
      p.resource.startsWith("PersistentVolumeClaim"),
    )!;
    assert.equal(pvc.op, "+- replace");
    assert.match(pvc.refused[0].field, /spec\.volumeName/);
    const ns = previews(stripped, running, "import").find((p) => p.resource.startsWith("Namespace"))!;
    assert.equal(ns.op, "= import, ~ update");
  });

  it("refuses (exit 1) a running release left out of takeover.releases, naming it and the key to add", async () => {
    const project = tmpDir("t-miss");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    const file = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    const missing = file.replace(/^ +grafana: monitoring\/grafana\n/m, "");
    assert.notEqual(missing, file, "the takeover block lists grafana");
    fs.writeFileSync(path.join(project, "Pulumi.t-miss.yaml"), missing);
    const out = tmpDir("t-miss-out");
    const r = await synthCli(
      "--dir",
      project,
      "--stack",
      "t-miss",
      "--quiet",
      "--running",
      dir,
      "--out",
      out,
    );
    assert.equal(r.status, 1, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      /\+ create +Release::grafana\n +REFUSED Release::grafana name: release monitoring\/grafana already runs \(.*helm-list\.yaml\) and is not taken over: the program would install a release of that name in that namespace, and pulumi up fails \("cannot re-use a name that is still in use"\); take it over: add `grafana: monitoring\/grafana` under takeover\.releases \([^()\s]*Pulumi\.t-miss\.yaml:48; docs\/how-to\/take-over-flux\.md step 1\)$/m,
    );
    // The import step installs it; the update finds it in the state, so it is refused once.
    assert.equal(r.stdout.match(/REFUSED Release::grafana/g)?.length, 1);
  });

  it("refuses importing a listed release that helm-list.yaml does not show", async () => {
    const r = await synth("takeover", { takeover: { ...takeoverBlock(), running: dir } });
    const running = readRunningDir(dir);
    const without = { ...running, releases: running.releases.filter((x) => x.name !== "grafana") };
    const grafana = previews(r, without, "import").filter((p) => p.resource === "Release::grafana");
    assert.deepEqual(grafana, [
      {
        resource: "Release::grafana",
        op: "= import",
        fields: [],
        refused: [
          {
            field: "id",
            reason: `monitoring/grafana is not in the running state (${dir}/helm-list.yaml lists monitoring/kube-prometheus-stack, monitoring/loki): the import would fail; if the folder was collected from another cluster, collect it again with kubectl config use-context admin@production (docs/how-to/check-a-change.md#collecting-what-runs); else correct takeover.releases.grafana`,
          },
        ],
      },
    ]);
  });

  it("the update forces field ownership on the adopted namespace and claim only", async () => {
    const r = await synth("takeover", { takeover: { ...takeoverBlock(), step: "update" } });
    const forced = r.export.deployment.resources
      .filter(
        (x) =>
          x.inputs?.metadata?.annotations?.["pulumi.com/patchForce"] === PATCH_FORCE["pulumi.com/patchForce"],
      )
      .map((x) => x.type)
      .sort();
    assert.deepEqual(forced, ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:PersistentVolumeClaim"]);
  });

  it("without --running a takeover says plainly that the update step is unchecked", async () => {
    const r = await synth("takeover");
    const c = await checkChange(ROOT, "takeover", r, {});
    // Its title under the stack's name, as every section's: no label between them repeating it.
    assert.equal(
      c.text.split("\n")[0],
      "== takeover: the takeover's update step (takeover.step: update) is unchecked",
    );
    // A hint a shell can follow: no <dir> placeholder (a shell reads it as a redirection).
    assert.match(
      c.text,
      /collect what runs into a folder \(docs\/how-to\/check-a-change\.md#collecting-what-runs\) and give that folder to --running$/,
    );
    assert.doesNotMatch(c.text, /</);
    assert.equal(c.code, 0);
  });

  it("without --running a takeover whose stack file names its folder (takeover.running) says that folder and the command that checks against it", async () => {
    const r = await synth("takeover");
    const dir = tmpDir("running-named");
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stackText = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    assert.match(stackText, /\n {4}step: import\n/);
    fs.writeFileSync(
      path.join(dir, "Pulumi.takeover.yaml"),
      stackText.replace(/\n {4}step: import\n/, "\n    step: update\n    running: running\n"),
    );
    const c = await checkChange(dir, "takeover", r, {});
    const file = shownFile(path.join(dir, "Pulumi.takeover.yaml"));
    const folder = path.join(dir, "running");
    assert.equal(
      c.text.split("\n")[1],
      `  the stack file names what runs, takeover.running: running (${file}:47), the folder ${folder} (read relative to the project folder, as pulumi up reads it); this run kept what runs as it says, but judged no change from it, which Kubernetes may refuse (claim templates, selectors) only in \`pulumi up\`; check the update against that folder: npm run synth -- --dir ${dir} --stack takeover --running ${path.relative(process.cwd(), folder)}`,
    );
    assert.equal(c.code, 0);
  });

  it("buckets imported from existing.buckets (a move to Garage) are no takeover: no note whose --running is refused", async () => {
    // move-to-garage.md step 4 on staging, which has no takeover block.
    const r = await synth("staging", {
      objectStore: {
        type: "garage",
        endpoint: "http://garage.storage.svc.cluster.local:3900",
        adminEndpoint: "http://localhost:3903",
        region: "garage",
      },
      existing: { buckets: ["staging-loki-chunks", "staging-mimir-blocks", "staging-mimir-ruler"] },
    });
    assert.ok(r.export.deployment.resources.some((x) => x.importId));
    const c = await checkChange(ROOT, "staging", r, {});
    assert.doesNotMatch(c.text, /takeover|--running/);
    assert.equal(c.code, 0);
  });
});

describe("change check: data objects and release history", () => {
  it("ConfigMaps and Secrets update in place, and every release keeps 5 revisions", async () => {
    const r = await synth("staging");
    assert.deepEqual(providerFlags(r.export), { enableConfigMapMutable: true, enableSecretMutable: true });
    const next = clone(r.export);
    const cm = next.deployment.resources.find((x) => x.type === "kubernetes:core/v1:ConfigMap")!;
    cm.inputs.data = { ...cm.inputs.data, extra: "x" };
    const report = planChange({ export: r.export, objects: [] }, { export: next, objects: [] });
    assert.deepEqual(
      report.entries.map((e) => e.action),
      ["update"],
    );
    for (const rel of r.export.deployment.resources.filter((x) => x.type === RELEASE))
      assert.equal(rel.inputs.maxHistory, MAX_HISTORY, rel.urn);
    assert.equal(MAX_HISTORY, 5);
  });
});

/** The takeover block of Pulumi.takeover.yaml, as the synth helper takes it. */
function takeoverBlock(): Record<string, unknown> {
  const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8"));
  return file.config["homelab-observability:takeover"];
}

describe("change check: the buckets the committed stacks already have", function () {
  this.timeout(120000);
  const BUCKET = "minio:index/s3Bucket:S3Bucket";
  /**
   * Each committed stack's S3Bucket resources as the program made them before it stopped creating
   * the buckets nothing reads (model/storage.ts UNUSED_PURPOSES): recorded from commit 147f0e5 with
   * `npm run synth -- --stack <name> --no-render`, the state a running stack holds.
   */
  const RECORDED: Record<string, ExportResource[]> = JSON.parse(
    fs.readFileSync(path.join(ROOT, "test/support/bucketsBefore.json"), "utf8"),
  );
  const withBuckets = (exp: StackExport, buckets: ExportResource[]): StackExport => {
    const out = clone(exp);
    out.deployment.resources = [...out.deployment.resources.filter((r) => r.type !== BUCKET), ...buckets];
    return out;
  };
  /** The change check's entries for buckets, from a state holding the recorded buckets. */
  const bucketChanges = (stack: string, after: StackExport) =>
    planChange(
      { export: withBuckets(after, RECORDED[stack]), objects: [] },
      { export: after, objects: [] },
    ).entries.filter((e) => e.subject.startsWith("S3Bucket::"));
  /** The objectStore block of a committed stack file. */
  const objectStoreOf = (stack: string): Record<string, unknown> =>
    parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config[
      "homelab-observability:objectStore"
    ];

  for (const stack of ["staging", "production", "pi"])
    it(`${stack}: every bucket it had stays under its URN and name, and the change check shows no bucket deleted`, async () => {
      assert.ok(RECORDED[stack].length >= 3, `${stack} had its buckets recorded`);
      const after = (await synth(stack)).export;
      assert.deepEqual(bucketChanges(stack, after), []);
      const now = new Map(after.deployment.resources.filter((r) => r.type === BUCKET).map((r) => [r.urn, r]));
      for (const had of RECORDED[stack]) {
        const kept = now.get(had.urn);
        assert.ok(kept, `${had.urn} is still in the program`);
        // The provider replaces a bucket whose name changes (a new, empty bucket).
        assert.equal(kept.inputs.bucket, had.inputs.bucket);
        assert.equal(kept.retainOnDelete, true);
        assert.equal(!!kept.protect, !!had.protect);
      }
    });

  it("a stack that drops objectStore.keepUnusedBuckets: each kept bucket shows as a delete, refused where protected", async () => {
    for (const [stack, refused] of [
      ["staging", 0],
      ["production", 3],
    ] as const) {
      const store = { ...objectStoreOf(stack) };
      delete store.keepUnusedBuckets;
      const after = (await synth(stack, { objectStore: store })).export;
      const changes = bucketChanges(stack, after);
      assert.deepEqual(
        changes.map((e) => `${e.action} ${e.subject}`).sort(),
        ["loki-admin", "loki-ruler", "mimir-alertmanager"].map(
          (b) => `delete S3Bucket::objectstore-${stack}-${b}`,
        ),
      );
      assert.equal(changes.filter((e) => e.refused.some((r) => r.field === "protect")).length, refused);
    }
  });
});

describe("change check: protection lifted from resources the update keeps (--against)", function () {
  this.timeout(120000);

  it("production: true -> false: one warning naming the key at its line and every resource that loses protect, nothing refused", async () => {
    const dir = tmpDir("protection-lifted");
    const previous = path.join(dir, "production.json");
    fs.writeFileSync(previous, JSON.stringify((await synth("production")).export));
    const r = await checkChange(ROOT, "production", await synth("production", { production: false }), {
      against: previous,
    });
    const warnings = r.text.split("\n").filter((l) => l.startsWith("WARNING protection lifted"));
    assert.deepEqual(warnings, [
      "WARNING protection lifted: production (Pulumi.production.yaml:7) is now false, so the update removes Pulumi's protect from namespace monitoring, namespace monitoring-agents, release monitoring/prometheus-operator-crds, bucket production-loki-chunks, bucket production-loki-ruler, bucket production-loki-admin, bucket production-mimir-blocks, bucket production-mimir-ruler, bucket production-mimir-alertmanager, release monitoring/loki, PersistentVolumeClaim monitoring/prometheus-db-prometheus-kps-prometheus-0 and release monitoring/grafana: nothing is deleted now, but the engine no longer refuses a later update that deletes them and what they hold. If that is not intended, set production: true",
    ]);
    // A warning: leaving production is the stack's choice, and this update deletes nothing.
    assert.equal(r.refused, 0);
  });

  it("a resource no key of the stack protects that the previous state protected: said without a key", async () => {
    const next = (await synth("staging")).export;
    const previous = clone(next);
    const info = previous.deployment.resources.find(
      (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.urn.endsWith("::stack-info"),
    )!;
    info.protect = true;
    assert.deepEqual(
      protectionLostVerdicts(previous, next).map((v) => v.line),
      [
        "WARNING protection lifted: the update removes Pulumi's protect from ConfigMap monitoring/homelab-observability-stack: nothing is deleted now, but the engine no longer refuses a later update that deletes it and what it holds",
      ],
    );
  });

  it("prometheus.cleanupVolumeOnRemoval set on a production stack: the Prometheus claim alone, under that key", async () => {
    const dir = tmpDir("protection-lifted-claim");
    const previous = path.join(dir, "production.json");
    fs.writeFileSync(previous, JSON.stringify((await synth("production")).export));
    const r = await checkChange(
      ROOT,
      "production",
      await synth("production", { prometheus: { cleanupVolumeOnRemoval: true } }),
      { against: previous },
    );
    const warnings = r.text.split("\n").filter((l) => l.startsWith("WARNING protection lifted"));
    assert.deepEqual(warnings, [
      "WARNING protection lifted: prometheus.cleanupVolumeOnRemoval (not set in the stack file; prometheus is at Pulumi.production.yaml:46) is now true, so the update removes Pulumi's protect from PersistentVolumeClaim monitoring/prometheus-db-prometheus-kps-prometheus-0: nothing is deleted now, but the engine no longer refuses a later update that deletes it and what it holds. If that is not intended, set prometheus.cleanupVolumeOnRemoval: false",
    ]);
  });
});
