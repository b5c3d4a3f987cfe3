import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { formatTree } from "../../synth/report";
import { readStackConfig, SECRET_SIG, SECRET_SIG_KEY, type ExportResource } from "../../synth/synthesize";
import { mapSecrets } from "@homelab-observability/contract";
import { ROOT, named, release, synth, synthCli, tmpDir } from "../support/helpers";

const STACKS = ["staging", "production", "pi"];

describe("offline synthesis", () => {
  for (const stack of STACKS) {
    it(`${stack}: writes a version-3 export whose every parent chain ends at the stack`, async () => {
      const { export: exp } = await synth(stack);
      assert.equal(exp.version, 3);
      const rs = exp.deployment.resources;
      const byUrn = new Map(rs.map((r) => [r.urn, r]));
      const root = rs.filter((r) => r.type === "pulumi:pulumi:Stack");
      assert.equal(root.length, 1);
      assert.equal(
        root[0].urn,
        `urn:pulumi:${stack}::homelab-observability::pulumi:pulumi:Stack::homelab-observability-${stack}`,
      );
      for (const r of rs) {
        assert.ok(r.urn.startsWith(`urn:pulumi:${stack}::homelab-observability::`), r.urn);
        assert.equal(typeof r.type, "string");
        assert.ok(r.inputs && typeof r.inputs === "object", `${r.urn} has inputs`);
        if (r === root[0]) continue;
        assert.ok(r.parent, `${r.urn} has a parent`);
        let cur: ExportResource | undefined = r;
        for (let hops = 0; cur && cur.type !== "pulumi:pulumi:Stack"; hops++) {
          assert.ok(hops < 10, "parent chain is finite");
          cur = byUrn.get(cur.parent!);
          assert.ok(cur, `parent of ${r.urn} exists`);
        }
        // The URN's type chain is the parent chain's types.
        if (r.parent !== root[0].urn) assert.ok(r.urn.includes(`${byUrn.get(r.parent)!.type}$`), r.urn);
      }
      // Every custom child of a component uses the explicit provider of its kind.
      for (const r of rs.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
        const pkg = r.type.split(":")[0];
        assert.ok(
          r.provider?.includes(`::pulumi:providers:${pkg}::`) ||
            r.provider?.includes(`$pulumi:providers:${pkg}::`),
          `${r.urn} uses an explicit ${pkg} provider, got ${r.provider}`,
        );
      }
    });
  }

  it("prints the tree indented by parent", async () => {
    const { export: exp } = await synth("staging");
    const tree = formatTree(exp.deployment.resources).split("\n");
    assert.equal(tree[0], "pulumi:pulumi:Stack homelab-observability-staging");
    assert.ok(tree.includes("  homelab:logging:Loki loki"));
    assert.ok(tree.includes("    kubernetes:helm.sh/v3:Release loki"));
    assert.ok(tree.includes("    minio:index/s3Bucket:S3Bucket objectstore-staging-loki-chunks  [retained]"));
  });

  it("turns secure: values of the stack file into secret placeholders", () => {
    const { config, secretKeys } = readStackConfig(ROOT, "staging");
    assert.ok(secretKeys.includes("homelab-observability:pushoverToken"));
    assert.equal(config["homelab-observability:pushoverToken"], "synth-secret-pushoverToken");
    assert.equal(JSON.parse(config["homelab-observability:loki"]).retention, "7d");
  });

  it("exports stack outputs with URLs and bucket names", async () => {
    const { export: exp } = await synth("production");
    const out = exp.deployment.resources[0].outputs;
    assert.equal(out.lokiPushUrl, "http://loki-gateway.monitoring.svc.cluster.local/loki/api/v1/push");
    assert.equal(out.metricsRemoteWriteUrl, "http://mimir.monitoring.svc.cluster.local:8080/api/v1/push");
    assert.equal(out.metricsQueryUrl, "http://kps-prometheus.monitoring.svc.cluster.local:9090");
    // The buckets the engines use; the unused ones production keeps (objectStore.keepUnusedBuckets) serve nobody.
    assert.deepEqual(out.bucketNames, [
      "production-loki-chunks",
      "production-mimir-blocks",
      "production-mimir-ruler",
    ]);
  });

  it("records seed figures in the stack files: staging SingleBinary (Monolithic by the chart's name) 7d, production SimpleScalable RF2 30d", async () => {
    const staging = release((await synth("staging")).export.deployment.resources, "loki").inputs.values;
    assert.equal(staging.deploymentMode, "Monolithic"); // SingleBinary, by chart 12.0's name
    assert.equal(staging.loki.limits_config.retention_period, "7d");
    const prod = release((await synth("production")).export.deployment.resources, "loki").inputs.values;
    assert.equal(prod.deploymentMode, "SimpleScalable");
    assert.equal(prod.loki.commonConfig.replication_factor, 2);
    assert.equal(prod.loki.limits_config.retention_period, "30d");
    assert.deepEqual(
      [prod.write.replicas, prod.read.replicas, prod.backend.replicas, prod.singleBinary.replicas],
      [3, 3, 3, 0],
    );
  });

  describe("CLI", function () {
    this.timeout(60000);
    // The command in this process (its process wrapper: test/cli/cliSmoke.test.ts).
    const runSynth = (args: string[]) => synthCli(...args);

    it("exits 0 and writes <out>/<stack>.json", async () => {
      const out = tmpDir("synth");
      const r = await runSynth(["--stack", "staging", "--out", out, "--quiet"]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /^  \d+ resources \(/m);
      assert.match(
        r.stdout.trimEnd().split("\n").pop()!,
        /^staging: pass \(exit 0\): the rendered objects and the policy pass$/,
      );
      const doc = JSON.parse(fs.readFileSync(path.join(out, "staging.json"), "utf8"));
      assert.equal(doc.version, 3);
    });

    it("counts one Vector config in the singular (the example stack runs one Vector agent)", async () => {
      const r = await runSynth(["--stack", "example", "--out", tmpDir("synth-vector"), "--quiet"]);
      assert.equal(r.status, 0, r.stderr);
      // The summary wraps its lines: joined, the count reads as one phrase.
      const summary = r.stdout.replace(/\s+/g, " ");
      assert.match(summary, / \d+ Vector components in 1 config, /);
    });

    it("exits 2 on a malformed stack file, listing every problem with its key", async () => {
      const dir = tmpDir("badstack");
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
      fs.writeFileSync(
        path.join(dir, "Pulumi.broken.yaml"),
        "config:\n  homelab-observability:kubeContext: admin@broken\n  homelab-observability:phase: sideways\n  homelab-observability:objectStore:\n    type: minio\n  homelab-observability:loki:\n    retention: -3d\n    retension: 7d\n",
      );
      const r = await runSynth(["--stack", "broken", "--dir", dir, "--out", path.join(dir, "out")]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      for (const key of [
        "homelab-observability:phase",
        "homelab-observability:objectStore.endpoint",
        "homelab-observability:loki.retention",
        "homelab-observability:loki.retension: unknown key",
      ]) {
        assert.ok(r.stderr.includes(key), `stderr names ${key}:\n${r.stderr}`);
      }
      assert.ok(
        !fs.existsSync(path.join(dir, "out", "broken.json")),
        "nothing is written for an invalid stack",
      );
    });

    it("exits 1 when a mandatory policy fails", async () => {
      const dir = tmpDir("violating");
      for (const f of ["Pulumi.yaml", "Pulumi.staging.yaml"])
        fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      // A single 8 GiB node of half a core holds staging's memory (Mimir's cap lowered to fit beside
      // every other pod) but not its CPU requests within the 80% budget, which the config does not
      // judge: the pack, not the config, refuses it.
      fs.appendFileSync(path.join(dir, "Pulumi.staging.yaml"), "");
      const text = fs
        .readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8")
        .replace(
          /nodePools:\n(    .*\n)+/,
          'nodePools:\n    - {name: tiny, arch: arm64, count: 1, cpu: "500m", memory: 8Gi}\n',
        );
      fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), text);
      const r = await runSynth([
        "--stack",
        "staging",
        "--dir",
        dir,
        "--out",
        path.join(dir, "out"),
        "--quiet",
      ]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /\[mandatory\] resource-budget: pool tiny: cpu requests/);
      // One pool: the total is that pool again, the same mistake, said once with both places.
      assert.equal(
        r.stdout.match(/\[mandatory\] resource-budget: pool \w+: (?:cpu|memory) requests/g)?.length,
        1,
        r.stdout,
      );
      assert.match(r.stdout, /the same mistake, also seen at: \[resource-budget\] pool total/);
      assert.match(
        r.stdout.trimEnd().split("\n").pop()!,
        /^staging: FAIL \(exit 1\): policy: FAIL \(\d+ mandatory\)$/,
      );
    });

    it("exits 1 and names the finding when a check on the rendered stack finds a problem", async () => {
      // A valid stack file whose MinIO address points into the stack's own namespace, where no
      // Service of the rendered stack answers (checks/addresses.ts).
      const dir = tmpDir("unresolved");
      for (const f of ["Pulumi.yaml", "Pulumi.staging.yaml"])
        fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      const file = path.join(dir, "Pulumi.staging.yaml");
      const text = fs.readFileSync(file, "utf8");
      const broken = text.replace(
        "endpoint: http://minio.storage.svc.cluster.local:9000",
        "endpoint: http://minio.monitoring.svc.cluster.local:9000",
      );
      assert.notEqual(broken, text, "staging's stack file names MinIO's in-cluster endpoint");
      fs.writeFileSync(file, broken);
      const out = path.join(dir, "out");
      const r = await runSynth(["--stack", "staging", "--dir", dir, "--out", out, "--quiet"]);
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.match(r.stderr, /staging: the rendered stack would fail in a cluster:/);
      assert.match(
        r.stderr,
        /\[address\] ConfigMap monitoring\/loki \(release loki\): http:\/\/minio\.monitoring\.svc\.cluster\.local:9000: no Service monitoring\/minio in the rendered stack/,
      );
      // One mistake, one message: every config that dials the missing Service is named under it.
      assert.equal(
        r.stderr.match(/no Service monitoring\/minio in the rendered stack/g)?.length,
        1,
        r.stderr,
      );
      assert.match(
        r.stderr,
        /the same mistake, also seen at: \[address\] ConfigMap monitoring\/alloy-cluster \(release alloy-cluster\); .*\[address\] ConfigMap monitoring\/mimir-config/,
      );
      // The policy pack passes it: the exit code is the rendered check's, and the last line says so.
      assert.match(r.stdout, /^staging: policy: pass \(0 mandatory, 0 advisory\)$/m);
      assert.match(
        r.stdout.trimEnd().split("\n").pop()!,
        /^staging: FAIL \(exit 1\): 2 rendered-object problems$/,
      );
      const unrendered = await runSynth([
        "--stack",
        "staging",
        "--dir",
        dir,
        "--out",
        out,
        "--quiet",
        "--no-render",
      ]);
      assert.equal(
        unrendered.status,
        0,
        "without rendering nothing sees it: " + unrendered.stdout + unrendered.stderr,
      );
    });

    it("--no-render removes the rendered objects and adopted list an earlier run left beside the export: they were of that run", async () => {
      const out = tmpDir("stale-side-files");
      const [rendered, adopted] = ["production.rendered.json", "production.adopted.json"].map((f) =>
        path.join(out, f),
      );
      fs.writeFileSync(rendered, JSON.stringify({ kubeVersion: "1.31.0", releases: [], raw: [] }));
      fs.writeFileSync(adopted, JSON.stringify({ imports: [{ urn: "x" }], reads: [] }));
      const r = await runSynth(["--stack", "production", "--no-render", "--quiet", "--out", out]);
      assert.equal(r.status, 0, r.stdout + r.stderr);
      assert.ok(fs.existsSync(path.join(out, "production.json")));
      // policy:check of the folder would have judged the new export with the old objects.
      assert.ok(!fs.existsSync(rendered), "a stale production.rendered.json left beside the new export");
      // production adopts nothing: an adopted list would name imports this synthesis no longer makes.
      assert.ok(!fs.existsSync(adopted), "a stale production.adopted.json left beside the new export");
    });

    it("exits 2 on unknown arguments and missing stacks", async () => {
      assert.equal((await runSynth(["--stak", "staging"])).status, 2);
      const missing = await runSynth(["--stack", "nope", "--out", tmpDir("x")]);
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, /no stack file .*Pulumi\.nope\.yaml/);
    });

    it("runs again in the same process with nothing carried over: failed runs between two leave the second the same", async () => {
      // The Pulumi mocks' runtime state (setMocks, setAllConfig) and any module-level cache must
      // not leak from one run into the next: tests and the benchmark run the command back to back.
      const outs = [tmpDir("again"), tmpDir("again")];
      const first = await runSynth(["--stack", "production", "--no-render", "--out", outs[0]]);
      assert.equal(first.status, 0, first.stderr);
      const broken = tmpDir("again-broken");
      fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(broken, "Pulumi.yaml"));
      fs.writeFileSync(
        path.join(broken, "Pulumi.production.yaml"),
        "config:\n  homelab-observability:phase: sideways\n",
      );
      const failed = await runSynth(["--stack", "production", "--dir", broken, "--out", outs[1]]);
      assert.equal(failed.status, 2, failed.stdout + failed.stderr);
      assert.equal((await runSynth(["--stak", "production"])).status, 2);
      const second = await runSynth(["--stack", "production", "--no-render", "--out", outs[1]]);
      assert.equal(second.status, 0, second.stderr);
      assert.equal(second.stdout.replaceAll(outs[1], "OUT"), first.stdout.replaceAll(outs[0], "OUT"));
      assert.equal(second.stderr, first.stderr);
      const exported = (dir: string) => fs.readFileSync(path.join(dir, "production.json"), "utf8");
      assert.equal(exported(outs[1]), exported(outs[0]));
    });
  });
});

describe("secrets never leave as plaintext", () => {
  const SENTINELS: Record<string, string> = {
    minioAdminUser: "SENTINEL-minio-admin-user-7f3a",
    minioAdminPassword: "SENTINEL-minio-admin-pass-91c2",
    pushoverToken: "SENTINEL-pushover-token-55d1",
    pushoverUserKey: "SENTINEL-pushover-user-0b8e",
    heartbeatUrl: "https://heartbeat.invalid/SENTINEL-hb-4421",
    grafanaAdminPassword: "SENTINEL-grafana-admin-c0de",
  };

  it("config backend: zero sentinel hits in the export and in every Helm value", async () => {
    const { export: exp } = await synth("staging", {
      ...SENTINELS,
      grafanaAdminPassword: SENTINELS.grafanaAdminPassword,
    });
    const text = JSON.stringify(exp);
    for (const [key, value] of Object.entries(SENTINELS))
      assert.ok(!text.includes(value), `${key} leaked into the export`);
    assert.ok(!text.includes("SENTINEL"), "no sentinel fragment anywhere");
    assert.ok(!text.includes("synth-random-"), "generated passwords stay secret");
    for (const r of exp.deployment.resources.filter((x) => x.type === "kubernetes:helm.sh/v3:Release")) {
      assert.ok(!JSON.stringify(r.inputs.values).includes("SENTINEL"), `${r.urn} values`);
      assert.ok(!(SECRET_SIG_KEY in (r.inputs.values ?? {})), `${r.urn} values are plain data, not a secret`);
      // ...at every depth: a secret nested anywhere in the values would reach Helm as its envelope.
      const nested = envelopePaths(r.inputs.values, "values");
      assert.deepEqual(nested, [], `${r.urn}: secret envelopes inside the values at ${nested.join(", ")}`);
    }
    // ...and the secrets are there, as envelopes, where they belong.
    const pushover = named(exp.deployment.resources, "kubernetes:core/v1:Secret", "secrets-pushover");
    assert.equal(pushover.inputs.stringData[SECRET_SIG_KEY], SECRET_SIG);
    assert.equal(pushover.inputs.metadata.name, "alertmanager-pushover");
  });

  it("1Password backend: item values never appear in plaintext either", async () => {
    const { export: exp } = await synth("production");
    assert.ok(!JSON.stringify(exp).includes("synth-1password-"));
  });
});

/** Paths of every Pulumi secret envelope inside `v`, at any depth. */
function envelopePaths(v: unknown, at: string): string[] {
  const found: string[] = [];
  mapSecrets(v, (_, path) => found.push([at, ...path].join(".")));
  return found;
}
