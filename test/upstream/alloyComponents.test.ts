import { strict as assert } from "assert";
import { versions } from "../../model/versions";
import {
  checkAlloyComponents,
  loadAlloyReference,
  referenceVersionProblem,
  type AlloyFinding,
  type AlloyReference,
} from "../../upstream/alloy/components";
import { parseAlloy } from "../../upstream/alloy/syntax";
import { synth } from "../support/helpers";

/**
 * The component checks (upstream/alloy/components.ts) against Alloy v1.12.0's component reference
 * (upstream/alloy/data/alloy-1.12/components.json, from Alloy's docs at the tag). The base is the
 * staging stack's own cluster config; each case plants one mistake and names the rule that must
 * catch it. The reference is read, never restated: the cases take names and stages from it.
 */
describe("upstream/alloy/components: Alloy configs judged by Alloy v1.12.0's component reference", function () {
  let ref: AlloyReference;
  let base: string;

  before(async function () {
    ref = loadAlloyReference();
    const r = await synth("staging");
    const texts = r.export.deployment.resources
      .filter((x) => x.inputs?.chart === "alloy")
      .map((x) => x.inputs.values?.alloy?.configMap?.content as string | undefined)
      .filter((t): t is string => typeof t === "string");
    base = texts.find((t) => t.includes("remote.kubernetes.secret"))!;
    assert.ok(base, "staging's cluster Alloy reads a Secret through remote.kubernetes.secret");
  });

  const check = (text: string, level?: "experimental" | "public-preview" | "generally-available") => {
    const parsed = parseAlloy(text);
    assert.deepEqual(parsed.errors, [], "the planted config still parses");
    return checkAlloyComponents(parsed.body, ref, level ? { stabilityLevel: level } : {});
  };
  const rules = (fs: AlloyFinding[]) => fs.map((f) => f.rule);
  const plant = (from: string | RegExp, to: string) => {
    const out = base.replace(from, to);
    assert.notEqual(out, base, `the plant ${String(from)} applies to staging's config`);
    return out;
  };

  it("passes staging's cluster config as generated", () => {
    assert.deepEqual(check(base), []);
  });

  it("unknown-component: a misspelt component, with the closest name", () => {
    const f = check(
      plant('remote.kubernetes.secret "minio_metrics" {', 'remote.kubernetes.secrets "minio_metrics" {'),
    );
    assert.ok(rules(f).includes("unknown-component"), JSON.stringify(f));
    assert.match(
      f.find((x) => x.rule === "unknown-component")!.message,
      /did you mean "remote\.kubernetes\.secret"/,
    );
  });

  it("label: a component declared without its label", () => {
    const f = check(plant('remote.kubernetes.secret "minio_metrics" {', "remote.kubernetes.secret {"));
    const labels = f.filter((x) => x.rule === "label");
    assert.equal(labels.length, 1, JSON.stringify(f));
    assert.match(labels[0].message, /component remote\.kubernetes\.secret needs a label/);
  });

  it("unknown-argument: an argument the component does not document", () => {
    const f = check(
      plant(
        'remote.kubernetes.secret "minio_metrics" {',
        'remote.kubernetes.secret "minio_metrics" {\n  namespacee = "x"',
      ),
    );
    assert.deepEqual(rules(f), ["unknown-argument"]);
    assert.match(f[0].message, /did you mean "namespace"/);
  });

  it("unknown-block: a block the component does not document", () => {
    const f = check(
      plant(
        'remote.kubernetes.secret "minio_metrics" {',
        'remote.kubernetes.secret "minio_metrics" {\n  clients {\n  }',
      ),
    );
    assert.deepEqual(rules(f), ["unknown-block"]);
  });

  it("attribute-as-block and block-as-attribute", () => {
    const asBlock = check(
      plant(
        /(remote\.kubernetes\.secret "minio_metrics" \{\n\s*)namespace\s*=\s*("[^"]*")/,
        "$1namespace {\n  }",
      ),
    );
    assert.ok(rules(asBlock).includes("attribute-as-block"), JSON.stringify(asBlock));
    const asAttr = check(
      plant(
        'remote.kubernetes.secret "minio_metrics" {',
        'remote.kubernetes.secret "minio_metrics" {\n  client = {}',
      ),
    );
    assert.deepEqual(rules(asAttr), ["block-as-attribute"]);
  });

  it("missing-argument: a required argument left out (discovery.kubernetes without role)", () => {
    const f = check(plant(/(discovery\.kubernetes "\w+" \{[^}]*?)\n\s*role\s*=\s*"[^"]*"/, "$1"));
    assert.ok(rules(f).includes("missing-argument"), JSON.stringify(f));
    assert.match(f.find((x) => x.rule === "missing-argument")!.message, /required argument role/);
  });

  it("missing-block: a required block left out, read from the reference (the first component with one)", () => {
    const [name, comp] = Object.entries(ref.components).find(
      ([, c]) =>
        Object.values(c.blocks ?? {}).some((b) => b.path.length === 1 && b.required === true) &&
        !(c.arguments ?? []).some((a) => a.required === true),
    )!;
    const f = check(`${base}\n${name} "planted" {\n}\n`, "experimental");
    assert.ok(
      f.some((x) => x.rule === "missing-block" && x.message.startsWith(name)),
      `${name} (${comp.doc}): ${JSON.stringify(f)}`,
    );
  });

  it("literal-type: a duration with a unit Alloy does not take, a bool given as a string", () => {
    const f = check(
      `${base}\nprometheus.scrape "planted" {\n  targets = []\n  forward_to = []\n  scrape_interval = "1d"\n  honor_labels = "yes"\n}\n`,
    );
    assert.deepEqual(rules(f), ["literal-type", "literal-type"]);
  });

  it("undefined-reference and unknown-export", () => {
    const undefinedRef = check(
      plant(/remote\.kubernetes\.secret\.minio_metrics\./, "remote.kubernetes.secret.minio_metricz."),
    );
    assert.ok(rules(undefinedRef).includes("undefined-reference"), JSON.stringify(undefinedRef));
    const unknownExport = check(
      plant(
        /remote\.kubernetes\.secret\.minio_metrics\.data/,
        "remote.kubernetes.secret.minio_metrics.content",
      ),
    );
    assert.ok(rules(unknownExport).includes("unknown-export"), JSON.stringify(unknownExport));
  });

  it("receiver-kind: a logs receiver in a metrics forward_to, and the reverse", () => {
    const logsInMetrics = check(
      `${base}\nprometheus.scrape "planted" {\n  targets = []\n  forward_to = [loki.write.default.receiver]\n}\n`,
    );
    assert.deepEqual(rules(logsInMetrics), ["receiver-kind"]);
    const metricsInLogs = check(
      `${base}\nloki.source.kubernetes_events "planted" {\n  forward_to = [prometheus.remote_write.backend.receiver]\n}\n`,
    );
    assert.deepEqual(rules(metricsInLogs), ["receiver-kind"]);
  });

  it("unknown-function: a call that is no documented standard library function", () => {
    const f = check(`${base}\nlogging {\n  level = sys.envv("LEVEL")\n}\n`);
    assert.ok(rules(f).includes("unknown-function"), JSON.stringify(f));
  });

  it("stability: a component below general availability needs the matching --stability.level", () => {
    const [name, c] = Object.entries(ref.components).find(
      ([, x]) =>
        x.stage === "experimental" &&
        !(x.arguments ?? []).some((a) => a.required) &&
        !Object.values(x.blocks ?? {}).some((b) => b.required),
    )!;
    const text = `${base}\n${name} "planted" {\n}\n`;
    assert.deepEqual(rules(check(text)), ["stability"], `${name} is ${c.stage}`);
    assert.deepEqual(check(text, "experimental"), []);
  });

  it("the reference names the Alloy the program pins; another pin fails with what to refresh", () => {
    assert.equal(referenceVersionProblem(ref, versions.images.alloy.tag), undefined);
    const problem = referenceVersionProblem(ref, "v1.13.0");
    assert.match(
      problem ?? "",
      /pins Alloy v1\.13\.0.*reference upstream\/alloy\/data\/alloy-1\.12 is Alloy v1\.12\.0: run npm run refresh-reference -- alloy <checkout of grafana\/alloy at v1\.13\.0>/,
    );
  });
});
