import { strict as assert } from "assert";
import type { ExportedResource } from "../../policy/evaluate";
import { rbacRuleCause } from "@homelab-observability/contract";
import { check, release, stackInfo, v4Chart, workload } from "../support/policyCases";

/*
 * The pack's findings carry the key of their mistake (policy/lib/report.ts reportCause), so that
 * what one mistake shows in several places is one message in synth and policy:check; and each says
 * what to lower or where upstream the rule comes from.
 */

/** An object a release rendered, as synth/render/objects.ts withRenderedObjects adds it. */
function renderedBy(r: ExportedResource, o: { type: string; inputs: Record<string, any> }): ExportedResource {
  const cut = r.urn.lastIndexOf("::");
  const m = o.inputs.metadata ?? {};
  return {
    urn: `${r.urn.slice(0, cut)}$${o.type}::${r.urn.slice(cut + 2)}/${m.namespace ?? "-"}/${m.name}`,
    type: o.type,
    custom: true,
    inputs: o.inputs,
    outputs: o.inputs,
    parent: r.urn,
  };
}

describe("policy audit 16: one mistake, one key; messages that say what to change", () => {
  it("no-plaintext-credentials: one literal in the values and in the Deployment rendered from them shares one cause; another literal has its own", async () => {
    const grafana = release("grafana", {
      env: { AWS_SECRET_ACCESS_KEY: "literal-one" },
      adminPassword: "literal-two",
    });
    const deploy = renderedBy(
      grafana,
      workload("Deployment", "grafana", {
        containers: [
          {
            name: "grafana",
            image: "grafana/grafana",
            env: [{ name: "AWS_SECRET_ACCESS_KEY", value: "literal-one" }],
          },
        ],
      }),
    );
    const v = await check([grafana, deploy], "no-plaintext-credentials");
    const env = v.filter((x) => /AWS_SECRET_ACCESS_KEY/.test(x.message));
    const admin = v.filter((x) => /adminPassword/.test(x.message));
    assert.equal(env.length, 2);
    assert.ok(env[0].cause, "a literal credential's finding has a cause");
    assert.equal(env[0].cause, env[1].cause);
    assert.equal(admin.length, 1);
    assert.notEqual(admin[0].cause, env[0].cause);
    // The key is a digest: the literal is never in it.
    assert.ok(!String(env[0].cause).includes("literal-one"));
  });

  it("no-nodes-proxy and no-cluster-secret-read key their finding by the role's rule, the latter on the workload it names", async () => {
    const RBAC = "kubernetes:rbac.authorization.k8s.io/v1";
    const rule = { apiGroups: ["*"], resources: ["*"], verbs: ["*"] };
    const ksm = release("kube-state-metrics", {});
    const role = renderedBy(ksm, {
      type: `${RBAC}:ClusterRole`,
      inputs: {
        metadata: { name: "ksm" },
        rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }, rule],
      },
    });
    const binding = renderedBy(ksm, {
      type: `${RBAC}:ClusterRoleBinding`,
      inputs: {
        metadata: { name: "ksm" },
        roleRef: { kind: "ClusterRole", name: "ksm" },
        subjects: [{ kind: "ServiceAccount", name: "ksm", namespace: "monitoring" }],
      },
    });
    const deploy = renderedBy(
      ksm,
      workload("Deployment", "ksm", {
        serviceAccountName: "ksm",
        containers: [{ name: "c", image: "ksm:v2" }],
      }),
    );
    const resources = [ksm, role, binding, deploy];
    const want = rbacRuleCause("ClusterRole", undefined, "ksm", 1);
    const [proxy] = await check(resources, "no-nodes-proxy");
    const [secrets] = await check(resources, "no-cluster-secret-read");
    assert.equal(proxy.cause, want);
    assert.equal(secrets.cause, want);
    assert.equal(secrets.urn, deploy.urn);
  });

  it("resource-budget names only the request no node holds (CPU here, not the memory that fits)", async () => {
    const [v] = await check(
      [
        stackInfo([{ name: "pi", arch: "arm64" }]),
        ...v4Chart("app", [
          workload("Deployment", "app", {
            containers: [
              { name: "c", image: "grafana/loki", resources: { requests: { cpu: "6", memory: "128Mi" } } },
            ],
          }),
        ]),
      ],
      "resource-budget",
    );
    assert.match(v.message, /^Deployment app \(6000m of CPU\): each pod requests more than one node holds/);
    assert.doesNotMatch(v.message, /of memory/);
  });

  it("loki-retention-needs-delete-store cites the upstream line that refuses the config", async () => {
    const [v] = await check(
      [release("loki", { loki: { compactor: { retention_enabled: true } } })],
      "loki-retention-needs-delete-store",
    );
    assert.match(v.message, /grafana\/loki v3\.7\.6 pkg\/compactor\/config\.go:109/);
  });
});
