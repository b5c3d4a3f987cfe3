/**
 * The check cache (checks/cache.ts): a verdict is reused only for the same objects,
 * resources, options and for the same content of every file the checks loaded to reach it; any
 * change is checked afresh, so a stale verdict never passes.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { checkStack } from "../../checks";
import {
  checkCacheDir,
  checkerFiles,
  checkStackCached,
  filesDigest,
  inputKey,
  verdictKey,
} from "../../checks/cache";
import type { Placed } from "../../checks/objects";
import { MissingReferenceError, readReferenceFile, referenceFilesRead } from "../../upstream/reference";
import { daemonSet, NS } from "../support/objects";
import { compiled, freshCompiled, ROOT, tmpDir, withEnv } from "../support/helpers";
import { PRUNE_MARKER, UNUSED_DAYS } from "../../config/cachePrune";

/** Two host-network DaemonSets on distinct ports, and a ConfigMap naming the cluster DNS. */
function objects(): Placed[] {
  return [
    { obj: daemonSet("a", 9100), urn: "urn:a", source: "release a" },
    { obj: daemonSet("b", 9101), urn: "urn:b", source: "release b" },
    {
      obj: {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "dns", namespace: NS },
        data: { resolver: "kube-dns.kube-system.svc.cluster.local:53" },
      },
      urn: "urn:c",
      source: "release c",
    },
  ];
}

describe("check cache (checks/cache.ts)", () => {
  let dir: string;
  beforeEach(() => (dir = tmpDir("check-cache")));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // An empty HOMELAB_CHECK_CACHE was taken as a folder named "": `mkdir ''` failed and synth said
  // "unexpected error (please report it)" after the whole synthesis.
  it("reads an empty HOMELAB_CHECK_CACHE as unset: the project's .cache/checks", async () => {
    const report = await withEnv({ HOMELAB_CHECK_CACHE: "" }, () =>
      Promise.resolve(checkStackCached(objects(), [])),
    );
    assert.deepEqual(report.external, checkStack(objects(), []).external);
    assert.equal(
      await withEnv({ HOMELAB_CHECK_CACHE: "" }, () => Promise.resolve(checkCacheDir())),
      path.join(ROOT, ".cache", "checks"),
    );
  });

  it("answers an unchanged stack from disk with the verdict checkStack gives", () => {
    const first = checkStackCached(objects(), [], { cacheDir: dir });
    assert.equal(first.cached, false);
    assert.deepEqual(
      fs
        .readdirSync(dir)
        // The files' digests kept by their stats (written only by a process that hashed them).
        .filter((f) => f !== "digests" && f !== PRUNE_MARKER)
        .map((f) => (f.endsWith(".deps.json") ? "manifest" : "verdict"))
        .sort(),
      ["manifest", "verdict"],
    );
    const objs = objects();
    const again = checkStackCached(objs, [], { cacheDir: dir });
    assert.equal(again.cached, true);
    const report: Partial<typeof again> = { ...again };
    delete report.cached;
    assert.deepEqual(report, checkStack(objs, []));
    assert.ok(report.external.length > 0, "the ConfigMap's cluster-DNS address is reported");
    // Addresses point at the caller's objects, as checkStack's do.
    for (const a of report.external) assert.ok(objs.includes(a.found));
  });

  it("checks a changed object afresh: a host-port clash is found after a clean verdict was cached", () => {
    assert.equal(checkStackCached(objects(), [], { cacheDir: dir }).findings.length, 0);
    const changed = objects();
    changed[1].obj.spec.template.spec.containers[0].ports[0].containerPort = 9100;
    const r = checkStackCached(changed, [], { cacheDir: dir });
    assert.equal(r.cached, false);
    assert.match(r.findings.map((f) => f.message).join("\n"), /host port TCP\/9100 is claimed by/);
    // ...and that failing verdict is not served for the clean stack either.
    const clean = checkStackCached(objects(), [], { cacheDir: dir });
    assert.equal(clean.cached, true);
    assert.equal(clean.findings.length, 0);
  });

  it("keys by every input: objects, resources and options", () => {
    const base = inputKey(objects(), [], {});
    assert.equal(inputKey(objects(), [], {}), base);
    const renamed = objects();
    renamed[2].obj.data.resolver = "kube-dns.kube-system.svc.cluster.local:5353";
    assert.notEqual(inputKey(renamed, [], {}), base);
    const res = [
      { urn: "urn:a", custom: true, type: "kubernetes:helm.sh/v3:Release", inputs: {}, outputs: {} },
    ];
    assert.notEqual(inputKey(objects(), res, {}), base);
    assert.notEqual(inputKey(objects(), [], { outside: ["minio.storage"] }), base);
  });

  it("keys by the resources' texts when the caller holds them (synth's export file and import IDs): each text, where each ends, and the options", () => {
    const key = (texts: string[], opts = {}) => inputKey(objects(), [], opts, undefined, texts);
    const base = key(['{"resources":[]}', "[null]"]);
    assert.equal(key(['{"resources":[]}', "[null]"]), base);
    // The export file without import IDs holds the same text for an adopted resource and a new one.
    assert.notEqual(key(['{"resources":[]}', '["ns/grafana"]']), base);
    assert.notEqual(key(['{"resources":[{}]}', "[null]"]), base);
    // The same characters cut elsewhere are other texts.
    assert.notEqual(key(['{"resources":[]}[', "null]"]), base);
    assert.notEqual(key(['{"resources":[]}', "[null]"], { outside: ["minio.storage"] }), base);
    // Never the key of the resources serialized, whose texts these are not.
    assert.notEqual(inputKey(objects(), [], {}), base);
  });

  it("lists every module the checks loaded in the verdict's manifest: subfolders, other rooms, validator packages", () => {
    checkStackCached(objects(), [], { cacheDir: dir });
    const manifest = fs.readdirSync(dir).find((f) => f.endsWith(".deps.json"));
    assert.ok(manifest, "a manifest beside the verdict");
    const { files } = JSON.parse(fs.readFileSync(path.join(dir, manifest), "utf8")) as { files: string[] };
    assert.deepEqual(files, checkerFiles());
    const ext = path.extname(__filename);
    for (const f of [
      `checks/index${ext}`,
      `checks/schema${ext}`,
      `upstream/alloy/syntax${ext}`, // a subfolder the checks import
      `upstream/engines/references${ext}`,
      `model/versions${ext}`, // the pinned tags the Alloy and engine checks compare with
      "node_modules/ajv/package.json",
      "node_modules/kubernetes-models/package.json",
    ])
      assert.ok(files.includes(f), `${f} is not in the manifest: ${files.join(", ")}`);
    assert.ok(!files.some((f) => f.startsWith(`test${path.sep}`)), "the tests are not the checker");
  });

  it("gives a new key when a file in a subfolder the checks load changes, and the same key for an unchanged tree", () => {
    const files = checkerFiles(); // the checks are loaded: this file imports them
    const inputs = inputKey(objects(), [], {});
    // A copy of every listed file of the project (packages by their package.json), in a fresh root.
    const copy = tmpDir("check-tree");
    try {
      // A listed file that is absent (a place a package was looked for: checks/schema.ts packageDir)
      // stays absent in the copy: both trees hash it as absent.
      for (const f of files.filter((f) => !path.isAbsolute(f) && fs.existsSync(path.join(ROOT, f)))) {
        fs.mkdirSync(path.dirname(path.join(copy, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(copy, f));
      }
      const base = verdictKey(inputs, files, ROOT);
      assert.equal(verdictKey(inputs, files, copy), base, "an unchanged tree keeps its key");
      const syntax = path.join(copy, "upstream", "alloy", `syntax${path.extname(__filename)}`);
      fs.appendFileSync(syntax, "\n// a changed parser\n");
      const edited = verdictKey(inputs, files, copy);
      assert.notEqual(edited, base, "upstream/alloy/syntax changed: a new key");
      assert.equal(verdictKey(inputs, files, copy), edited, "asked again, unchanged: the same key");
      // Rewritten to the same length (the digest is kept by stat in a process: the times move).
      const text = fs.readFileSync(syntax, "utf8");
      fs.writeFileSync(syntax, text.replace("// a changed parser", "// a second parser"));
      assert.notEqual(verdictKey(inputs, files, copy), edited, "rewritten, same size: a new key");
      fs.writeFileSync(syntax, text);
      fs.appendFileSync(path.join(copy, "node_modules", "ajv", "package.json"), " ");
      assert.notEqual(verdictKey(inputs, files, copy), edited, "a validator package changed: a new key");
    } finally {
      fs.rmSync(copy, { recursive: true, force: true });
    }
  });

  it("keys a verdict on the reference data read through upstream/reference.ts, absent or present", () => {
    const data = path.join(dir, "reference.json");
    const before = new Set(referenceFilesRead);
    referenceFilesRead.add(data);
    try {
      const files = checkerFiles();
      assert.ok(files.includes(data), "a data file read is in the manifest");
      const inputs = inputKey(objects(), [], {});
      const absent = verdictKey(inputs, files);
      fs.writeFileSync(data, '{"a":1}');
      const present = verdictKey(inputs, files);
      assert.notEqual(present, absent, "data that appears gives a new key");
      fs.writeFileSync(data, '{"a":2}');
      assert.notEqual(verdictKey(inputs, files), present, "changed data gives a new key");
    } finally {
      referenceFilesRead.clear();
      for (const f of before) referenceFilesRead.add(f);
    }
    // readReferenceFile records what it is asked for, even when it is not there.
    assert.throws(
      () => readReferenceFile(path.join(ROOT, "no-such-reference", "x.json")),
      MissingReferenceError,
    );
    assert.ok([...referenceFilesRead].some((f) => f.endsWith(path.join("no-such-reference", "x.json"))));
  });

  it("answers an unchanged tree from the cache in a fresh load of the build without loading any check", function () {
    this.timeout(30_000);
    const { first, second, dir: buildDir, run } = buildRuns();
    // The first computes and writes the verdict (loading the checks); the second only reads it.
    assert.equal(first.cached, false);
    assert.deepEqual(second, { cached: true, loaded: [] });
    // The files' digest is taken from disk by their stats, not read and hashed again: a digest kept
    // there that is not theirs leads the next process to another key, and so to no verdict.
    const memo = path.join(buildDir, "digests");
    const kept = fs.readdirSync(memo);
    assert.ok(kept.length > 0, "a digest kept on disk");
    for (const f of kept) fs.writeFileSync(path.join(memo, f), "0".repeat(64));
    assert.equal(run().cached, false);
  });

  it("keeps a digest on disk by the files' stats: a file rewritten is read and hashed again", () => {
    const root = tmpDir("digest-memo");
    const memo = path.join(dir, "digests");
    const file = path.join(root, "a.json");
    fs.writeFileSync(file, "{}");
    const first = filesDigest(["a.json"], root, memo);
    assert.equal(fs.readdirSync(memo).length, 1);
    // The same bytes written again: new stats, so a new stamp; its digest is computed, not the old
    // one's file taken, and kept beside it.
    fs.writeFileSync(path.join(memo, fs.readdirSync(memo)[0]), "0".repeat(64));
    fs.rmSync(file);
    fs.writeFileSync(file, "{}");
    assert.equal(filesDigest(["a.json"], root, memo), first);
    assert.equal(fs.readdirSync(memo).length, 2);
    fs.writeFileSync(file, "[]");
    assert.notEqual(filesDigest(["a.json"], root, memo), first);
  });

  it("never answers one form of the checks with a verdict another computed: the sources, the build, a bundle", function () {
    this.timeout(30_000);
    const { sourcesCached, first } = buildRuns();
    // The sources wrote a verdict and took it back; the build reads none of it: a build older than
    // the sources (or a bundle, whose manifest lists only itself) would otherwise take a verdict its
    // own code never gave, or give one to them.
    assert.equal(sourcesCached, true);
    assert.equal(first.cached, false);
  });
});

/** What one run of the build's checkStackCached said, and the check modules it loaded. */
interface BuildRun {
  cached: boolean;
  loaded: string[];
}

/** {@link buildRuns}'s answer: the runs, their cache folder, and a way to run the build once more. */
interface BuildRuns {
  sourcesCached: boolean;
  first: BuildRun;
  second: BuildRun;
  dir: string;
  run: () => BuildRun;
}
let builds: BuildRuns | undefined;
/**
 * The last two tests' runs in one cache folder, each test reading its part: the sources (loaded in
 * this process through tsx) write a verdict and the manifest of what they loaded, and take it back;
 * then the compiled modules (the build mirrors the sources file for file) check the same objects
 * twice, each loaded anew ({@link freshCompiled}: no build module in memory from an earlier run, as
 * in a fresh node, so a verdict or a digest can come only from the disk). The build's first run is
 * both the one that must not take the sources' verdict and the one that writes its own: one run that
 * computes the checks instead of two. Measured warm, this file alone (`mocha --no-parallel`,
 * mocha's start-up included), three runs each alternating on this 2-core machine: 2.47-2.60 s of CPU
 * with these three runs and the sweep's two in a node each, 1.94-2.07 s.
 */
function buildRuns(): BuildRuns {
  if (builds) return builds;
  const dir = tmpDir("check-cache-build");
  checkStackCached(objects(), [], { cacheDir: dir });
  const sourcesCached = checkStackCached(objects(), [], { cacheDir: dir }).cached;
  const checks = path.dirname(compiled("checks/cache.ts")) + path.sep;
  const run = (): BuildRun => {
    const r = freshCached()(objects(), [], { cacheDir: dir });
    // What the run loaded of the build's checks/ (the cache module itself aside): the build modules
    // in the module cache were all loaded by it.
    const loaded = Object.keys(require.cache).filter(
      (f) => f.startsWith(checks) && !/[\\/]cache\.[jt]s$/.test(f),
    );
    return { cached: r.cached, loaded };
  };
  const first = run();
  return (builds = { sourcesCached, first, second: run(), dir, run });
}

/** The build's checkStackCached, its modules loaded anew ({@link freshCompiled}). */
const freshCached = () =>
  freshCompiled<typeof import("../../checks/cache")>("checks/cache.ts").checkStackCached;

describe("the check cache's sweep (config/cachePrune.ts): what no process read for days goes, once a day, by a process that wrote", () => {
  let dir: string;
  beforeEach(() => (dir = tmpDir("check-cache-prune")));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const DAY = 24 * 60 * 60 * 1000;
  /** Sets `file`'s access and modification times `days` ago. */
  const age = (file: string, days: number) => {
    const t = new Date(Date.now() - days * DAY);
    fs.utimesSync(file, t, t);
  };
  /** A file of `dir` (created, `days` old). */
  const put = (name: string, days: number) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, "{}");
    age(file, days);
    return file;
  };
  const hex = (c: string) => c.repeat(64);
  const present = (names: string[]) => names.filter((n) => fs.existsSync(path.join(dir, n)));
  /** Objects never checked before in `dir`: a miss, so a write. */
  const fresh = (port: number) => {
    const o = objects();
    o[0].obj.spec.template.spec.containers[0].ports[0].containerPort = port;
    return o;
  };

  it("a write removes the entries and temporaries unused for the kept days, and nothing else", () => {
    const old = [
      `${hex("a")}.json`,
      `${hex("b")}.deps.json`,
      `digests/${hex("c")}.digest`,
      `${hex("d")}.json.4242.tmp`,
    ];
    const recent = [`${hex("e")}.json`, `digests/${hex("f")}.digest`];
    const other = ["notes.txt", `${hex("9")}.json.lock`];
    for (const n of old) put(n, UNUSED_DAYS + 1);
    for (const n of recent) put(n, UNUSED_DAYS - 1);
    for (const n of other) put(n, UNUSED_DAYS + 30);
    assert.equal(checkStackCached(fresh(9200), [], { cacheDir: dir }).cached, false);
    assert.deepEqual(present(old), []);
    assert.deepEqual(present([...recent, ...other]), [...recent, ...other]);
    assert.ok(fs.existsSync(path.join(dir, PRUNE_MARKER)), "the day's sweep is marked");
  });

  it("sweeps at most once a day: a second write the same day removes nothing, one a day later does", () => {
    checkStackCached(fresh(9200), [], { cacheDir: dir });
    const stale = put(`${hex("a")}.json`, UNUSED_DAYS + 1);
    checkStackCached(fresh(9201), [], { cacheDir: dir });
    assert.ok(fs.existsSync(stale), "swept already today");
    age(path.join(dir, PRUNE_MARKER), 1.01);
    checkStackCached(fresh(9202), [], { cacheDir: dir });
    assert.ok(!fs.existsSync(stale), "a day later, the next write sweeps");
  });

  /** Whether a check of `objs` by the build loaded anew was served from `dir` (its digest read from disk, not memory). */
  const checkedAnew = (objs: Placed[]) => freshCached()(objs, [], { cacheDir: dir }).cached;

  it("a read keeps what it read: a hit stamps its manifest, verdict and digest, and a cache only read is never swept", function () {
    this.timeout(30_000);
    assert.equal(checkedAnew(objects()), false);
    const files = [
      ...fs.readdirSync(dir).filter((f) => /^[0-9a-f]{64}\./.test(f)),
      ...fs.readdirSync(path.join(dir, "digests")).map((f) => `digests/${f}`),
    ];
    assert.equal(files.length, 3, files.join(", "));
    for (const f of files) age(path.join(dir, f), UNUSED_DAYS + 1);
    age(path.join(dir, PRUNE_MARKER), 2);
    const stale = put(`${hex("a")}.json`, UNUSED_DAYS + 1);
    assert.equal(checkedAnew(objects()), true);
    assert.ok(fs.existsSync(stale), "a process that only read sweeps nothing");
    checkStackCached(fresh(9200), [], { cacheDir: dir });
    assert.deepEqual(present(files), files, "read a moment ago: kept");
    assert.ok(!fs.existsSync(stale));
  });
});
