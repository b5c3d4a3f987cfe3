import { strict as assert } from "assert";
import { templateUses } from "../../config/chartKeys";
import type { ChartKeys } from "../../config/chartKeys";
import { withUnreadValues } from "../../change/against";
import { formatChange } from "../../change/change";
import { valuesNoLongerRead } from "../../change/valuesRead";
import { chartKeysAt } from "../../synth/render/chartFacts";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { pinnedChartArchive, release, synth } from "../support/helpers";

/*
 * A chart bump (a Renovate PR moving one pin in model/versions.ts) that stops reading a value the
 * release sets: Helm renders it without an error and the setting is gone. The change check
 * (--against, CI's "the change from the previous commit") refuses each such key on the release
 * (change/valuesRead.ts), naming who sets it and where to look.
 */

const URN = "urn:pulumi:s::homelab-observability::kubernetes:helm.sh/v3:Release::exporters-ksm";
const rel = (version: string, values: Record<string, unknown>): ExportResource => ({
  urn: URN,
  custom: true,
  type: "kubernetes:helm.sh/v3:Release",
  inputs: { chart: "ksm", version, values, repositoryOpts: { repo: "https://charts.example" } },
  outputs: {},
});
const stack = (overrides?: string[]): ExportResource => ({
  urn: "urn:pulumi:s::homelab-observability::pulumi:pulumi:Stack::homelab-observability-s",
  custom: false,
  type: "pulumi:pulumi:Stack",
  inputs: {},
  outputs: overrides ? { chartValueOverrides: overrides } : {},
});
// 1.0 reads networkPolicy.flavor and securityContext's keys; 2.0 renamed flavor away and reads a
// level left to the user under podAnnotations in both.
const KEYS: Record<string, ChartKeys> = {
  "1.0": {
    values: {
      networkPolicy: { enabled: 0, flavor: 0 },
      securityContext: { runAsUser: 0 },
      podAnnotations: 0,
    },
    kinds: {},
  },
  "2.0": {
    values: {
      networkPolicy: { enabled: 0, flavour: 0 },
      securityContext: { runAsUser: 0 },
      podAnnotations: 0,
    },
    kinds: {},
  },
};
const keysAt = (_chart: string, v: string) => KEYS[v];
const values = {
  networkPolicy: { enabled: true, flavor: "kubernetes" },
  securityContext: { runAsUser: 65534 },
  podAnnotations: { a: "b" },
  unknownToBoth: 1,
};

describe("change: a value the release sets that the bumped chart no longer reads is refused (change/valuesRead.ts)", () => {
  it("names the key, both versions, the program as its setter, the closest new key and the command to look", () => {
    const found = valuesNoLongerRead([rel("1.0", values)], [rel("2.0", values)], keysAt);
    assert.equal(found.length, 1);
    assert.deepEqual(
      found[0].refused.map((r) => r.field),
      ["values.networkPolicy.flavor"],
      "a key read by both, one under a level left to the user, and one neither reads are no news of the bump",
    );
    const reason = found[0].refused[0].reason;
    for (const part of [
      "set by the program",
      "ksm 1.0 reads it, 2.0 does not",
      "Helm would drop the setting",
      "did 2.0 rename it to networkPolicy.flavour?",
      "`helm show values ksm --repo https://charts.example --version 2.0`",
      "builders/",
    ])
      assert.ok(reason.includes(part), `${part} in: ${reason}`);
  });

  it("names the new key under which 2.0 reads what the release sets under the old one, when no name is close (trial O7)", () => {
    // 2.0 moved securityContext's runAsUser under containerSecurity, a name no slip of the old one;
    // service, also new, names another sub-key, and podSecurity, read by both, is no new home.
    const keys: Record<string, ChartKeys> = {
      "1.0": {
        values: { gateway: { securityContext: { runAsUser: 0 }, podSecurity: { runAsUser: 0 } } },
        kinds: {},
      },
      "2.0": {
        values: {
          gateway: {
            containerSecurity: { runAsUser: 0 },
            podSecurity: { runAsUser: 0 },
            service: { type: 0 },
          },
        },
        kinds: {},
      },
    };
    const v = { gateway: { securityContext: { runAsUser: 65534 } } };
    const [{ refused }] = valuesNoLongerRead([rel("1.0", v)], [rel("2.0", v)], (_c, ver) => keys[ver]);
    assert.equal(refused[0].field, "values.gateway.securityContext");
    assert.match(refused[0].reason, /; did 2\.0 rename it to gateway\.containerSecurity\?\. /);
  });

  it("a key the previous version already read beside it is no rename of the key dropped", () => {
    const keys: Record<string, ChartKeys> = {
      "1.0": { values: { gateway: { serviceMonitor: { enabled: 0 }, service: { type: 0 } } }, kinds: {} },
      "2.0": { values: { gateway: { service: { type: 0 } } }, kinds: {} },
    };
    const v = { gateway: { serviceMonitor: { enabled: true } } };
    const [{ refused }] = valuesNoLongerRead([rel("1.0", v)], [rel("2.0", v)], (_c, ver) => keys[ver]);
    assert.equal(refused[0].field, "values.gateway.serviceMonitor");
    assert.doesNotMatch(refused[0].reason, /rename it to/);
  });

  it("the loki chart 6.49.0 -> 18.11.0: indexGateway.updateStrategy.type is suggested at indexGateway.strategy", function () {
    for (const version of ["6.49.0", "18.11.0"]) pinnedChartArchive(this, { chart: "loki", version });
    const v = { indexGateway: { updateStrategy: { type: "RollingUpdate" } } };
    const loki = (version: string): ExportResource => ({
      ...rel(version, v),
      inputs: { chart: "loki", version, values: v, repositoryOpts: { repo: "https://charts.example" } },
    });
    const [{ refused }] = valuesNoLongerRead([loki("6.49.0")], [loki("18.11.0")], chartKeysAt);
    assert.match(refused[0].reason, /; did 18\.11\.0 rename it to indexGateway\.strategy\?/);
  });

  it("names the stack's chartValues key with its place when the value is an override", () => {
    const at = (key: string) =>
      key === "chartValues.ksm.networkPolicy.flavor" ? "Pulumi.s.yaml:12" : undefined;
    const [{ refused }] = valuesNoLongerRead(
      [rel("1.0", values), stack(["ksm.networkPolicy.flavor"])],
      [rel("2.0", values), stack(["ksm.networkPolicy.flavor"])],
      keysAt,
      at,
    );
    assert.match(
      refused[0].reason,
      /^set by chartValues\.ksm\.networkPolicy\.flavor \(Pulumi\.s\.yaml:12\);/,
    );
    assert.match(refused[0].reason, /move the override there/);
  });

  it("says nothing when the version stays, or when an archive is not at hand", () => {
    assert.deepEqual(valuesNoLongerRead([rel("1.0", values)], [rel("1.0", values)], keysAt), []);
    assert.deepEqual(valuesNoLongerRead([rel("1.0", values)], [rel("3.0", values)], keysAt), []);
  });

  it("refuses the release's update in the change report, so --against exits 1 with it", () => {
    const exp = (r: ExportResource): StackExport =>
      ({ deployment: { resources: [r] } }) as unknown as StackExport;
    const entry = {
      action: "update" as const,
      subject: "Release::exporters-ksm",
      owner: "exporters-ksm",
      why: ["version"],
      refused: [],
    };
    const report = withUnreadValues(
      { entries: [entry], refused: [] },
      exp(rel("1.0", values)),
      exp(rel("2.0", values)),
      keysAt,
    );
    assert.equal(report.refused.length, 1);
    assert.match(
      formatChange(report),
      /REFUSED Release::exporters-ksm values\.networkPolicy\.flavor: set by the program;/,
    );
    assert.match(formatChange(report), /; 1 refused$/);
  });
});

describe("config: keys a variable picks by `index` (config/chartKeys.ts templateUses)", () => {
  it("reads `index $Values $key` through a key variable's literal default, and the variable it assigns", () => {
    const uses = templateUses(`{{- define "vm.agent.spec" -}}
  {{- $Values := (.helm).Values | default .Values }}
  {{- $agentKey := .agentKey | default "vmagent" -}}
  {{- $agentValues := index $Values $agentKey -}}
  {{- tpl (mergeOverwrite (deepCopy $agentValues.spec) (deepCopy $spec) | toYaml) . -}}
{{- end }}`);
    assert.ok(
      uses.some((u) => u.whole && u.path.join(".") === "vmagent.spec"),
      JSON.stringify(uses),
    );
  });

  it("keeps a values path defaulting to a literal a values path, not a key", () => {
    const uses = templateUses(`{{- $tag := .Values.image.tag | default "latest" }}{{ toYaml $tag }}`);
    assert.ok(
      uses.some((u) => u.whole && u.path.join(".") === "image.tag"),
      JSON.stringify(uses),
    );
  });
});

describe("change: the victoria-metrics-k8s-stack bump 0.80.0 -> 0.91.2 loses none of the program's values", function () {
  this.timeout(120000);
  it("every value the program sets on the vm release is read by 0.91.2 as by 0.80.0 (no false refusal)", async function () {
    for (const version of ["0.80.0", "0.91.2"])
      pinnedChartArchive(this, { chart: "victoria-metrics-k8s-stack", version });
    const res = (await synth("pi")).export.deployment.resources;
    const vm = release(res, "victoria-metrics-k8s-stack");
    const bumped = { ...vm, inputs: { ...vm.inputs, version: "0.91.2" } };
    const found = valuesNoLongerRead(
      [{ ...vm, inputs: { ...vm.inputs, version: "0.80.0" } }],
      [bumped],
      chartKeysAt,
    );
    assert.deepEqual(
      found.flatMap((f) => f.refused.map((r) => r.field)),
      [],
    );
  });
});

describe("change: the counts line says the updates it does not list (change/change.ts formatChange)", () => {
  it("counts the metadata-only updates a chart bump makes, so 11 update under 1 listed line adds up", () => {
    const relabel = (n: number) => ({
      action: "update" as const,
      subject: `CustomResourceDefinition c${n}`,
      owner: "release monitoring/crds",
      why: ['metadata.labels["helm.sh/chart"]'],
      refused: [],
    });
    const release = {
      action: "update" as const,
      subject: "Release::crds",
      owner: "crds",
      why: ["version"],
      refused: [],
    };
    const text = formatChange({ entries: [release, relabel(1), relabel(2)], refused: [] });
    assert.deepEqual(text.split("\n"), [
      "~  update  Release::crds (crds): version",
      "0 create, 3 update, 0 replace, 0 delete; 0 refused (2 update(s) of metadata alone, such as a chart's version label, not listed)",
    ]);
  });
});

describe("change: the loki bump 6.55.0 -> 18.11.0 (grafana/loki to grafana-community) loses none of the program's values", function () {
  this.timeout(120000);
  // loki.ingester is written into Loki's config by the template text of values.yaml's own
  // loki.config (`{{- with .Values.loki.ingester }} ... tpl (. | toYaml) $`), which the chart
  // renders with `tpl` (18.11.0 templates/_helpers.tpl). 18.11.0 gives loki.ingester a default
  // (wal.flush_on_shutdown) where 6.55.0 had `{}`, so a reader of templates/ alone took
  // flush_op_timeout and lifecycler for unread and refused the production chart move.
  for (const stack of ["production", "staging"])
    it(`every value the program sets on ${stack}'s loki release is read by 18.11.0 as by 6.55.0 (no false refusal)`, async function () {
      for (const version of ["6.55.0", "18.11.0"]) pinnedChartArchive(this, { chart: "loki", version });
      const res = (await synth(stack)).export.deployment.resources;
      const loki = release(res, "loki");
      const found = valuesNoLongerRead(
        [{ ...loki, inputs: { ...loki.inputs, version: "6.55.0" } }],
        [{ ...loki, inputs: { ...loki.inputs, version: "18.11.0" } }],
        chartKeysAt,
      );
      assert.deepEqual(
        found.flatMap((f) => f.refused.map((r) => `${r.field}: ${r.reason.slice(0, 60)}`)),
        [],
      );
    });
});
