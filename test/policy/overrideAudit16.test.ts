import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { ExportedResource, Violation } from "../../policy/evaluate";
import {
  attributeOverrides,
  formatMergedViolations,
  mergeProblems,
  overridePlacesIn,
  type CheckFinding,
  type MergedViolation,
} from "../../synth/report";
import { release } from "../support/policyCases";
import { shownFile } from "../../config/paths";

/*
 * One override, one message, found by its key and its line (synth/report.ts): reports on one
 * release that narrow to the same chartValues keys are one mistake; a request named as prose
 * ("of CPU") names its key; the key's line in the stack file is given when synth knows the file.
 */

/** A rendered object of `r` (synth/render/objects.ts withRenderedObjects' URN). */
function rendered(r: ExportedResource, kind: string, name: string): ExportedResource {
  const cut = r.urn.lastIndexOf("::");
  const type = `kubernetes:apps/v1:${kind}`;
  return {
    urn: `${r.urn.slice(0, cut)}$${type}::${r.urn.slice(cut + 2)}/monitoring/${name}`,
    type,
    custom: true,
    inputs: {},
    parent: r.urn,
  };
}

describe("policy audit 16: one chartValues override is one message naming its key", () => {
  const grafana = release("grafana", {
    image: { registry: "docker.io", repository: "grafana/grafana-oss", tag: "9.0.0-amd64" },
    extraObjects: [{ kind: "ConfigMap", data: { password: "x", token: "y" } }],
  });
  const deploy = rendered(grafana, "Deployment", "grafana");
  const resources = [grafana, deploy];
  const image = ["grafana.image.registry", "grafana.image.repository", "grafana.image.tag"];
  const arm64: Violation = {
    policy: "arm64-images",
    level: "mandatory",
    urn: deploy.urn,
    message:
      'kubernetes:apps/v1:Deployment "grafana/monitoring/grafana": spec.template.spec.containers[1].image is "docker.io/grafana/grafana-oss:9.0.0-amd64": tag "9.0.0-amd64" names another architecture',
  };
  const pins: CheckFinding = {
    check: "image-pins",
    where: "Deployment monitoring/grafana (release grafana)",
    message:
      "spec.template.spec.containers[1].image: image docker.io/grafana/grafana-oss:9.0.0-amd64 is not pinned",
  };

  it("an image override both image-pins and arm64-images refuse is one message naming both places", () => {
    const { violations, findings } = mergeProblems([arm64], [pins], { resources, overrides: image });
    assert.equal(violations.length, 1);
    assert.deepEqual(findings, []);
    assert.deepEqual(violations[0].alsoAt, [
      "[image-pins] Deployment monitoring/grafana (release grafana): spec.template.spec.containers[1].image",
    ]);
  });

  it("a failing finding is not folded into an advisory message: the exit status keeps its reason", () => {
    const { violations, findings } = mergeProblems([{ ...arm64, level: "advisory" }], [pins], {
      resources,
      overrides: image,
    });
    assert.equal(violations.length, 1);
    assert.equal(findings.length, 1);
  });

  it("two findings of one rule on one resource stay two messages (two literals in one override)", () => {
    const lit = (key: string): Violation => ({
      policy: "no-plaintext-credentials",
      level: "mandatory",
      urn: grafana.urn,
      message: `kubernetes:helm.sh/v3:Release "grafana": values.extraObjects[0].data.${key} is a literal credential`,
    });
    const { violations } = mergeProblems([lit("password"), lit("token")], [], {
      resources,
      overrides: ["grafana.extraObjects"],
    });
    assert.equal(violations.length, 2);
  });

  it("a CPU request over budget names the cpu override, though the message says CPU", () => {
    const pod = rendered(release("grafana", {}), "Deployment", "grafana");
    const [v] = attributeOverrides(
      [
        {
          policy: "resource-budget",
          level: "mandatory",
          urn: pod.urn,
          message:
            "Deployment grafana (6005m of CPU): each pod requests more than one node holds beside the DaemonSets' pods on it (pool pi5: 4000m of CPU per node), so it would stay Pending (a pod runs on one node). Set `nodePools[0].cpu` to at least 6005m, or lower its requests (Deployment grafana: chartValues.grafana.resources.requests.cpu).",
          alsoAt: [],
        },
      ] as MergedViolation[],
      [release("grafana", { resources: { requests: { cpu: "6", memory: "1Gi" } } }), pod],
      ["grafana.resources.requests.cpu", "grafana.resources.requests.memory"],
    );
    assert.deepEqual(v.overrides, ["chartValues.grafana.resources.requests.cpu"]);
  });

  it("the override key is named with its file and line in the stack file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "audit16-"));
    try {
      fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: homelab-observability\nruntime: nodejs\n");
      fs.writeFileSync(
        path.join(dir, "Pulumi.lab.yaml"),
        "config:\n  homelab-observability:phase: loki-fixed\n  homelab-observability:chartValues:\n    grafana:\n      replicas: 2\n",
      );
      const at = overridePlacesIn(dir, "lab");
      const file = shownFile(path.join(dir, "Pulumi.lab.yaml"));
      assert.equal(at("chartValues.grafana.replicas"), `${file}:5`);
      assert.equal(at("chartValues.grafana.absent"), undefined);
      const g = release("grafana", { replicas: 2 });
      const [v] = attributeOverrides(
        [
          {
            policy: "grafana-replicas-share-no-state",
            level: "mandatory",
            urn: g.urn,
            message: "values.replicas is 2",
            alsoAt: [],
          },
        ] as MergedViolation[],
        [g],
        ["grafana.replicas"],
        at,
      );
      assert.match(
        formatMergedViolations([{ ...v, urn: undefined }]),
        new RegExp(
          `override chartValues\\.grafana\\.replicas \\(${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5\\)`,
        ),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
