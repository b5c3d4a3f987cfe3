/**
 * Mimir's config text (mimir.yaml in the ConfigMap the program writes) parsed once per text: the
 * change check reads it from both sides of every planned change, three times each (the ring's
 * replication factor, change/mimirIngesters.ts; the buckets, change/bucketMove.ts; the tenant,
 * change/tenantMove.ts), and a state is compared more than once (test/change/changeCheck.test.ts
 * plans 36 changes over 24 states: 0.31 s of its CPU parsed the same texts again, 0.08 s with this,
 * measured with --cpu-prof; too little to show in the file's 7-8 s on a loaded machine). The value
 * is frozen: every reader shares it.
 */
import { parseUserYaml } from "../model/yamlText";
import { deepFreeze } from "../synth/render/render";

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
