import { strict as assert } from "assert";
import { mergeValues, overridePaths } from "../../builders/chartValues";

describe("chart values overrides merge like a later Helm values file", () => {
  const base = {
    replicas: 1,
    persistence: { enabled: true, size: "5Gi" },
    containerSecurityContext: { privileged: false, readOnlyRootFilesystem: true },
    extraEmptyDirMounts: [{ name: "tmp", mountPath: "/tmp" }],
  };

  it("maps merge key by key, scalars and lists are replaced, the program's other keys stay", () => {
    const out = mergeValues(base, {
      replicas: 2,
      containerSecurityContext: { privileged: true },
      extraEmptyDirMounts: [{ name: "cache", mountPath: "/cache" }],
    });
    assert.deepEqual(out, {
      replicas: 2,
      persistence: { enabled: true, size: "5Gi" },
      containerSecurityContext: { privileged: true, readOnlyRootFilesystem: true },
      extraEmptyDirMounts: [{ name: "cache", mountPath: "/cache" }],
    });
    assert.equal(base.replicas, 1, "the program's values are not changed in place");
  });

  it("null removes a key, as in Helm", () => {
    assert.deepEqual(mergeValues(base, { persistence: { size: null } }).persistence, { enabled: true });
  });

  it("a class instance (a Pulumi Output) is replaced whole, never merged into", () => {
    class Box {
      constructor(readonly v: number) {}
    }
    const out = mergeValues({ a: new Box(1) }, { a: { v: 2 } });
    assert.deepEqual(out.a, { v: 2 });
    assert.ok(!(out.a instanceof Box));
  });

  it("lists every value an override sets, by chart and path", () => {
    assert.deepEqual(
      overridePaths({
        grafana: { replicas: 2, containerSecurityContext: { privileged: true } },
        loki: {},
        alloy: undefined,
        vector: { tolerations: [{ operator: "Exists" }] },
      }),
      ["grafana.replicas", "grafana.containerSecurityContext.privileged", "vector.tolerations"],
    );
  });
});
