/**
 * Audit hAg2: Alloy's `--storage.path` (its write-ahead logs, its files' and journal's positions)
 * must lie on a volume the pod mounts writable (check `written-paths`). An override of the alloy
 * chart's `controller.volumes.extra` replaces the program's whole list, the `alloy-data` volume under
 * the storage path with it: the path is then on the container's filesystem, or on a volume the pod
 * does not define. One mistake over every Alloy release, named by its override.
 */
import { strict as assert } from "assert";
import { checkWrittenPaths } from "../../checks/writtenPaths";
import type { K8sObject, Placed } from "../../checks/objects";
import { ALLOY_STORAGE_PATH } from "../../upstream/engines/writablePaths";
import { attributeOverrides, mergeProblems } from "../../synth/report";

/** An Alloy DaemonSet as the alloy chart renders it, with the given volumes and mounts. */
function alloy(
  ns: string,
  volumes: any[],
  mounts: any[],
  args = ["--storage.path=/var/lib/alloy/data"],
): Placed {
  const obj: K8sObject = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "alloy", namespace: ns },
    spec: {
      selector: { matchLabels: { app: "alloy" } },
      template: {
        metadata: { labels: { app: "alloy" } },
        spec: {
          containers: [
            {
              name: "alloy",
              image: "docker.io/grafana/alloy:v1.12.0",
              args: ["run", "/etc/alloy/config.alloy", ...args],
              volumeMounts: [{ name: "config", mountPath: "/etc/alloy" }, ...mounts],
            },
          ],
          volumes: [{ name: "config", configMap: { name: "alloy" } }, ...volumes],
        },
      },
    },
  };
  return { obj, urn: `urn:alloy-${ns}`, source: "release alloy" };
}
const data = { name: "alloy-data", hostPath: { path: "/var/lib/alloy", type: "DirectoryOrCreate" } };
const dataMount = { name: "alloy-data", mountPath: "/var/lib/alloy" };
const tz = { name: "tz", configMap: { name: "alloy-tz" } };
const tzMount = { name: "tz", mountPath: "/etc/alloy-tz", readOnly: true };
const alloyFindings = (p: Placed) => checkWrittenPaths([p]).findings;

describe("written-paths: Alloy's storage path on a writable volume (audit hAg2)", () => {
  it("passes the program's alloy-data volume under the storage path", () => {
    assert.deepEqual(alloyFindings(alloy("monitoring", [data], [dataMount])), []);
  });

  it("fails a storage path on no volume (the override dropped alloy-data), naming the chart values and what to do", () => {
    const [f, ...rest] = alloyFindings(alloy("monitoring", [tz], [tzMount]));
    assert.deepEqual(rest, []);
    assert.equal(f.where, "DaemonSet monitoring/alloy (release alloy) container alloy");
    assert.match(
      f.message,
      /storage path .* is \/var\/lib\/alloy\/data \(--storage\.path\), on no volume: on the container's own filesystem/,
    );
    assert.match(f.message, /put it on a volume the pod mounts writable/);
    assert.match(f.message, /values\.controller\.volumes\.extra/);
  });

  it("fails a storage path on a volume the pod does not define, mounted read-only, or on a ConfigMap", () => {
    assert.match(
      alloyFindings(alloy("m", [tz], [dataMount]))[0].message,
      /on volume alloy-data, which the pod does not define/,
    );
    assert.match(
      alloyFindings(alloy("m", [data], [{ ...dataMount, readOnly: true }]))[0].message,
      /mounted read-only/,
    );
    assert.match(
      alloyFindings(alloy("m", [{ name: "alloy-data", configMap: { name: "x" } }], [dataMount]))[0].message,
      /on configMap volume alloy-data, which the kubelet mounts read-only/,
    );
  });

  it("takes Alloy's default storage path, relative, without the flag", () => {
    assert.equal(ALLOY_STORAGE_PATH.default, "data-alloy/");
    const [f] = alloyFindings(alloy("m", [data], [dataMount], []));
    assert.match(f.message, /is \/data-alloy \(--storage\.path unset, Alloy's default data-alloy\//);
  });

  it("reads the storage path as cobra and pflag do: --storage.path value, the last one given; a refused command line is process-args'", () => {
    const on = (...args: string[]) => alloyFindings(alloy("m", [data], [dataMount], args));
    // The chart's own flag first, an extraArgs item after it: the later one is the path Alloy uses.
    const [f] = on("--storage.path=/var/lib/alloy/data", "--storage.path", "/tmp/alloy");
    assert.match(f.message, /is \/tmp\/alloy \(--storage\.path\), on no volume/);
    assert.deepEqual(on("--storage.path=/tmp/alloy", "--storage.path=/var/lib/alloy/data"), []);
    // `-storage.path=` is pflag's unknown shorthand `-s`: Alloy does not start, which process-args says.
    assert.deepEqual(on("-storage.path=/tmp/alloy"), []);
  });

  it("is one message for every release of the chart, naming the override", () => {
    const STACK = "urn:pulumi:s::p";
    const rel = (ns: string) => ({
      urn: `${STACK}::kubernetes:helm.sh/v3:Release::alloy-${ns}`,
      type: "kubernetes:helm.sh/v3:Release",
      inputs: {
        name: "alloy",
        namespace: ns,
        chart: "alloy",
        values: { controller: { volumes: { extra: [tz] } } },
      },
    });
    const resources = [rel("monitoring"), rel("monitoring-agents")];
    const overrides = ["alloy.controller.volumes.extra", "alloy.alloy.configMap.content"];
    const findings = checkWrittenPaths([
      alloy("monitoring", [tz], [tzMount]),
      alloy("monitoring-agents", [tz], [tzMount]),
    ]).findings;
    const merged = mergeProblems([], findings, { resources, overrides });
    assert.equal(merged.findings.length, 1);
    assert.deepEqual(merged.findings[0].alsoAt, [
      "[written-paths] DaemonSet monitoring-agents/alloy (release alloy) container alloy",
    ]);
    const [f] = attributeOverrides(merged.findings, resources, overrides);
    assert.deepEqual(f.overrides, ["chartValues.alloy.controller.volumes.extra"]);
    assert.equal(f.overridesUnsure, undefined);
  });
});
