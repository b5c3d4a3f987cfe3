/**
 * The two pieces of the checks the synthesis needs even when the verdict comes from the cache
 * (checks/cache.ts): kept apart from index.ts, so that a cached run does not load every
 * check (about 25 ms of a synthesis that must stay within 1.5x the SDK's load time).
 */
import type { StackObject } from "../synth/render/types";
import type { Finding, Placed } from "./objects";

/** The render harness's objects as the checks take them (hooks marked, sources named). */
export function placedFrom(objects: StackObject[]): Placed[] {
  return objects.map((s) => {
    const obj = s.object;
    const hook = !!obj.metadata?.annotations?.["helm.sh/hook"];
    return {
      obj,
      urn: s.resourceUrn,
      source: s.release ? `release ${s.release.name}` : `resource ${s.resourceUrn.split("::").pop()}`,
      ...(hook ? { hook } : {}),
    };
  });
}

/** One line per finding, for assertion messages and the synthesis's output. */
export function formatFindings(findings: Finding[]): string {
  return findings.map((f) => `  [${f.check}] ${f.where}: ${f.message}`).join("\n");
}
