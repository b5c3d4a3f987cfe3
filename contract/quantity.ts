const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
const QUANTITY = /^(\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;

/** A Kubernetes quantity as a number (bytes for memory, cores for CPU); undefined when malformed. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const m = QUANTITY.exec(value.trim());
  if (!m) return undefined;
  const unit = m[2] ?? "";
  return Number(m[1]) * (BINARY[unit] ?? DECIMAL[unit] ?? 1);
}

/**
 * Bytes of a Prometheus size ("60GiB", "512MB"): Prometheus reads --storage.tsdb.retention.size with
 * units.ParseBase2Bytes, so KB and KiB are both 1024 bytes; undefined when malformed.
 */
export function base2Bytes(v: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)$/.exec(v);
  if (!m) return undefined;
  const power = { B: 0, K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 }[m[2][0] as "B"] ?? 0;
  return Number(m[1]) * 1024 ** power;
}
