/**
 * A Prometheus remote write from a test: the one way to put Prometheus' staleness marker into
 * VictoriaMetrics. Its text import cannot say it: VictoriaMetrics v1.79.5 keeps no NaN but the
 * marker (lib/storage/storage.go:1743-1747), and the text format's `NaN` is an ordinary one. The
 * request is Prometheus' WriteRequest (prometheus v2.42.0 prompb/remote.proto:22-23 and
 * prompb/types.proto:41-45, 123-134), snappy-compressed as VictoriaMetrics decodes every remote
 * write (lib/protoparser/promremotewrite/streamparser.go:36).
 */

/** Prometheus' staleness marker: a NaN with exactly these bits (prometheus v2.42.0 model/value/value.go:28). */
const STALE_NAN_BITS = 0x7ff0000000000002n;

/** One series to write: its labels (with `__name__`) and its samples, `"stale"` for a marker. */
export interface WrittenSeries {
  labels: Record<string, string>;
  samples: { ms: number; value: number | "stale" }[];
}

function varint(n: number | bigint): number[] {
  let v = BigInt(n);
  if (v < 0n) v += 1n << 64n; // int64 as protobuf writes it: two's complement, ten bytes
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}

/** A length-delimited field (wire type 2). */
const field = (no: number, body: Uint8Array | number[]) => [
  ...varint((no << 3) | 2),
  ...varint(body.length),
  ...body,
];

function sample(ms: number, value: number | "stale"): number[] {
  const bytes = new DataView(new ArrayBuffer(8));
  // The bits themselves: a NaN passed through a number need not keep them.
  if (value === "stale") bytes.setBigUint64(0, STALE_NAN_BITS, true);
  else bytes.setFloat64(0, value, true);
  // value = 1 (double, wire type 1), timestamp = 2 (int64, wire type 0)
  return [(1 << 3) | 1, ...new Uint8Array(bytes.buffer), (2 << 3) | 0, ...varint(ms)];
}

/** The WriteRequest's bytes. */
export function writeRequest(series: WrittenSeries[]): Uint8Array {
  const text = (s: string) => [...new TextEncoder().encode(s)];
  const out: number[] = [];
  for (const s of series) {
    const body: number[] = [];
    for (const [k, v] of Object.entries(s.labels))
      body.push(...field(1, [...field(1, text(k)), ...field(2, text(v))]));
    for (const x of s.samples) body.push(...field(2, sample(x.ms, x.value)));
    out.push(...field(1, body));
  }
  return Uint8Array.from(out);
}

/**
 * A snappy block of literals only: the decoded length as a varint, then chunks of at most 65536
 * bytes, each a literal tag (golang/snappy emitLiteral, vendored in VictoriaMetrics v1.79.5
 * vendor/github.com/golang/snappy/encode_other.go:25-42).
 */
export function snappyLiterals(data: Uint8Array): Uint8Array {
  const out: number[] = [...varint(data.length)];
  for (let at = 0; at < data.length; at += 65536) {
    const chunk = data.subarray(at, at + 65536);
    const n = chunk.length - 1;
    if (n < 60) out.push(n << 2);
    else if (n < 256) out.push(60 << 2, n);
    else out.push(61 << 2, n & 0xff, n >> 8);
    out.push(...chunk);
  }
  return Uint8Array.from(out);
}

/** Remote-writes `series` to `url` (VictoriaMetrics' `/api/v1/write`); throws on an HTTP error. */
export async function remoteWrite(url: string, series: WrittenSeries[]): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Encoding": "snappy", "Content-Type": "application/x-protobuf" },
    body: Buffer.from(snappyLiterals(writeRequest(series))),
  });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} (${await res.text()})`);
}
