import { strict as assert } from "assert";
import { planChange, type StackState } from "../../change/change";
import { claimSpec } from "../../builders/core/claim";
import { STACK_KEY_CHART_PATHS, MIMIR_STATEFUL_SETS } from "../../config/stackKeyPaths";
import { mimirName } from "../../model/services";
import type { RenderedObject, StackObject } from "../../synth/render/types";
import type { ExportResource } from "../../synth/synthesize";
import { P, refusal, BASE, STORE } from "../support/stackText";
import { stackState } from "../support/changeStates";

const URN = "urn:pulumi:s::homelab-observability::";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const STS = "kubernetes:apps/v1:StatefulSet";
const at = (key: string) =>
  ({ "loki.volumeSize": "Pulumi.s.yaml:12", "mimir.volumeSize": "Pulumi.s.yaml:20" })[key];
const reasonsOf = (before: StackState, after: StackState) =>
  planChange(before, after, at).refused.flatMap((e) => e.refused.map((r) => r.reason));

/** Mimir's StatefulSet as the program writes it (a raw resource, no chart). */
const mimirSts = (name: string, size: string, cls = "local-path"): ExportResource => ({
  urn: `${URN}homelab:metrics:Mimir$${STS}::${name}`,
  custom: true,
  type: STS,
  inputs: {
    metadata: { name, namespace: "monitoring" },
    spec: {
      serviceName: "mimir-gossip",
      selector: { matchLabels: { app: name } },
      template: { spec: { containers: [{ name: "mimir", image: "a" }] } },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: claimSpec(cls, size) }],
    },
  },
  outputs: {},
});

/** Distributed Loki's ingester: the release values and the StatefulSet the chart renders from them. */
const ingester = (size: string) => {
  const values = {
    ingester: {
      persistence: {
        size,
        storageClass: "local-path",
        claims: [{ name: "data", size, storageClass: "local-path" }],
      },
    },
  };
  const rel: ExportResource = {
    urn: `${URN}${RELEASE}::loki`,
    custom: true,
    type: RELEASE,
    inputs: { name: "loki", namespace: "monitoring", chart: "loki", version: "1.0.0", values },
    outputs: {},
  };
  const object: RenderedObject = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "loki-ingester", namespace: "monitoring" },
    spec: {
      selector: { matchLabels: { app: "ingester" } },
      template: { spec: { containers: [{ name: "ingester", image: "a" }] } },
      volumeClaimTemplates: [{ metadata: { name: "data" }, spec: claimSpec("local-path", size) }],
    },
  };
  const placed: StackObject = {
    object,
    resourceUrn: rel.urn,
    release: { name: "loki", namespace: "monitoring", chart: "loki", version: "1.0.0", source: "" },
  };
  return stackState([rel], [placed]);
};

describe("a refused claim change of Distributed Loki or Mimir names the stack key behind it", () => {
  it("a Distributed ingester's shrunk claim template: loki.volumeSize at its line", () => {
    const [reason] = reasonsOf(ingester("20Gi"), ingester("10Gi"));
    assert.match(
      reason,
      /; caused by loki\.volumeSize \(Pulumi\.s\.yaml:12\) changed from 20Gi to 10Gi: a claim cannot shrink: set loki\.volumeSize back to 20Gi/,
    );
  });
  it("monolithic Mimir's shrunk claim template (a replacement the engine makes): mimir.volumeSize at its line", () => {
    const [reason] = reasonsOf(
      stackState([mimirSts("mimir", "30Gi")]),
      stackState([mimirSts("mimir", "20Gi")]),
    );
    assert.match(
      reason,
      /^the replacement deletes the object that holds the data and creates an empty one; caused by mimir\.volumeSize \(Pulumi\.s\.yaml:20\) changed from 30Gi to 20Gi: a claim cannot shrink: set mimir\.volumeSize back to 30Gi, or move the data to a new claim: docs\/how-to\/check-a-change\.md#a-refused-claim$/,
    );
  });
  it("a grown Mimir claim template: it cannot grow in place", () => {
    const [reason] = reasonsOf(
      stackState([mimirSts("mimir", "20Gi")]),
      stackState([mimirSts("mimir", "40Gi")]),
    );
    assert.match(
      reason,
      /caused by mimir\.volumeSize .*changed from 20Gi to 40Gi: a claim template cannot grow in place/,
    );
  });
  it("a scaled-out group's class change: storageClasses.metrics", () => {
    const [reason] = reasonsOf(
      stackState([mimirSts("mimir-write", "24Gi", "fast-ssd")]),
      stackState([mimirSts("mimir-write", "24Gi")]),
    );
    assert.match(reason, /caused by storageClasses\.metrics changed from fast-ssd to local-path/);
  });
  it("a scaled-out group's size, the program's own from the workload, names no key", () => {
    const [reason] = reasonsOf(
      stackState([mimirSts("mimir-write", "24Gi")]),
      stackState([mimirSts("mimir-write", "30Gi")]),
    );
    assert.doesNotMatch(reason, /caused by/);
  });
  it("the table's Mimir objects are Mimir's StatefulSets by name", () => {
    for (const t of ["all", "write", "backend"] as const)
      assert.equal(MIMIR_STATEFUL_SETS[t], `StatefulSet/${mimirName(t)}`);
  });
});

describe("loki.volumeSize and a chartValues override of a Distributed component's claim", () => {
  const problemsOf = (more: string) =>
    refusal(`${BASE}${STORE}  ${P("alerting")}: {pushover: false, heartbeat: false}\n${more}`).problems;
  it("the table places loki.volumeSize on each Distributed claim", () => {
    const paths = STACK_KEY_CHART_PATHS.filter((e) => e.key === "loki.volumeSize").map((e) =>
      e.path.join("."),
    );
    for (const p of [
      "ingester.persistence.size",
      "ingester.persistence.claims.0.size",
      "indexGateway.persistence.size",
      "compactor.persistence.size",
      "compactor.persistence.claims.0.size",
      "ruler.persistence.size",
    ])
      assert.ok(paths.includes(p), p);
  });
  it("chartValues.loki.ingester.persistence.size with loki.volumeSize: one message naming both", () => {
    const problems = problemsOf(
      `  ${P("loki")}:\n    mode: Distributed\n    volumeSize: 20Gi\n  ${P("chartValues")}:\n    loki:\n      ingester:\n        persistence:\n          size: 5Gi\n`,
    );
    assert.equal(problems.length, 1, problems.join("\n"));
    assert.match(
      problems[0],
      /^homelab-observability:loki\.volumeSize: expected the loki chart's ingester\.persistence\.size set in one place .* and chartValues\.loki\.ingester\.persistence\.size: "5Gi" .*; remove chartValues\.loki\.ingester\.persistence\.size$/,
    );
  });
  it("chartValues.loki.compactor.persistence.claims (a list, replaced whole) with loki.volumeSize: refused", () => {
    const problems = problemsOf(
      `  ${P("loki")}:\n    mode: Distributed\n    volumeSize: 20Gi\n  ${P("chartValues")}:\n    loki:\n      compactor:\n        persistence:\n          claims: [{name: data, size: 5Gi}]\n`,
    );
    assert.ok(
      problems.some((p) =>
        /compactor\.persistence\.claims\.0\.size set in one place .*remove chartValues\.loki\.compactor\.persistence\.claims$/.test(
          p,
        ),
      ),
      problems.join("\n"),
    );
  });
});
