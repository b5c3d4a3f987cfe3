import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { synthStack } from "../../synth/run";
import { stackNames } from "../../config/paths";
import { cached, cachedSync, cacheKey, keyFiles } from "../support/fixtureCache";
import { pruneUnused } from "../support/cachePrune";
import { ROOT, stackOverrides, storedConfigRead, synth, synthKey, tmpDir } from "../support/helpers";
import { stableDir } from "../support/stableDir";
import { PROJECT } from "../../config/resolve";
import { readStackConfig } from "../../synth/synthesize";
import { sameJson } from "../../change/sameJson";
import { addRunningRules, seed000RunningKey, writeSeed000Running } from "../support/runningSeed000";
import { sourceFiles } from "../support/layout";
import { chartCacheDir } from "../../synth/render/helm";
import { alloyReferenceFile, alloyRegistryFile } from "../../upstream/alloy/components";
import { ENGINE_REFERENCE_FILES } from "../../upstream/engines/references";
import { externalReferenceDir } from "../../upstream/reference";

describe("the test fixture cache (test/support/fixtureCache.ts)", () => {
  it("computes an entry once, and every caller gets the same value, frozen to its last leaf", async () => {
    const dir = tmpDir("fixture-cache");
    let runs = 0;
    const compute = () => Promise.resolve({ runs: ++runs, list: [1, 2], deep: { x: [{ y: 1 }] } });
    const a = await cached("t", "k", compute, dir);
    // The computing caller too: a test behaves the same whether it computed the entry or hit it.
    assert.throws(() => a.list.push(3), TypeError);
    assert.throws(() => {
      a.deep.x[0].y = 2;
    }, TypeError);
    const b = await cached("t", "k", compute, dir);
    assert.equal(runs, 1);
    assert.equal(b, a, "one value per entry in a process");
    assert.deepEqual(b, { runs: 1, list: [1, 2], deep: { x: [{ y: 1 }] } });
    // A copy is the caller's own to change.
    const mine = structuredClone(b);
    mine.list.push(3);
    assert.deepEqual((await cached("t", "k", compute, dir)).list, [1, 2]);
  });

  it("stores an output the provider echoes from the inputs once, and reads it back as a parse of the whole would give it", async () => {
    const dir = tmpDir("fixture-cache");
    const dashboard = `{"title":"${"x".repeat(5000)}"}`;
    const value = {
      export: {
        deployment: {
          resources: [
            { urn: "u0", inputs: { a: 1 }, outputs: { a: 2 } },
            {
              urn: "u1",
              inputs: { data: { "d.json": dashboard }, spec: { l: [1, { m: "n" }] }, only: "in" },
              outputs: {
                id: "i",
                spec: { l: [1, { m: "n" }] },
                data: { "d.json": dashboard },
                skipped: undefined,
              },
            },
          ],
        },
      },
      other: [1],
    };
    const computed = await cached("t", "k", () => Promise.resolve(value), dir);
    const text = fs.readFileSync(path.join(dir, "t", "k.f2.json"), "utf8");
    assert.equal(text.split("x".repeat(5000)).length - 1, 1, "the dashboard is written once");
    // A hit from another process (cachedSync parses the file afresh) and the computing caller both
    // get what a JSON round trip of the value gives, keys in their order, each container its own.
    const read = cachedSync<typeof value>("t", "k", () => assert.fail("a hit computes nothing"), dir);
    for (const got of [read, computed]) {
      assert.equal(JSON.stringify(got), JSON.stringify(value));
      assert.deepEqual(got, JSON.parse(JSON.stringify(value)));
      const r = got.export.deployment.resources[1];
      assert.notEqual(r.outputs.spec!.l[1], r.inputs.spec!.l[1]);
      assert.notEqual(r.outputs.spec, r.inputs.spec);
    }
    read.export.deployment.resources[1].outputs.spec!.l.push(2);
    assert.deepEqual(read.export.deployment.resources[1].inputs.spec!.l, [1, { m: "n" }]);
  });

  it("a whole run's end removes the entries no test read or wrote, and nothing else", () => {
    const dir = tmpDir("fixture-cache");
    const hour = Date.now() / 1000 - 3600;
    cachedSync("t", "aa", () => 1, dir);
    cachedSync("t", "bb", () => 2, dir);
    const [read, unread] = ["aa", "bb"].map((k) =>
      path.join(
        dir,
        "t",
        fs.readdirSync(path.join(dir, "t")).find((f) => f.startsWith(k))!,
      ),
    );
    // Both written an hour ago (an earlier run), then only one read in this run.
    for (const f of [read, unread]) fs.utimesSync(f, hour, hour);
    // Files that are no entry of the fixture cache, old as well: the check cache's, the run records.
    fs.mkdirSync(path.join(dir, "checks"));
    const others = [path.join(dir, "checks", "ab12.json"), path.join(dir, "timings.json")];
    // A temporary file and a lock that a killed run left.
    const left = [`${unread}.123.tmp`, `${unread}.lock`];
    for (const f of [...others, ...left]) {
      fs.writeFileSync(f, "{}");
      fs.utimesSync(f, hour, hour);
    }
    const since = Date.now() - 1000;
    assert.equal(
      cachedSync("t", "aa", () => 3, dir),
      1,
      "a hit",
    );
    const gone = pruneUnused(dir, since);
    assert.equal(gone.entries, 1);
    assert.deepEqual(
      [read, unread, ...others, ...left].filter((f) => fs.existsSync(f)),
      [read, ...others],
    );
    // What the next run reads is still there: no recompute.
    assert.equal(
      cachedSync("t", "aa", () => 4, dir),
      1,
    );
  });

  it("makes a second caller of the same entry wait for the first (the lock), not compute it again", async () => {
    const dir = tmpDir("fixture-cache");
    let runs = 0;
    const slow = () => new Promise<number>((r) => setTimeout(() => r(++runs), 300));
    const [a, b] = await Promise.all([cached("t", "k", slow, dir), cached("t", "k", slow, dir)]);
    assert.deepEqual([a, b, runs], [1, 1, 1]);
    assert.deepEqual(fs.readdirSync(path.join(dir, "t")), ["k.f2.json"], "no lock or temporary file left");
  });

  it("never keeps a failure, and releases the lock after one", async () => {
    const dir = tmpDir("fixture-cache");
    await assert.rejects(
      cached("t", "k", () => Promise.reject(new Error("refused")), dir),
      /refused/,
    );
    assert.equal(await cached("t", "k", () => Promise.resolve(7), dir), 7);
  });

  it("takes over the lock of a worker that died holding it", async () => {
    const dir = tmpDir("fixture-cache");
    fs.mkdirSync(path.join(dir, "t"));
    const lock = path.join(dir, "t", "k.f2.json.lock");
    fs.writeFileSync(lock, "");
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(lock, old, old);
    assert.equal(await cached("t", "k", () => Promise.resolve(8), dir), 8);
  });

  it("keys on the caller's inputs, the kind and the environment the program reads", () => {
    const base = cacheKey("synth", ["staging", {}]);
    assert.equal(cacheKey("synth", ["staging", {}]), base, "stable");
    assert.notEqual(cacheKey("synth", ["pi", {}]), base);
    assert.notEqual(cacheKey("synth", ["staging", { "homelab-observability:phase": "x" }]), base);
    assert.notEqual(cacheKey("other", ["staging", {}]), base);
    const saved = { op: process.env.OP_SERVICE_ACCOUNT_TOKEN, kc: process.env.KUBECONFIG };
    const dir = tmpDir("fixture-cache-env");
    try {
      process.env.OP_SERVICE_ACCOUNT_TOKEN = "t";
      const withToken = cacheKey("synth", ["staging", {}]);
      assert.notEqual(withToken, base);
      delete process.env.OP_SERVICE_ACCOUNT_TOKEN;
      const kc = path.join(dir, "config");
      process.env.KUBECONFIG = kc;
      fs.writeFileSync(kc, "current-context: a\n");
      const a = cacheKey("synth", ["staging", {}]);
      fs.writeFileSync(kc, "current-context: b\n");
      assert.notEqual(cacheKey("synth", ["staging", {}]), a, "the kubeconfig file's content");
    } finally {
      for (const [k, v] of [
        ["OP_SERVICE_ACCOUNT_TOKEN", saved.op],
        ["KUBECONFIG", saved.kc],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
    assert.equal(cacheKey("synth", ["staging", {}]), base, "back with the environment");
  });

  it("keys a synthesis on the config it reads, not on how the overrides are written", () => {
    const base = synthKey("staging", { phase: "dual-write", metricsBackend: "victoriametrics" });
    assert.equal(synthKey("staging", { metricsBackend: "victoriametrics", phase: "dual-write" }), base);
    // Staging's stack file is at kps-removed: saying so again is the same synthesis.
    assert.equal(synthKey("staging", { phase: "kps-removed" }), synthKey("staging"));
    assert.notEqual(
      synthKey("staging", { phase: "backend-primary", metricsBackend: "victoriametrics" }),
      base,
    );
    assert.notEqual(synthKey("production", { phase: "dual-write", metricsBackend: "victoriametrics" }), base);
    // A config the synthesis refuses keys on its overrides: one entry each, never a valid one's.
    const refused = synthKey("staging", { phase: "no-such-phase" });
    assert.notEqual(refused, synthKey("staging"));
    assert.notEqual(synthKey("staging", { phase: "nor-this-one" }), refused);
  });

  it("reads the config a synthesis's key is made of once for every run, from an entry of its own (a refusal stored as null)", () => {
    const dir = tmpDir("fixture-cache");
    const overrides = { [`${PROJECT}:phase`]: "dual-write" };
    const fresh = readStackConfig(ROOT, "staging", overrides);
    assert.deepEqual(storedConfigRead("staging", overrides, dir), fresh, "computed: what a read gives");
    const file = path.join(
      dir,
      "stack-config",
      `${cacheKey("stack-config", ["staging", overrides])}.f2.json`,
    );
    const entry = JSON.parse(fs.readFileSync(file, "utf8"));
    assert.deepEqual(entry.value, JSON.parse(JSON.stringify({ read: fresh })));
    // The next caller (another worker, the next run) reads the entry; it does not read the stack again.
    entry.value.read.config.marker = "from the entry";
    fs.writeFileSync(file, JSON.stringify(entry));
    assert.equal(storedConfigRead("staging", overrides, dir)?.config.marker, "from the entry");
    const refused = { [`${PROJECT}:phase`]: "no-such-phase" };
    assert.equal(storedConfigRead("staging", refused, dir), undefined);
    const refusedFile = path.join(
      dir,
      "stack-config",
      `${cacheKey("stack-config", ["staging", refused])}.f2.json`,
    );
    assert.deepEqual(JSON.parse(fs.readFileSync(refusedFile, "utf8")).value, { read: null });
    assert.equal(storedConfigRead("staging", refused, dir), undefined, "the refusal read back");
  });

  it("keys a takeover's running folder by what it holds, not by where it is", () => {
    const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8"));
    const takeover = file.config["homelab-observability:takeover"];
    // Folders at the same paths every run (test/support/stableDir.ts): synthKey reads the stack file
    // through the fixture cache, keyed by the overrides that name them, and a new folder each run
    // wrote entries no run read again.
    const [a, b] = [stableDir("fixture-cache-running-a"), stableDir("fixture-cache-running-b")];
    for (const d of [a, b]) {
      fs.mkdirSync(path.join(d, "values"));
      fs.writeFileSync(path.join(d, "helm-list.yaml"), "- name: loki\n");
      fs.writeFileSync(path.join(d, "values", "loki.yaml"), "x: 1\n");
    }
    // At the update step, which keeps what runs (plan/takeover.ts keepOf); the import step reads
    // nothing of the folder (the test below).
    const keyOf = (dir: string) =>
      synthKey("takeover", { takeover: { ...takeover, step: "update", running: dir } });
    assert.equal(keyOf(a), keyOf(b), "two folders holding the same files");
    fs.writeFileSync(path.join(b, "values", "loki.yaml"), "x: 2\n");
    assert.notEqual(keyOf(a), keyOf(b), "a file nested in it changed");
    fs.writeFileSync(path.join(b, "values", "loki.yaml"), "x: 1\n");
    // An empty folder is one of its names too (model/running.ts readRunningDir lists them): named as
    // a values file of a namespace helm-list.yaml does not list, the synthesis refuses the folder.
    fs.mkdirSync(path.join(b, "kube-system.foo.values.yaml"));
    assert.notEqual(keyOf(a), keyOf(b), "an empty folder added");
    fs.rmdirSync(path.join(b, "kube-system.foo.values.yaml"));
    assert.equal(keyOf(a), keyOf(b), "the empty folder gone");
    fs.renameSync(path.join(b, "values", "loki.yaml"), path.join(b, "values", "grafana.yaml"));
    assert.notEqual(keyOf(a), keyOf(b), "a file renamed");
  });

  it("keys the import step with a running folder as without one, the program reading nothing of it there; the synthesis is the same", async function () {
    this.timeout(120_000);
    const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8"));
    const takeover = file.config["homelab-observability:takeover"];
    assert.equal(takeover.step, "import");
    // Seed 000 as it runs (test/support/runningSeed000.ts), and a copy with one rule more.
    const [a, b, refused] = ["a", "b", "refused"].map((n) => stableDir(`fixture-cache-import-${n}`));
    for (const d of [a, b]) await writeSeed000Running(d);
    addRunningRules(b, [
      {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "extra", namespace: "cert-manager" },
        spec: { groups: [{ name: "extra", rules: [{ alert: "Extra", expr: "vector(1)" }] }] },
      },
    ]);
    fs.writeFileSync(path.join(refused, "helm-list.yaml"), "- name: loki\n");
    const at = (step: string, running: string) => ({ takeover: { ...takeover, step, running } });
    assert.equal(synthKey("takeover", at("import", a)), synthKey("takeover"), "a folder, and none");
    assert.equal(synthKey("takeover", at("import", a)), synthKey("takeover", at("import", b)), "two");
    assert.notEqual(synthKey("takeover", at("update", a)), synthKey("takeover", at("update", b)));
    // A folder the program refuses (reports missing): keyed on what it holds, its synthesis refused.
    assert.notEqual(synthKey("takeover", at("import", refused)), synthKey("takeover"));
    await assert.rejects(synth("takeover", at("import", refused)), /takeover\.running: expected a folder/);
    // What the merged keys stand for: the import step synthesized with the folder, under a key of
    // its own (the overrides as written and the seed's reports), is the synthesis without it.
    const overrides = stackOverrides(at("import", a));
    const withFolder = await cached(
      "synth-as-written",
      cacheKey("synth-as-written", ["takeover", overrides, seed000RunningKey()]),
      () => synthStack(ROOT, "takeover", overrides),
    );
    assert.ok(sameJson(withFolder, await synth("takeover")), "the same synthesis");
  });

  it("keys a derived key that states what it derives to as left to derive; the synthesis is the same", async function () {
    this.timeout(120_000);
    // Staging runs the standard profile (Mimir, Alloy) and names its cluster after itself.
    const base = synthKey("staging");
    assert.equal(synthKey("staging", { metricsBackend: "mimir" }), base);
    assert.equal(synthKey("staging", { logAgent: "alloy", cluster: "staging" }), base);
    assert.equal(synthKey("staging", { cluster: "" }), base, "the stack file's own cluster, left to derive");
    assert.notEqual(synthKey("staging", { metricsBackend: "victoriametrics" }), base);
    assert.notEqual(synthKey("staging", { cluster: "elsewhere" }), base);
    // The lightweight profile derives the other backend: there mimir is a choice of its own.
    assert.notEqual(synthKey("pi", { metricsBackend: "mimir" }), synthKey("pi"));
    const overrides = stackOverrides({ metricsBackend: "mimir", cluster: "" });
    const asWritten = await cached(
      "synth-as-written",
      cacheKey("synth-as-written", ["staging", overrides]),
      () => synthStack(ROOT, "staging", overrides),
    );
    assert.ok(sameJson(asWritten, await synth("staging")), "the same synthesis");
  });

  it("keys the stack file's read by what a takeover's running folder holds, not only by its path", () => {
    // The read may judge the folder (config/stackCheck.ts, beside a refused stack's other problems):
    // keyed by the overrides alone, which name it by its path, a folder at the same path every run
    // (test/support/stableDir.ts) could read a verdict on what it held before.
    const file = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8"));
    const takeover = file.config["homelab-observability:takeover"];
    const [dir, running] = [tmpDir("fixture-cache"), tmpDir("running-same-path")];
    const overrides = stackOverrides({ takeover: { ...takeover, running } });
    const entries = () => fs.readdirSync(path.join(dir, "stack-config")).length;
    fs.writeFileSync(path.join(running, "helm-list.yaml"), "[]\n");
    const first = storedConfigRead("takeover", overrides, dir);
    assert.notEqual(first, undefined);
    fs.writeFileSync(path.join(running, "pvcs.yaml"), "kind: List\nitems: [1, hello]\n");
    assert.deepEqual(storedConfigRead("takeover", overrides, dir), first);
    assert.equal(entries(), 2, "what it holds changed at the same path: an entry of its own");
    fs.rmSync(path.join(running, "pvcs.yaml"));
    assert.deepEqual(storedConfigRead("takeover", overrides, dir), first);
    assert.equal(entries(), 2, "what it held first: the first entry, read");
  });

  it("hashes every file the program and the pack are built from, the stack files, the lock file, the charts and the reference data", () => {
    const hashed = new Set(keyFiles().map((f) => path.relative(ROOT, f)));
    const missing = [
      ...sourceFiles(ROOT),
      ...stackNames(ROOT).map((s) => `Pulumi.${s}.yaml`),
      "Pulumi.yaml",
      "package-lock.json",
    ].filter((f) => !hashed.has(f));
    assert.deepEqual(missing, []);
    // The chart cache and the external test corpora as the program finds them (HOMELAB_CHART_CACHE,
    // HOMELAB_REFERENCE_DIR, else their defaults), whichever of them holds files here.
    for (const dir of [chartCacheDir(ROOT), externalReferenceDir()]) {
      if (!dir || !fs.existsSync(dir) || fs.readdirSync(dir).length === 0) continue;
      const rel = path.relative(ROOT, dir);
      assert.ok(
        [...hashed].some((f) => f.startsWith(rel + path.sep)),
        `nothing of ${dir} hashed`,
      );
    }
    for (const data of [ENGINE_REFERENCE_FILES.loki, ENGINE_REFERENCE_FILES.mimir])
      assert.ok(hashed.has(path.join("upstream", "engines", "data", data)), `${data} hashed`);
    assert.ok(hashed.has(path.relative(ROOT, alloyReferenceFile())), "Alloy's component reference hashed");
    assert.ok(hashed.has(path.relative(ROOT, alloyRegistryFile())), "Alloy's registry hashed");
    assert.ok(![...hashed].some((f) => f.startsWith(`test${path.sep}`)), "the tests are not the program");
  });

  it("hashes the chart cache and reference data configured in the environment, not a fixed ../shared path", () => {
    const charts = tmpDir("charts-elsewhere");
    const reference = tmpDir("reference-elsewhere");
    fs.writeFileSync(path.join(charts, "loki-0.0.0.tgz"), "archive");
    fs.writeFileSync(path.join(reference, "facts.json"), "{}");
    const saved = { c: process.env.HOMELAB_CHART_CACHE, r: process.env.HOMELAB_REFERENCE_DIR };
    process.env.HOMELAB_CHART_CACHE = charts;
    process.env.HOMELAB_REFERENCE_DIR = reference;
    try {
      const files = keyFiles();
      assert.ok(files.includes(path.join(charts, "loki-0.0.0.tgz")), "the configured chart cache");
      assert.ok(files.includes(path.join(reference, "facts.json")), "the configured reference data");
      const shared = path.resolve(ROOT, "..", "shared");
      assert.deepEqual(
        files.filter((f) => f.startsWith(shared + path.sep)),
        [],
        "nothing of ../shared when both are configured elsewhere",
      );
    } finally {
      for (const [k, v] of [
        ["HOMELAB_CHART_CACHE", saved.c],
        ["HOMELAB_REFERENCE_DIR", saved.r],
      ] as const)
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });

  for (const folder of ["out-node24", "policy/contract"])
    it(`skips ${folder}, which .gitignore names and a run writes (the next run would be cold)`, () => {
      const dir = path.join(ROOT, folder);
      const existed = fs.existsSync(dir);
      const file = path.join(dir, `fixture-cache-probe-${process.pid}.json`);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(file, "{}");
      try {
        assert.ok(!keyFiles().includes(file), `${folder} is hashed`);
      } finally {
        fs.rmSync(existed ? file : dir, { recursive: true, force: true });
      }
    });

  it("gives the synthesis a fresh run gives (through a JSON round trip, as a stack export is)", async function () {
    this.timeout(120_000);
    const fresh = await synthStack(ROOT, "pi");
    assert.deepEqual(await synth("pi"), JSON.parse(JSON.stringify(fresh)));
  });
});
