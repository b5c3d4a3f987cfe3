import { strict as assert } from "assert";
import { parseSegments } from "@homelab-observability/contract";
import { overridePaths } from "../../builders/chartValues";
import { evaluateResources, type ExportedResource } from "../../policy/evaluate";
import {
  attributeOverrides,
  chartValueOverridesOf,
  formatMergedViolations,
  idleOverrideWarning,
  mergeProblems,
  overridesInForce,
  shownOverrides,
  unrunTargetOverrideWarning,
  type MergedFinding,
  type MergedViolation,
} from "../../synth/report";
import { valueAt } from "../../config/tree";
import { release } from "../support/policyCases";
import { parseSegments as parseSegmentsSource } from "../../contract/locate";

/*
 * A report names the `chartValues` keys it concerns (synth/report.ts attributeOverrides): the
 * values paths the report names, never every override of the chart and never a key that merely
 * shares a last word with the message.
 */

/** The pack's merged violations of `policy` over `resources`, with the overrides named. */
async function named(resources: ExportedResource[], policy: string, overrides: string[]) {
  const merged = mergeProblems(await evaluateResources(resources), []).violations;
  const v = attributeOverrides(merged, resources, overrides).filter((x) => x.policy === policy);
  assert.equal(v.length, 1, `one ${policy} violation: ${JSON.stringify(merged.map((x) => x.message))}`);
  return v[0].overrides;
}

describe("chartValues keys named by the values paths a report concerns", () => {
  it("loki: the replication factor's key, not read.replicas whose last word the message shares", async () => {
    const loki = release("loki", {
      deploymentMode: "SimpleScalable",
      loki: { commonConfig: { replication_factor: 3 } },
      write: { replicas: 1 },
      read: { replicas: 2 },
      backend: { replicas: 1 },
    });
    assert.deepEqual(
      await named([loki], "loki-replication-factor", [
        "loki.loki.commonConfig.replication_factor",
        "loki.read.replicas",
      ]),
      ["chartValues.loki.loki.commonConfig.replication_factor"],
    );
  });

  it("grafana on a shared database: replicas and persistence, not the database keys it does not blame", async () => {
    const grafana = release("grafana", {
      replicas: 2,
      persistence: { enabled: true },
      "grafana.ini": { database: { type: "postgres", host: "pg:5432", name: "grafana", user: "grafana" } },
    });
    const overrides = [
      "grafana.replicas",
      "grafana.persistence.enabled",
      "grafana.grafana.ini.database.type",
      "grafana.grafana.ini.database.host",
      "grafana.grafana.ini.database.name",
      "grafana.grafana.ini.database.user",
    ];
    assert.deepEqual(await named([grafana], "grafana-replicas-share-no-state", overrides), [
      "chartValues.grafana.replicas",
      "chartValues.grafana.persistence.enabled",
    ]);
    // A finding on what the release rendered that names no values path: the override whose value it
    // quotes (pg:5432), not those whose value is the release's own name (grafana).
    const [egress] = attributeOverrides(
      [
        {
          check: "network-egress",
          where: "Deployment monitoring/grafana (release grafana)",
          message:
            "pg:5432: no egress rule lets Deployment monitoring/grafana out to Service db/pg on port 5432",
          alsoAt: [],
        },
      ] as MergedFinding[],
      [grafana],
      overrides,
    );
    // Named as the stack file writes it and `pulumi config set --path` reads it: `grafana.ini` is one key.
    assert.deepEqual(egress.overrides, ['chartValues.grafana["grafana.ini"].database.host']);
    assert.equal(egress.overridesUnsure, undefined);
    assert.deepEqual(shownOverrides([grafana], overrides.slice(1, 3)), [
      "grafana.persistence.enabled",
      'grafana["grafana.ini"].database.type',
    ]);
  });

  it("grafana autoscaling: both autoscaling keys that make the pod count, not minReplicas", async () => {
    const grafana = release("grafana", { autoscaling: { enabled: true, minReplicas: 1, maxReplicas: 3 } });
    assert.deepEqual(
      await named([grafana], "grafana-replicas-share-no-state", [
        "grafana.autoscaling.enabled",
        "grafana.autoscaling.minReplicas",
        "grafana.autoscaling.maxReplicas",
      ]),
      ["chartValues.grafana.autoscaling.enabled", "chartValues.grafana.autoscaling.maxReplicas"],
    );
  });

  it("a violation on the release that narrows to no key names the release's keys, as one of these", () => {
    const grafana = release("grafana", { replicas: 2 });
    const [v] = attributeOverrides(
      [
        { policy: "x", level: "mandatory", urn: grafana.urn, message: "the pods are wrong", alsoAt: [] },
      ] as MergedViolation[],
      [grafana],
      ["grafana.replicas", "grafana.resources.requests.memory", "loki.replicas"],
    );
    assert.deepEqual(v.overrides, [
      "chartValues.grafana.replicas",
      "chartValues.grafana.resources.requests.memory",
    ]);
    assert.equal(v.overridesUnsure, true);
    assert.match(formatMergedViolations([v]), /if one of these is the cause, change or remove it/);
  });

  it("a schema error at a field names the overrides writing that field by a key of their path, not the chart's others", () => {
    // checks/schema.ts's form; `tolerations` written as a map, with `persistence.size` beside it.
    const grafana = release("grafana", {
      tolerations: { key: "dedicated", operator: "Exists" },
      persistence: { size: 10 },
    });
    const [v] = attributeOverrides(
      [
        {
          policy: "schema",
          level: "mandatory",
          urn: grafana.urn,
          message: "/spec/template/spec/tolerations must be array, found an object",
          alsoAt: [],
        },
      ] as MergedViolation[],
      [grafana],
      ["grafana.tolerations.key", "grafana.tolerations.operator", "grafana.persistence.size"],
    );
    assert.deepEqual(v.overrides, [
      "chartValues.grafana.tolerations.key",
      "chartValues.grafana.tolerations.operator",
    ]);
    assert.notEqual(v.overridesUnsure, true);
  });

  it("a block override counts for a path inside it, and a path names the overrides inside it", () => {
    const grafana = release("grafana", {});
    const [inside, block] = attributeOverrides(
      [
        { policy: "x", level: "mandatory", urn: grafana.urn, message: "values.a.b.c is 1.", alsoAt: [] },
        { policy: "x", level: "mandatory", urn: grafana.urn, message: "values.d is set", alsoAt: [] },
      ] as MergedViolation[],
      [grafana],
      ["grafana.a.b", "grafana.d.e", "grafana.a.bc"],
    );
    assert.deepEqual(inside.overrides, ["chartValues.grafana.a.b"]);
    assert.deepEqual(block.overrides, ["chartValues.grafana.d.e"]);
  });

  it("the overrides come from the export's stack output chartValueOverrides", () => {
    const stack = {
      urn: "urn:s",
      type: "pulumi:pulumi:Stack",
      outputs: { chartValueOverrides: ["grafana.replicas"] },
    };
    assert.deepEqual(chartValueOverridesOf([stack]), ["grafana.replicas"]);
    assert.deepEqual(chartValueOverridesOf([{ ...stack, outputs: {} }]), []);
  });

  it("a key holding a dot or a slash is named quoted, the one key `pulumi config set --path` reads back", () => {
    // The stack output names each override in the property-path grammar (config/tree.ts
    // leafPaths): dotted, `vector.podAnnotations.prometheus.io/scrape` read as four keys deep.
    const annotations = { "prometheus.io/scrape": "true" };
    const chartValues = {
      vector: { podAnnotations: annotations },
      loki: { read: { podAnnotations: annotations } },
      grafana: { podLabels: { "app.kubernetes.io/part-of": "obs" } },
    };
    const paths = overridePaths(chartValues);
    assert.deepEqual(paths, [
      'vector.podAnnotations["prometheus.io/scrape"]',
      'loki.read.podAnnotations["prometheus.io/scrape"]',
      'grafana.podLabels["app.kubernetes.io/part-of"]',
    ]);
    const stack = { urn: "urn:s", type: "pulumi:pulumi:Stack", outputs: { chartValueOverrides: paths } };
    const resources = [stack, release("loki", { deploymentMode: "Monolithic" }), release("grafana", {})];
    const { inForce, idle, unrun } = overridesInForce(resources, chartValueOverridesOf(resources));
    const messages = [
      ...idle.map((o) => idleOverrideWarning(o, [])),
      ...unrun.map((u) => unrunTargetOverrideWarning(u)),
    ];
    const named = messages.map((m) => m.slice(0, m.indexOf(": ")));
    assert.deepEqual(named, [
      'chartValues.vector.podAnnotations["prometheus.io/scrape"]',
      'chartValues.loki.read.podAnnotations["prometheus.io/scrape"]',
    ]);
    assert.deepEqual(shownOverrides(resources, inForce), ['grafana.podLabels["app.kubernetes.io/part-of"]']);
    // Each name read back by the grammar's parser (the one `pulumi config set --path` uses, pulumi
    // resource.ParsePropertyPath) is the path of the value in the stack's chartValues.
    assert.deepEqual(parseSegments(named[0]), [
      "chartValues",
      "vector",
      "podAnnotations",
      "prometheus.io/scrape",
    ]);
    assert.deepEqual(parseSegments(named[1]), [
      "chartValues",
      "loki",
      "read",
      "podAnnotations",
      "prometheus.io/scrape",
    ]);
    for (const p of paths) assert.equal(valueAt(chartValues, parseSegments(p)) !== undefined, true, p);
  });

  it("a key holding a backslash before a quote reads back as Pulumi's parser reads it", () => {
    // pulumi resource.ParsePropertyPath takes only `\"` in a quoted key as an escape (a quote): any
    // other backslash is itself. `a\"b` is written `["a\\"b"]`: a backslash, then an escaped quote.
    const chartValues = { grafana: { podAnnotations: { 'a\\"b': "1", "c\\d": "2", 'e"f': "3" } } };
    const paths = overridePaths(chartValues);
    assert.deepEqual(paths, [
      'grafana.podAnnotations["a\\\\"b"]',
      "grafana.podAnnotations.c\\d",
      'grafana.podAnnotations["e\\"f"]',
    ]);
    assert.deepEqual(
      paths.map((p) => parseSegmentsSource(p)),
      [
        ["grafana", "podAnnotations", 'a\\"b'],
        ["grafana", "podAnnotations", "c\\d"],
        ["grafana", "podAnnotations", 'e"f'],
      ],
    );
    // `\\` is no escape of its own in that grammar: `["a\\\\b"]` is the key with two backslashes.
    assert.deepEqual(parseSegmentsSource('x["a\\\\b"]'), ["x", "a\\\\b"]);
  });
});
