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
}

/**
 * The chart runs customConfig through Helm's `tpl`, which would evaluate Vector's own `{{ field }}`
 * templates; printing them through a Helm string literal passes them on untouched.
 */
export function escapeForHelmTpl(template: string): string {
  return template.replace(/\{\{(.*?)\}\}/g, (_m, inner: string) => `{{ print "{{${inner}}}" }}`);
}

/** Vector's `{{ field }}` template for a label value. */
const field = (path: string) => escapeForHelmTpl(`{{ ${path} }}`);

/** The Vector config as a plain object (the chart's `customConfig`). */
export function vectorConfig(input: VectorInput): Record<string, any> {
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
  return {
    data_dir: "/vector-data-dir",
    api: { enabled: false },
    sources: {
      pod_logs: { type: "kubernetes_logs", self_node_name: "${VECTOR_SELF_NODE_NAME}" },
      journal: { type: "journald", journal_directory: "/var/log/journal" },
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
      loki_journal: sink(["journal"], {
        cluster: input.cluster,
        job: "node/journal",
        node: field("host"),
        unit: field("_SYSTEMD_UNIT"),
      }),
    },
  };
}
