import { strict as assert } from "assert";
import { runningRenders } from "../../change/check";
import { RunningNotRenderedError, UpdateNotRenderedError } from "../../change/takeover";
import { SynthInputError, type StackExport } from "../../synth/synthesize";
import type { ReleaseRender } from "../../synth/render/types";
import { ChartCacheError } from "../../synth/render/helm";
import type { RunningState } from "../../model/running";

const running: RunningState = {
  dir: "/ops/running",
  releases: [
    {
      name: "kube-prometheus-stack",
      namespace: "monitoring",
      chart: "kube-prometheus-stack",
      version: "45.0.0",
      values: {},
    },
  ],
  statefulSets: [],
  pvcs: [],
};

describe("--running: the archive of a running release's older chart missing from the cache (audit 16)", () => {
  it("names the running release, its version and where its repository is found, pasteable, and offers no --no-render", async () => {
    const missing = new ChartCacheError(
      "the chart cache /c lacks 1 of the 3 chart archives this stack renders: kube-prometheus-stack-45.0.0.tgz; ... or synthesize with --no-render",
      [{ archive: "kube-prometheus-stack-45.0.0.tgz", fix: "helm pull --repo <repo> ..." }],
      ["kube-prometheus-stack-45.0.0.tgz"],
      "/c",
    );
    await assert.rejects(
      runningRenders(running, "running/", () => Promise.reject(missing)),
      (e: Error) => {
        assert.ok(e instanceof ChartCacheError, "still a missing archive: exit 2, cannot render");
        assert.match(
          e.message,
          /^--running running\/: the chart cache \/c lacks kube-prometheus-stack-45\.0\.0\.tgz, the chart of what runs \(\/ops\/running\/helm-list\.yaml\)/,
        );
        // The command that lists the repositories on its own line, the rest of helm pull's
        // arguments exact, and nothing a shell reads as a redirection (`<its` would be one).
        assert.ok(
          e.message.includes(
            "List the Helm repositories the running releases come from with:\n    flux get sources helm -A\n" +
              "  then fill the cache with helm pull --repo, the URL listed for the chart's repository, and these arguments, one archive per line:\n" +
              "    kube-prometheus-stack --version 45.0.0 -d /c    # monitoring/kube-prometheus-stack\n",
          ),
          e.message,
        );
        assert.doesNotMatch(e.message, /[<>]/);
        assert.doesNotMatch(e.message, /synthesize with --no-render|this stack renders/);
        return true;
      },
    );
  });

  it("passes the renders through when nothing is missing", async () => {
    assert.equal(await runningRenders(running, "running/", () => Promise.resolve(7)), 7);
  });
});

/** The takeover stack's loki Release, alone in an export, and its render at `version` that failed with `error`. */
const LOKI_URN = "urn:pulumi:takeover::homelab-observability::kubernetes:helm.sh/v3:Release::loki";
const exp = {
  version: 3,
  deployment: {
    manifest: {},
    resources: [{ urn: LOKI_URN, type: "kubernetes:helm.sh/v3:Release", inputs: {} }],
  },
} as unknown as StackExport;
const failedLoki = (version: string, error: string) =>
  ({
    resourceUrn: LOKI_URN,
    releaseName: "loki",
    namespace: "monitoring",
    chart: "loki",
    version,
    objects: [],
    error,
  }) as unknown as ReleaseRender;

describe("--running: a running release whose chart and values do not render", () => {
  const failed = failedLoki(
    "6.49.0",
    "Error: execution error at (loki/templates/write/statefulset-write.yaml:50:28): Please define loki.storage.bucketNames.chunks\nUse --debug flag to render out invalid YAML",
  );

  it("is the folder's input (exit 2), with Helm's whole message and the values file it was rendered from", async () => {
    await assert.rejects(
      runningRenders(running, "running/", () => Promise.reject(new RunningNotRenderedError([failed], exp))),
      (e: Error) => {
        assert.ok(e instanceof SynthInputError, `a --running input, not an unexpected error: ${e}`);
        assert.equal(
          e.message,
          "--running running/: what runs does not render, so the change from it is not known: 1 of 1 Helm releases did not render (helm template):\n" +
            "  monitoring/loki (loki 6.49.0): Error: execution error at (loki/templates/write/statefulset-write.yaml:50:28): Please define loki.storage.bucketNames.chunks\n" +
            "  monitoring/loki: rendered with chart loki 6.49.0 (/ops/running/helm-list.yaml) and the values of /ops/running/monitoring.loki.values.yaml (collected with: helm get values loki -n monitoring --all -o yaml > running/monitoring.loki.values.yaml)",
        );
        return true;
      },
    );
  });
});

describe("--running: the takeover's first update does not render with the values it keeps from what runs", () => {
  const failed = failedLoki(
    "18.11.0",
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nloki:\n- singleBinary.persistence.size: Invalid type. Expected: string, given: integer",
  );
  const withLoki: RunningState = {
    ...running,
    releases: [
      {
        name: "loki",
        namespace: "monitoring",
        chart: "loki",
        version: "6.49.0",
        values: { singleBinary: { persistence: { size: 10, storageClass: "local-path" } } },
      },
    ],
  };

  it("is the folder's input (exit 2): Helm's whole message, then the kept paths the running values set and their file", async () => {
    await assert.rejects(
      runningRenders(withLoki, "running/", () => Promise.reject(new UpdateNotRenderedError([failed], exp))),
      (e: Error) => {
        assert.ok(e instanceof SynthInputError, `a --running input, not an unexpected error: ${e}`);
        assert.equal(
          e.message,
          "--running running/: the first update does not render with the values it keeps from what runs, so its change is not known: 1 of 1 Helm releases did not render (helm template):\n" +
            "  monitoring/loki (loki 18.11.0): Error: values don't meet the specifications of the schema(s) in the following chart(s):\nloki:\n- singleBinary.persistence.size: Invalid type. Expected: string, given: integer\n" +
            "  monitoring/loki: the update renders chart loki 18.11.0 with singleBinary.persistence.size, singleBinary.persistence.storageClass kept from what runs (/ops/running/monitoring.loki.values.yaml)",
        );
        return true;
      },
    );
  });
});
