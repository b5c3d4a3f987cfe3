/**
 * The shape of Vector's reference data (data/vector-<version>/components.json): written by
 * upstream/refresh/vector.ts, read by upstream/vector/components.ts.
 */
export const KINDS = ["sources", "transforms", "sinks"] as const;
export type Kind = (typeof KINDS)[number];

/** The data types an event can have. */
export const DATA_TYPES = ["logs", "metrics", "traces"] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** One accepted kind of value of an option (`string`, `uint`, `object`, ...) and its details. */
export interface TypeNode {
  default?: unknown;
  enum?: unknown[];
  unit?: string;
  syntax?: string;
  /** An object's named fields. */
  options?: Record<string, OptionNode>;
  /** An object's other keys (a map): the node every other key must satisfy. */
  additional?: OptionNode;
  /** An array's items. */
  items?: OptionNode;
}

/** One option: where it is, whether it is required, and the kinds of value it accepts. */
export interface OptionNode {
  line: number;
  required?: boolean;
  relevant_when?: string;
  deprecated?: boolean;
  deprecated_message?: string;
  warnings?: string[];
  types: Record<string, TypeNode>;
}

export interface ComponentEntry {
  /** The generated CUE file the options come from. */
  file: string;
  options: Record<string, OptionNode>;
  /** The hand-written page (when there is one) and what was read from it. */
  doc_file?: string;
  development?: string;
  acknowledgements?: boolean;
  acknowledgements_line?: number;
  input?: Record<DataType, boolean>;
  input_line?: number;
  output?: Partial<Record<DataType, true>>;
  output_line?: number;
}

/** A rule read in the Rust sources: where, the quoted line, and what was read there. */
export interface RustFact {
  source: string;
  quote: string;
  fields?: string[];
}

export interface VectorReference {
  format: typeof FORMAT;
  source: { repo: string; tag: string; commit: string; version: string };
  global: { file: string; options: Record<string, OptionNode> };
  common: Record<Kind, { file: string; options: Record<string, OptionNode> }>;
  components: Record<Kind, Record<string, ComponentEntry>>;
  rust: {
    /** `ConfigBuilder`'s own keys (it denies unknown fields); the global options are flattened into it. */
    top_level_fields: RustFact & { fields: string[] };
    /** Fields deserialized with `bool_or_struct`: a bare `true`/`false` is accepted for the struct. */
    bool_or_struct: { sources: string[]; fields: string[] };
    /** Buffer rules: max_size is required only for disk buffers; max_events is refused on disk and beside max_size. */
    buffer_fields: RustFact;
    buffer_disk_needs_max_size: RustFact;
    buffer_disk_max_events: RustFact;
    buffer_memory_both: RustFact;
    /** Inputs name sources and transforms (or their named outputs); another name fails the load. */
    input_unknown: RustFact;
    /** An edge whose data types do not intersect fails the load. */
    type_mismatch: RustFact;
    /** A sink's acknowledgements reach a source that cannot take them: a warning at start. */
    acknowledgements_unsupported: RustFact;
    /**
     * Names the generated reference leaves out: serde aliases and fields marked `docs::hidden`
     * (name -> where), and hidden variants of `rename_all = "snake_case"` enums (value -> where).
     * Not tied to a component: a check calls such a key doubtful, not wrong.
     */
    undocumented: { fields: Record<string, string[]>; enum_values: Record<string, string[]> };
    /** The config's shape (src/config/validation.rs), each an error at load. */
    names_no_dot: RustFact;
    no_sources: RustFact;
    no_sinks: RustFact;
    duplicate_names: RustFact;
    no_inputs: RustFact;
    duplicated_input: RustFact;
  };
}

export const FORMAT = "homelab-vector-reference/1";
