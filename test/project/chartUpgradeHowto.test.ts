import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { versions } from "../../model/versions";

/*
 * docs/how-to/chart-upgrades.md is what an operator follows for a Renovate chart bump. Walking it
 * through each chart in ../shared/charts found steps that could not be done as written: the
 * previous export `--against` reads was never made (the synthesis after the pin change overwrites
 * out/), the fetch command named Loki's repository only, and a bump that moves a fact the program
 * read at a version (the operator contract, kube-rbac-proxy's, kube-state-metrics' collectors) failed a
 * test the how-to never mentioned. These hold the how-to to what the program needs.
 */

const root = path.join(__dirname, "..", "..");
const howto = fs.readFileSync(path.join(root, "docs/how-to/chart-upgrades.md"), "utf8");

/** The shell lines of the how-to's fenced blocks, in order. */
function commands(): string[] {
  return [...howto.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) =>
    m[1]
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith("#")),
  );
}

describe("docs/how-to/chart-upgrades.md: a chart bump as written", () => {
  it("makes the previous export `--against` reads before the pin changes, in a folder the new synthesis does not overwrite", () => {
    const lines = commands();
    const against = lines.find((l) => / --against /.test(l));
    assert.ok(against, "the how-to checks the change with --against");
    const file = / --against (\S+)/.exec(against)![1];
    // Written by name, or by a synthesis whose --out is the file's folder (it writes <out>/<stack>.json).
    const writes = (l: string) =>
      l.includes(`> ${file}`) ||
      (l.includes(`--out ${path.dirname(file)}`) && l.includes(`--stack ${path.basename(file, ".json")}`));
    const made = lines.findIndex((l) => l !== against && writes(l));
    assert.ok(
      made >= 0 && made < lines.indexOf(against),
      `--against ${file}: no command before it writes ${file} (commands: ${lines.join(" | ")})`,
    );
    const pinStep = howto.indexOf("model/versions.ts`", howto.indexOf("1. "));
    assert.ok(
      howto.indexOf(lines[made]) < pinStep,
      `${lines[made]} runs after the pin changes: it would export the new version`,
    );
    assert.ok(
      !/--out out(\s|$)/.test(lines[made]) && lines[made].includes("--out"),
      `${lines[made]}: the previous export needs its own --out folder`,
    );
  });

  it("fetches any pinned chart, not one chart's repository", () => {
    const pull = commands().find((l) => l.startsWith("helm pull"));
    assert.ok(pull, "the how-to fetches the new archive with helm pull");
    for (const c of Object.values(versions.charts))
      assert.ok(
        !pull.includes(c.repo) && !pull.includes(` ${c.chart} `),
        `helm pull names ${c.chart}'s repository only: ${pull}`,
      );
    assert.match(pull, /--repo "\$REPO" "\$CHART" --version "\$VERSION"/);
  });

  it("names each fact a bump can leave stale, where the test that fails says to refresh it", () => {
    // Each: the file the failing test points at, and the chart whose bump moves it.
    const facts: [string, string][] = [
      ["scripts/genKpsRules.ts", "kube-prometheus-stack"],
      ["scripts/genDashboards.ts", "victoria-metrics-k8s-stack"],
      ["upstream/operators/prometheusOperator.ts", "prometheus-operator-crds"],
      ["upstream/kubeRbacProxy.ts", "prometheus-node-exporter"],
      ["KSM_DROPPED_COLLECTORS", "kube-state-metrics"],
      ["upstream/operators/victoriaMetrics.ts", "victoria-metrics-k8s-stack"],
      ["syncJob.enabled", "victoria-metrics-k8s-stack"],
      ["scripts/genDashboards.ts", "victoria-metrics-k8s-stack"],
      ["upstream/alloy/apiNeeds.ts", "alloy"],
      ["npm run refresh-text-numbers", "kube-prometheus-stack"],
    ];
    for (const [file, chart] of facts) {
      assert.ok(howto.includes(file), `the how-to does not say to refresh ${file} after a ${chart} bump`);
      assert.ok(howto.includes(chart), `the how-to does not name ${chart}`);
    }
  });
});
