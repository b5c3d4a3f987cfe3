import { claimSpec } from "../core/claim";
import { MIMIR_STATEFUL_SETS, withStackKeys } from "../../config/stackKeyPaths";
import { createHash } from "crypto";
import type * as k8s from "@pulumi/kubernetes";
import { stringify } from "yaml";
import { sizing, type Profile, type Resources } from "../../model/sizing";
import { imageString, versions } from "../../model/versions";
import { containerHardening, nonRootPod, PRIORITY_CLASSES } from "../security/hardening";
import { mimirConfig, type MimirInputs } from "./mimirConfig";
import { RELEASES } from "../../model/names";
import { MIMIR_GOSSIP, mimirName, PORTS, type MimirTarget } from "../../model/services";
import { PART_OF_LABEL } from "../metadata";
import type { MimirModule } from "../../upstream/engines/mimirModules";

/*
 * The Kubernetes objects of Mimir, as plain specs (components/metrics/mimir.ts creates them).
 *
 * Monolithic: one StatefulSet `mimir` running `-target=all` behind the Service `mimir`.
 * Scaled out: the same image and config file in three groups of Mimir 3.0 modules, each group
 * one `-target` list ({@link MIMIR_GROUP_MODULES}; `-target` takes a comma-separated list of
 * modules, grafana/mimir mimir-3.0.0 pkg/mimir/mimir.go:172). Mimir 3.0 removed the read-write
 * targets `write`, `read` and `backend` that this shape used to name (#12584;
 * upstream/engines/mimirModules.ts), so the groups name the modules those targets ran, less the
 * Alertmanager and overrides-exporter that nothing here uses:
 * - `mimir-write` StatefulSet: distributor + ingester; holds the WAL and TSDB head.
 * - `mimir-read` Deployment: query-frontend + querier; stateless (the upstream jsonnet ran the
 *   same group as a Deployment, operations/mimir/read-write-deployment/read.libsonnet).
 * - `mimir-backend` StatefulSet: query-scheduler, store-gateway, compactor, ruler; holds index
 *   headers and compactor work.
 * Each has its Service (http and grpc); every Mimir pod joins the one memberlist through the headless
 * `mimir-gossip` Service, which also governs the StatefulSets' pod names.
 *
 * Unlike the upstream jsonnet, the write and backend groups are not split into three zones: that
 * layout serves rollouts of many replicas through its rollout-operator, which this stack does not
 * run; replication factor 3 over at least 3 pods, spread over nodes where the pools allow, keeps a
 * copy of each series through the loss of one pod.
 *
 * Every path a Mimir process writes is on its `/data` volume (mimirConfig.ts; the rendered-object
 * check `written-paths` proves it), so the root filesystem is read-only.
 */

/** The Mimir 3.0 modules each workload group runs (its `-target` list). */
export const MIMIR_GROUP_MODULES: Readonly<Record<MimirTarget, readonly MimirModule[]>> = {
  all: ["all"],
  write: ["distributor", "ingester"],
  read: ["query-frontend", "querier"],
  backend: ["query-scheduler", "store-gateway", "compactor", "ruler"],
};

/** The `-target` argument of a workload group. */
export function mimirTargetArg(group: MimirTarget): string {
  return `-target=${MIMIR_GROUP_MODULES[group].join(",")}`;
}

export type { MimirTarget };

/** The labels of the pods (and objects) of one target. */
export function mimirLabels(target: MimirTarget): Record<string, string> {
  return {
    "app.kubernetes.io/name": "mimir",
    "app.kubernetes.io/component": target,
    ...PART_OF_LABEL,
  };
}

/** Labels every Mimir pod carries whatever its target: the memberlist's members. */
export const MIMIR_MEMBERS: Record<string, string> = {
  "app.kubernetes.io/name": "mimir",
  ...PART_OF_LABEL,
};

/** The pods Mimir's NetworkPolicy guards and its peers: the monolithic pods, or every group's. */
export function mimirPodLabels(readWrite: boolean): Record<string, string> {
  return readWrite ? MIMIR_MEMBERS : mimirLabels("all");
}

/** One group of the scaled-out shape as deployed: its pods, their resources and (write, backend) volume. */
export interface MimirTargetSpec {
  replicas: number;
  resources: Resources;
  /** Volume of each pod; absent for read. */
  volumeSize?: string;
}

/** What the objects are built from. */
export interface MimirObjectsInput {
  namespace: string;
  settings: MimirInputs;
  profile: Profile;
  storageClass: string;
  /** The monolithic pod's volume. */
  volumeSize: string;
  /** The monolithic pod's resources; default the profile's floor. */
  resources?: Resources;
  /** The scaled-out shape's groups; absent: monolithic. */
  readWrite?: { write: MimirTargetSpec; read: MimirTargetSpec; backend: MimirTargetSpec };
}

/** An object's metadata as the component writes it. */
export interface MimirMetadata {
  name: string;
  namespace: string;
  labels: Record<string, string>;
}

/** One object the component creates: its resource-name suffix, metadata and spec. */
export interface MimirObject<S> {
  /** Appended to the component's name for the Pulumi resource name ("" or "-write"). */
  suffix: string;
  metadata: MimirMetadata;
  spec: S;
}

const meta = (input: MimirObjectsInput, name: string, labels: Record<string, string>): MimirMetadata => ({
  name,
  namespace: input.namespace,
  labels,
});

/** Mimir's config file, as the ConfigMap holds it. */
export function mimirConfigYaml(settings: MimirInputs): string {
  return stringify(mimirConfig(settings));
}

export const MIMIR_CONFIG_MAP = `${RELEASES.mimir}-config`;

/** The ConfigMap holding Mimir's config file (every target reads the same one). */
export function mimirConfigMap(input: MimirObjectsInput): {
  metadata: MimirMetadata;
  data: Record<string, string>;
} {
  return {
    metadata: meta(input, MIMIR_CONFIG_MAP, mimirPodLabels(!!input.readWrite)),
    data: { "mimir.yaml": mimirConfigYaml(input.settings) },
  };
}

/** Upstream's grace periods (write.libsonnet 1200 s, backend.libsonnet 900 s): ingesters and compactors finish their work. */
const GRACE: Partial<Record<MimirTarget, number>> = { write: 1200, backend: 900 };

function podTemplate(input: MimirObjectsInput, target: MimirTarget, resources: Resources, volume: boolean) {
  const labels = mimirLabels(target);
  const envFrom = input.settings.storage.kind === "s3" ? input.settings.storage.envFrom : [];
  const spread =
    target === "write" || target === "backend"
      ? {
          // Replicas of a target on distinct nodes where the pools allow: the ring's copies of a
          // series (or of a block's index) then survive the loss of one node.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    labelSelector: { matchLabels: labels },
                    topologyKey: "kubernetes.io/hostname",
                  },
                },
              ],
            },
          },
        }
      : {};
  const grace = GRACE[target];
  return {
    // Mimir reads its config file once at start: a changed config (the ruler's Alertmanager at
    // when the ruler takes the rules, say) must roll the pods, so the pod template carries the config's digest.
    metadata: {
      labels,
      annotations: {
        "checksum/config": createHash("sha256").update(mimirConfigYaml(input.settings)).digest("hex"),
      },
    },
    spec: {
      // Pod template fields only: a running StatefulSet takes them in place (a rolling update).
      securityContext: nonRootPod(10001),
      // Mimir never calls the Kubernetes API (memberlist finds peers through the gossip Service).
      automountServiceAccountToken: false,
      ...(target === "read" ? {} : { priorityClassName: PRIORITY_CLASSES.stateful.name }),
      ...spread,
      ...(grace === undefined ? {} : { terminationGracePeriodSeconds: grace }),
      containers: [
        {
          name: "mimir",
          image: imageString(versions.images.mimir),
          args: [mimirTargetArg(target), "-config.file=/etc/mimir/mimir.yaml", "-config.expand-env=true"],
          envFrom,
          ports: [
            { name: "http", containerPort: PORTS.mimir.http },
            { name: "grpc", containerPort: PORTS.mimir.grpc },
            { name: "memberlist", containerPort: PORTS.mimir.memberlist },
          ],
          readinessProbe: { httpGet: { path: "/ready", port: "http" }, initialDelaySeconds: 15 },
          // Read-only root: every path Mimir writes is under /data (mimirConfig.ts).
          securityContext: containerHardening({ readOnlyRoot: true }),
          resources,
          volumeMounts: [
            { name: "config", mountPath: "/etc/mimir" },
            // read keeps nothing: its scratch files go to an emptyDir.
            { name: "data", mountPath: "/data" },
          ],
        },
      ],
      volumes: [
        { name: "config", configMap: { name: MIMIR_CONFIG_MAP } },
        ...(volume ? [] : [{ name: "data", emptyDir: {} }]),
      ],
    },
  };
}

/**
 * A StatefulSet spec of `target` (with a claim: all, write or backend). The stack keys' values go
 * where config/stackKeyPaths.ts' table places them (the class, and monolithic Mimir's size), which
 * the change check reads to name the key behind a refused claim change; the scaled-out groups'
 * sizes are the program's (config/sizing.ts mimirReadWriteShape).
 */
function statefulSetSpec(
  input: MimirObjectsInput,
  target: Exclude<MimirTarget, "read">,
  replicas: number,
  resources: Resources,
  volumeSize: string,
): k8s.types.input.apps.v1.StatefulSetSpec {
  const spec = {
    serviceName: MIMIR_GOSSIP,
    replicas,
    podManagementPolicy: "Parallel",
    selector: { matchLabels: mimirLabels(target) },
    // Deleting or scaling Mimir down never deletes its WAL/TSDB claim.
    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
    template: podTemplate(input, target, resources, true),
    volumeClaimTemplates: [
      {
        metadata: { name: "data" },
        spec: claimSpec(input.storageClass, volumeSize),
      },
    ],
  };
  const keys = { "storageClasses.metrics": input.storageClass };
  const placed =
    target === "all"
      ? withStackKeys(MIMIR_STATEFUL_SETS.all, { spec }, { ...keys, "mimir.volumeSize": volumeSize })
      : withStackKeys(MIMIR_STATEFUL_SETS[target], { spec }, keys);
  return placed.spec as k8s.types.input.apps.v1.StatefulSetSpec;
}

/** The StatefulSet spec of monolithic Mimir: one binary, `-target=all`, config expanded from env. */
export function mimirStatefulSetSpec(input: MimirObjectsInput): k8s.types.input.apps.v1.StatefulSetSpec {
  return statefulSetSpec(
    input,
    "all",
    input.settings.replicas,
    input.resources ?? sizing(input.profile, "mimir"),
    input.volumeSize,
  );
}

/** Mimir's StatefulSets (and the scaled-out shape's read Deployment). */
export function mimirWorkloads(input: MimirObjectsInput): {
  statefulSets: MimirObject<k8s.types.input.apps.v1.StatefulSetSpec>[];
  deployments: MimirObject<k8s.types.input.apps.v1.DeploymentSpec>[];
} {
  const rw = input.readWrite;
  if (!rw)
    return {
      statefulSets: [
        {
          suffix: "",
          metadata: meta(input, mimirName("all"), mimirLabels("all")),
          spec: mimirStatefulSetSpec(input),
        },
      ],
      deployments: [],
    };
  const sts = (target: "write" | "backend") => ({
    suffix: `-${target}`,
    metadata: meta(input, mimirName(target), mimirLabels(target)),
    spec: statefulSetSpec(
      input,
      target,
      rw[target].replicas,
      rw[target].resources,
      rw[target].volumeSize ?? input.volumeSize,
    ),
  });
  return {
    statefulSets: [sts("write"), sts("backend")],
    deployments: [
      {
        suffix: "-read",
        metadata: meta(input, mimirName("read"), mimirLabels("read")),
        spec: {
          replicas: rw.read.replicas,
          selector: { matchLabels: mimirLabels("read") },
          template: podTemplate(input, "read", rw.read.resources, false),
        },
      },
    ],
  };
}

const httpAndGrpc = [
  { name: "http", port: PORTS.mimir.http, targetPort: "http" },
  { name: "grpc", port: PORTS.mimir.grpc, targetPort: "grpc" },
];

/**
 * Mimir's Services: `mimir` (monolithic) or one per group (scaled out: `mimir-write` takes the
 * pushes, `mimir-read` the queries, `mimir-backend` the ruler's API; model/endpoints.ts), and the
 * headless `mimir-gossip` every pod joins the memberlist through (not-ready pods included, so a
 * starting ingester finds its ring).
 */
export function mimirServices(input: MimirObjectsInput): MimirObject<k8s.types.input.core.v1.ServiceSpec>[] {
  const rw = !!input.readWrite;
  const members = mimirPodLabels(rw);
  const targets: MimirTarget[] = rw ? ["write", "read", "backend"] : ["all"];
  return [
    ...targets.map((t) => ({
      suffix: t === "all" ? "" : `-${t}`,
      metadata: meta(input, mimirName(t), mimirLabels(t)),
      spec: { selector: mimirLabels(t), ports: httpAndGrpc },
    })),
    {
      suffix: "-gossip",
      metadata: meta(input, MIMIR_GOSSIP, members),
      spec: {
        clusterIP: "None",
        publishNotReadyAddresses: true,
        selector: members,
        ports: [{ name: "memberlist", port: PORTS.mimir.memberlist, targetPort: "memberlist" }],
      },
    },
  ];
}

/**
 * The ServiceMonitor's selector: the monolithic Service, or every target's. The gossip Service is
 * never scraped: the scaled-out selector leaves it out, and the monolithic one, which matches
 * its labels too, finds no `http` port on it.
 */
export function mimirServiceMonitorSelector(readWrite: boolean): Record<string, unknown> {
  if (!readWrite) return { matchLabels: mimirLabels("all") };
  return {
    matchLabels: MIMIR_MEMBERS,
    matchExpressions: [
      { key: "app.kubernetes.io/component", operator: "In", values: ["write", "read", "backend"] },
    ],
  };
}

/**
 * The ServiceMonitor that has Mimir's Services scraped (their `http` port's `/metrics`), named and
 * labelled like the ConfigMap.
 */
export function mimirServiceMonitor(input: MimirObjectsInput): {
  apiVersion: string;
  kind: string;
  metadata: MimirMetadata;
  spec: Record<string, unknown>;
} {
  const rw = !!input.readWrite;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "ServiceMonitor",
    metadata: meta(input, RELEASES.mimir, mimirPodLabels(rw)),
    spec: {
      selector: mimirServiceMonitorSelector(rw),
      endpoints: [{ port: "http", path: "/metrics", interval: "30s" }],
    },
  };
}
