/**
 * Mimir's config text (mimir.yaml in the ConfigMap the program writes) parsed once per text: the
 * change check reads it from both sides of every planned change, three times each (the ring's
 * replication factor, change/mimirIngesters.ts; the buckets, change/bucketMove.ts; the tenant,
 * change/tenantMove.ts), and a state is compared more than once (test/change/changeCheck.test.ts
 * plans 36 changes over 24 states: 0.31 s of its CPU parsed the same texts again, 0.08 s with this,
 * measured with --cpu-prof; too little to show in the file's 7-8 s on a loaded machine). The value
 * is frozen: every reader shares it.
 */
import { MIMIR_CONFIG_MAP } from "../builders/metrics/mimirValues";
import { parseUserYaml } from "../model/yamlText";
import { deepFreeze } from "../synth/render/render";
import type { ExportResource } from "../synth/synthesize";
import { plainValue } from "./describe";

/** Texts kept: a run compares a few exports; past this many the memory starts over. */
const KEPT = 32;
const parsed = new Map<string, { config: any } | undefined>();

/** The parsed config (`{ config }`, frozen), or undefined when the text does not parse. */
export function mimirConfigOf(text: string): { readonly config: any } | undefined {
  if (parsed.has(text)) return parsed.get(text);
  let out: { config: any } | undefined;
  try {
    const config: unknown = parseUserYaml(text);
    deepFreeze(config);
    out = Object.freeze({ config });
  } catch {
    out = undefined;
  }
  if (parsed.size >= KEPT) parsed.clear();
  parsed.set(text, out);
  return out;
}

/**
 * {@link mimirConfigOf} of the Mimir config among an export's resources (`mimir.yaml` of the
 * ConfigMap the program writes, builders/metrics/mimirValues.ts): undefined without that ConfigMap,
 * when its data or text is a secret (unreadable, as change/describe.ts plainValue says), or when the
 * text does not parse. The readers of the ring, the buckets, the tenant and the series limit.
 */
export function mimirConfigIn(resources: readonly ExportResource[]): { readonly config: any } | undefined {
  const cm = resources.find(
    (r) => r.type === "kubernetes:core/v1:ConfigMap" && r.inputs?.metadata?.name === MIMIR_CONFIG_MAP,
  );
  const text: unknown = plainValue(plainValue(cm?.inputs?.data)?.["mimir.yaml"]);
  return typeof text === "string" ? mimirConfigOf(text) : undefined;
}
