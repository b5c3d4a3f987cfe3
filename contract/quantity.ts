/*
 * Kubernetes quantities, read once. The grammar, the rounding and the cap restate apimachinery's
 * pkg/api/resource (tag v0.31.0, commit a8f449e276fe566efddb149992049c78f0088492): quantity.go
 * parseQuantityString and ParseQuantity, suffix.go newSuffixer and interpret. A quantity there is
 * never a float: it is an integer scaled by a power of ten (int64Amount or inf.Dec), compared by
 * value (Cmp). Its number here is that exact value rounded once to the nearest double, the value
 * big.Rat.Float64 gives for the Quantity's AsDec: so two spellings the API server holds equal
 * ("9m", "0.009", "9000u") are one number. AsApproximateFloat64 is not followed: it multiplies by
 * math.Pow10, a second rounding, and gives 0.009000000000000001 for "9m" but 0.009 for "9000u".
 */

const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL_SUFFIX: Record<string, number> = {
  "": 0,
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
/**
 * parseQuantityString's scan: a sign, digits, a point and digits (each part may be empty: "." and
 * "-" are zero, "1." and "1.G" are accepted), then letters of "eEinumkKMGTP", a sign and digits.
 * Whether those letters name a suffix is interpret's question, asked afterwards.
 */
const SCAN = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[+-]?[0-9]*)$/;
/** The most a binary-suffixed quantity holds (ParseQuantity caps BinarySI at maxAllowed, 2^63-1). */
const MAX_ALLOWED = 2n ** 63n - 1n;
/** ParseQuantity rounds every value up, away from zero, to a whole number of nanos (10^-9). */
const NANO = -9;
/** 2^53: every integer up to it is an exact double. */
const EXACT_INTEGER = 2n ** 53n;
/** 10^22: the largest power of ten that is an exact double. */
const EXACT_POWER_OF_TEN = 22;

/**
 * A quantity's exact value as ParseQuantity holds it, rounding and cap applied:
 * `(negative ? -1 : 1) × mantissa × 10^exponent`.
 */
export interface ExactQuantity {
  negative: boolean;
  mantissa: bigint;
  exponent: number;
}

/** The suffix's base-2 and base-10 powers (interpret), undefined for no suffix Kubernetes has. */
function suffixPowers(suffix: string): { binary: number; decimal: number } | undefined {
  if (suffix in BINARY_SUFFIX) return { binary: BINARY_SUFFIX[suffix], decimal: 0 };
  if (suffix in DECIMAL_SUFFIX) return { binary: 0, decimal: DECIMAL_SUFFIX[suffix] };
  // "e<n>"/"E<n>": strconv.ParseInt(n, 10, 64), then int32(parsed), which wraps ("1e4294967296" is 1).
  const m = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  if (!m) return undefined;
  const parsed = BigInt(m[1]);
  if (parsed < -(2n ** 63n) || parsed >= 2n ** 63n) return undefined;
  return { binary: 0, decimal: Number(BigInt.asIntN(32, parsed)) };
}

/**
 * Whether a number part without digits ("", ".", "-") reads as zero: ParseQuantity's int64 path
 * takes it as 0, but its inf.Dec path cannot read it (ErrNumeric), and that path is the one taken
 * for Pi and Ei (too little int64 precision left) and for a scale finer than nano.
 */
const digitlessIsZero = (binary: number, exponent: number): boolean =>
  binary > 0 ? binary <= BINARY_SUFFIX.Ti : exponent >= NANO;

/** Decimal digits of `n` (n > 0). */
const digitCount = (n: bigint): number => n.toString().length;

/** ceil(n / 10^k) for n > 0, k > 0, without building 10^k when the answer is 1. */
function ceilShift(n: bigint, k: number): bigint {
  if (k > digitCount(n)) return 1n;
  const d = 10n ** BigInt(k);
  return (n + d - 1n) / d;
}

/**
 * A quantity's exact value, undefined when the API server refuses the text (ParseQuantity's
 * ErrFormatWrong, ErrNumeric, ErrSuffix). No whitespace is read: the caller trims, as
 * UnmarshalJSON does.
 */
export function readQuantity(text: string): ExactQuantity | undefined {
  const m = text === "" ? null : SCAN.exec(text);
  if (!m) return undefined;
  const [, sign, whole, fraction = "", suffix] = m;
  const powers = suffixPowers(suffix);
  if (!powers) return undefined;
  // The power of ten, in int32 arithmetic that wraps as ParseQuantity's does: the exponent less
  // the digits after the point. Its inf.Dec path negates that scale, and -(-2^31) is itself.
  const scale = Number(BigInt.asIntN(32, BigInt(powers.decimal - fraction.length)));
  if (whole === "" && fraction === "" && !digitlessIsZero(powers.binary, scale)) return undefined;
  const mantissa = BigInt(`${whole}${fraction}` || "0") << BigInt(powers.binary);
  if (mantissa === 0n) return { negative: false, mantissa, exponent: 0 };
  const exponent = scale === -(2 ** 31) ? 2 ** 31 : scale;
  // Most quantities need neither rounding nor the cap.
  if (exponent >= NANO && (powers.binary === 0 || mantissa <= MAX_ALLOWED))
    return { negative: sign === "-", mantissa, exponent };
  return { negative: sign === "-", ...roundedAndCapped(mantissa, exponent, powers.binary > 0) };
}

/**
 * ParseQuantity's rounding and cap of a magnitude (mantissa > 0): up to a whole number of nanos,
 * and a binary-suffixed value no larger than 2^63-1.
 */
function roundedAndCapped(
  mantissa: bigint,
  exponent: number,
  binary: boolean,
): Pick<ExactQuantity, "mantissa" | "exponent"> {
  const nanos =
    exponent < NANO ? { mantissa: ceilShift(mantissa, NANO - exponent), exponent: NANO } : undefined;
  const q = nanos ?? { mantissa, exponent };
  return binary && exceeds(q.mantissa, q.exponent, MAX_ALLOWED) ? { mantissa: MAX_ALLOWED, exponent: 0 } : q;
}

/** Whether mantissa × 10^exponent > limit (exponent ≤ 0 when a binary suffix is read). */
function exceeds(mantissa: bigint, exponent: number, limit: bigint): boolean {
  return exponent >= 0
    ? mantissa * 10n ** BigInt(exponent) > limit
    : mantissa > limit * 10n ** BigInt(-exponent);
}

/** mantissa / 10^k rounded once to the nearest double (ties to even), mantissa > 0, 0 < k ≤ 9. */
function quotient(mantissa: bigint, k: number): number {
  const divisor = 10n ** BigInt(k);
  // Both exact doubles: IEEE division rounds the exact quotient once.
  if (mantissa <= EXACT_INTEGER) return Number(mantissa) / Number(divisor);
  // Too many digits for a double: a quotient of 64 bits and a sticky bit for any remainder keep
  // every rounding boundary on the same side; Number(bigint) then rounds once, and a power of two
  // scales it back exactly.
  const shift = 64 - (bitLength(mantissa) - bitLength(divisor));
  const [n, d] = shift >= 0 ? [mantissa << BigInt(shift), divisor] : [mantissa, divisor << BigInt(-shift)];
  const sticky = n % d === 0n ? 0n : 1n;
  return Number(((n / d) << 1n) | sticky) * 2 ** -(shift + 1);
}

const bitLength = (n: bigint): number => n.toString(2).length;

/** The exact value rounded once to the nearest double (what big.Rat.Float64 gives); ±Infinity beyond. */
export function quantityNumber(q: ExactQuantity): number {
  const { mantissa, exponent } = q;
  let magnitude: number;
  if (mantissa === 0n) return 0;
  if (exponent < 0) magnitude = quotient(mantissa, -exponent);
  // A product of exact doubles rounds once.
  else if (mantissa <= EXACT_INTEGER && exponent <= EXACT_POWER_OF_TEN)
    magnitude = Number(mantissa) * 10 ** exponent;
  // Past any double (the largest is below 1.8 × 10^308): no need to build 10^exponent.
  else if (exponent + digitCount(mantissa) > 310) magnitude = Infinity;
  else magnitude = Number(mantissa * 10n ** BigInt(exponent));
  return q.negative ? -magnitude : magnitude;
}

/**
 * A quantity as the API server reads one from a manifest (UnmarshalJSON trims the text; a JSON
 * number is its text), as a number: bytes for storage and memory, cores for CPU; undefined when
 * it is no quantity.
 */
export function quantityValue(value: unknown): number | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const q = readQuantity(String(value).trim());
  return q && quantityNumber(q);
}

/** The forms a stack file may write: digits, a fraction, one of the common suffixes, no sign. */
const STACK_FILE_QUANTITY = /^\d+(?:\.\d+)?(?:m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;

/**
 * A Kubernetes quantity in a form a stack file may write, as a number (bytes for memory, cores
 * for CPU); undefined for any other text. A number is taken as it is.
 */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string" || !STACK_FILE_QUANTITY.test(value.trim())) return undefined;
  return quantityValue(value);
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
