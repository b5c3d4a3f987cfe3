import { strict as assert } from "assert";
import { placedFrom, type Placed } from "../../checks";
import { checkAlloy } from "../../checks/alloy";
import { checkAlloyRbac } from "../../checks/alloyRbac";
import { alloyApiNeeds } from "../../upstream/alloy/apiNeeds";
import { parseAlloy } from "../../upstream/alloy/syntax";
import { assertRendered, rendered, stackFileVariants } from "../support/rendered";

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/**
 * The rendered-object check alloy-rbac (checks/alloyRbac.ts) on staging as the real Helm
 * renders it: the cluster Alloy reads Secret monitoring/minio-metrics-token through
 * `remote.kubernetes.secret` (Alloy v1.12.0 internal/component/remote/kubernetes/kubernetes.go:177,
 * polled while the component is built), so its ServiceAccount needs exactly that `get`.
 */
describe("alloy-rbac: each Alloy's ServiceAccount holds what its components call, and no more", function () {
  this.timeout(300_000);
  let objects: Placed[];

  before(async () => {
    const r = await rendered(stackFileVariants().find((v) => v.stack === "staging")!);
    assertRendered(r);
    objects = placedFrom(r.objects);
  });

  const role = (os: Placed[], kind: string, name: string) =>
    os.find((p) => p.obj.kind === kind && p.obj.metadata.name === name)!;

  it("staging as rendered: every call granted, nothing more", () => {
    const r = checkAlloyRbac(objects);
    assert.ok(r.accounts >= 2, `judged ${r.accounts} ServiceAccounts`);
    assert.deepEqual(r.findings, []);
  });

  it("fails without the Role naming the Secret: the staging crash loop", () => {
    const without = objects.filter((p) => p.obj.metadata.name !== "alloy-cluster-reads");
    const msgs = checkAlloyRbac(without).findings.map((f) => f.message);
    assert.equal(msgs.length, 1, msgs.join("\n"));
    assert.match(
      msgs[0],
      /remote\.kubernetes\.secret\.minio_metrics calls get secrets minio-metrics-token in monitoring .*kubernetes\.go:177.*initial load fails/,
    );
  });

  it("fails on a cluster-wide Secret read where the config reads one Secret", () => {
    const wide = clone(objects);
    role(wide, "ClusterRole", "alloy-cluster").obj.rules.push({
      apiGroups: [""],
      resources: ["secrets"],
      verbs: ["get"],
    });
    const msgs = checkAlloyRbac(wide).findings.map((f) => f.message);
    assert.equal(msgs.length, 1, msgs.join("\n"));
    assert.match(msgs[0], /alloy-cluster is granted get secrets cluster-wide/);
  });

  it("fails on a grant no component calls (nodes/proxy) and on a Role for any Secret", () => {
    const extra = clone(objects);
    role(extra, "ClusterRole", "alloy").obj.rules.push({
      apiGroups: [""],
      resources: ["nodes/proxy"],
      verbs: ["get"],
    });
    delete role(extra, "Role", "alloy-cluster-reads").obj.rules[0].resourceNames;
    const msgs = checkAlloyRbac(extra).findings.map((f) => f.message);
    assert.equal(msgs.length, 2, msgs.join("\n"));
    assert.ok(msgs.some((m) => /alloy is granted get nodes\/proxy cluster-wide/.test(m)));
    assert.ok(msgs.some((m) => /alloy-cluster is granted get secrets in monitoring/.test(m)));
  });

  it("leaves a block that is no Alloy component to alloy-component: one message for the misspelling", () => {
    const misspelt = clone(objects);
    const cm = misspelt.find((p) => p.obj.kind === "ConfigMap" && p.obj.metadata.name === "alloy-cluster")!;
    cm.obj.data["config.alloy"] += '\nloki.source.fiel "x" {\n}\n';
    assert.deepEqual(checkAlloyRbac(misspelt).findings, []);
    const unknown = checkAlloy(misspelt).findings.filter((f) => /loki\.source\.fiel/.test(f.message));
    assert.equal(unknown.length, 1, JSON.stringify(unknown));
    assert.match(unknown[0].message, /did you mean "loki\.source\.file"\?.*\[unknown-component\]/);
  });

  it("says what one role grants beyond the config once, listing each access", () => {
    // A config that calls nothing (as one a chartValues override put in place of the program's).
    const replaced = clone(objects);
    const cm = replaced.find((p) => p.obj.kind === "ConfigMap" && p.obj.metadata.name === "alloy-cluster")!;
    cm.obj.data["config.alloy"] = 'logging {\n  level = "info"\n}\n';
    const msgs = checkAlloyRbac(replaced)
      .findings.filter((f) => f.where.includes("alloy-cluster"))
      .map((f) => f.message);
    const cluster = msgs.filter((m) =>
      /ClusterRoleBinding alloy-cluster -> ClusterRole alloy-cluster/.test(m),
    );
    assert.equal(cluster.length, 1, msgs.join("\n"));
    assert.match(
      cluster[0],
      /^ServiceAccount monitoring\/alloy-cluster is granted \d+ accesses no component of its config calls that widely, all through ClusterRoleBinding alloy-cluster -> ClusterRole alloy-cluster: .*list pods cluster-wide, watch pods cluster-wide/,
    );
    // Each other role the account is bound to: its own message.
    assert.equal(
      new Set(msgs.map((m) => /(Role)?Binding [^ ]+ -> \w+ [^ :),]+/.exec(m)?.[0])).size,
      msgs.length,
    );
  });

  it("knows every component it judges: an unknown one is an error naming where to add it", () => {
    const { body } = parseAlloy('otelcol.receiver.otlp "x" {\n  output {}\n}\n');
    assert.throws(
      () => alloyApiNeeds(body),
      /otelcol\.receiver\.otlp\.x: no API needs known .*upstream\/alloy\/apiNeeds\.ts/,
    );
  });

  it("limits a discovery with namespaces to them, and attach_metadata adds nodes", () => {
    const { body } = parseAlloy(
      'discovery.kubernetes "p" {\n  role = "pod"\n  namespaces {\n    names = ["kube-system"]\n  }\n  attach_metadata {\n    node = true\n  }\n}\n',
    );
    const needs = alloyApiNeeds(body).map((n) => `${n.verb} ${n.resource} ${n.namespace ?? "*"}`);
    assert.deepEqual(needs.sort(), [
      "list nodes *",
      "list pods kube-system",
      "watch nodes *",
      "watch pods kube-system",
    ]);
  });
});
