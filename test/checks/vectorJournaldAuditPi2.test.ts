/**
 * Audit hPi2: Vector's journald source runs `journalctl`, which only Vector's -debian images have
 * (vector v0.56.0 journald.cue, distribution/docker/*\/Dockerfile): a pod running another variant
 * with a journald source is refused, naming the image key; the pinned -debian image passes.
 */
import { strict as assert } from "assert";
import { stringify } from "yaml";
import { vectorConfig } from "../../builders/logging/vectorConfig";
import type { K8sObject, Placed } from "../../checks/objects";
import { checkVector, hasJournalctl } from "../../checks/vector";
import { versions } from "../../model/versions";
import { NS, daemonSet } from "../support/objects";

const at = (obj: K8sObject): Placed => ({ obj, urn: "urn:vector", source: "release vector" });
const objects = (image: string, journal = true): Placed[] => {
  const text = stringify(
    vectorConfig({
      cluster: "pi",
      lokiBaseUrl: "http://loki.monitoring.svc:3100",
      bufferBytes: 268435488,
      nodeLogs: { journal, syslogFiles: journal ? [] : ["/var/log/messages"] },
    }),
  );
  const ds = daemonSet("vector", 9090, false);
  ds.spec.template.spec.containers[0].image = image;
  ds.spec.template.spec.volumes = [{ name: "config", configMap: { name: "vector" } }];
  return [
    at({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "vector", namespace: NS },
      data: { "vector.yaml": text },
    }),
    at(ds),
  ];
};

describe("rendered-stack checks: journald needs a Vector image with journalctl (audit hPi2)", () => {
  it("knows the -debian tags (with a digest too) from the others", () => {
    assert.ok(hasJournalctl(`timberio/vector:${versions.images.vector.tag}`));
    assert.ok(hasJournalctl("docker.io/timberio/vector:0.56.0-debian@sha256:abc"));
    for (const tag of ["0.56.0-distroless-libc", "0.56.0-distroless-static", "0.56.0-alpine"])
      assert.ok(!hasJournalctl(`timberio/vector:${tag}`), tag);
  });
  it("passes the pinned -debian image with the journal", () =>
    assert.deepEqual(checkVector(objects(`timberio/vector:${versions.images.vector.tag}`)).findings, []));
  it("passes a distroless image without a journald source", () =>
    assert.deepEqual(checkVector(objects("timberio/vector:0.56.0-distroless-libc", false)).findings, []));
  it("fails a distroless image with a journald source, naming the source, the image and the key", () => {
    const f = checkVector(objects("timberio/vector:0.56.0-distroless-libc")).findings;
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].check, "vector-journald");
    assert.match(f[0].where, /^DaemonSet monitoring\/vector \(release vector\) container /);
    assert.match(
      f[0].message,
      /^runs timberio\/vector:0\.56\.0-distroless-libc, not a -debian image of Vector, the only ones with journalctl, yet its config .* has the journald source journal.*Set chartValues\.vector\.image\.tag to a -debian tag \(the pinned 0\.56\.0-debian\), or turn the journal off \(nodeLogs\.journal: false\)$/,
    );
  });
});
