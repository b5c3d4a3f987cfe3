import { strict as assert } from "assert";
import type { StackState } from "../../change/change";
import {
  installClashes,
  previews,
  refusedOnceAtImport,
  reportsCollectedElsewhere,
} from "../../change/takeover";
import { keepRunningValues, type RunningRelease, type RunningState } from "../../model/running";
import { stackKeyAt } from "../../synth/report";
import type { SynthResult } from "../../synth/synthesize";
import { synth } from "../support/helpers";
import { SEED000_FLUX_VALUES } from "../support/runningSeed000";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const urn = (type: string, n: string) => `urn:pulumi:takeover::homelab-observability::${type}::${n}`;

/** A synthesis holding `resources` (type, URN name, inputs), importing those named in `imports`. */
function synthOf(
  resources: { type: string; res: string; inputs: Record<string, any> }[],
  imports: Record<string, string> = {},
): SynthResult {
  return {
    export: {
      deployment: {
        resources: resources.map((r) => ({ urn: urn(r.type, r.res), custom: true, ...r })),
      },
    },
    imports: Object.entries(imports).map(([res, id]) => ({
      urn: urn(resources.find((r) => r.res === res)!.type, res),
      id,
    })),
    reads: [],
  } as unknown as SynthResult;
}

const runningOf = (releases: RunningRelease[], more: Partial<RunningState> = {}): RunningState => ({
  dir: "running",
  releases,
  statefulSets: [],
  pvcs: [],
  ...more,
});

/** Seed 000's running Loki with its storage (and only that) changed. */
function runningLoki(storage: Record<string, unknown>): RunningRelease {
  const values = structuredClone(SEED000_FLUX_VALUES.loki.values);
  values.loki.storage = { ...values.loki.storage, ...storage };
  return { name: "loki", namespace: "monitoring", chart: "loki", version: "6.49.0", values };
}

/** The program's adopted Loki release, writing `storage`. */
const programLoki = (storage: Record<string, unknown>) =>
  synthOf(
    [
      {
        type: RELEASE,
        res: "loki",
        inputs: {
          name: "loki",
          namespace: "monitoring",
          chart: "loki",
          version: "18.11.0",
          values: { loki: { storage } },
        },
      },
    ],
    { loki: "monitoring/loki" },
  );

const lines: Record<string, string> = {
  "takeover.buckets.loki.chunks": "Pulumi.takeover.yaml:58",
  "objectStore.type": "Pulumi.takeover.yaml:16",
  "takeover.namespace": "Pulumi.takeover.yaml:47",
  "prometheus.retention": "Pulumi.takeover.yaml:43",
  "prometheus.volumeSize": "Pulumi.takeover.yaml:44",
  "storageClasses.default": "Pulumi.takeover.yaml:33",
};
const at = (key: string) => lines[key];

describe("takeover --running: the update keeps a taken-over Loki's logs readable", () => {
  it("keeps the running schema periods: the program's one period would read the days already written with another layout", () => {
    const release = runningLoki({});
    // An older layout, then TSDB; the first `from` an unquoted day a YAML reader made a Date of.
    const periods = [
      {
        from: new Date("2023-01-01"),
        store: "boltdb-shipper",
        object_store: "s3",
        schema: "v12",
        index: { prefix: "index_", period: "24h" },
      },
      {
        from: "2024-05-01",
        store: "tsdb",
        object_store: "s3",
        schema: "v13",
        index: { prefix: "index_", period: "24h" },
      },
    ];
    release.values.loki.schemaConfig = { configs: periods };
    const program = {
      loki: {
        schemaConfig: { configs: [{ from: "2024-04-01", store: "tsdb", object_store: "s3", schema: "v13" }] },
      },
    };
    const { values, kept } = keepRunningValues(program, release, { statefulSets: [] });
    assert.deepEqual(values.loki.schemaConfig.configs, [{ ...periods[0], from: "2023-01-01" }, periods[1]]);
    assert.deepEqual(
      kept.map((k) => k.path),
      ["loki.schemaConfig"],
    );
  });

  it("keeps the program's schema where the running one is the same (keys in another order) or holds no period", () => {
    const configs = [{ from: "2024-04-01", store: "tsdb", object_store: "s3", schema: "v13" }];
    const release = runningLoki({});
    release.values.loki.schemaConfig = {
      configs: [{ schema: "v13", object_store: "s3", store: "tsdb", from: "2024-04-01" }],
    };
    const program = { loki: { schemaConfig: { configs } } };
    assert.deepEqual(keepRunningValues(program, release, { statefulSets: [] }).kept, []);
    release.values.loki.schemaConfig = {};
    assert.deepEqual(keepRunningValues(program, release, { statefulSets: [] }).kept, []);
  });

  it("refuses an update that points Loki at another chunks bucket, naming what runs, the key with its line and the value to set", () => {
    const running = runningOf([runningLoki({ bucketNames: { chunks: "loki-chunks" } })]);
    const [p, ...more] = previews(
      programLoki({ type: "s3", bucketNames: { chunks: "loki" } }),
      running,
      "update",
      new Set(),
      at,
    );
    assert.equal(more.length, 0);
    assert.equal(p.refused.length, 1, "one refusal for one mistake");
    assert.equal(p.refused[0].field, "values.loki.storage.bucketNames.chunks");
    assert.match(
      p.refused[0].reason,
      /^it runs with "loki-chunks" \(running\/monitoring\.loki\.values\.yaml\), the update sets "loki" from takeover\.buckets\.loki\.chunks \(Pulumi\.takeover\.yaml:58\): .*the logs already in "loki-chunks" would no longer be found.*; set takeover\.buckets\.loki\.chunks to "loki-chunks"$/,
    );
  });

  it("refuses an update that moves Loki between the filesystem and S3, naming objectStore.type at its line", () => {
    const running = runningOf([runningLoki({ type: "filesystem" })]);
    const [p] = previews(
      programLoki({ type: "s3", bucketNames: { chunks: "loki" } }),
      running,
      "update",
      new Set(),
      at,
    );
    assert.equal(p.refused.length, 1);
    assert.match(
      p.refused[0].reason,
      /^it runs with "filesystem" .*the update sets "s3" from objectStore\.type \(Pulumi\.takeover\.yaml:16\): .*on its claims would no longer be read/,
    );
  });

  it("passes the same bucket, and says nothing at the import step (which keeps the running values)", () => {
    const running = runningOf([runningLoki({})]);
    const program = programLoki({ type: "s3", bucketNames: { chunks: "loki" } });
    assert.deepEqual(previews(program, running, "update", new Set(), at)[0].refused, []);
    const moved = runningOf([runningLoki({ bucketNames: { chunks: "loki-chunks" } })]);
    assert.deepEqual(previews(program, moved, "import", new Set(), at)[0].refused, []);
  });
});

describe("takeover --running: the update deletes nothing the running releases keep", () => {
  const kps = (retention: string): RunningRelease => ({
    name: "kube-prometheus-stack",
    namespace: "monitoring",
    chart: "kube-prometheus-stack",
    version: "88.0.0",
    values: { prometheus: { prometheusSpec: { retention } } },
  });
  const programKps = (retention: string) =>
    synthOf(
      [
        {
          type: RELEASE,
          res: "kube-prometheus-stack",
          inputs: {
            name: "kube-prometheus-stack",
            namespace: "monitoring",
            chart: "kube-prometheus-stack",
            version: "88.0.0",
            values: { prometheus: { prometheusSpec: { retention } } },
          },
        },
      ],
      { "kube-prometheus-stack": "monitoring/kube-prometheus-stack" },
    );

  it("refuses a shorter Prometheus retention, naming what runs, the key with its line and the value to keep", () => {
    const [p] = previews(programKps("14d"), runningOf([kps("60d")]), "update", new Set(), at);
    assert.equal(p.refused.length, 1, "one refusal for one mistake");
    assert.equal(p.refused[0].field, "values.prometheus.prometheusSpec.retention");
    assert.match(
      p.refused[0].reason,
      /^it runs with "60d" \(running\/monitoring\.kube-prometheus-stack\.values\.yaml\), the update sets "14d" from prometheus\.retention \(Pulumi\.takeover\.yaml:43\): Prometheus deletes the samples older than 14d .*; set prometheus\.retention to "60d"/,
    );
  });

  // The chart's own default runs Loki without retention (loki 6.55.0 values.yaml line 576,
  // `compactor: {}`), and the program always turns it on: no loki.retention is known to keep every
  // log, so the update is warned about, not refused, whatever value the operator sets.
  const lokiKeepingEverything = (retention: string) => {
    const release = runningLoki({});
    release.values.loki.compactor = {};
    const program = programLoki({ type: "s3", bucketNames: { chunks: "loki" } });
    const values = program.export.deployment.resources[0].inputs.values;
    values.loki.compactor = { retention_enabled: true };
    values.loki.limits_config = { retention_period: retention };
    return previews(program, runningOf([release]), "update", new Set(), at)[0];
  };

  it("warns, without refusing, of a Loki retention where the running Loki keeps every log, and says how to see what goes", () => {
    const p = lokiKeepingEverything("30d");
    assert.deepEqual(
      p.refused,
      [],
      "no loki.retention can clear a refusal here: the oldest log's age is unknown",
    );
    assert.equal(p.warnings?.length, 1);
    assert.equal(p.warnings[0].field, "values.loki.limits_config.retention_period");
    assert.match(
      p.warnings[0].reason,
      /^it runs without retention \(running\/monitoring\.loki\.values\.yaml: loki\.compactor\.retention_enabled not true\), keeping every log; the update sets "30d" from loki\.retention \(not set in the stack file\): Loki's compactor deletes the logs older than 30d at its first compaction after the update; before pulumi up, look for logs older than 30d .*: they are deleted unless loki\.retention is set longer than their age$/,
    );
  });

  it("follows its own advice: a longer loki.retention is not refused, and the warning names it", () => {
    const p = lokiKeepingEverything("3650d");
    assert.deepEqual(p.refused, []);
    assert.match(p.warnings![0].reason, /older than 3650d/);
  });

  it("still refuses a Loki retention shorter than the running one", () => {
    const release = runningLoki({});
    release.values.loki.compactor = { retention_enabled: true };
    release.values.loki.limits_config = { retention_period: "90d" };
    const program = programLoki({ type: "s3", bucketNames: { chunks: "loki" } });
    const values = program.export.deployment.resources[0].inputs.values;
    values.loki.compactor = { retention_enabled: true };
    values.loki.limits_config = { retention_period: "30d" };
    const [p] = previews(program, runningOf([release]), "update", new Set(), at);
    assert.equal(p.refused.length, 1);
    assert.equal(p.warnings, undefined);
    assert.match(p.refused[0].reason, /^it runs with "90d" .*; set loki\.retention to "90d"/);
  });

  it("passes a retention as long or longer, in any unit", () => {
    assert.deepEqual(previews(programKps("14d"), runningOf([kps("14d")]), "update")[0].refused, []);
    assert.deepEqual(previews(programKps("2w"), runningOf([kps("336h")]), "update")[0].refused, []);
    assert.deepEqual(previews(programKps("30d"), runningOf([kps("10d")]), "update")[0].refused, []);
  });
});

describe("takeover --running: the adopted Prometheus claim, every cause at once", () => {
  const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
  const claim =
    "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0";
  const spec = (storageClassName: string, storage: string) => ({
    accessModes: ["ReadWriteOnce"],
    storageClassName,
    resources: { requests: { storage } },
  });
  const program = synthOf(
    [
      {
        type: PVC,
        res: "prometheus-volume",
        inputs: {
          metadata: { name: claim, namespace: "monitoring" },
          spec: spec("openebs-hostpath", "70Gi"),
        },
      },
    ],
    { "prometheus-volume": `monitoring/${claim}` },
  );

  it("names both the class and the size when the running claim differs in each, with both keys and their lines", () => {
    const live = { metadata: { name: claim, namespace: "monitoring" }, spec: spec("openebs-lvm", "100Gi") };
    const [p] = previews(program, runningOf([], { pvcs: [live] }), "import", new Set(), at);
    assert.deepEqual(
      p.refused.map((x) => x.field),
      ["spec.storageClassName", "spec.resources.requests.storage"],
    );
    assert.match(p.refused[0].reason, /set storageClasses\.metrics to openebs-lvm/);
    assert.match(
      p.refused[1].reason,
      /from prometheus\.volumeSize \(Pulumi\.takeover\.yaml:44\): set prometheus\.volumeSize to 100Gi/,
    );
  });

  it("the update says the labels other managers set as kept (server-side apply), not as deletions", () => {
    const labelled = structuredClone(program);
    labelled.export.deployment.resources[0].inputs.metadata.labels = {
      "app.kubernetes.io/part-of": "homelab",
    };
    const live = {
      metadata: {
        name: claim,
        namespace: "monitoring",
        labels: { "app.kubernetes.io/instance": "kube-prometheus-stack", app: "prometheus" },
      },
      spec: spec("openebs-hostpath", "70Gi"),
    };
    const [p] = previews(labelled, runningOf([], { pvcs: [live] }), "update", new Set(), at);
    assert.equal(p.op, "~ update");
    assert.deepEqual(p.fields, [
      'metadata.labels["app.kubernetes.io/part-of"] (A)',
      'kept as they run (server-side apply leaves what other managers set; pulumi preview lists each as (D)): metadata.labels["app.kubernetes.io/instance"], metadata.labels.app',
    ]);
  });
});

describe("takeover --running: what runs, created again, said once", () => {
  const program = synthOf([
    { type: NAMESPACE, res: "namespace", inputs: { metadata: { name: "monitoring" } } },
  ]);
  const loki = runningLoki({});

  it("refuses creating the namespace the running releases live in, naming takeover.namespace at its line", () => {
    const [p, ...more] = installClashes(program, runningOf([loki]), new Set(), at);
    assert.equal(more.length, 0);
    assert.equal(p.resource, "Namespace::namespace");
    assert.match(
      p.refused[0].reason,
      /^namespace monitoring already exists \(running\/helm-list\.yaml shows monitoring\/loki in it\) and is not taken over: .*"already exists"\); take it over: set takeover\.namespace: true \(Pulumi\.takeover\.yaml:47\)/,
    );
  });

  it("says a release left out of takeover.releases once: its StatefulSets' claim templates follow from it", () => {
    const program = synthOf([
      {
        type: RELEASE,
        res: "loki",
        inputs: { name: "loki", namespace: "monitoring", chart: "loki", values: {} },
      },
    ]);
    const importPreviews = installClashes(program, runningOf([loki]));
    assert.equal(importPreviews.length, 1);
    const entry = (subject: string, owner: string) => ({
      action: "create" as const,
      subject,
      owner,
      why: [],
      refused: [{ field: "spec.volumeClaimTemplates", reason: "differs from the running StatefulSet's" }],
    });
    const entries = [
      entry("StatefulSet monitoring/loki-write", "release monitoring/loki"),
      entry("StatefulSet monitoring/other", "release monitoring/other"),
    ];
    const { update } = refusedOnceAtImport(importPreviews, [], { entries, refused: entries });
    assert.deepEqual(
      update.refused.map((e) => e.subject),
      ["StatefulSet monitoring/other"],
    );
    assert.match(update.entries[0].why[0], /its release is refused at the import step above/);
  });

  it("says nothing of the namespace once it is imported, or when nothing in the folder lives in it", () => {
    const adopting = synthOf(
      [{ type: NAMESPACE, res: "namespace", inputs: { metadata: { name: "monitoring" } } }],
      {
        namespace: "monitoring",
      },
    );
    assert.deepEqual(installClashes(adopting, runningOf([loki])), []);
    assert.deepEqual(installClashes(program, runningOf([{ ...loki, namespace: "logging" }])), []);
  });
});

describe("takeover: creating what already exists fails instead of taking it over", function () {
  this.timeout(120000);
  it("pins the Kubernetes provider's upsertExistingObjects off, whatever PULUMI_K8S_UPSERT_EXISTING_OBJECTS says", async () => {
    const { export: exp } = await synth("takeover");
    const providers = exp.deployment.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
    assert.equal(providers.length, 1);
    // The provider passes its inputs as strings (pulumi-kubernetes provider.go Configure: == "true").
    assert.ok(
      [false, "false"].includes(providers[0].inputs.upsertExistingObjects),
      JSON.stringify(providers[0].inputs),
    );
  });
});

describe("takeover --running: an adopted release Helm does not upgrade in its status is refused at the update", () => {
  const program = programLoki({ type: "s3", bucketNames: { chunks: "loki" } });
  const withStatus = (value: string): RunningState =>
    runningOf([{ ...runningLoki({}), status: { value, at: "running/helm-list.yaml:12" } }]);

  it("pending-upgrade: Helm's words, the release, the status at its line, and how to roll back", () => {
    const [p] = previews(program, withStatus("pending-upgrade"), "update", new Set(), at);
    assert.deepEqual(p.refused, [
      {
        field: "status",
        reason:
          'release monitoring/loki is pending-upgrade (running/helm-list.yaml:12): Helm refuses to upgrade a release while an operation on it is pending ("another operation (install/upgrade/rollback) is in progress"), so the first update fails in pulumi up; once nothing runs that operation any more (Flux\'s helm-controller suspended, no helm command left running), list its revisions with `helm history loki -n monitoring` and roll back to the last deployed one with `helm rollback loki REVISION -n monitoring` (REVISION: its number in that list), then collect helm-list.yaml again: helm list -n NAMESPACE -o yaml > running/helm-list.yaml (NAMESPACE: the one the running releases are in)',
      },
    ]);
  });

  it("pending-install and pending-rollback likewise; uninstalling and uninstalled with Helm's own words for them", () => {
    for (const s of ["pending-install", "pending-rollback"])
      assert.match(
        previews(program, withStatus(s), "update", new Set(), at)[0].refused[0]?.reason ?? "",
        new RegExp(
          `^release monitoring/loki is ${s} .*another operation \\(install/upgrade/rollback\\) is in progress`,
        ),
      );
    for (const s of ["uninstalling", "uninstalled"])
      assert.match(
        previews(program, withStatus(s), "update", new Set(), at)[0].refused[0]?.reason ?? "",
        new RegExp(
          `^release monitoring/loki is ${s} \\(running/helm-list\\.yaml:12\\): Helm upgrades a release that is ${s} only from an earlier deployed revision, and an uninstall leaves none \\(Helm's error: "loki" has no deployed releases\\), so the first update fails in pulumi up; list its revisions with `,
        ),
      );
  });

  it("passes deployed and failed (Helm upgrades a release whose last revision failed), and the import step, which upgrades nothing", () => {
    for (const s of ["deployed", "failed", "superseded"])
      assert.deepEqual(previews(program, withStatus(s), "update", new Set(), at)[0].refused, [], s);
    assert.deepEqual(
      previews(program, withStatus("pending-upgrade"), "import", new Set(), at)[0].refused,
      [],
    );
  });
});

describe("takeover --running: a kubectl report collected from another namespace is said once, as the folder's", () => {
  const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
  const claim = "prometheus-db-prometheus-0";
  const program = synthOf(
    [{ type: PVC, res: "prometheus-volume", inputs: { metadata: { name: claim, namespace: "monitoring" } } }],
    { "prometheus-volume": `monitoring/${claim}` },
  );
  const lokiWrite = {
    object: {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "loki-write", namespace: "monitoring" },
    },
    resourceUrn: urn(RELEASE, "loki"),
    release: { name: "loki", namespace: "monitoring", chart: "loki", version: "6.49.0", source: "" },
  };
  const before = { export: program.export, objects: [lokiWrite] } as unknown as StackState;
  const from = { namespace: "monitoring", context: "admin@production" };

  it("empty statefulsets.yaml and pvcs.yaml (kubectl get without -n): one message naming both files and their commands", () => {
    assert.equal(
      reportsCollectedElsewhere(program, before, runningOf([], { from })),
      "running/statefulsets.yaml holds no StatefulSet in monitoring, where the running releases render the StatefulSet loki-write (release loki); and running/pvcs.yaml holds no PersistentVolumeClaim in monitoring, where the takeover adopts the claim monitoring/prometheus-db-prometheus-0: they were collected from another namespace or kube context (`kubectl get` without -n lists the current namespace's objects alone), and read as what runs, each of those objects would read as absent; collect them again with: kubectl --context admin@production get statefulsets -n monitoring -o yaml > running/statefulsets.yaml && kubectl --context admin@production get pvc -n monitoring -o yaml > running/pvcs.yaml",
    );
  });

  it("says nothing when the reports hold objects in the namespace, even without the adopted claim (its own refusal says that)", () => {
    const other = { metadata: { name: "other", namespace: "monitoring" } };
    assert.equal(
      reportsCollectedElsewhere(program, before, runningOf([], { statefulSets: [other], pvcs: [other] })),
      undefined,
    );
  });
});

describe("takeover --running: a refusal names the takeover key to mend at its line, or the line of the map it goes in", () => {
  const placed: Record<string, string> = {
    "takeover.releases": "Pulumi.takeover.yaml:48",
    "takeover.releases.loki": "Pulumi.takeover.yaml:50",
    takeover: "Pulumi.takeover.yaml:45",
  };
  const where = (key: string) => placed[key];
  const program = synthOf(
    [
      {
        type: RELEASE,
        res: "loki",
        inputs: { name: "loki", namespace: "monitoring", chart: "loki", version: "6.49.0", values: {} },
      },
      {
        type: RELEASE,
        res: "grafana",
        inputs: { name: "grafana", namespace: "monitoring", chart: "grafana", version: "10.5.0", values: {} },
      },
    ],
    { loki: "monitoring/loki" },
  );
  const grafana: RunningRelease = {
    name: "grafana",
    namespace: "monitoring",
    chart: "grafana",
    version: "10.5.0",
    values: {},
  };

  it("a taken-over release helm-list.yaml does not show: correct takeover.releases.loki at its line", () => {
    const [p] = previews(program, runningOf([grafana]), "import", new Set(), where);
    assert.match(
      p.refused[0].reason,
      /; else correct takeover\.releases\.loki \(Pulumi\.takeover\.yaml:50\)$/,
    );
  });

  it("a key the file lacks is named with the line of the nearest map above it that the file writes", () => {
    assert.equal(
      stackKeyAt("takeover.prometheusVolume", where),
      "takeover.prometheusVolume (not set in the stack file; takeover is at Pulumi.takeover.yaml:45)",
    );
    assert.equal(stackKeyAt("loki.retention", where), "loki.retention (not set in the stack file)");
  });

  it("a running release left out of takeover.releases: add it under takeover.releases, at that map's line", () => {
    const clash = installClashes(program, runningOf([grafana]), new Set(), where).find(
      (p) => p.resource === "Release::grafana",
    );
    assert.match(
      clash!.refused[0].reason,
      /; take it over: add `grafana: monitoring\/grafana` under takeover\.releases \(Pulumi\.takeover\.yaml:48; docs\/how-to\/take-over-flux\.md step 1\)$/,
    );
    // No takeover.releases map yet: the takeover block's line, where it goes.
    const noMap = (key: string) => (key === "takeover" ? placed.takeover : undefined);
    const bare = installClashes(program, runningOf([grafana]), new Set(), noMap).find(
      (p) => p.resource === "Release::grafana",
    );
    assert.match(
      bare!.refused[0].reason,
      /under takeover\.releases \(not in the stack file; takeover is at Pulumi\.takeover\.yaml:45; docs/,
    );
  });
});
