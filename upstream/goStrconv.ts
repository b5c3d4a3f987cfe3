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
