import { SECRET_SIG_KEY } from "@homelab-observability/contract";
import { CREDENTIAL_WORDS } from "../../policy/credentials";

/**
 * The plainest statement of what policy/credentials.ts mayHoldCredential must let through: one
 * case-insensitive alternation of its words, each where a key or an env name ends after it (`_url`
 * and `_configs` only after a letter), `://` with user info after it, or the secret signature as it
 * is. The filter searches in several passes, some by hand (for speed); its tests hold it to this.
 */
export function plainCredentialFilter(text: string): boolean {
  if (text.includes(SECRET_SIG_KEY)) return true;
  const words = new RegExp(CREDENTIAL_WORDS.join("|"), "gi");
  for (let m = words.exec(text); m; m = words.exec(text)) {
    const rest = text.slice(m.index + m[0].length);
    if (m[0] === "://" ? /^[^/?#\s@]+@/.test(rest) : /^[\w-]*["']?\s*(?:[:=,}\]\n]|$)/.test(rest)) {
      if (m[0].startsWith("_") && !/[a-z]/i.test(text[m.index - 1] ?? "")) continue;
      return true;
    }
  }
  return false;
}
