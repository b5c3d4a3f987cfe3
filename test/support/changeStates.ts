/**
 * What the change check's tests (test/change/) build their before and after from: a stack's state
 * as change/change.ts planChange reads it, the refusal lines of its report, and the two stateful
 * objects most of its rules are tried on.
 */
import * as fs from "fs";
import * as path from "path";
import type { StackState } from "../../change/change";
import { checkChange } from "../../change/check";
import type { RenderedObject, StackObject } from "../../synth/render/types";
import type { ExportResource, StackExport } from "../../synth/synthesize";
import { ROOT, synth, tmpDir } from "./helpers";

/**
 * The change check as `npm run synth -- --stack <s> --against <file>` runs it, for the tests of its
 * stack-wide verdicts: `write` puts an export in a file of its own (under a `folder`-named temporary
 * folder), `previousOf` writes a synthesis of `stack` with `over` as the previous export, and
 * `check` judges `stack` synthesized with `over` against such a file.
 */
export function againstChecks(folder: string) {
  const write = (exp: StackExport, name: string): string => {
    const file = path.join(tmpDir(folder), `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(exp));
    return file;
  };
  const previousOf = async (stack: string, over: Record<string, unknown>, name: string) =>
    write((await synth(stack, over)).export, name);
  const check = async (stack: string, over: Record<string, unknown>, against: string) =>
    checkChange(ROOT, stack, await synth(stack, over), { against });
  return { write, previousOf, check };
}

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
