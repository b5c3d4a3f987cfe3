import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { ConfigError, parseStackConfig, PHASES, PROJECT, type Phase } from "../../config/resolve";
import { LIVE_FIELD_IGNORES, RELEASE_IMPORT_IGNORES } from "../../model/importIgnores";
import { missingKeysProblem, missingSecretKeys, unsafeExpandedKeys } from "../../components/existingSecret";
import { renderExport } from "../../synth/render/render";
import type { ReleaseRender } from "../../synth/render/types";
import type { ExportResource, SynthResult } from "../../synth/synthesize";
import { named, ofType, rawConfig, release, ROOT, synth } from "../support/helpers";
import { stackProject } from "../support/stackText";
import { synthStack } from "../../synth/run";

/** Pulumi.takeover.yaml's `takeover` value: seed 000's production as it runs today. */
const FILE = parse(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8")).config;
const TAKEOVER = FILE[`${PROJECT}:takeover`] as Record<string, any>;
const PVC = TAKEOVER.prometheusVolume as string;
const RELEASE = "kubernetes:helm.sh/v3:Release";
const short = (urn: string) => urn.split("::").pop()!;
const key = (r: ExportResource) => `${r.type}::${short(r.urn)}`;

function configError(over: Record<string, unknown>): string {
  try {
    parseStackConfig(rawConfig(over), "t", {});
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.message;
  }
  assert.fail(`no error for ${JSON.stringify(over)}`);
}

describe("takeover: config", () => {
  it("accepts seed 000's takeover and derives the KPS fullname from the release name", () => {
    const cfg = parseStackConfig(rawConfig({ takeover: TAKEOVER }), "t", {});
    assert.equal(cfg.takeover?.step, "import");
    // kube-prometheus-stack chart _helpers.tpl: a release name containing the chart name is the fullname.
    assert.equal(cfg.takeover?.kpsFullname, "kube-prometheus-stack");
  });

  it("treats the declared default (an empty map) as a fresh stack", () => {
    assert.equal(parseStackConfig(rawConfig({ takeover: {} }), "t", {}).takeover, undefined);
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "a release ID without its namespace",
      { releases: { loki: "loki" } },
      /takeover\.releases\.loki: expected "<namespace>\/<release name>".*got string "loki"/,
    ],
    [
      "a release in another namespace",
      { releases: { loki: "logging/loki" } },
      /takeover\.releases\.loki: expected a release in the stack's namespace "monitoring".*got "logging\/loki"/,
    ],
    [
      "a release under another name",
      { releases: { loki: "monitoring/loki-prod" } },
      /takeover\.releases\.loki: expected the release name the program uses, "monitoring\/loki".*got "monitoring\/loki-prod"/,
    ],
    [
      "KPS without its Prometheus claim",
      { releases: { kubePrometheusStack: "monitoring/kube-prometheus-stack" } },
      /takeover\.prometheusVolume: required when takeover\.releases\.kubePrometheusStack is set/,
    ],
    [
      "a claim of another Prometheus",
      {
        releases: { kubePrometheusStack: "monitoring/kube-prometheus-stack" },
        prometheusVolume: "prometheus-db-prometheus-kps-prometheus-0",
      },
      /takeover\.prometheusVolume: expected the claim of Prometheus "kube-prometheus-stack-prometheus".*got "prometheus-db-prometheus-kps-prometheus-0"/,
    ],
    [
      "an unknown key",
      { buckets: { loki: { adopt: "import" } } },
      /takeover\.buckets\.loki\.adopt: unknown key/,
    ],
    ["a bad step", { step: "later" }, /takeover\.step: expected one of import \| update, got string "later"/],
    [
      "Mimir buckets before Mimir exists",
      { buckets: { mimir: { blocks: "old-blocks" } } },
      /takeover\.buckets\.mimir: Mimir has no object storage in this stack.*phase loki-fixed/,
    ],
  ];
  for (const [title, takeover, message] of cases) {
    it(`rejects ${title}, naming the key, the expected form and what it found`, () => {
      assert.match(configError({ takeover }), message);
    });
  }

  it("rejects Mimir buckets that share one (Mimir would not start)", () => {
    const msg = configError({
      phase: "dual-write",
      takeover: { buckets: { mimir: { blocks: "metrics", ruler: "metrics" } } },
    });
    assert.match(
      msg,
      /takeover\.buckets\.mimir\.ruler: expected a bucket no other purpose uses \(Mimir fails to start when its blocks and ruler share one\), got "metrics", which takeover\.buckets\.mimir\.blocks also uses/,
    );
  });

  it("rejects existing buckets on a store without buckets", () => {
    const msg = configError({
      objectStore: { type: "filesystem" },
      takeover: { buckets: { loki: { chunks: "x1z" } } },
    });
    assert.match(
      msg,
      /takeover\.buckets: existing buckets and S3 credential Secrets need objectStore\.type "minio", got "filesystem"/,
    );
  });

  it("reports every takeover problem at once", () => {
    const msg = configError({
      takeover: { releases: { loki: "logging/loki", grafana: "monitoring/graf" }, step: "now" },
    });
    assert.match(msg, /takeover\.step/);
    assert.doesNotMatch(msg, /releases/); // shape errors first: cross-key rules need a parsed config
    const second = configError({
      takeover: { namespace: true, releases: { loki: "logging/loki", grafana: "monitoring/graf" } },
    });
    assert.match(second, /\(2 problems\)/);
  });

  it("names missing keys of a read Secret, never its values", () => {
    assert.deepEqual(
      missingSecretKeys({ AWS_ACCESS_KEY_ID: "x" }, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]),
      ["AWS_SECRET_ACCESS_KEY"],
    );
    assert.deepEqual(missingSecretKeys({ a: "1", b: "2" }, ["a", "b"]), []);
  });

  it("tells a read Secret lacking keys to add them beside those it holds, never to rename what the running release reads", () => {
    const said = missingKeysProblem(
      ["AWS_SECRET_ACCESS_KEY"],
      ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"],
    );
    assert.doesNotMatch(said, /rename/);
    assert.equal(
      said,
      "has no key AWS_SECRET_ACCESS_KEY; expected keys AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (add it in the Secret's source, e.g. its ExternalSecret's target, beside the keys it holds, and keep those: what runs now may read them until the update)",
    );
    assert.match(missingKeysProblem(["a", "b"], ["a", "b"]), /^has no key a, b; .* \(add them in /);
  });

  it("refuses an adopted credential that Loki or Mimir would expand into different YAML, naming the key, never the value", () => {
    const b64 = (v: string) => Buffer.from(v).toString("base64");
    const data = { AWS_ACCESS_KEY_ID: b64("loki"), AWS_SECRET_ACCESS_KEY: b64("pa: ss#1") };
    const unsafe = unsafeExpandedKeys(data, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]);
    assert.deepEqual(
      unsafe.map((u) => u.key),
      ["AWS_SECRET_ACCESS_KEY"],
    );
    assert.match(unsafe[0].problem, /nested mapping/);
    assert.ok(!unsafe[0].problem.includes("pa: ss"));
    assert.deepEqual(unsafeExpandedKeys({ K: b64("AbC123/+=") }, ["K"]), []);
  });

  /** The refusal synth gives Pulumi.takeover.yaml edited by `edit`, in a project folder of its own. */
  async function takeoverRefusal(
    edit: (text: string) => string,
  ): Promise<{ e: ConfigError; dir: string; text: string }> {
    const text = edit(fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8"));
    const dir = stackProject(text, "takeover");
    const e = await synthStack(dir, "takeover").then(
      () => assert.fail("the stack file was accepted"),
      (err: unknown) => err,
    );
    assert.ok(e instanceof ConfigError, String(e));
    return { e, dir, text };
  }
  const lineOf = (text: string, start: string) => text.split("\n").findIndex((l) => l.startsWith(start)) + 1;

  // A claim to import that the stack deletes (prometheus.cleanupVolumeOnRemoval past
  // kube-prometheus-stack) was found only while the program built the stack (apply/takeover.ts
  // AdoptionError: "remove the entry or change the phase", naming neither the key that keeps the
  // claim from being declared nor its line): it is a config problem, at the claim's line, naming
  // that key at its own, and said in the run that refuses the stack's other problems.
  it("refuses an adopted claim the stack deletes past kube-prometheus-stack, naming prometheus.cleanupVolumeOnRemoval", async function () {
    this.timeout(60_000);
    const claim = "prometheus-kps-prometheus-db-prometheus-kps-prometheus-0";
    const { e, dir, text } = await takeoverRefusal((t) =>
      t
        .replace(`${PROJECT}:phase: loki-fixed`, `${PROJECT}:phase: kps-removed`)
        .replace(/^ {6}kubePrometheusStack: .*\n/m, "")
        .replace(/^ {4}prometheusVolume: .*$/m, `    prometheusVolume: ${claim}`)
        .replace("    volumeSize: 70Gi\n", "    volumeSize: 70Gi\n    cleanupVolumeOnRemoval: true\n"),
    );
    const file = path.join(dir, "Pulumi.takeover.yaml");
    assert.equal(e.problems.length, 1, e.message);
    assert.equal(
      e.problems[0],
      `${PROJECT}:takeover.prometheusVolume: expected no claim to import while prometheus.cleanupVolumeOnRemoval (${file}:${lineOf(text, "    cleanupVolumeOnRemoval:")}) is true and phase (${file}:${lineOf(text, `  ${PROJECT}:phase:`)}) is kps-removed, which runs no kube-prometheus-stack: the stack then keeps no Prometheus claim (it deletes the one it holds), so nothing takes the import, got "${claim}"; remove takeover.prometheusVolume, or set prometheus.cleanupVolumeOnRemoval false to import the claim and keep it`,
    );
    assert.equal(e.places[0]?.file, file, e.message);
    assert.equal(e.places[0]?.line, lineOf(text, "    prometheusVolume:"), e.message);
  });

  // The refusal of kube-prometheus-stack at a phase without it said "or remove the entry": done
  // literally, the next run refused takeover.prometheusVolume, whose claim the entry's fullname had
  // named. The refusal names what goes with the entry; each way it names, followed, passes.
  it("refuses kube-prometheus-stack at a phase without it with every key its removal needs; each way out passes", async function () {
    this.timeout(120_000);
    const atKpsRemoved = (t: string) =>
      t.replace(`${PROJECT}:phase: loki-fixed`, `${PROJECT}:phase: kps-removed`);
    const { e, dir, text } = await takeoverRefusal(atKpsRemoved);
    const file = path.join(dir, "Pulumi.takeover.yaml");
    assert.equal(e.problems.length, 1, e.message);
    assert.equal(
      e.problems[0],
      `${PROJECT}:takeover.releases.kubePrometheusStack: expected no kube-prometheus-stack release to import while phase (${file}:${lineOf(text, `  ${PROJECT}:phase:`)}) is kps-removed, which runs no kube-prometheus-stack (the program has no Release to import it into), got "monitoring/kube-prometheus-stack"; take it over at a phase that runs it (loki-fixed, dual-write, backend-primary) and move on from there, or remove the entry, with takeover.kpsFullname "kube-prometheus-stack" set in its place (the fullname it gives the Prometheus whose claim takeover.prometheusVolume (${file}:${lineOf(text, "    prometheusVolume:")}) names) or takeover.prometheusVolume removed as well`,
    );
    const withoutEntry = (t: string) => atKpsRemoved(t).replace(/^ {6}kubePrometheusStack: .*\n/m, "");
    const passes = async (t: string) => {
      const run = stackProject(t, "takeover");
      await synthStack(run, "takeover");
    };
    await passes(
      withoutEntry(text).replace(
        "    step: import\n",
        "    step: import\n    kpsFullname: kube-prometheus-stack\n",
      ),
    );
    await passes(withoutEntry(text).replace(/^ {4}prometheusVolume: .*\n/m, ""));
    // With the claim deleted past kube-prometheus-stack, what stands in the way of importing it is
    // said in the same run; removing both entries passes.
    const cleanup = (t: string) =>
      t.replace("    volumeSize: 70Gi\n", "    volumeSize: 70Gi\n    cleanupVolumeOnRemoval: true\n");
    const both = await takeoverRefusal((t) => cleanup(atKpsRemoved(t)));
    assert.deepEqual(
      both.e.problems.map((p) => p.slice(0, p.indexOf(":", PROJECT.length + 1))).sort(),
      [`${PROJECT}:takeover.prometheusVolume`, `${PROJECT}:takeover.releases.kubePrometheusStack`],
      both.e.message,
    );
    await passes(cleanup(withoutEntry(text)).replace(/^ {4}prometheusVolume: .*\n/m, ""));
  });

  // It was found only once the program built the tree, so a run with another problem did not say it.
  it("refuses kube-prometheus-stack to import at a phase without it in the same run as the file's other problems", async function () {
    this.timeout(60_000);
    const { e, dir, text } = await takeoverRefusal((t) =>
      t
        .replace(`${PROJECT}:phase: loki-fixed`, `${PROJECT}:phase: kps-removed`)
        .replace("    retention: 14d", "    retention: 14dd"),
    );
    assert.equal(e.problems.length, 2, e.message);
    const kps = e.problems.findIndex((p) => p.includes("takeover.releases.kubePrometheusStack"));
    assert.ok(kps >= 0, e.message);
    assert.equal(
      e.problems[kps],
      `${PROJECT}:takeover.releases.kubePrometheusStack: expected no kube-prometheus-stack release to import while phase (${path.join(dir, "Pulumi.takeover.yaml")}:${lineOf(text, `  ${PROJECT}:phase:`)}) is kps-removed, which runs no kube-prometheus-stack (the program has no Release to import it into), got "monitoring/kube-prometheus-stack"; take it over at a phase that runs it (loki-fixed, dual-write, backend-primary) and move on from there, or remove the entry, with takeover.kpsFullname "kube-prometheus-stack" set in its place (the fullname it gives the Prometheus whose claim takeover.prometheusVolume (${path.join(dir, "Pulumi.takeover.yaml")}:${lineOf(text, "    prometheusVolume:")}) names) or takeover.prometheusVolume removed as well`,
    );
    assert.equal(e.places[kps]?.file, path.join(dir, "Pulumi.takeover.yaml"), e.message);
    assert.equal(e.places[kps]?.line, lineOf(text, "      kubePrometheusStack:"), e.message);
  });
});

/** Synthesized stacks, computed once for this file. */
const cache = new Map<string, Promise<SynthResult>>();
function takeoverAt(over: Record<string, unknown> = {}): Promise<SynthResult> {
  const k = JSON.stringify(over);
  if (!cache.has(k)) cache.set(k, synth("takeover", over));
  return cache.get(k)!;
}

describe("takeover: adoption paths (Pulumi.takeover.yaml)", function () {
  this.timeout(120000);

  it("imports the running releases by <namespace>/<name>, under the names they run with", async () => {
    const r = await takeoverAt();
    const imported = Object.fromEntries(
      r.imports.filter((i) => i.type === RELEASE).map((i) => [short(i.urn), i.id]),
    );
    assert.deepEqual(imported, {
      "kube-prometheus-stack": "monitoring/kube-prometheus-stack",
      loki: "monitoring/loki",
      grafana: "monitoring/grafana",
    });
    for (const [name, id] of Object.entries(imported)) {
      const rel = named(r.export.deployment.resources, RELEASE, name);
      // pulumi-kubernetes replaces a Release whose name or namespace changes (helm_release.go Diff).
      assert.equal(`${rel.inputs.namespace}/${rel.inputs.name}`, id);
      assert.equal(rel.importId, id);
    }
    // Real exports have no import field: the written file leaves it out, the side record keeps it.
    assert.ok(r.imports.length >= 5);
  });

  it("compares only name and namespace while importing: every other release input is left as it runs", async () => {
    // The engine applies ignoreChanges before it diffs an import and fails the import on any other
    // difference (pulumi/pulumi pkg/resource/deploy/step.go ImportStep.Apply). The provider's
    // import reads name, namespace, chart, version, values and a default timeout
    // (pulumi-kubernetes provider/pkg/provider/helm_release.go Read/importRelease).
    const r = await takeoverAt();
    for (const imp of r.imports.filter((i) => i.type === RELEASE)) {
      const rel = r.export.deployment.resources.find((x) => x.urn === imp.urn)!;
      // `compat` is the SDK's constant marker (provider/pkg/gen/overlays.go); Check rebuilds the
      // inputs from the Release struct (helm_release.go Check: NewPropertyMap(newRelease)), dropping it.
      const compared = Object.keys(rel.inputs).filter(
        (k) => !imp.ignoreChanges!.includes(k) && k !== "compat",
      );
      assert.deepEqual(compared.sort(), ["name", "namespace"], short(imp.urn));
    }
    assert.deepEqual(RELEASE_IMPORT_IGNORES.includes("values"), true);
  });

  it("applies the program's values in the update step (only fields the live object gains stay ignored)", async () => {
    const r = await takeoverAt({ takeover: { ...TAKEOVER, step: "update" } });
    for (const imp of r.imports)
      assert.deepEqual(imp.ignoreChanges, LIVE_FIELD_IGNORES[imp.type] ?? [], short(imp.urn));
    const loki = release(r.export.deployment.resources, "loki");
    assert.equal(loki.inputs.values.loki.compactor.delete_request_store, "s3");
  });

  it("uses the existing bucket `loki` by name and never creates it", async () => {
    const rs = (await takeoverAt()).export.deployment.resources;
    assert.deepEqual(ofType(rs, "minio:index/s3Bucket:S3Bucket"), []);
    const loki = release(rs, "loki").inputs.values;
    // Only chunks: the ruler reads local rules and the admin bucket is Enterprise Logs' (model/storage.ts UNUSED_PURPOSES).
    assert.deepEqual(loki.loki.storage.bucketNames, { chunks: "loki" });
    // Its credentials stay the operator's Secret: read, and no MinIO user is made for Loki.
    // (The only user made is the metrics reader, which holds no bucket permission.)
    assert.deepEqual(
      ofType(rs, "minio:index/iamUser:IamUser").map((u) => u.inputs.name),
      ["production-metrics"],
    );
    assert.deepEqual(loki.write.extraEnvFrom, [{ secretRef: { name: "loki-s3-credentials" } }]);
    const secret = named(rs, "kubernetes:core/v1:Secret", "objectstore-loki-credentials");
    assert.equal(secret.external, true);
    assert.equal(secret.id, "monitoring/loki-s3-credentials");
  });

  it("imports the bucket instead when existing.buckets lists it (one resource for all purposes)", async () => {
    const rs = (await takeoverAt({ existing: { buckets: ["loki"] } })).export.deployment.resources;
    const buckets = ofType(rs, "minio:index/s3Bucket:S3Bucket");
    assert.equal(buckets.length, 1);
    assert.equal(buckets[0].inputs.bucket, "loki");
    assert.equal(buckets[0].importId, "loki");
    assert.ok(buckets[0].protect && buckets[0].retainOnDelete);
  });

  it("gives a referenced bucket's consumer a user whose policy covers it when no Secret is kept", async () => {
    const rs = (
      await takeoverAt({ takeover: { ...TAKEOVER, secrets: { grafanaAdmin: "grafana-admin-credentials" } } })
    ).export.deployment.resources;
    const policy = JSON.parse(
      named(rs, "minio:index/iamPolicy:IamPolicy", "objectstore-loki-policy").inputs.policy,
    );
    const resources = policy.Statement.flatMap((s: { Resource: string[] }) => s.Resource);
    assert.ok(resources.includes("arn:aws:s3:::loki") && resources.includes("arn:aws:s3:::loki/*"));
    assert.deepEqual(ofType(rs, "minio:index/s3Bucket:S3Bucket"), []);
  });

  it("keeps the Prometheus claim by its name, imported, protected and retained", async () => {
    const r = await takeoverAt();
    const pvc = named(
      r.export.deployment.resources,
      "kubernetes:core/v1:PersistentVolumeClaim",
      "prometheus-volume",
    );
    assert.equal(pvc.inputs.metadata.name, PVC);
    assert.equal(pvc.importId, `monitoring/${PVC}`);
    assert.equal(pvc.inputs.spec.resources.requests.storage, "70Gi");
    assert.equal(pvc.inputs.spec.storageClassName, "openebs-hostpath");
    assert.ok(pvc.protect && pvc.retainOnDelete);
  });

  it("renders a Prometheus (real Helm, pinned chart) whose StatefulSet claims exactly that volume", async function () {
    this.timeout(300000);
    const r = await takeoverAt({ takeover: { ...TAKEOVER, step: "update" } });
    const kpsUrn = release(r.export.deployment.resources, "kube-prometheus-stack").urn;
    const renders: ReleaseRender[] = await renderExport({
      ...r.export,
      deployment: {
        ...r.export.deployment,
        resources: r.export.deployment.resources.filter((x) => x.urn === kpsUrn),
      },
    });
    const prom = renders[0].objects.find((o) => o.kind === "Prometheus");
    assert.ok(prom, renders[0].error);
    const template = prom.spec.storage.volumeClaimTemplate.metadata.name;
    // prometheus-operator v0.93.0 pkg/prometheus/common.go PrefixedName: StatefulSet prometheus-<name>, claim
    // <template>-<statefulset>-<ordinal>.
    assert.equal(`${template}-prometheus-${prom.metadata.name}-0`, PVC);
    assert.equal(prom.metadata.name, "kube-prometheus-stack-prometheus");
  });

  it("marks every import and read in the printed tree", async () => {
    const { formatTree } = await import("../../synth/report");
    const r = await takeoverAt();
    const tree = formatTree(r.export.deployment.resources);
    for (const i of r.imports) assert.ok(tree.includes(`import ${i.id}`), i.id);
    for (const i of r.reads) assert.ok(tree.includes(`read ${i.id}`), i.id);
  });
});

/** What runs in seed 000's cluster before the first update, by kind and identity. */
interface Running {
  kind: string;
  id: string;
  /** Helm ownership (meta.helm.sh/release-name) of a non-release object, when it has one. */
  helmRelease?: string;
}
const CRDS = [
  "alertmanagerconfigs",
  "alertmanagers",
  "podmonitors",
  "probes",
  "prometheusagents",
  "prometheuses",
  "prometheusrules",
  "scrapeconfigs",
  "servicemonitors",
  "thanosrulers",
].map((n) => `${n}.monitoring.coreos.com`);
function seed000(crdOwner?: string): Running[] {
  return [
    { kind: "Release", id: "monitoring/kube-prometheus-stack" },
    { kind: "Release", id: "monitoring/loki" },
    { kind: "Release", id: "monitoring/grafana" },
    { kind: "Namespace", id: "monitoring" },
    { kind: "PersistentVolumeClaim", id: `monitoring/${PVC}` },
    { kind: "Secret", id: "monitoring/loki-s3-credentials" },
    { kind: "Secret", id: "monitoring/grafana-admin-credentials" },
    { kind: "Secret", id: "monitoring/alertmanager-pushover-es" },
    { kind: "Bucket", id: "loki" },
    // KPS installed them from its crds/ directory: Helm tracks no owner unless the runbook labels them.
    ...CRDS.map((id) => ({ kind: "CustomResourceDefinition", id, helmRelease: crdOwner })),
  ];
}

function identity(r: ExportResource): { kind: string; id: string } | undefined {
  if (r.type === RELEASE) return { kind: "Release", id: `${r.inputs.namespace}/${r.inputs.name}` };
  if (r.type === "minio:index/s3Bucket:S3Bucket") return { kind: "Bucket", id: r.inputs.bucket };
  if (r.type.startsWith("kubernetes:") && r.inputs.metadata?.name) {
    const ns = r.inputs.metadata.namespace;
    return {
      kind: r.type.split(":").pop()!,
      id: ns ? `${ns}/${r.inputs.metadata.name}` : r.inputs.metadata.name,
    };
  }
  return undefined;
}

interface Plan {
  imports: string[];
  reads: string[];
  creates: string[];
  deletes: string[];
  failures: string[];
}

/**
 * The first update against an empty state: every resource with an import ID is imported (and must
 * exist), every read must exist, everything else is created and must not exist yet. A created
 * release must also find none of its rendered objects owned by someone else (Helm
 * pkg/action/validate.go existingResourceConflict: "exists and cannot be imported into the current
 * release"). Pulumi deletes only what its state holds: with an empty state, nothing.
 */
function firstUpdate(r: SynthResult, renders: ReleaseRender[], running: Running[]): Plan {
  const exists = (kind: string, id: string) => running.find((x) => x.kind === kind && x.id === id);
  const plan: Plan = { imports: [], reads: [], creates: [], deletes: [], failures: [] };
  for (const res of r.export.deployment.resources) {
    if (!res.custom || res.type.startsWith("pulumi:providers:")) continue;
    const who = identity(res);
    const label = `${key(res)}${who ? ` (${who.kind} ${who.id})` : ""}`;
    if (res.importId) {
      plan.imports.push(`${key(res)} <- ${res.importId}`);
      if (!who || !exists(who.kind, who.id))
        plan.failures.push(`${label}: import of a resource that does not exist`);
    } else if (res.external) {
      plan.reads.push(`${key(res)} <- ${res.id}`);
      if (!exists("Secret", res.id!)) plan.failures.push(`${label}: read of a Secret that does not exist`);
    } else {
      plan.creates.push(label);
      if (who && exists(who.kind, who.id))
        plan.failures.push(
          `${label}: create of something that exists (${who.kind === "Release" ? "cannot re-use a name that is still in use" : "already exists"})`,
        );
      for (const o of renders.find((x) => x.resourceUrn === res.urn)?.objects ?? []) {
        const id = o.metadata?.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata?.name;
        const found = exists(o.kind, id);
        if (found && found.helmRelease !== res.inputs.name)
          plan.failures.push(
            `${label}: ${o.kind} ${id} exists and cannot be imported into the current release`,
          );
      }
    }
  }
  return plan;
}

describe("takeover: the first update on seed 000's cluster", function () {
  this.timeout(300000);
  let first: SynthResult;
  let renders: ReleaseRender[];
  before(async () => {
    first = await takeoverAt();
    renders = await renderExport(first.export);
  });

  it("imports what runs, reads the kept Secrets, creates the rest, deletes and replaces nothing", () => {
    const plan = firstUpdate(first, renders, seed000("prometheus-operator-crds"));
    console.log(
      `      first update: ${plan.imports.length} imports, ${plan.reads.length} reads, ${plan.creates.length} creates, ${plan.deletes.length} deletes\n` +
        [
          ...plan.imports.map((x) => `        = import ${x}`),
          ...plan.reads.map((x) => `        > read   ${x}`),
          ...plan.creates.map((x) => `        + create ${x}`),
        ].join("\n"),
    );
    assert.deepEqual(plan.failures, []);
    assert.deepEqual(plan.deletes, []);
    assert.equal(plan.imports.length, 5); // 3 releases, the namespace, the Prometheus claim
    assert.equal(plan.reads.length, 2);
    // While KPS is only imported its node-exporter keeps hostPort 9100: no second one yet.
    // (Its dashboards' ConfigMap, homelab-dashboards-node-exporter, binds no port.)
    assert.ok(
      !plan.creates.some((c) => c.includes("node-exporter") && !c.includes("ConfigMap")),
      plan.creates.join("\n"),
    );
  });

  it("fails on the CRDs when the runbook's Helm ownership step is skipped", () => {
    const plan = firstUpdate(first, renders, seed000());
    assert.equal(plan.failures.length, CRDS.length, plan.failures.join("\n"));
    assert.match(
      plan.failures[0],
      /prometheus-crds .*CustomResourceDefinition .* cannot be imported into the current release/,
    );
  });

  it("collides everywhere without takeover config: what a plain `pulumi up` would hit", async () => {
    const fresh = await takeoverAt({
      takeover: {},
      objectStore: { ...FILE[`${PROJECT}:objectStore`], bucketPrefix: "loki" },
    });
    const rendersFresh = await renderExport(fresh.export);
    const plan = firstUpdate(fresh, rendersFresh, seed000("prometheus-operator-crds"));
    const text = plan.failures.join("\n");
    for (const release of ["kube-prometheus-stack", "loki", "grafana"])
      assert.match(
        text,
        new RegExp(
          `Release monitoring/${release}\\): create of something that exists \\(cannot re-use a name`,
        ),
      );
    assert.match(text, /Namespace monitoring\): create of something that exists \(already exists\)/);
  });

  it("then the update step changes values and adds node-exporter and the namespace's NetworkPolicies, still deleting nothing", async () => {
    const next = await takeoverAt({ takeover: { ...TAKEOVER, step: "update" } });
    const before = new Set(first.export.deployment.resources.map(key));
    const after = new Set(next.export.deployment.resources.map(key));
    const created = [...after].filter((k) => !before.has(k));
    const deleted = [...before].filter((k) => !after.has(k));
    assert.deepEqual(deleted, []);
    // The adopted namespace gets its policies only now (its running releases may have had peers
    // the program does not know), and no default-deny: pods of others may live there.
    const policy = (g: string) =>
      `kubernetes:networking.k8s.io/v1:NetworkPolicy::network-policies-monitoring-${g}`;
    assert.deepEqual(created.sort(), [
      "homelab:metrics:Exporters::exporters",
      `${RELEASE}::exporters-node-exporter-agents`,
      ...[
        "alloy-cluster",
        "grafana",
        "kps-alertmanager",
        "kps-prometheus",
        "kube-prometheus-stack",
        "loki",
      ].map(policy),
    ]);
  });
});

describe("takeover: the phases that follow behave as on a fresh stack", function () {
  this.timeout(300000);
  // The fresh stack to compare with is one whose own Prometheus ran: it keeps its claim after KPS
  // as the adopted one does (prometheus.keepVolume).
  const at = (phase: Phase, adopted: boolean) =>
    adopted
      ? takeoverAt({ phase, takeover: { ...TAKEOVER, step: "update" } })
      : takeoverAt({
          phase,
          takeover: {},
          prometheus: { ...FILE[`${PROJECT}:prometheus`], keepVolume: true },
        });
  for (let i = 0; i + 1 < PHASES.length; i++) {
    for (const [from, to] of [
      [PHASES[i], PHASES[i + 1]],
      [PHASES[i + 1], PHASES[i]],
    ]) {
      it(`${from} -> ${to}: creates and deletes the same resources as the fresh stack`, async () => {
        const diff = async (adopted: boolean) => {
          const a = new Set((await at(from, adopted)).export.deployment.resources.map(key));
          const b = new Set((await at(to, adopted)).export.deployment.resources.map(key));
          return {
            created: [...b].filter((k) => !a.has(k)).sort(),
            deleted: [...a].filter((k) => !b.has(k)).sort(),
          };
        };
        assert.deepEqual(await diff(true), await diff(false));
      });
    }
  }

  it("keeps the adopted Prometheus claim through KPS removal", async () => {
    const rs = (await at("kps-removed", true)).export.deployment.resources;
    const pvc = named(rs, "kubernetes:core/v1:PersistentVolumeClaim", "prometheus-volume");
    assert.equal(pvc.inputs.metadata.name, PVC);
    assert.ok(pvc.protect && pvc.retainOnDelete);
    assert.ok(!rs.some((r) => r.type === RELEASE && r.inputs.chart === "kube-prometheus-stack"));
  });
});
