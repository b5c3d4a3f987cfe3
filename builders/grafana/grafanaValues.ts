import { withStackKeys } from "../../config/stackKeyPaths";
import { RELEASES } from "../../model/names";
import { SECRET_REFS } from "../../model/secrets";
import { sizing, type Profile } from "../../model/sizing";
import { imageValues, versions } from "../../model/versions";
import { grafanaDatasources, type DatasourceInputs } from "./datasources";
import { dashboardsFor, type DashboardInputs } from "./dashboards";
import { communityDashboards } from "./community";
import { containerHardening, nonRootPod, PRIORITY_CLASSES } from "../security/hardening";
import { PART_OF_LABEL } from "../metadata";
import { grafanaExposureValues, type GrafanaIngressInputs, type GrafanaRouteInputs } from "./ingress";

/** What the Grafana release is built from (the plan's `grafana.settings`). */
export interface GrafanaInputs {
  profile: Profile;
  url: string;
  volumeSize: string;
  storageClass: string;
  datasources: DatasourceInputs;
  /** Which backend and log agent the shipped dashboards describe. */
  dashboards: DashboardInputs;
  /** Secret with the admin login (keys admin-user, admin-password). Default SECRET_REFS.grafanaAdmin's. */
  adminSecret?: string;
  /**
   * Where the dashboard sidecar looks for labelled ConfigMaps: "all" namespaces or a list (the
   * stack's namespace is always added). Default "all".
   */
  dashboardNamespaces?: "all" | string[];
  /** An Ingress for Grafana (`grafana.ingress`). Default none. */
  ingress?: GrafanaIngressInputs;
  /** An HTTPRoute for Grafana (`grafana.httpRoute`). Default none. */
  httpRoute?: GrafanaRouteInputs;
}

/**
 * The Role (or ClusterRole, when it searches every namespace) Grafana's dashboard sidecar works
 * with: ConfigMaps, read only.
 * The chart's own rules always add Secrets (templates/role.yaml, clusterrole.yaml: "configmaps",
 * "secrets"), so the chart's RBAC is off and the program binds this Role. A binding of its own
 * (another name than the chart's `grafana`): a RoleBinding's roleRef cannot change in place, so
 * pointing the chart's binding at another role would make the API server refuse the upgrade.
 */
export const GRAFANA_SIDECAR_ROLE = "grafana-dashboard-reader";

/** The rules of {@link GRAFANA_SIDECAR_ROLE}. */
export const GRAFANA_SIDECAR_RULES = [
  { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
];

/** Where the admin Secret's files are mounted in the Grafana container. */
export const GRAFANA_ADMIN_DIR = "/etc/secrets/grafana-admin";

/** Directories Grafana writes outside its claim, each an emptyDir under its read-only root. */
export const GRAFANA_WRITABLE_DIRS = [
  { name: "tmp", path: "/tmp" },
  { name: "logs", path: "/var/log/grafana" },
] as const;

/** Values of the standalone grafana chart: admin from a Secret, persistence, provisioned datasources. */
export function grafanaValues(input: GrafanaInputs, namespace: string): Record<string, any> {
  const g = SECRET_REFS.grafanaAdmin;
  const sidecarImage = versions.images.k8sSidecar;
  const values = {
    // The chart names its ServiceAccount after the fullname; components/grafana/grafana.ts binds it.
    fullnameOverride: RELEASES.grafana,
    image: imageValues(versions.images.grafana, "sha"),
    admin: {
      existingSecret: input.adminSecret ?? g.secretName,
      userKey: g.userKey,
      passwordKey: g.passwordKey,
    },
    // The admin login from files of the mounted Secret, not from environment variables in the pod
    // spec: the image's run.sh reads every GF_*__FILE into its variable (grafana/grafana
    // packaging/docker/run.sh), and with both set the chart puts no secretKeyRef env on Grafana or
    // on the sidecars (grafana 12.3.1 templates/_pod.tpl:1411-1424, 794-806).
    extraSecretMounts: [
      {
        name: "admin-credentials",
        secretName: input.adminSecret ?? g.secretName,
        mountPath: GRAFANA_ADMIN_DIR,
        readOnly: true,
        defaultMode: 0o440,
      },
    ],
    env: {
      GF_SECURITY_ADMIN_USER__FILE: `${GRAFANA_ADMIN_DIR}/${g.userKey}`,
      GF_SECURITY_ADMIN_PASSWORD__FILE: `${GRAFANA_ADMIN_DIR}/${g.passwordKey}`,
    },
    persistence: { enabled: true, storageClassName: input.storageClass },
    // The chown init container runs busybox as root; fsGroup does the same job.
    initChownData: { enabled: false },
    securityContext: nonRootPod(472),
    // A read-only root filesystem: Grafana writes its database and plugins under /var/lib/grafana
    // (the claim; the chart's grafana.ini `paths`), its search index under /var/lib/grafana-search
    // (the chart's emptyDir), logs to the console (`log.mode: console`, the chart's default) and
    // downloads (plugin archives) and plugin sockets under /tmp, an emptyDir here
    // (grafana-community/helm-charts#729 lists the same two). /var/log/grafana gets one too, as the
    // image's run.sh passes it as paths.logs.
    containerSecurityContext: { ...containerHardening({ readOnlyRoot: true }), privileged: false },
    extraEmptyDirMounts: GRAFANA_WRITABLE_DIRS.map((d) => ({ name: d.name, mountPath: d.path })),
    priorityClassName: PRIORITY_CLASSES.stateful.name,
    // No chart RBAC (its rules grant Secrets); the component binds GRAFANA_SIDECAR_ROLE instead.
    rbac: { create: false },
    resources: sizing(input.profile, "grafana"),
    "grafana.ini": {
      server: { root_url: input.url },
      analytics: { reporting_enabled: false, check_for_updates: false },
    },
    datasources: { "datasources.yaml": { apiVersion: 1, ...grafanaDatasources(input.datasources) } },
    // Dashboards come from ConfigMaps labelled grafana_dashboard in the stack's namespace (the
    // program's own, see DASHBOARD_LABEL). Never through `dashboards`: any entry there makes
    // the chart add a `download-dashboards` curl init container (grafana 12.3.1
    // templates/_pod.tpl), an extra image with no requests that wants internet from the cluster.
    sidecar: {
      image: imageValues(sidecarImage, "sha"),
      resources: sizing(input.profile, "grafanaSidecar"),
      securityContext: containerHardening({ readOnlyRoot: true }),
      dashboards: {
        enabled: true,
        // No reload call: the sidecar holds no admin login any more, and Grafana's file provider
        // picks the files up on its own every 30 s (grafana 12.3.1 templates/_config.tpl:166).
        skipReload: true,
        label: DASHBOARD_LABEL,
        // ConfigMaps only (its Role or ClusterRole grants nothing else), in every namespace or in
        // the listed ones: the sidecar joins the list into its NAMESPACE variable, "ALL" meaning
        // every namespace (grafana 12.3.1 values.yaml sidecar.dashboards.searchNamespace,
        // templates/_pod.tpl:777-779).
        searchNamespace: sidecarNamespaces(namespace, input.dashboardNamespaces),
        resource: "configmap",
        // The program's dashboards go to the "Homelab" folder named by this annotation.
        folderAnnotation: FOLDER_ANNOTATION,
        provider: { foldersFromFilesStructure: true },
      },
      datasources: { enabled: false },
    },
    serviceMonitor: { enabled: true },
    ...grafanaExposureValues(input.ingress, input.httpRoute),
  };
  // Where the stack key's value goes is config/stackKeyPaths.ts' table, read by the config check too.
  return withStackKeys("grafana", values, { "grafana.volumeSize": input.volumeSize });
}

/** Label (any value) by which Grafana's dashboard sidecar loads a ConfigMap's JSON files. */
export const DASHBOARD_LABEL = "grafana_dashboard";

/** Annotation naming the Grafana folder the sidecar files a ConfigMap's dashboards under. */
export const FOLDER_ANNOTATION = "grafana_folder";

/** The program's own dashboards (builders/grafana/dashboards.ts) as sidecar ConfigMap data: file -> JSON. */
export function dashboardFiles(input: DashboardInputs): Record<string, string> {
  return Object.fromEntries(
    Object.entries(dashboardsFor(input)).map(([file, d]) => [
      file.endsWith(".json") ? file : `${file}.json`,
      JSON.stringify(d),
    ]),
  );
}

/** The sidecar's `searchNamespace`: ["ALL"], or the stack's namespace and the listed ones. */
export function sidecarNamespaces(namespace: string, wanted: "all" | string[] = "all"): string[] {
  return wanted === "all" ? ["ALL"] : [...new Set([namespace, ...wanted])];
}

/** The Role that lets the dashboard sidecar list and watch ConfigMaps in one namespace. */
export function grafanaSidecarRole(namespace: string) {
  return {
    metadata: { name: GRAFANA_SIDECAR_ROLE, namespace, labels: { ...PART_OF_LABEL } },
    rules: GRAFANA_SIDECAR_RULES,
  };
}

/** Binds {@link grafanaSidecarRole} in `namespace` to the chart's ServiceAccount in Grafana's namespace. */
export function grafanaSidecarRoleBinding(namespace: string, grafanaNamespace: string = namespace) {
  return {
    metadata: { name: GRAFANA_SIDECAR_ROLE, namespace, labels: { ...PART_OF_LABEL } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: GRAFANA_SIDECAR_ROLE },
    subjects: [{ kind: "ServiceAccount", name: RELEASES.grafana, namespace: grafanaNamespace }],
  };
}

/**
 * The sidecar's RBAC for where it searches: a ClusterRole and its binding for "all" (named after
 * Grafana's namespace, as cluster-scoped names are shared by every stack of the cluster), else a
 * Role and RoleBinding in each namespace it searches.
 */
export function grafanaSidecarRbac(namespace: string, wanted: "all" | string[] = "all") {
  if (wanted === "all") {
    const name = `${GRAFANA_SIDECAR_ROLE}-${namespace}`;
    return {
      clusterRole: { metadata: { name, labels: { ...PART_OF_LABEL } }, rules: GRAFANA_SIDECAR_RULES },
      clusterRoleBinding: {
        metadata: { name, labels: { ...PART_OF_LABEL } },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
        subjects: [{ kind: "ServiceAccount", name: RELEASES.grafana, namespace }],
      },
      roles: [],
      roleBindings: [],
    };
  }
  const namespaces = sidecarNamespaces(namespace, wanted);
  return {
    roles: namespaces.map((ns) => grafanaSidecarRole(ns)),
    roleBindings: namespaces.map((ns) => grafanaSidecarRoleBinding(ns, namespace)),
  };
}

/** The ConfigMap of the program's dashboards, which the sidecar files into the "Homelab" folder. */
export function grafanaDashboardsConfigMap(namespace: string, input: DashboardInputs) {
  return dashboardConfigMap("homelab-dashboards", namespace, "Homelab", dashboardFiles(input));
}

/**
 * The API server refuses a ConfigMap whose data exceeds 1 MiB (k8s.io/api core/v1 types.go,
 * ConfigMap: "The total size of data cannot exceed 1MiB"); each folder's ConfigMap stays below
 * it, with room for its metadata.
 */
export const CONFIGMAP_DATA_LIMIT = 1024 * 1024 - 16 * 1024;

function dashboardConfigMap(name: string, namespace: string, folder: string, data: Record<string, string>) {
  const size = Object.entries(data).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (size > CONFIGMAP_DATA_LIMIT)
    throw new Error(
      `dashboards of folder "${folder}": ${size} bytes, over the ${CONFIGMAP_DATA_LIMIT} bytes a ConfigMap holds; split the folder`,
    );
  return {
    metadata: {
      name,
      namespace,
      labels: { [DASHBOARD_LABEL]: "1", ...PART_OF_LABEL },
      annotations: { [FOLDER_ANNOTATION]: folder },
    },
    data,
  };
}

/**
 * The community dashboards (builders/grafana/community.ts) as one ConfigMap per Grafana folder
 * (`homelab-dashboards-<folder>`), each filed by the sidecar under its folder.
 */
export function communityDashboardConfigMaps(namespace: string, input: DashboardInputs) {
  return [...fittedDashboardTexts(input.emitters)].map(([folder, files]) =>
    dashboardConfigMap(
      `homelab-dashboards-${folder.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
      namespace,
      folder,
      { ...files },
    ),
  );
}

/**
 * The fitted dashboards' texts by folder and file, kept per set of emitters: fitting and writing them
 * is most of what the Grafana component costs, and the tests synthesize the same stacks many times.
 * Texts are immutable; each caller gets its own `data` object.
 */
function fittedDashboardTexts(emitters: readonly string[]): Map<string, Record<string, string>> {
  const key = emitters.join("\n");
  let byFolder = filesByEmitters.get(key);
  if (!byFolder) {
    byFolder = new Map<string, Record<string, string>>();
    for (const d of communityDashboards({ emitters })) {
      const files = byFolder.get(d.folder) ?? {};
      files[d.file] = JSON.stringify(d.json);
      byFolder.set(d.folder, files);
    }
    if (filesByEmitters.size >= 32) filesByEmitters.clear();
    filesByEmitters.set(key, byFolder);
  }
  return byFolder;
}
const filesByEmitters = new Map<string, Map<string, Record<string, string>>>();
