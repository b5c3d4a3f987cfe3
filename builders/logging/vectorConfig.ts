import { PORTS } from "../../model/services";

/**
 * Vector agent configuration (lightweight profile): pod logs and the journal into Loki with the
 * same label set as Alloy, buffered on disk so a Loki restart loses nothing.
 */
export interface VectorInput {
  cluster: string;
  /** Loki base URL (Vector's loki sink appends /loki/api/v1/push). */
  lokiBaseUrl: string;
  tenant?: string;
  /** Disk buffer per sink, bytes. */
  bufferBytes: number;
  /** Host logs: the journal and/or plain syslog files. Default: the journal only. */
  nodeLogs?: { journal: boolean; syslogFiles: string[] };
}

/**
 * The chart runs customConfig through Helm's `tpl (toYaml ...)`, which would evaluate Vector's own
 * `{{ field }}` templates; printing them through a Go raw string passes them on untouched. A raw
 * (backquoted) string, because a double quote inside the field path (`pod_labels."app..."`) would
 * end a "..." literal, and toYaml may fold a long scalar onto two lines, which only a raw string
 * may span (vector chart 0.56.0 templates/configmap.yaml; rendering in test/synth/render.test.ts proves it).
 */
export function escapeForHelmTpl(template: string): string {
  return template.replace(/\{\{(.*?)\}\}/g, (_m, inner: string) => {
    if (inner.includes("`")) throw new Error(`a Vector template cannot contain a backquote: {{${inner}}}`);
    return `{{ print \`{{${inner}}}\` }}`;
  });
}

/**
 * Vector rejects a disk buffer below this size (bytes): `validation(range(min = 268435488))` in
 * vector v0.56.0 lib/vector-buffers/src/config.rs; disk_v2/common.rs refuses a smaller
 * max_buffer_size at startup ("must be greater than or equal to ... bytes").
 */
export const VECTOR_MIN_DISK_BUFFER_BYTES = 268435488;

/** Vector's `{{ field }}` template for a label value. */
const field = (path: string) => escapeForHelmTpl(`{{ ${path} }}`);

/** The Vector config as a plain object (the chart's `customConfig`). */
export function vectorConfig(input: VectorInput): Record<string, any> {
  if (!(input.bufferBytes >= VECTOR_MIN_DISK_BUFFER_BYTES))
    throw new Error(
      `vector disk buffer: expected at least ${VECTOR_MIN_DISK_BUFFER_BYTES} bytes (Vector's minimum), got ${input.bufferBytes}`,
    );
  const sink = (inputs: string[], labels: Record<string, string>) => ({
    type: "loki",
    inputs,
    endpoint: input.lokiBaseUrl,
    encoding: { codec: "raw_message" },
    labels,
    ...(input.tenant ? { tenant_id: input.tenant } : {}),
    out_of_order_action: "accept",
    buffer: { type: "disk", max_size: input.bufferBytes, when_full: "block" },
  });
  const nodeLogs = input.nodeLogs ?? { journal: true, syslogFiles: [] };
  return {
    data_dir: "/vector-data-dir",
    // On all addresses: the kubelet probes the pod's IP.
    api: { enabled: true, address: `0.0.0.0:${PORTS.vector.api}` },
    sources: {
      pod_logs: { type: "kubernetes_logs", self_node_name: "${VECTOR_SELF_NODE_NAME}" },
      ...(nodeLogs.journal ? { journal: { type: "journald", journal_directory: "/var/log/journal" } } : {}),
      // Checkpoints live in data_dir (a hostPath), so a restart resumes; the first start reads
      // from the end rather than replaying an old file.
      ...(nodeLogs.syslogFiles.length > 0
        ? { syslog: { type: "file", include: nodeLogs.syslogFiles, read_from: "end" } }
        : {}),
      internal_metrics: { type: "internal_metrics" },
    },
    sinks: {
      loki_pods: sink(["pod_logs"], {
        cluster: input.cluster,
        namespace: field("kubernetes.pod_namespace"),
        pod: field("kubernetes.pod_name"),
        container: field("kubernetes.container_name"),
        app: field('kubernetes.pod_labels."app.kubernetes.io/name"'),
        job: `${field("kubernetes.pod_namespace")}/${field("kubernetes.container_name")}`,
        stream: field("stream"),
      }),
      ...(nodeLogs.journal
        ? {
            loki_journal: {
              ...sink(["journal"], {
                cluster: input.cluster,
                job: "node/journal",
                node: field("host"),
                unit: field("_SYSTEMD_UNIT"),
              }),
              // End-to-end acknowledgements: without them journald saves its cursor as soon as it
              // reads a line (vector v0.56.0 src/sources/journald.rs:1074), so a crash loses the
              // lines still in flight; with them the cursor moves once this sink holds the line
              // (on its disk buffer). journald supports them (journald.cue
              // features.acknowledgements; src/sources/journald.rs:426 can_acknowledge) and the
              // source-level option is deprecated for the sink's (sinks/generated/loki.cue
              // `acknowledgements.enabled`).
              acknowledgements: { enabled: true },
            },
          }
        : {}),
      ...(nodeLogs.syslogFiles.length > 0
        ? {
            loki_syslog: sink(["syslog"], {
              cluster: input.cluster,
              job: "node/syslog",
              node: "${VECTOR_SELF_NODE_NAME}",
            }),
          }
        : {}),
      // The chart names the container port after the component ("prom-exporter"), which its
      // PodMonitor scrapes (vector chart 0.56.0 templates/_helpers.tpl, values podMonitor.port).
      prom_exporter: {
        type: "prometheus_exporter",
        inputs: ["internal_metrics"],
        address: `0.0.0.0:${PORTS.vector.metrics}`,
      },
    },
  };
}
