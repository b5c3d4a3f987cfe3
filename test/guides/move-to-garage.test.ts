/**
 * docs/how-to/move-to-garage.md as a new user follows it: the keys its switch step sets and the
 * regions its check signs for, in both directions ("Going back is the same move the other way").
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { moveSides, MOVE_ENV } from "../../verify/objectMove";
import { config, ROOT, synth, synthCli, tmpDir } from "../support/helpers";
import { rendered, type Variant } from "../support/rendered";
import { checkedStackConfig } from "../../config/stackCheck";
import { runVerify } from "../../cli/verifyRun";
import { BASE, P, refusal, stackProject } from "../support/stackText";
import { stableDir } from "../support/stableDir";
import { shownFile } from "../../config/paths";

/** The switch step's stack file (the guide's YAML) with `buckets` as the `existing.buckets` list. */
const switched = (buckets: string) => `${BASE}  ${P("cluster")}: staging
  ${P("secrets")}:
    backend: config
  ${P("objectStore")}:
    type: garage
    endpoint: http://garage.storage.svc.cluster.local:3900
    adminEndpoint: http://localhost:3903
    region: garage
  ${P("existing")}:
    buckets: ${buckets}
`;

describe("move-to-garage: existing.buckets names only buckets the stack plans", () => {
  it("a misspelt bucket is one message at its line, with what the stack plans and the close match", () => {
    const e = refusal(switched("[staging-loki-chunk, staging-mimir-blocks, staging-mimir-ruler]"), "staging");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:existing\.buckets\[0\]: expected the name of a bucket the stack makes in some phase \(staging-loki-chunks, staging-mimir-blocks, staging-mimir-ruler\), got "staging-loki-chunk", which nothing imports; did you mean "staging-loki-chunks"\?$/,
    );
    assert.match(e.message, /Pulumi\.staging\.yaml:13:15/);
  });

  it("a name no S3 store takes says the rule; one in capitals, the lowercase name it means", () => {
    const e = refusal(
      switched("[ab, Staging-Loki-Chunks, staging-mimir-blocks, staging-mimir-ruler]"),
      "staging",
    );
    const rule = `expected an S3 bucket name (3-63 lowercase letters, digits, "." and "-", starting and ending with a letter or digit) like "staging-mimir-blocks"`;
    assert.deepEqual(
      e.problems,
      [
        `homelab-observability:existing.buckets[0]: ${rule}, got string "ab"`,
        `homelab-observability:existing.buckets[1]: ${rule}, got string "Staging-Loki-Chunks"; did you mean "staging-loki-chunks"?`,
      ],
      e.message,
    );
  });

  it("a kept bucket (step 1 copies it) says why it is not imported, and no guess offers a bucket the list already holds", () => {
    const e = refusal(
      switched(
        "[staging-loki-chunk, staging-mimir-blocks, staging-mimir-ruler, staging-loki-ruler, staging-mimir-rule]",
      ),
      "staging",
    );
    assert.deepEqual(
      e.problems.map((p) => p.replace(/^.*, which nothing imports/, "")),
      [
        `; did you mean "staging-loki-chunks"?`,
        `: "loki-ruler" is a bucket nothing reads, which the stack keeps only on MinIO (objectStore.keepUnusedBuckets); on garage the stack does not manage it, so leave it out of existing.buckets (a copy on the store stays there, untouched)`,
        "",
      ],
      e.message,
    );
  });

  it("another stack's bucket has no did-you-mean guess beside the list", () => {
    const e = refusal(switched("[staging-loki-chunks, production-mimir-blocks]"), "staging");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /existing\.buckets\[1\]: .*got "production-mimir-blocks", which nothing imports$/,
    );
  });

  it("the copied list under a changed bucketPrefix is one message at the list, naming the prefix's line and both ways out", () => {
    // The step's own list, with the prefix changed beside it: one mistake, not one per bucket.
    const text = switched("[staging-loki-chunks, staging-mimir-blocks, staging-mimir-ruler]").replace(
      "    region: garage\n",
      "    region: garage\n    bucketPrefix: homelab\n",
    );
    const e = refusal(text, "staging");
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:existing\.buckets: expected the stack's own buckets \(homelab-loki-chunks, homelab-mimir-blocks, homelab-mimir-ruler\), named with objectStore\.bucketPrefix "homelab" \(\S*Pulumi\.staging\.yaml:12\), got 3 names with the prefix "staging" instead \(staging-loki-chunks, staging-mimir-blocks, staging-mimir-ruler\), which nothing imports\. If these are the buckets the stack has used \(copied to a new store\), set objectStore\.bucketPrefix "staging": .*If they are another stack's, list this stack's own$/,
    );
    assert.match(e.message, /at \S*Pulumi\.staging\.yaml:14:5\n/);
  });

  it("another stack's whole list is one message, with the prefix the cluster name gives", () => {
    const e = refusal(
      switched("[production-loki-chunks, production-mimir-blocks, staging-mimir-ruler]"),
      "staging",
    );
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:existing\.buckets: .*named with objectStore\.bucketPrefix "staging" \(not set: the cluster name, cluster at \S*Pulumi\.staging\.yaml:4\), got 2 names with the prefix "production" instead \(production-loki-chunks, production-mimir-blocks\)/,
    );
  });

  it("the guide's own list passes", () => {
    const dir = stackProject(
      switched("[staging-loki-chunks, staging-mimir-blocks, staging-mimir-ruler]"),
      "staging",
    );
    const { cfg } = checkedStackConfig(dir, "staging", {}, { allowAbsentSecrets: true });
    assert.deepEqual(cfg.existing.buckets, [
      "staging-loki-chunks",
      "staging-mimir-blocks",
      "staging-mimir-ruler",
    ]);
  });
});

/**
 * `synth --against` the staging export before the switch, with the guide's objectStore block in
 * place of MinIO's in a copy of staging's stack file, plus `extra` (the existing.buckets list).
 */
async function switchedAgainst(name: string, extra = "") {
  // The same folder every run (test/support/stableDir.ts): the Garage provider's inputs name the
  // stack file's path (regionKey, `objectStore.region (<file>:12)`), and a new temporary folder each
  // run made both syntheses' objects new to the check cache (checks/cache.ts), every check run again
  // (about 1.2 s of CPU each). Measured warm, this file alone: 6.0 and 5.9 -> 3.9 and 3.9 s of CPU.
  const dir = stableDir(name);
  fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  const staging = fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8");
  const out = tmpDir(`${name}-out`);
  // The export before the switch: the committed staging stack's, which this copy of its file
  // synthesizes byte for byte (`synth --no-render` here gave the same export), from the fixture
  // cache rather than a synthesis of its own in this test (about 0.5 s of CPU warm).
  const previous = path.join(tmpDir(`${name}-previous`), "staging.json");
  fs.writeFileSync(previous, JSON.stringify((await synth("staging")).export));
  const switched = staging.replace(
    /^ {2}homelab-observability:objectStore:\n(?: {4}.*\n)+/m,
    `  homelab-observability:objectStore:\n    type: garage\n    endpoint: http://garage.storage.svc.cluster.local:3900\n    adminEndpoint: http://localhost:3903\n    region: garage\n${extra}`,
  );
  assert.notEqual(switched, staging);
  fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), switched);
  const r = await synthCli(
    "--stack",
    "staging",
    "--dir",
    dir,
    "--out",
    out,
    "--quiet",
    "--against",
    previous,
  );
  return { r, file: path.join(dir, "Pulumi.staging.yaml") };
}

let unlisted: ReturnType<typeof switchedAgainst> | undefined;
/**
 * {@link switchedAgainst} without existing.buckets, run once for the two tests that read it (the
 * refusal as check-a-change.md quotes it, then the move check its hint gives, which writes the
 * stack file back to MinIO after the first has read the output): the same stack file gave the same
 * output twice. Measured warm, this file alone, alternating: 6.2 and 6.5 -> 5.8 and 6.0 s of CPU.
 */
const switchedUnlisted = () => (unlisted ??= switchedAgainst("garage-unlisted"));

describe("move-to-garage: step 4 without existing.buckets", function () {
  this.timeout(120_000);

  it("synth --against refuses the switch once, as check-a-change.md quotes it", async () => {
    const { r, file } = await switchedUnlisted();
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const refused = r.stdout.split("\n").filter((l) => /REFUSED /.test(l));
    assert.equal(refused.length, 1, r.stdout);
    const doc = fs.readFileSync(path.join(ROOT, "docs/how-to/check-a-change.md"), "utf8");
    const quoted = /\n(REFUSED buckets [^\n]*\(MinIO -> Garage\)[^\n]*?) \.\.\.\n/.exec(doc)?.[1];
    assert.ok(quoted, "check-a-change.md quotes the refusal");
    const shown = shownFile(file);
    assert.ok(
      refused[0].split(shown).join("Pulumi.staging.yaml").startsWith(quoted),
      `${refused[0]}\n${quoted}`,
    );
  });
});

describe("move-to-garage: the refusal's move check, pasted as it says", function () {
  this.timeout(120_000);
  let server: http.Server | undefined;
  after(() => server?.close());

  it("run with objectStore back on MinIO, as it says first, compares all six buckets, each side signed for its own store's region", async () => {
    const { r, file } = await switchedUnlisted();
    const line = r.stdout.split("\n").find((l) => /^REFUSED buckets /.test(l)) ?? "";
    const back = /To move them: set objectStore back to (\w+) until the copy is checked/.exec(line);
    assert.equal(back?.[1], "MinIO", line);
    const command =
      /then (npm run verify -- .*?) with --move-from set to the old store's S3 URL and --move-to to the new one's/.exec(
        line,
      )?.[1];
    assert.ok(command, line);
    // The stack file as the hint says: objectStore back on MinIO (the committed staging file's block).
    fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8"));
    // Two stores on loopback, each recording the region every request is signed for (the
    // Authorization header's credential scope) and holding every bucket, empty.
    const regions: Record<string, Set<string>> = {};
    const buckets = new Set<string>();
    server = http.createServer((req, res) => {
      const scope = /Credential=[^/]+\/\d+\/([^/]+)\//.exec(req.headers.authorization ?? "")?.[1] ?? "";
      (regions[(req.headers.host ?? "").split(":")[0]] ??= new Set()).add(scope);
      buckets.add(new URL(req.url ?? "/", "http://x").pathname.slice(1));
      res.writeHead(200, { "Content-Type": "application/xml" });
      res.end("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>");
    });
    await new Promise<void>((ok) => server!.listen(0, "127.0.0.1", ok));
    const port = (server.address() as { port: number }).port;
    // One server at two addresses stands for the two stores (it sends no x-amz-id-2).
    const [from, to] = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
    const argv = command.replace(/^npm run verify -- /, "").split(" ");
    let out = "";
    const code = await runVerify([...argv, "--move-from", from, "--move-to", to], {
      env: {
        [MOVE_ENV.from.accessKey]: "a",
        [MOVE_ENV.from.secretKey]: "bbbb",
        [MOVE_ENV.to.accessKey]: "c",
        [MOVE_ENV.to.secretKey]: "dddd",
      },
      out: (t) => (out += t),
      err: (t) => (out += t),
    });
    assert.equal(code, 0, out);
    assert.match(out, /pass \(exit 0\): 6 buckets, each the same on both stores/);
    assert.deepEqual([...buckets].sort(), [
      "staging-loki-admin",
      "staging-loki-chunks",
      "staging-loki-ruler",
      "staging-mimir-alertmanager",
      "staging-mimir-blocks",
      "staging-mimir-ruler",
    ]);
    // --move-from (MinIO) signed for MinIO's us-east-1, --move-to (Garage) for "garage".
    assert.deepEqual(Object.fromEntries(Object.entries(regions).map(([host, r]) => [host, [...r]])), {
      "127.0.0.1": ["us-east-1"],
      localhost: ["garage"],
    });
  });
});

describe("move-to-garage: step 4 as the guide writes it", function () {
  this.timeout(120_000);

  it("synth --against says the copied buckets imported and MinIO's kept, as pulumi preview will, and counts them so", async () => {
    const { r } = await switchedAgainst(
      "garage-listed",
      "  homelab-observability:existing:\n    buckets: [staging-loki-chunks, staging-mimir-blocks, staging-mimir-ruler]\n",
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // Imported from Garage, not created on it (the guide: "instead of creating them").
    assert.match(
      r.stdout,
      /^= {2}import {2}Bucket::objectstore-staging-loki-chunks \(objectstore-staging-loki-chunks\): import ID staging-loki-chunks$/m,
    );
    assert.doesNotMatch(r.stdout, /create {2}Bucket::/);
    // Left on MinIO with their objects (retainOnDelete), not deleted.
    assert.match(
      r.stdout,
      /^- {2}delete\[retain\] S3Bucket::objectstore-staging-loki-chunks \(objectstore-staging-loki-chunks\): drops it from the stack and keeps bucket staging-loki-chunks and the objects in it \(retainOnDelete\)$/m,
    );
    assert.doesNotMatch(r.stdout, /delete {2}S3Bucket::/);
    assert.match(
      r.stdout,
      /^\d+ create, 3 import, \d+ update, 0 replace, \d+ delete \(6 retained\); 0 refused$/m,
    );
    // Imported buckets are no takeover: no note whose --running the stack would refuse.
    assert.doesNotMatch(r.stdout + r.stderr, /takeover|--running/);
  });
});

describe("move-to-garage: the check signs for each store's own region", () => {
  const env = {
    [MOVE_ENV.from.accessKey]: "a",
    [MOVE_ENV.from.secretKey]: "b",
    [MOVE_ENV.to.accessKey]: "c",
    [MOVE_ENV.to.secretKey]: "d",
  };

  it("from MinIO: the stack's MinIO region, then Garage's", () => {
    const cfg = config({
      phase: "kps-removed",
      objectStore: { type: "minio", endpoint: "http://minio.storage.svc:9000", region: "eu-west-1" },
    });
    const s = moveSides(cfg, "http://localhost:9000", "http://localhost:3900", env);
    assert.deepEqual([s.from.region, s.to.region], ["eu-west-1", "garage"]);
  });

  it("back from Garage (the same move the other way): the stack's Garage region, then MinIO's default", () => {
    const cfg = config({
      phase: "kps-removed",
      objectStore: {
        type: "garage",
        endpoint: "http://garage.storage.svc:3900",
        adminEndpoint: "http://localhost:3903",
        region: "home",
      },
      garageAdminToken: "t",
    });
    const s = moveSides(cfg, "http://localhost:3900", "http://localhost:9000", env);
    assert.deepEqual([s.from.region, s.to.region], ["home", "us-east-1"]);
  });
});

/**
 * Step 3's commands, read from the guide: the StatefulSets its `scale` selectors pick are every one
 * that runs a pod writing to the store, and its `wait` selectors match exactly their pods, so the
 * wait ends once they are gone (a selector of a DaemonSet's or a running Deployment's pods never
 * empties). Over the modes the guide's stacks run: Monolithic, SimpleScalable, Distributed Loki, and
 * Mimir monolithic and in groups.
 */
describe("move-to-garage: step 3 stops and waits for exactly the pods that write to the store", function () {
  this.timeout(600_000);
  const doc = fs.readFileSync(path.join(ROOT, "docs/how-to/move-to-garage.md"), "utf8");
  const selectors = (verb: RegExp) =>
    [...doc.matchAll(verb)].map((m) => m[1].replace(/^'|'$/g, "")).map(parseSelector);
  const scale = selectors(/kubectl -n monitoring scale statefulset -l (\S+) --replicas 0/g);
  const wait = selectors(/kubectl -n monitoring wait --for=delete pod --timeout=15m -l ('[^']+'|\S+)/g);

  const variants: Variant[] = [
    { title: "staging", stack: "staging", over: {} },
    { title: "production", stack: "production", over: {} },
    {
      title: "staging Distributed",
      stack: "staging",
      over: { loki: { mode: "Distributed", retention: "7d" } },
    },
    {
      title: "staging Mimir in groups",
      stack: "staging",
      over: {
        workload: { activeSeries: 2_000_000 },
        nodePools: [{ name: "workers", arch: "amd64", count: 6, cpu: "4", memory: "16Gi" }],
      },
    },
  ];

  it("the guide shows one scale and one wait for Loki and for Mimir", () => {
    assert.equal(scale.length, 2, doc);
    assert.equal(wait.length, 2, doc);
  });

  for (const v of variants)
    it(`${v.title}: the scaled StatefulSets' pods are the waited ones, nothing else`, async () => {
      const r = await rendered(v);
      const workloads = r.objects
        .map((o) => o.object as any)
        .filter((o) => ["StatefulSet", "Deployment", "DaemonSet"].includes(o.kind));
      const scaled = workloads.filter(
        (o) => o.kind === "StatefulSet" && scale.some((s) => s(o.metadata?.labels ?? {})),
      );
      const writers = workloads.filter(
        (o) =>
          o.kind === "StatefulSet" &&
          (o.metadata?.labels?.["app.kubernetes.io/instance"] === "loki" ||
            o.metadata?.labels?.["app.kubernetes.io/name"] === "mimir"),
      );
      assert.deepEqual(names(scaled), names(writers));
      const waited = workloads.filter((o) => wait.some((s) => s(o.spec.template.metadata.labels ?? {})));
      assert.deepEqual(names(waited), names(writers));
      if (v.title.includes("groups"))
        assert.ok(names(writers).includes("mimir-write"), names(writers).join());
    });
});

const names = (objs: any[]) => objs.map((o) => String(o.metadata.name)).sort();

/** A kubectl label selector (`k=v`, `k in (a,b)`, comma-joined) as a predicate over labels. */
function parseSelector(text: string): (labels: Record<string, string>) => boolean {
  const terms = text.split(/,(?![^(]*\))/).map((t) => {
    const inSet = /^([\w./-]+) in \(([^)]*)\)$/.exec(t.trim());
    if (inSet) {
      const values = inSet[2].split(",").map((x) => x.trim());
      return (l: Record<string, string>) => values.includes(l[inSet[1]]);
    }
    const [k, val] = t.trim().split("=");
    return (l: Record<string, string>) => l[k] === val;
  });
  return (labels) => terms.every((t) => t(labels));
}
