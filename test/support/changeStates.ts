/**
 * What the change check's tests (test/change/) build their before and after from: a stack's state
 * as change/change.ts planChange reads it, the refusal lines of its report, and the two stateful
 * objects most of its rules are tried on.
 */
import type { StackState } from "../../change/change";
import type { RenderedObject, StackObject } from "../../synth/render/types";
import type { ExportResource } from "../../synth/synthesize";

/** A stack's state: an export holding `resources` (version 3, as `pulumi stack export` writes), and its rendered objects. */
export const stackState = (resources: ExportResource[], objects: StackObject[] = []): StackState => ({
  export: { version: 3, deployment: { manifest: {}, resources } } as unknown as StackState["export"],
  objects,
});

/** The REFUSED lines of a change report as synth prints it. */
export const refusedLines = (text: string): string[] =>
  text.split("\n").filter((l) => /^\s+REFUSED /.test(l));

/** Production's Prometheus claim, as the program writes it, of class `cls` and size `storage`. */
export const prometheusClaim = (
  cls: string,
  storage: string,
  extra: Partial<ExportResource> = {},
): ExportResource => ({
  urn: "urn:pulumi:production::homelab-observability::kubernetes:core/v1:PersistentVolumeClaim::prometheus-volume",
  custom: true,
  type: "kubernetes:core/v1:PersistentVolumeClaim",
  inputs: {
    metadata: { name: "prometheus-db", namespace: "monitoring" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      storageClassName: cls,
      resources: { requests: { storage } },
    },
  },
  outputs: {},
  ...extra,
});

/** Loki's StatefulSet (one container, its headless Service) with these claim templates. */
export const lokiStatefulSet = (volumeClaimTemplates: Record<string, unknown>[]): RenderedObject => ({
  apiVersion: "apps/v1",
  kind: "StatefulSet",
  metadata: { name: "loki", namespace: "monitoring" },
  spec: {
    serviceName: "loki-headless",
    selector: { matchLabels: { app: "loki" } },
    template: { metadata: { labels: { app: "loki" } }, spec: { containers: [{ name: "l", image: "a" }] } },
    volumeClaimTemplates,
  },
});
