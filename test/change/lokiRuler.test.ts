/**
 * A taken-over Loki whose ruler keeps its rule groups in the object store (the loki chart's default
 * on S3: ruler.storage.s3.bucketnames, where the ruler API stores the groups Grafana or lokitool
 * make). The program's ruler reads a local directory, so those groups are no longer evaluated after
 * the update, and `synth --running` said nothing of it (seed 000's Flux Loki: ruler bucket "loki").
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { dump } from "js-yaml";
import { ROOT, synthCli, tmpDir } from "../support/helpers";
import { stableDir } from "../support/stableDir";
import { writeSeed000Running } from "../support/runningSeed000";
import { stackProject } from "../support/stackText";
import { lokiRulerWarnings } from "../../change/lokiRuler";
import type { StackObject } from "../../synth/render/types";

/**
 * A Loki StatefulSet reading config.yaml of ConfigMap monitoring/loki, which holds `config`; its
 * container runs `target` with `replicas` pods (the chart's Distributed ruler: ruler, 0 by default).
 */
function loki(config: Record<string, unknown>, target = "backend", replicas?: number): StackObject[] {
  const urn = "urn:pulumi:t::p::kubernetes:helm.sh/v3:Release::loki";
  const configMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "loki", namespace: "monitoring" },
    data: { "config.yaml": dump(config) },
  };
  const sts = {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "loki-backend", namespace: "monitoring" },
    spec: {
      ...(replicas === undefined ? {} : { replicas }),
      template: {
        spec: {
          containers: [
            {
              name: "backend",
              image: "docker.io/grafana/loki:3.7.6",
              args: ["-config.file=/etc/loki/config/config.yaml", `-target=${target}`],
              volumeMounts: [{ name: "config", mountPath: "/etc/loki/config" }],
            },
          ],
          volumes: [{ name: "config", configMap: { name: "loki" } }],
        },
      },
    },
  };
  return [configMap, sts].map((object) => ({ object, resourceUrn: urn }));
}

const s3Ruler = (bucket: string) => ({
  ruler: { storage: { type: "s3", s3: { bucketnames: bucket, endpoint: "minio:9000" } } },
});
const localRuler = { ruler: { storage: { type: "local", local: { directory: "/etc/loki/rules" } } } };

describe("lokiRulerWarnings", () => {
  it("warns when what runs keeps rule groups in a bucket and the update's ruler reads a local directory", () => {
    const [w, ...more] = lokiRulerWarnings(loki(s3Ruler("loki")), loki(localRuler));
    assert.deepEqual(more, []);
    assert.match(w, /^ConfigMap monitoring\/loki, read as \/etc\/loki\/config\/config\.yaml: /);
    assert.match(w, /keeps its rule groups in bucket "loki" \(ruler\.storage\.s3\.bucketnames\)/);
    assert.match(w, /no longer evaluated/);
    assert.match(w, /`mc ls --recursive homelab\/loki\/rules\/`/);
  });

  it("says nothing when the update's ruler reads the same bucket, or what runs keeps its rules locally", () => {
    assert.deepEqual(lokiRulerWarnings(loki(s3Ruler("loki")), loki(s3Ruler("loki"))), []);
    assert.deepEqual(lokiRulerWarnings(loki(localRuler), loki(localRuler)), []);
  });

  it("says nothing where no running container runs the ruler (the chart's Distributed ruler at 0 replicas, a read or write target), which alone serves the API that stores groups", () => {
    for (const [target, replicas] of [
      ["ruler", 0],
      ["read", 1],
      ["write", 3],
    ] as const)
      assert.deepEqual(
        lokiRulerWarnings(loki(s3Ruler("loki"), target, replicas), loki(localRuler)),
        [],
        target,
      );
    for (const target of ["ruler", "all", "backend", "read,ruler"])
      assert.equal(lokiRulerWarnings(loki(s3Ruler("loki"), target, 1), loki(localRuler)).length, 1, target);
  });
});

describe("synth --running: seed 000's Loki, whose ruler keeps its rules in bucket loki", function () {
  this.timeout(240_000);

  it("says at the update that the rule groups in the bucket are no longer evaluated, counting no refusal", async () => {
    const running = stableDir("running-seed000-ruler");
    await writeSeed000Running(running);
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.takeover.yaml"), "utf8");
    assert.match(text, /\n {4}step: import\n/);
    const update = `\n    step: update\n    running: ${running}\n    grafanaDatabaseSaved: true\n`;
    const dir = stackProject(text.replace(/\n {4}step: import\n/, update), "takeover");
    const flags = ["--stack", "takeover", "--dir", dir, "--running", running, "--quiet"];
    const r = await synthCli(...flags, "--out", tmpDir("out"));
    const warnings = r.stdout.split("\n").filter((l) => /^WARNING .*Loki's ruler/.test(l));
    assert.equal(warnings.length, 1, r.stdout + r.stderr);
    assert.match(
      warnings[0],
      /^WARNING ConfigMap monitoring\/loki, read as \/etc\/loki\/config\/config\.yaml: /,
    );
    assert.match(warnings[0], /keeps its rule groups in bucket "loki" \(ruler\.storage\.s3\.bucketnames\)/);
    assert.match(r.stdout.trimEnd().split("\n").pop()!, /^takeover: pass \(exit 0\)/);
  });
});
