import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { buildVectorReference, dirCheckout, formatReference, main } from "../../upstream/refresh/vector";
import { loadVectorReference } from "../../upstream/vector/components";
import { tmpDir, treeDir } from "../support/helpers";

/**
 * The script that rebuilds Vector's reference data (upstream/refresh/vector.ts), run on a small
 * checkout laid out as vectordotdev/vector's: the same paths, the same shapes of CUE and Rust,
 * only a few components.
 */
const FILES: Record<string, string> = {
  "Cargo.toml": '[package]\nname = "vector"\nversion = "9.9.9"\n\n[dependencies]\nversion = "1"\n',
  "website/cue/reference/generated/configuration.cue": `package metadata

generated: configuration: {
	configuration: {
		data_dir: {
			type: string: default: "/var/lib/vector/"
			description: "Where."
			required: false
		}
		sources: {
			type: object: options: "*": {
				description: "A source."
				required: true
				type: object: options: {}
			}
			description: "All sources."
			required: false
		}
	}
}
`,
  "website/cue/reference/components/generated/sources.cue": `package metadata

generated: components: sources: configuration: proxy: {
	description: "Proxy."
	required:    false
	type: object: options: enabled: {
		description: "On."
		required:    false
		type: bool: default: true
	}
}
`,
  "website/cue/reference/components/generated/transforms.cue": `package metadata

generated: components: transforms: configuration: inputs: {
	description: "Inputs."
	required:    true
	type: array: items: type: string: examples: ["a"]
}
`,
  "website/cue/reference/components/generated/sinks.cue": `package metadata

generated: components: sinks: configuration: {
	inputs: {
		description: "Inputs."
		required:    true
		type: array: items: type: string: examples: ["a"]
	}
}
`,
  "website/cue/reference/components/sources/generated/journald.cue": `package metadata

generated: components: sources: journald: configuration: {
	batch_size: {
		description: "Batch."
		required:    false
		type: uint: {
			default: 16
			unit:    "events"
		}
	}
	acknowledgements: {
		deprecated: true
		deprecated_message: "Use the sink's."
		description: "Acks."
		required: false
		type: object: options: enabled: {
			description: "On."
			required:    false
			type: bool: {}
		}
	}
}
`,
  "website/cue/reference/components/sources/journald.cue": `package metadata

components: sources: journald: components._base & {
	classes: {
		development: "stable"
	}
	features: {
		acknowledgements: true
		collect: from: service: services.journald
	}
	output: logs: line: fields: host: fields._local_host
}
`,
  "website/cue/reference/components/transforms/generated/filter.cue": `package metadata

generated: components: transforms: filter: configuration: condition: {
	description: "The condition."
	required:    true
	type: condition: {}
}
`,
  "website/cue/reference/components/sinks/generated/loki.cue": `package metadata

generated: components: sinks: loki: configuration: {
	encoding: {
		description: "Encoding."
		required:    true
		type: object: options: {
			codec: {
				description: "Codec."
				required:    true
				type: string: enum: {
					json: "JSON."
					raw_message: "Raw."
				}
			}
			json: {
				description:   "JSON options."
				relevant_when: "codec = \\"json\\""
				required:      false
				type: object: options: pretty: {
					description: "Pretty."
					required:    false
					type: bool: default: false
				}
			}
		}
	}
	timeout: {
		description: "Timeout."
		required:    false
		type: float: default: 9223372036854775807
	}
}
`,
  "website/cue/reference/components/sinks/loki.cue": `package metadata

components: sinks: loki: {
	classes: development: "beta"
	features: acknowledgements: true
	input: {
		logs:    true
		metrics: null
		traces:  false
	}
}
`,
  "src/config/builder.rs": `#[serde(deny_unknown_fields)]
pub struct ConfigBuilder {
    #[serde(flatten)]
    pub global: GlobalOptions,

    #[serde(default)]
    pub sources: IndexMap<ComponentKey, SourceOuter>,

    #[serde(default, skip)]
    pub allow_empty: bool,
}
`,
  "lib/vector-buffers/src/lib.rs": `/// When full.
#[configurable_component]
#[serde(rename_all = "snake_case")]
pub enum WhenFull {
    /// Block.
    Block,

    /// Overflow.
    #[configurable(metadata(docs::hidden))]
    Overflow,
}

/// Kept as written.
#[serde(rename_all = "PascalCase")]
pub enum Other {
    #[configurable(metadata(docs::hidden))]
    Hidden,
}
`,
  "src/sources/kubernetes_logs/mod.rs": `pub struct Config {
    #[serde(default, alias = "annotation_fields")]
    pub pod_annotation_fields: Fields,

    /// Hidden.
    #[configurable(metadata(docs::hidden))]
    #[serde(default)]
    pub internal_flag: bool,
}
`,
  "src/config/sink.rs": `pub struct SinkOuter<T> {
    #[configurable(derived)]
    #[serde(default, deserialize_with = "crate::serde::bool_or_struct")]
    pub healthcheck: SinkHealthcheckOptions,
}
`,
  "src/sinks/vector/config.rs": `pub struct VectorConfig {
    #[serde(
        default,
        deserialize_with = "crate::serde::bool_or_struct",
        skip_serializing_if = "crate::serde::is_default"
    )]
    pub(in crate::sinks::vector) acknowledgements: AcknowledgementsConfig,
}
`,
  "src/config/graph.rs": `fn add_input() {
            Err(format!(
                "Input \\"{from}\\" for {output_type} \\"{to}\\" doesn't match any components.",
            ))
                errors.push(format!(
                    "Data type mismatch between {} ({}) and {} ({})",
}
`,
  "src/config/mod.rs": `                    warn!(
                        message = "Source has acknowledgements enabled by a sink, but acknowledgements are not supported by this source. Silent data loss could occur.",
`,
  "src/config/validation.rs": `                "Component name \\"{}\\" should not contain a \\".\\"",
            errors.push("No sources defined in the config.".to_owned());
            errors.push("No sinks defined in the config.".to_owned());
            "More than one component with name \\"{}\\" ({}).",
                "{} \\"{}\\" has no inputs",
                "{} \\"{}\\" has input \\"{}\\" duplicated {} times",
`,
  "lib/vector-buffers/src/config.rs": `const ALL_FIELDS: [&str; 4] = ["type", "max_events", "max_size", "when_full"];
                    (Some(_), Some(_)) => {
            BufferTypeKind::DiskV2 => {
                    max_size: max_size.ok_or_else(|| de::Error::missing_field("max_size"))?,
`,
};

const checkout = (files: Record<string, string> = FILES): string => treeDir("vector-checkout", files);

describe("upstream/refresh/vector: Vector's reference rebuilt from a checkout", () => {
  const built = () => buildVectorReference(dirCheckout(checkout(), "0123abcd"));

  it("names the source: repository, the tag from Cargo.toml's package version, the commit", () => {
    assert.deepEqual(built().source, {
      repo: "vectordotdev/vector",
      tag: "v9.9.9",
      commit: "0123abcd",
      version: "9.9.9",
    });
  });

  it("reads each option's kinds, default, unit, enum, required, variant and line, and no description", () => {
    const ref = built();
    assert.deepEqual(ref.components.sources.journald.options.batch_size, {
      line: 4,
      required: false,
      types: { uint: { default: 16, unit: "events" } },
    });
    const encoding = ref.components.sinks.loki.options.encoding;
    assert.deepEqual(encoding.types.object.options!.codec.types, {
      string: { enum: ["json", "raw_message"] },
    });
    assert.equal(encoding.types.object.options!.json.relevant_when, 'codec = "json"');
    assert.equal(encoding.types.object.options!.json.line, 16);
    assert.equal(ref.components.sources.journald.options.acknowledgements.deprecated, true);
    assert.equal(
      ref.components.sources.journald.options.acknowledgements.deprecated_message,
      "Use the sink's.",
    );
    assert.ok(!formatReference(ref).includes("Codec."), "descriptions stay upstream");
  });

  it("turns a `*` option into the node every other key of a map takes, and an array's items into a node", () => {
    const ref = built();
    assert.deepEqual(ref.global.options.sources.types.object.additional, {
      line: 11,
      required: true,
      types: { object: { options: {} } },
    });
    assert.deepEqual(ref.common.transforms.options.inputs.types.array.items, {
      line: 6,
      types: { string: {} },
    });
  });

  it("writes an integer beyond 2^53 exactly", () => {
    assert.match(formatReference(built()), /"default": 9223372036854775807\b/);
  });

  it("reads development, acknowledgements and data types from the hand-written pages, past references", () => {
    const ref = built();
    assert.equal(ref.components.sources.journald.development, "stable");
    assert.equal(ref.components.sources.journald.acknowledgements, true);
    assert.equal(ref.components.sources.journald.acknowledgements_line, 8);
    assert.deepEqual(ref.components.sources.journald.output, { logs: true });
    assert.equal(ref.components.sinks.loki.development, "beta");
    assert.deepEqual(ref.components.sinks.loki.input, { logs: true, metrics: false, traces: false });
    assert.equal(
      ref.components.transforms.filter.doc_file,
      undefined,
      "a component without a page has only its options",
    );
  });

  it("reads ConfigBuilder's keys and every bool-or-struct field from the Rust sources, with their lines", () => {
    const ref = built();
    assert.deepEqual(
      ref.rust.top_level_fields.fields,
      ["sources"],
      "flattened and skipped fields are not keys",
    );
    assert.equal(ref.rust.top_level_fields.source, "src/config/builder.rs:2");
    assert.deepEqual(ref.rust.bool_or_struct.fields, ["acknowledgements", "healthcheck"]);
    assert.deepEqual(ref.rust.bool_or_struct.sources, [
      "src/config/sink.rs:3",
      "src/sinks/vector/config.rs:4",
    ]);
    assert.equal(ref.rust.buffer_disk_needs_max_size.source, "lib/vector-buffers/src/config.rs:4");
    assert.equal(ref.rust.input_unknown.source, "src/config/graph.rs:3");
    assert.equal(ref.rust.duplicated_input.source, "src/config/validation.rs:6");
  });

  it("lists the aliases and hidden fields by name, and hidden variants of snake_case enums", () => {
    assert.deepEqual(built().rust.undocumented, {
      fields: {
        annotation_fields: ["src/sources/kubernetes_logs/mod.rs:2 (serde alias)"],
        internal_flag: ["src/sources/kubernetes_logs/mod.rs:6 (docs::hidden)"],
      },
      enum_values: { overflow: ["lib/vector-buffers/src/lib.rs:9 (docs::hidden variant Overflow)"] },
    });
  });

  it("stops, naming the file and the line, when a quoted rule is no longer in the sources", () => {
    const files = { ...FILES, "lib/vector-buffers/src/config.rs": "const ALL_FIELDS: [&str; 3] = [];\n" };
    const dir = checkout(files);
    const err: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (s: string) => (err.push(s), true);
    try {
      assert.equal(main([dir], tmpDir("vector-data")), 1);
    } finally {
      process.stderr.write = write;
    }
    assert.match(err.join(""), /lib\/vector-buffers\/src\/config\.rs: the line "const ALL_FIELDS.*" is gone/);
  });

  it("compares with the data in the repository, writes it with --write, and reads back what it wrote", () => {
    const dir = checkout();
    const root = tmpDir("vector-data");
    const out = process.stdout.write.bind(process.stdout);
    const said: string[] = [];
    process.stdout.write = (s: string) => (said.push(s), true);
    try {
      assert.equal(main([dir], root), 1, "no data yet: differs");
      assert.equal(main([dir, "--write"], root), 0);
      assert.equal(main([dir], root), 0, "up to date once written");
    } finally {
      process.stdout.write = out;
    }
    assert.match(said.join(""), /up to date with vectordotdev\/vector@v9\.9\.9/);
    const file = path.join(root, "upstream/vector/data/vector-9.9.9/components.json");
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")).rust.top_level_fields.fields, ["sources"]);
  });

  it("has built the data in the repository: the pinned Vector's reference is the script's output shape", () => {
    const ref = loadVectorReference("0.56.0");
    assert.equal(ref.format, "homelab-vector-reference/1");
    assert.deepEqual(ref.source, {
      repo: "vectordotdev/vector",
      tag: "v0.56.0",
      commit: "6817c0218e1af8efc484c3a74317fc1192a5a450",
      version: "0.56.0",
    });
    assert.ok(Object.keys(ref.components.sources).length >= 40 && ref.components.sinks.loki.options.labels);
  });
});
