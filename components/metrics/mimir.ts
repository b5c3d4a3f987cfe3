import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { Profile, Resources } from "../../model/sizing";
import type { MimirInputs } from "../../builders/metrics/mimirConfig";
import {
  mimirConfigMap,
  mimirServiceMonitor,
  mimirServices,
  mimirWorkloads,
  type MimirTargetSpec,
} from "../../builders/metrics/mimirValues";

/** Arguments of {@link Mimir}. */
export interface MimirArgs {
  /** Namespace of every object. Required. */
  namespace: string;
  /** Mimir's own config: storage, limits, ring, ruler (the plan's `mimir.settings`). Required. */
  settings: MimirInputs;
  /** Sizing profile for the floor resources. Required. */
  profile: Profile;
  /** StorageClass of the claim templates. Required. */
  storageClass: string;
  /** Size of the monolithic claim template (the scaled-out shape sizes each group's own). Required. */
  volumeSize: string;
  /** Requests and limits sized to hold the series cap (config/sizing.ts). Default: the profile's floor. */
  resources?: Resources;
  /**
   * The scaled-out shape (config/sizing.ts `mimirReadWriteShape`): each target's pods, resources and
   * volume. Default: absent, monolithic (`-target=all`).
   */
  readWrite?: { write: MimirTargetSpec; read: MimirTargetSpec; backend: MimirTargetSpec };
  /** Buckets, user and credential Secret Mimir waits for. Default: none. */
  dependsOn?: pulumi.Resource[];
  /** Kubernetes provider; every child uses it. Required. */
  provider: k8s.Provider;
}

/**
 * Mimir as the program's own objects rather than mimir-distributed: that chart deploys Kafka,
 * zone-aware ingesters, caches and a rollout operator by default, all of which a homelab would have
 * to switch off one by one. Monolithic (`-target=all`) is the documented small shape; past what one
 * node holds, the same image scaled out in groups of Mimir 3.0 modules (builders/metrics/mimirValues.ts).
 */
export class Mimir extends pulumi.ComponentResource {
  constructor(name: string, args: MimirArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:metrics:Mimir", name, {}, opts);
    const o = { parent: this, provider: args.provider };
    const config = new k8s.core.v1.ConfigMap(`${name}-config`, mimirConfigMap(args), o);
    const services = mimirServices(args).map(
      (s) => new k8s.core.v1.Service(`${name}${s.suffix}`, { metadata: s.metadata, spec: s.spec }, o),
    );
    const workloads = mimirWorkloads(args);
    const waits = { ...o, dependsOn: [config, ...services, ...(args.dependsOn ?? [])] };
    for (const s of workloads.statefulSets)
      new k8s.apps.v1.StatefulSet(`${name}${s.suffix}`, { metadata: s.metadata, spec: s.spec }, waits);
    for (const d of workloads.deployments)
      new k8s.apps.v1.Deployment(`${name}${d.suffix}`, { metadata: d.metadata, spec: d.spec }, waits);
    new k8s.apiextensions.CustomResource(`${name}-servicemonitor`, mimirServiceMonitor(args), o);
    // Its URLs are plan data (model/endpoints.ts): nothing reads them from the component.
    this.registerOutputs({});
  }
}
