/**
 * The API versions the cluster would serve, as far as `helm template` must be told: every
 * group/version of every CRD the stack installs (rendered CRDs and raw CustomResourceDefinition
 * resources). The second of rendering's caches, `<render cache>/crd-hints.json`, remembers which
 * ones each chart installed last time so a changed stack usually renders in one round.
 */
import * as fs from "fs";
import * as path from "path";
import type { StackExport } from "../synthesize";
import type { RenderedObject } from "./types";

/**
 * What a CRD adds to the cluster's API versions: `group/version` and `group/version/Kind` of every
 * served version, the two forms Helm's discovery-based version set holds (helm pkg/action/action.go
 * GetVersionSet) and that charts test (`.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor"`).
 */
export function crdApiVersions(crd: RenderedObject): string[] {
  const group = crd.spec?.group;
  const kind = crd.spec?.names?.kind;
  if (crd.kind !== "CustomResourceDefinition" || typeof group !== "string") return [];
  return (crd.spec?.versions ?? [])
    .filter((v: any) => v?.served !== false && typeof v?.name === "string")
    .flatMap((v: any) => [
      `${group}/${v.name}`,
      ...(typeof kind === "string" ? [`${group}/${v.name}/${kind}`] : []),
    ]);
}

/** CRD group/versions each chart (by digest) rendered before: this process's, merged with the disk's. */
const hintMemory: Record<string, string[]> = {};

export function readHints(dir: string | false): Record<string, string[]> {
  return { ...(dir ? diskHints(dir) : {}), ...hintMemory };
}

function diskHints(dir: string): Record<string, string[]> {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, "crd-hints.json"), "utf8")) as Record<string, string[]>;
  } catch {
    return {};
  }
}

/**
 * Adds what a render learned to the hints, in memory and on disk. The file is replaced only when it
 * would say something new: renaming a file over it is not free (in a cold changeCheck.test here the
 * renames of an unchanged file took 1.9 s of its 12 s of CPU), and an unchanged re-render learns
 * nothing.
 */
export function writeHints(dir: string | false, learned: Record<string, string[]>): void {
  Object.assign(hintMemory, learned);
  if (!dir) return;
  const disk = diskHints(dir);
  const all = { ...disk, ...hintMemory };
  const text = JSON.stringify(all);
  if (text === JSON.stringify(disk)) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "crd-hints.json");
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/** Group/versions of the CRDs among raw export resources. */
export function rawCrdApiVersions(exp: StackExport): string[] {
  return exp.deployment.resources
    .filter((r) => r.custom && r.type === "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")
    .flatMap((r) => crdApiVersions({ kind: "CustomResourceDefinition", ...(r.inputs as any) }));
}
