import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseRunning, RunningStateError } from "../../model/running";
import { synthCli, tmpDir } from "../support/helpers";
import { writeSeed000Running } from "../support/runningSeed000";

/*
 * A values file in the folder of what runs for a release helm-list.yaml does not list
 * (model/running.ts): only the releases the list names are read, so such a file was passed over
 * without a word, and a user who saved a release's values under another name or namespace never
 * learnt it. Passed over, it loses nothing the check reads when the release the list names has its
 * own file: a warning. When that release's file is missing (refused), the refusal names it.
 */

const EMPTY = "apiVersion: v1\nkind: List\nitems: []\n";
const LIST = [
  "- name: kube-prometheus-stack\n  namespace: monitoring\n  chart: kube-prometheus-stack-88.0.0",
  "- name: loki\n  namespace: monitoring\n  chart: loki-6.49.0",
  "- name: grafana\n  namespace: monitoring\n  chart: grafana-12.3.1",
].join("\n");
const OWN = {
  "helm-list.yaml": LIST,
  "monitoring.kube-prometheus-stack.values.yaml": "{}",
  "monitoring.loki.values.yaml": "{}",
  "monitoring.grafana.values.yaml": "{}",
  "statefulsets.yaml": EMPTY,
  "pvcs.yaml": EMPTY,
};

const parse = (files: Record<string, string>) =>
  parseRunning("/r", (f) => files[f], { namespace: "monitoring" }, Object.keys(files));

/** The folder's refusal, which must be the running state's own. */
const refusal = (files: Record<string, string>): string => {
  let said = "";
  assert.throws(
    () => parse(files),
    (e) => e instanceof RunningStateError && (said = e.message) !== undefined,
  );
  return said;
};

describe("model/running: a values file of a release helm-list.yaml does not list", () => {
  it("beside every listed release's own file, is a warning naming it, its release, the releases listed and the closest", () => {
    const state = parse({ ...OWN, "monitoring.grafna.values.yaml": "{}" });
    assert.equal(state.releases.length, 3);
    assert.deepEqual(state.warnings, [
      "/r/monitoring.grafna.values.yaml: not read: it is the values file of release monitoring/grafna, which helm-list.yaml does not list, and only the releases it lists are read (monitoring/kube-prometheus-stack, monitoring/loki and monitoring/grafana); the closest is monitoring/grafana, read from monitoring.grafana.values.yaml. If monitoring/grafna runs, collect the list again with: helm list -n monitoring -o yaml > /r/helm-list.yaml",
    ]);
  });

  it("without a namespace in its name, says the form a values file's name takes", () => {
    const state = parse({ ...OWN, "grafana.values.yaml": "{}" });
    assert.deepEqual(state.warnings, [
      "/r/grafana.values.yaml: not read: a release's values file is named <namespace>.<release>.values.yaml, and only the releases helm-list.yaml lists are read (monitoring/kube-prometheus-stack, monitoring/loki and monitoring/grafana); the closest is monitoring/grafana, read from monitoring.grafana.values.yaml",
    ]);
  });

  it("in place of a listed release's missing file, is named in that file's refusal, not warned of apart", () => {
    const files: Record<string, string> = { ...OWN };
    delete files["monitoring.grafana.values.yaml"];
    const text = refusal({ ...files, "monitoring.grafna.values.yaml": "{}" });
    assert.equal(
      text,
      "/r/monitoring.grafana.values.yaml: missing; collect it with: helm get values grafana -n monitoring --all -o yaml > /r/monitoring.grafana.values.yaml; the folder holds monitoring.grafna.values.yaml, of a release helm-list.yaml does not list: if it holds the values of monitoring/grafana, rename it to monitoring.grafana.values.yaml",
    );
  });

  it("is no warning where every values file is a listed release's", () => {
    assert.equal(parse(OWN).warnings, undefined);
  });
});

describe("synth --running: a values file of a release helm-list.yaml does not list", function () {
  this.timeout(180000);

  it("is one warning of the stack's, and the change is judged as without it", async () => {
    const own = tmpDir("running000-own");
    await writeSeed000Running(own);
    // Another folder: a synthesis is kept in this process by its inputs, the folder's path among them.
    const dir = tmpDir("running000-stray");
    for (const f of fs.readdirSync(own)) fs.copyFileSync(path.join(own, f), path.join(dir, f));
    fs.copyFileSync(
      path.join(dir, "monitoring.grafana.values.yaml"),
      path.join(dir, "monitoring.grafna.values.yaml"),
    );
    const run = (folder: string) =>
      synthCli("--stack", "takeover", "--quiet", "--running", folder, "--out", tmpDir("stray-out"));
    const before = await run(own);
    const r = await run(dir);
    assert.equal(r.status, before.status, r.stderr + r.stdout);
    const warned = r.stderr.split("\n").filter((l) => l.includes("monitoring.grafna.values.yaml"));
    assert.deepEqual(warned, [
      `takeover: warning: ${path.join(dir, "monitoring.grafna.values.yaml")}: not read: it is the values file of release monitoring/grafna, which helm-list.yaml does not list, and only the releases it lists are read (monitoring/kube-prometheus-stack, monitoring/loki and monitoring/grafana); the closest is monitoring/grafana, read from monitoring.grafana.values.yaml. If monitoring/grafna runs, collect the list again with: helm --kube-context admin@production list -n monitoring -o yaml > ${dir}/helm-list.yaml`,
    ]);
    const rest = (out: string) =>
      out
        .split("\n")
        .filter((l) => !l.includes("monitoring.grafna.values.yaml") && !l.includes("stray-out"))
        .join("\n")
        .replaceAll(own, dir);
    assert.equal(rest(r.stdout), rest(before.stdout));
    // The stack's own lines: Node prints its deprecation warnings once a process, on the first run.
    const stackLines = (out: string) =>
      rest(
        out
          .split("\n")
          .filter((l) => l.startsWith("takeover:"))
          .join("\n"),
      );
    assert.equal(stackLines(r.stderr), stackLines(before.stderr));
  });
});
