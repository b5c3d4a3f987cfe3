/**
 * Resource policies guarded by the types they read (policy/lib/typed.ts forTypes). The offline
 * evaluator calls a guarded validator only for its types; that may change no verdict, so:
 * - each unguarded validator reports nothing (and throws nothing) for a resource of any other
 *   type the pack knows, even one carrying exactly what it reports on its own type;
 * - the evaluator's violations, in order, equal those of the same policies with the guards hidden
 *   from it (every validator called for every resource, as the engine does: @pulumi/policy 1.21
 *   server.js makeAnalyzeRpcFun).
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import type {
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import { evaluateResources, type ExportedResource } from "../../policy/evaluate";
import { allPolicies } from "../../policy/policies";
import { forTypes, guardOf } from "../../policy/lib/typed";
import { stackNames } from "../../config/paths";
import { ROOT, synth } from "../support/helpers";
import { release, res, v4Chart, workload } from "../support/policyCases";

/** Every resource type the pack's source names: the types a validator could tell apart. */
function typesNamedByThePack(): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith(".ts"))
        for (const m of fs
          .readFileSync(p, "utf8")
          .matchAll(/"((?:kubernetes|minio|random|pulumi):[\w./-]+:\w+)"/g))
          out.add(m[1]);
    }
  };
  walk(path.join(ROOT, "policy"));
  return out;
}

const podSpec = {
  containers: [
    {
      name: "app",
      image: "grafana/alloy",
      env: [{ name: "DB_PASSWORD", value: "hunter2" }],
      args: ["-remote=http://user:pw@mimir/api/v1/push"],
    },
  ],
  volumes: [{ name: "host-etc", hostPath: { path: "/etc" } }],
};
const lokiText =
  "schema_config:\n  configs: []\ncompactor:\n  retention_enabled: true\n  shared_store: s3\nlimits_config:\n  retention_period: 7d\n";
const mimirText =
  "blocks_storage:\n  backend: s3\n  s3:\n    bucket_name: one\nruler_storage:\n  backend: s3\n  s3:\n    bucket_name: one\n";
const datasources = {
  apiVersion: 1,
  datasources: [
    { name: "a", isDefault: true },
    { name: "b", isDefault: true },
  ],
};
const remoteWrite = { remoteWrite: [{ url: "http://mimir/api/v1/push" }] };

/** What each guarded policy reports, in every shape it reads it from. */
function findings(): ExportedResource[] {
  return [
    release("loki", {
      loki: { compactor: { retention_enabled: true, shared_store: "s3" }, password: "hunter2" },
      compactor: { retention_enabled: true },
      singleBinary: { replicas: 1 },
      write: { replicas: 1 },
    }),
    release("loki", { loki: { limits_config: { retention_period: "30d" } } }, { name: "loki-period" }),
    release("mimir-distributed", {
      mimir: {
        structuredConfig: {
          blocks_storage: { backend: "s3", s3: { bucket_name: "one" } },
          ruler_storage: { backend: "s3", s3: { bucket_name: "one" } },
        },
      },
    }),
    release("kube-prometheus-stack", { prometheus: { prometheusSpec: remoteWrite } }),
    release("grafana", { datasources: { "ds.yaml": datasources } }),
    release("grafana", { replicas: 2, persistence: { enabled: true } }, { name: "grafana-two" }),
    release(
      "grafana",
      { persistence: { enabled: true, type: "sts", existingClaim: "grafana-data" } },
      { name: "grafana-none" },
    ),
    res("kubernetes:monitoring.coreos.com/v1:Prometheus", { metadata: { name: "p" }, spec: remoteWrite }),
    // A VMAgent in both modes, as a release's values and as the custom resource (vmagent-one-mode).
    release("victoria-metrics-k8s-stack", { vmagent: { spec: { daemonSetMode: true, statefulMode: true } } }),
    res("kubernetes:operator.victoriametrics.com/v1beta1:VMAgent", {
      metadata: { name: "a" },
      spec: { daemonSetMode: true, statefulMode: true },
    }),
    res("kubernetes:core/v1:ConfigMap", {
      metadata: { name: "cfg", labels: { grafana_datasource: "1" } },
      data: {
        "loki.yaml": lokiText,
        "mimir.yaml": mimirText,
        "ds.yaml": JSON.stringify(datasources),
        "app.yaml": "password: hunter2\n",
        password: "hunter2",
      },
    }),
    res("kubernetes:core/v1:Secret", {
      metadata: { name: "sec", labels: { grafana_datasource: "1" } },
      stringData: { "loki.yaml": lokiText, "mimir.yaml": mimirText, "ds.yaml": JSON.stringify(datasources) },
    }),
    ...v4Chart("apps", [
      workload("Deployment", "d", podSpec),
      workload("StatefulSet", "s", podSpec),
      workload("DaemonSet", "ds", podSpec),
    ]),
    res("kubernetes:apps/v1:ReplicaSet", { spec: { template: { spec: podSpec } } }),
    res("kubernetes:batch/v1:Job", { spec: { template: { spec: podSpec } } }),
    res("kubernetes:batch/v1:CronJob", { spec: { jobTemplate: { spec: { template: { spec: podSpec } } } } }),
    res("kubernetes:core/v1:Pod", { spec: podSpec }),
    res("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", {
      metadata: { name: "kubelet" },
      rules: [{ apiGroups: [""], resources: ["nodes/proxy"], verbs: ["get"] }],
    }),
  ];
}

/** The args the evaluator hands resource policies, one per resource. */
async function argsOf(resources: ExportedResource[]): Promise<ResourceValidationArgs[]> {
  const seen: ResourceValidationArgs[] = [];
  await evaluateResources(resources, {}, [
    {
      name: "capture",
      description: "records args",
      enforcementLevel: "advisory",
      validateResource: (a) => void seen.push(a),
    },
  ]);
  return seen;
}

/** Reports of one validator call (the validators here are synchronous). */
function reportsOf(v: ResourceValidation, args: ResourceValidationArgs): string[] {
  const out: string[] = [];
  const pending = v(args, (m: string) => void out.push(m));
  assert.ok(!pending, "a synchronous validator");
  return out;
}

describe("policy (typed): a guarded validator reads only its types", function () {
  this.timeout(60000);
  const guarded = allPolicies().filter(
    (p): p is ResourceValidationPolicy =>
      "validateResource" in p && typeof p.validateResource === "function" && !!guardOf(p.validateResource),
  );

  it("the pack's resource policies are guarded (their unguarded cost was the pack's largest)", () => {
    assert.deepEqual(
      guarded.map((p) => p.name),
      allPolicies()
        .filter((p) => "validateResource" in p)
        .map((p) => p.name),
    );
  });

  const stacks: ExportedResource[] = [];
  before(async () => {
    for (const s of stackNames(ROOT)) stacks.push(...(await synth(s)).export.deployment.resources);
  });

  for (const policy of guarded) {
    it(`${policy.name}: reports nothing for any other type the pack names, given what it reports on its own`, async () => {
      const guard = guardOf(policy.validateResource as ResourceValidation)!;
      const all = await argsOf([...findings(), ...stacks]);
      // The control: the corpus holds what this policy reports, on its own types.
      const reporting = all.filter((a) => guard.types.has(a.type) && reportsOf(guard.validate, a).length > 0);
      assert.ok(reporting.length > 0, `the corpus holds findings of ${policy.name}`);
      // Every resource of another type, as it is.
      for (const a of all.filter((x) => !guard.types.has(x.type)))
        assert.deepEqual(reportsOf(guard.validate, a), [], `${policy.name} on ${a.urn}`);
      // What it reports on its own types, under every other type.
      const others = new Set(
        [...typesNamedByThePack(), ...all.map((a) => a.type)].filter((t) => !guard.types.has(t)),
      );
      assert.ok(others.size > 10, "types to try");
      for (const a of reporting) {
        for (const type of others) {
          // A fresh props tree: per-props caches (lib/loki.ts) must not answer for the retyped copy.
          const retyped = { ...a, type, props: structuredClone(a.props) };
          assert.deepEqual(reportsOf(guard.validate, retyped), [], `${policy.name} on ${a.urn} as ${type}`);
        }
      }
    });
  }
});

describe("policy (typed): the evaluator skips only what the guards skip", function () {
  this.timeout(60000);
  /** The same policies with every guard hidden from the evaluator (it calls them for every resource). */
  const unguarded = (): (ResourceValidationPolicy | StackValidationPolicy)[] =>
    allPolicies().map((p) =>
      "validateResource" in p && typeof p.validateResource === "function"
        ? {
            ...p,
            validateResource: (
              (v) => (a, r) =>
                v(a, r)
            )(p.validateResource),
          }
        : p,
    );

  it("the same violations in the same order, over every stack and the findings of each policy", async () => {
    for (const stack of stackNames(ROOT)) {
      const resources = [...findings(), ...(await synth(stack)).export.deployment.resources];
      const config = { all: "advisory" as const };
      const skipped = await evaluateResources(resources, config);
      const called = await evaluateResources(resources, config, unguarded());
      assert.ok(skipped.length > 20, `${stack}: findings reported (${skipped.length})`);
      assert.deepEqual(skipped, called, stack);
    }
  });

  it("calls a guarded validator only for its types, in export order; an unguarded one for every resource", async () => {
    const resources = [
      res("kubernetes:core/v1:Secret", {}, { name: "s1" }),
      res("kubernetes:core/v1:ConfigMap", {}, { name: "c1" }),
      res("kubernetes:monitoring.coreos.com/v1:PrometheusRule", {}, { name: "p1" }),
      res("kubernetes:core/v1:ConfigMap", {}, { name: "c2" }),
    ];
    const calls: string[] = [];
    const record = (tag: string) => (a: ResourceValidationArgs) => void calls.push(`${tag} ${a.name}`);
    await evaluateResources(resources, {}, [
      {
        name: "typed",
        description: "d",
        enforcementLevel: "advisory",
        validateResource: forTypes(new Set(["kubernetes:core/v1:ConfigMap"]), record("typed")),
      },
      { name: "any", description: "d", enforcementLevel: "advisory", validateResource: record("any") },
    ]);
    // Resource by resource (as the engine's Analyze calls come), each through the policies in order.
    assert.deepEqual(calls, ["any s1", "typed c1", "any c1", "any p1", "typed c2", "any c2"]);
  });

  it("violations come policy by policy in pack order, each policy's in export order", async () => {
    const resources = ["a", "b"].map((n) => res("kubernetes:core/v1:ConfigMap", {}, { name: n }));
    const reporting = (name: string) => ({
      name,
      description: "d",
      enforcementLevel: "advisory" as const,
      validateResource: (a: ResourceValidationArgs, report: (m: string) => void) =>
        report(`${name} ${a.name}`),
    });
    const stack = {
      name: "stack",
      description: "d",
      enforcementLevel: "advisory" as const,
      validateStack: (_: unknown, report: (m: string) => void) => report("stack"),
    };
    const found = await evaluateResources(resources, {}, [reporting("one"), stack, reporting("two")]);
    assert.deepEqual(
      found.map((v) => v.message),
      ["one a", "one b", "stack", "two a", "two b"],
    );
  });

  it("live, the guard itself answers: the other types get no call of the policy's body", () => {
    let called = 0;
    const v = forTypes(new Set(["kubernetes:core/v1:ConfigMap"]), () => void called++);
    const args = (type: string) => ({ type }) as ResourceValidationArgs;
    void v(args("kubernetes:core/v1:Secret"), () => {});
    assert.equal(called, 0);
    void v(args("kubernetes:core/v1:ConfigMap"), () => {});
    assert.equal(called, 1);
  });
});
