import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { dump } from "js-yaml";
import { checkedStackConfig } from "../../config/stackCheck";
import { pinnedChartArchive, ROOT, synthCli, tmpDir } from "../support/helpers";
import { allValues, SEED000_FLUX_VALUES } from "../support/runningSeed000";
import { BASE, P, refusal, stackProject, STORE } from "../support/stackText";

/*
 * Mistakes a user following the how-to guides makes in a stack file, each said once, at its key's
 * line, with nothing said of it that is not so (config/stackCheck.ts, config/resolve.ts).
 */

/**
 * The takeover block of take-over-flux.md, with `release` as the adopted kube-prometheus-stack, at a
 * phase that runs kube-prometheus-stack (BASE's kps-removed has no Release to import it into, a
 * problem of its own).
 */
const takeover = (release: string) => `${BASE.replace("kps-removed", "loki-fixed")}${STORE}  ${P("takeover")}:
    step: import
    namespace: true
    releases:
      kubePrometheusStack: ${release}
    prometheusVolume: prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0
`;

/**
 * The stack file take-over-flux.md's takeover block makes at phase loki-fixed, with its commented
 * lines `lines` picks (a key line and its continuation) taken in as the guide says to.
 */
function guideTakeover(uncomment: (line: string) => boolean): string {
  const doc = fs.readFileSync(path.join(ROOT, "docs/how-to/take-over-flux.md"), "utf8");
  const block = /```yaml\n(homelab-observability:takeover:[\s\S]*?)```/.exec(doc);
  assert.ok(block, "take-over-flux.md has its takeover block");
  const lines = block[1]
    .split("\n")
    .map((l) => (uncomment(l) ? l.replace(/^(\s*)# /, "$1") : l))
    .map((l) => (l === "" ? l : `  ${l}`));
  return `${BASE.replace("kps-removed", "loki-fixed")}${STORE}${lines.join("\n")}`;
}

describe("config: the mistakes the how-to guides lead to, one message each", function () {
  this.timeout(20000);

  it("take-over-flux.md's takeover block with its alloy line taken in, as the guide says when alloy runs, passes with the agents lines it names", () => {
    const alloy = (l: string) => /^\s*# alloy: /.test(l);
    const agents = (l: string) => /^# (homelab-observability:agents:|  step: stay)/.test(l);
    const dir = stackProject(guideTakeover((l) => alloy(l) || agents(l)));
    assert.doesNotThrow(() => checkedStackConfig(dir, "s", {}, { allowAbsentSecrets: true }));
    // Without them: one message, saying the key was left out (its default), and what to set.
    const e = refusal(guideTakeover(alloy));
    assert.equal(e.problems.length, 1, e.message);
    assert.equal(
      e.problems[0],
      `${P("agents.step")}: expected "stay" while takeover.releases.alloy is imported (takeover.step import: the running release keeps its namespace; move it with agents.step handover at the update step), got nothing (default "moved"); set agents.step: stay in the stack file for the import step`,
    );
    // Written, the value is said as written.
    const handover = refusal(`${guideTakeover(alloy)}  ${P("agents")}:\n    step: handover\n`);
    assert.match(handover.problems[0], /, got "handover"; set agents\.step: stay in the stack file/);
  });

  it("a takeover release without its namespace is one message: the claim of that release's Prometheus is not judged again by the default release", () => {
    const e = refusal(takeover("kube-prometheus-stack"));
    assert.deepEqual(
      e.problems.map((p) => p.split(":").slice(0, 2).join(":")),
      [`${P("takeover.releases.kubePrometheusStack")}`],
      e.message,
    );
    assert.match(e.message, /Pulumi\.s\.yaml:11:7/);
  });

  it("a claim of another Prometheus still names the release it was judged by", () => {
    const e = refusal(
      takeover("monitoring/kube-prometheus-stack").replace(
        /prometheusVolume: .*/,
        "prometheusVolume: prometheus-db-prometheus-kps-prometheus-0",
      ),
    );
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /takeover\.prometheusVolume: expected the claim of Prometheus "kube-prometheus-stack-prometheus" \(the fullname of takeover\.releases\.kubePrometheusStack "monitoring\/kube-prometheus-stack": a name ending in/,
    );
  });

  it("a takeover.running folder that is not there is said at the key's line, with the close folder that holds what runs", async () => {
    const dir = stackProject(
      takeover("monitoring/kube-prometheus-stack").replace(
        "    step: import\n",
        "    step: update\n    running: runing\n",
      ),
    );
    fs.mkdirSync(path.join(dir, "running"));
    fs.writeFileSync(path.join(dir, "running", "helm-list.yaml"), "[]\n");
    const r = await synthCli("--stack", "s", "--dir", dir, "--out", tmpDir("out"), "--no-render", "--quiet");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        `  - ${P("takeover.running")}: expected a folder of what runs (docs/how-to/check-a-change.md#collecting-what-runs), got "runing": no such folder (${path.join(dir, "runing")}); did you mean "running"?\n    at ${path.join(dir, "Pulumi.s.yaml")}:9:5\n`,
      ),
      r.stderr,
    );
  });

  it("a takeover.running folder with reports of the wrong kind is said at the key's line, each refused report under it", async () => {
    const running = tmpDir("running-kinds");
    fs.writeFileSync(path.join(running, "helm-list.yaml"), "[]\n");
    fs.writeFileSync(
      path.join(running, "statefulsets.yaml"),
      "kind: List\nitems:\n- kind: Secret\n  data: {p: c2VjcmV0}\n",
    );
    fs.writeFileSync(path.join(running, "pvcs.yaml"), "kind: List\nitems: [1, hello]\n");
    const dir = stackProject(
      takeover("monitoring/kube-prometheus-stack").replace(
        "    step: import\n",
        `    step: update\n    running: ${running}\n`,
      ),
    );
    const r = await synthCli("--stack", "s", "--dir", dir, "--out", tmpDir("out"), "--no-render", "--quiet");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        `  - ${P("takeover.running")}: expected a folder of what runs (docs/how-to/check-a-change.md#collecting-what-runs), got "${running}": 2 of the folder's reports are missing or refused:\n` +
          `      ${running}/statefulsets.yaml: expected every item of kind StatefulSet (from: kubectl --context admin@example get statefulsets -n monitoring -o yaml > ${running}/statefulsets.yaml), found item 0: kind Secret\n` +
          `      ${running}/pvcs.yaml: expected every item of kind PersistentVolumeClaim (from: kubectl --context admin@example get pvc -n monitoring -o yaml > ${running}/pvcs.yaml), found item 0: a number; item 1: a string\n` +
          `    at ${path.join(dir, "Pulumi.s.yaml")}:9:5\n`,
      ),
      r.stderr,
    );
    assert.doesNotMatch(r.stderr, /c2VjcmV0|hello/);
  });

  it("a takeover.running values file holding another release's values (Loki's saved as kube-prometheus-stack's) is refused at the key's line, with the command for the right one", async function () {
    for (const r of Object.values(SEED000_FLUX_VALUES)) pinnedChartArchive(this, r);
    const running = tmpDir("running-swapped");
    const loki = SEED000_FLUX_VALUES.loki;
    const lokiValues = dump(allValues(loki.chart, loki.version, loki.values), { noRefs: true });
    fs.writeFileSync(
      path.join(running, "helm-list.yaml"),
      "- name: kube-prometheus-stack\n  namespace: monitoring\n  chart: kube-prometheus-stack-88.0.0\n- name: loki\n  namespace: monitoring\n  chart: loki-6.49.0\n",
    );
    fs.writeFileSync(path.join(running, "monitoring.kube-prometheus-stack.values.yaml"), lokiValues);
    fs.writeFileSync(path.join(running, "monitoring.loki.values.yaml"), lokiValues);
    for (const f of ["statefulsets.yaml", "pvcs.yaml"])
      fs.writeFileSync(path.join(running, f), "apiVersion: v1\nkind: List\nitems: []\n");
    const dir = stackProject(
      takeover("monitoring/kube-prometheus-stack").replace(
        "    step: import\n",
        `    step: update\n    running: ${running}\n`,
      ),
    );
    const r = await synthCli("--stack", "s", "--dir", dir, "--out", tmpDir("out"), "--no-render", "--quiet");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(
      r.stderr.includes(
        `  - ${P("takeover.running")}: expected a folder of what runs (docs/how-to/check-a-change.md#collecting-what-runs), got "${running}": ${running}/monitoring.kube-prometheus-stack.values.yaml: expected the values of release monitoring/kube-prometheus-stack (chart kube-prometheus-stack-88.0.0), found what looks like the values of chart loki (top-level keys clusterLabelOverride, deploymentMode, loki, enterprise, test … (37 in all): keys of chart loki 6.49.0's values, none of them a key of chart kube-prometheus-stack 88.0.0's), as when another release's \`helm get values\` is saved under this name; collect it with: helm --kube-context admin@example get values kube-prometheus-stack -n monitoring --all -o yaml > ${running}/monitoring.kube-prometheus-stack.values.yaml\n` +
          `    at ${path.join(dir, "Pulumi.s.yaml")}:9:5\n`,
      ),
      r.stderr,
    );
  });

  it("a takeover.running folder refused is said beside the stack file's other problems, in the one run", async () => {
    const running = tmpDir("running-empty");
    const dir = stackProject(
      takeover("monitoring/kube-prometheus-stack")
        .replace("    step: import\n", `    step: update\n    running: ${running}\n`)
        .replace(/homelab-observability:phase: \S+/, "homelab-observability:phase: loki-fxed"),
    );
    const r = await synthCli("--stack", "s", "--dir", dir, "--out", tmpDir("out"), "--no-render", "--quiet");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /invalid stack configuration \(2 problems\)/);
    assert.match(r.stderr, /homelab-observability:phase: expected one of .*, got string "loki-fxed"/);
    assert.ok(
      r.stderr.includes(
        `  - ${P("takeover.running")}: expected a folder of what runs (docs/how-to/check-a-change.md#collecting-what-runs), got "${running}": 3 of the folder's reports are missing or refused:\n`,
      ),
      r.stderr,
    );
  });

  it("a secure value the CLI cannot decrypt is said once: the note says the CLI stops there, not the same message again as the CLI's", () => {
    const e = refusal(`${BASE}${STORE}  ${P("pushoverToken")}:\n    secure: AAABAHardcodedGarbage\n`);
    assert.equal(e.problems.length, 1, e.message);
    assert.match(
      e.problems[0],
      /^homelab-observability:pushoverToken: the secure value is not Pulumi Cloud ciphertext/,
    );
    assert.equal(e.message.split("the secure value is not Pulumi Cloud ciphertext").length, 2, e.message);
    assert.ok(
      e.notes.includes(
        "(the Pulumi CLI itself stops at a secure value it cannot decrypt, before the program runs)",
      ),
      e.message,
    );
  });

  it("a size or a duration with its unit spelled another way gets the nearest value its key takes", () => {
    const pool = (memory: string) => `${BASE}${STORE}  ${P("nodePools")}:
    - name: pi5
      arch: arm64
      count: 1
      cpu: "4"
      memory: ${memory}
`;
    // Each offered with the meaning it has in a Kubernetes quantity: "8GB" is 8 x 10^9 bytes, "8G";
    // the binary unit only beside it.
    for (const [written, meant] of [
      ["8GB", '8G" (8 x 10^9 bytes, as "8GB" is; "8Gi" is 8 x 2^30 bytes)'],
      ["500mb", '500M" (500 x 10^6 bytes, as "500mb" is; "500Mi" is 500 x 2^20 bytes)'],
      ["8 Gi", '8Gi"'],
      ["8gib", '8Gi"'],
    ]) {
      const e = refusal(pool(written));
      assert.equal(e.problems.length, 1, e.message);
      assert.ok(e.problems[0].endsWith(`, got string "${written}"; did you mean "${meant}?`), e.problems[0]);
    }
    // A unit the size keys refuse (Pi, P: contract/quantity.ts STACK_FILE_QUANTITY) is not listed
    // among those the message says they take.
    for (const written of ["1Pi", "1P"]) {
      const e = refusal(pool(written));
      assert.equal(e.problems.length, 1, e.message);
      const units = /a byte unit \(([^)]*)\)/.exec(e.problems[0])?.[1] ?? "";
      assert.ok(units && !units.split(/\||\sor\s/).includes(written.slice(1)), e.problems[0]);
    }
    const vm = refusal(
      `${BASE}${STORE}  ${P("metricsBackend")}: victoriametrics\n  ${P("victoriametrics")}:\n    retention: 14days\n`,
    );
    assert.equal(vm.problems.length, 1, vm.message);
    assert.ok(vm.problems[0].endsWith(`, got string "14days"; did you mean "14d"?`), vm.problems[0]);
    // A spelling whose nearest value the key refuses too gets no guess: minutes are no VictoriaMetrics retention.
    const minutes = refusal(
      `${BASE}${STORE}  ${P("metricsBackend")}: victoriametrics\n  ${P("victoriametrics")}:\n    retention: 30 minutes\n`,
    );
    assert.doesNotMatch(minutes.problems.join("\n"), /did you mean/);
  });
});
