/**
 * The third-party scanner: @monokle/validation (npm), its Pod Security Standards and
 * Kubernetes-practices plugins, which run offline (plain JavaScript rules, no policy bundle or
 * schema to download: its OPA and schema plugins fetch theirs, so they stay off). It judges the
 * objects as Helm and the program render them, by the rules of its own package.
 */
import { createDefaultMonokleValidator } from "@monokle/validation";
import type { K8sObject } from "../../checks/objects";
import { cacheKey, cached, filesHash } from "./fixtureCache";

/** One finding: the object (`Kind namespace/name`, or `Kind name`), the scanner's rule, its text. */
export interface ScannerFinding {
  subject: string;
  finding: string;
  message: string;
}

/**
 * Rules of the two plugins that say nothing about privileges, left out: resource requests and
 * limits (the budget check owns them), image tags (model/versions.ts pins them) and Services
 * reachable in the cluster (the NetworkPolicies decide that).
 */
export const SCANNER_RULES_OFF = [
  "practices/no-latest-image",
  "practices/cpu-request",
  "practices/cpu-limit",
  "practices/memory-request",
  "practices/memory-limit",
  "practices/image-tagged",
  "practices/no-exposed-service",
] as const;

export const subjectOf = (o: K8sObject): string =>
  o.metadata.namespace
    ? `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`
    : `${o.kind} ${o.metadata.name}`;

/** Every finding of the scanner over the objects, each (subject, rule) once. */
export async function scan(all: K8sObject[]): Promise<ScannerFinding[]> {
  // CRDs hold no workload, and the scanner hands them to its schema plugin, which is off.
  const objects = all.filter((o) => o.kind !== "CustomResourceDefinition");
  const resources = objects.map((o, i) => ({
    id: String(i),
    fileId: String(i),
    filePath: `${i}.yaml`,
    fileOffset: 0,
    name: o.metadata.name,
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: o.metadata.namespace,
    content: o,
    text: JSON.stringify(o),
  }));
  const validator = createDefaultMonokleValidator();
  await validator.preload({
    plugins: {
      "pod-security-standards": true,
      practices: true,
      "kubernetes-schema": false,
      "yaml-syntax": false,
      "resource-links": false,
      "open-policy-agent": false,
      metadata: false,
    },
    rules: Object.fromEntries(SCANNER_RULES_OFF.map((r) => [r, false])),
  });
  const response = await validator.validate({ resources });
  const out = new Map<string, ScannerFinding>();
  for (const run of response.runs)
    for (const r of run.results) {
      const uri = r.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? "";
      const o = objects[Number(uri.replace(/\.yaml$/, ""))];
      if (!o) throw new Error(`scanner result ${r.ruleId} names no scanned object (${uri})`);
      const f = { subject: subjectOf(o), finding: `monokle:${r.ruleId}`, message: r.message.text };
      out.set(`${f.subject} | ${f.finding}`, f);
    }
  return [...out.values()];
}

/** This module's text, by digest: a change to how it scans changes the findings' key. */
const OWN_TEXT = filesHash([__filename]);

/**
 * {@link scan}'s findings over a stack's objects, from the fixture cache while nothing they derive
 * from changes: `inputsId` (test/support/rendered.ts: the synthesis' key, with every source, chart
 * and package-lock.json, so the scanner's version, and how the objects are assembled) and this
 * module's text. As checks/cache.ts keeps the project's own checks' reports. The made-up objects'
 * scan still runs the scanner every time. test/checks/scanner.test.ts alone, warm, 2 runs each
 * alternating: 3.75/3.73 -> 3.02/2.96 s of CPU (loading the scanner, about 1.3 s, remains).
 */
export function scanCached(all: K8sObject[], inputsId: string): Promise<ScannerFinding[]> {
  return cached("scanner", cacheKey("scanner", [inputsId, OWN_TEXT]), () => scan(all));
}
