/**
 * Audit hPi2: one renamed Vector image is one mistake however many releases of the chart and
 * checks show it (arm64-images, host-path on each volume of each release), named with its key; a
 * stack key a pack message names in backquotes gets its file:line.
 */
import { strict as assert } from "assert";
import { attributeOverrides, mergeProblems, placeStackKeys, type CheckFinding } from "../../synth/report";
import type { Violation } from "../../policy/evaluate";
import { checkHostPaths } from "../../checks/privileges";
import { daemonSet } from "../support/objects";

const STACK = "urn:pulumi:s::p";
const rel = (ns: string) => ({
  urn: `${STACK}::kubernetes:helm.sh/v3:Release::vector-${ns}`,
  type: "kubernetes:helm.sh/v3:Release",
  inputs: {
    name: "vector",
    namespace: ns,
    chart: "vector",
    values: { image: { repository: "my.registry/vector-custom", tag: "0.56.0-debian" } },
  },
});
const resources = [rel("monitoring"), rel("monitoring-agents")];
const overrides = ["vector.image.repository", "vector.image.tag"];
const hostPath = (ns: string, vol: string): CheckFinding => ({
  check: "host-path",
  where: `DaemonSet ${ns}/vector volume ${vol}`,
  message: `DaemonSet ${ns}/vector (release vector) mounts the host's /var/log: it does not need it as a node agent (no node agent image): it runs my.registry/vector-custom:0.56.0-debian, none of the node agents' images (timberio/vector)`,
});

describe("synth: one renamed image, one message (audit hPi2)", () => {
  it("merges the arm64 refusal and the host-path findings of both releases into one, naming the keys", () => {
    const arm: Violation = {
      policy: "arm64-images",
      level: "mandatory",
      urn: `${STACK}::kubernetes:helm.sh/v3:Release$kubernetes:apps/v1:DaemonSet::vector-monitoring-agents/monitoring-agents/vector`,
      message: `DaemonSet vector: image is "my.registry/vector-custom:0.56.0-debian": my.registry/vector-custom is not known to publish linux/arm64`,
    };
    const findings = ["monitoring", "monitoring-agents"].flatMap((ns) => [
      hostPath(ns, "data"),
      hostPath(ns, "var-log"),
    ]);
    const merged = mergeProblems([arm], findings, { resources, overrides });
    assert.equal(merged.violations.length, 1);
    assert.deepEqual(merged.findings, []);
    assert.equal(merged.violations[0].alsoAt.length, 4, merged.violations[0].alsoAt.join("\n"));
    const [v] = attributeOverrides(
      merged.violations,
      resources,
      overrides,
      (k) => `Pulumi.s.yaml:${k.length}`,
    );
    assert.deepEqual(v.overrides, [
      "chartValues.vector.image.repository (Pulumi.s.yaml:35)",
      "chartValues.vector.image.tag (Pulumi.s.yaml:28)",
    ]);
  });
  it("places a stack key a message names in backquotes, and leaves one the file lacks", () => {
    const at = (k: string) => (k === "nodePools[0].taints" ? "Pulumi.s.yaml:23" : undefined);
    assert.equal(
      placeStackKeys("`nodePools[0].taints` (pool pi5) and `nodePools[1].taints`", at),
      "`nodePools[0].taints` (Pulumi.s.yaml:23) (pool pi5) and `nodePools[1].taints`",
    );
  });
  it("host-path names the image a DaemonSet runs when it is no node agent's, so it narrows to the image keys", () => {
    const ds = daemonSet("vector", 9090, false);
    ds.spec.template.spec.containers[0].image = "my.registry/vector-custom:0.56.0-debian";
    ds.spec.template.spec.volumes = [{ name: "var-log", hostPath: { path: "/var/log" } }];
    const [f] = checkHostPaths([{ obj: ds, urn: "urn:vector", source: "release vector" }]);
    assert.match(
      f.message,
      /\(no node agent image\): it runs my\.registry\/vector-custom:0\.56\.0-debian, none of the node agents' images \(.*timberio\/vector.*\)/,
    );
  });
});
