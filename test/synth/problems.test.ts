import { strict as assert } from "assert";
import { causeKey } from "@homelab-observability/contract";
import { evaluateResources, type ExportedResource, type Violation } from "../../policy/evaluate";
import {
  attributeOverrides,
  closingLine,
  formatMergedViolations,
  mergeProblems,
  outcomeCode,
  runClosingLine,
  violationPlace,
  type CheckFinding,
  type MergedFinding,
  type MergedViolation,
} from "../../synth/report";
import { release, stackInfo, v4Chart, workload } from "../support/policyCases";

/*
 * One message per mistake (synth/report.ts mergeProblems): the pack and the rendered-object checks
 * give the key of a mistake they know (contract/mistakes.ts), and the synthesis merges what has one
 * key into one message naming every place. The closing line of a stack says its exit status.
 */

/** A rendered object of `rel` as the synthesis adds it (synth/render/objects.ts withRenderedObjects). */
function renderedChild(rel: ExportedResource, type: string, object: Record<string, any>): ExportedResource {
  const cut = rel.urn.lastIndexOf("::");
  const name = `${rel.urn.slice(cut + 2)}/${object.metadata.namespace}/${object.metadata.name}`;
  return {
    urn: `${rel.urn.slice(0, cut)}$${type}::${name}`,
    type,
    custom: true,
    inputs: object,
    outputs: object,
    parent: rel.urn,
  };
}

const LOKI_CONFIG = [
  "compactor:",
  "  retention_enabled: true",
  "schema_config:",
  "  configs:",
  "    - object_store: s3",
  "      store: tsdb",
].join("\n");

/** A loki release whose retention has no delete store, and the ConfigMap the chart renders from it. */
function lokiWithoutDeleteStore(): ExportedResource[] {
  const rel = release("loki", {
    loki: { compactor: { retention_enabled: true }, schemaConfig: { configs: [{ object_store: "s3" }] } },
  });
  const cm = renderedChild(rel, "kubernetes:core/v1:ConfigMap", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "loki", namespace: "monitoring" },
    data: { "config.yaml": LOKI_CONFIG },
  });
  return [rel, cm];
}

describe("one message per mistake: the pack's violations carry their cause", () => {
  it("Loki without a delete store: the release's values and its rendered ConfigMap are one mistake, said once naming both", async () => {
    const [rel, cm] = lokiWithoutDeleteStore();
    const violations = (await evaluateResources([rel, cm])).filter(
      (v) => v.policy === "loki-retention-needs-delete-store",
    );
    assert.equal(violations.length, 2, JSON.stringify(violations));
    assert.equal(violations[0].cause, causeKey("loki-delete-store", rel.urn));
    assert.equal(violations[1].cause, violations[0].cause);
    const merged = mergeProblems(violations, []).violations;
    assert.equal(merged.length, 1);
    assert.match(merged[0].message, /^kubernetes:helm\.sh\/v3:Release "loki": values\.loki\.compactor/);
    assert.deepEqual(merged[0].alsoAt, [
      `[loki-retention-needs-delete-store] kubernetes:core/v1:ConfigMap "loki/monitoring/loki"`,
    ]);
    // And the rendered-object check that reads the container's config names the same cause: merged too.
    const engine: CheckFinding = {
      check: "engine-config",
      where: "StatefulSet monitoring/loki (release loki) container loki",
      message: "compactor.retention_enabled is true without compactor.delete_request_store",
      cause: causeKey("loki-delete-store", rel.urn),
    };
    const both = mergeProblems(violations, [engine]);
    assert.equal(both.findings.length, 0);
    assert.equal(both.violations[0].alsoAt.length, 2);
    assert.match(
      formatMergedViolations(both.violations),
      /also seen at: .*\[engine-config\] StatefulSet monitoring\/loki/,
    );
  });

  it("two Loki releases without a delete store are two mistakes", async () => {
    const a = release("loki", { loki: { compactor: { retention_enabled: true } } }, { name: "loki-a" });
    const b = release("loki", { loki: { compactor: { retention_enabled: true } } }, { name: "loki-b" });
    const merged = mergeProblems(
      (await evaluateResources([a, b])).filter((v) => v.policy === "loki-retention-needs-delete-store"),
      [],
    ).violations;
    assert.equal(merged.length, 2);
  });

  // Five 6 GiB pods: each fits one node, all of them pass the pools' budget.
  const overBudget = (pools: { name: string; arch: string; count?: number }[]) => {
    const app = workload("Deployment", "app", {
      containers: [{ name: "c", image: "grafana/loki", resources: { requests: { memory: "6Gi" } } }],
      nodeSelector: { "kubernetes.io/arch": "amd64" },
    });
    app.inputs.spec.replicas = 5;
    return [stackInfo(pools), ...v4Chart("app", [app])];
  };

  it("the budget of the only pool: the pool's row and the total are one mistake", async () => {
    const violations = (await evaluateResources(overBudget([{ name: "nuc", arch: "amd64" }]))).filter(
      (v) => v.policy === "resource-budget",
    );
    assert.equal(violations.length, 2, "the pack sees the pool and the total");
    const merged = mergeProblems(violations, []).violations;
    assert.equal(merged.length, 1);
    assert.match(merged[0].message, /^pool nuc: memory requests/);
    assert.deepEqual(merged[0].alsoAt, ["[resource-budget] pool total"]);
  });

  it("the budget with two pools: the pool over budget and the total are two mistakes", async () => {
    const violations = (
      await evaluateResources(
        overBudget([
          { name: "nuc", arch: "amd64" },
          { name: "pi", arch: "arm64", count: 1 },
        ]),
      )
    ).filter((v) => v.policy === "resource-budget");
    assert.equal(mergeProblems(violations, []).violations.length, violations.length);
    assert.ok(
      violations.some((v) => v.message.startsWith("pool total:")),
      JSON.stringify(violations),
    );
  });
});

describe("one message per mistake: merging", () => {
  const v = (message: string, extra: Partial<Violation> = {}): Violation => ({
    policy: "p",
    level: "mandatory",
    message,
    ...extra,
  });
  const f = (where: string, message: string, cause?: string): CheckFinding => ({
    check: "address",
    where,
    message,
    ...(cause ? { cause } : {}),
  });

  it("without a cause, only the same report twice is merged", () => {
    const r = mergeProblems([v("a"), v("a"), v("b")], [f("x", "m"), f("x", "m"), f("y", "m")]);
    assert.deepEqual(
      r.violations.map((x) => x.message),
      ["a", "b"],
    );
    assert.deepEqual(
      r.findings.map((x) => x.where),
      ["x", "y"],
    );
  });

  it("findings of one cause are one, naming every other place once", () => {
    const c = causeKey("address-no-service", "monitoring/minio");
    const r = mergeProblems(
      [],
      [
        f("ConfigMap a", "m1", c),
        f("ConfigMap b", "m2", c),
        f("ConfigMap b", "m2", c),
        f("ConfigMap c", "m3"),
      ],
    );
    assert.equal(r.findings.length, 2);
    assert.deepEqual(r.findings[0].alsoAt, ["[address] ConfigMap b"]);
  });

  it("a mandatory report of a cause goes first, an advisory one of it is a place", () => {
    const c = "k@x";
    const r = mergeProblems(
      [
        v("advice", {
          level: "advisory",
          cause: c,
          urn: "urn:pulumi:s::p::kubernetes:core/v1:ConfigMap::cm",
        }),
        v("must", { cause: c }),
      ],
      [],
    );
    assert.equal(r.violations.length, 1);
    assert.equal(r.violations[0].message, "must");
    assert.deepEqual(r.violations[0].alsoAt, ['[p] kubernetes:core/v1:ConfigMap "cm"']);
  });

  it("a violation's place is its resource, else what its message starts with", () => {
    assert.equal(
      violationPlace({
        urn: "urn:pulumi:s::p::kubernetes:helm.sh/v3:Release$kubernetes:core/v1:ConfigMap::loki/monitoring/loki",
        message: "x",
      }),
      'kubernetes:core/v1:ConfigMap "loki/monitoring/loki"',
    );
    assert.equal(violationPlace({ message: "pool total: memory requests" }), "pool total");
  });
});

describe("a report on a release the stack's chartValues override names the override's key", () => {
  const grafana = release("grafana", { replicas: 2 }, { name: "grafana" });
  const loki = release("loki", {}, { name: "loki" });
  const overrides = [
    "grafana.replicas",
    "grafana.containerSecurityContext.privileged",
    "loki.loki.compactor.delete_request_store",
  ];

  it("a violation on the release: the override whose last key the message names", () => {
    const [r] = attributeOverrides(
      [
        {
          policy: "x",
          level: "mandatory" as const,
          urn: grafana.urn,
          message: "values.replicas is 2, but ...",
          alsoAt: [],
        },
      ] as MergedViolation[],
      [grafana, loki],
      overrides,
    );
    assert.deepEqual(r.overrides, ["chartValues.grafana.replicas"]);
  });

  it("a violation on an object the release rendered: that release's chart", () => {
    const cm = renderedChild(loki, "kubernetes:core/v1:ConfigMap", {
      metadata: { name: "loki", namespace: "monitoring" },
    });
    const [r] = attributeOverrides(
      [
        {
          policy: "x",
          level: "mandatory" as const,
          urn: cm.urn,
          message: "delete_request_store is empty",
          alsoAt: [],
        },
      ] as MergedViolation[],
      [grafana, loki],
      overrides,
    );
    assert.deepEqual(r.overrides, ["chartValues.loki.loki.compactor.delete_request_store"]);
  });

  it("a check finding: the release its place names; all its overrides, unsure, when the message names none", () => {
    const [named, unnamed, other] = attributeOverrides(
      [
        {
          ...{
            check: "pod-security",
            where: "Deployment monitoring/grafana (release grafana)",
            message: "container grafana: privileged",
          },
          alsoAt: [],
        },
        {
          check: "schema",
          where: "Deployment monitoring/grafana (release grafana)",
          message: "spec.foo: unknown field",
          alsoAt: [],
        },
        { check: "schema", where: "ConfigMap monitoring/x (resource x)", message: "privileged", alsoAt: [] },
      ] as MergedFinding[],
      [grafana, loki],
      overrides,
    );
    assert.deepEqual(named.overrides, ["chartValues.grafana.containerSecurityContext.privileged"]);
    assert.deepEqual(unnamed.overrides, [
      "chartValues.grafana.replicas",
      "chartValues.grafana.containerSecurityContext.privileged",
    ]);
    assert.equal(unnamed.overridesUnsure, true, "the finding names none of the keys: one of these");
    assert.equal(other.overrides, undefined, "a raw resource is no chart's");
  });
});

describe("the closing line says the exit status and every reason for it", () => {
  const pass: Violation[] = [{ policy: "a", level: "advisory", message: "m" }];
  const fail: Violation[] = [{ policy: "a", level: "mandatory", message: "m" }];

  it("the policy passes but a rendered object fails: FAIL, exit 1, both said", () => {
    const o = { stack: "staging", renderErrors: 0, checkProblems: 1, violations: pass };
    assert.equal(outcomeCode(o), 1);
    assert.equal(closingLine(o), "staging: FAIL (exit 1): 1 rendered-object problem");
  });

  it("a release that did not render fails the stack too", () => {
    const o = { stack: "s", renderErrors: 2, checkProblems: 0, violations: [] };
    assert.match(closingLine(o), /^s: FAIL \(exit 1\): 2 Helm releases did not render$/);
  });

  it("all clean: pass, exit 0", () => {
    assert.equal(
      closingLine({ stack: "s", renderErrors: 0, checkProblems: 0, violations: pass }),
      "s: pass (exit 0): the rendered objects and the policy pass",
    );
  });

  it("the change check's status is the stack's when it fails", () => {
    const o = { stack: "s", renderErrors: 0, checkProblems: 0, violations: [], change: 2 };
    assert.equal(outcomeCode(o), 2);
    assert.match(closingLine(o), /^s: FAIL \(exit 2\): the change: FAIL$/);
  });

  it("a failing policy and a rendered problem are both said; without a render, pass says so", () => {
    assert.equal(
      closingLine({ stack: "s", renderErrors: 0, checkProblems: 3, violations: [...fail, ...fail] }),
      "s: FAIL (exit 1): 3 rendered-object problems; policy: FAIL (2 mandatory)",
    );
    assert.equal(
      closingLine({ stack: "s", rendered: false, renderErrors: 0, checkProblems: 0, violations: [] }),
      "s: pass (exit 0): the policy passes (not rendered: --no-render)",
    );
  });

  it("over several stacks the last line names those that failed", () => {
    const ok = { stack: "a", renderErrors: 0, checkProblems: 0, violations: [] };
    const bad = { stack: "b", renderErrors: 0, checkProblems: 0, violations: fail };
    assert.equal(runClosingLine([bad, ok]), "synth: FAIL (exit 1): 1 of 2 stacks failed: b");
    assert.equal(runClosingLine([ok, ok]), "synth: pass (exit 0): 2 stacks, every one passed");
  });

  it("a stack that could not be judged (config refused, charts missing) closes with exit 2 and why, and so does the run", () => {
    const refused = {
      stack: "broken",
      renderErrors: 0,
      checkProblems: 0,
      violations: [],
      refused: "the stack configuration is refused (above)",
    };
    assert.equal(outcomeCode(refused), 2);
    assert.equal(closingLine(refused), "broken: FAIL (exit 2): the stack configuration is refused (above)");
    const bad = { stack: "b", renderErrors: 0, checkProblems: 0, violations: fail };
    const ok = { stack: "a", renderErrors: 0, checkProblems: 0, violations: [] };
    assert.equal(runClosingLine([ok, refused, bad]), "synth: FAIL (exit 2): 2 of 3 stacks failed: broken, b");
  });
});

describe("one message per mistake: what follows from one chartValues override", () => {
  const loki = release("loki", { deploymentMode: "Bogus" }, { name: "loki" });
  const grafana = release("grafana", { replicas: 2 }, { name: "grafana" });
  const mode: Violation = {
    policy: "loki-replication-factor",
    level: "mandatory",
    urn: loki.urn,
    message: `kubernetes:helm.sh/v3:Release "loki": values.deploymentMode is "Bogus", none of this chart's modes`,
  };
  const missing = (where: string, service: string): CheckFinding => ({
    check: "address",
    where,
    message: `${service}.monitoring.svc.cluster.local:3100: no Service monitoring/${service} in the rendered stack`,
    cause: causeKey("address-no-service", `monitoring/${service}`),
  });
  const gateway = "ConfigMap monitoring/loki-gateway (release loki)";

  it("an unknown Loki mode set through chartValues and the Services it no longer renders are one message naming every place", () => {
    const findings = [
      missing(gateway, "loki-querier"),
      missing(gateway, "loki-ingester"),
      missing("ConfigMap monitoring/loki (release loki)", "loki-backend"),
      // The same missing Service dialed from another release: the same mistake as well.
      missing("ConfigMap monitoring/grafana (release grafana)", "loki-querier"),
    ];
    const stack = { resources: [loki, grafana], overrides: ["loki.deploymentMode", "grafana.replicas"] };
    const merged = mergeProblems([mode], findings, stack);
    assert.equal(merged.findings.length, 0, JSON.stringify(merged.findings));
    assert.equal(merged.violations.length, 1);
    assert.deepEqual(merged.violations[0].alsoAt, [
      `[address] ${gateway}`,
      "[address] ConfigMap monitoring/loki (release loki)",
      "[address] ConfigMap monitoring/grafana (release grafana)",
    ]);
    const [shown] = attributeOverrides(merged.violations, stack.resources, stack.overrides);
    assert.match(
      formatMergedViolations([shown]),
      /also seen at: .*loki-gateway.*\n.*from the stack's chart values override chartValues\.loki\.deploymentMode: change/,
    );
    assert.equal(findings[0].cause, causeKey("address-no-service", "monitoring/loki-querier"), "not changed");
  });

  it("an override no report names does not keep the mode's consequences apart: a pod annotation beside the misspelt mode", () => {
    const stack = {
      resources: [loki],
      overrides: ["loki.deploymentMode", "loki.lokiCanary.podAnnotations.a"],
    };
    const findings = [
      missing(gateway, "loki-querier"),
      missing("ConfigMap monitoring/loki (release loki)", "loki-backend"),
    ];
    const merged = mergeProblems([mode], findings, stack);
    assert.equal(merged.findings.length, 0, JSON.stringify(merged.findings));
    assert.deepEqual(merged.violations[0].alsoAt, [
      `[address] ${gateway}`,
      "[address] ConfigMap monitoring/loki (release loki)",
    ]);
    const [shown] = attributeOverrides(merged.violations, stack.resources, stack.overrides);
    assert.deepEqual(shown.overrides, ["chartValues.loki.deploymentMode"]);
  });

  it("a release whose reports name two of its overrides apart keeps its other reports apart: which override is at fault is not known", () => {
    const stack = {
      resources: [loki],
      overrides: ["loki.deploymentMode", "loki.gateway.enabled"],
    };
    // The gateway's own Service, named by its switch: a second override known to be at fault.
    const gatewayGone = missing("ConfigMap monitoring/loki (release loki)", "loki-gateway");
    const merged = mergeProblems([mode], [gatewayGone, missing(gateway, "loki-querier")], stack);
    assert.equal(merged.findings.length, 2, JSON.stringify(merged.findings));
    assert.deepEqual(merged.violations[0].alsoAt, []);
  });

  it("a report naming another overridden release is not laid on its own release's override: Grafana dialing a loki-gateway that loki.gateway.enabled removed", () => {
    const replicas: Violation = {
      policy: "grafana-replicas-share-no-state",
      level: "mandatory",
      urn: grafana.urn,
      message: `kubernetes:helm.sh/v3:Release "grafana": values.replicas is 2, but its database is SQLite`,
    };
    const gatewayGone = [
      missing("ConfigMap monitoring/grafana (release grafana)", "loki-gateway"),
      missing("ConfigMap monitoring/alloy (release alloy)", "loki-gateway"),
    ];
    const stack = {
      resources: [loki, grafana],
      overrides: ["grafana.replicas", "loki.gateway.enabled"],
    };
    const merged = mergeProblems([replicas], gatewayGone, stack);
    assert.deepEqual(merged.violations[0].alsoAt, [], "the missing gateway is not Grafana's replicas");
    // Its own message stays, once for the one missing Service.
    assert.equal(merged.findings.length, 1, JSON.stringify(merged.findings));
    assert.match(merged.findings[0].message, /no Service monitoring\/loki-gateway/);
  });

  it("without the stack's overrides, nothing is traced", () => {
    const merged = mergeProblems([mode], [missing(gateway, "loki-querier")]);
    assert.equal(merged.findings.length, 1);
  });
});
