/**
 * Pulumi's marker for a secret value in serialized state and exports: an object whose key
 * `SECRET_SIG_KEY` holds `SECRET_SIG` (sdk/go/common/resource/sig/sig.go Secret). The synthesis
 * writes secrets in this shape and the pack recognises them by it.
 */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A Pulumi secret as it appears in an export (or in props the engine kept wrapped). */
export function isSecretEnvelope(v: unknown): boolean {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}
