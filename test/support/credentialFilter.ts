import { SECRET_SIG_KEY } from "@homelab-observability/contract";
import { CREDENTIAL_WORDS } from "../../policy/credentials";

/**
 * The plainest statement of what policy/credentials.ts mayHoldCredential must let through: any
 * occurrence of one of its words in any case, each where a key or an env name ends after it (`_url`
 * and `_configs` only after a letter), `://` with user info after it, or the secret signature as it
 * is. Every occurrence, overlapping ones included: a search that goes on after a match would skip
 * `secret` in `-_configsecret:`, whose `_configs` follows no letter (found by a review of the
 * filter's WebAssembly scan; the filter judged it so before, too). The filter finds its words
 * another way (for speed); its tests hold it to this.
 */
export function plainCredentialFilter(text: string): boolean {
  if (text.includes(SECRET_SIG_KEY)) return true;
  // A lookahead: a match of no width at each place a word starts, so none hides another.
  const words = new RegExp(`(?=(${CREDENTIAL_WORDS.join("|")}))`, "gi");
  for (let m = words.exec(text); m; words.lastIndex = m.index + 1, m = words.exec(text)) {
    const word = m[1];
    const rest = text.slice(m.index + word.length);
    if (word === "://" ? /^[^/?#\s@]+@/.test(rest) : /^[\w-]*["']?\s*(?:[:=,}\]\n]|$)/.test(rest)) {
      if (word.startsWith("_") && !/[a-z]/i.test(text[m.index - 1] ?? "")) continue;
      return true;
    }
  }
  return false;
}
