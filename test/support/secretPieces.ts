/** A secret-looking value a test writes into a broken file, and whether a message gives any of it away. */

/** Random-looking, so no word of a message holds four of its characters in a row by chance. */
export const SECRET = "Zq7vK9wPx2";

/**
 * Whether `message` holds any four characters of `secret` in a row: V8's JSON.parse message
 * quotes about ten characters either side of a mistake, so a secret beside one shows in part.
 */
export function holdsSecretPiece(message: string, secret = SECRET): boolean {
  for (let k = 0; k + 4 <= secret.length; k++) if (message.includes(secret.slice(k, k + 4))) return true;
  return false;
}
