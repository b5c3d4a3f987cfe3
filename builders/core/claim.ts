/**
 * The spec of every claim the program asks for, claim templates included: one node's disk
 * (ReadWriteOnce) of `size` from `storageClass`. A StatefulSet's claim templates cannot change in
 * place, so every one is built here and keeps one shape.
 */
export function claimSpec(storageClass: string, size: string) {
  return {
    storageClassName: storageClass,
    accessModes: ["ReadWriteOnce"],
    resources: { requests: { storage: size } },
  };
}

/** The size of every Alertmanager's claim: its silences and notification log are small. */
export const ALERTMANAGER_VOLUME = "1Gi";
