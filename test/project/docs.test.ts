import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { ROOT, tmpDir } from "../support/helpers";
import { documents } from "../support/documents";
import { spawnSync } from "child_process";
import {
  endOf,
  environmentTable,
  envReads,
  GENERATED,
  kubeVersionOf,
  startOf,
  withSection,
} from "../../scripts/referenceDocs";
import { chartCacheDir, helmBinary } from "../../synth/render/helm";
import { versions } from "../../model/versions";
import { SECRET_REFS } from "../../model/secrets";
import { PORTS } from "../../model/services";
import { GRAFANA_ADMIN_USER } from "../../builders/secrets/secrets";
import { CHECKS } from "../../verify/checks";
import { allPolicies } from "../../policy/policies";
import { COMPONENTS } from "../../verify/types";
import { RBAC_SWITCHES } from "../../model/chartRbac";
import { formatted } from "../support/prettier";
import { PHASES } from "../../config/resolve";
import { KPS_RULES_DATA } from "../../builders/alerting/kpsRules";
import { ruleCounts, ruleCoverage, type Evaluator } from "../support/ruleCoverage";
import { BACKENDS } from "../support/rendered";
import { synth } from "../support/helpers";
import { cachedSync, cacheKey, folderHash } from "../support/fixtureCache";
import { toolRun } from "../support/toolOutput";

/**
 * The documentation: a short README, every generated reference table current, every relative link
 * resolving (or naming a document another engineer is adding), and the files a project needs.
 */

/** Documents other work adds; links to them are expected before they land. */
const LANDING_LATER = new Set([
  "docs/reference/cli.md",
  "docs/explanation/alloy-conformance.md",
  "docs/explanation/alloy-rbac.md",
  "docs/explanation/operator-contracts.md",
  "docs/explanation/engine-references.md",
  "docs/explanation/mimir.md",
]);

const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");

/**
 * The variables the files under `dirs` read (scripts/referenceDocs.ts envReads, by default the
 * code's), through the fixture cache, for the tests below that ask and for the environment table's
 * own test: each read parses every file that names `process.env` with TypeScript. The code's reads
 * depend on sources the cache's key hashes; the tests' on test/, which it skips, so their key names
 * a hash of test/. Measured warm, this file alone, alternating: 5.7 and 5.9 -> 5.2 and 5.5 s of CPU
 * for the tests below; the table's test then still parsed both itself, the first TypeScript parse
 * of the process (about 1.1 s of CPU for the code's, 0.6 s for test/'s).
 */
function envReadsCached(dirs?: readonly string[]): Map<string, string[]> {
  const inputs = dirs ? { dirs, test: folderHash("test") } : "code";
  const compute = () => [...envReads(ROOT, dirs)];
  return new Map(cachedSync("env-reads", cacheKey("env-reads", inputs), compute));
}

let envRead: Map<string, string[]> | undefined;
/** The code's variables ({@link envReadsCached}), read once for the three tests that ask. */
const envReadsOnce = () => (envRead ??= envReadsCached());
let testEnvRead: Map<string, string[]> | undefined;
/** The tests' variables ({@link envReadsCached}), read once for the two tests that ask. */
const testEnvReadsOnce = () => (testEnvRead ??= envReadsCached(["test"]));

describe("documentation", function () {
  this.timeout(60000);

  it("README.md is at most 200 lines and links every tutorial, how-to and reference document", () => {
    const readme = read("README.md");
    const lines = readme.split("\n").length;
    assert.ok(lines <= 200, `README.md has ${lines} lines`);
    const linked = new Set([...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]));
    for (const d of documents().filter((f) => /^docs\/(tutorials|how-to|reference)\//.test(f)))
      assert.ok(linked.has(d), `README.md links ${d}`);
  });

  it("every relative link in every document resolves", () => {
    const broken: string[] = [];
    for (const doc of documents())
      for (const m of read(doc).matchAll(/\]\((?!https?:|mailto:|#)([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(doc), m[1]));
        if (!fs.existsSync(path.join(ROOT, target)) && !LANDING_LATER.has(target))
          broken.push(`${doc}: ${m[1]}`);
      }
    assert.deepEqual(broken, []);
  });

  it("no shell block of any document holds a `<placeholder>`, which a shell pasting it reads as a redirection", () => {
    // Quoted text and comments are read as written (`'<a long passphrase>'`, `# -> {"name":"<x>"}`);
    // a synopsis of a command's flags is a `text` block, not one to paste.
    const found: string[] = [];
    for (const doc of documents())
      for (const block of read(doc).matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g))
        for (const line of block[1].split("\n")) {
          const bare = line.replace(/'[^']*'|"(?:[^"\\]|\\.)*"/g, "").replace(/(^|\s)#.*$/, "");
          if (/<[A-Za-z][^<>\n]*>/.test(bare)) found.push(`${doc}: ${line.trim()}`);
        }
    assert.deepEqual(found, []);
  });

  it("every shell block of any document parses in bash as written (a quote left open leaves the paste waiting for its close)", () => {
    // Each block in a file of its own, read by its own `bash -n` on its standard input, all started
    // by one bash: a spawnSync from this process per block (83 of them) cost about twice the bash it
    // started. Measured warm: this test 0.45 -> 0.24 s of CPU; this file alone, alternating, 5.9,
    // 5.2 and 5.2 -> 5.4, 5.1 and 4.9 s.
    const dir = tmpDir("shell-blocks");
    const docs: string[] = [];
    for (const doc of documents())
      for (const block of read(doc).matchAll(/^( *)```(?:sh|bash|shell)\n([\s\S]*?)^ *```/gm)) {
        // A block in a list item is indented with it; the reader pastes it without.
        const body = block[2]
          .split("\n")
          .map((l) => (l.startsWith(block[1]) ? l.slice(block[1].length) : l))
          .join("\n");
        fs.writeFileSync(path.join(dir, `${docs.length}.sh`), body);
        docs.push(doc);
      }
    // For each block bash refuses: its number, then what bash said, each ended by a NUL.
    const script =
      'for f; do if ! e=$(bash -n < "$f" 2>&1); then printf "%s\\0%s\\0" "${f%.sh}" "$e"; fi; done';
    const r = spawnSync("bash", ["-c", script, "bash", ...docs.map((_, i) => `${i}.sh`)], {
      cwd: dir,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    const said = r.stdout.split("\0");
    const broken: string[] = [];
    for (let i = 0; i + 1 < said.length; i += 2)
      broken.push(`${docs[Number(said[i])]}: ${said[i + 1].trim()}`);
    assert.ok(docs.length > 0, "the documents hold shell blocks");
    assert.deepEqual(broken, []);
  });

  it("LICENSE is the Apache-2.0 text package.json names, CHANGELOG.md and CONTRIBUTING.md exist", () => {
    assert.equal(JSON.parse(read("package.json")).license, "Apache-2.0");
    const license = read("LICENSE");
    assert.match(license, /^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
    assert.match(license, /END OF TERMS AND CONDITIONS/);
    for (const f of ["CHANGELOG.md", "CONTRIBUTING.md"]) assert.ok(fs.existsSync(path.join(ROOT, f)), f);
  });

  for (const g of GENERATED)
    it(`${g.file}: the generated ${g.name} table is current (scripts/referenceDocs.ts --write, then prettier)`, async () => {
      const doc = read(g.file);
      assert.ok(doc.includes(startOf(g.name)) && doc.includes(endOf(g.name)), "has its markers");
      const prettier = await import("prettier");
      // The environment table from the reads the tests below share (envReadsCached): the same
      // function GENERATED's entry calls, given what envReads answers instead of reading it again.
      const table =
        g.name === "environment" ? environmentTable(ROOT, envReadsOnce(), testEnvReadsOnce()) : g.table(ROOT);
      const expected = await formatted(withSection(doc, g.name, table), {
        ...(await prettier.resolveConfig(path.join(ROOT, g.file))),
        parser: "markdown",
      });
      const section = (t: string) => t.slice(t.indexOf(startOf(g.name)), t.indexOf(endOf(g.name)));
      assert.equal(section(doc), section(expected));
    });

  it("the staleness check can fail: a changed table differs from the committed one", () => {
    const g = GENERATED.find((x) => x.name === "policies")!;
    const doc = read(g.file);
    const edited = withSection(doc, g.name, g.table(ROOT).replace("resource-budget", "resource-budgets"));
    assert.notEqual(edited, doc);
  });

  it("the environment table lists every variable the code reads", () => {
    const env = envReadsOnce();
    for (const v of ["CI", "HOMELAB_HELM", "HOMELAB_CHART_CACHE"]) assert.ok(env.has(v), v);
    const doc = read("docs/reference/environment.md");
    for (const v of env.keys()) assert.ok(doc.includes(`\`${v}\``), v);
  });

  // The generated table names every variable whatever the prose says: a variable read in code and
  // said nowhere above it (NODE_OPTIONS was) is one whose effect a reader cannot learn.
  it("environment.md says what every variable the code reads does, above the generated tables", () => {
    const doc = read("docs/reference/environment.md");
    const prose = doc.slice(0, doc.indexOf(startOf("environment")));
    for (const v of envReadsOnce().keys()) assert.ok(prose.includes(`\`${v}\``), v);
  });

  // CONTRIBUTING.md tells contributors to set HOMELAB_METRIC_SOURCES, which only a test reads: a
  // table of the code's variables alone left it out.
  it("the environment tables also list every variable only the tests read", () => {
    const tests = testEnvReadsOnce();
    assert.ok(tests.get("HOMELAB_METRIC_SOURCES")?.includes("test/upstream/refreshMetrics.test.ts"));
    const doc = read("docs/reference/environment.md");
    for (const v of tests.keys()) assert.ok(doc.includes(`\`${v}\``), v);
  });

  it("the environment table lists only variables the code reads, not a name a comment shows the form with", () => {
    // scripts/referenceDocs.ts's own doc comment writes `process.env.NAME`: no code reads NAME.
    const env = envReadsOnce();
    assert.equal(env.has("NAME"), false, `NAME read in ${env.get("NAME")?.join(", ")}`);
    assert.ok(env.get("HOMELAB_HELM_JOBS")?.includes("synth/render/helm.ts"), "a real read is still found");
  });

  it("the versions table states each pinned chart's declared kubeVersion, and the README's floor is the highest", () => {
    const doc = read("docs/reference/versions.md");
    const floors = [...doc.matchAll(/`>=(\d+)\.(\d+)\.\d+-0`/g)].map((m) => Number(m[2]));
    assert.ok(floors.length >= 5, `${floors.length} charts declare a kubeVersion`);
    const highest = Math.max(...floors);
    assert.match(read("README.md"), new RegExp(`\\| Kubernetes \\| 1\\.${highest} or newer`));
  });

  it("the versions table's kubeVersion is the chart's own Chart.yaml's, as `helm show chart` prints it (not a subchart's)", () => {
    // kube-prometheus-stack's grafana subchart declares another (`^1.25.0-0`); alloy declares none.
    for (const name of ["kube-prometheus-stack", "alloy"]) {
      const pin = Object.values(versions.charts).find((c) => c.chart === name)!;
      const tgz = path.join(chartCacheDir(ROOT), `${name}-${pin.version}.tgz`);
      // Asked of Helm once per Helm binary and archive content, then read from the fixture cache.
      const r = toolRun(helmBinary(ROOT), ["show", "chart", tgz], { inputs: [tgz] });
      assert.equal(r.status, 0, r.stderr);
      const shown = /^kubeVersion:\s*['"]?([^'"\n]+)['"]?\s*$/m.exec(r.stdout)?.[1] ?? "none declared";
      assert.equal(kubeVersionOf(ROOT, name, pin.version), shown, name);
    }
  });

  it("the first deploy opens Grafana with the Service port, Secret, keys and user the program uses", () => {
    const t = read("docs/tutorials/first-deploy.md");
    const g = SECRET_REFS.grafanaAdmin;
    assert.ok(t.includes(`svc/grafana 3000:${PORTS.grafana}`), `port-forward to port ${PORTS.grafana}`);
    assert.ok(
      t.includes(`get secret ${g.secretName} -o jsonpath='{.data.${g.passwordKey}}'`),
      "the Secret and key",
    );
    assert.ok(t.includes(`The user is \`${GRAFANA_ADMIN_USER}\``), "the user");
    assert.ok(t.includes(`(keys \`${g.userKey}\` and \`${g.passwordKey}\`)`), "the keys");
  });

  it("docs/reference/checks.md has a row for every verify check and every rendered-object check, and no other", () => {
    const doc = read("docs/reference/checks.md");
    const rowsOf = (heading: string) => {
      const start = doc.indexOf(`\n## ${heading}\n`);
      assert.ok(start >= 0, heading);
      const end = doc.indexOf("\n## ", start + 1);
      return [...doc.slice(start, end < 0 ? undefined : end).matchAll(/^\| `?([a-z-]+)`? +\|/gm)]
        .map((m) => m[1])
        .filter((x) => !["id", "check"].includes(x) && !x.startsWith("-"))
        .sort();
    };
    assert.deepEqual(rowsOf("Verifying a running stack"), CHECKS.map((c) => c.id).sort());
    // The rendered-object checks by the name each finding carries (checks/*.ts).
    const names = new Set<string>();
    for (const f of fs.readdirSync(path.join(ROOT, "checks")))
      for (const m of read(`checks/${f}`).matchAll(/check: "([a-z-]+)"/g)) names.add(m[1]);
    assert.deepEqual(rowsOf("Checks on the rendered stack"), [...names].sort());
  });

  // The hand-written table below the generated one says what each policy rejects: a policy added
  // to the pack and left out of it (object-store-least-privilege was) is one a reader never finds.
  it("docs/reference/policies.md says what every policy of the pack rejects, at its default level, and no other", () => {
    const doc = read("docs/reference/policies.md");
    const hand = doc.slice(doc.indexOf(endOf("policies")));
    const rows = [...hand.matchAll(/^\| `([a-z0-9-]+)` +\| ([a-z]+) +\|/gm)].map((m) => `${m[1]} ${m[2]}`);
    const pack = allPolicies().map((p) => `${p.name} ${p.enforcementLevel ?? "advisory"}`);
    assert.deepEqual([...rows].sort(), [...pack].sort());
  });

  it("docs/reference/checks.md names every component verify's --url takes, and no other", () => {
    const doc = read("docs/reference/checks.md");
    const from = doc.indexOf("`--url <component>=<url>`\nreaches");
    const to = doc.indexOf("`HOMELAB_KUBECTL`", from);
    assert.ok(from >= 0 && to > from, "the --url paragraph");
    // Each component's word on itself is in parentheses after it.
    const listed = doc.slice(from, to).replace(/\([^()]*\)/g, "");
    const named = [...listed.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]);
    assert.deepEqual([...new Set(named)].sort(), [...COMPONENTS].sort());
  });
  // The switches the report traces a missing grant to (model/chartRbac.ts): a chart added there,
  // or one taken out (grafana's was), and the reference still naming the old list misleads.
  it("docs/reference/cli.md names each chart RBAC switch the report traces missing grants to, and no other", () => {
    const named = [...read("docs/reference/cli.md").matchAll(/`chartValues\.([a-z-]+)\.rbac\.create`/g)].map(
      (m) => m[1],
    );
    const switches = Object.entries(RBAC_SWITCHES).map(([chart, key]) => {
      assert.equal(key, "rbac.create", `${chart}'s switch is named as rbac.create in the document`);
      return chart;
    });
    assert.deepEqual([...new Set(named)].sort(), [...switches].sort());
  });
  it("docs/explanation/migration-design.md states the shipped KPS rules and each phase's evaluator and rule counts as the staging stack has them", async () => {
    const doc = read("docs/explanation/migration-design.md");
    const rules = KPS_RULES_DATA.groups.reduce((n, g) => n + g.rules.length, 0);
    assert.ok(
      doc.includes(`${KPS_RULES_DATA.groups.length} groups, ${rules} rules`),
      `expected "${KPS_RULES_DATA.groups.length} groups, ${rules} rules"`,
    );
    const ENGINE: Record<Evaluator, string> = {
      prometheus: "Prometheus",
      "mimir-ruler": "Mimir ruler (Alloy)",
      vmalert: "vmalert",
    };
    const expected: string[] = [];
    const stated: string[] = [];
    for (const phase of PHASES) {
      const row = doc.split("\n").find((l) => l.startsWith(`| \`${phase}\``));
      assert.ok(row, `the alerts table has a row for ${phase}`);
      const cells = row.split("|").map((c) => c.trim());
      for (const [i, backend] of BACKENDS.entries()) {
        const c = ruleCoverage(
          (await synth("staging", { phase, metricsBackend: backend })).export.deployment.resources,
          "monitoring",
        );
        const { alerts, records } = ruleCounts(c.groups);
        expected.push(
          `${phase} ${backend}: ${c.evaluators.map((e) => ENGINE[e]).join(", ")}, ${alerts} alerts + ${records} records`,
        );
        stated.push(`${phase} ${backend}: ${cells[2 + i]}`);
      }
    }
    assert.deepEqual(stated, expected);
  });
});
