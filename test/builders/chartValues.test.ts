import { strict as assert } from "assert";
import { LISTS_BY_NAME, mergeValues, overridePaths } from "../../builders/chartValues";

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

  it("a list the program keeps entries of is extended by name: the user's entry of a name wins, the program's others stay", () => {
    const env = (...e: [string, string][]) => e.map(([name, value]) => ({ name, value }));
    const program = { op: { env: env(["PIN", "p:1"], ["OTHER", "o"]), args: ["--a"] } };
    const out = mergeValues(
      program,
      { op: { env: env(["LOG", "debug"], ["OTHER", "mine"]), args: ["--b"] } },
      [["op", "env"]],
    );
    assert.deepEqual(out, {
      op: { env: env(["PIN", "p:1"], ["LOG", "debug"], ["OTHER", "mine"]), args: ["--b"] },
    });
    assert.deepEqual(
      mergeValues(program, { op: { env: null } }, [["op", "env"]]),
      { op: { args: ["--a"] } },
      "null still removes the list",
    );
    assert.deepEqual(LISTS_BY_NAME["victoria-metrics-k8s-stack"], [["victoria-metrics-operator", "env"]]);
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
