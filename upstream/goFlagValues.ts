/**
 * The parses a Go program's flag values go through, each restated from its source, returning the
 * error the program prints (undefined when the value is taken): Go's flag package's durations and
 * floats (go1.26.8 src/flag/flag.go), and k8s.io/apimachinery v0.36.3's quantities, label selectors
 * and field selectors (the versions prometheus-operator v0.93.0's go.mod requires; its binary was
 * run on every refusal here, see test/upstream/goFlagValues.test.ts).
 */

/** A parse's refusal: the error as the program prints it, and `why` where the printed one says less. */
export interface ValueRefusal {
  error: string;
  why?: string;
}

const go = (s: string) => JSON.stringify(s);

/** time.ParseDuration's units (go1.26.8 src/time/format.go:1615-1624, unitMap), in nanoseconds. */
const DURATION_UNITS: ReadonlyMap<string, bigint> = new Map([
  ["ns", 1n],
  ["us", 1000n],
  ["\u00b5s", 1000n],
  ["\u03bcs", 1000n],
  ["ms", 1000000n],
  ["s", 1000000000n],
  ["m", 60000000000n],
  ["h", 3600000000000n],
]);

/**
 * A `flag.DurationVar` value: time.ParseDuration (go1.26.8 src/time/format.go:1631-1728,
 * `[-+]?([0-9]*(\.[0-9]*)?[a-z]+)+` or `0`, at most 1<<63-1 ns), whose every error the flag's Set
 * turns into "parse error" (flag.go:285-292); `why` says ParseDuration's own.
 */
export function goDuration(value: string): ValueRefusal | undefined {
  // parseDurationError (format.go:1606-1613): "time: <why> <quoted value>".
  const refuse = (why: string) => ({ error: "parse error", why: `time: ${why} ${go(value)}` });
  let s = value;
  const neg = s.startsWith("-");
  if (s.startsWith("-") || s.startsWith("+")) s = s.slice(1);
  if (s === "0") return undefined;
  if (s === "") return refuse("invalid duration");
  let total = 0n;
  const max = 1n << 63n;
  while (s !== "") {
    const m = /^(\d*)(?:\.(\d*))?/.exec(s)!;
    if (!/^[.\d]/.test(s) || (m[1] === "" && !m[2])) return refuse("invalid duration");
    s = s.slice(m[0].length);
    const unitText = /^[^.\d]*/.exec(s)![0];
    if (unitText === "") return refuse("missing unit in duration");
    s = s.slice(unitText.length);
    const unit = DURATION_UNITS.get(unitText);
    if (unit === undefined) return refuse(`unknown unit ${go(unitText)} in duration`);
    // leadingInt refuses an integer part past 1<<63 (format.go:1554-1571).
    const whole = m[1] === "" ? 0n : BigInt(m[1]);
    if (whole > max || whole > max / unit) return refuse("invalid duration");
    let v = whole * unit;
    const frac = m[2] ?? "";
    if (frac !== "") v += BigInt(Math.floor(Number(`0.${frac}`) * Number(unit)));
    if (v > max) return refuse("invalid duration");
    total += v;
    if (total > max) return refuse("invalid duration");
  }
  if (!neg && total > max - 1n) return refuse("invalid duration");
  return undefined;
}

/**
 * Go's strconv.ParseFloat(s, 64) (go1.26.8 src/internal/strconv/atof.go: special 37-67 for
 * inf/infinity with a sign and nan without, readFloat 171-306 for decimal and `0x` hex forms, a hex
 * one needing its `p` exponent, underscores only between digits, atoi.go:251-296 underscoreOK),
 * as a `flag.Float64Var` value: "parse error" for a syntax error, "value out of range" past the
 * largest float64 (flag.go:111-125 numError, :264-271).
 */
export function goFloat64(value: string): ValueRefusal | undefined {
  const syntax = { error: "parse error", why: `strconv.ParseFloat: parsing ${go(value)}: invalid syntax` };
  if (/^[+-]?(inf|infinity)$/i.test(value) || /^nan$/i.test(value)) return undefined;
  const hex = /^([+-]?)0[xX]([\da-fA-F_]*)(?:\.([\da-fA-F_]*))?[pP]([+-]?\d[\d_]*)$/.exec(value);
  const dec = /^[+-]?[\d_]*(?:\.[\d_]*)?(?:[eE][+-]?\d[\d_]*)?$/.exec(value);
  if (!hex && !dec) return syntax;
  const digits = hex ? `${hex[2]}${hex[3] ?? ""}` : value.replace(/[eE].*$/, "");
  if (!/[\da-fA-F]/.test(hex ? digits : digits.replace(/[^\d]/g, ""))) return syntax;
  if (value.includes("_") && !underscoreOK(value)) return syntax;
  const clean = value.replace(/_/g, "");
  let magnitude: number;
  if (hex) {
    const h = /^[+-]?0[xX]([\da-fA-F]*)(?:\.([\da-fA-F]*))?[pP]([+-]?\d+)$/.exec(clean)!;
    const mant = [...`${h[1]}${h[2] ?? ""}`].reduce((a, c) => a * 16 + parseInt(c, 16), 0);
    magnitude = mant * 2 ** (Number(h[3]) - 4 * (h[2] ?? "").length);
  } else magnitude = Math.abs(Number(clean));
  if (!Number.isFinite(magnitude))
    return {
      error: "value out of range",
      why: `strconv.ParseFloat: parsing ${go(value)}: value out of range`,
    };
  return undefined;
}

/** Go's underscoreOK (go1.26.8 src/internal/strconv/atoi.go:251-296): each `_` between digits or after a base prefix. */
function underscoreOK(value: string): boolean {
  let s = value.replace(/^[+-]/, "");
  let saw = "^";
  let hex = false;
  if (/^0[bBoOxX]/.test(s)) {
    saw = "0";
    hex = /^0[xX]/.test(s);
    s = s.slice(2);
  }
  for (const c of s) {
    if (/\d/.test(c) || (hex && /[a-fA-F]/.test(c))) saw = "0";
    else if (c === "_") {
      if (saw !== "0") return false;
      saw = "_";
    } else if (saw === "_") return false;
    else saw = "!";
  }
  return saw !== "_";
}

/** resource.ParseQuantity's format (k8s.io/apimachinery v0.36.3 pkg/api/resource/quantity.go:150). */
const QUANTITY_FORMAT = "^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$";
/** Its suffixes (pkg/api/resource/suffix.go:108-135): decimal SI and binary SI. */
const QUANTITY_SUFFIXES = new Set([
  "",
  "n",
  "u",
  "m",
  "k",
  "M",
  "G",
  "T",
  "P",
  "E",
  "Ki",
  "Mi",
  "Gi",
  "Ti",
  "Pi",
  "Ei",
]);

/**
 * A Kubernetes quantity as resource.ParseQuantity reads it (k8s.io/apimachinery v0.36.3
 * pkg/api/resource/quantity.go:161-276 parseQuantityString, 278-392 ParseQuantity): a sign, digits with one
 * `.`, then a suffix of SI letters or an `e`/`E` exponent; `""` refused (but prometheus-operator's
 * Quantity.Set takes it, pkg/operator/config.go:184-195). Its three errors (quantity.go:155-157):
 * the format, a suffix it does not know (suffix.go:180-198), and a numeric part without a digit that
 * its exact path cannot hold (a negative exponent past nano: `.e-10`).
 */
export function k8sQuantity(value: string): ValueRefusal | undefined {
  const format = { error: `quantities must match the regular expression '${QUANTITY_FORMAT}'` };
  if (value === "") return format;
  if (value === "0") return undefined;
  const m = /^([+-]?)(\d*)(?:\.(\d*))?([eEinumkKMGTP]*[-+]?\d*)$/.exec(value);
  // parseQuantityString returns at the end of the sign and zeros, the digits or the fraction.
  if (!m) return /^[+-]?0*$/.test(value) ? undefined : format;
  const [, , num, denom, suffix] = m;
  let exponent: number;
  let decimal = true;
  if (QUANTITY_SUFFIXES.has(suffix)) {
    exponent = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }[suffix] ?? 0;
    decimal = !suffix.endsWith("i");
  } else if (
    suffix.length > 1 &&
    /^[eE][+-]?\d+$/.test(suffix) &&
    BigInt(suffix.slice(1)) < 1n << 63n &&
    BigInt(suffix.slice(1)) >= -(1n << 63n)
  )
    exponent = Number(suffix.slice(1));
  else return { error: "unable to parse quantity's suffix" };
  // The slow path (quantity.go:349-352) parses the numeric part, which needs a digit: taken when
  // the scale falls below nano or the digits exceed the int64 fast path's precision.
  const digitsN = (num.replace(/^0+/, "") || "0").length + (denom ?? "").length;
  const slow = decimal ? 18 - digitsN < 0 || exponent - (denom ?? "").length < -9 : (denom ?? "") !== "";
  if (slow && !/\d/.test(`${num}${denom ?? ""}`))
    return { error: "unable to parse numeric part of quantity" };
  return undefined;
}

/** content.RegexError (k8s.io/apimachinery v0.36.3 pkg/api/validate/content/errors.go:50-63). */
const regexError = (msg: string, re: string, ...examples: string[]) =>
  `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${re}')`;
/** content/kube.go:24-30, 74-80; dns.go:23, 51-57. */
const LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_KEY_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS_SUBDOMAIN_FMT = `${DNS_LABEL_FMT}(\\.${DNS_LABEL_FMT})*`;
const DNS_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

/** content.IsLabelKey (content/kube.go:43-72): its errors, none for a good key. */
function labelKeyErrors(key: string): string[] {
  const parts = key.split("/");
  const errs: string[] = [];
  if (parts.length > 2)
    return [
      `a valid label key ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  const name = parts.at(-1)!;
  if (parts.length === 2) {
    const prefix = parts[0];
    if (prefix === "") errs.push("prefix part must be non-empty");
    else {
      // IsDNS1123Subdomain (content/dns.go:84-101), 253 bytes at most.
      if (Buffer.byteLength(prefix) > 253) errs.push("prefix part must be no more than 253 bytes");
      if (!new RegExp(`^${DNS_SUBDOMAIN_FMT}$`).test(prefix))
        errs.push(`prefix part ${regexError(DNS_SUBDOMAIN_MSG, DNS_SUBDOMAIN_FMT, "example.com")}`);
    }
  }
  if (name === "") errs.push("name part must be non-empty");
  else if (Buffer.byteLength(name) > 63) errs.push("name part must be no more than 63 bytes");
  if (!new RegExp(`^${LABEL_KEY_FMT}$`).test(name))
    errs.push(`name part ${regexError(LABEL_KEY_MSG, LABEL_KEY_FMT, "MyName", "my.name", "123-abc")}`);
  return errs;
}

/** content.IsLabelValue (content/kube.go:85-94). */
function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (Buffer.byteLength(value) > 63) errs.push("must be no more than 63 bytes");
  if (!new RegExp(`^${LABEL_VALUE_FMT}$`).test(value))
    errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
  return errs;
}

/** field.Invalid's text (pkg/util/validation/field/errors.go; the parser's own key check passes a nil path, `<nil>`): `<path>: Invalid value: "<v>": <detail>`. */
const invalid = (path: string, v: string, detail: string) => `${path}: Invalid value: ${go(v)}: ${detail}`;

type Tok = { tok: string; lit: string };
/** The label selector's tokens (labels/selector.go:493-505 string2token). */
const TOKENS = new Set([")", ",", "!", "==", "=", ">", "in", "<", "!=", "notin", "("]);
const SPECIAL = /[=!(),><]/;
const SPACE = /[ \t\r\n]/;

/** The lexer (labels/selector.go:529-627): identifiers and keywords, and the longest symbol token. */
function lexSelector(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && SPACE.test(s[i])) i++;
    if (i >= s.length) {
      out.push({ tok: "end", lit: "" });
      return out;
    }
    if (SPECIAL.test(s[i])) {
      let lit = s[i++];
      while (i < s.length && SPECIAL.test(s[i]) && TOKENS.has(lit + s[i])) lit += s[i++];
      out.push({ tok: lit, lit });
    } else {
      const start = i;
      while (i < s.length && !SPECIAL.test(s[i]) && !SPACE.test(s[i])) i++;
      const lit = s.slice(start, i);
      out.push({ tok: TOKENS.has(lit) ? lit : "id", lit });
    }
  }
}

/** labels/selector.go:39-43 binaryOperators, as parseOperator says them (:794). */
const BINARY_OPERATORS = "in, notin, =, ==, !=, gt, lt";

/**
 * A label selector as labels.Parse reads it (k8s.io/apimachinery v0.36.3 pkg/labels/selector.go:
 * 689-874 the parser, 185-225 NewRequirement, 929-942 the key's and values' validation): requirements
 * `[!]key`, `key [=|==|!=] value`, `key in|notin (values)`, `key >|< integer`, parted at commas.
 */
export function k8sLabelSelector(value: string): ValueRefusal | undefined {
  const items = lexSelector(value);
  let p = 0;
  // In a value's place `in` and `notin` are identifiers (selector.go:651-673).
  const look = (values = true) => {
    const t = items[p];
    return values && (t.tok === "in" || t.tok === "notin") ? { tok: "id", lit: t.lit } : t;
  };
  const take = (values = true) => {
    const t = look(values);
    p++;
    return t;
  };
  const requirement = (): string | undefined => {
    let t = take();
    let op: string | undefined;
    if (t.tok === "!") {
      op = "!";
      t = take();
    }
    if (t.tok !== "id") return `found '${t.lit}', expected: identifier`;
    const key = t.lit;
    const keyErrs = labelKeyErrors(key);
    if (keyErrs.length > 0) return invalid("<nil>", key, keyErrs.join("; "));
    if (op === "!" || look().tok === "end" || look().tok === ",") return undefined;
    const o = take(false);
    if (!["in", "notin", "=", "==", "!=", ">", "<"].includes(o.tok))
      return `found '${o.lit}', expected: ${BINARY_OPERATORS}`;
    let values: string[];
    if (o.tok === "in" || o.tok === "notin") {
      const open = take();
      if (open.tok !== "(") return `found '${open.lit}' expected: '('`;
      const first = look();
      if (first.tok === ")") {
        take();
        values = [""];
      } else if (first.tok === "id" || first.tok === ",") {
        const set = new Set<string>();
        for (;;) {
          const v = take();
          if (v.tok === "id") {
            set.add(v.lit);
            const next = look();
            if (next.tok === ",") continue;
            if (next.tok === ")") break;
            return `found '${next.lit}', expected: ',' or ')'`;
          }
          if (v.tok === ",") {
            // `(,`, `,)` and `,,` each hold the empty value (selector.go:842-855).
            if (set.size === 0) set.add("");
            const next = look().tok;
            if (next === ")") {
              set.add("");
              break;
            }
            if (next === ",") set.add("");
            continue;
          }
          return `found '${v.lit}', expected: ',', or identifier`;
        }
        if (take().tok !== ")") return `found '${first.lit}', expected: ')'`;
        values = [...set];
      } else return `found '${first.lit}', expected: ',', ')' or identifier`;
    } else {
      const next = look();
      if (next.tok === "end" || next.tok === ",") values = [""];
      else {
        const v = take();
        if (v.tok !== "id") return `found '${v.lit}', expected: identifier`;
        values = [v.lit];
      }
    }
    // sets.String.List() sorts the values (selector.go:744).
    values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const errs: string[] = [];
    if (o.tok === ">" || o.tok === "<")
      values.forEach((v, i) => {
        if (!/^[+-]?\d+$/.test(v) || BigInt(v) >= 1n << 63n || BigInt(v) < -(1n << 63n))
          errs.push(invalid(`values[${i}]`, v, "for 'Gt', 'Lt' operators, the value must be an integer"));
      });
    values.forEach((v, i) => {
      const e = labelValueErrors(v);
      if (e.length > 0) errs.push(invalid(`values[${i}][${key}]`, v, e.join("; ")));
    });
    // field.ErrorList.ToAggregate (field/errors.go:495, util/errors/errors.go:70): one error alone, more as `[a, b]`.
    return errs.length === 0 ? undefined : errs.length === 1 ? errs[0] : `[${errs.join(", ")}]`;
  };
  for (;;) {
    const t = look();
    if (t.tok === "end") return undefined;
    if (t.tok !== "id" && t.tok !== "!")
      return { error: `found '${t.lit}', expected: !, identifier, or 'end of string'` };
    const err = requirement();
    if (err !== undefined) return { error: `unable to parse requirement: ${err}` };
    const after = take();
    if (after.tok === "end") return undefined;
    if (after.tok !== ",") return { error: `found '${after.lit}', expected: ',' or 'end of string'` };
    const next = look();
    if (next.tok !== "id" && next.tok !== "!")
      return { error: `found '${next.lit}', expected: identifier after ','` };
  }
}

/**
 * A field selector as fields.ParseSelector reads it (k8s.io/apimachinery v0.36.3 pkg/fields/
 * selector.go:379-402 splitTerms at unescaped commas, sorted, 418-428 splitTerm at the first `!=`,
 * `==` or `=`, 309-347 UnescapeValue: `\\`, `\,`, `\=` the only escapes, no bare `,` or `=` in a
 * value; empty terms skipped).
 */
export function k8sFieldSelector(value: string): ValueRefusal | undefined {
  const terms: string[] = [];
  let start = 0;
  let slash = false;
  [...value].forEach((c, i, all) => {
    const at = all.slice(0, i).join("").length;
    if (slash) slash = false;
    else if (c === "\\") slash = true;
    else if (c === ",") {
      terms.push(value.slice(start, at));
      start = at + 1;
    }
  });
  if (value !== "") terms.push(value.slice(start));
  // sort.StringSlice: by bytes.
  terms.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const term of terms) {
    if (term === "") continue;
    const op = /!=|==|=/.exec(term);
    if (!op) return { error: `invalid selector: '${value}'; can't understand '${term}'` };
    const rhs = term.slice(op.index + op[0].length);
    let inSlash = false;
    for (const c of rhs) {
      if (inSlash) {
        if (!"\\,=".includes(c)) return { error: `invalid field selector: invalid escape sequence: \\${c}` };
        inSlash = false;
      } else if (c === "\\") inSlash = true;
      else if (c === "," || c === "=")
        return { error: `invalid field selector: unescaped character in value: ${c.codePointAt(0)}` };
    }
    if (inSlash) return { error: "invalid field selector: invalid escape sequence: \\" };
  }
  return undefined;
}

/** str2duration's units (github.com/xhit/go-str2duration/v2 v2.1.0 str2duration.go:12-23): time's, with days and weeks. */
const STR2DURATION_UNITS: ReadonlyMap<string, bigint> = new Map([
  ...DURATION_UNITS,
  ["d", 24n * 3600000000000n],
  ["w", 168n * 3600000000000n],
]);

/**
 * A kingpin v2.4.0 `Duration()` value: its durationValue.Set (values.go:141-145) calls
 * str2duration.ParseDuration of github.com/xhit/go-str2duration/v2 v2.1.0 (kingpin's go.mod:6;
 * node_exporter v1.10.2's go.mod:49), whose error kingpin prints as it is. That parser
 * (str2duration.go:30-126) is go1.15's time.ParseDuration with `d` and `w`: an optional sign, then
 * numbers each with an optional fraction and a unit; `0` alone needs none. Its overflow checks
 * differ from go1.26's (a total past 1<<63-1 ns is refused whatever the sign, :115-119), and it
 * quotes the value bare, not by strconv.Quote (:128-130).
 */
export function kingpinDuration(value: string): ValueRefusal | undefined {
  const q = (s: string) => `"${s}"`;
  const invalid = { error: `time: invalid duration ${q(value)}` };
  const max = (1n << 63n) - 1n;
  let s = value;
  if (s.startsWith("-") || s.startsWith("+")) s = s.slice(1);
  if (s === "0") return undefined;
  if (s === "") return invalid;
  let d = 0n;
  while (s !== "") {
    // The next character must be [0-9.] (:59-62); bytes, so a multi-byte rune is no digit.
    if (!/^[.0-9]/.test(s)) return invalid;
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    // leadingInt refuses an integer part past 1<<63-1 (:135-153).
    const whole = m[1] === "" ? 0n : BigInt(m[1]);
    if (whole > max) return invalid;
    if (m[1] === "" && m[2] === undefined) return invalid;
    if (m[1] === "" && m[2] === "") return invalid;
    s = s.slice(m[0].length);
    const unitText = /^[^.0-9]*/.exec(s)![0];
    if (unitText === "") return { error: `time: missing unit in duration ${q(value)}` };
    s = s.slice(unitText.length);
    const unit = STR2DURATION_UNITS.get(unitText);
    if (unit === undefined) return { error: `time: unknown unit ${q(unitText)} in duration ${q(value)}` };
    if (whole > max / unit) return invalid;
    let v = whole * unit;
    // leadingFraction stops taking precision once its integer would pass 1<<63-1 (:158-184);
    // the fraction is added in float64 (:106-114), as a Number here.
    const frac = m[2] ?? "";
    let f = 0n;
    let scale = 1;
    for (const c of frac) {
      const y = f * 10n + BigInt(c);
      if (f > max / 10n || y > max) break;
      f = y;
      scale *= 10;
    }
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > max) return invalid;
    }
    d += v;
    if (d > max) return invalid;
  }
  return undefined;
}
