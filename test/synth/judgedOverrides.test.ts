/**
 * Trial N2: a finding's chartValues cause is what its rule judged (Violation.judged, from
 * policy/lib/report.ts reportJudged; checks' Finding.judged), not the words of its message, and
 * synth (the pack and the rendered-object checks) and policy:check (the pack alone) merge the
 * pack's violations alike. A Vector DaemonSet given an amd64-only image and an amd64 nodeSelector
 * by two overrides: node-agents-on-every-pool is the nodeSelector's, host-paths-for-agents-only
 * the image's; neither is said to clear the other.
 */
import { strict as assert } from "assert";
import { evaluateResources, type ExportedResource } from "../../policy/evaluate";
import { attributeOverrides, formatMergedViolations, mergeProblems } from "../../synth/report";
import { checkHostPaths } from "../../checks/privileges";
import { RENDERED_KEY } from "@homelab-observability/contract";
import { stackInfo } from "../support/policyCases";

const STACK = "urn:pulumi:production::homelab-observability";
const image = "someone/amd64only:1.0";
const values = {
  image: { repository: "someone/amd64only", tag: "1.0" },
  nodeSelector: { "kubernetes.io/arch": "amd64" },
};
const release: ExportedResource = {
  urn: `${STACK}::kubernetes:helm.sh/v3:Release::vector-agents`,
  type: "kubernetes:helm.sh/v3:Release",
  custom: true,
  inputs: { name: "vector", namespace: "monitoring-agents", chart: "vector", values, [RENDERED_KEY]: 1 },
};
const pod = {
  nodeSelector: values.nodeSelector,
  containers: [{ name: "vector", image, volumeMounts: [{ name: "data", mountPath: "/vector-data-dir" }] }],
  volumes: [
    { name: "data", hostPath: { path: "/var/lib/vector" } },
    { name: "var-log", hostPath: { path: "/var/log" } },
  ],
};
const daemonSet = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "vector", namespace: "monitoring-agents" },
  spec: { selector: { matchLabels: { app: "vector" } }, template: { spec: pod } },
};
const rendered: ExportedResource = {
  urn: `${STACK}::kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:DaemonSet::vector-agents/monitoring-agents/vector`,
  type: "kubernetes:apps/v1:DaemonSet",
  custom: true,
  inputs: daemonSet,
  parent: release.urn,
};
const resources = [
  stackInfo([
    { name: "amd", arch: "amd64", count: 1 },
    { name: "pi5", arch: "arm64", count: 2 },
  ]),
  release,
  rendered,
];
const overrides = ["vector.image.repository", "vector.image.tag", "vector.nodeSelector.kubernetes.io/arch"];
const POLICIES = new Set(["node-agents-on-every-pool", "host-paths-for-agents-only"]);

async function judged(withFindings: boolean) {
  const violations = (await evaluateResources(resources, {})).filter((v) => POLICIES.has(v.policy));
  const findings = withFindings
    ? checkHostPaths([{ obj: daemonSet, urn: rendered.urn, source: "release vector" }])
    : [];
  const merged = mergeProblems(violations, findings, { resources, overrides });
  return attributeOverrides(merged.violations, resources, overrides);
}

describe("a finding's override is what its rule judged (trial N2)", () => {
  it("node-agents-on-every-pool is the nodeSelector's, host-paths-for-agents-only the image's: two messages", async () => {
    const vs = await judged(false);
    assert.deepEqual(
      vs.map((v) => [v.policy, v.overrides, v.overridesUnsure]),
      [
        ["node-agents-on-every-pool", ['chartValues.vector.nodeSelector["kubernetes.io/arch"]'], undefined],
        [
          "host-paths-for-agents-only",
          ["chartValues.vector.image.repository", "chartValues.vector.image.tag"],
          undefined,
        ],
      ],
    );
    // Both volumes are the image's one mistake, one message; never "clears every place" of the other rule.
    assert.deepEqual(vs[1].alsoAt, [
      '[host-paths-for-agents-only] kubernetes:apps/v1:DaemonSet "vector-agents/monitoring-agents/vector"',
    ]);
    assert.doesNotMatch(formatMergedViolations(vs), /that clears every place above/);
  });

  it("the rendered-object checks change no violation's merge: synth's verdict is policy:check's", async () => {
    const [alone, withChecks] = [await judged(false), await judged(true)];
    assert.deepEqual(
      withChecks.map((v) => [v.policy, v.overrides]),
      alone.map((v) => [v.policy, v.overrides]),
    );
    // The host-path findings join the image's message, where removing the image overrides clears them.
    assert.match(
      formatMergedViolations(withChecks),
      /host-paths-for-agents-only: .*volume data .*\n {6}the same mistake, also seen at: .*\[host-path\] DaemonSet monitoring-agents\/vector volume data; \[host-path\] DaemonSet monitoring-agents\/vector volume var-log\n {6}from the stack's chart values overrides chartValues\.vector\.image\.repository, chartValues\.vector\.image\.tag: change or remove them in the stack file \(that clears every place above;/,
    );
  });
});
