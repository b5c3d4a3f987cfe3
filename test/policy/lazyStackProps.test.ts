/**
 * The offline evaluator hands stack policies each resource's outputs unwrapped when a policy first
 * reads `props` (policy/evaluate.ts StackResource), and the chart workloads' lookup reads no props
 * of a type no chart renders (policy/lib/workloads.ts defaultChartWorkloads): over the pack
 * benchmark's 10,000 resources, unwrapping outputs nothing reads was a tenth of the pack's time.
 * What a policy reads must not change: the same unwrapped outputs, the same options.
 */
import { strict as assert } from "assert";
import type { StackValidationPolicy } from "@pulumi/policy";
import { SECRET_SIG, SECRET_SIG_KEY } from "@homelab-observability/contract";
import {
  evaluateResources,
  SECRET_STAND_IN,
  unwrapSecrets,
  type ExportedResource,
} from "../../policy/evaluate";
import { workloadsOf } from "../../policy/lib/workloads";
import { propAt, type Res } from "../../policy/lib/resources";
import { networkPoliciesPresent } from "../../policy/security";
import { grafanaSingleDefaultStack } from "../../policy/grafana";

/** Outputs whose every read is counted: a secret under `password`, a plain `name`. */
function countedOutputs(reads: { n: number }): Record<string, any> {
  const outputs: Record<string, any> = {};
  for (const [k, v] of Object.entries({
    name: "db",
    password: { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "AAAA" },
  }))
    Object.defineProperty(outputs, k, {
      enumerable: true,
      get: () => {
        reads.n++;
        return v;
      },
    });
  return outputs;
}

const resource = (outputs: Record<string, any>): ExportedResource => ({
  urn: "urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::db",
  type: "random:index/randomPassword:RandomPassword",
  custom: true,
  inputs: {},
  outputs,
});

/** A stack policy that runs `body` over the resources it is handed. */
const stackPolicy = (body: (resources: any[]) => void): StackValidationPolicy => ({
  name: "probe",
  description: "probe",
  enforcementLevel: "advisory",
  validateStack: (args) => body(args.resources as any[]),
});

describe("stack policies' props, unwrapped when read", () => {
  it("does not walk a resource's outputs no stack policy reads", async () => {
    const reads = { n: 0 };
    let seen = 0;
    await evaluateResources([resource(countedOutputs(reads))], {}, [
      stackPolicy((rs) => {
        seen = rs.length;
        assert.equal(rs[0].type, "random:index/randomPassword:RandomPassword");
      }),
    ]);
    assert.equal(seen, 1);
    assert.equal(reads.n, 0);
  });

  it("hands a policy that reads them the outputs unwrapped, unwrapped once", async () => {
    const reads = { n: 0 };
    const got: any[] = [];
    await evaluateResources([resource(countedOutputs(reads))], {}, [
      stackPolicy((rs) => got.push(rs[0].props, rs[0].props)),
    ]);
    assert.deepEqual(got[0], { name: "db", password: SECRET_STAND_IN });
    assert.equal(got[1], got[0], "the same object on every read");
    const once = { n: 0 };
    unwrapSecrets(countedOutputs(once));
    assert.equal(reads.n, once.n, "unwrapped once, not on every read");
  });

  it("hands the options and dependency fields the engine sends", async () => {
    let r: any;
    await evaluateResources([{ ...resource({}), protect: true, parent: "urn:parent" }], {}, [
      stackPolicy((rs) => (r = rs[0])),
    ]);
    assert.deepEqual(
      { ...r.opts },
      {
        protect: true,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
        parent: "urn:parent",
      },
    );
    assert.deepEqual(r.dependencies, []);
    assert.deepEqual(r.propertyDependencies, {});
    assert.equal(r.name, "db");
  });
});

describe("chart workloads of a type no chart renders", () => {
  it("are none, and its props are not read", () => {
    const res = {
      type: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
      urn: "urn:x",
      name: "x",
      get props(): Record<string, any> {
        throw new Error("props read");
      },
    } as Res;
    assert.deepEqual(workloadsOf(res), []);
  });
});

describe("one field of a stack resource's outputs (propAt)", () => {
  /** A Pulumi secret of an export written with `--show-secrets`: its value's JSON text. */
  const secret = (value: unknown) => ({ [SECRET_SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(value) });
  const networkPolicy = (name: string, outputs: Record<string, any>): ExportedResource => ({
    urn: `urn:pulumi:dev::p::kubernetes:networking.k8s.io/v1:NetworkPolicy::${name}`,
    type: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    custom: true,
    inputs: {},
    outputs,
  });
  const release: ExportedResource = {
    urn: "urn:pulumi:dev::p::kubernetes:helm.sh/v3:Release::loki",
    type: "kubernetes:helm.sh/v3:Release",
    custom: true,
    inputs: {},
    outputs: { chart: "loki", namespace: "logs", values: {} },
  };

  it("network-policies-present reads a NetworkPolicy's namespace, not the rest of its outputs", async () => {
    const reads = { n: 0 };
    const outputs: Record<string, any> = { metadata: { namespace: "logs" } };
    Object.defineProperty(outputs, "spec", {
      enumerable: true,
      get: () => {
        reads.n++;
        return { podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] };
      },
    });
    const found = await evaluateResources([release, networkPolicy("logs", outputs)], {}, [
      networkPoliciesPresent(),
    ]);
    assert.deepEqual(found, []);
    assert.equal(reads.n, 0, "the policy's spec was walked");
  });

  it("finds a namespace held in a secret, at any step of its path, as props has it", async () => {
    const policies = [
      networkPolicy("whole", secret({ metadata: { namespace: "logs" } })),
      networkPolicy("metadata", { metadata: secret({ namespace: "logs" }) }),
      networkPolicy("namespace", { metadata: { namespace: secret("logs") } }),
    ];
    for (const np of policies)
      assert.deepEqual(await evaluateResources([release, np], {}, [networkPoliciesPresent()]), [], np.urn);
    const elsewhere = networkPolicy("elsewhere", { metadata: secret({ namespace: "other" }) });
    const found = await evaluateResources([release, elsewhere], {}, [networkPoliciesPresent()]);
    assert.match(found[0]?.message ?? "", /Release "loki" runs here without any NetworkPolicy/);
  });

  it("gives what props gives along the path, the secrets inside the value unwrapped", async () => {
    const outputs = {
      metadata: secret({
        namespace: "logs",
        labels: { team: secret("a"), kept: { [SECRET_SIG_KEY]: SECRET_SIG } },
      }),
    };
    const got: unknown[] = [];
    await evaluateResources([networkPolicy("np", outputs), networkPolicy("np2", outputs)], {}, [
      stackPolicy((rs) => {
        // The first read by path, then props: what each gives, before and after props is unwrapped.
        got.push(propAt(rs[0], ["metadata", "labels"]), rs[0].props.metadata.labels);
        got.push(rs[1].props.metadata.labels, propAt(rs[1], ["metadata", "labels"]));
        got.push(propAt(rs[0], ["metadata", "absent", "deeper"]));
      }),
    ]);
    assert.deepEqual(got[0], { team: "a", kept: SECRET_STAND_IN });
    assert.deepEqual(got[1], got[0]);
    assert.equal(got[3], got[2], "after props is unwrapped, the same object props holds");
    assert.equal(got[4], undefined);
  });
});

describe("a Secret no datasource sidecar loads, to the stack's default-datasource policy", () => {
  it("is told by its label alone: the rest of its outputs are not read", async () => {
    const reads = { n: 0 };
    const outputs: Record<string, any> = { metadata: { name: "db", labels: { app: "db" } } };
    Object.defineProperty(outputs, "data", {
      enumerable: true,
      get: () => {
        reads.n++;
        return { password: { [SECRET_SIG_KEY]: SECRET_SIG, ciphertext: "AAAA" } };
      },
    });
    const secret: ExportedResource = {
      urn: "urn:pulumi:dev::p::kubernetes:core/v1:Secret::db",
      type: "kubernetes:core/v1:Secret",
      custom: true,
      inputs: {},
      outputs,
    };
    assert.deepEqual(await evaluateResources([secret], {}, [grafanaSingleDefaultStack()]), []);
    assert.equal(reads.n, 0, "the Secret's data was walked");
  });
});
