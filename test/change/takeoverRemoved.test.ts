import { strict as assert } from "assert";
import * as fs from "fs";
import { stackCopy, synthCli } from "../support/helpers";
import { foldTakeoverRemoved } from "../../change/takeoverRemoved";
import type { StackExport } from "../../synth/synthesize";

/**
 * After a takeover (docs/how-to/take-over-flux.md), the `takeover` block removed from the stack
 * file is one mistake: `--against` the export of its update step refuses it once, naming the block
 * and every place it touches, instead of one refusal per place (5, some naming no key, and the
 * renames advising a chart value to set back).
 */
describe("change check: the takeover block removed after a takeover (--against)", function () {
  this.timeout(240000);

  /** The takeover stack at its update step, its export, and the copy with the block removed. */
  async function removed(also = "") {
    const copy = stackCopy("takeover-removed", "takeover");
    const text = fs.readFileSync(copy.file, "utf8").replace("step: import", "step: update");
    fs.writeFileSync(copy.file, text);
    const previous = await synthCli("--dir", copy.dir, "--stack", "takeover", "--out", copy.dir, "--quiet");
    assert.equal(previous.status, 0, previous.stderr);
    const exported = `${copy.file}.previous.json`;
    fs.copyFileSync(`${copy.dir}/takeover.json`, exported);
    // Every line from the block's key to the next top-level key (two spaces in) goes.
    const lines = text.split("\n");
    const start = lines.findIndex((l) => l.startsWith("  homelab-observability:takeover:"));
    let end = start + 1;
    while (end < lines.length && (lines[end].startsWith("    ") || lines[end].trim() === "")) end++;
    fs.writeFileSync(copy.file, [...lines.slice(0, start), ...lines.slice(end)].join("\n") + also);
    return copy.against(exported);
  }

  it("is one refusal naming takeover, every place it touches, and the block to put back", async () => {
    const r = await removed();
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const refused = r.stdout.split("\n").filter((l) => /^\s*REFUSED /.test(l));
    assert.equal(refused.length, 1, refused.join("\n"));
    const [line] = refused;
    assert.match(line, /^REFUSED takeover: /);
    assert.match(line, /no longer has the takeover block \(homelab-observability:takeover\)/);
    for (const place of [
      "buckets Loki chunks loki -> production-loki-chunks",
      "Grafana admin password existing -> onepassword",
      "PersistentVolumeClaim::prometheus-volume metadata.name",
      "Alertmanager monitoring/kube-prometheus-stack-alertmanager metadata.name",
      "Prometheus monitoring/kube-prometheus-stack-prometheus metadata.name",
    ])
      assert.ok(line.includes(place), `${place} in: ${line}`);
    for (const key of [
      "takeover.buckets.loki.chunks",
      "takeover.secrets.grafanaAdmin",
      "takeover.prometheusVolume: prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0",
      "kube-prometheus-stack's fullname kube-prometheus-stack",
    ])
      assert.ok(line.includes(key), `${key} in: ${line}`);
    // Each stack-wide place with the takeover keys its refusal traced, in order, and each key to put
    // back with the value the export was made with.
    assert.ok(
      line.includes(
        "refused at 5 places: buckets Loki chunks loki -> production-loki-chunks (takeover.buckets.loki.chunks); " +
          "Grafana admin password existing -> onepassword (takeover.secrets.grafanaAdmin); PersistentVolumeClaim::prometheus-volume metadata.name, protect: ",
      ),
      line,
    );
    assert.ok(
      line.includes(
        "Put the takeover block back as it was, with takeover.buckets.loki.chunks: loki, takeover.secrets.grafanaAdmin: grafana-admin-credentials, " +
          "takeover.prometheusVolume: prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0, takeover.releases.kubePrometheusStack (or takeover.kpsFullname), ",
      ),
      line,
    );
    // The renames' cause is the block, not a chart value to set back.
    assert.doesNotMatch(r.stdout, /nameOverride or fullnameOverride/);
    assert.match(r.stdout, /; 1 refused \(1 stack-wide, above the objects\)/);
    assert.match(r.stdout + r.stderr, /takeover: FAIL \(exit 1\): the change: 1 refused/);
  });

  it("folds the refusals whose traced cause is a takeover key, not those whose words only quote one", () => {
    const none: StackExport = {
      version: 3,
      deployment: { manifest: { time: "", magic: "", version: "" }, resources: [] },
    };
    const report = { entries: [], refused: [] };
    const bucket = {
      line: "REFUSED buckets Loki chunks loki -> production-loki-chunks: takeover.buckets.loki.chunks, which named loki, is no longer set.",
      refused: true,
      cause: {
        place: "buckets Loki chunks loki -> production-loki-chunks",
        keys: ["takeover.buckets.loki.chunks"],
      },
    };
    const admin = {
      line: "REFUSED Grafana admin password existing -> onepassword: takeover.secrets.grafanaAdmin no longer names admin.",
      refused: true,
      cause: {
        place: "Grafana admin password existing -> onepassword",
        keys: ["takeover.secrets.grafanaAdmin"],
      },
    };
    // A bucket whose name reads like a key, moved by the prefix: its own mistake with its own way out.
    const prefix = {
      line: "REFUSED buckets Mimir blocks takeover.buckets.mimir -> homelab-mimir-blocks: objectStore.bucketPrefix changed.",
      refused: true,
      cause: {
        place: "buckets Mimir blocks takeover.buckets.mimir -> homelab-mimir-blocks",
        keys: ["objectStore.bucketPrefix"],
      },
    };
    const { verdicts } = foldTakeoverRemoved(none, none, [bucket, admin, prefix], report, "Pulumi.x.yaml");
    assert.equal(verdicts.length, 2, verdicts.map((v) => v.line).join("\n"));
    assert.match(
      verdicts[0].line,
      /^REFUSED takeover: .* refused at 2 places: buckets Loki chunks loki -> production-loki-chunks \(takeover\.buckets\.loki\.chunks\); Grafana admin password existing -> onepassword \(takeover\.secrets\.grafanaAdmin\)\. /,
    );
    assert.doesNotMatch(verdicts[0].line, /mimir/);
    assert.equal(verdicts[1], prefix);
  });

  it("leaves a refusal of another edit made with it as its own", async () => {
    // Grafana's claim (5Gi in the export) shrunk in the same edit: the API server refuses that alone.
    const r = await removed("\n  homelab-observability:grafana:\n    volumeSize: 1Gi\n");
    assert.equal(r.status, 1, r.stdout + r.stderr);
    const refused = r.stdout.split("\n").filter((l) => /^\s*REFUSED /.test(l));
    assert.equal(refused.length, 2, refused.join("\n"));
    assert.match(refused[0], /^REFUSED takeover: .* refused at 5 places: /);
    assert.doesNotMatch(refused[0], /grafana\.volumeSize/);
    assert.match(
      refused[1],
      /REFUSED PersistentVolumeClaim monitoring\/grafana spec\.resources\.requests\.storage: .*caused by grafana\.volumeSize/,
    );
  });
});
