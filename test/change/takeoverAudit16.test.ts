import { strict as assert } from "assert";
import { installClashes, previews } from "../../change/takeover";
import type { RunningRelease, RunningState } from "../../model/running";
import type { SynthResult } from "../../synth/synthesize";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const urn = (n: string) => `urn:pulumi:takeover::homelab-observability::${RELEASE}::${n}`;

/** A synthesis that installs the given Releases and imports `imports` (`<ns>/<name>` by URN name). */
function synthOf(
  releases: { res: string; ns: string; name: string; chart: string }[],
  imports: Record<string, string> = {},
) {
  return {
    export: {
      deployment: {
        resources: releases.map((r) => ({
          urn: urn(r.res),
          custom: true,
          type: RELEASE,
          inputs: { name: r.name, namespace: r.ns, chart: r.chart, version: "1.0.0", values: {} },
        })),
      },
    },
    imports: Object.entries(imports).map(([res, id]) => ({ urn: urn(res), id })),
    reads: [],
  } as unknown as SynthResult;
}

const rel = (namespace: string, name: string, chart: string, version = "1.4.0"): RunningRelease => ({
  name,
  namespace,
  chart,
  version,
  values: {},
});
const running = (...releases: RunningRelease[]): RunningState => ({
  dir: "running",
  releases,
  statefulSets: [],
  pvcs: [],
});

describe("takeover --running: a Flux-run release the program installs again elsewhere (audit 16)", () => {
  const program = synthOf([
    { res: "alloy-agents", ns: "monitoring-agents", name: "alloy", chart: "alloy" },
    { res: "alloy-cluster", ns: "monitoring", name: "alloy-cluster", chart: "alloy" },
  ]);

  it("refuses installing alloy in the agents' namespace while Flux's alloy runs in monitoring, naming the key to add and agents.step", () => {
    const [p, ...more] = installClashes(program, running(rel("monitoring", "alloy", "alloy")));
    assert.equal(more.length, 0, "one refusal for one mistake");
    assert.equal(p.resource, "Release::alloy-agents");
    assert.equal(p.op, "+ create");
    assert.match(
      p.refused[0].reason,
      /^release monitoring\/alloy \(chart alloy 1\.4\.0\) already runs \(running\/helm-list\.yaml\) and is not taken over: the program would install its own alloy in monitoring-agents, .*invalid ownership metadata.*take it over: add `alloy: monitoring\/alloy` under takeover\.releases .*agents\.step: stay for the import step/,
    );
  });

  it("says nothing of a running release of that name once it is taken over, or of another chart", () => {
    const adopting = synthOf([{ res: "alloy-agents", ns: "monitoring", name: "alloy", chart: "alloy" }], {
      "alloy-agents": "monitoring/alloy",
    });
    assert.deepEqual(installClashes(adopting, running(rel("monitoring", "alloy", "alloy"))), []);
    assert.deepEqual(installClashes(program, running(rel("logging", "alloy", "promtail", "6.16.6"))), []);
  });
});

describe("takeover --running: an adopted object missing from the folder (audit 16)", () => {
  const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
  const claim =
    "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0";
  const program = {
    export: {
      deployment: {
        resources: [
          {
            urn: "urn:pulumi:takeover::homelab-observability::pulumi:providers:kubernetes::k8s",
            custom: true,
            type: "pulumi:providers:kubernetes",
            inputs: { context: "admin@production" },
          },
          {
            urn: `urn:pulumi:takeover::homelab-observability::${PVC}::prometheus-volume`,
            custom: true,
            type: PVC,
            inputs: { metadata: { name: claim, namespace: "monitoring" } },
          },
        ],
      },
    },
    imports: [
      {
        urn: `urn:pulumi:takeover::homelab-observability::${PVC}::prometheus-volume`,
        id: `monitoring/${claim}`,
      },
    ],
    reads: [],
  } as unknown as SynthResult;
  // pvcs.yaml of another cluster, whose KPS runs under another full name.
  const other: RunningState = {
    ...running(),
    pvcs: [
      {
        metadata: {
          name: "prometheus-kps-prometheus-db-prometheus-kps-prometheus-0",
          namespace: "monitoring",
        },
      },
    ],
  };

  it("names the file, what it holds, the stack's context to collect it with, and the key to correct", () => {
    const [p] = previews(program, other, "import");
    assert.equal(p.refused.length, 1);
    assert.match(
      p.refused[0].reason,
      /is not in the running state \(running\/pvcs\.yaml lists monitoring\/prometheus-kps-prometheus-db-prometheus-kps-prometheus-0\): the import would fail; if the folder was collected from another cluster, collect it again with kubectl config use-context admin@production .*; else correct takeover\.prometheusVolume$/,
    );
  });

  it("refuses it once: the update step has nothing to diff and says so without a second refusal", () => {
    const [p] = previews(program, other, "update");
    assert.deepEqual(p.refused, []);
    assert.equal(p.op, "~ update");
  });
});
