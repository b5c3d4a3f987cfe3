import { strict as assert } from "assert";
import { missingChartsError } from "../../synth/render/helm";
import { renderErrors } from "../../synth/render/render";
import type { ReleaseRender } from "../../synth/render/types";

/*
 * What synth says of a render it cannot finish: the archives the chart cache lacks (each once, also
 * over several stacks), and Helm's own message for a release that did not render, without Helm's
 * hint for a CLI flag no command here has.
 */

describe("missing chart archives are listed once", () => {
  const fix = (chart: string) => `helm pull --repo https://example.invalid ${chart} --version 1.0.0 -d /c`;

  it("over several stacks: each archive once, with the stacks that need it, of every archive they render", () => {
    const e = missingChartsError(
      [
        { archive: "loki-1.0.0.tgz", fix: fix("loki"), neededBy: ["pi", "staging"] },
        { archive: "vector-1.0.0.tgz", fix: fix("vector"), neededBy: ["pi"] },
      ],
      ["loki-1.0.0.tgz", "vector-1.0.0.tgz", "grafana-1.0.0.tgz"],
      "/c",
      ["pi", "staging"],
    );
    assert.match(
      e.message,
      /^the chart cache \/c lacks 2 of the 3 chart archives the stacks pi, staging render/,
    );
    assert.equal(e.message.match(/helm pull /g)?.length, 2, e.message);
    assert.ok(e.message.includes(`    ${fix("loki")}    # pi, staging\n`), e.message);
    assert.ok(e.message.includes(`    ${fix("vector")}    # pi\n`), e.message);
    assert.deepEqual(e.needed, ["loki-1.0.0.tgz", "vector-1.0.0.tgz", "grafana-1.0.0.tgz"]);
    assert.equal(e.cache, "/c");
  });

  it("for one stack: this stack, and the commands alone", () => {
    const e = missingChartsError([{ archive: "loki-1.0.0.tgz", fix: fix("loki") }], ["loki-1.0.0.tgz"], "/c");
    assert.match(e.message, /lacks 1 of the 1 chart archives this stack renders/);
    assert.ok(e.message.includes(`    ${fix("loki")}\n`), e.message);
    assert.doesNotMatch(e.message, /#/);
  });
});

describe("a release that did not render", () => {
  it("is reported with Helm's message, without Helm's hint for a --debug flag synth does not have", () => {
    const render: ReleaseRender = {
      resourceUrn: "urn:x",
      releaseName: "loki",
      namespace: "monitoring",
      chart: "loki",
      version: "18.11.0",
      objects: [],
      sources: [],
      error:
        "Error: execution error at (loki/templates/validate.yaml:35:4): You have more than zero replicas\n\nUse --debug flag to render out invalid YAML\n",
    };
    assert.deepEqual(renderErrors([render]), [
      "loki (loki 18.11.0): Error: execution error at (loki/templates/validate.yaml:35:4): You have more than zero replicas",
    ]);
  });
});
