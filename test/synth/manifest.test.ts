import { strict as assert } from "assert";
import { manifestJson, parseManifest } from "../../synth/render/manifest";

/** A CRD document long enough to be kept (synth/render/manifest.ts keeps those of 32 KiB and more). */
function bigCrd(name: string): string {
  const props = Array.from(
    { length: 1200 },
    (_, i) => `            field${i}:\n              type: string`,
  ).join("\n");
  return `# Source: chart/crds/${name}.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${name}.example.com
spec:
  group: example.com
  names: { kind: ${name}, plural: ${name}s }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
${props}
`;
}

const output = (replicas: number) => `---
${bigCrd("Widget")}---
# Source: chart/templates/list.yaml
apiVersion: v1
kind: ConfigMapList
items:
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: a } }
  - { apiVersion: v1, kind: ConfigMap, metadata: { name: b } }
---
# Source: chart/templates/empty.yaml
---
# Source: chart/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata: { name: d }
spec: { replicas: ${replicas} }
`;

describe("render: Helm's output as the render cache keeps it (synth/render/manifest.ts)", () => {
  it("is the JSON of the parsed objects with their sources, the same on a second render that reuses a large document", () => {
    const first = output(1);
    assert.ok(bigCrd("Widget").length >= 32 * 1024, "the CRD document is a large one");
    assert.equal(manifestJson(first), JSON.stringify(parseManifest(first)));
    const parsed = JSON.parse(manifestJson(first));
    assert.deepEqual(parsed.sources, [
      "chart/crds/Widget.yaml",
      "chart/templates/list.yaml",
      "chart/templates/list.yaml",
      "chart/templates/deployment.yaml",
    ]);
    assert.deepEqual(
      parsed.objects.map((o: any) => `${o.kind}/${o.metadata.name}`),
      ["CustomResourceDefinition/Widget.example.com", "ConfigMap/a", "ConfigMap/b", "Deployment/d"],
    );
    // Other values: the kept CRD is reused, the templated document read anew.
    const second = output(3);
    assert.equal(manifestJson(second), JSON.stringify(parseManifest(second)));
    assert.equal(JSON.parse(manifestJson(second)).objects[3].spec.replicas, 3);
  });

  it("names the template whose output does not parse", () => {
    assert.throws(
      () => manifestJson("---\n# Source: chart/templates/bad.yaml\nkey: [unclosed\n"),
      /helm output of chart\/templates\/bad\.yaml:4:1: expected Kubernetes objects \(YAML\), found text that is not YAML: /,
    );
  });
});
