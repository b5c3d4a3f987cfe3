import { parseImage } from "@homelab-observability/contract";

/**
 * Every chart and image version the program deploys, in one place (kube-prometheus style), so an
 * upgrade is one reviewed diff and the policy pack can list exactly the images we ship.
 *
 * The open-source Loki chart lives at grafana-community since 7.0 (grafana/loki v3.7.6
 * docs/sources/setup/upgrade/upgrade-to-community/_index.md: 6.55.0 was the last from grafana/loki);
 * its appVersion at 18.11.0 is Loki 3.7.6 (Chart.yaml), the image pinned below.
 */
export const versions = {
  charts: {
    loki: { chart: "loki", repo: "https://grafana-community.github.io/helm-charts", version: "18.11.0" },
    alloy: { chart: "alloy", repo: "https://grafana.github.io/helm-charts", version: "1.5.0" },
    grafana: { chart: "grafana", repo: "https://grafana-community.github.io/helm-charts", version: "12.3.1" },
    vector: { chart: "vector", repo: "https://helm.vector.dev", version: "0.56.0" },
    kubePrometheusStack: {
      chart: "kube-prometheus-stack",
      repo: "https://prometheus-community.github.io/helm-charts",
      version: "88.0.0",
    },
    prometheusOperatorCrds: {
      chart: "prometheus-operator-crds",
      repo: "https://prometheus-community.github.io/helm-charts",
      version: "31.0.0",
    },
    nodeExporter: {
      chart: "prometheus-node-exporter",
      repo: "https://prometheus-community.github.io/helm-charts",
      version: "4.49.1",
    },
    kubeStateMetrics: {
      chart: "kube-state-metrics",
      repo: "https://prometheus-community.github.io/helm-charts",
      version: "6.4.1",
    },
    alertmanager: {
      chart: "alertmanager",
      repo: "https://prometheus-community.github.io/helm-charts",
      version: "1.42.0",
    },
    victoriaMetricsStack: {
      chart: "victoria-metrics-k8s-stack",
      repo: "https://victoriametrics.github.io/helm-charts/",
      version: "0.80.0",
    },
  },
  images: {
    loki: {
      registry: "docker.io",
      repository: "grafana/loki",
      tag: "3.7.6",
    },
    lokiCanary: {
      registry: "docker.io",
      repository: "grafana/loki-canary",
      tag: "3.7.6",
    },
    // The Loki chart's default is the floating `1.29-alpine`; this is the last 1.29 mainline build
    // (nginx/docker-nginx-unprivileged f8a83af "Update mainline NGINX to 1.29.5":
    // mainline/alpine-slim/Dockerfile NGINX_VERSION=1.29.5; .github/workflows/alpine-mainline.yml
    // tags <major>.<minor>.<patch>-alpine for linux/arm64 among others). Read, not pulled.
    lokiGateway: {
      registry: "docker.io",
      repository: "nginxinc/nginx-unprivileged",
      tag: "1.29.5-alpine",
    },
    // The gateway's metrics sidecar, the Loki chart's default since 18.x (loki 18.11.0 values.yaml
    // `gateway.metrics.image`).
    lokiGatewayExporter: {
      registry: "ghcr.io",
      repository: "jkroepke/access-log-exporter",
      tag: "0.4.11",
    },
    alloy: {
      registry: "docker.io",
      repository: "grafana/alloy",
      tag: "v1.12.0",
    },
    // The operator passes its own flags to the reloader it injects: keep both at the operator's
    // version (kube-prometheus-stack 88.0.0's appVersion).
    configReloader: {
      registry: "quay.io",
      repository: "prometheus-operator/prometheus-config-reloader",
      tag: "v0.93.0",
    },
    prometheusOperator: {
      registry: "quay.io",
      repository: "prometheus-operator/prometheus-operator",
      tag: "v0.93.0",
    },
    // The VictoriaMetrics operator chart's pre-delete hook that removes VM resources before the
    // operator goes (their finalizers would block). Multi-arch (kubernetes/kubernetes#116672).
    kubectl: {
      registry: "registry.k8s.io",
      repository: "kubectl",
      tag: "v1.31.0",
    },
    // The -debian variant: the journald source runs `journalctl`, which the distroless images lack
    // (vectordotdev/vector#19325); distribution/docker/debian/Dockerfile installs systemd, and
    // scripts/build-docker.sh publishes debian for linux/arm64/v8 (both at v0.56.0).
    vector: {
      registry: "docker.io",
      repository: "timberio/vector",
      tag: "0.56.0-debian",
    },
    grafana: {
      registry: "docker.io",
      repository: "grafana/grafana",
      tag: "12.3.1",
    },
    k8sSidecar: {
      registry: "quay.io",
      repository: "kiwigrid/k8s-sidecar",
      tag: "1.30.9",
    },
    mimir: {
      registry: "docker.io",
      repository: "grafana/mimir",
      tag: "3.0.0",
    },
    prometheus: {
      registry: "quay.io",
      repository: "prometheus/prometheus",
      tag: "v3.7.3",
    },
    alertmanager: {
      registry: "quay.io",
      repository: "prometheus/alertmanager",
      tag: "v0.28.1",
    },
    nodeExporter: {
      registry: "quay.io",
      repository: "prometheus/node-exporter",
      tag: "v1.10.2",
    },
    // The proxy in front of node-exporter (its chart's `kubeRBACProxy`): the default of
    // prometheus-node-exporter 4.49.1 values.yaml `kubeRBACProxy.image` (upstream/kubeRbacProxy.ts).
    kubeRbacProxy: {
      registry: "quay.io",
      repository: "brancz/kube-rbac-proxy",
      tag: "v0.20.0",
    },
    kubeStateMetrics: {
      registry: "registry.k8s.io",
      repository: "kube-state-metrics/kube-state-metrics",
      tag: "v2.17.0",
    },
    victoriaMetrics: {
      registry: "docker.io",
      repository: "victoriametrics/victoria-metrics",
      tag: "v1.144.0",
    },
    vmagent: {
      registry: "docker.io",
      repository: "victoriametrics/vmagent",
      tag: "v1.144.0",
    },
    vmalert: {
      registry: "docker.io",
      repository: "victoriametrics/vmalert",
      tag: "v1.144.0",
    },
    vmOperator: {
      registry: "docker.io",
      repository: "victoriametrics/operator",
      tag: "v0.66.0",
    },
    // The config-reloader the operator puts into VMAgent, VMAlert, VMAlertmanager and VMAuth pods
    // (contract/vmReloader.ts); the program hands it to the operator (builders/metrics/vmValues.ts),
    // so this pin is what runs. Keep it
    // at the operator's version, whose default it is (VictoriaMetrics/operator v0.66.0
    // internal/config/config.go:118). Published for linux/arm64: the release's `make publish`
    // (.github/workflows/release.yaml) builds it with `docker-buildx`, PLATFORMS linux/arm64 among
    // others (Makefile:214, :221-239, :247). Read at the tag, not pulled.
    vmConfigReloader: {
      registry: "docker.io",
      repository: "victoriametrics/operator",
      tag: "config-reloader-v0.66.0",
    },
    // The cluster version (VMCluster), the same release as vmsingle's image.
    vmstorage: {
      registry: "docker.io",
      repository: "victoriametrics/vmstorage",
      tag: "v1.144.0-cluster",
    },
    vminsert: {
      registry: "docker.io",
      repository: "victoriametrics/vminsert",
      tag: "v1.144.0-cluster",
    },
    vmselect: {
      registry: "docker.io",
      repository: "victoriametrics/vmselect",
      tag: "v1.144.0-cluster",
    },
  },
} as const;

/**
 * An image pin. `digest` (`sha256:<64 hex>`) pins the content: with it the charts and custom
 * resources get `<tag>@<digest>`, so a re-pushed tag cannot change what runs. Renovate writes and
 * bumps tag and digest together (renovate.json: the docker manager's `currentDigest`, `pinDigests`).
 */
export type ImageRef = {
  readonly registry: string;
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
};
export type ChartRef = { readonly chart: string; readonly repo: string; readonly version: string };

/** The form a digest must take (the OCI image spec's `algorithm:encoded`, sha256 only). */
export const DIGEST_FORM = /^sha256:[0-9a-f]{64}$/;

/**
 * How a chart's values take an image digest, read in each chart's templates at its pinned version
 * (test/project/imageDigests.test.ts renders every stack with digests through the real Helm and
 * finds each one on the container it pins):
 * - `digest`: `image.digest: sha256:<hex>`, rendered `@<digest>` (alloy `alloy.imageId`,
 *   prometheus-node-exporter `prometheus-node-exporter.image`, vector `vector.image`).
 * - `sha`: `image.sha: <hex>`, rendered `@sha256:<hex>` (grafana `_pod.tpl`, kube-prometheus-stack's
 *   own templates).
 * - `sha-prefixed`: `image.sha: sha256:<hex>`, rendered `@<sha>` (kube-state-metrics
 *   `kube-state-metrics.image`, KPS's subchart of the same).
 * - `tag`: no digest key (the alertmanager chart, the VictoriaMetrics charts and custom resources,
 *   raw container specs), or one that drops the tag (loki 18.11.0 `loki.image` renders `@<digest>`
 *   alone): the tag carries it, `<tag>@<digest>`.
 */
export type DigestForm = "digest" | "sha" | "sha-prefixed" | "tag";

/** The tag, or `<tag>@<digest>` when the image is pinned by digest. */
export function imageTag(image: ImageRef): string {
  return image.digest ? `${image.tag}@${image.digest}` : image.tag;
}

/**
 * `{registry, repository, tag}` plus the digest in the form the chart takes (a fresh copy to embed):
 * see {@link DigestForm}.
 */
export function imageValues(
  image: ImageRef,
  form: DigestForm,
): { registry: string; repository: string; tag: string; digest?: string; sha?: string } {
  const base = { registry: image.registry, repository: image.repository, tag: image.tag };
  const d = image.digest;
  if (!d) return base;
  switch (form) {
    case "digest":
      return { ...base, digest: d };
    case "sha":
      return { ...base, sha: d.replace(/^sha256:/, "") };
    case "sha-prefixed":
      return { ...base, sha: d };
    case "tag":
      return { ...base, tag: imageTag(image) };
  }
}

/**
 * {@link imageValues} for a chart without a `registry` key: the registry goes into `repository`
 * (or, with `keepRegistry` false, is left to the image name's default, docker.io).
 */
export function withoutRegistry(
  v: ReturnType<typeof imageValues>,
  keepRegistry = true,
): { repository: string; tag: string; digest?: string; sha?: string } {
  const { registry, repository, ...rest } = v;
  return { repository: keepRegistry ? `${registry}/${repository}` : repository, ...rest };
}

/** `registry/repository:tag[@digest]`, the form a container spec takes. */
export function imageString(image: ImageRef): string {
  return `${image.registry}/${image.repository}:${imageTag(image)}`;
}

/** A chart's pinned entry in {@link versions}, by chart name. */
export const pinnedChart = (name: string) => Object.values(versions.charts).find((c) => c.chart === name);

/** Every image the program deploys, as `registry/repository`, for the policy pack's arm64 list. */
export function shippedImageRepositories(): string[] {
  return Object.values(versions.images).map((i) => `${i.registry}/${i.repository}`);
}

/**
 * Each pinned image with its repository as parseImage spells it (`docker.io/grafana/loki`), read
 * once here for the program's mirror (builders/imageMirror.ts) and image-pins
 * (checks/imageDigests.ts), which compare a reference's parsed repository with it.
 */
export const PINNED_IMAGES: readonly { key: string; image: ImageRef; repository: string }[] = Object.entries(
  versions.images,
).map(([key, image]) => ({ key, image, repository: pinnedRepository(image) }));

/** A pin's repository as parseImage spells it (`docker.io/grafana/loki`): what an image of it is known by. */
export function pinnedRepository(image: ImageRef): string {
  return parseImage(`${image.registry}/${image.repository}`).repository;
}

/** The pinned images' repositories, each once ({@link PINNED_IMAGES}). */
export const PINNED_REPOSITORIES: readonly string[] = [...new Set(PINNED_IMAGES.map((p) => p.repository))];
