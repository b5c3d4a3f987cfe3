/**
 * How each scraper of the stack turns a ServiceMonitor endpoint's `scheme`, `tlsConfig` and
 * `bearerTokenFile` into its own scrape config, and where it finds its ServiceAccount token. Read,
 * not run, at the versions the program pins; the node-exporter ServiceMonitor
 * (builders/metrics/exporterValues.ts) is written to what all three honour.
 */

/** The file every scraper reads its own ServiceAccount token from (the kubelet's, or the VM operator's projection). */
export const SA_TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export type Scraper = "prometheus" | "alloy" | "vmagent";

export interface EndpointAuthContract {
  /** Project and version read. */
  at: string;
  /** Where `scheme` becomes the scrape's scheme. */
  scheme: string;
  /** Where `tlsConfig.insecureSkipVerify` becomes `tls_config.insecure_skip_verify`. */
  insecureSkipVerify: string;
  /** Where `bearerTokenFile` becomes `bearer_token_file` (and whether it is deprecated there). */
  bearerTokenFile: string;
  /** What refuses a `bearerTokenFile`, and whether the stack has it on. */
  refusedWhen: string;
  /** Where the token is mounted in the scraping container. */
  token: string;
}

export const ENDPOINT_AUTH: Readonly<Record<Scraper, EndpointAuthContract>> = {
  prometheus: {
    at: "prometheus-operator/prometheus-operator v0.93.0 (kube-prometheus-stack 88.0.0's appVersion)",
    scheme: "pkg/prometheus/promcfg.go:2004-2006 (line 2005)",
    insecureSkipVerify: "pkg/prometheus/promcfg.go:2018 addTLStoYaml",
    bearerTokenFile:
      "pkg/prometheus/promcfg.go:2020-2023 (honoured; `Deprecated: use authorization instead`, pkg/apis/monitoring/v1/types.go:643-647, whose `authorization` takes a Secret only, not the pod's own token file)",
    refusedWhen:
      "`spec.arbitraryFSAccessThroughSMs.deny` (pkg/prometheus/resource_selector.go:206-212, 273-289); kube-prometheus-stack 88.0.0 renders the field only when prometheusSpec.arbitraryFSAccessThroughSMs is set (templates/prometheus/prometheus.yaml:434-437, values.yaml:4896 default false): off",
    token:
      "the pod's automounted token (kube-prometheus-stack 88.0.0 values.yaml:3659-3663, prometheus.serviceAccount.automountServiceAccountToken true)",
  },
  alloy: {
    at: "grafana/alloy v1.12.0, internal/component/prometheus/operator/configgen",
    scheme: "config_gen_servicemonitor.go:61-63",
    insecureSkipVerify: "config_gen_servicemonitor.go:70-74, config_gen.go:77-81 generateSafeTLS",
    bearerTokenFile: "config_gen_servicemonitor.go:75-76 (honoured)",
    refusedWhen: "never (no arbitrary-file switch in configgen at v1.12.0)",
    token: "the pod's automounted token (the Alloy chart's default)",
  },
  vmagent: {
    at: "VictoriaMetrics/operator v0.66.0 (model/versions.ts vmOperator)",
    scheme:
      "internal/controller/operator/converter/apis.go:224 (ServiceMonitor -> VMServiceScrape), factory/vmagent/vmagent_scrapeconfig.go:1142-1146 (lower-cased)",
    insecureSkipVerify:
      "converter/apis.go:235, 268-287 ConvertTLSConfig; vmagent_scrapeconfig.go:1179-1184 addEndpointAuthTo, build/cache.go:198",
    bearerTokenFile:
      "converter/apis.go:238-240 (kept for backward compatibility; only /etc/prometheus/{secrets,configmaps} paths are rewritten, apis.go:151-159), vmagent_scrapeconfig.go:1185-1186",
    refusedWhen:
      "VMAgent `spec.arbitraryFSAccessThroughSMs.deny` (factory/vmagent/vmagent_scrapeconfig.go:42-49, 403-405); the program's VMAgent leaves it unset: off",
    token:
      "with `disableAutomountServiceAccountToken` the operator projects the token into the vmagent container at /var/run/secrets/kubernetes.io/serviceaccount (factory/vmagent/vmagent.go:687, build/service_account.go:35-51)",
  },
};
