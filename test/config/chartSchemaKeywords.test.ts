import { strict as assert } from "assert";
import { chartProblems, helmSchemaRefusals, refusedPaths } from "../support/chartSchema";
import { PROJECT } from "../../config/resolve";
import { chartValueProblems } from "../../config/chartValueCheck";

/*
 * What a chart's values.schema.json says beyond types and required keys, refused by the config
 * check before the render (config/chartValueCheck.ts schemaValueProblem, otherKeyRefusals):
 * `enum`, `minimum`, `pattern`, and `additionalProperties` as a schema (the values of a map's
 * other keys) or false (no other key). Before, each reached Helm, which refused the release at
 * render (exit 1, the rendered-object checks not run), naming no line. Helm 3.17.3 judges the same
 * values below, on the pinned archives (loki 18.11.0 and alertmanager 1.42.0, the pinned charts
 * that ship a schema).
 */

describe("chartValues: enum, bounds, pattern and additionalProperties of the chart's schema, refused before the render", function () {
  this.timeout(30000);
  const problems = chartProblems;
  const am = "the alertmanager chart 1.42.0's values.schema.json";
  const loki = "the loki chart 18.11.0's values.schema.json";
  const refuses = ": Helm refuses the release at render)";

  // helm: "image.pullPolicy: image.pullPolicy must be one of the following: "Never",
  // "IfNotPresent", "Always""; "podAntiAffinity: podAntiAffinity must be one of the following: "",
  // "soft", "hard"".
  it("a value outside the schema's enum, with the closest option where one is near", () => {
    assert.deepEqual(
      problems({ alertmanager: { image: { pullPolicy: "Alway" }, podAntiAffinity: "medium" } }),
      [
        `${PROJECT}:chartValues.alertmanager.image.pullPolicy: expected one of "Never", "IfNotPresent", "Always" (${am} allows only these there${refuses}, got string "Alway"; did you mean "Always"?`,
        `${PROJECT}:chartValues.alertmanager.podAntiAffinity: expected one of "", "soft", "hard" (${am} allows only these there${refuses}, got string "medium"`,
      ],
    );
  });

  // helm: "replicaCount: Must be greater than or equal to 0"; "config.route.group_by.0: Does not
  // match pattern '^[a-zA-Z_][a-zA-Z0-9_]*$|^...$'", and the same of group_wait's duration pattern.
  it("a number under the schema's minimum, and text its pattern does not match, in a list's items too", () => {
    assert.deepEqual(
      problems({
        alertmanager: { replicaCount: -1, config: { route: { group_by: ["5"], group_wait: "5x" } } },
      }),
      [
        `${PROJECT}:chartValues.alertmanager.replicaCount: expected a number of at least 0 (${am} sets the minimum 0 there${refuses}, got the number -1`,
        `${PROJECT}:chartValues.alertmanager.config.route.group_by[0]: expected text matching the pattern ^[a-zA-Z_][a-zA-Z0-9_]*$|^...$ (${am} sets that pattern there${refuses}, got string "5"`,
        `${PROJECT}:chartValues.alertmanager.config.route.group_wait: expected text matching the pattern ^((([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?|0)$ (${am} sets that pattern there${refuses}, got string "5x"`,
      ],
    );
  });

  // helm: "singleBinary.podAnnotations.b: Invalid type. Expected: string, given: boolean";
  // "persistence.annotations.a: Invalid type. Expected: string, given: integer" (a number written
  // unquoted, as `prometheus.io/port: 8080` is).
  it("a value of a map's own key judged by the schema's additionalProperties, where the values leave the map to the user", () => {
    assert.deepEqual(
      problems({
        loki: { singleBinary: { podAnnotations: { b: true, ok: "x" } } },
        alertmanager: { persistence: { annotations: { "prometheus.io/port": 8080 } } },
      }),
      [
        `${PROJECT}:chartValues.loki.singleBinary.podAnnotations.b: expected text (${loki} allows only text there${refuses}, got true; write it in quotes: "true"`,
        `${PROJECT}:chartValues.alertmanager.persistence.annotations["prometheus.io/port"]: expected text (${am} allows only text there${refuses}, got the number 8080; write it in quotes: "8080"`,
      ],
    );
  });

  // helm: "image: Additional property foo is not allowed". A slip of a key it names is said once,
  // as the misspelt key it is.
  it("a key the schema's closed map does not name; a misspelling of one it names is one problem", () => {
    const found = problems({ alertmanager: { image: { foo: "x", pullPolcy: "Always" } } });
    assert.equal(found.length, 2, found.join("\n"));
    assert.equal(
      found[0],
      `${PROJECT}:chartValues.alertmanager.image.foo: expected one of the keys repository, pullPolicy, tag (${am} allows no other key there${refuses}, got "foo"`,
    );
    assert.match(
      found[1],
      /chartValues\.alertmanager\.image\.pullPolcy: .*did you mean chartValues\.alertmanager\.image\.pullPolicy\?/,
    );
  });

  // helm: "image: Additional property pullPolcy is not allowed" (exit 1): a slip in a closed map is
  // refused at render, not ignored as a slip elsewhere is.
  it("a misspelt key of a closed map says Helm refuses the release, not that Helm would ignore it", () => {
    const [found, ...rest] = problems({ alertmanager: { image: { pullPolcy: "Always" } } });
    assert.deepEqual(rest, []);
    assert.doesNotMatch(found, /Helm would ignore it/);
    assert.match(
      found,
      /image\.pullPolcy: unknown key of the alertmanager chart 1\.42\.0 \(its values\.schema\.json allows no other key there: Helm refuses the release at render\), .*did you mean chartValues\.alertmanager\.image\.pullPolicy\?$/,
    );
  });

  // loki 18.11.0's instanceSelector is an `allOf` of `{type: object}` and the LabelSelector
  // definition (the pinned charts' one `allOf`). helm: "instanceSelector: Invalid type. Expected:
  // object, given: string" (once per branch), "instanceSelector.matchLabels.a: Invalid type.
  // Expected: string, given: integer", "instanceSelector.matchExpressions.0: operator is required",
  // each followed by "instanceSelector: Must validate all the schemas (allOf)".
  const selector = (instanceSelector: unknown) => ({
    loki: { monitoring: { dashboards: { grafanaOperator: { instanceSelector } } } },
  });
  const at = `${PROJECT}:chartValues.loki.monitoring.dashboards.grafanaOperator.instanceSelector`;
  it("a value an allOf's branch refuses, one problem at its key, whichever branch says it", () => {
    assert.deepEqual(problems(selector("x")), [
      `${at}: expected a map (${loki} allows only a map there${refuses}, got string "x"`,
    ]);
    assert.deepEqual(problems(selector({ matchLabels: { a: 1 } })), [
      `${at}.matchLabels.a: expected text (${loki} allows only text there${refuses}, got the number 1; write it in quotes: "1"`,
    ]);
    assert.deepEqual(problems(selector({ matchExpressions: [{ key: "a" }] })), [
      `${at}.matchExpressions[0]: expected a map with the key operator (${loki} requires it there${refuses}, got a map with key alone`,
    ]);
    assert.deepEqual(
      problems(selector({ matchLabels: { a: "b" }, matchExpressions: [{ key: "a", operator: "Exists" }] })),
      [],
    );
  });

  // helm: "image: Additional property foo is not allowed", though route.main.hostnames reads it
  // through `tpl` (templates/httproute.yaml:22); the same read of a key of the open top level renders.
  const routeTo = (host: string) => ({ main: { enabled: true, hostnames: [`{{ .Values.${host} }}`] } });
  it("a key a tpl text of the user's reads is refused still where the schema closes its map", () => {
    assert.deepEqual(
      problems({ alertmanager: { image: { foo: "example.org" }, route: routeTo("image.foo") } }),
      [
        `${PROJECT}:chartValues.alertmanager.image.foo: expected one of the keys repository, pullPolicy, tag (${am} allows no other key there${refuses}, got "foo"; that a tpl text of your values reads it does not keep it: Helm judges the values by the schema before any template renders`,
      ],
    );
    assert.deepEqual(problems({ alertmanager: { myHost: "example.org", route: routeTo("myHost") } }), []);
  });

  // No pinned chart's closed map names a key its values.yaml lacks and no template reads; a chart
  // whose schema does is judged by it there (gojsonschema v1.2.0 validation.go:630: only a key
  // "described by neither properties nor patternProperties" meets additionalProperties).
  it("a key a closed map's schema names, though the chart's values and templates do not, is judged by what it says of it", () => {
    const keys = {
      values: { image: { repository: 0 as const } },
      kinds: {},
      types: { keys: { image: { closed: true as const, keys: { digest: { type: ["string"] } } } } },
    };
    const judged = (image: Record<string, unknown>) =>
      chartValueProblems({ c: { image } }, () => keys, PROJECT);
    assert.deepEqual(judged({ digest: "sha256:x" }), []);
    assert.deepEqual(
      judged({ digest: 5 }).map((p) => p.replace(/ \(.*\)/, "")),
      [`${PROJECT}:chartValues.c.image.digest: expected text, got the number 5; write it in quotes: "5"`],
    );
  });

  // The pattern is Go's (regexp/syntax/doc.go:19: `.` is any character but a newline): "a\rb"
  // matches `^...$` there (helm renders it, below), where JavaScript's `.` stops at \r and U+2028.
  it("judges a pattern as Go does: a dot matches a carriage return and U+2028, not a newline", () => {
    assert.deepEqual(
      problems({ alertmanager: { config: { route: { group_by: ["a\rb", "a\u2028b"] } } } }),
      [],
    );
    assert.equal(
      problems({ alertmanager: { config: { route: { group_by: ["ab\n"] } } } }).length,
      1,
      "a dot does not match a newline in Go either",
    );
  });

  it("keeps what Helm renders: values in the enum and bounds, text matching the pattern, text annotations", () => {
    assert.deepEqual(
      problems({
        alertmanager: {
          image: { pullPolicy: "Always" },
          podAntiAffinity: "",
          replicaCount: 0,
          config: { route: { group_by: ["job"], group_wait: "1m30s" } },
          persistence: { annotations: { a: "5" } },
        },
        loki: { singleBinary: { podAnnotations: { b: "true" } } },
      }),
      [],
    );
  });

  // Helm itself, on the pinned archives: the paths it names in "values don't meet the
  // specifications of the schema(s)" are the paths refused here, and what is kept renders.
  describe("as helm template judges the same values", () => {
    const helmRefuses = (ctx: Mocha.Context, chart: string, values: Record<string, unknown>) =>
      helmSchemaRefusals(ctx, "chart-keywords-helm", chart, values);
    const ours = refusedPaths;

    it("alertmanager 1.42.0: enum, minimum, pattern, additionalProperties both ways; the kept values render", async function () {
      const refused = {
        image: { pullPolicy: "Alway", foo: "x" },
        podAntiAffinity: "medium",
        replicaCount: -1,
        config: { route: { group_by: ["5"], group_wait: "5x" } },
        persistence: { annotations: { a: 5 } },
        extraContainers: [{ name: "c", image: "i", pullPolicy: "Sometimes" }],
      };
      const expected = ours("alertmanager", refused);
      assert.equal(expected.length, 8, expected.join(", "));
      assert.deepEqual(await helmRefuses(this, "alertmanager", refused), expected);
      const kept = {
        image: { pullPolicy: "Always" },
        podAntiAffinity: "soft",
        replicaCount: 0,
        config: { route: { group_by: ["job", "...", "a\rb"], group_wait: "1m30s" } },
        persistence: { annotations: { a: "5" } },
      };
      assert.deepEqual(ours("alertmanager", kept), []);
      assert.equal(await helmRefuses(this, "alertmanager", kept), undefined);
    });

    it("alertmanager 1.42.0: a key a tpl text reads, in the closed image map and at the open top level", async function () {
      const refused = { image: { foo: "example.org" }, route: routeTo("image.foo") };
      assert.deepEqual(ours("alertmanager", refused), ["image.foo"]);
      assert.deepEqual(await helmRefuses(this, "alertmanager", refused), ["image.foo"]);
      const kept = { myHost: "example.org", route: routeTo("myHost") };
      assert.deepEqual(ours("alertmanager", kept), []);
      assert.equal(await helmRefuses(this, "alertmanager", kept), undefined);
    });

    it("loki 18.11.0: each branch of an allOf; what meets all of them renders", async function () {
      for (const refused of [
        { instanceSelector: "x" },
        { instanceSelector: { matchLabels: { a: 1 }, matchExpressions: [{ key: "a" }] } },
      ]) {
        const values = { monitoring: { dashboards: { grafanaOperator: refused } } };
        const expected = ours("loki", values);
        assert.ok(expected.length > 0, JSON.stringify(refused));
        assert.deepEqual(await helmRefuses(this, "loki", values), expected);
      }
      const kept = {
        deploymentMode: "SingleBinary",
        loki: { useTestSchema: true, storage: { bucketNames: { chunks: "c", ruler: "r", admin: "a" } } },
        monitoring: { dashboards: { grafanaOperator: { instanceSelector: { matchLabels: { a: "b" } } } } },
      };
      assert.deepEqual(ours("loki", kept), []);
      assert.equal(await helmRefuses(this, "loki", kept), undefined);
    });

    it("loki 18.11.0: the values of annotation and label maps", async function () {
      const refused = {
        deploymentMode: "SingleBinary",
        singleBinary: { podAnnotations: { b: true }, podLabels: { c: 1 } },
      };
      const expected = ours("loki", refused);
      assert.deepEqual(expected, ["singleBinary.podAnnotations.b", "singleBinary.podLabels.c"]);
      assert.deepEqual(await helmRefuses(this, "loki", refused), expected);
    });
  });
});
