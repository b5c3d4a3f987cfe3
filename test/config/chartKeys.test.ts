import { strict as assert } from "assert";
import * as fs from "fs";
import * as zlib from "zlib";
import { chartKeys, type KeyTree } from "../../config/chartKeys";
import { chartValueProblems } from "../../config/chartValueCheck";
import { PROJECT } from "../../config/resolve";
import { versions } from "../../model/versions";
import { pinnedChartArchive, release, synth } from "../support/helpers";
import { cacheKey, cachedSync } from "../support/fixtureCache";

/*
 * The chart-key reader follows a values subtree a template hands to a named template in a `dict`
 * (`include "x" (dict "ctx" . "spec" .Values.vmalert.spec)`), as Helm runs it: what the helper
 * reads of `.spec` is read of `vmalert.spec`, what it writes out whole is the user's, and a key it
 * reads only some of keeps the others refused. Without it, every key a chart reads through its
 * helpers (loki 18's component keys, victoria-metrics-operator's securityContext) was unread, so a
 * misspelling of one passed silently and a bump that stopped reading one went unnoticed.
 */

/** A tar of the given files (what chartKeys reads after the gzip is undone). */
function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text, "utf8");
    const header = Buffer.alloc(512);
    header.write(name, 0, "latin1");
    header.write(body.length.toString(8).padStart(11, "0"), 124, "latin1");
    header.write("0", 156, "latin1");
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  return Buffer.concat([...blocks, Buffer.alloc(1024)]);
}

/** The keys of a one-chart archive `c` with these templates and values.yaml. */
const keysOf = (templates: Record<string, string>, values = "") =>
  chartKeys(
    tar({
      "c/Chart.yaml": "name: c\nversion: 1.0.0\n",
      "c/values.yaml": values,
      ...Object.fromEntries(Object.entries(templates).map(([n, t]) => [`c/templates/${n}`, t])),
    }),
  ).values;

/** The level (or leaf) at a dotted path of a key tree; undefined when unknown. */
function at(tree: KeyTree, dotted: string): KeyTree | 0 | undefined {
  let level: KeyTree | 0 | undefined = tree;
  for (const k of dotted.split(".")) level = level === 0 ? 0 : level?.[k];
  return level;
}

const HELPERS = `{{- define "spec" -}}
replicas: {{ .spec.replicas }}
{{- with .spec.probe }}
probe: {{ .path }}
{{- end }}
{{- include "inner" (dict "s" .spec.image "helm" .ctx) }}
{{- end }}
{{- define "inner" -}}
image: {{ .s.repository }}:{{ .s.tag }}
registry: {{ .helm.Values.global.registry }}
{{- end }}
{{- define "context" -}}
{{- $sc := omit .securityContext "enabled" -}}
{{- toYaml $sc -}}
{{- end }}`;

describe("config: values handed to a named template in a dict (config/chartKeys.ts)", () => {
  it("reads what the helper reads of a field, through `with`, a nested call and the root it is handed", () => {
    const tree = keysOf({
      "_helpers.tpl": HELPERS,
      "a.yaml": `spec: {{ include "spec" (dict "ctx" . "spec" .Values.vmalert.spec) | nindent 2 }}`,
    });
    for (const read of [
      "vmalert.spec.replicas",
      "vmalert.spec.probe.path",
      "vmalert.spec.image.repository",
      "vmalert.spec.image.tag",
      "global.registry",
    ])
      assert.equal(at(tree, read), 0, `${read} in ${JSON.stringify(tree)}`);
    // Read in part: the level keeps its keys, so a misspelling of one is still refused.
    assert.deepEqual(Object.keys(at(tree, "vmalert.spec") as KeyTree).sort(), ["image", "probe", "replicas"]);
    assert.deepEqual(
      chartValueProblems(
        { c: { vmalert: { spec: { replcas: 2 } } } },
        () => ({ values: tree, kinds: {} }),
        PROJECT,
      ).map((p) => /did you mean (\S+)\?$/.exec(p)?.[1]),
      ["chartValues.c.vmalert.spec.replicas"],
    );
  });

  it("leaves a field the helper writes out whole (through a copy without a key) to the user", () => {
    const tree = keysOf(
      {
        "_helpers.tpl": HELPERS,
        "a.yaml": `securityContext: {{ include "context" (dict "securityContext" .Values.securityContext "helm" .) }}`,
      },
      "securityContext:\n  enabled: true\n  readOnlyRootFilesystem: true\n",
    );
    assert.equal(at(tree, "securityContext"), 0, JSON.stringify(tree));
  });

  it('reads a variable holding a copy of a values map as that map (`$config := omit .Values.config "enabled"`)', () => {
    const tree = keysOf(
      { "cm.yaml": `{{- $config := omit .Values.config "enabled" }}{{- toYaml $config | nindent 4 }}` },
      "config:\n  enabled: true\n  global: {}\n",
    );
    assert.equal(at(tree, "config"), 0, JSON.stringify(tree));
  });

  it("takes no map a field is then taken of (`deepCopy ((.Values.vmdistributed).spec)`) for the copy", () => {
    const tree = keysOf(
      {
        "s.yaml": `{{- $spec := deepCopy ((.Values.vmdistributed).spec | default dict) }}{{ tpl (toYaml $spec) . }}`,
      },
      "vmdistributed:\n  enabled: false\n  spec: {}\n",
    );
    assert.notEqual(at(tree, "vmdistributed"), 0, JSON.stringify(tree));
  });
});

describe("config: the pinned charts' keys read through their helpers (config/chartKeys.ts)", function () {
  this.timeout(60000);
  // Each pinned chart read once for the file: two tests read victoria-metrics-k8s-stack's keys, and
  // reading them (every template's helpers walked) cost the second test 0.1-0.6 s of CPU more. The tests only read the
  // tree, so neither sees what the other did.
  // And once for every run while nothing they derive from changes: the fixture cache's key holds
  // every source (config/chartKeys.ts) and the chart cache's archives, so a change to either reads
  // the archive again. This file alone, warm, 2 runs each alternating: 3.8/3.8 -> 2.0/2.0 s of CPU.
  const read = new Map<string, ReturnType<typeof chartKeys>>();
  const keysOfPin = (ctx: Mocha.Context, pin: { chart: string; version: string }) => {
    const key = `${pin.chart}@${pin.version}`;
    if (!read.has(key)) {
      const archive = pinnedChartArchive(ctx, pin);
      read.set(
        key,
        cachedSync("chart-keys", cacheKey("chart-keys", [pin.chart, pin.version]), () =>
          chartKeys(zlib.gunzipSync(fs.readFileSync(archive))),
        ),
      );
    }
    return read.get(key)!;
  };

  it("victoria-metrics-k8s-stack: the operator's securityContext and vmalert's spec are written whole", function () {
    const { values } = keysOfPin(this, versions.charts.victoriaMetricsStack);
    for (const whole of [
      "victoria-metrics-operator.securityContext",
      "victoria-metrics-operator.podSecurityContext",
      "vmalert.spec",
    ])
      assert.equal(at(values, whole), 0, whole);
  });

  it("loki: a component's keys read by loki.component's pod template are known, so a misspelling is refused", function () {
    const keys = keysOfPin(this, versions.charts.loki);
    const problems = chartValueProblems(
      { loki: { read: { automountServiceAccountTokn: false }, write: { persistence: { enabeld: true } } } },
      () => keys,
      PROJECT,
    );
    assert.deepEqual(
      problems.map((p) => /did you mean (\S+)\?$/.exec(p)?.[1]),
      ["chartValues.loki.read.automountServiceAccountToken", "chartValues.loki.write.persistence.enabled"],
    );
  });

  it("victoria-metrics-k8s-stack: every value the program sets is read but syncJob (a key of the charts past 0.80.0)", async function () {
    const { values } = keysOfPin(this, versions.charts.victoriaMetricsStack);
    const vm = release((await synth("pi")).export.deployment.resources, "victoria-metrics-k8s-stack");
    const unread: string[] = [];
    const walk = (v: unknown, level: KeyTree | 0 | undefined, p: string[]) => {
      if (level === 0) return;
      if (level === undefined) return void unread.push(p.join("."));
      if (v && typeof v === "object" && !Array.isArray(v))
        for (const [k, x] of Object.entries(v)) walk(x, level[k], [...p, k]);
    };
    walk(vm.inputs?.values, values, []);
    assert.deepEqual(unread, ["syncJob"]);
  });
});

describe("chart keys: a values.schema.json whose $refs name themselves", () => {
  // A definition naming itself at two keys (an expression's `and` and `or`) was copied 2^16 times
  // by the 16 levels of $refs followed: 1.9 MB of types stored per archive, 0.7 s to read; at
  // three keys, past a minute. The reading follows a bounded number of $refs in all.
  it("is read within bounds, its top levels still typed", () => {
    const expr = {
      type: "object",
      properties: {
        op: { type: "string" },
        and: { $ref: "#/definitions/expr" },
        or: { $ref: "#/definitions/expr" },
      },
    };
    const { types } = chartKeys(
      tar({
        "c/Chart.yaml": "name: c\nversion: 1.0.0\n",
        "c/values.yaml": "rule: {}\n",
        "c/values.schema.json": JSON.stringify({
          type: "object",
          properties: { rule: { $ref: "#/definitions/expr" } },
          definitions: { expr },
        }),
      }),
    );
    const size = JSON.stringify(types).length;
    assert.ok(size < 100_000, `${size} characters of types`);
    const rule = types?.keys?.rule;
    assert.deepEqual(rule?.keys?.op?.type, ["string"]);
    assert.deepEqual(rule?.keys?.or?.keys?.and?.keys?.op?.type, ["string"]);
  });
});
