import { strict as assert } from "assert";
import * as v8 from "v8";
import * as vm from "vm";
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

describe("render: the large documents kept (synth/render/manifest.ts)", () => {
  it("keep no render's whole output: a kept document is its own copy, not a slice of the output", () => {
    v8.setFlagsFromString("--expose-gc");
    const gc = vm.runInNewContext("gc") as () => void;
    // Each render: a document of its own, kept (over 32 KiB), beside one shared 2 MB document
    // (parsed once: every later render finds it kept).
    const shared = `---\n# Source: chart/templates/big.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: ${"x".repeat(2 * 1024 * 1024)}\n`;
    manifestJson(shared);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 60; i++) manifestJson(`${bigCrd(`own${i}`)}${shared}`);
    gc();
    const grown = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    // Kept: 60 documents of about 75 KB and their JSON, a few MB; the outputs were 120 MB.
    assert.ok(grown < 40, `the heap grew by ${grown.toFixed(0)} MB over 60 renders`);
  });
});
