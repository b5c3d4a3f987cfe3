/** How a message lists what it names. */

/** `a`, `a and b`, `a, b and c` (`or` in place of `and` for a choice): the things one message names. */
export const listed = (xs: string[], conjunction: "and" | "or" = "and"): string =>
  xs.length < 2 ? xs.join("") : `${xs.slice(0, -1).join(", ")} ${conjunction} ${xs.at(-1)}`;
