/**
 * Audit hAg2: an extra hostPath volume a `chartValues` list adds to a log agent lands on each
 * release of the chart (the node agents' two DaemonSets during their handover), where the
 * host-path check and the host-paths-for-agents-only policy both see it: one mistake, one message,
 * naming the list item it came from, every place it lands and what to do.
 */
import { strict as assert } from "assert";
import { attributeOverrides, mergeProblems } from "../../synth/report";
import type { Violation } from "../../policy/evaluate";
import { checkHostPaths } from "../../checks/privileges";
import { daemonSet } from "../support/objects";

const STACK = "urn:pulumi:s::p";
const extraVolumes = [
  { name: "etc", hostPath: { path: "/etc" } },
  { name: "run-udev", hostPath: { path: "/run/udev" } },
];
const extraVolumeMounts = [
  { name: "etc", mountPath: "/host/etc", readOnly: true },
  { name: "run-udev", mountPath: "/run/udev", readOnly: true },
];
const rel = (ns: string) => ({
  urn: `${STACK}::kubernetes:helm.sh/v3:Release::vector-${ns}`,
  type: "kubernetes:helm.sh/v3:Release",
  inputs: { name: "vector", namespace: ns, chart: "vector", values: { extraVolumes, extraVolumeMounts } },
});
const resources = [rel("monitoring"), rel("monitoring-agents")];
const overrides = ["vector.extraVolumes", "vector.extraVolumeMounts"];

/** Vector's DaemonSet in `ns` with the program's /var/log and the override's two volumes. */
function vector(ns: string) {
  const ds = daemonSet("vector", 9090, false);
  ds.metadata.namespace = ns;
  ds.spec.template.spec.containers[0].image = "timberio/vector:0.56.0-debian";
  ds.spec.template.spec.volumes = [{ name: "var-log", hostPath: { path: "/var/log" } }, ...extraVolumes];
  return { obj: ds, urn: `urn:vector-${ns}`, source: "release vector" };
}
const policy = (ns: string, vol: string, path: string): Violation => ({
  policy: "host-paths-for-agents-only",
  level: "mandatory",
  urn: `${STACK}::kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:DaemonSet::vector-${ns}/${ns}/vector`,
  message: `kubernetes:apps/v1:DaemonSet "vector-${ns}/${ns}/vector": volume ${vol} mounts the host's ${path}: it does not need it as a node agent (it needs /var/log, /var/lib/vector); remove the volume and its mount: a node agent mounts only the host paths it needs.`,
});

describe("synth: an extra hostPath volume from chartValues, one message per volume (audit hAg2)", () => {
  const namespaces = ["monitoring", "monitoring-agents"];
  const findings = checkHostPaths(namespaces.map(vector));
  const violations = namespaces.flatMap((ns) => [
    policy(ns, "etc", "/etc"),
    policy(ns, "run-udev", "/run/udev"),
  ]);

  it("the host-path check names the volume in its message and says what to do", () => {
    assert.equal(findings.length, 4);
    assert.match(
      findings[0].message,
      /^DaemonSet monitoring\/vector \(release vector\) volume etc mounts the host's \/etc: .*; remove the volume and its mount/,
    );
  });

  it("merges each volume's two policy reports and two check findings into one, naming its list items", () => {
    const merged = mergeProblems(violations, findings, { resources, overrides });
    assert.deepEqual(merged.findings, []);
    assert.equal(merged.violations.length, 2, merged.violations.map((v) => v.message).join("\n"));
    const [etc, udev] = attributeOverrides(
      merged.violations,
      resources,
      overrides,
      (k) => `Pulumi.s.yaml:${k.length}`,
    );
    assert.match(etc.message, /volume etc /);
    assert.deepEqual(etc.alsoAt, [
      `[host-paths-for-agents-only] kubernetes:apps/v1:DaemonSet "vector-monitoring-agents/monitoring-agents/vector"`,
      "[host-path] DaemonSet monitoring/vector volume etc",
      "[host-path] DaemonSet monitoring-agents/vector volume etc",
    ]);
    assert.deepEqual(etc.overrides, [
      "chartValues.vector.extraVolumes[0] (Pulumi.s.yaml:34)",
      "chartValues.vector.extraVolumeMounts[0] (Pulumi.s.yaml:39)",
    ]);
    assert.equal(etc.overridesUnsure, undefined);
    assert.match(udev.message, /volume run-udev /);
    assert.deepEqual(udev.overrides, [
      "chartValues.vector.extraVolumes[1] (Pulumi.s.yaml:34)",
      "chartValues.vector.extraVolumeMounts[1] (Pulumi.s.yaml:39)",
    ]);
    assert.equal(udev.alsoAt.length, 3);
  });
});
