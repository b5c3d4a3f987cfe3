import { strict as assert } from "assert";
import { alloyApiNeeds, KNOWN_COMPONENTS } from "../../upstream/alloy/apiNeeds";
import { parseAlloy } from "../../upstream/alloy/syntax";

/** The calls of a config, one `verb group/resource [name] scope` string each, sorted. */
function calls(text: string): string[] {
  const parsed = parseAlloy(`${text}\n`);
  assert.deepEqual(parsed.errors, []);
  return alloyApiNeeds(parsed.body)
    .map(
      (n) =>
        `${n.verb} ${n.apiGroup ? `${n.apiGroup}/` : ""}${n.resource ?? n.nonResourceURL}${n.name ? ` ${n.name}` : ""} ${n.namespace ?? "*"}`,
    )
    .sort();
}

/**
 * upstream/alloy/apiNeeds.ts: what each component calls, read in grafana/alloy v1.12.0 and
 * prometheus/prometheus v3.7.3 (each case names the lines in its test name).
 */
describe("Alloy components' API needs (upstream/alloy/apiNeeds.ts)", () => {
  it("loki.source.kubernetes gets pods and pods/log everywhere (kubetail/tailer.go:190, 507)", () => {
    assert.deepEqual(calls('loki.source.kubernetes "x" {\n  targets = []\n  forward_to = []\n}'), [
      "get pods *",
      "get pods/log *",
    ]);
  });

  it("the operators' namespaces argument limits their own informer, not the monitors' discovery (crdmanager.go:291-304)", () => {
    assert.deepEqual(
      calls('prometheus.operator.podmonitors "x" {\n  namespaces = ["apps"]\n  forward_to = []\n}'),
      [
        "list monitoring.coreos.com/podmonitors apps",
        "list pods *",
        "watch monitoring.coreos.com/podmonitors apps",
        "watch pods *",
      ],
    );
    assert.deepEqual(calls('prometheus.operator.probes "x" {\n  forward_to = []\n}'), [
      "list monitoring.coreos.com/probes *",
      "watch monitoring.coreos.com/probes *",
    ]);
  });

  it("role ingress with attach_metadata.namespace also watches namespaces (kubernetes.go:586-590)", () => {
    assert.deepEqual(
      calls(
        'discovery.kubernetes "x" {\n  role = "ingress"\n  attach_metadata {\n    namespace = true\n  }\n}',
      ),
      [
        "list namespaces *",
        "list networking.k8s.io/ingresses *",
        "watch namespaces *",
        "watch networking.k8s.io/ingresses *",
      ],
    );
  });

  it("refuses a call it cannot place: own_namespace, a Secret whose name is computed", () => {
    assert.throws(
      () =>
        calls('discovery.kubernetes "x" {\n  role = "pod"\n  namespaces {\n    own_namespace = true\n  }\n}'),
      /discovery\.kubernetes\.x: namespaces\.own_namespace is not supported here .*list it in namespaces\.names/,
    );
    assert.throws(
      () => calls('remote.kubernetes.secret "s" {\n  namespace = "monitoring"\n  name = sys.env("X")\n}'),
      /remote\.kubernetes\.secret\.s: namespace and name must be literal strings/,
    );
  });

  it("knows each component once", () => {
    assert.equal(new Set(KNOWN_COMPONENTS).size, KNOWN_COMPONENTS.length);
  });
});
