import { createHmac } from "crypto";

/**
 * The least-privilege MinIO policy for metrics: the one admin action MinIO's metrics handler
 * checks (minio/minio cmd/auth-handler.go `metricsRequestAuthenticate`: `admin:Prometheus`). An
 * admin-only statement carries no Resource (minio/pkg policy/statement.go `isValid` returns
 * before the resource checks for admin actions).
 */
export function minioMetricsPolicy(): {
  Version: string;
  Statement: { Effect: "Allow"; Action: string[] }[];
} {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["admin:Prometheus"] }] };
}

/**
 * Expiry of the token, fixed (2100-01-01T00:00:00Z) so the token, and the Secret holding it, only
 * change when the user's key does: `mc admin prometheus generate` uses now + 100 years
 * (minio/mc cmd/admin-prometheus-generate.go `defaultPrometheusJWTExpiry`), which would differ on
 * every `pulumi up`.
 */
export const MINIO_TOKEN_EXPIRY = 4102444800;

const b64url = (s: string | Buffer) => Buffer.from(s).toString("base64url");

/**
 * The bearer token MinIO accepts on its metrics endpoints, built as `mc admin prometheus generate`
 * builds it: a JWT signed HS512 with the user's secret key, claims `exp`, `sub` (the access key)
 * and `iss: "prometheus"` (the issuer MinIO verifies).
 */
export function minioPrometheusToken(accessKey: string, secretKey: string, exp = MINIO_TOKEN_EXPIRY): string {
  if (!accessKey || !secretKey)
    throw new Error("minioPrometheusToken: needs the access key and the secret key");
  const header = b64url(JSON.stringify({ alg: "HS512", typ: "JWT" }));
  const claims = b64url(JSON.stringify({ exp, iss: "prometheus", sub: accessKey }));
  const signature = createHmac("sha512", secretKey).update(`${header}.${claims}`).digest();
  return `${header}.${claims}.${b64url(signature)}`;
}

/** The Secret (and its key) the scrapers read the token from. */
export const MINIO_METRICS_SECRET = { name: "minio-metrics-token", key: "token" } as const;
/** Job name of MinIO's cluster-metrics scrape, the same for every scraper. */
export const MINIO_METRICS_JOB = "minio-cluster";

/** Where and how MinIO's cluster metrics are scraped (from model/endpoints.ts `minioMetricsEndpoint`). */
export interface MinioScrape {
  scheme: "http" | "https";
  /** host:port */
  target: string;
  path: string;
}

/**
 * A prometheus-operator ScrapeConfig (monitoring.coreos.com/v1alpha1) for MinIO's cluster metrics:
 * Prometheus selects it (kpsValues `scrapeConfigSelectorNilUsesHelmValues: false`) and the
 * VictoriaMetrics operator converts it to a VMScrapeConfig for vmagent.
 */
export function minioScrapeConfigSpec(s: MinioScrape): Record<string, unknown> {
  return {
    jobName: MINIO_METRICS_JOB,
    scheme: s.scheme.toUpperCase(),
    metricsPath: s.path,
    staticConfigs: [{ targets: [s.target] }],
    authorization: {
      type: "Bearer",
      credentials: { name: MINIO_METRICS_SECRET.name, key: MINIO_METRICS_SECRET.key },
    },
  };
}
