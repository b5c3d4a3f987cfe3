/**
 * Go's strconv.ParseBool, which Go programs read boolean flags and env vars with (spf13/pflag's and
 * the standard flag package's bool flags, caarlos0/env's bool fields): its true and false spellings
 * (go1.26.8 src/strconv/number.go:16-19, its doc); anything else is an error, neither.
 */
export const GO_BOOL = {
  true: new Set(["1", "t", "T", "TRUE", "true", "True"]),
  false: new Set(["0", "f", "F", "FALSE", "false", "False"]),
} as const;

/**
 * Go's %q of a string (strconv.Quote), as the flag package's and pflag's messages quote values:
 * JSON's quoting, which agrees with it on printable text, enough for the values quoted here.
 */
export const goQuote = (s: string): string => JSON.stringify(s);

/**
 * strconv.Quote of an ASCII string, exactly (go1.26.8 src/strconv/quote.go: `\a`..`\v` by name,
 * other control bytes and DEL as `\xHH`), where {@link goQuote}'s JSON quoting writes `\u00HH`: for
 * messages that quote what Go quotes byte for byte (url.Parse's errors, upstream/goUrl.ts).
 */
export function goQuoteAscii(s: string): string {
  const named: Record<string, string> = {
    "\x07": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\x0b": "\\v",
    '"': '\\"',
    "\\": "\\\\",
  };
  return `"${[...s]
    .map(
      (c) =>
        named[c] ?? (c < " " || c === "\x7f" ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : c),
    )
    .join("")}"`;
}
