/**
 * The one text of the releases that did not render (synth/report.ts notRenderedText): synth,
 * verify's promised jobs and bench say it through the same function, and what only synth knows
 * (the pack's violations, the stack's chartValues overrides) comes in as options.
 */
import { strict as assert } from "assert";
import {
  formatMergedViolations,
  mergeRenderErrors,
  notRenderedText,
  withoutRefusedValues,
  withRenderFailures,
  type MergedViolation,
} from "../../synth/report";
import { release } from "../support/policyCases";
import { chartPinPlace } from "../../config/chartPins";
import { versions } from "../../model/versions";
import { renderErrors } from "../../synth/render/render";
import { DEFAULT_KUBE_VERSION } from "../../synth/render/types";

const loki = release("loki", { read: { replicas: 2 } });
const grafana = release("grafana", {});

/** A render of `r`: failed with `error`, or rendered when it is undefined. */
function render(r: typeof loki, error?: string) {
  return {
    resourceUrn: r.urn,
    releaseName: String(r.inputs?.chart),
    namespace: "monitoring",
    chart: String(r.inputs?.chart),
    version: "1.0.0",
    ...(error === undefined ? {} : { error }),
  };
}

const REFUSED = "execution error at (loki/templates/validate.yaml:31:4): Cannot run scalable targets";

/** A violation of `policy` on `r`, as the pack's merged verdict holds it. */
const violation = (policy: string, r: typeof loki): MergedViolation => ({
  policy,
  level: "mandatory",
  urn: r.urn,
  message: "x",
  alsoAt: [],
});

describe("the text of the releases that did not render", () => {
  it("is undefined when every release rendered", () => {
    assert.equal(notRenderedText([render(loki), render(grafana)], [loki, grafana]), undefined);
  });

  it("counts the failed of all in synth's words, whatever the count", () => {
    // verify and bench said "1 of 1 Helm release" where synth says "Helm releases": one heading now.
    assert.equal(
      notRenderedText([render(loki, REFUSED)], [loki]),
      `1 of 1 Helm releases did not render (helm template):\n  monitoring/loki (loki 1.0.0): ${REFUSED}`,
    );
    assert.match(
      notRenderedText([render(loki, REFUSED), render(grafana)], [loki, grafana]) ?? "",
      /^1 of 2 Helm releases did not render \(helm template\):\n/,
    );
  });

  it("points a failure at the violations on its own release, and at none of another's", () => {
    const one = notRenderedText([render(loki, REFUSED), render(grafana)], [loki, grafana], {
      violations: [violation("loki-single-binary-and-scalable", loki), violation("grafana-x", grafana)],
    });
    assert.equal(
      one,
      `1 of 2 Helm releases did not render (helm template):\n  monitoring/loki (loki 1.0.0): ${REFUSED}\n` +
        "    (the policy violation loki-single-binary-and-scalable below names the values behind it)",
    );
    const two = notRenderedText([render(loki, REFUSED)], [loki], {
      violations: [violation("a", loki), violation("b", loki)],
    });
    assert.match(two ?? "", /\n {4}\(the policy violations a, b below name the values behind it\)$/);
  });

  it("names the chartValues override Helm's message reads, with its place in the stack file", () => {
    const text = notRenderedText(
      [render(loki, "template: loki/templates/x.yaml:3:4: executing at <.Values.read.replicas>: bad")],
      [loki],
      {
        overrides: ["loki.read.replicas"],
        at: (k) => (k === "chartValues.loki.read.replicas" ? "Pulumi.s.yaml:7" : undefined),
      },
    );
    assert.match(
      text ?? "",
      /override chartValues\.loki\.read\.replicas \(Pulumi\.s\.yaml:7\): change or remove it/,
    );
  });
});

describe("Helm's message of a release that did not render leads with its Error", () => {
  // Helm prints Go's coalesce warnings once per pass over the values, before the error itself.
  const WARNING =
    "coalesce.go:298: warning: cannot overwrite table with non table for loki.singleBinary.resources (map[])";
  const ERROR =
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nloki:\n- singleBinary.resources: Invalid type. Expected: object, given: string";
  it("the Error first, then each warning Helm printed before it, once", () => {
    const text = notRenderedText([render(loki, `${WARNING}\n${WARNING}\n${ERROR}`)], [loki])!;
    assert.equal(
      text,
      `1 of 1 Helm releases did not render (helm template):\n  monitoring/loki (loki 1.0.0): ${ERROR}\n(Helm warned before it failed: ${WARNING})`,
    );
  });
  it("a message without warnings before its Error is as Helm wrote it", () => {
    assert.equal(
      notRenderedText([render(loki, ERROR)], [loki]),
      `1 of 1 Helm releases did not render (helm template):\n  monitoring/loki (loki 1.0.0): ${ERROR}`,
    );
  });
});

describe("a chart whose kubeVersion floor is above the Kubernetes version the render targets", () => {
  // Helm's words (pkg/action/action.go renderResources), as .tools/helm says them for a bumped chart.
  const refused = `${"coalesce.go:298: warning: x\n"}Error: chart requires kubeVersion: >=1.33.0-0 which is incompatible with Kubernetes v${DEFAULT_KUBE_VERSION}\n\nUse --debug flag to render out invalid YAML`;
  const pinned = versions.charts.loki.version;
  const place = chartPinPlace("loki", pinned)!;
  const said = (chart: string, where: string) =>
    `the chart requires Kubernetes >=1.33.0-0 (kubeVersion in its Chart.yaml), and the render targets Kubernetes ${DEFAULT_KUBE_VERSION}, the homelab clusters' version (DEFAULT_KUBE_VERSION in synth/render/types.ts; no stack key sets it); pin a version of ${chart} whose kubeVersion admits ${DEFAULT_KUBE_VERSION} at ${where}\n(Helm warned before it failed: coalesce.go:298: warning: x)`;

  it("is one message per release naming the chart's range, the version rendered for, where it is set and the pin to change", () => {
    assert.match(place.at, /^model\/versions\.ts:\d+$/);
    assert.equal(place.key, "charts.loki.version");
    const text = notRenderedText(
      [{ ...render(loki, refused), version: pinned }, render(grafana, refused)],
      [loki, grafana],
    );
    assert.equal(
      text,
      "2 of 2 Helm releases did not render (helm template):\n" +
        `  monitoring/loki (loki ${pinned}): ${said("loki", `${place.at} (charts.loki.version, now ${pinned})`)}\n` +
        `  monitoring/grafana (grafana 1.0.0): ${said("grafana", "its pin in model/versions.ts")}`,
    );
    // The render's own list (--against, the tests) says it alike.
    assert.deepEqual(
      renderErrors([{ ...render(loki, refused), version: pinned, objects: [], sources: [] }]),
      [`loki (loki ${pinned}): ${said("loki", `${place.at} (charts.loki.version, now ${pinned})`)}`],
    );
  });
});

describe("the pack's verdict on a release Helm refused for an override's value", () => {
  const refused = release("loki", { singleBinary: [], read: { replicas: 2 } });
  const SCHEMA =
    "Error: values don't meet the specifications of the schema(s) in the following chart(s):\nloki:\n- singleBinary: Invalid type. Expected: object, given: array";
  const said = (message: string): MergedViolation => ({ ...violation("p", refused), message });
  // The replicas of a `singleBinary: []` read as 0: a value no cluster would see.
  const sameValues = said(
    "values.loki.commonConfig.replication_factor is 3 but values.singleBinary.replicas is 0; lower the replication factor to at most 0",
  );
  const otherValues = said("values.read.replicas is 2: x");

  it("drops what read the values Helm's message names, keeps what read others", () => {
    const overrides = ["loki.singleBinary", "loki.read.replicas"];
    assert.deepEqual(
      withoutRefusedValues([sameValues, otherValues], [render(refused, SCHEMA)], [refused], overrides),
      [otherValues],
    );
  });

  it("keeps every violation when Helm's message names no override, the chart refused the values itself, or the release rendered", () => {
    const overrides = ["loki.singleBinary"];
    // The template read the values and failed on them: the pack's verdict on them holds.
    const failed =
      "execution error at (loki/templates/validate.yaml:35:4): more than zero replicas for singleBinary";
    assert.deepEqual(withoutRefusedValues([sameValues], [render(refused, failed)], [refused], overrides), [
      sameValues,
    ]);
    assert.deepEqual(withoutRefusedValues([sameValues], [render(refused, REFUSED)], [refused], overrides), [
      sameValues,
    ]);
    assert.deepEqual(withoutRefusedValues([sameValues], [render(refused)], [refused], overrides), [
      sameValues,
    ]);
  });
});

describe("a release Helm refused for the mistake a violation names", () => {
  const values = { "grafana.ini": { database: { type: "postgres", password: "hunter2hunter2" } } };
  const refused = release("grafana", values);
  const overrides = ["grafana.grafana.ini.database.type", "grafana.grafana.ini.database.password"];
  const LEAKED =
    "Error: execution error at (grafana/templates/deployment.yaml:39:28): Sensitive key 'database.password' should not be defined explicitly in values. Use variable expansion instead.";
  // As attributeOverrides leaves it: the key the value came from, sure of it.
  const credential: MergedViolation = {
    ...violation("no-plaintext-credentials", refused),
    message: `kubernetes:helm.sh/v3:Release "grafana": values.grafana.ini.database.password is a literal credential in Helm values`,
    // The bracket form overrideKey gives a key holding a dot (grafana.ini), as pasted with --path.
    overrides: ['chartValues.grafana["grafana.ini"].database.password'],
  };

  it("is one message, the violation's, naming the render among its places; the render's line names the violation", () => {
    const renders = [render(refused, LEAKED)];
    const [merged] = withRenderFailures([credential], mergeRenderErrors(renders, [refused], overrides));
    assert.deepEqual(merged.alsoAt, [
      "[helm template] monitoring/grafana (grafana 1.0.0): Error: execution error at (grafana/templates/deployment.yaml:39:28): Sensitive key 'database.password' should not be defined explicitly in values. Use variable expansion instead.",
    ]);
    assert.equal(
      notRenderedText(renders, [refused], { overrides, violations: [merged] }),
      "1 of 1 Helm releases did not render (helm template):\n  monitoring/grafana (grafana 1.0.0): the chart refused its values for the mistake of the policy violation no-plaintext-credentials below, which names the key and Helm's words",
    );
    // The lead's advice clears the render too: no "answers … alone".
    assert.match(formatMergedViolations([merged]), /change or remove it in the stack file$/);
  });

  it("stays two messages when the violation reads another override than Helm's message", () => {
    const other = { ...credential, overrides: ['chartValues.grafana["grafana.ini"].database.type'] };
    const renders = [render(refused, LEAKED)];
    assert.deepEqual(
      withRenderFailures([other], mergeRenderErrors(renders, [refused], overrides))[0].alsoAt,
      [],
    );
    assert.match(
      notRenderedText(renders, [refused], { overrides, violations: [other] }) ?? "",
      /Sensitive key[^\n]*\n {6}from the stack's chart values override chartValues\.grafana\["grafana\.ini"\]\.database\.password: change or remove it/,
    );
  });
});
