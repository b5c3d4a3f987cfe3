import { strict as assert } from "assert";
import { vectorConfig } from "../../builders/logging/vectorConfig";
import { versions } from "../../model/versions";
import {
  checkVectorConfig,
  loadVectorReference,
  relevantWhen,
  vectorVersionOf,
  type VectorFinding,
  type VectorReference,
} from "../../upstream/vector/components";

/**
 * The Vector config judge (upstream/vector/components.ts) against the reference of the Vector the
 * program pins (upstream/vector/data). The base is the program's own Vector config with the
 * journal and a syslog file on; each case plants one mistake and names the rule that catches it.
 */
describe("upstream/vector/components: Vector configs judged by Vector's own reference", () => {
  let ref: VectorReference;
  const base = () =>
    JSON.parse(
      JSON.stringify(
        vectorConfig({
          cluster: "pi",
          lokiBaseUrl: "http://loki.monitoring.svc.cluster.local:3100",
          tenant: "homelab",
          bufferBytes: 536870912,
          nodeLogs: { journal: true, syslogFiles: ["/var/log/syslog"] },
        }),
      ),
    ) as Record<string, any>;
  const judge = (change: (c: Record<string, any>) => void) => {
    const c = base();
    change(c);
    return checkVectorConfig(c, ref);
  };
  const only = (fs: VectorFinding[]) => {
    assert.equal(fs.length, 1, `one finding expected, got ${JSON.stringify(fs, null, 1)}`);
    return fs[0];
  };

  before(() => {
    ref = loadVectorReference(vectorVersionOf(versions.images.vector.tag));
  });

  it("passes the program's own config: every component known, every option valid, every input found", () => {
    const v = checkVectorConfig(base(), ref);
    assert.deepEqual(v.findings, []);
    assert.deepEqual(v.warnings, []);
    assert.equal(v.components, 8);
  });

  it("refuses an unknown component type and names the near one", () => {
    const f = only(judge((c) => (c.sources.journal.type = "journal")).findings);
    assert.equal(f.rule, "unknown-type");
    assert.equal(f.path, "sources.journal.type");
    assert.match(f.message, /"journal" is not a source of Vector 0\.56\.0 \(did you mean "journald"\?\)/);
  });

  it("refuses a component without a type", () => {
    const f = only(judge((c) => delete c.sinks.prom_exporter.type).findings);
    assert.equal(f.rule, "unknown-type");
    assert.match(f.message, /sinks\.prom_exporter: no type/);
  });

  it("refuses a misspelt option, naming the option it is closest to", () => {
    const f = only(judge((c) => (c.sinks.loki_pods.label = { a: "b" })).findings);
    assert.equal(f.rule, "unknown-option");
    assert.equal(f.path, "sinks.loki_pods.label");
    assert.equal(f.message, 'sinks.loki_pods.label: not an option here (did you mean "labels"?)');
    assert.match(
      f.source,
      /^vectordotdev\/vector@v0\.56\.0 website\/cue\/reference\/components\/sinks\/generated\/loki\.cue$/,
    );
  });

  it("refuses an option near none the component has, listing the ones it has", () => {
    const f = only(judge((c) => (c.sinks.loki_pods.colour = "blue")).findings);
    assert.equal(f.rule, "unknown-option");
    assert.match(f.message, /^sinks\.loki_pods\.colour: not an option here \(known: .*\blabels\b.*\)$/);
  });

  it("reports a misspelt required option once, as the misspelling, not also as missing", () => {
    // Vector stops at the unknown field (serde deny_unknown_fields); the missing `condition` is
    // the same mistake.
    const v = judge((c) => {
      c.transforms = { errors: { type: "filter", inputs: ["pod_logs"], condtion: '.level == "error"' } };
    });
    const f = only(v.findings);
    assert.equal(f.rule, "unknown-option");
    assert.equal(f.message, 'transforms.errors.condtion: not an option here (did you mean "condition"?)');
  });

  it("still refuses a required option left out when no unknown key is near it", () => {
    const v = judge((c) => {
      c.transforms = { errors: { type: "filter", inputs: ["pod_logs"], colour: "x" } };
    });
    assert.deepEqual(
      v.findings.map((f) => `${f.rule} ${f.path}`),
      ["unknown-option transforms.errors.colour", "required transforms.errors.condition"],
    );
  });

  it("refuses an unknown option inside a nested object", () => {
    const f = only(judge((c) => (c.api.adress = "0.0.0.0:1")).findings);
    assert.equal(f.rule, "unknown-option");
    assert.equal(f.path, "api.adress");
  });

  it("refuses a value of the wrong kind, naming the kinds accepted", () => {
    const f = only(judge((c) => (c.sources.journal.batch_size = "many")).findings);
    assert.equal(f.rule, "type");
    assert.match(f.message, /sources\.journal\.batch_size: expected uint, found string "many"/);
    assert.match(f.source, /sources\/generated\/journald\.cue:\d+$/);
  });

  it("refuses a negative number where only an unsigned one goes", () => {
    const f = only(judge((c) => (c.sinks.loki_pods.buffer.max_size = -1)).findings);
    assert.equal(f.rule, "type");
  });

  it("refuses a value outside the option's enum, listing the allowed ones", () => {
    const f = only(judge((c) => (c.sinks.loki_pods.out_of_order_action = "reorder")).findings);
    assert.equal(f.rule, "enum");
    assert.match(f.message, /expected one of "accept", .*found "reorder"/);
  });

  it("names the closest value of the enum for a misspelt one", () => {
    const f = only(judge((c) => (c.sinks.loki_pods.out_of_order_action = "acept")).findings);
    assert.equal(f.rule, "enum");
    assert.match(f.message, /found "acept" \(did you mean "accept"\?\)$/);
  });

  it("names only the nearest values of the enum: `jsn` is one edit from json, two from csv", () => {
    const f = only(judge((c) => (c.sinks.loki_pods.encoding = { codec: "jsn" })).findings);
    assert.equal(f.rule, "enum");
    // It said `(did you mean "csv" or "json"?)`, a value two edits off beside the one a slip away.
    assert.match(f.message, /found "jsn" \(did you mean "json"\?\)$/);
  });

  it("refuses a missing required option", () => {
    const f = only(judge((c) => delete c.sinks.loki_journal.endpoint).findings);
    assert.equal(f.rule, "required");
    assert.equal(f.path, "sinks.loki_journal.endpoint");
  });

  it("requires an option of a variant only when that variant is chosen, and refuses one of another variant", () => {
    // encoding.csv is required when codec = "csv" (the CUE's relevant_when).
    const missing = only(judge((c) => (c.sinks.loki_pods.encoding = { codec: "csv" })).findings);
    assert.equal(missing.rule, "required");
    assert.equal(missing.path, "sinks.loki_pods.encoding.csv");
    const other = only(judge((c) => (c.sinks.loki_pods.encoding.csv = { fields: ["message"] })).findings);
    assert.equal(other.rule, "variant");
    assert.match(other.message, /applies only when codec = "csv"/);
  });

  it("judges buffers by the code's rules: max_size only for disk, max_events never on disk", () => {
    assert.deepEqual(
      judge((c) => (c.sinks.loki_pods.buffer = { type: "memory", max_events: 500 })).findings,
      [],
      "a memory buffer needs no max_size, though the generated reference marks it required",
    );
    const noSize = only(judge((c) => delete c.sinks.loki_pods.buffer.max_size).findings);
    assert.equal(noSize.rule, "buffer");
    assert.match(noSize.source, /lib\/vector-buffers\/src\/config\.rs:\d+$/);
    const events = only(judge((c) => (c.sinks.loki_pods.buffer.max_events = 10)).findings);
    assert.equal(events.rule, "buffer");
    assert.match(events.message, /a disk buffer takes max_size, not max_events/);
    const both = only(judge((c) => (c.sinks.loki_pods.buffer = { max_events: 1, max_size: 1 })).findings);
    assert.match(both.message, /a memory buffer takes max_events or max_size, not both/);
  });

  it("refuses an input that names no source or transform, a sink among them, naming the closest", () => {
    const f = only(judge((c) => (c.sinks.loki_pods.inputs = ["pod_log"])).findings);
    assert.equal(f.rule, "inputs");
    assert.match(f.message, /"pod_log" matches no source or transform \(did you mean "pod_logs"\?\)$/);
    assert.match(f.source, /src\/config\/graph\.rs:\d+$/);
    const sink = only(judge((c) => (c.sinks.loki_pods.inputs = ["loki_journal"])).findings);
    assert.equal(sink.rule, "inputs");
    assert.match(
      sink.message,
      /matches no source or transform \(internal_metrics, journal, pod_logs, syslog\)$/,
    );
  });

  it("never offers a component its own name as an input", () => {
    const f = only(
      judge((c) => {
        c.transforms = { tidy: { type: "remap", inputs: ["pod_logs", "tidyy"], source: "." } };
        c.sinks.loki_pods.inputs = ["tidy"];
      }).findings,
    );
    assert.equal(
      f.message,
      'transforms.tidy.inputs: "tidyy" matches no source or transform (internal_metrics, journal, pod_logs, syslog)',
    );
  });

  it("resolves globs and a transform's named outputs, and refuses a glob matching nothing", () => {
    assert.deepEqual(judge((c) => (c.sinks.loki_pods.inputs = ["pod_*"])).findings, []);
    assert.deepEqual(
      judge((c) => {
        c.transforms = {
          only_errors: { type: "filter", inputs: ["pod_logs"], condition: '.level == "error"' },
        };
        c.sinks.loki_pods.inputs = ["only_errors", "only_errors.dropped"];
      }).findings,
      [],
    );
    assert.equal(only(judge((c) => (c.sinks.loki_pods.inputs = ["app_*"])).findings).rule, "inputs");
  });

  it("refuses an edge whose data types do not meet: logs into a metrics-only sink", () => {
    const f = only(judge((c) => c.sinks.prom_exporter.inputs.push("journal")).findings);
    assert.equal(f.rule, "data-type");
    assert.match(
      f.message,
      /prom_exporter \(prometheus_exporter, takes metrics\) reads journal \(journald, gives logs\)/,
    );
  });

  it("refuses the shapes Vector's validation refuses: no sinks, dotted or shared names, empty or repeated inputs", () => {
    const rules = (change: (c: Record<string, any>) => void) =>
      judge(change).findings.map((f) => `${f.rule}: ${f.message}`);
    assert.deepEqual(
      rules((c) => delete c.sinks),
      ["shape: no sinks: Vector refuses an empty pipeline"],
    );
    assert.deepEqual(
      rules((c) => (c.sources = {})),
      [
        "shape: no sources: Vector refuses an empty pipeline",
        ...["loki_pods", "loki_journal", "loki_syslog", "prom_exporter"].map(
          (s) =>
            `inputs: sinks.${s}.inputs: ${JSON.stringify(base().sinks[s].inputs[0])} matches no source or transform (none)`,
        ),
      ],
    );
    assert.match(
      only(judge((c) => (c.sources["pods.v2"] = { type: "internal_logs" })).findings).message,
      /component name "pods\.v2" contains a "\."/,
    );
    assert.match(
      only(
        judge(
          (c) => (c.transforms = { journal: { type: "filter", inputs: ["pod_logs"], condition: "true" } }),
        ).findings,
      ).message,
      /more than one component named "journal" \(source, transform\)/,
    );
    assert.equal(
      only(judge((c) => (c.sinks.loki_pods.inputs = [])).findings).message,
      "sinks.loki_pods.inputs: no inputs",
    );
    const twice = only(judge((c) => c.sinks.loki_pods.inputs.push("pod_logs")).findings);
    assert.equal(twice.rule, "shape");
    assert.match(twice.source, /src\/config\/validation\.rs:\d+$/);
  });

  it("refuses an unknown top-level key and accepts the global options", () => {
    const f = only(judge((c) => (c.sink = {})).findings);
    assert.equal(f.rule, "top-level");
    assert.match(f.source, /src\/config\/builder\.rs:\d+$/);
    assert.deepEqual(judge((c) => (c.acknowledgements = { enabled: false })).findings, []);
  });

  it("accepts a bare bool where Vector reads bool-or-struct, and ${VAR} anywhere", () => {
    assert.deepEqual(
      judge((c) => {
        c.sinks.loki_journal.acknowledgements = true;
        c.sinks.loki_journal.healthcheck = false;
        c.sinks.loki_pods.buffer.max_size = "${BUFFER_BYTES}";
      }).findings,
      [],
    );
    assert.equal(only(judge((c) => (c.sinks.loki_journal.encoding = true)).findings).rule, "type");
  });

  it("warns, never fails, when acknowledgements reach a source that cannot take them", () => {
    const journal = judge((c) => (c.sinks.loki_journal.acknowledgements = { enabled: true }));
    assert.deepEqual(journal.findings, []);
    assert.deepEqual(journal.warnings, [], "journald takes acknowledgements");
    const pods = judge((c) => (c.acknowledgements = true));
    assert.deepEqual(pods.findings, []);
    assert.deepEqual(
      pods.warnings.map((w) => w.path),
      ["sinks.loki_pods.acknowledgements", "sinks.prom_exporter.acknowledgements"],
      "the global setting reaches kubernetes_logs and internal_metrics, which cannot acknowledge",
    );
    assert.match(pods.warnings[0].message, /its source pod_logs \(kubernetes_logs\) cannot take them/);
    assert.match(pods.warnings[0].source, /src\/config\/mod\.rs:\d+$/);
  });

  it("only warns of a name the reference leaves out but Vector has as an alias or hidden value", () => {
    // kubernetes_logs' annotation_fields is a serde alias; when_full: overflow a hidden variant.
    const alias = judge((c) => (c.sources.pod_logs.annotation_fields = {}));
    assert.deepEqual(alias.findings, []);
    assert.match(
      alias.warnings[0].message,
      /sources\.pod_logs\.annotation_fields: not in the reference, but Vector has an alias/,
    );
    assert.match(alias.warnings[0].source, /src\/sources\/kubernetes_logs\/mod\.rs:\d+ \(serde alias\)/);
    const overflow = judge((c) => (c.sinks.loki_pods.buffer.when_full = "overflow"));
    assert.deepEqual(overflow.findings, []);
    assert.match(overflow.warnings[0].message, /"overflow" is a hidden value of some Vector enum/);
  });

  it("warns of a deprecated option", () => {
    const v = judge((c) => (c.sources.journal.acknowledgements = { enabled: true }));
    assert.deepEqual(v.findings, []);
    assert.match(
      v.warnings.map((w) => w.message).join("\n"),
      /sources\.journal\.acknowledgements is deprecated/,
    );
  });

  it("reads relevant_when conditions of one or several values, with the discriminator's default", () => {
    const opts = { type: { line: 1, types: { string: { default: "memory" } } } };
    assert.equal(relevantWhen('type = "memory"', {}, opts), true);
    assert.equal(relevantWhen('type = "disk" or type = "memory"', { type: "disk" }, opts), true);
    assert.equal(relevantWhen('type = "disk"', {}, opts), false);
    assert.equal(relevantWhen("type != 1", {}, opts), undefined);
  });
});
