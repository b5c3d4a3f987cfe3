import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { config, ROOT, stackOverrides } from "../support/helpers";
import { checkedStackConfig } from "../../config/stackCheck";
import { versions } from "../../model/versions";
import { MIMIR_GROUP_MODULES } from "../../builders/metrics/mimirValues";
import { ENGINE_KEYS } from "../../config/engineKeys";
import { defaultSeriesCap, nodeDaemons, prometheusRetentionSize } from "../../config/sizing";
import { receiverEgressPorts } from "../../plan/alertingReceivers";
import { BACKENDS, PHASES, capabilities } from "../../model/phases";
import { rendered, stackFileVariants, VM_CLUSTER_VARIANT } from "../support/rendered";

/**
 * The explanation documents (docs/explanation/*.md) state facts the code holds: file paths, the
 * names a file defines, lists of files, keys and modules, pinned versions, figures the sizing
 * computes. Each test reads the document and the code and fails when they disagree, so a rename,
 * a new file or a version bump cannot leave the explanation behind.
 */

const DIR = "docs/explanation";
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");
const docs = () =>
  fs
    .readdirSync(path.join(ROOT, DIR))
    .filter((f) => f.endsWith(".md"))
    .map((f) => ({ file: `${DIR}/${f}`, text: read(`${DIR}/${f}`) }));

/** The project's rooms: a backquoted path starting with one is a path of this repository. */
const ROOMS =
  "contract|upstream|model|config|builders|components|plan|apply|policy|synth|checks|change|verify|cli|scripts|test";
const REPO_PATH = new RegExp("`((?:" + ROOMS + ")/[A-Za-z0-9_./-]*)`", "g");
/** "`name` (`room/file.ts`)", "`a`, `b` (`room/file.ts`)", "`name` in `room/file.ts`". */
const NAMED_IN = new RegExp(
  "((?:`[A-Za-z_][A-Za-z0-9_]*`(?:, |\\s+and\\s+))*`[A-Za-z_][A-Za-z0-9_]*`)\\s*(?:\\(|in\\s+)\\[?`((?:" +
    ROOMS +
    ")/[^`]+\\.ts)`",
  "g",
);

/** The rows of the first Markdown table after `marker`, as trimmed cells. */
function tableAfter(text: string, marker: string): string[][] {
  const at = text.indexOf(marker);
  assert.ok(at >= 0, `the document has "${marker}"`);
  const lines = text.slice(at).split("\n");
  const start = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith("|")) break;
    const cells = l
      .split("|")
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.every((c) => /^-+$/.test(c))) continue;
    rows.push(cells);
  }
  return rows.slice(1);
}
const ticked = (s: string) => [...s.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** Every rendered-object check id (the `check:` each finding carries, checks/*.ts). */
function checkIds(): Set<string> {
  const ids = new Set<string>();
  for (const f of fs.readdirSync(path.join(ROOT, "checks")))
    for (const m of read(`checks/${f}`).matchAll(/check: "([a-z0-9-]+)"/g)) ids.add(m[1]);
  return ids;
}
/** Every policy name of the pack (policy/*.ts), per file. */
function policyNames(file?: string): Set<string> {
  const names = new Set<string>();
  const files = file ? [file] : fs.readdirSync(path.join(ROOT, "policy")).filter((f) => f.endsWith(".ts"));
  for (const f of files)
    for (const m of read(file ? f : `policy/${f}`).matchAll(/^\s+name: "([a-z0-9-]+)",$/gm)) names.add(m[1]);
  return names;
}

describe("docs/explanation: every claim the code holds is true of the code", () => {
  it("every repository path a document names exists", () => {
    const missing: string[] = [];
    for (const { file, text } of docs())
      for (const m of text.matchAll(REPO_PATH))
        if (!fs.existsSync(path.join(ROOT, m[1].replace(/\/$/, "")))) missing.push(`${file}: ${m[1]}`);
    assert.deepEqual(missing, []);
  });

  it("every name a document places in a file is defined there (`name` (`file.ts`), `name` in `file.ts`)", () => {
    const wrong: string[] = [];
    let seen = 0;
    for (const { file, text } of docs())
      for (const m of text.matchAll(NAMED_IN)) {
        const source = fs.existsSync(path.join(ROOT, m[2])) ? read(m[2]) : "";
        for (const name of ticked(m[1])) {
          seen++;
          if (!new RegExp(`\\b${name}\\b`).test(source)) wrong.push(`${file}: ${name} is not in ${m[2]}`);
        }
      }
    assert.ok(seen >= 15, `${seen} names found: the pattern still reads the documents`);
    assert.deepEqual(wrong, []);
  });

  it("offline-synthesis.md lists exactly the files of synth/render/", () => {
    const text = read(`${DIR}/offline-synthesis.md`);
    const from = text.indexOf("`synth/render/` holds one job per file:");
    const to = text.indexOf("\n\n", from);
    assert.ok(from >= 0 && to > from, "the paragraph on synth/render/");
    const listed = ticked(text.slice(from, to)).filter((t) => /^[a-zA-Z]+\.ts$/.test(t));
    const files = fs.readdirSync(path.join(ROOT, "synth/render")).filter((f) => f.endsWith(".ts"));
    assert.deepEqual([...new Set(listed)].sort(), files.sort());
  });

  it("offline-synthesis.md names the least-privilege policies policy/privileges.ts defines", () => {
    const text = read(`${DIR}/offline-synthesis.md`);
    const m = /The (\w+) least-privilege policies \(`policy\/privileges\.ts`: ([^)]*)\)/.exec(text);
    assert.ok(m, "the sentence on the least-privilege policies");
    const defined = [...policyNames("policy/privileges.ts")].sort();
    assert.deepEqual(ticked(m[2]).sort(), defined);
    const words = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight"];
    assert.equal(m[1], words[defined.length], "the count stated");
  });

  it("architecture.md's one-owner table names real contract functions, pack policies and rendered checks", () => {
    const rows = tableAfter(read(`${DIR}/architecture.md`), "| concern");
    assert.ok(rows.length >= 6, `${rows.length} concerns`);
    const policies = policyNames();
    const checks = checkIds();
    const wrong: string[] = [];
    for (const [concern, rule, pack, rendered] of rows) {
      const file = /`(contract\/[a-zA-Z]+\.ts)`/.exec(rule)?.[1];
      assert.ok(file, `${concern}: the rule's file`);
      const source = read(file);
      for (const fn of ticked(rule).filter((t) => t !== file))
        if (!new RegExp(`export (const|function) ${fn}\\b`).test(source))
          wrong.push(`${concern}: ${fn} in ${file}`);
      // The engine's own names are the backquoted kebab-case words in parentheses.
      const named = (cell: string) =>
        [...cell.matchAll(/\(([^()]*)\)/g)]
          .flatMap((m) => ticked(m[1]))
          .filter((t) => /^[a-z0-9]+(-[a-z0-9]+)+$|^[a-z]+$/.test(t));
      for (const p of named(pack)) if (!policies.has(p)) wrong.push(`${concern}: no pack policy ${p}`);
      for (const c of named(rendered)) if (!checks.has(c)) wrong.push(`${concern}: no rendered check ${c}`);
    }
    assert.deepEqual(wrong, []);
  });

  it("mimir.md's scaled-out groups run the modules MIMIR_GROUP_MODULES gives them", () => {
    const rows = tableAfter(read(`${DIR}/mimir.md`), "| group");
    const stated = Object.fromEntries(rows.map(([group, , target]) => [ticked(group)[0], ticked(target)[0]]));
    const expected = Object.fromEntries(
      (["write", "read", "backend"] as const).map((g) => [`mimir-${g}`, MIMIR_GROUP_MODULES[g].join(",")]),
    );
    assert.deepEqual(stated, expected);
  });

  it("engine-references.md lists exactly the stack-config keys config/engineKeys.ts maps", () => {
    const text = read(`${DIR}/engine-references.md`);
    const m = /lists the keys that flow into an\s+engine field \(([^)]*)\)/.exec(text);
    assert.ok(m, "the sentence listing the keys");
    assert.deepEqual(
      ticked(m[1]),
      ENGINE_KEYS.map((k) => k.key),
    );
  });

  it("the pinned versions the documents state are the ones model/versions.ts pins", () => {
    const { charts, images } = versions;
    const bare = (tag: string) => tag.replace(/^v/, "");
    // A stated version holds when it is the chart's version or a prefix of the image's tag ("Loki 3.7").
    const NAMES: { name: string; chart?: string; tag?: string }[] = [
      { name: "alloy", chart: charts.alloy.version, tag: images.alloy.tag },
      { name: "Loki", chart: charts.loki.version, tag: images.loki.tag },
      { name: "loki chart", chart: charts.loki.version },
      { name: "alloy chart", chart: charts.alloy.version },
      { name: "Mimir", tag: images.mimir.tag },
      { name: "kube-prometheus-stack", chart: charts.kubePrometheusStack.version },
      { name: "prometheus-operator-crds", chart: charts.prometheusOperatorCrds.version },
      { name: "prometheus-operator", tag: images.prometheusOperator.tag },
      { name: "prometheus-operator/prometheus-operator", tag: images.prometheusOperator.tag },
      { name: "victoria-metrics-k8s-stack", chart: charts.victoriaMetricsStack.version },
      { name: "VictoriaMetrics operator", tag: images.vmOperator.tag },
      { name: "VictoriaMetrics/operator", tag: images.vmOperator.tag },
      { name: "kube-rbac-proxy", tag: images.kubeRbacProxy.tag },
      { name: "the chart", chart: charts.nodeExporter.version },
      { name: "nginx-unprivileged", tag: images.lokiGateway.tag },
    ];
    const wrong: string[] = [];
    let seen = 0;
    for (const { file, text } of docs())
      for (const n of NAMES) {
        const re = new RegExp(
          `(?<![\\w-])${n.name.replace(/[/]/g, "\\/")}\`?(?: at)? \`?v?(\\d+\\.\\d+(?:\\.\\d+)?(?:-[a-z]+)?)`,
          "gi",
        );
        for (const m of text.matchAll(re)) {
          seen++;
          const v = m[1];
          const ok =
            v === n.chart || (n.tag !== undefined && (bare(n.tag) === v || bare(n.tag).startsWith(`${v}.`)));
          if (!ok) wrong.push(`${file}: "${m[0]}", pinned ${[n.chart, n.tag].filter(Boolean).join(" / ")}`);
        }
      }
    assert.ok(seen >= 20, `${seen} stated versions found: the patterns still read the documents`);
    assert.deepEqual(wrong, []);
  });

  it("sizing-rules.md's worked figures are what config/sizing.ts computes", () => {
    const text = read(`${DIR}/sizing-rules.md`);
    const pi = /\(8 GiB Pis: (\d+)\)/.exec(text);
    assert.ok(pi, "the 8 GiB Pi's series cap");
    // Beside the DaemonSets' pods the stack runs on the Pi by default (the standard profile's).
    const onPi = config({ nodePools: [{ name: "pi", arch: "arm64", count: 1, cpu: "4", memory: "8Gi" }] });
    assert.equal(Number(pi[1]), defaultSeriesCap([{ memory: "8Gi", taints: [] }], 1, nodeDaemons(onPi)));
    assert.equal(Number(pi[1]), onPi.mimir.maxGlobalSeriesPerUser);
    // Lowered further where the pools' share holds no more beside the other pods (shareSeriesCap).
    const example = /the example's one 8 GiB node under the standard profile: (\d+)\)/.exec(text);
    assert.ok(example, "the standard example's series cap");
    const standard = checkedStackConfig(
      ROOT,
      "example",
      {},
      {
        allowAbsentSecrets: true,
        overrides: stackOverrides({ profile: "standard" }),
      },
    );
    assert.equal(Number(example[1]), standard.cfg.mimir.maxGlobalSeriesPerUser);
    const retention = /e\.g\. (\d+GiB) on (\d+)Gi/.exec(text);
    assert.ok(retention, "the retention size example");
    assert.equal(retention[1], prometheusRetentionSize(Number(retention[2]) * 2 ** 30));
  });

  it("security-model.md's receivers egress names the ports receiverEgressPorts admits", () => {
    const row = read(`${DIR}/security-model.md`)
      .split("\n")
      .find((l) => l.startsWith("| `receivers`"));
    assert.ok(row, "the receivers row");
    // Pushover or the heartbeat alone: 443; an entry of alerting.receivers adds its own port.
    assert.deepEqual(receiverEgressPorts([], true), [443]);
    assert.match(row, /on 443 \(Pushover, the heartbeat/);
    const withEmail = receiverEgressPorts(
      [{ type: "email", smarthost: "smtp.example.org:587" } as never],
      true,
    );
    assert.deepEqual(withEmail, [443, 587]);
    assert.match(row, /each of `alerting\.receivers`' own ports/, "a receiver's own port is admitted too");
    assert.match(row, /an entry of `alerting\.receivers`/, "alerting.receivers alone turns the rule on");
  });

  it("security-model.md's VictoriaMetrics users are those each rendered VM custom resource runs as", async function () {
    this.timeout(120000);
    const text = read(`${DIR}/security-model.md`);
    assert.match(text, /VictoriaMetrics pods run as nobody\*\* \(uid and gid 65534/);
    const named = /The exception is\s+`(VM\w+)`, which runs as uid, gid and fsGroup (\d+)/.exec(text);
    assert.ok(named, "the one VM custom resource that runs as another user is named, with its user");
    // Every pod context of every VM custom resource (a VMCluster's are one per component), by kind;
    // not a container's (fix-data-ownership runs as root, as the document says).
    const users = new Map<string, Set<string>>();
    const contexts = (kind: string, v: unknown): void => {
      if (Array.isArray(v)) v.forEach((x) => contexts(kind, x));
      else if (v && typeof v === "object")
        for (const [k, x] of Object.entries(v)) {
          const c = x as Record<string, unknown>;
          if (k === "securityContext" && c.runAsUser !== undefined)
            users.set(
              kind,
              (users.get(kind) ?? new Set()).add(JSON.stringify([c.runAsUser, c.runAsGroup, c.fsGroup])),
            );
          else if (k !== "initContainers" && k !== "containers") contexts(kind, x);
        }
    };
    const pi = stackFileVariants().find((v) => v.stack === "pi")!;
    for (const v of [pi, VM_CLUSTER_VARIANT])
      for (const { object } of (await rendered(v)).objects)
        if (String(object.apiVersion).startsWith("operator.victoriametrics.com/"))
          contexts(String(object.kind), object.spec);
    const [, kind, uid] = named;
    const expected = (k: string) => JSON.stringify(Array(3).fill(k === kind ? Number(uid) : 65534));
    assert.ok(users.has(kind), `${kind} is rendered`);
    assert.ok(users.has("VMCluster") && users.has("VMSingle"), [...users.keys()].join(", "));
    for (const [k, seen] of users) assert.deepEqual([...seen], [expected(k)], k);
  });

  it("operator-contracts.md's failing variants are the production phases x backends that run KPS", () => {
    const m = /(\d+) of the (\d+) production variants fail \(every phase that runs KPS/.exec(
      read(`${DIR}/operator-contracts.md`),
    );
    assert.ok(m, "the wired-edges experiment's count");
    // test/checks/wiredEdges.test.ts runs every phase x backend of each topology (matrixVariants).
    const all = PHASES.flatMap((p) => BACKENDS.map((b) => capabilities(p, b)));
    assert.equal(Number(m[2]), all.length, "production variants");
    assert.equal(Number(m[1]), all.filter((c) => c.kps).length, "variants that run KPS");
  });

  it("the Mimir source the documents cite is the commit and mirror the code's facts were read at", () => {
    const code = read("upstream/engines/mimirModules.ts");
    const commit = /`mimir-3\.0\.0` \(commit ([0-9a-f]{40}), via the mirror\s+\*?\s*([\w-]+\/[\w-]+)\)/.exec(
      code,
    );
    assert.ok(commit, "mimirModules.ts names the commit and the mirror it was read through");
    const [, sha, mirror] = commit;
    assert.match(read("upstream/engines/writablePaths.ts"), new RegExp(`mimir-3\\.0\\.0, commit ${sha}`));
    const doc = read(`${DIR}/mimir.md`);
    assert.ok(doc.includes(sha) && doc.includes(mirror), `mimir.md names commit ${sha} and ${mirror}`);
    // The source was read, so no document may say it could not be had.
    for (const { file, text } of docs())
      assert.doesNotMatch(
        text,
        /source could not be\s+fetched/,
        `${file} says the source could not be fetched`,
      );
  });

  it("every `config-fields.tsv:<line>` a document cites is the Mimir field it names, with its default", () => {
    const rows = read("upstream/engines/data/mimir-3.0/config-fields.tsv").split("\n");
    const wrong: string[] = [];
    let seen = 0;
    for (const { file, text } of docs())
      for (const m of text.matchAll(/`([a-z_.]+)`([^`]*)`config-fields\.tsv:(\d+)`/g)) {
        seen++;
        const [key, , , def] = rows[Number(m[3]) - 1].split("\t");
        if (key !== m[1]) {
          wrong.push(`${file}: config-fields.tsv:${m[3]} is ${key}, not ${m[1]}`);
          continue;
        }
        // "default 46800 s", "12 hours by default": the duration stated is the row's (nanoseconds).
        const d = /(\d+) (s|hours)\b/.exec(m[2]);
        if (d && Number(d[1]) * (d[2] === "s" ? 1e9 : 3600e9) !== Number(def))
          wrong.push(`${file}: ${m[1]}'s default is ${def} ns, not ${d[0]}`);
      }
    assert.ok(seen >= 2, `${seen} citations found: the pattern still reads the documents`);
    assert.deepEqual(wrong, []);
  });
});
