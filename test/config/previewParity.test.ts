import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { cachedChartKeys, chartCacheDir } from "../../config/chartCache";
import { plainSecretProblems, PROJECT, SECRET_KEYS } from "../../config/resolve";
import { cliStackConfigIssues } from "../../config/stackFile";
import { judgedStackConfig } from "../../config/judge";
import { RECEIVER_CREDENTIALS_KEY } from "../../model/secrets";
import { ROOT, synthCli, tmpDir, withEnv } from "../support/helpers";
import { stableDir } from "../support/stableDir";

/*
 * What `pulumi preview` (config/load.ts, judging the config the runtime hands the program) says
 * beside what the offline tools say (config/stackCheck.ts, reading the stack file): the same words.
 * The whole refusals are compared at the entry point (test/project/entrypoint.test.ts).
 */

/** A project holding staging's stack file as `s`, with `set` written over its config. */
function stackWith(set: Record<string, unknown>): string {
  const dir = tmpDir("preview-parity");
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const doc = parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
  Object.assign(doc.config, set);
  fs.writeFileSync(path.join(dir, "Pulumi.s.yaml"), stringify(doc));
  return dir;
}

describe("config: a secret key in plain text, as the program judges it (config/resolve.ts plainSecretProblems)", () => {
  const full = (k: string) => `${PROJECT}:${k}`;

  it("names every secret key present and not secret, none that is secret or absent", () => {
    const plain = new Set(["minioAdminPassword", "grafanaAdminPassword", "receiverCredentials"].map(full));
    const problems = plainSecretProblems(
      (k) => k !== full("heartbeatUrl"),
      (k) => !plain.has(k),
    );
    assert.deepEqual(
      problems.map((p) => p.split(":").slice(0, 2).join(":")),
      SECRET_KEYS.map(full).filter((k) => plain.has(k)),
    );
  });

  for (const key of SECRET_KEYS.filter((k) => k !== RECEIVER_CREDENTIALS_KEY))
    it(`words ${key} as the offline tools word it from the stack file`, () => {
      const dir = stackWith({ [full(key)]: "hunter2hunter2" });
      const offline = cliStackConfigIssues(dir, "s").issues.filter(
        (i) => i.kind === "plain" && i.key === key,
      );
      assert.equal(offline.length, 1);
      const [problem] = plainSecretProblems(
        (k) => k === full(key),
        () => false,
      );
      assert.equal(problem, offline[0].message);
      assert.doesNotMatch(problem, /hunter2/);
    });
});

describe("config: a pinned chart's keys from the chart cache (config/chartCache.ts cachedChartKeys)", function () {
  this.timeout(30000);
  const saved = process.env.HOMELAB_CHART_CACHE;
  afterEach(() => {
    if (saved === undefined) delete process.env.HOMELAB_CHART_CACHE;
    else process.env.HOMELAB_CHART_CACHE = saved;
  });

  it("reads the archive in HOMELAB_CHART_CACHE, else the default cache", function () {
    const defaultDir = chartCacheDir();
    if (!fs.readdirSync(defaultDir, { withFileTypes: true }).some((f) => f.name.startsWith("grafana-")))
      this.skip();
    assert.ok(cachedChartKeys("grafana")?.values.replicas !== undefined, "grafana's replicas known");
    process.env.HOMELAB_CHART_CACHE = defaultDir;
    assert.equal(chartCacheDir(), defaultDir);
    assert.ok(cachedChartKeys("grafana")?.values.replicas !== undefined);
  });

  it("is undefined when the archive is not there (never pulled), or the chart is not pinned", () => {
    process.env.HOMELAB_CHART_CACHE = tmpDir("no-charts");
    assert.equal(cachedChartKeys("grafana"), undefined);
    delete process.env.HOMELAB_CHART_CACHE;
    assert.equal(cachedChartKeys("no-such-chart"), undefined);
  });
});

describe("config: chartValues keys unchecked (config/judge.ts), said once by whoever runs", () => {
  it("the judge names a chart without an archive every time it judges, and keeps nothing between calls", () => {
    const raw = { chartValues: { grafana: { replicsa: 3 } } };
    const none = () => undefined;
    assert.deepEqual(judgedStackConfig(raw, "s", {}, { chartKeys: none }).unchecked, ["grafana"]);
    assert.deepEqual(judgedStackConfig(raw, "s", {}, { chartKeys: none }).unchecked, ["grafana"]);
  });

  /** synth of staging with `chartValues` (YAML under the key) and no chart archive: its run and the lines saying so. */
  async function synthUnchecked(name: string, chartValues: string) {
    const dir = tmpDir(name);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const stack = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
    fs.writeFileSync(
      path.join(dir, "Pulumi.staging.yaml"),
      stack.replace("config:\n", `config:\n  homelab-observability:chartValues:\n${chartValues}`),
    );
    // An empty chart cache at the same path every run (test/support/stableDir.ts): the fixture cache
    // keys the synthesis by every HOMELAB_* value, and a new folder each run synthesized staging
    // again into an entry no run read (both syntheses of this file; warm, two runs each: 4.18 and
    // 3.54 s of CPU before, 2.54 and 2.50 s after).
    const r = await withEnv({ HOMELAB_CHART_CACHE: stableDir("preview-parity-no-charts") }, () =>
      synthCli("--dir", dir, "--stack", "staging", "--no-render", "--quiet", "--out", path.join(dir, "out")),
    );
    const said = (r.stdout + r.stderr).split("\n").filter((l) => l.includes("chartValues keys not checked"));
    return { r, said };
  }

  it("synth says it once: the program it runs under the mocks does not say it again", async () => {
    const { r, said } = await synthUnchecked(
      "unchecked-once",
      "    grafana:\n      revisionHistoryLimit: 3\n",
    );
    assert.equal(said.length, 1, r.stdout + r.stderr);
  });

  it("synth says it with a refusal of the stack's config too, not only once the config is fixed", async () => {
    // `grafan`, no chart's name: the config is refused, the grafana keys went unchecked.
    const { r, said } = await synthUnchecked(
      "unchecked-refused",
      "    grafana:\n      replicsa: 3\n    grafan:\n      replicas: 1\n",
    );
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /homelab-observability:chartValues\.grafan: /);
    assert.deepEqual(said, [
      "staging: chartValues keys not checked (no chart archive in the chart cache, HOMELAB_CHART_CACHE): grafana",
    ]);
  });
});
