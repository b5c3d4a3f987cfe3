import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parse, stringify } from "yaml";
import { vectorConfig } from "../../builders/logging/vectorConfig";
import { checkStack } from "../../checks";
import type { K8sObject, Placed } from "../../checks/objects";
import { checkVector } from "../../checks/vector";
import { versions } from "../../model/versions";
import { NS, daemonSet } from "../support/objects";
import { ROOT } from "../support/helpers";

const at = (obj: K8sObject, urn: string, source: string): Placed => ({ obj, urn, source });
const configMap = (name: string, data: Record<string, string>): K8sObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: NS },
  data,
});

describe("rendered-stack checks: Vector configs judged by Vector's reference (checks/vector.ts)", () => {
  // The chart's ConfigMap as the program renders it, mounted by a DaemonSet running Vector's image.
  const config = stringify(
    vectorConfig({ cluster: "pi", lokiBaseUrl: "http://loki.monitoring.svc:3100", bufferBytes: 268435488 }),
  );
  const objects = (
    text: string = config,
    image = `timberio/vector:${versions.images.vector.tag}`,
  ): Placed[] => {
    const ds = daemonSet("vector", 9090, false);
    ds.spec.template.spec.containers[0].image = image;
    ds.spec.template.spec.volumes = [{ name: "config", configMap: { name: "vector" } }];
    return [
      at(configMap("vector", { "vector.yaml": text }), "urn:vector", "release vector"),
      at(ds, "urn:vector", "release vector"),
    ];
  };

  it("passes the program's Vector config and counts its components", () => {
    const r = checkVector(objects());
    assert.deepEqual(r.findings, []);
    assert.equal(r.configs, 1);
    assert.equal(r.components, 6);
  });

  it("fails a config Vector would refuse, naming the ConfigMap, the key, the path and the upstream line", () => {
    const bad = parse(config);
    bad.sinks.loki_pods.encoding.codec = "raw";
    const r = checkVector(objects(stringify(bad)));
    assert.equal(r.findings.length, 1);
    assert.equal(r.findings[0].check, "vector-config");
    assert.equal(
      r.findings[0].where,
      "ConfigMap monitoring/vector (release vector) vector.yaml sinks.loki_pods.encoding.codec",
    );
    assert.match(
      r.findings[0].message,
      /expected one of .*"raw_message".*found "raw" \(values\.customConfig\.sinks\.loki_pods\.encoding\.codec\) \[enum; vectordotdev\/vector@v0\.56\.0 website\/cue\/reference\/components\/sinks\/generated\/loki\.cue:\d+\]/,
    );
  });

  it("says each finding's path once, in where, and names the chart's customConfig value it is about", () => {
    const bad = parse(config);
    bad.sources.app = { type: "file", include: ["/var/log/app/*.log"], read_form: "beginning" };
    bad.transforms = { errors: { type: "filter", inputs: ["app"] } };
    const r = checkVector(objects(stringify(bad)));
    assert.deepEqual(
      r.findings.map((f) => `${f.where} | ${f.message.replace(/ \[.*$/, "")}`),
      [
        'ConfigMap monitoring/vector (release vector) vector.yaml sources.app.read_form | not an option here (did you mean "read_from"?) (values.customConfig.sources.app.read_form)',
        // A missing option is about the map that lacks it.
        "ConfigMap monitoring/vector (release vector) vector.yaml transforms.errors.condition | required option missing (values.customConfig.transforms.errors)",
      ],
    );
  });

  it("names no chart value for a config the chart did not write from customConfig", () => {
    const bad = parse(config);
    bad.sinks.loki_pods.encoding.codec = "raw";
    const placed = objects(stringify(bad));
    placed[0] = at(
      configMap("vector", { "vector.yaml": stringify(bad) }),
      "urn:cm",
      "resource vector-config",
    );
    const [f] = checkVector(placed).findings;
    assert.doesNotMatch(f.message, /values\./);
  });

  it("fails a config that is not YAML", () => {
    const r = checkVector(objects("sources: [\n"));
    assert.equal(r.findings.length, 1);
    assert.match(r.findings[0].message, /Vector cannot parse its config/);
  });

  it("judges only ConfigMaps a pod running Vector's image mounts", () => {
    const text = "sources: {x: {type: nope}}\nsinks: {y: {type: blackhole, inputs: [x]}}";
    assert.equal(checkVector(objects(text, "grafana/alloy:v1.12.0")).configs, 0);
    assert.deepEqual(
      checkVector(objects(text)).findings.map((f) => f.where),
      ["ConfigMap monitoring/vector (release vector) vector.yaml sources.x.type"],
    );
  });

  it("fails when the pinned Vector has no reference in the repository, saying how to build it", () => {
    const pinned = versions.images.vector as { tag: string };
    const tag = pinned.tag;
    pinned.tag = "0.99.0-debian";
    try {
      const r = checkVector(objects());
      assert.equal(r.findings.length, 1);
      assert.equal(r.findings[0].check, "vector-reference");
      // At the line of the pin's tag, the one a bump changed.
      const text = fs.readFileSync(path.join(ROOT, "model/versions.ts"), "utf8");
      const entry = text.indexOf("\n    vector: {", text.indexOf("images: {"));
      const line = text.slice(0, text.indexOf("tag:", entry)).split("\n").length;
      assert.equal(r.findings[0].where, `model/versions.ts:${line} images.vector.tag`);
      assert.match(
        r.findings[0].message,
        /no Vector reference for 0\.99\.0 \(upstream\/vector\/data has vector-0\.56\.0\); run `npx tsx upstream\/refresh\/vector\.ts/,
      );
    } finally {
      pinned.tag = tag;
    }
  });

  it("checkStack carries the findings, the count and the warnings", () => {
    const acks = parse(config);
    acks.acknowledgements = { enabled: true };
    acks.sinks.loki_pods.labels = "x";
    const report = checkStack(objects(stringify(acks)), []);
    assert.equal(report.vectorConfigs, 1);
    assert.deepEqual(
      report.findings.filter((f) => f.check === "vector-config").map((f) => f.where),
      ["ConfigMap monitoring/vector (release vector) vector.yaml sinks.loki_pods.labels"],
    );
    assert.match(
      report.warnings.join("\n"),
      /sinks\.loki_pods asks for end-to-end acknowledgements, but its source pod_logs \(kubernetes_logs\) cannot take them/,
    );
  });
});
